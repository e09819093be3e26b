//! `verify`: the integrity check of a repository (`panproto fsck`).
//!
//! It re-hashes every object, decodes it, checks that every id an object
//! refers to exists with the right kind, that the first-parent column a
//! store keeps for fast history walks agrees with each commit's body, and
//! that every ref points at a commit (tags: at a commit or a tag object).
//! Damage is *reported*, never raised: a garbage row is one [`Problem`] and
//! the check goes on. Only a store that cannot be read at all (the server
//! is gone) makes `verify` fail.
//!
//! It is safe while other clients commit: refs are read before objects are
//! scanned (objects are written with, or before, the refs that reach them,
//! and are never deleted), and an id the scan did not see is looked up once
//! more before it is reported missing, since an object written during the
//! scan may sort before the scan's position.

use std::collections::HashMap;
use std::fmt;

use crate::encoding::ObjectId;
use crate::vcs::error::{StoreError, StoreErrorKind, VcsError};
use crate::vcs::object::{self, Commit, ObjectKind, Reference, StoredObject};
use crate::vcs::store::{HEAD, RefTarget, Store};

use super::{HEADS, Repository, refs::TAGS};

/// How many objects `verify` reads per store query.
const PAGE: usize = 256;

/// What kind of damage a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The row does not read as an object: a bad id, an unknown kind, data
    /// that does not decompress, a header of another kind.
    CorruptObject,
    /// The object reads, but its content does not hash to its id.
    HashMismatch,
    /// The content is not a valid object of its kind (a schema that does
    /// not validate against the protocol, JSON of the wrong shape).
    Undecodable,
    /// An object refers to an id the store does not hold.
    MissingObject,
    /// An object refers to an object of another kind than the reference needs.
    WrongKind,
    /// A commit's stored first-parent column disagrees with its body (or a
    /// non-commit has one): history walks would take a wrong path.
    ParentMismatch,
    /// A ref points at nothing, at a damaged object, or at something that
    /// is not a commit (a tag also may point at a tag object).
    BadRef,
}

impl ProblemKind {
    /// Every kind, in declaration order (what `list_kinds()` reports).
    pub const ALL: &'static [Self] = &[
        Self::CorruptObject,
        Self::HashMismatch,
        Self::Undecodable,
        Self::MissingObject,
        Self::WrongKind,
        Self::ParentMismatch,
        Self::BadRef,
    ];

    /// The kind's stable name, e.g. `hash-mismatch`.
    pub fn code(self) -> &'static str {
        match self {
            Self::CorruptObject => "corrupt-object",
            Self::HashMismatch => "hash-mismatch",
            Self::Undecodable => "undecodable",
            Self::MissingObject => "missing-object",
            Self::WrongKind => "wrong-kind",
            Self::ParentMismatch => "parent-mismatch",
            Self::BadRef => "bad-ref",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One thing `verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of damage.
    pub kind: ProblemKind,
    /// Where: the damaged object's id in hex (the raw id column in hex for
    /// a row whose id is malformed), or the ref's full name.
    pub subject: String,
    /// What exactly is wrong, for people.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.kind, self.subject, self.message)
    }
}

/// What [`Repository::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// How many object rows were checked.
    pub objects: usize,
    /// How many refs were checked.
    pub refs: usize,
    /// Everything wrong, objects first (in id order), then refs.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a store error is damage to report rather than a failure to read.
fn is_damage(e: &StoreError) -> bool {
    e.kind == StoreErrorKind::Corrupt
}

/// The objects seen so far: `Some(kind)` for a readable row, `None` for a
/// row with a well-formed id whose content is damaged (already reported).
type Seen = HashMap<ObjectId, Option<ObjectKind>>;

impl<S: Store> Repository<S> {
    /// Checks the integrity of the whole repository; see the module docs.
    ///
    /// # Errors
    /// Only when the store cannot be read (e.g. the connection is lost);
    /// damage is reported in the [`VerifyReport`].
    pub fn verify(&self) -> Result<VerifyReport, VcsError> {
        self.verify_with(&mut |_, _| {})
    }

    /// As [`verify`](Self::verify), calling `progress(done, total)` as each
    /// page of objects is checked, in bytes as stored (`total` is the
    /// repository's stored size, as [`Store::repositories`] gives it; 0 if
    /// the store cannot say).
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_with(
        &self,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<VerifyReport, VcsError> {
        let total = self
            .store
            .repositories()
            .ok()
            .and_then(|all| all.into_iter().find(|r| r.name == self.info.name))
            .map_or(0, |r| r.size);
        let mut done = 0u64;
        let mut report = VerifyReport::default();
        // Refs first: every object they reach is then already stored.
        let refs = match self.store.list_refs("") {
            Ok(refs) => refs,
            Err(e) if is_damage(&e) => {
                report.problems.push(Problem {
                    kind: ProblemKind::BadRef,
                    subject: "refs".to_owned(),
                    message: format!("the refs cannot be read: {}", e.message),
                });
                Vec::new()
            }
            Err(e) => return Err(e.into()),
        };
        let mut seen = Seen::new();
        let mut wanted: Vec<(ObjectId, Reference)> = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            progress(done, total.max(done));
            let page = self.store.scan_objects(after.as_deref(), PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            for row in page {
                report.objects += 1;
                match row.object {
                    Ok(obj) => {
                        done += obj.data.len() as u64;
                        let kind = self.check_object(&obj, &mut wanted, &mut report.problems);
                        seen.insert(obj.id, kind);
                    }
                    Err(e) => {
                        if let Some(id) = ObjectId::from_slice(&row.key) {
                            seen.insert(id, None);
                        }
                        report.problems.push(Problem {
                            kind: ProblemKind::CorruptObject,
                            subject: hex(&row.key),
                            message: e.message,
                        });
                    }
                }
            }
        }
        progress(total.max(done), total.max(done));
        for (from, reference) in wanted {
            let Some(found) = self.kind_of(&reference.id, &mut seen)? else {
                report.problems.push(Problem {
                    kind: ProblemKind::MissingObject,
                    subject: from.to_hex(),
                    message: format!(
                        "its {} {} does not exist",
                        reference.role,
                        reference.id.short()
                    ),
                });
                continue;
            };
            if let (Some(want), Some(have)) = (reference.kind, found) {
                if want != have {
                    report.problems.push(Problem {
                        kind: ProblemKind::WrongKind,
                        subject: from.to_hex(),
                        message: format!(
                            "its {} {} is a {}, not a {}",
                            reference.role,
                            reference.id.short(),
                            have.name(),
                            want.name()
                        ),
                    });
                }
            }
        }
        report.refs = refs.len();
        for (name, target) in refs {
            if let Some(message) = self.check_ref(&name, &target, &mut seen)? {
                report.problems.push(Problem {
                    kind: ProblemKind::BadRef,
                    subject: name,
                    message,
                });
            }
        }
        Ok(report)
    }

    /// Checks one readable object; queues the ids it refers to in `wanted`
    /// and returns its kind if its content is intact enough to trust it.
    fn check_object(
        &self,
        obj: &StoredObject,
        wanted: &mut Vec<(ObjectId, Reference)>,
        problems: &mut Vec<Problem>,
    ) -> Option<ObjectKind> {
        let problem = |kind, message: String| Problem {
            kind,
            subject: obj.id.to_hex(),
            message,
        };
        let (body, intact) = match object::unpack_checked(obj) {
            Ok(unpacked) => unpacked,
            Err(e) => {
                problems.push(problem(ProblemKind::CorruptObject, e.to_string()));
                return None;
            }
        };
        if !intact {
            problems.push(problem(
                ProblemKind::HashMismatch,
                format!(
                    "the {}'s content does not hash to its id: it was altered",
                    obj.kind.name()
                ),
            ));
        }
        match object::references(&obj.id, obj.kind, &body) {
            Ok(refs) => wanted.extend(refs.into_iter().map(|r| (obj.id, r))),
            Err(e) => {
                problems.push(problem(ProblemKind::Undecodable, e.to_string()));
                return None;
            }
        }
        let expected_parent = match obj.kind {
            ObjectKind::Schema => {
                if let Err(e) = object::load_schema(obj, std::sync::Arc::clone(&self.protocol)) {
                    problems.push(problem(ProblemKind::Undecodable, e.to_string()));
                }
                None
            }
            // `references` decoded the same body successfully just above.
            ObjectKind::Commit => serde_json::from_slice::<Commit>(&body)
                .ok()
                .and_then(|c| c.parents.first().copied()),
            ObjectKind::Chunk => {
                if let Err(e) = object::load_chunk(obj) {
                    problems.push(problem(ProblemKind::Undecodable, e.to_string()));
                }
                None
            }
            ObjectKind::Migration | ObjectKind::Dataset | ObjectKind::Tag | ObjectKind::Policy => {
                None
            }
        };
        if obj.parent != expected_parent {
            let show = |p: Option<ObjectId>| p.map_or_else(|| "none".to_owned(), |p| p.short());
            problems.push(problem(
                ProblemKind::ParentMismatch,
                format!(
                    "the store's first-parent column holds {}, but the {} says {}",
                    show(obj.parent),
                    obj.kind.name(),
                    show(expected_parent)
                ),
            ));
        }
        Some(obj.kind)
    }

    /// The kind of object `id`, from the scan or, if the scan did not see
    /// it (written meanwhile), from the store: `None` if it does not exist,
    /// `Some(None)` if it exists but is damaged.
    fn kind_of(
        &self,
        id: &ObjectId,
        seen: &mut Seen,
    ) -> Result<Option<Option<ObjectKind>>, VcsError> {
        if let Some(kind) = seen.get(id) {
            return Ok(Some(*kind));
        }
        let found = match self.store.read_object(id) {
            Ok(Some(obj)) => Some(Some(obj.kind)),
            Ok(None) => None,
            Err(e) if is_damage(&e) => Some(None),
            Err(e) => return Err(e.into()),
        };
        if let Some(kind) = found {
            seen.insert(*id, kind);
        }
        Ok(found)
    }

    /// What is wrong with one ref, if anything.
    fn check_ref(
        &self,
        name: &str,
        target: &RefTarget,
        seen: &mut Seen,
    ) -> Result<Option<String>, VcsError> {
        let id = match target {
            RefTarget::Symbolic(to) if name == HEAD && to.starts_with(HEADS) => return Ok(None),
            RefTarget::Symbolic(to) => {
                return Ok(Some(format!(
                    "is a symbolic ref to {to:?}; only HEAD may be one, and only to a branch"
                )));
            }
            RefTarget::Id(id) => id,
        };
        let tag_ok = name.starts_with(TAGS);
        let policy_ref = super::policy::is_policy_ref(name);
        Ok(match self.kind_of(id, seen)? {
            None => Some(format!("points at {}, which does not exist", id.short())),
            Some(None) => Some(format!("points at {}, which is damaged", id.short())),
            Some(Some(ObjectKind::Policy)) if policy_ref => None,
            Some(Some(kind)) if policy_ref => Some(format!(
                "is a policy ref but points at {}, a {}, not a policy",
                id.short(),
                kind.name()
            )),
            Some(Some(ObjectKind::Commit)) => None,
            Some(Some(ObjectKind::Tag)) if tag_ok => None,
            Some(Some(kind)) => Some(format!(
                "points at {}, a {}, not a commit{}",
                id.short(),
                kind.name(),
                if tag_ok { " or a tag" } else { "" }
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ProblemKind;
    use crate::vcs::memory::MemoryStore;
    use crate::vcs::object::{self, Commit, ObjectKind, StoredObject, Tag};
    use crate::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};
    use crate::{ObjectId, Repository, Schema, builtin_protocol};

    fn repo() -> (Repository<MemoryStore>, Vec<ObjectId>) {
        let p = builtin_protocol("json-schema").unwrap();
        let mut repo = Repository::init(MemoryStore::new("r"), p.clone()).unwrap();
        let mut builder = Schema::builder(p).vertex("root", "object", None);
        let mut commits = Vec::new();
        for i in 0..3 {
            let f = format!("f{i}");
            builder = builder.vertex(f.as_str(), "string", None).edge(
                "root",
                f.as_str(),
                "prop",
                Some(f.clone()),
            );
            repo.add(builder.clone().build().unwrap()).unwrap();
            commits.push(repo.commit(&format!("c{i}"), "a", Some(i)).unwrap());
        }
        repo.annotated_tag("v1", Some("HEAD~1"), "first release", "carol", Some(9))
            .unwrap();
        repo.tag("light", None).unwrap();
        (repo, commits)
    }

    /// Writes objects and ref edits as they are, bypassing every check but
    /// the store's own: how damage gets into a memory store.
    fn inject(repo: &Repository<MemoryStore>, objects: Vec<StoredObject>, edits: Vec<RefEdit>) {
        repo.store()
            .apply(&Transaction {
                objects,
                edits,
                timestamp: 0,
            })
            .unwrap();
    }

    fn kinds(repo: &Repository<MemoryStore>) -> Vec<(ProblemKind, String)> {
        let report = repo.verify().unwrap();
        report
            .problems
            .iter()
            .map(|p| (p.kind, p.subject.clone()))
            .collect()
    }

    fn force_ref(name: &str, id: ObjectId) -> RefEdit {
        RefEdit {
            name: name.into(),
            expected: Expected::Any,
            new: Some(RefTarget::Id(id)),
            message: "damage".into(),
        }
    }

    #[test]
    fn a_healthy_repository_is_clean() {
        let (repo, _) = repo();
        let report = repo.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
        // 3 schemas, 3 commits, 2 migrations, 1 tag object.
        assert_eq!(report.objects, 9);
        // HEAD, main, v1, light.
        assert_eq!(report.refs, 4);
    }

    #[test]
    fn altered_content_is_a_hash_mismatch() {
        let (repo, commits) = repo();
        // A valid commit's bytes under another id: it reads and decodes,
        // only the hash tells.
        let mut forged = repo.store().read_object(&commits[1]).unwrap().unwrap();
        forged.id = ObjectId::hash(b"forged");
        inject(&repo, vec![forged.clone()], vec![]);
        assert_eq!(
            kinds(&repo),
            [(ProblemKind::HashMismatch, forged.id.to_hex())]
        );
    }

    #[test]
    fn garbage_objects_are_reported_not_raised() {
        let (repo, _) = repo();
        let garbage = StoredObject {
            id: ObjectId::hash(b"garbage"),
            kind: ObjectKind::Commit,
            parent: None,
            data: vec![1, 2, 3, 4],
        };
        let empty = StoredObject {
            id: ObjectId::hash(b"empty"),
            kind: ObjectKind::Schema,
            parent: None,
            data: Vec::new(),
        };
        // A well-formed encoding whose JSON is not a commit.
        let bad_json = StoredObject {
            id: ObjectId::hash(b"json"),
            ..object::store_tag(&Tag {
                target: ObjectId::hash(b"x"),
                name: "t".into(),
                tagger: "t".into(),
                timestamp: 0,
                message: "m".into(),
            })
        };
        let bad_json = StoredObject {
            kind: ObjectKind::Tag,
            data: {
                let mut d = vec![0u8];
                d.extend_from_slice(b"panproto-object/1 tag\n{\"nope\":1}");
                d
            },
            ..bad_json
        };
        let (g, e, j) = (garbage.id, empty.id, bad_json.id);
        inject(&repo, vec![garbage, empty, bad_json], vec![]);
        let mut found = kinds(&repo);
        found.sort();
        let mut expected = vec![
            (ProblemKind::CorruptObject, g.to_hex()),
            (ProblemKind::CorruptObject, e.to_hex()),
            (ProblemKind::HashMismatch, j.to_hex()),
            (ProblemKind::Undecodable, j.to_hex()),
        ];
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn missing_and_wrong_kind_references_and_bad_refs() {
        let (repo, commits) = repo();
        let schema = repo.log(Some(1)).unwrap()[0].commit.schema;
        let ghost = ObjectId::hash(b"ghost");
        // A commit whose parent is missing and whose "schema" is a commit;
        // its stored parent column disagrees with its body.
        let mut bad = object::store_commit(&Commit {
            schema: commits[0],
            parents: vec![ghost],
            migration: Some(schema),
            merge_migrations: Vec::new(),
            compatibility: None,
            allow_breaking: None,
            units: None,
            backward: None,
            forward: None,
            datasets: Default::default(),
            author: "x".into(),
            timestamp: 0,
            message: "bad".into(),
            origin: None,
        });
        bad.parent = Some(commits[1]);
        let bad_id = bad.id;
        inject(
            &repo,
            vec![bad],
            vec![
                force_ref("refs/heads/lost", ghost),
                force_ref("refs/heads/onschema", schema),
                force_ref("refs/heads/ok", bad_id),
            ],
        );
        let report = repo.verify().unwrap();
        let mut found: Vec<_> = report
            .problems
            .iter()
            .map(|p| (p.kind, p.subject.as_str()))
            .collect();
        found.sort();
        let bad_hex = bad_id.to_hex();
        let mut expected = vec![
            (ProblemKind::MissingObject, bad_hex.as_str()),
            (ProblemKind::WrongKind, bad_hex.as_str()),
            (ProblemKind::WrongKind, bad_hex.as_str()),
            (ProblemKind::ParentMismatch, bad_hex.as_str()),
            (ProblemKind::BadRef, "refs/heads/lost"),
            (ProblemKind::BadRef, "refs/heads/onschema"),
        ];
        expected.sort();
        assert_eq!(found, expected, "{:#?}", report.problems);
        let missing = report
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::MissingObject)
            .unwrap();
        assert!(missing.message.contains("parent 1"), "{missing}");
    }

    #[test]
    fn an_annotated_tag_on_a_branch_is_a_bad_ref() {
        let (repo, _) = repo();
        let tag = match repo.store().read_ref("refs/tags/v1").unwrap() {
            Some(RefTarget::Id(id)) => id,
            other => panic!("{other:?}"),
        };
        inject(&repo, vec![], vec![force_ref("refs/heads/t", tag)]);
        let report = repo.verify().unwrap();
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(report.problems[0].message.contains("a tag, not a commit"));
    }
}

#[cfg(test)]
mod kind_tests {
    use super::ProblemKind;

    /// `ALL` lists every kind once, in declaration order. A new variant
    /// makes this `match` non-exhaustive, so it does not compile until the
    /// variant is given its position here and added to `ALL` there.
    #[test]
    fn all_lists_every_kind() {
        let position = |kind: ProblemKind| match kind {
            ProblemKind::CorruptObject => 0,
            ProblemKind::HashMismatch => 1,
            ProblemKind::Undecodable => 2,
            ProblemKind::MissingObject => 3,
            ProblemKind::WrongKind => 4,
            ProblemKind::ParentMismatch => 5,
            ProblemKind::BadRef => 6,
        };
        for (i, &kind) in ProblemKind::ALL.iter().enumerate() {
            assert_eq!(position(kind), i, "{kind:?} is out of place in ALL");
        }
        assert_eq!(ProblemKind::ALL.len(), 7, "a kind is missing from ALL");
    }
}
