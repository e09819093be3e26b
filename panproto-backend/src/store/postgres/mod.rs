//! The PostgreSQL store: one database holds many named repositories (a
//! team's registry).
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
//!   path with the same guarantees in one statement, so one round trip
//!   instead of six; see `swap_one`.
//! - **Connections**: the store keeps up to [`MAX_IDLE_CONNECTIONS`] open
//!   connections, shared by clones and [`PostgresStore::with_name`]; a call
//!   takes the most recently used one (its prepared statements are warm) or
//!   opens another. sqlx's pool is not used: it pings every connection when
//!   it is released, a second round trip per call. A connection idle for
//!   longer than [`PING_IDLE_AFTER`] is pinged before use, and one whose
//!   call failed to reach the server is dropped.

mod error;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::vcs::store::{
    Expected, HEAD, RefEdit, RefTarget, ReflogEntry, RepoInfo, STORE_FORMAT, ScannedObject, Store,
    Transaction,
};
use panproto_core::{ObjectId, StoreError, StoreErrorKind, VcsError};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, Row};
use tokio::runtime::Runtime;

use self::error::store_error;

const BACKEND: &str = "postgres";

/// The most idle connections one opened store keeps.
pub const MAX_IDLE_CONNECTIONS: usize = 4;

/// An idle connection older than this is pinged before it is used.
pub const PING_IDLE_AFTER: Duration = Duration::from_secs(30);

/// How long opening waits for the server to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The advisory lock guarding table creation ("panproto" in ASCII).
const SCHEMA_LOCK: i64 = 0x7061_6e70_726f_746f;

/// The tables, created idempotently in one transaction.
const SCHEMA: &str = include_str!("schema.sql");

/// A [`Store`] over a PostgreSQL database, bound to one repository name.
#[derive(Clone)]
pub struct PostgresStore {
    db: Arc<Db>,
    name: String,
    /// The repository's row id, once it is known to exist.
    repo_id: OnceLock<i64>,
}

struct Db {
    /// Idle connections, most recently used last, with when they went idle.
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    options: PgConnectOptions,
    /// `None` only while being dropped.
    rt: Option<Runtime>,
    /// `postgresql://user@host:port/db`, without the password.
    location: String,
    /// `host:port`, named in errors about reaching the server.
    server: String,
}

impl Drop for Db {
    fn drop(&mut self) {
        let Some(rt) = self.rt.take() else { return };
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|p| p.into_inner()));
        if tokio::runtime::Handle::try_current().is_ok() {
            // Blocking inside another runtime would panic; let the
            // connections drop with it instead of closing them politely.
            rt.shutdown_background();
            return;
        }
        rt.block_on(async move {
            for (conn, _) in idle {
                let _ = tokio::time::timeout(Duration::from_secs(1), conn.close()).await;
            }
        });
    }
}

fn closed() -> StoreError {
    StoreError::new(BACKEND, StoreErrorKind::Unavailable, "the store is closed")
}

/// Whether an error means the connection can no longer be trusted.
trait Broken {
    fn broken(&self) -> bool;
}

impl Broken for StoreError {
    fn broken(&self) -> bool {
        self.kind == StoreErrorKind::Unavailable
    }
}

impl Broken for VcsError {
    fn broken(&self) -> bool {
        matches!(self, VcsError::Store(e) if e.broken())
    }
}

/// Connects, naming the server when it cannot be reached.
async fn connect(options: &PgConnectOptions, server: &str) -> Result<PgConnection, StoreError> {
    tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(options))
        .await
        .map_err(|_| {
            StoreError::new(
                BACKEND,
                StoreErrorKind::Unavailable,
                format!(
                    "cannot reach PostgreSQL at {server}: no answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                ),
            )
        })?
        .map_err(|e| store_error(e, server))
}

impl Db {
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(PgConnection, Instant)>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An idle connection, checked if it idled long, or a new one.
    async fn take(&self) -> Result<PgConnection, StoreError> {
        loop {
            let next = self.idle().pop();
            let Some((mut conn, since)) = next else {
                return connect(&self.options, &self.server).await;
            };
            if since.elapsed() < PING_IDLE_AFTER || conn.ping().await.is_ok() {
                return Ok(conn);
            }
            // The server closed it meanwhile: drop it and try the next.
        }
    }

    fn give_back(&self, conn: PgConnection) {
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE_CONNECTIONS {
            idle.push((conn, Instant::now()));
        }
    }

    /// Runs `f` with a connection to completion on the store's runtime.
    fn run<T, E>(&self, f: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + Broken,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(StoreError::new(
                BACKEND,
                StoreErrorKind::Database,
                "the postgres store blocks; call it outside an async runtime (e.g. in spawn_blocking)",
            )
            .into());
        }
        let Some(rt) = &self.rt else {
            return Err(closed().into());
        };
        rt.block_on(async {
            let mut conn = self.take().await?;
            let out = f(&mut conn).await;
            match &out {
                Err(e) if e.broken() => drop(conn),
                _ => self.give_back(conn),
            }
            out
        })
    }

    fn err(&self) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        |e| store_error(e, &self.server)
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (creating panproto's tables if
    /// `create` and they are missing) and binds it to repository `name`.
    /// See [`open_store`](super::open_store).
    ///
    /// # Errors
    /// [`StoreErrorKind::BadLocation`] for a URL that does not parse;
    /// [`StoreErrorKind::Unavailable`] naming the host and port when the
    /// server cannot be reached; [`VcsError::NotFound`] without `create` when
    /// the database has no panproto tables; [`StoreErrorKind::NewerFormat`].
    pub fn open(url: &str, name: &str, create: bool) -> Result<Self, VcsError> {
        super::check_name(name)?;
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::new(
                BACKEND,
                StoreErrorKind::BadLocation,
                format!(
                    "{} is not a usable PostgreSQL URL: {e}",
                    super::redact_url(url)
                ),
            )
        })?;
        let server = format!("{}:{}", options.get_host(), options.get_port());
        let database = options.get_database().unwrap_or(options.get_username());
        let location = format!(
            "postgresql://{}@{server}/{database}",
            options.get_username()
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| {
                StoreError::new(
                    BACKEND,
                    StoreErrorKind::Database,
                    format!("cannot start the PostgreSQL client: {e}"),
                )
            })?;
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(StoreError::new(
                BACKEND,
                StoreErrorKind::Database,
                "the postgres store blocks; open it outside an async runtime (e.g. in spawn_blocking)",
            )
            .into());
        }
        let conn = rt.block_on(async {
            let mut conn = connect(&options, &server).await?;
            match ensure_tables(&mut conn, create, &location, &server).await {
                Ok(()) => Ok(conn),
                Err(e) => {
                    let _ = conn.close().await;
                    Err(e)
                }
            }
        })?;
        Ok(Self {
            db: Arc::new(Db {
                idle: Mutex::new(vec![(conn, Instant::now())]),
                options,
                rt: Some(rt),
                location,
                server,
            }),
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

    async fn repo_id(&self, conn: &mut PgConnection) -> Result<Option<i64>, StoreError> {
        if let Some(id) = self.repo_id.get() {
            return Ok(Some(*id));
        }
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM panproto_repositories WHERE name = $1")
                .bind(&self.name)
                .fetch_optional(&mut *conn)
                .await
                .map_err(self.db.err())?;
        if let Some(id) = id {
            // Ids never change once a repository exists.
            let _ = self.repo_id.set(id);
        }
        Ok(id)
    }

    fn missing_repo(&self) -> VcsError {
        VcsError::NotFound(format!(
            "repository {:?} in {}",
            self.name, self.db.location
        ))
    }
}

/// Checks the database holds panproto's tables in a format this build
/// reads, creating them first if `create` and they are missing.
async fn ensure_tables(
    conn: &mut PgConnection,
    create: bool,
    location: &str,
    server: &str,
) -> Result<(), VcsError> {
    let err = |e| store_error(e, server);
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('panproto_meta') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .map_err(err)?;
    if !exists {
        if !create {
            return Err(VcsError::NotFound(format!(
                "panproto store in {location} (the database has no panproto tables yet)"
            )));
        }
        let mut tx = conn.begin().await.map_err(err)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SCHEMA_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::raw_sql(SCHEMA).execute(&mut *tx).await.map_err(err)?;
        sqlx::query("INSERT INTO panproto_meta (key, value) VALUES ('format', $1) ON CONFLICT (key) DO NOTHING")
            .bind(STORE_FORMAT.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
    }
    let format: Option<String> = sqlx::query_scalar("SELECT value FROM panproto_meta WHERE key = 'format'")
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| {
            let mut e = err(e);
            if e.kind == StoreErrorKind::Database {
                e.kind = StoreErrorKind::NotAStore;
                e.message = format!("{location} is not a panproto store: its panproto_meta table is not panproto's ({})", e.message);
            }
            e
        })?;
    let format = format.ok_or_else(|| {
        StoreError::new(
            BACKEND,
            StoreErrorKind::NotAStore,
            format!(
                "{location} is not a panproto store: its panproto_meta table records no format"
            ),
        )
    })?;
    if super::check_format(BACKEND, location, &format)? < STORE_FORMAT {
        // 1 -> 2: new object kinds only; record the new format.
        sqlx::query("UPDATE panproto_meta SET value = $1 WHERE key = 'format' AND value = $2")
            .bind(STORE_FORMAT.to_string())
            .bind(&format)
            .execute(&mut *conn)
            .await
            .map_err(err)?;
    }
    Ok(())
}

fn limit_sql(limit: Option<usize>) -> Option<i64> {
    limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX))
}

type RefRow = (String, Option<Vec<u8>>, Option<String>);

/// A row of the objects table: `(id, kind, parent, data)`.
type ObjectRow = (Vec<u8>, i16, Option<Vec<u8>>, Vec<u8>);

/// The first-parent chain query's one row: kinds, parents and data, in
/// chain order, as arrays (`NULL` for an empty chain). One row of three
/// arrays rather than a row per commit: a 1,000-commit `log` took ~8 ms
/// instead of ~9 ms in back-to-back runs.
type ChainArrays = (
    Option<Vec<i16>>,
    Option<Vec<Option<Vec<u8>>>>,
    Option<Vec<Vec<u8>>>,
);

async fn read_ref_in(
    conn: &mut PgConnection,
    repo: i64,
    name: &str,
    err: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<Option<RefTarget>, StoreError> {
    let row: Option<(Option<Vec<u8>>, Option<String>)> =
        sqlx::query_as("SELECT target, symbolic FROM panproto_refs WHERE repo = $1 AND name = $2")
            .bind(repo)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await
            .map_err(err)?;
    match row {
        Some((target, symbolic)) => {
            super::ref_target(BACKEND, target, symbolic, &format!("ref {name}"))
        }
        None => Ok(None),
    }
}

/// The object columns of a transaction, as arrays for `UNNEST`.
struct ObjectArrays<'a> {
    ids: Vec<&'a [u8]>,
    kinds: Vec<i16>,
    parents: Vec<Option<&'a [u8]>>,
    data: Vec<&'a [u8]>,
}

impl<'a> ObjectArrays<'a> {
    fn new(objects: &'a [StoredObject]) -> Self {
        Self {
            ids: objects.iter().map(|o| o.id.as_bytes().as_slice()).collect(),
            kinds: objects.iter().map(|o| o.kind.code()).collect(),
            parents: objects
                .iter()
                .map(|o| o.parent.as_ref().map(|p| p.as_bytes().as_slice()))
                .collect(),
            data: objects.iter().map(|o| o.data.as_slice()).collect(),
        }
    }
}

/// The common transaction (one edit setting a ref that must hold a value or
/// be absent, plus objects) as one statement: the ref is swapped with a
/// conditional `UPDATE` (or claimed with `INSERT .. ON CONFLICT DO
/// NOTHING`), which locks the row like `SELECT .. FOR UPDATE` and, under
/// READ COMMITTED, re-checks the condition against a concurrent writer's
/// committed value. Objects and the reflog entry are written only if the
/// swap happened. Returns whether it did; if not, nothing was written.
async fn swap_one(
    conn: &mut PgConnection,
    repo: i64,
    tx: &Transaction,
    edit: &RefEdit,
    new: &RefTarget,
    err: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<bool, StoreError> {
    // Writes the objects and the reflog entry if `moved` has a row.
    macro_rules! write_if_moved {
        () => {
            "objects AS ( \
                 INSERT INTO panproto_objects (repo, id, kind, parent, data) \
                 SELECT $1, o.* FROM UNNEST($7::bytea[], $8::int2[], $9::bytea[], $10::bytea[]) AS o \
                 WHERE EXISTS (SELECT 1 FROM moved) \
                 ON CONFLICT DO NOTHING \
             ), logged AS ( \
                 INSERT INTO panproto_reflog \
                     (repo, name, old_target, old_symbolic, new_target, new_symbolic, message, at) \
                 SELECT $1, $2, $5, $6, $3, $4, $11, $12 FROM moved \
             ) \
             SELECT count(*) FROM moved"
        };
    }
    const SWAP: &str = concat!(
        "WITH moved AS ( \
             UPDATE panproto_refs SET target = $3, symbolic = $4 \
             WHERE repo = $1 AND name = $2 \
             AND target IS NOT DISTINCT FROM $5 AND symbolic IS NOT DISTINCT FROM $6 \
             RETURNING 1 \
         ), ",
        write_if_moved!()
    );
    const CLAIM: &str = concat!(
        "WITH moved AS ( \
             INSERT INTO panproto_refs (repo, name, target, symbolic) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (repo, name) DO NOTHING \
             RETURNING 1 \
         ), ",
        write_if_moved!()
    );
    let (sql, old) = match &edit.expected {
        Expected::Value(old) => (SWAP, Some(old)),
        Expected::Absent | Expected::Any => (CLAIM, None),
    };
    let (target, symbolic) = super::target_columns(Some(new));
    let (old_target, old_symbolic) = super::target_columns(old);
    let objects = ObjectArrays::new(&tx.objects);
    let moved: i64 = sqlx::query_scalar(sql)
        .bind(repo)
        .bind(&edit.name)
        .bind(target)
        .bind(symbolic)
        .bind(old_target)
        .bind(old_symbolic)
        .bind(objects.ids)
        .bind(objects.kinds)
        .bind(objects.parents)
        .bind(objects.data)
        .bind(&edit.message)
        .bind(tx.timestamp)
        .fetch_one(&mut *conn)
        .await
        .map_err(err)?;
    Ok(moved > 0)
}

/// Sets an existing ref row to a new value.
async fn update_ref(
    db: &mut PgConnection,
    repo: i64,
    name: &str,
    target: Option<&[u8]>,
    symbolic: Option<&str>,
    err: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE panproto_refs SET target = $3, symbolic = $4 WHERE repo = $1 AND name = $2",
    )
    .bind(repo)
    .bind(name)
    .bind(target)
    .bind(symbolic)
    .execute(&mut *db)
    .await
    .map_err(err)?;
    Ok(())
}

/// Everything of [`Store::apply`] after `BEGIN` and before `COMMIT`.
async fn apply_in(
    db: &mut PgConnection,
    repo: i64,
    tx: &Transaction,
    err: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<(), VcsError> {
    let mut current: HashMap<&str, Option<RefTarget>> = HashMap::new();
    if !tx.edits.is_empty() {
        let mut names: Vec<&str> = tx.edits.iter().map(|e| e.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        // Locking in name order keeps two transactions over the same refs
        // from deadlocking.
        let rows: Vec<RefRow> = sqlx::query_as(
            "SELECT name, target, symbolic FROM panproto_refs WHERE repo = $1 AND name = ANY($2) \
             ORDER BY name FOR UPDATE",
        )
        .bind(repo)
        .bind(&names)
        .fetch_all(&mut *db)
        .await
        .map_err(err)?;
        for name in names {
            current.insert(name, None);
        }
        for (name, target, symbolic) in rows {
            let value = super::ref_target(BACKEND, target, symbolic, &format!("ref {name}"))?;
            if let Some(slot) = current.get_mut(name.as_str()) {
                *slot = value;
            }
        }
    }
    for edit in &tx.edits {
        let actual = current.get(edit.name.as_str()).cloned().flatten();
        if !edit.expected.matches(actual.as_ref()) {
            return Err(edit.conflict(actual));
        }
    }
    if !tx.objects.is_empty() {
        let objects = ObjectArrays::new(&tx.objects);
        sqlx::query(
            "INSERT INTO panproto_objects (repo, id, kind, parent, data) \
             SELECT $1, * FROM UNNEST($2::bytea[], $3::int2[], $4::bytea[], $5::bytea[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(repo)
        .bind(objects.ids)
        .bind(objects.kinds)
        .bind(objects.parents)
        .bind(objects.data)
        .execute(&mut *db)
        .await
        .map_err(err)?;
    }
    for edit in &tx.edits {
        let mut old = current.get(edit.name.as_str()).cloned().flatten();
        let (target, symbolic) = super::target_columns(edit.new.as_ref());
        match (&edit.new, &old) {
            (Some(_), Some(_)) => {
                update_ref(db, repo, &edit.name, target, symbolic, err).await?;
            }
            (Some(_), None) => {
                // The ref did not exist when we looked: claim it. If another
                // transaction created it meanwhile, this waits for it and
                // inserts nothing.
                let inserted = sqlx::query(
                    "INSERT INTO panproto_refs (repo, name, target, symbolic) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (repo, name) DO NOTHING",
                )
                .bind(repo)
                .bind(&edit.name)
                .bind(target)
                .bind(symbolic)
                .execute(&mut *db)
                .await
                .map_err(err)?
                .rows_affected();
                if inserted == 0 {
                    let row: Option<(Option<Vec<u8>>, Option<String>)> = sqlx::query_as(
                        "SELECT target, symbolic FROM panproto_refs WHERE repo = $1 AND name = $2 FOR UPDATE",
                    )
                    .bind(repo)
                    .bind(&edit.name)
                    .fetch_optional(&mut *db)
                    .await
                    .map_err(err)?;
                    let actual = match row {
                        Some((t, s)) => {
                            super::ref_target(BACKEND, t, s, &format!("ref {}", edit.name))?
                        }
                        None => None,
                    };
                    if edit.expected != Expected::Any {
                        return Err(edit.conflict(actual));
                    }
                    // Any value is acceptable: overwrite what was created.
                    update_ref(db, repo, &edit.name, target, symbolic, err).await?;
                    old = actual;
                }
            }
            (None, Some(_)) => {
                sqlx::query("DELETE FROM panproto_refs WHERE repo = $1 AND name = $2")
                    .bind(repo)
                    .bind(&edit.name)
                    .execute(&mut *db)
                    .await
                    .map_err(err)?;
            }
            (None, None) => {}
        }
        current.insert(&edit.name, edit.new.clone());
        let (old_target, old_symbolic) = super::target_columns(old.as_ref());
        sqlx::query(
            "INSERT INTO panproto_reflog (repo, name, old_target, old_symbolic, new_target, new_symbolic, message, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(repo)
        .bind(&edit.name)
        .bind(old_target)
        .bind(old_symbolic)
        .bind(target)
        .bind(symbolic)
        .bind(&edit.message)
        .bind(tx.timestamp)
        .execute(&mut *db)
        .await
        .map_err(err)?;
    }
    Ok(())
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn location(&self) -> String {
        format!("{}#{}", self.db.location, self.name)
    }

    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError> {
        self.db.run(async |conn: &mut PgConnection| {
            let err = self.db.err();
            let mut db = conn.begin().await.map_err(&err)?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO panproto_repositories (name, protocol_json, created) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(&self.name)
            .bind(protocol_json)
            .bind(timestamp)
            .fetch_optional(&mut *db)
            .await
            .map_err(&err)?;
            let Some(id) = id else {
                let _ = db.rollback().await;
                return Err(VcsError::AlreadyExists(self.name.clone()));
            };
            sqlx::query("INSERT INTO panproto_refs (repo, name, target, symbolic) VALUES ($1, $2, NULL, $3)")
                .bind(id)
                .bind(HEAD)
                .bind("refs/heads/main")
                .execute(&mut *db)
                .await
                .map_err(&err)?;
            db.commit().await.map_err(&err)?;
            let _ = self.repo_id.set(id);
            Ok(RepoInfo { name: self.name.clone(), protocol_json: protocol_json.to_owned(), created: timestamp })
        })
    }

    fn info(&self) -> Result<Option<RepoInfo>, StoreError> {
        self.db.run(async |conn: &mut PgConnection| {
            let row: Option<(String, String, i64)> = sqlx::query_as(
                "SELECT name, protocol_json, created FROM panproto_repositories WHERE name = $1",
            )
            .bind(&self.name)
            .fetch_optional(&mut *conn)
            .await
            .map_err(self.db.err())?;
            Ok(row.map(|(name, protocol_json, created)| RepoInfo {
                name,
                protocol_json,
                created,
            }))
        })
    }

    fn ids_between(
        &self,
        kind: ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError> {
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else {
                return Ok(Vec::new());
            };
            let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
                "SELECT id FROM panproto_objects WHERE repo = $1 AND id BETWEEN $2 AND $3 \
                 AND kind = $4 ORDER BY id LIMIT $5",
            )
            .bind(repo)
            .bind(low.as_bytes().as_slice())
            .bind(high.as_bytes().as_slice())
            .bind(kind.code())
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut *conn)
            .await
            .map_err(self.db.err())?;
            rows.into_iter()
                .map(|(id,)| super::object_id(BACKEND, &id, "an object row"))
                .collect()
        })
    }

    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError> {
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else {
                return Ok(Vec::new());
            };
            // bytea compares bytewise, and the empty string sorts first.
            let rows: Vec<ObjectRow> = sqlx::query_as(
                "SELECT id, kind, parent, data FROM panproto_objects WHERE repo = $1 AND id > $2 \
                 ORDER BY id LIMIT $3",
            )
            .bind(repo)
            .bind(after.unwrap_or_default())
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut *conn)
            .await
            .map_err(self.db.err())?;
            Ok(rows
                .into_iter()
                .map(|(key, kind, parent, data)| {
                    let object = super::stored_object(
                        BACKEND,
                        &key,
                        i64::from(kind),
                        parent.as_deref(),
                        data,
                    );
                    ScannedObject { key, object }
                })
                .collect())
        })
    }

    fn read_object(&self, id: &ObjectId) -> Result<Option<StoredObject>, StoreError> {
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else {
                return Ok(None);
            };
            let row: Option<(i16, Option<Vec<u8>>, Vec<u8>)> = sqlx::query_as(
                "SELECT kind, parent, data FROM panproto_objects WHERE repo = $1 AND id = $2",
            )
            .bind(repo)
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&mut *conn)
            .await
            .map_err(self.db.err())?;
            row.map(|(kind, parent, data)| {
                super::stored_object(
                    BACKEND,
                    id.as_bytes(),
                    i64::from(kind),
                    parent.as_deref(),
                    data,
                )
            })
            .transpose()
        })
    }

    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError> {
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else {
                return Ok(None);
            };
            read_ref_in(conn, repo, name, &self.db.err()).await
        })
    }

    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError> {
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else { return Ok(Vec::new()) };
            let rows: Vec<RefRow> = sqlx::query_as(
                "SELECT name, target, symbolic FROM panproto_refs WHERE repo = $1 AND starts_with(name, $2) \
                 ORDER BY name",
            )
            .bind(repo)
            .bind(prefix)
            .fetch_all(&mut *conn)
            .await
            .map_err(self.db.err())?;
            let mut out = Vec::with_capacity(rows.len());
            for (name, target, symbolic) in rows {
                if let Some(target) = super::ref_target(BACKEND, target, symbolic, &format!("ref {name}"))? {
                    out.push((name, target));
                }
            }
            Ok(out)
        })
    }

    fn apply(&self, tx: &Transaction) -> Result<(), VcsError> {
        self.db.run(async |conn: &mut PgConnection| {
            let err = self.db.err();
            let Some(repo) = self.repo_id(conn).await? else {
                return Err(self.missing_repo());
            };
            if let [edit] = tx.edits.as_slice() {
                if let (Some(new), Expected::Value(_) | Expected::Absent) =
                    (&edit.new, &edit.expected)
                {
                    // A commit: one statement, one round trip.
                    for _ in 0..3 {
                        if swap_one(conn, repo, tx, edit, new, &err).await? {
                            return Ok(());
                        }
                        let actual = read_ref_in(conn, repo, &edit.name, &err).await?;
                        if !edit.expected.matches(actual.as_ref()) {
                            return Err(edit.conflict(actual));
                        }
                        // The ref moved away and back since the swap: try again.
                    }
                }
            }
            let mut db = conn.begin().await.map_err(&err)?;
            match apply_in(&mut db, repo, tx, &err).await {
                Ok(()) => {
                    db.commit().await.map_err(&err)?;
                    Ok(())
                }
                Err(e) => {
                    let _ = db.rollback().await;
                    Err(e)
                }
            }
        })
    }

    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError> {
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else { return Ok(Vec::new()) };
            let rows = sqlx::query(
                "SELECT old_target, old_symbolic, new_target, new_symbolic, message, at FROM panproto_reflog \
                 WHERE repo = $1 AND name = $2 ORDER BY seq DESC LIMIT $3",
            )
            .bind(repo)
            .bind(name)
            .bind(limit_sql(limit))
            .fetch_all(&mut *conn)
            .await
            .map_err(self.db.err())?;
            let what = format!("a reflog entry of {name}");
            let err = self.db.err();
            rows.iter()
                .map(|row| {
                    Ok(ReflogEntry {
                        name: name.to_owned(),
                        old: super::ref_target(
                            BACKEND,
                            row.try_get(0).map_err(&err)?,
                            row.try_get(1).map_err(&err)?,
                            &what,
                        )?,
                        new: super::ref_target(
                            BACKEND,
                            row.try_get(2).map_err(&err)?,
                            row.try_get(3).map_err(&err)?,
                            &what,
                        )?,
                        message: row.try_get(4).map_err(&err)?,
                        timestamp: row.try_get(5).map_err(&err)?,
                    })
                })
                .collect()
        })
    }

    /// One recursive query following `objects.parent`, with the limit applied
    /// inside the recursion so a page of a long history reads only that page.
    /// The step is a `LATERAL` subquery (with `LIMIT 1`, so it is not
    /// flattened into a join): PostgreSQL must then probe the primary key
    /// with the previous row's parent. A plain join lets the planner, misled
    /// by stale statistics on a new repository, scan the repository's
    /// objects once per step instead (measured: 115 ms for 200 commits).
    /// A walk longer than [`CHAIN_PROBE`](super::CHAIN_PROBE) goes on in
    /// memory over one scan of the repository's commits (see
    /// `continue_chain`): 100,000 probes took 340 ms on the server, the
    /// scan 36 ms.
    fn first_parent_chain(
        &self,
        start: &ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        let (probe, last) = super::chain_probe(limit);
        self.db.run(async |conn: &mut PgConnection| {
            let Some(repo) = self.repo_id(conn).await? else { return Ok(Vec::new()) };
            let rows: ChainArrays = sqlx::query_as(
                "WITH RECURSIVE chain (n, kind, parent, data) AS ( \
                     SELECT 1::bigint, kind, parent, data FROM panproto_objects WHERE repo = $1 AND id = $2 \
                     UNION ALL \
                     SELECT c.n + 1, o.kind, o.parent, o.data \
                     FROM chain c CROSS JOIN LATERAL ( \
                         SELECT kind, parent, data FROM panproto_objects \
                         WHERE repo = $1 AND id = c.parent LIMIT 1 \
                     ) o \
                     WHERE c.n < $3 \
                 ) \
                 SELECT array_agg(kind ORDER BY n), array_agg(parent ORDER BY n), array_agg(data ORDER BY n) FROM chain",
            )
            .bind(repo)
            .bind(start.as_bytes().as_slice())
            .bind(limit_sql(Some(probe)).unwrap_or(i64::MAX))
            .fetch_one(&mut *conn)
            .await
            .map_err(self.db.err())?;
            let (kinds, parents, datas) = rows;
            let rows = kinds
                .unwrap_or_default()
                .into_iter()
                .zip(parents.unwrap_or_default())
                .zip(datas.unwrap_or_default())
                .enumerate()
                .map(|(n, ((kind, parent), data))| (i64::try_from(n).unwrap_or(i64::MAX), i64::from(kind), parent, data))
                .collect();
            let chain = super::chain_from_rows(BACKEND, start, rows)?;
            if last || !super::chain_continues(&chain) {
                return Ok(chain);
            }
            let rows: Vec<ObjectRow> = sqlx::query_as(
                "SELECT id, kind, parent, data FROM panproto_objects WHERE repo = $1 AND kind = $2",
            )
            .bind(repo)
            .bind(ObjectKind::Commit.code())
            .fetch_all(&mut *conn)
            .await
            .map_err(self.db.err())?;
            let rows = rows.into_iter().map(|(id, kind, parent, data)| (id, i64::from(kind), parent, data)).collect();
            super::continue_chain(BACKEND, chain, rows, limit)
        })
    }
}
