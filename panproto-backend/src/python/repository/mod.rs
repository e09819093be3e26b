//! `Repository`: a store's history and this client's staging area. The
//! classes its methods return live beside it, one per file: `Commit`,
//! `Status`, `VerifyReport` and the `DataIterator` of records; their dict
//! forms are in [`super::convert`].

mod admin;
mod commit;
mod data;
mod history;
mod policy;
mod status;
mod verify;

pub(crate) use admin::{delete_repository, list_repositories};
pub(crate) use commit::PyCommit;
pub(crate) use data::DataIterator;
pub(crate) use status::PyStatus;
pub(crate) use verify::PyVerifyReport;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use panproto_core::{Head, Migrator, Repository, Staged, VcsError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{
    MergeOut, RebaseOut, hex_ids, opt_int_arg, reflog_dict, resolutions, tag_dict, to_python,
};
use super::errors::{Error, attached, detached};
use super::lens::{PyChain, PyLens, chain_arg};
use super::migration::PyCompiledMigration;
use super::protocol::{ProtocolArg, PyProtocol};
use super::report::PyDiffReport;
use super::schema::PySchema;
use crate::store::{BackendStore, open_store, redact_url};
use policy::{current_branch, default_author, policy_dict};

/// A repository of schema versions, and this client's staging area.
///
/// SQLite backend: ``location`` is a file path. PostgreSQL backend: a
/// ``postgresql://`` URL; ``name`` picks one of many repositories in the
/// database. What you ``add`` is staged in this object only, never in the
/// store, so other clients never see it.
#[pyclass(name = "Repository", frozen)]
pub(crate) struct PyRepository {
    inner: Mutex<Option<Repository<BackendStore>>>,
    /// As given (a pickle reopens it); shown only through [`redact_url`].
    location: String,
    /// Its name in the store; [`rename`](PyRepository::rename) changes it.
    name: Mutex<String>,
    protocol: PyProtocol,
}

fn location_str(location: PathBuf) -> String {
    location.to_string_lossy().into_owned()
}

fn closed() -> Error {
    Error::Vcs(VcsError::InvalidInput {
        what: "repository",
        reason: "it is closed".to_owned(),
    })
}

impl PyRepository {
    fn lock(&self) -> MutexGuard<'_, Option<Repository<BackendStore>>> {
        // A panic inside engine work is caught before it unwinds through
        // the lock; a poisoned lock still holds a consistent repository.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open repository with the GIL released.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Repository<BackendStore>) -> Result<T, Error> + Send,
    ) -> PyResult<T> {
        detached(py, || {
            let mut guard = self.lock();
            let repo = guard.as_mut().ok_or_else(closed)?;
            f(repo)
        })
    }

    fn wrap(repo: Repository<BackendStore>, location: String, name: String) -> Self {
        let protocol = PyProtocol(Arc::clone(repo.protocol()));
        Self {
            inner: Mutex::new(Some(repo)),
            location,
            name: Mutex::new(name),
            protocol,
        }
    }

    fn current_name(&self) -> String {
        self.name.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[pymethods]
impl PyRepository {
    /// Opens an existing repository (same as :meth:`open`).
    #[new]
    #[pyo3(signature = (location, *, name = "default".to_owned()))]
    fn new(py: Python<'_>, location: PathBuf, name: String) -> PyResult<Self> {
        Self::open(py, location, name)
    }

    /// Creates a new, empty repository on branch ``main``.
    ///
    /// Parameters
    /// ----------
    /// location : str or os.PathLike
    ///     SQLite: the database file (created if missing). PostgreSQL: a URL.
    /// protocol : Protocol or str
    ///     The protocol every schema of the repository follows.
    /// name : str
    ///     The repository's name within the database.
    ///
    /// Raises
    /// ------
    /// VcsError
    ///     If a repository of that name already exists there.
    /// StoreError
    ///     If the database cannot be opened or is not a panproto store.
    #[staticmethod]
    #[pyo3(signature = (location, protocol = ProtocolArg::atproto(), *, name = "default".to_owned()))]
    fn init(
        py: Python<'_>,
        location: PathBuf,
        protocol: ProtocolArg,
        name: String,
    ) -> PyResult<Self> {
        let protocol = protocol.resolve(py)?;
        let location = location_str(location);
        let repo = detached(py, || {
            let store = open_store(&location, &name, true)?;
            Repository::init(store, protocol)
        })?;
        Ok(Self::wrap(repo, location, name))
    }

    /// Opens an existing repository.
    ///
    /// Raises
    /// ------
    /// NotFoundError
    ///     If there is no such store or no repository of that name in it.
    #[staticmethod]
    #[pyo3(signature = (location, *, name = "default".to_owned()))]
    fn open(py: Python<'_>, location: PathBuf, name: String) -> PyResult<Self> {
        let location = location_str(location);
        let repo = detached(py, || {
            let store = open_store(&location, &name, false)?;
            Repository::open(store)
        })?;
        Ok(Self::wrap(repo, location, name))
    }

    /// Where the store is: a file path or a URL (any password as ``***``).
    #[getter]
    fn location(&self) -> String {
        redact_url(&self.location)
    }

    /// The repository's name within its database.
    #[getter]
    fn name(&self) -> String {
        self.current_name()
    }

    /// Renames the repository in its database (this handle follows it).
    ///
    /// Raises
    /// ------
    /// VcsError
    ///     If something is staged (commit it first: a handle is reopened
    ///     under the new name), or the name is taken (``AlreadyExists``) or
    ///     empty.
    /// NotFoundError
    ///     If the repository was deleted meanwhile.
    fn rename(&self, py: Python<'_>, name: String) -> PyResult<()> {
        admin::rename(self, py, name)
    }

    /// The repository's protocol.
    #[getter]
    fn protocol(&self) -> PyProtocol {
        self.protocol.clone()
    }

    /// The current branch, or ``None`` when HEAD is detached.
    #[getter]
    fn branch(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with(py, |r| {
            Ok(match r.head() {
                Head::Branch(b) => Some(b.clone()),
                Head::Detached(_) => None,
            })
        })
    }

    /// The commit HEAD points at, or ``None`` before the first commit.
    #[getter]
    fn head(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with(py, |r| Ok(r.head_commit()?.map(|id| id.to_hex())))
    }

    /// Stages ``schema`` for the next commit and returns how it differs from
    /// ``base`` (HEAD by default; ``None``: as the branch's first commit).
    /// :meth:`commit` moves the branch only if it is still at ``base``.
    ///
    /// ``lens`` (a :class:`ProtolensChain` or :class:`Lens`) is the lens
    /// that moves records from ``base``'s schema to this one, in place of
    /// the migration ``add`` derives: it must take that schema (records
    /// rooted at ``root``, by default its only record root) to exactly
    /// ``schema``. The commit stores it; datasets carried forward,
    /// :meth:`migrate_data` and :meth:`migration` use it.
    ///
    /// Raises
    /// ------
    /// VcsError
    ///     If the schema is for another protocol than the repository's,
    ///     or a lens is given with no earlier commit to move records from.
    /// NotFoundError
    ///     If ``base`` names no commit.
    /// LensError
    ///     If the lens does not fit ``base``'s schema (naming the step and
    ///     the field) or does not take it to ``schema`` (``differences``).
    #[pyo3(
        signature = (schema, *, base = Some("HEAD"), lens = None, root = None),
        text_signature = "($self, schema, *, base='HEAD', lens=None, root=None)"
    )]
    fn add(
        &self,
        py: Python<'_>,
        schema: &PySchema,
        base: Option<&str>,
        lens: Option<&Bound<'_, PyAny>>,
        root: Option<&str>,
    ) -> PyResult<PyDiffReport> {
        let schema = schema.0.clone();
        let chain = lens.map(|l| chain_arg("lens", l)).transpose()?;
        self.with(py, |r| {
            let base = match base {
                Some("HEAD") => r.head_commit()?,
                Some(reference) => Some(r.resolve(reference)?),
                None => None,
            };
            let staged = match chain {
                Some(chain) => r.add_on_with_lens(schema, base, chain, root)?,
                None => r.add_on(schema, base)?,
            };
            Ok(diff_report(staged))
        })
    }

    /// Applies ``lens`` (a :class:`ProtolensChain` or :class:`Lens`) to
    /// HEAD's schema and stages the result with the lens, as
    /// ``add(lens.target_schema(head_schema), lens=lens)`` would: the lens
    /// as the source of truth for the next version.
    ///
    /// Raises
    /// ------
    /// LensError
    ///     If the lens does not fit HEAD's schema.
    /// VcsError
    ///     If there is no commit yet.
    #[pyo3(signature = (lens, *, root = None))]
    fn evolve(
        &self,
        py: Python<'_>,
        lens: &Bound<'_, PyAny>,
        root: Option<&str>,
    ) -> PyResult<PyDiffReport> {
        let chain = chain_arg("lens", lens)?;
        self.with(py, |r| Ok(diff_report(r.evolve(chain, root)?)))
    }

    /// The lens staged with the schema (:meth:`add` with ``lens=``, or
    /// :meth:`evolve`), as a chain; ``None`` if none is.
    fn staged_lens(&self, py: Python<'_>) -> PyResult<Option<PyChain>> {
        self.with(py, |r| {
            Ok(r.staged()
                .and_then(|s| s.lens.as_ref())
                .map(|l| PyChain(l.chain.clone())))
        })
    }

    /// The staged schema, or ``None`` if nothing is staged.
    fn staged_schema(&self, py: Python<'_>) -> PyResult<Option<PySchema>> {
        self.with(py, |r| Ok(r.staged().map(|s| PySchema(s.schema.clone()))))
    }

    /// Commits what is staged and returns the new commit's id. On a
    /// detached HEAD only this handle's HEAD moves (no ref, no reflog entry).
    ///
    /// Raises
    /// ------
    /// VcsError
    ///     If nothing is staged, the staged schema equals HEAD's, or the
    ///     message or author is empty.
    /// ConflictError
    ///     If the branch moved since :meth:`add`; the staged schema is kept.
    /// CompatibilityError
    ///     If the commit breaks its branch's compatibility policy and no
    ///     ``allow_breaking`` reason is given; the staged schema is kept.
    #[pyo3(signature = (message, author, timestamp = None, allow_breaking = None))]
    fn commit(
        &self,
        py: Python<'_>,
        message: &str,
        author: &str,
        timestamp: Option<&Bound<'_, PyAny>>,
        allow_breaking: Option<&str>,
    ) -> PyResult<String> {
        let timestamp = opt_int_arg("timestamp", timestamp)?;
        self.with(py, |r| {
            Ok(
                r.commit_allowing(message, author, timestamp, allow_breaking)?
                    .to_hex(),
            )
        })
    }

    /// Sets the compatibility policy of ``branch`` (``None``: of the
    /// repository, for every branch without its own) to ``mode``.
    #[pyo3(signature = (mode, branch = None, *, author = None))]
    fn set_policy<'py>(
        &self,
        py: Python<'py>,
        mode: &str,
        branch: Option<&str>,
        author: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mode = crate::python::compat::mode_arg(mode)?;
        let author = author.map_or_else(default_author, str::to_owned);
        let info = self.with(py, |r| Ok(r.set_policy(mode, branch, &author)?))?;
        policy_dict(py, &info)
    }

    /// Removes the policy of ``branch`` (``None``: of the repository);
    /// whether there was one.
    #[pyo3(signature = (branch = None))]
    fn clear_policy(&self, py: Python<'_>, branch: Option<&str>) -> PyResult<bool> {
        self.with(py, |r| Ok(r.clear_policy(branch)?))
    }

    /// The policy ``branch`` (by default the current one) obeys: its own,
    /// else the repository's; ``None`` when neither is set.
    #[pyo3(signature = (branch = None))]
    fn policy<'py>(
        &self,
        py: Python<'py>,
        branch: Option<&str>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let branch = branch.map(str::to_owned);
        let info = self.with(py, move |r| {
            let branch = branch.or_else(|| current_branch(r));
            Ok(match branch {
                Some(b) => r.policy(&b)?,
                None => r.policy_at(None)?,
            })
        })?;
        info.map(|i| policy_dict(py, &i)).transpose()
    }

    /// Every policy set: the repository's, then each branch's.
    fn policies<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let all = self.with(py, |r| Ok(r.policies()?))?;
        all.iter().map(|i| policy_dict(py, i)).collect()
    }

    /// Checks ``schema`` as the next version of ``against`` (a branch, by
    /// default the current one) under ``mode`` (by default the branch's
    /// policy, else ``BACKWARD``): against its head, or every version of
    /// its first-parent history for a ``_TRANSITIVE`` mode.
    #[pyo3(signature = (schema, against = None, mode = None))]
    fn check<'py>(
        &self,
        py: Python<'py>,
        schema: &PySchema,
        against: Option<&str>,
        mode: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        policy::check(self, py, schema, against, mode)
    }

    /// Commits reachable from HEAD by first parents, newest first.
    #[pyo3(signature = (limit = None))]
    fn log(&self, py: Python<'_>, limit: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PyCommit>> {
        let limit = opt_int_arg("limit", limit)?;
        let commits = self.with(py, |r| Ok(r.log(limit)?))?;
        Ok(commits.into_iter().map(PyCommit::from).collect())
    }

    /// The commit graph: every commit reachable from a branch, a tag or
    /// HEAD, children before parents, as ``(glyphs, commit)`` lines drawn
    /// as ``git log --graph`` draws them (``commit`` is ``None`` on a line
    /// that joins or forks lanes); at most ``limit`` commits.
    #[pyo3(signature = (limit = None))]
    fn graph(
        &self,
        py: Python<'_>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(String, Option<PyCommit>)>> {
        let limit = opt_int_arg("limit", limit)?;
        let lines = self.with(py, |r| Ok(r.graph(limit)?))?;
        Ok(lines
            .into_iter()
            .map(|l| (l.glyphs, l.commit.map(PyCommit::from)))
            .collect())
    }

    /// The branch, HEAD, and what is staged with how it differs from HEAD.
    fn status(&self, py: Python<'_>) -> PyResult<PyStatus> {
        let status = self.with(py, |r| Ok(r.status()?))?;
        PyStatus::from_engine(py, status)
    }

    /// The schema at ``ref``: ``HEAD``, ``HEAD~N``, a branch name or a full commit id.
    ///
    /// Raises
    /// ------
    /// NotFoundError
    ///     If the ref names no commit.
    #[pyo3(signature = (r#ref = "HEAD"))]
    fn schema_at(&self, py: Python<'_>, r#ref: &str) -> PyResult<PySchema> {
        self.with(py, |r| {
            let id = r.resolve(r#ref)?;
            Ok(r.schema_of(&id)?)
        })
        .map(PySchema)
    }

    /// The changes from the schema at ``a`` to the schema at ``b``, classified.
    ///
    /// Parameters
    /// ----------
    /// a : str
    ///     A ref: ``HEAD``, ``HEAD~N``, a branch name or a full commit id.
    /// b : str, optional
    ///     Another ref; by default the staged schema if something is staged,
    ///     else ``HEAD``.
    #[pyo3(signature = (a = "HEAD", b = None))]
    fn diff(&self, py: Python<'_>, a: &str, b: Option<&str>) -> PyResult<PyDiffReport> {
        let compared = self.with(py, |r| Ok(r.diff(a, b)?))?;
        Ok(PyDiffReport::new(
            compared.changes,
            compared.classification,
            compared.compat,
        ))
    }

    /// A commit and what it changed from its first parent.
    ///
    /// Returns
    /// -------
    /// dict
    ///     ``{"commit": Commit, "diff": DiffReport, "lens": ProtolensChain | None}``:
    ///     ``lens`` is the lens the commit was made with, if any.
    #[pyo3(signature = (r#ref = "HEAD"))]
    fn show<'py>(&self, py: Python<'py>, r#ref: &str) -> PyResult<Bound<'py, PyDict>> {
        let shown = self.with(py, |r| Ok(r.show(r#ref)?))?;
        let d = PyDict::new(py);
        d.set_item("commit", PyCommit::from(shown.info))?;
        d.set_item(
            "diff",
            PyDiffReport::new(shown.changes, shown.classification, shown.compat),
        )?;
        d.set_item("lens", shown.lens.map(|l| PyChain(l.chain)))?;
        Ok(d)
    }

    /// Every branch with the commit it points at.
    fn branches(&self, py: Python<'_>) -> PyResult<BTreeMap<String, String>> {
        Ok(hex_ids(self.with(py, |r| Ok(r.branches()?))?))
    }

    /// Creates branch ``name`` at ``at`` (a ref, by default HEAD) and
    /// returns the commit it points at. HEAD does not move.
    ///
    /// Raises
    /// ------
    /// ConflictError
    ///     If the branch exists.
    /// VcsError
    ///     If the name is not acceptable.
    #[pyo3(signature = (name, at = "HEAD"))]
    fn create_branch(&self, py: Python<'_>, name: &str, at: &str) -> PyResult<String> {
        self.with(py, |r| Ok(r.create_branch(name, Some(at))?.to_hex()))
    }

    /// Deletes branch ``name`` (not the current one).
    fn delete_branch(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        self.with(py, |r| Ok(r.delete_branch(name)?))
    }

    /// Renames branch ``old`` to ``new``; HEAD follows if it was on ``old``.
    fn rename_branch(&self, py: Python<'_>, old: &str, new: &str) -> PyResult<()> {
        self.with(py, |r| Ok(r.rename_branch(old, new)?))
    }

    /// Points this handle's HEAD at a branch (by name) or, detached, at the
    /// commit ``ref`` names. Other handles and clients keep their own HEAD.
    ///
    /// Returns
    /// -------
    /// str or None
    ///     The branch now checked out, or ``None`` when detached.
    ///
    /// Raises
    /// ------
    /// VcsError
    ///     If something is staged.
    /// NotFoundError
    ///     If ``ref`` names nothing.
    fn checkout(&self, py: Python<'_>, r#ref: &str) -> PyResult<Option<String>> {
        self.with(py, |r| {
            Ok(match r.checkout(r#ref)? {
                Head::Branch(b) => Some(b.clone()),
                Head::Detached(_) => None,
            })
        })
    }

    /// Tags the commit ``ref`` names (by default HEAD) as ``name`` and
    /// returns its id. Tags never move; they resolve like branches. With
    /// ``message`` (and ``tagger``) the tag is annotated: a tag object
    /// records who tagged, when and why (see :meth:`tag_info`).
    ///
    /// Raises
    /// ------
    /// ConflictError
    ///     If the tag exists.
    /// VcsError
    ///     If the name is not acceptable, or only one of ``message`` and
    ///     ``tagger`` is given, or either is empty.
    #[pyo3(signature = (name, r#ref = "HEAD", *, message = None, tagger = None))]
    fn tag(
        &self,
        py: Python<'_>,
        name: &str,
        r#ref: &str,
        message: Option<&str>,
        tagger: Option<&str>,
    ) -> PyResult<String> {
        policy::tag(self, py, name, r#ref, message, tagger)
    }

    /// Tag ``name``: its commit and, for an annotated tag, the annotation.
    ///
    /// Returns
    /// -------
    /// dict
    ///     ``name``, ``commit``, ``annotated``, and ``object`` (the tag
    ///     object's id), ``tagger``, ``timestamp``, ``message`` (all
    ///     ``None`` for a lightweight tag).
    ///
    /// Raises
    /// ------
    /// NotFoundError
    ///     If there is no such tag.
    fn tag_info<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        let info = self.with(py, |r| Ok(r.tag_info(name)?))?;
        tag_dict(py, info)
    }

    /// How a ref moved, newest first: ``HEAD`` (this handle's branch), a
    /// branch or tag name, or a full ref name.
    ///
    /// Returns
    /// -------
    /// list of dict
    ///     ``ref``, ``old``, ``new`` (ids; ``None`` where the ref did not
    ///     exist), ``message`` and ``timestamp``.
    ///
    /// Raises
    /// ------
    /// NotFoundError
    ///     If no branch or tag of that name has a reflog.
    /// VcsError
    ///     For ``HEAD`` while detached.
    #[pyo3(signature = (r#ref = "HEAD", limit = None))]
    fn reflog<'py>(
        &self,
        py: Python<'py>,
        r#ref: &str,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let limit = opt_int_arg("limit", limit)?;
        let entries = self.with(py, |r| Ok(r.reflog(r#ref, limit)?))?;
        entries.into_iter().map(|e| reflog_dict(py, e)).collect()
    }

    /// Checks the integrity of the whole repository: every object re-hashed
    /// and decoded, every referenced object present with the right kind,
    /// every ref at a commit. Damage is reported, not raised.
    /// ``progress(done, total)`` is called in bytes of objects checked.
    ///
    /// Raises
    /// ------
    /// StoreError
    ///     Only if the store cannot be read at all.
    #[pyo3(signature = (*, progress = None))]
    fn verify(&self, py: Python<'_>, progress: Option<Py<PyAny>>) -> PyResult<PyVerifyReport> {
        history::verify(self, py, progress)
    }

    /// Every tag with the commit it points at.
    fn tags(&self, py: Python<'_>) -> PyResult<BTreeMap<String, String>> {
        Ok(hex_ids(self.with(py, |r| Ok(r.tags()?))?))
    }

    /// The best common ancestor of the commits ``a`` and ``b`` name, or
    /// ``None`` if their histories never meet.
    fn merge_base(&self, py: Python<'_>, a: &str, b: &str) -> PyResult<Option<String>> {
        self.with(py, |r| {
            let (a, b) = (r.resolve(a)?, r.resolve(b)?);
            Ok(r.merge_base(&a, &b)?.map(|id| id.to_hex()))
        })
    }

    /// Merges the commit ``ref`` names into the current branch: nothing if
    /// it is already contained, a fast-forward if the branch is behind it,
    /// otherwise a three-way merge of the schemas against their merge base
    /// and a merge commit with both parents and a migration from each.
    ///
    /// Returns
    /// -------
    /// MergeResult
    ///     ``kind`` (``"up-to-date"``, ``"fast-forward"`` or ``"merge"``),
    ///     ``commit`` (where the branch is now) and ``resolved`` (the
    ///     conflicts settled by ``resolve``/``strategy``, with the side chosen).
    ///
    /// Raises
    /// ------
    /// MergeConflictError
    ///     If conflicts remain without a resolution; ``.conflicts`` lists
    ///     them and nothing was written.
    /// VcsError
    ///     If something is staged, HEAD is detached, the histories are
    ///     unrelated, or a resolution names an element not in conflict.
    /// CompatibilityError
    ///     If the merge (or the fast-forward) breaks the branch's
    ///     compatibility policy and no ``allow_breaking`` reason is given;
    ///     nothing was written.
    #[pyo3(signature = (r#ref, author, message = None, *, resolve = None, strategy = None, timestamp = None, allow_breaking = None))]
    #[allow(clippy::too_many_arguments)]
    fn merge<'py>(
        &self,
        py: Python<'py>,
        r#ref: &str,
        author: &str,
        message: Option<&str>,
        resolve: Option<BTreeMap<String, String>>,
        strategy: Option<&str>,
        timestamp: Option<&Bound<'_, PyAny>>,
        allow_breaking: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let timestamp = opt_int_arg("timestamp", timestamp)?;
        let resolutions = attached(py, resolutions(resolve, strategy))?;
        let merged = self.with(py, |r| {
            let (res, t) = (&resolutions, timestamp);
            Ok(r.merge_allowing(r#ref, author, message, res, t, allow_breaking)?)
        })?;
        to_python(py, &MergeOut::from(&merged))
    }

    /// Writes the history as one self-contained HTML page to ``path``: the
    /// commit graph with branches and tags, a badge per commit, each
    /// commit's classified changes on click, the schema's size over time,
    /// and the datasets per commit (at most ``limit`` commits, the newest).
    #[pyo3(signature = (path, *, limit = None))]
    fn report_html(
        &self,
        py: Python<'_>,
        path: PathBuf,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        history::report_html(self, py, path, opt_int_arg("limit", limit)?)
    }

    /// Imports the git history of the schema at ``paths`` (relative to the
    /// root of the git repository at ``git_dir``) from ``ref`` onto the
    /// current branch (see the stub for the rules); ``progress(done, total)``
    /// is called as git commits are looked at. Returns what it did.
    #[pyo3(signature = (git_dir, paths, *, r#ref = "HEAD", format = None, progress = None))]
    #[allow(clippy::too_many_arguments)]
    fn import_git<'py>(
        &self,
        py: Python<'py>,
        git_dir: PathBuf,
        paths: Vec<String>,
        r#ref: &str,
        format: Option<&str>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        history::run(self, py, git_dir, paths, r#ref, format, progress)
    }

    /// Re-applies the staged schema on the branch's current head, after
    /// someone else committed (what to do on :class:`ConflictError` from
    /// :meth:`commit`). In conflicts, ``"ours"`` is the branch's new head and
    /// ``"theirs"`` the staged work, as in git.
    ///
    /// Returns
    /// -------
    /// RebaseResult
    ///     ``kind`` (``"up-to-date"`` or ``"rebased"``), ``onto`` (the new
    ///     base commit) and ``resolved``.
    ///
    /// Raises
    /// ------
    /// MergeConflictError
    ///     If the staged changes and the new commits changed the same
    ///     elements differently; the staged schema is kept as it was.
    /// VcsError
    ///     If nothing is staged.
    #[pyo3(signature = (*, resolve = None, strategy = None))]
    fn rebase<'py>(
        &self,
        py: Python<'py>,
        resolve: Option<BTreeMap<String, String>>,
        strategy: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let resolutions = attached(py, resolutions(resolve, strategy))?;
        let rebased = self.with(py, |r| Ok(r.rebase(&resolutions)?))?;
        to_python(py, &RebaseOut::from(&rebased))
    }

    /// What moves records across commit ``ref`` from its parent number
    /// ``parent`` (0, the first, by default; a merge commit has one from
    /// each parent): the :class:`Lens` it was committed with, else the
    /// :class:`CompiledMigration` it recorded; ``None`` for a first commit.
    #[pyo3(
        signature = (r#ref = "HEAD", *, parent = None),
        text_signature = "($self, ref='HEAD', *, parent=0)"
    )]
    fn migration(
        &self,
        py: Python<'_>,
        r#ref: &str,
        parent: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<Py<PyAny>>> {
        let parent = opt_int_arg("parent", parent)?.unwrap_or(0);
        let migrator = self.with(py, |r| Ok(r.migration_from_parent(r#ref, parent)?))?;
        migrator
            .map(|m| match m {
                Migrator::Mapping(m) => Py::new(py, PyCompiledMigration(m)).map(Py::into_any),
                Migrator::Lens(l) => Py::new(py, PyLens::committed(l)).map(Py::into_any),
            })
            .transpose()
    }

    /// Stages ``records`` as dataset ``name`` for the next commit and
    /// returns the dataset's id (its content hash).
    ///
    /// Every record must fit the staged schema, or HEAD's if none is staged,
    /// read at vertex ``root`` (by default the schema's only record root).
    /// Records are read in batches from any iterable and encoded as they
    /// come; a dataset of the same name staged before is replaced. A commit
    /// with only data staged keeps HEAD's schema. ``progress(done, total)``
    /// is called after each batch (``total``: ``len(records)``, or ``None``).
    ///
    /// ``base`` is the commit the data is a change from, as for :meth:`add`
    /// (HEAD by default; ``None``: the branch's first commit): a commit of
    /// it is refused if the branch is no longer there.
    ///
    /// Raises
    /// ------
    /// DataValidationError
    ///     Naming the first bad record's ``index`` and ``path``; nothing is staged.
    /// VcsError
    ///     If the name is empty or has control characters, there is no
    ///     schema yet, or the schema has several roots and ``root`` is not given.
    #[pyo3(
        signature = (name, records, *, root = None, base = Some("HEAD"), progress = None),
        text_signature = "($self, name, records, *, root=None, base='HEAD', progress=None)"
    )]
    fn add_data(
        slf: &Bound<'_, Self>,
        name: &str,
        records: &Bound<'_, PyAny>,
        root: Option<&str>,
        base: Option<&str>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        data::add(slf.get(), slf.py(), name, records, root, base, progress)
    }

    /// The records of dataset ``name`` at ``ref`` (a ref, as for
    /// :meth:`schema_at`), as a lazy iterator that reads and decodes one
    /// chunk at a time (the GIL released meanwhile).
    ///
    /// Raises
    /// ------
    /// NotFoundError
    ///     If the ref names no commit or the commit has no such dataset.
    fn data_at(slf: &Bound<'_, Self>, r#ref: &str, name: &str) -> PyResult<DataIterator> {
        let cursor = slf
            .get()
            .with(slf.py(), |r| Ok(r.data_cursor(r#ref, name)?))?;
        Ok(DataIterator::new(slf, cursor))
    }

    /// The datasets at ``ref`` with their record counts.
    #[pyo3(signature = (r#ref = "HEAD"))]
    fn datasets(&self, py: Python<'_>, r#ref: &str) -> PyResult<BTreeMap<String, u64>> {
        self.with(py, |r| Ok(r.datasets(r#ref)?))
    }

    /// Dataset ``name`` as ``from_ref`` holds it, moved along the history to
    /// ``to_ref``'s schema, as a lazy iterator of records.
    ///
    /// Forward, the migrations of the commits between are composed and
    /// each record lifted. Backward, each commit is undone with the
    /// complements it kept when it carried the data forward, so the
    /// original records come back exactly; where none were kept (the data
    /// was restaged), with the inverse migration if there is one. On two
    /// branches: back to the common ancestor, then forward.
    ///
    /// Raises
    /// ------
    /// NotFoundError
    ///     If a ref names no commit, ``from_ref`` has no such dataset, or the
    ///     commits share no history.
    /// VcsError
    ///     If going back needs complements that were not kept and the
    ///     migration has no inverse, or a migration drops the record root.
    ///
    /// ``progress(done, total)`` is called as each chunk is read.
    #[pyo3(signature = (name, from_ref, to_ref, *, progress = None))]
    fn migrate_data(
        slf: &Bound<'_, Self>,
        name: &str,
        from_ref: &str,
        to_ref: &str,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<DataIterator> {
        let cursor = slf
            .get()
            .with(slf.py(), |r| Ok(r.migrate_cursor(name, from_ref, to_ref)?))?;
        Ok(DataIterator::new(slf, cursor).with_progress(progress))
    }

    /// Closes the repository; later calls raise :class:`VcsError`.
    fn close(&self, py: Python<'_>) {
        py.detach(|| drop(self.lock().take()));
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let head = self
            .with(py, |r| Ok(r.head_commit()?.map(|id| id.short())))
            .ok()
            .flatten()
            .unwrap_or_else(|| "none".to_owned());
        format!(
            "Repository(location={:?}, name={:?}, protocol={:?}, head={head})",
            self.location(),
            self.current_name(),
            self.protocol.0.name
        )
    }

    fn __getnewargs_ex__<'py>(&self, py: Python<'py>) -> PyResult<((String,), Bound<'py, PyDict>)> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("name", self.current_name())?;
        Ok(((self.location.clone(),), kwargs))
    }
}

/// The report of what `add` staged.
fn diff_report(staged: &Staged) -> PyDiffReport {
    PyDiffReport::new(
        Arc::clone(&staged.changes),
        staged.classification.clone(),
        Arc::clone(&staged.compat),
    )
}
