//! Protobuf: one edit per pair, judged both ways and compared with `buf
//! breaking` (1.75, the `WIRE_JSON` category plus `SERVICE_NO_DELETE` and
//! `RPC_NO_DELETE`) on the same pairs: the same rule ids, and breaking
//! exactly when buf reports something.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use panproto_core::{CompatReport, Format, FormatOptions, Level, Schema, Source, compatibility};

/// The base of the edits: a proto3 file with a bit of everything.
const BASE: &str = r#"syntax = "proto3";
package demo;

message User {
  reserved 9;
  int64 id = 1;
  string email = 2;
  int32 age = 3;
  bytes avatar = 4;
  Color color = 5;
  Address home = 6;
  repeated string tags = 7;
  map<string, int32> scores = 8;
  oneof contact {
    string phone = 10;
    string fax = 11;
  }
}

message Address {
  string city = 1;
}

message Unused {
  string note = 1;
}

enum Color {
  COLOR_UNSPECIFIED = 0;
  RED = 1;
  GREEN = 2;
}

service Users {
  rpc Get(User) returns (User);
  rpc Watch(User) returns (stream User);
  rpc Find(Address) returns (User) {
    option idempotency_level = NO_SIDE_EFFECTS;
  }
}

service Admin {
  rpc Purge(User) returns (User);
}
"#;

/// One edit each: (what, old text, new text).
fn pairs() -> Vec<(&'static str, String, String)> {
    let edit = |from: &str, to: &str| {
        assert!(BASE.contains(from), "the base has no {from:?}");
        BASE.replacen(from, to, 1)
    };
    vec![
        ("identical", BASE.to_owned(), BASE.to_owned()),
        (
            "field added",
            BASE.to_owned(),
            edit(
                "  int64 id = 1;\n",
                "  int64 id = 1;\n  string nick = 12;\n",
            ),
        ),
        (
            "field deleted",
            BASE.to_owned(),
            edit("  int32 age = 3;\n", ""),
        ),
        (
            "field deleted, number reserved",
            BASE.to_owned(),
            edit("  int32 age = 3;\n", "  reserved 3;\n"),
        ),
        (
            "field deleted, number and name reserved",
            BASE.to_owned(),
            edit("  int32 age = 3;\n", "  reserved 3;\n  reserved \"age\";\n"),
        ),
        (
            "field renamed",
            BASE.to_owned(),
            edit("string email = 2;", "string mail = 2;"),
        ),
        (
            "field renumbered",
            BASE.to_owned(),
            edit("string email = 2;", "string email = 13;"),
        ),
        (
            "int32 to int64",
            BASE.to_owned(),
            edit("int32 age = 3;", "int64 age = 3;"),
        ),
        (
            "int32 to uint32",
            BASE.to_owned(),
            edit("int32 age = 3;", "uint32 age = 3;"),
        ),
        (
            "int32 to sint32",
            BASE.to_owned(),
            edit("int32 age = 3;", "sint32 age = 3;"),
        ),
        (
            "int32 to bool",
            BASE.to_owned(),
            edit("int32 age = 3;", "bool age = 3;"),
        ),
        (
            "string to bytes",
            BASE.to_owned(),
            edit("string email = 2;", "bytes email = 2;"),
        ),
        (
            "bytes to string",
            BASE.to_owned(),
            edit("bytes avatar = 4;", "string avatar = 4;"),
        ),
        (
            "enum to int32",
            BASE.to_owned(),
            edit("Color color = 5;", "int32 color = 5;"),
        ),
        (
            "message to another",
            BASE.to_owned(),
            edit("Address home = 6;", "Unused home = 6;"),
        ),
        (
            "singular to repeated",
            BASE.to_owned(),
            edit("int32 age = 3;", "repeated int32 age = 3;"),
        ),
        (
            "repeated to singular",
            BASE.to_owned(),
            edit("repeated string tags = 7;", "string tags = 7;"),
        ),
        (
            "map value retyped",
            BASE.to_owned(),
            edit("map<string, int32> scores", "map<string, int64> scores"),
        ),
        (
            "moved out of a oneof",
            BASE.to_owned(),
            edit("    string fax = 11;\n  }\n", "  }\n  string fax = 11;\n"),
        ),
        (
            "moved into a oneof",
            BASE.to_owned(),
            edit("  int32 age = 3;\n", "").replacen(
                "    string fax = 11;\n",
                "    string fax = 11;\n    int32 age = 3;\n",
                1,
            ),
        ),
        (
            "made optional",
            BASE.to_owned(),
            edit("int32 age = 3;", "optional int32 age = 3;"),
        ),
        (
            "reservation removed",
            BASE.to_owned(),
            edit("  reserved 9;\n", ""),
        ),
        (
            "enum value added",
            BASE.to_owned(),
            edit("  GREEN = 2;\n", "  GREEN = 2;\n  BLUE = 3;\n"),
        ),
        (
            "enum value deleted",
            BASE.to_owned(),
            edit("  GREEN = 2;\n", ""),
        ),
        (
            "enum value renamed",
            BASE.to_owned(),
            edit("GREEN = 2;", "LIME = 2;"),
        ),
        (
            "enum value renumbered",
            BASE.to_owned(),
            edit("GREEN = 2;", "GREEN = 4;"),
        ),
        (
            "message deleted",
            BASE.to_owned(),
            edit("message Unused {\n  string note = 1;\n}\n", ""),
        ),
        (
            "rpc deleted",
            BASE.to_owned(),
            edit("  rpc Get(User) returns (User);\n", ""),
        ),
        (
            "service deleted",
            BASE.to_owned(),
            edit(
                "service Admin {\n  rpc Purge(User) returns (User);\n}\n",
                "",
            ),
        ),
        (
            "rpc request retyped",
            BASE.to_owned(),
            edit("rpc Get(User)", "rpc Get(Address)"),
        ),
        (
            "rpc made streaming",
            BASE.to_owned(),
            edit(
                "rpc Get(User) returns (User);",
                "rpc Get(stream User) returns (User);",
            ),
        ),
        (
            "rpc response no longer streaming",
            BASE.to_owned(),
            edit("returns (stream User);", "returns (User);"),
        ),
        (
            "idempotency changed",
            BASE.to_owned(),
            edit("NO_SIDE_EFFECTS", "IDEMPOTENT"),
        ),
        (
            "package changed",
            BASE.to_owned(),
            edit("package demo;", "package demo.v2;"),
        ),
    ]
}

fn parse(files: &BTreeMap<String, String>) -> Schema {
    let source = Source::from_files("schemas", files.iter().map(|(p, t)| (p.clone(), t.clone())));
    Format::Protobuf
        .parse(&source, &FormatOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn one_file(text: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("a.proto".to_owned(), text.to_owned())])
}

fn report(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> CompatReport {
    compatibility(&parse(old), &parse(new)).unwrap()
}

/// The buf rule ids among a report's findings (ours without a buf id are
/// kebab-case).
fn buf_rules(r: &CompatReport) -> BTreeSet<String> {
    r.findings
        .iter()
        .filter(|f| f.rule.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(|f| f.rule.clone())
        .collect()
}

const BUF_YAML: &str = "version: v2\nbreaking:\n  use:\n    - WIRE_JSON\n    - SERVICE_NO_DELETE\n    - RPC_NO_DELETE\n";

fn write(dir: &Path, files: &BTreeMap<String, String>) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dir.join("buf.yaml"), BUF_YAML).unwrap();
}

/// buf's rule ids for `old` → `new`, or `None` where buf is not installed
/// (a plain `cargo test`; `cargo tasks test` installs it and requires it).
fn buf(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Option<BTreeSet<String>> {
    let program = std::env::var("PANPROTO_ORACLE_BUF").unwrap_or_else(|_| "buf".to_owned());
    let dir = crate::common::scratch_dir("buf");
    write(&dir.join("old"), old);
    write(&dir.join("new"), new);
    let out = std::process::Command::new(&program)
        .args([
            "breaking",
            "new",
            "--against",
            "old",
            "--error-format",
            "json",
        ])
        .current_dir(&dir)
        .output();
    std::fs::remove_dir_all(&dir).unwrap();
    let out = match out {
        Ok(out) => out,
        Err(e) if std::env::var_os("PANPROTO_REQUIRE_ORACLES").is_some() => {
            panic!("the oracle {program} cannot run: {e}")
        }
        Err(e) => {
            println!("{program} cannot run ({e}); `cargo tasks test` installs it");
            return None;
        }
    };
    // 0: nothing breaks; 100: something does; anything else: buf failed.
    assert!(
        matches!(out.status.code(), Some(0 | 100)),
        "buf failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let rules = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["type"].as_str().unwrap().to_owned()
        })
        .collect();
    Some(rules)
}

#[test]
fn buf_agrees_on_every_edit() {
    let mut disagreements = Vec::new();
    for (what, old, new) in pairs() {
        let (old, new) = (one_file(&old), one_file(&new));
        let r = report(&old, &new);
        assert_eq!(r.rules, "protobuf");
        let Some(theirs) = buf(&old, &new) else {
            return;
        };
        let ours = buf_rules(&r);
        let breaks = r.level() == Level::Breaking;
        if ours != theirs || breaks == theirs.is_empty() {
            disagreements.push(format!(
                "{what}: ours {ours:?}, buf {theirs:?}\n{:#?}",
                r.findings
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
}

#[test]
fn each_edit_is_judged_both_ways() {
    let levels = |what: &str| {
        let (_, old, new) = pairs().into_iter().find(|(w, _, _)| *w == what).unwrap();
        let r = report(&one_file(&old), &one_file(&new));
        (r.backward(), r.forward())
    };
    use Level::{Breaking, Compatible, Dangerous};
    assert_eq!(levels("identical"), (Compatible, Compatible));
    assert_eq!(levels("field added"), (Compatible, Compatible));
    // New readers skip an unknown number; old ones expect what new data lacks.
    assert_eq!(levels("field deleted"), (Compatible, Breaking));
    assert_eq!(
        levels("field deleted, number and name reserved"),
        (Compatible, Dangerous)
    );
    assert_eq!(levels("field renamed"), (Breaking, Breaking));
    assert_eq!(levels("int32 to uint32"), (Dangerous, Dangerous));
    assert_eq!(levels("enum value added"), (Compatible, Dangerous));
    assert_eq!(levels("enum value deleted"), (Breaking, Compatible));
    assert_eq!(levels("rpc deleted"), (Breaking, Compatible));
    assert_eq!(levels("message deleted"), (Dangerous, Dangerous));
}

#[test]
fn findings_name_the_element_in_protobuf_terms() {
    let (_, old, new) = pairs()
        .into_iter()
        .find(|(w, _, _)| *w == "field renamed")
        .unwrap();
    let r = report(&one_file(&old), &one_file(&new));
    let found: Vec<(&str, &str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.path.as_str(), f.change.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "FIELD_SAME_NAME",
                "message demo.User field mail (2)",
                "renamed from email"
            ),
            (
                "FIELD_SAME_JSON_NAME",
                "message demo.User field mail (2)",
                "JSON name email → mail"
            ),
        ]
    );
    assert!(
        r.findings[0].reason.contains("the wire keeps the number"),
        "{}",
        r.findings[0].reason
    );
}

/// Edits of the corpus read as one schema: in each file, the first field
/// deleted, renamed, and renumbered, in turn; buf judges the same
/// directories.
#[test]
fn buf_agrees_on_edits_of_the_corpus() {
    let corpus = crate::protobuf::readable_corpus();
    let mut files: BTreeMap<String, String> = corpus
        .files()
        .iter()
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    // buf refuses MessageSets ("a legacy proto1 feature that is no longer
    // supported"): the files declaring one, and those importing them, are
    // left out of buf's directories (and of ours, to compare alike).
    let mut refused: BTreeSet<String> = files
        .iter()
        .filter(|(_, t)| t.contains("message_set_wire_format = true"))
        .map(|(p, _)| p.clone())
        .collect();
    loop {
        let importing: Vec<String> = files
            .iter()
            .filter(|(p, t)| {
                !refused.contains(*p)
                    && refused
                        .iter()
                        .any(|r| t.contains(&format!("import \"{r}\"")))
            })
            .map(|(p, _)| p.clone())
            .collect();
        if importing.is_empty() {
            break;
        }
        refused.extend(importing);
    }
    assert!(
        !refused.is_empty() && refused.len() < files.len(),
        "{refused:?}"
    );
    files.retain(|p, _| !refused.contains(p));
    let field = regex_free_first_field;
    let mut disagreements = Vec::new();
    let mut judged = 0;
    for name in files.keys().take(8) {
        let Some((line, ty, field_name, number)) = field(&files[name]) else {
            continue;
        };
        let edits = [
            ("deleted", String::new()),
            (
                "renamed",
                line.replacen(&format!(" {field_name} "), &format!(" {field_name}_x "), 1),
            ),
            (
                "renumbered",
                line.replacen(&format!("= {number}"), &format!("= {}", number + 10_000), 1),
            ),
        ];
        for (what, replacement) in edits {
            let mut edited = files.clone();
            let text = edited[name].replacen(&line, &replacement, 1);
            edited.insert(name.clone(), text);
            let r = report(&files, &edited);
            let Some(theirs) = buf(&files, &edited) else {
                return;
            };
            judged += 1;
            let ours = buf_rules(&r);
            if ours != theirs {
                disagreements.push(format!(
                    "{name}: {ty} {field_name} {what}: ours {ours:?}, buf {theirs:?}"
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(judged >= 9, "only {judged} edits judged");
}

/// The first line of a file that declares a plain field (`type name =
/// number;`, at any depth, outside a oneof or an extend), with its type,
/// name and number.
fn regex_free_first_field(text: &str) -> Option<(String, String, String, i64)> {
    let mut depth_kinds: Vec<&str> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(open) = t.strip_suffix('{') {
            depth_kinds.push(open.split_whitespace().next().unwrap_or(""));
            continue;
        }
        if t == "}" {
            depth_kinds.pop();
            continue;
        }
        if depth_kinds.last() != Some(&"message") {
            continue;
        }
        let Some(decl) = t.strip_suffix(';') else {
            continue;
        };
        let words: Vec<&str> = decl.split_whitespace().collect();
        if let [ty, name, "=", number] = words.as_slice() {
            let number: i64 = number.parse().ok()?;
            if !ty.contains('<') && *ty != "option" && *ty != "reserved" {
                return Some((
                    line.to_owned(),
                    (*ty).to_owned(),
                    (*name).to_owned(),
                    number,
                ));
            }
        }
    }
    None
}
