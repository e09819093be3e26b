//! The migration layer's error.
//!
//! The Python bindings map [`MigrationError`] onto `panproto.MigrationError`.

use crate::migration::existence::ExistenceIssue;

/// A migration could not be compiled or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// The mapping is not well formed; every problem is listed with the element it concerns.
    #[error("migration is not well formed ({} problem{}):\n  {}",
        .problems.len(), if .problems.len() == 1 { "" } else { "s" },
        .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        /// Every problem found.
        problems: Vec<ExistenceIssue>,
    },
    /// The record has no root the migration knows, or several roots are possible.
    #[error("{0}")]
    Root(String),
    /// Two migrations cannot be composed: the first's target is not the second's source.
    #[error(
        "cannot compose: the first migration ends at schema {first_target} but the second starts at {second_source}"
    )]
    NotComposable {
        /// Short id of the first migration's target schema.
        first_target: String,
        /// Short id of the second migration's source schema.
        second_source: String,
    },
    /// The migration is not a bijection, so it has no inverse.
    #[error("migration is not invertible: {0}")]
    NotInvertible(String),
    /// A complement was made by another migration.
    #[error(
        "complement belongs to another migration (made by {found}, this migration is {expected})"
    )]
    WrongComplement {
        /// Fingerprint of this migration.
        expected: String,
        /// Fingerprint recorded in the complement.
        found: String,
    },
    /// A complement's bytes are damaged or not a complement at all.
    #[error("complement is damaged: {0}")]
    DamagedComplement(String),
}
