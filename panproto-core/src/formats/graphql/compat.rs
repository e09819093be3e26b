//! GraphQL's compatibility rules, as `graphql-inspector` (7.0, checked
//! against it in the tests) judges a schema change, with its three
//! levels and its change ids.
//!
//! For a GraphQL API, backward is the new server answering clients built
//! on the old schema: inspector's criticality. Forward is the old server
//! answering clients built on the new one, which is the same judgement of
//! the change made the other way: a field added is safe backward, and
//! breaks forward (a new client asks the old server for it). So every
//! rule here is judged twice, on (old, new) and on (new, old).
//!
//! The levels: removing a type, field, argument, input field, enum value,
//! union member, interface, directive or location breaks; a new required
//! argument or input field (non-null, no default) breaks callers; an
//! output field becoming nullable breaks clients and becoming non-null is
//! safe, an input becoming non-null breaks callers and becoming nullable
//! is safe; any other retyping breaks. A new enum value, union member,
//! interface of an object type or optional argument, and a changed
//! default, are dangerous: old clients may meet what they do not handle.
//! Additions and deprecations are safe.

use std::collections::{BTreeMap, BTreeSet};

use crate::evolution::{CompatReport, Finding, Level};
use crate::formats::View;
use crate::formats::units::{ByUnit, FindingsByUnit, Units, digest_units};
use crate::model::Schema;

use Level::{Breaking, Compatible, Dangerous};

/// Judges `old` → `new`, two schemas of the `graphql` protocol.
pub(in crate::formats) fn compare(old: &Schema, new: &Schema) -> CompatReport {
    judge(old, new, None).report("graphql")
}

/// [`compare`]'s findings by the unit each was found under, of the
/// units in `only` (all, for `None`).
pub(in crate::formats) fn compare_by_unit(
    old: &Schema,
    new: &Schema,
    only: Option<&BTreeSet<String>>,
) -> FindingsByUnit {
    judge(old, new, only).grouped()
}

/// The units the rules judge one at a time: each named type and
/// directive, and the schema block. Types and directives are where the
/// walk stops (a field's type is read by name, never through); which of
/// `Query`, `Mutation` and `Subscription` exist goes into every digest,
/// since without a schema block they are the roots.
pub(in crate::formats) fn units(schema: &Schema) -> Units {
    let side = Side::of(schema);
    let types = side.types();
    let mut roots: Vec<(String, &str)> =
        types.keys().map(|&name| (type_unit(name), name)).collect();
    roots.extend(
        schema
            .vertices()
            .values()
            .filter(|v| v.kind == "directive")
            .map(|v| (directive_unit(&v.id), v.id.as_str())),
    );
    roots.push((SCHEMA_UNIT.to_owned(), super::SCHEMA_ID));
    let context: Vec<u8> = DEFAULT_ROOTS
        .iter()
        .map(|(_, name)| u8::from(types.contains_key(name)))
        .collect();
    digest_units(
        "graphql/1",
        &side.view,
        roots,
        |kind| kind == "directive" || kind == "schema" || TYPE_KINDS.contains(&kind),
        &context,
    )
}

/// The unit of named type `name`.
fn type_unit(name: &str) -> String {
    format!("type {name}")
}

/// The unit of directive `id`.
fn directive_unit(id: &str) -> String {
    format!("directive {id}")
}

/// The unit of the root operation types.
const SCHEMA_UNIT: &str = "schema";

/// The roots without a schema block: operation → type name.
const DEFAULT_ROOTS: [(&str, &str); 3] = [
    ("query", "Query"),
    ("mutation", "Mutation"),
    ("subscription", "Subscription"),
];

/// Every finding with its unit, in the order found, of the units in
/// `only` (all, for `None`).
fn judge<'o>(old: &Schema, new: &Schema, only: Option<&'o BTreeSet<String>>) -> ByUnit<'o> {
    let old = Side::of(old);
    let new = Side::of(new);
    let mut judge = Judge {
        old: &old,
        new: &new,
        found: ByUnit::new(only),
    };
    judge.types();
    judge.directives();
    judge.schema();
    judge.found
}

/// The kinds of named types.
const TYPE_KINDS: &[&str] = &["object", "interface", "input", "union", "enum", "scalar"];

/// A member's type, as GraphQL writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    Named(String),
    List(Box<Ty>),
    NonNull(Box<Ty>),
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Named(n) => f.write_str(n),
            Self::List(t) => write!(f, "[{t}]"),
            Self::NonNull(t) => write!(f, "{t}!"),
        }
    }
}

/// Whether clients of a field typed `old` read it typed `new`
/// (inspector's `safeChangeForField`): the same type, or more non-null.
fn safe_output(old: &Ty, new: &Ty) -> bool {
    match (old, new) {
        (Ty::Named(a), Ty::Named(b)) => a == b,
        (_, Ty::NonNull(n)) => {
            let o = match old {
                Ty::NonNull(o) => o,
                other => other,
            };
            safe_output(o, n)
        }
        (Ty::List(o), Ty::List(n)) => safe_output(o, n),
        _ => false,
    }
}

/// Whether callers passing an input typed `old` may pass it typed `new`
/// (inspector's `safeChangeForInputValue`): the same type, or less non-null.
fn safe_input(old: &Ty, new: &Ty) -> bool {
    match (old, new) {
        (Ty::Named(a), Ty::Named(b)) => a == b,
        (Ty::List(o), Ty::List(n)) => safe_input(o, n),
        (Ty::NonNull(o), _) => {
            let n = match new {
                Ty::NonNull(n) => n,
                other => other,
            };
            safe_input(o, n)
        }
        _ => false,
    }
}

/// One version, indexed.
struct Side<'s> {
    view: View<'s>,
}

impl<'s> std::ops::Deref for Side<'s> {
    type Target = View<'s>;
    fn deref(&self) -> &View<'s> {
        &self.view
    }
}

impl<'s> Side<'s> {
    fn of(schema: &'s Schema) -> Self {
        Self {
            view: View::of(schema),
        }
    }

    /// The members a vertex reaches by named `kind` edges: name → vertex.
    fn members(&self, id: &str, kind: &str) -> BTreeMap<&'s str, &'s str> {
        self.edges(id, kind)
            .filter_map(|e| Some((e.name.as_deref()?, e.tgt.as_str())))
            .collect()
    }

    /// What a vertex reaches by unnamed `kind` edges.
    fn targets(&self, id: &str, kind: &str) -> BTreeSet<&'s str> {
        self.edges(id, kind).map(|e| e.tgt.as_str()).collect()
    }

    /// The named types (external ones left out: another source defines them).
    fn types(&self) -> BTreeMap<&'s str, &'s str> {
        self.schema
            .vertices()
            .values()
            .filter(|v| TYPE_KINDS.contains(&v.kind.as_str()))
            .map(|v| (v.id.as_str(), v.kind.as_str()))
            .collect()
    }

    /// The type of the member (field, argument, input field, list item) at `id`.
    fn ty(&self, id: &str) -> Ty {
        let base = match self.kind(id) {
            "list" => {
                let item = self.edges(id, "of").next().map(|e| e.tgt.as_str());
                Ty::List(Box::new(
                    item.map_or(Ty::Named("?".to_owned()), |i| self.ty(i)),
                ))
            }
            "ref" => Ty::Named(
                self.edges(id, "ref")
                    .next()
                    .map_or_else(|| "?".to_owned(), |e| e.tgt.clone()),
            ),
            scalar => Ty::Named(scalar.to_owned()),
        };
        if self.constraint(id, "non-null") == Some("true") {
            Ty::NonNull(Box::new(base))
        } else {
            base
        }
    }

    /// Whether callers must give the input at `id`: non-null, no default.
    fn required_input(&self, id: &str) -> bool {
        self.constraint(id, "non-null") == Some("true") && self.constraint(id, "default").is_none()
    }
}

/// The walk over both versions.
struct Judge<'j, 's, 'o> {
    old: &'j Side<'s>,
    new: &'j Side<'s>,
    /// What was found, by unit.
    found: ByUnit<'o>,
}

/// A change found one way, before the other way's level is known.
struct Found {
    rule: String,
    path: String,
    change: String,
    level: Level,
    reason: &'static str,
}

impl<'s> Judge<'_, 's, '_> {
    /// Records `finding` under the unit being judged.
    fn record(&mut self, finding: Finding) {
        self.found.push(finding);
    }

    /// Records `found` judged backward, with `forward` the level of the
    /// same change made the other way.
    fn push(&mut self, found: Found, forward: Level) {
        self.record(Finding {
            rule: found.rule,
            path: found.path,
            change: found.change,
            backward: found.level,
            forward,
            reason: found.reason.to_owned(),
        });
    }

    fn types(&mut self) {
        let (old_types, new_types) = (self.old.types(), self.new.types());
        for (&name, &kind) in &old_types {
            if !self.found.enter(type_unit(name)) {
                continue;
            }
            match new_types.get(name) {
                None => self.push(
                    Found {
                        rule: "TYPE_REMOVED".to_owned(),
                        path: format!("{kind} {name}"),
                        change: "type removed".to_owned(),
                        level: Breaking,
                        reason: "clients that name it in queries or fragments fail",
                    },
                    Compatible,
                ),
                Some(&new_kind) if new_kind != kind => self.push(
                    Found {
                        rule: "TYPE_KIND_CHANGED".to_owned(),
                        path: format!("{new_kind} {name}"),
                        change: format!("kind {kind} → {new_kind}"),
                        level: Breaking,
                        reason: "what a client may select on it, or pass as it, changes",
                    },
                    Breaking,
                ),
                Some(_) => self.members_of(name, kind),
            }
        }
        for (&name, &kind) in new_types
            .iter()
            .filter(|(n, _)| !old_types.contains_key(*n))
        {
            if !self.found.enter(type_unit(name)) {
                continue;
            }
            self.push(
                Found {
                    rule: "TYPE_ADDED".to_owned(),
                    path: format!("{kind} {name}"),
                    change: "type added".to_owned(),
                    level: Compatible,
                    reason: "new clients that use it fail against a server of the old version",
                },
                Breaking,
            );
        }
    }

    /// A type of both versions, of one kind.
    fn members_of(&mut self, name: &str, kind: &str) {
        match kind {
            "object" | "interface" => {
                self.fields(name);
                if kind == "object" {
                    self.sets(name, "implements", "OBJECT_TYPE_INTERFACE", "interface");
                }
            }
            "input" => self.inputs(name, "input-field", "INPUT_FIELD", &format!("input {name}")),
            "union" => self.sets(name, "member", "UNION_MEMBER", "member"),
            "enum" => self.values(name),
            _ => {}
        }
    }

    /// An object's or interface's fields, with their arguments.
    fn fields(&mut self, name: &str) {
        let (old, new) = (
            self.old.members(name, "field"),
            self.new.members(name, "field"),
        );
        for (field, &o) in &old {
            let path = format!("field {name}.{field}");
            let Some(&n) = new.get(field) else {
                self.push(
                    Found {
                        rule: "FIELD_REMOVED".to_owned(),
                        path,
                        change: "field removed".to_owned(),
                        level: Breaking,
                        reason: "clients that select it fail",
                    },
                    Compatible,
                );
                continue;
            };
            let (ot, nt) = (self.old.ty(o), self.new.ty(n));
            if ot != nt {
                let level = |a: &Ty, b: &Ty| {
                    if safe_output(a, b) {
                        Compatible
                    } else {
                        Breaking
                    }
                };
                self.push(
                    Found {
                        rule: "FIELD_TYPE_CHANGED".to_owned(),
                        path: path.clone(),
                        change: format!("type {ot} → {nt}"),
                        level: level(&ot, &nt),
                        reason: "clients read the old type: a value made non-null is still what they expect; made nullable, or of another type, it is not",
                    },
                    level(&nt, &ot),
                );
            }
            self.deprecation(o, n, "FIELD_DEPRECATION", &path);
            let label = format!("argument {name}.{field}");
            self.inputs_between(o, n, "argument", "FIELD_ARGUMENT", &label);
        }
        for field in new.keys().filter(|f| !old.contains_key(*f)) {
            self.push(
                Found {
                    rule: "FIELD_ADDED".to_owned(),
                    path: format!("field {name}.{field}"),
                    change: "field added".to_owned(),
                    level: Compatible,
                    reason: "new clients that select it fail against a server of the old version",
                },
                Breaking,
            );
        }
    }

    fn deprecation(&mut self, o: &str, n: &str, prefix: &str, path: &str) {
        let (a, b) = (
            self.old.constraint(o, "deprecated"),
            self.new.constraint(n, "deprecated"),
        );
        let (rule, change) = match (a, b) {
            (None, Some(_)) => ("ADDED", "deprecated"),
            (Some(_), None) => ("REMOVED", "no longer deprecated"),
            _ => return,
        };
        self.record(Finding {
            rule: format!("{prefix}_{rule}"),
            path: path.to_owned(),
            change: change.to_owned(),
            backward: Compatible,
            forward: Compatible,
            reason: "a note to clients; nothing they send or read changes".to_owned(),
        });
    }

    /// The input values (fields of an input type) of type `name`.
    fn inputs(&mut self, name: &str, edge: &str, rule: &'static str, label: &str) {
        self.inputs_between(name, name, edge, rule, label);
    }

    /// The input values (arguments, input fields) of `o` (old) and `n`
    /// (new), reached by `edge`; `label` names their holder in paths.
    fn inputs_between(&mut self, o: &str, n: &str, edge: &str, rule: &'static str, label: &str) {
        let (old, new) = (self.old.members(o, edge), self.new.members(n, edge));
        let path = |input: &str| {
            if edge == "argument" {
                format!("{label}({input}:)")
            } else {
                format!("{label}.{input}")
            }
        };
        // What adding an input (at vertex `id` of side `side`) does to callers.
        let added = |side: &Side<'_>, id: &str| {
            if side.required_input(id) {
                Breaking
            } else if edge == "argument" {
                Dangerous
            } else {
                Compatible
            }
        };
        for (input, &oi) in &old {
            let Some(&ni) = new.get(input) else {
                self.push(
                    Found {
                        rule: format!("{rule}_REMOVED"),
                        path: path(input),
                        change: format!("{} removed", what(edge)),
                        level: Breaking,
                        reason: "callers that pass it fail",
                    },
                    added(self.old, oi),
                );
                continue;
            };
            let (ot, nt) = (self.old.ty(oi), self.new.ty(ni));
            if ot != nt {
                let level = |a: &Ty, b: &Ty| {
                    if safe_input(a, b) {
                        Compatible
                    } else {
                        Breaking
                    }
                };
                self.push(
                    Found {
                        rule: format!("{rule}_TYPE_CHANGED"),
                        path: path(input),
                        change: format!("type {ot} → {nt}"),
                        level: level(&ot, &nt),
                        reason: "callers pass the old type: an input made nullable still takes it; made non-null, or of another type, it does not",
                    },
                    level(&nt, &ot),
                );
            }
            let (od, nd) = (
                self.old.constraint(oi, "default"),
                self.new.constraint(ni, "default"),
            );
            if od != nd {
                let rule = if edge == "argument" {
                    "FIELD_ARGUMENT_DEFAULT_CHANGED"
                } else {
                    "INPUT_FIELD_DEFAULT_VALUE_CHANGED"
                };
                self.push(
                    Found {
                        rule: rule.to_owned(),
                        path: path(input),
                        change: format!(
                            "default {} → {}",
                            od.unwrap_or("none"),
                            nd.unwrap_or("none")
                        ),
                        level: Dangerous,
                        reason: "callers that leave it out get another value",
                    },
                    Dangerous,
                );
            }
        }
        for (input, &ni) in new.iter().filter(|(i, _)| !old.contains_key(*i)) {
            let level = added(self.new, ni);
            self.push(
                Found {
                    rule: format!("{rule}_ADDED"),
                    path: path(input),
                    change: format!("{} added", what(edge)),
                    level,
                    reason: match level {
                        Breaking => "it is non-null without a default: callers built on the old version do not pass it",
                        Dangerous => "callers that do not pass it may get different results",
                        _ => "callers need not pass it",
                    },
                },
                Breaking,
            );
        }
    }

    /// A type's set of interfaces or a union's members: each added is
    /// dangerous (old clients meet objects of a type they do not expect
    /// there), each removed breaks (their fragments on it no longer apply).
    fn sets(&mut self, name: &str, edge: &str, rule: &'static str, what: &str) {
        let (old, new) = (self.old.targets(name, edge), self.new.targets(name, edge));
        for member in old.difference(&new) {
            self.push(
                Found {
                    rule: format!("{rule}_REMOVED"),
                    path: format!("{} {name} {what} {member}", self.new.kind(name)),
                    change: format!("{what} removed"),
                    level: Breaking,
                    reason: "clients' fragments and selections on it no longer apply",
                },
                Dangerous,
            );
        }
        for member in new.difference(&old) {
            self.push(
                Found {
                    rule: format!("{rule}_ADDED"),
                    path: format!("{} {name} {what} {member}", self.new.kind(name)),
                    change: format!("{what} added"),
                    level: Dangerous,
                    reason: "old clients may meet objects of a type they do not handle there",
                },
                Breaking,
            );
        }
    }

    fn values(&mut self, name: &str) {
        let (old, new) = (
            self.old.members(name, "value"),
            self.new.members(name, "value"),
        );
        for (value, &o) in &old {
            match new.get(value) {
                None => self.push(
                    Found {
                        rule: "ENUM_VALUE_REMOVED".to_owned(),
                        path: format!("enum value {name}.{value}"),
                        change: "value removed".to_owned(),
                        level: Breaking,
                        reason: "callers that pass it fail",
                    },
                    Dangerous,
                ),
                Some(&n) => {
                    self.deprecation(
                        o,
                        n,
                        "ENUM_VALUE_DEPRECATION",
                        &format!("enum value {name}.{value}"),
                    );
                }
            }
        }
        for value in new.keys().filter(|v| !old.contains_key(*v)) {
            self.push(
                Found {
                    rule: "ENUM_VALUE_ADDED".to_owned(),
                    path: format!("enum value {name}.{value}"),
                    change: "value added".to_owned(),
                    level: Dangerous,
                    reason: "old clients may read a value they do not handle",
                },
                Breaking,
            );
        }
    }

    fn directives(&mut self) {
        let directives = |side: &Side<'s>| -> BTreeSet<&'s str> {
            side.schema
                .vertices()
                .values()
                .filter(|v| v.kind == "directive")
                .map(|v| v.id.as_str())
                .collect()
        };
        let (old, new) = (directives(self.old), directives(self.new));
        for &d in &old {
            if !self.found.enter(directive_unit(d)) {
                continue;
            }
            if !new.contains(d) {
                self.push(
                    Found {
                        rule: "DIRECTIVE_REMOVED".to_owned(),
                        path: format!("directive {d}"),
                        change: "directive removed".to_owned(),
                        level: Breaking,
                        reason: "clients that use it fail",
                    },
                    Compatible,
                );
                continue;
            }
            let locations = |side: &Side<'_>| -> BTreeSet<String> {
                side.constraint(d, "locations")
                    .map(|l| {
                        l.split(|c: char| {
                            c == '|'
                                || c == ','
                                || c.is_whitespace()
                                || c == '"'
                                || c == '['
                                || c == ']'
                        })
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                    })
                    .unwrap_or_default()
            };
            let (ol, nl) = (locations(self.old), locations(self.new));
            for l in ol.difference(&nl) {
                self.push(
                    Found {
                        rule: "DIRECTIVE_LOCATION_REMOVED".to_owned(),
                        path: format!("directive {d}"),
                        change: format!("location {l} removed"),
                        level: Breaking,
                        reason: "clients that use it there fail",
                    },
                    Compatible,
                );
            }
            for l in nl.difference(&ol) {
                self.push(
                    Found {
                        rule: "DIRECTIVE_LOCATION_ADDED".to_owned(),
                        path: format!("directive {d}"),
                        change: format!("location {l} added"),
                        level: Compatible,
                        reason: "new clients that use it there fail against a server of the old version",
                    },
                    Breaking,
                );
            }
            self.inputs_between(
                d,
                d,
                "argument",
                "DIRECTIVE_ARGUMENT",
                &format!("directive {d}"),
            );
        }
        for &d in new.difference(&old) {
            if !self.found.enter(directive_unit(d)) {
                continue;
            }
            self.push(
                Found {
                    rule: "DIRECTIVE_ADDED".to_owned(),
                    path: format!("directive {d}"),
                    change: "directive added".to_owned(),
                    level: Compatible,
                    reason: "new clients that use it fail against a server of the old version",
                },
                Breaking,
            );
        }
    }

    /// The root operation types.
    fn schema(&mut self) {
        if !self.found.enter(SCHEMA_UNIT.to_owned()) {
            return;
        }
        let roots = |side: &Side<'_>| -> BTreeMap<String, String> {
            let declared = side.members("{schema}", "operation");
            let mut out: BTreeMap<String, String> = declared
                .iter()
                .map(|(op, t)| ((*op).to_owned(), (*t).to_owned()))
                .collect();
            // Without a schema block, the types named Query, Mutation and
            // Subscription are the roots.
            if declared.is_empty() {
                for (op, name) in DEFAULT_ROOTS {
                    if side.types().contains_key(name) {
                        out.insert(op.to_owned(), name.to_owned());
                    }
                }
            }
            out
        };
        let (old, new) = (roots(self.old), roots(self.new));
        for (op, o) in &old {
            let n = new.get(op);
            if n != Some(o) {
                let rule = match op.as_str() {
                    "query" => "SCHEMA_QUERY_TYPE_CHANGED",
                    "mutation" => "SCHEMA_MUTATION_TYPE_CHANGED",
                    _ => "SCHEMA_SUBSCRIPTION_TYPE_CHANGED",
                };
                self.push(
                    Found {
                        rule: rule.to_owned(),
                        path: format!("schema {op}"),
                        change: format!("{op} type {o} → {}", n.map_or("none", String::as_str)),
                        level: Breaking,
                        reason: "every operation of that kind starts at the root type",
                    },
                    Breaking,
                );
            }
        }
    }
}

/// What a kind of input edge is called in a change.
fn what(edge: &str) -> &'static str {
    if edge == "argument" {
        "argument"
    } else {
        "input field"
    }
}
