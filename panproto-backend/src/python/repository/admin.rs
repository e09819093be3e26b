//! Administering the repositories of a store: listing and deleting them
//! (renaming is `Repository.rename`).

use std::path::PathBuf;

use panproto_core::VcsError;
use panproto_core::vcs::store::Store;
use pyo3::prelude::*;

use super::location_str;
use crate::python::convert::to_python;
use crate::python::errors::detached;
use crate::store::open_store;

/// Every repository in the store at ``location`` (a SQLite file, or a
/// PostgreSQL URL), by name.
///
/// Returns
/// -------
/// list of dict
///     ``{"name", "protocol", "created", "commits", "branches", "size"}``;
///     ``size`` is the bytes its objects take as stored (compressed).
///
/// Raises
/// ------
/// NotFoundError
///     If there is no store there.
/// StoreError
///     If it cannot be read.
#[pyfunction]
pub(crate) fn list_repositories(py: Python<'_>, location: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let location = location_str(location);
    // A store is opened bound to some name; listing reads the whole database.
    let listed = detached(py, || -> Result<_, VcsError> {
        Ok(open_store(&location, "default", false)?.repositories()?)
    })?;
    to_python(py, &listed)
}

/// Deletes repository ``name`` from the store at ``location``: its
/// commits, schemas, datasets, refs and reflog, in one transaction, and
/// nothing of any other repository. Handles still open on it fail
/// afterwards.
///
/// Raises
/// ------
/// NotFoundError
///     If there is no such repository (nothing is deleted).
#[pyfunction]
pub(crate) fn delete_repository(py: Python<'_>, location: PathBuf, name: String) -> PyResult<()> {
    let location = location_str(location);
    detached(py, || -> Result<_, VcsError> {
        open_store(&location, &name, false)?.delete()
    })
}
