//! Changes and merge conflicts name their elements as data: ids and names
//! holding dots, arrows, brackets, spaces and colons are read exactly, and
//! shown as the reports have always shown them.

use panproto_core::{
    Change, ChangeKind, Classification, ConflictKind, Element, MergeElement, MergeError,
    MergeOutcome, Resolutions, Schema, Side, classify, diff, merge_schemas,
};

use crate::common::{edge, js};

/// Names that the old `vertex.edge` strings could not tell apart.
const ODD: [&str; 6] = [
    "a.b",
    "x -> y",
    "list[0]",
    "two words",
    "ns:name",
    "a.b -p[q]-> c",
];

/// `root` with an object property `name` whose vertex has the id `name`,
/// holding a string property named `name` too (vertex `name/leaf`).
fn with_object(base: &Schema, name: &str) -> Schema {
    let leaf = format!("{name}/leaf");
    base.to_builder()
        .vertex(name, "object", None)
        .edge("root", name, "prop", Some(name.into()))
        .vertex(leaf.clone(), "string", None)
        .edge(name, leaf, "prop", Some(name.into()))
        .build()
        .unwrap()
}

fn root() -> Schema {
    Schema::builder(js())
        .vertex("root", "object", None)
        .build()
        .unwrap()
}

fn kinds_and_elements(changes: &[Change]) -> Vec<(ChangeKind, Element)> {
    changes
        .iter()
        .map(|c| (c.kind, c.element.clone()))
        .collect()
}

#[test]
fn diff_names_each_element_as_data_and_shows_it_as_before() {
    for name in ODD {
        let old = with_object(&root(), name);
        let leaf = format!("{name}/leaf");
        let new = old
            .to_builder()
            .constraint(leaf.clone(), "maxLength", "5")
            .required(name, vec![name.into()])
            .build()
            .unwrap();
        let changes = diff(&old, &new);
        assert_eq!(
            kinds_and_elements(&changes),
            [
                (
                    ChangeKind::ConstraintAdded,
                    Element::Constraint {
                        vertex: leaf.clone(),
                        sort: "maxLength".into()
                    }
                ),
                (
                    ChangeKind::RequiredAdded,
                    Element::Required {
                        vertex: name.into(),
                        edge: name.into()
                    }
                ),
            ],
            "{name:?}"
        );
        let shown: Vec<String> = changes.iter().map(|c| c.element.to_string()).collect();
        assert_eq!(
            shown,
            [format!("{leaf}.maxLength"), format!("{name}.{name}")]
        );

        let added = diff(&root(), &old);
        assert!(
            added.iter().any(|c| c.kind == ChangeKind::EdgeAdded
                && c.element == Element::Edge(edge(name, &leaf, "prop", Some(name)))
                && c.element.to_string() == format!("{name} -prop[{name}]-> {leaf}")),
            "{added:?}"
        );
        assert!(
            added
                .iter()
                .any(|c| c.kind == ChangeKind::VertexAdded
                    && c.element == Element::Vertex(name.into())),
            "{added:?}"
        );
    }
}

#[test]
fn a_change_serializes_with_its_element_as_text() {
    let old = with_object(&root(), "a.b");
    let new = old
        .to_builder()
        .required("a.b", vec!["a.b".into()])
        .build()
        .unwrap();
    let changes = diff(&old, &new);
    assert_eq!(
        serde_json::to_value(&changes).unwrap(),
        serde_json::json!([{"kind": "required-added", "element": "a.b.a.b"}])
    );
    // Text reads back by kind: exact where it is unambiguous.
    let plain = diff(&root(), &with_object(&root(), "text"));
    let json = serde_json::to_string(&plain).unwrap();
    let back: Vec<Change> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plain);
    // And inside a classification, where each change is flattened.
    let classified = classify(&plain, &js());
    let json = serde_json::to_string(&classified).unwrap();
    let back: Classification = serde_json::from_str(&json).unwrap();
    assert_eq!(back, classified);
}

/// Whether the field `field`, required on a vertex, is judged breaking:
/// on a vertex new in this version (`new_vertex`), or on one that existed.
fn required_is_breaking(vertex: &str, field: &str, new_vertex: bool) -> bool {
    let with_field = |s: &Schema| {
        s.to_builder()
            .vertex(vertex, "object", None)
            .edge("root", vertex, "prop", Some("p".into()))
            .vertex("leaf", "string", None)
            .edge(vertex, "leaf", "prop", Some(field.into()))
            .build()
            .unwrap()
    };
    let old = if new_vertex {
        root()
    } else {
        with_field(&root())
    };
    let new = with_field(&root())
        .to_builder()
        .required(vertex, vec![field.into()])
        .build()
        .unwrap();
    let changes = diff(&old, &new);
    let c = classify(&changes, &js());
    let required: Vec<_> = c
        .classified(&changes)
        .filter(|x| x.change.kind == ChangeKind::RequiredAdded)
        .collect();
    assert_eq!(required.len(), 1, "{c:?}");
    required[0].breaking
}

#[test]
fn classify_reads_the_vertex_not_the_text() {
    // The defect: `a.b` required on a new vertex was "breaking" (the text
    // `obj.a.b` split on its last dot names vertex `obj.a`), `ab` was not.
    for vertex in ["obj", "o.b.j", "x -> y"] {
        for field in ["ab", "a.b", "x -> y", "list[0]", "two words", "ns:name"] {
            assert!(
                !required_is_breaking(vertex, field, true),
                "{field:?} required on new vertex {vertex:?}"
            );
            assert!(
                required_is_breaking(vertex, field, false),
                "{field:?} required on existing vertex {vertex:?}"
            );
        }
    }
}

#[test]
fn a_constraint_on_a_new_vertex_with_dots_in_its_id_breaks_nothing() {
    for name in ODD {
        let old = root();
        let leaf = format!("{name}/leaf");
        let new = with_object(&root(), name)
            .to_builder()
            .constraint(leaf.clone(), "maxLength", "5")
            .build()
            .unwrap();
        let c = classify(&diff(&old, &new), &js());
        assert_eq!(c.breaking_count(), 0, "{name:?}: {c:?}");
        let existing = with_object(&root(), name);
        let changes = diff(&existing, &new);
        let c = classify(&changes, &js());
        let breaking: Vec<_> = c.breaking(&changes).collect();
        assert_eq!(breaking.len(), 1, "{name:?}: {c:?}");
        assert!(breaking[0].reason.contains("maxLength=5"), "{c:?}");
    }
}

/// `root` with one string property per odd name (vertex id = the name).
fn odd_props() -> Schema {
    let mut b = root().to_builder();
    for name in ODD {
        b = b
            .vertex(name, "string", None)
            .edge("root", name, "prop", Some(name.into()));
    }
    b.build().unwrap()
}

fn limit(base: &Schema, vertex: &str, n: &str) -> Schema {
    base.to_builder()
        .constraint(vertex, "maxLength", n)
        .build()
        .unwrap()
}

#[test]
fn merge_conflicts_name_odd_elements_and_resolve_by_element_or_by_text() {
    let base = odd_props();
    for name in ODD {
        let (ours, theirs) = (limit(&base, name, "10"), limit(&base, name, "20"));
        let MergeOutcome::Conflicts(found) =
            merge_schemas(&base, &ours, &theirs, &Resolutions::default()).unwrap()
        else {
            panic!("{name:?}: expected a conflict");
        };
        let element = MergeElement::Constraint {
            vertex: name.into(),
            sort: "maxLength".into(),
        };
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, ConflictKind::BothChanged);
        assert_eq!(found[0].element, element);
        assert_eq!(found[0].element.to_string(), format!("{name}.maxLength"));

        let by_element = Resolutions {
            elements: [(element.clone(), Side::Theirs)].into(),
            ..Resolutions::default()
        };
        let by_text = Resolutions::from_names([(format!("{name}.maxLength"), Side::Theirs)], None);
        for r in [by_element, by_text] {
            let MergeOutcome::Merged { schema, resolved } =
                merge_schemas(&base, &ours, &theirs, &r).unwrap()
            else {
                panic!("{name:?}: not resolved by {r:?}");
            };
            assert_eq!(schema, theirs);
            assert_eq!(resolved.len(), 1);
            assert_eq!(resolved[0].1, Side::Theirs);
        }
    }
}

#[test]
fn a_property_with_an_odd_name_retyped_on_both_sides_is_one_named_edge_conflict() {
    for name in ODD {
        let retyped = |kind: &str| {
            root()
                .to_builder()
                .vertex(format!("{name}:{kind}"), kind, None)
                .edge("root", format!("{name}:{kind}"), "prop", Some(name.into()))
                .build()
                .unwrap()
        };
        let (ours, theirs) = (retyped("string"), retyped("integer"));
        let MergeOutcome::Conflicts(found) =
            merge_schemas(&root(), &ours, &theirs, &Resolutions::default()).unwrap()
        else {
            panic!("{name:?}: expected a conflict");
        };
        let element = MergeElement::NamedEdge {
            src: "root".into(),
            kind: "prop".into(),
            name: name.into(),
        };
        assert_eq!(
            found.iter().map(|c| &c.element).collect::<Vec<_>>(),
            [&element]
        );
        let text = format!("root -prop[{name}]->");
        assert_eq!(element.to_string(), text);
        let r = Resolutions::from_names([(text, Side::Ours)], None);
        let MergeOutcome::Merged { schema, .. } =
            merge_schemas(&root(), &ours, &theirs, &r).unwrap()
        else {
            panic!("{name:?}: not resolved");
        };
        assert_eq!(schema, ours);
    }
}

#[test]
fn a_resolution_naming_no_conflict_is_refused_with_the_conflicts_listed() {
    let base = odd_props();
    let (ours, theirs) = (limit(&base, "a.b", "10"), limit(&base, "a.b", "20"));
    // The right text for another element, and an element not in conflict.
    let wrong_text = Resolutions::from_names([("a.b!maxLength".to_owned(), Side::Ours)], None);
    let wrong_element = Resolutions {
        elements: [(
            MergeElement::Constraint {
                vertex: "a".into(),
                sort: "b.maxLength".into(),
            },
            Side::Ours,
        )]
        .into(),
        ..Resolutions::default()
    };
    for r in [wrong_text, wrong_element] {
        match merge_schemas(&base, &ours, &theirs, &r) {
            Err(MergeError::NotInConflict { element, conflicts }) => {
                assert_eq!(conflicts, ["a.b.maxLength"]);
                assert!(element == "a.b!maxLength" || element == "a.b.maxLength");
            }
            other => panic!("expected NotInConflict, got {other:?}"),
        }
    }
}
