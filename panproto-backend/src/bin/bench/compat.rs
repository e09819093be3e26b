//! The compatibility benchmarks: checking a candidate against a branch of
//! 1,000 versions of a 1,000-message Protobuf schema (`FULL_TRANSITIVE`),
//! a commit under a `BACKWARD_TRANSITIVE` policy on that branch; and, as
//! whole processes, `panproto check` on a real `.proto` pair and on two
//! 1.2 MB SDLs, beside `buf breaking` and `graphql-inspector diff` on the
//! same pairs when they are installed (`cargo tasks bench` installs them,
//! and says where the `panproto` command is in `PANPROTO_BENCH_CLI`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use panproto_core::{Format, FormatOptions, Mode, Protocol, Repository, Schema, Source};

use panproto_backend::store::{BackendStore, open_store};

use super::{BenchResult, Place, emit, init, median, ms};

/// A `.proto` of `messages` messages of three fields each.
fn proto(messages: usize) -> String {
    let mut out = String::from("syntax = \"proto3\";\npackage bench;\n");
    for m in 0..messages {
        out.push_str(&format!(
            "\nmessage M{m} {{\n  int64 id = 1;\n  string name = 2;\n  repeated string tags = 3;\n}}\n"
        ));
    }
    out
}

/// `schema` with field `f{n}` (number `n + 10`) added to message `M{n % messages}`.
fn plus_field(schema: &Schema, n: usize, messages: usize) -> BenchResult<Schema> {
    let message = format!("bench.M{}", n % messages);
    let field = format!("{message}.f{n}");
    Ok(schema
        .to_builder()
        .vertex(field.clone(), "int32", None)
        .edge(message, field.clone(), "field", Some(format!("f{n}")))
        .constraint(field, "field-number", (n + 10).to_string())
        .build()?)
}

pub(super) fn run(_: &Arc<Protocol>) -> BenchResult<()> {
    history()?;
    processes()?;
    Ok(())
}

/// A branch of 1,000 versions; the transitive check and commit on it.
fn history() -> BenchResult<()> {
    const MESSAGES: usize = 1000;
    const VERSIONS: usize = 1000;
    let protocol = panproto_core::builtin_protocol("protobuf")?;
    let place = Place::new("compat")?;
    let mut repo = init(&place, &protocol)?;
    let mut schema = Format::Protobuf.parse(
        &Source::from_text("bench.proto", proto(MESSAGES)),
        &FormatOptions::default(),
    )?;
    let vertices = schema.vertices().len();
    repo.add(schema.clone())?;
    repo.commit("v0", "bench", None)?;
    for n in 1..VERSIONS {
        schema = plus_field(&schema, n, MESSAGES)?;
        repo.add(schema.clone())?;
        repo.commit(&format!("v{n}"), "bench", None)?;
    }
    let tip = repo.head_commit()?.ok_or("no head")?;
    let candidate = plus_field(&schema, VERSIONS, MESSAGES)?;
    // Each check on a newly opened handle: nothing judged before, as in a
    // `panproto check --against` process.
    let mut times = Vec::new();
    for _ in 0..3 {
        let mut fresh = Repository::open(open_store(&place.location, "bench", false)?)?;
        let t = Instant::now();
        let check = fresh.check_history(&candidate, &tip, Mode::FullTransitive)?;
        times.push(ms(t.elapsed()));
        assert!(check.compatible() && check.checked.len() == VERSIONS);
    }
    emit(
        "check_full_transitive_1000",
        median(times),
        "ms",
        &format!(
            "< 200 ms (median of 3, each on a newly opened repository; {VERSIONS} versions of {MESSAGES} messages, {vertices} vertices)"
        ),
    );
    repo.set_policy(Mode::BackwardTransitive, Some("main"), "bench")?;
    drop(repo);
    // Cold: each commit by a newly opened handle, as each `panproto commit`
    // process is. Warm: one handle making the commits one after another
    // (a long-running client), which finds the judgements of the units the
    // commit did not change made already.
    let mut next = candidate;
    let mut n = 0;
    let mut commit = |repo: &mut Repository<BackendStore>| -> BenchResult<f64> {
        repo.add(next.clone())?;
        let t = Instant::now();
        repo.commit(&format!("policy {n}"), "bench", None)?;
        let elapsed = ms(t.elapsed());
        n += 1;
        next = plus_field(&next, VERSIONS + n, MESSAGES)?;
        Ok(elapsed)
    };
    let mut cold = Vec::new();
    for _ in 0..3 {
        let mut fresh = Repository::open(open_store(&place.location, "bench", false)?)?;
        cold.push(commit(&mut fresh)?);
    }
    let mut repo = Repository::open(open_store(&place.location, "bench", false)?)?;
    commit(&mut repo)?;
    let mut warm = Vec::new();
    for _ in 0..3 {
        warm.push(commit(&mut repo)?);
    }
    emit(
        "commit_backward_transitive_1000",
        median(cold),
        "ms",
        "< 50 ms (median of 3, each by a newly opened repository; the policy checked against every version)",
    );
    emit(
        "commit_backward_transitive_1000_warm",
        median(warm),
        "ms",
        "< 50 ms (median of 3 commits in a row by one repository handle)",
    );
    Ok(())
}

/// Median wall time and peak memory of a command over `runs` runs, or
/// `None` if it cannot run here.
pub(super) fn process(runs: usize, mut command: impl FnMut() -> Command) -> Option<(f64, f64)> {
    let mut times = Vec::new();
    let mut peak = 0.0f64;
    for _ in 0..runs {
        let mut time = Command::new("/usr/bin/time");
        let inner = command();
        time.args(["-f", "%M"])
            .arg(inner.get_program())
            .args(inner.get_args());
        if let Some(dir) = inner.get_current_dir() {
            time.current_dir(dir);
        }
        let t = Instant::now();
        let out = time.output().ok()?;
        times.push(ms(t.elapsed()));
        // `check` exits 1 on a breaking pair, buf 100: both ran.
        if !matches!(out.status.code(), Some(0 | 1 | 100)) {
            eprintln!(
                "panproto-bench: {:?} failed: {}",
                inner.get_program(),
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let kb: f64 = stderr.lines().last()?.trim().parse().ok()?;
        peak = peak.max(kb / 1024.0);
    }
    Some((median(times), peak))
}

fn corpus() -> PathBuf {
    std::env::var_os("PANPROTO_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    )
}

/// `panproto check` as a whole process on a `.proto` pair and a 1.2 MB
/// SDL pair, beside buf and graphql-inspector.
fn processes() -> BenchResult<()> {
    let Some(cli) = std::env::var_os("PANPROTO_BENCH_CLI") else {
        eprintln!(
            "panproto-bench: PANPROTO_BENCH_CLI is not set; the whole-process checks are not measured"
        );
        return Ok(());
    };
    let dir = std::env::temp_dir().join(super::unique("compat_processes"));
    // A real .proto (protobuf's conformance messages, importing six
    // well-known files), with one field renamed.
    let text = std::fs::read_to_string(
        corpus().join("protobuf/google_protobuf_test_messages_proto3.proto"),
    )?;
    let renamed = text.replacen("int32 optional_int32 = 1;", "int32 renamed_int32 = 1;", 1);
    if renamed == text {
        return Err(
            "the corpus's test_messages_proto3.proto has no `int32 optional_int32 = 1;` to rename"
                .into(),
        );
    }
    for (side, body) in [("old", &text), ("new", &renamed)] {
        std::fs::create_dir_all(dir.join(side))?;
        std::fs::write(dir.join(side).join("test_messages_proto3.proto"), body)?;
        std::fs::write(
            dir.join(side).join("buf.yaml"),
            "version: v2\nbreaking:\n  use:\n    - WIRE_JSON\n",
        )?;
    }
    let bytes = text.len();
    let panproto = |old: &Path, new: &Path| {
        let mut c = Command::new(&cli);
        c.arg("check").arg(old).arg(new);
        c
    };
    let ours = process(5, || {
        panproto(
            &dir.join("old/test_messages_proto3.proto"),
            &dir.join("new/test_messages_proto3.proto"),
        )
    });
    if let Some((t, mb)) = ours {
        emit(
            "check_process_proto",
            t,
            "ms",
            &format!(
                "5x faster than buf (test_messages_proto3.proto, {} KB, a field renamed; peak {mb:.0} MB)",
                bytes / 1000
            ),
        );
    }
    if let Ok(buf) = std::env::var("PANPROTO_ORACLE_BUF") {
        let theirs = process(5, || {
            let mut c = Command::new(&buf);
            c.args(["breaking", "new", "--against", "old"])
                .current_dir(&dir);
            c
        });
        if let Some((t, mb)) = theirs {
            emit(
                "check_process_proto_buf",
                t,
                "ms",
                &format!("reference: buf breaking, same pair (peak {mb:.0} MB)"),
            );
        }
    }
    // Two 1.2 MB SDLs: the second changes every tenth field's argument default.
    let sdl = super::formats::synthetic_sdl(1_200_000);
    let changed = sdl.replace("f3(first: Int = 10", "f3(first: Int = 11");
    std::fs::write(dir.join("old.graphql"), &sdl)?;
    std::fs::write(dir.join("new.graphql"), &changed)?;
    if let Some((t, mb)) = process(3, || {
        panproto(&dir.join("old.graphql"), &dir.join("new.graphql"))
    }) {
        emit(
            "check_process_graphql_1_2mb",
            t,
            "ms",
            &format!("10x faster than graphql-inspector (peak {mb:.0} MB)"),
        );
    }
    if let Ok(script) = std::env::var("PANPROTO_ORACLE_INSPECTOR") {
        let bin = Path::new(&script).with_file_name("node_modules/.bin/graphql-inspector");
        let theirs = process(3, || {
            let mut c = Command::new(&bin);
            c.arg("diff")
                .arg(dir.join("old.graphql"))
                .arg(dir.join("new.graphql"));
            c
        });
        if let Some((t, mb)) = theirs {
            emit(
                "check_process_graphql_inspector",
                t,
                "ms",
                &format!("reference: graphql-inspector diff, same pair (peak {mb:.0} MB)"),
            );
        }
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
