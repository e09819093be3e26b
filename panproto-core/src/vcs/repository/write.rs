//! Writing a commit: the one path `commit` and `merge` share, and why a
//! retried commit never lands twice.
//!
//! A commit is prepared in full first ([`PreparedCommit`]: the commit
//! object, its id, and one [`Transaction`] with every object it needs and
//! the compare-and-swap of its branch), then written by
//! [`Repository::write_commit`].
//!
//! **Retrying after an ambiguous failure.** A store can report a failure
//! for a transaction that did land (the server crashed after committing,
//! before answering). A client that retries `commit` must not then make a
//! second commit of the same staged work. So when writing a commit fails
//! with a [`VcsError::Store`] error, the repository keeps the prepared
//! commit, with a [`StageKey`] of what was staged and asked (message,
//! author, timestamp argument). A retry whose key is unchanged writes
//! that very commit again (same object, same id, the first attempt's
//! timestamp), rather than preparing a new one:
//!
//! - if the first attempt did not land, it lands now, as it would have;
//! - if it did land, the branch is already at exactly that commit id, so
//!   the compare-and-swap fails with a conflict whose actual value is the
//!   commit being written: that is recognised as success, and the commit
//!   is returned. (Objects are idempotent, so rewriting them is harmless.)
//!
//! Any change to the stage, the message, the author or the timestamp
//! argument makes a new commit instead, as does any other error. A branch
//! that moved on past the landed commit is an ordinary conflict. The kept
//! commit holds its objects (dataset chunks included) until the next
//! `commit` call.
//!
//! `merge` keeps nothing: a merge retried after its commit landed finds
//! the other branch already merged and answers
//! [`Merged::UpToDate`](super::Merged::UpToDate) with that commit.

use crate::encoding::ObjectId;
use crate::model::schema::Schema;
use crate::vcs::error::VcsError;
use crate::vcs::object::{self, Commit, Dataset, StoredObject};
use crate::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};

use super::{Cached, Head, Repository, branch_ref};

/// What was staged, and what the caller asked, when a commit was
/// prepared: a retry with an equal key is the same commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StageKey {
    head: Head,
    schema: Option<(ObjectId, Option<ObjectId>)>,
    data: Vec<(String, Dataset, Option<ObjectId>)>,
    message: String,
    author: String,
    timestamp: Option<i64>,
}

/// A commit ready to write, in one transaction.
#[derive(Debug, Clone)]
pub(super) struct PreparedCommit {
    /// The commit's id.
    pub(super) id: ObjectId,
    /// The commit.
    pub(super) commit: Commit,
    /// Its schema (kept as the repository's cache once written).
    pub(super) schema: Schema,
    /// Its objects (the commit object last) and its branch's move.
    pub(super) tx: Transaction,
}

/// A commit whose write ended in a store error: it may have landed.
#[derive(Debug, Clone)]
pub(super) struct Unconfirmed {
    pub(super) key: StageKey,
    pub(super) prepared: PreparedCommit,
}

/// Where a prepared commit moves a branch.
pub(super) struct BranchMove<'a> {
    /// The branch's short name.
    pub(super) branch: &'a str,
    /// Where it must still be (`None`: unborn).
    pub(super) from: Option<ObjectId>,
    /// The reflog message.
    pub(super) message: String,
}

impl PreparedCommit {
    /// The commit with the objects it needs (the commit object is added
    /// last), moving `branch` if given (none on a detached HEAD, which
    /// belongs to the working copy, not to the store).
    pub(super) fn new(
        objects: Vec<StoredObject>,
        commit: Commit,
        schema: Schema,
        branch: Option<BranchMove<'_>>,
        timestamp: i64,
    ) -> Self {
        let obj = object::store_commit(&commit);
        let id = obj.id;
        let edits = branch
            .map(|m| RefEdit {
                name: branch_ref(m.branch),
                expected: Expected::id(m.from),
                new: Some(RefTarget::Id(id)),
                message: m.message,
            })
            .into_iter()
            .collect();
        let mut objects = objects;
        objects.push(obj);
        Self {
            id,
            commit,
            schema,
            tx: Transaction {
                objects,
                edits,
                timestamp,
            },
        }
    }

    /// Whether `err` says the branch is already at this very commit: an
    /// earlier attempt landed.
    fn already_landed(&self, err: &VcsError) -> bool {
        match err {
            VcsError::Conflict {
                name,
                actual: Some(RefTarget::Id(actual)),
                ..
            } => *actual == self.id && self.tx.edits.iter().any(|e| &e.name == name),
            _ => false,
        }
    }
}

impl<S: Store> Repository<S> {
    /// The key of what is staged now, with the arguments of `commit`.
    pub(super) fn stage_key(
        &self,
        message: &str,
        author: &str,
        timestamp: Option<i64>,
    ) -> StageKey {
        StageKey {
            head: self.head.clone(),
            schema: self.stage.as_ref().map(|s| (s.schema.id(), s.base)),
            data: self
                .data_stage
                .iter()
                .map(|(name, d)| (name.clone(), d.dataset.clone(), d.base))
                .collect(),
            message: message.to_owned(),
            author: author.to_owned(),
            timestamp,
        }
    }

    /// Writes a prepared commit and makes it this working copy's latest:
    /// HEAD follows it when detached, and its schema is cached. A branch
    /// already at exactly this commit counts as written (see the module
    /// doc). On a store error with `retry` given, the prepared commit is
    /// kept for a retry with that key.
    ///
    /// # Errors
    /// What [`Store::apply`] reports, but the conflict above.
    pub(super) fn write_commit(
        &mut self,
        prepared: PreparedCommit,
        retry: Option<StageKey>,
    ) -> Result<ObjectId, VcsError> {
        self.unconfirmed = None;
        match self.store.apply(&prepared.tx) {
            Ok(()) => {}
            Err(e) if prepared.already_landed(&e) => {}
            Err(e) => {
                if let (VcsError::Store(_), Some(key)) = (&e, retry) {
                    self.unconfirmed = Some(Unconfirmed { key, prepared });
                }
                return Err(e);
            }
        }
        let PreparedCommit {
            id, commit, schema, ..
        } = prepared;
        if let Head::Detached(_) = self.head {
            self.head = Head::Detached(id);
        }
        self.cache = Some(Cached { id, commit, schema });
        Ok(id)
    }
}
