//! Running a plan: `lift`, and the lens pair `get` / `put`.
//!
//! Values are moved, not copied: a surviving field's value (and, when its
//! key is not renamed, the key itself) goes from the input record into the
//! output without a new allocation. `get` moves what it drops into the
//! complement; `put` moves it back.

use crate::migration::MigrationError;
use crate::migration::complement::{Comp, Complement, ObjComp, take};
use crate::migration::plan::{Field, Shape};
use crate::migration::{CompiledMigration, Stage};
use crate::model::record::{Map, Value};

/// A key's plan in a node's fields (sorted by source key).
fn plan_for<'p>(fields: &'p [(String, Field)], key: &str) -> Option<&'p Field> {
    fields
        .binary_search_by(|(k, _)| k.as_str().cmp(key))
        .ok()
        .map(|i| &fields[i].1)
}

/// A target key's way back in a node's kept fields (sorted by target key):
/// the source key and the child.
fn way_back<'p>(reverse: &'p [(String, String, usize)], key: &str) -> Option<(&'p String, usize)> {
    reverse
        .binary_search_by(|(k, _, _)| k.as_str().cmp(key))
        .ok()
        .map(|i| (&reverse[i].1, reverse[i].2))
}

impl Stage {
    pub(crate) fn lift(&self, n: usize, value: Value) -> Value {
        let node = &self.plan.nodes[n];
        match (&node.shape, value) {
            (Shape::Object, Value::Object(mut fields)) if !node.hoists => {
                // Nothing to contract: rewrite the object where it lies.
                let plan = &node.fields;
                fields.retain_distinct(|key, value| match plan_for(plan, key) {
                    Some(Field::Keep { key: to, child }) => {
                        *value = self.lift(*child, std::mem::replace(value, Value::Null));
                        if to != key {
                            to.clone_into(key);
                        }
                        true
                    }
                    Some(Field::Hoist { .. }) | None => false,
                });
                Value::Object(fields)
            }
            (Shape::Object, Value::Object(fields)) => {
                let mut out = Vec::with_capacity(fields.len());
                self.lift_into(n, fields, &mut out);
                Value::Object(out.into_iter().collect())
            }
            (Shape::Array(Some(item)), Value::Array(mut items)) => {
                for v in &mut items {
                    *v = self.lift(*item, std::mem::replace(v, Value::Null));
                }
                Value::Array(items)
            }
            (Shape::Array(None), Value::Array(_)) => Value::Array(Vec::new()),
            (_, other) => other,
        }
    }

    fn lift_into(&self, n: usize, fields: Map, out: &mut Vec<(String, Value)>) {
        let plan = &self.plan.nodes[n].fields;
        for (key, value) in fields {
            match plan_for(plan, &key) {
                Some(Field::Keep { key: to, child }) => {
                    let lifted = self.lift(*child, value);
                    out.push((if *to == key { key } else { to.clone() }, lifted));
                }
                Some(Field::Hoist { child }) => {
                    if let Value::Object(inner) = value {
                        self.lift_into(*child, inner, out);
                    }
                }
                None => {}
            }
        }
    }

    pub(crate) fn get(&self, n: usize, value: Value) -> (Value, Comp) {
        let node = &self.plan.nodes[n];
        match (&node.shape, value) {
            (Shape::Object, Value::Object(mut fields)) if !node.hoists => {
                // As in `lift`, rewrite in place; what is dropped moves to the complement.
                let plan = &node.fields;
                let mut comp = ObjComp::default();
                fields.retain_distinct(|key, value| match plan_for(plan, key) {
                    Some(Field::Keep { key: to, child }) => {
                        let (view, c) = self.get(*child, std::mem::replace(value, Value::Null));
                        *value = view;
                        if !c.is_empty() {
                            comp.kept.push((key.clone(), c));
                        }
                        if to != key {
                            to.clone_into(key);
                        }
                        true
                    }
                    Some(Field::Hoist { .. }) | None => {
                        comp.dropped
                            .push((std::mem::take(key), std::mem::replace(value, Value::Null)));
                        false
                    }
                });
                (Value::Object(fields), Comp::object(comp))
            }
            (Shape::Object, Value::Object(fields)) => {
                let mut out = Vec::with_capacity(fields.len());
                let comp = self.get_into(n, fields, &mut out);
                (Value::Object(out.into_iter().collect()), Comp::object(comp))
            }
            (Shape::Array(Some(item)), Value::Array(items)) => {
                let mut views = Vec::with_capacity(items.len());
                let mut comps = Vec::with_capacity(items.len());
                for v in items {
                    let (view, comp) = self.get(*item, v);
                    views.push(view);
                    comps.push(comp);
                }
                let comp = if comps.iter().all(Comp::is_empty) {
                    Comp::Empty
                } else {
                    Comp::Array(comps)
                };
                (Value::Array(views), comp)
            }
            (Shape::Array(None), dropped @ Value::Array(_)) => {
                (Value::Array(Vec::new()), Comp::Replaced(dropped))
            }
            (_, other) => (other, Comp::Empty),
        }
    }

    fn get_into(&self, n: usize, fields: Map, out: &mut Vec<(String, Value)>) -> ObjComp {
        let plan = &self.plan.nodes[n].fields;
        let mut comp = ObjComp::default();
        for (key, value) in fields {
            match plan_for(plan, &key) {
                Some(Field::Keep { key: to, child }) => {
                    let (view, c) = self.get(*child, value);
                    out.push((to.clone(), view));
                    if !c.is_empty() {
                        comp.kept.push((key, c));
                    }
                }
                Some(Field::Hoist { child }) => match value {
                    Value::Object(inner) => {
                        let c = self.get_into(*child, inner, out);
                        comp.hoisted.push((key, c));
                    }
                    other => {
                        comp.dropped.push((key, other));
                    }
                },
                None => {
                    comp.dropped.push((key, value));
                }
            }
        }
        comp
    }

    pub(crate) fn put(&self, n: usize, view: Value, comp: Comp) -> Value {
        let node = &self.plan.nodes[n];
        match (&node.shape, view, comp) {
            (_, _, Comp::Replaced(original)) => original,
            (Shape::Object, Value::Object(mut fields), comp) => {
                let mut comp = match comp {
                    Comp::Object(c) => *c,
                    _ => ObjComp::default(),
                };
                if node.hoists {
                    return Value::Object(self.put_from(n, &mut fields, comp));
                }
                // Rename back in place, following the plan from target keys.
                fields.retain_distinct(|key, value| match way_back(&node.reverse, key) {
                    Some((src_key, child)) => {
                        let c = take(&mut comp.kept, src_key).unwrap_or_default();
                        *value = self.put(child, std::mem::replace(value, Value::Null), c);
                        if src_key != key {
                            src_key.clone_into(key);
                        }
                        true
                    }
                    None => false,
                });
                fields.extend_distinct(comp.dropped);
                Value::Object(fields)
            }
            (Shape::Array(Some(item)), Value::Array(items), comp) => {
                let mut comps = match comp {
                    Comp::Array(c) => c.into_iter(),
                    _ => Vec::new().into_iter(),
                };
                Value::Array(
                    items
                        .into_iter()
                        .map(|v| self.put(*item, v, comps.next().unwrap_or(Comp::Empty)))
                        .collect(),
                )
            }
            (_, view, _) => view,
        }
    }

    fn put_from(&self, n: usize, view: &mut Map, comp: ObjComp) -> Map {
        let ObjComp {
            dropped,
            mut kept,
            mut hoisted,
        } = comp;
        let fields = &self.plan.nodes[n].fields;
        let mut out = Vec::with_capacity(fields.len() + dropped.len());
        for (key, field) in fields {
            match field {
                Field::Keep { key: to, child } => {
                    if let Some(v) = view.remove(to) {
                        let c = take(&mut kept, key).unwrap_or_default();
                        out.push((key.clone(), self.put(*child, v, c)));
                    }
                }
                Field::Hoist { child } => {
                    if let Some(c) = hoisted
                        .iter()
                        .position(|(k, _)| k == key)
                        .map(|i| hoisted.swap_remove(i).1)
                    {
                        out.push((key.clone(), Value::Object(self.put_from(*child, view, c))));
                    }
                }
            }
        }
        // Plan keys come sorted; the dropped ones are merged in by the bulk build.
        out.extend(dropped);
        out.into_iter().collect()
    }
}

/// A migration with its record root resolved, ready to run on many records.
#[derive(Debug, Clone)]
pub struct RootedMigration<'m> {
    migration: &'m CompiledMigration,
    root: String,
    /// The node to start at in each stage.
    nodes: Vec<usize>,
}

impl CompiledMigration {
    /// Resolves the record root (`None`: the source's only mapped root).
    ///
    /// # Errors
    /// [`MigrationError::Root`] if the root is not a mapped source vertex,
    /// or none is given and the source has several roots.
    pub fn rooted(&self, root: Option<&str>) -> Result<RootedMigration<'_>, MigrationError> {
        let first = &self.stages[0];
        let root = match root {
            Some(r) => r.to_owned(),
            None => first.plan.default_root.clone().ok_or_else(|| {
                MigrationError::Root(format!(
                    "the source schema has {} possible record roots ({}); say which with root=",
                    first.plan.roots.len(),
                    first.plan.roots.join(", ")
                ))
            })?,
        };
        let mut nodes = Vec::with_capacity(self.stages.len());
        let mut at = root.clone();
        for stage in self.stages.iter() {
            let n = *stage.plan.normal.get(&at).ok_or_else(|| {
                if stage.src.vertices().contains_key(&at) {
                    MigrationError::Root(format!("record root {at:?} is dropped by the migration"))
                } else {
                    MigrationError::Root(format!(
                        "record root {at:?} is not a vertex of the source schema"
                    ))
                }
            })?;
            nodes.push(n);
            at = stage.plan.images.get(&at).cloned().unwrap_or_default();
        }
        Ok(RootedMigration {
            migration: self,
            root,
            nodes,
        })
    }

    /// Lifts one record rooted at `root` (`None`: the default root).
    pub fn lift(&self, record: Value, root: Option<&str>) -> Result<Value, MigrationError> {
        Ok(self.rooted(root)?.lift(record))
    }

    /// The view of `record` and the complement of what the view leaves out.
    pub fn get(
        &self,
        record: Value,
        root: Option<&str>,
    ) -> Result<(Value, Vec<u8>), MigrationError> {
        Ok(self.rooted(root)?.get(record))
    }

    /// Rebuilds a source record from a view and the complement `get` gave with it.
    ///
    /// # Errors
    /// [`MigrationError::WrongComplement`] if the complement was made by
    /// another migration; [`MigrationError::DamagedComplement`] if its bytes
    /// were altered.
    pub fn put(&self, view: Value, complement: &[u8]) -> Result<Value, MigrationError> {
        let decoded = Complement::decode(complement, &self.fingerprint)?;
        Ok(self
            .rooted(Some(&decoded.root))?
            .put_parts(view, decoded.stages))
    }
}

impl RootedMigration<'_> {
    /// Lifts one record.
    pub fn lift(&self, record: Value) -> Value {
        self.migration
            .stages
            .iter()
            .zip(&self.nodes)
            .fold(record, |v, (stage, &n)| stage.lift(n, v))
    }

    /// The view and the encoded complement.
    pub fn get(&self, record: Value) -> (Value, Vec<u8>) {
        let mut comps = Vec::with_capacity(self.nodes.len());
        let mut value = record;
        for (stage, &n) in self.migration.stages.iter().zip(&self.nodes) {
            let (view, comp) = stage.get(n, value);
            comps.push(comp);
            value = view;
        }
        let complement = Complement {
            root: self.root.clone(),
            stages: comps,
        };
        (value, complement.encode(&self.migration.fingerprint))
    }

    fn put_parts(&self, view: Value, comps: Vec<Comp>) -> Value {
        let stages = self
            .migration
            .stages
            .iter()
            .zip(&self.nodes)
            .zip(comps)
            .collect::<Vec<_>>();
        stages
            .into_iter()
            .rev()
            .fold(view, |v, ((stage, &n), comp)| stage.put(n, v, comp))
    }
}
