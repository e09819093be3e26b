"""Administering the repositories of a store, on both backends:
``list_repositories``, ``delete_repository`` (that repository whole, and
nothing else), ``Repository.rename``, and the CLI's ``repo list|delete|rename``.

On PostgreSQL each test uses a scratch database, so the listing is exactly
what the test made.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import panproto as pp
from conftest import BACKEND
from schemas import post_v1, post_v2
from test_cli import EXIT_ERROR, run


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a new SQLite file, or a scratch PostgreSQL database."""
    if BACKEND == "sqlite":
        return str(tmp_path / "store.db")
    url: str = request.getfixturevalue("scratch_database")
    return url


def two_repositories(store: str) -> None:
    with pp.Repository.init(store, "atproto", name="posts") as posts:
        posts.add(post_v1())
        posts.commit("v1", "tester")
        posts.add(post_v2())
        posts.commit("v2", "tester")
        posts.create_branch("feature")
    with pp.Repository.init(store, "json-schema", name="people") as people:
        people.add(pp.Schema.from_json_schema('{"type": "object", "properties": {"n": {"type": "string"}}}'))
        people.add_data("staff", [{"n": "Ada"}])
        people.commit("people", "tester")


def test_list_names_each_repository_with_its_counts(store):
    two_repositories(store)
    listed = pp.list_repositories(store)
    assert [r["name"] for r in listed] == ["people", "posts"]
    people, posts = listed
    assert (posts["protocol"], posts["commits"], posts["branches"]) == ("atproto", 2, 2)
    assert (people["protocol"], people["commits"], people["branches"]) == ("json-schema", 1, 1)
    assert posts["size"] > 0 and people["size"] > 0 and posts["created"] > 0


def test_delete_removes_that_repository_and_nothing_else(store):
    two_repositories(store)
    with pp.Repository.open(store, name="posts") as stale:
        pp.delete_repository(store, "posts")
        with pytest.raises(pp.PanprotoError):
            stale.add(post_v1())
            stale.commit("after the delete", "tester")
    assert [r["name"] for r in pp.list_repositories(store)] == ["people"]
    with pytest.raises(pp.NotFoundError):
        pp.Repository.open(store, name="posts")
    with pp.Repository.open(store, name="people") as people:
        assert list(people.data_at("HEAD", "staff")) == [{"n": "Ada"}]
        assert people.verify().ok
    with pytest.raises(pp.NotFoundError):
        pp.delete_repository(store, "posts")
    # The name is free again.
    with pp.Repository.init(store, "atproto", name="posts") as again:
        assert again.log() == []


def test_rename_moves_the_repository_and_the_handle_follows(store):
    two_repositories(store)
    with pp.Repository.open(store, name="posts") as posts:
        head = posts.head
        posts.rename("articles")
        assert posts.name == "articles" and posts.head == head
        assert "articles" in repr(posts)
        with pytest.raises(pp.VcsError, match="already exists"):
            posts.rename("people")
        posts.add(post_v1())
        with pytest.raises(pp.VcsError, match="something is staged"):
            posts.rename("essays")
    assert [r["name"] for r in pp.list_repositories(store)] == ["articles", "people"]
    with pp.Repository.open(store, name="articles") as articles:
        assert len(articles.log()) == 2


@pytest.mark.backend("sqlite")
def test_listing_a_store_that_is_not_there_is_not_found(tmp_path: Path):
    with pytest.raises(pp.NotFoundError):
        pp.list_repositories(tmp_path / "missing.db")


def test_cli_repo_list_delete_rename(tmp_path: Path, store: str):
    two_repositories(store)
    run(tmp_path, "init", "--store", store, "--name", "third")
    listed = json.loads(run(tmp_path, "repo", "list", "--json").stdout)
    assert [r["name"] for r in listed] == ["people", "posts", "third"]
    text = run(tmp_path, "repo", "list").stdout
    assert "posts" in text and "2 commits" in text and "2 branches" in text, text
    out = run(tmp_path, "repo", "delete", "people", check=False)
    assert out.returncode == EXIT_ERROR and "--yes" in out.stderr
    run(tmp_path, "repo", "delete", "people", "--yes")
    out = run(tmp_path, "repo", "delete", "people", "--yes", check=False)
    assert out.returncode == EXIT_ERROR and "not found" in out.stderr
    run(tmp_path, "repo", "rename", "renamed")
    assert "renamed" in (tmp_path / ".panproto" / "config").read_text(encoding="utf-8")
    assert "No commits yet" in run(tmp_path, "status").stdout
    names = [r["name"] for r in json.loads(run(tmp_path, "repo", "list", "--json", "--store", store).stdout)]
    assert names == ["posts", "renamed"]
