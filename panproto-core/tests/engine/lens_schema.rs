//! What a lens does to a schema: for each format, a lens and the file a
//! user would write by hand for the same change, parsed; the lens must
//! take the old file's schema to the new one's. Then the ways a lens does
//! not fit a schema, each named by step and path.

use panproto_core::lens::{Chain, Lens, LensError, Step};
use panproto_core::{Format, FormatOptions, Schema, Source, Value, ValueType};
use serde_json::json;

fn parse(format: Format, name: &str, text: &str) -> Schema {
    format
        .parse(&Source::from_text(name, text), &FormatOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The schemas of a file before and after the change a lens describes.
fn parse_pair(format: Format, name: &str, old: &str, new: &str) -> (Schema, Schema) {
    (parse(format, name, old), parse(format, name, new))
}

/// The record root of `schema` whose id ends with `name`.
fn root_named(schema: &Schema, name: &str) -> String {
    schema
        .record_roots()
        .into_iter()
        .find(|r| r.ends_with(name))
        .unwrap_or_else(|| panic!("no record root {name}"))
}

fn lens(steps: Vec<Step>) -> Lens {
    Chain(steps).compile().unwrap()
}

fn s(x: &str) -> String {
    x.to_owned()
}

fn str_pair(a: &str, b: &str) -> (Value, Value) {
    (Value::Str(s(a)), Value::Str(s(b)))
}

/// The lens takes `old` to `new`; where the ids agree too, the target is
/// the very schema parsed from the new file.
fn takes(l: &Lens, old: &Schema, new: &Schema, root: Option<&str>, same_ids: bool) {
    let target = l
        .check_target(old, new, root)
        .unwrap_or_else(|e| panic!("{e}"));
    if same_ids {
        assert_eq!(
            target.to_json(),
            new.to_json(),
            "the lens's target is the parsed schema"
        );
    }
    // And not to the old one, unless the lens changes nothing.
    assert!(matches!(
        l.check_target(old, old, root),
        Err(LensError::Mismatch { .. })
    ));
}

#[test]
fn avro_rename_wrap_and_an_enum_symbol() {
    let (old, new) = parse_pair(
        Format::Avro,
        "user.avsc",
        r#"{"type": "record", "name": "User", "fields": [
            {"name": "name", "type": "string"},
            {"name": "tag", "type": "string"},
            {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["draft", "done"]}}
        ]}"#,
        r#"{"type": "record", "name": "User", "fields": [
            {"name": "fullName", "type": "string"},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["pending", "done"]}}
        ]}"#,
    );
    let l = lens(vec![
        Step::Rename {
            field: s("name"),
            to: s("fullName"),
        },
        Step::Wrap { field: s("tag") },
        Step::Rename {
            field: s("tag"),
            to: s("tags"),
        },
        Step::Convert {
            field: s("status"),
            mapping: vec![str_pair("draft", "pending")],
            reverse: None,
        },
    ]);
    takes(&l, &old, &new, Some("User"), false);
}

#[test]
fn json_schema_hoist_out_of_a_nested_object() {
    let (old, new) = parse_pair(
        Format::JsonSchema,
        "post.json",
        r#"{"type": "object", "properties": {
            "title": {"type": "string"},
            "body": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 300}}}
        }}"#,
        r#"{"type": "object", "properties": {
            "title": {"type": "string"},
            "text": {"type": "string", "maxLength": 300}
        }}"#,
    );
    let l = lens(vec![
        Step::Hoist {
            host: s("body"),
            field: s("text"),
        },
        Step::Remove {
            field: s("body"),
            kind: ValueType::Object,
            default: Value::Object(panproto_core::Map::new()),
        },
    ]);
    takes(&l, &old, &new, None, false);
}

#[test]
fn sql_rename_and_add_a_column() {
    let (old, new) = parse_pair(
        Format::Sql,
        "users.sql",
        "CREATE TABLE users (id integer NOT NULL, name text);",
        "CREATE TABLE users (id integer NOT NULL, full_name text, age integer);",
    );
    let l = lens(vec![
        Step::Rename {
            field: s("name"),
            to: s("full_name"),
        },
        Step::Add {
            field: s("age"),
            kind: ValueType::Integer,
            default: Value::Int(0),
        },
    ]);
    takes(&l, &old, &new, Some("users"), false);
}

#[test]
fn graphql_enum_value_renamed_through_convert() {
    let (old, new) = parse_pair(
        Format::Graphql,
        "s.graphql",
        "enum Status { DRAFT DONE }\ntype Post { title: String! status: Status }\n",
        "enum Status { PENDING DONE }\ntype Post { headline: String! status: Status }\n",
    );
    let root = root_named(&old, "Post");
    let l = lens(vec![
        Step::Rename {
            field: s("title"),
            to: s("headline"),
        },
        Step::Convert {
            field: s("status"),
            mapping: vec![str_pair("DRAFT", "PENDING")],
            reverse: None,
        },
    ]);
    takes(&l, &old, &new, Some(&root), true);
}

#[test]
fn protobuf_rename_a_field() {
    let (old, new) = parse_pair(
        Format::Protobuf,
        "user.proto",
        "syntax = \"proto3\";\nmessage User { string name = 1; int32 age = 2; }\n",
        "syntax = \"proto3\";\nmessage User { string display_name = 1; int32 age = 2; }\n",
    );
    let root = root_named(&old, "User");
    let l = lens(vec![Step::Rename {
        field: s("name"),
        to: s("display_name"),
    }]);
    takes(&l, &old, &new, Some(&root), true);
}

fn lexicon(properties: &serde_json::Value) -> String {
    json!({
        "lexicon": 1,
        "id": "com.example.post",
        "defs": {"main": {"type": "record", "key": "tid", "record": {
            "type": "object",
            "properties": properties
        }}}
    })
    .to_string()
}

#[test]
fn atproto_plunge_into_a_nested_object() {
    let (old, new) = parse_pair(
        Format::Atproto,
        "com.example.post.json",
        &lexicon(&json!({
            "text": {"type": "string", "maxLength": 300},
            "meta": {"type": "object", "properties": {"lang": {"type": "string"}}}
        })),
        &lexicon(&json!({
            "meta": {"type": "object", "properties": {
                "lang": {"type": "string"},
                "text": {"type": "string", "maxLength": 300}
            }}
        })),
    );
    let l = lens(vec![Step::Plunge {
        host: s("meta"),
        field: s("text"),
    }]);
    takes(&l, &old, &new, Some("com.example.post"), false);
}

#[test]
fn a_field_the_schema_lacks_is_named_with_its_step_and_path() {
    let old = parse(
        Format::Sql,
        "users.sql",
        "CREATE TABLE users (id integer, name text);",
    );
    let l = lens(vec![
        Step::Rename {
            field: s("name"),
            to: s("title"),
        },
        Step::Remove {
            field: s("nickname"),
            kind: ValueType::String,
            default: Value::Str(String::new()),
        },
    ]);
    let err = l.target_schema(&old, Some("users")).unwrap_err();
    assert_eq!(
        err,
        LensError::Schema {
            step: s("step 2 (remove nickname)"),
            path: s("the record"),
            message: s("the schema has no field nickname"),
        }
    );
    let taken = lens(vec![Step::Rename {
        field: s("name"),
        to: s("id"),
    }]);
    assert!(
        taken
            .target_schema(&old, Some("users"))
            .unwrap_err()
            .to_string()
            .contains("already has a field id")
    );
}

#[test]
fn several_record_roots_must_be_named() {
    let old = parse(
        Format::Sql,
        "two.sql",
        "CREATE TABLE a (x integer);\nCREATE TABLE b (y integer);",
    );
    let l = lens(vec![Step::Wrap { field: s("x") }]);
    let err = l.target_schema(&old, None).unwrap_err().to_string();
    assert!(err.contains("possible record roots"), "{err}");
    let err = l
        .target_schema(&old, Some("nowhere"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no vertex \"nowhere\""), "{err}");
}

#[test]
fn a_lens_that_reaches_another_schema_says_where_they_differ() {
    let old = parse(
        Format::Avro,
        "u.avsc",
        r#"{"type": "record", "name": "U", "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "int"}]}"#,
    );
    let staged = parse(
        Format::Avro,
        "u.avsc",
        r#"{"type": "record", "name": "U", "fields": [{"name": "c", "type": "string"}, {"name": "b", "type": "int"}]}"#,
    );
    let l = lens(vec![Step::Rename {
        field: s("a"),
        to: s("d"),
    }]);
    let found = l.check_target(&old, &staged, Some("U"));
    let Err(LensError::Mismatch { total, differences }) = found else {
        panic!("expected a mismatch, found {found:?}");
    };
    assert_eq!(total, differences.len());
    let text = differences.join("\n");
    assert!(text.contains("U/d"), "{text}");
    assert!(text.contains("U/c"), "{text}");
}

#[test]
fn head_undoes_wrap_on_the_schema() {
    let old = parse(
        Format::JsonSchema,
        "t.json",
        r#"{"type": "object", "properties": {"tag": {"type": "string"}}}"#,
    );
    let there = lens(vec![Step::Wrap { field: s("tag") }]);
    let wrapped = there.target_schema(&old, None).unwrap();
    let back = lens(vec![Step::Head { field: s("tag") }]);
    assert_eq!(back.target_schema(&wrapped, None).unwrap(), old);
    let err = back.target_schema(&old, None).unwrap_err().to_string();
    assert!(err.contains("expected a list in the schema"), "{err}");
}

#[test]
fn auto_generate_finds_renames_moves_wraps_and_what_comes_and_goes() {
    let (old, new) = parse_pair(
        Format::JsonSchema,
        "p.json",
        r#"{"type": "object", "properties": {
            "name": {"type": "string"},
            "tag": {"type": "string"},
            "legacy": {"type": "boolean"},
            "body": {"type": "object", "properties": {"text": {"type": "string"}, "lang": {"type": "string"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}}
        }}"#,
        r#"{"type": "object", "properties": {
            "title": {"type": "string"},
            "tag": {"type": "array", "items": {"type": "string"}},
            "text": {"type": "string"},
            "body": {"type": "object", "properties": {"lang": {"type": "string"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "number"}}}},
            "score": {"type": "integer"}
        }}"#,
    );
    let chain = Chain::auto_generate(&old, &new, None).unwrap();
    let described: Vec<String> = chain.0.iter().map(Step::describe).collect();
    assert_eq!(
        described,
        [
            "hoist body.text",
            "in items",
            "wrap tag",
            "rename name to title",
            "remove legacy",
            "add score"
        ]
    );
    let l = chain.compile().unwrap();
    let record = json!({"name": "n", "tag": "t", "legacy": true, "body": {"text": "x", "lang": "en"}, "items": [{"x": 1}]});
    let (view, complement) = l.get(Value::from(record.clone())).unwrap();
    assert_eq!(
        view,
        Value::from(
            json!({"title": "n", "tag": ["t"], "text": "x", "body": {"lang": "en"}, "items": [{"x": 1, "y": 0.0}], "score": 0})
        )
    );
    assert_eq!(l.put(view, &complement).unwrap(), Value::from(record));
}

#[test]
fn auto_generate_refuses_what_no_step_expresses() {
    let (old, new) = parse_pair(
        Format::Graphql,
        "s.graphql",
        "enum Status { DRAFT DONE }\ntype Post { title: String! status: Status }\n",
        "enum Status { PENDING DONE }\ntype Post { title: String! status: Status }\n",
    );
    let root = root_named(&old, "Post");
    let err = Chain::auto_generate(&old, &new, Some(&root)).unwrap_err();
    let LensError::Mismatch { differences, .. } = err else {
        panic!("expected a mismatch, found {err}");
    };
    assert!(
        differences.iter().any(|d| d.contains("PENDING")),
        "{differences:?}"
    );
}
