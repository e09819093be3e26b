//! Moving a dataset between two versions of the history (`migrate_data`):
//! the path between the commits, and the steps (lift forward, put back with
//! the kept complements, or invert) along it.

// The module's shared imports and helpers, as one room of it.
use super::*;

/// Going back across one commit, how the records are rebuilt.
enum Back {
    /// With the complements the commit kept: exact; the records become `source`'s.
    Put(Lineage),
    /// With the inverse migration.
    Invert,
}

impl<S: Store> Repository<S> {
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

    /// What moves records across commit `child` from `parent`; `None`
    /// when the schema did not change.
    fn commit_migration(
        &self,
        schemas: &mut HashMap<ObjectId, Schema>,
        parent: &ObjectId,
        child: &ObjectId,
    ) -> Result<Option<Migrator>, VcsError> {
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
                    migrator: migration,
                    complements: Some(lineage.complements),
                });
                plan.root = source.root;
                plan.current = Some(lineage.source);
            }
            // A lens goes back by `put` with what its steps restore by
            // default (a removed field's default, say).
            Back::Invert => match migration {
                Migrator::Lens(ref lens) => {
                    if lens.target_root != plan.root {
                        return Err(not_migratable(
                            plan.name,
                            format!(
                                "the lens of commit {} moves records rooted at {:?}, not {:?}",
                                child.short(),
                                lens.target_root,
                                plan.root
                            ),
                        ));
                    }
                    plan.root = lens.root.clone();
                    plan.steps.push(Step::Put {
                        migrator: migration,
                        complements: None,
                    });
                    plan.current = None;
                }
                Migrator::Mapping(m) => {
                    let inverse = m.invert().map_err(|e| {
                        not_migratable(
                            plan.name,
                            format!(
                                "going back across commit {} needs the complements kept when the data was carried forward, \
                                 and there are none (the data was staged there); nor can the migration be undone: {e}",
                                child.short()
                            ),
                        )
                    })?;
                    plan.lift(Migrator::Mapping(inverse))?;
                    plan.current = None;
                }
            },
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
    /// Appends a lift, composed into the previous lift if the two compose.
    fn lift(&mut self, migrator: Migrator) -> Result<(), VcsError> {
        let new_root = migrator
            .root_after(&self.root)
            .map_err(|e| not_migratable(self.name, e))?;
        let composed = match self.steps.last() {
            Some(Step::Lift { migrator: prev, .. }) => prev.compose(&migrator),
            _ => None,
        };
        match (composed, self.steps.last_mut()) {
            (Some(both), Some(Step::Lift { migrator: prev, .. })) => *prev = both,
            _ => self.steps.push(Step::Lift {
                migrator,
                root: self.root.clone(),
            }),
        }
        self.root = new_root;
        self.current = None;
        Ok(())
    }
}
