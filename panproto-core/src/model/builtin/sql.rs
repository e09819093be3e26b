//! SQL tables: columns of SQL types, foreign keys between tables.

use super::{define, rule};
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
    ];
    let names: Vec<&str> = TYPES.iter().map(|(k, _)| *k).collect();
    let mut kinds = vec![("table", T::Object), ("view", T::Object)];
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
        ],
    )
}
