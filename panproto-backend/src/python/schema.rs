//! `SchemaBuilder`, `Schema` and `diff`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use panproto_core::{Declaration, FormatOptions, Schema, SchemaBuilder};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::convert::{to_python, to_value};
use super::errors::detached;
use super::formats::{SourceArg, format_options, from_format};
use super::protocol::{ProtocolArg, PyProtocol};

/// An immutable, fluent schema builder: every method returns a new builder
/// and leaves this one as it was. Get one from :meth:`Protocol.schema`.
#[pyclass(name = "SchemaBuilder", frozen)]
pub(crate) struct PySchemaBuilder(pub(crate) SchemaBuilder);

/// Reads an options mapping, refusing keys other than `known`.
fn options(
    opts: Option<HashMap<String, String>>,
    what: &str,
    known: &str,
) -> PyResult<Option<String>> {
    let Some(mut opts) = opts else {
        return Ok(None);
    };
    let value = opts.remove(known);
    if let Some(other) = opts.keys().next() {
        return Err(PyValueError::new_err(format!(
            "unknown {what} option {other:?}; the known option is {known:?}"
        )));
    }
    Ok(value)
}

#[pymethods]
impl PySchemaBuilder {
    /// Declares a vertex.
    ///
    /// Parameters
    /// ----------
    /// id : str
    ///     Unique vertex id, e.g. ``"post:body.text"``.
    /// kind : str
    ///     One of the protocol's object kinds.
    /// opts : Mapping[str, str], optional
    ///     ``{"nsid": ...}`` for a namespaced identifier.
    #[pyo3(signature = (id, kind, opts = None))]
    fn vertex(
        &self,
        id: String,
        kind: String,
        opts: Option<HashMap<String, String>>,
    ) -> PyResult<Self> {
        let nsid = options(opts, "vertex", "nsid")?;
        Ok(Self(self.0.vertex(id, kind, nsid)))
    }

    /// Declares an edge from ``src`` to ``tgt``.
    ///
    /// Parameters
    /// ----------
    /// opts : Mapping[str, str], optional
    ///     ``{"name": ...}``: the property, column or field name.
    #[pyo3(signature = (src, tgt, kind, opts = None))]
    fn edge(
        &self,
        src: String,
        tgt: String,
        kind: String,
        opts: Option<HashMap<String, String>>,
    ) -> PyResult<Self> {
        let name = options(opts, "edge", "name")?;
        Ok(Self(self.0.edge(src, tgt, kind, name)))
    }

    /// Declares a hyper-edge joining vertices by label.
    fn hyper_edge(
        &self,
        id: String,
        kind: String,
        signature: BTreeMap<String, String>,
        parent_label: String,
    ) -> Self {
        Self(self.0.hyper_edge(id, kind, signature, parent_label))
    }

    /// Adds a constraint (e.g. ``maxLength``) to a vertex.
    fn constraint(&self, vertex: String, sort: String, value: String) -> Self {
        Self(self.0.constraint(vertex, sort, value))
    }

    /// Marks named outgoing edges of ``vertex`` as required.
    fn required(&self, vertex: String, edges: Vec<String>) -> Self {
        Self(self.0.required(vertex, edges))
    }

    /// Validates every declaration against the protocol and builds the schema.
    ///
    /// Raises
    /// ------
    /// SchemaValidationError
    ///     Listing every problem in ``errors``.
    fn build(&self, py: Python<'_>) -> PyResult<PySchema> {
        detached(py, || self.0.build()).map(PySchema)
    }

    /// The protocol the builder checks against.
    #[getter]
    fn protocol(&self) -> PyProtocol {
        PyProtocol(Arc::clone(self.0.protocol()))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "SchemaBuilder(protocol={:?}, declarations={})",
            self.0.protocol().name,
            self.0.len()
        )
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (PyProtocol, String))> {
        let decls = serde_json::to_string(&self.0.declarations())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let restore = py
            .import(super::module_name())?
            .getattr("_restore_builder")?;
        Ok((restore, (self.protocol(), decls)))
    }
}

/// Rebuilds a pickled builder.
#[pyfunction]
pub(crate) fn _restore_builder(
    protocol: PyProtocol,
    declarations: &str,
) -> PyResult<PySchemaBuilder> {
    let decls: Vec<Declaration> =
        serde_json::from_str(declarations).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PySchemaBuilder(
        decls
            .into_iter()
            .fold(Schema::builder(protocol.0), |b, d| b.declare(d)),
    ))
}

/// A validated, immutable schema. Its ``id`` is the blake3 hash of its
/// canonical form, so equal schemas have equal ids.
#[pyclass(name = "Schema", frozen, skip_from_py_object)]
#[derive(Clone)]
pub(crate) struct PySchema(pub(crate) Schema);

#[pymethods]
impl PySchema {
    /// Content id: 64 hex digits.
    #[getter]
    fn id(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || Ok::<_, super::errors::Error>(self.0.id().to_hex()))
    }

    /// The protocol's name.
    #[getter]
    fn protocol(&self) -> &str {
        &self.0.protocol().name
    }

    /// Vertices by id: ``{id: {"kind": ..., "nsid": ...}}``.
    #[getter]
    fn vertices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (id, v) in self.0.vertices() {
            let d = PyDict::new(py);
            d.set_item("kind", &v.kind)?;
            if let Some(nsid) = &v.nsid {
                d.set_item("nsid", nsid)?;
            }
            out.set_item(id, d)?;
        }
        Ok(out)
    }

    /// Edges: ``[{"src", "tgt", "kind", "name"?}]``, sorted.
    #[getter]
    fn edges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let edges: Vec<_> = self.0.edges().iter().collect();
        to_python(py, &edges)?
            .cast_into::<PyList>()
            .map_err(Into::into)
    }

    /// The whole schema in its JSON form, as a dict.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.to_data())
    }

    /// The schema as JSON text (what :meth:`from_json` and ``panproto add`` read).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        detached(py, || Ok::<_, super::errors::Error>(self.0.to_json()))
    }

    /// Reads a schema from its JSON form and validates it.
    ///
    /// Parameters
    /// ----------
    /// json : str
    ///     What :meth:`to_json` wrote.
    /// protocol : Protocol or str, optional
    ///     The protocol to check against; by default the one the JSON names.
    #[staticmethod]
    #[pyo3(signature = (json, protocol = None))]
    fn from_json(py: Python<'_>, json: &str, protocol: Option<ProtocolArg>) -> PyResult<Self> {
        match protocol {
            None => detached(py, || Schema::from_json(json)).map(Self),
            Some(p) => {
                let p = p.resolve(py)?;
                detached(py, || Schema::from_json_with(json.as_bytes(), p)).map(Self)
            }
        }
    }

    /// The schema as its native format's text.
    ///
    /// Parameters
    /// ----------
    /// format : str, optional
    ///     One of :func:`list_formats`; by default the format of the
    ///     schema's protocol.
    /// dialect : str, optional
    ///     SQL only: the dialect to write; by default the one it was read in.
    ///
    /// Returns
    /// -------
    /// str or dict of str to str
    ///     The text of a one-file schema; for several files, file name to
    ///     text.
    #[pyo3(signature = (format = None, *, dialect = None))]
    fn emit<'py>(
        &self,
        py: Python<'py>,
        format: Option<&str>,
        dialect: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        super::formats::emit(py, &self.0, format, dialect)
    }

    /// Every field (each named member of each declaration), by parent and name.
    fn fields(&self) -> Vec<super::formats::PyField> {
        self.0
            .fields()
            .into_iter()
            .map(super::formats::PyField)
            .collect()
    }

    /// Reads Avro schemas (``.avsc``): a file, a directory, or the text.
    #[staticmethod]
    #[pyo3(signature = (source, *, name = None))]
    fn from_avro(py: Python<'_>, source: SourceArg, name: Option<String>) -> PyResult<Self> {
        from_format(py, "avro", source, name, FormatOptions::default())
    }

    /// Reads Protobuf (``.proto``): a file, a directory (its import root), or the text.
    #[staticmethod]
    #[pyo3(signature = (source, *, name = None))]
    fn from_protobuf(py: Python<'_>, source: SourceArg, name: Option<String>) -> PyResult<Self> {
        from_format(py, "protobuf", source, name, FormatOptions::default())
    }

    /// Reads JSON Schema (drafts 4 to 2020-12): a file, a directory, or the text.
    #[staticmethod]
    #[pyo3(signature = (source, *, name = None))]
    fn from_json_schema(py: Python<'_>, source: SourceArg, name: Option<String>) -> PyResult<Self> {
        from_format(py, "json-schema", source, name, FormatOptions::default())
    }

    /// Reads GraphQL SDL (``.graphql``, ``.graphqls``, ``.gql``).
    #[staticmethod]
    #[pyo3(signature = (source, *, name = None, external_refs = false))]
    fn from_graphql(
        py: Python<'_>,
        source: SourceArg,
        name: Option<String>,
        external_refs: bool,
    ) -> PyResult<Self> {
        from_format(
            py,
            "graphql",
            source,
            name,
            format_options(None, external_refs)?,
        )
    }

    /// Reads SQL DDL (``.sql``; a directory is migrations applied in order).
    #[staticmethod]
    #[pyo3(signature = (source, *, name = None, dialect = None))]
    fn from_sql(
        py: Python<'_>,
        source: SourceArg,
        name: Option<String>,
        dialect: Option<&str>,
    ) -> PyResult<Self> {
        from_format(py, "sql", source, name, format_options(dialect, false)?)
    }

    /// Reads ATProto lexicons: a lexicon file, a directory of them, or the JSON text.
    #[staticmethod]
    #[pyo3(signature = (source, *, name = None))]
    fn from_atproto(py: Python<'_>, source: SourceArg, name: Option<String>) -> PyResult<Self> {
        from_format(py, "atproto", source, name, FormatOptions::default())
    }

    /// Reads one lexicon (the seed SDK's form): ``protocol`` must be
    /// ``atproto``; ``lexicon_json`` is the lexicon's JSON text, or the
    /// lexicon as a dict.
    #[staticmethod]
    fn from_lexicon(
        py: Python<'_>,
        protocol: ProtocolArg,
        lexicon_json: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let protocol = protocol.resolve(py)?;
        if protocol.name != "atproto" {
            return Err(PyValueError::new_err(format!(
                "a lexicon makes a schema of protocol \"atproto\", not {:?}",
                protocol.name
            )));
        }
        let text = match lexicon_json.cast::<PyString>() {
            Ok(text) => text.to_str()?.to_owned(),
            Err(_) => py
                .import("json")?
                .call_method1("dumps", (lexicon_json,))?
                .extract()?,
        };
        from_format(
            py,
            "atproto",
            SourceArg::Text(text),
            None,
            FormatOptions::default(),
        )
    }

    /// Every way ``record``, read as a value at vertex ``root``, does not fit this schema.
    ///
    /// Returns
    /// -------
    /// list of dict
    ///     ``{"path", "message"}`` per violation, the path like
    ///     ``post.body.tags[3]``; empty when the record fits.
    fn validate_record<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        root: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let value = to_value(record)?;
        let found = detached(py, || {
            Ok::<_, super::errors::Error>(self.0.validate_record(&value, root))
        })?;
        let out = PyList::empty(py);
        for v in found {
            let d = PyDict::new(py);
            d.set_item("path", v.path)?;
            d.set_item("message", v.message)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// A builder holding every declaration of this schema, to extend it.
    fn to_builder(&self, py: Python<'_>) -> PyResult<PySchemaBuilder> {
        detached(py, || Ok::<_, super::errors::Error>(self.0.to_builder())).map(PySchemaBuilder)
    }

    fn __len__(&self) -> usize {
        self.0.vertices().len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PySchema>().is_ok_and(|o| o.get().0 == self.0)
    }

    fn __hash__(&self) -> u64 {
        let bytes = self.0.id();
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes.as_bytes()[..8]);
        u64::from_le_bytes(first)
    }

    fn __repr__(&self) -> String {
        format!(
            "Schema(protocol={:?}, vertices={}, edges={}, id={:?})",
            self.0.protocol().name,
            self.0.vertices().len(),
            self.0.edges().len(),
            self.0.id().short()
        )
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (String, PyProtocol))> {
        let from_json = py
            .import(super::module_name())?
            .getattr("_restore_schema")?;
        Ok((
            from_json,
            (self.0.to_json(), PyProtocol(Arc::clone(self.0.protocol()))),
        ))
    }
}

/// Rebuilds a pickled schema.
#[pyfunction]
pub(crate) fn _restore_schema(
    py: Python<'_>,
    json: &str,
    protocol: PyProtocol,
) -> PyResult<PySchema> {
    detached(py, || Schema::from_json_with(json.as_bytes(), protocol.0)).map(PySchema)
}
