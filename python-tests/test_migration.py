"""Records and migrations: validate_record, the builder, lift / lift_many,
get / put with complements, compose, invert, and existence checks."""

from __future__ import annotations

import copy
import datetime
import itertools
from collections.abc import Iterator

import pytest

import panproto as pp
from schemas import blog_record, blog_v1, blog_v2, blog_v3, v1_to_v2

LIFTED = {"content": "hello", "tags": ["a", "b"], "lang": "en"}


def identity(old: pp.Schema, new: pp.Schema) -> pp.MigrationBuilder:
    """A builder mapping every vertex the two schemas share by id to itself."""
    builder = pp.migration(old, new)
    for vertex in old.vertices:
        if vertex in new.vertices:
            builder = builder.map(vertex, vertex)
    return builder


def edge(src: str, tgt: str, kind: str, name: str | None = None) -> dict[str, str]:
    e = {"src": src, "tgt": tgt, "kind": kind}
    if name is not None:
        e["name"] = name
    return e


# ---------------------------------------------------------------- records


def test_a_fitting_record_has_no_violations():
    assert blog_v1().validate_record({"text": "hi", "tags": ["x"], "meta": {"lang": "en", "views": 1}}, "post") == []
    assert blog_v2().validate_record(LIFTED, "post") == []


def test_validate_record_reports_every_violation_with_its_path():
    bad = {"tags": ["ok", "ok", "ok", 4], "meta": {"views": "many"}, "colour": "red"}
    found = blog_v1().validate_record(bad, "post")
    assert all(set(v) == {"path", "message"} for v in found)
    by_path = {v["path"]: v["message"] for v in found}
    assert by_path["post.tags[3]"].startswith("expected string")
    assert "found integer" in by_path["post.tags[3]"]
    assert by_path["post.meta.views"].startswith("expected integer")
    assert "unexpected key" in by_path["post.colour"] and "colour" in by_path["post.colour"]
    assert 'required key "text" is missing' in by_path["post"]
    assert len(found) == 4


def test_validate_record_checks_constraints_and_the_root():
    [long] = blog_v1().validate_record({"text": "x" * 3001}, "post")
    assert long["path"] == "post.text" and "maxLength" in long["message"]
    assert blog_v1().validate_record({"text": "x" * 3000}, "post") == []
    [unknown] = blog_v1().validate_record({"text": "hi"}, "nope")
    assert unknown["path"] == "nope"


def test_a_value_of_another_type_is_a_type_error_naming_its_path():
    with pytest.raises(TypeError, match=r"record\.meta\.when: .*not datetime"):
        blog_v1().validate_record({"meta": {"when": datetime.datetime.now()}}, "post")
    with pytest.raises(TypeError, match=r"record\.tags\[1\]: .*not set"):
        v1_to_v2().lift({"text": "a", "tags": ["x", {"y"}]})
    with pytest.raises(TypeError, match=r"record\.text: .*not object"):
        v1_to_v2().get({"text": object()})
    with pytest.raises(TypeError, match="keys must be str"):
        v1_to_v2().lift({1: "a"})


def test_tuples_and_bytes_are_record_values():
    proto = pp.protocol("atproto")
    schema = (
        proto.schema()
        .vertex("r", "object")
        .vertex("blob", "bytes")
        .vertex("list", "array")
        .vertex("item", "integer")
        .edge("r", "blob", "prop", {"name": "blob"})
        .edge("r", "list", "prop", {"name": "list"})
        .edge("list", "item", "items")
        .build()
    )
    record = {"blob": b"\x00\xff", "list": (1, 2, 3)}
    assert schema.validate_record(record, "r") == []
    lifted = identity(schema, schema).compile().lift(record, root="r")
    assert lifted == {"blob": b"\x00\xff", "list": [1, 2, 3]}
    assert isinstance(lifted["blob"], bytes)


# ---------------------------------------------------------------- the builder


def test_the_builder_is_immutable_and_reports_its_spec():
    empty = pp.migration(blog_v1(), blog_v2())
    one = empty.map("post", "post")
    assert empty.spec() == {}
    assert one.spec() == {"vertex_map": {"post": "post"}}
    again = one.map("post", "body").map("post", "post")  # a later mapping replaces an earlier one
    assert again.spec() == one.spec()
    full = (
        one.map_edge(edge("body", "text", "prop", "text"), edge("body", "content", "prop", "content"))
        .resolve("object", "string", edge("body", "lang", "prop", "lang"))
        .spec()
    )
    assert full["edge_map"] == [
        {"src": edge("body", "text", "prop", "text"), "tgt": edge("body", "content", "prop", "content")}
    ]
    assert full["resolvers"] == [
        {"src_kind": "object", "tgt_kind": "string", "edge": edge("body", "lang", "prop", "lang")}
    ]
    assert one.spec() == {"vertex_map": {"post": "post"}}
    assert "MigrationBuilder" in repr(one) and "vertex_map=1" in repr(one)


def test_a_malformed_edge_is_refused():
    with pytest.raises(TypeError, match="argument 'src_edge' must be an edge"):
        pp.migration(blog_v1(), blog_v2()).map_edge({"src": "body"}, edge("body", "content", "prop", "content"))


def test_compiled_migration_properties():
    m = v1_to_v2()
    assert m.source == blog_v1() and m.target == blog_v2()
    assert len(m.fingerprint) == 32 and int(m.fingerprint, 16) >= 0
    assert m.default_root == "post"
    assert m.spec is not None and m.spec["vertex_map"]["text"] == "content"
    assert m == v1_to_v2() and hash(m) == hash(v1_to_v2())
    assert m != identity(blog_v1(), blog_v1()).compile()
    assert m.fingerprint in repr(m) and "CompiledMigration" in repr(m)


# ---------------------------------------------------------------- lift


def test_lift_renames_drops_and_contracts():
    record = blog_record()
    before = copy.deepcopy(record)
    lifted = v1_to_v2().lift(record)
    # text -> content (renamed), meta.lang -> lang (contracted through the
    # dropped meta), meta.views and the unknown key dropped.
    assert lifted == LIFTED
    assert record == before  # the argument is left as it was
    assert blog_v2().validate_record(lifted, "post") == []


def test_lift_takes_an_explicit_root():
    m = v1_to_v2()
    assert m.lift(blog_record(), root="post") == LIFTED
    with pytest.raises(pp.MigrationError, match='"nope"'):
        m.lift(blog_record(), root="nope")


def test_resolvers_pick_the_contraction_edge():
    proto = pp.protocol("atproto")
    target = (
        proto.schema()
        .vertex("post", "record")
        .vertex("body", "object")
        .vertex("lang", "string")
        .edge("post", "body", "record-schema")
        .edge("body", "lang", "prop", {"name": "language"})
        .edge("body", "lang", "prop", {"name": "locale"})
        .build()
    )
    builder = pp.migration(blog_v1(), target).map("post", "post").map("body", "body").map("lang", "lang")
    m = builder.resolve("object", "string", edge("body", "lang", "prop", "locale")).compile()
    assert m.lift(blog_record()) == {"locale": "en"}
    m = builder.resolve("object", "string", edge("body", "lang", "prop", "language")).compile()
    assert m.lift(blog_record()) == {"language": "en"}


def records(n: int) -> list[dict[str, object]]:
    return [
        {"text": f"post {i}", "tags": [str(i)] * (i % 3), "meta": {"lang": "en" if i % 2 else "fr", "views": i}}
        for i in range(n)
    ]


def test_lift_many_equals_lift_over_a_list_a_tuple_and_a_generator():
    m = v1_to_v2()
    batch = records(2500)  # more than two batches
    expected = [m.lift(r) for r in batch]
    assert list(m.lift_many(batch)) == expected
    assert list(m.lift_many(tuple(batch))) == expected
    assert list(m.lift_many(r for r in batch)) == expected
    assert list(m.lift_many(batch, root="post")) == expected
    assert list(m.lift_many([])) == []


def test_lift_many_is_lazy():
    pulled = 0

    def source() -> Iterator[dict[str, object]]:
        nonlocal pulled
        for record in itertools.islice(itertools.cycle(records(10)), 10_000):
            pulled += 1
            yield record

    m = v1_to_v2()
    lifted = m.lift_many(source())
    assert isinstance(lifted, pp.LiftIterator)
    assert iter(lifted) is lifted
    assert pulled == 0  # nothing read before the first next()
    first = list(itertools.islice(lifted, 3))
    assert first == [m.lift(r) for r in records(3)]
    assert 3 <= pulled <= 1024  # one batch at most, not the 10,000 records
    rest = list(lifted)
    assert len(rest) == 10_000 - 3 and pulled == 10_000
    assert next(lifted, None) is None  # exhausted stays exhausted


def test_lift_many_errors():
    m = v1_to_v2()
    with pytest.raises(TypeError):
        m.lift_many(42)  # not iterable: at once
    with pytest.raises(pp.MigrationError):
        m.lift_many(records(3), root="nope")  # bad root: at once
    lifted = m.lift_many([*records(2), {"text": {1, 2}}])
    with pytest.raises(TypeError, match=r"record\.text"):
        list(lifted)


# ---------------------------------------------------------------- get / put


def test_get_put_round_trip():
    m = v1_to_v2()
    record = blog_record()
    view, complement = m.get(record)
    assert view == LIFTED == m.lift(record)
    assert isinstance(complement, bytes)
    assert m.put(view, complement) == record  # GetPut: nothing lost, the unknown key included
    assert m.get(record, root="post") == (view, complement)


def test_put_keeps_the_edits_made_to_the_view():
    m = v1_to_v2()
    view, complement = m.get(blog_record())
    edited = {"content": "bye", "tags": ["z"], "lang": "fr"}
    back = m.put(edited, complement)
    assert back == {"text": "bye", "tags": ["z"], "meta": {"lang": "fr", "views": 3}, "extra": True}
    assert m.get(back)[0] == edited  # PutGet: the view comes back as it was put
    assert view == LIFTED


def test_a_complement_from_another_migration_is_refused():
    m = v1_to_v2()
    view, _ = m.get(blog_record())
    other = identity(blog_v1(), blog_v1()).compile()
    _, foreign = other.get(blog_record())
    with pytest.raises(pp.MigrationError, match="another migration") as info:
        m.put(view, foreign)
    assert m.fingerprint in str(info.value) and other.fingerprint in str(info.value)


def test_a_tampered_complement_is_refused():
    m = v1_to_v2()
    view, complement = m.get(blog_record())
    tampered = bytearray(complement)
    tampered[len(tampered) // 2] ^= 1
    with pytest.raises(pp.MigrationError, match="damaged"):
        m.put(view, bytes(tampered))
    with pytest.raises(pp.MigrationError, match="damaged"):
        m.put(view, complement[:-1])
    with pytest.raises(pp.MigrationError, match="damaged"):
        m.put(view, b"not a complement")


# ---------------------------------------------------------------- compile errors


def test_a_mapping_to_a_missing_vertex_is_a_migration_error_naming_it():
    builder = pp.migration(blog_v1(), blog_v2()).map("post", "post").map("text", "missing")
    with pytest.raises(pp.MigrationError) as info:
        builder.compile()
    error = info.value
    assert isinstance(error, pp.PanprotoError)
    assert len(error.errors) == 1
    assert '"missing"' in error.errors[0] and '"text"' in error.errors[0]
    assert error.errors[0].endswith("[well-formedness]")
    assert error.errors[0] in str(error)


def test_a_mapping_from_a_missing_vertex_is_a_migration_error_naming_it():
    with pytest.raises(pp.MigrationError) as info:
        pp.migration(blog_v1(), blog_v2()).map("post", "post").map("ghost", "body").compile()
    assert any('"ghost"' in e and e.endswith("[well-formedness]") for e in info.value.errors)


def test_every_fatal_problem_is_listed():
    builder = identity(blog_v1(), blog_v2()).map("ghost", "body").map("text", "tags")
    with pytest.raises(pp.MigrationError) as info:
        builder.compile()
    kinds = {e.rsplit("[", 1)[1].rstrip("]") for e in info.value.errors}
    assert kinds >= {"well-formedness", "kind-inconsistency"}
    assert f"({len(info.value.errors)} problems)" in str(info.value)


# ---------------------------------------------------------------- compose / invert


def v2_to_v3() -> pp.CompiledMigration:
    return (
        pp.migration(blog_v2(), blog_v3()).map("post", "post").map("body", "body").map("content", "content").compile()
    )


def test_compose_equals_lifting_in_turn():
    m1, m2 = v1_to_v2(), v2_to_v3()
    both = pp.compose(m1, m2)
    assert both == m1.compose(m2)
    assert (both.source, both.target) == (blog_v1(), blog_v3())
    assert both.spec is None  # a composite has no single mapping
    for record in [blog_record(), *records(20)]:
        assert both.lift(record) == m2.lift(m1.lift(record))
    assert both.lift(blog_record()) == {"body": "hello"}
    view, complement = both.get(blog_record())
    assert both.put(view, complement) == blog_record()
    assert list(both.lift_many(records(5))) == [m2.lift(m1.lift(r)) for r in records(5)]


def test_compose_refuses_migrations_whose_ends_do_not_meet():
    with pytest.raises(pp.MigrationError, match="cannot compose"):
        pp.compose(v2_to_v3(), v1_to_v2())


def rename() -> pp.CompiledMigration:
    """A bijection: the property "name" becomes "title"."""
    proto = pp.protocol("atproto")

    def schema(key: str) -> pp.Schema:
        return (
            proto.schema()
            .vertex("post", "record")
            .vertex("body", "object")
            .vertex("t", "string")
            .edge("post", "body", "record-schema")
            .edge("body", "t", "prop", {"name": key})
            .build()
        )

    return pp.migration(schema("name"), schema("title")).map("post", "post").map("body", "body").map("t", "t").compile()


def test_invert_a_rename():
    m = rename()
    back = pp.invert(m)
    assert back == m.invert()
    assert (back.source, back.target) == (m.target, m.source)
    assert m.lift({"name": "x"}) == {"title": "x"}
    assert back.lift({"title": "x"}) == {"name": "x"}
    assert back.lift(m.lift({"name": "x"})) == {"name": "x"}
    assert pp.compose(m, back).lift({"name": "y"}) == {"name": "y"}


def test_invert_refuses_a_lossy_migration():
    with pytest.raises(pp.MigrationError, match="not invertible"):
        pp.invert(v1_to_v2())
    with pytest.raises(pp.MigrationError, match="not invertible"):
        v2_to_v3().invert()


# ---------------------------------------------------------------- existence checks


def with_meta() -> pp.Schema:
    proto = pp.protocol("atproto")
    return (
        proto.schema()
        .vertex("post", "record")
        .vertex("body", "object")
        .vertex("meta", "object")
        .edge("post", "body", "record-schema")
        .build()
    )


def clash() -> pp.Schema:
    proto = pp.protocol("atproto")
    return (
        proto.schema()
        .vertex("post", "record")
        .vertex("body", "object")
        .vertex("content", "string")
        .vertex("lang", "string")
        .edge("post", "body", "record-schema")
        .edge("body", "content", "prop", {"name": "content"})
        .edge("body", "lang", "prop", {"name": "content2"})
        .build()
    )


def lonely() -> pp.Schema:
    proto = pp.protocol("atproto")
    return (
        proto.schema()
        .vertex("post", "record")
        .vertex("body", "object")
        .vertex("lang", "string")
        .edge("post", "body", "record-schema")
        .build()
    )


def strict() -> pp.Schema:
    return (
        blog_v2()
        .to_builder()
        .vertex("author", "string")
        .edge("body", "author", "prop", {"name": "author"})
        .required("body", ["author"])
        .constraint("content", "maxLength", "300")
        .build()
    )


def clean(target: pp.Schema) -> pp.MigrationBuilder:
    return identity(blog_v1(), target).map("text", "content")


# Each existence kind the built-in protocols can produce: the mapping that
# triggers it, the element it must name, and whether compile refuses it.
EXISTENCE_CASES = {
    "well-formedness": (lambda: identity(blog_v1(), blog_v2()).map("ghost", "body"), '"ghost"', True),
    "kind-inconsistency": (lambda: identity(blog_v1(), blog_v2()).map("text", "tags"), '"text"', True),
    "label-inconsistency": (
        lambda: identity(blog_v1(), blog_v2()).map_edge(
            edge("body", "text", "prop", "text"), edge("tags", "tag", "items")
        ),
        "body -prop[text]-> text",
        True,
    ),
    "signature-coherence": (
        lambda: identity(blog_v1(), blog_v2()).map_edge(
            edge("body", "text", "prop", "text"), edge("tags", "tag", "items")
        ),
        "body -prop[text]-> text",
        True,
    ),
    "resolver-invalid": (
        lambda: identity(blog_v1(), blog_v2()).resolve("object", "string", edge("body", "nowhere", "prop", "x")),
        "resolver (object, string)",
        True,
    ),
    "simultaneity": (
        lambda: identity(blog_v1(), clash()).map("text", "content").map("lang", "content"),
        "content",
        True,
    ),
    "edge-missing": (lambda: identity(blog_v1(), with_meta()), "body -prop[meta]-> meta", False),
    "reachability-risk": (lambda: identity(blog_v1(), lonely()), "lang", False),
    "required-field-missing": (lambda: clean(strict()), "body.author", False),
    "constraint-tightened": (lambda: clean(strict()), '"text"', False),
}


@pytest.mark.parametrize("kind", sorted(EXISTENCE_CASES))
def test_existence_check_reports_each_kind(kind):
    make, element, fatal = EXISTENCE_CASES[kind]
    builder = make()
    report = builder.check()
    assert isinstance(report, pp.ExistenceReport)
    found = [issue for issue in report.errors if issue["kind"] == kind]
    assert found, report.errors
    assert any(element in issue["element"] for issue in found), found
    assert all(issue["message"] for issue in report.errors)
    assert not report.valid and not report and len(report) == len(report.errors)
    if fatal:
        assert not report.compilable
        with pytest.raises(pp.MigrationError) as info:
            builder.compile()
        assert any(e.endswith(f"[{kind}]") for e in info.value.errors)
    else:  # describes data the migration drops or risks: for the user to judge, it compiles
        assert report.compilable
        assert builder.compile().source == blog_v1()


def test_non_fatal_issues_compile_and_describe_what_is_lost():
    builder = identity(blog_v1(), lonely())
    report = pp.check_existence(blog_v1(), lonely(), builder)
    assert report.compilable and not report.valid
    assert {i["kind"] for i in report.errors} >= {"reachability-risk"}
    m = builder.compile()
    assert m.lift(blog_record()) == {}  # lang cannot be reached without meta: dropped, as reported


def test_a_clean_mapping_is_valid():
    builder = clean(blog_v2())
    report = pp.check_existence(blog_v1(), blog_v2(), builder)
    assert report.valid and report.compilable and bool(report) and len(report) == 0
    assert report.errors == []
    assert report.to_dict() == {"valid": True, "compilable": True, "errors": []}
    assert report == builder.check()
    assert repr(report) == "ExistenceReport(valid=True, errors=[])"


def test_check_existence_reads_only_the_mapping_of_the_builder():
    # The builder's own target, blog_v1, requires "text", which it leaves unmapped.
    builder = pp.migration(blog_v1(), blog_v1()).map("post", "post").map("body", "body")
    own = builder.check()
    assert own.errors == [
        {
            "kind": "required-field-missing",
            "element": "body.text",
            "message": 'the target requires "text" on "body" but nothing in the source maps to it',
        }
    ]
    assert own.to_dict() == {"valid": False, "compilable": True, "errors": own.errors}
    assert repr(own) == 'ExistenceReport(valid=False, errors=["required-field-missing"])'
    # Checked against blog_v2, which requires nothing, the same mapping is clean.
    assert pp.check_existence(blog_v1(), blog_v2(), builder).valid


def test_panproto_methods_mirror_the_functions():
    with pp.Panproto.load() as p:
        builder = p.migration(blog_v1(), blog_v2())
        assert builder.spec() == pp.migration(blog_v1(), blog_v2()).spec()
        assert p.check_existence(blog_v1(), blog_v2(), clean(blog_v2())) == clean(blog_v2()).check()
        assert p.compose(v1_to_v2(), v2_to_v3()) == pp.compose(v1_to_v2(), v2_to_v3())
        assert p.invert(rename()) == pp.invert(rename())
        d = p.diff(blog_v1(), blog_v2())
        assert p.classify(d, "atproto") == pp.classify(d, "atproto")
