//! Branches, tags (lightweight and annotated), checkout and the reflog.
//!
//! Branches live in `refs/heads/`, tags in `refs/tags/`; every change is a
//! compare-and-swap against the value just read, so two clients racing on
//! one ref never both win. Where HEAD points is this working copy's own
//! business: `checkout` moves it in the [`Repository`] value, not in the store.
//!
//! A lightweight tag's ref holds the commit id; an annotated tag's ref holds
//! the id of a [`Tag`] object, which names the commit. Everything that turns
//! a ref into a commit ([`Repository::resolve`], [`Repository::tags`])
//! *peels* tag objects, so the two kinds are used alike.

use crate::encoding::ObjectId;
use crate::vcs::error::VcsError;
use crate::vcs::input::{check_not_empty, check_text};
use crate::vcs::object::{self, ObjectKind, Tag};
use crate::vcs::store::{Expected, HEAD, RefEdit, RefTarget, ReflogEntry, Store, Transaction};

use super::{HEADS, Head, Repository, branch_ref};

/// Where tags live.
pub(crate) const TAGS: &str = "refs/tags/";

/// Checks a branch or tag name: the rules of `git check-ref-format`, simplified.
pub(super) fn check_name(what: &'static str, name: &str) -> Result<(), VcsError> {
    let bad = |reason: &str| {
        Err(VcsError::InvalidInput {
            what,
            reason: format!("{name:?} {reason}"),
        })
    };
    if name.is_empty() {
        return bad("is empty");
    }
    check_text(what, name)?;
    if name.starts_with('-') || name.starts_with('/') || name.ends_with('/') || name.ends_with('.')
    {
        return bad("may not start with '-' or '/', nor end with '/' or '.'");
    }
    if name.contains("..") || name.contains("//") || name == "HEAD" || name.contains("@{") {
        return bad("may not contain '..', '//' or '@{', nor be HEAD");
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(*c))
    {
        return bad(&format!("may not contain {c:?}"));
    }
    Ok(())
}

/// A tag, as [`Repository::tag_info`] describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    /// The tag's name (without `refs/tags/`).
    pub name: String,
    /// The tagged commit.
    pub commit: ObjectId,
    /// For an annotated tag, the tag object's id and the object; `None` for
    /// a lightweight tag.
    pub annotation: Option<(ObjectId, Tag)>,
}

fn ids(refs: Vec<(String, RefTarget)>, prefix: &str) -> Vec<(String, ObjectId)> {
    refs.into_iter()
        .filter_map(|(name, target)| match target {
            RefTarget::Id(id) => Some((name.strip_prefix(prefix).unwrap_or(&name).to_owned(), id)),
            RefTarget::Symbolic(_) => None,
        })
        .collect()
}

impl<S: Store> Repository<S> {
    /// Reads a ref whose name comes from the user. No ref holds a NUL byte
    /// (names are checked when made), so such a name is simply absent, and
    /// the store is not asked (PostgreSQL could not even take it).
    pub(super) fn read_user_ref(&self, name: &str) -> Result<Option<RefTarget>, VcsError> {
        if check_text("ref", name).is_err() {
            return Ok(None);
        }
        Ok(self.store.read_ref(name)?)
    }

    pub(super) fn edit(&self, edits: Vec<RefEdit>) -> Result<(), VcsError> {
        self.store.apply(&Transaction {
            objects: Vec::new(),
            edits,
            timestamp: self.now(),
        })
    }

    /// Every branch with the commit it points at, sorted by name.
    pub fn branches(&self) -> Result<Vec<(String, ObjectId)>, VcsError> {
        Ok(ids(self.store.list_refs(HEADS)?, HEADS))
    }

    /// Creates branch `name` at `at` (a ref; by default HEAD).
    ///
    /// # Errors
    /// [`VcsError::InvalidInput`] for a bad name; [`VcsError::Conflict`] if
    /// the branch exists; [`VcsError::NotFound`] if `at` names no commit.
    pub fn create_branch(&self, name: &str, at: Option<&str>) -> Result<ObjectId, VcsError> {
        check_name("branch name", name)?;
        let id = self.resolve(at.unwrap_or("HEAD"))?;
        self.edit(vec![RefEdit {
            name: format!("{HEADS}{name}"),
            expected: Expected::Absent,
            new: Some(RefTarget::Id(id)),
            message: format!("branch: created from {}", at.unwrap_or("HEAD")),
        }])?;
        Ok(id)
    }

    /// Deletes branch `name`; the current branch cannot be deleted.
    pub fn delete_branch(&self, name: &str) -> Result<(), VcsError> {
        if self.head == Head::Branch(name.to_owned()) {
            return Err(VcsError::InvalidInput {
                what: "branch",
                reason: format!("{name:?} is the current branch; check out another first"),
            });
        }
        let full = format!("{HEADS}{name}");
        let current = self
            .read_user_ref(&full)?
            .ok_or_else(|| VcsError::NotFound(format!("branch {name:?}")))?;
        self.edit(vec![RefEdit {
            name: full,
            expected: Expected::Value(current),
            new: None,
            message: "branch: deleted".to_owned(),
        }])
    }

    /// Renames branch `old` to `new` in one transaction; HEAD follows if it was on `old`.
    pub fn rename_branch(&mut self, old: &str, new: &str) -> Result<(), VcsError> {
        check_name("branch name", new)?;
        let (old_full, new_full) = (format!("{HEADS}{old}"), format!("{HEADS}{new}"));
        let current = self
            .read_user_ref(&old_full)?
            .ok_or_else(|| VcsError::NotFound(format!("branch {old:?}")))?;
        let message = format!("branch: renamed {old} to {new}");
        self.edit(vec![
            RefEdit {
                name: new_full,
                expected: Expected::Absent,
                new: Some(current.clone()),
                message: message.clone(),
            },
            RefEdit {
                name: old_full,
                expected: Expected::Value(current),
                new: None,
                message,
            },
        ])?;
        if self.head == Head::Branch(old.to_owned()) {
            self.head = Head::Branch(new.to_owned());
        }
        Ok(())
    }

    /// Points this working copy's HEAD at a branch (by name) or, detached, at a commit.
    ///
    /// # Errors
    /// [`VcsError::InvalidInput`] if something is staged (commit it or stage
    /// again after the checkout); [`VcsError::NotFound`] if `reference` names nothing.
    pub fn checkout(&mut self, reference: &str) -> Result<&Head, VcsError> {
        if self.stage.is_some() || !self.data_stage.is_empty() {
            return Err(VcsError::InvalidInput {
                what: "checkout",
                reason: "a schema or data is staged; commit it first".to_owned(),
            });
        }
        let head = match self.read_user_ref(&format!("{HEADS}{reference}"))? {
            Some(_) => Head::Branch(reference.to_owned()),
            None => Head::Detached(self.resolve(reference)?),
        };
        self.head = head;
        Ok(&self.head)
    }

    /// Tags a commit (`at`, by default HEAD) with `name` (a lightweight
    /// tag: the ref holds the commit id); tags never move. Returns the commit.
    ///
    /// # Errors
    /// [`VcsError::InvalidInput`] for a bad name; [`VcsError::Conflict`] if
    /// the tag exists; [`VcsError::NotFound`] if `at` names no commit.
    pub fn tag(&self, name: &str, at: Option<&str>) -> Result<ObjectId, VcsError> {
        check_name("tag name", name)?;
        let id = self.resolve(at.unwrap_or("HEAD"))?;
        self.edit(vec![RefEdit {
            name: format!("{TAGS}{name}"),
            expected: Expected::Absent,
            new: Some(RefTarget::Id(id)),
            message: format!("tag: {name}"),
        }])?;
        Ok(id)
    }

    /// Tags a commit (`at`, by default HEAD) with `name`, recording who
    /// tagged it, when (`timestamp`, by default now) and why: the tag
    /// object and the ref are written in one transaction. Returns the tag.
    ///
    /// # Errors
    /// As [`tag`](Self::tag); [`VcsError::InvalidInput`] for an empty
    /// message or tagger.
    pub fn annotated_tag(
        &self,
        name: &str,
        at: Option<&str>,
        message: &str,
        tagger: &str,
        timestamp: Option<i64>,
    ) -> Result<TagInfo, VcsError> {
        check_name("tag name", name)?;
        check_not_empty("tag message", message)?;
        check_not_empty("tagger", tagger)?;
        let commit = self.resolve(at.unwrap_or("HEAD"))?;
        let timestamp = timestamp.unwrap_or_else(|| self.now());
        let tag = Tag {
            target: commit,
            name: name.to_owned(),
            tagger: tagger.to_owned(),
            timestamp,
            message: message.to_owned(),
        };
        let obj = object::store_tag(&tag);
        let id = obj.id;
        self.store.apply(&Transaction {
            objects: vec![obj],
            edits: vec![RefEdit {
                name: format!("{TAGS}{name}"),
                expected: Expected::Absent,
                new: Some(RefTarget::Id(id)),
                message: format!("tag: {name} (annotated)"),
            }],
            timestamp,
        })?;
        Ok(TagInfo {
            name: name.to_owned(),
            commit,
            annotation: Some((id, tag)),
        })
    }

    /// Every tag with its commit (annotated tags peeled), sorted by name.
    /// A tag whose object is missing is listed with the id it holds (as
    /// before tags could be annotated); `verify` reports it.
    pub fn tags(&self) -> Result<Vec<(String, ObjectId)>, VcsError> {
        ids(self.store.list_refs(TAGS)?, TAGS)
            .into_iter()
            .map(|(name, id)| match self.peel(id) {
                Ok((commit, _)) => Ok((name, commit)),
                Err(VcsError::NotFound(_)) => Ok((name, id)),
                Err(e) => Err(e),
            })
            .collect()
    }

    /// Tag `name`: its commit and, for an annotated tag, its annotation.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if there is no such tag.
    pub fn tag_info(&self, name: &str) -> Result<TagInfo, VcsError> {
        let Some(RefTarget::Id(id)) = self.read_user_ref(&format!("{TAGS}{name}"))? else {
            return Err(VcsError::NotFound(format!("tag {name:?}")));
        };
        let (commit, annotation) = self.peel(id)?;
        Ok(TagInfo {
            name: name.to_owned(),
            commit,
            annotation: annotation.map(|tag| (id, tag)),
        })
    }

    /// The commit `id` stands for: `id` itself, or the commit an annotated
    /// tag object names (with the tag).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if no such object exists.
    pub(super) fn peel(&self, id: ObjectId) -> Result<(ObjectId, Option<Tag>), VcsError> {
        let obj = self
            .store
            .read_object(&id)?
            .ok_or_else(|| VcsError::NotFound(format!("object {}", id.short())))?;
        if obj.kind == ObjectKind::Tag {
            let tag = object::load_tag(&obj)?;
            return Ok((tag.target, Some(tag)));
        }
        Ok((id, None))
    }

    /// How a ref moved, newest first, at most `limit` entries.
    ///
    /// `reference` is `HEAD` (the current branch's reflog: HEAD itself
    /// belongs to this working copy and is not kept in the store), a branch
    /// or tag short name (branches first), or a full ref name (`refs/...`).
    /// A deleted branch's reflog is still found by its name.
    ///
    /// # Errors
    /// [`VcsError::InvalidInput`] for `HEAD` while detached;
    /// [`VcsError::NotFound`] for a short name no ref has or had.
    pub fn reflog(
        &self,
        reference: &str,
        limit: Option<usize>,
    ) -> Result<Vec<ReflogEntry>, VcsError> {
        let name = self.reflog_name(reference)?;
        Ok(self.store.reflog(&name, limit)?)
    }

    fn reflog_name(&self, reference: &str) -> Result<String, VcsError> {
        if check_text("ref", reference).is_err() {
            // No ref holds a NUL byte: nothing to ask the store.
            return Err(VcsError::NotFound(format!("ref {reference:?}")));
        }
        if reference == HEAD {
            return match &self.head {
                Head::Branch(branch) => Ok(branch_ref(branch)),
                Head::Detached(id) => Err(VcsError::InvalidInput {
                    what: "reflog",
                    reason: format!(
                        "HEAD is detached at {}; HEAD belongs to this working copy and has no \
                         reflog in the store: name a branch",
                        id.short()
                    ),
                }),
            };
        }
        if reference.starts_with("refs/") {
            return Ok(reference.to_owned());
        }
        for candidate in [branch_ref(reference), format!("{TAGS}{reference}")] {
            if self.store.read_ref(&candidate)?.is_some()
                || !self.store.reflog(&candidate, Some(1))?.is_empty()
            {
                return Ok(candidate);
            }
        }
        Err(VcsError::NotFound(format!(
            "ref {reference:?} (no branch or tag of that name has a reflog)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use crate::vcs::memory::MemoryStore;
    use crate::vcs::store::Store;
    use crate::{Head, Repository, Schema, VcsError, builtin_protocol};

    fn repo_with_two_commits() -> (
        Repository<MemoryStore>,
        crate::encoding::ObjectId,
        crate::encoding::ObjectId,
    ) {
        let p = builtin_protocol("json-schema").unwrap();
        let mut repo = Repository::init(MemoryStore::new("r"), p.clone()).unwrap();
        let v1 = Schema::builder(p.clone())
            .vertex("root", "object", None)
            .build()
            .unwrap();
        repo.add(v1.clone()).unwrap();
        let c1 = repo.commit("one", "a", Some(1)).unwrap();
        let v2 = v1
            .to_builder()
            .vertex("x", "string", None)
            .edge("root", "x", "prop", Some("x".into()))
            .build()
            .unwrap();
        repo.add(v2).unwrap();
        let c2 = repo.commit("two", "a", Some(2)).unwrap();
        (repo, c1, c2)
    }

    #[test]
    fn branches_are_created_listed_renamed_and_deleted() {
        let (mut repo, c1, c2) = repo_with_two_commits();
        assert_eq!(repo.create_branch("old", Some("HEAD~1")).unwrap(), c1);
        assert!(matches!(
            repo.create_branch("old", None),
            Err(VcsError::Conflict { .. })
        ));
        assert!(matches!(
            repo.create_branch("bad name", None),
            Err(VcsError::InvalidInput { .. })
        ));
        let names: Vec<_> = repo.branches().unwrap();
        assert_eq!(names, [("main".to_owned(), c2), ("old".to_owned(), c1)]);
        repo.rename_branch("main", "trunk").unwrap();
        assert_eq!(repo.head(), &Head::Branch("trunk".into()));
        assert_eq!(repo.resolve("trunk").unwrap(), c2);
        assert!(
            repo.delete_branch("trunk").is_err(),
            "the current branch stays"
        );
        repo.delete_branch("old").unwrap();
        assert!(matches!(
            repo.delete_branch("old"),
            Err(VcsError::NotFound(_))
        ));
        assert_eq!(repo.branches().unwrap().len(), 1);
    }

    #[test]
    fn checkout_moves_this_working_copy_only() {
        let (mut repo, c1, c2) = repo_with_two_commits();
        repo.create_branch("feature", Some("HEAD~1")).unwrap();
        assert_eq!(
            repo.checkout("feature").unwrap(),
            &Head::Branch("feature".into())
        );
        assert_eq!(repo.head_commit().unwrap(), Some(c1));
        assert_eq!(repo.log(None).unwrap().len(), 1);
        assert_eq!(repo.checkout(&c2.to_hex()).unwrap(), &Head::Detached(c2));
        let other = Repository::open(repo.store().clone()).unwrap();
        assert_eq!(
            other.head(),
            &Head::Branch("main".into()),
            "HEAD is per working copy"
        );
        assert!(repo.checkout("nowhere").is_err());
    }

    #[test]
    fn tags_point_at_commits_and_never_move() {
        let (repo, c1, _) = repo_with_two_commits();
        assert_eq!(repo.tag("v1", Some("HEAD~1")).unwrap(), c1);
        assert!(matches!(
            repo.tag("v1", None),
            Err(VcsError::Conflict { .. })
        ));
        assert_eq!(repo.tags().unwrap(), [("v1".to_owned(), c1)]);
        assert_eq!(
            repo.resolve("v1").unwrap(),
            c1,
            "tags resolve like branches"
        );
    }

    #[test]
    fn annotated_tags_peel_to_their_commit() {
        let (mut repo, c1, c2) = repo_with_two_commits();
        let info = repo
            .annotated_tag("v1", Some("HEAD~1"), "first release", "carol", Some(7))
            .unwrap();
        assert_eq!(info.commit, c1);
        let (tag_id, tag) = info.annotation.clone().unwrap();
        assert_ne!(tag_id, c1, "the ref holds the tag object");
        assert_eq!(
            repo.store().read_ref("refs/tags/v1").unwrap(),
            Some(crate::vcs::store::RefTarget::Id(tag_id))
        );
        assert_eq!(
            (
                tag.name.as_str(),
                tag.tagger.as_str(),
                tag.timestamp,
                tag.message.as_str()
            ),
            ("v1", "carol", 7, "first release")
        );
        repo.tag("light", None).unwrap();
        // Everything that wants a commit gets the tagged one.
        assert_eq!(
            repo.tags().unwrap(),
            [("light".to_owned(), c2), ("v1".to_owned(), c1)]
        );
        assert_eq!(repo.resolve("v1").unwrap(), c1);
        assert_eq!(repo.resolve(&tag_id.to_hex()).unwrap(), c1);
        assert_eq!(repo.tag_info("v1").unwrap(), info);
        assert_eq!(repo.tag_info("light").unwrap().annotation, None);
        assert!(matches!(repo.tag_info("nope"), Err(VcsError::NotFound(_))));
        // A short id finds commits only: the tag object's prefix is not one.
        assert!(repo.resolve(&tag_id.to_hex()[..8]).is_err());
        repo.create_branch("from-tag", Some("v1")).unwrap();
        assert_eq!(repo.branches().unwrap()[0], ("from-tag".to_owned(), c1));
        assert_eq!(repo.checkout("v1").unwrap(), &Head::Detached(c1));
        assert_eq!(repo.log(None).unwrap().len(), 1);
        assert!(matches!(
            repo.annotated_tag("v1", None, "again", "carol", None),
            Err(VcsError::Conflict { .. })
        ));
        assert!(matches!(
            repo.annotated_tag("v2", None, " ", "carol", None),
            Err(VcsError::InvalidInput {
                what: "tag message",
                ..
            })
        ));
        assert!(repo.verify().unwrap().is_ok());
    }

    #[test]
    fn reflog_follows_the_current_branch() {
        let (mut repo, c1, c2) = repo_with_two_commits();
        let log = repo.reflog("HEAD", None).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].name, "refs/heads/main");
        assert_eq!(
            (log[0].old.clone(), log[0].new.clone()),
            (
                Some(crate::vcs::store::RefTarget::Id(c1)),
                Some(crate::vcs::store::RefTarget::Id(c2))
            )
        );
        assert_eq!(log[0].message, "commit: two");
        assert_eq!(log[1].message, "commit (initial): one");
        assert_eq!(log[0].timestamp, 2);
        assert_eq!(repo.reflog("main", Some(1)).unwrap(), log[..1]);
        assert_eq!(repo.reflog("refs/heads/main", None).unwrap(), log);
        repo.create_branch("side", Some("HEAD~1")).unwrap();
        repo.tag("v1", None).unwrap();
        assert_eq!(repo.reflog("side", None).unwrap().len(), 1);
        assert_eq!(repo.reflog("v1", None).unwrap()[0].message, "tag: v1");
        repo.checkout("side").unwrap();
        assert_eq!(
            repo.reflog("HEAD", None).unwrap()[0].name,
            "refs/heads/side"
        );
        repo.checkout("main").unwrap();
        repo.delete_branch("side").unwrap();
        let gone = repo.reflog("side", None).unwrap();
        assert_eq!(
            (gone.len(), gone[0].new.clone()),
            (2, None),
            "a deleted branch keeps its reflog"
        );
        assert!(matches!(
            repo.reflog("nope", None),
            Err(VcsError::NotFound(_))
        ));
        repo.checkout(&c1.to_hex()).unwrap();
        assert!(matches!(
            repo.reflog("HEAD", None),
            Err(VcsError::InvalidInput { what: "reflog", .. })
        ));
    }

    #[test]
    fn a_detached_head_commits_without_moving_any_ref() {
        let (mut repo, c1, c2) = repo_with_two_commits();
        repo.checkout(&c1.to_hex()).unwrap();
        let v3 = repo
            .head_schema()
            .unwrap()
            .unwrap()
            .to_builder()
            .vertex("y", "string", None)
            .build()
            .unwrap();
        repo.add(v3).unwrap();
        let c3 = repo.commit("on detached HEAD", "a", Some(3)).unwrap();
        assert_eq!(repo.head(), &Head::Detached(c3));
        assert_eq!(repo.log(None).unwrap()[1].id, c1);
        assert_eq!(repo.branches().unwrap(), [("main".to_owned(), c2)]);
        assert_eq!(
            repo.store().read_ref("HEAD").unwrap(),
            Some(crate::vcs::store::RefTarget::Symbolic(
                "refs/heads/main".into()
            )),
            "the store's HEAD is not this working copy's"
        );
        assert_eq!(repo.reflog("main", None).unwrap().len(), 2);
        assert_eq!(repo.create_branch("kept", None).unwrap(), c3);
        assert!(repo.verify().unwrap().is_ok());
    }
}
