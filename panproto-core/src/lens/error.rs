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
    /// A step that does not fit the schema it is instantiated on (a
    /// field the schema does not have, a list that is not one), or a
    /// target schema that breaks the protocol's rules.
    #[error("{step}, at {path}: {message}")]
    Schema {
        /// The step.
        step: String,
        /// Where, as a record path.
        path: String,
        /// What does not fit.
        message: String,
    },
    /// A lens that does not take a schema to the one it should: each
    /// difference between the lens's schema and the expected one.
    #[error(
        "the lens does not take the schema to the expected one ({total} difference{}): {}{}",
        if *.total == 1 { "" } else { "s" },
        .differences.join("; "),
        if *.total > .differences.len() { "; ..." } else { "" }
    )]
    Mismatch {
        /// How many differences there are.
        total: usize,
        /// The first of them, each in a sentence.
        differences: Vec<String>,
    },
}
