//! The store this build compiles in, against the conformance suite of
//! `panproto_core::vcs::conformance`, and its own failure paths: one test
//! binary for the crate (as ripgrep keeps its tests), whose modules are
//! chosen by the store feature, so switching backend rebuilds one binary
//! and the schemas and helpers in [`common`] are built once.
//!
//! PostgreSQL tests read the server from `PANPROTO_TEST_POSTGRES_URL`
//! (default `postgresql://postgres@127.0.0.1:5432/test`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
