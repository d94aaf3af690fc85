"""`galleys build --watch` and `galleys serve --watch`: build, then build again on every save.

A foreground process the user started: its lifetime is their terminal's, and Ctrl+C ends it
(exit 130). Each rebuild is the ordinary incremental build, so only the articles whose files
changed are built again; the process keeps its imports, fonts and pandoc server between builds,
which is what makes a rebuild fast. Changes are found by watchfiles (inotify, FSEvents …).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from galleys.errors import EXIT_INTERRUPTED, GalleysError, InputMissingError

STEP_MS = 50  # a save is built this long after the last change seen (editors write in bursts)


class SourceFilter(watchfiles.DefaultFilter):
    """What a build reads: no hidden file or folder (a snapshot leaves them out: editors' swap
    and lock files, .git), no editor backup, nothing below the output folders."""

    def __init__(self, ignore: Iterable[Path] = ()) -> None:
        super().__init__(ignore_paths=[os.path.abspath(path) for path in ignore])

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if any(part.startswith(".") for part in Path(path).parts[1:]):
            return False
        return super().__call__(change, path)


def watch(
    source: Path,
    build: Callable[[], object],
    *,
    ignore: Iterable[Path] = (),
    formats: tuple[str, ...] = (),
    say: Callable[[str], None] | None = None,
) -> int:
    """Run `build` now and after every change below `source` until Ctrl+C; returns 130.

    Once the first build is done, the backends of `formats` are imported and a pandoc server
    started (a first build with nothing to do imports none): the first rebuild is then as
    fast as the later ones.

    A build that fails as a whole (a journal.yaml that cannot be read …) is reported and the
    watch goes on: the next save may mend it. Ctrl+C during a build stops it (dist/ keeps
    whole files only, as for any interrupted build) and ends the watch.
    """
    say = say or (lambda message: print(message, file=sys.stderr, flush=True))
    source = Path(source)
    if not source.is_dir():
        raise InputMissingError("no such source folder to watch", path=source)
    watch_filter = SourceFilter(ignore)
    try:
        _build_once(build, say)
        if formats:
            from galleys.builder.worker import Warmup

            Warmup(formats).wait()
        say(f"watching {source} for changes (Ctrl+C stops)")
        for _changes in watchfiles.watch(source, watch_filter=watch_filter, step=STEP_MS,
                                         raise_interrupt=True):
            _build_once(build, say)
    except KeyboardInterrupt:
        say("stopped watching")
        return EXIT_INTERRUPTED
    return EXIT_INTERRUPTED  # the watch ends only when interrupted


def _build_once(build: Callable[[], object], say: Callable[[str], None]) -> None:
    try:
        build()
    except GalleysError as error:
        say(f"galleys: error: {error}")
