//! SQL tables: columns of SQL types, foreign keys between tables.
//!
//! The kinds, edges and sorts the SQL format (the formats layer) writes
//! are described in its module doc; the first ones here predate it and
//! keep their names.

use super::{define, named_reference, rule};
use crate::model::protocol::{EdgeRole, Protocol, ValueType};

/// SQL tables: columns of SQL types, foreign keys between tables.
pub(super) fn protocol() -> Protocol {
    use ValueType as T;
    const TYPES: &[(&str, ValueType)] = &[
        ("integer", T::Integer),
        ("bigint", T::Integer),
        ("smallint", T::Integer),
        ("text", T::String),
        ("varchar", T::String),
        ("char", T::String),
        ("boolean", T::Boolean),
        ("real", T::Number),
        ("double", T::Number),
        ("numeric", T::Number),
        ("date", T::String),
        ("time", T::String),
        ("timestamp", T::String),
        ("interval", T::String),
        ("blob", T::Bytes),
        ("uuid", T::String),
        ("json", T::Any),
        // A column whose type is a named type of the schema (an enum).
        ("ref", T::String),
        // A column of a type no other kind names (tsvector, an array,
        // MySQL's inline ENUM(...), a domain): its `type` says which.
        ("other", T::Any),
    ];
    let names: Vec<&str> = TYPES.iter().map(|(k, _)| *k).collect();
    let mut kinds = vec![
        ("table", T::Object),
        ("view", T::Object),
        ("database", T::Object),
        ("enum", T::String),
        ("sequence", T::Integer),
        ("index", T::Any),
        ("statement", T::Any),
    ];
    kinds.extend_from_slice(TYPES);
    define(
        "sql",
        ("ThRelationalSchema", "ThRelationalInstance"),
        &kinds,
        vec![
            (
                "column",
                rule(&["table", "view"], &names, EdgeRole::Property),
            ),
            ("foreign-key", rule(&names, &["table"], EdgeRole::Reference)),
            ("type", rule(&["ref"], &["enum"], EdgeRole::Wrapper)),
            ("index", named_reference(&["table"], &["index"])),
        ],
        &[
            "primary-key",
            "unique",
            "not-null",
            "default",
            "check",
            "max-length",
            "precision",
            "scale",
            "index",
            // Added with the SQL format.
            "type",
            "auto-increment",
            "column-options",
            "column-order",
            "primary-key-name",
            "foreign-keys",
            "table-options",
            "table-kind",
            "columns",
            "using",
            "where",
            "include",
            "enum",
            "definition",
            "dialect",
            "order",
        ],
    )
}
