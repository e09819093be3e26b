//! Python side: the virtual environments under `target/venvs/`, the tools
//! venv (maturin, ruff, mypy, hatchling from PyPI, never installed
//! globally), building wheels and installing them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Context, Result, fail};
use crate::paths;
use crate::proc;
use crate::project::{self, Backend};

/// What the tools venv holds. Pinned so every machine builds alike.
pub const TOOLS: &[&str] = &[
    "maturin==1.16.0",
    "ruff==0.17.6",
    "mypy==2.4.1",
    "hatchling==1.33.0",
];

/// A virtual environment.
#[derive(Debug, Clone)]
pub struct Venv {
    /// Its folder.
    pub dir: PathBuf,
}

impl Venv {
    /// `target/venvs/<name>`.
    pub fn named(name: &str) -> Self {
        Self {
            dir: paths::venvs().join(name),
        }
    }

    /// Path of an executable installed in the venv.
    pub fn bin(&self, name: &str) -> PathBuf {
        if cfg!(windows) {
            self.dir.join("Scripts").join(format!("{name}.exe"))
        } else {
            self.dir.join("bin").join(name)
        }
    }

    /// The venv's interpreter.
    pub fn python(&self) -> PathBuf {
        self.bin("python")
    }

    /// A `python -m pip …` command in this venv, quiet about upgrades.
    pub fn pip(&self) -> Command {
        let mut cmd = Command::new(self.python());
        cmd.args(["-m", "pip", "--disable-pip-version-check"]);
        cmd
    }

    /// Creates the venv if it does not exist yet.
    pub fn ensure(&self) -> Result<&Self> {
        if self.python().exists() {
            return Ok(self);
        }
        let base = base_python();
        let mut cmd = Command::new(&base);
        cmd.arg("-m").arg("venv").arg(&self.dir);
        proc::run(&format!("create virtualenv {}", self.dir.display()), &mut cmd).map_err(|e| {
            fail(format!("{e}\n(the base interpreter is {base:?}; set PANPROTO_PYTHON to a CPython >= 3.10 to use another)"))
        })?;
        Ok(self)
    }

    /// Installs `requirements` from PyPI unless the venv already holds
    /// exactly this list (remembered in a stamp file inside the venv).
    pub fn ensure_requirements(&self, what: &str, requirements: &[String]) -> Result {
        let stamp = self.dir.join(format!(".panproto-{what}.txt"));
        let wanted = requirements.join("\n");
        if fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
            return Ok(());
        }
        let mut cmd = self.pip();
        cmd.args(["install", "--quiet"]).args(requirements);
        proc::run(
            &format!("install {what} into {}", self.dir.display()),
            &mut cmd,
        )?;
        fs::write(&stamp, wanted).context(|| format!("writing {}", stamp.display()))
    }
}

/// The interpreter venvs are created from: `$PANPROTO_PYTHON`, else `python3`.
pub fn base_python() -> String {
    std::env::var("PANPROTO_PYTHON")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            if cfg!(windows) {
                "python".to_owned()
            } else {
                "python3".to_owned()
            }
        })
}

/// The tools venv, created and filled on first use.
pub fn tools() -> Result<Venv> {
    let venv = Venv::named("tools");
    venv.ensure()?;
    venv.ensure_requirements(
        "tools",
        &TOOLS.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )?;
    Ok(venv)
}

/// The test requirements (`python-tests/requirements.txt`), one per line.
pub fn test_requirements() -> Result<Vec<String>> {
    requirements_file(&paths::root().join("python-tests").join("requirements.txt"))
}

/// A requirements file's requirements, one per line, comments and blank
/// lines left out.
pub fn requirements_file(path: &std::path::Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(path).context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Builds one backend's wheel with maturin into the wheelhouse.
pub fn build_backend_wheel(tools: &Venv, b: &Backend) -> Result {
    let mut cmd = Command::new(tools.bin("maturin"));
    cmd.current_dir(b.project_dir())
        .args(["build", "--release", "--out"])
        .arg(paths::wheelhouse())
        .arg("--interpreter")
        .arg(tools.python())
        // Same target folder as `cargo build`: the core and dependencies are
        // compiled once and shared by both backends.
        .env("CARGO_TARGET_DIR", paths::target());
    proc::run(
        &format!("build wheel {} (maturin, feature `{}`)", b.dist(), b.name),
        &mut cmd,
    )
}

/// Builds the pure-Python dispatcher wheel into the wheelhouse.
pub fn build_dispatcher_wheel(tools: &Venv) -> Result {
    let mut cmd = tools.pip();
    cmd.args([
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
    ])
    .arg(paths::wheelhouse())
    .arg(project::dispatcher_dir());
    proc::run("build wheel panproto (dispatcher, hatchling)", &mut cmd)
}

/// Installs `panproto[<extra>]` of this version from the wheelhouse only
/// (no index), replacing whatever was installed, so the real extras pull
/// the backend wheel in.
pub fn install_from_wheelhouse(venv: &Venv, extra: Option<&str>) -> Result {
    let spec = match extra {
        Some(extra) => format!("panproto[{extra}]=={}", project::python_version()),
        None => format!("panproto=={}", project::python_version()),
    };
    let mut cmd = venv.pip();
    cmd.args([
        "install",
        "--quiet",
        "--force-reinstall",
        "--no-index",
        "--find-links",
    ])
    .arg(paths::wheelhouse())
    .arg(&spec);
    proc::run(
        &format!(
            "install {spec} into {} from the wheelhouse",
            venv.dir.display()
        ),
        &mut cmd,
    )
}

/// Checks the interpreter a venv was made from is new enough.
pub fn check_python(venv: &Venv) -> Result {
    let out = Command::new(venv.python())
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .context(|| format!("running {}", venv.python().display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let ok = version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .is_some_and(|v| v >= (3, 10));
    if ok {
        Ok(())
    } else {
        Err(fail(format!(
            "{} is Python {version}; panproto needs CPython >= 3.10 (set PANPROTO_PYTHON)",
            venv.python().display()
        )))
    }
}

/// Removes a folder if present.
pub fn remove_dir(path: &Path) -> Result {
    if path.exists() {
        fs::remove_dir_all(path).context(|| format!("removing {}", path.display()))?;
        eprintln!("    removed {}", path.display());
    }
    Ok(())
}
