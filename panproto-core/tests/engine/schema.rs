//! Schema building, validation, canonical form and content ids.

use panproto_core::{ChangeKind, IssueKind, Schema, SchemaError, builtin_protocol, diff};
use proptest::prelude::*;

use crate::common::{atproto, post};

/// The canonical encoding is part of the format: this hash may only change
/// together with `OBJECT_FORMAT`.
#[test]
fn golden_content_id() {
    let schema = post();
    assert_eq!(
        String::from_utf8(schema.canonical_json()).unwrap(),
        r#"{"protocol":"atproto","vertices":[{"id":"post","kind":"record","nsid":"app.bsky.feed.post"},{"id":"post:body","kind":"object"},{"id":"post:body.text","kind":"string"}],"edges":[{"src":"post","tgt":"post:body","kind":"record-schema"},{"src":"post:body","tgt":"post:body.text","kind":"prop","name":"text"}],"constraints":[{"vertex":"post:body.text","sort":"maxLength","value":"3000"}],"required":[{"vertex":"post:body","edges":["text"]}]}"#
    );
    assert_eq!(schema.id().to_hex(), GOLDEN_ID);
}

const GOLDEN_ID: &str = "c7286d4996bddeb68bb39b4770b96df577656583d65aac3fa3afacf34fba685f";

#[test]
fn every_error_is_reported_at_once() {
    let err = Schema::builder(atproto())
        .vertex("post", "record", None)
        .vertex("post", "record", None)
        .vertex("weird", "spaceship", None)
        .vertex("body", "object", None)
        .vertex("text", "string", None)
        .edge("body", "missing", "prop", Some("x".into()))
        .edge("text", "body", "record-schema", None)
        .edge("body", "text", "teleport", None)
        .edge("body", "text", "prop", None)
        .constraint("text", "maxLength", "1")
        .constraint("text", "colour", "red")
        .required("body", vec!["nope".into()])
        .build()
        .unwrap_err();
    let SchemaError::Invalid { issues, .. } = err else {
        panic!("{err:?}")
    };
    let kinds: Vec<IssueKind> = issues.iter().map(|i| i.kind).collect();
    for expected in [
        IssueKind::DuplicateVertex,
        IssueKind::UnknownKind,
        IssueKind::MissingVertex,
        IssueKind::EdgeRuleViolation,
        IssueKind::UnknownEdgeKind,
        IssueKind::EdgeName,
        IssueKind::UnknownConstraintSort,
        IssueKind::MissingRequiredEdge,
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected:?} missing from {issues:#?}"
        );
    }
    // In declaration order: the vertices' issues first, then the other
    // declarations', then the required lists'.
    assert_eq!(
        kinds,
        [
            IssueKind::DuplicateVertex,
            IssueKind::UnknownKind,
            IssueKind::MissingVertex,
            IssueKind::EdgeRuleViolation,
            IssueKind::UnknownEdgeKind,
            IssueKind::EdgeName,
            IssueKind::UnknownConstraintSort,
            IssueKind::MissingRequiredEdge,
        ],
        "{issues:#?}"
    );
    let text: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("\"missing\" does not exist")),
        "{text:#?}"
    );
    assert!(text.iter().any(|t| t.contains("spaceship")), "{text:#?}");
}

#[test]
fn builder_is_immutable() {
    let base = Schema::builder(atproto()).vertex("a", "object", None);
    let with_b = base.vertex("b", "string", None);
    assert_eq!(base.len(), 1);
    assert_eq!(with_b.len(), 2);
    assert_eq!(base.build().unwrap().vertices().len(), 1);
    assert_eq!(with_b.build().unwrap().vertices().len(), 2);
}

#[test]
fn long_builders_drop_without_overflowing() {
    let mut b =
        Schema::builder(builtin_protocol("json-schema").unwrap()).vertex("root", "object", None);
    for i in 0..200_000 {
        b = b.vertex(format!("v{i}"), "string", None);
    }
    assert_eq!(b.len(), 200_001);
    drop(b);
}

#[test]
fn json_round_trip_and_protocol_mismatch() {
    let schema = post();
    let back = Schema::from_json(&schema.to_json()).unwrap();
    assert_eq!(back, schema);
    assert_eq!(back.id(), schema.id());
    let sql = builtin_protocol("sql").unwrap();
    let err = Schema::from_json_with(schema.to_json().as_bytes(), sql).unwrap_err();
    assert!(err.to_string().contains("protocol-mismatch"), "{err}");
    assert!(matches!(
        Schema::from_json("{not json"),
        Err(SchemaError::Malformed(_))
    ));
}

#[test]
fn diff_names_each_change() {
    let old = post();
    let new = old
        .to_builder()
        .vertex("post:body.tags", "array", None)
        .edge("post:body", "post:body.tags", "prop", Some("tags".into()))
        .constraint("post:body.text", "maxLength", "300")
        .required("post:body", vec!["tags".into()])
        .build()
        .unwrap();
    let changes = diff(&old, &new);
    let summary: Vec<(ChangeKind, String)> = changes
        .iter()
        .map(|c| (c.kind, c.element.to_string()))
        .collect();
    assert_eq!(
        summary,
        [
            (ChangeKind::VertexAdded, "post:body.tags".to_owned()),
            (
                ChangeKind::EdgeAdded,
                "post:body -prop[tags]-> post:body.tags".to_owned()
            ),
            (
                ChangeKind::ConstraintChanged,
                "post:body.text.maxLength".to_owned()
            ),
            (ChangeKind::RequiredAdded, "post:body.tags".to_owned()),
        ]
    );
    assert_eq!(changes[2].old.as_deref(), Some("3000"));
    assert_eq!(changes[2].new.as_deref(), Some("300"));
    assert!(diff(&new, &new).is_empty());
    let back: Vec<ChangeKind> = diff(&new, &old).iter().map(|c| c.kind).collect();
    assert_eq!(
        back,
        [
            ChangeKind::VertexRemoved,
            ChangeKind::EdgeRemoved,
            ChangeKind::ConstraintChanged,
            ChangeKind::RequiredRemoved
        ]
    );
}

#[test]
fn kind_changes_are_reported() {
    let p = builtin_protocol("json-schema").unwrap();
    let a = Schema::builder(p.clone())
        .vertex("root", "object", None)
        .vertex("n", "integer", None)
        .edge("root", "n", "prop", Some("n".into()))
        .build()
        .unwrap();
    let b = Schema::builder(p)
        .vertex("root", "object", None)
        .vertex("n", "number", None)
        .edge("root", "n", "prop", Some("n".into()))
        .build()
        .unwrap();
    let changes = diff(&a, &b);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::KindChanged);
    assert_eq!(
        (changes[0].old.as_deref(), changes[0].new.as_deref()),
        (Some("integer"), Some("number"))
    );
}

proptest! {
    /// Declaration order never changes the content id.
    #[test]
    fn id_is_independent_of_declaration_order(n in 1usize..40, seed in any::<u64>()) {
        let p = builtin_protocol("json-schema").unwrap();
        let mut decls: Vec<usize> = (0..n).collect();
        // A deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..decls.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            decls.swap(i, (s >> 33) as usize % (i + 1));
        }
        let build = |order: &[usize]| {
            let mut b = Schema::builder(p.clone()).vertex("root", "object", None);
            for &i in order {
                b = b.vertex(format!("f{i}"), "string", None).edge("root", format!("f{i}"), "prop", Some(format!("f{i}")));
            }
            b.build().unwrap()
        };
        let sorted: Vec<usize> = (0..n).collect();
        prop_assert_eq!(build(&sorted).id(), build(&decls).id());
    }
}
