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

use crate::evolution::{MergeElement, MergeError};
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
///
/// Serialized, the element is its display text (see [`MergeElement`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Why the sides could not be merged.
    pub kind: ConflictKind,
    /// The element, as resolutions name it: shown as a vertex id,
    /// `src -kind[name]->` for a named edge, the edge itself for an unnamed
    /// one, `vertex.sort` for a constraint, `vertex!edge` for a required
    /// edge, `hyper-edge:id`, `dataset:name`.
    pub element: MergeElement,
    /// The base's value.
    pub base: Option<String>,
    /// Our value.
    pub ours: Option<String>,
    /// Their value.
    pub theirs: Option<String>,
}

impl Conflict {
    /// A conflict on `element` from what each side holds: both changed it
    /// if both still hold it, else one side removed what the other changed.
    pub fn between(
        element: MergeElement,
        base: Option<String>,
        ours: Option<String>,
        theirs: Option<String>,
    ) -> Self {
        Self {
            kind: if ours.is_some() && theirs.is_some() {
                ConflictKind::BothChanged
            } else {
                ConflictKind::DeletedModified
            },
            element,
            base,
            ours,
            theirs,
        }
    }

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
///
/// Elements come two ways: as [`MergeElement`] values (code that has the
/// conflicts), or as the text users type (`"post:body.text.maxLength"`),
/// which [`Resolutions::from_names`] keeps and a merge matches against each
/// conflict's element by its display. A name that matches no conflict is
/// refused ([`MergeError::NotInConflict`]), as an element is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolutions {
    /// Element → the side whose version wins.
    pub elements: BTreeMap<MergeElement, Side>,
    /// An element's display text → the side whose version wins.
    pub named: BTreeMap<String, Side>,
    /// The side that wins every conflict not named otherwise, if any.
    pub default: Option<Side>,
}

impl Resolutions {
    /// Resolutions that settle every conflict for `side`.
    pub fn all(side: Side) -> Self {
        Self {
            default: Some(side),
            ..Self::default()
        }
    }

    /// Resolutions naming elements by their display text (as users write
    /// them), with a default side for the rest.
    pub fn from_names(
        names: impl IntoIterator<Item = (String, Side)>,
        default: Option<Side>,
    ) -> Self {
        Self {
            elements: BTreeMap::new(),
            named: names.into_iter().collect(),
            default,
        }
    }

    /// The side chosen for `conflict`: by its element, else by its display
    /// text, else the default.
    pub fn side_for(&self, conflict: &Conflict) -> Option<Side> {
        self.elements
            .get(&conflict.element)
            .copied()
            .or_else(|| {
                if self.named.is_empty() {
                    return None;
                }
                self.named.get(&conflict.element.to_string()).copied()
            })
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
            named: self
                .named
                .iter()
                .map(|(k, s)| (k.clone(), s.other()))
                .collect(),
            default: self.default.map(Side::other),
        }
    }

    /// The resolutions whose element satisfies `keep_element`, or whose
    /// name `keep_name`.
    pub(crate) fn filtered(
        &self,
        keep_element: impl Fn(&MergeElement) -> bool,
        keep_name: impl Fn(&str) -> bool,
    ) -> Self {
        Self {
            elements: self
                .elements
                .iter()
                .filter(|(e, _)| keep_element(e))
                .map(|(e, s)| (e.clone(), *s))
                .collect(),
            named: self
                .named
                .iter()
                .filter(|(n, _)| keep_name(n))
                .map(|(n, s)| (n.clone(), *s))
                .collect(),
            default: self.default,
        }
    }

    /// The first resolution (as text) that names none of `elements`.
    pub(crate) fn first_unknown<'a>(
        &self,
        elements: impl IntoIterator<Item = &'a MergeElement> + Clone,
    ) -> Option<String> {
        if let Some(e) = self
            .elements
            .keys()
            .find(|e| !elements.clone().into_iter().any(|c| c == *e))
        {
            return Some(e.to_string());
        }
        let shown: BTreeSet<String> = elements.into_iter().map(ToString::to_string).collect();
        self.named.keys().find(|n| !shown.contains(*n)).cloned()
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

/// An element's value: the declaration that makes it, in a schema.
type Elements = BTreeMap<MergeElement, Declaration>;

fn elements(schema: &Schema) -> Elements {
    let mut out = Elements::new();
    for v in schema.vertices().values() {
        out.insert(
            MergeElement::Vertex(v.id.clone()),
            Declaration::Vertex(v.clone()),
        );
    }
    for e in schema.edges() {
        out.insert(MergeElement::of_edge(e), Declaration::Edge(e.clone()));
    }
    for h in schema.hyper_edges().values() {
        out.insert(
            MergeElement::HyperEdge(h.id.clone()),
            Declaration::HyperEdge(h.clone()),
        );
    }
    for (vertex, sorts) in schema.constraints() {
        for (sort, value) in sorts {
            out.insert(
                MergeElement::Constraint {
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
                MergeElement::Required {
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

/// The three schemas of a merge, read as elements.
struct Sides {
    base: Elements,
    ours: Elements,
    theirs: Elements,
}

/// A conflict with the elements its resolution decides.
type Decides<'a> = (Conflict, BTreeSet<&'a MergeElement>);

impl Sides {
    fn get(&self, side: Side) -> &Elements {
        match side {
            Side::Ours => &self.ours,
            Side::Theirs => &self.theirs,
        }
    }

    /// Every element of any side.
    fn keys(&self) -> BTreeSet<&MergeElement> {
        self.base
            .keys()
            .chain(self.ours.keys())
            .chain(self.theirs.keys())
            .collect()
    }

    /// What the base and each side hold for `key`, described.
    fn conflict(&self, key: &MergeElement) -> Conflict {
        Conflict::between(
            key.clone(),
            self.base.get(key).map(describe),
            self.ours.get(key).map(describe),
            self.theirs.get(key).map(describe),
        )
    }

    /// The per-element three-way merge: what merges on its own, and the
    /// elements both sides changed differently.
    fn three_way<'a>(
        &'a self,
        keys: &BTreeSet<&'a MergeElement>,
    ) -> (
        BTreeMap<&'a MergeElement, &'a Declaration>,
        Vec<&'a MergeElement>,
    ) {
        let mut merged = BTreeMap::new();
        let mut conflicted = Vec::new();
        for key in keys {
            let (bv, ov, tv) = (
                self.base.get(*key),
                self.ours.get(*key),
                self.theirs.get(*key),
            );
            let chosen = if ov == tv || tv == bv {
                ov
            } else if ov == bv {
                tv
            } else {
                conflicted.push(*key);
                continue;
            };
            if let Some(d) = chosen {
                merged.insert(*key, d);
            }
        }
        (merged, conflicted)
    }

    /// The vertices one side removed while the other changed what hangs on
    /// them, each with every element attached to it.
    fn deleted_modified<'a>(
        &self,
        base: &Schema,
        attachments: &BTreeMap<&'a MergeElement, BTreeSet<String>>,
    ) -> BTreeMap<String, BTreeSet<&'a MergeElement>> {
        let mut groups = BTreeMap::new();
        for vertex in base.vertices().keys() {
            let key = MergeElement::Vertex(vertex.clone());
            let keeper = match (self.ours.contains_key(&key), self.theirs.contains_key(&key)) {
                (false, true) => &self.theirs,
                (true, false) => &self.ours,
                _ => continue,
            };
            let touching: BTreeSet<&MergeElement> = attachments
                .iter()
                .filter(|(_, vs)| vs.contains(vertex))
                .map(|(k, _)| *k)
                .collect();
            if touching.iter().any(|k| keeper.get(*k) != self.base.get(*k)) {
                groups.insert(vertex.clone(), touching);
            }
        }
        groups
    }
}

/// Merges `ours` and `theirs`, both descended from `base`, settling
/// conflicts by `resolutions`.
///
/// In phases: read each schema as elements; merge each element three-way;
/// group what hangs on a vertex one side removed into one conflict; check
/// the resolutions against the conflicts; apply them (dropping a vertex the
/// losing side added only under an edge that lost); build the schema.
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
    let sides = Sides {
        base: elements(base),
        ours: elements(ours),
        theirs: elements(theirs),
    };
    let keys = sides.keys();
    let attachments = attachments(&sides, &keys, [base, ours, theirs]);
    let (mut merged, conflicted) = sides.three_way(&keys);
    let conflicts = conflicts(&sides, base, &attachments, conflicted);

    if let Some(unknown) = resolutions.first_unknown(conflicts.iter().map(|(c, _)| &c.element)) {
        return Err(MergeError::NotInConflict {
            element: unknown,
            conflicts: conflicts
                .iter()
                .map(|(c, _)| c.element.to_string())
                .collect(),
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

    let resolved = resolve(&sides, &mut merged, &attachments, conflicts, resolutions);
    let schema = build(ours, merged.into_values())?;
    Ok(MergeOutcome::Merged { schema, resolved })
}

/// For each element, the vertices it hangs on in any of the three schemas.
fn attachments<'a>(
    sides: &Sides,
    keys: &BTreeSet<&'a MergeElement>,
    schemas: [&Schema; 3],
) -> BTreeMap<&'a MergeElement, BTreeSet<String>> {
    let attached_to = |key: &MergeElement| -> BTreeSet<String> {
        [&sides.base, &sides.ours, &sides.theirs]
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
    keys.iter().map(|k| (*k, attached_to(k))).collect()
}

/// Every conflict, sorted by its element's text, with the elements its
/// resolution decides: one per vertex removed on one side and modified on
/// the other (covering what hangs on it), one per other element in conflict.
fn conflicts<'a>(
    sides: &Sides,
    base: &Schema,
    attachments: &BTreeMap<&'a MergeElement, BTreeSet<String>>,
    conflicted: Vec<&'a MergeElement>,
) -> Vec<Decides<'a>> {
    let groups = sides.deleted_modified(base, attachments);
    let grouped: BTreeSet<&MergeElement> = groups.values().flatten().copied().collect();
    let mut out: Vec<Decides<'a>> = Vec::new();
    for (vertex, touching) in groups {
        let mut conflict = sides.conflict(&MergeElement::Vertex(vertex));
        conflict.kind = ConflictKind::DeletedModified;
        out.push((conflict, touching));
    }
    for key in conflicted.into_iter().filter(|k| !grouped.contains(*k)) {
        out.push((sides.conflict(key), BTreeSet::from([key])));
    }
    out.sort_by_cached_key(|(c, _)| c.element.to_string());
    out
}

/// Applies the chosen side of every conflict to `merged`, and returns the
/// conflicts with their sides. A vertex the losing side added only to hang
/// under an edge that lost goes with that edge.
fn resolve<'a>(
    sides: &'a Sides,
    merged: &mut BTreeMap<&'a MergeElement, &'a Declaration>,
    attachments: &BTreeMap<&'a MergeElement, BTreeSet<String>>,
    conflicts: Vec<Decides<'a>>,
    resolutions: &Resolutions,
) -> Vec<(Conflict, Side)> {
    let mut resolved = Vec::with_capacity(conflicts.len());
    let mut lost_targets: BTreeSet<&String> = BTreeSet::new();
    for (conflict, decided) in conflicts {
        let Some(side) = resolutions.side_for(&conflict) else {
            continue;
        };
        let (winner, loser) = (sides.get(side), sides.get(side.other()));
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
        if still_used.contains(orphan)
            || sides
                .base
                .contains_key(&MergeElement::Vertex(orphan.clone()))
        {
            continue;
        }
        merged.retain(|key, _| {
            attachments
                .get(key)
                .is_none_or(|vs| vs.is_empty() || vs.iter().any(|v| v != orphan))
        });
    }
    resolved
}

/// The merged schema from its declarations; a problem it has is the two
/// sides' changes together, and says so.
fn build<'a>(
    ours: &Schema,
    declarations: impl Iterator<Item = &'a Declaration>,
) -> Result<Schema, MergeError> {
    let mut builder = Schema::builder(std::sync::Arc::clone(ours.protocol()));
    for d in declarations {
        builder = builder.declare(d.clone());
    }
    builder.build().map_err(|e| match e {
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
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::builtin::builtin_protocol;
    use crate::model::protocol::Protocol;

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
                element: MergeElement::Constraint {
                    vertex: "root.a".into(),
                    sort: "maxLength".into()
                },
                base: None,
                ours: Some("10".into()),
                theirs: Some("20".into()),
            }]
        );
        let pick = |side| Resolutions::from_names([("root.a.maxLength".to_owned(), side)], None);
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
        assert_eq!(found[0].element.to_string(), "root -prop[x]->");
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
        assert_eq!(found[0].element, MergeElement::Vertex("root.a".into()));
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
        let r = Resolutions::from_names([("root.zz".to_owned(), Side::Ours)], None);
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
