//! Reading one node of a JSON Schema the way the compatibility rules
//! compare it: which keywords bound, constrain or hold subschemas, the
//! types it admits, its content model, its required names, its keyword
//! values.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::formats::View;

/// The numeric bounds: keyword, whether it bounds from above, and the
/// value its absence stands for (`None`: unbounded).
pub(super) const BOUNDS: &[(&str, bool, Option<f64>)] = &[
    ("maxLength", true, None),
    ("minLength", false, Some(0.0)),
    ("maximum", true, None),
    ("minimum", false, None),
    ("exclusiveMaximum", true, None),
    ("exclusiveMinimum", false, None),
    ("maxItems", true, None),
    ("minItems", false, Some(0.0)),
    ("maxProperties", true, None),
    ("minProperties", false, Some(0.0)),
    ("maxContains", true, None),
    ("minContains", false, Some(1.0)),
];

/// Keywords whose change cannot be ordered: any change breaks both ways.
pub(super) const OPAQUE: &[&str] = &[
    "dependentRequired",
    "dependencies",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
];

/// Subschema slots walked pairwise, one subschema each: edge kind, keyword.
pub(super) const ONE: &[(&str, &str)] = &[
    ("items", "items"),
    ("additional-items", "additionalItems"),
    ("unevaluated-items", "unevaluatedItems"),
    ("unevaluated-properties", "unevaluatedProperties"),
    ("property-names", "propertyNames"),
    ("contains", "contains"),
    ("then", "then"),
    ("else", "else"),
    ("content-schema", "contentSchema"),
];
/// Subschema slots of several, by name or index: edge kind, keyword.
pub(super) const NAMED: &[(&str, &str)] = &[
    ("pattern-property", "patternProperties"),
    ("dependent-schema", "dependentSchemas"),
    ("dependency", "dependencies"),
    ("prefix-item", "prefixItems"),
    ("tuple-item", "items"),
    ("all-of", "allOf"),
    ("any-of", "anyOf"),
    ("one-of", "oneOf"),
];

/// What an object lets in beyond its named properties.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Content<'s> {
    /// Anything: no `additionalProperties` (or `true`), no patterns.
    Open,
    /// Nothing: `additionalProperties: false`, no patterns.
    Closed,
    /// Some: an `additionalProperties` schema, or `patternProperties`.
    Partial(Option<&'s str>),
}

/// A node with its `$ref`-only wrappers followed to what they name.
pub(super) fn deref<'s>(v: &View<'s>, mut id: &'s str) -> &'s str {
    for _ in 0..64 {
        match v.target(id, "ref") {
            Some(t) if v.kind(id) == "ref" && t != id => id = t,
            _ => break,
        }
    }
    id
}

/// The JSON types a node admits (`None`: any), from its kind.
pub(super) fn types(v: &View<'_>, id: &str) -> Option<BTreeSet<String>> {
    match v.kind(id) {
        "union" => {
            let list: BTreeSet<String> = v
                .edges(id, "variant")
                .map(|e| v.kind(&e.tgt).to_owned())
                .collect();
            (!list.is_empty()).then_some(list)
        }
        "schema" if v.constraint(id, "boolean-schema") == Some("false") => Some(BTreeSet::new()),
        "schema" | "ref" | "file" | "" => None,
        kind => Some(BTreeSet::from([kind.to_owned()])),
    }
}

/// Whether types `wide` admit every value of types `narrow` (`number`
/// admits integers).
pub(super) fn admits(wide: Option<&BTreeSet<String>>, narrow: Option<&BTreeSet<String>>) -> bool {
    match (wide, narrow) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(w), Some(n)) => n
            .iter()
            .all(|t| w.contains(t) || t == "integer" && w.contains("number")),
    }
}

pub(super) fn type_text(t: Option<&BTreeSet<String>>) -> String {
    match t {
        None => "any".to_owned(),
        Some(set) if set.is_empty() => "none (false)".to_owned(),
        Some(set) => set
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

/// Whether a node admits every value (no keyword that constrains).
pub(super) fn accepts_all(v: &View<'_>, id: &str) -> bool {
    const ANNOTATIONS: &[&str] = &[
        "title",
        "description",
        "$comment",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "keywords",
        "propertyOrder",
        "$id",
        "$anchor",
        "boolean-schema",
        "$schema",
    ];
    let id = deref(v, id);
    let constraints = v.schema.constraints().get(id);
    v.kind(id) == "schema"
        && v.constraint(id, "boolean-schema") != Some("false")
        && constraints.is_none_or(|c| c.keys().all(|k| ANNOTATIONS.contains(&k.as_str())))
        && v.out(id)
            .iter()
            .all(|e| e.kind == "def" || e.kind == "definition")
}

pub(super) fn content<'s>(v: &View<'s>, id: &str) -> Content<'s> {
    let patterns = v.edges(id, "pattern-property").next().is_some();
    match v.target(id, "additional-properties") {
        None if patterns => Content::Partial(None),
        None => Content::Open,
        Some(t) => match v.constraint(t, "boolean-schema") {
            Some("false") if !patterns => Content::Closed,
            Some("true") if !patterns => Content::Open,
            _ if accepts_all(v, t) && !patterns => Content::Open,
            Some(_) => Content::Partial(None),
            None => Content::Partial(Some(t)),
        },
    }
}

pub(super) fn content_text(c: Content<'_>) -> &'static str {
    match c {
        Content::Open => "open",
        Content::Closed => "closed",
        Content::Partial(_) => "partly open",
    }
}

/// The named edges of `kind` leaving `id`: name → target.
pub(super) fn members<'s>(v: &View<'s>, id: &str, kind: &str) -> BTreeMap<&'s str, &'s str> {
    v.edges(id, kind)
        .filter_map(|e| Some((e.name.as_deref()?, e.tgt.as_str())))
        .collect()
}

/// The names a node requires: its required edges, and the names that are no property.
pub(super) fn required(v: &View<'_>, id: &str) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = v.schema.required().get(id).cloned().unwrap_or_default();
    names.extend(values_list(v.constraint(id, "requiredWithoutProperty")));
    names
}

pub(super) fn number(text: Option<&str>) -> Option<f64> {
    text.and_then(|t| t.parse::<f64>().ok())
}

/// The values of a JSON array, each as compact JSON (`None`: no array).
pub(super) fn values(text: Option<&str>) -> Option<BTreeSet<String>> {
    let list: Vec<Value> = serde_json::from_str(text?).ok()?;
    Some(list.iter().map(Value::to_string).collect())
}

pub(super) fn values_list(text: Option<&str>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str::<Vec<String>>(t).ok())
        .unwrap_or_default()
}

pub(super) fn join(list: &[&String]) -> String {
    list.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `maxLength` → `MAX_LENGTH`, `$ref` → `REF`.
pub(super) fn upper_snake(keyword: &str) -> String {
    let mut out = String::new();
    for c in keyword.trim_start_matches('$').chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}
