"""Integrity: ``Repository.verify`` / ``panproto fsck`` on a real
SQLite file and a real PostgreSQL database, damaged behind the store's back,
and a committer killed with SIGKILL mid-commit."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pickle
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from typing import Any

import psycopg

import panproto as pp
from conftest import BACKEND, Location
from schemas import post_v1, post_v2, post_v3

EXIT_PROBLEMS = 1


def sql(location: Location, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Runs one statement on the store's database, outside panproto. Write
    it for SQLite (``?`` placeholders, unprefixed tables); PostgreSQL's
    tables carry the ``panproto_`` prefix."""
    if BACKEND == "sqlite":
        # Python's sqlite3 is a second SQLite library in this process. When
        # its last connection closes it checkpoints and removes the WAL and
        # its shared-memory index, which the other library (panproto's, in
        # the `repo` fixture) still maps: that handle then reads a stale
        # view. So the damage is read through a handle opened afterwards
        # (`reopened`), and the connection is closed here, not at garbage
        # collection.
        with contextlib.closing(sqlite3.connect(location.url)) as conn, conn:
            return conn.execute(statement, params).fetchall()
    for table in ("objects", "refs", "repositories"):
        statement = statement.replace(f" {table} ", f" panproto_{table} ")
    with psycopg.connect(location.url, autocommit=True) as conn:
        cursor = conn.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


REPO = "(SELECT id FROM repositories WHERE name = ?)"


def reopened(location: Location) -> pp.Repository:
    """A new handle on the store, which reads what `sql` changed (see there)."""
    return pp.Repository.open(location.url, name=location.name)


def three_commits(repo: pp.Repository) -> list[pp.Commit]:
    for i, schema in enumerate((post_v1(), post_v2(), post_v3())):
        repo.add(schema)
        repo.commit(f"v{i + 1}", "alice")
    repo.tag("v1", "HEAD~2", message="first", tagger="carol")
    return list(reversed(repo.log()))


def test_a_healthy_repository_verifies_clean(repo):
    empty = repo.verify()
    assert (empty.ok, empty.objects, empty.refs, empty.problems) == (True, 0, 1, [])
    assert bool(empty) and repr(empty) == "VerifyReport(ok=True, objects=0, refs=1, problems=0)"
    three_commits(repo)
    report = repo.verify()
    # 3 schemas, 3 commits, 2 migrations, 1 tag object; HEAD, main, v1.
    assert report.to_dict() == {"ok": True, "objects": 9, "refs": 3, "problems": []}
    assert pickle.loads(pickle.dumps(report)) == report


def test_damaged_rows_are_reported_not_raised(repo, location, tmp_path):
    c1, c2, c3 = three_commits(repo)
    # A schema's JSON with a space appended: it still reads; only its hash tells.
    schema_id = bytes.fromhex(c1.schema_id)
    [(data,)] = sql(location, f"SELECT data FROM objects WHERE repo = {REPO} AND id = ?", (location.name, schema_id))
    sql(
        location,
        f"UPDATE objects SET data = ? WHERE repo = {REPO} AND id = ?",
        (bytes(data) + b" ", location.name, schema_id),
    )
    assert c3.migration is not None
    sql(location, f"DELETE FROM objects WHERE repo = {REPO} AND id = ?", (location.name, bytes.fromhex(c3.migration)))
    sql(
        location,
        f"UPDATE objects SET data = ? WHERE repo = {REPO} AND id = ?",
        (b"\x07garbage", location.name, bytes.fromhex(c2.id)),
    )
    with reopened(location) as fresh:
        report = fresh.verify()
    assert not report.ok and not report
    again = pickle.loads(pickle.dumps(report))
    assert again == report and again.problems == report.problems
    found = sorted((p["kind"], p["object"]) for p in report.problems)
    assert found == sorted(
        [
            ("hash-mismatch", c1.schema_id),
            ("missing-object", c3.id),
            ("corrupt-object", c2.id),
            # c3's first parent is the garbage row: present, but unreadable.
        ]
    ), report.problems
    missing = next(p for p in report.problems if p["kind"] == "missing-object")
    assert "migration" in missing["message"] and c3.migration[:12] in missing["message"]
    corrupt = next(p for p in report.problems if p["kind"] == "corrupt-object")
    assert "unknown codec 7" in corrupt["message"]
    assert report.objects == 8

    # A ref moved onto a schema, and one onto nothing.
    sql(
        location,
        f"UPDATE refs SET target = ? WHERE repo = {REPO} AND name = 'refs/heads/main'",
        (bytes.fromhex(c3.schema_id), location.name),
    )
    sql(
        location,
        f"INSERT INTO refs (repo, name, target) VALUES ({REPO}, 'refs/heads/lost', ?)",
        (location.name, bytes(32)),
    )
    with reopened(location) as fresh:
        problems = {p["object"]: p for p in fresh.verify().problems if p["kind"] == "bad-ref"}
    assert set(problems) == {"refs/heads/main", "refs/heads/lost"}
    assert "a schema, not a commit" in problems["refs/heads/main"]["message"]
    assert "does not exist" in problems["refs/heads/lost"]["message"]

    # `panproto fsck` says the same and exits 1.
    (tmp_path / ".panproto").mkdir()
    (tmp_path / ".panproto" / "config").write_text(
        f"[repository]\nstore = {location.url}\nname = {location.name}\n", encoding="utf-8"
    )
    cli = [sys.executable, "-m", "panproto", "fsck"]
    out = subprocess.run([*cli, "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == EXIT_PROBLEMS, out.stderr
    document = json.loads(out.stdout)
    assert document["ok"] is False and len(document["problems"]) == 5
    text = subprocess.run(cli, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert text.returncode == EXIT_PROBLEMS
    assert "hash-mismatch" in text.stdout and "5 problems" in text.stdout


# --------------------------------------------------------------------------
# SIGKILL mid-commit

COMMITTER = textwrap.dedent(
    """
    import json, sys
    import panproto as pp

    url, name, vertices = sys.argv[1], sys.argv[2], int(sys.argv[3])

    def schema(extra):
        # A large schema as JSON (building it call by call would dominate).
        spec = {"protocol": "atproto",
                "vertices": [{"id": "post", "kind": "record", "nsid": "app.x.post"},
                             {"id": "post:body", "kind": "object"}],
                "edges": [{"src": "post", "tgt": "post:body", "kind": "record-schema"}]}
        for i in range(vertices + extra):
            spec["vertices"].append({"id": f"f{i}", "kind": "string"})
            spec["edges"].append({"src": "post:body", "tgt": f"f{i}", "kind": "prop", "name": f"f{i}"})
        return pp.Schema.from_json(json.dumps(spec))

    repo = pp.Repository.open(url, name=name)
    extra = len(repo.log())
    print("ready", extra, flush=True)
    while True:
        repo.add(schema(extra))
        repo.commit(f"commit {extra}", "killer")
        extra += 1
        print("committed", extra, flush=True)
    """
)


def test_sigkill_mid_commit_leaves_a_clean_store(location, tmp_path):
    location.init().close()
    script = tmp_path / "committer.py"
    script.write_text(COMMITTER, encoding="utf-8")
    rng = random.Random(os.getpid())
    committed = 0
    for round_ in range(6):
        child = subprocess.Popen(
            [sys.executable, str(script), location.url, location.name, "4000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        try:
            ready = child.stdout.readline().split()
            assert ready[:1] == ["ready"], child.stderr.read() if child.stderr else ready
            assert int(ready[1]) >= committed
            # Let it commit for a random while (or none), then kill it mid-flight.
            seen = [child.stdout.readline() for _ in range(rng.randint(0, 3))]
            time.sleep(rng.uniform(0, 0.03))
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            out, err = child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL, err
        lines = [*seen, *out.splitlines()]
        reported = [int(line.split()[1]) for line in lines if line.startswith("committed")]
        acknowledged = max([int(ready[1]), *reported])
        with location.open() as repo:
            report = repo.verify()
            assert report.ok, (round_, report.problems)
            history = repo.log()
            # The branch is at the last acknowledged commit, or at the one
            # whose acknowledgement the kill cut off: never before, never torn.
            assert len(history) in (acknowledged, acknowledged + 1), (round_, len(history), acknowledged)
            for newer, older in itertools.pairwise(history):
                assert newer.parents == [older.id]
            if history:
                assert history[-1].parents == []
                head = repo.schema_at("HEAD")
                assert len(head.vertices) == 2 + 4000 + len(history) - 1
            committed = len(history)
