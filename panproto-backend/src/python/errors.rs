//! Engine errors → the exception classes of `panproto.errors`, and the one
//! helper every long call goes through.
//!
//! The exception hierarchy is defined once, in pure Python, in the
//! dispatcher package; the native module imports it when it first raises,
//! so `except panproto.ConflictError` works whichever backend is loaded.

use std::panic::{AssertUnwindSafe, catch_unwind};

use panproto_core::vcs::store::RefTarget;
use panproto_core::{
    Conflict, FormatError, Location, MergeError, MigrationError, ProtocolError, SchemaError,
    StoreError, StoreErrorKind, VcsError,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// Any error the engine can report, on its way to Python.
#[derive(Debug)]
pub(crate) enum Error {
    Protocol(ProtocolError),
    Schema(SchemaError),
    Vcs(VcsError),
    Migration(MigrationError),
    Format(FormatError),
    Lens(panproto_core::LensError),
    Gat(panproto_core::gat::GatError),
    /// A bug: a Rust panic, caught so it never reaches Python as `PanicException`.
    Internal(String),
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Self::Protocol(e)
    }
}
impl From<SchemaError> for Error {
    fn from(e: SchemaError) -> Self {
        Self::Schema(e)
    }
}
impl From<MigrationError> for Error {
    fn from(e: MigrationError) -> Self {
        Self::Migration(e)
    }
}
impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        Self::Format(e)
    }
}
impl From<VcsError> for Error {
    fn from(e: VcsError) -> Self {
        Self::Vcs(e)
    }
}
impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Self::Vcs(VcsError::Store(e))
    }
}

/// Builds `panproto.errors.<class>(message, **kwargs)` as a `PyErr`.
fn raise(py: Python<'_>, class: &str, message: String, kwargs: &[(&str, Py<PyAny>)]) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = py.import("panproto.errors")?.getattr(class)?;
        let kw = PyDict::new(py);
        for (k, v) in kwargs {
            kw.set_item(k, v)?;
        }
        let exc = cls.call((message.clone(),), Some(&kw))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|import_failure| {
        PyRuntimeError::new_err(format!(
            "{message} (and panproto.errors.{class} could not be raised: {import_failure})"
        ))
    })
}

/// Raises `panproto.errors.ParseError` with its place (file, line, column).
pub(crate) fn raise_parse(
    py: Python<'_>,
    message: String,
    at: Option<&Location>,
    kind: &str,
) -> PyErr {
    let int = |n: u32| {
        n.into_pyobject(py)
            .map_or_else(|_| py.None(), |i| i.into_any().unbind())
    };
    let kwargs = [
        ("file", opt_str(py, at.map(|a| a.file.clone()))),
        ("line", at.map_or_else(|| py.None(), |a| int(a.line))),
        ("column", at.map_or_else(|| py.None(), |a| int(a.column))),
        ("kind", opt_str(py, Some(kind.to_owned()))),
    ];
    raise(py, "ParseError", message, &kwargs)
}

fn schema_err(py: Python<'_>, message: String, errors: Vec<String>) -> PyErr {
    let errors = PyTuple::new(py, errors).map(|t| t.into_any().unbind());
    match errors {
        Ok(errors) => raise(py, "SchemaValidationError", message, &[("errors", errors)]),
        Err(e) => e,
    }
}

fn opt_str(py: Python<'_>, value: Option<String>) -> Py<PyAny> {
    match value {
        Some(s) => s
            .into_pyobject(py)
            .map_or_else(|_| py.None(), |s| s.into_any().unbind()),
        None => py.None(),
    }
}

impl Error {
    pub(crate) fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            // An unknown protocol too: wherever a name is looked up
            // (`protocol`, `Schema.from_json`, `Repository.init`, ...).
            Error::Protocol(e) => {
                let msg = e.to_string();
                let errors = match &e {
                    ProtocolError::Invalid { problems, .. } => problems.clone(),
                    _ => vec![msg.clone()],
                };
                schema_err(py, msg, errors)
            }
            Error::Schema(SchemaError::Protocol(e)) => Error::Protocol(e).into_py(py),
            Error::Schema(e) => {
                let errors = match &e {
                    SchemaError::Invalid { issues, .. } => {
                        issues.iter().map(ToString::to_string).collect()
                    }
                    _ => vec![e.to_string()],
                };
                schema_err(py, e.to_string(), errors)
            }
            Error::Vcs(e) => vcs_err(py, e),
            Error::Migration(e) => {
                let problems: Vec<String> = match &e {
                    MigrationError::Invalid { problems } => {
                        problems.iter().map(ToString::to_string).collect()
                    }
                    _ => vec![e.to_string()],
                };
                match PyTuple::new(py, problems) {
                    Ok(errors) => raise(
                        py,
                        "MigrationError",
                        e.to_string(),
                        &[("errors", errors.into_any().unbind())],
                    ),
                    Err(err) => err,
                }
            }
            Error::Format(e) => super::formats::format_err(py, e),
            Error::Lens(e) => lens_err(py, e),
            Error::Gat(e) => {
                let message = e.to_string();
                match PyTuple::new(py, e.problems) {
                    Ok(errors) => raise(
                        py,
                        "GatError",
                        message,
                        &[
                            ("what", opt_str(py, Some(e.what))),
                            ("errors", errors.into_any().unbind()),
                        ],
                    ),
                    Err(err) => err,
                }
            }
            Error::Internal(msg) => raise(
                py,
                "PanprotoError",
                format!("internal error in panproto (please report it): {msg}"),
                &[],
            ),
        }
    }
}

/// `panproto.errors.LensError` with where it went wrong: the step and
/// the record path, the line and column of a chain's JSON, or every
/// difference between the lens's schema and the one it should reach.
fn lens_err(py: Python<'_>, e: panproto_core::LensError) -> PyErr {
    use panproto_core::LensError as L;
    let message = e.to_string();
    let int = |n: usize| {
        n.into_pyobject(py)
            .map_or_else(|_| py.None(), |i| i.into_any().unbind())
    };
    let (step, path, line, column, differences) = match e {
        L::Invalid { step, .. } | L::Complement { step, .. } => {
            (Some(step), None, None, None, vec![])
        }
        L::Shape { step, path, .. } | L::Schema { step, path, .. } => {
            (Some(step), Some(path), None, None, vec![])
        }
        L::Json { line, column, .. } => (None, None, Some(line), Some(column), vec![]),
        L::Mismatch { differences, .. } => (None, None, None, None, differences),
    };
    let differences = match PyTuple::new(py, differences) {
        Ok(t) => t.into_any().unbind(),
        Err(e) => return e,
    };
    let kwargs = [
        ("step", opt_str(py, step)),
        ("path", opt_str(py, path)),
        ("line", line.map_or_else(|| py.None(), int)),
        ("column", column.map_or_else(|| py.None(), int)),
        ("differences", differences),
    ];
    raise(py, "LensError", message, &kwargs)
}

/// A policy violation as Python sees it: the earlier commit, the
/// direction, and the finding's fields.
#[derive(serde::Serialize)]
struct ViolationData<'v> {
    against: String,
    direction: panproto_core::Direction,
    #[serde(flatten)]
    finding: &'v panproto_core::Finding,
}

fn vcs_err(py: Python<'_>, e: VcsError) -> PyErr {
    let message = e.to_string();
    match e {
        VcsError::Schema(e) | VcsError::Merge(MergeError::Invalid(e)) => {
            Error::Schema(e).into_py(py)
        }
        VcsError::Lens(e) => lens_err(py, e),
        // Damaged bytes read from this build's store: a `StoreError` of it.
        VcsError::Object(e) => Error::Vcs(VcsError::Store(StoreError::new(
            crate::store::BACKEND,
            StoreErrorKind::Corrupt,
            e.to_string(),
        )))
        .into_py(py),
        VcsError::Store(e) => {
            let kwargs = [
                ("backend", opt_str(py, Some(e.backend.to_owned()))),
                ("code", opt_str(py, e.code)),
            ];
            raise(py, "StoreError", message, &kwargs)
        }
        VcsError::Conflict {
            name,
            expected,
            actual,
        } => {
            let show = |t: Option<RefTarget>| {
                t.map(|t| match t {
                    RefTarget::Id(id) => id.to_hex(),
                    RefTarget::Symbolic(s) => s,
                })
            };
            let kwargs = [
                ("ref", opt_str(py, Some(name))),
                ("expected", opt_str(py, show(expected))),
                ("actual", opt_str(py, show(actual))),
            ];
            raise(py, "ConflictError", message, &kwargs)
        }
        VcsError::MergeConflicts(conflicts) => match conflicts_to_py(py, &conflicts) {
            Ok(conflicts) => raise(
                py,
                "MergeConflictError",
                message,
                &[("conflicts", conflicts)],
            ),
            Err(e) => e,
        },
        VcsError::Incompatible {
            branch,
            mode,
            violations,
        } => {
            let list: Vec<ViolationData<'_>> = violations
                .iter()
                .map(|v| ViolationData {
                    against: v.against.to_hex(),
                    direction: v.direction,
                    finding: &v.finding,
                })
                .collect();
            match super::convert::to_python(py, &list) {
                Ok(list) => raise(
                    py,
                    "CompatibilityError",
                    message,
                    &[
                        ("branch", opt_str(py, Some(branch))),
                        ("mode", opt_str(py, Some(mode.code().to_owned()))),
                        ("violations", list.unbind()),
                    ],
                ),
                Err(e) => e,
            }
        }
        VcsError::NotFound(_) => raise(py, "NotFoundError", message, &[]),
        // A NUL in a name, message or author is a bad argument, refused
        // before the store is asked: the plain `ValueError` Python raises
        // for a value it cannot take.
        VcsError::NulByte { .. } => PyValueError::new_err(message),
        VcsError::DataValidation {
            dataset,
            index,
            path,
            ..
        } => {
            let index = index
                .into_pyobject(py)
                .map_or_else(|_| py.None(), |i| i.into_any().unbind());
            let kwargs = [
                ("dataset", opt_str(py, Some(dataset))),
                ("index", index),
                ("path", opt_str(py, Some(path))),
            ];
            raise(py, "DataValidationError", message, &kwargs)
        }
        _ => raise(py, "VcsError", message, &[]),
    }
}

/// Merge conflicts as a tuple of dicts (`panproto.types.MergeConflict`).
pub(crate) fn conflicts_to_py(py: Python<'_>, conflicts: &[Conflict]) -> PyResult<Py<PyAny>> {
    let items = conflicts
        .iter()
        .map(|c| super::convert::to_python(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

/// Runs engine work with the GIL released, catching panics, and maps the
/// error. Every call that can take long goes through here.
pub(crate) fn detached<T, E>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, E> + Send,
) -> PyResult<T>
where
    T: Send,
    E: Into<Error> + Send,
{
    let outcome = py.detach(|| match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result.map_err(Into::into),
        Err(panic) => Err(Error::Internal(panic_message(&panic))),
    });
    outcome.map_err(|e| e.into_py(py))
}

/// Maps an engine error for calls short enough to keep the GIL.
pub(crate) fn attached<T, E: Into<Error>>(py: Python<'_>, result: Result<T, E>) -> PyResult<T> {
    result.map_err(|e| e.into().into_py(py))
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
