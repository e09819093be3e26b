//! Schemas: graphs of typed vertices and edges, checked against a protocol.
//!
//! A [`Schema`] is built with the immutable [`SchemaBuilder`]: every call
//! returns a new builder and leaves the old one usable, so a base schema can
//! be branched cheaply (the builder is a persistent list, so each call is
//! O(1) however long the schema). [`SchemaBuilder::build`] checks every
//! element against the protocol and reports all problems at once.
//!
//! The canonical form ([`Schema::canonical_json`]) is JSON with every
//! collection sorted and empty parts left out; the schema's id is the blake3
//! hash of that form behind a versioned object header (see
//! [`crate::encoding`]), so equal schemas have equal ids whatever order
//! they were declared in.
//!
//! `builder` holds the builder, `validate` the checks `build` runs (every
//! problem at once, in phases); this module the schema and its elements.

mod builder;
mod fields;
mod validate;

pub use builder::SchemaBuilder;
pub use fields::Field;
use validate::Validator;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::encoding::{ObjectId, ObjectKind, object_id_of_json};
use crate::model::error::{IssueKind, SchemaError, SchemaIssue};
use crate::model::protocol::Protocol;
use crate::model::registry;

/// A vertex: one type in the schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Vertex {
    /// Unique id within the schema, e.g. `"post:body.text"`.
    pub id: String,
    /// One of the protocol's object kinds.
    pub kind: String,
    /// Namespaced identifier (ATProto NSID), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsid: Option<String>,
}

/// A directed edge between two vertices.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Edge {
    /// Source vertex id.
    pub src: String,
    /// Target vertex id.
    pub tgt: String,
    /// One of the protocol's edge kinds.
    pub kind: String,
    /// The edge's name (object key, column, field), for named kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{} -{}[{}]-> {}", self.src, self.kind, n, self.tgt),
            None => write!(f, "{} -{}-> {}", self.src, self.kind, self.tgt),
        }
    }
}

/// A hyper-edge: one id joining several vertices by label (e.g. a composite key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HyperEdge {
    /// Unique id among hyper-edges.
    pub id: String,
    /// The hyper-edge's kind.
    pub kind: String,
    /// Label → vertex id.
    pub signature: BTreeMap<String, String>,
    /// The label of the vertex that owns the hyper-edge.
    pub parent_label: String,
}

/// A constraint on a vertex: a sort (e.g. `maxLength`) and a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Constraint {
    /// The constrained vertex.
    pub vertex: String,
    /// One of the protocol's constraint sorts.
    pub sort: String,
    /// The value, as text.
    pub value: String,
}

/// The edges of a vertex that must be present in every record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Required {
    /// The vertex.
    pub vertex: String,
    /// Names of its outgoing named edges that are required.
    pub edges: Vec<String>,
}

/// One declaration of a [`SchemaBuilder`]: what the builder's methods record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Declaration {
    /// A vertex.
    Vertex(Vertex),
    /// An edge.
    Edge(Edge),
    /// A hyper-edge.
    HyperEdge(HyperEdge),
    /// A constraint.
    Constraint(Constraint),
    /// Required edges of a vertex.
    Required(Required),
}

/// A validated schema. Immutable; cheap to clone.
#[derive(Clone)]
pub struct Schema {
    inner: Arc<SchemaInner>,
}

struct SchemaInner {
    protocol: Arc<Protocol>,
    vertices: BTreeMap<String, Vertex>,
    edges: BTreeSet<Edge>,
    hyper_edges: BTreeMap<String, HyperEdge>,
    constraints: BTreeMap<String, BTreeMap<String, String>>,
    required: BTreeMap<String, BTreeSet<String>>,
    id: OnceLock<ObjectId>,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.id() == other.id()
    }
}
impl Eq for Schema {}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Schema(protocol={:?}, vertices={}, edges={}, id={})",
            self.inner.protocol.name,
            self.inner.vertices.len(),
            self.inner.edges.len(),
            self.id().short()
        )
    }
}

/// The serialised form of a schema (also its canonical form: collections sorted).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaData {
    /// The protocol's name.
    pub protocol: String,
    /// Vertices, sorted by id.
    pub vertices: Vec<Vertex>,
    /// Edges, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<Edge>,
    /// Hyper-edges, sorted by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hyper_edges: Vec<HyperEdge>,
    /// Constraints, sorted by vertex then sort.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// Required edges, sorted by vertex; names sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<Required>,
}

impl Schema {
    /// Starts a builder for `protocol`.
    pub fn builder(protocol: Arc<Protocol>) -> SchemaBuilder {
        SchemaBuilder::new(protocol)
    }

    /// A builder holding every declaration of this schema, to extend it.
    pub fn to_builder(&self) -> SchemaBuilder {
        let data = self.to_data();
        let mut b = SchemaBuilder::new(Arc::clone(&self.inner.protocol));
        for v in data.vertices {
            b = b.push(Declaration::Vertex(v));
        }
        for e in data.edges {
            b = b.push(Declaration::Edge(e));
        }
        for h in data.hyper_edges {
            b = b.push(Declaration::HyperEdge(h));
        }
        for c in data.constraints {
            b = b.push(Declaration::Constraint(c));
        }
        for r in data.required {
            b = b.push(Declaration::Required(r));
        }
        b
    }

    /// The protocol the schema was checked against.
    pub fn protocol(&self) -> &Arc<Protocol> {
        &self.inner.protocol
    }

    /// Vertices by id.
    pub fn vertices(&self) -> &BTreeMap<String, Vertex> {
        &self.inner.vertices
    }

    /// Edges, sorted.
    pub fn edges(&self) -> &BTreeSet<Edge> {
        &self.inner.edges
    }

    /// Hyper-edges by id.
    pub fn hyper_edges(&self) -> &BTreeMap<String, HyperEdge> {
        &self.inner.hyper_edges
    }

    /// Constraints: vertex → sort → value.
    pub fn constraints(&self) -> &BTreeMap<String, BTreeMap<String, String>> {
        &self.inner.constraints
    }

    /// The value of constraint `sort` on `vertex`, if it has one.
    pub fn constraint(&self, vertex: &str, sort: &str) -> Option<&str> {
        self.inner
            .constraints
            .get(vertex)
            .and_then(|c| c.get(sort))
            .map(String::as_str)
    }

    /// Required edge names per vertex.
    pub fn required(&self) -> &BTreeMap<String, BTreeSet<String>> {
        &self.inner.required
    }

    /// The content id: blake3 over the versioned canonical encoding.
    pub fn id(&self) -> ObjectId {
        *self
            .inner
            .id
            .get_or_init(|| object_id_of_json(ObjectKind::Schema, &CanonicalView(&self.inner)))
    }

    /// The serialisable form, collections sorted.
    pub fn to_data(&self) -> SchemaData {
        let s = &*self.inner;
        SchemaData {
            protocol: s.protocol.name.clone(),
            vertices: s.vertices.values().cloned().collect(),
            edges: s.edges.iter().cloned().collect(),
            hyper_edges: s.hyper_edges.values().cloned().collect(),
            constraints: s
                .constraints
                .iter()
                .flat_map(|(v, sorts)| {
                    sorts.iter().map(move |(sort, value)| Constraint {
                        vertex: v.clone(),
                        sort: sort.clone(),
                        value: value.clone(),
                    })
                })
                .collect(),
            required: s
                .required
                .iter()
                .map(|(v, e)| Required {
                    vertex: v.clone(),
                    edges: e.iter().cloned().collect(),
                })
                .collect(),
        }
    }

    /// The canonical encoding: compact JSON of [`SchemaData`], sorted.
    ///
    /// Written straight from the sorted maps, without building a
    /// [`SchemaData`] copy first: this is on the commit path of every schema.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Serialising strings, vectors and maps into memory cannot fail.
        serde_json::to_vec(&CanonicalView(&self.inner)).unwrap_or_default()
    }

    /// Records the id computed by whoever encoded the schema, so it is not hashed twice.
    /// The content id if it is known already (computed, or remembered
    /// from the store), without computing it.
    pub(crate) fn known_id(&self) -> Option<ObjectId> {
        self.inner.id.get().copied()
    }

    pub(crate) fn remember_id(&self, id: ObjectId) {
        let _ = self.inner.id.set(id);
    }

    /// Pretty JSON form, for files and humans.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_data()).unwrap_or_default()
    }

    /// Rebuilds a schema from its data, validating it against `protocol`.
    pub fn from_data(data: SchemaData, protocol: Arc<Protocol>) -> Result<Self, SchemaError> {
        if data.protocol != protocol.name {
            return Err(SchemaError::Invalid {
                protocol: protocol.name.clone(),
                issues: vec![SchemaIssue {
                    kind: IssueKind::ProtocolMismatch,
                    element: "schema".to_owned(),
                    message: format!(
                        "the schema is for protocol {:?}, not {:?}",
                        data.protocol, protocol.name
                    ),
                }],
            });
        }
        let mut ops = Vec::with_capacity(data.vertices.len() + data.edges.len());
        ops.extend(data.vertices.into_iter().map(Declaration::Vertex));
        ops.extend(data.edges.into_iter().map(Declaration::Edge));
        ops.extend(data.hyper_edges.into_iter().map(Declaration::HyperEdge));
        ops.extend(data.constraints.into_iter().map(Declaration::Constraint));
        ops.extend(data.required.into_iter().map(Declaration::Required));
        Validator::new(&protocol).run(ops)
    }

    /// Parses a schema from JSON; the protocol is looked up by the name the
    /// JSON gives, among the built-in and defined protocols.
    pub fn from_json(json: &str) -> Result<Self, SchemaError> {
        let data: SchemaData =
            serde_json::from_str(json).map_err(|e| SchemaError::Malformed(e.to_string()))?;
        let protocol = registry::lookup(&data.protocol)?;
        Self::from_data(data, protocol)
    }

    /// Parses a schema from JSON against a given protocol.
    pub fn from_json_with(json: &[u8], protocol: Arc<Protocol>) -> Result<Self, SchemaError> {
        let data: SchemaData =
            serde_json::from_slice(json).map_err(|e| SchemaError::Malformed(e.to_string()))?;
        Self::from_data(data, protocol)
    }
}

/// Serialises a schema exactly as [`SchemaData`] would, borrowing its maps.
struct CanonicalView<'a>(&'a SchemaInner);

impl Serialize for CanonicalView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        /// A sequence serialised from a cloneable iterator.
        struct Seq<I>(I);
        impl<I> Serialize for Seq<I>
        where
            I: Iterator + Clone,
            I::Item: Serialize,
        {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.clone())
            }
        }
        #[derive(Serialize)]
        struct ConstraintRef<'a> {
            vertex: &'a str,
            sort: &'a str,
            value: &'a str,
        }
        #[derive(Serialize)]
        struct RequiredRef<'a> {
            vertex: &'a str,
            edges: Seq<std::collections::btree_set::Iter<'a, String>>,
        }

        let s = self.0;
        let mut out = serializer.serialize_struct("SchemaData", 6)?;
        out.serialize_field("protocol", &s.protocol.name)?;
        out.serialize_field("vertices", &Seq(s.vertices.values()))?;
        if !s.edges.is_empty() {
            out.serialize_field("edges", &Seq(s.edges.iter()))?;
        }
        if !s.hyper_edges.is_empty() {
            out.serialize_field("hyper_edges", &Seq(s.hyper_edges.values()))?;
        }
        if !s.constraints.is_empty() {
            let constraints = s.constraints.iter().flat_map(|(v, sorts)| {
                sorts.iter().map(move |(sort, value)| ConstraintRef {
                    vertex: v,
                    sort,
                    value,
                })
            });
            out.serialize_field("constraints", &Seq(constraints))?;
        }
        if !s.required.is_empty() {
            let required = s.required.iter().map(|(v, e)| RequiredRef {
                vertex: v,
                edges: Seq(e.iter()),
            });
            out.serialize_field("required", &Seq(required))?;
        }
        out.end()
    }
}
