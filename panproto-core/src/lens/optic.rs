//! What kind of optic a chain is, and the chain fused.
//!
//! The classes are the usual ones, from the most to the least
//! well-behaved: an [`Optic::Iso`] loses nothing, so `put` needs no
//! complement for records of its source; a [`Optic::Lens`] has one focus
//! but drops or adds data the complement keeps; a [`Optic::Prism`] has a
//! focus that may be missing but rebuilds the whole from it; an
//! [`Optic::Affine`] has at most one focus (a list's head, absent for an
//! empty list); a [`Optic::Traversal`] has many (every item of a list).
//! A chain is the least well-behaved of its steps, where lens and prism
//! together make an affine.

use serde::{Deserialize, Serialize};

use super::{Chain, Step};

/// The class of a lens or chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Optic {
    /// Nothing is lost either way: `put` needs no complement.
    Iso,
    /// One focus; what the view leaves out is in the complement.
    Lens,
    /// A focus that may be missing, from which the whole is rebuilt. No
    /// combinator is one alone; the class is here for the lattice.
    Prism,
    /// At most one focus.
    Affine,
    /// Any number of foci.
    Traversal,
}

impl Optic {
    /// The optic's name, as Python and the CLI show it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Iso => "iso",
            Self::Lens => "lens",
            Self::Prism => "prism",
            Self::Affine => "affine",
            Self::Traversal => "traversal",
        }
    }

    /// The least class both are in.
    #[must_use]
    pub fn join(self, other: Self) -> Self {
        use Optic::{Affine, Iso, Lens, Prism, Traversal};
        match (self, other) {
            (Iso, x) | (x, Iso) => x,
            (Traversal, _) | (_, Traversal) => Traversal,
            (Lens, Lens) => Lens,
            (Prism, Prism) => Prism,
            _ => Affine,
        }
    }
}

impl Step {
    /// This step's class.
    pub fn optic(&self) -> Optic {
        match self {
            Self::Rename { .. } | Self::Hoist { .. } | Self::Plunge { .. } | Self::Wrap { .. } => {
                Optic::Iso
            }
            Self::Convert {
                mapping, reverse, ..
            } => {
                let one_to_one = mapping
                    .iter()
                    .enumerate()
                    .all(|(i, (_, to))| !mapping[..i].iter().any(|(_, t)| t == to));
                // A value the table maps onto another value of the table
                // (a -> b, b -> c) cannot come back without the complement.
                let closed = mapping
                    .iter()
                    .all(|(_, to)| !mapping.iter().any(|(from, _)| from == to));
                let own_inverse = reverse.as_ref().is_none_or(|r| {
                    r.len() == mapping.len()
                        && r.iter()
                            .all(|(to, from)| mapping.iter().any(|(f, t)| f == from && t == to))
                });
                if one_to_one && closed && own_inverse {
                    Optic::Iso
                } else {
                    Optic::Lens
                }
            }
            Self::Add { .. } | Self::Remove { .. } => Optic::Lens,
            Self::Head { .. } => Optic::Affine,
            Self::In { steps, .. } => steps.optic(),
            Self::Map { .. } => Optic::Traversal,
        }
    }
}

impl Chain {
    /// The chain's class: the join of its steps'.
    pub fn optic(&self) -> Optic {
        self.0.iter().fold(Optic::Iso, |o, s| o.join(s.optic()))
    }

    /// The same lens with fewer descents: consecutive steps into the same
    /// field (`in`) or over the same list (`map`) become one, inner chains
    /// fused too. A chain already runs in one pass over each record (every
    /// step works on the one owned record in place); fusing saves looking
    /// the same nested object up once per step.
    #[must_use]
    pub fn fuse(&self) -> Self {
        let mut out: Vec<Step> = Vec::with_capacity(self.0.len());
        for step in &self.0 {
            let step = match step {
                Step::In { field, steps } => Step::In {
                    field: field.clone(),
                    steps: steps.fuse(),
                },
                Step::Map { steps } => Step::Map {
                    steps: steps.fuse(),
                },
                other => other.clone(),
            };
            match (out.last_mut(), step) {
                (
                    Some(Step::In {
                        field: last,
                        steps: inner,
                    }),
                    Step::In { field, steps },
                ) if *last == field => {
                    *inner = std::mem::take(inner).then(steps).fuse();
                }
                (Some(Step::Map { steps: inner }), Step::Map { steps }) => {
                    *inner = std::mem::take(inner).then(steps).fuse();
                }
                (_, step) => out.push(step),
            }
        }
        Self(out)
    }
}
