//! JSON Schema documents (`.json`): drafts 4, 6, 7, 2019-09 and 2020-12
//! (and later `$schema`s read as 2020-12), a file or a directory of files
//! whose `$ref`s reach each other.
//!
//! Parsed with `serde_json` (once per file) and walked once; `$ref`s are
//! resolved after every file is read. A key repeated in one object is a
//! syntax error (readers disagree on which counts; keeping one would drop
//! the other in silence).
//!
//! # Ids
//!
//! Every schema node (an object or a boolean at a schema position) is a
//! vertex whose id is its JSON pointer behind `#`: `#` for the root,
//! `#/$defs/Name`, `#/properties/name`, `#/properties/tags/items`,
//! `#/allOf/0`. In a source of several files the pointer is behind the
//! file's relative path (`defs.json#/definitions/int64`), and each file is
//! a `file` vertex (its path) with a `root` edge to its document. A list of
//! types (`"type": ["string", "null"]`) gives variant vertices
//! `<node>/type/<name>`.
//!
//! # Kinds
//!
//! A node's `type`, when it names one (`object`, `array`, `string`,
//! `number`, `integer`, `boolean`, `null`); `union` for a list of types
//! (one `variant` edge per type, named by its index in the list) or, without `type`, for a node with
//! `anyOf`/`oneOf`; `ref` for an untyped node with `$ref`; `schema` for any
//! other (and for `true` / `false`, with sort `boolean-schema`).
//!
//! # Edges (from a node to a subschema's node)
//!
//! `prop` (`properties`, named by the property), `pattern-property`
//! (`patternProperties`, named by the pattern), `additional-properties`,
//! `property-names`, `unevaluated-properties`, `items` (one schema),
//! `tuple-item` (`items` as an array, named by index), `prefix-item`
//! (`prefixItems`, by index), `additional-items`, `unevaluated-items`,
//! `contains`, `all-of` / `any-of` / `one-of` (by index), `not`, `if`,
//! `then`, `else`, `dependent-schema` (`dependentSchemas`, by property),
//! `dependency` (schema entries of `dependencies`), `def` (`$defs`, by
//! name), `definition` (`definitions`, by name), `content-schema`; and
//! `ref` for `$ref`, to the node it resolves to, in the same file or
//! another file of the source (so a recursive or shared definition stays
//! one vertex).
//!
//! # Constraints
//!
//! Each other keyword is a constraint of the same name: strings as they
//! are (`pattern`, `format`, `title`, `description`, `$comment`, `$id`,
//! draft 4's `id`, `$anchor`, `$dynamicAnchor`, `$dynamicRef`,
//! `$recursiveRef`, `$schema`, `contentEncoding`, `contentMediaType`), the
//! others as compact JSON (`minimum`, `maxLength`, `enum`, `const`,
//! `default`, `examples`, `uniqueItems`, `deprecated`, `$vocabulary`,
//! `dependentRequired`, ...). `required` is the vertex's required edges for
//! the names that are properties of the node; the names that are not go in
//! `requiredWithoutProperty` (a sorted JSON list). `propertyOrder` is the
//! order of a node's `properties` (a JSON list of names, for two or more):
//! validation ignores it, but the documents' readers (form and
//! documentation generators, people) follow it. `dependencies` holds the
//! entries of `dependencies` that are lists of names. `$ref` keeps the
//! text of a ref only where it differs from what emit writes for its edge
//! (`#/pointer`, or `other.json#/pointer`), and alone for a ref to a
//! document the source does not hold.
//!
//! **Nothing is dropped**: a keyword the protocol has no sort for (`x-*`,
//! vendor keywords, `propertyDependencies`, draft 6+'s `id`, ...) is kept
//! with its value in `keywords` (a JSON object), which emit writes back.
//!
//! # Refs
//!
//! A `$ref` is resolved against the base URI of its node (the file's path,
//! changed by each `$id`, or by `id` in draft 4; up to draft 7 not by the
//! `$id` beside a `$ref`, which overrides its siblings): to a document by its
//! `$id` or by its path in the source, then to a node by JSON pointer or
//! by anchor (`$anchor`, `$dynamicAnchor`, draft 4 to 7 `"$id": "#name"`).
//! A ref that resolves to an absolute URI (`https://...`, or a relative
//! ref under an absolute `$id`) no file of the source holds is a remote
//! ref: its text is kept (`$ref`) with no edge, and becomes an edge when
//! the source holds that document. A ref whose document is a file path the
//! source lacks, or whose pointer or anchor names nothing, is
//! [`crate::formats::FormatError::UnresolvedRef`]. `$dynamicRef` and
//! `$recursiveRef` are resolved only when validating, so they are kept as
//! text.
//!
//! # Emit
//!
//! Each file's root node is written with its subschemas under the keywords
//! of their edges, keywords in a fixed reading order (`$schema`, `$id`,
//! documentation, `type`, `$ref`, value constraints, applicators, `$defs`),
//! properties in their `propertyOrder`, the unmodelled keywords last in
//! their own order, `required` in the order of the properties (then the
//! names that are not properties, sorted). JSON is read into an order-keeping
//! value (`json`) rather than `serde_json::Value`, whose `preserve_order`
//! feature would change every other module's JSON. A single-file schema is
//! written as `schema.json`.

mod compat;
mod emit;
mod json;
mod keywords;
mod locate;
mod parse;
mod uri;

pub(super) use compat::compare;
pub(super) use emit::emit;
pub(super) use parse::parse;

/// The extensions of JSON Schema files.
pub(super) const EXTENSIONS: &[&str] = &["json"];

/// Whether `text` looks like a JSON Schema (rather than a lexicon, which
/// shares `.json`): an object naming a `$schema`, or using `$ref`,
/// `$defs`, `definitions` or `properties`, and not a lexicon document.
pub(super) fn sniff(text: &str) -> bool {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('{') || is_lexicon(trimmed) {
        return false;
    }
    trimmed.contains("json-schema.org")
        || [
            "\"$schema\"",
            "\"$ref\"",
            "\"$defs\"",
            "\"definitions\"",
            "\"properties\"",
        ]
        .iter()
        .any(|k| trimmed.contains(k))
}

/// Whether `text` has a `"lexicon": <number>` member.
fn is_lexicon(text: &str) -> bool {
    text.match_indices("\"lexicon\"").any(|(i, m)| {
        let rest = text.get(i + m.len()..).unwrap_or("").trim_start();
        rest.strip_prefix(':')
            .is_some_and(|r| r.trim_start().starts_with(|c: char| c.is_ascii_digit()))
    })
}
