//! An in-memory [`Store`], for tests and for trying the engine without a database.
//!
//! Clones share the same storage, so two clones behave like two clients of
//! one database.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::encoding::ObjectId;
use crate::vcs::error::{StoreError, VcsError};
use crate::vcs::object::{ObjectKind, StoredObject};
use crate::vcs::store::{
    HEAD, HEADS, RefTarget, ReflogEntry, RepoInfo, RepoSummary, ScannedObject, Store, Transaction,
};

#[derive(Default)]
struct Repo {
    info: Option<RepoInfo>,
    objects: BTreeMap<ObjectId, StoredObject>,
    refs: BTreeMap<String, RefTarget>,
    reflog: Vec<ReflogEntry>,
}

/// An in-memory store bound to one repository name.
#[derive(Clone, Default)]
pub struct MemoryStore {
    name: String,
    repos: Arc<Mutex<HashMap<String, Repo>>>,
}

impl MemoryStore {
    /// A new, empty database with a store bound to `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            repos: Arc::default(),
        }
    }

    /// A store for another repository in the same database.
    pub fn with_name(&self, name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            repos: Arc::clone(&self.repos),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Repo>> {
        // A panic while holding the lock cannot leave a half-applied
        // transaction: `apply` checks everything before it writes anything.
        self.repos.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    fn location(&self) -> String {
        format!("memory:{}", self.name)
    }

    fn create(&self, protocol_json: &str, timestamp: i64) -> Result<RepoInfo, VcsError> {
        let mut repos = self.lock();
        let repo = repos.entry(self.name.clone()).or_default();
        if repo.info.is_some() {
            return Err(VcsError::AlreadyExists(self.name.clone()));
        }
        let info = RepoInfo {
            name: self.name.clone(),
            protocol_json: protocol_json.to_owned(),
            created: timestamp,
        };
        repo.info = Some(info.clone());
        repo.refs.insert(
            HEAD.to_owned(),
            RefTarget::Symbolic("refs/heads/main".to_owned()),
        );
        Ok(info)
    }

    fn info(&self) -> Result<Option<RepoInfo>, StoreError> {
        Ok(self.lock().get(&self.name).and_then(|r| r.info.clone()))
    }

    fn repositories(&self) -> Result<Vec<RepoSummary>, StoreError> {
        let repos = self.lock();
        let mut out: Vec<RepoSummary> = repos
            .values()
            .filter_map(|r| {
                let info = r.info.as_ref()?;
                Some(RepoSummary {
                    name: info.name.clone(),
                    protocol: RepoSummary::protocol_name(&info.protocol_json),
                    created: info.created,
                    commits: r
                        .objects
                        .values()
                        .filter(|o| o.kind == ObjectKind::Commit)
                        .count() as u64,
                    branches: r.refs.keys().filter(|k| k.starts_with(HEADS)).count() as u64,
                    size: r.objects.values().map(|o| o.data.len() as u64).sum(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn delete(&self) -> Result<(), VcsError> {
        let mut repos = self.lock();
        match repos.get(&self.name) {
            Some(r) if r.info.is_some() => {
                repos.remove(&self.name);
                Ok(())
            }
            _ => Err(VcsError::NotFound(format!("repository {:?}", self.name))),
        }
    }

    fn rename(&self, to: &str) -> Result<(), VcsError> {
        let mut repos = self.lock();
        if repos.get(to).is_some_and(|r| r.info.is_some()) {
            return Err(VcsError::AlreadyExists(to.to_owned()));
        }
        let Some(mut repo) = repos.remove(&self.name).filter(|r| r.info.is_some()) else {
            return Err(VcsError::NotFound(format!("repository {:?}", self.name)));
        };
        if let Some(info) = repo.info.as_mut() {
            to.clone_into(&mut info.name);
        }
        repos.insert(to.to_owned(), repo);
        Ok(())
    }

    fn read_object(&self, id: &ObjectId) -> Result<Option<StoredObject>, StoreError> {
        Ok(self
            .lock()
            .get(&self.name)
            .and_then(|r| r.objects.get(id).cloned()))
    }

    fn read_ref(&self, name: &str) -> Result<Option<RefTarget>, StoreError> {
        Ok(self
            .lock()
            .get(&self.name)
            .and_then(|r| r.refs.get(name).cloned()))
    }

    fn list_refs(&self, prefix: &str) -> Result<Vec<(String, RefTarget)>, StoreError> {
        Ok(self
            .lock()
            .get(&self.name)
            .map(|r| {
                r.refs
                    .range(prefix.to_owned()..)
                    .take_while(|(k, _)| k.starts_with(prefix))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default())
    }

    fn apply(&self, tx: &Transaction) -> Result<(), VcsError> {
        let mut repos = self.lock();
        let repo = repos
            .get_mut(&self.name)
            .filter(|r| r.info.is_some())
            .ok_or_else(|| VcsError::NotFound(format!("repository {:?}", self.name)))?;
        for edit in &tx.edits {
            let current = repo.refs.get(&edit.name);
            if !edit.expected.matches(current) {
                return Err(edit.conflict(current.cloned()));
            }
        }
        for obj in &tx.objects {
            repo.objects.entry(obj.id).or_insert_with(|| obj.clone());
        }
        for edit in &tx.edits {
            let old = match &edit.new {
                Some(new) => repo.refs.insert(edit.name.clone(), new.clone()),
                None => repo.refs.remove(&edit.name),
            };
            repo.reflog.push(ReflogEntry {
                name: edit.name.clone(),
                old,
                new: edit.new.clone(),
                message: edit.message.clone(),
                timestamp: tx.timestamp,
            });
        }
        Ok(())
    }

    fn ids_between(
        &self,
        kind: crate::vcs::object::ObjectKind,
        low: &ObjectId,
        high: &ObjectId,
        limit: usize,
    ) -> Result<Vec<ObjectId>, StoreError> {
        Ok(self
            .lock()
            .get(&self.name)
            .map(|r| {
                r.objects
                    .range(low..=high)
                    .filter(|(_, o)| o.kind == kind)
                    .map(|(id, _)| *id)
                    .take(limit)
                    .collect()
            })
            .unwrap_or_default())
    }

    fn scan_objects(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<ScannedObject>, StoreError> {
        // Every key here is a well-formed id; a shorter `after` sorts before
        // the ids it is a prefix of, as bytewise order in SQL has it.
        let start = match after {
            None => Bound::Unbounded,
            Some(bytes) => match ObjectId::from_slice(bytes) {
                Some(id) => Bound::Excluded(id),
                None => Bound::Included(padded(bytes)),
            },
        };
        Ok(self
            .lock()
            .get(&self.name)
            .map(|r| {
                r.objects
                    .range((start, Bound::Unbounded))
                    .filter(|(id, _)| after.is_none_or(|a| id.as_bytes().as_slice() > a))
                    .take(limit)
                    .map(|(id, obj)| ScannedObject {
                        key: id.as_bytes().to_vec(),
                        object: Ok(obj.clone()),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    fn reflog(&self, name: &str, limit: Option<usize>) -> Result<Vec<ReflogEntry>, StoreError> {
        Ok(self
            .lock()
            .get(&self.name)
            .map(|r| {
                r.reflog
                    .iter()
                    .rev()
                    .filter(|e| e.name == name)
                    .take(limit.unwrap_or(usize::MAX))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// The smallest id at or after the byte string `bytes` (bytewise order).
fn padded(bytes: &[u8]) -> ObjectId {
    let mut out = [0u8; ObjectId::LEN];
    let n = bytes.len().min(ObjectId::LEN);
    out[..n].copy_from_slice(&bytes[..n]);
    ObjectId::from_bytes(out)
}

#[cfg(test)]
mod conformance_tests {
    use super::MemoryStore;

    crate::store_conformance_tests!(
        || MemoryStore::new("repo"),
        |s: &MemoryStore| s.with_name("other"),
        |s: &MemoryStore| s.clone()
    );
}
