//! Records between Python and the engine: dict / list / str / int / float /
//! bool / None / bytes on one side, [`Value`] on the other.
//!
//! Written by hand rather than through serde, because it is the hot path of
//! `lift_many`: exact-type checks first, and a cache of key strings so a
//! batch of records with the same keys creates each key object once. Every
//! reader checks scalars by one rule ([`scalar`]), so `lift` refuses what
//! `get`, `put` and `validate_record` refuse, with the same `TypeError`
//! naming the path to the value.

use rustc_hash::FxHashMap as HashMap;

use panproto_core::{Map, Value};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use super::type_name;

/// Records nested deeper than this are refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Reads a Python record; an error names the path to the bad value.
pub(crate) fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    read(obj, 0, &mut Copied).map_err(ReadError::into_py_err)
}

/// How a reader keeps a scalar (str, int, float, bool, None, bytes).
trait Scalars<'py> {
    /// `None` if `obj` is not a scalar a record may hold.
    fn scalar(&mut self, obj: &Bound<'py, PyAny>) -> Result<Option<Value>, ReadError>;
}

/// A scalar a record may hold, checked.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Bytes(&'a [u8]),
}

/// The one rule for the scalars of every record read from Python, whether
/// copied into the engine (`get`, `put`, `validate_record`, `add_data`) or
/// passed through (`lift`, `lift_many`): str that is valid text (no lone
/// surrogate), int of at most 64 bits, float, bool, None, bytes. `None`
/// if `obj` is no scalar.
fn scalar<'a>(obj: &'a Bound<'_, PyAny>) -> Result<Option<Scalar<'a>>, ReadError> {
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_str().map(|s| Some(Scalar::Str(s))).map_err(|e| {
            ReadError::caused(
                "a str with a lone surrogate is not valid Unicode text".to_owned(),
                e,
            )
        });
    }
    if obj.is_none() {
        return Ok(Some(Scalar::Null));
    }
    if let Ok(b) = obj.cast_exact::<PyBool>() {
        return Ok(Some(Scalar::Bool(b.is_true())));
    }
    if obj.cast::<PyInt>().is_ok() {
        return obj
            .extract::<i64>()
            .map(|i| Some(Scalar::Int(i)))
            .map_err(|_| ReadError::new(format!("integer {obj} does not fit in 64 bits")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some(Scalar::Float(f.value())));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(Scalar::Bytes(b.as_bytes())));
    }
    Ok(None)
}

/// Scalars copied into the engine's values.
struct Copied;

impl<'py> Scalars<'py> for Copied {
    fn scalar(&mut self, obj: &Bound<'py, PyAny>) -> Result<Option<Value>, ReadError> {
        Ok(scalar(obj)?.map(|s| match s {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
            Scalar::Str(s) => Value::Str(s.to_owned()),
            Scalar::Bytes(b) => Value::Bytes(b.to_vec()),
        }))
    }
}

/// A value that cannot be read, and where: path segments are added as the
/// error unwinds, so reading good records never formats a path.
struct ReadError {
    path: Vec<String>,
    message: String,
    cause: Option<PyErr>,
}

impl ReadError {
    fn new(message: String) -> Self {
        Self {
            path: Vec::new(),
            message,
            cause: None,
        }
    }

    fn caused(message: String, cause: PyErr) -> Self {
        Self {
            path: Vec::new(),
            message,
            cause: Some(cause),
        }
    }

    fn at(mut self, segment: String) -> Self {
        self.path.push(segment);
        self
    }

    fn into_py_err(self) -> PyErr {
        let path: String = self.path.iter().rev().map(String::as_str).collect();
        let err = PyTypeError::new_err(format!("record{path}: {}", self.message));
        if let Some(cause) = self.cause {
            Python::attach(|py| err.set_cause(py, Some(cause)));
        }
        err
    }
}

impl From<PyErr> for ReadError {
    fn from(e: PyErr) -> Self {
        Self {
            path: Vec::new(),
            message: "unreadable value".to_owned(),
            cause: Some(e),
        }
    }
}

/// Reads a value: dicts, lists and tuples walked here, scalars by `scalars`.
fn read<'py>(
    obj: &Bound<'py, PyAny>,
    depth: usize,
    scalars: &mut impl Scalars<'py>,
) -> Result<Value, ReadError> {
    if depth > MAX_DEPTH {
        return Err(ReadError::new(format!(
            "the record is nested more than {MAX_DEPTH} levels deep"
        )));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut out = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(ReadError::new(format!(
                    "keys must be str, found {} ({k})",
                    type_name(&k)
                )));
            };
            let key = key.to_str().map_err(|e| {
                ReadError::caused(
                    "a key with a lone surrogate is not valid Unicode text".to_owned(),
                    e,
                )
            })?;
            let value = read(&v, depth + 1, scalars).map_err(|e| e.at(format!(".{key}")))?;
            out.push((key.to_owned(), value));
        }
        // A dict's keys are distinct.
        return Ok(Value::Object(Map::from_distinct(out)));
    }
    if let Some(value) = scalars.scalar(obj)? {
        return Ok(value);
    }
    let items = if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect::<Vec<_>>()
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect::<Vec<_>>()
    } else {
        return Err(ReadError::new(format!(
            "a record holds dict, list, tuple, str, int, float, bool, None or bytes, not {}",
            type_name(obj)
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(read(item, depth + 1, scalars).map_err(|e| e.at(format!("[{i}]")))?);
    }
    Ok(Value::Array(out))
}

/// Writes records back to Python, creating each distinct key string once,
/// with the cyclic garbage collector paused while it lives (see [`GcPause`]).
pub(crate) struct Writer<'py> {
    py: Python<'py>,
    keys: HashMap<String, Bound<'py, PyString>>,
    _gc: GcPause<'py>,
}

impl<'py> Writer<'py> {
    pub(crate) fn new(py: Python<'py>) -> Self {
        Self {
            py,
            keys: HashMap::default(),
            _gc: GcPause::new(py),
        }
    }

    pub(crate) fn key(&mut self, k: String) -> Bound<'py, PyString> {
        if let Some(s) = self.keys.get(&k) {
            return s.clone();
        }
        let s = PyString::new(self.py, &k);
        self.keys.insert(k, s.clone());
        s
    }

    pub(crate) fn write(&mut self, value: Value) -> PyResult<Bound<'py, PyAny>> {
        self.write_tracked(value).map(|(obj, _)| obj)
    }

    /// Writes a value; the flag says whether the garbage collector tracks it.
    fn write_tracked(&mut self, value: Value) -> PyResult<(Bound<'py, PyAny>, bool)> {
        let py = self.py;
        Ok(match value {
            Value::Null => (py.None().into_bound(py), false),
            Value::Bool(b) => (PyBool::new(py, b).to_owned().into_any(), false),
            Value::Int(i) => (i.into_pyobject(py)?.into_any(), false),
            Value::Float(f) => (PyFloat::new(py, f).into_any(), false),
            Value::Str(s) => (PyString::new(py, &s).into_any(), false),
            Value::Bytes(b) => (PyBytes::new(py, &b).into_any(), false),
            Value::Array(a) => {
                let items = a
                    .into_iter()
                    .map(|v| self.write(v))
                    .collect::<PyResult<Vec<_>>>()?;
                (PyList::new(py, items)?.into_any(), true)
            }
            Value::Object(o) => dict(self, o, |w, v| w.write_tracked(v))?,
        })
    }
}

/// An object as a dict, its values written by `value`; a dict that holds
/// no tracked value is untracked at once (see [`untrack`]).
fn dict<'py>(
    writer: &mut Writer<'py>,
    fields: Map,
    mut value: impl FnMut(&mut Writer<'py>, Value) -> PyResult<(Bound<'py, PyAny>, bool)>,
) -> PyResult<(Bound<'py, PyAny>, bool)> {
    let d = PyDict::new(writer.py);
    let mut holds_tracked = false;
    for (k, v) in fields {
        let key = writer.key(k);
        let (v, tracked) = value(writer, v)?;
        holds_tracked |= tracked;
        d.set_item(key, v)?;
    }
    if !holds_tracked {
        untrack(&d);
    }
    Ok((d.into_any(), holds_tracked))
}

impl<'py> Scalars<'py> for PassThrough<'py> {
    fn scalar(&mut self, obj: &Bound<'py, PyAny>) -> Result<Option<Value>, ReadError> {
        // Checked by the same rule as copied scalars, then kept as they are.
        if scalar(obj)?.is_none() {
            return Ok(None);
        }
        let index = self.scalars.len() as i64;
        self.scalars.push(obj.clone());
        Ok(Some(Value::Int(index)))
    }
}

/// Stops the garbage collector tracking a dict of scalars.
///
/// Such a dict can be part of no reference cycle, and CPython untracks it
/// itself at its next collection (`_PyDict_MaybeUntrack`); doing it at once
/// spares every collection until then the work of visiting a batch of lifted
/// records. A dict re-tracks itself when a container is stored in it later.
#[allow(unsafe_code)]
fn untrack(dict: &Bound<'_, PyDict>) {
    // SAFETY: `dict` is a live dict this module created and holds a reference
    // to; untracking a GC object we own is allowed at any time.
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(dict.as_ptr().cast()) }
}

/// The cyclic garbage collector paused while a batch of records is
/// written, and resumed when this is dropped if it was running when this
/// was made. A writer lives within one call that runs no Python code of
/// the caller's, so nothing else can change the collector's state meanwhile.
///
/// Each record written makes a few tracked containers; a batch of a
/// thousand would otherwise set off several collections, each visiting
/// every young object, none of which can be garbage yet (the batch holds
/// them all). Collections resume afterwards as the counts say.
struct GcPause<'py> {
    _py: Python<'py>,
    was_enabled: bool,
}

impl<'py> GcPause<'py> {
    #[allow(unsafe_code)]
    fn new(py: Python<'py>) -> Self {
        // SAFETY: called with the GIL held (`py`); it only flips the
        // collector's enabled flag and returns the old one.
        let was_enabled = unsafe { pyo3::ffi::PyGC_Disable() } != 0;
        Self {
            _py: py,
            was_enabled,
        }
    }
}

impl Drop for GcPause<'_> {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        if self.was_enabled {
            // SAFETY: the GIL is held for `'py`, which this value lives within.
            unsafe { pyo3::ffi::PyGC_Enable() };
        }
    }
}

/// Writes one record.
pub(crate) fn to_py(py: Python<'_>, value: Value) -> PyResult<Bound<'_, PyAny>> {
    Writer::new(py).write(value)
}

/// Records for `lift`, which never looks inside a scalar nor makes one: each
/// scalar is passed through untouched as an index into a table of the
/// caller's own Python objects, so lifting copies no string or number and
/// the output shares the input's scalar objects, as a hand-written dict
/// comprehension would.
pub(crate) struct PassThrough<'py> {
    scalars: Vec<Bound<'py, PyAny>>,
}

impl<'py> PassThrough<'py> {
    pub(crate) fn new() -> Self {
        Self {
            scalars: Vec::new(),
        }
    }

    /// Reads a record, keeping its scalars aside; an error names the path to the bad value.
    pub(crate) fn read(&mut self, obj: &Bound<'py, PyAny>) -> PyResult<Value> {
        read(obj, 0, self).map_err(ReadError::into_py_err)
    }

    /// Writes a lifted record back, putting the caller's scalars in place.
    pub(crate) fn write(
        &self,
        writer: &mut Writer<'py>,
        value: Value,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.write_tracked(writer, value).map(|(obj, _)| obj)
    }

    /// Writes a value; the flag says whether the garbage collector tracks it.
    fn write_tracked(
        &self,
        writer: &mut Writer<'py>,
        value: Value,
    ) -> PyResult<(Bound<'py, PyAny>, bool)> {
        let py = writer.py;
        Ok(match value {
            Value::Int(index) => {
                let scalar = usize::try_from(index)
                    .ok()
                    .and_then(|i| self.scalars.get(i))
                    .cloned()
                    .ok_or_else(|| {
                        PyTypeError::new_err("internal error: a lifted scalar has no source")
                    })?;
                // str, int, float, bool, None and bytes are not tracked.
                (scalar, false)
            }
            Value::Array(a) => {
                let items = a
                    .into_iter()
                    .map(|v| self.write_tracked(writer, v).map(|(obj, _)| obj))
                    .collect::<PyResult<Vec<_>>>()?;
                (PyList::new(py, items)?.into_any(), true)
            }
            Value::Object(o) => dict(writer, o, |w, v| self.write_tracked(w, v))?,
            // `lift` makes no scalars, so every one is an index; anything else is written as it is.
            other => (writer.write(other)?, true),
        })
    }
}
