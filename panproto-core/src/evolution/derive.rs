//! Deriving the migration between two versions of a schema, as `add` does.
//!
//! Every vertex that keeps its id maps to itself (unless its values changed
//! shape): the derived spec says so with its `identity` flag rather than
//! listing them. A vertex that disappeared is matched to one that appeared
//! when it sits in the same place — under the image of the same parent, by
//! an edge of the same kind — and has the same kind: a rename. When several
//! candidates share a place, the one reached by an edge of the same name
//! wins; otherwise the place is left ambiguous and nothing is guessed.
//! Matching repeats until nothing new matches, so renamed parents let their
//! renamed children match too. The work is proportional to the schemas'
//! edges once, then to what changed.

use std::collections::HashSet;

use rustc_hash::FxHashMap as HashMap;

use crate::migration::{MigrationSpec, analyse};
use crate::model::protocol::{EdgeRole, ValueType};
use crate::model::schema::{Edge, Schema};

/// Where a vertex sits: the image of its parent, the edge kind, and its own kind.
type Place<'a> = (Option<&'a str>, &'a str, &'a str);

/// The first data-carrying edge into each of `vertices`.
fn parents<'a>(schema: &'a Schema, vertices: &HashSet<&str>) -> HashMap<&'a str, &'a Edge> {
    let protocol = schema.protocol();
    let mut out = HashMap::default();
    if vertices.is_empty() {
        return out;
    }
    for e in schema.edges() {
        if vertices.contains(e.tgt.as_str()) && protocol.edge_role(&e.kind) != EdgeRole::Reference {
            out.entry(e.tgt.as_str()).or_insert(e);
        }
    }
    out
}

fn compatible(a: ValueType, b: ValueType) -> bool {
    a == b
        || a == ValueType::Any
        || b == ValueType::Any
        || (a == ValueType::Integer && b == ValueType::Number)
}

/// The migration from `old` to `new`: identity on what survives, renames detected.
pub fn derive_migration(old: &Schema, new: &Schema) -> MigrationSpec {
    let (po, pn) = (old.protocol(), new.protocol());
    let mut spec = MigrationSpec::identity();
    let mut removed: Vec<&str> = Vec::new();
    let mut shape_changed = false;
    for (id, v) in old.vertices() {
        match new.vertices().get(id) {
            None => removed.push(id),
            Some(w) => shape_changed |= !compatible(po.value_type(&v.kind), pn.value_type(&w.kind)),
        }
    }
    if removed.is_empty() && !shape_changed {
        // Pure additions (and constraint or requirement changes): every old
        // vertex keeps its id and its edges, so the identity compiles.
        return spec;
    }
    let mut added: Vec<&str> = new
        .vertices()
        .keys()
        .map(String::as_str)
        .filter(|v| !old.vertices().contains_key(*v))
        .collect();
    let old_parents = parents(old, &removed.iter().copied().collect());
    let new_parents = parents(new, &added.iter().copied().collect());
    // The image of a parent: renamed, or itself if it survives with a compatible shape.
    let image = |spec: &MigrationSpec, p: &str| -> Option<String> {
        if let Some(t) = spec.vertex_map.get(p) {
            return Some(t.clone());
        }
        let (v, w) = (old.vertices().get(p)?, new.vertices().get(p)?);
        compatible(po.value_type(&v.kind), pn.value_type(&w.kind)).then(|| p.to_owned())
    };
    loop {
        let mut by_place: HashMap<Place<'_>, Vec<&str>> = HashMap::default();
        for &a in &added {
            let edge = new_parents.get(a);
            let place = (
                edge.map(|e| e.src.as_str()),
                edge.map_or("", |e| e.kind.as_str()),
                new.vertices()[a].kind.as_str(),
            );
            by_place.entry(place).or_default().push(a);
        }
        let mut removed_at: HashMap<(Option<String>, &str, &str), Vec<&str>> = HashMap::default();
        for &r in &removed {
            let edge = old_parents.get(r);
            let parent_image = match edge {
                Some(e) => match image(&spec, &e.src) {
                    Some(i) => Some(i),
                    None => continue, // the parent is not placed yet; maybe next round
                },
                None => None,
            };
            let place = (
                parent_image,
                edge.map_or("", |e| e.kind.as_str()),
                old.vertices()[r].kind.as_str(),
            );
            removed_at.entry(place).or_default().push(r);
        }
        let mut matched = Vec::new();
        for ((parent, edge_kind, kind), gone) in &removed_at {
            let Some(appeared) = by_place.get(&(parent.as_deref(), *edge_kind, *kind)) else {
                continue;
            };
            if let ([r], [a]) = (gone.as_slice(), appeared.as_slice()) {
                matched.push((*r, *a));
                continue;
            }
            // Several in one place: pair those reached by an edge of the same name.
            for &r in gone {
                let name = old_parents.get(r).and_then(|e| e.name.as_deref());
                let same: Vec<&&str> = appeared
                    .iter()
                    .filter(|a| new_parents.get(**a).and_then(|e| e.name.as_deref()) == name)
                    .collect();
                if let [a] = same.as_slice() {
                    matched.push((r, **a));
                }
            }
        }
        if matched.is_empty() {
            break;
        }
        for (r, a) in &matched {
            spec.vertex_map.insert((*r).to_owned(), (*a).to_owned());
        }
        removed.retain(|r| !matched.iter().any(|(m, _)| m == r));
        added.retain(|a| !matched.iter().any(|(_, m)| m == a));
    }
    // A derived mapping must compile: leave out whatever a fatal issue names.
    for _ in 0..3 {
        let (_, report) = analyse(old, new, &spec);
        let fatal: Vec<_> = report.issues.iter().filter(|i| i.kind.is_fatal()).collect();
        if fatal.is_empty() {
            break;
        }
        let named: Vec<String> = old
            .vertices()
            .keys()
            .filter(|v| fatal.iter().any(|i| i.element.contains(&format!("{v:?}"))))
            .cloned()
            .collect();
        if named.is_empty() {
            break;
        }
        for v in named {
            spec.vertex_map.remove(&v);
            spec.excluded.insert(v);
        }
    }
    spec
}
