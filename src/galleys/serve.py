"""`galleys serve`: a static preview of dist/ on loopback, with the right media types."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import sys
import urllib.parse
from pathlib import Path

from .errors import InputMissingError, UsageError

DEFAULT_PORT = 8000
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


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files below one folder only: no listings, no symlinks out, no writes."""

    quiet = False

    def version_string(self) -> str:
        return "galleys"

    def __init__(self, *args, directory: str, **kwargs) -> None:
        self._root = Path(directory).resolve()
        super().__init__(*args, directory=directory, **kwargs)

    def send_head(self):  # type: ignore[no-untyped-def]
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
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
        size = os.fstat(handle.fileno()).st_size
        self.send_response(200)
        self.send_header("Content-Type", media_type(resolved.name))
        self.send_header("Content-Length", str(size))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        return handle

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


def make_server(
    dist: Path, port: int = DEFAULT_PORT, host: str = "127.0.0.1", *, quiet: bool = False
) -> http.server.ThreadingHTTPServer:
    """A server for `dist`, bound but not yet serving (port 0 takes a free port)."""
    dist = Path(dist)
    if not dist.is_dir():
        raise InputMissingError("no such folder to serve", path=dist)
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port} is out of range (0–65535)")
    handler_class = type("Handler", (_Handler,), {"quiet": quiet})
    handler = functools.partial(handler_class, directory=str(dist.resolve()))
    server_class: type[http.server.ThreadingHTTPServer] = http.server.ThreadingHTTPServer
    if ":" in host:  # an IPv6 address such as ::1
        server_class = type("Server6", (server_class,), {"address_family": socket.AF_INET6})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    server.daemon_threads = True
    return server


def serve(dist: Path, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
    """Serve `dist` until Ctrl+C, printing its address first."""
    server = make_server(dist, port, host)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    print(f"Serving {dist} at http://{shown}:{bound_port}/ (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
