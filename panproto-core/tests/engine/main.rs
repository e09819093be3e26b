//! The engine's integration tests, in one binary (as ripgrep keeps its
//! tests): one module per area, and the schemas, records and repositories
//! they share in `tests/common`.

// A test fails by unwrapping, expecting or panicking: that is how it reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod data;
mod elements;
mod gat;
mod history;
mod import_git;
mod layers;
mod lens;
mod lens_history;
mod lens_schema;
mod merge;
mod migration;
mod schema;
