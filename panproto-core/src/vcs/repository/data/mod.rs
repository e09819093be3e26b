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
use crate::model::record::{RecordViolation, Value};
use crate::model::schema::Schema;
use crate::vcs::error::{StoreError, StoreErrorKind, VcsError};
use crate::vcs::object::{
    self, CHUNK_RECORDS, Commit, Dataset, Lineage, ObjectKind, StoredMigration, StoredObject,
};
use crate::vcs::store::Store;

use super::Repository;
use super::migrator::Migrator;

mod carry;
mod migrate;
mod read;
mod stage;

use read::Step;
pub use read::{DataCursor, Records};
use stage::Chunker;
pub use stage::DataWriter;

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
