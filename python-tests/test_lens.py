"""Lenses from Python: each combinator both ways, chains (compose, fuse,
optic class, JSON, pickling), a lens instantiated on a real schema file,
the streaming forms, the laws, and every way a lens is refused.

The laws on generated chains and records are the engine's property tests
(``panproto-core/tests/engine/lens.rs``); these check the Python surface.
"""

from __future__ import annotations

import json
import pickle

import pytest

import panproto as pp

POST = {"name": "Ada", "body": {"text": "hi", "lang": "en"}, "tag": "x", "status": "draft", "n": 1}

USER_AVRO = """{"type": "record", "name": "User", "fields": [
  {"name": "name", "type": "string"},
  {"name": "tag", "type": "string"},
  {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["draft", "done"]}}
]}"""

USER_AVRO_NEXT = """{"type": "record", "name": "User", "fields": [
  {"name": "fullName", "type": "string"},
  {"name": "tags", "type": {"type": "array", "items": "string"}},
  {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["pending", "done"]}}
]}"""


def round_trip(chain: pp.ProtolensChain, record: dict, view: dict) -> pp.Complement:
    lens = chain.compile()
    got, complement = lens.get(record)
    assert got == view
    assert lens.put(got, complement) == record
    return complement


@pytest.mark.parametrize(
    ("chain", "view"),
    [
        (pp.rename("name", "title"), {**POST, "title": "Ada", "name": None}),
        (pp.add("score", "integer", 0), {**POST, "score": 0}),
        (pp.remove("n", "integer", 0), {k: v for k, v in POST.items() if k != "n"}),
        (pp.hoist("body", "text"), {**POST, "body": {"lang": "en"}, "text": "hi"}),
        (
            pp.plunge("body", "tag"),
            {"name": "Ada", "body": {"text": "hi", "lang": "en", "tag": "x"}, "status": "draft", "n": 1},
        ),
        (pp.wrap("tag"), {**POST, "tag": ["x"]}),
        (pp.convert("status", {"draft": "pending"}), {**POST, "status": "pending"}),
        (pp.in_("body", pp.rename("text", "content")), {**POST, "body": {"content": "hi", "lang": "en"}}),
    ],
    ids=lambda c: repr(c) if isinstance(c, pp.ProtolensChain) else "",
)
def test_each_combinator_gets_its_view_and_puts_the_record_back(chain, view):
    view = {k: v for k, v in view.items() if v is not None}
    round_trip(chain, POST, view)


def test_head_keeps_the_tail_and_map_applies_to_each_item():
    complement = round_trip(pp.head("tags"), {"tags": ["a", "b", "c"]}, {"tags": "a"})
    assert not complement.empty
    items = pp.in_("items", pp.map(pp.rename("x", "y")))
    round_trip(items, {"items": [{"x": 1}, {"x": 2}]}, {"items": [{"y": 1}, {"y": 2}]})


def test_a_chain_composes_fuses_and_has_an_optic_class():
    chain = pp.rename("name", "title").compose(pp.hoist("body", "text")).compose(pp.wrap("tag"))
    assert len(chain) == 3
    assert chain.optic == "iso"
    assert chain.compose(pp.remove("n", "integer", 0)).optic == "lens"
    assert pp.head("tags").optic == "affine"
    assert pp.map(pp.wrap("a")).optic == "traversal"
    twice = pp.in_("body", pp.wrap("text")).compose(pp.in_("body", pp.wrap("lang")))
    fused = twice.fuse()
    assert len(fused) == 1
    both = [{"wrap": {"field": "text"}}, {"wrap": {"field": "lang"}}]
    assert fused.steps == [{"in": {"field": "body", "steps": both}}]
    assert fused.compile().get(POST)[0] == twice.compile().get(POST)[0]


def test_an_iso_puts_without_a_complement():
    lens = pp.rename("name", "title").compose(pp.convert("status", {"draft": "pending"})).compile()
    view, complement = lens.get(POST)
    assert complement.empty
    assert lens.put(view) == POST


def test_a_chain_is_kept_as_versioned_json_and_pickles():
    table = pp.convert("status", [("draft", "pending")], reverse=[("pending", "draft")])
    chain = pp.rename("name", "title").compose(table)
    text = chain.to_json()
    assert json.loads(text)["format"] == "panproto-lens/1"
    assert pp.ProtolensChain.from_json(text) == chain
    assert pickle.loads(pickle.dumps(chain)) == chain
    lens = chain.compile()
    again = pickle.loads(pickle.dumps(lens))
    assert again.get(POST)[0] == lens.get(POST)[0]
    _, complement = pp.remove("n", "integer", 0).compile().get(POST)
    assert pickle.loads(pickle.dumps(complement)) == complement


def test_a_lens_on_a_schema_file_reaches_the_file_written_for_the_same_change():
    old = pp.Schema.from_avro(USER_AVRO)
    new = pp.Schema.from_avro(USER_AVRO_NEXT)
    chain = (
        pp.rename("name", "fullName")
        .compose(pp.wrap("tag"))
        .compose(pp.rename("tag", "tags"))
        .compose(pp.convert("status", {"draft": "pending"}))
    )
    lens = chain.instantiate(old, root="User")
    assert lens.source == old
    target = lens.target
    assert target is not None
    assert {f.name for f in target.fields()} == {f.name for f in new.fields()}
    assert lens.target_schema(old, root="User") == target
    record = {"name": "Ada", "tag": "x", "status": "draft"}
    view, complement = lens.get(record)
    assert view == {"fullName": "Ada", "tags": ["x"], "status": "pending"}
    assert target.validate_record(view, "User") == []
    assert lens.put(view, complement) == record


def test_get_many_and_put_many_stream_in_order():
    lens = pp.rename("name", "title").compose(pp.remove("n", "integer", 0)).compile()
    records = [{**POST, "n": i} for i in range(3000)]
    pairs = list(lens.get_many(iter(records)))
    assert len(pairs) == 3000
    assert all(view == lens.get(r)[0] for (view, _), r in zip(pairs, records, strict=True))
    assert list(lens.put_many(pairs)) == records
    # A bare view is put without a complement: the removed field's default.
    assert next(iter(lens.put_many([pairs[5][0]])))["n"] == 0


def test_check_laws_reports_each_law_and_the_first_failing_record():
    ok = pp.check_laws(pp.rename("name", "title"), [POST, {**POST, "name": "Bo"}])
    assert ok == {"records": 2, "ok": True, "failures": []}
    add = pp.add("e", "any", None).compile()
    report = add.check_laws([{}, {"e": 0}])
    assert not report["ok"]
    assert {f["law"] for f in report["failures"]} == {"PutPut"}
    assert report["failures"][0]["record"] == 0
    assert report["failures"][0]["path"] == "e"


def test_a_step_that_cannot_work_is_refused_when_compiled():
    with pytest.raises(pp.LensError) as bad_default:
        pp.add("score", "integer", "zero").compile()
    assert bad_default.value.step == "step 1 (add score)"
    assert "not a integer" in str(bad_default.value) or "not an integer" in str(bad_default.value)
    with pytest.raises(pp.LensError, match='maps "a" twice'):
        pp.convert("s", [("a", "b"), ("a", "c")]).compile()
    with pytest.raises(pp.LensError, match="renames name to itself"):
        pp.rename("name", "name").compile()


def test_a_record_without_the_shape_a_step_needs_names_the_step_and_path():
    lens = pp.in_("body", pp.hoist("meta", "lang")).compile()
    with pytest.raises(pp.LensError) as err:
        lens.get({"body": {"meta": "en"}})
    assert err.value.step == "step 1 (in body) > step 1 (hoist meta.lang)"
    assert err.value.path == "body.meta"
    with pytest.raises(pp.LensError):
        list(lens.get_many([{"body": {}}, {"body": {"meta": 3}}]))
    with pytest.raises(TypeError, match="complement"):
        lens.put({}, "not a complement")


def test_a_schema_that_does_not_fit_names_the_step_and_field():
    old = pp.Schema.from_avro(USER_AVRO)
    with pytest.raises(pp.LensError) as err:
        pp.rename("name", "n").compose(pp.remove("nickname", "string", "")).instantiate(old, root="User")
    assert err.value.step == "step 2 (remove nickname)"
    assert "no field nickname" in str(err.value)
    with pytest.raises(pp.LensError, match="already has a field tag"):
        pp.rename("name", "tag").instantiate(old, root="User")
    # The enum is a root too: which records are meant must be said.
    with pytest.raises(pp.LensError, match="possible record roots"):
        pp.rename("name", "n").instantiate(old)


def test_bad_lens_json_gives_line_and_column():
    with pytest.raises(pp.LensError) as err:
        pp.ProtolensChain.from_json('{"format": "panproto-lens/1",\n "steps": [{"spin": {}}]}')
    assert err.value.line == 2
    assert err.value.column is not None
    with pytest.raises(pp.LensError, match="panproto-lens/9"):
        pp.ProtolensChain.from_json('{"format": "panproto-lens/9", "steps": []}')


def test_arguments_of_the_wrong_type_are_type_errors():
    with pytest.raises(TypeError, match="kind"):
        pp.add("x", "colour", 0)
    with pytest.raises(TypeError, match="lens"):
        pp.in_("x", "rename")
    with pytest.raises(TypeError, match="mapping"):
        pp.convert("x", 3)


def test_auto_generate_derives_the_chain_between_two_schema_files():
    old = pp.Schema.from_avro(USER_AVRO)
    renamed = USER_AVRO.replace('"name": "name"', '"name": "fullName"').replace(
        '{"name": "tag", "type": "string"}', '{"name": "tag", "type": {"type": "array", "items": "string"}}'
    )
    new = pp.Schema.from_avro(renamed)
    chain = pp.ProtolensChain.auto_generate(old, new, root="User")
    assert chain.steps == [{"wrap": {"field": "tag"}}, {"rename": {"field": "name", "to": "fullName"}}]
    lens = pp.Lens.auto_generate(old, new, root="User")
    assert lens.target == new
    assert lens.get({"name": "Ada", "tag": "x", "status": "done"})[0] == {
        "fullName": "Ada",
        "tag": ["x"],
        "status": "done",
    }
    # Enum values renamed: no schema says which old value is which new one.
    with pytest.raises(pp.LensError) as err:
        pp.ProtolensChain.auto_generate(old, pp.Schema.from_avro(USER_AVRO_NEXT), root="User")
    assert any("pending" in d for d in err.value.differences)


def test_a_symmetric_lens_keeps_two_sides_in_step():
    # The source holds everything; the left calls name title, the right drops secret.
    sync = pp.SymmetricLens(pp.rename("name", "title"), pp.remove("secret", "string", "").compose(pp.wrap("tag")))
    right, shared = sync.put_right({"title": "Ada", "secret": "s", "tag": "x"})
    assert right == {"name": "Ada", "tag": ["x"]}
    left, shared = sync.put_left({"name": "Bo", "tag": ["y"]}, shared)
    assert left == {"title": "Bo", "secret": "s", "tag": "y"}  # the secret kept
    assert sync.put_right(left, shared)[0] == {"name": "Bo", "tag": ["y"]}
    one = pp.SymmetricLens.of(pp.wrap("tag"))
    assert one.put_right({"tag": 1})[0] == {"tag": [1]}
    with pytest.raises(pp.LensError):
        sync.put_left({"name": "Bo", "tag": "not a list"}, shared)


def test_the_seeds_handle_names_are_the_lens_classes():
    assert pp.ProtolensChainHandle is pp.ProtolensChain
    assert pp.LensHandle is pp.Lens
    assert pp.SymmetricLensHandle is pp.SymmetricLens


def test_streaming_leaves_the_garbage_collector_as_it_found_it():
    import gc  # noqa: PLC0415  (only this test needs it)

    lens = pp.rename("a", "b").compile()
    assert gc.isenabled()
    assert len(list(lens.get_many({"a": i} for i in range(5000)))) == 5000
    assert gc.isenabled()
    gc.disable()
    try:
        assert len(list(lens.put_many([{"b": 1}] * 3000))) == 3000
        assert not gc.isenabled()
    finally:
        gc.enable()
