//! Migrations in the history: derivation at `add`, verdicts in commits, diff and show between refs.

use panproto_core::vcs::memory::MemoryStore;
use panproto_core::{
    ChangeKind, Compared, Compatibility, Level, Migrator, Repository, Schema, SchemaBuilder, Value,
    derive_migration,
};
use serde_json::json;

use crate::common::js;

fn person() -> SchemaBuilder {
    Schema::builder(js())
        .vertex("person", "object", None)
        .vertex("name", "string", None)
        .vertex("address", "object", None)
        .vertex("city", "string", None)
        .edge("person", "name", "prop", Some("name".into()))
        .edge("person", "address", "prop", Some("address".into()))
        .edge("address", "city", "prop", Some("city".into()))
}

#[test]
fn renames_are_detected_level_by_level() {
    let old = person().build().unwrap();
    // address -> location (and its edge), city -> town: the child matches once its parent has.
    let new = Schema::builder(js())
        .vertex("person", "object", None)
        .vertex("name", "string", None)
        .vertex("location", "object", None)
        .vertex("town", "string", None)
        .edge("person", "name", "prop", Some("name".into()))
        .edge("person", "location", "prop", Some("location".into()))
        .edge("location", "town", "prop", Some("town".into()))
        .build()
        .unwrap();
    let spec = derive_migration(&old, &new);
    assert_eq!(
        spec.vertex_map.get("address").map(String::as_str),
        Some("location")
    );
    assert_eq!(
        spec.vertex_map.get("city").map(String::as_str),
        Some("town")
    );
    let m = panproto_core::CompiledMigration::compile(old, new, spec).unwrap();
    let lifted = m
        .lift(
            Value::from(json!({"name": "Ada", "address": {"city": "London"}})),
            None,
        )
        .unwrap();
    assert_eq!(
        lifted,
        Value::from(json!({"name": "Ada", "location": {"town": "London"}}))
    );
}

#[test]
fn ambiguous_places_are_not_guessed() {
    let old = person()
        .vertex("zip", "string", None)
        .edge("address", "zip", "prop", Some("zip".into()))
        .build()
        .unwrap();
    let new = person()
        .vertex("a", "string", None)
        .vertex("b", "string", None)
        .edge("address", "a", "prop", Some("first".into()))
        .edge("address", "b", "prop", Some("second".into()))
        .build()
        .unwrap();
    let removed_city_and_zip = {
        let mut o = old.to_builder();
        o = o.vertex("other", "string", None).edge(
            "address",
            "other",
            "prop",
            Some("other".into()),
        );
        o.build().unwrap()
    };
    let spec = derive_migration(&removed_city_and_zip, &new);
    assert!(!spec.vertex_map.contains_key("zip"), "{spec:?}");
    assert!(!spec.vertex_map.contains_key("other"), "{spec:?}");
    // Same names pair up even in a crowded place.
    let renamed = Schema::builder(js())
        .vertex("person", "object", None)
        .vertex("n2", "string", None)
        .vertex("address", "object", None)
        .vertex("city", "string", None)
        .edge("person", "n2", "prop", Some("name".into()))
        .edge("person", "address", "prop", Some("address".into()))
        .edge("address", "city", "prop", Some("city".into()))
        .build()
        .unwrap();
    assert_eq!(
        derive_migration(&old, &renamed)
            .vertex_map
            .get("name")
            .map(String::as_str),
        Some("n2")
    );
}

#[test]
fn incompatible_kind_changes_are_left_unmapped() {
    let old = person().build().unwrap();
    let new = Schema::builder(js())
        .vertex("person", "object", None)
        .vertex("name", "integer", None)
        .edge("person", "name", "prop", Some("name".into()))
        .build()
        .unwrap();
    let spec = derive_migration(&old, &new);
    let images = spec.images(&old, &new);
    assert!(!images.contains_key("name"));
    assert_eq!(images.get("person").map(String::as_str), Some("person"));
}

#[test]
fn commits_record_migrations_and_verdicts() {
    let mut repo = Repository::init(MemoryStore::new("r"), js()).unwrap();
    let v1 = person().build().unwrap();
    repo.add(v1.clone()).unwrap();
    let c1 = repo.commit("v1", "ada", Some(1)).unwrap();
    let v2 = v1
        .to_builder()
        .vertex("age", "integer", None)
        .edge("person", "age", "prop", Some("age".into()))
        .build()
        .unwrap();
    let staged = repo.add(v2.clone()).unwrap();
    assert_eq!(
        staged.classification.verdict,
        Compatibility::BackwardCompatible
    );
    let c2 = repo.commit("v2", "ada", Some(2)).unwrap();
    let v3 = v2
        .to_builder()
        .required("person", vec!["age".into()])
        .build()
        .unwrap();
    assert_eq!(
        repo.add(v3).unwrap().classification.verdict,
        Compatibility::Breaking
    );
    let c3 = repo.commit("v3", "ada", Some(3)).unwrap();

    let log = repo.log(None).unwrap();
    let verdicts: Vec<Option<&str>> = log
        .iter()
        .map(|c| c.commit.compatibility.as_deref())
        .collect();
    assert_eq!(
        verdicts,
        [
            Some("breaking"),
            Some("backward-compatible"),
            Some("backward-compatible")
        ]
    );
    assert!(
        log[2].commit.migration.is_none(),
        "the first commit has no parent to migrate from"
    );
    assert!(log[0].commit.migration.is_some());

    assert_eq!(repo.resolve("HEAD").unwrap(), c3);
    assert_eq!(repo.resolve("HEAD~2").unwrap(), c1);
    assert_eq!(repo.resolve("main~1").unwrap(), c2);
    assert_eq!(repo.resolve(&c2.to_hex()).unwrap(), c2);
    assert!(repo.resolve("HEAD~3").is_err());
    assert!(repo.resolve("nope").is_err());

    let Compared {
        changes,
        classification,
        compat,
    } = repo.diff("HEAD~2", Some("HEAD")).unwrap();
    // A required property added: old records lack it.
    assert_eq!(compat.backward(), Level::Breaking, "{compat:?}");
    let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::VertexAdded,
            ChangeKind::EdgeAdded,
            ChangeKind::RequiredAdded
        ]
    );
    assert_eq!(classification.verdict, Compatibility::Breaking);

    let shown = repo.show("HEAD~1").unwrap();
    assert_eq!(shown.info.id, c2);
    assert_eq!(shown.changes.len(), 2);
    // JSON Schema's own rules: one property added to an open object.
    assert_eq!(shown.compat.rules, "json-schema");
    let rules: Vec<&str> = shown
        .compat
        .findings
        .iter()
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(rules, ["PROPERTY_ADDED"], "{:?}", shown.compat);

    let Some(Migrator::Mapping(m)) = repo.migration_of("HEAD~1").unwrap() else {
        panic!("a derived migration is a mapping")
    };
    let lifted = m.lift(Value::from(json!({"name": "Ada"})), None).unwrap();
    assert_eq!(lifted, Value::from(json!({"name": "Ada"})));
    assert!(repo.migration_of(&c1.to_hex()).unwrap().is_none());
}

#[test]
fn diff_to_nothing_is_the_staged_schema_else_head() {
    let mut repo = Repository::init(MemoryStore::new("r"), js()).unwrap();
    let v1 = person().build().unwrap();
    repo.add(v1.clone()).unwrap();
    repo.commit("v1", "ada", Some(1)).unwrap();
    let Compared {
        changes,
        classification,
        compat,
    } = repo.diff("HEAD", None).unwrap();
    assert!(changes.is_empty(), "nothing staged: HEAD against itself");
    assert!(compat.findings.is_empty());
    assert_eq!(classification.verdict, Compatibility::FullyCompatible);

    let v2 = v1
        .to_builder()
        .vertex("age", "integer", None)
        .edge("person", "age", "prop", Some("age".into()))
        .build()
        .unwrap();
    let staged = repo.add(v2).unwrap().clone();
    let Compared {
        changes,
        classification,
        compat,
    } = repo.diff("HEAD", None).unwrap();
    assert_eq!(compat, *staged.compat, "the staged verdict");
    assert_eq!(
        changes[..],
        staged.changes[..],
        "the staged schema against HEAD"
    );
    assert_eq!(classification, staged.classification);
    let changes = repo.diff("HEAD", Some("HEAD")).unwrap().changes;
    assert!(
        changes.is_empty(),
        "a ref given is used even with something staged"
    );
}
