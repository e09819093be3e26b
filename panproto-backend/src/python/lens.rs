//! Lenses: the combinator functions (`rename`, `add`, `remove`, `hoist`,
//! `plunge`, `wrap`, `head`, `in_`, `map`, `convert`), each giving a
//! one-step `ProtolensChain`; chains that compose, fuse, classify and
//! keep as JSON; `Lens` (a chain checked, and instantiated on a schema)
//! with `get` / `put` and their streaming forms; `Complement`; and
//! `check_laws`.

use std::collections::VecDeque;

use super::convert::{Writer, from_python, next_batch, to_python, to_value};
use super::errors::{Error, attached, detached};
use super::schema::PySchema;
use panproto_core::lens::laws;
use panproto_core::{
    Chain, Complement, Lens, LensError, Schema, Step, SymmetricLens, Value, ValueType,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList, PyTuple};

impl From<LensError> for Error {
    fn from(e: LensError) -> Self {
        Self::Lens(e)
    }
}

/// A schema-independent chain of lens steps (a protolens chain): what to
/// do to a record, without naming a schema. Made by the combinator
/// functions and :meth:`compose`; immutable; compares equal by steps;
/// pickles.
#[pyclass(name = "ProtolensChain", frozen, eq, skip_from_py_object)]
#[derive(PartialEq)]
pub(crate) struct PyChain(pub(crate) Chain);

fn one(step: Step) -> PyChain {
    PyChain(Chain(vec![step]))
}

/// The `kind` and `default` arguments of `add` and `remove`.
fn kind_and_default(
    kind: &Bound<'_, PyAny>,
    default: &Bound<'_, PyAny>,
) -> PyResult<(ValueType, Value)> {
    let kind = from_python(
        "kind",
        "a value type: \"object\", \"array\", \"string\", \"integer\", \"number\", \
         \"boolean\", \"null\", \"bytes\" or \"any\"",
        kind,
    )?;
    Ok((kind, to_value(default)?))
}

/// A chain argument: a `ProtolensChain` or a `Lens` (its chain).
pub(crate) fn chain_arg(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Chain> {
    if let Ok(c) = value.cast::<PyChain>() {
        return Ok(c.get().0.clone());
    }
    if let Ok(l) = value.cast::<PyLens>() {
        return Ok(l.get().lens.chain().clone());
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}' must be a ProtolensChain or a Lens, not {}",
        super::convert::type_name(value)
    )))
}

/// A value table: a dict, or pairs `(value, converted)`.
fn table_arg(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<(Value, Value)>> {
    let pairs: Vec<Bound<'_, PyAny>> = if let Ok(d) = value.cast::<PyDict>() {
        d.items().iter().collect()
    } else {
        value
            .try_iter()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "argument '{name}' must be a dict or pairs (value, converted)"
                ))
            })?
            .collect::<PyResult<_>>()?
    };
    pairs
        .iter()
        .map(|p| {
            let (a, b): (Bound<'_, PyAny>, Bound<'_, PyAny>) = p.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "argument '{name}' must be a dict or pairs (value, converted)"
                ))
            })?;
            Ok((to_value(&a)?, to_value(&b)?))
        })
        .collect()
}

/// Field ``field`` is called ``to``.
#[pyfunction]
pub(crate) fn rename(field: String, to: String) -> PyChain {
    one(Step::Rename { field, to })
}

/// A new field ``field`` of ``kind`` (a value type, e.g. ``"string"``),
/// set to ``default`` where a record has none.
#[pyfunction]
pub(crate) fn add(
    field: String,
    kind: &Bound<'_, PyAny>,
    default: &Bound<'_, PyAny>,
) -> PyResult<PyChain> {
    let (kind, default) = kind_and_default(kind, default)?;
    Ok(one(Step::Add {
        field,
        kind,
        default,
    }))
}

/// Field ``field`` leaves the view; ``put`` restores it from the
/// complement, or as ``default`` without one.
#[pyfunction]
pub(crate) fn remove(
    field: String,
    kind: &Bound<'_, PyAny>,
    default: &Bound<'_, PyAny>,
) -> PyResult<PyChain> {
    let (kind, default) = kind_and_default(kind, default)?;
    Ok(one(Step::Remove {
        field,
        kind,
        default,
    }))
}

/// Field ``field`` of the object at ``host`` moves up beside ``host``.
#[pyfunction]
pub(crate) fn hoist(host: String, field: String) -> PyChain {
    one(Step::Hoist { host, field })
}

/// Field ``field`` moves down into the object at ``host``.
#[pyfunction]
pub(crate) fn plunge(host: String, field: String) -> PyChain {
    one(Step::Plunge { host, field })
}

/// The value of ``field`` becomes a one-element list.
#[pyfunction]
pub(crate) fn wrap(field: String) -> PyChain {
    one(Step::Wrap { field })
}

/// The list at ``field`` becomes its first element; the rest is kept in
/// the complement.
#[pyfunction]
pub(crate) fn head(field: String) -> PyChain {
    one(Step::Head { field })
}

/// ``lens`` (a chain) applied to the object at ``field``.
#[pyfunction]
pub(crate) fn in_(field: String, lens: &Bound<'_, PyAny>) -> PyResult<PyChain> {
    Ok(one(Step::In {
        field,
        steps: chain_arg("lens", lens)?,
    }))
}

/// ``lens`` (a chain) applied to every item of a list.
#[pyfunction]
pub(crate) fn map(lens: &Bound<'_, PyAny>) -> PyResult<PyChain> {
    Ok(one(Step::Map {
        steps: chain_arg("lens", lens)?,
    }))
}

/// The values of ``field`` through ``mapping`` (a dict or pairs), and back
/// through ``reverse`` (else ``mapping`` inverted where it is one-to-one);
/// where the way back would not give the original, the complement keeps it.
#[pyfunction]
#[pyo3(signature = (field, mapping, reverse = None))]
pub(crate) fn convert(
    field: String,
    mapping: &Bound<'_, PyAny>,
    reverse: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyChain> {
    Ok(one(Step::Convert {
        field,
        mapping: table_arg("mapping", mapping)?,
        reverse: reverse.map(|r| table_arg("reverse", r)).transpose()?,
    }))
}

#[pymethods]
impl PyChain {
    /// The steps, as the dicts of the JSON form, e.g.
    /// ``{"rename": {"field": "name", "to": "title"}}``.
    #[getter]
    fn steps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }

    /// The optic class: ``"iso"``, ``"lens"``, ``"prism"``, ``"affine"``
    /// or ``"traversal"``.
    #[getter]
    fn optic(&self) -> &'static str {
        self.0.optic().name()
    }

    /// This chain, then ``other``.
    fn compose(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self(self.0.clone().then(chain_arg("other", other)?)))
    }

    /// The same lens with consecutive steps into one field, or over one
    /// list, joined into one.
    fn fuse(&self) -> Self {
        Self(self.0.fuse())
    }

    /// The chain checked, as a lens on records of any schema.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     Naming the first step that cannot work whatever the record.
    fn compile(&self, py: Python<'_>) -> PyResult<PyLens> {
        let lens = attached(py, self.0.clone().compile())?;
        Ok(PyLens {
            lens,
            source: None,
            target: None,
        })
    }

    /// The chain on ``schema``, records rooted at ``root`` (``None``: its
    /// one record root): a lens whose ``source`` is ``schema`` and whose
    /// ``target`` is the schema its views fit.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     Naming the step and the field when the schema does not fit.
    #[pyo3(signature = (schema, root = None))]
    fn instantiate(
        &self,
        py: Python<'_>,
        schema: &PySchema,
        root: Option<String>,
    ) -> PyResult<PyLens> {
        let chain = self.0.clone();
        let source = schema.0.clone();
        let (lens, target) = detached(py, move || {
            let lens = chain.compile()?;
            let target = lens.target_schema(&source, root.as_deref())?;
            Ok::<_, LensError>((lens, target))
        })?;
        Ok(PyLens {
            lens,
            source: Some(schema.0.clone()),
            target: Some(target),
        })
    }

    /// The chain as versioned JSON (``{"format": "panproto-lens/1",
    /// "steps": [...]}``), to keep beside a schema.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// Reads a chain written by :meth:`to_json`.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     With the line and column of what is wrong.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        attached(py, Chain::from_json(json)).map(Self)
    }

    /// The chain that takes records of ``old`` (rooted at ``root``, or its
    /// one record root) to records of ``new``: hoists, plunges, wraps,
    /// heads, changes inside nested objects and lists, renames where only
    /// one pairing fits, and what goes or comes; checked to take ``old`` to
    /// exactly ``new``.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     With ``.differences``, what no derived step expresses (a type
    ///     changed, enum values renamed).
    #[staticmethod]
    #[pyo3(signature = (old, new, root = None))]
    fn auto_generate(
        py: Python<'_>,
        old: &PySchema,
        new: &PySchema,
        root: Option<String>,
    ) -> PyResult<Self> {
        detached(py, || Chain::auto_generate(&old.0, &new.0, root.as_deref())).map(Self)
    }

    fn __len__(&self) -> usize {
        self.0.0.len()
    }

    fn __repr__(&self) -> String {
        let steps: Vec<String> = self.0.0.iter().map(Step::describe).collect();
        format!("ProtolensChain([{}])", steps.join(", "))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let restore = py.import(super::module_name())?.getattr("_restore_chain")?;
        Ok((restore, (self.0.to_json(),)))
    }
}

/// Rebuilds a pickled chain.
#[pyfunction]
pub(crate) fn _restore_chain(py: Python<'_>, json: &str) -> PyResult<PyChain> {
    attached(py, Chain::from_json(json)).map(PyChain)
}

/// What a view leaves out of its record, to restore it exactly. Opaque;
/// compares equal by content; pickles.
#[pyclass(name = "Complement", frozen, eq, skip_from_py_object)]
#[derive(PartialEq)]
pub(crate) struct PyComplement(Complement);

#[pymethods]
impl PyComplement {
    /// Whether it holds nothing (``put`` needs it not).
    #[getter]
    fn empty(&self) -> bool {
        self.0 == Complement::Empty
    }

    fn __repr__(&self) -> String {
        if self.0 == Complement::Empty {
            "Complement(empty)".to_owned()
        } else {
            "Complement(...)".to_owned()
        }
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_complement")?;
        let json =
            serde_json::to_string(&self.0).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((restore, (json,)))
    }
}

/// Rebuilds a pickled complement.
#[pyfunction]
pub(crate) fn _restore_complement(json: &str) -> PyResult<PyComplement> {
    serde_json::from_str(json)
        .map(PyComplement)
        .map_err(|e| PyValueError::new_err(format!("not a pickled Complement: {e}")))
}

/// A checked chain: moves records to their views and back without loss.
/// From :meth:`ProtolensChain.compile` (any schema) or
/// :meth:`ProtolensChain.instantiate` (one schema, with the schema its
/// views fit). Pickles.
#[pyclass(name = "Lens", frozen, skip_from_py_object)]
pub(crate) struct PyLens {
    lens: Lens,
    source: Option<Schema>,
    target: Option<Schema>,
}

impl PyLens {
    /// The lens a commit was made with, between its schemas.
    pub(crate) fn committed(committed: panproto_core::CommittedLens) -> Self {
        Self {
            lens: committed.lens,
            source: Some(committed.source),
            target: Some(committed.target),
        }
    }
}

fn complement_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<Complement> {
    match value {
        None => Ok(Complement::Empty),
        Some(v) if v.is_none() => Ok(Complement::Empty),
        Some(v) => v
            .cast::<PyComplement>()
            .map(|c| c.get().0.clone())
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "argument 'complement' must be a Complement or None, not {}",
                    super::convert::type_name(v)
                ))
            }),
    }
}

#[pymethods]
impl PyLens {
    /// The chain this lens runs.
    #[getter]
    fn chain(&self) -> PyChain {
        PyChain(self.lens.chain().clone())
    }

    /// The optic class (see :attr:`ProtolensChain.optic`).
    #[getter]
    fn optic(&self) -> &'static str {
        self.lens.optic().name()
    }

    /// The schema it was instantiated on, if any.
    #[getter]
    fn source(&self) -> Option<PySchema> {
        self.source.clone().map(PySchema)
    }

    /// The schema its views fit, if it was instantiated on one.
    #[getter]
    fn target(&self) -> Option<PySchema> {
        self.target.clone().map(PySchema)
    }

    /// The schema this lens's views fit when its records fit ``schema``.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     Naming the step and the path where the schema does not fit.
    #[pyo3(signature = (schema, root = None))]
    fn target_schema(
        &self,
        py: Python<'_>,
        schema: &PySchema,
        root: Option<String>,
    ) -> PyResult<PySchema> {
        detached(py, || self.lens.target_schema(&schema.0, root.as_deref())).map(PySchema)
    }

    /// The view of ``record`` and the complement that restores it.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     Naming the step and path where the record lacks the shape a
    ///     step needs.
    fn get<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, PyComplement)> {
        let value = to_value(record)?;
        let (view, complement) = attached(py, self.lens.get(value))?;
        Ok((Writer::new(py).write(view)?, PyComplement(complement)))
    }

    /// The record ``view`` and ``complement`` come from; without a
    /// complement, each step does its usual thing (for an iso, the
    /// record exactly).
    #[pyo3(signature = (view, complement = None))]
    fn put<'py>(
        &self,
        py: Python<'py>,
        view: &Bound<'py, PyAny>,
        complement: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = to_value(view)?;
        let complement = complement_arg(complement)?;
        let record = attached(py, self.lens.put(value, &complement))?;
        Writer::new(py).write(record)
    }

    /// ``get`` of each record, lazily, in batches with the GIL released:
    /// an iterator of ``(view, complement)``.
    fn get_many(slf: &Bound<'_, Self>, records: &Bound<'_, PyAny>) -> PyResult<LensIterator> {
        Ok(LensIterator {
            lens: slf.clone().unbind(),
            source: Some(records.try_iter()?.unbind()),
            ready: VecDeque::new(),
            direction: Direction::Get,
        })
    }

    /// ``put`` of each ``(view, complement)`` pair (or a bare view, put
    /// without a complement), lazily: an iterator of records.
    fn put_many(slf: &Bound<'_, Self>, pairs: &Bound<'_, PyAny>) -> PyResult<LensIterator> {
        Ok(LensIterator {
            lens: slf.clone().unbind(),
            source: Some(pairs.try_iter()?.unbind()),
            ready: VecDeque::new(),
            direction: Direction::Put,
        })
    }

    /// :meth:`ProtolensChain.auto_generate`, instantiated on ``old``.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     As :meth:`ProtolensChain.auto_generate`.
    #[staticmethod]
    #[pyo3(signature = (old, new, root = None))]
    fn auto_generate(
        py: Python<'_>,
        old: &PySchema,
        new: &PySchema,
        root: Option<String>,
    ) -> PyResult<Self> {
        let lens = detached(py, || {
            Chain::auto_generate(&old.0, &new.0, root.as_deref()).and_then(Chain::compile)
        })?;
        Ok(Self {
            lens,
            source: Some(old.0.clone()),
            target: Some(new.0.clone()),
        })
    }

    /// The laws on ``records``: see :func:`check_laws`.
    fn check_laws<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        laws_report(py, &self.lens, records)
    }

    fn __repr__(&self) -> String {
        format!(
            "Lens({} step{}, {})",
            self.lens.chain().0.len(),
            if self.lens.chain().0.len() == 1 {
                ""
            } else {
                "s"
            },
            self.lens.optic().name()
        )
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, LensState)> {
        let restore = py.import(super::module_name())?.getattr("_restore_lens")?;
        Ok((
            restore,
            (
                self.lens.chain().to_json(),
                self.source.clone().map(PySchema),
                self.target.clone().map(PySchema),
            ),
        ))
    }
}

/// What a pickled lens keeps: its chain's JSON and its schemas.
type LensState = (String, Option<PySchema>, Option<PySchema>);

/// Rebuilds a pickled lens.
#[pyfunction]
#[pyo3(signature = (json, source = None, target = None))]
pub(crate) fn _restore_lens(
    py: Python<'_>,
    json: &str,
    source: Option<PyRef<'_, PySchema>>,
    target: Option<PyRef<'_, PySchema>>,
) -> PyResult<PyLens> {
    let lens = attached(py, Chain::from_json(json).and_then(Chain::compile))?;
    Ok(PyLens {
        lens,
        source: source.map(|s| s.0.clone()),
        target: target.map(|s| s.0.clone()),
    })
}

/// GetPut, PutGet and PutPut of ``lens`` (a ``Lens`` or a chain) on each of
/// ``records``: ``{"records": n, "ok": bool, "failures": [{"law", "record",
/// "path", "detail"}]}``, the failures by law and record, so the first of
/// each law is the first failing record.
///
/// Raises
/// ------
/// LensError
///     Where a record cannot be read by the lens at all.
#[pyfunction]
pub(crate) fn check_laws<'py>(
    py: Python<'py>,
    lens: &Bound<'py, PyAny>,
    records: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    laws_report(py, &lens_arg(py, "lens", lens)?, records)
}

fn laws_report<'py>(
    py: Python<'py>,
    lens: &Lens,
    records: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let values = records
        .try_iter()?
        .map(|r| to_value(&r?))
        .collect::<PyResult<Vec<Value>>>()?;
    let report = detached(py, || laws::check(lens, &values))?;
    let failures = report
        .failures
        .iter()
        .map(|f| {
            let d = PyDict::new(py);
            d.set_item("law", f.law.name())?;
            d.set_item("record", f.record)?;
            d.set_item("path", &f.path)?;
            d.set_item("detail", &f.detail)?;
            Ok(d)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let out = PyDict::new(py);
    out.set_item("records", report.records)?;
    out.set_item("ok", failures.is_empty())?;
    out.set_item("failures", PyList::new(py, failures)?)?;
    Ok(out.into_any())
}

/// A lens argument compiled: a `Lens`, or a chain to compile.
fn lens_arg(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<Lens> {
    if let Ok(l) = value.cast::<PyLens>() {
        return Ok(l.get().lens.clone());
    }
    attached(py, chain_arg(name, value)?.compile())
}

/// Two record types kept in step through a shared complement: the span
/// of two lenses from one source, ``left`` to one side and ``right`` to the
/// other. The shared complement is the source record itself (a dict).
/// Putting one side's record gives the other side's and the new
/// complement; across and back gives the record again.
#[pyclass(name = "SymmetricLens", frozen, skip_from_py_object)]
pub(crate) struct PySymmetricLens(SymmetricLens);

#[pymethods]
impl PySymmetricLens {
    #[new]
    fn new(py: Python<'_>, left: &Bound<'_, PyAny>, right: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self(SymmetricLens::new(
            lens_arg(py, "left", left)?,
            lens_arg(py, "right", right)?,
        )))
    }

    /// ``lens`` made symmetric: its records on the left, its views on the right.
    #[staticmethod]
    fn of(py: Python<'_>, lens: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self(SymmetricLens::of(lens_arg(py, "lens", lens)?)))
    }

    /// The right side's record for left record ``record``, and the new
    /// shared complement; pass the complement the last put gave (``None``
    /// the first time).
    ///
    /// Raises
    /// ------
    /// LensError
    ///     For a record or complement a step cannot read.
    #[pyo3(signature = (record, complement = None))]
    fn put_right<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        complement: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let (record, shared) = sides(record, complement)?;
        pair(py, attached(py, self.0.put_right(record, shared))?)
    }

    /// The left side's record for right record ``record``, and the new
    /// shared complement (see :meth:`put_right`).
    #[pyo3(signature = (record, complement = None))]
    fn put_left<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        complement: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let (record, shared) = sides(record, complement)?;
        pair(py, attached(py, self.0.put_left(record, shared))?)
    }

    fn __repr__(&self) -> String {
        format!(
            "SymmetricLens({} step(s) left, {} right)",
            self.0.left().chain().0.len(),
            self.0.right().chain().0.len()
        )
    }
}

/// A record and an optional shared complement, read.
fn sides(
    record: &Bound<'_, PyAny>,
    complement: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Value, Option<Value>)> {
    let shared = complement
        .filter(|c| !c.is_none())
        .map(to_value)
        .transpose()?;
    Ok((to_value(record)?, shared))
}

fn pair(
    py: Python<'_>,
    (view, shared): (Value, Value),
) -> PyResult<(Bound<'_, PyAny>, Bound<'_, PyAny>)> {
    let mut writer = Writer::new(py);
    Ok((writer.write(view)?, writer.write(shared)?))
}

#[derive(Clone, Copy)]
enum Direction {
    Get,
    Put,
}

/// The lazy iterator ``get_many`` and ``put_many`` return.
#[pyclass(name = "LensIterator")]
pub(crate) struct LensIterator {
    lens: Py<PyLens>,
    source: Option<Py<PyIterator>>,
    ready: VecDeque<Py<PyAny>>,
    direction: Direction,
}

#[pymethods]
impl LensIterator {
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

impl LensIterator {
    fn refill(&mut self, py: Python<'_>) -> PyResult<()> {
        let direction = self.direction;
        let batch = next_batch(py, &mut self.source, |item| {
            Ok(match direction {
                Direction::Get => (to_value(item)?, Complement::Empty),
                Direction::Put => match item.cast::<PyTuple>() {
                    Ok(t) if t.len() == 2 => (
                        to_value(&t.get_item(0)?)?,
                        complement_arg(Some(&t.get_item(1)?))?,
                    ),
                    _ => (to_value(item)?, Complement::Empty),
                },
            })
        })?;
        if batch.is_empty() {
            return Ok(());
        }
        let lens = &self.lens.get().lens;
        let moved = detached(py, || {
            batch
                .into_iter()
                .map(|(v, c)| match direction {
                    Direction::Get => lens.get(v),
                    Direction::Put => lens.put(v, &c).map(|r| (r, Complement::Empty)),
                })
                .collect::<Result<Vec<_>, LensError>>()
        })?;
        let mut writer = Writer::new(py);
        for (value, complement) in moved {
            let value = writer.write(value)?;
            let item = match direction {
                Direction::Get => {
                    let c = Py::new(py, PyComplement(complement))?;
                    PyTuple::new(py, [value, c.into_bound(py).into_any()])?.into_any()
                }
                Direction::Put => value,
            };
            self.ready.push_back(item.unbind());
        }
        Ok(())
    }
}
