"""`galleys build --watch` and `galleys serve --watch`: a foreground process that rebuilds what
changed on save (and reloads the served page), ended cleanly by Ctrl+C."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SEED, copy_seed, require_module, require_program
from pypdf import PdfReader

from galleys import writers
from galleys.cli.serve import BUILD_PATH, with_reload

WAIT = 120.0  # seconds, at most, for any one step (a slow, shared machine)

ARTICLE = """---
title: "{title}"
author: Ann Lee
date: 2020-01-1{n}
---

Paragraph {n} with *emphasis*.
"""


def _journal(root: Path) -> Path:
    source = root / "source"
    for n in (1, 2):
        (source / f"a{n}").mkdir(parents=True)
        (source / f"a{n}" / "article.md").write_text(
            ARTICLE.format(title=f"Article {n}", n=n), encoding="utf-8")
    return source


class _Running:
    """A galleys command in the background, its output lines collected as they come."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "galleys", *args], cwd=cwd, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self.errors: list[str] = []
        for stream, into in ((self.process.stdout, self.lines), (self.process.stderr, self.errors)):
            threading.Thread(target=lambda s=stream, i=into: i.extend(s), daemon=True).start()

    def wait_for(self, condition: Callable[[], object], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            assert self.process.poll() is None, f"ended early: {self.errors}"
            assert time.monotonic() < deadline, f"no {what} within {WAIT} s: {self.errors}"
            time.sleep(0.05)

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def test_build_watch_rebuilds_the_changed_article_only_and_ctrl_c_ends_it(tmp_path):
    source = _journal(tmp_path)
    dist = tmp_path / "dist"
    run = _Running(["build", "--watch", "-j", "1", "--to", "pdf"], tmp_path)
    try:
        run.wait_for(lambda: any("watching" in line for line in run.errors), "first build")
        pdf, other = dist / "a1" / "a1.pdf", dist / "a2" / "a2.pdf"
        assert "Article 1" in _pdf_text(pdf)
        before, other_before = pdf.read_bytes(), other.stat().st_mtime_ns
        time.sleep(0.2)
        article = source / "a1" / "article.md"
        article.write_text(article.read_text().replace("Article 1", "Renamed One"))
        run.wait_for(lambda: any("1 built, 1 skipped" in line for line in run.lines),
                     "rebuild")
        assert pdf.read_bytes() != before
        assert "Renamed One" in _pdf_text(pdf)
        assert other.stat().st_mtime_ns == other_before, "the unchanged article is not rebuilt"
        (source / "a2" / ".article.md.swp").write_text("an editor's swap file")
        time.sleep(1.0)
        assert sum("built" in line for line in run.lines) == 2, "a hidden file starts no build"
        code = run.interrupt()
    finally:
        run.stop()
    errors = "".join(run.errors)
    assert code == 130, errors
    assert "Traceback" not in errors and "stopped watching" in errors


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def test_serve_watch_reloads_the_open_page_and_leaves_dist_untouched(tmp_path):
    source = _journal(tmp_path)
    dist = tmp_path / "dist"
    run = _Running(["serve", "--watch", "--port", "0", "--source", str(source), str(dist)],
                   tmp_path)
    try:
        run.wait_for(lambda: any("watching" in line for line in run.errors), "first build")
        address = next(re.search(r"http://[^/]+/", line).group(0) for line in run.lines
                       if line.startswith("Serving"))
        first = json.loads(_get(address + BUILD_PATH.lstrip("/")))["build"]
        page = _get(address + "a1/index.html")
        assert f"var served={first};".encode() in page and b"location.reload()" in page
        assert b"connect-src 'self'" in page
        on_disk = (dist / "a1" / "index.html").read_bytes()
        assert b"location.reload" not in on_disk, "dist/ carries no reload script"
        article = source / "a1" / "article.md"
        article.write_text(article.read_text().replace("Article 1", "Renamed One"))
        run.wait_for(lambda: json.loads(_get(address + BUILD_PATH.lstrip("/")))["build"]
                     > first, "rebuild")
        assert b"Renamed One" in _get(address + "a1/index.html")
        code = run.interrupt()
    finally:
        run.stop()
    assert code == 130, run.errors
    assert "Traceback" not in "".join(run.errors)


def test_the_reload_script_is_allowed_by_the_pages_own_policy():
    """The injected script's hash joins the page's script-src (or makes one), and fetches to
    the server are allowed; the rest of the policy is as it was."""
    import base64
    import hashlib

    page = (b'<html><head><meta http-equiv="Content-Security-Policy" content="default-src '
            b"'none'; script-src 'sha256-abc'\"></head><body><p>x</p></body></html>")
    served = with_reload(page, 7)
    script = re.search(rb"<script>(.*)</script></body>", served).group(1)
    digest = base64.b64encode(hashlib.sha256(script).digest())
    policy = re.search(rb'content="([^"]*)"', served).group(1)
    assert policy == (b"default-src 'none'; script-src 'sha256-" + digest + b"' 'sha256-abc'; "
                      b"connect-src 'self'")
    bare = with_reload(b'<meta http-equiv="Content-Security-Policy" content="default-src '
                       b"'none'\"><body></body>", 1)
    assert b"default-src 'none'; script-src 'sha256-" in bare


@pytest.mark.external
def test_an_open_page_reloads_itself_in_a_browser_after_a_rebuild(tmp_path):
    """Chromium keeps the landing page open; a save to the article rebuilds it and the page
    shows the new title by itself, with no CSP violation or script error on the way."""
    executable = require_program("chromium", "chromium-browser")
    require_module("playwright")
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM_ARGS

    source = _journal(tmp_path)
    dist = tmp_path / "dist"
    run = _Running(["serve", "--watch", "--port", "0", "--source", str(source), str(dist)],
                   tmp_path)
    try:
        run.wait_for(lambda: any("watching" in line for line in run.errors), "first build")
        address = next(re.search(r"http://[^/]+/", line).group(0) for line in run.lines
                       if line.startswith("Serving"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(address + "a1/index.html")
            assert "Article 1" in page.title()
            article = source / "a1" / "article.md"
            with page.expect_navigation(timeout=WAIT * 1000):  # the page's own reload
                article.write_text(article.read_text().replace("Article 1", "Renamed One"))
            assert "Renamed One" in page.title()
            assert problems == []
            browser.close()
        assert run.interrupt() == 130
    finally:
        run.stop()


def _files(dist: Path) -> dict[str, bytes]:
    """Every published file below `dist` (the hidden caches and the lock left out)."""
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(dist).parts)}


def test_a_watch_rebuild_gives_the_bytes_of_a_fresh_forced_build(tmp_path):
    """Every format (the helper process makes all but the PDF): after a save, the watch's dist/
    is, byte for byte, what `galleys build --force` makes of the same source in a new folder."""
    source = copy_seed(tmp_path / "source")
    second = source / "a1"
    second.mkdir()
    (second / "article.md").write_text(ARTICLE.format(title="Article 1", n=1), encoding="utf-8")
    dist, fresh = tmp_path / "dist", tmp_path / "fresh"
    run = _Running(["build", "--watch", "-o", str(dist), str(source)], tmp_path)
    try:
        run.wait_for(lambda: any("watching" in line for line in run.errors), "first build")
        index = (dist / "index.html").read_bytes()
        seed = source / SEED / "article.md"
        seed.write_text(seed.read_text(encoding="utf-8") + "\nA sentence added by a save.\n",
                        encoding="utf-8")
        run.wait_for(lambda: any("1 built, 1 skipped" in line for line in run.lines), "rebuild")
        assert (dist / "index.html").read_bytes() == index  # a body edit: the same index
        article = second / "article.md"
        article.write_text(article.read_text().replace("Article 1", "Renamed One"))
        run.wait_for(lambda: sum("1 built, 1 skipped" in line for line in run.lines) == 2,
                     "second rebuild")
        below = _descendants(run.process.pid)
        if Path("/proc/self").is_dir():  # Linux: the helper is there, below the watch
            assert any(b"multiprocessing" in _command(pid) for pid in below), "no helper"
        code = run.interrupt()
    finally:
        run.stop()
    assert code == 130, run.errors
    assert "Traceback" not in "".join(run.errors)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in below if _alive(pid)], "the helper and pandoc end with the watch"
    assert b"Renamed One" in (dist / "index.html").read_bytes()
    made = subprocess.run([sys.executable, "-m", "galleys", "build", "--force", "-q", "-o",
                           str(fresh), str(source)], cwd=tmp_path, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    watched, expected = _files(dist), _files(fresh)
    assert sorted(watched) == sorted(expected)
    assert [name for name in expected if watched[name] != expected[name]] == []
    assert any(name.endswith(".docx") for name in expected)  # every format was compared


def _descendants(pid: int) -> set[int]:
    """The processes below `pid` (Linux's /proc; none known elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _job(path: Path, formats: tuple[str, ...]):
    from galleys.builder.coordinator import _Plan, _Planned
    from galleys.builder.snapshot import take_snapshot
    from galleys.read.markdown import read_article

    planned = _Planned(path, take_snapshot(path))
    (job,) = _Plan(formats=formats).jobs([(planned, read_article(path))])
    return job


def test_editions_made_by_the_helper_process_are_those_made_here(tmp_path):
    """render_editions in the watch's helper process (spawned, as the watch starts it) makes
    the bytes render_article makes; when the helper fails, the article's editions are all made
    here, the same again."""
    from concurrent.futures import Future

    from galleys.builder.watch import _helper
    from galleys.builder.worker import Apart, Editions, parse_article, render_article

    source = copy_seed(tmp_path / "source")
    formats = writers.parse_formats(None)
    others = tuple(name for name in formats if name != "pdf")
    job = _job(source / SEED / "article.md", formats)
    alone = render_article(job, parse_article(job))
    assert not alone.error
    expected = [(o.name, o.data) for o in alone.outputs]
    with _helper(formats) as helper:
        assert helper is not None
        apart = Apart(others, helper.submit(render_editions_job, job, others))
        shared = render_article(job, parse_article(job), apart)
        made = apart.future.result()
    assert sorted(made.outputs) == sorted(others) and not made.error
    assert [(o.name, o.data) for o in shared.outputs] == expected
    assert shared.warnings == alone.warnings
    broken: Future[Editions] = Future()
    broken.set_exception(RuntimeError("the helper died"))
    failed: Future[Editions] = Future()
    failed.set_result(Editions(error="a one-line error"))
    for future in (broken, failed):
        again = render_article(job, parse_article(job), Apart(others, future))
        assert [(o.name, o.data) for o in again.outputs] == expected


def render_editions_job(job, formats):
    from galleys.builder.worker import render_editions

    return render_editions(job, formats)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="reads /proc (Linux)")
def test_a_killed_watch_takes_its_helper_and_pandoc_along(tmp_path):
    """SIGKILL leaves the watch no clean-up: its helper process (the parent-death signal) and
    every pandoc server below it end anyway."""
    source = _journal(tmp_path)
    run = _Running(["build", "--watch", str(source)], tmp_path)
    try:
        run.wait_for(lambda: any("watching" in line for line in run.errors), "first build")
        run.wait_for(lambda: any(b"multiprocessing" in _command(pid)
                                 for pid in _descendants(run.process.pid)), "the helper")
        below = _descendants(run.process.pid)
        run.process.kill()
        run.process.wait(timeout=WAIT)
    finally:
        run.stop()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [_command(pid) for pid in below if _alive(pid)]
