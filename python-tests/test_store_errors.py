"""Stores that cannot be used: each is a clear StoreError, never a crash."""

from __future__ import annotations

import os
import sqlite3

import psycopg
import pytest

import panproto as pp


@pytest.mark.backend("sqlite")
def test_random_bytes_are_not_a_store(tmp_path):
    path = tmp_path / "noise.db"
    path.write_bytes(os.urandom(4096))
    for attempt in (lambda: pp.Repository.open(path), lambda: pp.Repository.init(path)):
        with pytest.raises(pp.StoreError) as info:
            attempt()
        assert info.value.backend == "sqlite"
        assert str(path) in str(info.value)
        assert isinstance(info.value, pp.VcsError)


@pytest.mark.backend("sqlite")
def test_another_apps_sqlite_database_is_not_a_store(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        db.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    db.close()
    with pytest.raises(pp.StoreError) as info:
        pp.Repository.open(path)
    assert info.value.backend == "sqlite"
    assert "panproto" in str(info.value)
    with sqlite3.connect(path) as db:  # and it was left alone
        assert db.execute("SELECT email FROM users").fetchall() == [("a@example.com",)]
    db.close()


@pytest.mark.backend("sqlite")
def test_a_store_of_a_newer_format_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    with pp.Repository.init(path):
        pass
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'format'")
    db.close()
    with pytest.raises(pp.StoreError) as info:
        pp.Repository.open(path)
    message = str(info.value)
    assert "newer" in message and "upgrade" in message
    assert info.value.backend == "sqlite"


@pytest.mark.backend("postgres")
def test_unreachable_postgres_names_the_host():
    with pytest.raises(pp.StoreError) as info:
        pp.Repository.open("postgresql://postgres@127.0.0.1:1/x")
    assert "127.0.0.1" in str(info.value)
    assert info.value.backend == "postgres"


@pytest.mark.backend("postgres")
def test_a_non_postgres_location_is_a_store_error():
    with pytest.raises(pp.StoreError):
        pp.Repository.open("/tmp/not-a-url.db")


@pytest.mark.backend("postgres")
def test_a_postgres_store_of_a_newer_format_is_refused(scratch_database):
    with pp.Repository.init(scratch_database, name="r"):
        pass
    with psycopg.connect(scratch_database, autocommit=True) as db:
        db.execute("UPDATE panproto_meta SET value = '999' WHERE key = 'format'")
    with pytest.raises(pp.StoreError) as info:
        pp.Repository.open(scratch_database, name="r")
    message = str(info.value)
    assert "newer" in message and "upgrade" in message
    assert info.value.backend == "postgres"
