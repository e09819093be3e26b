//! Administering the repositories of a store: listing, deleting and
//! renaming them (the last through `Repository.rename`).

use std::path::PathBuf;

use panproto_core::vcs::store::Store;
use panproto_core::{Repository, VcsError};
use pyo3::prelude::*;

use super::{PyRepository, closed, location_str};
use crate::python::convert::to_python;
use crate::python::errors::Error;
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

/// `Repository.rename`: the store's repository renamed, and the handle
/// reopened under the new name (refused while something is staged, which
/// the reopened handle would not have).
pub(super) fn rename(this: &PyRepository, py: Python<'_>, name: String) -> PyResult<()> {
    let location = this.location.clone();
    let to = name.clone();
    detached(py, || {
        let mut guard = this.lock();
        let repo = guard.as_mut().ok_or_else(closed)?;
        if repo.staged().is_some() || !repo.staged_data().is_empty() {
            return Err(Error::Vcs(VcsError::InvalidInput {
                what: "rename",
                reason: "something is staged: commit it first".to_owned(),
            }));
        }
        repo.store().rename(&to)?;
        *guard = Some(Repository::open(open_store(&location, &to, false)?)?);
        Ok(())
    })?;
    *this.name.lock().unwrap_or_else(|p| p.into_inner()) = name;
    Ok(())
}
