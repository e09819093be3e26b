//! JSON Schema: objects with properties, arrays with items, unions of variants.

use super::{define, rule};
use crate::model::protocol::{EdgeRole, Protocol, ValueType};

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
        ],
        vec![
            ("prop", rule(&["object"], ANY, Property)),
            ("items", rule(&["array"], ANY, Item)),
            ("variant", rule(&["union"], ANY, Variant)),
            ("additional-properties", rule(&["object"], ANY, Reference)),
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
        ],
    )
}
