//! Checking a list of declarations against the protocol, reporting every
//! problem at once.
//!
//! In phases: the vertices first (so edges may be declared before the
//! vertices they join); then every other declaration in order, each
//! checked on its own and gathered into the schema's collections; then
//! the required lists, which name edges declared anywhere.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use crate::model::error::{IssueKind, SchemaError, SchemaIssue};
use crate::model::protocol::Protocol;
use crate::model::schema::{
    Constraint, Declaration, Edge, HyperEdge, Required, Schema, SchemaInner, Vertex,
};

/// Collects every issue of a list of declarations.
pub(super) struct Validator<'p> {
    protocol: &'p Arc<Protocol>,
    issues: Vec<SchemaIssue>,
}

/// What the declarations gather into, as they are checked.
#[derive(Default)]
struct Gathered<'o> {
    vertices: BTreeMap<String, Vertex>,
    edges: BTreeSet<Edge>,
    /// (source, kind, name) of every named edge, to refuse a second one.
    names: HashSet<(&'o str, &'o str, &'o str)>,
    hyper_edges: BTreeMap<String, HyperEdge>,
    constraints: BTreeMap<String, BTreeMap<String, String>>,
    required: BTreeMap<String, BTreeSet<String>>,
    required_decls: Vec<&'o Required>,
}

impl<'p> Validator<'p> {
    pub(super) fn new(protocol: &'p Arc<Protocol>) -> Self {
        Self {
            protocol,
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

    /// Checks `ops` and builds the schema, or lists every issue.
    pub(super) fn run<'o>(
        mut self,
        ops: impl IntoIterator<Item = &'o Declaration>,
    ) -> Result<Schema, SchemaError> {
        let ops: Vec<&Declaration> = ops.into_iter().collect();
        let mut g = Gathered::default();
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
                Declaration::Required(r) => {
                    g.required_decls.push(r);
                    g.required
                        .entry(r.vertex.clone())
                        .or_default()
                        .extend(r.edges.iter().cloned());
                }
            }
        }
        self.required(&g);
        self.finish(g)
    }

    fn vertex(&mut self, v: &Vertex, vertices: &mut BTreeMap<String, Vertex>) {
        let p = self.protocol;
        if !p.object_kinds.contains(&v.kind) {
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
        if vertices.insert(v.id.clone(), v.clone()).is_some() {
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
        if !g.edges.insert(e.clone()) {
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
            if !g.vertices.contains_key(v) {
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

    fn constraint(&mut self, c: &Constraint, g: &mut Gathered<'_>) {
        let p = self.protocol;
        let element = format!("constraint {} on vertex {:?}", c.sort, c.vertex);
        if !g.vertices.contains_key(&c.vertex) {
            self.issue(
                IssueKind::MissingVertex,
                element.clone(),
                "the vertex does not exist",
            );
        }
        if !p.constraint_sorts.contains(&c.sort) {
            self.issue(
                IssueKind::UnknownConstraintSort,
                element,
                format!(
                    "sort {:?} is not a constraint sort of protocol {:?}",
                    c.sort, p.name
                ),
            );
        }
        g.constraints
            .entry(c.vertex.clone())
            .or_default()
            .insert(c.sort.clone(), c.value.clone());
    }

    /// Required lists are checked last: they name edges declared anywhere.
    fn required(&mut self, g: &Gathered<'_>) {
        let mut out_names: HashMap<&str, HashSet<&str>> = HashMap::new();
        for e in &g.edges {
            if let Some(n) = &e.name {
                out_names
                    .entry(e.src.as_str())
                    .or_default()
                    .insert(n.as_str());
            }
        }
        for r in &g.required_decls {
            let element = format!("required on vertex {:?}", r.vertex);
            if !g.vertices.contains_key(&r.vertex) {
                self.issue(
                    IssueKind::MissingVertex,
                    element.clone(),
                    "the vertex does not exist",
                );
                continue;
            }
            for name in &r.edges {
                if !out_names
                    .get(r.vertex.as_str())
                    .is_some_and(|s| s.contains(name.as_str()))
                {
                    self.issue(
                        IssueKind::MissingRequiredEdge,
                        element.clone(),
                        format!("vertex {:?} has no outgoing edge named {name:?}", r.vertex),
                    );
                }
            }
        }
    }

    /// The schema, if no issue was found.
    fn finish(self, g: Gathered<'_>) -> Result<Schema, SchemaError> {
        let p = self.protocol;
        if !self.issues.is_empty() {
            return Err(SchemaError::Invalid {
                protocol: p.name.clone(),
                issues: self.issues,
            });
        }
        Ok(Schema {
            inner: Arc::new(SchemaInner {
                protocol: Arc::clone(p),
                vertices: g.vertices,
                edges: g.edges,
                hyper_edges: g.hyper_edges,
                constraints: g.constraints,
                required: g.required,
                id: OnceLock::new(),
            }),
        })
    }

    fn check_edge(&mut self, e: &Edge, vertices: &BTreeMap<String, Vertex>) {
        let p = self.protocol;
        let element = format!("edge {e}");
        let src = vertices.get(&e.src);
        let tgt = vertices.get(&e.tgt);
        if src.is_none() {
            self.issue(
                IssueKind::MissingVertex,
                element.clone(),
                format!("source vertex {:?} does not exist", e.src),
            );
        }
        if tgt.is_none() {
            self.issue(
                IssueKind::MissingVertex,
                element.clone(),
                format!("target vertex {:?} does not exist", e.tgt),
            );
        }
        let Some(rule) = p.edge_rules.get(&e.kind) else {
            self.issue(
                IssueKind::UnknownEdgeKind,
                element,
                format!(
                    "edge kind {:?} is not an edge kind of protocol {:?}",
                    e.kind, p.name
                ),
            );
            return;
        };
        if let Some(src) = src {
            if !Protocol::allows(&rule.src_kinds, &src.kind) {
                self.issue(
                    IssueKind::EdgeRuleViolation,
                    element.clone(),
                    format!(
                        "a {:?} edge may not start at a {:?} vertex (allowed: {})",
                        e.kind,
                        src.kind,
                        rule.src_kinds.join(", ")
                    ),
                );
            }
        }
        if let Some(tgt) = tgt {
            if !Protocol::allows(&rule.tgt_kinds, &tgt.kind) {
                self.issue(
                    IssueKind::EdgeRuleViolation,
                    element.clone(),
                    format!(
                        "a {:?} edge may not end at a {:?} vertex (allowed: {})",
                        e.kind,
                        tgt.kind,
                        rule.tgt_kinds.join(", ")
                    ),
                );
            }
        }
        if rule.named && e.name.as_deref().is_none_or(str::is_empty) {
            self.issue(
                IssueKind::EdgeName,
                element,
                format!("{:?} edges must have a name", e.kind),
            );
        }
    }
}
