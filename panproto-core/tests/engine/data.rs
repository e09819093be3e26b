//! Versioned data: `add_data`, datasets carried by commits, `data_at`, `migrate_data`.

use panproto_core::vcs::memory::MemoryStore;
use panproto_core::vcs::object::{self, CHUNK_RECORDS, ObjectKind};
use panproto_core::vcs::store::Store;
use panproto_core::{ObjectId, Repository, Schema, SchemaBuilder, Value, VcsError};

use crate::common::{commit_at, js, memory_repo, obj};

/// v1: a person with name, age, email, and `extra` (a union of no variants: any value).
fn v1_builder() -> SchemaBuilder {
    Schema::builder(js())
        .vertex("person", "object", None)
        .vertex("name", "string", None)
        .vertex("age", "integer", None)
        .vertex("email", "string", None)
        .vertex("extra", "union", None)
        .edge("person", "name", "prop", Some("name".into()))
        .edge("person", "age", "prop", Some("age".into()))
        .edge("person", "email", "prop", Some("email".into()))
        .edge("person", "extra", "prop", Some("extra".into()))
}

fn v1() -> Schema {
    v1_builder().build().unwrap()
}

/// v2: `age` removed (breaking).
fn v2() -> Schema {
    Schema::builder(js())
        .vertex("person", "object", None)
        .vertex("name", "string", None)
        .vertex("email", "string", None)
        .vertex("extra", "union", None)
        .edge("person", "name", "prop", Some("name".into()))
        .edge("person", "email", "prop", Some("email".into()))
        .edge("person", "extra", "prop", Some("extra".into()))
        .build()
        .unwrap()
}

/// v3: `name` renamed to `full_name` (breaking).
fn v3() -> Schema {
    Schema::builder(js())
        .vertex("person", "object", None)
        .vertex("full_name", "string", None)
        .vertex("email", "string", None)
        .vertex("extra", "union", None)
        .edge("person", "full_name", "prop", Some("full_name".into()))
        .edge("person", "email", "prop", Some("email".into()))
        .edge("person", "extra", "prop", Some("extra".into()))
        .build()
        .unwrap()
}

/// Record `i` of v1, with values JSON would not keep apart (bytes, floats
/// that are whole, big integers).
fn person(i: usize) -> Value {
    let extra = match i % 4 {
        0 => Value::Bytes(vec![(i % 251) as u8, 0, 255]),
        1 => Value::Float(i as f64),
        2 => Value::Int(i64::MAX - i as i64),
        _ => Value::Array(vec![Value::Null, Value::Bool(true), Value::Str("é".into())]),
    };
    let mut fields = vec![
        ("name", Value::Str(format!("person {i}"))),
        ("age", Value::Int((i % 90) as i64)),
        ("extra", extra),
    ];
    if i % 3 != 0 {
        fields.push(("email", Value::Str(format!("p{i}@example.org"))));
    }
    obj(fields)
}

fn repo() -> Repository<MemoryStore> {
    memory_repo("data", js())
}

fn commit(repo: &mut Repository<MemoryStore>, schema: Option<Schema>, msg: &str) -> ObjectId {
    commit_at(repo, schema, msg, 0)
}

fn collect(records: impl Iterator<Item = Result<Value, VcsError>>) -> Vec<Value> {
    records.collect::<Result<_, _>>().unwrap()
}

/// v1 with 10,000 records, then v2 and v3 committed on top: (repo, [c1, c2, c3], records).
fn history(n: usize) -> (Repository<MemoryStore>, [ObjectId; 3], Vec<Value>) {
    let mut r = repo();
    let records: Vec<Value> = (0..n).map(person).collect();
    r.add(v1()).unwrap();
    r.add_data("people", records.clone(), None).unwrap();
    let c1 = commit(&mut r, None, "v1 with people");
    let c2 = commit(&mut r, Some(v2()), "drop age");
    let c3 = commit(&mut r, Some(v3()), "rename name");
    (r, [c1, c2, c3], records)
}

#[test]
fn ten_thousand_records_go_to_v3_and_back_unchanged() {
    let (mut r, [c1, _, c3], original) = history(10_000);
    let (c1, c3) = (c1.to_hex(), c3.to_hex());
    assert_eq!(collect(r.data_at(&c1, "people").unwrap()), original);

    let forward = collect(r.migrate_data("people", &c1, &c3).unwrap());
    assert_eq!(forward.len(), 10_000);
    assert_eq!(
        forward[1],
        obj(vec![
            ("full_name", Value::Str("person 1".into())),
            ("extra", Value::Float(1.0)),
            ("email", Value::Str("p1@example.org".into())),
        ])
    );
    // What the commits carried forward is what migrate_data computes.
    assert_eq!(collect(r.data_at(&c3, "people").unwrap()), forward);

    let back = collect(r.migrate_data("people", &c3, &c1).unwrap());
    assert_eq!(back, original);
    // Equal including the distinctions JSON loses.
    assert!(
        matches!(back[0].clone(), Value::Object(m) if m.get("extra") == Some(&Value::Bytes(vec![0, 0, 255])))
    );
    assert!(
        matches!(back[1].clone(), Value::Object(m) if m.get("extra") == Some(&Value::Float(1.0)))
    );
}

#[test]
fn one_step_back_and_forth_and_the_same_commit() {
    let (mut r, [c1, c2, c3], original) = history(50);
    let (c1, c2, c3) = (c1.to_hex(), c2.to_hex(), c3.to_hex());
    let at_v2 = collect(r.migrate_data("people", &c1, &c2).unwrap());
    assert_eq!(at_v2, collect(r.data_at(&c2, "people").unwrap()));
    assert!(
        at_v2
            .iter()
            .all(|v| matches!(v, Value::Object(m) if !m.contains_key("age")))
    );
    assert_eq!(
        collect(r.migrate_data("people", &c2, &c1).unwrap()),
        original
    );
    assert_eq!(collect(r.migrate_data("people", &c3, &c2).unwrap()), at_v2);
    assert_eq!(
        collect(r.migrate_data("people", &c1, &c1).unwrap()),
        original
    );
}

#[test]
fn a_bad_record_is_refused_with_its_index_and_path_and_nothing_is_staged() {
    let mut r = repo();
    commit(&mut r, Some(v1()), "v1");
    let mut records: Vec<Value> = (0..10).map(person).collect();
    records[7] = obj(vec![
        ("name", Value::Str("x".into())),
        ("age", Value::Str("old".into())),
    ]);
    let err = r.add_data("people", records, None).unwrap_err();
    match &err {
        VcsError::DataValidation {
            dataset,
            index,
            path,
            message,
        } => {
            assert_eq!(dataset, "people");
            assert_eq!(*index, 7);
            assert_eq!(path, "person.age");
            assert!(message.contains("expected integer"), "{message}");
        }
        other => panic!("expected DataValidation, got {other:?}"),
    }
    assert!(err.to_string().contains("record 7"), "{err}");
    assert!(r.staged_data().is_empty());
    assert!(matches!(
        r.commit("nothing", "tester", None),
        Err(VcsError::NothingStaged)
    ));
    // An unknown key is refused too, with its path.
    let err = r
        .add_data(
            "people",
            vec![obj(vec![("colour", Value::Str("red".into()))])],
            None,
        )
        .unwrap_err();
    assert!(
        matches!(err, VcsError::DataValidation { index: 0, ref path, .. } if path == "person.colour")
    );
}

#[test]
fn names_roots_and_missing_schemas_are_checked() {
    let mut r = repo();
    let err = r.add_data("people", vec![person(0)], None).unwrap_err();
    assert!(
        matches!(
            err,
            VcsError::InvalidInput {
                what: "dataset",
                ..
            }
        ),
        "{err:?}"
    );
    r.add(v1()).unwrap();
    for bad in ["", "  ", "a\nb", "tab\there"] {
        let err = r.add_data(bad, vec![person(0)], None).unwrap_err();
        assert!(
            matches!(
                err,
                VcsError::InvalidInput {
                    what: "dataset name",
                    ..
                }
            ),
            "{bad:?}: {err:?}"
        );
    }
    // A root that is not a vertex is the record's path.
    let err = r
        .add_data("people", vec![person(0)], Some("ghost"))
        .unwrap_err();
    assert!(matches!(err, VcsError::DataValidation { ref path, .. } if path == "ghost"));
    // Two roots: the caller must say which.
    let two = v1_builder()
        .vertex("other", "object", None)
        .build()
        .unwrap();
    r.add(two).unwrap();
    let err = r.add_data("people", vec![person(0)], None).unwrap_err();
    assert!(
        matches!(err, VcsError::InvalidInput { what: "dataset root", ref reason } if reason.contains("other, person")),
        "{err:?}"
    );
    r.add_data("people", vec![person(0)], Some("person"))
        .unwrap();
}

#[test]
fn data_streams_chunk_by_chunk() {
    let n = CHUNK_RECORDS * 2 + 5;
    let (r, [c1, ..], original) = history(n);
    let mut cursor = r.data_cursor(&c1.to_hex(), "people").unwrap();
    assert_eq!(cursor.count(), n as u64);
    let mut sizes = Vec::new();
    let mut all = Vec::new();
    while let Some(chunk) = cursor.next_chunk(r.store()).unwrap() {
        sizes.push(chunk.len());
        all.extend(chunk);
    }
    assert_eq!(sizes, vec![CHUNK_RECORDS, CHUNK_RECORDS, 5]);
    assert_eq!(all, original);
    assert_eq!(r.datasets("HEAD").unwrap().get("people"), Some(&(n as u64)));
}

#[test]
fn commits_inherit_datasets_and_unchanged_schemas_keep_their_ids() {
    let mut r = repo();
    r.add(v1()).unwrap();
    r.add_data("people", (0..20).map(person), None).unwrap();
    let c1 = commit(&mut r, None, "v1");
    // A schema change that breaks nothing: datasets carried forward.
    let wider = v1_builder()
        .vertex("nick", "string", None)
        .edge("person", "nick", "prop", Some("nick".into()))
        .build()
        .unwrap();
    let c2 = commit(&mut r, Some(wider), "add nick");
    let info = r.log(None).unwrap();
    let ds = |i: usize| info[i].commit.datasets.clone();
    assert_eq!(ds(0).len(), 1);
    // Data alone: allowed, the schema stays, and the other dataset is kept by id.
    r.add_data(
        "pets",
        vec![obj(vec![("name", Value::Str("Rex".into()))])],
        None,
    )
    .unwrap();
    let c3 = commit(&mut r, None, "pets");
    let log = r.log(None).unwrap();
    assert_eq!(log[0].id, c3);
    assert_eq!(log[0].commit.schema, log[1].commit.schema);
    assert_eq!(
        log[0].commit.datasets["people"],
        log[1].commit.datasets["people"]
    );
    assert_eq!(log[0].commit.datasets.len(), 2);
    assert_eq!(
        log[0].commit.compatibility.as_deref(),
        Some("fully-compatible")
    );
    assert_eq!(
        collect(r.data_at(&c2.to_hex(), "people").unwrap()),
        collect(r.data_at(&c1.to_hex(), "people").unwrap())
    );
    // Nothing staged at all: still refused.
    assert!(matches!(
        r.commit("again", "tester", None),
        Err(VcsError::NoChanges(_) | VcsError::NothingStaged)
    ));
    assert!(matches!(
        r.data_at("HEAD", "nobody"),
        Err(VcsError::NotFound(_))
    ));
    assert!(matches!(
        r.data_at(&c1.to_hex(), "pets"),
        Err(VcsError::NotFound(_))
    ));
}

#[test]
fn a_commit_whose_carried_records_stop_validating_is_refused() {
    let mut r = repo();
    r.add(v1()).unwrap();
    r.add_data("people", (0..10).map(person), None).unwrap();
    let c1 = commit(&mut r, None, "v1");
    // email becomes required: records 0, 3, 6, 9 have none.
    let strict = v1_builder()
        .required("person", vec!["email".into()])
        .build()
        .unwrap();
    r.add(strict.clone()).unwrap();
    let err = r.commit("require email", "tester", None).unwrap_err();
    match &err {
        VcsError::DataValidation {
            dataset,
            index,
            path,
            message,
        } => {
            assert_eq!(
                (dataset.as_str(), *index, path.as_str()),
                ("people", 0, "person")
            );
            assert!(
                message.contains("after migrating") && message.contains("email"),
                "{message}"
            );
        }
        other => panic!("expected DataValidation, got {other:?}"),
    }
    assert_eq!(r.head_commit().unwrap(), Some(c1));
    // Staging data for the new schema lets the commit through.
    let fixed: Vec<Value> = (0..10)
        .map(|i| {
            obj(vec![
                ("name", Value::Str(format!("p{i}"))),
                ("email", Value::Str("a@b".into())),
            ])
        })
        .collect();
    r.add_data("people", fixed.clone(), None).unwrap();
    let c2 = commit(&mut r, None, "require email");
    assert_eq!(collect(r.data_at(&c2.to_hex(), "people").unwrap()), fixed);
}

#[test]
fn data_staged_before_a_schema_is_checked_against_it() {
    let mut r = repo();
    commit(&mut r, Some(v1()), "v1");
    r.add_data("people", (0..5).map(person), None).unwrap();
    r.add(v2()).unwrap();
    let err = r.commit("v2", "tester", None).unwrap_err();
    assert!(
        matches!(&err, VcsError::DataValidation { index: 0, path, message, .. } if path == "person.age" && message.contains("staged after")),
        "{err:?}"
    );
    assert_eq!(
        r.staged_data().len(),
        1,
        "staged data survives a refused commit"
    );
}

#[test]
fn same_records_same_id_and_shared_chunks() {
    let mut r = repo();
    commit(&mut r, Some(v1()), "v1");
    let a = r.add_data("people", (0..100).map(person), None).unwrap();
    // Key order does not matter: records are equal, so is the dataset.
    let reordered = (0..100).map(|i| match person(i) {
        Value::Object(m) => Value::Object(m.into_iter().rev().collect()),
        other => other,
    });
    let b = r.add_data("people", reordered, None).unwrap();
    assert_eq!(a, b);
    let c = r.add_data("people", (1..101).map(person), None).unwrap();
    assert_ne!(a, c);
    let staged = &r.staged_data()["people"];
    let chunk = object::load_chunk(&staged.chunks[0]).unwrap();
    assert_eq!(chunk.len(), 100);
}

#[test]
fn going_back_without_complements_inverts_or_says_why() {
    let (mut r, [c1, c2, _], _) = history(10);
    // Restage at v3: its complements are gone.
    let restaged: Vec<Value> = (0..3)
        .map(|i| obj(vec![("full_name", Value::Str(format!("new {i}")))]))
        .collect();
    r.add_data("people", restaged.clone(), None).unwrap();
    let c4 = commit(&mut r, None, "restaged");
    // Back to v2 crosses the rename, which has an inverse.
    let at_v2 = collect(
        r.migrate_data("people", &c4.to_hex(), &c2.to_hex())
            .unwrap(),
    );
    let names: Vec<Value> = (0..3)
        .map(|i| obj(vec![("name", Value::Str(format!("new {i}")))]))
        .collect();
    assert_eq!(at_v2, names);
    // Back to v1 also crosses the removal of age: no complements, no inverse.
    let err = r
        .migrate_data("people", &c4.to_hex(), &c1.to_hex())
        .err()
        .unwrap();
    assert!(
        matches!(&err, VcsError::DataMigration { dataset, reason } if dataset == "people" && reason.contains("complements") && reason.contains(&c2.short())),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("dataset \"people\" cannot be migrated"),
        "{err}"
    );
}

#[test]
fn migrating_across_branches_goes_through_the_common_ancestor() {
    let (mut r, [c1, _, c3], original) = history(10);
    r.create_branch("other", Some(&c1.to_hex())).unwrap();
    r.checkout("other").unwrap();
    let wider = v1_builder()
        .vertex("nick", "string", None)
        .edge("person", "nick", "prop", Some("nick".into()))
        .build()
        .unwrap();
    let side = commit(&mut r, Some(wider), "nick");
    assert_eq!(
        collect(
            r.migrate_data("people", &c3.to_hex(), &side.to_hex())
                .unwrap()
        ),
        original
    );
}

#[test]
fn datasets_are_objects_that_reference_their_chunks() {
    let (r, [_, c2, _], _) = history(10);
    let store = r.store();
    let commit = object::load_commit(&store.read_object(&c2).unwrap().unwrap()).unwrap();
    let id = commit.datasets["people"];
    let obj = store.read_object(&id).unwrap().unwrap();
    assert_eq!(obj.kind, ObjectKind::Dataset);
    let body = object::unpack(&obj, true).unwrap();
    let refs: Vec<_> = object::references(&id, ObjectKind::Dataset, &body)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let dataset = object::load_dataset(&obj).unwrap();
    let lineage = dataset.lineage.clone().unwrap();
    assert!(refs.contains(&dataset.chunks[0]));
    assert!(refs.contains(&lineage.source) && refs.contains(&lineage.complements[0]));
    for r in refs {
        assert!(
            store.read_object(&r).unwrap().is_some(),
            "missing {}",
            r.short()
        );
    }
    let commit_refs = object::references(
        &c2,
        ObjectKind::Commit,
        &object::unpack(&store.read_object(&c2).unwrap().unwrap(), true).unwrap(),
    )
    .unwrap();
    assert!(
        commit_refs
            .iter()
            .any(|r| r.id == id && r.kind == Some(ObjectKind::Dataset))
    );
    assert_eq!(
        ObjectKind::from_code(ObjectKind::Chunk.code()),
        Some(ObjectKind::Chunk)
    );
}
