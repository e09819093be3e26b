//! The dict forms of engine results (the `TypedDict`s of `panproto.types`),
//! and the dict arguments read into engine values.

use std::collections::BTreeMap;

use panproto_core::vcs::store::{RefTarget, ReflogEntry};
use panproto_core::{Conflict, Merged, ObjectId, Rebased, Resolutions, Side, TagInfo, VcsError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Serialize;

/// A ref target as Python shows it: a commit (or tag object) id, or
/// ``"ref: NAME"`` for a symbolic ref, as git writes them.
fn target_str(target: Option<RefTarget>) -> Option<String> {
    target.map(|t| match t {
        RefTarget::Id(id) => id.to_hex(),
        RefTarget::Symbolic(name) => format!("ref: {name}"),
    })
}

/// `panproto.types.ReflogEntry`.
pub(crate) fn reflog_dict(py: Python<'_>, entry: ReflogEntry) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("ref", entry.name)?;
    d.set_item("old", target_str(entry.old))?;
    d.set_item("new", target_str(entry.new))?;
    d.set_item("message", entry.message)?;
    d.set_item("timestamp", entry.timestamp)?;
    Ok(d)
}

/// `panproto.types.TagInfo`.
pub(crate) fn tag_dict(py: Python<'_>, info: TagInfo) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", info.name)?;
    d.set_item("commit", info.commit.to_hex())?;
    let (id, tag) = match info.annotation {
        Some((id, tag)) => (Some(id.to_hex()), Some(tag)),
        None => (None, None),
    };
    d.set_item("annotated", id.is_some())?;
    d.set_item("object", id)?;
    d.set_item("tagger", tag.as_ref().map(|t| t.tagger.clone()))?;
    d.set_item("timestamp", tag.as_ref().map(|t| t.timestamp))?;
    d.set_item("message", tag.map(|t| t.message))?;
    Ok(d)
}

/// Names with the commit ids they point at, as Python sees them (hex).
pub(crate) fn hex_ids(refs: Vec<(String, ObjectId)>) -> BTreeMap<String, String> {
    refs.into_iter()
        .map(|(name, id)| (name, id.to_hex()))
        .collect()
}

/// Per-element resolutions and a default side, from their Python form.
///
/// # Errors
/// [`MergeError::UnknownSide`](panproto_core::MergeError::UnknownSide)
/// for a side other than `"ours"` / `"theirs"`.
pub(crate) fn resolutions(
    resolve: Option<BTreeMap<String, String>>,
    strategy: Option<&str>,
) -> Result<Resolutions, VcsError> {
    Ok(Resolutions::from_names(
        resolve
            .unwrap_or_default()
            .into_iter()
            .map(|(element, side)| Ok((element, side.parse::<Side>()?)))
            .collect::<Result<Vec<_>, VcsError>>()?,
        strategy.map(str::parse::<Side>).transpose()?,
    ))
}

/// A settled conflict as Python sees it (`panproto.types.ResolvedConflict`).
#[derive(Serialize)]
pub(crate) struct ResolvedOut<'a> {
    #[serde(flatten)]
    conflict: &'a Conflict,
    side: &'static str,
}

/// The settled conflicts of a merge or rebase.
pub(crate) fn resolved_out(resolved: &[(Conflict, Side)]) -> Vec<ResolvedOut<'_>> {
    resolved
        .iter()
        .map(|(conflict, side)| ResolvedOut {
            conflict,
            side: side.code(),
        })
        .collect()
}

/// `panproto.types.MergeResult`.
#[derive(Serialize)]
pub(crate) struct MergeOut<'a> {
    kind: &'static str,
    commit: String,
    resolved: Vec<ResolvedOut<'a>>,
}

impl<'a> From<&'a Merged> for MergeOut<'a> {
    fn from(merged: &'a Merged) -> Self {
        let (kind, resolved) = match merged {
            Merged::UpToDate(_) => ("up-to-date", &[][..]),
            Merged::FastForward(_) => ("fast-forward", &[][..]),
            Merged::Commit { resolved, .. } => ("merge", resolved.as_slice()),
        };
        Self {
            kind,
            commit: merged.head().to_hex(),
            resolved: resolved_out(resolved),
        }
    }
}

/// `panproto.types.RebaseResult`.
#[derive(Serialize)]
pub(crate) struct RebaseOut<'a> {
    kind: &'static str,
    onto: Option<String>,
    resolved: Vec<ResolvedOut<'a>>,
}

impl<'a> From<&'a Rebased> for RebaseOut<'a> {
    fn from(rebased: &'a Rebased) -> Self {
        match rebased {
            Rebased::UpToDate => Self {
                kind: "up-to-date",
                onto: None,
                resolved: Vec::new(),
            },
            Rebased::Onto { head, resolved } => Self {
                kind: "rebased",
                onto: Some(head.to_hex()),
                resolved: resolved_out(resolved),
            },
        }
    }
}
