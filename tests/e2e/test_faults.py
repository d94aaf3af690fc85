"""Faults while writing: a killed build, a full disk, two builds at once. Old editions survive;
a killed build takes its workers and pandoc along, and the next build repairs what it left."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import galleys.builder.coordinator
import galleys.builder.deliver
from galleys.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TORTURE = ROOT / "tests" / "fixtures" / "torture"


def make_source(root: Path, count: int, marker: str) -> Path:
    source = root / "source"
    for i in range(count):
        shutil.copytree(TORTURE, source / f"t{i}", dirs_exist_ok=True)
        article = source / f"t{i}" / "article.md"
        text = article.read_text().replace('title: "Every Block', f'title: "{marker} {i}')
        article.write_text(text.replace("doi: 10.5555/galleys.2024.007", f"doi: 10.5555/t.{i}"))
    return source


def digests(dist: Path) -> dict[str, str]:
    """sha256 of every file but hidden ones (the lock; temp files, which are checked apart)."""
    return {
        p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dist.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def run_build(cwd: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "galleys", "build", "source", "-o", "dist", "-q", *extra]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_build_killed_midway_leaves_old_or_new_files_never_partial(tmp_path):
    old_tree, new_tree, work = tmp_path / "old", tmp_path / "new", tmp_path / "work"
    for tree, marker in ((old_tree, "Old"), (new_tree, "New")):
        make_source(tree, 4, marker)
        assert run_build(tree, "-j", "1").wait() == 0
    old, new = digests(old_tree / "dist"), digests(new_tree / "dist")
    for delay in (0.8, 1.6, 2.4):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(old_tree, work)
        shutil.rmtree(work / "source")
        shutil.copytree(new_tree / "source", work / "source")
        process = run_build(work, "-j", "1")
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        dist = work / "dist"
        for name, digest in digests(dist).items():
            assert digest in (old.get(name), new.get(name)), f"{name} is partial (delay {delay})"
        for name in old:
            assert (dist / name).is_file(), f"{name} was lost (delay {delay})"
        # The next build finishes the job and leaves no temporary file behind.
        assert run_build(work, "-j", "1").wait() == 0
        assert not list(dist.rglob("*.tmp"))
        assert digests(dist) == new


def test_full_disk_names_the_path_and_leaves_no_temp_file(tmp_path, monkeypatch, capsys):
    source = make_source(tmp_path, 1, "Disk")
    out = tmp_path / "out"
    article = source / "t0" / "article.md"
    assert main(["convert", str(article), "-o", str(out), "-q"]) == 0
    before = digests(out)
    calls = {"n": 0}
    real_fsync = os.fsync

    def full(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the third file of the run hits a full disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(galleys.builder.deliver.os, "fsync", full)
    article.write_text(article.read_text().replace("Disk 0", "Disk changed"))
    assert main(["convert", str(article), "-o", str(out)]) == 73
    err = capsys.readouterr().err
    assert "No space left on device" in err and str(out) in err
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    after = digests(out)
    assert set(after) == set(before)  # every file there: old or new, none partial or missing


def test_two_builds_of_one_dist_at_once(tmp_path):
    make_source(tmp_path, 4, "Twice")
    first, second = (
        run_build(tmp_path, "-j", "1", "--force", "--wait", "600"),
        run_build(tmp_path, "-j", "1", "--force", "--wait", "600"),
    )
    assert first.wait() == 0 and second.wait() == 0, second.stderr.read()
    dist = tmp_path / "dist"
    manifest = json.loads((dist / "manifest.json").read_text())
    on_disk = {
        k: v
        for k, v in digests(dist).items()
        if k != "manifest.json" and not Path(k).name.startswith(".")
    }
    assert {e["path"]: e["sha256"] for e in manifest["files"]} == on_disk
    assert not list(dist.rglob("*.tmp"))


@pytest.mark.parametrize("blocker", ["file", "dir-file"])
def test_unwritable_output_folder(tmp_path, capsys, blocker):
    source = make_source(tmp_path, 1, "Blocked")
    out = tmp_path / "out"
    if blocker == "file":
        out.write_text("a file where the folder should be")
    else:
        (out / "t0.pdf").mkdir(parents=True)  # a folder where the PDF should go
    code = main(["convert", str(source / "t0" / "article.md"), "-o", str(out)])
    assert code == 73
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and str(out) in errors[0]
    if blocker == "dir-file":
        assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_an_interrupted_pandoc_request_closes_its_server(monkeypatch):
    """Ctrl-C while a pandoc server converts: that server is closed, never handed to the next
    request (which would read the interrupted article's reply); the next one gets its own."""
    from galleys import pandoc, pandoc_server

    pandoc.convert(b"warm", "markdown", "plain")  # an idle server to take
    server = pandoc_server._idle[-1]
    real_fill = pandoc_server.Server._fill

    def interrupted(self, deadline):
        monkeypatch.setattr(pandoc_server.Server, "_fill", real_fill)
        time.sleep(0.3)  # the reply is on its way meanwhile
        raise KeyboardInterrupt

    monkeypatch.setattr(pandoc_server.Server, "_fill", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pandoc.convert(b"first article", "markdown", "plain")
    assert not server.alive() and server not in pandoc_server._idle
    second = pandoc.convert(b"second article", "markdown", "plain")
    assert second.output.strip() == b"second article"


def test_any_exception_mid_request_closes_the_server(monkeypatch):
    from galleys import pandoc, pandoc_server

    pandoc.convert(b"warm", "markdown", "plain")
    server = pandoc_server._idle[-1]
    monkeypatch.setattr(pandoc_server.json, "loads", lambda _line: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        pandoc.convert(b"first", "markdown", "plain")
    monkeypatch.undo()
    assert not server.alive() and server not in pandoc_server._idle
    assert pandoc.convert(b"second", "markdown", "plain").output.strip() == b"second"


def test_a_pandoc_server_that_dies_says_why(tmp_path, monkeypatch):
    """Pandoc's stderr is kept: a server that stops names pandoc's own last word."""
    from galleys import pandoc, pandoc_server
    from galleys.errors import ToolError

    dying = 'io.write(pandoc.json.encode({ready = true}), "\\n") io.flush() io.read("l") ' \
        'io.stderr:write("[WARNING] not this\\nError: the real reason\\n") os.exit(3)'
    monkeypatch.setattr(pandoc_server, "SCRIPT", dying)
    server = pandoc_server.Server(pandoc.binary())
    assert server.ready
    with pytest.raises(ToolError, match=r"^the pandoc server stopped: Error: the real reason$"):
        server.convert({"from": "markdown", "to": "plain"}, b"x", 30)
    assert not server.alive()


def test_a_pandoc_failure_is_exit_69_not_a_bug(tmp_path, monkeypatch, capsys):
    """A pandoc that fails is EX_UNAVAILABLE (69), apart from a bug in galleys (70)."""
    from galleys import pandoc

    fake = tmp_path / "pandoc"
    fake.write_text("#!/bin/sh\n"
                    'if [ "$1" = "--version" ]; then echo "pandoc 3.8"; exit 0; fi\n'
                    'echo "pandoc: Prelude.head: empty list" >&2; exit 83\n')
    fake.chmod(0o755)
    monkeypatch.setenv("GALLEYS_PANDOC", str(fake))
    monkeypatch.setenv("GALLEYS_PANDOC_SERVER", "0")
    pandoc.binary.cache_clear()
    pandoc.version.cache_clear()
    try:
        assert main(["convert", str(TORTURE / "article.md"), "-o", str(tmp_path / "out")]) == 69
    finally:
        pandoc.binary.cache_clear()
        pandoc.version.cache_clear()
    assert "pandoc failed: pandoc: Prelude.head: empty list" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_is_exit_130_without_a_traceback(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(galleys.builder.coordinator, "convert", interrupted)
    assert main(["convert", "x.md"]) == 130
    err = capsys.readouterr().err
    assert err == "galleys: error: interrupted\n"


# -- processes that die with their build, the lock, the repair ----------------------------------

SMALL = "---\ntitle: Small {i}\nauthor: Jane Doe\ndoi: 10.5555/small.{i}\n---\n\n# One\n\n" \
    "Some text[^n] and more.\n\n[^n]: A note.\n"


def small_source(root: Path, count: int) -> Path:
    source = root / "source"
    for i in range(count):
        (source / f"s{i}").mkdir(parents=True)
        (source / f"s{i}" / "article.md").write_text(SMALL.format(i=i))
    return source


def marked_env(mark: str) -> dict[str, str]:
    """The environment of a build whose processes (workers, pandoc) can be found by `mark`."""
    return dict(os.environ, GALLEYS_TEST_MARK=mark)


def marked_processes(mark: str) -> list[int]:
    """PIDs of the live processes whose environment holds `mark` (zombies are not alive)."""
    found = []
    needle = f"GALLEYS_TEST_MARK={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0") and \
                    (entry / "stat").read_text().split(") ")[-1][0] != "Z":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_gone(mark: str, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := marked_processes(mark)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def run_galleys(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "galleys", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def whole(path: Path) -> bool:
    """Whether an edition or a text file is complete (a zip that tests clean, a PDF with its
    end, JSON that parses)."""
    data = path.read_bytes()
    if path.suffix in (".epub", ".docx"):
        try:
            with zipfile.ZipFile(path) as archive:
                return archive.testzip() is None
        except zipfile.BadZipFile:
            return False
    if path.suffix == ".pdf":
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    if path.suffix == ".json":
        try:
            json.loads(data)
        except ValueError:
            return False
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    return True


def manifest_matches(dist: Path) -> bool:
    manifest = json.loads((dist / "manifest.json").read_text())
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    return listed == {k: v for k, v in digests(dist).items() if k != "manifest.json"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_build_takes_its_workers_and_pandoc_along(tmp_path):
    small_source(tmp_path, 4)
    mark = f"kill-{os.getpid()}-{time.monotonic_ns()}"
    build = run_galleys(tmp_path, "build", "source", "-o", "dist", "-q", "-j", "2", "--force",
                    env=marked_env(mark))
    deadline = time.monotonic() + 60
    while len(marked_processes(mark)) < 4 and time.monotonic() < deadline:  # workers, pandoc
        time.sleep(0.02)
    assert len(marked_processes(mark)) >= 3, "the build never started its workers"
    build.kill()
    build.wait()
    assert wait_gone(mark) == [], "processes outlived the killed build"
    started = time.monotonic()
    repair = run_galleys(tmp_path, "build", "source", "-o", "dist", "-q", "--wait", "2")
    assert repair.wait(60) == 0, repair.stderr.read()
    assert time.monotonic() - started < 30
    assert manifest_matches(tmp_path / "dist")
    assert (tmp_path / "dist" / "index.html").is_file()


def test_a_held_lock_is_named_and_waited_for_at_most_wait_seconds(tmp_path):
    small_source(tmp_path, 1)
    dist = tmp_path / "dist"
    dist.mkdir()
    with open(dist / ".galleys.lock", "w+b") as handle:
        handle.write(b"building 424242\n")
        handle.flush()
        fcntl.flock(handle, fcntl.LOCK_EX)
        started = time.monotonic()
        blocked = run_galleys(tmp_path, "build", "source", "-o", "dist", "--wait", "1")
        code = blocked.wait(30)
        took = time.monotonic() - started
        err = blocked.stderr.read().decode()
    assert code == 75, err
    assert 1 <= took < 15
    lines = [line for line in err.splitlines() if line.strip()]
    assert "PID 424242" in lines[0] and "waiting up to 1 s" in lines[0]
    assert lines[-1].startswith("galleys: error: ") and "PID 424242" in lines[-1]
    assert not (dist / "s0").exists()


def test_workers_hold_no_lock(tmp_path):
    """A worker forked while the coordinator holds the lock holds none of it."""
    from galleys.builder import lock

    dist = tmp_path / "dist"
    with lock.exclusive(dist, wait=0):
        child = os.fork()
        if child == 0:  # the child tries the lock: it must find it held by the parent alone
            with open(dist / lock.LOCK, "rb") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    os._exit(1)
                except BlockingIOError:
                    pass
            time.sleep(1.0)  # still alive while the parent lets go
            os._exit(0)
        time.sleep(0.3)
    # the parent has let go while its child still runs: the lock is free at once
    with lock.exclusive(dist, wait=0) as held:
        assert held.finished_before
    assert os.waitpid(child, 0)[1] == 0


def test_an_unfinished_build_is_repaired(tmp_path):
    """The lock file says the last build did not finish: the index and the manifest are
    rewritten, whatever else is skipped."""
    small_source(tmp_path, 2)
    assert main(["build", str(tmp_path / "source"), "-o", str(tmp_path / "dist"), "-q"]) == 0
    dist = tmp_path / "dist"
    (dist / "index.html").write_text("stale")
    manifest = json.loads((dist / "manifest.json").read_text())
    manifest["files"] = manifest["files"][:1]
    (dist / "manifest.json").write_text(json.dumps(manifest))
    (dist / ".galleys.lock").write_bytes(b"building 424242\n")  # killed mid-build
    (dist / "s0" / ".s0.pdf.abc.tmp").write_bytes(b"partial")
    assert main(["build", str(tmp_path / "source"), "-o", str(dist), "-q"]) == 0
    assert (dist / "index.html").read_text() != "stale"
    assert manifest_matches(dist)
    assert not list(dist.rglob("*.tmp"))
    assert main(["build", str(tmp_path / "source"), "-o", str(dist), "--check", "-q"]) == 0


FAST = ("--to", "pdf,epub")  # two editions: the suite's minute buys more kills


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_at_random_moments_then_one_plain_build_repairs_everything(tmp_path):
    """20 builds killed at random moments (-j 2): never a partial file, no process left
    behind, and after each a plain build finishes within seconds, the manifest and the index
    right; `build --check` passes at the end."""
    small_source(tmp_path, 2)
    source = tmp_path / "source"
    first = run_galleys(tmp_path, "build", "source", "-o", "dist", "-q", "-j", "2", *FAST)
    assert first.wait(120) == 0, first.stderr.read()
    dist = tmp_path / "dist"
    timed = time.monotonic()
    forced = run_galleys(tmp_path, "build", "source", "-o", "dist", "-q", "-j", "2", *FAST,
                         "--force")
    assert forced.wait(120) == 0
    span = time.monotonic() - timed
    chooser = random.Random(2026)
    for round_ in range(20):
        article = source / f"s{round_ % 2}" / "article.md"
        article.write_text(SMALL.format(i=round_ % 2).replace("and more", f"round {round_}"))
        mark = f"r{round_}-{os.getpid()}-{time.monotonic_ns()}"
        build = run_galleys(tmp_path, "build", "source", "-o", "dist", "-q", "-j", "2", *FAST,
                        *(["--force"] if round_ % 2 else []), env=marked_env(mark))
        time.sleep(chooser.uniform(0.0, span))
        build.kill()
        build.wait()
        assert wait_gone(mark) == [], f"round {round_}: processes outlived the build"
        for name in digests(dist):  # every file whole: old or new, never partial
            assert whole(dist / name), f"round {round_}: {name} is partial"
        started = time.monotonic()
        repair = run_galleys(tmp_path, "build", "source", "-o", "dist", "-q", "-j", "2", *FAST,
                         "--wait", "5")
        assert repair.wait(60) == 0, (round_, repair.stderr.read())
        assert time.monotonic() - started < 30, f"round {round_}: the repair took too long"
        assert manifest_matches(dist), f"round {round_}: manifest"
        assert not list(dist.rglob("*.tmp"))
    check = run_galleys(tmp_path, "build", "source", "-o", "dist", "--check", "-q", *FAST)
    assert check.wait(120) == 0, check.stderr.read()


# -- exit codes of faults ------------------------------------------------------------------------


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if "error:" in line]


def test_a_full_disk_stops_a_build_with_73_naming_the_path(tmp_path, monkeypatch, capsys):
    source = small_source(tmp_path, 2)
    dist = tmp_path / "dist"

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(galleys.builder.deliver.os, "fsync", full)
    assert main(["build", str(source), "-o", str(dist), "-q", "-j", "1"]) == 73
    errors = _errors(capsys.readouterr().err)
    assert len(errors) == 1 and "No space left on device" in errors[0] and str(dist) in errors[0]
    assert not list(dist.rglob("*.tmp"))
    monkeypatch.undo()
    assert main(["build", str(source), "-o", str(dist), "-q", "-j", "1"]) == 0  # repaired
    assert manifest_matches(dist)


def _file_size_limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (95_000, 95_000))  # the PDF is ~100 KB


@pytest.mark.parametrize("command", ["build", "convert"])
def test_a_file_size_limit_is_73_naming_the_file(tmp_path, command):
    small_source(tmp_path, 1)
    args = ["build", "source", "-o", "dist"] if command == "build" else \
        ["convert", "source/s0/article.md", "-o", "dist"]
    done = subprocess.run([sys.executable, "-m", "galleys", *args, "-q"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=_file_size_limit)
    assert done.returncode == 73, done.stderr
    errors = _errors(done.stderr)
    # the first file over the limit is named: an edition, or a style copy of How to Cite
    assert len(errors) == 1 and "/" in errors[0] and ": cannot write: File too large" in errors[0]


def test_a_deleted_working_folder_is_66(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    script = ("import os, sys; os.rmdir(sys.argv[1]); from galleys.cli.main import main; "
              "sys.exit(main(['build', '-q']))")
    done = subprocess.run([sys.executable, "-c", script, str(gone)], cwd=gone,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 66, done.stderr
    assert done.stderr == "galleys: error: the working folder no longer exists (was it deleted?)\n"


def test_a_missing_source_folder_creates_nothing(tmp_path, capsys):
    dist = tmp_path / "dist"
    assert main(["build", str(tmp_path / "nowhere"), "-o", str(dist)]) == 66
    assert "no such source folder" in capsys.readouterr().err
    assert not dist.exists()


def test_a_lock_file_that_cannot_be_opened_is_named(tmp_path, capsys):
    source = small_source(tmp_path, 1)
    dist = tmp_path / "dist"
    (dist / ".galleys.lock").mkdir(parents=True)  # (a read-only dist/ fails the same way)
    assert main(["build", str(source), "-o", str(dist), "-q"]) == 73
    errors = _errors(capsys.readouterr().err)
    assert errors == [f"galleys: error: {dist / '.galleys.lock'}: cannot create the lock file: "
                      "Is a directory"]


# -- no leftovers --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["build -j 2", "convert", "failing convert", "interrupted build"])
def test_no_temporary_folder_survives(tmp_path, case):
    """Whatever a command does, TMPDIR is as it was: empty."""
    small_source(tmp_path, 2)
    if case == "failing convert":
        article = tmp_path / "source" / "s0" / "article.md"
        article.write_text(article.read_text() + "\n![x](missing.png)\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    args = {"build -j 2": ["build", "source", "-o", "dist", "-j", "2"],
            "interrupted build": ["build", "source", "-o", "dist", "-j", "2"]}.get(
        case, ["convert", "source/s0/article.md", "-o", "dist"])
    process = subprocess.Popen([sys.executable, "-m", "galleys", *args, "-q"], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    if case == "interrupted build":
        deadline = time.monotonic() + 60
        while not any(temp.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C: the terminal signals the whole group
    _, err = process.communicate(timeout=300)
    expected = {"build -j 2": 0, "convert": 0, "failing convert": 65, "interrupted build": 130}
    assert process.returncode == expected[case], err
    deadline = time.monotonic() + 5  # pandoc, told to stop, removes its files as it ends
    while list(temp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(temp.iterdir()) == []


def test_a_pandoc_over_its_heap_is_the_articles_error_in_one_line(monkeypatch):
    """pandoc runs with +RTS -M: a conversion by a pandoc process that needs more is a
    SourceError (65) saying so. (A server over its heap may stall instead: its request's
    timeout then ends it, a ToolError.)"""
    from galleys import pandoc, pandoc_server
    from galleys.errors import SourceError

    monkeypatch.setattr(pandoc_server, "MEMORY_MB", 8)
    monkeypatch.setattr(pandoc_server, "_idle", [])  # servers started now, with that heap
    monkeypatch.setattr(pandoc_server, "_unable", False)
    for served in ("0",):
        monkeypatch.setenv("GALLEYS_PANDOC_SERVER", served)
        with pytest.raises(SourceError, match=r"^pandoc needed more than its memory limit of "
                                              r"8 MB for this article$"):
            pandoc.convert(("word " * 300_000).encode(), "markdown", "native")


def test_a_bibliography_pandoc_cannot_read_is_65_with_the_whole_reason(tmp_path):
    from galleys import pandoc
    from galleys.errors import SourceError
    from galleys.front import styles

    bib = tmp_path / "refs.bib"
    bib.write_text("@article{k, title = {never closed\n")
    with pytest.raises(SourceError) as raised:
        pandoc.convert(b"See [@k].", "markdown", "plain", citeproc=True, bibliography=bib,
                       csl=styles.path("apa"))
    assert str(raised.value) == (f"Error reading bibliography file {bib}: (line 2, column 1): "
                                 "unexpected end of input")
