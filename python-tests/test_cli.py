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
from schemas import post_v1, post_v2, post_v3

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
    for name, schema in (("v1.json", post_v1()), ("v2.json", post_v2()), ("v3.json", post_v3())):
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
    assert (workdir / ".panproto" / "index").read_text() == post_v1().to_json()
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
    status = json.loads(run(workdir, "status", "--json").stdout)
    assert status["staged"] == post_v1().id and status["head"] is None and status["branch"] == "main"
    commit = json.loads(run(workdir, "commit", "-m", "v1", "--json").stdout)
    assert commit["message"] == "v1" and commit["schema_id"] == post_v1().id
    assert commit["author"] == "tester <t@example.com>"
    log = json.loads(run(workdir, "log", "--json").stdout)
    assert [c["id"] for c in log] == [commit["id"]]
    status = json.loads(run(workdir, "status", "--json").stdout)
    assert status == {"branch": "main", "head": commit["id"], "staged": None, "changes": []}


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
