//! The immutable, fluent [`SchemaBuilder`]: each call records one
//! [`Declaration`] on a persistent list (O(1), the receiver unchanged);
//! [`SchemaBuilder::build`] hands them to the validator.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::SchemaError;
use crate::model::persistent::List;
use crate::model::protocol::Protocol;
use crate::model::schema::validate::Validator;
use crate::model::schema::{Constraint, Declaration, Edge, HyperEdge, Required, Schema, Vertex};

/// An immutable, fluent schema builder.
///
/// Cloning is O(1) and every method returns a new builder; the receiver is
/// left as it was.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    protocol: Arc<Protocol>,
    ops: List<Declaration>,
}

impl SchemaBuilder {
    /// An empty builder for `protocol`.
    pub fn new(protocol: Arc<Protocol>) -> Self {
        Self {
            protocol,
            ops: List::default(),
        }
    }

    pub(super) fn push(&self, op: Declaration) -> Self {
        Self {
            protocol: Arc::clone(&self.protocol),
            ops: self.ops.push(op),
        }
    }

    /// The protocol this builder checks against.
    pub fn protocol(&self) -> &Arc<Protocol> {
        &self.protocol
    }

    /// Number of declarations so far.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether nothing has been declared.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Declares a vertex.
    pub fn vertex(
        &self,
        id: impl Into<String>,
        kind: impl Into<String>,
        nsid: Option<String>,
    ) -> Self {
        self.push(Declaration::Vertex(Vertex {
            id: id.into(),
            kind: kind.into(),
            nsid,
        }))
    }

    /// Declares an edge.
    pub fn edge(
        &self,
        src: impl Into<String>,
        tgt: impl Into<String>,
        kind: impl Into<String>,
        name: Option<String>,
    ) -> Self {
        self.push(Declaration::Edge(Edge {
            src: src.into(),
            tgt: tgt.into(),
            kind: kind.into(),
            name,
        }))
    }

    /// Declares a hyper-edge.
    pub fn hyper_edge(
        &self,
        id: impl Into<String>,
        kind: impl Into<String>,
        signature: BTreeMap<String, String>,
        parent_label: impl Into<String>,
    ) -> Self {
        self.push(Declaration::HyperEdge(HyperEdge {
            id: id.into(),
            kind: kind.into(),
            signature,
            parent_label: parent_label.into(),
        }))
    }

    /// Adds a constraint to a vertex; a later constraint of the same sort replaces an earlier one.
    pub fn constraint(
        &self,
        vertex: impl Into<String>,
        sort: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.push(Declaration::Constraint(Constraint {
            vertex: vertex.into(),
            sort: sort.into(),
            value: value.into(),
        }))
    }

    /// Marks named outgoing edges of `vertex` as required.
    pub fn required(&self, vertex: impl Into<String>, edges: Vec<String>) -> Self {
        self.push(Declaration::Required(Required {
            vertex: vertex.into(),
            edges,
        }))
    }

    /// Appends one declaration.
    pub fn declare(&self, declaration: Declaration) -> Self {
        self.push(declaration)
    }

    /// Every declaration so far, oldest first.
    pub fn declarations(&self) -> Vec<Declaration> {
        self.ops_in_order().into_iter().cloned().collect()
    }

    fn ops_in_order(&self) -> Vec<&Declaration> {
        self.ops.to_vec()
    }

    /// Validates every declaration against the protocol and builds the
    /// schema; the builder stays usable.
    ///
    /// # Errors
    /// [`SchemaError::Invalid`] listing every issue found, in declaration order.
    pub fn build(&self) -> Result<Schema, SchemaError> {
        Validator::new(&self.protocol).run(self.declarations())
    }

    /// As [`build`](Self::build), consuming the builder: the declarations
    /// it alone holds move into the schema instead of being copied (what
    /// the format parsers use; a builder branched from this one keeps its
    /// own).
    ///
    /// # Errors
    /// As [`build`](Self::build).
    pub fn into_schema(self) -> Result<Schema, SchemaError> {
        let protocol = Arc::clone(&self.protocol);
        Validator::new(&protocol).run(self.ops.into_vec())
    }
}
