//! What a PostgreSQL URL asks for, read as libpq reads it.
//!
//! sqlx parses the URL and fills in what it leaves out from libpq's
//! environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
//! `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT`, `PGAPPNAME`) and from the
//! password file (`PGPASSFILE`, else `~/.pgpass`, skipped unless only its
//! owner may read it, as libpq does). Before that, this module takes out of
//! the URL what sqlx does not know, or reads otherwise than libpq:
//!
//! - the limits on every wait (`connect_timeout`, `statement_timeout`,
//!   `lock_timeout`): [`Limits`];
//! - `pool_mode`, what a pooler between us and the server keeps: [`PoolMode`];
//! - `sslrootcert`, and what `sslmode` then checks: libpq's defaults, which
//!   sqlx lacks (a root certificate at `~/.postgresql/root.crt`;
//!   `sslmode=require` checking the chain when a root certificate exists;
//!   `allow` trying without TLS first, then with it). See [`Target::parse`].

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use panproto_core::{StoreError, StoreErrorKind};
use sqlx::postgres::{PgConnectOptions, PgSslMode};

use super::BACKEND;

/// How long the store waits, set by the URL's query parameters (see the
/// module docs of [`super`]). `None` is no limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Limits {
    /// `connect_timeout`, in seconds as in libpq: how long connecting waits.
    pub connect: Option<Duration>,
    /// `statement_timeout`, in milliseconds: how long one statement of a
    /// write may run on the server; with
    /// [`REPLY_GRACE`](super::connection::REPLY_GRACE), how long the client
    /// waits for any answer.
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
    /// How long the client waits for the answer to one round trip.
    pub fn reply(&self) -> Option<Duration> {
        self.statement.map(|s| s + super::connection::REPLY_GRACE)
    }

    /// The statement that opens every write transaction: `BEGIN` and the
    /// limits as `SET LOCAL`, sent as one simple query (one round trip).
    pub fn begin_sql(&self) -> String {
        format!("BEGIN; {}", self.settings("SET LOCAL"))
    }

    /// The limits as session settings, sent once when a connection opens
    /// where a connection is one server session ([`PoolMode::Session`]), so
    /// a single statement obeys them without a transaction around it.
    pub fn session_sql(&self) -> String {
        self.settings("SET")
    }

    /// `statement_timeout` and `lock_timeout` set by `set` (`SET` or `SET LOCAL`).
    fn settings(&self, set: &str) -> String {
        let ms = |d: Option<Duration>| d.map_or(0, |d| d.as_millis());
        format!(
            "{set} statement_timeout = {}; {set} lock_timeout = {}",
            ms(self.statement),
            ms(self.lock)
        )
    }

    /// Sets the limit `key` from its URL value; `false` when `key` is not
    /// one of the limits.
    fn set(&mut self, key: &str, value: &str) -> Result<bool, StoreError> {
        const SECONDS: fn(u64) -> Duration = Duration::from_secs;
        const MILLISECONDS: fn(u64) -> Duration = Duration::from_millis;
        let (slot, unit, unit_name) = match key {
            "connect_timeout" => (&mut self.connect, SECONDS, "seconds"),
            "statement_timeout" => (&mut self.statement, MILLISECONDS, "milliseconds"),
            "lock_timeout" => (&mut self.lock, MILLISECONDS, "milliseconds"),
            _ => return Ok(false),
        };
        // PostgreSQL takes at most i32::MAX milliseconds (24 days).
        let n = value
            .parse::<u32>()
            .ok()
            .filter(|n| i32::try_from(*n).is_ok())
            .ok_or_else(|| {
                bad_location(format!(
                    "the PostgreSQL URL sets {key}={value:?}, which is not a whole number of \
                     {unit_name} from 0 (no limit) to {}",
                    i32::MAX
                ))
            })?;
        let n = u64::from(n);
        *slot = (n > 0).then(|| unit(n));
        Ok(true)
    }
}

/// What a connection pooler between panproto and the server keeps from one
/// transaction to the next (the URL's `pool_mode`, named and valued as
/// PgBouncer's own setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum PoolMode {
    /// A connection is one server session from start to end: no pooler, or
    /// one in session mode. Statements are prepared once per connection and
    /// reused, and reads are single autocommit statements.
    #[default]
    Session,
    /// Each transaction may run on another server session (PgBouncer's
    /// `pool_mode = transaction`). Nothing may outlive a transaction, so
    /// every call runs inside one (reads too) and no statement is prepared
    /// under a name: each costs one round trip more.
    Transaction,
}

impl FromStr for PoolMode {
    type Err = StoreError;

    fn from_str(value: &str) -> Result<Self, StoreError> {
        match value {
            "session" => Ok(Self::Session),
            "transaction" => Ok(Self::Transaction),
            "statement" => Err(bad_location(
                "the PostgreSQL URL sets pool_mode=statement, but a pooler in statement mode \
                 cannot run transactions, and every panproto write is one: run the pooler in \
                 transaction or session mode (PgBouncer's pool_mode)"
                    .to_owned(),
            )),
            other => Err(bad_location(format!(
                "the PostgreSQL URL sets pool_mode={other:?}; it takes session (the default: no \
                 pooler, or one in session mode) or transaction (PgBouncer's pool_mode = \
                 transaction)"
            ))),
        }
    }
}

/// A parsed URL: how to connect, and what the store does on each connection.
pub(super) struct Target {
    /// sqlx's options for the first attempt.
    pub options: PgConnectOptions,
    /// The second attempt of `sslmode=allow` (with TLS), after the server
    /// refused one without.
    pub fallback: Option<PgConnectOptions>,
    pub limits: Limits,
    pub pool: PoolMode,
    /// `postgresql://user@host:port/db`: never the password.
    pub location: String,
    /// `host:port`, named in errors about reaching the server.
    pub server: String,
}

impl Target {
    /// Reads `url` and the environment as libpq would; see the module docs.
    ///
    /// # Errors
    /// [`StoreErrorKind::BadLocation`] for a URL that does not parse, a limit
    /// that is not a whole number, an unknown `pool_mode`, or a certificate
    /// check that cannot be made (`verify-ca`/`verify-full` without a root
    /// certificate, or one that cannot be read). No message holds the
    /// password.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let mut limits = Limits::default();
        let mut pool = PoolMode::default();
        let mut root_cert = None;
        let rest = take_parameters(url, |key, value| {
            if limits.set(key, value)? {
                return Ok(true);
            }
            match key {
                "pool_mode" => pool = value.parse()?,
                "sslrootcert" => root_cert = Some(value.to_owned()),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let options = PgConnectOptions::from_str(&rest).map_err(|e| {
            bad_location(format!(
                "{} is not a usable PostgreSQL URL: {e}",
                super::super::redact_url(url)
            ))
        })?;
        let server = format!("{}:{}", options.get_host(), options.get_port());
        let database = options.get_database().unwrap_or(options.get_username());
        let location = format!(
            "postgresql://{}@{server}/{database}",
            options.get_username()
        );
        let options = fixed_options(options, pool);
        let (options, fallback) = tls(options, root_cert)?;
        Ok(Self {
            options,
            fallback,
            limits,
            pool,
            location,
            server,
        })
    }
}

/// What every connection carries whatever the URL says.
fn fixed_options(mut options: PgConnectOptions, pool: PoolMode) -> PgConnectOptions {
    // A startup parameter PgBouncer does not track makes it refuse the
    // connection ("unsupported startup parameter"); panproto reads no
    // floating-point numbers, so sqlx's extra_float_digits is not needed.
    options = options.extra_float_digits(None);
    if options.get_application_name().is_none() {
        // Names panproto's sessions in pg_stat_activity.
        options = options.application_name("panproto");
    }
    if pool == PoolMode::Transaction {
        options = options.statement_cache_capacity(0);
    }
    options
}

/// libpq's root certificate when the URL names none.
fn default_root_cert() -> Option<PathBuf> {
    #[allow(deprecated)] // home_dir is right on Unix since Rust 1.85.
    std::env::home_dir().map(|home| home.join(".postgresql").join("root.crt"))
}

/// Applies libpq's table of SSL modes (its "SSL Mode Descriptions") to the
/// options sqlx parsed: the root certificate is the URL's `sslrootcert`,
/// else `PGSSLROOTCERT`, else `~/.postgresql/root.crt`; `require` checks
/// the chain when that file exists (as `verify-ca`); `verify-ca` and
/// `verify-full` need it. Returns the options and `allow`'s second attempt.
fn tls(
    options: PgConnectOptions,
    in_url: Option<String>,
) -> Result<(PgConnectOptions, Option<PgConnectOptions>), StoreError> {
    let mode = options.get_ssl_mode();
    let named = in_url.or_else(|| {
        std::env::var("PGSSLROOTCERT")
            .ok()
            .filter(|v| !v.is_empty())
    });
    if named.as_deref() == Some("system") {
        return Err(bad_location(
            "sslrootcert=system (the operating system's roots) is not supported; name the file \
             holding the certificate of the authority that signed the server's"
                .to_owned(),
        ));
    }
    let root = named.map(PathBuf::from).or_else(default_root_cert);
    let checks = match mode {
        PgSslMode::Disable | PgSslMode::Prefer => return Ok((options, None)),
        PgSslMode::Allow => {
            // libpq: without TLS first; with it (unchecked) if refused.
            let plain = options.clone().ssl_mode(PgSslMode::Disable);
            return Ok((plain, Some(options.ssl_mode(PgSslMode::Require))));
        }
        PgSslMode::Require => match root.as_ref().filter(|r| r.is_file()) {
            Some(_) => PgSslMode::VerifyCa,
            None => return Ok((options, None)),
        },
        PgSslMode::VerifyCa | PgSslMode::VerifyFull => mode,
    };
    let name = match (mode, checks) {
        (PgSslMode::Require, _) => "require (with a root certificate, as verify-ca)",
        (_, PgSslMode::VerifyFull) => "verify-full",
        _ => "verify-ca",
    };
    let Some(root) = root else {
        return Err(bad_location(format!(
            "sslmode={name} checks the server's certificate, which needs the certificate of the \
             authority that signed it: set sslrootcert=FILE in the URL (or PGSSLROOTCERT); no \
             home directory to look in for ~/.postgresql/root.crt"
        )));
    };
    let pem = std::fs::read(&root).map_err(|e| {
        bad_location(format!(
            "sslmode={name} checks the server's certificate against the root certificate {}, \
             which cannot be read ({e}): set sslrootcert=FILE in the URL (or PGSSLROOTCERT), or \
             use sslmode=require to encrypt without checking",
            root.display()
        ))
    })?;
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(bad_location(format!(
            "the root certificate {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            root.display()
        )));
    }
    Ok((options.ssl_mode(checks).ssl_root_cert_from_pem(pem), None))
}

/// The mode's name in a URL (sqlx's type has no `PartialEq`).
#[cfg(test)]
fn mode_name(mode: PgSslMode) -> &'static str {
    match mode {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    }
}

/// `url` without the query parameters `take` claims (it returns `true` for
/// those; the value is percent-decoded), for sqlx, which would ignore them
/// with a warning. A parameter given twice takes the last value, as in
/// libpq.
fn take_parameters(
    url: &str,
    mut take: impl FnMut(&str, &str) -> Result<bool, StoreError>,
) -> Result<String, StoreError> {
    let (head, fragment) = match url.split_once('#') {
        Some((head, fragment)) => (head, Some(fragment)),
        None => (url, None),
    };
    let Some((base, query)) = head.split_once('?') else {
        return Ok(url.to_owned());
    };
    let mut kept = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
        if !take(key, &decoded)? {
            kept.push(pair);
        }
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
    Ok(rest)
}

fn bad_location(message: String) -> StoreError {
    StoreError::new(BACKEND, StoreErrorKind::BadLocation, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    fn error(url: &str) -> StoreError {
        match Target::parse(url) {
            Ok(_) => panic!("{url} should not parse"),
            Err(e) => e,
        }
    }

    #[test]
    fn defaults_without_parameters() {
        let target = parse("postgresql://u@h/db");
        assert_eq!(target.limits, Limits::default());
        assert_eq!(target.pool, PoolMode::Session);
        assert_eq!(target.location, "postgresql://u@h:5432/db");
        assert_eq!(target.server, "h:5432");
        assert_eq!(target.limits.reply(), Some(Duration::from_secs(32)));
        assert_eq!(target.options.get_application_name(), Some("panproto"));
    }

    #[test]
    fn limits_are_taken_out_of_the_url() {
        let mut limits = Limits::default();
        let rest = take_parameters(
            "postgresql://u@h/db?sslmode=disable&statement_timeout=1500&lock_timeout=0\
             &connect_timeout=3&options[search_path]=s#frag",
            |k, v| limits.set(k, v),
        )
        .unwrap();
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
        assert_eq!(
            limits.session_sql(),
            "SET statement_timeout = 1500; SET lock_timeout = 0"
        );
        let target = parse("postgresql://h/db?statement_timeout=0");
        assert_eq!(
            (target.limits.statement, target.limits.reply()),
            (None, None)
        );
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
            let err = error(url);
            assert_eq!(err.kind, StoreErrorKind::BadLocation, "{url}");
            assert!(err.message.contains("whole number"), "{err}");
        }
    }

    #[test]
    fn pool_modes() {
        assert_eq!(
            parse("postgresql://h/db?pool_mode=transaction").pool,
            PoolMode::Transaction
        );
        assert_eq!(
            parse("postgresql://h/db?pool_mode=session").pool,
            PoolMode::Session
        );
        let err = error("postgresql://h/db?pool_mode=statement");
        assert!(err.message.contains("cannot run transactions"), "{err}");
        let err = error("postgresql://h/db?pool_mode=sometimes");
        assert!(err.message.contains("\"sometimes\""), "{err}");
    }

    #[test]
    fn ssl_modes_follow_libpq() {
        let mode = |url: &str| mode_name(parse(url).options.get_ssl_mode());
        assert_eq!(mode("postgresql://h/db?sslmode=disable"), "disable");
        assert_eq!(mode("postgresql://h/db?sslmode=prefer"), "prefer");
        let allow = parse("postgresql://h/db?sslmode=allow");
        assert_eq!(mode_name(allow.options.get_ssl_mode()), "disable");
        assert_eq!(
            allow.fallback.map(|f| mode_name(f.get_ssl_mode())),
            Some("require")
        );
        let dir = std::env::temp_dir().join(format!("panproto-url-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.crt");
        let require = format!(
            "postgresql://h/db?sslmode=require&sslrootcert={}",
            missing.display()
        );
        // require without a root certificate: encrypted, unchecked.
        assert_eq!(mode(&require), "require");
        let err = error(&format!(
            "postgresql://h/db?sslmode=verify-full&sslrootcert={}",
            missing.display()
        ));
        assert!(err.message.contains("missing.crt"), "{err}");
        assert!(err.message.contains("cannot be read"), "{err}");
        let not_pem = dir.join("not.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        let err = error(&format!(
            "postgresql://h/db?sslmode=verify-ca&sslrootcert={}",
            not_pem.display()
        ));
        assert!(err.message.contains("no PEM certificate"), "{err}");
        let err = error("postgresql://h/db?sslmode=verify-full&sslrootcert=system");
        assert!(err.message.contains("not supported"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_never_show_the_password() {
        let err = error("postgresql://u:hunter2@h/db?lock_timeout=x");
        assert!(!err.message.contains("hunter2"), "{err}");
        let err = error("postgresql://u:hunter2@h:notaport/db");
        assert!(!err.message.contains("hunter2"), "{err}");
        let target = parse("postgresql://u:hunter2@h/db?password=swordfish");
        assert!(!target.location.contains("hunter2"));
        assert!(!target.location.contains("swordfish"));
    }
}
