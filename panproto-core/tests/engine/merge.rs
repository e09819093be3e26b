//! Merging branches and rebasing staged work, through a repository.

use panproto_core::vcs::memory::MemoryStore;
use panproto_core::vcs::store::Store;
use panproto_core::{
    ConflictKind, MergeElement, Merged, Migrator, ObjectId, Rebased, Repository, Resolutions,
    Schema, Side, VcsError,
};

use crate::common::{commit_at, js, memory_repo, props as schema};

fn commit(repo: &mut Repository<MemoryStore>, s: Schema, msg: &str, t: i64) -> ObjectId {
    commit_at(repo, Some(s), msg, t)
}

/// main: base(a) -> main(a, m); feature: base(a) -> feature(a, f).
fn diverged() -> (Repository<MemoryStore>, ObjectId, ObjectId, ObjectId) {
    let mut repo = memory_repo("m", js());
    let base = commit(&mut repo, schema(&["a"], &[]), "base", 1);
    repo.create_branch("feature", None).unwrap();
    let main = commit(&mut repo, schema(&["a", "m"], &[]), "main work", 2);
    repo.checkout("feature").unwrap();
    let feature = commit(&mut repo, schema(&["a", "f"], &[]), "feature work", 3);
    repo.checkout("main").unwrap();
    (repo, base, main, feature)
}

fn no_resolutions() -> Resolutions {
    Resolutions::default()
}

#[test]
fn merge_base_is_the_fork_point() {
    let (repo, base, main, feature) = diverged();
    assert_eq!(repo.merge_base(&main, &feature).unwrap(), Some(base));
    assert_eq!(repo.merge_base(&feature, &main).unwrap(), Some(base));
    assert_eq!(repo.merge_base(&main, &base).unwrap(), Some(base));
    assert_eq!(repo.merge_base(&main, &main).unwrap(), Some(main));
}

#[test]
fn a_branch_behind_fast_forwards_and_one_ahead_is_up_to_date() {
    let mut repo = Repository::init(MemoryStore::new("ff"), js()).unwrap();
    commit(&mut repo, schema(&["a"], &[]), "one", 1);
    repo.create_branch("feature", None).unwrap();
    repo.checkout("feature").unwrap();
    let ahead = commit(&mut repo, schema(&["a", "b"], &[]), "two", 2);
    repo.checkout("main").unwrap();
    let done = repo
        .merge("feature", "tester", None, &no_resolutions(), None)
        .unwrap();
    assert_eq!(done, Merged::FastForward(ahead));
    assert_eq!(repo.resolve("main").unwrap(), ahead);
    assert_eq!(
        repo.merge("feature", "tester", None, &no_resolutions(), None)
            .unwrap(),
        Merged::UpToDate(ahead)
    );
    let reflog = repo.store().reflog("refs/heads/main", Some(1)).unwrap();
    assert_eq!(reflog[0].message, "merge feature: fast-forward");
}

#[test]
fn diverged_branches_merge_into_a_commit_with_two_parents_and_two_migrations() {
    let (mut repo, _, main, feature) = diverged();
    let Merged::Commit { id, resolved } = repo
        .merge("feature", "tester", None, &no_resolutions(), Some(4))
        .unwrap()
    else {
        panic!("expected a merge commit");
    };
    assert!(resolved.is_empty());
    let info = &repo.log(Some(1)).unwrap()[0];
    assert_eq!(info.id, id);
    assert_eq!(info.commit.parents, [main, feature]);
    assert_eq!(info.commit.message, "merge feature into main");
    assert_eq!(info.commit.merge_migrations.len(), 1);
    assert_eq!(repo.schema_of(&id).unwrap(), schema(&["a", "f", "m"], &[]));
    // The migration from the first parent lifts main's records into the merge.
    let Some(Migrator::Mapping(m)) = repo.migration_of("HEAD").unwrap() else {
        panic!("a merge's migration is a mapping")
    };
    let lifted = m
        .lift(serde_json::json!({"a": "x", "m": "y"}).into(), None)
        .unwrap();
    assert_eq!(lifted, serde_json::json!({"a": "x", "m": "y"}).into());
    assert_eq!(
        info.commit.compatibility.as_deref(),
        Some("backward-compatible"),
        "main gained a property"
    );
}

#[test]
fn conflicts_write_nothing_until_resolved() {
    let mut repo = Repository::init(MemoryStore::new("c"), js()).unwrap();
    commit(&mut repo, schema(&["a"], &[]), "base", 1);
    repo.create_branch("feature", None).unwrap();
    let main = commit(&mut repo, schema(&["a"], &[("a", "10")]), "ten", 2);
    repo.checkout("feature").unwrap();
    commit(&mut repo, schema(&["a"], &[("a", "20")]), "twenty", 3);
    repo.checkout("main").unwrap();

    let err = repo
        .merge("feature", "tester", None, &no_resolutions(), None)
        .unwrap_err();
    let VcsError::MergeConflicts(conflicts) = &err else {
        panic!("expected conflicts, got {err}");
    };
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].kind, ConflictKind::BothChanged);
    assert_eq!(conflicts[0].element.to_string(), "root.a.maxLength");
    assert_eq!(conflicts[0].ours.as_deref(), Some("10"));
    assert_eq!(conflicts[0].theirs.as_deref(), Some("20"));
    assert!(err.to_string().contains("root.a.maxLength"), "{err}");
    assert_eq!(repo.resolve("main").unwrap(), main, "nothing moved");

    let theirs = Resolutions::from_names([("root.a.maxLength".to_owned(), Side::Theirs)], None);
    let done = repo
        .merge("feature", "tester", Some("take 20"), &theirs, None)
        .unwrap();
    let Merged::Commit { id, resolved } = done else {
        panic!("expected a merge commit");
    };
    assert_eq!(resolved.len(), 1);
    assert_eq!(repo.schema_of(&id).unwrap(), schema(&["a"], &[("a", "20")]));
}

#[test]
fn merging_either_way_gives_the_same_schema() {
    let (mut repo, _, _, _) = diverged();
    let one = repo
        .merge("feature", "tester", None, &no_resolutions(), None)
        .unwrap()
        .head();
    let (mut other, _, _, _) = diverged();
    other.checkout("feature").unwrap();
    let two = other
        .merge("main", "tester", None, &no_resolutions(), None)
        .unwrap()
        .head();
    assert_eq!(
        repo.schema_of(&one).unwrap(),
        other.schema_of(&two).unwrap()
    );
}

#[test]
fn merge_is_refused_while_staged_or_detached() {
    let (mut repo, base, _, _) = diverged();
    repo.add(schema(&["z"], &[])).unwrap();
    assert!(matches!(
        repo.merge("feature", "tester", None, &no_resolutions(), None),
        Err(VcsError::InvalidInput { what: "merge", .. })
    ));
    let mut repo = diverged().0;
    repo.checkout(&base.to_hex()).unwrap();
    assert!(matches!(
        repo.merge("feature", "tester", None, &no_resolutions(), None),
        Err(VcsError::InvalidInput { what: "merge", .. })
    ));
    assert!(matches!(
        diverged()
            .0
            .merge("nowhere", "tester", None, &no_resolutions(), None),
        Err(VcsError::NotFound(_))
    ));
}

#[test]
fn a_client_whose_branch_moved_rebases_its_staged_work_and_commits() {
    let store = MemoryStore::new("r");
    let mut alice = Repository::init(store.clone(), js()).unwrap();
    commit(&mut alice, schema(&["a"], &[]), "base", 1);
    let mut bob = Repository::open(store).unwrap();

    alice.add(schema(&["a", "x"], &[])).unwrap();
    let bobs = commit(&mut bob, schema(&["a", "y"], &[]), "bob", 2);
    assert!(matches!(
        alice.commit("alice", "alice", Some(3)),
        Err(VcsError::Conflict { .. })
    ));
    let rebased = alice.rebase(&no_resolutions()).unwrap();
    assert_eq!(
        rebased,
        Rebased::Onto {
            head: bobs,
            resolved: Vec::new()
        }
    );
    assert_eq!(alice.rebase(&no_resolutions()).unwrap(), Rebased::UpToDate);
    let id = alice.commit("alice", "alice", Some(3)).unwrap();
    assert_eq!(alice.schema_of(&id).unwrap(), schema(&["a", "x", "y"], &[]));
    assert_eq!(alice.log(None).unwrap().len(), 3);
}

#[test]
fn a_conflicting_rebase_keeps_the_staged_work() {
    let store = MemoryStore::new("rc");
    let mut alice = Repository::init(store.clone(), js()).unwrap();
    let base = commit(&mut alice, schema(&["a"], &[]), "base", 1);
    let mut bob = Repository::open(store).unwrap();
    let mine = schema(&["a"], &[("a", "5")]);
    alice.add(mine.clone()).unwrap();
    commit(&mut bob, schema(&["a"], &[("a", "50")]), "bob", 2);

    let err = alice.rebase(&no_resolutions()).unwrap_err();
    assert!(
        matches!(err, VcsError::MergeConflicts(ref c) if c.len() == 1),
        "{err}"
    );
    let staged = alice.staged().unwrap();
    assert_eq!(staged.schema, mine);
    assert_eq!(staged.base, Some(base));

    alice.rebase(&Resolutions::all(Side::Theirs)).unwrap();
    let id = alice.commit("mine wins", "alice", Some(3)).unwrap();
    assert_eq!(alice.schema_of(&id).unwrap(), mine);
}

#[test]
fn rebase_with_nothing_staged_is_an_error() {
    let (mut repo, _, _, _) = diverged();
    assert!(matches!(
        repo.rebase(&no_resolutions()),
        Err(VcsError::NothingStaged)
    ));
}

#[test]
fn a_merge_commit_keeps_a_migration_from_each_parent() {
    let (mut repo, _, _, _) = diverged();
    repo.merge("feature", "tester", None, &no_resolutions(), None)
        .unwrap();
    let Some(Migrator::Mapping(from_feature)) = repo.migration_from_parent("HEAD", 1).unwrap()
    else {
        panic!("a merge's migration is a mapping")
    };
    assert_eq!(
        from_feature
            .lift(serde_json::json!({"a": "x", "f": "y"}).into(), None)
            .unwrap(),
        serde_json::json!({"a": "x", "f": "y"}).into()
    );
    assert_eq!(from_feature.source(), &schema(&["a", "f"], &[]));
    assert!(matches!(
        repo.migration_from_parent("HEAD", 2),
        Err(VcsError::NotFound(_))
    ));
}

#[test]
fn rebased_work_is_staged_on_the_head_it_was_merged_with() {
    let store = MemoryStore::new("rr");
    let mut alice = Repository::init(store.clone(), js()).unwrap();
    commit(&mut alice, schema(&["a"], &[]), "base", 1);
    let mut bob = Repository::open(store).unwrap();
    alice.add(schema(&["a", "x"], &[])).unwrap();
    let first = commit(&mut bob, schema(&["a", "y"], &[]), "bob 1", 2);
    alice.rebase(&no_resolutions()).unwrap();
    assert_eq!(alice.staged().unwrap().base, Some(first));
    commit(&mut bob, schema(&["a", "y", "z"], &[]), "bob 2", 3);
    assert!(
        matches!(
            alice.commit("alice", "alice", Some(4)),
            Err(VcsError::Conflict { .. })
        ),
        "bob's second commit is not silently overwritten"
    );
    alice.rebase(&no_resolutions()).unwrap();
    let id = alice.commit("alice", "alice", Some(4)).unwrap();
    assert_eq!(
        alice.schema_of(&id).unwrap(),
        schema(&["a", "x", "y", "z"], &[])
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;
    use panproto_core::{MergeOutcome, merge_schemas};

    const PROPS: [&str; 5] = ["a", "b", "c", "d", "e"];
    const LIMITS: [&str; 3] = ["10", "20", "30"];

    /// A version: which properties exist, and the maxLength of each (if any).
    fn version() -> impl Strategy<Value = Schema> {
        proptest::collection::vec((any::<bool>(), 0..4usize), PROPS.len()).prop_map(|picks| {
            let props: Vec<&str> = PROPS
                .iter()
                .zip(&picks)
                .filter(|(_, (keep, _))| *keep)
                .map(|(p, _)| *p)
                .collect();
            let limits: Vec<(&str, &str)> = PROPS
                .iter()
                .zip(&picks)
                .filter(|(_, (keep, l))| *keep && *l < LIMITS.len())
                .map(|(p, (_, l))| (*p, LIMITS[*l]))
                .collect();
            schema(&props, &limits)
        })
    }

    fn side() -> impl Strategy<Value = Option<Side>> {
        prop_oneof![Just(None), Just(Some(Side::Ours)), Just(Some(Side::Theirs))]
    }

    proptest! {
        #[test]
        fn merging_is_symmetric_and_trivial_merges_are_exact(
            base in version(), ours in version(), theirs in version(), default in side()
        ) {
            let r = Resolutions { default, ..Resolutions::default() };
            let one = merge_schemas(&base, &ours, &theirs, &r).unwrap();
            let two = merge_schemas(&base, &theirs, &ours, &r.swapped()).unwrap();
            match (one, two) {
                (MergeOutcome::Merged { schema: a, .. }, MergeOutcome::Merged { schema: b, .. }) => {
                    prop_assert_eq!(a, b)
                }
                (MergeOutcome::Conflicts(a), MergeOutcome::Conflicts(b)) => {
                    prop_assert_eq!(a.iter().map(|c| c.swapped()).collect::<Vec<_>>(), b)
                }
                (a, b) => prop_assert!(false, "asymmetric: {a:?} vs {b:?}"),
            }
            let none = Resolutions::default();
            let unchanged = |o: MergeOutcome| match o {
                MergeOutcome::Merged { schema, resolved } if resolved.is_empty() => Some(schema),
                _ => None,
            };
            prop_assert_eq!(unchanged(merge_schemas(&base, &base, &theirs, &none).unwrap()), Some(theirs.clone()));
            prop_assert_eq!(unchanged(merge_schemas(&base, &ours, &base, &none).unwrap()), Some(ours.clone()));
            prop_assert_eq!(unchanged(merge_schemas(&base, &ours, &ours, &none).unwrap()), Some(ours.clone()));
        }
    }
}

mod datasets {
    use panproto_core::Value;
    use serde_json::json;

    use super::*;

    fn rows(values: &[&str]) -> Vec<Value> {
        values
            .iter()
            .map(|v| Value::from(json!({"a": v})))
            .collect()
    }

    fn read(repo: &Repository<MemoryStore>, at: &str) -> Vec<Value> {
        repo.data_at(at, "people")
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// base(a) with data; main adds a field, feature adds another.
    fn diverged_with_data() -> Repository<MemoryStore> {
        let mut repo = Repository::init(MemoryStore::new("d"), js()).unwrap();
        repo.add(schema(&["a"], &[])).unwrap();
        repo.add_data("people", rows(&["x", "y"]), None).unwrap();
        repo.commit("base", "t", Some(1)).unwrap();
        repo.create_branch("feature", None).unwrap();
        commit(&mut repo, schema(&["a", "m"], &[]), "main", 2);
        repo.checkout("feature").unwrap();
        commit(&mut repo, schema(&["a", "f"], &[]), "feature", 3);
        repo.checkout("main").unwrap();
        repo
    }

    #[test]
    fn a_merge_carries_datasets_into_the_merged_schema() {
        let mut repo = diverged_with_data();
        repo.merge("feature", "t", None, &no_resolutions(), Some(4))
            .unwrap();
        assert_eq!(read(&repo, "HEAD"), rows(&["x", "y"]));
        let head = repo.log(Some(1)).unwrap()[0].commit.clone();
        assert_eq!(head.parents.len(), 2);
        assert_eq!(head.datasets.len(), 1);
    }

    #[test]
    fn both_sides_changing_a_dataset_is_a_conflict_settled_per_dataset() {
        let mut repo = diverged_with_data();
        repo.add_data("people", rows(&["main"]), None).unwrap();
        repo.commit("main data", "t", Some(5)).unwrap();
        repo.checkout("feature").unwrap();
        repo.add_data("people", rows(&["feature"]), None).unwrap();
        repo.commit("feature data", "t", Some(6)).unwrap();
        repo.checkout("main").unwrap();
        let err = repo
            .merge("feature", "t", None, &no_resolutions(), Some(7))
            .unwrap_err();
        let VcsError::MergeConflicts(conflicts) = &err else {
            panic!("{err}")
        };
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].element, MergeElement::Dataset("people".into()));
        let bogus = Resolutions::from_names([("dataset:nobody".to_owned(), Side::Ours)], None);
        assert!(matches!(
            repo.merge("feature", "t", None, &bogus, Some(7)),
            Err(VcsError::InvalidInput { .. })
        ));
        let theirs = Resolutions::from_names([("dataset:people".to_owned(), Side::Theirs)], None);
        repo.merge("feature", "t", None, &theirs, Some(7)).unwrap();
        assert_eq!(read(&repo, "HEAD"), rows(&["feature"]));
    }

    #[test]
    fn rebasing_staged_data_over_new_data_is_a_conflict() {
        let store = MemoryStore::new("dr");
        let mut alice = Repository::init(store.clone(), js()).unwrap();
        alice.add(schema(&["a"], &[])).unwrap();
        alice.add_data("people", rows(&["x"]), None).unwrap();
        alice.commit("base", "t", Some(1)).unwrap();
        let mut bob = Repository::open(store).unwrap();
        alice.add_data("people", rows(&["alice"]), None).unwrap();
        bob.add_data("people", rows(&["bob"]), None).unwrap();
        bob.commit("bob's data", "bob", Some(2)).unwrap();
        assert!(matches!(
            alice.commit("alice's data", "alice", Some(3)),
            Err(VcsError::Conflict { .. })
        ));
        let err = alice.rebase(&no_resolutions()).unwrap_err();
        assert!(
            matches!(&err, VcsError::MergeConflicts(c) if c[0].element.to_string() == "dataset:people"),
            "{err}"
        );
        alice.rebase(&Resolutions::all(Side::Theirs)).unwrap();
        alice.commit("alice's data", "alice", Some(3)).unwrap();
        assert_eq!(read(&alice, "HEAD"), rows(&["alice"]));
        assert_eq!(read(&alice, "HEAD~1"), rows(&["bob"]));
    }
}

/// The graph of a merged branch, as `git log --graph` draws it; a tag on
/// a commit of no branch adds its own lane.
#[test]
fn the_graph_draws_forks_and_joins() {
    let (mut repo, base, _, _) = diverged();
    repo.merge("feature", "tester", None, &no_resolutions(), Some(10))
        .unwrap();
    let lines = repo.graph(None).unwrap();
    let drawn: Vec<String> = lines
        .iter()
        .map(|l| match &l.commit {
            Some(c) => format!(
                "{} {}",
                l.glyphs,
                c.commit.message.lines().next().unwrap_or("")
            ),
            None => l.glyphs.clone(),
        })
        .collect();
    assert_eq!(drawn[1], "|\\", "{drawn:#?}");
    assert!(drawn[0].starts_with("* "), "{drawn:#?}");
    assert_eq!(drawn[drawn.len() - 2], "|/", "{drawn:#?}");
    assert_eq!(lines.last().unwrap().commit.as_ref().unwrap().id, base);
    assert_eq!(lines.iter().filter(|l| l.commit.is_some()).count(), 4);
    // The middle rows show both lanes: one commit on each.
    let middle: Vec<&str> = drawn[2..4].iter().map(|l| &l[..3]).collect();
    assert_eq!(middle, ["| *", "* |"], "{drawn:#?}");
    assert_eq!(
        repo.graph(Some(2))
            .unwrap()
            .iter()
            .filter(|l| l.commit.is_some())
            .count(),
        2
    );
}
