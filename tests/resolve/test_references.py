"""The reference list once, where the author put it, under one heading, in every edition; in-text
citations linked to their entries; notes still before the list; the corpus without holes."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import corpus_papers, require_corpus
from editions import EDITIONS, Epub, read, render, write_article

from galleys.builder.articles import parse
from galleys.front.inlines import pandoc_text
from galleys.resolve.reference_list import place_reference_list
from galleys.resolve.xrefs import is_crossref_key

FRONT = "title: Where the list goes\nauthor: Ann Author\ndate: 2024-01-02"
BIB = ("@book{knuth, author={Donald E. Knuth}, title={The TeXbook}, year={1984}, "
       "publisher={AW}}\n@book{lamport, author={Leslie Lamport}, title={LaTeX}, year={1986}, "
       "publisher={AW}}\n")
JOSS = ("# Summary\n\nAs shown by @knuth and others [@lamport].[^n]\n\n"
        "[^n]: A note about the summary.\n\n# References\n")
QUARTO = ("## Summary\n\nAs shown by @knuth.\n\n## References {.unnumbered}\n\n::: {#refs}\n:::\n\n"
          "## Appendix {.unnumbered}\n\nAppendix text.\n")


def _headings(edition: str, found) -> list[str]:
    """The edition's headings, as a reader's navigation shows them."""
    if edition == "pdf":
        return _outline(found.reader.outline)
    if edition == "epub":
        return [re.sub(r"\s+", " ", "".join(h.itertext())).strip()
                for root in found.body.values()
                for h in root.iter("{http://www.w3.org/1999/xhtml}h1",
                                   "{http://www.w3.org/1999/xhtml}h2")]
    return [p for p, style in zip(found.paragraphs, _styles(found), strict=True)
            if style.startswith("Heading")]


def _outline(items: list) -> list[str]:
    """The PDF outline's titles, nested entries too, in order."""
    return [title for item in items
            for title in (_outline(item) if isinstance(item, list) else [item.title])]


def _styles(docx) -> list[str]:
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    styles = []
    for paragraph in docx.root.iter(f"{w}p"):
        style = paragraph.find(f"{w}pPr/{w}pStyle")
        styles.append(style.get(f"{w}val") if style is not None else "")
    return styles


@pytest.fixture(scope="module")
def joss(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    data = render(write_article(tmp_path_factory.mktemp("joss"), FRONT, JOSS, BIB))
    return {name: read(name, data[name]) for name in EDITIONS}


@pytest.fixture(scope="module")
def quarto(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    data = render(write_article(tmp_path_factory.mktemp("quarto"), FRONT, QUARTO, BIB))
    return {name: read(name, data[name]) for name in EDITIONS}


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_joss_paper_has_one_reference_heading(joss, edition):
    found = joss[edition]
    assert _headings(edition, found).count("References") == 1, _headings(edition, found)
    assert found.text.count("References") == 1
    assert "Knuth, D. E. (1984). The TeXbook." in found.text


@pytest.mark.parametrize("edition", EDITIONS)
def test_citations_link_to_their_entries(joss, edition):
    links = {link.text: link.target for link in joss[edition].links()}
    assert "Knuth, D. E. (1984)" in (links.get("1984") or ""), links  # @knuth: Knuth (1984)
    assert "Lamport, L. (1986)" in (links.get("Lamport, 1986") or ""), links


def test_the_epub_has_one_reference_chapter_after_the_notes(joss):
    epub: Epub = joss["epub"]
    nav = epub.documents["nav.xhtml"]
    toc = ["".join(a.itertext()) for a in nav.iterfind(
        ".//{http://www.w3.org/1999/xhtml}nav[@{http://www.idpf.org/2007/ops}type='toc']//"
        "{http://www.w3.org/1999/xhtml}a")]
    assert toc.count("References") == 1 and "References References" not in toc
    references = "".join(epub.documents["references.xhtml"].itertext())
    assert "Knuth, D. E. (1984)" in references and "A note about the summary" not in references
    assert "A note about the summary" in "".join(epub.documents["article.xhtml"].itertext())
    landmarks = nav.find(".//{http://www.w3.org/1999/xhtml}nav[@{http://www.idpf.org/2007/ops}"
                         "type='landmarks']")
    assert any(a.get("href") == "references.xhtml" for a in landmarks.iter(
        "{http://www.w3.org/1999/xhtml}a"))


def test_notes_are_footnotes_in_the_pdf_and_in_word(joss):
    """The PDF sets a note at the foot of the page that cites it (after the reference list
    on this one-page article, before the page's footer), not in a notes section of its own;
    Word has it as a footnote."""
    text = joss["pdf"].text
    assert text.index("Lamport, L. (1986)") < text.index("1. A note about the summary")
    assert text.index("A note about the summary") < text.index("page 1 of 1")
    assert "Notes" not in text.split()
    assert "A note about the summary" in joss["docx"].footnotes


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_refs_div_keeps_its_place_and_its_heading(quarto, edition):
    found = quarto[edition]
    headings = _headings(edition, found)
    assert headings.count("References") == 1, headings
    text = found.text
    assert text.index("References") < text.index("Knuth, D. E.") < text.index("Appendix text")


def test_the_refs_div_is_its_own_epub_document_between_the_text_and_the_appendix(quarto):
    documents = list(quarto["epub"].body)
    assert documents == ["section-01.xhtml", "references.xhtml", "section-02.xhtml"]


@pytest.mark.parametrize(("front", "heading"), [
    ("labels:\n  references: Literatur", "Literatur"),
    ("reference-section-title: Works Cited", "Works Cited"),
    ("", "References"),
])
def test_without_a_heading_the_list_gets_one_at_the_end(tmp_path, front, heading):
    path = write_article(tmp_path, f"{FRONT}\n{front}", "Text [@knuth].\n", BIB)
    resolved = parse(path)
    header, div = resolved.blocks[-2:]
    assert header["t"] == "Header" and pandoc_text(header["c"][2]) == heading
    assert div["t"] == "Div" and div["c"][0][0] == "refs"


@pytest.mark.parametrize(("body", "bib"), [
    ("Text without citations.\n\n# References\n", BIB),
    ("Text [@knuth].\n\n# References\n", ""),
    ("Text.\n\n## References\n\n::: {#refs}\n:::\n", ""),
])
def test_an_empty_list_leaves_no_heading_and_no_chapter(tmp_path, body, bib):
    data = render(write_article(tmp_path, FRONT, body, bib))
    for edition in EDITIONS:
        found = read(edition, data[edition])
        assert "References" not in _headings(edition, found), edition
    assert "references.xhtml" not in read("epub", data["epub"]).documents


def _h(level: int, ident: str, text: str) -> dict:
    return {"t": "Header", "c": [level, [ident, [], []], [{"t": "Str", "c": text}]]}


def _para(text: str) -> dict:
    return {"t": "Para", "c": [{"t": "Str", "c": text}]}


REFS = {"t": "Div", "c": [["refs", ["csl-bib-body"], []], [_para("Knuth 1984.")]]}
EMPTY_REFS = {"t": "Div", "c": [["refs", [], []], []]}


def _shape(blocks: list[dict]) -> list[str]:
    return ["refs" if b["t"] == "Div" else b["c"][1][0] if b["t"] == "Header" else
            b["c"][0]["c"] for b in blocks]


@pytest.mark.parametrize(("blocks", "expected"), [
    # JOSS: the list citeproc appended goes under the author's heading, before an appendix
    ([_h(1, "intro", "I"), _para("t"), _h(1, "references", "References"), _h(1, "app", "A"),
      _para("a"), REFS], ["intro", "t", "references", "refs", "app", "a"]),
    # a list the author placed stays, with the heading before it
    ([_h(2, "refs-head", "Works"), REFS, _h(2, "app", "A")], ["refs-head", "refs", "app"]),
    # no heading: one at the end, under an id no element has yet
    ([_para("t"), REFS], ["t", "references", "refs"]),
    ([{"t": "Div", "c": [["references", [], []], [_para("d")]]}, _para("t"), REFS],
     ["refs", "t", "bibliography", "refs"]),
    # an empty list goes, and with it a heading left with an empty section
    ([_para("t"), _h(1, "references", "References"), EMPTY_REFS], ["t"]),
    ([_para("t"), _h(1, "bibliography", "Bibliography")], ["t"]),
    ([_para("t"), _h(2, "literatur", "Literatur"), EMPTY_REFS, _h(2, "anhang", "A")],
     ["t", "anhang"]),
    ([_h(1, "references", "References"), _para("kept: not empty")],
     ["references", "kept: not empty"]),
])
def test_place_reference_list(blocks, expected):
    assert _shape(place_reference_list(blocks, "References")) == expected


def test_place_reference_list_leaves_a_body_without_one_as_it_is():
    blocks = [_h(1, "intro", "I"), _para("t")]
    assert place_reference_list(blocks, "References") is blocks


# -- the corpus -----------------------------------------------------------------------------------

PAPERS = corpus_papers()


@pytest.mark.parametrize("paper", PAPERS, ids=[p.parent.name if p.name == "template.qmd"
                                                else p.parts[-3] for p in PAPERS])
def test_corpus_papers_have_no_reference_holes_and_one_list_heading(paper: Path):
    require_corpus()
    resolved = parse(paper)
    holes: list[str] = []
    headings: list[str] = []

    def walk(value, top: bool = False) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, top)
        elif isinstance(value, dict):
            kind = value.get("t")
            if kind == "Link":
                attrs = dict(value["c"][0][2])
                text = pandoc_text(value["c"][1]).strip()
                if "reference-type" in attrs or not text or text == "??":
                    holes.append(f"{attrs.get('reference', value['c'][2][0])}: {text!r}")
            if kind == "Cite" and any(is_crossref_key(c["citationId"]) for c in value["c"][0]):
                holes.append(f"citation of a label: {value['c'][0][0]['citationId']}")
            if kind == "Header" and top and (
                    value["c"][1][0] in ("references", "bibliography")
                    or pandoc_text(value["c"][2]).strip().lower() in ("references",
                                                                     "bibliography")):
                headings.append(pandoc_text(value["c"][2]))
            walk(value.get("c"))

    for block in resolved.blocks:
        walk(block, top=True)
    assert not holes
    assert not [w for w in resolved.warnings if "cross-reference" in w]
    assert len(headings) == 1, headings
    at = next(i for i, b in enumerate(resolved.blocks) if b["t"] == "Header"
              and pandoc_text(b["c"][2]) == headings[0])
    following = resolved.blocks[at + 1]
    assert following["t"] == "Div" and following["c"][0][0] == "refs" and following["c"][1]


@pytest.mark.parametrize("paper", PAPERS, ids=[p.parent.name if p.name == "template.qmd"
                                                else p.parts[-3] for p in PAPERS])
def test_corpus_papers_resolve_and_link_alike_in_every_edition(paper: Path):
    """Each edition of a real paper: every internal link (cross-reference, citation, note)
    lands on an element that exists, each cross-reference of the resolved body is printed and
    linked, no "??", and the reference list has one heading in the edition's navigation."""
    require_corpus()
    resolved = parse(paper)
    crossrefs: list[str] = []
    unlinked: list[str] = []  # citations printed without a link to their entry

    def walk(value) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value.get("t") == "Link" and "cross-ref" in value["c"][0][1]:
                crossrefs.append(pandoc_text(value["c"][1]))
            if value.get("t") == "Cite" and '"Link"' not in json.dumps(value["c"][1]):
                unlinked.extend(c["citationId"] for c in value["c"][0])
            walk(value.get("c"))

    walk(resolved.blocks)
    # only a key the bibliography lacks (citeproc's warning names it) is printed unlinked
    missing = " ".join(w for w in resolved.warnings if "Citeproc: citation" in w)
    assert [key for key in unlinked if f"citation {key} not found" not in missing] == []
    heading = next(pandoc_text(b["c"][2]) for b, following in zip(
        resolved.blocks, resolved.blocks[1:], strict=False)
        if b["t"] == "Header" and following["t"] == "Div" and following["c"][0][0] == "refs")
    data = render(paper)
    for edition in EDITIONS:
        found = read(edition, data[edition])
        links = found.links()
        assert [link.text for link in links if link.target is None] == [], edition
        assert not [link for link in links if not link.text.strip()], edition
        assert "??" not in found.text, edition
        # a PDF link is one rectangle per line it spans: compare words
        linked = Counter(" ".join(link.text for link in links).split())
        assert not Counter(" ".join(crossrefs).split()) - linked, edition
        assert _headings(edition, found).count(heading) == 1, (edition, heading)
