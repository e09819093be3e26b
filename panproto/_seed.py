"""The seed SDK's compatibility forms, written once, in pure Python, over the real API.

Code written against the earlier SDK keeps working::

    with panproto.Panproto.load() as pp:
        atproto = pp.protocol("atproto")

    repo = panproto.vcs_init("atproto", "history.db")   # the seed's order: protocol first
    panproto.vcs_add(repo, schema)
    panproto.vcs_commit(repo, "add post schema", "author@example.com")
    panproto.vcs_log(repo, count=10)

Each form is a one-line call of the module function or :class:`Repository`
method it mirrors; nothing here is native, registered or stubbed
separately, so there is one definition of each. ``panproto`` exports these
names itself (they are part of ``panproto.__all__`` next to the backend's
names), and they take precedence over any same-named native object.
"""

from __future__ import annotations

import os
from types import TracebackType

from panproto import _select

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, TypeGuard, final

    import panproto._api as _native
    from panproto._api import (
        Commit,
        CompiledMigration,
        DiffReport,
        ExistenceReport,
        MigrationBuilder,
        Protocol,
        Repository,
        Schema,
        Status,
        Theory,
    )
    from panproto.types import Classification

    _Location = str | os.PathLike[str]

else:
    _native = _select.backend

    def final(cls: type) -> type:  # typing.final, which only type checkers read
        return cls


__all__ = [
    "LensHandle",
    "Panproto",
    "ProtolensChainHandle",
    "SymmetricLensHandle",
    "vcs_add",
    "vcs_commit",
    "vcs_init",
    "vcs_log",
    "vcs_open",
    "vcs_status",
]

# The seed's names for the lens classes: the same classes.
ProtolensChainHandle = _native.ProtolensChain
LensHandle = _native.Lens
SymmetricLensHandle = _native.SymmetricLens


@final
class Panproto:
    """The engine as one object (the seed SDK's entry point); a context manager.

    The engine is native and needs no loading: :meth:`load` and
    :meth:`close` exist so that code written against the earlier SDK keeps
    working. Every method is the module function of the same name.

    Examples
    --------
    >>> with Panproto.load() as p:
    ...     proto = p.protocol("atproto")
    """

    __slots__ = ()

    @staticmethod
    def load(wasm_path: str | os.PathLike[str] | None = None) -> Panproto:
        """A ready engine.

        Parameters
        ----------
        wasm_path
            Accepted for the earlier SDK's signature and ignored: the
            engine is compiled in.

        Returns
        -------
        Panproto
            A handle; ``close`` (or ``with``) releases nothing but is accepted.
        """
        del wasm_path
        return Panproto()

    def protocol(self, name: str) -> Protocol:
        """Same as :func:`panproto.protocol`."""
        return _native.protocol(name)

    def define_protocol(self, spec: Mapping[str, Any]) -> Protocol:
        """Same as :func:`panproto.define_protocol`."""
        return _native.define_protocol(spec)

    def list_protocols(self) -> list[str]:
        """Same as :func:`panproto.list_protocols`."""
        return _native.list_protocols()

    def diff(self, old: Schema, new: Schema) -> DiffReport:
        """Same as :func:`panproto.diff`."""
        return _native.diff(old, new)

    def classify(self, diff: DiffReport, protocol: Protocol | str) -> Classification:
        """Same as :func:`panproto.classify`."""
        return _native.classify(diff, protocol)

    def migration(self, old: Schema, new: Schema) -> MigrationBuilder:
        """Same as :func:`panproto.migration`."""
        return _native.migration(old, new)

    def check_existence(self, old: Schema, new: Schema, builder: MigrationBuilder) -> ExistenceReport:
        """Same as :func:`panproto.check_existence`."""
        return _native.check_existence(old, new, builder)

    def compose(self, first: CompiledMigration, second: CompiledMigration) -> CompiledMigration:
        """Same as :func:`panproto.compose`."""
        return _native.compose(first, second)

    def invert(self, migration: CompiledMigration) -> CompiledMigration:
        """Same as :func:`panproto.invert`."""
        return _native.invert(migration)

    def create_theory(self, spec: Mapping[str, Any]) -> Theory:
        """Same as :func:`panproto.create_theory`."""
        return _native.create_theory(spec)

    def colimit_theories(self, t1: Theory, t2: Theory, shared: Theory, *, name: str | None = None) -> Theory:
        """Same as :func:`panproto.colimit_theories`."""
        return _native.colimit_theories(t1, t2, shared, name=name)

    def check_morphism(self, m: Mapping[str, Any], domain: Theory, codomain: Theory) -> dict[str, Any]:
        """Same as :func:`panproto.check_morphism`."""
        return _native.check_morphism(m, domain, codomain)

    def close(self) -> None:
        """Does nothing: there is nothing to release."""

    def __enter__(self) -> Panproto:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def __repr__(self) -> str:
        return f'Panproto(backend="{_native.__backend__}")'


def _names_protocol(value: object) -> TypeGuard[str | Protocol]:
    """Whether ``value`` is a protocol or the name of a known one (a
    built-in or one :func:`panproto.define_protocol` defined)."""
    if isinstance(value, _native.Protocol):
        return True
    return isinstance(value, str) and value in _native.list_protocols()


def vcs_init(
    first: _Location | Protocol | None = None,
    second: _Location | Protocol | None = None,
    /,
    *,
    location: _Location | None = None,
    protocol: str | Protocol | None = None,
    name: str = "default",
) -> Repository:
    """Create a repository (same as :meth:`Repository.init`), in either argument order.

    Two calls are accepted, told apart by the first argument:

    - the seed's ``vcs_init(protocol, location)``, when the first argument
      is a :class:`Protocol` or the name of a known protocol
      (``"atproto"``, ``"sql"``, ..., or one defined);
    - ``vcs_init(location, protocol="atproto")``, as :meth:`Repository.init`
      takes them, otherwise.

    A location that is spelled like a protocol name (a SQLite file called
    ``sql`` in the current directory) is read as the protocol; pass it as a
    :class:`os.PathLike` (``pathlib.Path("sql")``) or as ``location=``.

    Parameters
    ----------
    first, second
        The protocol and the location, in either order (see above).
    location
        The store, by keyword: a SQLite file path or a ``postgresql://`` URL.
    protocol
        The protocol, by keyword (default ``"atproto"``).
    name
        The repository's name within the store.

    Returns
    -------
    Repository
        A handle on the new, empty repository.

    Raises
    ------
    TypeError
        If the location is missing, or the protocol or the location is given twice.
    panproto.errors.SchemaValidationError
        If the protocol is unknown.
    panproto.errors.VcsError
        If a repository of that name already exists there.
    """
    if _names_protocol(first):  # the seed's order: protocol, location
        if protocol is not None:
            raise TypeError("vcs_init() got the protocol twice: first, and as protocol=")
        chosen: str | Protocol = first
        where = _one("location", second, location)
    else:  # Repository.init's order: location, protocol
        where = _one("location", first, location)
        if isinstance(second, os.PathLike):
            raise TypeError(f"vcs_init(): {second!r} is a path, not a protocol")
        chosen = _one("protocol", second, protocol) or "atproto"
    if where is None:
        raise TypeError(
            "vcs_init() needs a location: a SQLite file path or a postgresql:// URL "
            "(vcs_init(protocol, location) or vcs_init(location, protocol))"
        )
    if isinstance(where, _native.Protocol):
        raise TypeError("vcs_init(): the location is a Protocol; pass a path or URL")
    return _native.Repository.init(where, chosen, name=name)


def _one(what: str, positional: Any, keyword: Any) -> Any:
    """The value given positionally or by keyword, refusing both."""
    if positional is not None and keyword is not None:
        raise TypeError(f"vcs_init() got the {what} twice: positionally, and as {what}=")
    return positional if positional is not None else keyword


def vcs_open(location: _Location, *, name: str = "default") -> Repository:
    """Same as :meth:`Repository.open`."""
    return _native.Repository.open(location, name=name)


def vcs_add(repo: Repository, schema: Schema) -> DiffReport:
    """Same as :meth:`Repository.add`: stage ``schema`` on HEAD."""
    return repo.add(schema)


def vcs_commit(repo: Repository, message: str, author: str) -> str:
    """Same as :meth:`Repository.commit`; the new commit's id."""
    return repo.commit(message, author)


def vcs_log(repo: Repository, count: int | None = None) -> list[Commit]:
    """Same as :meth:`Repository.log`: the history from HEAD, newest first, at most ``count``."""
    return repo.log(count)


def vcs_status(repo: Repository) -> Status:
    """Same as :meth:`Repository.status`."""
    return repo.status()
