//! Reading a dataset back, streamed: a [`DataCursor`] decodes one chunk of
//! records at a time.

// The module's shared imports and helpers, as one room of it.
use super::*;

/// One thing a [`DataCursor`] does to every chunk.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// Lift every record rooted at `root`.
    Lift { migrator: Migrator, root: String },
    /// Rebuild every record from its view and the complement kept for it
    /// (chunk for chunk), or, with none kept, what a lens restores by
    /// default.
    Put {
        migrator: Migrator,
        complements: Option<Vec<ObjectId>>,
    },
}

/// A dataset being read chunk by chunk, each chunk passed through the
/// migration steps between the version it is stored at and the one asked
/// for. Owns no borrow of the repository: give it the store at each call,
/// so a caller (Python's iterator) can release the repository in between.
#[derive(Debug, Clone)]
pub struct DataCursor {
    pub(super) name: String,
    pub(super) count: u64,
    pub(super) chunks: Vec<ObjectId>,
    pub(super) steps: Vec<Step>,
    pub(super) next: usize,
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
                Step::Lift { migrator, root } => migrator
                    .lift_all(root, values)
                    .map_err(|e| not_migratable(&self.name, e))?,
                Step::Put {
                    migrator,
                    complements: None,
                } => values
                    .into_iter()
                    .map(|view| migrator.put(view, None))
                    .collect::<Result<_, _>>()
                    .map_err(|e| not_migratable(&self.name, e))?,
                Step::Put {
                    migrator,
                    complements: Some(complements),
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
                            Value::Bytes(c) => migrator
                                .put(view, Some(&c))
                                .map_err(|e| not_migratable(&self.name, e)),
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

impl<S: Store> Repository<S> {
    /// The datasets of the commit `reference` names, with their record counts.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if the ref names no commit.
    pub fn datasets(&self, reference: &str) -> Result<BTreeMap<String, u64>, VcsError> {
        let commit = self.read_commit(&self.resolve(reference)?)?;
        self.dataset_counts(&commit)
    }

    /// The record counts of `commit`'s datasets, by name.
    pub(in crate::vcs::repository) fn dataset_counts(
        &self,
        commit: &Commit,
    ) -> Result<BTreeMap<String, u64>, VcsError> {
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
}
