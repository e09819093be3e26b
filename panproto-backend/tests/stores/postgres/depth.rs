//! First-parent depths: written with each commit (in a batch or one by
//! one, merges by their first parent), added once to a store made before
//! them, and not trusted where unknown (a chain an older panproto wrote is
//! walked instead).

use panproto_backend::store::{PostgresStore, open_store};
use panproto_core::ObjectId;
use panproto_core::vcs::conformance::commit_on;
use panproto_core::vcs::object::StoredObject;
use panproto_core::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};

use panproto_core::vcs::conformance::Database;

use super::{Admin, PgSchema};

fn commit(parents: Vec<ObjectId>, i: usize) -> StoredObject {
    commit_on(parents, &format!("commit {i}"), i as i64)
}

fn write(store: &PostgresStore, objects: Vec<StoredObject>) {
    store
        .apply(&Transaction {
            objects,
            edits: vec![],
            timestamp: 0,
        })
        .unwrap();
}

/// A chain of `n` commits on `parent`, written in batches of `batch`.
fn chain(
    store: &PostgresStore,
    mut parent: Option<ObjectId>,
    n: usize,
    batch: usize,
) -> Vec<ObjectId> {
    let mut ids = Vec::new();
    let mut pending = Vec::new();
    for i in 0..n {
        let obj = commit(parent.into_iter().collect(), i);
        parent = Some(obj.id);
        ids.push(obj.id);
        pending.push(obj);
        if pending.len() == batch {
            write(store, std::mem::take(&mut pending));
        }
    }
    write(store, pending);
    ids
}

fn depths(schema: &PgSchema) -> Vec<(String, Option<String>)> {
    let mut admin = Admin::connect(&schema.url);
    admin
        .texts("SELECT encode(id, 'hex') || ':' || coalesce(depth::text, '-') FROM panproto_objects ORDER BY depth")
        .into_iter()
        .map(|row| {
            let (id, depth) = row.split_once(':').unwrap();
            (id.to_owned(), (depth != "-").then(|| depth.to_owned()))
        })
        .collect()
}

fn depth_of(schema: &PgSchema, id: &ObjectId) -> Option<String> {
    depths(schema)
        .into_iter()
        .find(|(hex, _)| *hex == id.to_hex())
        .and_then(|(_, d)| d)
}

fn assert_chain(
    store: &PostgresStore,
    tip: &ObjectId,
    expected: &[ObjectId],
    limit: Option<usize>,
) {
    let got: Vec<ObjectId> = store
        .first_parent_chain(tip, limit)
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn depths_are_written_with_commits_in_batches_and_merges() {
    let schema = PgSchema::new();
    let store = open_store(&schema.url, "repo", true).unwrap();
    store.create("{}", 0).unwrap();
    // 25 commits in batches of 7: some parents in the batch, some before it.
    let main = chain(&store, None, 25, 7);
    for (n, id) in main.iter().enumerate() {
        assert_eq!(
            depth_of(&schema, id),
            Some((n + 1).to_string()),
            "commit {n}"
        );
    }
    // A side branch from commit 9, and a merge of it whose first parent is the tip.
    let side = chain(&store, Some(main[9]), 3, 1);
    let merge = commit(vec![main[24], side[2]], 99);
    write(&store, vec![merge.clone()]);
    assert_eq!(depth_of(&schema, &side[2]), Some("13".to_owned()));
    assert_eq!(depth_of(&schema, &merge.id), Some("26".to_owned()));
    // The log through the merge: its first parents, not the side branch's
    // commits at the same depths.
    let mut expected: Vec<ObjectId> = main.iter().rev().copied().collect();
    expected.insert(0, merge.id);
    assert_chain(&store, &merge.id, &expected, None);
    assert_chain(&store, &merge.id, &expected[..5], Some(5));
    let side_log: Vec<ObjectId> = side
        .iter()
        .rev()
        .chain(main[..10].iter().rev())
        .copied()
        .collect();
    assert_chain(&store, &side[2], &side_log, None);
}

#[test]
fn a_store_made_before_depths_gets_them_on_open_and_unknown_ones_are_walked() {
    let schema = PgSchema::new();
    let store = open_store(&schema.url, "repo", true).unwrap();
    store.create("{}", 0).unwrap();
    let ids = chain(&store, None, 12, 5);
    let expected: Vec<ObjectId> = ids.iter().rev().copied().collect();
    // As a panproto before depths left it: no column, no record of them.
    schema.execute(
        "ALTER TABLE panproto_objects DROP COLUMN depth; \
         DELETE FROM panproto_meta WHERE key = 'first_parent_depths'",
    );
    let reopened = open_store(&schema.url, "repo", false).unwrap();
    assert_eq!(depth_of(&schema, &ids[11]), Some("12".to_owned()));
    assert_chain(&reopened, &ids[11], &expected, None);
    // A commit an older panproto wrote has no depth, nor do those above it:
    // their chains are walked, and still right.
    schema.execute(&format!(
        "UPDATE panproto_objects SET depth = NULL WHERE id = '\\x{}'",
        ids[6].to_hex()
    ));
    let more = chain(&reopened, Some(ids[11]), 3, 3);
    assert_eq!(depth_of(&schema, &more[0]), Some("13".to_owned()));
    let above = chain(&reopened, Some(ids[6]), 2, 1);
    assert_eq!(depth_of(&schema, &above[1]), None);
    let mut walked: Vec<ObjectId> = above.iter().rev().copied().collect();
    walked.extend(ids[..7].iter().rev());
    assert_chain(&reopened, &above[1], &walked, None);
    let mut through: Vec<ObjectId> = more.iter().rev().copied().collect();
    through.extend(expected.iter());
    assert_chain(&reopened, &more[2], &through, None);
    reopened
        .apply(&Transaction {
            objects: vec![],
            edits: vec![RefEdit {
                name: "refs/heads/main".into(),
                expected: Expected::Absent,
                new: Some(RefTarget::Id(more[2])),
                message: "test".into(),
            }],
            timestamp: 0,
        })
        .unwrap();
}
