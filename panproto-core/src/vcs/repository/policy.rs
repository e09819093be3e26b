//! Compatibility policies: the mode a branch, or the whole repository,
//! enforces on its commits, as a schema registry refuses a breaking
//! registration.
//!
//! A policy is an object ([`Policy`]: the mode, who set it, when) that a
//! ref points at, `refs/policies/<branch>` for a branch and `refs/policy`
//! for the repository (the branches without their own); a ref moves by
//! compare-and-swap, so two admins setting a policy at once cannot both
//! win silently. A commit on a branch is checked against the branch's
//! history under its policy ([`Repository::check_history`]: the last
//! version, or every earlier one on the first-parent chain for the
//! `_TRANSITIVE` modes); if it violates it, the commit is refused with
//! [`VcsError::Incompatible`] and nothing is written, unless the author
//! overrides it with a reason, which the commit keeps.

use std::fmt;
use std::sync::Arc;

use crate::encoding::ObjectId;
use crate::evolution::{Direction, Finding, Mode};
use crate::formats::Units;
use crate::model::schema::Schema;
use crate::vcs::error::VcsError;
use crate::vcs::input::check_not_empty;
use crate::vcs::object::{self, ObjectKind, Policy};
use crate::vcs::store::{Expected, RefEdit, RefTarget, Store, Transaction};

use super::refs::check_name;
use super::{Head, Repository};

/// The repository's policy ref.
const REPOSITORY_POLICY: &str = "refs/policy";
/// The prefix of the branches' policy refs.
const BRANCH_POLICIES: &str = "refs/policies/";

/// Whether `name` is a policy ref (what `verify` expects a policy behind).
pub(crate) fn is_policy_ref(name: &str) -> bool {
    name == REPOSITORY_POLICY || name.starts_with(BRANCH_POLICIES)
}

/// Where a policy applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyScope {
    /// Every branch that has none of its own.
    Repository,
    /// One branch.
    Branch(String),
}

impl PolicyScope {
    fn of(branch: Option<&str>) -> Self {
        branch.map_or(Self::Repository, |b| Self::Branch(b.to_owned()))
    }

    fn ref_name(&self) -> String {
        match self {
            Self::Repository => REPOSITORY_POLICY.to_owned(),
            Self::Branch(b) => format!("{BRANCH_POLICIES}{b}"),
        }
    }
}

impl fmt::Display for PolicyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Repository => f.write_str("the repository"),
            Self::Branch(b) => write!(f, "branch {b}"),
        }
    }
}

/// A policy with where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInfo {
    /// Where it was set.
    pub scope: PolicyScope,
    /// The policy.
    pub policy: Policy,
}

/// A finding that breaks a direction a policy enforces, against one
/// earlier version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyViolation {
    /// The earlier version's commit.
    pub against: ObjectId,
    /// The direction it breaks.
    pub direction: Direction,
    /// The finding.
    pub finding: Finding,
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}, {}, against {}): {}",
            self.finding.path,
            self.finding.change,
            self.finding.rule,
            self.direction,
            self.against.short(),
            self.finding.reason
        )
    }
}

impl<S: Store> Repository<S> {
    /// Sets the policy of `branch` (`None`: of the repository, for every
    /// branch without its own) to `mode`, as `author`.
    ///
    /// # Errors
    /// [`VcsError::InvalidInput`] for a bad branch name or an empty author;
    /// [`VcsError::Conflict`] if another client changed the same policy
    /// meanwhile (nothing is written; read it and set it again).
    pub fn set_policy(
        &self,
        mode: Mode,
        branch: Option<&str>,
        author: &str,
    ) -> Result<PolicyInfo, VcsError> {
        if let Some(b) = branch {
            check_name("branch name", b)?;
        }
        check_not_empty("author", author)?;
        let scope = PolicyScope::of(branch);
        let name = scope.ref_name();
        let current = self.store.read_ref(&name)?;
        let policy = Policy {
            mode,
            author: author.to_owned(),
            timestamp: self.now(),
        };
        let obj = object::store_policy(&policy);
        let id = obj.id;
        self.store.apply(&Transaction {
            objects: vec![obj],
            edits: vec![RefEdit {
                name,
                expected: Expected::id(current.and_then(|t| match t {
                    RefTarget::Id(id) => Some(id),
                    RefTarget::Symbolic(_) => None,
                })),
                new: Some(RefTarget::Id(id)),
                message: format!("policy: {mode} for {scope}"),
            }],
            timestamp: policy.timestamp,
        })?;
        Ok(PolicyInfo { scope, policy })
    }

    /// Removes the policy of `branch` (`None`: of the repository); whether
    /// there was one.
    ///
    /// # Errors
    /// As [`set_policy`](Self::set_policy).
    pub fn clear_policy(&self, branch: Option<&str>) -> Result<bool, VcsError> {
        let name = PolicyScope::of(branch).ref_name();
        let Some(current) = self.store.read_ref(&name)? else {
            return Ok(false);
        };
        self.edit(vec![RefEdit {
            name,
            expected: Expected::Value(current),
            new: None,
            message: "policy: cleared".to_owned(),
        }])?;
        Ok(true)
    }

    /// The policy set exactly at `branch` (`None`: the repository's), if any.
    ///
    /// # Errors
    /// A store error; [`VcsError::NotFound`] if the ref points at no policy.
    pub fn policy_at(&self, branch: Option<&str>) -> Result<Option<PolicyInfo>, VcsError> {
        self.first_policy(vec![PolicyScope::of(branch)])
    }

    /// The policy `branch` obeys: its own, else the repository's.
    ///
    /// # Errors
    /// As [`policy_at`](Self::policy_at).
    pub fn policy(&self, branch: &str) -> Result<Option<PolicyInfo>, VcsError> {
        self.first_policy(vec![PolicyScope::of(Some(branch)), PolicyScope::Repository])
    }

    /// The policy of the first of `scopes` that has one. Their refs are
    /// read at once: every commit asks for its branch's and the
    /// repository's (one round trip, not two, on a store across a network).
    fn first_policy(&self, scopes: Vec<PolicyScope>) -> Result<Option<PolicyInfo>, VcsError> {
        let names: Vec<String> = scopes.iter().map(PolicyScope::ref_name).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let targets = self.store.read_refs(&names)?;
        for (scope, target) in scopes.into_iter().zip(targets) {
            if let Some(RefTarget::Id(id)) = target {
                return Ok(Some(PolicyInfo {
                    scope,
                    policy: self.read_policy(&id)?,
                }));
            }
        }
        Ok(None)
    }

    /// Every policy set: the repository's first, then the branches' by name.
    ///
    /// # Errors
    /// As [`policy_at`](Self::policy_at).
    pub fn policies(&self) -> Result<Vec<PolicyInfo>, VcsError> {
        let mut out: Vec<PolicyInfo> = self.policy_at(None)?.into_iter().collect();
        for (name, target) in self.store.list_refs(BRANCH_POLICIES)? {
            if let RefTarget::Id(id) = target {
                out.push(PolicyInfo {
                    scope: PolicyScope::Branch(
                        name.strip_prefix(BRANCH_POLICIES)
                            .unwrap_or(&name)
                            .to_owned(),
                    ),
                    policy: self.read_policy(&id)?,
                });
            }
        }
        Ok(out)
    }

    fn read_policy(&self, id: &ObjectId) -> Result<Policy, VcsError> {
        let obj = self.read_kind(id, ObjectKind::Policy)?;
        Ok(object::load_policy(&obj)?)
    }

    /// Whether `schema`, as the next version of `branch` at commit `tip`,
    /// may be written under the branch's policy: `Ok(None)` when it keeps
    /// the policy (or there is none), `Ok(Some(reason))` when it breaks it
    /// and `allow_breaking` gives the reason to record.
    ///
    /// # Errors
    /// [`VcsError::Incompatible`] with every violation when it breaks the
    /// policy and no reason is given.
    pub(super) fn enforce_policy(
        &mut self,
        branch: &str,
        tip: &ObjectId,
        schema: &Schema,
        units: Option<Arc<Units>>,
        allow_breaking: Option<&str>,
    ) -> Result<Option<String>, VcsError> {
        let Some(info) = self.policy(branch)? else {
            return Ok(None);
        };
        if info.policy.mode == Mode::None {
            return Ok(None);
        }
        let check = self.check_history_with(schema, units, tip, info.policy.mode)?;
        if check.compatible() {
            return Ok(None);
        }
        match allow_breaking {
            Some(reason) => Ok(Some(reason.to_owned())),
            None => Err(VcsError::Incompatible {
                branch: branch.to_owned(),
                mode: check.mode,
                violations: check.violations(),
            }),
        }
    }

    /// [`enforce_policy`](Self::enforce_policy) for a commit of what is
    /// staged on the current branch (nothing to check on a detached HEAD
    /// or for a branch's first commit).
    pub(super) fn enforce_policy_on_stage(
        &mut self,
        allow_breaking: Option<&str>,
    ) -> Result<Option<String>, VcsError> {
        let Head::Branch(branch) = &self.head else {
            return Ok(None);
        };
        let branch = branch.clone();
        let Some((schema, Some(base), units)) = self
            .stage
            .as_ref()
            .map(|s| (s.schema.clone(), s.base, s.units()))
        else {
            return Ok(None);
        };
        self.enforce_policy(&branch, &base, &schema, units, allow_breaking)
    }
}
