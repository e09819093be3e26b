"""``report --html``: one self-contained page of the history, checked in a
real browser (Debian's headless Chromium, which ``cargo tasks test``
installs): the graph, the badges and the chart are drawn, the page raises
no error, and a screenshot is kept in ``target/test-results/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import panproto as pp
from conftest import BACKEND, ROOT, Location
from test_cli import init_args, run
from test_import_git import person

RESULTS = ROOT / "target" / "test-results"


def schema(*names: str) -> pp.Schema:
    return pp.parse(person(*names), "json-schema")


@pytest.fixture
def history(location: Location):
    """Six commits: a breaking one, a branch merged back, a tag and a dataset."""
    with location.init("json-schema") as repo:
        repo.add(schema("name"))
        repo.commit("name", "ada", timestamp=1_700_000_000)
        repo.add(schema("name", "email"))
        repo.commit("email", "ada", timestamp=1_700_000_100)
        repo.add_data("people", [{"name": "Ada", "email": "ada@example.com"}])
        repo.commit("people", "ada", timestamp=1_700_000_150)
        repo.create_branch("feature")
        repo.checkout("feature")
        repo.add(schema("name", "email", "phone"))
        repo.commit("phone", "bob", timestamp=1_700_000_200)
        repo.checkout("main")
        repo.add(schema("email"))
        repo.commit("drop name", "ada", timestamp=1_700_000_300)
        repo.merge("feature", "ada", timestamp=1_700_000_400, strategy="ours")
        repo.tag("v1", "HEAD")
        yield repo


def chromium() -> str | None:
    found = shutil.which(os.environ.get("PANPROTO_CHROMIUM", "chromium"))
    if found is None and os.environ.get("PANPROTO_REQUIRE_CHROMIUM") == "1":
        pytest.fail("PANPROTO_REQUIRE_CHROMIUM=1 but chromium is not installed")
    return found


def browse(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    browser = chromium()
    if browser is None:
        pytest.skip("chromium is not installed (cargo tasks test installs it)")
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_the_page_holds_everything_it_shows(history, tmp_path: Path):
    page = tmp_path / "history.html"
    history.report_html(page)
    html = page.read_text(encoding="utf-8")
    # Self-contained: nothing to fetch.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    for text in ["drop name", "phone", "feature", "v1", "people", "breaking"]:
        assert text in html, text
    assert not (tmp_path / "history.html.tmp").exists()
    history.report_html(tmp_path / "two.html", limit=2)
    assert (tmp_path / "two.html").read_text(encoding="utf-8").count('"glyphs":') == 2
    with pytest.raises(OSError):
        history.report_html(tmp_path / "no-such-dir" / "x.html")


def test_the_page_renders_in_chromium(history, tmp_path: Path):
    page = tmp_path / "history.html"
    history.report_html(page)
    commits = len(history.graph())
    dom = browse(page, "--dump-dom", "--virtual-time-budget=5000")
    assert 'data-rendered="graph badges chart"' in dom.stdout
    # The page's own clock, which the benchmark reads.
    assert re.search(r'data-rendered-ms="\d+"', dom.stdout), dom.stdout[:2000]
    assert "data-errors" not in dom.stdout, dom.stdout[:2000]
    assert "Uncaught" not in dom.stderr, dom.stderr
    rows = re.findall(r'class="row" data-id="[0-9a-f]{64}"', dom.stdout)
    badges = re.findall(r'class="badge verdict-(fully-compatible|backward-compatible|breaking)"', dom.stdout)
    assert len(rows) == len(badges) >= 6
    assert "verdict-breaking" in dom.stdout  # "drop name"
    assert re.search(rf'<polyline points="[^"]+" [^>]*data-points="{len(rows)}"', dom.stdout)
    assert 'class="ref"' in dom.stdout and 'class="ref tag"' in dom.stdout
    assert commits >= len(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shot = RESULTS / f"report-{BACKEND}.png"
    browse(page, f"--screenshot={shot}", "--window-size=1280,900", "--virtual-time-budget=5000")
    assert shot.stat().st_size > 5_000


def test_cli_report(tmp_path: Path, location: Location):
    work = tmp_path / "work"
    work.mkdir()
    (work / "v1.json").write_text(person("name"), encoding="utf-8")
    run(work, *init_args(location), "--format", "json-schema")
    run(work, "add", "v1.json")
    run(work, "commit", "-m", "first")
    out = run(work, "report", "--html", "out.html")
    assert "wrote out.html" in out.stdout
    assert "first" in (work / "out.html").read_text(encoding="utf-8")
