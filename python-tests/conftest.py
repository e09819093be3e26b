"""Shared fixtures: the active backend, a fresh store location per test.

The suite runs once per backend, each time in a virtualenv where
``panproto[<backend>]`` was installed from the wheelhouse and
``PANPROTO_BACKEND`` forces it (``cargo tasks test``). PostgreSQL tests take
the server from ``PANPROTO_TEST_POSTGRES_URL``; without it they skip with a
reason, unless ``PANPROTO_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

import panproto as pp

BACKEND = pp.__backend__
POSTGRES_URL = os.environ.get("PANPROTO_TEST_POSTGRES_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("PANPROTO_REQUIRE_POSTGRES", "") == "1"
ROOT = Path(os.environ.get("PANPROTO_ROOT") or Path(__file__).resolve().parent.parent)


def pytest_report_header(config: pytest.Config) -> list[str]:
    postgres = POSTGRES_URL or "unset (PostgreSQL tests skip)"
    if REQUIRE_POSTGRES:
        postgres += ", required"
    return [
        f"panproto backend: {pp.__backend__} (panproto {pp.__version__}, available: {pp.available_backends()})",
        f"PANPROTO_TEST_POSTGRES_URL: {postgres}",
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip) tests marked for another backend."""
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("backend")
        (drop if marker is not None and BACKEND not in marker.args else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def postgres_url() -> str:
    """The test server's URL, or skip / fail when it is not configured."""
    if not POSTGRES_URL:
        message = "PostgreSQL tests need PANPROTO_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        if REQUIRE_POSTGRES:
            pytest.fail(f"PANPROTO_REQUIRE_POSTGRES=1 but {message}")
        pytest.skip(message)
    return POSTGRES_URL


@dataclass(frozen=True)
class Location:
    """Where a test's repository lives: a store location and a repository name."""

    url: str
    name: str

    def init(self, protocol: str | pp.Protocol = "atproto") -> pp.Repository:
        return pp.Repository.init(self.url, protocol, name=self.name)

    def open(self) -> pp.Repository:
        return pp.Repository.open(self.url, name=self.name)


@pytest.fixture
def location(tmp_path: Path) -> Iterator[Location]:
    """A fresh place for one repository: a new SQLite file, or a unique
    repository name in the PostgreSQL test database, deleted after the test
    (so the shared test database does not grow)."""
    if BACKEND == "sqlite":
        yield Location(str(tmp_path / "store.db"), "default")
        return
    place = Location(postgres_url(), f"test-{uuid.uuid4().hex[:16]}")
    yield place
    with contextlib.suppress(pp.NotFoundError):
        pp.delete_repository(place.url, place.name)


@pytest.fixture
def repo(location: Location):
    """A new, empty atproto repository, closed after the test."""
    with location.init() as repository:
        yield repository


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """The URL of a temporary PostgreSQL database, dropped after the test
    (for what is per database, such as the store format)."""
    url = postgres_url()
    name = f"panproto_scratch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
