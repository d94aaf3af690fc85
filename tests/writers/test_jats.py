"""The JATS edition: valid against the JATS 1.2 Archiving DTD (MathML 3), every front-matter
element in its own element, the body's structure and links, hostile text, rebuilds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, TORTURE, corpus_papers, require_corpus
from editions import EPOCH, write_article
from lxml import etree

from galleys.builder.articles import prepare
from galleys.check.readback import normalize
from galleys.check.xml_readback import jats_rows, read_jats, validate_jats
from galleys.writers import RenderOptions, get, parse_formats
from galleys.writers.jats import JatsWriter
from galleys.writers.jats.pages import Pages, page_parts

SCHEMAS = CORPUS.parent / "schemas"
MML = "{http://www.w3.org/1998/Math/MathML}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def schemas() -> Path:
    """The shared schema folder; skip (or fail in CI) without it, as for the corpus."""
    require_corpus()
    return SCHEMAS


def render(path: Path) -> tuple[bytes, JatsWriter]:
    resolved, front = prepare(path)
    writer = JatsWriter()
    return writer.render(resolved, front, RenderOptions(EPOCH)), writer


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True,
                                                  resolve_entities=False))


@pytest.fixture(scope="module")
def torture() -> tuple[bytes, JatsWriter]:
    return render(TORTURE)


def test_registered_with_crossref() -> None:
    assert parse_formats("jats,crossref") == ("jats", "crossref")
    assert get("jats").suffix == ".jats.xml"


def test_torture_is_valid_jats(torture: tuple[bytes, JatsWriter]) -> None:
    data, _ = torture
    assert data.startswith(b"<?xml")
    assert b"Journal Archiving and Interchange DTD with MathML3 v1.2" in data[:300]
    assert validate_jats(data, schemas()) == []


def test_front_holds_every_element_in_its_own(torture: tuple[bytes, JatsWriter]) -> None:
    data, _ = torture
    resolved, front = prepare(TORTURE)
    rows = jats_rows(data, resolved.metadata, front)
    assert {key for key, _, _ in rows} >= {
        "title", "subtitle", "author 1", "author 2", "author 3", "orcid 1", "email 1",
        "affiliation 1", "affiliation 2", "author note 1", "journal title", "issn",
        "publisher", "volume", "issue", "pages", "published", "doi", "url", "licence",
        "licence url", "abstract", "keywords", "how to cite"}
    wrong = [(key, want, got) for key, want, got in rows if normalize(want) != normalize(got)]
    assert wrong == []
    meta = parse(data).find("front/article-meta")
    contribs = meta.findall("contrib-group/contrib")
    assert [c.get("contrib-type") for c in contribs] == ["author"] * 3
    first = contribs[0]
    assert first.get("corresp") == "yes"
    assert first.findtext("name/surname") == "Lovelace"
    assert first.findtext("name/given-names") == "Ada"
    assert first.findtext("name/prefix") == "Dr."
    assert first.find("contrib-id").get("contrib-id-type") == "orcid"
    assert contribs[1].findtext("name/surname") == "van Gogh"  # the particle with the family
    assert contribs[2].findtext("collab") == "Sukarno"
    ids = {a.get("id") for a in meta.iterfind("aff")}
    assert {x.get("rid") for x in first.iterfind("xref[@ref-type='aff']")} == ids
    corresp = first.find("xref[@ref-type='corresp']")
    assert meta.find(f"author-notes/corresp[@id='{corresp.get('rid')}']") is not None
    oxford = meta.find("aff[@id='aff-2']")
    assert oxford.findtext("institution[@content-type='dept']") == "Department of Letters"
    assert oxford.findtext("country") == "United Kingdom"
    assert meta.find("pub-date").get("iso-8601-date") == "2024-03-15"
    assert (meta.findtext("fpage"), meta.findtext("lpage")) == ("101", "120")
    assert meta.find("permissions/license").get(XLINK).startswith("https://creativecommons")
    assert meta.find("self-uri[@content-type='pdf']").get(XLINK) == "torture.pdf"
    assert len(meta.findall("abstract/p")) == 2
    assert meta.find("abstract/p/italic").text == "every"  # markup in the abstract kept


def test_body_structure(torture: tuple[bytes, JatsWriter]) -> None:
    data, writer = torture
    root = parse(data)
    body = root.find("body")
    titles = [s.findtext("title") for s in body.iter("sec")]
    assert titles[:3] == ["Introduction", "Lists", "Quotation and code"]
    table = body.find(".//table-wrap")
    assert table.findtext("label") == "Table 1"
    assert normalize("".join(table.find("caption").itertext())) == "Populations in 2023"
    assert len(table.findall(".//tbody/tr")) == 2
    figure = body.find(".//fig")
    assert figure.findtext("label") == "Figure 1"
    graphic = figure.find("graphic")
    assert graphic.findtext("alt-text") == "A gradient figure with a caption."
    (name, media_type, picture), = writer.files
    assert graphic.get(XLINK) == name == "torture-fig1.png"
    assert media_type == "image/png" and picture.startswith(b"\x89PNG")
    inline = body.find(".//inline-formula")
    assert inline.findtext("alternatives/tex-math") == "E = mc^2"
    assert "".join(inline.find(f"alternatives/{MML}math").itertext()) == "E=mc2"
    assert body.find(f".//disp-formula/alternatives/{MML}math").get("display") == "block"
    note = body.find(".//xref[@ref-type='fn']")
    assert root.find(f"back/fn-group/fn[@id='{note.get('rid')}']") is not None
    refs = root.findall("back/ref-list/ref")
    assert len(refs) == 2  # one ref per reference
    structured = refs[0].find("citation-alternatives/element-citation")
    assert structured.get("publication-type") == "article-journal"
    assert structured.findtext("pub-id[@pub-id-type='doi']") == "10.1234/jah.2020.45"
    assert structured.findtext("volume") == "12"
    printed = "".join(refs[0].find("citation-alternatives/mixed-citation").itertext())
    assert normalize(printed).startswith("Gogh, V. van, & Müller, H. (2020). Colour in letters")
    ref_ids = {r.get("id") for r in refs}
    cited = {x.get("rid") for x in body.iter("xref") if x.get("ref-type") == "bibr"}
    assert cited == ref_ids


CROSS_REFERENCED = """\
# Method {#sec-method}

See @fig-plot, @tbl-data, @eq-energy and @sec-method.

![A plot.](plot.png){#fig-plot}

| a | b |
|---|---|
| 1 | 2 |

: Data. {#tbl-data}

$$E = mc^2$$ {#eq-energy}
"""


def test_every_cross_reference_is_an_xref_to_its_target(tmp_path: Path) -> None:
    path = write_article(tmp_path / "x", "title: Links", CROSS_REFERENCED)
    shutil.copy(TORTURE.parent / "figures" / "gradient.png", tmp_path / "x" / "plot.png")
    data, _ = render(path)
    assert validate_jats(data, schemas()) == []
    body = parse(data).find("body")
    xrefs = {x.text: (x.get("ref-type"), x.get("rid")) for x in body.iter("xref")}
    assert xrefs == {"Figure 1": ("fig", "fig-plot"), "Table 1": ("table", "tbl-data"),
                     "Equation 1": ("disp-formula", "eq-energy"),
                     "Section 1": ("sec", "sec-method")}
    targets = {e.get("id"): e.tag for e in body.iter() if e.get("id")}
    assert [targets[rid] for _, rid in xrefs.values()] == ["fig", "table-wrap", "disp-formula",
                                                           "sec"]
    equation = body.find(".//disp-formula[@id='eq-energy']")
    assert equation.findtext("label") == "(1)"
    assert body.find("sec[@id='sec-method']").findtext("label") == "1"


def test_hostile_title_stays_text(tmp_path: Path) -> None:
    title = "<b>Bold</b> & <script>alert(1)</script> ]]> &lt;i&gt;"
    path = write_article(tmp_path / "h", f'title: "{title}\\u0007\\u001b"\nauthor: A. Person',
                         "Text.")
    resolved, front = prepare(path)
    data = JatsWriter().render(resolved, front, RenderOptions(EPOCH))
    assert validate_jats(data, schemas()) == []
    article_title = parse(data).find("front/article-meta/title-group/article-title")
    assert len(article_title) == 0  # no element made of the markup
    assert article_title.text == front.title_text
    assert article_title.text.startswith("<b>Bold</b> & <script>alert(1)</script> ]]> <i>")
    assert read_jats(data)["title"] == article_title.text


def test_rebuild_is_byte_identical() -> None:
    first, writer = render(TORTURE)
    second, again = render(TORTURE)
    assert first == second
    assert writer.files == again.files


@pytest.mark.parametrize("paper", corpus_papers(), ids=lambda p: p.relative_to(CORPUS).parts[1])
def test_corpus_paper_is_valid_jats(paper: Path) -> None:
    resolved, front = prepare(paper)
    data = JatsWriter().render(resolved, front, RenderOptions(EPOCH))
    assert validate_jats(data, schemas()) == []
    contribs = parse(data).findall("front/article-meta/contrib-group/contrib")
    assert len(contribs) == len(resolved.metadata.authors)  # one contrib per author
    wrong = [(key, want, got) for key, want, got in jats_rows(data, resolved.metadata, front)
             if normalize(want) != normalize(got)]
    assert wrong == []


@pytest.mark.parametrize(("pages", "expected"), [
    ("P01-15", Pages("P01", "15")), ("101 – 120", Pages("101", "120")), ("3218", Pages("3218")),
    ("e1234", Pages(elocation="e1234")), ("1-5, 7-9", Pages("1", "9", "1-5, 7-9")),
    ("", Pages()),
])
def test_pages_are_read_as_written(pages: str, expected: Pages) -> None:
    assert page_parts(pages) == expected


def test_convert_to_jats_and_crossref_writes_the_figures_beside(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture
                                                                 ) -> None:
    from galleys.cli.main import main

    out = tmp_path / "out"
    assert main(["convert", str(TORTURE), "--to", "jats,crossref", "-o", str(out), "-v"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert {"torture.jats.xml", "torture-fig1.png"} <= set(names)
    assert "torture.crossref.xml" not in names  # no crossref: in a journal.yaml beside it
    assert "no Crossref deposit for the DOI 10.5555/galleys.2024.007" in capsys.readouterr().err
    graphic = parse((out / "torture.jats.xml").read_bytes()).find(".//graphic")
    assert (out / graphic.get(XLINK)).read_bytes().startswith(b"\x89PNG")


def test_formula_in_title_and_abstract_is_mathml(tmp_path: Path) -> None:
    path = write_article(tmp_path / "m", 'title: "Flows in $\\\\mathbb{R}^n$"\nauthor: A. Person\n'
                         'abstract: "We bound $x^2$."', "Text.")
    resolved, front = prepare(path)
    data = JatsWriter().render(resolved, front, RenderOptions(EPOCH))
    assert validate_jats(data, schemas()) == []
    meta = parse(data).find("front/article-meta")
    title = meta.find("title-group/article-title")
    assert title.find(f"inline-formula/{MML}math").get("alttext") == "\\mathbb{R}^n"
    assert read_jats(data)["title"] == front.title_text == "Flows in ℝn"
    assert meta.find(f"abstract/p/inline-formula/{MML}math") is not None


def test_the_jats_writer_leaves_the_resolved_body_as_it_found_it():
    """The other editions read the same resolved body after the JATS: its math, equations and
    figures are rewritten in a new body, never in place."""
    import json

    from galleys.writers.jats.body import build_body

    resolved, _front = prepare(TORTURE)
    before = json.dumps(resolved.blocks, sort_keys=True)
    body = build_body(resolved)
    assert body.body.find(".//inline-formula") is not None  # the math was rewritten
    assert json.dumps(resolved.blocks, sort_keys=True) == before
