"""Users of `import panproto` get the typed API under mypy --strict."""

from __future__ import annotations

import subprocess
import sys
import textwrap

GOOD = """
import panproto as pp
from panproto.types import Change, CommitData

proto: pp.Protocol = pp.protocol("atproto")
schema: pp.Schema = proto.schema().vertex("a", "object", {"nsid": "x.y"}).build()
changes: list[Change] = pp.diff(schema, schema)
kind: str = changes[0]["kind"] if changes else "none"
with pp.Repository.init("x.db") as repo:
    repo.add(schema)
    commit_id: str = repo.commit("m", "a")
    head: str | None = repo.status().head
    data: CommitData = repo.log(1)[0].to_dict()
try:
    pp.Schema.from_json("{}")
except pp.SchemaValidationError as exc:
    problems: tuple[str, ...] = exc.errors
except pp.ConflictError as conflict:
    ref: str | None = conflict.ref
version: str = pp.__version__
backends: list[str] = pp.available_backends()
"""

BAD = """
import panproto as pp

pp.protocol(42)
count: int = pp.protocol("sql").name
pp.Repository.init("x.db").commit("m")
"""


def mypy(tmp_path, source: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "user.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )


def test_typed_usage_passes_mypy_strict(tmp_path):
    result = mypy(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mistakes_are_caught_so_the_api_is_not_any(tmp_path):
    result = mypy(tmp_path, BAD)
    assert result.returncode == 1, result.stdout
    assert 'Argument 1 to "protocol" has incompatible type "int"' in result.stdout
    assert 'Incompatible types in assignment (expression has type "str", variable has type "int")' in result.stdout
    assert 'Missing positional argument "author"' in result.stdout
