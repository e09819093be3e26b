//! Classifying a diff: is each change breaking, and why?
//!
//! The rules: removals, kind changes that change the shape of values,
//! tightened constraints, constraints added to elements that already
//! existed, and fields newly required on vertices that already existed are
//! breaking (old records or old readers may fail); additions (with the
//! constraints and requirements on what they add) and relaxations are not.
//! The verdict is `breaking` if any change is, `backward-compatible` if
//! there are changes but none breaks, `fully-compatible` if nothing changed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::evolution::{Change, ChangeKind};
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

/// One change with its classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassifiedChange {
    /// The change.
    #[serde(flatten)]
    pub change: Change,
    /// Whether it breaks.
    pub breaking: bool,
    /// Why.
    pub reason: String,
}

/// A classified diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The verdict.
    pub verdict: Compatibility,
    /// The breaking changes.
    pub breaking: Vec<ClassifiedChange>,
    /// The others.
    pub non_breaking: Vec<ClassifiedChange>,
}

fn widening(old: ValueType, new: ValueType) -> bool {
    old == new || new == ValueType::Any || (old == ValueType::Integer && new == ValueType::Number)
}

/// Classifies every change of a diff under `protocol`'s value types.
pub fn classify(changes: &[Change], protocol: &Protocol) -> Classification {
    use ChangeKind::*;
    let new_vertices: HashSet<&str> = changes
        .iter()
        .filter(|c| c.kind == VertexAdded)
        .map(|c| c.element.as_str())
        .collect();
    let mut breaking = Vec::new();
    let mut non_breaking = Vec::new();
    for c in changes {
        let (is_breaking, reason) = match c.kind {
            VertexAdded => (
                false,
                "a new vertex: existing records need not carry it".to_owned(),
            ),
            VertexRemoved => (
                true,
                "records that carry it lose that data, and readers that expect it break".to_owned(),
            ),
            EdgeAdded => (
                false,
                "a new edge: existing records need not use it".to_owned(),
            ),
            EdgeRemoved => (
                true,
                "records that use it lose that data, and readers that follow it break".to_owned(),
            ),
            KindChanged => {
                let (old, new) = (
                    c.old.as_deref().unwrap_or(""),
                    c.new.as_deref().unwrap_or(""),
                );
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
            ConstraintAdded => {
                let (vertex, sort) = c.element.rsplit_once('.').unwrap_or((&c.element, ""));
                if new_vertices.contains(vertex) {
                    (
                        false,
                        format!(
                            "{sort} on a vertex that is new in this version constrains no existing record"
                        ),
                    )
                } else if restricts(sort) {
                    (
                        true,
                        format!(
                            "{sort}={} is new on an existing element: existing values may not fit",
                            c.new.as_deref().unwrap_or("")
                        ),
                    )
                } else {
                    (false, format!("{sort} does not restrict values"))
                }
            }
            ConstraintRemoved => (
                false,
                "a constraint removed admits every value it admitted".to_owned(),
            ),
            ConstraintChanged => {
                let sort = c.element.rsplit_once('.').map_or("", |(_, s)| s);
                let (old, new) = (
                    c.old.as_deref().unwrap_or(""),
                    c.new.as_deref().unwrap_or(""),
                );
                match compare(sort, old, new) {
                    Tightness::Tighter => (
                        true,
                        format!(
                            "{sort} tightened from {old} to {new}: existing values may not fit"
                        ),
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
            RequiredAdded => {
                let vertex = c
                    .element
                    .rsplit_once('.')
                    .map_or(c.element.as_str(), |(v, _)| v);
                if new_vertices.contains(vertex) {
                    (
                        false,
                        "a field required on a vertex that is new in this version: no existing record lacks it"
                            .to_owned(),
                    )
                } else {
                    (
                        true,
                        "a newly required field: existing records may lack it".to_owned(),
                    )
                }
            }
            RequiredRemoved => (
                false,
                "a field no longer required: every existing record still fits".to_owned(),
            ),
        };
        let classified = ClassifiedChange {
            change: c.clone(),
            breaking: is_breaking,
            reason,
        };
        if is_breaking {
            breaking.push(classified)
        } else {
            non_breaking.push(classified)
        }
    }
    let verdict = if !breaking.is_empty() {
        Compatibility::Breaking
    } else if !non_breaking.is_empty() {
        Compatibility::BackwardCompatible
    } else {
        Compatibility::FullyCompatible
    };
    Classification {
        verdict,
        breaking,
        non_breaking,
    }
}
