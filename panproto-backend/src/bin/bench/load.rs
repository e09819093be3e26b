//! Load: 32 client processes on one store, 24 committing to a repository
//! each and 8 to one shared branch (rebasing when another commits first),
//! started together. Reports commits/s in all and per group, then checks
//! that no commit was lost (each log holds every commit its clients
//! reported) and that every repository verifies clean.
//!
//! The clients are this binary again, told by `PANPROTO_BENCH_LOAD_CLIENT`
//! (`repository:commits`) what to do; each waits for a line on stdin (so
//! all start at once) and prints `commits conflicts`.

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use panproto_backend::store::open_store;
use panproto_core::{Protocol, Repository, Resolutions, VcsError};

use super::{BenchResult, Place, emit, plus_property, wide_schema};

/// Names the client role and carries its orders.
const CLIENT: &str = "PANPROTO_BENCH_LOAD_CLIENT";
/// Where the clients' store is.
const LOCATION: &str = "PANPROTO_BENCH_LOAD_LOCATION";

const OWN: usize = 24;
const SHARED: usize = 8;
const COMMITS: usize = 40;

/// The client's work, if this process is one: returns whether it was.
pub(super) fn client() -> Option<BenchResult<()>> {
    let orders = std::env::var(CLIENT).ok()?;
    Some(run_client(&orders))
}

fn run_client(orders: &str) -> BenchResult<()> {
    let (name, commits) = orders.split_once(':').ok_or("orders are name:commits")?;
    let commits: usize = commits.parse()?;
    let location = std::env::var(LOCATION)?;
    let mut repo = Repository::open(open_store(&location, name, false)?)?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let seed = std::process::id() as usize * 1_000;
    let mut conflicts = 0;
    for n in 0..commits {
        let base = repo.head_commit()?.ok_or("no head")?;
        let head = repo.schema_of(&base)?;
        repo.add_on(plus_property(&head, seed + n)?, Some(base))?;
        loop {
            match repo.commit(
                &format!("client {}: {n}", std::process::id()),
                "bench",
                None,
            ) {
                Ok(_) => break,
                Err(VcsError::Conflict { .. }) => {
                    conflicts += 1;
                    repo.rebase(&Resolutions::default())?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    println!("{commits} {conflicts}");
    Ok(())
}

pub(super) fn run(protocol: &Arc<Protocol>) -> BenchResult<()> {
    if super::BACKEND != "postgres" {
        // One SQLite file takes one writer at a time: the load is the
        // PostgreSQL store's.
        return Ok(());
    }
    let place = Place::new("load")?;
    let base = wide_schema(protocol, 49)?;
    let mut names = Vec::new();
    for i in 0..=OWN {
        let name = format!("load{i}");
        let store = open_store(&place.location, &name, true)?;
        let mut repo = Repository::init(store, Arc::clone(protocol))?;
        repo.add(base.clone())?;
        repo.commit("base", "bench", None)?;
        names.push(name);
    }
    let exe = std::env::current_exe()?;
    let shared = names[OWN].clone();
    let mut children = Vec::new();
    for (i, name) in names[..OWN]
        .iter()
        .chain(std::iter::repeat_n(&shared, SHARED))
        .enumerate()
    {
        let child = Command::new(&exe)
            .env(CLIENT, format!("{name}:{COMMITS}"))
            .env(LOCATION, &place.location)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        children.push((i >= OWN, child));
    }
    // Every client is connected and waiting: go.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let t = Instant::now();
    for (_, child) in &mut children {
        writeln!(child.stdin.as_mut().ok_or("no stdin")?)?;
    }
    let mut done = [0usize; 2];
    let mut conflicts = 0usize;
    let mut group_time = [0f64; 2];
    for (is_shared, child) in children {
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(format!(
                "a load client failed: {}",
                String::from_utf8_lossy(&out.stdout)
            )
            .into());
        }
        let elapsed = t.elapsed().as_secs_f64();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut fields = text.split_whitespace().map(str::parse::<usize>);
        let (Some(Ok(c)), Some(Ok(k))) = (fields.next(), fields.next()) else {
            return Err(format!("a load client printed {text:?}").into());
        };
        let g = usize::from(is_shared);
        done[g] += c;
        conflicts += k;
        group_time[g] = group_time[g].max(elapsed);
    }
    let all = t.elapsed().as_secs_f64();
    // No commit lost, every repository clean.
    for (i, name) in names.iter().enumerate() {
        let repo = Repository::open(open_store(&place.location, name, false)?)?;
        let expected = if i < OWN { COMMITS } else { SHARED * COMMITS } + 1;
        let log = repo.log(None)?;
        if log.len() != expected {
            return Err(format!("{name} holds {} commits, expected {expected}", log.len()).into());
        }
        let report = repo.verify()?;
        if !report.problems.is_empty() {
            return Err(format!("{name} does not verify: {:?}", report.problems).into());
        }
    }
    let total = done[0] + done[1];
    emit(
        "load_32_clients",
        total as f64 / all,
        "commits/s",
        &format!(
            ">= 1000 commits/s ({OWN} clients on their own repositories, {SHARED} on one branch, \
             {COMMITS} commits each; all logs complete, all repositories verify clean)"
        ),
    );
    emit(
        "load_own_repositories",
        done[0] as f64 / group_time[0],
        "commits/s",
        &format!("info ({OWN} clients, a repository each)"),
    );
    emit(
        "load_shared_branch",
        done[1] as f64 / group_time[1],
        "commits/s",
        &format!("info ({SHARED} clients on one branch; {conflicts} commits rebased and retried)"),
    );
    Ok(())
}
