//! Protocol Buffers: messages with numbered fields, enums, oneofs.

use super::{define, named_reference, rule};
use crate::model::protocol::{EdgeRole, Protocol, ValueType};

/// Protocol Buffers: messages with numbered fields, enums, oneofs.
pub(super) fn protocol() -> Protocol {
    use EdgeRole::*;
    use ValueType as T;
    const SCALARS: &[(&str, ValueType)] = &[
        ("double", T::Number),
        ("float", T::Number),
        ("int32", T::Integer),
        ("int64", T::Integer),
        ("uint32", T::Integer),
        ("uint64", T::Integer),
        ("sint32", T::Integer),
        ("sint64", T::Integer),
        ("fixed32", T::Integer),
        ("fixed64", T::Integer),
        ("sfixed32", T::Integer),
        ("sfixed64", T::Integer),
        ("bool", T::Boolean),
        ("string", T::String),
        ("bytes", T::Bytes),
    ];
    let scalars: Vec<&str> = SCALARS.iter().map(|(k, _)| *k).collect();
    let mut kinds = vec![
        ("message", T::Object),
        ("enum", T::Any),
        ("enum-value", T::Any),
        ("oneof", T::Object),
        ("map", T::Any),
    ];
    kinds.extend_from_slice(SCALARS);
    let mut field_targets = vec!["message", "enum", "map"];
    field_targets.extend_from_slice(&scalars);
    define(
        "protobuf",
        ("ThProtobufSchema", "ThProtobufInstance"),
        &kinds,
        vec![
            (
                "field",
                rule(&["message", "oneof"], &field_targets, Property),
            ),
            ("oneof", rule(&["message"], &["oneof"], Property)),
            (
                "nested",
                named_reference(&["message"], &["message", "enum"]),
            ),
            ("value", named_reference(&["enum"], &["enum-value"])),
            ("map-key", rule(&["map"], &scalars, Reference)),
            ("map-value", rule(&["map"], &field_targets, Reference)),
        ],
        &[
            "field-number",
            "label",
            "default",
            "packed",
            "deprecated",
            "json-name",
            "number",
        ],
    )
}
