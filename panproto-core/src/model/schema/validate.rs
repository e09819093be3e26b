//! Checking a list of declarations against the protocol, reporting every
//! problem at once.
//!
//! In phases: the vertices first (so edges may be declared before the
//! vertices they join); then every other declaration in order, each
//! checked on its own and gathered into the schema's collections; then
//! the required lists, which name edges declared anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::model::error::{IssueKind, SchemaError, SchemaIssue};
use crate::model::protocol::Protocol;
use crate::model::schema::{
    Constraint, Declaration, Edge, HyperEdge, Required, Schema, SchemaInner, Vertex,
};

/// Collects every issue of a list of declarations.
pub(super) struct Validator<'p> {
    protocol: &'p Arc<Protocol>,
    rules: Rules<'p>,
    issues: Vec<SchemaIssue>,
}

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
    rule: &'p crate::model::protocol::EdgeRule,
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

/// What the declarations gather into, as they are checked: references
/// into the declarations, hashed for the checks; the schema's sorted
/// collections are built once, in bulk, at the end (inserting into sorted
/// maps one by one cost most of a large schema's build).
#[derive(Default)]
struct Gathered<'o> {
    vertices: HashMap<&'o str, &'o Vertex>,
    edges: HashSet<&'o Edge>,
    /// (source, kind, name) of every named edge, to refuse a second one.
    names: HashSet<(&'o str, &'o str, &'o str)>,
    hyper_edges: BTreeMap<String, HyperEdge>,
    constraints: Vec<&'o Constraint>,
    required_decls: Vec<&'o Required>,
}

impl<'p> Validator<'p> {
    pub(super) fn new(protocol: &'p Arc<Protocol>) -> Self {
        Self {
            protocol,
            rules: Rules::of(protocol),
            issues: Vec::new(),
        }
    }

    fn issue(&mut self, kind: IssueKind, element: impl Into<String>, message: impl Into<String>) {
        self.issues.push(SchemaIssue {
            kind,
            element: element.into(),
            message: message.into(),
        });
    }

    /// Checks `decls` and builds the schema from them, or lists every issue.
    pub(super) fn run(mut self, decls: Vec<Declaration>) -> Result<Schema, SchemaError> {
        let hyper_edges = self.check(&decls);
        if !self.issues.is_empty() {
            return Err(SchemaError::Invalid {
                protocol: self.protocol.name.clone(),
                issues: self.issues,
            });
        }
        Ok(assemble(self.protocol, decls, hyper_edges))
    }

    /// Checks every declaration, in phases; returns the hyper-edges.
    fn check(&mut self, decls: &[Declaration]) -> BTreeMap<String, HyperEdge> {
        let ops: Vec<&Declaration> = decls.iter().collect();
        let mut g = Gathered::default();
        g.vertices.reserve(ops.len() / 2);
        for op in &ops {
            if let Declaration::Vertex(v) = op {
                self.vertex(v, &mut g.vertices);
            }
        }
        for op in &ops {
            match op {
                Declaration::Vertex(_) => {}
                Declaration::Edge(e) => self.edge(e, &mut g),
                Declaration::HyperEdge(h) => self.hyper_edge(h, &mut g),
                Declaration::Constraint(c) => self.constraint(c, &mut g),
                Declaration::Required(r) => g.required_decls.push(r),
            }
        }
        self.required(&g);
        g.hyper_edges
    }

    fn vertex<'o>(&mut self, v: &'o Vertex, vertices: &mut HashMap<&'o str, &'o Vertex>) {
        let p = self.protocol;
        if !self.rules.kinds.contains(v.kind.as_str()) {
            self.issue(
                IssueKind::UnknownKind,
                format!("vertex {:?}", v.id),
                format!(
                    "kind {:?} is not an object kind of protocol {:?}",
                    v.kind, p.name
                ),
            );
        }
        if v.id.is_empty() {
            self.issue(
                IssueKind::MissingVertex,
                "vertex \"\"",
                "a vertex id may not be empty",
            );
        }
        if vertices.insert(&v.id, v).is_some() {
            self.issue(
                IssueKind::DuplicateVertex,
                format!("vertex {:?}", v.id),
                "declared more than once",
            );
        }
    }

    fn edge<'o>(&mut self, e: &'o Edge, g: &mut Gathered<'o>) {
        self.check_edge(e, &g.vertices);
        if let Some(name) = &e.name {
            if !g.names.insert((&e.src, &e.kind, name)) {
                self.issue(
                    IssueKind::EdgeName,
                    format!("edge {e}"),
                    format!(
                        "vertex {:?} already has a {:?} edge named {:?}",
                        e.src, e.kind, name
                    ),
                );
            }
        }
        if !g.edges.insert(e) {
            self.issue(
                IssueKind::DuplicateEdge,
                format!("edge {e}"),
                "declared more than once",
            );
        }
    }

    fn hyper_edge(&mut self, h: &HyperEdge, g: &mut Gathered<'_>) {
        let element = format!("hyper-edge {:?}", h.id);
        for (label, v) in &h.signature {
            if !g.vertices.contains_key(v.as_str()) {
                self.issue(
                    IssueKind::MissingVertex,
                    element.clone(),
                    format!("label {label:?} names vertex {v:?}, which does not exist"),
                );
            }
        }
        if !h.signature.contains_key(&h.parent_label) {
            self.issue(
                IssueKind::HyperEdge,
                element.clone(),
                format!("parent label {:?} is not in the signature", h.parent_label),
            );
        }
        if g.hyper_edges.insert(h.id.clone(), h.clone()).is_some() {
            self.issue(IssueKind::HyperEdge, element, "declared more than once");
        }
    }

    fn constraint<'o>(&mut self, c: &'o Constraint, g: &mut Gathered<'o>) {
        let p = self.protocol;
        let element = || format!("constraint {} on vertex {:?}", c.sort, c.vertex);
        if !g.vertices.contains_key(c.vertex.as_str()) {
            self.issue(
                IssueKind::MissingVertex,
                element(),
                "the vertex does not exist",
            );
        }
        if !self.rules.sorts.contains(c.sort.as_str()) {
            self.issue(
                IssueKind::UnknownConstraintSort,
                element(),
                format!(
                    "sort {:?} is not a constraint sort of protocol {:?}",
                    c.sort, p.name
                ),
            );
        }
        g.constraints.push(c);
    }

    /// Required lists are checked last: they name edges declared anywhere.
    fn required(&mut self, g: &Gathered<'_>) {
        for r in &g.required_decls {
            let element = || format!("required on vertex {:?}", r.vertex);
            if !g.vertices.contains_key(r.vertex.as_str()) {
                self.issue(
                    IssueKind::MissingVertex,
                    element(),
                    "the vertex does not exist",
                );
                continue;
            }
            for name in &r.edges {
                // Some named edge of the vertex carries this name: the
                // kinds are few, so look each one up.
                let found = self.protocol.edge_rules.keys().any(|kind| {
                    g.names
                        .contains(&(r.vertex.as_str(), kind.as_str(), name.as_str()))
                });
                if !found {
                    self.issue(
                        IssueKind::MissingRequiredEdge,
                        element(),
                        format!("vertex {:?} has no outgoing edge named {name:?}", r.vertex),
                    );
                }
            }
        }
    }

    fn check_edge(&mut self, e: &Edge, vertices: &HashMap<&str, &Vertex>) {
        let p = self.protocol;
        let element = || format!("edge {e}");
        let src = vertices.get(e.src.as_str());
        let tgt = vertices.get(e.tgt.as_str());
        if src.is_none() {
            self.issue(
                IssueKind::MissingVertex,
                element(),
                format!("source vertex {:?} does not exist", e.src),
            );
        }
        if tgt.is_none() {
            self.issue(
                IssueKind::MissingVertex,
                element(),
                format!("target vertex {:?} does not exist", e.tgt),
            );
        }
        let Some(check) = self.rules.edges.get(e.kind.as_str()) else {
            self.issue(
                IssueKind::UnknownEdgeKind,
                element(),
                format!(
                    "edge kind {:?} is not an edge kind of protocol {:?}",
                    e.kind, p.name
                ),
            );
            return;
        };
        let rule = check.rule;
        let src_ok = src.is_none_or(|v| allowed(check.src.as_ref(), &v.kind));
        let tgt_ok = tgt.is_none_or(|v| allowed(check.tgt.as_ref(), &v.kind));
        if let Some(src) = src.filter(|_| !src_ok) {
            self.issue(
                IssueKind::EdgeRuleViolation,
                element(),
                format!(
                    "a {:?} edge may not start at a {:?} vertex (allowed: {})",
                    e.kind,
                    src.kind,
                    rule.src_kinds.join(", ")
                ),
            );
        }
        if let Some(tgt) = tgt.filter(|_| !tgt_ok) {
            self.issue(
                IssueKind::EdgeRuleViolation,
                element(),
                format!(
                    "a {:?} edge may not end at a {:?} vertex (allowed: {})",
                    e.kind,
                    tgt.kind,
                    rule.tgt_kinds.join(", ")
                ),
            );
        }
        if rule.named && e.name.as_deref().is_none_or(str::is_empty) {
            self.issue(
                IssueKind::EdgeName,
                element(),
                format!("{:?} edges must have a name", e.kind),
            );
        }
    }
}

/// The schema of declarations that passed every check: its sorted
/// collections built in bulk, the declarations moved in (a later constraint
/// of a sort replacing an earlier one, as declared).
fn assemble(
    protocol: &Arc<Protocol>,
    decls: Vec<Declaration>,
    hyper_edges: BTreeMap<String, HyperEdge>,
) -> Schema {
    let mut vertices = Vec::new();
    let mut edges = Vec::new();
    let mut constraints = Vec::new();
    let mut required: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in decls {
        match d {
            Declaration::Vertex(v) => vertices.push((v.id.clone(), v)),
            Declaration::Edge(e) => edges.push(e),
            Declaration::Constraint(c) => constraints.push(c),
            Declaration::Required(r) => required.entry(r.vertex).or_default().extend(r.edges),
            Declaration::HyperEdge(_) => {}
        }
    }
    // Stable: equal (vertex, sort) pairs stay in declaration order, and
    // collecting a map keeps the last of each.
    constraints.sort_by(|a, b| (&a.vertex, &a.sort).cmp(&(&b.vertex, &b.sort)));
    let mut by_vertex: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut group: Vec<(String, String)> = Vec::new();
    let mut constraints = constraints.into_iter().peekable();
    while let Some(c) = constraints.next() {
        group.push((c.sort, c.value));
        if constraints.peek().is_none_or(|n| n.vertex != c.vertex) {
            by_vertex.insert(c.vertex, group.drain(..).collect());
        }
    }
    Schema {
        inner: Arc::new(SchemaInner {
            protocol: Arc::clone(protocol),
            vertices: vertices.into_iter().collect(),
            edges: edges.into_iter().collect(),
            hyper_edges,
            constraints: by_vertex,
            required,
            id: OnceLock::new(),
        }),
    }
}
