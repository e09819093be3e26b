//! The SQLite store: one file holds one or more named repositories.
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
//!   wait up to [`BUSY_TIMEOUT`] for the lock instead of failing.
//! - **Threads**: one connection per opened store behind a mutex; clones and
//!   [`SqliteStore::with_name`] share it.

mod error;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::vcs::store::{
    HEAD, RefTarget, ReflogEntry, RepoInfo, STORE_FORMAT, ScannedObject, Store, Transaction,
};
use panproto_core::{ObjectId, StoreError, StoreErrorKind, VcsError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use self::error::{ResultExt, store_error};

const BACKEND: &str = "sqlite";

/// How long a writer waits for another connection's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The tables, created idempotently in one transaction.
const SCHEMA: &str = include_str!("schema.sql");

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

/// Prefixes a store error's message with the file it concerns.
fn at(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| {
        let mut err = store_error(e);
        err.message = format!("{}: {}", path.display(), err.message);
        err
    }
}

impl SqliteStore {
    /// Opens (or, with `create`, creates if needed) the store file at `path`
    /// and binds it to repository `name`. See [`open_store`](super::open_store).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] for a missing file without `create`;
    /// [`StoreErrorKind::NotAStore`], [`StoreErrorKind::Corrupt`],
    /// [`StoreErrorKind::NewerFormat`] or [`StoreErrorKind::Unavailable`].
    pub fn open(path: &Path, name: &str, create: bool) -> Result<Self, VcsError> {
        super::check_name(name)?;
        if path.as_os_str().is_empty() {
            return Err(StoreError::new(
                BACKEND,
                StoreErrorKind::BadLocation,
                "the store file path is empty",
            )
            .into());
        }
        if !create && !path.exists() {
            return Err(VcsError::NotFound(format!("store file {}", path.display())));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let ctx = at(path);
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| {
            let mut err = store_error(e);
            let shown = path.display().to_string();
            let reason = err
                .message
                .strip_suffix(&format!(": {shown}"))
                .unwrap_or(&err.message);
            err.message = format!("cannot open {shown}: {reason}");
            err.kind = StoreErrorKind::Unavailable;
            err
        })?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(&ctx)?;
        // The first read of the file: a text file fails here with NOTADB.
        let tables = user_tables(&conn).map_err(&ctx)?;
        let has_meta = tables.iter().any(|t| t == "meta");
        if !has_meta && (!create || !tables.is_empty()) {
            let why = if tables.is_empty() {
                "it is an empty SQLite database".to_owned()
            } else {
                format!(
                    "it is a SQLite database of another application (tables {}); panproto will not add its \
                     tables to it",
                    tables.join(", ")
                )
            };
            return Err(StoreError::new(
                BACKEND,
                StoreErrorKind::NotAStore,
                format!("{} is not a panproto store: {why}", path.display()),
            )
            .into());
        }
        if has_meta {
            // Before changing anything in a file a newer panproto wrote.
            check_format(&conn, path)?;
        }
        // WAL is persistent in the file; setting it again is a no-op.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(&ctx)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::new(
                BACKEND,
                StoreErrorKind::Unavailable,
                format!(
                    "{}: cannot switch the journal to WAL (it stays {mode:?})",
                    path.display()
                ),
            )
            .into());
        }
        // NORMAL: see the module docs. A 16 MiB page cache (the default is
        // 2 MiB) keeps a long history's commits in memory between logs.
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;",
        )
        .map_err(&ctx)?;
        if !has_meta {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&ctx)?;
            tx.execute_batch(SCHEMA).map_err(&ctx)?;
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?1)",
                [STORE_FORMAT.to_string()],
            )
            .map_err(&ctx)?;
            tx.commit().map_err(&ctx)?;
        }
        if !has_meta {
            check_format(&conn, path)?;
        }
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

    fn repo_id(&self, conn: &Connection) -> Result<Option<i64>, StoreError> {
        if let Some(id) = self.repo_id.get() {
            return Ok(Some(*id));
        }
        let id: Option<i64> = conn
            .prepare_cached("SELECT id FROM repositories WHERE name = ?1")
            .store()?
            .query_row([&self.name], |r| r.get(0))
            .optional()
            .store()?;
        if let Some(id) = id {
            // Ids never change once a repository exists.
            let _ = self.repo_id.set(id);
        }
        Ok(id)
    }

    fn missing_repo(&self) -> VcsError {
        VcsError::NotFound(format!(
            "repository {:?} in {}",
            self.name,
            self.db.path.display()
        ))
    }
}

/// Checks the format the store records is one this build reads.
fn check_format(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let format: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| {
            let mut err = at(path)(e);
            // A `meta` table of another shape ("no such column") is
            // another application's; damage stays `Corrupt`.
            if err.kind == StoreErrorKind::Database {
                err.kind = StoreErrorKind::NotAStore;
                err.message = format!(
                    "{} is not a panproto store: its meta table is not panproto's",
                    err.message
                );
            }
            err
        })?;
    let format = format.ok_or_else(|| {
        StoreError::new(
            BACKEND,
            StoreErrorKind::NotAStore,
            format!(
                "{} is not a panproto store: its meta table records no format",
                path.display()
            ),
        )
    })?;
    if super::check_format(BACKEND, &path.display().to_string(), &format)? < STORE_FORMAT {
        // 1 -> 2: new object kinds only; record the new format.
        conn.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'format'",
            [STORE_FORMAT.to_string()],
        )
        .map_err(at(path))?;
    }
    Ok(())
}

/// The tables of the database, apart from SQLite's own.
fn user_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

fn read_ref_in(conn: &Connection, repo: i64, name: &str) -> Result<Option<RefTarget>, StoreError> {
    let row: Option<(Option<Vec<u8>>, Option<String>)> = conn
        .prepare_cached("SELECT target, symbolic FROM refs WHERE repo = ?1 AND name = ?2")
        .store()?
        .query_row(params![repo, name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .store()?;
    match row {
        Some((target, symbolic)) => {
            super::ref_target(BACKEND, target, symbolic, &format!("ref {name}"))
        }
        None => Ok(None),
    }
}

fn limit_sql(limit: Option<usize>) -> i64 {
    limit.map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX))
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn location(&self) -> String {
        format!("{}#{}", self.db.path.display(), self.name)
    }

    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .store()?;
        let id: Option<i64> = tx
            .query_row(
                "INSERT INTO repositories (name, protocol_json, created) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO NOTHING RETURNING id",
                params![self.name, protocol_json, timestamp],
                |r| r.get(0),
            )
            .optional()
            .store()?;
        let Some(id) = id else {
            return Err(VcsError::AlreadyExists(self.name.clone()));
        };
        tx.execute(
            "INSERT INTO refs (repo, name, target, symbolic) VALUES (?1, ?2, NULL, ?3)",
            params![id, HEAD, "refs/heads/main"],
        )
        .store()?;
        tx.commit().store()?;
        let _ = self.repo_id.set(id);
        Ok(RepoInfo {
            name: self.name.clone(),
            protocol_json: protocol_json.to_owned(),
            created: timestamp,
        })
    }

    fn info(&self) -> Result<Option<RepoInfo>, StoreError> {
        let conn = self.lock();
        conn.prepare_cached("SELECT name, protocol_json, created FROM repositories WHERE name = ?1")
            .store()?
            .query_row([&self.name], |r| {
                Ok(RepoInfo {
                    name: r.get(0)?,
                    protocol_json: r.get(1)?,
                    created: r.get(2)?,
                })
            })
            .optional()
            .store()
    }

    fn read_object(&self, id: &ObjectId) -> Result<Option<StoredObject>, StoreError> {
        let conn = self.lock();
        let Some(repo) = self.repo_id(&conn)? else {
            return Ok(None);
        };
        let row: Option<(i64, Option<Vec<u8>>, Vec<u8>)> = conn
            .prepare_cached("SELECT kind, parent, data FROM objects WHERE repo = ?1 AND id = ?2")
            .store()?
            .query_row(params![repo, id.as_bytes().as_slice()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .store()?;
        row.map(|(kind, parent, data)| {
            super::stored_object(BACKEND, id.as_bytes(), kind, parent.as_deref(), data)
        })
        .transpose()
    }

    fn ids_between(
        &self,
        kind: ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError> {
        let conn = self.lock();
        let Some(repo) = self.repo_id(&conn)? else {
            return Ok(Vec::new());
        };
        let mut stmt = conn
            .prepare_cached(
                "SELECT id FROM objects WHERE repo = ?1 AND id BETWEEN ?2 AND ?3 AND kind = ?4 \
                 ORDER BY id LIMIT ?5",
            )
            .store()?;
        let rows = stmt
            .query_map(
                params![
                    repo,
                    low.as_bytes().as_slice(),
                    high.as_bytes().as_slice(),
                    kind.code(),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .store()?;
        let mut out = Vec::new();
        for row in rows {
            out.push(super::object_id(BACKEND, &row.store()?, "an object row")?);
        }
        Ok(out)
    }

    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError> {
        let conn = self.lock();
        let Some(repo) = self.repo_id(&conn)? else {
            return Ok(Vec::new());
        };
        // Blobs compare bytewise, and the empty blob sorts first.
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, kind, parent, data FROM objects WHERE repo = ?1 AND id > ?2 \
                 ORDER BY id LIMIT ?3",
            )
            .store()?;
        let mut rows = stmt
            .query(params![
                repo,
                after.unwrap_or_default(),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ])
            .store()?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().store()? {
            let key: Vec<u8> = row.get(0).store()?;
            let kind: i64 = row.get(1).store()?;
            let parent: Option<Vec<u8>> = row.get(2).store()?;
            let data: Vec<u8> = row.get(3).store()?;
            let object = super::stored_object(BACKEND, &key, kind, parent.as_deref(), data);
            out.push(ScannedObject { key, object });
        }
        Ok(out)
    }

    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError> {
        let conn = self.lock();
        let Some(repo) = self.repo_id(&conn)? else {
            return Ok(None);
        };
        read_ref_in(&conn, repo, name)
    }

    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError> {
        let conn = self.lock();
        let Some(repo) = self.repo_id(&conn)? else {
            return Ok(Vec::new());
        };
        let mut stmt = conn
            .prepare_cached("SELECT name, target, symbolic FROM refs WHERE repo = ?1 AND name >= ?2 ORDER BY name")
            .store()?;
        let mut rows = stmt.query(params![repo, prefix]).store()?;
        let mut out = Vec::new();
        // Names sort bytewise, so the refs with the prefix come first and
        // the scan stops at the first name without it.
        while let Some(row) = rows.next().store()? {
            let name: String = row.get(0).store()?;
            if !name.starts_with(prefix) {
                break;
            }
            let target = super::ref_target(
                BACKEND,
                row.get(1).store()?,
                row.get(2).store()?,
                &format!("ref {name}"),
            )?;
            if let Some(target) = target {
                out.push((name, target));
            }
        }
        Ok(out)
    }

    fn apply(&self, tx: &Transaction) -> Result<(), VcsError> {
        let mut conn = self.lock();
        // IMMEDIATE takes the write lock now, so the refs read below cannot
        // change before this transaction commits.
        let db = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .store()?;
        let Some(repo) = self.repo_id(&db)? else {
            return Err(self.missing_repo());
        };
        let mut current: HashMap<&str, Option<RefTarget>> = HashMap::new();
        for edit in &tx.edits {
            if !current.contains_key(edit.name.as_str()) {
                current.insert(&edit.name, read_ref_in(&db, repo, &edit.name)?);
            }
        }
        for edit in &tx.edits {
            let actual = current.get(edit.name.as_str()).cloned().flatten();
            if !edit.expected.matches(actual.as_ref()) {
                // Dropping `db` rolls the transaction back.
                return Err(edit.conflict(actual));
            }
        }
        if !tx.objects.is_empty() {
            let mut insert = db
                .prepare_cached(
                    "INSERT INTO objects (repo, id, kind, parent, data) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT DO NOTHING",
                )
                .store()?;
            for obj in &tx.objects {
                insert
                    .execute(params![
                        repo,
                        obj.id.as_bytes().as_slice(),
                        obj.kind.code(),
                        obj.parent.as_ref().map(|p| p.as_bytes().as_slice()),
                        obj.data,
                    ])
                    .store()?;
            }
        }
        for edit in &tx.edits {
            let old = current.insert(&edit.name, edit.new.clone()).flatten();
            match &edit.new {
                Some(new) => {
                    let (target, symbolic) = super::target_columns(Some(new));
                    db.prepare_cached(
                        "INSERT INTO refs (repo, name, target, symbolic) VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT (repo, name) DO UPDATE SET target = excluded.target, symbolic = excluded.symbolic",
                    )
                    .store()?
                    .execute(params![repo, edit.name, target, symbolic])
                    .store()?;
                }
                None => {
                    db.prepare_cached("DELETE FROM refs WHERE repo = ?1 AND name = ?2")
                        .store()?
                        .execute(params![repo, edit.name])
                        .store()?;
                }
            }
            let (old_target, old_symbolic) = super::target_columns(old.as_ref());
            let (new_target, new_symbolic) = super::target_columns(edit.new.as_ref());
            db.prepare_cached(
                "INSERT INTO reflog (repo, name, old_target, old_symbolic, new_target, new_symbolic, message, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .store()?
            .execute(params![repo, edit.name, old_target, old_symbolic, new_target, new_symbolic, edit.message, tx.timestamp])
            .store()?;
        }
        db.commit().store()?;
        Ok(())
    }

    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError> {
        let conn = self.lock();
        let Some(repo) = self.repo_id(&conn)? else {
            return Ok(Vec::new());
        };
        let mut stmt = conn
            .prepare_cached(
                "SELECT old_target, old_symbolic, new_target, new_symbolic, message, at FROM reflog \
                 WHERE repo = ?1 AND name = ?2 ORDER BY seq DESC LIMIT ?3",
            )
            .store()?;
        let mut rows = stmt.query(params![repo, name, limit_sql(limit)]).store()?;
        let what = format!("a reflog entry of {name}");
        let mut out = Vec::new();
        while let Some(row) = rows.next().store()? {
            out.push(ReflogEntry {
                name: name.to_owned(),
                old: super::ref_target(BACKEND, row.get(0).store()?, row.get(1).store()?, &what)?,
                new: super::ref_target(BACKEND, row.get(2).store()?, row.get(3).store()?, &what)?,
                message: row.get(4).store()?,
                timestamp: row.get(5).store()?,
            });
        }
        Ok(out)
    }

    /// One recursive query following `objects.parent`, with the limit applied
    /// inside the recursion so a page of a long history reads only that page.
    /// `CROSS JOIN` makes SQLite keep the chain as the outer loop, so each
    /// step is one primary-key probe whatever the planner guesses. A walk
    /// longer than [`CHAIN_PROBE`](super::CHAIN_PROBE) goes on in memory
    /// over one scan of the repository's commits (see `continue_chain`).
    fn first_parent_chain(
        &self,
        start: &ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        let conn = self.lock();
        let Some(repo) = self.repo_id(&conn)? else {
            return Ok(Vec::new());
        };
        let (probe, last) = super::chain_probe(limit);
        let mut stmt = conn
            .prepare_cached(
                "WITH RECURSIVE chain (n, kind, parent, data) AS ( \
                     SELECT 1, kind, parent, data FROM objects WHERE repo = ?1 AND id = ?2 \
                     UNION ALL \
                     SELECT chain.n + 1, o.kind, o.parent, o.data \
                     FROM chain CROSS JOIN objects o ON o.repo = ?1 AND o.id = chain.parent \
                     WHERE chain.n < ?3 \
                 ) \
                 SELECT n, kind, parent, data FROM chain",
            )
            .store()?;
        let rows = stmt
            .query_map(
                params![repo, start.as_bytes().as_slice(), limit_sql(Some(probe))],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .store()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .store()?;
        let chain = super::chain_from_rows(BACKEND, start, rows)?;
        if last || !super::chain_continues(&chain) {
            return Ok(chain);
        }
        // `+repo` keeps SQLite off the (repo, id) index: a sequential scan
        // of the table beats one random row lookup per commit, and rows of
        // other kinds are skipped without reading their (large) data.
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, kind, parent, data FROM objects WHERE +repo = ?1 AND kind = ?2",
            )
            .store()?;
        let rows = stmt
            .query_map(params![repo, ObjectKind::Commit.code()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .store()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .store()?;
        super::continue_chain(BACKEND, chain, rows, limit)
    }
}
