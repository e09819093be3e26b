"""The `panproto` command, end to end, in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import panproto as pp
from conftest import BACKEND, Location
from panproto.cli import parser as cli_parser, run as cli_run
from schemas import person, person_v1, person_v2, person_v3, post_v1, post_v2, post_v3, post_v4

EXIT_BREAKING = 1
EXIT_ERROR = 2


PANPROTO = Path(sys.executable).with_name("panproto")


def run(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PANPROTO_AUTHOR": "tester <t@example.com>", **(env or {})}
    result = subprocess.run(
        [str(PANPROTO), *args], cwd=cwd, capture_output=True, text=True, env=environment, timeout=60, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"panproto {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def init_args(location: Location) -> list[str]:
    if BACKEND == "sqlite":
        return ["init"]  # the default store: .panproto/panproto.db
    return ["init", "--store", location.url, "--name", location.name]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name, schema in (
        ("v1.json", post_v1()),
        ("v2.json", post_v2()),
        ("v3.json", post_v3()),
        ("v4.json", post_v4()),
    ):
        (tmp_path / name).write_text(schema.to_json(), encoding="utf-8")
    return tmp_path


def test_console_script_and_module_are_installed():
    assert PANPROTO.exists()
    out = subprocess.run([sys.executable, "-m", "panproto", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"panproto {pp.__version__} ({BACKEND} backend)"


def test_init_add_commit_log_status(workdir, location):
    out = run(workdir, *init_args(location))
    assert "Initialized empty panproto repository" in out.stdout
    config = (workdir / ".panproto" / "config").read_text()
    assert "[repository]" in config
    if BACKEND == "sqlite":
        assert (workdir / ".panproto" / "panproto.db").is_file()
        assert "store = .panproto/panproto.db" in config

    out = run(workdir, "status")
    assert "On branch main" in out.stdout and "No commits yet" in out.stdout

    out = run(workdir, "add", "v1.json")
    assert "vertex-added" in out.stdout
    index = json.loads((workdir / ".panproto" / "index").read_text())
    assert index == {"base": None, "schema": json.loads(post_v1().to_json())}, "the schema and the commit it is on"
    out = run(workdir, "status")  # a new process sees what the last one staged
    assert post_v1().id[:12] in out.stdout

    out = run(workdir, "commit", "-m", "first version")
    assert "first version" in out.stdout and "[main " in out.stdout
    assert not (workdir / ".panproto" / "index").exists()

    run(workdir, "add", "v2.json")
    run(workdir, "commit", "-m", "add createdAt", "--author", "bob")
    sub = workdir / "deep" / "er"
    sub.mkdir(parents=True)
    run(sub, "add", str(workdir / "v3.json"))  # found by walking up, like git
    run(sub, "commit", "-m", "longer posts")

    log = run(workdir, "log").stdout
    assert log.count("commit ") == 3
    assert log.index("longer posts") < log.index("add createdAt") < log.index("first version")
    assert "Author: bob" in log and "Author: tester <t@example.com>" in log
    assert "(HEAD -> main)" in log and "Date:" in log
    assert run(workdir, "log", "-n", "1").stdout.count("commit ") == 1

    status = run(workdir, "status").stdout
    assert "nothing staged" in status

    with Location(
        str(workdir / ".panproto" / "panproto.db") if BACKEND == "sqlite" else location.url, location.name
    ).open() as repo:
        assert [c.message for c in repo.log()] == ["longer posts", "add createdAt", "first version"]
        assert repo.schema_at() == post_v3()


def test_json_output(workdir, location):
    init = json.loads(run(workdir, *init_args(location), "--json").stdout)
    assert init["name"] == location.name and init["protocol"] == "atproto" and init["branch"] == "main"
    added = json.loads(run(workdir, "add", "v1.json", "--json").stdout)
    assert added["staged"] == post_v1().id
    assert {c["kind"] for c in added["changes"]} >= {"vertex-added", "edge-added"}
    assert added["compatibility"] == "backward-compatible" and added["breaking"] == []
    assert len(added["non_breaking"]) == len(added["changes"])
    status = json.loads(run(workdir, "status", "--json").stdout)
    assert status["staged"] == post_v1().id and status["head"] is None and status["branch"] == "main"
    assert status["compatibility"] == "backward-compatible"
    commit = json.loads(run(workdir, "commit", "-m", "v1", "--json").stdout)
    assert commit["message"] == "v1" and commit["schema_id"] == post_v1().id
    assert commit["author"] == "tester <t@example.com>"
    log = json.loads(run(workdir, "log", "--json").stdout)
    assert [c["id"] for c in log] == [commit["id"]]
    assert commit["compatibility"] == "backward-compatible" and commit["migration"] is None
    status = json.loads(run(workdir, "status", "--json").stdout)
    assert status == {
        "branch": "main",
        "head": commit["id"],
        "staged": None,
        "changes": [],
        "compatibility": None,
        "staged_data": {},
        "backward": None,
        "forward": None,
        "level": None,
        # What `add` read last still gives HEAD.
        "tracked": {"path": "v1.json", "state": "same"},
    }


def test_errors_exit_2_without_traceback(workdir, location):
    outside = run(workdir, "status", check=False)
    assert outside.returncode == 2
    assert outside.stderr.startswith("error: ") and "panproto init" in outside.stderr

    run(workdir, *init_args(location))
    again = run(workdir, *init_args(location), check=False)
    assert again.returncode == 2 and "already" in again.stderr

    cases = [
        ("commit", "-m", "nothing"),  # nothing staged: VcsError
        ("add", "missing.json"),  # OSError
        ("add", "bad.json"),  # not a schema: SchemaValidationError
    ]
    (workdir / "bad.json").write_text("{not json", encoding="utf-8")
    for args in cases:
        result = run(workdir, *args, check=False)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr
    assert run(workdir, "log", "-n", "-1", check=False).returncode == 2

    sql = pp.protocol("sql").schema().vertex("t", "table").build()
    (workdir / "sql.json").write_text(sql.to_json(), encoding="utf-8")
    result = run(workdir, "add", "sql.json", check=False)
    assert result.returncode == 2 and "sql" in result.stderr


def test_usage_errors_exit_2(workdir):
    assert run(workdir, "commit", check=False).returncode == 2  # -m is required
    assert run(workdir, "frobnicate", check=False).returncode == 2
    assert run(workdir, check=False).returncode == 2


@pytest.mark.backend("sqlite")
def test_init_with_an_explicit_store_and_name(workdir):
    store = workdir / "elsewhere" / "history.db"
    store.parent.mkdir()
    out = json.loads(
        run(workdir, "init", "--store", str(store), "--name", "team", "--protocol", "atproto", "--json").stdout
    )
    assert out["name"] == "team"
    run(workdir, "add", "v1.json")
    run(workdir, "commit", "-m", "v1")
    with pp.Repository.open(store, name="team") as repo:
        assert repo.schema_at() == post_v1()


def history(workdir: Path, location: Location) -> None:
    """init, then commit v1, v2 and v3."""
    run(workdir, *init_args(location))
    for version in ("v1", "v2", "v3"):
        run(workdir, "add", f"{version}.json")
        run(workdir, "commit", "-m", version)


def test_log_and_status_state_each_verdict(workdir, location):
    history(workdir, location)
    log = run(workdir, "log").stdout
    assert log.count("Compatibility: backward-compatible") == 3
    run(workdir, "add", "v4.json")
    status = run(workdir, "status").stdout
    assert "1 change(s) to commit, breaking" in status
    levels = json.loads(run(workdir, "status", "--json").stdout)
    assert f"to commit, breaking (backward {levels['backward']}, forward {levels['forward']})" in status
    assert levels["backward"] == "breaking"  # a newly required field: old records may lack it
    assert "required-added       post:body.createdAt" in status
    run(workdir, "commit", "-m", "require a date")
    log = run(workdir, "log", "-n", "1").stdout
    assert "Compatibility: breaking" in log and "require a date" in log
    entries = json.loads(run(workdir, "log", "--json").stdout)
    assert [e["compatibility"] for e in entries] == ["breaking", *["backward-compatible"] * 3]
    assert [e["migration"] is None for e in entries] == [False, False, False, True]


def test_show_prints_the_commit_its_changes_and_verdict(workdir, location):
    history(workdir, location)
    out = run(workdir, "show").stdout
    head = json.loads(run(workdir, "log", "-n", "1", "--json").stdout)[0]
    assert out.startswith(f"commit {head['short_id']} (HEAD -> main)\n")
    assert "Compatibility: backward-compatible" in out and "    v3" in out
    assert "ok        constraint-changed   post:body.text.maxLength (3000 -> 5000)" in out
    assert "maxLength relaxed from 3000 to 5000" in out
    rules = json.loads(run(workdir, "diff", "HEAD~1", "HEAD", "--json").stdout)["rules"]
    both = f"backward {head['backward']}, forward {head['forward']} by the {rules} rules"
    assert out.rstrip().endswith(f"verdict: backward-compatible (0 breaking changes, 1 non-breaking); {both}")

    first = run(workdir, "show", "HEAD~2").stdout
    assert "    v1" in first and "vertex-added" in first and "(HEAD" not in first

    shown = json.loads(run(workdir, "show", "HEAD~1", "--json").stdout)
    assert shown["commit"]["message"] == "v2"
    assert shown["diff"]["compatibility"] == "backward-compatible"
    assert {c["kind"] for c in shown["diff"]["changes"]} == {"vertex-added", "edge-added", "constraint-added"}
    assert (
        run(workdir, "show", shown["commit"]["id"], "--json").stdout == run(workdir, "show", "HEAD~1", "--json").stdout
    )

    missing = run(workdir, "show", "HEAD~9", check=False)
    assert missing.returncode == EXIT_ERROR and missing.stderr.startswith("error: ")


def test_diff_sees_the_staged_schema(workdir, location):
    run(workdir, *init_args(location))
    empty = run(workdir, "diff")
    assert empty.returncode == 0 and "verdict: fully-compatible (no changes)" in empty.stdout

    run(workdir, "add", "v1.json")  # staged in .panproto/index, read back by the next process
    first = json.loads(run(workdir, "diff", "--json").stdout)
    assert first["new"] == "staged" and len(first["changes"]) == 7
    run(workdir, "commit", "-m", "v1")
    assert "0 changes" in run(workdir, "diff").stdout  # nothing staged: HEAD against HEAD

    run(workdir, "add", "v4.json")
    out = run(workdir, "diff").stdout
    assert out.startswith(f"HEAD ({post_v1().id[:12]}) -> staged ({post_v4().id[:12]}): 5 changes")
    assert "breaking  required-added       post:body.createdAt" in out
    assert "a newly required field: existing records may lack it" in out
    assert "verdict: breaking (1 breaking change, 4 non-breaking)" in out
    data = json.loads(run(workdir, "diff", "--json").stdout)
    assert data == {"old": "HEAD", "new": "staged", **pp.diff(post_v1(), post_v4()).to_dict()}


def test_diff_between_refs_and_files(workdir, location):
    history(workdir, location)
    between = json.loads(run(workdir, "diff", "HEAD~2", "HEAD", "--json").stdout)
    assert (between["old"], between["new"]) == ("HEAD~2", "HEAD")
    assert between["changes"] == pp.diff(post_v1(), post_v3()).changes
    against_head = json.loads(run(workdir, "diff", "main~1", "--json").stdout)  # nothing staged: against HEAD
    assert against_head["changes"] == pp.diff(post_v2(), post_v3()).changes
    mixed = json.loads(run(workdir, "diff", "HEAD", "v4.json", "--json").stdout)
    assert mixed["changes"] == pp.diff(post_v3(), post_v4()).changes and mixed["compatibility"] == "breaking"
    assert run(workdir, "diff", "HEAD", "v4.json").returncode == 0  # diff informs; check gates


def test_check_files_outside_a_working_copy(workdir):
    ok = run(workdir, "check", "v1.json", "v2.json")
    assert ok.returncode == 0
    assert "judged by the atproto rules" in ok.stdout
    assert "verdict under BACKWARD: compatible; backward compatible, forward" in ok.stdout
    assert "ok        optional field added post.createdAt" in ok.stdout
    same = run(workdir, "check", "v2.json", "v2.json")
    assert same.returncode == 0 and "verdict under BACKWARD: compatible (no changes)" in same.stdout

    broken = run(workdir, "check", "v3.json", "v4.json", check=False)
    assert broken.returncode == EXIT_BREAKING
    assert "breaking  made required        post.createdAt" in broken.stdout
    assert "backward breaking, forward compatible: old data may lack it" in broken.stdout
    assert "verdict under BACKWARD: breaking (1 violation); backward breaking, forward compatible" in broken.stdout
    assert broken.stderr == ""
    # Forward, the same change breaks nothing: old readers ignore the requirement.
    assert run(workdir, "check", "v3.json", "v4.json", "--mode", "forward").returncode == 0
    assert run(workdir, "check", "v3.json", "v4.json", "--mode", "NONE").returncode == 0
    assert run(workdir, "check", "v3.json", "v4.json", "--mode", "FULL", check=False).returncode == EXIT_BREAKING
    unknown = run(workdir, "check", "v3.json", "v4.json", "--mode", "SIDEWAYS", check=False)
    assert unknown.returncode == EXIT_ERROR and "BACKWARD" in unknown.stderr

    gate = run(workdir, "check", "v3.json", "v4.json", "--json", check=False)
    assert gate.returncode == EXIT_BREAKING
    data = json.loads(gate.stdout)
    assert data["compatible"] is False and data["compatibility"] == "breaking"
    assert (data["old"], data["new"]) == ("v3.json", "v4.json")
    assert data["breaking"] == pp.diff(post_v3(), post_v4()).breaking
    assert (data["mode"], data["rules"], data["backward"], data["forward"]) == (
        "BACKWARD",
        "atproto",
        "breaking",
        "compatible",
    )
    assert [(v["direction"], v["path"]) for v in data["violations"]] == [("backward", "post.createdAt")]
    assert data == {**data, **pp.check(post_v3(), post_v4()).to_dict()}
    passing = json.loads(run(workdir, "check", "v1.json", "v3.json", "--json").stdout)
    assert passing["compatible"] is True and passing["compatibility"] == "backward-compatible"


def test_check_refs(workdir, location):
    history(workdir, location)
    assert run(workdir, "check", "HEAD~2", "HEAD").returncode == 0
    assert run(workdir, "check", "HEAD", "HEAD~2", check=False).returncode == EXIT_BREAKING
    assert run(workdir, "check", "main", "v4.json", check=False).returncode == EXIT_BREAKING
    head = json.loads(run(workdir, "log", "-n", "1", "--json").stdout)[0]["id"]
    data = json.loads(run(workdir, "check", "v1.json", head, "--json").stdout)
    assert data["compatible"] is True and data["changes"] == pp.diff(post_v1(), post_v3()).changes


def test_check_errors_exit_2(workdir, location):
    outside = run(workdir, "check", "v1.json", "HEAD", check=False)  # a ref, but no working copy
    assert outside.returncode == EXIT_ERROR and "HEAD" in outside.stderr and "panproto init" in outside.stderr
    history(workdir, location)
    (workdir / "bad.json").write_text("{not json", encoding="utf-8")
    cases = [
        ("check", "v1.json", "nope"),  # neither a file nor a ref
        ("check", "HEAD~7", "HEAD"),  # a ref past the first commit
        ("check", "bad.json", "v1.json"),  # a file that is not a schema
        ("check", "v1.json"),  # NEW missing: a usage error
    ]
    for args in cases:
        result = run(workdir, *args, check=False)
        assert result.returncode == EXIT_ERROR, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    result = run(workdir, "check", "v1.json", "nope", check=False)
    assert result.stderr.startswith("error: NEW 'nope' is neither a schema file nor a ref")
    as_json = run(workdir, "check", "v1.json", "nope", "--json", check=False)
    assert as_json.returncode == EXIT_ERROR
    assert json.loads(as_json.stdout) == {"error": as_json.stderr.removeprefix("error: ").rstrip("\n")}


def test_branch_checkout_and_tag(workdir, location):
    run(workdir, *init_args(location))
    run(workdir, "add", "v1.json")
    run(workdir, "commit", "-m", "v1")
    run(workdir, "add", "v2.json")
    run(workdir, "commit", "-m", "v2")
    created = json.loads(run(workdir, "branch", "feature", "--at", "HEAD~1", "--json").stdout)
    listed = json.loads(run(workdir, "branch", "--json").stdout)
    assert listed["current"] == "main"
    assert listed["branches"]["feature"] == created["commit"]
    assert "* main" in run(workdir, "branch").stdout

    assert run(workdir, "checkout", "feature").stdout.strip() == "Switched to branch feature"
    # The choice persists for the next commands of this working copy.
    log = json.loads(run(workdir, "log", "--json").stdout)
    assert [c["message"] for c in log] == ["v1"]
    assert json.loads(run(workdir, "status", "--json").stdout)["branch"] == "feature"
    run(workdir, "add", "v3.json")
    run(workdir, "commit", "-m", "v3 on feature")
    branches = json.loads(run(workdir, "branch", "--json").stdout)["branches"]
    assert branches["main"] == json.loads(run(workdir, "show", "main", "--json").stdout)["commit"]["id"]
    assert branches["feature"] != branches["main"]

    tagged = json.loads(run(workdir, "tag", "v1", "HEAD~1", "--json").stdout)
    assert json.loads(run(workdir, "tag", "--json").stdout) == {"v1": tagged["commit"]}
    assert json.loads(run(workdir, "show", "v1", "--json").stdout)["commit"]["message"] == "v1"

    detached = run(workdir, "checkout", tagged["commit"][:10]).stdout
    assert "detached" in detached
    assert json.loads(run(workdir, "status", "--json").stdout)["branch"] is None
    # A commit on a detached HEAD: this working copy follows it, no branch moves.
    run(workdir, "add", "v3.json")
    made = json.loads(run(workdir, "commit", "-m", "detached v3", "--json").stdout)
    assert made["branch"] is None and made["parents"] == [tagged["commit"]]
    assert json.loads(run(workdir, "status", "--json").stdout)["head"] == made["id"]
    assert json.loads(run(workdir, "branch", "--json").stdout)["branches"] == branches

    run(workdir, "checkout", "main")
    run(workdir, "branch", "-m", "feature", "experiment")
    assert set(json.loads(run(workdir, "branch", "--json").stdout)["branches"]) == {"main", "experiment"}
    run(workdir, "branch", "-d", "experiment")


def test_branch_and_checkout_errors(workdir, location):
    run(workdir, *init_args(location))
    run(workdir, "add", "v1.json")
    run(workdir, "commit", "-m", "v1")
    assert run(workdir, "branch", "bad name", check=False).returncode == EXIT_ERROR
    assert run(workdir, "checkout", "nowhere", check=False).returncode == EXIT_ERROR
    assert run(workdir, "branch", "-d", "main", check=False).returncode == EXIT_ERROR
    run(workdir, "add", "v2.json")
    refused = run(workdir, "checkout", "main", check=False)
    assert refused.returncode == EXIT_ERROR
    assert "staged" in refused.stderr
    run(workdir, "tag", "v1")
    assert run(workdir, "tag", "v1", check=False).returncode == EXIT_ERROR


def test_data_add_commit_show_list_and_migrate(workdir, location):
    for name, schema in (("p1.json", person_v1()), ("p2.json", person_v2()), ("p3.json", person_v3())):
        (workdir / name).write_text(schema.to_json(), encoding="utf-8")
    records = [person(i) for i in range(1, 40, 4)]  # floats and ints, no bytes: plain JSON
    (workdir / "people.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    if BACKEND == "sqlite":
        run(workdir, "init", "--protocol", "json-schema")
    else:
        run(workdir, "init", "--protocol", "json-schema", "--store", location.url, "--name", location.name)
    run(workdir, "add", "p1.json")
    staged = json.loads(run(workdir, "data", "add", "people", "people.jsonl", "--json").stdout)
    assert staged["dataset"] == "people" and len(staged["id"]) == 64
    assert "Staged dataset 'people'" in run(workdir, "status").stdout
    assert "staged" in run(workdir, "checkout", "main", check=False).stderr
    run(workdir, "commit", "-m", "people")
    assert json.loads(run(workdir, "data", "list", "--json").stdout) == {"people": len(records)}
    shown = [json.loads(line) for line in run(workdir, "data", "show", "people").stdout.splitlines()]
    assert shown == records
    run(workdir, "add", "p2.json")
    run(workdir, "commit", "-m", "drop age")
    run(workdir, "add", "p3.json")
    run(workdir, "commit", "-m", "rename name")
    lines = run(workdir, "migrate", "people", "HEAD", "HEAD~2").stdout.splitlines()
    assert [json.loads(line) for line in lines] == records
    forward = [json.loads(line) for line in run(workdir, "migrate", "people", "HEAD~2", "HEAD").stdout.splitlines()]
    assert forward[0] == {"full_name": records[0]["name"], "email": records[0]["email"], "extra": records[0]["extra"]}

    # A bad record: exit 2, nothing staged.
    (workdir / "bad.jsonl").write_text('{"full_name": "x"}\n{"full_name": 7}\n', encoding="utf-8")
    bad = run(workdir, "data", "add", "people", "bad.jsonl", check=False)
    assert bad.returncode == EXIT_ERROR
    assert "record 1" in bad.stderr and "person.full_name" in bad.stderr
    assert "Staged dataset" not in run(workdir, "status").stdout
    missing = run(workdir, "migrate", "nobody", "HEAD", "HEAD~1", "--json", check=False)
    assert missing.returncode == EXIT_ERROR and "not found" in json.loads(missing.stdout)["error"]


def test_annotated_tag_reflog_and_fsck(workdir, location):
    run(workdir, *init_args(location))
    run(workdir, "add", "v1.json")
    run(workdir, "commit", "-m", "v1")
    run(workdir, "add", "v2.json")
    run(workdir, "commit", "-m", "v2")

    tagged = json.loads(run(workdir, "tag", "v1", "HEAD~1", "-m", "First release", "--json").stdout)
    assert tagged["annotated"] and tagged["message"] == "First release"
    assert tagged["tagger"] == "tester <t@example.com>", "the tagger defaults like the author"
    assert tagged["commit"] == json.loads(run(workdir, "show", "v1", "--json").stdout)["commit"]["id"]
    assert "(annotated tag)" in run(workdir, "tag", "v0.1", "HEAD~1", "-m", "pre").stdout
    listing = run(workdir, "tag").stdout
    assert "First release" in listing and tagged["commit"][:12] in listing
    assert json.loads(run(workdir, "tag", "--json").stdout)["v1"] == tagged["commit"]

    entries = json.loads(run(workdir, "reflog", "--json").stdout)
    assert [e["message"] for e in entries] == ["commit: v2", "commit (initial): v1"]
    assert entries[0]["ref"] == "refs/heads/main"
    text = run(workdir, "reflog", "-n", "1").stdout.splitlines()
    assert len(text) == 1 and text[0].startswith(entries[0]["new"][:12]) and "main@{0}: commit: v2" in text[0]
    assert json.loads(run(workdir, "reflog", "v1", "--json").stdout)[0]["message"] == "tag: v1 (annotated)"
    assert run(workdir, "reflog", "nowhere", check=False).returncode == EXIT_ERROR

    clean = run(workdir, "fsck")
    assert "no problems" in clean.stdout and "7 objects" in clean.stdout
    report = json.loads(run(workdir, "fsck", "--json").stdout)
    assert report == {"ok": True, "objects": 7, "refs": 4, "problems": []}


# ---------------------------------------------------------------- every failure is one error line

NOT_UTF8 = b'{"a":"\xff"}'  # the 0xff at byte offset 6


def assert_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit 2 and exactly one ``error:`` line on stderr holding each fragment; the message."""
    assert result.returncode == EXIT_ERROR, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result.stderr.removeprefix("error: ").rstrip("\n")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("add", "x.json"), ("x.json", "not UTF-8", "byte offset 6")),
        (("diff", "x.json"), ("x.json", "not UTF-8", "byte offset 6")),
        (("diff", "v1.json", "x.json"), ("x.json", "not UTF-8", "byte offset 6")),
        (("check", "x.json", "v1.json"), ("x.json", "not UTF-8", "byte offset 6")),
        (("check", "v1.json", "x.json"), ("x.json", "not UTF-8", "byte offset 6")),
        # JSON lines: the line is named, the offset counts from the file's start
        (("data", "add", "posts", "x.jsonl"), ("x.jsonl:2", "not UTF-8", "byte offset 7")),
        (("data", "add", "posts", "array.json"), ("array.json", "not UTF-8", "byte offset 7")),
    ],
)
def test_a_file_that_is_not_utf8_is_one_error_line_and_exit_2(workdir, location, args, fragments):
    run(workdir, *init_args(location))
    run(workdir, "add", "v1.json")
    (workdir / "x.json").write_bytes(NOT_UTF8)
    (workdir / "x.jsonl").write_bytes(b"\n" + NOT_UTF8 + b"\n")
    (workdir / "array.json").write_bytes(b"[" + NOT_UTF8 + b"]")
    message = assert_error_line(run(workdir, *args, check=False), *fragments)
    as_json = run(workdir, *args, "--json", check=False)
    assert_error_line(as_json, *fragments)
    assert json.loads(as_json.stdout) == {"error": message}
    assert json.loads(run(workdir, "status", "--json").stdout)["staged"] == post_v1().id, "the stage is untouched"
    assert json.loads(run(workdir, "status", "--json").stdout)["staged_data"] == {}


def test_check_on_a_file_that_is_not_utf8_outside_a_working_copy_is_not_a_verdict(workdir):
    (workdir / "x.json").write_bytes(NOT_UTF8)
    result = run(workdir, "check", "v1.json", "x.json", check=False)
    assert result.returncode != EXIT_BREAKING
    assert_error_line(result, "NEW x.json", "not UTF-8", "byte offset 6")


def test_a_working_copy_file_that_is_not_utf8_is_an_error_line(workdir, location):
    run(workdir, *init_args(location))
    config = workdir / ".panproto" / "config"
    config.write_bytes(config.read_bytes() + b"# \xfe\n")
    assert_error_line(run(workdir, "log", check=False), str(config), "not UTF-8")


def test_an_unexpected_exception_is_an_error_line_not_a_traceback(monkeypatch, capsys):
    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_parser, "cmd_log", broken)
    monkeypatch.delenv("PANPROTO_DEBUG", raising=False)
    assert cli_run.main(["log"]) == EXIT_ERROR
    out = capsys.readouterr()
    assert out.err == "error: unexpected RuntimeError: boom (a bug in panproto; PANPROTO_DEBUG=1 shows the traceback)\n"
    assert out.out == ""
    assert cli_run.main(["log", "--json"]) == EXIT_ERROR
    out = capsys.readouterr()
    assert json.loads(out.out) == {"error": out.err.removeprefix("error: ").rstrip("\n")}

    monkeypatch.setenv("PANPROTO_DEBUG", "1")
    assert cli_run.main(["log"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert (
        "Traceback" in err
        and "RuntimeError: boom" in err
        and err.endswith(
            "error: unexpected RuntimeError: boom (a bug in panproto; PANPROTO_DEBUG=1 shows the traceback)\n"
        )
    )


# ---------------------------------------------------------------- read-only commands leave the stage alone

READ_ONLY = [
    ("log",),
    ("log", "--json"),
    ("log", "-n", "1"),
    ("show",),
    ("show", "HEAD~1", "--json"),
    ("diff", "HEAD~1", "HEAD"),
    ("diff", "HEAD~2", "v3.json", "--json"),
    ("check", "HEAD~1", "HEAD"),
    ("branch",),
    ("tag",),
    ("reflog",),
    ("data", "list"),
]


def corrupt_stage(index: Path, how: str) -> None:
    if how == "invalid":  # still JSON, but the schema no longer validates: an edge to a vertex that is gone
        staged = json.loads(index.read_text(encoding="utf-8"))
        staged["schema"]["vertices"] = [v for v in staged["schema"]["vertices"] if v["id"] != "post:body.text"]
        index.write_text(json.dumps(staged), encoding="utf-8")
    else:  # not even text
        index.write_bytes(b"\xff\xfe" + index.read_bytes())


@pytest.mark.parametrize("how", ["invalid", "garbage"])
def test_a_staged_schema_that_no_longer_validates_does_not_break_read_only_commands(workdir, location, how):
    history(workdir, location)
    run(workdir, "tag", "v3")
    before = {args: run(workdir, *args).stdout for args in READ_ONLY}
    run(workdir, "add", "v4.json")
    index = workdir / ".panproto" / "index"
    corrupt_stage(index, how)
    for args in READ_ONLY:
        assert run(workdir, *args).stdout == before[args], args
    # What needs the staged schema says it is damaged, as one error line.
    for args in (("status",), ("diff",), ("diff", "HEAD~1"), ("commit", "-m", "x")):
        assert_error_line(run(workdir, *args, check=False), str(index))
    run(workdir, "add", "v4.json")  # adding again repairs it
    assert "1 change(s) to commit, breaking" in run(workdir, "status").stdout


def test_staged_data_that_no_longer_validates_does_not_break_log_show_or_status(workdir, location):
    (workdir / "p1.json").write_text(person_v1().to_json(), encoding="utf-8")
    records = [person(i) for i in range(1, 12, 2)]
    (workdir / "people.json").write_text(json.dumps([{**r, "extra": None} for r in records]), encoding="utf-8")
    if BACKEND == "sqlite":
        run(workdir, "init", "--protocol", "json-schema")
    else:
        run(workdir, "init", "--protocol", "json-schema", "--store", location.url, "--name", location.name)
    run(workdir, "add", "p1.json")
    run(workdir, "commit", "-m", "people")
    run(workdir, "data", "add", "people", "people.json")
    before = {args: run(workdir, *args).stdout for args in (("log",), ("show",), ("status",), ("status", "--json"))}
    assert json.loads(before[("status", "--json")])["staged_data"] == {"people": len(records)}
    [copy] = [p for p in (workdir / ".panproto" / "data").iterdir() if p.suffix == ".jsonl"]
    copy.write_text('{"name": 7}\n', encoding="utf-8")  # damaged behind panproto's back
    for args, out in before.items():
        assert run(workdir, *args).stdout == out, args
    assert_error_line(run(workdir, "commit", "-m", "x", check=False), "record 0")


def test_diff_and_check_read_refs_at_this_working_copys_checkout(workdir, location):
    run(workdir, *init_args(location))
    for version in ("v1", "v2"):
        run(workdir, "add", f"{version}.json")
        run(workdir, "commit", "-m", version)
    run(workdir, "branch", "feature", "--at", "HEAD~1")
    run(workdir, "checkout", "feature")  # HEAD is now v1, for this working copy only
    same = json.loads(run(workdir, "check", "HEAD", "v1.json", "--json").stdout)
    assert same["changes"] == [] and same["compatibility"] == "fully-compatible"
    assert json.loads(run(workdir, "diff", "--json").stdout)["changes"] == []
    ahead = json.loads(run(workdir, "diff", "HEAD", "main", "--json").stdout)
    assert ahead["changes"] == pp.diff(post_v1(), post_v2()).changes


def test_policy_refuses_a_breaking_commit_until_overridden(workdir, location):
    history(workdir, location)
    assert run(workdir, "policy").stdout.strip() == "no policies"
    out = run(workdir, "policy", "main", "backward").stdout
    assert out.strip() == "Policy for main: BACKWARD"
    run(workdir, "policy", "--repository", "FULL")
    shown = run(workdir, "policy", "dev").stdout  # a branch without its own
    assert shown.startswith("branch dev: FULL (the repository's), set by tester")
    listed = json.loads(run(workdir, "policy", "--json").stdout)
    assert [(p["scope"], p["mode"]) for p in listed] == [("repository", "FULL"), ("branch", "BACKWARD")]
    run(workdir, "add", "v4.json")  # createdAt required: breaks backward
    refused = run(workdir, "commit", "-m", "v4", check=False)
    assert refused.returncode == EXIT_ERROR, refused.stdout + refused.stderr
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("error: the commit breaks the BACKWARD policy")
    assert "the stage is kept" in refused.stderr
    assert "post.createdAt" in refused.stderr and "--allow-breaking" in refused.stderr
    assert "Traceback" not in refused.stderr
    # The candidate, checked against the branch before committing: its policy by default.
    gate = run(workdir, "check", "v4.json", "--against", "main", check=False)
    assert gate.returncode == EXIT_BREAKING and "under BACKWARD" in gate.stdout
    assert run(workdir, "check", "v4.json", "--against", "main", "--mode", "FORWARD").returncode == 0
    data = json.loads(run(workdir, "check", "v4.json", "--against", "main", "--json", check=False).stdout)
    assert data["compatible"] is False and data["violations"][0]["path"] == "post.createdAt"
    run(workdir, "commit", "-m", "v4", "--allow-breaking", "clients upgraded")
    assert "Allowed breaking: clients upgraded" in run(workdir, "log", "-n", "1").stdout
    assert json.loads(run(workdir, "log", "-n", "1", "--json").stdout)[0]["allow_breaking"] == "clients upgraded"
    assert run(workdir, "policy", "main", "--clear").stdout.startswith("Cleared policy for main")
    bad = run(workdir, "policy", "main", "SIDEWAYS", check=False)
    assert bad.returncode == EXIT_ERROR and "FULL_TRANSITIVE" in bad.stderr


def test_log_graph_draws_branches_merges_tags_and_verdicts(workdir: Path, location: Location):
    run(workdir, *init_args(location))
    run(workdir, "add", "v1.json")
    run(workdir, "commit", "-m", "v1")
    run(workdir, "branch", "feature")
    run(workdir, "add", "v2.json")
    run(workdir, "commit", "-m", "v2 on main")
    run(workdir, "checkout", "feature")
    (workdir / "people.jsonl").write_text('{"text": "hi"}\n', encoding="utf-8")
    run(workdir, "data", "add", "posts", "people.jsonl", "--root", "post")
    run(workdir, "commit", "-m", "data on feature")
    run(workdir, "checkout", "main")
    run(workdir, "merge", "feature", "-m", "merge feature")
    run(workdir, "tag", "v1.0", "HEAD~1")
    lines = run(workdir, "log", "--graph").stdout.splitlines()
    assert len(lines) == 6, lines
    assert lines[0].startswith("* ") and "(HEAD -> main)" in lines[0] and "merge feature" in lines[0], lines
    assert lines[1] == "|\\"
    # The two branches' commits, one on each lane (their order is their
    # times', which a test made in one second does not fix).
    middle = {line[:3]: line for line in lines[2:4]}
    assert set(middle) == {"| *", "* |"}, lines
    assert "(feature)" in middle["| *"] and "data on feature" in middle["| *"], lines
    assert "(tag: v1.0)" in middle["* |"] and " + " in middle["* |"], "v2 is backward-compatible, tagged"
    assert lines[4] == "|/"
    assert lines[5].startswith("* ") and lines[5].endswith(" v1"), lines
    data = json.loads(run(workdir, "log", "--graph", "--json").stdout)
    assert [d["graph"] for d in data][:2] == ["*", "|\\"] and [d["graph"] for d in data][4:] == ["|/", "*"]
    assert len(run(workdir, "log", "--graph", "-n", "2").stdout.splitlines()) == 3
