//! `DiffReport`, `diff` and `classify`: what changed between two schemas, and whether it breaks.

use std::sync::Arc;

use panproto_core::{
    Change, Classification, ClassifiedChange, CompatReport, classify as classify_changes,
    compatibility_of, diff as diff_schemas,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::to_python;
use super::errors::{Error, detached};
use super::protocol::ProtocolArg;
use super::schema::PySchema;

/// The changes between two schemas, classified under the old schema's
/// protocol, with the verdict both ways by the format's rules. Iterating
/// it yields the changes. Compares equal by content; pickles.
#[pyclass(name = "DiffReport", frozen, eq, skip_from_py_object)]
#[derive(PartialEq)]
pub(crate) struct PyDiffReport {
    changes: Arc<[Change]>,
    classification: Classification,
    compat: Arc<CompatReport>,
}

impl PyDiffReport {
    /// A report of the engine's changes with the engine's classification of
    /// them and its verdict (shared with the engine's staged state, not copied).
    pub(crate) fn new(
        changes: impl Into<Arc<[Change]>>,
        classification: Classification,
        compat: impl Into<Arc<CompatReport>>,
    ) -> Self {
        Self {
            changes: changes.into(),
            classification,
            compat: compat.into(),
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

    /// Whose rules judged the two directions: the format's name
    /// (``"protobuf"``...) or ``"generic"``.
    #[getter]
    fn rules(&self) -> &str {
        &self.compat.rules
    }

    /// The worst level for readers of the new version reading data of the
    /// old: ``"compatible"``, ``"dangerous"`` or ``"breaking"``.
    #[getter]
    fn backward(&self) -> &'static str {
        self.compat.backward().code()
    }

    /// The worst level for readers of the old version reading data of the new.
    #[getter]
    fn forward(&self) -> &'static str {
        self.compat.forward().code()
    }

    /// The worst level either way.
    #[getter]
    fn level(&self) -> &'static str {
        self.compat.level().code()
    }

    /// Each change judged both ways by the format's rules:
    /// ``{"rule", "path", "change", "backward", "forward", "reason"}``.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.compat.findings)
    }

    /// The report as a plain dict: ``changes``, ``compatibility``,
    /// ``breaking``, ``non_breaking``, and the verdict both ways:
    /// ``rules``, ``backward``, ``forward``, ``level``, ``findings``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("changes", self.change_list(py)?)?;
        d.set_item("compatibility", self.compatibility())?;
        d.set_item("breaking", self.breaking(py)?)?;
        d.set_item("non_breaking", self.non_breaking(py)?)?;
        d.set_item("rules", self.rules())?;
        d.set_item("backward", self.backward())?;
        d.set_item("forward", self.forward())?;
        d.set_item("level", self.level())?;
        d.set_item("findings", self.findings(py)?)?;
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

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (String, String, String))> {
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_diff_report")?;
        Ok((
            restore,
            (
                to_json(&*self.changes)?,
                to_json(&self.classification)?,
                to_json(&*self.compat)?,
            ),
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "DiffReport(changes={}, compatibility={:?}, breaking={}, backward={:?}, forward={:?})",
            self.changes.len(),
            self.compatibility(),
            self.classification.breaking_count(),
            self.backward(),
            self.forward()
        )
    }
}

/// JSON text of a value, the pickled form of reports.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Rebuilds a pickled ``DiffReport``.
#[pyfunction]
pub(crate) fn _restore_diff_report(
    changes: &str,
    classification: &str,
    compat: &str,
) -> PyResult<PyDiffReport> {
    let bad =
        |e: serde_json::Error| PyValueError::new_err(format!("not a pickled DiffReport: {e}"));
    let changes: Vec<Change> = serde_json::from_str(changes).map_err(bad)?;
    let classification: Classification = serde_json::from_str(classification).map_err(bad)?;
    let compat: CompatReport = serde_json::from_str(compat).map_err(bad)?;
    if classification.judgements.len() != changes.len() {
        return Err(PyValueError::new_err(
            "not a pickled DiffReport: the classification does not judge its changes",
        ));
    }
    Ok(PyDiffReport::new(changes, classification, compat))
}

/// Every change from ``old`` to ``new``, classified, and judged both ways
/// by the format's rules (``backward``, ``forward``, ``level``, ``findings``).
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
        // Two protocols: no format's rules judge across them; the generic
        // rules judge the changes the diff lists.
        let compat = if old.0.protocol().name == new.0.protocol().name {
            compatibility_of(&old.0, &new.0, &changes)
        } else {
            panproto_core::generic_compatibility_of(&changes, old.0.protocol())
        };
        Ok::<_, Error>(PyDiffReport::new(changes, classification, compat))
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
