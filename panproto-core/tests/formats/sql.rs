//! SQL DDL: the corpus round trips, the SQLite and PostgreSQL oracles,
//! the constructs the corpus lacks, and bad input.

use std::path::Path;
use std::time::Instant;

use panproto_core::formats::SqlDialect;
use panproto_core::{Format, FormatError, FormatOptions, Schema, Source};

use crate::common;

/// Corpus files the SQL format refuses, with the reason: T-SQL batches
/// (`GO`, `IF EXISTS (...) ALTER ...`) are not one of its dialects.
const REFUSED: &[(&str, &str)] = &[
    (
        "quartz_tables_sqlServer.sql",
        "T-SQL: GO batches and conditional IF EXISTS DDL",
    ),
    ("sql-server-sakila-schema.sql", "T-SQL: GO batches"),
];

/// Corpus files sqlparser 0.64 cannot read, with where and why: they are
/// refused with a located syntax error, never half read.
const UNREADABLE: &[(&str, u32, &str)] = &[
    (
        "mysql-sakila-schema.sql",
        292,
        "MySQL's column attribute VARCHAR(40) BINARY",
    ),
    (
        "postgres_pagila-schema.sql",
        453,
        "PostgreSQL 18's GENERATED ALWAYS AS (...) VIRTUAL",
    ),
    (
        "sqlite-sakila-schema.sql",
        220,
        "the type name BLOB SUB_TYPE TEXT",
    ),
];

fn source(path: &Path) -> Source {
    Source::read(path, |_| true).unwrap()
}

fn parse_text(text: &str) -> Result<Schema, FormatError> {
    Format::Sql.parse(&Source::from_text("t.sql", text), &FormatOptions::default())
}

fn constraint(s: &Schema, vertex: &str, sort: &str) -> Option<String> {
    s.constraints()
        .get(vertex)
        .and_then(|m| m.get(sort))
        .cloned()
}

#[test]
fn corpus_round_trips() {
    let mut failed = Vec::new();
    for path in common::corpus_files("sql", ".sql") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some((_, why)) = REFUSED.iter().find(|(f, _)| *f == name) {
            let err = Format::Sql
                .parse(&source(&path), &FormatOptions::default())
                .unwrap_err();
            assert!(
                matches!(err, FormatError::Unsupported { .. }),
                "{name}: {err} ({why})"
            );
            continue;
        }
        if let Some((_, line, why)) = UNREADABLE.iter().find(|(f, ..)| *f == name) {
            match Format::Sql.parse(&source(&path), &FormatOptions::default()) {
                Err(FormatError::Syntax { at, .. }) => {
                    assert_eq!((at.file.as_str(), at.line), (name.as_str(), *line), "{why}");
                }
                other => panic!("{name}: expected the syntax error of {why}, got {other:?}"),
            }
            continue;
        }
        let start = Instant::now();
        let src = source(&path);
        match std::panic::catch_unwind(|| common::round_trip(Format::Sql, &src)) {
            Ok(schema) => println!(
                "{name}: {} vertices, round trip {:?}",
                schema.vertices().len(),
                start.elapsed()
            ),
            Err(_) => failed.push(name),
        }
    }
    assert!(failed.is_empty(), "round trip failed for {failed:?}");
}

/// The tables of a schema and their columns in order (names).
fn tables(schema: &Schema) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = schema
        .vertices()
        .values()
        .filter(|v| v.kind == "table")
        .map(|v| {
            let order = constraint(schema, &v.id, "column-order").unwrap();
            (v.id.clone(), serde_json::from_str(&order).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The schema without the constraints that are written as their dialect
/// wrote them and so do not translate to another one (MySQL's `ENGINE=`,
/// `AUTO_INCREMENT`, `ON UPDATE CURRENT_TIMESTAMP`...).
fn portable(schema: &Schema) -> Schema {
    let mut data = schema.to_data();
    data.constraints
        .retain(|c| !matches!(c.sort.as_str(), "table-options" | "column-options" | "auto-increment"));
    Schema::from_data(data, schema.protocol().clone()).unwrap()
}

fn emit_in(schema: &Schema, dialect: SqlDialect) -> String {
    let mut options = FormatOptions::default();
    options.sql_dialect = Some(dialect);
    Format::Sql
        .emit(schema, &options)
        .unwrap()
        .single_text()
        .unwrap()
        .to_owned()
}

/// Corpus files SQLite itself rejects as they are, and why.
const SQLITE_REJECTS: &[(&str, &str)] = &[
    ("Chinook_MySql.sql", "MySQL: DROP DATABASE, backticks"),
    ("Chinook_PostgreSql.sql", "PostgreSQL: DROP DATABASE, \\c"),
    ("mysql-sakila-schema.sql", "MySQL: SET @var, DELIMITER, procedures"),
    ("postgres-sakila-drop-objects.sql", "drops views that do not exist yet"),
    ("postgres-sakila-schema.sql", "PostgreSQL: SET, functions, $$ bodies"),
    ("postgres_pagila-schema-jsonb.sql", "PostgreSQL: SET, ALTER ... OWNER"),
    ("postgres_pagila-schema.sql", "PostgreSQL: SET, domains, functions"),
    ("quartz_tables_h2.sql", "H2: ALTER TABLE ADD CONSTRAINT"),
    ("quartz_tables_mysql_innodb.sql", "MySQL: ENGINE=InnoDB"),
    ("quartz_tables_oracle.sql", "deletes from and drops tables that do not exist yet"),
    ("quartz_tables_postgres.sql", "COMMIT with no transaction"),
    ("quartz_tables_sqlServer.sql", "T-SQL"),
    ("sql-server-sakila-schema.sql", "T-SQL"),
];

/// Runs `sql` in a new SQLite database and compares its catalogue with
/// the schema's tables and columns (names, order, declared types, NOT NULL).
fn sqlite_check(name: &str, schema: &Schema, sql: &str) {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(sql)
        .unwrap_or_else(|e| panic!("{name}: SQLite refuses the emitted DDL: {e}\n{sql}"));
    let mut stmt = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    let mut got: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    got.sort();
    let want = tables(schema);
    assert_eq!(got, want.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(), "{name}: tables");
    for (table, columns) in &want {
        let mut info = db.prepare(&format!("PRAGMA table_info(\"{table}\")")).unwrap();
        let rows: Vec<(String, String, bool)> = info
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 1)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        assert_eq!(&names, columns, "{name}: columns of {table}");
        for (column, ty, not_null) in rows {
            let id = format!("{table}.{column}");
            assert_eq!(Some(ty.to_lowercase()), constraint(schema, &id, "type").map(|t| t.to_lowercase()), "{name}: type of {id}");
            assert_eq!(not_null, constraint(schema, &id, "not-null").is_some(), "{name}: NOT NULL of {id}");
        }
    }
}

#[test]
fn sqlite_oracle() {
    let mut checked = 0;
    for path in common::corpus_files("sql", ".sql") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let readable = !REFUSED.iter().any(|(f, _)| *f == name) && !UNREADABLE.iter().any(|(f, ..)| *f == name);
        if let Some((_, why)) = SQLITE_REJECTS.iter().find(|(f, _)| *f == name) {
            let original = std::fs::read_to_string(&path).unwrap();
            let db = rusqlite::Connection::open_in_memory().unwrap();
            assert!(db.execute_batch(&original).is_err(), "{name} is listed as rejected by SQLite ({why}), but SQLite accepts it");
            // Where the tables translate, the emitted SQLite DDL must run.
            if readable && !name.starts_with("postgres") {
                let schema = portable(&Format::Sql.parse(&source(&path), &FormatOptions::default()).unwrap());
                sqlite_check(&name, &schema, &emit_in(&schema, SqlDialect::Sqlite));
                checked += 1;
            }
            continue;
        }
        if !readable {
            // SQLite takes it, sqlparser does not (listed in UNREADABLE).
            continue;
        }
        let schema = Format::Sql.parse(&source(&path), &FormatOptions::default()).unwrap();
        let emitted = emit_in(&schema, SqlDialect::Sqlite);
        sqlite_check(&name, &schema, &emitted);
        checked += 1;
    }
    println!("SQLite ran the emitted DDL of {checked} files");
    assert!(checked >= 5);
}

/// Corpus files the PostgreSQL server rejects as they are (each run in a
/// new database), and why.
const POSTGRES_REJECTS: &[(&str, &str)] = &[
    ("Chinook_MySql.sql", "MySQL: backticks"),
    ("Chinook_Sqlite.sql", "SQLite: [bracketed] names"),
    ("mysql-sakila-schema.sql", "MySQL: SET @var, DELIMITER"),
    ("postgres-sakila-drop-objects.sql", "drops views that do not exist yet"),
    ("quartz_tables_h2.sql", "H2: type IMAGE"),
    ("quartz_tables_mysql_innodb.sql", "MySQL: # comments, ENGINE=InnoDB"),
    ("quartz_tables_oracle.sql", "deletes from tables that do not exist yet"),
    ("quartz_tables_sqlServer.sql", "T-SQL"),
    ("sql-server-sakila-schema.sql", "T-SQL"),
    ("sqlite-sakila-schema.sql", "SQLite: trigger bodies"),
];

/// The server, when `PANPROTO_TEST_POSTGRES_URL` is set.
fn postgres_url() -> Option<String> {
    match std::env::var("PANPROTO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("PANPROTO_REQUIRE_POSTGRES").is_some() => {
            panic!("PANPROTO_REQUIRE_POSTGRES is set but PANPROTO_TEST_POSTGRES_URL is not")
        }
        _ => None,
    }
}

fn psql(url: &str, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
        .args(args)
        .output()
        .map_err(|e| format!("psql cannot run: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Runs the file `sql` in a new database (schema-qualified names such as
/// `public.actor` must not reach the shared one), gives the catalogue's
/// tables and columns in order, and drops the database.
///
/// `original`: the file as the corpus has it, run as one transaction, so
/// that what it does outside the new database (`CREATE DATABASE`) is
/// refused and rolled back rather than done.
fn postgres_run(url: &str, dir: &Path, sql: &str, original: bool) -> Result<Vec<(String, Vec<String>)>, String> {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let db = format!("t_sql_{}_{n}", std::process::id());
    let (base, _) = url.rsplit_once('/').unwrap();
    let db_url = format!("{base}/{db}");
    psql(url, &["-c", &format!("CREATE DATABASE {db}")])?;
    let file = dir.join(format!("{db}.sql"));
    std::fs::write(&file, sql).unwrap();
    let mut args = vec![db_url.as_str(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file.to_str().unwrap()];
    if original {
        args.push("--single-transaction");
    }
    let result = match common::run_oracle("psql", &args, dir) {
        common::Oracle::Ran(Ok(())) => psql(
            &db_url,
            &[
                "-At",
                "-F",
                "\t",
                "-c",
                "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c \
                 JOIN information_schema.tables t USING (table_schema, table_name) \
                 WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema') \
                 ORDER BY 1, 2, c.ordinal_position",
            ],
        ),
        common::Oracle::Ran(Err(e)) => Err(e.lines().filter(|l| !l.contains("NOTICE")).collect::<Vec<_>>().join("\n")),
        common::Oracle::Missing(why) => Err(why),
    };
    let _ = std::fs::remove_file(&file);
    let _ = psql(url, &["-c", &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")]);
    let rows = result?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in rows.lines() {
        let mut parts = line.split('\t');
        let (schema, table, column) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let table = if schema == "public" { table.to_owned() } else { format!("{schema}.{table}") };
        match out.last_mut() {
            Some((t, cols)) if *t == table => cols.push(column.to_owned()),
            _ => out.push((table, vec![column.to_owned()])),
        }
    }
    out.sort();
    Ok(out)
}

#[test]
fn postgres_oracle() {
    let Some(url) = postgres_url() else {
        println!("PANPROTO_TEST_POSTGRES_URL is unset: the PostgreSQL oracle is skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("panproto-sql-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    for path in common::corpus_files("sql", ".sql") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let readable = !REFUSED.iter().any(|(f, _)| *f == name) && !UNREADABLE.iter().any(|(f, ..)| *f == name);
        let listed = POSTGRES_REJECTS.iter().find(|(f, _)| *f == name);
        if let Some((_, why)) = listed {
            let original = std::fs::read_to_string(&path).unwrap();
            assert!(
                postgres_run(&url, &dir, &original, true).is_err(),
                "{name} is listed as rejected by PostgreSQL ({why}), but the server accepts it"
            );
        }
        // The files of other dialects are run, translated, by SQLite: their
        // types (NVARCHAR, IMAGE, DATETIME) are no PostgreSQL types.
        if !readable || listed.is_some() {
            continue;
        }
        let schema = Format::Sql.parse(&source(&path), &FormatOptions::default()).unwrap();
        let emitted = emit_in(&schema, SqlDialect::PostgreSql);
        let got = postgres_run(&url, &dir, &emitted, false)
            .unwrap_or_else(|e| panic!("{name}: PostgreSQL refuses the emitted DDL: {e}"));
        // Partitions and inherited tables are tables too: compare every one.
        assert_eq!(got, tables(&schema).into_iter().map(|(t, c)| (t.strip_prefix("public.").map_or(t.clone(), str::to_owned), c)).collect::<Vec<_>>(), "{name}: tables and columns");
        checked += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("PostgreSQL ran the emitted DDL of {checked} files");
    assert!(checked >= 4);
}
