//! Symmetric lenses: two record types kept in step through a shared
//! complement, each side able to change and be carried to the other.
//!
//! Built as a span: two lenses from one source record type, `left` to
//! the first side and `right` to the second. The shared complement is the
//! source record itself. Putting a record of one side puts it into the
//! source (with what the source held for that side's lens) and reads the
//! other side from the result, so nothing either side does not show is
//! lost. The laws (PutRL, PutLR): putting a side's record across and
//! back gives that record again, because each lens's PutGet and GetPut
//! hold.

use super::{Chain, Complement, Lens, LensError};
use crate::model::Value;

/// Two sides kept in step through their shared source record.
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricLens {
    left: Lens,
    right: Lens,
}

impl SymmetricLens {
    /// The span of `left` and `right`, two lenses from one source.
    pub fn new(left: Lens, right: Lens) -> Self {
        Self { left, right }
    }

    /// `lens` made symmetric: its source is the left side, its view the right.
    pub fn of(lens: Lens) -> Self {
        Self {
            left: Lens {
                chain: Chain::default(),
            },
            right: lens,
        }
    }

    /// The lens to the left side.
    pub fn left(&self) -> &Lens {
        &self.left
    }

    /// The lens to the right side.
    pub fn right(&self) -> &Lens {
        &self.right
    }

    /// The right side's record for left record `record`, and the new shared
    /// complement; `shared` is the complement the last put gave (`None`
    /// the first time: what neither side shows takes its defaults).
    ///
    /// # Errors
    /// [`LensError::Shape`] for a record (or complement) a step cannot read.
    pub fn put_right(
        &self,
        record: Value,
        shared: Option<Value>,
    ) -> Result<(Value, Value), LensError> {
        across(&self.left, &self.right, record, shared)
    }

    /// The left side's record for right record `record`, and the new shared
    /// complement (see [`put_right`](Self::put_right)).
    ///
    /// # Errors
    /// As [`put_right`](Self::put_right).
    pub fn put_left(
        &self,
        record: Value,
        shared: Option<Value>,
    ) -> Result<(Value, Value), LensError> {
        across(&self.right, &self.left, record, shared)
    }
}

/// Puts `record` (a view of `from`) into the source, then reads `to`'s view.
fn across(
    from: &Lens,
    to: &Lens,
    record: Value,
    shared: Option<Value>,
) -> Result<(Value, Value), LensError> {
    let complement = match shared {
        Some(source) => from.get(source)?.1,
        None => Complement::Empty,
    };
    let source = from.put(record, &complement)?;
    let (view, _) = to.get(source.clone())?;
    Ok((view, source))
}
