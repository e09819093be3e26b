//! Records, migrations, lenses, existence checks and classification.

use panproto_core::{
    Compatibility, CompiledMigration, ExistenceKind, MigrationBuilder, MigrationError,
    MigrationSpec, Schema, SchemaBuilder, Value, builtin_protocol, check_existence, classify, diff,
};
use proptest::prelude::*;
use serde_json::json;

use crate::common::{atproto, edge};

fn v(j: serde_json::Value) -> Value {
    Value::from(j)
}

/// post -> body {text, tags[tag], meta {lang, views}}
fn base() -> SchemaBuilder {
    Schema::builder(atproto())
        .vertex("post", "record", Some("app.bsky.feed.post".into()))
        .vertex("body", "object", None)
        .vertex("text", "string", None)
        .vertex("tags", "array", None)
        .vertex("tag", "string", None)
        .vertex("meta", "object", None)
        .vertex("lang", "string", None)
        .vertex("views", "integer", None)
        .edge("post", "body", "record-schema", None)
        .edge("body", "text", "prop", Some("text".into()))
        .edge("body", "tags", "prop", Some("tags".into()))
        .edge("tags", "tag", "items", None)
        .edge("body", "meta", "prop", Some("meta".into()))
        .edge("meta", "lang", "prop", Some("lang".into()))
        .edge("meta", "views", "prop", Some("views".into()))
}

fn v1() -> Schema {
    base()
        .constraint("text", "maxLength", "3000")
        .required("body", vec!["text".into()])
        .build()
        .unwrap()
}

/// text renamed to content; meta dropped with lang hoisted onto body; views dropped.
fn v2() -> Schema {
    Schema::builder(atproto())
        .vertex("post", "record", Some("app.bsky.feed.post".into()))
        .vertex("body", "object", None)
        .vertex("content", "string", None)
        .vertex("tags", "array", None)
        .vertex("tag", "string", None)
        .vertex("lang", "string", None)
        .edge("post", "body", "record-schema", None)
        .edge("body", "content", "prop", Some("content".into()))
        .edge("body", "tags", "prop", Some("tags".into()))
        .edge("tags", "tag", "items", None)
        .edge("body", "lang", "prop", Some("lang".into()))
        .build()
        .unwrap()
}

fn v1_to_v2() -> CompiledMigration {
    MigrationBuilder::new(v1(), v2())
        .map("post", "post")
        .map("body", "body")
        .map("text", "content")
        .map("tags", "tags")
        .map("tag", "tag")
        .map("lang", "lang")
        .compile()
        .unwrap()
}

fn record() -> Value {
    v(
        json!({"text": "hello", "tags": ["a", "b"], "meta": {"lang": "en", "views": 3}, "extra": true}),
    )
}

#[test]
fn validate_record_reports_every_violation_with_its_path() {
    let schema = v1();
    assert!(
        schema
            .validate_record(&v(json!({"text": "hi", "tags": ["x"]})), "post")
            .is_empty()
    );
    let bad = v(json!({"tags": ["ok", "ok", "ok", 4], "meta": {"views": "many"}, "colour": "red"}));
    let problems: Vec<String> = schema
        .validate_record(&bad, "post")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("post.tags[3]: expected string")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("post.meta.views: expected integer")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("post.colour: unexpected key")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("required key \"text\" is missing")),
        "{problems:#?}"
    );
    let long = v(json!({"text": "x".repeat(3001)}));
    let problems = schema.validate_record(&long, "post");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].message.contains("maxLength"));
    assert_eq!(schema.validate_record(&long, "nope")[0].path, "nope");
}

#[test]
fn lift_renames_drops_and_contracts() {
    let m = v1_to_v2();
    let lifted = m.lift(record(), None).unwrap();
    assert_eq!(
        lifted,
        v(json!({"content": "hello", "tags": ["a", "b"], "lang": "en"}))
    );
    assert!(v2().validate_record(&lifted, "post").is_empty());
}

#[test]
fn get_put_restores_exactly_and_put_keeps_view_edits() {
    let m = v1_to_v2();
    let (view, complement) = m.get(record(), None).unwrap();
    assert_eq!(
        view,
        v(json!({"content": "hello", "tags": ["a", "b"], "lang": "en"}))
    );
    assert_eq!(m.put(view, &complement).unwrap(), record());
    // An edited view comes back with its edits and the dropped data.
    let edited = v(json!({"content": "bye", "tags": ["z"], "lang": "fr"}));
    let back = m.put(edited.clone(), &complement).unwrap();
    assert_eq!(
        back,
        v(json!({"text": "bye", "tags": ["z"], "meta": {"lang": "fr", "views": 3}, "extra": true}))
    );
    let (again, _) = m.get(back, None).unwrap();
    assert_eq!(again, edited);
}

#[test]
fn complements_are_checked() {
    let m = v1_to_v2();
    let (view, complement) = m.get(record(), None).unwrap();
    let other = CompiledMigration::identity(&v1()).unwrap();
    let (_, other_complement) = other.get(record(), None).unwrap();
    assert!(matches!(
        m.put(view.clone(), &other_complement),
        Err(MigrationError::WrongComplement { .. })
    ));
    let mut tampered = complement.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 1;
    assert!(matches!(
        m.put(view.clone(), &tampered),
        Err(MigrationError::DamagedComplement(_))
    ));
    assert!(matches!(
        m.put(view, b"not a complement"),
        Err(MigrationError::DamagedComplement(_))
    ));
}

#[test]
fn identity_lifts_every_record_to_itself() {
    let m = CompiledMigration::identity(&v1()).unwrap();
    let r = v(json!({"text": "hello", "tags": ["a"], "meta": {"lang": "en", "views": 3}}));
    assert_eq!(m.lift(r.clone(), None).unwrap(), r);
}

#[test]
fn compose_equals_lifting_in_turn_and_checks_ends() {
    let m1 = v1_to_v2();
    let v3 = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("body", "object", None)
        .vertex("content", "string", None)
        .edge("post", "body", "record-schema", None)
        .edge("body", "content", "prop", Some("body".into()))
        .build()
        .unwrap();
    let m2 = MigrationBuilder::new(v2(), v3.clone())
        .map("post", "post")
        .map("body", "body")
        .map("content", "content")
        .compile()
        .unwrap();
    let both = m1.compose(&m2).unwrap();
    let r = record();
    let stepwise = m2.lift(m1.lift(r.clone(), None).unwrap(), None).unwrap();
    assert_eq!(both.lift(r.clone(), None).unwrap(), stepwise);
    assert_eq!(stepwise, v(json!({"body": "hello"})));
    let (view, c) = both.get(r.clone(), None).unwrap();
    assert_eq!(both.put(view, &c).unwrap(), r);
    assert!(matches!(
        m2.compose(&m1),
        Err(MigrationError::NotComposable { .. })
    ));
}

#[test]
fn invert_a_bijection_and_refuse_the_rest() {
    let renamed = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("body", "object", None)
        .vertex("t", "string", None)
        .edge("post", "body", "record-schema", None)
        .edge("body", "t", "prop", Some("title".into()))
        .build()
        .unwrap();
    let original = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("body", "object", None)
        .vertex("t", "string", None)
        .edge("post", "body", "record-schema", None)
        .edge("body", "t", "prop", Some("name".into()))
        .build()
        .unwrap();
    let m = MigrationBuilder::new(original, renamed)
        .map("post", "post")
        .map("body", "body")
        .map("t", "t")
        .compile()
        .unwrap();
    let inverse = m.invert().unwrap();
    let r = v(json!({"name": "x"}));
    assert_eq!(m.lift(r.clone(), None).unwrap(), v(json!({"title": "x"})));
    assert_eq!(
        inverse
            .lift(m.lift(r.clone(), None).unwrap(), None)
            .unwrap(),
        r
    );
    assert!(matches!(
        v1_to_v2().invert(),
        Err(MigrationError::NotInvertible(_))
    ));
}

fn kinds_of(report: &panproto_core::ExistenceReport) -> Vec<ExistenceKind> {
    report.issues.iter().map(|i| i.kind).collect()
}

#[test]
fn existence_check_reports_each_kind() {
    use ExistenceKind::*;
    let (s1, s2) = (v1(), v2());
    let base = || MigrationSpec::identity();
    let check = |spec: &MigrationSpec| check_existence(&s1, &s2, spec);

    // A clean mapping.
    let clean = MigrationBuilder::new(s1.clone(), s2.clone())
        .map("post", "post")
        .map("body", "body")
        .map("text", "content")
        .map("tags", "tags")
        .map("tag", "tag")
        .map("lang", "lang")
        .spec();
    assert!(check(&clean).is_valid(), "{:#?}", check(&clean));

    // well-formedness: a vertex that does not exist; the root unmapped.
    let mut spec = base();
    spec.vertex_map.insert("ghost".into(), "body".into());
    assert!(kinds_of(&check(&spec)).contains(&WellFormedness));
    let mut spec = base();
    spec.excluded.insert("post".into());
    assert!(kinds_of(&check(&spec)).contains(&WellFormedness));

    // kind-inconsistency: text (string) to tags (array).
    let mut spec = base();
    spec.vertex_map.insert("text".into(), "tags".into());
    assert!(kinds_of(&check(&spec)).contains(&KindInconsistency));

    // label-inconsistency and signature-coherence: a prop edge mapped onto the items edge.
    let mut spec = base();
    spec.edge_map.push(panproto_core::EdgeMapping {
        src: edge("body", "text", "prop", Some("text")),
        tgt: edge("tags", "tag", "items", None),
    });
    let kinds = kinds_of(&check(&spec));
    assert!(kinds.contains(&LabelInconsistency), "{kinds:?}");
    assert!(kinds.contains(&SignatureCoherence), "{kinds:?}");

    // resolver-invalid: an edge the target does not have.
    let mut spec = base();
    spec.resolvers.push(panproto_core::Resolver {
        src_kind: "object".into(),
        tgt_kind: "string".into(),
        edge: edge("body", "nowhere", "prop", Some("x")),
    });
    assert!(kinds_of(&check(&spec)).contains(&ResolverInvalid));

    // edge-missing: both ends of body -prop[meta]-> meta mapped, target has no such edge.
    let with_meta = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("body", "object", None)
        .vertex("meta", "object", None)
        .edge("post", "body", "record-schema", None)
        .build()
        .unwrap();
    let spec = MigrationSpec::identity();
    assert!(kinds_of(&check_existence(&s1, &with_meta, &spec)).contains(&EdgeMissing));

    // simultaneity: text and lang (hoisted) both land on key "content".
    let clash = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("body", "object", None)
        .vertex("content", "string", None)
        .vertex("lang", "string", None)
        .edge("post", "body", "record-schema", None)
        .edge("body", "content", "prop", Some("content".into()))
        .edge("body", "lang", "prop", Some("content2".into()))
        .build()
        .unwrap();
    let mut spec = MigrationSpec::identity();
    spec.vertex_map.insert("text".into(), "content".into());
    spec.vertex_map.insert("lang".into(), "content".into());
    assert!(
        kinds_of(&check_existence(&s1, &clash, &spec)).contains(&Simultaneity),
        "{:#?}",
        check_existence(&s1, &clash, &spec)
    );

    // reachability-risk: lang survives but meta is dropped and body has no edge to it.
    let lonely = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("body", "object", None)
        .vertex("lang", "string", None)
        .edge("post", "body", "record-schema", None)
        .build()
        .unwrap();
    let spec = MigrationSpec::identity();
    assert!(kinds_of(&check_existence(&s1, &lonely, &spec)).contains(&ReachabilityRisk));

    // required-field-missing and constraint-tightened.
    let strict = v2()
        .to_builder()
        .vertex("author", "string", None)
        .edge("body", "author", "prop", Some("author".into()))
        .required("body", vec!["author".into()])
        .constraint("content", "maxLength", "300")
        .build()
        .unwrap();
    let spec = MigrationBuilder::new(s1.clone(), strict.clone())
        .map("post", "post")
        .map("body", "body")
        .map("text", "content")
        .map("tags", "tags")
        .map("tag", "tag")
        .map("lang", "lang")
        .spec();
    let kinds = kinds_of(&check_existence(&s1, &strict, &spec));
    assert!(kinds.contains(&RequiredFieldMissing), "{kinds:?}");
    assert!(kinds.contains(&ConstraintTightened), "{kinds:?}");
}

#[test]
fn compile_refuses_fatal_mappings_naming_the_element() {
    let err = MigrationBuilder::new(v1(), v2())
        .map("post", "post")
        .map("ghost", "body")
        .compile()
        .unwrap_err();
    let MigrationError::Invalid { problems } = &err else {
        panic!("{err:?}")
    };
    assert!(
        problems.iter().any(|p| p.element.contains("ghost")),
        "{problems:?}"
    );
    assert!(err.to_string().contains("well-formedness"), "{err}");
}

#[test]
fn resolvers_pick_the_contraction_edge() {
    // Two props from body to lang-kind vertices: contraction is ambiguous without a resolver.
    let tgt = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("body", "object", None)
        .vertex("lang", "string", None)
        .edge("post", "body", "record-schema", None)
        .edge("body", "lang", "prop", Some("language".into()))
        .edge("body", "lang", "prop", Some("locale".into()))
        .build()
        .unwrap();
    let m = MigrationBuilder::new(v1(), tgt.clone())
        .map("post", "post")
        .map("body", "body")
        .map("lang", "lang")
        .resolve(
            "object",
            "string",
            edge("body", "lang", "prop", Some("locale")),
        )
        .compile()
        .unwrap();
    assert_eq!(m.lift(record(), None).unwrap(), v(json!({"locale": "en"})));
}

#[test]
fn classify_follows_the_rules() {
    let old = v1();
    let new = old
        .to_builder()
        .vertex("author", "string", None)
        .edge("body", "author", "prop", Some("author".into()))
        .constraint("author", "maxLength", "64")
        .build()
        .unwrap();
    let changes = diff(&old, &new);
    let c = classify(&changes, old.protocol());
    assert_eq!(c.verdict, Compatibility::BackwardCompatible, "{c:#?}");
    assert!(
        c.non_breaking(&changes)
            .any(|x| x.reason.contains("new in this version")),
        "{c:#?}"
    );

    let required = new
        .to_builder()
        .required("body", vec!["author".into()])
        .build()
        .unwrap();
    let changes = diff(&new, &required);
    let c = classify(&changes, new.protocol());
    assert_eq!(c.verdict, Compatibility::Breaking);
    let first = c.breaking(&changes).next().unwrap();
    assert!(first.reason.contains("newly required"), "{c:#?}");

    // A field required on a vertex that is itself new breaks no existing record.
    let nested = old
        .to_builder()
        .vertex("extra", "object", None)
        .vertex("note", "string", None)
        .edge("body", "extra", "prop", Some("extra".into()))
        .edge("extra", "note", "prop", Some("note".into()))
        .required("extra", vec!["note".into()])
        .build()
        .unwrap();
    let c = classify(&diff(&old, &nested), old.protocol());
    assert_eq!(c.verdict, Compatibility::BackwardCompatible, "{c:#?}");

    let tighter = old
        .to_builder()
        .constraint("text", "maxLength", "300")
        .build()
        .unwrap();
    let c = classify(&diff(&old, &tighter), old.protocol());
    assert_eq!(c.verdict, Compatibility::Breaking);
    let looser = old
        .to_builder()
        .constraint("text", "maxLength", "5000")
        .build()
        .unwrap();
    assert_eq!(
        classify(&diff(&old, &looser), old.protocol()).verdict,
        Compatibility::BackwardCompatible
    );
    assert_eq!(
        classify(&diff(&old, &old), old.protocol()).verdict,
        Compatibility::FullyCompatible
    );
    let changes = diff(&old, &v2());
    let c = classify(&changes, old.protocol());
    assert_eq!(c.verdict, Compatibility::Breaking);
    assert!(
        c.breaking(&changes)
            .any(|x| x.change.element.to_string() == "views")
    );
}

// ---- laws, over generated schemas, mappings and records ----

/// A flat-ish schema: root object with `n` string props and one nested object with `m` integer props.
fn generated(n: usize, m: usize) -> Schema {
    let p = builtin_protocol("json-schema").unwrap();
    let mut b = Schema::builder(p)
        .vertex("root", "object", None)
        .vertex("nest", "object", None)
        .edge("root", "nest", "prop", Some("nest".into()));
    for i in 0..n {
        b = b.vertex(format!("s{i}"), "string", None).edge(
            "root",
            format!("s{i}"),
            "prop",
            Some(format!("s{i}")),
        );
    }
    for j in 0..m {
        b = b.vertex(format!("n{j}"), "integer", None).edge(
            "nest",
            format!("n{j}"),
            "prop",
            Some(format!("n{j}")),
        );
    }
    b.build().unwrap()
}

/// A target keeping the props whose bit is set, renaming kept ones when `rename`.
fn kept(n: usize, m: usize, keep: u32, rename: bool, keep_nest: bool) -> (Schema, MigrationSpec) {
    let p = builtin_protocol("json-schema").unwrap();
    let mut b = Schema::builder(p).vertex("root", "object", None);
    let mut spec = MigrationSpec::default();
    spec.vertex_map.insert("root".into(), "root".into());
    if keep_nest {
        b = b
            .vertex("nest", "object", None)
            .edge("root", "nest", "prop", Some("nest".into()));
        spec.vertex_map.insert("nest".into(), "nest".into());
    }
    for i in 0..n {
        if keep & (1 << i) != 0 {
            let name = if rename {
                format!("r{i}")
            } else {
                format!("s{i}")
            };
            b = b.vertex(format!("s{i}"), "string", None).edge(
                "root",
                format!("s{i}"),
                "prop",
                Some(name),
            );
            spec.vertex_map.insert(format!("s{i}"), format!("s{i}"));
        }
    }
    for j in 0..m {
        if keep & (1 << (16 + j)) != 0 {
            let parent = if keep_nest { "nest" } else { "root" };
            b = b.vertex(format!("n{j}"), "integer", None).edge(
                parent,
                format!("n{j}"),
                "prop",
                Some(format!("n{j}")),
            );
            spec.vertex_map.insert(format!("n{j}"), format!("n{j}"));
        }
    }
    (b.build().unwrap(), spec)
}

fn arb_record(n: usize, m: usize) -> impl Strategy<Value = Value> {
    (
        proptest::collection::vec(proptest::option::of("[a-z]{0,6}"), n),
        proptest::collection::vec(proptest::option::of(any::<i64>()), m),
        any::<bool>(),
        proptest::option::of("[a-z]{1,4}"),
    )
        .prop_map(|(strings, ints, with_nest, unknown)| {
            let mut root = serde_json::Map::new();
            for (i, s) in strings.into_iter().enumerate() {
                if let Some(s) = s {
                    root.insert(format!("s{i}"), json!(s));
                }
            }
            if with_nest {
                let mut nest = serde_json::Map::new();
                for (j, x) in ints.into_iter().enumerate() {
                    if let Some(x) = x {
                        nest.insert(format!("n{j}"), json!(x));
                    }
                }
                root.insert("nest".into(), serde_json::Value::Object(nest));
            }
            if let Some(u) = unknown {
                root.insert(format!("unknown_{u}"), json!(u));
            }
            Value::from(serde_json::Value::Object(root))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn get_put_and_put_get(keep in any::<u32>(), rename in any::<bool>(), keep_nest in any::<bool>(), r in arb_record(6, 3)) {
        let src = generated(6, 3);
        let (tgt, spec) = kept(6, 3, keep, rename, keep_nest);
        let m = CompiledMigration::compile(src, tgt, spec).unwrap();
        let (view, c) = m.get(r.clone(), None).unwrap();
        prop_assert_eq!(m.lift(r.clone(), None).unwrap(), view.clone());
        // GetPut
        prop_assert_eq!(m.put(view.clone(), &c).unwrap(), r);
        // PutGet: the view comes back unchanged.
        let back = m.put(view.clone(), &c).unwrap();
        let (view2, _) = m.get(back, None).unwrap();
        prop_assert_eq!(view2, view);
    }

    #[test]
    fn compose_law(k1 in any::<u32>(), k2 in any::<u32>(), r in arb_record(6, 3)) {
        let src = generated(6, 3);
        let (mid, spec1) = kept(6, 3, k1 | 1, false, true);
        let m1 = CompiledMigration::compile(src, mid.clone(), spec1).unwrap();
        // The second step keeps a subset of what the first kept.
        let (tgt, _) = kept(6, 3, (k1 | 1) & (k2 | 1), true, true);
        let spec2 = MigrationSpec::identity();
        let m2 = CompiledMigration::compile(mid, tgt, spec2).unwrap();
        let composed = m1.compose(&m2).unwrap();
        let stepwise = m2.lift(m1.lift(r.clone(), None).unwrap(), None).unwrap();
        prop_assert_eq!(composed.lift(r, None).unwrap(), stepwise);
    }

    #[test]
    fn identity_law(r in arb_record(6, 3)) {
        let m = CompiledMigration::identity(&generated(6, 3)).unwrap();
        let mut expected = r.clone();
        // The identity drops keys the schema does not know: records that fit it lift to themselves.
        if let Value::Object(o) = &mut expected { o.retain_mut(|k, _| !k.starts_with("unknown_")); }
        prop_assert_eq!(m.lift(expected.clone(), None).unwrap(), expected);
    }

    /// Decoding arbitrary bytes never panics.
    #[test]
    fn complement_decoding_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let m = CompiledMigration::identity(&generated(2, 1)).unwrap();
        let _ = m.put(Value::Null, &bytes);
    }
}
