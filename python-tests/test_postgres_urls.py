"""A PostgreSQL URL as a team writes it, through the installed wheel and CLI:
a password never shows (repr, location, errors, ``status``, ``log``,
``.panproto/config``, ``repo`` output), libpq's variables fill in what the
URL leaves out, and the URL's own settings are checked.

TLS modes, password files and PgBouncer are tested against a cluster of the
tests' own in the Rust store tests (``tests/stores/postgres``); the test
server here trusts every local connection, so any password is accepted and
the point is only that it is never shown.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

import panproto as pp
from conftest import Location
from panproto.cli.workcopy import without_password
from schemas import post_v1
from test_cli import run

pytestmark = pytest.mark.backend("postgres")

SECRET = "pa55-w0rd-never-shown"


def with_password(url: str) -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    host = parts.hostname or "127.0.0.1"
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:{SECRET}@{host}{port}"))


def test_the_api_never_shows_the_password(location: Location):
    url = with_password(location.url)
    with pp.Repository.init(url, "atproto", name=location.name) as repo:
        repo.add(post_v1())
        repo.commit("v1", "alice")
        shown = [repr(repo), repo.location, repr(repo.status()), repr(repo.log())]
        shown += [repr(r) for r in pp.list_repositories(url)]
    assert not any(SECRET in s for s in shown), shown
    with pytest.raises(pp.NotFoundError) as missing:
        pp.Repository.open(url, name=f"{location.name}-missing")
    assert SECRET not in str(missing.value)
    bad_database = url.rsplit("/", 1)[0] + "/no_such_database_here"
    with pytest.raises(pp.StoreError) as unavailable:
        pp.Repository.open(bad_database, name=location.name)
    assert unavailable.value.code == "3D000"  # invalid_catalog_name
    assert SECRET not in str(unavailable.value)
    with pytest.raises(pp.StoreError) as bad:
        pp.Repository.open(url + "?lock_timeout=soon", name=location.name)
    assert "lock_timeout" in str(bad.value) and SECRET not in str(bad.value)


def test_the_cli_keeps_and_shows_no_password(tmp_path: Path, location: Location):
    url = with_password(location.url)
    (tmp_path / "v1.json").write_text(post_v1().to_json(), encoding="utf-8")
    out = run(tmp_path, "init", "--store", url, "--name", location.name)
    assert "without its password" in out.stderr
    config = (tmp_path / ".panproto" / "config").read_text()
    assert SECRET not in config and without_password(url) in config
    # The server trusts local connections, so the commands that follow
    # work without the password; none of them shows it.
    outputs = [out.stdout, out.stderr]
    for args in (
        ("add", "v1.json"),
        ("commit", "-m", "v1"),
        ("status",),
        ("log",),
        ("log", "--json"),
        ("repo", "list", "--store", url),
        ("repo", "list", "--store", url, "--json"),
    ):
        done = run(tmp_path, *args)
        outputs += [done.stdout, done.stderr]
    failed = run(tmp_path, "repo", "delete", "nope", "--yes", "--store", url, check=False)
    assert failed.returncode != 0
    outputs += [failed.stdout, failed.stderr]
    assert not any(SECRET in o for o in outputs), [o for o in outputs if SECRET in o]


def test_libpq_variables_fill_in_the_url(tmp_path: Path, location: Location):
    parts = urlsplit(location.url)
    env = {
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "PGDATABASE": parts.path.lstrip("/"),
    }
    out = run(tmp_path, "init", "--store", "postgresql://", "--name", location.name, env=env)
    assert "Initialized empty panproto repository" in out.stdout
    assert env["PGDATABASE"] in out.stdout  # the location, as filled in
    with location.open() as repo:  # the same repository, by the full URL
        assert repo.name == location.name


def test_the_url_settings_are_checked(location: Location):
    for query, named in (
        ("pool_mode=sometimes", "pool_mode"),
        ("pool_mode=statement", "statement"),
        ("sslmode=verify-full&sslrootcert=/no/such/root.crt", "/no/such/root.crt"),
        ("sslmode=sometimes", "sslmode"),
    ):
        with pytest.raises(pp.StoreError) as bad:
            pp.Repository.open(f"{location.url}?{query}", name=location.name)
        assert named in str(bad.value), (query, str(bad.value))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("postgresql://u:pw@h:5432/db", "postgresql://u@h:5432/db"),
        ("postgresql://u@h/db?password=pw&sslmode=require", "postgresql://u@h/db?sslmode=require"),
        ("postgresql://u:p@ss@h/db?password=x#frag", "postgresql://u@h/db#frag"),
        ("postgresql://h/db", "postgresql://h/db"),
        (".panproto/panproto.db", ".panproto/panproto.db"),
    ],
)
def test_without_password(given: str, kept: str):
    assert without_password(given) == kept
