//! Every conversion between Python values and the engine's, in one place.
//!
//! - [`record`]: records (dict / list / str / int / float / bool / None /
//!   bytes ↔ [`panproto_core::Value`]), written by hand for speed; one
//!   reader checks every scalar for every caller (`lift`, `lift_many`,
//!   `get`, `put`, `validate_record`, `add_data`).
//! - [`dicts`]: the dict forms of engine results (`panproto.types`), and
//!   the dict arguments read into engine values.
//! - [`args`]: integer arguments (counts, indices, timestamps), refused with
//!   a `ValueError` naming the argument when out of range.
//!
//! Failures keep their meaning: a Python argument of the wrong type or
//! shape is a `TypeError` naming the argument and what was expected; an
//! integer out of range a `ValueError`; the engine's own errors go through
//! [`super::errors`].

mod args;
mod dicts;
mod record;

pub(crate) use args::{int_arg, opt_int_arg};
pub(crate) use dicts::{MergeOut, RebaseOut, hex_ids, reflog_dict, resolutions, tag_dict};
pub(crate) use record::{PassThrough, Writer, to_py, to_value};

/// Records the streaming iterators (`lift_many`, `get_many`, `put_many`)
/// read from Python and move per release of the GIL.
const STREAM_BATCH: usize = 1024;

/// The next batch of a streamed iterable, each item read by `read`. The
/// source is dropped once it runs short, so the call after gives nothing.
pub(crate) fn next_batch<'py, T>(
    py: Python<'py>,
    source: &mut Option<Py<PyIterator>>,
    mut read: impl FnMut(&Bound<'py, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let Some(iter) = source else {
        return Ok(Vec::new());
    };
    let mut iter = iter.bind(py).clone();
    let mut batch = Vec::with_capacity(STREAM_BATCH);
    for item in iter.by_ref().take(STREAM_BATCH) {
        batch.push(read(&item?)?);
    }
    if batch.len() < STREAM_BATCH {
        *source = None;
    }
    Ok(batch)
}

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyIterator;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An engine value as plain Python (dicts, lists, str, ...), through serde.
///
/// The engine's values always serialise; a failure is Python's own (out of
/// memory, say) and is raised as it is.
pub(crate) fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(PyErr::from)
}

/// Reads argument `name` into an engine value through serde.
///
/// # Errors
/// A `TypeError` naming the argument, saying what was `expected` and what
/// is wrong with the value given.
pub(crate) fn from_python<T: DeserializeOwned>(
    name: &str,
    expected: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<T> {
    pythonize::depythonize(value).map_err(|e| {
        PyTypeError::new_err(format!(
            "argument '{name}' must be {expected}; {e} (got {})",
            short_repr(value)
        ))
    })
}

/// The type name of a Python value, e.g. `"int"`.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// `repr(value)`, cut to a readable length for an error message.
pub(crate) fn short_repr(value: &Bound<'_, PyAny>) -> String {
    const MAX: usize = 80;
    let text = value
        .repr()
        .map_or_else(|_| format!("a {}", type_name(value)), |r| r.to_string());
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}
