//! Reaching the server: the runtime, connecting, the idle connections, the
//! bound on every round trip, the transaction every write runs in (every
//! call, behind a pooler in transaction mode), the statements each call
//! makes, and the tables checked on open.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use panproto_core::vcs::store::STORE_FORMAT;
use panproto_core::{StoreError, StoreErrorKind, VcsError};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection, PgRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{AssertSqlSafe, Connection, FromRow, Postgres, SqlSafeStr, Transaction};
use tokio::runtime::Runtime;

use super::BACKEND;
use super::error::store_error;
use super::url::{Limits, PoolMode, Target};

/// The most idle connections one opened store keeps.
pub const MAX_IDLE_CONNECTIONS: usize = 4;

/// An idle connection older than this is pinged before it is used.
pub const PING_IDLE_AFTER: Duration = Duration::from_secs(30);

/// How long the client waits for an answer beyond `statement_timeout`
/// before it gives up on the server: by then the server would have
/// cancelled the statement itself, so silence means it is frozen or gone.
pub const REPLY_GRACE: Duration = Duration::from_secs(2);

/// The advisory lock guarding table creation and upgrades ("panproto" in ASCII).
pub(super) const SCHEMA_LOCK: i64 = 0x7061_6e70_726f_746f;

/// The tables, created idempotently in one transaction.
const SCHEMA: &str = include_str!("schema.sql");

/// Seconds or milliseconds, whichever reads better.
pub(super) fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// What one opened database shares between clones of a store and
/// [`PostgresStore::with_name`](super::PostgresStore::with_name).
pub(super) struct Db {
    /// Idle connections, most recently used last, with when they went idle.
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    options: PgConnectOptions,
    /// `sslmode=allow`'s second attempt, with TLS.
    fallback: Option<PgConnectOptions>,
    /// `None` only while being dropped.
    rt: Option<Runtime>,
    pub limits: Limits,
    pool: PoolMode,
    /// [`Limits::begin_sql`], built once.
    begin: Arc<str>,
    /// [`Limits::session_sql`], built once; `None` behind a pooler in
    /// transaction mode, where a session setting would outlive the call.
    session: Option<Arc<str>>,
    /// `postgresql://user@host:port/db`, without the password.
    pub location: String,
    /// `host:port`, named in errors about reaching the server.
    pub server: String,
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

fn nested_runtime(what: &str) -> StoreError {
    StoreError::new(
        BACKEND,
        StoreErrorKind::Database,
        format!(
            "the postgres store blocks; {what} it outside an async runtime (e.g. in spawn_blocking)"
        ),
    )
}

/// Whether an error means the connection can no longer be trusted: the
/// server could not be reached, or the client stopped waiting in the middle
/// of a round trip (a server-side timeout carries its SQLSTATE and leaves
/// the connection usable).
pub(super) trait Broken {
    fn broken(&self) -> bool;
}

impl Broken for StoreError {
    fn broken(&self) -> bool {
        self.kind == StoreErrorKind::Unavailable
            || (self.kind == StoreErrorKind::Timeout && self.code.is_none())
    }
}

impl Broken for VcsError {
    fn broken(&self) -> bool {
        matches!(self, VcsError::Store(e) if e.broken())
    }
}

impl Db {
    /// Parses `url`, starts the runtime, connects, and checks (or, with
    /// `create`, makes) the tables.
    pub fn open(url: &str, create: bool) -> Result<Self, VcsError> {
        let Target {
            options,
            fallback,
            limits,
            pool,
            location,
            server,
        } = Target::parse(url)?;
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(nested_runtime("open").into());
        }
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
        let begin = Arc::from(limits.begin_sql());
        let session = (pool == PoolMode::Session).then(|| Arc::from(limits.session_sql()));
        let db = Self {
            idle: Mutex::new(Vec::new()),
            options,
            fallback,
            rt: Some(rt),
            limits,
            pool,
            begin,
            session,
            location,
            server,
        };
        db.run(async |conn: &mut PgConnection| db.ensure_tables(conn, create).await)?;
        Ok(db)
    }

    /// Runs `f` to completion on the store's runtime.
    fn block_on<T, E: From<StoreError>>(
        &self,
        f: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(nested_runtime("call").into());
        }
        match &self.rt {
            Some(rt) => rt.block_on(f),
            None => Err(closed().into()),
        }
    }

    /// Connects within `connect_timeout`, naming the server when it cannot
    /// be reached; where a connection is one server session, sets the
    /// limits on it (see [`Limits::session_sql`]).
    async fn connect(&self) -> Result<PgConnection, StoreError> {
        let connecting = async {
            let first = PgConnection::connect_with(&self.options).await;
            let mut conn = match (first, &self.fallback) {
                // sslmode=allow: the server refused a connection without
                // TLS (pg_hba.conf's hostssl), so try with it, as libpq does.
                (Err(sqlx::Error::Database(e)), Some(tls))
                    if e.code().is_some_and(|c| c.starts_with("28")) =>
                {
                    PgConnection::connect_with(tls).await
                }
                (first, _) => first,
            }?;
            if let Some(session) = &self.session {
                sqlx::raw_sql(AssertSqlSafe(Arc::clone(session)))
                    .execute(&mut conn)
                    .await?;
            }
            Ok(conn)
        };
        let Some(limit) = self.limits.connect else {
            return connecting.await.map_err(|e| self.error(e));
        };
        tokio::time::timeout(limit, connecting)
            .await
            .map_err(|_| {
                StoreError::new(
                    BACKEND,
                    StoreErrorKind::Timeout,
                    format!(
                        "cannot reach PostgreSQL at {}: no answer within {} (connect_timeout)",
                        self.server,
                        show(limit)
                    ),
                )
            })?
            .map_err(|e| self.error(e))
    }

    fn idle(&self) -> MutexGuard<'_, Vec<(PgConnection, Instant)>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An idle connection, checked if it idled long, or a new one.
    async fn take(&self) -> Result<PgConnection, StoreError> {
        loop {
            let next = self.idle().pop();
            let Some((mut conn, since)) = next else {
                return self.connect().await;
            };
            if since.elapsed() < PING_IDLE_AFTER
                || self
                    .round_trip("checking an idle connection", conn.ping())
                    .await
                    .is_ok()
            {
                return Ok(conn);
            }
            // The server closed it meanwhile (or did not answer): drop it
            // and try the next.
        }
    }

    fn give_back(&self, conn: PgConnection) {
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE_CONNECTIONS {
            idle.push((conn, Instant::now()));
        }
    }

    /// Runs `f` with a connection to completion on the store's runtime;
    /// behind a pooler in transaction mode, inside one transaction (see
    /// [`PoolMode::Transaction`]).
    pub fn run<T, E>(&self, f: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + Broken,
    {
        self.block_on(async {
            let mut conn = self.take().await?;
            let out = match self.pool {
                PoolMode::Session => f(&mut conn).await,
                PoolMode::Transaction => self.transaction(&mut conn, f).await,
            };
            match &out {
                Err(e) if e.broken() => drop(conn),
                _ => self.give_back(conn),
            }
            out
        })
    }

    /// Maps a sqlx error, naming this server and its limits.
    pub fn error(&self, e: sqlx::Error) -> StoreError {
        store_error(e, &self.server, self.options.get_username(), &self.limits)
    }

    /// Awaits one round trip to the server (`what` it does, for the error)
    /// for at most [`Limits::reply`], so a frozen server or a dead network
    /// ends in [`StoreErrorKind::Timeout`] instead of blocking for ever.
    /// The connection is then mid-message: the error marks it broken.
    pub async fn round_trip<T>(
        &self,
        what: &str,
        trip: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, StoreError> {
        let Some(limit) = self.limits.reply() else {
            return trip.await.map_err(|e| self.error(e));
        };
        match tokio::time::timeout(limit, trip).await {
            Ok(out) => out.map_err(|e| self.error(e)),
            Err(_) => Err(StoreError::new(
                BACKEND,
                StoreErrorKind::Timeout,
                format!(
                    "no answer from PostgreSQL at {} within {} while {what} (statement_timeout {} \
                     plus {}): the server may be frozen or unreachable, or the statement waited \
                     for a lock; the connection was dropped",
                    self.server,
                    show(limit),
                    show(limit.saturating_sub(REPLY_GRACE)),
                    show(REPLY_GRACE),
                ),
            )),
        }
    }

    /// Opens a write transaction whose statements obey the limits: `BEGIN`
    /// and `SET LOCAL statement_timeout, lock_timeout` in one round trip.
    /// `SET LOCAL` ends with the transaction, so the connection carries no
    /// session state and works behind a pooler in transaction mode. Inside
    /// the transaction a call runs in behind such a pooler (already under
    /// the limits), a savepoint.
    pub async fn begin<'c>(
        &self,
        conn: &'c mut PgConnection,
    ) -> Result<Transaction<'c, Postgres>, StoreError> {
        if conn.is_in_transaction() {
            return self.round_trip("starting a savepoint", conn.begin()).await;
        }
        let sql = AssertSqlSafe(Arc::clone(&self.begin));
        self.round_trip("starting a transaction", conn.begin_with(sql))
            .await
    }

    /// Runs `body` in a transaction from [`Db::begin`]: commits if it
    /// succeeds, rolls back if not.
    pub async fn transaction<T, E>(
        &self,
        conn: &mut PgConnection,
        body: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError> + Broken,
    {
        let mut tx = self.begin(conn).await?;
        match body(&mut *tx).await {
            Ok(out) => {
                self.round_trip("committing", tx.commit()).await?;
                Ok(out)
            }
            Err(e) if e.broken() => Err(e),
            Err(e) => {
                self.round_trip("rolling back", tx.rollback()).await?;
                Err(e)
            }
        }
    }

    /// Whether statements are prepared under a name once per connection and
    /// reused: not behind a pooler in transaction mode, where the next
    /// transaction may find another server session without them.
    fn prepares(&self) -> bool {
        self.pool == PoolMode::Session
    }

    /// A statement ([`sqlx::query`]) prepared as [`Db::prepares`] says.
    pub fn query<'q>(&self, sql: impl SqlSafeStr) -> Query<'q, Postgres, PgArguments> {
        sqlx::query(sql).persistent(self.prepares())
    }

    /// A statement returning rows ([`sqlx::query_as`]), prepared as
    /// [`Db::prepares`] says.
    pub fn query_as<'q, O>(&self, sql: impl SqlSafeStr) -> QueryAs<'q, Postgres, O, PgArguments>
    where
        O: for<'r> FromRow<'r, PgRow>,
    {
        sqlx::query_as(sql).persistent(self.prepares())
    }

    /// A statement returning one column ([`sqlx::query_scalar`]), prepared
    /// as [`Db::prepares`] says.
    pub fn query_scalar<'q, O>(
        &self,
        sql: impl SqlSafeStr,
    ) -> QueryScalar<'q, Postgres, O, PgArguments>
    where
        (O,): for<'r> FromRow<'r, PgRow>,
    {
        sqlx::query_scalar(sql).persistent(self.prepares())
    }

    /// Checks the database holds panproto's tables in a format this build
    /// reads, creating them first if `create` and they are missing, records
    /// the current format over an older one, and gives commits their depths
    /// (once per database; see [`super::depth`]).
    async fn ensure_tables(&self, conn: &mut PgConnection, create: bool) -> Result<(), VcsError> {
        let exists: bool = self
            .round_trip(
                "looking for panproto's tables",
                self.query_scalar("SELECT to_regclass('panproto_meta') IS NOT NULL")
                    .fetch_one(&mut *conn),
            )
            .await?;
        if !exists {
            if !create {
                return Err(VcsError::NotFound(format!(
                    "panproto store in {} (the database has no panproto tables yet)",
                    self.location
                )));
            }
            self.transaction(conn, async |tx: &mut PgConnection| {
                let steps = self
                    .query("SELECT pg_advisory_xact_lock($1)")
                    .bind(SCHEMA_LOCK)
                    .execute(&mut *tx);
                self.round_trip("waiting to create the tables", steps)
                    .await?;
                self.round_trip(
                    "creating the tables",
                    sqlx::raw_sql(SCHEMA).execute(&mut *tx),
                )
                .await?;
                let format = self
                    .query(
                        "INSERT INTO panproto_meta (key, value) VALUES ('format', $1) \
                     ON CONFLICT (key) DO NOTHING",
                    )
                    .bind(STORE_FORMAT.to_string())
                    .execute(&mut *tx);
                self.round_trip("recording the format", format).await?;
                Ok::<_, StoreError>(())
            })
            .await?;
        }
        let format: Option<String> = self
            .round_trip(
                "reading the store format",
                self.query_scalar("SELECT value FROM panproto_meta WHERE key = 'format'")
                    .fetch_optional(&mut *conn),
            )
            .await
            .map_err(|mut e| {
                if e.kind == StoreErrorKind::Database
                    && e.code.as_deref() != Some(super::error::INSUFFICIENT_PRIVILEGE)
                {
                    e.kind = StoreErrorKind::NotAStore;
                    e.message = format!(
                        "{} is not a panproto store: its panproto_meta table is not panproto's ({})",
                        self.location, e.message
                    );
                }
                e
            })?;
        let recorded = format.as_deref();
        let found = super::super::check_recorded_format(
            BACKEND,
            &self.location,
            "panproto_meta",
            recorded,
        )?;
        if found < STORE_FORMAT {
            // 1 -> 2: new object kinds only; record the new format.
            self.transaction(conn, async |tx: &mut PgConnection| {
                let upgrade = self
                    .query(
                        "UPDATE panproto_meta SET value = $1 WHERE key = 'format' AND value = $2",
                    )
                    .bind(STORE_FORMAT.to_string())
                    .bind(recorded)
                    .execute(&mut *tx);
                self.round_trip("upgrading the store format", upgrade)
                    .await?;
                Ok::<_, StoreError>(())
            })
            .await?;
        }
        super::depth::ensure(self, conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_durations() {
        assert_eq!(show(Duration::from_secs(3)), "3 s");
        assert_eq!(show(Duration::from_millis(1500)), "1500 ms");
    }
}
