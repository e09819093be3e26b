//! PostgreSQL errors mapped onto [`StoreErrorKind`], keeping the SQLSTATE
//! in [`StoreError::code`] (like sqlx's `sqlx-postgres/src/error.rs`).

use panproto_core::{StoreError, StoreErrorKind};

const BACKEND: &str = "postgres";

/// The kind for a SQLSTATE.
fn kind_of(sqlstate: &str) -> StoreErrorKind {
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
/// when the server cannot be reached.
pub(super) fn store_error(err: sqlx::Error, server: &str) -> StoreError {
    match err {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned());
            let kind = code.as_deref().map_or(StoreErrorKind::Database, kind_of);
            let message = match kind {
                StoreErrorKind::Unavailable => {
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
    }
}
