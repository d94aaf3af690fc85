"""One title block in every edition: author notes, e-mails, the issue title, organisations.

A small article written here (and papers of the corpus as their authors wrote them) is built,
and each edition's real output is read: the PDF's text, the EPUB's title page, the DOCX's
paragraphs and styles, the landing page, and the citation files.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, require_corpus
from lxml import etree, html

from galleys.builder.articles import prepare
from galleys.check.parity import check_article, check_path, format_report
from galleys.check.readback import normalize, read_pdf
from galleys.cli.main import main
from galleys.front.frontmatter import Labels, author_notes
from galleys.read.markdown import read_article

SLUG = "notes-and-groups"
ARTICLE = """\
---
title: Notes, Groups and Issue Titles
author:
  - name: Ana Gómez^[corresponding author]
    email: ana@example.org
    equal-contrib: true
    affiliation: Universidad de Galeradas
  - name: Bo Li
    attributes:
      equal-contributor: true
    note: Deceased, March 2023
    email: bo@example.org
    affiliation: Galleys Institute
  - name:
      literal: The Galleys Consortium
  - name: Astropy Collaboration
    group: true
  - name: Júlio Hoffimann (julio@example.org)
  - name: Jane Doe
    email: corresponding email
date: 2024-01-02
journal:
  title: Journal of Title Blocks
  volume: 3
  issue: 1
  issue-title: Special Issue on Author Notes
---
The body of the article.
"""
CORRESPONDING = "Corresponding author: Ana Gómez, ana@example.org"
EQUAL = "These authors contributed equally"
NOTE = "Deceased, March 2023"
EMAILS = "E-mail: Bo Li, bo@example.org; Júlio Hoffimann, julio@example.org"
ISSUE = "Special Issue on Author Notes"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """work/source/<slug>/article.md built into work/dist with every edition."""
    work = tmp_path_factory.mktemp("title-block")
    article = work / "source" / SLUG / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["build", str(work / "source"), "-o", str(work / "dist"), "-q"]) == 0
    return work


def _out(built: Path, suffix: str) -> Path:
    return built / "dist" / SLUG / f"{SLUG}{suffix}"


def test_the_reader_keeps_notes_flags_organisations_and_e_mails(built):
    warnings: list[str] = []
    resolved, front = prepare(built / "source" / SLUG / "article.md", warn=warnings.append)
    ana, bo, consortium, astropy, julio, jane = resolved.metadata.authors
    assert (ana.given, ana.family, ana.corresponding, ana.equal_contributor) == (
        "Ana", "Gómez", True, True
    )
    assert ana.notes == ()  # ^[corresponding author] is the flag, not a note
    assert (bo.corresponding, bo.equal_contributor, bo.notes) == (False, True, (NOTE,))
    for group in (consortium, astropy):
        assert (group.given, group.family) == ("", "")
    assert consortium.literal == "The Galleys Consortium"
    assert astropy.literal == "Astropy Collaboration"
    assert (julio.given, julio.family, julio.email) == ("Júlio", "Hoffimann", "julio@example.org")
    assert jane.email == ""
    assert any("author.5.email" in w and "not an e-mail address" in w for w in warnings)
    assert [(a.name, a.note_markers) for a in front.authors[:2]] == [
        ("Ana Gómez", ("*", "\u2020")),
        ("Bo Li", ("\u2020", "\u2021")),
    ]
    assert [(n.marker, n.plain) for n in front.author_notes] == [
        ("*", CORRESPONDING),
        ("\u2020", EQUAL),
        ("\u2021", NOTE),
        ("", EMAILS),
    ]
    elements = dict(front.elements())
    assert elements["author note 1"] == CORRESPONDING
    assert elements["email 1"] == "ana@example.org"
    assert elements["issue title"] == ISSUE


def test_the_pdf_shows_markers_notes_and_the_issue_title(built):
    text = normalize(read_pdf(_out(built, ".pdf").read_bytes()).text)
    for expected in (CORRESPONDING, EQUAL, NOTE, EMAILS, ISSUE):
        assert expected in text
    assert "Ana Gómez1,*,\u2020" in text and "Bo Li2,\u2020,\u2021" in text
    assert "^[" not in text and "(julio@example.org)" not in text
    assert "corresponding email" not in text


def _title_page(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(archive.read(name))
                found = root.find(f".//{XHTML}section[@id='titlepage']")
                if found is not None:
                    return found
    raise AssertionError("no title page in the EPUB")


def _text(element: etree._Element) -> str:
    return normalize("".join(element.itertext()))


def test_the_epub_title_page_has_the_notes_e_mail_links_and_issue_title(built):
    page = _title_page(_out(built, ".epub"))
    assert [_text(p) for p in page.iterfind(f".//{XHTML}p[@class='issue-title']")] == [ISSUE]
    notes = [_text(p) for p in page.iterfind(f".//{XHTML}p[@class='author-note']")]
    assert notes == [f"* {CORRESPONDING}", f"\u2020 {EQUAL}", f"\u2021 {NOTE}", EMAILS]
    links = [a.get("href") for a in page.iterfind(f".//{XHTML}a")]
    assert "mailto:ana@example.org" in links and "mailto:julio@example.org" in links
    markers = [_text(s) for s in page.iterfind(f".//{XHTML}sup[@class='markers']")]
    assert markers[:2] == ["1,*,\u2020", "2,\u2020,\u2021"]


def test_the_docx_has_author_note_and_issue_title_paragraphs(built):
    with zipfile.ZipFile(_out(built, ".docx")) as docx:
        document = etree.fromstring(docx.read("word/document.xml"))
        styles = etree.fromstring(docx.read("word/styles.xml"))
        rels = docx.read("word/_rels/document.xml.rels").decode()
    by_style: dict[str, list[str]] = {}
    for paragraph in document.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        text = normalize("".join(t.text or "" for t in paragraph.iter(f"{W}t")))
        by_style.setdefault(style.get(f"{W}val") if style is not None else "", []).append(text)
    assert by_style["AuthorNote"] == [f"* {CORRESPONDING}", f"\u2020 {EQUAL}", f"\u2021 {NOTE}",
                                      EMAILS]
    assert by_style["IssueTitle"] == [ISSUE]
    assert by_style["Author"][:2] == ["Ana Gómez1,*,\u2020", "Bo Li2,\u2020,\u2021"]
    names = {s.get(f"{W}styleId"): s.find(f"{W}name").get(f"{W}val")
             for s in styles.iter(f"{W}style")}
    assert (names["AuthorNote"], names["IssueTitle"]) == ("Author Note", "Issue Title")
    assert 'Target="mailto:ana@example.org"' in rels


def test_the_landing_page_has_the_notes_and_issue_title(built):
    page = html.fromstring((built / "dist" / SLUG / "index.html").read_bytes())
    header = page.find(".//header")
    notes = [normalize(p.text_content()) for p in header.findall(".//div[@class='author-notes']/p")]
    assert notes == [f"* {CORRESPONDING}", f"\u2020 {EQUAL}", f"\u2021 {NOTE}", EMAILS]
    assert ISSUE in [normalize(p.text_content()) for p in header.findall("p")]
    assert "mailto:ana@example.org" in [a.get("href") for a in header.iter("a")]
    authors = [m.get("content") for m in page.iterfind(".//meta[@name='citation_author']")]
    assert authors[2:4] == ["The Galleys Consortium", "Astropy Collaboration"]
    (ld,) = page.xpath("//script[@type='application/ld+json']/text()")
    kinds = [(a["@type"], a["name"]) for a in json.loads(ld)["author"]]
    assert kinds[1:4] == [
        ("Person", "Bo Li"),
        ("Organization", "The Galleys Consortium"),
        ("Organization", "Astropy Collaboration"),
    ]


def test_an_organisation_is_never_split_in_a_citation(built):
    (item,) = json.loads(_out(built, ".csl.json").read_text(encoding="utf-8"))
    assert item["author"][2:4] == [
        {"literal": "The Galleys Consortium"},
        {"literal": "Astropy Collaboration"},
    ]
    bibtex = _out(built, ".bib").read_text(encoding="utf-8")
    (authors,) = re.findall(r"author = \{(.*)\},\n", bibtex)
    assert authors.split(" and ")[2:4] == ["{The Galleys Consortium}", "{Astropy Collaboration}"]
    ris = _out(built, ".ris").read_text(encoding="utf-8")
    au = [line[6:] for line in ris.splitlines() if line.startswith("AU  - ")]
    assert au[2:4] == ["The Galleys Consortium", "Astropy Collaboration"]
    _, front = prepare(built / "source" / SLUG / "article.md")
    assert "The Galleys Consortium, Astropy Collaboration" in front.how_to_cite_text
    assert "Consortium, T" not in front.how_to_cite_text


def test_check_passes_and_names_the_notes_and_issue_title(built, capsys):
    (report,) = check_path(built / "dist" / SLUG, built / "source")
    assert report.ok, format_report(report)
    rows = {element: cells for element, _, cells in report.rows}
    for element in ("author note 1", "author note 4", "email 1", "email 5", "issue title"):
        assert {cell.status for cell in rows[element].values()} == {"ok"}, element
        assert {"pdf", "epub", "docx", "landing"} <= set(rows[element])
    argv = ["check", str(built / "dist"), "--source", str(built / "source"), "--no-validate"]
    assert main(argv) == 0


def _edit_zip(path: Path, edit) -> None:
    """Rewrite every XML member of a zip (EPUB, DOCX) through `edit`; the rest as it was."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith((".xhtml", ".xml")):
                data = edit(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


@pytest.mark.parametrize("edition", ["epub", "docx"])
def test_check_fails_when_an_edition_loses_the_e_mail(built, tmp_path, edition, capsys):
    dist = tmp_path / "dist"
    shutil.copytree(built / "dist" / SLUG, dist / SLUG)
    path = dist / SLUG / f"{SLUG}.{edition}"
    _edit_zip(path, lambda text: text.replace(">ana@example.org<", "><"))
    (report,) = check_path(dist / SLUG, built / "source", validate=False)
    rows = {element: cells for element, _, cells in report.rows}
    assert rows["email 1"][edition].status in ("missing", "differs")  # bo@example.org is alike
    assert rows["author note 1"][edition].status != "ok"
    assert rows["email 1"]["pdf"].status == "ok"
    assert main(["check", str(dist), "--source", str(built / "source"), "--no-validate"]) == 1
    out = capsys.readouterr().out
    assert f"{edition} email 1 " in out and "expected 'ana@example.org'" in out


def test_check_fails_when_the_docx_loses_the_issue_title(built, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built / "dist" / SLUG, dist / SLUG)
    _edit_zip(dist / SLUG / f"{SLUG}.docx", lambda text: text.replace(ISSUE, ""))
    (report,) = check_path(dist / SLUG, built / "source", validate=False)
    rows = {element: cells for element, _, cells in report.rows}
    assert rows["issue title"]["docx"].status == "missing"
    assert not report.ok


# -- corpus papers, as their authors wrote them -----------------------------------------------
def _corpus_front(relative: str):
    require_corpus()
    return prepare(CORPUS / relative)


def test_agu_corresponding_author_and_the_other_e_mail():
    """Read and formatted only: the body's resolve is not what this test is about."""
    authors = read_article(require_corpus() / "quarto/quarto-journals__agu/template.qmd")
    notes, markers = author_notes(authors.metadata.authors, Labels())
    assert markers == [(), ("*",)]
    assert [n.plain for n in notes] == [
        "Corresponding author: Charles Teague, charles@posit.co",
        "E-mail: Michael J Mahoney, fake_email@fakeyfake.com",
    ]


def test_autobz_corresponding_author_without_an_e_mail():
    _, front = _corpus_front("joss/lxvm__AutoBZ.jl/paper/paper.md")
    assert front.authors[0].note_markers == ("*",)
    assert [n.plain for n in front.author_notes] == ["Corresponding author: Lorenzo Van Munoz"]


def test_torchquad_name_footnote_is_the_corresponding_flag():
    resolved, front = _corpus_front("joss/esa__torchquad/paper/paper.md")
    assert resolved.metadata.authors[0].family == "Gómez"
    assert front.authors[0].name == "Pablo Gómez"
    assert [n.plain for n in front.author_notes] == ["Corresponding author: Pablo Gómez"]


def test_geostats_e_mail_written_in_the_name():
    _, front = _corpus_front("joss/JuliaEarth__GeoStats.jl/paper/paper.md")
    assert front.authors[0].name == "Júlio Hoffimann"
    assert [n.plain for n in front.author_notes] == [
        "E-mail: Júlio Hoffimann, juliohm@stanford.edu"
    ]


def test_acm_and_jss_e_mails_are_kept():
    _, acm = _corpus_front("quarto/quarto-journals__acm/template.qmd")
    (line,) = [n.plain for n in acm.author_notes]
    assert line.startswith("E-mail: Ben Trovato, trovato@corporation.com; G.K.M. Tobin, ")
    assert line.endswith("Julius P. Kumquat, jpkumquat@consortium.net")
    _, jss = _corpus_front("quarto/quarto-journals__jss/template.qmd")
    assert [n.plain for n in jss.author_notes] == [
        "E-mail: Achim Zeileis, Achim.Zeileis@R-project.org"
    ]


def test_biophysical_placeholder_e_mail_is_left_out_with_a_warning():
    warnings: list[str] = []
    require_corpus()
    _, front = prepare(
        CORPUS / "quarto/quarto-journals__biophysical-journal/template.qmd", warn=warnings.append
    )
    assert front.author_notes == ()
    assert any("'corresponding email' is not an e-mail address" in w for w in warnings)


def test_torchquad_converts_as_written_and_its_title_block_checks(tmp_path):
    """The corpus paper converted where it lies, then read back as `galleys check` does."""
    paper = require_corpus() / "joss" / "esa__torchquad" / "paper" / "paper.md"
    folder = tmp_path / "torchquad"
    assert main(["convert", str(paper), "-o", str(folder), "-q"]) == 0
    report = check_article(folder, paper, validate=False)
    assert report.ok, format_report(report)
    rows = {element: cells for element, _, cells in report.rows}
    assert {"pdf", "epub", "docx", "landing"} <= set(rows["author note 1"])
    assert {c.status for c in rows["author note 1"].values()} == {"ok"}
    text = normalize(read_pdf(next(folder.glob("*.pdf")).read_bytes()).text)
    assert "Pablo Gómez*" in text and "Corresponding author: Pablo Gómez" in text
    assert "^[" not in text
