//! Apache Avro schemas (`.avsc`): a schema, or a list of schemas, per
//! file; a directory of them is one schema, whose files may name each
//! other's types. True to the Avro specification (1.11).
//!
//! How a file becomes a schema of the `avro` protocol:
//!
//! - Each file is a `file` vertex (its path relative to the directory read;
//!   `schema.avsc` for a file read on its own) with one `root` edge
//!   to its top-level schema and a `declares` edge to every named type it
//!   defines, wherever in the file the definition is.
//! - A named type (record, error, enum, fixed) is a vertex whose id is its
//!   full name (`org.example.User`), whichever namespace rules made it.
//! - A record's field is a vertex `Record.field` (`org.example.User.email`),
//!   reached by a `field` edge named after it. Its kind is its type's: a
//!   primitive (`string`), `array` (items at `…[]`), `map` (values at
//!   `…{}`), `union` (branch *i* at `…|i`, in order), or `ref`, which wraps
//!   a named type by a `ref` edge, whether the field defined it inline or
//!   named it. So a type used twice, or recursively, is one vertex.
//! - An anonymous top-level schema (a union, a list of schemas, a
//!   primitive) has the id `file#`.
//! - Constraints keep the rest: `default` (JSON), `doc`, `aliases` (JSON
//!   list), `order` (a field's sort order), `logicalType`, `precision`,
//!   `scale`, `size`, `symbols` (JSON list, in order), `field-order` (the
//!   record's field names, JSON list: it decides the binary encoding),
//!   `properties` (a field's other attributes, JSON object) and
//!   `type-properties` (a type's other attributes).
//!
//! Emit writes each file back: a named type is defined (inline) at its
//! first use in its own file, and named elsewhere; names are written
//! relative to the enclosing namespace, as Avro resolves them.

mod compat;
mod emit;
mod parse;

pub(super) use compat::compare;
pub(super) use emit::emit;
pub(super) use parse::parse;

/// The name of the file of a one-file source (see `Source::key`).
const SINGLE_NAME: &str = "schema.avsc";

/// The extensions of Avro schema files.
pub(super) const EXTENSIONS: &[&str] = &["avsc"];

/// Whether `text` looks like an Avro schema: JSON in which `"type"` has
/// the value `"record"`, `"enum"`, `"fixed"` or `"error"` (a JSON Schema
/// has `"enum"` as a key, never as the value of `"type"`).
pub(super) fn sniff(text: &str) -> bool {
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) || text.contains("\"lexicon\"") {
        return false;
    }
    text.match_indices("\"type\"").any(|(i, m)| {
        let rest = text[i + m.len()..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        let rest = rest.trim_start();
        NAMED_KINDS.iter().any(|k| {
            rest.strip_prefix('"')
                .is_some_and(|r| r.starts_with(k) && r[k.len()..].starts_with('"'))
        })
    })
}

/// Avro's primitive type names.
const PRIMITIVES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The named kinds, with the `type` each is written with.
const NAMED_KINDS: &[&str] = &["record", "error", "enum", "fixed"];
