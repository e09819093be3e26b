//! `DiffReport`, `diff` and `classify`: what changed between two schemas, and whether it breaks.

use std::sync::Arc;

use panproto_core::{
    Change, Classification, ClassifiedChange, classify as classify_changes, diff as diff_schemas,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::to_python;
use super::errors::{Error, detached};
use super::protocol::ProtocolArg;
use super::schema::PySchema;

/// The changes between two schemas, classified under the old schema's
/// protocol. Iterating it yields the changes. Compares equal by content; pickles.
#[pyclass(name = "DiffReport", frozen, eq, skip_from_py_object)]
#[derive(PartialEq)]
pub(crate) struct PyDiffReport {
    changes: Arc<[Change]>,
    classification: Classification,
}

impl PyDiffReport {
    /// A report of the engine's changes with the engine's classification of
    /// them (shared with the engine's staged state, not copied).
    pub(crate) fn new(changes: impl Into<Arc<[Change]>>, classification: Classification) -> Self {
        Self {
            changes: changes.into(),
            classification,
        }
    }

    fn change_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &*self.changes)
    }
}

#[pymethods]
impl PyDiffReport {
    /// Every change: ``{"kind", "element", "old"?, "new"?}``.
    #[getter]
    fn changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.change_list(py)
    }

    /// ``"fully-compatible"``, ``"backward-compatible"`` or ``"breaking"``.
    #[getter]
    fn compatibility(&self) -> &'static str {
        self.classification.verdict.code()
    }

    /// The breaking changes, each with ``breaking`` and ``reason``.
    #[getter]
    fn breaking<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list: Vec<ClassifiedChange<'_>> = self.classification.breaking(&self.changes).collect();
        to_python(py, &list)
    }

    /// The other changes, each with ``breaking`` and ``reason``.
    #[getter]
    fn non_breaking<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list: Vec<ClassifiedChange<'_>> =
            self.classification.non_breaking(&self.changes).collect();
        to_python(py, &list)
    }

    /// The report as a plain dict: ``changes``, ``compatibility``, ``breaking``, ``non_breaking``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("changes", self.change_list(py)?)?;
        d.set_item("compatibility", self.compatibility())?;
        d.set_item("breaking", self.breaking(py)?)?;
        d.set_item("non_breaking", self.non_breaking(py)?)?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.changes.len()
    }

    fn __bool__(&self) -> bool {
        !self.changes.is_empty()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self
            .change_list(py)?
            .cast_into::<PyList>()?
            .try_iter()?
            .into_any())
    }

    /// The change at ``index``, indexed as a list is (negative from the end).
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.change_list(py)?.get_item(index)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_diff_report")?;
        Ok((
            restore,
            (to_json(&*self.changes)?, to_json(&self.classification)?),
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "DiffReport(changes={}, compatibility={:?}, breaking={})",
            self.changes.len(),
            self.compatibility(),
            self.classification.breaking_count()
        )
    }
}

/// JSON text of a value, the pickled form of reports.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Rebuilds a pickled ``DiffReport``.
#[pyfunction]
pub(crate) fn _restore_diff_report(changes: &str, classification: &str) -> PyResult<PyDiffReport> {
    let bad =
        |e: serde_json::Error| PyValueError::new_err(format!("not a pickled DiffReport: {e}"));
    let changes: Vec<Change> = serde_json::from_str(changes).map_err(bad)?;
    let classification: Classification = serde_json::from_str(classification).map_err(bad)?;
    if classification.judgements.len() != changes.len() {
        return Err(PyValueError::new_err(
            "not a pickled DiffReport: the classification does not judge its changes",
        ));
    }
    Ok(PyDiffReport::new(changes, classification))
}

/// Every change from ``old`` to ``new``, classified.
///
/// Returns
/// -------
/// DiffReport
///     A sequence of changes ``{"kind", "element", "old"?, "new"?}``; ``kind``
///     is one of vertex-added, vertex-removed, edge-added, edge-removed,
///     constraint-added, constraint-removed, constraint-changed,
///     kind-changed, required-added, required-removed.
#[pyfunction]
pub(crate) fn diff(py: Python<'_>, old: &PySchema, new: &PySchema) -> PyResult<PyDiffReport> {
    detached(py, || {
        let changes = diff_schemas(&old.0, &new.0);
        let classification = classify_changes(&changes, old.0.protocol());
        Ok::<_, Error>(PyDiffReport::new(changes, classification))
    })
}

/// Classifies a diff under ``protocol``'s rules.
///
/// Returns
/// -------
/// dict
///     ``{"verdict", "breaking", "non_breaking"}``; the verdict is
///     ``"fully-compatible"``, ``"backward-compatible"`` or ``"breaking"``,
///     and each change carries ``breaking`` and a ``reason``.
#[pyfunction]
pub(crate) fn classify<'py>(
    py: Python<'py>,
    diff: &PyDiffReport,
    protocol: ProtocolArg,
) -> PyResult<Bound<'py, PyAny>> {
    let protocol = protocol.resolve(py)?;
    let classification = classify_changes(&diff.changes, &protocol);
    let d = PyDict::new(py);
    d.set_item("verdict", classification.verdict.code())?;
    let breaking: Vec<_> = classification.breaking(&diff.changes).collect();
    let non_breaking: Vec<_> = classification.non_breaking(&diff.changes).collect();
    d.set_item("breaking", to_python(py, &breaking)?)?;
    d.set_item("non_breaking", to_python(py, &non_breaking)?)?;
    Ok(d.into_any())
}
