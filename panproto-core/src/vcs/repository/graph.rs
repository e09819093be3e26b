//! The commit graph as `git log --graph` draws it: every commit reachable
//! from a branch, a tag or HEAD, children before parents and otherwise
//! newest first, each on a line of lane glyphs (`*` the commit, `|` a
//! lane passing by), with the lines that join lanes (`|/`) and fork them
//! at a merge (`|\`) between.

use std::collections::{BinaryHeap, HashMap};

use crate::encoding::ObjectId;
use crate::vcs::error::VcsError;
use crate::vcs::object::{self, Commit};
use crate::vcs::store::Store;

use super::{CommitInfo, Repository};

/// One line of the graph: its glyphs, and the commit it shows (`None` for
/// a line that joins or forks lanes).
#[derive(Debug, Clone)]
pub struct GraphLine {
    /// The lanes, two characters each (`* `, `| `, `|/`, `|\`), trailing
    /// spaces trimmed.
    pub glyphs: String,
    /// The commit, on a commit's line.
    pub commit: Option<CommitInfo>,
}

impl<S: Store> Repository<S> {
    /// The graph of every commit reachable from a branch, a tag or HEAD;
    /// at most `limit` commits (the newest, in graph order).
    ///
    /// # Errors
    /// [`VcsError::Store`] when the store cannot be read or a commit is damaged.
    pub fn graph(&self, limit: Option<usize>) -> Result<Vec<GraphLine>, VcsError> {
        let mut tips: Vec<ObjectId> = self.branches()?.into_iter().map(|(_, id)| id).collect();
        tips.extend(self.tags()?.into_iter().map(|(_, id)| id));
        tips.extend(self.head_commit()?);
        let commits = self.reachable(&tips)?;
        let order = newest_first(&commits, limit);
        Ok(draw(&commits, order))
    }

    /// Every commit reachable from `tips`: each first-parent chain read
    /// in one query (the first tip's whole), the others in runs of
    /// [`RUN`] until they reach a commit already read, so a side branch
    /// costs a query, not a query per commit.
    pub(super) fn reachable(
        &self,
        tips: &[ObjectId],
    ) -> Result<HashMap<ObjectId, Commit>, VcsError> {
        let mut commits: HashMap<ObjectId, Commit> = HashMap::new();
        let mut pending: Vec<ObjectId> = tips.iter().rev().copied().collect();
        let mut first = true;
        while let Some(start) = pending.pop() {
            if commits.contains_key(&start) {
                continue;
            }
            let limit = if first { None } else { Some(RUN) };
            first = false;
            let chain = self.store.first_parent_chain(&start, limit)?;
            let complete = limit.is_none_or(|l| chain.len() < l);
            let mut last = None;
            for obj in chain {
                // A tag may name something other than a commit: leave it out.
                if obj.kind != object::ObjectKind::Commit || commits.contains_key(&obj.id) {
                    last = None;
                    break;
                }
                let commit = object::load_commit(&obj)?;
                pending.extend(commit.parents.iter().skip(1).copied());
                last = commit.parents.first().copied();
                commits.insert(obj.id, commit);
            }
            // The run stopped before the chain's end: go on from there.
            if let (Some(next), false) = (last, complete) {
                pending.push(next);
            }
        }
        Ok(commits)
    }
}

/// How many commits of a side chain one query reads.
const RUN: usize = 64;

/// The commits in graph order: a commit after all its children, the
/// newest first among those ready.
fn newest_first(commits: &HashMap<ObjectId, Commit>, limit: Option<usize>) -> Vec<ObjectId> {
    let mut children: HashMap<ObjectId, usize> = commits.keys().map(|id| (*id, 0)).collect();
    for c in commits.values() {
        for p in &c.parents {
            if let Some(n) = children.get_mut(p) {
                *n += 1;
            }
        }
    }
    let mut ready: BinaryHeap<(i64, ObjectId)> = children
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| (commits[id].timestamp, *id))
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some((_, id)) = ready.pop() {
        if limit.is_some_and(|l| order.len() >= l) {
            break;
        }
        order.push(id);
        for p in &commits[&id].parents {
            if let Some(n) = children.get_mut(p) {
                *n -= 1;
                if *n == 0 {
                    ready.push((commits[p].timestamp, *p));
                }
            }
        }
    }
    order
}

/// The lines for `order`, lane by lane.
fn draw(commits: &HashMap<ObjectId, Commit>, order: Vec<ObjectId>) -> Vec<GraphLine> {
    let mut lanes: Vec<Option<ObjectId>> = Vec::new();
    let mut lines = Vec::with_capacity(order.len() * 2);
    let joint = |glyphs: Vec<u8>| GraphLine {
        glyphs: finish(glyphs),
        commit: None,
    };
    for id in order {
        let waiting: Vec<usize> = (0..lanes.len()).filter(|&i| lanes[i] == Some(id)).collect();
        let col = match waiting.first() {
            Some(&c) => c,
            None => match lanes.iter().position(Option::is_none) {
                Some(free) => {
                    lanes[free] = Some(id);
                    free
                }
                None => {
                    lanes.push(Some(id));
                    lanes.len() - 1
                }
            },
        };
        // Lanes that also waited for this commit join it: `|/`, and the
        // lanes right of them move left.
        if waiting.len() > 1 {
            let first_join = waiting[1];
            let mut glyphs = vec![b' '; 2 * lanes.len()];
            for (i, lane) in lanes.iter().enumerate() {
                if lane.is_none() {
                    continue;
                }
                if i < first_join {
                    glyphs[2 * i] = b'|';
                } else {
                    glyphs[2 * i - 1] = b'/';
                }
            }
            lines.push(joint(glyphs));
            let mut i = 0;
            lanes.retain(|_| {
                let keep = !waiting[1..].contains(&i);
                i += 1;
                keep
            });
        }
        let mut glyphs = vec![b' '; 2 * lanes.len()];
        for (i, lane) in lanes.iter().enumerate() {
            if i == col {
                glyphs[2 * i] = b'*';
            } else if lane.is_some() {
                glyphs[2 * i] = b'|';
            }
        }
        let commit = &commits[&id];
        lines.push(GraphLine {
            glyphs: finish(glyphs),
            commit: Some(CommitInfo {
                id,
                commit: commit.clone(),
            }),
        });
        // The first parent takes the lane; each further one forks a new
        // lane to its right: `|\`.
        lanes[col] = commit.parents.first().copied();
        for parent in commit.parents.iter().skip(1) {
            lanes.insert(col + 1, Some(*parent));
            let mut glyphs = vec![b' '; 2 * lanes.len()];
            for (i, lane) in lanes.iter().enumerate() {
                if lane.is_none() {
                    continue;
                }
                if i <= col {
                    glyphs[2 * i] = b'|';
                } else {
                    glyphs[2 * i - 1] = b'\\';
                }
            }
            lines.push(joint(glyphs));
        }
        while lanes.last().is_some_and(Option::is_none) {
            lanes.pop();
        }
    }
    lines
}

/// The glyphs as text, trailing spaces trimmed.
fn finish(glyphs: Vec<u8>) -> String {
    String::from_utf8(glyphs)
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}
