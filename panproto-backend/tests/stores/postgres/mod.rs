//! The PostgreSQL store: the conformance suite, and the failure paths of a
//! server. Every test uses its own repository names, or its own schema
//! (dropped afterwards) when it changes or locks the tables. Deployment
//! (TLS, passwords, PgBouncer) runs against a cluster of the tests' own
//! ([`scratch`]).

mod depth;
mod limits;
mod pooler;
mod scratch;
mod tls;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use panproto_backend::store::{BACKEND, PostgresStore, open_store};
use panproto_core::vcs::conformance::Database;
use panproto_core::vcs::store::Store;
use panproto_core::{StoreErrorKind, VcsError};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::runtime::Runtime;

use crate::common::{store_error, unique};

fn url() -> String {
    std::env::var("PANPROTO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into())
}

/// `base` with the query parameter `param` (`key=value`) appended.
fn with_param(base: &str, param: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{param}")
}

/// The URL of this test process's own schema for the conformance suite,
/// so its repositories never mix with the public tables. A process cannot
/// clean up after itself (the harness has no end hook), so the first call
/// drops the schemas of runs older than an hour, as the SQLite tests do
/// with their files.
fn conformance_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut admin = Admin::connect(&url());
        let stale = admin.texts(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'panproto\\_conformance\\_%'",
        );
        for name in stale {
            let born = name.split('_').nth(2).and_then(|t| t.parse::<u64>().ok());
            if born.is_some_and(|born| born + 3600 < now) {
                admin.execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
            }
        }
        let name = format!("panproto_conformance_{now}_{}", std::process::id());
        admin.execute(&format!("CREATE SCHEMA {name}"));
        with_param(&url(), &format!("options[search_path]={name}"))
    })
}

fn make() -> PostgresStore {
    open_store(conformance_url(), &unique("conformance"), true).unwrap()
}

fn other(store: &PostgresStore) -> PostgresStore {
    store.with_name(&unique("other"))
}

/// A second client: its own connections, same database and name.
fn reopen(store: &PostgresStore) -> PostgresStore {
    open_store(conformance_url(), store.name(), false).unwrap()
}

/// A connection to the test server outside any store, on its own runtime
/// (so the thread is outside it between calls, as the store requires).
struct Admin {
    rt: Runtime,
    conn: Option<PgConnection>,
}

impl Admin {
    fn connect(url: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let conn = rt.block_on(PgConnection::connect(url)).unwrap();
        Self {
            rt,
            conn: Some(conn),
        }
    }

    /// Runs statements (simple protocol, several at once).
    fn execute(&mut self, sql: &str) {
        let Self { rt, conn } = self;
        let conn = conn.as_mut().unwrap();
        rt.block_on(sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(conn))
            .unwrap();
    }

    /// The first column (of type `text`) of every row.
    fn texts(&mut self, sql: &str) -> Vec<String> {
        let Self { rt, conn } = self;
        let conn = conn.as_mut().unwrap();
        rt.block_on(sqlx::query_scalar(AssertSqlSafe(sql.to_owned())).fetch_all(conn))
            .unwrap()
    }

    /// The first column (of type `text`) of the first row.
    fn text(&mut self, sql: &str) -> Option<String> {
        let Self { rt, conn } = self;
        let conn = conn.as_mut().unwrap();
        rt.block_on(sqlx::query_scalar(AssertSqlSafe(sql.to_owned())).fetch_optional(conn))
            .unwrap()
    }
}

impl Drop for Admin {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = self.rt.block_on(async {
                tokio::time::timeout(Duration::from_secs(5), conn.close()).await
            });
        }
    }
}

/// Runs SQL on the test server outside any store.
fn admin(sql: &str) {
    Admin::connect(&url()).execute(sql);
}

/// A fresh, empty schema, dropped when the guard goes; `url` selects it.
struct PgSchema {
    name: String,
    url: String,
}

impl PgSchema {
    fn new() -> Self {
        let name = unique("panproto_test");
        admin(&format!("CREATE SCHEMA {name}"));
        let url = with_param(&url(), &format!("options[search_path]={name}"));
        Self { name, url }
    }

    /// This schema's URL with the query parameter `param` added.
    fn url_with(&self, param: &str) -> String {
        with_param(&self.url, param)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        admin(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

impl Database for PgSchema {
    type Store = PostgresStore;

    fn open(&self, name: &str, create: bool) -> Result<PostgresStore, VcsError> {
        open_store(&self.url, name, create)
    }

    fn prefix(&self) -> &str {
        "panproto_"
    }

    fn blob(&self, bytes: &[u8]) -> String {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("'\\x{hex}'::bytea")
    }

    fn execute(&self, sql: &str) {
        Admin::connect(&self.url).execute(sql);
    }

    fn query_text(&self, sql: &str) -> Option<String> {
        Admin::connect(&self.url).text(sql)
    }
}

panproto_core::store_conformance_tests!(make, other, reopen, database: PgSchema::new());

fn open_err(location: &str, create: bool) -> VcsError {
    match open_store(location, "repo", create) {
        Ok(_) => panic!("opening {location} should fail"),
        Err(e) => e,
    }
}

fn kind(err: &VcsError) -> StoreErrorKind {
    store_error(err, "postgres").kind
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
    let base = url();
    let (scheme, rest) = base.split_once("://").unwrap();
    let (user, host) = match rest.split_once('@') {
        Some((userinfo, host)) => (userinfo.split(':').next().unwrap(), host),
        None => ("postgres", rest),
    };
    // Trust authentication ignores the password; the location must not show it.
    let store = open_store(&format!("{scheme}://{user}:hunter2@{host}"), "repo", true).unwrap();
    let location = store.location();
    assert!(
        location.starts_with("postgresql://") && location.ends_with("#repo"),
        "{location}"
    );
    assert!(!location.contains("hunter2"), "{location}");
}

#[test]
fn unreachable_server_is_unavailable() {
    let err = open_err("postgresql://postgres:secret@127.0.0.1:1/test", true);
    let msg = err.to_string();
    assert_eq!(kind(&err), StoreErrorKind::Unavailable, "{msg}");
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
    let e = store_error(&err, "postgres");
    assert_eq!(e.kind, StoreErrorKind::Unavailable, "{err}");
    assert_eq!(e.code.as_deref(), Some("3D000"), "{err}");
}

#[test]
fn a_path_is_a_bad_location() {
    let err = open_err("/tmp/store.db", true);
    let msg = err.to_string();
    assert_eq!(kind(&err), StoreErrorKind::BadLocation);
    assert!(
        msg.contains("postgres backend") && msg.contains("panproto[sqlite]"),
        "{msg}"
    );
}

#[test]
fn a_malformed_url_is_a_bad_location() {
    let err = open_err("postgres://u:pw@host:notaport/db", true);
    assert_eq!(kind(&err), StoreErrorKind::BadLocation, "{err}");
    assert!(!err.to_string().contains("pw@"), "{err}");
}

#[test]
fn database_without_tables_is_not_found_until_created() {
    let schema = PgSchema::new();
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
fn racing_clients_create_the_tables_once() {
    let schema = PgSchema::new();
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
    assert_eq!(schema.format(), Some("2".to_owned()));
}
