//! Helpers shared by the stores' tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use panproto_core::vcs::store::Store;
use panproto_core::{Protocol, Repository, Schema, StoreError, VcsError, builtin_protocol};

/// A name no other test (or test run) uses.
pub fn unique(tag: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The store error in `err`, which must come from `backend`.
pub fn store_error(err: &VcsError, backend: &str) -> StoreError {
    match err {
        VcsError::Store(e) => {
            assert_eq!(e.backend, backend, "{err}");
            e.clone()
        }
        other => panic!("expected a store error, got {other:?}"),
    }
}

/// The json-schema protocol the tests' schemas follow.
pub fn protocol() -> Arc<Protocol> {
    builtin_protocol("json-schema").unwrap()
}

/// A json-schema object `root` with string properties `p0` .. `p{n-1}`.
pub fn schema(n: usize) -> Schema {
    let mut builder = Schema::builder(protocol()).vertex("root", "object", None);
    for i in 0..n {
        let p = format!("p{i}");
        builder = builder
            .vertex(&p, "string", None)
            .edge("root", &p, "prop", Some(p.clone()));
    }
    builder.build().unwrap()
}

/// A new repository in `store` with one commit.
pub fn repository<S: Store>(store: S) -> Repository<S> {
    let mut repo = Repository::init(store, protocol()).unwrap();
    repo.add(schema(1)).unwrap();
    repo.commit("first", "ada", Some(1)).unwrap();
    repo
}
