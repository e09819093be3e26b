//! Each protocol's schema and instance theories, made from the protocol
//! itself as colimits of small building blocks, so they follow its kinds,
//! edge kinds and constraint sorts without a second list to keep.
//!
//! - The schema theory glues, over the sort they share: a graph
//!   (`Vertex`, `Edge`, `src`, `tgt`), the vertex kinds (`kind: Vertex ->
//!   VertexKind` and a constant `kind.K` for each), the edge kinds, the
//!   constraints if the protocol has sorts of them (`Constraint` on a
//!   vertex, of a `ConstraintSort`), and names on edges if its edges are
//!   named.
//! - The instance theory glues the schema theory, over its graph, with a
//!   W-type of records: nodes anchored at vertices, arcs along edges from
//!   a parent node to a child, values at nodes, and the two equations
//!   that say an arc's edge runs from its parent's vertex to its child's.

use super::{Equation, GatError, Op, Sort, Theory, colimit};
use crate::model::protocol::Protocol;

fn sort(name: &str) -> Sort {
    Sort {
        name: name.to_owned(),
        params: Vec::new(),
    }
}

fn op(name: &str, inputs: &[(&str, &str)], output: &str) -> Op {
    Op {
        name: name.to_owned(),
        inputs: inputs
            .iter()
            .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
            .collect(),
        output: output.to_owned(),
    }
}

fn theory(name: &str, sorts: &[&str], ops: Vec<Op>) -> Theory {
    Theory {
        name: name.to_owned(),
        sorts: sorts.iter().map(|s| sort(s)).collect(),
        ops,
        eqs: Vec::new(),
    }
}

/// `ThGraph`: vertices and edges between them.
pub fn graph() -> Theory {
    theory(
        "ThGraph",
        &["Vertex", "Edge"],
        vec![
            op("src", &[("e", "Edge")], "Vertex"),
            op("tgt", &[("e", "Edge")], "Vertex"),
        ],
    )
}

/// A theory of a sort of labels on `on`: `label: on -> sort` and one
/// constant `prefix.L` per label.
fn labels<'a>(
    name: &str,
    on: &str,
    sort_name: &str,
    label: &str,
    prefix: &str,
    values: impl Iterator<Item = &'a String>,
) -> Theory {
    let mut ops = vec![op(label, &[("x", on)], sort_name)];
    ops.extend(values.map(|v| op(&format!("{prefix}.{v}"), &[], sort_name)));
    theory(name, &[on, sort_name], ops)
}

/// The theory schemas of `protocol` are models of.
///
/// # Errors
/// [`GatError`] for a protocol whose kind, edge kind or constraint sort
/// names are not names a theory can hold (a user-defined one: every
/// built-in protocol has both theories).
pub fn schema_theory(protocol: &Protocol) -> Result<Theory, GatError> {
    let vertex = theory("ThVertex", &["Vertex"], Vec::new());
    let edge = theory("ThEdge", &["Edge"], Vec::new());
    let mut parts = vec![
        (
            labels(
                "ThVertexKinds",
                "Vertex",
                "VertexKind",
                "kind",
                "kind",
                protocol.object_kinds.iter(),
            ),
            vertex.clone(),
        ),
        (
            labels(
                "ThEdgeKinds",
                "Edge",
                "EdgeKind",
                "edge_kind",
                "edge",
                protocol.edge_rules.keys(),
            ),
            edge.clone(),
        ),
    ];
    if !protocol.constraint_sorts.is_empty() {
        let mut constraint = labels(
            "ThConstraint",
            "Constraint",
            "ConstraintSort",
            "sort",
            "constraint",
            protocol.constraint_sorts.iter(),
        );
        constraint.sorts.insert(0, sort("Vertex"));
        constraint
            .ops
            .insert(0, op("on", &[("c", "Constraint")], "Vertex"));
        parts.push((constraint, vertex));
    }
    if protocol.edge_rules.values().any(|r| r.named) {
        parts.push((
            theory(
                "ThNamed",
                &["Edge", "Name"],
                vec![op("name", &[("e", "Edge")], "Name")],
            ),
            edge,
        ));
    }
    glue(graph(), parts, &protocol.schema_theory)
}

/// The theory records of `protocol` are models of.
///
/// # Errors
/// As [`schema_theory`].
pub fn instance_theory(protocol: &Protocol) -> Result<Theory, GatError> {
    let mut records = graph();
    records.name = "ThWType".to_owned();
    records.sorts.extend(["Node", "Arc", "Value"].map(sort));
    records.ops.extend([
        op("anchor", &[("n", "Node")], "Vertex"),
        op("edge_of", &[("a", "Arc")], "Edge"),
        op("parent", &[("a", "Arc")], "Node"),
        op("child", &[("a", "Arc")], "Node"),
        op("value", &[("n", "Node")], "Value"),
    ]);
    records.eqs = vec![
        Equation {
            name: "arc_source".to_owned(),
            lhs: "src(edge_of(a))".to_owned(),
            rhs: "anchor(parent(a))".to_owned(),
            vars: Vec::new(),
        },
        Equation {
            name: "arc_target".to_owned(),
            lhs: "tgt(edge_of(a))".to_owned(),
            rhs: "anchor(child(a))".to_owned(),
            vars: Vec::new(),
        },
    ];
    glue(
        schema_theory(protocol)?,
        vec![(records, graph())],
        &protocol.instance_theory,
    )
}

/// `base` glued with each part over its shared theory, named `name`
/// (the protocol's theory name, or a made-up one for a protocol without).
fn glue(base: Theory, parts: Vec<(Theory, Theory)>, name: &str) -> Result<Theory, GatError> {
    let mut glued = base;
    for (part, shared) in parts {
        glued = colimit(&glued, &part.checked()?, &shared, None)?;
    }
    if !name.trim().is_empty() {
        glued.name = name.to_owned();
    }
    Ok(glued)
}
