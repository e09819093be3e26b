//! Apache Avro, true to the specification: named records, enums and fixed
//! types; arrays, maps and unions; the eight primitives; logical types.
//!
//! A record's field is a vertex of its own (`ns.Record.field`) whose kind is
//! the field's type, or `ref` when the type is a named one (a `ref` vertex
//! wraps the named type's vertex), so a named type shared by many fields,
//! or recursive, stays one vertex. What Avro says of a field or type
//! (default, doc, aliases, sort order, logical type, size, symbols, extra
//! attributes) is a constraint on its vertex; a record keeps its fields'
//! order (`field-order`), which decides the binary encoding.

use super::{define, rule};
use crate::model::protocol::{EdgeRole, Protocol, ValueType};

/// The kinds a value may have: every kind but `file`.
const TYPES: &[&str] = &[
    "record", "error", "enum", "fixed", "array", "map", "union", "ref", "null", "boolean", "int",
    "long", "float", "double", "bytes", "string",
];

/// The named kinds: what a `ref` may wrap and a file declares.
const NAMED: &[&str] = &["record", "error", "enum", "fixed"];

/// The Avro protocol.
pub(super) fn protocol() -> Protocol {
    use EdgeRole::*;
    use ValueType as T;
    define(
        "avro",
        ("ThAvroSchema", "ThAvroInstance"),
        &[
            ("record", T::Object),
            // A record declared with `"type": "error"` (Avro's protocols
            // throw them; `.avsc` files may declare them too).
            ("error", T::Object),
            ("enum", T::String),
            ("fixed", T::Bytes),
            ("array", T::Array),
            ("map", T::Object),
            ("union", T::Any),
            ("ref", T::Any),
            ("null", T::Null),
            ("boolean", T::Boolean),
            ("int", T::Integer),
            ("long", T::Integer),
            ("float", T::Number),
            ("double", T::Number),
            ("bytes", T::Bytes),
            ("string", T::String),
            ("file", T::Any),
        ],
        vec![
            ("field", rule(&["record", "error"], TYPES, Property)),
            ("items", rule(&["array"], TYPES, Item)),
            // A map's values: any key, each value at the target. Records do
            // not follow it (no role says "every key"), so map values are
            // not checked against the value type.
            ("values", rule(&["map"], TYPES, Reference)),
            ("variant", rule(&["union"], TYPES, Variant)),
            ("ref", rule(&["ref"], NAMED, Wrapper)),
            // A file's top-level schema, and the named types it defines.
            ("root", rule(&["file"], TYPES, Reference)),
            ("declares", rule(&["file"], NAMED, Reference)),
        ],
        &[
            "default",
            "doc",
            "aliases",
            "order",
            "logicalType",
            "precision",
            "scale",
            "size",
            "symbols",
            "field-order",
            "properties",
            "type-properties",
        ],
    )
}
