"""Schemas: the immutable builder, validation, ids, JSON, diff."""

from __future__ import annotations

import json
import re

import pytest

import panproto as pp
from schemas import post_v1, post_v2, post_v3


def test_builder_is_immutable_each_call_returns_a_new_builder():
    base = pp.protocol("atproto").schema()
    one = base.vertex("a", "object")
    two = one.vertex("b", "string")
    assert isinstance(one, pp.SchemaBuilder)
    assert (len(base), len(one), len(two)) == (0, 1, 2)
    branch = one.vertex("c", "integer")
    assert len(two) == 2 and len(branch) == 2
    assert set(two.build().vertices) == {"a", "b"}
    assert set(branch.build().vertices) == {"a", "c"}
    assert set(one.build().vertices) == {"a"}
    assert base.protocol == pp.protocol("atproto")


def test_build_gives_the_declared_schema():
    schema = post_v1()
    assert isinstance(schema, pp.Schema)
    assert schema.protocol == "atproto"
    assert len(schema) == 3
    assert schema.vertices == {
        "post": {"kind": "record", "nsid": "app.bsky.feed.post"},
        "post:body": {"kind": "object"},
        "post:body.text": {"kind": "string"},
    }
    assert sorted(schema.edges, key=lambda e: e["kind"]) == [
        {"src": "post:body", "tgt": "post:body.text", "kind": "prop", "name": "text"},
        {"src": "post", "tgt": "post:body", "kind": "record-schema"},
    ]
    data = schema.data
    assert data["protocol"] == "atproto"
    assert data == json.loads(schema.to_json())
    assert "constraints" in data and "required" in data


def test_invalid_schema_reports_every_error_at_once():
    builder = (
        pp.protocol("atproto")
        .schema()
        .vertex("post", "record")
        .vertex("body", "object")
        .vertex("weird", "spaceship")  # unknown kind
        .vertex("body", "object")  # duplicate vertex
        .edge("body", "missing", "prop", {"name": "x"})  # edge to a missing vertex
        .edge("post", "body", "items")  # against the protocol's rules: items go from arrays
    )
    with pytest.raises(pp.SchemaValidationError) as info:
        builder.build()
    errors = info.value.errors
    assert isinstance(errors, tuple) and all(isinstance(e, str) for e in errors)
    assert len(errors) >= 4, errors

    def one(pattern: str) -> str:
        found = [e for e in errors if re.search(pattern, e)]
        assert found, f"no error matches {pattern!r} in {errors}"
        return found[0]

    assert "weird" in one(r"unknown-kind")
    assert "body" in one(r"duplicate-vertex")
    assert "missing" in one(r"missing-vertex")
    assert "items" in one(r"edge-rule-violation")
    for error in errors:  # every error is in the message too
        assert error in str(info.value)


def test_schema_validation_error_is_a_panproto_error():
    with pytest.raises(pp.PanprotoError):
        pp.protocol("atproto").schema().vertex("a", "nope").build()


def test_named_edge_kinds_need_a_name():
    builder = pp.protocol("atproto").schema().vertex("o", "object").vertex("s", "string").edge("o", "s", "prop")
    with pytest.raises(pp.SchemaValidationError) as info:
        builder.build()
    assert any("edge-name" in e for e in info.value.errors)


def test_unknown_constraint_sort_is_reported():
    builder = pp.protocol("atproto").schema().vertex("s", "string").constraint("s", "colour", "red")
    with pytest.raises(pp.SchemaValidationError) as info:
        builder.build()
    assert any("colour" in e for e in info.value.errors)


def test_id_is_a_deterministic_content_hash():
    assert re.fullmatch(r"[0-9a-f]{64}", post_v1().id)
    assert post_v1().id == post_v1().id
    assert post_v1() == post_v1()
    assert hash(post_v1()) == hash(post_v1())
    assert post_v1().id != post_v2().id
    assert len({post_v1(), post_v1(), post_v2()}) == 2


def test_id_does_not_depend_on_declaration_order():
    proto = pp.protocol("atproto")
    a = (
        proto.schema()
        .vertex("o", "object")
        .vertex("s", "string")
        .vertex("n", "integer")
        .edge("o", "s", "prop", {"name": "s"})
        .edge("o", "n", "prop", {"name": "n"})
        .constraint("s", "maxLength", "10")
        .build()
    )
    b = (
        proto.schema()
        .constraint("s", "maxLength", "10")
        .edge("o", "n", "prop", {"name": "n"})
        .vertex("n", "integer")
        .edge("o", "s", "prop", {"name": "s"})
        .vertex("s", "string")
        .vertex("o", "object")
        .build()
    )
    assert a.id == b.id
    assert a == b
    assert a.to_json() == b.to_json()


def test_json_round_trip_keeps_everything():
    for schema in (post_v1(), post_v2(), post_v3()):
        text = schema.to_json()
        again = pp.Schema.from_json(text)
        assert again == schema
        assert again.id == schema.id
        assert again.to_json() == text
        assert again.vertices == schema.vertices
        assert again.data == schema.data


def test_hyper_edges_round_trip():
    schema = (
        pp.protocol("sql")
        .schema()
        .vertex("users", "table")
        .vertex("users.id", "integer")
        .vertex("users.org", "integer")
        .edge("users", "users.id", "column", {"name": "id"})
        .edge("users", "users.org", "column", {"name": "org"})
        .hyper_edge("users_pk", "primary-key", {"table": "users", "a": "users.id", "b": "users.org"}, "table")
        .build()
    )
    assert "hyper_edges" in schema.data
    assert pp.Schema.from_json(schema.to_json()) == schema


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"protocol": "no-such-protocol", "vertices": {}, "edges": []}',
        '{"protocol": "atproto", "vertices": {"a": {"kind": "spaceship"}}, "edges": []}',
    ],
)
def test_from_json_refuses_bad_input(text):
    with pytest.raises(pp.SchemaValidationError):
        pp.Schema.from_json(text)


def test_to_builder_extends_a_schema():
    v2 = post_v2()
    assert len(v2) == 4
    assert "post:body.createdAt" in v2.vertices
    assert set(post_v1().vertices) < set(v2.vertices)


def test_diff_lists_typed_changes():
    changes = pp.diff(post_v1(), post_v2())
    kinds = sorted(c["kind"] for c in changes)
    assert kinds == ["constraint-added", "edge-added", "vertex-added"]
    for change in changes:
        assert change["element"]
    vertex = next(c for c in changes if c["kind"] == "vertex-added")
    assert "post:body.createdAt" in vertex["element"]

    changed = pp.diff(post_v2(), post_v3())
    assert len(changed) == 1
    assert changed[0]["kind"] == "constraint-changed"
    assert (changed[0]["old"], changed[0]["new"]) == ("3000", "5000")

    removed = {c["kind"] for c in pp.diff(post_v2(), post_v1())}
    assert removed == {"vertex-removed", "edge-removed", "constraint-removed"}
    same = pp.diff(post_v1(), post_v1())
    assert same.changes == [] and not same


def test_diff_reports_kind_and_required_changes():
    proto = pp.protocol("atproto")
    base = proto.schema().vertex("o", "object").vertex("s", "string").edge("o", "s", "prop", {"name": "s"})
    old = base.build()
    new = (
        proto.schema()
        .vertex("o", "object")
        .vertex("s", "integer")
        .edge("o", "s", "prop", {"name": "s"})
        .required("o", ["s"])
        .build()
    )
    kinds = {c["kind"] for c in pp.diff(old, new)}
    assert {"kind-changed", "required-added"} <= kinds
    assert "required-removed" in {c["kind"] for c in pp.diff(new, old)}


def test_schema_and_builder_reprs_are_informative():
    schema = post_v1()
    assert schema.id[:12] in repr(schema)
    assert "atproto" in repr(schema)
    builder = pp.protocol("atproto").schema().vertex("a", "object")
    assert "SchemaBuilder" in repr(builder)
