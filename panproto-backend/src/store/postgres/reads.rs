//! The reads: one statement each, outside any transaction (behind a pooler
//! in transaction mode, inside the call's), bounded by the limits. They
//! take no locks that a commit waits for, and wait only behind a lock on a
//! whole table (`LOCK TABLE`, DDL).

use std::collections::HashMap;

use panproto_core::ObjectId;
use panproto_core::StoreError;
use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::vcs::store::{
    HEADS, RefTarget, ReflogEntry, RepoInfo, RepoSummary, ScannedObject,
};
use sqlx::Row;
use sqlx::postgres::PgConnection;

use super::BACKEND;
use super::connection::Db;
use crate::store as shared;

/// A row of the refs table: `(name, target, symbolic)`.
pub(super) type RefRow = (String, Option<Vec<u8>>, Option<String>);

/// A row of the objects table: `(id, kind, parent, data)`.
type ObjectRow = (Vec<u8>, i16, Option<Vec<u8>>, Vec<u8>);

/// The first-parent chain query's one row: kinds, parents and data, in
/// chain order, as arrays (`NULL` for an empty chain). One row of three
/// arrays rather than a row per commit: a 1,000-commit `log` took ~8 ms
/// instead of ~9 ms in back-to-back runs.
type ChainArrays = (
    Option<Vec<i16>>,
    Option<Vec<Option<Vec<u8>>>>,
    Option<Vec<Vec<u8>>>,
);

fn limit_sql(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The id of repository `name`, or `None` if there is none.
pub(super) async fn repo_id(
    db: &Db,
    conn: &mut PgConnection,
    name: &str,
) -> Result<Option<i64>, StoreError> {
    let query = db
        .query_scalar("SELECT id FROM panproto_repositories WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn);
    db.round_trip("looking up the repository", query).await
}

/// Every repository of the database, by name, with its counts and size
/// (as stored: `pg_column_size`, without reading the objects).
pub(super) async fn repositories(
    db: &Db,
    conn: &mut PgConnection,
) -> Result<Vec<RepoSummary>, StoreError> {
    let query = db.query_as(
        "SELECT r.name, r.protocol_json, r.created, \
           (SELECT count(*) FROM panproto_objects o WHERE o.repo = r.id AND o.kind = $1), \
           (SELECT count(*) FROM panproto_refs f WHERE f.repo = r.id AND starts_with(f.name, $2)), \
           (SELECT coalesce(sum(pg_column_size(o.data)), 0)::bigint FROM panproto_objects o WHERE o.repo = r.id) \
         FROM panproto_repositories r ORDER BY r.name",
    )
    .bind(ObjectKind::Commit.code())
    .bind(HEADS)
    .fetch_all(&mut *conn);
    let rows: Vec<(String, String, i64, i64, i64, i64)> =
        db.round_trip("listing the repositories", query).await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(
            |(name, json, created, commits, branches, size)| RepoSummary {
                name,
                protocol: RepoSummary::protocol_name(&json),
                created,
                commits: count(commits),
                branches: count(branches),
                size: count(size),
            },
        )
        .collect())
}

pub(super) async fn info(
    db: &Db,
    conn: &mut PgConnection,
    name: &str,
) -> Result<Option<RepoInfo>, StoreError> {
    let query = db
        .query_as("SELECT name, protocol_json, created FROM panproto_repositories WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn);
    let row: Option<(String, String, i64)> = db.round_trip("reading the repository", query).await?;
    Ok(row.map(|(name, protocol_json, created)| RepoInfo {
        name,
        protocol_json,
        created,
    }))
}

pub(super) async fn read_ref(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    name: &str,
) -> Result<Option<RefTarget>, StoreError> {
    let query = db
        .query_as("SELECT target, symbolic FROM panproto_refs WHERE repo = $1 AND name = $2")
        .bind(repo)
        .bind(name)
        .fetch_optional(&mut *conn);
    let row: Option<(Option<Vec<u8>>, Option<String>)> =
        db.round_trip("reading a ref", query).await?;
    match row {
        Some((target, symbolic)) => {
            shared::ref_target(BACKEND, target, symbolic, &format!("ref {name}"))
        }
        None => Ok(None),
    }
}

/// Refs `names`, in their order, in one statement.
pub(super) async fn read_refs(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    names: &[&str],
) -> Result<Vec<Option<RefTarget>>, StoreError> {
    let query = db
        .query_as(
            "SELECT name, target, symbolic FROM panproto_refs WHERE repo = $1 AND name = ANY($2)",
        )
        .bind(repo)
        .bind(names)
        .fetch_all(&mut *conn);
    let rows: Vec<RefRow> = db.round_trip("reading refs", query).await?;
    let found = refs_by_name(rows)?;
    Ok(names
        .iter()
        .map(|name| found.get(*name).cloned().flatten())
        .collect())
}

/// Rows of refs, decoded, by name.
pub(super) fn refs_by_name(
    rows: Vec<RefRow>,
) -> Result<HashMap<String, Option<RefTarget>>, StoreError> {
    rows.into_iter()
        .map(|(name, target, symbolic)| {
            let value = shared::ref_target(BACKEND, target, symbolic, &format!("ref {name}"))?;
            Ok((name, value))
        })
        .collect()
}

pub(super) async fn list_refs(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    prefix: &str,
) -> Result<Vec<(String, RefTarget)>, StoreError> {
    let query = db
        .query_as(
            "SELECT name, target, symbolic FROM panproto_refs \
         WHERE repo = $1 AND starts_with(name, $2) ORDER BY name",
        )
        .bind(repo)
        .bind(prefix)
        .fetch_all(&mut *conn);
    let rows: Vec<RefRow> = db.round_trip("listing refs", query).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (name, target, symbolic) in rows {
        let what = format!("ref {name}");
        if let Some(target) = shared::ref_target(BACKEND, target, symbolic, &what)? {
            out.push((name, target));
        }
    }
    Ok(out)
}

pub(super) async fn read_object(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    id: &ObjectId,
) -> Result<Option<StoredObject>, StoreError> {
    let query = db
        .query_as("SELECT kind, parent, data FROM panproto_objects WHERE repo = $1 AND id = $2")
        .bind(repo)
        .bind(id.as_bytes().as_slice())
        .fetch_optional(&mut *conn);
    let row: Option<(i16, Option<Vec<u8>>, Vec<u8>)> =
        db.round_trip("reading an object", query).await?;
    row.map(|(kind, parent, data)| {
        shared::stored_object(
            BACKEND,
            id.as_bytes(),
            i64::from(kind),
            parent.as_deref(),
            data,
        )
    })
    .transpose()
}

pub(super) async fn ids_between(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    kind: ObjectKind,
    (low, high): (&ObjectId, &ObjectId),
    limit: usize,
) -> Result<Vec<ObjectId>, StoreError> {
    let query = db
        .query_as(
            "SELECT id FROM panproto_objects WHERE repo = $1 AND id BETWEEN $2 AND $3 \
         AND kind = $4 ORDER BY id LIMIT $5",
        )
        .bind(repo)
        .bind(low.as_bytes().as_slice())
        .bind(high.as_bytes().as_slice())
        .bind(kind.code())
        .bind(limit_sql(limit))
        .fetch_all(&mut *conn);
    let rows: Vec<(Vec<u8>,)> = db.round_trip("resolving a short id", query).await?;
    rows.into_iter()
        .map(|(id,)| shared::object_id(BACKEND, &id, "an object row"))
        .collect()
}

pub(super) async fn scan_objects(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<ScannedObject>, StoreError> {
    // bytea compares bytewise, and the empty string sorts first.
    let query = db
        .query_as(
            "SELECT id, kind, parent, data FROM panproto_objects WHERE repo = $1 AND id > $2 \
         ORDER BY id LIMIT $3",
        )
        .bind(repo)
        .bind(after.unwrap_or_default())
        .bind(limit_sql(limit))
        .fetch_all(&mut *conn);
    let rows: Vec<ObjectRow> = db.round_trip("scanning objects", query).await?;
    Ok(rows
        .into_iter()
        .map(|(key, kind, parent, data)| {
            let object =
                shared::stored_object(BACKEND, &key, i64::from(kind), parent.as_deref(), data);
            ScannedObject { key, object }
        })
        .collect())
}

pub(super) async fn reflog(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    name: &str,
    limit: Option<usize>,
) -> Result<Vec<ReflogEntry>, StoreError> {
    let query = db
        .query(
            "SELECT old_target, old_symbolic, new_target, new_symbolic, message, at \
         FROM panproto_reflog WHERE repo = $1 AND name = $2 ORDER BY seq DESC LIMIT $3",
        )
        .bind(repo)
        .bind(name)
        .bind(limit.map(limit_sql))
        .fetch_all(&mut *conn);
    let rows = db.round_trip("reading the reflog", query).await?;
    let what = format!("a reflog entry of {name}");
    let err = |e| db.error(e);
    rows.iter()
        .map(|row| {
            Ok(ReflogEntry {
                name: name.to_owned(),
                old: shared::ref_target(
                    BACKEND,
                    row.try_get(0).map_err(err)?,
                    row.try_get(1).map_err(err)?,
                    &what,
                )?,
                new: shared::ref_target(
                    BACKEND,
                    row.try_get(2).map_err(err)?,
                    row.try_get(3).map_err(err)?,
                    &what,
                )?,
                message: row.try_get(4).map_err(err)?,
                timestamp: row.try_get(5).map_err(err)?,
            })
        })
        .collect()
}

/// The first-parent chain from `start`: one range scan of the depth index
/// (see [`chain_by_depth`]), else, where depths are unknown, a walk.
pub(super) async fn first_parent_chain(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    start: &ObjectId,
    limit: Option<usize>,
) -> Result<Vec<StoredObject>, StoreError> {
    match chain_by_depth(db, conn, repo, start, limit).await? {
        Some(chain) => Ok(chain),
        None => walk_chain(db, conn, repo, start, limit).await,
    }
}

/// The commits whose first-parent depth lies in the chain's range (`start`'s
/// and the `limit` below it), read in one range scan of the depth index,
/// and the chain followed through them in memory. Other branches' commits
/// at those depths are read too, and skipped. `None` when the chain cannot
/// be made from them: `start`'s depth is unknown (a commit written by a
/// panproto before depths, or above one), or a commit in range is.
async fn chain_by_depth(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    start: &ObjectId,
    limit: Option<usize>,
) -> Result<Option<Vec<StoredObject>>, StoreError> {
    // Rows, not arrays: aggregating 1,000 rows' data into arrays cost the
    // server 4 ms of the 5; their order does not matter (the chain is
    // followed by id), so there is no sort either.
    let query = db
        .query_as(
            "SELECT o.id, o.kind, o.parent, o.data \
             FROM panproto_objects s JOIN panproto_objects o \
               ON o.repo = s.repo AND o.depth <= s.depth AND o.depth > s.depth - LEAST($3, s.depth) \
             WHERE s.repo = $1 AND s.id = $2",
        )
        .bind(repo)
        .bind(start.as_bytes().as_slice())
        .bind(limit.map_or(i64::MAX, limit_sql))
        .fetch_all(&mut *conn);
    let rows: Vec<ObjectRow> = db.round_trip("reading the history", query).await?;
    let mut rows: Vec<_> = rows
        .into_iter()
        .map(|(id, kind, parent, data)| (id, i64::from(kind), parent, data))
        .collect();
    let Some(at) = rows.iter().position(|row| row.0 == start.as_bytes()) else {
        return Ok(None);
    };
    let (id, kind, parent, data) = rows.swap_remove(at);
    let head = shared::stored_object(BACKEND, &id, kind, parent.as_deref(), data)?;
    let chain = shared::continue_chain(BACKEND, vec![head], rows, limit)?;
    let complete =
        limit.is_some_and(|l| chain.len() >= l) || chain.last().is_some_and(|o| o.parent.is_none());
    Ok(complete.then_some(chain))
}

/// One recursive query following `objects.parent`, with the limit applied
/// inside the recursion so a page of a long history reads only that page.
/// The step is a `LATERAL` subquery (with `LIMIT 1`, so it is not
/// flattened into a join): PostgreSQL must then probe the primary key
/// with the previous row's parent. A plain join lets the planner, misled
/// by stale statistics on a new repository, scan the repository's
/// objects once per step instead (measured: 115 ms for 200 commits).
/// A walk longer than [`CHAIN_PROBE`](shared::CHAIN_PROBE) goes on in
/// memory over one scan of the repository's commits (see
/// `continue_chain`): 100,000 probes took 340 ms on the server, the
/// scan 36 ms.
async fn walk_chain(
    db: &Db,
    conn: &mut PgConnection,
    repo: i64,
    start: &ObjectId,
    limit: Option<usize>,
) -> Result<Vec<StoredObject>, StoreError> {
    let (probe, last) = shared::chain_probe(limit);
    let query = db.query_as(
        "WITH RECURSIVE chain (n, kind, parent, data) AS ( \
             SELECT 1::bigint, kind, parent, data FROM panproto_objects WHERE repo = $1 AND id = $2 \
             UNION ALL \
             SELECT c.n + 1, o.kind, o.parent, o.data \
             FROM chain c CROSS JOIN LATERAL ( \
                 SELECT kind, parent, data FROM panproto_objects \
                 WHERE repo = $1 AND id = c.parent LIMIT 1 \
             ) o \
             WHERE c.n < $3 \
         ) \
         SELECT array_agg(kind ORDER BY n), array_agg(parent ORDER BY n), \
                array_agg(data ORDER BY n) FROM chain",
    )
    .bind(repo)
    .bind(start.as_bytes().as_slice())
    .bind(limit_sql(probe))
    .fetch_one(&mut *conn);
    let (kinds, parents, datas): ChainArrays = db.round_trip("walking the history", query).await?;
    let rows = kinds
        .unwrap_or_default()
        .into_iter()
        .zip(parents.unwrap_or_default())
        .zip(datas.unwrap_or_default())
        .enumerate()
        .map(|(n, ((kind, parent), data))| (limit_sql(n), i64::from(kind), parent, data))
        .collect();
    let chain = shared::chain_from_rows(BACKEND, start, rows)?;
    if last || !shared::chain_continues(&chain) {
        return Ok(chain);
    }
    let query = db
        .query_as(
            "SELECT id, kind, parent, data FROM panproto_objects WHERE repo = $1 AND kind = $2",
        )
        .bind(repo)
        .bind(ObjectKind::Commit.code())
        .fetch_all(&mut *conn);
    let rows: Vec<ObjectRow> = db.round_trip("reading the history", query).await?;
    let rows = rows
        .into_iter()
        .map(|(id, kind, parent, data)| (id, i64::from(kind), parent, data))
        .collect();
    shared::continue_chain(BACKEND, chain, rows, limit)
}
