//! The write transaction: creating a repository and [`Store::apply`], each
//! in one transaction opened by [`Db::transaction`] (so under the
//! `statement_timeout` and `lock_timeout` of the URL).
//!
//! [`apply`] tries the fast path first ([`swap_one`]: the usual commit, one
//! statement) and otherwise goes through the phases of [`apply_in`]: lock
//! the edited refs, check every expectation, write the objects, then each
//! edit with its reflog entry.
//!
//! [`Store::apply`]: panproto_core::vcs::store::Store::apply

use std::collections::HashMap;

use panproto_core::vcs::object::StoredObject;
use panproto_core::vcs::store::{Expected, HEAD, RefEdit, RefTarget, Transaction};
use panproto_core::{StoreError, VcsError};
use sqlx::postgres::PgConnection;

use super::BACKEND;
use super::connection::Db;
use super::depth;
use super::reads::{self, RefRow};
use crate::store as shared;

/// How often the fast path retries a swap that found the ref at the
/// expected value after all (it moved away and back) before it falls back
/// to locking the ref.
const SWAP_ATTEMPTS: usize = 3;

/// Creates repository `name` with HEAD at `refs/heads/main`; its id, or
/// `None` if it exists already (nothing is written then).
pub(super) async fn create(
    db: &Db,
    conn: &mut PgConnection,
    name: &str,
    protocol_json: &str,
    timestamp: i64,
) -> Result<Option<i64>, VcsError> {
    db.transaction(conn, async |tx: &mut PgConnection| {
        let insert = db.query_scalar(
            "INSERT INTO panproto_repositories (name, protocol_json, created) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(protocol_json)
        .bind(timestamp)
        .fetch_optional(&mut *tx);
        let Some(id): Option<i64> = db.round_trip("creating the repository", insert).await? else {
            return Ok(None);
        };
        let head = db.query(
            "INSERT INTO panproto_refs (repo, name, target, symbolic) VALUES ($1, $2, NULL, $3)",
        )
        .bind(id)
        .bind(HEAD)
        .bind("refs/heads/main")
        .execute(&mut *tx);
        db.round_trip("creating HEAD", head).await?;
        Ok(Some(id))
    })
    .await
}

/// Deletes repository `name` and everything of it, in one transaction;
/// `false` if there is none.
pub(super) async fn delete(db: &Db, conn: &mut PgConnection, name: &str) -> Result<bool, VcsError> {
    db.transaction(conn, async |tx: &mut PgConnection| {
        // The row first, locked: a concurrent commit to the repository
        // waits, then finds it gone.
        let lock = db
            .query_scalar("SELECT id FROM panproto_repositories WHERE name = $1 FOR UPDATE")
            .bind(name)
            .fetch_optional(&mut *tx);
        let Some(repo): Option<i64> = db.round_trip("finding the repository", lock).await? else {
            return Ok(false);
        };
        for sql in [
            "DELETE FROM panproto_reflog WHERE repo = $1",
            "DELETE FROM panproto_refs WHERE repo = $1",
            "DELETE FROM panproto_objects WHERE repo = $1",
        ] {
            let delete = db.query(sql).bind(repo).execute(&mut *tx);
            db.round_trip("deleting the repository", delete).await?;
        }
        let row = db
            .query("DELETE FROM panproto_repositories WHERE id = $1")
            .bind(repo)
            .execute(&mut *tx);
        db.round_trip("deleting the repository", row).await?;
        Ok(true)
    })
    .await
}

/// Renames repository `from` to `to`, in one transaction.
pub(super) async fn rename(
    db: &Db,
    conn: &mut PgConnection,
    from: &str,
    to: &str,
) -> Result<(), VcsError> {
    db.transaction(conn, async |tx: &mut PgConnection| {
        let taken = db
            .query_scalar("SELECT id FROM panproto_repositories WHERE name = $1")
            .bind(to)
            .fetch_optional(&mut *tx);
        let taken: Option<i64> = db.round_trip("looking up the new name", taken).await?;
        if taken.is_some() {
            return Err(VcsError::AlreadyExists(to.to_owned()));
        }
        let update = db
            .query("UPDATE panproto_repositories SET name = $2 WHERE name = $1")
            .bind(from)
            .bind(to)
            .execute(&mut *tx);
        let done = db.round_trip("renaming the repository", update).await?;
        if done.rows_affected() == 0 {
            return Err(VcsError::NotFound(format!("repository {from:?}")));
        }
        Ok(())
    })
    .await
}

/// Applies `tx` to repository `repo` atomically; see [`Store::apply`].
///
/// [`Store::apply`]: panproto_core::vcs::store::Store::apply
pub(super) async fn apply(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    tx: &Transaction,
) -> Result<(), VcsError> {
    if let [edit] = tx.edits.as_slice()
        && let (Some(new), Expected::Value(_) | Expected::Absent) = (&edit.new, &edit.expected)
    {
        // A commit: one statement, one round trip. A statement is atomic
        // on its own, and obeys the limits without a transaction: they are
        // the session's (see `Limits::session_sql`), or, behind a pooler in
        // transaction mode, the call's transaction's.
        for _ in 0..SWAP_ATTEMPTS {
            if swap_one(db, conn, repo, tx, edit, new).await? {
                return Ok(());
            }
            let actual = reads::read_ref(db, conn, repo, &edit.name).await?;
            if !edit.expected.matches(actual.as_ref()) {
                return Err(edit.conflict(actual));
            }
            // The ref moved away and back since the swap: try again.
        }
    }
    db.transaction(conn, async |conn: &mut PgConnection| {
        apply_in(db, conn, repo, tx).await
    })
    .await
}

/// The object columns of a transaction, as arrays for `UNNEST`, with what
/// gives each commit its first-parent depth (see [`OBJECT_ROWS`]).
struct ObjectArrays<'a> {
    ids: Vec<&'a [u8]>,
    kinds: Vec<i16>,
    parents: Vec<Option<&'a [u8]>>,
    data: Vec<&'a [u8]>,
    /// A commit's nearest first-parent ancestor outside the transaction.
    anchors: Vec<Option<&'a [u8]>>,
    /// A commit's distance from its anchor (from the root, without one);
    /// `None` for objects that are not commits.
    steps: Vec<Option<i64>>,
}

impl<'a> ObjectArrays<'a> {
    fn new(objects: &'a [StoredObject]) -> Self {
        let (anchors, steps) = depth::steps(objects);
        Self {
            ids: objects.iter().map(|o| o.id.as_bytes().as_slice()).collect(),
            kinds: objects.iter().map(|o| o.kind.code()).collect(),
            parents: objects
                .iter()
                .map(|o| o.parent.as_ref().map(|p| p.as_bytes().as_slice()))
                .collect(),
            data: objects.iter().map(|o| o.data.as_slice()).collect(),
            anchors,
            steps,
        }
    }
}

/// The rows to insert, from the arrays of [`ObjectArrays`] bound at the
/// given parameters (`$1` is the repository): each commit's depth is its
/// anchor's plus its steps, or unknown (`NULL`) when the anchor's is, and
/// reads then walk the chain instead of scanning the depth index.
macro_rules! object_rows {
    ($ids:literal, $kinds:literal, $parents:literal, $data:literal, $anchors:literal, $steps:literal) => {
        concat!(
            "SELECT $1, o.id, o.kind, o.parent, o.data, CASE WHEN o.step IS NULL THEN NULL \
             WHEN o.anchor IS NULL THEN o.step ELSE (SELECT p.depth FROM panproto_objects p \
             WHERE p.repo = $1 AND p.id = o.anchor) + o.step END \
             FROM UNNEST(",
            $ids,
            "::bytea[], ",
            $kinds,
            "::int2[], ",
            $parents,
            "::bytea[], ",
            $data,
            "::bytea[], ",
            $anchors,
            "::bytea[], ",
            $steps,
            "::int8[]) AS o (id, kind, parent, data, anchor, step)"
        )
    };
}

/// The common transaction (one edit setting a ref that must hold a value or
/// be absent, plus objects) as one statement: the ref is swapped with a
/// conditional `UPDATE` (or claimed with `INSERT .. ON CONFLICT DO
/// NOTHING`), which locks the row like `SELECT .. FOR UPDATE` and, under
/// READ COMMITTED, re-checks the condition against a concurrent writer's
/// committed value. Objects and the reflog entry are written only if the
/// swap happened. Returns whether it did; if not, nothing was written.
async fn swap_one(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    tx: &Transaction,
    edit: &RefEdit,
    new: &RefTarget,
) -> Result<bool, StoreError> {
    // Writes the objects and the reflog entry if `moved` has a row.
    macro_rules! write_if_moved {
        () => {
            concat!(
                "objects AS ( \
                 INSERT INTO panproto_objects (repo, id, kind, parent, data, depth) ",
                object_rows!("$7", "$8", "$9", "$10", "$13", "$14"),
                " WHERE EXISTS (SELECT 1 FROM moved) \
                 ON CONFLICT DO NOTHING \
             ), logged AS ( \
                 INSERT INTO panproto_reflog \
                     (repo, name, old_target, old_symbolic, new_target, new_symbolic, message, at) \
                 SELECT $1, $2, $5, $6, $3, $4, $11, $12 FROM moved \
             ) \
             SELECT count(*) FROM moved"
            )
        };
    }
    const SWAP: &str = concat!(
        "WITH moved AS ( \
             UPDATE panproto_refs SET target = $3, symbolic = $4 \
             WHERE repo = $1 AND name = $2 \
             AND target IS NOT DISTINCT FROM $5 AND symbolic IS NOT DISTINCT FROM $6 \
             RETURNING 1 \
         ), ",
        write_if_moved!()
    );
    const CLAIM: &str = concat!(
        "WITH moved AS ( \
             INSERT INTO panproto_refs (repo, name, target, symbolic) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (repo, name) DO NOTHING \
             RETURNING 1 \
         ), ",
        write_if_moved!()
    );
    let (sql, old) = match &edit.expected {
        Expected::Value(old) => (SWAP, Some(old)),
        Expected::Absent | Expected::Any => (CLAIM, None),
    };
    let (target, symbolic) = shared::target_columns(Some(new));
    let (old_target, old_symbolic) = shared::target_columns(old);
    let objects = ObjectArrays::new(&tx.objects);
    let swap = db
        .query_scalar(sql)
        .bind(repo)
        .bind(&edit.name)
        .bind(target)
        .bind(symbolic)
        .bind(old_target)
        .bind(old_symbolic)
        .bind(objects.ids)
        .bind(objects.kinds)
        .bind(objects.parents)
        .bind(objects.data)
        .bind(&edit.message)
        .bind(tx.timestamp)
        .bind(objects.anchors)
        .bind(objects.steps)
        .fetch_one(&mut *conn);
    let moved: i64 = db.round_trip("moving a ref", swap).await?;
    Ok(moved > 0)
}

/// What each edited ref holds, as read under lock.
type Current<'t> = HashMap<&'t str, Option<RefTarget>>;

/// Everything of [`apply`] inside its transaction, by phase; any error
/// rolls it all back.
async fn apply_in(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    tx: &Transaction,
) -> Result<(), VcsError> {
    let mut current = lock_refs(db, conn, repo, tx).await?;
    for edit in &tx.edits {
        let actual = current.get(edit.name.as_str()).cloned().flatten();
        if !edit.expected.matches(actual.as_ref()) {
            return Err(edit.conflict(actual));
        }
    }
    insert_objects(db, conn, repo, &tx.objects).await?;
    for edit in &tx.edits {
        // A ref edited twice: the second edit starts from the first's value.
        let known = current.get(edit.name.as_str()).cloned().flatten();
        let old = write_edit(db, conn, repo, edit, known).await?;
        current.insert(&edit.name, edit.new.clone());
        log_edit(db, conn, repo, edit, old.as_ref(), tx.timestamp).await?;
    }
    Ok(())
}

/// Locks the rows of the refs `tx` edits (in name order, so two
/// transactions over the same refs cannot deadlock) and returns what each
/// holds (`None` for a ref that does not exist).
async fn lock_refs<'t>(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    tx: &'t Transaction,
) -> Result<Current<'t>, StoreError> {
    let mut current = Current::new();
    if tx.edits.is_empty() {
        return Ok(current);
    }
    let mut names: Vec<&str> = tx.edits.iter().map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let query = db
        .query_as(
            "SELECT name, target, symbolic FROM panproto_refs WHERE repo = $1 AND name = ANY($2) \
         ORDER BY name FOR UPDATE",
        )
        .bind(repo)
        .bind(&names)
        .fetch_all(&mut *conn);
    let rows: Vec<RefRow> = db.round_trip("locking refs", query).await?;
    let mut found = reads::refs_by_name(rows)?;
    for name in names {
        current.insert(name, found.remove(name).flatten());
    }
    Ok(current)
}

/// Writes `objects` (idempotently: an object that exists is skipped).
async fn insert_objects(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    objects: &[StoredObject],
) -> Result<(), StoreError> {
    if objects.is_empty() {
        return Ok(());
    }
    let objects = ObjectArrays::new(objects);
    let insert = db
        .query(concat!(
            "INSERT INTO panproto_objects (repo, id, kind, parent, data, depth) ",
            object_rows!("$2", "$3", "$4", "$5", "$6", "$7"),
            " ON CONFLICT DO NOTHING"
        ))
        .bind(repo)
        .bind(objects.ids)
        .bind(objects.kinds)
        .bind(objects.parents)
        .bind(objects.data)
        .bind(objects.anchors)
        .bind(objects.steps)
        .execute(&mut *conn);
    db.round_trip("writing objects", insert).await?;
    Ok(())
}

/// Sets, creates or deletes the ref of `edit`, which held `known` when it
/// was locked; returns what it held just before (for the reflog).
async fn write_edit(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    edit: &RefEdit,
    known: Option<RefTarget>,
) -> Result<Option<RefTarget>, VcsError> {
    let (target, symbolic) = shared::target_columns(edit.new.as_ref());
    match (&edit.new, &known) {
        (Some(_), Some(_)) => update_ref(db, conn, repo, &edit.name, (target, symbolic)).await?,
        (Some(_), None) => return claim_ref(db, conn, repo, edit).await,
        (None, Some(_)) => {
            let delete = db
                .query("DELETE FROM panproto_refs WHERE repo = $1 AND name = $2")
                .bind(repo)
                .bind(&edit.name)
                .execute(&mut *conn);
            db.round_trip("deleting a ref", delete).await?;
        }
        (None, None) => {}
    }
    Ok(known)
}

/// Sets an existing ref row to a new value.
async fn update_ref(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    name: &str,
    (target, symbolic): (Option<&[u8]>, Option<&str>),
) -> Result<(), StoreError> {
    let update = db
        .query("UPDATE panproto_refs SET target = $3, symbolic = $4 WHERE repo = $1 AND name = $2")
        .bind(repo)
        .bind(name)
        .bind(target)
        .bind(symbolic)
        .execute(&mut *conn);
    db.round_trip("moving a ref", update).await?;
    Ok(())
}

/// Creates the ref of `edit`, which did not exist when it was locked. If
/// another transaction created it meanwhile, the insert waits for that one
/// and inserts nothing: then the ref is locked and read, and the edit
/// conflicts unless it accepts any value (it then overwrites). Returns what
/// the ref held before.
async fn claim_ref(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    edit: &RefEdit,
) -> Result<Option<RefTarget>, VcsError> {
    let columns = shared::target_columns(edit.new.as_ref());
    let insert = db
        .query(
            "INSERT INTO panproto_refs (repo, name, target, symbolic) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (repo, name) DO NOTHING",
        )
        .bind(repo)
        .bind(&edit.name)
        .bind(columns.0)
        .bind(columns.1)
        .execute(&mut *conn);
    if db
        .round_trip("creating a ref", insert)
        .await?
        .rows_affected()
        > 0
    {
        return Ok(None);
    }
    let query = db
        .query_as(
            "SELECT target, symbolic FROM panproto_refs WHERE repo = $1 AND name = $2 FOR UPDATE",
        )
        .bind(repo)
        .bind(&edit.name)
        .fetch_optional(&mut *conn);
    let row: Option<(Option<Vec<u8>>, Option<String>)> =
        db.round_trip("locking a ref", query).await?;
    let actual = match row {
        Some((t, s)) => shared::ref_target(BACKEND, t, s, &format!("ref {}", edit.name))?,
        None => None,
    };
    if edit.expected != Expected::Any {
        return Err(edit.conflict(actual));
    }
    // Any value is acceptable: overwrite what was created.
    update_ref(db, conn, repo, &edit.name, columns).await?;
    Ok(actual)
}

/// Records how the ref of `edit` moved from `old`.
async fn log_edit(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    edit: &RefEdit,
    old: Option<&RefTarget>,
    timestamp: i64,
) -> Result<(), StoreError> {
    let (old_target, old_symbolic) = shared::target_columns(old);
    let (new_target, new_symbolic) = shared::target_columns(edit.new.as_ref());
    let insert = db
        .query(
            "INSERT INTO panproto_reflog \
             (repo, name, old_target, old_symbolic, new_target, new_symbolic, message, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(repo)
        .bind(&edit.name)
        .bind(old_target)
        .bind(old_symbolic)
        .bind(new_target)
        .bind(new_symbolic)
        .bind(&edit.message)
        .bind(timestamp)
        .execute(&mut *conn);
    db.round_trip("writing the reflog", insert).await?;
    Ok(())
}
