//! # panproto-core
//!
//! The panproto engine, in pure Rust and free of any Python or database
//! dependency. It knows four things:
//!
//! - [`Protocol`]: the rules a family of schemas follows (vertex kinds, edge
//!   rules, constraint sorts). Five are built in ([`builtin_protocols`]);
//!   users [`define`](registry::define) their own.
//! - [`Schema`]: a graph of typed vertices and edges with constraints and
//!   required edges, built by the immutable [`SchemaBuilder`], which checks
//!   it against its protocol and reports every problem at once
//!   ([`SchemaError::Invalid`]). A schema's id is the blake3 hash of its
//!   canonical encoding ([`ObjectId`]).
//! - [`diff`]: the changes between two schemas, in ten kinds.
//! - [`vcs`]: version control. Content-addressed objects
//!   ([`vcs::object`]), a small [`Store`](vcs::store::Store) trait whose
//!   implementations (SQLite, PostgreSQL) live in `panproto-backend`, an
//!   in-memory store for tests, and the [`Repository`] working copy with
//!   `init`, `add`, `commit`, `log`, `status`.
//!
//! ## Trade-offs
//!
//! - Schemas are kept in sorted maps, so the canonical encoding needs no
//!   sorting step and diffs are linear merges.
//! - Objects are stored whole, zstd-compressed, rather than as deltas: a
//!   read needs one row and no chain of patches, and schemas compress well.
//! - Staging lives in the [`Repository`] value, not in the store, so clients
//!   sharing a database never see each other's staged work; ref moves are
//!   compare-and-swap, so no commit is lost when they race.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod classify;
mod constraint;
mod derive;
mod diff;
mod error;
pub mod existence;
mod id;
mod merge;
mod migration;
mod persistent;
mod protocol;
mod record;
pub mod registry;
mod schema;
pub mod vcs;
mod version;

pub use classify::{Classification, ClassifiedChange, Compatibility, classify};
pub use derive::derive_migration;
pub use diff::{Change, ChangeKind, diff};
pub use error::{
    IssueKind, MigrationError, ProtocolError, SchemaError, SchemaIssue, StoreError, StoreErrorKind,
    VcsError,
};
pub use existence::{ExistenceIssue, ExistenceKind, ExistenceReport, check_existence};
pub use id::{ObjectId, ParseObjectIdError};
pub use merge::{Conflict, ConflictKind, MergeOutcome, Resolutions, Side, merge_schemas};
pub use migration::{
    CompiledMigration, EdgeMapping, MigrationBuilder, MigrationSpec, Resolver, RootedMigration,
};
pub use protocol::{
    EdgeRole, EdgeRule, Protocol, ValueType, builtin_names, builtin_protocol, builtin_protocols,
};
pub use record::{Map, RecordChecker, RecordViolation, Value};
pub use schema::{
    Constraint, Declaration, Edge, HyperEdge, Required, Schema, SchemaBuilder, SchemaData, Vertex,
};
pub use vcs::repository::{
    CommitInfo, DataCursor, DataWriter, Head, Merged, Problem, ProblemKind, Rebased, Records,
    Repository, Shown, Staged, StagedData, Status, TagInfo, VerifyReport,
};
pub use version::pep440;
