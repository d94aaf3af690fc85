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

import pytest
from conftest import copy_seed

from galleys.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _build(workdir: Path) -> dict[str, str]:
    copy_seed(workdir / "source")
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
    hidden = ("manifest.json", ".galleys.lock", ".galleys-cite.json", ".galleys-cache.json")
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


@pytest.mark.parametrize("jobs", ["1", "2"])  # in this process; in worker processes
def test_a_build_leaves_no_process_and_no_temporary_folder(tmp_path, jobs):
    """The command ends the usual way: no resident process is left running, nor any pandoc
    server of it or of its workers, not even as a zombie (nothing of its session survives
    it), and every temporary folder (galleys-csl-* styles, galleys-* article copies,
    pandoc's own) is removed by its exit."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    workdir = tmp_path / "w"
    copy_seed(workdir / "source")
    shutil.copytree(ROOT / "tests" / "fixtures" / "torture", workdir / "source" / "torture")
    build = subprocess.Popen(
        [sys.executable, "-m", "galleys", "build", "-q", "-j", jobs], cwd=workdir,
        env={**os.environ, "TMPDIR": str(temp)}, start_new_session=True,
        stderr=subprocess.PIPE, text=True,
    )
    _, errors = build.communicate(timeout=600)
    assert build.returncode == 0, errors
    assert (workdir / "dist" / "manifest.json").is_file()
    assert sorted(p.name for p in temp.iterdir()) == []
    listing = subprocess.run(["ps", "-eo", "sid=,args="], capture_output=True, text=True,
                             check=True).stdout
    session = [line for line in listing.splitlines() if line.split()[0] == str(build.pid)]
    assert session == [], session
