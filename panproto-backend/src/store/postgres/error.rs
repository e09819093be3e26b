//! PostgreSQL errors mapped onto [`StoreErrorKind`], keeping the SQLSTATE
//! in [`StoreError::code`] (like sqlx's `sqlx-postgres/src/error.rs`).

use panproto_core::{StoreError, StoreErrorKind};

use super::BACKEND;
use super::connection::show;
use super::url::Limits;

/// SQLSTATE `query_canceled`: a statement timeout, or a cancel request.
const QUERY_CANCELED: &str = "57014";
/// SQLSTATE `lock_not_available`: a lock timeout.
const LOCK_NOT_AVAILABLE: &str = "55P03";
/// SQLSTATE `character_not_in_repertoire`: text PostgreSQL cannot store (a NUL).
const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";

/// SQLSTATE `invalid_sql_statement_name`: a prepared statement the session
/// does not have.
const NO_SUCH_STATEMENT: &str = "26000";
/// SQLSTATE `duplicate_prepared_statement`.
const DUPLICATE_STATEMENT: &str = "42P05";
/// SQLSTATE `protocol_violation`: also PgBouncer's refusal of a startup
/// parameter it does not track.
const PROTOCOL_VIOLATION: &str = "08P01";
/// SQLSTATE `invalid_password`.
const INVALID_PASSWORD: &str = "28P01";
/// SQLSTATE `insufficient_privilege`.
pub(super) const INSUFFICIENT_PRIVILEGE: &str = "42501";

/// The kind for a SQLSTATE.
fn kind_of(sqlstate: &str) -> StoreErrorKind {
    if sqlstate == LOCK_NOT_AVAILABLE {
        return StoreErrorKind::Timeout;
    }
    match sqlstate.get(..2) {
        // connection_exception, invalid_authorization_specification,
        // invalid_catalog_name (no such database), operator_intervention
        // (the server is shutting down or starting up).
        Some("08" | "28" | "3D" | "57") => StoreErrorKind::Unavailable,
        // data_corrupted, index_corrupted.
        Some("XX") if sqlstate != "XX000" => StoreErrorKind::Corrupt,
        _ if sqlstate == "42P01" => StoreErrorKind::NotAStore,
        _ => StoreErrorKind::Database,
    }
}

/// Maps a sqlx error onto a [`StoreError`]; `server` is `host:port`, named
/// when the server cannot be reached, `user` the role, named when it lacks a
/// privilege, and `limits` are named when one ran out.
pub(super) fn store_error(
    err: sqlx::Error,
    server: &str,
    user: &str,
    limits: &Limits,
) -> StoreError {
    match err {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned());
            let mut kind = code.as_deref().map_or(StoreErrorKind::Database, kind_of);
            let limit = |d: Option<std::time::Duration>| d.map_or_else(|| "off".to_owned(), show);
            let message = match code.as_deref() {
                Some(QUERY_CANCELED) if db.message().contains("statement timeout") => {
                    kind = StoreErrorKind::Timeout;
                    format!(
                        "statement_timeout: the statement ran longer than {} and PostgreSQL \
                         cancelled it ({}); set statement_timeout=MS in the URL to change the limit",
                        limit(limits.statement),
                        db.message()
                    )
                }
                Some(LOCK_NOT_AVAILABLE) => format!(
                    "lock_timeout: the statement waited longer than {} for a lock another session \
                     holds, and PostgreSQL cancelled it ({}); set lock_timeout=MS in the URL to \
                     change the limit",
                    limit(limits.lock),
                    db.message()
                ),
                Some(NO_SUCH_STATEMENT | DUPLICATE_STATEMENT)
                    if db.message().contains("prepared statement") =>
                {
                    format!(
                        "the server session changed under the connection ({}): a connection \
                         pooler in transaction mode (PgBouncer's pool_mode = transaction) sits \
                         between panproto and PostgreSQL at {server}; add pool_mode=transaction \
                         to the URL so that no statement outlives its transaction",
                        db.message()
                    )
                }
                Some(PROTOCOL_VIOLATION)
                    if db.message().contains("unsupported startup parameter") =>
                {
                    format!(
                        "the connection pooler at {server} refused the connection ({}): remove \
                         that parameter from the URL (options=, options[..]=) or list it in \
                         PgBouncer's ignore_startup_parameters",
                        db.message()
                    )
                }
                Some(INVALID_PASSWORD) => format!(
                    "cannot use PostgreSQL at {server}: {}; the password comes from the URL, \
                     PGPASSWORD, or the first line of the password file (PGPASSFILE, else \
                     ~/.pgpass, which only its owner may read) matching \
                     host:port:database:user",
                    db.message()
                ),
                Some(INSUFFICIENT_PRIVILEGE) => format!(
                    "{}: panproto's tables in this database belong to another role; connect \
                     as that role, or have it grant this one their use (GRANT SELECT, INSERT, \
                     UPDATE, DELETE ON ALL TABLES IN SCHEMA .. TO {user}, and USAGE on their \
                     sequences)",
                    db.message()
                ),
                Some(CHARACTER_NOT_IN_REPERTOIRE) => format!(
                    "PostgreSQL cannot store this text (it holds a NUL byte or a character \
                     invalid in the database encoding): {}",
                    db.message()
                ),
                _ if kind == StoreErrorKind::Unavailable => {
                    format!("cannot use PostgreSQL at {server}: {}", db.message())
                }
                _ => db.message().to_owned(),
            };
            let err = StoreError::new(BACKEND, kind, message);
            match code {
                Some(code) => err.with_code(code),
                None => err,
            }
        }
        sqlx::Error::Io(e) => StoreError::new(
            BACKEND,
            StoreErrorKind::Unavailable,
            format!("cannot reach PostgreSQL at {server}: {e}"),
        ),
        sqlx::Error::Tls(e) => StoreError::new(
            BACKEND,
            StoreErrorKind::Unavailable,
            format!("cannot reach PostgreSQL at {server}: TLS failed: {e}"),
        ),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            StoreError::new(
                BACKEND,
                StoreErrorKind::Unavailable,
                format!("cannot reach PostgreSQL at {server}: {err}"),
            )
        }
        sqlx::Error::Configuration(e) => StoreError::new(
            BACKEND,
            StoreErrorKind::BadLocation,
            format!("the PostgreSQL URL is not usable: {e}"),
        ),
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreError::new(
            BACKEND,
            StoreErrorKind::Corrupt,
            format!("a stored value has the wrong type: {err}"),
        ),
        other => StoreError::new(BACKEND, StoreErrorKind::Database, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates() {
        assert_eq!(kind_of("08006"), StoreErrorKind::Unavailable);
        assert_eq!(kind_of("28P01"), StoreErrorKind::Unavailable);
        assert_eq!(kind_of("3D000"), StoreErrorKind::Unavailable);
        assert_eq!(kind_of("XX001"), StoreErrorKind::Corrupt);
        assert_eq!(kind_of("XX000"), StoreErrorKind::Database);
        assert_eq!(kind_of("42P01"), StoreErrorKind::NotAStore);
        assert_eq!(kind_of("23505"), StoreErrorKind::Database);
        assert_eq!(kind_of("55P03"), StoreErrorKind::Timeout);
        assert_eq!(kind_of("22021"), StoreErrorKind::Database);
        // A cancel request is the operator's: the server is not answering
        // for us. A statement timeout is told apart by its message.
        assert_eq!(kind_of("57014"), StoreErrorKind::Unavailable);
    }
}
