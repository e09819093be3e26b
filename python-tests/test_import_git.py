"""Importing a schema's history from git, through the wheel and the CLI, on
histories made here with the real ``git`` (the import reads them without
it), and on a real file's history rebuilt from the corpus.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest

import panproto as pp
from conftest import ROOT, Location
from test_cli import PANPROTO, init_args, run

CORPUS = ROOT.parent / "shared" / "corpus"


class Git:
    """A git repository of the test's own, with a fixed identity and clock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = 1_700_000_000
        path.mkdir(parents=True, exist_ok=True)
        self("init", "-q", "-b", "main")

    def __call__(self, *args: str) -> str:
        date = f"@{self.clock} +0000"
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Grace Hopper",
            "GIT_AUTHOR_EMAIL": "grace@example.com",
            "GIT_COMMITTER_NAME": "Grace Hopper",
            "GIT_COMMITTER_EMAIL": "grace@example.com",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.path),
        }
        out = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def commit(self, files: dict[str, str], message: str) -> str:
        for name, text in files.items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(text, encoding="utf-8")
        self.clock += 60
        self("add", "-A")
        self("commit", "-q", "-m", message)
        return self("rev-parse", "HEAD")


def person(*names: str) -> str:
    return json.dumps({"type": "object", "properties": {n: {"type": "string"} for n in names}})


@pytest.fixture
def history(tmp_path: Path) -> tuple[Git, list[str]]:
    git = Git(tmp_path / "upstream")
    ids = [
        git.commit({"schemas/person.json": person("name")}, "person: name"),
        git.commit({"README.md": "docs\n"}, "docs only"),
        git.commit({"schemas/person.json": person("name", "email")}, "person: email"),
        git.commit({"schemas/person.json": '{"type": "object", "properties": '}, "truncated by mistake"),
        git.commit({"schemas/person.json": person("email")}, "person: drop name"),
    ]
    return git, ids


def test_import_git_through_the_api(location: Location, history):
    git, ids = history
    seen: list[tuple[int, int]] = []
    with location.init("json-schema") as repo:
        report = repo.import_git(git.path, ["schemas/person.json"], progress=lambda d, t: seen.append((d, t)))
        assert report["considered"] == 5
        assert [i["git"] for i in report["imported"]] == [ids[0], ids[2], ids[4]]
        assert report["already"] == 0
        [skipped] = report["skipped"]
        assert skipped["git"] == ids[3] and skipped["summary"] == "truncated by mistake"
        assert "schemas/person.json:1:" in skipped["reason"]
        assert seen[-1] == (5, 5)
        log = repo.log()
        assert [c.origin for c in log] == [f"git:{ids[4]}", f"git:{ids[2]}", f"git:{ids[0]}"]
        assert [c.message for c in log] == ["person: drop name", "person: email", "person: name"]
        assert {c.author for c in log} == {"Grace Hopper <grace@example.com>"}
        assert [c.timestamp for c in log] == [1_700_000_300, 1_700_000_180, 1_700_000_060]
        assert log[0].compatibility == "breaking"
        assert report["tip"] == repo.head
        assert log[0].to_dict()["origin"] == f"git:{ids[4]}"
        # Importing again brings nothing new; a new git commit, only it.
        again = repo.import_git(git.path, ["schemas/person.json"])
        assert (again["imported"], again["already"]) == ([], 3)
        new = git.commit({"schemas/person.json": person("email", "phone")}, "person: phone")
        more = repo.import_git(git.path, ["schemas/person.json"], ref="main")
        assert [i["git"] for i in more["imported"]] == [new]
        # A progress callback that raises: the import ends, then it is raised.
        with pytest.raises(ZeroDivisionError):
            repo.import_git(git.path, ["schemas/person.json"], progress=lambda d, t: 1 / 0)


def test_import_git_errors_are_typed(location: Location, tmp_path: Path, history):
    git, _ = history
    with location.init("json-schema") as repo:
        with pytest.raises(pp.NotFoundError, match="git repository"):
            repo.import_git(tmp_path / "nowhere", ["schemas/person.json"])
        with pytest.raises(pp.NotFoundError, match="no-such-ref"):
            repo.import_git(git.path, ["schemas/person.json"], ref="no-such-ref")
        with pytest.raises(pp.VcsError, match=r"no commit of HEAD holds other\.json"):
            repo.import_git(git.path, ["other.json"])
        with pytest.raises(ValueError, match="unknown format"):
            repo.import_git(git.path, ["schemas/person.json"], format="sometimes")
        assert repo.log() == []  # nothing half-written


def test_cli_import_git(tmp_path: Path, location: Location, history):
    git, ids = history
    work = tmp_path / "work"
    work.mkdir()
    run(work, *init_args(location), "--format", "json-schema")
    out = run(work, "import-git", str(git.path), "schemas/person.json")
    assert "imported 3 commits from 5 git commits (0 imported before, 1 skipped)" in out.stdout
    assert f"skipped {ids[3][:12]} truncated by mistake" in out.stdout
    assert "\r" not in out.stderr  # no progress when stderr is not a terminal
    shown = run(work, "log")
    assert f"Origin: git:{ids[4]}" in shown.stdout
    again = json.loads(run(work, "import-git", str(git.path), "schemas/person.json", "--json").stdout)
    assert again["already"] == 3 and again["imported"] == []


def test_a_real_files_history_rebuilt_from_the_corpus(location: Location, tmp_path: Path):
    """The corpus's Avro schemas, committed one after another as versions of
    one file, as a project that replaced its schema over time would have."""
    files = sorted(p for p in (CORPUS / "avro").rglob("*.avsc") if p.is_file())[:6]
    assert files, "the corpus holds Avro schemas"
    git = Git(tmp_path / "avro-history")
    ids = [git.commit({"schema.avsc": f.read_text(encoding="utf-8")}, f"schema from {f.name}") for f in files]
    with location.init("avro") as repo:
        report = repo.import_git(git.path, ["schema.avsc"], format="avro")
    versions = {i["git"] for i in report["imported"]}
    skipped = {s["git"] for s in report["skipped"]}
    assert versions | skipped <= set(ids)
    assert versions, report["skipped"]
    for s in report["skipped"]:
        assert "schema.avsc" in s["reason"]


def test_progress_shows_on_a_terminal_only(tmp_path: Path, location: Location, history):
    """On a terminal's stderr, import-git draws done/total with a rate;
    with --json, or when stderr is not a terminal, nothing."""
    import pty  # noqa: PLC0415  (POSIX only, like the CLI's progress)

    git, _ = history
    work = tmp_path / "work"
    work.mkdir()
    run(work, *init_args(location), "--format", "json-schema")

    def on_a_terminal(*args: str) -> str:
        leader, follower = pty.openpty()
        env = {**os.environ, "PANPROTO_AUTHOR": "tester <t@example.com>"}
        done = subprocess.run(
            [str(PANPROTO), *args], cwd=work, stdout=subprocess.PIPE, stderr=follower, env=env, timeout=60, check=True
        )
        os.close(follower)
        seen = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(leader, 65536):
                seen += chunk
        os.close(leader)
        assert done.returncode == 0
        return seen.decode()

    shown = on_a_terminal("import-git", str(git.path), "schemas/person.json")
    assert "import-git: 5/5 git commits" in shown, repr(shown)
    assert on_a_terminal("import-git", str(git.path), "schemas/person.json", "--json") == ""
