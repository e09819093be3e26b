"""``pp.check``: compatibility both ways, by the format's rules, under a
registry's modes."""

from __future__ import annotations

import json
import pickle

import pytest

import panproto as pp
from schemas import post_v3, post_v4


def avro(*fields: dict) -> pp.Schema:
    """A record ``org.example.User`` with these fields, parsed as Avro."""
    record = {"type": "record", "name": "User", "namespace": "org.example", "fields": list(fields)}
    return pp.parse(json.dumps(record), "avro")


ID = {"name": "id", "type": "long"}


def test_a_field_added_without_a_default_breaks_new_readers_only():
    report = pp.check(avro(ID), avro(ID, {"name": "email", "type": "string"}))
    assert isinstance(report, pp.CompatReport)
    assert (report.rules, report.mode, report.directions) == ("avro", "BACKWARD", ["backward"])
    assert (report.backward, report.forward, report.level) == ("breaking", "compatible", "breaking")
    assert report.compatible is False
    assert report.findings == [
        {
            "rule": "field-added",
            "path": "record org.example.User field email",
            "change": "field added",
            "backward": "breaking",
            "forward": "compatible",
            "reason": "old data lacks it and it has no default for new readers to fill in",
        }
    ]
    assert report.violations == [{"direction": "backward", **report.findings[0]}]
    assert pp.check(avro(ID), avro(ID, {"name": "email", "type": "string"}), mode="FORWARD").compatible


def test_the_modes_choose_the_directions():
    old, new = avro({"name": "n", "type": "long"}), avro({"name": "n", "type": "int"})
    verdicts = {mode: pp.check(old, new, mode=mode).compatible for mode in pp.list_kinds()["CompatMode"]}
    assert verdicts == {
        "NONE": True,
        "BACKWARD": False,
        "BACKWARD_TRANSITIVE": False,
        "FORWARD": True,
        "FORWARD_TRANSITIVE": True,
        "FULL": False,
        "FULL_TRANSITIVE": False,
    }
    assert pp.check(old, new, mode="full").mode == "FULL"
    assert pp.check(old, new, mode="full-transitive").directions == ["backward", "forward"]
    assert pp.check(old, new, mode="NONE").violations == []


def test_a_change_breaking_both_ways_is_one_violation_per_direction():
    report = pp.check(avro({"name": "s", "type": "int"}), avro({"name": "s", "type": "string"}), mode="FULL")
    assert [v["direction"] for v in report.violations] == ["backward", "forward"]
    assert report.findings[0]["change"] == "type int → string"


def test_protobuf_findings_carry_bufs_rule_ids():
    old = pp.parse('syntax = "proto3";\nmessage User {\n  string email = 2;\n}\n', "protobuf")
    new = pp.parse('syntax = "proto3";\nmessage User {\n  string mail = 2;\n}\n', "protobuf")
    report = pp.check(old, new)
    assert report.rules == "protobuf"
    assert [f["rule"] for f in report.findings] == ["FIELD_SAME_NAME", "FIELD_SAME_JSON_NAME"]
    assert report.findings[0]["path"] == "message User field mail (2)"
    assert (report.backward, report.forward) == ("breaking", "breaking")


def test_graphql_has_a_dangerous_level_between():
    old = pp.parse("type Query { role: Role }\nenum Role { ADMIN USER }\n", "graphql")
    new = pp.parse("type Query { role: Role }\nenum Role { ADMIN USER GUEST }\n", "graphql")
    report = pp.check(old, new, mode="FULL")
    assert report.rules == "graphql"
    [finding] = report.findings
    assert (finding["rule"], finding["path"]) == ("ENUM_VALUE_ADDED", "enum value Role.GUEST")
    assert (report.backward, report.forward) == ("dangerous", "breaking")
    assert pp.check(old, new).compatible  # dangerous is not a violation
    assert not report.compatible  # forward: new clients may send GUEST to an old server


def test_lexicons_are_judged_by_the_lexicon_evolution_rules():
    report = pp.check(post_v3(), post_v4())
    assert report.rules == "atproto"
    assert (report.backward, report.forward) == ("breaking", "compatible")
    [finding] = report.findings
    assert (finding["rule"], finding["path"], finding["change"]) == (
        "FIELD_MADE_REQUIRED",
        "post.createdAt",
        "made required",
    )
    assert pp.check(post_v4(), post_v3()).backward == "compatible"


def test_protocols_without_rules_of_their_own_use_the_generic_ones():
    spec = pp.protocol("atproto").to_dict()
    spec["name"] = "posts"  # the lexicon's kinds, under a name no format's rules cover
    posts = pp.define_protocol(spec)

    def post(*required: str) -> pp.Schema:
        builder = (
            posts.schema()
            .vertex("post", "record")
            .vertex("post:body", "object")
            .vertex("post:body.text", "string")
            .edge("post", "post:body", "record-schema")
            .edge("post:body", "post:body.text", "prop", {"name": "text"})
        )
        return (builder.required("post:body", list(required)) if required else builder).build()

    report = pp.check(post(), post("text"))
    assert report.rules == "generic"
    assert (report.backward, report.forward) == ("breaking", "compatible")
    [finding] = report.findings
    assert finding["path"] == "post:body.text" and finding["change"] == "required added"
    assert pp.check(post("text"), post()).backward == "compatible"


def test_bad_arguments_are_value_errors_that_say_what_to_pass():
    with pytest.raises(ValueError, match="FULL_TRANSITIVE"):
        pp.check(avro(ID), avro(ID), mode="SIDEWAYS")
    with pytest.raises(ValueError, match=r"different|protocol"):
        pp.check(avro(ID), post_v3())
    with pytest.raises(TypeError):
        pp.check(avro(ID), "not a schema")  # type: ignore[arg-type]


def test_a_report_compares_pickles_and_has_a_dict_form():
    old, new = avro(ID), avro(ID, {"name": "email", "type": "string", "default": ""})
    report = pp.check(old, new, mode="FULL")
    assert report == pp.check(old, new, mode="FULL") and report != pp.check(old, new)
    assert pickle.loads(pickle.dumps(report)) == report
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "rules",
        "mode",
        "directions",
        "compatible",
        "backward",
        "forward",
        "level",
        "findings",
        "violations",
    }
    assert data["compatible"] is True and data["level"] == "compatible"
    assert 'CompatReport(rules="avro", mode=FULL' in repr(report)
    assert pp.check(old, old).findings == []
