//! What goes wrong with a lens.

/// A lens that cannot be compiled, or a record it cannot move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LensError {
    /// A step that cannot work whatever the record (a default that is
    /// not of the field's kind, a conversion table that maps a value
    /// twice, a rename onto the same name).
    #[error("{step}: {message}")]
    Invalid {
        /// The step, e.g. `step 2 (convert status)`.
        step: String,
        /// What is wrong with it.
        message: String,
    },
    /// A record (or view) without the shape a step needs.
    #[error("{step}, at {path}: {message}")]
    Shape {
        /// The step.
        step: String,
        /// Where in the record, e.g. `body.tags`.
        path: String,
        /// What was expected and found.
        message: String,
    },
    /// A chain's JSON that cannot be read.
    #[error("lens JSON, line {line}, column {column}: {message}")]
    Json {
        /// Where (1-based).
        line: usize,
        /// Where on the line (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A complement that is not the one this lens's `get` makes.
    #[error("{step}: the complement does not fit ({message})")]
    Complement {
        /// The step.
        step: String,
        /// What was expected.
        message: String,
    },
}
