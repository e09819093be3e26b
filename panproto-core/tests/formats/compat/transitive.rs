//! A candidate checked against a whole history by units (each
//! declaration's digests followed through the commits' records, each
//! distinct pair judged once) says exactly what judging the candidate
//! against every version whole says: on histories of random edits of
//! real `.proto` and `.graphql` files, for every mode.

use std::sync::Arc;

use panproto_core::vcs::memory::MemoryStore;
use panproto_core::{
    Finding, Format, FormatOptions, Mode, ObjectId, Protocol, Repository, Schema, Source,
    compatibility,
};
use proptest::prelude::*;

use crate::common::corpus;

/// One edit of a `.proto` text, at the `at`th line it applies to (modulo
/// their number).
#[derive(Debug, Clone, Copy)]
enum Edit {
    Renumber(usize),
    Rename(usize),
    Retype(usize),
    Delete(usize),
    Add(usize),
    /// Undoes the last edit: a declaration back at an earlier form.
    Revert,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Renumber),
        any::<usize>().prop_map(Edit::Rename),
        any::<usize>().prop_map(Edit::Retype),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Add),
        Just(Edit::Revert),
    ]
}

/// What the edits need to know of a language.
struct Lang {
    format: Format,
    corpus: &'static str,
    /// Whether a line declares a field the edits may change.
    is_field: fn(&str) -> bool,
    /// The line with its field's type changed.
    retype: fn(&str) -> Option<String>,
    /// The line with its field's number (or, without numbers, its
    /// nullability) changed; `n` keeps numbers apart.
    renumber: fn(&str, usize) -> Option<String>,
    /// A new field line.
    added: fn(usize) -> String,
}

const PROTOBUF: Lang = Lang {
    format: Format::Protobuf,
    corpus: "protobuf",
    is_field: |l| {
        const SCALARS: [&str; 6] = ["int32", "int64", "uint32", "string", "bytes", "bool"];
        let t = l.trim_start();
        SCALARS.iter().any(|s| t.starts_with(&format!("{s} ")))
            && t.contains(" = ")
            && t.ends_with(';')
    },
    retype: |l| {
        let t = l.trim_start();
        let indent = &l[..l.len() - t.len()];
        let (ty, rest) = t.split_once(' ')?;
        let to = match ty {
            "int32" => "int64",
            "int64" => "string",
            "string" => "bytes",
            "bytes" => "bool",
            _ => "int32",
        };
        Some(format!("{indent}{to} {rest}"))
    },
    renumber: |l, n| {
        let (head, _) = l.split_once(" = ")?;
        Some(format!("{head} = {};", 9000 + n))
    },
    added: |n| format!("  int32 added_{n} = {};", 10_000 + n),
};

const GRAPHQL: Lang = Lang {
    format: Format::Graphql,
    corpus: "graphql",
    is_field: |l| {
        let t = l.trim();
        t.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && graphql_type_at(t).is_some()
            && !t.contains('{')
            && !t.contains('#')
    },
    retype: |l| {
        let at = graphql_type_at(l)?;
        let ty = l[at..].split_whitespace().next()?;
        let to = if ty.starts_with('[') {
            "String"
        } else {
            "[String]"
        };
        Some(format!("{}{to}{}", &l[..at], &l[at + ty.len()..]))
    },
    renumber: |l, _| {
        // No numbers: nullability toggled instead, of the first argument
        // if there is one (a change inside the field), else of the field.
        let at = match (l.find('('), l.find(')')) {
            (Some(open), Some(close)) => l[open..close].find(": ")? + open + 2,
            _ => graphql_type_at(l)?,
        };
        let ty = l[at..]
            .split(|c: char| c.is_whitespace() || c == ',' || c == ')')
            .next()?;
        let to = ty
            .strip_suffix('!')
            .map_or_else(|| format!("{ty}!"), str::to_owned);
        Some(format!("{}{to}{}", &l[..at], &l[at + ty.len()..]))
    },
    added: |n| format!("  added{n}: String"),
};

/// Where a GraphQL field line's type starts: after the `: ` that
/// follows its arguments, if any.
fn graphql_type_at(line: &str) -> Option<usize> {
    let from = line.rfind(')').unwrap_or(0);
    let colon = line[from..].find(": ")? + from;
    Some(colon + 2)
}

/// The lines the edits may change.
fn field_lines(lang: &Lang, lines: &[String]) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| (lang.is_field)(l))
        .map(|(i, _)| i)
        .collect()
}

/// `lines` with `edit` made, or `None` if it has nothing to apply to.
fn apply(lang: &Lang, lines: &[String], edit: Edit, n: usize) -> Option<Vec<String>> {
    let fields = field_lines(lang, lines);
    let pick = |at: usize| (!fields.is_empty()).then(|| fields[at % fields.len()]);
    let mut out = lines.to_vec();
    match edit {
        Edit::Renumber(at) => {
            let i = pick(at)?;
            out[i] = (lang.renumber)(&out[i], n)?;
        }
        Edit::Rename(at) => {
            let i = pick(at)?;
            // The name ends before ` = ` in Protobuf, at its first
            // non-name character in GraphQL.
            let end = match lang.format {
                Format::Protobuf => out[i].find(" = ")?,
                _ => {
                    let t = out[i].trim_start();
                    out[i].len() - t.len() + t.find(|c: char| !(c.is_alphanumeric() || c == '_'))?
                }
            };
            out[i] = format!("{}_v{n}{}", &out[i][..end], &out[i][end..]);
        }
        Edit::Retype(at) => {
            let i = pick(at)?;
            out[i] = (lang.retype)(&out[i])?;
        }
        Edit::Delete(at) => {
            out.remove(pick(at)?);
        }
        Edit::Add(at) => {
            let i = pick(at)?;
            out.insert(i + 1, (lang.added)(n));
        }
        Edit::Revert => return None,
    }
    Some(out)
}

fn parse(lang: &Lang, lines: &[String], name: &str) -> Option<Schema> {
    lang.format
        .parse(
            &Source::from_text(name, lines.join("\n")),
            &FormatOptions::default(),
        )
        .ok()
}

/// A history of `edits` of the corpus file `name` (edits whose result
/// does not parse, or changes nothing, are skipped), and a candidate.
fn history(lang: &Lang, name: &str, edits: &[Edit]) -> (Vec<Schema>, Schema) {
    let text = std::fs::read_to_string(corpus(lang.corpus).join(name)).unwrap();
    let mut texts: Vec<Vec<String>> = vec![text.lines().map(str::to_owned).collect()];
    let mut schemas = vec![parse(lang, &texts[0], name).expect("the corpus file parses")];
    for (n, &e) in edits.iter().enumerate() {
        let next = match e {
            Edit::Revert if texts.len() > 1 => Some(texts[texts.len() - 2].clone()),
            _ => apply(lang, texts.last().unwrap(), e, n),
        };
        if let Some(schema) = next.as_ref().and_then(|t| parse(lang, t, name)) {
            if schema != *schemas.last().unwrap() {
                texts.push(next.unwrap());
                schemas.push(schema);
            }
        }
    }
    let candidate = schemas.pop().unwrap();
    if schemas.is_empty() {
        schemas.push(candidate.clone());
    }
    (schemas, candidate)
}

fn sorted(findings: impl IntoIterator<Item = Finding>) -> Vec<String> {
    let mut out: Vec<String> = findings
        .into_iter()
        .map(|f| {
            format!(
                "{} | {} | {} | {:?} {:?}",
                f.rule, f.path, f.change, f.backward, f.forward
            )
        })
        .collect();
    out.sort();
    out
}

fn protocol(format: Format) -> Arc<Protocol> {
    panproto_core::builtin_protocol(format.protocol_name()).unwrap()
}

/// Commits `versions`; the tip and every commit, newest first.
fn commit_all(format: Format, versions: &[Schema]) -> (Repository<MemoryStore>, Vec<ObjectId>) {
    let mut repo = Repository::init(MemoryStore::new("r"), protocol(format)).unwrap();
    let mut ids = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        repo.add(v.clone()).unwrap();
        ids.push(repo.commit(&format!("v{i}"), "ada", None).unwrap());
    }
    ids.reverse();
    (repo, ids)
}

fn agrees(lang: &Lang, name: &str, edits: &[Edit]) {
    let (versions, candidate) = history(lang, name, edits);
    let (mut repo, ids) = commit_all(lang.format, &versions);
    let newest_first: Vec<&Schema> = versions.iter().rev().collect();
    for mode in Mode::ALL {
        let check = repo.check_history(&candidate, &ids[0], mode).unwrap();
        let expected = if mode.is_transitive() { ids.len() } else { 1 };
        assert_eq!(check.checked, ids[..expected], "{mode}");
        let mut violations = Vec::new();
        for (i, old) in newest_first.iter().take(expected).enumerate() {
            let whole = compatibility(old, &candidate).unwrap();
            assert_eq!(
                sorted(check.report(i).findings),
                sorted(whole.findings.clone()),
                "{name}, {mode}, against v{} of {}",
                versions.len() - 1 - i,
                versions.len()
            );
            violations.extend(whole.violations(mode).map(|v| v.finding.clone()));
        }
        assert_eq!(
            sorted(check.violations().into_iter().map(|v| v.finding)),
            sorted(violations.clone()),
            "{mode}"
        );
        assert_eq!(check.compatible(), violations.is_empty(), "{mode}");
    }
    // The same repository, other candidates: the judgements kept from the
    // checks above are reused where a unit's digests match, and must
    // agree with judging whole schemas all the same.
    for (k, other) in versions.iter().enumerate().rev().take(3) {
        let check = repo
            .check_history(other, &ids[0], Mode::FullTransitive)
            .unwrap();
        for (i, old) in newest_first.iter().enumerate() {
            assert_eq!(
                sorted(check.report(i).findings),
                sorted(compatibility(old, other).unwrap().findings),
                "{name}, v{k} as the candidate, against v{}",
                versions.len() - 1 - i
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn units_agree_with_whole_schemas_on_conformance_proto(edits in prop::collection::vec(edit(), 1..24)) {
        agrees(&PROTOBUF, "conformance_conformance.proto", &edits);
    }

    #[test]
    fn units_agree_with_whole_schemas_on_type_proto(edits in prop::collection::vec(edit(), 1..24)) {
        agrees(&PROTOBUF, "google_protobuf_type.proto", &edits);
    }

    #[test]
    fn units_agree_with_whole_schemas_on_the_starwars_schema(edits in prop::collection::vec(edit(), 1..24)) {
        agrees(&GRAPHQL, "gqlgen_examples_starwars_schema.graphql", &edits);
    }

    #[test]
    fn units_agree_with_whole_schemas_on_graphql_interfaces(edits in prop::collection::vec(edit(), 1..24)) {
        agrees(&GRAPHQL, "gqlgen_codegen_testserver_singlefile_interfaces.graphql", &edits);
    }
}

/// A field renamed and renamed back: the message's old digest comes
/// again, two versions apart, and is judged once for both.
#[test]
fn a_form_that_comes_back_is_judged_alike() {
    agrees(
        &PROTOBUF,
        "google_protobuf_type.proto",
        &[
            Edit::Rename(3),
            Edit::Revert,
            Edit::Retype(5),
            Edit::Add(1),
            Edit::Revert,
        ],
    );
}

/// A field made non-null and then another field added: the type's
/// content changed between the two oldest versions, so its digest must
/// have (a digest blind to a field's own constraints would judge the
/// type once for both and get one of them wrong).
#[test]
fn a_change_inside_a_member_changes_its_unit() {
    for at in 0..6 {
        agrees(
            &GRAPHQL,
            "gqlgen_examples_starwars_schema.graphql",
            &[Edit::Renumber(at), Edit::Add(at + 1), Edit::Rename(at + 2)],
        );
        agrees(
            &PROTOBUF,
            "google_protobuf_type.proto",
            &[Edit::Retype(at), Edit::Add(at + 1), Edit::Rename(at + 2)],
        );
    }
}

/// Every commit records its units' edits, a first commit every unit;
/// a commit that changes one message records that message alone.
#[test]
fn commits_record_the_units_they_change() {
    let (versions, _) = history(
        &PROTOBUF,
        "google_protobuf_type.proto",
        &[Edit::Rename(0), Edit::Add(2)],
    );
    let (repo, _) = commit_all(Format::Protobuf, &versions);
    let log = repo.log(None).unwrap();
    let record = log
        .last()
        .unwrap()
        .commit
        .units
        .clone()
        .expect("a first commit records its units");
    assert_eq!(record.scheme, "protobuf/2");
    let units = Format::Protobuf.units(&versions[0]).unwrap();
    assert_eq!(record.edits.len(), units.len());
    assert!(
        record
            .edits
            .iter()
            .all(|e| e.old.is_none() && e.new.is_some())
    );
    let edits = log[log.len() - 2].commit.units.clone().unwrap().edits;
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert!(edits[0].unit.starts_with("message "), "{edits:?}");
}
