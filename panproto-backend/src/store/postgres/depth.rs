//! First-parent depths: every commit row carries its depth (the root is 1,
//! each commit one more than its first parent), so that a `log` is one
//! range scan of the `(repo, depth)` index instead of a walk that probes
//! the primary key once per commit (see `chain_by_depth` in `reads.rs`).
//!
//! A commit's depth is computed where it is written: the writer sends each
//! commit's steps above its nearest ancestor outside the transaction
//! ([`steps`]), and the server adds that ancestor's depth. A store made
//! before depths gets the column and every commit's depth once, on the
//! first open by a panproto that knows them ([`ensure`]); commits an older
//! panproto writes afterwards have none, and neither do those above them,
//! so reads of such a chain walk it as before.

use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::{ObjectId, StoreError};
use rustc_hash::FxHashMap;
use sqlx::postgres::PgConnection;

use super::connection::{Db, SCHEMA_LOCK};

/// The `panproto_meta` key recording that every commit has been given its depth.
const DONE: &str = "first_parent_depths";

/// The column and its index (idempotent).
const COLUMN: &str = "ALTER TABLE panproto_objects ADD COLUMN IF NOT EXISTS depth BIGINT; \
     CREATE INDEX IF NOT EXISTS panproto_objects_by_depth \
     ON panproto_objects (repo, depth) WHERE depth IS NOT NULL";

/// A commit row as the backfill reads it: `(repo, id, parent, depth)`.
type CommitRow = (i64, Vec<u8>, Option<Vec<u8>>, Option<i64>);

/// How many depths one `UPDATE` of the backfill sets.
const BATCH: usize = 10_000;

/// For each commit of `objects`: its nearest first-parent ancestor not in
/// `objects` (`None` when the chain reaches a root inside them) and how many
/// steps above it the commit is. The server adds the anchor's stored depth.
pub(super) fn steps(objects: &[StoredObject]) -> (Vec<Option<&[u8]>>, Vec<Option<i64>>) {
    let commits: rustc_hash::FxHashMap<&ObjectId, usize> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.kind == ObjectKind::Commit)
        .map(|(i, o)| (&o.id, i))
        .collect();
    // Memoised (anchor, steps) per object index, filled parents first.
    let mut known: Vec<Option<(Option<&ObjectId>, i64)>> = vec![None; objects.len()];
    for start in 0..objects.len() {
        if objects[start].kind != ObjectKind::Commit || known[start].is_some() {
            continue;
        }
        // Climb to an object already known or the chain's end in the
        // batch, then fill the climbed path from the top down. A cycle of
        // damaged parents ends the climb (each index is visited once).
        let mut path = vec![start];
        let mut base = loop {
            let Some(&top) = path.last() else {
                break (None, 0);
            };
            let parent = objects[top].parent.as_ref();
            match parent.and_then(|p| commits.get(p)) {
                Some(&i) if known[i].is_some() => break known[i].unwrap_or((None, 0)),
                Some(&i) if !path.contains(&i) => path.push(i),
                _ => break (parent, 0),
            }
        };
        for &i in path.iter().rev() {
            base = (base.0, base.1 + 1);
            known[i] = Some(base);
        }
    }
    known
        .into_iter()
        .map(|k| match k {
            Some((anchor, steps)) => (anchor.map(|a| a.as_bytes().as_slice()), Some(steps)),
            None => (None, None),
        })
        .unzip()
}

/// Adds the column and gives every commit its depth, once per database,
/// under the lock that guards table creation: a client that waited for the
/// lock finds the work done.
pub(super) async fn ensure(db: &Db, conn: &mut PgConnection) -> Result<(), StoreError> {
    if done(db, conn).await? {
        return Ok(());
    }
    db.transaction(conn, async |tx: &mut PgConnection| {
        let lock = db
            .query("SELECT pg_advisory_xact_lock($1)")
            .bind(SCHEMA_LOCK)
            .execute(&mut *tx);
        db.round_trip("waiting to add commit depths", lock).await?;
        if done(db, tx).await? {
            return Ok(());
        }
        db.round_trip(
            "adding the depth column",
            sqlx::raw_sql(COLUMN).execute(&mut *tx),
        )
        .await?;
        let read = db
            .query_as("SELECT repo, id, parent, depth FROM panproto_objects WHERE kind = $1")
            .bind(ObjectKind::Commit.code())
            .fetch_all(&mut *tx);
        let commits: Vec<CommitRow> = db.round_trip("reading every commit", read).await?;
        let depths = backfill(&commits);
        for chunk in depths.chunks(BATCH) {
            let (repos, ids, values): (Vec<i64>, Vec<&[u8]>, Vec<i64>) = chunk.iter().fold(
                (Vec::new(), Vec::new(), Vec::new()),
                |(mut r, mut i, mut d), &(repo, id, depth)| {
                    r.push(repo);
                    i.push(id);
                    d.push(depth);
                    (r, i, d)
                },
            );
            let update = db
                .query(
                    "UPDATE panproto_objects o SET depth = u.depth \
                     FROM UNNEST($1::int8[], $2::bytea[], $3::int8[]) AS u (repo, id, depth) \
                     WHERE o.repo = u.repo AND o.id = u.id",
                )
                .bind(repos)
                .bind(ids)
                .bind(values)
                .execute(&mut *tx);
            db.round_trip("recording commit depths", update).await?;
        }
        let record = db
            .query("INSERT INTO panproto_meta (key, value) VALUES ($1, '1') ON CONFLICT DO NOTHING")
            .bind(DONE)
            .execute(&mut *tx);
        db.round_trip("recording that depths are complete", record)
            .await?;
        Ok(())
    })
    .await
}

async fn done(db: &Db, conn: &mut PgConnection) -> Result<bool, StoreError> {
    let query = db
        .query_scalar("SELECT EXISTS (SELECT 1 FROM panproto_meta WHERE key = $1)")
        .bind(DONE)
        .fetch_one(&mut *conn);
    db.round_trip("looking for commit depths", query).await
}

/// The depths to set: `(repo, id, depth)` for each commit of `commits`
/// (`(repo, id, parent, depth)`) without one whose chain reaches a root
/// or a commit with a depth; a chain with a missing parent keeps none.
fn backfill(commits: &[CommitRow]) -> Vec<(i64, &[u8], i64)> {
    let index: FxHashMap<(i64, &[u8]), usize> = commits
        .iter()
        .enumerate()
        .map(|(i, (repo, id, _, _))| ((*repo, id.as_slice()), i))
        .collect();
    // Some(Some(d)): known depth; Some(None): cannot be known.
    let mut known: Vec<Option<Option<i64>>> = commits.iter().map(|c| c.3.map(Some)).collect();
    let mut out = Vec::new();
    for start in 0..commits.len() {
        if known[start].is_some() {
            continue;
        }
        let mut path = vec![start];
        let base = loop {
            let Some(&top) = path.last() else { break None };
            let (repo, _, parent, _) = &commits[top];
            let Some(parent) = parent else { break Some(0) };
            match index.get(&(*repo, parent.as_slice())) {
                Some(&i) => match known[i] {
                    Some(depth) => break depth,
                    None if path.contains(&i) => break None,
                    None => path.push(i),
                },
                None => break None,
            }
        };
        for (n, &i) in path.iter().rev().enumerate() {
            let depth = base.map(|b| b + 1 + n as i64);
            known[i] = Some(depth);
            if let Some(depth) = depth {
                let (repo, id, _, _) = &commits[i];
                out.push((*repo, id.as_slice(), depth));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: u8, parent: Option<u8>) -> CommitRow {
        (1, vec![id], parent.map(|p| vec![p]), None)
    }

    #[test]
    fn backfill_counts_from_the_root_and_skips_broken_chains() {
        // 1 <- 2 <- 3, 2 <- 4; 5 has a parent that is not stored; 6 <- 7
        // where 6 has a depth already.
        let mut commits = vec![
            commit(3, Some(2)),
            commit(1, None),
            commit(4, Some(2)),
            commit(2, Some(1)),
            commit(5, Some(99)),
            commit(7, Some(6)),
        ];
        commits.push((1, vec![6], Some(vec![98]), Some(40)));
        let mut got: Vec<(u8, i64)> = backfill(&commits)
            .into_iter()
            .map(|(_, id, d)| (id[0], d))
            .collect();
        got.sort();
        assert_eq!(got, vec![(1, 1), (2, 2), (3, 3), (4, 3), (7, 41)]);
    }
}
