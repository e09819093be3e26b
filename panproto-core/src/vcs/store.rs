//! The storage contract every backend implements.
//!
//! A [`Store`] is one repository's view of a database: the SQLite file or
//! the PostgreSQL database may hold many repositories, and a store bound to
//! one name never reads or writes another's rows.
//!
//! # Guarantees a store gives
//!
//! - **Objects are immutable and writes idempotent**: writing an object that
//!   exists is a no-op, never an error and never a second copy.
//! - **Ref updates are compare-and-swap**: every [`RefEdit`] states what the
//!   ref must hold beforehand; if any ref differs, [`Store::apply`] fails
//!   with [`VcsError::Conflict`] naming the ref, what was expected and what
//!   was found, and nothing of the transaction is written.
//! - **A transaction is atomic**: its objects, ref edits and reflog entries
//!   are all written, or none are. A crash mid-way leaves the store as it was.
//! - **Format**: a store records [`STORE_FORMAT`]; opening one written with a
//!   newer format fails with [`StoreErrorKind::NewerFormat`].

use std::fmt;

use crate::encoding::ObjectId;
use crate::vcs::error::{StoreError, VcsError};
use crate::vcs::object::StoredObject;

/// The on-disk format version of a store: what a build may find in it.
///
/// - 1: schema, commit and migration objects.
/// - 2: also dataset, chunk and tag objects, and merge commits. The tables
///   are unchanged, so opening a format-1 store records 2 and goes on;
///   a build that reads only format 1 then refuses the store clearly
///   instead of meeting objects of kinds it does not know.
pub const STORE_FORMAT: u32 = 2;

/// The ref HEAD, which names the current branch.
pub const HEAD: &str = "HEAD";

/// Where branches live: `refs/heads/NAME`.
pub const HEADS: &str = "refs/heads/";

/// What a ref holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RefTarget {
    /// A commit id (branches, tags, a detached HEAD).
    Id(ObjectId),
    /// Another ref's name (HEAD pointing at a branch).
    Symbolic(String),
}

impl fmt::Display for RefTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{}", id.short()),
            Self::Symbolic(name) => write!(f, "ref: {name}"),
        }
    }
}

/// What a ref must hold before an edit applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Whatever it holds (used only for HEAD's symbolic target at init).
    Any,
    /// The ref must not exist.
    Absent,
    /// The ref must hold exactly this.
    Value(RefTarget),
}

impl Expected {
    /// The expectation "the ref holds `id`", or "absent" for `None`.
    pub fn id(id: Option<ObjectId>) -> Self {
        id.map_or(Self::Absent, |id| Self::Value(RefTarget::Id(id)))
    }

    /// Whether `current` satisfies this expectation.
    pub fn matches(&self, current: Option<&RefTarget>) -> bool {
        match self {
            Self::Any => true,
            Self::Absent => current.is_none(),
            Self::Value(v) => current == Some(v),
        }
    }
}

/// One ref change: expected old value, new value (`None` deletes), and the
/// message recorded in the reflog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefEdit {
    /// Full ref name, e.g. `refs/heads/main`.
    pub name: String,
    /// The compare-and-swap expectation.
    pub expected: Expected,
    /// The new value; `None` deletes the ref.
    pub new: Option<RefTarget>,
    /// Reflog message, e.g. `commit: add post`.
    pub message: String,
}

impl RefEdit {
    /// The conflict error for this edit when the ref actually holds `actual`.
    pub fn conflict(&self, actual: Option<RefTarget>) -> VcsError {
        VcsError::Conflict {
            name: self.name.clone(),
            expected: match &self.expected {
                Expected::Value(v) => Some(v.clone()),
                Expected::Any | Expected::Absent => None,
            },
            actual,
        }
    }
}

/// Everything one operation writes, applied atomically by [`Store::apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    /// Objects to write (idempotent).
    pub objects: Vec<StoredObject>,
    /// Ref edits, each compare-and-swap.
    pub edits: Vec<RefEdit>,
    /// Seconds since the epoch, recorded in the reflog.
    pub timestamp: i64,
}

/// One reflog line: how a ref moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReflogEntry {
    /// The ref.
    pub name: String,
    /// Its value before.
    pub old: Option<RefTarget>,
    /// Its value after (`None`: deleted).
    pub new: Option<RefTarget>,
    /// Why it moved.
    pub message: String,
    /// When, in seconds since the epoch.
    pub timestamp: i64,
}

/// One row of a store's object table, as [`Store::scan_objects`] returns it.
#[derive(Debug, Clone)]
pub struct ScannedObject {
    /// The row's id column as stored (normally an [`ObjectId`]'s 32 bytes):
    /// where the next page starts, even when the row is damaged.
    pub key: Vec<u8>,
    /// The object, or why the row does not read as one (an id of the wrong
    /// length, an unknown kind code, a malformed parent column).
    pub object: Result<StoredObject, StoreError>,
}

/// What a store records about its repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoInfo {
    /// The repository's name within its database.
    pub name: String,
    /// The protocol's JSON specification.
    pub protocol_json: String,
    /// When it was created, in seconds since the epoch.
    pub created: i64,
}

/// A repository as [`Store::repositories`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepoSummary {
    /// Its name within its database.
    pub name: String,
    /// Its protocol's name.
    pub protocol: String,
    /// When it was created, in seconds since the epoch.
    pub created: i64,
    /// How many commits it holds (on any branch, or none).
    pub commits: u64,
    /// How many branches.
    pub branches: u64,
    /// The bytes its objects take, as stored (compressed).
    pub size: u64,
}

impl RepoSummary {
    /// The name in a protocol's JSON specification (empty if it has none).
    pub fn protocol_name(protocol_json: &str) -> String {
        serde_json::from_str::<serde_json::Value>(protocol_json)
            .ok()
            .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned))
            .unwrap_or_default()
    }
}

/// One repository's storage. See the module docs for the guarantees.
pub trait Store: Send + Sync {
    /// `"sqlite"`, `"postgres"` or `"memory"`.
    fn backend(&self) -> &'static str;

    /// A human-readable location: the file path, or the URL without password, plus the name.
    fn location(&self) -> String;

    /// Creates the repository this store is bound to, with `HEAD` pointing
    /// at `refs/heads/main`.
    ///
    /// # Errors
    /// [`VcsError::AlreadyExists`] if it exists; [`VcsError::Store`] on I/O failure.
    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError>;

    /// The repository's record, or `None` if it does not exist.
    fn info(&self) -> Result<Option<RepoInfo>, StoreError>;

    /// Every repository of the database this store is in, by name.
    fn repositories(&self) -> Result<Vec<RepoSummary>, StoreError>;

    /// Deletes the repository this store is bound to: its objects, refs,
    /// reflog and record, in one transaction, and nothing of any other.
    /// The store must not be used for it afterwards.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if it does not exist.
    fn delete(&self) -> Result<(), VcsError>;

    /// Renames the repository this store is bound to; open it again under
    /// `to` ([`Store`]s are bound to a name).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if it does not exist,
    /// [`VcsError::AlreadyExists`] if `to` does.
    fn rename(&self, to: &str) -> Result<(), VcsError>;

    /// Reads one object.
    fn read_object(&self, id: &ObjectId) -> Result<Option<StoredObject>, StoreError>;

    /// Reads one ref.
    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError>;

    /// Reads several refs, in the order of `names` (`None` for one that
    /// does not exist); a store across a network reads them in one round
    /// trip.
    fn read_refs(&self, names: &[&str]) -> Result<Vec<Option<RefTarget>>, StoreError> {
        names.iter().map(|name| self.read_ref(name)).collect()
    }

    /// Every ref whose name starts with `prefix`, sorted by name.
    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError>;

    /// Applies a transaction atomically. See the module docs.
    fn apply(&self, tx: &Transaction) -> Result<(), VcsError>;

    /// Ids of the objects of `kind` whose id lies in `[low, high]` (see
    /// [`ObjectId::prefix_range`]), at most `limit` of them: how short ids resolve.
    fn ids_between(
        &self,
        kind: crate::vcs::object::ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError>;

    /// A page of the repository's objects: those whose stored id sorts
    /// (bytewise) after `after` (from the first with `None`), in id order,
    /// at most `limit` of them. Pass the last row's
    /// [`key`](ScannedObject::key) as `after` for the next page; an empty
    /// page is the end. A damaged row is returned as an error in its
    /// [`object`](ScannedObject::object), not as a failed call, so a scan
    /// (`verify`) always reaches every row.
    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError>;

    /// The reflog of `name`, newest first, at most `limit` entries.
    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError>;

    /// The commits reached from `start` by first parents, `start` first, at
    /// most `limit` of them. Stores override this with one query; the default
    /// reads one object at a time.
    fn first_parent_chain(
        &self,
        start: &ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        let mut out = Vec::new();
        let mut next = Some(*start);
        while let Some(id) = next {
            if limit.is_some_and(|l| out.len() >= l) {
                break;
            }
            let Some(obj) = self.read_object(&id)? else {
                break;
            };
            next = obj.parent;
            out.push(obj);
        }
        Ok(out)
    }
}
