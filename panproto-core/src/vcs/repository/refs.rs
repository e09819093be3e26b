//! Branches, lightweight tags and checkout (issue #4, first part).
//!
//! Branches live in `refs/heads/`, tags in `refs/tags/`; every change is a
//! compare-and-swap against the value just read, so two clients racing on
//! one ref never both win. Where HEAD points is this working copy's own
//! business: `checkout` moves it in the [`Repository`] value, not in the store.

use crate::error::VcsError;
use crate::id::ObjectId;
use crate::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};

use super::{HEADS, Head, Repository, now};

/// Where tags live.
pub(crate) const TAGS: &str = "refs/tags/";

/// Checks a branch or tag name: the rules of `git check-ref-format`, simplified.
fn check_name(what: &'static str, name: &str) -> Result<(), VcsError> {
    let bad = |reason: &str| {
        Err(VcsError::InvalidInput {
            what,
            reason: format!("{name:?} {reason}"),
        })
    };
    if name.is_empty() {
        return bad("is empty");
    }
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

fn ids(refs: Vec<(String, RefTarget)>, prefix: &str) -> Vec<(String, ObjectId)> {
    refs.into_iter()
        .filter_map(|(name, target)| match target {
            RefTarget::Id(id) => Some((name.strip_prefix(prefix).unwrap_or(&name).to_owned(), id)),
            RefTarget::Symbolic(_) => None,
        })
        .collect()
}

impl<S: Store> Repository<S> {
    fn edit(&self, edits: Vec<RefEdit>) -> Result<(), VcsError> {
        self.store.apply(&Transaction {
            objects: Vec::new(),
            edits,
            timestamp: now(),
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
            .store
            .read_ref(&full)?
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
            .store
            .read_ref(&old_full)?
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
        let head = match self.store.read_ref(&format!("{HEADS}{reference}"))? {
            Some(_) => Head::Branch(reference.to_owned()),
            None => Head::Detached(self.resolve(reference)?),
        };
        self.head = head;
        Ok(&self.head)
    }

    /// Tags a commit (`at`, by default HEAD) with `name`; tags never move.
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

    /// Every tag with its commit, sorted by name.
    pub fn tags(&self) -> Result<Vec<(String, ObjectId)>, VcsError> {
        Ok(ids(self.store.list_refs(TAGS)?, TAGS))
    }
}

#[cfg(test)]
mod tests {
    use crate::vcs::memory::MemoryStore;
    use crate::{Head, Repository, Schema, VcsError, builtin_protocol};

    fn repo_with_two_commits() -> (Repository<MemoryStore>, crate::ObjectId, crate::ObjectId) {
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
}
