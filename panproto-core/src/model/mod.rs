//! The model layer: what a schema is, and what a record is.
//!
//! A [`Protocol`] is the rule book of a family of schemas (vertex kinds,
//! edge rules, constraint sorts); [`builtin`] defines the six that come
//! with panproto, one file each, and the [`registry`] holds them and those
//! users define. A [`Schema`] is a graph of typed vertices and
//! edges with constraints and required edges, made by the immutable
//! [`SchemaBuilder`], which checks it against its protocol. A record
//! ([`Value`]) is read as a value at a schema vertex and checked by the
//! [`RecordChecker`]. [`constraint`] compares two values of one constraint
//! sort (tighter, looser), for the layers above.
//!
//! Depends only on [`crate::encoding`] (a schema's id is the hash of its
//! canonical encoding).

pub(crate) mod builtin;
pub(crate) mod constraint;
mod error;
pub(crate) mod persistent;
pub(crate) mod protocol;
pub(crate) mod record;
pub mod registry;
pub(crate) mod schema;

pub use builtin::{builtin_names, builtin_protocol, builtin_protocols};
pub use error::{IssueKind, ProtocolError, SchemaError, SchemaIssue};
pub use protocol::{EdgeRole, EdgeRule, Protocol, ValueType};
pub use record::{Map, RecordChecker, RecordViolation, Value};
pub use schema::{
    Constraint, Declaration, Edge, Field, HyperEdge, Required, Schema, SchemaBuilder, SchemaData,
    Vertex,
};
