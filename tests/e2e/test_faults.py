"""Faults while writing: a killed build, a full disk, two builds at once. Old editions survive."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import galleys.build.coordinator
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

    monkeypatch.setattr(galleys.build.coordinator.os, "fsync", full)
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
        run_build(tmp_path, "-j", "1", "--force"),
        run_build(tmp_path, "-j", "1", "--force"),
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
                    'echo "pandoc: out of memory" >&2; exit 83\n')
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
    assert "pandoc failed: pandoc: out of memory" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_is_exit_130_without_a_traceback(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(galleys.build.coordinator, "convert", interrupted)
    assert main(["convert", "x.md"]) == 130
    err = capsys.readouterr().err
    assert err == "galleys: error: interrupted\n"
