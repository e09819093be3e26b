//! `VerifyReport`: what `Repository.verify` found.

use panproto_core::{Problem, VerifyReport};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::python::convert::int_arg;

/// What :meth:`Repository.verify` found: how much it checked and every
/// problem, each with its kind, where it is and what is wrong.
#[pyclass(name = "VerifyReport", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyVerifyReport {
    objects: usize,
    refs: usize,
    /// `(kind, object, message)` for each problem.
    problems: Vec<(String, String, String)>,
}

impl From<VerifyReport> for PyVerifyReport {
    fn from(report: VerifyReport) -> Self {
        Self {
            objects: report.objects,
            refs: report.refs,
            problems: report
                .problems
                .into_iter()
                .map(
                    |Problem {
                         kind,
                         subject,
                         message,
                     }| { (kind.code().to_owned(), subject, message) },
                )
                .collect(),
        }
    }
}

impl PyVerifyReport {
    fn problem_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.problems
            .iter()
            .map(|(kind, object, message)| {
                let d = PyDict::new(py);
                d.set_item("kind", kind)?;
                d.set_item("object", object)?;
                d.set_item("message", message)?;
                Ok(d)
            })
            .collect()
    }
}

#[pymethods]
impl PyVerifyReport {
    #[new]
    fn new(
        objects: &Bound<'_, PyAny>,
        refs: &Bound<'_, PyAny>,
        problems: Vec<(String, String, String)>,
    ) -> PyResult<Self> {
        Ok(Self {
            objects: int_arg("objects", objects)?,
            refs: int_arg("refs", refs)?,
            problems,
        })
    }

    /// Whether nothing is wrong.
    #[getter]
    fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// How many objects were checked.
    #[getter]
    fn objects(&self) -> usize {
        self.objects
    }

    /// How many refs were checked.
    #[getter]
    fn refs(&self) -> usize {
        self.refs
    }

    /// Every problem: ``{"kind", "object", "message"}``.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.problem_dicts(py)
    }

    /// The report as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("ok", self.ok())?;
        d.set_item("objects", self.objects)?;
        d.set_item("refs", self.refs)?;
        d.set_item("problems", self.problem_dicts(py)?)?;
        Ok(d)
    }

    fn __bool__(&self) -> bool {
        self.ok()
    }

    fn __repr__(&self) -> String {
        format!(
            "VerifyReport(ok={}, objects={}, refs={}, problems={})",
            if self.ok() { "True" } else { "False" },
            self.objects,
            self.refs,
            self.problems.len()
        )
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        (usize, usize, Vec<(String, String, String)>),
    )> {
        let r = slf.get();
        Ok((
            slf.get_type().into_any(),
            (r.objects, r.refs, r.problems.clone()),
        ))
    }
}
