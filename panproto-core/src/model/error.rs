//! The model layer's errors: an unusable protocol, an invalid schema.
//!
//! The Python bindings map [`ProtocolError`] and [`SchemaError`] onto
//! `panproto.SchemaValidationError`.

use std::fmt;

/// A protocol could not be found or its specification is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// No built-in protocol has this name.
    #[error("unknown protocol {name:?}; the known protocols are {}", .known.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names that exist.
        known: Vec<String>,
    },
    /// The specification contradicts itself.
    #[error("protocol {name:?} is not valid: {}", .problems.join("; "))]
    Invalid {
        /// The protocol's name.
        name: String,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// The specification could not be parsed.
    #[error("protocol specification is malformed: {0}")]
    Malformed(String),
}

/// What kind of rule a schema breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IssueKind {
    /// Two vertices share an id.
    DuplicateVertex,
    /// A vertex kind the protocol does not declare.
    UnknownKind,
    /// An edge, constraint, hyper-edge or required list names a vertex that does not exist.
    MissingVertex,
    /// An edge kind the protocol does not declare.
    UnknownEdgeKind,
    /// An edge joins vertex kinds its rule does not allow.
    EdgeRuleViolation,
    /// An edge of a named kind has no name, or two share one.
    EdgeName,
    /// The same edge appears twice.
    DuplicateEdge,
    /// A constraint sort the protocol does not declare.
    UnknownConstraintSort,
    /// A required list names an edge the vertex does not have.
    MissingRequiredEdge,
    /// A hyper-edge is malformed.
    HyperEdge,
    /// The schema belongs to another protocol than the one it is checked against.
    ProtocolMismatch,
}

impl IssueKind {
    /// Every kind, in declaration order (what `list_kinds()` reports).
    pub const ALL: &'static [Self] = &[
        Self::DuplicateVertex,
        Self::UnknownKind,
        Self::MissingVertex,
        Self::UnknownEdgeKind,
        Self::EdgeRuleViolation,
        Self::EdgeName,
        Self::DuplicateEdge,
        Self::UnknownConstraintSort,
        Self::MissingRequiredEdge,
        Self::HyperEdge,
        Self::ProtocolMismatch,
    ];

    /// Stable kebab-case code, used in JSON output and Python.
    pub fn code(self) -> &'static str {
        match self {
            Self::DuplicateVertex => "duplicate-vertex",
            Self::UnknownKind => "unknown-kind",
            Self::MissingVertex => "missing-vertex",
            Self::UnknownEdgeKind => "unknown-edge-kind",
            Self::EdgeRuleViolation => "edge-rule-violation",
            Self::EdgeName => "edge-name",
            Self::DuplicateEdge => "duplicate-edge",
            Self::UnknownConstraintSort => "unknown-constraint-sort",
            Self::MissingRequiredEdge => "missing-required-edge",
            Self::HyperEdge => "hyper-edge",
            Self::ProtocolMismatch => "protocol-mismatch",
        }
    }
}

/// One rule a schema breaks, with the element it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    /// Which rule.
    pub kind: IssueKind,
    /// The element, e.g. `vertex "post"` or `edge post -prop[text]-> post:text`.
    pub element: String,
    /// A sentence saying what is wrong.
    pub message: String,
}

impl fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} [{}]",
            self.element,
            self.message,
            self.kind.code()
        )
    }
}

/// A schema could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The schema breaks its protocol's rules; every issue is listed.
    #[error("schema is not valid for protocol {protocol:?} ({} error{}):\n  {}",
        .issues.len(), if .issues.len() == 1 { "" } else { "s" },
        .issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        /// The protocol checked against.
        protocol: String,
        /// Every issue found, in the order the elements were declared.
        issues: Vec<SchemaIssue>,
    },
    /// A schema's JSON form could not be parsed.
    #[error("schema JSON is malformed: {0}")]
    Malformed(String),
    /// The protocol the schema names is not known.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
}

#[cfg(test)]
mod kind_tests {
    use super::IssueKind;

    /// `ALL` lists every kind once, in declaration order. A new variant
    /// makes this `match` non-exhaustive, so it does not compile until the
    /// variant is given its position here and added to `ALL` there.
    #[test]
    fn all_lists_every_kind() {
        let position = |kind: IssueKind| match kind {
            IssueKind::DuplicateVertex => 0,
            IssueKind::UnknownKind => 1,
            IssueKind::MissingVertex => 2,
            IssueKind::UnknownEdgeKind => 3,
            IssueKind::EdgeRuleViolation => 4,
            IssueKind::EdgeName => 5,
            IssueKind::DuplicateEdge => 6,
            IssueKind::UnknownConstraintSort => 7,
            IssueKind::MissingRequiredEdge => 8,
            IssueKind::HyperEdge => 9,
            IssueKind::ProtocolMismatch => 10,
        };
        for (i, &kind) in IssueKind::ALL.iter().enumerate() {
            assert_eq!(position(kind), i, "{kind:?} is out of place in ALL");
        }
        assert_eq!(IssueKind::ALL.len(), 11, "a kind is missing from ALL");
    }
}
