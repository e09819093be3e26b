"""Protocols: the five built-ins, user-defined protocols, reprs, pickling."""

from __future__ import annotations

import pickle
import uuid

import pytest

import panproto as pp

BUILTINS = ["atproto", "sql", "protobuf", "graphql", "json-schema"]


def test_list_protocols_starts_with_the_five_builtins_in_order():
    assert pp.list_protocols()[:5] == BUILTINS


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_protocol_has_kinds_rules_and_sorts(name):
    proto = pp.protocol(name)
    assert isinstance(proto, pp.Protocol)
    assert proto.name == name
    assert proto.object_kinds and proto.object_kinds == sorted(proto.object_kinds)
    assert proto.edge_kinds and proto.edge_kinds == sorted(proto.edge_kinds)
    assert proto.constraint_sorts == sorted(proto.constraint_sorts)
    spec = proto.to_dict()
    assert spec["name"] == name
    assert sorted(spec["edge_rules"]) == proto.edge_kinds
    assert sorted(spec["object_kinds"]) == proto.object_kinds


def test_builtin_protocols_are_true_to_their_formats():
    atproto = pp.protocol("atproto")
    assert {"record", "object", "string", "array", "union", "ref"} <= set(atproto.object_kinds)
    assert {"record-schema", "prop", "items"} <= set(atproto.edge_kinds)
    assert atproto.to_dict()["edge_rules"]["prop"]["named"] is True
    assert {"maxLength", "minLength"} <= set(atproto.constraint_sorts)
    sql = pp.protocol("sql")
    assert {"table", "integer", "text"} <= set(sql.object_kinds)
    assert {"column", "foreign-key"} <= set(sql.edge_kinds)
    assert {"message", "int32", "string"} <= set(pp.protocol("protobuf").object_kinds)
    assert {"object", "interface", "input", "String"} <= set(pp.protocol("graphql").object_kinds)
    assert {"object", "array", "string", "number"} <= set(pp.protocol("json-schema").object_kinds)


def test_unknown_protocol_names_the_known_ones():
    with pytest.raises(pp.PanprotoError) as info:
        pp.protocol("cobol")
    assert "cobol" in str(info.value)
    assert "atproto" in str(info.value)


def _spec(name: str) -> dict[str, object]:
    return {
        "name": name,
        "schema_theory": "ThTodo",
        "instance_theory": "ThTodoInstance",
        "object_kinds": ["list", "item", "text", "flag"],
        "edge_rules": {
            "entry": {"src_kinds": ["list"], "tgt_kinds": ["item"], "named": False},
            "field": {"src_kinds": ["item"], "tgt_kinds": ["text", "flag"], "named": True},
        },
        "constraint_sorts": ["maxLength"],
    }


def test_define_protocol_then_use_it_like_a_builtin():
    name = f"todo-{uuid.uuid4().hex[:8]}"
    proto = pp.define_protocol(_spec(name))
    assert proto.name == name
    assert proto.object_kinds == ["flag", "item", "list", "text"]
    assert proto.edge_kinds == ["entry", "field"]
    assert proto.constraint_sorts == ["maxLength"]
    assert name in pp.list_protocols()
    assert pp.list_protocols()[:5] == BUILTINS
    assert pp.protocol(name) == proto
    spec = proto.to_dict()
    assert spec["edge_rules"]["field"] == {"src_kinds": ["item"], "tgt_kinds": ["text", "flag"], "named": True}
    assert pp.define_protocol(spec) == proto
    schema = (
        proto.schema()
        .vertex("todo", "list")
        .vertex("todo.item", "item")
        .vertex("todo.item.title", "text")
        .edge("todo", "todo.item", "entry")
        .edge("todo.item", "todo.item.title", "field", {"name": "title"})
        .build()
    )
    assert schema.protocol == name
    assert pp.Schema.from_json(schema.to_json()) == schema


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"object_kinds": []}, "object kind"),
        ({"edge_rules": {"entry": {"src_kinds": ["nope"], "tgt_kinds": [], "named": False}}}, "nope"),
        ({"name": ""}, "name"),
    ],
)
def test_define_protocol_refuses_an_inconsistent_spec(change, needle):
    spec = {**_spec(f"bad-{uuid.uuid4().hex[:8]}"), **change}
    with pytest.raises(pp.SchemaValidationError) as info:
        pp.define_protocol(spec)
    assert needle in str(info.value)


def test_define_protocol_refuses_a_malformed_spec():
    with pytest.raises(pp.SchemaValidationError):
        pp.define_protocol({"name": "x", "object_kinds": "not a list"})


def test_protocol_repr_names_it():
    assert "atproto" in repr(pp.protocol("atproto"))
    assert repr(pp.protocol("sql")) != repr(pp.protocol("atproto"))


@pytest.mark.parametrize("name", BUILTINS)
def test_protocol_pickles(name):
    proto = pp.protocol(name)
    again = pickle.loads(pickle.dumps(proto))
    assert again == proto
    assert again.to_dict() == proto.to_dict()


def test_defined_protocol_pickles():
    proto = pp.define_protocol(_spec(f"todo-{uuid.uuid4().hex[:8]}"))
    assert pickle.loads(pickle.dumps(proto)) == proto


def test_protocols_compare_by_specification():
    assert pp.protocol("atproto") == pp.protocol("atproto")
    assert pp.protocol("atproto") != pp.protocol("sql")


def test_panproto_load_is_a_context_manager_with_the_same_operations():
    with pp.Panproto.load() as p:
        assert p.list_protocols() == pp.list_protocols()
        assert p.protocol("sql") == pp.protocol("sql")
        name = f"todo-{uuid.uuid4().hex[:8]}"
        assert p.define_protocol(_spec(name)).name == name
        a = p.protocol("atproto").schema().vertex("a", "object").build()
        b = a.to_builder().vertex("b", "string").build()
        assert p.diff(a, b) == pp.diff(a, b)
        assert "Panproto" in repr(p)


def test_edge_rules_carry_roles_and_the_spec_value_types():
    spec = pp.protocol("atproto").to_dict()
    roles = {kind: rule["role"] for kind, rule in spec["edge_rules"].items()}
    assert roles["prop"] == "property" and roles["items"] == "item" and roles["record-schema"] == "wrapper"
    assert set(roles.values()) <= {"property", "item", "variant", "wrapper", "reference"}
    assert spec["value_types"]["record"] == "object" and spec["value_types"]["integer"] == "integer"
    assert set(spec["value_types"]) <= set(spec["object_kinds"])
    assert pp.protocol("sql").to_dict()["edge_rules"]["foreign-key"]["role"] == "reference"


def test_a_defined_protocol_with_roles_and_value_types_shapes_its_records():
    name = f"todo-{uuid.uuid4().hex[:8]}"
    spec = {
        **_spec(name),
        "edge_rules": {
            "entry": {"src_kinds": ["list"], "tgt_kinds": ["item"], "named": False, "role": "item"},
            "field": {"src_kinds": ["item"], "tgt_kinds": ["text", "flag"], "named": True},
        },
        "value_types": {"list": "array", "item": "object", "text": "string", "flag": "boolean"},
    }
    proto = pp.define_protocol(spec)
    again = proto.to_dict()
    assert again["value_types"] == spec["value_types"]
    assert again["edge_rules"]["entry"]["role"] == "item"
    assert "role" not in again["edge_rules"]["field"]  # not given: a named edge is a property
    todo = (
        proto.schema()
        .vertex("todo", "list")
        .vertex("todo.item", "item")
        .vertex("todo.item.title", "text")
        .vertex("todo.item.done", "flag")
        .edge("todo", "todo.item", "entry")
        .edge("todo.item", "todo.item.title", "field", {"name": "title"})
        .edge("todo.item", "todo.item.done", "field", {"name": "done"})
        .build()
    )
    assert todo.validate_record([{"title": "milk", "done": False}], "todo") == []
    [problem] = todo.validate_record([{"title": "milk"}, {"title": "eggs", "done": "no"}], "todo")
    assert problem["path"] == "todo[1].done" and "expected boolean" in problem["message"]


def test_an_unknown_role_or_value_type_is_refused():
    bad_role = {**_spec(f"bad-{uuid.uuid4().hex[:8]}")}
    bad_role["edge_rules"] = {"entry": {"src_kinds": [], "tgt_kinds": [], "named": False, "role": "sibling"}}
    with pytest.raises(pp.SchemaValidationError):
        pp.define_protocol(bad_role)
    with pytest.raises(pp.SchemaValidationError, match="not an object kind"):
        pp.define_protocol({**_spec(f"bad-{uuid.uuid4().hex[:8]}"), "value_types": {"ghost": "string"}})
