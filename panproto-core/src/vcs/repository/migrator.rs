//! How a commit moves records from its first parent's schema: by the
//! vertex mapping `add` derived (or a builder wrote), or by the lens its
//! author committed. Every path that moves data (carrying datasets
//! forward in a commit, `migrate_data` both ways, `migration`) goes
//! through a [`Migrator`], so a lens is used wherever a mapping would be.
//!
//! A complement is kept as bytes either way: a mapping's own encoding, or
//! a lens's [`Complement`] in MessagePack, so a lineage's complement chunks
//! have one form whatever made them.

use crate::lens::{Complement, Lens};
use crate::migration::CompiledMigration;
use crate::model::record::Value;
use crate::model::schema::Schema;
use crate::vcs::object::{StoredLens, StoredMigration};

/// What moves a commit's records from its parent's schema to its own.
#[derive(Debug, Clone)]
pub enum Migrator {
    /// A vertex mapping, compiled.
    Mapping(CompiledMigration),
    /// A lens its author committed.
    Lens(CommittedLens),
}

/// A committed lens, compiled, with the schemas on either side and where
/// its records are rooted in each.
#[derive(Debug, Clone)]
pub struct CommittedLens {
    /// The lens.
    pub lens: Lens,
    /// The parent's schema.
    pub source: Schema,
    /// The commit's schema.
    pub target: Schema,
    /// The source schema's vertex its records are rooted at.
    pub root: String,
    /// The target schema's vertex its views are rooted at.
    pub target_root: String,
}

impl Migrator {
    /// What moves records for a stored migration from `source` to `target`:
    /// its lens if it has one, else its mapping, compiled.
    ///
    /// # Errors
    /// Why it does not compile (the history stores only ones that do, so
    /// for a committed one this means damage).
    pub(super) fn of(
        stored: &StoredMigration,
        source: Schema,
        target: Schema,
    ) -> Result<Self, String> {
        match &stored.lens {
            Some(StoredLens {
                chain,
                root,
                target_root,
            }) => Ok(Self::Lens(CommittedLens {
                lens: chain.clone().compile().map_err(|e| e.to_string())?,
                source,
                target,
                root: root.clone(),
                target_root: target_root.clone(),
            })),
            None => CompiledMigration::compile(source, target, stored.spec.clone())
                .map(Self::Mapping)
                .map_err(|e| e.to_string()),
        }
    }

    /// The schema records come from.
    pub fn source(&self) -> &Schema {
        match self {
            Self::Mapping(m) => m.source(),
            Self::Lens(l) => &l.source,
        }
    }

    /// The schema records go to.
    pub fn target(&self) -> &Schema {
        match self {
            Self::Mapping(m) => m.target(),
            Self::Lens(l) => &l.target,
        }
    }

    /// Where records rooted at `root` are rooted after the move.
    ///
    /// # Errors
    /// A sentence saying why they cannot be moved: the mapping drops the
    /// root, or the lens moves records rooted elsewhere.
    pub(super) fn root_after(&self, root: &str) -> Result<String, String> {
        match self {
            Self::Mapping(m) => m
                .parts()
                .iter()
                .try_fold(root.to_owned(), |root, (src, tgt, spec)| {
                    spec.images(src, tgt).remove(&root)
                })
                .ok_or_else(|| {
                    format!(
                        "the migration from schema {} drops the record root {root:?}",
                        m.source().id().short()
                    )
                }),
            Self::Lens(l) if l.root == root => Ok(l.target_root.clone()),
            Self::Lens(l) => Err(format!(
                "the committed lens moves records rooted at {:?}, not {root:?}",
                l.root
            )),
        }
    }

    /// `self`, then `next`, as one migrator, when the two are of one kind
    /// (a lens then a lens is their chains one after the other); `None`
    /// when they are not, or do not compose.
    pub(super) fn compose(&self, next: &Self) -> Option<Self> {
        match (self, next) {
            (Self::Mapping(a), Self::Mapping(b)) => a.compose(b).ok().map(Self::Mapping),
            (Self::Lens(a), Self::Lens(b)) if a.target_root == b.root => {
                let lens = a
                    .lens
                    .chain()
                    .clone()
                    .then(b.lens.chain().clone())
                    .compile()
                    .ok()?;
                Some(Self::Lens(CommittedLens {
                    lens,
                    source: a.source.clone(),
                    target: b.target.clone(),
                    root: a.root.clone(),
                    target_root: b.target_root.clone(),
                }))
            }
            _ => None,
        }
    }

    /// The views of `records` (rooted at `root`), their complements dropped.
    ///
    /// # Errors
    /// Why a record cannot be moved (a lens step that does not fit it).
    pub(super) fn lift_all(&self, root: &str, records: Vec<Value>) -> Result<Vec<Value>, String> {
        match self {
            Self::Mapping(m) => {
                let rooted = m.rooted(Some(root)).map_err(|e| e.to_string())?;
                Ok(records.into_iter().map(|r| rooted.lift(r)).collect())
            }
            Self::Lens(l) => records
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    l.lens
                        .get(r)
                        .map(|(view, _)| view)
                        .map_err(|e| format!("record {i} of its chunk: {e}"))
                })
                .collect(),
        }
    }

    /// A getter for records rooted at `root`: each record's view and the
    /// complement (as bytes) that restores it.
    ///
    /// # Errors
    /// Why records at `root` cannot be moved.
    pub(super) fn getter(&self, root: &str) -> Result<Getter<'_>, String> {
        Ok(match self {
            Self::Mapping(m) => Getter::Mapping(m.rooted(Some(root)).map_err(|e| e.to_string())?),
            Self::Lens(l) => Getter::Lens(&l.lens),
        })
    }

    /// The record that `view` and its kept `complement` came from; with
    /// no complement (the data was staged at the commit), what a lens's
    /// steps restore by default. A mapping needs its complement: going
    /// back without one is its inverse, a lift.
    ///
    /// # Errors
    /// Why the view cannot be put back (a complement that is not this
    /// migrator's, a view without the shape a lens step needs).
    pub(super) fn put(&self, view: Value, complement: Option<&[u8]>) -> Result<Value, String> {
        match (self, complement) {
            (Self::Mapping(m), Some(c)) => m.put(view, c).map_err(|e| e.to_string()),
            (Self::Mapping(_), None) => Err("the migration needs the kept complement".to_owned()),
            (Self::Lens(l), c) => {
                let complement = match c {
                    Some(bytes) => rmp_serde::from_slice(bytes)
                        .map_err(|e| format!("a kept complement does not decode: {e}"))?,
                    None => Complement::Empty,
                };
                l.lens.put(view, &complement).map_err(|e| e.to_string())
            }
        }
    }
}

/// Moves records forward, keeping what each view leaves out.
pub(super) enum Getter<'m> {
    Mapping(crate::migration::RootedMigration<'m>),
    Lens(&'m Lens),
}

impl Getter<'_> {
    /// `record`'s view and its complement as bytes.
    ///
    /// # Errors
    /// Why the record cannot be moved (a lens step that does not fit it).
    pub(super) fn get(&self, record: Value) -> Result<(Value, Vec<u8>), String> {
        match self {
            Self::Mapping(rooted) => Ok(rooted.get(record)),
            Self::Lens(lens) => {
                let (view, complement) = lens.get(record).map_err(|e| e.to_string())?;
                // A complement is values, names and lists: it always encodes.
                let bytes = rmp_serde::to_vec(&complement).unwrap_or_default();
                Ok((view, bytes))
            }
        }
    }
}
