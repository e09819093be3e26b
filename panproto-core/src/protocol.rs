//! Protocols: the rules a family of schemas follows.
//!
//! A [`Protocol`] names the vertex kinds a schema may use, which edge kinds
//! may join which vertex kinds, and which constraint sorts exist. The five
//! built-ins describe real formats (ATProto lexicons, SQL tables, Protobuf
//! messages, GraphQL types, JSON Schema); users define their own with the
//! same [`Protocol`] value.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::error::ProtocolError;

/// Which vertex kinds an edge kind may join.
///
/// An empty list means "any vertex kind of the protocol".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeRule {
    /// Kinds allowed at the edge's source.
    #[serde(default)]
    pub src_kinds: Vec<String>,
    /// Kinds allowed at the edge's target.
    #[serde(default)]
    pub tgt_kinds: Vec<String>,
    /// Whether each edge of this kind must carry a name (an object key, a
    /// column or field name), unique among its source's edges of this kind.
    #[serde(default)]
    pub named: bool,
}

/// A protocol specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protocol {
    /// The protocol's name, e.g. `"atproto"`.
    pub name: String,
    /// Name of the theory schemas of this protocol are models of.
    #[serde(default)]
    pub schema_theory: String,
    /// Name of the theory records of this protocol are models of.
    #[serde(default)]
    pub instance_theory: String,
    /// Vertex kinds schemas may use.
    pub object_kinds: BTreeSet<String>,
    /// Edge kind → the rule it follows.
    pub edge_rules: BTreeMap<String, EdgeRule>,
    /// Constraint sorts a vertex may carry.
    #[serde(default)]
    pub constraint_sorts: BTreeSet<String>,
}

impl Protocol {
    /// Checks that the specification is self-consistent: a name is given,
    /// every kind an edge rule names is an object kind of the protocol.
    pub fn validate(self) -> Result<Self, ProtocolError> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push("the protocol name is empty".to_owned());
        }
        if self.object_kinds.is_empty() {
            problems.push("no object kinds are declared".to_owned());
        }
        for (edge_kind, rule) in &self.edge_rules {
            for kind in rule.src_kinds.iter().chain(&rule.tgt_kinds) {
                if !self.object_kinds.contains(kind) {
                    problems.push(format!(
                        "edge rule {edge_kind:?} names vertex kind {kind:?}, which is not an object kind"
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(ProtocolError::Invalid {
                name: self.name,
                problems,
            })
        }
    }

    /// Parses and validates a protocol from its JSON form.
    pub fn from_json(json: &str) -> Result<Self, ProtocolError> {
        let spec: Protocol =
            serde_json::from_str(json).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        spec.validate()
    }

    /// The protocol's JSON form.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether `kind` may be the source of an edge of `edge_kind`.
    pub(crate) fn allows(kinds: &[String], kind: &str) -> bool {
        kinds.is_empty() || kinds.iter().any(|k| k == kind)
    }
}

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

/// The five built-in protocols, built once.
pub fn builtin_protocols() -> &'static [Arc<Protocol>] {
    static BUILTINS: OnceLock<Vec<Arc<Protocol>>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        vec![
            Arc::new(atproto()),
            Arc::new(sql()),
            Arc::new(protobuf()),
            Arc::new(graphql()),
            Arc::new(json_schema()),
        ]
    })
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn rule(src: &[&str], tgt: &[&str], named: bool) -> EdgeRule {
    EdgeRule {
        src_kinds: src.iter().map(|s| (*s).to_owned()).collect(),
        tgt_kinds: tgt.iter().map(|s| (*s).to_owned()).collect(),
        named,
    }
}

fn protocol(
    name: &str,
    theories: (&str, &str),
    kinds: &[&str],
    edges: Vec<(&str, EdgeRule)>,
    sorts: &[&str],
) -> Protocol {
    Protocol {
        name: name.to_owned(),
        schema_theory: theories.0.to_owned(),
        instance_theory: theories.1.to_owned(),
        object_kinds: set(kinds),
        edge_rules: edges.into_iter().map(|(k, r)| (k.to_owned(), r)).collect(),
        constraint_sorts: set(sorts),
    }
}

/// ATProto lexicons: records, objects, arrays, unions, refs and the lexicon
/// primitive types.
fn atproto() -> Protocol {
    const VALUES: &[&str] = &[
        "object", "array", "union", "ref", "string", "integer", "boolean", "bytes", "cid-link",
        "blob", "unknown", "token", "null",
    ];
    protocol(
        "atproto",
        ("ThATProtoSchema", "ThATProtoInstance"),
        &[
            "record",
            "query",
            "procedure",
            "subscription",
            "params",
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
        ],
        vec![
            ("record-schema", rule(&["record"], &["object"], false)),
            ("prop", rule(&["object", "params"], VALUES, true)),
            ("items", rule(&["array"], VALUES, false)),
            (
                "variant",
                rule(&["union"], &["object", "ref", "token"], false),
            ),
            (
                "ref",
                rule(&["ref"], &["record", "object", "token", "union"], false),
            ),
            (
                "parameters",
                rule(&["query", "procedure", "subscription"], &["params"], false),
            ),
            (
                "input",
                rule(&["procedure"], &["object", "ref", "union"], false),
            ),
            (
                "output",
                rule(&["query", "procedure"], &["object", "ref", "union"], false),
            ),
            (
                "message",
                rule(&["subscription"], &["union", "object", "ref"], false),
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

/// SQL tables: columns of SQL types, foreign keys between tables.
fn sql() -> Protocol {
    const TYPES: &[&str] = &[
        "integer",
        "bigint",
        "smallint",
        "text",
        "varchar",
        "char",
        "boolean",
        "real",
        "double",
        "numeric",
        "date",
        "time",
        "timestamp",
        "interval",
        "blob",
        "uuid",
        "json",
    ];
    let mut kinds = vec!["table", "view"];
    kinds.extend_from_slice(TYPES);
    protocol(
        "sql",
        ("ThRelationalSchema", "ThRelationalInstance"),
        &kinds,
        vec![
            ("column", rule(&["table", "view"], TYPES, true)),
            ("foreign-key", rule(TYPES, &["table"], false)),
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

/// Protocol Buffers: messages with numbered fields, enums, oneofs.
fn protobuf() -> Protocol {
    const SCALARS: &[&str] = &[
        "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
        "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
    ];
    let mut kinds = vec!["message", "enum", "enum-value", "oneof", "map"];
    kinds.extend_from_slice(SCALARS);
    let mut field_targets = vec!["message", "enum", "map"];
    field_targets.extend_from_slice(SCALARS);
    protocol(
        "protobuf",
        ("ThProtobufSchema", "ThProtobufInstance"),
        &kinds,
        vec![
            ("field", rule(&["message", "oneof"], &field_targets, true)),
            ("oneof", rule(&["message"], &["oneof"], true)),
            ("nested", rule(&["message"], &["message", "enum"], true)),
            ("value", rule(&["enum"], &["enum-value"], true)),
            ("map-key", rule(&["map"], SCALARS, false)),
            ("map-value", rule(&["map"], &field_targets, false)),
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

/// GraphQL type systems: object, interface, input, union, enum and scalar types.
fn graphql() -> Protocol {
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
    protocol(
        "graphql",
        ("ThGraphQLSchema", "ThGraphQLInstance"),
        &[
            "object",
            "interface",
            "input",
            "union",
            "enum",
            "enum-value",
            "scalar",
            "list",
            "String",
            "Int",
            "Float",
            "Boolean",
            "ID",
        ],
        vec![
            ("field", rule(&["object", "interface"], OUTPUT, true)),
            ("input-field", rule(&["input"], INPUT, true)),
            (
                "implements",
                rule(&["object", "interface"], &["interface"], false),
            ),
            ("member", rule(&["union"], &["object"], false)),
            ("value", rule(&["enum"], &["enum-value"], true)),
            // A list wraps any type, input or output: an empty rule means any kind.
            ("of", rule(&["list"], &[], false)),
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

/// JSON Schema: objects with properties, arrays with items, unions of variants.
fn json_schema() -> Protocol {
    const ANY: &[&str] = &[];
    protocol(
        "json-schema",
        ("ThJsonSchema", "ThJsonInstance"),
        &[
            "object", "array", "union", "string", "number", "integer", "boolean", "null",
        ],
        vec![
            ("prop", rule(&["object"], ANY, true)),
            ("items", rule(&["array"], ANY, false)),
            ("variant", rule(&["union"], ANY, false)),
            ("additional-properties", rule(&["object"], ANY, false)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid_and_distinct() {
        let names: Vec<_> = builtin_names().collect();
        assert_eq!(
            names,
            ["atproto", "sql", "protobuf", "graphql", "json-schema"]
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

    #[test]
    fn user_protocol_round_trips_through_json() {
        let p = builtin_protocol("sql").unwrap();
        assert_eq!(Protocol::from_json(&p.to_json()).unwrap(), *p);
    }

    #[test]
    fn inconsistent_protocol_is_refused() {
        let mut p = Protocol::clone(&builtin_protocol("sql").unwrap());
        p.edge_rules
            .get_mut("column")
            .unwrap()
            .tgt_kinds
            .push("nope".into());
        let err = p.validate().unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
