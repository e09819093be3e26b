//! Merging branches and rebasing staged work (issue #4, second part).
//!
//! `merge` joins another commit's history into the current branch:
//! nothing to do if it is already contained, a fast-forward if the branch
//! is its ancestor, otherwise a three-way merge of the two schemas against
//! their merge base ([`merge_schemas`]) and a merge commit with both
//! parents and a migration from each. `rebase` re-applies the staged schema
//! on the branch's new head after someone else committed, the same
//! three-way merge with the staged schema as "theirs".
//!
//! Both are all-or-nothing: conflicts without a resolution come back as
//! [`VcsError::MergeConflicts`] and nothing is written or restaged.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use crate::classify::classify;
use crate::derive::derive_migration;
use crate::diff::diff;
use crate::error::VcsError;
use crate::id::ObjectId;
use crate::merge::{Conflict, MergeOutcome, Resolutions, Side, merge_schemas};
use crate::schema::Schema;
use crate::vcs::object::{self, Commit, StoredMigration};
use crate::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};

use super::{Head, Repository, branch_ref, now};

/// What `merge` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The other commit is already in this branch's history.
    UpToDate(ObjectId),
    /// The branch moved forward to the other commit; no commit was made.
    FastForward(ObjectId),
    /// A merge commit was made.
    Commit {
        /// The merge commit.
        id: ObjectId,
        /// Conflicts settled by the resolutions given, with the side chosen.
        resolved: Vec<(Conflict, Side)>,
    },
}

impl Merged {
    /// The commit the branch is at afterwards.
    pub fn head(&self) -> ObjectId {
        match self {
            Self::UpToDate(id) | Self::FastForward(id) | Self::Commit { id, .. } => *id,
        }
    }
}

/// What `rebase` did to the staged work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebased {
    /// The staged schema was already based on the branch's head.
    UpToDate,
    /// The staged work now sits on this commit.
    Onto {
        /// The new base.
        head: ObjectId,
        /// Conflicts settled by the resolutions given, with the side chosen.
        resolved: Vec<(Conflict, Side)>,
    },
}

/// A commit's first-parent timestamp order, newest first, for the merge-base walk.
type Queue = BinaryHeap<(i64, Reverse<ObjectId>)>;

impl<S: Store> Repository<S> {
    /// The best common ancestor of two commits, `None` if their histories never meet.
    ///
    /// The walk goes back from both commits at once, newest first (by
    /// timestamp, as git does without generation numbers), painting each
    /// commit with the sides that reach it; the first commit reached from
    /// both is the merge base. Only the commits newer than the base are read.
    pub fn merge_base(&self, a: &ObjectId, b: &ObjectId) -> Result<Option<ObjectId>, VcsError> {
        const A: u8 = 1;
        const B: u8 = 2;
        if a == b {
            return Ok(Some(*a));
        }
        let mut paint: HashMap<ObjectId, u8> = HashMap::new();
        let mut queue = Queue::new();
        for (id, side) in [(*a, A), (*b, B)] {
            let commit = self.read_commit(&id)?;
            *paint.entry(id).or_default() |= side;
            queue.push((commit.timestamp, Reverse(id)));
        }
        while let Some((_, Reverse(id))) = queue.pop() {
            let colour = paint.get(&id).copied().unwrap_or_default();
            if colour == A | B {
                return Ok(Some(id));
            }
            for parent in self.read_commit(&id)?.parents {
                let seen = paint.entry(parent).or_default();
                if *seen & colour == colour {
                    continue;
                }
                let first_visit = *seen == 0;
                *seen |= colour;
                if first_visit || *seen == A | B {
                    let ts = self.read_commit(&parent)?.timestamp;
                    queue.push((ts, Reverse(parent)));
                }
            }
        }
        Ok(None)
    }

    /// Merges the commit `other` names into the current branch.
    ///
    /// # Errors
    /// [`VcsError::MergeConflicts`] listing every unresolved conflict
    /// (nothing is written); [`VcsError::InvalidInput`] if something is
    /// staged, HEAD is detached, the histories are unrelated, or a
    /// resolution names no conflict; [`VcsError::Conflict`] if the branch
    /// moved while merging.
    pub fn merge(
        &mut self,
        other: &str,
        author: &str,
        message: Option<&str>,
        resolutions: &Resolutions,
        timestamp: Option<i64>,
    ) -> Result<Merged, VcsError> {
        let invalid = |reason: String| VcsError::InvalidInput {
            what: "merge",
            reason,
        };
        if self.stage.is_some() {
            return Err(invalid("a schema is staged; commit it first".to_owned()));
        }
        let Head::Branch(branch) = self.head.clone() else {
            return Err(invalid(
                "HEAD is detached; check out the branch to merge into".to_owned(),
            ));
        };
        super::check_author(author)?;
        let theirs = self.resolve(other)?;
        let Some(ours) = self.head_commit()? else {
            // An unborn branch simply takes the other history.
            self.move_branch(
                &branch,
                None,
                theirs,
                &format!("merge {other}: fast-forward"),
            )?;
            return Ok(Merged::FastForward(theirs));
        };
        let base = self
            .merge_base(&ours, &theirs)?
            .ok_or_else(|| invalid(format!("{other} shares no history with {branch}")))?;
        if base == theirs {
            return Ok(Merged::UpToDate(ours));
        }
        if base == ours {
            self.move_branch(
                &branch,
                Some(ours),
                theirs,
                &format!("merge {other}: fast-forward"),
            )?;
            return Ok(Merged::FastForward(theirs));
        }
        let (base_schema, our_schema, their_schema) = (
            self.schema_of(&base)?,
            self.schema_of(&ours)?,
            self.schema_of(&theirs)?,
        );
        let (schema, resolved) =
            match merge_schemas(&base_schema, &our_schema, &their_schema, resolutions)? {
                MergeOutcome::Merged { schema, resolved } => (schema, resolved),
                MergeOutcome::Conflicts(conflicts) => {
                    return Err(VcsError::MergeConflicts(conflicts));
                }
            };
        let schema_obj = object::store_schema(&schema);
        let migrations = [&our_schema, &their_schema].map(|from| {
            object::store_migration(&StoredMigration {
                source: from.id(),
                target: schema_obj.id,
                spec: derive_migration(from, &schema),
            })
        });
        let changes = diff(&our_schema, &schema);
        let verdict = classify(&changes, &self.protocol).verdict;
        let message =
            message.map_or_else(|| format!("merge {other} into {branch}"), ToOwned::to_owned);
        let timestamp = timestamp.unwrap_or_else(now);
        let commit = Commit {
            schema: schema_obj.id,
            parents: vec![ours, theirs],
            migration: Some(migrations[0].id),
            merge_migrations: vec![migrations[1].id],
            compatibility: Some(verdict.code().to_owned()),
            datasets: self.read_commit(&ours)?.datasets,
            author: author.to_owned(),
            timestamp,
            message: message.clone(),
        };
        let commit_obj = object::store_commit(&commit);
        let id = commit_obj.id;
        let [ours_migration, theirs_migration] = migrations;
        self.store.apply(&Transaction {
            objects: vec![schema_obj, ours_migration, theirs_migration, commit_obj],
            edits: vec![RefEdit {
                name: branch_ref(&branch),
                expected: Expected::id(Some(ours)),
                new: Some(RefTarget::Id(id)),
                message: format!(
                    "merge {other}: {}",
                    message.lines().next().unwrap_or_default()
                ),
            }],
            timestamp,
        })?;
        self.cache = Some((id, schema));
        Ok(Merged::Commit { id, resolved })
    }

    fn move_branch(
        &self,
        branch: &str,
        from: Option<ObjectId>,
        to: ObjectId,
        message: &str,
    ) -> Result<(), VcsError> {
        self.store.apply(&Transaction {
            objects: Vec::new(),
            edits: vec![RefEdit {
                name: branch_ref(branch),
                expected: Expected::id(from),
                new: Some(RefTarget::Id(to)),
                message: message.to_owned(),
            }],
            timestamp: now(),
        })
    }

    /// Re-applies the staged schema on the current head of the branch, after
    /// someone else moved it: what to do when `commit` fails with
    /// [`VcsError::Conflict`]. In conflicts, "ours" is the branch's new head
    /// and "theirs" the staged work, as in git.
    ///
    /// # Errors
    /// [`VcsError::NothingStaged`]; [`VcsError::MergeConflicts`] if the
    /// staged changes and the new commits changed the same elements
    /// differently (the staged schema is kept as it was).
    pub fn rebase(&mut self, resolutions: &Resolutions) -> Result<Rebased, VcsError> {
        let staged = self.stage.as_ref().ok_or(VcsError::NothingStaged)?;
        let head = self.head_commit()?;
        let Some(head) = head.filter(|h| Some(*h) != staged.base) else {
            return Ok(Rebased::UpToDate);
        };
        let staged_schema = staged.schema.clone();
        let base_schema = match staged.base {
            Some(base) => self.schema_of(&base)?,
            None => Schema::builder(Arc::clone(&self.protocol)).build()?,
        };
        let head_schema = self.schema_of(&head)?;
        match merge_schemas(&base_schema, &head_schema, &staged_schema, resolutions)? {
            MergeOutcome::Merged { schema, resolved } => {
                // Staged on the head it was merged with, not whatever HEAD is
                // by now: if the branch moved again, the commit must refuse.
                self.add_on(schema, Some(head))?;
                Ok(Rebased::Onto { head, resolved })
            }
            MergeOutcome::Conflicts(conflicts) => Err(VcsError::MergeConflicts(conflicts)),
        }
    }
}
