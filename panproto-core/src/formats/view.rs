//! A schema indexed for the walks of emitters and compatibility rules:
//! edges by source, and the lookups every format's walk makes.

use rustc_hash::FxHashMap;

use crate::model::{Edge, Schema};

/// A schema with its edges indexed by source vertex.
pub(crate) struct View<'s> {
    pub(crate) schema: &'s Schema,
    out: FxHashMap<&'s str, Vec<&'s Edge>>,
}

impl<'s> View<'s> {
    pub(crate) fn of(schema: &'s Schema) -> Self {
        Self {
            schema,
            out: super::edges_by_source(schema),
        }
    }

    /// The edges of `kind` leaving `id`.
    pub(crate) fn edges<'a>(
        &'a self,
        id: &str,
        kind: &'a str,
    ) -> impl Iterator<Item = &'s Edge> + 'a {
        self.out
            .get(id)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |e| e.kind == kind)
    }

    /// Every edge leaving `id`.
    pub(crate) fn out(&self, id: &str) -> &[&'s Edge] {
        self.out.get(id).map_or(&[], Vec::as_slice)
    }

    /// The target of the first edge of `kind` leaving `id`.
    pub(crate) fn target(&self, id: &str, kind: &str) -> Option<&'s str> {
        self.edges(id, kind).next().map(|e| e.tgt.as_str())
    }

    /// The value of constraint `sort` on vertex `id`.
    pub(crate) fn constraint(&self, id: &str, sort: &str) -> Option<&'s str> {
        self.schema.constraint(id, sort)
    }

    /// The kind of vertex `id` (`""` for none).
    pub(crate) fn kind(&self, id: &str) -> &'s str {
        self.schema
            .vertices()
            .get(id)
            .map_or("", |v| v.kind.as_str())
    }
}
