//! The keywords the protocol models, once, for parse and emit: which are
//! subschemas (and by which edge kind), which are constraints (and what
//! shape their value has).

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// What a keyword holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// One subschema: an unnamed edge of this kind.
    One(&'static str),
    /// An object of subschemas: one edge of this kind per key, named by it.
    Map(&'static str),
    /// An array of subschemas: one edge of this kind per element, named by
    /// its index.
    List(&'static str),
    /// A string, kept as the constraint's value.
    Text,
    /// A number, kept as its JSON text.
    Number,
    /// A non-negative integer, kept as its JSON text.
    Count,
    /// A boolean, `true` or `false`.
    Bool,
    /// An array, kept as compact JSON.
    Array,
    /// A number, or a boolean (draft 4's `exclusiveMinimum`).
    NumberOrBool,
    /// An object, kept as compact JSON.
    Object,
    /// Any JSON value, kept as compact JSON.
    Json,
}

/// Keyword → what it holds; a constraint's sort is its keyword. `type`,
/// `required`, `$ref`, `items`, `dependencies` and draft 4's `id` are read
/// on their own (their shape depends on the value or the draft).
pub(super) const KEYWORDS: &[(&str, Slot)] = &[
    ("properties", Slot::Map("prop")),
    ("patternProperties", Slot::Map("pattern-property")),
    ("additionalProperties", Slot::One("additional-properties")),
    ("propertyNames", Slot::One("property-names")),
    ("unevaluatedProperties", Slot::One("unevaluated-properties")),
    ("prefixItems", Slot::List("prefix-item")),
    ("additionalItems", Slot::One("additional-items")),
    ("unevaluatedItems", Slot::One("unevaluated-items")),
    ("contains", Slot::One("contains")),
    ("allOf", Slot::List("all-of")),
    ("anyOf", Slot::List("any-of")),
    ("oneOf", Slot::List("one-of")),
    ("not", Slot::One("not")),
    ("if", Slot::One("if")),
    ("then", Slot::One("then")),
    ("else", Slot::One("else")),
    ("dependentSchemas", Slot::Map("dependent-schema")),
    ("$defs", Slot::Map("def")),
    ("definitions", Slot::Map("definition")),
    ("contentSchema", Slot::One("content-schema")),
    ("pattern", Slot::Text),
    ("format", Slot::Text),
    ("title", Slot::Text),
    ("description", Slot::Text),
    ("$comment", Slot::Text),
    ("contentEncoding", Slot::Text),
    ("contentMediaType", Slot::Text),
    ("$schema", Slot::Text),
    ("$id", Slot::Text),
    ("$anchor", Slot::Text),
    ("$dynamicAnchor", Slot::Text),
    ("$dynamicRef", Slot::Text),
    ("$recursiveRef", Slot::Text),
    ("minimum", Slot::Number),
    ("maximum", Slot::Number),
    ("multipleOf", Slot::Number),
    ("exclusiveMinimum", Slot::NumberOrBool),
    ("exclusiveMaximum", Slot::NumberOrBool),
    ("minLength", Slot::Count),
    ("maxLength", Slot::Count),
    ("minItems", Slot::Count),
    ("maxItems", Slot::Count),
    ("minProperties", Slot::Count),
    ("maxProperties", Slot::Count),
    ("minContains", Slot::Count),
    ("maxContains", Slot::Count),
    ("uniqueItems", Slot::Bool),
    ("deprecated", Slot::Bool),
    ("readOnly", Slot::Bool),
    ("writeOnly", Slot::Bool),
    ("$recursiveAnchor", Slot::Bool),
    ("enum", Slot::Array),
    ("examples", Slot::Array),
    ("$vocabulary", Slot::Object),
    ("dependentRequired", Slot::Object),
    ("const", Slot::Json),
    ("default", Slot::Json),
];

/// What `keyword` holds, if the protocol models it.
pub(super) fn slot(keyword: &str) -> Option<Slot> {
    static BY_KEYWORD: OnceLock<FxHashMap<&'static str, Slot>> = OnceLock::new();
    BY_KEYWORD
        .get_or_init(|| KEYWORDS.iter().copied().collect())
        .get(keyword)
        .copied()
}

/// The keyword an edge kind stands for, and how.
pub(super) fn of_edge(kind: &str) -> Option<(&'static str, Slot)> {
    match kind {
        "items" => Some(("items", Slot::One("items"))),
        "tuple-item" => Some(("items", Slot::List("tuple-item"))),
        "dependency" => Some(("dependencies", Slot::Map("dependency"))),
        _ => KEYWORDS
            .iter()
            .copied()
            .find(|(_, s)| matches!(s, Slot::One(k) | Slot::Map(k) | Slot::List(k) if *k == kind)),
    }
}

/// Whether a kind is one of JSON Schema's seven types.
pub(super) fn is_type(kind: &str) -> bool {
    matches!(
        kind,
        "object" | "array" | "string" | "number" | "integer" | "boolean" | "null"
    )
}
