"""Progress of long work on stderr: done / total, rate and time left.

Shown only when stderr is a terminal and the output is not ``--json``, so
pipes, logs and CI see nothing of it; redrawn at most ten times a second
on one line, which is cleared when the work ends.
"""

from __future__ import annotations

import sys
import time

#: Seconds between two redraws.
INTERVAL = 0.1


class Progress:
    """A ``progress(done, total)`` callback that draws ``label: done/total unit``
    (``label: done unit`` while the total is not known, ``None``)."""

    def __init__(self, label: str, unit: str, *, json_output: bool = False) -> None:
        self.label = label
        self.unit = unit
        self.shown = not json_output and sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        if not self.shown:
            return
        now = time.monotonic()
        if (total is None or done < total) and now - self.last < INTERVAL:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        if total is None:
            sys.stderr.write(f"\r\x1b[K{self.label}: {done} {self.unit} ({rate:.0f}/s)")
        else:
            left = f", {(total - done) / rate:.0f} s left" if 0 < done < total and rate > 0 else ""
            sys.stderr.write(f"\r\x1b[K{self.label}: {done}/{total} {self.unit} ({rate:.0f}/s{left})")
        sys.stderr.flush()
        self.drawn = True

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
