//! Lenses in the history: a lens staged with a schema is checked against
//! it, stored with the commit, and moves the datasets the commit carries,
//! `migrate_data` both ways and `migration_of`; `evolve` makes the next
//! version from a lens. The change is one no vertex mapping says: a
//! nested `name` split into `first` and `last`, a tag wrapped into a
//! list of tags, and an enum value renamed.

use std::sync::Arc;

use panproto_core::lens::{Chain, LensError, Step};
use panproto_core::vcs::memory::MemoryStore;
use panproto_core::vcs::object::{self, StoredMigration};
use panproto_core::{
    Format, FormatOptions, Map, Migrator, Repository, Schema, Source, Value, ValueType, VcsError,
    derive_migration,
};
use serde_json::json;

use crate::common::memory_repo;

const OLD: &str = r#"{"type": "object", "properties": {
    "name": {"type": "object", "properties": {
        "first": {"type": "string"}, "last": {"type": "string"}}},
    "tag": {"type": "string"},
    "status": {"type": "string", "enum": ["draft", "done"]}
}}"#;

const NEW: &str = r#"{"type": "object", "properties": {
    "first": {"type": "string"},
    "last": {"type": "string"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "status": {"type": "string", "enum": ["pending", "done"]}
}}"#;

fn parse(text: &str) -> Schema {
    Format::JsonSchema
        .parse(
            &Source::from_text("person.json", text),
            &FormatOptions::default(),
        )
        .unwrap()
}

fn s(x: &str) -> String {
    x.to_owned()
}

/// Split `name`, wrap `tag` into `tags`, rename `draft` to `pending`.
fn split_chain() -> Chain {
    Chain(vec![
        Step::Hoist {
            host: s("name"),
            field: s("first"),
        },
        Step::Hoist {
            host: s("name"),
            field: s("last"),
        },
        Step::Remove {
            field: s("name"),
            kind: ValueType::Object,
            default: Value::Object(Map::new()),
        },
        Step::Wrap { field: s("tag") },
        Step::Rename {
            field: s("tag"),
            to: s("tags"),
        },
        Step::Convert {
            field: s("status"),
            mapping: vec![(Value::Str(s("draft")), Value::Str(s("pending")))],
            reverse: None,
        },
    ])
}

fn old_records() -> Vec<Value> {
    vec![
        json!({"name": {"first": "Ada", "last": "Lovelace"}, "tag": "math", "status": "draft"}),
        json!({"name": {"first": "Alan", "last": "Turing"}, "tag": "cs", "status": "done"}),
        json!({"name": {"first": "Grace"}, "tag": "navy", "status": "draft"}),
    ]
    .into_iter()
    .map(Value::from)
    .collect()
}

fn new_records() -> Vec<Value> {
    vec![
        json!({"first": "Ada", "last": "Lovelace", "tags": ["math"], "status": "pending"}),
        json!({"first": "Alan", "last": "Turing", "tags": ["cs"], "status": "done"}),
        json!({"first": "Grace", "tags": ["navy"], "status": "pending"}),
    ]
    .into_iter()
    .map(Value::from)
    .collect()
}

/// A repository with the old schema and its records committed.
fn with_people() -> Repository<MemoryStore> {
    let old = parse(OLD);
    let mut repo = memory_repo("lens-history", Arc::clone(old.protocol()));
    repo.add(old).unwrap();
    repo.add_data("people", old_records(), None).unwrap();
    repo.commit("people", "tester", Some(1)).unwrap();
    repo
}

fn records(repo: &Repository<MemoryStore>, reference: &str) -> Vec<Value> {
    repo.data_at(reference, "people")
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_committed_lens_carries_the_dataset_and_brings_it_back() {
    let mut repo = with_people();
    repo.add_with_lens(parse(NEW), split_chain(), None).unwrap();
    assert!(repo.staged().unwrap().lens.is_some());
    repo.commit("split the name", "tester", Some(2)).unwrap();

    assert_eq!(records(&repo, "HEAD"), new_records());
    // Back with the complements the commit kept: exactly the originals.
    let back: Vec<Value> = repo
        .migrate_data("people", "HEAD", "HEAD~1")
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, old_records());
    let forward: Vec<Value> = repo
        .migrate_data("people", "HEAD~1", "HEAD")
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(forward, new_records());

    let Some(Migrator::Lens(lens)) = repo.migration_of("HEAD").unwrap() else {
        panic!("the commit's migration is its lens");
    };
    assert_eq!(lens.lens.chain(), &split_chain());
    assert_eq!(
        lens.source.id(),
        repo.schema_of(&repo.resolve("HEAD~1").unwrap())
            .unwrap()
            .id()
    );
    let shown = repo.show("HEAD").unwrap();
    assert_eq!(shown.lens.map(|l| l.chain), Some(split_chain()));
    assert!(repo.show("HEAD~1").unwrap().lens.is_none());
    assert!(repo.verify().unwrap().problems.is_empty());
}

#[test]
fn data_staged_at_the_lens_commit_goes_back_with_the_steps_defaults() {
    let mut repo = with_people();
    repo.add_with_lens(parse(NEW), split_chain(), None).unwrap();
    let view =
        Value::from(json!({"first": "Edsger", "tags": ["cs", "go-to"], "status": "pending"}));
    repo.add_data("people", vec![view], None).unwrap();
    repo.commit("split the name, new data", "tester", Some(2))
        .unwrap();
    let back: Vec<Value> = repo
        .migrate_data("people", "HEAD", "HEAD~1")
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // No complement was kept: the head of `tags` is the tag, `first`
    // goes back into the `name` the hoist made.
    assert_eq!(
        back,
        vec![Value::from(
            json!({"name": {"first": "Edsger"}, "tag": "cs", "status": "draft"})
        )]
    );
}

#[test]
fn evolve_stages_what_the_lens_makes_of_heads_schema() {
    let mut repo = with_people();
    let staged = repo.evolve(split_chain(), None).unwrap();
    assert!(staged.lens.is_some());
    let target = staged.schema.clone();
    repo.commit("evolved", "tester", Some(2)).unwrap();
    assert_eq!(repo.head_schema().unwrap().unwrap().id(), target.id());
    assert_eq!(records(&repo, "HEAD"), new_records());
}

#[test]
fn a_lens_that_does_not_reach_the_staged_schema_is_refused_where_they_differ() {
    let mut repo = with_people();
    let mut short = split_chain();
    short.0.pop(); // no enum rename
    match repo.add_with_lens(parse(NEW), short, None) {
        Err(VcsError::Lens(LensError::Mismatch { differences, .. })) => {
            assert!(
                differences.iter().any(|d| d.contains("enum")),
                "{differences:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(repo.staged().is_none(), "nothing was staged");
}

#[test]
fn a_lens_that_does_not_fit_heads_schema_names_the_step_and_field() {
    let mut repo = with_people();
    let chain = Chain(vec![Step::Rename {
        field: s("nickname"),
        to: s("alias"),
    }]);
    match repo.add_with_lens(parse(NEW), chain, None) {
        Err(VcsError::Lens(LensError::Schema { step, message, .. })) => {
            assert!(step.contains("rename nickname"), "{step}");
            assert!(message.contains("nickname"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_lens_needs_an_earlier_version() {
    let old = parse(OLD);
    let mut repo = memory_repo("lens-first", Arc::clone(old.protocol()));
    assert!(matches!(
        repo.add_with_lens(old, split_chain(), None),
        Err(VcsError::InvalidInput { what: "lens", .. })
    ));
    assert!(matches!(
        repo.evolve(split_chain(), None),
        Err(VcsError::InvalidInput { what: "lens", .. })
    ));
}

#[test]
fn rebase_keeps_the_lens_when_it_still_fits() {
    let mut repo = with_people();
    let base = repo.head_commit().unwrap();
    repo.add_with_lens(parse(NEW), split_chain(), None).unwrap();
    // Someone else commits data on the same schema meanwhile.
    let mut other = Repository::open(repo.store().clone()).unwrap();
    other
        .add_data("others", vec![Value::from(json!({"tag": "x"}))], None)
        .unwrap();
    other.commit("more data", "someone", Some(3)).unwrap();
    assert!(matches!(
        repo.commit("split", "tester", Some(4)),
        Err(VcsError::Conflict { .. })
    ));
    repo.rebase(&Default::default()).unwrap();
    let staged = repo.staged().unwrap();
    assert!(staged.lens.is_some());
    assert_ne!(staged.base, base);
    repo.commit("split", "tester", Some(4)).unwrap();
    assert_eq!(records(&repo, "HEAD"), new_records());
}

#[test]
fn a_migration_without_a_lens_keeps_the_id_it_had() {
    let (old, new) = (parse(OLD), parse(NEW));
    let stored = StoredMigration {
        source: old.id(),
        target: new.id(),
        spec: derive_migration(&old, &new),
        lens: None,
    };
    let obj = object::store_migration(&stored);
    let body = object::unpack(&obj, false).unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains("lens"), "{text}");
    assert_eq!(object::load_migration(&obj).unwrap(), stored);
}
