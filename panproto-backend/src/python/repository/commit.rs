//! `Commit`: one version of the repository's schema.

use std::collections::BTreeMap;

use panproto_core::{CommitInfo, Level, ObjectId};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::python::convert::int_arg;

/// One commit: a version of the repository's schema.
#[pyclass(name = "Commit", frozen, eq, get_all, from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyCommit {
    /// The commit id (64 hex digits).
    id: String,
    /// Parent commit ids.
    parents: Vec<String>,
    /// The id of the schema this commit holds.
    schema_id: String,
    /// Who made it.
    author: String,
    /// When, in seconds since the Unix epoch (UTC).
    timestamp: i64,
    /// Why.
    message: String,
    /// How this version relates to its first parent's: ``"fully-compatible"``,
    /// ``"backward-compatible"`` or ``"breaking"``.
    compatibility: Option<String>,
    /// The id of the migration from the first parent's schema, if any.
    migration: Option<String>,
    /// The datasets this version holds: name → dataset id.
    datasets: BTreeMap<String, String>,
    /// How readers of this version fare with data of the first parent's,
    /// by the format's rules: ``"compatible"``, ``"dangerous"`` or
    /// ``"breaking"`` (``None`` for a commit made before it was recorded).
    backward: Option<String>,
    /// How readers of the first parent's version fare with data of this one.
    forward: Option<String>,
    /// Why the branch's compatibility policy was overridden for this
    /// commit, if it was (the author is the commit's).
    allow_breaking: Option<String>,
    /// Where the version was imported from (``"git:<id>"``), or ``None``.
    origin: Option<String>,
}

impl From<CommitInfo> for PyCommit {
    fn from(c: CommitInfo) -> Self {
        Self {
            id: c.id.to_hex(),
            parents: c.commit.parents.iter().map(ObjectId::to_hex).collect(),
            schema_id: c.commit.schema.to_hex(),
            author: c.commit.author,
            timestamp: c.commit.timestamp,
            message: c.commit.message,
            compatibility: c.commit.compatibility,
            migration: c.commit.migration.map(|m| m.to_hex()),
            datasets: c
                .commit
                .datasets
                .iter()
                .map(|(name, id)| (name.clone(), id.to_hex()))
                .collect(),
            backward: c.commit.backward.map(|l| l.code().to_owned()),
            forward: c.commit.forward.map(|l| l.code().to_owned()),
            allow_breaking: c.commit.allow_breaking,
            origin: c.commit.origin,
        }
    }
}

#[pymethods]
impl PyCommit {
    #[new]
    #[pyo3(signature = (id, parents, schema_id, author, timestamp, message, compatibility = None, migration = None, datasets = None, allow_breaking = None, backward = None, forward = None, origin = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        parents: Vec<String>,
        schema_id: String,
        author: String,
        timestamp: &Bound<'_, PyAny>,
        message: String,
        compatibility: Option<String>,
        migration: Option<String>,
        datasets: Option<BTreeMap<String, String>>,
        allow_breaking: Option<String>,
        backward: Option<String>,
        forward: Option<String>,
        origin: Option<String>,
    ) -> PyResult<Self> {
        Ok(Self {
            id,
            parents,
            schema_id,
            author,
            timestamp: int_arg("timestamp", timestamp)?,
            message,
            compatibility,
            migration,
            datasets: datasets.unwrap_or_default(),
            backward,
            forward,
            allow_breaking,
            origin,
        })
    }

    /// The first 12 hex digits of the id.
    #[getter]
    fn short_id(&self) -> String {
        self.id.chars().take(12).collect()
    }

    /// The commit as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.id)?;
        d.set_item("short_id", self.short_id())?;
        d.set_item("parents", &self.parents)?;
        d.set_item("schema_id", &self.schema_id)?;
        d.set_item("author", &self.author)?;
        d.set_item("timestamp", self.timestamp)?;
        d.set_item("message", &self.message)?;
        d.set_item("compatibility", &self.compatibility)?;
        d.set_item("migration", &self.migration)?;
        d.set_item("datasets", &self.datasets)?;
        d.set_item("backward", &self.backward)?;
        d.set_item("forward", &self.forward)?;
        d.set_item("level", self.level())?;
        d.set_item("allow_breaking", &self.allow_breaking)?;
        d.set_item("origin", &self.origin)?;
        Ok(d)
    }

    /// The worse of ``backward`` and ``forward`` (``None`` for a commit
    /// made before they were recorded).
    #[getter]
    fn level(&self) -> Option<&'static str> {
        let rank = |code: &Option<String>| {
            Level::ALL
                .into_iter()
                .find(|l| code.as_deref() == Some(l.code()))
        };
        rank(&self.backward)
            .max(rank(&self.forward))
            .map(Level::code)
    }

    fn __repr__(&self) -> String {
        format!(
            "Commit({:?}, author={:?}, message={:?})",
            self.short_id(),
            self.author,
            self.message
        )
    }

    /// Pickles as the constructor and its arguments (a tuple longer than
    /// pyo3 converts at once, so it is joined from two).
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let c = slf.get().clone();
        let head = (
            c.id,
            c.parents,
            c.schema_id,
            c.author,
            c.timestamp,
            c.message,
        )
            .into_pyobject(py)?;
        let tail = (
            c.compatibility,
            c.migration,
            c.datasets,
            c.allow_breaking,
            c.backward,
            c.forward,
            c.origin,
        )
            .into_pyobject(py)?;
        let items: Vec<Bound<'py, PyAny>> = head.iter().chain(tail.iter()).collect();
        let args = PyTuple::new(py, items)?;
        Ok((slf.get_type().into_any(), args))
    }
}
