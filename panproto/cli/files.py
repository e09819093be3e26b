"""Reading the files a user hands the CLI, and the working copy's own.

Every read goes through :func:`read_text` or :func:`read_records`, which
decode UTF-8 strictly and turn a decoding failure into a :class:`CliError`
naming the file (and line) and the byte offset of the first bad byte, so
a file that is not UTF-8 is an ``error:`` line, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from panproto.cli.errors import CliError

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:
    from typing import Any


def decode(data: bytes, where: str, offset: int = 0) -> str:
    """``data`` as UTF-8 text; ``where`` names it and ``offset`` is where it
    starts in its file, for the error message."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise CliError(f"{where}: not UTF-8 text: {exc.reason} 0x{bad} at byte offset {offset + exc.start}") from exc


def read_text(path: Path) -> str:
    """The whole of ``path`` as text (``OSError`` when it cannot be read)."""
    return decode(path.read_bytes(), str(path))


def read_optional_text(path: Path) -> str | None:
    """The whole of ``path`` as text, ``None`` when it does not exist."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return decode(data, str(path))


def read_records(path: Path) -> Iterator[Any]:
    """Records from a file: a JSON array, or JSON lines (one record per line)."""
    with path.open("rb") as f:
        start = f.read(1)
        while start.isspace():
            start = f.read(1)
        f.seek(0)
        if start == b"[":
            text = decode(f.read(), str(path))
            try:
                records = json.loads(text)
            except ValueError as exc:
                raise CliError(f"{path}: not a JSON array of records: {exc}") from exc
            yield from records
            return
        offset = 0
        for number, raw in enumerate(f, 1):
            line = decode(raw, f"{path}:{number}", offset)
            offset += len(raw)
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise CliError(f"{path}:{number}: not a JSON record: {exc}") from exc
