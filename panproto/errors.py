"""panproto's exceptions, defined once, in pure Python.

Both compiled backends raise these very classes (they import this module
when they first raise), so ``except panproto.ConflictError`` works whichever
backend is loaded. The tree::

    Exception
    └── PanprotoError                  every error panproto raises on purpose
        ├── SchemaValidationError      a protocol or schema breaks the rules (.errors)
        ├── ParseError                 a schema file cannot be read (.file, .line, .column)
        ├── MigrationError             a migration cannot be compiled or applied (.errors)
        ├── ExistenceCheckError        an existence check could not be run (reserved)
        ├── LensError                  a lens is ill-formed or does not fit (.step, .path, .differences)
        ├── GatError                   a theory or morphism is ill-formed (reserved)
        └── VcsError                   a version-control operation failed
            ├── ConflictError          a ref moved under you (.ref, .expected, .actual)
            ├── MergeConflictError     a merge or rebase needs resolutions (.conflicts)
            ├── NotFoundError          no such repository, ref or object
            ├── StoreError             the store failed (.backend, .code)
            └── DataValidationError    a record does not fit its schema (.dataset, .index, .path)

The two marked *reserved* are part of the hierarchy already, so code can
name them, but nothing raises them yet: :class:`GatError` comes with the
GAT engine, and an invalid mapping today is a :class:`MigrationError`,
whose ``errors`` list the existence issues.

Every class takes the message first and its attributes as keyword
arguments, e.g. ``ConflictError(message, ref=..., expected=..., actual=...)``;
all of them pickle with their attributes.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:
    from typing import Any

    from panproto.types import MergeConflict


__all__ = [
    "CompatibilityError",
    "ConflictError",
    "DataValidationError",
    "ExistenceCheckError",
    "GatError",
    "LensError",
    "MergeConflictError",
    "MigrationError",
    "NotFoundError",
    "PanprotoError",
    "ParseError",
    "SchemaValidationError",
    "StoreError",
    "VcsError",
]


def _rebuild(cls: type[PanprotoError], message: str, attributes: dict[str, Any]) -> PanprotoError:
    """Unpickle an error: call its constructor as the native modules do."""
    return cls(message, **attributes)


class PanprotoError(Exception):
    """Base of every error panproto raises on purpose.

    ::

        PanprotoError
        ├── SchemaValidationError
        ├── ParseError
        ├── MigrationError
        ├── ExistenceCheckError
        ├── LensError
        ├── GatError
        └── VcsError
            ├── CompatibilityError
            ├── ConflictError
            ├── MergeConflictError
            ├── NotFoundError
            ├── StoreError
            └── DataValidationError

    Parameters
    ----------
    message
        What went wrong, for a human.
    """

    message: str
    """What went wrong, for a human (also ``str(error)``)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def _attributes(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this error (none here)."""
        return {}

    def __reduce__(self) -> tuple[Any, ...]:
        extra = {k: v for k, v in self.__dict__.items() if k != "message" and k not in self._attributes()}
        return (_rebuild, (type(self), self.message, self._attributes()), extra or None)

    def __repr__(self) -> str:
        args = [repr(self.message)]
        args += [f"{key}={value!r}" for key, value in self._attributes().items()]
        return f"{type(self).__name__}({', '.join(args)})"

    def __str__(self) -> str:
        return self.message


class SchemaValidationError(PanprotoError):
    """A protocol specification or a schema breaks the rules.

    Raised by ``SchemaBuilder.build`` and ``Schema.from_json`` (a schema
    that breaks its protocol's rules), by ``define_protocol`` (a malformed
    or contradictory specification), and for an unknown protocol name,
    wherever one is taken: ``protocol(name)``, ``Schema.from_json`` (the
    ``protocol`` of the JSON or the argument) and ``Repository.init`` (the
    message lists the known names). Every problem of a schema is found at
    once and listed in :attr:`errors`.

    ::

        PanprotoError
        └── SchemaValidationError

    Parameters
    ----------
    message
        A summary, including every problem.
    errors
        One string per problem, each naming its element, e.g.
        ``'edge a -prop[x]-> missing: target vertex "missing" does not exist [missing-vertex]'``.
    """

    errors: tuple[str, ...]
    """One entry per problem, each naming the element it concerns."""

    def __init__(self, message: str = "", *, errors: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)

    def _attributes(self) -> dict[str, Any]:
        return {"errors": self.errors}


class ParseError(PanprotoError):
    """A schema file (Protobuf, GraphQL, SQL, Avro, JSON Schema, a lexicon)
    cannot be read: it does not parse, breaks its format's rules, refers to
    a type nowhere defined, says something panproto cannot represent, or
    its format cannot be told.

    Raised by ``parse``, the ``Schema.from_<format>`` functions and the
    CLI's ``add``, ``check`` and ``init`` on native files. The message
    starts with ``file:line:column`` where the input has a place.

    ::

        PanprotoError
        └── ParseError

    Parameters
    ----------
    message
        What is wrong, where, and what was expected.
    file
        The file, relative to the directory parsed (``None`` when the
        format could not be told).
    line
        The line, from 1 (``None`` without a place).
    column
        The column, from 1, in characters (``None`` without a place).
    kind
        What went wrong: ``"syntax"``, ``"invalid"``, ``"unsupported"``,
        ``"unresolved-ref"`` or ``"undetected"``.
    """

    file: str | None
    """The file the error is in."""
    line: int | None
    """The line, from 1."""
    column: int | None
    """The column, from 1."""
    kind: str
    """``"syntax"``, ``"invalid"``, ``"unsupported"``, ``"unresolved-ref"`` or ``"undetected"``."""

    def __init__(
        self,
        message: str = "",
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        kind: str = "syntax",
    ) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column
        self.kind = kind

    def _attributes(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "kind": self.kind}


class MigrationError(PanprotoError):
    """A migration cannot be compiled or applied.

    Raised by ``MigrationBuilder.compile`` (the mapping is not well formed),
    by ``CompiledMigration.lift`` / ``get`` / ``put`` (no usable root, a
    complement made by another migration or altered), by ``compose`` (the
    ends do not meet) and by ``invert`` (the migration is not bijective).

    ::

        PanprotoError
        └── MigrationError

    Parameters
    ----------
    message
        A summary, including every problem.
    errors
        One string per problem. For a mapping that does not compile, one per
        fatal existence issue, each naming its element and ending with its
        kind, e.g. ``'"ghost": source vertex "ghost" does not exist [well-formedness]'``;
        otherwise the message alone.
    """

    errors: tuple[str, ...]
    """One entry per problem, each naming the element it concerns."""

    def __init__(self, message: str = "", *, errors: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)

    def _attributes(self) -> dict[str, Any]:
        return {"errors": self.errors}


class ExistenceCheckError(PanprotoError):
    """An existence check could not be carried out.

    Reserved: nothing raises it yet. ``check_existence`` and
    ``MigrationBuilder.check`` report every issue in their result rather
    than raising, and ``MigrationBuilder.compile`` raises
    :class:`MigrationError` for a mapping that cannot compile; this class
    is kept for checks that cannot run at all (once lenses land, a lens
    whose schema effect cannot be computed).

    ::

        PanprotoError
        └── ExistenceCheckError
    """


class LensError(PanprotoError):
    """A lens cannot be compiled, does not fit a schema or a record, or
    does not take a schema where it should.

    Raised by ``ProtolensChain.compile`` and ``instantiate`` (a step that
    cannot work whatever the record: a default of the wrong kind, a table
    that maps a value twice, a reverse table that breaks PutGet; a field
    the schema does not have), by ``Lens.get`` / ``put`` and their
    streaming forms (a record without the shape a step needs, a complement
    from another lens), by ``ProtolensChain.from_json`` (with the line and
    column) and where a lens must take one schema to another (with every
    difference).

    ::

        PanprotoError
        └── LensError

    Parameters
    ----------
    message
        What is wrong, naming the step, e.g. ``'step 2 (in body) > step 1
        (hoist meta.lang), at body: expected an object, found str'``.
    step
        The step, as the message names it (``None`` where no step is at fault).
    path
        Where in the record, e.g. ``'body.tags'`` (``None`` without one).
    line
        For a chain's JSON, the line, from 1.
    column
        For a chain's JSON, the column, from 1.
    differences
        Where the lens's schema and the expected one differ, one sentence each.
    """

    step: str | None
    """The step at fault."""
    path: str | None
    """Where in the record."""
    line: int | None
    """The line of a chain's JSON."""
    column: int | None
    """The column of a chain's JSON."""
    differences: tuple[str, ...]
    """Where the lens's schema and the expected one differ."""

    def __init__(
        self,
        message: str = "",
        *,
        step: str | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        differences: tuple[str, ...] | list[str] = (),
    ) -> None:
        super().__init__(message)
        self.step = step
        self.path = path
        self.line = line
        self.column = column
        self.differences = tuple(differences)

    def _attributes(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "differences": self.differences,
        }


class GatError(PanprotoError):
    """A theory, colimit or morphism is ill-formed.

    Raised by ``create_theory`` (a sort, operation or equation that does
    not fit), ``colimit_theories`` (a shared declaration a side lacks, a
    name both sides declare), ``check_morphism`` (a sort of another arity,
    an operation of another signature, an equation not preserved) and a
    defined protocol's ``schema_theory``.

    ::

        PanprotoError
        └── GatError

    Parameters
    ----------
    message
        A summary, including every problem.
    what
        What was being made or checked, e.g. ``"theory ThGraph"``.
    errors
        One string per problem, each naming the sort, operation or
        equation it is about.
    """

    what: str | None
    """What was being made or checked."""
    errors: tuple[str, ...]
    """One entry per problem, each naming its sort, operation or equation."""

    def __init__(self, message: str = "", *, what: str | None = None, errors: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.what = what
        self.errors = tuple(errors)

    def _attributes(self) -> dict[str, Any]:
        return {"what": self.what, "errors": self.errors}


class VcsError(PanprotoError):
    """A version-control operation failed (e.g. nothing staged to commit).

    ::

        PanprotoError
        └── VcsError
            ├── ConflictError
            ├── MergeConflictError
            ├── NotFoundError
            ├── StoreError
            └── DataValidationError
    """


class ConflictError(VcsError):
    """A ref moved under you: someone else committed first.

    Your staged work is kept; add again on top of the new head, or merge.

    ::

        PanprotoError
        └── VcsError
            └── ConflictError

    Parameters
    ----------
    message
        What happened.
    ref
        The ref that moved, e.g. ``"refs/heads/main"``.
    expected
        What the operation expected it to point at (``None``: not to exist).
    actual
        What it pointed at (``None``: it did not exist).
    """

    ref: str | None
    """The ref that moved."""
    expected: str | None
    """What the operation expected the ref to hold."""
    actual: str | None
    """What the ref held."""

    def __init__(
        self,
        message: str = "",
        *,
        ref: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        super().__init__(message)
        self.ref = ref
        self.expected = expected
        self.actual = actual

    def _attributes(self) -> dict[str, Any]:
        return {"ref": self.ref, "expected": self.expected, "actual": self.actual}


class MergeConflictError(VcsError):
    """A merge or rebase met conflicts that no resolution settles; nothing was written.

    Each conflict names its element; call again with ``resolve={element:
    "ours" | "theirs"}`` (or ``strategy="ours"``/``"theirs"`` for all of them).
    A rebase keeps the staged schema as it was.

    ::

        PanprotoError
        └── VcsError
            └── MergeConflictError

    Parameters
    ----------
    message
        The conflicts, one per line.
    conflicts
        One dict per conflict: ``kind`` (``"both-changed"`` or
        ``"deleted-modified"``), ``element``, and the ``base``, ``ours`` and
        ``theirs`` values (``None`` where the element is absent).
    """

    conflicts: tuple[MergeConflict, ...]
    """The unresolved conflicts."""

    def __init__(self, message: str = "", *, conflicts: tuple[MergeConflict, ...] | list[MergeConflict] = ()) -> None:
        super().__init__(message)
        self.conflicts = tuple(conflicts)

    def _attributes(self) -> dict[str, Any]:
        return {"conflicts": self.conflicts}


class CompatibilityError(VcsError):
    """A commit breaks the compatibility policy of its branch; nothing was written.

    Each violation is a change that breaks a direction the branch's mode
    enforces, against an earlier version (the last one, or every one for a
    ``_TRANSITIVE`` mode). What is staged is kept: change it, or commit
    again with ``allow_breaking="why"`` to override the policy (the commit
    keeps the reason).

    ::

        PanprotoError
        └── VcsError
            └── CompatibilityError

    Parameters
    ----------
    message
        The violations, one per line.
    branch
        The branch whose policy was broken.
    mode
        That policy's mode, e.g. ``"BACKWARD_TRANSITIVE"``.
    violations
        One dict per violation: ``against`` (the earlier commit's id),
        ``direction``, and the finding's ``rule``, ``path``, ``change``,
        ``backward``, ``forward`` and ``reason``.
    """

    branch: str | None
    """The branch."""
    mode: str | None
    """Its policy's mode."""
    violations: tuple[dict[str, Any], ...]
    """Every violation, newest version first."""

    def __init__(
        self,
        message: str = "",
        *,
        branch: str | None = None,
        mode: str | None = None,
        violations: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.branch = branch
        self.mode = mode
        self.violations = tuple(violations)

    def _attributes(self) -> dict[str, Any]:
        return {"branch": self.branch, "mode": self.mode, "violations": self.violations}


class NotFoundError(VcsError):
    """A repository, ref or object does not exist.

    ::

        PanprotoError
        └── VcsError
            └── NotFoundError
    """


class StoreError(VcsError):
    """The store failed: cannot be reached or opened, is not a panproto
    store, was written by a newer panproto, or the database reported an error.

    ::

        PanprotoError
        └── VcsError
            └── StoreError

    Parameters
    ----------
    message
        What went wrong, with the database's own message.
    backend
        The store that failed: ``"sqlite"`` or ``"postgres"`` (the compiled
        backend's :data:`panproto.__backend__`), or ``"memory"`` for the
        engine's in-memory store (used by its own tests; no Python backend
        has it). Never anything else.
    code
        The database's native error code (SQLite extended code, SQLSTATE),
        when there is one.
    """

    backend: str | None
    """The store that failed: ``"sqlite"``, ``"postgres"`` or ``"memory"``."""
    code: str | None
    """The database's native error code, if any."""

    def __init__(self, message: str = "", *, backend: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.backend = backend
        self.code = code

    def _attributes(self) -> dict[str, Any]:
        return {"backend": self.backend, "code": self.code}


class DataValidationError(VcsError):
    """A record of a dataset does not fit the schema it must conform to.

    Raised by ``Repository.add_data`` (nothing is staged), and by
    ``Repository.commit`` when a dataset carried forward to a new schema no
    longer fits it (nothing is written: stage data for the new schema).

    ::

        PanprotoError
        └── VcsError
            └── DataValidationError

    Parameters
    ----------
    message
        What is wrong, naming the dataset, the record and the path.
    dataset
        The dataset's name.
    index
        The record's position in the dataset, from 0.
    path
        Where in the record, e.g. ``"post.body.tags[3]"``.
    """

    dataset: str | None
    """The dataset's name."""
    index: int | None
    """The record's position in the dataset, from 0."""
    path: str | None
    """Where in the record the problem is."""

    def __init__(
        self,
        message: str = "",
        *,
        dataset: str | None = None,
        index: int | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.dataset = dataset
        self.index = index
        self.path = path

    def _attributes(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "index": self.index, "path": self.path}
