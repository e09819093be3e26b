"""``main``: parse, run one command, and turn every failure into one line.

This is the one place that decides what a failure looks like: whatever a
command raises ends here as ``error: <message>`` on stderr (with
``--json``, also ``{"error": <message>}`` on stdout) and exit status 2, so
that status 1 always means a verdict (``check``: breaking). An exception
panproto does not expect (a bug) is reported the same way, named as such,
without a traceback unless ``PANPROTO_DEBUG=1`` asks for one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import panproto
from panproto.cli.errors import EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_INTERRUPTED, CliError
from panproto.cli.parser import build_parser
from panproto.cli.render import emit_json
from panproto.errors import PanprotoError

DEBUG_ENV = "PANPROTO_DEBUG"


def one_line(message: str) -> str:
    """A message on one line: a list under a ``...:`` header (a schema's
    problems, say) is joined with ``; ``."""
    text = ""
    for line in (raw.strip() for raw in message.splitlines()):
        if line:
            text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text


def describe(exc: BaseException) -> str:
    """The ``error:`` line's message for a failure."""
    if isinstance(exc, (CliError, PanprotoError, OSError)):
        message = str(exc) or type(exc).__name__
    elif isinstance(exc, UnicodeDecodeError):  # files.py names the file; this is the fallback
        message = f"not UTF-8 text: {exc.reason} at byte offset {exc.start}"
    else:
        message = f"unexpected {type(exc).__name__}: {exc} (a bug in panproto; {DEBUG_ENV}=1 shows the traceback)"
    return one_line(message)


def fail(exc: BaseException, *, as_json: bool) -> int:
    """Report ``exc`` as the ``error:`` line; the exit status."""
    if os.environ.get(DEBUG_ENV) == "1":
        import traceback  # noqa: PLC0415  (imported where used: every command pays for top-level imports)

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    message = describe(exc)
    if as_json:
        try:
            emit_json({"error": message})
            sys.stdout.flush()
        except OSError:
            pass  # stdout is gone; stderr still says what happened
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)  # a usage error exits 2 with argparse's message
    if args.version:
        print(f"panproto {panproto.__version__} ({panproto.__backend__} backend)")
        return 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    as_json = bool(getattr(args, "json", False))
    try:
        status: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left (`panproto log | head`): exit quietly, as on SIGPIPE
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # every failure, expected or not, is one line and exit 2
        return fail(exc, as_json=as_json)
    return status
