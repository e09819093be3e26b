"""The seed SDK's compatibility forms (``Panproto``, ``vcs_*``): pure Python
in the dispatcher (``panproto/_seed.py``), over the real API."""

from __future__ import annotations

import pickle
import uuid
from pathlib import Path

import pytest

import panproto as pp
from conftest import BACKEND, Location
from schemas import post_v1, post_v2


def test_vcs_init_in_the_seeds_order_protocol_first(location):
    with pp.vcs_init("sql", location.url, name=location.name) as repo:
        assert repo.protocol.name == "sql"
        assert repo.name == location.name and repo.head is None and repo.branch == "main"
    with location.open() as again:
        assert again.protocol == pp.protocol("sql")


def test_vcs_init_in_the_seeds_order_with_a_protocol_object(location):
    with pp.vcs_init(pp.protocol("graphql"), location.url, name=location.name) as repo:
        assert repo.protocol == pp.protocol("graphql")


def test_vcs_init_in_repository_inits_order_location_first(location):
    with pp.vcs_init(location.url, "protobuf", name=location.name) as repo:
        assert repo.protocol.name == "protobuf"


def test_vcs_init_location_alone_defaults_to_atproto(location):
    with pp.vcs_init(location.url, name=location.name) as repo:
        assert repo.protocol.name == "atproto"


def test_vcs_init_by_keyword(location):
    with pp.vcs_init(location=location.url, protocol="sql", name=location.name) as repo:
        assert repo.protocol.name == "sql"
    other = Location(location.url, f"{location.name}-2")
    with pp.vcs_init("json-schema", location=other.url, name=other.name) as repo:
        assert repo.protocol.name == "json-schema"


def test_vcs_init_reads_a_defined_protocols_name_as_the_protocol(location):
    name = f"todo-{uuid.uuid4().hex[:8]}"
    spec = {
        "name": name,
        "object_kinds": ["list", "item"],
        "edge_rules": {"entry": {"src_kinds": ["list"], "tgt_kinds": ["item"], "named": False}},
        "constraint_sorts": [],
    }
    pp.define_protocol(spec)
    with pp.vcs_init(name, location.url, name=location.name) as repo:
        assert repo.protocol.name == name


@pytest.mark.backend("sqlite")
def test_a_location_spelled_like_a_protocol_is_passed_as_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pp.vcs_init(Path("sql"), "atproto") as repo:  # a PathLike is always the location
        assert repo.protocol.name == "atproto"
    assert (tmp_path / "sql").is_file()
    with pp.vcs_init(location="atproto", protocol="sql") as repo:  # so is location=
        assert repo.protocol.name == "sql"
    assert (tmp_path / "atproto").is_file()


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("atproto",), {}, "needs a location"),
        ((), {}, "needs a location"),
        ((), {"protocol": "sql"}, "needs a location"),
        (("atproto", "a.db"), {"protocol": "sql"}, "protocol twice"),
        (("atproto", "a.db"), {"location": "b.db"}, "location twice"),
        (("a.db", "sql"), {"protocol": "sql"}, "protocol twice"),
        (("a.db",), {"location": "b.db"}, "location twice"),
        (("a.db", Path("b.db")), {}, "is a path, not a protocol"),
        (("atproto", pp.protocol("sql")), {}, "the location is a Protocol"),
    ],
)
def test_vcs_init_refuses_ambiguous_or_incomplete_calls(tmp_path, monkeypatch, args, kwargs, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match=message):
        pp.vcs_init(*args, **kwargs)
    assert list(tmp_path.iterdir()) == [], "nothing was created"


def test_vcs_init_with_an_unknown_protocol_second_is_refused(location):
    with pytest.raises(pp.PanprotoError, match="cobol"):
        pp.vcs_init(location.url, "cobol", name=location.name)


def test_vcs_functions_are_the_repository_methods(location):
    with pp.vcs_init("atproto", location.url, name=location.name) as repo:
        report = pp.vcs_add(repo, post_v1())
        assert isinstance(report, pp.DiffReport) and report.changes == repo.status().changes
        first = pp.vcs_commit(repo, "v1", "alice")
        pp.vcs_add(repo, post_v2())
        second = pp.vcs_commit(repo, "v2", "bob")
        assert [c.id for c in pp.vcs_log(repo)] == [second, first]
        assert [c.author for c in pp.vcs_log(repo, count=1)] == ["bob"]
        status = pp.vcs_status(repo)
        assert isinstance(status, pp.Status) and status.head == second and status.staged is None
    with pp.vcs_open(location.url, name=location.name) as again:
        assert again.head == second and again.schema_at() == post_v2()


def test_panproto_is_a_handle_on_the_module_functions():
    with pp.Panproto.load() as p:
        assert p.list_protocols() == pp.list_protocols()
        assert p.protocol("sql") == pp.protocol("sql")
        assert p.diff(post_v1(), post_v2()) == pp.diff(post_v1(), post_v2())
        assert repr(p) == f'Panproto(backend="{BACKEND}")'
    assert isinstance(pp.Panproto.load("panproto.wasm"), pp.Panproto), "the seed's wasm_path is accepted"
    again = pickle.loads(pickle.dumps(pp.Panproto.load()))
    assert isinstance(again, pp.Panproto) and type(again) is pp.Panproto
