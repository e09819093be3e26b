"""The argument parser: every command, its options and its help.

Each subcommand's ``func`` default is its ``cmd_<name>`` in
:mod:`panproto.cli.commands`; every command takes ``--json``.
"""

from __future__ import annotations

import argparse

import panproto
from panproto.cli.commands import (
    cmd_add,
    cmd_branch,
    cmd_check,
    cmd_checkout,
    cmd_commit,
    cmd_data_add,
    cmd_data_list,
    cmd_data_show,
    cmd_diff,
    cmd_evolve,
    cmd_fsck,
    cmd_import_git,
    cmd_init,
    cmd_log,
    cmd_merge,
    cmd_migrate,
    cmd_policy,
    cmd_rebase,
    cmd_reflog,
    cmd_repo_delete,
    cmd_repo_list,
    cmd_repo_rename,
    cmd_report,
    cmd_show,
    cmd_status,
    cmd_tag,
)
from panproto.cli.workcopy import DEFAULT_STORE

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


def add_check_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """``check``: the CI gate."""
    p = sub.add_parser(
        "check",
        parents=[common],
        help="is NEW compatible with OLD under a mode? exit 0 compatible, 1 breaking, 2 error (a CI gate)",
        description="Judge each change from OLD to NEW both ways, by the rules of the schemas' format: "
        "backward (readers of NEW reading data written with OLD) and forward (readers of OLD reading "
        "data written with NEW). Exit 0 when nothing breaks a direction MODE enforces, 1 when something "
        "does, 2 on error. OLD and NEW are schema files or directories (.proto, .graphql, .avsc, SQL, "
        "lexicons, JSON Schema, or panproto's JSON; no repository needed) or refs (HEAD, HEAD~N, a "
        "branch name, a full commit id).",
    )
    p.add_argument("old", metavar="OLD", help="the old version: a schema file or directory, or a ref")
    p.add_argument("new", metavar="NEW", nargs="?", help="the new version: a schema file or directory, or a ref")
    p.add_argument(
        "--against",
        default=None,
        metavar="BRANCH",
        help="check one schema (the only argument) as the next version of BRANCH, as a commit on it "
        "would be: against its head, or its whole history for a _TRANSITIVE mode; the mode defaults "
        "to BRANCH's policy",
    )
    p.add_argument(
        "--mode",
        default=None,
        type=str.upper,
        choices=list(panproto.list_kinds()["CompatMode"]),
        metavar="MODE",
        help="the compatibility mode: NONE, BACKWARD (the default; with --against, BRANCH's policy), "
        "FORWARD, FULL, or their _TRANSITIVE forms (against one OLD, the same as the plain ones)",
    )
    p.set_defaults(func=cmd_check)


def add_policy_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """``policy``: the compatibility policies commits must pass."""
    p = sub.add_parser(
        "policy",
        parents=[common],
        help="show or set the compatibility policy of a branch or the repository",
        description="With no argument, list every policy; with BRANCH, show the policy BRANCH obeys (its "
        "own, else the repository's); with BRANCH MODE, set it. --repository applies to the repository's "
        "policy, which every branch without its own obeys. A commit that breaks its branch's policy is "
        "refused unless `commit --allow-breaking REASON`.",
    )
    p.add_argument("args", nargs="*", metavar="[BRANCH] [MODE]", help="a branch, then a mode (NONE, BACKWARD, ...)")
    p.add_argument("--repository", action="store_true", help="the repository's policy, not a branch's")
    p.add_argument("--clear", action="store_true", help="remove the policy")
    p.set_defaults(func=cmd_policy)


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


class _Unbuilt:
    """Stands in for the parser of a command this run does not use."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_defaults(self, **kwargs: Any) -> None:
        pass

    def add_subparsers(self, **kwargs: Any) -> _Unbuilt:
        return self

    def add_parser(self, *args: Any, **kwargs: Any) -> _Unbuilt:
        return self


class _OnlyCommand:
    """The subcommands, building only ``wanted``'s parser (every one when
    ``wanted`` is None). argparse looks up a translation of every help
    string as it goes, so building all of them costs a ``check`` more than
    judging a real ``.proto`` pair."""

    def __init__(self, sub: Any, wanted: str | None) -> None:
        self.sub = sub
        self.wanted = wanted
        self.built: list[str] = []

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self.wanted is None or name == self.wanted:
            self.built.append(name)
            return self.sub.add_parser(name, **kwargs)
        return _Unbuilt()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: with only the command it names, if it names
    one (else, for ``--help`` or a mistyped command, with every one)."""
    wanted = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    parser, commands = _parser(wanted)
    if wanted is not None and wanted not in commands:
        parser, _ = _parser(None)
    return parser


def add_root(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", default=None, help="the vertex the lens's records are rooted at (default: the only one)")


def add_staging_commands(sub: _OnlyCommand, common: argparse.ArgumentParser) -> None:
    """``add`` (a file, perhaps with a lens) and ``evolve`` (a lens alone)."""
    p = sub.add_parser(
        "add",
        parents=[common],
        help="stage a schema: a native file or directory (.proto, .graphql, .avsc, ...) or panproto's JSON",
    )
    p.add_argument("file", metavar="FILE_OR_DIR", help="the schema: a file, or a directory read as one schema")
    p.add_argument(
        "--format", default=None, metavar="F", help="its format (default: the working copy's, else detected)"
    )
    p.add_argument(
        "--lens",
        default=None,
        metavar="LENS.json",
        help="the lens that moves records from HEAD's schema to this one (ProtolensChain.to_json's form)",
    )
    add_root(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("evolve", parents=[common], help="stage what a lens makes of HEAD's schema, with the lens")
    p.add_argument("lens", metavar="LENS.json", help="the lens (ProtolensChain.to_json's form)")
    add_root(p)
    p.set_defaults(func=cmd_evolve)


def _parser(wanted: str | None) -> tuple[argparse.ArgumentParser, list[str]]:
    """The parser, with ``wanted``'s command (every one when None), and
    the commands it was built with."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document instead of text")

    parser = argparse.ArgumentParser(
        prog="panproto",
        description="Version control for schemas.",
        epilog="Run `panproto COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and backend, then exit")
    sub = _OnlyCommand(parser.add_subparsers(dest="command", metavar="COMMAND"), wanted)

    p = sub.add_parser("init", parents=[common], help="create a repository and tie this directory to it")
    p.add_argument(
        "--protocol", default=None, help="the protocol schemas follow (default: the --format's, else atproto)"
    )
    p.add_argument(
        "--format",
        default=None,
        metavar="F",
        help="the native format of the files this directory tracks (protobuf, avro, ...): "
        "its protocol, and what `add` reads by default",
    )
    p.add_argument(
        "--store",
        default=None,
        help=f"SQLite file or postgresql:// URL (default: {DEFAULT_STORE})",
    )
    p.add_argument("--name", default="default", help="the repository's name in the store (default: default)")
    p.set_defaults(func=cmd_init)

    add_staging_commands(sub, common)

    p = sub.add_parser("commit", parents=[common], help="record the staged schema")
    p.add_argument("-m", "--message", required=True, help="the commit message")
    p.add_argument("--author", default=None, help="default: $PANPROTO_AUTHOR, else user@host")
    p.add_argument(
        "--allow-breaking",
        default=None,
        metavar="REASON",
        help="commit even if it breaks the branch's compatibility policy; the commit keeps REASON",
    )
    p.set_defaults(func=cmd_commit)

    add_policy_command(sub, common)

    p = sub.add_parser("log", parents=[common], help="show the history, newest first")
    p.add_argument("-n", type=int, default=None, metavar="N", help="show at most N commits")
    p.add_argument(
        "--graph",
        action="store_true",
        help="every branch's commits as a graph, one line each, with branch and tag names and a verdict mark",
    )
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("status", parents=[common], help="show HEAD and what is staged, with its verdict")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("show", parents=[common], help="show a commit, its changes and its verdict")
    p.add_argument("ref", metavar="REF", nargs="?", default="HEAD", help="HEAD (default), HEAD~N, a branch, an id")
    p.add_argument(
        "--emit",
        nargs="?",
        const="",
        default=None,
        metavar="FORMAT",
        help="print the schema at REF in its native format (or FORMAT) instead of the commit",
    )
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

    sides = (
        "each of A and B is a schema file or directory (native, or panproto's JSON), "
        "or a ref: HEAD, HEAD~N, a branch name or a full commit id"
    )
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

    add_check_command(sub, common)
    add_data_commands(sub, common)
    add_repo_commands(sub, common)
    add_import_and_report_commands(sub, common)
    return parser, sub.built


def add_import_and_report_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """``import-git`` (a schema's history from git) and ``report`` (the history as a page)."""
    p = sub.add_parser(
        "import-git",
        parents=[common],
        help="import a schema's history from a git repository onto the current branch",
        description="Every commit of REF's history that changed PATH becomes a commit with the git "
        "commit's author, time, message and id; merges become merges; a version that does not parse "
        "is reported and skipped. Run again to import what is new.",
    )
    p.add_argument("git_dir", metavar="GIT_DIR", help="the git work tree or .git directory")
    p.add_argument("paths", metavar="PATH", nargs="+", help="the schema's files or directories, relative to its root")
    p.add_argument("--ref", default="HEAD", help="the revision whose history is imported (default HEAD)")
    p.add_argument("--format", default=None, help="the files' format (default: detected)")
    p.set_defaults(func=cmd_import_git)

    p = sub.add_parser(
        "report",
        parents=[common],
        help="write the history as one self-contained HTML page",
        description="The commit graph with branches and tags, a badge per commit, each commit's classified "
        "changes on click, the schema's size over time and the datasets per commit, in one HTML file that "
        "opens without a network.",
    )
    p.add_argument("--html", required=True, metavar="FILE", help="the page to write")
    p.add_argument("-n", type=int, default=None, metavar="N", help="at most N commits, the newest")
    p.set_defaults(func=cmd_report)


def add_repo_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """``repo list|delete|rename``: the repositories of a store."""
    p = sub.add_parser("repo", help="list, delete and rename the repositories of a store")
    repo = p.add_subparsers(dest="repo_command", metavar="ACTION", required=True)
    store_help = "SQLite file or postgresql:// URL (default: this working copy's store)"
    q = repo.add_parser("list", parents=[common], help="the repositories of the store, with their sizes")
    q.add_argument("--store", default=None, help=store_help)
    q.set_defaults(func=cmd_repo_list)
    q = repo.add_parser("delete", parents=[common], help="delete a repository and everything in it")
    q.add_argument("name", metavar="NAME", help="the repository")
    q.add_argument("--store", default=None, help=store_help)
    q.add_argument("--yes", action="store_true", help="yes, delete it (it cannot be undone)")
    q.set_defaults(func=cmd_repo_delete)
    q = repo.add_parser("rename", parents=[common], help="rename this working copy's repository")
    q.add_argument("new", metavar="NEW", help="its new name")
    q.set_defaults(func=cmd_repo_rename)


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
    p.add_argument(
        "--allow-breaking",
        default=None,
        metavar="REASON",
        help="merge even if it breaks the branch's compatibility policy; the merge commit keeps REASON",
    )
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
