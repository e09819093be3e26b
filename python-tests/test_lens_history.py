"""Lenses in the history, on both backends: ``add(schema, lens=)`` checks
the lens against the staged schema and the commit stores it; the datasets
a commit carries, ``migrate_data`` both ways, ``migration`` and ``show``
use it; ``evolve`` makes the next version from a lens; the CLI's ``add
--lens`` and ``evolve`` keep the lens in the working copy until the commit.

The change is one no vertex mapping says: a nested ``name`` split into
``first`` and ``last``, a tag wrapped into a list of tags, and an enum
value renamed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import panproto as pp
from conftest import Location
from test_cli import EXIT_ERROR, init_args, run

OLD = {
    "type": "object",
    "properties": {
        "name": {"type": "object", "properties": {"first": {"type": "string"}, "last": {"type": "string"}}},
        "tag": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "done"]},
    },
}
NEW = {
    "type": "object",
    "properties": {
        "first": {"type": "string"},
        "last": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "enum": ["pending", "done"]},
    },
}
PEOPLE = [
    {"name": {"first": "Ada", "last": "Lovelace"}, "tag": "math", "status": "draft"},
    {"name": {"first": "Alan", "last": "Turing"}, "tag": "cs", "status": "done"},
]
SPLIT = [
    {"first": "Ada", "last": "Lovelace", "tags": ["math"], "status": "pending"},
    {"first": "Alan", "last": "Turing", "tags": ["cs"], "status": "done"},
]


def schema(document: dict) -> pp.Schema:
    return pp.Schema.from_json_schema(json.dumps(document))


def split() -> pp.ProtolensChain:
    return (
        pp.hoist("name", "first")
        .compose(pp.hoist("name", "last"))
        .compose(pp.remove("name", "object", {}))
        .compose(pp.wrap("tag"))
        .compose(pp.rename("tag", "tags"))
        .compose(pp.convert("status", {"draft": "pending"}))
    )


@pytest.fixture
def people(location: Location):
    """A JSON Schema repository with the old schema and two people committed."""
    with location.init("json-schema") as repo:
        repo.add(schema(OLD))
        repo.add_data("people", PEOPLE)
        repo.commit("people", "tester")
        yield repo


def test_a_committed_lens_carries_the_dataset_there_and_back(people):
    report = people.add(schema(NEW), lens=split())
    assert len(report) > 0
    assert people.staged_lens() == split()
    people.commit("split the name", "tester")
    assert list(people.data_at("HEAD", "people")) == SPLIT
    assert list(people.migrate_data("people", "HEAD", "HEAD~1")) == PEOPLE
    assert list(people.migrate_data("people", "HEAD~1", "HEAD")) == SPLIT

    lens = people.migration("HEAD")
    assert isinstance(lens, pp.Lens)
    assert lens.chain == split()
    assert lens.source.id == people.schema_at("HEAD~1").id
    assert lens.get(PEOPLE[0])[0] == SPLIT[0]
    assert people.show("HEAD")["lens"] == split()
    assert people.show("HEAD~1")["lens"] is None
    assert isinstance(people.migration("HEAD~1"), type(None))
    assert people.verify().ok


def test_evolve_stages_what_the_lens_makes_of_heads_schema(people):
    people.evolve(split())
    staged = people.staged_schema()
    assert staged is not None and staged.id == split().instantiate(people.schema_at("HEAD")).target.id
    people.commit("evolved", "tester")
    assert list(people.data_at("HEAD", "people")) == SPLIT


def test_a_lens_that_misses_the_staged_schema_says_where_and_stages_nothing(people):
    short = pp.hoist("name", "first").compose(pp.hoist("name", "last")).compose(pp.remove("name", "object", {}))
    with pytest.raises(pp.errors.LensError) as info:
        people.add(schema(NEW), lens=short)
    assert info.value.differences, info.value
    assert any("tags" in d for d in info.value.differences), info.value.differences
    assert people.staged_schema() is None and people.staged_lens() is None

    with pytest.raises(pp.errors.LensError) as info:
        people.add(schema(NEW), lens=pp.rename("nickname", "alias"))
    assert info.value.step is not None and "nickname" in info.value.step

    with pytest.raises(TypeError, match="ProtolensChain or a Lens"):
        people.add(schema(NEW), lens={"rename": "x"})


def test_a_lens_needs_an_earlier_commit(location: Location):
    with location.init("json-schema") as repo:
        with pytest.raises(pp.errors.VcsError, match="no earlier version"):
            repo.add(schema(OLD), lens=split())
        with pytest.raises(pp.errors.VcsError, match="no schema to evolve"):
            repo.evolve(split())


def test_cli_add_with_a_lens_file_commit_show(tmp_path: Path, location: Location):
    run(tmp_path, *init_args(location), "--format", "json-schema")
    (tmp_path / "person.json").write_text(json.dumps(OLD), encoding="utf-8")
    run(tmp_path, "add", "person.json")
    (tmp_path / "people.jsonl").write_text("\n".join(json.dumps(p) for p in PEOPLE), encoding="utf-8")
    run(tmp_path, "data", "add", "people", "people.jsonl")
    run(tmp_path, "commit", "-m", "people")

    (tmp_path / "person.json").write_text(json.dumps(NEW), encoding="utf-8")
    (tmp_path / "split.lens.json").write_text(split().to_json(), encoding="utf-8")
    out = run(tmp_path, "add", "person.json", "--lens", "split.lens.json")
    assert "with its lens" in out.stdout, out.stdout
    # The lens is kept in the working copy until the commit, a process later.
    run(tmp_path, "commit", "-m", "split the name")
    shown = run(tmp_path, "show", "HEAD").stdout
    assert "lens (moves the records" in shown and '"hoist"' in shown, shown
    data = json.loads(run(tmp_path, "show", "HEAD", "--json").stdout)
    assert pp.ProtolensChain.from_json(json.dumps(data["lens"])) == split()
    out = run(tmp_path, "data", "show", "people")
    assert [json.loads(line) for line in out.stdout.splitlines()] == SPLIT

    # evolve: the lens's own schema, staged with it.
    (tmp_path / "tags.lens.json").write_text(pp.rename("tags", "labels").to_json(), encoding="utf-8")
    out = run(tmp_path, "evolve", "tags.lens.json")
    assert "with its lens" in out.stdout, out.stdout
    run(tmp_path, "commit", "-m", "labels")
    assert json.loads(run(tmp_path, "show", "HEAD", "--json").stdout)["lens"]["steps"] == [
        {"rename": {"field": "tags", "to": "labels"}}
    ]


def test_cli_a_bad_lens_file_is_one_located_error_line(tmp_path: Path, location: Location):
    run(tmp_path, *init_args(location), "--format", "json-schema")
    (tmp_path / "person.json").write_text(json.dumps(OLD), encoding="utf-8")
    run(tmp_path, "add", "person.json")
    run(tmp_path, "commit", "-m", "v1")
    (tmp_path / "bad.lens.json").write_text('{"format": "panproto-lens/1",\n "steps": [}', encoding="utf-8")
    (tmp_path / "person.json").write_text(json.dumps(NEW), encoding="utf-8")
    out = run(tmp_path, "add", "person.json", "--lens", "bad.lens.json", check=False)
    assert out.returncode == EXIT_ERROR and "bad.lens.json:2:" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    out = run(tmp_path, "add", "person.json", "--lens", "missing.lens.json", check=False)
    assert out.returncode == EXIT_ERROR and "missing.lens.json: no such file" in out.stderr
    (tmp_path / "short.lens.json").write_text(pp.wrap("tag").to_json(), encoding="utf-8")
    out = run(tmp_path, "add", "person.json", "--lens", "short.lens.json", check=False)
    assert out.returncode == EXIT_ERROR and "does not take the schema" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    # Nothing was staged by the refused adds.
    assert json.loads(run(tmp_path, "status", "--json").stdout)["staged"] is None
