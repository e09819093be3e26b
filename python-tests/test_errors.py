"""The exception hierarchy: defined once in panproto.errors, raised natively."""

from __future__ import annotations

import pickle

import pytest

import panproto as pp
from panproto import errors

TREE = {
    "PanprotoError": Exception,
    "SchemaValidationError": errors.PanprotoError,
    "ParseError": errors.PanprotoError,
    "MigrationError": errors.PanprotoError,
    "ExistenceCheckError": errors.PanprotoError,
    "LensError": errors.PanprotoError,
    "GatError": errors.PanprotoError,
    "VcsError": errors.PanprotoError,
    "ConflictError": errors.VcsError,
    "NotFoundError": errors.VcsError,
    "StoreError": errors.VcsError,
    "DataValidationError": errors.VcsError,
}


@pytest.mark.parametrize(("name", "parent"), TREE.items())
def test_hierarchy(name, parent):
    cls = getattr(errors, name)
    assert cls.__bases__ == (parent,)
    assert getattr(pp, name) is cls  # the dispatcher re-exports the very class
    assert cls.__doc__ and "PanprotoError" in cls.__doc__  # docstrings draw the tree


EXAMPLES = [
    errors.PanprotoError("boom"),
    errors.SchemaValidationError("2 errors", errors=("a [x]", "b [y]")),
    errors.ParseError("a.proto:3:7: expected ';'", file="a.proto", line=3, column=7, kind="syntax"),
    errors.MigrationError("m"),
    errors.MigrationError("2 problems", errors=('vertex "x": no such vertex [well-formedness]', "y [simultaneity]")),
    errors.ExistenceCheckError("e"),
    errors.LensError("l"),
    errors.GatError("g"),
    errors.VcsError("nothing to commit"),
    errors.ConflictError("moved", ref="refs/heads/main", expected="aa", actual="bb"),
    errors.NotFoundError("no such repository"),
    errors.StoreError("db is locked", backend="sqlite", code="5"),
    errors.DataValidationError("record 7 does not fit", dataset="people", index=7, path="person.age"),
]


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_errors_pickle_with_their_attributes(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.message == error.message
    assert vars(again) == vars(error)
    assert repr(again) == repr(error)


def test_constructors_take_keyword_attributes_as_the_native_modules_pass_them():
    e = errors.SchemaValidationError("bad", errors=["one", "two"])
    assert e.errors == ("one", "two")
    assert errors.SchemaValidationError("bad").errors == ()
    m = errors.MigrationError("bad", errors=["one [well-formedness]"])
    assert m.errors == ("one [well-formedness]",)
    assert errors.MigrationError("bad").errors == ()
    assert repr(m) == "MigrationError('bad', errors=('one [well-formedness]',))"
    c = errors.ConflictError("moved", ref="r", expected=None, actual="x")
    assert (c.ref, c.expected, c.actual) == ("r", None, "x")
    s = errors.StoreError("down", backend="postgres", code="08001")
    assert (s.backend, s.code) == ("postgres", "08001")
    assert errors.StoreError("x").backend is None
    with pytest.raises(TypeError):
        errors.ConflictError("moved", "r")  # attributes are keyword-only


def test_reprs_show_message_and_attributes():
    assert repr(errors.VcsError("nope")) == "VcsError('nope')"
    assert repr(errors.ConflictError("m", ref="r", expected="e", actual="a")) == (
        "ConflictError('m', ref='r', expected='e', actual='a')"
    )
    assert repr(errors.StoreError("m", backend="sqlite", code=None)) == "StoreError('m', backend='sqlite', code=None)"


def test_extra_state_survives_pickling():
    error = errors.StoreError("m", backend="sqlite")
    error.add_note("while opening")
    again = pickle.loads(pickle.dumps(error))
    assert again.__notes__ == ["while opening"]


def test_native_errors_are_the_dispatcher_classes_and_pickle(tmp_path):
    with pytest.raises(pp.SchemaValidationError) as info:
        pp.protocol("atproto").schema().vertex("a", "nope").vertex("a", "object").build()
    error = info.value
    assert type(error) is errors.SchemaValidationError
    assert len(error.errors) >= 2
    again = pickle.loads(pickle.dumps(error))
    assert again.errors == error.errors and str(again) == str(error)
    assert repr(error).startswith("SchemaValidationError(")


def test_native_store_error_carries_backend(tmp_path):
    location = "postgresql://postgres@127.0.0.1:1/x" if pp.__backend__ == "postgres" else str(tmp_path / "junk")
    if pp.__backend__ == "sqlite":
        (tmp_path / "junk").write_bytes(b"not a database at all" * 100)
    with pytest.raises(pp.StoreError) as info:
        pp.Repository.open(location)
    assert type(info.value) is errors.StoreError
    assert info.value.backend == pp.__backend__
    again = pickle.loads(pickle.dumps(info.value))
    assert (again.backend, again.code, str(again)) == (info.value.backend, info.value.code, str(info.value))
