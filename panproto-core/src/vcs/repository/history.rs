//! A candidate schema checked against a branch's history: against the
//! tip, or, for a `_TRANSITIVE` mode, against every version on the
//! tip's first-parent chain.
//!
//! Judging a thousand versions one by one repeats the same judgement a
//! thousand times: most declarations have one or two forms in all that
//! history. Where the format judges by units ([`Units`]) and the commits
//! recorded how their units moved ([`UnitRecord`]), the check walks the
//! chain from the tip undoing those records, so it knows each version's
//! unit digests without loading the version, and which units differ from
//! the candidate's. Each distinct (unit, old digest) pair is judged once,
//! at a version that holds it; the versions to load are picked as an
//! interval stabbing (each pair lives on a run of consecutive versions;
//! taking the oldest end of the run that closes first covers every pair
//! alive there), so a branch whose declarations each changed a few times
//! loads a few versions, not a thousand. A version's report is the
//! findings of its differing units, shared between versions rather than
//! copied. As a unit's digest covers everything its judgement reads, a
//! judgement is a function of (unit, old digest, new digest); the
//! repository keeps those it made ([`Judged`]), so the next check on the
//! branch (the next commit's, whose candidate differs from this one in a
//! unit or two) judges only what is new. Without units (a format that judges whole schemas, or a
//! commit that recorded none), each distinct earlier schema is judged
//! whole, once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::encoding::ObjectId;
use crate::evolution::{CompatReport, Direction, Finding, Level, Mode};
use crate::formats::{Format, UnitDigest, Units, compatibility};
use crate::model::schema::Schema;
use crate::vcs::error::VcsError;
use crate::vcs::object::{self, Commit};
use crate::vcs::store::Store;

use super::Repository;
use super::policy::PolicyViolation;

/// A schema checked against a branch's history under a mode.
#[derive(Debug, Clone)]
pub struct HistoryCheck {
    /// The mode checked.
    pub mode: Mode,
    /// The rules that judged (the format's name, or `generic`).
    pub rules: String,
    /// The commits checked against, newest first.
    pub checked: Vec<ObjectId>,
    /// Findings in shared parts; each version's report is some of them.
    parts: Vec<Part>,
    /// For each commit of `checked`, the parts its report is made of.
    versions: Vec<Vec<u32>>,
}

/// Some findings, with their worst level each way.
#[derive(Debug, Clone)]
struct Part {
    findings: Arc<[Finding]>,
    backward: Level,
    forward: Level,
}

impl Part {
    fn new(findings: Vec<Finding>) -> Self {
        let worst = |d: Direction| {
            findings
                .iter()
                .map(|f| f.level(d))
                .max()
                .unwrap_or_default()
        };
        Self {
            backward: worst(Direction::Backward),
            forward: worst(Direction::Forward),
            findings: findings.into(),
        }
    }

    fn level_in(&self, direction: Direction) -> Level {
        match direction {
            Direction::Backward => self.backward,
            Direction::Forward => self.forward,
        }
    }
}

impl HistoryCheck {
    /// The report against the `i`th commit of [`checked`](Self::checked).
    ///
    /// # Panics
    /// If there is no `i`th commit.
    pub fn report(&self, i: usize) -> CompatReport {
        CompatReport {
            rules: self.rules.clone(),
            findings: self.versions[i]
                .iter()
                .flat_map(|&p| self.parts[p as usize].findings.iter().cloned())
                .collect(),
        }
    }

    /// Every violation, newest version first (for each version, the
    /// directions in the mode's order).
    pub fn violations(&self) -> Vec<PolicyViolation> {
        let mut out = Vec::new();
        for (against, parts) in self.checked.iter().zip(&self.versions) {
            for &direction in self.mode.directions() {
                for &p in parts {
                    let part = &self.parts[p as usize];
                    if part.level_in(direction) < Level::Breaking {
                        continue;
                    }
                    out.extend(
                        part.findings
                            .iter()
                            .filter(|f| f.level(direction) == Level::Breaking)
                            .map(|f| PolicyViolation {
                                against: *against,
                                direction,
                                finding: f.clone(),
                            }),
                    );
                }
            }
        }
        out
    }

    /// Whether nothing breaks a direction the mode enforces. (Every part
    /// is some version's, so the parts alone decide.)
    pub fn compatible(&self) -> bool {
        self.mode
            .directions()
            .iter()
            .all(|&d| self.level_in(d) < Level::Breaking)
    }

    /// The worst level in `direction` against any version checked.
    pub fn level_in(&self, direction: Direction) -> Level {
        self.parts
            .iter()
            .map(|p| p.level_in(direction))
            .max()
            .unwrap_or_default()
    }
}

/// The judgements a repository made by units, by (unit, old digest,
/// new digest), for the units scheme they were made under.
#[derive(Debug, Default)]
pub(super) struct Judged {
    scheme: &'static str,
    parts: FxHashMap<(String, Option<UnitDigest>, Option<UnitDigest>), Part>,
}

impl Judged {
    /// More than this many and the oldest are not worth telling apart:
    /// all are dropped (a long-running process stays bounded).
    const KEPT: usize = 200_000;

    fn get(
        &self,
        scheme: &str,
        unit: &str,
        old: Option<UnitDigest>,
        new: Option<UnitDigest>,
    ) -> Option<Part> {
        if self.scheme != scheme {
            return None;
        }
        self.parts.get(&(unit.to_owned(), old, new)).cloned()
    }

    fn insert(
        &mut self,
        scheme: &'static str,
        unit: &str,
        old: Option<UnitDigest>,
        new: Option<UnitDigest>,
        part: Part,
    ) {
        if self.scheme != scheme || self.parts.len() >= Self::KEPT {
            self.parts.clear();
            self.scheme = scheme;
        }
        self.parts.insert((unit.to_owned(), old, new), part);
    }
}

/// One version of the chain, as the walk sees it.
struct Version {
    commit_id: ObjectId,
    commit: Commit,
}

/// A run of consecutive versions (indices into the chain, newest first)
/// holding one (unit, old digest) pair.
struct Run {
    pair: u32,
    from: usize,
    to: usize,
}

impl<S: Store> Repository<S> {
    /// Checks `schema` as the next version after commit `tip` under
    /// `mode`: against `tip`'s schema, or, for a `_TRANSITIVE` mode,
    /// against every version on `tip`'s first-parent chain.
    ///
    /// # Errors
    /// A store error, or damage in the history read.
    pub fn check_history(
        &mut self,
        schema: &Schema,
        tip: &ObjectId,
        mode: Mode,
    ) -> Result<HistoryCheck, VcsError> {
        self.check_history_with(schema, None, tip, mode)
    }

    /// [`check_history`](Self::check_history), with `schema`'s units if
    /// they are known already.
    pub(super) fn check_history_with(
        &mut self,
        schema: &Schema,
        units: Option<Arc<Units>>,
        tip: &ObjectId,
        mode: Mode,
    ) -> Result<HistoryCheck, VcsError> {
        let chain: Vec<Version> = if mode.is_transitive() {
            self.store
                .first_parent_chain(tip, None)?
                .iter()
                .map(|o| {
                    Ok(Version {
                        commit_id: o.id,
                        commit: object::load_commit(o)?,
                    })
                })
                .collect::<Result<_, VcsError>>()?
        } else {
            vec![Version {
                commit_id: *tip,
                commit: self.commit_of(tip)?,
            }]
        };
        let format = Format::of_protocol(&schema.protocol().name);
        let by_units = match format {
            Some(f) if chain.len() > 1 => units.or_else(|| self.units_for(schema)).map(|u| (f, u)),
            _ => None,
        };
        if let Some((format, units)) = by_units {
            if let Some(check) = self.check_by_units(format, schema, &units, &chain, mode)? {
                return Ok(check);
            }
        }
        self.check_whole(schema, &chain, mode)
    }

    /// Each distinct earlier schema judged whole, once.
    fn check_whole(
        &mut self,
        schema: &Schema,
        chain: &[Version],
        mode: Mode,
    ) -> Result<HistoryCheck, VcsError> {
        let mut by_schema: HashMap<ObjectId, u32> = HashMap::new();
        let mut parts = Vec::new();
        let mut versions = Vec::with_capacity(chain.len());
        let mut rules = String::new();
        for v in chain {
            let part = match by_schema.get(&v.commit.schema) {
                Some(&p) => p,
                None => {
                    let old = self.read_schema(&v.commit.schema)?;
                    // Both are of the repository's protocol, so they compare.
                    let report = compatibility(&old, schema).unwrap_or_default();
                    rules = report.rules;
                    parts.push(Part::new(report.findings));
                    let p = index(parts.len() - 1);
                    by_schema.insert(v.commit.schema, p);
                    p
                }
            };
            versions.push(vec![part]);
        }
        Ok(HistoryCheck {
            mode,
            rules,
            checked: chain.iter().map(|v| v.commit_id).collect(),
            parts,
            versions,
        })
    }

    /// The walk by units (see the module doc); `None` if a version has
    /// no units after all (the caller judges whole schemas then).
    fn check_by_units(
        &mut self,
        format: Format,
        schema: &Schema,
        candidate: &Units,
        chain: &[Version],
        mode: Mode,
    ) -> Result<Option<HistoryCheck>, VcsError> {
        // Pairs (unit, the version's digest) that differ from the candidate.
        let mut pairs: Vec<(String, Option<UnitDigest>)> = Vec::new();
        let mut pair_ids: FxHashMap<(String, Option<UnitDigest>), u32> = FxHashMap::default();
        let mut pair_of = |unit: &str, digest: Option<UnitDigest>| -> u32 {
            *pair_ids
                .entry((unit.to_owned(), digest))
                .or_insert_with(|| {
                    pairs.push((unit.to_owned(), digest));
                    index(pairs.len() - 1)
                })
        };
        // The units differing at the version walked, each with its pair
        // and the version its run began at.
        // (By name, so that each version's report lists its units in order.)
        let mut open: BTreeMap<String, (u32, usize)> = BTreeMap::new();
        let mut runs: Vec<Run> = Vec::new();
        let mut versions: Vec<Vec<u32>> = Vec::with_capacity(chain.len());
        let mut units: Option<Units> = None;
        for (i, v) in chain.iter().enumerate() {
            let current = match units.take() {
                Some(u) => u,
                // The tip, or a version the records cannot reach: its own.
                None => {
                    let Some(own) = self.units_at(&v.commit.schema)? else {
                        return Ok(None);
                    };
                    for (pair, from) in std::mem::take(&mut open).into_values() {
                        runs.push(Run {
                            pair,
                            from,
                            to: i - 1,
                        });
                    }
                    for e in own.edits_to(candidate) {
                        open.insert(e.unit.clone(), (pair_of(&e.unit, e.old), i));
                    }
                    own
                }
            };
            versions.push(open.values().map(|&(p, _)| p).collect());
            // The first parent's units: these undone by the commit's record.
            let record = v
                .commit
                .units
                .as_ref()
                .filter(|r| r.scheme == current.scheme() && i + 1 < chain.len());
            if let Some(record) = record {
                let mut older = current;
                older.undo(&record.edits);
                for e in &record.edits {
                    let (digest, wanted) = (older.get(&e.unit), candidate.get(&e.unit));
                    if let Some((pair, from)) = open.remove(&e.unit) {
                        runs.push(Run { pair, from, to: i });
                    }
                    if digest != wanted {
                        open.insert(e.unit.clone(), (pair_of(&e.unit, digest), i + 1));
                    }
                }
                units = Some(older);
            }
        }
        let last = chain.len() - 1;
        runs.extend(open.into_values().map(|(pair, from)| Run {
            pair,
            from,
            to: last,
        }));
        // Judged before, in this process: kept. The rest by interval
        // stabbing: the run that ends first, at its end.
        let scheme = candidate.scheme();
        let mut found: Vec<Option<Part>> = pairs
            .iter()
            .map(|(unit, old)| self.judged.get(scheme, unit, *old, candidate.get(unit)))
            .collect();
        let mut fresh: Vec<u32> = Vec::new();
        runs.sort_unstable_by_key(|r| r.to);
        for run in &runs {
            if found[run.pair as usize].is_some() || run.from > run.to {
                continue;
            }
            let old = self.read_schema(&chain[run.to].commit.schema)?;
            // Only the pairs not judged yet: a later stab needs few.
            let wanted: BTreeSet<String> = versions[run.to]
                .iter()
                .filter(|&&p| found[p as usize].is_none())
                .map(|&p| pairs[p as usize].0.clone())
                .collect();
            let mut by_unit = format
                .compare_by_unit(&old, schema, Some(&wanted))
                .unwrap_or_default();
            for &p in &versions[run.to] {
                let slot = &mut found[p as usize];
                if slot.is_none() {
                    let unit = &pairs[p as usize].0;
                    *slot = Some(Part::new(by_unit.remove(unit).unwrap_or_default()));
                    fresh.push(p);
                }
            }
        }
        for p in fresh {
            let (unit, old) = &pairs[p as usize];
            if let Some(part) = &found[p as usize] {
                self.judged
                    .insert(scheme, unit, *old, candidate.get(unit), part.clone());
            }
        }
        let parts = found
            .into_iter()
            .map(|p| p.unwrap_or_else(|| Part::new(Vec::new())))
            .collect();
        Ok(Some(HistoryCheck {
            mode,
            rules: format.name().to_owned(),
            checked: chain.iter().map(|v| v.commit_id).collect(),
            parts,
            versions,
        }))
    }

    /// The units of schema `id` (loading it unless they are cached).
    fn units_at(&mut self, id: &ObjectId) -> Result<Option<Units>, VcsError> {
        if let Some(units) = self.cached_units(id) {
            return Ok(Some((*units).clone()));
        }
        let schema = self.read_schema(id)?;
        Ok(self.units_for(&schema).map(|u| (*u).clone()))
    }
}

/// A part's or pair's index (a history has fewer than 2³² of them).
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
