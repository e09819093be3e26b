"""Users of `import panproto` get the typed API under mypy --strict."""

from __future__ import annotations

import subprocess
import sys
import textwrap

GOOD = """
from collections.abc import Iterator
from typing import Any

import panproto as pp
from panproto.types import (
    Change,
    Classification,
    ClassifiedChange,
    CommitData,
    Compatibility,
    ExistenceIssue,
    MigrationSpec,
    RecordViolation,
    ShowResult,
)

proto: pp.Protocol = pp.protocol("atproto")
schema: pp.Schema = proto.schema().vertex("a", "object", {"nsid": "x.y"}).build()
report: pp.DiffReport = pp.diff(schema, schema)
changes: list[Change] = report.changes
kind: str = changes[0]["kind"] if changes else "none"
first: Change = report[0]
verdict: Compatibility = report.compatibility
breaking: list[ClassifiedChange] = report.breaking
reason: str = breaking[0]["reason"] if breaking else ""
classified: Classification = pp.classify(report, "atproto")
violations: list[RecordViolation] = schema.validate_record({"x": 1}, "a")
builder: pp.MigrationBuilder = pp.migration(schema, schema).map("a", "a")
spec: MigrationSpec = builder.spec()
issues: list[ExistenceIssue] = pp.check_existence(schema, schema, builder).errors
migration: pp.CompiledMigration = builder.compile()
chain: pp.ProtolensChain = pp.rename("a", "b").compose(pp.in_("c", pp.wrap("d")))
lens: pp.Lens = chain.compile()
theory: pp.Theory = pp.create_theory({"name": "T", "sorts": [{"name": "S"}]})
glued: pp.Theory = pp.colimit_theories(theory, theory, theory, name="T2")
mapped: dict[str, Any] = pp.check_morphism({}, theory, glued)
protocol_theory: pp.Theory = pp.protocol("atproto").instance_theory
lens_view, lens_complement = lens.get({"a": 1})
kept: pp.Complement = lens_complement
optic: str = chain.optic
sync: pp.SymmetricLens = pp.SymmetricLensHandle.of(lens)
lifted: Any = migration.lift({})
stream: Iterator[Any] = migration.lift_many(iter([{}, {}]))
view, complement = migration.get({})
complement_bytes: bytes = complement
back: pp.CompiledMigration = pp.invert(pp.compose(migration, migration))
with pp.Repository.init("x.db") as repo:
    staged: pp.DiffReport = repo.add(schema)
    commit_id: str = repo.commit("m", "a")
    head: str | None = repo.status().head
    data: CommitData = repo.log(1)[0].to_dict()
    shown: ShowResult = repo.show("HEAD")
    shown_commit: pp.Commit = shown["commit"]
    between: pp.DiffReport = repo.diff("HEAD", "main")
    recorded: pp.CompiledMigration | pp.Lens | None = repo.migration()
    with_lens: pp.DiffReport = repo.add(schema, lens=chain, root=None)
    evolved: pp.DiffReport = repo.evolve(lens)
    staged_lens: pp.ProtolensChain | None = repo.staged_lens()
    shown_lens: pp.ProtolensChain | None = shown["lens"]
    status_verdict: Compatibility | None = repo.status().compatibility
try:
    pp.Schema.from_json("{}")
except pp.SchemaValidationError as exc:
    problems: tuple[str, ...] = exc.errors
except pp.MigrationError as failed:
    migration_problems: tuple[str, ...] = failed.errors
except pp.ConflictError as conflict:
    ref: str | None = conflict.ref
version: str = pp.__version__
backends: list[str] = pp.available_backends()
with pp.Panproto.load() as engine:  # the seed's forms, pure Python, typed like the rest
    seed_proto: pp.Protocol = engine.protocol("atproto")
    seed_report: pp.DiffReport = engine.diff(schema, schema)
with pp.vcs_init("atproto", "seed.db") as seed_repo:
    seed_staged: pp.DiffReport = pp.vcs_add(seed_repo, schema)
    seed_commit: str = pp.vcs_commit(seed_repo, "m", "a")
    seed_log: list[pp.Commit] = pp.vcs_log(seed_repo, count=10)
    seed_status: pp.Status = pp.vcs_status(seed_repo)
reopened: pp.Repository = pp.vcs_open("seed.db")
"""

BAD = """
import panproto as pp

pp.protocol(42)
count: int = pp.protocol("sql").name
pp.Repository.init("x.db").commit("m")
schema = pp.protocol("sql").schema().build()
changes: list[dict[str, str]] = pp.diff(schema, schema)
pp.migration(schema, schema).compile().put({}, "not bytes")
pp.vcs_commit(pp.vcs_open("x.db"), "m")
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
    assert '(expression has type "DiffReport", variable has type "list[dict[str, str]]")' in result.stdout
    assert 'Argument 2 to "put" of "CompiledMigration" has incompatible type "str"' in result.stdout
    assert 'Missing positional argument "author" in call to "vcs_commit"' in result.stdout
