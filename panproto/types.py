"""Typed shapes of panproto's dict-shaped values.

The native modules return plain :class:`dict` objects; these
:class:`~typing.TypedDict` classes describe them for type checkers and
readers. They are defined once, here, in pure Python, and the stubs of both
backends refer to them.

The kind literals (:data:`ChangeKind`, :data:`ExistenceKind`,
:data:`ProblemKind`, :data:`IssueKind`, :data:`ConflictKind`,
:data:`CompatMode`, :data:`CompatLevel`, :data:`CompatDirection`) spell the
engine's enums; ``python-tests/test_interface.py`` compares each with the
engine's own list, ``panproto.list_kinds()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:  # the native classes, as the API stub declares them
    from panproto._api import Commit, DiffReport, ProtolensChain

__all__ = [
    "Change",
    "ChangeKind",
    "Classification",
    "ClassifiedChange",
    "CommitData",
    "CompatDirection",
    "CompatFinding",
    "CompatLevel",
    "CompatMode",
    "CompatReportData",
    "CompatViolation",
    "Compatibility",
    "ConflictKind",
    "DiffReportData",
    "EdgeData",
    "EdgeMapping",
    "EdgeRole",
    "EdgeRuleSpec",
    "ExistenceIssue",
    "ExistenceKind",
    "ExistenceReportData",
    "IssueKind",
    "MergeConflict",
    "MergeResult",
    "MergeSide",
    "HistoryCheckData",
    "ImportResult",
    "ImportedCommit",
    "MigrationSpec",
    "PolicyData",
    "PolicyViolation",
    "ProblemKind",
    "ProtocolSpec",
    "RebaseResult",
    "Record",
    "RecordViolation",
    "ReflogEntry",
    "ResolvedConflict",
    "Resolver",
    "SchemaData",
    "RepositoryInfo",
    "ShowResult",
    "SkippedVersion",
    "StatusData",
    "TagInfo",
    "ValueType",
    "VerifyProblem",
    "VerifyReportData",
    "VertexData",
]

Record = Any
"""A record: plain Python values, as JSON would hold them — :class:`dict`
(str keys), :class:`list` (or :class:`tuple`), :class:`str`, :class:`int`
(64-bit), :class:`float`, :class:`bool`, ``None`` and :class:`bytes`."""

Compatibility = Literal["fully-compatible", "backward-compatible", "breaking"]
"""How a new version of a schema relates to the old one:

- ``"fully-compatible"``: nothing changed that a reader or writer could notice;
- ``"backward-compatible"``: changes, none of which breaks old records or readers;
- ``"breaking"``: some old record or old reader may fail."""

EdgeRole = Literal["property", "item", "variant", "wrapper", "reference"]
"""What an edge kind means for records: ``property`` (an object key, the
edge's name), ``item`` (the elements of an array), ``variant`` (one of
several alternatives), ``wrapper`` (the same value seen at another vertex,
e.g. a record and its body) or ``reference`` (a link records do not follow)."""

ValueType = Literal["object", "array", "string", "integer", "number", "boolean", "null", "bytes", "any"]
"""The shape of a value at a vertex of a given kind."""

ExistenceKind = Literal[
    "edge-missing",
    "kind-inconsistency",
    "label-inconsistency",
    "required-field-missing",
    "constraint-tightened",
    "resolver-invalid",
    "well-formedness",
    "signature-coherence",
    "simultaneity",
    "reachability-risk",
]
"""The ten kinds of existence issue. Six make a mapping unusable and
``MigrationBuilder.compile`` refuses them (``kind-inconsistency``,
``label-inconsistency``, ``resolver-invalid``, ``well-formedness``,
``signature-coherence``, ``simultaneity``); the other four describe data a
valid migration drops or risks (``edge-missing``, ``required-field-missing``,
``constraint-tightened``, ``reachability-risk``)."""

IssueKind = Literal[
    "duplicate-vertex",
    "unknown-kind",
    "missing-vertex",
    "unknown-edge-kind",
    "edge-rule-violation",
    "edge-name",
    "duplicate-edge",
    "unknown-constraint-sort",
    "missing-required-edge",
    "hyper-edge",
    "protocol-mismatch",
]
"""The rules a schema can break: each entry of
:attr:`panproto.errors.SchemaValidationError.errors` ends with one in
brackets, e.g. ``[missing-vertex]``."""

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


class ClassifiedChange(Change):
    """One change with its classification (:attr:`panproto.DiffReport.breaking`, ...)."""

    breaking: bool
    """Whether the change breaks old records or old readers."""
    reason: str
    """Why, e.g. ``"a newly required field: existing records may lack it"``."""


class Classification(TypedDict):
    """A classified diff, as :func:`panproto.classify` returns it."""

    verdict: Compatibility
    """``"fully-compatible"``, ``"backward-compatible"`` or ``"breaking"``."""
    breaking: list[ClassifiedChange]
    """The breaking changes."""
    non_breaking: list[ClassifiedChange]
    """The other changes."""


class DiffReportData(TypedDict):
    """A diff report, as :meth:`panproto.DiffReport.to_dict` returns it."""

    changes: list[Change]
    """Every change, in order."""
    compatibility: Compatibility
    """The verdict."""
    breaking: list[ClassifiedChange]
    """The breaking changes, each with its reason."""
    non_breaking: list[ClassifiedChange]
    """The other changes, each with its reason."""
    rules: str
    """Whose rules judged the two directions: the format's name or ``"generic"``."""
    backward: CompatLevel
    """How readers of the new schema fare with data of the old, by those rules."""
    forward: CompatLevel
    """How readers of the old schema fare with data of the new."""
    level: CompatLevel
    """The worse of the two."""
    findings: list[CompatFinding]
    """Each change judged both ways, in the format's terms."""


CompatMode = Literal[
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
]
"""A schema registry's compatibility mode: which directions a check
enforces (backward, forward, both or none), against the last version or,
``_TRANSITIVE``, every earlier one. :func:`panproto.check` also takes them
in lower case."""

CompatLevel = Literal["compatible", "dangerous", "breaking"]
"""How much a change matters to readers in one direction: nothing changes
for them; nothing fails but what they see may change; some reader fails."""

CompatDirection = Literal["backward", "forward"]
"""``"backward"``: readers of the new version reading data written with the
old; ``"forward"``: readers of the old version reading data written with
the new."""


class CompatFinding(TypedDict):
    """One change judged both ways (:attr:`panproto.CompatReport.findings`)."""

    rule: str
    """The rule that found it: the format tool's own id where it has ids
    (``buf``'s ``"FIELD_SAME_NAME"`` for Protobuf), else the format rules'
    own UPPER_SNAKE id (``"MAX_LENGTH_DECREASED"`` for JSON Schema, SQL and
    lexicons), or a kebab-case name (``"field-added"`` for Avro; the change
    kind for the generic rules)."""
    path: str
    """Where, in the format's terms, e.g. ``"record org.example.User field email"``."""
    change: str
    """What changed, e.g. ``"field added"`` or ``"type int → long"``."""
    backward: CompatLevel
    """The level for readers of the new version reading old data."""
    forward: CompatLevel
    """The level for readers of the old version reading new data."""
    reason: str
    """Why."""


class CompatViolation(CompatFinding):
    """A finding that breaks a direction the mode enforces
    (:attr:`panproto.CompatReport.violations`)."""

    direction: CompatDirection
    """The direction it breaks."""


class CompatReportData(TypedDict):
    """A compatibility report, as :meth:`panproto.CompatReport.to_dict` returns it."""

    rules: str
    """Whose rules judged: a format's name, or ``"generic"``."""
    mode: CompatMode
    """The mode the verdict is under."""
    directions: list[CompatDirection]
    """The directions the mode enforces."""
    compatible: bool
    """Whether nothing breaks a direction the mode enforces."""
    backward: CompatLevel
    """The worst level for new readers of old data."""
    forward: CompatLevel
    """The worst level for old readers of new data."""
    level: CompatLevel
    """The worst level either way."""
    findings: list[CompatFinding]
    """Every finding."""
    violations: list[CompatViolation]
    """The findings that break an enforced direction, once per direction."""


class ExistenceIssue(TypedDict):
    """One problem an existence check found (:attr:`panproto.ExistenceReport.errors`)."""

    kind: ExistenceKind
    """Which of the ten kinds, e.g. ``"well-formedness"``."""
    element: str
    """The element: a vertex (``vertex "text"``), an edge (``body -prop[text]-> text``) or a resolver."""
    message: str
    """What is wrong and what it means for records."""


class ExistenceReportData(TypedDict):
    """An existence report, as :meth:`panproto.ExistenceReport.to_dict` returns it."""

    valid: bool
    """Whether there is no issue at all."""
    compilable: bool
    """Whether no issue is of a kind that stops the mapping from compiling."""
    errors: list[ExistenceIssue]
    """Every issue."""


class RecordViolation(TypedDict):
    """One way a record does not fit a schema (:meth:`panproto.Schema.validate_record`)."""

    path: str
    """Where: the root vertex, then keys and ``[index]``es, e.g. ``"post.tags[3]"``."""
    message: str
    """What is wrong, e.g. ``'expected string (vertex "tag" of kind "string"), found integer'``."""


class _EdgeRuleSpecRequired(TypedDict):
    src_kinds: list[str]
    """Kinds allowed at the edge's source."""
    tgt_kinds: list[str]
    """Kinds allowed at the edge's target."""
    named: bool
    """Whether each edge of this kind carries a name (key, column, field)."""


class EdgeRuleSpec(_EdgeRuleSpecRequired, total=False):
    """Which vertex kinds an edge kind may join (empty list: any kind)."""

    role: EdgeRole
    """What the edge means for records; by default ``"property"`` for a
    named edge kind and ``"reference"`` for an unnamed one."""


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
    value_types: dict[str, ValueType]
    """Object kind -> the shape of its values; a kind not listed takes the
    type of the same name (``"string"``, ``"integer"``, ...), else any value."""


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


class EdgeMapping(TypedDict):
    """An explicit edge mapping of a :class:`MigrationSpec`."""

    src: EdgeData
    """The source edge."""
    tgt: EdgeData
    """The target edge it becomes."""


class Resolver(TypedDict):
    """How to attach a surviving child to a surviving ancestor when the
    vertex between them is dropped."""

    src_kind: str
    """Kind of the surviving ancestor (in the target)."""
    tgt_kind: str
    """Kind of the surviving child (in the target)."""
    edge: EdgeData
    """The target edge that attaches them."""


class MigrationSpec(TypedDict, total=False):
    """A migration's mapping (:meth:`panproto.MigrationBuilder.spec`); every
    part is left out when empty."""

    identity: bool
    """Every vertex both schemas have under the same id (with values of a
    compatible shape) maps to itself unless ``vertex_map`` or ``excluded``
    says otherwise: how the history stores derived migrations."""
    excluded: list[str]
    """Vertices ``identity`` leaves unmapped."""
    vertex_map: dict[str, str]
    """Source vertex id -> target vertex id, over ``identity``; unmapped vertices are dropped."""

    edge_map: list[EdgeMapping]
    """Explicit edge mappings, sorted by source edge (most edges follow
    their ends and need none)."""
    resolvers: list[Resolver]
    """Resolvers, sorted."""


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
    compatibility: Compatibility | None
    """How this version relates to its first parent's (``None`` for a commit
    written before verdicts were recorded)."""
    migration: str | None
    """Id of the migration from the first parent's schema (``None`` for a first commit)."""
    datasets: dict[str, str]
    """The datasets the commit holds: name → dataset id."""
    backward: CompatLevel | None
    """How readers of this version fare with data of the first parent's, by
    the format's rules (``None`` for a commit made before it was recorded)."""
    forward: CompatLevel | None
    """How readers of the first parent's version fare with data of this one."""
    level: CompatLevel | None
    """The worse of ``backward`` and ``forward``."""
    allow_breaking: str | None
    """Why the branch's compatibility policy was overridden for this commit,
    if it was."""
    origin: str | None
    """Where the version was imported from (``"git:<id>"``), if it was."""


class PolicyData(TypedDict):
    """A compatibility policy, as :meth:`panproto.Repository.policy` returns it."""

    mode: CompatMode
    """The mode enforced."""
    scope: Literal["repository", "branch"]
    """Where it was set: for the whole repository, or for one branch."""
    branch: str | None
    """The branch, for a branch's policy."""
    author: str
    """Who set it."""
    timestamp: int
    """When, in seconds since the epoch (UTC)."""


class HistoryCheckData(TypedDict):
    """A schema checked against a branch's history, as
    :meth:`panproto.Repository.check` returns it."""

    mode: CompatMode
    """The mode checked."""
    compatible: bool
    """Whether nothing breaks a direction the mode enforces, against any version checked."""
    checked: list[str]
    """The commits checked against, newest first."""
    backward: CompatLevel
    """The worst level for new readers of any checked version's data."""
    forward: CompatLevel
    """The worst level for any checked version's readers of new data."""
    violations: list[PolicyViolation]
    """Every violation, newest version first."""


class PolicyViolation(CompatViolation):
    """A violation of a compatibility policy, against one earlier version."""

    against: str
    """The earlier version's commit id."""


class RepositoryInfo(TypedDict):
    """A repository of a store, as :func:`panproto.list_repositories` lists it."""

    name: str
    """Its name in the store."""
    protocol: str
    """Its protocol's name."""
    created: int
    """When it was created, in seconds since the Unix epoch."""
    commits: int
    """How many commits it holds."""
    branches: int
    """How many branches."""
    size: int
    """The bytes its objects take as stored (compressed)."""


class ShowResult(TypedDict):
    """A commit and what it changed, as :meth:`panproto.Repository.show` returns it."""

    commit: Commit
    """The commit."""
    diff: DiffReport
    """Its changes from its first parent (from nothing, for a first commit), classified."""
    lens: ProtolensChain | None
    """The lens the commit was made with (:meth:`panproto.Repository.add` with
    ``lens=``), or ``None``."""


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
    compatibility: Compatibility | None
    """The verdict on those changes, or ``None`` when nothing is staged."""
    staged_data: dict[str, int]
    """The staged datasets with their record counts."""
    backward: CompatLevel | None
    """How readers of the staged schema fare with HEAD's data, by the
    format's rules (``None`` when nothing is staged)."""
    forward: CompatLevel | None
    """How readers of HEAD's schema fare with the staged schema's data."""
    level: CompatLevel | None
    """The worse of the two."""


MergeSide = Literal["ours", "theirs"]
"""A side of a merge: ``"ours"`` is the branch merged into (for a rebase,
the branch's new head), ``"theirs"`` the other one (for a rebase, the staged work)."""


ConflictKind = Literal["both-changed", "deleted-modified"]
"""Why a merge could not settle an element by itself: ``"both-changed"``
(both sides changed it, to different values) or ``"deleted-modified"``
(one side removed it, or the vertex it hangs on, while the other changed it)."""


class MergeConflict(TypedDict):
    """One merge conflict, as :attr:`panproto.errors.MergeConflictError.conflicts` lists it."""

    kind: ConflictKind
    """Both sides changed the element differently, or one removed what the other changed."""
    element: str
    """The element, as ``resolve=`` names it: a vertex id, ``"src -kind[name]->"``
    for a named edge, an unnamed edge as written, ``"vertex.sort"`` for a
    constraint, ``"vertex!edge"`` for a required edge, ``"hyper-edge:id"``."""
    base: str | None
    """The merge base's value (``None``: absent)."""
    ours: str | None
    """Our value (``None``: removed)."""
    theirs: str | None
    """Their value (``None``: removed)."""


class ResolvedConflict(MergeConflict):
    """A conflict settled by a resolution."""

    side: MergeSide
    """The side whose version was taken."""


class MergeResult(TypedDict):
    """What :meth:`panproto.Repository.merge` did."""

    kind: Literal["up-to-date", "fast-forward", "merge"]
    """Nothing to do, the branch moved forward, or a merge commit was made."""
    commit: str
    """The commit the branch points at afterwards."""
    resolved: list[ResolvedConflict]
    """The conflicts settled by ``resolve``/``strategy``."""


class ImportedCommit(TypedDict):
    """One git commit :meth:`panproto.Repository.import_git` wrote as a commit."""

    git: str
    """The git commit's id."""
    commit: str
    """The panproto commit's id."""


class SkippedVersion(TypedDict):
    """A git commit whose files :meth:`panproto.Repository.import_git` could not read."""

    git: str
    """The git commit's id."""
    summary: str
    """The first line of its message."""
    reason: str
    """Why its files are not a schema, with file, line and column."""


class ImportResult(TypedDict):
    """What :meth:`panproto.Repository.import_git` did."""

    considered: int
    """The git commits of the history, all of them."""
    imported: list[ImportedCommit]
    """The new commits, oldest first."""
    already: int
    """Git commits an earlier import already brought."""
    skipped: list[SkippedVersion]
    """Versions whose files did not parse, skipped."""
    tip: str | None
    """Where the branch is now."""


class RebaseResult(TypedDict):
    """What :meth:`panproto.Repository.rebase` did to the staged work."""

    kind: Literal["up-to-date", "rebased"]
    """The staged work was already on the branch's head, or it now is."""
    onto: str | None
    """The commit the staged work is now based on (``None`` if up to date)."""
    resolved: list[ResolvedConflict]
    """The conflicts settled by ``resolve``/``strategy``."""


class ReflogEntry(TypedDict):
    """One move of a ref, as :meth:`panproto.Repository.reflog` lists it."""

    ref: str
    """The ref's full name, e.g. ``refs/heads/main``."""
    old: str | None
    """What it held before: an id (``"ref: NAME"`` for a symbolic ref), or
    ``None`` where it did not exist."""
    new: str | None
    """What it held after; ``None`` when the move deleted it."""
    message: str
    """Why it moved, e.g. ``commit: add post`` or ``branch: created from HEAD``."""
    timestamp: int
    """When, in seconds since the epoch (UTC)."""


class TagInfo(TypedDict):
    """A tag, as :meth:`panproto.Repository.tag_info` describes it."""

    name: str
    """The tag's name."""
    commit: str
    """The tagged commit's id."""
    annotated: bool
    """Whether a tag object records who tagged, when and why."""
    object: str | None
    """The tag object's id (``None`` for a lightweight tag)."""
    tagger: str | None
    """Who tagged (``None`` for a lightweight tag)."""
    timestamp: int | None
    """When, in seconds since the epoch (``None`` for a lightweight tag)."""
    message: str | None
    """Why (``None`` for a lightweight tag)."""


ProblemKind = Literal[
    "corrupt-object",
    "hash-mismatch",
    "undecodable",
    "missing-object",
    "wrong-kind",
    "parent-mismatch",
    "bad-ref",
]
"""What :meth:`panproto.Repository.verify` found wrong:

- ``"corrupt-object"``: a row that does not read as an object (a bad id,
  an unknown kind, data that does not decompress, a wrong header);
- ``"hash-mismatch"``: an object whose content does not hash to its id;
- ``"undecodable"``: content that is not a valid object of its kind;
- ``"missing-object"``: an object refers to an id the store lacks;
- ``"wrong-kind"``: an object refers to an object of the wrong kind;
- ``"parent-mismatch"``: a commit's stored first-parent column disagrees
  with its body, so history walks would go astray;
- ``"bad-ref"``: a ref points at nothing, at a damaged object, or at
  something other than a commit (or, for a tag, a tag object)."""


class VerifyProblem(TypedDict):
    """One problem :meth:`panproto.Repository.verify` found."""

    kind: ProblemKind
    """What kind of damage."""
    object: str
    """Where: the object's id (for a row whose id is malformed, its bytes in
    hex) or the ref's full name."""
    message: str
    """What exactly is wrong."""


class VerifyReportData(TypedDict):
    """A verify report, as :meth:`panproto.VerifyReport.to_dict` returns it."""

    ok: bool
    """Whether nothing is wrong."""
    objects: int
    """How many objects were checked."""
    refs: int
    """How many refs were checked."""
    problems: list[VerifyProblem]
    """Every problem found."""
