//! SQL DDL (`.sql`): the schema a database has after running the file (or
//! a folder of migration files, applied in file name order), in the
//! PostgreSQL, SQLite or MySQL dialect.
//!
//! # What is read
//!
//! The text is cut into statements by [`split`] (quotes, comments,
//! PostgreSQL dollar quotes, MySQL `DELIMITER`, `BEGIN ... END` bodies of
//! triggers), and each is applied, in order, to the database state:
//!
//! - `CREATE TABLE` (columns, `NOT NULL`, `DEFAULT`, `PRIMARY KEY` single
//!   or composite, `UNIQUE`, `CHECK`, `FOREIGN KEY` / `REFERENCES` with
//!   `ON DELETE` / `ON UPDATE`, MySQL `KEY` / `INDEX` in the table body,
//!   `AUTO_INCREMENT` / `AUTOINCREMENT`), `CREATE [UNIQUE] INDEX`,
//!   `CREATE VIEW` (also materialized), `CREATE TYPE ... AS ENUM`,
//!   `CREATE SEQUENCE` are parsed with `sqlparser` and modelled;
//! - `ALTER TABLE ... ADD / DROP / ALTER / MODIFY / CHANGE / RENAME COLUMN`,
//!   `ADD / DROP CONSTRAINT`, `DROP PRIMARY KEY / FOREIGN KEY / INDEX`,
//!   `RENAME TO`, `ALTER TYPE ... ADD / RENAME VALUE`, and `DROP TABLE /
//!   VIEW / INDEX / TYPE / SEQUENCE` change that state (dropping what does
//!   not exist changes nothing, as a script run with `IF EXISTS` would);
//! - other DDL (functions, procedures, triggers, rules, domains, comments,
//!   grants, `ALTER ... OWNER TO`, the parts of an `ALTER TABLE` that are
//!   not listed above ...) is kept verbatim, in its place, as a `statement`
//!   vertex that emit writes back (its body is not checked); dropping an
//!   object drops what was kept about it (`DROP FUNCTION f` the `CREATE
//!   FUNCTION f` and its `ALTER FUNCTION f OWNER TO`; `DROP TABLE t` its
//!   triggers, rules and `ALTER TABLE t OWNER TO`), see `kept`;
//! - statements that do not change a schema are skipped, as a database's
//!   schema is not changed by them: data (`INSERT`, `UPDATE`, `DELETE`,
//!   `SELECT`, `COPY`), session and transaction control (`SET`, `BEGIN`,
//!   `COMMIT`, `PRAGMA`, `LOCK TABLES`...), the choice of database
//!   (`CREATE / DROP DATABASE`, `USE`, psql's `\c`). Comments (`--`,
//!   `/* */`) are not kept: a database does not keep them either
//!   (`COMMENT ON` is kept).
//!
//! A few column forms sqlparser does not read are read around (see
//! `gaps`): MySQL's `VARCHAR(n) BINARY`, `BLOB SUB_TYPE TEXT`,
//! PostgreSQL 18's `GENERATED ALWAYS AS (...) VIRTUAL`.
//!
//! T-SQL (SQL Server batches separated by `GO`) is refused with
//! [`FormatError::Unsupported`].
//!
//! The dialect is [`FormatOptions::sql_dialect`], or detected from the
//! text: a first line `-- dialect: postgresql` (`sqlite`, `mysql`,
//! `generic`; emit writes it) says it; else MySQL by backticks, `ENGINE=`, `AUTO_INCREMENT` or `DELIMITER`;
//! SQLite by `AUTOINCREMENT`, `PRAGMA` or `WITHOUT ROWID`; PostgreSQL by
//! `::`, `$$`, `nextval(`, `AS ENUM`, `OWNER TO` or `SERIAL`; otherwise
//! the generic dialect. PostgreSQL folds unquoted names to lower case, as
//! the server does; the other dialects keep names as written.
//!
//! # The schema (protocol `sql`)
//!
//! - `$database` (kind `database`): `dialect` (the dialect read), `order`
//!   (JSON array of the ids of the tables, views, enums, sequences and
//!   kept statements, in creation order: emit writes them in that order).
//! - A table or view is a vertex whose id is its name as written, schema
//!   included (`public.actor`, `actor`). A table has: `column-order` (JSON
//!   array of column names), `primary-key` (JSON array of column names) and
//!   `primary-key-name`, `unique` (JSON array of `{"name", "columns"}`,
//!   the table-level and named unique keys), `check` (JSON array of
//!   `{"name", "expr"}`), `foreign-keys` (JSON array of `{"name",
//!   "columns", "table", "ref_columns", "on_delete", "on_update",
//!   "extra"}`), `table-options` (what follows the column list, verbatim:
//!   `ENGINE=InnoDB ...`, `PARTITION BY ...`, `WITHOUT ROWID`),
//!   `table-kind` (`TEMPORARY`, `UNLOGGED`). A view has `definition` (its
//!   `CREATE VIEW` statement, as sqlparser writes it).
//! - A column is a vertex `table.column`, reached by a `column` edge named
//!   after it; its kind is its type normalised (`integer`, `bigint`,
//!   `smallint`, `text`, `varchar`, `char`, `boolean`, `real`, `double`,
//!   `numeric`, `date`, `time`, `timestamp`, `interval`, `blob`, `uuid`,
//!   `json`; `ref` for an enum of the schema, with a `type` edge to it;
//!   `other` for any other type). Sorts: `type` (the declared type, e.g.
//!   `VARCHAR(255)`, `NUMERIC(10,2)`), `max-length`, `precision`, `scale`
//!   (read from the type), `not-null`, `default` (the expression),
//!   `unique`, `check` (an unnamed column check), `auto-increment`,
//!   `column-options` (other column options verbatim: `ON UPDATE ...`,
//!   `COMMENT '...'`, `COLLATE ...`, `GENERATED ...`). The table's
//!   required edges are its `NOT NULL` columns.
//! - A foreign key is also a `foreign-key` edge from each of its columns
//!   to the referenced table (whose id it names); a ref to a table that no
//!   statement creates is [`FormatError::UnresolvedRef`].
//! - An index is a vertex `table#name` (kind `index`), reached from its
//!   table by an `index` edge named after it: `columns` (JSON array of the
//!   indexed expressions), `unique`, `using`, `where`, `include`. A MySQL
//!   `KEY` without a name is named as MySQL names it (its first column).
//! - An enum (`CREATE TYPE ... AS ENUM`) is a vertex of kind `enum`,
//!   `enum` the JSON array of its labels; a sequence a vertex of kind
//!   `sequence` with its `definition`.
//! - A kept statement is a vertex `$statement.N` (kind `statement`, N its
//!   place among the kept statements) with its text as `definition`.
//!
//! Emit writes the objects in `order`, each index after its table; foreign
//! keys inline in SQLite (which cannot add them later) and otherwise as
//! `ALTER TABLE ... ADD` at the end, so that tables may refer to one
//! another in any order. The file is `schema.sql`; its first line names
//! the dialect, and in PostgreSQL a `SET check_function_bodies = false`
//! follows (as pg_dump writes it: a kept function may name one defined
//! after it).

mod compat;
mod emit;
mod gaps;
mod kept;
mod model;
mod parse;
mod split;

pub(super) use compat::compare;

use crate::formats::{Emitted, FormatError, FormatOptions, Source};
use crate::model::Schema;

/// The extensions of SQL files.
pub(super) const EXTENSIONS: &[&str] = &["sql", "ddl"];

/// A dialect of SQL, for [`FormatOptions::sql_dialect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlDialect {
    /// PostgreSQL.
    PostgreSql,
    /// SQLite.
    Sqlite,
    /// MySQL (and MariaDB).
    MySql,
    /// Standard SQL, as none of the others.
    Generic,
}

impl SqlDialect {
    /// Every dialect.
    pub const ALL: &'static [Self] = &[Self::PostgreSql, Self::Sqlite, Self::MySql, Self::Generic];

    /// The dialect's name: `postgresql`, `sqlite`, `mysql`, `generic`.
    pub fn name(self) -> &'static str {
        match self {
            Self::PostgreSql => "postgresql",
            Self::Sqlite => "sqlite",
            Self::MySql => "mysql",
            Self::Generic => "generic",
        }
    }

    /// The dialect of a name (also `postgres`, `pg`, `mariadb`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "pg" => Some(Self::PostgreSql),
            "sqlite" | "sqlite3" => Some(Self::Sqlite),
            "mysql" | "mariadb" => Some(Self::MySql),
            "generic" | "ansi" => Some(Self::Generic),
            _ => None,
        }
    }

    /// Whether unquoted names are folded to lower case.
    fn folds(self) -> bool {
        self == Self::PostgreSql
    }
}

/// Whether `text` looks like SQL DDL.
pub(super) fn sniff(text: &str) -> bool {
    let upper = |s: &str| text.contains(s) || text.contains(&s.to_ascii_lowercase());
    upper("CREATE TABLE") || upper("ALTER TABLE") || upper("CREATE INDEX") || upper("CREATE VIEW")
}

/// Parses `.sql` files: one file, or migrations applied in path order.
pub(super) fn parse(source: &Source, options: &FormatOptions) -> Result<Schema, FormatError> {
    parse::parse(source, options.sql_dialect)
}

/// Writes the schema as one file of DDL, `schema.sql`.
pub(super) fn emit(schema: &Schema, options: &FormatOptions) -> Result<Emitted, FormatError> {
    let text = emit::emit(schema, options.sql_dialect)?;
    Ok(Emitted::single("schema.sql", text))
}
