//! What a lens does to a schema: [`Lens::target_schema`], the schema its
//! views fit.
//!
//! Steps work on a schema as they do on records. A record rooted at a
//! vertex is an object whose keys are the names of the property edges
//! of that vertex (gathered through wrapper and variant edges, as
//! migrations and record checks read them); a list's items are at its
//! item edge's target. Each step finds its field among those edges, so a
//! field the schema does not have is refused with the step and the path:
//! that is how a chain is instantiated on a schema.
//!
//! Vertex ids: the formats name a member's vertex after its parent's
//! (`post:body.text` under `post:body`). Where a step moves or renames a
//! vertex named so, it and the vertices it owns are renamed after their
//! new place, so a lens's target usually equals the schema parsed from
//! the file a user wrote by hand. Where ids still differ, the comparison
//! in `fit` matches vertices by place, not by id.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use super::step::{At, Place, ROOT};
use super::{Chain, Lens, LensError, Step};
use crate::model::protocol::{EdgeRole, Protocol, ValueType};
use crate::model::schema::{Constraint, Edge, HyperEdge, Required, Schema, SchemaData, Vertex};
use crate::model::{SchemaError, Value};

/// Separators the formats put between a parent's id and a member's name.
const SEPARATORS: [&str; 4] = [".", ":", "/", "#"];

/// The target of a lens on one schema: the schema, and which vertices a
/// step made (an added field, a wrapped field's list), whose kind the step
/// chose from a value type.
pub(super) struct Target {
    pub(super) schema: Schema,
    pub(super) created: BTreeSet<String>,
}

impl Lens {
    /// The schema this lens's views fit, when its records fit `schema`
    /// rooted at `root` (`None`: the schema's one record root).
    ///
    /// # Errors
    /// [`LensError::Schema`] naming the step and the path when a step does
    /// not fit the schema (a field it does not have, a list that is not
    /// one), or when the result breaks the protocol's rules.
    pub fn target_schema(&self, schema: &Schema, root: Option<&str>) -> Result<Schema, LensError> {
        self.target(schema, root).map(|t| t.schema)
    }

    pub(super) fn target(&self, schema: &Schema, root: Option<&str>) -> Result<Target, LensError> {
        let root = record_root(schema, root)?;
        let mut draft = Draft::of(schema);
        draft.chain(self.chain(), &root, None, &ROOT)?;
        draft.finish()
    }
}

/// `root`, or the schema's only record root.
pub(super) fn record_root(schema: &Schema, root: Option<&str>) -> Result<String, LensError> {
    let whole = |message: String| LensError::Schema {
        step: "the chain".to_owned(),
        path: "the record".to_owned(),
        message,
    };
    if let Some(r) = root {
        return if schema.vertices().contains_key(r) {
            Ok(r.to_owned())
        } else {
            Err(whole(format!(
                "the schema has no vertex {r:?} to root records at"
            )))
        };
    }
    let roots = schema.record_roots();
    match roots.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(whole(format!(
            "the schema has {} possible record roots ({}); say which with root=",
            roots.len(),
            roots.join(", ")
        ))),
    }
}

/// A schema being rewritten.
pub(super) struct Draft {
    protocol: Arc<Protocol>,
    vertices: BTreeMap<String, Vertex>,
    edges: Vec<Edge>,
    hyper_edges: Vec<HyperEdge>,
    constraints: BTreeMap<String, BTreeMap<String, String>>,
    required: BTreeMap<String, BTreeSet<String>>,
    created: BTreeSet<String>,
    /// The named types an `in` changed, with its steps.
    entered: Vec<(String, Chain)>,
}

/// What a step reports when it does not fit the schema.
fn misfit(place: &Place<'_>, at: &At<'_>, message: String) -> LensError {
    LensError::Schema {
        step: place.label(),
        path: at.render(),
        message,
    }
}

impl Draft {
    pub(super) fn of(schema: &Schema) -> Self {
        Self {
            protocol: Arc::clone(schema.protocol()),
            vertices: schema.vertices().clone(),
            edges: schema.edges().iter().cloned().collect(),
            hyper_edges: schema.hyper_edges().values().cloned().collect(),
            constraints: schema.constraints().clone(),
            required: schema.required().clone(),
            created: BTreeSet::new(),
            entered: Vec::new(),
        }
    }

    fn finish(self) -> Result<Target, LensError> {
        let mut edges = self.edges;
        edges.sort();
        edges.dedup();
        let data = SchemaData {
            protocol: self.protocol.name.clone(),
            vertices: self.vertices.into_values().collect(),
            edges,
            hyper_edges: self.hyper_edges,
            constraints: self
                .constraints
                .into_iter()
                .flat_map(|(vertex, sorts)| {
                    sorts.into_iter().map(move |(sort, value)| Constraint {
                        vertex: vertex.clone(),
                        sort,
                        value,
                    })
                })
                .collect(),
            required: self
                .required
                .into_iter()
                .filter(|(_, names)| !names.is_empty())
                .map(|(vertex, names)| Required {
                    vertex,
                    edges: names.into_iter().collect(),
                })
                .collect(),
        };
        let schema = Schema::from_data(data, self.protocol).map_err(|e| LensError::Schema {
            step: "the chain".to_owned(),
            path: "its target schema".to_owned(),
            message: match e {
                SchemaError::Invalid { issues, .. } => issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            },
        })?;
        Ok(Target {
            schema,
            created: self.created,
        })
    }

    fn role(&self, e: &Edge) -> EdgeRole {
        self.protocol.edge_role(&e.kind)
    }

    pub(super) fn kind(&self, v: &str) -> &str {
        self.vertices.get(v).map_or("", |x| x.kind.as_str())
    }

    /// `v` and the vertices its values also are, through wrapper and
    /// variant edges: where a value at `v` finds its properties.
    pub(super) fn closure(&self, v: &str) -> Vec<String> {
        let mut seen = vec![v.to_owned()];
        let mut i = 0;
        while i < seen.len() {
            for e in &self.edges {
                if e.src == seen[i]
                    && matches!(self.role(e), EdgeRole::Wrapper | EdgeRole::Variant)
                    && !seen.contains(&e.tgt)
                {
                    seen.push(e.tgt.clone());
                }
            }
            i += 1;
        }
        seen
    }

    /// The property edge called `name` of a value at `v`.
    fn prop(&self, v: &str, name: &str) -> Option<usize> {
        let closure = self.closure(v);
        self.edges.iter().position(|e| {
            e.name.as_deref() == Some(name)
                && self.role(e) == EdgeRole::Property
                && closure.contains(&e.src)
        })
    }

    /// The item edge of a list at `v`.
    pub(super) fn item(&self, v: &str) -> Option<usize> {
        let closure = self.closure(v);
        self.edges
            .iter()
            .position(|e| self.role(e) == EdgeRole::Item && closure.contains(&e.src))
    }

    /// The properties of a value at `v`: (name, the edge's target).
    pub(super) fn props(&self, v: &str) -> Vec<(String, String)> {
        let closure = self.closure(v);
        self.edges
            .iter()
            .filter(|e| self.role(e) == EdgeRole::Property && closure.contains(&e.src))
            .filter_map(|e| Some((e.name.clone()?, e.tgt.clone())))
            .collect()
    }

    /// The vertex a value at `v` finally is, through wrappers: the named
    /// type a `ref` stands for, else `v`.
    pub(super) fn named(&self, v: &str) -> String {
        self.closure(v).pop().unwrap_or_else(|| v.to_owned())
    }

    /// The target of edge `i`.
    pub(super) fn target_of(&self, i: usize) -> &str {
        &self.edges[i].tgt
    }

    /// The value type of values at `v`, through a `ref` to what it names.
    pub(super) fn value_type(&self, v: &str) -> ValueType {
        let closure = self.closure(v);
        let last = closure.last().map_or(v, String::as_str);
        self.protocol.value_type(self.kind(last))
    }

    /// The vertex that holds the properties of a value at `v`: the first
    /// of its closure with a property edge, else the last that is an object.
    fn owner(&self, v: &str) -> String {
        let closure = self.closure(v);
        closure
            .iter()
            .find(|u| {
                self.edges
                    .iter()
                    .any(|e| &e.src == *u && self.role(e) == EdgeRole::Property)
            })
            .or_else(|| {
                closure
                    .iter()
                    .rev()
                    .find(|u| self.protocol.value_type(self.kind(u)) == ValueType::Object)
            })
            .cloned()
            .unwrap_or_else(|| v.to_owned())
    }

    /// The property edge `name` of a value at `v`, or why not.
    fn field(
        &self,
        v: &str,
        name: &str,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<usize, LensError> {
        self.prop(v, name)
            .ok_or_else(|| misfit(place, at, format!("the schema has no field {name}")))
    }

    /// An id not yet used, `base` if it is free.
    fn fresh(&self, base: String) -> String {
        if !self.vertices.contains_key(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}~{n}"))
            .find(|id| !self.vertices.contains_key(id))
            .unwrap_or(base)
    }

    /// The separator `parent`'s members are named with: the one that
    /// `child == parent + sep + name` uses, for its first such member.
    fn separator(&self, parent: &str) -> &'static str {
        self.edges
            .iter()
            .filter(|e| e.src == parent)
            .find_map(|e| {
                let name = e.name.as_deref()?;
                let rest = e.tgt.strip_prefix(parent)?.strip_suffix(name)?;
                SEPARATORS.iter().find(|s| **s == rest).copied()
            })
            .unwrap_or(".")
    }

    /// Whether `child` is named as member `name` of `parent`.
    fn named_after(parent: &str, name: &str, child: &str) -> bool {
        child
            .strip_prefix(parent)
            .and_then(|rest| rest.strip_suffix(name))
            .is_some_and(|sep| SEPARATORS.contains(&sep))
    }

    /// Renames `old` and the vertices it owns whose ids extend it to
    /// `new`, unless one of the new ids is taken.
    fn rename_tree(&mut self, old: &str, new: &str) {
        if old == new {
            return;
        }
        let owned: Vec<String> = self
            .owned(old)
            .into_iter()
            .filter(|v| v.starts_with(old))
            .collect();
        let renamed: BTreeMap<String, String> = owned
            .iter()
            .map(|v| (v.clone(), format!("{new}{}", &v[old.len()..])))
            .collect();
        if renamed
            .values()
            .any(|n| self.vertices.contains_key(n) && !renamed.contains_key(n))
        {
            return;
        }
        let to = |v: &mut String| {
            if let Some(n) = renamed.get(v.as_str()) {
                v.clone_from(n);
            }
        };
        let vertices = std::mem::take(&mut self.vertices);
        self.vertices = vertices
            .into_values()
            .map(|mut v| {
                to(&mut v.id);
                (v.id.clone(), v)
            })
            .collect();
        for e in &mut self.edges {
            to(&mut e.src);
            to(&mut e.tgt);
        }
        for h in &mut self.hyper_edges {
            h.signature.values_mut().for_each(to);
        }
        self.constraints.rekey(&renamed);
        self.required.rekey(&renamed);
        let created = std::mem::take(&mut self.created);
        self.created = created
            .into_iter()
            .map(|v| renamed.get(&v).cloned().unwrap_or(v))
            .collect();
    }

    /// `v` and the vertices only it reaches: followed through every edge
    /// but wrapper ones (a `ref`'s named type is not the field's to take),
    /// kept while some edge from elsewhere leads to them.
    fn owned(&self, v: &str) -> Vec<String> {
        let mut owned = vec![v.to_owned()];
        let mut set: HashSet<String> = owned.iter().cloned().collect();
        let mut i = 0;
        while i < owned.len() {
            let children: Vec<&str> = self
                .edges
                .iter()
                .filter(|e| e.src == owned[i] && self.role(e) != EdgeRole::Wrapper)
                .map(|e| e.tgt.as_str())
                .collect();
            for c in children {
                let only_from_owned = self
                    .edges
                    .iter()
                    .filter(|e| e.tgt == c)
                    .all(|e| set.contains(&e.src));
                if only_from_owned && set.insert(c.to_owned()) {
                    owned.push(c.to_owned());
                }
            }
            i += 1;
        }
        owned
    }

    /// Removes `v`, what it owns, and every edge that touches them.
    fn remove_tree(&mut self, v: &str) {
        let owned: HashSet<String> = self.owned(v).into_iter().collect();
        self.vertices.retain(|id, _| !owned.contains(id));
        self.edges
            .retain(|e| !owned.contains(&e.src) && !owned.contains(&e.tgt));
        self.constraints.retain(|id, _| !owned.contains(id));
        self.required.retain(|id, _| !owned.contains(id));
        self.created.retain(|id| !owned.contains(id));
    }

    /// The names of `owner`'s named edges and of its children's: the
    /// members a list of `owner`'s may name (a message's order names the
    /// fields of its oneofs too).
    fn members(&self, owner: &str) -> BTreeSet<String> {
        let children: BTreeSet<&str> = self
            .edges
            .iter()
            .filter(|e| e.src == owner)
            .map(|e| e.tgt.as_str())
            .collect();
        self.edges
            .iter()
            .filter(|e| e.src == owner || children.contains(e.src.as_str()))
            .filter_map(|e| e.name.clone())
            .collect()
    }

    /// Keeps the constraints that list members in the order written (a
    /// JSON array of member names, whatever the format calls it), on
    /// `owner` or a parent of it, in step with a member renamed (`to` is
    /// `Some`), dropped (`None`) or, with `name` not yet a member, added at
    /// the end.
    fn reorder(&mut self, owner: &str, name: &str, to: Option<&str>) {
        let mut holders: Vec<String> = vec![owner.to_owned()];
        holders.extend(
            self.edges
                .iter()
                .filter(|e| e.tgt == owner)
                .map(|e| e.src.clone()),
        );
        for holder in holders {
            let members = self.members(&holder);
            let own: Vec<String> = self
                .edges
                .iter()
                .filter(|e| e.src == holder)
                .filter_map(|e| e.name.clone())
                .collect();
            // A parent's list names the member only where no member of
            // its own has that name.
            if holder != owner && own.iter().any(|n| n == name) {
                continue;
            }
            let Some(sorts) = self.constraints.get_mut(&holder) else {
                continue;
            };
            for text in sorts.values_mut() {
                let Ok(mut names) = serde_json::from_str::<Vec<String>>(text) else {
                    continue;
                };
                let listed: BTreeSet<&String> = names.iter().collect();
                if listed.len() != names.len() || !listed.iter().all(|n| members.contains(*n)) {
                    continue;
                }
                match (names.iter().position(|n| n == name), to) {
                    (Some(i), Some(t)) => t.clone_into(&mut names[i]),
                    (Some(i), None) => {
                        names.remove(i);
                    }
                    (None, _) if holder == owner && own.iter().all(|n| listed.contains(n)) => {
                        names.push(name.to_owned());
                    }
                    (None, _) => continue,
                }
                *text = serde_json::to_string(&names).unwrap_or_default();
            }
        }
    }

    fn require(&mut self, vertex: &str, name: &str, required: bool) {
        if required {
            self.required
                .entry(vertex.to_owned())
                .or_default()
                .insert(name.to_owned());
        }
    }

    fn unrequire(&mut self, vertex: &str, name: &str) -> bool {
        self.required
            .get_mut(vertex)
            .is_some_and(|names| names.remove(name))
    }

    /// Moves property edge `i` to `owner` under `name`, and renames its
    /// target after its new place where it was named after its old one.
    fn move_edge(&mut self, i: usize, owner: &str, name: &str) {
        let (old_owner, old_name, tgt) = {
            let e = &self.edges[i];
            (
                e.src.clone(),
                e.name.clone().unwrap_or_default(),
                e.tgt.clone(),
            )
        };
        let required = self.unrequire(&old_owner, &old_name);
        let sep = if owner == old_owner {
            self.separator(&old_owner)
        } else {
            self.separator(owner)
        };
        if owner == old_owner {
            self.reorder(owner, &old_name, Some(name));
        } else {
            self.reorder(&old_owner, &old_name, None);
            self.reorder(owner, name, Some(name));
        }
        self.edges[i].src = owner.to_owned();
        self.edges[i].name = Some(name.to_owned());
        self.require(owner, name, required);
        if Self::named_after(&old_owner, &old_name, &tgt) {
            let new = format!("{owner}{sep}{name}");
            self.rename_tree(&tgt, &new);
        } else if owner == old_owner {
            // Named after something else, then the name (a protobuf field
            // in a oneof after its message, an extension after its
            // package): keep the prefix.
            let prefix = SEPARATORS.iter().find_map(|s| {
                let p = tgt.strip_suffix(old_name.as_str())?.strip_suffix(s)?;
                (!p.is_empty()).then_some((p, *s))
            });
            if let Some((p, s)) = prefix {
                let new = format!("{p}{s}{name}");
                self.rename_tree(&tgt, &new);
            }
        }
    }

    /// A kind for `ty` values that edges of `edge_kind` may lead to,
    /// preferring the one named after the value type.
    fn kind_for(&self, ty: ValueType, edge_kind: &str) -> Option<String> {
        let allowed = self
            .protocol
            .edge_rules
            .get(edge_kind)
            .map(|r| r.tgt_kinds.clone())
            .unwrap_or_default();
        let fits = |k: &String| {
            (allowed.is_empty() || allowed.contains(k))
                && (ty == ValueType::Any || self.protocol.value_type(k) == ty)
        };
        let candidates: Vec<&String> = self
            .protocol
            .object_kinds
            .iter()
            .filter(|k| fits(k))
            .collect();
        candidates
            .iter()
            .find(|k| k.as_str() == ty.name())
            .or_else(|| candidates.first())
            .map(|k| (*k).clone())
    }

    /// The edge kind of a new property of `owner`: the one its other
    /// properties use, else the first the protocol allows from its kind.
    fn property_kind(&self, owner: &str) -> Option<String> {
        if let Some(e) = self
            .edges
            .iter()
            .find(|e| e.src == owner && self.role(e) == EdgeRole::Property)
        {
            return Some(e.kind.clone());
        }
        let kind = self.kind(owner);
        self.protocol
            .edge_rules
            .iter()
            .find(|(_, r)| {
                r.role() == EdgeRole::Property
                    && r.named
                    && (r.src_kinds.is_empty() || r.src_kinds.iter().any(|k| k == kind))
            })
            .map(|(k, _)| k.clone())
    }

    fn chain(
        &mut self,
        chain: &Chain,
        at_vertex: &str,
        parent: Option<&Place<'_>>,
        at: &At<'_>,
    ) -> Result<(), LensError> {
        for (index, step) in chain.0.iter().enumerate() {
            let place = Place {
                parent,
                index,
                step,
            };
            self.step(step, at_vertex, &place, at)?;
        }
        Ok(())
    }

    fn step(
        &mut self,
        step: &Step,
        v: &str,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<(), LensError> {
        let taken = |d: &Self, name: &str| -> Result<(), LensError> {
            match d.prop(v, name) {
                Some(_) => Err(misfit(
                    place,
                    at,
                    format!("the schema already has a field {name}"),
                )),
                None => Ok(()),
            }
        };
        match step {
            Step::Rename { field, to } => {
                let i = self.field(v, field, place, at)?;
                taken(self, to)?;
                let owner = self.edges[i].src.clone();
                self.move_edge(i, &owner, to);
            }
            Step::Add { field, kind, .. } => {
                taken(self, field)?;
                let owner = self.owner(v);
                let edge_kind = self.property_kind(&owner).ok_or_else(|| {
                    misfit(
                        place,
                        at,
                        format!("a {} has no fields in this protocol", self.kind(&owner)),
                    )
                })?;
                let vertex_kind = self.kind_for(*kind, &edge_kind).ok_or_else(|| {
                    misfit(
                        place,
                        at,
                        format!(
                            "protocol {} has no kind for {} fields",
                            self.protocol.name,
                            kind.name()
                        ),
                    )
                })?;
                let sep = self.separator(&owner);
                let id = self.fresh(format!("{owner}{sep}{field}"));
                self.reorder(&owner, field, Some(field));
                self.vertices.insert(
                    id.clone(),
                    Vertex {
                        id: id.clone(),
                        kind: vertex_kind,
                        nsid: None,
                    },
                );
                self.edges.push(Edge {
                    src: owner,
                    tgt: id.clone(),
                    kind: edge_kind,
                    name: Some(field.clone()),
                });
                self.created.insert(id);
            }
            Step::Remove { field, .. } => {
                let i = self.field(v, field, place, at)?;
                let src = self.edges[i].src.clone();
                self.reorder(&src, field, None);
                let e = self.edges.remove(i);
                self.unrequire(&e.src, field);
                let still_reached = self.edges.iter().any(|x| x.tgt == e.tgt);
                if !still_reached {
                    self.remove_tree(&e.tgt);
                }
            }
            Step::Hoist { host, field } => {
                let h = self.field(v, host, place, at)?;
                let inner = self.edges[h].tgt.clone();
                let f = self.field(&inner, field, place, &at.child(host))?;
                taken(self, field)?;
                let owner = self.edges[h].src.clone();
                let host_required = self.required.get(&owner).is_some_and(|r| r.contains(host));
                self.move_edge(f, &owner, field);
                if !host_required {
                    self.unrequire(&owner, field);
                }
            }
            Step::Plunge { host, field } => {
                let f = self.field(v, field, place, at)?;
                let h = self.field(v, host, place, at)?;
                let inner = self.edges[h].tgt.clone();
                if self.prop(&inner, field).is_some() {
                    return Err(misfit(
                        place,
                        &at.child(host),
                        format!("the schema already has a field {field}"),
                    ));
                }
                let owner = self.owner(&inner);
                self.move_edge(f, &owner, field);
            }
            Step::Wrap { field } => self.wrap(v, field, place, at)?,
            Step::Head { field } => self.head(v, field, place, at)?,
            Step::In { field, steps } => {
                let i = self.field(v, field, place, at)?;
                let inner = self.edges[i].tgt.clone();
                // A named type two fields share changes once: records hold
                // it at both, the schema declares it once.
                let named = self.named(&inner);
                if !self.entered.iter().any(|(n, c)| *n == named && c == steps) {
                    self.entered.push((named, steps.clone()));
                    self.chain(steps, &inner, Some(place), &at.child(field))?;
                }
            }
            Step::Map { steps } => {
                let i = self.item(v).ok_or_else(|| {
                    misfit(place, at, format!("a {} is not a list", self.kind(v)))
                })?;
                let item = self.edges[i].tgt.clone();
                self.chain(steps, &item, Some(place), at)?;
            }
            Step::Convert { field, mapping, .. } => self.convert(v, field, mapping, place, at)?,
        }
        Ok(())
    }

    /// Field `field` becomes a list of what it was: a new list vertex takes
    /// the field's place (and id), the old value becomes its item.
    fn wrap(
        &mut self,
        v: &str,
        field: &str,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<(), LensError> {
        let i = self.field(v, field, place, at)?;
        let (edge_kind, value) = (self.edges[i].kind.clone(), self.edges[i].tgt.clone());
        let list_kind = self.kind_for(ValueType::Array, &edge_kind).ok_or_else(|| {
            misfit(
                place,
                at,
                format!(
                    "protocol {} has no list kind a field can be",
                    self.protocol.name
                ),
            )
        })?;
        let value_kind = self.kind(&value).to_owned();
        let item_kind = self
            .protocol
            .edge_rules
            .iter()
            .find(|(_, r)| {
                r.role() == EdgeRole::Item
                    && (r.src_kinds.is_empty() || r.src_kinds.contains(&list_kind))
                    && (r.tgt_kinds.is_empty() || r.tgt_kinds.contains(&value_kind))
            })
            .map(|(k, _)| k.clone())
            .ok_or_else(|| {
                misfit(
                    place,
                    at,
                    format!("a {list_kind} cannot hold a {value_kind} in this protocol"),
                )
            })?;
        let moved = self.fresh(format!("{value}{}{item_kind}", self.separator(&value)));
        self.rename_tree(&value, &moved);
        // `rename_tree` leaves the old id where a new one is taken.
        let item = if self.vertices.contains_key(&moved) {
            moved
        } else {
            value.clone()
        };
        let list = self.fresh(value);
        self.vertices.insert(
            list.clone(),
            Vertex {
                id: list.clone(),
                kind: list_kind,
                nsid: None,
            },
        );
        self.edges[i].tgt.clone_from(&list);
        self.edges.push(Edge {
            src: list.clone(),
            tgt: item,
            kind: item_kind,
            name: None,
        });
        self.created.insert(list);
        Ok(())
    }

    /// Field `field`, a list, becomes its item: the list vertex goes, its
    /// item takes its place (and id).
    fn head(
        &mut self,
        v: &str,
        field: &str,
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<(), LensError> {
        let i = self.field(v, field, place, at)?;
        let list = self.edges[i].tgt.clone();
        let is_list = |d: &Self| d.edges.iter().filter(|e| e.src == list).count() == 1;
        let item = match self.item(&list) {
            Some(it) if self.edges[it].src == list && is_list(self) => it,
            _ => {
                return Err(misfit(
                    place,
                    &at.child(field),
                    format!(
                        "expected a list in the schema, found a {}",
                        self.kind(&list)
                    ),
                ));
            }
        };
        let value = self.edges.remove(item).tgt;
        let i = self.field(v, field, place, at)?;
        self.vertices.remove(&list);
        self.constraints.remove(&list);
        self.created.remove(&list);
        self.edges[i].tgt.clone_from(&value);
        self.rename_tree(&value, &list);
        Ok(())
    }

    /// A conversion table renames enum values where the field's type is
    /// an enum (a member edge named by value, or an `enum`-like constraint
    /// listing them); a table whose values another kind holds changes the
    /// field's kind.
    fn convert(
        &mut self,
        v: &str,
        field: &str,
        mapping: &[(Value, Value)],
        place: &Place<'_>,
        at: &At<'_>,
    ) -> Result<(), LensError> {
        let i = self.field(v, field, place, at)?;
        let value = self.edges[i].tgt.clone();
        let closure = self.closure(&value);
        let names: Vec<(&str, &str)> = mapping
            .iter()
            .filter_map(|(from, to)| match (from, to) {
                (Value::Str(f), Value::Str(t)) => Some((f.as_str(), t.as_str())),
                _ => None,
            })
            .collect();
        for (from, to) in &names {
            let member = self.edges.iter().position(|e| {
                closure.contains(&e.src)
                    && e.name.as_deref() == Some(*from)
                    && self.role(e) == EdgeRole::Reference
            });
            if let Some(m) = member {
                let owner = self.edges[m].src.clone();
                self.move_edge(m, &owner, to);
            }
        }
        for vertex in &closure {
            let Some(sorts) = self.constraints.get_mut(vertex) else {
                continue;
            };
            for (sort, text) in sorts.iter_mut() {
                if !matches!(sort.as_str(), "enum" | "symbols" | "knownValues") {
                    continue;
                }
                // The formats keep enum values as a JSON array of strings.
                let Ok(values) = serde_json::from_str::<Vec<String>>(text) else {
                    continue;
                };
                let values: Vec<String> = values
                    .into_iter()
                    .map(|s| {
                        names
                            .iter()
                            .find(|(f, _)| *f == s)
                            .map_or(s, |(_, t)| (*t).to_owned())
                    })
                    .collect();
                *text = serde_json::to_string(&values).unwrap_or_default();
            }
        }
        let ty = self.protocol.value_type(self.kind(&value));
        let outputs: Vec<&Value> = mapping.iter().map(|(_, to)| to).collect();
        if outputs.iter().all(|o| o.fits(ty)) {
            return Ok(());
        }
        let new_ty = outputs
            .iter()
            .find_map(|o| value_type_of(o))
            .unwrap_or(ValueType::Any);
        if outputs.iter().any(|o| !o.fits(new_ty)) || self.closure(&value).len() > 1 {
            return Err(misfit(
                place,
                &at.child(field),
                format!(
                    "the table gives values a {} field cannot hold, of more than one type \
                     or for a field that names another type",
                    self.kind(&value)
                ),
            ));
        }
        let edge_kind = self.edges[i].kind.clone();
        let kind = self.kind_for(new_ty, &edge_kind).ok_or_else(|| {
            misfit(
                place,
                at,
                format!(
                    "protocol {} has no kind for {} fields",
                    self.protocol.name,
                    new_ty.name()
                ),
            )
        })?;
        if let Some(vertex) = self.vertices.get_mut(&value) {
            vertex.kind = kind;
        }
        self.constraints.remove(&value);
        self.created.insert(value);
        Ok(())
    }
}

/// The value type a value is of (`None` for `null`, which fits many).
fn value_type_of(v: &Value) -> Option<ValueType> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(_) => ValueType::Boolean,
        Value::Int(_) => ValueType::Integer,
        Value::Float(_) => ValueType::Number,
        Value::Str(_) => ValueType::String,
        Value::Bytes(_) => ValueType::Bytes,
        Value::Array(_) => ValueType::Array,
        Value::Object(_) => ValueType::Object,
    })
}

/// Maps keyed by vertex id, renamed together.
trait Rekey {
    fn rekey(&mut self, renamed: &BTreeMap<String, String>);
}

impl<T> Rekey for BTreeMap<String, T> {
    fn rekey(&mut self, renamed: &BTreeMap<String, String>) {
        let old = std::mem::take(self);
        *self = old
            .into_iter()
            .map(|(k, v)| (renamed.get(&k).cloned().unwrap_or(k), v))
            .collect();
    }
}
