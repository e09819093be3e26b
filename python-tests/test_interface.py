"""The hand-written copies in the dispatcher, checked against their sources.

- ``panproto/_interface.py`` declares the backend interface as Protocol
  classes; the API stub (``templates/_native.pyi.j2``, rendered into the
  dispatcher as ``panproto/_api.pyi``) documents it. Both are parsed (ast)
  and must declare the same classes, functions, members, member kinds and
  parameter names.
- ``panproto/types.py`` spells the engine's kind lists as ``Literal``s;
  each must equal the engine's own list, ``list_kinds()``.
"""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

import panproto as pp
import panproto.types
from panproto import _interface

PACKAGE = Path(pp.__file__).parent
STUB = PACKAGE / "_api.pyi"
INTERFACE = PACKAGE / "_interface.py"

# Dunders every class has from ``object`` (or that only construct or pickle
# it); the stub states them for precision, the interface need not.
OBJECT_DUNDERS = frozenset({"__eq__", "__hash__", "__new__", "__init__", "__getnewargs_ex__", "__repr__"})
# What a backend module holds besides its API.
MODULE_CONSTANTS = frozenset({"__all__", "__version__", "__backend__"})


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def kind(node: ast.stmt) -> str:
    if isinstance(node, ast.AnnAssign):
        return "attribute"
    assert isinstance(node, ast.FunctionDef), ast.dump(node)
    decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
    for decorator in ("property", "staticmethod", "classmethod"):
        if decorator in decorators:
            return decorator
    return "method"


def parameters(node: ast.stmt) -> tuple[str, ...]:
    if not isinstance(node, ast.FunctionDef):
        return ()
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg is not None:
        names.append("*" + args.vararg.arg)
    names += [a.arg for a in args.kwonlyargs]
    if args.kwarg is not None:
        names.append("**" + args.kwarg.arg)
    return tuple(names)


def members(cls: ast.ClassDef) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each declared member: (kind, parameter names); object's dunders left out."""
    found = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            name = node.name
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
        else:
            continue
        if name in OBJECT_DUNDERS or (name.startswith("_") and not name.endswith("__")):
            continue
        found[name] = (kind(node), parameters(node))
    return found


def classes(module: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in module.body if isinstance(node, ast.ClassDef)}


def stub_all(module: ast.Module) -> list[str]:
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError(f"{STUB} has no __all__")


@pytest.fixture(scope="module")
def stub() -> ast.Module:
    return parse(STUB)


@pytest.fixture(scope="module")
def interface() -> ast.Module:
    return parse(INTERFACE)


def test_the_rendered_stub_is_the_one_installed_with_the_dispatcher():
    assert STUB.is_file(), f"{STUB} is missing: run `cargo tasks test`, which renders it"
    assert INTERFACE.is_file()


def test_backend_declares_exactly_the_stubs_public_names(stub, interface):
    public = stub_all(stub)
    backend = classes(interface)["Backend"]
    declared = set(members(backend)) - MODULE_CONSTANTS
    assert declared == set(public)
    stub_classes = {name for name in classes(stub) if not name.startswith("_")}
    stub_functions = {n.name for n in stub.body if isinstance(n, ast.FunctionDef)}
    assert set(public) == stub_classes | stub_functions, "the stub's __all__ lists its classes and functions"


def test_every_stub_class_has_its_protocol_class(stub):
    stub_classes = {name for name in classes(stub) if not name.startswith("_")}
    assert set(_interface._CLASS_INTERFACES) == stub_classes


@pytest.mark.parametrize("cls_name", sorted(_interface._CLASS_INTERFACES))
def test_protocol_class_declares_exactly_the_stub_classs_members(stub, interface, cls_name):
    protocol_name = _interface._CLASS_INTERFACES[cls_name].__name__
    declared = members(classes(interface)[protocol_name])
    documented = members(classes(stub)[cls_name])
    assert set(declared) == set(documented), (
        f"{protocol_name} lacks {sorted(set(documented) - set(declared))}, "
        f"has extra {sorted(set(declared) - set(documented))}"
    )
    assert declared == documented, "same kind (property, staticmethod, method) and parameter names"


def test_runtime_protocol_members_match_the_parsed_ones(interface):
    """What missing_members checks at import is what this file parsed."""
    for protocol in _interface._CLASS_INTERFACES.values():
        parsed = set(members(classes(interface)[protocol.__name__]))
        assert _interface.protocol_members(protocol) - OBJECT_DUNDERS == parsed, protocol.__name__


# ------------------------------------------------------------------ kind lists

# Each Literal of panproto.types and the engine list it copies (list_kinds() keys).
KIND_LITERALS = {
    "ChangeKind": panproto.types.ChangeKind,
    "ExistenceKind": panproto.types.ExistenceKind,
    "ProblemKind": panproto.types.ProblemKind,
    "IssueKind": panproto.types.IssueKind,
    "ConflictKind": panproto.types.ConflictKind,
    "CompatMode": panproto.types.CompatMode,
    "CompatLevel": panproto.types.CompatLevel,
    "CompatDirection": panproto.types.CompatDirection,
}


# The kind lists are engine data, the same in both backends (one module body),
# so they are compared once, in the SQLite run. That run also keeps the skip
# below visible: the PostgreSQL run must skip nothing (`cargo tasks test`
# refuses any skip there, to catch a missing server).
on_one_backend = pytest.mark.backend("sqlite")


def engine_kinds() -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = pp.list_kinds()
    return kinds


@on_one_backend
def test_engine_lists_exactly_the_kinds_python_copies():
    assert set(engine_kinds()) == set(KIND_LITERALS)


@on_one_backend
@pytest.mark.parametrize("name", sorted(KIND_LITERALS))
def test_each_kind_literal_equals_the_engines_list(name):
    engine = engine_kinds()[name]
    assert len(engine) == len(set(engine)), f"the engine lists a {name} twice"
    copied = set(typing.get_args(KIND_LITERALS[name]))
    assert copied == set(engine), (
        f"panproto.types.{name} lacks {sorted(set(engine) - copied)}, has extra {sorted(copied - set(engine))}"
    )
