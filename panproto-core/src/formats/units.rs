//! A schema cut into **units**: the declarations a format's rules judge
//! one at a time (a Protobuf message, enum, service or file), each with
//! a digest of everything the rules read when they judge it.
//!
//! Why: a `_TRANSITIVE` check judges a candidate against every earlier
//! version of a branch, and across a thousand versions most declarations
//! have only one or two distinct forms. Each commit records how its
//! units' digests moved from its first parent's ([`UnitEdit`]), so a
//! transitive check learns, for each earlier version, which units differ
//! from the candidate's without loading that version, judges each
//! distinct pair of forms once, and loads only as many versions as it
//! needs to see every such pair (`vcs::repository::history`).
//!
//! The contract a format's rules keep to take part, tested on generated
//! histories: the findings they report under a unit depend on nothing but
//! the two versions' digests of that unit. A format whose rules judge
//! across declarations (or that has no rules of its own) has no units,
//! and its transitive checks judge each distinct earlier schema whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::View;
use crate::evolution::{CompatReport, Finding};

/// The digest of one unit's form (128 bits of blake3; shown as 32 hex digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitDigest(u128);

impl fmt::Display for UnitDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl Serialize for UnitDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UnitDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() != 32 {
            return Err(serde::de::Error::custom(format!(
                "a unit digest is 32 hex digits, not {text:?}"
            )));
        }
        u128::from_str_radix(&text, 16)
            .map(Self)
            .map_err(|_| serde::de::Error::custom(format!("not a unit digest: {text:?}")))
    }
}

/// A schema's units: unit name (e.g. `message Foo`) → digest, by one
/// format's scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Units {
    /// The format and version of the rules' cut (e.g. `protobuf/2`): a
    /// record made by another scheme says nothing about these digests.
    scheme: &'static str,
    digests: BTreeMap<String, UnitDigest>,
}

impl Units {
    /// The scheme the digests were made by.
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// What a commit of this schema records: the edits from its first
    /// parent's units (`None`: from nothing, every unit added).
    pub fn record_from(&self, parent: Option<&Self>) -> UnitRecord {
        let empty = Self {
            scheme: self.scheme,
            digests: BTreeMap::new(),
        };
        UnitRecord {
            scheme: self.scheme.to_owned(),
            edits: parent
                .filter(|p| p.scheme == self.scheme)
                .unwrap_or(&empty)
                .edits_to(self),
        }
    }

    /// The digest of `unit`, if the schema has it.
    pub fn get(&self, unit: &str) -> Option<UnitDigest> {
        self.digests.get(unit).copied()
    }

    /// Every unit with its digest, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, UnitDigest)> + '_ {
        self.digests.iter().map(|(k, d)| (k.as_str(), *d))
    }

    /// The number of units.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// How `self` became `new`: one edit per unit whose digest differs
    /// (added, removed or changed), by name.
    pub fn edits_to(&self, new: &Self) -> Vec<UnitEdit> {
        let mut out = Vec::new();
        for (unit, &old) in &self.digests {
            match new.digests.get(unit) {
                Some(&n) if n == old => {}
                n => out.push(UnitEdit {
                    unit: unit.clone(),
                    old: Some(old),
                    new: n.copied(),
                }),
            }
        }
        for (unit, &n) in &new.digests {
            if !self.digests.contains_key(unit) {
                out.push(UnitEdit {
                    unit: unit.clone(),
                    old: None,
                    new: Some(n),
                });
            }
        }
        out.sort_by(|a, b| a.unit.cmp(&b.unit));
        out
    }

    /// These units with `edits` undone: the units of the version before them.
    pub fn undo(&mut self, edits: &[UnitEdit]) {
        for edit in edits {
            match edit.old {
                Some(d) => self.digests.insert(edit.unit.clone(), d),
                None => self.digests.remove(&edit.unit),
            };
        }
    }
}

/// How a commit's units moved from its first parent's, as the commit
/// keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    /// The scheme both sides' digests were made by ([`Units::scheme`]).
    pub scheme: String,
    /// One edit per unit that changed, by name.
    pub edits: Vec<UnitEdit>,
}

/// How one unit's digest moved between two versions: what a commit
/// records of each unit it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitEdit {
    /// The unit.
    pub unit: String,
    /// Its digest before (none: it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<UnitDigest>,
    /// Its digest after (none: it was removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<UnitDigest>,
}

/// A comparison's findings, by the unit each was found under.
pub type FindingsByUnit = BTreeMap<String, Vec<Finding>>;

/// What a judge that files its findings by unit keeps: the units it is
/// asked for (all, for `None`), the one it is in, and what it found.
pub(crate) struct ByUnit<'o> {
    only: Option<&'o BTreeSet<String>>,
    unit: String,
    found: Vec<(String, Finding)>,
}

impl<'o> ByUnit<'o> {
    pub(crate) fn new(only: Option<&'o BTreeSet<String>>) -> Self {
        Self {
            only,
            unit: String::new(),
            found: Vec::new(),
        }
    }

    /// Starts judging `unit`; false if it is not one to judge.
    pub(crate) fn enter(&mut self, unit: String) -> bool {
        let wanted = self.only.is_none_or(|o| o.contains(&unit));
        self.unit = unit;
        wanted
    }

    /// Files `finding` under the unit being judged.
    pub(crate) fn push(&mut self, finding: Finding) {
        self.found.push((self.unit.clone(), finding));
    }

    /// The findings by unit (each unit's in the order found).
    pub(crate) fn grouped(self) -> FindingsByUnit {
        let mut out = FindingsByUnit::new();
        for (unit, finding) in self.found {
            out.entry(unit).or_default().push(finding);
        }
        out
    }

    /// The findings in the order found, as `rules`' report.
    pub(crate) fn report(self, rules: &str) -> CompatReport {
        CompatReport {
            rules: rules.to_owned(),
            findings: self.found.into_iter().map(|(_, f)| f).collect(),
        }
    }
}

/// Digests `roots` (unit name → root vertex) of `view`: each unit is its
/// root and every vertex reached from it through edges that do not enter
/// a declaration (a vertex of a kind `is_declaration` accepts); the digest
/// covers those vertices' ids, kinds, constraints and required edges, and
/// each edge leaving them with its target's id and kind. `context` (what
/// the rules read of the whole schema, e.g. Protobuf's packages) goes
/// into every digest.
pub(crate) fn digest_units<'s>(
    scheme: &'static str,
    view: &View<'s>,
    roots: impl IntoIterator<Item = (String, &'s str)>,
    is_declaration: impl Fn(&str) -> bool,
    context: &[u8],
) -> Units {
    let schema = view.schema;
    let vertices = schema.vertices();
    let kind_of = |id: &str| vertices.get(id).map_or("", |v| v.kind.as_str());
    let mut out = BTreeMap::new();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut stack: Vec<&str> = Vec::new();
    // One buffer hashed once per unit: blake3 is fast on a long input and
    // slow on many tiny ones.
    let mut buf: Vec<u8> = Vec::new();
    let field = |buf: &mut Vec<u8>, text: &str| {
        buf.extend_from_slice(&(text.len() as u32).to_le_bytes());
        buf.extend_from_slice(text.as_bytes());
    };
    for (unit, root) in roots {
        buf.clear();
        field(&mut buf, scheme);
        field(&mut buf, &unit);
        buf.extend_from_slice(context);
        seen.clear();
        stack.clear();
        stack.push(root);
        seen.insert(root);
        while let Some(id) = stack.pop() {
            field(&mut buf, id);
            match vertices.get(id) {
                Some(v) => {
                    field(&mut buf, &v.kind);
                    field(&mut buf, v.nsid.as_deref().unwrap_or(""));
                }
                None => field(&mut buf, ""),
            }
            for (sort, value) in schema.constraints().get(id).into_iter().flatten() {
                field(&mut buf, sort);
                field(&mut buf, value);
            }
            for name in schema.required().get(id).into_iter().flatten() {
                field(&mut buf, "required");
                field(&mut buf, name);
            }
            for e in view.out(id) {
                let target_kind = kind_of(&e.tgt);
                field(&mut buf, &e.kind);
                field(&mut buf, e.name.as_deref().unwrap_or(""));
                field(&mut buf, &e.tgt);
                field(&mut buf, target_kind);
                if !is_declaration(target_kind) && seen.insert(e.tgt.as_str()) {
                    stack.push(e.tgt.as_str());
                }
            }
            // Vertices end where their edges do: the end marker keeps two
            // different splits of the same items from hashing alike.
            field(&mut buf, "");
        }
        let hash = blake3::hash(&buf);
        let mut digest = [0u8; 16];
        digest.copy_from_slice(&hash.as_bytes()[..16]);
        out.insert(unit, UnitDigest(u128::from_le_bytes(digest)));
    }
    Units {
        scheme,
        digests: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(pairs: &[(&str, u128)]) -> Units {
        Units {
            scheme: "test/1",
            digests: pairs
                .iter()
                .map(|&(k, d)| (k.to_owned(), UnitDigest(d)))
                .collect(),
        }
    }

    #[test]
    fn edits_undo_to_the_old_units() {
        let old = units(&[("a", 1), ("b", 2), ("c", 3)]);
        let new = units(&[("a", 1), ("b", 5), ("d", 4)]);
        let edits = old.edits_to(&new);
        assert_eq!(
            edits.iter().map(|e| e.unit.as_str()).collect::<Vec<_>>(),
            ["b", "c", "d"]
        );
        let mut back = new.clone();
        back.undo(&edits);
        assert_eq!(back, old);
        assert!(new.edits_to(&new).is_empty());
        let record = new.record_from(None);
        assert_eq!(record.scheme, "test/1");
        assert_eq!(record.edits.len(), 3);
        assert!(record.edits.iter().all(|e| e.old.is_none()));
        assert_eq!(new.record_from(Some(&old)).edits, edits);
    }

    #[test]
    fn digests_read_back_from_their_text() {
        let d = UnitDigest(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "\"0123456789abcdef0011223344556677\"");
        assert_eq!(serde_json::from_str::<UnitDigest>(&json).unwrap(), d);
        assert!(serde_json::from_str::<UnitDigest>("\"12\"").is_err());
        assert!(serde_json::from_str::<UnitDigest>(&format!("\"{}\"", "z".repeat(32))).is_err());
    }
}
