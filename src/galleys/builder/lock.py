"""An output folder's lock: one build writes it at a time, and the next learns if one was killed.

The lock is an flock on `DIR/.galleys.lock`, held by the coordinator alone: its descriptor is
closed in every process forked from it (the pool's workers), so a worker that outlives a killed
coordinator for a moment holds nothing. The file says whether the build that held it last
finished, and the PID of one that is building; a build that finds the lock held says so at
once and waits at most `wait` seconds, then fails with exit 75 naming the holder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from galleys.errors import LockHeldError, OutputError

LOCK = ".galleys.lock"
DEFAULT_WAIT = 5.0  # seconds a build waits for another build of the same folder
_FINISHED = b"finished\n"
_POLL = 0.05  # seconds between tries while waiting
_held: set[int] = set()  # descriptors of the locks this process holds


@dataclass(frozen=True)
class Held:
    """A lock taken: whether the build that held it before finished (else it was killed, and
    whatever it writes last, the journal index and the manifest, may be stale)."""

    finished_before: bool


@contextlib.contextmanager
def exclusive(
    folder: Path, wait: float = DEFAULT_WAIT, notice: Callable[[str], None] | None = None
) -> Iterator[Held]:
    """Hold `folder`'s lock (creating the folder), waiting at most `wait` seconds for another
    build holding it; `notice` hears at once that one does. A build that did not finish
    left temporary files behind, maybe: they are removed first."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", path=folder) from None
    path = folder / LOCK
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot create the lock file: {exc.strerror}", path=path) from None
    with os.fdopen(descriptor, "r+b") as handle:
        _acquire(descriptor, path, wait, notice)
        _held.add(descriptor)
        try:
            finished = handle.read() == _FINISHED
            if not finished:
                _remove_temporary_files(folder)
            _mark(handle, f"building {os.getpid()}\n".encode())
            try:
                yield Held(finished)
            except BaseException:
                with contextlib.suppress(OSError):  # the next build repairs what this left
                    _mark(handle, b"interrupted\n")
                raise
            with contextlib.suppress(OSError):  # a full disk: the next build repairs
                _mark(handle, _FINISHED)
        finally:
            _held.discard(descriptor)
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def _acquire(descriptor: int, path: Path, wait: float,
             notice: Callable[[str], None] | None) -> None:
    """Take the lock, or raise LockHeldError once `wait` seconds have passed."""
    deadline = time.monotonic() + max(0.0, wait)
    told = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot lock: {exc.strerror}", path=path) from None
        holder = _holder(descriptor)
        if not told and notice is not None:
            notice(f"{path}: another build ({holder}) is writing this folder; "
                   f"waiting up to {wait:g} s")
            told = True
        if time.monotonic() >= deadline:
            raise LockHeldError(f"another build ({holder}) is still writing this folder after "
                                f"{wait:g} s; try again when it has finished (--wait SECONDS "
                                "waits longer)", path=path.parent)
        time.sleep(_POLL)


def _holder(descriptor: int) -> str:
    """"PID 1234" as the holder wrote it, else "PID unknown"."""
    try:
        state = os.pread(descriptor, 64, 0).decode("ascii", "replace").split()
    except OSError:
        state = []
    return f"PID {state[1]}" if len(state) == 2 and state[0] == "building" else "PID unknown"


def _mark(handle: BinaryIO, state: bytes) -> None:
    """Write the lock file's state (read by the next build to hold it)."""
    handle.seek(0)
    handle.truncate()
    handle.write(state)
    handle.flush()


def _remove_temporary_files(folder: Path) -> None:
    """The hidden `.NAME.XXXX.tmp` files write_atomic makes, left by a build that was killed."""
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                Path(directory, name).unlink(missing_ok=True)


def _drop_in_child() -> None:
    """A forked process (a pool's worker) holds none of its parent's locks: each descriptor
    is pointed at /dev/null (its number stays valid for the file object that owns it)."""
    if not _held:
        return
    null = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    try:
        for descriptor in _held:
            os.dup2(null, descriptor, inheritable=False)
    finally:
        os.close(null)
    _held.clear()


os.register_at_fork(after_in_child=_drop_in_child)
