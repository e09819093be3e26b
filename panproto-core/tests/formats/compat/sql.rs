//! SQL: one edit of DDL per pair, judged both ways (backward: old rows
//! and old writers against the new schema and its queries; forward: new
//! rows against the old schema and old queries), and edits of the
//! corpus's real schemas.

use panproto_core::{CompatReport, Format, FormatOptions, Level, Schema, Source, compatibility};

use crate::common::corpus_files;

use Level::{Breaking as B, Compatible as C, Dangerous as D};

fn parse(text: &str) -> Schema {
    Format::Sql
        .parse(
            &Source::from_text("schema.sql", text),
            &FormatOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn report(old: &str, new: &str) -> CompatReport {
    compatibility(&parse(old), &parse(new)).unwrap()
}

fn rule_ids(r: &CompatReport) -> Vec<String> {
    let mut ids: Vec<String> = r.findings.iter().map(|f| f.rule.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A table `users` with these column and constraint lines.
fn users(body: &str) -> String {
    format!("CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  {body}\n);\n")
}

const ORGS: &str = "CREATE TABLE orgs (id INTEGER PRIMARY KEY);\n";

/// One edit each: (what, old, new, (backward, forward), rule ids).
type Pair = (
    &'static str,
    String,
    String,
    (Level, Level),
    &'static [&'static str],
);

fn pairs() -> Vec<Pair> {
    let email = "email VARCHAR(255)";
    let pg = |body: &str| {
        format!(
            "-- dialect: postgresql\nCREATE TYPE mood AS ENUM ({body});\nCREATE TABLE t (id INTEGER PRIMARY KEY, m mood);\n"
        )
    };
    let view = |q: &str| format!("{}CREATE VIEW v AS SELECT {q} FROM users;\n", users(email));
    vec![
        ("identical", users(email), users(email), (C, C), &[]),
        (
            "table dropped",
            format!("{ORGS}{}", users(email)),
            users(email),
            (C, B),
            &["TABLE_DROPPED"],
        ),
        (
            "table added",
            users(email),
            format!("{ORGS}{}", users(email)),
            (C, C),
            &["TABLE_ADDED"],
        ),
        (
            "column dropped",
            users(&format!("{email},\n  name TEXT")),
            users(email),
            (C, B),
            &["COLUMN_DROPPED"],
        ),
        (
            "nullable column added",
            users(email),
            users(&format!("{email},\n  name TEXT")),
            (C, C),
            &["COLUMN_ADDED"],
        ),
        (
            "NOT NULL column added with a default",
            users(email),
            users(&format!("{email},\n  name TEXT NOT NULL DEFAULT ''")),
            (C, C),
            &["COLUMN_ADDED"],
        ),
        (
            "NOT NULL column added without a default",
            users(email),
            users(&format!("{email},\n  name TEXT NOT NULL")),
            (B, C),
            &["REQUIRED_COLUMN_ADDED"],
        ),
        (
            "serial column added",
            format!("-- dialect: postgresql\n{}", users(email)),
            format!(
                "-- dialect: postgresql\n{}",
                users(&format!("{email},\n  n SERIAL NOT NULL"))
            ),
            (C, C),
            &["COLUMN_ADDED"],
        ),
        (
            "made NOT NULL",
            users(email),
            users(&format!("{email} NOT NULL")),
            (B, C),
            &["NOT_NULL_ADDED"],
        ),
        (
            "made nullable",
            users(&format!("{email} NOT NULL")),
            users(email),
            (C, B),
            &["NOT_NULL_REMOVED"],
        ),
        (
            "varchar shortened",
            users(email),
            users("email VARCHAR(100)"),
            (B, C),
            &["COLUMN_TYPE_NARROWED"],
        ),
        (
            "varchar lengthened",
            users(email),
            users("email VARCHAR(500)"),
            (C, B),
            &["COLUMN_TYPE_WIDENED"],
        ),
        (
            "text to varchar",
            users("email TEXT"),
            users("email VARCHAR(100)"),
            (B, C),
            &["COLUMN_TYPE_NARROWED"],
        ),
        (
            "bigint to int",
            users("n BIGINT"),
            users("n INT"),
            (B, C),
            &["COLUMN_TYPE_NARROWED"],
        ),
        (
            "int to bigint",
            users("n INT"),
            users("n BIGINT"),
            (C, B),
            &["COLUMN_TYPE_WIDENED"],
        ),
        (
            "INT spelled INTEGER",
            users("n INT"),
            users("n INTEGER"),
            (C, C),
            &[],
        ),
        (
            "numeric precision lowered",
            users("price NUMERIC(10,2)"),
            users("price NUMERIC(8,2)"),
            (B, C),
            &["COLUMN_TYPE_NARROWED"],
        ),
        (
            "numeric scale raised, precision kept",
            users("price NUMERIC(10,2)"),
            users("price NUMERIC(10,4)"),
            (B, B),
            &["COLUMN_TYPE_CHANGED"],
        ),
        (
            "int to numeric(12)",
            users("n INT"),
            users("n NUMERIC(12)"),
            (C, B),
            &["COLUMN_TYPE_WIDENED"],
        ),
        (
            "text to integer",
            users("n TEXT"),
            users("n INTEGER"),
            (B, B),
            &["COLUMN_TYPE_CHANGED"],
        ),
        (
            "timestamp to date",
            users("t TIMESTAMP"),
            users("t DATE"),
            (B, B),
            &["COLUMN_TYPE_CHANGED"],
        ),
        (
            "unique added",
            users(email),
            users(&format!("{email} UNIQUE")),
            (B, C),
            &["UNIQUE_ADDED"],
        ),
        (
            "unique removed",
            users(&format!("{email},\n  UNIQUE (email)")),
            users(email),
            (C, B),
            &["UNIQUE_REMOVED"],
        ),
        (
            "unique index added",
            users(email),
            format!(
                "{}CREATE UNIQUE INDEX users_email ON users (email);\n",
                users(email)
            ),
            (B, C),
            &["UNIQUE_ADDED"],
        ),
        (
            "index added",
            users(email),
            format!(
                "{}CREATE INDEX users_email ON users (email);\n",
                users(email)
            ),
            (C, C),
            &[],
        ),
        (
            "unique widened to include the key",
            users(&format!("{email},\n  UNIQUE (email)")),
            users(&format!("{email},\n  UNIQUE (id, email)")),
            (C, B),
            &["UNIQUE_REMOVED"],
        ),
        (
            "check added",
            users("age INT"),
            users("age INT CHECK (age >= 0)"),
            (B, C),
            &["CHECK_ADDED"],
        ),
        (
            "table check removed",
            users("age INT,\n  CHECK (age >= 0)"),
            users("age INT"),
            (C, B),
            &["CHECK_REMOVED"],
        ),
        (
            "check respaced",
            users("age INT,\n  CHECK (age >= 0)"),
            users("age INT,\n  CHECK (age>=0)"),
            (C, C),
            &[],
        ),
        (
            "primary key changed",
            "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a));\n".to_owned(),
            "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a, b));\n".to_owned(),
            (B, B),
            &["PRIMARY_KEY_CHANGED"],
        ),
        (
            "primary key added",
            "CREATE TABLE t (a INT NOT NULL);\n".to_owned(),
            "CREATE TABLE t (a INT NOT NULL, PRIMARY KEY (a));\n".to_owned(),
            (B, C),
            &["PRIMARY_KEY_ADDED"],
        ),
        (
            "primary key removed",
            "CREATE TABLE t (a INT NOT NULL, PRIMARY KEY (a));\n".to_owned(),
            "CREATE TABLE t (a INT NOT NULL);\n".to_owned(),
            (C, B),
            &["PRIMARY_KEY_REMOVED"],
        ),
        (
            "foreign key added",
            format!("{ORGS}{}", users("org INT")),
            format!("{ORGS}{}", users("org INT REFERENCES orgs (id)")),
            (B, C),
            &["FOREIGN_KEY_ADDED"],
        ),
        (
            "foreign key removed",
            format!("{ORGS}{}", users("org INT REFERENCES orgs (id)")),
            format!("{ORGS}{}", users("org INT")),
            (C, B),
            &["FOREIGN_KEY_REMOVED"],
        ),
        (
            "foreign key made cascading",
            format!("{ORGS}{}", users("org INT REFERENCES orgs (id)")),
            format!(
                "{ORGS}{}",
                users("org INT REFERENCES orgs (id) ON DELETE CASCADE")
            ),
            (D, D),
            &["FOREIGN_KEY_ACTION_CHANGED"],
        ),
        (
            "default removed from a nullable column",
            users("n INT DEFAULT 0"),
            users("n INT"),
            (D, C),
            &["DEFAULT_REMOVED"],
        ),
        (
            "default removed from a NOT NULL column",
            users("n INT NOT NULL DEFAULT 0"),
            users("n INT NOT NULL"),
            (B, C),
            &["DEFAULT_REMOVED"],
        ),
        (
            "default changed",
            users("n INT DEFAULT 0"),
            users("n INT DEFAULT 1"),
            (D, C),
            &["DEFAULT_CHANGED"],
        ),
        (
            "default added",
            users("n INT"),
            users("n INT DEFAULT 0"),
            (C, C),
            &[],
        ),
        (
            "enum label added",
            pg("'sad', 'ok'"),
            pg("'sad', 'ok', 'happy'"),
            (C, B),
            &["ENUM_VALUE_ADDED"],
        ),
        (
            "enum label removed",
            pg("'sad', 'ok'"),
            pg("'sad'"),
            (B, C),
            &["ENUM_VALUE_REMOVED"],
        ),
        (
            "view dropped",
            view("id"),
            users(email),
            (C, B),
            &["VIEW_DROPPED"],
        ),
        (
            "view added",
            users(email),
            view("id"),
            (C, C),
            &["VIEW_ADDED"],
        ),
        (
            "view changed",
            view("id"),
            view("id, email"),
            (D, D),
            &["VIEW_CHANGED"],
        ),
    ]
}

#[test]
fn each_edit_is_judged_both_ways() {
    for (what, old, new, (backward, forward), rules) in pairs() {
        let r = report(&old, &new);
        assert_eq!(r.rules, "sql", "{what}");
        let mut expected: Vec<String> = rules.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(
            (r.backward(), r.forward(), rule_ids(&r)),
            (backward, forward, expected),
            "{what}: {:#?}",
            r.findings
        );
        if old == new {
            assert!(r.findings.is_empty(), "{what}: {:#?}", r.findings);
        }
    }
}

/// What the README's example prints: findings named by table and column.
#[test]
fn findings_name_the_table_and_column() {
    let r = report(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255));",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL, name TEXT);",
    );
    let found: Vec<(&str, &str, &str, Level, Level)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.path.as_str(),
                f.change.as_str(),
                f.backward,
                f.forward,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("NOT_NULL_ADDED", "table users.email", "made NOT NULL", B, C),
            (
                "COLUMN_TYPE_NARROWED",
                "table users.email",
                "type VARCHAR(255) → VARCHAR(100)",
                B,
                C
            ),
            ("COLUMN_ADDED", "table users.name", "column added", C, C),
        ]
    );
}

/// The corpus files that parse (T-SQL is refused), by file name.
fn corpus() -> Vec<(String, String, Schema)> {
    corpus_files("sql", ".sql")
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let schema = Format::Sql
                .parse(
                    &Source::from_text("schema.sql", &text),
                    &FormatOptions::default(),
                )
                .ok()?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, text, schema))
        })
        .collect()
}

#[test]
fn every_corpus_file_is_compatible_with_itself() {
    let files = corpus();
    assert!(files.len() >= 10, "only {} files parse", files.len());
    for (name, _, schema) in &files {
        let r = compatibility(schema, schema).unwrap();
        assert!(r.findings.is_empty(), "{name}: {:#?}", r.findings);
    }
}

#[test]
fn comparing_any_two_corpus_files_returns() {
    let files = corpus();
    for (_, _, a) in &files {
        for (_, _, b) in &files {
            assert_eq!(compatibility(a, b).unwrap().rules, "sql");
        }
    }
}

/// One textual edit of a real file: (file, what, text replaced, by, rule
/// id expected, its (backward, forward)).
type Edit = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (Level, Level),
);

const EDITS: &[Edit] = &[
    (
        "sqlite-sakila-schema.sql",
        "column dropped",
        "  first_name VARCHAR(45) NOT NULL,\n",
        "",
        "COLUMN_DROPPED",
        (C, B),
    ),
    (
        "sqlite-sakila-schema.sql",
        "varchar shortened",
        "first_name VARCHAR(45) NOT NULL",
        "first_name VARCHAR(20) NOT NULL",
        "COLUMN_TYPE_NARROWED",
        (B, C),
    ),
    (
        "sqlite-sakila-schema.sql",
        "char lengthened",
        "name CHAR(20) NOT NULL",
        "name CHAR(40) NOT NULL",
        "COLUMN_TYPE_WIDENED",
        (C, B),
    ),
    (
        "sqlite-sakila-schema.sql",
        "made nullable",
        "first_name VARCHAR(45) NOT NULL",
        "first_name VARCHAR(45)",
        "NOT_NULL_REMOVED",
        (C, B),
    ),
    (
        "sqlite-sakila-schema.sql",
        "required column added",
        "  last_name VARCHAR(45) NOT NULL,\n",
        "  last_name VARCHAR(45) NOT NULL,\n  middle_name VARCHAR(45) NOT NULL,\n",
        "REQUIRED_COLUMN_ADDED",
        (B, C),
    ),
    (
        "postgres-sakila-schema.sql",
        "enum label removed",
        "    'NC-17'\n",
        "    'NC-17x'\n",
        "ENUM_VALUE_REMOVED",
        (B, C),
    ),
    (
        "postgres-sakila-schema.sql",
        "default removed",
        "last_update timestamp without time zone DEFAULT now() NOT NULL\n);\n\n\nALTER TABLE public.actor",
        "last_update timestamp without time zone NOT NULL\n);\n\n\nALTER TABLE public.actor",
        "DEFAULT_REMOVED",
        (B, C),
    ),
    (
        "Chinook_Sqlite.sql",
        "foreign key removed",
        ",\n    FOREIGN KEY ([ArtistId]) REFERENCES [Artist] ([ArtistId]) \n\t\tON DELETE NO ACTION ON UPDATE NO ACTION\n",
        "\n",
        "FOREIGN_KEY_REMOVED",
        (C, B),
    ),
];

#[test]
fn edits_of_the_corpus_are_judged() {
    let files = corpus();
    for &(file, what, from, to, rule, (backward, forward)) in EDITS {
        let (_, text, old) = files
            .iter()
            .find(|(name, _, _)| name.ends_with(file))
            .unwrap_or_else(|| panic!("{file} does not parse"));
        assert!(text.contains(from), "{file}: {what}: {from:?} not found");
        let new = parse(&text.replacen(from, to, 1));
        let r = compatibility(old, &new).unwrap();
        let f = r
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{file}: {what}: {:#?}", r.findings));
        assert_eq!(
            (f.backward, f.forward),
            (backward, forward),
            "{file}: {what}: {f:#?}"
        );
    }
}
