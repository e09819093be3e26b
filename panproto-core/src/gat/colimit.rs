//! The colimit of two theories over a shared one: their pushout, which
//! glues them along the shared sorts, operations and equations and keeps
//! everything else of each.

use super::{GatError, Theory};

/// `left` and `right` glued along `shared`, named `name` (by default
/// `left+right`).
///
/// `shared` must be part of both: each of its sorts, operations and
/// equations declared in each, the same. The colimit holds `left`'s
/// declarations, then those of `right` that `shared` does not hold.
///
/// # Errors
/// [`GatError`] naming each shared declaration one side lacks or declares
/// otherwise, and each name both sides declare differently... or declare
/// at all, outside `shared` (a pushout keeps the two apart; say that they
/// are one by putting it in `shared`, or rename one).
pub fn colimit(
    left: &Theory,
    right: &Theory,
    shared: &Theory,
    name: Option<&str>,
) -> Result<Theory, GatError> {
    let what = || {
        format!(
            "colimit of {} and {} over {}",
            left.name, right.name, shared.name
        )
    };
    let mut problems = Vec::new();
    for side in [left, right] {
        for s in &shared.sorts {
            match side.sort(&s.name) {
                None => problems.push(format!(
                    "sort {} of {} is not in {}",
                    s.name, shared.name, side.name
                )),
                Some(t) if t != s => problems.push(format!(
                    "sort {} is declared otherwise in {} than in {}",
                    s.name, side.name, shared.name
                )),
                Some(_) => {}
            }
        }
        for o in &shared.ops {
            match side.op(&o.name) {
                None => problems.push(format!(
                    "operation {} of {} is not in {}",
                    o.name, shared.name, side.name
                )),
                Some(t) if t != o => problems.push(format!(
                    "operation {} has another signature in {} than in {}",
                    o.name, side.name, shared.name
                )),
                Some(_) => {}
            }
        }
        for e in &shared.eqs {
            match side.eq(&e.name) {
                None => problems.push(format!(
                    "equation {} of {} is not in {}",
                    e.name, shared.name, side.name
                )),
                Some(t) if t != e => problems.push(format!(
                    "equation {} says otherwise in {} than in {}",
                    e.name, side.name, shared.name
                )),
                Some(_) => {}
            }
        }
    }
    let mut glued = left.clone();
    glued.name = name.map_or_else(|| format!("{}+{}", left.name, right.name), str::to_owned);
    let clash = |kind: &str, n: &str| {
        format!(
            "{kind} {n} is in both {} and {} but not in {}: put it in the shared theory, or rename one",
            left.name, right.name, shared.name
        )
    };
    for s in right
        .sorts
        .iter()
        .filter(|s| shared.sort(&s.name).is_none())
    {
        if left.sort(&s.name).is_some() {
            problems.push(clash("sort", &s.name));
        } else {
            glued.sorts.push(s.clone());
        }
    }
    for o in right.ops.iter().filter(|o| shared.op(&o.name).is_none()) {
        if left.op(&o.name).is_some() {
            problems.push(clash("operation", &o.name));
        } else {
            glued.ops.push(o.clone());
        }
    }
    for e in right.eqs.iter().filter(|e| shared.eq(&e.name).is_none()) {
        if left.eq(&e.name).is_some() {
            problems.push(clash("equation", &e.name));
        } else {
            glued.eqs.push(e.clone());
        }
    }
    GatError::check(what, problems)?;
    glued.checked()
}
