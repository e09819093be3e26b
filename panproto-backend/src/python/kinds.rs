//! `list_kinds`: the kind names reports use, from the engine's own lists.

use std::collections::BTreeMap;

use panproto_core::{
    ChangeKind, ConflictKind, Direction, ExistenceKind, IssueKind, Level, Mode, ProblemKind,
};
use pyo3::prelude::*;

/// The string forms of every kind of every report, by enum.
///
/// Returns
/// -------
/// dict[str, list[str]]
///     ``"ChangeKind"`` (a diff's changes), ``"ExistenceKind"`` (an
///     existence check's issues), ``"ProblemKind"`` (what ``verify``
///     finds), ``"IssueKind"`` (why a schema is invalid, the code ending
///     each of ``SchemaValidationError.errors``), ``"ConflictKind"``
///     (merge conflicts), and for :func:`check`, ``"CompatMode"`` (the
///     modes), ``"CompatLevel"`` and ``"CompatDirection"``, each in the
///     engine's order.
#[pyfunction]
pub(crate) fn list_kinds() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("ChangeKind", codes(ChangeKind::ALL, |k| k.code())),
        ("ExistenceKind", codes(ExistenceKind::ALL, |k| k.code())),
        ("ProblemKind", codes(ProblemKind::ALL, |k| k.code())),
        ("IssueKind", codes(IssueKind::ALL, |k| k.code())),
        ("ConflictKind", codes(ConflictKind::ALL, |k| k.code())),
        ("CompatMode", codes(&Mode::ALL, |m| m.code())),
        ("CompatLevel", codes(&Level::ALL, |l| l.code())),
        ("CompatDirection", codes(&Direction::BOTH, |d| d.code())),
    ])
}

fn codes<K: Copy>(all: &[K], code: impl Fn(K) -> &'static str) -> Vec<&'static str> {
    all.iter().copied().map(code).collect()
}
