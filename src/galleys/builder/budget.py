"""Each article's budget of time and memory: exceeded, that article fails with one line, alone.

The time is measured per article by an interval timer in the thread that renders it (the main
thread of a worker process, or of a build that renders in its own process). The memory is a
data limit (RLIMIT_DATA): a worker process's whole, which pandoc started by it inherits beside
its own heap limit (pandoc_server.MEMORY_MB); in a process that renders among other work
(`convert`, `build -j 1`, the watch) the data it holds when an article's rendering starts plus
the budget, lifted again when the article is done (Linux, where the process's data size can be
read; elsewhere pandoc's heap limit alone holds). GALLEYS_ARTICLE_SECONDS and
GALLEYS_ARTICLE_MEMORY_MB change them; 0 turns one off.
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
MEMORY_MB = 1536  # per worker process, or per article rendered in the command's own process


class OverBudget(SourceError):
    """An article that needs more time or memory than its budget."""


def seconds() -> float:
    """The time budget of one article (GALLEYS_ARTICLE_SECONDS, else SECONDS)."""
    return _setting("GALLEYS_ARTICLE_SECONDS", SECONDS)


def memory_mb() -> float:
    """The memory budget of a worker process, or of an article rendered in the command's own
    (GALLEYS_ARTICLE_MEMORY_MB, else MEMORY_MB)."""
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


@contextlib.contextmanager
def article_limits(article: str, started: float | None = None) -> Iterator[None]:
    """The time budget (time_limit) and the memory budget (memory_limit) of one article
    rendered in this process, among other work."""
    with time_limit(article, started), memory_limit(article):
        yield


@contextlib.contextmanager
def memory_limit(article: str) -> Iterator[None]:
    """Let this process's data grow by at most `memory_mb()` while the article renders (never
    loosening a limit already set); running out is the article's OverBudget. A no-op off the
    main thread, with a budget of 0, and where the data size cannot be read."""
    import resource

    limit = memory_mb()
    held = _data_bytes()
    if not limit or held is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = held + int(limit * 1024 * 1024)
    for bound in (soft, hard):
        if bound != resource.RLIM_INFINITY:
            wanted = min(wanted, bound)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))
    try:
        yield
    except MemoryError:  # between two steps: no step's own handler saw it
        raise over_memory(article) from None
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def _data_bytes() -> int | None:
    """This process's data size as RLIMIT_DATA counts it (Linux's VmData), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


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
    return OverBudget(f"needed more than {memory_mb():g} MB, the memory budget of one article "
                      "(GALLEYS_ARTICLE_MEMORY_MB)", path=article)
