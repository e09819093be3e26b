//! SQL's compatibility rules: a table read as a record type, a row as a
//! record, and an application's queries as its readers.
//!
//! Backward asks whether readers of the new version read data written
//! with the old: whether every row the old schema admits (what old
//! writers insert, what the table holds when the migration runs) is a row
//! of the new schema that the new application's queries read. Forward
//! asks the reverse: whether rows the new schema admits, written by the
//! new application, are rows the old schema admits, read by the old
//! application's queries (an old deployment still running, or a rollback).
//! A row is read as Avro resolves a record: a reader's column the row
//! lacks is filled by its default or NULL, and a column the reader does
//! not know is skipped; the values must fit the reader's types and
//! constraints.
//!
//! So:
//!
//! - a **table or column dropped** is compatible backward (new queries do
//!   not name it) and breaks forward: old queries select it, and fail;
//! - a **column added** is compatible both ways if old rows can be filled
//!   (nullable, a default, auto-increment, identity or generated), and
//!   otherwise (`NOT NULL`, no default) breaks backward: old writers'
//!   inserts lack it, and the migration cannot fill the rows there are;
//! - what **narrows** the rows admitted (`NOT NULL` added, a type
//!   narrowed, a new `UNIQUE`, `CHECK`, primary or foreign key, an enum
//!   label removed) breaks backward, as old rows may not fit, and is
//!   compatible forward; what **widens** them (the reverse of each)
//!   breaks forward: new rows may hold a NULL, a wider value, a duplicate,
//!   a dangling reference or a label the old schema refuses and old
//!   readers do not expect;
//! - a primary key moved to other columns breaks both ways (rows are
//!   identified differently); a changed default, a foreign key's changed
//!   `ON DELETE` / `ON UPDATE` and a view's changed query are dangerous:
//!   nothing fails, but what rows hold or readers see changes; a default
//!   removed is dangerous backward where old writers' omitted values
//!   become NULL, and breaks it where the column is `NOT NULL`.
//!
//! Types are judged by the values they hold: `smallint` < `integer` <
//! `bigint` (and integers within `double`, `real` and wide enough
//! `numeric`), `real` < `double`, `numeric(p, s)` by its integer digits and
//! scale, strings by their length (`char(n)`, `varchar(n)`, unbounded
//! `text` and `varchar`); any other type by its declared text. Indexes
//! that are not unique, table options and comments are not judged.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::evolution::{CompatReport, Finding, Level};
use crate::formats::View;
use crate::model::Schema;

use Level::{Breaking, Compatible, Dangerous};

/// Judges `old` → `new`, two schemas of the `sql` protocol.
pub(in crate::formats) fn compare(old: &Schema, new: &Schema) -> CompatReport {
    let (old, new) = (View::of(old), View::of(new));
    let mut judge = Judge {
        old: &old,
        new: &new,
        findings: Vec::new(),
    };
    judge.relations();
    judge.enums();
    CompatReport {
        rules: "sql".to_owned(),
        findings: judge.findings,
    }
}

struct Judge<'j, 's> {
    old: &'j View<'s>,
    new: &'j View<'s>,
    findings: Vec<Finding>,
}

/// The values a column's type holds, as far as the rules compare them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Domain {
    /// A signed integer of this many bits.
    Int(u32),
    /// A binary float of this many bits.
    Float(u32),
    /// A decimal: integer digits and scale (`None`: unbounded).
    Decimal(Option<(u64, u64)>),
    /// A string of at most this many characters (`None`: unbounded).
    Str(Option<u64>),
    /// Any other type: its kind and declared text, compared as they are.
    Other(String),
}

impl Domain {
    fn of(v: &View<'_>, id: &str) -> Self {
        let num = |sort: &str| v.constraint(id, sort).and_then(|t| t.parse::<u64>().ok());
        match v.kind(id) {
            "smallint" => Self::Int(16),
            "integer" => Self::Int(32),
            "bigint" => Self::Int(64),
            "real" => Self::Float(32),
            "double" => Self::Float(64),
            "numeric" => Self::Decimal(num("precision").map(|p| {
                let s = num("scale").unwrap_or(0);
                (p.saturating_sub(s), s)
            })),
            "varchar" | "text" => Self::Str(num("max-length")),
            // CHAR without a length is CHAR(1).
            "char" => Self::Str(Some(num("max-length").unwrap_or(1))),
            kind => {
                let text = v.constraint(id, "type").unwrap_or("");
                let text: Vec<String> = text
                    .split_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect();
                Self::Other(format!("{kind} {}", text.join(" ")))
            }
        }
    }

    /// Whether every value of `self` is a value of `wide`.
    fn within(&self, wide: &Self) -> bool {
        // Decimal digits of the largest integer of each width.
        let digits = |bits: u32| match bits {
            16 => 5,
            32 => 10,
            _ => 19,
        };
        match (self, wide) {
            (Self::Int(a), Self::Int(b)) | (Self::Float(a), Self::Float(b)) => a <= b,
            // A float's mantissa holds integers of half its width exactly.
            (Self::Int(a), Self::Float(b)) => a * 2 <= *b,
            (Self::Int(_), Self::Decimal(None)) => true,
            (Self::Int(a), Self::Decimal(Some((d, _)))) => digits(*a) <= *d,
            (Self::Decimal(_), Self::Decimal(None)) | (Self::Str(_), Self::Str(None)) => true,
            (Self::Decimal(Some((d, s))), Self::Decimal(Some((e, t)))) => d <= e && s <= t,
            (Self::Str(Some(a)), Self::Str(Some(b))) => a <= b,
            (Self::Other(a), Self::Other(b)) => a == b,
            _ => false,
        }
    }
}

/// A foreign key as the rules match it: (columns, table, referenced columns).
type ForeignKey = (Vec<String>, String, Vec<String>);

/// A table's facts the rules compare, read from one version.
struct Table<'s> {
    columns: BTreeMap<&'s str, &'s str>,
    primary_key: Option<Vec<String>>,
    /// Each set of columns the table keeps unique (the primary key apart).
    uniques: BTreeSet<Vec<String>>,
    /// `CHECK`s: the column (`""` for the table's) and the expression.
    checks: BTreeSet<(String, String)>,
    /// Foreign keys: (columns, table, referenced columns) → the actions.
    foreign_keys: BTreeMap<ForeignKey, (Value, Value)>,
}

impl<'s> Table<'s> {
    fn of(v: &View<'s>, id: &str) -> Self {
        let columns: BTreeMap<&str, &str> = v
            .edges(id, "column")
            .filter_map(|e| Some((e.name.as_deref()?, e.tgt.as_str())))
            .collect();
        let json = |sort: &str| -> Value {
            v.constraint(id, sort)
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or(Value::Null)
        };
        let names = |value: &Value| -> Vec<String> {
            let mut list: Vec<String> = value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect();
            list.sort();
            list
        };
        let primary_key = v
            .constraint(id, "primary-key")
            .map(|_| names(&json("primary-key")));
        let mut uniques: BTreeSet<Vec<String>> = json("unique")
            .as_array()
            .into_iter()
            .flatten()
            .map(|k| names(&k["columns"]))
            .collect();
        let mut checks: BTreeSet<(String, String)> = json("check")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((String::new(), normal(c["expr"].as_str()?))))
            .collect();
        for (name, col) in &columns {
            if v.constraint(col, "unique") == Some("true") {
                uniques.insert(vec![(*name).to_owned()]);
            }
            if let Some(expr) = v.constraint(col, "check") {
                checks.insert(((*name).to_owned(), normal(expr)));
            }
        }
        for index in v.edges(id, "index").map(|e| e.tgt.as_str()) {
            if v.constraint(index, "unique") == Some("true")
                && v.constraint(index, "where").is_none()
            {
                let columns = v
                    .constraint(index, "columns")
                    .and_then(|t| serde_json::from_str(t).ok());
                uniques.insert(names(&columns.unwrap_or(Value::Null)));
            }
        }
        let foreign_keys = json("foreign-keys")
            .as_array()
            .into_iter()
            .flatten()
            .map(|fk| {
                let key = (
                    names(&fk["columns"]),
                    fk["table"].as_str().unwrap_or("").to_owned(),
                    names(&fk["ref_columns"]),
                );
                (key, (fk["on_delete"].clone(), fk["on_update"].clone()))
            })
            .collect();
        Self {
            columns,
            primary_key,
            uniques,
            checks,
            foreign_keys,
        }
    }

    /// Whether the table keeps `columns` unique: a unique set (or the
    /// primary key) within them.
    fn keeps_unique(&self, columns: &[String]) -> bool {
        self.uniques
            .iter()
            .chain(&self.primary_key)
            .any(|k| !k.is_empty() && k.iter().all(|c| columns.contains(c)))
    }

    fn in_primary_key(&self, column: &str) -> bool {
        self.primary_key
            .as_ref()
            .is_some_and(|k| k.iter().any(|c| c == column))
    }
}

/// A SQL expression compared without its spacing or letter case.
fn normal(expr: &str) -> String {
    expr.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// Whether the database fills column `id` when an insert omits it.
fn filled(v: &View<'_>, id: &str) -> bool {
    let upper = |sort: &str| v.constraint(id, sort).unwrap_or("").to_ascii_uppercase();
    v.constraint(id, "default").is_some()
        || v.constraint(id, "auto-increment") == Some("true")
        || upper("type").contains("SERIAL")
        || ["GENERATED", "IDENTITY"]
            .iter()
            .any(|w| upper("column-options").contains(w))
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

    /// Tables and views, by name.
    fn relations(&mut self) {
        let of_kind = |v: &View<'s>, kind: &str| -> BTreeSet<&'s str> {
            v.schema
                .vertices()
                .values()
                .filter(|x| x.kind == kind)
                .map(|x| x.id.as_str())
                .collect()
        };
        let (old_tables, new_tables) = (of_kind(self.old, "table"), of_kind(self.new, "table"));
        for &t in &old_tables {
            if new_tables.contains(t) {
                self.table(t);
            } else {
                self.push(
                    "TABLE_DROPPED",
                    format!("table {t}"),
                    "table dropped".to_owned(),
                    (Compatible, Breaking),
                    "new queries do not read it; old queries select from it, and fail",
                );
            }
        }
        for t in new_tables.difference(&old_tables) {
            self.push(
                "TABLE_ADDED",
                format!("table {t}"),
                "table added".to_owned(),
                (Compatible, Compatible),
                "it starts empty, and old queries do not name it",
            );
        }
        let (old_views, new_views) = (of_kind(self.old, "view"), of_kind(self.new, "view"));
        for &view in &old_views {
            if !new_views.contains(view) {
                self.push(
                    "VIEW_DROPPED",
                    format!("view {view}"),
                    "view dropped".to_owned(),
                    (Compatible, Breaking),
                    "old queries select from it, and fail",
                );
            } else if self.old.constraint(view, "definition").map(normal)
                != self.new.constraint(view, "definition").map(normal)
            {
                self.push(
                    "VIEW_CHANGED",
                    format!("view {view}"),
                    "view's query changed".to_owned(),
                    (Dangerous, Dangerous),
                    "readers of the view see what the other version's query selects",
                );
            }
        }
        for view in new_views.difference(&old_views) {
            self.push(
                "VIEW_ADDED",
                format!("view {view}"),
                "view added".to_owned(),
                (Compatible, Compatible),
                "old queries do not name it",
            );
        }
    }

    fn table(&mut self, t: &str) {
        let (a, b) = (Table::of(self.old, t), Table::of(self.new, t));
        for (&name, &oc) in &a.columns {
            let path = format!("table {t}.{name}");
            match b.columns.get(name) {
                Some(&nc) => self.column(&path, (&a, oc), (&b, nc), name),
                None => self.push(
                    "COLUMN_DROPPED",
                    path,
                    "column dropped".to_owned(),
                    (Compatible, Breaking),
                    "new queries do not read it; old queries select it, and fail",
                ),
            }
        }
        for (&name, &nc) in b
            .columns
            .iter()
            .filter(|(n, _)| !a.columns.contains_key(*n))
        {
            let path = format!("table {t}.{name}");
            let not_null =
                self.new.constraint(nc, "not-null") == Some("true") || b.in_primary_key(name);
            if not_null && !filled(self.new, nc) {
                self.push("REQUIRED_COLUMN_ADDED", path, "NOT NULL column added without a default".to_owned(), (Breaking, Compatible), "old rows and old writers' inserts lack it, and nothing fills it; old readers skip it");
            } else {
                self.push(
                    "COLUMN_ADDED",
                    path,
                    "column added".to_owned(),
                    (Compatible, Compatible),
                    "old rows are filled with its default or NULL; old readers skip it",
                );
            }
        }
        self.keys(t, &a, &b);
    }

    fn column(
        &mut self,
        path: &str,
        (a, oc): (&Table<'_>, &str),
        (b, nc): (&Table<'_>, &str),
        name: &str,
    ) {
        let not_null = |v: &View<'_>, table: &Table<'_>, id: &str| {
            v.constraint(id, "not-null") == Some("true") || table.in_primary_key(name)
        };
        match (not_null(self.old, a, oc), not_null(self.new, b, nc)) {
            (false, true) => self.push("NOT_NULL_ADDED", path.to_owned(), "made NOT NULL".to_owned(), (Breaking, Compatible), "old rows may hold NULL"),
            (true, false) => self.push("NOT_NULL_REMOVED", path.to_owned(), "made nullable".to_owned(), (Compatible, Breaking), "new rows may hold NULL, which the old schema refuses and old readers do not expect"),
            _ => {}
        }
        let (x, y) = (Domain::of(self.old, oc), Domain::of(self.new, nc));
        let text = |v: &View<'_>, id: &str| v.constraint(id, "type").unwrap_or("?").to_owned();
        let change = format!("type {} → {}", text(self.old, oc), text(self.new, nc));
        match (x.within(&y), y.within(&x)) {
            (true, true) => {}
            (true, false) => self.push(
                "COLUMN_TYPE_WIDENED",
                path.to_owned(),
                change,
                (Compatible, Breaking),
                "old values fit the new type; new values may not fit the old",
            ),
            (false, true) => self.push(
                "COLUMN_TYPE_NARROWED",
                path.to_owned(),
                change,
                (Breaking, Compatible),
                "old values may not fit the new type",
            ),
            (false, false) => self.push(
                "COLUMN_TYPE_CHANGED",
                path.to_owned(),
                change,
                (Breaking, Breaking),
                "each type holds values the other does not",
            ),
        }
        let (d, e) = (
            self.old.constraint(oc, "default"),
            self.new.constraint(nc, "default"),
        );
        match (d, e) {
            (Some(d), None) if !filled(self.new, nc) => {
                let level = if not_null(self.new, b, nc) {
                    Breaking
                } else {
                    Dangerous
                };
                self.push("DEFAULT_REMOVED", path.to_owned(), format!("default {d} removed"), (level, Compatible), "old writers' inserts that omit the column get NULL now, which a NOT NULL column refuses");
            }
            (Some(d), Some(e)) if normal(d) != normal(e) => {
                self.push(
                    "DEFAULT_CHANGED",
                    path.to_owned(),
                    format!("default {d} → {e}"),
                    (Dangerous, Compatible),
                    "old writers' inserts that omit the column get the new default",
                );
            }
            _ => {}
        }
    }

    /// Keys and constraints of a table both versions have.
    fn keys(&mut self, t: &str, a: &Table<'_>, b: &Table<'_>) {
        let path = format!("table {t}");
        let list = |k: &[String]| format!("({})", k.join(", "));
        match (&a.primary_key, &b.primary_key) {
            (None, Some(k)) => self.push("PRIMARY_KEY_ADDED", path.clone(), format!("primary key {} added", list(k)), (Breaking, Compatible), "old rows may repeat the key, or hold NULL in it"),
            (Some(k), None) => self.push("PRIMARY_KEY_REMOVED", path.clone(), format!("primary key {} removed", list(k)), (Compatible, Breaking), "new rows may repeat what old readers address rows by"),
            (Some(k), Some(l)) if k != l => self.push("PRIMARY_KEY_CHANGED", path.clone(), format!("primary key {} → {}", list(k), list(l)), (Breaking, Breaking), "rows are identified by other columns: each version's rows may repeat the other's key"),
            _ => {}
        }
        for k in b.uniques.iter().filter(|k| !a.keeps_unique(k)) {
            self.push(
                "UNIQUE_ADDED",
                path.clone(),
                format!("UNIQUE {} added", list(k)),
                (Breaking, Compatible),
                "old rows may repeat the values",
            );
        }
        for k in a.uniques.iter().filter(|k| !b.keeps_unique(k)) {
            self.push(
                "UNIQUE_REMOVED",
                path.clone(),
                format!("UNIQUE {} removed", list(k)),
                (Compatible, Breaking),
                "new rows may repeat values old readers take as unique",
            );
        }
        let on = |column: &str| {
            if column.is_empty() {
                path.clone()
            } else {
                format!("{path}.{column}")
            }
        };
        for (column, expr) in b.checks.difference(&a.checks) {
            self.push(
                "CHECK_ADDED",
                on(column),
                format!("CHECK ({expr}) added"),
                (Breaking, Compatible),
                "old rows may fail it",
            );
        }
        for (column, expr) in a.checks.difference(&b.checks) {
            self.push(
                "CHECK_REMOVED",
                on(column),
                format!("CHECK ({expr}) removed"),
                (Compatible, Breaking),
                "new rows may fail what the old schema checks",
            );
        }
        for (key, actions) in &b.foreign_keys {
            let change = format!("foreign key {} → {}{}", list(&key.0), key.1, list(&key.2));
            match a.foreign_keys.get(key) {
                None => self.push("FOREIGN_KEY_ADDED", path.clone(), format!("{change} added"), (Breaking, Compatible), "old rows may refer to rows that do not exist"),
                Some(old) if old != actions => self.push("FOREIGN_KEY_ACTION_CHANGED", path.clone(), format!("{change}: ON DELETE / ON UPDATE changed"), (Dangerous, Dangerous), "deleting or updating a referenced row does something else to the rows referring to it"),
                Some(_) => {}
            }
        }
        for key in a
            .foreign_keys
            .keys()
            .filter(|k| !b.foreign_keys.contains_key(*k))
        {
            let change = format!(
                "foreign key {} → {}{} removed",
                list(&key.0),
                key.1,
                list(&key.2)
            );
            self.push(
                "FOREIGN_KEY_REMOVED",
                path.clone(),
                change,
                (Compatible, Breaking),
                "new rows may refer to rows that do not exist, which old readers join on",
            );
        }
    }

    /// Enum types (`CREATE TYPE ... AS ENUM`), by name.
    fn enums(&mut self) {
        let labels = |v: &View<'_>, id: &str| -> BTreeSet<String> {
            v.constraint(id, "enum")
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default()
        };
        let enums: Vec<&str> = self
            .old
            .schema
            .vertices()
            .values()
            .filter(|x| x.kind == "enum")
            .map(|x| x.id.as_str())
            .collect();
        for id in enums {
            if self.new.kind(id) != "enum" {
                continue;
            }
            let (a, b) = (labels(self.old, id), labels(self.new, id));
            let join = |s: Vec<&String>| {
                s.into_iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let removed: Vec<&String> = a.difference(&b).collect();
            if !removed.is_empty() {
                self.push(
                    "ENUM_VALUE_REMOVED",
                    format!("type {id}"),
                    format!("labels removed: {}", join(removed)),
                    (Breaking, Compatible),
                    "old rows may hold a removed label",
                );
            }
            let added: Vec<&String> = b.difference(&a).collect();
            if !added.is_empty() {
                self.push(
                    "ENUM_VALUE_ADDED",
                    format!("type {id}"),
                    format!("labels added: {}", join(added)),
                    (Compatible, Breaking),
                    "new rows may hold a label the old type refuses and old readers do not know",
                );
            }
        }
    }
}
