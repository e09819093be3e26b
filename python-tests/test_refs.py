"""Branches, tags and checkout on the active backend (issue 4, first part)."""

from __future__ import annotations

import pytest

import panproto as pp
from schemas import post_v1, post_v2


@pytest.fixture
def two_commits(repo):
    repo.add(post_v1())
    first = repo.commit("v1", "alice")
    repo.add(post_v2())
    second = repo.commit("v2", "alice")
    return repo, first, second


def test_branches_are_created_listed_renamed_and_deleted(two_commits):
    repo, first, second = two_commits
    assert repo.branches() == {"main": second}
    assert repo.create_branch("old", "HEAD~1") == first
    assert repo.branches() == {"main": second, "old": first}
    assert repo.branch == "main", "creating a branch does not move HEAD"
    with pytest.raises(pp.ConflictError) as info:
        repo.create_branch("old")
    assert info.value.ref == "refs/heads/old"
    with pytest.raises(pp.VcsError, match="may not contain"):
        repo.create_branch("bad name")
    repo.rename_branch("main", "trunk")
    assert repo.branch == "trunk"
    assert repo.schema_at("trunk") == post_v2()
    with pytest.raises(pp.VcsError, match="current branch"):
        repo.delete_branch("trunk")
    repo.delete_branch("old")
    with pytest.raises(pp.NotFoundError):
        repo.delete_branch("old")
    assert repo.branches() == {"trunk": second}


def test_checkout_moves_only_this_handle(two_commits, location):
    repo, first, second = two_commits
    repo.create_branch("feature", "HEAD~1")
    assert repo.checkout("feature") == "feature"
    assert (repo.branch, repo.head) == ("feature", first)
    assert [c.id for c in repo.log()] == [first]
    with location.open() as other:
        assert (other.branch, other.head) == ("main", second)
    assert repo.checkout(second) is None
    assert (repo.branch, repo.head) == (None, second)
    with pytest.raises(pp.NotFoundError):
        repo.checkout("nowhere")


def test_checkout_refuses_while_something_is_staged(two_commits):
    repo, _, _ = two_commits
    repo.add(post_v1())
    with pytest.raises(pp.VcsError, match="staged"):
        repo.checkout("HEAD~1")
    assert repo.status().staged == post_v1().id


def test_commit_on_a_branch_moves_only_that_branch(two_commits):
    repo, first, second = two_commits
    repo.create_branch("feature", "HEAD~1")
    repo.checkout("feature")
    repo.add(post_v2())
    third = repo.commit("v2 on feature", "bob")
    assert repo.branches() == {"main": second, "feature": third}
    assert repo.log(2)[1].id == first


def test_tags_point_at_commits_and_resolve(two_commits):
    repo, first, _ = two_commits
    assert repo.tag("v1", "HEAD~1") == first
    assert repo.tags() == {"v1": first}
    assert repo.schema_at("v1") == post_v1()
    assert repo.schema_at(first[:8]) == post_v1(), "the start of an id resolves"
    assert repo.schema_at(first[:8].upper()) == post_v1()
    with pytest.raises(pp.ConflictError):
        repo.tag("v1")
    assert repo.diff("v1", "HEAD").compatibility in {"backward-compatible", "breaking"}
