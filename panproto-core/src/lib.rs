//! # panproto-core
//!
//! The panproto engine, in pure Rust and free of any Python or database
//! dependency: version control for schemas and the data that conforms to
//! them. It is built in layers, one folder each; a layer uses only those
//! below it, so the folder tree is the architecture:
//!
//! 1. [`encoding`]: identifiers and the canonical, versioned object
//!    encoding. An [`ObjectId`] is the blake3 hash of an object's encoding
//!    (a header naming format and kind, then a canonical body).
//! 2. `model`: what a schema is. A [`Protocol`] is the rule book of a
//!    family of schemas (vertex kinds, edge rules, constraint sorts); six
//!    are built in ([`builtin_protocols`]) and users
//!    [`define`](registry::define) their own. A [`Schema`] is a graph of
//!    typed vertices and edges with constraints and required edges, built by
//!    the immutable [`SchemaBuilder`], which checks it against its protocol
//!    and reports every problem at once ([`SchemaError::Invalid`]). A record
//!    is a [`Value`] read at a schema vertex ([`RecordChecker`]).
//! 3. `migration`: moving records between versions. A [`MigrationBuilder`]
//!    maps one schema onto another; [`check_existence`] reports what a
//!    mapping cannot carry; the [`CompiledMigration`] lifts records, and
//!    gets a view with a complement and puts them back without loss.
//!    The existence checks live in [`existence`] and drive the plan's
//!    builder, which only plans; the schema's builder and validator are
//!    files of their own beside it.
//! 4. `evolution`: how versions relate. [`diff`] lists the changes, each
//!    naming its [`Element`] as data (a vertex, an edge, a constraint, a
//!    required edge, never a string to parse back), [`classify`] judges
//!    them (breaking or not, with a reason and a verdict),
//!    [`derive_migration`] builds the migration between two versions
//!    (renames detected), and [`merge_schemas`] merges three-way with typed
//!    conflicts, each on a [`MergeElement`], settled by [`Resolutions`]
//!    keyed on those elements or on their text as users write it.
//! 5. [`lens`]: records moved both ways by Cambria's combinators. A
//!    [`Chain`] of [`Step`]s (rename, add, remove, hoist, plunge, wrap,
//!    head, in, map, convert) compiles to a [`Lens`], whose `get` gives a
//!    view and a [`Complement`] from which `put` restores the record;
//!    [`lens::laws`] checks GetPut, PutGet and PutPut on records; a chain is
//!    kept as versioned JSON ([`Chain::to_json`], `panproto-lens/1`).
//! 6. [`formats`]: schema files as teams keep them (Avro, and the other
//!    native formats as they land), parsed into schemas of their protocol
//!    and emitted back; a directory is one schema. Above evolution, so that
//!    a format's own compatibility rules can live with it.
//!
//! 7. [`vcs`]: the history. Content-addressed objects ([`vcs::object`]), a
//!    small [`Store`](vcs::store::Store) trait whose implementations
//!    (SQLite, PostgreSQL) live in `panproto-backend`, an in-memory store
//!    for tests with a conformance suite every store runs, and the
//!    [`Repository`]: staging, commits, branches, tags, the reflog, merge
//!    and rebase, versioned datasets, `verify`. Text that a store keeps is
//!    checked first ([`vcs::check_text`]: no NUL byte, so every store
//!    agrees), and a commit retried after an ambiguous store failure lands
//!    once.
//!
//! GAT theories (`gat`) are to come as a layer of their own.
//!
//! Each layer has one error enum, and the upper ones wrap the lower:
//! [`ProtocolError`] and [`SchemaError`] (model), [`MigrationError`],
//! [`MergeError`] (evolution), [`LensError`], [`FormatError`] (formats, every input
//! error with its file, line and column), and [`VcsError`], which wraps
//! [`SchemaError`], [`MergeError`] and [`StoreError`].
//!
//! Every public item is re-exported here, flat, so callers need not know
//! the layers.
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
//! - Changes and conflicts name their elements as enums, and their text
//!   (`vertex.edge`, `src -kind[name]->`) is only what reports show: that
//!   text is ambiguous once names hold dots or arrows, so nothing reads it
//!   back, except resolutions typed by users, matched against the
//!   conflicts' text.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod encoding;
mod evolution;
pub mod formats;
pub mod gat;
pub mod import;
pub mod lens;
mod migration;
mod model;
pub mod vcs;
mod version;

pub use encoding::{ObjectError, ObjectId, ParseObjectIdError};
pub use evolution::{
    Change, ChangeKind, Classification, ClassifiedChange, CompatReport, Compatibility, Conflict,
    ConflictKind, Direction, Element, Finding, Judgement, Level, MergeElement, MergeError,
    MergeOutcome, Mode, Resolutions, Side, Violation, classify, derive_migration, diff,
    generic_compatibility, generic_compatibility_of, merge_schemas,
};
pub use formats::{
    Emitted, Format, FormatError, FormatOptions, Location, Source, SourceFile, compatibility,
    compatibility_of,
};
pub use lens::{Chain, Complement, Fit, Lens, LensError, Optic, Step, SymmetricLens};
pub use migration::existence;
pub use migration::{
    CompiledMigration, EdgeMapping, ExistenceIssue, ExistenceKind, ExistenceReport,
    MigrationBuilder, MigrationError, MigrationSpec, Resolver, RootedMigration, check_existence,
};
pub use model::registry;
pub use model::{
    Constraint, Declaration, Edge, EdgeRole, EdgeRule, Field, HyperEdge, IssueKind, Map, Protocol,
    ProtocolError, RecordChecker, RecordViolation, Required, Schema, SchemaBuilder, SchemaData,
    SchemaError, SchemaIssue, Value, ValueType, Vertex, builtin_names, builtin_protocol,
    builtin_protocols,
};
pub use vcs::object::{Policy, StoredLens};
pub use vcs::repository::{
    Clock, CommitInfo, CommittedLens, Compared, DataCursor, DataWriter, GraphLine, Head,
    HistoryCheck, Merged, Migrator, PolicyInfo, PolicyScope, PolicyViolation, Problem, ProblemKind,
    Rebased, Records, Repository, Shown, Staged, StagedData, Status, TagInfo, VerifyReport,
};
pub use vcs::{StoreError, StoreErrorKind, VcsError};
pub use version::pep440;
