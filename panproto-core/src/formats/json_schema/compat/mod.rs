//! JSON Schema's compatibility rules: a schema is the set of documents it
//! validates, so a change is judged by which documents it lets in or
//! keeps out.
//!
//! Backward (can readers of the new version read data written with the
//! old?) holds when every document valid under the old schema is valid
//! under the new; forward when every document valid under the new is
//! valid under the old. So a change that *narrows* what validates (a
//! property made required, a type narrowed, a bound tightened, an enum
//! value removed, `additionalProperties` closed) breaks backward and not
//! forward, and a change that *widens* breaks forward and not backward:
//! each rule is one narrowing judged both ways. The tests check every
//! verdict against the `jsonschema` package: where we say compatible, no
//! sample document tells the versions apart that way; where we say
//! breaking, a sample does.
//!
//! The two versions are walked together from each file's root, slot by
//! slot (a property's schema by name, `items`, a list's entries by index,
//! a `$ref` followed to its target, once per pair), so that a finding
//! names the node by its JSON pointer (`#/properties/user/properties/email`).
//! Under `not` what narrows widens, so the levels swap; under `if` a change
//! may do either, so it breaks both ways.
//!
//! Properties follow the content model, as Confluent's registry judges
//! it: an object whose `additionalProperties` is absent or `true` (and no
//! `patternProperties`) is *open*, and an old document may already hold a
//! property the new version adds with a schema of its own, so adding one
//! breaks backward; to a *closed* object (`additionalProperties: false`)
//! adding one breaks forward instead (old readers refuse it); removing
//! one is the same judged the other way. An object that is neither (an
//! `additionalProperties` schema, `patternProperties`) is judged as
//! closed and open at once, which is the safe side. `format`, which
//! validators assert only when asked to, is dangerous when it changes;
//! `default` too (readers that fill defaults fill another value); other
//! annotations (`title`, `description`, `examples`, vendor keywords) are
//! not judged. The rule ids are this module's own, UPPER_SNAKE like
//! Confluent's where one exists (`MAX_LENGTH_DECREASED`, `TYPE_NARROWED`).

use std::collections::{BTreeMap, HashSet};

use crate::evolution::{CompatReport, Finding, Level};
use crate::formats::View;
use crate::model::Schema;

use Level::{Breaking, Compatible, Dangerous};

mod node;

use node::{
    BOUNDS, Content, NAMED, ONE, OPAQUE, accepts_all, admits, content, content_text, deref, join,
    members, number, required, type_text, types, upper_snake, values,
};

/// Judges `old` → `new`, two schemas of the `json-schema` protocol.
pub(in crate::formats) fn compare(old: &Schema, new: &Schema) -> CompatReport {
    let old = View::of(old);
    let new = View::of(new);
    let mut walk = Walk {
        old: &old,
        new: &new,
        findings: Vec::new(),
        seen: HashSet::new(),
    };
    let (old_roots, new_roots) = (roots(&old), roots(&new));
    for (file, o) in &old_roots {
        match new_roots.get(file) {
            Some(n) => walk.node(o, n, Polarity::Plain),
            None => walk.push(
                Polarity::Plain,
                "FILE_REMOVED",
                file.to_string(),
                "file removed".to_owned(),
                Breaking,
                Compatible,
                "new readers have no schema for documents written with this file's",
            ),
        }
    }
    for file in new_roots.keys().filter(|f| !old_roots.contains_key(*f)) {
        walk.push(
            Polarity::Plain,
            "FILE_ADDED",
            file.to_string(),
            "file added".to_owned(),
            Compatible,
            Breaking,
            "old readers have no schema for documents written with this file's",
        );
    }
    CompatReport {
        rules: "json-schema".to_owned(),
        findings: walk.findings,
    }
}

/// Each file's root node, by file path (`""` for a single file's `#`);
/// in a schema built by hand rather than parsed, each node nothing
/// points to, by its id.
fn roots<'s>(v: &View<'s>) -> BTreeMap<&'s str, &'s str> {
    let vertices = v.schema.vertices();
    let files: BTreeMap<&str, &str> = vertices
        .values()
        .filter(|x| x.kind == "file")
        .filter_map(|x| Some((x.id.as_str(), v.target(&x.id, "root")?)))
        .collect();
    if !files.is_empty() {
        return files;
    }
    if let Some((id, _)) = vertices.get_key_value("#") {
        return BTreeMap::from([("", id.as_str())]);
    }
    let targets: HashSet<&str> = v.schema.edges().iter().map(|e| e.tgt.as_str()).collect();
    vertices
        .keys()
        .map(String::as_str)
        .filter(|id| !targets.contains(id))
        .map(|id| (id, id))
        .collect()
}

/// How a slot's narrowing reads: as itself, reversed (under `not`), or
/// either way (under `if`, where narrowing the condition may widen what
/// validates).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Polarity {
    Plain,
    Negated,
    Both,
}

impl Polarity {
    fn not(self) -> Self {
        match self {
            Self::Plain => Self::Negated,
            Self::Negated => Self::Plain,
            Self::Both => Self::Both,
        }
    }
}

struct Walk<'w, 's> {
    old: &'w View<'s>,
    new: &'w View<'s>,
    findings: Vec<Finding>,
    /// Node pairs already walked, with the polarity they were walked in.
    seen: HashSet<(&'s str, &'s str, Polarity)>,
}

impl<'s> Walk<'_, 's> {
    /// Records a finding whose levels are given as a plain change; under
    /// `not` they swap, under `if` the worse holds both ways.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        polarity: Polarity,
        rule: &str,
        path: String,
        change: String,
        backward: Level,
        forward: Level,
        reason: &str,
    ) {
        let (backward, forward) = match polarity {
            Polarity::Plain => (backward, forward),
            Polarity::Negated => (forward, backward),
            Polarity::Both => (backward.max(forward), backward.max(forward)),
        };
        self.findings.push(Finding::new(
            rule,
            path,
            change,
            (backward, forward),
            reason,
        ));
    }

    /// A narrowing: what the old version validated, the new may refuse.
    fn narrowed(&mut self, p: Polarity, rule: &str, path: &str, change: String, reason: &str) {
        self.push(
            p,
            rule,
            path.to_owned(),
            change,
            Breaking,
            Compatible,
            reason,
        );
    }

    /// A widening: what the new version validates, the old may refuse.
    fn widened(&mut self, p: Polarity, rule: &str, path: &str, change: String, reason: &str) {
        self.push(
            p,
            rule,
            path.to_owned(),
            change,
            Compatible,
            Breaking,
            reason,
        );
    }

    /// Compares the nodes `o` (old) and `n` (new) at one slot.
    fn node(&mut self, o: &'s str, n: &'s str, p: Polarity) {
        let (o, n) = (deref(self.old, o), deref(self.new, n));
        if !self.seen.insert((o, n, p)) {
            return;
        }
        let path = n;
        self.types(o, n, p, path);
        self.bounds(o, n, p, path);
        self.keywords(o, n, p, path);
        self.enums(o, n, p, path);
        self.properties(o, n, p, path);
        self.subschemas(o, n, p, path);
        // A `$ref` beside other keywords (2019-09 on) applies too.
        if let (Some(a), Some(b)) = (self.old.target(o, "ref"), self.new.target(n, "ref")) {
            self.node(a, b, p);
        }
    }

    fn types(&mut self, o: &str, n: &str, p: Polarity, path: &str) {
        let (a, b) = (types(self.old, o), types(self.new, n));
        if a == b {
            return;
        }
        let change = format!("type {} → {}", type_text(a.as_ref()), type_text(b.as_ref()));
        match (
            admits(b.as_ref(), a.as_ref()),
            admits(a.as_ref(), b.as_ref()),
        ) {
            (true, _) => self.widened(
                p,
                "TYPE_WIDENED",
                path,
                change,
                "the new type admits every old value, and more",
            ),
            (_, true) => self.narrowed(
                p,
                "TYPE_NARROWED",
                path,
                change,
                "old documents may hold values of a type the new version refuses",
            ),
            _ => self.push(
                p,
                "TYPE_CHANGED",
                path.to_owned(),
                change,
                Breaking,
                Breaking,
                "each version admits values of a type the other refuses",
            ),
        }
    }

    fn bounds(&mut self, o: &str, n: &str, p: Polarity, path: &str) {
        for &(keyword, upper, absent) in BOUNDS {
            let (a, b) = (
                self.old.constraint(o, keyword),
                self.new.constraint(n, keyword),
            );
            if a == b {
                continue;
            }
            let (x, y) = (number(a).or(absent), number(b).or(absent));
            let change = match (a, b) {
                (Some(a), Some(b)) => format!("{keyword} {a} → {b}"),
                (None, Some(b)) => format!("{keyword} added: {b}"),
                (Some(a), None) => format!("{keyword} removed (was {a})"),
                (None, None) => continue,
            };
            let snake = upper_snake(keyword);
            // Draft 4's boolean `exclusiveMaximum` makes its `maximum`
            // exclusive: turned on it narrows, off it widens; a boolean
            // against a number (the draft changed) has no order.
            let flag = |v: Option<&str>| match v {
                None | Some("false") => Some(false),
                Some("true") => Some(true),
                Some(_) => None,
            };
            if number(a).is_none() && a.is_some() || number(b).is_none() && b.is_some() {
                let (backward, forward) = match (flag(a), flag(b)) {
                    (Some(false), Some(true)) => (Breaking, Compatible),
                    (Some(true), Some(false)) => (Compatible, Breaking),
                    (Some(_), Some(_)) => continue,
                    _ => (Breaking, Breaking),
                };
                let reason = "an exclusive bound refuses the bound itself";
                self.push(
                    p,
                    &format!("{snake}_CHANGED"),
                    path.to_owned(),
                    change,
                    backward,
                    forward,
                    reason,
                );
                continue;
            }
            // `None` is unbounded: above all for an upper bound, below all for a lower.
            let tighter = match (x, y) {
                (Some(x), Some(y)) if upper => y < x,
                (Some(x), Some(y)) => y > x,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => continue,
            };
            let (rule, narrows) = match (upper, tighter) {
                (true, true) => ("DECREASED", true),
                (true, false) => ("INCREASED", false),
                (false, true) => ("INCREASED", true),
                (false, false) => ("DECREASED", false),
            };
            let rule = format!("{snake}_{rule}");
            if narrows {
                self.narrowed(
                    p,
                    &rule,
                    path,
                    change,
                    "old documents may fall outside the tightened bound",
                );
            } else {
                self.widened(
                    p,
                    &rule,
                    path,
                    change,
                    "new documents may fall outside the old bound",
                );
            }
        }
    }

    fn keywords(&mut self, o: &str, n: &str, p: Polarity, path: &str) {
        let get = |v: &View<'s>, id: &str, k: &str| v.constraint(id, k);
        // `pattern`, `const`: added narrows, removed widens, changed breaks both.
        for (keyword, rule) in [("pattern", "PATTERN"), ("const", "CONST")] {
            match (get(self.old, o, keyword), get(self.new, n, keyword)) {
                (a, b) if a == b => {}
                (None, Some(b)) => self.narrowed(
                    p,
                    &format!("{rule}_ADDED"),
                    path,
                    format!("{keyword} added: {b}"),
                    "old documents need not match it",
                ),
                (Some(a), None) => self.widened(
                    p,
                    &format!("{rule}_REMOVED"),
                    path,
                    format!("{keyword} removed (was {a})"),
                    "new documents need not match what old readers require",
                ),
                (Some(a), Some(b)) => self.push(
                    p,
                    &format!("{rule}_CHANGED"),
                    path.to_owned(),
                    format!("{keyword} {a} → {b}"),
                    Breaking,
                    Breaking,
                    "each version may admit values the other refuses",
                ),
                _ => {}
            }
        }
        match (
            get(self.old, o, "multipleOf"),
            get(self.new, n, "multipleOf"),
        ) {
            (a, b) if a == b => {}
            (a, b) => {
                let (x, y) = (number(a), number(b));
                let divides = |big: Option<f64>, small: Option<f64>| match (big, small) {
                    (_, None) => true,
                    (Some(big), Some(small)) => {
                        small != 0.0 && ((big / small) - (big / small).round()).abs() < 1e-9
                    }
                    (None, Some(_)) => false,
                };
                let change = format!(
                    "multipleOf {} → {}",
                    a.unwrap_or("none"),
                    b.unwrap_or("none")
                );
                // Backward holds when every multiple of the old divisor is one of
                // the new: the old divisor a multiple of the new.
                let (backward, forward) = (level(divides(x, y)), level(divides(y, x)));
                self.push(p, "MULTIPLE_OF_CHANGED", path.to_owned(), change, backward, forward, "a value is admitted when it is a multiple of the divisor; one divisor a multiple of the other narrows one way");
            }
        }
        match (
            get(self.old, o, "uniqueItems") == Some("true"),
            get(self.new, n, "uniqueItems") == Some("true"),
        ) {
            (false, true) => self.narrowed(
                p,
                "UNIQUE_ITEMS_ADDED",
                path,
                "uniqueItems added".to_owned(),
                "old documents may hold repeated items",
            ),
            (true, false) => self.widened(
                p,
                "UNIQUE_ITEMS_REMOVED",
                path,
                "uniqueItems removed".to_owned(),
                "new documents may hold repeated items old readers refuse",
            ),
            _ => {}
        }
        for (keyword, rule) in [("format", "FORMAT"), ("default", "DEFAULT")] {
            let (a, b) = (get(self.old, o, keyword), get(self.new, n, keyword));
            if a == b {
                continue;
            }
            let (backward, forward) = match (a, b) {
                (None, Some(_)) if keyword == "format" => (Dangerous, Compatible),
                (Some(_), None) if keyword == "format" => (Compatible, Dangerous),
                _ => (Dangerous, Dangerous),
            };
            let reason = if keyword == "format" {
                "validators assert format only when asked to: where they do, what validates changes"
            } else {
                "readers that fill in defaults fill in another value"
            };
            let change = format!(
                "{keyword} {} → {}",
                a.unwrap_or("none"),
                b.unwrap_or("none")
            );
            self.push(
                p,
                &format!("{rule}_CHANGED"),
                path.to_owned(),
                change,
                backward,
                forward,
                reason,
            );
        }
        for keyword in OPAQUE {
            // A `$ref` kept as text is a remote one (a resolved ref is an edge, walked).
            if *keyword == "$ref"
                && (self.old.target(o, "ref").is_some() || self.new.target(n, "ref").is_some())
            {
                continue;
            }
            let (a, b) = (get(self.old, o, keyword), get(self.new, n, keyword));
            if a != b {
                let change = format!(
                    "{keyword} {} → {}",
                    a.unwrap_or("none"),
                    b.unwrap_or("none")
                );
                self.push(
                    p,
                    &format!("{}_CHANGED", upper_snake(keyword)),
                    path.to_owned(),
                    change,
                    Breaking,
                    Breaking,
                    "the keyword changed in a way these rules do not order",
                );
            }
        }
    }

    fn enums(&mut self, o: &str, n: &str, p: Polarity, path: &str) {
        let (a, b) = (
            values(self.old.constraint(o, "enum")),
            values(self.new.constraint(n, "enum")),
        );
        match (a, b) {
            (None, None) => {}
            (None, Some(_)) => self.narrowed(
                p,
                "ENUM_ADDED",
                path,
                "enum added".to_owned(),
                "old documents may hold values the enum leaves out",
            ),
            (Some(_), None) => self.widened(
                p,
                "ENUM_REMOVED",
                path,
                "enum removed".to_owned(),
                "new documents may hold values the old enum leaves out",
            ),
            (Some(a), Some(b)) => {
                let removed: Vec<&String> = a.difference(&b).collect();
                let added: Vec<&String> = b.difference(&a).collect();
                if !removed.is_empty() {
                    self.narrowed(
                        p,
                        "ENUM_VALUE_REMOVED",
                        path,
                        format!("enum values removed: {}", join(&removed)),
                        "old documents may hold a removed value",
                    );
                }
                if !added.is_empty() {
                    self.widened(
                        p,
                        "ENUM_VALUE_ADDED",
                        path,
                        format!("enum values added: {}", join(&added)),
                        "new documents may hold a value old readers refuse",
                    );
                }
            }
        }
    }

    fn properties(&mut self, o: &'s str, n: &'s str, p: Polarity, path: &str) {
        let (old_props, new_props) = (members(self.old, o, "prop"), members(self.new, n, "prop"));
        let (old_content, new_content) = (content(self.old, o), content(self.new, n));
        let prop_path = |name: &str| format!("{path}/properties/{name}");
        for (name, &np) in &new_props {
            match old_props.get(name) {
                Some(&op) => self.node(op, np, p),
                None => {
                    // An old document may hold it already, unless the old
                    // object was closed; an old reader refuses it, unless
                    // the old object was open.
                    let constrains = !accepts_all(self.new, np);
                    let backward = level(old_content == Content::Closed || !constrains);
                    let forward = level(old_content == Content::Open);
                    self.push(p, "PROPERTY_ADDED", prop_path(name), "property added".to_owned(), backward, forward, "an open object's old documents may hold the name with any value; a closed object's old readers refuse it");
                }
            }
        }
        for (name, &op) in old_props
            .iter()
            .filter(|(k, _)| !new_props.contains_key(*k))
        {
            let constrained = !accepts_all(self.old, op);
            let backward = level(new_content == Content::Open);
            let forward = level(new_content == Content::Closed || !constrained);
            self.push(p, "PROPERTY_REMOVED", prop_path(name), "property removed".to_owned(), backward, forward, "a closed object's new readers refuse the name old documents hold; an open object's new documents may hold it with any value");
        }
        let (a, b) = (required(self.old, o), required(self.new, n));
        for name in b.difference(&a) {
            self.narrowed(
                p,
                "PROPERTY_REQUIRED_ADDED",
                &prop_path(name),
                "property made required".to_owned(),
                "old documents may lack it",
            );
        }
        for name in a.difference(&b) {
            self.widened(
                p,
                "PROPERTY_REQUIRED_REMOVED",
                &prop_path(name),
                "property no longer required".to_owned(),
                "new documents may lack what old readers require",
            );
        }
        // Made only for a finding: this runs for every node.
        let here = || format!("{path}/additionalProperties");
        match (old_content, new_content) {
            (Content::Partial(Some(a)), Content::Partial(Some(b))) => self.node(a, b, p),
            (a, b) if a == b => {}
            (Content::Partial(_), Content::Partial(_)) => self.push(
                p,
                "ADDITIONAL_PROPERTIES_CHANGED",
                here(),
                "additional properties changed".to_owned(),
                Breaking,
                Breaking,
                "each version may admit properties the other refuses",
            ),
            (Content::Open, _) | (_, Content::Closed) => self.narrowed(
                p,
                "ADDITIONAL_PROPERTIES_CLOSED",
                &here(),
                format!(
                    "{} → {}",
                    content_text(old_content),
                    content_text(new_content)
                ),
                "old documents may hold properties the new version no longer admits",
            ),
            _ => self.widened(
                p,
                "ADDITIONAL_PROPERTIES_OPENED",
                &here(),
                format!(
                    "{} → {}",
                    content_text(old_content),
                    content_text(new_content)
                ),
                "new documents may hold properties old readers refuse",
            ),
        }
    }

    fn subschemas(&mut self, o: &'s str, n: &'s str, p: Polarity, path: &str) {
        let one = |v: &View<'s>, id: &str, kind: &str| v.target(id, kind);
        let slots = ONE
            .iter()
            .map(|&(k, w)| (k, w, p))
            .chain([("not", "not", p.not()), ("if", "if", Polarity::Both)]);
        for (kind, keyword, q) in slots {
            let here = || format!("{path}/{keyword}");
            match (one(self.old, o, kind), one(self.new, n, kind)) {
                (Some(a), Some(b)) => self.node(a, b, q),
                (None, Some(_)) => self.narrowed(
                    q,
                    "SUBSCHEMA_ADDED",
                    &here(),
                    format!("{keyword} added"),
                    "a new subschema constrains what validates",
                ),
                (Some(_), None) => self.widened(
                    q,
                    "SUBSCHEMA_REMOVED",
                    &here(),
                    format!("{keyword} removed"),
                    "a subschema that constrained what validates is gone",
                ),
                (None, None) => {}
            }
        }
        for &(kind, keyword) in NAMED {
            let (a, b) = (members(self.old, o, kind), members(self.new, n, kind));
            // An alternative added widens; `oneOf` also demands exactly one match.
            let alternative = matches!(kind, "any-of" | "one-of");
            for (name, &nb) in &b {
                let here = || format!("{path}/{keyword}/{name}");
                match a.get(name) {
                    Some(&oa) => self.node(oa, nb, p),
                    None if kind == "one-of" => self.push(
                        p,
                        "BRANCH_ADDED",
                        here(),
                        format!("{keyword} entry added"),
                        Breaking,
                        Breaking,
                        "a document may now match two entries of oneOf, or only the new one",
                    ),
                    None if alternative => self.widened(
                        p,
                        "BRANCH_ADDED",
                        &here(),
                        format!("{keyword} entry added"),
                        "new documents may match only the new alternative",
                    ),
                    None => self.narrowed(
                        p,
                        "SUBSCHEMA_ADDED",
                        &here(),
                        format!("{keyword} entry added"),
                        "a new subschema constrains what validates",
                    ),
                }
            }
            for name in a.keys().filter(|k| !b.contains_key(*k)) {
                let here = format!("{path}/{keyword}/{name}");
                match kind {
                    "one-of" => self.push(p, "BRANCH_REMOVED", here, format!("{keyword} entry removed"), Breaking, Breaking, "old documents may have matched only the removed entry, new ones two entries of the old"),
                    _ if alternative => self.narrowed(p, "BRANCH_REMOVED", &here, format!("{keyword} entry removed"), "old documents may have matched only the removed alternative"),
                    _ => self.widened(p, "SUBSCHEMA_REMOVED", &here, format!("{keyword} entry removed"), "a subschema that constrained what validates is gone"),
                }
            }
        }
    }
}

/// Compatible where the condition holds, else breaking.
fn level(holds: bool) -> Level {
    if holds { Compatible } else { Breaking }
}
