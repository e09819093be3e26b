"""The ``panproto`` command (also ``python -m panproto``).

A working directory is tied to a repository by ``.panproto/config``, found
by walking up from the current directory, as git finds ``.git``. What
``add`` stages is kept in ``.panproto/index`` and what ``data add`` stages
in ``.panproto/data/``, so it survives until the next command's process
commits it; if the branch moved meanwhile, ``commit`` refuses and
``rebase`` re-applies the staged work.

Where a command takes a schema (``diff``, ``check``), the argument is read
as a schema JSON file when such a file exists, and otherwise as a ref:
``HEAD``, ``HEAD~N``, a branch name (``main``, ``main~2``) or a commit id.

Output is for humans by default; ``--json`` prints one JSON document.
Errors print ``error: <message>`` on stderr (with ``--json``, also
``{"error": <message>}`` on stdout) and exit with status 2; status 1 is
kept for ``check``'s "breaking" verdict, so ``panproto check OLD NEW`` is a
CI gate, for ``merge``/``rebase`` stopping on conflicts (listed, with
nothing written; run again with ``--ours ELEMENT``/``--theirs ELEMENT`` or
``--strategy``) and for ``fsck`` finding problems.

One module per job:

- :mod:`~panproto.cli.workcopy`: ``.panproto/`` (config, HEAD, the stage),
  read lazily;
- :mod:`~panproto.cli.files`: reading users' files (strict UTF-8, errors
  naming the file and byte offset);
- :mod:`~panproto.cli.render`: human text and JSON;
- :mod:`~panproto.cli.progress`: progress of long work on a terminal's stderr;
- :mod:`~panproto.cli.commands`: one function per command;
- :mod:`~panproto.cli.parser`: the argparse parser;
- :mod:`~panproto.cli.run`: :func:`main`, where every failure becomes the
  ``error:`` line;
- :mod:`~panproto.cli.errors`: :class:`CliError` and the exit statuses.
"""

from panproto.cli.run import main

__all__ = ["main"]
