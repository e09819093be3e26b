//! What a commit does with datasets: the staged ones in place of the first
//! parent's, and each inherited dataset carried through the commit's
//! migration, with its complements kept (the invariant of the module doc).

// The module's shared imports and helpers, as one room of it.
use super::*;

impl<S: Store> Repository<S> {
    /// The datasets commit `commit` will hold, and the objects to write for
    /// them: the parent's, carried forward through `migration` if the
    /// schema changed, overridden by the staged ones (re-validated if they
    /// were staged against another schema).
    pub(in crate::vcs::repository) fn commit_datasets(
        &mut self,
        parent: Option<ObjectId>,
        schema: &Schema,
        migration: Option<(ObjectId, &StoredMigration)>,
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
        migration: Option<(ObjectId, &StoredMigration)>,
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
                let (mid, stored) = migration.ok_or_else(|| {
                    self.damaged("the schema changed but the commit has no migration".to_owned())
                })?;
                let migrator = Migrator::of(stored, old, schema.clone()).map_err(|e| {
                    not_migratable(
                        inherited.first().map_or("", |(n, _)| n.as_str()),
                        format!("the migration to the new schema does not compile: {e}"),
                    )
                })?;
                for (name, id) in inherited {
                    let (dataset, chunks) = self.carry_forward(&name, &id, &migrator, mid)?;
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
    pub(in crate::vcs::repository) fn data_origin(
        &self,
        id: &ObjectId,
    ) -> Result<ObjectId, VcsError> {
        let mut id = *id;
        while let Some(lineage) = read_dataset(&self.store, &id)?.lineage {
            id = lineage.source;
        }
        Ok(id)
    }

    /// Each dataset of a commit's map by its [`data_origin`](Self::data_origin).
    pub(in crate::vcs::repository) fn data_origins(
        &self,
        datasets: &BTreeMap<String, ObjectId>,
    ) -> Result<BTreeMap<String, ObjectId>, VcsError> {
        datasets
            .iter()
            .map(|(name, id)| Ok((name.clone(), self.data_origin(id)?)))
            .collect()
    }

    /// Lifts dataset `id` through a commit's migration, keeping the complements.
    pub(in crate::vcs::repository) fn carry_forward(
        &self,
        name: &str,
        id: &ObjectId,
        migrator: &Migrator,
        migration_id: ObjectId,
    ) -> Result<(Dataset, Vec<StoredObject>), VcsError> {
        let source = read_dataset(&self.store, id)?;
        let new = migrator.target();
        let root = migrator.root_after(&source.root).map_err(|e| {
            not_migratable(
                name,
                format!("{e}; stage the data for the new schema with add_data"),
            )
        })?;
        let getter = migrator
            .getter(&source.root)
            .map_err(|e| not_migratable(name, e))?;
        let checker = new.record_checker();
        let (mut views, mut comps) = (Chunker::default(), Chunker::default());
        let mut index = 0usize;
        for chunk in &source.chunks {
            for record in read_chunk(&self.store, chunk)? {
                let (view, comp) = getter
                    .get(record)
                    .map_err(|e| not_migratable(name, format!("record {index}: {e}")))?;
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
}
