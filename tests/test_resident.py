"""The resident build process: a handed-over build gives what a build here gives, and the
process is private, declines other environments and leaves when it should."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_build import digests, make_source

from galleys import resident

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_dir():
    """A private runtime folder of its own (short: a socket's path holds ≤ 107 bytes); any
    resident process left in it is stopped at the end."""
    place = Path(tempfile.mkdtemp(prefix="gr-", dir="/tmp"))
    yield place
    for lock in place.glob("galleys-*/*.lock"):
        for pid in _holders(lock):
            os.kill(pid, signal.SIGTERM)
    shutil.rmtree(place, ignore_errors=True)


def _holders(lock: Path) -> list[int]:
    """Processes that have `lock` open (the resident process of that socket)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if any(os.readlink(fd) == str(lock) for fd in (entry / "fd").iterdir()):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _env(run_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GALLEYS_RESIDENT"}
    return {**env, "XDG_RUNTIME_DIR": str(run_dir), "GALLEYS_RESIDENT_IDLE": "60", **extra}


def _galleys(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """`python -X importtime -m galleys ARGS`: its stderr also tells whether this process
    imported galleys.cli (it built here) or not (it handed the build over)."""
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "galleys", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def _local(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """The same command with GALLEYS_RESIDENT=0: built here, whatever runs."""
    return subprocess.run([sys.executable, "-m", "galleys", *args], capture_output=True,
                          text=True, env={**env, "GALLEYS_RESIDENT": "0"}, cwd=cwd, timeout=300)


def _built_here(done: subprocess.CompletedProcess) -> bool:
    return "| galleys.cli\n" in done.stderr


def _messages(done: subprocess.CompletedProcess) -> list[str]:
    """Its messages (the -X importtime lines aside) in order of the articles (the workers
    finish in any order)."""
    lines = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    return sorted(re.sub(r"^\[\d+/\d+\] ", "", line) for line in lines)


def _socket(run_dir: Path, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(run_dir.glob("galleys-*/*.sock"))
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError("no resident process started")


def test_a_handed_over_build_gives_the_same_files_output_and_code(tmp_path, run_dir):
    source = make_source(tmp_path)
    env = _env(run_dir)
    first = _galleys(["build", "source", "-o", "here"], env, tmp_path)
    assert first.returncode == 0 and _built_here(first)
    _socket(run_dir)

    handed = _galleys(["build", "source", "-o", "there"], env, tmp_path)  # relative paths
    assert handed.returncode == 0 and not _built_here(handed), handed.stderr[-2000:]
    assert digests(tmp_path / "there") == digests(tmp_path / "here")
    summary = "4 built, 0 skipped, 0 failed"
    assert handed.stdout.split(" in ")[0] == first.stdout.split(" in ")[0] == summary
    assert _messages(handed) == _messages(first)

    # an incremental rebuild after one change, then a failing article: same as here
    (source / "art-2" / "article.md").write_text(
        (source / "art-2" / "article.md").read_text() + "\nOne more sentence.\n")
    again = _galleys(["build", "source", "-o", "there"], env, tmp_path)
    assert not _built_here(again) and again.stdout.startswith("1 built, 3 skipped, 0 failed")
    assert _local(["build", "source", "-o", "here"], env, tmp_path).returncode == 0
    (source / "art-3" / "article.md").write_text("---\ntitle: [unclosed\n---\n")
    failed = _galleys(["build", "source", "-o", "there"], env, tmp_path)
    local = _local(["build", "source", "-o", "here"], env, tmp_path)
    assert not _built_here(failed)
    assert failed.returncode == local.returncode == 1
    assert _messages(failed) == _messages(local)
    assert digests(tmp_path / "there") == digests(tmp_path / "here")

    usage = _galleys(["build", "source", "-o", "there", "--jobs", "0"], env, tmp_path)
    assert usage.returncode == 2 and not _built_here(usage)
    assert "--jobs: must be 1 or more" in usage.stderr


def test_another_environment_or_changed_code_gets_another_process(tmp_path, monkeypatch):
    first = resident.environment()
    monkeypatch.setenv("GALLEYS_SOMETHING", "1")
    assert resident.environment() != first
    monkeypatch.delenv("GALLEYS_SOMETHING")
    monkeypatch.setenv("PWD", "/elsewhere")  # shell bookkeeping is not compared
    assert resident.environment() == first

    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    before = resident._stamps(str(folder))
    (folder / "a.py").write_text("x = 22\n")
    assert resident._stamps(str(folder)) != before
    assert resident.socket_path("/r", b"one") != resident.socket_path("/r", b"two")


def test_only_a_private_folder_is_used(run_dir, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run_dir))
    place = resident.folder()
    assert place is not None and os.stat(place).st_mode & 0o777 == 0o700
    os.chmod(place, 0o755)
    assert resident.folder() is None
    monkeypatch.setenv("GALLEYS_RESIDENT", "0")
    assert not resident.wanted(["build", "source"])
    monkeypatch.setenv("GALLEYS_RESIDENT", "1")
    assert resident.wanted(["build", "source"])
    assert not resident.wanted(["build", "--help"])
    assert not resident.wanted(["convert", "a.md"])


def test_an_interrupt_reaches_the_build_and_the_process_leaves(tmp_path, run_dir):
    make_source(tmp_path, count=9)
    env = _env(run_dir)
    _galleys(["build", "source", "-o", "first"], env, tmp_path)
    sock = _socket(run_dir)
    client = subprocess.Popen([sys.executable, "-m", "galleys", "build", "source", "-o", "new",
                               "--jobs", "1"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert client.stderr is not None
    first = client.stderr.readline()  # one article built: the build is under way, 8 to go
    assert first.startswith("[1/9] built"), first
    client.send_signal(signal.SIGINT)
    out, err = client.communicate(timeout=120)
    assert client.returncode == 130, (out, err)
    assert "galleys: error: interrupted" in err and "[9/9]" not in err
    deadline = time.monotonic() + 30
    while sock.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not sock.exists()  # an interrupted build may have left state: it does not serve on


def test_an_idle_process_leaves(tmp_path, run_dir):
    make_source(tmp_path, count=1)
    _galleys(["build", "source", "-o", "dist"], _env(run_dir, GALLEYS_RESIDENT_IDLE="1"),
             tmp_path)
    sock = _socket(run_dir)
    lock = sock.with_suffix(".lock")
    deadline = time.monotonic() + 60
    while (sock.exists() or _holders(lock)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sock.exists() and not _holders(lock)  # gone, not only its socket
