"""The ``panproto`` command (also ``python -m panproto``).

A working directory is tied to a repository by ``.panproto/config`` (an INI
file: the store location and the repository's name), found by walking up
from the current directory, as git finds ``.git``. What ``add`` stages is
kept in ``.panproto/index`` (the staged schema's JSON and the commit it was
staged on), and what ``data add`` stages in ``.panproto/data/`` (a copy of
each dataset's records, JSON lines, and ``index.json`` naming them), so it
survives until the next command's process commits it; if the branch moved
meanwhile, ``commit`` refuses and ``rebase`` re-applies the staged schema.

Records are written as JSON lines (one record per line), with or without
``--json``; ``bytes`` values, which JSON lacks, are written as base64 text.

Where a command takes a schema (``diff``, ``check``), the argument is read
as a schema JSON file when such a file exists, and otherwise as a ref:
``HEAD``, ``HEAD~N``, a branch name (``main``, ``main~2``) or a full commit id.

Output is for humans by default; ``--json`` prints one JSON document.
Errors print ``error: <message>`` on stderr (with ``--json``, also
``{"error": <message>}`` on stdout) and exit with status 2; status 1 is
kept for ``check``'s "breaking" verdict, so ``panproto check OLD NEW`` is a
CI gate, and for ``merge``/``rebase`` stopping on conflicts (listed, with
nothing written; run again with ``--ours ELEMENT``/``--theirs ELEMENT`` or
``--strategy``).
"""

from __future__ import annotations

import argparse
import base64
import configparser
import datetime
import getpass
import hashlib
import json
import os
import socket
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import panproto
from panproto.errors import ConflictError, MergeConflictError, PanprotoError

if TYPE_CHECKING:
    from panproto._api import Commit, Repository, Schema, Status
    from panproto.types import (
        Change,
        ClassifiedChange,
        DiffReportData,
        MergeConflict,
        MergeSide,
        ResolvedConflict,
        TagInfo,
    )

DIR = ".panproto"
CONFIG = "config"
INDEX = "index"
DATA = "data"
DATA_INDEX = "index.json"
HEAD = "HEAD"  # this working copy's HEAD: a branch name, or a commit id when detached
DEFAULT_STORE = f"{DIR}/panproto.db"

EXIT_BREAKING = 1
EXIT_CONFLICTS = 1  # merge or rebase stopped on conflicts
EXIT_PROBLEMS = 1  # fsck found damage
EXIT_ERROR = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command killed by it


class CliError(Exception):
    """A usage problem the CLI reports as ``error: ...`` (exit 2)."""


# --------------------------------------------------------------------------
# Working copy


class WorkingCopy:
    """A directory holding ``.panproto/``: its config and staging index."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / DIR
        parser = configparser.ConfigParser(interpolation=None)
        try:
            with (self.dir / CONFIG).open(encoding="utf-8") as f:
                parser.read_file(f)
            self.store = parser.get("repository", "store")
            self.name = parser.get("repository", "name", fallback="default")
        except configparser.Error as exc:
            raise CliError(f"{self.dir / CONFIG} is not a valid panproto config: {exc}") from exc

    @staticmethod
    def find(start: Path) -> WorkingCopy:
        """The working copy containing ``start``."""
        for directory in (start, *start.parents):
            if (directory / DIR / CONFIG).is_file():
                return WorkingCopy(directory)
        raise CliError(f"not a panproto working copy (nor any parent of {start}): no {DIR}/; run `panproto init`")

    @property
    def location(self) -> str:
        """The store location; relative paths are relative to the working copy's root."""
        if "://" in self.store:
            return self.store
        path = Path(self.store)
        return str(path if path.is_absolute() else self.root / path)

    @property
    def index(self) -> Path:
        return self.dir / INDEX

    def open(self, *, restore_stage: bool = True) -> Repository:
        """Open the repository at this working copy's HEAD and restore what is staged."""
        repo = panproto.Repository.open(self.location, name=self.name)
        head = self.head()
        if head is not None:
            repo.checkout(head)
        staged = self.staged() if restore_stage else None
        if staged is not None:
            schema, base = staged
            repo.add(schema, base=base)
        if restore_stage:
            for name, entry in self.staged_data().items():
                records = read_records(self.dir / DATA / entry["file"])
                repo.add_data(name, records, root=entry.get("root"), base=entry.get("base", "HEAD"))
        return repo

    def staged_data(self) -> dict[str, dict[str, Any]]:
        """The datasets ``data add`` staged: name -> {"file", "base", "root"?}."""
        try:
            index: dict[str, dict[str, Any]] = json.loads((self.dir / DATA / DATA_INDEX).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            raise CliError(f"{self.dir / DATA / DATA_INDEX} is damaged: {exc}") from exc
        return index

    def stage_data(self, name: str, source: Path | None, root: str | None, base: str | None) -> None:
        """Keep a copy of ``source``'s records as dataset ``name``'s staged data,
        a change from commit ``base``; with no ``source``, only move it to ``base``."""
        folder = self.dir / DATA
        folder.mkdir(exist_ok=True)
        index = self.staged_data()
        file = index.get(name, {}).get("file") or hashlib.sha256(name.encode()).hexdigest()[:32] + ".jsonl"
        if source is not None:
            tmp = (folder / file).with_suffix(".tmp")
            tmp.write_bytes(source.read_bytes())
            tmp.replace(folder / file)
        index[name] = {"file": file, "base": base, **({"root": root} if root is not None else {})}
        self.write_data_index(index)

    def write_data_index(self, index: dict[str, dict[str, Any]]) -> None:
        tmp_index = (self.dir / DATA / DATA_INDEX).with_suffix(".tmp")
        tmp_index.write_text(json.dumps(index, indent=2), encoding="utf-8")
        tmp_index.replace(self.dir / DATA / DATA_INDEX)

    def unstage_data(self, name: str | None = None) -> None:
        """Forget the staged dataset ``name``, or all of them."""
        folder = self.dir / DATA
        index = self.staged_data()
        for entry_name, entry in list(index.items()):
            if name is None or entry_name == name:
                (folder / entry["file"]).unlink(missing_ok=True)
                del index[entry_name]
        if index:
            self.write_data_index(index)
        else:
            (folder / DATA_INDEX).unlink(missing_ok=True)

    def head(self) -> str | None:
        """What ``checkout`` chose, if anything (else the store's HEAD)."""
        try:
            return (self.dir / HEAD).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def set_head(self, ref: str) -> None:
        tmp = (self.dir / HEAD).with_suffix(".tmp")
        tmp.write_text(ref + "\n", encoding="utf-8")
        tmp.replace(self.dir / HEAD)

    def staged(self) -> tuple[Schema, str | None] | None:
        """The schema ``add`` staged and the commit it was staged on, if anything is staged."""
        text = self.staged_json()
        if text is None:
            return None
        try:
            index = json.loads(text)
            return panproto.Schema.from_json(json.dumps(index["schema"])), index["base"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CliError(f"{self.index} is not a panproto index ({exc}); remove it and add again") from exc

    def staged_schema(self) -> Schema | None:
        """The schema ``add`` staged, if any."""
        staged = self.staged()
        return None if staged is None else staged[0]

    def staged_json(self) -> str | None:
        try:
            return self.index.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def stage(self, schema: Schema, base: str | None) -> None:
        """Save the staged schema and the commit it is a change from (``None``: none yet)."""
        tmp = self.index.with_suffix(".tmp")
        tmp.write_text(json.dumps({"base": base, "schema": json.loads(schema.to_json())}), encoding="utf-8")
        tmp.replace(self.index)

    def unstage(self) -> None:
        self.index.unlink(missing_ok=True)


def write_config(directory: Path, store: str, name: str) -> Path:
    """Write ``.panproto/config`` under ``directory``."""
    parser = configparser.ConfigParser(interpolation=None)
    parser["repository"] = {"store": store, "name": name}
    path = directory / DIR / CONFIG
    with path.open("w", encoding="utf-8") as f:
        f.write("# panproto working copy: where the history is kept\n")
        parser.write(f)
    return path


# --------------------------------------------------------------------------
# Output


def read_records(path: Path) -> Iterator[Any]:
    """Records from a file: a JSON array, or JSON lines (one record per line)."""
    with path.open(encoding="utf-8") as f:
        start = f.read(1)
        while start.isspace():
            start = f.read(1)
        if start == "[":
            try:
                records = json.loads(start + f.read())
            except ValueError as exc:
                raise CliError(f"{path}: not a JSON array of records: {exc}") from exc
            yield from records
            return
        f.seek(0)
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise CliError(f"{path}:{number}: not a JSON record: {exc}") from exc


def _json_default(value: object) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def emit_records(records: Iterable[Any]) -> None:
    """Records as JSON lines."""
    for record in records:
        sys.stdout.write(json.dumps(record, default=_json_default, ensure_ascii=False))
        sys.stdout.write("\n")


def emit_json(document: Any) -> None:
    json.dump(document, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def describe_change(change: Change) -> str:
    text = f"{change['kind']:<20} {change['element']}"
    old, new = change.get("old"), change.get("new")
    if old is not None and new is not None:
        text += f" ({old} -> {new})"
    elif new is not None:
        text += f" ({new})"
    elif old is not None:
        text += f" (was {old})"
    return text


def print_changes(changes: Sequence[Change], indent: str = "  ") -> None:
    for change in changes:
        print(indent + describe_change(change))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def verdict_line(data: DiffReportData) -> str:
    breaking, other = len(data["breaking"]), len(data["non_breaking"])
    if not data["changes"]:
        return f"verdict: {data['compatibility']} (no changes)"
    return f"verdict: {data['compatibility']} ({plural(breaking, 'breaking change')}, {other} non-breaking)"


def print_classified(data: DiffReportData) -> None:
    """Each change with its classification and reason (breaking ones first), then the verdict."""
    classified: list[ClassifiedChange] = [*data["breaking"], *data["non_breaking"]]
    for change in classified:
        label = "breaking" if change["breaking"] else "ok"
        print(f"  {label:<9} {describe_change(change)}")
        print(f"  {'':<9} {change['reason']}")
    if classified:
        print()
    print(verdict_line(data))


def format_time(timestamp: int) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%a %b %d %H:%M:%S %Y +0000")


def default_author() -> str:
    author = os.environ.get("PANPROTO_AUTHOR", "").strip()
    if author:
        return author
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'localhost'}"


# --------------------------------------------------------------------------
# Commands


def cmd_init(args: argparse.Namespace) -> int:
    root = Path.cwd()
    if (root / DIR / CONFIG).exists():
        raise CliError(f"{root / DIR} already exists: this directory is already a panproto working copy")
    store = args.store or DEFAULT_STORE
    (root / DIR).mkdir(exist_ok=True)
    location = store if "://" in store else str(root / store)
    repo = panproto.Repository.init(location, args.protocol, name=args.name)
    with repo:
        config = write_config(root, store, args.name)
        if args.json:
            emit_json(
                {
                    "location": repo.location,
                    "name": repo.name,
                    "protocol": repo.protocol.name,
                    "branch": repo.branch,
                    "config": str(config),
                    "backend": panproto.__backend__,
                }
            )
        else:
            print(
                f"Initialized empty panproto repository {repo.name!r} ({repo.protocol.name}) "
                f"in {repo.location} [{panproto.__backend__}]"
            )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    path = Path(args.file)
    text = path.read_text(encoding="utf-8")
    schema = panproto.Schema.from_json(text)
    with wc.open(restore_stage=False) as repo:
        report = repo.add(schema)
        wc.stage(schema, repo.head)
    if args.json:
        emit_json({"file": str(path), "staged": schema.id, **report.to_dict()})
    else:
        print(f"staged {path} (schema {schema.id[:12]}): {len(report)} change(s) against HEAD, {report.compatibility}")
        print_changes(report.changes)
    return 0


def cmd_commit(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    author = args.author or default_author()
    with wc.open() as repo:
        try:
            commit_id = repo.commit(args.message, author)
        except ConflictError as exc:
            raise CliError(
                f"{exc}: someone committed first; run `panproto rebase` to re-apply "
                "the staged schema on the new head, then commit again"
            ) from exc
        wc.unstage()
        wc.unstage_data()
        branch = repo.branch
        if branch is None:  # a detached HEAD is this working copy's: it follows the new commit
            wc.set_head(commit_id)
        if args.json:
            emit_json({**repo.log(1)[0].to_dict(), "branch": branch})
            return 0
    first_line = args.message.splitlines()[0] if args.message else ""
    print(f"[{branch or 'detached HEAD'} {commit_id[:12]}] {first_line}")
    return 0


def print_commit(commit: Commit, decoration: str) -> None:
    print(f"commit {commit.short_id}{decoration}")
    print(f"Author: {commit.author}")
    print(f"Date:   {format_time(commit.timestamp)}")
    print(f"Compatibility: {commit.compatibility or 'unknown'}")
    print()
    for line in commit.message.splitlines() or [""]:
        print(f"    {line}")
    print()


def cmd_log(args: argparse.Namespace) -> int:
    if args.n is not None and args.n < 0:
        raise CliError("-n must not be negative")
    wc = WorkingCopy.find(Path.cwd())
    with wc.open() as repo:
        commits = repo.log(args.n)
        branch = repo.branch
        head = repo.head
    if args.json:
        emit_json([c.to_dict() for c in commits])
        return 0
    if not commits:
        print(f"no commits yet on {branch or 'HEAD'}")
    for commit in commits:
        print_commit(commit, decoration(commit, head, branch))
    return 0


def decoration(commit: Commit, head: str | None, branch: str | None) -> str:
    if commit.id != head:
        return ""
    return f" (HEAD -> {branch})" if branch else " (HEAD)"


def print_status(status: Status) -> None:
    print(f"On branch {status.branch}" if status.branch else "HEAD detached")
    print(f"HEAD: {status.head[:12]}" if status.head else "No commits yet")
    datasets = status.staged_data
    for name, count in datasets.items():
        print(f"Staged dataset {name!r}: {plural(count, 'record')} (use `panproto commit` to record it)")
    if status.staged is None:
        print("nothing staged (use `panproto add FILE`)" if not datasets else "no schema staged")
        return
    print(f"Staged schema {status.staged[:12]}: {len(status.changes)} change(s) to commit, {status.compatibility}")
    print_changes(status.changes)


def cmd_status(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    with wc.open() as repo:
        status = repo.status()
    if args.json:
        emit_json(status.to_dict())
    else:
        print_status(status)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    with wc.open() as repo:
        shown = repo.show(args.ref)
        head, branch = repo.head, repo.branch
    commit, data = shown["commit"], shown["diff"].to_dict()
    if args.json:
        emit_json({"commit": commit.to_dict(), "diff": data})
        return 0
    print_commit(commit, decoration(commit, head, branch))
    print_classified(data)
    return 0


class Side:
    """One side of a comparison: a schema and how the command line named it
    (a file, a ref, ``staged``, ``HEAD``)."""

    def __init__(self, label: str, schema: Schema) -> None:
        self.label = label
        self.schema = schema


class Schemas:
    """Reads the schemas ``diff`` and ``check`` compare; opens the working
    copy's repository only when a ref needs it."""

    def __init__(self) -> None:
        self.wc: WorkingCopy | None = None
        self.repo: Repository | None = None

    def __enter__(self) -> Schemas:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.repo is not None:
            self.repo.close()

    def repository(self) -> tuple[WorkingCopy, Repository]:
        if self.wc is None or self.repo is None:
            self.wc = WorkingCopy.find(Path.cwd())
            self.repo = panproto.Repository.open(self.wc.location, name=self.wc.name)
        return self.wc, self.repo

    def side(self, arg: str, what: str) -> Side:
        """A file if ``arg`` names one, else a ref."""
        path = Path(arg)
        if path.is_file():
            try:
                return Side(arg, panproto.Schema.from_json(path.read_text(encoding="utf-8")))
            except PanprotoError as exc:
                raise CliError(f"{what} {arg}: not a schema: {exc}") from exc
        try:
            _, repo = self.repository()
        except CliError as exc:
            raise CliError(f"{what} {arg!r} is not a file, and refs need a working copy: {exc}") from exc
        try:
            return Side(arg, repo.schema_at(arg))
        except panproto.NotFoundError as exc:
            raise CliError(f"{what} {arg!r} is neither a schema file nor a ref of the repository ({exc})") from exc

    def head(self) -> Side:
        """HEAD's schema; the empty schema before the first commit."""
        _, repo = self.repository()
        if repo.head is None:
            return Side("(no commits)", repo.protocol.schema().build())
        return Side("HEAD", repo.schema_at("HEAD"))

    def current(self) -> Side:
        """The staged schema if ``add`` staged one, else HEAD's."""
        wc, _ = self.repository()
        staged = wc.staged_schema()
        return self.head() if staged is None else Side("staged", staged)


def compare(args: argparse.Namespace) -> tuple[Side, Side, DiffReportData]:
    """The two sides ``diff`` / ``check`` name, and the classified changes between them."""
    with Schemas() as schemas:
        old = schemas.side(args.old, "OLD") if args.old is not None else schemas.head()
        new = schemas.side(args.new, "NEW") if args.new is not None else schemas.current()
    return old, new, panproto.diff(old.schema, new.schema).to_dict()


def print_comparison(old: Side, new: Side, data: DiffReportData) -> None:
    count = plural(len(data["changes"]), "change")
    print(f"{old.label} ({old.schema.id[:12]}) -> {new.label} ({new.schema.id[:12]}): {count}")
    print_classified(data)


def cmd_diff(args: argparse.Namespace) -> int:
    old, new, data = compare(args)
    if args.json:
        emit_json({"old": old.label, "new": new.label, **data})
    else:
        print_comparison(old, new, data)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    old, new, data = compare(args)
    compatible = data["compatibility"] != "breaking"
    if args.json:
        emit_json({"old": old.label, "new": new.label, "compatible": compatible, **data})
    else:
        print_comparison(old, new, data)
    return 0 if compatible else EXIT_BREAKING


# --------------------------------------------------------------------------
# Parser


def cmd_branch(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    with wc.open(restore_stage=False) as repo:
        if args.delete:
            repo.delete_branch(args.delete)
            result: dict[str, Any] = {"deleted": args.delete}
            text = f"Deleted branch {args.delete}"
        elif args.move:
            old, new = args.move
            was_current = repo.branch == old
            repo.rename_branch(old, new)
            if was_current and wc.head() is not None:
                wc.set_head(new)
            result = {"renamed": old, "to": new}
            text = f"Renamed branch {old} to {new}"
        elif args.name:
            commit = repo.create_branch(args.name, args.at)
            result = {"branch": args.name, "commit": commit}
            text = f"Created branch {args.name} at {commit[:12]}"
        else:
            branches = repo.branches()
            if args.json:
                emit_json({"current": repo.branch, "branches": branches})
            else:
                for name, commit in branches.items():
                    print(f"{'*' if name == repo.branch else ' '} {name:20} {commit[:12]}")
            return 0
    if args.json:
        emit_json(result)
    else:
        print(text)
    return 0


def cmd_checkout(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    if wc.staged_json() is not None or wc.staged_data():
        raise CliError("a schema or data is staged; commit it before checking out")
    with wc.open(restore_stage=False) as repo:
        branch = repo.checkout(args.ref)
        head = repo.head
    wc.set_head(branch if branch is not None else str(head))
    if args.json:
        emit_json({"branch": branch, "head": head})
    elif branch is not None:
        print(f"Switched to branch {branch}")
    else:
        print(f"HEAD is now at {str(head)[:12]} (detached)")
    return 0


def first_line(text: str | None) -> str:
    return (text or "").splitlines()[0] if text else ""


def cmd_tag(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    with wc.open(restore_stage=False) as repo:
        if args.name is None:
            tags = repo.tags()
            if args.json:
                emit_json(tags)
            else:
                for name, commit in tags.items():
                    message = first_line(repo.tag_info(name)["message"])
                    print(f"{name:20} {commit[:12]}" + (f"  {message}" if message else ""))
            return 0
        if args.message is not None:
            repo.tag(args.name, args.ref, message=args.message, tagger=args.tagger or default_author())
        else:
            repo.tag(args.name, args.ref)
        info: TagInfo = repo.tag_info(args.name)
    if args.json:
        emit_json({"tag": args.name, **{k: v for k, v in info.items() if k != "name"}})
    else:
        kind = "annotated tag" if info["annotated"] else "tag"
        print(f"Tagged {info['commit'][:12]} as {args.name} ({kind})")
    return 0


def resolutions(args: argparse.Namespace) -> dict[str, MergeSide]:
    """``--ours``/``--theirs`` ELEMENT options as ``resolve=`` takes them."""
    chosen: dict[str, MergeSide] = {}
    options: tuple[tuple[MergeSide, list[str]], ...] = (("ours", args.ours), ("theirs", args.theirs))
    for side, elements in options:
        for element in elements:
            if chosen.setdefault(element, side) != side:
                raise CliError(f"{element!r} is given both --ours and --theirs")
    return chosen


def describe_side(value: str | None) -> str:
    return "(absent)" if value is None else value


def print_conflicts(conflicts: Sequence[MergeConflict], what: str) -> None:
    print(f"{what} stopped: {plural(len(conflicts), 'conflict')}, nothing was written")
    for c in conflicts:
        print(f"  {c['kind']:17} {c['element']}")
        sides = (("base", c["base"]), ("ours", c["ours"]), ("theirs", c["theirs"]))
        print("      " + " | ".join(f"{label} {describe_side(value)}" for label, value in sides))
    print("resolve each with --ours ELEMENT or --theirs ELEMENT (or --strategy ours|theirs) and run it again")


def print_resolved(resolved: Sequence[ResolvedConflict]) -> None:
    for r in resolved:
        print(f"  resolved {r['element']}: {r['side']}")


def cmd_merge(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    if wc.staged_json() is not None:
        raise CliError("a schema is staged; commit it before merging")
    with wc.open(restore_stage=False) as repo:
        try:
            result = repo.merge(
                args.ref,
                args.author or default_author(),
                args.message,
                resolve=resolutions(args),
                strategy=args.strategy,
            )
        except MergeConflictError as exc:
            if args.json:
                emit_json({"conflicts": list(exc.conflicts)})
            else:
                print_conflicts(exc.conflicts, "merge")
            return EXIT_CONFLICTS
    if args.json:
        emit_json(dict(result))
        return 0
    if result["kind"] == "up-to-date":
        print("Already up to date.")
    elif result["kind"] == "fast-forward":
        print(f"Fast-forward to {result['commit'][:12]}")
    else:
        print(f"Merged {args.ref}: commit {result['commit'][:12]}")
        print_resolved(result["resolved"])
    return 0


def cmd_rebase(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    if wc.staged_json() is None and not wc.staged_data():
        raise CliError("nothing is staged to rebase")
    with wc.open() as repo:
        try:
            result = repo.rebase(resolve=resolutions(args), strategy=args.strategy)
        except MergeConflictError as exc:
            if args.json:
                emit_json({"conflicts": list(exc.conflicts)})
            else:
                print_conflicts(exc.conflicts, "rebase")
            return EXIT_CONFLICTS
        staged = repo.staged_schema()
        if result["kind"] == "rebased":
            if staged is not None:
                wc.stage(staged, result["onto"])
            kept = repo.status().staged_data  # a dataset resolved "ours" is no longer staged
            for name, entry in wc.staged_data().items():
                if name in kept:
                    wc.stage_data(name, None, entry.get("root"), result["onto"])
                else:
                    wc.unstage_data(name)
    if args.json:
        emit_json(dict(result))
    elif result["kind"] == "up-to-date":
        print("The staged schema is already on the branch's head.")
    else:
        print(f"Rebased the staged schema onto {str(result['onto'])[:12]}; commit it now")
        print_resolved(result["resolved"])
    return 0


def add_resolution_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ours", action="append", default=[], metavar="ELEMENT", help="settle this conflict our way")
    p.add_argument("--theirs", action="append", default=[], metavar="ELEMENT", help="settle this conflict their way")
    p.add_argument(
        "--strategy", choices=("ours", "theirs"), default=None, help="the side that wins every other conflict"
    )


def add_merge_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``merge`` and ``rebase`` subcommands."""
    p = sub.add_parser(
        "merge",
        parents=[common],
        help="merge a branch or commit into the current branch",
        description="Fast-forward when possible, else merge the schemas three-way against their "
        "merge base and commit. Conflicts are listed (exit 1) and nothing is written until each "
        "is resolved with --ours/--theirs ELEMENT or --strategy.",
    )
    p.add_argument("ref", metavar="REF", help="what to merge: a branch, tag or commit")
    p.add_argument("-m", "--message", default=None, help="the merge commit's message")
    p.add_argument("--author", default=None, help="default: $PANPROTO_AUTHOR, else user@host")
    add_resolution_options(p)
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser(
        "rebase",
        parents=[common],
        help="re-apply the staged schema on the branch's new head",
        description="After `commit` refused because someone committed first: merge the staged "
        "changes onto the branch's new head and stage the result. In conflicts, 'ours' is the "
        "new head and 'theirs' the staged work.",
    )
    add_resolution_options(p)
    p.set_defaults(func=cmd_rebase)


def cmd_data_add(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    path = Path(args.file)
    with wc.open() as repo:
        dataset = repo.add_data(args.name, read_records(path), root=args.root)
        wc.stage_data(args.name, path, args.root, repo.head)
    if args.json:
        emit_json({"dataset": args.name, "file": str(path), "id": dataset})
    else:
        print(f"staged dataset {args.name!r} from {path} ({dataset[:12]})")
    return 0


def cmd_data_show(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    with wc.open(restore_stage=False) as repo:
        emit_records(repo.data_at(args.ref, args.name))
    return 0


def cmd_data_list(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    with wc.open(restore_stage=False) as repo:
        datasets = repo.datasets(args.ref)
    if args.json:
        emit_json(datasets)
    else:
        for name, count in datasets.items():
            print(f"{name:20} {plural(count, 'record')}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    with wc.open(restore_stage=False) as repo:
        emit_records(repo.migrate_data(args.name, args.from_ref, args.to_ref))
    return 0


def short_ref(name: str) -> str:
    for prefix in ("refs/heads/", "refs/tags/"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def cmd_reflog(args: argparse.Namespace) -> int:
    if args.n is not None and args.n < 0:
        raise CliError("-n must not be negative")
    wc = WorkingCopy.find(Path.cwd())
    with wc.open(restore_stage=False) as repo:
        entries = repo.reflog(args.ref, args.n)
    if args.json:
        emit_json(entries)
        return 0
    for i, entry in enumerate(entries):
        new = (entry["new"] or "(deleted)")[:12]
        print(f"{new:12} {short_ref(entry['ref'])}@{{{i}}}: {entry['message']}  ({format_time(entry['timestamp'])})")
    return 0


def cmd_fsck(args: argparse.Namespace) -> int:
    wc = WorkingCopy.find(Path.cwd())
    # No checkout, no stage: a damaged repository must still open for checking.
    with panproto.Repository.open(wc.location, name=wc.name) as repo:
        report = repo.verify()
    if args.json:
        emit_json(report.to_dict())
    else:
        for problem in report.problems:
            print(f"{problem['kind']:<16} {problem['object'][:40]:<40} {problem['message']}")
        checked = f"checked {plural(report.objects, 'object')} and {plural(report.refs, 'ref')}"
        if report.ok:
            print(f"{checked}: no problems")
        else:
            print(f"{checked}: {plural(len(report.problems), 'problem')}")
    return 0 if report.ok else EXIT_PROBLEMS


def add_ref_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The subcommands over tags, the reflog and the store's integrity."""
    p = sub.add_parser("tag", parents=[common], help="list tags, or tag a commit")
    p.add_argument("name", metavar="NAME", nargs="?", default=None, help="the new tag (default: list them)")
    p.add_argument("ref", metavar="REF", nargs="?", default="HEAD", help="what to tag (default: HEAD)")
    p.add_argument("-m", "--message", default=None, help="make an annotated tag with this message")
    p.add_argument("--tagger", default=None, help="who tags (default: $PANPROTO_AUTHOR, else user@host)")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("reflog", parents=[common], help="show how a branch or tag moved, newest first")
    p.add_argument(
        "ref", metavar="REF", nargs="?", default="HEAD", help="HEAD (this working copy's branch), a branch or a tag"
    )
    p.add_argument("-n", type=int, default=None, metavar="N", help="show at most N entries")
    p.set_defaults(func=cmd_reflog)

    p = sub.add_parser(
        "fsck",
        parents=[common],
        help="check the repository's integrity: exit 0 clean, 1 problems found, 2 error",
        description="Re-hash and decode every object, check that everything referenced exists with the "
        "right kind and that every ref points at a commit. Exit 0 when clean, 1 when problems were found.",
    )
    p.set_defaults(func=cmd_fsck)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document instead of text")

    parser = argparse.ArgumentParser(
        prog="panproto",
        description="Version control for schemas.",
        epilog="Run `panproto COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and backend, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", parents=[common], help="create a repository and tie this directory to it")
    p.add_argument("--protocol", default="atproto", help="the protocol schemas follow (default: atproto)")
    p.add_argument(
        "--store",
        default=None,
        help=f"SQLite file or postgresql:// URL (default: {DEFAULT_STORE})",
    )
    p.add_argument("--name", default="default", help="the repository's name in the store (default: default)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("add", parents=[common], help="stage a schema (JSON, as Schema.to_json writes it)")
    p.add_argument("file", metavar="FILE", help="the schema's JSON file")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("commit", parents=[common], help="record the staged schema")
    p.add_argument("-m", "--message", required=True, help="the commit message")
    p.add_argument("--author", default=None, help="default: $PANPROTO_AUTHOR, else user@host")
    p.set_defaults(func=cmd_commit)

    p = sub.add_parser("log", parents=[common], help="show the history, newest first")
    p.add_argument("-n", type=int, default=None, metavar="N", help="show at most N commits")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("status", parents=[common], help="show HEAD and what is staged, with its verdict")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("show", parents=[common], help="show a commit, its changes and its verdict")
    p.add_argument("ref", metavar="REF", nargs="?", default="HEAD", help="HEAD (default), HEAD~N, a branch, an id")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("branch", parents=[common], help="list, create, delete or rename branches")
    p.add_argument("name", metavar="NAME", nargs="?", default=None, help="create this branch (default: list them)")
    p.add_argument("--at", default="HEAD", metavar="REF", help="where a new branch starts (default: HEAD)")
    p.add_argument("-d", "--delete", metavar="NAME", default=None, help="delete a branch")
    p.add_argument("-m", "--move", nargs=2, metavar=("OLD", "NEW"), default=None, help="rename a branch")
    p.set_defaults(func=cmd_branch)

    p = sub.add_parser("checkout", parents=[common], help="point this working copy at a branch or a commit")
    p.add_argument("ref", metavar="REF", help="a branch (HEAD follows its commits) or any ref (detached)")
    p.set_defaults(func=cmd_checkout)

    add_ref_commands(sub, common)

    add_merge_commands(sub, common)

    sides = "each of A and B is a schema JSON file, or a ref: HEAD, HEAD~N, a branch name or a full commit id"
    p = sub.add_parser(
        "diff",
        parents=[common],
        help="show the classified changes between two versions",
        description="Without arguments: HEAD against the staged schema (if any, else HEAD). "
        "With A: A against the staged schema or HEAD. With A and B: A against B. " + sides + ".",
    )
    p.add_argument("old", metavar="A", nargs="?", default=None, help="the old version (default: HEAD)")
    p.add_argument("new", metavar="B", nargs="?", default=None, help="the new version (default: staged, else HEAD)")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="is NEW compatible with OLD? exit 0 compatible, 1 breaking, 2 error (a CI gate)",
        description="Classify the changes from OLD to NEW and exit 0 when NEW is fully or backward "
        "compatible, 1 when it breaks, 2 on error. OLD and NEW are schema JSON files or refs "
        "(HEAD, HEAD~N, a branch name, a full commit id).",
    )
    p.add_argument("old", metavar="OLD", help="the old version: a schema JSON file or a ref")
    p.add_argument("new", metavar="NEW", help="the new version: a schema JSON file or a ref")
    p.set_defaults(func=cmd_check)
    add_data_commands(sub, common)
    return parser


def add_data_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """``migrate`` and ``data add|show|list``."""
    p = sub.add_parser(
        "migrate",
        parents=[common],
        help="print a dataset moved from one version to another, as JSON lines",
        description="Dataset NAME as FROM holds it, migrated along the history to TO's schema "
        "(forward with the composed migrations, back with the complements kept), one JSON record per line.",
    )
    p.add_argument("name", metavar="NAME", help="the dataset")
    p.add_argument("from_ref", metavar="FROM", help="the version the dataset is read at")
    p.add_argument("to_ref", metavar="TO", help="the version to migrate it to")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("data", help="stage, list and show datasets")
    data = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    q = data.add_parser("add", parents=[common], help="stage a dataset from a JSON-lines file (or a JSON array)")
    q.add_argument("name", metavar="NAME", help="the dataset's name")
    q.add_argument("file", metavar="FILE", help="the records: JSON lines, or one JSON array")
    q.add_argument("--root", default=None, help="the schema vertex records are read at (default: the only root)")
    q.set_defaults(func=cmd_data_add)
    q = data.add_parser("show", parents=[common], help="print a dataset's records as JSON lines")
    q.add_argument("name", metavar="NAME", help="the dataset")
    q.add_argument("ref", metavar="REF", nargs="?", default="HEAD", help="the version (default: HEAD)")
    q.set_defaults(func=cmd_data_show)
    q = data.add_parser("list", parents=[common], help="list the datasets of a version with their sizes")
    q.add_argument("ref", metavar="REF", nargs="?", default="HEAD", help="the version (default: HEAD)")
    q.set_defaults(func=cmd_data_list)


def fail(message: str, *, as_json: bool = False) -> NoReturn:
    if as_json:
        emit_json({"error": message})
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"panproto {panproto.__version__} ({panproto.__backend__} backend)")
        return 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        status: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left (`panproto log | head`): exit quietly, as on SIGPIPE
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        return EXIT_BROKEN_PIPE
    except (PanprotoError, CliError, OSError) as exc:
        fail(str(exc) or type(exc).__name__, as_json=args.json)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return status
