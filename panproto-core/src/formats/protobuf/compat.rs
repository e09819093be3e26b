//! Protobuf's compatibility rules, on the wire and in JSON: the rules of
//! `buf breaking`'s `WIRE_JSON` category (each finding carries buf's rule
//! id), plus the deletion of services and RPCs, judged both ways.
//!
//! Messages, enums and services are matched by full name, fields and
//! enum values by number (the wire knows numbers, not names), RPCs by
//! name. Most wire rules are symmetric: a changed number, type or
//! cardinality misreads data whichever side is newer, so both directions
//! break. The directional ones: a field or enum value deleted leaves old
//! readers expecting what new data never holds (and, unreserved, free to
//! be reused for something else), a value added is one old readers do not
//! know, a proto2 required field added is missing from old data, a
//! service or RPC deleted is one old clients still call. What breaks only
//! JSON (a field renamed keeps its number, and the wire) breaks both
//! directions of JSON readers, and the reason says the wire is kept.
//!
//! Types (as `buf` 1.75 judges them, checked against it in the tests):
//! on the wire `int32`, `int64`, `uint32`, `uint64` and `bool` are one
//! varint family, `sint32`/`sint64`, `fixed32`/`sfixed32` and
//! `fixed64`/`sfixed64` pairs, and `string` may become `bytes` (not back:
//! bytes need not be UTF-8); in JSON, where 64-bit integers are strings,
//! bools are `true`/`false` and bytes base64, only `int32`/`uint32`,
//! `int64`/`uint64`, `fixed32`/`sfixed32` and `fixed64`/`sfixed64` stay
//! interchangeable. An enum and an integer, two message types, or a
//! message and bytes are not.

use std::collections::{BTreeMap, BTreeSet};

use super::parse::{MAX_FIELD_NUMBER, default_json_name, range_text};
use crate::evolution::{CompatReport, Finding, Level};
use crate::formats::View;
use crate::formats::units::{ByUnit, FindingsByUnit, Units, digest_units};
use crate::model::Schema;

use Level::{Breaking, Compatible, Dangerous};

/// Judges `old` → `new`, two schemas of the `protobuf` protocol.
pub(in crate::formats) fn compare(old: &Schema, new: &Schema) -> CompatReport {
    judge(old, new, None).report("protobuf")
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

/// The units the rules judge one at a time: each file (its package),
/// message, enum and service, named as [`Judge`] names them. Every
/// message, enum and service is a declaration the walk stops at (a
/// field's type is read by name and kind, never through); the packages
/// go into every digest, since they decide the names declarations are
/// matched by.
pub(in crate::formats) fn units(schema: &Schema) -> Units {
    let side = Side::of(schema);
    let mut roots: Vec<(String, &str)> = side
        .files()
        .into_iter()
        .map(|f| (unit("file", f), f))
        .collect();
    for kind in DECLARATIONS {
        roots.extend(
            side.of_kind(kind)
                .into_iter()
                .map(|(key, id)| (unit(kind, key), id)),
        );
    }
    let context = side.packages.join("\n");
    digest_units(
        "protobuf/2",
        &side.view,
        roots,
        |kind| kind == "file" || DECLARATIONS.contains(&kind),
        context.as_bytes(),
    )
}

/// The kinds of the declarations matched by name between versions.
const DECLARATIONS: [&str; 3] = ["message", "enum", "service"];

/// The name of the unit of declaration `key` of `kind`.
fn unit(kind: &str, key: &str) -> String {
    format!("{kind} {key}")
}

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
    judge.files();
    judge.messages();
    judge.enums();
    judge.services();
    judge.found
}

/// One version, indexed.
struct Side<'s> {
    view: View<'s>,
    /// The files' packages, longest first.
    packages: Vec<&'s str>,
}

impl<'s> std::ops::Deref for Side<'s> {
    type Target = View<'s>;
    fn deref(&self) -> &View<'s> {
        &self.view
    }
}

/// A field's type as the wire and JSON see it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Type<'s> {
    Scalar(&'s str),
    Message(&'s str),
    Enum(&'s str),
    Map(Box<Type<'s>>, Box<Type<'s>>),
}

impl std::fmt::Display for Type<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Scalar(s) => f.write_str(s),
            Self::Message(m) => write!(f, "message {m}"),
            Self::Enum(e) => write!(f, "enum {e}"),
            Self::Map(k, v) => write!(f, "map<{k}, {v}>"),
        }
    }
}

/// One field of a message.
struct Field<'s> {
    name: &'s str,
    id: &'s str,
    number: i64,
    /// The oneof holding it, by name.
    oneof: Option<&'s str>,
}

/// What a message or an enum reserves.
#[derive(Default)]
struct Reserved {
    ranges: Vec<(i64, i64)>,
    names: BTreeSet<String>,
}

impl Reserved {
    fn number(&self, n: i64) -> bool {
        self.ranges.iter().any(|&(a, b)| a <= n && n <= b)
    }

    /// The old reservations the new ones no longer cover.
    fn dropped(&self, new: &Self) -> Vec<String> {
        let mut out: Vec<String> = self
            .ranges
            .iter()
            .filter(|&&(a, b)| !new.ranges.iter().any(|&(c, d)| c <= a && b <= d))
            .map(|&(a, b)| range_text(a, b, MAX_FIELD_NUMBER))
            .collect();
        out.extend(
            self.names
                .difference(&new.names)
                .map(|n| format!("\"{n}\"")),
        );
        out
    }
}

impl<'s> Side<'s> {
    fn of(schema: &'s Schema) -> Self {
        let mut packages: Vec<&str> = schema
            .vertices()
            .values()
            .filter(|v| v.kind == "file")
            .filter_map(|v| schema.constraint(&v.id, "package"))
            .filter(|p| !p.is_empty())
            .collect();
        packages.sort_by_key(|p| std::cmp::Reverse(p.len()));
        Self {
            view: View::of(schema),
            packages,
        }
    }

    /// A declaration's name within its package: what the two versions
    /// are matched by, so that a package renamed is one finding
    /// (`FILE_SAME_PACKAGE`), not every declaration deleted and added.
    fn key(&self, id: &'s str) -> &'s str {
        self.packages
            .iter()
            .find_map(|p| id.strip_prefix(*p)?.strip_prefix('.'))
            .unwrap_or(id)
    }

    /// The vertices of `kind` (not the external ones), by key ([`Side::key`]).
    fn of_kind(&self, kind: &str) -> BTreeMap<&'s str, &'s str> {
        self.schema
            .vertices()
            .values()
            .filter(|v| v.kind == kind && self.constraint(&v.id, "external").is_none())
            .map(|v| (self.key(&v.id), v.id.as_str()))
            .collect()
    }

    /// The files, by path.
    fn files(&self) -> BTreeSet<&'s str> {
        self.schema
            .vertices()
            .values()
            .filter(|v| v.kind == "file")
            .map(|v| v.id.as_str())
            .collect()
    }

    /// A message's fields by number, oneof members included.
    fn fields(&self, message: &str) -> BTreeMap<i64, Field<'s>> {
        let direct = self.edges(message, "field").map(|e| (e, None));
        let in_oneofs = self.edges(message, "oneof").flat_map(|o| {
            self.edges(&o.tgt, "field")
                .map(move |e| (e, o.name.as_deref()))
        });
        direct
            .chain(in_oneofs)
            .filter_map(|(e, oneof)| {
                let number = self.constraint(&e.tgt, "field-number")?.parse().ok()?;
                Some((
                    number,
                    Field {
                        name: e.name.as_deref()?,
                        id: &e.tgt,
                        number,
                        oneof,
                    },
                ))
            })
            .collect()
    }

    /// The type of the field (or map key / value) at vertex `id`.
    fn field_type(&self, id: &'s str) -> Type<'s> {
        match self.kind(id) {
            "ref" => match self.target(id, "ref") {
                Some(t) if self.kind(t) == "enum" => Type::Enum(self.key(t)),
                Some(t) => Type::Message(self.key(t)),
                None => Type::Scalar("ref"),
            },
            "map" => {
                let part = |kind| {
                    Box::new(
                        self.target(id, kind)
                            .map_or(Type::Scalar("?"), |t| self.field_type(t)),
                    )
                };
                Type::Map(part("map-key"), part("map-value"))
            }
            scalar => Type::Scalar(scalar),
        }
    }

    /// Whether the field is repeated on the wire (a map is).
    fn repeated(&self, id: &str) -> bool {
        self.constraint(id, "label") == Some("repeated") || self.kind(id) == "map"
    }

    /// The field's JSON name: `json_name`, else its name in lowerCamelCase.
    fn json_name(&self, field: &Field<'_>) -> String {
        self.constraint(field.id, "json-name")
            .map_or_else(|| default_json_name(field.name), str::to_owned)
    }

    fn reserved(&self, id: &str) -> Reserved {
        let list: Vec<String> = self
            .constraint(id, "reserved")
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        let mut out = Reserved::default();
        for item in list {
            if let Some(name) = item.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                out.names.insert(name.to_owned());
                continue;
            }
            let (a, b) = item.split_once(" to ").unwrap_or((&item, &item));
            let b = if b == "max" {
                MAX_FIELD_NUMBER.to_string()
            } else {
                b.to_owned()
            };
            if let (Ok(a), Ok(b)) = (a.trim().parse(), b.trim().parse()) {
                out.ranges.push((a, b));
            }
        }
        out
    }

    /// An enum's values by number (the first name of an aliased number).
    fn values(&self, enumeration: &str) -> BTreeMap<i64, &'s str> {
        let mut out = BTreeMap::new();
        for e in self.edges(enumeration, "value") {
            let number = self
                .constraint(&e.tgt, "number")
                .and_then(|n| n.parse().ok());
            if let (Some(n), Some(name)) = (number, e.name.as_deref()) {
                out.entry(n).or_insert(name);
            }
        }
        out
    }

    /// A named option's value among a vertex's options, as written.
    fn option(&self, id: &str, name: &str) -> Option<String> {
        let list: Vec<String> = self
            .constraint(id, "options")
            .and_then(|t| serde_json::from_str(t).ok())?;
        list.into_iter().find_map(|o| {
            let (key, value) = o.split_once(" = ")?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
    }
}

/// The wire families of scalar types (see the module doc).
fn wire_family(scalar: &str) -> Option<u8> {
    match scalar {
        "int32" | "int64" | "uint32" | "uint64" | "bool" => Some(0),
        "sint32" | "sint64" => Some(1),
        "fixed32" | "sfixed32" => Some(2),
        "fixed64" | "sfixed64" => Some(3),
        _ => None,
    }
}

/// Whether data of type `old` reads as `new` on the wire.
fn wire_compatible(old: &Type<'_>, new: &Type<'_>) -> bool {
    match (old, new) {
        _ if old == new => true,
        (Type::Scalar("string"), Type::Scalar("bytes")) => true,
        (Type::Scalar(a), Type::Scalar(b)) => {
            wire_family(a).is_some() && wire_family(a) == wire_family(b)
        }
        (Type::Map(ka, va), Type::Map(kb, vb)) => {
            wire_compatible(ka, kb) && wire_compatible(va, vb)
        }
        _ => false,
    }
}

/// Whether data of type `old` reads as `new` on the wire and in JSON.
fn json_compatible(old: &Type<'_>, new: &Type<'_>) -> bool {
    let pair = |a: &str, b: &str| {
        [
            ["int32", "uint32"],
            ["int64", "uint64"],
            ["fixed32", "sfixed32"],
            ["fixed64", "sfixed64"],
        ]
        .iter()
        .any(|p| p.contains(&a) && p.contains(&b))
    };
    match (old, new) {
        _ if old == new => true,
        (Type::Scalar(a), Type::Scalar(b)) => pair(a, b),
        (Type::Map(ka, va), Type::Map(kb, vb)) => {
            json_compatible(ka, kb) && json_compatible(va, vb)
        }
        _ => false,
    }
}

/// The walk over both versions.
struct Judge<'j, 's, 'o> {
    old: &'j Side<'s>,
    new: &'j Side<'s>,
    /// What was found, by unit.
    found: ByUnit<'o>,
}

impl Judge<'_, '_, '_> {
    fn push(
        &mut self,
        rule: &str,
        path: String,
        change: String,
        levels: (Level, Level),
        reason: String,
    ) {
        self.found
            .push(Finding::new(rule, path, change, levels, &reason));
    }

    fn files(&mut self) {
        let (old, new) = (self.old.files(), self.new.files());
        for file in old.intersection(&new) {
            if !self.found.enter(unit("file", file)) {
                continue;
            }
            let (a, b) = (
                self.old.constraint(file, "package").unwrap_or(""),
                self.new.constraint(file, "package").unwrap_or(""),
            );
            if a != b {
                self.push(
                    "FILE_SAME_PACKAGE",
                    format!("file {file}"),
                    format!("package {a:?} → {b:?}"),
                    (Breaking, Breaking),
                    "every message and enum of the file changes its full name, and with it its type on the wire (Any) and the RPCs' paths".to_owned(),
                );
            }
        }
    }

    fn messages(&mut self) {
        let (old_side, new_side) = (self.old, self.new);
        let (old, new) = (old_side.of_kind("message"), new_side.of_kind("message"));
        for (key, &message) in &old {
            if !self.found.enter(unit("message", key)) {
                continue;
            }
            let Some(&renamed) = new.get(key) else {
                self.push(
                    "message-deleted",
                    format!("message {message}"),
                    "message deleted".to_owned(),
                    (Dangerous, Dangerous),
                    "no field's encoding changes with it (a field that used it is judged on its own), but code that names it breaks".to_owned(),
                );
                continue;
            };
            self.message(message, renamed);
        }
        for (key, &message) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
            if !self.found.enter(unit("message", key)) {
                continue;
            }
            self.push(
                "message-added",
                format!("message {message}"),
                "message added".to_owned(),
                (Compatible, Compatible),
                "a new type changes nothing that existed".to_owned(),
            );
        }
    }

    /// A message of both versions (`new_id` differs from `message` when
    /// its package was renamed).
    fn message(&mut self, message: &str, new_id: &str) {
        let (old_side, new_side) = (self.old, self.new);
        let old_fields = old_side.fields(message);
        let new_fields = new_side.fields(new_id);
        let new_reserved = new_side.reserved(new_id);
        let path = |f: &Field<'_>| format!("message {message} field {} ({})", f.name, f.number);
        for (number, of) in &old_fields {
            let Some(nf) = new_fields.get(number) else {
                self.deleted_field(message, of, &new_reserved, &path(of));
                continue;
            };
            self.field_pair(of, nf, &path(nf));
        }
        for nf in new_fields
            .values()
            .filter(|f| !old_fields.contains_key(&f.number))
        {
            self.push(
                "field-added",
                path(nf),
                "field added".to_owned(),
                (Compatible, Compatible),
                "old data lacks it, so new readers see its default; old readers skip it as an unknown field".to_owned(),
            );
        }
        self.required(message, new_id);
        let dropped = old_side.reserved(message).dropped(&new_reserved);
        if !dropped.is_empty() {
            self.push(
                "RESERVED_MESSAGE_NO_DELETE",
                format!("message {message}"),
                format!("reservation removed: {}", dropped.join(", ")),
                (Compatible, Breaking),
                "a number or name freed again may be given to a new field, which old readers would read as the old one".to_owned(),
            );
        }
    }

    fn deleted_field(&mut self, message: &str, of: &Field<'_>, reserved: &Reserved, path: &str) {
        let _ = message;
        if !reserved.number(of.number) {
            self.push(
                "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
                path.to_owned(),
                "field deleted, number not reserved".to_owned(),
                (Compatible, Breaking),
                format!("new readers skip it in old data, but old readers still read number {}, and a later field given that number would be misread by them: reserve it", of.number),
            );
        }
        if !reserved.names.contains(of.name) {
            self.push(
                "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
                path.to_owned(),
                "field deleted, name not reserved".to_owned(),
                (Compatible, Breaking),
                format!("in JSON the field is its name: a later field named {:?} would be read by old JSON readers as this one: reserve the name", of.name),
            );
        }
        if reserved.number(of.number) && reserved.names.contains(of.name) {
            self.push(
                "field-deleted",
                path.to_owned(),
                "field deleted, number and name reserved".to_owned(),
                (Compatible, Dangerous),
                "new readers skip it in old data; old readers see it unset in new data".to_owned(),
            );
        }
    }

    /// One field number present in both versions.
    fn field_pair(&mut self, of: &Field<'_>, nf: &Field<'_>, path: &str) {
        let (old_side, new_side) = (self.old, self.new);
        if of.name != nf.name {
            self.push(
                "FIELD_SAME_NAME",
                path.to_owned(),
                format!("renamed from {}", of.name),
                (Breaking, Breaking),
                "the wire keeps the number, but JSON writes the name: JSON readers of either version miss the other's field".to_owned(),
            );
        }
        let (oj, nj) = (old_side.json_name(of), new_side.json_name(nf));
        if oj != nj {
            self.push(
                "FIELD_SAME_JSON_NAME",
                path.to_owned(),
                format!("JSON name {oj} → {nj}"),
                (Breaking, Breaking),
                "JSON readers of either version look for the other's key".to_owned(),
            );
        }
        if of.oneof != nf.oneof {
            let side =
                |o: Option<&str>| o.map_or_else(|| "no oneof".to_owned(), |o| format!("oneof {o}"));
            self.push(
                "FIELD_SAME_ONEOF",
                path.to_owned(),
                format!("{} → {}", side(of.oneof), side(nf.oneof)),
                (Breaking, Breaking),
                "setting a oneof member clears its siblings: data that set several fields, or one in another oneof, reads differently".to_owned(),
            );
        }
        if old_side.repeated(of.id) != new_side.repeated(nf.id) {
            let card = |r: bool| if r { "repeated" } else { "singular" };
            self.push(
                "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
                path.to_owned(),
                format!(
                    "{} → {}",
                    card(old_side.repeated(of.id)),
                    card(new_side.repeated(nf.id))
                ),
                (Breaking, Breaking),
                "a singular reader keeps only the last of a repeated writer's values, and JSON writes a list where it expects one value".to_owned(),
            );
        }
        let (ot, nt) = (old_side.field_type(of.id), new_side.field_type(nf.id));
        if !json_compatible(&ot, &nt) {
            let wire = if wire_compatible(&ot, &nt) {
                "the wire reads it on, but JSON writes the two differently"
            } else {
                "the wire encodes the two differently"
            };
            self.push(
                "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
                path.to_owned(),
                format!("type {ot} → {nt}"),
                (Breaking, Breaking),
                wire.to_owned(),
            );
        } else if ot != nt {
            self.push(
                "field-type-changed",
                path.to_owned(),
                format!("type {ot} → {nt}"),
                (Dangerous, Dangerous),
                "the same bytes and the same JSON, read with another sign or width".to_owned(),
            );
        }
        let (od, nd) = (
            old_side.constraint(of.id, "default"),
            new_side.constraint(nf.id, "default"),
        );
        if od != nd && od.is_some() {
            self.push(
                "FIELD_SAME_DEFAULT",
                path.to_owned(),
                format!("default {} → {}", od.unwrap_or("none"), nd.unwrap_or("none")),
                (Breaking, Breaking),
                "a reader of either version fills an unset field with its own default: the two disagree on the value".to_owned(),
            );
        }
    }

    /// proto2 required fields added or removed.
    fn required(&mut self, message: &str, new_id: &str) {
        let none = BTreeSet::new();
        let old = self.old.schema.required().get(message).unwrap_or(&none);
        let new = self.new.schema.required().get(new_id).unwrap_or(&none);
        for name in new.difference(old) {
            self.push(
                "MESSAGE_SAME_REQUIRED_FIELDS",
                format!("message {message} field {name}"),
                "made required".to_owned(),
                (Breaking, Compatible),
                "old data may lack it, and a reader refuses a message without a required field"
                    .to_owned(),
            );
        }
        for name in old.difference(new) {
            self.push(
                "MESSAGE_SAME_REQUIRED_FIELDS",
                format!("message {message} field {name}"),
                "no longer required".to_owned(),
                (Compatible, Breaking),
                "new data may lack it, and old readers refuse a message without it".to_owned(),
            );
        }
    }

    fn enums(&mut self) {
        let (old_side, new_side) = (self.old, self.new);
        let (old, new) = (old_side.of_kind("enum"), new_side.of_kind("enum"));
        for (key, &enumeration) in &old {
            if !self.found.enter(unit("enum", key)) {
                continue;
            }
            let Some(&new_id) = new.get(key) else {
                continue;
            };
            let (ov, nv) = (old_side.values(enumeration), new_side.values(new_id));
            let reserved = new_side.reserved(new_id);
            let path = |name: &str, n: i64| format!("enum {enumeration} value {name} ({n})");
            for (&number, &name) in &ov {
                match nv.get(&number) {
                    None => {
                        if !reserved.number(number) {
                            self.push(
                                "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
                                path(name, number),
                                "value deleted, number not reserved".to_owned(),
                                (Breaking, Compatible),
                                format!("old data may hold {number}, which new readers no longer know; and a later value given that number would mean something else to old readers"),
                            );
                        }
                        if !reserved.names.contains(name) {
                            self.push(
                                "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
                                path(name, number),
                                "value deleted, name not reserved".to_owned(),
                                (Breaking, Compatible),
                                format!("JSON writes enum values by name: old JSON data holding {name:?} no longer parses"),
                            );
                        }
                    }
                    Some(&new_name) if new_name != name => self.push(
                        "ENUM_VALUE_SAME_NAME",
                        path(new_name, number),
                        format!("renamed from {name}"),
                        (Breaking, Breaking),
                        "the wire keeps the number, but JSON writes the name".to_owned(),
                    ),
                    Some(_) => {}
                }
            }
            for (&number, &name) in nv.iter().filter(|(n, _)| !ov.contains_key(n)) {
                self.push(
                    "enum-value-added",
                    path(name, number),
                    "value added".to_owned(),
                    (Compatible, Dangerous),
                    "old readers meet a value they do not know (kept as a number in proto3, an unknown field in proto2)".to_owned(),
                );
            }
            let dropped = old_side.reserved(enumeration).dropped(&reserved);
            if !dropped.is_empty() {
                self.push(
                    "RESERVED_ENUM_NO_DELETE",
                    format!("enum {enumeration}"),
                    format!("reservation removed: {}", dropped.join(", ")),
                    (Compatible, Breaking),
                    "a number or name freed again may be given to a new value that old readers would read as the old one".to_owned(),
                );
            }
        }
    }

    fn services(&mut self) {
        let (old_side, new_side) = (self.old, self.new);
        let (old, new) = (old_side.of_kind("service"), new_side.of_kind("service"));
        for (key, &service) in &old {
            if !self.found.enter(unit("service", key)) {
                continue;
            }
            let Some(&new_id) = new.get(key) else {
                self.push(
                    "SERVICE_NO_DELETE",
                    format!("service {service}"),
                    "service deleted".to_owned(),
                    (Breaking, Compatible),
                    "clients built on the old version still call it".to_owned(),
                );
                continue;
            };
            let rpcs = |side: &Side<'_>, id: &str| -> BTreeMap<String, String> {
                side.edges(id, "rpc")
                    .filter_map(|e| Some((e.name.clone()?, e.tgt.clone())))
                    .collect()
            };
            let (or, nr) = (rpcs(old_side, service), rpcs(new_side, new_id));
            for (name, o) in &or {
                let path = format!("service {service} rpc {name}");
                let Some(n) = nr.get(name) else {
                    self.push(
                        "RPC_NO_DELETE",
                        path,
                        "rpc deleted".to_owned(),
                        (Breaking, Compatible),
                        "clients built on the old version still call it".to_owned(),
                    );
                    continue;
                };
                for (edge, rule, what) in [
                    ("input", "RPC_SAME_REQUEST_TYPE", "request"),
                    ("output", "RPC_SAME_RESPONSE_TYPE", "response"),
                ] {
                    let (a, b) = (
                        old_side.target(o, edge).map(|t| old_side.key(t)),
                        new_side.target(n, edge).map(|t| new_side.key(t)),
                    );
                    if a != b {
                        self.push(
                            rule,
                            path.clone(),
                            format!("{what} type {} → {}", a.unwrap_or("?"), b.unwrap_or("?")),
                            (Breaking, Breaking),
                            format!("the two sides encode the {what} as different messages"),
                        );
                    }
                }
                for (sort, rule, what) in [
                    (
                        "client-streaming",
                        "RPC_SAME_CLIENT_STREAMING",
                        "client streaming",
                    ),
                    (
                        "server-streaming",
                        "RPC_SAME_SERVER_STREAMING",
                        "server streaming",
                    ),
                ] {
                    let (a, b) = (old_side.constraint(o, sort), new_side.constraint(n, sort));
                    if a != b {
                        self.push(
                            rule,
                            path.clone(),
                            format!("{what} {} → {}", a.is_some(), b.is_some()),
                            (Breaking, Breaking),
                            "a streaming call and a unary one are different calls".to_owned(),
                        );
                    }
                }
                let (a, b) = (
                    old_side.option(o, "idempotency_level"),
                    new_side.option(n, "idempotency_level"),
                );
                if a != b {
                    self.push(
                        "RPC_SAME_IDEMPOTENCY_LEVEL",
                        path.clone(),
                        format!(
                            "idempotency level {} → {}",
                            a.as_deref().unwrap_or("unset"),
                            b.as_deref().unwrap_or("unset")
                        ),
                        (Breaking, Breaking),
                        "clients choose the HTTP method (GET for NO_SIDE_EFFECTS) by it".to_owned(),
                    );
                }
            }
        }
    }
}
