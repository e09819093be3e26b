//! The GAT engine from Python: `create_theory`, `colimit_theories`,
//! `check_morphism`, and `Theory` objects (also each protocol's
//! `schema_theory` and `instance_theory`).

use panproto_core::gat::{self, GatError, Morphism, Theory};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use super::convert::{to_python, type_name};
use super::errors::{Error, attached};

impl From<GatError> for Error {
    fn from(e: GatError) -> Self {
        Self::Gat(e)
    }
}

/// A generalised algebraic theory: sorts (with parameters, for dependent
/// sorts), operations with typed inputs and an output, and equations
/// between terms. Made by :func:`create_theory` or
/// :func:`colimit_theories`, or read from a protocol
/// (:attr:`Protocol.schema_theory`). Compares equal by content; pickles;
/// a context manager (the seed's form), releasing nothing.
#[pyclass(name = "Theory", frozen, eq, skip_from_py_object)]
#[derive(PartialEq)]
pub(crate) struct PyTheory(pub(crate) Theory);

#[pymethods]
impl PyTheory {
    /// Its name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Its sorts, each ``{"name", "params": [[name, sort], ...]}``.
    #[getter]
    fn sorts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        as_lists(py, &self.0.sorts)
    }

    /// Its operations, each ``{"name", "inputs": [[name, sort], ...], "output"}``.
    #[getter]
    fn ops<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        as_lists(py, &self.0.ops)
    }

    /// Its equations, each ``{"name", "lhs", "rhs"}`` (and ``"vars"`` if given).
    #[getter]
    fn eqs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        as_lists(py, &self.0.eqs)
    }

    /// The theory as the spec :func:`create_theory` reads.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        as_lists(py, &self.0)
    }

    fn __repr__(&self) -> String {
        let n = |k: usize, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
        format!(
            "Theory({:?}, {}, {}, {})",
            self.0.name,
            n(self.0.sorts.len(), "sort"),
            n(self.0.ops.len(), "operation"),
            n(self.0.eqs.len(), "equation")
        )
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_theory")?;
        Ok((restore, (self.0.to_json(),)))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        false
    }
}

/// `value` in Python, its pairs as lists (as the spec writes them), not tuples.
fn as_lists<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    // Names and pairs of names always serialise.
    to_python(py, &serde_json::to_value(value).unwrap_or_default())
}

/// Rebuilds a pickled theory.
#[pyfunction]
pub(crate) fn _restore_theory(py: Python<'_>, json: &str) -> PyResult<PyTheory> {
    attached(py, Theory::from_json(json)).map(PyTheory)
}

/// A mapping argument read as `T`; a mapping that does not read as one
/// is a `GatError` naming `what`.
fn spec_arg<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    name: &str,
    what: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<T> {
    if value.cast::<PyMapping>().is_err() {
        return Err(PyTypeError::new_err(format!(
            "argument '{name}' must be a mapping ({what}), not {}",
            type_name(value)
        )));
    }
    // Through JSON, so that serde names the field that does not fit.
    let read = pythonize::depythonize::<serde_json::Value>(value)
        .map_err(|e| e.to_string())
        .and_then(|json| serde_json::from_value(json).map_err(|e| e.to_string()))
        .map_err(|e| GatError {
            what: what.to_owned(),
            problems: vec![e],
        });
    attached(py, read)
}

/// A theory from its spec: ``{"name", "sorts": [{"name", "params"}],
/// "ops": [{"name", "inputs": [[name, sort]], "output"}], "eqs": [{"name",
/// "lhs", "rhs", "vars"?}]}``. A sort written ``S(x, y)`` is a dependent
/// sort applied to one argument per parameter. A term is a variable or
/// ``op(t, ...)``; a variable's sort is read from where it stands, or
/// from ``vars``.
///
/// Raises
/// ------
/// TypeError
///     If ``spec`` is not a mapping.
/// GatError
///     Naming every ill-formed sort, operation and equation (``errors``).
#[pyfunction]
pub(crate) fn create_theory(py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<PyTheory> {
    let theory: Theory = spec_arg(py, "spec", "theory spec", spec)?;
    attached(py, theory.checked()).map(PyTheory)
}

/// The colimit (pushout) of ``t1`` and ``t2`` over ``shared``, a theory
/// part of both: ``t1``'s declarations, then ``t2``'s that ``shared``
/// does not hold. Named ``name``, by default ``"t1+t2"``.
///
/// Raises
/// ------
/// GatError
///     Naming each declaration of ``shared`` a side lacks or declares
///     otherwise, and each name both declare outside ``shared``.
#[pyfunction]
#[pyo3(signature = (t1, t2, shared, *, name = None))]
pub(crate) fn colimit_theories(
    py: Python<'_>,
    t1: &PyTheory,
    t2: &PyTheory,
    shared: &PyTheory,
    name: Option<&str>,
) -> PyResult<PyTheory> {
    attached(py, gat::colimit(&t1.0, &t2.0, &shared.0, name)).map(PyTheory)
}

/// Checks the morphism ``m`` (``{"sorts": {domain: codomain}, "ops":
/// {...}}``; a sort or operation not named goes to the one of the same
/// name) from ``domain`` to ``codomain``: each sort to a sort of the same
/// arity, each operation to one with the image signature, each equation
/// to an equation of the codomain (up to renaming its variables and
/// swapping its sides).
///
/// Returns
/// -------
/// dict
///     ``{"sorts", "ops", "equations"}``: every sort, operation and
///     equation of the domain with its image.
///
/// Raises
/// ------
/// GatError
///     Naming each sort, operation and equation that does not map.
#[pyfunction]
pub(crate) fn check_morphism<'py>(
    py: Python<'py>,
    m: &Bound<'_, PyAny>,
    domain: &PyTheory,
    codomain: &PyTheory,
) -> PyResult<Bound<'py, PyDict>> {
    let morphism: Morphism = spec_arg(py, "m", "morphism", m)?;
    let checked = attached(py, morphism.check(&domain.0, &codomain.0))?;
    let out = PyDict::new(py);
    out.set_item("sorts", checked.sorts)?;
    out.set_item("ops", checked.ops)?;
    out.set_item("equations", checked.equations)?;
    Ok(out)
}
