"""`galleys check` finds the source of what `galleys convert` made, as a new user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from galleys.cli.main import main


@pytest.fixture
def paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JOSS-like repository: repo/paper/paper.md, converted from inside paper/ with
    relative paths, the working folder left there."""
    folder = tmp_path / "repo" / "paper"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "source" / SEED / "article.md", folder / "paper.md")
    monkeypatch.chdir(folder)
    assert main(["convert", "paper.md", "-q", "--to", "pdf,epub"]) == 0
    return folder


def _built() -> str:
    (slug,) = [p.name for p in Path("dist").iterdir()]
    return f"dist/{slug}"


def test_check_in_the_papers_folder_needs_no_source_option(paper: Path, capsys) -> None:
    assert main(["check", _built(), "--no-validate"]) == 0, capsys.readouterr().out


def test_check_takes_the_article_file_or_its_folder(paper: Path, monkeypatch, capsys) -> None:
    built = paper / _built()
    monkeypatch.chdir(paper.parent)  # the repository's root: its paper/ is one level down
    for source in ([], ["--source", "paper/paper.md"], ["--source", "paper"]):
        assert main(["check", str(built), "--no-validate", *source]) == 0, capsys.readouterr()


def test_a_changed_source_still_fails_the_check(paper: Path, capsys) -> None:
    """The source found is really compared: a title changed after the build is a failure."""
    text = (paper / "paper.md").read_text()
    (paper / "paper.md").write_text(text.replace("\ntitle: ", "\ntitle: Revised ", 1))
    assert main(["check", _built(), "--no-validate"]) == 1
    assert "title" in capsys.readouterr().out
