"""Compatibility: diff reports and the classification rules."""

from __future__ import annotations

import pytest

import panproto as pp
from schemas import blog_v1, blog_v2, post_v1, post_v2, post_v3


def person(**kinds: str) -> pp.SchemaBuilder:
    """A JSON Schema object "person" with one property per keyword (name -> kind)."""
    builder = pp.protocol("json-schema").schema().vertex("person", "object")
    for name, kind in kinds.items():
        builder = builder.vertex(f"person.{name}", kind).edge("person", f"person.{name}", "prop", {"name": name})
    return builder


# ---------------------------------------------------------------- DiffReport


def test_diff_report_is_a_sequence_of_changes():
    report = pp.diff(post_v1(), post_v2())
    assert isinstance(report, pp.DiffReport)
    changes = report.changes
    assert len(report) == len(changes) == 3 and report
    assert list(report) == changes
    assert report[0] == changes[0] and report[-1] == changes[-1]
    with pytest.raises(IndexError):
        report[3]
    assert {c["kind"] for c in report} == {"vertex-added", "edge-added", "constraint-added"}
    assert report == pp.diff(post_v1(), post_v2())
    assert report != pp.diff(post_v2(), post_v3())
    assert repr(report) == (
        'DiffReport(changes=3, compatibility="backward-compatible", breaking=0, '
        'backward="compatible", forward="compatible")'
    )


def test_diff_report_to_dict_holds_everything():
    report = pp.diff(blog_v1(), blog_v2())
    data = report.to_dict()
    assert data == {
        "changes": report.changes,
        "compatibility": "breaking",
        "breaking": report.breaking,
        "non_breaking": report.non_breaking,
        "rules": "atproto",
        # Lexicon objects are open: new readers read old records with the
        # extra fields; old readers miss what was removed or renamed.
        "backward": "compatible",
        "forward": "breaking",
        "level": "breaking",
        "findings": report.findings,
    }
    # The same verdict both ways as check gives.
    verdict = pp.check(blog_v1(), blog_v2())
    assert (report.rules, report.backward, report.forward, report.findings) == (
        verdict.rules,
        verdict.backward,
        verdict.forward,
        verdict.findings,
    )
    assert len(report.breaking) + len(report.non_breaking) == len(report)
    for classified in report.breaking + report.non_breaking:
        change = {k: v for k, v in classified.items() if k not in ("breaking", "reason")}
        assert change in report.changes
        assert classified["reason"]
    assert all(c["breaking"] for c in report.breaking)
    assert not any(c["breaking"] for c in report.non_breaking)


def test_no_change_is_fully_compatible():
    report = pp.diff(post_v1(), post_v1())
    assert not report and len(report) == 0 and list(report) == []
    assert report.compatibility == "fully-compatible"
    assert report.to_dict() == {
        "changes": [],
        "compatibility": "fully-compatible",
        "breaking": [],
        "non_breaking": [],
        "rules": report.rules,
        "backward": "compatible",
        "forward": "compatible",
        "level": "compatible",
        "findings": [],
    }
    assert pp.classify(report, "atproto") == {"verdict": "fully-compatible", "breaking": [], "non_breaking": []}


def test_the_ten_change_kinds_each_name_their_element():
    old = person(name="string", age="integer").required("person", ["name"]).constraint("person.name", "maxLength", "9")
    old_schema = old.constraint("person.age", "minimum", "0").build()
    new_schema = (
        person(name="string", age="number", email="string")
        .required("person", ["email"])
        .constraint("person.name", "maxLength", "5")
        .constraint("person.email", "format", "email")
        .build()
    )
    found = {(c["kind"], c["element"]) for c in pp.diff(old_schema, new_schema)}
    assert found >= {
        ("vertex-added", "person.email"),
        ("edge-added", "person -prop[email]-> person.email"),
        ("constraint-added", "person.email.format"),
        ("constraint-changed", "person.name.maxLength"),
        ("constraint-removed", "person.age.minimum"),
        ("kind-changed", "person.age"),
        ("required-added", "person.email"),
        ("required-removed", "person.name"),
    }
    removed = {(c["kind"], c["element"]) for c in pp.diff(new_schema, old_schema)}
    assert removed >= {("vertex-removed", "person.email"), ("edge-removed", "person -prop[email]-> person.email")}
    kind_changed = next(c for c in pp.diff(old_schema, new_schema) if c["kind"] == "kind-changed")
    assert (kind_changed["old"], kind_changed["new"]) == ("integer", "number")


# ---------------------------------------------------------------- classify rules


def verdict(old: pp.Schema, new: pp.Schema) -> str:
    report = pp.diff(old, new)
    classified = pp.classify(report, old.protocol)
    assert classified["verdict"] == report.compatibility
    return classified["verdict"]


def only(old: pp.Schema, new: pp.Schema, kind: str) -> dict[str, object]:
    """The one classified change of ``kind`` between two schemas."""
    classified = pp.classify(pp.diff(old, new), old.protocol)
    [change] = [c for c in classified["breaking"] + classified["non_breaking"] if c["kind"] == kind]
    return change


def test_a_newly_required_field_is_breaking():
    old = person(name="string").build()
    new = person(name="string").required("person", ["name"]).build()
    change = only(old, new, "required-added")
    assert change["breaking"] is True
    assert change["reason"] == "a newly required field: existing records may lack it"
    assert verdict(old, new) == "breaking"


def test_a_field_no_longer_required_is_not_breaking():
    old = person(name="string").required("person", ["name"]).build()
    new = person(name="string").build()
    assert only(old, new, "required-removed")["breaking"] is False
    assert verdict(old, new) == "backward-compatible"


def test_a_constraint_on_a_brand_new_vertex_is_not_breaking():
    old = person(name="string").build()
    new = person(name="string", email="string").constraint("person.email", "maxLength", "200").build()
    change = only(old, new, "constraint-added")
    assert change["breaking"] is False
    assert "new in this version" in change["reason"]
    assert verdict(old, new) == "backward-compatible"


def test_a_field_required_on_a_brand_new_vertex_is_not_breaking():
    old = person(name="string").build()
    new = (
        person(name="string", address="object")
        .vertex("person.address.city", "string")
        .edge("person.address", "person.address.city", "prop", {"name": "city"})
        .required("person.address", ["city"])
        .build()
    )
    change = only(old, new, "required-added")
    assert change["breaking"] is False and "new in this version" in change["reason"]
    assert verdict(old, new) == "backward-compatible"


def test_a_constraint_added_to_an_existing_vertex_is_breaking():
    old = person(name="string").build()
    new = person(name="string").constraint("person.name", "maxLength", "20").build()
    change = only(old, new, "constraint-added")
    assert change["breaking"] is True and "existing" in change["reason"]


def test_a_tightened_max_length_is_breaking_and_a_relaxed_one_is_not():
    old = post_v2()
    tighter = old.to_builder().constraint("post:body.text", "maxLength", "300").build()
    change = only(old, tighter, "constraint-changed")
    assert change["breaking"] is True
    assert change["reason"] == "maxLength tightened from 3000 to 300: existing values may not fit"
    assert verdict(old, tighter) == "breaking"

    change = only(old, post_v3(), "constraint-changed")  # 3000 -> 5000
    assert change["breaking"] is False
    assert change["reason"] == "maxLength relaxed from 3000 to 5000"
    assert verdict(old, post_v3()) == "backward-compatible"


def test_a_removed_constraint_is_not_breaking():
    old = person(name="string").constraint("person.name", "maxLength", "20").build()
    assert only(old, person(name="string").build(), "constraint-removed")["breaking"] is False


def test_removals_are_breaking_and_additions_are_not():
    assert verdict(post_v1(), post_v2()) == "backward-compatible"
    assert verdict(post_v2(), post_v1()) == "breaking"
    removed = pp.diff(post_v2(), post_v1()).breaking
    assert {c["kind"] for c in removed} == {"vertex-removed", "edge-removed"}
    assert "lose that data" in next(c for c in removed if c["kind"] == "vertex-removed")["reason"]


def test_kind_changes_break_when_they_change_the_shape_of_values():
    widened = only(person(age="integer").build(), person(age="number").build(), "kind-changed")
    assert widened["breaking"] is False
    assert "keeps every existing value valid" in widened["reason"]
    narrowed = only(person(age="string").build(), person(age="integer").build(), "kind-changed")
    assert narrowed["breaking"] is True
    assert "changes the shape of its values" in narrowed["reason"]


def test_classify_takes_a_protocol_or_its_name():
    report = pp.diff(blog_v1(), blog_v2())
    by_name = pp.classify(report, "atproto")
    assert by_name == pp.classify(report, pp.protocol("atproto"))
    assert set(by_name) == {"verdict", "breaking", "non_breaking"}
    assert by_name["verdict"] == "breaking"
    assert by_name["breaking"] == report.breaking and by_name["non_breaking"] == report.non_breaking
    breaking_elements = {c["element"] for c in by_name["breaking"]}
    assert {"text", "meta", "views"} <= breaking_elements
    with pytest.raises(pp.PanprotoError, match="cobol"):
        pp.classify(report, "cobol")


def test_panproto_diff_and_classify_match_the_functions():
    with pp.Panproto.load() as p:
        report = p.diff(post_v1(), post_v3())
        assert report == pp.diff(post_v1(), post_v3())
        assert p.classify(report, "atproto") == pp.classify(report, "atproto")
