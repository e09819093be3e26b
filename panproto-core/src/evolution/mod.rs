//! The evolution layer: how one version of a schema relates to another.
//!
//! [`diff`] lists the changes between two schemas, [`classify`] judges each
//! (breaking or not, with a reason) and gives the verdict,
//! [`derive_migration`] builds the migration `add` records (identity on
//! what survives, renames detected), and [`merge_schemas`] merges two
//! versions against their common base, three-way, with typed conflicts.
//! [`compat`] judges a change in both directions (backward, forward) with
//! the registry's compatibility [`Mode`]s; the formats layer gives it each
//! format's rules, and [`generic_compatibility`] serves every other protocol.
//!
//! Depends on the model and migration layers, never on `vcs`.

mod classify;
mod compat;
mod derive;
mod diff;
mod element;
mod error;
mod merge;

pub use classify::{Classification, ClassifiedChange, Compatibility, Judgement, classify};
pub use compat::{
    CompatReport, Direction, Finding, Level, Mode, Violation, generic_compatibility,
    generic_compatibility_of,
};
pub use derive::derive_migration;
pub use diff::{Change, ChangeKind, diff};
pub use element::{Element, MergeElement};
pub use error::MergeError;
pub use merge::{Conflict, ConflictKind, MergeOutcome, Resolutions, Side, merge_schemas};
