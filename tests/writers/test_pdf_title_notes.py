"""The author notes (corresponding author, equal contribution, notes as written) as
title-page notes at the foot of page 1, and what check reads of them."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2

from galleys.check.parity import check_path, format_report
from galleys.cli.main import main

ARTICLE = """\
---
title: Notes on the title page
author:
  - name: Ana Gómez
    email: ana@example.org
    corresponding: true
    equal-contrib: true
    affiliation: University of Somewhere
  - name: Ben Okafor
    equal-contrib: true
    note: Deceased 2023
    affiliation: Institute of Elsewhere
date: 2024-03-01
abstract: A short abstract.
---

# Introduction

{body}
"""
BODY = "A body paragraph that runs on for a while so that page 1 carries text.[^1]\n\n" * 6 + (
    "[^1]: A footnote of the body.\n")


def _build(tmp_path: Path, text: str) -> tuple[Path, Path, bytes]:
    source = tmp_path / "source"
    (source / "notes").mkdir(parents=True)
    (source / "notes" / "article.md").write_text(text)
    (source / "journal.yaml").write_text("journal: {title: Journal of Notes}\n")
    dist = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(dist), "-q"]) == 0
    return source, dist, (dist / "notes" / "notes.pdf").read_bytes()


def _page_one_lines(pdf: bytes) -> list[tuple[float, float, str]]:
    """(baseline, size, text) of page 1's lines, top to bottom."""
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    textpage = page.get_textpage()
    lines: dict[tuple[float, float], str] = {}
    x, y = ctypes.c_double(), ctypes.c_double()
    for index in range(textpage.count_chars()):
        pypdfium2.raw.FPDFText_GetCharOrigin(textpage, index, x, y)
        char = textpage.get_text_range(index, 1)
        size = round(pypdfium2.raw.FPDFText_GetFontSize(textpage, index), 1)
        key = (round(y.value), size)
        lines[key] = lines.get(key, "") + char
    document.close()
    return sorted(((y, size, text.strip()) for (y, size), text in lines.items()),
                  reverse=True)


def test_author_notes_stand_at_the_foot_of_page_one_below_the_body(tmp_path):
    source, dist, pdf = _build(tmp_path, ARTICLE.format(body=BODY))
    lines = _page_one_lines(pdf)
    notes = [(y, text) for y, size, text in lines if size == 8.0 and len(text) > 3]
    texts = " ".join(text for _y, text in notes)
    assert "Corresponding author" in texts and "ana@example.org" in texts
    assert "These authors contributed equally" in texts and "Deceased 2023" in texts
    body = [y for y, size, text in lines if size == 10.0 and "body paragraph" in text]
    assert body and max(y for y, _t in notes) < min(body)  # under every body line of page 1
    footnote = [y for y, size, text in lines if "A footnote of the body" in text]
    assert footnote and min(y for y, _t in notes) > footnote[0]  # the body's notes after them
    affiliations = [y for y, _size, text in lines if "Institute of Elsewhere" in text]
    assert affiliations and affiliations[0] > min(body)  # the title block lost them
    (report,) = check_path(dist, source, validate=False)
    assert report.ok, format_report(report)
    notes_row = [row for row in report.rows if row.element.startswith("author note")]
    assert notes_row and all("foot" in row.cells["pdf"].slot for row in notes_row)


def test_notes_too_long_for_the_foot_stay_under_the_affiliations(tmp_path):
    """Twelve more authors, each with a long note of their own: over a quarter of page 1."""
    long_notes = ARTICLE.replace("    note: Deceased 2023\n", "").replace(
        "    affiliation: Institute of Elsewhere\n",
        "    affiliation: Institute of Elsewhere\n" + "\n".join(
            f"  - name: Author {n} Person\n    note: {'A very long note. ' * 12}{n}"
            for n in range(12)) + "\n")
    source, dist, pdf = _build(tmp_path, long_notes.format(body=BODY))
    lines = _page_one_lines(pdf)
    assert not [text for _y, size, text in lines if size == 8.0 and len(text) > 3]
    (report,) = check_path(dist, source, validate=False)
    assert report.ok, format_report(report)
