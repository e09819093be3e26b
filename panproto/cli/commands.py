"""The commands: one ``cmd_<name>(args) -> exit status`` each.

A command reads its arguments, opens the working copy's repository with
only the part of the stage it needs (see :meth:`WorkingCopy.open`), calls
the API, and prints through :mod:`panproto.cli.render`. It fails by raising
(:class:`CliError`, :class:`panproto.PanprotoError`, ``OSError``...);
:func:`panproto.cli.run.main` turns every failure into the ``error:`` line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path

import panproto
from panproto.cli import render
from panproto.cli.errors import EXIT_BREAKING, EXIT_CONFLICTS, EXIT_OK, EXIT_PROBLEMS, CliError
from panproto.cli.files import read_records, read_text
from panproto.cli.progress import Progress
from panproto.cli.workcopy import CONFIG, DEFAULT_STORE, DIR, WorkingCopy, without_password, write_config
from panproto.errors import CompatibilityError, ConflictError, LensError, MergeConflictError, PanprotoError

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from panproto._api import DiffReport, ProtolensChain, Repository, Schema
    from panproto.types import DiffReportData, MergeSide, StatusData, TagInfo

    T = TypeVar("T")
    U = TypeVar("U")


def default_author() -> str:
    """``$PANPROTO_AUTHOR``, else ``user@host``."""
    author = os.environ.get("PANPROTO_AUTHOR", "").strip()
    if author:
        return author
    import getpass  # noqa: PLC0415  (imported where used: every command pays for top-level imports)
    import socket  # noqa: PLC0415  (imported where used: every command pays for top-level imports)

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'localhost'}"


def here() -> WorkingCopy:
    return WorkingCopy.find(Path.cwd())


def nonnegative(value: int | None, option: str) -> int | None:
    if value is not None and value < 0:
        raise CliError(f"{option} must not be negative")
    return value


# -------------------------------------------------------------------- init, add, commit


def cmd_init(args: argparse.Namespace) -> int:
    root = Path.cwd()
    if (root / DIR / CONFIG).exists():
        raise CliError(f"{root / DIR} already exists: this directory is already a panproto working copy")
    store = args.store or DEFAULT_STORE
    fmt = fmt_arg(args)
    if fmt is not None and args.protocol is not None and args.protocol != fmt:
        raise CliError(f"--format {fmt} makes schemas of protocol {fmt}, not {args.protocol}")
    protocol = fmt or args.protocol or "atproto"
    (root / DIR).mkdir(exist_ok=True)
    location = store if "://" in store else str(root / store)
    with panproto.Repository.init(location, protocol, name=args.name) as repo:
        config = write_config(root, store, args.name, fmt)
        if without_password(store) != store:
            print(
                f"note: {config} keeps the URL without its password; later commands take it from "
                "PGPASSWORD or ~/.pgpass (PGPASSFILE)",
                file=sys.stderr,
            )
        if args.json:
            render.emit_json(
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
    return EXIT_OK


def is_panproto_json(text: str) -> bool:
    """Whether ``text`` is panproto's own schema JSON (``Schema.to_json``),
    rather than a native file that happens to be JSON (a lexicon, a JSON
    Schema, an Avro schema)."""
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and "protocol" in value and "vertices" in value


def read_schema(path: Path, what: str | None = None, fmt: str | None = None) -> Schema:
    """The schema in a file or directory: panproto's own JSON, or a native
    format (``fmt``, else told from names and content). ``what`` (``OLD``,
    ``NEW``) prefixes the error when it cannot be read."""

    def fail(exc: Exception, detail: str) -> CliError:
        return CliError(f"{what} {detail}" if what else detail)

    try:
        if fmt is None and path.is_file() and path.suffix.lower() == ".json":
            text = read_text(path)
            if is_panproto_json(text):
                return panproto.Schema.from_json(text)
        if not path.exists():
            raise CliError(f"{path}: no such file or directory")
        return panproto.parse(path, fmt)
    except CliError as exc:
        if what is None:
            raise
        raise fail(exc, str(exc)) from exc
    except PanprotoError as exc:
        if what is None:
            raise
        raise fail(exc, f"{path}: not a schema: {exc}") from exc


def fmt_arg(args: argparse.Namespace, wc: WorkingCopy | None = None) -> str | None:
    """The format ``--format`` names, else the working copy's, checked."""
    fmt = getattr(args, "format", None) or (wc.format if wc is not None else None)
    if fmt is not None and fmt not in panproto.list_formats():
        raise CliError(f"unknown format {fmt!r}; the formats are {', '.join(panproto.list_formats())}")
    return fmt


def read_lens(path: Path) -> tuple[str, ProtolensChain]:
    """The lens in a file (``ProtolensChain.to_json``'s form), with its text."""
    try:
        text = read_text(path)
    except FileNotFoundError as exc:
        raise CliError(f"{path}: no such file") from exc
    try:
        return text, panproto.ProtolensChain.from_json(text)
    except LensError as exc:
        raise CliError(f"{path}:{exc.line}:{exc.column}: not a panproto lens: {exc}") from exc


def cmd_add(args: argparse.Namespace) -> int:
    wc = here()
    path = Path(args.file)
    fmt = fmt_arg(args, wc)
    schema = read_schema(path, fmt=fmt)
    lens = None if args.lens is None else read_lens(Path(args.lens))
    with wc.open() as repo:
        report = repo.add(schema, lens=None if lens is None else lens[1], root=args.root)
        wc.stage(schema, repo.head, None if lens is None else (lens[0], args.root))
    wc.track(path, fmt)
    report_staged(args, str(path), schema, report, lens is not None)
    return EXIT_OK


def cmd_evolve(args: argparse.Namespace) -> int:
    wc = here()
    text, lens = read_lens(Path(args.lens))
    with wc.open() as repo:
        report = repo.evolve(lens, root=args.root)
        schema = repo.staged_schema()
        if schema is None:  # evolve stages or raises
            raise CliError("evolve staged nothing")
        wc.stage(schema, repo.head, (text, args.root))
    report_staged(args, f"what {args.lens} makes of HEAD", schema, report, True)
    return EXIT_OK


def report_staged(args: argparse.Namespace, what: str, schema: Schema, report: DiffReport, lens: bool) -> None:
    if args.json:
        render.emit_json({"file": what, "staged": schema.id, "lens": lens, **report.to_dict()})
        return
    how = " with its lens" if lens else ""
    print(f"staged {what} (schema {schema.id[:12]}){how}: {len(report)} change(s) against HEAD, {report.compatibility}")
    render.print_changes(report.changes)


def cmd_commit(args: argparse.Namespace) -> int:
    wc = here()
    author = args.author or default_author()
    with wc.open(schema=True, data=True) as repo:
        try:
            commit_id = repo.commit(args.message, author, allow_breaking=args.allow_breaking)
        except ConflictError as exc:
            raise CliError(
                f"{exc}: someone committed first; run `panproto rebase` to re-apply "
                "the staged schema on the new head, then commit again"
            ) from exc
        except CompatibilityError as exc:
            raise CliError(render.policy_refusal(exc, "commit")) from exc
        wc.unstage()
        wc.unstage_data()
        branch = repo.branch
        if branch is None:  # a detached HEAD is this working copy's: it follows the new commit
            wc.set_head(commit_id)
        if args.json:
            render.emit_json({**repo.log(1)[0].to_dict(), "branch": branch})
            return EXIT_OK
    print(f"[{branch or 'detached HEAD'} {commit_id[:12]}] {render.first_line(args.message)}")
    return EXIT_OK


# -------------------------------------------------------------------- read-only history


# The mark `log --graph` gives each commit's verdict.
VERDICT_MARKS = {"fully-compatible": "=", "backward-compatible": "+", "breaking": "!"}


def cmd_log_graph(args: argparse.Namespace, limit: int | None) -> int:
    with here().open() as repo:
        lines = repo.graph(limit)
        head, branch = repo.head, repo.branch
        names: dict[str, list[str]] = {}
        for name, target in repo.branches().items():
            names.setdefault(target, []).append(f"HEAD -> {name}" if name == branch and target == head else name)
        for name, target in repo.tags().items():
            names.setdefault(target, []).append(f"tag: {name}")
    if head is not None and branch is None:
        names.setdefault(head, []).insert(0, "HEAD")
    if args.json:
        render.emit_json([{"graph": glyphs, "commit": None if c is None else c.to_dict()} for glyphs, c in lines])
        return EXIT_OK
    out = []
    for glyphs, commit in lines:
        if commit is None:
            out.append(glyphs)
            continue
        mark = VERDICT_MARKS.get(commit.compatibility or "", " ")
        refs = names.get(commit.id)
        decoration = f" ({', '.join(sorted(refs))})" if refs else ""
        out.append(f"{glyphs} {mark} {commit.short_id}{decoration} {render.first_line(commit.message)}")
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    limit = nonnegative(args.n, "-n")
    if args.graph:
        return cmd_log_graph(args, limit)
    with here().open() as repo:
        commits = repo.log(limit)
        branch, head = repo.branch, repo.head
    if args.json:
        render.emit_json([c.to_dict() for c in commits])
        return EXIT_OK
    if not commits:
        print(f"no commits yet on {branch or 'HEAD'}")
    for commit in commits:
        render.print_commit(commit, render.decoration(commit, head, branch))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    wc = here()
    # The staged schema is needed for its changes; the staged datasets are
    # not re-read: their record counts are in the data index.
    with wc.open(schema=True) as repo:
        status: StatusData = repo.status().to_dict()
    status["staged_data"] = wc.staged_data_counts()
    tracked = tracked_state(wc)
    if args.json:
        render.emit_json({**status, "tracked": tracked})
    else:
        render.print_status(status, tracked)
    return EXIT_OK


def tracked_state(wc: WorkingCopy) -> dict[str, Any] | None:
    """Whether the files ``add`` last read still give what is staged (or,
    with nothing staged, what HEAD holds): ``{"path", "state"}``, the state
    ``"same"``, ``"modified"`` or ``"missing"``; ``None`` if nothing was added."""
    tracked = wc.tracked()
    if tracked is None:
        return None
    path, fmt = tracked
    full = wc.root / path
    if not full.exists():
        return {"path": path, "state": "missing"}
    staged = wc.staged_schema()
    if staged is not None:
        expected: str | None = staged.id
    else:
        with wc.open() as repo:
            expected = repo.schema_at("HEAD").id if repo.head is not None else None
    try:
        current = read_schema(full, fmt=fmt).id
    except PanprotoError as exc:
        return {"path": path, "state": "unreadable", "error": str(exc)}
    return {"path": path, "state": "same" if current == expected else "modified"}


def cmd_show(args: argparse.Namespace) -> int:
    if args.emit is not None:
        return show_emitted(args)
    with here().open() as repo:
        shown = repo.show(args.ref)
        head, branch = repo.head, repo.branch
    commit, data, lens = shown["commit"], shown["diff"].to_dict(), shown["lens"]
    if args.json:
        lens_data = None if lens is None else json.loads(lens.to_json())
        render.emit_json({"commit": commit.to_dict(), "diff": data, "lens": lens_data})
        return EXIT_OK
    render.print_commit(commit, render.decoration(commit, head, branch))
    render.print_classified(data)
    if lens is not None:
        print("\nlens (moves the records from the parent's schema):")
        print("\n".join("    " + line for line in lens.to_json().splitlines()))
    return EXIT_OK


def show_emitted(args: argparse.Namespace) -> int:
    """``show REF --emit [FORMAT]``: the schema at REF in its native format."""
    wc = here()
    with wc.open() as repo:
        schema = repo.schema_at(args.ref)
    emitted = schema.emit(args.emit or fmt_arg(args, wc))
    files = {"schema": emitted} if isinstance(emitted, str) else emitted
    if args.json:
        render.emit_json({"ref": args.ref, "schema": schema.id, "files": files})
    elif isinstance(emitted, str):
        sys.stdout.write(emitted)
    else:
        for i, (name, text) in enumerate(sorted(emitted.items())):
            print(("\n" if i else "") + f"==> {name} <==")
            sys.stdout.write(text)
    return EXIT_OK


def cmd_reflog(args: argparse.Namespace) -> int:
    limit = nonnegative(args.n, "-n")
    with here().open() as repo:
        entries = repo.reflog(args.ref, limit)
    if args.json:
        render.emit_json(entries)
        return EXIT_OK
    for i, entry in enumerate(entries):
        new = (entry["new"] or "(deleted)")[:12]
        moved = f"{render.short_ref(entry['ref'])}@{{{i}}}: {entry['message']}"
        print(f"{new:12} {moved}  ({render.format_time(entry['timestamp'])})")
    return EXIT_OK


def cmd_fsck(args: argparse.Namespace) -> int:
    wc = here()
    # No checkout, no stage: a damaged repository must still open for checking.
    with (
        panproto.Repository.open(wc.location, name=wc.name) as repo,
        Progress("fsck", "bytes", json_output=args.json) as progress,
    ):
        report = repo.verify(progress=progress)
    if args.json:
        render.emit_json(report.to_dict())
    else:
        for problem in report.problems:
            print(f"{problem['kind']:<16} {problem['object'][:40]:<40} {problem['message']}")
        checked = f"checked {render.plural(report.objects, 'object')} and {render.plural(report.refs, 'ref')}"
        if report.ok:
            print(f"{checked}: no problems")
        else:
            print(f"{checked}: {render.plural(len(report.problems), 'problem')}")
    return EXIT_OK if report.ok else EXIT_PROBLEMS


# -------------------------------------------------------------------- diff and check


class Sides:
    """Reads the schemas ``diff`` and ``check`` compare, as (label, schema);
    opens the working copy's repository only when a ref or the stage needs it."""

    def __init__(self) -> None:
        self.wc: WorkingCopy | None = None
        self.repo: Repository | None = None

    def __enter__(self) -> Sides:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.repo is not None:
            self.repo.close()

    def repository(self) -> tuple[WorkingCopy, Repository]:
        if self.wc is None or self.repo is None:
            self.wc = here()
            self.repo = self.wc.open()
        return self.wc, self.repo

    def named(self, arg: str, what: str) -> tuple[str, Schema]:
        """A file if ``arg`` names one, else a ref."""
        path = Path(arg)
        if path.is_file() or path.is_dir():
            return arg, read_schema(path, what)
        try:
            _, repo = self.repository()
        except CliError as exc:
            raise CliError(f"{what} {arg!r} is not a file, and refs need a working copy: {exc}") from exc
        try:
            return arg, repo.schema_at(arg)
        except panproto.NotFoundError as exc:
            raise CliError(f"{what} {arg!r} is neither a schema file nor a ref of the repository ({exc})") from exc

    def head(self) -> tuple[str, Schema]:
        """HEAD's schema; the empty schema before the first commit."""
        _, repo = self.repository()
        if repo.head is None:
            return "(no commits)", repo.protocol.schema().build()
        return "HEAD", repo.schema_at("HEAD")

    def current(self) -> tuple[str, Schema]:
        """The staged schema if ``add`` staged one, else HEAD's."""
        wc, _ = self.repository()
        staged = wc.staged_schema()
        return self.head() if staged is None else ("staged", staged)


def both_sides(args: argparse.Namespace) -> tuple[tuple[str, Schema], tuple[str, Schema]]:
    """The two schemas ``diff`` / ``check`` name, as (label, schema). Two
    files are parsed at once, in two threads (the parser releases the GIL)."""
    with Sides() as sides:
        if args.old is not None and args.new is not None and all(is_path(a) for a in (args.old, args.new)):
            return in_parallel(lambda: sides.named(args.old, "OLD"), lambda: sides.named(args.new, "NEW"))
        old = sides.named(args.old, "OLD") if args.old is not None else sides.head()
        new = sides.named(args.new, "NEW") if args.new is not None else sides.current()
    return old, new


def in_parallel(first: Callable[[], T], second: Callable[[], U]) -> tuple[T, U]:
    """``first()`` in a thread while ``second()`` runs here; both results,
    or the error of the first that failed, ``first`` before ``second``.
    (A bare thread: concurrent.futures would double the command's imports.)"""
    outcome: list[T | BaseException] = []

    def run() -> None:
        try:
            outcome.append(first())
        except BaseException as exc:  # handed to the caller below
            outcome.append(exc)

    thread = threading.Thread(target=run, name="panproto-parse", daemon=True)
    thread.start()
    try:
        result = second()
    finally:
        thread.join()
    (done,) = outcome
    if isinstance(done, BaseException):
        raise done
    return done, result


def is_path(arg: str) -> bool:
    path = Path(arg)
    return path.is_file() or path.is_dir()


def compare(args: argparse.Namespace) -> tuple[tuple[str, str], tuple[str, str], DiffReportData]:
    """The two sides ``diff`` names, as (label, schema id), and the
    classified changes between them."""
    old, new = both_sides(args)
    data = panproto.diff(old[1], new[1]).to_dict()
    return (old[0], old[1].id), (new[0], new[1].id), data


def cmd_diff(args: argparse.Namespace) -> int:
    old, new, data = compare(args)
    if args.json:
        render.emit_json({"old": old[0], "new": new[0], **data})
    else:
        render.print_comparison(old, new, data)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    if args.against is not None:
        return check_against(args)
    if args.new is None:
        raise CliError("check needs OLD and NEW, or NEW --against BRANCH")
    (old_label, old), (new_label, new) = both_sides(args)
    try:
        report = panproto.check(old, new, mode=args.mode or "BACKWARD")
    except ValueError as exc:  # two protocols: no verdict to give
        raise CliError(str(exc)) from exc
    verdict = report.to_dict()
    if args.json:
        changes = panproto.diff(old, new).to_dict()
        render.emit_json({"old": old_label, "new": new_label, **changes, **verdict})
    else:
        render.print_check((old_label, old.id), (new_label, new.id), verdict)
    return EXIT_OK if verdict["compatible"] else EXIT_BREAKING


def check_against(args: argparse.Namespace) -> int:
    """``check NEW --against BRANCH``: NEW as the next version of BRANCH,
    against its head or, for a ``_TRANSITIVE`` mode, its whole history."""
    if args.new is not None:
        raise CliError("with --against BRANCH, check takes one schema: NEW")
    new_arg = args.old
    with Sides() as sides:
        label, schema = sides.named(new_arg, "NEW")
        _, repo = sides.repository()
        result = repo.check(schema, args.against, mode=args.mode)
    if args.json:
        render.emit_json({"new": label, "against": args.against, **result})
    else:
        render.print_history_check(label, args.against, result)
    return EXIT_OK if result["compatible"] else EXIT_BREAKING


# -------------------------------------------------------------------- policies


def cmd_policy(args: argparse.Namespace) -> int:
    with here().open() as repo:
        if args.repository and len(args.args) > 1:
            raise CliError("with --repository, policy takes at most a MODE")
        branch, mode = (None, *args.args) if args.repository else (*args.args, None, None)[:2]
        if args.clear:
            if mode is not None:
                raise CliError("--clear takes no MODE")
            if branch is None and not args.repository:
                raise CliError("--clear needs a BRANCH, or --repository")
            cleared = repo.clear_policy(branch)
            result: Any = {"cleared": cleared, "branch": branch}
            text = f"{'Cleared' if cleared else 'No'} policy for {branch or 'the repository'}"
        elif mode is not None:
            result = repo.set_policy(mode, branch, author=default_author())
            text = f"Policy for {branch or 'the repository'}: {result['mode']}"
        elif branch is not None or args.repository:
            result = (
                repo.policy(branch)
                if branch is not None
                else next((p for p in repo.policies() if p["scope"] == "repository"), None)
            )
            text = render.describe_policy(branch, result)
        else:
            result = repo.policies()
            text = "\n".join(render.describe_policy(p["branch"], p) for p in result) or "no policies"
    if args.json:
        render.emit_json(result)
    else:
        print(text)
    return EXIT_OK


# -------------------------------------------------------------------- branches and tags


def cmd_branch(args: argparse.Namespace) -> int:
    wc = here()
    with wc.open() as repo:
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
                render.emit_json({"current": repo.branch, "branches": branches})
            else:
                for name, commit in branches.items():
                    print(f"{'*' if name == repo.branch else ' '} {name:20} {commit[:12]}")
            return EXIT_OK
    if args.json:
        render.emit_json(result)
    else:
        print(text)
    return EXIT_OK


def cmd_checkout(args: argparse.Namespace) -> int:
    wc = here()
    if wc.has_stage():
        raise CliError("a schema or data is staged; commit it before checking out")
    with wc.open() as repo:
        branch = repo.checkout(args.ref)
        head = repo.head
    wc.set_head(branch if branch is not None else str(head))
    if args.json:
        render.emit_json({"branch": branch, "head": head})
    elif branch is not None:
        print(f"Switched to branch {branch}")
    else:
        print(f"HEAD is now at {str(head)[:12]} (detached)")
    return EXIT_OK


def cmd_tag(args: argparse.Namespace) -> int:
    with here().open() as repo:
        if args.name is None:
            tags = repo.tags()
            if args.json:
                render.emit_json(tags)
            else:
                for name, commit in tags.items():
                    message = render.first_line(repo.tag_info(name)["message"])
                    print(f"{name:20} {commit[:12]}" + (f"  {message}" if message else ""))
            return EXIT_OK
        if args.message is not None:
            repo.tag(args.name, args.ref, message=args.message, tagger=args.tagger or default_author())
        else:
            repo.tag(args.name, args.ref)
        info: TagInfo = repo.tag_info(args.name)
    if args.json:
        render.emit_json({"tag": args.name, **{k: v for k, v in info.items() if k != "name"}})
    else:
        kind = "annotated tag" if info["annotated"] else "tag"
        print(f"Tagged {info['commit'][:12]} as {args.name} ({kind})")
    return EXIT_OK


# -------------------------------------------------------------------- merge and rebase


def resolutions(args: argparse.Namespace) -> dict[str, MergeSide]:
    """``--ours``/``--theirs`` ELEMENT options as ``resolve=`` takes them."""
    chosen: dict[str, MergeSide] = {}
    options: tuple[tuple[MergeSide, list[str]], ...] = (("ours", args.ours), ("theirs", args.theirs))
    for side, elements in options:
        for element in elements:
            if chosen.setdefault(element, side) != side:
                raise CliError(f"{element!r} is given both --ours and --theirs")
    return chosen


def cmd_merge(args: argparse.Namespace) -> int:
    wc = here()
    if wc.has_staged_schema():
        raise CliError("a schema is staged; commit it before merging")
    with wc.open() as repo:
        try:
            result = repo.merge(
                args.ref,
                args.author or default_author(),
                args.message,
                resolve=resolutions(args),
                strategy=args.strategy,
                allow_breaking=args.allow_breaking,
            )
        except CompatibilityError as exc:
            raise CliError(render.policy_refusal(exc, "merge")) from exc
        except MergeConflictError as exc:
            if args.json:
                render.emit_json({"conflicts": list(exc.conflicts)})
            else:
                render.print_conflicts(exc.conflicts, "merge")
            return EXIT_CONFLICTS
    if args.json:
        render.emit_json(dict(result))
        return EXIT_OK
    if result["kind"] == "up-to-date":
        print("Already up to date.")
    elif result["kind"] == "fast-forward":
        print(f"Fast-forward to {result['commit'][:12]}")
    else:
        print(f"Merged {args.ref}: commit {result['commit'][:12]}")
        render.print_resolved(result["resolved"])
    return EXIT_OK


def cmd_rebase(args: argparse.Namespace) -> int:
    wc = here()
    if not wc.has_stage():
        raise CliError("nothing is staged to rebase")
    with wc.open(schema=True, data=True) as repo:
        try:
            result = repo.rebase(resolve=resolutions(args), strategy=args.strategy)
        except MergeConflictError as exc:
            if args.json:
                render.emit_json({"conflicts": list(exc.conflicts)})
            else:
                render.print_conflicts(exc.conflicts, "rebase")
            return EXIT_CONFLICTS
        staged = repo.staged_schema()
        if result["kind"] == "rebased":
            if staged is not None:
                wc.stage(staged, result["onto"])
            kept = repo.status().staged_data  # a dataset resolved "ours" is no longer staged
            for name, entry in wc.staged_data().items():
                if name in kept:
                    wc.stage_data(name, None, entry.get("root"), result["onto"], kept[name])
                else:
                    wc.unstage_data(name)
    if args.json:
        render.emit_json(dict(result))
    elif result["kind"] == "up-to-date":
        print("The staged schema is already on the branch's head.")
    else:
        print(f"Rebased the staged schema onto {str(result['onto'])[:12]}; commit it now")
        render.print_resolved(result["resolved"])
    return EXIT_OK


# -------------------------------------------------------------------- data


def cmd_data_add(args: argparse.Namespace) -> int:
    wc = here()
    path = Path(args.file)
    # The records are validated against the staged schema (if any); the
    # other staged datasets are not read again.
    records = read_records(path)
    with wc.open(schema=True) as repo, Progress("data add", "records", json_output=args.json) as progress:
        dataset = repo.add_data(args.name, records, root=args.root, progress=progress)
        count = repo.status().staged_data.get(args.name)
        wc.stage_data(args.name, path, args.root, repo.head, count)
    if args.json:
        render.emit_json({"dataset": args.name, "file": str(path), "id": dataset})
    else:
        print(f"staged dataset {args.name!r} from {path} ({dataset[:12]})")
    return EXIT_OK


def cmd_data_show(args: argparse.Namespace) -> int:
    with here().open() as repo:
        render.emit_records(repo.data_at(args.ref, args.name))
    return EXIT_OK


def cmd_data_list(args: argparse.Namespace) -> int:
    with here().open() as repo:
        datasets = repo.datasets(args.ref)
    if args.json:
        render.emit_json(datasets)
    else:
        for name, count in datasets.items():
            print(f"{name:20} {render.plural(count, 'record')}")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    # Progress goes to stderr only: the records on stdout stay clean.
    with here().open() as repo, Progress("migrate", "records") as progress:
        render.emit_records(repo.migrate_data(args.name, args.from_ref, args.to_ref, progress=progress))
    return EXIT_OK


def cmd_import_git(args: argparse.Namespace) -> int:
    wc = here()
    if wc.has_stage():
        raise CliError("something is staged: commit it first")
    fmt = fmt_arg(args, wc)
    with wc.open() as repo, Progress("import-git", "git commits", json_output=args.json) as progress:
        report = repo.import_git(args.git_dir, args.paths, ref=args.ref, format=fmt, progress=progress)
    if args.json:
        render.emit_json(report)
        return EXIT_OK
    for skipped in report["skipped"]:
        print(f"skipped {skipped['git'][:12]} {skipped['summary']}: {skipped['reason']}")
    print(
        f"imported {render.plural(len(report['imported']), 'commit')} from {report['considered']} git commits "
        f"({report['already']} imported before, {len(report['skipped'])} skipped)"
    )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    with here().open() as repo:
        repo.report_html(args.html, limit=args.n)
    if args.json:
        render.emit_json({"report": str(Path(args.html).resolve())})
    else:
        print(f"wrote {args.html}")
    return EXIT_OK


# -------------------------------------------------------------------- repositories of a store


def store_arg(args: argparse.Namespace) -> str:
    """``--store``, else this working copy's store."""
    if args.store is not None:
        return str(args.store)
    return here().location


def cmd_repo_list(args: argparse.Namespace) -> int:
    repos = panproto.list_repositories(store_arg(args))
    if args.json:
        render.emit_json(repos)
        return EXIT_OK
    if not repos:
        print("no repositories")
    for r in repos:
        print(
            f"{r['name']:24} {r['protocol']:12} {render.plural(r['commits'], 'commit'):>12} "
            f"{r['branches']:>4} branch{'' if r['branches'] == 1 else 'es'} {r['size']:>12} bytes"
        )
    return EXIT_OK


def cmd_repo_delete(args: argparse.Namespace) -> int:
    if not args.yes:
        raise CliError(f"deleting repository {args.name!r} cannot be undone: run again with --yes")
    location = store_arg(args)
    panproto.delete_repository(location, args.name)
    if args.json:
        render.emit_json({"deleted": args.name, "store": without_password(location)})
    else:
        print(f"deleted repository {args.name!r}")
    return EXIT_OK


def cmd_repo_rename(args: argparse.Namespace) -> int:
    wc = here()
    if wc.has_stage():
        raise CliError("something is staged: commit it first")
    old = wc.name
    with wc.open() as repo:
        repo.rename(args.new)
    write_config(wc.root, wc.store, args.new, wc.format)
    if args.json:
        render.emit_json({"renamed": old, "to": args.new})
    else:
        print(f"renamed repository {old!r} to {args.new!r}")
    return EXIT_OK
