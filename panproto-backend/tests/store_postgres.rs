//! The PostgreSQL store against the conformance suite, and its failure
//! paths. The server comes from `PANPROTO_TEST_POSTGRES_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/test`); every test uses its own
//! repository names, or its own schema when it changes the tables.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use panproto_backend::store::{BACKEND, PostgresStore, open_store};
use panproto_core::vcs::object::{Commit, store_commit};
use panproto_core::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};
use panproto_core::{ObjectId, StoreErrorKind, VcsError};
use sqlx::Connection;

fn url() -> String {
    std::env::var("PANPROTO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into())
}

/// A name no other test (or test run) uses.
fn unique(tag: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn make() -> PostgresStore {
    open_store(&url(), &unique("conformance"), true).unwrap()
}

fn other(store: &PostgresStore) -> PostgresStore {
    store.with_name(&unique("other"))
}

/// A second client: its own connection pool, same database and name.
fn reopen(store: &PostgresStore) -> PostgresStore {
    open_store(&url(), store.name(), false).unwrap()
}

panproto_core::store_conformance_tests!(make, other, reopen);

/// Runs SQL on the test server outside any store.
fn admin(sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&url()).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

/// A fresh, empty schema, dropped when the guard goes; `url` selects it.
struct Schema {
    name: String,
    url: String,
}

impl Schema {
    fn new() -> Self {
        let name = unique("panproto_test");
        admin(&format!("CREATE SCHEMA {name}"));
        let base = url();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options[search_path]={name}");
        Self { name, url }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        admin(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

fn store_kind(err: &VcsError) -> StoreErrorKind {
    match err {
        VcsError::Store(e) => {
            assert_eq!(e.backend, "postgres");
            e.kind
        }
        other => panic!("expected a store error, got {other:?}"),
    }
}

fn open_err(location: &str, create: bool) -> VcsError {
    match open_store(location, "repo", create) {
        Ok(_) => panic!("opening {location} should fail"),
        Err(e) => e,
    }
}

#[test]
fn backend_is_postgres() {
    assert_eq!(BACKEND, "postgres");
    assert_eq!(make().backend(), "postgres");
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<PostgresStore>();
}

#[test]
fn location_hides_the_password() {
    let store = make();
    let location = store.location();
    assert!(
        location.starts_with("postgresql://") && location.ends_with(store.name()),
        "{location}"
    );
}

#[test]
fn unreachable_server_is_unavailable() {
    let err = open_err("postgresql://postgres:secret@127.0.0.1:1/test", true);
    let msg = err.to_string();
    assert_eq!(store_kind(&err), StoreErrorKind::Unavailable, "{msg}");
    assert!(
        msg.contains("127.0.0.1:1"),
        "the message names host and port: {msg}"
    );
    assert!(!msg.contains("secret"), "{msg}");
}

#[test]
fn missing_database_is_unavailable_with_sqlstate() {
    let base = url();
    let (server, _) = base.rsplit_once('/').unwrap();
    let err = open_err(&format!("{server}/{}", unique("no_such_db")), true);
    let VcsError::Store(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind, StoreErrorKind::Unavailable, "{err}");
    assert_eq!(e.code.as_deref(), Some("3D000"), "{err}");
}

#[test]
fn a_path_is_a_bad_location() {
    let err = open_err("/tmp/store.db", true);
    let msg = err.to_string();
    assert_eq!(store_kind(&err), StoreErrorKind::BadLocation);
    assert!(
        msg.contains("postgres backend") && msg.contains("panproto[sqlite]"),
        "{msg}"
    );
}

#[test]
fn a_malformed_url_is_a_bad_location() {
    let err = open_err("postgres://u:pw@host:notaport/db", true);
    assert_eq!(store_kind(&err), StoreErrorKind::BadLocation, "{err}");
    assert!(!err.to_string().contains("pw@"), "{err}");
}

#[test]
fn empty_repository_name_is_refused() {
    let err = open_store(&url(), "", true).err().unwrap();
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
fn database_without_tables_is_not_found_until_created() {
    let schema = Schema::new();
    let err = open_err(&schema.url, false);
    assert!(
        matches!(&err, VcsError::NotFound(what) if what.contains("no panproto tables")),
        "{err:?}"
    );
    let store = open_store(&schema.url, "repo", true).unwrap();
    store.create("{}", 1).unwrap();
    let again = open_store(&schema.url, "repo", false).unwrap();
    assert_eq!(again.info().unwrap().unwrap().created, 1);
}

#[test]
fn a_format_1_store_is_upgraded_on_open() {
    let schema = Schema::new();
    drop(open_store(&schema.url, "repo", true).unwrap());
    admin(&format!(
        "UPDATE {}.panproto_meta SET value = '1' WHERE key = 'format'",
        schema.name
    ));
    drop(open_store(&schema.url, "repo", false).unwrap());
    // Raises (and fails the test) unless the format now reads 2.
    admin(&format!(
        "DO $$ BEGIN IF (SELECT value FROM {}.panproto_meta WHERE key = 'format') <> '2' THEN \
         RAISE EXCEPTION 'the format was not upgraded'; END IF; END $$",
        schema.name
    ));
}

#[test]
fn newer_format_is_refused() {
    let schema = Schema::new();
    drop(open_store(&schema.url, "repo", true).unwrap());
    admin(&format!(
        "UPDATE {}.panproto_meta SET value = '999' WHERE key = 'format'",
        schema.name
    ));
    for create in [false, true] {
        let err = open_err(&schema.url, create);
        let msg = err.to_string();
        assert_eq!(store_kind(&err), StoreErrorKind::NewerFormat, "{msg}");
        assert!(
            msg.contains("format 999") && msg.contains("upgrade panproto"),
            "{msg}"
        );
    }
}

#[test]
fn racing_clients_create_the_tables_once() {
    let schema = Schema::new();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let url = schema.url.clone();
            std::thread::spawn(move || {
                open_store(&url, &format!("r{i}"), true).map(|s| s.create("{}", 0))
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap().unwrap();
    }
}

#[test]
fn apply_to_missing_repository_is_not_found() {
    let err = make().apply(&Transaction::default()).unwrap_err();
    assert!(matches!(err, VcsError::NotFound(_)), "{err:?}");
}

#[test]
fn list_refs_sorts_bytewise() {
    let store = make();
    store.create("{}", 0).unwrap();
    let a = store_commit(&Commit {
        schema: ObjectId::hash(b"s"),
        parents: vec![],
        migration: None,
        merge_migrations: Vec::new(),
        compatibility: None,
        datasets: Default::default(),
        author: "t".into(),
        timestamp: 0,
        message: "m".into(),
    });
    let names = [
        "refs/heads/b",
        "refs/heads/B",
        "refs/heads/a-b",
        "refs/heads/a_b",
        "refs/heads/Z",
        "refs/tags/x",
    ];
    let edits = names
        .iter()
        .map(|n| RefEdit {
            name: (*n).into(),
            expected: Expected::Absent,
            new: Some(RefTarget::Id(a.id)),
            message: "m".into(),
        })
        .collect();
    store
        .apply(&Transaction {
            objects: vec![a],
            edits,
            timestamp: 0,
        })
        .unwrap();
    let listed: Vec<String> = store
        .list_refs("refs/heads/")
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut expected: Vec<String> = names[..5].iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        store.list_refs("").unwrap().len(),
        7,
        "HEAD, five heads and a tag"
    );
}

#[test]
fn verify_reports_rows_damaged_in_the_database() {
    let schema = Schema::new();
    let store = open_store(&schema.url, &unique("verify"), true).unwrap();
    let run = |sql: &str| admin(&format!("SET search_path = {};\n{sql}", schema.name));
    panproto_core::vcs::conformance::verify_reports_damaged_rows(
        store,
        &panproto_core::vcs::conformance::RawSql {
            prefix: "panproto_",
            blob: |bytes| {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("'\\x{hex}'::bytea")
            },
            run: &run,
        },
    );
}

#[test]
fn nul_in_a_repository_name_is_refused() {
    panproto_core::vcs::conformance::nul_in_a_repository_name_is_refused(&unique("nul"), |name| {
        open_store(&url(), name, true)
    });
}
