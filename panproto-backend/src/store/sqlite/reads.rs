//! The reads: one prepared (and cached) statement each, on the store's
//! connection. In WAL mode they never wait for the writer.

use panproto_core::ObjectId;
use panproto_core::StoreError;
use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::vcs::store::{
    HEADS, RefTarget, ReflogEntry, RepoInfo, RepoSummary, ScannedObject,
};
use rusqlite::{Connection, OptionalExtension, params};

use super::BACKEND;
use super::error::ResultExt;
use crate::store as shared;

fn limit_sql(limit: Option<usize>) -> i64 {
    limit.map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX))
}

/// The id of repository `name`, or `None` if there is none.
pub(super) fn repo_id(conn: &Connection, name: &str) -> Result<Option<i64>, StoreError> {
    conn.prepare_cached("SELECT id FROM repositories WHERE name = ?1")
        .store()?
        .query_row([name], |r| r.get(0))
        .optional()
        .store()
}

/// Every repository of the file, by name, with its counts and size.
pub(super) fn repositories(conn: &Connection) -> Result<Vec<RepoSummary>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.name, r.protocol_json, r.created, \
               (SELECT count(*) FROM objects o WHERE o.repo = r.id AND o.kind = ?1), \
               (SELECT count(*) FROM refs f WHERE f.repo = r.id AND substr(f.name, 1, ?3) = ?2), \
               (SELECT coalesce(sum(length(o.data)), 0) FROM objects o WHERE o.repo = r.id) \
             FROM repositories r ORDER BY r.name",
        )
        .store()?;
    let rows = stmt
        .query_map(
            params![ObjectKind::Commit.code(), HEADS, HEADS.len() as i64],
            |r| {
                let json: String = r.get(1)?;
                let count = |i: usize| r.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
                Ok(RepoSummary {
                    name: r.get(0)?,
                    protocol: RepoSummary::protocol_name(&json),
                    created: r.get(2)?,
                    commits: count(3)?,
                    branches: count(4)?,
                    size: count(5)?,
                })
            },
        )
        .store()?;
    rows.collect::<Result<_, _>>().store()
}

pub(super) fn info(conn: &Connection, name: &str) -> Result<Option<RepoInfo>, StoreError> {
    conn.prepare_cached("SELECT name, protocol_json, created FROM repositories WHERE name = ?1")
        .store()?
        .query_row([name], |r| {
            Ok(RepoInfo {
                name: r.get(0)?,
                protocol_json: r.get(1)?,
                created: r.get(2)?,
            })
        })
        .optional()
        .store()
}

pub(super) fn read_ref(
    conn: &Connection,
    repo: i64,
    name: &str,
) -> Result<Option<RefTarget>, StoreError> {
    let row: Option<(Option<Vec<u8>>, Option<String>)> = conn
        .prepare_cached("SELECT target, symbolic FROM refs WHERE repo = ?1 AND name = ?2")
        .store()?
        .query_row(params![repo, name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .store()?;
    match row {
        Some((target, symbolic)) => {
            shared::ref_target(BACKEND, target, symbolic, &format!("ref {name}"))
        }
        None => Ok(None),
    }
}

pub(super) fn list_refs(
    conn: &Connection,
    repo: i64,
    prefix: &str,
) -> Result<Vec<(String, RefTarget)>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, target, symbolic FROM refs WHERE repo = ?1 AND name >= ?2 ORDER BY name",
        )
        .store()?;
    let mut rows = stmt.query(params![repo, prefix]).store()?;
    let mut out = Vec::new();
    // Names sort bytewise, so the refs with the prefix come first and
    // the scan stops at the first name without it.
    while let Some(row) = rows.next().store()? {
        let name: String = row.get(0).store()?;
        if !name.starts_with(prefix) {
            break;
        }
        let target = shared::ref_target(
            BACKEND,
            row.get(1).store()?,
            row.get(2).store()?,
            &format!("ref {name}"),
        )?;
        if let Some(target) = target {
            out.push((name, target));
        }
    }
    Ok(out)
}

pub(super) fn read_object(
    conn: &Connection,
    repo: i64,
    id: &ObjectId,
) -> Result<Option<StoredObject>, StoreError> {
    let row: Option<(i64, Option<Vec<u8>>, Vec<u8>)> = conn
        .prepare_cached("SELECT kind, parent, data FROM objects WHERE repo = ?1 AND id = ?2")
        .store()?
        .query_row(params![repo, id.as_bytes().as_slice()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
        .store()?;
    row.map(|(kind, parent, data)| {
        shared::stored_object(BACKEND, id.as_bytes(), kind, parent.as_deref(), data)
    })
    .transpose()
}

pub(super) fn ids_between(
    conn: &Connection,
    repo: i64,
    kind: ObjectKind,
    (low, high): (&ObjectId, &ObjectId),
    limit: usize,
) -> Result<Vec<ObjectId>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id FROM objects WHERE repo = ?1 AND id BETWEEN ?2 AND ?3 AND kind = ?4 \
             ORDER BY id LIMIT ?5",
        )
        .store()?;
    let rows = stmt
        .query_map(
            params![
                repo,
                low.as_bytes().as_slice(),
                high.as_bytes().as_slice(),
                kind.code(),
                limit_sql(Some(limit))
            ],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .store()?;
    let mut out = Vec::new();
    for row in rows {
        out.push(shared::object_id(BACKEND, &row.store()?, "an object row")?);
    }
    Ok(out)
}

pub(super) fn scan_objects(
    conn: &Connection,
    repo: i64,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<ScannedObject>, StoreError> {
    // Blobs compare bytewise, and the empty blob sorts first.
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, kind, parent, data FROM objects WHERE repo = ?1 AND id > ?2 \
             ORDER BY id LIMIT ?3",
        )
        .store()?;
    let mut rows = stmt
        .query(params![
            repo,
            after.unwrap_or_default(),
            limit_sql(Some(limit))
        ])
        .store()?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().store()? {
        let key: Vec<u8> = row.get(0).store()?;
        let kind: i64 = row.get(1).store()?;
        let parent: Option<Vec<u8>> = row.get(2).store()?;
        let data: Vec<u8> = row.get(3).store()?;
        let object = shared::stored_object(BACKEND, &key, kind, parent.as_deref(), data);
        out.push(ScannedObject { key, object });
    }
    Ok(out)
}

pub(super) fn reflog(
    conn: &Connection,
    repo: i64,
    name: &str,
    limit: Option<usize>,
) -> Result<Vec<ReflogEntry>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT old_target, old_symbolic, new_target, new_symbolic, message, at FROM reflog \
             WHERE repo = ?1 AND name = ?2 ORDER BY seq DESC LIMIT ?3",
        )
        .store()?;
    let mut rows = stmt.query(params![repo, name, limit_sql(limit)]).store()?;
    let what = format!("a reflog entry of {name}");
    let mut out = Vec::new();
    while let Some(row) = rows.next().store()? {
        out.push(ReflogEntry {
            name: name.to_owned(),
            old: shared::ref_target(BACKEND, row.get(0).store()?, row.get(1).store()?, &what)?,
            new: shared::ref_target(BACKEND, row.get(2).store()?, row.get(3).store()?, &what)?,
            message: row.get(4).store()?,
            timestamp: row.get(5).store()?,
        });
    }
    Ok(out)
}

/// One recursive query following `objects.parent`, with the limit applied
/// inside the recursion so a page of a long history reads only that page.
/// `CROSS JOIN` makes SQLite keep the chain as the outer loop, so each
/// step is one primary-key probe whatever the planner guesses. A walk
/// longer than [`CHAIN_PROBE`](shared::CHAIN_PROBE) goes on in memory
/// over one scan of the repository's commits (see `continue_chain`).
pub(super) fn first_parent_chain(
    conn: &Connection,
    repo: i64,
    start: &ObjectId,
    limit: Option<usize>,
) -> Result<Vec<StoredObject>, StoreError> {
    let (probe, last) = shared::chain_probe(limit);
    let mut stmt = conn
        .prepare_cached(
            "WITH RECURSIVE chain (n, kind, parent, data) AS ( \
                 SELECT 1, kind, parent, data FROM objects WHERE repo = ?1 AND id = ?2 \
                 UNION ALL \
                 SELECT chain.n + 1, o.kind, o.parent, o.data \
                 FROM chain CROSS JOIN objects o ON o.repo = ?1 AND o.id = chain.parent \
                 WHERE chain.n < ?3 \
             ) \
             SELECT n, kind, parent, data FROM chain",
        )
        .store()?;
    let rows = stmt
        .query_map(
            params![repo, start.as_bytes().as_slice(), limit_sql(Some(probe))],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .store()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .store()?;
    let chain = shared::chain_from_rows(BACKEND, start, rows)?;
    if last || !shared::chain_continues(&chain) {
        return Ok(chain);
    }
    // `+repo` keeps SQLite off the (repo, id) index: a sequential scan
    // of the table beats one random row lookup per commit, and rows of
    // other kinds are skipped without reading their (large) data.
    let mut stmt = conn
        .prepare_cached("SELECT id, kind, parent, data FROM objects WHERE +repo = ?1 AND kind = ?2")
        .store()?;
    let rows = stmt
        .query_map(params![repo, ObjectKind::Commit.code()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .store()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .store()?;
    shared::continue_chain(BACKEND, chain, rows, limit)
}
