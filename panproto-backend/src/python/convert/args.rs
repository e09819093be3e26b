//! Integer arguments: counts (`log(limit=...)`), indices
//! (`migration(parent=...)`) and timestamps.
//!
//! pyo3 would raise `OverflowError` for a negative count or one beyond 64
//! bits, with the argument named only in a note; here each is read by one
//! helper that says which argument and what range it takes.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyInt;

use super::{short_repr, type_name};

/// An integer type an argument is read into, and the range it admits.
pub(crate) trait IntArg: Sized {
    /// The admitted range, for the error message, e.g. `"an integer from 0 to 2**64 - 1"`.
    const RANGE: &'static str;
    /// The value, if `value` (any Python int) is in range.
    fn from_int(value: &Bound<'_, PyAny>) -> Option<Self>;
}

impl IntArg for usize {
    const RANGE: &'static str = "a non-negative integer below 2**64";
    fn from_int(value: &Bound<'_, PyAny>) -> Option<Self> {
        value
            .extract::<u64>()
            .ok()
            .and_then(|n| usize::try_from(n).ok())
    }
}

impl IntArg for u64 {
    const RANGE: &'static str = "a non-negative integer below 2**64";
    fn from_int(value: &Bound<'_, PyAny>) -> Option<Self> {
        value.extract().ok()
    }
}

impl IntArg for i64 {
    const RANGE: &'static str = "an integer from -2**63 to 2**63 - 1";
    fn from_int(value: &Bound<'_, PyAny>) -> Option<Self> {
        value.extract().ok()
    }
}

/// Reads integer argument `name`.
///
/// # Errors
/// `TypeError` naming the argument if `value` is not an int (or an object
/// with `__index__`); `ValueError` naming it if the int is out of `T`'s range.
pub(crate) fn int_arg<T: IntArg>(name: &str, value: &Bound<'_, PyAny>) -> PyResult<T> {
    // An int, or what Python's own integer arguments take: `__index__`.
    let index = if value.cast::<PyInt>().is_ok() {
        value.clone()
    } else if value.hasattr("__index__")? {
        value.call_method0("__index__")?
    } else {
        return Err(PyTypeError::new_err(format!(
            "argument '{name}' must be an int, not {}",
            type_name(value)
        )));
    };
    T::from_int(&index).ok_or_else(|| {
        PyValueError::new_err(format!(
            "argument '{name}' must be {}, not {}",
            T::RANGE,
            short_repr(&index)
        ))
    })
}

/// Reads an optional integer argument (`None`: not given).
///
/// # Errors
/// As [`int_arg`].
pub(crate) fn opt_int_arg<T: IntArg>(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<T>> {
    match value {
        Some(v) if !v.is_none() => int_arg(name, v).map(Some),
        _ => Ok(None),
    }
}
