//! The checks of a store opened from a location: the names it refuses,
//! the format marker it upgrades or refuses, text its columns cannot hold,
//! rows damaged behind its back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{commit_obj, set_ref};
use crate::encoding::ObjectId;
use crate::model::builtin::builtin_protocol;
use crate::model::schema::Schema;
use crate::vcs::error::{StoreErrorKind, VcsError};
use crate::vcs::repository::Repository;
use crate::vcs::store::{Expected, HEAD, RefEdit, RefTarget, STORE_FORMAT, Store, Transaction};
/// One fresh database of a store opened from a location (a new SQLite
/// file, a new PostgreSQL schema), for the checks of opening it and of
/// damage done behind its back. It drops what it made when it goes.
///
/// The SQL hooks are all a check needs: the format marker, for one, is the
/// `format` row of the `meta` table, which [`Database::format`] and
/// [`Database::set_format`] read and write with them, as a build of another
/// format would have left it.
pub trait Database {
    /// The store this database opens.
    type Store: Store;

    /// Opens repository `name` in this database, as the backend's
    /// `open_store(location, name, create)` does.
    ///
    /// # Errors
    /// Whatever opening fails with.
    fn open(&self, name: &str, create: bool) -> Result<Self::Store, VcsError>;

    /// The tables' name prefix (`""` for SQLite, `"panproto_"` for PostgreSQL).
    fn prefix(&self) -> &str;

    /// A blob literal in the database's SQL for these bytes.
    fn blob(&self, bytes: &[u8]) -> String;

    /// Runs statements on the database outside the store.
    fn execute(&self, sql: &str);

    /// The first column of the first row `sql` returns, as text, outside
    /// the store (`None` when there is no row).
    fn query_text(&self, sql: &str) -> Option<String>;

    /// The store format the database records.
    fn format(&self) -> Option<String> {
        let sql = format!(
            "SELECT value FROM {}meta WHERE key = 'format'",
            self.prefix()
        );
        self.query_text(&sql)
    }

    /// Records `value` as the store format, behind the store's back.
    fn set_format(&self, value: &str) {
        let sql = format!(
            "UPDATE {}meta SET value = '{value}' WHERE key = 'format'",
            self.prefix()
        );
        self.execute(&sql);
    }
}

/// The store error in `err`, checking it names the store's backend.
fn store_error_of(store_backend: &str, err: &VcsError) -> crate::vcs::error::StoreError {
    match err {
        VcsError::Store(e) => {
            assert_eq!(e.backend, store_backend, "{err}");
            e.clone()
        }
        other => panic!("expected a store error, got {other:?}"),
    }
}

fn open_err<D: Database>(db: &D, name: &str, create: bool) -> VcsError {
    match db.open(name, create) {
        Ok(_) => panic!("opening {name:?} (create: {create}) should fail"),
        Err(e) => e,
    }
}

/// An empty, blank or NUL-holding repository name is refused before the
/// database is touched, with or without `create`.
pub fn repository_names_are_checked<D: Database>(db: &D) {
    for name in ["", "  ", "\t\n", "a\0b"] {
        for create in [true, false] {
            let err = open_err(db, name, create);
            assert!(
                matches!(
                    err,
                    VcsError::InvalidInput {
                        what: "repository name",
                        ..
                    } | VcsError::NulByte {
                        what: "repository name",
                        ..
                    }
                ),
                "{name:?}: {err:?}"
            );
        }
    }
    let store = db.open("named", true).unwrap();
    assert_eq!(store.info().unwrap(), None);
    assert_eq!(
        db.format(),
        Some(STORE_FORMAT.to_string()),
        "a new database records the current format"
    );
}

/// One database holds many repositories, each found again by its name; a
/// name never created reads as no repository, not as an error.
pub fn many_repositories_in_one_database<D: Database>(db: &D) {
    for name in ["a", "b", "c"] {
        let store = db.open(name, true).unwrap();
        store
            .create(&format!("{{\"name\":\"{name}\"}}"), 1)
            .unwrap();
    }
    for name in ["a", "b", "c"] {
        let info = db.open(name, false).unwrap().info().unwrap().unwrap();
        assert_eq!(info.name, name);
        assert!(info.protocol_json.contains(name));
    }
    assert_eq!(db.open("d", false).unwrap().info().unwrap(), None);
}

/// `repositories` lists every repository of the database with its counts;
/// `delete` removes one whole and nothing of another; `rename` moves one
/// to a free name; each refuses a repository that is not there.
pub fn repositories_are_listed_deleted_and_renamed<D: Database>(db: &D) {
    let p = builtin_protocol("json-schema").unwrap();
    let schema = Schema::builder(p.clone())
        .vertex("root", "object", None)
        .build()
        .unwrap();
    for name in ["keep", "gone"] {
        let mut repo = Repository::init(db.open(name, true).unwrap(), p.clone()).unwrap();
        repo.add(schema.clone()).unwrap();
        repo.commit("first", "ada", Some(1)).unwrap();
        repo.create_branch("side", None).unwrap();
    }
    let listed = db.open("keep", false).unwrap().repositories().unwrap();
    let names: Vec<&str> = listed.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["gone", "keep"]);
    for r in &listed {
        assert_eq!(
            (r.protocol.as_str(), r.commits, r.branches),
            ("json-schema", 1, 2)
        );
        assert!(r.size > 0 && r.created > 0, "{r:?}");
    }
    let gone = db.open("gone", false).unwrap();
    gone.delete().unwrap();
    assert_eq!(gone.info().unwrap(), None);
    assert!(matches!(gone.delete(), Err(VcsError::NotFound(_))));
    assert!(matches!(gone.rename("x"), Err(VcsError::NotFound(_))));
    // The other repository is whole.
    let keep = Repository::open(db.open("keep", false).unwrap()).unwrap();
    assert_eq!(keep.log(None).unwrap().len(), 1);
    assert!(keep.verify().unwrap().problems.is_empty());
    // Its name is free again; a rename onto a taken one is refused.
    db.open("gone", true)
        .unwrap()
        .create("{\"name\":\"x\"}", 2)
        .unwrap();
    let store = db.open("keep", false).unwrap();
    assert!(matches!(
        store.rename("gone"),
        Err(VcsError::AlreadyExists(_))
    ));
    store.rename("kept").unwrap();
    assert_eq!(
        store.info().unwrap(),
        None,
        "a store stays bound to its old name"
    );
    let kept = Repository::open(db.open("kept", false).unwrap()).unwrap();
    assert_eq!(kept.log(None).unwrap().len(), 1);
    let names: Vec<String> = kept
        .store()
        .repositories()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["gone", "kept"]);
}

/// A repository committed to, for the format checks: its log's length.
fn committed<D: Database>(db: &D) -> usize {
    let p = builtin_protocol("json-schema").unwrap();
    let mut repo = Repository::init(db.open("repo", true).unwrap(), p.clone()).unwrap();
    let schema = Schema::builder(p)
        .vertex("root", "object", None)
        .build()
        .unwrap();
    repo.add(schema).unwrap();
    repo.commit("first", "ada", Some(1)).unwrap();
    repo.log(None).unwrap().len()
}

/// A store written by an older format (1: before datasets and tags) opens,
/// is upgraded to the current format on open, and keeps its history.
pub fn an_older_format_is_upgraded_on_open<D: Database>(db: &D) {
    assert_eq!(committed(db), 1);
    db.set_format("1");
    assert_eq!(db.format().as_deref(), Some("1"));
    let store = db.open("repo", false).unwrap();
    assert_eq!(db.format(), Some(STORE_FORMAT.to_string()));
    let repo = Repository::open(store).unwrap();
    assert_eq!(repo.log(None).unwrap().len(), 1);
    assert_eq!(repo.log(None).unwrap()[0].commit.message, "first");
}

/// A store written by a newer format is refused, with or without `create`,
/// by a [`StoreErrorKind::NewerFormat`] that names both formats and what to
/// do; the store is left as it was.
pub fn a_newer_format_is_refused<D: Database>(db: &D) {
    committed(db);
    let backend = db.open("repo", false).unwrap().backend();
    let newer = (STORE_FORMAT + 1).to_string();
    db.set_format(&newer);
    for create in [false, true] {
        let err = open_err(db, "repo", create);
        let e = store_error_of(backend, &err);
        assert_eq!(e.kind, StoreErrorKind::NewerFormat, "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("format {newer}"))
                && msg.contains(&STORE_FORMAT.to_string())
                && msg.contains("upgrade panproto"),
            "{msg}"
        );
    }
    assert_eq!(db.format(), Some(newer), "the marker is not rewritten");
    db.set_format(&STORE_FORMAT.to_string());
    let repo = Repository::open(db.open("repo", false).unwrap()).unwrap();
    assert_eq!(repo.log(None).unwrap().len(), 1, "the history is intact");
}

/// A format marker no panproto writes (not a number, or 0) is damage.
pub fn a_malformed_format_is_corrupt<D: Database>(db: &D) {
    committed(db);
    let backend = db.open("repo", false).unwrap().backend();
    for marker in ["two", "0", ""] {
        db.set_format(marker);
        let err = open_err(db, "repo", false);
        let e = store_error_of(backend, &err);
        assert_eq!(e.kind, StoreErrorKind::Corrupt, "{marker:?}: {err}");
        assert!(err.to_string().contains("format"), "{err}");
    }
}

/// Text a store keeps in a text column (ref names, symbolic targets,
/// reflog messages, the protocol) must not hold a NUL byte: PostgreSQL's
/// `text` cannot, so every store refuses it the same way, naming the field,
/// and writes nothing of the transaction. (Objects are bytes: a commit's
/// message and author travel inside them, and the engine refuses NUL there
/// before it calls a store.)
pub fn text_with_nul_is_refused<D: Database>(db: &D) {
    let store = db.open("nul", true).unwrap();
    let err = store.create("{\"a\":\"\0\"}", 0).unwrap_err();
    assert!(
        matches!(
            err,
            VcsError::NulByte {
                what: "protocol specification",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.info().unwrap(), None, "nothing was created");
    store.create("{}", 0).unwrap();
    let a = commit_obj(None, "a");
    let bad = [
        (
            "ref name",
            set_ref("refs/heads/a\0b", Expected::Absent, a.id),
        ),
        (
            "reflog message",
            RefEdit {
                message: "commit: a\0b".into(),
                ..set_ref("refs/heads/main", Expected::Absent, a.id)
            },
        ),
        (
            "symbolic ref target",
            RefEdit {
                name: HEAD.into(),
                expected: Expected::Any,
                new: Some(RefTarget::Symbolic("refs/heads/\0".into())),
                message: "checkout".into(),
            },
        ),
    ];
    for (what, edit) in bad {
        let err = store
            .apply(&Transaction {
                objects: vec![a.clone()],
                edits: vec![edit],
                timestamp: 0,
            })
            .unwrap_err();
        assert!(
            matches!(&err, VcsError::NulByte { what: w, .. } if *w == what),
            "{what}: {err:?}"
        );
        assert!(err.to_string().contains(what), "{err}");
    }
    assert_eq!(
        store.read_object(&a.id).unwrap(),
        None,
        "nothing was written"
    );
    assert_eq!(store.list_refs("").unwrap().len(), 1, "only HEAD");
}

/// `verify` on a repository whose rows were damaged with SQL reports each
/// damage as a typed problem on the right subject, and never fails.
pub fn verify_reports_damaged_rows<D: Database>(db: &D) {
    use crate::vcs::repository::ProblemKind as K;
    let store = db.open("verify", true).unwrap();
    let p = builtin_protocol("json-schema").unwrap();
    let mut repo = Repository::init(store, p.clone()).unwrap();
    let mut builder = Schema::builder(p).vertex("root", "object", None);
    for i in 0..3 {
        let f = format!("f{i}");
        builder = builder
            .vertex(&f, "string", None)
            .edge("root", &f, "prop", Some(f.clone()));
        repo.add(builder.clone().build().unwrap()).unwrap();
        repo.commit(&format!("c{i}"), "a", Some(i)).unwrap();
    }
    let tag = repo
        .annotated_tag("v1", Some("HEAD~2"), "first", "carol", Some(5))
        .unwrap()
        .annotation
        .unwrap()
        .0;
    let report = repo.verify().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.objects, report.refs), (9, 3));
    let mut log = repo.log(None).unwrap();
    log.reverse();
    let (c0, c1, c2) = (&log[0], &log[1], &log[2]);
    let m1 = c1.commit.migration.unwrap();
    let m2 = c2.commit.migration.unwrap();
    let t = db.prefix();
    let b = |bytes: &[u8]| db.blob(bytes);
    let repo_id = format!(
        "(SELECT id FROM {t}repositories WHERE name = '{}')",
        repo.name()
    );
    let object = |id: &ObjectId| format!("repo = {repo_id} AND id = {}", b(id.as_bytes()));
    let mut s0_data = repo
        .store()
        .read_object(&c0.commit.schema)
        .unwrap()
        .unwrap()
        .data;
    assert_eq!(s0_data[0], 0, "a small schema is stored uncompressed");
    s0_data.push(b' ');
    db.execute(&format!(
        // A schema's JSON with a space appended: it reads, only the hash tells.
        "UPDATE {t}objects SET data = {s0_data} WHERE {s0};
         UPDATE {t}objects SET kind = 99 WHERE {m2};
         UPDATE {t}objects SET parent = {c1id} WHERE {c1};
         DELETE FROM {t}objects WHERE {s1};
         UPDATE {t}objects SET id = {short} WHERE {tag};
         UPDATE {t}objects SET data = {garbage} WHERE {c2};
         INSERT INTO {t}refs (repo, name, target) VALUES ({repo_id}, 'refs/heads/lost', {ghost});",
        s0_data = b(&s0_data),
        s0 = object(&c0.commit.schema),
        m2 = object(&m2),
        c1id = b(c1.id.as_bytes()),
        c1 = object(&c1.id),
        s1 = object(&c1.commit.schema),
        short = b(&[0xab, 0xcd, 0xef]),
        tag = object(&tag),
        garbage = b(&[1, 2]),
        c2 = object(&c2.id),
        ghost = b(ObjectId::hash(b"ghost").as_bytes()),
    ));
    let report = repo.verify().unwrap();
    let mut found: Vec<(K, String)> = report
        .problems
        .iter()
        .map(|p| (p.kind, p.subject.clone()))
        .collect();
    found.sort();
    let mut expected = vec![
        (K::HashMismatch, c0.commit.schema.to_hex()),
        (K::CorruptObject, m2.to_hex()),
        (K::ParentMismatch, c1.id.to_hex()),
        (K::MissingObject, c1.id.to_hex()),
        (K::MissingObject, m1.to_hex()),
        (K::CorruptObject, "abcdef".to_owned()),
        (K::BadRef, "refs/tags/v1".to_owned()),
        (K::CorruptObject, c2.id.to_hex()),
        (K::BadRef, "refs/heads/main".to_owned()),
        (K::BadRef, "refs/heads/lost".to_owned()),
    ];
    expected.sort();
    assert_eq!(found, expected, "{:#?}", report.problems);
    assert_eq!(report.objects, 8, "the deleted schema is gone");
    for problem in &report.problems {
        assert!(!problem.message.is_empty());
    }
    let unknown = report
        .problems
        .iter()
        .find(|p| p.kind == K::CorruptObject && p.subject == m2.to_hex())
        .unwrap();
    assert!(unknown.message.contains("99"), "{unknown}");
    // A ref row that is not an id makes the refs unreadable: still a report.
    db.execute(&format!(
        "INSERT INTO {t}refs (repo, name, target) VALUES ({repo_id}, 'refs/heads/short', {});",
        b(&[7, 7, 7])
    ));
    let report = repo.verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.kind == K::BadRef && p.subject == "refs"),
        "{:#?}",
        report.problems
    );
}
