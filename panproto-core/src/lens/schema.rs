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

use super::draft::{Draft, Target};
use super::step::{At, Place, ROOT};
use super::{Chain, Lens, LensError, Step};
use crate::model::Value;
use crate::model::protocol::{EdgeRole, ValueType};
use crate::model::schema::{Edge, Schema, Vertex};

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

/// What a step reports when it does not fit the schema.
fn misfit(place: &Place<'_>, at: &At<'_>, message: String) -> LensError {
    LensError::Schema {
        step: place.label(),
        path: at.render(),
        message,
    }
}

impl Draft {
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
