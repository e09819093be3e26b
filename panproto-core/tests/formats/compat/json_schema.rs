//! JSON Schema: one edit per pair, judged both ways, each with sample
//! documents that the `jsonschema` package validates against both
//! versions: where we say a direction is compatible no sample valid under
//! the version written with fails under the reading one, and where we
//! say it breaks, a sample shows it.

use panproto_core::{CompatReport, Format, FormatOptions, Level, Schema, Source, compatibility};
use serde_json::{Value, json};

use crate::common::{Oracle, corpus_files, run_pairs_oracle, run_python_oracle, scratch_dir};

use Level::{Breaking as B, Compatible as C, Dangerous as D};

fn parse(text: &str) -> Schema {
    Format::JsonSchema
        .parse(
            &Source::from_text("schema.json", text),
            &FormatOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn report(old: &str, new: &str) -> CompatReport {
    compatibility(&parse(old), &parse(new)).unwrap()
}

/// An object schema with these properties (JSON text each) and extra keywords.
fn object(props: &str, extra: &str) -> String {
    format!(r#"{{"type": "object", "properties": {{{props}}}{extra}}}"#)
}

/// One edit: what, old, new, expected levels, rule ids, sample documents.
struct Pair {
    what: &'static str,
    old: String,
    new: String,
    backward: Level,
    forward: Level,
    rules: &'static [&'static str],
    samples: Vec<Value>,
}

fn pair(
    what: &'static str,
    old: String,
    new: String,
    (backward, forward): (Level, Level),
    rules: &'static [&'static str],
    samples: Vec<Value>,
) -> Pair {
    Pair {
        what,
        old,
        new,
        backward,
        forward,
        rules,
        samples,
    }
}

/// A schema of one property `v` with this schema.
fn v(schema: &str) -> String {
    object(&format!(r#""v": {schema}"#), "")
}

/// As [`v`], in draft 4.
fn draft4(schema: &str) -> String {
    format!(
        r#"{{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "properties": {{"v": {schema}}}}}"#
    )
}

fn pairs() -> Vec<Pair> {
    let closed = r#", "additionalProperties": false"#;
    let name = r#""name": {"type": "string"}"#;
    let email = r#""email": {"type": "string"}"#;
    let both = format!("{name}, {email}");
    vec![
        pair("identical", object(name, ""), object(name, ""), (C, C), &[], vec![json!({"name": "a"})]),
        pair("property made required", object(name, ""), object(name, r#", "required": ["name"]"#), (B, C), &["PROPERTY_REQUIRED_ADDED"], vec![json!({}), json!({"name": "a"})]),
        pair("property no longer required", object(name, r#", "required": ["name"]"#), object(name, ""), (C, B), &["PROPERTY_REQUIRED_REMOVED"], vec![json!({}), json!({"name": "a"})]),
        pair("property added to an open object", object(name, ""), object(&both, ""), (B, C), &["PROPERTY_ADDED"], vec![json!({"email": 1}), json!({"email": "e"})]),
        pair("property added to a closed object", object(name, closed), object(&both, closed), (C, B), &["PROPERTY_ADDED"], vec![json!({"email": "e"}), json!({"name": "n"})]),
        pair("unconstrained property added to an open object", object(name, ""), object(&format!(r#"{name}, "any": {{}}"#), ""), (C, C), &["PROPERTY_ADDED"], vec![json!({"any": 1})]),
        pair("property removed from an open object", object(&both, ""), object(name, ""), (C, B), &["PROPERTY_REMOVED"], vec![json!({"email": 1}), json!({"email": "e"})]),
        pair("property removed from a closed object", object(&both, closed), object(name, closed), (B, C), &["PROPERTY_REMOVED"], vec![json!({"email": "e"})]),
        pair("additionalProperties closed", object(name, ""), object(name, closed), (B, C), &["ADDITIONAL_PROPERTIES_CLOSED"], vec![json!({"x": 1}), json!({"name": "n"})]),
        pair("additionalProperties opened", object(name, closed), object(name, r#", "additionalProperties": true"#), (C, B), &["ADDITIONAL_PROPERTIES_OPENED"], vec![json!({"x": 1})]),
        pair("additionalProperties narrowed to a schema", object(name, ""), object(name, r#", "additionalProperties": {"type": "string"}"#), (B, C), &["ADDITIONAL_PROPERTIES_CLOSED"], vec![json!({"x": 1}), json!({"x": "s"})]),
        pair("additionalProperties schema retyped", object(name, r#", "additionalProperties": {"type": "string"}"#), object(name, r#", "additionalProperties": {"type": ["string", "integer"]}"#), (C, B), &["TYPE_WIDENED"], vec![json!({"x": 1}), json!({"x": "s"})]),
        pair("nullable made non-null", v(r#"{"type": ["string", "null"]}"#), v(r#"{"type": "string"}"#), (B, C), &["TYPE_NARROWED"], vec![json!({"v": null}), json!({"v": "s"})]),
        pair("number narrowed to integer", v(r#"{"type": "number"}"#), v(r#"{"type": "integer"}"#), (B, C), &["TYPE_NARROWED"], vec![json!({"v": 1.5}), json!({"v": 2})]),
        pair("integer widened to number", v(r#"{"type": "integer"}"#), v(r#"{"type": "number"}"#), (C, B), &["TYPE_WIDENED"], vec![json!({"v": 1.5}), json!({"v": 2})]),
        pair("string retyped to integer", v(r#"{"type": "string"}"#), v(r#"{"type": "integer"}"#), (B, B), &["TYPE_CHANGED"], vec![json!({"v": 1}), json!({"v": "s"})]),
        pair("type added to an untyped node", v("{}"), v(r#"{"type": "string"}"#), (B, C), &["TYPE_NARROWED"], vec![json!({"v": 1}), json!({"v": "s"})]),
        pair("maxLength lowered", v(r#"{"type": "string", "maxLength": 5}"#), v(r#"{"type": "string", "maxLength": 3}"#), (B, C), &["MAX_LENGTH_DECREASED"], vec![json!({"v": "abcd"}), json!({"v": "ab"})]),
        pair("maxLength raised", v(r#"{"type": "string", "maxLength": 3}"#), v(r#"{"type": "string", "maxLength": 5}"#), (C, B), &["MAX_LENGTH_INCREASED"], vec![json!({"v": "abcd"})]),
        pair("maxLength added", v(r#"{"type": "string"}"#), v(r#"{"type": "string", "maxLength": 3}"#), (B, C), &["MAX_LENGTH_DECREASED"], vec![json!({"v": "abcd"})]),
        pair("minLength raised", v(r#"{"type": "string", "minLength": 1}"#), v(r#"{"type": "string", "minLength": 3}"#), (B, C), &["MIN_LENGTH_INCREASED"], vec![json!({"v": "ab"}), json!({"v": "abc"})]),
        pair("minLength removed", v(r#"{"type": "string", "minLength": 3}"#), v(r#"{"type": "string"}"#), (C, B), &["MIN_LENGTH_DECREASED"], vec![json!({"v": "ab"})]),
        pair("maximum lowered", v(r#"{"type": "integer", "maximum": 10}"#), v(r#"{"type": "integer", "maximum": 5}"#), (B, C), &["MAXIMUM_DECREASED"], vec![json!({"v": 7}), json!({"v": 1})]),
        pair("minimum raised", v(r#"{"type": "integer", "minimum": 0}"#), v(r#"{"type": "integer", "minimum": 5}"#), (B, C), &["MINIMUM_INCREASED"], vec![json!({"v": 1}), json!({"v": 6})]),
        pair("minimum lowered", v(r#"{"type": "integer", "minimum": 5}"#), v(r#"{"type": "integer", "minimum": 0}"#), (C, B), &["MINIMUM_DECREASED"], vec![json!({"v": 1})]),
        pair("exclusiveMaximum added", v(r#"{"type": "number"}"#), v(r#"{"type": "number", "exclusiveMaximum": 10}"#), (B, C), &["EXCLUSIVE_MAXIMUM_DECREASED"], vec![json!({"v": 10}), json!({"v": 1})]),
        pair("minItems raised", v(r#"{"type": "array"}"#), v(r#"{"type": "array", "minItems": 1}"#), (B, C), &["MIN_ITEMS_INCREASED"], vec![json!({"v": []}), json!({"v": [1]})]),
        pair("maxItems lowered", v(r#"{"type": "array", "maxItems": 3}"#), v(r#"{"type": "array", "maxItems": 1}"#), (B, C), &["MAX_ITEMS_DECREASED"], vec![json!({"v": [1, 2]})]),
        pair("maxProperties added", v(r#"{"type": "object"}"#), v(r#"{"type": "object", "maxProperties": 1}"#), (B, C), &["MAX_PROPERTIES_DECREASED"], vec![json!({"v": {"a": 1, "b": 2}})]),
        pair("minProperties raised", v(r#"{"type": "object"}"#), v(r#"{"type": "object", "minProperties": 1}"#), (B, C), &["MIN_PROPERTIES_INCREASED"], vec![json!({"v": {}})]),
        pair("uniqueItems added", v(r#"{"type": "array"}"#), v(r#"{"type": "array", "uniqueItems": true}"#), (B, C), &["UNIQUE_ITEMS_ADDED"], vec![json!({"v": [1, 1]})]),
        pair("uniqueItems removed", v(r#"{"type": "array", "uniqueItems": true}"#), v(r#"{"type": "array"}"#), (C, B), &["UNIQUE_ITEMS_REMOVED"], vec![json!({"v": [1, 1]})]),
        pair("multipleOf made stricter", v(r#"{"type": "integer", "multipleOf": 2}"#), v(r#"{"type": "integer", "multipleOf": 4}"#), (B, C), &["MULTIPLE_OF_CHANGED"], vec![json!({"v": 2}), json!({"v": 4})]),
        pair("multipleOf made looser", v(r#"{"type": "integer", "multipleOf": 4}"#), v(r#"{"type": "integer", "multipleOf": 2}"#), (C, B), &["MULTIPLE_OF_CHANGED"], vec![json!({"v": 2})]),
        pair("multipleOf changed", v(r#"{"type": "integer", "multipleOf": 2}"#), v(r#"{"type": "integer", "multipleOf": 3}"#), (B, B), &["MULTIPLE_OF_CHANGED"], vec![json!({"v": 2}), json!({"v": 3})]),
        pair("pattern added", v(r#"{"type": "string"}"#), v(r#"{"type": "string", "pattern": "^a"}"#), (B, C), &["PATTERN_ADDED"], vec![json!({"v": "b"}), json!({"v": "a"})]),
        pair("pattern removed", v(r#"{"type": "string", "pattern": "^a"}"#), v(r#"{"type": "string"}"#), (C, B), &["PATTERN_REMOVED"], vec![json!({"v": "b"})]),
        pair("pattern changed", v(r#"{"type": "string", "pattern": "^a"}"#), v(r#"{"type": "string", "pattern": "^b"}"#), (B, B), &["PATTERN_CHANGED"], vec![json!({"v": "a"}), json!({"v": "b"})]),
        pair("enum value removed", v(r#"{"enum": ["a", "b"]}"#), v(r#"{"enum": ["a"]}"#), (B, C), &["ENUM_VALUE_REMOVED"], vec![json!({"v": "b"}), json!({"v": "a"})]),
        pair("enum value added", v(r#"{"enum": ["a"]}"#), v(r#"{"enum": ["a", "b"]}"#), (C, B), &["ENUM_VALUE_ADDED"], vec![json!({"v": "b"})]),
        pair("enum reordered", v(r#"{"enum": ["a", "b"]}"#), v(r#"{"enum": ["b", "a"]}"#), (C, C), &[], vec![json!({"v": "b"})]),
        pair("enum added", v(r#"{"type": "string"}"#), v(r#"{"type": "string", "enum": ["a"]}"#), (B, C), &["ENUM_ADDED"], vec![json!({"v": "b"})]),
        pair("enum removed", v(r#"{"type": "string", "enum": ["a"]}"#), v(r#"{"type": "string"}"#), (C, B), &["ENUM_REMOVED"], vec![json!({"v": "b"})]),
        pair("const added", v(r#"{"type": "string"}"#), v(r#"{"type": "string", "const": "a"}"#), (B, C), &["CONST_ADDED"], vec![json!({"v": "b"}), json!({"v": "a"})]),
        pair("const changed", v(r#"{"const": "a"}"#), v(r#"{"const": "b"}"#), (B, B), &["CONST_CHANGED"], vec![json!({"v": "a"}), json!({"v": "b"})]),
        pair("format added", v(r#"{"type": "string"}"#), v(r#"{"type": "string", "format": "email"}"#), (D, C), &["FORMAT_CHANGED"], vec![json!({"v": "x"})]),
        pair("default changed", v(r#"{"type": "string", "default": "a"}"#), v(r#"{"type": "string", "default": "b"}"#), (D, D), &["DEFAULT_CHANGED"], vec![json!({})]),
        pair("description changed", v(r#"{"type": "string", "description": "a"}"#), v(r#"{"type": "string", "description": "b"}"#), (C, C), &[], vec![json!({"v": "x"})]),
        pair("items narrowed", v(r#"{"type": "array", "items": {"type": "number"}}"#), v(r#"{"type": "array", "items": {"type": "integer"}}"#), (B, C), &["TYPE_NARROWED"], vec![json!({"v": [1.5]}), json!({"v": [1]})]),
        pair("items added", v(r#"{"type": "array"}"#), v(r#"{"type": "array", "items": {"type": "integer"}}"#), (B, C), &["SUBSCHEMA_ADDED"], vec![json!({"v": ["a"]})]),
        pair("items removed", v(r#"{"type": "array", "items": {"type": "integer"}}"#), v(r#"{"type": "array"}"#), (C, B), &["SUBSCHEMA_REMOVED"], vec![json!({"v": ["a"]})]),
        pair("anyOf branch added", v(r#"{"anyOf": [{"type": "string"}]}"#), v(r#"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#), (C, B), &["BRANCH_ADDED"], vec![json!({"v": 1}), json!({"v": "s"})]),
        pair("anyOf branch removed", v(r#"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#), v(r#"{"anyOf": [{"type": "string"}]}"#), (B, C), &["BRANCH_REMOVED"], vec![json!({"v": 1})]),
        pair("oneOf branch added", v(r#"{"oneOf": [{"type": "string"}]}"#), v(r#"{"oneOf": [{"type": "string"}, {"maxLength": 3}]}"#), (B, B), &["BRANCH_ADDED"], vec![json!({"v": 5}), json!({"v": "ab"})]),
        pair("allOf entry added", v(r#"{"allOf": [{"type": "string"}]}"#), v(r#"{"allOf": [{"type": "string"}, {"maxLength": 2}]}"#), (B, C), &["SUBSCHEMA_ADDED"], vec![json!({"v": "abc"})]),
        pair("narrowed under not", v(r#"{"not": {"type": "number"}}"#), v(r#"{"not": {"type": "integer"}}"#), (C, B), &["TYPE_NARROWED"], vec![json!({"v": 1.5}), json!({"v": 1})]),
        pair("nested property made required", object(&format!(r#""user": {}"#, object(email, "")), ""), object(&format!(r#""user": {}"#, object(email, r#", "required": ["email"]"#)), ""), (B, C), &["PROPERTY_REQUIRED_ADDED"], vec![json!({"user": {}})]),
        pair("a definition narrowed through $ref", r##"{"type": "object", "properties": {"v": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"type": "number"}}}"##.to_owned(), r##"{"type": "object", "properties": {"v": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"type": "integer"}}}"##.to_owned(), (B, C), &["TYPE_NARROWED"], vec![json!({"v": 1.5})]),
        pair("an unused definition changed", r##"{"type": "object", "$defs": {"n": {"type": "number"}}}"##.to_owned(), r##"{"type": "object", "$defs": {"n": {"type": "integer"}}}"##.to_owned(), (C, C), &[], vec![json!({"v": 1.5})]),
        pair("inlined a $ref", r##"{"type": "object", "properties": {"v": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"type": "string", "maxLength": 3}}}"##.to_owned(), v(r#"{"type": "string", "maxLength": 3}"#), (C, C), &[], vec![json!({"v": "abcd"}), json!({"v": "ab"})]),
        pair("a recursive definition gains a required property", r##"{"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}, "v": {"type": "integer"}}}}}"##.to_owned(), r##"{"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}, "v": {"type": "integer"}}, "required": ["v"]}}}"##.to_owned(), (B, C), &["PROPERTY_REQUIRED_ADDED"], vec![json!({"next": {"v": 1}})]),
        pair("const removed", v(r#"{"type": "string", "const": "a"}"#), v(r#"{"type": "string"}"#), (C, B), &["CONST_REMOVED"], vec![json!({"v": "b"})]),
        pair("additionalProperties schema traded for patternProperties", object(name, r#", "additionalProperties": {"type": "string"}"#), object(name, r#", "patternProperties": {"^x": {"type": "integer"}}"#), (B, B), &["ADDITIONAL_PROPERTIES_CHANGED", "SUBSCHEMA_ADDED"], vec![json!({"y": 1}), json!({"x": "s"})]),
        pair("draft 4 maximum made exclusive", draft4(r#"{"type": "number", "maximum": 10}"#), draft4(r#"{"type": "number", "maximum": 10, "exclusiveMaximum": true}"#), (B, C), &["EXCLUSIVE_MAXIMUM_CHANGED"], vec![json!({"v": 10}), json!({"v": 1})]),
        pair("draft 4 minimum made inclusive", draft4(r#"{"type": "number", "minimum": 0, "exclusiveMinimum": true}"#), draft4(r#"{"type": "number", "minimum": 0}"#), (C, B), &["EXCLUSIVE_MINIMUM_CHANGED"], vec![json!({"v": 0})]),
        pair("dependentRequired changed", v(r#"{"type": "object", "dependentRequired": {"a": ["b"]}}"#), v(r#"{"type": "object", "dependentRequired": {"a": ["c"]}}"#), (B, B), &["DEPENDENT_REQUIRED_CHANGED"], vec![json!({"v": {"a": 1, "b": 2}}), json!({"v": {"a": 1, "c": 2}})]),
    ]
}

fn rule_ids(r: &CompatReport) -> Vec<String> {
    let mut ids: Vec<String> = r.findings.iter().map(|f| f.rule.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn each_edit_is_judged_both_ways() {
    for p in pairs() {
        let r = report(&p.old, &p.new);
        assert_eq!(r.rules, "json-schema", "{}", p.what);
        let mut expected: Vec<String> = p.rules.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(
            (r.backward(), r.forward(), rule_ids(&r)),
            (p.backward, p.forward, expected),
            "{}: {:#?}",
            p.what,
            r.findings
        );
        if p.old == p.new {
            assert!(r.findings.is_empty(), "{}: {:#?}", p.what, r.findings);
        }
    }
}

/// For each pair, each sample's validity under the old and the new schema.
const ORACLE: &str = r#"
import json, sys
from jsonschema import validators
out = []
for old, new, samples in json.load(open(sys.argv[1])):
    old, new = json.loads(old), json.loads(new)
    vo, vn = validators.validator_for(old)(old), validators.validator_for(new)(new)
    out.append([[vo.is_valid(s), vn.is_valid(s)] for s in samples])
print(json.dumps(out))
"#;

#[test]
fn jsonschema_validates_the_samples_as_the_verdicts_say() {
    let dir = scratch_dir("json-schema-compat");
    let probe = run_python_oracle("jsonschema", "pass", &[], &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    if let Oracle::Missing(why) = probe {
        println!("{why}");
        return;
    }
    let pairs = pairs();
    let input: Vec<(&str, &str, &[Value])> = pairs
        .iter()
        .map(|p| (p.old.as_str(), p.new.as_str(), p.samples.as_slice()))
        .collect();
    let python = std::env::var("PANPROTO_ORACLE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let mut command = std::process::Command::new(python);
    command.args(["-c", ORACLE]);
    let answers = run_pairs_oracle(command, &input);
    for (p, answer) in pairs.iter().zip(answers) {
        let valid: Vec<(bool, bool)> = serde_json::from_value(answer).unwrap();
        // Backward: valid under old, refused by new; forward: the reverse.
        let shown = |direction: usize| {
            p.samples.iter().zip(&valid).find_map(|(s, &(o, n))| {
                let (from, to) = if direction == 0 { (o, n) } else { (n, o) };
                (from && !to).then_some(s)
            })
        };
        for (direction, level, name) in [(0, p.backward, "backward"), (1, p.forward, "forward")] {
            match (level, shown(direction)) {
                (Level::Breaking, None) => {
                    panic!("{}: {name} breaks, but no sample shows it", p.what)
                }
                (Level::Compatible | Level::Dangerous, Some(s)) => {
                    panic!(
                        "{}: {name} is {level}, but {s} tells the versions apart",
                        p.what
                    )
                }
                _ => {}
            }
        }
    }
}

/// The corpus files that parse on their own (some name their siblings).
fn corpus() -> Vec<(String, String, Schema)> {
    corpus_files("jsonschema", ".json")
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let source = Source::from_text("schema.json", &text);
            let schema = Format::JsonSchema
                .parse(&source, &FormatOptions::default())
                .ok()?;
            Some((path.display().to_string(), text, schema))
        })
        .collect()
}

#[test]
fn every_corpus_file_is_compatible_with_itself() {
    let files = corpus();
    assert!(files.len() >= 20, "only {} files parse", files.len());
    for (path, _, schema) in &files {
        let r = compatibility(schema, schema).unwrap();
        assert!(r.findings.is_empty(), "{path}: {:#?}", r.findings);
    }
}

#[test]
fn comparing_any_two_corpus_files_returns() {
    let files = corpus();
    let mut judged = 0;
    for (_, _, a) in &files {
        for (_, _, b) in &files {
            let r = compatibility(a, b).unwrap();
            assert_eq!(r.rules, "json-schema");
            judged += 1;
        }
    }
    assert!(judged >= 400, "{judged}");
}

/// One textual edit of a real file's top-level object.
fn edited(
    text: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>) -> bool,
) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    edit(value.as_object_mut()?).then(|| value.to_string())
}

fn first_property(object: &mut serde_json::Map<String, Value>) -> Option<String> {
    object
        .get("properties")?
        .as_object()?
        .keys()
        .next()
        .cloned()
}

/// On every corpus file with top-level properties: its first property
/// deleted, or made required, and each verdict is the content model's.
#[test]
fn edits_of_the_corpus_are_judged_by_the_content_model() {
    let mut judged = 0;
    for (path, text, old) in corpus() {
        // Closed, or partly open: what new readers refuse of a removed name.
        let root = serde_json::from_str::<Value>(&text).unwrap();
        let extra = &root["additionalProperties"];
        let open = (extra.is_null() || *extra == json!(true) || *extra == json!({}))
            && root.get("patternProperties").is_none();
        let deleted = edited(&text, |o| {
            let Some(name) = first_property(o) else {
                return false;
            };
            o["properties"].as_object_mut().unwrap().remove(&name);
            if let Some(Value::Array(required)) = o.get_mut("required") {
                required.retain(|r| r != &json!(name));
            }
            true
        });
        if let Some(new) = deleted {
            let r = compatibility(&old, &parse(&new)).unwrap();
            let f = r
                .findings
                .iter()
                .find(|f| f.rule == "PROPERTY_REMOVED")
                .unwrap_or_else(|| panic!("{path}: {:#?}", r.findings));
            assert_eq!(f.backward == Level::Breaking, !open, "{path}: {f:#?}");
            judged += 1;
        }
        let required = edited(&text, |o| {
            let Some(name) = first_property(o) else {
                return false;
            };
            let list = o.entry("required").or_insert_with(|| json!([]));
            let Some(list) = list.as_array_mut() else {
                return false;
            };
            if list.contains(&json!(name)) {
                return false;
            }
            list.push(json!(name));
            true
        });
        if let Some(new) = required {
            let r = compatibility(&old, &parse(&new)).unwrap();
            assert_eq!(
                (r.backward(), r.forward(), rule_ids(&r)),
                (
                    Level::Breaking,
                    Level::Compatible,
                    vec!["PROPERTY_REQUIRED_ADDED".to_owned()]
                ),
                "{path}"
            );
            let back = compatibility(&parse(&new), &old).unwrap();
            assert_eq!(
                (back.backward(), back.forward()),
                (Level::Compatible, Level::Breaking),
                "{path}"
            );
            judged += 1;
        }
    }
    assert!(judged >= 10, "only {judged} edits judged");
}

#[test]
fn an_enum_value_added_to_a_real_file_breaks_old_readers() {
    let text = corpus()
        .into_iter()
        .find(|(p, _, _)| p.ends_with("oci_image-layout-schema.json"))
        .unwrap()
        .1;
    let new = text.replace(r#""1.0.0""#, r#""1.0.0", "1.1.0""#);
    let r = report(&text, &new);
    assert_eq!(rule_ids(&r), ["ENUM_VALUE_ADDED"]);
    let f = &r.findings[0];
    assert_eq!(
        (f.backward, f.forward),
        (Level::Compatible, Level::Breaking)
    );
    assert_eq!(f.path, "#/properties/imageLayoutVersion");
    assert_eq!(f.change, r#"enum values added: "1.1.0""#);
    let r = report(&new, &text);
    assert_eq!(rule_ids(&r), ["ENUM_VALUE_REMOVED"]);
}

#[test]
fn a_retyped_property_of_a_real_file_is_named_by_its_pointer() {
    let text = corpus()
        .into_iter()
        .find(|(p, _, _)| p.ends_with("oci_image-layout-schema.json"))
        .unwrap()
        .1;
    let new = text.replace(r#""type": "string""#, r#""type": ["string", "null"]"#);
    let r = report(&text, &new);
    assert_eq!(rule_ids(&r), ["TYPE_WIDENED"], "{:#?}", r.findings);
    assert_eq!(r.findings[0].path, "#/properties/imageLayoutVersion");
    assert_eq!(r.findings[0].change, "type string → null | string");
}

#[test]
fn a_schema_built_by_hand_is_walked_from_the_nodes_nothing_points_to() {
    let people = |props: &[&str]| {
        let mut b = Schema::builder(panproto_core::builtin_protocol("json-schema").unwrap())
            .vertex("person", "object", None);
        for p in props {
            b = b
                .vertex(*p, "string", None)
                .edge("person", *p, "prop", Some((*p).to_owned()));
        }
        b.build().unwrap()
    };
    let r = compatibility(&people(&["name", "age"]), &people(&["name"])).unwrap();
    assert_eq!(r.rules, "json-schema");
    assert_eq!(rule_ids(&r), ["PROPERTY_REMOVED"], "{:#?}", r.findings);
    assert_eq!(r.findings[0].path, "person/properties/age");
    assert_eq!(
        (r.backward(), r.forward()),
        (Level::Compatible, Level::Breaking)
    );
}

/// What the README's example prints.
#[test]
fn the_readme_example() {
    let r = report(
        r#"{"type": "object", "properties": {"email": {"type": "string", "maxLength": 255}}}"#,
        r#"{"type": "object", "properties": {"email": {"type": "string", "maxLength": 100}}, "required": ["email"]}"#,
    );
    let found: Vec<(&str, &str, Level, Level)> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.path.as_str(), f.backward, f.forward))
        .collect();
    assert_eq!(
        found,
        [
            ("MAX_LENGTH_DECREASED", "#/properties/email", B, C),
            ("PROPERTY_REQUIRED_ADDED", "#/properties/email", B, C),
        ]
    );
}

/// What the sample documents cannot show: remote refs (the oracle would
/// fetch them) and files of a multi-file source.
#[test]
fn remote_refs_and_files_are_judged_too() {
    let r = report(
        r#"{"$ref": "https://example.com/a.json"}"#,
        r#"{"$ref": "https://example.com/b.json"}"#,
    );
    assert_eq!(rule_ids(&r), ["REF_CHANGED"]);
    assert_eq!(
        (r.backward(), r.forward()),
        (Level::Breaking, Level::Breaking)
    );
    let files = |names: &[&str]| {
        let source = Source::from_files(
            "schemas",
            names
                .iter()
                .map(|n| ((*n).to_owned(), r#"{"type": "object"}"#.to_owned())),
        );
        Format::JsonSchema
            .parse(&source, &FormatOptions::default())
            .unwrap()
    };
    let r = compatibility(
        &files(&["a.json", "b.json", "c.json"]),
        &files(&["a.json", "c.json"]),
    )
    .unwrap();
    assert_eq!(rule_ids(&r), ["FILE_REMOVED"]);
    assert_eq!(
        (r.findings[0].path.as_str(), r.backward(), r.forward()),
        ("b.json", Level::Breaking, Level::Compatible)
    );
    let r = compatibility(
        &files(&["a.json", "c.json"]),
        &files(&["a.json", "b.json", "c.json"]),
    )
    .unwrap();
    assert_eq!(rule_ids(&r), ["FILE_ADDED"]);
    assert_eq!(
        (r.backward(), r.forward()),
        (Level::Compatible, Level::Breaking)
    );
}
