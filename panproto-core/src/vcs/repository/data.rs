//! Versioned data: datasets staged with `add_data`, carried forward by
//! `commit`, read with `data_at`, moved between versions with `migrate_data`.
//!
//! The invariant: **every dataset in a commit conforms to that commit's
//! schema.** A commit inherits its first parent's datasets, overridden by
//! the ones staged with [`Repository::add_data`]. When a commit changes the
//! schema, each inherited dataset is carried forward: every record goes
//! through the commit's migration with `get`, the view must validate
//! against the new schema, and the complements are kept in the new
//! dataset's [`Lineage`], chunk for chunk, so going back later restores the
//! original records exactly. A dataset is content-addressed: the same
//! records against the same schema make the same id, and unchanged chunks
//! are shared.
//!
//! Reading is streamed: a [`DataCursor`] holds the list of chunk ids and
//! the migration steps, and decodes one chunk of [`CHUNK_RECORDS`] records
//! at a time, so a dataset never needs to be in memory whole.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::encoding::{ObjectError, ObjectId};
use crate::migration::{CompiledMigration, MigrationSpec};
use crate::model::record::{RecordViolation, Value};
use crate::model::schema::Schema;
use crate::vcs::error::{StoreError, StoreErrorKind, VcsError};
use crate::vcs::object::{self, CHUNK_RECORDS, Commit, Dataset, Lineage, ObjectKind, StoredObject};
use crate::vcs::store::Store;

use super::Repository;

/// A dataset waiting to be committed, its chunks already encoded.
#[derive(Debug, Clone)]
pub struct StagedData {
    /// The dataset (its `schema` is the one it was validated against).
    pub dataset: Dataset,
    /// Its chunks, ready to write.
    pub chunks: Vec<StoredObject>,
    /// The commit HEAD was at when it was staged: a commit of data alone
    /// goes on top of it, or fails with a conflict if the branch moved.
    pub base: Option<ObjectId>,
}

/// Checks a dataset name: not empty, no control characters, at most 255 bytes.
fn check_name(name: &str) -> Result<(), VcsError> {
    let reason = if name.trim().is_empty() {
        Some("it is empty".to_owned())
    } else if name.chars().any(char::is_control) {
        Some(format!("{name:?} contains a control character"))
    } else if name.len() > 255 {
        Some("it is longer than 255 bytes".to_owned())
    } else {
        None
    };
    match reason {
        Some(reason) => Err(VcsError::InvalidInput {
            what: "dataset name",
            reason,
        }),
        None => Ok(()),
    }
}

/// The typed error for a record's first violation (the others counted).
fn invalid(name: &str, index: usize, problems: Vec<RecordViolation>, context: &str) -> VcsError {
    let more = problems.len().saturating_sub(1);
    let first = problems.into_iter().next();
    let (path, message) = first.map_or_else(Default::default, |p| (p.path, p.message));
    let more = match more {
        0 => String::new(),
        1 => " (and 1 more problem)".to_owned(),
        n => format!(" (and {n} more problems)"),
    };
    VcsError::DataValidation {
        dataset: name.to_owned(),
        index: index as u64,
        path,
        message: format!("{context}{message}{more}"),
    }
}

fn not_migratable(name: &str, reason: impl Into<String>) -> VcsError {
    VcsError::DataMigration {
        dataset: name.to_owned(),
        reason: reason.into(),
    }
}

/// Where a record root goes under a one-stage mapping.
fn root_image(src: &Schema, tgt: &Schema, spec: &MigrationSpec, root: &str) -> Option<String> {
    spec.images(src, tgt).remove(root)
}

/// Encodes values into chunks of [`CHUNK_RECORDS`] as they arrive.
#[derive(Debug, Default)]
struct Chunker {
    pending: Vec<Value>,
    done: Vec<StoredObject>,
}

impl Chunker {
    fn push(&mut self, value: Value) -> Result<(), ObjectError> {
        self.pending.push(value);
        if self.pending.len() == CHUNK_RECORDS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ObjectError> {
        if !self.pending.is_empty() {
            self.done.push(object::store_chunk(&self.pending)?);
            self.pending.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<StoredObject>, ObjectError> {
        self.flush()?;
        Ok(self.done)
    }
}

/// A dataset being written: records validated and encoded as they come,
/// owning no borrow of the repository (so a caller can feed it in batches
/// between other work). Made by [`Repository::data_writer`], staged by
/// [`Repository::stage_data`].
#[derive(Debug)]
pub struct DataWriter {
    name: String,
    root: String,
    checker: crate::model::record::RecordChecker,
    chunker: Chunker,
    count: u64,
    base: Option<ObjectId>,
}

impl DataWriter {
    /// Validates and encodes more records.
    ///
    /// # Errors
    /// [`VcsError::DataValidation`] naming the first bad record (its index
    /// counts every record given so far); the writer should then be dropped.
    pub fn extend(&mut self, records: impl IntoIterator<Item = Value>) -> Result<(), VcsError> {
        for record in records {
            let problems = self.checker.check(&record, &self.root);
            if !problems.is_empty() {
                return Err(invalid(&self.name, self.count as usize, problems, ""));
            }
            self.chunker.push(record)?;
            self.count += 1;
        }
        Ok(())
    }

    /// Records accepted so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// One thing a [`DataCursor`] does to every chunk.
#[derive(Debug, Clone)]
enum Step {
    /// Lift every record rooted at `root`.
    Lift {
        migration: CompiledMigration,
        root: String,
    },
    /// Rebuild every record from its view and the complement kept for it.
    Put {
        migration: CompiledMigration,
        complements: Vec<ObjectId>,
    },
}

/// A dataset being read chunk by chunk, each chunk passed through the
/// migration steps between the version it is stored at and the one asked
/// for. Owns no borrow of the repository: give it the store at each call,
/// so a caller (Python's iterator) can release the repository in between.
#[derive(Debug, Clone)]
pub struct DataCursor {
    name: String,
    count: u64,
    chunks: Vec<ObjectId>,
    steps: Vec<Step>,
    next: usize,
}

impl DataCursor {
    /// The dataset's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of records the cursor yields in all.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of records not yet read.
    pub fn remaining(&self) -> u64 {
        let read = (self.next * CHUNK_RECORDS) as u64;
        self.count.saturating_sub(read)
    }

    /// Reads, decodes and migrates the next chunk; `None` at the end.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] / [`VcsError::Store`] if a chunk is missing
    /// or corrupt; [`VcsError::DataMigration`] if a kept complement does
    /// not fit its migration.
    pub fn next_chunk<S: Store>(&mut self, store: &S) -> Result<Option<Vec<Value>>, VcsError> {
        let Some(id) = self.chunks.get(self.next).copied() else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        let mut values = read_chunk(store, &id)?;
        for step in &self.steps {
            values = match step {
                Step::Lift { migration, root } => {
                    let rooted = migration
                        .rooted(Some(root))
                        .map_err(|e| not_migratable(&self.name, e.to_string()))?;
                    values.into_iter().map(|v| rooted.lift(v)).collect()
                }
                Step::Put {
                    migration,
                    complements,
                } => {
                    let comp_id = complements.get(index).ok_or_else(|| {
                        not_migratable(
                            &self.name,
                            "its lineage has fewer complement chunks than records",
                        )
                    })?;
                    let comps = read_chunk(store, comp_id)?;
                    if comps.len() != values.len() {
                        return Err(not_migratable(
                            &self.name,
                            format!(
                                "complement chunk {} holds {} complements for {} records",
                                comp_id.short(),
                                comps.len(),
                                values.len()
                            ),
                        ));
                    }
                    values
                        .into_iter()
                        .zip(comps)
                        .map(|(view, comp)| match comp {
                            Value::Bytes(c) => migration
                                .put(view, &c)
                                .map_err(|e| not_migratable(&self.name, e.to_string())),
                            other => Err(not_migratable(
                                &self.name,
                                format!("a kept complement is {}, not bytes", other.type_name()),
                            )),
                        })
                        .collect::<Result<_, _>>()?
                }
            };
        }
        Ok(Some(values))
    }

    /// The records as an iterator, reading through `store`.
    pub fn records<S: Store>(self, store: &S) -> Records<'_, S> {
        Records {
            store,
            cursor: self,
            ready: Vec::new().into_iter(),
            failed: false,
        }
    }
}

/// A dataset's records, read chunk by chunk (see [`DataCursor`]).
pub struct Records<'s, S: Store> {
    store: &'s S,
    cursor: DataCursor,
    ready: std::vec::IntoIter<Value>,
    failed: bool,
}

impl<S: Store> Iterator for Records<'_, S> {
    type Item = Result<Value, VcsError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(v) = self.ready.next() {
                return Some(Ok(v));
            }
            if self.failed {
                return None;
            }
            match self.cursor.next_chunk(self.store) {
                Ok(Some(chunk)) => self.ready = chunk.into_iter(),
                Ok(None) => return None,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

fn read_object<S: Store>(
    store: &S,
    id: &ObjectId,
    kind: ObjectKind,
) -> Result<StoredObject, VcsError> {
    let obj = store
        .read_object(id)?
        .ok_or_else(|| VcsError::NotFound(format!("{} {}", kind.name(), id.short())))?;
    if obj.kind != kind {
        return Err(VcsError::Store(StoreError::new(
            store.backend(),
            StoreErrorKind::Corrupt,
            format!(
                "object {} is a {}, not a {}",
                id.short(),
                obj.kind.name(),
                kind.name()
            ),
        )));
    }
    Ok(obj)
}

fn read_chunk<S: Store>(store: &S, id: &ObjectId) -> Result<Vec<Value>, VcsError> {
    Ok(object::load_chunk(&read_object(
        store,
        id,
        ObjectKind::Chunk,
    )?)?)
}

fn read_dataset<S: Store>(store: &S, id: &ObjectId) -> Result<Dataset, VcsError> {
    Ok(object::load_dataset(&read_object(
        store,
        id,
        ObjectKind::Dataset,
    )?)?)
}

/// Going back across one commit, how the records are rebuilt.
enum Back {
    /// With the complements the commit kept: exact; the records become `source`'s.
    Put(Lineage),
    /// With the inverse migration.
    Invert,
}

impl<S: Store> Repository<S> {
    /// Stages `records` as dataset `name` for the next commit, replacing
    /// what was staged under that name, and returns the dataset's id.
    ///
    /// Every record must validate against the staged schema, or HEAD's if
    /// none is staged, read at vertex `root` (by default the schema's only
    /// record root: the one vertex no property, item, variant or wrapper
    /// edge leads to). Records are encoded as they arrive, so only the
    /// encoded chunks are held. To feed records in batches without holding
    /// the repository, use [`Repository::data_writer`] and
    /// [`Repository::stage_data`].
    ///
    /// # Errors
    /// [`VcsError::DataValidation`] naming the first bad record's index and
    /// path (nothing is staged); [`VcsError::InvalidInput`] for a bad name,
    /// no schema to validate against, or no default root;
    /// [`VcsError::Store`] if a record cannot be encoded.
    pub fn add_data(
        &mut self,
        name: &str,
        records: impl IntoIterator<Item = Value>,
        root: Option<&str>,
    ) -> Result<ObjectId, VcsError> {
        let mut writer = self.data_writer(name, root)?;
        writer.extend(records)?;
        self.stage_data(writer)
    }

    /// Starts a dataset for [`Repository::add_data`]: validates the name
    /// and picks the schema and root the records will be checked against.
    ///
    /// # Errors
    /// As [`Repository::add_data`], before any record is read.
    pub fn data_writer(&mut self, name: &str, root: Option<&str>) -> Result<DataWriter, VcsError> {
        let base = self.head_commit()?;
        self.data_writer_on(name, root, base)
    }

    /// A writer for dataset `name` staged as a change from commit `base`
    /// (`None`: the branch's first commit) rather than from HEAD, checked
    /// against the staged schema or else `base`'s: how a working copy that
    /// saved its staged data restores it, so that a commit of it is refused
    /// if the branch moved meanwhile (then [`rebase`](Self::rebase)).
    ///
    /// # Errors
    /// As [`data_writer`](Self::data_writer).
    pub fn data_writer_on(
        &mut self,
        name: &str,
        root: Option<&str>,
        base: Option<ObjectId>,
    ) -> Result<DataWriter, VcsError> {
        check_name(name)?;
        let base_schema = match base {
            Some(id) => Some(self.schema_of(&id)?),
            None => None,
        };
        let schema = match (&self.stage, base_schema) {
            (Some(staged), _) => staged.schema.clone(),
            (None, Some(schema)) => schema,
            (None, None) => {
                return Err(VcsError::InvalidInput {
                    what: "dataset",
                    reason: "there is no schema to validate it against: add and commit (or stage) a schema first"
                        .to_owned(),
                });
            }
        };
        let root = match root {
            Some(r) => r.to_owned(),
            None => default_root(&schema)?,
        };
        Ok(DataWriter {
            name: name.to_owned(),
            root,
            checker: schema.record_checker(),
            chunker: Chunker::default(),
            count: 0,
            base,
        })
    }

    /// Stages what `writer` was given; returns the dataset's id.
    ///
    /// # Errors
    /// [`VcsError::InvalidInput`] if the staged schema changed since the
    /// writer was made (make a new one); [`VcsError::Store`] if the last
    /// chunk cannot be encoded.
    pub fn stage_data(&mut self, writer: DataWriter) -> Result<ObjectId, VcsError> {
        let expected = match &self.stage {
            Some(staged) => Some(staged.schema.id()),
            None => self
                .head_commit()?
                .map(|id| self.read_commit(&id))
                .transpose()?
                .map(|c| c.schema),
        };
        if expected != Some(writer.checker.schema().id()) {
            return Err(VcsError::InvalidInput {
                what: "dataset",
                reason: "the schema changed while its records were being read; add the data again"
                    .to_owned(),
            });
        }
        let chunks = writer.chunker.finish()?;
        let dataset = Dataset {
            schema: writer.checker.schema().id(),
            root: writer.root,
            count: writer.count,
            chunks: chunks.iter().map(|c| c.id).collect(),
            lineage: None,
        };
        let id = object::store_dataset(&dataset).id;
        self.data_stage.insert(
            writer.name,
            StagedData {
                dataset,
                chunks,
                base: writer.base,
            },
        );
        Ok(id)
    }

    /// The datasets staged for the next commit, by name.
    pub fn staged_data(&self) -> &BTreeMap<String, StagedData> {
        &self.data_stage
    }

    /// Drops a staged dataset; returns whether one was staged under `name`.
    pub fn unstage_data(&mut self, name: &str) -> bool {
        self.data_stage.remove(name).is_some()
    }

    /// The datasets of the commit `reference` names, with their record counts.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if the ref names no commit.
    pub fn datasets(&self, reference: &str) -> Result<BTreeMap<String, u64>, VcsError> {
        let commit = self.read_commit(&self.resolve(reference)?)?;
        commit
            .datasets
            .iter()
            .map(|(name, id)| Ok((name.clone(), read_dataset(&self.store, id)?.count)))
            .collect()
    }

    /// Dataset `name` as commit `reference` holds it, to read chunk by chunk.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if the ref names no commit or the commit has no such dataset.
    pub fn data_cursor(&self, reference: &str, name: &str) -> Result<DataCursor, VcsError> {
        let commit = self.read_commit(&self.resolve(reference)?)?;
        let id = dataset_id(&commit, name, reference)?;
        let dataset = read_dataset(&self.store, &id)?;
        Ok(DataCursor {
            name: name.to_owned(),
            count: dataset.count,
            chunks: dataset.chunks,
            steps: Vec::new(),
            next: 0,
        })
    }

    /// The records of dataset `name` at `reference`, streamed chunk by chunk.
    ///
    /// # Errors
    /// As [`Repository::data_cursor`]; each item may fail as
    /// [`DataCursor::next_chunk`] does.
    pub fn data_at(&self, reference: &str, name: &str) -> Result<Records<'_, S>, VcsError> {
        Ok(self.data_cursor(reference, name)?.records(&self.store))
    }

    /// Dataset `name` as `from` holds it, moved to `to`'s schema, to read
    /// chunk by chunk (see [`Repository::migrate_data`]).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if a ref names no commit, `from` has no such
    /// dataset, or the two commits share no history;
    /// [`VcsError::DataMigration`] if the way back needs complements that
    /// were not kept and a migration on it is not invertible, or a
    /// migration drops the dataset's root.
    pub fn migrate_cursor(
        &mut self,
        name: &str,
        from: &str,
        to: &str,
    ) -> Result<DataCursor, VcsError> {
        let (from_id, to_id) = (self.resolve(from)?, self.resolve(to)?);
        let from_commit = self.read_commit(&from_id)?;
        let dataset = read_dataset(&self.store, &dataset_id(&from_commit, name, from)?)?;
        let (back, forward) = self.path(&from_id, &to_id)?;
        let mut plan = Planner {
            name,
            schemas: HashMap::new(),
            steps: Vec::new(),
            root: dataset.root.clone(),
            current: from_commit.datasets.get(name).copied(),
        };
        // `back` runs from `from` down to the common ancestor, each commit
        // with its first parent; `forward` from the ancestor up to `to`.
        for (child, parent) in back {
            self.step_back(&mut plan, &child, &parent)?;
        }
        for (parent, child) in forward {
            let Some(migration) = self.commit_migration(&mut plan.schemas, &parent, &child)? else {
                continue;
            };
            plan.lift(migration)?;
        }
        Ok(DataCursor {
            name: name.to_owned(),
            count: dataset.count,
            chunks: dataset.chunks,
            steps: plan.steps,
            next: 0,
        })
    }

    /// Dataset `name` as `from` holds it, moved along the history to `to`'s
    /// schema, streamed chunk by chunk.
    ///
    /// Forward (`to` descends from `from`), the migrations of the commits
    /// between are composed into one and every record lifted through it.
    /// Backward, each commit is undone with `put` and the complements the
    /// commit kept when it carried the dataset forward, which restores the
    /// original records exactly; where none were kept (the data was
    /// restaged there), with the inverse migration if there is one. On two
    /// branches, back to the common ancestor, then forward.
    ///
    /// # Errors
    /// As [`Repository::migrate_cursor`].
    pub fn migrate_data(
        &mut self,
        name: &str,
        from: &str,
        to: &str,
    ) -> Result<Records<'_, S>, VcsError> {
        let cursor = self.migrate_cursor(name, from, to)?;
        Ok(cursor.records(&self.store))
    }

    /// The datasets commit `commit` will hold, and the objects to write for
    /// them: the parent's, carried forward through `migration` if the
    /// schema changed, overridden by the staged ones (re-validated if they
    /// were staged against another schema).
    pub(super) fn commit_datasets(
        &mut self,
        parent: Option<ObjectId>,
        schema: &Schema,
        migration: Option<(ObjectId, &MigrationSpec)>,
    ) -> Result<(BTreeMap<String, ObjectId>, Vec<StoredObject>), VcsError> {
        let mut datasets = BTreeMap::new();
        let mut objects = Vec::new();
        let staged = std::mem::take(&mut self.data_stage);
        let result = self.build_datasets(
            &staged,
            parent,
            schema,
            migration,
            &mut datasets,
            &mut objects,
        );
        // Staged data stays staged until the commit lands.
        self.data_stage = staged;
        result.map(|()| (datasets, objects))
    }

    fn build_datasets(
        &mut self,
        staged: &BTreeMap<String, StagedData>,
        parent: Option<ObjectId>,
        schema: &Schema,
        migration: Option<(ObjectId, &MigrationSpec)>,
        datasets: &mut BTreeMap<String, ObjectId>,
        objects: &mut Vec<StoredObject>,
    ) -> Result<(), VcsError> {
        if let Some(parent) = parent {
            let parent_commit = self.commit_of(&parent)?;
            let inherited: Vec<(String, ObjectId)> = parent_commit
                .datasets
                .into_iter()
                .filter(|(name, _)| !staged.contains_key(name))
                .collect();
            if parent_commit.schema == schema.id() || inherited.is_empty() {
                datasets.extend(inherited);
            } else {
                let old = self.schema_of(&parent)?;
                let (mid, spec) = migration.ok_or_else(|| {
                    self.damaged("the schema changed but the commit has no migration".to_owned())
                })?;
                let compiled =
                    CompiledMigration::compile(old.clone(), schema.clone(), spec.clone()).map_err(
                        |e| {
                            not_migratable(
                                inherited.first().map_or("", |(n, _)| n.as_str()),
                                format!("the migration to the new schema does not compile: {e}"),
                            )
                        },
                    )?;
                for (name, id) in inherited {
                    let (dataset, chunks) =
                        self.carry_forward(&name, &id, &old, schema, &compiled, mid, spec)?;
                    let obj = object::store_dataset(&dataset);
                    datasets.insert(name, obj.id);
                    objects.extend(chunks);
                    objects.push(obj);
                }
            }
        }
        for (name, data) in staged {
            let mut dataset = data.dataset.clone();
            if dataset.schema != schema.id() {
                // Staged against a schema that was replaced since: check again.
                let checker = schema.record_checker();
                let mut index = 0usize;
                for chunk in &data.chunks {
                    for record in object::load_chunk(chunk)? {
                        let problems = checker.check(&record, &dataset.root);
                        if !problems.is_empty() {
                            return Err(invalid(
                                name,
                                index,
                                problems,
                                "against the schema staged after the data: ",
                            ));
                        }
                        index += 1;
                    }
                }
                dataset.schema = schema.id();
            }
            let obj = object::store_dataset(&dataset);
            datasets.insert(name.clone(), obj.id);
            objects.extend(data.chunks.iter().cloned());
            objects.push(obj);
        }
        Ok(())
    }

    /// Where the records of dataset `id` were last staged: the dataset itself,
    /// or, for one carried forward by commits, the one it was carried from.
    /// Two datasets with the same origin hold the same data seen at two
    /// versions, which is how a merge tells "only the schema moved" from
    /// "someone changed the records".
    pub(super) fn data_origin(&self, id: &ObjectId) -> Result<ObjectId, VcsError> {
        let mut id = *id;
        while let Some(lineage) = read_dataset(&self.store, &id)?.lineage {
            id = lineage.source;
        }
        Ok(id)
    }

    /// Each dataset of a commit's map by its [`data_origin`](Self::data_origin).
    pub(super) fn data_origins(
        &self,
        datasets: &BTreeMap<String, ObjectId>,
    ) -> Result<BTreeMap<String, ObjectId>, VcsError> {
        datasets
            .iter()
            .map(|(name, id)| Ok((name.clone(), self.data_origin(id)?)))
            .collect()
    }

    /// Lifts dataset `id` through a commit's migration, keeping the complements.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn carry_forward(
        &self,
        name: &str,
        id: &ObjectId,
        old: &Schema,
        new: &Schema,
        migration: &CompiledMigration,
        migration_id: ObjectId,
        spec: &MigrationSpec,
    ) -> Result<(Dataset, Vec<StoredObject>), VcsError> {
        let source = read_dataset(&self.store, id)?;
        let root = root_image(old, new, spec, &source.root).ok_or_else(|| {
            not_migratable(
                name,
                format!(
                    "the new schema drops its record root {:?}; stage the data for the new schema with add_data",
                    source.root
                ),
            )
        })?;
        let rooted = migration
            .rooted(Some(&source.root))
            .map_err(|e| not_migratable(name, e.to_string()))?;
        let checker = new.record_checker();
        let (mut views, mut comps) = (Chunker::default(), Chunker::default());
        let mut index = 0usize;
        for chunk in &source.chunks {
            for record in read_chunk(&self.store, chunk)? {
                let (view, comp) = rooted.get(record);
                let problems = checker.check(&view, &root);
                if !problems.is_empty() {
                    return Err(invalid(
                        name,
                        index,
                        problems,
                        "after migrating it to the new schema: ",
                    ));
                }
                views.push(view)?;
                comps.push(Value::Bytes(comp))?;
                index += 1;
            }
        }
        let (views, comps) = (views.finish()?, comps.finish()?);
        let dataset = Dataset {
            schema: new.id(),
            root,
            count: source.count,
            chunks: views.iter().map(|c| c.id).collect(),
            lineage: Some(Lineage {
                source: *id,
                migration: migration_id,
                complements: comps.iter().map(|c| c.id).collect(),
            }),
        };
        Ok((dataset, views.into_iter().chain(comps).collect()))
    }

    /// The first-parent path between two commits: the (child, parent) pairs
    /// from `from` down to their common ancestor, then the (parent, child)
    /// pairs from the ancestor up to `to`.
    #[allow(clippy::type_complexity)]
    fn path(
        &self,
        from: &ObjectId,
        to: &ObjectId,
    ) -> Result<(Vec<(ObjectId, ObjectId)>, Vec<(ObjectId, ObjectId)>), VcsError> {
        let chain = |id: &ObjectId| -> Result<Vec<ObjectId>, VcsError> {
            Ok(self
                .store
                .first_parent_chain(id, None)?
                .iter()
                .map(|o| o.id)
                .collect())
        };
        let (up, down) = (chain(from)?, chain(to)?);
        // A set, not `down.contains`: two 100,000-commit chains would make
        // that search quadratic.
        let below_to: std::collections::HashSet<&ObjectId> = down.iter().collect();
        let ancestor = up
            .iter()
            .find(|id| below_to.contains(id))
            .copied()
            .ok_or_else(|| {
                VcsError::NotFound(format!(
                    "a common history between commits {} and {}",
                    from.short(),
                    to.short()
                ))
            })?;
        let pairs = |chain: &[ObjectId]| -> Vec<(ObjectId, ObjectId)> {
            let end = chain.iter().position(|id| *id == ancestor).unwrap_or(0);
            chain[..=end].windows(2).map(|w| (w[0], w[1])).collect()
        };
        let back = pairs(&up);
        let mut forward: Vec<(ObjectId, ObjectId)> =
            pairs(&down).into_iter().map(|(c, p)| (p, c)).collect();
        forward.reverse();
        Ok((back, forward))
    }

    /// The migration commit `child` recorded from `parent`, compiled; `None`
    /// when the schema did not change.
    fn commit_migration(
        &self,
        schemas: &mut HashMap<ObjectId, Schema>,
        parent: &ObjectId,
        child: &ObjectId,
    ) -> Result<Option<CompiledMigration>, VcsError> {
        let (p, c) = (self.read_commit(parent)?, self.read_commit(child)?);
        if p.schema == c.schema {
            return Ok(None);
        }
        let mid = c.migration.ok_or_else(|| {
            self.damaged(format!(
                "commit {} changes the schema but records no migration",
                child.short()
            ))
        })?;
        let src = self.load_schema(schemas, &p.schema)?;
        let tgt = self.load_schema(schemas, &c.schema)?;
        self.compile_stored(&mid, src, tgt, child).map(Some)
    }

    fn load_schema(
        &self,
        schemas: &mut HashMap<ObjectId, Schema>,
        id: &ObjectId,
    ) -> Result<Schema, VcsError> {
        if let Some(s) = schemas.get(id) {
            return Ok(s.clone());
        }
        let obj = read_object(&self.store, id, ObjectKind::Schema)?;
        let schema = object::load_schema(&obj, Arc::clone(&self.protocol))?;
        schemas.insert(*id, schema.clone());
        Ok(schema)
    }

    /// Plans undoing commit `child` (over `parent`) for the records `plan` holds.
    fn step_back(
        &self,
        plan: &mut Planner<'_>,
        child: &ObjectId,
        parent: &ObjectId,
    ) -> Result<(), VcsError> {
        let Some(migration) = self.commit_migration(&mut plan.schemas, parent, child)? else {
            return Ok(());
        };
        let child_commit = self.read_commit(child)?;
        let held = child_commit.datasets.get(plan.name).copied();
        let mut how = Back::Invert;
        if let (Some(current), Some(held)) = (plan.current, held) {
            if current == held {
                let dataset = read_dataset(&self.store, &held)?;
                if let Some(lineage) = dataset.lineage {
                    if Some(lineage.migration) == child_commit.migration {
                        how = Back::Put(lineage);
                    }
                }
            }
        }
        match how {
            Back::Put(lineage) => {
                let source = read_dataset(&self.store, &lineage.source)?;
                plan.steps.push(Step::Put {
                    migration,
                    complements: lineage.complements,
                });
                plan.root = source.root;
                plan.current = Some(lineage.source);
            }
            Back::Invert => {
                let inverse = migration.invert().map_err(|e| {
                    not_migratable(
                        plan.name,
                        format!(
                            "going back across commit {} needs the complements kept when the data was carried forward, \
                             and there are none (the data was staged there); nor can the migration be undone: {e}",
                            child.short()
                        ),
                    )
                })?;
                plan.lift(inverse)?;
                plan.current = None;
            }
        }
        Ok(())
    }
}

/// The migration steps of a `migrate_data` being worked out.
struct Planner<'n> {
    name: &'n str,
    schemas: HashMap<ObjectId, Schema>,
    steps: Vec<Step>,
    /// The root of the records at this point of the path.
    root: String,
    /// The dataset whose records these are exactly, if they are one's.
    current: Option<ObjectId>,
}

impl Planner<'_> {
    /// Appends a lift, composed into the previous lift if there is one.
    fn lift(&mut self, migration: CompiledMigration) -> Result<(), VcsError> {
        let new_root = migration
            .parts()
            .iter()
            .try_fold(self.root.clone(), |root, (src, tgt, spec)| {
                root_image(src, tgt, spec, &root)
            })
            .ok_or_else(|| {
                not_migratable(
                    self.name,
                    format!(
                        "the migration from schema {} drops the record root {:?}",
                        migration.source().id().short(),
                        self.root
                    ),
                )
            })?;
        match self.steps.last_mut() {
            Some(Step::Lift {
                migration: prev, ..
            }) => {
                *prev = prev
                    .compose(&migration)
                    .map_err(|e| not_migratable(self.name, e.to_string()))?;
            }
            _ => self.steps.push(Step::Lift {
                migration,
                root: self.root.clone(),
            }),
        }
        self.root = new_root;
        self.current = None;
        Ok(())
    }
}

/// The id of dataset `name` in `commit`.
fn dataset_id(commit: &Commit, name: &str, reference: &str) -> Result<ObjectId, VcsError> {
    commit
        .datasets
        .get(name)
        .copied()
        .ok_or_else(|| VcsError::NotFound(format!("dataset {name:?} at {reference}")))
}

/// The schema's only record root.
fn default_root(schema: &Schema) -> Result<String, VcsError> {
    let roots = schema.record_roots();
    match roots.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(VcsError::InvalidInput {
            what: "dataset root",
            reason: format!(
                "the schema has {} possible record roots ({}); say which with root=",
                roots.len(),
                roots.join(", ")
            ),
        }),
    }
}
