//! The built-in protocols, one file each: the rules of a real format.
//!
//! Each file defines one protocol (vertex kinds with the shape of their
//! values, edge rules, constraint sorts); this module lists them, once, in
//! [`builtin_protocols`], and holds the small helpers they are written with.
//!
//! A protocol may gain kinds, edge kinds and sorts as its format is modelled
//! more faithfully, but never loses or renames one: schemas already in a
//! store name them, and must still validate when read back.

mod atproto;
mod avro;
mod graphql;
mod json_schema;
mod protobuf;
mod sql;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use crate::model::error::ProtocolError;
use crate::model::protocol::{EdgeRole, EdgeRule, Protocol, ValueType};

/// Names of the built-in protocols, in the order [`builtin_protocols`] lists them.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    builtin_protocols().iter().map(|p| p.name.as_str())
}

/// Looks up a built-in protocol by name.
pub fn builtin_protocol(name: &str) -> Result<Arc<Protocol>, ProtocolError> {
    builtin_protocols()
        .iter()
        .find(|p| p.name == name)
        .cloned()
        .ok_or_else(|| ProtocolError::Unknown {
            name: name.to_owned(),
            known: builtin_names().map(str::to_owned).collect(),
        })
}

/// The six built-in protocols, built once.
pub fn builtin_protocols() -> &'static [Arc<Protocol>] {
    static BUILTINS: OnceLock<Vec<Arc<Protocol>>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        vec![
            Arc::new(atproto::protocol()),
            Arc::new(sql::protocol()),
            Arc::new(protobuf::protocol()),
            Arc::new(graphql::protocol()),
            Arc::new(json_schema::protocol()),
            Arc::new(avro::protocol()),
        ]
    })
}

pub(super) fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub(super) fn rule(src: &[&str], tgt: &[&str], role: EdgeRole) -> EdgeRule {
    EdgeRule {
        src_kinds: src.iter().map(|s| (*s).to_owned()).collect(),
        tgt_kinds: tgt.iter().map(|s| (*s).to_owned()).collect(),
        named: role == EdgeRole::Property,
        role: Some(role),
    }
}

/// Builds a protocol; `kinds` pairs each object kind with the shape of its values.
pub(super) fn define(
    name: &str,
    theories: (&str, &str),
    kinds: &[(&str, ValueType)],
    edges: Vec<(&str, EdgeRule)>,
    sorts: &[&str],
) -> Protocol {
    Protocol {
        name: name.to_owned(),
        schema_theory: theories.0.to_owned(),
        instance_theory: theories.1.to_owned(),
        object_kinds: kinds.iter().map(|(k, _)| (*k).to_owned()).collect(),
        edge_rules: edges.into_iter().map(|(k, r)| (k.to_owned(), r)).collect(),
        constraint_sorts: set(sorts),
        value_types: kinds.iter().map(|(k, t)| ((*k).to_owned(), *t)).collect(),
    }
}

/// A reference edge that still needs a name (a nested declaration, an enum value).
pub(super) fn named_reference(src: &[&str], tgt: &[&str]) -> EdgeRule {
    EdgeRule {
        named: true,
        ..rule(src, tgt, EdgeRole::Reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid_and_distinct() {
        let names: Vec<_> = builtin_names().collect();
        assert_eq!(
            names,
            [
                "atproto",
                "sql",
                "protobuf",
                "graphql",
                "json-schema",
                "avro"
            ]
        );
        for p in builtin_protocols() {
            assert_eq!(Protocol::clone(p).validate().as_ref(), Ok(&**p));
        }
    }

    #[test]
    fn unknown_protocol_names_the_known_ones() {
        let err = builtin_protocol("cobol").unwrap_err();
        assert!(err.to_string().contains("atproto"), "{err}");
    }
}
