"""One long-lived `pandoc lua` process per Python process, so a conversion skips pandoc's start-up.

A pandoc process spends ~80 ms starting before it reads a byte (its DOCX writer's data, its
readers, its runtime), more than the conversion of a typical article. The server reads
requests on stdin and answers on stdout, one at a time: a JSON header line, then the bytes.
Markdown is read sandboxed (no file is read, as with `pandoc --sandbox`); citeproc reads only
the bibliography and style named in the request; the DOCX writer reads only the reference
document (every picture reaches it as a data: URI). A request that outlives its timeout, or is
interrupted (Ctrl-C, any exception), closes its server: a server is reused only after a complete
reply, so a request never reads the reply to another. Pandoc's own stderr (a crash, a Lua
error) is kept in a temporary file and quoted when the server stops. A forked child starts its
own servers.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from galleys.errors import GalleysError, SourceError, ToolError

# The server, in pandoc's Lua. `citation-abbreviations` names a file: an article's own YAML
# must not make citeproc read one (the CLI's --sandbox refuses it too).
SCRIPT = r"""
local json = pandoc.json
io.stdout:setvbuf('full')
-- Without pandoc.read's sandbox (pandoc < 3.7) the server refuses to start.
local sandboxed = pcall(pandoc.read, '', 'markdown', {}, {})
io.write(json.encode({ready = sandboxed}), '\n')
io.flush()
if not sandboxed then return end
local seen = 0
local function warnings()
  local log, out = PANDOC_STATE.log, {}
  for i = seen + 1, #log do
    local message = json.decode(json.encode(log[i]), false)
    if message.verbosity == 'WARNING' then out[#out + 1] = message.pretty end
  end
  seen = #log
  return out
end
local function convert(request, input)
  local doc = pandoc.read(input, request.from, {}, {})
  if request.citeproc then
    doc.meta['citation-abbreviations'] = nil
    if request.bibliography then doc.meta.bibliography = request.bibliography end
    if request.csl then doc.meta.csl = request.csl end
    doc = pandoc.utils.citeproc(doc)
  end
  local options = {}
  if request.reference_doc then options.reference_doc = request.reference_doc end
  if request.standalone then
    options.template = pandoc.template.compile(pandoc.template.default(request.to:match('^[%w_]+')))
  end
  return pandoc.write(doc, request.to, options)
end
while true do
  local line = io.read('l')
  if not line then break end
  local request = json.decode(line, false)
  local input = request.length > 0 and io.read(request.length) or ''
  local ok, out = pcall(convert, request, input)
  local reply = {ok = ok, warnings = warnings()}
  if ok then reply.length = #out else reply.error = tostring(out); out = '' end
  io.write(json.encode(reply), '\n', out)
  io.flush()
end
"""
FIXED_EPOCH = "0"  # the DOCX's dates and zip times are rewritten after; none may vary
MEMORY_MB = 768  # pandoc's heap (+RTS -M): more ends that conversion; its RSS stays under 1 GB
START_TIMEOUT = 60.0  # seconds for a server to say it is ready
CLOSE_TIMEOUT = 2.0  # seconds for a server to end after SIGINT before it is killed


class Server:
    """A running `pandoc lua` server; one request at a time."""

    def __init__(self, binary: Path) -> None:
        env = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH)
        # Warnings are read from PANDOC_STATE.log; stderr is kept for what pandoc says as it
        # fails. A file, not a pipe: it is read only then, and a full pipe would stall pandoc.
        self._stderr = tempfile.TemporaryFile(prefix="galleys-pandoc-")  # noqa: SIM115 (close)
        try:
            self.process = _spawner().start(lambda: subprocess.Popen(
                command(binary, ["lua", "-e", SCRIPT]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env,
            ))
        except OSError as exc:
            self._stderr.close()
            raise ToolError(f"cannot run pandoc at {binary}: {exc.strerror}") from exc
        self._buffer = b""
        self._in_request = False  # a request sent whose reply is not read whole yet
        self.said = ""  # once closed: the last line pandoc wrote to stderr in the last request
        self._said_from = 0  # where in the stderr file the last request began
        self._ready: bool | None = None  # said on its first line, read when first needed
        self.exhausted = False  # once closed: whether pandoc ran out of its heap (MEMORY_MB)

    @property
    def ready(self) -> bool:
        """Whether the server can serve (this pandoc sandboxes its reader); waits for it."""
        if self._ready is None:
            try:
                line = self._line(time.monotonic() + START_TIMEOUT)
                self._ready = bool(json.loads(line)["ready"])
            except (TimeoutError, OSError, ValueError, KeyError, TypeError):
                self._ready = False
            if not self._ready:
                self.close()
        return self._ready

    def convert(
        self, request: dict[str, Any], data: bytes, timeout: float
    ) -> tuple[bytes, list[str]]:
        """(output, warnings) of one conversion; ToolError if pandoc fails or times out.

        Whatever stops the exchange before the reply is read whole (a timeout, a broken pipe,
        KeyboardInterrupt or any other exception) closes the server: its reply would otherwise
        be read by the next request."""
        header = json.dumps({**request, "length": len(data)}).encode() + b"\n"
        deadline = time.monotonic() + timeout
        self._in_request = True
        self._said_from = os.fstat(self._stderr.fileno()).st_size
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(header + data)
            self.process.stdin.flush()
            reply = json.loads(self._line(deadline))
            output = self._exact(reply.get("length", 0), deadline)
            self._in_request = False
        except TimeoutError:
            self.close()
            raise ToolError(f"pandoc did not finish within {timeout:.0f} s") from None
        except (OSError, ValueError) as exc:
            self.close()
            if self.exhausted:
                raise failure("Heap exhausted") from None
            raise ToolError(f"the pandoc server stopped: {self.said or exc}") from None
        except BaseException:
            self.close()
            raise
        if not reply["ok"]:
            raise failure(str(reply.get("error", "")))
        return output, list(reply["warnings"])

    def alive(self) -> bool:
        return self.process.poll() is None

    def reusable(self) -> bool:
        """Whether the next request may go to this server: running, no reply left unread."""
        return not self._in_request and self.alive()

    def close(self) -> None:
        """Stop the server; it is never used again. The last line pandoc wrote to stderr in
        the last request, other than a warning, is kept in `said`.

        SIGINT first: pandoc then removes its temporary file (a kill leaves a pandoc-hist* in
        the temporary folder); killed if it has not ended within CLOSE_TIMEOUT."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(CLOSE_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # unsent bytes to a pandoc now gone
                    stream.close()
        if not self._stderr.closed:
            self._stderr.seek(self._said_from)
            text = self._stderr.read().decode("utf-8", "replace")
            lines = [line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("[WARNING]")]
            self.said = lines[-1] if lines else ""
            self.exhausted = any(_HEAP.search(line) for line in lines)
            self._stderr.close()

    def _line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            self._fill(deadline)
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _exact(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            self._fill(deadline)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def _fill(self, deadline: float) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise OSError("end of output")
        self._buffer += chunk


def command(binary: Path, args: list[str]) -> list[str]:
    """The command line of a pandoc process: its heap bounded by MEMORY_MB and, on Linux, made
    to end with the thread that starts it (SIGINT, so pandoc removes its temporary files),
    even when the process of that thread is killed."""
    heap = ["+RTS", f"-M{MEMORY_MB}m", "-RTS"]
    guard = _death_guard()
    return [*guard, str(binary), *heap, *args]


@functools.cache  # looked up once a process
def _death_guard() -> tuple[str, ...]:
    found = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return (found, "--pdeathsig", "INT") if found else ()


_BIBLIOGRAPHY = re.compile(r"^\s*Error reading bibliography")
_HEAP = re.compile(r"Heap exhausted|out of memory", re.I)


def failure(text: str) -> GalleysError:
    """The error for pandoc's message `text` (all its lines, in one): a bibliography pandoc
    cannot read is the source's fault (exit 65), as is a conversion that needs more memory
    than MEMORY_MB; anything else is pandoc's (exit 69)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    message = " ".join(lines) or "no message"
    if _BIBLIOGRAPHY.search(message):
        return SourceError(message.removeprefix("pandoc: "))
    if _HEAP.search(message):
        return SourceError(f"pandoc needed more than its memory limit of {MEMORY_MB} MB for "
                           "this article")
    return ToolError(f"pandoc failed: {message}")


class _Spawner:
    """One thread that starts every server of this process and lives as long as it does: a
    server ends with the thread that started it (see command), never with a helper thread
    that converted once."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], list[Any], threading.Event]]
        self._calls = queue.SimpleQueue()
        threading.Thread(target=self._run, name="galleys-pandoc-spawner", daemon=True).start()

    def _run(self) -> None:
        while True:
            call, box, done = self._calls.get()
            try:
                box.append(call())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller as it is
                box.append(exc)
            done.set()

    def start(self, call: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        box: list[Any] = []
        done = threading.Event()
        self._calls.put((call, box, done))
        done.wait()
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]


_spawners: list[_Spawner] = []


def _spawner() -> _Spawner:
    with _lock:
        if not _spawners:
            _spawners.append(_Spawner())
        return _spawners[0]


_idle: list[Server] = []  # this process's servers not converting right now
_busy: dict[Server, int] = {}  # the servers converting right now, and the thread asking
_unable = False  # a server said this pandoc cannot serve
_lock = threading.Lock()


def convert(
    binary: Path, request: dict[str, Any], data: bytes, timeout: float
) -> tuple[bytes, list[str]] | None:
    """One conversion by an idle server of this process, started if none is idle; None when
    this pandoc cannot serve (no sandboxed reader): the caller runs a pandoc process instead.

    Threads converting side by side (a DOCX written while the next article is parsed) get a
    server each; there are never more servers than conversions at one time.
    """
    global _unable
    if _unable:
        return None
    with _lock:
        while _idle and not _idle[-1].alive():
            _idle.pop().close()
        server = _idle.pop() if _idle else None
    if server is None:
        server = Server(binary)
    if not server.ready:
        _unable = True
        return None
    with _lock:
        _busy[server] = threading.get_ident()
    try:
        return server.convert(request, data, timeout)
    finally:
        with _lock:
            _busy.pop(server, None)
        if server.reusable():
            with _lock:
                _idle.append(server)
        else:  # interrupted mid-request (wherever the interrupt landed), timed out or broken
            server.close()


def stop_busy(threads: set[int]) -> None:
    """Stop the servers converting for `threads` (an article out of its time budget: their
    threads then end with a ToolError at once instead of waiting for pandoc). SIGINT, so
    pandoc removes its temporary files; the thread that waits for it closes it."""
    with _lock:
        chosen = [server for server, thread in _busy.items() if thread in threads]
    for server in chosen:
        with contextlib.suppress(OSError):
            server.process.send_signal(signal.SIGINT)


def prestart(binary: Path) -> None:
    """Start a server now, so its start-up overlaps other work; the first conversion uses it.
    None is started when one is idle already (`galleys build --watch` builds again and again)."""
    if _unable:
        return
    with _lock:
        if any(server.alive() for server in _idle):
            return
    server = Server(binary)
    with _lock:
        _idle.append(server)


def _forget_in_child() -> None:
    """A forked child starts its own servers (from a spawner thread of its own): its parent's
    are not its to use."""
    global _idle, _busy, _lock, _spawners
    _idle, _busy, _lock, _spawners = [], {}, threading.Lock(), []


os.register_at_fork(after_in_child=_forget_in_child)


@atexit.register
def close_all() -> None:
    """Stop this process's idle servers as it exits, and reap them: none outlives it (a
    worker process, which ends without atexit, calls it too: worker.worker_started)."""
    with _lock:
        servers = list(_idle)
        _idle.clear()
    for server in servers:
        server.close()


def enabled() -> bool:
    """GALLEYS_PANDOC_SERVER=0 runs one pandoc process per conversion instead."""
    return os.environ.get("GALLEYS_PANDOC_SERVER", "1") != "0"
