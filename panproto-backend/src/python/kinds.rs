//! `list_kinds`: the kind names reports use, from the engine's own lists.

use std::collections::BTreeMap;

use panproto_core::{ChangeKind, ConflictKind, ExistenceKind, IssueKind, ProblemKind};
use pyo3::prelude::*;

/// The string forms of every kind of every report, by enum.
///
/// Returns
/// -------
/// dict[str, list[str]]
///     ``"ChangeKind"`` (a diff's changes), ``"ExistenceKind"`` (an
///     existence check's issues), ``"ProblemKind"`` (what ``verify``
///     finds), ``"IssueKind"`` (why a schema is invalid, the code ending
///     each of ``SchemaValidationError.errors``) and ``"ConflictKind"``
///     (merge conflicts), each in the engine's order.
#[pyfunction]
pub(crate) fn list_kinds() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("ChangeKind", codes(ChangeKind::ALL, |k| k.code())),
        ("ExistenceKind", codes(ExistenceKind::ALL, |k| k.code())),
        ("ProblemKind", codes(ProblemKind::ALL, |k| k.code())),
        ("IssueKind", codes(IssueKind::ALL, |k| k.code())),
        ("ConflictKind", codes(ConflictKind::ALL, |k| k.code())),
    ])
}

fn codes<K: Copy>(all: &[K], code: impl Fn(K) -> &'static str) -> Vec<&'static str> {
    all.iter().copied().map(code).collect()
}
