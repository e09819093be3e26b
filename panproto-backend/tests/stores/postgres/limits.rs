//! Every wait of the PostgreSQL store is bounded: a lock another session
//! holds, a table locked whole, a frozen server, a server that never
//! answers the connection. Each test works in its own schema, with limits
//! far below the bound it checks, so a slow machine cannot fail it.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use panproto_backend::store::{PostgresStore, open_store};
use panproto_core::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};
use panproto_core::{StoreError, StoreErrorKind, VcsError};

use super::{Admin, PgSchema};
use crate::common::{self, repository, store_error, unique};

/// Far above every limit these tests set (at most 3 s with the grace).
const BOUND: Duration = Duration::from_secs(15);

/// Runs `f`, checks it failed within [`BOUND`] with a timeout, and returns
/// the error.
fn times_out<T>(f: impl FnOnce() -> Result<T, VcsError>) -> StoreError {
    let start = Instant::now();
    let result = f();
    let took = start.elapsed();
    let Err(err) = result else {
        panic!("the call should time out, and succeeded after {took:?}")
    };
    assert!(took < BOUND, "took {took:?}: {err}");
    let e = store_error(&err, "postgres");
    assert_eq!(e.kind, StoreErrorKind::Timeout, "{err}");
    e
}

/// The ref `main` of repository `name`, locked `FOR UPDATE` by another
/// session until the value goes.
fn lock_main(schema: &PgSchema, name: &str) -> Admin {
    let mut admin = Admin::connect(&schema.url);
    admin.execute(&format!(
        "BEGIN; SELECT 1 FROM panproto_refs WHERE name = 'refs/heads/main' AND repo = \
         (SELECT id FROM panproto_repositories WHERE name = '{name}') FOR UPDATE"
    ));
    admin
}

fn head(store: &PostgresStore) -> Option<RefTarget> {
    store.read_ref("refs/heads/main").unwrap()
}

#[test]
fn a_commit_waiting_for_a_locked_ref_fails_after_lock_timeout() {
    let schema = PgSchema::new();
    let store = open_store(&schema.url_with("lock_timeout=300"), "locked", true).unwrap();
    let mut repo = repository(store);
    let before = head(repo.store());
    let holder = lock_main(&schema, "locked");
    repo.add(common::schema(2)).unwrap();
    let e = times_out(|| repo.commit("second", "ada", Some(2)));
    assert_eq!(e.code.as_deref(), Some("55P03"), "{e}");
    assert!(
        e.message.contains("lock_timeout") && e.message.contains("300 ms"),
        "names the limit and its value: {e}"
    );
    assert_eq!(head(repo.store()), before, "the branch did not move");
    drop(holder);
    // The connection survived the server's timeout; the staged work too.
    repo.commit("second", "ada", Some(2)).unwrap();
    assert_eq!(repo.log(None).unwrap().len(), 2);
}

#[test]
fn statement_timeout_bounds_a_write_when_lock_timeout_is_off() {
    let schema = PgSchema::new();
    let url = schema.url_with("lock_timeout=0&statement_timeout=400");
    let mut repo = repository(open_store(&url, "slow", true).unwrap());
    let holder = lock_main(&schema, "slow");
    repo.add(common::schema(2)).unwrap();
    let e = times_out(|| repo.commit("second", "ada", Some(2)));
    assert_eq!(e.code.as_deref(), Some("57014"), "{e}");
    assert!(
        e.message.contains("statement_timeout") && e.message.contains("400 ms"),
        "{e}"
    );
    drop(holder);
    repo.commit("second", "ada", Some(2)).unwrap();
}

#[test]
fn a_table_locked_whole_times_out_reads_and_writes() {
    let schema = PgSchema::new();
    let url = schema.url_with("statement_timeout=500&lock_timeout=300");
    let store = open_store(&url, "table", true).unwrap();
    let repo = repository(store.clone());
    let Some(RefTarget::Id(first)) = head(&store) else {
        panic!("no commit")
    };
    let mut holder = Admin::connect(&schema.url);
    holder.execute("BEGIN; LOCK TABLE panproto_refs IN ACCESS EXCLUSIVE MODE");
    // A write waits for the table under lock_timeout, on the server.
    let e = times_out(|| {
        store.apply(&Transaction {
            objects: Vec::new(),
            edits: vec![RefEdit {
                name: "refs/heads/other".into(),
                expected: Expected::Absent,
                new: Some(RefTarget::Id(first)),
                message: "branch".into(),
            }],
            timestamp: 0,
        })
    });
    assert_eq!(e.code.as_deref(), Some("55P03"), "{e}");
    // A read too: the limits are the connection's settings.
    let e = times_out(|| repo.log(None));
    assert_eq!(e.code.as_deref(), Some("55P03"), "{e}");
    assert!(
        e.message.contains("lock_timeout") && e.message.contains("300 ms"),
        "{e}"
    );
    drop(holder);
    // The connection survived the server's timeouts.
    assert_eq!(repo.log(None).unwrap().len(), 1);
}

/// Sends SIGSTOP to a server process, and SIGCONT when it goes, even if the
/// test panics first.
struct Frozen(String);

impl Frozen {
    fn new(pid: &str) -> Self {
        signal("-STOP", pid);
        Self(pid.to_owned())
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal("-CONT", &self.0);
    }
}

fn signal(which: &str, pid: &str) {
    let status = Command::new("kill").args([which, pid]).status().unwrap();
    assert!(status.success(), "kill {which} {pid}: {status}");
}

#[test]
fn a_frozen_server_times_out_and_the_store_recovers() {
    let schema = PgSchema::new();
    let app = unique("frozen");
    let url = schema.url_with(&format!("statement_timeout=500&application_name={app}"));
    let store = open_store(&url, "frozen", true).unwrap();
    let mut repo = repository(store);
    // The store holds one idle connection: its server process is the one
    // with our application name.
    let pid = Admin::connect(&schema.url)
        .text(&format!(
            "SELECT pid::text FROM pg_stat_activity WHERE application_name = '{app}'"
        ))
        .expect("the store's connection is in pg_stat_activity");
    repo.add(common::schema(2)).unwrap();
    let frozen = Frozen::new(&pid);
    let e = times_out(|| repo.commit("second", "ada", Some(2)));
    assert_eq!(e.code, None, "{e}");
    assert!(
        e.message.contains("no answer") && e.message.contains("2500 ms"),
        "{e}"
    );
    // The frozen connection was dropped: the next call opens another, which
    // a live server process answers, while the first stays frozen.
    repo.commit("second", "ada", Some(2)).unwrap();
    assert_eq!(repo.log(None).unwrap().len(), 2);
    drop(frozen);
}

#[test]
fn a_server_that_never_answers_fails_after_connect_timeout() {
    // Accepts the connection (the kernel does), never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("postgresql://postgres@127.0.0.1:{port}/test?connect_timeout=1");
    let e = times_out(|| open_store(&url, "repo", true));
    assert!(
        e.message.contains("connect_timeout") && e.message.contains("1 s"),
        "{e}"
    );
    assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{e}");
}

#[test]
fn a_limit_that_is_not_a_number_is_a_bad_location() {
    for param in [
        "lock_timeout=5s",
        "statement_timeout=-1",
        "connect_timeout=ten",
    ] {
        let url = super::with_param(&super::url(), param);
        let err = open_store(&url, "repo", true).err().unwrap();
        let e = store_error(&err, "postgres");
        assert_eq!(e.kind, StoreErrorKind::BadLocation, "{param}: {err}");
        let key = param.split('=').next().unwrap();
        assert!(
            e.message.contains(key) && e.message.contains("whole number"),
            "{e}"
        );
    }
}
