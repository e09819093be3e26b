//! What gets rendered: the one table of backends and the files each Python
//! project consists of, and `generate`, which renders them from `templates/`.
//!
//! Everything a backend's packaging says (distribution and module name,
//! cargo features, version, manifest path) comes from [`BACKENDS`] and the
//! workspace version; the templates only lay it out. Edit a template or
//! this table, never the output under `target/python/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior, Value, context};

use crate::error::{Context, Result, fail};
use crate::paths;

/// One storage backend, built into its own wheel from the one
/// `panproto-backend` crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backend {
    /// `sqlite` or `postgres`: the cargo feature, the extra, the suffix.
    pub name: &'static str,
    /// One line for the wheel's summary and the README.
    pub summary: &'static str,
}

impl Backend {
    /// The distribution name, e.g. `panproto-sqlite`.
    pub fn dist(&self) -> String {
        format!("panproto-{}", self.name)
    }

    /// The import name, e.g. `panproto_sqlite`.
    pub fn module(&self) -> String {
        format!("panproto_{}", self.name)
    }

    /// Cargo features maturin builds the extension with.
    pub fn features(&self) -> [&'static str; 2] {
        [self.name, "python"]
    }

    /// Where `generate` renders its maturin project.
    pub fn project_dir(&self) -> PathBuf {
        paths::python_projects().join(self.name)
    }
}

/// The backends, in the dispatcher's preference order (the dispatcher keeps
/// the same order in `panproto/__init__.py`; a test checks they agree).
pub const BACKENDS: [Backend; 2] = [
    Backend {
        name: "sqlite",
        summary: "panproto's SQLite backend: schema history in one embedded SQLite file",
    },
    Backend {
        name: "postgres",
        summary: "panproto's PostgreSQL backend: schema history in a shared PostgreSQL database",
    },
];

/// Looks a backend up by name.
pub fn backend(name: &str) -> Result<Backend> {
    BACKENDS
        .iter()
        .copied()
        .find(|b| b.name == name)
        .ok_or_else(|| {
            let known: Vec<_> = BACKENDS.iter().map(|b| b.name).collect();
            fail(format!(
                "unknown backend {name:?}; the backends are {}",
                known.join(", ")
            ))
        })
}

/// One rendered file: a template under `templates/` and its output path
/// (itself a template, relative to the project folder).
#[derive(Debug, Clone, Copy)]
pub struct Render {
    /// Path under `templates/`.
    pub template: &'static str,
    /// Output path under the project folder; may use `{{ module }}`.
    pub output: &'static str,
}

/// The files of each backend's maturin project (`target/python/<backend>/`).
pub const BACKEND_PROJECT: &[Render] = &[
    Render {
        template: "backend/pyproject.toml.j2",
        output: "pyproject.toml",
    },
    Render {
        template: "backend/README.md.j2",
        output: "README.md",
    },
    Render {
        template: "backend/__init__.py.j2",
        output: "python/{{ module }}/__init__.py",
    },
    Render {
        template: "backend/py.typed.j2",
        output: "python/{{ module }}/py.typed",
    },
    // The one stub of the native API, shared by both backends.
    Render {
        template: "_native.pyi.j2",
        output: "python/{{ module }}/_native.pyi",
    },
];

/// The files rendered into the dispatcher project (`target/python/panproto/`),
/// besides the sources copied from `panproto/`.
pub const DISPATCHER_PROJECT: &[Render] = &[
    Render {
        template: "dispatcher/pyproject.toml.j2",
        output: "pyproject.toml",
    },
    Render {
        template: "dispatcher/README.md.j2",
        output: "README.md",
    },
    Render {
        template: "dispatcher/_build.py.j2",
        output: "panproto/_build.py",
    },
    // The same stub again: the typed API `panproto` re-exports.
    Render {
        template: "_native.pyi.j2",
        output: "panproto/_api.pyi",
    },
];

/// File extensions copied from the `panproto/` source package.
const DISPATCHER_SOURCES: &[&str] = &["py", "pyi", "typed"];

/// The dispatcher project's folder.
pub fn dispatcher_dir() -> PathBuf {
    paths::python_projects().join("panproto")
}

/// The workspace version as cargo spells it (`[workspace.package] version`).
pub const CARGO_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The workspace version in PEP 440 form (`1.2.0-alpha.3` → `1.2.0a3`),
/// as the native module's `__version__` reports it.
pub fn python_version() -> String {
    panproto_core::pep440(CARGO_VERSION)
}

fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| fail(format!("template syntax configuration: {e}")))?;
    env.set_syntax(syntax);
    Ok(env)
}

fn backends_value() -> Value {
    Value::from(
        BACKENDS
            .iter()
            .map(|b| {
                context! { name => b.name, dist => b.dist(), module => b.module(), summary => b.summary }
            })
            .collect::<Vec<_>>(),
    )
}

/// The template context of one backend's project.
fn backend_context(b: &Backend) -> Value {
    let manifest = paths::root().join("panproto-backend").join("Cargo.toml");
    let manifest = paths::relative(&b.project_dir(), &manifest);
    context! {
        version => python_version(),
        cargo_version => CARGO_VERSION,
        backend => b.name,
        dist => b.dist(),
        module => b.module(),
        summary => b.summary,
        features => b.features().to_vec(),
        manifest_path => manifest.to_string_lossy().replace('\\', "/"),
        backends => backends_value(),
    }
}

/// The template context of the dispatcher's project; `interface` is the
/// backend interface by name (see [`interface`]).
fn dispatcher_context(interface: &BTreeMap<String, Vec<String>>) -> Value {
    context! {
        version => python_version(),
        cargo_version => CARGO_VERSION,
        backend => (),
        module => "panproto",
        backends => backends_value(),
        interface => interface,
    }
}

/// The backend interface as names (under `""` the module's, under each
/// class name that class's), from running `panproto/_interface.py`, which
/// declares it: the dispatcher checks a backend against these at import
/// without importing that module (see `templates/dispatcher/_build.py.j2`).
fn interface() -> Result<BTreeMap<String, Vec<String>>> {
    let script = paths::root().join("panproto").join("_interface.py");
    let mut cmd = std::process::Command::new(crate::python::base_python());
    cmd.arg(&script);
    let out = crate::proc::capture(
        "read the backend interface from panproto/_interface.py",
        &mut cmd,
    )?;
    if !out.status.success() {
        return Err(fail(format!(
            "{} failed ({}): {}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let interface: BTreeMap<String, Vec<String>> = serde_json::from_slice(&out.stdout)
        .map_err(|e| fail(format!("{} printed no interface: {e}", script.display())))?;
    // Rendered between quotes into Python source: identifiers only.
    let identifier = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if let Some(bad) = interface
        .iter()
        .flat_map(|(class, names)| {
            std::iter::once(class)
                .filter(|c| !c.is_empty())
                .chain(names)
        })
        .find(|n| !identifier(n))
    {
        return Err(fail(format!(
            "{} names {bad:?}, not a Python identifier",
            script.display()
        )));
    }
    Ok(interface)
}

/// Writes `contents` to `path` unless it already holds exactly that (so
/// mtimes only move when something changed).
fn write_if_changed(path: &Path, contents: &[u8]) -> Result<bool> {
    if fs::read(path).ok().as_deref() == Some(contents) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).context(|| format!("creating {}", parent.display()))?;
    }
    fs::write(path, contents).context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

fn render_into(
    env: &Environment<'_>,
    dir: &Path,
    files: &[Render],
    ctx: &Value,
    out: &mut BTreeSet<PathBuf>,
) -> Result {
    for file in files {
        let template_path = paths::templates().join(file.template);
        let source = fs::read_to_string(&template_path)
            .context(|| format!("reading template {}", template_path.display()))?;
        let rendered = env
            .render_str(&source, ctx.clone())
            .map_err(|e| fail(format!("rendering template {}: {e:#}", file.template)))?;
        let output = env
            .render_str(file.output, ctx.clone())
            .map_err(|e| fail(format!("rendering output path {:?}: {e:#}", file.output)))?;
        let path = dir.join(output);
        write_if_changed(&path, rendered.as_bytes())?;
        out.insert(path);
    }
    Ok(())
}

fn copy_sources(from: &Path, to: &Path, out: &mut BTreeSet<PathBuf>) -> Result {
    let entries = fs::read_dir(from).context(|| format!("reading {}", from.display()))?;
    let mut entries: Vec<_> = entries
        .collect::<std::result::Result<_, _>>()
        .context(|| format!("reading {}", from.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "__pycache__" {
                copy_sources(&path, &to.join(&name), out)?;
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| DISPATCHER_SOURCES.contains(&e))
        {
            let contents = fs::read(&path).context(|| format!("reading {}", path.display()))?;
            let dest = to.join(&name);
            write_if_changed(&dest, &contents)?;
            out.insert(dest);
        }
    }
    Ok(())
}

/// Deletes files under `dir` that this render did not produce (stale
/// output of an older table or template), keeping build caches maturin or
/// pip leave there.
fn prune(dir: &Path, keep: &BTreeSet<PathBuf>) -> Result {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name == "build" || name.to_string_lossy().ends_with(".egg-info") {
                continue;
            }
            prune(&path, keep)?;
            if fs::read_dir(&path)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false)
            {
                fs::remove_dir(&path).context(|| format!("removing {}", path.display()))?;
            }
        } else if !keep.contains(&path) {
            fs::remove_file(&path).context(|| format!("removing stale {}", path.display()))?;
        }
    }
    Ok(())
}

/// Renders every backend's maturin project and the dispatcher project.
pub fn generate() -> Result {
    crate::proc::announce("generate: render templates/ into target/python/");
    let env = environment()?;
    for b in &BACKENDS {
        let dir = b.project_dir();
        let mut written = BTreeSet::new();
        render_into(
            &env,
            &dir,
            BACKEND_PROJECT,
            &backend_context(b),
            &mut written,
        )?;
        prune(&dir, &written)?;
        eprintln!("    {} -> {}", b.dist(), dir.display());
    }
    let dir = dispatcher_dir();
    let mut written = BTreeSet::new();
    render_into(
        &env,
        &dir,
        DISPATCHER_PROJECT,
        &dispatcher_context(&interface()?),
        &mut written,
    )?;
    copy_sources(
        &paths::root().join("panproto"),
        &dir.join("panproto"),
        &mut written,
    )?;
    prune(&dir, &written)?;
    eprintln!("    panproto -> {}", dir.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_in_the_tables_exists() {
        for r in BACKEND_PROJECT.iter().chain(DISPATCHER_PROJECT) {
            assert!(
                paths::templates().join(r.template).is_file(),
                "missing template {}",
                r.template
            );
        }
    }

    #[test]
    fn templates_render_for_every_backend() {
        let env = environment().unwrap();
        for b in &BACKENDS {
            for r in BACKEND_PROJECT {
                let source = fs::read_to_string(paths::templates().join(r.template)).unwrap();
                let out = env.render_str(&source, backend_context(b)).unwrap();
                assert!(!out.contains("{{"), "{} left a placeholder", r.template);
            }
        }
        for r in DISPATCHER_PROJECT {
            let source = fs::read_to_string(paths::templates().join(r.template)).unwrap();
            let interface = BTreeMap::from([
                (String::new(), vec!["protocol".to_owned()]),
                ("Schema".to_owned(), vec!["to_json".to_owned()]),
            ]);
            env.render_str(&source, dispatcher_context(&interface))
                .unwrap();
        }
    }
}
