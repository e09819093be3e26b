//! The tasks themselves; each is a sequence of named steps.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use serde_json::Value as Json;

use crate::error::{Context, Result, fail};
use crate::oracles;
use crate::paths;
use crate::proc;
use crate::project::{self, BACKENDS, Backend};
use crate::python::{self, Venv};

/// The backends a task covers: one named, or all.
fn selected(name: Option<&str>) -> Result<Vec<Backend>> {
    match name {
        Some(name) => Ok(vec![project::backend(name)?]),
        None => Ok(BACKENDS.to_vec()),
    }
}

/// `build`: render, then the backend wheels and the dispatcher wheel into the wheelhouse.
pub fn build(backend: Option<&str>) -> Result {
    let backends = selected(backend)?;
    project::generate()?;
    let tools = python::tools()?;
    fs::create_dir_all(paths::wheelhouse())
        .context(|| format!("creating {}", paths::wheelhouse().display()))?;
    for b in &backends {
        python::build_backend_wheel(&tools, b)?;
    }
    python::build_dispatcher_wheel(&tools)?;
    eprintln!("\nwheels are in {}", paths::wheelhouse().display());
    Ok(())
}

/// Creates (or reuses) `target/venvs/<backend>`, installs the test
/// requirements from PyPI and `panproto[<backend>]` from the wheelhouse.
fn install(b: &Backend) -> Result<Venv> {
    let venv = Venv::named(b.name);
    venv.ensure()?;
    python::check_python(&venv)?;
    venv.ensure_requirements("test-requirements", &python::test_requirements()?)?;
    python::install_from_wheelhouse(&venv, Some(b.name))?;
    Ok(venv)
}

/// `develop`: build this backend and the dispatcher, then install them.
pub fn develop(backend: &str) -> Result<Venv> {
    build(Some(backend))?;
    let b = project::backend(backend)?;
    let venv = install(&b)?;
    eprintln!(
        "\npanproto[{}] is installed in {}; activate it with\n    source {}",
        b.name,
        venv.dir.display(),
        venv.dir.join("bin/activate").display()
    );
    Ok(venv)
}

/// Counts from a pytest JUnit XML report.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tests: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
}

impl Counts {
    fn passed(&self) -> u64 {
        self.tests
            .saturating_sub(self.failures + self.errors + self.skipped)
    }
}

/// Reads the totals of the first `<testsuite …>` element.
fn junit_counts(xml: &str) -> Result<Counts> {
    let start = xml
        .find("<testsuite ")
        .ok_or_else(|| fail("no <testsuite> element in the pytest report"))?;
    let tag = &xml[start..start + xml[start..].find('>').unwrap_or(xml.len() - start)];
    let attr = |name: &str| -> u64 {
        let key = format!(" {name}=\"");
        tag.find(&key)
            .and_then(|i| {
                let rest = &tag[i + key.len()..];
                rest[..rest.find('"')?].parse().ok()
            })
            .unwrap_or(0)
    };
    Ok(Counts {
        tests: attr("tests"),
        failures: attr("failures"),
        errors: attr("errors"),
        skipped: attr("skipped"),
    })
}

/// The pure-Python sources ruff checks (relative to the workspace root).
const PYTHON_SOURCES: [&str; 4] = [
    "panproto",
    "python-tests",
    "tasks/demo.py",
    "tasks/bench_lift_many.py",
];

/// `cargo fmt --check`, then `cargo clippy -- -D warnings` over every
/// crate and feature set, with the lint set of `[workspace.lints]`.
fn lint(root: &std::path::Path) -> Result {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args(["fmt", "--all", "--check"]);
    proc::run("cargo fmt --check", &mut cmd)?;
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args([
        "clippy",
        "--workspace",
        "--exclude",
        "panproto-backend",
        "--all-targets",
        "--features",
        "panproto-core/conformance",
        "--",
        "-D",
        "warnings",
    ]);
    proc::run("cargo clippy: workspace (core, tasks)", &mut cmd)?;
    for b in &BACKENDS {
        let features = format!("{},python", b.name);
        let mut cmd = Command::new(cargo());
        cmd.current_dir(root).args([
            "clippy",
            "-p",
            "panproto-backend",
            "--all-targets",
            "--features",
            &features,
            "--",
            "-D",
            "warnings",
        ]);
        proc::run(
            &format!("cargo clippy: panproto-backend --features {features}"),
            &mut cmd,
        )?;
    }
    Ok(())
}

/// `test`: everything.
pub fn test(backend: Option<&str>, skip_rust: bool, pytest_args: &[String]) -> Result {
    let backends = selected(backend)?;
    let root = paths::root();
    if !skip_rust {
        lint(&root)?;
        let oracles = oracles::env()?;
        let mut cmd = Command::new(cargo());
        cmd.current_dir(&root)
            .args(["test", "--workspace", "--exclude", "panproto-backend"])
            .envs(oracles);
        proc::run("Rust tests: workspace (core, tasks)", &mut cmd)?;
        for b in &BACKENDS {
            if b.name == "postgres" {
                // Its tests put PgBouncer in front of a cluster of their own.
                oracles::ensure_pgbouncer()?;
            }
            let mut cmd = Command::new(cargo());
            cmd.current_dir(&root)
                .args(["test", "-p", "panproto-backend", "--features", b.name]);
            proc::run(
                &format!("Rust tests: panproto-backend --features {}", b.name),
                &mut cmd,
            )?;
        }
    }

    build(backend)?;
    let tools = python::tools()?;

    // Static checks of the pure-Python sources.
    let mut cmd = Command::new(tools.bin("ruff"));
    cmd.current_dir(&root).arg("check").args(PYTHON_SOURCES);
    proc::run("ruff check (dispatcher, tests, demo)", &mut cmd)?;
    let mut cmd = Command::new(tools.bin("ruff"));
    cmd.current_dir(&root)
        .args(["format", "--check"])
        .args(PYTHON_SOURCES);
    proc::run("ruff format --check (dispatcher, tests, demo)", &mut cmd)?;
    // mypy runs on the rendered dispatcher, which holds the rendered API stub.
    let mut cmd = Command::new(tools.bin("mypy"));
    cmd.current_dir(project::dispatcher_dir()).args([
        "--strict",
        "--python-version",
        "3.10",
        "--no-incremental",
        "-p",
        "panproto",
    ]);
    proc::run("mypy --strict on the dispatcher package", &mut cmd)?;

    // The dispatcher alone, for the "no backend installed" tests.
    let bare = Venv::named("bare");
    bare.ensure()?;
    python::install_from_wheelhouse(&bare, None)?;

    let results_dir = paths::target().join("test-results");
    fs::create_dir_all(&results_dir).context(|| format!("creating {}", results_dir.display()))?;
    // Every backend runs even when an earlier one failed; the failures are
    // listed together at the end.
    let mut summary: Vec<(&str, Option<Counts>)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let browser = oracles::ensure_chromium()?;
    for b in &backends {
        let counts = match python_suite(b, &bare, &results_dir, pytest_args, &browser) {
            Ok(counts) => Some(counts),
            Err(e) => {
                failures.push(e.to_string());
                fs::read_to_string(results_dir.join(format!("{}.xml", b.name)))
                    .ok()
                    .and_then(|xml| junit_counts(&xml).ok())
            }
        };
        summary.push((b.name, counts));
    }

    eprintln!("\nPython test summary:");
    eprintln!(
        "  {:10} {:>7} {:>7} {:>7} {:>7}",
        "backend", "passed", "failed", "errors", "skipped"
    );
    for (name, c) in &summary {
        match c {
            Some(c) => eprintln!(
                "  {:10} {:>7} {:>7} {:>7} {:>7}",
                name,
                c.passed(),
                c.failures,
                c.errors,
                c.skipped
            ),
            None => eprintln!("  {name:10} (no report)"),
        }
    }
    if !failures.is_empty() {
        return Err(fail(failures.join("\n")));
    }
    eprintln!("\nall tests passed");
    Ok(())
}

/// One backend's Python checks: install, stubtest, pytest; the counts of its run.
fn python_suite(
    b: &Backend,
    bare: &Venv,
    results_dir: &std::path::Path,
    pytest_args: &[String],
    env: &[(String, String)],
) -> Result<Counts> {
    let root = paths::root();
    let venv = install(b)?;

    let mut cmd = Command::new(venv.python());
    cmd.current_dir(results_dir)
        .args([
            "-m",
            "mypy.stubtest",
            &format!("{}._native", b.module()),
            "--allowlist",
        ])
        .arg(paths::templates().join("stubtest-allowlist.txt"));
    proc::run(
        &format!("stubtest: {}._native against its stub", b.module()),
        &mut cmd,
    )?;

    let report = results_dir.join(format!("{}.xml", b.name));
    let _ = fs::remove_file(&report);
    let mut cmd = Command::new(venv.python());
    // Run from python-tests/ so the source tree's `panproto/` folder is
    // not on sys.path: the tests must see the installed wheels.
    cmd.current_dir(root.join("python-tests"))
        .args(["-m", "pytest", "-p", "no:cacheprovider", "--junitxml"])
        .arg(&report)
        .args(pytest_args)
        .env("PANPROTO_BACKEND", b.name)
        .env("PANPROTO_BARE_PYTHON", bare.python())
        .env("PANPROTO_ROOT", &root)
        .envs(env.iter().map(|(k, v)| (k, v)));
    proc::run(
        &format!("pytest python-tests on the {} backend", b.name),
        &mut cmd,
    )?;
    let xml = fs::read_to_string(&report)
        .context(|| format!("pytest wrote no report at {}", report.display()))?;
    let counts = junit_counts(&xml)?;
    if counts.tests == 0 {
        return Err(fail(format!(
            "pytest on the {} backend collected no tests",
            b.name
        )));
    }
    if b.name == "postgres" && counts.skipped > 0 {
        return Err(fail(format!(
            "pytest on the postgres backend skipped {} test(s); the PostgreSQL run must skip none \
             (set PANPROTO_TEST_POSTGRES_URL to a reachable server)",
            counts.skipped
        )));
    }
    Ok(counts)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// `bench`: both backends' benchmarks, side by side.
pub fn bench() -> Result {
    let root = paths::root();
    let pg_url = std::env::var("PANPROTO_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("PANPROTO_TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned());
    let mut records: Vec<Json> = Vec::new();
    // The formats' reference tools run beside panproto's parsers, and the
    // report's page is opened in Chromium.
    let mut oracles = oracles::env()?;
    oracles.extend(oracles::ensure_chromium()?);
    for b in &BACKENDS {
        let mut cmd = Command::new(cargo());
        cmd.envs(oracles.iter().map(|(k, v)| (k, v)));
        // The whole-process checks run the backend's own `panproto` command.
        cmd.env(
            "PANPROTO_BENCH_CLI",
            paths::venvs().join(b.name).join("bin").join("panproto"),
        );
        cmd.current_dir(&root)
            .args([
                "run",
                "--release",
                "-p",
                "panproto-backend",
                "--features",
                b.name,
                "--bin",
                "panproto-bench",
            ])
            .env("PANPROTO_BENCH_POSTGRES_URL", &pg_url);
        let mut out =
            proc::run_capturing_stdout(&format!("benchmarks: {} backend", b.name), &mut cmd)?;
        // The Python side (`lift_many` from and to dicts), in the backend's own venv.
        let venv = develop(b.name)?;
        let mut py = Command::new(venv.python());
        py.arg(root.join("tasks").join("bench_lift_many.py"))
            .env("PANPROTO_BACKEND", b.name)
            .env("PANPROTO_TEST_POSTGRES_URL", &pg_url);
        out.push_str(&proc::run_capturing_stdout(
            &format!("benchmarks: {} backend, Python", b.name),
            &mut py,
        )?);
        for line in out.lines().filter(|l| !l.trim().is_empty()) {
            let record: Json = serde_json::from_str(line).map_err(|e| {
                fail(format!(
                    "benchmarks: {} printed a line that is not JSON ({e}): {line}",
                    b.name
                ))
            })?;
            records.push(record);
        }
    }

    // One row per benchmark (in first-seen order), one column per backend.
    let mut order: Vec<String> = Vec::new();
    let mut cells: BTreeMap<(String, String), &Json> = BTreeMap::new();
    for r in &records {
        let bench = r["bench"].as_str().unwrap_or("?").to_owned();
        let backend = r["backend"].as_str().unwrap_or("?").to_owned();
        if !order.contains(&bench) {
            order.push(bench.clone());
        }
        cells.insert((bench, backend), r);
    }
    let fmt = |v: &Json| match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Some(x) => format!("{x:.3}"),
        None => v.to_string(),
    };
    let width = order.iter().map(String::len).max().unwrap_or(5).max(5);
    println!(
        "\n{:width$}  {:>14}  {:>14}  {:>10}  target",
        "bench", "sqlite", "postgres", "unit"
    );
    for bench in &order {
        let mut row = format!("{bench:width$}");
        let mut unit = String::new();
        let mut target = String::new();
        for b in &BACKENDS {
            match cells.get(&(bench.clone(), b.name.to_owned())) {
                Some(r) => {
                    row.push_str(&format!("  {:>14}", fmt(&r["value"])));
                    unit = r["unit"].as_str().unwrap_or("").to_owned();
                    if !r["target"].is_null() {
                        target = match &r["target"] {
                            Json::String(s) => s.clone(),
                            other => fmt(other),
                        };
                    }
                }
                None => row.push_str(&format!("  {:>14}", "-")),
            }
        }
        println!("{row}  {unit:>10}  {target}");
    }
    let path = paths::target().join("bench.json");
    let doc = serde_json::json!({ "version": project::python_version(), "results": records });
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| fail(format!("encoding bench.json: {e}")))?;
    fs::write(&path, text + "\n").context(|| format!("writing {}", path.display()))?;
    eprintln!("\nresults written to {}", path.display());
    Ok(())
}

/// `demo`: the main job on SQLite.
pub fn demo() -> Result {
    let venv = develop("sqlite")?;
    let mut cmd = Command::new(venv.python());
    cmd.arg(paths::root().join("tasks").join("demo.py"))
        .current_dir(std::env::temp_dir());
    cmd.env_remove("PANPROTO_BACKEND");
    proc::run(
        "demo: a schema history on an embedded SQLite file",
        &mut cmd,
    )
}

/// `scrub`: remove the generated folders, keep the cargo cache.
pub fn scrub() -> Result {
    proc::announce("scrub: remove generated folders (the cargo build cache stays)");
    for dir in [
        paths::python_projects(),
        paths::wheelhouse(),
        paths::venvs(),
        paths::target().join("test-results"),
    ] {
        python::remove_dir(&dir)?;
    }
    let bench = paths::target().join("bench.json");
    if bench.exists() {
        fs::remove_file(&bench).context(|| format!("removing {}", bench.display()))?;
        eprintln!("    removed {}", bench.display());
    }
    Ok(())
}

/// The message `panproto-backend`'s `compile_error!` prints.
const FEATURE_ERROR: &str = "enable exactly one of the features `sqlite` and `postgres`";

/// `check`: each store feature alone builds; both and neither fail clearly.
pub fn check() -> Result {
    let root = paths::root();
    for b in &BACKENDS {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(&root)
            .args(["build", "-p", "panproto-backend", "--features", b.name]);
        proc::run(
            &format!(
                "check: panproto-backend builds with --features {} alone",
                b.name
            ),
            &mut cmd,
        )?;
    }
    let forbidden: [(&str, &[&str]); 2] = [
        ("both store features", &["--features", "sqlite,postgres"]),
        ("no store feature", &[]),
    ];
    for (what, args) in forbidden {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(&root)
            .args(["build", "-p", "panproto-backend", "--lib"])
            .args(args);
        let out = proc::capture(&format!("check: {what} must fail to build"), &mut cmd)?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            return Err(fail(format!(
                "check: building panproto-backend with {what} succeeded; it must fail"
            )));
        }
        let Some(line) = stderr.lines().find(|l| l.contains(FEATURE_ERROR)) else {
            eprintln!("{stderr}");
            return Err(fail(format!(
                "check: building with {what} failed, but not with the compile_error! message {FEATURE_ERROR:?}"
            )));
        };
        eprintln!("    failed as it must: {}", line.trim());
    }
    eprintln!("\ncheck passed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_counts_reads_the_first_suite() {
        let xml = r#"<?xml version="1.0"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="2" skipped="3" tests="10" time="1.0"></testsuite></testsuites>"#;
        let c = junit_counts(xml).unwrap();
        assert_eq!(
            (c.tests, c.failures, c.errors, c.skipped, c.passed()),
            (10, 2, 1, 3, 4)
        );
    }
}
