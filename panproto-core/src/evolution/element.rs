//! The schema elements that changes and merge conflicts name, as data.
//!
//! [`diff`](crate::evolution::diff) and [`classify`](crate::evolution::classify) speak of an
//! [`Element`]; a three-way merge keys the schema's parts by a
//! [`MergeElement`]. Both are values with fields, never strings parsed back,
//! so an id or a name holding a dot, an arrow, a bracket or a space is read
//! exactly as it was written. Their `Display` is the text reports have
//! always shown (and their serde form is that text), so the JSON reports
//! and the Python dicts read as before.
//!
//! Why two enums: a merge keys a *named* edge by its source, kind and name,
//! not its target (so "both sides retyped property `text`" is one element
//! changed twice), and it names a required edge `vertex!edge` so that a
//! resolution written as text cannot be mistaken for the constraint
//! `vertex.sort`; a diff names the whole edge and `vertex.edge`, the kind of
//! change telling the reader which it is.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::evolution::ChangeKind;
use crate::model::schema::Edge;

/// The element a [`Change`](crate::evolution::Change) touches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    /// A vertex, by id. Shown as the id.
    Vertex(String),
    /// An edge. Shown as `src -kind[name]-> tgt` (`src -kind-> tgt` unnamed).
    Edge(Edge),
    /// A constraint sort on a vertex. Shown as `vertex.sort`.
    Constraint {
        /// The constrained vertex.
        vertex: String,
        /// The constraint sort, e.g. `maxLength`.
        sort: String,
    },
    /// An edge name required on a vertex. Shown as `vertex.edge`.
    Required {
        /// The vertex whose records must carry the edge.
        vertex: String,
        /// The required edge's name.
        edge: String,
    },
}

impl Element {
    /// The vertex the element belongs to: the vertex itself, an edge's
    /// source, the constrained or requiring vertex.
    pub fn vertex(&self) -> &str {
        match self {
            Self::Vertex(id) => id,
            Self::Edge(e) => &e.src,
            Self::Constraint { vertex, .. } | Self::Required { vertex, .. } => vertex,
        }
    }

    /// Reads the element of a change of `kind` back from its display text.
    ///
    /// Only for text that was written out earlier (a pickled report): the
    /// text does not always determine the element (`a.b.c` may be vertex
    /// `a.b`'s edge `c` or vertex `a`'s edge `b.c`), so this takes the last
    /// `.` for constraints and required edges and the first ` -`, `]-> ` or
    /// `-> ` for edges. Code that has the element never goes through text.
    pub(crate) fn from_display(kind: ChangeKind, text: &str) -> Self {
        use ChangeKind::*;
        let split_dot = |s: &str| {
            let (v, rest) = s.rsplit_once('.').unwrap_or((s, ""));
            (v.to_owned(), rest.to_owned())
        };
        match kind {
            VertexAdded | VertexRemoved | KindChanged => Self::Vertex(text.to_owned()),
            EdgeAdded | EdgeRemoved => Self::Edge(parse_edge(text)),
            ConstraintAdded | ConstraintRemoved | ConstraintChanged => {
                let (vertex, sort) = split_dot(text);
                Self::Constraint { vertex, sort }
            }
            RequiredAdded | RequiredRemoved => {
                let (vertex, edge) = split_dot(text);
                Self::Required { vertex, edge }
            }
        }
    }
}

/// Reads an edge from [`Edge`]'s display text (see [`Element::from_display`]).
fn parse_edge(text: &str) -> Edge {
    let (src, rest) = text.split_once(" -").unwrap_or((text, ""));
    let (label, tgt) = rest
        .split_once("]-> ")
        .map(|(l, t)| (format!("{l}]"), t))
        .or_else(|| rest.split_once("-> ").map(|(l, t)| (l.to_owned(), t)))
        .unwrap_or((rest.to_owned(), ""));
    let (kind, name) = match label.strip_suffix(']').and_then(|l| l.split_once('[')) {
        Some((k, n)) => (k.to_owned(), Some(n.to_owned())),
        None => (label, None),
    };
    Edge {
        src: src.to_owned(),
        tgt: tgt.to_owned(),
        kind,
        name,
    }
}

impl Element {
    /// The pieces of the element's text, in order: concatenated they are
    /// its [`Display`](fmt::Display).
    fn text_parts(&self) -> [&str; 7] {
        match self {
            Self::Vertex(id) => [id, "", "", "", "", "", ""],
            Self::Edge(e) => match &e.name {
                Some(name) => [&e.src, " -", &e.kind, "[", name, "]-> ", &e.tgt],
                None => [&e.src, " -", &e.kind, "-> ", &e.tgt, "", ""],
            },
            Self::Constraint { vertex, sort } => [vertex, ".", sort, "", "", "", ""],
            Self::Required { vertex, edge } => [vertex, ".", edge, "", "", "", ""],
        }
    }

    /// Compares two elements by their text, as `self.to_string().cmp(&
    /// other.to_string())` would, without building either string: `diff`
    /// orders tens of thousands of changes by it.
    pub fn cmp_text(&self, other: &Self) -> std::cmp::Ordering {
        let (a, b) = (self.text_parts(), other.text_parts());
        for i in 0..a.len() {
            if a[i] == b[i] {
                continue;
            }
            // The first differing piece decides, unless one is a prefix of
            // the other: then the bytes after it (from the next pieces) do.
            if !a[i].starts_with(b[i]) && !b[i].starts_with(a[i]) {
                return a[i].cmp(b[i]);
            }
            return a[i..]
                .iter()
                .flat_map(|p| p.bytes())
                .cmp(b[i..].iter().flat_map(|p| p.bytes()));
        }
        std::cmp::Ordering::Equal
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Vertex(id) => f.write_str(id),
            Self::Edge(e) => e.fmt(f),
            Self::Constraint { vertex, sort } => write!(f, "{vertex}.{sort}"),
            Self::Required { vertex, edge } => write!(f, "{vertex}.{edge}"),
        }
    }
}

impl Serialize for Element {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A part of a schema (or of a commit) as a three-way merge keys it: the
/// element of a [`Conflict`](crate::evolution::Conflict) and what a
/// [`Resolutions`](crate::evolution::Resolutions) names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MergeElement {
    /// A vertex, by id. Shown as the id.
    Vertex(String),
    /// A named edge, whatever its target. Shown as `src -kind[name]->`.
    NamedEdge {
        /// Source vertex id.
        src: String,
        /// Edge kind.
        kind: String,
        /// Edge name.
        name: String,
    },
    /// An unnamed edge. Shown as `src -kind-> tgt`.
    Edge {
        /// Source vertex id.
        src: String,
        /// Edge kind.
        kind: String,
        /// Target vertex id.
        tgt: String,
    },
    /// A hyper-edge, by id. Shown as `hyper-edge:id`.
    HyperEdge(String),
    /// A constraint sort on a vertex. Shown as `vertex.sort`.
    Constraint {
        /// The constrained vertex.
        vertex: String,
        /// The constraint sort.
        sort: String,
    },
    /// An edge name required on a vertex. Shown as `vertex!edge`.
    Required {
        /// The requiring vertex.
        vertex: String,
        /// The required edge's name.
        edge: String,
    },
    /// A commit's dataset, by name (merges of commits only). Shown as
    /// `dataset:name`.
    Dataset(String),
}

impl MergeElement {
    /// The key a merge gives edge `e`: by name if it has one, else whole.
    pub fn of_edge(e: &Edge) -> Self {
        match &e.name {
            Some(name) => Self::NamedEdge {
                src: e.src.clone(),
                kind: e.kind.clone(),
                name: name.clone(),
            },
            None => Self::Edge {
                src: e.src.clone(),
                kind: e.kind.clone(),
                tgt: e.tgt.clone(),
            },
        }
    }
}

impl fmt::Display for MergeElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Vertex(id) => f.write_str(id),
            Self::NamedEdge { src, kind, name } => write!(f, "{src} -{kind}[{name}]->"),
            Self::Edge { src, kind, tgt } => write!(f, "{src} -{kind}-> {tgt}"),
            Self::HyperEdge(id) => write!(f, "hyper-edge:{id}"),
            Self::Constraint { vertex, sort } => write!(f, "{vertex}.{sort}"),
            Self::Required { vertex, edge } => write!(f, "{vertex}!{edge}"),
            Self::Dataset(name) => write!(f, "dataset:{name}"),
        }
    }
}

impl Serialize for MergeElement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The serde form of a [`Change`](crate::evolution::Change): its element as text, read
/// back by kind (see [`Element::from_display`]).
#[derive(Deserialize)]
pub(super) struct ChangeText {
    pub(super) kind: ChangeKind,
    pub(super) element: String,
    #[serde(default)]
    pub(super) old: Option<String>,
    #[serde(default)]
    pub(super) new: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_reports_text() {
        let edge = Edge {
            src: "a.b".into(),
            tgt: "c -x-> d".into(),
            kind: "prop".into(),
            name: Some("n[1]".into()),
        };
        assert_eq!(
            Element::Edge(edge.clone()).to_string(),
            "a.b -prop[n[1]]-> c -x-> d"
        );
        assert_eq!(
            MergeElement::of_edge(&edge).to_string(),
            "a.b -prop[n[1]]->"
        );
        let required = |v: &str, e: &str| Element::Required {
            vertex: v.into(),
            edge: e.into(),
        };
        assert_eq!(required("a", "b.c").to_string(), "a.b.c");
        assert_eq!(
            required("a", "b.c").to_string(),
            required("a.b", "c").to_string(),
            "the text is ambiguous; the elements are not"
        );
        assert_ne!(required("a", "b.c"), required("a.b", "c"));
        assert_eq!(
            MergeElement::Required {
                vertex: "v w".into(),
                edge: "x:y".into()
            }
            .to_string(),
            "v w!x:y"
        );
        assert_eq!(
            serde_json::to_value(MergeElement::Dataset("d".into())).unwrap(),
            "dataset:d"
        );
    }

    #[test]
    fn plain_display_text_reads_back() {
        let edge = Edge {
            src: "post".into(),
            tgt: "post:body".into(),
            kind: "record-schema".into(),
            name: None,
        };
        let text = Element::Edge(edge.clone()).to_string();
        assert_eq!(
            Element::from_display(ChangeKind::EdgeAdded, &text),
            Element::Edge(edge.clone())
        );
        let named = Edge {
            name: Some("text".into()),
            ..edge
        };
        let text = Element::Edge(named.clone()).to_string();
        assert_eq!(
            Element::from_display(ChangeKind::EdgeRemoved, &text),
            Element::Edge(named)
        );
        assert_eq!(
            Element::from_display(ChangeKind::ConstraintChanged, "post:body.text.maxLength"),
            Element::Constraint {
                vertex: "post:body.text".into(),
                sort: "maxLength".into()
            }
        );
    }
}

#[cfg(test)]
mod text_order_tests {
    use super::Element;
    use crate::model::schema::Edge;

    /// `cmp_text` orders exactly as the elements' texts do, also where a
    /// piece is a prefix of another (`a` and `a.b`) or a name holds the
    /// separators.
    #[test]
    fn cmp_text_is_the_order_of_the_texts() {
        let edge = |src: &str, kind: &str, name: Option<&str>, tgt: &str| {
            Element::Edge(Edge {
                src: src.to_owned(),
                tgt: tgt.to_owned(),
                kind: kind.to_owned(),
                name: name.map(str::to_owned),
            })
        };
        let c = |v: &str, s: &str| Element::Constraint {
            vertex: v.to_owned(),
            sort: s.to_owned(),
        };
        let elements = [
            Element::Vertex("a".to_owned()),
            Element::Vertex("a.b".to_owned()),
            Element::Vertex("a -x".to_owned()),
            c("a", "x"),
            c("a.b", "y"),
            c("a", "b.z"),
            edge("a", "prop", Some("x"), "b"),
            edge("a", "prop", None, "b"),
            edge("a -prop", "x", Some("]-> "), "c"),
            edge("a", "prop", Some("x]"), "a"),
            Element::Required {
                vertex: "a".to_owned(),
                edge: "x.y".to_owned(),
            },
        ];
        for x in &elements {
            for y in &elements {
                assert_eq!(
                    x.cmp_text(y),
                    x.to_string().cmp(&y.to_string()),
                    "{x} vs {y}"
                );
            }
        }
    }
}
