//! The dict forms of policies and of history checks, the defaults
//! `set_policy` and `check` fill in, and the bodies of `check` and `tag`.

use panproto_core::{
    Direction, Finding, Head, HistoryCheck, Mode, ObjectId, PolicyInfo, PolicyScope, Repository,
    VcsError,
};
use pyo3::prelude::*;
use serde::Serialize;

use crate::python::convert::to_python;
use crate::store::BackendStore;

/// A policy as Python sees it.
#[derive(Serialize)]
struct PolicyData<'p> {
    mode: &'static str,
    scope: &'static str,
    branch: Option<&'p str>,
    author: &'p str,
    timestamp: i64,
}

/// A policy violation as Python sees it.
#[derive(Serialize)]
struct ViolationData<'v> {
    against: String,
    direction: Direction,
    #[serde(flatten)]
    finding: &'v Finding,
}

#[derive(Serialize)]
struct HistoryData<'h> {
    mode: &'static str,
    compatible: bool,
    checked: Vec<String>,
    backward: &'static str,
    forward: &'static str,
    violations: Vec<ViolationData<'h>>,
}

pub(super) fn policy_dict<'py>(py: Python<'py>, info: &PolicyInfo) -> PyResult<Bound<'py, PyAny>> {
    let (scope, branch) = match &info.scope {
        PolicyScope::Repository => ("repository", None),
        PolicyScope::Branch(b) => ("branch", Some(b.as_str())),
    };
    to_python(
        py,
        &PolicyData {
            mode: info.policy.mode.code(),
            scope,
            branch,
            author: &info.policy.author,
            timestamp: info.policy.timestamp,
        },
    )
}

pub(super) fn history_dict<'py>(
    py: Python<'py>,
    check: &HistoryCheck,
) -> PyResult<Bound<'py, PyAny>> {
    let violations = check.violations();
    to_python(
        py,
        &HistoryData {
            mode: check.mode.code(),
            compatible: check.compatible(),
            checked: check.checked.iter().map(ObjectId::to_hex).collect(),
            backward: check.level_in(Direction::Backward).code(),
            forward: check.level_in(Direction::Forward).code(),
            violations: violations
                .iter()
                .map(|v| ViolationData {
                    against: v.against.to_hex(),
                    direction: v.direction,
                    finding: &v.finding,
                })
                .collect(),
        },
    )
}

/// Who sets a policy when the caller does not say: `$PANPROTO_AUTHOR`,
/// else the login name, as the command line's commits default to.
pub(super) fn default_author() -> String {
    ["PANPROTO_AUTHOR", "USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The branch HEAD is on, if it is on one.
pub(super) fn current_branch(r: &Repository<BackendStore>) -> Option<String> {
    match r.head() {
        Head::Branch(b) => Some(b.clone()),
        Head::Detached(_) => None,
    }
}

/// The body of [`PyRepository::check`](super::PyRepository): `schema`
/// against the history of `against` (default: the current branch) in
/// `mode` (default: that branch's policy's, else backward).
pub(super) fn check<'py>(
    repo: &super::PyRepository,
    py: Python<'py>,
    schema: &crate::python::schema::PySchema,
    against: Option<&str>,
    mode: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let mode = mode.map(crate::python::compat::mode_arg).transpose()?;
    let schema = schema.0.clone();
    let against = against.map(str::to_owned);
    let check = repo.with(py, move |r| {
        let branch = against.or_else(|| current_branch(r)).ok_or_else(|| {
            VcsError::NotFound("a branch to check against (HEAD is detached)".to_owned())
        })?;
        let tip = r.resolve(&branch)?;
        let mode = match mode {
            Some(m) => m,
            None => r.policy(&branch)?.map_or(Mode::Backward, |p| p.policy.mode),
        };
        Ok(r.check_history(&schema, &tip, mode)?)
    })?;
    history_dict(py, &check)
}

/// The body of [`PyRepository::tag`](super::PyRepository): a lightweight
/// tag, or an annotated one with both `message` and `tagger`.
pub(super) fn tag(
    repo: &super::PyRepository,
    py: Python<'_>,
    name: &str,
    target: &str,
    message: Option<&str>,
    tagger: Option<&str>,
) -> PyResult<String> {
    repo.with(py, |r| match (message, tagger) {
        (None, None) => Ok(r.tag(name, Some(target))?.to_hex()),
        (Some(message), Some(tagger)) => Ok(r
            .annotated_tag(name, Some(target), message, tagger, None)?
            .commit
            .to_hex()),
        (Some(_), None) | (None, Some(_)) => Err(VcsError::InvalidInput {
            what: "tag",
            reason: "an annotated tag needs both a message and a tagger".to_owned(),
        }
        .into()),
    })
}
