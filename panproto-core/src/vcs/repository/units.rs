//! The units of the schemas a repository handles (see
//! [`Units`]): computed once per staged schema, cached by schema id for
//! the next commit and the next check, and recorded by each commit as
//! the edits from its first parent's.

use std::sync::Arc;

use crate::encoding::ObjectId;
use crate::formats::{UnitRecord, Units, units_of};
use crate::model::schema::Schema;
use crate::vcs::error::VcsError;
use crate::vcs::store::Store;

use super::{Repository, Staged};

impl Staged {
    /// The staged schema's units (see [`Units`]), if its format has them.
    pub(super) fn units(&self) -> Option<Arc<Units>> {
        self.units
            .get_or_init(|| units_of(&self.schema).map(Arc::new))
            .clone()
    }
}

impl<S: Store> Repository<S> {
    /// The units of `schema` by its format's rules (see [`Units`]), from
    /// the cache when they were needed lately; `None` for a format
    /// without units.
    pub(super) fn units_for(&self, schema: &Schema) -> Option<Arc<Units>> {
        // Without its id a schema has no key to be cached by, and hashing
        // it for one would cost a whole canonical encoding.
        let Some(id) = schema.known_id() else {
            return units_of(schema).map(Arc::new);
        };
        if let Some(units) = self.cached_units(&id) {
            return Some(units);
        }
        let units = Arc::new(units_of(schema)?);
        self.cache_units(id, &units);
        Some(units)
    }

    /// The cached units of schema `id`, if any.
    pub(super) fn cached_units(&self, id: &ObjectId) -> Option<Arc<Units>> {
        self.units
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|(s, _)| s == id)
            .map(|(_, u)| Arc::clone(u))
    }

    /// Keeps `units` as those of stored schema `id`, for the next commit's
    /// record and the next check.
    fn cache_units(&self, id: ObjectId, units: &Arc<Units>) {
        const KEPT: usize = 3;
        let mut cache = self
            .units
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.iter().any(|(s, _)| *s == id) {
            return;
        }
        if cache.len() == KEPT {
            cache.remove(0);
        }
        cache.push((id, Arc::clone(units)));
    }

    /// What a commit of `schema` (stored, so its id is known) on first
    /// parent `base` records of its units (`None` for a format without
    /// them); `known` are its units if they were computed already.
    pub(super) fn unit_record(
        &self,
        schema: &Schema,
        base: Option<&ObjectId>,
        known: Option<Arc<Units>>,
    ) -> Result<Option<UnitRecord>, VcsError> {
        let Some(units) = known.or_else(|| self.units_for(schema)) else {
            return Ok(None);
        };
        self.cache_units(schema.id(), &units);
        let parent = match base {
            Some(b) => {
                let parent_schema = self.commit_of(b)?.schema;
                match self.cached_units(&parent_schema) {
                    Some(u) => Some(u),
                    None => {
                        let s = self.read_schema(&parent_schema)?;
                        self.units_for(&s)
                    }
                }
            }
            None => None,
        };
        Ok(Some(units.record_from(parent.as_deref())))
    }
}
