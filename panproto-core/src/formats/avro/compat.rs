//! Avro's compatibility rules: the specification's schema resolution
//! (1.11, "Schema Resolution"), judged both ways.
//!
//! Data written with a writer's schema is read with a reader's schema;
//! backward is (reader = new, writer = old), forward is (reader = old,
//! writer = new). [`reads`] is the resolution check itself, a yes or no
//! for a pair of types; the walk around it pairs the two versions' types
//! slot by slot (a file's top-level schema, a record's fields by name, an
//! array's items, a map's values, a union's branches by type) and turns
//! each difference into a [`Finding`] judged by [`reads`] in each
//! direction, so that the report names what changed rather than only
//! where resolution failed.
//!
//! The rules, as the specification and Apache Avro's own checker
//! (`avro.compatibility`, which the tests run as the oracle) apply them:
//! types match when they are the same primitive, or a promotion (`int` to
//! `long`, `float`, `double`; `long` to `float`, `double`; `float` to
//! `double`; `string` and `bytes` both ways), or both arrays or maps
//! whose items or values match, or named types with the same unqualified
//! name (or the writer's full name among the reader's aliases): records
//! whose every reader field is matched by a writer field (by name or one
//! of the reader field's aliases) of a matching type or has a default;
//! enums where every writer symbol is a reader symbol, unless the reader
//! has a default symbol; fixed of one size. A writer's union matches if
//! each branch does; a reader's union matches a writer's type if some
//! branch does. Logical types, docs, field order and defaults of fields
//! that both sides have are not part of resolution.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rustc_hash::FxHashMap;
use serde_json::Value;

use super::PRIMITIVES;
use super::parse::namespace_of;
use crate::evolution::{CompatReport, Finding, Level};
use crate::formats::View;
use crate::model::Schema;

/// Judges `old` → `new`, two schemas of the `avro` protocol.
pub(in crate::formats) fn compare(old: &Schema, new: &Schema) -> CompatReport {
    let old = Side::of(old);
    let new = Side::of(new);
    let mut walk = Walk {
        old: &old,
        new: &new,
        findings: Vec::new(),
        seen: HashSet::new(),
        backward: Memo::default(),
        forward: Memo::default(),
    };
    let old_files = old.files();
    let new_files = new.files();
    for (file, old_root) in &old_files {
        match new_files.get(file) {
            Some(new_root) => walk.slot(&format!("file {file}"), *old_root, *new_root),
            None => walk.push(
                "file-removed",
                format!("file {file}"),
                "file removed",
                Level::Breaking,
                Level::Compatible,
                "new readers have no schema for data written with this file's schema".to_owned(),
            ),
        }
    }
    for file in new_files.keys().filter(|f| !old_files.contains_key(*f)) {
        walk.push(
            "file-added",
            format!("file {file}"),
            "file added",
            Level::Compatible,
            Level::Breaking,
            "old readers have no schema for data written with this file's schema".to_owned(),
        );
    }
    CompatReport {
        rules: "avro".to_owned(),
        findings: walk.findings,
    }
}

/// One version, indexed for the walk.
struct Side<'s> {
    view: View<'s>,
    /// Each record's fields: name → the vertex holding the field's type
    /// (and its default, aliases), in the record's field order.
    fields: FxHashMap<&'s str, Vec<(&'s str, &'s str)>>,
}

/// A type as resolution sees it: the vertex standing for it, with `ref`
/// vertices followed to the named type.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Ty<'s> {
    id: &'s str,
    kind: &'s str,
}

impl<'s> std::ops::Deref for Side<'s> {
    type Target = View<'s>;
    fn deref(&self) -> &View<'s> {
        &self.view
    }
}

impl<'s> Side<'s> {
    fn of(schema: &'s Schema) -> Self {
        let mut side = Self {
            view: View::of(schema),
            fields: FxHashMap::default(),
        };
        let records = schema.vertices().values().filter(|v| is_record(&v.kind));
        side.fields = records
            .map(|v| (v.id.as_str(), side.read_fields(&v.id)))
            .collect();
        side
    }

    /// A JSON list of names kept in a constraint (`aliases`, `symbols`).
    fn names(&self, id: &str, sort: &str) -> Vec<String> {
        self.constraint(id, sort)
            .and_then(|text| serde_json::from_str::<Vec<String>>(text).ok())
            .unwrap_or_default()
    }

    /// Each file with its top-level schema.
    fn files(&self) -> BTreeMap<&'s str, Ty<'s>> {
        self.schema
            .vertices()
            .values()
            .filter(|v| v.kind == "file")
            .filter_map(|v| Some((v.id.as_str(), self.ty(self.target(&v.id, "root")?))))
            .collect()
    }

    /// The type standing at vertex `id`.
    fn ty(&self, mut id: &'s str) -> Ty<'s> {
        // A ref points at a named type; a named type is never a ref.
        for _ in 0..2 {
            let kind = self.kind(id);
            if kind != "ref" {
                return Ty { id, kind };
            }
            match self.target(id, "ref") {
                Some(target) => id = target,
                None => break,
            }
        }
        Ty {
            id,
            kind: self.kind(id),
        }
    }

    /// A record's fields (see [`Side::fields`]).
    fn fields(&self, record: &str) -> &[(&'s str, &'s str)] {
        self.fields.get(record).map_or(&[], Vec::as_slice)
    }

    fn read_fields(&self, record: &str) -> Vec<(&'s str, &'s str)> {
        let mut fields: Vec<(&str, &str)> = self
            .edges(record, "field")
            .filter_map(|e| Some((e.name.as_deref()?, e.tgt.as_str())))
            .collect();
        let order = self.names(record, "field-order");
        fields.sort_by_key(|(name, _)| order.iter().position(|n| n == name));
        fields
    }

    /// A union's branches, in order (branch *i* is the vertex `…|i`).
    fn branches(&self, union: &str) -> Vec<Ty<'s>> {
        let mut branches: Vec<(usize, &str)> = self
            .edges(union, "variant")
            .map(|e| {
                let index = e
                    .tgt
                    .rsplit_once('|')
                    .and_then(|(_, i)| i.parse().ok())
                    .unwrap_or(usize::MAX);
                (index, e.tgt.as_str())
            })
            .collect();
        branches.sort_unstable();
        branches.into_iter().map(|(_, id)| self.ty(id)).collect()
    }

    /// The names a named type answers to as a reader: its full name, and
    /// its aliases made full in its namespace.
    fn aliases(&self, named: &str) -> Vec<String> {
        self.names(named, "aliases")
            .into_iter()
            .map(|alias| full_name(&alias, namespace_of(named)))
            .collect()
    }
}

fn full_name(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

fn unqualified(full: &str) -> &str {
    full.rsplit_once('.').map_or(full, |(_, name)| name)
}

fn is_named(kind: &str) -> bool {
    matches!(kind, "record" | "error" | "enum" | "fixed")
}

fn is_record(kind: &str) -> bool {
    matches!(kind, "record" | "error")
}

/// What resolution found for named pairs (reader's, writer's) of one
/// direction: `None` while the pair is being checked.
type Memo<'s> = FxHashMap<(&'s str, &'s str), Option<bool>>;

/// Whether a reader of type `r` (on side `rs`) reads data written with
/// type `w` (on side `ws`): the specification's resolution, as a yes or
/// no. Named pairs are remembered in `memo`, one per direction; a pair
/// met again while it is being checked counts as matching (recursive
/// types), as Apache Avro's checker counts it.
fn reads<'s>(rs: &Side<'s>, r: Ty<'s>, ws: &Side<'s>, w: Ty<'s>, memo: &mut Memo<'s>) -> bool {
    if w.kind == "union" {
        return ws
            .branches(w.id)
            .into_iter()
            .all(|b| reads(rs, r, ws, b, memo));
    }
    if r.kind == "union" {
        return rs
            .branches(r.id)
            .into_iter()
            .any(|b| reads(rs, b, ws, w, memo));
    }
    if PRIMITIVES.contains(&r.kind) || PRIMITIVES.contains(&w.kind) {
        return promotes(w.kind, r.kind);
    }
    match (r.kind, w.kind) {
        ("array", "array") => match (rs.target(r.id, "items"), ws.target(w.id, "items")) {
            (Some(ri), Some(wi)) => reads(rs, rs.ty(ri), ws, ws.ty(wi), memo),
            _ => false,
        },
        ("map", "map") => match (rs.target(r.id, "values"), ws.target(w.id, "values")) {
            (Some(rv), Some(wv)) => reads(rs, rs.ty(rv), ws, ws.ty(wv), memo),
            _ => false,
        },
        (rk, wk) if is_named(rk) && (rk == wk || is_record(rk) && is_record(wk)) => {
            if !names_match(rs, r.id, w.id) {
                return false;
            }
            match memo.get(&(r.id, w.id)) {
                Some(Some(known)) => return *known,
                // Being checked further up: a recursive type matches
                // itself unless something else fails.
                Some(None) => return true,
                None => {}
            }
            memo.insert((r.id, w.id), None);
            let ok = match rk {
                "enum" => missing_symbols(rs, r.id, ws, w.id).is_empty(),
                "fixed" => rs.constraint(r.id, "size") == ws.constraint(w.id, "size"),
                _ => rs.fields(r.id).iter().all(|&(name, rf)| {
                    match writer_field(rs, rf, name, ws, w.id) {
                        Some(wf) => reads(rs, rs.ty(rf), ws, ws.ty(wf), memo),
                        None => rs.constraint(rf, "default").is_some(),
                    }
                }),
            };
            memo.insert((r.id, w.id), Some(ok));
            ok
        }
        _ => false,
    }
}

/// Whether a value written as primitive `writer` reads as `reader`.
fn promotes(writer: &str, reader: &str) -> bool {
    writer == reader
        || matches!(
            (writer, reader),
            ("int", "long" | "float" | "double")
                | ("long", "float" | "double")
                | ("float", "double")
                | ("string", "bytes")
                | ("bytes", "string")
        )
}

/// Whether the reader's named type `r` answers to the writer's `w`.
fn names_match(rs: &Side<'_>, r: &str, w: &str) -> bool {
    unqualified(r) == unqualified(w) || rs.aliases(r).iter().any(|a| a == w)
}

/// The writer's field a reader's field `name` (type vertex `rf`) reads:
/// the field of that name, else of one of its aliases.
fn writer_field<'s>(
    rs: &Side<'s>,
    rf: &str,
    name: &str,
    ws: &Side<'s>,
    writer_record: &str,
) -> Option<&'s str> {
    let fields = ws.fields(writer_record);
    let find = |n: &str| fields.iter().find(|(f, _)| *f == n).map(|(_, id)| *id);
    find(name).or_else(|| rs.names(rf, "aliases").iter().find_map(|a| find(a)))
}

/// The writer enum's symbols the reader enum lacks, when the reader has
/// no default symbol to read them as (else none).
fn missing_symbols(rs: &Side<'_>, r: &str, ws: &Side<'_>, w: &str) -> Vec<String> {
    let reader: BTreeSet<String> = rs.names(r, "symbols").into_iter().collect();
    let default = rs
        .constraint(r, "default")
        .and_then(|d| serde_json::from_str::<Value>(d).ok());
    if default
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|d| reader.contains(d))
    {
        return Vec::new();
    }
    ws.names(w, "symbols")
        .into_iter()
        .filter(|s| !reader.contains(s))
        .collect()
}

/// The walk pairing the two versions' types slot by slot.
struct Walk<'w, 's> {
    old: &'w Side<'s>,
    new: &'w Side<'s>,
    findings: Vec<Finding>,
    /// Named pairs already walked (each is reported once, and recursion ends).
    seen: HashSet<(&'s str, &'s str)>,
    /// Resolution's memo for new readers of old data, and for old readers of new.
    backward: Memo<'s>,
    forward: Memo<'s>,
}

impl<'s> Walk<'_, 's> {
    fn push(
        &mut self,
        rule: &str,
        path: String,
        change: &str,
        backward: Level,
        forward: Level,
        reason: String,
    ) {
        self.findings.push(Finding {
            rule: rule.to_owned(),
            path,
            change: change.to_owned(),
            backward,
            forward,
            reason,
        });
    }

    /// Whether the new version's readers read the old's data at this pair,
    /// and the old's readers the new's: resolution both ways.
    fn both_ways(&mut self, old: Ty<'s>, new: Ty<'s>) -> (bool, bool) {
        let backward = reads(self.new, new, self.old, old, &mut self.backward);
        let forward = reads(self.old, old, self.new, new, &mut self.forward);
        (backward, forward)
    }

    /// Pairs the types at one slot (`path`) of the two versions.
    fn slot(&mut self, path: &str, old: Ty<'s>, new: Ty<'s>) {
        match (old.kind, new.kind) {
            ("array", "array") | ("map", "map") => {
                let (edge, mark) = if old.kind == "array" {
                    ("items", "[]")
                } else {
                    ("values", "{}")
                };
                if let (Some(o), Some(n)) =
                    (self.old.target(old.id, edge), self.new.target(new.id, edge))
                {
                    self.slot(&format!("{path}{mark}"), self.old.ty(o), self.new.ty(n));
                }
            }
            ("union", "union") => self.unions(path, old, new),
            (o, n) if o == n && PRIMITIVES.contains(&o) => {}
            (o, n) if is_named(o) && is_named(n) && names_match(self.new, new.id, old.id) => {
                if o == n || is_record(o) && is_record(n) {
                    self.named(old, new);
                } else {
                    self.retyped(path, old, new);
                }
            }
            _ => self.retyped(path, old, new),
        }
    }

    /// A slot whose type changed: judged by resolution each way.
    fn retyped(&mut self, path: &str, old: Ty<'s>, new: Ty<'s>) {
        let (backward, forward) = self.both_ways(old, new);
        let (o, n) = (describe(old), describe(new));
        let reason = match (backward, forward) {
            (true, true) => format!("{o} and {n} resolve to each other"),
            (true, false) => {
                format!("new readers read old {o} data as {n}; old readers cannot read {n} as {o}")
            }
            (false, true) => format!(
                "old readers read new {n} data as {o}; new readers cannot read old {o} data as {n}"
            ),
            (false, false) => {
                format!("{o} and {n} do not resolve to each other in either direction")
            }
        };
        self.push(
            "type-changed",
            path.to_owned(),
            &format!("type {o} → {n}"),
            level(backward),
            level(forward),
            reason,
        );
    }

    /// Two unions: branches paired by type (a named type by its name).
    fn unions(&mut self, path: &str, old: Ty<'s>, new: Ty<'s>) {
        let old_branches = self.old.branches(old.id);
        let new_branches = self.new.branches(new.id);
        let key = |t: &Ty<'_>| {
            if is_named(t.kind) {
                unqualified(t.id).to_owned()
            } else {
                t.kind.to_owned()
            }
        };
        let find = |list: &[Ty<'s>], k: &str| list.iter().copied().find(|t| key(t) == k);
        for o in &old_branches {
            match find(&new_branches, &key(o)) {
                Some(n) => self.slot(&format!("{path}|{}", key(o)), *o, n),
                None => {
                    // New data never holds the removed branch: forward is
                    // untouched; old data may, and must resolve to another.
                    let backward = reads(self.new, new, self.old, *o, &mut self.backward);
                    self.push(
                        "union-branch-removed",
                        format!("{path}|{}", key(o)),
                        "union branch removed",
                        level(backward),
                        Level::Compatible,
                        if backward {
                            format!(
                                "new readers read old {} data through another branch",
                                describe(*o)
                            )
                        } else {
                            format!(
                                "new readers' union has no branch for old data holding {}",
                                describe(*o)
                            )
                        },
                    );
                }
            }
        }
        for n in new_branches
            .iter()
            .filter(|n| find(&old_branches, &key(n)).is_none())
        {
            let forward = reads(self.old, old, self.new, *n, &mut self.forward);
            self.push(
                "union-branch-added",
                format!("{path}|{}", key(n)),
                "union branch added",
                Level::Compatible,
                level(forward),
                if forward {
                    format!(
                        "old readers read new {} data through another branch",
                        describe(*n)
                    )
                } else {
                    format!(
                        "old readers' union has no branch for new data holding {}",
                        describe(*n)
                    )
                },
            );
        }
    }

    /// Two named types that answer to one name: their definitions compared.
    fn named(&mut self, old: Ty<'s>, new: Ty<'s>) {
        if !self.seen.insert((old.id, new.id)) {
            return;
        }
        let path = format!("{} {}", old.kind, new.id);
        if old.id != new.id {
            let backward = names_match(self.new, new.id, old.id);
            let forward = names_match(self.old, old.id, new.id);
            self.push(
                "type-renamed",
                path.clone(),
                &format!("renamed from {}", old.id),
                level(backward),
                level(forward),
                "Avro matches named types by their unqualified name or the reader's aliases"
                    .to_owned(),
            );
        }
        match new.kind {
            "enum" => self.enums(&path, old, new),
            "fixed" => {
                let (o, n) = (
                    self.old.constraint(old.id, "size"),
                    self.new.constraint(new.id, "size"),
                );
                if o != n {
                    self.push(
                        "fixed-size-changed",
                        path,
                        &format!("size {} → {}", o.unwrap_or("?"), n.unwrap_or("?")),
                        Level::Breaking,
                        Level::Breaking,
                        "fixed types resolve only at the same size".to_owned(),
                    );
                }
            }
            _ => self.records(&path, old, new),
        }
    }

    fn enums(&mut self, path: &str, old: Ty<'s>, new: Ty<'s>) {
        let old_symbols = self.old.names(old.id, "symbols");
        let new_symbols = self.new.names(new.id, "symbols");
        let added: Vec<&String> = new_symbols
            .iter()
            .filter(|s| !old_symbols.contains(s))
            .collect();
        let removed: Vec<&String> = old_symbols
            .iter()
            .filter(|s| !new_symbols.contains(s))
            .collect();
        let join = |list: &[&String]| {
            list.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !added.is_empty() {
            let forward = missing_symbols(self.old, old.id, self.new, new.id).is_empty();
            self.push(
                "enum-symbols-added",
                path.to_owned(),
                &format!("symbols added: {}", join(&added)),
                Level::Compatible,
                level(forward),
                if forward {
                    "old readers read the new symbols as their enum's default".to_owned()
                } else {
                    "old readers' enum lacks the new symbols and has no default to read them as"
                        .to_owned()
                },
            );
        }
        if !removed.is_empty() {
            let backward = missing_symbols(self.new, new.id, self.old, old.id).is_empty();
            self.push(
                                "enum-symbols-removed",
path.to_owned(),
                &format!("symbols removed: {}", join(&removed)),
                level(backward),
                Level::Compatible,
                if backward {
                    "new readers read the removed symbols as their enum's default".to_owned()
                } else {
                    "new readers' enum lacks symbols old data may hold, and has no default to read them as"
                        .to_owned()
                },
            );
        }
        if added.is_empty() && removed.is_empty() && old_symbols != new_symbols {
            self.push(
                "enum-symbols-reordered",
                path.to_owned(),
                "symbols reordered",
                Level::Compatible,
                Level::Compatible,
                "enums resolve by symbol name, not position".to_owned(),
            );
        }
    }

    fn records(&mut self, path: &str, old: Ty<'s>, new: Ty<'s>) {
        // The sides outlive the walk's borrow of itself.
        let (old_side, new_side) = (self.old, self.new);
        let old_fields = old_side.fields(old.id);
        let new_fields = new_side.fields(new.id);
        let mut matched_old: HashSet<&str> = HashSet::new();
        for &(name, nf) in new_fields {
            let field_path = format!("{path} field {name}");
            // The old field this one reads, by name or one of its aliases;
            // and whether the old version's readers would find it again.
            let of = writer_field(self.new, nf, name, self.old, old.id);
            let Some(of) = of else {
                let has_default = self.new.constraint(nf, "default").is_some();
                self.push(
                                        "field-added",
field_path,
                    "field added",
                    level(has_default),
                    Level::Compatible,
                    if has_default {
                        "new readers fill it from its default when reading old data; old readers skip it"
                            .to_owned()
                    } else {
                        "old data lacks it and it has no default for new readers to fill in"
                            .to_owned()
                    },
                );
                continue;
            };
            let old_name = old_fields
                .iter()
                .find(|(_, id)| *id == of)
                .map_or("", |(n, _)| *n);
            matched_old.insert(of);
            if old_name != name {
                let forward = writer_field(self.old, of, old_name, self.new, new.id).is_some()
                    || self.old.constraint(of, "default").is_some();
                self.push(
                                        "field-renamed",
field_path.clone(),
                    &format!("renamed from {old_name}"),
                    Level::Compatible,
                    level(forward),
                    if forward {
                        format!("new readers find it by its alias {old_name}; old readers fill {old_name} from its default")
                    } else {
                        format!("new readers find it by its alias {old_name}, but old readers look for {old_name}, which new data lacks, and it has no default")
                    },
                );
            }
            self.slot(&field_path, self.old.ty(of), self.new.ty(nf));
        }
        for (name, of) in old_fields
            .iter()
            .filter(|(_, id)| !matched_old.contains(id))
        {
            let has_default = self.old.constraint(of, "default").is_some();
            self.push(
                "field-removed",
                format!("{path} field {name}"),
                "field removed",
                Level::Compatible,
                level(has_default),
                if has_default {
                    "new readers skip it in old data; old readers fill it from its default"
                        .to_owned()
                } else {
                    "old readers need it, new data lacks it, and it has no default".to_owned()
                },
            );
        }
    }
}

/// Compatible where resolution succeeds, else breaking.
fn level(resolves: bool) -> Level {
    if resolves {
        Level::Compatible
    } else {
        Level::Breaking
    }
}

/// A type as messages name it: `int`, `array`, `record org.example.User`.
fn describe(t: Ty<'_>) -> String {
    if is_named(t.kind) {
        format!("{} {}", t.kind, t.id)
    } else {
        t.kind.to_owned()
    }
}
