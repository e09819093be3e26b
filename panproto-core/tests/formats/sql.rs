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
