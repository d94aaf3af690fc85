"""`galleys check`: cross-format parity, validation, and a hand-broken edition is caught."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import copy_seed

from galleys import writers
from galleys.check.parity import check_path, format_report
from galleys.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed and the torture article built into one dist/ with every edition."""
    work = tmp_path_factory.mktemp("check")
    copy_seed(work / "source")
    shutil.copytree(FIXTURES / "torture", work / "source" / "torture")
    assert main(["build", str(work / "source"), "-o", str(work / "dist"), "-q"]) == 0
    return work


def test_every_edition_is_compared(built):
    reports = check_path(built / "dist", built / "source", validate=False)
    assert [r.slug for r in reports] == ["malik-2014-pakistan-japan-relations", "torture"]
    for report in reports:
        # every edition built (a Crossref deposit only with journal.yaml's crossref:), and the
        # landing page
        assert {"pdf", "epub", "docx", "landing"} <= set(report.editions)
        assert set(report.editions) == {*writers.names(), "landing"} - {"crossref"}


@pytest.mark.parametrize("slug", ["malik-2014-pakistan-japan-relations", "torture"])
def test_parity_and_validation(built, slug):
    (report,) = check_path(built / "dist" / slug, built / "source")
    assert report.ok, format_report(report)
    elements = [row.element for row in report.rows]
    assert "how to cite" in elements and "title" in elements and "body" in elements


def test_cli_check_exit_zero(built, capsys):
    assert (
        main(["check", str(built / "dist"), "--source", str(built / "source"), "--no-validate"])
        == 0
    )
    assert "2 fit to publish, 0 not" in capsys.readouterr().out


def _edit_zip(path: Path, member: str, old: str, new: str, count: int = -1) -> None:
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), count)
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


def test_a_title_edited_in_the_docx_is_caught(built, tmp_path, capsys):
    dist = tmp_path / "dist"
    shutil.copytree(built / "dist" / "torture", dist / "torture")
    _edit_zip(dist / "torture" / "torture.docx", "word/document.xml", "Torture", "Tortured")
    (report,) = check_path(dist / "torture", built / "source", validate=False)
    assert not report.ok
    cells = {row.element: row.cells for row in report.rows}
    assert cells["title"]["docx"].status == "differs"
    assert "Tortured" in cells["title"]["docx"].found
    assert cells["title"]["docx"].slot == "paragraph style 'Title'"
    assert cells["title"]["pdf"].status == "ok"
    assert (
        main(["check", str(dist / "torture"), "--source", str(built / "source"), "--no-validate"])
        == 1
    )
    out = capsys.readouterr().out
    assert "docx title differs" in out and "FAILED" in out


def test_the_title_paragraph_changed_is_caught_though_how_to_cite_names_the_title(built, tmp_path):
    """The issue's case: only the DOCX's Title paragraph changed, the How to Cite line still
    holding the right title, must fail the DOCX's title cell (check once searched the whole
    text and found it there)."""
    dist = tmp_path / "dist"
    slug = "malik-2014-pakistan-japan-relations"
    shutil.copytree(built / "dist" / slug, dist / slug)
    _edit_zip(dist / slug / f"{slug}.docx", "word/document.xml", "Pakistan Japan Relations",
              "Pakistan Jap4n Relations", count=1)  # the first: the Title paragraph
    (report,) = check_path(dist / slug, built / "source", validate=False)
    cells = {row.element: row.cells for row in report.rows}
    assert cells["title"]["docx"].status == "differs", format_report(report)
    assert "Jap4n" in cells["title"]["docx"].found
    assert cells["how to cite"]["docx"].status == "ok"


def test_a_missing_how_to_cite_in_the_epub_is_caught(built, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built / "dist" / "torture", dist / "torture")
    epub = zipfile.ZipFile(dist / "torture" / "torture.epub")
    member = next(
        n
        for n in epub.namelist()
        if n.endswith(".xhtml") and "Lovelace, A., van Gogh" in epub.read(n).decode()
    )
    _edit_zip(dist / "torture" / "torture.epub", member, "Lovelace, A., van Gogh", "Somebody Else")
    (report,) = check_path(dist / "torture", built / "source", validate=False)
    cells = {row.element: row.cells for row in report.rows}
    assert cells["how to cite"]["epub"].status != "ok"


def test_a_corrupt_pdf_is_a_problem_not_a_crash(built, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built / "dist" / "torture", dist / "torture")
    (dist / "torture" / "torture.pdf").write_bytes(b"%PDF-1.4 truncated")
    (report,) = check_path(dist / "torture", built / "source")
    assert not report.ok
    assert any("torture.pdf" in p for p in report.problems)


def test_convert_takes_a_folder_and_check_reads_any_output_folder(tmp_path, capsys):
    """A new user's first two commands: convert the seed folder, then check what came out."""
    out = tmp_path / "my-editions"
    seed = ROOT / "source" / "malik-2014-pakistan-japan-relations"
    assert main(["convert", str(seed), "-o", str(out), "-q"]) == 0
    assert (out / "malik-2014-pakistan-japan-relations.pdf").is_file()
    (report,) = check_path(out, ROOT / "source", validate=False)
    assert report.slug == "malik-2014-pakistan-japan-relations"
    assert report.ok, format_report(report)


def test_a_link_without_its_target_is_a_finding_in_html_and_epub(built, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built / "dist" / "torture", dist / "torture")
    (clean,) = check_path(dist / "torture", built / "source", validate=False)
    assert not [p for p in clean.problems if "has no target" in p], clean.problems
    html = dist / "torture" / "torture.html"
    page = html.read_text(encoding="utf-8")
    ident = re.search(r'href="#([^"]+)"', page).group(1)
    html.write_text(page.replace(f'id="{ident}"', 'id="gone"'), encoding="utf-8")
    epub = zipfile.ZipFile(dist / "torture" / "torture.epub")
    member, text = next((n, epub.read(n).decode()) for n in epub.namelist()
                        if n.endswith(".xhtml") and 'href="#' in epub.read(n).decode())
    target = re.search(r'href="#([^"]+)"', text).group(1)
    _edit_zip(dist / "torture" / "torture.epub", member, f'id="{target}"', 'id="gone"')
    (report,) = check_path(dist / "torture", built / "source", validate=False)
    missing = [p for p in report.problems if "has no target" in p]
    assert any(p.startswith(str(html)) and f"#{ident}" in p for p in missing), missing
    assert any("torture.epub" in p and f"#{target}" in p for p in missing), missing
    assert not report.ok
