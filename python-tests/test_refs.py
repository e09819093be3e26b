"""Branches, tags and checkout on the active backend."""

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


def test_annotated_tags_record_who_when_and_why(two_commits):
    repo, first, second = two_commits
    assert repo.tag("v1", "HEAD~1", message="First release\n\nWith a body.", tagger="carol") == first
    assert repo.tag("light") == second
    info = repo.tag_info("v1")
    assert info["annotated"] and info["commit"] == first
    assert (info["tagger"], info["message"]) == ("carol", "First release\n\nWith a body.")
    assert info["object"] is not None and info["object"] != first, "the ref holds a tag object"
    assert isinstance(info["timestamp"], int) and info["timestamp"] > 0
    assert repo.tag_info("light") == {
        "name": "light",
        "commit": second,
        "annotated": False,
        "object": None,
        "tagger": None,
        "timestamp": None,
        "message": None,
    }
    # Everything that wants a commit gets the tagged one.
    assert repo.tags() == {"light": second, "v1": first}
    assert repo.schema_at("v1") == post_v1()
    assert repo.schema_at(info["object"]) == post_v1(), "a tag object's id peels too"
    assert repo.create_branch("from-tag", "v1") == first
    assert repo.checkout("v1") is None and repo.head == first
    assert [c.id for c in repo.log()] == [first]
    with pytest.raises(pp.ConflictError):
        repo.tag("v1", message="again", tagger="carol")
    with pytest.raises(pp.VcsError, match="both a message and a tagger"):
        repo.tag("v2", message="no tagger")
    with pytest.raises(pp.VcsError, match="tag message"):
        repo.tag("v2", message="  ", tagger="carol")
    with pytest.raises(pp.NotFoundError):
        repo.tag_info("v2")
    assert repo.verify().ok


def test_reflog_lists_moves_newest_first(two_commits, location):
    repo, first, second = two_commits
    entries = repo.reflog()
    assert [e["message"] for e in entries] == ["commit: v2", "commit (initial): v1"]
    assert entries[0] == {
        "ref": "refs/heads/main",
        "old": first,
        "new": second,
        "message": "commit: v2",
        "timestamp": entries[0]["timestamp"],
    }
    assert entries[1]["old"] is None
    assert repo.reflog("main", 1) == entries[:1]
    assert repo.reflog("refs/heads/main") == entries
    repo.create_branch("side", "HEAD~1")
    repo.tag("v1", "HEAD~1", message="first", tagger="carol")
    assert [e["message"] for e in repo.reflog("side")] == ["branch: created from HEAD~1"]
    assert repo.reflog("v1")[0]["message"] == "tag: v1 (annotated)"
    assert repo.reflog("v1")[0]["new"] == repo.tag_info("v1")["object"]
    # HEAD is this handle's: on another branch, HEAD's reflog is that branch's.
    repo.checkout("side")
    assert repo.reflog("HEAD")[0]["ref"] == "refs/heads/side"
    with location.open() as other:
        assert other.reflog("HEAD")[0]["ref"] == "refs/heads/main"
    repo.checkout("main")
    repo.delete_branch("side")
    assert [e["new"] for e in repo.reflog("side")] == [None, first], "a deleted branch keeps its reflog"
    with pytest.raises(pp.NotFoundError):
        repo.reflog("nowhere")
    repo.checkout(first)
    with pytest.raises(pp.VcsError, match="detached"):
        repo.reflog()


def test_a_detached_head_commits_without_moving_any_ref(two_commits, location):
    repo, first, second = two_commits
    repo.checkout(first)
    repo.add(post_v2().to_builder().vertex("post:body.lang", "string").build())
    third = repo.commit("on a detached HEAD", "alice")
    assert (repo.branch, repo.head) == (None, third)
    assert repo.log(2)[1].id == first
    assert repo.branches() == {"main": second}, "no branch moves"
    assert [e["new"] for e in repo.reflog("main")] == [second, first]
    with location.open() as other:
        assert other.head == second
    assert repo.create_branch("kept") == third
    assert repo.verify().ok
