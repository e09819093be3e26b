//! The bodies of `Repository.import_git` (a git history read into the
//! repository; see `panproto_core::import`), `Repository.verify` and
//! `Repository.report_html` (the history as one HTML page), and the
//! progress callback the first two take.

use std::path::PathBuf;

use panproto_core::Format;
use panproto_core::import::{GitImport, ImportReport, Progress, import_git};
use pyo3::prelude::*;
use serde::Serialize;

use super::PyRepository;
use crate::python::convert::to_python;
use crate::python::errors::{Error, attached};

/// What `import_git` returns, as a dict.
#[derive(Serialize)]
struct ImportOut {
    considered: usize,
    imported: Vec<ImportedOut>,
    already: usize,
    skipped: Vec<SkippedOut>,
    tip: Option<String>,
}

#[derive(Serialize)]
struct ImportedOut {
    git: String,
    commit: String,
}

#[derive(Serialize)]
struct SkippedOut {
    git: String,
    summary: String,
    reason: String,
}

impl From<ImportReport> for ImportOut {
    fn from(r: ImportReport) -> Self {
        Self {
            considered: r.considered,
            imported: r
                .imported
                .into_iter()
                .map(|(git, id)| ImportedOut {
                    git,
                    commit: id.to_hex(),
                })
                .collect(),
            already: r.already,
            skipped: r
                .skipped
                .into_iter()
                .map(|s| SkippedOut {
                    git: s.commit,
                    summary: s.summary,
                    reason: s.reason,
                })
                .collect(),
            tip: r.tip.map(|t| t.to_hex()),
        }
    }
}

/// The body of [`PyRepository::import_git`]: runs with the GIL released,
/// taking it back only to call `progress` (a callable of `(done, total)`).
/// An exception `progress` raises is raised once the import has ended.
pub(super) fn run<'py>(
    repo: &PyRepository,
    py: Python<'py>,
    git_dir: PathBuf,
    paths: Vec<String>,
    rev: &str,
    format: Option<&str>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let format = format
        .map(|f| attached(py, Format::from_name(f)))
        .transpose()?;
    let mut callback = Callback::new(progress);
    let report = repo.with(py, |r| {
        let what = GitImport {
            git_dir: &git_dir,
            paths: &paths,
            rev,
            format,
        };
        let mut report = |p: Progress| callback.call(p.done, p.total);
        Ok::<_, Error>(import_git(r, &what, &mut report)?)
    })?;
    callback.finish()?;
    to_python(py, &ImportOut::from(report))
}

/// A Python `progress(done, total)` callable, called from work that runs
/// with the GIL released (it takes the GIL for each call). The first
/// exception it raises stops further calls and is raised by
/// [`Callback::finish`], once the work has ended.
pub(super) struct Callback {
    callable: Option<Py<PyAny>>,
    raised: Option<PyErr>,
}

impl Callback {
    pub(super) fn new(callable: Option<Py<PyAny>>) -> Self {
        Self {
            callable,
            raised: None,
        }
    }

    pub(super) fn call<T: for<'py> IntoPyObject<'py> + Copy>(&mut self, done: T, total: T) {
        let Some(callable) = &self.callable else {
            return;
        };
        if self.raised.is_some() {
            return;
        }
        Python::attach(|py| {
            if let Err(e) = callable.call1(py, (done, total)) {
                self.raised = Some(e);
            }
        });
    }

    /// The exception the callable raised, if it did.
    pub(super) fn finish(self) -> PyResult<()> {
        self.raised.map_or(Ok(()), Err)
    }
}

/// The body of [`PyRepository::verify`]: the check, with `progress` in
/// bytes of stored objects checked.
pub(super) fn verify(
    repo: &PyRepository,
    py: Python<'_>,
    progress: Option<Py<PyAny>>,
) -> PyResult<super::verify::PyVerifyReport> {
    let mut callback = Callback::new(progress);
    let report = repo.with(py, |r| {
        Ok(r.verify_with(&mut |done, total| callback.call(done, total))?)
    })?;
    callback.finish()?;
    Ok(report.into())
}

/// The body of [`PyRepository::report_html`]: the page written to `path`
/// whole or not at all (through a temporary file beside it); an I/O
/// failure is Python's `OSError`.
pub(super) fn report_html(
    repo: &PyRepository,
    py: Python<'_>,
    path: PathBuf,
    limit: Option<usize>,
) -> PyResult<()> {
    let page = repo.with(py, |r| Ok(r.report_html(limit)?))?;
    let tmp = path.with_extension("html.tmp");
    std::fs::write(&tmp, page.as_bytes())?;
    std::fs::rename(&tmp, &path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(())
}
