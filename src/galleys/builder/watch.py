"""`galleys build --watch` and `galleys serve --watch`: build, then build again on every save.

A foreground process the user started: its lifetime is their terminal's, and Ctrl+C ends it
(exit 130). Each rebuild is the ordinary incremental build, so only the articles whose files
changed are built again; the process keeps its imports, fonts and pandoc server between builds,
which is what makes a rebuild fast. Changes are found by watchfiles (inotify, FSEvents …).

On a machine with two cores or more (and unless -j 1), the watch starts one helper process of
its own (a child that ends with it, however it ends): while the watch lays out a saved
article's PDF, the helper makes its other editions from the same snapshot (coordinator.Session).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
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
    helper: bool = True,
) -> int:
    """Run `build` now and after every change below `source` until Ctrl+C; returns 130.

    Once the first build is done, the backends of `formats` are imported and a pandoc server
    started (a first build with nothing to do imports none): the first rebuild is then as
    fast as the later ones. With `helper` (not with -j 1), the helper process too (_helper).

    A build that fails as a whole (a journal.yaml that cannot be read …) is reported and the
    watch goes on: the next save may mend it. Ctrl+C during a build stops it (dist/ keeps
    whole files only, as for any interrupted build) and ends the watch.
    """
    say = say or (lambda message: print(message, file=sys.stderr, flush=True))
    source = Path(source)
    if not source.is_dir():
        raise InputMissingError("no such source folder to watch", path=source)
    watch_filter = SourceFilter(ignore)
    from galleys.builder.coordinator import SESSION, Session

    session = Session()
    token = SESSION.set(session)
    try:
        _build_once(build, say)
        with _helper(formats if helper else ()) as session.helper:
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
    finally:
        SESSION.reset(token)
    return EXIT_INTERRUPTED  # the watch ends only when interrupted


@contextlib.contextmanager
def _helper(formats: tuple[str, ...]) -> Iterator[ProcessPoolExecutor | None]:
    """The watch's helper process, started now (spawned: no thread of this process is copied
    into it), importing its backends at once; ended, and its temporary folder removed, on the
    way out. None with one core, or without a PDF beside other editions to share the work."""
    from galleys.builder.coordinator import temporary_root
    from galleys.builder.worker import helper_started

    others = tuple(name for name in formats if name != "pdf")
    if "pdf" not in formats or not others or (os.cpu_count() or 1) < 2:
        yield None
        return
    temporary = temporary_root()
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=helper_started,
                               initargs=(os.getpid(), temporary, others))
    try:
        pool.submit(os.getpid)  # starts it now, not at the first save
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(temporary, ignore_errors=True)


def _build_once(build: Callable[[], object], say: Callable[[str], None]) -> None:
    try:
        build()
    except GalleysError as error:
        say(f"galleys: error: {error}")
