//! Existence checking: can a migration's mapping carry records from its
//! source schema to its target, and what will it lose or risk?
//!
//! [`check_existence`] reports every issue with one of ten kinds. Six make
//! a mapping unusable and [`MigrationBuilder::compile`](crate::migration::MigrationBuilder::compile)
//! refuses them ([`ExistenceKind::is_fatal`]); four describe data a valid
//! migration drops or risks, and are for the user to judge.
//!
//! The checks live here (in `checks`), and drive the plan's builder (in
//! `migration/plan.rs`), which only plans: `analyse` yields the plan and
//! the report together, so `compile` checks and plans in one pass.

use std::fmt;

use serde::{Deserialize, Serialize};

mod checks;

use std::collections::BTreeMap;

use crate::migration::MigrationSpec;
use crate::migration::plan::{Builder, Plan};
use crate::model::schema::Schema;

/// The ten kinds of existence issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExistenceKind {
    /// Both ends of a source edge survive but the target has no edge to carry it: its data is dropped.
    EdgeMissing,
    /// A vertex is mapped to one whose values have another shape (text to a number, an object to a list).
    KindInconsistency,
    /// An edge is mapped to an edge of another kind or role.
    LabelInconsistency,
    /// The target requires a field that nothing in the source maps to.
    RequiredFieldMissing,
    /// The target constrains mapped data more tightly than the source did.
    ConstraintTightened,
    /// A resolver names an edge the target does not have, or one that does not join its kinds.
    ResolverInvalid,
    /// The mapping names vertices or edges that do not exist, or leaves the record root unmapped.
    WellFormedness,
    /// An edge is mapped to an edge whose ends are not the images of its own ends.
    SignatureCoherence,
    /// Two source fields land on the same key of one target object.
    Simultaneity,
    /// A mapped vertex can only be reached through dropped ones that cannot be contracted: its data is lost.
    ReachabilityRisk,
}

impl ExistenceKind {
    /// Every kind, in declaration order (what `list_kinds()` reports).
    pub const ALL: &'static [Self] = &[
        Self::EdgeMissing,
        Self::KindInconsistency,
        Self::LabelInconsistency,
        Self::RequiredFieldMissing,
        Self::ConstraintTightened,
        Self::ResolverInvalid,
        Self::WellFormedness,
        Self::SignatureCoherence,
        Self::Simultaneity,
        Self::ReachabilityRisk,
    ];

    /// The kebab-case code, e.g. `"edge-missing"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::EdgeMissing => "edge-missing",
            Self::KindInconsistency => "kind-inconsistency",
            Self::LabelInconsistency => "label-inconsistency",
            Self::RequiredFieldMissing => "required-field-missing",
            Self::ConstraintTightened => "constraint-tightened",
            Self::ResolverInvalid => "resolver-invalid",
            Self::WellFormedness => "well-formedness",
            Self::SignatureCoherence => "signature-coherence",
            Self::Simultaneity => "simultaneity",
            Self::ReachabilityRisk => "reachability-risk",
        }
    }

    /// Whether the mapping cannot be compiled with this issue.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            Self::KindInconsistency
                | Self::LabelInconsistency
                | Self::ResolverInvalid
                | Self::WellFormedness
                | Self::SignatureCoherence
                | Self::Simultaneity
        )
    }
}

/// One issue, with the element it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistenceIssue {
    /// Which kind.
    pub kind: ExistenceKind,
    /// The element: a vertex id, an edge `src -kind[name]-> tgt`, or a resolver.
    pub element: String,
    /// What is wrong and what it means for records.
    pub message: String,
}

impl fmt::Display for ExistenceIssue {
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

/// Every issue of a mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistenceReport {
    /// The issues, in a stable order (by kind, then element).
    pub issues: Vec<ExistenceIssue>,
}

impl ExistenceReport {
    /// Whether there is no issue at all.
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty()
    }

    /// Whether the mapping can be compiled (no fatal issue).
    pub fn is_compilable(&self) -> bool {
        !self.issues.iter().any(|i| i.kind.is_fatal())
    }
}

/// Checks a mapping from `src` to `tgt` and reports every issue.
pub fn check_existence(src: &Schema, tgt: &Schema, spec: &MigrationSpec) -> ExistenceReport {
    analyse(src, tgt, spec).1
}

/// Compiles `spec` into a plan and reports every existence issue. The plan
/// is usable only if the report has no fatal issue.
///
/// The checks of the mapping itself run first; the plan's nodes are built
/// for every mapped vertex; then the checks that read the plan.
pub(crate) fn analyse(src: &Schema, tgt: &Schema, spec: &MigrationSpec) -> (Plan, ExistenceReport) {
    let mut b = Builder::new(src, tgt, spec);
    checks::check_mapping(&mut b);
    let roots = b.src.roots();
    let normal: BTreeMap<String, usize> = b.plan_mapped();
    let mapped_roots: Vec<&String> = roots.iter().filter(|r| normal.contains_key(*r)).collect();
    checks::check_roots(&mut b, &roots, &mapped_roots);
    checks::check_simultaneity(&mut b, &normal);
    checks::check_reachability(&mut b, &normal, &mapped_roots);
    checks::check_required_and_constraints(&mut b, &normal);
    let default_root = match mapped_roots.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    };
    let (plan, issues) = b.finish(normal, roots, default_root);
    (plan, ExistenceReport { issues })
}

#[cfg(test)]
mod kind_tests {
    use super::ExistenceKind;

    /// `ALL` lists every kind once, in declaration order. A new variant
    /// makes this `match` non-exhaustive, so it does not compile until the
    /// variant is given its position here and added to `ALL` there.
    #[test]
    fn all_lists_every_kind() {
        let position = |kind: ExistenceKind| match kind {
            ExistenceKind::EdgeMissing => 0,
            ExistenceKind::KindInconsistency => 1,
            ExistenceKind::LabelInconsistency => 2,
            ExistenceKind::RequiredFieldMissing => 3,
            ExistenceKind::ConstraintTightened => 4,
            ExistenceKind::ResolverInvalid => 5,
            ExistenceKind::WellFormedness => 6,
            ExistenceKind::SignatureCoherence => 7,
            ExistenceKind::Simultaneity => 8,
            ExistenceKind::ReachabilityRisk => 9,
        };
        for (i, &kind) in ExistenceKind::ALL.iter().enumerate() {
            assert_eq!(position(kind), i, "{kind:?} is out of place in ALL");
        }
        assert_eq!(ExistenceKind::ALL.len(), 10, "a kind is missing from ALL");
    }
}
