//! JSON Schema: every corpus file, and the corpus folder as one schema,
//! round trips; inline files for what the corpus lacks; the emitted
//! documents pass the `jsonschema` package's meta-schema check and judge
//! instances as the originals do; bad input gives located errors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use panproto_core::{Format, FormatError, FormatOptions, Schema, Source, builtin_protocol};

use crate::common::{self, Oracle};

const F: Format = Format::JsonSchema;

fn parse(name: &str, text: &str) -> Schema {
    F.parse(&Source::from_text(name, text), &FormatOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_err(name: &str, text: &str) -> FormatError {
    F.parse(&Source::from_text(name, text), &FormatOptions::default())
        .expect_err("the input should be refused")
}

fn emit_one(schema: &Schema) -> serde_json::Value {
    let emitted = F.emit(schema, &FormatOptions::default()).unwrap();
    serde_json::from_str(emitted.single_text().unwrap()).unwrap()
}

/// Round trips text given inline, returning the schema.
fn round_trip_text(name: &str, text: &str) -> Schema {
    common::round_trip(F, &Source::from_text(name, text))
}

fn kind(s: &Schema, v: &str) -> String {
    s.vertices()
        .get(v)
        .unwrap_or_else(|| panic!("no vertex {v:?}; vertices: {:?}", s.vertices().keys()))
        .kind
        .clone()
}

fn constraint(s: &Schema, v: &str, sort: &str) -> Option<String> {
    s.constraints().get(v).and_then(|c| c.get(sort)).cloned()
}

fn has_edge(s: &Schema, src: &str, tgt: &str, kind: &str, name: Option<&str>) -> bool {
    s.edges()
        .iter()
        .any(|e| e.src == src && e.tgt == tgt && e.kind == kind && e.name.as_deref() == name)
}

fn corpus_file(name: &str) -> PathBuf {
    common::corpus("jsonschema").join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The OCI image-spec files under their upstream names (the corpus
/// prefixes them with `oci_`), so their relative refs resolve.
fn oci_source() -> Source {
    let files = common::corpus_files("jsonschema", ".json")
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            let upstream = name.strip_prefix("oci_")?.to_owned();
            Some((upstream, read(&p)))
        });
    Source::from_files("oci", files)
}

/// The corpus folder as one source, the OCI files under `oci/` with their
/// upstream names (the corpus flattens them to `oci_*.json`, which breaks
/// their relative refs); every other file as it is.
fn corpus_folder() -> Source {
    let files = common::corpus_files("jsonschema", ".json")
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            let path = match name.strip_prefix("oci_") {
                Some(upstream) => format!("oci/{upstream}"),
                None => name,
            };
            (path, read(&p))
        });
    Source::from_files("corpus/jsonschema", files)
}

/// Corpus files that cannot be read alone: they name a sibling by a path
/// relative to a file (no absolute `$id`), so they are read with it, under
/// the upstream names.
const WITH_SIBLINGS: &[(&str, &[(&str, &str)])] = &[(
    "oci_defs-descriptor.json",
    &[
        ("defs-descriptor.json", "oci_defs-descriptor.json"),
        ("defs.json", "oci_defs.json"),
    ],
)];

#[test]
fn every_corpus_file_round_trips() {
    let mut count = 0;
    for path in common::corpus_files("jsonschema", ".json") {
        let name = path.file_name().unwrap().to_str().unwrap();
        let source = match WITH_SIBLINGS.iter().find(|(n, _)| *n == name) {
            Some((_, files)) => Source::from_files(
                name,
                files
                    .iter()
                    .map(|(as_name, file)| ((*as_name).to_owned(), read(&corpus_file(file)))),
            ),
            None => Source::read(&path, |_| true).unwrap(),
        };
        let schema = common::round_trip(F, &source);
        assert!(!schema.vertices().is_empty(), "{name}: {schema:?}");
        count += 1;
    }
    assert_eq!(count, 30);
}

#[test]
fn a_file_that_names_a_missing_sibling_is_an_unresolved_ref() {
    let err = F
        .parse(
            &Source::read(&corpus_file("oci_defs-descriptor.json"), |_| true).unwrap(),
            &FormatOptions::default(),
        )
        .unwrap_err();
    let FormatError::UnresolvedRef { at, reference } = &err else {
        panic!("{err}")
    };
    assert_eq!(reference, "defs.json#/definitions/mapStringString");
    assert_eq!(at.file, "oci_defs-descriptor.json");
    assert_eq!((at.line, at.column), (29, 7), "{err}");
}

#[test]
fn the_corpus_folder_round_trips_as_one_schema() {
    let source = corpus_folder();
    let schema = common::round_trip(F, &source);
    // One file vertex per file, with its root.
    let files = schema
        .vertices()
        .values()
        .filter(|v| v.kind == "file")
        .count();
    assert_eq!(files, 30);
    // CycloneDX's bom names spdx.schema.json relative to its $id, which is
    // the $id of the corpus's SPDX file: the ref is an edge between files.
    let bom = "cyclonedx_bom-1.6.schema.json";
    let spdx_root = "cyclonedx_spdx.schema.json#";
    let refs: Vec<_> = schema
        .edges()
        .iter()
        .filter(|e| e.kind == "ref" && e.src.starts_with(bom) && e.tgt == spdx_root)
        .collect();
    assert_eq!(refs.len(), 1, "{refs:?}");
    // Its text is not what emit would write from the file names, so it is kept.
    assert_eq!(
        constraint(&schema, &refs[0].src, "$ref").as_deref(),
        Some("spdx.schema.json")
    );
    // The 2020-12 meta-schema's allOf refs reach the vocabulary files by $id.
    assert!(has_edge(
        &schema,
        "meta_draft202012_metaschema.json#/allOf/0",
        "meta_draft202012_vocab_core.json#",
        "ref",
        None
    ));
    // OpenAPI 2.0 refs the draft-04 meta-schema by its absolute URI.
    assert!(schema.edges().iter().any(|e| e.kind == "ref"
        && e.src.starts_with("openapi-2.0_schema.json#")
        && e.tgt == "meta_draft4_metaschema.json#/properties/title"));
}

#[test]
fn the_oci_files_resolve_each_other_by_path() {
    let schema = common::round_trip(F, &oci_source());
    assert!(has_edge(
        &schema,
        "content-descriptor.json#/properties/size",
        "defs-descriptor.json#/definitions/size",
        "ref",
        None
    ));
    // The canonical text is what the file says: nothing kept beside the edge.
    assert_eq!(
        constraint(&schema, "content-descriptor.json#/properties/size", "$ref"),
        None
    );
    assert!(has_edge(
        &schema,
        "defs-descriptor.json#/definitions/annotations",
        "defs.json#/definitions/mapStringString",
        "ref",
        None
    ));
    assert!(has_edge(
        &schema,
        "image-manifest-schema.json#/properties/config",
        "content-descriptor.json#",
        "ref",
        None
    ));
    let emitted = F.emit(&schema, &FormatOptions::default()).unwrap();
    let names: Vec<_> = emitted.files.keys().cloned().collect();
    assert!(names.contains(&"defs.json".to_owned()), "{names:?}");
    let descriptor: serde_json::Value =
        serde_json::from_str(&emitted.files["content-descriptor.json"]).unwrap();
    assert_eq!(
        descriptor["properties"]["size"]["$ref"],
        "defs-descriptor.json#/definitions/size"
    );
    assert_eq!(
        descriptor["required"],
        serde_json::json!(["mediaType", "size", "digest"])
    );
}

#[test]
fn objects_properties_required_and_bounds() {
    let text = r#"{
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.com/person",
        "title": "Person",
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": "^[A-Z]"},
            "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 150, "multipleOf": 1},
            "email": {"type": "string", "format": "email", "description": "Where to write"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true},
            "kind": {"enum": ["a", "b", 3]},
            "v": {"const": 2, "default": 2, "examples": [2]}
        },
        "required": ["name", "extra"],
        "additionalProperties": false,
        "patternProperties": {"^x-": {"type": "string"}},
        "minProperties": 1,
        "maxProperties": 9
    }"#;
    let s = round_trip_text("person.json", text);
    assert_eq!(kind(&s, "#"), "object");
    assert_eq!(
        constraint(&s, "#", "$schema").unwrap(),
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        constraint(&s, "#", "$id").unwrap(),
        "https://example.com/person"
    );
    assert_eq!(constraint(&s, "#", "title").unwrap(), "Person");
    assert!(has_edge(&s, "#", "#/properties/name", "prop", Some("name")));
    assert_eq!(kind(&s, "#/properties/name"), "string");
    assert_eq!(
        constraint(&s, "#/properties/name", "maxLength").unwrap(),
        "80"
    );
    assert_eq!(
        constraint(&s, "#/properties/name", "pattern").unwrap(),
        "^[A-Z]"
    );
    assert_eq!(
        constraint(&s, "#/properties/age", "exclusiveMaximum").unwrap(),
        "150"
    );
    assert_eq!(
        constraint(&s, "#/properties/email", "format").unwrap(),
        "email"
    );
    assert_eq!(
        constraint(&s, "#/properties/email", "description").unwrap(),
        "Where to write"
    );
    assert!(has_edge(
        &s,
        "#/properties/tags",
        "#/properties/tags/items",
        "items",
        None
    ));
    assert_eq!(
        constraint(&s, "#/properties/tags", "uniqueItems").unwrap(),
        "true"
    );
    assert_eq!(kind(&s, "#/properties/kind"), "schema");
    assert_eq!(
        constraint(&s, "#/properties/kind", "enum").unwrap(),
        r#"["a","b",3]"#
    );
    assert_eq!(constraint(&s, "#/properties/v", "const").unwrap(), "2");
    assert_eq!(constraint(&s, "#/properties/v", "examples").unwrap(), "[2]");
    let required: Vec<_> = s.required()["#"].iter().cloned().collect();
    assert_eq!(required, ["name"]);
    assert_eq!(
        constraint(&s, "#", "requiredWithoutProperty").unwrap(),
        r#"["extra"]"#
    );
    assert!(has_edge(
        &s,
        "#",
        "#/additionalProperties",
        "additional-properties",
        None
    ));
    assert_eq!(
        constraint(&s, "#/additionalProperties", "boolean-schema").unwrap(),
        "false"
    );
    assert!(has_edge(
        &s,
        "#",
        "#/patternProperties/^x-",
        "pattern-property",
        Some("^x-")
    ));
    let out = emit_one(&s);
    assert_eq!(out["required"], serde_json::json!(["name", "extra"]));
    assert_eq!(out["additionalProperties"], serde_json::json!(false));
    assert_eq!(
        out["properties"]["kind"]["enum"],
        serde_json::json!(["a", "b", 3])
    );
}

#[test]
fn property_order_is_kept_and_keywords_come_in_a_reading_order() {
    let text = r#"{"properties": {"zeta": {"type": "string"}, "alpha": {}, "mid": {"x-ui": {"b": 1, "a": 2}}},
                   "type": "object", "$schema": "https://json-schema.org/draft/2020-12/schema",
                   "x-later": 1, "x-first": 2}"#;
    let s = round_trip_text("o.json", text);
    assert_eq!(
        constraint(&s, "#", "propertyOrder").unwrap(),
        r#"["zeta","alpha","mid"]"#
    );
    assert_eq!(
        constraint(&s, "#", "keywords").unwrap(),
        r#"{"x-later":1,"x-first":2}"#
    );
    let emitted = F.emit(&s, &FormatOptions::default()).unwrap();
    let out = emitted.single_text().unwrap();
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {out}"))
    };
    assert!(
        at("\"$schema\"") < at("\"type\"") && at("\"type\"") < at("\"properties\""),
        "{out}"
    );
    assert!(
        at("\"zeta\"") < at("\"alpha\"") && at("\"alpha\"") < at("\"mid\""),
        "{out}"
    );
    assert!(
        at("\"x-later\"") < at("\"x-first\"") && at("\"b\": 1") < at("\"a\": 2"),
        "{out}"
    );
    // A hand-built schema without an order writes its properties by name.
    let unordered = Schema::builder(builtin_protocol("json-schema").unwrap())
        .vertex("#", "object", None)
        .vertex("#/properties/b", "string", None)
        .vertex("#/properties/a", "string", None)
        .edge("#", "#/properties/b", "prop", Some("b".to_owned()))
        .edge("#", "#/properties/a", "prop", Some("a".to_owned()))
        .build()
        .unwrap();
    let emitted = F.emit(&unordered, &FormatOptions::default()).unwrap();
    let out = emitted.single_text().unwrap();
    assert!(out.find("\"a\"") < out.find("\"b\""), "{out}");
}

#[test]
fn records_are_checked_against_parsed_schemas() {
    let schema = |additional: &str| {
        parse(
            "r.json",
            &format!(
                r#"{{"type": "object", "properties": {{"name": {{"type": "string", "maxLength": 3}}}},
                    "required": ["name"], "additionalProperties": {additional}}}"#
            ),
        )
    };
    let record = |json: &str| {
        panproto_core::Value::from(serde_json::from_str::<serde_json::Value>(json).unwrap())
    };
    let closed = schema("false");
    assert!(
        closed
            .validate_record(&record(r#"{"name": "ab"}"#), "#")
            .is_empty()
    );
    assert!(
        !closed
            .validate_record(&record(r#"{"name": "ab", "x": 1}"#), "#")
            .is_empty()
    );
    assert!(
        !closed
            .validate_record(&record(r#"{"name": "abcd"}"#), "#")
            .is_empty()
    );
    assert!(!closed.validate_record(&record("{}"), "#").is_empty());
    let open = schema("true");
    assert!(
        open.validate_record(&record(r#"{"name": "ab", "x": 1}"#), "#")
            .is_empty()
    );
}

#[test]
fn a_wide_object_round_trips_in_order() {
    // Names in an order that is not sorted, all required.
    let names: Vec<String> = (0..5_000)
        .map(|i| format!("p{}", (i * 7919) % 5_000))
        .collect();
    let properties: Vec<String> = names
        .iter()
        .map(|n| format!("\"{n}\": {{\"type\": \"integer\"}}"))
        .collect();
    let required: Vec<String> = names.iter().rev().map(|n| format!("\"{n}\"")).collect();
    let text = format!(
        "{{\"type\": \"object\", \"properties\": {{{}}}, \"required\": [{}]}}",
        properties.join(", "),
        required.join(", ")
    );
    let start = std::time::Instant::now();
    let s = round_trip_text("wide.json", &text);
    let round = start.elapsed();
    let start = std::time::Instant::now();
    let _ = parse("wide.json", &text);
    let parsed = start.elapsed();
    let start = std::time::Instant::now();
    let _ = F.emit(&s, &FormatOptions::default()).unwrap();
    let written = start.elapsed();
    eprintln!("5,000 properties: round trip in {round:?} (parse {parsed:?}, emit {written:?})");
    assert_eq!(s.required()["#"].len(), 5_000);
    let out = emit_one(&s);
    let keys: Vec<&String> = out["properties"].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5_000);
    let emitted = F.emit(&s, &FormatOptions::default()).unwrap();
    let text = emitted.single_text().unwrap();
    // 7919 is prime: i * 7919 mod 5000 visits every name, p0, p2919, p838, p3757...
    assert!(text.find("\"p2919\"") < text.find("\"p838\""));
    assert!(text.find("\"p838\"") < text.find("\"p3757\""));
}

#[test]
fn defs_refs_anchors_and_recursion() {
    let text = r##"{
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                    "leaf": {"$ref": "#leaf", "description": "a sibling of $ref"},
                    "self": {"$ref": "#"},
                    "a/b": {"$ref": "#/$defs/node/properties/a~1b"}
                }
            },
            "leaf": {"$anchor": "leaf", "type": "string"}
        }
    }"##;
    let s = round_trip_text("tree.json", text);
    assert_eq!(kind(&s, "#"), "ref");
    assert!(has_edge(&s, "#", "#/$defs/node", "def", Some("node")));
    assert!(has_edge(&s, "#", "#/$defs/node", "ref", None));
    // Recursive: the items node refs its ancestor, which stays one vertex.
    assert!(has_edge(
        &s,
        "#/$defs/node/properties/children/items",
        "#/$defs/node",
        "ref",
        None
    ));
    assert_eq!(
        constraint(&s, "#/$defs/node/properties/children/items", "$ref"),
        None
    );
    // An anchor ref is an edge, and keeps its text (emit would write a pointer).
    let leaf = "#/$defs/node/properties/leaf";
    assert!(has_edge(&s, leaf, "#/$defs/leaf", "ref", None));
    assert_eq!(constraint(&s, leaf, "$ref").unwrap(), "#leaf");
    assert_eq!(
        constraint(&s, leaf, "description").unwrap(),
        "a sibling of $ref"
    );
    assert!(has_edge(
        &s,
        "#/$defs/node/properties/self",
        "#",
        "ref",
        None
    ));
    // An escaped pointer segment.
    let slash = "#/$defs/node/properties/a~1b";
    assert!(has_edge(&s, "#/$defs/node", slash, "prop", Some("a/b")));
    assert!(has_edge(&s, slash, slash, "ref", None));
    // A hand-built ref (no text) is written as a pointer.
    let built = s
        .to_builder()
        .vertex("#/$defs/other", "ref", None)
        .edge("#", "#/$defs/other", "def", Some("other".to_owned()))
        .edge("#/$defs/other", "#/$defs/leaf", "ref", None)
        .build()
        .unwrap();
    let out = emit_one(&built);
    assert_eq!(out["$defs"]["other"]["$ref"], "#/$defs/leaf");
}

#[test]
fn draft_7_definitions_and_applicators() {
    let text = r##"{
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {
            "pos": {"type": "number", "exclusiveMinimum": 0},
            "ab": {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}
        },
        "type": ["object", "null"],
        "allOf": [{"$ref": "#/definitions/ab"}],
        "anyOf": [{"type": "object"}, {"type": "null"}],
        "not": {"const": 0},
        "if": {"properties": {"k": {"const": "x"}}},
        "then": {"required": ["x"]},
        "else": true,
        "properties": {
            "n": {"$ref": "#/definitions/pos"},
            "t": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false},
            "c": {"type": "array", "contains": {"type": "string"}}
        },
        "propertyNames": {"maxLength": 10},
        "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
        "x-vendor": {"anything": [1, 2]},
        "$comment": "kept"
    }"##;
    let s = round_trip_text("d7.json", text);
    assert_eq!(kind(&s, "#"), "union");
    assert!(has_edge(&s, "#", "#/type/object", "variant", Some("0")));
    assert!(has_edge(&s, "#", "#/type/null", "variant", Some("1")));
    assert_eq!(kind(&s, "#/type/null"), "null");
    assert!(has_edge(
        &s,
        "#",
        "#/definitions/pos",
        "definition",
        Some("pos")
    ));
    assert_eq!(kind(&s, "#/definitions/ab"), "union");
    assert!(has_edge(
        &s,
        "#/definitions/ab",
        "#/definitions/ab/oneOf/1",
        "one-of",
        Some("1")
    ));
    assert_eq!(
        constraint(&s, "#/definitions/ab/oneOf/1", "requiredWithoutProperty").unwrap(),
        r#"["b"]"#
    );
    assert!(has_edge(&s, "#", "#/allOf/0", "all-of", Some("0")));
    assert!(has_edge(&s, "#/allOf/0", "#/definitions/ab", "ref", None));
    assert!(has_edge(&s, "#", "#/anyOf/1", "any-of", Some("1")));
    assert!(has_edge(&s, "#", "#/not", "not", None));
    assert!(has_edge(&s, "#", "#/if", "if", None));
    assert!(has_edge(&s, "#", "#/then", "then", None));
    assert!(has_edge(&s, "#", "#/else", "else", None));
    assert_eq!(constraint(&s, "#/else", "boolean-schema").unwrap(), "true");
    assert!(has_edge(
        &s,
        "#/properties/t",
        "#/properties/t/items/1",
        "tuple-item",
        Some("1")
    ));
    assert!(has_edge(
        &s,
        "#/properties/t",
        "#/properties/t/additionalItems",
        "additional-items",
        None
    ));
    assert!(has_edge(
        &s,
        "#/properties/c",
        "#/properties/c/contains",
        "contains",
        None
    ));
    assert!(has_edge(&s, "#", "#/propertyNames", "property-names", None));
    assert_eq!(
        constraint(&s, "#", "dependencies").unwrap(),
        r#"{"a":["b"]}"#
    );
    assert!(has_edge(
        &s,
        "#",
        "#/dependencies/c",
        "dependency",
        Some("c")
    ));
    assert_eq!(
        constraint(&s, "#", "keywords").unwrap(),
        r#"{"x-vendor":{"anything":[1,2]}}"#
    );
    assert_eq!(constraint(&s, "#", "$comment").unwrap(), "kept");
    let out = emit_one(&s);
    let original: serde_json::Value = serde_json::from_str(text).unwrap();
    // Every keyword comes back as it was (this file's lists are already sorted).
    assert_eq!(out, original);
}

#[test]
fn draft_2020_12_arrays_and_unevaluated() {
    let text = r##"{
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "number"}],
        "items": false,
        "unevaluatedItems": false,
        "minContains": 1,
        "maxContains": 2,
        "contains": {"type": "number"},
        "$defs": {
            "obj": {
                "type": "object",
                "unevaluatedProperties": {"type": "string"},
                "dependentRequired": {"a": ["b"]},
                "dependentSchemas": {"c": {"required": ["d"]}},
                "deprecated": true,
                "readOnly": true,
                "contentMediaType": "application/json",
                "contentSchema": {"type": "object"}
            },
            "dyn": {"$dynamicAnchor": "meta", "$dynamicRef": "#meta"}
        }
    }"##;
    let s = round_trip_text("a.json", text);
    assert!(has_edge(
        &s,
        "#",
        "#/prefixItems/0",
        "prefix-item",
        Some("0")
    ));
    assert!(has_edge(&s, "#", "#/items", "items", None));
    assert!(has_edge(
        &s,
        "#",
        "#/unevaluatedItems",
        "unevaluated-items",
        None
    ));
    assert_eq!(constraint(&s, "#", "maxContains").unwrap(), "2");
    let obj = "#/$defs/obj";
    assert!(has_edge(
        &s,
        obj,
        "#/$defs/obj/unevaluatedProperties",
        "unevaluated-properties",
        None
    ));
    assert_eq!(
        constraint(&s, obj, "dependentRequired").unwrap(),
        r#"{"a":["b"]}"#
    );
    assert!(has_edge(
        &s,
        obj,
        "#/$defs/obj/dependentSchemas/c",
        "dependent-schema",
        Some("c")
    ));
    assert!(has_edge(
        &s,
        obj,
        "#/$defs/obj/contentSchema",
        "content-schema",
        None
    ));
    assert_eq!(constraint(&s, obj, "deprecated").unwrap(), "true");
    assert_eq!(
        constraint(&s, "#/$defs/dyn", "$dynamicRef").unwrap(),
        "#meta"
    );
    let out = emit_one(&s);
    let original: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(out, original);
}

#[test]
fn draft_4_id_and_boolean_exclusive_bounds() {
    let text = r##"{
        "$schema": "http://json-schema.org/draft-04/schema#",
        "id": "http://example.com/root.json",
        "definitions": {
            "a": {"id": "#foo", "type": "integer", "minimum": 0, "exclusiveMinimum": true}
        },
        "properties": {"x": {"$ref": "#foo"}, "y": {"$ref": "http://example.com/root.json#/definitions/a"}}
    }"##;
    let s = round_trip_text("d4.json", text);
    assert_eq!(
        constraint(&s, "#", "id").unwrap(),
        "http://example.com/root.json"
    );
    assert_eq!(
        constraint(&s, "#/definitions/a", "exclusiveMinimum").unwrap(),
        "true"
    );
    assert!(has_edge(
        &s,
        "#/properties/x",
        "#/definitions/a",
        "ref",
        None
    ));
    assert!(has_edge(
        &s,
        "#/properties/y",
        "#/definitions/a",
        "ref",
        None
    ));
    // Up to draft 7 a `$ref` overrides its siblings, `$id` too; from
    // 2019-09 the `$id` beside it changes the base the ref resolves against.
    let text = |draft: &str| {
        format!(
            r##"{{"$schema": "{draft}", "$id": "http://x.org/root.json",
                "definitions": {{"d": {{"type": "string"}}}},
                "properties": {{"p": {{"$id": "http://x.org/p.json", "$ref": "#/definitions/d"}}}}}}"##
        )
    };
    let s = round_trip_text("d7.json", &text("http://json-schema.org/draft-07/schema#"));
    assert!(has_edge(
        &s,
        "#/properties/p",
        "#/definitions/d",
        "ref",
        None
    ));
    assert_eq!(
        constraint(&s, "#/properties/p", "$id").unwrap(),
        "http://x.org/p.json"
    );
    let err = parse_err(
        "d2020.json",
        &text("https://json-schema.org/draft/2020-12/schema"),
    );
    assert!(matches!(err, FormatError::UnresolvedRef { .. }), "{err}");
    // In draft 2020-12, `id` is not a keyword: kept with the unknown ones.
    let s = parse("n.json", r#"{"id": 5, "type": "string"}"#);
    assert_eq!(constraint(&s, "#", "keywords").unwrap(), r#"{"id":5}"#);
}

#[test]
fn refs_across_files_of_a_directory() {
    let source = Source::from_files(
        "dir",
        [
            (
                "main.json".to_owned(),
                r#"{"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "properties": {"a": {"$ref": "types/common.json#/$defs/Id"},
                                   "b": {"$ref": "./types/common.json"}}}"#
                    .to_owned(),
            ),
            (
                "types/common.json".to_owned(),
                r#"{"$defs": {"Id": {"type": "string", "format": "uuid"}},
                    "properties": {"up": {"$ref": "../main.json"}}}"#
                    .to_owned(),
            ),
        ],
    );
    let s = common::round_trip(F, &source);
    assert_eq!(kind(&s, "main.json"), "file");
    assert!(has_edge(&s, "main.json", "main.json#", "root", None));
    assert!(has_edge(
        &s,
        "main.json#/properties/a",
        "types/common.json#/$defs/Id",
        "ref",
        None
    ));
    assert_eq!(constraint(&s, "main.json#/properties/a", "$ref"), None);
    assert!(has_edge(
        &s,
        "main.json#/properties/b",
        "types/common.json#",
        "ref",
        None
    ));
    assert_eq!(
        constraint(&s, "main.json#/properties/b", "$ref").unwrap(),
        "./types/common.json"
    );
    assert!(has_edge(
        &s,
        "types/common.json#/properties/up",
        "main.json#",
        "ref",
        None
    ));
    let emitted = F.emit(&s, &FormatOptions::default()).unwrap();
    assert_eq!(
        emitted.files.keys().collect::<Vec<_>>(),
        ["main.json", "types/common.json"]
    );
}

#[test]
fn remote_refs_are_kept_as_text() {
    let text = r#"{"properties": {"t": {"$ref": "https://example.com/other.json#/$defs/T"}}}"#;
    let s = round_trip_text("r.json", text);
    assert_eq!(kind(&s, "#/properties/t"), "ref");
    assert!(!s.edges().iter().any(|e| e.kind == "ref"));
    assert_eq!(
        constraint(&s, "#/properties/t", "$ref").unwrap(),
        "https://example.com/other.json#/$defs/T"
    );
    assert_eq!(
        emit_one(&s)["properties"]["t"]["$ref"],
        "https://example.com/other.json#/$defs/T"
    );
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let err = parse_err(
        "bad.json",
        "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"a\": {\"type\" \"string\"}\n  }\n}",
    );
    let FormatError::Syntax { at, message } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (at.file.as_str(), at.line, at.column),
        ("bad.json", 4, 18),
        "{err}"
    );
    assert!(message.contains("expected `:`"), "{message}");
    let err = parse_err("empty.json", "");
    assert!(matches!(err, FormatError::Syntax { .. }), "{err}");
    // A key twice in one object: refused, not one of them dropped.
    let err = parse_err(
        "twice.json",
        "{\"type\": \"string\",\n \"type\": \"integer\"}",
    );
    let FormatError::Syntax { at, message } = &err else {
        panic!("{err}")
    };
    assert_eq!(at.line, 2, "{err}");
    assert!(message.contains("\"type\" appears twice"), "{message}");
}

#[test]
fn unresolved_refs_name_the_ref_and_the_file() {
    for (text, reference) in [
        (
            r##"{"properties": {"a": {"$ref": "#/$defs/missing"}}}"##,
            "#/$defs/missing",
        ),
        (
            r##"{"properties": {"a": {"$ref": "#nowhere"}}}"##,
            "#nowhere",
        ),
        (
            r##"{"properties": {"a": {"$ref": "sibling.json#/$defs/X"}}}"##,
            "sibling.json#/$defs/X",
        ),
    ] {
        let err = parse_err("refs.json", text);
        let FormatError::UnresolvedRef { at, reference: r } = &err else {
            panic!("{err}")
        };
        assert_eq!(r, reference);
        assert_eq!((at.file.as_str(), at.line), ("refs.json", 1));
        assert!(err.to_string().contains(reference), "{err}");
    }
}

#[test]
fn invalid_and_unsupported_input_is_refused_with_its_place() {
    let err = parse_err(
        "old.json",
        "{\n\"$schema\": \"http://json-schema.org/draft-03/schema#\"}",
    );
    let FormatError::Unsupported { at, construct, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (at.line, construct.contains("draft-03")),
        (2, true),
        "{err}"
    );
    for (text, line) in [
        ("{\n\"properties\": 5}", 2),
        ("{\"type\":\n \"text\"}", 1),
        ("{\"type\": [\"string\", \"string\"]}", 1),
        ("{\"items\": 3}", 1),
        ("{\"allOf\": {}}", 1),
        ("{\n\n\"minLength\": -1}", 3),
        ("{\"required\": [1]}", 1),
        ("{\"$ref\": 1}", 1),
        ("[1, 2]", 1),
    ] {
        let err = parse_err("x.json", text);
        let Some(at) = err.location() else {
            panic!("{err}")
        };
        assert!(matches!(err, FormatError::Invalid { .. }), "{text}: {err}");
        assert_eq!(at.line, line, "{text}: {err}");
    }
}

#[test]
fn errors_point_at_the_keyword_itself() {
    // The first "minLength" is fine: the error is at the second.
    let text = "{\n  \"properties\": {\n    \"a\": {\"minLength\": 1},\n    \"b\": {\"minLength\": \"two\"}\n  }\n}";
    let err = parse_err("at.json", text);
    let FormatError::Invalid { at, message } = &err else {
        panic!("{err}")
    };
    assert_eq!((at.line, at.column), (4, 11), "{err}");
    assert!(
        message.contains("minLength must be a non-negative integer"),
        "{message}"
    );
    // An unresolved ref: at its own "$ref", not the first one of the file.
    let text = "{\"$defs\": {\"a\": {}},\n \"properties\": {\"x\": {\"$ref\": \"#/$defs/a\"},\n   \"y\": {\"$ref\": \"#/$defs/b\"}}}";
    let err = parse_err("at.json", text);
    let FormatError::UnresolvedRef { at, reference } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (reference.as_str(), at.line, at.column),
        ("#/$defs/b", 3, 10),
        "{err}"
    );
    // A node that is no schema, inside a list.
    let err = parse_err("at.json", "{\"allOf\": [{},\n  5]}");
    assert_eq!(
        err.location().map(|l| (l.line, l.column)),
        Some((2, 3)),
        "{err}"
    );
    // Two documents of one $id.
    let err = parse_err(
        "ids.json",
        r#"{"$defs": {"a": {"$id": "https://x.org/a"}, "b": {"$id": "https://x.org/a"}}}"#,
    );
    assert!(
        matches!(&err, FormatError::Invalid { message, .. } if message.contains("https://x.org/a")),
        "{err}"
    );
}

#[test]
fn emit_refuses_what_json_schema_cannot_write() {
    let other = Schema::builder(builtin_protocol("sql").unwrap())
        .vertex("t", "table", None)
        .build()
        .unwrap();
    assert!(matches!(
        F.emit(&other, &FormatOptions::default()),
        Err(FormatError::WrongProtocol { .. })
    ));
    let p = builtin_protocol("json-schema").unwrap();
    // Two roots and no file vertices.
    let two = Schema::builder(p.clone())
        .vertex("a", "object", None)
        .vertex("b", "string", None)
        .build()
        .unwrap();
    let err = F.emit(&two, &FormatOptions::default()).unwrap_err();
    assert!(matches!(err, FormatError::Unemittable { .. }), "{err}");
    // One node under two parents.
    let shared = Schema::builder(p.clone())
        .vertex("r", "object", None)
        .vertex("s", "string", None)
        .edge("r", "s", "prop", Some("a".to_owned()))
        .edge("r", "s", "prop", Some("b".to_owned()))
        .build()
        .unwrap();
    let err = F.emit(&shared, &FormatOptions::default()).unwrap_err();
    assert!(err.to_string().contains("two parents"), "{err}");
    // A kind the node's keywords would not read back as.
    let untargeted = Schema::builder(p.clone())
        .vertex("r", "object", None)
        .vertex("s", "ref", None)
        .edge("r", "s", "prop", Some("a".to_owned()))
        .build()
        .unwrap();
    let err = F.emit(&untargeted, &FormatOptions::default()).unwrap_err();
    assert!(err.to_string().contains("reads back as"), "{err}");
    let plain_with_ref = Schema::builder(p.clone())
        .vertex("r", "schema", None)
        .vertex("d", "string", None)
        .edge("r", "d", "def", Some("d".to_owned()))
        .edge("r", "d", "ref", None)
        .build()
        .unwrap();
    let err = F
        .emit(&plain_with_ref, &FormatOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("reads back as a \"ref\""), "{err}");
    // A list edge whose name is no index.
    let named = Schema::builder(p)
        .vertex("r", "schema", None)
        .vertex("s", "string", None)
        .edge("r", "s", "all-of", Some("first".to_owned()))
        .build()
        .unwrap();
    let err = F.emit(&named, &FormatOptions::default()).unwrap_err();
    assert!(err.to_string().contains("index"), "{err}");
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let p = builtin_protocol("json-schema").unwrap();
    let chain = |n: usize| {
        let mut b = Schema::builder(p.clone()).vertex("n0", "schema", None);
        for i in 1..=n {
            let (parent, child) = (format!("n{}", i - 1), format!("n{i}"));
            b = b
                .vertex(&child, "schema", None)
                .edge(parent, child, "not", None);
        }
        b.build().unwrap()
    };
    // As deep as JSON parsers read: written, and read back.
    let deep = chain(126);
    let emitted = F.emit(&deep, &FormatOptions::default()).unwrap();
    let again = F
        .parse(
            &Source::from_files("deep", emitted.files),
            &FormatOptions::default(),
        )
        .unwrap();
    assert_eq!(again.vertices().len(), deep.vertices().len());
    assert!(again.vertices().contains_key("#/not/not"));
    // Deeper: refused, and no stack overflow however deep.
    for n in [127, 100_000] {
        let err = F.emit(&chain(n), &FormatOptions::default()).unwrap_err();
        assert!(err.to_string().contains("deeper"), "{err}");
    }
    let err = parse_err("deep.json", &"[".repeat(100_000));
    assert!(matches!(err, FormatError::Syntax { .. }), "{err}");
}

#[test]
fn truncated_and_garbage_input_never_panics() {
    let text = read(&corpus_file("cyclonedx_jsf-0.82.schema.json"));
    let mut errors = 0;
    for end in (0..text.len()).step_by(7) {
        if !text.is_char_boundary(end) {
            continue;
        }
        match F.parse(
            &Source::from_text("t.json", &text[..end]),
            &FormatOptions::default(),
        ) {
            Ok(_) => {}
            Err(e) => {
                assert!(e.location().is_some(), "{e}");
                errors += 1;
            }
        }
    }
    assert!(errors > 1000, "{errors}");
    for garbage in [
        "",
        "nul",
        "\u{feff}",
        "{\"$ref\": \"#/\"}",
        "{\"$ref\": \"#/%zz\"}",
        "{\"$ref\":\"\"}",
        "true",
        "{\"$id\": \"::\", \"$ref\": \"::#\"}",
    ] {
        let _ = F.parse(
            &Source::from_text("g.json", garbage),
            &FormatOptions::default(),
        );
    }
}

#[test]
fn sniff_tells_json_schema_from_lexicons() {
    assert!(F.sniff(r#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#));
    assert!(F.sniff(r#"{"type": "object", "properties": {}}"#));
    assert!(!F.sniff(
        r#"{"lexicon": 1, "id": "a.b.c", "defs": {"main": {"type": "object", "properties": {}}}}"#
    ));
    assert!(!F.sniff("message A {}"));
}

/// Checks each original and emitted document against its draft's
/// meta-schema (an original in `refused` must be refused, every other one
/// accepted, and every emitted one accepted), and that the original and
/// the emitted document judge the same instances alike (every original
/// document, and a few plain values, as instances).
const ORACLE: &str = r#"
import json, sys, warnings
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
warnings.simplefilter("ignore")
originals, emitted = sys.argv[1], sys.argv[2]
names = json.load(open(sys.argv[3]))
refused = set(json.load(open(sys.argv[4])))
def load(d, n): return json.load(open(f"{d}/{n}", encoding="utf-8"))
orig = {n: load(originals, n) for n in names}
emit = {n: load(emitted, n) for n in names}
def fail(uri): raise LookupError(uri)
def registry(docs):
    pairs = [(d.get("$id") or d.get("id"), Resource.from_contents(d, default_specification=DRAFT202012))
             for d in docs.values() if isinstance(d, dict) and isinstance(d.get("$id") or d.get("id"), str)]
    return Registry(retrieve=fail).with_resources(pairs)
instances = list(orig.values()) + [{}, [], "x", 1, 2.5, None, True, {"a": 1}, [1, "a"]]
def verdict(schema, reg, instance):
    try:
        return validator_for(schema)(schema, registry=reg).is_valid(instance)
    except Exception as e:
        return "error: " + type(e).__name__
def check(doc):
    try:
        validator_for(doc).check_schema(doc)
        return None
    except Exception as e:
        return str(e)[:300]
problems = []
ro, re_ = registry(orig), registry(emit)
for n in names:
    original = check(orig[n])
    if n in refused:
        if original is None:
            problems.append(f"{n}: listed as refused in its original form, but accepted")
        continue
    if original is not None:
        problems.append(f"{n}: the meta-schema refuses the original (list it, with why): {original}")
        continue
    problem = check(emit[n])
    if problem is not None:
        problems.append(f"{n}: the meta-schema refuses the emitted document: {problem}")
        continue
    for i, instance in enumerate(instances):
        a, b = verdict(orig[n], ro, instance), verdict(emit[n], re_, instance)
        # A document the validator cannot fully evaluate (spec-next's
        # `"$dynamicRef": "meta"` is unresolvable for 4.23) fails or raises
        # depending on which keyword it reaches first, that is on key
        # order: such a difference is no difference when the documents are
        # equal as JSON.
        unevaluable = "error" in f"{a}{b}" and orig[n] == emit[n]
        if a != b and not unevaluable:
            problems.append(f"{n}: instance {i}: original says {a}, emitted says {b}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
"#;

/// Files the `jsonschema` package refuses in their original form, with the
/// reason. None does today: every corpus file passes `check_schema` (the
/// oracle checks the originals too, so this list cannot go stale).
const ORIGINALS_REFUSED: &[(&str, &str)] = &[];

/// Writes each (path, original text, emitted text) under a temporary
/// directory and runs [`ORACLE`] on them.
fn run_oracle(label: &str, docs: &[(String, String, String)]) {
    let dir = crate::common::scratch_dir(&format!("jsonschema-oracle-{label}"));
    for (path, original, emitted) in docs {
        for (sub, text) in [("original", original), ("emitted", emitted)] {
            let file = dir.join(sub).join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
    }
    let names: Vec<&str> = docs.iter().map(|(p, _, _)| p.as_str()).collect();
    let refused: Vec<&str> = ORIGINALS_REFUSED.iter().map(|(n, _)| *n).collect();
    std::fs::write(
        dir.join("names.json"),
        serde_json::to_string(&names).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("refused.json"),
        serde_json::to_string(&refused).unwrap(),
    )
    .unwrap();
    let arg = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let args = [
        arg("original"),
        arg("emitted"),
        arg("names.json"),
        arg("refused.json"),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match common::run_python_oracle("jsonschema", ORACLE, &args, &dir) {
        Oracle::Ran(Ok(())) => std::fs::remove_dir_all(&dir).unwrap(),
        Oracle::Ran(Err(out)) => panic!(
            "the jsonschema package refuses (the files are in {}):\n{out}",
            dir.display()
        ),
        Oracle::Missing(why) => {
            std::fs::remove_dir_all(&dir).unwrap();
            eprintln!("skipped: {why}");
        }
    }
}

#[test]
fn the_jsonschema_package_accepts_every_emitted_file() {
    let mut docs = Vec::new();
    for path in common::corpus_files("jsonschema", ".json") {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let (source, emitted_name) = match WITH_SIBLINGS.iter().find(|(n, _)| *n == name) {
            Some((_, files)) => (
                Source::from_files(
                    name.clone(),
                    files
                        .iter()
                        .map(|(as_name, file)| ((*as_name).to_owned(), read(&corpus_file(file)))),
                ),
                files[0].0.to_owned(),
            ),
            None => (
                Source::read(&path, |_| true).unwrap(),
                "schema.json".to_owned(),
            ),
        };
        let schema = F.parse(&source, &FormatOptions::default()).unwrap();
        let mut emitted = F.emit(&schema, &FormatOptions::default()).unwrap();
        let text = emitted.files.remove(&emitted_name).unwrap();
        docs.push((name, read(&path), text));
    }
    assert_eq!(docs.len(), 30);
    run_oracle("files", &docs);
}

#[test]
fn the_jsonschema_package_accepts_the_emitted_folder() {
    let folder = corpus_folder();
    let schema = F.parse(&folder, &FormatOptions::default()).unwrap();
    let mut emitted = F.emit(&schema, &FormatOptions::default()).unwrap();
    let docs: Vec<_> = folder
        .files()
        .iter()
        .map(|f| {
            let text = emitted.files.remove(&f.path).unwrap();
            (f.path.clone(), f.text.clone(), text)
        })
        .collect();
    assert!(emitted.files.is_empty(), "{:?}", emitted.files.keys());
    run_oracle("folder", &docs);
}

#[test]
fn parse_and_emit_times() {
    /// The fastest of a few runs (the first pays for warming up).
    fn fastest<T>(mut f: impl FnMut() -> T) -> (T, std::time::Duration) {
        let mut best = None;
        let mut out = None;
        for _ in 0..5 {
            let start = std::time::Instant::now();
            out = Some(f());
            let took = start.elapsed();
            best = Some(best.map_or(took, |b: std::time::Duration| b.min(took)));
        }
        (out.unwrap(), best.unwrap())
    }
    let options = FormatOptions::default();
    let path = corpus_file("cyclonedx_bom-1.6.schema.json");
    let source = Source::read(&path, |_| true).unwrap();
    let (schema, parsed) = fastest(|| F.parse(&source, &options).unwrap());
    let (emitted, written) = fastest(|| F.emit(&schema, &options).unwrap());
    let folder = corpus_folder();
    let bytes: usize = folder.files().iter().map(|f| f.text.len()).sum();
    let (all, folder_parsed) = fastest(|| F.parse(&folder, &options).unwrap());
    let (_, folder_written) = fastest(|| F.emit(&all, &options).unwrap());
    // The model's share of parse: building and validating the same declarations.
    let builder = all.to_builder();
    let (_, folder_built) = fastest(|| builder.build().unwrap());
    eprintln!(
        "cyclonedx bom ({} bytes, {} vertices): parse {parsed:?}, emit {written:?} ({} bytes); \
         corpus folder ({bytes} bytes, {} vertices): parse {folder_parsed:?} (of which build() \
         {folder_built:?}), emit {folder_written:?}",
        read(&path).len(),
        schema.vertices().len(),
        emitted.files.values().map(String::len).sum::<usize>(),
        all.vertices().len(),
    );
    let kinds: BTreeSet<_> = all.vertices().values().map(|v| v.kind.as_str()).collect();
    assert!(
        kinds.contains("union") && kinds.contains("ref") && kinds.contains("file"),
        "{kinds:?}"
    );
}
