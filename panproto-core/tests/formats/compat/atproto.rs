//! ATProto lexicons: one edit per pair, judged both ways by the
//! specification's lexicon evolution rules, and edits of the corpus's
//! real lexicons.

use panproto_core::{CompatReport, Format, FormatOptions, Level, Schema, Source, compatibility};

use crate::common::corpus_files;

use Level::{Breaking as B, Compatible as C, Dangerous as D};

fn parse(text: &str) -> Schema {
    Format::Atproto
        .parse(
            &Source::from_text("com.example.post.json", text),
            &FormatOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn report(old: &str, new: &str) -> CompatReport {
    compatibility(&parse(old), &parse(new)).unwrap()
}

fn rule_ids(r: &CompatReport) -> Vec<String> {
    let mut ids: Vec<String> = r.findings.iter().map(|f| f.rule.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A record lexicon `com.example.post` with these properties, required
/// names and other defs.
fn post(props: &str, required: &str, defs: &str) -> String {
    format!(
        r#"{{"lexicon": 1, "id": "com.example.post", "defs": {{"main": {{"type": "record", "key": "tid", "record": {{"type": "object", "required": [{required}], "properties": {{{props}}}}}}}{defs}}}}}"#
    )
}

/// A record of one required property `v` with this schema.
fn v(schema: &str) -> String {
    post(&format!(r#""v": {schema}"#), r#""v""#, "")
}

type Pair = (
    &'static str,
    String,
    String,
    (Level, Level),
    &'static [&'static str],
);

fn pairs() -> Vec<Pair> {
    let text = r#""text": {"type": "string"}"#;
    let both = format!(r#"{text}, "lang": {{"type": "string"}}"#);
    let union = |refs: &str, closed: &str| {
        post(
            &format!(r#""embed": {{"type": "union", "refs": [{refs}]{closed}}}"#),
            "",
            r##", "a": {"type": "object", "properties": {}}, "b": {"type": "object", "properties": {}}"##,
        )
    };
    let closed = r#", "closed": true"#;
    vec![
        (
            "identical",
            post(text, r#""text""#, ""),
            post(text, r#""text""#, ""),
            (C, C),
            &[],
        ),
        (
            "optional field added",
            post(text, "", ""),
            post(&both, "", ""),
            (C, C),
            &["FIELD_ADDED"],
        ),
        (
            "required field added",
            post(text, "", ""),
            post(&both, r#""lang""#, ""),
            (B, C),
            &["REQUIRED_FIELD_ADDED"],
        ),
        (
            "optional field removed",
            post(&both, "", ""),
            post(text, "", ""),
            (C, C),
            &["FIELD_REMOVED"],
        ),
        (
            "required field removed",
            post(&both, r#""lang""#, ""),
            post(text, "", ""),
            (C, B),
            &["REQUIRED_FIELD_REMOVED"],
        ),
        (
            "field made required",
            post(text, "", ""),
            post(text, r#""text""#, ""),
            (B, C),
            &["FIELD_MADE_REQUIRED"],
        ),
        (
            "field made optional",
            post(text, r#""text""#, ""),
            post(text, "", ""),
            (C, B),
            &["FIELD_MADE_OPTIONAL"],
        ),
        (
            "field renamed",
            post(text, "", ""),
            post(r#""body": {"type": "string"}"#, "", ""),
            (C, C),
            &["FIELD_ADDED", "FIELD_REMOVED"],
        ),
        (
            "field retyped",
            v(r#"{"type": "string"}"#),
            v(r#"{"type": "integer"}"#),
            (B, B),
            &["TYPE_CHANGED"],
        ),
        (
            "field made nullable",
            post(text, "", ""),
            post(text, "", "").replace(
                r#""required": []"#,
                r#""required": [], "nullable": ["text"]"#,
            ),
            (C, B),
            &["FIELD_MADE_NULLABLE"],
        ),
        (
            "maxLength lowered",
            v(r#"{"type": "string", "maxLength": 300}"#),
            v(r#"{"type": "string", "maxLength": 100}"#),
            (B, C),
            &["MAX_LENGTH_DECREASED"],
        ),
        (
            "maxGraphemes raised",
            v(r#"{"type": "string", "maxGraphemes": 30}"#),
            v(r#"{"type": "string", "maxGraphemes": 60}"#),
            (C, B),
            &["MAX_GRAPHEMES_INCREASED"],
        ),
        (
            "minLength added",
            v(r#"{"type": "string"}"#),
            v(r#"{"type": "string", "minLength": 1}"#),
            (B, C),
            &["MIN_LENGTH_INCREASED"],
        ),
        (
            "maximum lowered",
            v(r#"{"type": "integer", "maximum": 10}"#),
            v(r#"{"type": "integer", "maximum": 5}"#),
            (B, C),
            &["MAXIMUM_DECREASED"],
        ),
        (
            "minimum lowered",
            v(r#"{"type": "integer", "minimum": 1}"#),
            v(r#"{"type": "integer", "minimum": 0}"#),
            (C, B),
            &["MINIMUM_DECREASED"],
        ),
        (
            "array maxLength removed",
            v(r#"{"type": "array", "maxLength": 3, "items": {"type": "string"}}"#),
            v(r#"{"type": "array", "items": {"type": "string"}}"#),
            (C, B),
            &["MAX_LENGTH_INCREASED"],
        ),
        (
            "array items retyped",
            v(r#"{"type": "array", "items": {"type": "string"}}"#),
            v(r#"{"type": "array", "items": {"type": "integer"}}"#),
            (B, B),
            &["TYPE_CHANGED"],
        ),
        (
            "blob maxSize lowered",
            v(r#"{"type": "blob", "maxSize": 1000}"#),
            v(r#"{"type": "blob", "maxSize": 10}"#),
            (B, C),
            &["MAX_SIZE_DECREASED"],
        ),
        (
            "blob accepts fewer types",
            v(r#"{"type": "blob", "accept": ["image/png", "image/jpeg"]}"#),
            v(r#"{"type": "blob", "accept": ["image/png"]}"#),
            (B, C),
            &["ACCEPT_VALUE_REMOVED"],
        ),
        (
            "enum value added",
            v(r#"{"type": "string", "enum": ["a"]}"#),
            v(r#"{"type": "string", "enum": ["a", "b"]}"#),
            (C, B),
            &["ENUM_VALUE_ADDED"],
        ),
        (
            "enum value removed",
            v(r#"{"type": "string", "enum": ["a", "b"]}"#),
            v(r#"{"type": "string", "enum": ["a"]}"#),
            (B, C),
            &["ENUM_VALUE_REMOVED"],
        ),
        (
            "knownValues grown",
            v(r#"{"type": "string", "knownValues": ["a"]}"#),
            v(r#"{"type": "string", "knownValues": ["a", "b"]}"#),
            (C, C),
            &["KNOWN_VALUE_ADDED"],
        ),
        (
            "knownValues shrunk",
            v(r#"{"type": "string", "knownValues": ["a", "b"]}"#),
            v(r#"{"type": "string", "knownValues": ["a"]}"#),
            (C, C),
            &["KNOWN_VALUE_REMOVED"],
        ),
        (
            "format added",
            v(r#"{"type": "string"}"#),
            v(r#"{"type": "string", "format": "datetime"}"#),
            (B, C),
            &["FORMAT_ADDED"],
        ),
        (
            "format changed",
            v(r#"{"type": "string", "format": "did"}"#),
            v(r#"{"type": "string", "format": "handle"}"#),
            (B, B),
            &["FORMAT_CHANGED"],
        ),
        (
            "const added",
            v(r#"{"type": "string"}"#),
            v(r#"{"type": "string", "const": "x"}"#),
            (B, C),
            &["CONST_ADDED"],
        ),
        (
            "default changed",
            v(r#"{"type": "integer", "default": 1}"#),
            v(r#"{"type": "integer", "default": 2}"#),
            (D, D),
            &["DEFAULT_CHANGED"],
        ),
        (
            "description changed",
            v(r#"{"type": "string", "description": "a"}"#),
            v(r#"{"type": "string", "description": "b"}"#),
            (C, C),
            &[],
        ),
        (
            "ref added to an open union",
            union(r##""#a""##, ""),
            union(r##""#a", "#b""##, ""),
            (C, D),
            &["UNION_REF_ADDED"],
        ),
        (
            "ref added to a closed union",
            union(r##""#a""##, closed),
            union(r##""#a", "#b""##, closed),
            (C, B),
            &["UNION_REF_ADDED"],
        ),
        (
            "ref removed from an open union",
            union(r##""#a", "#b""##, ""),
            union(r##""#a""##, ""),
            (D, C),
            &["UNION_REF_REMOVED"],
        ),
        (
            "ref removed from a closed union",
            union(r##""#a", "#b""##, closed),
            union(r##""#a""##, closed),
            (B, C),
            &["UNION_REF_REMOVED"],
        ),
        (
            "union closed",
            union(r##""#a""##, ""),
            union(r##""#a""##, closed),
            (B, C),
            &["UNION_CLOSED"],
        ),
        (
            "union opened",
            union(r##""#a""##, closed),
            union(r##""#a""##, ""),
            (C, B),
            &["UNION_OPENED"],
        ),
        (
            "ref retargeted",
            post(
                r##""r": {"type": "ref", "ref": "#a"}"##,
                "",
                r##", "a": {"type": "object", "properties": {}}, "b": {"type": "object", "properties": {}}"##,
            ),
            post(
                r##""r": {"type": "ref", "ref": "#b"}"##,
                "",
                r##", "a": {"type": "object", "properties": {}}, "b": {"type": "object", "properties": {}}"##,
            ),
            (B, B),
            &["TYPE_CHANGED"],
        ),
        (
            "a referenced def gains a required field",
            post(
                r##""r": {"type": "ref", "ref": "#a"}"##,
                "",
                r##", "a": {"type": "object", "properties": {"x": {"type": "string"}}}"##,
            ),
            post(
                r##""r": {"type": "ref", "ref": "#a"}"##,
                "",
                r##", "a": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}}"##,
            ),
            (B, C),
            &["FIELD_MADE_REQUIRED"],
        ),
        (
            "def added",
            post(text, "", ""),
            post(text, "", r##", "a": {"type": "token"}"##),
            (C, C),
            &["DEF_ADDED"],
        ),
        (
            "def removed",
            post(text, "", r##", "a": {"type": "token"}"##),
            post(text, "", ""),
            (B, C),
            &["DEF_REMOVED"],
        ),
        (
            "record key changed",
            post(text, "", ""),
            post(text, "", "").replace(r#""key": "tid""#, r#""key": "literal:self""#),
            (B, B),
            &["RECORD_KEY_CHANGED"],
        ),
        ("enum added", v(r#"{"type": "string"}"#), v(r#"{"type": "string", "enum": ["a"]}"#), (B, C), &["ENUM_ADDED"]),
        ("enum removed", v(r#"{"type": "string", "enum": ["a"]}"#), v(r#"{"type": "string"}"#), (C, B), &["ENUM_REMOVED"]),
        ("blob accepts another type", v(r#"{"type": "blob", "accept": ["image/png"]}"#), v(r#"{"type": "blob", "accept": ["image/png", "image/webp"]}"#), (C, B), &["ACCEPT_VALUE_ADDED"]),
        ("blob accept list added", v(r#"{"type": "blob"}"#), v(r#"{"type": "blob", "accept": ["image/png"]}"#), (B, C), &["ACCEPT_ADDED"]),
        ("blob accept list removed", v(r#"{"type": "blob", "accept": ["image/png"]}"#), v(r#"{"type": "blob"}"#), (C, B), &["ACCEPT_REMOVED"]),
        ("const removed", v(r#"{"type": "string", "const": "x"}"#), v(r#"{"type": "string"}"#), (C, B), &["CONST_REMOVED"]),
        ("const changed", v(r#"{"type": "string", "const": "x"}"#), v(r#"{"type": "string", "const": "y"}"#), (B, B), &["CONST_CHANGED"]),
        ("format removed", v(r#"{"type": "string", "format": "uri"}"#), v(r#"{"type": "string"}"#), (C, B), &["FORMAT_REMOVED"]),
        ("field made non-nullable", post(text, "", "").replace(r#""required": []"#, r#""required": [], "nullable": ["text"]"#), post(text, "", ""), (B, C), &["FIELD_MADE_NON_NULLABLE"]),
        ("input encoding changed", r#"{"lexicon": 1, "id": "com.example.upload", "defs": {"main": {"type": "procedure", "input": {"encoding": "application/json"}}}}"#.to_owned(), r#"{"lexicon": 1, "id": "com.example.upload", "defs": {"main": {"type": "procedure", "input": {"encoding": "*/*"}}}}"#.to_owned(), (B, B), &["ENCODING_CHANGED"]),
    ]
}

#[test]
fn each_edit_is_judged_both_ways() {
    for (what, old, new, (backward, forward), rules) in pairs() {
        let r = report(&old, &new);
        assert_eq!(r.rules, "atproto", "{what}");
        let mut expected: Vec<String> = rules.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(
            (r.backward(), r.forward(), rule_ids(&r)),
            (backward, forward, expected),
            "{what}: {:#?}",
            r.findings
        );
        if old == new {
            assert!(r.findings.is_empty(), "{what}: {:#?}", r.findings);
        }
    }
}

#[test]
fn findings_name_the_def_and_field() {
    let r = report(
        &v(r#"{"type": "string", "maxLength": 300}"#),
        &v(r#"{"type": "string", "maxLength": 100}"#),
    );
    let f = &r.findings[0];
    assert_eq!(
        (f.path.as_str(), f.change.as_str()),
        ("com.example.post#main.v", "maxLength 300 → 100")
    );
}

/// The corpus's lexicons, one schema each.
fn corpus() -> Vec<(String, String, Schema)> {
    corpus_files("atproto", ".json")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let schema = Format::Atproto
                .parse(&Source::from_text(&name, &text), &FormatOptions::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, text, schema)
        })
        .collect()
}

#[test]
fn every_corpus_file_is_compatible_with_itself() {
    let files = corpus();
    assert!(files.len() >= 40);
    for (name, _, schema) in &files {
        let r = compatibility(schema, schema).unwrap();
        assert!(r.findings.is_empty(), "{name}: {:#?}", r.findings);
    }
}

#[test]
fn comparing_any_two_corpus_files_returns() {
    let files = corpus();
    for (_, _, a) in &files {
        for (_, _, b) in &files {
            assert_eq!(compatibility(a, b).unwrap().rules, "atproto");
        }
    }
}

type Edit = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (Level, Level),
);

/// One textual edit of a real lexicon: (file, what, text replaced, by,
/// rule id expected, its (backward, forward)).
const EDITS: &[Edit] = &[
    (
        "app.bsky.feed.post.json",
        "text's maxLength lowered",
        r#""maxLength": 3000"#,
        r#""maxLength": 1000"#,
        "MAX_LENGTH_DECREASED",
        (B, C),
    ),
    (
        "app.bsky.feed.post.json",
        "createdAt no longer required",
        r#""required": ["text", "createdAt"]"#,
        r#""required": ["text"]"#,
        "FIELD_MADE_OPTIONAL",
        (C, B),
    ),
    (
        "app.bsky.feed.post.json",
        "langs made required",
        r#""required": ["text", "createdAt"]"#,
        r#""required": ["text", "createdAt", "langs"]"#,
        "FIELD_MADE_REQUIRED",
        (B, C),
    ),
    (
        "app.bsky.feed.post.json",
        "ref added to the open embed union",
        r#""app.bsky.embed.recordWithMedia""#,
        r#""app.bsky.embed.recordWithMedia", "app.bsky.embed.poll""#,
        "UNION_REF_ADDED",
        (C, D),
    ),
    (
        "app.bsky.feed.post.json",
        "text retyped",
        r#""type": "string",
            "maxLength": 3000"#,
        r#""type": "integer",
            "maxLength": 3000"#,
        "TYPE_CHANGED",
        (B, B),
    ),
    (
        "com.atproto.repo.applyWrites.json",
        "ref added to a closed union",
        r##""refs": ["#create", "#update", "#delete"]"##,
        r##""refs": ["#create", "#update", "#delete", "#createResult"]"##,
        "UNION_REF_ADDED",
        (C, B),
    ),
    (
        "app.bsky.feed.threadgate.json",
        "a knownValue-free field gains knownValues",
        r#""type": "string""#,
        r#""type": "string", "knownValues": ["x"]"#,
        "KNOWN_VALUE_ADDED",
        (C, C),
    ),
];

#[test]
fn edits_of_the_corpus_are_judged() {
    let files = corpus();
    for &(file, what, from, to, rule, (backward, forward)) in EDITS {
        let (name, text, old) = files.iter().find(|(n, _, _)| n == file).unwrap();
        assert!(text.contains(from), "{file}: {what}: {from:?} not found");
        let edited = text.replacen(from, to, 1);
        let new = Format::Atproto
            .parse(&Source::from_text(name, &edited), &FormatOptions::default())
            .unwrap_or_else(|e| panic!("{file}: {what}: {e}"));
        let r = compatibility(old, &new).unwrap();
        let f = r
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{file}: {what}: {:#?}", r.findings));
        assert_eq!(
            (f.backward, f.forward),
            (backward, forward),
            "{file}: {what}: {f:#?}"
        );
    }
}

/// A schema built by hand (as the Python examples build `post`) is judged
/// by the same rules, from the defs nothing points to.
#[test]
fn a_schema_built_by_hand_is_judged_from_its_records() {
    let post = |required: &[&str]| {
        Schema::builder(panproto_core::builtin_protocol("atproto").unwrap())
            .vertex("post", "record", Some("app.bsky.feed.post".to_owned()))
            .vertex("post:body", "object", None)
            .vertex("post:body.text", "string", None)
            .edge("post", "post:body", "record-schema", None)
            .edge(
                "post:body",
                "post:body.text",
                "prop",
                Some("text".to_owned()),
            )
            .required(
                "post:body",
                required.iter().map(|s| (*s).to_owned()).collect(),
            )
            .build()
            .unwrap()
    };
    let r = compatibility(&post(&[]), &post(&["text"])).unwrap();
    assert_eq!(rule_ids(&r), ["FIELD_MADE_REQUIRED"]);
    assert_eq!(r.findings[0].path, "post.text");
    assert_eq!(
        (r.backward(), r.forward()),
        (Level::Breaking, Level::Compatible)
    );
}

/// What the README's example prints.
#[test]
fn the_readme_example() {
    let post = r#"{"lexicon": 1, "id": "com.example.post", "defs": {"main": {"type": "record", "key": "tid", "record": {"type": "object", "properties": {"text": {"type": "string"}}}}}}"#;
    let r = report(
        post,
        &post.replace(r#""properties""#, r#""required": ["text"], "properties""#),
    );
    let found: Vec<(&str, &str, Level, Level)> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.path.as_str(), f.backward, f.forward))
        .collect();
    assert_eq!(
        found,
        [("FIELD_MADE_REQUIRED", "com.example.post#main.text", B, C)]
    );
}
