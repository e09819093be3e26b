"""Repositories on the active backend: init, open, add, commit, log, status."""

from __future__ import annotations

import pickle
import re

import pytest

import panproto as pp
from schemas import post_v1, post_v2, post_v3

HEX64 = re.compile(r"[0-9a-f]{64}")


def test_init_gives_an_empty_repository(location):
    with location.init("atproto") as repo:
        assert isinstance(repo, pp.Repository)
        assert repo.name == location.name
        assert repo.protocol == pp.protocol("atproto")
        assert repo.branch == "main"
        assert repo.head is None
        assert repo.log() == []
        status = repo.status()
        assert isinstance(status, pp.Status)
        assert (status.branch, status.head, status.staged, status.changes) == ("main", None, None, [])
        assert status.compatibility is None
        assert status.to_dict() == {
            "branch": "main",
            "head": None,
            "staged": None,
            "changes": [],
            "compatibility": None,
            "staged_data": {},
            "backward": None,
            "forward": None,
            "level": None,
        }


def test_init_accepts_a_protocol_object_and_a_path_like(location, tmp_path):
    if pp.__backend__ == "sqlite":
        url = tmp_path / "pathlike.db"  # an os.PathLike
        with pp.Repository.init(url, pp.protocol("sql")) as repo:
            assert repo.protocol.name == "sql"
            assert repo.location == str(url)
    else:
        with pp.Repository.init(location.url, pp.protocol("sql"), name=location.name) as repo:
            assert repo.protocol.name == "sql"


def test_add_commit_log_status(repo):
    changes = repo.add(post_v1())
    assert isinstance(changes, pp.DiffReport)
    assert {c["kind"] for c in changes} == {"vertex-added", "edge-added", "constraint-added", "required-added"}
    assert changes.compatibility == "backward-compatible"  # everything is new: nothing breaks
    status = repo.status()
    assert status.staged == post_v1().id
    assert status.head is None
    assert status.changes == changes.changes
    assert status.compatibility == "backward-compatible"
    # Both ways by the format's rules, as the staged report and check say.
    assert (status.backward, status.forward, status.level) == (changes.backward, changes.forward, changes.level)
    assert changes.level in ("compatible", "dangerous", "breaking")

    first = repo.commit("first version", "alice", timestamp=1_700_000_000)
    assert HEX64.fullmatch(first)
    assert repo.head == first
    assert repo.status().staged is None

    assert repo.add(post_v2()) == pp.diff(post_v1(), post_v2())
    second = repo.commit("add createdAt", "bob")
    repo.add(post_v3())
    third = repo.commit("longer posts", "carol")

    log = repo.log()
    assert [c.id for c in log] == [third, second, first]
    assert [c.message for c in log] == ["longer posts", "add createdAt", "first version"]
    assert [c.author for c in log] == ["carol", "bob", "alice"]
    assert log[2].timestamp == 1_700_000_000
    assert log[0].timestamp >= log[1].timestamp >= 1_700_000_000
    assert log[0].parents == [second] and log[1].parents == [first] and log[2].parents == []
    assert log[0].schema_id == post_v3().id
    assert log[0].short_id == third[:12]
    assert [c.id for c in repo.log(2)] == [third, second]
    assert repo.log(0) == []
    assert log[0].to_dict() == {
        "id": third,
        "short_id": third[:12],
        "parents": [second],
        "schema_id": post_v3().id,
        "author": "carol",
        "timestamp": log[0].timestamp,
        "message": "longer posts",
        "compatibility": "backward-compatible",
        "migration": log[0].migration,
        "datasets": {},
        "backward": "compatible",
        "forward": "breaking",
        "level": "breaking",
        "allow_breaking": None,
        "origin": None,
    }
    assert HEX64.fullmatch(log[0].migration or "")
    assert log[2].migration is None  # a first commit has no parent to migrate from
    assert isinstance(log[0], pp.Commit)
    assert third[:12] in repr(log[0])

    assert repo.schema_at() == post_v3()
    assert repo.schema_at("HEAD") == post_v3()
    assert repo.schema_at(first) == post_v1()
    status = repo.status()
    assert (status.branch, status.head, status.staged, status.changes) == ("main", third, None, [])
    assert status.compatibility is None


def test_history_is_visible_to_a_new_handle(location):
    with location.init() as repo:
        repo.add(post_v1())
        commit = repo.commit("v1", "alice")
    with location.open() as again:
        assert again.head == commit
        assert [c.id for c in again.log()] == [commit]
        assert again.schema_at() == post_v1()
        assert again.status().staged is None


def test_vcs_functions_mirror_the_methods(location):
    repo = pp.vcs_init(location.url, "atproto", name=location.name)
    try:
        assert pp.vcs_add(repo, post_v1()).changes == repo.status().changes
        commit = pp.vcs_commit(repo, "v1", "alice")
        pp.vcs_add(repo, post_v2())
        second = pp.vcs_commit(repo, "v2", "alice")
        assert [c.id for c in pp.vcs_log(repo)] == [second, commit]
        assert [c.id for c in pp.vcs_log(repo, 1)] == [second]
        status = pp.vcs_status(repo)
        assert status.head == second and status.staged is None
    finally:
        repo.close()
    reopened = pp.vcs_open(location.url, name=location.name)
    with reopened:
        assert reopened.head == second


def test_commit_with_nothing_staged_is_a_vcs_error(repo):
    with pytest.raises(pp.VcsError) as info:
        repo.commit("empty", "alice")
    assert "nothing" in str(info.value).lower()


def test_committing_the_head_schema_again_is_a_vcs_error(repo):
    repo.add(post_v1())
    repo.commit("v1", "alice")
    repo.add(post_v1())
    with pytest.raises(pp.VcsError):
        repo.commit("same again", "alice")


def test_adding_a_schema_of_another_protocol_is_a_vcs_error(repo):
    sql = pp.protocol("sql").schema().vertex("t", "table").build()
    with pytest.raises(pp.VcsError) as info:
        repo.add(sql)
    assert "sql" in str(info.value)


def test_opening_a_missing_repository_is_not_found(location):
    if pp.__backend__ == "sqlite":
        with location.init():  # the store exists, the repository name does not
            pass
        with pytest.raises(pp.NotFoundError) as info:
            pp.Repository.open(location.url, name="no-such-repository")
    else:
        with pytest.raises(pp.NotFoundError) as info:
            location.open()
    assert isinstance(info.value, pp.VcsError)


@pytest.mark.backend("sqlite")
def test_opening_a_missing_sqlite_file_is_not_found(tmp_path):
    with pytest.raises(pp.NotFoundError):
        pp.Repository.open(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


def test_init_twice_is_a_vcs_error(location):
    with location.init():
        pass
    with pytest.raises(pp.VcsError) as info:
        location.init()
    assert "exists" in str(info.value)


def test_schema_at_an_unknown_ref_is_not_found(repo):
    repo.add(post_v1())
    repo.commit("v1", "alice")
    with pytest.raises(pp.NotFoundError):
        repo.schema_at("0" * 64)


def test_staging_belongs_to_one_handle(location):
    with location.init() as alice, location.open() as bob:
        alice.add(post_v1())
        assert bob.status().staged is None
        with pytest.raises(pp.VcsError):
            bob.commit("nothing of mine", "bob")
        alice.commit("v1", "alice")
        assert bob.head == alice.head


def test_concurrent_commit_is_a_conflict_and_keeps_the_stage(location):
    with location.init() as alice:
        alice.add(post_v1())
        base = alice.commit("v1", "alice")
        with location.open() as bob:
            bob.add(post_v2())  # bob stages on top of v1
            alice.add(post_v3())
            winner = alice.commit("v3", "alice")  # alice moves main first
            with pytest.raises(pp.ConflictError) as info:
                bob.commit("v2", "bob")
            error = info.value
            assert isinstance(error, pp.VcsError)
            assert error.ref is not None and "main" in error.ref
            assert error.expected is not None and base in error.expected
            assert error.actual is not None and winner in error.actual
            assert bob.status().staged == post_v2().id  # staged work intact
            assert [c.id for c in bob.log()] == [winner, base]  # nothing lost


def test_repository_context_manager_closes(location):
    with location.init() as repo:
        assert repo.__enter__() is repo
    with pytest.raises(pp.VcsError):
        repo.add(post_v1())
    repo.close()  # closing twice is harmless


def test_repository_repr_names_it(repo):
    assert repo.name in repr(repo)
    assert "Repository" in repr(repo)


def test_repository_pickles_as_a_reopened_handle_with_an_empty_stage(repo):
    repo.add(post_v1())
    commit = repo.commit("v1", "alice")
    repo.add(post_v2())
    with pickle.loads(pickle.dumps(repo)) as again:
        assert isinstance(again, pp.Repository)
        assert (again.location, again.name) == (repo.location, repo.name)
        assert again.head == commit
        assert again.status().staged is None
    assert repo.status().staged == post_v2().id


def test_commit_and_status_pickle(repo):
    repo.add(post_v1())
    repo.commit("v1", "alice")
    repo.add(post_v2())
    commit = repo.log()[0]
    status = repo.status()
    again = pickle.loads(pickle.dumps(commit))
    assert again == commit and again.to_dict() == commit.to_dict()
    status_again = pickle.loads(pickle.dumps(status))
    assert status_again.to_dict() == status.to_dict()
    assert "Status" in repr(status)


# ---------------------------------------------------------------- verdicts, diff, show, migrations


def history(repo: pp.Repository) -> list[str]:
    """v1, v2 (a date added), v3 (longer text), then v4 (the date required): four commits, oldest first."""
    ids = []
    for schema, message in ((post_v1(), "v1"), (post_v2(), "v2"), (post_v3(), "v3"), (post_v4(), "v4")):
        repo.add(schema)
        ids.append(repo.commit(message, "alice"))
    return ids


def post_v4() -> pp.Schema:
    return post_v3().to_builder().required("post:body", ["text", "createdAt"]).build()


def test_each_commit_records_its_verdict(repo):
    history(repo)
    log = repo.log()
    assert [c.message for c in log] == ["v4", "v3", "v2", "v1"]
    assert [c.compatibility for c in log] == [
        "breaking",
        "backward-compatible",
        "backward-compatible",
        "backward-compatible",
    ]
    assert log[0].to_dict()["compatibility"] == "breaking"


def test_status_states_the_verdict_of_what_is_staged(repo):
    history(repo)
    assert repo.status().compatibility is None
    report = repo.add(post_v2())  # back from v4: createdAt no longer required, text limit tightened
    status = repo.status()
    assert status.compatibility == report.compatibility == "breaking"
    assert {c["kind"] for c in report.breaking} == {"constraint-changed"}
    assert {c["kind"] for c in report.non_breaking} == {"required-removed"}
    assert status.to_dict()["compatibility"] == "breaking"
    assert "changes=2" in repr(status)


def test_show_gives_a_commit_and_its_classified_changes(repo):
    first, second, _, fourth = history(repo)
    shown = repo.show()
    assert set(shown) == {"commit", "diff", "lens"}
    assert shown["lens"] is None
    assert shown["commit"].id == fourth and shown["commit"] == repo.log(1)[0]
    assert shown["diff"] == pp.diff(post_v3(), post_v4())
    assert shown["diff"].compatibility == "breaking"
    assert repo.show("HEAD~2")["commit"].id == second
    assert repo.show(second)["diff"] == pp.diff(post_v1(), post_v2())
    root = repo.show(first)  # a first commit: its changes from nothing
    assert root["commit"].parents == []
    assert len(root["diff"]) == 7 and {c["kind"] for c in root["diff"].breaking} == set()
    with pytest.raises(pp.NotFoundError):
        repo.show("HEAD~4")


def test_diff_between_any_two_refs(repo):
    first, _, third, fourth = history(repo)
    assert repo.diff("HEAD~3", "HEAD") == pp.diff(post_v1(), post_v4())
    assert repo.diff(first, fourth) == pp.diff(post_v1(), post_v4())
    assert repo.diff("main~1", "main") == pp.diff(post_v3(), post_v4())
    assert repo.diff("HEAD~2", third) == pp.diff(post_v2(), post_v3())
    assert repo.diff(fourth, "HEAD~3").compatibility == "breaking"
    assert repo.diff("HEAD~1").compatibility == "breaking"  # b defaults to HEAD when nothing is staged
    assert not repo.diff()  # HEAD against HEAD
    assert repo.diff().compatibility == "fully-compatible"
    repo.add(post_v1())
    assert repo.diff() == pp.diff(post_v4(), post_v1())  # b defaults to the staged schema
    assert repo.diff("HEAD~3") == pp.diff(post_v1(), post_v1())
    for missing in ("HEAD~4", "nope", "0" * 64, "main~9"):
        with pytest.raises(pp.NotFoundError):
            repo.diff(missing)


def test_refs_resolve_in_schema_at(repo):
    first, second, _, _ = history(repo)
    assert repo.schema_at("HEAD~3") == repo.schema_at(first) == post_v1()
    assert repo.schema_at("main") == post_v4()
    assert repo.schema_at("main~2") == repo.schema_at(second) == post_v2()
    with pytest.raises(pp.NotFoundError):
        repo.schema_at("HEAD~x")


def test_diff_and_show_before_the_first_commit_are_not_found(repo):
    with pytest.raises(pp.NotFoundError):
        repo.diff()
    with pytest.raises(pp.NotFoundError):
        repo.show()
    with pytest.raises(pp.NotFoundError):
        repo.migration()


def renamed_text() -> pp.Schema:
    """post_v1 with the text property (vertex and key) renamed to content."""
    return (
        pp.protocol("atproto")
        .schema()
        .vertex("post", "record", {"nsid": "app.bsky.feed.post"})
        .vertex("post:body", "object")
        .vertex("post:body.content", "string")
        .edge("post", "post:body", "record-schema")
        .edge("post:body", "post:body.content", "prop", {"name": "content"})
        .constraint("post:body.content", "maxLength", "3000")
        .required("post:body", ["content"])
        .build()
    )


def test_add_derives_the_migration_and_detects_renames(repo):
    repo.add(post_v1())
    first = repo.commit("v1", "alice")
    assert repo.migration() is None  # a first commit
    repo.add(renamed_text())
    second = repo.commit("rename text to content", "alice")
    commit = repo.log(1)[0]
    assert commit.migration is not None

    m = repo.migration("HEAD")
    assert isinstance(m, pp.CompiledMigration)
    assert (m.source, m.target) == (repo.schema_at(first), repo.schema_at(second))
    # What survives maps to itself ("identity"); only the rename is listed.
    assert m.spec == {"identity": True, "vertex_map": {"post:body.text": "post:body.content"}}
    assert m.lift({"text": "hello"}) == {"content": "hello"}
    view, complement = m.get({"text": "hello", "lang": "en"})
    assert view == {"content": "hello"}
    assert m.put(view, complement) == {"text": "hello", "lang": "en"}
    assert m.invert().lift({"content": "bye"}) == {"text": "bye"}
    assert repo.migration(second) == m


def test_identity_on_what_survives(repo):
    repo.add(post_v1())
    repo.commit("v1", "alice")
    repo.add(post_v2())
    repo.commit("v2", "alice")
    m = repo.migration()
    assert m is not None
    assert m.spec == {"identity": True}
    record = {"text": "hi"}
    assert m.lift(record) == record
    assert post_v2().validate_record(m.lift(record), "post") == []
