//! Compiling a mapping into a plan, and the analysis behind existence checking.
//!
//! A plan has one [`Node`] per way a source vertex's values are lifted: a
//! *normal* node for a mapped vertex (its value becomes a value at the
//! image), and a *hoisted* node for a dropped vertex whose surviving
//! children are contracted into the nearest surviving ancestor's object.
//! Nodes refer to each other by index, so recursive schemas compile to
//! finite plans.

use std::collections::{BTreeMap, BTreeSet};

// Compiling runs on every `add` over schemas of tens of thousands of
// vertices: the maps here are keyed by short strings and hashed a lot.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::migration::MigrationSpec;
use crate::migration::existence::{ExistenceIssue, ExistenceKind, ExistenceReport};
use crate::model::constraint::{Tightness, compare, restricts};
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
struct Graph<'a> {
    schema: &'a Schema,
    out: HashMap<&'a str, Vec<&'a Edge>>,
    kinds: HashMap<&'a str, &'a str>,
    roles: HashMap<&'a str, EdgeRole>,
    /// Vertices with wrapper or variant edges: the only ones whose closure is more than themselves.
    wrapped: HashSet<&'a str>,
    /// Vertices some data-carrying edge leads to.
    reached: HashSet<&'a str>,
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

    fn role(&self, e: &Edge) -> EdgeRole {
        self.roles
            .get(e.kind.as_str())
            .copied()
            .unwrap_or(EdgeRole::Reference)
    }

    fn kind(&self, v: &str) -> &'a str {
        self.kinds.get(v).copied().unwrap_or("")
    }

    fn value_type(&self, v: &str) -> ValueType {
        self.schema.protocol().value_type(self.kind(v))
    }

    /// `v` and every vertex reached from it by wrapper and variant edges:
    /// the vertices whose properties a value at `v` may carry.
    fn closure(&self, v: &'a str) -> Vec<&'a str> {
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
    fn roots(&self) -> Vec<String> {
        self.schema
            .vertices()
            .keys()
            .filter(|v| !self.reached.contains(v.as_str()))
            .cloned()
            .collect()
    }
}

/// Whether values of `from` can be carried into a vertex whose values are `to`.
fn shapes_compatible(from: ValueType, to: ValueType) -> bool {
    from == to
        || from == ValueType::Any
        || to == ValueType::Any
        || (from == ValueType::Integer && to == ValueType::Number)
}

struct Builder<'a> {
    src: Graph<'a>,
    tgt: Graph<'a>,
    spec: &'a MigrationSpec,
    /// The vertex map, restricted to targets that exist.
    image_of: HashMap<&'a str, &'a str>,
    images: HashMap<&'a Edge, &'a Edge>,
    nodes: Vec<Node>,
    memo: HashMap<(&'a str, Option<&'a str>), usize>,
    issues: Vec<ExistenceIssue>,
}

impl<'a> Builder<'a> {
    fn issue(
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

    fn image(&self, v: &str) -> Option<&'a str> {
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
    fn output_keys(&self, node: usize) -> Vec<(&str, usize, &str)> {
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

/// Compiles `spec` and reports every existence issue. The plan is usable
/// only if the report has no fatal issue.
pub(crate) fn analyse(src: &Schema, tgt: &Schema, spec: &MigrationSpec) -> (Plan, ExistenceReport) {
    let image_of = image_map(src, tgt, spec);
    let images = edge_images(src, tgt, spec, &image_of);
    let mut b = Builder {
        src: Graph::new(src),
        tgt: Graph::new(tgt),
        spec,
        image_of,
        images,
        nodes: Vec::new(),
        memo: HashMap::default(),
        issues: Vec::new(),
    };
    check_mapping(&mut b);
    let roots = b.src.roots();
    let mapped: Vec<&str> = src
        .vertices()
        .keys()
        .map(String::as_str)
        .filter(|v| b.image(v).is_some())
        .collect();
    let mut normal = BTreeMap::new();
    for v in &mapped {
        normal.insert((*v).to_owned(), b.normal(v));
    }
    let mapped_roots: Vec<&String> = roots.iter().filter(|r| normal.contains_key(*r)).collect();
    if mapped_roots.is_empty() && !src.vertices().is_empty() {
        b.issue(
            ExistenceKind::WellFormedness,
            roots.first().cloned().unwrap_or_default(),
            format!(
                "no root of the source schema ({}) is mapped, so no record can be lifted",
                roots.join(", ")
            ),
        );
    }
    check_simultaneity(&mut b, &normal);
    check_reachability(&mut b, &normal, &mapped_roots);
    check_required_and_constraints(&mut b, &normal);
    let default_root = match mapped_roots.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    };
    let mut issues = std::mem::take(&mut b.issues);
    issues.sort_by(|x, y| (x.kind, &x.element).cmp(&(y.kind, &y.element)));
    issues.dedup();
    let images = b
        .image_of
        .iter()
        .map(|(s, t)| ((*s).to_owned(), (*t).to_owned()))
        .collect();
    (
        Plan {
            nodes: b.nodes,
            normal,
            default_root,
            roots,
            images,
        },
        ExistenceReport { issues },
    )
}

fn check_mapping(b: &mut Builder<'_>) {
    use ExistenceKind::*;
    let (src, tgt, spec) = (b.src.schema, b.tgt.schema, b.spec);
    for (v, t) in &spec.vertex_map {
        let (in_src, in_tgt) = (
            b.src.kinds.contains_key(v.as_str()),
            b.tgt.kinds.contains_key(t.as_str()),
        );
        if !in_src {
            b.issue(
                WellFormedness,
                format!("vertex {v:?}"),
                "is mapped but is not a vertex of the source schema",
            );
        }
        if !in_tgt {
            b.issue(
                WellFormedness,
                format!("vertex {v:?}"),
                format!("is mapped to {t:?}, which is not a vertex of the target schema"),
            );
        }
        if in_src && in_tgt {
            let (from, to) = (b.src.value_type(v), b.tgt.value_type(t));
            if !shapes_compatible(from, to) {
                b.issue(
                    KindInconsistency,
                    format!("vertex {v:?}"),
                    format!(
                        "its values ({}, kind {:?}) cannot become values of {t:?} ({}, kind {:?})",
                        from.name(),
                        b.src.kind(v),
                        to.name(),
                        b.tgt.kind(t)
                    ),
                );
            }
        }
    }
    for m in &spec.edge_map {
        let element = format!("edge {}", m.src);
        if !src.edges().contains(&m.src) {
            b.issue(
                WellFormedness,
                element.clone(),
                "is mapped but is not an edge of the source schema",
            );
        }
        if !tgt.edges().contains(&m.tgt) {
            b.issue(
                WellFormedness,
                element.clone(),
                format!(
                    "is mapped to {}, which is not an edge of the target schema",
                    m.tgt
                ),
            );
            continue;
        }
        if src.edges().contains(&m.src) {
            let want = (
                b.image_of.get(m.src.src.as_str()).copied(),
                b.image_of.get(m.src.tgt.as_str()).copied(),
            );
            if want != (Some(m.tgt.src.as_str()), Some(m.tgt.tgt.as_str())) {
                b.issue(
                    SignatureCoherence,
                    element.clone(),
                    format!(
                        "is mapped to {}, but its ends map to {} and {}",
                        m.tgt,
                        want.0.unwrap_or("nothing"),
                        want.1.unwrap_or("nothing")
                    ),
                );
            }
            if b.src.role(&m.src) != b.tgt.role(&m.tgt) {
                b.issue(
                    LabelInconsistency,
                    element,
                    format!(
                        "a {:?} edge is mapped to a {:?} edge ({})",
                        m.src.kind, m.tgt.kind, m.tgt
                    ),
                );
            }
        }
    }
    for r in &spec.resolvers {
        let element = format!("resolver ({}, {})", r.src_kind, r.tgt_kind);
        if !tgt.edges().contains(&r.edge) {
            b.issue(
                ResolverInvalid,
                element,
                format!(
                    "names {}, which is not an edge of the target schema",
                    r.edge
                ),
            );
        } else if b.tgt.kind(&r.edge.src) != r.src_kind || b.tgt.kind(&r.edge.tgt) != r.tgt_kind {
            b.issue(
                ResolverInvalid,
                element,
                format!(
                    "names {}, which joins a {:?} to a {:?}",
                    r.edge,
                    b.tgt.kind(&r.edge.src),
                    b.tgt.kind(&r.edge.tgt)
                ),
            );
        }
    }
    for e in src.edges() {
        let data = matches!(b.src.role(e), EdgeRole::Property | EdgeRole::Item);
        if data
            && b.image(&e.src).is_some()
            && b.image(&e.tgt).is_some()
            && !b.images.contains_key(e)
        {
            b.issue(EdgeMissing, format!("edge {e}"), "both ends are mapped but the target has no edge to carry it; its values are dropped");
        }
    }
}

fn check_simultaneity(b: &mut Builder<'_>, normal: &BTreeMap<String, usize>) {
    let mut found = Vec::new();
    for &n in normal.values() {
        let mut keys = b.output_keys(n);
        keys.sort_unstable();
        for run in keys.chunk_by(|x, y| x.0 == y.0).filter(|run| run.len() > 1) {
            let from: Vec<String> = run
                .iter()
                .map(|(_, node, src_key)| format!("{}.{src_key}", b.nodes[*node].vertex))
                .collect();
            found.push((
                format!("key {:?} of {:?}", run[0].0, b.nodes[n].vertex),
                format!(
                    "{} source fields land on it: {}",
                    from.len(),
                    from.join(", ")
                ),
            ));
        }
    }
    for (element, message) in found {
        b.issue(ExistenceKind::Simultaneity, element, message);
    }
}

fn check_reachability(b: &mut Builder<'_>, normal: &BTreeMap<String, usize>, roots: &[&String]) {
    let mut reached = HashSet::default();
    let mut stack: Vec<usize> = roots
        .iter()
        .filter_map(|r| normal.get(*r).copied())
        .collect();
    while let Some(n) = stack.pop() {
        if !reached.insert(n) {
            continue;
        }
        for (_, f) in &b.nodes[n].fields {
            stack.push(match f {
                Field::Keep { child, .. } | Field::Hoist { child } => *child,
            });
        }
        if let Shape::Array(Some(c)) = b.nodes[n].shape {
            stack.push(c);
        }
    }
    let reached_vertices: BTreeSet<&str> = reached
        .iter()
        .flat_map(|&n| b.src.closure(b.nodes[n].vertex.as_str()))
        .collect();
    let lost: Vec<String> = normal
        .keys()
        .filter(|v| !reached_vertices.contains(v.as_str()) && b.src.reached.contains(v.as_str()))
        .cloned()
        .collect();
    for v in lost {
        b.issue(
            ExistenceKind::ReachabilityRisk,
            format!("vertex {v:?}"),
            "is mapped, but every path to it from the record root passes through dropped vertices that cannot be contracted; its values are dropped",
        );
    }
}

fn check_required_and_constraints(b: &mut Builder<'_>, normal: &BTreeMap<String, usize>) {
    let (src, tgt) = (b.src.schema, b.tgt.schema);
    // Only target vertices with required edges need to know which keys reach them.
    let mut produced: HashMap<&str, BTreeSet<String>> = HashMap::default();
    for (v, &n) in normal {
        let Some(t) = b.image(v) else {
            continue;
        };
        let closure: Vec<&str> = b
            .tgt
            .closure(t)
            .into_iter()
            .filter(|u| tgt.required().contains_key(*u))
            .collect();
        if closure.is_empty() {
            continue;
        }
        let keys: Vec<String> = b
            .output_keys(n)
            .into_iter()
            .map(|(k, _, _)| k.to_owned())
            .collect();
        for u in closure {
            produced.entry(u).or_default().extend(keys.iter().cloned());
        }
    }
    let mut issues = Vec::new();
    for (t, keys) in &produced {
        for name in tgt.required().get(*t).into_iter().flatten() {
            if !keys.contains(name) {
                issues.push((
                    ExistenceKind::RequiredFieldMissing,
                    format!("{t}.{name}"),
                    format!(
                        "the target requires {name:?} on {t:?} but nothing in the source maps to it"
                    ),
                ));
            }
        }
    }
    let mapped: Vec<(&str, &str)> = b.image_of.iter().map(|(v, t)| (*v, *t)).collect();
    for (v, t) in mapped {
        let old = src.constraints().get(v);
        for (sort, new) in tgt.constraints().get(t).into_iter().flatten() {
            let problem = match old.and_then(|o| o.get(sort)) {
                Some(o) => match compare(sort, o, new) {
                    Tightness::Tighter => Some(format!("{sort} goes from {o} to {new}")),
                    Tightness::Incomparable => Some(format!("{sort} changes from {o} to {new}")),
                    Tightness::Same | Tightness::Looser => None,
                },
                None if restricts(sort) => Some(format!(
                    "{sort}={new} is new on data that had no such limit"
                )),
                None => None,
            };
            if let Some(p) = problem {
                issues.push((
                    ExistenceKind::ConstraintTightened,
                    format!("vertex {v:?}"),
                    format!("{p}; existing values may not fit"),
                ));
            }
        }
    }
    for (kind, element, message) in issues {
        b.issue(kind, element, message);
    }
}
