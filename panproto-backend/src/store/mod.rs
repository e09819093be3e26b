//! The store compiled into this build: SQLite (feature `sqlite`) or
//! PostgreSQL (feature `postgres`), behind one API.
//!
//! Both stores implement [`panproto_core::vcs::store::Store`] and mirror
//! each other: the same file names (`mod.rs` for the store and its `Store`
//! methods, `connection.rs` for opening and setting up the connection,
//! `reads.rs` for the reads, `write.rs` for the write transaction,
//! `error.rs` for mapping native errors onto [`StoreErrorKind`],
//! `schema.sql` for the tables), the same tables with the same columns
//! (PostgreSQL prefixes their names with `panproto_`), and the same
//! behaviour, checked by the same conformance suite
//! (`panproto_core::vcs::conformance`, run by `tests/stores`).
//!
//! Every wait is bounded: SQLite's for the file's write lock by its busy
//! timeout, PostgreSQL's by the URL's `connect_timeout`,
//! `statement_timeout` and `lock_timeout` (see its module docs); a limit
//! that runs out is [`StoreErrorKind::Timeout`] on both.
//!
//! # Tables
//!
//! | table          | columns                                                                     |
//! |----------------|-----------------------------------------------------------------------------|
//! | `meta`         | `key`, `value`: the store format ([`STORE_FORMAT`]) under `format`          |
//! | `repositories` | `id`, `name` (unique), `protocol_json`, `created`                           |
//! | `objects`      | `repo`, `id`, `kind`, `parent` (a commit's first parent), `data`; key `(repo, id)` |
//! | `refs`         | `repo`, `name`, `target` (an id) or `symbolic` (a ref name); key `(repo, name)` |
//! | `reflog`       | `seq`, `repo`, `name`, `old_target`/`old_symbolic`, `new_target`/`new_symbolic`, `message`, `at` |
//!
//! Every table but `meta` and `repositories` carries the repository's id in
//! `repo`, so many named repositories live isolated in one file or database.

use panproto_core::vcs::object::{ObjectKind, StoredObject};
use panproto_core::vcs::store::{RefTarget, RepoInfo, STORE_FORMAT, Transaction};
use panproto_core::vcs::{check_not_empty, check_text};
use panproto_core::{ObjectId, StoreError, StoreErrorKind, VcsError};

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// The store this build compiles in.
#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
pub use postgres::PostgresStore as BackendStore;
/// The store this build compiles in.
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore as BackendStore;

/// The name of the backend this build compiles in.
#[cfg(feature = "sqlite")]
pub const BACKEND: &str = "sqlite";
/// The name of the backend this build compiles in.
#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
pub const BACKEND: &str = "postgres";

/// Opens (`create = false`) or creates if needed (`create = true`) the
/// database at `location` and returns a store bound to repository `name`.
///
/// Creating the database creates its tables, not the repository: that is
/// [`Store::create`](panproto_core::vcs::store::Store::create), which
/// [`Repository::init`](panproto_core::Repository::init) calls.
///
/// - **sqlite**: `location` is a file path. With `create = false` a missing
///   file is [`VcsError::NotFound`]; a file that is not SQLite, or a SQLite
///   database without panproto's tables, is [`StoreErrorKind::NotAStore`];
///   a damaged one [`StoreErrorKind::Corrupt`].
/// - **postgres**: `location` is a URL `postgres://user@host:port/db`,
///   optionally with the limits `connect_timeout` (s), `statement_timeout`
///   and `lock_timeout` (ms) as query parameters. An unreachable server is
///   [`StoreErrorKind::Unavailable`] naming the host and port, one that
///   does not answer in time [`StoreErrorKind::Timeout`]. The tables are
///   created on first use with `create = true`; with `create = false` a
///   database without them is [`VcsError::NotFound`].
///
/// Both: a location meant for the other backend is
/// [`StoreErrorKind::BadLocation`]; a store written by a newer panproto is
/// [`StoreErrorKind::NewerFormat`]; an empty or blank `name`, or one
/// holding a NUL byte, is [`VcsError::InvalidInput`].
///
/// # Errors
/// As listed above; [`VcsError::Store`] for any other database failure.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub fn open_store(location: &str, name: &str, create: bool) -> Result<BackendStore, VcsError> {
    check_name(name)?;
    #[cfg(feature = "sqlite")]
    {
        if is_postgres_url(location) {
            return Err(StoreError::new(
                BACKEND,
                StoreErrorKind::BadLocation,
                format!(
                    "{} is a PostgreSQL URL, but this is the sqlite backend of panproto, which \
                     takes a file path; install panproto[postgres] to use PostgreSQL",
                    redact_url(location)
                ),
            )
            .into());
        }
        SqliteStore::open(std::path::Path::new(location), name, create)
    }
    #[cfg(all(feature = "postgres", not(feature = "sqlite")))]
    {
        if !is_postgres_url(location) {
            return Err(StoreError::new(
                BACKEND,
                StoreErrorKind::BadLocation,
                format!(
                    "{location:?} is not a postgres:// or postgresql:// URL, and this is the \
                     postgres backend of panproto; install panproto[sqlite] to use a SQLite file"
                ),
            )
            .into());
        }
        PostgresStore::open(location, name, create)
    }
}

/// Whether `location` is a PostgreSQL URL.
fn is_postgres_url(location: &str) -> bool {
    let lower = location.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `location` with any password replaced by `***`: the authority's
/// (`user:PASSWORD@host`) and a `password=` query parameter's.
pub(crate) fn redact_url(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((query, fragment)) => (query, Some(fragment)),
                None => (query, None),
            };
            let pairs: Vec<&str> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("password", _)) => "password=***",
                    _ => pair,
                })
                .collect();
            let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
            format!("{path}?{}{fragment}", pairs.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Repository names must be non-empty and hold no NUL.
fn check_name(name: &str) -> Result<(), VcsError> {
    check_not_empty("repository name", name)
}

/// Every text a transaction writes to a text column: ref names, symbolic
/// targets and reflog messages (objects are bytes, and may hold anything).
fn check_transaction_text(tx: &Transaction) -> Result<(), VcsError> {
    for edit in &tx.edits {
        check_text("ref name", &edit.name)?;
        check_text("reflog message", &edit.message)?;
        if let Some(RefTarget::Symbolic(target)) = &edit.new {
            check_text("symbolic ref target", target)?;
        }
    }
    Ok(())
}

/// Checks the format a store records in its `meta` table (named `meta`
/// in messages; `None` when it records none) against the one this build
/// reads, and returns it; a store of an older format is to be upgraded by
/// the caller (from 1 to 2 by recording the new number: the tables did not
/// change).
fn check_recorded_format(
    backend: &'static str,
    location: &str,
    meta: &str,
    recorded: Option<&str>,
) -> Result<u32, StoreError> {
    let recorded = recorded.ok_or_else(|| {
        StoreError::new(
            backend,
            StoreErrorKind::NotAStore,
            format!("{location} is not a panproto store: its {meta} table records no format"),
        )
    })?;
    check_format(backend, location, recorded)
}

/// Checks a recorded format number; see [`check_recorded_format`].
fn check_format(backend: &'static str, location: &str, recorded: &str) -> Result<u32, StoreError> {
    let format: u32 = recorded.trim().parse().map_err(|_| {
        StoreError::new(
            backend,
            StoreErrorKind::Corrupt,
            format!("{location} records the store format {recorded:?}, which is not a number"),
        )
    })?;
    if format > STORE_FORMAT {
        return Err(StoreError::new(
            backend,
            StoreErrorKind::NewerFormat,
            format!(
                "{location} was written by a newer panproto (format {format}, this build reads up to \
                 {STORE_FORMAT}); upgrade panproto"
            ),
        ));
    }
    if format == 0 {
        return Err(StoreError::new(
            backend,
            StoreErrorKind::Corrupt,
            format!("{location} records the store format 0, which no panproto writes"),
        ));
    }
    Ok(format)
}

/// What [`Store::create`](panproto_core::vcs::store::Store::create) returns
/// once the repository's row was inserted with id `Some(id)` (kept in
/// `cache`), or was found to exist (`None`).
fn created(
    name: &str,
    id: Option<i64>,
    cache: &std::sync::OnceLock<i64>,
    protocol_json: &str,
    timestamp: i64,
) -> Result<RepoInfo, VcsError> {
    let Some(id) = id else {
        return Err(VcsError::AlreadyExists(name.to_owned()));
    };
    let _ = cache.set(id);
    Ok(RepoInfo {
        name: name.to_owned(),
        protocol_json: protocol_json.to_owned(),
        created: timestamp,
    })
}

fn corrupt(backend: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::new(backend, StoreErrorKind::Corrupt, message)
}

/// An object id read from a column.
fn object_id(backend: &'static str, bytes: &[u8], what: &str) -> Result<ObjectId, StoreError> {
    ObjectId::from_slice(bytes).ok_or_else(|| {
        corrupt(
            backend,
            format!(
                "{what} holds {} bytes where an object id of {} was expected",
                bytes.len(),
                ObjectId::LEN
            ),
        )
    })
}

/// A ref target read from a `(target, symbolic)` column pair.
fn ref_target(
    backend: &'static str,
    target: Option<Vec<u8>>,
    symbolic: Option<String>,
    what: &str,
) -> Result<Option<RefTarget>, StoreError> {
    match (target, symbolic) {
        (Some(id), None) => Ok(Some(RefTarget::Id(object_id(backend, &id, what)?))),
        (None, Some(name)) => Ok(Some(RefTarget::Symbolic(name))),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(corrupt(
            backend,
            format!("{what} holds both an id and a symbolic name"),
        )),
    }
}

/// A ref target split into its `(target, symbolic)` columns.
fn target_columns(target: Option<&RefTarget>) -> (Option<&[u8]>, Option<&str>) {
    match target {
        Some(RefTarget::Id(id)) => (Some(id.as_bytes().as_slice()), None),
        Some(RefTarget::Symbolic(name)) => (None, Some(name.as_str())),
        None => (None, None),
    }
}

/// An object read from an `objects` row.
fn stored_object(
    backend: &'static str,
    id: &[u8],
    kind: i64,
    parent: Option<&[u8]>,
    data: Vec<u8>,
) -> Result<StoredObject, StoreError> {
    let id = object_id(backend, id, "an object row")?;
    let kind = i16::try_from(kind)
        .ok()
        .and_then(ObjectKind::from_code)
        .ok_or_else(|| {
            corrupt(
                backend,
                format!("object {} has the unknown kind {kind}", id.short()),
            )
        })?;
    let parent = parent
        .map(|p| object_id(backend, p, "an object's parent"))
        .transpose()?;
    Ok(StoredObject {
        id,
        kind,
        parent,
        data,
    })
}

/// How far a history walk follows the recursive query (one index probe per
/// commit) before it switches to reading every commit of the repository in
/// one scan and walking the rest in memory. A probe costs several times a
/// scanned row (measured on 100,000 commits: SQLite 4.5 µs against 0.3 µs,
/// PostgreSQL 3.4 µs against 0.4 µs server-side), so a long walk scans; a
/// short one (a page of `log`, a young branch) never pays for the scan,
/// which reads every commit of the repository, also other branches'.
const CHAIN_PROBE: usize = 1024;

/// The limit to give the recursive query for a walk of at most `limit`
/// commits, and whether its result is final (no scan to follow).
fn chain_probe(limit: Option<usize>) -> (usize, bool) {
    match limit {
        Some(l) if l <= CHAIN_PROBE => (l, true),
        _ => (CHAIN_PROBE, false),
    }
}

/// Whether a walk whose recursive query returned `chain` (capped at
/// [`CHAIN_PROBE`]) must go on by scanning.
fn chain_continues(chain: &[StoredObject]) -> bool {
    chain.len() >= CHAIN_PROBE && chain.last().is_some_and(|o| o.parent.is_some())
}

/// A row of the repository's commits: `(id, kind, parent, data)`.
type CommitRow = (Vec<u8>, i64, Option<Vec<u8>>, Vec<u8>);

/// A commit row without its id: `(kind, parent, data)`.
type CommitColumns = (i64, Option<Vec<u8>>, Vec<u8>);

/// Continues `chain` through `rows` (every commit of the repository) by
/// first parents, in memory, until the chain ends, a parent is missing, or
/// `limit` commits are reached. Each row is used at most once, so a cycle
/// of damaged parent columns ends the walk instead of looping.
fn continue_chain(
    backend: &'static str,
    mut chain: Vec<StoredObject>,
    rows: Vec<CommitRow>,
    limit: Option<usize>,
) -> Result<Vec<StoredObject>, StoreError> {
    let mut by_id: rustc_hash::FxHashMap<ObjectId, CommitColumns> =
        rustc_hash::FxHashMap::default();
    by_id.reserve(rows.len());
    for (id, kind, parent, data) in rows {
        // A malformed id is no commit's parent; `verify` reports it.
        if let Some(id) = ObjectId::from_slice(&id) {
            by_id.insert(id, (kind, parent, data));
        }
    }
    let mut next = chain.last().and_then(|o| o.parent);
    while let Some(id) = next {
        if limit.is_some_and(|l| chain.len() >= l) {
            break;
        }
        let Some((kind, parent, data)) = by_id.remove(&id) else {
            break;
        };
        let obj = stored_object(backend, id.as_bytes(), kind, parent.as_deref(), data)?;
        next = obj.parent;
        chain.push(obj);
    }
    Ok(chain)
}

/// A row of a first-parent chain query: `(n, kind, parent, data)`.
type ChainRow = (i64, i64, Option<Vec<u8>>, Vec<u8>);

/// The objects of a first-parent chain from rows `(n, kind, parent, data)`
/// with `n` counting from 1 at `start`. Ids are not read back: the row at
/// `n + 1` is, by the query, the object whose id is the `parent` of row `n`.
fn chain_from_rows(
    backend: &'static str,
    start: &ObjectId,
    mut rows: Vec<ChainRow>,
) -> Result<Vec<StoredObject>, StoreError> {
    // Rows come in recursion order already; sorting an ordered vector is linear.
    rows.sort_by_key(|row| row.0);
    let mut out = Vec::with_capacity(rows.len());
    let mut next = Some(*start);
    for (_, kind, parent, data) in rows {
        let id = next.ok_or_else(|| {
            corrupt(
                backend,
                format!("the history below {} is inconsistent", start.short()),
            )
        })?;
        let obj = stored_object(backend, id.as_bytes(), kind, parent.as_deref(), data)?;
        next = obj.parent;
        out.push(obj);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("postgresql://h/db?x=@"), "postgresql://h/db?x=@");
        assert_eq!(redact_url("/tmp/file"), "/tmp/file");
        assert_eq!(
            redact_url("postgresql://h/db?sslmode=require&password=secret#x"),
            "postgresql://h/db?sslmode=require&password=***#x"
        );
    }

    #[test]
    fn recognises_urls() {
        assert!(is_postgres_url("postgres://h/db"));
        assert!(is_postgres_url("PostgreSQL://h/db"));
        assert!(!is_postgres_url("/tmp/postgres://x"));
        assert!(!is_postgres_url("store.db"));
    }

    #[test]
    fn formats() {
        assert!(check_format("sqlite", "x", "1").is_ok());
        assert_eq!(
            check_format("sqlite", "x", "999").unwrap_err().kind,
            StoreErrorKind::NewerFormat
        );
        assert_eq!(
            check_format("sqlite", "x", "abc").unwrap_err().kind,
            StoreErrorKind::Corrupt
        );
        assert!(
            check_format("sqlite", "x", "999")
                .unwrap_err()
                .message
                .contains("upgrade panproto")
        );
    }
}
