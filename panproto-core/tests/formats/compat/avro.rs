//! Avro: one edit per pair, judged both ways and compared with Apache
//! Avro's own resolution checker (`avro.compatibility`, the Python
//! package), run on the same pairs in one process.

use panproto_core::{
    CompatReport, Format, FormatOptions, Level, Mode, Schema, Source, compatibility,
};

use crate::common::{Oracle, corpus_files, run_pairs_oracle, run_python_oracle, scratch_dir};

fn parse(text: &str) -> Schema {
    Format::Avro
        .parse(
            &Source::from_text("schema.avsc", text),
            &FormatOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

fn report(old: &str, new: &str) -> CompatReport {
    compatibility(&parse(old), &parse(new)).unwrap()
}

/// A record `org.example.User` with these fields (JSON text each).
fn user(fields: &[&str]) -> String {
    format!(
        r#"{{"type": "record", "name": "User", "namespace": "org.example", "fields": [{}]}}"#,
        fields.join(", ")
    )
}

const ID: &str = r#"{"name": "id", "type": "long"}"#;

/// One edit each: (what, old, new, backward breaks, forward breaks).
fn pairs() -> Vec<(&'static str, String, String, bool, bool)> {
    let color = |symbols: &str, default: &str| {
        format!(
            r#"{{"name": "color", "type": {{"type": "enum", "name": "Color", "symbols": [{symbols}]{default}}}}}"#
        )
    };
    let list = |extra: &str| {
        format!(
            r#"{{"type": "record", "name": "Node", "fields": [{{"name": "value", "type": "int"}}, {{"name": "next", "type": ["null", "Node"], "default": null}}{extra}]}}"#
        )
    };
    vec![
        ("identical", user(&[ID]), user(&[ID]), false, false),
        ("field added with a default", user(&[ID]), user(&[ID, r#"{"name": "email", "type": "string", "default": ""}"#]), false, false),
        ("field added without a default", user(&[ID]), user(&[ID, r#"{"name": "email", "type": "string"}"#]), true, false),
        ("field removed that had a default", user(&[ID, r#"{"name": "email", "type": "string", "default": ""}"#]), user(&[ID]), false, false),
        ("field removed without a default", user(&[ID, r#"{"name": "email", "type": "string"}"#]), user(&[ID]), false, true),
        ("int promoted to long", user(&[r#"{"name": "n", "type": "int"}"#]), user(&[r#"{"name": "n", "type": "long"}"#]), false, true),
        ("long narrowed to int", user(&[r#"{"name": "n", "type": "long"}"#]), user(&[r#"{"name": "n", "type": "int"}"#]), true, false),
        ("int to double", user(&[r#"{"name": "n", "type": "int"}"#]), user(&[r#"{"name": "n", "type": "double"}"#]), false, true),
        ("float to double", user(&[r#"{"name": "n", "type": "float"}"#]), user(&[r#"{"name": "n", "type": "double"}"#]), false, true),
        ("string to bytes", user(&[r#"{"name": "s", "type": "string"}"#]), user(&[r#"{"name": "s", "type": "bytes"}"#]), false, false),
        ("int to string", user(&[r#"{"name": "s", "type": "int"}"#]), user(&[r#"{"name": "s", "type": "string"}"#]), true, true),
        ("string made nullable", user(&[r#"{"name": "s", "type": "string"}"#]), user(&[r#"{"name": "s", "type": ["null", "string"], "default": null}"#]), false, true),
        ("nullable made required", user(&[r#"{"name": "s", "type": ["null", "string"], "default": null}"#]), user(&[r#"{"name": "s", "type": "string"}"#]), true, false),
        ("union branch added", user(&[r#"{"name": "v", "type": ["null", "string"]}"#]), user(&[r#"{"name": "v", "type": ["null", "string", "int"]}"#]), false, true),
        ("union branch removed", user(&[r#"{"name": "v", "type": ["null", "string", "int"]}"#]), user(&[r#"{"name": "v", "type": ["null", "string"]}"#]), true, false),
        ("union branch int widened to long", user(&[r#"{"name": "v", "type": ["null", "int"]}"#]), user(&[r#"{"name": "v", "type": ["null", "long"]}"#]), false, true),
        ("field renamed with an alias", user(&[r#"{"name": "mail", "type": "string"}"#]), user(&[r#"{"name": "email", "type": "string", "aliases": ["mail"]}"#]), false, true),
        ("field renamed with an alias and a default", user(&[r#"{"name": "mail", "type": "string", "default": ""}"#]), user(&[r#"{"name": "email", "type": "string", "aliases": ["mail"]}"#]), false, false),
        ("field renamed without an alias", user(&[r#"{"name": "mail", "type": "string"}"#]), user(&[r#"{"name": "email", "type": "string"}"#]), true, true),
        ("enum symbol added", user(&[&color(r#""RED", "GREEN""#, "")]), user(&[&color(r#""RED", "GREEN", "BLUE""#, "")]), false, true),
        ("enum symbol added, old reader has a default", user(&[&color(r#""RED", "GREEN""#, r#", "default": "RED""#)]), user(&[&color(r#""RED", "GREEN", "BLUE""#, r#", "default": "RED""#)]), false, false),
        ("enum symbol removed", user(&[&color(r#""RED", "GREEN", "BLUE""#, "")]), user(&[&color(r#""RED", "GREEN""#, "")]), true, false),
        ("enum symbols reordered", user(&[&color(r#""RED", "GREEN""#, "")]), user(&[&color(r#""GREEN", "RED""#, "")]), false, false),
        ("fixed size changed", user(&[r#"{"name": "h", "type": {"type": "fixed", "name": "Hash", "size": 16}}"#]), user(&[r#"{"name": "h", "type": {"type": "fixed", "name": "Hash", "size": 32}}"#]), true, true),
        ("array items promoted", user(&[r#"{"name": "a", "type": {"type": "array", "items": "int"}}"#]), user(&[r#"{"name": "a", "type": {"type": "array", "items": "long"}}"#]), false, true),
        ("map values narrowed", user(&[r#"{"name": "m", "type": {"type": "map", "values": "double"}}"#]), user(&[r#"{"name": "m", "type": {"type": "map", "values": "float"}}"#]), true, false),
        ("array to map", user(&[r#"{"name": "a", "type": {"type": "array", "items": "int"}}"#]), user(&[r#"{"name": "a", "type": {"type": "map", "values": "int"}}"#]), true, true),
        ("namespace changed", r#"{"type": "record", "name": "a.b.User", "fields": [{"name": "id", "type": "long"}]}"#.to_owned(), r#"{"type": "record", "name": "c.User", "fields": [{"name": "id", "type": "long"}]}"#.to_owned(), false, false),
        ("record renamed with an alias", r#"{"type": "record", "name": "ns.Person", "fields": [{"name": "id", "type": "long"}]}"#.to_owned(), r#"{"type": "record", "name": "ns.User", "aliases": ["ns.Person"], "fields": [{"name": "id", "type": "long"}]}"#.to_owned(), false, true),
        ("record renamed without an alias", r#"{"type": "record", "name": "ns.Person", "fields": [{"name": "id", "type": "long"}]}"#.to_owned(), r#"{"type": "record", "name": "ns.User", "fields": [{"name": "id", "type": "long"}]}"#.to_owned(), true, true),
        ("nested record gains a required field", user(&[r#"{"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}]}}"#]), user(&[r#"{"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}, {"name": "zip", "type": "string"}]}}"#]), true, false),
        ("recursive record gains a defaulted field", list(""), list(r#", {"name": "label", "type": "string", "default": ""}"#), false, false),
        ("recursive record gains a required field", list(""), list(r#", {"name": "label", "type": "string"}"#), true, false),
        ("logical type changed", user(&[r#"{"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}}"#]), user(&[r#"{"name": "t", "type": {"type": "long", "logicalType": "timestamp-micros"}}"#]), false, false),
        ("doc and field order changed", user(&[ID, r#"{"name": "b", "type": "int"}"#]), r#"{"type": "record", "name": "User", "namespace": "org.example", "doc": "A user.", "fields": [{"name": "b", "type": "int"}, {"name": "id", "type": "long"}]}"#.to_owned(), false, false),
    ]
}

fn breaks(level: Level) -> bool {
    level == Level::Breaking
}

#[test]
fn each_edit_is_judged_both_ways() {
    for (what, old, new, backward, forward) in pairs() {
        let r = report(&old, &new);
        assert_eq!(r.rules, "avro", "{what}");
        assert_eq!(
            (breaks(r.backward()), breaks(r.forward())),
            (backward, forward),
            "{what}: {:#?}",
            r.findings
        );
        if old == new {
            assert!(r.findings.is_empty(), "{what}: {:#?}", r.findings);
        }
    }
}

/// Backward is (reader new, writer old) and forward (reader old, writer
/// new) in Apache Avro's checker; it must agree with ours on every pair.
const ORACLE: &str = r#"
import json, sys
import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
out = []
for old, new in json.load(open(sys.argv[1])):
    old, new = avro.schema.parse(old), avro.schema.parse(new)
    ok = lambda r, w: ReaderWriterCompatibilityChecker().get_compatibility(r, w).compatibility is SchemaCompatibilityType.compatible
    try:
        out.append({"verdict": [not ok(new, old), not ok(old, new)]})
    except Exception as e:
        out.append({"error": str(e)})
print(json.dumps(out))
"#;

/// What Apache Avro's checker (1.12) cannot judge: it raises on these.
const ORACLE_CANNOT: &[&str] = &[
    // Its `calculate_compatibility` knows record, not error (the
    // specification's record for RPC errors, resolved alike).
    "Unknown schema type: error",
];

/// The oracle's (backward breaks, forward breaks) for each pair (`None`
/// for a pair it cannot judge, which must be one of [`ORACLE_CANNOT`]),
/// or `None` where it is not installed (a plain `cargo test`).
fn oracle(pairs: &[(String, String)]) -> Option<Vec<Option<(bool, bool)>>> {
    let dir = scratch_dir("avro-compat");
    // Probe (and fail loudly under `cargo tasks test`) through the shared helper.
    let probe = run_python_oracle("avro.compatibility", "pass", &[], &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    if let Oracle::Missing(why) = probe {
        println!("{why}");
        return None;
    }
    let python = std::env::var("PANPROTO_ORACLE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let mut command = std::process::Command::new(python);
    command.args(["-c", ORACLE]);
    let answers = run_pairs_oracle(command, &pairs);
    let verdicts = answers
        .into_iter()
        .map(|a| match a["error"].as_str() {
            Some(error) => {
                assert!(
                    ORACLE_CANNOT.iter().any(|c| error.contains(c)),
                    "Apache Avro's checker failed in a new way: {error}"
                );
                None
            }
            None => Some(serde_json::from_value(a["verdict"].clone()).unwrap()),
        })
        .collect();
    Some(verdicts)
}

/// A pair on which Apache Avro's checker (1.12) and the specification
/// differ: the checker's verdict, and why ours follows the specification.
struct Disagreement {
    what: &'static str,
    old: String,
    new: String,
    /// The checker's (backward breaks, forward breaks).
    theirs: (bool, bool),
    why: &'static str,
}

fn disagreements() -> Vec<Disagreement> {
    vec![Disagreement {
        what: "record renamed with a relative alias",
        old: r#"{"type": "record", "name": "ns.Person", "fields": [{"name": "id", "type": "long"}]}"#.to_owned(),
        new: r#"{"type": "record", "name": "ns.User", "aliases": ["Person"], "fields": [{"name": "id", "type": "long"}]}"#.to_owned(),
        theirs: (true, true),
        why: "the specification reads an alias without a dot in the namespace of the name it aliases \
              (`Person` in `ns` is `ns.Person`), as Java's SchemaCompatibility does; the Python checker \
              compares the writer's full name with the alias as written",
    }]
}

/// The test checks that the checker still says what is listed.
#[test]
fn where_apache_avro_differs_the_specification_decides() {
    let cases = disagreements();
    let texts: Vec<(String, String)> = cases
        .iter()
        .map(|d| (d.old.clone(), d.new.clone()))
        .collect();
    let Some(verdicts) = oracle(&texts) else {
        return;
    };
    for (d, said) in cases.iter().zip(verdicts) {
        assert_eq!(
            said,
            Some(d.theirs),
            "{}: Apache Avro's checker changed its verdict",
            d.what
        );
        let r = report(&d.old, &d.new);
        let ours = (breaks(r.backward()), breaks(r.forward()));
        assert_ne!(
            ours, d.theirs,
            "{}: we now agree with the checker; {}",
            d.what, d.why
        );
    }
}

#[test]
fn apache_avro_agrees_on_every_pair() {
    let pairs = pairs();
    let texts: Vec<(String, String)> = pairs
        .iter()
        .map(|(_, o, n, _, _)| (o.clone(), n.clone()))
        .collect();
    let Some(verdicts) = oracle(&texts) else {
        return;
    };
    for ((what, old, new, _, _), theirs) in pairs.iter().zip(verdicts) {
        let theirs =
            theirs.unwrap_or_else(|| panic!("{what}: Apache Avro's checker cannot judge it"));
        let r = report(old, new);
        assert_eq!(
            (breaks(r.backward()), breaks(r.forward())),
            theirs,
            "{what}: Apache Avro says (backward breaks, forward breaks) = {theirs:?}; ours: {:#?}",
            r.findings
        );
    }
}

/// Edits of the corpus's files: each record loses its first field, or
/// gains a field without a default, or has its first field's type made
/// nullable; every verdict agrees with Apache Avro's.
#[test]
fn apache_avro_agrees_on_edits_of_the_corpus() {
    let mut texts = Vec::new();
    for path in corpus_files("avro", ".avsc") {
        let text = std::fs::read_to_string(&path).unwrap();
        // A file naming types that only its siblings define is no schema
        // on its own, to either tool.
        let parses = |text: &str| {
            let single = Source::from_text("schema.avsc", text);
            Format::Avro
                .parse(&single, &FormatOptions::default())
                .is_ok()
        };
        // Apache Avro's Python checker takes 11 s to compare the 386 KB
        // file with itself; that file is judged against itself below.
        if !parses(&text) || text.len() > 100_000 {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        texts.push((text.clone(), text.clone()));
        for edit in [
            drop_first_field,
            add_required_field,
            make_first_field_nullable,
        ] {
            let mut edited = value.clone();
            // (Dropping the field that defines a type the rest names
            // leaves no schema.)
            if edit(&mut edited) && parses(&edited.to_string()) {
                texts.push((text.clone(), edited.to_string()));
                texts.push((edited.to_string(), text.clone()));
            }
        }
    }
    let Some(verdicts) = oracle(&texts) else {
        return;
    };
    let mut disagreements = Vec::new();
    let mut judged = 0;
    for ((old, new), theirs) in texts.iter().zip(verdicts) {
        let Some(theirs) = theirs else { continue };
        judged += 1;
        let r = report(old, new);
        let ours = (breaks(r.backward()), breaks(r.forward()));
        if ours != theirs {
            disagreements.push(format!(
                "ours {ours:?}, Apache Avro {theirs:?}: {:#?}\n{old}\n→\n{new}",
                r.findings
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
    assert!(judged >= 10, "only {judged} pairs judged");
}

/// The top-level record of a corpus file (a record, or the first of a list).
fn top_record(
    v: &mut serde_json::Value,
) -> Option<&mut serde_json::Map<String, serde_json::Value>> {
    let v = match v {
        serde_json::Value::Array(list) => list.iter_mut().find(|s| s["type"] == "record")?,
        other => other,
    };
    let object = v.as_object_mut()?;
    (object.get("type")? == "record").then_some(object)
}

fn drop_first_field(v: &mut serde_json::Value) -> bool {
    top_record(v)
        .and_then(|r| r.get_mut("fields")?.as_array_mut())
        .is_some_and(|f| {
            !f.is_empty() && {
                f.remove(0);
                true
            }
        })
}

fn add_required_field(v: &mut serde_json::Value) -> bool {
    top_record(v)
        .and_then(|r| r.get_mut("fields")?.as_array_mut())
        .is_some_and(|f| {
            f.push(serde_json::json!({"name": "added_by_the_test", "type": "string"}));
            true
        })
}

fn make_first_field_nullable(v: &mut serde_json::Value) -> bool {
    top_record(v)
        .and_then(|r| {
            r.get_mut("fields")?
                .as_array_mut()?
                .first_mut()?
                .as_object_mut()
        })
        .is_some_and(|f| {
            let ty = f["type"].clone();
            if ty.is_array() {
                return false;
            }
            f.insert("type".to_owned(), serde_json::json!(["null", ty]));
            f.insert("default".to_owned(), serde_json::Value::Null);
            true
        })
}

#[test]
fn the_largest_corpus_file_is_compatible_with_itself() {
    let path = corpus_files("avro", ".avsc")
        .into_iter()
        .find(|p| p.ends_with("cpp_large_schema.avsc"))
        .unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let r = report(&text, &text);
    assert!(
        r.findings.is_empty(),
        "{:#?}",
        &r.findings[..r.findings.len().min(5)]
    );
}

#[test]
fn findings_name_the_element_in_avro_terms() {
    let r = report(
        &user(&[ID, r#"{"name": "email", "type": "string"}"#]),
        &user(&[ID, r#"{"name": "age", "type": "int"}"#]),
    );
    let paths: Vec<(&str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.change.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("record org.example.User field age", "field added"),
            ("record org.example.User field email", "field removed"),
        ]
    );
    let added = &r.findings[0];
    assert_eq!(
        (added.backward, added.forward),
        (Level::Breaking, Level::Compatible)
    );
    assert!(added.reason.contains("no default"), "{}", added.reason);
    let kinds: Vec<_> = r
        .violations(Mode::Full)
        .map(|v| (v.direction.code(), v.finding.path.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("backward", "record org.example.User field age"),
            ("forward", "record org.example.User field email"),
        ]
    );
    assert_eq!(r.violations(Mode::None).count(), 0);
    assert_eq!(r.violations(Mode::Backward).count(), 1);
}

#[test]
fn a_type_change_says_which_way_it_resolves() {
    let r = report(
        &user(&[r#"{"name": "n", "type": "int"}"#]),
        &user(&[r#"{"name": "n", "type": "long"}"#]),
    );
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.path, "record org.example.User field n");
    assert_eq!(f.change, "type int → long");
    assert_eq!(
        (f.backward, f.forward),
        (Level::Compatible, Level::Breaking)
    );
}
