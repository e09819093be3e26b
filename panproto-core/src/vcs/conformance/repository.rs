//! The repository's guarantees over any store: a commit retried after a
//! store failure lands once, NUL is refused before the store is asked;
//! with [`Faulty`], a store wrapper that makes its next `apply` fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::encoding::ObjectId;
use crate::model::builtin::builtin_protocol;
use crate::model::schema::Schema;
use crate::vcs::StoreError;
use crate::vcs::error::VcsError;
use crate::vcs::object::{self, ObjectKind};
use crate::vcs::repository::Repository;
use crate::vcs::store::{RefTarget, ReflogEntry, RepoInfo, ScannedObject, Store, Transaction};
/// When a [`Faulty`] store's next `apply` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Before anything is written: the failure is what it says.
    BeforeApply,
    /// After the transaction was applied: the ambiguous case (the server
    /// committed, then the connection dropped before it answered).
    AfterApply,
}

/// A store that wraps another and makes its next `apply` fail as armed,
/// with a [`StoreError`](crate::vcs::StoreError) of kind `Unavailable`.
pub struct Faulty<S> {
    inner: S,
    armed: std::sync::Mutex<Option<Fault>>,
}

impl<S: Store> Faulty<S> {
    /// Wraps `inner`, disarmed: every call passes through.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            armed: std::sync::Mutex::new(None),
        }
    }

    /// Makes the next `apply` fail as `fault` says.
    pub fn arm(&self, fault: Fault) {
        *self.armed.lock().unwrap() = Some(fault);
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn injected(&self) -> VcsError {
        VcsError::Store(crate::vcs::StoreError::new(
            self.inner.backend(),
            crate::vcs::StoreErrorKind::Unavailable,
            "injected fault: the connection was lost",
        ))
    }
}

impl<S: Store> Store for Faulty<S> {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    fn location(&self) -> String {
        self.inner.location()
    }
    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError> {
        self.inner.create(protocol_json, timestamp)
    }
    fn info(&self) -> Result<Option<RepoInfo>, StoreError> {
        self.inner.info()
    }
    fn repositories(&self) -> Result<Vec<crate::vcs::store::RepoSummary>, StoreError> {
        self.inner.repositories()
    }
    fn delete(&self) -> Result<(), VcsError> {
        self.inner.delete()
    }
    fn rename(&self, to: &str) -> Result<(), VcsError> {
        self.inner.rename(to)
    }
    fn read_object(&self, id: &ObjectId) -> Result<Option<object::StoredObject>, StoreError> {
        self.inner.read_object(id)
    }
    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError> {
        self.inner.read_ref(name)
    }
    fn read_refs(&self, names: &[&str]) -> Result<Vec<Option<RefTarget>>, StoreError> {
        self.inner.read_refs(names)
    }
    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError> {
        self.inner.list_refs(prefix)
    }
    fn apply(&self, tx: &Transaction) -> Result<(), VcsError> {
        let fault = self.armed.lock().unwrap().take();
        match fault {
            None => self.inner.apply(tx),
            Some(Fault::BeforeApply) => Err(self.injected()),
            Some(Fault::AfterApply) => {
                self.inner.apply(tx)?;
                Err(self.injected())
            }
        }
    }
    fn ids_between(
        &self,
        kind: ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError> {
        self.inner.ids_between(kind, low, high, limit)
    }
    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError> {
        self.inner.scan_objects(after, limit)
    }
    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError> {
        self.inner.reflog(name, limit)
    }
    fn first_parent_chain(
        &self,
        start: &ObjectId,
        limit: Option<usize>,
    ) -> Result<Vec<object::StoredObject>, StoreError> {
        self.inner.first_parent_chain(start, limit)
    }
}

/// The JSON Schema protocol, an object `root`, and `root` with a string
/// property `a` (vertex `root.a`).
fn root_then_a() -> (
    std::sync::Arc<crate::model::protocol::Protocol>,
    Schema,
    Schema,
) {
    let proto = builtin_protocol("json-schema").unwrap();
    let v1 = Schema::builder(proto.clone())
        .vertex("root", "object", None)
        .build()
        .unwrap();
    let v2 = v1
        .to_builder()
        .vertex("root.a", "string", None)
        .edge("root", "root.a", "prop", Some("a".into()))
        .build()
        .unwrap();
    (proto, v1, v2)
}

/// A commit whose `apply` fails as `fault` says, retried unchanged a second
/// later, makes exactly one commit; the staged work survives the failure,
/// and a second client sees the same history.
fn retried_commit_lands_once<S: Store>(
    fault: Fault,
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let (proto, v1, v2) = root_then_a();
    let time = Arc::new(AtomicI64::new(1_000));
    let clock = Arc::clone(&time);
    let mut repo = Repository::init(Faulty::new(make()), proto)
        .unwrap()
        .with_clock(Arc::new(move || clock.load(Ordering::SeqCst)));
    repo.add(v1).unwrap();
    let first = repo.commit("first", "ada", None).unwrap();
    repo.add(v2.clone()).unwrap();
    use crate::model::{Map, Value};
    let record = Value::Object(Map::from_iter([("a".to_owned(), Value::Str("x".into()))]));
    repo.add_data("rows", [record], None).unwrap();

    repo.store().arm(fault);
    let err = repo.commit("second", "ada", None).unwrap_err();
    assert!(matches!(err, VcsError::Store(_)), "{err:?}");
    assert_eq!(repo.staged().unwrap().schema, v2, "the stage is kept");

    // A second later: a commit prepared afresh would differ from the first
    // attempt's (its timestamp), so only the kept commit makes one.
    time.fetch_add(1, Ordering::SeqCst);
    let second = repo.commit("second", "ada", None).unwrap();
    assert!(repo.staged().is_none());
    let log = repo.log(None).unwrap();
    assert_eq!(
        log.iter().map(|c| c.id).collect::<Vec<_>>(),
        [second, first],
        "exactly one new commit ({fault:?})"
    );
    assert_eq!(log[0].commit.message, "second");
    assert_eq!(log[0].commit.timestamp, 1_000, "the first attempt's commit");
    assert_eq!(log[0].commit.datasets.len(), 1);
    let other = Repository::open(reopen(repo.store().inner())).unwrap();
    assert_eq!(other.head_commit().unwrap(), Some(second));
    assert_eq!(other.log(None).unwrap().len(), 2);
    assert_eq!(
        other.reflog("main", None).unwrap().len(),
        2,
        "one reflog entry per commit"
    );
}

/// A commit whose `apply` landed but reported a store error is, when
/// retried with the stage unchanged, the same commit: one new commit in `log`.
pub fn a_commit_retried_after_an_ambiguous_failure_lands_once<S: Store>(
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    retried_commit_lands_once(Fault::AfterApply, make, reopen);
}

/// A commit whose `apply` failed before writing lands on retry, once.
pub fn a_commit_retried_after_a_failure_before_writing_lands_once<S: Store>(
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    retried_commit_lands_once(Fault::BeforeApply, make, reopen);
}

/// A merge whose commit landed although the store reported a failure,
/// retried, makes no second merge commit: the branch already holds the
/// other one, so the retry is up to date at the landed commit.
pub fn a_merge_retried_after_an_ambiguous_failure_is_up_to_date<S: Store>(make: impl Fn() -> S) {
    use crate::vcs::repository::Merged;
    let (proto, v1, v2) = root_then_a();
    let mut repo = Repository::init(Faulty::new(make()), proto).unwrap();
    repo.add(v1.clone()).unwrap();
    repo.commit("base", "ada", Some(1)).unwrap();
    repo.create_branch("side", None).unwrap();
    repo.add(v2).unwrap();
    let main = repo.commit("a", "ada", Some(2)).unwrap();
    repo.checkout("side").unwrap();
    let b = v1
        .to_builder()
        .vertex("root.b", "string", None)
        .edge("root", "root.b", "prop", Some("b".into()))
        .build()
        .unwrap();
    repo.add(b).unwrap();
    let side = repo.commit("b", "ada", Some(3)).unwrap();
    let none = crate::evolution::Resolutions::default();

    repo.store().arm(Fault::AfterApply);
    let err = repo.merge("main", "ada", None, &none, Some(4)).unwrap_err();
    assert!(matches!(err, VcsError::Store(_)), "{err:?}");
    let landed = repo.head_commit().unwrap().unwrap();
    assert_ne!(landed, side, "the merge commit landed");
    let retried = repo.merge("main", "ada", None, &none, Some(5)).unwrap();
    assert_eq!(retried, Merged::UpToDate(landed));
    let log = repo.log(None).unwrap();
    assert_eq!(log.len(), 3, "base, b, and one merge commit");
    assert_eq!(log[0].commit.parents, [side, main]);
}

/// What a store holds, to check that a refused call wrote nothing.
fn snapshot<S: Store>(store: &S) -> (Vec<(String, RefTarget)>, Vec<Vec<u8>>, usize) {
    let objects = store
        .scan_objects(None, usize::MAX >> 1)
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    let reflog = store.reflog("refs/heads/main", None).unwrap().len();
    (store.list_refs("refs/").unwrap(), objects, reflog)
}

/// A NUL byte in a branch or tag name, a commit or tag message, an author
/// or a tagger is refused as `InvalidInput` naming the field, and nothing
/// is written: every store agrees (PostgreSQL could not store it).
pub fn nul_bytes_are_refused_before_the_store_is_asked<S: Store>(make: impl Fn() -> S) {
    let (proto, v1, v2) = root_then_a();
    let mut repo = Repository::init(make(), proto).unwrap();
    repo.add(v1).unwrap();
    repo.commit("first", "ada", None).unwrap();
    repo.create_branch("side", None).unwrap();
    repo.add(v2).unwrap();
    let before = snapshot(repo.store());
    let refused = |result: Result<(), VcsError>, field: &str| match result {
        Err(VcsError::NulByte { what, .. }) => assert_eq!(what, field),
        other => panic!("{field}: expected NulByte, got {other:?}"),
    };
    refused(repo.commit("a\0b", "ada", None).map(drop), "commit message");
    refused(repo.commit("ok", "a\0da", None).map(drop), "author");
    assert!(repo.staged().is_some(), "the stage is kept");
    refused(repo.create_branch("b\0", None).map(drop), "branch name");
    refused(repo.rename_branch("side", "s\0de"), "branch name");
    refused(repo.tag("t\0", None).map(drop), "tag name");
    refused(
        repo.annotated_tag("t", None, "m\0", "ada", None).map(drop),
        "tag message",
    );
    refused(
        repo.annotated_tag("t", None, "m", "a\0da", None).map(drop),
        "tagger",
    );
    // Look-ups of a name holding NUL find nothing, without asking the store.
    let not_found = |result: Result<(), VcsError>, what: &str| {
        assert!(
            matches!(result, Err(VcsError::NotFound(_))),
            "{what}: {result:?}"
        );
    };
    not_found(repo.resolve("ma\0in").map(drop), "resolve");
    not_found(repo.delete_branch("si\0de"), "delete_branch");
    not_found(repo.rename_branch("si\0de", "other"), "rename_branch");
    not_found(repo.tag_info("t\0").map(drop), "tag_info");
    not_found(repo.reflog("ma\0in", None).map(drop), "reflog");
    assert_eq!(snapshot(repo.store()), before, "nothing was written");

    // Merge checks its author and message too (nothing staged for it).
    repo.commit("second", "ada", None).unwrap();
    not_found(repo.checkout("si\0de").map(drop), "checkout");
    repo.checkout("side").unwrap();
    let before = snapshot(repo.store());
    let none = crate::evolution::Resolutions::default();
    refused(
        repo.merge("main", "a\0", None, &none, None).map(drop),
        "author",
    );
    refused(
        repo.merge("main", "ada", Some("m\0"), &none, None)
            .map(drop),
        "commit message",
    );
    assert_eq!(snapshot(repo.store()), before, "nothing was written");
}
