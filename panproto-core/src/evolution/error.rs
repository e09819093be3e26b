//! The evolution layer's error.
//!
//! `vcs` wraps it in `VcsError::Merge`; the Python bindings raise
//! `SchemaValidationError` for [`MergeError::Invalid`] and `VcsError` for
//! the others.

use crate::model::SchemaError;

/// A merge could not be carried out as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// A resolution side is neither `"ours"` nor `"theirs"`.
    #[error("invalid merge resolution: {0:?} is neither \"ours\" nor \"theirs\"")]
    UnknownSide(String),
    /// A resolution names an element that is not in conflict.
    #[error("invalid merge resolution: {element:?} is not in conflict{}",
        if .conflicts.is_empty() { String::new() }
        else { format!("; the conflicts are on {}", .conflicts.join(", ")) })]
    NotInConflict {
        /// The element the resolution names.
        element: String,
        /// The elements that are in conflict.
        conflicts: Vec<String>,
    },
    /// The merged elements do not form a valid schema (each side is valid
    /// alone; their changes together are not).
    #[error(transparent)]
    Invalid(SchemaError),
}
