//! Importing a schema's history from git: every commit that changed the
//! schema at the imported paths becomes a panproto commit with the git
//! commit's author, time, message and id (its
//! [`origin`](crate::vcs::object::Commit::origin), `git:<id>`); a merge
//! that joins two imported lines becomes a merge.
//!
//! Which git commits become versions, as `git log` simplifies a path's
//! history: a commit whose paths hold what one of its parents' hold is
//! the same version as that parent's (nothing changed); one that differs
//! from every parent is a new version; a merge whose parents are distinct
//! versions, neither an ancestor of the other, is a merge version even if
//! it took one side's files. A version whose files do not parse is
//! reported and skipped: its children follow the version before it.
//! Importing again recognises the commits already imported by their
//! origin and writes only the new ones.
//!
//! The branch moves once, at the end, by compare-and-swap from where it
//! was: an import never leaves a half-moved branch. Commits written before
//! a failure stay in the store unreferenced until the next import reuses
//! them (their ids are the same).

mod git;

use std::collections::{HashMap, HashSet};
use std::path::Path;

pub use git::{GitCommit, GitHistory};

use crate::encoding::ObjectId;
use crate::formats::{self, Format, FormatOptions};
use crate::vcs::VcsError;
use crate::vcs::repository::{Head, ImportedVersion, Repository};
use crate::vcs::store::Store;

/// What to import.
#[derive(Debug, Clone)]
pub struct GitImport<'a> {
    /// The git repository: a work tree or a `.git` directory.
    pub git_dir: &'a Path,
    /// The schema's files or directories, relative to the repository's root.
    pub paths: &'a [String],
    /// The revision whose history is imported (`HEAD`, a branch, a tag, an id).
    pub rev: &'a str,
    /// The files' format; `None`: detected from each version's files.
    pub format: Option<Format>,
}

/// A git commit whose schema could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The git commit's id.
    pub commit: String,
    /// The first line of its message.
    pub summary: String,
    /// Why its files could not be read as a schema (file, line, column).
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The git commits of the history, all of them.
    pub considered: usize,
    /// The new commits, oldest first: (git id, panproto id).
    pub imported: Vec<(String, ObjectId)>,
    /// Commits an earlier import already brought (recognised by origin).
    pub already: usize,
    /// Versions whose files did not parse.
    pub skipped: Vec<Skipped>,
    /// Where the branch is now (`None` if no version of the paths exists).
    pub tip: Option<ObjectId>,
}

/// How far an import is: git commits looked at, of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Commits looked at so far.
    pub done: usize,
    /// Commits in the history.
    pub total: usize,
}

/// Imports `what` onto the repository's current branch; see the module docs.
///
/// # Errors
/// [`VcsError::InvalidInput`] if HEAD is detached, something is staged,
/// the branch has commits that are not from this history's import, or no
/// commit of the history holds the paths; [`VcsError::NotFound`] for a
/// directory that is no git repository or a revision that names no
/// commit; [`VcsError::ProtocolMismatch`] when the files are of another
/// format than the repository's protocol; the store's errors.
pub fn import_git<S: Store>(
    repo: &mut Repository<S>,
    what: &GitImport<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, VcsError> {
    let invalid = |reason: String| VcsError::InvalidInput {
        what: "import-git",
        reason,
    };
    let Head::Branch(branch) = repo.head().clone() else {
        return Err(invalid(
            "HEAD is detached; check out the branch to import into".to_owned(),
        ));
    };
    if repo.staged().is_some() {
        return Err(invalid("a schema is staged; commit it first".to_owned()));
    }
    let history = GitHistory::open(what.git_dir, what.paths)?;
    let (tip_id, commits) = history.commits(what.rev)?;
    let start = repo.head_commit()?;
    let lineage = match start {
        Some(tip) => repo.lineage(tip)?,
        None => Default::default(),
    };
    let mut parents_of = lineage.parents;
    let mut report = ImportReport {
        considered: commits.len(),
        ..Default::default()
    };
    // The panproto commit each git commit's files are (None: no version yet).
    let mut version: HashMap<&str, Option<ObjectId>> = HashMap::with_capacity(commits.len());
    let state = states(&commits);
    let total = commits.len();
    let candidates = candidates(&commits, &state, &lineage.by_origin);
    let (sender, parsed) = std::sync::mpsc::sync_channel(PARSE_AHEAD);
    let format = what.format;
    std::thread::scope(|scope| -> Result<(), VcsError> {
        // Owned here, so that leaving early (an error) drops it before the
        // scope waits for the parser, whose next send then fails and ends it.
        let parsed = parsed;
        let commits = &commits;
        // Parsing is a third of an import and needs nothing written before
        // it, so the versions are parsed on a second thread, ahead.
        scope.spawn(move || {
            let options = FormatOptions::default();
            let reader = GitHistory::open(what.git_dir, what.paths);
            for i in candidates {
                let schema = reader.as_ref().map_err(Clone::clone).and_then(|reader| {
                    reader
                        .source(&commits[i], format)
                        .map(|source| formats::parse(&source, format, &options))
                });
                if sender.send((i, schema)).is_err() {
                    return;
                }
            }
        });
        for (done, c) in commits.iter().enumerate() {
            progress(Progress { done, total });
            let origin = origin_of(c);
            if let Some(id) = lineage.by_origin.get(&origin) {
                report.already += 1;
                version.insert(&c.id, Some(*id));
                continue;
            }
            let parents: Vec<&str> = c.parents.iter().map(String::as_str).collect();
            let mut heads: Vec<ObjectId> = Vec::new();
            for p in &parents {
                if let Some(Some(id)) = version.get(p) {
                    if !heads.contains(id) {
                        heads.push(*id);
                    }
                }
            }
            let heads = without_ancestors(&heads, &parents_of);
            let same_as = same_as_parent(c, &state);
            let absent = c.state.iter().all(Option::is_none);
            let new_version = !absent && (heads.len() >= 2 || same_as.is_none());
            if !new_version {
                let carried = match same_as {
                    Some(p) => version.get(p.as_str()).copied().flatten(),
                    None => heads.first().copied(),
                };
                version.insert(&c.id, carried);
                continue;
            }
            // Every new version is a candidate, so it comes: the ones
            // before it that turned out not to be versions are dropped.
            let schema = loop {
                match parsed.recv() {
                    Ok((i, schema)) if i == done => break schema?,
                    Ok(_) => {}
                    // The parser sends every candidate; it stopped only by panicking.
                    Err(_) => return Err(invalid("the parsing thread stopped".to_owned())),
                }
            };
            let schema = match schema {
                Ok(schema) => schema,
                Err(e) => {
                    report.skipped.push(Skipped {
                        commit: c.id.clone(),
                        summary: c.message.lines().next().unwrap_or_default().to_owned(),
                        reason: e.to_string(),
                    });
                    version.insert(&c.id, heads.first().copied());
                    continue;
                }
            };
            let id = repo.write_imported(ImportedVersion {
                schema,
                parents: heads.clone(),
                author: c.author.clone(),
                timestamp: c.timestamp,
                message: c.message.clone(),
                origin,
            })?;
            parents_of.insert(id, heads);
            report.imported.push((c.id.clone(), id));
            version.insert(&c.id, Some(id));
        }
        Ok(())
    })?;
    progress(Progress { done: total, total });
    let Some(tip) = version.get(tip_id.as_str()).copied().flatten() else {
        if report.skipped.is_empty() {
            return Err(invalid(format!(
                "no commit of {} holds {}",
                what.rev,
                what.paths.join(", ")
            )));
        }
        report.tip = start;
        return Ok(report);
    };
    if Some(tip) != start {
        if let Some(from) = start {
            if !is_ancestor(from, tip, &parents_of) {
                return Err(invalid(format!(
                    "branch {branch} has commits that are not from this git history's import; \
                     import into a new branch"
                )));
            }
        }
        let message = format!("import-git {} ({} new)", what.rev, report.imported.len());
        repo.move_branch(&branch, start, tip, &message)?;
    }
    report.tip = Some(tip);
    Ok(report)
}

/// How many parsed versions the parsing thread may hold ahead of the writes.
const PARSE_AHEAD: usize = 4;

/// What each commit's paths hold, by commit id.
type States<'c> = HashMap<&'c str, &'c [Option<gix::ObjectId>]>;

fn states(commits: &[GitCommit]) -> States<'_> {
    commits
        .iter()
        .map(|c| (c.id.as_str(), c.state.as_slice()))
        .collect()
}

/// The origin a commit imported from `c` records.
fn origin_of(c: &GitCommit) -> String {
    format!("git:{}", c.id)
}

/// The first parent of `c` whose paths hold what `c`'s hold.
fn same_as_parent<'c>(c: &'c GitCommit, state: &States<'_>) -> Option<&'c String> {
    c.parents
        .iter()
        .find(|p| state.get(p.as_str()) == Some(&c.state.as_slice()))
}

/// The indices of the commits that may become versions, in order: those
/// not imported before whose paths hold something that differs from every
/// parent's, and merges (which join versions even with a parent's files).
fn candidates(
    commits: &[GitCommit],
    state: &States<'_>,
    imported: &HashMap<String, ObjectId>,
) -> Vec<usize> {
    commits
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            !c.state.iter().all(Option::is_none)
                && !imported.contains_key(&origin_of(c))
                && (c.parents.len() >= 2 || same_as_parent(c, state).is_none())
        })
        .map(|(i, _)| i)
        .collect()
}

/// `heads` without those that are ancestors of another of them.
fn without_ancestors(
    heads: &[ObjectId],
    parents_of: &HashMap<ObjectId, Vec<ObjectId>>,
) -> Vec<ObjectId> {
    if heads.len() < 2 {
        return heads.to_vec();
    }
    heads
        .iter()
        .filter(|h| {
            !heads
                .iter()
                .any(|other| other != *h && is_ancestor(**h, *other, parents_of))
        })
        .copied()
        .collect()
}

/// Whether `ancestor` is `of` or reachable from it through `parents_of`.
fn is_ancestor(
    ancestor: ObjectId,
    of: ObjectId,
    parents_of: &HashMap<ObjectId, Vec<ObjectId>>,
) -> bool {
    let mut seen = HashSet::from([of]);
    let mut queue = vec![of];
    while let Some(id) = queue.pop() {
        if id == ancestor {
            return true;
        }
        for p in parents_of.get(&id).into_iter().flatten() {
            if seen.insert(*p) {
                queue.push(*p);
            }
        }
    }
    false
}
