//! ATProto lexicons' compatibility rules: the specification's "Lexicon
//! Evolution" (<https://atproto.com/specs/lexicon#lexicon-evolution>),
//! judged both ways.
//!
//! The specification states the principle: "all old data must still be
//! valid under the updated Lexicon, and new data must be valid under the
//! old Lexicon", which is backward (readers of the new version read data
//! written with the old) and forward (readers of the old version read data
//! written with the new) at once. Its rules: "any new fields must be
//! optional", "non-optional fields can not be removed" (so an optional one
//! may be: readers ignore fields they do not know, and an optional field
//! may be absent), "types can not change", "fields can not be renamed" (a
//! rename is one field removed and another added). Beyond those, each
//! rule here follows from the principle:
//!
//! - a field made required, a new required field, a bound tightened
//!   (`maxLength`, `maxGraphemes`, `maximum`, `maxSize` lowered, their
//!   `min` raised), a `format` or `const` added, an `enum` value or an
//!   accepted MIME type removed, a nullable field made non-null: old data
//!   may be invalid, so backward breaks; their reverses break forward;
//! - `enum` is closed, `knownValues` open ("values are not limited to
//!   this set"): a known value added or removed is compatible;
//! - a union is open unless `closed: true`: a ref added to an open union
//!   is dangerous for old readers (they meet a `$type` they do not know,
//!   which open unions oblige them to tolerate), and removed is dangerous
//!   for new readers of old data; on a closed union either breaks the
//!   direction that meets the unlisted type; closing a union breaks
//!   backward, opening it forward;
//! - a def removed leaves old data of it undescribed (backward breaks); a
//!   def added is compatible (it is reached by a new field or union ref,
//!   judged there); a record's key type changed, a body's encoding
//!   changed, an input or output added or removed break both ways; a
//!   changed default is dangerous.
//!
//! Defs are matched by id (`nsid` for `main`, `nsid#name`); paths are the
//! def, `#main` included, and the fields below it:
//! `app.bsky.feed.post#main.text`, `...#main.langs[]`, `...#main.input.x`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use crate::evolution::{CompatReport, Finding, Level};
use crate::formats::View;
use crate::model::Schema;

use Level::{Breaking, Compatible, Dangerous};

/// Judges `old` → `new`, two schemas of the `atproto` protocol.
pub(in crate::formats) fn compare(old: &Schema, new: &Schema) -> CompatReport {
    let (old, new) = (View::of(old), View::of(new));
    let mut judge = Judge {
        old: &old,
        new: &new,
        findings: Vec::new(),
        seen: HashSet::new(),
    };
    let (a, b) = (defs(&old), defs(&new));
    for &d in &a {
        if b.contains(d) {
            judge.node(&def_path(d), d, d);
        } else if old.kind(d) != "external" {
            judge.push(
                "DEF_REMOVED",
                def_path(d),
                "def removed".to_owned(),
                (Breaking, Compatible),
                "old data of it is no longer described by the lexicon",
            );
        }
    }
    for &d in b.difference(&a) {
        if new.kind(d) != "external" {
            judge.push(
                "DEF_ADDED",
                def_path(d),
                "def added".to_owned(),
                (Compatible, Compatible),
                "nothing old refers to it; the fields and unions that do are judged where they are",
            );
        }
    }
    CompatReport {
        rules: "atproto".to_owned(),
        findings: judge.findings,
    }
}

/// The defs of a schema: what files define and refs name; in a schema
/// built by hand, what nothing else points to.
fn defs<'s>(v: &View<'s>) -> BTreeSet<&'s str> {
    let edges = v.schema.edges();
    let mut out: BTreeSet<&str> = edges
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "def" | "ref" | "variant"))
        .map(|e| e.tgt.as_str())
        .collect();
    let targets: HashSet<&str> = edges.iter().map(|e| e.tgt.as_str()).collect();
    out.extend(
        v.schema
            .vertices()
            .values()
            .filter(|x| x.kind != "file" && !targets.contains(x.id.as_str()))
            .map(|x| x.id.as_str()),
    );
    out
}

/// A def as a path: `nsid#name`, a main def's NSID with `#main`.
fn def_path(id: &str) -> String {
    if id.contains('#') || !id.contains('.') {
        id.to_owned()
    } else {
        format!("{id}#main")
    }
}

/// The bounds: keyword, and whether it bounds from above.
const BOUNDS: &[(&str, bool)] = &[
    ("maxLength", true),
    ("minLength", false),
    ("maxGraphemes", true),
    ("minGraphemes", false),
    ("maximum", true),
    ("minimum", false),
    ("maxSize", true),
];

struct Judge<'j, 's> {
    old: &'j View<'s>,
    new: &'j View<'s>,
    findings: Vec<Finding>,
    seen: HashSet<(&'s str, &'s str)>,
}

impl<'s> Judge<'_, 's> {
    fn push(
        &mut self,
        rule: &str,
        path: String,
        change: String,
        (backward, forward): (Level, Level),
        reason: &str,
    ) {
        self.findings.push(Finding::new(
            rule,
            path,
            change,
            (backward, forward),
            reason,
        ));
    }

    /// Compares the types at one place of the two versions.
    fn node(&mut self, path: &str, o: &'s str, n: &'s str) {
        if !self.seen.insert((o, n)) {
            return;
        }
        let (k, l) = (self.old.kind(o), self.new.kind(n));
        if k != l {
            self.push(
                "TYPE_CHANGED",
                path.to_owned(),
                format!("type {k} → {l}"),
                (Breaking, Breaking),
                "types can not change: data of either type is invalid under the other",
            );
            return;
        }
        self.bounds(path, o, n);
        self.values(path, o, n);
        match k {
            "ref" => {
                let (a, b) = (self.old.target(o, "ref"), self.new.target(n, "ref"));
                if a != b {
                    let change = format!("ref {} → {}", a.unwrap_or("?"), b.unwrap_or("?"));
                    self.push(
                        "TYPE_CHANGED",
                        path.to_owned(),
                        change,
                        (Breaking, Breaking),
                        "types can not change: the field refers to another def",
                    );
                }
            }
            "record" => {
                if let (Some(a), Some(b)) = (
                    self.old.target(o, "record-schema"),
                    self.new.target(n, "record-schema"),
                ) {
                    self.node(path, a, b);
                }
            }
            "object" | "params" => self.object(path, o, n),
            "array" => {
                if let (Some(a), Some(b)) =
                    (self.old.target(o, "items"), self.new.target(n, "items"))
                {
                    self.node(&format!("{path}[]"), a, b);
                }
            }
            "union" => self.union(path, o, n),
            "query" | "procedure" | "subscription" | "body" => {
                for slot in ["parameters", "input", "output", "message", "schema"] {
                    let here = if slot == "schema" {
                        path.to_owned()
                    } else {
                        format!("{path}.{slot}")
                    };
                    match (self.old.target(o, slot), self.new.target(n, slot)) {
                        (Some(a), Some(b)) => self.node(&here, a, b),
                        (None, None) => {}
                        (a, _) => {
                            let change =
                                format!("{slot} {}", if a.is_some() { "removed" } else { "added" });
                            self.push(
                                "TYPE_CHANGED",
                                here,
                                change,
                                (Breaking, Breaking),
                                "one version's callers send or expect what the other's do not",
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn bounds(&mut self, path: &str, o: &str, n: &str) {
        let num = |t: Option<&str>| t.and_then(|t| t.parse::<f64>().ok());
        for &(keyword, upper) in BOUNDS {
            let (a, b) = (
                self.old.constraint(o, keyword),
                self.new.constraint(n, keyword),
            );
            if a == b {
                continue;
            }
            let change = match (a, b) {
                (Some(a), Some(b)) => format!("{keyword} {a} → {b}"),
                (None, Some(b)) => format!("{keyword} added: {b}"),
                (Some(a), None) => format!("{keyword} removed (was {a})"),
                (None, None) => continue,
            };
            let tighter = match (num(a), num(b)) {
                (Some(x), Some(y)) => (upper && y < x) || (!upper && y > x),
                (None, Some(_)) => true,
                _ => false,
            };
            let snake = upper_snake(keyword);
            if tighter == upper {
                let rule = format!("{snake}_DECREASED");
                let levels = if upper {
                    (Breaking, Compatible)
                } else {
                    (Compatible, Breaking)
                };
                self.push(&rule, path.to_owned(), change, levels, bound_reason(upper));
            } else {
                let rule = format!("{snake}_INCREASED");
                let levels = if upper {
                    (Compatible, Breaking)
                } else {
                    (Breaking, Compatible)
                };
                self.push(&rule, path.to_owned(), change, levels, bound_reason(!upper));
            }
        }
    }

    /// `enum`, `knownValues`, `accept`, `const`, `format`, `default`, a record's `key`, a body's `encoding`.
    fn values(&mut self, path: &str, o: &str, n: &str) {
        let (old, new) = (self.old, self.new);
        let set = |v: &View<'_>, id: &str, sort: &str| -> Option<BTreeSet<String>> {
            let list: Vec<Value> = serde_json::from_str(v.constraint(id, sort)?).ok()?;
            Some(
                list.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                    .collect(),
            )
        };
        let join = |s: Vec<&String>| {
            s.into_iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (sort, rule, closed) in [
            ("enum", "ENUM", true),
            ("accept", "ACCEPT", true),
            ("knownValues", "KNOWN_VALUE", false),
        ] {
            let (a, b) = (set(old, o, sort), set(new, n, sort));
            match (&a, &b) {
                (None, None) => {}
                (None, Some(_)) if closed => self.push(
                    &format!("{rule}_ADDED"),
                    path.to_owned(),
                    format!("{sort} added"),
                    (Breaking, Compatible),
                    "old data may hold values it leaves out",
                ),
                (Some(_), None) if closed => self.push(
                    &format!("{rule}_REMOVED"),
                    path.to_owned(),
                    format!("{sort} removed"),
                    (Compatible, Breaking),
                    "new data may hold values the old list leaves out",
                ),
                _ => {
                    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
                    let removed: Vec<&String> = a.difference(&b).collect();
                    let added: Vec<&String> = b.difference(&a).collect();
                    let (levels_removed, levels_added, reason) = if closed {
                        (
                            (Breaking, Compatible),
                            (Compatible, Breaking),
                            "the list is closed: data holding a value the other version leaves out is invalid there",
                        )
                    } else {
                        (
                            (Compatible, Compatible),
                            (Compatible, Compatible),
                            "knownValues is open: values are not limited to the list",
                        )
                    };
                    if !removed.is_empty() {
                        self.push(
                            &format!("{rule}_VALUE_REMOVED").replace("VALUE_VALUE", "VALUE"),
                            path.to_owned(),
                            format!("{sort} removed: {}", join(removed)),
                            levels_removed,
                            reason,
                        );
                    }
                    if !added.is_empty() {
                        self.push(
                            &format!("{rule}_VALUE_ADDED").replace("VALUE_VALUE", "VALUE"),
                            path.to_owned(),
                            format!("{sort} added: {}", join(added)),
                            levels_added,
                            reason,
                        );
                    }
                }
            }
        }
        for (sort, rule) in [("const", "CONST"), ("format", "FORMAT")] {
            match (old.constraint(o, sort), new.constraint(n, sort)) {
                (a, b) if a == b => {}
                (None, Some(b)) => self.push(
                    &format!("{rule}_ADDED"),
                    path.to_owned(),
                    format!("{sort} added: {b}"),
                    (Breaking, Compatible),
                    "old data need not meet it",
                ),
                (Some(a), None) => self.push(
                    &format!("{rule}_REMOVED"),
                    path.to_owned(),
                    format!("{sort} removed (was {a})"),
                    (Compatible, Breaking),
                    "new data need not meet what old readers check",
                ),
                (a, b) => self.push(
                    &format!("{rule}_CHANGED"),
                    path.to_owned(),
                    format!("{sort} {} → {}", a.unwrap_or("?"), b.unwrap_or("?")),
                    (Breaking, Breaking),
                    "data meeting either version's need not meet the other's",
                ),
            }
        }
        for (sort, rule, levels) in [
            ("default", "DEFAULT_CHANGED", (Dangerous, Dangerous)),
            ("key", "RECORD_KEY_CHANGED", (Breaking, Breaking)),
            ("encoding", "ENCODING_CHANGED", (Breaking, Breaking)),
        ] {
            let (a, b) = (old.constraint(o, sort), new.constraint(n, sort));
            if a != b {
                let change = format!("{sort} {} → {}", a.unwrap_or("none"), b.unwrap_or("none"));
                let reason = if sort == "default" {
                    "readers that fill in defaults fill in another value"
                } else {
                    "each version's data is keyed or encoded as the other's is not"
                };
                self.push(rule, path.to_owned(), change, levels, reason);
            }
        }
    }

    fn object(&mut self, path: &str, o: &'s str, n: &'s str) {
        let props = |v: &View<'s>, id: &str| -> BTreeMap<&'s str, &'s str> {
            v.edges(id, "prop")
                .filter_map(|e| Some((e.name.as_deref()?, e.tgt.as_str())))
                .collect()
        };
        let required =
            |v: &View<'_>, id: &str| v.schema.required().get(id).cloned().unwrap_or_default();
        let nullable = |v: &View<'_>, id: &str| -> BTreeSet<String> {
            v.constraint(id, "nullable")
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default()
        };
        let (a, b) = (props(self.old, o), props(self.new, n));
        let (ra, rb) = (required(self.old, o), required(self.new, n));
        let (na, nb) = (nullable(self.old, o), nullable(self.new, n));
        for (&name, &of) in &a {
            let here = format!("{path}.{name}");
            let Some(&nf) = b.get(name) else {
                if ra.contains(name) {
                    self.push("REQUIRED_FIELD_REMOVED", here, "required field removed".to_owned(), (Compatible, Breaking), "non-optional fields can not be removed: old readers require it, and new data lacks it");
                } else {
                    self.push("FIELD_REMOVED", here, "optional field removed".to_owned(), (Compatible, Compatible), "an optional field may be removed: old readers do without it, new readers ignore it in old data");
                }
                continue;
            };
            match (ra.contains(name), rb.contains(name)) {
                (false, true) => self.push(
                    "FIELD_MADE_REQUIRED",
                    here.clone(),
                    "made required".to_owned(),
                    (Breaking, Compatible),
                    "old data may lack it",
                ),
                (true, false) => self.push(
                    "FIELD_MADE_OPTIONAL",
                    here.clone(),
                    "made optional".to_owned(),
                    (Compatible, Breaking),
                    "new data may lack what old readers require",
                ),
                _ => {}
            }
            match (na.contains(name), nb.contains(name)) {
                (false, true) => self.push(
                    "FIELD_MADE_NULLABLE",
                    here.clone(),
                    "made nullable".to_owned(),
                    (Compatible, Breaking),
                    "new data may hold null, which old readers refuse",
                ),
                (true, false) => self.push(
                    "FIELD_MADE_NON_NULLABLE",
                    here.clone(),
                    "made non-nullable".to_owned(),
                    (Breaking, Compatible),
                    "old data may hold null",
                ),
                _ => {}
            }
            self.node(&here, of, nf);
        }
        for &name in b.keys().filter(|k| !a.contains_key(*k)) {
            let here = format!("{path}.{name}");
            if rb.contains(name) {
                self.push(
                    "REQUIRED_FIELD_ADDED",
                    here,
                    "required field added".to_owned(),
                    (Breaking, Compatible),
                    "new fields must be optional: old data lacks it",
                );
            } else {
                self.push(
                    "FIELD_ADDED",
                    here,
                    "optional field added".to_owned(),
                    (Compatible, Compatible),
                    "old data may lack it; old readers ignore it",
                );
            }
        }
    }

    fn union(&mut self, path: &str, o: &str, n: &str) {
        let refs = |v: &View<'s>, id: &str| -> BTreeSet<&'s str> {
            v.edges(id, "variant").map(|e| e.tgt.as_str()).collect()
        };
        let closed = |v: &View<'_>, id: &str| v.constraint(id, "closed") == Some("true");
        let (a, b) = (refs(self.old, o), refs(self.new, n));
        let (ca, cb) = (closed(self.old, o), closed(self.new, n));
        match (ca, cb) {
            (false, true) => self.push(
                "UNION_CLOSED",
                path.to_owned(),
                "union closed".to_owned(),
                (Breaking, Compatible),
                "old data of an open union may hold types the closed union refuses",
            ),
            (true, false) => self.push(
                "UNION_OPENED",
                path.to_owned(),
                "union opened".to_owned(),
                (Compatible, Breaking),
                "new data may hold types old readers' closed union refuses",
            ),
            _ => {}
        }
        for r in b.difference(&a) {
            let levels = if ca {
                (Compatible, Breaking)
            } else {
                (Compatible, Dangerous)
            };
            self.push("UNION_REF_ADDED", path.to_owned(), format!("ref {r} added"), levels, if ca { "old readers' closed union refuses the new type" } else { "old readers meet a type they do not know, which an open union obliges them to tolerate" });
        }
        for r in a.difference(&b) {
            let levels = if cb {
                (Breaking, Compatible)
            } else {
                (Dangerous, Compatible)
            };
            self.push("UNION_REF_REMOVED", path.to_owned(), format!("ref {r} removed"), levels, if cb { "old data may hold the removed type, which the closed union refuses" } else { "new readers meet old data of a type they no longer know, which an open union obliges them to tolerate" });
        }
    }
}

fn bound_reason(narrows: bool) -> &'static str {
    if narrows {
        "old data may fall outside the tightened bound"
    } else {
        "new data may fall outside the old bound"
    }
}

/// `maxLength` → `MAX_LENGTH`.
fn upper_snake(keyword: &str) -> String {
    let mut out = String::new();
    for c in keyword.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}
