//! Classifying a diff: is each change breaking, and why?
//!
//! The rules: removals, kind changes that change the shape of values,
//! tightened constraints, constraints added to elements that already
//! existed, and fields newly required on vertices that already existed are
//! breaking (old records or old readers may fail); additions (with the
//! constraints and requirements on what they add) and relaxations are not.
//! The verdict is `breaking` if any change is, `backward-compatible` if
//! there are changes but none breaks, `fully-compatible` if nothing changed.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::evolution::{Change, ChangeKind, Element};
use crate::model::constraint::{Tightness, compare, restricts};
use crate::model::protocol::{Protocol, ValueType};

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compatibility {
    /// Nothing changed that a reader or writer of either version could notice.
    FullyCompatible,
    /// New readers read old records; nothing breaks.
    BackwardCompatible,
    /// Some old record or old reader may fail.
    Breaking,
}

impl Compatibility {
    /// The kebab-case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::FullyCompatible => "fully-compatible",
            Self::BackwardCompatible => "backward-compatible",
            Self::Breaking => "breaking",
        }
    }

    /// Parses a code written by [`Compatibility::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::FullyCompatible,
            Self::BackwardCompatible,
            Self::Breaking,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// Whether one change breaks, and why: one per change of a diff, in the
/// diff's order (so a classification never copies the changes it judges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// Whether it breaks.
    pub breaking: bool,
    /// Why.
    pub reason: Cow<'static, str>,
}

/// One change with its judgement, as reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClassifiedChange<'c> {
    /// The change.
    #[serde(flatten)]
    pub change: &'c Change,
    /// Whether it breaks.
    pub breaking: bool,
    /// Why.
    pub reason: &'c str,
}

/// A classified diff: the verdict, and a judgement per change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The verdict.
    pub verdict: Compatibility,
    /// One judgement per change, in the order of the changes classified.
    pub judgements: Vec<Judgement>,
}

impl Classification {
    /// Each of `changes` (those this classification was made of) with its
    /// judgement.
    pub fn classified<'c>(
        &'c self,
        changes: &'c [Change],
    ) -> impl Iterator<Item = ClassifiedChange<'c>> + 'c {
        changes
            .iter()
            .zip(&self.judgements)
            .map(|(change, j)| ClassifiedChange {
                change,
                breaking: j.breaking,
                reason: &j.reason,
            })
    }

    /// The breaking changes among `changes`.
    pub fn breaking<'c>(
        &'c self,
        changes: &'c [Change],
    ) -> impl Iterator<Item = ClassifiedChange<'c>> + 'c {
        self.classified(changes).filter(|c| c.breaking)
    }

    /// The changes among `changes` that break nothing.
    pub fn non_breaking<'c>(
        &'c self,
        changes: &'c [Change],
    ) -> impl Iterator<Item = ClassifiedChange<'c>> + 'c {
        self.classified(changes).filter(|c| !c.breaking)
    }

    /// How many changes break.
    pub fn breaking_count(&self) -> usize {
        self.judgements.iter().filter(|j| j.breaking).count()
    }
}

fn widening(old: ValueType, new: ValueType) -> bool {
    old == new || new == ValueType::Any || (old == ValueType::Integer && new == ValueType::Number)
}

/// Classifies every change of a diff under `protocol`'s value types.
pub fn classify(changes: &[Change], protocol: &Protocol) -> Classification {
    let new_vertices: HashSet<&str> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::VertexAdded)
        .map(|c| c.element.vertex())
        .collect();
    let judgements: Vec<Judgement> = changes
        .iter()
        .map(|c| {
            let (breaking, reason) = judge(c, protocol, &new_vertices);
            Judgement { breaking, reason }
        })
        .collect();
    let verdict = if judgements.iter().any(|j| j.breaking) {
        Compatibility::Breaking
    } else if !judgements.is_empty() {
        Compatibility::BackwardCompatible
    } else {
        Compatibility::FullyCompatible
    };
    Classification {
        verdict,
        judgements,
    }
}

/// Whether one change breaks, and why. `new_vertices` are the vertices the
/// diff adds: what is constrained or required on them constrains no
/// existing record.
fn judge(
    c: &Change,
    protocol: &Protocol,
    new_vertices: &HashSet<&str>,
) -> (bool, Cow<'static, str>) {
    use ChangeKind::*;
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
    let fixed = |breaking: bool, reason: &'static str| (breaking, Cow::Borrowed(reason));
    match c.kind {
        VertexAdded => fixed(false, "a new vertex: existing records need not carry it"),
        VertexRemoved => fixed(
            true,
            "records that carry it lose that data, and readers that expect it break",
        ),
        EdgeAdded => fixed(false, "a new edge: existing records need not use it"),
        EdgeRemoved => fixed(
            true,
            "records that use it lose that data, and readers that follow it break",
        ),
        KindChanged => owned(kind_changed(&text(&c.old), &text(&c.new), protocol)),
        ConstraintAdded => {
            let (vertex, sort) = constrained(&c.element);
            owned(constraint_added(
                sort,
                &text(&c.new),
                new_vertices.contains(vertex),
            ))
        }
        ConstraintRemoved => fixed(false, "a constraint removed admits every value it admitted"),
        ConstraintChanged => {
            let (_, sort) = constrained(&c.element);
            owned(constraint_changed(sort, &text(&c.old), &text(&c.new)))
        }
        RequiredAdded if new_vertices.contains(c.element.vertex()) => fixed(
            false,
            "a field required on a vertex that is new in this version: no existing record lacks it",
        ),
        RequiredAdded => fixed(true, "a newly required field: existing records may lack it"),
        RequiredRemoved => fixed(
            false,
            "a field no longer required: every existing record still fits",
        ),
    }
}

fn owned((breaking, reason): (bool, String)) -> (bool, Cow<'static, str>) {
    (breaking, Cow::Owned(reason))
}

/// The vertex and sort of a constraint change's element.
fn constrained(element: &Element) -> (&str, &str) {
    match element {
        Element::Constraint { vertex, sort } => (vertex, sort),
        other => (other.vertex(), ""),
    }
}

fn kind_changed(old: &str, new: &str, protocol: &Protocol) -> (bool, String) {
    let (vo, vn) = (protocol.value_type(old), protocol.value_type(new));
    if widening(vo, vn) {
        (
            false,
            format!(
                "{old} to {new} keeps every existing value valid ({} to {})",
                vo.name(),
                vn.name()
            ),
        )
    } else {
        (
            true,
            format!(
                "{old} to {new} changes the shape of its values ({} to {})",
                vo.name(),
                vn.name()
            ),
        )
    }
}

fn constraint_added(sort: &str, value: &str, on_new_vertex: bool) -> (bool, String) {
    if on_new_vertex {
        (
            false,
            format!("{sort} on a vertex that is new in this version constrains no existing record"),
        )
    } else if restricts(sort) {
        (
            true,
            format!("{sort}={value} is new on an existing element: existing values may not fit"),
        )
    } else {
        (false, format!("{sort} does not restrict values"))
    }
}

fn constraint_changed(sort: &str, old: &str, new: &str) -> (bool, String) {
    match compare(sort, old, new) {
        Tightness::Tighter => (
            true,
            format!("{sort} tightened from {old} to {new}: existing values may not fit"),
        ),
        Tightness::Incomparable if restricts(sort) => (
            true,
            format!(
                "{sort} changed from {old} to {new}, and the new value does not admit all the old ones"
            ),
        ),
        Tightness::Incomparable => (false, format!("{sort} does not restrict values")),
        Tightness::Looser | Tightness::Same => {
            (false, format!("{sort} relaxed from {old} to {new}"))
        }
    }
}
