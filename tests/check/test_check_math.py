"""`galleys check` on an article with formulas in its title and abstract: no false alarm, and
a changed word beside a formula is still caught."""

from __future__ import annotations

import re
from pathlib import Path

from galleys.api import convert
from galleys.builder.articles import prepare
from galleys.check.parity import check_path, format_report
from galleys.check.readers.pdf import read_pdf
from galleys.check.results import OK
from galleys.cli.main import main

ARTICLE = """\
---
title: Squares $x^2$ and roots
author: Ada Lovelace
date: 2024-03-01
abstract: |
  We show that $\\alpha^2 + \\beta^2 = \\gamma^2$ holds for $\\mathbb{R}^{n}$.

  A second paragraph with $\\frac{1}{2}$ and $x_i^2$ in it.
keywords: [math, squares]
---

# Introduction

Body text with $e^{i\\pi}$.
"""


def _built(tmp_path: Path, text: str = ARTICLE) -> tuple[Path, Path]:
    source = tmp_path / "source"
    (source / "m").mkdir(parents=True)
    (source / "m" / "article.md").write_text(text)
    (source / "journal.yaml").write_text("journal: {title: Journal of Squares}\n")
    dist = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(dist), "-q"]) == 0
    return source, dist


def test_formulas_in_the_title_and_abstract_pass_in_every_edition(tmp_path):
    source, dist = _built(tmp_path)
    (report,) = check_path(dist, source, validate=False)
    assert report.ok, format_report(report)


def test_the_pdf_title_reads_the_formula_where_it_stands(tmp_path):
    """The title's text runs on around the formula's box in one run: the reader cuts it
    there, so the formula is read in its place, not after the title."""
    article = tmp_path / "a.md"
    article.write_text(ARTICLE)
    pdf = convert(article, formats=["pdf"]).get("pdf")
    assert pdf is not None
    _resolved, front = prepare(article)
    (title,) = read_pdf(pdf, front).front["title"]
    assert title.value.replace(" ", "") == "Squaresx2androots"


def test_a_word_changed_beside_a_formula_is_still_caught(tmp_path):
    """The source changed after the build: the abstract differs in every edition."""
    source, dist = _built(tmp_path)
    article = source / "m" / "article.md"
    article.write_text(ARTICLE.replace("We show that", "We prove that"))
    (report,) = check_path(dist, source, validate=False)
    assert not report.ok
    (row,) = [r for r in report.rows if r.element == "abstract"]
    assert all(cell.status != OK for cell in row.cells.values()), format_report(report)


def test_page_descriptions_give_formulas_as_unicode_never_tex(tmp_path):
    _source, dist = _built(tmp_path)
    page = (dist / "m" / "index.html").read_text()
    assert '<meta name="description" content="We show that α' in page
    metas = re.findall(r"<meta [^>]*>", page)
    assert metas and not [meta for meta in metas if "\\" in meta]  # no TeX control word
