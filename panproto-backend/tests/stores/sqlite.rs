//! The SQLite store: the conformance suite, and the failure paths of files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use panproto_backend::store::{BACKEND, SqliteStore, open_store};
use panproto_core::vcs::conformance::Database;
use panproto_core::vcs::store::Store;
use panproto_core::{StoreErrorKind, VcsError};
use rusqlite::OptionalExtension;

use crate::common::{self, repository, store_error, unique};

/// A fresh path for a store file under cargo's per-target temp dir. Files
/// of earlier runs older than an hour are removed on first use.
fn temp_path(tag: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("store_sqlite");
        std::fs::create_dir_all(&dir).unwrap();
        let stale = SystemTime::now() - Duration::from_secs(3600);
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < stale)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        dir
    });
    dir.join(format!("{}.db", unique(tag)))
}

fn make() -> SqliteStore {
    open_store(temp_path("conformance").to_str().unwrap(), "repo", true).unwrap()
}

fn other(store: &SqliteStore) -> SqliteStore {
    store.with_name("other")
}

/// A second client: a new connection to the same file and name.
fn reopen(store: &SqliteStore) -> SqliteStore {
    open_store(store.path().to_str().unwrap(), store.name(), false).unwrap()
}

/// A fresh store file (not created until a store opens it), removed with
/// its WAL when the value goes.
struct File(PathBuf);

impl File {
    fn new() -> Self {
        Self(temp_path("database"))
    }

    fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.0).unwrap()
    }
}

impl Drop for File {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Database for File {
    type Store = SqliteStore;

    fn open(&self, name: &str, create: bool) -> Result<SqliteStore, VcsError> {
        open_store(self.0.to_str().unwrap(), name, create)
    }

    fn prefix(&self) -> &str {
        ""
    }

    fn blob(&self, bytes: &[u8]) -> String {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("x'{hex}'")
    }

    fn execute(&self, sql: &str) {
        self.raw().execute_batch(sql).unwrap();
    }

    fn query_text(&self, sql: &str) -> Option<String> {
        self.raw()
            .query_row(sql, [], |r| r.get(0))
            .optional()
            .unwrap()
    }
}

panproto_core::store_conformance_tests!(make, other, reopen, database: File::new());

fn open_err(path: &Path, create: bool) -> VcsError {
    match open_store(path.to_str().unwrap(), "repo", create) {
        Ok(_) => panic!("opening {} should fail", path.display()),
        Err(e) => e,
    }
}

fn kind(err: &VcsError) -> StoreErrorKind {
    store_error(err, "sqlite").kind
}

#[test]
fn backend_is_sqlite() {
    assert_eq!(BACKEND, "sqlite");
    assert_eq!(make().backend(), "sqlite");
}

#[test]
fn missing_file_is_not_found() {
    let path = temp_path("missing");
    let err = open_err(&path, false);
    assert!(
        matches!(&err, VcsError::NotFound(what) if what.contains("store file")),
        "{err:?}"
    );
    assert!(
        !path.exists(),
        "opening without create must not create the file"
    );
}

#[test]
fn text_file_is_not_a_store() {
    let file = File::new();
    std::fs::write(
        &file.0,
        "hello, I am not a database, just some text that is long enough\n".repeat(20),
    )
    .unwrap();
    let err = open_err(&file.0, false);
    assert_eq!(kind(&err), StoreErrorKind::NotAStore, "{err}");
    assert_eq!(kind(&open_err(&file.0, true)), StoreErrorKind::NotAStore);
}

#[test]
fn other_apps_database_is_not_a_store() {
    let file = File::new();
    file.execute("CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1);");
    let err = open_err(&file.0, false);
    assert_eq!(kind(&err), StoreErrorKind::NotAStore, "{err}");
    assert!(err.to_string().contains("foo"), "{err}");
    // Creating does not take over another application's database either.
    assert_eq!(kind(&open_err(&file.0, true)), StoreErrorKind::NotAStore);
    assert_eq!(
        file.query_text("SELECT count(*) || '' FROM foo").as_deref(),
        Some("1")
    );
}

#[test]
fn empty_database_without_create_is_not_a_store() {
    let file = File::new();
    std::fs::write(&file.0, b"").unwrap();
    assert_eq!(kind(&open_err(&file.0, false)), StoreErrorKind::NotAStore);
    // With create, an empty file becomes a store.
    file.open("repo", true).unwrap();
    assert!(file.format().is_some());
}

#[test]
fn corrupt_file_is_an_error_not_a_panic() {
    let file = File::new();
    file.open("repo", true).unwrap().create("{}", 0).unwrap();
    // Keep the header, scribble over every page after the first.
    let mut bytes = std::fs::read(&file.0).unwrap();
    assert!(bytes.len() > 4096, "{}", bytes.len());
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&file.0, &bytes).unwrap();
    match file.open("repo", false).and_then(|s| Ok(s.info()?)) {
        Err(err @ VcsError::Store(_)) => {
            let e = store_error(&err, "sqlite");
            assert!(
                matches!(e.kind, StoreErrorKind::Corrupt | StoreErrorKind::NotAStore),
                "{e:?}"
            );
            assert!(e.code.is_some(), "{e:?}");
        }
        other => panic!("expected a corrupt store error, got {other:?}"),
    }
}

#[test]
fn postgres_url_is_a_bad_location() {
    let err = match open_store("postgres://alice:secret@db.example:5432/reg", "repo", true) {
        Ok(_) => panic!("a URL must be refused"),
        Err(e) => e,
    };
    let msg = err.to_string();
    assert_eq!(kind(&err), StoreErrorKind::BadLocation);
    assert!(
        msg.contains("sqlite backend") && msg.contains("panproto[postgres]"),
        "{msg}"
    );
    assert!(!msg.contains("secret"), "the password must not leak: {msg}");
}

#[test]
fn a_writer_waiting_for_the_file_fails_after_the_busy_timeout() {
    let file = File::new();
    let mut repo = repository(file.open("repo", true).unwrap());
    let holder = file.raw();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Reads do not wait for the writer (WAL).
    repo.add(common::schema(2)).unwrap();
    let start = Instant::now();
    let err = repo.commit("second", "ada", Some(2)).unwrap_err();
    let took = start.elapsed();
    let e = store_error(&err, "sqlite");
    assert_eq!(e.kind, StoreErrorKind::Timeout, "{err}");
    assert!(e.message.contains("5 s busy timeout"), "{err}");
    assert!(took < Duration::from_secs(60), "took {took:?}");
    holder.execute_batch("ROLLBACK").unwrap();
    repo.commit("second", "ada", Some(2)).unwrap();
    assert_eq!(repo.log(None).unwrap().len(), 2);
}
