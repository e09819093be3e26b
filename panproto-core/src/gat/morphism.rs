//! Theory morphisms: each sort and operation of a domain theory sent to
//! one of a codomain theory, so that sort arities and operation
//! signatures agree and every equation of the domain holds in the
//! codomain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::term::{Term, head};
use super::{GatError, Theory};

/// Where each sort and operation goes; one not named goes to the one of
/// the same name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Morphism {
    /// Domain sort → codomain sort.
    #[serde(default)]
    pub sorts: BTreeMap<String, String>,
    /// Domain operation → codomain operation.
    #[serde(default)]
    pub ops: BTreeMap<String, String>,
}

/// A morphism that checked: every sort, operation and equation of the
/// domain with its image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// Domain sort → codomain sort, every one.
    pub sorts: BTreeMap<String, String>,
    /// Domain operation → codomain operation, every one.
    pub ops: BTreeMap<String, String>,
    /// Domain equation → the codomain equation it becomes.
    pub equations: BTreeMap<String, String>,
}

impl Morphism {
    /// Checks that this morphism takes `domain` into `codomain`.
    ///
    /// # Errors
    /// [`GatError`] naming each sort not sent to a sort (or to one of
    /// another arity), each operation not sent to one with the image
    /// signature, each equation that does not become one of the codomain,
    /// and each name of the map the domain does not have.
    pub fn check(&self, domain: &Theory, codomain: &Theory) -> Result<Checked, GatError> {
        let mut problems = Vec::new();
        let unknown = |what: &str, n: &String| {
            format!(
                "the map sends {what} {n}, which {} does not have",
                domain.name
            )
        };
        problems.extend(
            self.sorts
                .keys()
                .filter(|n| domain.sort(n).is_none())
                .map(|n| unknown("sort", n)),
        );
        problems.extend(
            self.ops
                .keys()
                .filter(|n| domain.op(n).is_none())
                .map(|n| unknown("operation", n)),
        );
        let image = |map: &BTreeMap<String, String>, n: &str| {
            map.get(n).cloned().unwrap_or_else(|| n.to_owned())
        };
        let sorts: BTreeMap<String, String> = domain
            .sorts
            .iter()
            .map(|s| (s.name.clone(), image(&self.sorts, &s.name)))
            .collect();
        let ops: BTreeMap<String, String> = domain
            .ops
            .iter()
            .map(|o| (o.name.clone(), image(&self.ops, &o.name)))
            .collect();
        let sort_image = |text: &str| {
            sorts
                .get(head(text))
                .cloned()
                .unwrap_or_else(|| head(text).to_owned())
        };

        for s in &domain.sorts {
            let to = &sorts[&s.name];
            match codomain.sort(to) {
                None => problems.push(format!(
                    "sort {} goes to {to}, which is not a sort of {}",
                    s.name, codomain.name
                )),
                Some(t) if t.params.len() != s.params.len() => problems.push(format!(
                    "sort {} takes {} parameters, its image {to} {}",
                    s.name,
                    s.params.len(),
                    t.params.len()
                )),
                Some(t) => {
                    for ((p, of), (_, their)) in s.params.iter().zip(&t.params) {
                        if sort_image(of) != head(their) {
                            problems.push(format!(
                                "sort {}: parameter {p} is a {}, which goes to {}, but {to}'s is a {}",
                                s.name,
                                head(of),
                                sort_image(of),
                                head(their)
                            ));
                        }
                    }
                }
            }
        }
        for o in &domain.ops {
            let to = &ops[&o.name];
            let Some(t) = codomain.op(to) else {
                problems.push(format!(
                    "operation {} goes to {to}, which is not an operation of {}",
                    o.name, codomain.name
                ));
                continue;
            };
            let want: Vec<String> = o.inputs.iter().map(|(_, s)| sort_image(s)).collect();
            let have: Vec<&str> = t.inputs.iter().map(|(_, s)| head(s)).collect();
            if want != have || sort_image(&o.output) != head(&t.output) {
                problems.push(format!(
                    "operation {}: its image should be ({}) -> {}, but {to} is ({}) -> {}",
                    o.name,
                    want.join(", "),
                    sort_image(&o.output),
                    have.join(", "),
                    head(&t.output)
                ));
            }
        }
        let mut equations = BTreeMap::new();
        if problems.is_empty() {
            let theirs: Vec<(&str, (Term, Term))> = codomain
                .eqs
                .iter()
                .filter_map(|e| {
                    codomain
                        .equation_sides(e)
                        .ok()
                        .map(|s| (e.name.as_str(), numbered(&s.0, &s.1)))
                })
                .collect();
            for e in &domain.eqs {
                let Ok((l, r)) = domain.equation_sides(e) else {
                    continue;
                };
                let (l, r) = (l.map_ops(&ops), r.map_ops(&ops));
                let ours = numbered(&l, &r);
                let flipped = numbered(&r, &l);
                match theirs.iter().find(|(_, t)| *t == ours || *t == flipped) {
                    Some((name, _)) => {
                        equations.insert(e.name.clone(), (*name).to_owned());
                    }
                    None => problems.push(format!(
                        "equation {} is not preserved: {l} = {r} is not an equation of {}",
                        e.name, codomain.name
                    )),
                }
            }
        }
        GatError::check(
            || format!("morphism {} -> {}", domain.name, codomain.name),
            problems,
        )?;
        Ok(Checked {
            sorts,
            ops,
            equations,
        })
    }
}

/// Both sides with their variables numbered in order of appearance.
fn numbered(lhs: &Term, rhs: &Term) -> (Term, Term) {
    let mut names = BTreeMap::new();
    let l = lhs.numbered(&mut names);
    (l, rhs.numbered(&mut names))
}
