//! Compiling a mapping into a plan: the nodes that lift records.
//!
//! A plan has one [`Node`] per way a source vertex's values are lifted: a
//! *normal* node for a mapped vertex (its value becomes a value at the
//! image), and a *hoisted* node for a dropped vertex whose surviving
//! children are contracted into the nearest surviving ancestor's object.
//! Nodes refer to each other by index, so recursive schemas compile to
//! finite plans.
//!
//! The plan is built by a [`Builder`], which the existence checks
//! ([`crate::migration::existence`]) drive: they own the questions (is the
//! mapping well formed, what does it drop), the builder only plans.

use std::collections::BTreeMap;

// Compiling runs on every `add` over schemas of tens of thousands of
// vertices: the maps here are keyed by short strings and hashed a lot.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::migration::MigrationSpec;
use crate::migration::existence::{ExistenceIssue, ExistenceKind};
use crate::model::protocol::{EdgeRole, ValueType};
use crate::model::schema::{Edge, Schema};

/// What to do with one key of a source object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    /// Lift the value with `child` and store it under `key` in the output object.
    Keep { key: String, child: usize },
    /// The key's vertex is dropped: contract its object's fields into the current output object.
    Hoist { child: usize },
}

/// How a value is lifted at one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A value without structure the schema describes: copied as it is.
    Copy,
    /// An object: known keys per `fields`, the rest dropped.
    Object,
    /// An array whose elements are lifted by the node given, or all dropped (`None`).
    Array(Option<usize>),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub shape: Shape,
    /// Source key → what to do, sorted by key (lifting merges it with the record's sorted keys).
    pub fields: Vec<(String, Field)>,
    /// Whether some field is hoisted (then lifting cannot rewrite the object in place).
    pub hoists: bool,
    /// Target key → (source key, child) of every kept field, sorted by target key: `put`'s way back.
    pub reverse: Vec<(String, String, usize)>,
    /// Source vertex (for messages and analysis).
    pub vertex: String,
}

/// A compiled mapping.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub nodes: Vec<Node>,
    /// Mapped source vertex → its normal node.
    pub normal: BTreeMap<String, usize>,
    /// The source vertex records are rooted at by default, if there is exactly one candidate.
    pub default_root: Option<String>,
    /// Source roots: vertices no data edge leads to.
    pub roots: Vec<String>,
    /// Every mapped source vertex's image (a record root's image is the next stage's root).
    pub images: HashMap<String, String>,
}

/// Outgoing edges by vertex, with record roles, indexed once per compile.
pub(super) struct Graph<'a> {
    pub(super) schema: &'a Schema,
    out: HashMap<&'a str, Vec<&'a Edge>>,
    pub(super) kinds: HashMap<&'a str, &'a str>,
    roles: HashMap<&'a str, EdgeRole>,
    /// Vertices with wrapper or variant edges: the only ones whose closure is more than themselves.
    wrapped: HashSet<&'a str>,
    /// Vertices some data-carrying edge leads to.
    pub(super) reached: HashSet<&'a str>,
}

impl<'a> Graph<'a> {
    fn new(schema: &'a Schema) -> Self {
        let protocol = schema.protocol();
        let roles: HashMap<&str, EdgeRole> = protocol
            .edge_rules
            .iter()
            .map(|(k, r)| (k.as_str(), r.role()))
            .collect();
        let mut out: HashMap<&str, Vec<&Edge>> = HashMap::default();
        let mut wrapped = HashSet::default();
        let mut reached = HashSet::default();
        for e in schema.edges() {
            out.entry(e.src.as_str()).or_default().push(e);
            let role = roles
                .get(e.kind.as_str())
                .copied()
                .unwrap_or(EdgeRole::Reference);
            if matches!(role, EdgeRole::Wrapper | EdgeRole::Variant) {
                wrapped.insert(e.src.as_str());
            }
            if role != EdgeRole::Reference {
                reached.insert(e.tgt.as_str());
            }
        }
        let kinds = schema
            .vertices()
            .values()
            .map(|v| (v.id.as_str(), v.kind.as_str()))
            .collect();
        Self {
            schema,
            out,
            kinds,
            roles,
            wrapped,
            reached,
        }
    }

    pub(super) fn role(&self, e: &Edge) -> EdgeRole {
        self.roles
            .get(e.kind.as_str())
            .copied()
            .unwrap_or(EdgeRole::Reference)
    }

    pub(super) fn kind(&self, v: &str) -> &'a str {
        self.kinds.get(v).copied().unwrap_or("")
    }

    pub(super) fn value_type(&self, v: &str) -> ValueType {
        self.schema.protocol().value_type(self.kind(v))
    }

    /// `v` and every vertex reached from it by wrapper and variant edges:
    /// the vertices whose properties a value at `v` may carry.
    pub(super) fn closure(&self, v: &'a str) -> Vec<&'a str> {
        let mut seen = vec![v];
        if !self.wrapped.contains(v) {
            return seen;
        }
        let mut i = 0;
        while i < seen.len() {
            for e in self.out.get(seen[i]).into_iter().flatten() {
                if matches!(self.role(e), EdgeRole::Wrapper | EdgeRole::Variant)
                    && !seen.contains(&e.tgt.as_str())
                {
                    seen.push(e.tgt.as_str());
                }
            }
            i += 1;
        }
        seen
    }

    /// Property edges of `v`'s closure.
    fn props(&self, v: &'a str) -> Vec<&'a Edge> {
        self.closure(v)
            .into_iter()
            .flat_map(|u| self.out.get(u).into_iter().flatten())
            .filter(|e| self.role(e) == EdgeRole::Property && e.name.is_some())
            .copied()
            .collect()
    }

    /// The item edge of `v`'s closure.
    fn item(&self, v: &'a str) -> Option<&'a Edge> {
        self.closure(v)
            .into_iter()
            .flat_map(|u| self.out.get(u).into_iter().flatten())
            .find(|e| self.role(e) == EdgeRole::Item)
            .copied()
    }

    /// Vertices no data-carrying edge leads to.
    pub(super) fn roots(&self) -> Vec<String> {
        self.schema
            .vertices()
            .keys()
            .filter(|v| !self.reached.contains(v.as_str()))
            .cloned()
            .collect()
    }
}

/// Whether values of `from` can be carried into a vertex whose values are `to`.
pub(super) fn shapes_compatible(from: ValueType, to: ValueType) -> bool {
    from == to
        || from == ValueType::Any
        || to == ValueType::Any
        || (from == ValueType::Integer && to == ValueType::Number)
}

/// Builds a plan's nodes, and collects the issues found on the way (the
/// existence checks in [`crate::migration::existence`] add theirs).
pub(super) struct Builder<'a> {
    pub(super) src: Graph<'a>,
    pub(super) tgt: Graph<'a>,
    pub(super) spec: &'a MigrationSpec,
    /// The vertex map, restricted to targets that exist.
    pub(super) image_of: HashMap<&'a str, &'a str>,
    pub(super) images: HashMap<&'a Edge, &'a Edge>,
    pub(super) nodes: Vec<Node>,
    memo: HashMap<(&'a str, Option<&'a str>), usize>,
    issues: Vec<ExistenceIssue>,
}

impl<'a> Builder<'a> {
    /// A builder for the mapping `spec` from `src` to `tgt`, no node built yet.
    pub(super) fn new(src: &'a Schema, tgt: &'a Schema, spec: &'a MigrationSpec) -> Self {
        let image_of = image_map(src, tgt, spec);
        let images = edge_images(src, tgt, spec, &image_of);
        Self {
            src: Graph::new(src),
            tgt: Graph::new(tgt),
            spec,
            image_of,
            images,
            nodes: Vec::new(),
            memo: HashMap::default(),
            issues: Vec::new(),
        }
    }

    /// Builds the normal node of every mapped source vertex.
    pub(super) fn plan_mapped(&mut self) -> BTreeMap<String, usize> {
        let src = self.src.schema;
        let mapped: Vec<&str> = src
            .vertices()
            .keys()
            .map(String::as_str)
            .filter(|v| self.image(v).is_some())
            .collect();
        let mut normal = BTreeMap::new();
        for v in mapped {
            normal.insert(v.to_owned(), self.normal(v));
        }
        normal
    }

    /// The plan, and every issue found (sorted by kind, then element).
    pub(super) fn finish(
        self,
        normal: BTreeMap<String, usize>,
        roots: Vec<String>,
        default_root: Option<String>,
    ) -> (Plan, Vec<ExistenceIssue>) {
        let mut issues = self.issues;
        issues.sort_by(|x, y| (x.kind, &x.element).cmp(&(y.kind, &y.element)));
        issues.dedup();
        let images = self
            .image_of
            .iter()
            .map(|(s, t)| ((*s).to_owned(), (*t).to_owned()))
            .collect();
        let plan = Plan {
            nodes: self.nodes,
            normal,
            default_root,
            roots,
            images,
        };
        (plan, issues)
    }

    pub(super) fn issue(
        &mut self,
        kind: ExistenceKind,
        element: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.issues.push(ExistenceIssue {
            kind,
            element: element.into(),
            message: message.into(),
        });
    }

    pub(super) fn image(&self, v: &str) -> Option<&'a str> {
        self.image_of.get(v).copied()
    }

    fn normal(&mut self, v: &'a str) -> usize {
        if let Some(&i) = self.memo.get(&(v, None)) {
            return i;
        }
        let idx = self.nodes.len();
        self.nodes.push(Node {
            shape: Shape::Copy,
            fields: Vec::new(),
            hoists: false,
            reverse: Vec::new(),
            vertex: v.to_owned(),
        });
        self.memo.insert((v, None), idx);
        let props = self.src.props(v);
        let mut fields = BTreeMap::new();
        for e in &props {
            let Some(name) = &e.name else { continue };
            let w = e.tgt.as_str();
            match (self.images.get(e).copied(), self.image(w)) {
                (Some(img), Some(w_img)) if img.tgt == w_img => {
                    let child = self.normal(w);
                    fields.insert(
                        name.clone(),
                        Field::Keep {
                            key: img.name.clone().unwrap_or_default(),
                            child,
                        },
                    );
                }
                (None, None) if !self.src.props(w).is_empty() => {
                    if let Some(ctx) = self.image(v) {
                        let child = self.hoisted(w, ctx);
                        fields.insert(name.clone(), Field::Hoist { child });
                    }
                }
                _ => {}
            }
        }
        let shape = if let Some(item) = self.src.item(v) {
            let lifted = match (self.images.get(item).copied(), self.image(&item.tgt)) {
                (Some(img), Some(i_img)) if img.tgt == i_img => Some(self.normal(&item.tgt)),
                _ => None,
            };
            Shape::Array(lifted)
        } else if !props.is_empty() || self.src.value_type(v) == ValueType::Object {
            Shape::Object
        } else {
            Shape::Copy
        };
        let hoists = fields.values().any(|f| matches!(f, Field::Hoist { .. }));
        let reverse = reverse_of(&fields);
        self.nodes[idx] = Node {
            shape,
            fields: fields.into_iter().collect(),
            hoists,
            reverse,
            vertex: v.to_owned(),
        };
        idx
    }

    /// The target edge a contracted child `x` (image `x_img`) hangs from under `ctx`.
    fn contraction_edge(&self, ctx: &'a str, x_img: &str) -> Option<&'a Edge> {
        let closure = self.tgt.closure(ctx);
        let fits =
            |e: &&Edge| e.tgt == x_img && closure.contains(&e.src.as_str()) && e.name.is_some();
        // A value at `ctx` carries the properties of its whole closure (a
        // record and its body), so a resolver for any kind in it applies.
        let x_kind = self.tgt.kind(x_img);
        let resolver = self.spec.resolvers.iter().find(|r| {
            r.tgt_kind == x_kind && closure.iter().any(|u| self.tgt.kind(u) == r.src_kind)
        });
        if let Some(r) = resolver {
            return self.tgt.schema.edges().get(&r.edge).filter(fits);
        }
        let mut candidates = self.tgt.props(ctx).into_iter().filter(|e| fits(e));
        match (candidates.next(), candidates.next()) {
            (Some(e), None) => Some(e),
            _ => None,
        }
    }

    fn hoisted(&mut self, w: &'a str, ctx: &'a str) -> usize {
        if let Some(&i) = self.memo.get(&(w, Some(ctx))) {
            return i;
        }
        let idx = self.nodes.len();
        self.nodes.push(Node {
            shape: Shape::Object,
            fields: Vec::new(),
            hoists: false,
            reverse: Vec::new(),
            vertex: w.to_owned(),
        });
        self.memo.insert((w, Some(ctx)), idx);
        let mut fields = BTreeMap::new();
        for e in self.src.props(w) {
            let Some(name) = &e.name else { continue };
            let x = e.tgt.as_str();
            match self.image(x) {
                Some(x_img) => {
                    if let Some(edge) = self.contraction_edge(ctx, x_img) {
                        let child = self.normal(x);
                        fields.insert(
                            name.clone(),
                            Field::Keep {
                                key: edge.name.clone().unwrap_or_default(),
                                child,
                            },
                        );
                    }
                }
                None if !self.src.props(x).is_empty() => {
                    let child = self.hoisted(x, ctx);
                    fields.insert(name.clone(), Field::Hoist { child });
                }
                None => {}
            }
        }
        self.nodes[idx].hoists = fields.values().any(|f| matches!(f, Field::Hoist { .. }));
        self.nodes[idx].reverse = reverse_of(&fields);
        self.nodes[idx].fields = fields.into_iter().collect();
        idx
    }

    /// The keys a normal node writes into its output object, with the source edge each comes from.
    /// The keys a normal node writes, each with the node and source key it comes from.
    pub(super) fn output_keys(&self, node: usize) -> Vec<(&str, usize, &str)> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        let mut seen = HashSet::default();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            for (src_key, field) in &self.nodes[n].fields {
                match field {
                    Field::Keep { key, .. } => out.push((key.as_str(), n, src_key.as_str())),
                    Field::Hoist { child } => stack.push(*child),
                }
            }
        }
        out
    }
}

/// The kept fields by target key, for `put`.
fn reverse_of(fields: &BTreeMap<String, Field>) -> Vec<(String, String, usize)> {
    let mut reverse: Vec<(String, String, usize)> = fields
        .iter()
        .filter_map(|(src, f)| match f {
            Field::Keep { key, child } => Some((key.clone(), src.clone(), *child)),
            Field::Hoist { .. } => None,
        })
        .collect();
    reverse.sort();
    reverse
}

/// Derives the edge images: explicit ones, then for every source edge whose
/// ends are both mapped, the target edge between the images of the same
/// kind — with the same name if there is one, else the only one.
fn edge_images<'a>(
    src: &'a Schema,
    tgt: &'a Schema,
    spec: &'a MigrationSpec,
    image_of: &HashMap<&'a str, &'a str>,
) -> HashMap<&'a Edge, &'a Edge> {
    let mut between: HashMap<(&str, &str, &str), Vec<&Edge>> = HashMap::default();
    for e in tgt.edges() {
        between
            .entry((e.src.as_str(), e.tgt.as_str(), e.kind.as_str()))
            .or_default()
            .push(e);
    }
    let explicit: HashMap<&Edge, &Edge> = spec
        .edge_map
        .iter()
        .filter_map(|m| Some((src.edges().get(&m.src)?, tgt.edges().get(&m.tgt)?)))
        .collect();
    let mut images = HashMap::default();
    for e in src.edges() {
        if let Some(t) = explicit.get(e) {
            images.insert(e, *t);
            continue;
        }
        let (Some(a), Some(b)) = (image_of.get(e.src.as_str()), image_of.get(e.tgt.as_str()))
        else {
            continue;
        };
        let Some(candidates) = between.get(&(*a, *b, e.kind.as_str())) else {
            continue;
        };
        let chosen = candidates
            .iter()
            .find(|c| c.name == e.name)
            .or(if candidates.len() == 1 {
                candidates.first()
            } else {
                None
            });
        if let Some(c) = chosen {
            images.insert(e, *c);
        }
    }
    images
}

/// [`edge_images`] with owned edges, for inverting a stage.
pub(crate) fn edge_images_owned(
    src: &Schema,
    tgt: &Schema,
    spec: &MigrationSpec,
) -> BTreeMap<Edge, Edge> {
    edge_images(src, tgt, spec, &image_map(src, tgt, spec))
        .into_iter()
        .map(|(s, t)| (s.clone(), t.clone()))
        .collect()
}

/// Every source vertex's image: `identity` expanded, the explicit map on
/// top, only targets that exist.
pub(crate) fn image_map<'a>(
    src: &'a Schema,
    tgt: &'a Schema,
    spec: &'a MigrationSpec,
) -> HashMap<&'a str, &'a str> {
    let mut images: HashMap<&str, &str> = HashMap::default();
    if spec.identity {
        let (ps, pt) = (src.protocol(), tgt.protocol());
        for (id, v) in src.vertices() {
            if spec.excluded.contains(id) {
                continue;
            }
            if let Some(w) = tgt.vertices().get(id) {
                if shapes_compatible(ps.value_type(&v.kind), pt.value_type(&w.kind)) {
                    images.insert(id.as_str(), id.as_str());
                }
            }
        }
    }
    for (s, t) in &spec.vertex_map {
        if tgt.vertices().contains_key(t) {
            images.insert(s.as_str(), t.as_str());
        } else {
            images.remove(s.as_str());
        }
    }
    images
}
