//! Protobuf: every corpus file (at its original path, with the files it
//! imports) and the corpus as one schema round-trip; `protoc` accepts what
//! is emitted; small files for what the corpus lacks; located errors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use panproto_core::{Format, FormatError, FormatOptions, Schema, Source};

use crate::common::{self, Oracle};

/// Files of the corpus written in editions syntax (`edition = "2023"`):
/// protox 0.10 parses proto2 and proto3 only, so they are refused with
/// `Unsupported`.
const EDITIONS: &[&str] = &[
    "google/protobuf/sample_messages_edition.proto",
    "google/protobuf/unittest.proto",
    "google/protobuf/unittest_features.proto",
    "google/protobuf/unittest_lite.proto",
    "google/protobuf/unittest_no_field_presence.proto",
];

/// Files that cannot be read here, and why. Files that import
/// `descriptor.proto` are read with the compiler's own copy of it (an
/// external file, as for any well-known file the source lacks).
const UNREADABLE: &[(&str, &str)] = &[
    (
        "google/protobuf/descriptor.proto",
        "options on extension ranges (`extensions 536000000 [declaration = {...}]`), \
         which the protox 0.10 parser does not take: a Syntax error at 37:24",
    ),
    (
        "google/protobuf/map_unittest.proto",
        "imports google/protobuf/unittest.proto, an editions file",
    ),
    (
        "google/protobuf/unittest_mset.proto",
        "imports google/protobuf/unittest_mset_wire_format.proto, which the corpus lacks",
    ),
    (
        "google/protobuf/unittest_custom_options.proto",
        "`option (float_opt) = -inf;`: protox refuses a `-` before an identifier, as \
         protoc 3.21 does (a Syntax error at 263:24)",
    ),
];

/// Files that `protoc` 3.21 (Debian's) itself rejects in their original
/// form, and why; the oracle is not asked about their emitted form.
const PROTOC_REJECTS_ORIGINAL: &[(&str, &str)] = &[
    (
        "google/protobuf/sample_messages_edition.proto",
        "editions syntax, which protoc 3.21 predates",
    ),
    (
        "google/protobuf/unittest.proto",
        "editions syntax, which protoc 3.21 predates",
    ),
    (
        "google/protobuf/unittest_features.proto",
        "editions syntax, which protoc 3.21 predates",
    ),
    (
        "google/protobuf/unittest_lite.proto",
        "editions syntax, which protoc 3.21 predates",
    ),
    (
        "google/protobuf/unittest_no_field_presence.proto",
        "editions syntax, which protoc 3.21 predates",
    ),
    (
        "google/protobuf/map_unittest.proto",
        "imports google/protobuf/unittest.proto, an editions file",
    ),
    (
        "google/protobuf/unittest_mset.proto",
        "imports google/protobuf/unittest_mset_wire_format.proto, which the corpus lacks",
    ),
    (
        "google/protobuf/unittest_custom_options.proto",
        "`option (float_opt) = -inf;`: protoc 3.21 refuses `-` before an identifier",
    ),
];

/// Each corpus file's flattened name and original path (relative to its
/// include root: `src/` for the protobuf sources), from the corpus README.
fn layout() -> Vec<(PathBuf, String)> {
    let readme = std::fs::read_to_string(common::corpus("protobuf").join("../README.md")).unwrap();
    let section = readme
        .split("## protobuf/")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let mut map = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line
            .split('|')
            .map(|c| c.trim().trim_matches('`'))
            .collect();
        if cells.len() > 3 && cells[1].ends_with(".proto") && cells[2].ends_with(".proto") {
            let original = cells[2].strip_prefix("src/").unwrap_or(cells[2]);
            map.insert(cells[1].to_owned(), original.to_owned());
        }
    }
    let files = common::corpus_files("protobuf", ".proto");
    files
        .into_iter()
        .map(|path| {
            let flat = path.file_name().unwrap().to_string_lossy().into_owned();
            let original = map
                .get(&flat)
                .unwrap_or_else(|| panic!("the corpus README does not list {flat}"))
                .clone();
            (path, original)
        })
        .collect()
}

/// Every corpus file at its original path: path → text.
fn corpus_texts() -> BTreeMap<String, String> {
    layout()
        .into_iter()
        .map(|(path, original)| (original, std::fs::read_to_string(path).unwrap()))
        .collect()
}

/// The imports a file's text names.
fn imports(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("import "))
        .filter_map(|l| l.split('"').nth(1).map(str::to_owned))
        .collect()
}

/// `file` and every corpus file it imports, transitively.
fn with_imports(file: &str, texts: &BTreeMap<String, String>) -> Source {
    let mut todo = vec![file.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(f) = todo.pop() {
        if let Some(text) = texts.get(&f) {
            if (f == file || !is_refused(&f)) && seen.insert(f.clone()) {
                todo.extend(imports(text));
            }
        }
    }
    Source::from_files(
        file,
        seen.into_iter().map(|f| {
            let text = texts[&f].clone();
            (f, text)
        }),
    )
}

fn is_refused(path: &str) -> bool {
    EDITIONS.contains(&path) || UNREADABLE.iter().any(|(p, _)| *p == path)
}

/// The corpus files that are read, as one source.
pub(crate) fn readable_corpus() -> Source {
    let texts = corpus_texts();
    Source::from_files(
        "corpus/protobuf",
        texts.into_iter().filter(|(p, _)| !is_refused(p)),
    )
}

fn write_files(dir: &Path, files: &BTreeMap<String, String>) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn parse(text: &str) -> Result<Schema, FormatError> {
    Format::Protobuf.parse(
        &Source::from_text("t.proto", text),
        &FormatOptions::default(),
    )
}

fn parse_ok(text: &str) -> Schema {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn sort<'a>(s: &'a Schema, vertex: &str, sort: &str) -> Option<&'a str> {
    s.constraints()
        .get(vertex)
        .and_then(|c| c.get(sort))
        .map(String::as_str)
}

fn kind<'a>(s: &'a Schema, vertex: &str) -> &'a str {
    &s.vertices()
        .get(vertex)
        .unwrap_or_else(|| panic!("no vertex {vertex:?}"))
        .kind
}

fn has_edge(s: &Schema, src: &str, tgt: &str, kind: &str, name: Option<&str>) -> bool {
    s.edges()
        .iter()
        .any(|e| e.src == src && e.tgt == tgt && e.kind == kind && e.name.as_deref() == name)
}

/// Round trip of the text, returning the schema.
fn round_trip_text(text: &str) -> Schema {
    common::round_trip(Format::Protobuf, &Source::from_text("t.proto", text))
}

#[test]
fn every_corpus_file_round_trips_with_its_imports() {
    let texts = corpus_texts();
    assert_eq!(texts.len(), 30);
    let mut read = 0;
    for path in texts.keys() {
        let source = with_imports(path, &texts);
        if is_refused(path) {
            let err = Format::Protobuf
                .parse(&source, &FormatOptions::default())
                .unwrap_err();
            let expected = if EDITIONS.contains(&path.as_str()) {
                matches!(err, FormatError::Unsupported { .. })
            } else {
                matches!(
                    err,
                    FormatError::Syntax { .. } | FormatError::UnresolvedRef { .. }
                )
            };
            assert!(expected, "{path}: {err}");
            assert!(err.location().is_some(), "{err}");
            continue;
        }
        let schema = common::round_trip(Format::Protobuf, &source);
        assert_eq!(kind(&schema, path), "file", "{path}");
        read += 1;
    }
    assert_eq!(read, 30 - EDITIONS.len() - UNREADABLE.len());
}

#[test]
fn the_corpus_round_trips_as_one_schema() {
    let source = readable_corpus();
    let start = std::time::Instant::now();
    let schema = Format::Protobuf
        .parse(&source, &FormatOptions::default())
        .unwrap();
    let parsed = start.elapsed();
    let start = std::time::Instant::now();
    let emitted = Format::Protobuf
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    let emit_time = start.elapsed();
    println!(
        "protobuf corpus ({} files, {} bytes): parse+build {parsed:?}, emit {emit_time:?}, {} vertices",
        source.files().len(),
        source.files().iter().map(|f| f.text.len()).sum::<usize>(),
        schema.vertices().len()
    );
    assert_eq!(emitted.files.len(), source.files().len());
    common::round_trip(Format::Protobuf, &source);
}

#[test]
fn editions_files_are_refused_with_their_location() {
    let texts = corpus_texts();
    for path in EDITIONS {
        let source = Source::from_files(*path, [(path.to_string(), texts[*path].clone())]);
        match Format::Protobuf.parse(&source, &FormatOptions::default()) {
            Err(FormatError::Unsupported { at, construct, .. }) => {
                assert_eq!(at.file, *path);
                assert!(construct.contains("edition"), "{construct}");
                let line = texts[*path].lines().nth(at.line as usize - 1).unwrap();
                assert!(line.starts_with("edition"), "{path}: {line}");
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    // The whole corpus, editions files included, is refused too.
    let all = Source::from_files("corpus", texts);
    assert!(matches!(
        Format::Protobuf.parse(&all, &FormatOptions::default()),
        Err(FormatError::Unsupported { .. })
    ));
}

#[test]
fn a_missing_import_is_an_unresolved_ref() {
    let texts = corpus_texts();
    let path = "google/protobuf/unittest_mset.proto";
    let source = with_imports(path, &texts);
    match Format::Protobuf.parse(&source, &FormatOptions::default()) {
        Err(FormatError::UnresolvedRef { at, reference }) => {
            assert_eq!(reference, "google/protobuf/unittest_mset_wire_format.proto");
            assert_eq!(at.file, path);
            assert_eq!(at.line, 17);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn protoc_accepts_the_emitted_corpus() {
    let texts = corpus_texts();
    // What protoc rejects in original form is listed: check it still does.
    let original = common::scratch_dir("protobuf-original");
    write_files(&original, &texts);
    for (path, why) in PROTOC_REJECTS_ORIGINAL {
        match common::run_oracle(
            "protoc",
            &["--descriptor_set_out=/dev/null", "-I", ".", path],
            &original,
        ) {
            Oracle::Missing(why) => {
                println!("{why}");
                std::fs::remove_dir_all(&original).unwrap();
                return;
            }
            Oracle::Ran(verdict) => {
                assert!(verdict.is_err(), "protoc now accepts {path} ({why})");
            }
        }
    }
    std::fs::remove_dir_all(&original).unwrap();
    let source = readable_corpus();
    let schema = Format::Protobuf
        .parse(&source, &FormatOptions::default())
        .unwrap();
    let emitted = Format::Protobuf
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    let dir = common::scratch_dir("protobuf-emitted");
    write_files(&dir, &emitted.files);
    let mut failures = Vec::new();
    for name in emitted.files.keys() {
        if PROTOC_REJECTS_ORIGINAL.iter().any(|(p, _)| p == name) {
            continue;
        }
        if let Oracle::Ran(Err(out)) = common::run_oracle(
            "protoc",
            &["--descriptor_set_out=/dev/null", "-I", ".", name],
            &dir,
        ) {
            failures.push(format!("{name}: {out}"));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn proto3_messages_fields_oneofs_maps_and_nesting() {
    let s = round_trip_text(
        r#"
syntax = "proto3";
package shop.v1;
option go_package = "example.com/shop";
option java_multiple_files = true;

message Order {
  message Line {
    string sku = 1;
    int32 quantity = 2 [json_name = "qty"];
  }
  enum Status {
    STATUS_UNSPECIFIED = 0;
    STATUS_OPEN = 1;
  }
  string id = 1;
  repeated Line lines = 2;
  optional string note = 3;
  map<string, Line> by_sku = 4;
  Status status = 5 [deprecated = true];
  oneof payment {
    string card = 6;
    bytes token = 7;
  }
  repeated int32 codes = 8 [packed = false];
  reserved 9, 12 to 15, 100 to max;
  reserved "old", "older";
}
"#,
    );
    // A file read on its own is `schema.proto` in the schema, whatever
    // its name (errors still name the file).
    assert_eq!(kind(&s, "schema.proto"), "file");
    assert_eq!(sort(&s, "schema.proto", "syntax"), Some("proto3"));
    assert_eq!(sort(&s, "schema.proto", "package"), Some("shop.v1"));
    assert_eq!(
        sort(&s, "schema.proto", "options"),
        Some(r#"["java_multiple_files = true","go_package = \"example.com/shop\""]"#)
    );
    assert!(has_edge(
        &s,
        "schema.proto",
        "shop.v1.Order",
        "declares",
        Some("Order")
    ));
    assert_eq!(kind(&s, "shop.v1.Order"), "message");
    assert!(has_edge(
        &s,
        "shop.v1.Order",
        "shop.v1.Order.Line",
        "nested",
        Some("Line")
    ));
    assert!(has_edge(
        &s,
        "shop.v1.Order",
        "shop.v1.Order.Status",
        "nested",
        Some("Status")
    ));
    // Scalars are the field vertex's kind; a named type is a ref to its vertex.
    assert_eq!(kind(&s, "shop.v1.Order.id"), "string");
    assert_eq!(sort(&s, "shop.v1.Order.id", "field-number"), Some("1"));
    assert_eq!(sort(&s, "shop.v1.Order.id", "label"), None);
    assert_eq!(kind(&s, "shop.v1.Order.lines"), "ref");
    assert!(has_edge(
        &s,
        "shop.v1.Order.lines",
        "shop.v1.Order.Line",
        "ref",
        None
    ));
    assert_eq!(sort(&s, "shop.v1.Order.lines", "label"), Some("repeated"));
    assert_eq!(sort(&s, "shop.v1.Order.note", "label"), Some("optional"));
    assert_eq!(
        sort(&s, "shop.v1.Order.Line.quantity", "json-name"),
        Some("qty")
    );
    assert_eq!(sort(&s, "shop.v1.Order.status", "deprecated"), Some("true"));
    assert_eq!(sort(&s, "shop.v1.Order.codes", "packed"), Some("false"));
    // A map: key and value vertices under the field.
    assert_eq!(kind(&s, "shop.v1.Order.by_sku"), "map");
    assert_eq!(kind(&s, "shop.v1.Order.by_sku.key"), "string");
    assert!(has_edge(
        &s,
        "shop.v1.Order.by_sku",
        "shop.v1.Order.by_sku.key",
        "map-key",
        None
    ));
    assert!(has_edge(
        &s,
        "shop.v1.Order.by_sku.value",
        "shop.v1.Order.Line",
        "ref",
        None
    ));
    // The synthetic oneof of `optional` is no vertex; a real oneof is.
    assert!(!s.vertices().contains_key("shop.v1.Order._note"));
    assert_eq!(kind(&s, "shop.v1.Order.payment"), "oneof");
    assert!(has_edge(
        &s,
        "shop.v1.Order",
        "shop.v1.Order.payment",
        "oneof",
        Some("payment")
    ));
    assert!(has_edge(
        &s,
        "shop.v1.Order.payment",
        "shop.v1.Order.card",
        "field",
        Some("card")
    ));
    assert!(!has_edge(
        &s,
        "shop.v1.Order",
        "shop.v1.Order.card",
        "field",
        Some("card")
    ));
    assert_eq!(
        sort(&s, "shop.v1.Order", "order"),
        Some(r#"["id","lines","note","by_sku","status","card","token","codes"]"#)
    );
    assert_eq!(
        sort(&s, "shop.v1.Order", "reserved"),
        Some(r#"["9","12 to 15","100 to max","\"old\"","\"older\""]"#)
    );
    assert_eq!(
        sort(&s, "shop.v1.Order.Status.STATUS_OPEN", "number"),
        Some("1")
    );
    assert!(has_edge(
        &s,
        "shop.v1.Order.Status",
        "shop.v1.Order.Status.STATUS_OPEN",
        "value",
        Some("STATUS_OPEN")
    ));
}

#[test]
fn proto2_labels_defaults_groups_extensions_and_ranges() {
    let s = round_trip_text(
        r#"
syntax = "proto2";
package legacy;

message Item {
  required int64 id = 1;
  optional string name = 2 [default = "a \"quoted\"\n name"];
  optional double ratio = 3 [default = 7e22];
  optional bytes blob = 4 [default = "\001\377"];
  optional Kind kind = 5 [default = BIG];
  repeated group Part = 6 {
    optional int32 size = 1;
  }
  extensions 100 to 199;
  extensions 1000 to max;
}

enum Kind {
  option allow_alias = true;
  SMALL = 1;
  BIG = 2;
  LARGE = 2;
  reserved 10 to 20;
}

extend Item {
  optional string note = 100;
}

message Scope {
  extend Item {
    repeated int32 tags = 101;
  }
}
"#,
    );
    assert_eq!(sort(&s, "legacy.Item.id", "label"), Some("required"));
    assert_eq!(
        s.required()
            .get("legacy.Item")
            .map(|r| r.iter().cloned().collect::<Vec<_>>()),
        Some(vec!["id".to_owned()])
    );
    assert_eq!(
        sort(&s, "legacy.Item.name", "default"),
        Some("a \"quoted\"\n name")
    );
    assert_eq!(sort(&s, "legacy.Item.kind", "default"), Some("BIG"));
    assert!(sort(&s, "legacy.Item.blob", "default").is_some());
    // A group: a ref field marked `group`, its body a nested message.
    assert_eq!(kind(&s, "legacy.Item.part"), "ref");
    assert_eq!(sort(&s, "legacy.Item.part", "group"), Some("true"));
    assert!(has_edge(
        &s,
        "legacy.Item.part",
        "legacy.Item.Part",
        "ref",
        None
    ));
    assert_eq!(kind(&s, "legacy.Item.Part.size"), "int32");
    assert_eq!(
        sort(&s, "legacy.Item", "extension-ranges"),
        Some(r#"["100 to 199","1000 to max"]"#)
    );
    // Extensions: a field vertex under their scope, an edge to what they extend.
    assert_eq!(kind(&s, "legacy.note"), "string");
    assert!(has_edge(
        &s,
        "schema.proto",
        "legacy.note",
        "extension",
        Some("note")
    ));
    assert!(has_edge(&s, "legacy.note", "legacy.Item", "extendee", None));
    assert_eq!(sort(&s, "legacy.note", "field-number"), Some("100"));
    assert!(has_edge(
        &s,
        "legacy.Scope",
        "legacy.Scope.tags",
        "extension",
        Some("tags")
    ));
    assert_eq!(sort(&s, "legacy.Scope.tags", "label"), Some("repeated"));
    assert_eq!(
        sort(&s, "legacy.Kind", "options"),
        Some(r#"["allow_alias = true"]"#)
    );
    assert_eq!(
        sort(&s, "legacy.Kind", "order"),
        Some(r#"["SMALL","BIG","LARGE"]"#)
    );
    assert_eq!(sort(&s, "legacy.Kind", "reserved"), Some(r#"["10 to 20"]"#));
    assert_eq!(sort(&s, "legacy.Kind.LARGE", "number"), Some("2"));
}

#[test]
fn services_rpcs_streaming_custom_options_and_external_types() {
    let s = round_trip_text(
        r#"
syntax = "proto3";
package svc;
import "google/protobuf/descriptor.proto";
import "google/protobuf/empty.proto";

message Rule { string name = 1; int32 weight = 2; }
extend google.protobuf.MethodOptions {
  Rule rule = 50001;
  repeated string tag = 50002;
}
extend google.protobuf.FieldOptions {
  bool secret = 50003;
}

message Req { string q = 1 [(secret) = true]; }

service Search {
  option deprecated = true;
  rpc Find(Req) returns (google.protobuf.Empty);
  rpc Watch(stream Req) returns (stream Req) {
    option idempotency_level = NO_SIDE_EFFECTS;
    option (rule) = { name: "w" weight: 3 };
    option (tag) = "a";
    option (tag) = "b";
  }
}
"#,
    );
    assert_eq!(kind(&s, "svc.Search"), "service");
    assert_eq!(sort(&s, "svc.Search", "deprecated"), Some("true"));
    assert!(has_edge(
        &s,
        "svc.Search",
        "svc.Search.Find",
        "rpc",
        Some("Find")
    ));
    assert_eq!(kind(&s, "svc.Search.Find"), "rpc");
    assert!(has_edge(&s, "svc.Search.Find", "svc.Req", "input", None));
    assert!(has_edge(
        &s,
        "svc.Search.Find",
        "google.protobuf.Empty",
        "output",
        None
    ));
    // A well-known type the source does not hold is an external vertex.
    assert_eq!(
        sort(&s, "google.protobuf.Empty", "external"),
        Some("google/protobuf/empty.proto")
    );
    assert_eq!(sort(&s, "svc.Search.Find", "client-streaming"), None);
    assert_eq!(
        sort(&s, "svc.Search.Watch", "client-streaming"),
        Some("true")
    );
    assert_eq!(
        sort(&s, "svc.Search.Watch", "server-streaming"),
        Some("true")
    );
    assert_eq!(
        sort(&s, "svc.Search.Watch", "options"),
        Some(
            r#"["idempotency_level = NO_SIDE_EFFECTS","(.svc.rule) = { name: \"w\" weight: 3 }","(.svc.tag) = \"a\"","(.svc.tag) = \"b\""]"#
        )
    );
    assert_eq!(
        sort(&s, "svc.Req.q", "options"),
        Some(r#"["(.svc.secret) = true"]"#)
    );
    assert!(has_edge(
        &s,
        "svc.rule",
        "google.protobuf.MethodOptions",
        "extendee",
        None
    ));
    assert_eq!(
        sort(&s, "schema.proto", "imports"),
        Some(r#"["\"google/protobuf/descriptor.proto\"","\"google/protobuf/empty.proto\""]"#)
    );
    // The emitted text names no external type's declaration.
    let emitted = Format::Protobuf
        .emit(&s, &FormatOptions::default())
        .unwrap();
    let text = emitted.single_text().unwrap();
    assert!(!text.contains("message Empty"), "{text}");
    assert!(
        text.contains("rpc Watch(stream .svc.Req) returns (stream .svc.Req) {"),
        "{text}"
    );
}

#[test]
fn a_directory_is_one_schema_with_public_imports() {
    let source = Source::from_files(
        "dir",
        [
            (
                "a/base.proto".to_owned(),
                "syntax = \"proto3\";\npackage a;\nmessage Base { string id = 1; }\n".to_owned(),
            ),
            (
                "a/reexport.proto".to_owned(),
                "syntax = \"proto3\";\npackage a;\nimport public \"a/base.proto\";\n".to_owned(),
            ),
            (
                "b/use.proto".to_owned(),
                "syntax = \"proto3\";\npackage b;\nimport \"a/reexport.proto\";\nmessage Use { a.Base base = 1; }\n"
                    .to_owned(),
            ),
        ],
    );
    let s = common::round_trip(Format::Protobuf, &source);
    assert_eq!(
        sort(&s, "a/reexport.proto", "imports"),
        Some(r#"["public \"a/base.proto\""]"#)
    );
    assert!(has_edge(
        &s,
        "a/base.proto",
        "a.Base",
        "declares",
        Some("Base")
    ));
    assert!(has_edge(&s, "b.Use.base", "a.Base", "ref", None));
    // One vertex for the shared type, declared by its own file only.
    assert!(
        s.constraints()
            .get("a.Base")
            .is_none_or(|c| !c.contains_key("external"))
    );
    let emitted = Format::Protobuf
        .emit(&s, &FormatOptions::default())
        .unwrap();
    assert_eq!(
        emitted.files.keys().cloned().collect::<Vec<_>>(),
        ["a/base.proto", "a/reexport.proto", "b/use.proto"]
    );
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let err = parse("syntax = \"proto3\";\nmessage A {\n  string x = 1\n}\n").unwrap_err();
    match err {
        FormatError::Syntax { at, message } => {
            assert_eq!(
                (at.file.as_str(), at.line, at.column),
                ("t.proto", 4, 1),
                "{message}"
            );
            assert!(message.contains("expected"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_undefined_type_is_an_unresolved_ref() {
    let err = parse("syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n").unwrap_err();
    match err {
        FormatError::UnresolvedRef { at, reference } => {
            assert_eq!(reference, "Missing");
            assert_eq!((at.file.as_str(), at.line, at.column), ("t.proto", 3, 3));
        }
        other => panic!("{other:?}"),
    }
    let err = parse("syntax = \"proto3\";\nimport \"nowhere/x.proto\";\n").unwrap_err();
    match err {
        FormatError::UnresolvedRef { at, reference } => {
            assert_eq!(reference, "nowhere/x.proto");
            assert_eq!((at.file.as_str(), at.line), ("t.proto", 2));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn broken_rules_are_invalid_with_their_location() {
    let err = parse("syntax = \"proto3\";\nmessage A {\n  string x = 1;\n  string y = 1;\n}\n")
        .unwrap_err();
    match err {
        FormatError::Invalid { at, message } => {
            assert_eq!((at.file.as_str(), at.line), ("t.proto", 4), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_edition_is_refused_where_it_is() {
    let err = parse("// header\n\nedition = \"2023\";\nmessage A {}\n").unwrap_err();
    match err {
        FormatError::Unsupported { at, .. } => assert_eq!((at.line, at.column), (3, 1)),
        other => panic!("{other:?}"),
    }
    // An enum value named `edition` is no edition statement.
    let s = parse_ok("syntax = \"proto2\";\nenum E {\n  edition = 1;\n}\n");
    assert_eq!(sort(&s, "E.edition", "number"), Some("1"));
}

#[test]
fn truncated_and_garbage_input_gives_errors_not_panics() {
    let text = std::fs::read_to_string(
        common::corpus("protobuf").join("google_protobuf_test_messages_proto3.proto"),
    )
    .unwrap();
    let mut cut = 0;
    let mut failures = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            // Cut there, and with a stray token spliced in there.
            let junk = [
                "{", "}", ";", "=", "\"", "[", "<", "(", "-", "to", "inf", "map<",
            ][cut % 12];
            let spliced = format!("{}{junk}{}", &text[..cut], &text[cut..]);
            for input in [&text[..cut], spliced.as_str()] {
                match parse(input) {
                    // Input errors, located; never a schema the parser built wrong.
                    Err(e) => {
                        failures += 1;
                        assert!(e.location().is_some(), "{e}");
                    }
                    // What still parses round-trips.
                    Ok(_) => {
                        round_trip_text(input);
                    }
                }
            }
        }
        cut += 97;
    }
    assert!(failures > 0);
    for garbage in [
        "{{{{",
        "message",
        "message A { oneof }",
        "\u{0}\u{ffff}",
        "syntax = 3;",
        "enum E {}",
    ] {
        assert!(parse(garbage).is_err(), "{garbage:?}");
    }
}

#[test]
fn emit_refuses_other_protocols_and_what_proto_cannot_write() {
    let protocol = panproto_core::builtin_protocol("sql").unwrap();
    let other = Schema::builder(protocol).build().unwrap();
    assert!(matches!(
        Format::Protobuf.emit(&other, &FormatOptions::default()),
        Err(FormatError::WrongProtocol { .. })
    ));
    let protobuf = panproto_core::builtin_protocol("protobuf").unwrap();
    // A message no file declares.
    let orphan = Schema::builder(protobuf.clone())
        .vertex("pkg.Lonely", "message", None)
        .build()
        .unwrap();
    match Format::Protobuf.emit(&orphan, &FormatOptions::default()) {
        Err(FormatError::Unemittable { element, .. }) => assert!(element.contains("pkg.Lonely")),
        other => panic!("{other:?}"),
    }
    // A message whose id is not the name its file gives it.
    let misplaced = Schema::builder(protobuf.clone())
        .vertex("f.proto", "file", None)
        .vertex("M", "message", None)
        .edge("f.proto", "M", "declares", Some("M".to_owned()))
        .constraint("f.proto", "package", "pkg")
        .build()
        .unwrap();
    match Format::Protobuf.emit(&misplaced, &FormatOptions::default()) {
        Err(FormatError::Unemittable {
            element, reason, ..
        }) => {
            assert!(element.contains("\"M\""), "{element}");
            assert!(reason.contains("pkg.M"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // A field with no number.
    let numberless = Schema::builder(protobuf)
        .vertex("f.proto", "file", None)
        .vertex("M", "message", None)
        .vertex("M.x", "string", None)
        .edge("f.proto", "M", "declares", Some("M".to_owned()))
        .edge("M", "M.x", "field", Some("x".to_owned()))
        .build()
        .unwrap();
    match Format::Protobuf.emit(&numberless, &FormatOptions::default()) {
        Err(FormatError::Unemittable {
            element, reason, ..
        }) => {
            assert!(element.contains("M.x"), "{element}");
            assert!(reason.contains("field-number"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn detection_takes_proto_files() {
    let source = Source::from_text("x.proto", "syntax = \"proto3\";\nmessage A {}\n");
    assert_eq!(
        panproto_core::formats::detect(&source).unwrap(),
        Format::Protobuf
    );
    assert!(Format::Protobuf.sniff("syntax = \"proto3\";"));
    assert!(!Format::Protobuf.sniff("{\"type\": \"record\"}"));
}

#[test]
fn leading_comments_are_kept() {
    let s = round_trip_text(
        "syntax = \"proto3\";\n\n// A user.\n// Two lines.\nmessage User {\n  /* The id. */\n  string id = 1;\n  // Where.\n  oneof place {\n    // Home.\n    string home = 2;\n  }\n}\n\n// Colours.\nenum Colour {\n  // None.\n  COLOUR_UNSPECIFIED = 0;\n}\n\n// Users.\nservice Users {\n  // Get one.\n  rpc Get(User) returns (User);\n}\n",
    );
    assert_eq!(sort(&s, "User", "comment"), Some(" A user.\n Two lines."));
    assert_eq!(sort(&s, "User.id", "comment"), Some(" The id. "));
    assert_eq!(sort(&s, "User.place", "comment"), Some(" Where."));
    assert_eq!(sort(&s, "User.home", "comment"), Some(" Home."));
    assert_eq!(sort(&s, "Colour", "comment"), Some(" Colours."));
    assert_eq!(
        sort(&s, "Colour.COLOUR_UNSPECIFIED", "comment"),
        Some(" None.")
    );
    assert_eq!(sort(&s, "Users", "comment"), Some(" Users."));
    assert_eq!(sort(&s, "Users.Get", "comment"), Some(" Get one."));
}

/// A generated file of about `bytes` bytes: messages with scalar, ref,
/// repeated, map and oneof fields, enums, and a service.
fn big_proto(bytes: usize) -> String {
    let mut text = String::from("syntax = \"proto3\";\npackage big.v1;\n\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "// Message {i}.\nmessage M{i} {{\n  string name = 1;\n  int64 count = 2;\n  repeated M{i} children = 3;\n  map<string, E{i}> tags = 4;\n  optional double score = 5 [deprecated = true];\n  oneof choice {{\n    string a = 6;\n    bytes b = 7;\n  }}\n  reserved 8 to 10;\n}}\n\nenum E{i} {{\n  E{i}_UNSPECIFIED = 0;\n  E{i}_ONE = 1;\n}}\n\nservice S{i} {{\n  rpc Get(M{i}) returns (stream M{i});\n}}\n\n"
        ));
        i += 1;
    }
    text
}

#[test]
fn a_large_file_round_trips() {
    let text = big_proto(300_000);
    let source = Source::from_text("big.proto", text.as_str());
    let start = std::time::Instant::now();
    let schema = Format::Protobuf
        .parse(&source, &FormatOptions::default())
        .unwrap();
    let parsed = start.elapsed();
    let start = std::time::Instant::now();
    let emitted = Format::Protobuf
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    println!(
        "protobuf {} bytes: parse+build {parsed:?}, emit {:?}, {} vertices",
        text.len(),
        start.elapsed(),
        schema.vertices().len()
    );
    let again = Format::Protobuf
        .parse(
            &Source::from_files("big", emitted.files),
            &FormatOptions::default(),
        )
        .unwrap();
    assert!(again == schema);
    assert_eq!(kind(&schema, "big.v1.M0.children"), "ref");
}

#[test]
fn options_on_every_element_round_trip() {
    let s = round_trip_text(
        r#"
syntax = "proto2";
package opts;
import "google/protobuf/descriptor.proto";
option deprecated = true;
option optimize_for = LITE_RUNTIME;

extend google.protobuf.OneofOptions { optional int32 oneof_opt = 50000; }
extend google.protobuf.EnumValueOptions { optional string label = 50001; }
extend google.protobuf.MessageOptions {
  optional double low = 50002;
  optional float high = 50003;
}

message Set {
  option message_set_wire_format = true;
  extensions 4 to max [verification = UNVERIFIED];
}

message Holder {
  option (low) = -1e999;
  option (high) = 1e999;
  // The choice.
  oneof choice {
    option (oneof_opt) = -7;
    string a = 1 [ctype = CORD];
    int32 b = 2 [jstype = JS_STRING];
  }
  // A group.
  optional group Result = 3 {
    optional string url = 4;
  }
  repeated float weights = 5 [packed = true];
  optional float cap = 6 [default = -inf];
}

enum Level {
  LOW = 1 [(label) = "low", deprecated = true];
  HIGH = 2;
}
"#,
    );
    assert_eq!(sort(&s, "schema.proto", "deprecated"), Some("true"));
    assert_eq!(
        sort(&s, "schema.proto", "options"),
        Some(r#"["optimize_for = LITE_RUNTIME"]"#)
    );
    assert_eq!(
        sort(&s, "opts.Set", "options"),
        Some(r#"["message_set_wire_format = true"]"#)
    );
    assert_eq!(
        sort(&s, "opts.Set", "extension-ranges"),
        Some(r#"["4 to max [verification = UNVERIFIED]"]"#)
    );
    assert_eq!(
        sort(&s, "opts.Holder.choice", "options"),
        Some(r#"["(.opts.oneof_opt) = -7"]"#)
    );
    assert_eq!(
        sort(&s, "opts.Holder.choice", "comment"),
        Some(" The choice.")
    );
    // Infinity as an option value is written `1e999`: protox refuses
    // `inf` there.
    assert_eq!(
        sort(&s, "opts.Holder", "options"),
        Some(r#"["(.opts.high) = 1e999","(.opts.low) = -1e999"]"#)
    );
    assert_eq!(
        sort(&s, "opts.Holder.a", "options"),
        Some(r#"["ctype = CORD"]"#)
    );
    assert_eq!(
        sort(&s, "opts.Holder.b", "options"),
        Some(r#"["jstype = JS_STRING"]"#)
    );
    assert_eq!(sort(&s, "opts.Holder.result", "comment"), Some(" A group."));
    assert_eq!(sort(&s, "opts.Holder.Result", "comment"), None);
    assert_eq!(sort(&s, "opts.Holder.weights", "packed"), Some("true"));
    assert_eq!(sort(&s, "opts.Holder.cap", "default"), Some("-inf"));
    assert_eq!(sort(&s, "opts.Level.LOW", "deprecated"), Some("true"));
    assert_eq!(
        sort(&s, "opts.Level.LOW", "options"),
        Some(r#"["(.opts.label) = \"low\""]"#)
    );
}

#[test]
fn sniffing_tells_proto_text_from_others() {
    for proto in [
        "syntax = \"proto2\";",
        "// c\npackage a.b;\n",
        "import \"x.proto\";",
        "message A {\n}\n",
        "service S { rpc M(A) returns (A); }",
    ] {
        assert!(Format::Protobuf.sniff(proto), "{proto:?}");
    }
    for other in [
        "{\"type\": \"record\", \"name\": \"A\"}",
        "enum Colour { RED GREEN }",
        "type Query { message: String }",
        "CREATE TABLE message (id int);",
    ] {
        assert!(!Format::Protobuf.sniff(other), "{other:?}");
    }
}

#[test]
fn errors_in_a_directory_name_the_file_at_fault() {
    let good = (
        "a/ok.proto".to_owned(),
        "syntax = \"proto3\";\npackage a;\nmessage Ok { string id = 1; }\n".to_owned(),
    );
    let broken = Source::from_files(
        "dir",
        [
            good.clone(),
            (
                "b/bad.proto".to_owned(),
                "syntax = \"proto3\";\nimport \"a/ok.proto\";\nmessage Bad {\n  a.Ok ok = 1\n}\n"
                    .to_owned(),
            ),
        ],
    );
    match Format::Protobuf.parse(&broken, &FormatOptions::default()) {
        Err(FormatError::Syntax { at, .. }) => {
            assert_eq!(
                (at.file.as_str(), at.line, at.column),
                ("b/bad.proto", 5, 1)
            );
        }
        other => panic!("{other:?}"),
    }
    let unresolved = Source::from_files(
        "dir",
        [
            good,
            (
                "b/bad.proto".to_owned(),
                "syntax = \"proto3\";\nimport \"a/ok.proto\";\nmessage Bad {\n  a.Gone gone = 1;\n}\n"
                    .to_owned(),
            ),
        ],
    );
    match Format::Protobuf.parse(&unresolved, &FormatOptions::default()) {
        Err(FormatError::UnresolvedRef { at, reference }) => {
            assert_eq!(reference, "a.Gone");
            assert_eq!(
                (at.file.as_str(), at.line, at.column),
                ("b/bad.proto", 4, 3)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn options_on_a_one_number_extension_range_are_a_protox_syntax_error() {
    // What keeps the corpus's descriptor.proto out (its line 37): protox
    // 0.10 takes options after `a to b`, not after a single number.
    let err = parse(
        "syntax = \"proto2\";\nmessage M {\n  extensions 5 [verification = UNVERIFIED];\n}\n",
    )
    .unwrap_err();
    match err {
        FormatError::Syntax { at, .. } => assert_eq!((at.line, at.column), (3, 16)),
        other => panic!("{other:?}"),
    }
    // So such a range is kept, and written back, as `5 to 5`.
    let s = round_trip_text(
        "syntax = \"proto2\";\nmessage M {\n  extensions 5 to 5 [verification = UNVERIFIED];\n}\n",
    );
    assert_eq!(
        sort(&s, "M", "extension-ranges"),
        Some(r#"["5 to 5 [verification = UNVERIFIED]"]"#)
    );
}
