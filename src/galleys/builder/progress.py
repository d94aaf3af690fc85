"""Build progress on the console: a bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

_WIDTH = 28


class ProgressReporter:
    """Called once per finished article; errors always print, the rest unless quiet."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.bar = self.stream.isatty() and not quiet
        self._drawn = False

    def __call__(self, done: int, total: int, path: Path, outcome: str) -> None:
        name = path.parent.name
        if outcome not in ("built", "skipped"):
            self._clear()
            print(f"galleys: error: {outcome}", file=self.stream)
        elif not self.bar and not self.quiet:
            print(f"[{done}/{total}] {outcome} {name}", file=self.stream)
        if self.bar:
            filled = _WIDTH * done // max(total, 1)
            line = f"[{'#' * filled}{' ' * (_WIDTH - filled)}] {done}/{total} {name[:40]}"
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self._drawn = True

    def finish(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
