"""What the commands print: text for humans, or one JSON document (``--json``).

Records are written as JSON lines (one record per line), with or without
``--json``; ``bytes`` values, which JSON lacks, are written as base64 text.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence

import panproto

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:
    from typing import Any

    from panproto._api import Commit
    from panproto.errors import CompatibilityError
    from panproto.types import (
        Change,
        ClassifiedChange,
        CompatLevel,
        CompatReportData,
        DiffReportData,
        HistoryCheckData,
        MergeConflict,
        PolicyData,
        ResolvedConflict,
        StatusData,
    )


def _json_default(value: object) -> str:
    if isinstance(value, bytes):
        import base64  # noqa: PLC0415  (imported where used: every command pays for top-level imports)

        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def emit_records(records: Iterable[Any]) -> None:
    """Records as JSON lines."""
    for record in records:
        sys.stdout.write(json.dumps(record, default=_json_default, ensure_ascii=False))
        sys.stdout.write("\n")


def emit_json(document: Any) -> None:
    """One JSON document (``--json``)."""
    json.dump(document, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def first_line(text: str | None) -> str:
    return text.splitlines()[0] if text else ""


def short_ref(name: str) -> str:
    """``refs/heads/main`` -> ``main``; other names unchanged."""
    for prefix in ("refs/heads/", "refs/tags/"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def format_time(timestamp: int) -> str:
    import datetime  # noqa: PLC0415  (imported where used: every command pays for top-level imports)

    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%a %b %d %H:%M:%S %Y +0000")


# -------------------------------------------------------------------- changes


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


def verdict_line(data: DiffReportData) -> str:
    """The verdict, and both directions by the format's rules."""
    breaking, other = len(data["breaking"]), len(data["non_breaking"])
    if not data["changes"]:
        return f"verdict: {data['compatibility']} (no changes)"
    counts = f"{plural(breaking, 'breaking change')}, {other} non-breaking"
    both = f"backward {data['backward']}, forward {data['forward']} by the {data['rules']} rules"
    return f"verdict: {data['compatibility']} ({counts}); {both}"


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


def print_comparison(old: tuple[str, str], new: tuple[str, str], data: DiffReportData) -> None:
    """``diff`` / ``check``: each side as (label, schema id), then the classified changes."""
    count = plural(len(data["changes"]), "change")
    print(f"{old[0]} ({old[1][:12]}) -> {new[0]} ({new[1][:12]}): {count}")
    print_classified(data)


def print_check(old: tuple[str, str], new: tuple[str, str], report: CompatReportData) -> None:
    """``check``: each side, then each finding judged both ways, then the
    verdict under the mode."""
    findings = report["findings"]
    count = plural(len(findings), "change")
    print(f"{old[0]} ({old[1][:12]}) -> {new[0]} ({new[1][:12]}): {count}, judged by the {report['rules']} rules")
    for finding in findings:
        worst = max((finding[d] for d in report["directions"]), key=LEVELS.index, default="compatible")
        label = {"breaking": "breaking", "dangerous": "dangerous"}.get(worst, "ok")
        print(f"  {label:<9} {finding['change']:<20} {finding['path']}")
        print(f"  {'':<9} backward {finding['backward']}, forward {finding['forward']}: {finding['reason']}")
    if findings:
        print()
    both = f"backward {report['backward']}, forward {report['forward']}"
    if not findings:
        print(f"verdict under {report['mode']}: compatible (no changes)")
    elif report["compatible"]:
        print(f"verdict under {report['mode']}: compatible; {both}")
    else:
        print(f"verdict under {report['mode']}: breaking ({plural(len(report['violations']), 'violation')}); {both}")


def describe_violation(v: Mapping[str, Any]) -> str:
    return (
        f"{v['path']}: {v['change']} ({v['rule']}, breaks {v['direction']}, against {v['against'][:12]}): {v['reason']}"
    )


def policy_refusal(exc: CompatibilityError, command: str) -> str:
    """A refused commit or merge, on one line: the policy, every violation, the way out."""
    listed = "; ".join(describe_violation(v) for v in exc.violations)
    kept = "the stage is kept: change the schema, or" if command == "commit" else "nothing moved:"
    return (
        f"the {command} breaks the {exc.mode} policy of branch {exc.branch} "
        f"({plural(len(exc.violations), 'violation')}: {listed}); nothing was written and {kept} "
        f"{command} with --allow-breaking REASON"
    )


def print_history_check(label: str, against: str, result: HistoryCheckData) -> None:
    """``check NEW --against BRANCH``."""
    checked = plural(len(result["checked"]), "version")
    print(f"{label} as the next version of {against}, under {result['mode']}: checked against {checked}")
    for v in result["violations"]:
        print(f"  breaking  {describe_violation(v)}")
    if result["violations"]:
        print()
    verdict = "compatible" if result["compatible"] else f"breaking ({plural(len(result['violations']), 'violation')})"
    print(f"verdict: {verdict}; backward {result['backward']}, forward {result['forward']}")


def describe_policy(branch: str | None, policy: PolicyData | None) -> str:
    where = f"branch {branch}" if branch else "the repository"
    if policy is None:
        return f"{where}: no policy"
    origin = "" if policy["scope"] == "branch" or branch is None else " (the repository's)"
    return f"{where}: {policy['mode']}{origin}, set by {policy['author']} on {format_time(policy['timestamp'])}"


LEVELS: tuple[CompatLevel, ...] = tuple(panproto.list_kinds()["CompatLevel"])  # type: ignore[arg-type]
"""The levels, mildest first (the engine's order)."""


# -------------------------------------------------------------------- history


def decoration(commit: Commit, head: str | None, branch: str | None) -> str:
    if commit.id != head:
        return ""
    return f" (HEAD -> {branch})" if branch else " (HEAD)"


def print_commit(commit: Commit, decoration: str) -> None:
    print(f"commit {commit.short_id}{decoration}")
    print(f"Author: {commit.author}")
    print(f"Date:   {format_time(commit.timestamp)}")
    both = "" if commit.backward is None else f" (backward {commit.backward}, forward {commit.forward})"
    print(f"Compatibility: {commit.compatibility or 'unknown'}{both}")
    if commit.allow_breaking is not None:
        print(f"Allowed breaking: {commit.allow_breaking}")
    if commit.origin is not None:
        print(f"Origin: {commit.origin}")
    print()
    for line in commit.message.splitlines() or [""]:
        print(f"    {line}")
    print()


def print_status(status: StatusData, tracked: Mapping[str, Any] | None = None) -> None:
    print(f"On branch {status['branch']}" if status["branch"] else "HEAD detached")
    print(f"HEAD: {status['head'][:12]}" if status["head"] else "No commits yet")
    if tracked is not None and tracked["state"] != "same":
        against = "what is staged" if status["staged"] is not None else "HEAD"
        why = {
            "modified": f"no longer gives {against}",
            "missing": "is gone",
            "unreadable": f"does not parse: {tracked.get('error')}",
        }[tracked["state"]]
        print(f"Tracked {tracked['path']} {why} (use `panproto add {tracked['path']}` to stage it)")
    datasets: Mapping[str, int] = status["staged_data"]
    for name, count in datasets.items():
        print(f"Staged dataset {name!r}: {plural(count, 'record')} (use `panproto commit` to record it)")
    staged = status["staged"]
    if staged is None:
        print("nothing staged (use `panproto add FILE`)" if not datasets else "no schema staged")
        return
    changes = status["changes"]
    both = f"backward {status['backward']}, forward {status['forward']}"
    print(f"Staged schema {staged[:12]}: {len(changes)} change(s) to commit, {status['compatibility']} ({both})")
    print_changes(changes)


# -------------------------------------------------------------------- merges


def _side(value: str | None) -> str:
    return "(absent)" if value is None else value


def print_conflicts(conflicts: Sequence[MergeConflict], what: str) -> None:
    print(f"{what} stopped: {plural(len(conflicts), 'conflict')}, nothing was written")
    for c in conflicts:
        print(f"  {c['kind']:17} {c['element']}")
        sides = (("base", c["base"]), ("ours", c["ours"]), ("theirs", c["theirs"]))
        print("      " + " | ".join(f"{label} {_side(value)}" for label, value in sides))
    print("resolve each with --ours ELEMENT or --theirs ELEMENT (or --strategy ours|theirs) and run it again")


def print_resolved(resolved: Sequence[ResolvedConflict]) -> None:
    for r in resolved:
        print(f"  resolved {r['element']}: {r['side']}")
