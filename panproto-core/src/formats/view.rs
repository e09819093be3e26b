//! A schema indexed for the walks of emitters and compatibility rules:
//! each vertex's kind, outgoing edges and constraints behind one hash
//! lookup. (The schema's own maps are ordered by id; a walk that asks
//! about every vertex a few times would spend most of its time comparing
//! long ids that share their prefix, `T12.f3.first` against `T12.f3.level`.)

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::model::{Edge, Schema};

/// What a walk asks about one vertex.
#[derive(Default)]
struct Node<'s> {
    kind: &'s str,
    out: Vec<&'s Edge>,
    /// `out` grouped by edge kind, each group in `out`'s order: a walk
    /// asks a node for its `items`, `not`, `ref`... one kind at a time, and
    /// an object of 10,000 properties would otherwise be scanned whole for
    /// each (most of a commit's compatibility check).
    by_kind: Vec<(&'s str, Vec<&'s Edge>)>,
    constraints: Option<&'s BTreeMap<String, String>>,
}

/// A schema with its vertices indexed by id.
pub(crate) struct View<'s> {
    pub(crate) schema: &'s Schema,
    nodes: FxHashMap<&'s str, Node<'s>>,
}

impl<'s> View<'s> {
    pub(crate) fn of(schema: &'s Schema) -> Self {
        let mut nodes: FxHashMap<&'s str, Node<'s>> =
            FxHashMap::with_capacity_and_hasher(schema.vertices().len(), Default::default());
        for (id, v) in schema.vertices() {
            nodes.entry(id).or_default().kind = &v.kind;
        }
        for e in schema.edges() {
            let node = nodes.entry(&e.src).or_default();
            node.out.push(e);
            match node.by_kind.iter_mut().find(|(kind, _)| *kind == e.kind) {
                Some((_, group)) => group.push(e),
                None => node.by_kind.push((&e.kind, vec![e])),
            }
        }
        for (id, c) in schema.constraints() {
            nodes.entry(id).or_default().constraints = Some(c);
        }
        Self { schema, nodes }
    }

    /// The edges of `kind` leaving `id`.
    pub(crate) fn edges<'a>(
        &'a self,
        id: &str,
        kind: &'a str,
    ) -> impl Iterator<Item = &'s Edge> + 'a {
        self.nodes
            .get(id)
            .and_then(|n| n.by_kind.iter().find(|(k, _)| *k == kind))
            .map_or(&[][..], |(_, group)| group.as_slice())
            .iter()
            .copied()
    }

    /// Every edge leaving `id`.
    pub(crate) fn out(&self, id: &str) -> &[&'s Edge] {
        self.nodes.get(id).map_or(&[], |n| n.out.as_slice())
    }

    /// The target of the first edge of `kind` leaving `id`.
    pub(crate) fn target(&self, id: &str, kind: &str) -> Option<&'s str> {
        self.edges(id, kind).next().map(|e| e.tgt.as_str())
    }

    /// The value of constraint `sort` on vertex `id`.
    pub(crate) fn constraint(&self, id: &str, sort: &str) -> Option<&'s str> {
        self.nodes
            .get(id)?
            .constraints?
            .get(sort)
            .map(String::as_str)
    }

    /// The kind of vertex `id` (`""` for none).
    pub(crate) fn kind(&self, id: &str) -> &'s str {
        self.nodes.get(id).map_or("", |n| n.kind)
    }
}
