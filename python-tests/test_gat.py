"""The GAT engine from Python: theories from the seed's spec, colimits,
morphisms, each protocol's schema and instance theories, the seed's
``Panproto`` entry point, and every way a theory or morphism is refused.

The engine's own tests (``panproto-core/tests/engine/gat.rs``) cover the
rules in depth; these check the Python surface.
"""

from __future__ import annotations

import pickle

import pytest

import panproto as pp

TH_GRAPH = {
    "name": "ThGraph",
    "sorts": [{"name": "Vertex", "params": []}, {"name": "Edge", "params": []}],
    "ops": [
        {"name": "src", "inputs": [["e", "Edge"]], "output": "Vertex"},
        {"name": "tgt", "inputs": [["e", "Edge"]], "output": "Vertex"},
    ],
    "eqs": [],
}
TH_CONSTRAINT = {
    "name": "ThConstraint",
    "sorts": [{"name": "Vertex"}, {"name": "Constraint"}],
    "ops": [{"name": "on", "inputs": [["c", "Constraint"]], "output": "Vertex"}],
}
TH_VERTEX = {"name": "ThVertex", "sorts": [{"name": "Vertex"}]}
TH_REFLEXIVE = {
    "name": "ThReflexiveGraph",
    "sorts": [{"name": "V"}, {"name": "E"}],
    "ops": [
        {"name": "s", "inputs": [["e", "E"]], "output": "V"},
        {"name": "t", "inputs": [["e", "E"]], "output": "V"},
        {"name": "loop", "inputs": [["v", "V"]], "output": "E"},
    ],
    "eqs": [
        {"name": "s_loop", "lhs": "s(loop(v))", "rhs": "v"},
        {"name": "t_loop", "lhs": "t(loop(v))", "rhs": "v"},
    ],
}


def test_a_theory_from_the_seeds_spec():
    with pp.create_theory(TH_GRAPH) as graph:
        assert graph.name == "ThGraph"
        assert [s["name"] for s in graph.sorts] == ["Vertex", "Edge"]
        assert graph.ops[0] == {"name": "src", "inputs": [["e", "Edge"]], "output": "Vertex"}
        assert graph.eqs == []
    assert repr(graph) == 'Theory("ThGraph", 2 sorts, 2 operations, 0 equations)'
    assert pp.create_theory(graph.to_dict()) == graph
    assert pickle.loads(pickle.dumps(graph)) == graph
    assert graph != pp.create_theory(TH_VERTEX)


def test_dependent_sorts_and_equations():
    category = pp.create_theory(
        {
            "name": "ThCategory",
            "sorts": [{"name": "Ob"}, {"name": "Hom", "params": [["a", "Ob"], ["b", "Ob"]]}],
            "ops": [
                {"name": "id", "inputs": [["x", "Ob"]], "output": "Hom(x, x)"},
                {"name": "dom", "inputs": [["f", "Hom(a, b)"]], "output": "Ob"},
                {"name": "compose", "inputs": [["f", "Hom(a, b)"], ["g", "Hom(b, c)"]], "output": "Hom(a, c)"},
            ],
            "eqs": [{"name": "left_id", "lhs": "compose(id(dom(f)), f)", "rhs": "f"}],
        }
    )
    assert category.sorts[1]["params"] == [["a", "Ob"], ["b", "Ob"]]
    assert category.eqs[0]["name"] == "left_id"


def test_an_ill_formed_theory_names_each_part():
    with pytest.raises(pp.GatError) as info:
        pp.create_theory(
            {
                "name": "ThBad",
                "sorts": [{"name": "Ob"}, {"name": "Ob"}],
                "ops": [{"name": "src", "inputs": [["e", "Edge"]], "output": "Ob"}],
                "eqs": [{"name": "odd", "lhs": "src(x", "rhs": "x"}],
            }
        )
    error = info.value
    assert error.what == "theory ThBad"
    assert "sort Ob is declared twice" in error.errors
    assert "operation src: input e has sort Edge, which is not a sort of the theory" in error.errors
    assert any(e.startswith("equation odd: left side: column 6") for e in error.errors), error.errors
    again = pickle.loads(pickle.dumps(error))
    assert again.errors == error.errors and again.what == error.what
    with pytest.raises(pp.GatError, match="theory spec: 1 problem: invalid type: integer `3`, expected a sequence"):
        pp.create_theory({"name": "T", "sorts": 3})
    with pytest.raises(TypeError, match="must be a mapping"):
        pp.create_theory(["ThGraph"])


def test_a_colimit_glues_over_the_shared_theory():
    graph, constraint, vertex = (pp.create_theory(t) for t in (TH_GRAPH, TH_CONSTRAINT, TH_VERTEX))
    with pp.colimit_theories(graph, constraint, vertex) as composed:
        assert composed.name == "ThGraph+ThConstraint"
        assert [s["name"] for s in composed.sorts] == ["Vertex", "Edge", "Constraint"]
    named = pp.colimit_theories(graph, constraint, vertex, name="ThConstrainedGraph")
    assert named.name == "ThConstrainedGraph"
    empty = pp.create_theory({"name": "ThEmpty"})
    with pytest.raises(pp.GatError) as info:
        pp.colimit_theories(graph, constraint, empty)
    assert info.value.errors == (
        "sort Vertex is in both ThGraph and ThConstraint but not in ThEmpty: "
        "put it in the shared theory, or rename one",
    )


def test_a_morphism_is_checked_for_signatures_and_equations():
    graph, reflexive = pp.create_theory(TH_GRAPH), pp.create_theory(TH_REFLEXIVE)
    m = {"sorts": {"Vertex": "V", "Edge": "E"}, "ops": {"src": "s", "tgt": "t"}}
    assert pp.check_morphism(m, graph, reflexive) == {
        "sorts": {"Vertex": "V", "Edge": "E"},
        "ops": {"src": "s", "tgt": "t"},
        "equations": {},
    }
    back = {"sorts": {"V": "Vertex", "E": "Edge"}, "ops": {"s": "src", "t": "tgt", "loop": "src"}}
    with pytest.raises(pp.GatError) as info:
        pp.check_morphism(back, reflexive, graph)
    assert info.value.errors == ("operation loop: its image should be (Vertex) -> Edge, but src is (Edge) -> Vertex",)
    with pytest.raises(TypeError, match="must be a mapping"):
        pp.check_morphism("identity", graph, graph)
    with pytest.raises(pp.GatError, match="morphism"):
        pp.check_morphism({"sorts": ["Vertex"]}, graph, graph)


@pytest.mark.parametrize("name", pp.list_protocols())
def test_every_protocol_exposes_its_theories(name):
    protocol = pp.protocol(name)
    schema, instance = protocol.schema_theory, protocol.instance_theory
    assert schema.name == protocol.to_dict()["schema_theory"]
    assert instance.name == protocol.to_dict()["instance_theory"]
    ops = {op["name"] for op in schema.ops}
    assert {f"kind.{k}" for k in protocol.object_kinds} <= ops
    assert {f"edge.{k}" for k in protocol.edge_kinds} <= ops
    assert {e["name"] for e in instance.eqs} >= {"arc_source", "arc_target"}
    # The schema theory is part of the instance theory, and the graph of both.
    pp.check_morphism({}, schema, instance)
    pp.check_morphism({}, pp.create_theory(TH_GRAPH), schema)
    # A user can compose them: a protocol's schema theory with documentation of its own.
    docs = pp.create_theory(
        {
            "name": "ThDocs",
            "sorts": [{"name": "Vertex"}, {"name": "Doc"}],
            "ops": [{"name": "documents", "inputs": [["d", "Doc"]], "output": "Vertex"}],
        }
    )
    documented = pp.colimit_theories(schema, docs, pp.create_theory(TH_VERTEX))
    assert documented.sorts[-1]["name"] == "Doc" and len(documented.ops) == len(schema.ops) + 1


def test_the_seeds_entry_point_has_the_same_calls():
    with pp.Panproto.load() as engine:
        graph = engine.create_theory(TH_GRAPH)
        composed = engine.colimit_theories(graph, engine.create_theory(TH_CONSTRAINT), engine.create_theory(TH_VERTEX))
        assert composed == pp.colimit_theories(graph, pp.create_theory(TH_CONSTRAINT), pp.create_theory(TH_VERTEX))
        assert engine.check_morphism({}, graph, composed)["sorts"] == {"Vertex": "Vertex", "Edge": "Edge"}
