//! The write transaction: creating a repository and [`Store::apply`], each
//! in one `BEGIN IMMEDIATE` transaction, which takes the write lock before
//! its first read (waiting up to [`BUSY_TIMEOUT`](super::BUSY_TIMEOUT) for
//! it), so the refs read cannot change before it commits. Dropping the
//! transaction on an error rolls it back.
//!
//! [`apply`] goes by phase: read the edited refs, check every expectation,
//! write the objects, then each edit with its reflog entry.
//!
//! [`Store::apply`]: panproto_core::vcs::store::Store::apply

use std::collections::HashMap;

use panproto_core::vcs::object::StoredObject;
use panproto_core::vcs::store::{HEAD, RefEdit, RefTarget, Transaction};
use panproto_core::{StoreError, VcsError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::error::ResultExt;
use super::reads;
use crate::store as shared;

/// Creates repository `name` with HEAD at `refs/heads/main`; its id, or
/// `None` if it exists already (nothing is written then).
pub(super) fn create(
    conn: &mut Connection,
    name: &str,
    protocol_json: &str,
    timestamp: i64,
) -> Result<Option<i64>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .store()?;
    let id: Option<i64> = tx
        .query_row(
            "INSERT INTO repositories (name, protocol_json, created) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
            params![name, protocol_json, timestamp],
            |r| r.get(0),
        )
        .optional()
        .store()?;
    let Some(id) = id else {
        return Ok(None);
    };
    tx.execute(
        "INSERT INTO refs (repo, name, target, symbolic) VALUES (?1, ?2, NULL, ?3)",
        params![id, HEAD, "refs/heads/main"],
    )
    .store()?;
    tx.commit().store()?;
    Ok(Some(id))
}

/// Deletes repository `name` and everything of it; `false` if there is none.
pub(super) fn delete(conn: &mut Connection, name: &str) -> Result<bool, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .store()?;
    let Some(repo) = reads::repo_id(&tx, name)? else {
        return Ok(false);
    };
    for table in ["reflog", "refs", "objects"] {
        tx.execute(&format!("DELETE FROM {table} WHERE repo = ?1"), [repo])
            .store()?;
    }
    tx.execute("DELETE FROM repositories WHERE id = ?1", [repo])
        .store()?;
    tx.commit().store()?;
    Ok(true)
}

/// Renames repository `from` to `to`.
pub(super) fn rename(conn: &mut Connection, from: &str, to: &str) -> Result<(), VcsError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .store()?;
    if reads::repo_id(&tx, to)?.is_some() {
        return Err(VcsError::AlreadyExists(to.to_owned()));
    }
    let renamed = tx
        .execute(
            "UPDATE repositories SET name = ?2 WHERE name = ?1",
            params![from, to],
        )
        .store()?;
    if renamed == 0 {
        return Err(VcsError::NotFound(format!("repository {from:?}")));
    }
    tx.commit().store()?;
    Ok(())
}

/// Applies `tx` atomically to repository `repo`, which `repo_id` finds in
/// the transaction (`None`: it does not exist, and nothing is written).
pub(super) fn apply(
    conn: &mut Connection,
    repo_id: impl FnOnce(&Connection) -> Result<Option<i64>, StoreError>,
    tx: &Transaction,
) -> Result<Option<()>, VcsError> {
    let db = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .store()?;
    let Some(repo) = repo_id(&db)? else {
        return Ok(None);
    };
    let mut current = read_refs(&db, repo, tx)?;
    for edit in &tx.edits {
        let actual = current.get(edit.name.as_str()).cloned().flatten();
        if !edit.expected.matches(actual.as_ref()) {
            return Err(edit.conflict(actual));
        }
    }
    insert_objects(&db, repo, &tx.objects)?;
    for edit in &tx.edits {
        // A ref edited twice: the second edit starts from the first's value.
        let old = current.insert(&edit.name, edit.new.clone()).flatten();
        write_edit(&db, repo, edit)?;
        log_edit(&db, repo, edit, old.as_ref(), tx.timestamp)?;
    }
    db.commit().store()?;
    Ok(Some(()))
}

/// What each ref `tx` edits holds (`None` for a ref that does not exist).
fn read_refs<'t>(
    db: &Connection,
    repo: i64,
    tx: &'t Transaction,
) -> Result<HashMap<&'t str, Option<RefTarget>>, StoreError> {
    let mut current = HashMap::new();
    for edit in &tx.edits {
        if !current.contains_key(edit.name.as_str()) {
            current.insert(edit.name.as_str(), reads::read_ref(db, repo, &edit.name)?);
        }
    }
    Ok(current)
}

/// Writes `objects` (idempotently: an object that exists is skipped).
fn insert_objects(db: &Connection, repo: i64, objects: &[StoredObject]) -> Result<(), StoreError> {
    if objects.is_empty() {
        return Ok(());
    }
    let mut insert = db
        .prepare_cached(
            "INSERT INTO objects (repo, id, kind, parent, data) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT DO NOTHING",
        )
        .store()?;
    for obj in objects {
        insert
            .execute(params![
                repo,
                obj.id.as_bytes().as_slice(),
                obj.kind.code(),
                obj.parent.as_ref().map(|p| p.as_bytes().as_slice()),
                obj.data,
            ])
            .store()?;
    }
    Ok(())
}

/// Sets, creates or deletes the ref of `edit`.
fn write_edit(db: &Connection, repo: i64, edit: &RefEdit) -> Result<(), StoreError> {
    match &edit.new {
        Some(new) => {
            let (target, symbolic) = shared::target_columns(Some(new));
            db.prepare_cached(
                "INSERT INTO refs (repo, name, target, symbolic) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (repo, name) DO UPDATE \
                 SET target = excluded.target, symbolic = excluded.symbolic",
            )
            .store()?
            .execute(params![repo, edit.name, target, symbolic])
            .store()?;
        }
        None => {
            db.prepare_cached("DELETE FROM refs WHERE repo = ?1 AND name = ?2")
                .store()?
                .execute(params![repo, edit.name])
                .store()?;
        }
    }
    Ok(())
}

/// Records how the ref of `edit` moved from `old`.
fn log_edit(
    db: &Connection,
    repo: i64,
    edit: &RefEdit,
    old: Option<&RefTarget>,
    timestamp: i64,
) -> Result<(), StoreError> {
    let (old_target, old_symbolic) = shared::target_columns(old);
    let (new_target, new_symbolic) = shared::target_columns(edit.new.as_ref());
    db.prepare_cached(
        "INSERT INTO reflog \
             (repo, name, old_target, old_symbolic, new_target, new_symbolic, message, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .store()?
    .execute(params![
        repo,
        edit.name,
        old_target,
        old_symbolic,
        new_target,
        new_symbolic,
        edit.message,
        timestamp
    ])
    .store()?;
    Ok(())
}
