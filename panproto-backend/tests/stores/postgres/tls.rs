//! Reaching a server as teams run it, against [`scratch`]'s cluster (which
//! refuses TCP connections without TLS): each `sslmode` as libpq documents
//! it, `sslrootcert` and libpq's default root certificate, a role with a
//! password given by the URL, `PGPASSWORD` or a password file, and the
//! other `PG*` variables. A password never shows in an error or a location.
//!
//! What comes from the environment is tested in a child process (this test
//! binary again, running one ignored test) with the variables set, since
//! setting them in this process would race with the other tests' threads.

use std::path::Path;
use std::process::Command;

use panproto_backend::store::{PostgresStore, open_store};
use panproto_core::vcs::store::Store;
use panproto_core::{StoreErrorKind, VcsError};

use super::scratch::{DATABASE, PASSWORD, ROLE, Scratch, scratch};
use crate::common::{store_error, unique};

fn open(url: &str) -> Result<PostgresStore, VcsError> {
    open_store(url, &unique("tls"), true)
}

/// Opens `url` and creates a repository there (a round trip on a fresh
/// connection, then writes).
fn works(url: &str) {
    let store = open(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    store.create("{}", 0).unwrap();
    assert!(!store.location().contains(PASSWORD), "{}", store.location());
    store.delete().unwrap();
}

/// The error opening `url` gives, which must be a store error.
fn fails(url: &str) -> panproto_core::StoreError {
    match open(url) {
        Ok(_) => panic!("{url} should fail"),
        Err(e) => {
            let err = store_error(&e, "postgres");
            assert!(!err.message.contains(PASSWORD), "{err}");
            err
        }
    }
}

fn superuser(s: &Scratch, host: &str, query: &str) -> String {
    s.url(host, "postgres", None, query)
}

#[test]
fn prefer_is_the_default_and_uses_tls() {
    let s = scratch();
    // The server refuses TCP without TLS, so connecting proves TLS.
    works(&superuser(s, "127.0.0.1", ""));
    works(&superuser(s, "127.0.0.1", "sslmode=prefer"));
}

#[test]
fn disable_is_refused_by_a_server_that_requires_tls() {
    let s = scratch();
    let err = fails(&superuser(s, "127.0.0.1", "sslmode=disable"));
    assert_eq!(err.kind, StoreErrorKind::Unavailable, "{err}");
    assert!(err.message.contains("no encryption"), "{err}");
    assert_eq!(err.code.as_deref(), Some("28000"), "{err}");
}

#[test]
fn allow_tries_without_tls_then_with_it() {
    works(&superuser(scratch(), "127.0.0.1", "sslmode=allow"));
}

#[test]
fn require_encrypts_without_checking_unless_a_root_certificate_exists() {
    let s = scratch();
    works(&superuser(s, "127.0.0.1", "sslmode=require"));
    let missing = s.dir.join("no-such.crt");
    works(&superuser(
        s,
        "127.0.0.1",
        &format!("sslmode=require&sslrootcert={}", missing.display()),
    ));
    // With a root certificate, require checks the chain (libpq's rule for
    // backward compatibility): the right authority passes, another fails.
    works(&superuser(
        s,
        "127.0.0.1",
        &format!("sslmode=require&sslrootcert={}", s.ca.display()),
    ));
    let err = fails(&superuser(
        s,
        "127.0.0.1",
        &format!("sslmode=require&sslrootcert={}", s.untrusted_ca.display()),
    ));
    assert!(err.message.contains("UnknownIssuer"), "{err}");
}

#[test]
fn verify_ca_checks_the_chain_but_not_the_name() {
    let s = scratch();
    works(&superuser(
        s,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", s.ca.display()),
    ));
    let err = fails(&superuser(
        s,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", s.untrusted_ca.display()),
    ));
    assert_eq!(err.kind, StoreErrorKind::Unavailable, "{err}");
    assert!(err.message.contains("certificate"), "{err}");
}

#[test]
fn verify_full_checks_the_chain_and_the_host_name() {
    let s = scratch();
    let ca = format!("sslmode=verify-full&sslrootcert={}", s.ca.display());
    // The certificate names localhost.
    works(&superuser(s, "localhost", &ca));
    let err = fails(&superuser(s, "127.0.0.1", &ca));
    assert_eq!(err.kind, StoreErrorKind::Unavailable, "{err}");
    assert!(err.message.contains("not valid for name"), "{err}");
    assert!(err.message.contains("127.0.0.1"), "{err}");
    let err = fails(&superuser(
        s,
        "localhost",
        &format!(
            "sslmode=verify-full&sslrootcert={}",
            s.untrusted_ca.display()
        ),
    ));
    assert!(err.message.contains("UnknownIssuer"), "{err}");
}

#[test]
fn verify_full_without_a_root_certificate_is_a_bad_location() {
    let s = scratch();
    let missing = s.dir.join("no-such.crt");
    let err = fails(&superuser(
        s,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", missing.display()),
    ));
    assert_eq!(err.kind, StoreErrorKind::BadLocation, "{err}");
    assert!(err.message.contains("no-such.crt"), "{err}");
}

#[test]
fn a_password_in_the_url_is_used_and_never_shown() {
    let s = scratch();
    works(&s.url("127.0.0.1", ROLE, Some(PASSWORD), ""));
    let wrong = "not-the-password";
    let err = match open(&s.url("127.0.0.1", ROLE, Some(wrong), "")) {
        Ok(_) => panic!("a wrong password should fail"),
        Err(e) => store_error(&e, "postgres"),
    };
    assert_eq!(err.kind, StoreErrorKind::Unavailable, "{err}");
    assert_eq!(err.code.as_deref(), Some("28P01"), "{err}");
    assert!(err.message.contains("PGPASSWORD"), "{err}");
    assert!(!err.message.contains(wrong), "{err}");
    // A malformed URL's error shows it redacted.
    let err = match open(&format!(
        "postgresql://{ROLE}:{PASSWORD}@127.0.0.1:notaport/{DATABASE}"
    )) {
        Ok(_) => panic!("a bad port should fail"),
        Err(e) => store_error(&e, "postgres"),
    };
    assert_eq!(err.kind, StoreErrorKind::BadLocation, "{err}");
    assert!(!err.message.contains(PASSWORD), "{err}");
}

#[test]
fn a_role_that_may_not_use_the_tables_is_told_so() {
    let s = scratch();
    // The superuser's database holds tables the superuser made.
    works(&superuser(s, "127.0.0.1", ""));
    let url = s
        .url("127.0.0.1", ROLE, Some(PASSWORD), "")
        .replace(&format!("/{DATABASE}"), "/postgres");
    let err = match open_store(&url, &unique("denied"), false) {
        Ok(_) => panic!("{url} should be refused"),
        Err(e) => store_error(&e, "postgres"),
    };
    assert_eq!(err.code.as_deref(), Some("42501"), "{err}");
    assert!(err.message.contains("GRANT"), "{err}");
    assert!(err.message.contains(ROLE), "{err}");
}

// ------------------------------------------------------------ the environment

/// The child's URL, its expected outcome, and the text its error must hold.
const CHILD_URL: &str = "PANPROTO_TEST_CHILD_URL";
const CHILD_FAILS_WITH: &str = "PANPROTO_TEST_CHILD_FAILS_WITH";

/// Run by [`in_child`] only: opens the URL the parent gave with the
/// environment the parent set, and checks the outcome it expects.
#[test]
#[ignore = "run by the environment tests in a child process"]
fn child_opens_a_store() {
    let url = std::env::var(CHILD_URL).expect("run by in_child");
    match (open(&url), std::env::var(CHILD_FAILS_WITH).ok()) {
        (Ok(store), None) => {
            store.create("{}", 0).unwrap();
            store.delete().unwrap();
        }
        (Ok(_), Some(text)) => panic!("{url} opened, but should fail with {text:?}"),
        (Err(e), None) => panic!("{url}: {e}"),
        (Err(e), Some(text)) => {
            let message = e.to_string();
            assert!(message.contains(&text), "{message}");
            assert!(!message.contains(PASSWORD), "{message}");
        }
    }
}

/// Runs [`child_opens_a_store`] in a child with `url`, the variables `env`
/// (and nothing of libpq's from this process), and `HOME` set to `home`.
fn in_child(url: &str, env: &[(&str, &str)], home: &Path, fails_with: Option<&str>) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--ignored", "--exact", "--test-threads=1"])
        .arg("postgres::tls::child_opens_a_store");
    for (key, _) in std::env::vars() {
        if key.starts_with("PG") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home).env(CHILD_URL, url);
    if let Some(text) = fails_with {
        cmd.env(CHILD_FAILS_WITH, text);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the child failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An empty home directory of the test's own.
fn home(tag: &str) -> std::path::PathBuf {
    let home = std::env::temp_dir().join(unique(tag));
    std::fs::create_dir_all(&home).unwrap();
    home
}

#[test]
fn libpq_variables_fill_in_what_the_url_leaves_out() {
    let s = scratch();
    let home = home("pg-env");
    let port = s.port.to_string();
    let ca = s.ca.display().to_string();
    let env = [
        ("PGHOST", "localhost"),
        ("PGPORT", port.as_str()),
        ("PGUSER", ROLE),
        ("PGDATABASE", DATABASE),
        ("PGPASSWORD", PASSWORD),
        ("PGSSLMODE", "verify-full"),
        ("PGSSLROOTCERT", ca.as_str()),
    ];
    in_child("postgresql://", &env, &home, None);
    // The URL wins over the variables: 127.0.0.1 is not the name the
    // certificate holds, so verify-full (from PGSSLMODE) fails there.
    in_child(
        &format!("postgresql://127.0.0.1:{port}"),
        &env,
        &home,
        Some("not valid for name"),
    );
    std::fs::remove_dir_all(home).unwrap();
}

#[test]
fn the_password_file_is_read_as_libpq_reads_it() {
    let s = scratch();
    let home = home("pg-pass");
    let url = s.url("127.0.0.1", ROLE, None, "");
    let line = format!("127.0.0.1:{}:{DATABASE}:{ROLE}:{PASSWORD}\n", s.port);
    // ~/.pgpass, only when only its owner may read it.
    let default = home.join(".pgpass");
    write_mode(
        &default,
        &format!("# a comment\n*:*:other:*:wrong\n{line}"),
        0o600,
    );
    in_child(&url, &[], &home, None);
    write_mode(&default, &line, 0o644);
    in_child(&url, &[], &home, Some("~/.pgpass"));
    std::fs::remove_file(&default).unwrap();
    // PGPASSFILE names another file.
    let named = home.join("passwords");
    write_mode(&named, &line, 0o600);
    let named_env = named.display().to_string();
    in_child(&url, &[("PGPASSFILE", named_env.as_str())], &home, None);
    std::fs::remove_dir_all(home).unwrap();
}

#[test]
fn the_default_root_certificate_is_home_postgresql_root_crt() {
    let s = scratch();
    let home = home("pg-root");
    let url = superuser(s, "localhost", "sslmode=verify-full");
    in_child(&url, &[], &home, Some("root.crt"));
    std::fs::create_dir_all(home.join(".postgresql")).unwrap();
    std::fs::copy(&s.ca, home.join(".postgresql").join("root.crt")).unwrap();
    in_child(&url, &[], &home, None);
    std::fs::remove_dir_all(home).unwrap();
}

fn write_mode(path: &Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
