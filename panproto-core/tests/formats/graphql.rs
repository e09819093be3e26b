//! GraphQL SDL: every corpus file round-trips and graphql-core builds what
//! emit writes (to the same printed schema as the original); small files
//! for what the corpus lacks; bad input gives located errors.

use std::path::{Path, PathBuf};
use std::time::Instant;

use panproto_core::{Format, FormatError, FormatOptions, Schema, Source};

use crate::common::{self, Oracle};

fn parse(text: &str) -> Result<Schema, FormatError> {
    Format::Graphql.parse(
        &Source::from_text("test.graphql", text),
        &FormatOptions::default(),
    )
}

fn parse_ok(text: &str) -> Schema {
    parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn emit(schema: &Schema) -> String {
    let emitted = Format::Graphql
        .emit(schema, &FormatOptions::default())
        .unwrap();
    emitted.single_text().unwrap().to_owned()
}

fn fragment_options() -> FormatOptions {
    let mut options = FormatOptions::default();
    options.external_refs = true;
    options
}

fn corpus_paths() -> Vec<PathBuf> {
    let mut files = common::corpus_files("graphql", ".graphql");
    files.extend(common::corpus_files("graphql", ".graphqls"));
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn constraint<'s>(schema: &'s Schema, vertex: &str, sort: &str) -> Option<&'s str> {
    schema
        .constraints()
        .get(vertex)
        .and_then(|c| c.get(sort))
        .map(String::as_str)
}

fn kind<'s>(schema: &'s Schema, vertex: &str) -> &'s str {
    schema
        .vertices()
        .get(vertex)
        .map_or("<missing>", |v| v.kind.as_str())
}

fn has_edge(schema: &Schema, src: &str, tgt: &str, kind: &str, name: Option<&str>) -> bool {
    schema
        .edges()
        .iter()
        .any(|e| e.src == src && e.tgt == tgt && e.kind == kind && e.name.as_deref() == name)
}

/// Corpus files that use types only their sibling files (not in the corpus)
/// define: they round-trip as fragments (`external_refs`), and by default
/// are refused with the unresolved ref.
const FRAGMENTS: &[(&str, &str)] = &[
    (
        "gqlgen_codegen_testserver_singlefile_directive.graphql",
        "UUID",
    ),
    (
        "gqlgen_codegen_testserver_singlefile_schema.graphql",
        "ShapeUnion",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_schema-extension.graphql",
        "Todo",
    ),
];

/// Same steps as `common::round_trip`, with options.
fn round_trip_with(source: &Source, options: &FormatOptions) -> Schema {
    let first = Format::Graphql.parse(source, options).unwrap();
    let emitted = Format::Graphql.emit(&first, options).unwrap();
    let again = Source::from_files(source.origin(), emitted.files.clone());
    let second = Format::Graphql.parse(&again, options).unwrap();
    assert!(
        first == second,
        "{}: {:?}",
        source.origin(),
        panproto_core::diff(&first, &second)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    first
}

#[test]
fn every_corpus_file_round_trips() {
    let paths = corpus_paths();
    assert_eq!(paths.len(), 36);
    for path in &paths {
        let source = Source::read(path, |_| true).unwrap();
        let name = file_name(path);
        if let Some((_, missing)) = FRAGMENTS.iter().find(|(f, _)| *f == name) {
            match Format::Graphql.parse(&source, &FormatOptions::default()) {
                Err(FormatError::UnresolvedRef { reference, at }) => {
                    assert_eq!(reference, *missing);
                    assert_eq!(at.file, name);
                }
                other => panic!("{name}: expected the unresolved ref {missing}: {other:?}"),
            }
            let schema = round_trip_with(&source, &fragment_options());
            assert_eq!(kind(&schema, missing), "external", "{name}");
        } else {
            common::round_trip(Format::Graphql, &source);
        }
    }
}

/// The corpus's one multi-file schema: gqlgen's type-system-extension
/// example, whose files extend each other's types.
fn extension_example() -> Source {
    let files = corpus_paths()
        .into_iter()
        .filter(|p| file_name(p).starts_with("gqlgen_examples_type-system-extension_schemas_"))
        .map(|p| {
            let name = file_name(&p)
                .trim_start_matches("gqlgen_examples_type-system-extension_schemas_")
                .to_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect::<Vec<_>>();
    assert_eq!(files.len(), 9);
    Source::from_files("type-system-extension", files)
}

#[test]
fn a_multi_file_schema_round_trips_with_each_file_kept() {
    let source = extension_example();
    let schema = common::round_trip(Format::Graphql, &source);
    assert_eq!(kind(&schema, "schema.graphql"), "file");
    assert!(has_edge(&schema, "schema.graphql", "Todo", "declares", None));
    // `extend type Todo { verified }` in its own file: the member is the
    // type's, and the file it came from extends it.
    assert_eq!(kind(&schema, "Todo.verified"), "Boolean");
    assert!(has_edge(&schema, "Todo", "Todo.verified", "field", Some("verified")));
    assert!(has_edge(
        &schema,
        "type-extension.graphql",
        "Todo.verified",
        "extends",
        None
    ));
    assert_eq!(
        constraint(&schema, "Todo", "order"),
        Some(r#"["id","text","state","verified"]"#)
    );
    // Type-level extensions merge into the type; the schema block gets the
    // mutation root of `extend schema`.
    assert_eq!(constraint(&schema, "State", "directive"), Some("@enumLogging"));
    assert!(has_edge(&schema, "{schema}", "MyMutation", "operation", Some("mutation")));
    assert!(has_edge(&schema, "{schema}", "MyQuery", "operation", Some("query")));
    assert_eq!(constraint(&schema, "{schema}", "extension"), None);
    let emitted = Format::Graphql
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    assert_eq!(emitted.files.len(), 9);
    let ext = &emitted.files["type-extension.graphql"];
    assert!(ext.contains("extend type Todo {\n  verified: Boolean! @fieldLogging\n}"), "{ext}");
    assert!(!emitted.files["schema.graphql"].contains("verified"));
}

// ---------------------------------------------------------------------------
// The oracle: graphql-core 3.2.6's buildSchema.

/// Builds the original and the emitted SDL with graphql-core and compares
/// their printed, lexicographically sorted schemas. argv: mode (`strict`,
/// or `lenient` for `assume_valid_sdl`), original, emitted (files or
/// directories, whose files are read in name order as one document).
const ORACLE: &str = r#"
import os, sys
from graphql import build_schema, print_schema, lexicographic_sort_schema
mode, original, emitted = sys.argv[1:4]
def read(path):
    if os.path.isdir(path):
        return "\n".join(open(os.path.join(path, f)).read() for f in sorted(os.listdir(path)))
    return open(path).read()
def printed(path):
    schema = build_schema(read(path), assume_valid_sdl=(mode == "lenient"))
    return print_schema(lexicographic_sort_schema(schema))
try:
    want = printed(original)
except Exception as e:
    print("the original is refused:", e)
    sys.exit(2)
try:
    got = printed(emitted)
except Exception as e:
    print("the emitted SDL is refused:", e)
    sys.exit(1)
if want != got:
    import difflib
    print("\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "original", "emitted", lineterm="")))
    sys.exit(1)
"#;

/// Files graphql-core validates only without its SDL rules
/// (`assume_valid_sdl`), and why.
const LENIENT: &[(&str, &str)] = &[
    (
        "gqlgen_codegen_testserver_singlefile_defaults.graphql",
        "extends Query and Mutation, defined in a sibling file",
    ),
    (
        "gqlgen_codegen_testserver_singlefile_interfaces.graphql",
        "extends Query, defined in a sibling file",
    ),
    (
        "gqlgen_codegen_testserver_singlefile_maps.graphql",
        "extends Query, defined in a sibling file",
    ),
    (
        "gqlgen_codegen_testserver_singlefile_validtypes.graphql",
        "extends Query, defined in a sibling file",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_enum-extension.graphql",
        "extends State, defined in schema.graphql",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_input-object-extension.graphql",
        "extends TodoInput, defined in schema-extension.graphql",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_interface-extension.graphql",
        "extends Node, defined in schema.graphql",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_object-extension.graphql",
        "extends Todo, defined in schema.graphql",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_scalar-extension.graphql",
        "extends the built-in scalar ID, which the SDL rules do not allow",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_type-extension.graphql",
        "extends Todo, defined in schema.graphql",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_union-extension.graphql",
        "extends Data, defined in schema.graphql",
    ),
    (
        "gqlgen_plugin_federation_testdata_computedrequires_schema.graphql",
        "uses Apollo Federation's @key, which the federation gateway defines",
    ),
];

/// Files graphql-core refuses in their original form, even with
/// `assume_valid_sdl`, and why.
const REFUSED: &[(&str, &str)] = &[
    (
        "gqlgen_codegen_testserver_singlefile_directive.graphql",
        "uses the scalar UUID, defined in a sibling file",
    ),
    (
        "gqlgen_codegen_testserver_singlefile_schema.graphql",
        "uses the union ShapeUnion, defined in a sibling file",
    ),
    (
        "gqlgen_examples_federation_reviews_graph_schema.graphqls",
        "uses User, which it only extends (a federation entity of another service)",
    ),
    (
        "gqlgen_examples_type-system-extension_schemas_schema-extension.graphql",
        "uses Todo, defined in schema.graphql",
    ),
];

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "panproto-graphql-{name}-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the oracle; `None` if graphql-core is missing here.
fn oracle(mode: &str, original: &Path, emitted: &Path, dir: &Path) -> Option<Result<(), String>> {
    let args = [
        mode,
        &original.to_string_lossy(),
        &emitted.to_string_lossy(),
    ]
    .map(|s| s.to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match common::run_python_oracle("graphql", ORACLE, &args, dir) {
        Oracle::Ran(verdict) => Some(verdict),
        Oracle::Missing(why) => {
            eprintln!("skipping the graphql-core oracle: {why}");
            None
        }
    }
}

#[test]
fn graphql_core_builds_every_emitted_file_as_the_original() {
    let dir = temp_dir("oracle");
    for path in corpus_paths() {
        let name = file_name(&path);
        let source = Source::read(&path, |_| true).unwrap();
        let schema = Format::Graphql.parse(&source, &fragment_options()).unwrap();
        let text = emit_with(&schema, &fragment_options());
        let out = dir.join(&name);
        std::fs::write(&out, text).unwrap();
        let refused = REFUSED.iter().any(|(f, _)| *f == name);
        let mode = if LENIENT.iter().any(|(f, _)| *f == name) {
            "lenient"
        } else {
            "strict"
        };
        let Some(verdict) = oracle(mode, &path, &out, &dir) else {
            break;
        };
        match verdict {
            Ok(()) => assert!(!refused, "{name} is listed as refused, but graphql-core builds it"),
            Err(why) if refused && why.contains("the original is refused") => {}
            Err(why) => panic!("{name} ({mode}): {why}"),
        }
    }
    // The multi-file schema, as one document (its scalar extension of ID
    // needs the lenient mode).
    let source = extension_example();
    let schema = Format::Graphql
        .parse(&source, &FormatOptions::default())
        .unwrap();
    let emitted = Format::Graphql
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    let (original, written) = (dir.join("original"), dir.join("emitted"));
    std::fs::create_dir_all(&original).unwrap();
    std::fs::create_dir_all(&written).unwrap();
    for file in source.files() {
        std::fs::write(original.join(&file.path), &file.text).unwrap();
    }
    for (name, text) in &emitted.files {
        std::fs::write(written.join(name), text).unwrap();
    }
    if let Some(verdict) = oracle("lenient", &original, &written, &dir) {
        verdict.unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn emit_with(schema: &Schema, options: &FormatOptions) -> String {
    let emitted = Format::Graphql.emit(schema, options).unwrap();
    emitted.single_text().unwrap().to_owned()
}
