//! ATProto lexicons: every corpus file, and the corpus folder as one
//! schema, round-trip; the emitted files pass the lexicon rules (checked
//! by the small validator below: there is no external lexicon tool here)
//! and are stable; what the corpus lacks is tested on files written here;
//! bad input gives a located error and never a panic.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use panproto_core::{Format, FormatError, FormatOptions, Schema, Source, builtin_protocol};
use serde_json::Value;

use crate::common;

fn corpus_source() -> Source {
    Source::read(&common::corpus("atproto"), |p| p.ends_with(".json")).unwrap()
}

fn file_source(path: &Path) -> Source {
    Source::read(path, |_| true).unwrap()
}

fn parse_text(name: &str, text: &str) -> Result<Schema, FormatError> {
    Format::Atproto.parse(&Source::from_text(name, text), &FormatOptions::default())
}

fn emit(schema: &Schema) -> BTreeMap<String, String> {
    Format::Atproto
        .emit(schema, &FormatOptions::default())
        .unwrap()
        .files
}

fn kind<'s>(schema: &'s Schema, id: &str) -> &'s str {
    &schema
        .vertices()
        .get(id)
        .unwrap_or_else(|| panic!("no vertex {id:?}"))
        .kind
}

fn constraint<'s>(schema: &'s Schema, id: &str, sort: &str) -> Option<&'s str> {
    schema
        .constraints()
        .get(id)
        .and_then(|c| c.get(sort))
        .map(String::as_str)
}

fn has_edge(schema: &Schema, src: &str, tgt: &str, kind: &str, name: Option<&str>) -> bool {
    schema
        .edges()
        .iter()
        .any(|e| e.src == src && e.tgt == tgt && e.kind == kind && e.name.as_deref() == name)
}

// ---------------------------------------------------------------- corpus

#[test]
fn every_corpus_file_round_trips() {
    let files = common::corpus_files("atproto", ".json");
    assert_eq!(files.len(), 45);
    for path in files {
        common::round_trip(Format::Atproto, &file_source(&path));
    }
}

#[test]
fn the_corpus_folder_round_trips_as_one_schema() {
    let schema = common::round_trip(Format::Atproto, &corpus_source());
    // Cross-file refs reach the defs themselves, not copies.
    assert!(has_edge(
        &schema,
        "app.bsky.feed.post#replyRef:root",
        "com.atproto.repo.strongRef",
        "ref",
        None
    ));
    assert_eq!(kind(&schema, "com.atproto.repo.strongRef"), "object");
    assert!(has_edge(
        &schema,
        "app.bsky.feed.post:record.embed",
        "app.bsky.embed.images",
        "variant",
        None
    ));
    // Lexicons the corpus does not hold stay external defs.
    assert_eq!(kind(&schema, "app.bsky.embed.gallery"), "external");
    let files = schema
        .vertices()
        .values()
        .filter(|v| v.kind == "file")
        .count();
    assert_eq!(files, 45);
}

#[test]
fn a_post_is_modelled_as_its_defs_and_members() {
    let path = common::corpus("atproto").join("app.bsky.feed.post.json");
    let s = Format::Atproto
        .parse(&file_source(&path), &FormatOptions::default())
        .unwrap();
    let post = "app.bsky.feed.post";
    assert_eq!(kind(&s, "app.bsky.feed.post.json"), "file");
    assert!(has_edge(
        &s,
        "app.bsky.feed.post.json",
        post,
        "def",
        Some("main")
    ));
    assert!(has_edge(
        &s,
        "app.bsky.feed.post.json",
        "app.bsky.feed.post#replyRef",
        "def",
        Some("replyRef")
    ));
    assert_eq!(
        constraint(&s, "app.bsky.feed.post.json", "order"),
        Some(r#"["main","replyRef","entity","textSlice"]"#)
    );
    assert_eq!(kind(&s, post), "record");
    assert_eq!(s.vertices()[post].nsid.as_deref(), Some(post));
    assert_eq!(constraint(&s, post, "key"), Some("tid"));
    assert_eq!(
        constraint(&s, post, "description"),
        Some("Record containing a Bluesky post.")
    );
    let body = "app.bsky.feed.post:record";
    assert!(has_edge(&s, post, body, "record-schema", None));
    assert_eq!(kind(&s, body), "object");
    assert_eq!(
        s.required()[body],
        BTreeSet::from(["text".to_owned(), "createdAt".to_owned()])
    );
    let text = "app.bsky.feed.post:record.text";
    assert!(has_edge(&s, body, text, "prop", Some("text")));
    assert_eq!(kind(&s, text), "string");
    assert_eq!(constraint(&s, text, "maxLength"), Some("3000"));
    assert_eq!(constraint(&s, text, "maxGraphemes"), Some("300"));
    // An array of strings, with its own bound and its items'.
    let langs = "app.bsky.feed.post:record.langs";
    assert_eq!(kind(&s, langs), "array");
    assert_eq!(constraint(&s, langs, "maxLength"), Some("3"));
    assert!(has_edge(
        &s,
        langs,
        "app.bsky.feed.post:record.langs.items",
        "items",
        None
    ));
    assert_eq!(
        constraint(&s, "app.bsky.feed.post:record.langs.items", "format"),
        Some("language")
    );
    // A local ref reaches the def; a ref to another lexicon an external def.
    assert!(has_edge(
        &s,
        "app.bsky.feed.post:record.reply",
        "app.bsky.feed.post#replyRef",
        "ref",
        None
    ));
    assert_eq!(kind(&s, "com.atproto.repo.strongRef"), "external");
    assert_eq!(
        s.vertices()["com.atproto.repo.strongRef"].nsid.as_deref(),
        Some("com.atproto.repo.strongRef")
    );
    // An open union: its refs as variant edges, their order kept.
    let embed = "app.bsky.feed.post:record.embed";
    assert_eq!(kind(&s, embed), "union");
    assert!(has_edge(&s, embed, "app.bsky.embed.video", "variant", None));
    assert_eq!(constraint(&s, embed, "closed"), None);
    let order: Vec<String> = serde_json::from_str(constraint(&s, embed, "order").unwrap()).unwrap();
    assert_eq!(order[0], "app.bsky.embed.images");
    assert_eq!(order.len(), 6);
    // The emitted post writes refs in their short form.
    let files = emit(&s);
    let text = &files["app.bsky.feed.post.json"];
    assert!(text.contains(r##""ref": "#replyRef""##), "{text}");
    assert!(
        text.contains(r#""ref": "com.atproto.repo.strongRef""#),
        "{text}"
    );
}

#[test]
fn queries_procedures_and_subscriptions_keep_bodies_and_errors() {
    let s = Format::Atproto
        .parse(&corpus_source(), &FormatOptions::default())
        .unwrap();
    let blob = "com.atproto.sync.getBlob";
    assert_eq!(kind(&s, blob), "query");
    assert!(has_edge(
        &s,
        blob,
        "com.atproto.sync.getBlob:parameters",
        "parameters",
        None
    ));
    assert_eq!(kind(&s, "com.atproto.sync.getBlob:parameters"), "params");
    assert_eq!(
        constraint(&s, "com.atproto.sync.getBlob:parameters.did", "format"),
        Some("did")
    );
    assert!(has_edge(
        &s,
        blob,
        "com.atproto.sync.getBlob:output",
        "output",
        None
    ));
    assert_eq!(
        constraint(&s, "com.atproto.sync.getBlob:output", "encoding"),
        Some("*/*")
    );
    assert!(has_edge(
        &s,
        blob,
        "com.atproto.sync.getBlob:errors.BlobNotFound",
        "error",
        Some("BlobNotFound")
    ));
    assert_eq!(
        kind(&s, "com.atproto.sync.getBlob:errors.BlobNotFound"),
        "error"
    );
    let upload = "com.atproto.repo.uploadBlob";
    assert_eq!(kind(&s, upload), "procedure");
    assert_eq!(
        constraint(&s, "com.atproto.repo.uploadBlob:input", "encoding"),
        Some("*/*")
    );
    assert!(has_edge(
        &s,
        "com.atproto.repo.uploadBlob:output",
        "com.atproto.repo.uploadBlob:output.schema",
        "schema",
        None
    ));
    assert_eq!(
        kind(&s, "com.atproto.repo.uploadBlob:output.schema.blob"),
        "blob"
    );
    // A closed union.
    let writes = "com.atproto.repo.applyWrites:input.schema.writes.items";
    assert_eq!(kind(&s, writes), "union");
    assert_eq!(constraint(&s, writes, "closed"), Some("true"));
    assert!(has_edge(
        &s,
        writes,
        "com.atproto.repo.applyWrites#create",
        "variant",
        None
    ));
    // A subscription's message and its nullable fields.
    let repos = "com.atproto.sync.subscribeRepos";
    assert_eq!(kind(&s, repos), "subscription");
    assert!(has_edge(
        &s,
        repos,
        "com.atproto.sync.subscribeRepos:message",
        "message",
        None
    ));
    assert_eq!(
        kind(&s, "com.atproto.sync.subscribeRepos:message.schema"),
        "union"
    );
    assert_eq!(
        constraint(&s, "com.atproto.sync.subscribeRepos#commit", "nullable"),
        Some(r#"["since"]"#)
    );
    // Tokens, knownValues, blobs' accept and maxSize.
    assert_eq!(kind(&s, "app.bsky.feed.defs#requestLess"), "token");
    let avatar = "app.bsky.actor.profile:record.avatar";
    assert_eq!(kind(&s, avatar), "blob");
    assert_eq!(constraint(&s, avatar, "maxSize"), Some("1000000"));
    assert_eq!(
        constraint(&s, avatar, "accept"),
        Some(r#"["image/png","image/jpeg"]"#)
    );
}

#[test]
fn a_permission_set_is_kept_not_refused() {
    let path = common::corpus("atproto").join("app.bsky.authFullApp.json");
    let s = common::round_trip(Format::Atproto, &file_source(&path));
    let set = "app.bsky.authFullApp";
    assert_eq!(kind(&s, set), "permission-set");
    assert_eq!(
        constraint(&s, set, "title"),
        Some("Full Bluesky Social App Permissions")
    );
    assert!(
        constraint(&s, set, "detail")
            .unwrap()
            .starts_with("Manage all public")
    );
    let permissions: Value =
        serde_json::from_str(constraint(&s, set, "permissions").unwrap()).unwrap();
    assert_eq!(permissions[1]["resource"], "repo");
    assert_eq!(
        constraint(&s, set, "annotation"),
        Some(r#"{"title:lang":{},"detail:lang":{}}"#)
    );
}

// ---------------------------------------------------------------- oracle

/// NSIDs the corpus's refs name but the corpus does not hold (lexicons of
/// `bluesky-social/atproto` left out of it): the only refs the validator
/// lets stay unresolved.
const NOT_IN_CORPUS: &[&str] = &[
    "app.bsky.ageassurance.defs",
    "app.bsky.embed.gallery",
    "app.bsky.labeler.defs",
    "app.bsky.notification.defs",
    "chat.bsky.actor.defs",
    "chat.bsky.embed.joinLink",
    "chat.bsky.group.defs",
    "com.atproto.admin.defs",
    "com.atproto.repo.defs",
    "com.atproto.server.defs",
];

/// Corpus files the lexicon rules reject in their original form, with the
/// reason: none.
const REJECTED_IN_ORIGINAL: &[(&str, &str)] = &[];

/// The Lexicon spec's rules (atproto.com/specs/lexicon) on a set of files
/// (name → JSON): every problem found, as "file: problem".
fn lexicon_problems(files: &BTreeMap<String, Value>) -> Vec<String> {
    let mut defs: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for doc in files.values() {
        if let (Some(id), Some(d)) = (doc["id"].as_str(), doc["defs"].as_object()) {
            defs.insert(id, d.keys().map(String::as_str).collect());
        }
    }
    let mut problems = Vec::new();
    for (name, doc) in files {
        let mut v = Validator {
            defs: &defs,
            nsid: doc["id"].as_str().unwrap_or(""),
            problems: Vec::new(),
        };
        v.doc(doc);
        problems.extend(v.problems.into_iter().map(|p| format!("{name}: {p}")));
    }
    problems
}

struct Validator<'a> {
    defs: &'a BTreeMap<&'a str, BTreeSet<&'a str>>,
    nsid: &'a str,
    problems: Vec<String>,
}

const FORMATS: &[&str] = &[
    "at-identifier",
    "at-uri",
    "cid",
    "datetime",
    "did",
    "handle",
    "nsid",
    "tid",
    "record-key",
    "uri",
    "language",
];

fn valid_nsid(s: &str) -> bool {
    let segs: Vec<&str> = s.split('.').collect();
    let (name, authority) = segs.split_last().unwrap();
    segs.len() >= 3
        && s.len() <= 317
        && authority.iter().enumerate().all(|(i, seg)| {
            !seg.is_empty()
                && seg.len() <= 63
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !seg.starts_with('-')
                && !seg.ends_with('-')
                && (i > 0 || !seg.starts_with(|c: char| c.is_ascii_digit()))
        })
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

impl Validator<'_> {
    fn bad(&mut self, at: &str, what: impl Into<String>) {
        self.problems.push(format!("{at}: {}", what.into()));
    }

    fn doc(&mut self, doc: &Value) {
        if doc["lexicon"] != 1 {
            self.bad("lexicon", "is not 1");
        }
        if !valid_nsid(self.nsid) {
            self.bad("id", format!("{:?} is not an NSID", doc["id"]));
        }
        for key in doc.as_object().into_iter().flat_map(|o| o.keys()) {
            if !["lexicon", "id", "revision", "description", "defs"].contains(&key.as_str()) {
                self.bad(key, "is not a key of a lexicon");
            }
        }
        let Some(defs) = doc["defs"].as_object() else {
            self.bad("defs", "is not an object");
            return;
        };
        for (name, def) in defs {
            let ty = def["type"].as_str().unwrap_or("");
            let primary = [
                "record",
                "query",
                "procedure",
                "subscription",
                "permission-set",
            ];
            if primary.contains(&ty) && name != "main" {
                self.bad(name, format!("a {ty} may only be the main def"));
            }
            self.ty(name, def, true);
        }
    }

    fn refs_ok(&mut self, at: &str, r: &str) {
        let (nsid, name) = match r.split_once('#') {
            Some(("", name)) => (self.nsid, name),
            Some((nsid, name)) => (nsid, name),
            None => (r, "main"),
        };
        match self.defs.get(nsid) {
            Some(names) if names.contains(name) => {}
            Some(_) => self.bad(at, format!("ref {r:?} names no def")),
            None if NOT_IN_CORPUS.contains(&nsid) => {}
            None => self.bad(at, format!("ref {r:?} names no lexicon")),
        }
        if nsid != self.nsid && !valid_nsid(nsid) {
            self.bad(at, format!("ref {r:?} is not an NSID"));
        }
    }

    fn strings(&mut self, at: &str, v: &Value, key: &str) -> Vec<String> {
        match &v[key] {
            Value::Null => Vec::new(),
            Value::Array(items) if items.iter().all(Value::is_string) => items
                .iter()
                .map(|i| i.as_str().unwrap().to_owned())
                .collect(),
            _ => {
                self.bad(at, format!("{key} is not an array of strings"));
                Vec::new()
            }
        }
    }

    fn body(&mut self, at: &str, body: &Value, needs_encoding: bool) {
        if body.is_null() {
            return;
        }
        if needs_encoding && !body["encoding"].is_string() {
            self.bad(at, "has no encoding");
        }
        if !body["schema"].is_null() {
            let ty = body["schema"]["type"].as_str().unwrap_or("");
            if !["object", "ref", "union"].contains(&ty) {
                self.bad(at, format!("schema is a {ty}"));
            }
            self.ty(&format!("{at}.schema"), &body["schema"], false);
        }
    }

    fn ty(&mut self, at: &str, v: &Value, is_def: bool) {
        let ty = v["type"].as_str().unwrap_or("");
        match ty {
            "record" => {
                let key = v["key"].as_str().unwrap_or("");
                if !["tid", "nsid", "any"].contains(&key) && !key.starts_with("literal:") {
                    self.bad(at, format!("record key {key:?}"));
                }
                if v["record"]["type"] != "object" {
                    self.bad(at, "record is not an object");
                }
                self.ty(&format!("{at}.record"), &v["record"], false);
            }
            "query" | "procedure" | "subscription" => {
                if !v["parameters"].is_null() {
                    if v["parameters"]["type"] != "params" {
                        self.bad(at, "parameters is not a params");
                    }
                    self.ty(&format!("{at}.parameters"), &v["parameters"], false);
                }
                self.body(&format!("{at}.input"), &v["input"], true);
                self.body(&format!("{at}.output"), &v["output"], true);
                if ty == "subscription" {
                    if v["message"]["schema"]["type"] != "union" {
                        self.bad(at, "message schema is not a union");
                    }
                    self.body(&format!("{at}.message"), &v["message"], false);
                }
                for e in v["errors"].as_array().into_iter().flatten() {
                    if !e["name"].is_string() {
                        self.bad(at, "an error has no name");
                    }
                }
            }
            "permission-set" => {
                for p in v["permissions"].as_array().into_iter().flatten() {
                    if p["type"] != "permission" || !p["resource"].is_string() {
                        self.bad(at, "a permission has no type permission and resource");
                    }
                }
            }
            "object" | "params" => {
                let props = v["properties"].as_object();
                if props.is_none() {
                    self.bad(at, "has no properties");
                }
                let names: BTreeSet<&str> = props
                    .into_iter()
                    .flat_map(|p| p.keys())
                    .map(String::as_str)
                    .collect();
                for key in ["required", "nullable"] {
                    for n in self.strings(at, v, key) {
                        if !names.contains(n.as_str()) {
                            self.bad(at, format!("{key} {n:?} is no property"));
                        }
                    }
                }
                for (name, p) in props.into_iter().flatten() {
                    let pty = p["type"].as_str().unwrap_or("");
                    if ty == "params"
                        && !["boolean", "integer", "string", "unknown", "array"].contains(&pty)
                    {
                        self.bad(at, format!("parameter {name} is a {pty}"));
                    }
                    self.ty(&format!("{at}.{name}"), p, false);
                }
            }
            "array" => {
                if v["items"].is_null() {
                    self.bad(at, "has no items");
                }
                self.ty(&format!("{at}.items"), &v["items"], false);
            }
            "string" => {
                if let Some(f) = v.get("format") {
                    if !FORMATS.contains(&f.as_str().unwrap_or("")) {
                        self.bad(at, format!("format {f}"));
                    }
                }
                self.strings(at, v, "knownValues");
                self.strings(at, v, "enum");
                for key in ["maxLength", "minLength", "maxGraphemes", "minGraphemes"] {
                    if v.get(key).is_some_and(|n| !n.is_u64()) {
                        self.bad(at, format!("{key} is not a length"));
                    }
                }
                for key in ["const", "default"] {
                    if v.get(key).is_some_and(|n| !n.is_string()) {
                        self.bad(at, format!("{key} is not a string"));
                    }
                }
            }
            "integer" => {
                for key in ["minimum", "maximum", "const", "default"] {
                    if v.get(key).is_some_and(|n| !n.is_i64()) {
                        self.bad(at, format!("{key} is not an integer"));
                    }
                }
                if let (Some(lo), Some(hi)) = (v["minimum"].as_i64(), v["maximum"].as_i64()) {
                    if lo > hi {
                        self.bad(at, "minimum over maximum");
                    }
                }
            }
            "boolean" => {
                for key in ["const", "default"] {
                    if v.get(key).is_some_and(|n| !n.is_boolean()) {
                        self.bad(at, format!("{key} is not a boolean"));
                    }
                }
            }
            "blob" => {
                self.strings(at, v, "accept");
                if v.get("maxSize").is_some_and(|n| !n.is_u64()) {
                    self.bad(at, "maxSize is not a size");
                }
            }
            "ref" => match v["ref"].as_str() {
                Some(r) => self.refs_ok(at, r),
                None => self.bad(at, "has no ref"),
            },
            "union" => {
                if !v["refs"].is_array() {
                    self.bad(at, "has no refs");
                }
                for r in self.strings(at, v, "refs") {
                    self.refs_ok(at, &r);
                }
                if v.get("closed").is_some_and(|c| !c.is_boolean()) {
                    self.bad(at, "closed is not a boolean");
                }
            }
            "token" if !is_def => self.bad(at, "a token is only a def"),
            "token" | "bytes" | "cid-link" | "unknown" | "null" => {}
            other => self.bad(at, format!("type {other:?}")),
        }
    }
}

/// Reads each file named in `argv` as JSON and checks it is a lexicon
/// (version 1, defs) whose id is its file name.
const PYTHON_READS_LEXICONS: &str = r#"
import json, sys
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as f:
        doc = json.load(f)
    assert doc["lexicon"] == 1, name
    assert doc["id"] + ".json" == name, name
    assert isinstance(doc["defs"], dict), name
"#;

fn as_values(files: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    files
        .iter()
        .map(|(name, text)| (name.clone(), serde_json::from_str(text).unwrap()))
        .collect()
}

#[test]
fn the_original_corpus_passes_the_lexicon_rules() {
    let mut originals = BTreeMap::new();
    for path in common::corpus_files("atproto", ".json") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        originals.insert(name, std::fs::read_to_string(&path).unwrap());
    }
    let problems = lexicon_problems(&as_values(&originals));
    let rejected: BTreeSet<&str> = problems
        .iter()
        .map(|p| p.split(':').next().unwrap())
        .collect();
    let listed: BTreeSet<&str> = REJECTED_IN_ORIGINAL.iter().map(|(f, _)| *f).collect();
    assert_eq!(rejected, listed, "{problems:#?}");
}

#[test]
fn emitted_files_pass_the_lexicon_rules_parse_back_and_are_stable() {
    let dir = crate::common::scratch_dir("atproto-oracle");
    let options = FormatOptions::default();
    let mut all = BTreeMap::new();
    for path in common::corpus_files("atproto", ".json") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if REJECTED_IN_ORIGINAL.iter().any(|(f, _)| *f == name) {
            continue;
        }
        let schema = Format::Atproto
            .parse(&file_source(&path), &options)
            .unwrap();
        let first = emit(&schema);
        assert_eq!(first, emit(&schema), "{name}: two emits differ");
        assert_eq!(first.keys().collect::<Vec<_>>(), [&name]);
        for (file, text) in &first {
            std::fs::write(dir.join(file), text).unwrap();
        }
        let back = Format::Atproto
            .parse(&file_source(&dir.join(&name)), &options)
            .unwrap();
        assert_eq!(
            back, schema,
            "{name}: the written file parses to another schema"
        );
        assert_eq!(
            emit(&back),
            first,
            "{name}: emit of the parsed emit differs"
        );
        all.extend(first);
    }
    // The rules across all the written files, so every ref is checked
    // against the lexicons it names.
    let problems = lexicon_problems(&as_values(&all));
    assert!(problems.is_empty(), "{problems:#?}");
    // A second JSON reader (Python's) reads every written file as a
    // lexicon of the NSID its name says.
    let names: Vec<&str> = all.keys().map(String::as_str).collect();
    match common::run_python_oracle("json", PYTHON_READS_LEXICONS, &names, &dir) {
        common::Oracle::Ran(verdict) => verdict.unwrap(),
        common::Oracle::Missing(why) => println!("skipped the Python reader: {why}"),
    }
    // The folder written back, read as one schema, is the corpus's.
    let whole = Format::Atproto.parse(&corpus_source(), &options).unwrap();
    let again = Format::Atproto
        .parse(
            &Source::read(&dir, |p| p.ends_with(".json")).unwrap(),
            &options,
        )
        .unwrap();
    assert_eq!(again, whole);
    assert_eq!(emit(&whole), all);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A lexicon's JSON with what writing it back may change undone: refs in
/// their full form, `required` sorted, an empty `required` or `nullable`
/// left out.
fn normalised(value: &Value, nsid: &str) -> Value {
    let full = |r: &str| {
        let (n, name) = match r.split_once('#') {
            Some(("", name)) => (nsid, name),
            Some((n, name)) => (n, name),
            None => (r, "main"),
        };
        if name == "main" {
            n.to_owned()
        } else {
            format!("{n}#{name}")
        }
    };
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            let ty = map.get("type").and_then(Value::as_str);
            for (k, v) in map {
                let v = match (ty, k.as_str(), v) {
                    (Some("ref"), "ref", Value::String(r)) => Value::String(full(r)),
                    (Some("union"), "refs", Value::Array(rs)) => Value::Array(
                        rs.iter()
                            .map(|r| Value::String(full(r.as_str().unwrap())))
                            .collect(),
                    ),
                    (Some("object" | "params"), "required" | "nullable", Value::Array(a))
                        if a.is_empty() =>
                    {
                        continue;
                    }
                    (Some("object" | "params"), "required", Value::Array(a)) => {
                        let mut a = a.clone();
                        a.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
                        Value::Array(a)
                    }
                    _ => normalised(v, nsid),
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| normalised(v, nsid)).collect()),
        other => other.clone(),
    }
}

/// Written back, every corpus file says what it said: the same JSON but
/// for key order, the form of refs and of `required`.
#[test]
fn emitted_files_say_what_the_originals_say() {
    for path in common::corpus_files("atproto", ".json") {
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let nsid = original["id"].as_str().unwrap().to_owned();
        let schema = Format::Atproto
            .parse(&file_source(&path), &FormatOptions::default())
            .unwrap();
        let files = emit(&schema);
        let written: Value = serde_json::from_str(files.values().next().unwrap()).unwrap();
        assert_eq!(
            normalised(&written, &nsid),
            normalised(&original, &nsid),
            "{}",
            path.display()
        );
    }
}

// ------------------------------------------------- what the corpus lacks

const FEATURES: &str = r##"{
  "lexicon": 1,
  "id": "com.example.features",
  "revision": 3,
  "description": "Every type and key the corpus does not use.",
  "$comment": "kept as an annotation",
  "defs": {
    "main": {
      "type": "procedure",
      "parameters": {
        "type": "params",
        "required": ["tags"],
        "properties": {
          "tags": { "type": "array", "items": { "type": "string" }, "minLength": 1, "maxLength": 5 },
          "dryRun": { "type": "boolean", "default": false }
        }
      },
      "input": {
        "encoding": "application/json",
        "description": "The thing to store.",
        "schema": { "type": "ref", "ref": "#thing" }
      },
      "output": { "encoding": "application/json", "schema": { "type": "union", "refs": ["#thing", "#mark"], "closed": false } },
      "errors": [{ "name": "TooBig", "description": "Too big.", "x-status": 413 }]
    },
    "thing": {
      "type": "object",
      "required": ["kind", "level"],
      "nullable": ["note"],
      "properties": {
        "kind": { "type": "string", "enum": ["a", "b"], "default": "a", "minLength": 1, "minGraphemes": 1 },
        "fixed": { "type": "string", "const": "x" },
        "level": { "type": "integer", "enum": [1, 2, 3], "default": 2, "minimum": -1, "maximum": 10 },
        "answer": { "type": "integer", "const": 42 },
        "sure": { "type": "boolean", "const": true },
        "raw": { "type": "bytes", "minLength": 1, "maxLength": 64 },
        "nothing": { "type": "null" },
        "link": { "type": "cid-link" },
        "note": { "type": "string", "title": "unmodelled, kept" },
        "nested": { "type": "object", "properties": { "deep": { "type": "array", "items": { "type": "ref", "ref": "com.example.other#part" } } } }
      }
    },
    "mark": { "type": "token", "description": "A token." },
    "nil": { "type": "null" },
    "list": { "type": "array", "items": { "type": "ref", "ref": "#level" } },
    "choice": { "type": "union", "refs": ["#mark", "#nil"] },
    "level": { "type": "integer", "minimum": 0 }
  }
}"##;

#[test]
fn types_and_keys_beyond_the_corpus_are_modelled_and_round_trip() {
    let source = Source::from_text("com.example.features.json", FEATURES);
    let s = common::round_trip(Format::Atproto, &source);
    let file = "com.example.features.json";
    assert_eq!(constraint(&s, file, "revision"), Some("3"));
    assert_eq!(
        constraint(&s, file, "annotation"),
        Some(r#"{"$comment":"kept as an annotation"}"#)
    );
    let main = "com.example.features";
    assert_eq!(kind(&s, main), "procedure");
    let params = "com.example.features:parameters";
    assert_eq!(s.required()[params], BTreeSet::from(["tags".to_owned()]));
    assert_eq!(
        constraint(&s, "com.example.features:parameters.tags", "minLength"),
        Some("1")
    );
    assert_eq!(
        constraint(&s, "com.example.features:parameters.dryRun", "default"),
        Some("false")
    );
    let input = "com.example.features:input";
    assert_eq!(kind(&s, input), "body");
    assert_eq!(
        constraint(&s, input, "description"),
        Some("The thing to store.")
    );
    assert!(has_edge(
        &s,
        "com.example.features:input.schema",
        "com.example.features#thing",
        "ref",
        None
    ));
    let output = "com.example.features:output.schema";
    assert_eq!(constraint(&s, output, "closed"), Some("false"));
    assert!(has_edge(
        &s,
        output,
        "com.example.features#mark",
        "variant",
        None
    ));
    let err = "com.example.features:errors.TooBig";
    assert_eq!(constraint(&s, err, "description"), Some("Too big."));
    assert_eq!(
        constraint(&s, err, "annotation"),
        Some(r#"{"x-status":413}"#)
    );
    let thing = "com.example.features#thing";
    let m = |name: &str| format!("{thing}:{name}");
    assert_eq!(constraint(&s, &m("kind"), "enum"), Some(r#"["a","b"]"#));
    assert_eq!(constraint(&s, &m("kind"), "default"), Some("a"));
    assert_eq!(constraint(&s, &m("kind"), "minGraphemes"), Some("1"));
    assert_eq!(constraint(&s, &m("fixed"), "const"), Some("x"));
    assert_eq!(constraint(&s, &m("level"), "enum"), Some("[1,2,3]"));
    assert_eq!(constraint(&s, &m("level"), "minimum"), Some("-1"));
    assert_eq!(constraint(&s, &m("answer"), "const"), Some("42"));
    assert_eq!(constraint(&s, &m("sure"), "const"), Some("true"));
    assert_eq!(constraint(&s, &m("raw"), "maxLength"), Some("64"));
    assert_eq!(kind(&s, &m("raw")), "bytes");
    assert_eq!(kind(&s, &m("nothing")), "null");
    assert_eq!(kind(&s, &m("link")), "cid-link");
    assert_eq!(
        constraint(&s, &m("note"), "annotation"),
        Some(r#"{"title":"unmodelled, kept"}"#)
    );
    assert_eq!(constraint(&s, thing, "nullable"), Some(r#"["note"]"#));
    assert!(has_edge(
        &s,
        &m("nested.deep.items"),
        "com.example.other#part",
        "ref",
        None
    ));
    assert_eq!(kind(&s, "com.example.other#part"), "external");
    assert_eq!(kind(&s, "com.example.features#mark"), "token");
    // Defs of every type, and refs to them.
    assert_eq!(kind(&s, "com.example.features#nil"), "null");
    assert!(has_edge(
        &s,
        file,
        "com.example.features#nil",
        "def",
        Some("nil")
    ));
    assert!(has_edge(
        &s,
        "com.example.features#list:items",
        "com.example.features#level",
        "ref",
        None
    ));
    assert!(has_edge(
        &s,
        "com.example.features#choice",
        "com.example.features#nil",
        "variant",
        None
    ));
    // The written file says all of it again, and nothing else.
    let files = emit(&s);
    let written: Value = serde_json::from_str(&files[file]).unwrap();
    let original: Value = serde_json::from_str(FEATURES).unwrap();
    assert_eq!(written["defs"]["thing"], original["defs"]["thing"]);
    assert_eq!(
        written["defs"]["main"]["errors"],
        original["defs"]["main"]["errors"]
    );
    assert_eq!(written["$comment"], original["$comment"]);
    assert_eq!(written["revision"], 3);
}

#[test]
fn refs_resolve_across_files_of_any_layout() {
    let source = Source::from_files(
        "lexicons",
        [
            (
                "com/example/a.json".to_owned(),
                r##"{"lexicon":1,"id":"com.example.a","defs":{"main":{"type":"object","properties":{"b":{"type":"ref","ref":"com.example.b#part"},"c":{"type":"ref","ref":"com.example.b"}}}}}"##.to_owned(),
            ),
            (
                "com/example/b.json".to_owned(),
                r##"{"lexicon":1,"id":"com.example.b","defs":{"main":{"type":"token"},"part":{"type":"object","properties":{"back":{"type":"ref","ref":"com.example.a#main"}}}}}"##.to_owned(),
            ),
        ],
    );
    let s = common::round_trip(Format::Atproto, &source);
    assert!(has_edge(
        &s,
        "com.example.a:b",
        "com.example.b#part",
        "ref",
        None
    ));
    assert!(has_edge(
        &s,
        "com.example.a:c",
        "com.example.b",
        "ref",
        None
    ));
    assert!(has_edge(
        &s,
        "com.example.b#part:back",
        "com.example.a",
        "ref",
        None
    ));
    assert!(!s.vertices().values().any(|v| v.kind == "external"));
    let files = emit(&s);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["com/example/a.json", "com/example/b.json"]
    );
    assert!(files["com/example/b.json"].contains(r#""ref": "com.example.a""#));
}

#[test]
fn a_lexicon_is_detected_among_json_files() {
    let path = common::corpus("atproto").join("app.bsky.feed.like.json");
    let source = file_source(&path);
    assert_eq!(
        panproto_core::formats::detect(&source).unwrap(),
        Format::Atproto
    );
    let schema = panproto_core::formats::parse(&source, None, &FormatOptions::default()).unwrap();
    assert_eq!(schema.protocol().name, "atproto");
}

// ------------------------------------------------------------ bad input

#[test]
fn a_syntax_error_is_located() {
    let text = "{\n  \"lexicon\": 1,\n  \"id\": \"com.example.x\"\n  \"defs\": {}\n}";
    let err = parse_text("x.json", text).unwrap_err();
    let FormatError::Syntax { at, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (at.file.as_str(), at.line, at.column),
        ("x.json", 4, 3),
        "{err}"
    );
    assert!(message.contains("expected"), "{message}");
    // Columns count characters, not bytes.
    let err = parse_text("u.json", "{\"id\": \"\u{e9}\" x}").unwrap_err();
    let at = err.location().unwrap();
    assert_eq!((at.line, at.column), (1, 12), "{err}");
    // A key given twice is refused, located in its object.
    let err = parse_text(
        "y.json",
        "{\"lexicon\": 1, \"id\": \"com.example.y\",\n \"defs\": {\"main\": {\"type\": \"token\", \"type\": \"token\"}}}",
    )
    .unwrap_err();
    let FormatError::Syntax { at, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at.line, 2, "{err}");
    assert!(message.contains("given twice"), "{message}");
}

#[test]
fn an_unresolved_ref_is_named_with_its_file() {
    let text = "{\"lexicon\": 1, \"id\": \"com.example.x\", \"defs\": {\"main\": {\"type\": \"object\",\n \"properties\": {\"a\": {\"type\": \"ref\", \"ref\": \"#nowhere\"}}}}}";
    let err = parse_text("x.json", text).unwrap_err();
    let FormatError::UnresolvedRef { at, reference } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(reference, "#nowhere");
    assert_eq!((at.file.as_str(), at.line), ("x.json", 2), "{err}");
    // A ref to a lexicon of the source names one of its defs, or fails.
    let source = Source::from_files(
        "dir",
        [
            (
                "a.json".to_owned(),
                r#"{"lexicon":1,"id":"com.example.a","defs":{"main":{"type":"union","refs":["com.example.b#gone"]}}}"#.to_owned(),
            ),
            (
                "b.json".to_owned(),
                r#"{"lexicon":1,"id":"com.example.b","defs":{"main":{"type":"token"}}}"#.to_owned(),
            ),
        ],
    );
    let err = Format::Atproto
        .parse(&source, &FormatOptions::default())
        .unwrap_err();
    let FormatError::UnresolvedRef { at, reference } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (reference.as_str(), at.file.as_str()),
        ("com.example.b#gone", "a.json")
    );
}

#[test]
fn constructs_outside_the_language_are_refused_where_they_are() {
    let wrap = |defs: &str| {
        format!("{{\"lexicon\": 1, \"id\": \"com.example.x\",\n\"defs\": {{\n{defs}\n}}}}")
    };
    let cases: &[(&str, &str)] = &[
        (r#""main": {"type": "table"}"#, "Unsupported"),
        (
            r#""other": {"type": "record", "record": {"type": "object", "properties": {}}}"#,
            "Invalid",
        ),
        (
            r#""main": {"type": "object", "required": ["x"], "properties": {}}"#,
            "Invalid",
        ),
        (
            r#""main": {"type": "string", "maxLength": "ten"}"#,
            "Invalid",
        ),
        (
            r#""main": {"type": "object", "properties": {"a.b": {"type": "string"}}}"#,
            "Unsupported",
        ),
        (r#""main": {"type": "array"}"#, "Invalid"),
        (
            r#""main": {"type": "query", "parameters": {"type": "object", "properties": {}}}"#,
            "Invalid",
        ),
        (r#""main": {"type": "ref", "ref": "not a ref"}"#, "Invalid"),
        (
            r#""main": {"type": "object", "properties": {"t": {"type": "token"}}}"#,
            "Invalid",
        ),
        (
            r##""main": {"type": "query"}, "r": {"type": "ref", "ref": "#main"}"##,
            "Invalid",
        ),
    ];
    for (defs, expected) in cases {
        let text = wrap(defs);
        let err = parse_text("x.json", &text).unwrap_err();
        let name = match &err {
            FormatError::Unsupported { .. } => "Unsupported",
            FormatError::Invalid { .. } => "Invalid",
            other => panic!("{defs}: {other:?}"),
        };
        assert_eq!(name, *expected, "{defs}: {err}");
        let at = err.location().unwrap();
        assert_eq!(at.file, "x.json");
        assert_eq!(at.line, 3, "{defs}: {err}");
    }
    let err = parse_text(
        "v.json",
        r#"{"lexicon": 2, "id": "com.example.v", "defs": {}}"#,
    )
    .unwrap_err();
    assert!(matches!(err, FormatError::Unsupported { .. }), "{err:?}");
    for text in [
        r#"{"id": "com.example.v", "defs": {}}"#,
        r#"{"lexicon": 1, "id": "nope", "defs": {}}"#,
        r#"{"lexicon": 1, "id": "com.example.v"}"#,
        r#"[1, 2]"#,
    ] {
        let err = parse_text("v.json", text).unwrap_err();
        assert!(
            matches!(err, FormatError::Invalid { .. }),
            "{text}: {err:?}"
        );
    }
    // Two files of one NSID.
    let one = r#"{"lexicon":1,"id":"com.example.a","defs":{}}"#.to_owned();
    let source = Source::from_files(
        "d",
        [
            ("a.json".to_owned(), one.clone()),
            ("b.json".to_owned(), one),
        ],
    );
    let err = Format::Atproto
        .parse(&source, &FormatOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("also defined by a.json"), "{err}");
}

#[test]
fn schemas_lexicons_cannot_hold_are_refused_on_emit() {
    let options = FormatOptions::default();
    // Another protocol's schema.
    let sql = Schema::builder(builtin_protocol("sql").unwrap())
        .build()
        .unwrap();
    let err = Format::Atproto.emit(&sql, &options).unwrap_err();
    assert!(matches!(err, FormatError::WrongProtocol { .. }), "{err:?}");
    let atproto = builtin_protocol("atproto").unwrap();
    // A hand-built schema with no lexicon file.
    let bare = Schema::builder(atproto.clone())
        .vertex("post", "object", None)
        .build()
        .unwrap();
    let err = Format::Atproto.emit(&bare, &options).unwrap_err();
    assert!(matches!(err, FormatError::Unemittable { .. }), "{err:?}");
    // A constraint no lexicon string has, and a vertex no file reaches.
    let base = Schema::builder(atproto)
        .vertex("a.json", "file", Some("com.example.a".into()))
        .vertex("com.example.a", "string", Some("com.example.a".into()))
        .edge("a.json", "com.example.a", "def", Some("main".into()));
    for (builder, element) in [
        (
            base.constraint("com.example.a", "maxSize", "3"),
            "constraint maxSize",
        ),
        (base.vertex("stray", "token", None), "vertex \"stray\""),
        (
            base.constraint("com.example.a", "maxLength", "many"),
            "constraint maxLength",
        ),
    ] {
        let schema = builder.build().unwrap();
        let err = Format::Atproto.emit(&schema, &options).unwrap_err();
        let FormatError::Unemittable { element: got, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(got.starts_with(element), "{err}");
    }
    // Arrays nested deeper than any lexicon file can hold.
    let mut deep = base
        .vertex("b.json", "file", Some("com.example.b".into()))
        .vertex("com.example.b", "array", Some("com.example.b".into()))
        .edge("b.json", "com.example.b", "def", Some("main".into()));
    let mut parent = "com.example.b".to_owned();
    for i in 0..300 {
        let child = format!("com.example.b:{i}");
        deep = deep.vertex(child.as_str(), "array", None).edge(
            parent.as_str(),
            child.as_str(),
            "items",
            None,
        );
        parent = child;
    }
    let err = Format::Atproto
        .emit(&deep.build().unwrap(), &options)
        .unwrap_err();
    assert!(err.to_string().contains("nested more than"), "{err}");
    // The same, well formed, is written.
    let ok = base
        .constraint("com.example.a", "maxLength", "3")
        .build()
        .unwrap();
    let text = Format::Atproto.emit(&ok, &options).unwrap();
    assert!(text.files["a.json"].contains("\"maxLength\": 3"));
}

#[test]
fn truncated_and_garbage_input_never_panics() {
    let path = common::corpus("atproto").join("com.atproto.repo.applyWrites.json");
    let text = std::fs::read_to_string(path).unwrap();
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let err = parse_text("w.json", &text[..cut]).unwrap_err();
            assert!(err.location().is_some(), "{cut}: {err:?}");
        }
        cut += 7;
    }
    for garbage in [
        "",
        "null",
        "\u{feff}{}",
        "{\"lexicon\":1,\"id\":\"a.b.c\",\"defs\":{\"main\":7}}",
        "{\"lexicon\":1,\"id\":\"a.b.c\",\"defs\":{\"main\":{\"type\":7}}}",
        "{\"lexicon\":1,\"id\":\"a.b.c\",\"defs\":{\"main\":{\"type\":\"query\",\"errors\":[7]}}}",
        "{\"lexicon\":1,\"id\":\"a.b.c\",\"defs\":{\"main\":{\"type\":\"query\",\"output\":[]}}}",
        &"[".repeat(10_000),
    ] {
        let err = parse_text("g.json", garbage).unwrap_err();
        assert!(err.location().is_some(), "{garbage:.40}: {err:?}");
    }
}

/// Every object of `value`, by its path of keys and indices.
fn object_paths(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            out.push(path.clone());
            for (k, v) in map {
                path.push(k.clone());
                object_paths(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                object_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'v>(value: &'v mut Value, path: &[String]) -> &'v mut serde_json::Map<String, Value> {
    let mut v = value;
    for seg in path {
        v = match v {
            Value::Array(items) => &mut items[seg.parse::<usize>().unwrap()],
            other => &mut other[seg.as_str()],
        };
    }
    v.as_object_mut().unwrap()
}

/// Structural mutations of corpus files (each key removed, each `type`
/// made every other type, each value made a number): every one parses to
/// a schema that round-trips, or fails with a located error, never with an
/// invalid schema (which would be the parser's bug) or a panic.
#[test]
fn mutated_lexicons_parse_or_fail_located() {
    const TYPES: &[&str] = &[
        "null",
        "boolean",
        "integer",
        "string",
        "bytes",
        "cid-link",
        "blob",
        "array",
        "object",
        "params",
        "token",
        "ref",
        "union",
        "unknown",
        "record",
        "query",
        "procedure",
        "subscription",
        "permission-set",
    ];
    let mut tried = 0;
    let mut parsed = 0;
    for name in [
        "com.atproto.repo.applyWrites.json",
        "com.atproto.sync.getBlob.json",
        "app.bsky.feed.post.json",
        "app.bsky.authFullApp.json",
    ] {
        let text = std::fs::read_to_string(common::corpus("atproto").join(name)).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        let mut paths = Vec::new();
        object_paths(&original, &mut Vec::new(), &mut paths);
        let mut variants = Vec::new();
        for path in &paths {
            let mut probe = original.clone();
            let keys: Vec<String> = at_path(&mut probe, path).keys().cloned().collect();
            for key in &keys {
                let mut v = original.clone();
                at_path(&mut v, path).remove(key);
                variants.push(v);
                let mut v = original.clone();
                at_path(&mut v, path).insert(key.clone(), Value::from(7));
                variants.push(v);
            }
            if keys.iter().any(|k| k == "type") {
                for ty in TYPES {
                    let mut v = original.clone();
                    at_path(&mut v, path).insert("type".into(), Value::from(*ty));
                    variants.push(v);
                }
            }
        }
        for v in variants {
            tried += 1;
            let text = serde_json::to_string_pretty(&v).unwrap();
            let source = Source::from_text(name, text);
            match Format::Atproto.parse(&source, &FormatOptions::default()) {
                Ok(_) => {
                    parsed += 1;
                    common::round_trip(Format::Atproto, &source);
                }
                Err(e) => assert!(e.location().is_some(), "{name}: {e}"),
            }
        }
    }
    println!("{tried} mutations, {parsed} parsed");
    assert!(
        tried > 1000 && parsed > 100,
        "{tried} tried, {parsed} parsed"
    );
}

#[test]
fn types_nested_too_deep_are_refused_not_overflowed() {
    let mut ty = r#"{"type": "string"}"#.to_owned();
    for _ in 0..100 {
        ty = format!(r#"{{"type": "array", "items": {ty}}}"#);
    }
    let text = format!(r#"{{"lexicon": 1, "id": "com.example.deep", "defs": {{"main": {ty}}}}}"#);
    let err = parse_text("deep.json", &text).unwrap_err();
    assert!(matches!(err, FormatError::Unsupported { .. }), "{err:?}");
    assert!(err.to_string().contains("nested more than"), "{err}");
}

/// The fastest of `runs` runs of `f` (the machine is shared: the minimum
/// is what the code costs, the mean what the neighbours do).
fn fastest(runs: usize, mut f: impl FnMut()) -> std::time::Duration {
    (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn timing_of_the_corpus_as_one_schema() {
    let source = corpus_source();
    let options = FormatOptions::default();
    let schema = Format::Atproto.parse(&source, &options).unwrap();
    let runs = 30;
    let parse = fastest(runs, || {
        Format::Atproto.parse(&source, &options).unwrap();
    });
    let emit = fastest(runs, || {
        Format::Atproto.emit(&schema, &options).unwrap();
    });
    // What of it is the validation of the declarations (`from_data`, as
    // the parser calls it; the builder's `build()` for comparison), and
    // what reading the JSON costs with serde_json's own value type.
    let data = schema.to_data();
    let protocol = builtin_protocol("atproto").unwrap();
    let validate = fastest(runs, || {
        Schema::from_data(data.clone(), protocol.clone()).unwrap();
    });
    let builder = schema.to_builder();
    let build = fastest(runs, || {
        builder.build().unwrap();
    });
    let json = fastest(runs, || {
        for file in source.files() {
            serde_json::from_str::<Value>(&file.text).unwrap();
        }
    });
    let bytes: usize = source.files().iter().map(|f| f.text.len()).sum();
    println!(
        "atproto: 45 lexicons ({bytes} bytes, {} vertices, {} edges, {} declarations), \
         fastest of {runs}: parse+build {parse:?} (of which validation {validate:?}; \
         builder.build() of the same {build:?}; serde_json::Value of the files {json:?}), \
         emit {emit:?} (this profile)",
        schema.vertices().len(),
        schema.edges().len(),
        builder.len(),
    );
}
