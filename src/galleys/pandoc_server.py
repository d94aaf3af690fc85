"""One long-lived `pandoc lua` process per Python process, so a conversion skips pandoc's start-up.

A pandoc process spends ~80 ms starting before it reads a byte (its DOCX writer's data, its
readers, its runtime), more than the conversion of a typical article. The server reads
requests on stdin and answers on stdout, one at a time: a JSON header line, then the bytes.
Markdown is read sandboxed (no file is read, as with `pandoc --sandbox`); citeproc reads only
the bibliography and style named in the request; the DOCX writer reads only the reference
document (every picture reaches it as a data: URI). A request that outlives its timeout kills
the server; the next request starts a new one. A forked child starts its own.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from .errors import ToolError

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
START_TIMEOUT = 60.0  # seconds for a server to say it is ready


class Server:
    """A running `pandoc lua` server; one request at a time."""

    def __init__(self, binary: Path) -> None:
        env = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH)
        try:
            self.process = subprocess.Popen(
                [str(binary), "lua", "-e", SCRIPT],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # warnings come from PANDOC_STATE.log instead
                env=env,
            )
        except OSError as exc:
            raise ToolError(f"cannot run pandoc at {binary}: {exc.strerror}") from exc
        self._buffer = b""
        self._ready: bool | None = None  # said on its first line, read when first needed

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
        """(output, warnings) of one conversion; ToolError if pandoc fails or times out."""
        header = json.dumps({**request, "length": len(data)}).encode() + b"\n"
        deadline = time.monotonic() + timeout
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(header + data)
            self.process.stdin.flush()
            reply = json.loads(self._line(deadline))
            output = self._exact(reply.get("length", 0), deadline)
        except TimeoutError:
            self.close()
            raise ToolError(f"pandoc did not finish within {timeout:.0f} s") from None
        except (OSError, ValueError) as exc:
            self.close()
            raise ToolError(f"the pandoc server stopped: {exc}") from None
        if not reply["ok"]:
            lines = str(reply.get("error", "")).strip().splitlines()
            raise ToolError(f"pandoc failed: {lines[0] if lines else 'no message'}")
        return output, list(reply["warnings"])

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

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


_idle: list[Server] = []  # this process's servers not converting right now
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
            _idle.pop()
        server = _idle.pop() if _idle else None
    if server is None:
        server = Server(binary)
    if not server.ready:
        _unable = True
        return None
    try:
        return server.convert(request, data, timeout)
    finally:
        if server.alive():  # one that timed out or broke was closed: never reused
            with _lock:
                _idle.append(server)


def prestart(binary: Path) -> None:
    """Start a server now, so its start-up overlaps other work; the first conversion uses it.
    None is started when one is idle already (a resident process builds again and again)."""
    if _unable:
        return
    with _lock:
        if any(server.alive() for server in _idle):
            return
    server = Server(binary)
    with _lock:
        _idle.append(server)


def _forget_in_child() -> None:
    """A forked child starts its own servers: its parent's are not its to use."""
    global _idle, _lock
    _idle, _lock = [], threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)


def enabled() -> bool:
    """GALLEYS_PANDOC_SERVER=0 runs one pandoc process per conversion instead."""
    return os.environ.get("GALLEYS_PANDOC_SERVER", "1") != "0"
