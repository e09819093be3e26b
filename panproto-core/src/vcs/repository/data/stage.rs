//! Staging data: records validated and encoded as they come (a
//! [`DataWriter`] over a chunker), then staged for the next commit.

// The module's shared imports and helpers, as one room of it.
use super::*;

/// Encodes values into chunks of [`CHUNK_RECORDS`] as they arrive.
#[derive(Debug, Default)]
pub(super) struct Chunker {
    pending: Vec<Value>,
    done: Vec<StoredObject>,
}

impl Chunker {
    pub(super) fn push(&mut self, value: Value) -> Result<(), ObjectError> {
        self.pending.push(value);
        if self.pending.len() == CHUNK_RECORDS {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> Result<(), ObjectError> {
        if !self.pending.is_empty() {
            self.done.push(object::store_chunk(&self.pending)?);
            self.pending.clear();
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<Vec<StoredObject>, ObjectError> {
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
}
