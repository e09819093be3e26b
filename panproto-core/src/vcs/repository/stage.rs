//! Staging a schema for the next commit: as it is (`add`, with the
//! migration derived from the base commit's schema), with a lens that
//! moves the records (`add_with_lens`), or as what a lens makes of HEAD's
//! schema (`evolve`).

// The module's shared imports and helpers, as one room of it.
use super::*;

impl<S: Store> Repository<S> {
    /// Stages `schema` for the next commit, replacing what was staged, and
    /// returns how it differs from HEAD's schema.
    ///
    /// # Errors
    /// [`VcsError::ProtocolMismatch`] if the schema is for another protocol.
    pub fn add(&mut self, schema: Schema) -> Result<&Staged, VcsError> {
        let base = self.head_commit()?;
        self.add_on(schema, base)
    }

    /// Stages `schema` as a change from commit `base` (`None`: as the
    /// branch's first commit) rather than from HEAD: how a working copy
    /// that saved its staged work restores it. `commit` then moves the
    /// branch only if it is still at `base`; if it moved, [`rebase`](Self::rebase).
    ///
    /// # Errors
    /// As [`add`](Self::add); [`VcsError::NotFound`] if `base` is no commit.
    pub fn add_on(&mut self, schema: Schema, base: Option<ObjectId>) -> Result<&Staged, VcsError> {
        self.stage_on(schema, base, None)
    }

    /// Stages `schema` with `chain` as the lens that moves the records
    /// from HEAD's schema to it (rooted at `root`, or the schema's only
    /// record root), in place of the migration `add` would derive: for a
    /// change no vertex mapping says (a field split or wrapped into a
    /// list, one hoisted out of an object, an enum value renamed). The
    /// commit stores the lens; datasets carried forward, `migrate_data`
    /// and [`migration_of`](Self::migration_of) use it.
    ///
    /// # Errors
    /// As [`add`](Self::add); [`VcsError::Lens`] if the chain does not
    /// compile, does not fit HEAD's schema (naming the step and the
    /// field), or does not take it to exactly `schema` (listing where
    /// they differ); [`VcsError::InvalidInput`] if there is no commit
    /// yet (a lens moves records from one version to the next).
    pub fn add_with_lens(
        &mut self,
        schema: Schema,
        chain: Chain,
        root: Option<&str>,
    ) -> Result<&Staged, VcsError> {
        let base = self.head_commit()?;
        self.add_on_with_lens(schema, base, chain, root)
    }

    /// As [`add_with_lens`](Self::add_with_lens), as a change from commit
    /// `base` (see [`add_on`](Self::add_on)).
    ///
    /// # Errors
    /// As [`add_with_lens`](Self::add_with_lens).
    pub fn add_on_with_lens(
        &mut self,
        schema: Schema,
        base: Option<ObjectId>,
        chain: Chain,
        root: Option<&str>,
    ) -> Result<&Staged, VcsError> {
        let Some(base_id) = base else {
            return Err(VcsError::InvalidInput {
                what: "lens",
                reason:
                    "there is no earlier version for it to move records from: commit a schema first"
                        .to_owned(),
            });
        };
        let old = self.schema_of(&base_id)?;
        let lens = self.fitted_lens(&old, &schema, chain, root)?;
        self.stage_on(schema, base, Some(lens))
    }

    /// Applies `chain` to HEAD's schema and stages the result with the
    /// chain as its lens: the lens as the source of truth for the next
    /// version.
    ///
    /// # Errors
    /// [`VcsError::Lens`] if the chain does not compile or fit HEAD's
    /// schema; [`VcsError::InvalidInput`] if there is no commit yet.
    pub fn evolve(&mut self, chain: Chain, root: Option<&str>) -> Result<&Staged, VcsError> {
        let Some(base) = self.head_commit()? else {
            return Err(VcsError::InvalidInput {
                what: "lens",
                reason: "there is no schema to evolve: commit one first".to_owned(),
            });
        };
        let old = self.schema_of(&base)?;
        let target = chain.clone().compile()?.target_schema(&old, root)?;
        let lens = self.fitted_lens(&old, &target, chain, root)?;
        self.stage_on(target, Some(base), Some(lens))
    }

    /// `chain` compiled and checked to take `old` to exactly `new`, as a
    /// commit keeps it.
    pub(super) fn fitted_lens(
        &self,
        old: &Schema,
        new: &Schema,
        chain: Chain,
        root: Option<&str>,
    ) -> Result<StoredLens, VcsError> {
        self.check_protocol(new)?;
        let lens = chain.compile()?;
        let fit = lens.fit(old, new, root)?;
        Ok(StoredLens {
            chain: lens.chain().clone(),
            root: fit.root,
            target_root: fit.target_root,
        })
    }

    /// Nothing, or [`VcsError::ProtocolMismatch`] for a schema of another protocol.
    pub(super) fn check_protocol(&self, schema: &Schema) -> Result<(), VcsError> {
        if schema.protocol().name == self.protocol.name {
            return Ok(());
        }
        Err(VcsError::ProtocolMismatch {
            schema: schema.protocol().name.clone(),
            repository: self.protocol.name.clone(),
        })
    }

    pub(super) fn stage_on(
        &mut self,
        schema: Schema,
        base: Option<ObjectId>,
        lens: Option<StoredLens>,
    ) -> Result<&Staged, VcsError> {
        self.check_protocol(&schema)?;
        let (old, migration) = match base {
            Some(id) => {
                let old = self.schema_of(&id)?;
                let migration = derive_migration(&old, &schema);
                (old.clone(), Some((old.id(), migration)))
            }
            None => (empty_schema(&schema), None),
        };
        let changes = diff(&old, &schema);
        let classification = classify(&changes, &self.protocol);
        let compat = Arc::new(compatibility_of(&old, &schema, &changes));
        Ok(self.stage.insert(Staged {
            schema,
            base,
            changes: changes.into(),
            classification,
            compat,
            migration,
            lens,
            units: OnceLock::new(),
        }))
    }
}
