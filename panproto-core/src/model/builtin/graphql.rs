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
    ];
    const INPUT: &[&str] = &[
        "input", "enum", "scalar", "list", "String", "Int", "Float", "Boolean", "ID",
    ];
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
        ],
        vec![
            ("field", rule(&["object", "interface"], OUTPUT, Property)),
            ("input-field", rule(&["input"], INPUT, Property)),
            (
                "implements",
                rule(&["object", "interface"], &["interface"], Reference),
            ),
            ("member", rule(&["union"], &["object"], Variant)),
            ("value", named_reference(&["enum"], &["enum-value"])),
            // A list wraps any type, input or output: an empty rule means any kind.
            ("of", rule(&["list"], &[], Item)),
        ],
        &[
            "non-null",
            "deprecated",
            "default",
            "directive",
            "description",
        ],
    )
}
