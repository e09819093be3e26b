//! Reaching the server: the URL and the limits it sets, the runtime,
//! connecting, the idle connections, the bound on every round trip, the
//! transaction every write runs in, and the tables checked on open.

use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use panproto_core::vcs::store::STORE_FORMAT;
use panproto_core::{StoreError, StoreErrorKind, VcsError};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection, Postgres, Transaction};
use tokio::runtime::Runtime;

use super::BACKEND;
use super::error::store_error;

/// The most idle connections one opened store keeps.
pub const MAX_IDLE_CONNECTIONS: usize = 4;

/// An idle connection older than this is pinged before it is used.
pub const PING_IDLE_AFTER: Duration = Duration::from_secs(30);

/// How long the client waits for an answer beyond `statement_timeout`
/// before it gives up on the server: by then the server would have
/// cancelled the statement itself, so silence means it is frozen or gone.
pub const REPLY_GRACE: Duration = Duration::from_secs(2);

/// The advisory lock guarding table creation ("panproto" in ASCII).
const SCHEMA_LOCK: i64 = 0x7061_6e70_726f_746f;

/// The tables, created idempotently in one transaction.
const SCHEMA: &str = include_str!("schema.sql");

/// How long the store waits, set by the URL's query parameters (see the
/// module docs of [`super`]). `None` is no limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Limits {
    /// `connect_timeout`, in seconds as in libpq: how long connecting waits.
    pub connect: Option<Duration>,
    /// `statement_timeout`, in milliseconds: how long one statement of a
    /// write may run on the server; with [`REPLY_GRACE`], how long the
    /// client waits for any answer.
    pub statement: Option<Duration>,
    /// `lock_timeout`, in milliseconds: how long a write waits for a lock
    /// another session holds.
    pub lock: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect: Some(Duration::from_secs(10)),
            statement: Some(Duration::from_secs(30)),
            lock: Some(Duration::from_secs(5)),
        }
    }
}

impl Limits {
    /// The URL's own limits, and the URL without them (for sqlx, which
    /// would ignore them with a warning). A limit given twice takes the
    /// last value, as libpq does.
    ///
    /// # Errors
    /// [`StoreErrorKind::BadLocation`] naming the parameter whose value is
    /// not a whole number.
    pub fn from_url(url: &str) -> Result<(Self, String), StoreError> {
        const SECONDS: fn(u64) -> Duration = Duration::from_secs;
        const MILLISECONDS: fn(u64) -> Duration = Duration::from_millis;
        let mut limits = Self::default();
        let (head, fragment) = match url.split_once('#') {
            Some((head, fragment)) => (head, Some(fragment)),
            None => (url, None),
        };
        let Some((base, query)) = head.split_once('?') else {
            return Ok((limits, url.to_owned()));
        };
        let mut kept = Vec::new();
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (slot, unit) = match key {
                "connect_timeout" => (&mut limits.connect, SECONDS),
                "statement_timeout" => (&mut limits.statement, MILLISECONDS),
                "lock_timeout" => (&mut limits.lock, MILLISECONDS),
                _ => {
                    kept.push(pair);
                    continue;
                }
            };
            // PostgreSQL takes at most i32::MAX milliseconds (24 days).
            let n = value
                .parse::<u32>()
                .ok()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| {
                    let unit = if key == "connect_timeout" {
                        "seconds"
                    } else {
                        "milliseconds"
                    };
                    StoreError::new(
                        BACKEND,
                        StoreErrorKind::BadLocation,
                        format!(
                            "the PostgreSQL URL sets {key}={value:?}, which is not a whole number \
                             of {unit} from 0 (no limit) to {}",
                            i32::MAX
                        ),
                    )
                })?;
            let n = u64::from(n);
            *slot = (n > 0).then(|| unit(n));
        }
        let mut rest = base.to_owned();
        if !kept.is_empty() {
            rest.push('?');
            rest.push_str(&kept.join("&"));
        }
        if let Some(fragment) = fragment {
            rest.push('#');
            rest.push_str(fragment);
        }
        Ok((limits, rest))
    }

    /// How long the client waits for the answer to one round trip.
    pub fn reply(&self) -> Option<Duration> {
        self.statement.map(|s| s + REPLY_GRACE)
    }

    /// The statement that opens every write transaction: `BEGIN` and the
    /// limits as `SET LOCAL`, sent as one simple query (one round trip).
    fn begin_sql(&self) -> String {
        let ms = |d: Option<Duration>| d.map_or(0, |d| d.as_millis());
        format!(
            "BEGIN; SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {}",
            ms(self.statement),
            ms(self.lock)
        )
    }
}

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
    /// `None` only while being dropped.
    rt: Option<Runtime>,
    pub limits: Limits,
    /// [`Limits::begin_sql`], built once.
    begin: Arc<str>,
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
        let bad = |e: &dyn std::fmt::Display| {
            StoreError::new(
                BACKEND,
                StoreErrorKind::BadLocation,
                format!(
                    "{} is not a usable PostgreSQL URL: {e}",
                    super::super::redact_url(url)
                ),
            )
        };
        let (limits, rest) = Limits::from_url(url)?;
        let options = PgConnectOptions::from_str(&rest).map_err(|e| bad(&e))?;
        let server = format!("{}:{}", options.get_host(), options.get_port());
        let database = options.get_database().unwrap_or(options.get_username());
        let location = format!(
            "postgresql://{}@{server}/{database}",
            options.get_username()
        );
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
        let db = Self {
            idle: Mutex::new(Vec::new()),
            options,
            rt: Some(rt),
            limits,
            begin,
            location,
            server,
        };
        let conn = db.block_on(async {
            let mut conn = db.connect().await?;
            match db.ensure_tables(&mut conn, create).await {
                Ok(()) => Ok(conn),
                Err(e) => {
                    let _ = tokio::time::timeout(REPLY_GRACE, conn.close()).await;
                    Err(e)
                }
            }
        })?;
        db.give_back(conn);
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
    /// be reached.
    async fn connect(&self) -> Result<PgConnection, StoreError> {
        let connecting = PgConnection::connect_with(&self.options);
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

    /// Runs `f` with a connection to completion on the store's runtime.
    pub fn run<T, E>(&self, f: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + Broken,
    {
        self.block_on(async {
            let mut conn = self.take().await?;
            let out = f(&mut conn).await;
            match &out {
                Err(e) if e.broken() => drop(conn),
                _ => self.give_back(conn),
            }
            out
        })
    }

    /// Maps a sqlx error, naming this server and its limits.
    pub fn error(&self, e: sqlx::Error) -> StoreError {
        store_error(e, &self.server, &self.limits)
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
    /// session state and works behind a pooler in transaction mode.
    pub async fn begin<'c>(
        &self,
        conn: &'c mut PgConnection,
    ) -> Result<Transaction<'c, Postgres>, StoreError> {
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

    /// Checks the database holds panproto's tables in a format this build
    /// reads, creating them first if `create` and they are missing, and
    /// records the current format over an older one.
    async fn ensure_tables(&self, conn: &mut PgConnection, create: bool) -> Result<(), VcsError> {
        let exists: bool = self
            .round_trip(
                "looking for panproto's tables",
                sqlx::query_scalar("SELECT to_regclass('panproto_meta') IS NOT NULL")
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
                let steps = sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(SCHEMA_LOCK)
                    .execute(&mut *tx);
                self.round_trip("waiting to create the tables", steps)
                    .await?;
                self.round_trip(
                    "creating the tables",
                    sqlx::raw_sql(SCHEMA).execute(&mut *tx),
                )
                .await?;
                let format = sqlx::query(
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
                sqlx::query_scalar("SELECT value FROM panproto_meta WHERE key = 'format'")
                    .fetch_optional(&mut *conn),
            )
            .await
            .map_err(|mut e| {
                if e.kind == StoreErrorKind::Database {
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
                let upgrade = sqlx::query(
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
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> (Limits, String) {
        Limits::from_url(url).unwrap()
    }

    #[test]
    fn defaults_without_parameters() {
        let (limits, rest) = parse("postgresql://u@h/db");
        assert_eq!(limits, Limits::default());
        assert_eq!(rest, "postgresql://u@h/db");
        assert_eq!(limits.reply(), Some(Duration::from_secs(32)));
    }

    #[test]
    fn limits_are_taken_out_of_the_url() {
        let (limits, rest) = parse(
            "postgresql://u@h/db?sslmode=disable&statement_timeout=1500&lock_timeout=0\
             &connect_timeout=3&options[search_path]=s#frag",
        );
        assert_eq!(limits.connect, Some(Duration::from_secs(3)));
        assert_eq!(limits.statement, Some(Duration::from_millis(1500)));
        assert_eq!(limits.lock, None);
        assert_eq!(
            rest,
            "postgresql://u@h/db?sslmode=disable&options[search_path]=s#frag"
        );
        assert_eq!(
            limits.begin_sql(),
            "BEGIN; SET LOCAL statement_timeout = 1500; SET LOCAL lock_timeout = 0"
        );
        let (limits, rest) = parse("postgresql://h/db?statement_timeout=0");
        assert_eq!(rest, "postgresql://h/db");
        assert_eq!((limits.statement, limits.reply()), (None, None));
    }

    #[test]
    fn a_bad_limit_is_a_bad_location() {
        for url in [
            "postgresql://h/db?lock_timeout=5s",
            "postgresql://h/db?statement_timeout=-1",
            "postgresql://h/db?connect_timeout",
            "postgresql://h/db?statement_timeout=4294967296",
            "postgresql://h/db?lock_timeout=2147483648",
        ] {
            let err = Limits::from_url(url).unwrap_err();
            assert_eq!(err.kind, StoreErrorKind::BadLocation, "{url}");
            assert!(err.message.contains("whole number"), "{err}");
        }
    }

    #[test]
    fn shows_durations() {
        assert_eq!(show(Duration::from_secs(3)), "3 s");
        assert_eq!(show(Duration::from_millis(1500)), "1500 ms");
    }
}
