//! What goes wrong with a theory, a colimit or a morphism.

/// A theory, colimit or morphism that is ill-formed: every problem found,
/// each naming the sort, operation or equation it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what}: {} problem{}: {}",
    .problems.len(),
    if .problems.len() == 1 { "" } else { "s" },
    .problems.join("; ")
)]
pub struct GatError {
    /// What was being made or checked, e.g. `theory ThGraph`,
    /// `colimit of ThGraph and ThConstraint`, `morphism ThGraph -> ThCategory`.
    pub what: String,
    /// Each problem in a sentence, e.g. `operation src: input e has sort
    /// Edg, which is not a sort of the theory`.
    pub problems: Vec<String>,
}

impl GatError {
    /// Nothing if `problems` is empty, else the error.
    pub(super) fn check(what: impl FnOnce() -> String, problems: Vec<String>) -> Result<(), Self> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Self {
                what: what(),
                problems,
            })
        }
    }
}
