//! # panproto-backend
//!
//! One crate, built once per backend: the cargo feature `sqlite` or
//! `postgres` chooses the [`store`] compiled in, and the feature `python`
//! adds the PyO3 module (`panproto_sqlite._native` or
//! `panproto_postgres._native`, named by maturin). The module body is the
//! same for both backends; only [`store::BackendStore`] differs.

// One audited `unsafe` call lives in `python/convert.rs` (untracking dicts
// of scalars from the garbage collector); everything else is safe code.
#![deny(unsafe_code)]

#[cfg(all(feature = "sqlite", feature = "postgres"))]
compile_error!(
    "panproto-backend: enable exactly one of the features `sqlite` and `postgres` (both are enabled); \
     each backend is its own wheel"
);
#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!(
    "panproto-backend: enable exactly one of the features `sqlite` and `postgres` (neither is enabled), \
     e.g. `cargo build -p panproto-backend --features sqlite`"
);

pub mod store;

/// mimalloc for every allocation of the engine, in the wheel and the
/// benchmarks alike: building and parsing a schema allocates a string per
/// id and name, and mimalloc made that a third faster than glibc's
/// allocator (a 10,000-vertex build: 7.8 ms → 5.7 ms; the 386 KB Avro
/// file: 26 ms → 17 ms). It serves the Rust side only; Python keeps its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "python")]
mod python;
