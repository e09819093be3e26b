//! # tasks — panproto's task runner
//!
//! Run as `cargo tasks <task>` (an alias in `.cargo/config.toml`); with no
//! task it lists them all. Everything a clean checkout needs is done from
//! here: rendering each backend's maturin project from `templates/`
//! ([`project`], whose table is the one source of truth for what each
//! backend renders), building the wheels into one wheelhouse, installing
//! them into virtualenvs under `target/venvs/`, running every test suite,
//! the benchmarks and the demo.
//!
//! Each spawned command streams its output; a failure names the step.
//! Generated things live under `target/` only (`scrub` removes them, not the
//! cargo cache), and every build shares the one cargo target folder, so
//! switching backend recompiles only the backend crate.

mod error;
mod oracles;
mod paths;
mod proc;
mod project;
mod python;
mod tasks;

use clap::{CommandFactory, Parser, Subcommand};

/// panproto's task runner.
#[derive(Debug, Parser)]
#[command(name = "cargo tasks", version, about, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    task: Option<Task>,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Render each backend's maturin project and the dispatcher project into target/python/
    Generate,
    /// Build both backend wheels (maturin --release) and the dispatcher wheel into target/wheels/
    Build {
        /// Build only this backend's wheel (and the dispatcher's)
        #[arg(long, value_parser = backend_name)]
        backend: Option<String>,
    },
    /// Build and install panproto[<backend>] from the wheelhouse into target/venvs/<backend>
    Develop {
        /// The backend to install
        #[arg(long, default_value = "sqlite", value_parser = backend_name)]
        backend: String,
    },
    /// Run every test: Rust crates, then stubtest, ruff, mypy and pytest against each backend
    Test {
        /// Test only this backend's Python package (Rust tests still cover both)
        #[arg(long, value_parser = backend_name)]
        backend: Option<String>,
        /// Skip the Rust tests (for quick Python iterations)
        #[arg(long)]
        skip_rust: bool,
        /// Extra arguments passed to pytest (after `--`)
        #[arg(last = true)]
        pytest_args: Vec<String>,
    },
    /// Run the benchmarks of both backends and compare them side by side (writes target/bench.json)
    Bench,
    /// The main job on SQLite: build, install, and run a short schema history with the CLI
    Demo,
    /// Remove what the runner generated: target/python, target/wheels, target/venvs (not the cargo cache)
    Scrub,
    /// Build panproto-backend with each store feature alone; prove both and neither fail clearly
    Check,
}

fn backend_name(s: &str) -> Result<String, String> {
    project::backend(s)
        .map(|b| b.name.to_owned())
        .map_err(|e| e.to_string())
}

fn list_tasks() {
    let cmd = Cli::command();
    println!("panproto's task runner — usage: cargo tasks <task> [options]\n\nTasks:");
    let width = cmd
        .get_subcommands()
        .map(|s| s.get_name().len())
        .max()
        .unwrap_or(0);
    for sub in cmd.get_subcommands() {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        println!("  {:width$}  {about}", sub.get_name());
    }
    println!("\nRun `cargo tasks <task> --help` for a task's options.");
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.task {
        None => {
            list_tasks();
            Ok(())
        }
        Some(Task::Generate) => project::generate(),
        Some(Task::Build { backend }) => tasks::build(backend.as_deref()),
        Some(Task::Develop { backend }) => tasks::develop(&backend).map(|_| ()),
        Some(Task::Test {
            backend,
            skip_rust,
            pytest_args,
        }) => tasks::test(backend.as_deref(), skip_rust, &pytest_args),
        Some(Task::Bench) => tasks::bench(),
        Some(Task::Demo) => tasks::demo(),
        Some(Task::Scrub) => tasks::scrub(),
        Some(Task::Check) => tasks::check(),
    };
    if let Err(e) = result {
        eprintln!("\n\x1b[1;31merror:\x1b[0m {e}");
        std::process::exit(1);
    }
}
