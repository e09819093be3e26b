//! GraphQL type systems: object, interface, input, union, enum and scalar types.

use super::{define, named_reference, rule};
use crate::model::protocol::{EdgeRole, Protocol, ValueType};

/// GraphQL type systems: object, interface, input, union, enum and scalar types.
pub(super) fn protocol() -> Protocol {
    use EdgeRole::*;
    use ValueType as T;
    const OUTPUT: &[&str] = &[
        "object",
        "interface",
        "union",
        "enum",
        "scalar",
        "list",
        "String",
        "Int",
        "Float",
        "Boolean",
        "ID",
        "ref",
    ];
    const INPUT: &[&str] = &[
        "input", "enum", "scalar", "list", "String", "Int", "Float", "Boolean", "ID", "ref",
    ];
    // The named types a `ref` may wrap.
    const NAMED: &[&str] = &[
        "object",
        "interface",
        "input",
        "union",
        "enum",
        "scalar",
        "external",
    ];
    // The kinds a field, an argument or a list item (a typed member) takes.
    const TYPED: &[&str] = &["ref", "list", "String", "Int", "Float", "Boolean", "ID"];
    define(
        "graphql",
        ("ThGraphQLSchema", "ThGraphQLInstance"),
        &[
            ("object", T::Object),
            ("interface", T::Object),
            ("input", T::Object),
            ("union", T::Any),
            ("enum", T::String),
            ("enum-value", T::Any),
            ("scalar", T::Any),
            ("list", T::Array),
            ("String", T::String),
            ("Int", T::Integer),
            ("Float", T::Number),
            ("Boolean", T::Boolean),
            ("ID", T::String),
            // A use of a named type (a field's type `User`): wraps it.
            ("ref", T::Any),
            // A directive definition, `@name`.
            ("directive", T::Any),
            // The `schema { query mutation subscription }` block.
            ("schema", T::Object),
            // One file of a multi-file schema.
            ("file", T::Any),
            // A named type this source uses but a sibling source defines
            // (parsed with `external_refs`): its kind is not known here.
            ("external", T::Any),
        ],
        vec![
            ("field", rule(&["object", "interface"], OUTPUT, Property)),
            ("input-field", rule(&["input"], INPUT, Property)),
            (
                "implements",
                rule(
                    &["object", "interface"],
                    &["interface", "external"],
                    Reference,
                ),
            ),
            ("member", rule(&["union"], &["object", "external"], Variant)),
            ("value", named_reference(&["enum"], &["enum-value"])),
            // A list wraps any type, input or output: an empty rule means any kind.
            ("of", rule(&["list"], &[], Item)),
            // A ref to the named type it stands for.
            ("ref", rule(&["ref"], NAMED, Wrapper)),
            // A field's or a directive's argument, by name.
            (
                "argument",
                named_reference(&[TYPED, &["directive"]].concat(), INPUT),
            ),
            // A root operation type of the schema block, named by operation.
            (
                "operation",
                named_reference(&["schema"], &["object", "external"]),
            ),
            // What a file of a multi-file schema defines.
            ("declares", rule(&["file"], &[], Reference)),
            // What a file adds to a type defined in another file (`extend`).
            ("extends", rule(&["file"], &[], Reference)),
        ],
        &[
            "non-null",
            "deprecated",
            "default",
            "directive",
            "description",
            // Member names in the order written (JSON array of strings).
            "order",
            // A directive definition's locations (`FIELD_DEFINITION | OBJECT`).
            "locations",
            // A directive definition that is `repeatable` ("true").
            "repeatable",
            // A type only extended in this source, defined elsewhere ("true").
            "extension",
            // The `#` comment lines before a declaration or member.
            "comment",
        ],
    )
}
