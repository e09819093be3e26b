//! Protocol Buffers: messages with numbered fields, enums, oneofs.
//!
//! The kinds, edges and sorts below `file` in each list were added with the
//! `.proto` format (`formats::protobuf`, whose module doc says what each
//! means); the ones above are the original ones, kept as they were.

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
        ("file", T::Object),
        ("ref", T::Any),
        ("service", T::Object),
        ("rpc", T::Object),
    ];
    kinds.extend_from_slice(SCALARS);
    let mut field_targets = vec!["message", "enum", "map", "ref"];
    field_targets.extend_from_slice(&scalars);
    // What an extension field (a member declared by `extend`) may be.
    let mut extension_kinds = vec!["ref"];
    extension_kinds.extend_from_slice(&scalars);
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
            (
                "declares",
                named_reference(&["file"], &["message", "enum", "service"]),
            ),
            ("ref", rule(&["ref"], &["message", "enum"], Reference)),
            (
                "extension",
                rule(&["file", "message"], &extension_kinds, Property),
            ),
            ("extendee", rule(&extension_kinds, &["message"], Reference)),
            ("rpc", rule(&["service"], &["rpc"], Property)),
            ("input", rule(&["rpc"], &["message"], Reference)),
            ("output", rule(&["rpc"], &["message"], Reference)),
        ],
        &[
            "field-number",
            "label",
            "default",
            "packed",
            "deprecated",
            "json-name",
            "number",
            "syntax",
            "package",
            "imports",
            "options",
            "order",
            "group",
            "reserved",
            "extension-ranges",
            "client-streaming",
            "server-streaming",
            "external",
            "comment",
        ],
    )
}
