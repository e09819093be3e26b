//! Merging branches and rebasing staged work.
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
//!
//! Datasets merge per name, as elements [`MergeElement::Dataset`]; a
//! resolution written as text (`"dataset:NAME"`) is taken as a dataset's
//! by its prefix, and one that names no dataset in conflict is refused.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;

use crate::encoding::ObjectId;
use crate::evolution::classify;
use crate::evolution::derive_migration;
use crate::evolution::diff;
use crate::evolution::{Conflict, MergeElement, MergeOutcome, Resolutions, Side, merge_schemas};
use crate::migration::{CompiledMigration, MigrationSpec};
use crate::model::schema::Schema;
use crate::vcs::error::VcsError;
use crate::vcs::input::check_text;
use crate::vcs::object::{self, Commit, StoredMigration, StoredObject};
use crate::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};

use super::write::{BranchMove, PreparedCommit};
use super::{Head, Migrator, Repository, branch_ref};

/// How a resolution written as text names a dataset: `dataset:NAME`.
const DATASET: &str = "dataset:";

/// Both sides changed dataset `name` (or one removed it): the conflict, with
/// what each side holds (`None`: removed).
fn dataset_conflict(
    name: &str,
    base: Option<String>,
    ours: Option<String>,
    theirs: Option<String>,
) -> Conflict {
    Conflict::between(MergeElement::Dataset(name.to_owned()), base, ours, theirs)
}

/// A conflict, with the side a resolution chose for it (if one did).
type Pending = (Conflict, Option<Side>);

/// The three-way merge of two commits' datasets, each given by its data
/// origin (so a dataset only carried forward through schema changes counts
/// as unchanged): for each name, the side whose dataset the merge takes
/// (absent: removed), and the conflicts — both sides changed a dataset's
/// records differently — with the side a resolution chose, if any.
fn merge_datasets(
    base: &BTreeMap<String, ObjectId>,
    ours: &BTreeMap<String, ObjectId>,
    theirs: &BTreeMap<String, ObjectId>,
    resolutions: &Resolutions,
) -> (BTreeMap<String, Side>, Vec<Pending>) {
    let names: BTreeSet<&String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    let mut picks = BTreeMap::new();
    let mut conflicts = Vec::new();
    for name in names {
        let (b, o, t) = (base.get(name), ours.get(name), theirs.get(name));
        let side = if o == t || t == b {
            Side::Ours
        } else if o == b {
            Side::Theirs
        } else {
            let conflict = dataset_conflict(
                name,
                b.map(ObjectId::short),
                o.map(ObjectId::short),
                t.map(ObjectId::short),
            );
            let chosen = resolutions.side_for(&conflict);
            conflicts.push((conflict, chosen));
            match chosen {
                Some(side) => side,
                None => continue,
            }
        };
        picks.insert(name.clone(), side);
    }
    (picks, conflicts)
}

/// The resolutions that concern the schema: all but the datasets'.
fn schema_only(resolutions: &Resolutions) -> Resolutions {
    resolutions.filtered(
        |e| !matches!(e, MergeElement::Dataset(_)),
        |name| !name.starts_with(DATASET),
    )
}

/// Refuses a dataset resolution that names no dataset in conflict.
fn check_dataset_resolutions(
    resolutions: &Resolutions,
    conflicts: &[Pending],
) -> Result<(), VcsError> {
    let datasets = resolutions.filtered(
        |e| matches!(e, MergeElement::Dataset(_)),
        |name| name.starts_with(DATASET),
    );
    match datasets.first_unknown(conflicts.iter().map(|(c, _)| &c.element)) {
        Some(unknown) => Err(VcsError::InvalidInput {
            what: "merge resolution",
            reason: format!("{unknown:?} is not in conflict"),
        }),
        None => Ok(()),
    }
}

/// The merged schema (none when only data was rebased) and the conflicts settled.
type Settled = (Option<Schema>, Vec<(Conflict, Side)>);

/// The merged schema and the conflicts settled, or every conflict left:
/// the schema's and the datasets' together.
fn settle(
    outcome: Option<MergeOutcome>,
    data_conflicts: Vec<Pending>,
) -> Result<Settled, VcsError> {
    let unresolved: Vec<Conflict> = data_conflicts
        .iter()
        .filter(|(_, side)| side.is_none())
        .map(|(c, _)| c.clone())
        .collect();
    let (schema, mut resolved) = match outcome {
        Some(MergeOutcome::Conflicts(mut conflicts)) => {
            conflicts.extend(unresolved);
            return Err(VcsError::MergeConflicts(conflicts));
        }
        _ if !unresolved.is_empty() => return Err(VcsError::MergeConflicts(unresolved)),
        Some(MergeOutcome::Merged { schema, resolved }) => (Some(schema), resolved),
        None => (None, Vec::new()),
    };
    resolved.extend(
        data_conflicts
            .into_iter()
            .filter_map(|(c, side)| side.map(|s| (c, s))),
    );
    Ok((schema, resolved))
}

/// One side of a merge of commits: its schema and datasets.
struct MergeSide {
    schema: Schema,
    datasets: BTreeMap<String, ObjectId>,
}

/// Who and what a merge commit records besides its content.
struct MergeHead<'a> {
    /// Ours, then theirs.
    parents: [ObjectId; 2],
    author: &'a str,
    message: String,
    timestamp: i64,
    /// Why the branch's policy was overridden, if it was.
    allow_breaking: Option<String>,
}

/// What a three-way merge of two commits decided, before anything is written.
struct MergePlan {
    schema: Schema,
    resolved: Vec<(Conflict, Side)>,
    /// For each dataset name, the side it is taken from.
    picks: BTreeMap<String, Side>,
    ours: MergeSide,
    theirs: MergeSide,
}

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
    /// In phases: check the preconditions; settle the cases without a
    /// merge commit (up to date, fast-forward); merge the schemas and the
    /// datasets three-way (`plan_merge`); carry every dataset
    /// forward to the merged schema; write the merge commit.
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
        self.merge_allowing(other, author, message, resolutions, timestamp, None)
    }

    /// As [`merge`](Self::merge), obeying the branch's compatibility
    /// policy as a commit does: the merged schema (or, for a fast-forward,
    /// the other side's) is checked against the branch's history, and a
    /// merge that breaks the policy is refused unless `allow_breaking`
    /// gives a reason, which the merge commit keeps (a fast-forward makes
    /// no commit to keep it in).
    ///
    /// # Errors
    /// As [`merge`](Self::merge); [`VcsError::Incompatible`] when the
    /// merge breaks the policy and no reason is given (nothing is written).
    pub fn merge_allowing(
        &mut self,
        other: &str,
        author: &str,
        message: Option<&str>,
        resolutions: &Resolutions,
        timestamp: Option<i64>,
        allow_breaking: Option<&str>,
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
        if let Some(message) = message {
            check_text("commit message", message)?;
        }
        let theirs = self.resolve(other)?;
        let fast_forward = format!("merge {other}: fast-forward");
        let Some(ours) = self.head_commit()? else {
            // An unborn branch simply takes the other history.
            self.move_branch(&branch, None, theirs, &fast_forward)?;
            return Ok(Merged::FastForward(theirs));
        };
        let base = self
            .merge_base(&ours, &theirs)?
            .ok_or_else(|| invalid(format!("{other} shares no history with {branch}")))?;
        if base == theirs {
            return Ok(Merged::UpToDate(ours));
        }
        if base == ours {
            let arriving = self.schema_of(&theirs)?;
            self.enforce_policy(&branch, &ours, &arriving, None, allow_breaking)?;
            self.move_branch(&branch, Some(ours), theirs, &fast_forward)?;
            return Ok(Merged::FastForward(theirs));
        }
        let plan = self.plan_merge([base, ours, theirs], resolutions)?;
        let overridden = self.enforce_policy(&branch, &ours, &plan.schema, None, allow_breaking)?;
        let message =
            message.map_or_else(|| format!("merge {other} into {branch}"), ToOwned::to_owned);
        let summary = message.lines().next().unwrap_or_default();
        let branch_move = BranchMove {
            branch: &branch,
            from: Some(ours),
            message: format!("merge {other}: {summary}"),
        };
        let head = MergeHead {
            parents: [ours, theirs],
            author,
            message,
            timestamp: timestamp.unwrap_or_else(|| self.now()),
            allow_breaking: overridden,
        };
        let (prepared, resolved) = self.prepare_merge(plan, head, branch_move)?;
        let id = self.write_commit(prepared, None)?;
        Ok(Merged::Commit { id, resolved })
    }

    /// The merge commit of `plan`, with every object it needs: the merged
    /// schema, a migration from each parent, and the datasets carried to
    /// the merged schema.
    fn prepare_merge(
        &self,
        plan: MergePlan,
        head: MergeHead<'_>,
        branch_move: BranchMove<'_>,
    ) -> Result<(PreparedCommit, Vec<(Conflict, Side)>), VcsError> {
        let MergePlan {
            schema,
            resolved,
            picks,
            ours,
            theirs,
        } = plan;
        let schema_obj = object::store_schema(&schema);
        let specs = [&ours, &theirs].map(|from| derive_migration(&from.schema, &schema));
        let migrations = [0, 1].map(|i| {
            object::store_migration(&StoredMigration {
                source: [&ours, &theirs][i].schema.id(),
                target: schema_obj.id,
                spec: specs[i].clone(),
                lens: None,
            })
        });
        let migration_ids = [migrations[0].id, migrations[1].id];
        let (datasets, data_objects) =
            self.merged_datasets(picks, [&ours, &theirs], &schema, &specs, migration_ids)?;
        let changes = diff(&ours.schema, &schema);
        let verdict = classify(&changes, &self.protocol).verdict;
        let compat = crate::formats::compatibility_of(&ours.schema, &schema, &changes);
        let commit = Commit {
            schema: schema_obj.id,
            parents: head.parents.to_vec(),
            migration: Some(migration_ids[0]),
            merge_migrations: vec![migration_ids[1]],
            compatibility: Some(verdict.code().to_owned()),
            backward: Some(compat.backward()),
            forward: Some(compat.forward()),
            allow_breaking: head.allow_breaking,
            units: self.unit_record(&schema, head.parents.first(), None)?,
            datasets,
            author: head.author.to_owned(),
            timestamp: head.timestamp,
            message: head.message,
            origin: None,
        };
        let objects = [schema_obj]
            .into_iter()
            .chain(migrations)
            .chain(data_objects)
            .collect();
        let prepared =
            PreparedCommit::new(objects, commit, schema, Some(branch_move), head.timestamp);
        Ok((prepared, resolved))
    }

    /// The three-way merge of commits `[base, ours, theirs]`: the schemas
    /// by [`merge_schemas`], the datasets by name.
    ///
    /// # Errors
    /// [`VcsError::MergeConflicts`] with every conflict no resolution
    /// settles; [`VcsError::InvalidInput`] for a dataset resolution that
    /// names no conflict.
    fn plan_merge(
        &mut self,
        [base, ours, theirs]: [ObjectId; 3],
        resolutions: &Resolutions,
    ) -> Result<MergePlan, VcsError> {
        let mut side = |id: ObjectId| -> Result<MergeSide, VcsError> {
            Ok(MergeSide {
                schema: self.schema_of(&id)?,
                datasets: self.read_commit(&id)?.datasets,
            })
        };
        let (base, ours, theirs) = (side(base)?, side(ours)?, side(theirs)?);
        let (picks, data_conflicts) = merge_datasets(
            &self.data_origins(&base.datasets)?,
            &self.data_origins(&ours.datasets)?,
            &self.data_origins(&theirs.datasets)?,
            resolutions,
        );
        check_dataset_resolutions(resolutions, &data_conflicts)?;
        let outcome = merge_schemas(
            &base.schema,
            &ours.schema,
            &theirs.schema,
            &schema_only(resolutions),
        )?;
        let (schema, resolved) = settle(Some(outcome), data_conflicts)?;
        // `settle` has a schema for every merge outcome it does not refuse.
        let Some(schema) = schema else {
            return Err(VcsError::MergeConflicts(Vec::new()));
        };
        Ok(MergePlan {
            schema,
            resolved,
            picks,
            ours,
            theirs,
        })
    }

    /// The datasets of the merge commit and the objects to write for them:
    /// each dataset is carried forward to the merged schema from the side
    /// it was taken from, as a commit carries its parent's.
    fn merged_datasets(
        &self,
        picks: BTreeMap<String, Side>,
        sides: [&MergeSide; 2],
        schema: &Schema,
        specs: &[MigrationSpec; 2],
        migrations: [ObjectId; 2],
    ) -> Result<(BTreeMap<String, ObjectId>, Vec<StoredObject>), VcsError> {
        let schema_id = schema.id();
        let mut datasets = BTreeMap::new();
        let mut objects = Vec::new();
        for (name, side) in picks {
            let i = usize::from(side == Side::Theirs);
            let Some(&id) = sides[i].datasets.get(&name) else {
                continue;
            };
            let from = &sides[i].schema;
            if from.id() == schema_id {
                datasets.insert(name, id);
                continue;
            }
            let compiled = CompiledMigration::compile(
                from.clone(),
                schema.clone(),
                specs[i].clone(),
            )
            .map_err(|e| VcsError::InvalidInput {
                what: "merge",
                reason: format!(
                    "dataset {name:?} cannot follow the merge: the migration does not compile: {e}"
                ),
            })?;
            let (dataset, chunks) =
                self.carry_forward(&name, &id, &Migrator::Mapping(compiled), migrations[i])?;
            let obj = object::store_dataset(&dataset);
            datasets.insert(name, obj.id);
            objects.extend(chunks);
            objects.push(obj);
        }
        Ok((datasets, objects))
    }

    /// Moves branch `branch` from `from` to `to` by compare-and-swap
    /// (`message` goes to its reflog), as a fast-forward or an import does.
    ///
    /// # Errors
    /// [`VcsError::Conflict`] if the branch is no longer at `from`.
    pub fn move_branch(
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
            timestamp: self.now(),
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
        let base = match (&self.stage, self.data_stage.values().next()) {
            (Some(staged), _) => staged.base,
            (None, Some(data)) => data.base,
            (None, None) => return Err(VcsError::NothingStaged),
        };
        let head = self.head_commit()?;
        let Some(head) = head.filter(|h| Some(*h) != base) else {
            return Ok(Rebased::UpToDate);
        };

        // Staged datasets: a conflict where the new commits changed the same dataset.
        let head_sets = self.data_origins(&self.read_commit(&head)?.datasets)?;
        let base_sets = match base {
            Some(base) => self.data_origins(&self.read_commit(&base)?.datasets)?,
            None => BTreeMap::new(),
        };
        let mut data_conflicts = Vec::new();
        for name in self.data_stage.keys() {
            let (b, h) = (base_sets.get(name), head_sets.get(name));
            if b == h {
                continue;
            }
            let conflict = dataset_conflict(
                name,
                b.map(ObjectId::short),
                h.map(ObjectId::short),
                Some("staged".to_owned()),
            );
            let side = resolutions.side_for(&conflict);
            data_conflicts.push((conflict, side));
        }
        check_dataset_resolutions(resolutions, &data_conflicts)?;

        let merged = match self.stage.as_ref().map(|s| s.schema.clone()) {
            Some(staged_schema) => {
                let base_schema = match base {
                    Some(base) => self.schema_of(&base)?,
                    None => Schema::builder(Arc::clone(&self.protocol)).build()?,
                };
                let head_schema = self.schema_of(&head)?;
                Some(merge_schemas(
                    &base_schema,
                    &head_schema,
                    &staged_schema,
                    &schema_only(resolutions),
                )?)
            }
            None => None,
        };
        let dropped: Vec<String> = data_conflicts
            .iter()
            .filter_map(|(c, side)| match (side, &c.element) {
                (Some(Side::Ours), MergeElement::Dataset(name)) => Some(name.clone()),
                _ => None,
            })
            .collect();
        let (schema, resolved) = settle(merged, data_conflicts)?;
        // A staged lens moved records from the old base's schema: it must
        // now take the new head's to the rebased schema, or the rebase is
        // refused with the stage as it was.
        let lens = match (self.stage.as_ref().and_then(|s| s.lens.clone()), &schema) {
            (Some(lens), Some(schema)) => {
                let head_schema = self.schema_of(&head)?;
                Some(self.fitted_lens(&head_schema, schema, lens.chain, Some(&lens.root))?)
            }
            _ => None,
        };
        // The new head's version wins: drop the staged one.
        for name in dropped {
            self.data_stage.remove(&name);
        }
        for data in self.data_stage.values_mut() {
            data.base = Some(head);
        }
        if let Some(schema) = schema {
            // Staged on the head it was merged with, not whatever HEAD is
            // by now: if the branch moved again, the commit must refuse.
            self.stage_on(schema, Some(head), lens)?;
        }
        Ok(Rebased::Onto { head, resolved })
    }
}
