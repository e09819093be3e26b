//! Behind PgBouncer in transaction mode ([`scratch`]'s, with three server
//! sessions for many clients): the whole conformance suite, the racing
//! clients among it, through the pooler with `pool_mode=transaction`; and
//! the clear error that says so when the URL does not.

use panproto_backend::store::{PostgresStore, open_store};
use panproto_core::vcs::store::Store;

use super::scratch::{POOLED, SINGLE, scratch};
use crate::common::{store_error, unique};

fn pooled_url() -> String {
    scratch().bouncer_url(POOLED, "pool_mode=transaction")
}

fn make() -> PostgresStore {
    open_store(&pooled_url(), &unique("pooled"), true).unwrap()
}

fn other(store: &PostgresStore) -> PostgresStore {
    store.with_name(&unique("pooled_other"))
}

fn reopen(store: &PostgresStore) -> PostgresStore {
    open_store(&pooled_url(), store.name(), false).unwrap()
}

panproto_core::store_conformance_tests!(make, other, reopen);

/// Without `pool_mode=transaction`, two clients sharing PgBouncer's one
/// server session both prepare statements under sqlx's names; the second
/// one's clash is reported as the pooler's doing, with the fix.
#[test]
fn without_pool_mode_the_error_names_the_setting() {
    let url = scratch().bouncer_url(SINGLE, "");
    let first = open_store(&url, &unique("single"), true).unwrap();
    first.create("{}", 0).unwrap();
    let err = match open_store(&url, first.name(), false)
        .and_then(|second| second.info().map_err(Into::into).map(|_| second))
    {
        Ok(_) => panic!("the second client should find the first one's statements"),
        Err(e) => store_error(&e, "postgres"),
    };
    assert!(err.message.contains("pool_mode=transaction"), "{err}");
    assert!(err.message.contains("PgBouncer"), "{err}");
    // With it, the same two clients share the session.
    let url = scratch().bouncer_url(SINGLE, "pool_mode=transaction");
    let first = open_store(&url, first.name(), false).unwrap();
    let second = open_store(&url, first.name(), false).unwrap();
    assert!(first.info().unwrap().is_some());
    assert!(second.info().unwrap().is_some());
    first.delete().unwrap();
}
