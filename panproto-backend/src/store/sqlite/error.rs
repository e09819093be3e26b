//! SQLite errors mapped onto [`StoreErrorKind`], keeping SQLite's extended
//! result code in [`StoreError::code`] (like sqlx's `sqlx-sqlite/src/error.rs`).

use panproto_core::{StoreError, StoreErrorKind};
use rusqlite::ErrorCode;

const BACKEND: &str = "sqlite";

/// Maps a rusqlite error onto a [`StoreError`].
pub(super) fn store_error(err: rusqlite::Error) -> StoreError {
    match &err {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let kind = match failure.code {
                ErrorCode::NotADatabase => StoreErrorKind::NotAStore,
                ErrorCode::DatabaseCorrupt => StoreErrorKind::Corrupt,
                ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly => {
                    StoreErrorKind::Unavailable
                }
                // Returned once the busy timeout ran out.
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreErrorKind::Timeout,
                _ => StoreErrorKind::Database,
            };
            let text = message.clone().unwrap_or_else(|| failure.to_string());
            let text = match failure.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => format!(
                    "{text}: another connection held the database's write lock for longer than the {} s \
                     busy timeout",
                    super::BUSY_TIMEOUT.as_secs()
                ),
                ErrorCode::NotADatabase => format!("it is not a SQLite database ({text})"),
                _ => text,
            };
            StoreError::new(BACKEND, kind, text).with_code(failure.extended_code.to_string())
        }
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(..)
        | rusqlite::Error::InvalidColumnType(..) => StoreError::new(
            BACKEND,
            StoreErrorKind::Corrupt,
            format!("a stored value has the wrong type: {err}"),
        ),
        _ => StoreError::new(BACKEND, StoreErrorKind::Database, err.to_string()),
    }
}

/// `?`-friendly conversion of rusqlite results.
pub(super) trait ResultExt<T> {
    /// Maps the error with [`store_error`].
    fn store(self) -> Result<T, StoreError>;
}

impl<T> ResultExt<T> for rusqlite::Result<T> {
    fn store(self) -> Result<T, StoreError> {
        self.map_err(store_error)
    }
}
