//! GraphQL: one edit per pair, and graphql-java's own diff fixtures,
//! judged both ways and compared with graphql-inspector (7.0, through
//! `tasks/oracles-npm/inspector-diff.mjs`) on the same pairs: the same
//! breaking and dangerous changes, with the same ids and levels.

use std::collections::BTreeMap;

use panproto_core::{CompatReport, Format, FormatOptions, Level, Schema, Source, compatibility};

use crate::common::{corpus, run_pairs_oracle};

const BASE: &str = r#"type Query { user(id: ID!, q: String): User, users(first: Int = 10): [User!]! }
type User implements Node { id: ID!, name: String!, email: String, old: String @deprecated(reason: "x"), role: Role, tags: [String!] }
enum Role { ADMIN USER LEGACY @deprecated }
union Result = User | Post
type Post { id: ID! title: String }
input Filter { name: String, limit: Int = 5, need: Int! }
interface Node { id: ID! }
directive @tag(name: String) on FIELD_DEFINITION | OBJECT
"#;

/// One edit each: (what, text replaced, replacement).
const EDITS: &[(&str, &str, &str)] = &[
    ("identical", "", ""),
    ("field removed", "email: String, ", ""),
    (
        "deprecated field removed",
        "old: String @deprecated(reason: \"x\"), ",
        "",
    ),
    (
        "field added",
        "tags: [String!] }",
        "tags: [String!], age: Int }",
    ),
    (
        "nullable argument added",
        "user(id: ID!, q: String)",
        "user(id: ID!, q: String, z: Int)",
    ),
    (
        "required argument added",
        "user(id: ID!, q: String)",
        "user(id: ID!, q: String, z: Int!)",
    ),
    (
        "non-null argument with a default added",
        "user(id: ID!, q: String)",
        "user(id: ID!, q: String, z: Int! = 1)",
    ),
    (
        "argument removed",
        "user(id: ID!, q: String)",
        "user(id: ID!)",
    ),
    ("argument made non-null", "q: String)", "q: String!)"),
    ("argument made nullable", "user(id: ID!,", "user(id: ID,"),
    (
        "argument default changed",
        "first: Int = 10",
        "first: Int = 20",
    ),
    ("deprecation removed", " @deprecated(reason: \"x\")", ""),
    (
        "field deprecated",
        "title: String }",
        "title: String @deprecated }",
    ),
    ("enum value added", "ADMIN USER", "ADMIN USER GUEST"),
    ("enum value removed", " LEGACY @deprecated", ""),
    (
        "union member added",
        "union Result = User | Post",
        "union Result = User | Post | Query",
    ),
    ("union member removed", "User | Post", "User"),
    (
        "interface removed",
        "type User implements Node {",
        "type User {",
    ),
    (
        "interface added",
        "type Post {",
        "type Post implements Node {",
    ),
    (
        "type removed",
        "union Result = User | Post\ntype Post { id: ID! title: String }",
        "union Result = User\n",
    ),
    (
        "type added",
        "interface Node",
        "type Extra { x: Int }\ninterface Node",
    ),
    (
        "kind changed",
        "enum Role { ADMIN USER LEGACY @deprecated }",
        "scalar Role",
    ),
    ("input field made nullable", "need: Int!", "need: Int"),
    (
        "input field made non-null",
        "name: String,",
        "name: String!,",
    ),
    ("input field removed", ", need: Int!", ""),
    (
        "optional input field added",
        "need: Int! }",
        "need: Int!, x: Int }",
    ),
    (
        "required input field added",
        "need: Int! }",
        "need: Int!, x: Int! }",
    ),
    ("input default changed", "limit: Int = 5", "limit: Int = 6"),
    (
        "list item made nullable",
        "tags: [String!]",
        "tags: [String]",
    ),
    (
        "output field made non-null",
        "email: String,",
        "email: String!,",
    ),
    (
        "output field made nullable",
        "name: String!,",
        "name: String,",
    ),
    ("field retyped", "email: String,", "email: Int,"),
    (
        "directive removed",
        "directive @tag(name: String) on FIELD_DEFINITION | OBJECT\n",
        "",
    ),
    (
        "directive location removed",
        "on FIELD_DEFINITION | OBJECT",
        "on FIELD_DEFINITION",
    ),
    (
        "directive argument added, required",
        "@tag(name: String)",
        "@tag(name: String, x: Int!)",
    ),
    (
        "description added",
        "type Post {",
        "\"A post.\"\ntype Post {",
    ),
];

fn parse(text: &str) -> Schema {
    Format::Graphql
        .parse(
            &Source::from_text("schema.graphql", text),
            &FormatOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

fn report(old: &str, new: &str) -> CompatReport {
    compatibility(&parse(old), &parse(new)).unwrap()
}

fn edited(what: &str) -> String {
    let (_, from, to) = EDITS.iter().find(|(w, _, _)| *w == what).unwrap();
    assert!(BASE.contains(from), "the base has no {from:?}");
    BASE.replacen(from, to, 1)
}

/// The breaking and dangerous changes, as (id, level), counted.
type Verdicts = BTreeMap<(String, Level), usize>;

fn ours(r: &CompatReport) -> Verdicts {
    let mut out = Verdicts::new();
    for f in r
        .findings
        .iter()
        .filter(|f| f.backward != Level::Compatible)
    {
        *out.entry((f.rule.clone(), f.backward)).or_default() += 1;
    }
    out
}

/// graphql-inspector's verdicts on each pair, or `None` where it is not
/// installed (a plain `cargo test`; `cargo tasks test` installs it).
fn inspector(pairs: &[(String, String)]) -> Option<Vec<Verdicts>> {
    let script = match std::env::var("PANPROTO_ORACLE_INSPECTOR") {
        Ok(s) => s,
        Err(_) if std::env::var_os("PANPROTO_REQUIRE_ORACLES").is_some() => {
            panic!("PANPROTO_ORACLE_INSPECTOR is not set: `cargo tasks test` sets it")
        }
        Err(_) => {
            println!("graphql-inspector is not installed here; `cargo tasks test` installs it");
            return None;
        }
    };
    let mut command = std::process::Command::new("node");
    command.arg(&script);
    let answers = run_pairs_oracle(command, &pairs);
    let verdicts = answers
        .into_iter()
        .map(|changes| {
            assert!(
                changes.get("error").is_none(),
                "graphql-js refused a pair: {changes}"
            );
            let mut v = Verdicts::new();
            for c in changes.as_array().unwrap() {
                let level = match c["level"].as_str().unwrap() {
                    "BREAKING" => Level::Breaking,
                    "DANGEROUS" => Level::Dangerous,
                    _ => continue,
                };
                *v.entry((c["type"].as_str().unwrap().to_owned(), level))
                    .or_default() += 1;
            }
            v
        })
        .collect();
    Some(verdicts)
}

#[test]
fn inspector_agrees_on_every_edit() {
    let pairs: Vec<(String, String)> = EDITS
        .iter()
        .map(|(w, _, _)| (BASE.to_owned(), edited(w)))
        .collect();
    let Some(theirs) = inspector(&pairs) else {
        return;
    };
    let mut disagreements = Vec::new();
    for (((what, _, _), (old, new)), theirs) in EDITS.iter().zip(&pairs).zip(theirs) {
        let r = report(old, new);
        assert_eq!(r.rules, "graphql");
        if ours(&r) != theirs {
            disagreements.push(format!("{what}: ours {:?}, inspector {theirs:?}", ours(&r)));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// graphql-java keeps version pairs for its own schema diff: a baseline
/// and three edited copies.
#[test]
fn inspector_agrees_on_graphql_javas_diff_fixtures() {
    let read = |name: &str| std::fs::read_to_string(corpus("graphql").join(name)).unwrap();
    let base = read("graphql-java_diff_schema_ABaseLine.graphqls");
    let mut pairs = Vec::new();
    for name in [
        "graphql-java_diff_schema_changed_type_kind.graphqls",
        "graphql-java_diff_schema_dangerous_changes.graphqls",
        "graphql-java_diff_schema_missing_union_members.graphqls",
    ] {
        pairs.push((base.clone(), read(name)));
        pairs.push((read(name), base.clone()));
    }
    let Some(theirs) = inspector(&pairs) else {
        return;
    };
    let mut disagreements = Vec::new();
    for ((old, new), theirs) in pairs.iter().zip(theirs) {
        let r = report(old, new);
        assert!(!theirs.is_empty(), "each fixture changes something");
        if ours(&r) != theirs {
            disagreements.push(format!("ours {:?}, inspector {theirs:?}", ours(&r)));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn each_edit_is_judged_both_ways() {
    use Level::{Breaking, Compatible, Dangerous};
    let levels = |what: &str| {
        let r = report(BASE, &edited(what));
        (r.backward(), r.forward())
    };
    assert_eq!(levels("identical"), (Compatible, Compatible));
    // Old clients never ask for the new field; new clients ask the old server in vain.
    assert_eq!(levels("field added"), (Compatible, Breaking));
    assert_eq!(levels("field removed"), (Breaking, Compatible));
    assert_eq!(levels("enum value added"), (Dangerous, Breaking));
    assert_eq!(levels("output field made non-null"), (Compatible, Breaking));
    assert_eq!(levels("output field made nullable"), (Breaking, Compatible));
    assert_eq!(levels("argument made nullable"), (Compatible, Breaking));
    assert_eq!(levels("argument default changed"), (Dangerous, Dangerous));
    assert_eq!(levels("field deprecated"), (Compatible, Compatible));
}

#[test]
fn findings_name_the_element_in_graphql_terms() {
    let r = report(BASE, &edited("required argument added"));
    let found: Vec<(&str, &str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.path.as_str(), f.change.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "FIELD_ARGUMENT_ADDED",
            "argument Query.user(z:)",
            "argument added"
        )]
    );
    assert!(
        r.findings[0].reason.contains("non-null without a default"),
        "{}",
        r.findings[0].reason
    );
}
