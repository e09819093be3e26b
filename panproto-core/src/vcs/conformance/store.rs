//! The checks of the `Store` contract: objects, refs and their
//! compare-and-swap, reflogs, history walks, isolation, concurrency.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{commit_obj, set_ref};
use crate::encoding::ObjectId;
use crate::model::builtin::builtin_protocol;
use crate::model::schema::Schema;
use crate::vcs::error::VcsError;
use crate::vcs::object::{self, ObjectKind};
use crate::vcs::repository::Repository;
use crate::vcs::store::{Expected, HEAD, RefEdit, RefTarget, Store, Transaction};
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
    // Several at once, in the order asked, a missing one as None, a name
    // asked twice answered twice.
    assert_eq!(
        store
            .read_refs(&[
                "refs/tags/v1",
                "refs/heads/none",
                "refs/heads/alpha",
                "refs/tags/v1"
            ])
            .unwrap(),
        [
            Some(RefTarget::Id(a.id)),
            None,
            Some(RefTarget::Id(b.id)),
            Some(RefTarget::Id(a.id))
        ]
    );
    assert_eq!(store.read_refs(&[]).unwrap(), []);
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
