//! The format benchmarks: parse + build and emit of the corpus's files
//! (`../shared/corpus/`, or `$PANPROTO_CORPUS`) and of synthetic large
//! files, each with its size; and the formats' own tools on the same
//! files in the same run where they are installed (fastavro and
//! graphql-core in `$PANPROTO_ORACLE_PYTHON`, the venv `cargo tasks test`
//! fills).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use panproto_core::{Format, FormatOptions, Schema, Source};

use super::{BenchResult, emit, median, ms};

fn corpus() -> PathBuf {
    std::env::var_os("PANPROTO_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    )
}

/// Median time of `runs` calls of `work`, in ms.
fn time<T>(runs: usize, mut work: impl FnMut() -> BenchResult<T>) -> BenchResult<(f64, T)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = work()?;
        times.push(ms(t.elapsed()));
        last = Some(out);
    }
    let out = last.ok_or("no run")?;
    Ok((median(times), out))
}

/// Parse + build and emit of `source`, reported as `<name>_parse` and
/// `<name>_emit` with the input's size in the target text.
fn parse_and_emit(
    name: &str,
    format: Format,
    source: &Source,
    target: &str,
) -> BenchResult<Schema> {
    let options = FormatOptions::default();
    let bytes: usize = source.files().iter().map(|f| f.text.len()).sum();
    let (parse, schema) = time(11, || Ok(format.parse(source, &options)?))?;
    emit(
        &format!("{name}_parse"),
        parse,
        "ms",
        &format!(
            "{target} ({} KB, {} vertices)",
            bytes / 1000,
            schema.vertices().len()
        ),
    );
    let (written, _) = time(11, || Ok(format.emit(&schema, &options)?))?;
    emit(
        &format!("{name}_emit"),
        written,
        "ms",
        &format!("no slower than parse ({parse:.1} ms)"),
    );
    Ok(schema)
}

/// A Python reference tool's median time on `path`, if the oracle venv
/// has it: `script` reads `sys.argv[1]` and does the tool's work once.
fn python_tool(name: &str, module: &str, script: &str, path: &Path) {
    let python = std::env::var("PANPROTO_ORACLE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let timed = format!(
        "import sys, time\nimport {module}\ntimes = []\nfor _ in range(11):\n    t = time.perf_counter()\n{}\n    times.append((time.perf_counter() - t) * 1000)\nprint(sorted(times)[5])\n",
        script
            .lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let out = Command::new(&python)
        .args(["-c", &timed])
        .arg(path)
        .output();
    match out {
        Ok(out) if out.status.success() => {
            if let Ok(value) = String::from_utf8_lossy(&out.stdout).trim().parse::<f64>() {
                emit(
                    name,
                    value,
                    "ms",
                    &format!("reference: {module}, same file"),
                );
            }
        }
        _ => {
            eprintln!("panproto-bench: {module} is not installed for {python}; {name} not measured")
        }
    }
}

/// An SDL of about `bytes` bytes: object types with described fields,
/// arguments with defaults, lists, refs to each other, and an enum.
pub(super) fn synthetic_sdl(bytes: usize) -> String {
    let mut out = String::from("type Query {\n  root: T0\n}\n\nenum Level {\n  LOW\n  HIGH\n}\n");
    let mut i = 0;
    while out.len() < bytes {
        let next = i + 1;
        out.push_str(&format!(
            "\n\"\"\"\nType number {i}.\n\"\"\"\ntype T{i} implements Node {{\n  id: ID!\n"
        ));
        for f in 0..10 {
            out.push_str(&format!(
                "  \"Field {f} of {i}.\"\n  f{f}(first: Int = 10, level: Level = HIGH, tags: [String!]): [T{next}!]! @deprecated(reason: \"use g{f}\")\n"
            ));
        }
        out.push_str("}\n");
        i = next;
    }
    out.push_str(&format!(
        "\ntype T{i} implements Node {{\n  id: ID!\n}}\n\ninterface Node {{\n  id: ID!\n}}\n"
    ));
    out
}

pub(super) fn run(_: &std::sync::Arc<panproto_core::Protocol>) -> BenchResult<()> {
    let corpus = corpus();
    let read = |path: &Path| Source::read(path, |_| true);

    let lexicons = Source::read(&corpus.join("atproto"), |p| p.ends_with(".json"))?;
    parse_and_emit("atproto_45_lexicons", Format::Atproto, &lexicons, "< 2 ms")?;

    let large_graphql = corpus.join("graphql/graphql-java_extra-large-schema-1.graphqls");
    parse_and_emit(
        "graphql_426kb",
        Format::Graphql,
        &read(&large_graphql)?,
        "< 20 ms",
    )?;
    python_tool(
        "graphql_426kb_graphql_core",
        "graphql",
        "graphql.build_schema(open(sys.argv[1]).read(), assume_valid_sdl=True)",
        &large_graphql,
    );
    let sdl = Source::from_text("big.graphql", synthetic_sdl(1_200_000));
    parse_and_emit("graphql_1_2mb", Format::Graphql, &sdl, "< 50 ms")?;

    let avro = corpus.join("avro/cpp_large_schema.avsc");
    parse_and_emit("avro_386kb", Format::Avro, &read(&avro)?, "< 3 ms")?;
    python_tool(
        "avro_386kb_fastavro",
        "fastavro",
        "import json\nfastavro.parse_schema(json.load(open(sys.argv[1])))",
        &avro,
    );

    let sql = corpus.join("sql/Chinook_MySql.sql");
    parse_and_emit("sql_600kb", Format::Sql, &read(&sql)?, "< 30 ms")?;
    Ok(())
}
