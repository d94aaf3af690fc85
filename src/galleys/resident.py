"""A resident build process: `galleys build` hands its work to one an earlier build left running.

A rebuild after one change is mostly fixed cost: starting Python, importing the renderers
(reportlab, ebooklib, Pillow, pdfium: ~0.35 s of one core) and pandoc's first conversions. A
build run here therefore starts a resident process in the background when it is done; later
builds in the same environment connect to it over a Unix socket, pass their stdin, stdout,
stderr, arguments and working folder, and exit with the code it returns. It runs one build at
a time, in its own process, by the same code (cli.main) as the command, with the files already
imported, the fonts read and pandoc running.

Same environment means: the same Python, galleys and libraries (their files' stat), umask and
environment variables, and no fonts installed since (fontconfig's caches). The socket's name
is a checksum of all that; the resident process compares the whole of it with its own and
declines a request that differs (the client then builds itself). The socket lives in a folder
only the user can enter, and both ends check the other's user id.

It leaves when idle for GALLEYS_RESIDENT_IDLE seconds (600), after a build that was
interrupted or failed internally, or when its memory exceeds RSS_LIMIT_MB. GALLEYS_RESIDENT=0
turns it off (the Makefile and the tests do). Linux only (it passes file descriptors and reads
the peer's credentials).

This module is imported on every `galleys build`, before anything else of galleys: the client
half imports nothing a bare Python has not (`_socket`, not `socket`, whose enum set-up costs
~10 ms; no typing, no contextlib): a handed-over build that has nothing to do takes ~60 ms.
"""

from __future__ import annotations

import os
import sys
import zlib

IDLE_SECONDS = 600
RSS_LIMIT_MB = 240  # above it after a build, the process leaves (the next build starts anew)
ACCEPT_TIMEOUT = 2.0  # seconds a client waits to be taken (it builds itself after that)
_VOLATILE = {"PWD", "OLDPWD", "_", "SHLVL"}  # shell bookkeeping: set per build, not compared
_DECLINED = b"-"  # the reply to a request the resident process will not run


def wanted(argv: list[str]) -> bool:
    """Whether this command line may go to a resident process: a build (no help, no Dask)."""
    return (
        os.environ.get("GALLEYS_RESIDENT", "1") != "0"
        and sys.platform == "linux"
        and bool(argv)
        and argv[0] == "build"
        and not any(arg in ("-h", "--help") or arg.startswith("--dask") for arg in argv)
    )


def folder() -> str | None:
    """The user's private folder of sockets, made if missing; None if it is not private."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    place = os.path.join(base, f"galleys-{os.getuid()}")
    try:
        os.mkdir(place, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    info = os.lstat(place)
    private = info.st_uid == os.getuid() and not info.st_mode & 0o077
    return place if private and (info.st_mode & 0o170000) == 0o040000 else None


def environment() -> bytes:
    """What a build's result may depend on beyond its arguments: Python, the code and
    libraries it imports, fonts, umask and the environment variables."""
    mask = os.umask(0)
    os.umask(mask)
    package = os.path.dirname(os.path.abspath(__file__))
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    parts = [sys.executable, sys.version, package, str(mask), str(os.getuid())]
    parts += _stamps(package)
    # sys.path[0] is the script's folder, or the working folder under -m: not compared
    for path in [*sys.path[1:], "/var/cache/fontconfig", os.path.join(cache, "fontconfig")]:
        parts.append(f"{path}:{_stamp(path)}")
    parts += sorted(f"{k}={v}" for k, v in os.environ.items() if k not in _VOLATILE)
    return "\0".join(parts).encode("utf-8", "surrogateescape")


def socket_path(place: str, material: bytes) -> str:
    """The socket of the resident process for this environment (a checksum names it)."""
    return os.path.join(place, f"{zlib.crc32(material):08x}{zlib.adler32(material):08x}.sock")


def _stamp(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return "-"
    return f"{info.st_mtime_ns}.{info.st_size}.{info.st_ino}"


def _stamps(top: str) -> list[str]:
    """The stat stamp of every file below `top` (bytecode caches aside)."""
    found = []
    for directory, folders, files in os.walk(top):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        found += [f"{name}:{_stamp(os.path.join(directory, name))}" for name in sorted(files)]
    return found


def flush_standard_streams() -> None:
    """Flush stdout and stderr, whatever became of them."""
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib: ~5 ms more for a build's client to import)
            stream.flush()
        except (OSError, ValueError):
            pass


# -- the client: a `galleys build` that hands itself over ---------------------------------


def hand_over(argv: list[str]) -> int | None:
    """Run `argv` in the resident process for this environment and return its exit code;
    None when none took it (none is running, it is busy, or it declined): build here then."""
    import _socket

    place = folder()
    if place is None:
        return None
    material = environment()
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    signals = _Signals()
    try:
        sock.connect(socket_path(place, material))
        pid = _peer(sock)
        if pid is None:
            return None
        signals.catch()
        sock.settimeout(ACCEPT_TIMEOUT)
        if sock.recv(1) != b"+":
            return None
        if signals.caught:  # before anything was handed over: stop as a build here would
            return signals.stopped()
        payload = _request(argv, os.getcwd(), material)
        fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))  # C ints
        sock.sendmsg([b"%16d" % len(payload)], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        sock.sendall(payload)
        signals.forward_to(pid)
        sock.settimeout(None)
        return _result(sock, signals)
    except OSError:
        return signals.stopped() if signals.caught else None
    finally:
        sock.close()


class _Signals:
    """SIGINT, SIGTERM and SIGHUP while a build is handed over: noted, and once it is the
    resident process's, passed on to it (they would have stopped a build here)."""

    def __init__(self) -> None:
        self.caught: list[int] = []
        self.pid: int | None = None

    def catch(self) -> None:
        import signal

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._handle)

    def forward_to(self, pid: int) -> None:
        self.pid = pid
        for signum in self.caught:
            self._send(signum)

    def stopped(self) -> int:
        """The exit code of a build here stopped by the last signal (SIGINT: its message)."""
        import signal

        if self.caught[-1] == signal.SIGINT:
            print("galleys: error: interrupted", file=sys.stderr)
        return 128 + self.caught[-1]

    def _handle(self, signum: int, _frame: object) -> None:
        self.caught.append(signum)
        self._send(signum)

    def _send(self, signum: int) -> None:
        if self.pid is not None:
            try:  # noqa: SIM105 (as in flush_standard_streams)
                os.kill(self.pid, signum)
            except OSError:
                pass


def _peer(sock) -> int | None:
    """The process id at the socket's other end, if it is this user's; else None."""
    import _socket

    creds = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    pid, uid = (int.from_bytes(creds[i : i + 4], sys.byteorder) for i in (0, 4))
    return pid if uid == os.getuid() else None


def _request(argv: list[str], cwd: str, material: bytes) -> bytes:
    """argv, cwd, the compared environment and every variable, NUL-separated (no argument,
    path or variable can hold a NUL)."""
    fields = [str(len(argv)), *argv, cwd, str(len(os.environ))]
    fields += [f"{k}={v}" for k, v in os.environ.items()]
    encoded = b"\0".join(os.fsencode(field) for field in fields)
    return encoded + b"\0" + material


def _result(sock, signals: _Signals) -> int | None:
    """Wait for the exit code of the handed-over build."""
    reply = b""
    while not reply.endswith(b"\n"):
        try:
            chunk = sock.recv(64)
        except OSError:
            chunk = b""
        if not chunk:
            break
        reply += chunk
    if reply == _DECLINED + b"\n":
        return None
    if reply.strip().isdigit():
        return int(reply)
    if signals.caught:
        return 128 + signals.caught[-1]  # as a build here, killed by that signal, would end
    from .errors import EXIT_INTERNAL

    print("galleys: error: the resident build process ended without a result; run the "
          "command again (GALLEYS_RESIDENT=0 builds without it)", file=sys.stderr)
    return EXIT_INTERNAL


def start() -> None:
    """Start the resident process for this environment in the background, for later builds
    (one that finds another already running leaves at once)."""
    import contextlib
    import subprocess

    with contextlib.suppress(OSError):
        subprocess.Popen(
            [sys.executable, "-m", "galleys.resident"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            start_new_session=True,  # no terminal's signals; outlives this process
        )


# -- the resident process ------------------------------------------------------------------


def serve() -> None:
    """Warm up, then run the builds handed over until idle (or done: see the module)."""
    import fcntl
    import select
    import socket

    place = folder()
    if place is None:
        return
    material = environment()
    path = socket_path(place, material)
    lock = os.open(path[: -len(".sock")] + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another resident process serves this environment
    _warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = f"{path}.{os.getpid()}"
    listener.bind(temporary)
    listener.listen(8)
    os.replace(temporary, path)  # a socket a dead process left is replaced whole
    try:
        idle = float(os.environ.get("GALLEYS_RESIDENT_IDLE", IDLE_SECONDS))
    except ValueError:
        idle = IDLE_SECONDS
    try:
        while select.select([listener], [], [], idle)[0]:
            connection, _ = listener.accept()
            with connection:
                if not _serve_one(connection, material) or _rss_mb() > RSS_LIMIT_MB:
                    break
    finally:
        os.unlink(path)
        listener.close()


def _warm_up() -> None:
    """Import what a build uses, read the common fonts and start pandoc (a build's Warmup,
    waited for), and the command line itself."""
    from . import backends, build, cli, progress  # noqa: F401
    from .worker import Warmup

    Warmup(backends.names()).wait()


def _serve_one(connection, material: bytes) -> bool:
    """Run one handed-over build; whether this process may take another."""
    import socket

    if _peer(connection) is None:
        return True
    connection.settimeout(ACCEPT_TIMEOUT)
    fds: list[int] = []
    try:
        connection.sendall(b"+")
        header, fds, _, _ = socket.recv_fds(connection, 16, 3)
        payload = _receive(connection, int(_receive(connection, 16, header)))
        argv, cwd, env, theirs = _parse_request(payload)
        connection.settimeout(None)
        if len(fds) != 3 or theirs != material:
            _reply(connection, _DECLINED)
            return theirs == material  # else two environments share a checksum: leave
        code = _run(argv, cwd, env, fds)
    except (OSError, ValueError, IndexError):  # a request cut short or malformed
        return True
    finally:
        for fd in fds:  # the client's streams: only _run's dup2 copies outlive the request
            os.close(fd)
    if code is None:
        _reply(connection, _DECLINED)
        return True
    _reply(connection, str(code).encode())
    from .errors import EXIT_INTERNAL

    return code not in (130, EXIT_INTERNAL)  # after an interrupt or a bug: leave, not reuse


def _receive(connection, size: int, start: bytes = b"") -> bytes:
    """Exactly `size` bytes from `connection` (`start` being the first of them)."""
    data = start
    while len(data) < size:
        more = connection.recv(min(size - len(data), 1 << 20))
        if not more:
            raise OSError("end of request")
        data += more
    return data


def _parse_request(payload: bytes) -> tuple[list[str], str, dict[str, str], bytes]:
    fields = payload.split(b"\0")
    count = int(fields[0])
    argv = [os.fsdecode(f) for f in fields[1 : 1 + count]]
    cwd = os.fsdecode(fields[1 + count])
    variables = int(fields[2 + count])
    start = 3 + count
    env = dict(os.fsdecode(f).partition("=")[::2] for f in fields[start : start + variables])
    material = b"\0".join(fields[start + variables :])
    return argv, cwd, env, material


def _reply(connection, data: bytes) -> None:
    import contextlib

    with contextlib.suppress(OSError):
        connection.sendall(data + b"\n")


def _run(argv: list[str], cwd: str, env: dict[str, str], fds: list[int]) -> int | None:
    """cli.main(argv) with the client's streams, folder and variables; None if it could not
    start (the client then builds itself)."""
    from .cli import main

    try:
        os.chdir(cwd)
    except OSError:
        return None
    saved = [os.dup(n) for n in (0, 1, 2)]
    try:
        for fd, target in zip(fds, (0, 1, 2), strict=True):
            os.dup2(fd, target)
        os.environ.clear()
        os.environ.update(env)
        for stream in (sys.stdout, sys.stderr):
            stream.reconfigure(line_buffering=stream.isatty())
        return main(argv)
    finally:
        flush_standard_streams()
        for fd, target in zip(saved, (0, 1, 2), strict=True):  # the client's streams closed
            os.dup2(fd, target)
            os.close(fd)
        os.chdir("/")


def _rss_mb() -> float:
    """This process's resident memory now, in MB."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


if __name__ == "__main__":
    serve()
