//! `Panproto`: the seed SDK's entry point, the same operations as methods.

use pyo3::prelude::*;

use super::migration::{self, PyCompiledMigration, PyExistenceReport, PyMigrationBuilder};
use super::protocol::{self, ProtocolArg, PyProtocol};
use super::report::{self, PyDiffReport};
use super::schema::PySchema;

/// The engine as one object, for code written against the earlier SDK::
///
///     with Panproto.load() as pp:
///         atproto = pp.protocol("atproto")
///
/// The engine is native and needs no loading; ``load`` exists so that such
/// code keeps working, and ``close`` is a no-op kept for the same reason.
#[pyclass(name = "Panproto", frozen)]
pub(crate) struct PyPanproto;

#[pymethods]
impl PyPanproto {
    /// Returns a ready engine.
    #[staticmethod]
    fn load() -> Self {
        Self
    }

    /// See :func:`protocol`.
    fn protocol(&self, py: Python<'_>, name: &str) -> PyResult<PyProtocol> {
        protocol::protocol(py, name)
    }

    /// See :func:`define_protocol`.
    fn define_protocol(&self, py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<PyProtocol> {
        protocol::define_protocol(py, spec)
    }

    /// See :func:`list_protocols`.
    fn list_protocols(&self) -> Vec<String> {
        protocol::list_protocols()
    }

    /// See :func:`diff`.
    fn diff(&self, py: Python<'_>, old: &PySchema, new: &PySchema) -> PyResult<PyDiffReport> {
        report::diff(py, old, new)
    }

    /// See :func:`classify`.
    fn classify<'py>(
        &self,
        py: Python<'py>,
        diff: &PyDiffReport,
        protocol: ProtocolArg,
    ) -> PyResult<Bound<'py, PyAny>> {
        report::classify(py, diff, protocol)
    }

    /// See :func:`migration`.
    fn migration(&self, old: &PySchema, new: &PySchema) -> PyMigrationBuilder {
        migration::migration(old, new)
    }

    /// See :func:`check_existence`.
    fn check_existence(
        &self,
        py: Python<'_>,
        old: &PySchema,
        new: &PySchema,
        builder: &PyMigrationBuilder,
    ) -> PyResult<PyExistenceReport> {
        migration::check_existence(py, old, new, builder)
    }

    /// See :func:`compose`.
    fn compose(
        &self,
        py: Python<'_>,
        first: &PyCompiledMigration,
        second: &PyCompiledMigration,
    ) -> PyResult<PyCompiledMigration> {
        migration::compose(py, first, second)
    }

    /// See :func:`invert`.
    fn invert(
        &self,
        py: Python<'_>,
        migration: &PyCompiledMigration,
    ) -> PyResult<PyCompiledMigration> {
        migration::invert(py, migration)
    }

    /// Does nothing: there is nothing to release.
    fn close(&self) {}

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        false
    }

    fn __repr__(&self) -> String {
        format!("Panproto(backend={:?})", crate::store::BACKEND)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, ())> {
        let cls = py
            .import(super::module_name())?
            .getattr("Panproto")?
            .getattr("load")?;
        Ok((cls, ()))
    }
}
