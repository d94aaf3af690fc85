"""`galleys serve`: a static preview of dist/ on loopback, with the right media types; with
--watch, pages that reload themselves when a rebuild finishes (in the served copy only)."""

from __future__ import annotations

import functools
import http.server
import io
import ipaddress
import json
import os
import re
import socket
import sys
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from galleys.errors import InputMissingError, UsageError

DEFAULT_PORT = 8000
IDLE_SECONDS = 5.0  # a connection that sends nothing for this long is closed
MAX_CONNECTIONS = 32  # served at once; one more is closed at once, unanswered
# Longest suffix first, so ".csl.json" wins over ".json".
MEDIA_TYPES = (
    (".csl.json", "application/vnd.citationstyles.csl+json"),
    (".frontmatter.json", "application/json"),
    (".json", "application/json"),
    (".html", "text/html; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".js", "text/javascript; charset=utf-8"),
    (".txt", "text/plain; charset=utf-8"),
    (".pdf", "application/pdf"),
    (".epub", "application/epub+zip"),
    (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (".bib", "application/x-bibtex; charset=utf-8"),
    (".ris", "application/x-research-info-systems; charset=utf-8"),
    (".png", "image/png"),
    (".jpg", "image/jpeg"),
    (".svg", "image/svg+xml"),
)


def media_type(name: str) -> str:
    """The Content-Type for a file name; unknown suffixes are served as bytes."""
    lower = name.lower()
    return next((t for s, t in MEDIA_TYPES if lower.endswith(s)), "application/octet-stream")


BUILD_PATH = "/__galleys__/build"  # while watching: {"build": N}, N counting finished builds
_RELOAD_SCRIPT = (  # %d: the build the page was served from; polls, reloads on a newer one
    "(function(){var served=%d;setInterval(function(){"
    "fetch('%s',{cache:'no-store'}).then(function(r){return r.json();})"
    ".then(function(d){if(d.build!==served)location.reload();},function(){});},1000);})();"
)
_CSP = re.compile(rb'(http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")')


class LiveReload:
    """The number of builds a watching server has seen finish; its pages poll it."""

    def __init__(self) -> None:
        self.build = 0
        self._lock = threading.Lock()

    def finished(self) -> None:
        """A rebuild has finished: open pages reload."""
        with self._lock:
            self.build += 1


def with_reload(page: bytes, build: int) -> bytes:
    """`page` as served while watching: a polling script before </body>, allowed by the page's
    own Content-Security-Policy (its hash, and fetches to this server). The files in dist/ are
    never changed: published pages carry no such script."""
    from galleys.writers.landing.assets import csp_hash

    script = _RELOAD_SCRIPT % (build, BUILD_PATH)
    allowed = csp_hash(script).encode()

    def policy(match: re.Match[bytes]) -> bytes:
        rules = match.group(2)
        if b"script-src " in rules:
            rules = rules.replace(b"script-src ", b"script-src " + allowed + b" ", 1)
        else:
            rules += b"; script-src " + allowed
        return match.group(1) + rules + b"; connect-src 'self'" + match.group(3)

    page = _CSP.sub(policy, page, count=1)
    tag = f"<script>{script}</script>".encode()
    end = page.rfind(b"</body>")
    return page[:end] + tag + page[end:] if end >= 0 else page + tag


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files below one folder only: no listings, no symlinks out, no writes."""

    quiet = False
    live: LiveReload | None = None  # set while watching
    timeout = IDLE_SECONDS  # StreamRequestHandler: the socket's timeout, so idle ones end

    def version_string(self) -> str:
        return "galleys"

    def __init__(self, *args, directory: str, **kwargs) -> None:
        self._root = Path(directory).resolve()
        super().__init__(*args, directory=directory, **kwargs)

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if self.live is not None and path == BUILD_PATH:
            return self._send(json.dumps({"build": self.live.build}).encode(), "application/json")
        if "\x00" in path or "\\" in path or any(p == ".." for p in path.split("/")):
            self.send_error(404, "Not found")
            return None
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", urllib.parse.quote(path + "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        try:
            resolved = target.resolve(strict=True)
        except (OSError, RuntimeError):
            resolved = None
        if (
            resolved is None
            or not resolved.is_relative_to(self._root)
            or not resolved.is_file()
            or any(part.startswith(".") for part in resolved.relative_to(self._root).parts)
        ):
            self.send_error(404, "Not found")
            return None
        try:
            handle = open(resolved, "rb")  # noqa: SIM115 (closed by copyfile's caller)
        except OSError:
            self.send_error(404, "Not found")
            return None
        kind = media_type(resolved.name)
        if self.live is not None and kind.startswith("text/html"):
            with handle:
                return self._send(with_reload(handle.read(), self.live.build), kind)
        self._headers(kind, os.fstat(handle.fileno()).st_size)
        return handle

    def _send(self, data: bytes, kind: str) -> io.BytesIO:
        self._headers(kind, len(data))
        return io.BytesIO(data)

    def _headers(self, kind: str, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(size))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _Server(http.server.ThreadingHTTPServer):
    """A thread per connection, at most MAX_CONNECTIONS at once; a client that goes away
    mid-reply (a closed tab, a timeout) is not an error worth a traceback."""

    daemon_threads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # too many at once: this one is closed unanswered
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client left or fell silent: nothing to report
        super().handle_error(request, client_address)


def make_server(
    dist: Path,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    *,
    quiet: bool = False,
    live: LiveReload | None = None,
) -> http.server.ThreadingHTTPServer:
    """A server for `dist`, bound but not yet serving (port 0 takes a free port); with `live`,
    its pages reload when live says a build finished."""
    dist = Path(dist)
    if not dist.is_dir():
        raise InputMissingError("no such folder to serve", path=dist)
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port} is out of range (0–65535)")
    handler_class = type("Handler", (_Handler,), {"quiet": quiet, "live": live})
    handler = functools.partial(handler_class, directory=str(dist.resolve()))
    server_class: type[_Server] = _Server
    if ":" in host:  # an IPv6 address such as ::1
        server_class = type("Server6", (server_class,), {"address_family": socket.AF_INET6})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return server


def serve(dist: Path, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
    """Serve `dist` until Ctrl+C, printing its address first."""
    server = make_server(dist, port, host)
    _announce(server, dist)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def serve_watching(
    dist: Path,
    source: Path,
    build: Callable[[], object],
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    formats: tuple[str, ...] = (),
) -> int:
    """Serve `dist` while `build` builds it now and again on every save below `source`
    (watch.watch), the open pages reloading after each build; until Ctrl+C (returns 130)."""
    from galleys.builder.watch import watch

    Path(dist).mkdir(parents=True, exist_ok=True)  # served from the start, filled by the build
    live = LiveReload()
    server = make_server(dist, port, host, live=live)
    _announce(server, dist)
    threading.Thread(target=server.serve_forever, name="galleys-serve", daemon=True).start()

    def rebuild() -> None:
        try:
            build()
        finally:
            live.finished()

    try:
        return watch(source, rebuild, ignore=[dist], formats=formats)
    finally:
        server.shutdown()
        server.server_close()


def _announce(server: http.server.ThreadingHTTPServer, dist: Path) -> None:
    """The one start line (stdout), and a warning (stderr) when the site is not for this
    machine only."""
    bound_host, bound_port = server.server_address[:2]
    host = bound_host.decode() if isinstance(bound_host, bytes) else bound_host
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving {dist} at http://{shown}:{bound_port}/ (Ctrl+C stops)", flush=True)
    if not is_loopback(str(host)):
        print(f"galleys: warning: listening on {host}: the site is reachable from the "
              "network, not only from this machine", file=sys.stderr, flush=True)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False
