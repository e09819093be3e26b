//! The GAT engine: generalised algebraic theories, their colimits and
//! their morphisms.
//!
//! A [`Theory`] has sorts (a sort with parameters is a dependent sort,
//! such as `Hom(a: Ob, b: Ob)`), operations with typed inputs and an
//! output, and equations between terms. [`colimit`] glues two theories
//! along a shared one (a pushout), and a [`Morphism`] sends one theory
//! into another, checked for sort arities, operation signatures and
//! equations ([`Morphism::check`]). Every protocol's schema and instance
//! theories are theories of this kind ([`schema_theory`],
//! [`instance_theory`]), made from the protocol as colimits.
//!
//! Sort references are checked for their sort and arity; the indices of
//! a dependent sort (`Hom(a, b)`) are not unified across a term, and an
//! equation is preserved by a morphism when it becomes one of the
//! codomain's equations, up to renaming its variables and its sides
//! (not when it merely follows from them).

mod colimit;
mod error;
mod morphism;
mod protocol;
mod term;
mod theory;

pub use colimit::colimit;
pub use error::GatError;
pub use morphism::{Checked, Morphism};
pub use protocol::{graph, instance_theory, schema_theory};
pub use term::Term;
pub use theory::{Equation, Op, Sort, Theory};
