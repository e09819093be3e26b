//! The SQLite store against the conformance suite, and its failure paths.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use panproto_backend::store::{BACKEND, SqliteStore, open_store};
use panproto_core::vcs::store::Store;
use panproto_core::{StoreErrorKind, VcsError};

/// A fresh path for a store file under cargo's per-target temp dir. Files
/// of earlier runs older than an hour are removed on first use.
fn temp_path(tag: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
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
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{tag}-{}-{n}-{nanos}.db", std::process::id()))
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

panproto_core::store_conformance_tests!(make, other, reopen);

fn store_kind(err: VcsError) -> StoreErrorKind {
    match err {
        VcsError::Store(e) => {
            assert_eq!(e.backend, "sqlite");
            e.kind
        }
        other => panic!("expected a store error, got {other:?}"),
    }
}

fn open_err(path: &Path, create: bool) -> VcsError {
    match open_store(path.to_str().unwrap(), "repo", create) {
        Ok(_) => panic!("opening {} should fail", path.display()),
        Err(e) => e,
    }
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
    let path = temp_path("text");
    std::fs::write(
        &path,
        "hello, I am not a database, just some text that is long enough\n".repeat(20),
    )
    .unwrap();
    let err = open_err(&path, false);
    let msg = err.to_string();
    assert_eq!(store_kind(err), StoreErrorKind::NotAStore, "{msg}");
    assert_eq!(store_kind(open_err(&path, true)), StoreErrorKind::NotAStore);
}

#[test]
fn other_apps_database_is_not_a_store() {
    let path = temp_path("foreign");
    let conn = foreign_db(&path);
    let err = open_err(&path, false);
    let msg = err.to_string();
    assert_eq!(store_kind(err), StoreErrorKind::NotAStore, "{msg}");
    assert!(msg.contains("foo"), "{msg}");
    // Creating does not take over another application's database either.
    assert_eq!(store_kind(open_err(&path, true)), StoreErrorKind::NotAStore);
    drop(conn);
}

/// Another application's SQLite database: one table `foo`.
fn foreign_db(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1);")
        .unwrap();
    conn
}

#[test]
fn empty_database_without_create_is_not_a_store() {
    let path = temp_path("empty");
    std::fs::write(&path, b"").unwrap();
    assert_eq!(
        store_kind(open_err(&path, false)),
        StoreErrorKind::NotAStore
    );
    // With create, an empty file becomes a store.
    open_store(path.to_str().unwrap(), "repo", true).unwrap();
}

#[test]
fn a_format_1_store_is_upgraded_on_open() {
    let path = temp_path("format1");
    drop(open_store(path.to_str().unwrap(), "repo", true).unwrap());
    let format = |conn: &rusqlite::Connection| -> String {
        conn.query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(
        format(&conn),
        panproto_core::vcs::store::STORE_FORMAT.to_string()
    );
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'format'", [])
        .unwrap();
    drop(open_store(path.to_str().unwrap(), "repo", false).unwrap());
    assert_eq!(format(&conn), "2");
}

#[test]
fn newer_format_is_refused() {
    let path = temp_path("newer");
    drop(open_store(path.to_str().unwrap(), "repo", true).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'format'", [])
        .unwrap();
    drop(conn);
    for create in [false, true] {
        let err = open_err(&path, create);
        let msg = err.to_string();
        assert_eq!(store_kind(err), StoreErrorKind::NewerFormat, "{msg}");
        assert!(
            msg.contains("format 999") && msg.contains("upgrade panproto"),
            "{msg}"
        );
    }
}

#[test]
fn corrupt_file_is_an_error_not_a_panic() {
    let path = temp_path("corrupt");
    {
        let store = open_store(path.to_str().unwrap(), "repo", true).unwrap();
        store.create("{}", 0).unwrap();
    }
    // Keep the header, scribble over every page after the first.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 4096, "{}", bytes.len());
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let result = open_store(path.to_str().unwrap(), "repo", false).and_then(|s| Ok(s.info()?));
    match result {
        Err(VcsError::Store(e)) => {
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
    assert_eq!(store_kind(err), StoreErrorKind::BadLocation);
    assert!(
        msg.contains("sqlite backend") && msg.contains("panproto[postgres]"),
        "{msg}"
    );
    assert!(!msg.contains("secret"), "the password must not leak: {msg}");
}

#[test]
fn empty_repository_name_is_refused() {
    let path = temp_path("noname");
    let err = open_store(path.to_str().unwrap(), "", true).err().unwrap();
    assert!(
        matches!(
            err,
            VcsError::InvalidInput {
                what: "repository name",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn many_repositories_in_one_file() {
    let path = temp_path("many");
    let loc = path.to_str().unwrap();
    for name in ["a", "b", "c"] {
        let store = open_store(loc, name, true).unwrap();
        store
            .create(&format!("{{\"name\":\"{name}\"}}"), 1)
            .unwrap();
    }
    for name in ["a", "b", "c"] {
        let info = open_store(loc, name, false)
            .unwrap()
            .info()
            .unwrap()
            .unwrap();
        assert_eq!(info.name, name);
        assert!(info.protocol_json.contains(name));
    }
    assert_eq!(open_store(loc, "d", false).unwrap().info().unwrap(), None);
}

#[test]
fn apply_to_missing_repository_is_not_found() {
    let store = make();
    let err = store.apply(&Default::default()).unwrap_err();
    assert!(matches!(err, VcsError::NotFound(_)), "{err:?}");
}

#[test]
fn verify_reports_rows_damaged_in_the_file() {
    let path = temp_path("verify");
    let store = open_store(path.to_str().unwrap(), "repo", true).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let run = |sql: &str| conn.execute_batch(sql).unwrap();
    panproto_core::vcs::conformance::verify_reports_damaged_rows(
        store,
        &panproto_core::vcs::conformance::RawSql {
            prefix: "",
            blob: |bytes| {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("x'{hex}'")
            },
            run: &run,
        },
    );
}

#[test]
fn nul_in_a_repository_name_is_refused() {
    let path = temp_path("nul");
    panproto_core::vcs::conformance::nul_in_a_repository_name_is_refused("repo", |name| {
        open_store(path.to_str().unwrap(), name, true)
    });
}
