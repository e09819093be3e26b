//! Versions imported from another system's history (the `import` layer
//! reads them): each becomes a commit with the author, time and
//! message it had there and its [`origin`](crate::vcs::object::Commit::origin),
//! on parents already in the repository (a merge keeps all of them), with a
//! migration from each parent as a commit has. No ref moves: the importer
//! moves the branch once, at the end.

use super::*;
use std::collections::HashMap;

use crate::vcs::object::StoredMigration;

/// One version of a schema from another history.
#[derive(Debug, Clone)]
pub struct ImportedVersion {
    /// The schema the version holds.
    pub schema: Schema,
    /// The commits it follows, first parent first (several for a merge).
    pub parents: Vec<ObjectId>,
    /// Who made it (`Name <email>` for git).
    pub author: String,
    /// When, in seconds since the Unix epoch.
    pub timestamp: i64,
    /// Why.
    pub message: String,
    /// Where it came from, as `system:id`.
    pub origin: String,
}

/// A history as an import continuing an earlier one needs it: see
/// [`Repository::lineage`].
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// Commits that record an origin, by origin.
    pub by_origin: HashMap<String, ObjectId>,
    /// Every commit's parents.
    pub parents: HashMap<ObjectId, Vec<ObjectId>>,
}

/// A stand-in for text another system allowed empty, which a commit may not be.
const EMPTY_AUTHOR: &str = "(unknown)";
const EMPTY_MESSAGE: &str = "(no message)";

impl<S: Store> Repository<S> {
    /// Writes `version` as a commit, without moving any ref, and returns
    /// its id. An empty author or message (git allows both) is recorded as
    /// `(unknown)` or `(no message)`.
    ///
    /// # Errors
    /// [`VcsError::ProtocolMismatch`] if the schema follows another
    /// protocol than the repository's; [`VcsError::NotFound`] for a parent
    /// that is not a commit here; [`VcsError::InvalidInput`] for text
    /// holding a NUL byte; the store's errors.
    pub fn write_imported(&mut self, version: ImportedVersion) -> Result<ObjectId, VcsError> {
        let ImportedVersion {
            schema,
            parents,
            author,
            timestamp,
            message,
            origin,
        } = version;
        self.check_protocol(&schema)?;
        let or = |text: String, stand_in: &str| {
            if text.trim().is_empty() {
                stand_in.to_owned()
            } else {
                text
            }
        };
        let author = or(author, EMPTY_AUTHOR);
        let message = or(message, EMPTY_MESSAGE);
        check_text("commit author", &author)?;
        check_text("commit message", &message)?;
        check_text("commit origin", &origin)?;
        let schema_obj = object::store_schema(&schema);
        let mut migrations = Vec::with_capacity(parents.len());
        let mut first = None;
        for parent in &parents {
            let old = self.schema_of(parent)?;
            let stored = object::store_migration(&StoredMigration {
                source: old.id(),
                target: schema_obj.id,
                spec: derive_migration(&old, &schema),
                lens: None,
            });
            migrations.push(stored);
            first.get_or_insert(old);
        }
        let old = first.unwrap_or_else(|| empty_schema(&schema));
        let changes = diff(&old, &schema);
        let verdict = classify(&changes, &self.protocol).verdict;
        let compat = compatibility_of(&old, &schema, &changes);
        let commit = Commit {
            schema: schema_obj.id,
            parents: parents.clone(),
            migration: migrations.first().map(|m| m.id),
            merge_migrations: migrations.iter().skip(1).map(|m| m.id).collect(),
            compatibility: Some(verdict.code().to_owned()),
            backward: Some(compat.backward()),
            forward: Some(compat.forward()),
            allow_breaking: None,
            units: self.unit_record(&schema, parents.first(), None)?,
            datasets: BTreeMap::new(),
            author,
            timestamp,
            message,
            origin: Some(origin),
        };
        let objects = std::iter::once(schema_obj).chain(migrations).collect();
        let prepared = PreparedCommit::new(objects, commit, schema, None, timestamp);
        self.write_commit(prepared, None)
    }

    /// The history reachable from `tip`: each commit's parents, and the
    /// commits that record an origin, by origin.
    ///
    /// # Errors
    /// The store's errors, or a damaged commit.
    pub fn lineage(&self, tip: ObjectId) -> Result<Lineage, VcsError> {
        // Read as the graph reads it: a chain per query, not a commit each.
        let mut lineage = Lineage::default();
        for (id, commit) in self.reachable(&[tip])? {
            if let Some(origin) = commit.origin {
                lineage.by_origin.insert(origin, id);
            }
            lineage.parents.insert(id, commit.parents);
        }
        Ok(lineage)
    }
}
