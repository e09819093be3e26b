"""The CLI's own failure and its exit statuses.

Every failure of every command ends in :func:`panproto.cli.run.main` as one
``error: ...`` line and :data:`EXIT_ERROR`; status 1 is kept for verdicts
(``check``: breaking, ``merge``/``rebase``: conflicts, ``fsck``: problems).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BREAKING = 1  # check: NEW breaks OLD
EXIT_CONFLICTS = 1  # merge or rebase stopped on conflicts
EXIT_PROBLEMS = 1  # fsck found damage
EXIT_ERROR = 2  # any failure: nothing was decided
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command killed by it


class CliError(Exception):
    """A failure the CLI reports as ``error: <message>`` (exit 2): a usage
    problem, or a file or working-copy state it cannot use."""
