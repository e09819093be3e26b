//! The SQLite store: one file holds one or more named repositories.
//!
//! | file            | what it holds                                                          |
//! |-----------------|------------------------------------------------------------------------|
//! | `mod.rs`        | [`SqliteStore`] and its [`Store`] methods                              |
//! | `connection.rs` | opening the file: flags, busy timeout, journal and pragmas, the tables and their format |
//! | `reads.rs`      | one statement per read                                                 |
//! | `write.rs`      | creating a repository, and `apply` by phase                            |
//! | `error.rs`      | SQLite's extended codes mapped onto [`StoreErrorKind`](panproto_core::StoreErrorKind) |
//! | `schema.sql`    | the tables                                                             |
//!
//! - **Journal**: WAL, so readers never block the writer and a crash leaves
//!   the last committed state.
//! - **Durability**: `synchronous = NORMAL`. In WAL mode this still never
//!   corrupts the database and never loses a transaction to an application
//!   crash; only an OS crash or power loss may roll back the last few
//!   commits, which then simply never happened (refs and objects stay
//!   consistent). `FULL` adds an fsync of the WAL to every commit; see
//!   [`SqliteStore::set_synchronous_full`] and the benchmark's
//!   `commit_rate_sync_full` line for the cost.
//! - **Concurrency**: every write transaction is `BEGIN IMMEDIATE`, so it
//!   holds the write lock from its first read of a ref to its commit: the
//!   compare-and-swap of ref edits cannot race. Writers in other processes
//!   wait up to [`BUSY_TIMEOUT`] for the lock instead of failing, and then
//!   fail with SQLite's `SQLITE_BUSY` named in the error: every wait is
//!   bounded, as on PostgreSQL.
//! - **Threads**: one connection per opened store behind a mutex; clones and
//!   [`SqliteStore::with_name`] share it.

mod connection;
mod error;
mod reads;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::vcs::store::{
    RefTarget, ReflogEntry, RepoInfo, RepoSummary, ScannedObject, Store, Transaction,
};
use panproto_core::{ObjectId, StoreError, VcsError};
use rusqlite::Connection;

pub use self::connection::BUSY_TIMEOUT;
use self::error::ResultExt;

const BACKEND: &str = "sqlite";

/// A [`Store`] over a SQLite file, bound to one repository name.
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
    name: String,
    /// The repository's row id, once it is known to exist.
    repo_id: OnceLock<i64>,
}

struct Db {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (or, with `create`, creates if needed) the store file at `path`
    /// and binds it to repository `name`. See [`open_store`](super::open_store).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] for a missing file without `create`;
    /// [`StoreErrorKind::NotAStore`](panproto_core::StoreErrorKind::NotAStore),
    /// [`Corrupt`](panproto_core::StoreErrorKind::Corrupt),
    /// [`NewerFormat`](panproto_core::StoreErrorKind::NewerFormat) or
    /// [`Unavailable`](panproto_core::StoreErrorKind::Unavailable).
    pub fn open(path: &Path, name: &str, create: bool) -> Result<Self, VcsError> {
        super::check_name(name)?;
        let conn = connection::open(path, create)?;
        Ok(Self {
            db: Arc::new(Db {
                conn: Mutex::new(conn),
                path: path.to_path_buf(),
            }),
            name: name.to_owned(),
            repo_id: OnceLock::new(),
        })
    }

    /// A store for repository `name` in the same file, sharing the connection.
    #[must_use]
    pub fn with_name(&self, name: &str) -> Self {
        Self {
            db: Arc::clone(&self.db),
            name: name.to_owned(),
            repo_id: OnceLock::new(),
        }
    }

    /// The repository name this store is bound to.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    /// Switches this connection between `synchronous = FULL` (an fsync on
    /// every commit: survives power loss) and the default `NORMAL` (see the
    /// module docs).
    ///
    /// # Errors
    /// When SQLite refuses the pragma.
    pub fn set_synchronous_full(&self, full: bool) -> Result<(), StoreError> {
        let sql = if full {
            "PRAGMA synchronous = FULL"
        } else {
            "PRAGMA synchronous = NORMAL"
        };
        self.lock().execute_batch(sql).store()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock drops any open rusqlite transaction,
        // which rolls it back, so the connection is still usable.
        self.db.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The error for a repository that is not in the file.
    fn missing(&self) -> VcsError {
        VcsError::NotFound(format!(
            "repository {:?} in {}",
            self.name,
            self.db.path.display()
        ))
    }

    fn repo_id(&self, conn: &Connection) -> Result<Option<i64>, StoreError> {
        if let Some(id) = self.repo_id.get() {
            return Ok(Some(*id));
        }
        let id = reads::repo_id(conn, &self.name)?;
        if let Some(id) = id {
            // Ids never change once a repository exists.
            let _ = self.repo_id.set(id);
        }
        Ok(id)
    }

    /// Runs a read of the repository; `T::default()` (nothing) when the
    /// repository does not exist.
    fn read<T: Default>(
        &self,
        f: impl FnOnce(&Connection, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.lock();
        match self.repo_id(&conn)? {
            Some(repo) => f(&conn, repo),
            None => Ok(T::default()),
        }
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn location(&self) -> String {
        format!("{}#{}", self.db.path.display(), self.name)
    }

    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError> {
        super::check_text("protocol specification", protocol_json)?;
        let created = write::create(&mut self.lock(), &self.name, protocol_json, timestamp)?;
        super::created(&self.name, created, &self.repo_id, protocol_json, timestamp)
    }

    fn info(&self) -> Result<Option<RepoInfo>, StoreError> {
        reads::info(&self.lock(), &self.name)
    }

    fn repositories(&self) -> Result<Vec<RepoSummary>, StoreError> {
        reads::repositories(&self.lock())
    }

    fn delete(&self) -> Result<(), VcsError> {
        if write::delete(&mut self.lock(), &self.name)? {
            Ok(())
        } else {
            Err(self.missing())
        }
    }

    fn rename(&self, to: &str) -> Result<(), VcsError> {
        super::check_name(to)?;
        write::rename(&mut self.lock(), &self.name, to)
    }

    fn read_object(&self, id: &ObjectId) -> Result<Option<StoredObject>, StoreError> {
        self.read(|conn, repo| reads::read_object(conn, repo, id))
    }

    fn ids_between(
        &self,
        kind: ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError> {
        self.read(|conn, repo| reads::ids_between(conn, repo, kind, (low, high), limit))
    }

    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError> {
        self.read(|conn, repo| reads::scan_objects(conn, repo, after, limit))
    }

    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError> {
        self.read(|conn, repo| reads::read_ref(conn, repo, name))
    }

    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError> {
        self.read(|conn, repo| reads::list_refs(conn, repo, prefix))
    }

    fn apply(&self, tx: &Transaction) -> Result<(), VcsError> {
        super::check_transaction_text(tx)?;
        let applied = write::apply(&mut self.lock(), |c| self.repo_id(c), tx)?;
        applied.ok_or_else(|| self.missing())
    }

    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError> {
        self.read(|conn, repo| reads::reflog(conn, repo, name, limit))
    }

    /// One recursive query; see `first_parent_chain` in `reads.rs` for why
    /// it is shaped as it is.
    fn first_parent_chain(
        &self,
        start: &ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        self.read(|conn, repo| reads::first_parent_chain(conn, repo, start, limit))
    }
}
