//! The object model: the immutable, content-addressed values a history is
//! made of (commits, schemas, migrations, datasets and their chunks, tags),
//! what each refers to, and how each is written to and read from its
//! [encoding](crate::encoding).
//!
//! Reading returns [`ObjectError`]; the repository, which knows the store
//! it read from, reports it as that store's `Corrupt` error.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::encoding::{OBJECT_FORMAT, ObjectKind, StoredObject, unpack, unpack_checked};
use crate::encoding::{ObjectError, ObjectId, body_of, corrupt, encoding, pack};
use crate::evolution::{Level, Mode};
use crate::formats::UnitRecord;
use crate::lens::Chain;
use crate::migration::MigrationSpec;
use crate::model::protocol::Protocol;
use crate::model::record::Value;
use crate::model::schema::Schema;

/// A commit: one version of the repository's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// The schema this version holds.
    pub schema: ObjectId,
    /// Parent commits: none for the first, one usually, two for a merge.
    pub parents: Vec<ObjectId>,
    /// The migration from the first parent's schema to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<ObjectId>,
    /// For a merge commit, the migration from each further parent's schema
    /// to this one, in the order of `parents[1..]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merge_migrations: Vec<ObjectId>,
    /// How this version relates to the first parent's: `fully-compatible`,
    /// `backward-compatible` or `breaking`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<String>,
    /// How readers of this version fare with data of the first parent's
    /// (backward), and readers of the first parent's with data of this
    /// one (forward), by the format's rules; none for a commit made before
    /// they were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backward: Option<Level>,
    /// See `backward`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward: Option<Level>,
    /// Why the branch's compatibility policy was overridden for this
    /// commit (it broke the policy and the author said why); the author
    /// is the commit's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_breaking: Option<String>,
    /// How the schema's units (the declarations its format's rules judge
    /// one at a time) moved from the first parent's: what lets a
    /// transitive check see which declarations differ in each earlier
    /// version without loading it. None for a format without units, or
    /// a commit made before they were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<UnitRecord>,
    /// Datasets by name, each conforming to this commit's schema.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub datasets: BTreeMap<String, ObjectId>,
    /// Who made it.
    pub author: String,
    /// When, in seconds since the Unix epoch (UTC).
    pub timestamp: i64,
    /// Why.
    pub message: String,
    /// Where the version was imported from, as `system:id` (`git:` and the
    /// git commit's id): what an import that continues an earlier one
    /// recognises. None for a commit made here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A migration as the history keeps it: from which schema, to which, by what mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMigration {
    /// The source schema's id.
    pub source: ObjectId,
    /// The target schema's id.
    pub target: ObjectId,
    /// The mapping from vertex to vertex: what `add` derived (or a
    /// builder wrote). It moves the records unless a lens is given.
    pub spec: MigrationSpec,
    /// The lens its author committed, which moves the records instead:
    /// for a change no vertex mapping says (a split field, a wrap, a
    /// hoist, an enum value renamed). Absent from migrations without
    /// one, so their ids are what they were before lenses were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lens: Option<StoredLens>,
}

/// A lens as a commit keeps it: the chain, and where the records it moves
/// are rooted on either side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredLens {
    /// The steps, schema-independent.
    pub chain: Chain,
    /// The vertex of the source schema its records are rooted at.
    pub root: String,
    /// The vertex of the target schema its views are rooted at.
    pub target_root: String,
}

/// Records per [`ObjectKind::Chunk`]: small enough to stream (a chunk is
/// decoded whole), large enough that a 100,000-record dataset is a few dozen
/// objects. Every dataset is cut at the same boundaries, so chunk `i` of a
/// dataset and chunk `i` of its lineage's complements hold the same records.
pub const CHUNK_RECORDS: usize = 4096;

/// A dataset: records conforming to one schema, rooted at one vertex, kept
/// as a list of chunks so it can be read one chunk at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    /// The schema every record conforms to.
    pub schema: ObjectId,
    /// The schema vertex each record is read at.
    pub root: String,
    /// Number of records.
    pub count: u64,
    /// The record chunks, in order; all hold [`CHUNK_RECORDS`] records but the last.
    pub chunks: Vec<ObjectId>,
    /// Where the records came from, when a commit carried them forward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Lineage>,
}

/// How a carried-forward dataset was made: its records are the view
/// `migration.get` gave of the `source` dataset's, and `complements` hold
/// what each view left out, so `put` restores the source exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// The dataset the records were lifted from (in the parent commit).
    pub source: ObjectId,
    /// The [`StoredMigration`] that lifted them.
    pub migration: ObjectId,
    /// Chunks of complements (byte strings), aligned with the dataset's chunks.
    pub complements: Vec<ObjectId>,
}

/// An annotated tag: a name given to a commit, with who gave it, when and why.
///
/// `refs/tags/NAME` points at the tag object; resolving the tag peels it to
/// its commit. A lightweight tag's ref points at the commit directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The tagged commit.
    pub target: ObjectId,
    /// The tag's name (without `refs/tags/`).
    pub name: String,
    /// Who tagged.
    pub tagger: String,
    /// When, in seconds since the Unix epoch (UTC).
    pub timestamp: i64,
    /// Why.
    pub message: String,
}

/// A compatibility policy: the mode a branch (or the whole repository)
/// enforces on its commits, with who set it and when. A policy ref
/// (`refs/policy`, `refs/policies/<branch>`) points at one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The mode.
    pub mode: Mode,
    /// Who set it.
    pub author: String,
    /// When, in seconds since the Unix epoch (UTC).
    pub timestamp: i64,
}

/// An id an object refers to, as [`references`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The referenced object.
    pub id: ObjectId,
    /// The kind it must have, if one is fixed.
    pub kind: Option<ObjectKind>,
    /// What the reference is for, e.g. `schema`, `parent 1`, `dataset "users"`.
    pub role: String,
}

impl Reference {
    fn new(id: ObjectId, kind: Option<ObjectKind>, role: impl Into<String>) -> Self {
        Self {
            id,
            kind,
            role: role.into(),
        }
    }
}

/// Every object an object of `kind` with JSON `body` refers to: the one
/// place that knows the reference structure of each kind, so `verify` (and
/// anything else walking the object graph) follows every kind alike.
///
/// Decodes the body; schemas refer to nothing, and their validity (which
/// needs the protocol) is checked by [`load_schema`].
///
/// # Errors
/// [`ObjectError::Corrupt`] naming `id` if the body does not decode as a `kind`.
pub fn references(
    id: &ObjectId,
    kind: ObjectKind,
    body: &[u8],
) -> Result<Vec<Reference>, ObjectError> {
    Ok(match kind {
        ObjectKind::Schema | ObjectKind::Chunk => Vec::new(),
        ObjectKind::Policy => {
            let _: Policy = serde_json::from_slice(body).map_err(|e| corrupt(id, e))?;
            Vec::new()
        }
        ObjectKind::Commit => {
            let commit: Commit = serde_json::from_slice(body).map_err(|e| corrupt(id, e))?;
            let mut refs = vec![Reference::new(
                commit.schema,
                Some(ObjectKind::Schema),
                "schema",
            )];
            refs.extend(commit.parents.iter().enumerate().map(|(i, p)| {
                Reference::new(*p, Some(ObjectKind::Commit), format!("parent {}", i + 1))
            }));
            refs.extend(
                commit
                    .migration
                    .map(|m| Reference::new(m, Some(ObjectKind::Migration), "migration")),
            );
            refs.extend(commit.merge_migrations.iter().enumerate().map(|(i, m)| {
                Reference::new(
                    *m,
                    Some(ObjectKind::Migration),
                    format!("migration from parent {}", i + 2),
                )
            }));
            refs.extend(commit.datasets.iter().map(|(name, d)| {
                Reference::new(*d, Some(ObjectKind::Dataset), format!("dataset {name:?}"))
            }));
            refs
        }
        ObjectKind::Migration => {
            let m: StoredMigration = serde_json::from_slice(body).map_err(|e| corrupt(id, e))?;
            vec![
                Reference::new(m.source, Some(ObjectKind::Schema), "source schema"),
                Reference::new(m.target, Some(ObjectKind::Schema), "target schema"),
            ]
        }
        ObjectKind::Dataset => {
            let d: Dataset = serde_json::from_slice(body).map_err(|e| corrupt(id, e))?;
            let mut refs = vec![Reference::new(d.schema, Some(ObjectKind::Schema), "schema")];
            refs.extend(
                d.chunks.iter().enumerate().map(|(i, c)| {
                    Reference::new(*c, Some(ObjectKind::Chunk), format!("chunk {i}"))
                }),
            );
            if let Some(l) = d.lineage {
                refs.push(Reference::new(
                    l.source,
                    Some(ObjectKind::Dataset),
                    "lineage source",
                ));
                refs.push(Reference::new(
                    l.migration,
                    Some(ObjectKind::Migration),
                    "lineage migration",
                ));
                refs.extend(l.complements.iter().enumerate().map(|(i, c)| {
                    Reference::new(*c, Some(ObjectKind::Chunk), format!("complement chunk {i}"))
                }));
            }
            refs
        }
        ObjectKind::Tag => {
            let tag: Tag = serde_json::from_slice(body).map_err(|e| corrupt(id, e))?;
            vec![Reference::new(
                tag.target,
                Some(ObjectKind::Commit),
                "tagged commit",
            )]
        }
    })
}

/// Prepares a schema for storage (encoding it once, for its id and its bytes).
pub fn store_schema(schema: &Schema) -> StoredObject {
    let stored = StoredObject::new(ObjectKind::Schema, &schema.canonical_json());
    schema.remember_id(stored.id);
    stored
}

/// Prepares a commit for storage; returns it with its id.
pub fn store_commit(commit: &Commit) -> StoredObject {
    StoredObject {
        parent: commit.parents.first().copied(),
        ..store_json(ObjectKind::Commit, commit)
    }
}

/// Prepares a migration for storage.
pub fn store_migration(migration: &StoredMigration) -> StoredObject {
    store_json(ObjectKind::Migration, migration)
}

/// Prepares a dataset for storage.
pub fn store_dataset(dataset: &Dataset) -> StoredObject {
    store_json(ObjectKind::Dataset, dataset)
}

/// Prepares a policy for storage.
pub fn store_policy(policy: &Policy) -> StoredObject {
    store_json(ObjectKind::Policy, policy)
}

/// Prepares an annotated tag for storage.
pub fn store_tag(tag: &Tag) -> StoredObject {
    store_json(ObjectKind::Tag, tag)
}

/// Prepares an object whose body is its JSON (every kind but chunks; the
/// fields are ids, strings, integers and maps, whose serialisation cannot fail).
fn store_json<T: Serialize>(kind: ObjectKind, value: &T) -> StoredObject {
    StoredObject::new(kind, &serde_json::to_vec(value).unwrap_or_default())
}

/// Reads an object whose body is its JSON.
fn load_json<T: serde::de::DeserializeOwned>(obj: &StoredObject) -> Result<T, ObjectError> {
    let encoding = encoding(obj)?;
    serde_json::from_slice(body_of(obj, &encoding)?).map_err(|e| corrupt(&obj.id, e))
}

/// Reads a stored dataset.
pub fn load_dataset(obj: &StoredObject) -> Result<Dataset, ObjectError> {
    load_json(obj)
}

/// Reads a stored annotated tag.
pub fn load_tag(obj: &StoredObject) -> Result<Tag, ObjectError> {
    load_json(obj)
}

/// A value serialised with object keys sorted: the canonical form chunks
/// hold, so equal records (which ignore key order) make equal chunks.
struct Canonical<'a>(&'a Value);

impl Serialize for Canonical<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Canonical(item))?;
                }
                seq.end()
            }
            Value::Object(fields) => {
                let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
                sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut map = s.serialize_map(Some(sorted.len()))?;
                for (k, v) in sorted {
                    map.serialize_entry(k, &Canonical(v))?;
                }
                map.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Prepares a chunk of values for storage: MessagePack, which keeps what
/// JSON would lose (bytes, and integers apart from floats).
///
/// # Errors
/// [`ObjectError::Unencodable`] if a value cannot be encoded (a map with
/// more than 2³² entries, say).
pub fn store_chunk(values: &[Value]) -> Result<StoredObject, ObjectError> {
    let header = ObjectKind::Chunk.header();
    let mut encoding = Vec::with_capacity(header.len() + 64 * values.len());
    encoding.extend_from_slice(header.as_bytes());
    let canonical: Vec<Canonical<'_>> = values.iter().map(Canonical).collect();
    rmp_serde::encode::write(&mut encoding, &canonical)
        .map_err(|e| ObjectError::Unencodable(format!("records: {e}")))?;
    Ok(StoredObject {
        id: ObjectId::hash(&encoding),
        kind: ObjectKind::Chunk,
        parent: None,
        data: pack(&encoding),
    })
}

/// Reads a stored chunk's values.
pub fn load_chunk(obj: &StoredObject) -> Result<Vec<Value>, ObjectError> {
    let body = unpack(obj, false)?;
    rmp_serde::from_slice(&body).map_err(|e| corrupt(&obj.id, e))
}

/// Reads a stored migration.
pub fn load_migration(obj: &StoredObject) -> Result<StoredMigration, ObjectError> {
    load_json(obj)
}

/// Reads a stored commit.
pub fn load_commit(obj: &StoredObject) -> Result<Commit, ObjectError> {
    load_json(obj)
}

/// Reads a stored policy.
pub fn load_policy(obj: &StoredObject) -> Result<Policy, ObjectError> {
    load_json(obj)
}

/// Reads a stored schema, validating it against `protocol`.
pub fn load_schema(obj: &StoredObject, protocol: Arc<Protocol>) -> Result<Schema, ObjectError> {
    let json = unpack(obj, false)?;
    let schema = Schema::from_json_with(&json, protocol).map_err(|e| corrupt(&obj.id, e))?;
    schema.remember_id(obj.id);
    Ok(schema)
}
