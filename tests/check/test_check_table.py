"""`galleys check`'s table for a 20-author article, its --json, the slot registry, and the PDF
reader's knowledge of the PDF writer's title-block styles."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from galleys.check import slots
from galleys.check.parity import check_path
from galleys.check.readers import pdf as pdf_reader
from galleys.check.report import format_report
from galleys.cli.main import main

AUTHORS = 20


def _article(folder: Path) -> None:
    authors = "\n".join(
        f"  - name: Author{n} Family{n}\n    affiliations: [a{n % 5}]\n"
        f"    email: author{n}@example.org" + ("\n    corresponding: true" if n == 1 else "")
        for n in range(1, AUTHORS + 1))
    affiliations = "\n".join(f"  - id: a{n}\n    name: Institute {n}, Town {n}"
                             for n in range(5))
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(f"""---
title: Many hands on one paper
slug: many
author:
{authors}
affiliations:
{affiliations}
date: 2024-01-02
keywords: [collaboration, authorship, scale]
abstract: Twenty people wrote this, and every one of them is named in every edition.
---

The body has a paragraph long enough to be checked word by word in every edition.
""", encoding="utf-8")


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("many")
    _article(work / "source" / "many")
    assert main(["build", str(work / "source"), "-o", str(work / "dist"), "-q"]) == 0
    return work


def test_twenty_authors_make_one_row_per_kind(many):
    (report,) = check_path(many / "dist" / "many", many / "source", validate=False)
    assert report.ok, format_report(report)
    assert len([r for r in report.rows if r.kind == "author"]) == AUTHORS
    lines = format_report(report).splitlines()
    assert len(lines) < 25  # not one line per author, affiliation and e-mail
    assert any(line.split()[:3] == ["author", "(20)", "ok"] for line in lines), lines
    assert any(line.split()[:2] == ["email", "(20)"] for line in lines), lines


def test_a_failing_cell_is_the_only_detail(many, tmp_path):
    import shutil

    import mutate

    folder = tmp_path / "many"
    shutil.copytree(many / "dist" / "many", folder)
    mutate.docx_front(folder / "many.docx", "author", 13, "Author14 Family14")
    (report,) = check_path(folder, many / "source", validate=False)
    text = format_report(report)
    assert report.failing() == [("author 14", "docx")], text
    author_row = next(line for line in text.splitlines() if line.split()[:2] == ["author", "(20)"])
    assert author_row.split()[2:] == ["1/20", "bad"] + ["ok"] * (len(report.editions) - 1)
    details = [line for line in text.splitlines() if line.startswith("  docx ")]
    assert details == ["  docx author 14 differs in paragraph style 'Author': found "
                       "'uAthor14 Family14'; expected 'Author14 Family14'"], text
    assert text.endswith("FAILED")


def test_json_gives_every_cell(many, capsys):
    code = main(["check", str(many / "dist"), "--source", str(many / "source"),
                 "--no-validate", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"] is True
    (article,) = data["articles"]
    assert {"docx", "epub", "landing", "pdf"} <= set(article["editions"])
    elements = {e["element"]: e for e in article["elements"]}
    assert {f"author {n}" for n in range(1, AUTHORS + 1)} <= set(elements)
    cell = elements["author 20"]["cells"]["pdf"]
    assert cell == {"status": "ok", "slot": "page 1, 11 pt authors line",
                    "found": "Author20 Family20"}
    assert "landing" not in elements["body"]["cells"]  # a landing page has no body
    assert elements["body"]["cells"]["pdf"]["status"] == "ok"


def test_a_new_edition_plugs_in_by_registration(many, monkeypatch):
    """A reader registered for another file is read like the built-in ones."""
    def read_text(data: bytes, front) -> slots.Reading:
        reading = slots.Reading(body=data.decode())
        reading.add("title", "first line", data.decode().splitlines()[0])
        return reading

    registry = dict(slots._EDITIONS)
    monkeypatch.setattr(slots, "_EDITIONS", registry)
    slots.register("text", lambda slug: f"{slug}.txt")(read_text)
    folder = many / "dist" / "many"
    (folder / "many.txt").write_text("Many hands on one paper\nThe body has a paragraph long "
                                     "enough to be checked word by word in every edition.\n")
    try:
        (report,) = check_path(folder, many / "source", validate=False)
    finally:
        (folder / "many.txt").unlink()
    assert "text" in report.editions
    assert report.cell("title", "text").status == "ok"
    assert report.cell("body", "text").status == "ok"
    assert report.cell("author 1", "text").status == "missing"


def test_the_pdf_reader_knows_the_writers_title_block_styles():
    from galleys.writers.pdf.styles import make_styles

    face = SimpleNamespace(name="Helvetica")
    fonts = SimpleNamespace(face=lambda *args: face, family=lambda role: "Helvetica")
    styles = make_styles(fonts)  # type: ignore[arg-type]
    sizes = {name: (styles[name].fontSize, styles[name].leading) for name in (
        "fm-title", "fm-subtitle", "fm-authors", "fm-small", "fm-meta", "fm-label",
        "fm-abstract", "fm-cite", "furniture", "fm-authors-compact")}
    assert sizes["fm-title"] == (pdf_reader.TITLE, pdf_reader.LEADING[pdf_reader.TITLE])
    assert sizes["fm-subtitle"] == (pdf_reader.SUBTITLE, pdf_reader.LEADING[pdf_reader.SUBTITLE])
    assert sizes["fm-authors"] == (pdf_reader.AUTHORS, pdf_reader.LEADING[pdf_reader.AUTHORS])
    compact_size, compact_leading = sizes["fm-authors-compact"]
    assert compact_size == pdf_reader.AUTHORS_COMPACT and compact_leading <= compact_size * 1.2
    assert sizes["fm-small"][0] == sizes["fm-meta"][0] == pdf_reader.SMALL
    assert max(sizes["fm-small"][1], sizes["fm-meta"][1]) == pdf_reader.LEADING[pdf_reader.SMALL]
    assert sizes["fm-label"][0] == sizes["fm-abstract"][0] == pdf_reader.ABSTRACT
    assert sizes["fm-abstract"][1] == pdf_reader.LEADING[pdf_reader.ABSTRACT]
    assert sizes["fm-cite"] == (pdf_reader.CITE, pdf_reader.LEADING[pdf_reader.CITE])
    assert sizes["furniture"][0] == pdf_reader.FURNITURE
    body = {styles[name].fontSize for name in ("body", "h1", "h2", "code", "caption", "cell")}
    assert not body & {pdf_reader.TITLE, pdf_reader.SUBTITLE, pdf_reader.AUTHORS}
