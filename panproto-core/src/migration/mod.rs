//! Migrations: moving records from one version of a schema to another.
//!
//! A [`MigrationSpec`] says where each source vertex goes (the vertex map),
//! which edges become which (the edge map; most are derived: an edge whose
//! ends are both mapped follows them), and how to attach a surviving child
//! to a surviving ancestor when the vertex between them is dropped
//! (resolvers). [`MigrationBuilder::compile`] checks the mapping (see
//! [`crate::migration::existence`]) and turns it into a plan; the resulting
//! [`CompiledMigration`] then
//!
//! - [`lift`](CompiledMigration::lift)s records: keeps what survives,
//!   renames keys, contracts through dropped ancestors, drops the rest;
//! - [`get`](CompiledMigration::get)s a view and a complement holding
//!   exactly what was dropped, and [`put`](CompiledMigration::put)s them
//!   back: `put(get(r)) == r`.
//!
//! [`compose`](CompiledMigration::compose) chains migrations (lifting
//! through the chain equals lifting through each in turn) and
//! [`invert`](CompiledMigration::invert) reverses a bijective one.

mod apply;
mod complement;
mod error;
pub mod existence;
mod plan;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::persistent::List;
use crate::model::schema::{Edge, Schema};

pub use apply::RootedMigration;
pub use error::MigrationError;
pub(crate) use existence::analyse;
pub use existence::{ExistenceIssue, ExistenceKind, ExistenceReport, check_existence};

/// An explicit edge mapping.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EdgeMapping {
    /// The source edge.
    pub src: Edge,
    /// The target edge it becomes.
    pub tgt: Edge,
}

/// A resolver: when contracting through a dropped vertex, a child of target
/// kind `tgt_kind` under an ancestor of target kind `src_kind` hangs from `edge`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Resolver {
    /// Kind of the surviving ancestor (in the target).
    pub src_kind: String,
    /// Kind of the surviving child (in the target).
    pub tgt_kind: String,
    /// The target edge to use.
    pub edge: Edge,
}

/// A mapping between two schemas: what a migration is made of.
///
/// With `identity` set, every vertex both schemas have under the same id,
/// with values of a compatible shape, maps to itself unless `vertex_map`
/// says otherwise or `excluded` names it. The history stores derived
/// migrations this way: a few renames instead of ten thousand entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationSpec {
    /// Map shared vertex ids to themselves (see the type's docs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity: bool,
    /// Vertices `identity` leaves unmapped.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub excluded: BTreeSet<String>,
    /// Source vertex → target vertex, overriding `identity`. Unmapped vertices are dropped.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vertex_map: BTreeMap<String, String>,
    /// Explicit edge mappings, sorted by source edge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edge_map: Vec<EdgeMapping>,
    /// Resolvers, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolvers: Vec<Resolver>,
}

impl MigrationSpec {
    /// The identity on every vertex two schemas share by id.
    pub fn identity() -> Self {
        Self {
            identity: true,
            ..Self::default()
        }
    }

    /// Every source vertex's image, `identity` expanded.
    pub fn images(&self, src: &Schema, tgt: &Schema) -> BTreeMap<String, String> {
        plan::image_map(src, tgt, self)
            .into_iter()
            .map(|(s, t)| (s.to_owned(), t.to_owned()))
            .collect()
    }
}

#[derive(Debug, Clone)]
enum Step {
    Map(String, String),
    MapEdge(Edge, Edge),
    Resolve(Resolver),
}

/// An immutable, fluent migration builder: every call returns a new builder.
#[derive(Debug, Clone)]
pub struct MigrationBuilder {
    src: Schema,
    tgt: Schema,
    steps: List<Step>,
}

impl MigrationBuilder {
    /// Starts a mapping from `src` to `tgt`.
    pub fn new(src: Schema, tgt: Schema) -> Self {
        Self {
            src,
            tgt,
            steps: List::default(),
        }
    }

    /// The schema records come from.
    pub fn source(&self) -> &Schema {
        &self.src
    }

    /// The schema records go to.
    pub fn target(&self) -> &Schema {
        &self.tgt
    }

    /// Maps source vertex `src` to target vertex `tgt`.
    pub fn map(&self, src: impl Into<String>, tgt: impl Into<String>) -> Self {
        self.with(Step::Map(src.into(), tgt.into()))
    }

    /// Maps a source edge to a target edge (needed only when it cannot be derived).
    pub fn map_edge(&self, src: Edge, tgt: Edge) -> Self {
        self.with(Step::MapEdge(src, tgt))
    }

    /// Adds a resolver for contracting through dropped vertices.
    pub fn resolve(
        &self,
        src_kind: impl Into<String>,
        tgt_kind: impl Into<String>,
        edge: Edge,
    ) -> Self {
        self.with(Step::Resolve(Resolver {
            src_kind: src_kind.into(),
            tgt_kind: tgt_kind.into(),
            edge,
        }))
    }

    fn with(&self, step: Step) -> Self {
        Self {
            src: self.src.clone(),
            tgt: self.tgt.clone(),
            steps: self.steps.push(step),
        }
    }

    /// The mapping so far; a later mapping of the same element replaces an earlier one.
    pub fn spec(&self) -> MigrationSpec {
        let mut spec = MigrationSpec::default();
        let mut edges = BTreeMap::new();
        for step in self.steps.to_vec() {
            match step {
                Step::Map(s, t) => {
                    spec.vertex_map.insert(s.clone(), t.clone());
                }
                Step::MapEdge(s, t) => {
                    edges.insert(s.clone(), t.clone());
                }
                Step::Resolve(r) => {
                    spec.resolvers
                        .retain(|x| (&x.src_kind, &x.tgt_kind) != (&r.src_kind, &r.tgt_kind));
                    spec.resolvers.push(r.clone());
                }
            }
        }
        spec.edge_map = edges
            .into_iter()
            .map(|(src, tgt)| EdgeMapping { src, tgt })
            .collect();
        spec.resolvers.sort();
        spec
    }

    /// The existence check of the mapping so far.
    pub fn check(&self) -> ExistenceReport {
        crate::migration::existence::check_existence(&self.src, &self.tgt, &self.spec())
    }

    /// Checks the mapping and compiles it.
    ///
    /// # Errors
    /// [`MigrationError::Invalid`] listing every fatal issue.
    pub fn compile(&self) -> Result<CompiledMigration, MigrationError> {
        CompiledMigration::compile(self.src.clone(), self.tgt.clone(), self.spec())
    }
}

/// One compiled mapping.
#[derive(Debug)]
pub(crate) struct Stage {
    pub src: Schema,
    pub tgt: Schema,
    pub spec: MigrationSpec,
    pub plan: plan::Plan,
    pub fingerprint: [u8; 16],
}

/// A checked, compiled migration: a chain of one or more stages.
#[derive(Debug, Clone)]
pub struct CompiledMigration {
    stages: Arc<[Arc<Stage>]>,
    fingerprint: [u8; 16],
}

fn fingerprint(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

impl CompiledMigration {
    /// Compiles `spec` from `src` to `tgt`.
    ///
    /// # Errors
    /// [`MigrationError::Invalid`] listing every fatal existence issue.
    pub fn compile(src: Schema, tgt: Schema, spec: MigrationSpec) -> Result<Self, MigrationError> {
        let (plan, report) = analyse(&src, &tgt, &spec);
        let fatal: Vec<_> = report
            .issues
            .into_iter()
            .filter(|i| i.kind.is_fatal())
            .collect();
        if !fatal.is_empty() {
            return Err(MigrationError::Invalid { problems: fatal });
        }
        // Serialising strings and maps cannot fail.
        let spec_json = serde_json::to_vec(&spec).unwrap_or_default();
        let fp = fingerprint(&[
            b"panproto-migration/1",
            src.id().as_bytes(),
            tgt.id().as_bytes(),
            &spec_json,
        ]);
        let stage = Arc::new(Stage {
            src,
            tgt,
            spec,
            plan,
            fingerprint: fp,
        });
        Ok(Self {
            stages: Arc::from(vec![stage]),
            fingerprint: fp,
        })
    }

    /// The identity migration of a schema: every record lifts to itself.
    pub fn identity(schema: &Schema) -> Result<Self, MigrationError> {
        Self::compile(schema.clone(), schema.clone(), MigrationSpec::identity())
    }

    /// The schema records come from.
    pub fn source(&self) -> &Schema {
        &self.stages[0].src
    }

    /// The schema records go to.
    pub fn target(&self) -> &Schema {
        &self.stages[self.stages.len() - 1].tgt
    }

    /// The mapping, for a single-stage migration; `None` for a composite.
    pub fn spec(&self) -> Option<&MigrationSpec> {
        match &*self.stages {
            [one] => Some(&one.spec),
            _ => None,
        }
    }

    /// Each stage's source, target and mapping, in order: what rebuilds the migration.
    pub fn parts(&self) -> Vec<(&Schema, &Schema, &MigrationSpec)> {
        self.stages
            .iter()
            .map(|s| (&s.src, &s.tgt, &s.spec))
            .collect()
    }

    /// Number of stages (1 unless composed).
    pub fn stages(&self) -> usize {
        self.stages.len()
    }

    /// The migration's identity, recorded in every complement it makes (32 hex digits).
    pub fn fingerprint(&self) -> String {
        self.fingerprint
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The source vertex records are rooted at by default, if the source has exactly one mapped root.
    pub fn default_root(&self) -> Option<&str> {
        self.stages[0].plan.default_root.as_deref()
    }

    /// First `self`, then `next`.
    ///
    /// # Errors
    /// [`MigrationError::NotComposable`] if `self`'s target is not `next`'s source.
    pub fn compose(&self, next: &CompiledMigration) -> Result<Self, MigrationError> {
        if self.target().id() != next.source().id() {
            return Err(MigrationError::NotComposable {
                first_target: self.target().id().short(),
                second_source: next.source().id().short(),
            });
        }
        let stages: Vec<Arc<Stage>> = self
            .stages
            .iter()
            .chain(next.stages.iter())
            .cloned()
            .collect();
        let parts: Vec<&[u8]> = std::iter::once(&b"panproto-composite/1"[..])
            .chain(stages.iter().map(|s| &s.fingerprint[..]))
            .collect();
        let fp = fingerprint(&parts);
        Ok(Self {
            stages: Arc::from(stages),
            fingerprint: fp,
        })
    }

    /// The inverse of a bijective migration.
    ///
    /// # Errors
    /// [`MigrationError::NotInvertible`] unless every vertex and every edge
    /// of both schemas is mapped one-to-one.
    pub fn invert(&self) -> Result<Self, MigrationError> {
        let mut inverse: Option<CompiledMigration> = None;
        for stage in self.stages.iter().rev() {
            let one = stage.invert()?;
            inverse = Some(match inverse {
                None => one,
                Some(acc) => acc.compose(&one)?,
            });
        }
        inverse
            .ok_or_else(|| MigrationError::NotInvertible("the migration has no stages".to_owned()))
    }
}

impl Stage {
    fn invert(&self) -> Result<CompiledMigration, MigrationError> {
        let (src, tgt, spec) = (&self.src, &self.tgt, &self.spec);
        let not = |why: String| Err(MigrationError::NotInvertible(why));
        let images = spec.images(src, tgt);
        if images.len() != src.vertices().len() {
            let dropped: Vec<&String> = src
                .vertices()
                .keys()
                .filter(|v| !images.contains_key(*v))
                .take(3)
                .collect();
            return not(format!("source vertices are dropped: {dropped:?}"));
        }
        let mut inverse_vertices = BTreeMap::new();
        for (s, t) in &images {
            if inverse_vertices.insert(t.clone(), s.clone()).is_some() {
                return not(format!("two source vertices map to {t:?}"));
            }
        }
        if inverse_vertices.len() != tgt.vertices().len() {
            let unreached: Vec<&String> = tgt
                .vertices()
                .keys()
                .filter(|v| !inverse_vertices.contains_key(*v))
                .take(3)
                .collect();
            return not(format!("target vertices have no source: {unreached:?}"));
        }
        let images = plan_edge_images(self);
        if images.len() != src.edges().len() || images.len() != tgt.edges().len() {
            return not(format!(
                "{} of {} source edges map onto {} target edges",
                images.len(),
                src.edges().len(),
                tgt.edges().len()
            ));
        }
        let mut edge_map: Vec<EdgeMapping> = images
            .into_iter()
            .map(|(s, t)| EdgeMapping { src: t, tgt: s })
            .collect();
        edge_map.sort();
        let inverse = MigrationSpec {
            vertex_map: inverse_vertices,
            edge_map,
            ..MigrationSpec::default()
        };
        CompiledMigration::compile(tgt.clone(), src.clone(), inverse)
    }
}

/// Every source edge's image under a stage's mapping (explicit or derived), one-to-one.
fn plan_edge_images(stage: &Stage) -> BTreeMap<Edge, Edge> {
    let derived = plan::edge_images_owned(&stage.src, &stage.tgt, &stage.spec);
    let mut seen = std::collections::BTreeSet::new();
    derived
        .into_iter()
        .filter(|(_, t)| seen.insert(t.clone()))
        .collect()
}
