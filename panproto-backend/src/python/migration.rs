//! `MigrationBuilder`, `CompiledMigration`, `ExistenceReport` and the
//! migration functions (`migration`, `check_existence`, `compose`, `invert`).

use std::collections::VecDeque;

use super::convert::{PassThrough, Writer, from_python, next_batch, to_py, to_python, to_value};
use super::errors::{Error, attached, detached};
use super::report::to_json;
use super::schema::PySchema;
use panproto_core::{
    CompiledMigration, Edge, ExistenceReport, MigrationBuilder, MigrationError, MigrationSpec,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyIterator, PyList, PyTuple};

/// Reads edge argument `name`.
///
/// # Errors
/// A `TypeError` naming the argument if `edge` is not an edge dict.
fn edge_arg(name: &str, edge: &Bound<'_, PyAny>) -> PyResult<Edge> {
    from_python(
        name,
        "an edge, a dict {\"src\": str, \"tgt\": str, \"kind\": str, \"name\": str (optional)}",
        edge,
    )
}

/// An immutable, fluent migration builder: every call returns a new builder.
/// Get one with :func:`migration`. Pickles with its schemas and mapping.
#[pyclass(name = "MigrationBuilder", frozen, skip_from_py_object)]
pub(crate) struct PyMigrationBuilder(MigrationBuilder);

/// A builder holding `spec`'s mapping from `src` to `tgt`.
fn builder_from_spec(
    src: panproto_core::Schema,
    tgt: panproto_core::Schema,
    spec: MigrationSpec,
) -> MigrationBuilder {
    let mut b = MigrationBuilder::new(src, tgt);
    for (s, t) in spec.vertex_map {
        b = b.map(s, t);
    }
    for m in spec.edge_map {
        b = b.map_edge(m.src, m.tgt);
    }
    for r in spec.resolvers {
        b = b.resolve(r.src_kind, r.tgt_kind, r.edge);
    }
    b
}

#[pymethods]
impl PyMigrationBuilder {
    /// Maps source vertex ``src`` to target vertex ``tgt``.
    fn map(&self, src: String, tgt: String) -> Self {
        Self(self.0.map(src, tgt))
    }

    /// Maps a source edge to a target edge, each a dict ``{"src", "tgt", "kind", "name"?}``.
    /// Needed only when the edge cannot be derived from the vertex map.
    ///
    /// Raises
    /// ------
    /// TypeError
    ///     If either is not such a dict.
    fn map_edge(&self, src_edge: &Bound<'_, PyAny>, tgt_edge: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self(self.0.map_edge(
            edge_arg("src_edge", src_edge)?,
            edge_arg("tgt_edge", tgt_edge)?,
        )))
    }

    /// When contracting through a dropped vertex, hang a child of target kind
    /// ``tgt_kind`` under an ancestor of kind ``src_kind`` by target edge ``edge``.
    fn resolve(
        &self,
        src_kind: String,
        tgt_kind: String,
        edge: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(Self(self.0.resolve(
            src_kind,
            tgt_kind,
            edge_arg("edge", edge)?,
        )))
    }

    /// The mapping so far, as a dict (``vertex_map``, ``edge_map``, ``resolvers``).
    fn spec<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.spec())
    }

    /// The existence check of the mapping so far.
    fn check(&self, py: Python<'_>) -> PyResult<PyExistenceReport> {
        detached(py, || Ok::<_, Error>(self.0.check())).map(PyExistenceReport)
    }

    /// Checks the mapping and compiles it.
    ///
    /// Raises
    /// ------
    /// MigrationError
    ///     Naming every element that makes the mapping unusable.
    fn compile(&self, py: Python<'_>) -> PyResult<PyCompiledMigration> {
        detached(py, || self.0.compile()).map(PyCompiledMigration)
    }

    fn __repr__(&self) -> String {
        let spec = self.0.spec();
        format!(
            "MigrationBuilder(vertex_map={}, edge_map={}, resolvers={})",
            spec.vertex_map.len(),
            spec.edge_map.len(),
            spec.resolvers.len()
        )
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (PySchema, PySchema, String))> {
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_migration_builder")?;
        Ok((
            restore,
            (
                PySchema(self.0.source().clone()),
                PySchema(self.0.target().clone()),
                to_json(&self.0.spec())?,
            ),
        ))
    }
}

/// Rebuilds a pickled migration builder.
#[pyfunction]
pub(crate) fn _restore_migration_builder(
    src: PyRef<'_, PySchema>,
    tgt: PyRef<'_, PySchema>,
    spec: &str,
) -> PyResult<PyMigrationBuilder> {
    let spec: MigrationSpec =
        serde_json::from_str(spec).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyMigrationBuilder(builder_from_spec(
        src.0.clone(),
        tgt.0.clone(),
        spec,
    )))
}

/// Starts a migration from ``old`` to ``new``.
#[pyfunction]
pub(crate) fn migration(old: &PySchema, new: &PySchema) -> PyMigrationBuilder {
    PyMigrationBuilder(MigrationBuilder::new(old.0.clone(), new.0.clone()))
}

/// A checked, compiled migration: lifts records from its source schema to
/// its target, and back and forth without loss with ``get`` / ``put``.
#[pyclass(name = "CompiledMigration", frozen, skip_from_py_object)]
pub(crate) struct PyCompiledMigration(pub(crate) CompiledMigration);

#[pymethods]
impl PyCompiledMigration {
    /// The schema records come from.
    #[getter]
    fn source(&self) -> PySchema {
        PySchema(self.0.source().clone())
    }

    /// The schema records go to.
    #[getter]
    fn target(&self) -> PySchema {
        PySchema(self.0.target().clone())
    }

    /// The migration's identity (32 hex digits), recorded in its complements.
    #[getter]
    fn fingerprint(&self) -> String {
        self.0.fingerprint()
    }

    /// The mapping as a dict, or ``None`` for a composite migration.
    #[getter]
    fn spec<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.spec().map(|s| to_python(py, s)).transpose()
    }

    /// The vertex records are rooted at when ``root`` is not given, if the source has one.
    #[getter]
    fn default_root(&self) -> Option<String> {
        self.0.default_root().map(str::to_owned)
    }

    /// Lifts one record: keeps what survives, renames keys, contracts through
    /// dropped ancestors, drops the rest.
    ///
    /// Raises
    /// ------
    /// MigrationError
    ///     If the root is not a mapped source vertex, or none is given and the source has several.
    /// TypeError
    ///     If the record holds something other than dict, list, str, int, float, bool, None or
    ///     bytes, an int beyond 64 bits or a str with a lone surrogate (as ``get``, ``put`` and
    ///     ``Schema.validate_record`` refuse them).
    #[pyo3(signature = (record, root = None))]
    fn lift<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        root: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut scalars = PassThrough::new();
        let value = scalars.read(record)?;
        let lifted = detached(py, || self.0.lift(value, root))?;
        scalars.write(&mut Writer::new(py), lifted)
    }

    /// Lifts every record of an iterable, lazily, in batches with the GIL released.
    ///
    /// Returns
    /// -------
    /// Iterator
    ///     The lifted records, in order.
    #[pyo3(signature = (records, root = None))]
    fn lift_many(
        slf: &Bound<'_, Self>,
        records: &Bound<'_, PyAny>,
        root: Option<String>,
    ) -> PyResult<LiftIterator> {
        let py = slf.py();
        attached(py, slf.get().0.rooted(root.as_deref()).map(|_| ()))?;
        Ok(LiftIterator {
            migration: slf.clone().unbind(),
            root,
            source: Some(records.try_iter()?.unbind()),
            ready: VecDeque::new(),
        })
    }

    /// The view of ``record`` (what ``lift`` gives) and the complement: opaque
    /// bytes holding exactly what the view leaves out.
    #[pyo3(signature = (record, root = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        root: Option<&str>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyBytes>)> {
        let value = to_value(record)?;
        let (view, complement) = detached(py, || self.0.get(value, root))?;
        Ok((to_py(py, view)?, PyBytes::new(py, &complement)))
    }

    /// Rebuilds a source record from a view and the complement ``get`` gave
    /// with it: ``put(*get(r)) == r``.
    ///
    /// Raises
    /// ------
    /// MigrationError
    ///     If the complement was made by another migration, or was altered.
    fn put<'py>(
        &self,
        py: Python<'py>,
        view: &Bound<'py, PyAny>,
        complement: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = to_value(view)?;
        let complement = complement.to_vec();
        let record = detached(py, || self.0.put(value, &complement))?;
        to_py(py, record)
    }

    /// This migration, then ``other``.
    fn compose(&self, py: Python<'_>, other: &PyCompiledMigration) -> PyResult<Self> {
        attached(py, self.0.compose(&other.0)).map(Self)
    }

    /// The inverse of a bijective migration.
    ///
    /// Raises
    /// ------
    /// MigrationError
    ///     If the migration drops or merges anything.
    fn invert(&self, py: Python<'_>) -> PyResult<Self> {
        detached(py, || self.0.invert()).map(Self)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyCompiledMigration>()
            .is_ok_and(|o| o.get().0.fingerprint() == self.0.fingerprint())
    }

    fn __hash__(&self) -> u64 {
        u64::from_str_radix(&self.0.fingerprint()[..16], 16).unwrap_or_default()
    }

    fn __repr__(&self) -> String {
        format!(
            "CompiledMigration(source={:?}, target={:?}, stages={}, fingerprint={:?})",
            self.0.source().id().short(),
            self.0.target().id().short(),
            self.0.stages(),
            self.0.fingerprint()
        )
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyList>,))> {
        let parts = self
            .0
            .parts()
            .into_iter()
            .map(|(s, t, spec)| {
                let spec = serde_json::to_string(spec)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?;
                PyTuple::new(
                    py,
                    [
                        PySchema(s.clone()).into_pyobject(py)?.into_any(),
                        PySchema(t.clone()).into_pyobject(py)?.into_any(),
                        spec.into_pyobject(py)?.into_any(),
                    ],
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_migration")?;
        Ok((restore, (PyList::new(py, parts)?,)))
    }
}

/// Rebuilds a pickled migration from its stages.
#[pyfunction]
pub(crate) fn _restore_migration(
    py: Python<'_>,
    parts: Vec<(PyRef<'_, PySchema>, PyRef<'_, PySchema>, String)>,
) -> PyResult<PyCompiledMigration> {
    let parts: Vec<(panproto_core::Schema, panproto_core::Schema, MigrationSpec)> = parts
        .into_iter()
        .map(|(s, t, spec)| {
            let spec: MigrationSpec =
                serde_json::from_str(&spec).map_err(|e| PyValueError::new_err(e.to_string()))?;
            Ok((s.0.clone(), t.0.clone(), spec))
        })
        .collect::<PyResult<_>>()?;
    detached(py, move || {
        let mut out: Option<CompiledMigration> = None;
        for (s, t, spec) in parts {
            let stage = CompiledMigration::compile(s, t, spec)?;
            out = Some(match out {
                None => stage,
                Some(acc) => acc.compose(&stage)?,
            });
        }
        out.ok_or_else(|| {
            MigrationError::NotInvertible("a pickled migration with no stages".to_owned())
        })
    })
    .map(PyCompiledMigration)
}

/// The lazy iterator ``lift_many`` returns.
#[pyclass(name = "LiftIterator")]
pub(crate) struct LiftIterator {
    migration: Py<PyCompiledMigration>,
    root: Option<String>,
    source: Option<Py<PyIterator>>,
    ready: VecDeque<Py<PyAny>>,
}

#[pymethods]
impl LiftIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        if self.ready.is_empty() {
            self.refill(py)?;
        }
        Ok(self.ready.pop_front())
    }
}

impl LiftIterator {
    fn refill(&mut self, py: Python<'_>) -> PyResult<()> {
        let mut scalars = PassThrough::new();
        let batch = next_batch(py, &mut self.source, |item| scalars.read(item))?;
        if batch.is_empty() {
            return Ok(());
        }
        let migration = self.migration.get();
        let root = self.root.as_deref();
        let lifted = detached(py, || {
            let rooted = migration.0.rooted(root)?;
            Ok::<_, Error>(
                batch
                    .into_iter()
                    .map(|r| rooted.lift(r))
                    .collect::<Vec<_>>(),
            )
        })?;
        let mut writer = Writer::new(py);
        for v in lifted {
            self.ready
                .push_back(scalars.write(&mut writer, v)?.unbind());
        }
        Ok(())
    }
}

/// What an existence check found: every issue with its kind and element.
/// Compares equal by content; pickles.
#[pyclass(name = "ExistenceReport", frozen, eq, skip_from_py_object)]
#[derive(PartialEq)]
pub(crate) struct PyExistenceReport(ExistenceReport);

/// Rebuilds a pickled existence report.
#[pyfunction]
pub(crate) fn _restore_existence_report(issues: &str) -> PyResult<PyExistenceReport> {
    serde_json::from_str(issues)
        .map(|issues| PyExistenceReport(ExistenceReport { issues }))
        .map_err(|e| PyValueError::new_err(format!("not a pickled ExistenceReport: {e}")))
}

#[pymethods]
impl PyExistenceReport {
    /// Whether there is no issue at all.
    #[getter]
    fn valid(&self) -> bool {
        self.0.is_valid()
    }

    /// Whether the mapping can be compiled (no issue of a fatal kind).
    #[getter]
    fn compilable(&self) -> bool {
        self.0.is_compilable()
    }

    /// Every issue: ``{"kind", "element", "message"}``; ``kind`` is one of
    /// edge-missing, kind-inconsistency, label-inconsistency,
    /// required-field-missing, constraint-tightened, resolver-invalid,
    /// well-formedness, signature-coherence, simultaneity, reachability-risk.
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.issues)
    }

    /// The report as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("valid", self.valid())?;
        d.set_item("compilable", self.compilable())?;
        d.set_item("errors", self.errors(py)?)?;
        Ok(d)
    }

    fn __bool__(&self) -> bool {
        self.0.is_valid()
    }

    fn __len__(&self) -> usize {
        self.0.issues.len()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_existence_report")?;
        Ok((restore, (to_json(&self.0.issues)?,)))
    }

    fn __repr__(&self) -> String {
        let kinds: Vec<&str> = self.0.issues.iter().map(|i| i.kind.code()).collect();
        format!(
            "ExistenceReport(valid={}, errors={kinds:?})",
            if self.0.is_valid() { "True" } else { "False" }
        )
    }
}

/// Checks a migration's mapping and reports every issue.
///
/// Parameters
/// ----------
/// old, new : Schema
///     The source and target.
/// builder : MigrationBuilder
///     The mapping to check.
#[pyfunction]
pub(crate) fn check_existence(
    py: Python<'_>,
    old: &PySchema,
    new: &PySchema,
    builder: &PyMigrationBuilder,
) -> PyResult<PyExistenceReport> {
    let spec = builder.0.spec();
    detached(py, || {
        Ok::<_, Error>(panproto_core::check_existence(&old.0, &new.0, &spec))
    })
    .map(PyExistenceReport)
}

/// ``first``, then ``second``: lifting through the result equals lifting through each in turn.
///
/// Raises
/// ------
/// MigrationError
///     If ``first``'s target is not ``second``'s source.
#[pyfunction]
pub(crate) fn compose(
    py: Python<'_>,
    first: &PyCompiledMigration,
    second: &PyCompiledMigration,
) -> PyResult<PyCompiledMigration> {
    first.compose(py, second)
}

/// The inverse of a bijective migration.
#[pyfunction]
pub(crate) fn invert(
    py: Python<'_>,
    migration: &PyCompiledMigration,
) -> PyResult<PyCompiledMigration> {
    migration.invert(py)
}
