//! Reading a git repository with gitoxide (`gix`; no `git` binary): the
//! commits reachable from a revision, parents first, each with what its
//! tree holds at the imported paths, and the files there when asked.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;

use crate::formats::{Format, Source};
use crate::vcs::VcsError;

/// One git commit as the importer needs it.
#[derive(Debug, Clone)]
pub struct GitCommit {
    /// The commit id (40 hex digits).
    pub id: String,
    /// Its parents' ids, in order.
    pub parents: Vec<String>,
    /// For each imported path, the id of what the tree holds there (a blob
    /// for a file, a tree for a directory), or `None` if nothing.
    pub state: Vec<Option<gix::ObjectId>>,
    /// `Name <email>` of the author.
    pub author: String,
    /// The author's time, in seconds since the Unix epoch.
    pub timestamp: i64,
    /// The whole message, without trailing blank lines.
    pub message: String,
}

/// An opened git repository and the paths to import from it (one thread's:
/// another thread opens its own).
pub struct GitHistory {
    repo: gix::Repository,
    dir: PathBuf,
    paths: Vec<String>,
}

fn git_error(dir: &Path, doing: &str, e: impl std::fmt::Display) -> VcsError {
    VcsError::InvalidInput {
        what: "git history",
        reason: format!("{doing} in {}: {e}", dir.display()),
    }
}

impl GitHistory {
    /// Opens the git repository at `dir` (a work tree or a `.git`
    /// directory) to import `paths` (relative to the repository's root,
    /// `/`-separated).
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if `dir` is no git repository;
    /// [`VcsError::InvalidInput`] for an absolute or empty path.
    pub fn open(dir: &Path, paths: &[String]) -> Result<Self, VcsError> {
        let repo = gix::open(dir).map_err(|e| {
            VcsError::NotFound(format!("a git repository at {} ({e})", dir.display()))
        })?;
        let mut clean = Vec::with_capacity(paths.len());
        for path in paths {
            let trimmed = path.trim_matches('/');
            if trimmed.is_empty() || path.starts_with('/') || trimmed.split('/').any(|c| c == "..")
            {
                return Err(VcsError::InvalidInput {
                    what: "import path",
                    reason: format!(
                        "{path:?} is not a path inside the git repository (give it relative to \
                         the repository's root, without ..)"
                    ),
                });
            }
            clean.push(trimmed.to_owned());
        }
        Ok(Self {
            repo,
            dir: dir.to_owned(),
            paths: clean,
        })
    }

    /// Every commit reachable from `rev` (`HEAD`, a branch, a tag, an id),
    /// parents before children.
    ///
    /// # Errors
    /// [`VcsError::NotFound`] if `rev` names no commit; a damaged object.
    pub fn commits(&self, rev: &str) -> Result<(String, Vec<GitCommit>), VcsError> {
        let err = |doing: &str, e: &dyn std::fmt::Display| git_error(&self.dir, doing, e);
        let tip = self
            .repo
            .rev_parse_single(rev)
            .map_err(|e| {
                VcsError::NotFound(format!("revision {rev:?} in {} ({e})", self.dir.display()))
            })?
            .object()
            .map_err(|e| err("reading the revision", &e))?
            .peel_to_commit()
            .map_err(|e| err(&format!("peeling {rev} to a commit"), &e))?;
        let walk = self
            .repo
            .rev_walk([tip.id])
            .all()
            .map_err(|e| err("walking the history", &e))?;
        let mut by_id: HashMap<String, GitCommit> = HashMap::new();
        for info in walk {
            let info = info.map_err(|e| err("walking the history", &e))?;
            let commit = info.object().map_err(|e| err("reading a commit", &e))?;
            let parents = info.parent_ids().map(|p| p.to_string()).collect();
            let tree = commit.tree().map_err(|e| err("reading a tree", &e))?;
            let mut state = Vec::with_capacity(self.paths.len());
            for path in &self.paths {
                let entry = tree
                    .lookup_entry_by_path(path)
                    .map_err(|e| err(&format!("looking up {path}"), &e))?;
                state.push(entry.map(|e| e.object_id()));
            }
            let author = commit.author().map_err(|e| err("reading an author", &e))?;
            let timestamp = author
                .time()
                .map_err(|e| err("reading an author's time", &e))?
                .seconds;
            let author_text = format!(
                "{} <{}>",
                author.name.to_str_lossy(),
                author.email.to_str_lossy()
            );
            let message = commit
                .message_raw()
                .map_err(|e| err("reading a message", &e))?
                .to_str_lossy()
                .trim_end()
                .to_owned();
            let id = info.id.to_string();
            by_id.insert(
                id.clone(),
                GitCommit {
                    id,
                    parents,
                    state,
                    author: author_text,
                    timestamp,
                    message,
                },
            );
        }
        Ok((tip.id.to_string(), topological(by_id)))
    }

    /// The files at `commit`'s imported paths, as one [`Source`]: a file
    /// path gives that file; a directory gives every file under it that
    /// `format` (or, without one, any format) reads.
    ///
    /// # Errors
    /// A damaged object.
    pub fn source(&self, commit: &GitCommit, format: Option<Format>) -> Result<Source, VcsError> {
        let err = |doing: &str, e: &dyn std::fmt::Display| git_error(&self.dir, doing, e);
        let accepts = |name: &str| match format {
            Some(f) => f.accepts(name),
            None => Format::ALL.iter().any(|f| f.accepts(name)),
        };
        let mut files = Vec::new();
        for (path, id) in self.paths.iter().zip(&commit.state) {
            let Some(id) = id else { continue };
            let object = self
                .repo
                .find_object(*id)
                .map_err(|e| err(&format!("reading {path}"), &e))?;
            match object.kind {
                gix::object::Kind::Blob => {
                    files.push((path.clone(), object.data.to_str_lossy().into_owned()));
                }
                gix::object::Kind::Tree => {
                    let tree = object.into_tree();
                    let mut recorder = gix::traverse::tree::Recorder::default();
                    tree.traverse()
                        .breadthfirst(&mut recorder)
                        .map_err(|e| err(&format!("reading the directory {path}"), &e))?;
                    for entry in recorder.records {
                        let name = format!("{path}/{}", entry.filepath.to_str_lossy());
                        if !entry.mode.is_blob() || !accepts(&name) {
                            continue;
                        }
                        let blob = self
                            .repo
                            .find_object(entry.oid)
                            .map_err(|e| err(&format!("reading {name}"), &e))?;
                        files.push((name, blob.data.to_str_lossy().into_owned()));
                    }
                }
                _ => {}
            }
        }
        files.sort();
        Ok(Source::from_files(
            format!("{} at {}", self.paths.join(", "), &commit.id[..12]),
            files,
        ))
    }
}

/// `commits` with every commit after its parents (Kahn's algorithm; among
/// commits ready together, the older first, then by id, so the order is
/// the same on every run).
fn topological(mut commits: HashMap<String, GitCommit>) -> Vec<GitCommit> {
    let mut waiting: HashMap<&str, usize> = HashMap::new();
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in commits.values() {
        let known: HashSet<&str> = c
            .parents
            .iter()
            .map(String::as_str)
            .filter(|p| commits.contains_key(*p))
            .collect();
        waiting.insert(&c.id, known.len());
        for p in known {
            children.entry(p).or_default().push(&c.id);
        }
    }
    let key = |id: &str| (commits[id].timestamp, id.to_owned());
    let mut ready: std::collections::BTreeSet<(i64, String)> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| key(id))
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some(next) = ready.pop_first() {
        for child in children.get(next.1.as_str()).into_iter().flatten() {
            if let Some(n) = waiting.get_mut(child) {
                *n -= 1;
                if *n == 0 {
                    ready.insert(key(child));
                }
            }
        }
        order.push(next.1);
    }
    drop((waiting, children));
    order
        .into_iter()
        .filter_map(|id| commits.remove(&id))
        .collect()
}
