//! Three-way merge of schemas against their common ancestor.
//!
//! A schema is read as a set of *elements*, each with a key and a value:
//!
//! | element      | key                         | value                 |
//! |--------------|-----------------------------|-----------------------|
//! | vertex       | id                          | kind, nsid            |
//! | named edge   | source, edge kind, name     | target                |
//! | unnamed edge | source, edge kind, target   | (present)             |
//! | hyper-edge   | id                          | kind, signature       |
//! | constraint   | vertex, sort                | value                 |
//! | required     | vertex, edge name           | (present)             |
//!
//! Keying a named edge by its name (not its target) is what makes "both
//! sides gave property `text` a different type" one element changed twice,
//! rather than two edges that cannot coexist.
//!
//! For each key the usual rule applies: if both sides agree, or only one
//! side changed it from the base, that side wins; if both changed it
//! differently, it is a [`ConflictKind::BothChanged`] conflict, or a
//! [`ConflictKind::DeletedModified`] one if one side removed it. A vertex
//! removed on one side while the other side changed anything attached to it
//! (its kind, its constraints, edges from or to it, required edges on it)
//! is one delete/modify conflict on the vertex, which covers all those
//! elements: resolving it takes one side's version of all of them, so a
//! resolution never leaves an edge pointing at a vertex that is gone.
//!
//! The rule is symmetric: swapping the sides swaps `ours` and `theirs` in
//! every conflict and, with the resolutions swapped too, yields the same schema.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::evolution::MergeError;
use crate::model::SchemaError;
use crate::model::schema::{Constraint, Declaration, Edge, Required, Schema, Vertex};

/// One side of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The branch being merged into (for a rebase: the new head).
    Ours,
    /// The branch being merged (for a rebase: the staged schema).
    Theirs,
}

impl Side {
    /// `"ours"` or `"theirs"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Theirs => "theirs",
        }
    }

    /// The other side.
    pub fn other(self) -> Self {
        match self {
            Self::Ours => Self::Theirs,
            Self::Theirs => Self::Ours,
        }
    }
}

impl std::str::FromStr for Side {
    type Err = MergeError;

    fn from_str(s: &str) -> Result<Self, MergeError> {
        match s {
            "ours" => Ok(Self::Ours),
            "theirs" => Ok(Self::Theirs),
            other => Err(MergeError::UnknownSide(other.to_owned())),
        }
    }
}

/// Why two sides could not be merged automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// Both sides changed the element, to different values.
    BothChanged,
    /// One side removed the element (or the vertex it hangs on) while the other changed it.
    DeletedModified,
}

impl ConflictKind {
    /// Every kind, in declaration order (what `list_kinds()` reports).
    pub const ALL: &'static [Self] = &[Self::BothChanged, Self::DeletedModified];

    /// `"both-changed"` or `"deleted-modified"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::BothChanged => "both-changed",
            Self::DeletedModified => "deleted-modified",
        }
    }
}

/// One conflict: the element, and what the base and each side hold for it
/// (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// Why the sides could not be merged.
    pub kind: ConflictKind,
    /// The element, as resolutions name it: a vertex id, `src -kind[name]->`
    /// for a named edge, the edge itself for an unnamed one, `vertex.sort`
    /// for a constraint, `vertex!edge` for a required edge, `hyper-edge:id`.
    pub element: String,
    /// The base's value.
    pub base: Option<String>,
    /// Our value.
    pub ours: Option<String>,
    /// Their value.
    pub theirs: Option<String>,
}

impl Conflict {
    /// The same conflict seen with the sides swapped.
    pub fn swapped(&self) -> Self {
        Self {
            ours: self.theirs.clone(),
            theirs: self.ours.clone(),
            ..self.clone()
        }
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(removed)".to_owned());
        write!(
            f,
            "{} {}: base {}, ours {}, theirs {}",
            self.kind.code(),
            self.element,
            self.base.as_deref().unwrap_or("(absent)"),
            show(&self.ours),
            show(&self.theirs)
        )
    }
}

/// How conflicts are to be settled: per element, and a default for the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolutions {
    /// Element → the side whose version wins.
    pub elements: BTreeMap<String, Side>,
    /// The side that wins every conflict not named in `elements`, if any.
    pub default: Option<Side>,
}

impl Resolutions {
    /// Resolutions that settle every conflict for `side`.
    pub fn all(side: Side) -> Self {
        Self {
            elements: BTreeMap::new(),
            default: Some(side),
        }
    }

    /// The side chosen for `conflict`: by its element, else the default.
    pub fn side_for(&self, conflict: &Conflict) -> Option<Side> {
        self.elements
            .get(&conflict.element)
            .copied()
            .or(self.default)
    }

    /// The same resolutions with the sides swapped.
    pub fn swapped(&self) -> Self {
        Self {
            elements: self
                .elements
                .iter()
                .map(|(k, s)| (k.clone(), s.other()))
                .collect(),
            default: self.default.map(Side::other),
        }
    }
}

/// What a merge produced.
#[derive(Debug, Clone)]
pub enum MergeOutcome {
    /// Every element merged (conflicts, if any, were resolved as asked).
    Merged {
        /// The merged schema.
        schema: Schema,
        /// The conflicts that were settled by a resolution, with the side chosen.
        resolved: Vec<(Conflict, Side)>,
    },
    /// Some conflicts have no resolution; nothing was merged.
    Conflicts(Vec<Conflict>),
}

/// An element's identity within a schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Vertex(String),
    NamedEdge {
        src: String,
        kind: String,
        name: String,
    },
    Edge {
        src: String,
        kind: String,
        tgt: String,
    },
    HyperEdge(String),
    Constraint {
        vertex: String,
        sort: String,
    },
    Required {
        vertex: String,
        edge: String,
    },
}

impl Key {
    /// The element's name, as conflicts report it and resolutions name it.
    fn element(&self) -> String {
        match self {
            Self::Vertex(id) => id.clone(),
            Self::NamedEdge { src, kind, name } => format!("{src} -{kind}[{name}]->"),
            Self::Edge { src, kind, tgt } => format!("{src} -{kind}-> {tgt}"),
            Self::HyperEdge(id) => format!("hyper-edge:{id}"),
            Self::Constraint { vertex, sort } => format!("{vertex}.{sort}"),
            Self::Required { vertex, edge } => format!("{vertex}!{edge}"),
        }
    }
}

/// An element's value: the declaration that makes it, in a schema.
type Elements = BTreeMap<Key, Declaration>;

fn elements(schema: &Schema) -> Elements {
    let mut out = Elements::new();
    for v in schema.vertices().values() {
        out.insert(Key::Vertex(v.id.clone()), Declaration::Vertex(v.clone()));
    }
    for e in schema.edges() {
        let key = match &e.name {
            Some(name) => Key::NamedEdge {
                src: e.src.clone(),
                kind: e.kind.clone(),
                name: name.clone(),
            },
            None => Key::Edge {
                src: e.src.clone(),
                kind: e.kind.clone(),
                tgt: e.tgt.clone(),
            },
        };
        out.insert(key, Declaration::Edge(e.clone()));
    }
    for h in schema.hyper_edges().values() {
        out.insert(
            Key::HyperEdge(h.id.clone()),
            Declaration::HyperEdge(h.clone()),
        );
    }
    for (vertex, sorts) in schema.constraints() {
        for (sort, value) in sorts {
            out.insert(
                Key::Constraint {
                    vertex: vertex.clone(),
                    sort: sort.clone(),
                },
                Declaration::Constraint(Constraint {
                    vertex: vertex.clone(),
                    sort: sort.clone(),
                    value: value.clone(),
                }),
            );
        }
    }
    for (vertex, edges) in schema.required() {
        for edge in edges {
            out.insert(
                Key::Required {
                    vertex: vertex.clone(),
                    edge: edge.clone(),
                },
                Declaration::Required(Required {
                    vertex: vertex.clone(),
                    edges: vec![edge.clone()],
                }),
            );
        }
    }
    out
}

/// A value as conflicts show it.
fn describe(d: &Declaration) -> String {
    match d {
        Declaration::Vertex(Vertex { kind, nsid, .. }) => match nsid {
            Some(nsid) => format!("{kind} ({nsid})"),
            None => kind.clone(),
        },
        Declaration::Edge(Edge { tgt, .. }) => format!("-> {tgt}"),
        Declaration::HyperEdge(h) => format!(
            "{} {{{}}}",
            h.kind,
            h.signature
                .iter()
                .map(|(l, v)| format!("{l}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Declaration::Constraint(c) => c.value.clone(),
        Declaration::Required(_) => "required".to_owned(),
    }
}

/// The vertices an element hangs on: removing one of them removes the element.
fn attached(d: &Declaration, named_targets: impl Fn(&str, &str) -> Vec<String>) -> Vec<String> {
    match d {
        Declaration::Vertex(v) => vec![v.id.clone()],
        Declaration::Edge(e) => vec![e.src.clone(), e.tgt.clone()],
        Declaration::HyperEdge(h) => h.signature.values().cloned().collect(),
        Declaration::Constraint(c) => vec![c.vertex.clone()],
        Declaration::Required(r) => {
            let mut out = vec![r.vertex.clone()];
            for edge in &r.edges {
                out.extend(named_targets(&r.vertex, edge));
            }
            out
        }
    }
}

/// The targets of `vertex`'s edges named `name` in `schema`.
fn targets_named(schema: &Schema, vertex: &str, name: &str) -> Vec<String> {
    schema
        .edges()
        .iter()
        .filter(|e| e.src == vertex && e.name.as_deref() == Some(name))
        .map(|e| e.tgt.clone())
        .collect()
}

/// Merges `ours` and `theirs`, both descended from `base`, settling
/// conflicts by `resolutions`.
///
/// # Errors
/// [`MergeError::NotInConflict`] if a resolution names an element that is not
/// in conflict; [`MergeError::Invalid`] if the merged elements do not form a
/// valid schema (for instance a required edge whose edge the other side
/// removed), naming every problem.
pub fn merge_schemas(
    base: &Schema,
    ours: &Schema,
    theirs: &Schema,
    resolutions: &Resolutions,
) -> Result<MergeOutcome, MergeError> {
    let (b, o, t) = (elements(base), elements(ours), elements(theirs));
    let keys: BTreeSet<&Key> = b.keys().chain(o.keys()).chain(t.keys()).collect();
    let schemas = [base, ours, theirs];
    let attached_to = |key: &Key| -> BTreeSet<String> {
        [&b, &o, &t]
            .iter()
            .filter_map(|side| side.get(key))
            .flat_map(|d| {
                attached(d, |v, n| {
                    schemas
                        .iter()
                        .flat_map(|s| targets_named(s, v, n))
                        .collect()
                })
            })
            .collect()
    };

    // Per-element three-way merge.
    let mut merged: BTreeMap<&Key, &Declaration> = BTreeMap::new();
    let mut conflicted: Vec<&Key> = Vec::new();
    for key in &keys {
        let (bv, ov, tv) = (b.get(*key), o.get(*key), t.get(*key));
        let chosen = if ov == tv || tv == bv {
            ov
        } else if ov == bv {
            tv
        } else {
            conflicted.push(key);
            continue;
        };
        if let Some(d) = chosen {
            merged.insert(key, d);
        }
    }

    // A vertex one side removed while the other changed what hangs on it:
    // one conflict on the vertex, covering every element attached to it.
    let mut groups: BTreeMap<String, BTreeSet<&Key>> = BTreeMap::new();
    let changed = |side: &Elements, key: &Key| side.get(key) != b.get(key);
    let attachments: BTreeMap<&Key, BTreeSet<String>> =
        keys.iter().map(|k| (*k, attached_to(k))).collect();
    for vertex in base.vertices().keys() {
        let key = Key::Vertex(vertex.clone());
        let (in_ours, in_theirs) = (o.contains_key(&key), t.contains_key(&key));
        let keeper = match (in_ours, in_theirs) {
            (false, true) => &t,
            (true, false) => &o,
            _ => continue,
        };
        let touching: BTreeSet<&Key> = attachments
            .iter()
            .filter(|(_, vs)| vs.contains(vertex))
            .map(|(k, _)| *k)
            .collect();
        if touching.iter().any(|k| changed(keeper, k)) {
            groups.insert(vertex.clone(), touching);
        }
    }
    let grouped: BTreeSet<&Key> = groups.values().flatten().copied().collect();

    // Every conflict, with the keys its resolution decides.
    let mut conflicts: Vec<(Conflict, BTreeSet<&Key>)> = Vec::new();
    for (vertex, touching) in &groups {
        let key = Key::Vertex(vertex.clone());
        conflicts.push((
            Conflict {
                kind: ConflictKind::DeletedModified,
                element: key.element(),
                base: b.get(&key).map(describe),
                ours: o.get(&key).map(describe),
                theirs: t.get(&key).map(describe),
            },
            touching.clone(),
        ));
    }
    for key in conflicted.into_iter().filter(|k| !grouped.contains(*k)) {
        let (ov, tv) = (o.get(key), t.get(key));
        conflicts.push((
            Conflict {
                kind: if ov.is_some() && tv.is_some() {
                    ConflictKind::BothChanged
                } else {
                    ConflictKind::DeletedModified
                },
                element: key.element(),
                base: b.get(key).map(describe),
                ours: ov.map(describe),
                theirs: tv.map(describe),
            },
            BTreeSet::from([key]),
        ));
    }
    conflicts.sort_by(|a, b| a.0.element.cmp(&b.0.element));

    if let Some(unknown) = resolutions
        .elements
        .keys()
        .find(|e| !conflicts.iter().any(|(c, _)| &c.element == *e))
    {
        return Err(MergeError::NotInConflict {
            element: unknown.clone(),
            conflicts: conflicts.iter().map(|(c, _)| c.element.clone()).collect(),
        });
    }
    let unresolved: Vec<Conflict> = conflicts
        .iter()
        .filter(|(c, _)| resolutions.side_for(c).is_none())
        .map(|(c, _)| c.clone())
        .collect();
    if !unresolved.is_empty() {
        return Ok(MergeOutcome::Conflicts(unresolved));
    }

    let mut resolved = Vec::with_capacity(conflicts.len());
    // Targets of edges the losing side wanted: a vertex it added only to
    // hang under such an edge goes with the edge.
    let mut lost_targets: BTreeSet<&String> = BTreeSet::new();
    for (conflict, decided) in conflicts {
        let Some(side) = resolutions.side_for(&conflict) else {
            continue;
        };
        let (winner, loser) = match side {
            Side::Ours => (&o, &t),
            Side::Theirs => (&t, &o),
        };
        for key in decided {
            if let Some(Declaration::Edge(e)) = loser.get(key) {
                lost_targets.insert(&e.tgt);
            }
            match winner.get(key) {
                Some(d) => merged.insert(key, d),
                None => merged.remove(key),
            };
        }
        resolved.push((conflict, side));
    }
    let still_used: BTreeSet<&String> = merged
        .values()
        .flat_map(|d| match d {
            Declaration::Edge(e) => vec![&e.src, &e.tgt],
            Declaration::HyperEdge(h) => h.signature.values().collect(),
            _ => Vec::new(),
        })
        .collect();
    for orphan in lost_targets {
        if still_used.contains(orphan) || b.contains_key(&Key::Vertex(orphan.clone())) {
            continue;
        }
        merged.retain(|key, _| {
            attachments
                .get(key)
                .is_none_or(|vs| vs.is_empty() || vs.iter().any(|v| v != orphan))
        });
    }

    let mut builder = Schema::builder(std::sync::Arc::clone(ours.protocol()));
    for d in merged.into_values() {
        builder = builder.declare(d.clone());
    }
    let schema = builder.build().map_err(|e| match e {
        SchemaError::Invalid { protocol, issues } => MergeError::Invalid(SchemaError::Invalid {
            protocol,
            issues: issues
                .into_iter()
                .map(|mut i| {
                    i.message = format!(
                        "{} (in the merged schema: each side is valid alone, \
                         their changes together are not; resolve the element for one side)",
                        i.message
                    );
                    i
                })
                .collect(),
        }),
        other => MergeError::Invalid(other),
    })?;
    Ok(MergeOutcome::Merged { schema, resolved })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::protocol::Protocol;
    use crate::model::protocol::builtin_protocol;

    fn json() -> Arc<Protocol> {
        builtin_protocol("json-schema").unwrap()
    }

    /// An object `root` with string properties named by `props`.
    fn with_props(props: &[&str]) -> Schema {
        let mut b = Schema::builder(json()).vertex("root", "object", None);
        for p in props {
            b = b.vertex(format!("root.{p}"), "string", None).edge(
                "root",
                format!("root.{p}"),
                "prop",
                Some((*p).into()),
            );
        }
        b.build().unwrap()
    }

    fn merged(outcome: MergeOutcome) -> Schema {
        match outcome {
            MergeOutcome::Merged { schema, .. } => schema,
            MergeOutcome::Conflicts(c) => panic!("unexpected conflicts {c:?}"),
        }
    }

    fn conflicts(outcome: MergeOutcome) -> Vec<Conflict> {
        match outcome {
            MergeOutcome::Conflicts(c) => c,
            MergeOutcome::Merged { schema, .. } => panic!("merged unexpectedly: {schema:?}"),
        }
    }

    #[test]
    fn independent_additions_and_removals_combine() {
        let base = with_props(&["a", "b"]);
        let ours = with_props(&["a", "b", "c"]);
        let theirs = with_props(&["b", "d"]);
        let m = merged(merge_schemas(&base, &ours, &theirs, &Resolutions::default()).unwrap());
        assert_eq!(m, with_props(&["b", "c", "d"]));
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let base = with_props(&["a"]);
        let both = with_props(&["a", "b"]);
        let m = merged(merge_schemas(&base, &both, &both, &Resolutions::default()).unwrap());
        assert_eq!(m, both);
    }

    #[test]
    fn both_changing_a_constraint_differently_conflicts_and_resolves() {
        let base = with_props(&["a"]);
        let c = |v: &str| {
            base.to_builder()
                .constraint("root.a", "maxLength", v)
                .build()
                .unwrap()
        };
        let (ours, theirs) = (c("10"), c("20"));
        let found =
            conflicts(merge_schemas(&base, &ours, &theirs, &Resolutions::default()).unwrap());
        assert_eq!(
            found,
            [Conflict {
                kind: ConflictKind::BothChanged,
                element: "root.a.maxLength".into(),
                base: None,
                ours: Some("10".into()),
                theirs: Some("20".into()),
            }]
        );
        let pick = |side| Resolutions {
            elements: BTreeMap::from([("root.a.maxLength".to_owned(), side)]),
            default: None,
        };
        assert_eq!(
            merged(merge_schemas(&base, &ours, &theirs, &pick(Side::Theirs)).unwrap()),
            theirs
        );
        assert_eq!(
            merged(merge_schemas(&base, &ours, &theirs, &pick(Side::Ours)).unwrap()),
            ours
        );
    }

    #[test]
    fn a_property_retyped_differently_is_one_conflict_on_the_edge_name() {
        let base = with_props(&[]);
        let add = |kind: &str| {
            base.to_builder()
                .vertex(format!("root.x_{kind}"), kind, None)
                .edge("root", format!("root.x_{kind}"), "prop", Some("x".into()))
                .build()
                .unwrap()
        };
        let found = conflicts(
            merge_schemas(
                &base,
                &add("string"),
                &add("integer"),
                &Resolutions::default(),
            )
            .unwrap(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].element, "root -prop[x]->");
        assert_eq!(found[0].kind, ConflictKind::BothChanged);
        let m = merged(
            merge_schemas(
                &base,
                &add("string"),
                &add("integer"),
                &Resolutions::all(Side::Ours),
            )
            .unwrap(),
        );
        assert_eq!(m.edges().iter().filter(|e| e.src == "root").count(), 1);
        assert!(m.vertices().contains_key("root.x_string"));
        assert!(
            !m.vertices().contains_key("root.x_integer"),
            "the vertex theirs added for the edge that lost goes with it"
        );
    }

    #[test]
    fn deleting_a_vertex_the_other_side_modified_is_one_conflict_on_the_vertex() {
        let base = with_props(&["a"]);
        let ours = with_props(&[]);
        let theirs = base
            .to_builder()
            .constraint("root.a", "maxLength", "5")
            .build()
            .unwrap();
        let found =
            conflicts(merge_schemas(&base, &ours, &theirs, &Resolutions::default()).unwrap());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, ConflictKind::DeletedModified);
        assert_eq!(found[0].element, "root.a");
        assert_eq!(found[0].ours, None);
        assert_eq!(
            merged(merge_schemas(&base, &ours, &theirs, &Resolutions::all(Side::Ours)).unwrap()),
            ours,
            "ours removes the vertex with its edge and constraint"
        );
        assert_eq!(
            merged(merge_schemas(&base, &ours, &theirs, &Resolutions::all(Side::Theirs)).unwrap()),
            theirs,
            "theirs keeps the vertex, its edge and the new constraint"
        );
    }

    #[test]
    fn merging_is_symmetric_up_to_the_side_labels() {
        let base = with_props(&["a", "b", "c"]);
        let ours = base
            .to_builder()
            .constraint("root.a", "maxLength", "10")
            .vertex("root.o", "string", None)
            .edge("root", "root.o", "prop", Some("o".into()))
            .build()
            .unwrap();
        let theirs = with_props(&["a", "c", "t"])
            .to_builder()
            .constraint("root.a", "maxLength", "20")
            .build()
            .unwrap();
        let none = Resolutions::default();
        let ab = conflicts(merge_schemas(&base, &ours, &theirs, &none).unwrap());
        let ba = conflicts(merge_schemas(&base, &theirs, &ours, &none).unwrap());
        assert_eq!(
            ab.iter().map(Conflict::swapped).collect::<Vec<_>>(),
            ba,
            "the same conflicts, sides swapped"
        );
        for side in [Side::Ours, Side::Theirs] {
            let r = Resolutions::all(side);
            let one = merged(merge_schemas(&base, &ours, &theirs, &r).unwrap());
            let two = merged(merge_schemas(&base, &theirs, &ours, &r.swapped()).unwrap());
            assert_eq!(one, two);
        }
    }

    #[test]
    fn a_resolution_for_an_element_not_in_conflict_is_refused() {
        let base = with_props(&["a"]);
        let r = Resolutions {
            elements: BTreeMap::from([("root.zz".to_owned(), Side::Ours)]),
            default: None,
        };
        let err = merge_schemas(&base, &base, &base, &r).unwrap_err();
        assert!(
            err.to_string().contains("\"root.zz\" is not in conflict"),
            "{err}"
        );
    }
}

#[cfg(test)]
mod kind_tests {
    use super::ConflictKind;

    /// `ALL` lists every kind once, in declaration order. A new variant
    /// makes this `match` non-exhaustive, so it does not compile until the
    /// variant is given its position here and added to `ALL` there.
    #[test]
    fn all_lists_every_kind() {
        let position = |kind: ConflictKind| match kind {
            ConflictKind::BothChanged => 0,
            ConflictKind::DeletedModified => 1,
        };
        for (i, &kind) in ConflictKind::ALL.iter().enumerate() {
            assert_eq!(position(kind), i, "{kind:?} is out of place in ALL");
        }
        assert_eq!(ConflictKind::ALL.len(), 2, "a kind is missing from ALL");
    }
}
