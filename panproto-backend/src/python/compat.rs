//! `check` and `CompatReport`: compatibility in both directions, by the
//! format's own rules, under a registry's compatibility mode.

use panproto_core::{CompatReport, Direction, Finding, Mode, compatibility};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Serialize;

use super::convert::to_python;
use super::errors::{Error, detached};
use super::report::to_json;
use super::schema::PySchema;

/// How a new version reads against an old one, both ways, under a mode:
/// each change (a *finding*) judged backward (new readers, old data) and
/// forward (old readers, new data) by the format's rules. Immutable;
/// compares equal by content; pickles.
#[pyclass(name = "CompatReport", frozen, eq, skip_from_py_object)]
#[derive(PartialEq)]
pub(crate) struct PyCompatReport {
    report: CompatReport,
    mode: Mode,
}

/// A finding that breaks a direction the mode enforces, as Python sees it.
#[derive(Serialize)]
struct ViolationData<'r> {
    direction: Direction,
    #[serde(flatten)]
    finding: &'r Finding,
}

/// Reads a mode's name (any case; `-` or `_`), or says which there are.
pub(crate) fn mode_arg(mode: &str) -> PyResult<Mode> {
    Mode::from_code(mode).ok_or_else(|| {
        let known: Vec<&str> = Mode::ALL.iter().map(|m| m.code()).collect();
        PyValueError::new_err(format!(
            "mode {mode:?} is not a compatibility mode; the modes are {}",
            known.join(", ")
        ))
    })
}

impl PyCompatReport {
    fn violation_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list: Vec<ViolationData<'_>> = self
            .report
            .violations(self.mode)
            .map(|v| ViolationData {
                direction: v.direction,
                finding: v.finding,
            })
            .collect();
        to_python(py, &list)
    }
}

#[pymethods]
impl PyCompatReport {
    /// Whose rules judged: the format's name (``"avro"``...) or ``"generic"``.
    #[getter]
    fn rules(&self) -> &str {
        &self.report.rules
    }

    /// The mode the verdict is under, e.g. ``"BACKWARD"``.
    #[getter]
    fn mode(&self) -> &'static str {
        self.mode.code()
    }

    /// The worst level for new readers of old data: ``"compatible"``,
    /// ``"dangerous"`` or ``"breaking"``.
    #[getter]
    fn backward(&self) -> &'static str {
        self.report.backward().code()
    }

    /// The worst level for old readers of new data.
    #[getter]
    fn forward(&self) -> &'static str {
        self.report.forward().code()
    }

    /// The worst level either way.
    #[getter]
    fn level(&self) -> &'static str {
        self.report.level().code()
    }

    /// The directions the mode enforces: ``[]``, ``["backward"]``,
    /// ``["forward"]`` or both.
    #[getter]
    fn directions(&self) -> Vec<&'static str> {
        self.mode.directions().iter().map(|d| d.code()).collect()
    }

    /// Whether nothing breaks a direction the mode enforces.
    #[getter]
    fn compatible(&self) -> bool {
        self.report.violations(self.mode).next().is_none()
    }

    /// Every finding: ``{"rule", "path", "change", "backward", "forward", "reason"}``.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.report.findings)
    }

    /// The findings that break a direction the mode enforces, once per
    /// direction: ``{"direction", "path", "change", "backward", "forward", "reason"}``.
    #[getter]
    fn violations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.violation_list(py)
    }

    /// The report as a plain dict (JSON-ready).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("rules", self.rules())?;
        d.set_item("mode", self.mode())?;
        d.set_item("directions", self.directions())?;
        d.set_item("compatible", self.compatible())?;
        d.set_item("backward", self.backward())?;
        d.set_item("forward", self.forward())?;
        d.set_item("level", self.level())?;
        d.set_item("findings", self.findings(py)?)?;
        d.set_item("violations", self.violation_list(py)?)?;
        Ok(d)
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (String, &'static str))> {
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_compat_report")?;
        Ok((restore, (to_json(&self.report)?, self.mode.code())))
    }

    fn __repr__(&self) -> String {
        format!(
            "CompatReport(rules={:?}, mode={}, backward={:?}, forward={:?}, findings={}, violations={})",
            self.report.rules,
            self.mode.code(),
            self.backward(),
            self.forward(),
            self.report.findings.len(),
            self.report.violations(self.mode).count()
        )
    }
}

/// Rebuilds a pickled ``CompatReport``.
#[pyfunction]
pub(crate) fn _restore_compat_report(report: &str, mode: &str) -> PyResult<PyCompatReport> {
    let report: CompatReport = serde_json::from_str(report)
        .map_err(|e| PyValueError::new_err(format!("not a pickled CompatReport: {e}")))?;
    Ok(PyCompatReport {
        report,
        mode: mode_arg(mode)?,
    })
}

/// How ``new`` reads against ``old``, both ways, under ``mode``.
///
/// Returns
/// -------
/// CompatReport
///     Each change judged backward and forward by the rules of the
///     schemas' format (Avro's schema resolution for ``avro``, buf's
///     ``WIRE_JSON`` rules for ``protobuf``, graphql-inspector's for
///     ``graphql``, the documents each version validates for
///     ``json-schema``, rows and queries for ``sql``, the lexicon
///     evolution rules for ``atproto``; the generic rules for custom
///     protocols),
///     and the violations of
///     ``mode``.
///
/// Raises
/// ------
/// ValueError
///     An unknown mode, or two schemas of different protocols.
#[pyfunction]
#[pyo3(signature = (old, new, mode = "BACKWARD"))]
pub(crate) fn check(
    py: Python<'_>,
    old: &PySchema,
    new: &PySchema,
    mode: &str,
) -> PyResult<PyCompatReport> {
    let mode = mode_arg(mode)?;
    let report = detached(py, || compatibility(&old.0, &new.0).map_err(Error::from))?;
    Ok(PyCompatReport { report, mode })
}
