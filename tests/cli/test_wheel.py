"""From a wheel in a fresh virtual environment outside the repository, as a new journal
starts: `galleys new`, a second article, `galleys build`, `galleys check` (validation too)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow  # a wheel, a venv and its packages, a build, EPUBCheck: minutes

EDITIONS = (".pdf", ".epub", ".docx", ".bib", ".ris", ".csl.json", ".preview.png")


def _run(args: list[str | Path], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The galleys command of a fresh venv that has the wheel built from this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    tree = work / "galleys"  # a copy: building in place would leave build/ in the checkout
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns(
        "__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    wheels = work / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, tree], cwd=work)
    (wheel,) = wheels.glob("galleys-*.whl")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    python = work / "venv" / "bin" / "python"
    # the exact versions `make test` uses, from the package registry (or pip's cache)
    _run([python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt",
          f"{wheel}[java]"], cwd=work)
    return work / "venv" / "bin" / "galleys"


def test_a_new_journal_from_the_wheel_builds_and_checks(installed, tmp_path):
    assert not Path(str(installed)).resolve().is_relative_to(ROOT)
    journal = tmp_path / "journal"
    _run([installed, "new", journal, "--title", "Journal of Wheels"], cwd=tmp_path)
    shutil.copytree(FIXTURES / "torture", journal / "source" / "second-article")
    _run([installed, "build"], cwd=journal)
    checked = _run([installed, "check"], cwd=journal)
    assert "2 fit to publish, 0 not" in checked.stdout
    for slug in ("example-article", "second-article"):
        folder = journal / "dist" / slug
        for suffix in EDITIONS:
            assert (folder / f"{slug}{suffix}").stat().st_size > 0, f"{slug}{suffix}"
        assert (folder / "index.html").is_file()
    assert (journal / "dist" / "index.html").is_file()


def test_the_installed_command_is_the_wheel_not_this_checkout(installed, tmp_path):
    shown = _run([installed.parent / "python", "-c",
                  "import galleys, sys; print(galleys.__file__)"], cwd=tmp_path).stdout
    assert not Path(shown.strip()).resolve().is_relative_to(ROOT)
