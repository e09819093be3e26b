//! `Protocol` and the protocol functions.

use std::sync::Arc;

use panproto_core::{Protocol, ProtocolError, registry};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};

use super::convert::{to_python, type_name};
use super::errors::attached;
use super::gat::PyTheory;
use super::schema::PySchemaBuilder;

/// A protocol: the vertex kinds, edge rules and constraint sorts a family of
/// schemas follows.
///
/// Get one with :func:`protocol` (built-ins) or :func:`define_protocol`.
#[pyclass(name = "Protocol", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyProtocol(pub(crate) Arc<Protocol>);

#[pymethods]
impl PyProtocol {
    /// The protocol's name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Vertex kinds schemas of this protocol may use.
    #[getter]
    fn object_kinds(&self) -> Vec<String> {
        self.0.object_kinds.iter().cloned().collect()
    }

    /// Edge kinds, each with a rule saying which vertex kinds it joins.
    #[getter]
    fn edge_kinds(&self) -> Vec<String> {
        self.0.edge_rules.keys().cloned().collect()
    }

    /// Constraint sorts a vertex may carry.
    #[getter]
    fn constraint_sorts(&self) -> Vec<String> {
        self.0.constraint_sorts.iter().cloned().collect()
    }

    /// The theory its schemas are models of, made from its kinds, edge
    /// kinds and constraint sorts (see the GAT engine in the README).
    ///
    /// Raises
    /// ------
    /// GatError
    ///     For a defined protocol whose names a theory cannot hold.
    #[getter]
    fn schema_theory(&self, py: Python<'_>) -> PyResult<PyTheory> {
        attached(py, panproto_core::gat::schema_theory(&self.0)).map(PyTheory)
    }

    /// The theory its records are models of: the schema theory glued with
    /// nodes, arcs and values over its graph.
    ///
    /// Raises
    /// ------
    /// GatError
    ///     As :attr:`schema_theory`.
    #[getter]
    fn instance_theory(&self, py: Python<'_>) -> PyResult<PyTheory> {
        attached(py, panproto_core::gat::instance_theory(&self.0)).map(PyTheory)
    }

    /// A new, empty schema builder for this protocol.
    fn schema(&self) -> PySchemaBuilder {
        PySchemaBuilder(panproto_core::Schema::builder(Arc::clone(&self.0)))
    }

    /// The specification as a dict, the form :func:`define_protocol` takes.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &*self.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "Protocol({:?}, object_kinds={}, edge_kinds={}, constraint_sorts={})",
            self.0.name,
            self.0.object_kinds.len(),
            self.0.edge_rules.len(),
            self.0.constraint_sorts.len()
        )
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyAny>,))> {
        let module = py.import(super::module_name())?;
        if panproto_core::builtin_protocol(&self.0.name).is_ok() {
            Ok((
                module.getattr("protocol")?,
                (self.0.name.clone().into_pyobject(py)?.into_any(),),
            ))
        } else {
            Ok((module.getattr("define_protocol")?, (self.to_dict(py)?,)))
        }
    }
}

/// Looks up a protocol by name: the five built-ins (atproto, sql, protobuf,
/// graphql, json-schema) and any defined with :func:`define_protocol`.
///
/// Raises
/// ------
/// SchemaValidationError
///     If no protocol has that name.
#[pyfunction]
pub(crate) fn protocol(py: Python<'_>, name: &str) -> PyResult<PyProtocol> {
    attached(py, registry::lookup(name)).map(PyProtocol)
}

/// Names of every known protocol: the built-ins, then defined ones.
#[pyfunction]
pub(crate) fn list_protocols() -> Vec<String> {
    registry::names()
}

/// Defines (or redefines) a protocol of your own from its specification.
///
/// Parameters
/// ----------
/// spec : Mapping
///     ``name``, ``object_kinds``, ``edge_rules`` (edge kind -> ``src_kinds``,
///     ``tgt_kinds``, ``named``), ``constraint_sorts``, and optionally
///     ``schema_theory`` and ``instance_theory``.
///
/// Raises
/// ------
/// TypeError
///     If ``spec`` is not a mapping.
/// SchemaValidationError
///     If the specification is malformed or contradicts itself.
#[pyfunction]
pub(crate) fn define_protocol(py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<PyProtocol> {
    if spec.cast::<PyMapping>().is_err() {
        return Err(PyTypeError::new_err(format!(
            "argument 'spec' must be a mapping (a protocol specification), not {}",
            type_name(spec)
        )));
    }
    // A mapping that does not read as a specification is a malformed one.
    let spec: Result<Protocol, _> =
        pythonize::depythonize(spec).map_err(|e| ProtocolError::Malformed(e.to_string()));
    attached(py, spec.and_then(registry::define)).map(PyProtocol)
}

/// A protocol argument (always named `protocol`): a `Protocol` object or a protocol's name.
pub(crate) enum ProtocolArg {
    /// A `Protocol` object.
    Object(PyProtocol),
    /// A protocol name, looked up among built-in and defined protocols.
    Name(String),
}

impl<'a, 'py> FromPyObject<'a, 'py> for ProtocolArg {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(p) = obj.cast::<PyProtocol>() {
            return Ok(Self::Object(p.get().clone()));
        }
        if let Ok(name) = obj.cast::<PyString>() {
            return Ok(Self::Name(name.to_str()?.to_owned()));
        }
        Err(PyTypeError::new_err(format!(
            "argument 'protocol' must be a Protocol or a protocol name (str), not {}",
            type_name(&obj)
        )))
    }
}

impl ProtocolArg {
    /// The default protocol of a new repository.
    pub(crate) fn atproto() -> Self {
        Self::Name("atproto".to_owned())
    }

    /// Resolves the argument to a protocol.
    pub(crate) fn resolve(self, py: Python<'_>) -> PyResult<Arc<Protocol>> {
        match self {
            Self::Object(p) => Ok(p.0),
            Self::Name(name) => attached(py, registry::lookup(&name)),
        }
    }
}
