//! Compatibility in two directions, as schema registries judge it.
//!
//! A change from an old version to a new one is judged twice:
//!
//! - **backward**: can readers of the new version read data written with
//!   the old? (A registry's `BACKWARD`: upgrade the readers first.)
//! - **forward**: can readers of the old version read data written with
//!   the new? (`FORWARD`: upgrade the writers first.)
//!
//! Forward from old to new is backward from new to old, so each rule is
//! one rule judged both ways. Each direction gets a [`Level`]: compatible,
//! dangerous (nothing fails, but behaviour may change: a GraphQL client
//! meeting a new enum value), or breaking.
//!
//! A [`Finding`] is one change in the format's own terms (its path, what
//! changed, the level each way, why); a [`CompatReport`] is every finding
//! of one comparison. The formats layer makes them with each format's
//! rules; [`generic_compatibility`] makes them from a [`diff`](crate::evolution::diff)
//! and its [`classify`](crate::evolution::classify) judgement, for custom
//! protocols. A [`Mode`] says which directions a check enforces, and
//! against which versions.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::evolution::{Change, classify, diff};
use crate::model::protocol::Protocol;
use crate::model::schema::Schema;

/// Which readers a judgement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Readers of the new version, reading data written with the old.
    Backward,
    /// Readers of the old version, reading data written with the new.
    Forward,
}

impl Direction {
    /// Both directions, backward first.
    pub const BOTH: [Self; 2] = [Self::Backward, Self::Forward];

    /// The lowercase code, e.g. `"backward"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Backward => "backward",
            Self::Forward => "forward",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How much a change matters to readers in one direction; ordered, so the
/// worst of several is their `max`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Every reader reads on as before.
    #[default]
    Compatible,
    /// Nothing fails to read, but what readers see may change (a new enum
    /// value, a new union member, a changed default).
    Dangerous,
    /// Some reader fails, or reads wrongly.
    Breaking,
}

impl Level {
    /// Every level, mildest first.
    pub const ALL: [Self; 3] = [Self::Compatible, Self::Dangerous, Self::Breaking];

    /// The lowercase code, e.g. `"breaking"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Compatible => "compatible",
            Self::Dangerous => "dangerous",
            Self::Breaking => "breaking",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One change, judged in both directions, in the format's own terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that found it: the tool's own id where the format has a
    /// tool with ids (`buf`'s `FIELD_SAME_NAME` for Protobuf), else the
    /// format rules' own UPPER_SNAKE id (`MAX_LENGTH_DECREASED` for JSON
    /// Schema, SQL and lexicons), or a kebab-case name (`field-added` for
    /// Avro; the change kind for the generic rules).
    pub rule: String,
    /// Where, as the format names it: `record org.example.User field
    /// email`, `message Foo.bar (field 3)`, `table users.email`.
    pub path: String,
    /// What changed, in a few words: `field added`, `type int → long`.
    pub change: String,
    /// The level for readers of the new version reading old data.
    pub backward: Level,
    /// The level for readers of the old version reading new data.
    pub forward: Level,
    /// Why, in a sentence that names both directions where they differ.
    pub reason: String,
}

impl Finding {
    /// A finding of `rule` at `path`: `change`, at `(backward, forward)`, because `reason`.
    pub fn new(
        rule: &str,
        path: String,
        change: String,
        (backward, forward): (Level, Level),
        reason: &str,
    ) -> Self {
        Self {
            rule: rule.to_owned(),
            path,
            change,
            backward,
            forward,
            reason: reason.to_owned(),
        }
    }

    /// The level in `direction`.
    pub fn level(&self, direction: Direction) -> Level {
        match direction {
            Direction::Backward => self.backward,
            Direction::Forward => self.forward,
        }
    }
}

/// Every finding of one comparison, in the order the format's rules walked
/// the schemas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompatReport {
    /// The rules that judged: the format's name, or `generic`.
    pub rules: String,
    /// The findings.
    pub findings: Vec<Finding>,
}

impl CompatReport {
    /// The worst level in `direction`.
    pub fn level_in(&self, direction: Direction) -> Level {
        self.findings
            .iter()
            .map(|f| f.level(direction))
            .max()
            .unwrap_or_default()
    }

    /// The worst level for readers of the new version.
    pub fn backward(&self) -> Level {
        self.level_in(Direction::Backward)
    }

    /// The worst level for readers of the old version.
    pub fn forward(&self) -> Level {
        self.level_in(Direction::Forward)
    }

    /// The worst level either way.
    pub fn level(&self) -> Level {
        self.backward().max(self.forward())
    }

    /// The findings that break a direction `mode` enforces, with that
    /// direction (a finding breaking both ways is listed once per
    /// direction).
    pub fn violations(&self, mode: Mode) -> impl Iterator<Item = Violation<'_>> + '_ {
        mode.directions().iter().flat_map(move |&direction| {
            self.findings
                .iter()
                .filter(move |f| f.level(direction) == Level::Breaking)
                .map(move |finding| Violation { direction, finding })
        })
    }
}

/// A finding that breaks a direction a mode enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation<'r> {
    /// The direction it breaks.
    pub direction: Direction,
    /// The finding.
    pub finding: &'r Finding,
}

/// Which directions a check enforces, and against which versions: a
/// schema registry's compatibility modes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    /// Nothing is enforced.
    None,
    /// New readers read the last version's data.
    #[default]
    Backward,
    /// New readers read every earlier version's data.
    BackwardTransitive,
    /// The last version's readers read new data.
    Forward,
    /// Every earlier version's readers read new data.
    ForwardTransitive,
    /// Backward and forward, against the last version.
    Full,
    /// Backward and forward, against every earlier version.
    FullTransitive,
}

impl Mode {
    /// Every mode, in the order registries list them.
    pub const ALL: [Self; 7] = [
        Self::None,
        Self::Backward,
        Self::BackwardTransitive,
        Self::Forward,
        Self::ForwardTransitive,
        Self::Full,
        Self::FullTransitive,
    ];

    /// The registry's name, e.g. `"FULL_TRANSITIVE"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Backward => "BACKWARD",
            Self::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Self::Forward => "FORWARD",
            Self::ForwardTransitive => "FORWARD_TRANSITIVE",
            Self::Full => "FULL",
            Self::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// The mode of a name, in any case (`full_transitive` too), or `None`.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase().replace('-', "_");
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The directions the mode enforces.
    pub fn directions(self) -> &'static [Direction] {
        match self {
            Self::None => &[],
            Self::Backward | Self::BackwardTransitive => &[Direction::Backward],
            Self::Forward | Self::ForwardTransitive => &[Direction::Forward],
            Self::Full | Self::FullTransitive => &Direction::BOTH,
        }
    }

    /// Whether the mode checks against every earlier version, not only the last.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Self::BackwardTransitive | Self::ForwardTransitive | Self::FullTransitive
        )
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The generic rules, for protocols no format's rules know: the diff's
/// changes, each judged by [`classify`] as it stands (backward: old
/// records under the new schema) and as its inverse (forward: the change
/// from new to old), breaking or compatible.
pub fn generic_compatibility(old: &Schema, new: &Schema) -> CompatReport {
    generic_compatibility_of(&diff(old, new), new.protocol())
}

/// [`generic_compatibility`] of changes already listed by [`diff`].
pub fn generic_compatibility_of(changes: &[Change], protocol: &Protocol) -> CompatReport {
    let backward = classify(changes, protocol);
    let inverse: Vec<Change> = changes.iter().map(Change::inverse).collect();
    let forward = classify(&inverse, protocol);
    let level = |breaking: bool| {
        if breaking {
            Level::Breaking
        } else {
            Level::Compatible
        }
    };
    let findings = changes
        .iter()
        .zip(backward.judgements.iter().zip(&forward.judgements))
        .map(|(c, (b, f))| Finding {
            rule: c.kind.code().to_owned(),
            path: c.element.to_string(),
            change: c.kind.code().replace('-', " "),
            backward: level(b.breaking),
            forward: level(f.breaking),
            // classify's reasons speak of the change they judge; forward
            // judged the change reversed, so its reason says so.
            reason: if b.breaking == f.breaking {
                b.reason.to_string()
            } else {
                format!(
                    "new readers of old data: {}; old readers of new data (the change reversed): {}",
                    b.reason, f.reason
                )
            },
        })
        .collect();
    CompatReport {
        rules: "generic".to_owned(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_their_codes_in_any_case() {
        for mode in Mode::ALL {
            assert_eq!(Mode::from_code(mode.code()), Some(mode));
            assert_eq!(Mode::from_code(&mode.code().to_lowercase()), Some(mode));
        }
        assert_eq!(
            Mode::from_code("full-transitive"),
            Some(Mode::FullTransitive)
        );
        assert_eq!(Mode::from_code("sideways"), None);
    }

    #[test]
    fn levels_order_mildest_first() {
        assert!(Level::Compatible < Level::Dangerous && Level::Dangerous < Level::Breaking);
    }
}
