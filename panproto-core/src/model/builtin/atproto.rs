//! ATProto lexicons: records, objects, arrays, unions, refs and the lexicon

use super::{define, rule};
use crate::model::protocol::{EdgeRole, Protocol, ValueType};

/// ATProto lexicons: records, objects, arrays, unions, refs and the lexicon
/// primitive types.
pub(super) fn protocol() -> Protocol {
    use EdgeRole::*;
    use ValueType as T;
    const VALUES: &[&str] = &[
        "object", "array", "union", "ref", "string", "integer", "boolean", "bytes", "cid-link",
        "blob", "unknown", "token", "null",
    ];
    define(
        "atproto",
        ("ThATProtoSchema", "ThATProtoInstance"),
        &[
            ("record", T::Object),
            ("query", T::Any),
            ("procedure", T::Any),
            ("subscription", T::Any),
            ("params", T::Object),
            ("object", T::Object),
            ("array", T::Array),
            ("union", T::Any),
            ("ref", T::Any),
            ("string", T::String),
            ("integer", T::Integer),
            ("boolean", T::Boolean),
            ("bytes", T::Bytes),
            ("cid-link", T::String),
            ("blob", T::Any),
            ("unknown", T::Any),
            ("token", T::String),
            ("null", T::Null),
        ],
        vec![
            ("record-schema", rule(&["record"], &["object"], Wrapper)),
            ("prop", rule(&["object", "params"], VALUES, Property)),
            ("items", rule(&["array"], VALUES, Item)),
            (
                "variant",
                rule(&["union"], &["object", "ref", "token"], Variant),
            ),
            (
                "ref",
                rule(&["ref"], &["record", "object", "token", "union"], Wrapper),
            ),
            (
                "parameters",
                rule(
                    &["query", "procedure", "subscription"],
                    &["params"],
                    Reference,
                ),
            ),
            (
                "input",
                rule(&["procedure"], &["object", "ref", "union"], Reference),
            ),
            (
                "output",
                rule(
                    &["query", "procedure"],
                    &["object", "ref", "union"],
                    Reference,
                ),
            ),
            (
                "message",
                rule(&["subscription"], &["union", "object", "ref"], Reference),
            ),
        ],
        &[
            "maxLength",
            "minLength",
            "maxGraphemes",
            "minGraphemes",
            "minimum",
            "maximum",
            "enum",
            "const",
            "default",
            "format",
            "knownValues",
            "maxSize",
            "accept",
            "closed",
        ],
    )
}
