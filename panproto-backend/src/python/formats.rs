//! Native schema files from Python: `parse`, `list_formats`, the
//! `Schema.from_<format>` readers, `Schema.emit` and `Schema.fields`.
//!
//! The formats themselves live in the engine (`panproto_core::formats`);
//! this file only turns Python arguments into a [`Source`] and a
//! [`Format`], and the results back.

use std::path::PathBuf;

use panproto_core::formats::SqlDialect;
use panproto_core::{Format, FormatError, FormatOptions, Schema, Source};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::convert::type_name;
use super::errors::{attached, detached};
use super::protocol::ProtocolArg;
use super::schema::PySchema;

/// What `source` was: a path to read, or text.
pub(crate) enum SourceArg {
    Path(PathBuf),
    Text(String),
}

impl<'a, 'py> FromPyObject<'a, 'py> for SourceArg {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(text) = obj.cast::<PyString>() {
            let text = text.to_str()?;
            // A string is a path if it is one line and names something
            // that exists or ends in a format's extension (so a missing
            // file is reported as missing); else it is the schema's text.
            let path = PathBuf::from(text);
            let one_line = !text.is_empty() && !text.contains('\n');
            let named = Format::ALL.iter().any(|f| f.accepts(text.trim()));
            if one_line && (named || path.exists()) {
                return Ok(Self::Path(path));
            }
            return Ok(Self::Text(text.to_owned()));
        }
        if obj.hasattr("__fspath__")? {
            let path: PathBuf = obj.extract()?;
            return Ok(Self::Path(path));
        }
        Err(PyTypeError::new_err(format!(
            "argument 'source' must be a path (str or os.PathLike) or the schema's text (str), not {}",
            type_name(&obj)
        )))
    }
}

/// The options `parse` and the readers take, checked.
pub(crate) fn format_options(
    dialect: Option<&str>,
    external_refs: bool,
) -> PyResult<FormatOptions> {
    let mut options = FormatOptions::default();
    if let Some(name) = dialect {
        options.sql_dialect = Some(SqlDialect::from_name(name).ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown SQL dialect {name:?}; the dialects are postgresql, sqlite, mysql, generic"
            ))
        })?);
    }
    options.external_refs = external_refs;
    Ok(options)
}

/// A format name argument, checked.
fn format_arg(py: Python<'_>, name: Option<&str>) -> PyResult<Option<Format>> {
    name.map(|n| attached(py, Format::from_name(n))).transpose()
}

/// Reads `source` as `format` (or the detected one); `protocol`, when
/// given, must be the format's (it also picks the format when none is).
pub(crate) fn parse_source(
    py: Python<'_>,
    source: SourceArg,
    format: Option<Format>,
    protocol: Option<ProtocolArg>,
    name: Option<String>,
    options: FormatOptions,
) -> PyResult<PySchema> {
    let protocol = protocol.map(|p| p.resolve(py)).transpose()?;
    let format = match (format, &protocol) {
        (Some(f), _) => Some(f),
        (None, Some(p)) => Some(Format::of_protocol(&p.name).ok_or_else(|| {
            PyValueError::new_err(format!(
                "protocol {:?} has no native format; the formats are {}",
                p.name,
                panproto_core::formats::names().join(", ")
            ))
        })?),
        (None, None) => None,
    };
    if let (Some(f), Some(p)) = (format, &protocol) {
        if f.protocol_name() != p.name {
            return Err(PyValueError::new_err(format!(
                "format {:?} makes schemas of protocol {:?}, not {:?}",
                f.name(),
                f.protocol_name(),
                p.name
            )));
        }
    }
    if let SourceArg::Path(path) = &source {
        if !path.exists() {
            return Err(pyo3::exceptions::PyFileNotFoundError::new_err((
                2,
                format!("no such file or directory: {}", path.display()),
                path.display().to_string(),
            )));
        }
    }
    detached(py, move || {
        let source = match source {
            SourceArg::Path(path) => panproto_core::formats::read(&path, format)?,
            SourceArg::Text(text) => {
                Source::from_text(name.unwrap_or_else(|| default_name(format)), text)
            }
        };
        panproto_core::formats::parse(&source, format, &options)
    })
    .map(PySchema)
}

/// The file name text is parsed as when none is given: `schema.<ext>` of
/// the format, so messages and emitted files have a sensible name.
fn default_name(format: Option<Format>) -> String {
    match format.and_then(|f| f.extensions().first()) {
        Some(ext) => format!("schema.{ext}"),
        None => "<text>".to_owned(),
    }
}

/// Reads a schema from a native file, a directory, or text.
///
/// Parameters
/// ----------
/// source : str or os.PathLike
///     A file, a directory (one schema of all its files), or the text.
/// format : str, optional
///     One of :func:`list_formats`; detected from the file names and the
///     content when not given.
/// protocol : Protocol or str, optional
///     The protocol the schema must be of (it picks the format when
///     ``format`` is not given).
/// name : str, optional
///     For text: the file name used in messages and by ``emit``.
/// dialect : str, optional
///     SQL only: ``"postgresql"``, ``"sqlite"``, ``"mysql"`` or
///     ``"generic"``; detected when not given.
/// external_refs : bool
///     GraphQL only: keep refs to types no file defines (a fragment of a
///     larger schema) instead of refusing them.
#[pyfunction]
#[pyo3(signature = (source, format = None, *, protocol = None, name = None, dialect = None, external_refs = false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn parse(
    py: Python<'_>,
    source: SourceArg,
    format: Option<&str>,
    protocol: Option<ProtocolArg>,
    name: Option<String>,
    dialect: Option<&str>,
    external_refs: bool,
) -> PyResult<PySchema> {
    let format = format_arg(py, format)?;
    let options = format_options(dialect, external_refs)?;
    parse_source(py, source, format, protocol, name, options)
}

/// The native formats :func:`parse` reads, by name.
#[pyfunction]
pub(crate) fn list_formats() -> Vec<&'static str> {
    Format::ALL.iter().map(|f| f.name()).collect()
}

/// Reads `source` as the format named `format`, for `Schema.from_<format>`.
pub(crate) fn from_format(
    py: Python<'_>,
    format: &str,
    source: SourceArg,
    name: Option<String>,
    options: FormatOptions,
) -> PyResult<PySchema> {
    let format = attached(py, Format::from_name(format))?;
    parse_source(py, source, Some(format), None, name, options)
}

/// `schema.emit(format)`: the text of a one-file schema, else a dict of
/// file name to text.
pub(crate) fn emit<'py>(
    py: Python<'py>,
    schema: &Schema,
    format: Option<&str>,
    dialect: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let format = match format_arg(py, format)? {
        Some(f) => f,
        None => Format::of_protocol(&schema.protocol().name).ok_or_else(|| {
            PyValueError::new_err(format!(
                "protocol {:?} has no native format to emit; the formats are {}",
                schema.protocol().name,
                panproto_core::formats::names().join(", ")
            ))
        })?,
    };
    let options = format_options(dialect, false)?;
    let emitted = detached(py, || format.emit(schema, &options))?;
    if let Some(text) = emitted.single_text() {
        return Ok(PyString::new(py, text).into_any());
    }
    let out = PyDict::new(py);
    for (file, text) in emitted.files {
        out.set_item(file, text)?;
    }
    Ok(out.into_any())
}

/// One field of a schema: a named member of a declaration.
#[pyclass(name = "Field", frozen, skip_from_py_object)]
pub(crate) struct PyField(pub(crate) panproto_core::Field);

#[pymethods]
impl PyField {
    /// The field's name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Its type: the named type it refers to, else its vertex's kind.
    #[getter]
    fn r#type(&self) -> &str {
        &self.0.type_name
    }

    /// The vertex it belongs to (a message, a table, a record).
    #[getter]
    fn parent(&self) -> &str {
        &self.0.parent
    }

    /// The field's own vertex id.
    #[getter]
    fn vertex(&self) -> &str {
        &self.0.vertex
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let repr = |s: &str| -> PyResult<String> { Ok(PyString::new(py, s).repr()?.to_string()) };
        Ok(format!(
            "Field(parent={}, name={}, type={})",
            repr(&self.0.parent)?,
            repr(&self.0.name)?,
            repr(&self.0.type_name)?
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyField>().is_ok_and(|o| o.get().0 == self.0)
    }
}

/// Maps format errors: input problems are `ParseError`s with their place.
pub(crate) fn format_err(py: Python<'_>, e: FormatError) -> PyErr {
    use super::errors::raise_parse;
    let message = e.to_string();
    let kind = match &e {
        FormatError::Syntax { .. } => "syntax",
        FormatError::Invalid { .. } => "invalid",
        FormatError::Unsupported { .. } => "unsupported",
        FormatError::UnresolvedRef { .. } => "unresolved-ref",
        FormatError::Undetected { .. } => "undetected",
        FormatError::Io { .. } => return pyo3::exceptions::PyOSError::new_err(message),
        FormatError::UnknownFormat { .. }
        | FormatError::WrongProtocol { .. }
        | FormatError::Unemittable { .. }
        | FormatError::Mismatched { .. } => return PyValueError::new_err(message),
        FormatError::Schema(e) => return super::errors::Error::Schema(e.clone()).into_py(py),
        FormatError::Protocol(e) => return super::errors::Error::Protocol(e.clone()).into_py(py),
        _ => "invalid",
    };
    raise_parse(py, message, e.location(), kind)
}
