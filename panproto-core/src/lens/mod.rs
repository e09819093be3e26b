//! Lenses: bidirectional transformations of records, built from
//! Cambria's combinators.
//!
//! A [`Step`] says what to do to a record without naming a schema (a
//! protolens, in the seed's terms): rename a field, add one with a
//! default, remove one, hoist a field out of a nested object or plunge
//! it into one, wrap a value into a one-element list or take a list's
//! head, convert values through a table, or do any of that inside a
//! field ([`Step::In`]) or to every item of a list ([`Step::Map`]). A
//! [`Chain`] is steps in order; [`Chain::compile`] checks it and gives a
//! [`Lens`].
//!
//! [`Lens::get`] turns a record into its view and a [`Complement`]: what
//! the view does not show (a removed field's value, a list's tail, an
//! original value a conversion table cannot give back), so that
//! [`Lens::put`] restores the record exactly from the view and the
//! complement. Every step works on the record in place, and a chain runs
//! all its steps over one owned record: a chain is one pass, not one
//! copy of the record per step.
//!
//! The laws ([`laws`]): GetPut (`put(get(r)) == r`), PutGet (a view put
//! and got again comes back unchanged) and PutPut (putting twice is
//! putting the second). The complement is what makes GetPut hold for
//! every combinator, so a lens is lossless on the records it reads.

mod auto;
mod draft;
mod error;
mod fit;
pub mod laws;
mod optic;
mod schema;
mod step;
mod symmetric;

pub use error::LensError;
pub use fit::Fit;
pub use optic::Optic;
pub use step::{CHAIN_FORMAT, Chain, Complement, Step};
pub use symmetric::SymmetricLens;

use crate::model::Value;

/// A checked chain, ready to move records.
#[derive(Debug, Clone, PartialEq)]
pub struct Lens {
    chain: Chain,
}

impl Lens {
    /// The chain this lens runs.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// What kind of optic it is (see [`Optic`]).
    pub fn optic(&self) -> Optic {
        self.chain.optic()
    }

    /// The view of `record` and the complement that restores it.
    ///
    /// # Errors
    /// [`LensError::Shape`] naming the step and the path when the record
    /// does not have the shape a step needs (an object where a field is
    /// read, a list where one is mapped).
    pub fn get(&self, record: Value) -> Result<(Value, Complement), LensError> {
        self.chain.get(record)
    }

    /// The record that `view` and `complement` come from; with
    /// [`Complement::Empty`] (nothing known), what each step does with no
    /// complement: a removed field comes back as its default.
    ///
    /// # Errors
    /// As [`get`](Self::get); [`LensError::Complement`] for a complement
    /// that is not this lens's.
    pub fn put(&self, view: Value, complement: &Complement) -> Result<Value, LensError> {
        self.chain.put(view, complement)
    }
}
