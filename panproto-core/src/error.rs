//! Error types, one enum per layer.
//!
//! Each layer's error says what was wrong and where. The Python bindings map
//! them onto the exception tree of `panproto.errors`: [`ProtocolError`] and
//! [`SchemaError`] become `SchemaValidationError`, [`StoreError`] becomes
//! `StoreError`, and [`VcsError`]'s variants become `VcsError`,
//! `ConflictError` or `NotFoundError`.

use std::fmt;

use crate::vcs::store::RefTarget;

/// A protocol could not be found or its specification is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// No built-in protocol has this name.
    #[error("unknown protocol {name:?}; the known protocols are {}", .known.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names that exist.
        known: Vec<String>,
    },
    /// The specification contradicts itself.
    #[error("protocol {name:?} is not valid: {}", .problems.join("; "))]
    Invalid {
        /// The protocol's name.
        name: String,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// The specification could not be parsed.
    #[error("protocol specification is malformed: {0}")]
    Malformed(String),
}

/// What kind of rule a schema breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IssueKind {
    /// Two vertices share an id.
    DuplicateVertex,
    /// A vertex kind the protocol does not declare.
    UnknownKind,
    /// An edge, constraint, hyper-edge or required list names a vertex that does not exist.
    MissingVertex,
    /// An edge kind the protocol does not declare.
    UnknownEdgeKind,
    /// An edge joins vertex kinds its rule does not allow.
    EdgeRuleViolation,
    /// An edge of a named kind has no name, or two share one.
    EdgeName,
    /// The same edge appears twice.
    DuplicateEdge,
    /// A constraint sort the protocol does not declare.
    UnknownConstraintSort,
    /// A required list names an edge the vertex does not have.
    MissingRequiredEdge,
    /// A hyper-edge is malformed.
    HyperEdge,
    /// The schema belongs to another protocol than the one it is checked against.
    ProtocolMismatch,
}

impl IssueKind {
    /// Stable kebab-case code, used in JSON output and Python.
    pub fn code(self) -> &'static str {
        match self {
            Self::DuplicateVertex => "duplicate-vertex",
            Self::UnknownKind => "unknown-kind",
            Self::MissingVertex => "missing-vertex",
            Self::UnknownEdgeKind => "unknown-edge-kind",
            Self::EdgeRuleViolation => "edge-rule-violation",
            Self::EdgeName => "edge-name",
            Self::DuplicateEdge => "duplicate-edge",
            Self::UnknownConstraintSort => "unknown-constraint-sort",
            Self::MissingRequiredEdge => "missing-required-edge",
            Self::HyperEdge => "hyper-edge",
            Self::ProtocolMismatch => "protocol-mismatch",
        }
    }
}

/// One rule a schema breaks, with the element it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    /// Which rule.
    pub kind: IssueKind,
    /// The element, e.g. `vertex "post"` or `edge post -prop[text]-> post:text`.
    pub element: String,
    /// A sentence saying what is wrong.
    pub message: String,
}

impl fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} [{}]",
            self.element,
            self.message,
            self.kind.code()
        )
    }
}

/// A schema could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The schema breaks its protocol's rules; every issue is listed.
    #[error("schema is not valid for protocol {protocol:?} ({} error{}):\n  {}",
        .issues.len(), if .issues.len() == 1 { "" } else { "s" },
        .issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        /// The protocol checked against.
        protocol: String,
        /// Every issue found, in the order the elements were declared.
        issues: Vec<SchemaIssue>,
    },
    /// A schema's JSON form could not be parsed.
    #[error("schema JSON is malformed: {0}")]
    Malformed(String),
    /// The protocol the schema names is not known.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
}

/// Coarse kind of a store failure, shared by every backend; the backend's
/// own code stays in [`StoreError::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The server could not be reached or the file could not be opened.
    Unavailable,
    /// The file or database exists but is not a panproto store.
    NotAStore,
    /// The store was written by a newer panproto whose format this one does not read.
    NewerFormat,
    /// Stored bytes do not decode or do not hash to their id.
    Corrupt,
    /// The location string is not one this backend understands.
    BadLocation,
    /// A wait ran out: the database did not answer, or a statement or a
    /// lock wait took longer than its configured limit. The message names
    /// the limit and how long it was.
    Timeout,
    /// Any other failure reported by the database.
    Database,
}

/// A failure of the storage backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{backend} store: {message}{}", .code.as_ref().map(|c| format!(" (code {c})")).unwrap_or_default())]
pub struct StoreError {
    /// The coarse kind.
    pub kind: StoreErrorKind,
    /// `"sqlite"`, `"postgres"` or `"memory"`.
    pub backend: &'static str,
    /// What went wrong, with the backend's own message.
    pub message: String,
    /// The backend's native code (SQLite extended code, SQLSTATE), when there is one.
    pub code: Option<String>,
}

impl StoreError {
    /// A store error without a native code.
    pub fn new(backend: &'static str, kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            backend,
            message: message.into(),
            code: None,
        }
    }

    /// Attaches the backend's native error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

/// A version-control operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VcsError {
    /// `commit` was called with nothing staged.
    #[error("nothing to commit: stage a schema with `add` or data with `add_data` first")]
    NothingStaged,
    /// The staged schema is the one the branch already has, and no data is staged.
    #[error("nothing to commit: the staged schema {0} is the same as HEAD's")]
    NoChanges(String),
    /// A record of a dataset does not fit the schema it must conform to:
    /// refused by `add_data`, or by `commit` when carrying the dataset
    /// forward to a new schema. Nothing is staged or written.
    #[error("dataset {dataset:?}: record {index} does not fit the schema at {path}: {message}")]
    DataValidation {
        /// The dataset's name.
        dataset: String,
        /// The record's position in the dataset (from 0).
        index: u64,
        /// Where in the record, e.g. `post.body.tags[3]`.
        path: String,
        /// What is wrong (and in what context).
        message: String,
    },
    /// A dataset cannot be moved to another version: its root is dropped,
    /// or going back needs complements that were not kept and the
    /// migration has no inverse.
    #[error("dataset {dataset:?} cannot be migrated: {reason}")]
    DataMigration {
        /// The dataset's name.
        dataset: String,
        /// Why.
        reason: String,
    },
    /// A ref was not where the operation expected it: someone else moved it.
    #[error("ref {name} moved: expected {}, found {}", show(.expected), show(.actual))]
    Conflict {
        /// The ref.
        name: String,
        /// What the operation expected it to hold (`None`: that it did not exist).
        expected: Option<RefTarget>,
        /// What it held (`None`: it did not exist).
        actual: Option<RefTarget>,
    },
    /// A repository, ref or object does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A repository of that name already exists.
    #[error("repository {0:?} already exists")]
    AlreadyExists(String),
    /// The schema added belongs to another protocol than the repository's.
    #[error("schema is for protocol {schema:?} but the repository is for {repository:?}")]
    ProtocolMismatch {
        /// The schema's protocol.
        schema: String,
        /// The repository's protocol.
        repository: String,
    },
    /// A commit message, author or name was not acceptable.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which input.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A merge or rebase met conflicts that no resolution settles; nothing was written.
    #[error("{} conflict{} to resolve (ours or theirs):\n  {}",
        .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    MergeConflicts(Vec<crate::merge::Conflict>),
    /// A schema failed validation.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn show(target: &Option<RefTarget>) -> String {
    target
        .as_ref()
        .map_or_else(|| "nothing".to_owned(), ToString::to_string)
}

/// A migration could not be compiled or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// The mapping is not well formed; every problem is listed with the element it concerns.
    #[error("migration is not well formed ({} problem{}):\n  {}",
        .problems.len(), if .problems.len() == 1 { "" } else { "s" },
        .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        /// Every problem found.
        problems: Vec<crate::existence::ExistenceIssue>,
    },
    /// The record has no root the migration knows, or several roots are possible.
    #[error("{0}")]
    Root(String),
    /// Two migrations cannot be composed: the first's target is not the second's source.
    #[error(
        "cannot compose: the first migration ends at schema {first_target} but the second starts at {second_source}"
    )]
    NotComposable {
        /// Short id of the first migration's target schema.
        first_target: String,
        /// Short id of the second migration's source schema.
        second_source: String,
    },
    /// The migration is not a bijection, so it has no inverse.
    #[error("migration is not invertible: {0}")]
    NotInvertible(String),
    /// A complement was made by another migration.
    #[error(
        "complement belongs to another migration (made by {found}, this migration is {expected})"
    )]
    WrongComplement {
        /// Fingerprint of this migration.
        expected: String,
        /// Fingerprint recorded in the complement.
        found: String,
    },
    /// A complement's bytes are damaged or not a complement at all.
    #[error("complement is damaged: {0}")]
    DamagedComplement(String),
}
