//! The colimit of two theories over a shared one: their pushout, which
//! glues them along the shared sorts, operations and equations and keeps
//! everything else of each.

use super::theory::Declaration;
use super::{Equation, GatError, Op, Sort, Theory};

/// `left` and `right` glued along `shared`, named `name` (by default
/// `left+right`).
///
/// `shared` must be part of both: each of its sorts, operations and
/// equations declared in each, the same. The colimit holds `left`'s
/// declarations, then those of `right` that `shared` does not hold.
///
/// # Errors
/// [`GatError`] naming each shared declaration one side lacks or declares
/// otherwise, and each name both sides declare outside `shared` (a
/// pushout keeps the two apart: say they are one by putting it in
/// `shared`, or rename one).
pub fn colimit(
    left: &Theory,
    right: &Theory,
    shared: &Theory,
    name: Option<&str>,
) -> Result<Theory, GatError> {
    let mut glued = left.clone();
    glued.name = name.map_or_else(|| format!("{}+{}", left.name, right.name), str::to_owned);
    let mut problems = Vec::new();
    let sides = Sides {
        left,
        right,
        shared,
    };
    glued.sorts.extend(sides.glue::<Sort>(&mut problems));
    glued.ops.extend(sides.glue::<Op>(&mut problems));
    glued.eqs.extend(sides.glue::<Equation>(&mut problems));
    GatError::check(
        || {
            format!(
                "colimit of {} and {} over {}",
                left.name, right.name, shared.name
            )
        },
        problems,
    )?;
    glued.checked()
}

/// The three theories of a colimit.
struct Sides<'t> {
    left: &'t Theory,
    right: &'t Theory,
    shared: &'t Theory,
}

impl Sides<'_> {
    /// The declarations of one kind `right` adds to `left`, reporting a
    /// shared one a side lacks or declares otherwise, and a name both
    /// declare outside `shared`.
    fn glue<T: Declaration>(&self, problems: &mut Vec<String>) -> Vec<T> {
        let shared = self.shared;
        for side in [self.left, self.right] {
            for s in T::all(shared) {
                match T::find(side, s.name()) {
                    None => problems.push(format!(
                        "{} {} of {} is not in {}",
                        T::KIND,
                        s.name(),
                        shared.name,
                        side.name
                    )),
                    Some(t) if t != s => problems.push(format!(
                        "{} {} is declared otherwise in {} than in {}",
                        T::KIND,
                        s.name(),
                        side.name,
                        shared.name
                    )),
                    Some(_) => {}
                }
            }
        }
        let mut added = Vec::new();
        for d in T::all(self.right) {
            if T::find(shared, d.name()).is_some() {
                continue;
            }
            if T::find(self.left, d.name()).is_some() {
                problems.push(format!(
                    "{} {} is in both {} and {} but not in {}: put it in the shared theory, or rename one",
                    T::KIND,
                    d.name(),
                    self.left.name,
                    self.right.name,
                    shared.name
                ));
            } else {
                added.push(d.clone());
            }
        }
        added
    }
}
