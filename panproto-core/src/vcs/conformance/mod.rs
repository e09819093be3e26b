//! The store conformance suite: one set of checks every [`Store`] must pass.
//!
//! Each check takes a factory that returns a store bound to a fresh
//! repository name in one shared database, so checks can run in parallel
//! and can test isolation between names. Backends instantiate the whole
//! suite with [`store_conformance_tests!`](crate::store_conformance_tests).
//!
//! A store opened from a location (a SQLite file, a PostgreSQL database)
//! has a second part to pass, about opening: names it refuses, the format
//! marker it upgrades or refuses, rows damaged behind its back, text its
//! columns cannot hold. Those checks take a [`Database`]: one fresh
//! database, with a way to open a store in it and to run SQL on it behind
//! the store's back, which is all the hook the format checks need.
//!
//! The checks are kept by what they exercise: [`store`] the `Store`
//! contract itself, [`database`] opening a store from a location and the
//! tables behind it, [`repository`] the repository's guarantees over a
//! store (a retried commit, NUL refused) with the fault-injecting
//! [`Faulty`] wrapper, [`policy`] compatibility policies. Each is re-exported here, flat, as the macro names
//! them.

mod database;
mod policy;
mod repository;
mod store;

pub use database::*;
pub use policy::*;
pub use repository::*;
pub use store::*;

use crate::encoding::ObjectId;
use crate::vcs::object::{self, Commit};
use crate::vcs::store::{Expected, RefEdit, RefTarget};

/// A commit object on `parent`, for checks that need history but no schema.
fn commit_obj(parent: Option<ObjectId>, message: &str) -> object::StoredObject {
    commit_on(parent.into_iter().collect(), message, 1)
}

/// A bare commit (no schema behind it, no migration) on `parents`, for
/// tests of what stores do with commits.
pub fn commit_on(parents: Vec<ObjectId>, message: &str, timestamp: i64) -> object::StoredObject {
    object::store_commit(&Commit {
        schema: ObjectId::hash(b"schema"),
        parents,
        migration: None,
        merge_migrations: Vec::new(),
        compatibility: None,
        allow_breaking: None,
        units: None,
        backward: None,
        forward: None,
        datasets: Default::default(),
        author: "test".into(),
        timestamp,
        message: message.into(),
        origin: None,
    })
}

/// A compare-and-swap edit of `name` to `id`.
fn set_ref(name: &str, expected: Expected, id: ObjectId) -> RefEdit {
    RefEdit {
        name: name.into(),
        expected,
        new: Some(RefTarget::Id(id)),
        message: "test".into(),
    }
}

/// Instantiates every conformance check as a `#[test]` for a store.
///
/// `$make` is an expression returning a fresh store (a new repository name);
/// `$other` a closure `|&S| -> S` giving a store for another new name in the
/// same database; `$reopen` a closure `|&S| -> S` giving a second client of
/// the same repository. A store opened from a location adds
/// `database: $database`, an expression returning a fresh [`Database`]
/// (`vcs::conformance::Database`), for the checks of opening and of its
/// tables.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr, $other:expr, $reopen:expr, database: $database:expr $(,)?) => {
        $crate::store_conformance_tests!($make, $other, $reopen);
        #[test]
        fn repository_names_are_checked() {
            $crate::vcs::conformance::repository_names_are_checked(&$database);
        }
        #[test]
        fn many_repositories_in_one_database() {
            $crate::vcs::conformance::many_repositories_in_one_database(&$database);
        }
        #[test]
        fn repositories_are_listed_deleted_and_renamed() {
            $crate::vcs::conformance::repositories_are_listed_deleted_and_renamed(&$database);
        }
        #[test]
        fn an_older_format_is_upgraded_on_open() {
            $crate::vcs::conformance::an_older_format_is_upgraded_on_open(&$database);
        }
        #[test]
        fn a_newer_format_is_refused() {
            $crate::vcs::conformance::a_newer_format_is_refused(&$database);
        }
        #[test]
        fn a_malformed_format_is_corrupt() {
            $crate::vcs::conformance::a_malformed_format_is_corrupt(&$database);
        }
        #[test]
        fn text_with_nul_is_refused() {
            $crate::vcs::conformance::text_with_nul_is_refused(&$database);
        }
        #[test]
        fn verify_reports_damaged_rows() {
            $crate::vcs::conformance::verify_reports_damaged_rows(&$database);
        }
    };
    ($make:expr, $other:expr, $reopen:expr $(,)?) => {
        #[test]
        fn create_and_info() {
            $crate::vcs::conformance::create_and_info($make);
        }
        #[test]
        fn objects_are_idempotent() {
            $crate::vcs::conformance::objects_are_idempotent($make);
        }
        #[test]
        fn scan_objects_pages_in_id_order() {
            $crate::vcs::conformance::scan_objects_pages_in_id_order($make, $other);
        }
        #[test]
        fn apply_without_repository_is_not_found() {
            $crate::vcs::conformance::apply_without_repository_is_not_found($make);
        }
        #[test]
        fn ref_updates_compare_and_swap() {
            $crate::vcs::conformance::ref_updates_compare_and_swap($make);
        }
        #[test]
        fn refs_list_and_reflog() {
            $crate::vcs::conformance::refs_list_and_reflog($make);
        }
        #[test]
        fn list_refs_sorts_bytewise() {
            $crate::vcs::conformance::list_refs_sorts_bytewise($make);
        }
        #[test]
        fn first_parent_chain() {
            $crate::vcs::conformance::first_parent_chain($make);
        }
        #[test]
        fn long_first_parent_chain() {
            $crate::vcs::conformance::long_first_parent_chain($make, $other);
        }
        #[test]
        fn repositories_are_isolated() {
            $crate::vcs::conformance::repositories_are_isolated($make, $other);
        }
        #[test]
        fn repository_round_trip() {
            $crate::vcs::conformance::repository_round_trip($make, $reopen);
        }
        #[test]
        fn one_store_shared_by_threads() {
            $crate::vcs::conformance::one_store_shared_by_threads($make);
        }
        #[test]
        fn racing_clients_never_lose_a_commit() {
            $crate::vcs::conformance::racing_clients_never_lose_a_commit($make, $reopen);
        }
        #[test]
        fn concurrent_clients_conflict() {
            $crate::vcs::conformance::concurrent_clients_conflict($make, $reopen);
        }
        #[test]
        fn a_commit_retried_after_an_ambiguous_failure_lands_once() {
            $crate::vcs::conformance::a_commit_retried_after_an_ambiguous_failure_lands_once(
                $make, $reopen,
            );
        }
        #[test]
        fn a_commit_retried_after_a_failure_before_writing_lands_once() {
            $crate::vcs::conformance::a_commit_retried_after_a_failure_before_writing_lands_once(
                $make, $reopen,
            );
        }
        #[test]
        fn a_merge_retried_after_an_ambiguous_failure_is_up_to_date() {
            $crate::vcs::conformance::a_merge_retried_after_an_ambiguous_failure_is_up_to_date(
                $make,
            );
        }
        #[test]
        fn policies_are_kept_per_branch_and_repository() {
            $crate::vcs::conformance::policies_are_kept_per_branch_and_repository($make, $reopen);
        }
        #[test]
        fn a_commit_breaking_the_policy_is_refused_unless_overridden() {
            $crate::vcs::conformance::a_commit_breaking_the_policy_is_refused_unless_overridden(
                $make, $reopen,
            );
        }
        #[test]
        fn a_merge_breaking_the_policy_is_refused_unless_overridden() {
            $crate::vcs::conformance::a_merge_breaking_the_policy_is_refused_unless_overridden(
                $make,
            );
        }
        #[test]
        fn transitive_policies_check_every_earlier_version() {
            $crate::vcs::conformance::transitive_policies_check_every_earlier_version($make);
        }
        #[test]
        fn nul_bytes_are_refused_before_the_store_is_asked() {
            $crate::vcs::conformance::nul_bytes_are_refused_before_the_store_is_asked($make);
        }
    };
}
