"""NUL bytes: refused in names, messages and authors with a
``ValueError`` naming the field, before any store call, on both backends
alike (PostgreSQL cannot store ``\\x00`` in text; SQLite could), and nothing
is written."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

import panproto as pp
from conftest import BACKEND, Location
from schemas import post_v1, post_v2

NUL = "\x00"


def repository_names(location: Location) -> list[str]:
    """The names of every repository in the store, read behind panproto's back."""
    if BACKEND == "sqlite":
        with sqlite3.connect(location.url) as conn:
            return [name for (name,) in conn.execute("SELECT name FROM repositories")]
    with psycopg.connect(location.url, autocommit=True) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM panproto_repositories")]


def refused(error: pytest.ExceptionInfo[ValueError], field: str) -> None:
    """The error is a plain ``ValueError`` naming ``field`` and the NUL byte."""
    assert type(error.value) is ValueError
    assert field in str(error.value) and "NUL" in str(error.value)


def test_init_with_a_nul_in_the_name_is_a_value_error_and_creates_nothing(location: Location):
    name = f"{location.name}{NUL}x"
    with pytest.raises(ValueError) as info:
        pp.Repository.init(location.url, name=name)
    refused(info, "name")
    with location.init() as repo:  # the store works, and holds no trace of the refused name
        assert repo.log() == []
    assert not [n for n in repository_names(location) if n.startswith(location.name) and n != location.name]


def test_open_with_a_nul_in_the_name_is_a_value_error(location: Location):
    with location.init():
        pass
    with pytest.raises(ValueError) as info:
        pp.Repository.open(location.url, name=f"{location.name}{NUL}")
    refused(info, "name")


@pytest.mark.parametrize(
    ("message", "author", "field"),
    [(f"v2{NUL}", "alice", "message"), ("v2", f"ali{NUL}ce", "author"), (NUL, NUL, "message")],
)
def test_commit_with_a_nul_in_the_message_or_author_is_a_value_error_and_writes_nothing(
    repo: pp.Repository, location: Location, message: str, author: str, field: str
):
    repo.add(post_v1())
    first = repo.commit("v1", "alice")
    repo.add(post_v2())
    with pytest.raises(ValueError) as info:
        repo.commit(message, author)
    refused(info, field)
    assert repo.head == first and repo.status().staged is not None  # the staged work is kept
    with location.open() as again:
        assert [c.id for c in again.log()] == [first]
        assert len(again.reflog()) == 1
    assert repo.commit("v2", "alice") != first


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.tag(f"v1{NUL}"), "tag"),
        (lambda r: r.tag("v1", message=f"first{NUL}", tagger="carol"), "message"),
        (lambda r: r.tag("v1", message="first", tagger=f"car{NUL}ol"), "tagger"),
        (lambda r: r.create_branch(f"side{NUL}"), "branch"),
        (lambda r: r.merge("main", f"ali{NUL}ce"), "author"),
    ],
)
def test_refs_with_a_nul_are_a_value_error_and_write_nothing(repo: pp.Repository, location: Location, call, field):
    repo.add(post_v1())
    first = repo.commit("v1", "alice")
    with pytest.raises(ValueError) as info:
        call(repo)
    refused(info, field)
    with location.open() as again:
        assert again.tags() == {}
        assert again.branches() == {"main": first}
