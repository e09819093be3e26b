//! Structural differences between two schemas.
//!
//! [`diff`] lists every change of the ten kinds, each naming the element it
//! touches. It is a set comparison of the two schemas' sorted collections,
//! so it runs in time linear in their size.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::evolution::element::{ChangeText, Element};
use crate::model::schema::Schema;

/// The ten kinds of schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A vertex exists only in the new schema.
    VertexAdded,
    /// A vertex exists only in the old schema.
    VertexRemoved,
    /// An edge exists only in the new schema.
    EdgeAdded,
    /// An edge exists only in the old schema.
    EdgeRemoved,
    /// A constraint sort appears on a vertex.
    ConstraintAdded,
    /// A constraint sort disappears from a vertex.
    ConstraintRemoved,
    /// A constraint's value changed.
    ConstraintChanged,
    /// A vertex kept its id but changed kind.
    KindChanged,
    /// An edge became required.
    RequiredAdded,
    /// An edge stopped being required.
    RequiredRemoved,
}

impl ChangeKind {
    /// Every kind, in declaration order (what `list_kinds()` reports).
    pub const ALL: &'static [Self] = &[
        Self::VertexAdded,
        Self::VertexRemoved,
        Self::EdgeAdded,
        Self::EdgeRemoved,
        Self::ConstraintAdded,
        Self::ConstraintRemoved,
        Self::ConstraintChanged,
        Self::KindChanged,
        Self::RequiredAdded,
        Self::RequiredRemoved,
    ];

    /// The kebab-case code, e.g. `"vertex-added"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::VertexAdded => "vertex-added",
            Self::VertexRemoved => "vertex-removed",
            Self::EdgeAdded => "edge-added",
            Self::EdgeRemoved => "edge-removed",
            Self::ConstraintAdded => "constraint-added",
            Self::ConstraintRemoved => "constraint-removed",
            Self::ConstraintChanged => "constraint-changed",
            Self::KindChanged => "kind-changed",
            Self::RequiredAdded => "required-added",
            Self::RequiredRemoved => "required-removed",
        }
    }
}

/// One change, with the element it touches and, where it applies, the old
/// and new values.
///
/// Serialized, the element is its display text: `{"kind": "vertex-added",
/// "element": "post", "new": "record"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The element: shown as a vertex id, an edge in `src -kind[name]-> tgt`
    /// form, `vertex.sort` for constraints, `vertex.edge` for required edges.
    pub element: Element,
    /// The old value (kind or constraint value), if the change has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new value, if the change has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

impl ChangeKind {
    /// The kind of the same change made the other way (new to old).
    pub fn inverse(self) -> Self {
        use ChangeKind::*;
        match self {
            VertexAdded => VertexRemoved,
            VertexRemoved => VertexAdded,
            EdgeAdded => EdgeRemoved,
            EdgeRemoved => EdgeAdded,
            ConstraintAdded => ConstraintRemoved,
            ConstraintRemoved => ConstraintAdded,
            RequiredAdded => RequiredRemoved,
            RequiredRemoved => RequiredAdded,
            ConstraintChanged => ConstraintChanged,
            KindChanged => KindChanged,
        }
    }
}

impl Change {
    /// The same change made the other way: what `diff(new, old)` lists for it.
    pub fn inverse(&self) -> Self {
        Self {
            kind: self.kind.inverse(),
            element: self.element.clone(),
            old: self.new.clone(),
            new: self.old.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = ChangeText::deserialize(d)?;
        Ok(Self {
            kind: t.kind,
            element: Element::from_display(t.kind, &t.element),
            old: t.old,
            new: t.new,
        })
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.code(), self.element)?;
        match (&self.old, &self.new) {
            (Some(o), Some(n)) => write!(f, " ({o} -> {n})"),
            (None, Some(n)) => write!(f, " ({n})"),
            (Some(o), None) => write!(f, " (was {o})"),
            (None, None) => Ok(()),
        }
    }
}

fn change(
    kind: ChangeKind,
    element: Element,
    old: Option<&String>,
    new: Option<&String>,
) -> Change {
    Change {
        kind,
        element,
        old: old.cloned(),
        new: new.cloned(),
    }
}

/// Every change from `old` to `new`, grouped by kind in [`ChangeKind`] order
/// and sorted by element within a kind.
pub fn diff(old: &Schema, new: &Schema) -> Vec<Change> {
    use ChangeKind::*;
    let mut out = Vec::new();
    let vertex = |id: &str| Element::Vertex(id.to_owned());
    merge_walk(old.vertices(), new.vertices(), |id, o, n| match (o, n) {
        (None, Some(v)) => out.push(change(VertexAdded, vertex(id), None, Some(&v.kind))),
        (Some(v), None) => out.push(change(VertexRemoved, vertex(id), Some(&v.kind), None)),
        (Some(a), Some(b)) if a.kind != b.kind => out.push(change(
            KindChanged,
            vertex(id),
            Some(&a.kind),
            Some(&b.kind),
        )),
        _ => {}
    });
    for e in new.edges().difference(old.edges()) {
        out.push(change(EdgeAdded, Element::Edge(e.clone()), None, None));
    }
    for e in old.edges().difference(new.edges()) {
        out.push(change(EdgeRemoved, Element::Edge(e.clone()), None, None));
    }
    let empty = BTreeMap::new();
    merge_walk(old.constraints(), new.constraints(), |v, o, n| {
        merge_walk(o.unwrap_or(&empty), n.unwrap_or(&empty), |sort, a, b| {
            let element = Element::Constraint {
                vertex: v.to_owned(),
                sort: sort.to_owned(),
            };
            match (a, b) {
                (None, Some(b)) => out.push(change(ConstraintAdded, element, None, Some(b))),
                (Some(a), None) => out.push(change(ConstraintRemoved, element, Some(a), None)),
                (Some(a), Some(b)) if a != b => {
                    out.push(change(ConstraintChanged, element, Some(a), Some(b)))
                }
                _ => {}
            }
        });
    });
    merge_walk(old.required(), new.required(), |v, o, n| {
        let none = Default::default();
        let (o, n) = (o.unwrap_or(&none), n.unwrap_or(&none));
        let required = |edge: &String| Element::Required {
            vertex: v.to_owned(),
            edge: edge.clone(),
        };
        for e in n.difference(o) {
            out.push(change(RequiredAdded, required(e), None, None));
        }
        for e in o.difference(n) {
            out.push(change(RequiredRemoved, required(e), None, None));
        }
    });
    // Ordered by the element's text, as the reports have always listed them.
    // (Compared piece by piece: formatting every element cost more than
    // the whole diff of a 10,000-vertex schema.)
    out.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| a.element.cmp_text(&b.element))
    });
    out
}

/// Visits the union of two sorted maps' keys in order.
fn merge_walk<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
    mut visit: impl FnMut(&'a str, Option<&'a V>, Option<&'a V>),
) {
    let mut a = old.iter().peekable();
    let mut b = new.iter().peekable();
    loop {
        match (a.peek(), b.peek()) {
            (Some((ka, _)), Some((kb, _))) if ka == kb => {
                if let (Some((k, va)), Some((_, vb))) = (a.next(), b.next()) {
                    visit(k, Some(va), Some(vb));
                }
            }
            (Some((ka, _)), Some((kb, _))) if ka < kb => {
                if let Some((k, v)) = a.next() {
                    visit(k, Some(v), None);
                }
            }
            (_, Some(_)) => {
                if let Some((k, v)) = b.next() {
                    visit(k, None, Some(v));
                }
            }
            (Some(_), None) => {
                if let Some((k, v)) = a.next() {
                    visit(k, Some(v), None);
                }
            }
            (None, None) => break,
        }
    }
}

#[cfg(test)]
mod kind_tests {
    use super::ChangeKind;

    /// `ALL` lists every kind once, in declaration order. A new variant
    /// makes this `match` non-exhaustive, so it does not compile until the
    /// variant is given its position here and added to `ALL` there.
    #[test]
    fn all_lists_every_kind() {
        let position = |kind: ChangeKind| match kind {
            ChangeKind::VertexAdded => 0,
            ChangeKind::VertexRemoved => 1,
            ChangeKind::EdgeAdded => 2,
            ChangeKind::EdgeRemoved => 3,
            ChangeKind::ConstraintAdded => 4,
            ChangeKind::ConstraintRemoved => 5,
            ChangeKind::ConstraintChanged => 6,
            ChangeKind::KindChanged => 7,
            ChangeKind::RequiredAdded => 8,
            ChangeKind::RequiredRemoved => 9,
        };
        for (i, &kind) in ChangeKind::ALL.iter().enumerate() {
            assert_eq!(position(kind), i, "{kind:?} is out of place in ALL");
        }
        assert_eq!(ChangeKind::ALL.len(), 10, "a kind is missing from ALL");
    }
}
