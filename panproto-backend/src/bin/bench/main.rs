//! `panproto-bench`: the storage benchmarks (and, in [`engine`], the
//! engine benchmarks, in [`data`] those of versioned data, in [`formats`]
//! the native formats' and in [`compat`] the compatibility checks), through
//! [`Repository`] and [`open_store`], for the backend this build compiles in.
//!
//! ```text
//! cargo run --release -p panproto-backend --features sqlite --bin panproto-bench
//! cargo run --release -p panproto-backend --features postgres --bin panproto-bench
//! ```
//!
//! Prints one JSON object per line:
//! `{"backend": "sqlite", "bench": "first_commit_10k", "value": 12.3, "unit": "ms", "target": "< 50 ms"}`.
//! Lines whose target is `"info"` are breakdowns with no target.
//!
//! SQLite runs in temporary files, removed afterwards. PostgreSQL reads
//! `PANPROTO_BENCH_POSTGRES_URL` (default
//! `postgresql://postgres@127.0.0.1:5432/test`) and works in a fresh schema
//! per benchmark group (selected with the URL's `options[search_path]`), so
//! the store size is the exact size of tables holding one repository; the
//! schemas are dropped afterwards.

mod compat;
mod data;
mod engine;
mod formats;
mod graph;
mod import_git;
mod lens;
mod load;

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use panproto_backend::store::{BACKEND, BackendStore, open_store};
use panproto_core::vcs::object::{Commit, StoredObject, store_commit};
use panproto_core::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};
use panproto_core::{
    ObjectId, Protocol, Repository, Resolutions, Schema, Value, VcsError, builtin_protocol,
};

type BenchResult<T> = Result<T, Box<dyn Error>>;

fn emit(bench: &str, value: f64, unit: &str, target: &str) {
    let line = serde_json::json!({
        "backend": BACKEND,
        "bench": bench,
        "value": (value * 1000.0).round() / 1000.0,
        "unit": unit,
        "target": target,
    });
    println!("{line}");
}

/// Counts the records of an iterator, failing on the first error.
fn drain(records: impl Iterator<Item = Result<Value, VcsError>>) -> BenchResult<usize> {
    let mut n = 0;
    for r in records {
        r?;
        n += 1;
    }
    Ok(n)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median time of 21 runs of `run`, in ms; a run returns how many
/// items it got, which must be `expected` (`what` names them in the error).
fn median_of_21(
    what: &str,
    expected: usize,
    mut run: impl FnMut() -> BenchResult<usize>,
) -> BenchResult<f64> {
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let got = run()?;
        times.push(ms(t.elapsed()));
        if got != expected {
            return Err(format!("{what}: {got}, expected {expected}").into());
        }
    }
    Ok(median(times))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("panproto_bench_{tag}_{}_{nanos}", std::process::id())
}

/// A json-schema object `root` with `props` string properties `p0`, `p1`, ...
fn wide_schema(protocol: &Arc<Protocol>, props: usize) -> BenchResult<Schema> {
    let mut b = Schema::builder(Arc::clone(protocol)).vertex("root", "object", None);
    for i in 0..props {
        let id = format!("p{i}");
        b = b
            .vertex(id.clone(), "string", None)
            .edge("root", id.clone(), "prop", Some(id));
    }
    Ok(b.build()?)
}

/// `schema` plus one string property `p{i}`.
fn plus_property(schema: &Schema, i: usize) -> BenchResult<Schema> {
    let id = format!("p{i}");
    Ok(schema
        .to_builder()
        .vertex(id.clone(), "string", None)
        .edge("root", id.clone(), "prop", Some(id))
        .build()?)
}

/// Where a benchmark group keeps its store; removed on drop.
struct Place {
    location: String,
    #[cfg(feature = "postgres")]
    schema: String,
}

#[cfg(feature = "sqlite")]
impl Place {
    fn new(tag: &str) -> BenchResult<Self> {
        let path = std::env::temp_dir().join(format!("{}.db", unique(tag)));
        Ok(Self {
            location: path.to_string_lossy().into_owned(),
        })
    }

    /// The file's size (database and WAL); call after every store is
    /// dropped, so the last connection's close has checkpointed the WAL.
    fn size_bytes(&self) -> BenchResult<u64> {
        let db = std::fs::metadata(&self.location)?.len();
        let wal = std::fs::metadata(format!("{}-wal", self.location)).map_or(0, |m| m.len());
        Ok(db + wal)
    }

    const SIZE_TARGET: &'static str = "< 20 MB (file + WAL)";
}

#[cfg(feature = "sqlite")]
impl Drop for Place {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.location));
        }
    }
}

#[cfg(feature = "postgres")]
fn pg_admin<T>(
    f: impl AsyncFnOnce(&mut sqlx::PgConnection) -> Result<T, sqlx::Error>,
) -> BenchResult<T> {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&pg_url()).await?;
        let out = f(&mut conn).await;
        let _ = conn.close().await;
        out
    })?)
}

#[cfg(feature = "postgres")]
fn pg_url() -> String {
    std::env::var("PANPROTO_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into())
}

#[cfg(feature = "postgres")]
impl Place {
    fn new(tag: &str) -> BenchResult<Self> {
        let schema = unique(tag);
        let create = format!("CREATE SCHEMA {schema}");
        pg_admin(async |conn| {
            sqlx::raw_sql(sqlx::AssertSqlSafe(create))
                .execute(conn)
                .await
        })?;
        let base = pg_url();
        let sep = if base.contains('?') { '&' } else { '?' };
        Ok(Self {
            location: format!("{base}{sep}options[search_path]={schema}"),
            schema,
        })
    }

    /// The total size (heap, TOAST, indexes) of the panproto tables in this
    /// place's schema, which hold only this group's repository.
    fn size_bytes(&self) -> BenchResult<u64> {
        let schema = self.schema.clone();
        let bytes: i64 = pg_admin(async |conn| {
            sqlx::query_scalar(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
            )
            .bind(schema)
            .fetch_one(conn)
            .await
        })?;
        Ok(u64::try_from(bytes)?)
    }

    const SIZE_TARGET: &'static str = "< 20 MB (tables + indexes + TOAST)";
}

#[cfg(feature = "postgres")]
impl Drop for Place {
    fn drop(&mut self) {
        let drop = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema);
        let _ = pg_admin(async |conn| sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(conn).await);
    }
}

fn init(place: &Place, protocol: &Arc<Protocol>) -> BenchResult<Repository<BackendStore>> {
    let store = open_store(&place.location, "bench", true)?;
    Ok(Repository::init(store, Arc::clone(protocol))?)
}

/// Benchmarks 1 and 2: a 10,000-vertex schema.
fn wide(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let place = Place::new("wide")?;
    let mut repo = init(&place, protocol)?;
    // The first build in the process also pays for the allocator's first
    // pages; the target is for the steady state, the median of 11.
    let t = Instant::now();
    let schema = wide_schema(protocol, 9_999)?;
    let first = ms(t.elapsed());
    let mut builds = Vec::with_capacity(11);
    for _ in 0..11 {
        let t = Instant::now();
        std::hint::black_box(wide_schema(protocol, 9_999)?);
        builds.push(ms(t.elapsed()));
    }
    emit("build_10k", median(builds), "ms", "< 5 ms (median of 11)");
    emit(
        "build_10k_first",
        first,
        "ms",
        "info (the process's first build)",
    );

    let t = Instant::now();
    repo.add(schema.clone())?;
    let add = t.elapsed();
    repo.commit("10k vertices", "bench", None)?;
    emit("first_commit_10k", ms(t.elapsed()), "ms", "< 50 ms");
    emit("first_commit_10k_add", ms(add), "ms", "info");

    let mut commits = Vec::new();
    let mut adds = Vec::new();
    let mut builds = Vec::new();
    let mut current = schema;
    for i in 0..11 {
        let t = Instant::now();
        let next = plus_property(&current, 10_000 + i)?;
        builds.push(ms(t.elapsed()));
        let t = Instant::now();
        repo.add(next.clone())?;
        let add = t.elapsed();
        repo.commit(&format!("add p{}", 10_000 + i), "bench", None)?;
        // The first run warms the caches the rest share.
        if i > 0 {
            commits.push(ms(t.elapsed()));
            adds.push(ms(add));
        }
        current = next;
    }
    emit(
        "one_property_10k",
        median(commits),
        "ms",
        "< 30 ms (median of 10)",
    );
    emit("one_property_10k_add", median(adds), "ms", "info");
    emit(
        "one_property_10k_build",
        median(builds),
        "ms",
        "info (to_builder + build, not in one_property_10k)",
    );
    Ok(())
}

/// Makes the 1,000 schemas of the commit-rate benchmark: 50 vertices, then
/// one property more each.
fn growing_schemas(protocol: &Arc<Protocol>) -> BenchResult<(Schema, Vec<Schema>)> {
    let base = wide_schema(protocol, 49)?;
    let mut schemas = Vec::with_capacity(1000);
    let mut current = base.clone();
    for i in 0..1000 {
        current = plus_property(&current, 49 + i)?;
        schemas.push(current.clone());
    }
    Ok((base, schemas))
}

/// Commits `base` then each of `schemas`; returns commits per second of the latter.
fn commit_all(
    repo: &mut Repository<BackendStore>,
    base: &Schema,
    schemas: &[Schema],
) -> BenchResult<f64> {
    repo.add(base.clone())?;
    repo.commit("base", "bench", None)?;
    let t = Instant::now();
    for (i, schema) in schemas.iter().enumerate() {
        repo.add(schema.clone())?;
        repo.commit(&format!("commit {i}"), "bench", None)?;
    }
    Ok(schemas.len() as f64 / t.elapsed().as_secs_f64())
}

/// `report --html` of the 1,000-commit history, and the page opened in
/// headless Chromium (when `PANPROTO_CHROMIUM` names it) as a whole
/// process, median of 3.
fn report_html(repo: &mut Repository<BackendStore>) -> BenchResult<()> {
    let t = Instant::now();
    let page = repo.report_html(None)?;
    emit(
        "report_html_1000",
        ms(t.elapsed()),
        "ms",
        &format!(
            "< 2000 ms (1,001 commits, a {:.1} MB page)",
            page.len() as f64 / 1e6
        ),
    );
    let Some(browser) = std::env::var_os("PANPROTO_CHROMIUM") else {
        return Ok(());
    };
    let path = std::env::temp_dir().join(format!("{}.html", unique("report")));
    std::fs::write(&path, &page)?;
    let blank = std::env::temp_dir().join(format!("{}.html", unique("blank")));
    std::fs::write(
        &blank,
        "<!DOCTYPE html><html><body data-rendered=\"graph badges chart\"></body></html>",
    )?;
    // Each run: the whole process's time, and the page's own (what it
    // writes into `data-rendered-ms`: navigation start to drawn and laid
    // out, by the browser's clock; the blank page has none).
    let open = |page: &std::path::Path| -> BenchResult<(f64, Option<f64>)> {
        let (mut whole, mut own) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            let t = Instant::now();
            let out = std::process::Command::new(&browser)
                .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
                .arg(format!("file://{}", page.display()))
                .output()?;
            whole.push(ms(t.elapsed()));
            let dom = String::from_utf8_lossy(&out.stdout);
            if !dom.contains("data-rendered=\"graph badges chart\"") {
                return Err("the report did not render in Chromium".into());
            }
            if let Some(rest) = dom.split("data-rendered-ms=\"").nth(1) {
                own.push(rest.split('"').next().unwrap_or_default().parse::<f64>()?);
            }
        }
        Ok((median(whole), (!own.is_empty()).then(|| median(own))))
    };
    let (whole, own) = open(&path)?;
    let (started, _) = open(&blank)?;
    let _ = std::fs::remove_file(&blank);
    let _ = std::fs::remove_file(&path);
    emit(
        "report_open_chromium",
        own.ok_or("the report did not say how long it took to open")?,
        "ms",
        "< 1000 ms (headless Chromium: from navigation start to the page drawn and laid out, \
         by the browser's clock; median of 3)",
    );
    emit(
        "report_open_chromium_process",
        whole,
        "ms",
        &format!(
            "info (the whole process: Chromium started, page loaded and drawn, DOM dumped; \
             median of 3; a blank page: {started:.0} ms)"
        ),
    );
    Ok(())
}

/// Benchmarks 3, 4 and 5: 1,000 small commits, their log, the store size.
fn history(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let (base, schemas) = growing_schemas(protocol)?;
    let place = Place::new("history")?;
    let mut repo = init(&place, protocol)?;
    let rate = commit_all(&mut repo, &base, &schemas)?;
    let target = if BACKEND == "sqlite" {
        ">= 1000 commits/s"
    } else {
        ">= 300 commits/s"
    };
    // The 1,000 schemas are built beforehand: this measures add + commit.
    emit("commit_rate", rate, "commits/s", target);

    let log = median_of_21("commits in the log", 1001, || Ok(repo.log(None)?.len()))?;
    let target = if BACKEND == "sqlite" {
        "< 5 ms (median of 21)"
    } else {
        "< 2 ms (median of 21)"
    };
    emit("log_1000", log, "ms", target);
    // Where a log's time goes: the store's read of the chain alone (the
    // rest is decoding 1,001 commits).
    let head = repo.head_commit()?.ok_or("no head")?;
    let read = median_of_21("commits in the chain", 1001, || {
        Ok(repo.store().first_parent_chain(&head, None)?.len())
    })?;
    emit(
        "log_1000_store_read",
        read,
        "ms",
        "info (the store's read of the 1,001-commit chain alone; median of 21)",
    );
    report_html(&mut repo)?;
    drop(repo);
    let size = place.size_bytes()?;
    emit(
        "store_size_1000",
        size as f64 / 1e6,
        "MB",
        Place::SIZE_TARGET,
    );

    // A new client's first log: a fresh connection, nothing prepared or cached.
    let t = Instant::now();
    let repo = Repository::open(open_store(&place.location, "bench", false)?)?;
    let opened = t.elapsed();
    let t = Instant::now();
    let log = repo.log(None)?;
    emit(
        "log_1000_first",
        ms(t.elapsed()),
        "ms",
        "info (first log of a newly opened store)",
    );
    emit(
        "open_store",
        ms(opened),
        "ms",
        "info (open_store + Repository::open)",
    );
    if log.len() != 1001 {
        return Err(format!("log returned {} commits, expected 1001", log.len()).into());
    }
    drop(repo);

    #[cfg(feature = "sqlite")]
    {
        let place = Place::new("history_full")?;
        let mut repo = init(&place, protocol)?;
        repo.store().set_synchronous_full(true)?;
        let rate = commit_all(&mut repo, &base, &schemas)?;
        emit(
            "commit_rate_sync_full",
            rate,
            "commits/s",
            "info (synchronous = FULL instead of NORMAL)",
        );
    }
    Ok(())
}

/// The log's first page on a 100,000-commit history, written through the
/// store in batches (committing 100,000 times would only re-measure
/// `commit_rate`).
/// Commit `i` on `parents`, written straight to a store by the benchmarks
/// that need history but no schemas (`long_history`, `graph`).
fn bench_commit(parents: Vec<ObjectId>, i: i64, compatibility: Option<&str>) -> StoredObject {
    store_commit(&Commit {
        schema: ObjectId::hash(b"schema"),
        parents,
        migration: None,
        merge_migrations: Vec::new(),
        compatibility: compatibility.map(str::to_owned),
        allow_breaking: None,
        units: None,
        backward: None,
        forward: None,
        datasets: Default::default(),
        author: "bench".into(),
        timestamp: i,
        message: format!("commit {i}"),
        origin: None,
    })
}

/// Writes `objects` and points the new branch `main` at `tip`, in one transaction.
fn write_main(store: &impl Store, objects: Vec<StoredObject>, tip: ObjectId) -> BenchResult<()> {
    store.apply(&Transaction {
        objects,
        edits: vec![RefEdit {
            name: "refs/heads/main".into(),
            expected: Expected::Absent,
            new: Some(RefTarget::Id(tip)),
            message: "bench".into(),
        }],
        timestamp: 0,
    })?;
    Ok(())
}

fn long_history(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let place = Place::new("long")?;
    let repo = init(&place, protocol)?;
    let store = repo.store();
    let t = Instant::now();
    let mut parent: Option<ObjectId> = None;
    let mut batch = Vec::new();
    for i in 0..100_000 {
        let obj = bench_commit(parent.into_iter().collect(), i, None);
        parent = Some(obj.id);
        batch.push(obj);
        if batch.len() == 5_000 {
            store.apply(&Transaction {
                objects: std::mem::take(&mut batch),
                edits: vec![],
                timestamp: 0,
            })?;
        }
    }
    let tip = parent.ok_or("no commits")?;
    write_main(store, batch, tip)?;
    emit(
        "write_100k_commits",
        ms(t.elapsed()),
        "ms",
        "info (store.apply in batches of 5,000)",
    );
    let page = median_of_21("commits in the page", 50, || Ok(repo.log(Some(50))?.len()))?;
    emit("log_first50_100k", page, "ms", "< 5 ms (median of 21)");

    // The whole first-parent walk: one query, 100,000 rows decoded.
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let all = repo.log(None)?;
        times.push(ms(t.elapsed()));
        if all.len() != 100_000 {
            return Err(format!("log returned {} commits, expected 100,000", all.len()).into());
        }
    }
    emit(
        "log_all_100k",
        median(times),
        "ms",
        "< 300 ms (median of 5)",
    );
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let chain = store.first_parent_chain(&tip, None)?;
        times.push(ms(t.elapsed()));
        if chain.len() != 100_000 {
            return Err(format!("the chain has {} commits, expected 100,000", chain.len()).into());
        }
    }
    emit(
        "log_all_100k_query",
        median(times),
        "ms",
        "info (first_parent_chain alone: the query, no commit decoding)",
    );

    let status = median_of_21("status reporting the tip (1 if so)", 1, || {
        Ok(usize::from(repo.status()?.head_commit == Some(tip)))
    })?;
    emit("status_100k", status, "ms", "< 10 ms (median of 21)");
    Ok(())
}

/// How many commits each writer of `concurrent_writers` makes.
const COMMITS_PER_WRITER: usize = 100;
/// How many writers race.
const WRITERS: usize = 4;

/// Four writers, each with its own connection and [`Repository`], commit
/// to the same branch; a writer whose commit loses the race
/// ([`VcsError::Conflict`]) rebases its staged change onto the new head
/// and retries, as a client of the Python API would. Reports successful commits per second over all writers.
fn concurrent_writers(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let place = Place::new("concurrent")?;
    let mut first = init(&place, protocol)?;
    first.add(wide_schema(protocol, 49)?)?;
    first.commit("base", "bench", None)?;
    drop(first);
    let start = Arc::new(std::sync::Barrier::new(WRITERS + 1));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let location = place.location.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || -> Result<usize, String> {
                let mut repo = open_store(&location, "bench", false)
                    .and_then(Repository::open)
                    .map_err(|e| e.to_string())?;
                start.wait();
                let mut conflicts = 0;
                for n in 0..COMMITS_PER_WRITER {
                    // Build on a head read once and stage against it, so a
                    // commit landing in between is a conflict, never undone.
                    let base = repo
                        .head_commit()
                        .map_err(|e| e.to_string())?
                        .ok_or("no head")?;
                    let head = repo.schema_of(&base).map_err(|e| e.to_string())?;
                    let mine =
                        plus_property(&head, 1_000_000 * (w + 1) + n).map_err(|e| e.to_string())?;
                    repo.add_on(mine, Some(base)).map_err(|e| e.to_string())?;
                    loop {
                        match repo.commit(&format!("writer {w}: {n}"), "bench", None) {
                            Ok(_) => break,
                            Err(VcsError::Conflict { .. }) => {
                                conflicts += 1;
                                repo.rebase(&Resolutions::default())
                                    .map_err(|e| e.to_string())?;
                            }
                            Err(e) => return Err(e.to_string()),
                        }
                    }
                }
                Ok(conflicts)
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    let mut conflicts = 0;
    for writer in writers {
        conflicts += writer.join().map_err(|_| "a writer panicked")??;
    }
    let elapsed = t.elapsed();
    let total = WRITERS * COMMITS_PER_WRITER;
    let target = if BACKEND == "postgres" {
        ">= 200 commits/s (4 writers, one branch)"
    } else {
        "info (4 writers, one branch; for comparison)"
    };
    emit(
        "concurrent_writers",
        total as f64 / elapsed.as_secs_f64(),
        "commits/s",
        target,
    );
    emit(
        "concurrent_writers_conflicts",
        conflicts as f64,
        "retries",
        "info (commits that lost the race and were rebased)",
    );
    let repo = Repository::open(open_store(&place.location, "bench", false)?)?;
    let log = repo.log(None)?;
    if log.len() != total + 1 {
        return Err(format!(
            "the branch has {} commits, expected {}",
            log.len(),
            total + 1
        )
        .into());
    }
    Ok(())
}

/// The benchmark groups, by name; `PANPROTO_BENCH_ONLY=engine,wide` runs a subset.
type Group = fn(&Arc<Protocol>) -> BenchResult<()>;
const GROUPS: &[(&str, Group)] = &[
    ("wide", wide),
    ("history", history),
    ("long_history", long_history),
    ("concurrent_writers", concurrent_writers),
    ("engine", engine::run),
    ("data", data::run),
    ("formats", formats::run),
    ("compat", compat::run),
    ("lens", lens::run),
    ("graph", graph::run),
    ("import_git", import_git::run),
    ("load", load::run),
];

fn run() -> BenchResult<()> {
    let protocol = builtin_protocol("json-schema")?;
    let only = std::env::var("PANPROTO_BENCH_ONLY").unwrap_or_default();
    for (name, group) in GROUPS {
        if only.is_empty() || only.split(',').any(|o| o.trim() == *name) {
            group(&protocol)?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    // A client process of the `load` group does its work and nothing else.
    let outcome = load::client().unwrap_or_else(run);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("panproto-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
