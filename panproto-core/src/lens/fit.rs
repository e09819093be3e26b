//! Whether a lens takes one schema to another: [`Lens::check_target`].
//!
//! The lens's target is compared with the schema it should reach by
//! place, not by id: a vertex with one edge leading to it is known by
//! its parent's place and that edge's name (or kind, for an unnamed
//! one), any other vertex by its id. Two schemas that differ only in how
//! their vertices are named (a parser's convention against the lens's)
//! are then the same, and a difference is reported where a user reads
//! it: `app.bsky.feed.post:body/tags/items`.
//!
//! Where a step chose a kind for a value type (the kind of an added
//! field, the list kind a field is wrapped in), any kind of that value
//! type fits, and the required names and constraints the lens cannot
//! know are not compared.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::draft::Target;
use super::schema::record_root;
use super::{Lens, LensError};
use crate::model::protocol::ValueType;
use crate::model::schema::Schema;

/// How many differences a [`LensError::Mismatch`] lists.
const SHOWN: usize = 12;

/// A lens checked against the schema it must reach: where the records it
/// moves are rooted on either side (what a commit of the lens records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// The source schema's vertex the records are rooted at.
    pub root: String,
    /// The expected schema's vertex at the same place: the views' root.
    pub target_root: String,
}

impl Lens {
    /// Checks that this lens takes `source` (records rooted at `root`, or
    /// its only record root) to exactly `expected`, and gives the schema
    /// it takes it to.
    ///
    /// # Errors
    /// What [`target_schema`](Self::target_schema) gives, and
    /// [`LensError::Mismatch`] listing where the lens's schema and
    /// `expected` differ.
    pub fn check_target(
        &self,
        source: &Schema,
        expected: &Schema,
        root: Option<&str>,
    ) -> Result<Schema, LensError> {
        let target = self.target(source, root)?;
        same_places(&target, expected)?;
        Ok(target.schema)
    }

    /// As [`check_target`](Self::check_target), giving where the records
    /// are rooted on either side instead of the schema.
    ///
    /// # Errors
    /// As [`check_target`](Self::check_target).
    pub fn fit(
        &self,
        source: &Schema,
        expected: &Schema,
        root: Option<&str>,
    ) -> Result<Fit, LensError> {
        let root = record_root(source, root)?;
        let target = self.target(source, Some(&root))?;
        same_places(&target, expected)?;
        // The root keeps its vertex in the lens's schema; the expected
        // schema may name that place otherwise.
        let place = Placed::of(&target.schema).at(&root);
        let theirs = Placed::of(expected);
        let target_root = expected
            .vertices()
            .keys()
            .find(|id| theirs.at(id) == place)
            .cloned()
            .ok_or_else(|| LensError::Mismatch {
                total: 1,
                differences: vec![format!(
                    "the expected schema has nothing at {place}, the records' root"
                )],
            })?;
        Ok(Fit { root, target_root })
    }
}

/// Nothing, or [`LensError::Mismatch`] listing where the lens's schema and
/// `expected` differ.
fn same_places(target: &Target, expected: &Schema) -> Result<(), LensError> {
    if target.schema.id() == expected.id() {
        return Ok(());
    }
    let differences = differences(target, expected);
    if differences.is_empty() {
        return Ok(());
    }
    let total = differences.len();
    Err(LensError::Mismatch {
        total,
        differences: differences.into_iter().take(SHOWN).collect(),
    })
}

/// A schema with its vertices known by place.
struct Placed<'s> {
    schema: &'s Schema,
    /// Vertex id → place.
    place: HashMap<&'s str, String>,
}

impl<'s> Placed<'s> {
    fn of(schema: &'s Schema) -> Self {
        let edges: Vec<_> = schema.edges().iter().collect();
        let mut incoming: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in edges.iter().enumerate() {
            incoming.entry(e.tgt.as_str()).or_default().push(i);
        }
        let mut placed = Self {
            schema,
            place: HashMap::new(),
        };
        let mut visiting = Vec::new();
        for id in schema.vertices().keys() {
            placed.name(id, &edges, &incoming, &mut visiting);
        }
        placed
    }

    /// `id`'s place: its one parent's, then the edge's name; else its id
    /// (a root, a vertex with several parents, a cycle).
    fn name(
        &mut self,
        id: &'s str,
        edges: &[&'s crate::model::schema::Edge],
        incoming: &HashMap<&str, Vec<usize>>,
        visiting: &mut Vec<&'s str>,
    ) -> String {
        if let Some(p) = self.place.get(id) {
            return p.clone();
        }
        let place = match incoming.get(id).map(Vec::as_slice) {
            Some([only]) if !visiting.contains(&edges[*only].src.as_str()) => {
                let e = edges[*only];
                visiting.push(id);
                let parent = self.name(&e.src, edges, incoming, visiting);
                visiting.pop();
                format!("{parent}/{}", e.name.as_deref().unwrap_or(&e.kind))
            }
            _ => id.to_owned(),
        };
        self.place.insert(id, place.clone());
        place
    }

    fn at(&self, id: &str) -> String {
        self.place.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// Place → (kind, value type).
    fn vertices(&self) -> BTreeMap<String, (&'s str, ValueType)> {
        let protocol = self.schema.protocol();
        self.schema
            .vertices()
            .values()
            .map(|v| {
                (
                    self.at(&v.id),
                    (v.kind.as_str(), protocol.value_type(&v.kind)),
                )
            })
            .collect()
    }

    /// (source place, kind, name, target place).
    fn edges(&self) -> BTreeSet<(String, &'s str, Option<&'s str>, String)> {
        self.schema
            .edges()
            .iter()
            .map(|e| {
                (
                    self.at(&e.src),
                    e.kind.as_str(),
                    e.name.as_deref(),
                    self.at(&e.tgt),
                )
            })
            .collect()
    }

    /// (place, sort) → value.
    fn constraints(&self) -> BTreeMap<(String, &'s str), &'s str> {
        self.schema
            .constraints()
            .iter()
            .flat_map(|(v, sorts)| {
                sorts
                    .iter()
                    .map(move |(s, value)| ((self.at(v), s.as_str()), value.as_str()))
            })
            .collect()
    }

    /// (place, required name).
    fn required(&self) -> BTreeSet<(String, &'s str)> {
        self.schema
            .required()
            .iter()
            .flat_map(|(v, names)| names.iter().map(move |n| (self.at(v), n.as_str())))
            .collect()
    }
}

/// Where the lens's schema and `expected` differ, each in a sentence.
fn differences(target: &Target, expected: &Schema) -> Vec<String> {
    let ours = Placed::of(&target.schema);
    let theirs = Placed::of(expected);
    let created: BTreeSet<String> = target.created.iter().map(|v| ours.at(v)).collect();
    let mut out = Vec::new();

    let (ov, tv) = (ours.vertices(), theirs.vertices());
    for (place, (kind, ty)) in &ov {
        match tv.get(place) {
            None => out.push(format!(
                "{place} ({kind}) is in the lens's schema, not the expected one"
            )),
            Some((k, t)) if k != kind && !(created.contains(place) && t == ty) => out.push(
                format!("{place} is a {kind} in the lens's schema, a {k} in the expected one"),
            ),
            Some(_) => {}
        }
    }
    for (place, (kind, _)) in &tv {
        if !ov.contains_key(place) {
            out.push(format!(
                "{place} ({kind}) is in the expected schema, not the lens's"
            ));
        }
    }
    // Edges, constraints and required names between places both have:
    // a missing place is reported once above.
    let both = |p: &String| ov.contains_key(p) && tv.contains_key(p);
    let (oe, te) = (ours.edges(), theirs.edges());
    let edge = |(s, k, n, t): &(String, &str, Option<&str>, String)| match n {
        Some(n) => format!("{s} -{k}[{n}]-> {t}"),
        None => format!("{s} -{k}-> {t}"),
    };
    for (e, side) in oe
        .difference(&te)
        .map(|e| (e, "the lens's schema"))
        .chain(te.difference(&oe).map(|e| (e, "the expected schema")))
    {
        let kind_chosen = created.contains(&e.3) || created.contains(&e.0);
        let other = if side == "the expected schema" {
            &oe
        } else {
            &te
        };
        // An edge to a chosen-kind vertex may differ in kind only.
        let same_but_kind =
            kind_chosen && other.iter().any(|o| o.0 == e.0 && o.2 == e.2 && o.3 == e.3);
        if both(&e.0) && both(&e.3) && !same_but_kind {
            out.push(format!("edge {} is only in {side}", edge(e)));
        }
    }
    let (oc, tc) = (ours.constraints(), theirs.constraints());
    let members = |edges: &BTreeSet<(String, &str, Option<&str>, String)>, place: &str| {
        edges
            .iter()
            .filter(|e| e.0 == place)
            .filter_map(|e| e.2.map(str::to_owned))
            .collect::<BTreeSet<String>>()
    };
    for key in oc.keys().chain(tc.keys()).collect::<BTreeSet<_>>() {
        let (place, sort) = key;
        if !both(place) || created.contains(place) {
            continue;
        }
        let (a, b) = (oc.get(key).copied(), tc.get(key).copied());
        // A list of names (members in the order written, enum values) is
        // compared as a set: a lens says what the names are, not where
        // a new one is written; and one side may leave the order of a
        // vertex's members unsaid.
        let same = match (a.map(names), b.map(names)) {
            (Some(x), Some(y)) => a == b || (x.is_some() && x == y),
            (Some(Some(x)), None) => x == members(&oe, place),
            (None, Some(Some(y))) => y == members(&te, place),
            _ => a == b,
        };
        if !same {
            out.push(format!(
                "{place} has {sort} {} in the lens's schema, {} in the expected one",
                a.map_or("unset".to_owned(), |v| format!("{v:?}")),
                b.map_or("unset".to_owned(), |v| format!("{v:?}")),
            ));
        }
    }
    let (or, tr) = (ours.required(), theirs.required());
    for ((place, name), side) in or
        .difference(&tr)
        .map(|r| (r, "the lens's schema"))
        .chain(tr.difference(&or).map(|r| (r, "the expected schema")))
    {
        let chosen = created.contains(&format!("{place}/{name}"));
        if both(place) && !chosen {
            out.push(format!("{place}/{name} is required only in {side}"));
        }
    }
    out
}

/// A constraint that is a JSON array of strings, as a set.
fn names(text: &str) -> Option<BTreeSet<String>> {
    serde_json::from_str::<Vec<String>>(text)
        .ok()
        .map(|v| v.into_iter().collect())
}
