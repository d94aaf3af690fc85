"""The library API: `galleys.convert` returns real editions as bytes, `galleys.build` builds."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import ROOT
from editions import write_article
from pypdf import PdfReader

import galleys

SEED = ROOT / "source" / "malik-2014-pakistan-japan-relations"


def test_convert_returns_each_edition_as_bytes_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    editions = galleys.convert(SEED, formats=("pdf", "epub"))
    assert isinstance(editions, galleys.Editions)
    assert editions.slug == "malik-2014-pakistan-japan-relations"
    pdf = PdfReader(io.BytesIO(editions.get("pdf")))
    assert "Pakistan" in pdf.pages[0].extract_text()
    with zipfile.ZipFile(io.BytesIO(editions.get("epub"))) as epub:
        assert epub.read("mimetype") == b"application/epub+zip"
    assert f"{editions.slug}.bib" in editions.files  # the citation files come too
    with pytest.raises(KeyError):
        editions.get("docx")  # not asked for
    assert list(tmp_path.iterdir()) == []  # nothing written where the caller is


def test_convert_returns_warnings_instead_of_printing(tmp_path, capsys):
    article = write_article(tmp_path / "a", "title: T\nauthor: A. Author\ndate: 2024-01-02",
                            "See \\ref{nowhere}.\n")
    editions = galleys.convert(article, formats="pdf")
    assert any("nowhere" in w for w in editions.warnings)
    assert capsys.readouterr() == ("", "")


def test_bad_input_raises_galleys_error_with_the_commands_exit_code(tmp_path):
    with pytest.raises(galleys.GalleysError) as caught:
        galleys.convert(tmp_path / "missing.md")
    assert caught.value.exit_code == 66
    with pytest.raises(galleys.GalleysError) as caught:
        galleys.convert(SEED, formats="pdf,nonsense")
    assert caught.value.exit_code == 2


def test_build_builds_a_journal(tmp_path):
    write_article(tmp_path / "source" / "one", "title: One\nauthor: A. Author\ndate: 2024", "Text.")
    result = galleys.build(tmp_path / "source", tmp_path / "dist", formats="pdf")
    assert [p.name for p in result.built] == ["one"] and not result.failed
    assert (tmp_path / "dist" / "one" / "one.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "dist" / "manifest.json").is_file()
    again = galleys.build(tmp_path / "source", tmp_path / "dist", formats="pdf")
    assert [p.name for p in again.skipped] == ["one"]


def test_site_url_makes_the_landing_pages_links_for_indexers_absolute(tmp_path):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "journal.yaml").write_text(
        "journal:\n  title: J\nsite-url: https://journal.example.org/\n", encoding="utf-8")
    write_article(tmp_path / "source" / "one", "title: One\nauthor: A. Author\ndate: 2024",
                  "Text.")
    galleys.build(tmp_path / "source", tmp_path / "dist", formats="pdf")
    page = (tmp_path / "dist" / "one" / "index.html").read_text(encoding="utf-8")
    assert ('name="citation_pdf_url" content="https://journal.example.org/one/one.pdf"'
            in page), page[:2000]
