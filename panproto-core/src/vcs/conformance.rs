//! The store conformance suite: one set of checks every [`Store`] must pass.
//!
//! Each check takes a factory that returns a store bound to a fresh
//! repository name in one shared database, so checks can run in parallel
//! and can test isolation between names. Backends instantiate the whole
//! suite with [`store_conformance_tests!`](crate::store_conformance_tests).
//!
//! A store opened from a location (a SQLite file, a PostgreSQL database)
//! has a second part to pass, about opening: names it refuses, the format
//! marker it upgrades or refuses, rows damaged behind its back, text its
//! columns cannot hold. Those checks take a [`Database`]: one fresh
//! database, with a way to open a store in it and to run SQL on it behind
//! the store's back, which is all the hook the format checks need.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::encoding::ObjectId;
use crate::model::protocol::builtin_protocol;
use crate::model::schema::Schema;
use crate::vcs::StoreError;
use crate::vcs::error::{StoreErrorKind, VcsError};
use crate::vcs::object::{self, Commit, ObjectKind};
use crate::vcs::repository::Repository;
use crate::vcs::store::{
    Expected, HEAD, RefEdit, RefTarget, ReflogEntry, RepoInfo, STORE_FORMAT, ScannedObject, Store,
    Transaction,
};

fn commit_obj(parent: Option<ObjectId>, message: &str) -> object::StoredObject {
    object::store_commit(&Commit {
        schema: ObjectId::hash(b"schema"),
        parents: parent.into_iter().collect(),
        migration: None,
        merge_migrations: Vec::new(),
        compatibility: None,
        datasets: Default::default(),
        author: "test".into(),
        timestamp: 1,
        message: message.into(),
    })
}

fn set_ref(name: &str, expected: Expected, id: ObjectId) -> RefEdit {
    RefEdit {
        name: name.into(),
        expected,
        new: Some(RefTarget::Id(id)),
        message: "test".into(),
    }
}

/// `create` makes the repository once (with HEAD on `refs/heads/main`);
/// `info` reads it back; a second `create` is refused.
pub fn create_and_info<S: Store>(make: impl Fn() -> S) {
    let store = make();
    assert_eq!(store.info().unwrap(), None);
    let info = store.create("{\"p\":1}", 42).unwrap();
    assert_eq!(info.protocol_json, "{\"p\":1}");
    assert_eq!(store.info().unwrap(), Some(info));
    assert!(matches!(
        store.create("{}", 43),
        Err(VcsError::AlreadyExists(_))
    ));
    assert_eq!(
        store.read_ref(HEAD).unwrap(),
        Some(RefTarget::Symbolic("refs/heads/main".into()))
    );
}

/// Writing an object twice (even in one transaction) keeps one copy,
/// read back byte for byte.
pub fn objects_are_idempotent<S: Store>(make: impl Fn() -> S) {
    let store = make();
    store.create("{}", 0).unwrap();
    let obj = commit_obj(None, "one");
    let tx = Transaction {
        objects: vec![obj.clone(), obj.clone()],
        edits: vec![],
        timestamp: 0,
    };
    store.apply(&tx).unwrap();
    store.apply(&tx).unwrap();
    let back = store.read_object(&obj.id).unwrap().unwrap();
    assert_eq!(back, obj);
    assert_eq!(back.kind, ObjectKind::Commit);
    assert_eq!(
        store.read_object(&ObjectId::hash(b"missing")).unwrap(),
        None
    );
}

/// `scan_objects` pages through every object of the repository in id
/// order, each exactly once, and never shows another repository's.
pub fn scan_objects_pages_in_id_order<S: Store>(make: impl Fn() -> S, other: impl Fn(&S) -> S) {
    let store = make();
    assert!(
        store.scan_objects(None, 10).unwrap().is_empty(),
        "no repository yet"
    );
    store.create("{}", 0).unwrap();
    let neighbour = other(&store);
    neighbour.create("{}", 0).unwrap();
    neighbour
        .apply(&Transaction {
            objects: vec![commit_obj(None, "not yours")],
            edits: vec![],
            timestamp: 0,
        })
        .unwrap();
    assert!(store.scan_objects(None, 10).unwrap().is_empty());
    let mut written: Vec<object::StoredObject> = Vec::new();
    let mut parent = None;
    for i in 0..7 {
        let obj = commit_obj(parent, &format!("c{i}"));
        parent = Some(obj.id);
        written.push(obj);
    }
    store
        .apply(&Transaction {
            objects: written.clone(),
            edits: vec![],
            timestamp: 0,
        })
        .unwrap();
    written.sort_by_key(|o| o.id);
    let mut seen = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = store.scan_objects(after.as_deref(), 3).unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        for row in page {
            let obj = row.object.unwrap();
            assert_eq!(row.key, obj.id.as_bytes().to_vec());
            seen.push(obj);
        }
    }
    assert_eq!(seen, written, "every object once, in id order, as written");
    // A cursor that is no stored id (here a prefix of the third id) starts
    // at the first id after it.
    let third = written[2].id.as_bytes()[..5].to_vec();
    let page = store.scan_objects(Some(&third), 1).unwrap();
    assert_eq!(page[0].key, written[2].id.as_bytes().to_vec());
    assert!(store.scan_objects(None, 0).unwrap().is_empty());
}

/// A store whose repository does not exist writes nothing and says so.
pub fn apply_without_repository_is_not_found<S: Store>(make: impl Fn() -> S) {
    let store = make();
    let err = store.apply(&Transaction::default()).unwrap_err();
    assert!(matches!(err, VcsError::NotFound(_)), "{err:?}");
    let obj = commit_obj(None, "orphan");
    let err = store
        .apply(&Transaction {
            objects: vec![obj.clone()],
            edits: vec![set_ref("refs/heads/main", Expected::Absent, obj.id)],
            timestamp: 0,
        })
        .unwrap_err();
    assert!(matches!(err, VcsError::NotFound(_)), "{err:?}");
    assert_eq!(store.info().unwrap(), None);
    let info = store.create("{}", 0).unwrap();
    assert_eq!(
        store.read_object(&obj.id).unwrap(),
        None,
        "nothing was kept"
    );
    assert!(
        store.location().ends_with(&info.name),
        "{} names the repository {}",
        store.location(),
        info.name
    );
}

/// Ref names sort bytewise (as Rust's strings do), whatever the database's
/// collation: upper case before lower case, `-` before `_`.
pub fn list_refs_sorts_bytewise<S: Store>(make: impl Fn() -> S) {
    let store = make();
    store.create("{}", 0).unwrap();
    let a = commit_obj(None, "a");
    let names = [
        "refs/heads/b",
        "refs/heads/B",
        "refs/heads/a-b",
        "refs/heads/a_b",
        "refs/heads/Z",
        "refs/heads/\u{e9}t\u{e9}",
        "refs/tags/x",
    ];
    store
        .apply(&Transaction {
            objects: vec![a.clone()],
            edits: names
                .iter()
                .map(|n| set_ref(n, Expected::Absent, a.id))
                .collect(),
            timestamp: 0,
        })
        .unwrap();
    let listed: Vec<String> = store
        .list_refs("refs/heads/")
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut expected: Vec<String> = names[..6].iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(listed[0], "refs/heads/B");
    assert_eq!(
        store.list_refs("").unwrap().len(),
        8,
        "HEAD, six heads and a tag"
    );
    assert!(store.list_refs("refs/heads/zz").unwrap().is_empty());
}

/// Every ref edit is a compare-and-swap: a wrong expectation is a conflict
/// naming the ref, the expected and the actual value, and writes nothing
/// of its transaction.
pub fn ref_updates_compare_and_swap<S: Store>(make: impl Fn() -> S) {
    let store = make();
    store.create("{}", 0).unwrap();
    let a = commit_obj(None, "a");
    let b = commit_obj(Some(a.id), "b");
    let main = "refs/heads/main";
    store
        .apply(&Transaction {
            objects: vec![a.clone()],
            edits: vec![set_ref(main, Expected::Absent, a.id)],
            timestamp: 1,
        })
        .unwrap();
    // Expecting absence of an existing ref is a conflict naming what was found.
    let err = store
        .apply(&Transaction {
            objects: vec![b.clone()],
            edits: vec![set_ref(main, Expected::Absent, b.id)],
            timestamp: 2,
        })
        .unwrap_err();
    match err {
        VcsError::Conflict {
            name,
            expected,
            actual,
        } => {
            assert_eq!(name, main);
            assert_eq!(expected, None);
            assert_eq!(actual, Some(RefTarget::Id(a.id)));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Nothing of the failed transaction was written: not its object, not its ref.
    assert_eq!(store.read_object(&b.id).unwrap(), None);
    assert_eq!(store.read_ref(main).unwrap(), Some(RefTarget::Id(a.id)));
    // A transaction with one good and one bad edit applies neither.
    let other = "refs/heads/other";
    let err = store
        .apply(&Transaction {
            objects: vec![],
            edits: vec![
                set_ref(other, Expected::Absent, a.id),
                set_ref(main, Expected::id(Some(b.id)), b.id),
            ],
            timestamp: 3,
        })
        .unwrap_err();
    assert!(matches!(err, VcsError::Conflict { .. }), "{err:?}");
    assert_eq!(store.read_ref(other).unwrap(), None);
    // The right expectation moves the ref.
    store
        .apply(&Transaction {
            objects: vec![b.clone()],
            edits: vec![set_ref(main, Expected::id(Some(a.id)), b.id)],
            timestamp: 4,
        })
        .unwrap();
    assert_eq!(store.read_ref(main).unwrap(), Some(RefTarget::Id(b.id)));
    // Deleting with the right expectation removes it.
    store
        .apply(&Transaction {
            objects: vec![],
            edits: vec![RefEdit {
                name: main.into(),
                expected: Expected::id(Some(b.id)),
                new: None,
                message: "delete".into(),
            }],
            timestamp: 5,
        })
        .unwrap();
    assert_eq!(store.read_ref(main).unwrap(), None);
}

/// `list_refs` lists by prefix, sorted; each move leaves a reflog entry,
/// newest first.
pub fn refs_list_and_reflog<S: Store>(make: impl Fn() -> S) {
    let store = make();
    store.create("{}", 0).unwrap();
    let a = commit_obj(None, "a");
    let b = commit_obj(Some(a.id), "b");
    store
        .apply(&Transaction {
            objects: vec![a.clone(), b.clone()],
            edits: vec![
                set_ref("refs/heads/zeta", Expected::Absent, a.id),
                set_ref("refs/heads/alpha", Expected::Absent, a.id),
                set_ref("refs/tags/v1", Expected::Absent, a.id),
            ],
            timestamp: 10,
        })
        .unwrap();
    store
        .apply(&Transaction {
            objects: vec![],
            edits: vec![set_ref("refs/heads/alpha", Expected::id(Some(a.id)), b.id)],
            timestamp: 11,
        })
        .unwrap();
    let heads: Vec<String> = store
        .list_refs("refs/heads/")
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(heads, ["refs/heads/alpha", "refs/heads/zeta"]);
    let log = store.reflog("refs/heads/alpha", None).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].new, Some(RefTarget::Id(b.id)));
    assert_eq!(log[0].old, Some(RefTarget::Id(a.id)));
    assert_eq!(log[0].timestamp, 11);
    assert_eq!(log[1].old, None);
    assert_eq!(store.reflog("refs/heads/alpha", Some(1)).unwrap().len(), 1);
}

/// The first-parent chain walks from a commit to the root, with a limit;
/// `ids_between` finds the ids of a prefix.
pub fn first_parent_chain<S: Store>(make: impl Fn() -> S) {
    let store = make();
    store.create("{}", 0).unwrap();
    let mut objs = vec![commit_obj(None, "0")];
    for i in 1..20 {
        let parent = objs[i - 1].id;
        objs.push(commit_obj(Some(parent), &i.to_string()));
    }
    store
        .apply(&Transaction {
            objects: objs.clone(),
            edits: vec![],
            timestamp: 0,
        })
        .unwrap();
    let top = objs[19].id;
    let chain: Vec<ObjectId> = store
        .first_parent_chain(&top, None)
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    let expected: Vec<ObjectId> = objs.iter().rev().map(|o| o.id).collect();
    assert_eq!(chain, expected);
    // Short ids: the range of a prefix finds exactly the commits starting with it.
    let (low, high) = ObjectId::prefix_range(&top.to_hex()[..8]).unwrap();
    assert_eq!(
        store
            .ids_between(ObjectKind::Commit, &low, &high, 5)
            .unwrap(),
        [top]
    );
    let (low, high) = ObjectId::prefix_range("00").unwrap();
    let all = store
        .ids_between(
            ObjectKind::Commit,
            &ObjectId::from_bytes([0; 32]),
            &ObjectId::from_bytes([0xff; 32]),
            100,
        )
        .unwrap();
    assert_eq!(all.len(), 20);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted by id");
    assert!(
        store
            .ids_between(ObjectKind::Commit, &low, &high, 100)
            .unwrap()
            .iter()
            .all(|id| id.to_hex().starts_with("00"))
    );
    assert!(
        store
            .ids_between(
                ObjectKind::Schema,
                &ObjectId::from_bytes([0; 32]),
                &ObjectId::from_bytes([0xff; 32]),
                100
            )
            .unwrap()
            .is_empty()
    );
    let first5: Vec<ObjectId> = store
        .first_parent_chain(&top, Some(5))
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(first5, expected[..5]);
}

/// A chain much longer than a store's query batch, next to a side branch
/// and to another repository holding the very same commits, walks the same
/// whatever the limit.
pub fn long_first_parent_chain<S: Store>(make: impl Fn() -> S, other: impl Fn(&S) -> S) {
    let store = make();
    store.create("{}", 0).unwrap();
    let neighbour = other(&store);
    neighbour.create("{}", 0).unwrap();
    let mut main = vec![commit_obj(None, "0")];
    for i in 1..2500 {
        main.push(commit_obj(Some(main[i - 1].id), &i.to_string()));
    }
    let mut side = vec![commit_obj(Some(main[1300].id), "side 0")];
    for i in 1..50 {
        side.push(commit_obj(Some(side[i - 1].id), &format!("side {i}")));
    }
    let all: Vec<_> = main.iter().chain(&side).cloned().collect();
    for s in [&store, &neighbour] {
        s.apply(&Transaction {
            objects: all.clone(),
            edits: vec![],
            timestamp: 0,
        })
        .unwrap();
    }
    let ids = |chain: Vec<object::StoredObject>| chain.iter().map(|o| o.id).collect::<Vec<_>>();
    let expected: Vec<ObjectId> = main.iter().rev().map(|o| o.id).collect();
    let top = main[2499].id;
    assert_eq!(ids(store.first_parent_chain(&top, None).unwrap()), expected);
    assert_eq!(
        store.first_parent_chain(&top, None).unwrap(),
        main.iter().rev().cloned().collect::<Vec<_>>()
    );
    for limit in [1, 1023, 1024, 1025, 2047, 2499, 2500, 10_000] {
        let want = &expected[..limit.min(2500)];
        assert_eq!(
            ids(store.first_parent_chain(&top, Some(limit)).unwrap()),
            want,
            "limit {limit}"
        );
    }
    let side_expected: Vec<ObjectId> = side
        .iter()
        .rev()
        .map(|o| o.id)
        .chain(main[..=1300].iter().rev().map(|o| o.id))
        .collect();
    assert_eq!(
        ids(store.first_parent_chain(&side[49].id, None).unwrap()),
        side_expected
    );
    // From the middle: the walk starts where it is told.
    assert_eq!(
        ids(store.first_parent_chain(&main[2000].id, None).unwrap()),
        expected[499..]
    );
    assert!(
        store
            .first_parent_chain(&ObjectId::hash(b"nothing"), None)
            .unwrap()
            .is_empty()
    );
}

/// Two repositories of one database never see or move each other's refs
/// and objects.
pub fn repositories_are_isolated<S: Store>(
    make: impl Fn() -> S,
    same_db_other_name: impl Fn(&S) -> S,
) {
    let one = make();
    let two = same_db_other_name(&one);
    one.create("{}", 0).unwrap();
    assert_eq!(
        two.info().unwrap(),
        None,
        "the other name must not see this repository"
    );
    two.create("{}", 0).unwrap();
    let a = commit_obj(None, "a");
    one.apply(&Transaction {
        objects: vec![a.clone()],
        edits: vec![set_ref("refs/heads/main", Expected::Absent, a.id)],
        timestamp: 0,
    })
    .unwrap();
    assert_eq!(two.read_ref("refs/heads/main").unwrap(), None);
    assert_eq!(two.read_object(&a.id).unwrap(), None);
    assert!(two.reflog("refs/heads/main", None).unwrap().is_empty());
    // The other repository may write the same ref name independently.
    two.apply(&Transaction {
        objects: vec![a.clone()],
        edits: vec![set_ref("refs/heads/main", Expected::Absent, a.id)],
        timestamp: 0,
    })
    .unwrap();
    // ... and move it without moving ours.
    let b = commit_obj(Some(a.id), "b");
    two.apply(&Transaction {
        objects: vec![b.clone()],
        edits: vec![set_ref(
            "refs/heads/main",
            Expected::Value(RefTarget::Id(a.id)),
            b.id,
        )],
        timestamp: 0,
    })
    .unwrap();
    assert_eq!(
        one.read_ref("refs/heads/main").unwrap(),
        Some(RefTarget::Id(a.id))
    );
    assert_eq!(one.read_object(&b.id).unwrap(), None);
    // A compare-and-swap made against the other repository's value fails
    // here: one repository's client cannot move the other's ref.
    let moved = one.apply(&Transaction {
        objects: Vec::new(),
        edits: vec![set_ref(
            "refs/heads/main",
            Expected::Value(RefTarget::Id(b.id)),
            a.id,
        )],
        timestamp: 0,
    });
    assert!(matches!(moved, Err(VcsError::Conflict { .. })), "{moved:?}");
    assert_eq!(
        two.read_ref("refs/heads/main").unwrap(),
        Some(RefTarget::Id(b.id))
    );
    assert_eq!(one.list_refs("refs/").unwrap().len(), 1);
}

/// The engine's `Repository` over the store: commits read back by a
/// second client.
pub fn repository_round_trip<S: Store>(make: impl Fn() -> S, reopen: impl Fn(&S) -> S) {
    let proto = builtin_protocol("atproto").unwrap();
    let store = make();
    let mut repo = Repository::init(store, proto.clone()).unwrap();
    assert!(matches!(
        repo.commit("m", "a", None),
        Err(VcsError::NothingStaged)
    ));
    let v1 = Schema::builder(proto.clone())
        .vertex("post", "record", Some("app.bsky.feed.post".into()))
        .vertex("post:body", "object", None)
        .edge("post", "post:body", "record-schema", None)
        .build()
        .unwrap();
    repo.add(v1.clone()).unwrap();
    let c1 = repo.commit("first", "ada", Some(100)).unwrap();
    let v2 = v1
        .to_builder()
        .vertex("post:body.text", "string", None)
        .edge("post:body", "post:body.text", "prop", Some("text".into()))
        .build()
        .unwrap();
    let staged = repo.add(v2.clone()).unwrap();
    assert_eq!(staged.changes.len(), 2, "{:?}", staged.changes);
    let c2 = repo.commit("second", "ada", Some(200)).unwrap();
    // The same schema again is refused, and stays staged.
    repo.add(v2.clone()).unwrap();
    assert!(matches!(
        repo.commit("again", "ada", None),
        Err(VcsError::NoChanges(_))
    ));

    let reopened = Repository::open(reopen(repo.store())).unwrap();
    let log = reopened.log(None).unwrap();
    assert_eq!(log.iter().map(|c| c.id).collect::<Vec<_>>(), [c2, c1]);
    assert_eq!(log[0].commit.parents, [c1]);
    assert_eq!(log[0].commit.message, "second");
    assert_eq!(log[1].commit.timestamp, 100);
    assert_eq!(reopened.log(Some(1)).unwrap().len(), 1);
    let mut reopened = reopened;
    assert_eq!(reopened.head_schema().unwrap(), Some(v2));
}

/// Two clients commit on one branch: the second gets a conflict and keeps
/// its staged work.
pub fn concurrent_clients_conflict<S: Store>(make: impl Fn() -> S, reopen: impl Fn(&S) -> S) {
    let proto = builtin_protocol("json-schema").unwrap();
    let mut alice = Repository::init(make(), proto.clone()).unwrap();
    let base = Schema::builder(proto.clone())
        .vertex("root", "object", None)
        .build()
        .unwrap();
    alice.add(base.clone()).unwrap();
    alice.commit("base", "alice", None).unwrap();
    let mut bob = Repository::open(reopen(alice.store())).unwrap();
    let a2 = base
        .to_builder()
        .vertex("a", "string", None)
        .edge("root", "a", "prop", Some("a".into()))
        .build()
        .unwrap();
    let b2 = base
        .to_builder()
        .vertex("b", "string", None)
        .edge("root", "b", "prop", Some("b".into()))
        .build()
        .unwrap();
    alice.add(a2).unwrap();
    bob.add(b2.clone()).unwrap();
    assert!(alice.status().unwrap().staged.is_some());
    let won = alice.commit("alice", "alice", None).unwrap();
    let err = bob.commit("bob", "bob", None).unwrap_err();
    assert!(matches!(err, VcsError::Conflict { .. }), "{err:?}");
    // Bob's staged work is intact, and the branch holds Alice's commit.
    assert_eq!(bob.staged().unwrap().schema, b2);
    assert_eq!(bob.head_commit().unwrap(), Some(won));
}

/// One store value shared by four threads, each committing ten times to its
/// own branch: every commit lands and every branch ends where its thread left it.
pub fn one_store_shared_by_threads<S: Store + Clone + 'static>(make: impl Fn() -> S) {
    let store = make();
    store.create("{}", 0).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let branch = format!("refs/heads/t{t}");
                let mut head = None;
                for i in 0..10 {
                    let obj = commit_obj(head, &format!("{t}-{i}"));
                    let id = obj.id;
                    store
                        .apply(&Transaction {
                            edits: vec![set_ref(&branch, Expected::id(head), id)],
                            objects: vec![obj],
                            timestamp: i,
                        })
                        .unwrap();
                    assert_eq!(store.read_ref(&branch).unwrap(), Some(RefTarget::Id(id)));
                    head = Some(id);
                }
                store
                    .first_parent_chain(&head.unwrap(), None)
                    .unwrap()
                    .len()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 10);
    }
    assert_eq!(store.list_refs("refs/heads/").unwrap().len(), 4);
}

/// Four clients, each with its own connection, race to commit 25 times each
/// to one branch, retrying on conflict: the branch ends with exactly the
/// 100 commits that reported success, each with its reflog entry.
pub fn racing_clients_never_lose_a_commit<S: Store + 'static>(
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    let store = make();
    store.create("{}", 0).unwrap();
    let per_client = 25;
    let main = "refs/heads/main";
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let client = reopen(&store);
            std::thread::spawn(move || {
                let mut done = 0;
                while done < per_client {
                    let head = match client.read_ref(main).unwrap() {
                        Some(RefTarget::Id(id)) => Some(id),
                        _ => None,
                    };
                    let obj = commit_obj(head, &format!("{t}-{done}"));
                    let tx = Transaction {
                        edits: vec![set_ref(main, Expected::id(head), obj.id)],
                        objects: vec![obj],
                        timestamp: 0,
                    };
                    match client.apply(&tx) {
                        Ok(()) => done += 1,
                        Err(VcsError::Conflict { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let Some(RefTarget::Id(head)) = store.read_ref(main).unwrap() else {
        panic!("no head")
    };
    assert_eq!(
        store.first_parent_chain(&head, None).unwrap().len(),
        4 * per_client
    );
    assert_eq!(store.reflog(main, None).unwrap().len(), 4 * per_client);
}

/// One fresh database of a store opened from a location (a new SQLite
/// file, a new PostgreSQL schema), for the checks of opening it and of
/// damage done behind its back. It drops what it made when it goes.
///
/// The SQL hooks are all a check needs: the format marker, for one, is the
/// `format` row of the `meta` table, which [`Database::format`] and
/// [`Database::set_format`] read and write with them, as a build of another
/// format would have left it.
pub trait Database {
    /// The store this database opens.
    type Store: Store;

    /// Opens repository `name` in this database, as the backend's
    /// `open_store(location, name, create)` does.
    ///
    /// # Errors
    /// Whatever opening fails with.
    fn open(&self, name: &str, create: bool) -> Result<Self::Store, VcsError>;

    /// The tables' name prefix (`""` for SQLite, `"panproto_"` for PostgreSQL).
    fn prefix(&self) -> &str;

    /// A blob literal in the database's SQL for these bytes.
    fn blob(&self, bytes: &[u8]) -> String;

    /// Runs statements on the database outside the store.
    fn execute(&self, sql: &str);

    /// The first column of the first row `sql` returns, as text, outside
    /// the store (`None` when there is no row).
    fn query_text(&self, sql: &str) -> Option<String>;

    /// The store format the database records.
    fn format(&self) -> Option<String> {
        let sql = format!(
            "SELECT value FROM {}meta WHERE key = 'format'",
            self.prefix()
        );
        self.query_text(&sql)
    }

    /// Records `value` as the store format, behind the store's back.
    fn set_format(&self, value: &str) {
        let sql = format!(
            "UPDATE {}meta SET value = '{value}' WHERE key = 'format'",
            self.prefix()
        );
        self.execute(&sql);
    }
}

/// The store error in `err`, checking it names the store's backend.
fn store_error_of(store_backend: &str, err: &VcsError) -> crate::vcs::error::StoreError {
    match err {
        VcsError::Store(e) => {
            assert_eq!(e.backend, store_backend, "{err}");
            e.clone()
        }
        other => panic!("expected a store error, got {other:?}"),
    }
}

fn open_err<D: Database>(db: &D, name: &str, create: bool) -> VcsError {
    match db.open(name, create) {
        Ok(_) => panic!("opening {name:?} (create: {create}) should fail"),
        Err(e) => e,
    }
}

/// An empty, blank or NUL-holding repository name is refused before the
/// database is touched, with or without `create`.
pub fn repository_names_are_checked<D: Database>(db: &D) {
    for name in ["", "  ", "\t\n", "a\0b"] {
        for create in [true, false] {
            let err = open_err(db, name, create);
            assert!(
                matches!(
                    err,
                    VcsError::InvalidInput {
                        what: "repository name",
                        ..
                    } | VcsError::NulByte {
                        what: "repository name",
                        ..
                    }
                ),
                "{name:?}: {err:?}"
            );
        }
    }
    let store = db.open("named", true).unwrap();
    assert_eq!(store.info().unwrap(), None);
    assert_eq!(
        db.format(),
        Some(STORE_FORMAT.to_string()),
        "a new database records the current format"
    );
}

/// One database holds many repositories, each found again by its name; a
/// name never created reads as no repository, not as an error.
pub fn many_repositories_in_one_database<D: Database>(db: &D) {
    for name in ["a", "b", "c"] {
        let store = db.open(name, true).unwrap();
        store
            .create(&format!("{{\"name\":\"{name}\"}}"), 1)
            .unwrap();
    }
    for name in ["a", "b", "c"] {
        let info = db.open(name, false).unwrap().info().unwrap().unwrap();
        assert_eq!(info.name, name);
        assert!(info.protocol_json.contains(name));
    }
    assert_eq!(db.open("d", false).unwrap().info().unwrap(), None);
}

/// A repository committed to, for the format checks: its log's length.
fn committed<D: Database>(db: &D) -> usize {
    let p = builtin_protocol("json-schema").unwrap();
    let mut repo = Repository::init(db.open("repo", true).unwrap(), p.clone()).unwrap();
    let schema = Schema::builder(p)
        .vertex("root", "object", None)
        .build()
        .unwrap();
    repo.add(schema).unwrap();
    repo.commit("first", "ada", Some(1)).unwrap();
    repo.log(None).unwrap().len()
}

/// A store written by an older format (1: before datasets and tags) opens,
/// is upgraded to the current format on open, and keeps its history.
pub fn an_older_format_is_upgraded_on_open<D: Database>(db: &D) {
    assert_eq!(committed(db), 1);
    db.set_format("1");
    assert_eq!(db.format().as_deref(), Some("1"));
    let store = db.open("repo", false).unwrap();
    assert_eq!(db.format(), Some(STORE_FORMAT.to_string()));
    let repo = Repository::open(store).unwrap();
    assert_eq!(repo.log(None).unwrap().len(), 1);
    assert_eq!(repo.log(None).unwrap()[0].commit.message, "first");
}

/// A store written by a newer format is refused, with or without `create`,
/// by a [`StoreErrorKind::NewerFormat`] that names both formats and what to
/// do; the store is left as it was.
pub fn a_newer_format_is_refused<D: Database>(db: &D) {
    committed(db);
    let backend = db.open("repo", false).unwrap().backend();
    let newer = (STORE_FORMAT + 1).to_string();
    db.set_format(&newer);
    for create in [false, true] {
        let err = open_err(db, "repo", create);
        let e = store_error_of(backend, &err);
        assert_eq!(e.kind, StoreErrorKind::NewerFormat, "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("format {newer}"))
                && msg.contains(&STORE_FORMAT.to_string())
                && msg.contains("upgrade panproto"),
            "{msg}"
        );
    }
    assert_eq!(db.format(), Some(newer), "the marker is not rewritten");
    db.set_format(&STORE_FORMAT.to_string());
    let repo = Repository::open(db.open("repo", false).unwrap()).unwrap();
    assert_eq!(repo.log(None).unwrap().len(), 1, "the history is intact");
}

/// A format marker no panproto writes (not a number, or 0) is damage.
pub fn a_malformed_format_is_corrupt<D: Database>(db: &D) {
    committed(db);
    let backend = db.open("repo", false).unwrap().backend();
    for marker in ["two", "0", ""] {
        db.set_format(marker);
        let err = open_err(db, "repo", false);
        let e = store_error_of(backend, &err);
        assert_eq!(e.kind, StoreErrorKind::Corrupt, "{marker:?}: {err}");
        assert!(err.to_string().contains("format"), "{err}");
    }
}

/// Text a store keeps in a text column (ref names, symbolic targets,
/// reflog messages, the protocol) must not hold a NUL byte: PostgreSQL's
/// `text` cannot, so every store refuses it the same way, naming the field,
/// and writes nothing of the transaction. (Objects are bytes: a commit's
/// message and author travel inside them, and the engine refuses NUL there
/// before it calls a store.)
pub fn text_with_nul_is_refused<D: Database>(db: &D) {
    let store = db.open("nul", true).unwrap();
    let err = store.create("{\"a\":\"\0\"}", 0).unwrap_err();
    assert!(
        matches!(
            err,
            VcsError::NulByte {
                what: "protocol specification",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.info().unwrap(), None, "nothing was created");
    store.create("{}", 0).unwrap();
    let a = commit_obj(None, "a");
    let bad = [
        (
            "ref name",
            set_ref("refs/heads/a\0b", Expected::Absent, a.id),
        ),
        (
            "reflog message",
            RefEdit {
                message: "commit: a\0b".into(),
                ..set_ref("refs/heads/main", Expected::Absent, a.id)
            },
        ),
        (
            "symbolic ref target",
            RefEdit {
                name: HEAD.into(),
                expected: Expected::Any,
                new: Some(RefTarget::Symbolic("refs/heads/\0".into())),
                message: "checkout".into(),
            },
        ),
    ];
    for (what, edit) in bad {
        let err = store
            .apply(&Transaction {
                objects: vec![a.clone()],
                edits: vec![edit],
                timestamp: 0,
            })
            .unwrap_err();
        assert!(
            matches!(&err, VcsError::NulByte { what: w, .. } if *w == what),
            "{what}: {err:?}"
        );
        assert!(err.to_string().contains(what), "{err}");
    }
    assert_eq!(
        store.read_object(&a.id).unwrap(),
        None,
        "nothing was written"
    );
    assert_eq!(store.list_refs("").unwrap().len(), 1, "only HEAD");
}

/// `verify` on a repository whose rows were damaged with SQL reports each
/// damage as a typed problem on the right subject, and never fails.
pub fn verify_reports_damaged_rows<D: Database>(db: &D) {
    use crate::vcs::repository::ProblemKind as K;
    let store = db.open("verify", true).unwrap();
    let p = builtin_protocol("json-schema").unwrap();
    let mut repo = Repository::init(store, p.clone()).unwrap();
    let mut builder = Schema::builder(p).vertex("root", "object", None);
    for i in 0..3 {
        let f = format!("f{i}");
        builder = builder
            .vertex(&f, "string", None)
            .edge("root", &f, "prop", Some(f.clone()));
        repo.add(builder.clone().build().unwrap()).unwrap();
        repo.commit(&format!("c{i}"), "a", Some(i)).unwrap();
    }
    let tag = repo
        .annotated_tag("v1", Some("HEAD~2"), "first", "carol", Some(5))
        .unwrap()
        .annotation
        .unwrap()
        .0;
    let report = repo.verify().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.objects, report.refs), (9, 3));
    let mut log = repo.log(None).unwrap();
    log.reverse();
    let (c0, c1, c2) = (&log[0], &log[1], &log[2]);
    let m1 = c1.commit.migration.unwrap();
    let m2 = c2.commit.migration.unwrap();
    let t = db.prefix();
    let b = |bytes: &[u8]| db.blob(bytes);
    let repo_id = format!(
        "(SELECT id FROM {t}repositories WHERE name = '{}')",
        repo.name()
    );
    let object = |id: &ObjectId| format!("repo = {repo_id} AND id = {}", b(id.as_bytes()));
    let mut s0_data = repo
        .store()
        .read_object(&c0.commit.schema)
        .unwrap()
        .unwrap()
        .data;
    assert_eq!(s0_data[0], 0, "a small schema is stored uncompressed");
    s0_data.push(b' ');
    db.execute(&format!(
        // A schema's JSON with a space appended: it reads, only the hash tells.
        "UPDATE {t}objects SET data = {s0_data} WHERE {s0};
         UPDATE {t}objects SET kind = 99 WHERE {m2};
         UPDATE {t}objects SET parent = {c1id} WHERE {c1};
         DELETE FROM {t}objects WHERE {s1};
         UPDATE {t}objects SET id = {short} WHERE {tag};
         UPDATE {t}objects SET data = {garbage} WHERE {c2};
         INSERT INTO {t}refs (repo, name, target) VALUES ({repo_id}, 'refs/heads/lost', {ghost});",
        s0_data = b(&s0_data),
        s0 = object(&c0.commit.schema),
        m2 = object(&m2),
        c1id = b(c1.id.as_bytes()),
        c1 = object(&c1.id),
        s1 = object(&c1.commit.schema),
        short = b(&[0xab, 0xcd, 0xef]),
        tag = object(&tag),
        garbage = b(&[1, 2]),
        c2 = object(&c2.id),
        ghost = b(ObjectId::hash(b"ghost").as_bytes()),
    ));
    let report = repo.verify().unwrap();
    let mut found: Vec<(K, String)> = report
        .problems
        .iter()
        .map(|p| (p.kind, p.subject.clone()))
        .collect();
    found.sort();
    let mut expected = vec![
        (K::HashMismatch, c0.commit.schema.to_hex()),
        (K::CorruptObject, m2.to_hex()),
        (K::ParentMismatch, c1.id.to_hex()),
        (K::MissingObject, c1.id.to_hex()),
        (K::MissingObject, m1.to_hex()),
        (K::CorruptObject, "abcdef".to_owned()),
        (K::BadRef, "refs/tags/v1".to_owned()),
        (K::CorruptObject, c2.id.to_hex()),
        (K::BadRef, "refs/heads/main".to_owned()),
        (K::BadRef, "refs/heads/lost".to_owned()),
    ];
    expected.sort();
    assert_eq!(found, expected, "{:#?}", report.problems);
    assert_eq!(report.objects, 8, "the deleted schema is gone");
    for problem in &report.problems {
        assert!(!problem.message.is_empty());
    }
    let unknown = report
        .problems
        .iter()
        .find(|p| p.kind == K::CorruptObject && p.subject == m2.to_hex())
        .unwrap();
    assert!(unknown.message.contains("99"), "{unknown}");
    // A ref row that is not an id makes the refs unreadable: still a report.
    db.execute(&format!(
        "INSERT INTO {t}refs (repo, name, target) VALUES ({repo_id}, 'refs/heads/short', {});",
        b(&[7, 7, 7])
    ));
    let report = repo.verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.kind == K::BadRef && p.subject == "refs"),
        "{:#?}",
        report.problems
    );
}

/// Instantiates every conformance check as a `#[test]` for a store.
///
/// `$make` is an expression returning a fresh store (a new repository name);
/// `$other` a closure `|&S| -> S` giving a store for another new name in the
/// same database; `$reopen` a closure `|&S| -> S` giving a second client of
/// the same repository. A store opened from a location adds
/// `database: $database`, an expression returning a fresh [`Database`]
/// (`vcs::conformance::Database`), for the checks of opening and of its
/// tables.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr, $other:expr, $reopen:expr, database: $database:expr $(,)?) => {
        $crate::store_conformance_tests!($make, $other, $reopen);
        #[test]
        fn repository_names_are_checked() {
            $crate::vcs::conformance::repository_names_are_checked(&$database);
        }
        #[test]
        fn many_repositories_in_one_database() {
            $crate::vcs::conformance::many_repositories_in_one_database(&$database);
        }
        #[test]
        fn an_older_format_is_upgraded_on_open() {
            $crate::vcs::conformance::an_older_format_is_upgraded_on_open(&$database);
        }
        #[test]
        fn a_newer_format_is_refused() {
            $crate::vcs::conformance::a_newer_format_is_refused(&$database);
        }
        #[test]
        fn a_malformed_format_is_corrupt() {
            $crate::vcs::conformance::a_malformed_format_is_corrupt(&$database);
        }
        #[test]
        fn text_with_nul_is_refused() {
            $crate::vcs::conformance::text_with_nul_is_refused(&$database);
        }
        #[test]
        fn verify_reports_damaged_rows() {
            $crate::vcs::conformance::verify_reports_damaged_rows(&$database);
        }
    };
    ($make:expr, $other:expr, $reopen:expr $(,)?) => {
        #[test]
        fn create_and_info() {
            $crate::vcs::conformance::create_and_info($make);
        }
        #[test]
        fn objects_are_idempotent() {
            $crate::vcs::conformance::objects_are_idempotent($make);
        }
        #[test]
        fn scan_objects_pages_in_id_order() {
            $crate::vcs::conformance::scan_objects_pages_in_id_order($make, $other);
        }
        #[test]
        fn apply_without_repository_is_not_found() {
            $crate::vcs::conformance::apply_without_repository_is_not_found($make);
        }
        #[test]
        fn ref_updates_compare_and_swap() {
            $crate::vcs::conformance::ref_updates_compare_and_swap($make);
        }
        #[test]
        fn refs_list_and_reflog() {
            $crate::vcs::conformance::refs_list_and_reflog($make);
        }
        #[test]
        fn list_refs_sorts_bytewise() {
            $crate::vcs::conformance::list_refs_sorts_bytewise($make);
        }
        #[test]
        fn first_parent_chain() {
            $crate::vcs::conformance::first_parent_chain($make);
        }
        #[test]
        fn long_first_parent_chain() {
            $crate::vcs::conformance::long_first_parent_chain($make, $other);
        }
        #[test]
        fn repositories_are_isolated() {
            $crate::vcs::conformance::repositories_are_isolated($make, $other);
        }
        #[test]
        fn repository_round_trip() {
            $crate::vcs::conformance::repository_round_trip($make, $reopen);
        }
        #[test]
        fn one_store_shared_by_threads() {
            $crate::vcs::conformance::one_store_shared_by_threads($make);
        }
        #[test]
        fn racing_clients_never_lose_a_commit() {
            $crate::vcs::conformance::racing_clients_never_lose_a_commit($make, $reopen);
        }
        #[test]
        fn concurrent_clients_conflict() {
            $crate::vcs::conformance::concurrent_clients_conflict($make, $reopen);
        }
        #[test]
        fn a_commit_retried_after_an_ambiguous_failure_lands_once() {
            $crate::vcs::conformance::a_commit_retried_after_an_ambiguous_failure_lands_once(
                $make, $reopen,
            );
        }
        #[test]
        fn a_commit_retried_after_a_failure_before_writing_lands_once() {
            $crate::vcs::conformance::a_commit_retried_after_a_failure_before_writing_lands_once(
                $make, $reopen,
            );
        }
        #[test]
        fn a_merge_retried_after_an_ambiguous_failure_is_up_to_date() {
            $crate::vcs::conformance::a_merge_retried_after_an_ambiguous_failure_is_up_to_date(
                $make,
            );
        }
        #[test]
        fn nul_bytes_are_refused_before_the_store_is_asked() {
            $crate::vcs::conformance::nul_bytes_are_refused_before_the_store_is_asked($make);
        }
    };
}

/// When a [`Faulty`] store's next `apply` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Before anything is written: the failure is what it says.
    BeforeApply,
    /// After the transaction was applied: the ambiguous case (the server
    /// committed, then the connection dropped before it answered).
    AfterApply,
}

/// A store that wraps another and makes its next `apply` fail as armed,
/// with a [`StoreError`](crate::vcs::StoreError) of kind `Unavailable`.
pub struct Faulty<S> {
    inner: S,
    armed: std::sync::Mutex<Option<Fault>>,
}

impl<S: Store> Faulty<S> {
    /// Wraps `inner`, disarmed: every call passes through.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            armed: std::sync::Mutex::new(None),
        }
    }

    /// Makes the next `apply` fail as `fault` says.
    pub fn arm(&self, fault: Fault) {
        *self.armed.lock().unwrap() = Some(fault);
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn injected(&self) -> VcsError {
        VcsError::Store(crate::vcs::StoreError::new(
            self.inner.backend(),
            crate::vcs::StoreErrorKind::Unavailable,
            "injected fault: the connection was lost",
        ))
    }
}

impl<S: Store> Store for Faulty<S> {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    fn location(&self) -> String {
        self.inner.location()
    }
    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError> {
        self.inner.create(protocol_json, timestamp)
    }
    fn info(&self) -> Result<Option<RepoInfo>, StoreError> {
        self.inner.info()
    }
    fn read_object(&self, id: &ObjectId) -> Result<Option<object::StoredObject>, StoreError> {
        self.inner.read_object(id)
    }
    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError> {
        self.inner.read_ref(name)
    }
    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError> {
        self.inner.list_refs(prefix)
    }
    fn apply(&self, tx: &Transaction) -> Result<(), VcsError> {
        let fault = self.armed.lock().unwrap().take();
        match fault {
            None => self.inner.apply(tx),
            Some(Fault::BeforeApply) => Err(self.injected()),
            Some(Fault::AfterApply) => {
                self.inner.apply(tx)?;
                Err(self.injected())
            }
        }
    }
    fn ids_between(
        &self,
        kind: ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError> {
        self.inner.ids_between(kind, low, high, limit)
    }
    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError> {
        self.inner.scan_objects(after, limit)
    }
    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError> {
        self.inner.reflog(name, limit)
    }
    fn first_parent_chain(
        &self,
        start: &ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<object::StoredObject>, StoreError> {
        self.inner.first_parent_chain(start, limit)
    }
}

/// The JSON Schema protocol, an object `root`, and `root` with a string
/// property `a` (vertex `root.a`).
fn root_then_a() -> (
    std::sync::Arc<crate::model::protocol::Protocol>,
    Schema,
    Schema,
) {
    let proto = builtin_protocol("json-schema").unwrap();
    let v1 = Schema::builder(proto.clone())
        .vertex("root", "object", None)
        .build()
        .unwrap();
    let v2 = v1
        .to_builder()
        .vertex("root.a", "string", None)
        .edge("root", "root.a", "prop", Some("a".into()))
        .build()
        .unwrap();
    (proto, v1, v2)
}

/// A commit whose `apply` fails as `fault` says, retried unchanged a second
/// later, makes exactly one commit; the staged work survives the failure,
/// and a second client sees the same history.
fn retried_commit_lands_once<S: Store>(
    fault: Fault,
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let (proto, v1, v2) = root_then_a();
    let time = Arc::new(AtomicI64::new(1_000));
    let clock = Arc::clone(&time);
    let mut repo = Repository::init(Faulty::new(make()), proto)
        .unwrap()
        .with_clock(Arc::new(move || clock.load(Ordering::SeqCst)));
    repo.add(v1).unwrap();
    let first = repo.commit("first", "ada", None).unwrap();
    repo.add(v2.clone()).unwrap();
    use crate::model::{Map, Value};
    let record = Value::Object(Map::from_iter([("a".to_owned(), Value::Str("x".into()))]));
    repo.add_data("rows", [record], None).unwrap();

    repo.store().arm(fault);
    let err = repo.commit("second", "ada", None).unwrap_err();
    assert!(matches!(err, VcsError::Store(_)), "{err:?}");
    assert_eq!(repo.staged().unwrap().schema, v2, "the stage is kept");

    // A second later: a commit prepared afresh would differ from the first
    // attempt's (its timestamp), so only the kept commit makes one.
    time.fetch_add(1, Ordering::SeqCst);
    let second = repo.commit("second", "ada", None).unwrap();
    assert!(repo.staged().is_none());
    let log = repo.log(None).unwrap();
    assert_eq!(
        log.iter().map(|c| c.id).collect::<Vec<_>>(),
        [second, first],
        "exactly one new commit ({fault:?})"
    );
    assert_eq!(log[0].commit.message, "second");
    assert_eq!(log[0].commit.timestamp, 1_000, "the first attempt's commit");
    assert_eq!(log[0].commit.datasets.len(), 1);
    let other = Repository::open(reopen(repo.store().inner())).unwrap();
    assert_eq!(other.head_commit().unwrap(), Some(second));
    assert_eq!(other.log(None).unwrap().len(), 2);
    assert_eq!(
        other.reflog("main", None).unwrap().len(),
        2,
        "one reflog entry per commit"
    );
}

/// A commit whose `apply` landed but reported a store error is, when
/// retried with the stage unchanged, the same commit: one new commit in `log`.
pub fn a_commit_retried_after_an_ambiguous_failure_lands_once<S: Store>(
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    retried_commit_lands_once(Fault::AfterApply, make, reopen);
}

/// A commit whose `apply` failed before writing lands on retry, once.
pub fn a_commit_retried_after_a_failure_before_writing_lands_once<S: Store>(
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    retried_commit_lands_once(Fault::BeforeApply, make, reopen);
}

/// A merge whose commit landed although the store reported a failure,
/// retried, makes no second merge commit: the branch already holds the
/// other one, so the retry is up to date at the landed commit.
pub fn a_merge_retried_after_an_ambiguous_failure_is_up_to_date<S: Store>(make: impl Fn() -> S) {
    use crate::vcs::repository::Merged;
    let (proto, v1, v2) = root_then_a();
    let mut repo = Repository::init(Faulty::new(make()), proto).unwrap();
    repo.add(v1.clone()).unwrap();
    repo.commit("base", "ada", Some(1)).unwrap();
    repo.create_branch("side", None).unwrap();
    repo.add(v2).unwrap();
    let main = repo.commit("a", "ada", Some(2)).unwrap();
    repo.checkout("side").unwrap();
    let b = v1
        .to_builder()
        .vertex("root.b", "string", None)
        .edge("root", "root.b", "prop", Some("b".into()))
        .build()
        .unwrap();
    repo.add(b).unwrap();
    let side = repo.commit("b", "ada", Some(3)).unwrap();
    let none = crate::evolution::Resolutions::default();

    repo.store().arm(Fault::AfterApply);
    let err = repo.merge("main", "ada", None, &none, Some(4)).unwrap_err();
    assert!(matches!(err, VcsError::Store(_)), "{err:?}");
    let landed = repo.head_commit().unwrap().unwrap();
    assert_ne!(landed, side, "the merge commit landed");
    let retried = repo.merge("main", "ada", None, &none, Some(5)).unwrap();
    assert_eq!(retried, Merged::UpToDate(landed));
    let log = repo.log(None).unwrap();
    assert_eq!(log.len(), 3, "base, b, and one merge commit");
    assert_eq!(log[0].commit.parents, [side, main]);
}

/// What a store holds, to check that a refused call wrote nothing.
fn snapshot<S: Store>(store: &S) -> (Vec<(String, RefTarget)>, Vec<Vec<u8>>, usize) {
    let objects = store
        .scan_objects(None, usize::MAX >> 1)
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    let reflog = store.reflog("refs/heads/main", None).unwrap().len();
    (store.list_refs("refs/").unwrap(), objects, reflog)
}

/// A NUL byte in a branch or tag name, a commit or tag message, an author
/// or a tagger is refused as `InvalidInput` naming the field, and nothing
/// is written: every store agrees (PostgreSQL could not store it).
pub fn nul_bytes_are_refused_before_the_store_is_asked<S: Store>(make: impl Fn() -> S) {
    let (proto, v1, v2) = root_then_a();
    let mut repo = Repository::init(make(), proto).unwrap();
    repo.add(v1).unwrap();
    repo.commit("first", "ada", None).unwrap();
    repo.create_branch("side", None).unwrap();
    repo.add(v2).unwrap();
    let before = snapshot(repo.store());
    let refused = |result: Result<(), VcsError>, field: &str| match result {
        Err(VcsError::NulByte { what, .. }) => assert_eq!(what, field),
        other => panic!("{field}: expected NulByte, got {other:?}"),
    };
    refused(repo.commit("a\0b", "ada", None).map(drop), "commit message");
    refused(repo.commit("ok", "a\0da", None).map(drop), "author");
    assert!(repo.staged().is_some(), "the stage is kept");
    refused(repo.create_branch("b\0", None).map(drop), "branch name");
    refused(repo.rename_branch("side", "s\0de"), "branch name");
    refused(repo.tag("t\0", None).map(drop), "tag name");
    refused(
        repo.annotated_tag("t", None, "m\0", "ada", None).map(drop),
        "tag message",
    );
    refused(
        repo.annotated_tag("t", None, "m", "a\0da", None).map(drop),
        "tagger",
    );
    // Look-ups of a name holding NUL find nothing, without asking the store.
    let not_found = |result: Result<(), VcsError>, what: &str| {
        assert!(
            matches!(result, Err(VcsError::NotFound(_))),
            "{what}: {result:?}"
        );
    };
    not_found(repo.resolve("ma\0in").map(drop), "resolve");
    not_found(repo.delete_branch("si\0de"), "delete_branch");
    not_found(repo.rename_branch("si\0de", "other"), "rename_branch");
    not_found(repo.tag_info("t\0").map(drop), "tag_info");
    not_found(repo.reflog("ma\0in", None).map(drop), "reflog");
    assert_eq!(snapshot(repo.store()), before, "nothing was written");

    // Merge checks its author and message too (nothing staged for it).
    repo.commit("second", "ada", None).unwrap();
    not_found(repo.checkout("si\0de").map(drop), "checkout");
    repo.checkout("side").unwrap();
    let before = snapshot(repo.store());
    let none = crate::evolution::Resolutions::default();
    refused(
        repo.merge("main", "a\0", None, &none, None).map(drop),
        "author",
    );
    refused(
        repo.merge("main", "ada", Some("m\0"), &none, None)
            .map(drop),
        "commit message",
    );
    assert_eq!(snapshot(repo.store()), before, "nothing was written");
}
