//! `panproto log --graph` of 10,000 commits as a whole process: a main
//! line with a side branch forked and merged back every 100 commits, so
//! the graph has lanes to draw. The commits are written straight to the
//! store (the graph reads commits, not schemas).

use std::process::Command;
use std::sync::Arc;

use panproto_core::{ObjectId, Protocol};

use super::compat::process;
use super::{BenchResult, Place, bench_commit, emit, init, write_main};

const COMMITS: usize = 10_000;

fn commit(parents: Vec<ObjectId>, i: usize) -> panproto_core::vcs::object::StoredObject {
    bench_commit(parents, i as i64, Some("backward-compatible"))
}

pub(super) fn run(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let Some(cli) = std::env::var_os("PANPROTO_BENCH_CLI") else {
        eprintln!("panproto-bench: PANPROTO_BENCH_CLI is not set; log --graph is not measured");
        return Ok(());
    };
    let place = Place::new("graph")?;
    let repo = init(&place, protocol)?;
    let mut objects = Vec::with_capacity(COMMITS);
    let mut main: Option<ObjectId> = None;
    let mut side: Option<ObjectId> = None;
    for i in 0..COMMITS {
        let obj = match (i % 100, main, side) {
            // Fork: the side branch starts from main.
            (10, Some(m), _) => {
                let s = commit(vec![m], i);
                side = Some(s.id);
                s
            }
            // Merge it back.
            (60, Some(m), Some(s)) => {
                let merged = commit(vec![m, s], i);
                main = Some(merged.id);
                side = None;
                merged
            }
            (11..=59, _, Some(s)) if i % 2 == 1 => {
                let next = commit(vec![s], i);
                side = Some(next.id);
                next
            }
            _ => {
                let next = commit(main.into_iter().collect(), i);
                main = Some(next.id);
                next
            }
        };
        objects.push(obj);
    }
    let tip = main.ok_or("no commits")?;
    write_main(repo.store(), objects, tip)?;
    let work = std::env::temp_dir().join(super::unique("graph_wc"));
    std::fs::create_dir_all(work.join(".panproto"))?;
    std::fs::write(
        work.join(".panproto/config"),
        format!("[repository]\nstore = {}\nname = bench\n", place.location),
    )?;
    let lines = Command::new(&cli)
        .args(["log", "--graph"])
        .current_dir(&work)
        .output()?;
    let drawn = String::from_utf8_lossy(&lines.stdout).lines().count();
    if !lines.status.success() || drawn < COMMITS {
        return Err(format!(
            "log --graph drew {drawn} lines: {}",
            String::from_utf8_lossy(&lines.stderr)
        )
        .into());
    }
    if let Some((t, mb)) = process(5, || {
        let mut c = Command::new(&cli);
        c.args(["log", "--graph"]).current_dir(&work);
        c
    }) {
        emit(
            "log_graph_10k_process",
            t,
            "ms",
            &format!(
                "< 200 ms (10,000 commits, {drawn} lines, a branch merged every 100; peak {mb:.0} MB)"
            ),
        );
    }
    Ok(())
}
