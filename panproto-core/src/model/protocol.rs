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

use crate::model::error::ProtocolError;

/// What an edge means for records: how a value at its source reaches a value at its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeRole {
    /// The source's value is an object; the edge's name is a key, its value at the target.
    Property,
    /// The source's value is an array; each element is a value at the target.
    Item,
    /// The source's value is a value at exactly one of its variant targets.
    Variant,
    /// The source's value *is* a value at the target (a record and its body, a ref).
    Wrapper,
    /// A link between declarations that records do not follow (a foreign key,
    /// a nested type declaration, an interface implemented).
    Reference,
}

/// The shape of a value at a vertex of a given kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueType {
    /// A JSON object / dict.
    Object,
    /// A JSON array / list.
    Array,
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// Any number, whole or not.
    Number,
    /// `true` or `false`.
    Boolean,
    /// `null` / `None`.
    Null,
    /// Raw bytes.
    Bytes,
    /// Anything.
    Any,
}

impl ValueType {
    /// The lowercase name, as it appears in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Object => "object",
            Self::Array => "array",
            Self::String => "string",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Null => "null",
            Self::Bytes => "bytes",
            Self::Any => "any value",
        }
    }
}

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
    /// What the edge means for records; by default a named edge is a
    /// property and an unnamed one a reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<EdgeRole>,
}

impl EdgeRule {
    /// The edge's role, explicit or inferred from `named`.
    pub fn role(&self) -> EdgeRole {
        self.role.unwrap_or(if self.named {
            EdgeRole::Property
        } else {
            EdgeRole::Reference
        })
    }
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
    /// The shape of a value at each vertex kind; a kind not listed takes the
    /// type of the same name (`"string"`, `"integer"`, ...) or else any value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub value_types: BTreeMap<String, ValueType>,
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
        for kind in self.value_types.keys() {
            if !self.object_kinds.contains(kind) {
                problems.push(format!(
                    "value type given for {kind:?}, which is not an object kind"
                ));
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

    /// The shape of a value at a vertex of `kind`.
    pub fn value_type(&self, kind: &str) -> ValueType {
        if let Some(t) = self.value_types.get(kind) {
            return *t;
        }
        match kind {
            "object" => ValueType::Object,
            "array" => ValueType::Array,
            "string" => ValueType::String,
            "integer" => ValueType::Integer,
            "number" => ValueType::Number,
            "boolean" => ValueType::Boolean,
            "null" => ValueType::Null,
            "bytes" => ValueType::Bytes,
            _ => ValueType::Any,
        }
    }

    /// The role of edges of `edge_kind` (a reference if the kind is unknown).
    pub fn edge_role(&self, edge_kind: &str) -> EdgeRole {
        self.edge_rules
            .get(edge_kind)
            .map_or(EdgeRole::Reference, EdgeRule::role)
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

fn rule(src: &[&str], tgt: &[&str], role: EdgeRole) -> EdgeRule {
    EdgeRule {
        src_kinds: src.iter().map(|s| (*s).to_owned()).collect(),
        tgt_kinds: tgt.iter().map(|s| (*s).to_owned()).collect(),
        named: role == EdgeRole::Property,
        role: Some(role),
    }
}

/// Builds a protocol; `kinds` pairs each object kind with the shape of its values.
fn protocol(
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

/// ATProto lexicons: records, objects, arrays, unions, refs and the lexicon
/// primitive types.
fn atproto() -> Protocol {
    use EdgeRole::*;
    use ValueType as T;
    const VALUES: &[&str] = &[
        "object", "array", "union", "ref", "string", "integer", "boolean", "bytes", "cid-link",
        "blob", "unknown", "token", "null",
    ];
    protocol(
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

/// SQL tables: columns of SQL types, foreign keys between tables.
fn sql() -> Protocol {
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
    protocol(
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

/// Protocol Buffers: messages with numbered fields, enums, oneofs.
fn protobuf() -> Protocol {
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
    protocol(
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

/// A reference edge that still needs a name (a nested declaration, an enum value).
fn named_reference(src: &[&str], tgt: &[&str]) -> EdgeRule {
    EdgeRule {
        named: true,
        ..rule(src, tgt, EdgeRole::Reference)
    }
}

/// GraphQL type systems: object, interface, input, union, enum and scalar types.
fn graphql() -> Protocol {
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
    protocol(
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

/// JSON Schema: objects with properties, arrays with items, unions of variants.
fn json_schema() -> Protocol {
    use EdgeRole::*;
    use ValueType as T;
    const ANY: &[&str] = &[];
    protocol(
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
