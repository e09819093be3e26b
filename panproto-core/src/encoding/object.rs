//! The object encoding: what an object's bytes are, how its id is made,
//! and how a store keeps them.
//!
//! An object's *encoding* is a one-line header naming the format version and
//! the object kind, then the object's canonical body (JSON; MessagePack for
//! dataset chunks):
//!
//! ```text
//! panproto-object/1 schema\n{"protocol":"atproto","vertices":[...]}
//! ```
//!
//! Its [`ObjectId`] is the blake3 hash of that encoding. Stores keep the
//! encoding behind one codec byte, compressed when it is long
//! ([`StoredObject`]); decompressing and re-hashing proves an object intact,
//! which is what `verify` does. What the bodies hold (commits, schemas,
//! datasets) is the business of the layers above.

use std::borrow::Cow;

use super::ObjectId;

/// The object format version written into every header.
pub const OBJECT_FORMAT: u32 = 1;

/// Encodings longer than this are stored zstd-compressed.
// Commits and migrations stay below it, so reading a long history decompresses nothing.
const COMPRESS_ABOVE: usize = 1024;
const CODEC_RAW: u8 = 0;
const CODEC_ZSTD: u8 = 1;

/// The kinds of object a store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    /// A [`Schema`].
    Schema,
    /// A [`Commit`].
    Commit,
    /// A [`StoredMigration`].
    Migration,
    /// A [`Dataset`]: a named set of records conforming to one schema.
    Dataset,
    /// A chunk of a dataset: up to [`CHUNK_RECORDS`] values, MessagePack-encoded.
    Chunk,
    /// A [`Tag`]: an annotated tag.
    Tag,
    /// A [`Policy`]: the compatibility mode a branch or repository enforces.
    Policy,
}

impl ObjectKind {
    /// The kind's name in headers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Schema => "schema",
            Self::Commit => "commit",
            Self::Migration => "migration",
            Self::Dataset => "dataset",
            Self::Chunk => "chunk",
            Self::Tag => "tag",
            Self::Policy => "policy",
        }
    }

    /// The kind's small integer code, as stores keep it in a column.
    // Codes never change once written.
    pub fn code(self) -> i16 {
        match self {
            Self::Schema => 1,
            Self::Commit => 2,
            Self::Migration => 3,
            Self::Dataset => 4,
            Self::Chunk => 5,
            Self::Tag => 6,
            Self::Policy => 7,
        }
    }

    /// The kind with this code.
    pub fn from_code(code: i16) -> Option<Self> {
        match code {
            1 => Some(Self::Schema),
            2 => Some(Self::Commit),
            3 => Some(Self::Migration),
            4 => Some(Self::Dataset),
            5 => Some(Self::Chunk),
            6 => Some(Self::Tag),
            7 => Some(Self::Policy),
            _ => None,
        }
    }

    /// The encoding's first line; checked against [`OBJECT_FORMAT`] by a
    /// test. Static, as `log` checks it for every commit it reads.
    pub(crate) fn header(self) -> &'static str {
        match self {
            Self::Schema => "panproto-object/1 schema\n",
            Self::Commit => "panproto-object/1 commit\n",
            Self::Migration => "panproto-object/1 migration\n",
            Self::Dataset => "panproto-object/1 dataset\n",
            Self::Chunk => "panproto-object/1 chunk\n",
            Self::Tag => "panproto-object/1 tag\n",
            Self::Policy => "panproto-object/1 policy\n",
        }
    }
}

/// An object as a store keeps it: id, kind, first parent (for commits, so a
/// store can walk history in one query) and compressed encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// The object's id.
    pub id: ObjectId,
    /// Its kind.
    pub kind: ObjectKind,
    /// A commit's first parent; `None` for other kinds and root commits.
    pub parent: Option<ObjectId>,
    /// One codec byte, then the (possibly compressed) encoding.
    pub data: Vec<u8>,
}

/// An object's encoding: its header, then its body.
pub(crate) fn encode(kind: ObjectKind, json: &[u8]) -> Vec<u8> {
    let header = kind.header();
    let mut out = Vec::with_capacity(header.len() + json.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(json);
    out
}

/// An encoding as a store keeps it: one codec byte, then the bytes,
/// zstd-compressed when longer than [`COMPRESS_ABOVE`].
pub(crate) fn pack(encoding: &[u8]) -> Vec<u8> {
    if encoding.len() > COMPRESS_ABOVE {
        if let Ok(compressed) = zstd::bulk::compress(encoding, 3) {
            let mut out = Vec::with_capacity(compressed.len() + 1);
            out.push(CODEC_ZSTD);
            out.extend_from_slice(&compressed);
            return out;
        }
    }
    let mut out = Vec::with_capacity(encoding.len() + 1);
    out.push(CODEC_RAW);
    out.extend_from_slice(encoding);
    out
}

/// An object that cannot be encoded, or stored bytes that do not read as
/// the object they claim to be. The layer that read the bytes from a store
/// turns it into that store's error (`vcs::StoreError`, kind `Corrupt`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectError {
    /// Stored bytes are damaged.
    #[error("object {} is corrupt: {reason}", .id.short())]
    Corrupt {
        /// The object's id.
        id: ObjectId,
        /// What is wrong with its bytes.
        reason: String,
    },
    /// A value cannot be encoded (a map with more than 2³² entries, say).
    #[error("cannot be encoded: {0}")]
    Unencodable(String),
}

/// The error for object `id`, damaged because of `why`.
pub(crate) fn corrupt(id: &ObjectId, why: impl std::fmt::Display) -> ObjectError {
    ObjectError::Corrupt {
        id: *id,
        reason: why.to_string(),
    }
}

/// The id of the object of `kind` whose body is `value` as JSON (what
/// [`StoredObject::new`] would give that body), hashed as it is written: a large schema's body is tens of megabytes,
/// which neither it nor its encoding are then made to hold.
pub(crate) fn object_id_of_json(kind: ObjectKind, value: &impl serde::Serialize) -> ObjectId {
    use std::io::Write;
    let mut hasher = blake3::Hasher::new();
    hasher.update(kind.header().as_bytes());
    {
        // Buffered: serde_json writes token by token, and blake3 is fast
        // on long inputs only.
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, &mut hasher);
        // Writing strings, vectors and maps into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut out, value);
        let _ = out.flush();
    }
    ObjectId::from_bytes(*hasher.finalize().as_bytes())
}

impl StoredObject {
    /// Packs an encoding made of `kind`'s header and `body`, with its id.
    pub(crate) fn new(kind: ObjectKind, body: &[u8]) -> Self {
        let encoding = encode(kind, body);
        Self {
            id: ObjectId::hash(&encoding),
            kind,
            parent: None,
            data: pack(&encoding),
        }
    }
}

/// Decompresses a stored object, checks its header and, if `verify_hash`,
/// that it hashes to its id; returns the JSON body.
pub fn unpack(obj: &StoredObject, verify_hash: bool) -> Result<Vec<u8>, ObjectError> {
    let encoding = encoding(obj)?;
    if verify_hash && ObjectId::hash(&encoding) != obj.id {
        return Err(corrupt(&obj.id, "content does not hash to its id"));
    }
    Ok(body_of(obj, &encoding)?.to_vec())
}

/// Decompresses a stored object and checks its header; returns the JSON
/// body and whether the encoding hashes to the object's id. `verify` tells
/// an unreadable object from one whose readable content was altered.
///
/// # Errors
/// A [`ObjectError`] for an empty row, an unknown codec, data that
/// does not decompress, or a header that does not name the object's kind.
pub fn unpack_checked(obj: &StoredObject) -> Result<(Vec<u8>, bool), ObjectError> {
    let encoding = encoding(obj)?;
    let intact = ObjectId::hash(&encoding) == obj.id;
    Ok((body_of(obj, &encoding)?.to_vec(), intact))
}

/// A stored object's encoding: borrowed when stored raw (commits, read by
/// the hundred thousand in `log`, are), decompressed otherwise.
pub(crate) fn encoding(obj: &StoredObject) -> Result<Cow<'_, [u8]>, ObjectError> {
    let (codec, body) = obj
        .data
        .split_first()
        .ok_or_else(|| corrupt(&obj.id, "empty"))?;
    match *codec {
        CODEC_RAW => Ok(Cow::Borrowed(body)),
        CODEC_ZSTD => zstd::stream::decode_all(body)
            .map(Cow::Owned)
            .map_err(|e| corrupt(&obj.id, e)),
        other => Err(corrupt(&obj.id, format!("unknown codec {other}"))),
    }
}

/// The JSON body of an encoding, after checking its header names the object's kind.
pub(crate) fn body_of<'a>(obj: &StoredObject, encoding: &'a [u8]) -> Result<&'a [u8], ObjectError> {
    let header = obj.kind.header();
    encoding
        .strip_prefix(header.as_bytes())
        .ok_or_else(|| corrupt(&obj.id, format!("expected a {} header", obj.kind.name())))
}

#[cfg(test)]
mod tests {
    use super::{OBJECT_FORMAT, ObjectKind, StoredObject, object_id_of_json};

    #[test]
    fn hashing_json_as_it_is_written_gives_the_id_of_its_bytes() {
        let value = serde_json::json!({"vertices": [{"id": "a", "kind": "x"}], "long": "y".repeat(200_000)});
        let body = serde_json::to_vec(&value).unwrap();
        for kind in [ObjectKind::Schema, ObjectKind::Commit] {
            assert_eq!(
                object_id_of_json(kind, &value),
                StoredObject::new(kind, &body).id
            );
        }
    }

    #[test]
    fn headers_name_the_format_and_kind() {
        for kind in [
            ObjectKind::Schema,
            ObjectKind::Commit,
            ObjectKind::Migration,
            ObjectKind::Dataset,
            ObjectKind::Chunk,
            ObjectKind::Tag,
            ObjectKind::Policy,
        ] {
            assert_eq!(
                kind.header(),
                format!("panproto-object/{OBJECT_FORMAT} {}\n", kind.name())
            );
            assert_eq!(ObjectKind::from_code(kind.code()), Some(kind));
        }
    }
}
