//! JSON Schema: objects with properties, arrays with items, unions of variants.
//!
//! Every schema node of a document is a vertex (the JSON Schema format's
//! module documents the ids): its kind is its `type` when
//! that is one name, `union` for a list of types (one `variant` edge per
//! type) or for an untyped `anyOf`/`oneOf`, `ref` for an untyped `$ref`,
//! and `schema` otherwise; a `file` vertex stands for each file of a
//! multi-file source. Each applicator keyword is an edge kind to the
//! subschema's vertex; the other keywords are constraint sorts named as the
//! keywords are. JSON Schema applies every keyword to any node whatever its
//! `type` (`properties` on an untyped node is common), so the property,
//! item and additional-properties rules take any source kind.

use super::{define, rule};
use crate::model::protocol::{EdgeRole, EdgeRule, Protocol, ValueType};

/// An edge whose name is a key or an index, with the role records give it.
fn named(role: EdgeRole) -> EdgeRule {
    EdgeRule {
        named: true,
        ..rule(&[], &[], role)
    }
}

/// JSON Schema: objects with properties, arrays with items, unions of variants.
pub(super) fn protocol() -> Protocol {
    use EdgeRole::*;
    use ValueType as T;
    const ANY: &[&str] = &[];
    define(
        "json-schema",
        ("ThJsonSchema", "ThJsonInstance"),
        &[
            ("object", T::Object),
            ("array", T::Array),
            ("union", T::Any),
            ("string", T::String),
            ("number", T::Number),
            ("integer", T::Integer),
            ("boolean", T::Boolean),
            ("null", T::Null),
            // A node without `type` (or the boolean schemas `true`/`false`).
            ("schema", T::Any),
            // A node without `type` whose meaning is its `$ref`.
            ("ref", T::Any),
            // A file of a multi-file source.
            ("file", T::Any),
        ],
        vec![
            ("prop", rule(ANY, ANY, Property)),
            ("items", rule(ANY, ANY, Item)),
            ("variant", rule(&["union"], ANY, Variant)),
            ("additional-properties", rule(ANY, ANY, Reference)),
            // `$ref`: the node's value is a value of the target.
            ("ref", rule(ANY, ANY, Wrapper)),
            // A file's root schema.
            ("root", rule(&["file"], ANY, Wrapper)),
            // `$defs` and `definitions` entries, by name.
            ("def", named(Reference)),
            ("definition", named(Reference)),
            ("pattern-property", named(Reference)),
            ("property-names", rule(ANY, ANY, Reference)),
            ("unevaluated-properties", rule(ANY, ANY, Reference)),
            // `items` as an array (drafts 4 to 2019-09), by index.
            ("tuple-item", named(Reference)),
            // `prefixItems` (2020-12), by index.
            ("prefix-item", named(Reference)),
            ("additional-items", rule(ANY, ANY, Reference)),
            ("unevaluated-items", rule(ANY, ANY, Reference)),
            ("contains", rule(ANY, ANY, Reference)),
            ("all-of", named(Wrapper)),
            ("any-of", named(Variant)),
            ("one-of", named(Variant)),
            ("not", rule(ANY, ANY, Reference)),
            ("if", rule(ANY, ANY, Reference)),
            ("then", rule(ANY, ANY, Reference)),
            ("else", rule(ANY, ANY, Reference)),
            ("dependent-schema", named(Reference)),
            // `dependencies` entries that are schemas (drafts 4 to 7).
            ("dependency", named(Reference)),
            ("content-schema", rule(ANY, ANY, Reference)),
        ],
        &[
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "enum",
            "const",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minProperties",
            "maxProperties",
            "default",
            "minContains",
            "maxContains",
            "title",
            "description",
            "$comment",
            "examples",
            "deprecated",
            "readOnly",
            "writeOnly",
            "contentEncoding",
            "contentMediaType",
            "$schema",
            "$id",
            "id",
            "$anchor",
            "$dynamicAnchor",
            "$recursiveAnchor",
            "$dynamicRef",
            "$recursiveRef",
            "$vocabulary",
            "$ref",
            "dependentRequired",
            "dependencies",
            "requiredWithoutProperty",
            "propertyOrder",
            "boolean-schema",
            "keywords",
        ],
    )
}
