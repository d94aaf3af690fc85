"""pandoc's habits on `galleys convert`: `-o FILE.pdf` writes that one file, `-t` is `--to`."""

from __future__ import annotations

import zipfile

import pytest
from conftest import ROOT, SEED
from pypdf import PdfReader

from galleys.cli.main import main

ARTICLE = ROOT / "source" / SEED / "article.md"
TITLE = "Pakistan Japan Relations and Prospects for Peace and Development in South Asia"


def _title(path):
    """The title the edition's own metadata carries."""
    if path.suffix == ".pdf":
        return PdfReader(path).metadata.title
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if path.suffix == ".epub":
            opf = next(n for n in names if n.endswith(".opf"))
            return archive.read(opf).decode()
        return archive.read("docProps/core.xml").decode()


@pytest.mark.parametrize("suffix", [".pdf", ".epub", ".docx"])
def test_output_file_is_that_one_edition(tmp_path, capsys, suffix):
    target = tmp_path / "out" / f"paper{suffix}"  # its folder is made, as for -o DIR
    assert main(["convert", str(ARTICLE), "-o", str(target)]) == 0
    assert target.is_file() and TITLE in _title(target)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [target.name]  # nothing beside
    assert capsys.readouterr().out.strip() == str(target)


def test_output_file_replaces_an_older_one(tmp_path):
    target = tmp_path / "paper.pdf"
    target.write_bytes(b"old")
    assert main(["convert", str(ARTICLE), "-o", str(target), "-q"]) == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_an_existing_folder_named_like_a_file_stays_a_folder(tmp_path):
    folder = tmp_path / "editions.pdf"
    folder.mkdir()
    assert main(["convert", str(ARTICLE), "-o", str(folder), "-t", "epub", "-q"]) == 0
    assert (folder / f"{SEED}.epub").is_file()


def test_output_file_and_another_format_is_a_usage_error(tmp_path, capsys):
    assert main(["convert", str(ARTICLE), "-o", str(tmp_path / "x.pdf"), "-t", "epub"]) == 2
    err = capsys.readouterr().err
    assert "-o" in err and "pdf" in err and "epub" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_output_file_with_its_own_format_named(tmp_path):
    target = tmp_path / "x.docx"
    assert main(["convert", str(ARTICLE), "-o", str(target), "--to", "docx", "-q"]) == 0
    assert zipfile.is_zipfile(target)


def test_a_failing_conversion_leaves_nothing(tmp_path, capsys):
    bad = tmp_path / "bad" / "article.md"
    bad.parent.mkdir()
    bad.write_text("---\nauthor: No Title\n---\nx\n")
    assert main(["convert", str(bad), "-o", str(tmp_path / "out.pdf")]) == 65
    assert "missing title" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


def test_t_is_to(tmp_path):
    assert main(["convert", str(ARTICLE), "-t", "epub", "-o", str(tmp_path / "a"), "-q"]) == 0
    assert main(["convert", str(ARTICLE), "--to", "epub", "-o", str(tmp_path / "b"), "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        p.name for p in (tmp_path / "b").iterdir())
    assert not any(p.suffix == ".pdf" for p in (tmp_path / "a").iterdir())
    assert (tmp_path / "a" / f"{SEED}.epub").read_bytes() == (
        tmp_path / "b" / f"{SEED}.epub").read_bytes()
