//! Opening the file: flags, the busy timeout, the journal and the other
//! pragmas, and the tables and their format.

use std::path::Path;
use std::time::Duration;

use panproto_core::vcs::store::STORE_FORMAT;
use panproto_core::{StoreError, StoreErrorKind, VcsError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::BACKEND;
use super::error::store_error;

/// How long a writer waits for another connection's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The tables, created idempotently in one transaction.
const SCHEMA: &str = include_str!("schema.sql");

/// Prefixes a store error's message with the file it concerns.
pub(super) fn at(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| {
        let mut err = store_error(e);
        err.message = format!("{}: {}", path.display(), err.message);
        err
    }
}

/// Opens (or, with `create`, creates if needed) the store file at `path`:
/// a connection set up as the module docs of [`super`] say, on tables in a
/// format this build reads.
pub(super) fn open(path: &Path, create: bool) -> Result<Connection, VcsError> {
    if path.as_os_str().is_empty() {
        return Err(StoreError::new(
            BACKEND,
            StoreErrorKind::BadLocation,
            "the store file path is empty",
        )
        .into());
    }
    if !create && !path.exists() {
        return Err(VcsError::NotFound(format!("store file {}", path.display())));
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let ctx = at(path);
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| {
        let mut err = store_error(e);
        let shown = path.display().to_string();
        let reason = err
            .message
            .strip_suffix(&format!(": {shown}"))
            .unwrap_or(&err.message);
        err.message = format!("cannot open {shown}: {reason}");
        err.kind = StoreErrorKind::Unavailable;
        err
    })?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(&ctx)?;
    // The first read of the file: a text file fails here with NOTADB.
    let tables = user_tables(&conn).map_err(&ctx)?;
    let has_meta = tables.iter().any(|t| t == "meta");
    if !has_meta && (!create || !tables.is_empty()) {
        let why = if tables.is_empty() {
            "it is an empty SQLite database".to_owned()
        } else {
            format!(
                "it is a SQLite database of another application (tables {}); panproto will not add \
                 its tables to it",
                tables.join(", ")
            )
        };
        return Err(StoreError::new(
            BACKEND,
            StoreErrorKind::NotAStore,
            format!("{} is not a panproto store: {why}", path.display()),
        )
        .into());
    }
    if has_meta {
        // Before changing anything in a file a newer panproto wrote.
        check_format(&conn, path)?;
    }
    set_up(&conn, path)?;
    if !has_meta {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&ctx)?;
        tx.execute_batch(SCHEMA).map_err(&ctx)?;
        tx.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?1)",
            [STORE_FORMAT.to_string()],
        )
        .map_err(&ctx)?;
        tx.commit().map_err(&ctx)?;
        check_format(&conn, path)?;
    }
    Ok(conn)
}

/// The journal and the connection's pragmas.
fn set_up(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let ctx = at(path);
    // WAL is persistent in the file; setting it again is a no-op.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(&ctx)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::new(
            BACKEND,
            StoreErrorKind::Unavailable,
            format!(
                "{}: cannot switch the journal to WAL (it stays {mode:?})",
                path.display()
            ),
        ));
    }
    // NORMAL: see the module docs. A 16 MiB page cache (the default is
    // 2 MiB) keeps a long history's commits in memory between logs.
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;",
    )
    .map_err(&ctx)
}

/// Checks the format the store records is one this build reads, and
/// records the current format over an older one.
fn check_format(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let format: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| {
            let mut err = at(path)(e);
            // A `meta` table of another shape ("no such column") is
            // another application's; damage stays `Corrupt`.
            if err.kind == StoreErrorKind::Database {
                err.kind = StoreErrorKind::NotAStore;
                err.message = format!(
                    "{} is not a panproto store: its meta table is not panproto's",
                    err.message
                );
            }
            err
        })?;
    let location = path.display().to_string();
    let found = super::super::check_recorded_format(BACKEND, &location, "meta", format.as_deref())?;
    if found < STORE_FORMAT {
        // 1 -> 2: new object kinds only; record the new format.
        conn.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'format'",
            [STORE_FORMAT.to_string()],
        )
        .map_err(at(path))?;
    }
    Ok(())
}

/// The tables of the database, apart from SQLite's own.
fn user_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' \
         ESCAPE '\\' ORDER BY name",
    )?;
    stmt.query_map([], |r| r.get(0))?.collect()
}
