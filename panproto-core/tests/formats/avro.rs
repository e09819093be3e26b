//! Avro: the corpus round trip, fastavro as the oracle, the model, errors.

use std::path::Path;

use panproto_core::{Format, FormatError, FormatOptions, Schema, Source};

use crate::common::{Oracle, corpus_files, round_trip, run_python_oracle};

fn parse(name: &str, text: &str) -> Result<Schema, FormatError> {
    Format::Avro.parse(&Source::from_text(name, text), &FormatOptions::default())
}

fn constraint<'s>(s: &'s Schema, vertex: &str, sort: &str) -> Option<&'s str> {
    s.constraints().get(vertex)?.get(sort).map(String::as_str)
}

fn kind<'s>(s: &'s Schema, vertex: &str) -> &'s str {
    &s.vertices()
        .get(vertex)
        .unwrap_or_else(|| panic!("no vertex {vertex}"))
        .kind
}

fn has_edge(s: &Schema, src: &str, tgt: &str, kind: &str) -> bool {
    s.edges()
        .iter()
        .any(|e| e.src == src && e.tgt == tgt && e.kind == kind)
}

#[test]
fn every_corpus_file_round_trips() {
    for path in corpus_files("avro", ".avsc") {
        let source = Source::read(&path, |_| true).unwrap();
        let schema = round_trip(Format::Avro, &source);
        assert!(schema.vertices().len() > 1, "{}", path.display());
    }
}

#[test]
fn the_corpus_folder_is_one_schema() {
    // Every file of the folder in one schema: no two define one type.
    // (The files are independent here, so a clash would be refused: the
    // two versions of full_record share a name, and c_namespace_* reuse.)
    let files = corpus_files("avro", ".avsc");
    let source = Source::read(files[0].parent().unwrap(), |p| p.ends_with(".avsc")).unwrap();
    match Format::Avro.parse(&source, &FormatOptions::default()) {
        Err(FormatError::Invalid { message, .. }) => {
            assert!(message.contains("defined twice"), "{message}")
        }
        other => panic!("expected a clash between the two full_record versions: {other:?}"),
    }
}

/// Checks an emitted schema with fastavro's `parse_schema`, which applies
/// the specification's rules (names, unions, defaults' types, named types
/// defined once before use).
const FASTAVRO: &str = r#"
import json, sys
import fastavro
for path in sys.argv[1:]:
    with open(path) as f:
        fastavro.parse_schema(json.load(f))
"#;

#[test]
fn fastavro_accepts_every_emitted_file() {
    let dir = crate::common::scratch_dir("avro-oracle");
    let mut names = Vec::new();
    for path in corpus_files("avro", ".avsc") {
        let source = Source::read(&path, |_| true).unwrap();
        let schema = Format::Avro
            .parse(&source, &FormatOptions::default())
            .unwrap();
        let emitted = Format::Avro
            .emit(&schema, &FormatOptions::default())
            .unwrap();
        for (name, text) in emitted.files {
            std::fs::write(dir.join(&name), text).unwrap();
            names.push(name);
        }
    }
    let args: Vec<&str> = names.iter().map(String::as_str).collect();
    let verdict = run_python_oracle("fastavro", FASTAVRO, &args, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    match verdict {
        Oracle::Ran(result) => result.unwrap(),
        Oracle::Missing(why) => eprintln!("fastavro oracle not run: {why}"),
    }
}

#[test]
fn originals_fastavro_accepts() {
    // The oracle agrees with the originals too: no corpus file is one that
    // fastavro itself refuses, so none is listed as an exception.
    let dir = corpus_files("avro", ".avsc")[0]
        .parent()
        .unwrap()
        .to_path_buf();
    let names: Vec<String> = corpus_files("avro", ".avsc")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let args: Vec<&str> = names.iter().map(String::as_str).collect();
    match run_python_oracle("fastavro", FASTAVRO, &args, Path::new(&dir)) {
        Oracle::Ran(result) => result.unwrap(),
        Oracle::Missing(why) => eprintln!("fastavro oracle not run: {why}"),
    }
}

const USER: &str = r#"{
  "type": "record", "name": "User", "namespace": "com.acme",
  "doc": "A user", "aliases": ["Person"],
  "fields": [
    {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "email", "type": ["null", "string"], "default": null, "doc": "where to write"},
    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
    {"name": "attrs", "type": {"type": "map", "values": "long"}, "order": "ignore"},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["ACTIVE", "GONE"], "default": "ACTIVE"}},
    {"name": "hash", "type": {"type": "fixed", "name": "MD5", "namespace": "org.other", "size": 16}},
    {"name": "friend", "type": ["null", "User"], "java-class": "x.Y"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}
  ]
}"#;

#[test]
fn a_record_is_modelled_by_its_fields() {
    let s = parse("user.avsc", USER).unwrap();
    assert_eq!(kind(&s, "com.acme.User"), "record");
    assert_eq!(constraint(&s, "com.acme.User", "doc"), Some("A user"));
    assert_eq!(
        constraint(&s, "com.acme.User", "aliases"),
        Some(r#"["Person"]"#)
    );
    assert_eq!(
        constraint(&s, "com.acme.User", "field-order"),
        Some(r#"["id","email","tags","attrs","status","hash","friend","amount"]"#)
    );
    assert_eq!(kind(&s, "com.acme.User.id"), "string");
    assert_eq!(
        constraint(&s, "com.acme.User.id", "logicalType"),
        Some("uuid")
    );
    assert_eq!(kind(&s, "com.acme.User.email"), "union");
    assert_eq!(kind(&s, "com.acme.User.email|0"), "null");
    assert_eq!(kind(&s, "com.acme.User.email|1"), "string");
    assert_eq!(
        constraint(&s, "com.acme.User.email", "default"),
        Some("null")
    );
    assert_eq!(kind(&s, "com.acme.User.tags[]"), "string");
    assert_eq!(kind(&s, "com.acme.User.attrs{}"), "long");
    assert_eq!(
        constraint(&s, "com.acme.User.attrs", "order"),
        Some("ignore")
    );
    // Named types defined inline are vertices of their own, in the
    // enclosing namespace unless they say otherwise.
    assert_eq!(kind(&s, "com.acme.Status"), "enum");
    assert_eq!(
        constraint(&s, "com.acme.Status", "symbols"),
        Some(r#"["ACTIVE","GONE"]"#)
    );
    assert_eq!(
        constraint(&s, "com.acme.Status", "default"),
        Some(r#""ACTIVE""#)
    );
    assert!(has_edge(
        &s,
        "com.acme.User.status",
        "com.acme.Status",
        "ref"
    ));
    assert_eq!(constraint(&s, "org.other.MD5", "size"), Some("16"));
    // A recursive reference is an edge to the one vertex.
    assert!(has_edge(
        &s,
        "com.acme.User.friend|1",
        "com.acme.User",
        "ref"
    ));
    assert_eq!(
        constraint(&s, "com.acme.User.friend", "properties"),
        Some(r#"{"java-class":"x.Y"}"#)
    );
    assert_eq!(
        constraint(&s, "com.acme.User.amount", "precision"),
        Some("10")
    );
    // A file read on its own is `schema.avsc` in the schema, whatever its
    // name, so two versions in two files compare as one file changed.
    assert!(has_edge(&s, "schema.avsc", "com.acme.User", "root"));
    assert!(has_edge(&s, "schema.avsc", "org.other.MD5", "declares"));
    assert_eq!(parse("other-name.avsc", USER).unwrap(), s);
    let again = round_trip(Format::Avro, &Source::from_text("user.avsc", USER));
    assert_eq!(again, s);
}

#[test]
fn a_directory_is_one_schema_with_refs_across_files() {
    let source = Source::from_files(
        "dir",
        [
            (
                "address.avsc".to_owned(),
                r#"{"type": "record", "name": "Address", "namespace": "com.acme", "fields": [{"name": "city", "type": "string"}]}"#.to_owned(),
            ),
            (
                "user.avsc".to_owned(),
                r#"{"type": "record", "name": "com.acme.User", "fields": [{"name": "home", "type": "Address"}]}"#.to_owned(),
            ),
        ],
    );
    let s = round_trip(Format::Avro, &source);
    assert!(has_edge(
        &s,
        "com.acme.User.home",
        "com.acme.Address",
        "ref"
    ));
    let emitted = Format::Avro.emit(&s, &FormatOptions::default()).unwrap();
    assert_eq!(emitted.files.len(), 2);
    // Named in user.avsc, defined in address.avsc.
    assert!(
        emitted.files["user.avsc"].contains(r#""type": "Address""#),
        "{}",
        emitted.files["user.avsc"]
    );
}

#[test]
fn a_list_of_schemas_is_a_union_at_the_top() {
    let s = round_trip(
        Format::Avro,
        &Source::from_text(
            "u.avsc",
            r#"["null", {"type": "record", "name": "A", "fields": []}]"#,
        ),
    );
    assert_eq!(kind(&s, "schema.avsc#"), "union");
    assert!(has_edge(&s, "schema.avsc#|1", "A", "ref"));
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let err = parse("bad.avsc", "{\n  \"type\": \"record\",\n  \"name\": }").unwrap_err();
    match &err {
        FormatError::Syntax { at, .. } => {
            assert_eq!(
                (at.file.as_str(), at.line, at.column),
                ("bad.avsc", 3, 11),
                "{err}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_name_defined_nowhere_is_an_unresolved_ref() {
    let err = parse(
        "r.avsc",
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n {\"name\": \"x\", \"type\": \"Missing\"}]}",
    )
    .unwrap_err();
    match &err {
        FormatError::UnresolvedRef { at, reference } => {
            assert_eq!(reference, "Missing");
            assert_eq!((at.file.as_str(), at.line), ("r.avsc", 2), "{err}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_specification_rules_are_enforced() {
    let cases = [
        (
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}"#,
            "two fields named",
        ),
        (
            r#"{"type": "enum", "name": "E", "symbols": ["A", "A"]}"#,
            "twice",
        ),
        (
            r#"{"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}"#,
            "not one of its symbols",
        ),
        (r#"["string", "string"]"#, "holds string twice"),
        (r#"["null", ["int"]]"#, "may not immediately contain"),
        (
            r#"{"type": "record", "name": "9lives", "fields": []}"#,
            "not an Avro name",
        ),
        (r#"{"type": "fixed", "name": "F"}"#, "needs \"size\""),
        (
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "order": "up"}]}"#,
            "expected \"ascending\"",
        ),
        (
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "enum", "name": "E", "symbols": []}}, {"name": "b", "type": {"type": "enum", "name": "E", "symbols": []}}]}"#,
            "defined twice",
        ),
        ("42", "not an Avro schema"),
    ];
    for (text, expected) in cases {
        match parse("x.avsc", text) {
            Err(FormatError::Invalid { message, at }) => {
                assert!(message.contains(expected), "{text}: {message}");
                assert_eq!(at.file, "x.avsc");
            }
            other => panic!("{text}: expected an Invalid error with {expected:?}, got {other:?}"),
        }
    }
}

#[test]
fn truncated_input_is_an_error_never_a_panic() {
    for path in corpus_files("avro", ".avsc").iter().take(12) {
        let text = std::fs::read_to_string(path).unwrap();
        for cut in (0..text.len()).step_by(7) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            // Either an error or (for a prefix that is whole JSON) a schema.
            let _ = parse("t.avsc", &text[..cut]);
        }
    }
}

#[test]
fn emit_refuses_other_protocols_and_hand_built_schemas() {
    let sql = panproto_core::builtin_protocol("sql").unwrap();
    let other = Schema::builder(sql)
        .vertex("t", "table", None)
        .build()
        .unwrap();
    assert!(matches!(
        Format::Avro.emit(&other, &FormatOptions::default()),
        Err(FormatError::WrongProtocol { .. })
    ));
    let avro = panproto_core::builtin_protocol("avro").unwrap();
    let bare = Schema::builder(avro)
        .vertex("R", "record", None)
        .build()
        .unwrap();
    assert!(matches!(
        Format::Avro.emit(&bare, &FormatOptions::default()),
        Err(FormatError::Unemittable { .. })
    ));
}
