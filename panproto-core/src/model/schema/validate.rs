//! Checking a list of declarations against the protocol, reporting every
//! problem at once, and assembling the schema when there is none.
//!
//! The declarations are split by kind and each kind is sorted once, in
//! the order the schema keeps it: vertices by id, edges by (source,
//! target, kind, name), constraints by (vertex, sort). Duplicates are then
//! neighbours, and the sorted lists become the schema's sorted maps in
//! bulk. Edges and constraints are sorted on the *rank* of their vertices
//! (a vertex's position among the sorted ids) rather than on the ids: that
//! order is the same, and comparing two numbers is cheaper than comparing
//! two ids that often share a long prefix (`org.example.Record.field`).
//!
//! Issues are reported in declaration order, as the builder promises: the
//! vertices first (so edges may be declared before the vertices they
//! join), then every other declaration, then the required lists (they name
//! edges declared anywhere). Each issue records where it belongs in that
//! order, and the list is put in it at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::model::error::{IssueKind, SchemaError, SchemaIssue};
use crate::model::protocol::{EdgeRule, Protocol};
use crate::model::schema::{
    Constraint, Declaration, Edge, HyperEdge, Required, Schema, SchemaInner, Vertex,
};

/// Collects every issue of a list of declarations.
pub(super) struct Validator<'p> {
    protocol: &'p Arc<Protocol>,
    rules: Rules<'p>,
    issues: Vec<(Position, SchemaIssue)>,
}

/// Where an issue belongs in the report: its phase (vertices, the other
/// declarations, required lists), then its declaration's index.
type Position = (Phase, usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Vertices,
    Declarations,
    Required,
}

/// A vertex's position among the schema's sorted vertex ids.
type Rank = u32;

/// The protocol's rules hashed for the checks: a schema's every vertex,
/// edge and constraint is looked up in them (the protocol keeps them in
/// sorted sets and lists, which cost a string comparison per entry).
struct Rules<'p> {
    kinds: HashSet<&'p str>,
    sorts: HashSet<&'p str>,
    /// Edge kind → its rule, and the kinds it allows at each end (`None`:
    /// any kind).
    edges: HashMap<&'p str, EdgeCheck<'p>>,
}

struct EdgeCheck<'p> {
    rule: &'p EdgeRule,
    src: Option<HashSet<&'p str>>,
    tgt: Option<HashSet<&'p str>>,
}

impl<'p> Rules<'p> {
    fn of(p: &'p Protocol) -> Self {
        let kinds_of = |list: &'p [String]| {
            (!list.is_empty()).then(|| list.iter().map(String::as_str).collect())
        };
        Self {
            kinds: p.object_kinds.iter().map(String::as_str).collect(),
            sorts: p.constraint_sorts.iter().map(String::as_str).collect(),
            edges: p
                .edge_rules
                .iter()
                .map(|(kind, rule)| {
                    let check = EdgeCheck {
                        rule,
                        src: kinds_of(&rule.src_kinds),
                        tgt: kinds_of(&rule.tgt_kinds),
                    };
                    (kind.as_str(), check)
                })
                .collect(),
        }
    }
}

fn allowed(kinds: Option<&HashSet<&str>>, kind: &str) -> bool {
    kinds.is_none_or(|k| k.contains(kind))
}

/// The declarations split by kind, each with its index in declaration
/// order (for the order of the issues).
#[derive(Default)]
struct Parts {
    vertices: Vec<(usize, Vertex)>,
    edges: Vec<EdgeDecl>,
    hyper_edges: Vec<(usize, HyperEdge)>,
    constraints: Vec<(usize, Option<Rank>, Constraint)>,
    required: Vec<(usize, Required)>,
}

/// An edge with the ranks of its ends (`None`: no such vertex).
struct EdgeDecl {
    index: usize,
    src: Option<Rank>,
    tgt: Option<Rank>,
    edge: Edge,
}

impl EdgeDecl {
    /// The schema's edge order, on ranks; an end that does not exist sorts last.
    fn key(&self) -> (Rank, Rank, &str, Option<&str>) {
        (
            self.src.unwrap_or(Rank::MAX),
            self.tgt.unwrap_or(Rank::MAX),
            &self.edge.kind,
            self.edge.name.as_deref(),
        )
    }
}

impl Parts {
    fn of(decls: Vec<Declaration>) -> Self {
        // Sized first: growing vectors of a few hundred thousand
        // declarations by doubling copies them and touches fresh pages.
        let (mut v, mut e, mut h, mut c, mut r) = (0, 0, 0, 0, 0);
        for d in &decls {
            match d {
                Declaration::Vertex(_) => v += 1,
                Declaration::Edge(_) => e += 1,
                Declaration::HyperEdge(_) => h += 1,
                Declaration::Constraint(_) => c += 1,
                Declaration::Required(_) => r += 1,
            }
        }
        let mut parts = Self {
            vertices: Vec::with_capacity(v),
            edges: Vec::with_capacity(e),
            hyper_edges: Vec::with_capacity(h),
            constraints: Vec::with_capacity(c),
            required: Vec::with_capacity(r),
        };
        for (index, d) in decls.into_iter().enumerate() {
            match d {
                Declaration::Vertex(v) => parts.vertices.push((index, v)),
                Declaration::Edge(edge) => parts.edges.push(EdgeDecl {
                    index,
                    src: None,
                    tgt: None,
                    edge,
                }),
                Declaration::HyperEdge(h) => parts.hyper_edges.push((index, h)),
                Declaration::Constraint(c) => parts.constraints.push((index, None, c)),
                Declaration::Required(r) => parts.required.push((index, r)),
            }
        }
        parts
    }
}

/// The sorted vertices, hashed for the checks: id → rank, and each rank's kind.
struct Vertices<'o> {
    rank: HashMap<&'o str, Rank>,
    kinds: Vec<&'o str>,
}

impl<'p> Validator<'p> {
    pub(super) fn new(protocol: &'p Arc<Protocol>) -> Self {
        Self {
            protocol,
            rules: Rules::of(protocol),
            issues: Vec::new(),
        }
    }

    fn issue(
        &mut self,
        at: Position,
        kind: IssueKind,
        element: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.issues.push((
            at,
            SchemaIssue {
                kind,
                element: element.into(),
                message: message.into(),
            },
        ));
    }

    /// Checks `decls` and builds the schema from them, or lists every issue.
    pub(super) fn run(mut self, decls: Vec<Declaration>) -> Result<Schema, SchemaError> {
        let mut parts = Parts::of(decls);
        let hyper_edges = self.check(&mut parts);
        if !self.issues.is_empty() {
            // Stable: the issues of one declaration keep their order.
            self.issues.sort_by_key(|(at, _)| *at);
            return Err(SchemaError::Invalid {
                protocol: self.protocol.name.clone(),
                issues: self.issues.into_iter().map(|(_, issue)| issue).collect(),
            });
        }
        Ok(assemble(self.protocol, parts, hyper_edges))
    }

    /// Checks every declaration, sorting each kind into the schema's
    /// order on the way; returns the hyper-edges.
    fn check(&mut self, parts: &mut Parts) -> BTreeMap<String, HyperEdge> {
        let Parts {
            vertices,
            edges,
            hyper_edges,
            constraints,
            required,
        } = parts;
        // Of two vertices with one id, the first declared is kept as the
        // vertex and the second reported. (Unstable sorts, with the index
        // to break ties, are faster than stable ones here.)
        vertices.sort_unstable_by(|(i, a), (j, b)| a.id.cmp(&b.id).then(i.cmp(j)));
        let vertices = self.vertices(vertices);
        let names = self.edges(edges, &vertices);
        let hyper = self.hyper_edges(hyper_edges, &vertices);
        self.constraints(constraints, &vertices);
        self.required(required, &vertices, &names);
        hyper
    }

    /// Checks the sorted vertices and ranks them.
    fn vertices<'o>(&mut self, sorted: &'o [(usize, Vertex)]) -> Vertices<'o> {
        let mut out = Vertices {
            rank: HashMap::with_capacity_and_hasher(sorted.len(), Default::default()),
            kinds: Vec::with_capacity(sorted.len()),
        };
        let mut previous: Option<&str> = None;
        for (index, v) in sorted {
            let at = (Phase::Vertices, *index);
            if !self.rules.kinds.contains(v.kind.as_str()) {
                self.issue(
                    at,
                    IssueKind::UnknownKind,
                    format!("vertex {:?}", v.id),
                    format!(
                        "kind {:?} is not an object kind of protocol {:?}",
                        v.kind, self.protocol.name
                    ),
                );
            }
            if v.id.is_empty() {
                self.issue(
                    at,
                    IssueKind::MissingVertex,
                    "vertex \"\"",
                    "a vertex id may not be empty",
                );
            }
            if previous == Some(v.id.as_str()) {
                self.issue(
                    at,
                    IssueKind::DuplicateVertex,
                    format!("vertex {:?}", v.id),
                    "declared more than once",
                );
                continue;
            }
            previous = Some(&v.id);
            // A schema of more than 2^32 vertices does not fit in memory.
            let rank = Rank::try_from(out.kinds.len()).unwrap_or(Rank::MAX);
            out.rank.insert(&v.id, rank);
            out.kinds.push(&v.kind);
        }
        out
    }

    /// Ranks the edges' ends, sorts the edges and checks them; returns the
    /// (source, kind, name) of every named edge whose source exists.
    fn edges<'o>(
        &mut self,
        edges: &'o mut [EdgeDecl],
        vertices: &Vertices<'_>,
    ) -> HashSet<(Rank, &'o str, &'o str)> {
        for e in edges.iter_mut() {
            e.src = vertices.rank.get(e.edge.src.as_str()).copied();
            e.tgt = vertices.rank.get(e.edge.tgt.as_str()).copied();
        }
        // Edges with an end that does not exist share a key: the edges
        // themselves then order them, so that equal ones are neighbours.
        edges.sort_unstable_by(|a, b| {
            a.key()
                .cmp(&b.key())
                .then_with(|| (&a.edge, a.index).cmp(&(&b.edge, b.index)))
        });
        let edges: &'o [EdgeDecl] = edges;
        let mut names = HashSet::with_capacity_and_hasher(edges.len(), Default::default());
        let mut previous: Option<&EdgeDecl> = None;
        for e in edges {
            let at = (Phase::Declarations, e.index);
            self.check_edge(at, e, vertices);
            let edge = &e.edge;
            if let (Some(src), Some(name)) = (e.src, &edge.name) {
                if !names.insert((src, edge.kind.as_str(), name.as_str())) {
                    self.issue(
                        at,
                        IssueKind::EdgeName,
                        format!("edge {edge}"),
                        format!(
                            "vertex {:?} already has a {:?} edge named {:?}",
                            edge.src, edge.kind, name
                        ),
                    );
                }
            }
            if previous.is_some_and(|p| p.edge == *edge) {
                self.issue(
                    at,
                    IssueKind::DuplicateEdge,
                    format!("edge {edge}"),
                    "declared more than once",
                );
            }
            previous = Some(e);
        }
        names
    }

    fn hyper_edges(
        &mut self,
        hyper_edges: &[(usize, HyperEdge)],
        vertices: &Vertices<'_>,
    ) -> BTreeMap<String, HyperEdge> {
        let mut out = BTreeMap::new();
        for (index, h) in hyper_edges {
            let at = (Phase::Declarations, *index);
            let element = format!("hyper-edge {:?}", h.id);
            for (label, v) in &h.signature {
                if !vertices.rank.contains_key(v.as_str()) {
                    self.issue(
                        at,
                        IssueKind::MissingVertex,
                        element.clone(),
                        format!("label {label:?} names vertex {v:?}, which does not exist"),
                    );
                }
            }
            if !h.signature.contains_key(&h.parent_label) {
                self.issue(
                    at,
                    IssueKind::HyperEdge,
                    element.clone(),
                    format!("parent label {:?} is not in the signature", h.parent_label),
                );
            }
            if out.insert(h.id.clone(), h.clone()).is_some() {
                self.issue(at, IssueKind::HyperEdge, element, "declared more than once");
            }
        }
        out
    }

    /// Checks the constraints and sorts them by (vertex, sort); of two
    /// with one vertex and sort, the later declared stays later.
    fn constraints(
        &mut self,
        constraints: &mut [(usize, Option<Rank>, Constraint)],
        vertices: &Vertices<'_>,
    ) {
        for (index, rank, c) in constraints.iter_mut() {
            let at = (Phase::Declarations, *index);
            let element = || format!("constraint {} on vertex {:?}", c.sort, c.vertex);
            *rank = vertices.rank.get(c.vertex.as_str()).copied();
            if rank.is_none() {
                self.issue(
                    at,
                    IssueKind::MissingVertex,
                    element(),
                    "the vertex does not exist",
                );
            }
            if !self.rules.sorts.contains(c.sort.as_str()) {
                self.issue(
                    at,
                    IssueKind::UnknownConstraintSort,
                    element(),
                    format!(
                        "sort {:?} is not a constraint sort of protocol {:?}",
                        c.sort, self.protocol.name
                    ),
                );
            }
        }
        constraints
            .sort_unstable_by(|(i, ra, a), (j, rb, b)| (ra, &a.sort, i).cmp(&(rb, &b.sort, j)));
    }

    /// Required lists are checked last: they name edges declared anywhere.
    fn required(
        &mut self,
        required: &[(usize, Required)],
        vertices: &Vertices<'_>,
        names: &HashSet<(Rank, &str, &str)>,
    ) {
        for (index, r) in required {
            let at = (Phase::Required, *index);
            let element = || format!("required on vertex {:?}", r.vertex);
            let Some(&rank) = vertices.rank.get(r.vertex.as_str()) else {
                self.issue(
                    at,
                    IssueKind::MissingVertex,
                    element(),
                    "the vertex does not exist",
                );
                continue;
            };
            for name in &r.edges {
                // Some named edge of the vertex carries this name: the
                // kinds are few, so look each one up.
                let found = self
                    .protocol
                    .edge_rules
                    .keys()
                    .any(|kind| names.contains(&(rank, kind.as_str(), name.as_str())));
                if !found {
                    self.issue(
                        at,
                        IssueKind::MissingRequiredEdge,
                        element(),
                        format!("vertex {:?} has no outgoing edge named {name:?}", r.vertex),
                    );
                }
            }
        }
    }

    fn check_edge(&mut self, at: Position, decl: &EdgeDecl, vertices: &Vertices<'_>) {
        let e = &decl.edge;
        let element = || format!("edge {e}");
        let kind_of = |rank: Option<Rank>| rank.map(|r| vertices.kinds[r as usize]);
        let (src, tgt) = (kind_of(decl.src), kind_of(decl.tgt));
        if src.is_none() {
            self.issue(
                at,
                IssueKind::MissingVertex,
                element(),
                format!("source vertex {:?} does not exist", e.src),
            );
        }
        if tgt.is_none() {
            self.issue(
                at,
                IssueKind::MissingVertex,
                element(),
                format!("target vertex {:?} does not exist", e.tgt),
            );
        }
        let Some(check) = self.rules.edges.get(e.kind.as_str()) else {
            self.issue(
                at,
                IssueKind::UnknownEdgeKind,
                element(),
                format!(
                    "edge kind {:?} is not an edge kind of protocol {:?}",
                    e.kind, self.protocol.name
                ),
            );
            return;
        };
        let rule = check.rule;
        let src_ok = src.is_none_or(|k| allowed(check.src.as_ref(), k));
        let tgt_ok = tgt.is_none_or(|k| allowed(check.tgt.as_ref(), k));
        if let Some(src) = src.filter(|_| !src_ok) {
            self.issue(
                at,
                IssueKind::EdgeRuleViolation,
                element(),
                format!(
                    "a {:?} edge may not start at a {:?} vertex (allowed: {})",
                    e.kind,
                    src,
                    rule.src_kinds.join(", ")
                ),
            );
        }
        if let Some(tgt) = tgt.filter(|_| !tgt_ok) {
            self.issue(
                at,
                IssueKind::EdgeRuleViolation,
                element(),
                format!(
                    "a {:?} edge may not end at a {:?} vertex (allowed: {})",
                    e.kind,
                    tgt,
                    rule.tgt_kinds.join(", ")
                ),
            );
        }
        if rule.named && e.name.as_deref().is_none_or(str::is_empty) {
            self.issue(
                at,
                IssueKind::EdgeName,
                element(),
                format!("{:?} edges must have a name", e.kind),
            );
        }
    }
}

/// The schema of declarations that passed every check: each kind already
/// sorted (and free of duplicates), so the sorted maps are built in bulk;
/// of two constraints with one vertex and sort, the later declared wins.
fn assemble(
    protocol: &Arc<Protocol>,
    parts: Parts,
    hyper_edges: BTreeMap<String, HyperEdge>,
) -> Schema {
    let vertices: BTreeMap<String, Vertex> = parts
        .vertices
        .into_iter()
        .map(|(_, v)| (v.id.clone(), v))
        .collect();
    let edges: BTreeSet<Edge> = parts.edges.into_iter().map(|e| e.edge).collect();
    let mut constraints: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut group: Vec<(String, String)> = Vec::new();
    let mut sorted = parts.constraints.into_iter().map(|(_, _, c)| c).peekable();
    while let Some(c) = sorted.next() {
        group.push((c.sort, c.value));
        if sorted.peek().is_none_or(|n| n.vertex != c.vertex) {
            constraints.insert(c.vertex, group.drain(..).collect());
        }
    }
    let mut required: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, r) in parts.required {
        required.entry(r.vertex).or_default().extend(r.edges);
    }
    Schema {
        inner: Arc::new(SchemaInner {
            protocol: Arc::clone(protocol),
            vertices,
            edges,
            hyper_edges,
            constraints,
            required,
            id: OnceLock::new(),
        }),
    }
}
