//! The database state that statements change, and its schema: what parse
//! builds and emit reads back, so that both sides agree on one form.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::SqlDialect;
use crate::formats::FormatError;
use crate::model::protocol::Protocol;
use crate::model::{Schema, SchemaBuilder};

/// The id of the vertex holding the dialect and the order of objects.
pub(super) const DATABASE: &str = "$database";

/// A named key (primary or unique): its name if declared, its columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Key {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
}

/// A table-level CHECK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Check {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub expr: String,
}

/// A FOREIGN KEY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ForeignKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// The referenced table's id.
    pub table: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ref_columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    /// MATCH, DEFERRABLE...: verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
    /// Where it is written (file index, byte offset), for an unresolved ref.
    #[serde(skip)]
    pub at: (usize, usize),
}

/// A column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Column {
    pub name: String,
    /// The declared type, as sqlparser writes it.
    pub type_text: String,
    /// The normalised kind.
    pub kind: &'static str,
    /// The enum its type names, if any.
    pub type_ref: Option<String>,
    pub not_null: bool,
    pub default: Option<String>,
    pub unique: bool,
    pub check: Option<String>,
    pub auto_increment: bool,
    /// Other options, verbatim.
    pub options: Option<String>,
}

/// An index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Index {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
    pub using: Option<String>,
    pub predicate: Option<String>,
    pub include: Vec<String>,
}

/// A table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Option<Key>,
    pub uniques: Vec<Key>,
    pub checks: Vec<Check>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<Index>,
    pub options: Option<String>,
    pub table_kind: Option<String>,
}

impl Table {
    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .or_else(|| {
                self.columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(name))
            })
    }
}

/// A top-level object, in creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Object {
    Table(Table),
    /// A view, and its `CREATE VIEW` text.
    View(String, String),
    /// An enum type and its labels.
    Enum(String, Vec<String>),
    /// A sequence and its `CREATE SEQUENCE` text.
    Sequence(String, String),
    /// A statement kept verbatim.
    Statement(String),
}

/// The database: its objects in creation order.
#[derive(Debug, Clone)]
pub(super) struct Database {
    pub dialect: SqlDialect,
    pub objects: Vec<Object>,
}

/// The JSON text of a value (of strings and vectors, which cannot fail).
pub(super) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The length, precision and scale a type's arguments give: `VARCHAR(255)`,
/// `NUMERIC(10,2)`.
fn type_args(type_text: &str) -> (Option<&str>, Option<&str>) {
    let Some(open) = type_text.find('(') else {
        return (None, None);
    };
    let Some(close) = type_text[open..].find(')') else {
        return (None, None);
    };
    let inner = &type_text[open + 1..open + close];
    let mut parts = inner.split(',').map(str::trim);
    let first = parts.next().filter(|p| p.parse::<u64>().is_ok());
    let second = parts.next().filter(|p| p.parse::<i64>().is_ok());
    (first, second)
}

impl Database {
    /// The schema of this state.
    pub(super) fn to_schema(&self, protocol: Arc<Protocol>) -> Result<Schema, FormatError> {
        let mut b = Schema::builder(protocol)
            .vertex(DATABASE, "database", None)
            .constraint(DATABASE, "dialect", self.dialect.name());
        let mut order = Vec::with_capacity(self.objects.len());
        let mut statements = 0usize;
        for object in &self.objects {
            match object {
                Object::Table(t) => {
                    order.push(t.name.clone());
                    b = table(b, t);
                }
                Object::View(name, text) => {
                    order.push(name.clone());
                    b = b.vertex(name.clone(), "view", None).constraint(
                        name.clone(),
                        "definition",
                        text.clone(),
                    );
                }
                Object::Enum(name, labels) => {
                    order.push(name.clone());
                    b = b.vertex(name.clone(), "enum", None).constraint(
                        name.clone(),
                        "enum",
                        json(labels),
                    );
                }
                Object::Sequence(name, text) => {
                    order.push(name.clone());
                    b = b.vertex(name.clone(), "sequence", None).constraint(
                        name.clone(),
                        "definition",
                        text.clone(),
                    );
                }
                Object::Statement(text) => {
                    statements += 1;
                    let id = format!("$statement.{statements}");
                    order.push(id.clone());
                    b = b.vertex(id.clone(), "statement", None).constraint(
                        id,
                        "definition",
                        text.clone(),
                    );
                }
            }
        }
        b = b.constraint(DATABASE, "order", json(&order));
        Ok(b.into_schema()?)
    }
}

/// Declares a table, its columns, keys and indexes.
fn table(mut b: SchemaBuilder, t: &Table) -> SchemaBuilder {
    let id = t.name.as_str();
    b = b.vertex(id, "table", None);
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    b = b.constraint(id, "column-order", json(&names));
    let mut required = Vec::new();
    for c in &t.columns {
        let cid = format!("{id}.{}", c.name);
        b = b
            .vertex(cid.clone(), c.kind, None)
            .edge(id, cid.clone(), "column", Some(c.name.clone()))
            .constraint(cid.clone(), "type", c.type_text.clone());
        if let Some(e) = &c.type_ref {
            b = b.edge(cid.clone(), e.clone(), "type", None);
        }
        let (first, second) = type_args(&c.type_text);
        match c.kind {
            "varchar" | "char" => {
                if let Some(len) = first {
                    b = b.constraint(cid.clone(), "max-length", len);
                }
            }
            "numeric" => {
                if let Some(p) = first {
                    b = b.constraint(cid.clone(), "precision", p);
                }
                if let Some(s) = second {
                    b = b.constraint(cid.clone(), "scale", s);
                }
            }
            _ => {}
        }
        if c.not_null {
            b = b.constraint(cid.clone(), "not-null", "true");
            required.push(c.name.clone());
        }
        if let Some(d) = &c.default {
            b = b.constraint(cid.clone(), "default", d.clone());
        }
        if c.unique {
            b = b.constraint(cid.clone(), "unique", "true");
        }
        if let Some(x) = &c.check {
            b = b.constraint(cid.clone(), "check", x.clone());
        }
        if c.auto_increment {
            b = b.constraint(cid.clone(), "auto-increment", "true");
        }
        if let Some(o) = &c.options {
            b = b.constraint(cid.clone(), "column-options", o.clone());
        }
    }
    if !required.is_empty() {
        b = b.required(id, required);
    }
    if let Some(pk) = &t.primary_key {
        b = b.constraint(id, "primary-key", json(&pk.columns));
        if let Some(n) = &pk.name {
            b = b.constraint(id, "primary-key-name", n.clone());
        }
    }
    if !t.uniques.is_empty() {
        b = b.constraint(id, "unique", json(&t.uniques));
    }
    if !t.checks.is_empty() {
        b = b.constraint(id, "check", json(&t.checks));
    }
    if !t.foreign_keys.is_empty() {
        b = b.constraint(id, "foreign-keys", json(&t.foreign_keys));
        let mut seen = std::collections::HashSet::new();
        for fk in &t.foreign_keys {
            for c in &fk.columns {
                if seen.insert((c.as_str(), fk.table.as_str())) {
                    b = b.edge(format!("{id}.{c}"), fk.table.clone(), "foreign-key", None);
                }
            }
        }
    }
    if let Some(o) = &t.options {
        b = b.constraint(id, "table-options", o.clone());
    }
    if let Some(k) = &t.table_kind {
        b = b.constraint(id, "table-kind", k.clone());
    }
    for ix in &t.indexes {
        let xid = format!("{id}#{}", ix.name);
        b = b
            .vertex(xid.clone(), "index", None)
            .edge(id, xid.clone(), "index", Some(ix.name.clone()))
            .constraint(xid.clone(), "columns", json(&ix.columns));
        if ix.unique {
            b = b.constraint(xid.clone(), "unique", "true");
        }
        if let Some(u) = &ix.using {
            b = b.constraint(xid.clone(), "using", u.clone());
        }
        if let Some(p) = &ix.predicate {
            b = b.constraint(xid.clone(), "where", p.clone());
        }
        if !ix.include.is_empty() {
            b = b.constraint(xid, "include", json(&ix.include));
        }
    }
    b
}
