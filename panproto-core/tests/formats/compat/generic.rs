//! The generic rules, for protocols no format's rules cover: each change
//! judged by `classify` as it is (backward) and as its inverse (forward).

use std::sync::Arc;

use panproto_core::{Level, Mode, Protocol, Schema, builtin_protocol, compatibility};

/// A protocol no format's rules cover: JSON Schema's kinds under another name.
fn notes() -> Arc<Protocol> {
    let mut protocol = (*builtin_protocol("json-schema").unwrap()).clone();
    protocol.name = "notes".to_owned();
    Arc::new(protocol)
}

fn notes_schema(props: &[(&str, bool)]) -> Schema {
    let mut b = Schema::builder(notes()).vertex("root", "object", None);
    let mut required = Vec::new();
    for (name, is_required) in props {
        b = b.vertex(format!("root.{name}"), "string", None).edge(
            "root",
            format!("root.{name}"),
            "prop",
            Some((*name).to_owned()),
        );
        if *is_required {
            required.push((*name).to_owned());
        }
    }
    if !required.is_empty() {
        b = b.required("root", required);
    }
    b.build().unwrap()
}

#[test]
fn a_removal_breaks_backward_and_its_inverse_is_an_addition() {
    // A protocol no format's rules cover judges by the generic rules.
    let old = notes_schema(&[("a", false), ("b", false)]);
    let new = notes_schema(&[("a", false)]);
    let r = compatibility(&old, &new).unwrap();
    assert_eq!(r.rules, "generic");
    assert_eq!(r.backward(), Level::Breaking, "{:#?}", r.findings);
    assert_eq!(r.forward(), Level::Compatible, "{:#?}", r.findings);
    let back = compatibility(&new, &old).unwrap();
    assert_eq!(
        (back.backward(), back.forward()),
        (Level::Compatible, Level::Breaking)
    );
    assert!(r.violations(Mode::Forward).next().is_none());
    assert!(r.violations(Mode::BackwardTransitive).next().is_some());
}

#[test]
fn a_newly_required_field_breaks_backward_only() {
    let old = notes_schema(&[("a", false)]);
    let new = notes_schema(&[("a", true)]);
    let r = compatibility(&old, &new).unwrap();
    assert_eq!(
        (r.backward(), r.forward()),
        (Level::Breaking, Level::Compatible),
        "{:#?}",
        r.findings
    );
}

#[test]
fn schemas_of_two_protocols_are_not_compared() {
    let a = Schema::builder(builtin_protocol("sql").unwrap())
        .build()
        .unwrap();
    let b = Schema::builder(Arc::clone(&builtin_protocol("avro").unwrap()))
        .build()
        .unwrap();
    let err = compatibility(&a, &b).unwrap_err();
    assert!(err.to_string().contains("\"sql\""), "{err}");
}
