"""The README's ```python blocks run, in order, in a fresh directory.

Blocks tagged ```python no-run are skipped. The examples keep their history
in the SQLite file "history.db"; on the PostgreSQL backend the test points
that literal at a scratch database instead (the store format and the
repository names are per database, so the examples' default names are safe).
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from conftest import BACKEND, ROOT

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[int, str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        info = match.group(1).split()
        if info[:1] == ["python"]:
            line = text.count("\n", 0, match.start()) + 1
            blocks.append((line, " ".join(info[1:]), match.group(2)))
    return blocks


def test_the_readme_has_runnable_examples():
    runnable = [b for b in python_blocks() if b[1] != "no-run"]
    assert len(runnable) >= 8


@pytest.fixture
def store(request: pytest.FixtureRequest) -> str:
    """Where the examples keep their history: "history.db", or on the
    PostgreSQL backend a scratch database."""
    if BACKEND == "sqlite":
        return "history.db"
    url: str = request.getfixturevalue("scratch_database")
    return url


def test_readme_python_blocks_run(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    ran = 0
    for line, tags, code in python_blocks():
        if tags == "no-run":
            continue
        source = code.replace('"history.db"', repr(store))
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(source, f"README.md:{line}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"README.md block at line {line} failed: {type(exc).__name__}: {exc}\n{code}")
        assert out.getvalue() or "assert" in code, f"README.md block at line {line} shows nothing"
        ran += 1
    assert ran >= 8
