//! Version control over a [`Store`]: the object model, the storage contract,
//! an in-memory store, and the [`Repository`] working copy.

mod error;
mod input;
pub mod memory;
pub mod object;
pub mod repository;
pub mod store;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;

pub use error::{StoreError, StoreErrorKind, VcsError};
pub use input::{check_not_empty, check_text};
