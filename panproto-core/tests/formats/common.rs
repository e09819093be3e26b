//! What every format's tests share: the corpus, and the round trip.

use std::path::PathBuf;

use panproto_core::{Format, FormatOptions, Schema, Source};

/// The corpus folder of one format (`../shared/corpus/<name>` beside the
/// repository).
pub fn corpus(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(name);
    assert!(dir.is_dir(), "the corpus is missing: {}", dir.display());
    dir
}

/// The corpus files of one format whose names end in `ext`, sorted.
pub fn corpus_files(name: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {ext} files in the {name} corpus");
    files
}

/// Parses `source`, emits it, parses the emitted files, and checks the two
/// schemas are equal; returns the first schema.
pub fn round_trip(format: Format, source: &Source) -> Schema {
    let options = FormatOptions::default();
    let first = format
        .parse(source, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", source.origin()));
    let emitted = format
        .emit(&first, &options)
        .unwrap_or_else(|e| panic!("{}: emit: {e}", source.origin()));
    let again = Source::from_files(source.origin(), emitted.files.clone());
    let second = format.parse(&again, &options).unwrap_or_else(|e| {
        panic!(
            "{}: the emitted text does not parse: {e}\n{}",
            source.origin(),
            emitted
                .files
                .values()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n----\n")
        )
    });
    if first != second {
        let changes = panproto_core::diff(&first, &second);
        panic!(
            "{}: parse(emit(parse(f))) differs from parse(f):\n{}",
            source.origin(),
            changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    first
}

/// The result of running a format's reference tool.
pub enum Oracle {
    /// The tool ran; its verdict: `Ok` accepted, `Err(output)` refused.
    Ran(Result<(), String>),
    /// The tool is not installed here and `PANPROTO_REQUIRE_ORACLES` is
    /// unset (a plain `cargo test`): the caller prints why and checks
    /// nothing more. `cargo tasks test` installs every tool and sets it.
    Missing(String),
}

/// Runs `program` with `args` (in `dir`), as an oracle.
pub fn run_oracle(program: &str, args: &[&str], dir: &std::path::Path) -> Oracle {
    match std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
    {
        Ok(out) if out.status.success() => Oracle::Ran(Ok(())),
        Ok(out) => Oracle::Ran(Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))),
        Err(e) if std::env::var_os("PANPROTO_REQUIRE_ORACLES").is_some() => {
            panic!("the oracle {program} cannot run: {e}")
        }
        Err(e) => Oracle::Missing(format!(
            "{program} cannot run ({e}); `cargo tasks test` installs it"
        )),
    }
}

/// Runs a Python oracle script (`python -c script args...`) with the
/// oracle venv's interpreter (`PANPROTO_ORACLE_PYTHON`); without it, with
/// `python3` if that has the module, else [`Oracle::Missing`].
pub fn run_python_oracle(
    module: &str,
    script: &str,
    args: &[&str],
    dir: &std::path::Path,
) -> Oracle {
    let python = std::env::var("PANPROTO_ORACLE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let has_module = std::process::Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_module {
        if std::env::var_os("PANPROTO_REQUIRE_ORACLES").is_some() {
            panic!("the oracle module {module} is not importable by {python}");
        }
        return Oracle::Missing(format!(
            "{python} has no module {module}; `cargo tasks test` installs it"
        ));
    }
    let mut full = vec!["-c", script];
    full.extend_from_slice(args);
    run_oracle(&python, &full, dir)
}

/// A fresh directory under the system's temp dir, unique within this
/// process as well (the tests of a binary run at once).
pub fn scratch_dir(tag: &str) -> PathBuf {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("panproto-{tag}-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs an oracle that judges many pairs in one process: `command`, with
/// the path of a JSON file holding `pairs` appended; its output is a JSON
/// list, one answer per pair.
pub fn run_pairs_oracle(
    mut command: std::process::Command,
    pairs: &impl serde::Serialize,
) -> Vec<serde_json::Value> {
    let dir = scratch_dir("pairs");
    let input = dir.join("pairs.json");
    std::fs::write(&input, serde_json::to_string(pairs).unwrap()).unwrap();
    let out = command.arg(&input).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        answers.len(),
        serde_json::to_value(pairs)
            .unwrap()
            .as_array()
            .map_or(0, Vec::len)
    );
    answers
}
