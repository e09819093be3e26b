//! The existence checks, run by [`analyse`](super::analyse) around the
//! plan's construction: the mapping's own (before the plan), then what the
//! plan shows (keys that collide, vertices it cannot reach, requirements
//! and constraints of the target it cannot meet).

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::migration::existence::ExistenceKind;
use crate::migration::plan::{Builder, Field, Shape, shapes_compatible};
use crate::model::constraint::{Tightness, compare, restricts};
use crate::model::protocol::EdgeRole;

/// Some root of the source is mapped (else no record can be lifted).
pub(super) fn check_roots(b: &mut Builder<'_>, roots: &[String], mapped_roots: &[&String]) {
    if mapped_roots.is_empty() && !b.src.schema.vertices().is_empty() {
        b.issue(
            ExistenceKind::WellFormedness,
            roots.first().cloned().unwrap_or_default(),
            format!(
                "no root of the source schema ({}) is mapped, so no record can be lifted",
                roots.join(", ")
            ),
        );
    }
}

/// The checks that need no plan: the mapping itself, before any node is built.
pub(super) fn check_mapping(b: &mut Builder<'_>) {
    check_vertex_map(b);
    check_edge_map(b);
    check_resolvers(b);
    check_edges_carried(b);
}

/// Every mapped vertex exists on both sides, and its values fit its image.
fn check_vertex_map(b: &mut Builder<'_>) {
    use ExistenceKind::*;
    let spec = b.spec;
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
}

/// Every mapped edge exists on both sides, its ends map to its image's
/// ends, and it keeps its role.
fn check_edge_map(b: &mut Builder<'_>) {
    use ExistenceKind::*;
    let (src, tgt, spec) = (b.src.schema, b.tgt.schema, b.spec);
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
}

/// Every resolver names a target edge that joins the kinds it resolves.
fn check_resolvers(b: &mut Builder<'_>) {
    use ExistenceKind::*;
    let (tgt, spec) = (b.tgt.schema, b.spec);
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
}

/// A data edge whose ends both survive has an edge to carry it.
fn check_edges_carried(b: &mut Builder<'_>) {
    let src = b.src.schema;
    for e in src.edges() {
        let data = matches!(b.src.role(e), EdgeRole::Property | EdgeRole::Item);
        if data
            && b.image(&e.src).is_some()
            && b.image(&e.tgt).is_some()
            && !b.images.contains_key(e)
        {
            b.issue(ExistenceKind::EdgeMissing, format!("edge {e}"), "both ends are mapped but the target has no edge to carry it; its values are dropped");
        }
    }
}

pub(super) fn check_simultaneity(b: &mut Builder<'_>, normal: &BTreeMap<String, usize>) {
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

pub(super) fn check_reachability(
    b: &mut Builder<'_>,
    normal: &BTreeMap<String, usize>,
    roots: &[&String],
) {
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

pub(super) fn check_required_and_constraints(
    b: &mut Builder<'_>,
    normal: &BTreeMap<String, usize>,
) {
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
