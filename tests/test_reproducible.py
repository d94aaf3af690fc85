"""Byte-identical rebuilds: one source built in two folders, seconds apart, by two processes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from galleys.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _build(workdir: Path) -> dict[str, str]:
    shutil.copytree(ROOT / "source", workdir / "source")
    torture = ROOT / "tests" / "fixtures" / "torture"
    shutil.copytree(torture, workdir / "source" / "torture")
    subprocess.run(
        [sys.executable, "-m", "galleys", "build", "-q"], cwd=workdir, check=True, timeout=600
    )
    dist = workdir / "dist"
    return {
        p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dist.rglob("*"))
        if p.is_file() and p.name != ".galleys-inputs.json"  # machine-local: inodes, times
    }


def test_two_builds_in_two_folders_are_byte_identical(tmp_path):
    first = _build(tmp_path / "one")
    time.sleep(1.5)  # a timestamp taken from the clock would now differ
    second = _build(tmp_path / "two")
    assert first == second
    manifest = json.loads((tmp_path / "one" / "dist" / "manifest.json").read_text())
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    hidden = ("manifest.json", ".galleys.lock", ".galleys-cite.json")  # the lock, a cache
    assert listed == {k: v for k, v in first.items() if k not in hidden}
    suffixes = {Path(name).name.split(".", 1)[1] for name in first if "/" in name}
    assert {"bib", "ris", "csl.json", "frontmatter.json"} <= suffixes


def test_build_check_catches_a_hand_edited_file(tmp_path, capsys):
    workdir = tmp_path / "w"
    _build(workdir)
    dist = workdir / "dist"
    args = ["build", str(workdir / "source"), "-o", str(dist), "--check"]
    assert main(args) == 0
    target = dist / "torture" / "torture.ris"
    target.write_text(target.read_text().replace("Every Block", "Every Blok"))
    assert main(args) == 1
    assert "torture.ris: differs from a fresh build" in capsys.readouterr().err


def test_fonts_from_the_cache_draw_the_same_pdf(tmp_path):
    """Faces parsed afresh, parsed and kept, loaded from the cache, or parsed again because
    the cache was damaged: the same PDF, byte for byte."""
    seed = next((ROOT / "source").glob("*/article.md"))
    cache = tmp_path / "cache"

    def pdf(run: str, setting: str) -> bytes:
        out = tmp_path / run
        subprocess.run(
            [sys.executable, "-m", "galleys", "convert", str(seed), "-o", str(out), "-q",
             "--to", "pdf"],
            env={**os.environ, "GALLEYS_CACHE": setting}, check=True, timeout=300,
        )
        return next(out.glob("*.pdf")).read_bytes()

    parsed = pdf("parsed", "off")
    assert not cache.exists()
    kept = pdf("kept", str(cache))
    entries = sorted((cache / "fonts").glob("*.pickle"))
    assert len(entries) >= 4, "the text faces are kept"
    times = [e.stat().st_mtime_ns for e in entries]
    loaded = pdf("loaded", str(cache))
    assert [e.stat().st_mtime_ns for e in entries] == times, "loaded, not parsed and kept again"
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    damaged = pdf("damaged", str(cache))
    assert parsed == kept == loaded == damaged
    assert all(e.read_bytes() != b"not a pickle" for e in entries), "damaged entries replaced"
