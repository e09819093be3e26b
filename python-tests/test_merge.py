"""Merge and rebase on the active backend, through the API and the CLI."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import panproto as pp
from conftest import Location
from schemas import person_v1, post_v1
from test_cli import init_args, run


def with_field(schema: pp.Schema, name: str) -> pp.Schema:
    """``schema`` plus a string property ``name`` on the post body."""
    return (
        schema.to_builder()
        .vertex(f"post:body.{name}", "string")
        .edge("post:body", f"post:body.{name}", "prop", {"name": name})
        .build()
    )


def with_limit(schema: pp.Schema, limit: str) -> pp.Schema:
    return schema.to_builder().constraint("post:body.text", "maxLength", limit).build()


@pytest.fixture
def diverged(repo):
    """main and feature each added a field since their common first commit."""
    repo.add(post_v1())
    base = repo.commit("base", "alice")
    repo.create_branch("feature")
    repo.add(with_field(post_v1(), "lang"))
    main = repo.commit("lang", "alice")
    repo.checkout("feature")
    repo.add(with_field(post_v1(), "tags"))
    feature = repo.commit("tags", "bob")
    repo.checkout("main")
    return repo, base, main, feature


def test_fast_forward_and_up_to_date(repo):
    repo.add(post_v1())
    repo.commit("base", "alice")
    repo.create_branch("feature")
    repo.checkout("feature")
    repo.add(with_field(post_v1(), "lang"))
    ahead = repo.commit("lang", "alice")
    repo.checkout("main")
    assert repo.merge("feature", "alice") == {"kind": "fast-forward", "commit": ahead, "resolved": []}
    assert repo.head == ahead
    assert repo.merge("feature", "alice")["kind"] == "up-to-date"


def test_diverged_branches_merge_with_two_parents_and_a_migration_from_each(diverged):
    repo, base, main, feature = diverged
    assert repo.merge_base("main", "feature") == base
    result = repo.merge("feature", "carol")
    assert result["kind"] == "merge"
    merge = repo.log(1)[0]
    assert merge.id == result["commit"] == repo.head
    assert merge.parents == [main, feature]
    assert merge.message == "merge feature into main"
    assert repo.schema_at() == with_field(with_field(post_v1(), "lang"), "tags")
    record = {"text": "hi", "tags": "x"}
    from_feature = repo.migration(parent=1)
    assert from_feature is not None
    assert from_feature.lift(record, "post:body") == record
    with pytest.raises(pp.NotFoundError, match="parent 2"):
        repo.migration(parent=2)


def test_conflicts_are_listed_then_resolved_per_element(repo):
    repo.add(post_v1())
    repo.commit("base", "alice")
    repo.create_branch("feature")
    repo.add(with_limit(post_v1(), "100"))
    main = repo.commit("short", "alice")
    repo.checkout("feature")
    repo.add(with_limit(post_v1(), "9000"))
    repo.commit("long", "bob")
    repo.checkout("main")

    with pytest.raises(pp.MergeConflictError) as info:
        repo.merge("feature", "carol")
    assert info.value.conflicts == (
        {
            "kind": "both-changed",
            "element": "post:body.text.maxLength",
            "base": "3000",
            "ours": "100",
            "theirs": "9000",
        },
    )
    assert isinstance(info.value, pp.VcsError)
    assert repo.head == main, "a conflicted merge writes nothing"
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.conflicts == info.value.conflicts

    with pytest.raises(pp.VcsError, match="not in conflict"):
        repo.merge("feature", "carol", resolve={"post:body.nowhere": "ours"})
    with pytest.raises(pp.VcsError, match="neither"):
        repo.merge("feature", "carol", strategy="mine")  # type: ignore[arg-type]

    result = repo.merge("feature", "carol", "take the long limit", resolve={"post:body.text.maxLength": "theirs"})
    assert result["kind"] == "merge"
    assert [(r["element"], r["side"]) for r in result["resolved"]] == [("post:body.text.maxLength", "theirs")]
    assert repo.schema_at() == with_limit(post_v1(), "9000")


def test_merging_either_way_gives_the_same_schema(location):
    schemas = []
    for into, other in (("main", "feature"), ("feature", "main")):
        if "://" in location.url:  # PostgreSQL: another repository in the database
            place = Location(location.url, f"{location.name}-{into}")
        else:  # SQLite: another file
            place = Location(str(Path(location.url).with_name(f"{into}.db")), "default")
        with place.init() as repo:
            repo.add(post_v1())
            repo.commit("base", "alice")
            repo.create_branch("feature")
            repo.add(with_limit(with_field(post_v1(), "lang"), "100"))
            repo.commit("lang", "alice")
            repo.checkout("feature")
            repo.add(with_limit(with_field(post_v1(), "tags"), "9000"))
            repo.commit("tags", "bob")
            repo.checkout(into)
            # the same choice, named from each side: main's limit wins
            side = "ours" if into == "main" else "theirs"
            repo.merge(other, "carol", strategy=side)
            schemas.append(repo.schema_at())
    assert schemas[0] == schemas[1]
    assert schemas[0] == with_limit(with_field(with_field(post_v1(), "lang"), "tags"), "100")


def test_merge_is_refused_while_staged_or_detached(diverged):
    repo, base, _, _ = diverged
    repo.checkout(base)
    with pytest.raises(pp.VcsError, match="detached"):
        repo.merge("feature", "carol")
    repo.checkout("main")
    repo.add(with_field(post_v1(), "zz"))
    with pytest.raises(pp.VcsError, match="staged"):
        repo.merge("feature", "carol")


def test_rebase_reapplies_staged_work_after_someone_else_committed(location, repo):
    repo.add(post_v1())
    repo.commit("base", "alice")
    with location.open() as bob:
        repo.add(with_field(post_v1(), "lang"))
        bob.add(with_field(post_v1(), "tags"))
        theirs = bob.commit("tags", "bob")
    with pytest.raises(pp.ConflictError):
        repo.commit("lang", "alice")
    assert repo.rebase() == {"kind": "rebased", "onto": theirs, "resolved": []}
    assert repo.rebase()["kind"] == "up-to-date"
    repo.commit("lang", "alice")
    assert repo.schema_at() == with_field(with_field(post_v1(), "lang"), "tags")
    assert [c.message for c in repo.log()] == ["lang", "tags", "base"]


def test_a_conflicting_rebase_keeps_the_staged_schema(location, repo):
    repo.add(post_v1())
    base = repo.commit("base", "alice")
    mine = with_limit(post_v1(), "100")
    with location.open() as bob:
        repo.add(mine)
        bob.add(with_limit(post_v1(), "9000"))
        bob.commit("long", "bob")
    with pytest.raises(pp.MergeConflictError):
        repo.rebase()
    assert repo.staged_schema() == mine
    with pytest.raises(pp.ConflictError):
        repo.commit("short", "alice")
    repo.rebase(strategy="theirs")
    repo.commit("short", "alice")
    assert repo.schema_at() == mine
    assert repo.log()[-1].id == base
    with pytest.raises(pp.VcsError, match="nothing"):
        repo.rebase()


def test_add_on_a_given_base(repo):
    repo.add(post_v1())
    first = repo.commit("base", "alice")
    repo.add(with_field(post_v1(), "lang"))
    repo.commit("lang", "alice")
    report = repo.add(with_field(post_v1(), "tags"), base=first)
    assert [c["element"] for c in report.changes if c["kind"] == "vertex-added"] == ["post:body.tags"]
    with pytest.raises(pp.ConflictError):
        repo.commit("tags", "alice")
    with pytest.raises(pp.NotFoundError):
        repo.add(post_v1(), base="nowhere")


# --------------------------------------------------------------------------
# CLI


def write(path: Path, schema: pp.Schema) -> str:
    path.write_text(schema.to_json(), encoding="utf-8")
    return str(path)


def test_cli_merge_lists_conflicts_then_resolves(tmp_path, location):
    run(tmp_path, *init_args(location))
    run(tmp_path, "add", write(tmp_path / "v1.json", post_v1()))
    run(tmp_path, "commit", "-m", "base")
    run(tmp_path, "branch", "feature")
    run(tmp_path, "add", write(tmp_path / "short.json", with_limit(post_v1(), "100")))
    run(tmp_path, "commit", "-m", "short")
    run(tmp_path, "checkout", "feature")
    run(tmp_path, "add", write(tmp_path / "long.json", with_limit(post_v1(), "9000")))
    run(tmp_path, "commit", "-m", "long")
    run(tmp_path, "checkout", "main")

    stopped = run(tmp_path, "merge", "feature", check=False)
    assert stopped.returncode == 1
    assert "post:body.text.maxLength" in stopped.stdout
    assert "nothing was written" in stopped.stdout
    as_json = run(tmp_path, "merge", "feature", "--json", check=False)
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["conflicts"][0]["theirs"] == "9000"

    bad = run(tmp_path, "merge", "feature", "--ours", "x", "--theirs", "x", check=False)
    assert bad.returncode == 2 and "both --ours and --theirs" in bad.stderr

    done = json.loads(run(tmp_path, "merge", "feature", "--theirs", "post:body.text.maxLength", "--json").stdout)
    assert done["kind"] == "merge"
    assert done["resolved"][0]["side"] == "theirs"
    log = json.loads(run(tmp_path, "log", "--json").stdout)
    assert len(log[0]["parents"]) == 2


def test_cli_commit_refuses_a_moved_branch_and_rebase_fixes_it(tmp_path, location):
    run(tmp_path, *init_args(location))
    run(tmp_path, "add", write(tmp_path / "v1.json", post_v1()))
    run(tmp_path, "commit", "-m", "base")
    run(tmp_path, "add", write(tmp_path / "lang.json", with_field(post_v1(), "lang")))
    # someone else commits to the same store meanwhile
    store = location.url if "://" in location.url else str(tmp_path / ".panproto" / "panproto.db")
    with pp.Repository.open(store, name=location.name) as other:
        other.add(with_field(post_v1(), "tags"))
        other.commit("tags", "bob")
    refused = run(tmp_path, "commit", "-m", "lang", check=False)
    assert refused.returncode == 2
    assert "panproto rebase" in refused.stderr
    rebased = json.loads(run(tmp_path, "rebase", "--json").stdout)
    assert rebased["kind"] == "rebased"
    run(tmp_path, "commit", "-m", "lang")
    log = json.loads(run(tmp_path, "log", "--json").stdout)
    assert [c["message"] for c in log] == ["lang", "tags", "base"]
    assert "nothing is staged" in run(tmp_path, "rebase", check=False).stderr


def test_cli_data_staged_before_the_branch_moved_is_refused_then_rebased(tmp_path, location):
    (tmp_path / "p1.json").write_text(person_v1().to_json(), encoding="utf-8")
    (tmp_path / "mine.jsonl").write_text(json.dumps({"name": "ada", "email": "a@x"}) + "\n", encoding="utf-8")
    if "://" in location.url:
        run(tmp_path, "init", "--protocol", "json-schema", "--store", location.url, "--name", location.name)
        store = location.url
    else:
        run(tmp_path, "init", "--protocol", "json-schema")
        store = str(tmp_path / ".panproto" / "panproto.db")
    run(tmp_path, "add", "p1.json")
    run(tmp_path, "commit", "-m", "people")
    run(tmp_path, "data", "add", "staff", "mine.jsonl")
    with pp.Repository.open(store, name=location.name) as other:
        other.add_data("pets", [{"name": "rex"}])
        theirs = other.commit("pets", "bob")
    refused = run(tmp_path, "commit", "-m", "staff", check=False)
    assert refused.returncode == 2 and "panproto rebase" in refused.stderr
    rebased = json.loads(run(tmp_path, "rebase", "--json").stdout)
    assert rebased == {"kind": "rebased", "onto": theirs, "resolved": []}
    run(tmp_path, "commit", "-m", "staff")
    assert json.loads(run(tmp_path, "data", "list", "--json").stdout) == {"pets": 1, "staff": 1}


def test_a_merge_carries_datasets_and_names_data_conflicts(location):
    with location.init("json-schema") as repo:
        repo.add(person_v1())
        repo.add_data("staff", [{"name": "ada", "email": "a@x"}])
        repo.commit("people", "alice")
        repo.create_branch("feature")
        repo.add(
            person_v1().to_builder().vertex("nick", "string").edge("person", "nick", "prop", {"name": "nick"}).build()
        )
        repo.commit("nicknames", "alice")
        repo.checkout("feature")
        repo.add_data("staff", [{"name": "bob", "email": "b@x"}])
        repo.commit("new staff", "bob")
        repo.checkout("main")

        result = repo.merge("feature", "carol")  # feature changed the records, main only the schema
        assert result["kind"] == "merge"
        assert list(repo.data_at("HEAD", "staff")) == [{"name": "bob", "email": "b@x"}]

        repo.add_data("staff", [{"name": "main"}])
        repo.commit("main staff", "alice")
        repo.checkout("feature")
        repo.add_data("staff", [{"name": "feature"}])
        repo.commit("feature staff", "bob")
        repo.checkout("main")
        with pytest.raises(pp.MergeConflictError) as info:
            repo.merge("feature", "carol")
        assert [c["element"] for c in info.value.conflicts] == ["dataset:staff"]
        repo.merge("feature", "carol", resolve={"dataset:staff": "ours"})
        assert list(repo.data_at("HEAD", "staff")) == [{"name": "main"}]
