//! ATProto lexicons: records, objects, arrays, unions, refs and the lexicon
//! primitive types, plus what a lexicon file holds around its types (the
//! file itself, request and response bodies, errors, permission sets, and
//! defs of other lexicons that refs name).
//!
//! The `formats::atproto` module documents how a lexicon maps onto these
//! kinds, edges and sorts.

use super::{define, named_reference, rule};
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
    // What a `ref` or a union's variant may name: any def that is a type
    // (not a query, procedure, subscription or permission set), or a def
    // of a lexicon outside the schema.
    const TARGETS: &[&str] = &[
        "record", "object", "array", "union", "ref", "string", "integer", "boolean", "bytes",
        "cid-link", "blob", "unknown", "token", "null", "external",
    ];
    // What a lexicon file may define.
    const DEFS: &[&str] = &[
        "record",
        "query",
        "procedure",
        "subscription",
        "permission-set",
        "object",
        "array",
        "union",
        "ref",
        "string",
        "integer",
        "boolean",
        "bytes",
        "cid-link",
        "blob",
        "unknown",
        "token",
        "null",
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
            // A lexicon file (id: its path): the defs it holds.
            ("file", T::Any),
            // The input or output of a query or procedure, or the message
            // of a subscription: its encoding, and the schema of its body.
            ("body", T::Any),
            // An error a query, procedure or subscription may return.
            ("error", T::Any),
            // A permission set (`permission-set`, a newer lexicon type).
            ("permission-set", T::Any),
            // A def of a lexicon outside the schema, named by a ref.
            ("external", T::Any),
        ],
        vec![
            ("record-schema", rule(&["record"], &["object"], Wrapper)),
            ("prop", rule(&["object", "params"], VALUES, Property)),
            ("items", rule(&["array"], VALUES, Item)),
            ("variant", rule(&["union"], TARGETS, Variant)),
            ("ref", rule(&["ref"], TARGETS, Wrapper)),
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
                rule(
                    &["procedure"],
                    &["object", "ref", "union", "body"],
                    Reference,
                ),
            ),
            (
                "output",
                rule(
                    &["query", "procedure"],
                    &["object", "ref", "union", "body"],
                    Reference,
                ),
            ),
            (
                "message",
                rule(
                    &["subscription"],
                    &["union", "object", "ref", "body"],
                    Reference,
                ),
            ),
            // A file's defs, named as the file names them (`main`, ...).
            ("def", named_reference(&["file"], DEFS)),
            // A body's schema.
            (
                "schema",
                rule(&["body"], &["object", "ref", "union"], Wrapper),
            ),
            // The errors of a query, procedure or subscription, by name.
            (
                "error",
                named_reference(&["query", "procedure", "subscription"], &["error"]),
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
            // Documentation.
            "description",
            // The order of a vertex's named members as written (a JSON
            // array): properties, defs, a union's refs, errors.
            "order",
            // A record's key type (`tid`, `nsid`, `literal:self`, `any`).
            "key",
            // A body's MIME type.
            "encoding",
            // The properties of an object that may be null (a JSON array).
            "nullable",
            // A file's revision number.
            "revision",
            // A permission set's title, detail and permissions (JSON).
            "title",
            "detail",
            "permissions",
            // Keys the lexicon has that no sort models, as a JSON object,
            // written back as they were.
            "annotation",
        ],
    )
}
