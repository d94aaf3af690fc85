"""Each article's budget of time and memory: exceeded, that article fails with one line, alone.

The time is measured per article by an interval timer in the thread that renders it (the main
thread of a worker process, or of a build that renders in its own process); the memory is the
data limit (RLIMIT_DATA) of each worker process, which pandoc started by it inherits beside its
own heap limit (pandoc_server.MEMORY_MB). GALLEYS_ARTICLE_SECONDS and GALLEYS_ARTICLE_MEMORY_MB
change them; 0 turns one off.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from galleys.errors import SourceError

SECONDS = 50.0  # per article, parse and every edition together
MEMORY_MB = 1536  # per worker process (its Python heap, fonts and images)


class OverBudget(SourceError):
    """An article that needs more time or memory than its budget."""


def seconds() -> float:
    """The time budget of one article (GALLEYS_ARTICLE_SECONDS, else SECONDS)."""
    return _setting("GALLEYS_ARTICLE_SECONDS", SECONDS)


def memory_mb() -> float:
    """The memory budget of a worker process (GALLEYS_ARTICLE_MEMORY_MB, else MEMORY_MB)."""
    return _setting("GALLEYS_ARTICLE_MEMORY_MB", MEMORY_MB)


def _setting(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return max(0.0, value)


@contextlib.contextmanager
def time_limit(article: str, started: float | None = None) -> Iterator[None]:
    """Raise OverBudget in this thread once the article has taken longer than `seconds()`
    since `started` (time.monotonic(); default now). Only the main thread can be interrupted
    so; elsewhere (and with a budget of 0) this does nothing, and pandoc's own timeouts still
    bound each conversion."""
    limit = seconds()
    if not limit or threading.current_thread() is not threading.main_thread():
        yield
        return
    left = limit - (time.monotonic() - started if started is not None else 0.0)

    def expired(_signum: int, _frame: FrameType | None) -> None:
        raise OverBudget(f"took over {limit:g} s, the time budget of one article "
                         "(GALLEYS_ARTICLE_SECONDS)", path=article)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limit_memory() -> None:
    """Bound this process's data (a worker's: it renders articles and nothing else); a
    MemoryError is then that article's error (see over_memory)."""
    import resource

    limit = memory_mb()
    if not limit:
        return
    wanted = int(limit * 1024 * 1024)
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))


def over_memory(article: str) -> OverBudget:
    """The error of an article whose rendering ran out of memory."""
    return OverBudget(f"needed more than {memory_mb():g} MB, the memory budget of a worker "
                      "(GALLEYS_ARTICLE_MEMORY_MB)", path=article)
