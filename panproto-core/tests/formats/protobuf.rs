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
        let cells: Vec<&str> = line.split('|').map(|c| c.trim().trim_matches('`')).collect();
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
fn readable_corpus() -> Source {
    let texts = corpus_texts();
    Source::from_files(
        "corpus/protobuf",
        texts.into_iter().filter(|(p, _)| !is_refused(p)),
    )
}

/// A fresh directory under the system's temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "panproto-protobuf-{tag}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_files(dir: &Path, files: &BTreeMap<String, String>) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn parse(text: &str) -> Result<Schema, FormatError> {
    Format::Protobuf.parse(&Source::from_text("t.proto", text), &FormatOptions::default())
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
            assert_eq!(err.location().map(|l| l.file.as_str()).is_some(), true, "{err}");
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
    let original = temp_dir("original");
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
    let dir = temp_dir("emitted");
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
#[ignore]
fn dump_emitted() {
    let schema = Format::Protobuf
        .parse(&readable_corpus(), &FormatOptions::default())
        .unwrap();
    let emitted = Format::Protobuf
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    write_files(Path::new("/tmp/pbl/emitted"), &emitted.files);
}
