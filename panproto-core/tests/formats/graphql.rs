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
    assert!(has_edge(
        &schema,
        "schema.graphql",
        "Todo",
        "declares",
        None
    ));
    // `extend type Todo { verified }` in its own file: the member is the
    // type's, and the file it came from extends it.
    assert_eq!(kind(&schema, "Todo.verified"), "Boolean");
    assert!(has_edge(
        &schema,
        "Todo",
        "Todo.verified",
        "field",
        Some("verified")
    ));
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
    assert_eq!(
        constraint(&schema, "State", "directive"),
        Some("@enumLogging")
    );
    assert!(has_edge(
        &schema,
        "{schema}",
        "MyMutation",
        "operation",
        Some("mutation")
    ));
    assert!(has_edge(
        &schema,
        "{schema}",
        "MyQuery",
        "operation",
        Some("query")
    ));
    assert_eq!(constraint(&schema, "{schema}", "extension"), None);
    let emitted = Format::Graphql
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    assert_eq!(emitted.files.len(), 9);
    let ext = &emitted.files["type-extension.graphql"];
    assert!(
        ext.contains("extend type Todo {\n  verified: Boolean! @fieldLogging\n}"),
        "{ext}"
    );
    assert!(!emitted.files["schema.graphql"].contains("verified"));
}

// ---------------------------------------------------------------------------
// The oracle: graphql-core 3.2.6's buildSchema.

/// Builds each original and emitted SDL with graphql-core and compares
/// their printed, lexicographically sorted schemas. argv: a results file,
/// then triples of mode (`strict`, or `lenient` for `assume_valid_sdl`),
/// original, emitted (files, or directories whose files are read in name
/// order as one document). Writes one line per triple to the results
/// file: `ok`, `refused-original: why`, or `failed: why`.
const ORACLE: &str = r#"
import os, sys
from graphql import build_schema, print_schema, lexicographic_sort_schema
def read(path):
    if os.path.isdir(path):
        return "\n".join(open(os.path.join(path, f)).read() for f in sorted(os.listdir(path)))
    return open(path).read()
def printed(mode, path):
    schema = build_schema(read(path), assume_valid_sdl=(mode == "lenient"))
    return print_schema(lexicographic_sort_schema(schema))
def verdict(mode, original, emitted):
    try:
        want = printed(mode, original)
    except Exception as e:
        return "refused-original: " + str(e)
    try:
        got = printed(mode, emitted)
    except Exception as e:
        return "failed: the emitted SDL is refused: " + str(e)
    if want != got:
        import difflib
        return "failed: " + "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "original", "emitted", lineterm=""))
    return "ok"
results, args = sys.argv[1], sys.argv[2:]
with open(results, "w") as out:
    for i in range(0, len(args), 3):
        out.write(verdict(*args[i:i + 3]).replace("\n", " | ") + "\n")
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

/// Runs the oracle; `None` if graphql-core is missing here.
/// Runs the oracle on (mode, original, emitted) triples, in one process;
/// `None` if graphql-core is missing here.
fn oracle(runs: &[(&str, PathBuf, PathBuf)], dir: &Path) -> Option<Vec<String>> {
    let results = dir.join("results.txt");
    let mut args = vec![results.to_string_lossy().into_owned()];
    for (mode, original, emitted) in runs {
        args.push((*mode).to_owned());
        args.push(original.to_string_lossy().into_owned());
        args.push(emitted.to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match common::run_python_oracle("graphql", ORACLE, &args, dir) {
        Oracle::Ran(Ok(())) => {
            let text = std::fs::read_to_string(&results).unwrap();
            let verdicts: Vec<String> = text.lines().map(str::to_owned).collect();
            assert_eq!(verdicts.len(), runs.len(), "{text}");
            Some(verdicts)
        }
        Oracle::Ran(Err(output)) => panic!("the oracle script failed: {output}"),
        Oracle::Missing(why) => {
            eprintln!("skipping the graphql-core oracle: {why}");
            None
        }
    }
}

#[test]
fn graphql_core_builds_every_emitted_file_as_the_original() {
    let dir = common::scratch_dir("graphql-oracle");
    let mut runs = Vec::new();
    for path in corpus_paths() {
        let name = file_name(&path);
        let source = Source::read(&path, |_| true).unwrap();
        let schema = Format::Graphql.parse(&source, &fragment_options()).unwrap();
        let out = dir.join(&name);
        std::fs::write(&out, emit_with(&schema, &fragment_options())).unwrap();
        let mode = if LENIENT.iter().any(|(f, _)| *f == name) {
            "lenient"
        } else {
            "strict"
        };
        runs.push((mode, path, out));
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
    runs.push(("lenient", original, written));
    if let Some(verdicts) = oracle(&runs, &dir) {
        for ((mode, path, _), verdict) in runs.iter().zip(&verdicts) {
            let name = file_name(path);
            let refused = REFUSED.iter().any(|(f, _)| *f == name);
            match verdict.as_str() {
                "ok" => assert!(
                    !refused,
                    "{name} is listed as refused, but graphql-core builds it"
                ),
                v if refused && v.starts_with("refused-original") => {}
                v => panic!("{name} ({mode}): {v}"),
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn emit_with(schema: &Schema, options: &FormatOptions) -> String {
    let emitted = Format::Graphql.emit(schema, options).unwrap();
    emitted.single_text().unwrap().to_owned()
}

// ---------------------------------------------------------------------------
// What the corpus lacks, or what a user sees of it.

/// Parses `text`, checks the round trip, returns the schema.
fn round_trip_text(text: &str) -> Schema {
    common::round_trip(Format::Graphql, &Source::from_text("test.graphql", text))
}

#[test]
fn field_types_keep_lists_and_non_null() {
    let schema = round_trip_text(
        "type User { id: ID! tags: [String!]! grid: [[Int]] friends: [User] best: User }\n\
         type Query { me: User }",
    );
    assert_eq!(kind(&schema, "User.id"), "ID");
    assert_eq!(constraint(&schema, "User.id", "non-null"), Some("true"));
    assert_eq!(kind(&schema, "User.tags"), "list");
    assert_eq!(constraint(&schema, "User.tags", "non-null"), Some("true"));
    assert!(has_edge(&schema, "User.tags", "User.tags[]", "of", None));
    assert_eq!(kind(&schema, "User.tags[]"), "String");
    assert_eq!(constraint(&schema, "User.tags[]", "non-null"), Some("true"));
    assert_eq!(kind(&schema, "User.grid[]"), "list");
    assert_eq!(kind(&schema, "User.grid[][]"), "Int");
    assert_eq!(constraint(&schema, "User.grid[][]", "non-null"), None);
    // A recursive type is one vertex, reached by ref edges.
    assert_eq!(kind(&schema, "User.best"), "ref");
    assert!(has_edge(&schema, "User.best", "User", "ref", None));
    assert!(has_edge(&schema, "User.friends[]", "User", "ref", None));
    assert!(has_edge(
        &schema,
        "User",
        "User.best",
        "field",
        Some("best")
    ));
    assert_eq!(
        constraint(&schema, "User", "order"),
        Some(r#"["id","tags","grid","friends","best"]"#)
    );
    // Non-null fields are in every value of the type.
    let required: Vec<&str> = schema.required()["User"]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(required, ["id", "tags"]);
    let text = emit(&schema);
    assert!(
        text.contains("  tags: [String!]!\n  grid: [[Int]]\n"),
        "{text}"
    );
}

#[test]
fn arguments_and_input_fields_keep_defaults() {
    let schema = round_trip_text(
        r#"enum Color { RED GREEN }
        input Filter { colors: [Color!] = [RED, GREEN] near: Point = {x: 1.5, y: -2} name: String = "a \"b\"\n" }
        input Point { x: Float! y: Float! }
        type Query {
          shapes(first: Int = 10, after: String, filter: Filter = {colors: [], name: null}): [String]
        }"#,
    );
    assert!(has_edge(
        &schema,
        "Query.shapes",
        "Query.shapes(first:)",
        "argument",
        Some("first")
    ));
    assert_eq!(kind(&schema, "Query.shapes(first:)"), "Int");
    assert_eq!(
        constraint(&schema, "Query.shapes(first:)", "default"),
        Some("10")
    );
    assert_eq!(constraint(&schema, "Query.shapes(after:)", "default"), None);
    assert_eq!(
        constraint(&schema, "Query.shapes(filter:)", "default"),
        Some("{colors: [], name: null}")
    );
    assert!(has_edge(
        &schema,
        "Query.shapes(filter:)",
        "Filter",
        "ref",
        None
    ));
    assert_eq!(
        constraint(&schema, "Query.shapes", "order"),
        Some(r#"["first","after","filter"]"#)
    );
    assert!(has_edge(
        &schema,
        "Filter",
        "Filter.colors",
        "input-field",
        Some("colors")
    ));
    assert_eq!(
        constraint(&schema, "Filter.colors", "default"),
        Some("[RED, GREEN]")
    );
    assert_eq!(
        constraint(&schema, "Filter.near", "default"),
        Some("{x: 1.5, y: -2}")
    );
    // Non-null input fields without a default must be given.
    assert!(!schema.required().contains_key("Filter"));
    assert_eq!(schema.required()["Point"].len(), 2);
    assert_eq!(
        constraint(&schema, "Filter.name", "default"),
        Some(r#""a \"b\"\n""#)
    );
}

#[test]
fn descriptions_deprecations_and_directive_uses_are_kept() {
    let schema = round_trip_text(
        r#"
"""
A person.

  With an indented line.
"""
type User @key(fields: "id") @shareable {
  "The id."
  id: ID!
  name(
    "How to write it."
    style: String = "full" @deprecated(reason: "use format")
  ): String @deprecated
  old: String @deprecated(reason: """gone""") @external
}
enum Role {
  "Can do anything."
  ADMIN
  GUEST @deprecated(reason: "no guests")
}
type Query { user: User role: Role }
"#,
    );
    assert_eq!(
        constraint(&schema, "User", "description"),
        Some("A person.\n\n  With an indented line.")
    );
    assert_eq!(
        constraint(&schema, "User", "directive"),
        Some(r#"@key(fields: "id") @shareable"#)
    );
    assert_eq!(
        constraint(&schema, "User.id", "description"),
        Some("The id.")
    );
    assert_eq!(
        constraint(&schema, "User.name", "deprecated"),
        Some("No longer supported")
    );
    assert_eq!(
        constraint(&schema, "User.name(style:)", "description"),
        Some("How to write it.")
    );
    assert_eq!(
        constraint(&schema, "User.name(style:)", "deprecated"),
        Some("use format")
    );
    assert_eq!(constraint(&schema, "User.old", "deprecated"), Some("gone"));
    assert_eq!(
        constraint(&schema, "User.old", "directive"),
        Some("@external")
    );
    assert_eq!(kind(&schema, "Role.ADMIN"), "enum-value");
    assert!(has_edge(
        &schema,
        "Role",
        "Role.ADMIN",
        "value",
        Some("ADMIN")
    ));
    assert_eq!(
        constraint(&schema, "Role.ADMIN", "description"),
        Some("Can do anything.")
    );
    assert_eq!(
        constraint(&schema, "Role.GUEST", "deprecated"),
        Some("no guests")
    );
    assert_eq!(
        constraint(&schema, "Role", "order"),
        Some(r#"["ADMIN","GUEST"]"#)
    );
    let text = emit(&schema);
    assert!(text.contains("  name(\n    \"\"\"How to write it.\"\"\"\n    style: String = \"full\" @deprecated(reason: \"use format\")\n  ): String @deprecated\n"), "{text}");
}

#[test]
fn directive_definitions_interfaces_unions_and_the_schema_block() {
    let schema = round_trip_text(
        r#"
"Caches a field."
directive @cache(ttl: Int! = 60, scope: [String]) repeatable on FIELD_DEFINITION | OBJECT
schema @link(url: "x") { query: Root mutation: Change }
interface Node { id: ID! }
interface Entity implements Node { id: ID! }
type A implements Entity & Node { id: ID! }
type B implements Node { id: ID! }
union AB = B | A
scalar Date @specifiedBy(url: "https://example.com/date")
type Root { ab: AB date: Date }
type Change { touch: Boolean }
"#,
    );
    assert_eq!(kind(&schema, "@cache"), "directive");
    assert_eq!(
        constraint(&schema, "@cache", "locations"),
        Some("FIELD_DEFINITION | OBJECT")
    );
    assert_eq!(constraint(&schema, "@cache", "repeatable"), Some("true"));
    assert_eq!(
        constraint(&schema, "@cache", "description"),
        Some("Caches a field.")
    );
    assert_eq!(constraint(&schema, "@cache(ttl:)", "default"), Some("60"));
    assert_eq!(kind(&schema, "@cache(scope:)"), "list");
    assert!(has_edge(&schema, "Entity", "Node", "implements", None));
    assert!(has_edge(&schema, "A", "Entity", "implements", None));
    assert!(has_edge(&schema, "A", "Node", "implements", None));
    assert!(has_edge(&schema, "AB", "A", "member", None));
    assert!(has_edge(&schema, "AB", "B", "member", None));
    assert_eq!(constraint(&schema, "AB", "order"), Some(r#"["B","A"]"#));
    assert_eq!(
        constraint(&schema, "Date", "directive"),
        Some(r#"@specifiedBy(url: "https://example.com/date")"#)
    );
    assert_eq!(kind(&schema, "{schema}"), "schema");
    assert!(has_edge(
        &schema,
        "{schema}",
        "Root",
        "operation",
        Some("query")
    ));
    assert!(has_edge(
        &schema,
        "{schema}",
        "Change",
        "operation",
        Some("mutation")
    ));
    assert_eq!(
        constraint(&schema, "{schema}", "directive"),
        Some(r#"@link(url: "x")"#)
    );
    let text = emit(&schema);
    assert!(
        text.starts_with("schema @link(url: \"x\") {\n  query: Root\n  mutation: Change\n}\n"),
        "{text}"
    );
    assert!(text.contains("union AB = B | A\n"), "{text}");
    assert!(text.contains(
        "directive @cache(ttl: Int! = 60, scope: [String]) repeatable on FIELD_DEFINITION | OBJECT\n"
    ), "{text}");
}

#[test]
fn extensions_merge_into_their_type_or_stay_extensions() {
    let schema = round_trip_text(
        "type Query { a: Int }\n\
         extend type Query @tag { b: String }\n\
         extend type Mutation { run(id: ID!): Boolean }\n\
         extend schema { mutation: Mutation }",
    );
    assert_eq!(constraint(&schema, "Query", "order"), Some(r#"["a","b"]"#));
    assert_eq!(constraint(&schema, "Query", "directive"), Some("@tag"));
    assert_eq!(constraint(&schema, "Query", "extension"), None);
    // Mutation is defined by no file of this source: kept as an extension.
    assert_eq!(kind(&schema, "Mutation"), "object");
    assert_eq!(constraint(&schema, "Mutation", "extension"), Some("true"));
    assert_eq!(constraint(&schema, "{schema}", "extension"), Some("true"));
    let text = emit(&schema);
    assert!(
        text.contains("type Query @tag {\n  a: Int\n  b: String\n}\n"),
        "{text}"
    );
    assert!(
        text.contains("extend type Mutation {\n  run(id: ID!): Boolean\n}\n"),
        "{text}"
    );
    assert!(
        text.contains("extend schema {\n  mutation: Mutation\n}\n"),
        "{text}"
    );
    assert!(!text.contains("extend type Query"), "{text}");
}

#[test]
fn sdl_is_detected_by_extension_and_content() {
    for name in ["a.graphql", "a.graphqls", "a.gql"] {
        let source = Source::from_text(name, "type Query { a: Int }");
        assert_eq!(
            panproto_core::formats::detect(&source).unwrap(),
            Format::Graphql
        );
    }
    let text = Source::from_text("text", "# schema\n\"\"\"doc\"\"\"\ntype Query { a: Int }");
    assert_eq!(
        panproto_core::formats::detect(&text).unwrap(),
        Format::Graphql
    );
    assert_eq!(Format::from_name("graphql").unwrap(), Format::Graphql);
    assert_eq!(Format::Graphql.protocol_name(), "graphql");
}

// ---------------------------------------------------------------------------
// Bad input.

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let err = parse("type Query {\n  a: Int\n  b Int\n}\n").unwrap_err();
    let FormatError::Syntax { at, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (at.file.as_str(), at.line, at.column),
        ("test.graphql", 3, 5),
        "{err}"
    );
    assert!(message.contains("expected"), "{message}");
    let err = parse("type Query {\n  a: [Int\n}").unwrap_err();
    let FormatError::Syntax { at, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((at.line, at.column), (3, 1), "{err}");
    // A variable is no constant value.
    let err = parse("type Q { a(x: Int = $v): Int }").unwrap_err();
    assert!(matches!(err, FormatError::Syntax { .. }), "{err:?}");
    assert_eq!(err.location().unwrap().column, 21, "{err}");
    // In a multi-file source, the file is the one with the error.
    let source = Source::from_files(
        "dir",
        [
            ("a.graphql".to_owned(), "type Query { a: B }".to_owned()),
            ("b.graphql".to_owned(), "type B {\n  x: Int =\n}".to_owned()),
        ],
    );
    let err = Format::Graphql
        .parse(&source, &FormatOptions::default())
        .unwrap_err();
    assert_eq!(err.location().unwrap().file, "b.graphql", "{err}");
    assert_eq!(err.location().unwrap().line, 2, "{err}");
}

#[test]
fn an_unresolved_ref_names_the_type_and_where() {
    for (text, missing, line, column) in [
        ("type Query {\n  a: [Missing!]\n}", "Missing", 2, 7),
        ("type A implements Nope { a: Int }", "Nope", 1, 19),
        ("union U = A | Gone\ntype A { a: Int }", "Gone", 1, 15),
        ("schema { query: Root }", "Root", 1, 17),
        ("type Q { f(by: Key): Int }", "Key", 1, 16),
    ] {
        match parse(text) {
            Err(FormatError::UnresolvedRef { at, reference }) => {
                assert_eq!(reference, missing);
                assert_eq!(
                    (at.file.as_str(), at.line, at.column),
                    ("test.graphql", line, column),
                    "{text}"
                );
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // Across files, a ref resolves whatever the order.
    let source = Source::from_files(
        "dir",
        [
            ("a.graphql".to_owned(), "type Query { b: B }".to_owned()),
            ("b.graphql".to_owned(), "type B { a: Int }".to_owned()),
        ],
    );
    let schema = common::round_trip(Format::Graphql, &source);
    assert!(has_edge(&schema, "Query.b", "B", "ref", None));
    assert!(has_edge(&schema, "b.graphql", "B", "declares", None));
}

#[test]
fn what_breaks_the_rules_is_invalid_and_located() {
    for (text, needle, line) in [
        ("type A { a: Int }\ntype A { b: Int }", "defined twice", 2),
        ("type A { a: Int a: String }", "two members named a", 1),
        ("type A { a: In }\ninput In { x: Int }", "an output type", 1),
        ("input In { x: A }\ntype A { a: Int }", "an input type", 1),
        ("type A { a(x: A): Int }", "an input type", 1),
        ("type A { a: Int }\nextend enum A { X }", "as an enum", 2),
        (
            "interface I { a: Int }\nunion U = I",
            "not an object type",
            2,
        ),
        (
            "type A implements B { a: Int }\ntype B { a: Int }",
            "not an interface",
            1,
        ),
        (
            "directive @a on FIELD\ndirective @a on OBJECT",
            "defined twice",
            2,
        ),
        (
            "schema { query: Q }\nschema { query: Q }\ntype Q { a: Int }",
            "defined twice",
            2,
        ),
    ] {
        match parse(text) {
            Err(FormatError::Invalid { at, message }) => {
                assert!(message.contains(needle), "{text}: {message}");
                assert_eq!(at.line, line, "{text}: {message}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn executable_definitions_are_refused_with_their_location() {
    let err = parse("type Query { a: Int }\n\nquery Q { a }").unwrap_err();
    match &err {
        FormatError::Unsupported { at, construct, .. } => {
            assert_eq!((at.line, at.column), (3, 1));
            assert!(construct.contains("OperationDefinition"), "{construct}");
        }
        other => panic!("{other:?}"),
    }
    let err = parse("fragment F on Query { a }").unwrap_err();
    assert!(matches!(err, FormatError::Unsupported { .. }), "{err:?}");
}

#[test]
fn emit_refuses_what_sdl_cannot_say() {
    let options = FormatOptions::default();
    // Another protocol's schema.
    let sql = Schema::builder(panproto_core::builtin_protocol("sql").unwrap())
        .build()
        .unwrap();
    assert!(matches!(
        Format::Graphql.emit(&sql, &options),
        Err(FormatError::WrongProtocol { .. })
    ));
    let graphql = || Schema::builder(panproto_core::builtin_protocol("graphql").unwrap());
    // A ref that names no type.
    let dangling = graphql()
        .vertex("Q", "object", None)
        .vertex("Q.a", "ref", None)
        .edge("Q", "Q.a", "field", Some("a".to_owned()))
        .build()
        .unwrap();
    match Format::Graphql.emit(&dangling, &options) {
        Err(FormatError::Unemittable { element, .. }) => {
            assert!(element.contains("Q.a"), "{element}")
        }
        other => panic!("{other:?}"),
    }
    // A type name GraphQL has no spelling for.
    let bad_name = graphql().vertex("my type", "object", None).build().unwrap();
    assert!(matches!(
        Format::Graphql.emit(&bad_name, &options),
        Err(FormatError::Unemittable { .. })
    ));
    // A vertex nothing reaches.
    let orphan = graphql().vertex("loose", "String", None).build().unwrap();
    match Format::Graphql.emit(&orphan, &options) {
        Err(FormatError::Unemittable { element, .. }) => {
            assert!(element.contains("loose"), "{element}")
        }
        other => panic!("{other:?}"),
    }
    // A directive definition without locations.
    let directive = graphql().vertex("@d", "directive", None).build().unwrap();
    assert!(matches!(
        Format::Graphql.emit(&directive, &options),
        Err(FormatError::Unemittable { .. })
    ));
    // A hand-built field straight to a type (no member vertex) is written
    // as that type, nullable.
    let direct = graphql()
        .vertex("Q", "object", None)
        .vertex("U", "object", None)
        .edge("Q", "U", "field", Some("u".to_owned()))
        .build()
        .unwrap();
    let text = emit(&direct);
    assert!(text.contains("type Q {\n  u: U\n}"), "{text}");
}

#[test]
fn no_panic_on_truncated_or_garbage_input() {
    let path = corpus_paths()
        .into_iter()
        .find(|p| file_name(p) == "gqlgen_examples_starwars_schema.graphql")
        .unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let options = fragment_options();
    let mut cuts = 0;
    for end in (0..text.len()).filter(|i| text.is_char_boundary(*i)) {
        let source = Source::from_text("cut.graphql", &text[..end]);
        let strict = FormatOptions::default();
        let both = [&options, &strict];
        // Every cut as a fragment; every 16th also strictly.
        let modes = if end % 16 == 0 { &both[..] } else { &both[..1] };
        for options in modes {
            match Format::Graphql.parse(&source, options) {
                Ok(schema) => {
                    let emitted = Format::Graphql.emit(&schema, options).unwrap();
                    let again = Source::from_files("again", emitted.files);
                    assert_eq!(
                        Format::Graphql.parse(&again, options).unwrap(),
                        schema,
                        "{end}"
                    );
                }
                Err(e) => {
                    cuts += 1;
                    assert!(e.location().is_some(), "{end}: {e}");
                }
            }
        }
    }
    assert!(cuts > 0);
    for garbage in [
        "\u{0}\u{1}\u{2}",
        "}}}{{{",
        "type",
        "type Q { a: [[[[[[[[[[[[[[Int",
        "\"\"\"unterminated",
        "\"\\u{110000}\" scalar X",
        "\"\\uD800\" scalar X",
        "type Q { a(x: Int = [[[[{a: [}]]]]): Int }",
        &"[".repeat(5000),
        "extend",
        "directive @ on",
        "schema { query: }",
    ] {
        let _ = parse(garbage);
    }
}

// ---------------------------------------------------------------------------
// Size: rough timings for orientation (`--nocapture`; the lead's
// benchmarks measure for real), and what the large files hold.

/// An SDL of about `bytes` bytes: object types with described fields,
/// arguments with defaults, lists, refs to each other, and enums.
fn synthetic_sdl(bytes: usize) -> String {
    let mut out = String::from("type Query {\n  root: T0\n}\n\nenum Level {\n  LOW\n  HIGH\n}\n");
    let mut i = 0;
    while out.len() < bytes {
        let next = i + 1;
        out.push_str(&format!(
            "\n\"\"\"\nType number {i}.\nIt has fields.\n\"\"\"\ntype T{i} implements Node {{\n  id: ID!\n"
        ));
        for f in 0..10 {
            out.push_str(&format!(
                "  \"Field {f} of {i}.\"\n  f{f}(first: Int = 10, level: Level = HIGH, tags: [String!]): [T{next}!]! @deprecated(reason: \"use g{f}\")\n"
            ));
        }
        out.push_str("}\n");
        i = next;
    }
    out.push_str(&format!(
        "\ntype T{i} implements Node {{\n  id: ID!\n}}\n\ninterface Node {{\n  id: ID!\n}}\n"
    ));
    out
}

#[test]
fn large_files_parse_whole_and_fast_enough() {
    let path = corpus_paths()
        .into_iter()
        .find(|p| file_name(p) == "graphql-java_extra-large-schema-1.graphqls")
        .unwrap();
    let source = Source::read(&path, |_| true).unwrap();
    let options = FormatOptions::default();
    let started = Instant::now();
    let schema = Format::Graphql.parse(&source, &options).unwrap();
    let parsed = started.elapsed();
    let started = Instant::now();
    let emitted = Format::Graphql.emit(&schema, &options).unwrap();
    let written = started.elapsed();
    let text = emitted.single_text().unwrap();
    let types = schema
        .vertices()
        .values()
        .filter(|v| {
            matches!(
                v.kind.as_str(),
                "object" | "interface" | "input" | "union" | "enum" | "scalar"
            )
        })
        .count();
    let descriptions = schema
        .constraints()
        .values()
        .filter(|c| c.contains_key("description"))
        .count();
    println!(
        "{} ({} bytes): {} vertices, {types} types, {descriptions} descriptions; parse {parsed:?}, emit {written:?} ({} bytes)",
        file_name(&path),
        source.files()[0].text.len(),
        schema.vertices().len(),
        text.len()
    );
    assert!(
        types > 500 && descriptions > 3000,
        "{types} types, {descriptions} descriptions"
    );

    // The full size in release builds; a debug build (plain `cargo test`)
    // checks the same on a sixth of it.
    let size = if cfg!(debug_assertions) {
        200_000
    } else {
        1_200_000
    };
    let sdl = synthetic_sdl(size);
    let source = Source::from_text("big.graphql", sdl.as_str());
    let started = Instant::now();
    let schema = Format::Graphql.parse(&source, &options).unwrap();
    let parsed = started.elapsed();
    let started = Instant::now();
    let emitted = Format::Graphql.emit(&schema, &options).unwrap();
    let written = started.elapsed();
    println!(
        "synthetic SDL ({} bytes): {} vertices; parse {parsed:?}, emit {written:?}",
        sdl.len(),
        schema.vertices().len()
    );
    let again = Source::from_files("big", emitted.files);
    assert_eq!(Format::Graphql.parse(&again, &options).unwrap(), schema);
    assert_eq!(constraint(&schema, "T3.f2", "deprecated"), Some("use g2"));
}

#[test]
fn blank_files_and_schema_extensions_across_files() {
    let source = Source::from_files(
        "dir",
        [
            (
                "a.graphql".to_owned(),
                "schema { query: Q }\ntype Q { a: Int }\ntype M { b: Int }".to_owned(),
            ),
            ("b.graphql".to_owned(), "# only a comment\n".to_owned()),
            (
                "c.graphql".to_owned(),
                "extend schema { mutation: M }".to_owned(),
            ),
        ],
    );
    let schema = common::round_trip(Format::Graphql, &source);
    assert_eq!(kind(&schema, "b.graphql"), "file");
    // The schema block is defined in a.graphql: the extension merges into it.
    assert!(has_edge(
        &schema,
        "{schema}",
        "M",
        "operation",
        Some("mutation")
    ));
    assert!(has_edge(&schema, "a.graphql", "{schema}", "declares", None));
    assert_eq!(
        constraint(&schema, "{schema}", "order"),
        Some(r#"["query","mutation"]"#)
    );
    let emitted = Format::Graphql
        .emit(&schema, &FormatOptions::default())
        .unwrap();
    assert!(emitted.files["a.graphql"].starts_with("schema {\n  query: Q\n  mutation: M\n}\n"));
    assert_eq!(emitted.files["b.graphql"], "");
    // One blank file is an empty schema.
    assert!(parse("# nothing\n,,\n").unwrap().vertices().is_empty());
}

#[test]
fn emit_refuses_a_cycle_of_lists() {
    let schema = Schema::builder(panproto_core::builtin_protocol("graphql").unwrap())
        .vertex("Q", "object", None)
        .vertex("Q.a", "list", None)
        .edge("Q", "Q.a", "field", Some("a".to_owned()))
        .edge("Q.a", "Q.a", "of", None)
        .build()
        .unwrap();
    assert!(matches!(
        Format::Graphql.emit(&schema, &FormatOptions::default()),
        Err(FormatError::Unemittable { .. })
    ));
}

#[test]
fn gqlgen_singlefile_fragments_as_one_schema() {
    // Six files of gqlgen's test server, which extend each other's Query
    // and Mutation; the rest of that schema (UUID, ShapeUnion...) is in
    // files the corpus does not have, so refs to it are external.
    let files = corpus_paths()
        .into_iter()
        .filter(|p| file_name(p).starts_with("gqlgen_codegen_testserver_singlefile_"))
        .map(|p| (file_name(&p), std::fs::read_to_string(&p).unwrap()))
        .collect::<Vec<_>>();
    assert_eq!(files.len(), 6);
    let source = Source::from_files("singlefile", files);
    let schema = round_trip_with(&source, &fragment_options());
    let emitted = Format::Graphql.emit(&schema, &fragment_options()).unwrap();
    let validtypes = "gqlgen_codegen_testserver_singlefile_validtypes.graphql";
    assert!(has_edge(
        &schema,
        "gqlgen_codegen_testserver_singlefile_schema.graphql",
        "Query",
        "declares",
        None
    ));
    assert!(has_edge(
        &schema,
        validtypes,
        "Query.validType",
        "extends",
        None
    ));
    assert!(
        emitted.files[validtypes].contains("extend type Query {\n  validType: ValidType\n}\n"),
        "{}",
        emitted.files[validtypes]
    );
    // The scalar the directive file alone cannot resolve is in a sibling.
    assert_eq!(kind(&schema, "UUID"), "scalar");
}

#[test]
fn comments_before_declarations_and_members_are_kept() {
    let schema = round_trip_text(
        "# The query type,\n#  the entry points\ntype Query {\n  # The hero\n  hero(\n    # which one\n    episode: Int\n  ): Int\n}\n\
         enum E {\n  #no space\n  A\n}\n# a directive\ndirective @d on FIELD\n",
    );
    assert_eq!(
        constraint(&schema, "Query", "comment"),
        Some("The query type,\n the entry points")
    );
    assert_eq!(
        constraint(&schema, "Query.hero", "comment"),
        Some("The hero")
    );
    assert_eq!(
        constraint(&schema, "Query.hero(episode:)", "comment"),
        Some("which one")
    );
    assert_eq!(constraint(&schema, "E.A", "comment"), Some("no space"));
    assert_eq!(constraint(&schema, "@d", "comment"), Some("a directive"));
    let text = emit(&schema);
    assert!(
        text.contains("# The query type,\n#  the entry points\ntype Query {\n  # The hero\n  hero(\n    # which one\n    episode: Int\n  ): Int\n}"),
        "{text}"
    );
}
