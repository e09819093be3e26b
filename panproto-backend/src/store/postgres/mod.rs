//! The PostgreSQL store: one database holds many named repositories (a
//! team's registry).
//!
//! | file            | what it holds                                                          |
//! |-----------------|------------------------------------------------------------------------|
//! | `mod.rs`        | [`PostgresStore`] and its [`Store`] methods                            |
//! | `url.rs`        | what the URL asks for, read as libpq reads it: the limits, `pool_mode`, TLS (`sslmode`, `sslrootcert`), the environment and `~/.pgpass` |
//! | `connection.rs` | the runtime, connecting, idle connections, the bound on each round trip, the write transaction's `BEGIN`, each call's statements, the tables on open |
//! | `reads.rs`      | one statement per read                                                 |
//! | `depth.rs`      | each commit's first-parent depth: computed on write, added once to older stores, so a `log` is one range scan |
//! | `write.rs`      | creating a repository, and `apply` by phase                            |
//! | `error.rs`      | SQLSTATEs mapped onto [`StoreErrorKind`](panproto_core::StoreErrorKind) |
//! | `schema.sql`    | the tables                                                             |
//!
//! - **Sync API over async sqlx**: the store owns a current-thread tokio
//!   runtime and every public method blocks on it, so callers (the Python
//!   bindings release the GIL around them) need no runtime of their own.
//!   The calling thread drives the socket itself: a runtime with a worker
//!   thread adds two thread wake-ups per round trip, which measured 3x
//!   slower commits on a busy two-core machine. Calling a method from
//!   inside another tokio runtime is an error, not a panic.
//! - **Tables** are created on first use with `create = true`, inside one
//!   transaction holding a `pg_advisory_xact_lock`, so clients racing to
//!   create them both succeed.
//! - **Ref edits are compare-and-swap in one transaction**: the edited refs
//!   are locked with `SELECT .. FOR UPDATE` and compared; a ref expected
//!   absent is claimed by `INSERT .. ON CONFLICT DO NOTHING`, which waits for
//!   a concurrent creator and then reports the conflict. Any mismatch rolls
//!   back everything, objects included. A commit's transaction (one ref
//!   moved from an expected value or created, plus objects) takes a fast
//!   path with the same guarantees in one statement, instead of six; see
//!   `swap_one` in `write.rs`.
//! - **Connections**: the store keeps up to [`MAX_IDLE_CONNECTIONS`](connection::MAX_IDLE_CONNECTIONS) open
//!   connections, shared by clones and [`PostgresStore::with_name`]; a call
//!   takes the most recently used one (its prepared statements are warm) or
//!   opens another. sqlx's pool is not used: it pings every connection when
//!   it is released, a second round trip per call. A connection idle for
//!   longer than [`PING_IDLE_AFTER`](connection::PING_IDLE_AFTER) is pinged before use, and one whose
//!   call failed to reach the server, or stopped waiting for it, is dropped.
//!
//! # Every wait is bounded
//!
//! Three limits, set as query parameters of the URL in libpq's style
//! (`postgresql://u@host/db?connect_timeout=5&lock_timeout=2000`); `0`
//! turns one off; a value that is not a whole number is
//! [`StoreErrorKind::BadLocation`](panproto_core::StoreErrorKind::BadLocation).
//! Each limit that runs out is a
//! [`StoreErrorKind::Timeout`](panproto_core::StoreErrorKind::Timeout) whose
//! message names the limit and its value.
//!
//! | parameter           | unit | default | bounds                                                   |
//! |---------------------|------|---------|----------------------------------------------------------|
//! | `connect_timeout`   | s    | 10      | connecting (as libpq's)                                  |
//! | `statement_timeout` | ms   | 30000   | each statement, on the server; plus [`REPLY_GRACE`](connection::REPLY_GRACE) (2 s), every round trip, on the client |
//! | `lock_timeout`      | ms   | 5000    | each wait for a lock another session holds, on the server |
//!
//! - **On the server, the limits as settings that end with what they
//!   bound.** Where a connection is one server session (no pooler, or one
//!   in session mode), `SET statement_timeout = ..; SET lock_timeout = ..`
//!   goes once as the connection opens, so every statement obeys them and
//!   a commit, one statement (see `swap_one` in `write.rs`), needs no
//!   transaction around it: one round trip, where `BEGIN` and `COMMIT`
//!   made it three. Behind PgBouncer in transaction mode
//!   (`pool_mode=transaction`) a session setting would stay on the server
//!   connection for another client, so every call runs in one transaction
//!   opened with `BEGIN; SET LOCAL statement_timeout = ..; SET LOCAL
//!   lock_timeout = ..` (one simple query, one round trip), its writes
//!   savepoints in it (see `url::PoolMode`). Not startup options
//!   (`options=-c statement_timeout=..`): PgBouncer refuses a connection
//!   carrying options it does not track ("unsupported startup parameter").
//!   A server-side timeout rolls the statement or transaction back
//!   (SQLSTATE 57014 or 55P03, kept as the error's code) and leaves the
//!   connection usable.
//! - **Writes of more than one statement** (creating the tables, a
//!   repository, an `apply` other than a commit's, the format upgrade) run
//!   in a transaction opened the same way. Reads are single autocommit
//!   statements: they take no row locks, so they wait only behind a lock
//!   on a whole table (`LOCK TABLE`, DDL).
//! - **On the client, every round trip** is awaited for at most
//!   `statement_timeout` + [`REPLY_GRACE`](connection::REPLY_GRACE): by then the server would have
//!   cancelled the statement, so silence means it is frozen or the network
//!   is gone. The connection
//!   is then mid-message and is dropped; the server's side of it ends when
//!   the server notices. A write that timed out on the client may still
//!   have committed (the answer is what was lost); one that timed out on
//!   the server did not.
//! - The URL's limits (or their defaults) win over PostgreSQL's own
//!   settings of the same names (`options=-c ..` in the URL, the role's
//!   defaults); its other settings apply as they are.

mod connection;
mod depth;
mod error;
mod reads;
mod url;
mod write;

use std::sync::{Arc, OnceLock};

use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::vcs::store::{
    RefTarget, ReflogEntry, RepoInfo, RepoSummary, ScannedObject, Store, Transaction,
};
use panproto_core::{ObjectId, StoreError, VcsError};
use sqlx::postgres::PgConnection;

use self::connection::Db;

const BACKEND: &str = "postgres";

/// A [`Store`] over a PostgreSQL database, bound to one repository name.
#[derive(Clone)]
pub struct PostgresStore {
    db: Arc<Db>,
    name: String,
    /// The repository's row id, once it is known to exist.
    repo_id: OnceLock<i64>,
}

impl PostgresStore {
    /// Connects to the database at `url` (creating panproto's tables if
    /// `create` and they are missing) and binds it to repository `name`.
    /// See [`open_store`](super::open_store), and the module docs for the
    /// URL's limits.
    ///
    /// # Errors
    /// [`StoreErrorKind::BadLocation`](panproto_core::StoreErrorKind::BadLocation)
    /// for a URL that does not parse or a limit that is not a number;
    /// [`StoreErrorKind::Unavailable`](panproto_core::StoreErrorKind::Unavailable)
    /// naming the host and port when the server cannot be reached, and
    /// [`StoreErrorKind::Timeout`](panproto_core::StoreErrorKind::Timeout)
    /// when it does not answer in time; [`VcsError::NotFound`] without
    /// `create` when the database has no panproto tables;
    /// [`StoreErrorKind::NewerFormat`](panproto_core::StoreErrorKind::NewerFormat).
    pub fn open(url: &str, name: &str, create: bool) -> Result<Self, VcsError> {
        super::check_name(name)?;
        Ok(Self {
            db: Arc::new(Db::open(url, create)?),
            name: name.to_owned(),
            repo_id: OnceLock::new(),
        })
    }

    /// A store for repository `name` in the same database, sharing the
    /// connections.
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

    /// The error for a repository that is not in the database.
    fn missing(&self) -> VcsError {
        VcsError::NotFound(format!(
            "repository {:?} in {}",
            self.name, self.db.location
        ))
    }

    async fn repo_id(&self, conn: &mut PgConnection) -> Result<Option<i64>, StoreError> {
        if let Some(id) = self.repo_id.get() {
            return Ok(Some(*id));
        }
        let id = reads::repo_id(&self.db, conn, &self.name).await?;
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
        f: impl AsyncFnOnce(&Db, &mut PgConnection, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.db.run(
            async |conn: &mut PgConnection| match self.repo_id(conn).await? {
                Some(repo) => f(&self.db, conn, repo).await,
                None => Ok(T::default()),
            },
        )
    }
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn location(&self) -> String {
        format!("{}#{}", self.db.location, self.name)
    }

    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError> {
        super::check_text("protocol specification", protocol_json)?;
        let created = self.db.run(async |conn: &mut PgConnection| {
            write::create(&self.db, conn, &self.name, protocol_json, timestamp).await
        })?;
        super::created(&self.name, created, &self.repo_id, protocol_json, timestamp)
    }

    fn info(&self) -> Result<Option<RepoInfo>, StoreError> {
        self.db
            .run(async |conn: &mut PgConnection| reads::info(&self.db, conn, &self.name).await)
    }

    fn repositories(&self) -> Result<Vec<RepoSummary>, StoreError> {
        self.db
            .run(async |conn: &mut PgConnection| reads::repositories(&self.db, conn).await)
    }

    fn delete(&self) -> Result<(), VcsError> {
        let deleted = self
            .db
            .run(async |conn: &mut PgConnection| write::delete(&self.db, conn, &self.name).await)?;
        if deleted { Ok(()) } else { Err(self.missing()) }
    }

    fn rename(&self, to: &str) -> Result<(), VcsError> {
        super::check_name(to)?;
        self.db.run(async |conn: &mut PgConnection| {
            write::rename(&self.db, conn, &self.name, to).await
        })
    }

    fn ids_between(
        &self,
        kind: ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError> {
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::ids_between(db, conn, repo, kind, (low, high), limit).await
        })
    }

    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError> {
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::scan_objects(db, conn, repo, after, limit).await
        })
    }

    fn read_object(&self, id: &ObjectId) -> Result<Option<StoredObject>, StoreError> {
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::read_object(db, conn, repo, id).await
        })
    }

    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError> {
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::read_ref(db, conn, repo, name).await
        })
    }

    fn read_refs(&self, names: &[&str]) -> Result<Vec<Option<RefTarget>>, StoreError> {
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::read_refs(db, conn, repo, names).await
        })
    }

    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError> {
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::list_refs(db, conn, repo, prefix).await
        })
    }

    fn apply(&self, tx: &Transaction) -> Result<(), VcsError> {
        super::check_transaction_text(tx)?;
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else {
                return Err(self.missing());
            };
            write::apply(&self.db, conn, repo, tx).await
        })
    }

    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError> {
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::reflog(db, conn, repo, name, limit).await
        })
    }

    /// One range scan of the depth index, or a walk where depths are not
    /// known; see `first_parent_chain` in `reads.rs`.
    fn first_parent_chain(
        &self,
        start: &ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        self.read(async |db: &Db, conn: &mut PgConnection, repo| {
            reads::first_parent_chain(db, conn, repo, start, limit).await
        })
    }
}
