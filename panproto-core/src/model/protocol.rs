//! Protocols: the rules a family of schemas follows.
//!
//! A [`Protocol`] names the vertex kinds a schema may use, which edge kinds
//! may join which vertex kinds, and which constraint sorts exist. The six
//! built-ins (in [`crate::model::builtin`]) describe real formats (ATProto
//! lexicons, SQL tables, Protobuf messages, GraphQL types, JSON Schema,
//! Avro); users define their own with the
//! same [`Protocol`] value.

use std::collections::{BTreeMap, BTreeSet};

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin_protocol;

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
