"""The interface every panproto backend provides, as ``typing.Protocol`` classes.

A backend is a module (``panproto_sqlite``, ``panproto_postgres``) that
satisfies :class:`Backend`: the functions below, and classes whose
instances satisfy :class:`ProtocolLike`, :class:`SchemaBuilderLike`,
:class:`SchemaLike`, :class:`FieldLike`, :class:`MigrationBuilderLike`,
:class:`CompiledMigrationLike`, :class:`LiftIteratorLike`, :class:`ProtolensChainLike`,
:class:`ComplementLike`, :class:`LensLike`, :class:`LensIteratorLike`, :class:`SymmetricLensLike`,
:class:`TheoryLike`,
:class:`DataIteratorLike`,
:class:`ExistenceReportLike`, :class:`DiffReportLike`, :class:`CommitLike`,
:class:`StatusLike`, :class:`VerifyReportLike` and :class:`RepositoryLike`.
The dispatcher checks a
backend against these at import (:func:`missing_members`), so a build that
lacks part of the API is refused with the missing names, never half
imported; it checks the names :func:`members` gives, rendered into the
built package, so that ``import panproto`` does not pay for this module.
Precise signatures and documentation are in the API stub
(``panproto/_api.pyi``, rendered from ``templates/_native.pyi.j2``).

This file is a hand-kept copy of the stub's shape, so it is checked:
``python-tests/test_interface.py`` parses both and requires the same
classes and functions, and for each class the same members, of the same
kind (property, static method, method), with the same parameter names
(the types here stay loose: the stub is the precise one). A member added
to the stub fails that test until it is declared here too, so that
:func:`missing_members` checks it at import.
"""

from __future__ import annotations

import inspect
import os
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, runtime_checkable

__all__ = [
    "Backend",
    "CommitLike",
    "CompatReportLike",
    "CompiledMigrationLike",
    "ComplementLike",
    "DataIteratorLike",
    "DiffReportLike",
    "ExistenceReportLike",
    "FieldLike",
    "LensIteratorLike",
    "LensLike",
    "LiftIteratorLike",
    "MigrationBuilderLike",
    "ProtocolLike",
    "ProtolensChainLike",
    "RepositoryLike",
    "SchemaBuilderLike",
    "SchemaLike",
    "StatusLike",
    "SymmetricLensLike",
    "TheoryLike",
    "VerifyReportLike",
    "missing_members",
    "protocol_members",
]


@runtime_checkable
class ProtocolLike(typing.Protocol):
    """A protocol: the rules a family of schemas follows."""

    @property
    def name(self) -> str: ...
    @property
    def object_kinds(self) -> list[str]: ...
    @property
    def edge_kinds(self) -> list[str]: ...
    @property
    def constraint_sorts(self) -> list[str]: ...
    @property
    def schema_theory(self) -> TheoryLike: ...
    @property
    def instance_theory(self) -> TheoryLike: ...
    def schema(self) -> SchemaBuilderLike: ...
    def to_dict(self) -> Any: ...


@runtime_checkable
class SchemaBuilderLike(typing.Protocol):
    """An immutable fluent schema builder."""

    @property
    def protocol(self) -> ProtocolLike: ...
    def vertex(self, id: str, kind: str, opts: Any = None) -> SchemaBuilderLike: ...
    def edge(self, src: str, tgt: str, kind: str, opts: Any = None) -> SchemaBuilderLike: ...
    def hyper_edge(self, id: str, kind: str, signature: Any, parent_label: str) -> SchemaBuilderLike: ...
    def constraint(self, vertex: str, sort: str, value: str) -> SchemaBuilderLike: ...
    def required(self, vertex: str, edges: Sequence[str]) -> SchemaBuilderLike: ...
    def build(self) -> SchemaLike: ...
    def __len__(self) -> int: ...


@runtime_checkable
class SchemaLike(typing.Protocol):
    """A built, validated schema."""

    @property
    def id(self) -> str: ...
    @property
    def protocol(self) -> str: ...
    @property
    def vertices(self) -> Any: ...
    @property
    def edges(self) -> Any: ...
    @property
    def data(self) -> Any: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str, protocol: Any = None) -> SchemaLike: ...
    def to_builder(self) -> SchemaBuilderLike: ...
    def validate_record(self, record: Any, root: str) -> list[Any]: ...
    def emit(self, format: Any = None, *, dialect: Any = None) -> Any: ...
    def fields(self) -> list[FieldLike]: ...
    @staticmethod
    def from_avro(source: Any, *, name: Any = None) -> SchemaLike: ...
    @staticmethod
    def from_protobuf(source: Any, *, name: Any = None) -> SchemaLike: ...
    @staticmethod
    def from_json_schema(source: Any, *, name: Any = None) -> SchemaLike: ...
    @staticmethod
    def from_graphql(source: Any, *, name: Any = None, external_refs: Any = False) -> SchemaLike: ...
    @staticmethod
    def from_sql(source: Any, *, name: Any = None, dialect: Any = None) -> SchemaLike: ...
    @staticmethod
    def from_atproto(source: Any, *, name: Any = None) -> SchemaLike: ...
    @staticmethod
    def from_lexicon(protocol: Any, lexicon_json: Any) -> SchemaLike: ...
    def __len__(self) -> int: ...


@runtime_checkable
class FieldLike(typing.Protocol):
    """One field of a schema."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def parent(self) -> str: ...
    @property
    def vertex(self) -> str: ...


@runtime_checkable
class MigrationBuilderLike(typing.Protocol):
    """An immutable fluent migration builder."""

    def map(self, src: str, tgt: str) -> MigrationBuilderLike: ...
    def map_edge(self, src_edge: Any, tgt_edge: Any) -> MigrationBuilderLike: ...
    def resolve(self, src_kind: str, tgt_kind: str, edge: Any) -> MigrationBuilderLike: ...
    def spec(self) -> Any: ...
    def check(self) -> ExistenceReportLike: ...
    def compile(self) -> CompiledMigrationLike: ...


@runtime_checkable
class CompiledMigrationLike(typing.Protocol):
    """A compiled migration: lift, get / put, compose, invert."""

    @property
    def source(self) -> SchemaLike: ...
    @property
    def target(self) -> SchemaLike: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def spec(self) -> Any: ...
    @property
    def default_root(self) -> str | None: ...
    def lift(self, record: Any, root: str | None = None) -> Any: ...
    def lift_many(self, records: Iterable[Any], root: str | None = None) -> LiftIteratorLike: ...
    def get(self, record: Any, root: str | None = None) -> tuple[Any, bytes]: ...
    def put(self, view: Any, complement: bytes) -> Any: ...
    def compose(self, other: Any) -> CompiledMigrationLike: ...
    def invert(self) -> CompiledMigrationLike: ...


@runtime_checkable
class LiftIteratorLike(typing.Protocol):
    """The lazy iterator ``lift_many`` returns."""

    def __iter__(self) -> Iterator[Any]: ...
    def __next__(self) -> Any: ...


@runtime_checkable
class ProtolensChainLike(typing.Protocol):
    """Lens steps that name no schema: compose, fuse, instantiate, JSON."""

    @property
    def steps(self) -> Any: ...
    @property
    def optic(self) -> str: ...
    def compose(self, other: Any) -> ProtolensChainLike: ...
    def fuse(self) -> ProtolensChainLike: ...
    def compile(self) -> LensLike: ...
    def instantiate(self, schema: Any, root: str | None = None) -> LensLike: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> ProtolensChainLike: ...
    @staticmethod
    def auto_generate(old: Any, new: Any, root: str | None = None) -> ProtolensChainLike: ...
    def __len__(self) -> int: ...


@runtime_checkable
class ComplementLike(typing.Protocol):
    """What a lens's view leaves out of its record."""

    @property
    def empty(self) -> bool: ...


@runtime_checkable
class LensLike(typing.Protocol):
    """A checked chain: get / put, streaming, laws, the target schema."""

    @property
    def chain(self) -> ProtolensChainLike: ...
    @property
    def optic(self) -> str: ...
    @property
    def source(self) -> SchemaLike | None: ...
    @property
    def target(self) -> SchemaLike | None: ...
    def target_schema(self, schema: Any, root: str | None = None) -> SchemaLike: ...
    def get(self, record: Any) -> tuple[Any, ComplementLike]: ...
    def put(self, view: Any, complement: Any = None) -> Any: ...
    def get_many(self, records: Iterable[Any]) -> LensIteratorLike: ...
    def put_many(self, pairs: Iterable[Any]) -> LensIteratorLike: ...
    def check_laws(self, records: Iterable[Any]) -> Any: ...
    @staticmethod
    def auto_generate(old: Any, new: Any, root: str | None = None) -> LensLike: ...


@runtime_checkable
class SymmetricLensLike(typing.Protocol):
    """Two record types kept in step through a shared complement."""

    @staticmethod
    def of(lens: Any) -> SymmetricLensLike: ...
    def put_right(self, record: Any, complement: Any = None) -> tuple[Any, Any]: ...
    def put_left(self, record: Any, complement: Any = None) -> tuple[Any, Any]: ...


@runtime_checkable
class TheoryLike(typing.Protocol):
    """A generalised algebraic theory."""

    @property
    def name(self) -> str: ...
    @property
    def sorts(self) -> list[dict[str, Any]]: ...
    @property
    def ops(self) -> list[dict[str, Any]]: ...
    @property
    def eqs(self) -> list[dict[str, Any]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __enter__(self) -> TheoryLike: ...
    def __exit__(self, *args: object) -> bool: ...


@runtime_checkable
class LensIteratorLike(typing.Protocol):
    """The lazy iterator ``get_many`` and ``put_many`` return."""

    def __iter__(self) -> Iterator[Any]: ...
    def __next__(self) -> Any: ...


@runtime_checkable
class DataIteratorLike(typing.Protocol):
    """The lazy iterator of records ``data_at`` and ``migrate_data`` return."""

    def __iter__(self) -> Iterator[Any]: ...
    def __next__(self) -> Any: ...
    def __length_hint__(self) -> int: ...


@runtime_checkable
class ExistenceReportLike(typing.Protocol):
    """What an existence check found."""

    @property
    def valid(self) -> bool: ...
    @property
    def compilable(self) -> bool: ...
    @property
    def errors(self) -> list[Any]: ...
    def to_dict(self) -> Any: ...
    def __bool__(self) -> bool: ...
    def __len__(self) -> int: ...


@runtime_checkable
class DiffReportLike(typing.Protocol):
    """The changes between two schemas, classified."""

    @property
    def changes(self) -> list[Any]: ...
    @property
    def compatibility(self) -> str: ...
    @property
    def breaking(self) -> list[Any]: ...
    @property
    def non_breaking(self) -> list[Any]: ...
    @property
    def rules(self) -> str: ...
    @property
    def backward(self) -> str: ...
    @property
    def forward(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def findings(self) -> list[Any]: ...
    def to_dict(self) -> Any: ...
    def __len__(self) -> int: ...
    def __bool__(self) -> bool: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __getitem__(self, key: int, /) -> Any: ...


@runtime_checkable
class CompatReportLike(typing.Protocol):
    """A compatibility report, both directions, under a mode."""

    @property
    def rules(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def directions(self) -> list[str]: ...
    @property
    def compatible(self) -> bool: ...
    @property
    def backward(self) -> str: ...
    @property
    def forward(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def findings(self) -> list[Any]: ...
    @property
    def violations(self) -> list[Any]: ...
    def to_dict(self) -> Any: ...


@runtime_checkable
class CommitLike(typing.Protocol):
    """One commit."""

    @property
    def id(self) -> str: ...
    @property
    def short_id(self) -> str: ...
    @property
    def parents(self) -> list[str]: ...
    @property
    def schema_id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def compatibility(self) -> str | None: ...
    @property
    def migration(self) -> str | None: ...
    @property
    def datasets(self) -> dict[str, str]: ...
    @property
    def backward(self) -> str | None: ...
    @property
    def forward(self) -> str | None: ...
    @property
    def level(self) -> str | None: ...
    @property
    def allow_breaking(self) -> str | None: ...
    @property
    def origin(self) -> str | None: ...
    def to_dict(self) -> Any: ...


@runtime_checkable
class StatusLike(typing.Protocol):
    """A working copy's status."""

    @property
    def branch(self) -> str | None: ...
    @property
    def head(self) -> str | None: ...
    @property
    def staged(self) -> str | None: ...
    @property
    def changes(self) -> Any: ...
    @property
    def compatibility(self) -> str | None: ...
    @property
    def staged_data(self) -> dict[str, int]: ...
    @property
    def backward(self) -> str | None: ...
    @property
    def forward(self) -> str | None: ...
    @property
    def level(self) -> str | None: ...
    def to_dict(self) -> Any: ...


@runtime_checkable
class VerifyReportLike(typing.Protocol):
    """What an integrity check found."""

    @property
    def ok(self) -> bool: ...
    @property
    def objects(self) -> int: ...
    @property
    def refs(self) -> int: ...
    @property
    def problems(self) -> list[Any]: ...
    def to_dict(self) -> Any: ...
    def __bool__(self) -> bool: ...


@runtime_checkable
class RepositoryLike(typing.Protocol):
    """A repository handle with its staging area."""

    @property
    def location(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def protocol(self) -> ProtocolLike: ...
    @property
    def branch(self) -> str | None: ...
    @property
    def head(self) -> str | None: ...
    @staticmethod
    def init(location: Any, protocol: Any = ..., *, name: str = ...) -> RepositoryLike: ...
    @staticmethod
    def open(location: Any, *, name: str = ...) -> RepositoryLike: ...
    def add(
        self, schema: Any, *, base: str | None = "HEAD", lens: Any = None, root: str | None = None
    ) -> DiffReportLike: ...
    def evolve(self, lens: Any, *, root: str | None = None) -> DiffReportLike: ...
    def staged_lens(self) -> ProtolensChainLike | None: ...
    def rename(self, name: str) -> None: ...
    def staged_schema(self) -> SchemaLike | None: ...
    def commit(
        self, message: str, author: str, timestamp: int | None = None, allow_breaking: str | None = None
    ) -> str: ...
    def set_policy(self, mode: str, branch: str | None = None, *, author: str | None = None) -> Any: ...
    def clear_policy(self, branch: str | None = None) -> bool: ...
    def policy(self, branch: str | None = None) -> Any: ...
    def policies(self) -> list[Any]: ...
    def check(self, schema: Any, against: str | None = None, mode: str | None = None) -> Any: ...
    def log(self, limit: int | None = None) -> Any: ...
    def graph(self, limit: int | None = None) -> list[tuple[str, Any]]: ...
    def status(self) -> StatusLike: ...
    def schema_at(self, ref: str = "HEAD") -> SchemaLike: ...
    def diff(self, a: str = "HEAD", b: str | None = None) -> DiffReportLike: ...
    def show(self, ref: str = "HEAD") -> Any: ...
    def branches(self) -> dict[str, str]: ...
    def create_branch(self, name: str, at: str = "HEAD") -> str: ...
    def delete_branch(self, name: str) -> None: ...
    def rename_branch(self, old: str, new: str) -> None: ...
    def checkout(self, ref: str) -> str | None: ...
    def tag(self, name: str, ref: str = "HEAD", *, message: str | None = None, tagger: str | None = None) -> str: ...
    def tags(self) -> dict[str, str]: ...
    def merge_base(self, a: str, b: str) -> str | None: ...
    def merge(
        self,
        ref: str,
        author: str,
        message: str | None = None,
        *,
        resolve: Any = None,
        strategy: str | None = None,
        timestamp: int | None = None,
        allow_breaking: str | None = None,
    ) -> Any: ...
    def rebase(self, *, resolve: Any = None, strategy: str | None = None) -> Any: ...
    def report_html(self, path: str | os.PathLike[str], *, limit: int | None = None) -> None: ...
    def import_git(
        self,
        git_dir: str | os.PathLike[str],
        paths: Sequence[str],
        *,
        ref: str = "HEAD",
        format: str | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> Any: ...
    def add_data(
        self,
        name: str,
        records: Iterable[Any],
        *,
        root: str | None = None,
        base: str | None = "HEAD",
        progress: Callable[[int, int | None], object] | None = None,
    ) -> str: ...
    def data_at(self, ref: str, name: str) -> DataIteratorLike: ...
    def datasets(self, ref: str = "HEAD") -> dict[str, int]: ...
    def migrate_data(
        self, name: str, from_ref: str, to_ref: str, *, progress: Callable[[int, int], object] | None = None
    ) -> DataIteratorLike: ...
    def tag_info(self, name: str) -> Any: ...
    def reflog(self, ref: str = "HEAD", limit: int | None = None) -> list[Any]: ...
    def verify(self, *, progress: Callable[[int, int], object] | None = None) -> VerifyReportLike: ...
    def migration(self, ref: str = "HEAD", *, parent: int = 0) -> CompiledMigrationLike | LensLike | None: ...
    def close(self) -> None: ...
    def __enter__(self) -> RepositoryLike: ...
    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None: ...


@runtime_checkable
class Backend(typing.Protocol):
    """A backend module (``panproto_sqlite`` or ``panproto_postgres``)."""

    __version__: str
    __backend__: str
    __all__: Sequence[str]

    Protocol: type[ProtocolLike]
    SchemaBuilder: type[SchemaBuilderLike]
    Schema: type[SchemaLike]
    Field: type[FieldLike]
    MigrationBuilder: type[MigrationBuilderLike]
    CompiledMigration: type[CompiledMigrationLike]
    LiftIterator: type[LiftIteratorLike]
    ProtolensChain: type[ProtolensChainLike]
    Complement: type[ComplementLike]
    Lens: type[LensLike]
    LensIterator: type[LensIteratorLike]
    SymmetricLens: type[SymmetricLensLike]
    Theory: type[TheoryLike]
    DataIterator: type[DataIteratorLike]
    ExistenceReport: type[ExistenceReportLike]
    DiffReport: type[DiffReportLike]
    CompatReport: type[CompatReportLike]
    Commit: type[CommitLike]
    Status: type[StatusLike]
    VerifyReport: type[VerifyReportLike]
    Repository: type[RepositoryLike]

    protocol: Callable[..., ProtocolLike]
    list_protocols: Callable[[], list[str]]
    define_protocol: Callable[..., ProtocolLike]
    diff: Callable[..., DiffReportLike]
    classify: Callable[..., Any]
    check: Callable[..., CompatReportLike]
    migration: Callable[..., MigrationBuilderLike]
    check_existence: Callable[..., ExistenceReportLike]
    compose: Callable[..., CompiledMigrationLike]
    invert: Callable[..., CompiledMigrationLike]
    list_kinds: Callable[[], dict[str, list[str]]]
    parse: Callable[..., SchemaLike]
    list_formats: Callable[[], list[str]]
    rename: Callable[..., ProtolensChainLike]
    add: Callable[..., ProtolensChainLike]
    remove: Callable[..., ProtolensChainLike]
    hoist: Callable[..., ProtolensChainLike]
    plunge: Callable[..., ProtolensChainLike]
    wrap: Callable[..., ProtolensChainLike]
    head: Callable[..., ProtolensChainLike]
    in_: Callable[..., ProtolensChainLike]
    map: Callable[..., ProtolensChainLike]
    convert: Callable[..., ProtolensChainLike]
    check_laws: Callable[..., Any]
    create_theory: Callable[..., Any]
    colimit_theories: Callable[..., Any]
    check_morphism: Callable[..., Any]
    list_repositories: Callable[..., Any]
    delete_repository: Callable[..., Any]


# Names typing adds to every Protocol class; they are not interface members.
_TYPING_INTERNALS = frozenset(
    {
        "__abstractmethods__",
        "__annotate__",
        "__annotate_func__",
        "__annotations__",
        "__annotations_cache__",
        "__callable_proto_members_only__",
        "__dict__",
        "__doc__",
        "__firstlineno__",
        "__init__",
        "__module__",
        "__non_callable_proto_members__",
        "__orig_bases__",
        "__parameters__",
        "__protocol_attrs__",
        "__qualname__",
        "__slots__",
        "__static_attributes__",
        "__subclasshook__",
        "__weakref__",
        "_is_protocol",
        "_is_runtime_protocol",
    }
)


def protocol_members(proto: type) -> frozenset[str]:
    """The member names a ``typing.Protocol`` class declares (own and inherited)."""
    get_members = getattr(typing, "get_protocol_members", None)  # Python >= 3.13
    if get_members is not None:
        members: frozenset[str] = get_members(proto)
        return members
    names: set[str] = set()
    for base in proto.__mro__:
        if base in (object, typing.Protocol, typing.Generic):
            continue
        names.update(inspect.get_annotations(base))
        names.update(base.__dict__)
    return frozenset(n for n in names if n not in _TYPING_INTERNALS and not n.startswith("_abc_"))


# Which class protocol each class attribute of :class:`Backend` must satisfy.
_CLASS_INTERFACES: dict[str, type] = {
    "Protocol": ProtocolLike,
    "SchemaBuilder": SchemaBuilderLike,
    "Schema": SchemaLike,
    "Field": FieldLike,
    "MigrationBuilder": MigrationBuilderLike,
    "CompiledMigration": CompiledMigrationLike,
    "LiftIterator": LiftIteratorLike,
    "ProtolensChain": ProtolensChainLike,
    "Complement": ComplementLike,
    "Lens": LensLike,
    "LensIterator": LensIteratorLike,
    "SymmetricLens": SymmetricLensLike,
    "Theory": TheoryLike,
    "DataIterator": DataIteratorLike,
    "ExistenceReport": ExistenceReportLike,
    "DiffReport": DiffReportLike,
    "CompatReport": CompatReportLike,
    "Commit": CommitLike,
    "Status": StatusLike,
    "VerifyReport": VerifyReportLike,
    "Repository": RepositoryLike,
}


def members() -> dict[str, list[str]]:
    """The interface as names: under ``""`` the module's, under each class
    name that class's. The task runner renders this into the built
    package (``panproto/_build.py``, by running this file), so that the
    check at import needs neither this module nor :mod:`typing`."""
    interface = {"": sorted(protocol_members(Backend))}
    interface.update((name, sorted(protocol_members(proto))) for name, proto in _CLASS_INTERFACES.items())
    return interface


def missing_members(module: object) -> list[str]:
    """The names of the :class:`Backend` interface that ``module`` lacks
    (the check the dispatcher makes at import, from :func:`members`)."""
    from panproto._select import missing_members as missing  # noqa: PLC0415  (selects a backend: not at import)

    return missing(module, members())


if __name__ == "__main__":  # `python _interface.py`: the interface as JSON, for the task runner
    import json

    print(json.dumps(members()))
