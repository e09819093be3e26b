//! The lowest layer: identifiers and the canonical, versioned encoding of
//! objects, which every layer above uses and which depends on nothing else
//! of the crate.
//!
//! An [`ObjectId`] is the blake3 hash of an object's encoding: a one-line
//! header naming the format version and the object's kind, then its
//! canonical body. [`StoredObject`] is that encoding as stores keep it
//! (behind one codec byte, zstd-compressed when long).

mod id;
mod object;

pub use id::{ObjectId, ParseObjectIdError};
pub use object::{OBJECT_FORMAT, ObjectError, ObjectKind, StoredObject, unpack, unpack_checked};
pub(crate) use object::{body_of, corrupt, encoding, object_id_of_json, pack};
