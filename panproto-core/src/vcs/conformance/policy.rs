//! Compatibility policies over any store: kept per branch and per
//! repository, seen by every client, enforced at commit (refused, or
//! overridden with a reason that the commit keeps), transitively when the
//! mode says so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use crate::evolution::{Direction, Mode, Resolutions, Side};
use crate::formats::{Format, FormatOptions, Source};
use crate::model::builtin::builtin_protocol;
use crate::model::schema::Schema;
use crate::vcs::error::VcsError;
use crate::vcs::repository::{PolicyScope, Repository};
use crate::vcs::store::Store;

/// An Avro record `User` with these fields (JSON text each).
fn user(fields: &[&str]) -> Schema {
    let text = format!(
        r#"{{"type": "record", "name": "User", "fields": [{}]}}"#,
        fields.join(", ")
    );
    Format::Avro
        .parse(
            &Source::from_text("user.avsc", &text),
            &FormatOptions::default(),
        )
        .unwrap()
}

fn avro_repo<S: Store>(store: S) -> Repository<S> {
    let clock = Arc::new(|| 1_000);
    Repository::init(store, builtin_protocol("avro").unwrap())
        .unwrap()
        .with_clock(clock)
}

/// A branch's policy wins over the repository's; every client reads the
/// same; clearing one falls back to the other; `verify` accepts them.
pub fn policies_are_kept_per_branch_and_repository<S: Store>(
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    let repo = avro_repo(make());
    assert!(repo.policy("main").unwrap().is_none());
    repo.set_policy(Mode::Backward, None, "ada").unwrap();
    let set = repo
        .set_policy(Mode::FullTransitive, Some("main"), "bob")
        .unwrap();
    assert_eq!(set.scope, PolicyScope::Branch("main".into()));
    let other = Repository::open(reopen(repo.store())).unwrap();
    let main = other.policy("main").unwrap().unwrap();
    assert_eq!(
        (main.policy.mode, main.policy.author.as_str()),
        (Mode::FullTransitive, "bob")
    );
    let dev = other.policy("dev").unwrap().unwrap();
    assert_eq!(
        (dev.scope, dev.policy.mode),
        (PolicyScope::Repository, Mode::Backward)
    );
    let all: Vec<(PolicyScope, Mode)> = other
        .policies()
        .unwrap()
        .into_iter()
        .map(|p| (p.scope, p.policy.mode))
        .collect();
    assert_eq!(
        all,
        [
            (PolicyScope::Repository, Mode::Backward),
            (PolicyScope::Branch("main".into()), Mode::FullTransitive)
        ]
    );
    let report = other.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert!(repo.clear_policy(Some("main")).unwrap());
    assert!(!repo.clear_policy(Some("main")).unwrap());
    assert_eq!(
        other.policy("main").unwrap().unwrap().policy.mode,
        Mode::Backward
    );
    let err = repo
        .set_policy(Mode::Full, Some("bad name"), "ada")
        .unwrap_err();
    assert!(matches!(err, VcsError::InvalidInput { .. }), "{err:?}");
}

/// A commit breaking its branch's policy is refused with every violation
/// and nothing written; with a reason it lands and keeps the reason.
pub fn a_commit_breaking_the_policy_is_refused_unless_overridden<S: Store>(
    make: impl Fn() -> S,
    reopen: impl Fn(&S) -> S,
) {
    let mut repo = avro_repo(make());
    repo.add(user(&[r#"{"name": "id", "type": "long"}"#]))
        .unwrap();
    let first = repo.commit("v1", "ada", None).unwrap();
    repo.set_policy(Mode::Backward, Some("main"), "ada")
        .unwrap();
    // A field without a default: new readers cannot read old data.
    let v2 = user(&[
        r#"{"name": "id", "type": "long"}"#,
        r#"{"name": "email", "type": "string"}"#,
    ]);
    repo.add(v2.clone()).unwrap();
    let err = repo.commit("v2", "ada", None).unwrap_err();
    let VcsError::Incompatible {
        branch,
        mode,
        violations,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((branch.as_str(), *mode), ("main", Mode::Backward));
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].against, first);
    assert_eq!(violations[0].direction, Direction::Backward);
    assert_eq!(violations[0].finding.path, "record User field email");
    assert!(err.to_string().contains("record User field email"), "{err}");
    assert_eq!(repo.head_commit().unwrap(), Some(first), "nothing written");
    assert_eq!(repo.staged().unwrap().schema, v2, "the stage is kept");
    // Forward, the same change breaks nothing: old readers skip the field.
    repo.set_policy(Mode::Forward, Some("main"), "ada").unwrap();
    let forward = repo.check_history(&v2, &first, Mode::Forward).unwrap();
    assert!(forward.compatible());
    repo.set_policy(Mode::Backward, Some("main"), "ada")
        .unwrap();
    let err = repo
        .commit_allowing("v2", "ada", None, Some(""))
        .unwrap_err();
    assert!(matches!(err, VcsError::InvalidInput { .. }), "{err:?}");
    let second = repo
        .commit_allowing("v2", "ada", None, Some("readers are upgraded"))
        .unwrap();
    let other = Repository::open(reopen(repo.store())).unwrap();
    let log = other.log(None).unwrap();
    assert_eq!(log[0].id, second);
    assert_eq!(
        log[0].commit.allow_breaking.as_deref(),
        Some("readers are upgraded")
    );
    assert_eq!(log[1].commit.allow_breaking, None);
}

/// A `_TRANSITIVE` mode checks against every earlier version on the
/// first-parent chain: a change compatible with the last version but not
/// with the first is refused by it and let through by the plain mode.
pub fn transitive_policies_check_every_earlier_version<S: Store>(make: impl Fn() -> S) {
    let mut repo = avro_repo(make());
    let v1 = user(&[r#"{"name": "x", "type": "int"}"#]);
    repo.add(v1).unwrap();
    let first = repo.commit("v1", "ada", None).unwrap();
    // x removed: new readers skip it in old data.
    repo.add(user(&[])).unwrap();
    let second = repo.commit("v2", "ada", None).unwrap();
    // x again, as a string with a default: v2's data lacks it (the default
    // fills it), but v1's data holds an int, which a string cannot read.
    let v3 = user(&[r#"{"name": "x", "type": "string", "default": ""}"#]);
    let plain = repo.check_history(&v3, &second, Mode::Backward).unwrap();
    assert!(plain.compatible(), "{:?}", plain.violations());
    let transitive = repo
        .check_history(&v3, &second, Mode::BackwardTransitive)
        .unwrap();
    assert_eq!(transitive.checked.len(), 2);
    let violations = transitive.violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].against, first);
    repo.set_policy(Mode::BackwardTransitive, None, "ada")
        .unwrap();
    repo.add(v3).unwrap();
    let err = repo.commit("v3", "ada", None).unwrap_err();
    assert!(matches!(err, VcsError::Incompatible { .. }), "{err:?}");
    repo.set_policy(Mode::Backward, None, "ada").unwrap();
    repo.commit("v3", "ada", None).unwrap();
}

/// A merge obeys the policy of the branch it goes into, as a commit does:
/// a fast-forward and a three-way merge that would break it are refused
/// (nothing moves); with a reason the merge commit is made and keeps it.
pub fn a_merge_breaking_the_policy_is_refused_unless_overridden<S: Store>(make: impl Fn() -> S) {
    let id = r#"{"name": "id", "type": "long"}"#;
    let mut repo = avro_repo(make());
    repo.add(user(&[id])).unwrap();
    repo.commit("v1", "ada", None).unwrap();
    repo.create_branch("dev", None).unwrap();
    repo.checkout("dev").unwrap();
    repo.add(user(&[id, r#"{"name": "email", "type": "string"}"#]))
        .unwrap();
    repo.commit("email, no default", "ada", None).unwrap();
    repo.set_policy(Mode::Backward, Some("main"), "ada")
        .unwrap();
    repo.checkout("main").unwrap();
    let before = repo.head_commit().unwrap();
    let err = repo
        .merge("dev", "ada", None, &Default::default(), None)
        .unwrap_err();
    assert!(matches!(err, VcsError::Incompatible { .. }), "{err:?}");
    assert_eq!(repo.head_commit().unwrap(), before, "no fast-forward");
    // Diverge: main gains a field with a default, which keeps the policy.
    repo.add(user(&[
        id,
        r#"{"name": "age", "type": "int", "default": 0}"#,
    ]))
    .unwrap();
    let ours = repo.commit("age", "ada", None).unwrap();
    // Both sides appended a field: the record's field order conflicts,
    // and theirs is taken.
    let theirs = Resolutions::all(Side::Theirs);
    let err = repo.merge("dev", "ada", None, &theirs, None).unwrap_err();
    let VcsError::Incompatible { violations, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(violations[0].finding.path, "record User field email");
    assert_eq!(repo.head_commit().unwrap(), Some(ours), "no merge commit");
    let merged = repo
        .merge_allowing(
            "dev",
            "ada",
            None,
            &theirs,
            None,
            Some("email readers first"),
        )
        .unwrap();
    let log = repo.log(Some(1)).unwrap();
    assert!(matches!(
        merged,
        crate::vcs::repository::Merged::Commit { .. }
    ));
    assert_eq!(log[0].id, merged.head());
    assert_eq!(log[0].commit.parents.len(), 2);
    assert_eq!(
        log[0].commit.allow_breaking.as_deref(),
        Some("email readers first")
    );
}
