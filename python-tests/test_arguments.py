"""Bad arguments: each refused with the exception that says what is
wrong with it, naming the argument or the path to the value.

- A Python argument of the wrong type or shape is a ``TypeError`` naming it.
- A count, index or timestamp out of range is a ``ValueError`` naming it
  (not pyo3's ``OverflowError``).
- Every method that reads records refuses the same values (an int beyond
  64 bits, a str with a lone surrogate) with the same ``TypeError``.
- An unknown protocol is a ``SchemaValidationError`` wherever it is named.
- ``StoreError.backend`` is the store in use.
- ``list_kinds()`` gives the kinds the reports use.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

import panproto as pp
from conftest import BACKEND, Location
from schemas import blog_record, blog_v1, person, person_v1, post_v1, post_v2, v1_to_v2

HUGE = 2**70
LONE_SURROGATE = "\ud800"


class Index:
    """An int-like object, as numpy's integers are: it has ``__index__``."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def two_commits(repo: pp.Repository) -> tuple[str, str]:
    repo.add(post_v1())
    first = repo.commit("v1", "alice")
    repo.add(post_v2())
    return first, repo.commit("v2", "alice")


# ---------------------------------------------------------------- TypeError naming the argument


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda b: b.map_edge(42, "x"), "src_edge"),
        (lambda b: b.map_edge({"src": "body", "tgt": "text", "kind": "prop"}, {"src": "body"}), "tgt_edge"),
        (lambda b: b.resolve("object", "string", ["body", "lang"]), "edge"),
    ],
)
def test_an_edge_argument_that_is_not_an_edge_is_a_type_error_naming_it(
    call: Callable[[pp.MigrationBuilder], object], argument: str
):
    with pytest.raises(TypeError, match=f"argument '{argument}' must be an edge") as info:
        call(pp.migration(blog_v1(), blog_v1()))
    assert not isinstance(info.value, pp.PanprotoError)
    assert "protocol specification" not in str(info.value)


def test_define_protocol_of_a_non_mapping_is_a_type_error_a_bad_mapping_a_malformed_spec():
    with pytest.raises(TypeError, match="argument 'spec' must be a mapping"):
        pp.define_protocol(42)  # type: ignore[arg-type]
    with pytest.raises(pp.SchemaValidationError, match="protocol specification is malformed"):
        pp.define_protocol({"name": "x", "object_kinds": "not a list"})


def test_a_protocol_argument_of_another_type_is_a_type_error_naming_it(location: Location):
    calls: list[Callable[[], object]] = [
        lambda: pp.classify(pp.diff(post_v1(), post_v2()), 42),  # type: ignore[arg-type]
        lambda: pp.Schema.from_json(post_v1().to_json(), 42),  # type: ignore[arg-type]
        lambda: pp.Repository.init(location.url, 42, name=location.name),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(TypeError, match="argument 'protocol' must be a Protocol or a protocol name"):
            call()
    with pytest.raises(pp.NotFoundError):
        pp.Repository.open(location.url, name=location.name)


# ---------------------------------------------------------------- counts and indices


@pytest.mark.parametrize("bad", [-1, HUGE, 2**64])
def test_log_limit_out_of_range_is_a_value_error_naming_it(repo, bad):
    two_commits(repo)
    with pytest.raises(ValueError, match=f"argument 'limit' must be a non-negative integer below 2\\*\\*64, not {bad}"):
        repo.log(bad)
    with pytest.raises(ValueError, match="argument 'limit'"):
        repo.log(limit=bad)


def test_log_limit_takes_ints_and_int_likes(repo):
    first, second = two_commits(repo)
    assert [c.id for c in repo.log(1)] == [second]
    assert [c.id for c in repo.log(Index(2))] == [second, first]
    assert [c.id for c in repo.log(None)] == [second, first]
    assert repo.log(0) == []
    assert [c.id for c in repo.log(2**64 - 1)] == [second, first]
    with pytest.raises(TypeError, match="argument 'limit' must be an int, not str"):
        repo.log("1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'limit' must be an int, not float"):
        repo.log(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, HUGE])
def test_reflog_limit_out_of_range_is_a_value_error_naming_it(repo, bad):
    two_commits(repo)
    with pytest.raises(ValueError, match="argument 'limit' must be a non-negative integer"):
        repo.reflog(limit=bad)
    assert len(repo.reflog(limit=1)) == 1


@pytest.mark.parametrize("bad", [-1, HUGE])
def test_migration_parent_out_of_range_is_a_value_error_naming_it(repo, bad):
    two_commits(repo)
    with pytest.raises(ValueError, match="argument 'parent' must be a non-negative integer"):
        repo.migration(parent=bad)
    assert repo.migration(parent=0) == repo.migration()
    with pytest.raises(pp.NotFoundError):
        repo.migration(parent=5)


@pytest.mark.parametrize("bad", [HUGE, 2**63, -(2**63) - 1])
def test_a_timestamp_beyond_64_bits_is_a_value_error_and_nothing_is_committed(repo, bad):
    first, _ = two_commits(repo)
    repo.add(post_v1())
    with pytest.raises(ValueError, match="argument 'timestamp' must be an integer from -2\\*\\*63 to 2\\*\\*63 - 1"):
        repo.commit("v3", "alice", bad)
    assert [c.id for c in repo.log()][-1] == first and len(repo.log()) == 2
    assert repo.status().staged is not None
    repo.commit("v3", "alice", Index(7))
    assert repo.log(1)[0].timestamp == 7


def test_merge_timestamp_beyond_64_bits_is_a_value_error(repo):
    two_commits(repo)
    repo.create_branch("side", "HEAD~1")
    with pytest.raises(ValueError, match="argument 'timestamp'"):
        repo.merge("side", "alice", timestamp=HUGE)


def test_report_constructors_refuse_out_of_range_counts():
    with pytest.raises(ValueError, match="argument 'objects' must be a non-negative integer"):
        pp.VerifyReport(-1, 0, [])
    with pytest.raises(ValueError, match="argument 'refs'"):
        pp.VerifyReport(0, HUGE, [])
    assert pp.VerifyReport(Index(3), 1, []).objects == 3
    with pytest.raises(ValueError, match="argument 'timestamp'"):
        pp.Commit("c" * 64, [], "s" * 64, "alice", HUGE, "msg")


def test_a_diff_report_index_is_a_list_index():
    report = pp.diff(post_v1(), post_v2())
    assert report[Index(0)] == report.changes[0]
    assert report[-1] == report.changes[-1]
    with pytest.raises(IndexError):
        report[HUGE]
    with pytest.raises(TypeError):
        report["0"]  # type: ignore[call-overload]


# ---------------------------------------------------------------- one rule for records


BAD_VALUES = [
    pytest.param(HUGE, "integer 1180591620717411303424 does not fit in 64 bits", id="int beyond 64 bits"),
    pytest.param(-(2**63) - 1, "does not fit in 64 bits", id="int below -2**63"),
    pytest.param(LONE_SURROGATE, "lone surrogate", id="lone surrogate"),
]


def readers() -> dict[str, Callable[[dict[str, Any]], object]]:
    """Every way a record enters the engine, each reading ``record`` rooted at ``post``."""
    migration = v1_to_v2()
    view, complement = migration.get(blog_record())
    return {
        "lift": migration.lift,
        "lift_many": lambda r: list(migration.lift_many([blog_record(), r])),
        "get": migration.get,
        "put": lambda r: migration.put({**view, **r}, complement),
        "validate_record": lambda r: blog_v1().validate_record(r, "post"),
    }


@pytest.mark.parametrize("reader", ["lift", "lift_many", "get", "put", "validate_record"])
@pytest.mark.parametrize(("bad", "message"), BAD_VALUES)
def test_every_record_reader_refuses_the_same_values_naming_the_path(reader, bad, message):
    read = readers()[reader]
    with pytest.raises(TypeError, match=f"^record\\.meta\\.views\\[1\\]: .*{message}"):
        read({"text": "hi", "meta": {"lang": "en", "views": [1, bad]}})


@pytest.mark.parametrize("reader", ["lift", "get", "validate_record"])
def test_a_key_with_a_lone_surrogate_is_refused_by_every_reader(reader):
    with pytest.raises(TypeError, match=r"^record: .*lone surrogate"):
        readers()[reader]({LONE_SURROGATE: 1})


def test_every_record_reader_takes_the_ends_of_the_range():
    record = {"text": "é\U0001f600", "meta": {"lang": "en", "views": 2**63 - 1}, "n": -(2**63)}
    migration = v1_to_v2()
    lifted = migration.lift(record)
    assert lifted == {"content": "é\U0001f600", "lang": "en"}
    assert list(migration.lift_many([record])) == [lifted]
    view, complement = migration.get(record)
    assert view == lifted
    assert migration.put(view, complement) == record
    assert blog_v1().validate_record({"text": "é\U0001f600", "meta": {"views": -(2**63)}}, "post") == []


@pytest.mark.parametrize(("bad", "message"), BAD_VALUES)
def test_add_data_refuses_the_same_values_and_stages_nothing(location: Location, bad, message):
    with location.init("json-schema") as repo:
        repo.add(person_v1())
        with pytest.raises(TypeError, match=f"^record\\.extra\\[0\\]: .*{message}"):
            repo.add_data("people", [person(0), {"name": "x", "extra": [bad]}])
        assert repo.status().staged_data == {}


# ---------------------------------------------------------------- unknown protocols


def test_an_unknown_protocol_is_a_schema_validation_error_everywhere(location: Location):
    as_json = json.loads(post_v1().to_json())
    as_json["protocol"] = "cobol"
    calls: list[Callable[[], object]] = [
        lambda: pp.protocol("cobol"),
        lambda: pp.Schema.from_json(json.dumps(as_json)),
        lambda: pp.Schema.from_json(post_v1().to_json(), "cobol"),
        lambda: pp.classify(pp.diff(post_v1(), post_v2()), "cobol"),
        lambda: pp.Repository.init(location.url, "cobol", name=location.name),
    ]
    for call in calls:
        with pytest.raises(pp.SchemaValidationError) as info:
            call()
        assert type(info.value) is pp.SchemaValidationError
        assert 'unknown protocol "cobol"' in str(info.value) and "atproto" in str(info.value)
        assert info.value.errors == (str(info.value),)
    # Nothing was created: the name is still free.
    with pytest.raises(pp.NotFoundError):
        pp.Repository.open(location.url, name=location.name)


# ---------------------------------------------------------------- StoreError.backend


def overwrite_objects(location: Location, data: bytes) -> None:
    """Replaces the bytes of every object of the repository, behind the store's back."""
    if BACKEND == "sqlite":
        with sqlite3.connect(location.url) as conn:
            conn.execute(
                "UPDATE objects SET data = ? WHERE repo = (SELECT id FROM repositories WHERE name = ?)",
                (data, location.name),
            )
        return
    with psycopg.connect(location.url, autocommit=True) as conn:
        conn.execute(
            "UPDATE panproto_objects SET data = %s WHERE repo = (SELECT id FROM panproto_repositories WHERE name = %s)",
            (data, location.name),
        )


def test_a_store_error_from_undecodable_objects_names_the_backend_in_use(location: Location):
    with location.init() as repo:
        two_commits(repo)
    overwrite_objects(location, b"\xffnot an object")
    with pytest.raises(pp.StoreError) as info, location.open() as repo:
        repo.log()
    assert info.value.backend == BACKEND == pp.__backend__
    assert str(info.value).startswith(f"{BACKEND} store: ")


# ---------------------------------------------------------------- list_kinds


def test_list_kinds_gives_each_report_enum_in_the_engine_order():
    kinds = pp.list_kinds()
    assert set(kinds) == {
        "ChangeKind",
        "ExistenceKind",
        "ProblemKind",
        "IssueKind",
        "ConflictKind",
        "CompatMode",
        "CompatLevel",
        "CompatDirection",
    }
    assert kinds["CompatMode"][:2] == ["NONE", "BACKWARD"]
    assert len(kinds["ChangeKind"]) == 10 and kinds["ChangeKind"][:2] == ["vertex-added", "vertex-removed"]
    assert kinds["ConflictKind"] == ["both-changed", "deleted-modified"]
    assert len(kinds["ExistenceKind"]) == 10 and "reachability-risk" in kinds["ExistenceKind"]
    assert {"hash-mismatch", "bad-ref"} <= set(kinds["ProblemKind"])
    assert {"missing-vertex", "unknown-kind"} <= set(kinds["IssueKind"])
    assert all(len(set(names)) == len(names) for names in kinds.values())
    assert pp.list_kinds() == kinds and pp.list_kinds() is not kinds  # a fresh copy each call


def test_the_kinds_reports_use_are_listed():
    kinds = pp.list_kinds()
    assert {c["kind"] for c in pp.diff(blog_v1(), post_v1())} <= set(kinds["ChangeKind"])
    issues = pp.migration(blog_v1(), blog_v1()).map("ghost", "post").check().errors
    assert issues and {i["kind"] for i in issues} <= set(kinds["ExistenceKind"])
    with pytest.raises(pp.SchemaValidationError) as info:
        pp.protocol("atproto").schema().vertex("a", "spaceship").build()
    assert info.value.errors[0].endswith("[unknown-kind]") and "unknown-kind" in kinds["IssueKind"]
