"""Typed shapes of panproto's dict-shaped values.

The native modules return plain :class:`dict` objects; these
:class:`~typing.TypedDict` classes describe them for type checkers and
readers. They are defined once, here, in pure Python, and the stubs of both
backends refer to them.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "Change",
    "ChangeKind",
    "CommitData",
    "EdgeData",
    "EdgeRuleSpec",
    "ProtocolSpec",
    "SchemaData",
    "StatusData",
    "VertexData",
]

ChangeKind = Literal[
    "vertex-added",
    "vertex-removed",
    "edge-added",
    "edge-removed",
    "constraint-added",
    "constraint-removed",
    "constraint-changed",
    "kind-changed",
    "required-added",
    "required-removed",
]
"""The ten kinds of schema change :func:`panproto.diff` reports."""


class _ChangeRequired(TypedDict):
    kind: ChangeKind
    """What changed, e.g. ``"vertex-added"``."""
    element: str
    """The element it touches, e.g. ``vertex "post:body.text"``."""


class Change(_ChangeRequired, total=False):
    """One change between two schemas."""

    old: str
    """The value before (for changed constraints and kinds)."""
    new: str
    """The value after (for changed constraints and kinds)."""


class EdgeRuleSpec(TypedDict):
    """Which vertex kinds an edge kind may join (empty list: any kind)."""

    src_kinds: list[str]
    """Kinds allowed at the edge's source."""
    tgt_kinds: list[str]
    """Kinds allowed at the edge's target."""
    named: bool
    """Whether each edge of this kind carries a name (key, column, field)."""


class _ProtocolSpecRequired(TypedDict):
    name: str
    """The protocol's name."""
    object_kinds: list[str]
    """Vertex kinds schemas may use."""
    edge_rules: dict[str, EdgeRuleSpec]
    """Edge kind -> its rule."""
    constraint_sorts: list[str]
    """Constraint sorts a vertex may carry."""


class ProtocolSpec(_ProtocolSpecRequired, total=False):
    """A protocol specification, as :func:`panproto.define_protocol` takes it."""

    schema_theory: str
    """Name of the theory schemas of this protocol are models of."""
    instance_theory: str
    """Name of the theory records of this protocol are models of."""


class _VertexDataRequired(TypedDict):
    kind: str
    """One of the protocol's object kinds."""


class VertexData(_VertexDataRequired, total=False):
    """A vertex of :attr:`panproto.Schema.vertices` (keyed by its id)."""

    nsid: str
    """Namespaced identifier (ATProto NSID), if any."""


class _EdgeDataRequired(TypedDict):
    src: str
    """Source vertex id."""
    tgt: str
    """Target vertex id."""
    kind: str
    """One of the protocol's edge kinds."""


class EdgeData(_EdgeDataRequired, total=False):
    """An edge of :attr:`panproto.Schema.edges`."""

    name: str
    """The edge's name, for named edge kinds."""


SchemaData = dict[str, Any]
"""The JSON form of a schema: ``protocol``, ``vertices``, ``edges`` and,
when present, ``hyper_edges``, ``constraints``, ``required``."""


class CommitData(TypedDict):
    """A commit, as :meth:`panproto.Commit.to_dict` returns it."""

    id: str
    """The commit's id (64 hex digits)."""
    short_id: str
    """The first 12 hex digits of the id."""
    parents: list[str]
    """Ids of the parent commits (none for the first commit)."""
    schema_id: str
    """Id of the schema the commit records."""
    author: str
    """Who made it."""
    timestamp: int
    """When, in seconds since the epoch (UTC)."""
    message: str
    """The commit message."""


class StatusData(TypedDict):
    """A working copy's status, as :meth:`panproto.Status.to_dict` returns it."""

    branch: str | None
    """The current branch, or ``None`` when HEAD is detached."""
    head: str | None
    """The commit HEAD points at, or ``None`` before the first commit."""
    staged: str | None
    """Id of the staged schema, or ``None`` when nothing is staged."""
    changes: list[Change]
    """The staged schema's changes against HEAD."""
