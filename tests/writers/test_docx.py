"""The DOCX edition checked on the real file: styled front matter, properties, body, round trip."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from conftest import REQUIRE_EXTERNAL, TORTURE, require_module, require_program

from galleys.builder.articles import prepare, source_date_epoch
from galleys.errors import InternalError, SourceError
from galleys.front.frontmatter import FrontMatter
from galleys.front.inlines import plain
from galleys.model import ResolvedArticle
from galleys.writers import RenderOptions
from galleys.writers.docx.edition import DocxBackend
from galleys.writers.docx.reference import reference_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "cu": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "w": W[1:-1],
}


@pytest.fixture(scope="module")
def torture() -> tuple[ResolvedArticle, FrontMatter]:
    return prepare(TORTURE)


@pytest.fixture(scope="module")
def docx(torture) -> bytes:
    resolved, front = torture
    return DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved)))


def _part(docx: bytes, name: str) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return ET.fromstring(archive.read(name))


def _style_names(docx: bytes) -> dict[str, str]:
    styles = _part(docx, "word/styles.xml")
    return {s.get(f"{W}styleId"): s.find(f"{W}name").get(f"{W}val")
            for s in styles.iter(f"{W}style")}


def _paragraphs(docx: bytes) -> list[tuple[str, str]]:
    """(style display name, text) of each top-level paragraph of the body."""
    names = _style_names(docx)
    out = []
    for p in _part(docx, "word/document.xml").find(f"{W}body").iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        name = names.get(style.get(f"{W}val"), "") if style is not None else ""
        out.append((name, "".join(t.text or "" for t in p.iter(f"{W}t"))))
    return out


def _texts(docx: bytes, style: str) -> list[str]:
    return [text for name, text in _paragraphs(docx) if name == style]


def test_front_matter_paragraphs_carry_named_styles_with_their_text(docx, torture):
    _, front = torture
    assert _texts(docx, "Title") == [front.title_text]
    assert _texts(docx, "Subtitle") == [front.subtitle_text]
    authors = _texts(docx, "Author")
    assert [a.split("1")[0].split("2")[0] for a in authors] == [
        "Dr. Ada Lovelace", "Vincent van Gogh", "Sukarno"]
    assert "https://orcid.org/0000-0002-1825-0097" in authors[0]
    assert _texts(docx, "Affiliation") == [a.marker + a.name for a in front.affiliations]
    assert _texts(docx, "Journal Line") == [front.journal_line]
    assert _texts(docx, "Published") == ["Published: March 15, 2024"]
    assert _texts(docx, "DOI") == ["DOI: https://doi.org/10.5555/galleys.2024.007"]
    assert _texts(docx, "Licence") == ["Licence: CC BY 4.0"]
    assert _texts(docx, "Abstract") == [plain(p) for p in front.abstract]
    assert _texts(docx, "Keywords") == ["Keywords: typesetting; EPUB; PDF; DOCX"]
    assert _texts(docx, "How to Cite") == [front.how_to_cite_text]
    assert front.how_to_cite_text.startswith("Lovelace, A., van Gogh, V., & Sukarno. (2024).")


def test_front_matter_comes_first_in_reading_order(docx):
    styles = [name for name, _ in _paragraphs(docx)]
    assert styles[0] == "Title"
    cite = styles.index("How to Cite")
    assert styles.index("heading 1") == cite + 1
    assert "Title" not in styles[1:]  # pandoc added no second title block


def test_front_matter_keeps_rich_text(docx):
    document = _part(docx, "word/document.xml")
    title = next(p for p in document.iter(f"{W}p")
                 if p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Title")
    italic = [r.find(f"{W}t").text for r in title.iter(f"{W}r") if r.find(f"{W}rPr/{W}i")
              is not None]
    assert italic == ["Torture"]


def test_reference_document_defines_every_front_matter_style():
    with zipfile.ZipFile(io.BytesIO(reference_docx("a4"))) as archive:
        styles = archive.read("word/styles.xml").decode()
        document = archive.read("word/document.xml").decode()
        footer = archive.read("word/footer1.xml").decode()
    for name in ("Title", "Subtitle", "Author", "Affiliation", "Journal Line", "Published",
                 "DOI", "Licence", "How to Cite", "Abstract", "Keywords", "heading 1"):
        assert f'w:val="{name}"' in styles, name
    assert "Times New Roman" in styles
    assert 'w:w="11906"' in document and 'w:left="1418"' in document
    assert "PAGE" in footer


def test_core_properties(docx, torture):
    _, front = torture
    core = _part(docx, "docProps/core.xml")

    def field(tag: str) -> str:
        return core.find(tag, NS).text

    assert field("dc:title") == front.title_text
    assert field("dc:creator") == "Ada Lovelace; Vincent van Gogh; Sukarno"  # no honorific
    assert field("cp:keywords") == "typesetting; EPUB; PDF; DOCX"
    assert field("dc:subject") == "Journal of Galley Testing, Vol. 7, No. 2 (2024), pp. 101–120"
    assert field("dc:description").startswith("This article exercises every block type")
    assert field("dc:language") == "en"
    assert field("dcterms:created") == "2024-03-15T00:00:00Z"
    assert field("dcterms:modified") == "2024-03-15T00:00:00Z"
    assert "true" not in ET.tostring(core, encoding="unicode")


def test_custom_properties(docx):
    custom = _part(docx, "docProps/custom.xml")
    values = {p.get("name"): p.find("vt:lpwstr", NS).text
              for p in custom.findall("cu:property", NS)}
    assert values == {
        "doi": "10.5555/galleys.2024.007",
        "journal": "Journal of Galley Testing",
        "volume": "7",
        "issue": "2",
        "pages": "101-120",
        "url": "https://example.org/articles/torture",
        "license": "CC BY 4.0",
        "license-url": "https://creativecommons.org/licenses/by/4.0/",
    }
    pids = [p.get("pid") for p in custom.findall("cu:property", NS)]
    assert pids == [str(i) for i in range(2, 10)]


def test_body_has_footnotes_tables_figures_lists_code_math_and_references(docx):
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        names = archive.namelist()
        footnotes = archive.read("word/footnotes.xml").decode()
        document = archive.read("word/document.xml").decode()
    assert "A footnote with" in footnotes
    assert "<w:footnoteReference" in document
    assert document.count("<w:tbl>") == 1 and "Populations in 2023" in document
    assert any(n.startswith("word/media/") for n in names)
    assert 'descr="figures/gradient.png"' in document and "data:image" not in document
    assert "<m:oMath" in document and "<w:numPr>" in document
    styles = [name for name, _ in _paragraphs(docx)]
    assert "Source Code" in styles
    refs = _texts(docx, "Bibliography")
    assert len(refs) == 2 and refs[1].startswith("Knuth, D. E. (1984).")
    assert "(Knuth, 1984)" in "".join(text for _, text in _paragraphs(docx))


def test_same_source_gives_identical_bytes(torture, docx):
    resolved, front = torture
    again = DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved)))
    assert hashlib.sha256(again).digest() == hashlib.sha256(docx).digest()
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2024, 3, 15, 0, 0, 0)}


def test_another_process_gives_identical_bytes(docx, tmp_path):
    script = (
        "import hashlib, sys\n"
        "from galleys.writers import RenderOptions\n"
        "from galleys.writers.docx.edition import DocxBackend\n"
        "from galleys.builder.articles import prepare, source_date_epoch\n"
        "r, f = prepare(sys.argv[1])\n"
        "data = DocxBackend().render(r, f, RenderOptions(source_date_epoch(r)))\n"
        "print(hashlib.sha256(data).hexdigest())\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(TORTURE)], cwd=tmp_path,
                         check=True, capture_output=True, timeout=120).stdout.decode().strip()
    assert out == hashlib.sha256(docx).hexdigest()


def test_paper_size_letter(torture):
    resolved, front = torture
    data = DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved),
                                                               paper="letter"))
    size = _part(data, "word/document.xml").find(f"{W}body/{W}sectPr/{W}pgSz")
    assert size.get(f"{W}w") == "12240"


def _article(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "article"
    folder.mkdir()
    shutil.copytree(TORTURE.parent / "figures", folder / "figures")
    (folder / "article.md").write_text(
        "---\ntitle: Hostile <w:p> & \"Friends\"\nauthor: Jane O'Neil & Co\ndate: 2020-01-02\n"
        f"---\n\n{body}\n", encoding="utf-8")
    return folder / "article.md"


@pytest.mark.parametrize(("body", "message"), [  # outside and remote images: test_figures.py
    ("![x](figures/missing.png)", "does not exist"),
    ("[click](javascript:alert(1))", "javascript"),
])
def test_hostile_bodies_are_refused_with_one_line(tmp_path, body, message):
    (tmp_path / "outside.png").write_bytes((TORTURE.parent / "figures/gradient.png").read_bytes())
    with pytest.raises(SourceError, match=message):  # in the resolve stage or the edition
        resolved, front = prepare(_article(tmp_path, body))
        DocxBackend().render(resolved, front, RenderOptions(0))


def test_markup_in_metadata_stays_text(tmp_path):
    resolved, front = prepare(_article(tmp_path, "Body."))
    data = DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved)))
    assert _texts(data, "Title") == ['Hostile <w:p> & “Friends”']
    assert _texts(data, "Author") == ["Jane O'Neil & Co"]
    assert _part(data, "docProps/core.xml").find("dc:creator", NS).text == "Jane O'Neil & Co"


def test_unknown_node_type_raises(torture, tmp_path):
    resolved, front = torture
    ast = dict(resolved.ast, blocks=[{"t": "Mystery", "c": []}])
    broken = ResolvedArticle(resolved.article, resolved.style, resolved.title, resolved.subtitle,
                             resolved.abstract, ast)
    with pytest.raises(InternalError, match="Mystery"):
        DocxBackend().render(broken, front, RenderOptions(0))


def test_python_docx_reads_it(docx, torture):
    docx_module = require_module("docx")
    document = docx_module.Document(io.BytesIO(docx))
    _, front = torture
    styled = {(p.style.name, p.text) for p in document.paragraphs}
    assert ("How to Cite", front.how_to_cite_text) in styled
    assert ("Title", front.title_text) in styled
    assert document.core_properties.author == "Ada Lovelace; Vincent van Gogh; Sukarno"
    assert len(document.tables) == 1


@pytest.mark.external
def test_libreoffice_converts_it_to_pdf_with_title_and_how_to_cite(docx, torture, tmp_path):
    soffice = require_program("soffice", "libreoffice")
    pdftotext = require_program("pdftotext")
    source = tmp_path / "torture.docx"
    source.write_bytes(docx)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run([pdftotext, str(tmp_path / "torture.pdf"), "-"], check=True,
                          capture_output=True, timeout=60).stdout.decode()
    flat = re.sub(r"\s+", " ", text)
    _, front = torture
    assert front.title_text in flat
    assert front.how_to_cite_text in flat
    assert "Journal of Galley Testing, Vol. 7, No. 2 (2024)" in flat  # footer running head


@pytest.mark.parametrize("name", ["torture", "multiscript"])
def test_the_docx_leaves_the_shared_body_as_it_was(name):
    """The PDF and EPUB are laid out from the same body while the DOCX is written beside them:
    embedding pictures and marking directions must change copies, never the body itself."""
    import json

    resolved, front = prepare(TORTURE.parent.parent / name / "article.md")
    before = json.dumps(resolved.blocks)
    data = DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved)))
    assert json.dumps(resolved.blocks) == before
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    if name == "torture":
        assert any(n.startswith("word/media/") for n in names), "its pictures are embedded"


# -- numbered display equations: a paragraph laid out as Word numbers one ----------------------
EQUATIONS = ("See \\eqref{eq:c} and @eq-g.\n\nThe ratio is\n$$c = \\frac{a}{b} \\label{eq:c}$$\n"
             "for all $a$.\n\n$$x^2 + y^2 = z^2$$\n\n$$g = 3$$ {#eq-g}\n")
M = NS["m"]


def _equations_docx(tmp_path: Path, paper: str = "a4") -> bytes:
    resolved, front = prepare(_article(tmp_path, EQUATIONS))
    return DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved),
                                                               paper=paper))


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_numbered_equation_is_centred_with_its_number_at_the_right_margin(tmp_path, paper):
    data = _equations_docx(tmp_path, paper)
    body = _part(data, "word/document.xml").find(f"{W}body")
    section = body.find(f"{W}sectPr")
    size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")
    text_width = (int(size.get(f"{W}w")) - int(margins.get(f"{W}left"))
                  - int(margins.get(f"{W}right")) - int(margins.get(f"{W}gutter")))
    names = _style_names(data)
    numbered = [p for p in body.iter(f"{W}p") if names.get(
        p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")) == "Numbered Equation"]
    anchors = [link.get(f"{W}anchor") for link in body.iter(f"{W}hyperlink")]
    assert anchors == ["eq:c", "eq-g"]
    assert len(numbered) == 2
    for p, number, anchor in zip(numbered, ["(1)", "(2)"], anchors, strict=True):
        tabs = [(t.get(f"{W}val"), int(t.get(f"{W}pos"))) for t in p.find(f"{W}pPr/{W}tabs")]
        assert tabs == [("center", text_width // 2), ("right", text_width)]
        content = [child for child in p if _local(child) != "pPr"]
        assert [_local(child) for child in content] == [
            "bookmarkStart", "r", "oMath", "r", "r", "bookmarkEnd"]
        start, tab, formula, tab_after, printed, end = content
        assert start.get(f"{W}name") == anchor and end.get(f"{W}id") == start.get(f"{W}id")
        assert [_local(c) for c in tab] == ["tab"] and [_local(c) for c in tab_after] == ["tab"]
        assert printed.find(f"{W}t").text == number  # plain text, not part of the formula
        assert "(" not in "".join(t.text or "" for t in formula.iter(f"{{{M}}}t"))
        assert p.find(f".//{{{M}}}oMathPara") is None
    assert numbered[0].find(f".//{{{M}}}f") is not None  # the fraction as OMML, not TeX
    # The text around it stays in paragraphs of their own; the unnumbered one stays display.
    texts = ["".join(p.itertext()) for p in body.iter(f"{W}p")]  # formulas' m:t too
    at = texts.index("c=ab(1)")
    assert texts[at - 1] == "The ratio is" and texts[at + 1] == "for all a."
    displayed = list(body.iter(f"{{{M}}}oMathPara"))
    assert len(displayed) == 1 and "z" in "".join(t.text for t in displayed[0].iter(f"{{{M}}}t"))


def test_the_equation_style_is_looked_up_by_name_in_a_journals_styles():
    from galleys.writers.docx.package import equation_tabs

    styles = ('<w:styles><w:style w:type="paragraph" w:styleId="Formel">'
              '<w:name w:val="Numbered Equation"/></w:style></w:styles>')
    document = ('<w:body><w:p><w:pPr><w:pStyle w:val="Formel" /></w:pPr></w:p><w:sectPr>'
                '<w:pgSz w:w="10000" w:h="14000"/><w:pgMar w:left="1000" w:right="2000" '
                'w:gutter="500" w:top="0" w:bottom="0"/></w:sectPr></w:body>')
    assert ('<w:pStyle w:val="Formel" /><w:tabs><w:tab w:val="center" w:pos="3250" />'
            '<w:tab w:val="right" w:pos="6500" /></w:tabs>') in equation_tabs(document, styles)


@pytest.mark.external
def test_libreoffice_sets_the_formula_centred_and_its_number_at_the_right_margin(tmp_path):
    soffice = require_program("soffice", "libreoffice")
    pdftotext = require_program("pdftotext")
    program = Path(soffice).resolve().parent
    if not list(program.glob("libsmlo.so")) and not list(program.glob("sm*.dll")):
        message = ("needs LibreOffice's Math module (libreoffice-math-nogui): without it "
                   "every formula is left blank")
        if REQUIRE_EXTERNAL:
            pytest.fail(message)
        pytest.skip(message)
    source = tmp_path / "equations.docx"
    source.write_bytes(_equations_docx(tmp_path))
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    boxes = subprocess.run([pdftotext, "-bbox", str(tmp_path / "equations.pdf"), "-"],
                           check=True, capture_output=True, timeout=60).stdout.decode()
    page = re.search(r'<page width="([\d.]+)"', boxes)
    words = [(float(x0), float(y0), float(x1), text) for x0, y0, x1, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        boxes)]
    width, margin = float(page.group(1)), 1418 / 20  # the A4 reference's margins, in points
    line_left = min(x0 for x0, _, _, text in words if text == "See")
    assert abs(line_left - margin) < 2
    for number, formula in (("(1)", "c="), ("(2)", "g=3")):
        printed = max((w for w in words if w[3] == number), key=lambda w: w[2])  # not "See (1)"
        assert abs(printed[2] - (width - margin)) < 2, printed  # flush with the right margin
        drawn = next(w for w in words if w[3].startswith(formula) and abs(w[1] - printed[1]) < 12)
        assert abs((drawn[0] + drawn[2]) / 2 - width / 2) < 15, drawn  # centred


def test_a_numbered_equation_in_a_quote_is_its_own_line_and_in_a_table_cell_keeps_its_number(
        tmp_path):
    body = ("See \\eqref{eq:t} and \\eqref{eq:q}.\n\n| a |\n|---|\n| $$t = 1 \\label{eq:t}$$ |\n\n"
            "> Quoted $$q = 2 \\label{eq:q}$$ there.\n")
    resolved, front = prepare(_article(tmp_path, body))
    data = DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved)))
    body_xml = _part(data, "word/document.xml").find(f"{W}body")
    cell = body_xml.findall(f".//{W}tc")[-1]  # narrower than the page's tab stops
    assert re.sub(r"\s", "", "".join(t.text for t in cell.iter(f"{{{M}}}t"))) == "t=1(1)"
    assert cell.find(f".//{{{M}}}oMathPara") is not None and cell.find(f".//{W}tabs") is None
    assert [text for name, text in _paragraphs(data) if name in ("Block Text",
                                                                 "Numbered Equation")] == [
        "Quoted", "(2)", "there."]
    names = [name for name, _ in _paragraphs(data)]
    assert names.count("Numbered Equation") == 1


def test_a_journals_template_sets_the_equation_tab_stops_by_its_own_page(tmp_path):
    docx_module = require_module("docx")
    from docx.shared import Twips

    template = docx_module.Document()
    section = template.sections[0]
    section.page_width, section.left_margin, section.right_margin = (
        Twips(12240), Twips(1440), Twips(2880))
    folder = _article(tmp_path, EQUATIONS).parent
    template.save(str(folder / "journal.docx"))
    article = folder / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "---\n\n", "reference-doc: journal.docx\n---\n\n", 1), encoding="utf-8")
    resolved, front = prepare(article)
    data = DocxBackend().render(resolved, front, RenderOptions(source_date_epoch(resolved)))
    names = _style_names(data)
    numbered = [p for p in _part(data, "word/document.xml").iter(f"{W}p")
                if names.get(p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")) == "Numbered Equation"]
    assert len(numbered) == 2  # the style added to the journal's
    for p in numbered:
        tabs = [(t.get(f"{W}val"), t.get(f"{W}pos")) for t in p.find(f"{W}pPr/{W}tabs")]
        assert tabs == [("center", "3960"), ("right", "7920")]  # 12240 - 1440 - 2880
