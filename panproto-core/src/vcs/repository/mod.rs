//! A working copy of one repository: HEAD, the staging area, and the
//! operations `init`, `open`, `add`, `commit`, `log`, `status`; the data
//! operations (`add_data`, `data_at`, `migrate_data`) are in [`data`].
//!
//! Staging lives in the [`Repository`] value, never in the store, so two
//! clients of one store never see each other's staged work. `add` records
//! the commit the branch was at; `commit` moves the branch only if it is
//! still there (compare-and-swap), so a client whose branch moved meanwhile
//! gets [`VcsError::Conflict`] with its staged schema intact.
//!
//! `commit` and `merge` write their commits through one path
//! ([`write`]): a commit is prepared whole, then applied in one
//! transaction. A commit whose write fails with a store error is kept, so
//! that retrying `commit` with the stage unchanged writes that same commit
//! and, if the first attempt had in fact landed, returns it rather than
//! making a second one (see [`write`] for the rule).
//!
//! Every entry point checks the text it will store (names, messages,
//! authors) before asking the store ([`crate::vcs::check_text`]).

mod data;
mod graph;
mod history;
mod imported;
mod merge;
mod migrator;
mod policy;
mod refs;
mod report;
mod stage;
mod units;
mod verify;
mod write;

pub use graph::GraphLine;
pub use history::HistoryCheck;
pub use imported::{ImportedVersion, Lineage};
pub use policy::{PolicyInfo, PolicyScope, PolicyViolation};
pub use refs::TagInfo;
pub use report::{HistoryReport, ReportCommit};
pub use verify::{Problem, ProblemKind, VerifyReport};

pub use data::{DataCursor, DataWriter, Records, StagedData};
pub use merge::{Merged, Rebased};
pub use migrator::{CommittedLens, Migrator};

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::encoding::ObjectId;
use crate::evolution::{
    Change, Classification, CompatReport, Compatibility, Level, classify, derive_migration, diff,
};
use crate::formats::{Units, compatibility_of};
use crate::lens::Chain;
use crate::migration::MigrationSpec;
use crate::model::protocol::Protocol;
use crate::model::schema::Schema;
use crate::vcs::error::{StoreError, StoreErrorKind, VcsError};
use crate::vcs::input::{check_not_empty, check_text};
use crate::vcs::object::{self, Commit, ObjectKind, StoredLens, StoredMigration, StoredObject};
use crate::vcs::store::{HEAD, HEADS, RefTarget, RepoInfo, Store};

use write::{BranchMove, PreparedCommit, Unconfirmed};

/// The default branch of a new repository.
pub const DEFAULT_BRANCH: &str = "main";

/// Where HEAD points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// On a branch (short name, e.g. `main`).
    Branch(String),
    /// At a commit, on no branch.
    Detached(ObjectId),
}

/// A schema waiting to be committed.
#[derive(Debug, Clone)]
pub struct Staged {
    /// The staged schema.
    pub schema: Schema,
    /// The commit HEAD was at when the schema was staged.
    pub base: Option<ObjectId>,
    /// How the staged schema differs from the base commit's schema (shared,
    /// so a report of them need not copy them).
    pub changes: Arc<[Change]>,
    /// Whether those changes break, and why.
    pub classification: Classification,
    /// The changes judged in both directions by the format's rules.
    pub compat: Arc<CompatReport>,
    /// The base commit's schema id and the migration from it (none for a first commit).
    pub migration: Option<(ObjectId, MigrationSpec)>,
    /// The lens staged with the schema ([`Repository::add_with_lens`]),
    /// which moves the records instead of the migration.
    pub lens: Option<StoredLens>,
    /// The schema's units by its format's rules, computed when a policy
    /// check or the commit first needs them.
    units: OnceLock<Option<Arc<Units>>>,
}

/// A commit with what it changed: what `show` returns.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The commit.
    pub info: CommitInfo,
    /// Its changes from its first parent (everything added, for a first commit).
    pub changes: Vec<Change>,
    /// Their classification.
    pub classification: Classification,
    /// The verdict both ways by the format's rules (against nothing, for
    /// a first commit: everything added).
    pub compat: CompatReport,
    /// The lens it was committed with, if any.
    pub lens: Option<StoredLens>,
}

/// Two versions compared: what [`Repository::diff`] returns.
#[derive(Debug, Clone)]
pub struct Compared {
    /// The changes from the first to the second.
    pub changes: Vec<Change>,
    /// Their classification.
    pub classification: Classification,
    /// The verdict both ways by the format's rules.
    pub compat: CompatReport,
}

/// A commit with its id, as `log` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// The commit's id.
    pub id: ObjectId,
    /// The commit.
    pub commit: Commit,
}

/// What `status` reports.
#[derive(Debug, Clone)]
pub struct Status {
    /// Where HEAD points.
    pub head: Head,
    /// The commit HEAD resolves to, if any.
    pub head_commit: Option<ObjectId>,
    /// The staged schema, if any.
    pub staged: Option<Staged>,
    /// The staged datasets, by name, with their record counts.
    pub staged_data: BTreeMap<String, u64>,
}

/// One repository, opened through a [`Store`].
pub struct Repository<S: Store> {
    store: S,
    info: RepoInfo,
    protocol: Arc<Protocol>,
    head: Head,
    stage: Option<Staged>,
    /// Datasets staged with `add_data`, by name.
    data_stage: BTreeMap<String, StagedData>,
    /// The last commit whose schema we decoded (usually the one just made),
    /// so `add` on a large schema does not re-read and re-validate its
    /// parent, nor `commit` re-read the parent's datasets, each time.
    cache: Option<Cached>,
    /// The units of the last schemas whose units were needed (by schema
    /// id, newest last): a commit under a transitive policy needs the
    /// candidate's and the tip's, and the next commit the same again.
    units: std::sync::Mutex<Vec<(ObjectId, Arc<Units>)>>,
    /// The units judged by history checks in this process (see
    /// [`history::Judged`]): the next commit on a branch finds most of its
    /// judgements made.
    judged: history::Judged,
    /// A commit whose write failed with a store error, kept so that a
    /// retry writes the same commit (see [`write`]).
    unconfirmed: Option<Unconfirmed>,
    /// Where "now" comes from when a call gives no timestamp.
    clock: Clock,
}

/// A source of the current time, in seconds since the Unix epoch.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// What a commit of the stage records: the schema, the commit it goes on,
/// its verdict, and the migration from that commit's schema.
struct StagedParts {
    schema: Schema,
    base: Option<ObjectId>,
    verdict: Compatibility,
    /// Backward and forward.
    levels: (Level, Level),
    migration: Option<(ObjectId, MigrationSpec)>,
    lens: Option<StoredLens>,
}

/// A commit with its decoded schema.
struct Cached {
    id: ObjectId,
    commit: Commit,
    schema: Schema,
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn check_author(author: &str) -> Result<(), VcsError> {
    check_not_empty("author", author)
}

fn branch_ref(branch: &str) -> String {
    format!("{HEADS}{branch}")
}

impl<S: Store> Repository<S> {
    /// Creates a new, empty repository in `store` for `protocol`, on branch `main`.
    ///
    /// # Errors
    /// [`VcsError::AlreadyExists`] if the store already holds this repository.
    pub fn init(store: S, protocol: Arc<Protocol>) -> Result<Self, VcsError> {
        let info = store.create(&protocol.to_json(), now())?;
        Ok(Self {
            store,
            info,
            protocol,
            head: Head::Branch(DEFAULT_BRANCH.to_owned()),
            stage: None,
            data_stage: BTreeMap::new(),
            cache: None,
            units: std::sync::Mutex::default(),
            judged: history::Judged::default(),
            unconfirmed: None,
            clock: Arc::new(now),
        })
    }

    /// Opens an existing repository.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if the store holds no repository of its name.
    pub fn open(store: S) -> Result<Self, VcsError> {
        let info = store
            .info()?
            .ok_or_else(|| VcsError::NotFound(format!("repository at {}", store.location())))?;
        let protocol = Protocol::from_json(&info.protocol_json).map_err(|e| {
            StoreError::new(
                store.backend(),
                StoreErrorKind::Corrupt,
                format!("stored protocol is unreadable: {e}"),
            )
        })?;
        let head = match store.read_ref(HEAD)? {
            Some(RefTarget::Symbolic(name)) => {
                Head::Branch(name.strip_prefix(HEADS).unwrap_or(&name).to_owned())
            }
            Some(RefTarget::Id(id)) => Head::Detached(id),
            None => Head::Branch(DEFAULT_BRANCH.to_owned()),
        };
        Ok(Self {
            store,
            info,
            protocol: Arc::new(protocol),
            head,
            stage: None,
            data_stage: BTreeMap::new(),
            cache: None,
            units: std::sync::Mutex::default(),
            judged: history::Judged::default(),
            unconfirmed: None,
            clock: Arc::new(now),
        })
    }

    /// The same working copy, with `clock` as the time of commits, tags
    /// and reflog entries made without an explicit timestamp (the system
    /// clock by default): for reproducible histories and tests.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The current time by this working copy's clock.
    fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The repository's name within its database.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// The repository's protocol.
    pub fn protocol(&self) -> &Arc<Protocol> {
        &self.protocol
    }

    /// Where HEAD points.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The staged schema, if any.
    pub fn staged(&self) -> Option<&Staged> {
        self.stage.as_ref()
    }

    /// The commit HEAD resolves to; `None` on a branch with no commits yet.
    pub fn head_commit(&self) -> Result<Option<ObjectId>, StoreError> {
        match &self.head {
            Head::Detached(id) => Ok(Some(*id)),
            Head::Branch(b) => match self.store.read_ref(&branch_ref(b))? {
                Some(RefTarget::Id(id)) => Ok(Some(id)),
                Some(RefTarget::Symbolic(_)) | None => Ok(None),
            },
        }
    }

    fn read_commit(&self, id: &ObjectId) -> Result<Commit, VcsError> {
        let obj = self.read_kind(id, ObjectKind::Commit)?;
        Ok(object::load_commit(&obj)?)
    }

    fn read_kind(&self, id: &ObjectId, kind: ObjectKind) -> Result<StoredObject, VcsError> {
        let obj = self
            .store
            .read_object(id)?
            .ok_or_else(|| VcsError::NotFound(format!("{} {}", kind.name(), id.short())))?;
        if obj.kind != kind {
            return Err(VcsError::NotFound(format!(
                "{} {} (it is a {})",
                kind.name(),
                id.short(),
                obj.kind.name()
            )));
        }
        Ok(obj)
    }

    /// The schema of commit `id`.
    pub fn schema_of(&mut self, id: &ObjectId) -> Result<Schema, VcsError> {
        if let Some(cached) = self.cache.as_ref().filter(|c| c.id == *id) {
            return Ok(cached.schema.clone());
        }
        let commit = self.read_commit(id)?;
        let obj = self.read_kind(&commit.schema, ObjectKind::Schema)?;
        let schema = object::load_schema(&obj, Arc::clone(&self.protocol))?;
        self.cache = Some(Cached {
            id: *id,
            commit,
            schema: schema.clone(),
        });
        Ok(schema)
    }

    /// Schema `id`, read and checked, without displacing the cached one
    /// (a check of the history reads old versions HEAD's work does not need).
    fn read_schema(&self, id: &ObjectId) -> Result<Schema, VcsError> {
        if let Some(cached) = self.cache.as_ref().filter(|c| c.commit.schema == *id) {
            return Ok(cached.schema.clone());
        }
        let obj = self.read_kind(id, ObjectKind::Schema)?;
        Ok(object::load_schema(&obj, Arc::clone(&self.protocol))?)
    }

    /// Commit `id`, from the cache when it is the last one decoded.
    fn commit_of(&self, id: &ObjectId) -> Result<Commit, VcsError> {
        match self.cache.as_ref().filter(|c| c.id == *id) {
            Some(cached) => Ok(cached.commit.clone()),
            None => self.read_commit(id),
        }
    }

    /// The schema at HEAD, if there is a commit.
    pub fn head_schema(&mut self) -> Result<Option<Schema>, VcsError> {
        match self.head_commit()? {
            Some(id) => self.schema_of(&id).map(Some),
            None => Ok(None),
        }
    }

    /// Commits the staged schema and datasets on the current branch. On a
    /// detached HEAD the commit's objects are written and only this working
    /// copy's HEAD moves: no ref changes and nothing is written to a reflog.
    ///
    /// The commit holds the first parent's datasets, carried forward through
    /// the migration if the schema changed (see [`Repository::add_data`]),
    /// with the staged datasets in place of those of the same name.
    /// `timestamp` defaults to now. Returns the new commit's id.
    ///
    /// # Errors
    /// [`VcsError::NothingStaged`]; [`VcsError::NoChanges`] if the staged
    /// schema equals HEAD's and no data is staged; [`VcsError::Conflict`]
    /// if the branch moved since `add` (what is staged is kept);
    /// [`VcsError::DataValidation`] if a dataset carried forward no longer
    /// fits the new schema (nothing is written); [`VcsError::InvalidInput`]
    /// for an empty message or author.
    pub fn commit(
        &mut self,
        message: &str,
        author: &str,
        timestamp: Option<i64>,
    ) -> Result<ObjectId, VcsError> {
        self.commit_allowing(message, author, timestamp, None)
    }

    /// As [`commit`](Self::commit), on a branch whose compatibility policy
    /// (see [`set_policy`](Self::set_policy)) the staged schema may break:
    /// with `allow_breaking` (the reason), a commit that breaks it is
    /// made and keeps the reason; without, it is refused.
    ///
    /// # Errors
    /// As [`commit`](Self::commit); [`VcsError::Incompatible`] listing
    /// every violation when the commit breaks the policy and no reason is
    /// given (nothing is written, what is staged is kept);
    /// [`VcsError::InvalidInput`] for an empty reason.
    pub fn commit_allowing(
        &mut self,
        message: &str,
        author: &str,
        timestamp: Option<i64>,
        allow_breaking: Option<&str>,
    ) -> Result<ObjectId, VcsError> {
        check_not_empty("commit message", message)?;
        check_author(author)?;
        if let Some(reason) = allow_breaking {
            check_not_empty("reason for allowing a breaking commit", reason)?;
        }
        let prepared = match self.unconfirmed.take() {
            // A retry after an ambiguous failure: the very same commit.
            Some(unconfirmed) if unconfirmed.key == self.stage_key(message, author, timestamp) => {
                unconfirmed.prepared
            }
            _ => {
                let overridden = self.enforce_policy_on_stage(allow_breaking)?;
                self.prepare_commit(message, author, timestamp, overridden)?
            }
        };
        // Made after preparing, which stores the staged schema and so
        // remembers its id: hashing a 10,000-vertex schema only for the key
        // cost a third of the commit.
        let key = self.stage_key(message, author, timestamp);
        let id = self.write_commit(prepared, Some(key))?;
        self.stage = None;
        self.data_stage.clear();
        Ok(id)
    }

    /// The staged schema, the commit it goes on, its verdict and the
    /// migration from that commit: what `commit` records.
    fn staged_parts(&mut self) -> Result<StagedParts, VcsError> {
        match &self.stage {
            Some(staged) => {
                if staged.base.is_some() && staged.changes.is_empty() && self.data_stage.is_empty()
                {
                    return Err(VcsError::NoChanges(staged.schema.id().short()));
                }
                Ok(StagedParts {
                    schema: staged.schema.clone(),
                    base: staged.base,
                    verdict: staged.classification.verdict,
                    levels: (staged.compat.backward(), staged.compat.forward()),
                    migration: staged.migration.clone(),
                    lens: staged.lens.clone(),
                })
            }
            // Data alone: HEAD's schema again, nothing to migrate.
            None if !self.data_stage.is_empty() => {
                let base = self
                    .data_stage
                    .values()
                    .find_map(|d| d.base)
                    .ok_or(VcsError::NothingStaged)?;
                let schema = self.schema_of(&base)?;
                let verdict = classify(&[], &self.protocol).verdict;
                Ok(StagedParts {
                    schema,
                    base: Some(base),
                    verdict,
                    levels: (Level::Compatible, Level::Compatible),
                    migration: None,
                    lens: None,
                })
            }
            None => Err(VcsError::NothingStaged),
        }
    }

    /// The commit of what is staged, with every object it needs.
    fn prepare_commit(
        &mut self,
        message: &str,
        author: &str,
        timestamp: Option<i64>,
        allow_breaking: Option<String>,
    ) -> Result<PreparedCommit, VcsError> {
        let StagedParts {
            schema,
            base,
            verdict,
            levels,
            migration,
            lens,
        } = self.staged_parts()?;
        let timestamp = timestamp.unwrap_or_else(|| self.now());
        let schema_obj = object::store_schema(&schema);
        let stored = migration.map(|(source, spec)| StoredMigration {
            source,
            target: schema_obj.id,
            spec,
            lens,
        });
        let migration_obj = stored.as_ref().map(object::store_migration);
        let (datasets, data_objects) = self.commit_datasets(
            base,
            &schema,
            stored
                .as_ref()
                .zip(migration_obj.as_ref())
                .map(|(stored, obj)| (obj.id, stored)),
        )?;
        let commit = Commit {
            schema: schema_obj.id,
            parents: base.into_iter().collect(),
            migration: migration_obj.as_ref().map(|m| m.id),
            merge_migrations: Vec::new(),
            compatibility: Some(verdict.code().to_owned()),
            backward: Some(levels.0),
            forward: Some(levels.1),
            allow_breaking,
            units: self.unit_record(
                &schema,
                base.as_ref(),
                self.stage.as_ref().and_then(Staged::units),
            )?,
            datasets,
            author: author.to_owned(),
            timestamp,
            message: message.to_owned(),
            origin: None,
        };
        let summary = message.lines().next().unwrap_or_default();
        // On a branch, the branch moves by compare-and-swap. A detached HEAD
        // belongs to this working copy, not to the store: the commit's
        // objects are written and only this working copy's HEAD moves (no
        // ref, so no reflog entry; `create_branch` keeps the commit).
        let branch = match &self.head {
            Head::Branch(b) => Some(BranchMove {
                branch: b,
                from: base,
                message: format!(
                    "commit{}: {summary}",
                    if base.is_none() { " (initial)" } else { "" }
                ),
            }),
            Head::Detached(_) => None,
        };
        let objects = [Some(schema_obj), migration_obj]
            .into_iter()
            .flatten()
            .chain(data_objects)
            .collect();
        Ok(PreparedCommit::new(
            objects, commit, schema, branch, timestamp,
        ))
    }

    /// Commits reachable from HEAD by first parents, newest first.
    pub fn log(&self, limit: Option<usize>) -> Result<Vec<CommitInfo>, VcsError> {
        let Some(head) = self.head_commit()? else {
            return Ok(Vec::new());
        };
        let chain = self.store.first_parent_chain(&head, limit)?;
        decode_commits(&chain, self.store.backend())
    }

    /// Resolves a ref to a commit id: `HEAD`, `HEAD~N`, a branch or tag name
    /// (annotated tags peeled to their commit), a full commit or tag object
    /// id, or the first 4+ hex digits of a commit id; each may take `~N`.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if it names no commit.
    pub fn resolve(&self, reference: &str) -> Result<ObjectId, VcsError> {
        let not_found = || VcsError::NotFound(format!("ref {reference:?}"));
        if check_text("ref", reference).is_err() {
            // No ref holds a NUL byte (names are checked when made); a
            // store may not even be asked about one.
            return Err(not_found());
        }
        let (base, back) = match reference.split_once('~') {
            Some((b, n)) => (b, n.parse::<usize>().map_err(|_| not_found())?),
            None => (reference, 0),
        };
        let mut id = if base == HEAD {
            self.head_commit()?.ok_or_else(|| {
                VcsError::NotFound("a commit at HEAD (the branch has no commits yet)".to_owned())
            })?
        } else if let Ok(id) = base.parse::<ObjectId>() {
            // A full id may be an annotated tag's; a missing object is
            // reported below as a missing commit.
            match self.peel(id) {
                Err(VcsError::NotFound(_)) => id,
                other => other?.0,
            }
        } else {
            // A branch first, then a tag, then a short commit id, as git does.
            match self.store.read_ref(&branch_ref(base))? {
                Some(RefTarget::Id(id)) => id,
                _ => match self.store.read_ref(&format!("{}{base}", refs::TAGS))? {
                    Some(RefTarget::Id(id)) => self.peel(id)?.0,
                    _ => self.short_id(base)?.ok_or_else(not_found)?,
                },
            }
        };
        for _ in 0..back {
            id = *self
                .read_commit(&id)?
                .parents
                .first()
                .ok_or_else(not_found)?;
        }
        self.read_commit(&id)?;
        Ok(id)
    }

    /// The commit whose id starts with `prefix` (at least 4 hex digits).
    ///
    /// # Errors
    /// [`VcsError::InvalidInput`] if several commits share the prefix.
    fn short_id(&self, prefix: &str) -> Result<Option<ObjectId>, VcsError> {
        let Some((low, high)) = ObjectId::prefix_range(prefix).filter(|_| prefix.len() >= 4) else {
            return Ok(None);
        };
        match self
            .store
            .ids_between(ObjectKind::Commit, &low, &high, 2)?
            .as_slice()
        {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => Err(VcsError::InvalidInput {
                what: "commit id",
                reason: format!(
                    "{prefix:?} is the start of several commits' ids; give more digits"
                ),
            }),
        }
    }

    /// The changes from the schema at `from` to the schema at `to`, classified.
    ///
    /// `to: None` is the working state, as `git diff` has it: the staged
    /// schema if one is staged, else HEAD's (so with nothing staged, the
    /// diff from `from` to HEAD).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if a ref names no commit.
    pub fn diff(&mut self, from: &str, to: Option<&str>) -> Result<Compared, VcsError> {
        let a = self.resolve(from)?;
        let old = self.schema_of(&a)?;
        let new = match (to, &self.stage) {
            (Some(to), _) => {
                let b = self.resolve(to)?;
                self.schema_of(&b)?
            }
            (None, Some(staged)) => staged.schema.clone(),
            (None, None) => {
                let head = self.resolve("HEAD")?;
                self.schema_of(&head)?
            }
        };
        let changes = diff(&old, &new);
        let classification = classify(&changes, &self.protocol);
        let compat = compatibility_of(&old, &new, &changes);
        Ok(Compared {
            changes,
            classification,
            compat,
        })
    }

    /// A commit and what it changed from its first parent.
    pub fn show(&mut self, reference: &str) -> Result<Shown, VcsError> {
        let id = self.resolve(reference)?;
        let commit = self.read_commit(&id)?;
        let schema = self.schema_of(&id)?;
        let (changes, compat) = match commit.parents.first() {
            Some(parent) => {
                let old = self.read_schema(&self.commit_of(parent)?.schema)?;
                let changes = diff(&old, &schema);
                let compat = compatibility_of(&old, &schema, &changes);
                (changes, compat)
            }
            // Against nothing, as `add` judged it.
            None => {
                let old = empty_schema(&schema);
                let changes = diff(&old, &schema);
                let compat = compatibility_of(&old, &schema, &changes);
                (changes, compat)
            }
        };
        let classification = classify(&changes, &self.protocol);
        let lens = self.recorded_lens(&commit)?;
        Ok(Shown {
            info: CommitInfo { id, commit },
            changes,
            classification,
            compat,
            lens,
        })
    }

    /// What moves records across a commit from its first parent: its
    /// committed lens, or the migration it recorded, compiled.
    pub fn migration_of(&mut self, reference: &str) -> Result<Option<Migrator>, VcsError> {
        self.migration_from_parent(reference, 0)
    }

    /// What moves records across a commit from its parent number
    /// `parent` (0: the first; a merge commit has one from each parent).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if the commit has no such parent.
    pub fn migration_from_parent(
        &mut self,
        reference: &str,
        parent: usize,
    ) -> Result<Option<Migrator>, VcsError> {
        let id = self.resolve(reference)?;
        let commit = self.read_commit(&id)?;
        if commit.parents.is_empty() && parent == 0 {
            return Ok(None);
        }
        let source = *commit.parents.get(parent).ok_or_else(|| {
            VcsError::NotFound(format!(
                "parent {parent} of commit {} (it has {})",
                id.short(),
                commit.parents.len()
            ))
        })?;
        let recorded = match parent {
            0 => commit.migration,
            n => commit.merge_migrations.get(n - 1).copied(),
        };
        let Some(mid) = recorded else {
            return Ok(None);
        };
        let (src, tgt) = (self.schema_of(&source)?, self.schema_of(&id)?);
        self.compile_stored(&mid, src, tgt, &id).map(Some)
    }

    /// The lens commit `reference` was committed with, if any.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if the ref names no commit.
    pub fn lens_of(&self, reference: &str) -> Result<Option<StoredLens>, VcsError> {
        self.recorded_lens(&self.read_commit(&self.resolve(reference)?)?)
    }

    fn recorded_lens(&self, commit: &Commit) -> Result<Option<StoredLens>, VcsError> {
        match commit.migration {
            Some(mid) => {
                let obj = self.read_kind(&mid, ObjectKind::Migration)?;
                Ok(object::load_migration(&obj)?.lens)
            }
            None => Ok(None),
        }
    }

    /// Compiles migration object `mid`, which commit `commit` recorded from
    /// `src` to `tgt`. The history only stores migrations that compile, so
    /// one that does not means the store is damaged.
    fn compile_stored(
        &self,
        mid: &ObjectId,
        src: Schema,
        tgt: Schema,
        commit: &ObjectId,
    ) -> Result<Migrator, VcsError> {
        let stored = object::load_migration(&self.read_kind(mid, ObjectKind::Migration)?)?;
        Migrator::of(&stored, src, tgt).map_err(|e| {
            self.damaged(format!(
                "the migration stored for commit {} does not compile: {e}",
                commit.short()
            ))
        })
    }

    /// The error for a store whose history contradicts itself.
    fn damaged(&self, why: String) -> VcsError {
        VcsError::Store(StoreError::new(
            self.store.backend(),
            StoreErrorKind::Corrupt,
            why,
        ))
    }

    /// Branch, head commit, and what is staged with how it differs from HEAD.
    pub fn status(&self) -> Result<Status, VcsError> {
        Ok(Status {
            head: self.head.clone(),
            head_commit: self.head_commit()?,
            staged: self.stage.clone(),
            staged_data: self
                .data_stage
                .iter()
                .map(|(name, d)| (name.clone(), d.dataset.count))
                .collect(),
        })
    }
}

/// Below this many commits `log` decodes on the calling thread.
const PARALLEL_DECODE_ABOVE: usize = 8192;

/// Decodes the commits of a chain, in order. A long history (100,000
/// commits: about 1 µs of JSON each) is split over the available cores.
fn decode_commits(
    chain: &[StoredObject],
    backend: &'static str,
) -> Result<Vec<CommitInfo>, VcsError> {
    let decode = |objs: &[StoredObject]| -> Result<Vec<CommitInfo>, VcsError> {
        objs.iter()
            .map(|obj| {
                Ok(CommitInfo {
                    id: obj.id,
                    commit: object::load_commit(obj)?,
                })
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if chain.len() <= PARALLEL_DECODE_ABOVE || threads < 2 {
        return decode(chain);
    }
    let size = chain.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = chain
            .chunks(size)
            .map(|part| scope.spawn(move || decode(part)))
            .collect();
        let mut out = Vec::with_capacity(chain.len());
        for part in parts {
            // A decoding thread does not panic (load_commit returns errors);
            // if one did, report it as damage rather than unwinding.
            let decoded = part.join().map_err(|_| {
                StoreError::new(
                    backend,
                    StoreErrorKind::Corrupt,
                    "decoding the history failed",
                )
            })??;
            out.extend(decoded);
        }
        Ok(out)
    })
}

/// The empty schema of `schema`'s protocol, what a first commit changes.
fn empty_schema(schema: &Schema) -> Schema {
    // An empty schema of a protocol always validates.
    Schema::builder(Arc::clone(schema.protocol()))
        .build()
        .unwrap_or_else(|_| schema.clone())
}
