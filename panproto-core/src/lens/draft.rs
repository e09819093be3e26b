//! A schema being rewritten by a lens's steps: its parts as plain
//! collections, the record graph read from them (a value's closure through
//! wrappers and variants, its properties and items), and the bookkeeping a
//! change needs (vertices renamed after their new place, owned vertices
//! removed, member-order lists and required names kept in step). What
//! each step does with it is in `schema`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use super::{Chain, LensError};
use crate::model::SchemaError;
use crate::model::protocol::{EdgeRole, Protocol, ValueType};
use crate::model::schema::{Constraint, Edge, HyperEdge, Required, Schema, SchemaData, Vertex};

/// Separators the formats put between a parent's id and a member's name.
const SEPARATORS: [&str; 4] = [".", ":", "/", "#"];

/// The target of a lens on one schema: the schema, and which vertices a
/// step made (an added field, a wrapped field's list), whose kind the step
/// chose from a value type.
pub(super) struct Target {
    pub(super) schema: Schema,
    pub(super) created: BTreeSet<String>,
}

/// A schema being rewritten.
pub(super) struct Draft {
    pub(super) protocol: Arc<Protocol>,
    pub(super) vertices: BTreeMap<String, Vertex>,
    pub(super) edges: Vec<Edge>,
    pub(super) hyper_edges: Vec<HyperEdge>,
    pub(super) constraints: BTreeMap<String, BTreeMap<String, String>>,
    pub(super) required: BTreeMap<String, BTreeSet<String>>,
    pub(super) created: BTreeSet<String>,
    /// The named types an `in` changed, with its steps.
    pub(super) entered: Vec<(String, Chain)>,
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

    pub(super) fn finish(self) -> Result<Target, LensError> {
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

    pub(super) fn role(&self, e: &Edge) -> EdgeRole {
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
    pub(super) fn prop(&self, v: &str, name: &str) -> Option<usize> {
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
        self.protocol.value_type(self.kind(&self.named(v)))
    }

    /// The vertex that holds the properties of a value at `v`: the first
    /// of its closure with a property edge, else the last that is an object.
    pub(super) fn owner(&self, v: &str) -> String {
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

    /// An id not yet used, `base` if it is free.
    pub(super) fn fresh(&self, base: String) -> String {
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
    pub(super) fn separator(&self, parent: &str) -> &'static str {
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
    pub(super) fn named_after(parent: &str, name: &str, child: &str) -> bool {
        child
            .strip_prefix(parent)
            .and_then(|rest| rest.strip_suffix(name))
            .is_some_and(|sep| SEPARATORS.contains(&sep))
    }

    /// Renames `old` and the vertices it owns whose ids extend it to
    /// `new`, unless one of the new ids is taken.
    pub(super) fn rename_tree(&mut self, old: &str, new: &str) {
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
    pub(super) fn owned(&self, v: &str) -> Vec<String> {
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
    pub(super) fn remove_tree(&mut self, v: &str) {
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
    pub(super) fn members(&self, owner: &str) -> BTreeSet<String> {
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
    pub(super) fn reorder(&mut self, owner: &str, name: &str, to: Option<&str>) {
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

    pub(super) fn require(&mut self, vertex: &str, name: &str, required: bool) {
        if required {
            self.required
                .entry(vertex.to_owned())
                .or_default()
                .insert(name.to_owned());
        }
    }

    pub(super) fn unrequire(&mut self, vertex: &str, name: &str) -> bool {
        self.required
            .get_mut(vertex)
            .is_some_and(|names| names.remove(name))
    }

    /// Moves property edge `i` to `owner` under `name`, and renames its
    /// target after its new place where it was named after its old one.
    pub(super) fn move_edge(&mut self, i: usize, owner: &str, name: &str) {
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
    pub(super) fn kind_for(&self, ty: ValueType, edge_kind: &str) -> Option<String> {
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
    pub(super) fn property_kind(&self, owner: &str) -> Option<String> {
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
