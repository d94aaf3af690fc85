"""The mutation suite: an element changed in one edition's file fails exactly that cell.

Every (element, edition) cell of the torture article (and the seed article, for the issue
title) is changed once, in a copy of the built folder, by an edit that finds the element by
the file's own structure (tests/check/mutate.py); check must then fail that cell and no
other. Deleting a body paragraph from each edition must give a body finding naming it. The
editions are built once per module; each mutation edits a copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mutate
import pytest

from galleys.check.parity import Expected, check_article, expected_from
from galleys.check.report import format_report
from galleys.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = {"torture": ROOT / "tests" / "fixtures" / "torture",
            "malik-2014-pakistan-japan-relations":
                ROOT / "source" / "malik-2014-pakistan-japan-relations"}
EDITIONS = ("docx", "epub", "landing", "html", "pdf", "jats", "crossref")
SUFFIX = {"docx": ".docx", "epub": ".epub", "html": ".html", "pdf": ".pdf", "jats": ".jats.xml",
          "crossref": ".crossref.xml"}
DEPOSITOR = "crossref:\n  depositor: Galleys Press\n  email: deposits@example.org\n" \
    "  registrant: Galleys Press\n"


XREFS = """---
title: Numbered things
slug: xrefs
author:
  - name: Ana Gómez
date: 2024-05-02
---

The relation in @eq:energy holds for every body we measured in the laboratory.

$$E = m c^2$$ {#eq:energy}

| Body | Mass |
|------|------|
| Stone | 3 |

: Measured bodies {#tbl:bodies}

As @tbl:bodies shows, the stone weighs three units and @eq:energy gives its energy.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, Path, Expected]]:
    """slug -> (built folder, source file, what check expects), each built once."""
    work = tmp_path_factory.mktemp("mutations")
    for slug, folder in ARTICLES.items():
        shutil.copytree(folder, work / "source" / slug)
    (work / "source" / "xrefs").mkdir()
    (work / "source" / "xrefs" / "article.md").write_text(XREFS, encoding="utf-8")
    journal = (ROOT / "source" / "journal.yaml").read_text(encoding="utf-8")
    (work / "source" / "journal.yaml").write_text(journal + DEPOSITOR, encoding="utf-8")
    assert main(["build", str(work / "source"), "-o", str(work / "dist"), "-q"]) == 0
    out = {}
    for slug in [*ARTICLES, "xrefs"]:
        folder = work / "dist" / slug
        source = next((work / "source" / slug).glob("article.*"))
        out[slug] = (folder, source, expected_from(source, folder))
    return out


def _copy(built, slug: str, tmp_path: Path) -> Path:
    folder = tmp_path / slug
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(built[slug][0], folder)
    return folder


def _edition_file(folder: Path, slug: str, edition: str) -> Path:
    return folder / ("index.html" if edition == "landing" else f"{slug}{SUFFIX[edition]}")


def _require(built, edition: str) -> None:
    """Skip an edition no writer made (the HTML full text before its writer is registered)."""
    if not _edition_file(built["torture"][0], "torture", edition).exists():
        pytest.skip(f"no {edition} edition built")


def _check(built, slug: str, folder: Path):
    _, source, expected = built[slug]
    return check_article(folder, source, validate=False, expected=expected)


@pytest.mark.parametrize("slug", list(ARTICLES))
def test_the_unchanged_builds_pass(built, slug, tmp_path):
    folder = _copy(built, slug, tmp_path)
    report = _check(built, slug, folder)
    assert report.ok, format_report(report)
    assert report.editions == [e for e in EDITIONS if _edition_file(folder, slug, e).exists()]
    assert {"docx", "epub", "landing", "pdf"} <= set(report.editions)


def _front_mutations(report):
    """(element, kind, index among its kind, expected value) of every front-matter row."""
    seen: dict[str, int] = {}
    for row in report.rows:
        if row.kind in ("body",) or row.kind.startswith("catalogue"):
            continue
        index = seen.get(row.kind, 0)
        seen[row.kind] = index + 1
        yield row.element, row.kind, index, row.expected


def _also_failing(report, element: str, kind: str, value: str, edition: str) -> set[str]:
    """An e-mail address is part of its author note: changing one changes both (JATS keeps
    each author's address in the author's <contrib> too, and check reads that one)."""
    if kind != "email" or edition == "jats":
        return set()
    return {r.element for r in report.rows if r.kind == "author note" and value in r.expected}


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_front_matter_element_changed_fails_exactly_its_cell(built, edition, tmp_path):
    _require(built, edition)
    wrong = []
    mutated = 0
    for slug in [s for s in ARTICLES if _edition_file(built[s][0], s, edition).exists()]:
        baseline = _check(built, slug, _copy(built, slug, tmp_path))
        for element, kind, index, value in _front_mutations(baseline):
            if edition not in baseline.rows[[r.element for r in baseline.rows].index(element)
                                            ].cells:
                continue  # the edition does not carry it (JATS: the journal line)
            if slug != "torture" and kind != "issue title":
                continue  # the seed article adds the issue title, which the torture lacks
            folder = _copy(built, slug, tmp_path)
            mutate.FRONT[edition](_edition_file(folder, slug, edition), kind, index, value)
            report = _check(built, slug, folder)
            failing = set(report.failing())
            want = {(element, edition)} | {
                (e, edition) for e in _also_failing(report, element, kind, value, edition)}
            mutated += 1
            if failing != want or report.problems:
                wrong.append(f"{slug} {element}: failing {sorted(failing)}, "
                             f"problems {report.problems}\n{format_report(report)}")
    assert mutated >= (2 if edition == "crossref" else 17)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("edition", list(mutate.CATALOGUE))  # JATS has no catalogue of its own
def test_each_catalogue_field_changed_fails_exactly_its_cell(built, edition, tmp_path):
    _require(built, edition)
    slug = "torture"
    baseline = _check(built, slug, _copy(built, slug, tmp_path))
    names = [row.element.removeprefix("catalogue ") for row in baseline.rows
             if row.kind.startswith("catalogue") and edition in row.cells
             and row.cells[edition].status == "ok"]
    assert len(names) >= 4
    wrong = []
    for name in names:
        folder = _copy(built, slug, tmp_path)
        mutate.CATALOGUE[edition](_edition_file(folder, slug, edition), name)
        report = _check(built, slug, folder)
        if set(report.failing()) != {(f"catalogue {name}", edition)} or report.problems:
            wrong.append(f"{name}: {report.failing()} {report.problems}")
    assert not wrong, "\n".join(wrong)


def _longest_paragraph(expected: Expected) -> str:
    return max((p.text for p in expected.body.passages if p.kind == "paragraph"),
               key=lambda t: len(t.split()))


@pytest.mark.parametrize("edition", ["docx", "epub", "html", "pdf", "jats"])
def test_a_deleted_body_paragraph_is_a_finding_naming_it(built, edition, tmp_path):
    _require(built, edition)
    slug = "torture"
    folder = _copy(built, slug, tmp_path)
    passage = _longest_paragraph(built[slug][2])
    path = _edition_file(folder, slug, edition)
    if edition == "pdf":
        mutate.pdf_delete_paragraph(path, passage)
    else:
        start = passage[:25]
        getattr(mutate, f"{edition}_delete_paragraph")(path, start)
    report = _check(built, slug, folder)
    assert set(report.failing()) == {("body", edition)}, format_report(report)
    found = report.cell("body", edition).found
    assert found.startswith("lost paragraph") and " ".join(passage.split()[:4]) in found


def test_a_lost_cross_reference_and_equation_are_findings(built, tmp_path):
    """The cross-references to a table taken out of the DOCX body (its caption kept), and a
    display formula taken out, each give a finding; the unchanged article passes."""
    slug = "xrefs"
    assert _check(built, slug, _copy(built, slug, tmp_path)).ok
    expected = built[slug][2]
    assert set(expected.body.cross_references) == {"Equation 1", "Table 1"}
    assert expected.body.equations == 1
    folder = _copy(built, slug, tmp_path)

    def edit(root):
        for link in root.xpath("//w:hyperlink[@w:anchor='tbl:bodies']", namespaces=mutate.NS):
            link.getparent().remove(link)
        formula = root.xpath("//m:oMath", namespaces={  # @eq:energy's, in its numbered line
            "m": "http://schemas.openxmlformats.org/officeDocument/2006/math"})[0]
        formula.getparent().remove(formula)

    mutate.rewrite_zip(_edition_file(folder, slug, "docx"), "word/document.xml",
                       mutate._xml_edit(edit))
    report = _check(built, slug, folder)
    assert set(report.failing()) == {("body", "docx")}, format_report(report)
    found = report.cell("body", "docx").found
    assert "lost cross-reference 'Table 1'" in found, found
    assert "0 display equations, the source 1" in found, found


@pytest.mark.parametrize("edition", ["docx", "epub"])
def test_a_deleted_table_row_is_a_finding(built, edition, tmp_path):
    slug = "torture"
    folder = _copy(built, slug, tmp_path)
    row = next(p.text for p in built[slug][2].body.passages
               if p.kind == "table row" and p.text.startswith("Pakistan"))
    path = _edition_file(folder, slug, edition)
    if edition == "docx":
        member, xpath = "word/document.xml", "//w:tr[.//w:t[.='Pakistan']]"
    else:
        member, xpath = mutate._epub_member(path, b"<table"), "//h:tr[h:td[.='Pakistan']]"

    def edit(root):
        (tr,) = root.xpath(xpath, namespaces=mutate.NS)
        tr.getparent().remove(tr)

    mutate.rewrite_zip(path, member, mutate._xml_edit(edit))
    report = _check(built, slug, folder)
    assert set(report.failing()) == {("body", edition)}, format_report(report)
    assert report.cell("body", edition).found.startswith(f"lost table row {row[:20]!r}"[:-1])
