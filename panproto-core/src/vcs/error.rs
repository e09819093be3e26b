//! The version-control layer's errors: a store failure, a ref that moved,
//! a missing object, a merge that needs resolving.
//!
//! [`VcsError`] wraps the errors of the layers below ([`SchemaError`],
//! [`MergeError`]) so an operation returns one type. The Python bindings
//! map [`StoreError`] onto `panproto.StoreError` and [`VcsError`]'s
//! variants onto `VcsError`, `ConflictError`, `NotFoundError`,
//! `MergeConflictError` and `DataValidationError`.

use crate::encoding::ObjectError;
use crate::evolution::{Conflict, MergeError, Mode};
use crate::lens::LensError;
use crate::model::SchemaError;
use crate::vcs::repository::PolicyViolation;
use crate::vcs::store::RefTarget;

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
    /// A name, message or author holds a NUL byte, which no store keeps
    /// (PostgreSQL's `text` cannot); refused before the store is asked.
    #[error("invalid {what}: it holds a NUL byte (at byte {at}), which no store keeps")]
    NulByte {
        /// Which input, e.g. `"commit message"`.
        what: &'static str,
        /// The byte offset of the first NUL.
        at: usize,
    },
    /// A commit breaks the compatibility policy of its branch; nothing was
    /// written. Commit again with a reason to override it.
    #[error("the commit breaks the {mode} policy of branch {branch} ({} violation{}):\n  {}",
        .violations.len(), if .violations.len() == 1 { "" } else { "s" },
        .violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Incompatible {
        /// The branch.
        branch: String,
        /// Its policy's mode.
        mode: Mode,
        /// Every violation, newest version first.
        violations: Vec<PolicyViolation>,
    },
    /// A merge or rebase met conflicts that no resolution settles; nothing was written.
    #[error("{} conflict{} to resolve (ours or theirs):\n  {}",
        .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    MergeConflicts(Vec<Conflict>),
    /// An object read from the store is damaged, or one to be written
    /// cannot be encoded.
    #[error(transparent)]
    Object(#[from] ObjectError),
    /// A merge could not be carried out as asked.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// A schema failed validation.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// A lens staged with a schema does not compile, fit the parent's
    /// schema, or take it to the staged one.
    #[error(transparent)]
    Lens(#[from] LensError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn show(target: &Option<RefTarget>) -> String {
    target
        .as_ref()
        .map_or_else(|| "nothing".to_owned(), ToString::to_string)
}
