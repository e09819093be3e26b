"""Compatibility policies: set per repository and per branch, kept in the
store, enforced at commit (refused with every violation, or overridden
with a reason the commit keeps), and ``Repository.check`` against a
branch's history."""

from __future__ import annotations

import json
import pickle

import pytest

import panproto as pp


def user(*fields: dict) -> pp.Schema:
    record = {"type": "record", "name": "User", "namespace": "org.example", "fields": list(fields)}
    return pp.parse(json.dumps(record), "avro")


ID = {"name": "id", "type": "long"}
EMAIL = {"name": "email", "type": "string"}  # no default


@pytest.fixture
def avro_repo(location):
    with location.init("avro") as repository:
        repository.add(user(ID))
        repository.commit("v1", "ada")
        yield repository


def test_a_branch_policy_wins_over_the_repositorys(avro_repo, location):
    assert avro_repo.policy() is None and avro_repo.policies() == []
    whole = avro_repo.set_policy("backward", author="ada")
    assert whole["mode"] == "BACKWARD" and whole["scope"] == "repository" and whole["branch"] is None
    avro_repo.set_policy("FULL_TRANSITIVE", "main", author="bob")
    with location.open() as other:  # kept in the store, for every client
        main = other.policy()
        assert (main["mode"], main["scope"], main["branch"], main["author"]) == (
            "FULL_TRANSITIVE",
            "branch",
            "main",
            "bob",
        )
        assert other.policy("dev")["mode"] == "BACKWARD"
        assert [(p["scope"], p["mode"]) for p in other.policies()] == [
            ("repository", "BACKWARD"),
            ("branch", "FULL_TRANSITIVE"),
        ]
    assert avro_repo.clear_policy("main") is True and avro_repo.clear_policy("main") is False
    assert avro_repo.policy()["scope"] == "repository"
    with pytest.raises(ValueError, match="BACKWARD_TRANSITIVE"):
        avro_repo.set_policy("SIDEWAYS")
    with pytest.raises(pp.VcsError):
        avro_repo.set_policy("FULL", "no spaces allowed")


def test_a_breaking_commit_is_refused_with_every_violation(avro_repo):
    head = avro_repo.head
    avro_repo.set_policy("BACKWARD", "main", author="ada")
    avro_repo.add(user(ID, EMAIL))
    with pytest.raises(pp.CompatibilityError) as info:
        avro_repo.commit("v2", "ada")
    error = info.value
    assert isinstance(error, pp.VcsError)
    assert (error.branch, error.mode) == ("main", "BACKWARD")
    [violation] = error.violations
    assert violation["against"] == head and violation["direction"] == "backward"
    assert (violation["rule"], violation["path"]) == ("field-added", "record org.example.User field email")
    assert "record org.example.User field email" in str(error)
    assert pickle.loads(pickle.dumps(error)).violations == error.violations
    assert avro_repo.head == head and avro_repo.status().staged is not None  # nothing written, stage kept
    with pytest.raises(pp.VcsError):
        avro_repo.commit("v2", "ada", allow_breaking="")
    new = avro_repo.commit("v2", "ada", allow_breaking="every reader is upgraded first")
    commit = avro_repo.log(1)[0]
    assert commit.id == new and commit.allow_breaking == "every reader is upgraded first"
    assert commit.to_dict()["allow_breaking"] == commit.allow_breaking
    assert pickle.loads(pickle.dumps(commit)) == commit
    assert avro_repo.log()[1].allow_breaking is None


def test_a_commit_that_keeps_the_policy_lands(avro_repo):
    avro_repo.set_policy("FULL", author="ada")
    avro_repo.add(user(ID, {**EMAIL, "default": ""}))
    avro_repo.commit("v2", "ada")
    assert avro_repo.log(1)[0].allow_breaking is None
    avro_repo.set_policy("NONE", "main", author="ada")  # off for main, whatever the repository says
    avro_repo.add(user(ID))
    avro_repo.commit("v3", "ada")


def test_check_against_a_branchs_history_is_transitive_when_asked(avro_repo):
    avro_repo.add(user())
    avro_repo.commit("v2: id removed", "ada")
    # id again, as a string with a default: v2's data lacks it, v1's holds a long.
    candidate = user({"name": "id", "type": "string", "default": ""})
    plain = avro_repo.check(candidate, mode="BACKWARD")
    assert plain["compatible"] is True and len(plain["checked"]) == 1
    transitive = avro_repo.check(candidate, "main", mode="BACKWARD_TRANSITIVE")
    assert transitive["compatible"] is False and len(transitive["checked"]) == 2
    [violation] = transitive["violations"]
    assert violation["against"] == transitive["checked"][1] and violation["change"] == "type long → string"
    avro_repo.set_policy("BACKWARD_TRANSITIVE", author="ada")
    assert avro_repo.check(candidate)["mode"] == "BACKWARD_TRANSITIVE"  # the branch's policy by default
    avro_repo.add(candidate)
    with pytest.raises(pp.CompatibilityError):
        avro_repo.commit("v3", "ada")


def test_a_merge_obeys_the_policy_of_the_branch_it_goes_into(avro_repo):
    avro_repo.create_branch("dev")
    avro_repo.checkout("dev")
    avro_repo.add(user(ID, EMAIL))
    avro_repo.commit("email, no default", "ada")
    avro_repo.checkout("main")
    avro_repo.set_policy("BACKWARD", "main", author="ada")
    head = avro_repo.head
    with pytest.raises(pp.CompatibilityError) as info:
        avro_repo.merge("dev", "ada")  # a fast-forward, refused
    assert info.value.violations[0]["path"] == "record org.example.User field email"
    assert avro_repo.head == head
    result = avro_repo.merge("dev", "ada", allow_breaking="readers go first")
    assert result["kind"] == "fast-forward" and avro_repo.head != head
