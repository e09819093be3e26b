//! The native formats, on the real files of `../shared/corpus/` and on
//! files written here for what the corpus lacks: every file parses, emits,
//! and parses back to the same schema; bad input gives a located error.
//!
//! One module per format; `common` finds the corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod atproto;
mod avro;
mod compat;
// Each format uses some of the helpers, none all of them.
#[allow(dead_code)]
mod common;
mod graphql;
mod json_schema;
mod lens;
mod protobuf;
mod sql;
