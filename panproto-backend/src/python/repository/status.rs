//! `Status`: the branch, HEAD, and what is staged.

use std::collections::BTreeMap;

use panproto_core::{CompatReport, Head, Level, Status};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::python::convert::to_python;

/// What :meth:`Repository.status` reports: the branch, HEAD, and what is
/// staged with how it differs from HEAD.
#[pyclass(name = "Status", frozen, get_all)]
pub(crate) struct PyStatus {
    /// The current branch, or ``None`` when HEAD is detached.
    branch: Option<String>,
    /// The commit HEAD points at, or ``None`` before the first commit.
    head: Option<String>,
    /// The id of the staged schema, or ``None`` if nothing is staged.
    staged: Option<String>,
    /// How the staged schema differs from HEAD's (empty if nothing is staged).
    changes: Py<PyAny>,
    /// The verdict on the staged changes (``None`` if nothing is staged).
    compatibility: Option<String>,
    /// The datasets staged with :meth:`Repository.add_data`, with their record counts.
    staged_data: BTreeMap<String, u64>,
    /// The worst level for readers of the staged schema reading HEAD's
    /// data, by the format's rules (``None`` if nothing is staged).
    backward: Option<String>,
    /// The worst level for readers of HEAD's schema reading the staged
    /// schema's data (``None`` if nothing is staged).
    forward: Option<String>,
    /// The worse of the two (``None`` if nothing is staged).
    level: Option<String>,
}

impl PyStatus {
    /// The engine's status as Python sees it.
    pub(crate) fn from_engine(py: Python<'_>, status: Status) -> PyResult<Self> {
        let branch = match &status.head {
            Head::Branch(b) => Some(b.clone()),
            Head::Detached(_) => None,
        };
        let (staged, changes, compatibility) = match &status.staged {
            Some(s) => (
                Some(s.schema.id().to_hex()),
                &s.changes[..],
                Some(s.classification.verdict.code().to_owned()),
            ),
            None => (None, &[][..], None),
        };
        let level = |l: fn(&CompatReport) -> Level| {
            status
                .staged
                .as_ref()
                .map(|s| l(&s.compat).code().to_owned())
        };
        Ok(Self {
            branch,
            head: status.head_commit.map(|id| id.to_hex()),
            staged,
            changes: to_python(py, changes)?.unbind(),
            compatibility,
            staged_data: status.staged_data,
            backward: level(CompatReport::backward),
            forward: level(CompatReport::forward),
            level: level(CompatReport::level),
        })
    }
}

#[pymethods]
impl PyStatus {
    #[new]
    #[pyo3(signature = (branch, head, staged, changes, compatibility = None, staged_data = BTreeMap::new(), backward = None, forward = None, level = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        branch: Option<String>,
        head: Option<String>,
        staged: Option<String>,
        changes: Py<PyAny>,
        compatibility: Option<String>,
        staged_data: BTreeMap<String, u64>,
        backward: Option<String>,
        forward: Option<String>,
        level: Option<String>,
    ) -> Self {
        Self {
            branch,
            head,
            staged,
            changes,
            compatibility,
            staged_data,
            backward,
            forward,
            level,
        }
    }

    /// The status as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("branch", &self.branch)?;
        d.set_item("head", &self.head)?;
        d.set_item("staged", &self.staged)?;
        d.set_item("changes", &self.changes)?;
        d.set_item("compatibility", &self.compatibility)?;
        d.set_item("staged_data", &self.staged_data)?;
        d.set_item("backward", &self.backward)?;
        d.set_item("forward", &self.forward)?;
        d.set_item("level", &self.level)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let n = self.changes.bind(py).len()?;
        let short = |s: &Option<String>| {
            s.as_ref().map_or("None".to_owned(), |s| {
                format!("{:?}", &s[..12.min(s.len())])
            })
        };
        Ok(format!(
            "Status(branch={}, head={}, staged={}, changes={n}, staged_data={})",
            self.branch
                .as_ref()
                .map_or("None".to_owned(), |b| format!("{b:?}")),
            short(&self.head),
            short(&self.staged),
            self.staged_data.len(),
        ))
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        (
            Option<String>,
            Option<String>,
            Option<String>,
            Py<PyAny>,
            Option<String>,
            BTreeMap<String, u64>,
            Option<String>,
            Option<String>,
            Option<String>,
        ),
    )> {
        let s = slf.get();
        let py = slf.py();
        Ok((
            slf.get_type().into_any(),
            (
                s.branch.clone(),
                s.head.clone(),
                s.staged.clone(),
                s.changes.clone_ref(py),
                s.compatibility.clone(),
                s.staged_data.clone(),
                s.backward.clone(),
                s.forward.clone(),
                s.level.clone(),
            ),
        ))
    }
}
