//! Writing a schema of protocol `sql` back as DDL (see the module doc).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::SqlDialect;
use super::model::{Check, DATABASE, ForeignKey, Key};
use crate::formats::FormatError;
use crate::model::Schema;

fn unemittable(element: &str, reason: impl Into<String>) -> FormatError {
    FormatError::Unemittable {
        format: "sql".to_owned(),
        element: element.to_owned(),
        reason: reason.into(),
    }
}

/// The constraints of a vertex.
struct Facts<'s>(Option<&'s BTreeMap<String, String>>);

impl<'s> Facts<'s> {
    fn get(&self, sort: &str) -> Option<&'s str> {
        self.0.and_then(|m| m.get(sort)).map(String::as_str)
    }

    fn flag(&self, sort: &str) -> bool {
        self.get(sort) == Some("true")
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        sort: &str,
        element: &str,
    ) -> Result<Option<T>, FormatError> {
        self.get(sort)
            .map(|v| {
                serde_json::from_str(v).map_err(|e| {
                    unemittable(
                        element,
                        format!("its {sort} is not the JSON the format writes: {e}"),
                    )
                })
            })
            .transpose()
    }
}

/// Words that cannot be names unquoted in one of the dialects.
const RESERVED: &[&str] = &[
    "ALL",
    "ALTER",
    "ANALYSE",
    "ANALYZE",
    "AND",
    "ANY",
    "ARRAY",
    "AS",
    "ASC",
    "BETWEEN",
    "BOTH",
    "BY",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "DEFAULT",
    "DEFERRABLE",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "FALSE",
    "FETCH",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GRANT",
    "GROUP",
    "HAVING",
    "IN",
    "INDEX",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "LEADING",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "NATURAL",
    "NOT",
    "NULL",
    "OFFSET",
    "ON",
    "ONLY",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PRIMARY",
    "RANGE",
    "REFERENCES",
    "RETURNING",
    "RIGHT",
    "ROWS",
    "SELECT",
    "SET",
    "SOME",
    "TABLE",
    "THEN",
    "TO",
    "TRAILING",
    "TRIGGER",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USER",
    "USING",
    "VALUES",
    "VIEW",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
];

/// A name as the dialect reads it back to the same text.
fn quote(name: &str, dialect: SqlDialect) -> String {
    let plain = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !(dialect == SqlDialect::PostgreSql && name.bytes().any(|b| b.is_ascii_uppercase()))
        && !RESERVED.contains(&name.to_ascii_uppercase().as_str());
    if plain {
        return name.to_owned();
    }
    let q = if dialect == SqlDialect::MySql {
        '`'
    } else {
        '"'
    };
    let mut out = String::with_capacity(name.len() + 2);
    out.push(q);
    for ch in name.chars() {
        if ch == q {
            out.push(q);
        }
        out.push(ch);
    }
    out.push(q);
    out
}

/// A dotted name, each part quoted as needed.
fn qualified(name: &str, dialect: SqlDialect) -> String {
    name.split('.')
        .map(|p| quote(p, dialect))
        .collect::<Vec<_>>()
        .join(".")
}

fn list(names: &[String], dialect: SqlDialect) -> String {
    names
        .iter()
        .map(|n| quote(n, dialect))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Index entries are expressions (`lower(x)`, `a DESC`) or plain names.
fn index_list(items: &[String], dialect: SqlDialect) -> String {
    items
        .iter()
        .map(|n| {
            if n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
            {
                quote(n, dialect)
            } else {
                n.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The DDL of a schema.
pub(super) fn emit(schema: &Schema, dialect: Option<SqlDialect>) -> Result<String, FormatError> {
    let facts = |id: &str| Facts(schema.constraints().get(id));
    let db = facts(DATABASE);
    let recorded = db.get("dialect").and_then(SqlDialect::from_name);
    let d = dialect.or(recorded).unwrap_or(SqlDialect::Generic);
    let order: Vec<String> = match db.json("order", DATABASE)? {
        Some(o) => o,
        None => {
            // A schema built by hand: its tables, views... in id order.
            schema
                .vertices()
                .values()
                .filter(|v| {
                    matches!(
                        v.kind.as_str(),
                        "table" | "view" | "enum" | "sequence" | "statement"
                    )
                })
                .map(|v| v.id.clone())
                .collect()
        }
    };
    let mut out = format!("-- dialect: {}\n\n", d.name());
    if d == SqlDialect::PostgreSql {
        // As pg_dump: kept function bodies may name what comes later.
        out.push_str("SET check_function_bodies = false;\n\n");
    }
    let mut later = String::new();
    let mut listed = std::collections::HashSet::new();
    for id in &order {
        listed.insert(id.as_str());
        let Some(v) = schema.vertices().get(id) else {
            return Err(unemittable(
                DATABASE,
                format!("its order names {id:?}, which is no vertex"),
            ));
        };
        let f = facts(id);
        match v.kind.as_str() {
            "table" => table(schema, id, d, &mut out, &mut later)?,
            "view" | "sequence" | "statement" => {
                let text = f
                    .get("definition")
                    .ok_or_else(|| unemittable(id, format!("a {} needs its definition", v.kind)))?;
                out.push_str(text);
                out.push_str(
                    if d == SqlDialect::MySql && text.contains(';') && v.kind == "statement" {
                        "\n"
                    } else {
                        ";\n\n"
                    },
                );
                if d == SqlDialect::MySql && text.contains(';') && v.kind == "statement" {
                    // A body of several statements: MySQL's client needs another delimiter.
                    let body = out.split_off(out.len() - text.len() - 1);
                    let _ = write!(out, "DELIMITER $$\n{}$$\nDELIMITER ;\n\n", body.trim_end());
                }
            }
            "enum" => {
                let labels: Vec<String> = f.json("enum", id)?.unwrap_or_default();
                let labels: Vec<String> = labels
                    .iter()
                    .map(|l| format!("'{}'", l.replace('\'', "''")))
                    .collect();
                let _ = writeln!(
                    out,
                    "CREATE TYPE {} AS ENUM ({});\n",
                    qualified(id, d),
                    labels.join(", ")
                );
            }
            other => {
                return Err(unemittable(
                    id,
                    format!("a {other} is not a top-level object"),
                ));
            }
        }
    }
    for v in schema.vertices().values() {
        if matches!(
            v.kind.as_str(),
            "table" | "view" | "enum" | "sequence" | "statement"
        ) && !listed.contains(v.id.as_str())
        {
            return Err(unemittable(&v.id, "it is not in the database's order"));
        }
    }
    out.push_str(&later);
    Ok(out)
}

/// A table, its indexes; its foreign keys inline (SQLite) or into `later`.
fn table(
    schema: &Schema,
    id: &str,
    d: SqlDialect,
    out: &mut String,
    later: &mut String,
) -> Result<(), FormatError> {
    let facts = |id: &str| Facts(schema.constraints().get(id));
    let f = facts(id);
    // Columns: by `column-order`, else by edge name.
    let mut by_name: BTreeMap<&str, &str> = BTreeMap::new();
    let mut indexes: BTreeMap<&str, &str> = BTreeMap::new();
    for e in schema.edges().range(..) {
        if e.src != id {
            continue;
        }
        match (e.kind.as_str(), &e.name) {
            ("column", Some(n)) => {
                by_name.insert(n, &e.tgt);
            }
            ("index", Some(n)) => {
                indexes.insert(n, &e.tgt);
            }
            _ => {}
        }
    }
    let order: Vec<String> = match f.json::<Vec<String>>("column-order", id)? {
        Some(o) => o,
        None => by_name.keys().map(|k| (*k).to_owned()).collect(),
    };
    if order.len() != by_name.len() {
        return Err(unemittable(
            id,
            "its column-order does not list its columns",
        ));
    }
    let pk: Option<Vec<String>> = f.json("primary-key", id)?;
    let pk_name = f.get("primary-key-name");
    let uniques: Vec<Key> = f.json("unique", id)?.unwrap_or_default();
    let checks: Vec<Check> = f.json("check", id)?.unwrap_or_default();
    let fks: Vec<ForeignKey> = f.json("foreign-keys", id)?.unwrap_or_default();
    let mut lines: Vec<String> = Vec::new();
    let mut inline_pk = false;
    for name in &order {
        let Some(cid) = by_name.get(name.as_str()) else {
            return Err(unemittable(
                id,
                format!("its column-order names {name:?}, which is no column"),
            ));
        };
        let c = facts(cid);
        let kind = schema.vertices().get(*cid).map_or("", |v| v.kind.as_str());
        let ty = match c.get("type") {
            Some(t) => t.to_owned(),
            None => match (
                kind,
                c.get("max-length"),
                c.get("precision"),
                c.get("scale"),
            ) {
                ("ref", ..) => schema
                    .edges()
                    .iter()
                    .find(|e| e.src == **cid && e.kind == "type")
                    .map(|e| qualified(&e.tgt, d))
                    .ok_or_else(|| unemittable(cid, "a ref column needs a type edge"))?,
                ("other", ..) => {
                    return Err(unemittable(cid, "a column of kind other needs its type"));
                }
                ("varchar" | "char", Some(n), ..) => format!("{}({n})", kind.to_ascii_uppercase()),
                ("numeric", _, Some(p), Some(s)) => format!("NUMERIC({p},{s})"),
                ("numeric", _, Some(p), None) => format!("NUMERIC({p})"),
                ("double", ..) => "DOUBLE PRECISION".to_owned(),
                ("blob", ..) if d == SqlDialect::PostgreSql => "BYTEA".to_owned(),
                (k, ..) => k.to_ascii_uppercase(),
            },
        };
        let mut line = format!("{} {ty}", quote(name, d));
        if c.flag("not-null") {
            line.push_str(" NOT NULL");
        }
        if let Some(x) = c.get("default") {
            let _ = write!(line, " DEFAULT {x}");
        }
        let auto = c.flag("auto-increment");
        if auto {
            match d {
                SqlDialect::Sqlite => {
                    if pk.as_deref() == Some(std::slice::from_ref(name)) && pk_name.is_none() {
                        line.push_str(" PRIMARY KEY AUTOINCREMENT");
                        inline_pk = true;
                    } else {
                        return Err(unemittable(
                            cid,
                            "SQLite has AUTOINCREMENT only on a column that is the primary key alone",
                        ));
                    }
                }
                SqlDialect::PostgreSql => {
                    return Err(unemittable(
                        cid,
                        "PostgreSQL has no AUTO_INCREMENT: use a sequence default or an identity column",
                    ));
                }
                _ => line.push_str(" AUTO_INCREMENT"),
            }
        }
        if c.flag("unique") {
            line.push_str(" UNIQUE");
        }
        if let Some(x) = c.get("check") {
            let _ = write!(line, " CHECK ({x})");
        }
        if let Some(x) = c.get("column-options") {
            let _ = write!(line, " {x}");
        }
        lines.push(line);
    }
    if let Some(pk) = &pk {
        if !inline_pk {
            let mut line = String::new();
            if let Some(n) = pk_name {
                let _ = write!(line, "CONSTRAINT {} ", quote(n, d));
            }
            let _ = write!(line, "PRIMARY KEY ({})", list(pk, d));
            lines.push(line);
        }
    }
    for k in &uniques {
        let mut line = String::new();
        if let Some(n) = &k.name {
            let _ = write!(line, "CONSTRAINT {} ", quote(n, d));
        }
        let _ = write!(line, "UNIQUE ({})", list(&k.columns, d));
        lines.push(line);
    }
    for k in &checks {
        let mut line = String::new();
        if let Some(n) = &k.name {
            let _ = write!(line, "CONSTRAINT {} ", quote(n, d));
        }
        let _ = write!(line, "CHECK ({})", k.expr);
        lines.push(line);
    }
    let table_name = qualified(id, d);
    for fk in &fks {
        if schema
            .vertices()
            .get(&fk.table)
            .is_none_or(|v| v.kind != "table")
        {
            return Err(unemittable(
                id,
                format!("a foreign key names {:?}, which is no table", fk.table),
            ));
        }
        let mut text = String::new();
        if let Some(n) = &fk.name {
            let _ = write!(text, "CONSTRAINT {} ", quote(n, d));
        }
        let _ = write!(
            text,
            "FOREIGN KEY ({}) REFERENCES {}",
            list(&fk.columns, d),
            qualified(&fk.table, d)
        );
        if !fk.ref_columns.is_empty() {
            let _ = write!(text, " ({})", list(&fk.ref_columns, d));
        }
        if let Some(a) = &fk.on_delete {
            let _ = write!(text, " ON DELETE {a}");
        }
        if let Some(a) = &fk.on_update {
            let _ = write!(text, " ON UPDATE {a}");
        }
        if let Some(x) = &fk.extra {
            let _ = write!(text, " {x}");
        }
        if d == SqlDialect::Sqlite {
            lines.push(text);
        } else {
            let _ = writeln!(later, "ALTER TABLE {table_name} ADD {text};\n");
        }
    }
    let kind = f
        .get("table-kind")
        .map(|k| format!("{k} "))
        .unwrap_or_default();
    let _ = write!(
        out,
        "CREATE {kind}TABLE {table_name} (\n  {}\n)",
        lines.join(",\n  ")
    );
    if let Some(o) = f.get("table-options") {
        let _ = write!(out, " {o}");
    }
    out.push_str(";\n\n");
    for (name, xid) in indexes {
        let x = facts(xid);
        let columns: Vec<String> = x.json("columns", xid)?.unwrap_or_default();
        let unique = if x.flag("unique") { "UNIQUE " } else { "" };
        let using = x.get("using");
        match using {
            Some(u @ ("FULLTEXT" | "SPATIAL")) => {
                let _ = write!(
                    out,
                    "ALTER TABLE {table_name} ADD {u} INDEX {} ({})",
                    quote(name, d),
                    index_list(&columns, d)
                );
            }
            Some(u) if d != SqlDialect::MySql => {
                let _ = write!(
                    out,
                    "CREATE {unique}INDEX {} ON {table_name} USING {u} ({})",
                    quote(name, d),
                    index_list(&columns, d)
                );
            }
            _ => {
                let _ = write!(
                    out,
                    "CREATE {unique}INDEX {} ON {table_name} ({})",
                    quote(name, d),
                    index_list(&columns, d)
                );
                if let Some(u) = using {
                    let _ = write!(out, " USING {u}");
                }
            }
        }
        if let Some(inc) = x.json::<Vec<String>>("include", xid)? {
            let _ = write!(out, " INCLUDE ({})", list(&inc, d));
        }
        if let Some(p) = x.get("where") {
            let _ = write!(out, " WHERE {p}");
        }
        out.push_str(";\n\n");
    }
    Ok(())
}
