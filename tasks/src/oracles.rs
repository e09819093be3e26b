//! The formats' reference tools, which the format tests run as oracles.
//!
//! Python ones (graphql-core, jsonschema, fastavro) go into
//! `target/venvs/oracles` from `tasks/oracles.txt`; `protoc` comes from
//! Debian's `protobuf-compiler` and the well-known types it imports
//! (`google/protobuf/descriptor.proto`...) from `libprotobuf-dev`, installed
//! with apt-get when either is missing and this runs as root (as CI does).
//! Those from npm (`buf`) are pinned by `tasks/oracles-npm/package-lock.json`
//! and installed with `npm ci` into `target/oracles-npm`. [`env`] gives the variables the Rust
//! tests read: where the tools are, and that a missing tool is a failure
//! rather than a skip.

use std::process::Command;

use crate::error::{Result, fail};
use crate::paths;
use crate::proc;
use crate::python::Venv;

/// The Debian packages and versions `protoc` and its well-known types come
/// from (Debian 12's).
const PROTOC_PACKAGES: [&str; 2] = [
    "protobuf-compiler=3.21.12-3+deb12u1",
    "libprotobuf-dev=3.21.12-3+deb12u1",
];

/// A well-known type `protoc` finds on its default include path only when
/// `libprotobuf-dev` is installed; the emitted corpus imports it.
const WELL_KNOWN_TYPE: &str = "/usr/include/google/protobuf/descriptor.proto";

/// The oracle venv's requirements (`tasks/oracles.txt`).
fn requirements() -> Result<Vec<String>> {
    crate::python::requirements_file(&paths::root().join("tasks").join("oracles.txt"))
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Installs Debian's `packages` (for `what`) unless `present`, when we may
/// (root, apt-get present); the package index is updated once per run.
fn ensure_debian(what: &str, present: bool, packages: &[&str]) -> Result {
    if present {
        return Ok(());
    }
    let list = packages.join(" ");
    if !is_root() || !have("apt-get") {
        return Err(fail(format!("{what} is missing: install Debian's {list}")));
    }
    static UPDATED: std::sync::Once = std::sync::Once::new();
    let mut updated = Ok(());
    UPDATED.call_once(|| {
        updated = proc::run(
            "apt-get update",
            Command::new("apt-get").args(["update", "-qq"]),
        );
    });
    updated?;
    proc::run(
        &format!("apt-get install {list}"),
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages),
    )
}

/// `protoc` and its well-known types (the format tests run protoc).
fn ensure_protoc() -> Result {
    let present = have("protoc") && std::path::Path::new(WELL_KNOWN_TYPE).is_file();
    ensure_debian("protoc or its well-known types", present, &PROTOC_PACKAGES)
}

/// The Debian package and version of PgBouncer (Debian 12's), which the
/// PostgreSQL store tests put in front of their own cluster.
const PGBOUNCER_PACKAGE: &str = "pgbouncer=1.18.0-1+deb12u1";

/// The oldest Chromium (its major version) the Python tests open `report
/// --html`'s page in, headless. Not an exact version, as for the other
/// packages: Debian 12 ships Chromium in bookworm-security only, and keeps
/// only the newest there, so a pinned version is gone from the archive
/// within weeks (156.0.8078.114 was, in six days). The one installed is
/// printed.
const CHROMIUM_MIN_MAJOR: u32 = 156;

/// Chromium's major version, from `chromium --version` ("Chromium
/// 156.0.8078.129 built on Debian ...").
fn chromium_major() -> Result<u32> {
    let out = Command::new("chromium")
        .arg("--version")
        .output()
        .map_err(|e| fail(format!("cannot run chromium --version: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    println!("{text}");
    text.split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').next())
        .and_then(|major| major.parse().ok())
        .ok_or_else(|| {
            fail(format!(
                "chromium --version printed {text:?}, not a version"
            ))
        })
}

/// Chromium, for the report's browser test; returns the variables that
/// tell the tests where it is and that it is required.
pub fn ensure_chromium() -> Result<Vec<(String, String)>> {
    ensure_debian(
        "chromium (the report test opens its page in it)",
        have("chromium"),
        &["chromium"],
    )?;
    let major = chromium_major()?;
    if major < CHROMIUM_MIN_MAJOR {
        return Err(fail(format!(
            "chromium {major} is older than {CHROMIUM_MIN_MAJOR}, the oldest the report test \
             was checked with: install a newer one (Debian's bookworm-security)"
        )));
    }
    Ok(vec![
        ("PANPROTO_CHROMIUM".to_owned(), "chromium".to_owned()),
        ("PANPROTO_REQUIRE_CHROMIUM".to_owned(), "1".to_owned()),
    ])
}

/// PgBouncer, for the PostgreSQL store tests.
pub fn ensure_pgbouncer() -> Result {
    ensure_debian(
        "pgbouncer (the PostgreSQL store tests run one)",
        have("pgbouncer"),
        &[PGBOUNCER_PACKAGE],
    )
}

/// Installs the npm oracles into `target/oracles-npm` when its lock file
/// differs from `tasks/oracles-npm`'s (or nothing is installed yet);
/// returns the directory they are installed in.
fn ensure_npm() -> Result<std::path::PathBuf> {
    let source = paths::root().join("tasks").join("oracles-npm");
    let dir = paths::target().join("oracles-npm");
    let lock = "package-lock.json";
    let wanted = std::fs::read(source.join(lock))
        .map_err(|e| fail(format!("cannot read tasks/oracles-npm/{lock}: {e}")))?;
    let installed = std::fs::read(dir.join(lock)).ok();
    let installed_buf = dir.join("node_modules").join(".bin").join("buf");
    let up_to_date = installed.as_deref() == Some(wanted.as_slice()) && installed_buf.is_file();
    // Every file is copied each time (they are small, and node resolves a
    // script's imports from where the script is); `npm ci` then installs
    // what the lock file pins, when it changed.
    std::fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let files = std::fs::read_dir(&source)
        .map_err(|e| fail(format!("cannot read tasks/oracles-npm: {e}")))?;
    for file in files.flatten().filter(|f| f.path().is_file()) {
        let name = file.file_name();
        std::fs::copy(file.path(), dir.join(&name)).map_err(|e| {
            fail(format!(
                "cannot copy tasks/oracles-npm/{}: {e}",
                name.to_string_lossy()
            ))
        })?;
    }
    if !up_to_date {
        proc::run(
            "npm ci (the npm oracles: buf, graphql-inspector)",
            Command::new("npm")
                .current_dir(&dir)
                .args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    Ok(dir)
}

/// Makes every oracle available; returns the environment the format
/// tests read: `PANPROTO_ORACLE_PYTHON` (the venv's interpreter),
/// `PANPROTO_ORACLE_BUF` (buf), `PANPROTO_ORACLE_INSPECTOR` (the script
/// running graphql-inspector's diff) and `PANPROTO_REQUIRE_ORACLES=1` (a missing
/// tool fails the test).
pub fn env() -> Result<Vec<(String, String)>> {
    ensure_protoc()?;
    let npm = ensure_npm()?;
    let bin = npm.join("node_modules").join(".bin");
    let venv = Venv::named("oracles");
    venv.ensure()?;
    venv.ensure_requirements("oracles", &requirements()?)?;
    Ok(vec![
        (
            "PANPROTO_ORACLE_PYTHON".to_owned(),
            venv.python().display().to_string(),
        ),
        (
            "PANPROTO_ORACLE_BUF".to_owned(),
            bin.join("buf").display().to_string(),
        ),
        (
            "PANPROTO_ORACLE_INSPECTOR".to_owned(),
            npm.join("inspector-diff.mjs").display().to_string(),
        ),
        ("PANPROTO_REQUIRE_ORACLES".to_owned(), "1".to_owned()),
    ])
}
