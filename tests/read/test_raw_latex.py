"""Raw TeX in the body is read by pandoc's LaTeX reader, not dropped: every construct JOSS papers
use, asserted in each edition's real output (the PDF's text, the EPUB's XHTML, the DOCX's XML),
and what the reader cannot read named by line in one warning (an error with --strict).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, require_corpus
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from galleys import pandoc
from galleys.builder.articles import parse
from galleys.check.readback import read_docx, read_epub, read_pdf
from galleys.cli.main import main
from galleys.read import raw_tex
from galleys.resolve.passes import BODY_READER

SLUG = "raw-tex"
ARTICLE = r"""---
title: Raw TeX as Written
author: Ann Author
date: 2024-01-02
---

# Intro

Built on \texttt{PyTorch} and \mbox{\texttt{Python}}, see \autoref{fig:one} and \eqref{eq:mr}.
Accents: F\'ed\'erale \& Li\`ege \textendash{} done. \emph{Emphasised} \textbf{Boldface}
\href{https://example.org/}{a link} and \url{https://x.org/}. A note\footnote{\texttt{tq} on \url{https://pypi.org/}}.

\begin{equation}
    \label{eq:mr}
    \hat{\psi} = C_{10} \left( I_1 - 3 \right)
\end{equation}

\begin{align*}
a &= b \\ c &= d
\end{align*}

<div class="math">
\begin{align}
\label{eq:problem}
x &= y + z
\end{align}
</div>

\begin{figure}[h]
    \centering
    \includegraphics[width=0.6\textwidth]{plot}
    \caption{A sample \emph{scatter} plot.}
    \label{fig:one}
\end{figure}

\begin{description}
    \item[succinct syntax]{ -- close to pseudo-code;}
    \item[portability]{on Linux};
\end{description}

Before the break.

\newpage

After the break. \unknowncmd{zz}

\input{included}

| Variation | Time |
|---|---|
| Higher <br />(HII_DIM=500) | 10<sup>2</sup> and <em>fast</em> |
"""
UNKNOWN_LINE = ARTICLE.split("\n").index(r"After the break. \unknowncmd{zz}") + 1
INPUT_LINE = ARTICLE.split("\n").index(r"\input{included}") + 1
SECRET = "INCLUDEDSECRETWORD"
X = "{http://www.w3.org/1999/xhtml}"
NS = {"x": X[1:-1]}
# A TeX control word in an edition's text is source that leaked.
_TEX = re.compile(r"\\[A-Za-z]{2,}")


def _png(path: Path) -> None:
    Image.new("RGB", (40, 20), (200, 30, 30)).save(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, object]:
    """The article converted into every edition; and its resolved AST and warnings."""
    work = tmp_path_factory.mktemp("raw-tex")
    article = work / "source" / SLUG / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text(ARTICLE, encoding="utf-8")
    _png(article.parent / "plot.png")
    (article.parent / "included.tex").write_text(SECRET + "\n", encoding="utf-8")
    out = work / "out"
    assert main(["convert", str(article), "-o", str(out), "-q"]) == 0
    resolved = parse(article)
    return {"article": article, "out": out, "resolved": resolved}


def _file(built: dict, suffix: str) -> bytes:
    return (built["out"] / f"{SLUG}{suffix}").read_bytes()


@pytest.fixture(scope="module")
def pdf_text(built) -> str:
    return read_pdf(_file(built, ".pdf")).text


@pytest.fixture(scope="module")
def xhtml(built) -> etree._Element:
    """The EPUB's body chapters as one XHTML tree."""
    archive = zipfile.ZipFile(io.BytesIO(_file(built, ".epub")))
    root = etree.Element(f"{X}all")
    for name in sorted(archive.namelist()):
        if name.endswith(".xhtml") and "nav" not in name and "title" not in name:
            root.append(etree.fromstring(archive.read(name)))
    return root


@pytest.fixture(scope="module")
def docx(built) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(_file(built, ".docx")))
    return {name: archive.read(name).decode("utf-8") for name in
            ("word/document.xml", "word/footnotes.xml", "word/_rels/document.xml.rels")}


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- each construct, in each edition ---------------------------------------------------------
@pytest.mark.parametrize("words", [
    "PyTorch", "Python", "Fédérale & Liège – done", "Emphasised", "Boldface", "a link",
    "https://x.org/", "tq on https://pypi.org/", "A sample scatter plot.", "succinct syntax",
    "close to pseudo-code;", "portability", "on Linux", "Higher", "(HII_DIM=500)", "fast",
])
def test_the_words_of_every_construct_are_in_every_edition(built, pdf_text, docx, words):
    notes = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", docx["word/footnotes.xml"]))
    for suffix, text in ((".pdf", pdf_text), (".epub", read_epub(_file(built, ".epub")).text),
                         (".docx", read_docx(_file(built, ".docx")).text + " " + notes)):
        assert words in _one_line(text), (suffix, words)


def test_no_tex_source_is_left_in_any_edition(built, pdf_text):
    for suffix, text in ((".pdf", pdf_text), (".epub", read_epub(_file(built, ".epub")).text),
                         (".docx", read_docx(_file(built, ".docx")).text)):
        assert not _TEX.findall(text), (suffix, _TEX.findall(text))
        assert "\\'" not in text and "{description}" not in text, suffix


@pytest.mark.parametrize(("construct", "xpath"), [
    ("texttt", '//x:code[.="PyTorch"]'),
    ("mbox", '//x:code[.="Python"]'),
    ("emph", '//x:em[.="Emphasised"]'),
    ("textbf", '//x:strong[.="Boldface"]'),
    ("href", '//x:a[@href="https://example.org/"][.="a link"]'),
    ("url", '//x:a[@href="https://x.org/"]'),
    ("footnote", '//x:aside[contains(@class, "footnote")]//x:a[@href="https://pypi.org/"]'),
    ("equation", '//*[@id="eq:mr"][contains(@class, "equation")]'),
    ("align in a math div", '//*[@id="eq:problem"][contains(@class, "equation")]'),
    ("figure", '//x:figure[@id="fig:one"]/x:img[contains(@src, "figure")]'),
    ("caption", '//x:figure[@id="fig:one"]/x:figcaption/x:em[.="scatter"]'),
    ("description", '//x:dl/x:dt[.="succinct syntax"]'),
    ("autoref", '//x:a[@href="#fig:one"]'),
    ("eqref", '//x:a[@href="#eq:mr"]'),
    ("<br />", "//x:td/x:br"),
    ("<sup>", '//x:td/x:sup[.="2"]'),
    ("<em>", '//x:td/x:em[.="fast"]'),
])
def test_each_construct_is_its_element_in_the_epub(xhtml, construct, xpath):
    assert xhtml.xpath(xpath, namespaces=NS), construct


@pytest.mark.parametrize(("construct", "part", "pattern"), [
    ("texttt", "word/document.xml", r'VerbatimChar"\s*/></w:rPr><w:t[^>]*>PyTorch<'),
    ("emph", "word/document.xml", r"<w:i\s*/>.*?<w:t[^>]*>Emphasised<"),
    ("textbf", "word/document.xml", r"<w:b\s*/>.*?<w:t[^>]*>Boldface<"),
    ("href", "word/_rels/document.xml.rels", r'Target="https://example.org/"'),
    ("footnote", "word/footnotes.xml", r"pypi\.org"),
    ("equation", "word/document.xml", r"<m:oMath>"),
    ("align", "word/document.xml", r"<m:eqArr>"),
    ("figure", "word/document.xml", r"<w:drawing>"),
    ("newpage", "word/document.xml", r'<w:br w:type="page"\s*/>'),
    ("<br />", "word/document.xml", r"Higher</w:t></w:r><w:r><w:br\s*/>"),
    ("<sup>", "word/document.xml", r'<w:vertAlign w:val="superscript"\s*/>'),
])
def test_each_construct_is_its_element_in_the_docx(docx, construct, part, pattern):
    assert re.search(pattern, docx[part], re.DOTALL), construct


def test_the_pdf_holds_the_figure_the_links_and_the_page_break(built):
    reader = PdfReader(io.BytesIO(_file(built, ".pdf")))
    uris = {annot.get_object()["/A"].get("/URI") for page in reader.pages
            for annot in page.get("/Annots") or [] if "/A" in annot.get_object()}
    assert {"https://example.org/", "https://x.org/", "https://pypi.org/"} <= uris
    images = [name for page in reader.pages
              for name in (page["/Resources"].get("/XObject") or {})]
    assert images, "the LaTeX figure's image is drawn"
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    before = next(n for n, text in enumerate(pages) if "Before the break." in text)
    after = next(n for n, text in enumerate(pages) if "After the break." in text)
    assert after == before + 1, "\\newpage starts a new page"


# -- what the reader cannot read ----------------------------------------------------------------
def test_what_the_reader_cannot_read_is_named_by_line_in_one_warning(built):
    warnings = [w for w in built["resolved"].warnings if "raw markup" in w]
    assert len(warnings) == 1, built["resolved"].warnings
    assert f"line {UNKNOWN_LINE} '\\\\unknowncmd{{zz}}'" in warnings[0]
    assert f"line {INPUT_LINE} '\\\\input{{included}}'" in warnings[0]
    assert "dropped 2 passage(s)" in warnings[0]


def test_strict_makes_the_dropped_passage_an_error(built, tmp_path, capsys):
    out = tmp_path / "strict"
    assert main(["convert", str(built["article"]), "-o", str(out), "--strict"]) == 65
    err = capsys.readouterr().err
    assert "unknowncmd" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_input_and_include_never_read_a_file(built, tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text(SECRET, encoding="utf-8")
    for command in ("input", "include"):
        blocks = _read(f"Before.\n\n\\{command}{{{secret}}}\n\nAfter.\n")
        result, unread = raw_tex.read_raw_tex(blocks, "", 1)
        assert SECRET not in str(result) and [t for _, t in unread] == [f"\\{command}{{{secret}}}"]
    for suffix in (".pdf", ".epub", ".docx"):
        assert SECRET not in {".pdf": read_pdf, ".epub": read_epub, ".docx": read_docx}[suffix](
            _file(built, suffix)).text


# -- the AST the other passes get -------------------------------------------------------------
def _read(markdown: str) -> list:
    return pandoc.convert(markdown.encode(), BODY_READER, "json").json()["blocks"]


def test_references_stay_links_with_their_reference_type():
    blocks, unread = raw_tex.read_raw_tex(
        _read("See \\autoref{fig:a}, \\ref{tbl:b} and \\eqref{eq:c}.\n"), "", 1)
    links = [n for n in blocks[0]["c"] if n["t"] == "Link"]
    assert [(dict(n["c"][0][2])["reference"], n["c"][2][0]) for n in links] == [
        ("fig:a", "#fig:a"), ("tbl:b", "#tbl:b"), ("eq:c", "#eq:c")]
    assert all("reference-type" in dict(n["c"][0][2]) for n in links) and not unread


def test_a_label_in_a_markdown_caption_is_an_empty_span_with_its_id():
    blocks, unread = raw_tex.read_raw_tex(_read("![A plot.\\label{fig:x}](plot.png)\n"), "", 1)
    figure = blocks[0]
    caption = figure["c"][1][1][0]["c"]
    assert {"t": "Span", "c": [["fig:x", [], [["label", "fig:x"]]], []]} in caption
    image = figure["c"][2][0]["c"][0]
    assert "Span" not in str(image["c"][1]), "the image's description holds no second id"
    assert not unread


@pytest.mark.parametrize(("tex", "label", "made"), [
    ("\\begin{equation}\\label{eq:a} x = 1 \\end{equation}", "eq:a", "x = 1"),
    ("\\begin{equation*} x = 1 \\end{equation*}", "", "x = 1"),
    ("\\begin{align}\\label{eq:b} a &= b \\\\ c &= d \\nonumber \\end{align}", "eq:b",
     "\\begin{align*}\na &= b \\\\ c &= d\n\\end{align*}"),
    ("\\begin{eqnarray} a &=& b \\end{eqnarray}", "", "\\begin{array}{rcl}\na &=& b\n\\end{array}"),
    ("\\begin{gather*} a \\\\ b \\end{gather*}", "", "\\begin{array}{c}\na \\\\ b\n\\end{array}"),
    ("x^2 \\label{eq:md}", "eq:md", "x^2"),
])
def test_display_math_environments_and_labels(tex, label, made):
    assert raw_tex.display_math(tex) == (label, made)


def test_a_labelled_equation_is_the_span_the_crossref_pass_numbers():
    blocks, _ = raw_tex.read_raw_tex(
        _read("\\begin{equation}\n\\label{eq:mr}\nx = 1\n\\end{equation}\n"), "", 1)
    assert blocks == [{"t": "Para", "c": [{"t": "Span", "c": [
        ["eq:mr", ["equation"], []], [{"t": "Math", "c": [{"t": "DisplayMath"}, "x = 1"]}]]}]}]


@pytest.mark.parametrize(("line", "decoded"), [
    ("F\\'ed\\'erale and Li\\`ege", "Fédérale and Liège"),
    ("M\\\"uller said \\\"hi\\\"", "Müller said \\\"hi\\\""),
    ("\\'{E}cole {\\'e}t\\'e", "École été"),
    ("in code `F\\'e` and math $a\\'b$", "in code `F\\'e` and math $a\\'b$"),
    ("back ticks like \\`code\\` stay", "back ticks like \\`code\\` stay"),
])
def test_tex_accents_in_prose(line, decoded):
    assert raw_tex.decode_accents(line) == decoded


# -- real papers ----------------------------------------------------------------------------------
def _resolved(relative: str):
    require_corpus()
    return parse(CORPUS / relative)


def test_pysdm_figure_environment_and_description_list():
    resolved = _resolved("joss/open-atmos__PySDM/paper/paper.md")
    figures = {b["c"][0][0]: b for b in resolved.ast["blocks"] if b["t"] == "Figure"}
    assert "fig:readme_fig_1" in figures
    assert any(b["t"] == "DefinitionList" for b in resolved.ast["blocks"])
    assert not [w for w in resolved.warnings if "raw markup" in w], resolved.warnings


def test_torchquad_and_geostats_lose_no_raw_tex():
    for paper in ("joss/esa__torchquad/paper/paper.md",
                  "joss/JuliaEarth__GeoStats.jl/paper/paper.md",
                  "joss/adtzlr__felupe/paper/paper.md", "joss/fabian-sp__GGLasso/paper/paper.md"):
        resolved = _resolved(paper)
        assert not [w for w in resolved.warnings if "raw markup" in w], (paper, resolved.warnings)
        text = str(resolved.ast["blocks"])
        assert "RawInline" not in text and "RawBlock" not in text, paper
    geostats = str(_resolved("joss/JuliaEarth__GeoStats.jl/paper/paper.md").ast["blocks"])
    assert "mailto:juliohm@stanford.edu" in geostats
    assert "'eq:mooney-rivlin', ['equation']" in str(
        _resolved("joss/adtzlr__felupe/paper/paper.md").ast["blocks"])
    assert "'eq:problem', ['equation']" in str(
        _resolved("joss/fabian-sp__GGLasso/paper/paper.md").ast["blocks"])


# -- simple raw HTML --------------------------------------------------------------------------
@pytest.mark.parametrize(("html", "made"), [
    ("a <br />b", [{"t": "Str", "c": "a"}, {"t": "LineBreak"}, {"t": "Str", "c": "b"}]),
    ("x<sub>2</sub>", [{"t": "Str", "c": "x"}, {"t": "Subscript", "c": [{"t": "Str", "c": "2"}]}]),
    ("<b>bold</b>", [{"t": "Strong", "c": [{"t": "Str", "c": "bold"}]}]),
    ('<a href="https://x.org/" title="t">site</a>',
     [{"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "site"}], ["https://x.org/", "t"]]}]),
    ("<code>f(x)</code>", [{"t": "Code", "c": [["", [], []], "f(x)"]}]),
    ('<span class="c">kept</span> <!-- gone -->', [{"t": "Str", "c": "kept"}, {"t": "Space"}]),
])
def test_simple_raw_html_is_read(html, made):
    from galleys.read.raw_html import read_raw_html

    assert read_raw_html(_read(html + "\n"))[0]["c"] == made


def test_other_raw_html_is_left_for_the_warning(tmp_path):
    from galleys.read.raw_html import read_raw_html

    blocks = read_raw_html(_read('Before <img src="x.png"> after.\n'))
    assert {"t": "RawInline", "c": ["html", '<img src="x.png">']} in blocks[0]["c"]
    article = tmp_path / "src" / "art" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text('---\ntitle: T\n---\nBefore <img src="x.png"> after.\n', encoding="utf-8")
    warned = [w for w in parse(article).warnings if "raw markup" in w]
    assert len(warned) == 1 and "<img" in warned[0]


# -- bad TeX --------------------------------------------------------------------------------
def test_a_macro_that_expands_forever_is_a_one_line_source_error(tmp_path, capsys):
    article = tmp_path / "src" / "loop" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text("---\ntitle: T\n---\nBefore.\n\n\\def\\x{\\x}\\x\n", encoding="utf-8")
    assert main(["convert", str(article), "-o", str(tmp_path / "out")]) == 65
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "article.md" in err[0] and "expands forever" in err[0]
    assert not (tmp_path / "out").exists()


def test_a_passage_the_reader_refuses_is_unread_and_the_others_are_read(monkeypatch):
    from galleys.errors import ToolError

    blocks = _read("A \\texttt{kept} word.\n\n\\begin{refused}x\\end{refused}\n")
    real = pandoc.convert

    def convert(data: bytes, reader: str, *args, **kwargs):
        if b"refused" in data:
            raise ToolError("pandoc failed: Error at line 1")
        return real(data, reader, *args, **kwargs)

    monkeypatch.setattr(pandoc, "convert", convert)
    result, unread = raw_tex.read_raw_tex(blocks, "", 1)
    assert {"t": "Code", "c": [["", [], []], "kept"]} in result[0]["c"]
    assert [text for _, text in unread] == ["\\begin{refused}x\\end{refused}"]
    assert len(result) == 1


def test_tex_the_markdown_reader_left_as_text_is_named_by_line(tmp_path):
    article = tmp_path / "src" / "open" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text("---\ntitle: T\n---\nBefore.\n\n\\begin{equation} x = 1\n\n"
                       "An \\emph{unclosed brace.\n\nWritten as \\\\texttt on purpose.\n",
                       encoding="utf-8")
    warned = [w for w in parse(article).warnings if "shown as written" in w]
    assert len(warned) == 1, parse(article).warnings
    assert "article.md:6:" in warned[0] and "line 6 '\\\\begin{equation}'" in warned[0]
    assert "line 8 '\\\\emph{unclosed'" in warned[0] and "texttt" not in warned[0]


def test_citations_in_raw_tex_are_processed_in_every_edition(tmp_path):
    folder = tmp_path / "source" / "cited"
    folder.mkdir(parents=True)
    (folder / "references.bib").write_text(
        "@article{knuth84, author = {Donald E. Knuth}, title = {Literate Programming},"
        " journal = {The Computer Journal}, year = {1984}}\n", encoding="utf-8")
    _png(folder / "plot.png")
    (folder / "article.md").write_text(
        "---\ntitle: T\nauthor: A B\ndate: 2024-01-02\n---\nAs \\cite{knuth84} wrote.\n\n"
        "\\begin{figure}\n\\includegraphics{plot}\n\\caption{After \\citet{knuth84}.}\n"
        "\\end{figure}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(folder / "article.md"), "-o", str(out), "-q"]) == 0
    for suffix, reader in ((".pdf", read_pdf), (".epub", read_epub), (".docx", read_docx)):
        text = " ".join(reader((out / f"cited{suffix}").read_bytes()).text.split())
        assert text.count("Knuth") >= 3, (suffix, text)  # two citations and the entry
        assert "Literate programming" in text and "@knuth84" not in text, suffix
    assert not [w for w in parse(folder / "article.md").warnings if "raw markup" in w]


def test_a_lone_hr_is_a_rule_and_a_cite_without_bibliography_reads_as_markdown():
    from galleys.read.raw_html import read_raw_html

    assert read_raw_html(_read('<hr class="x" />\n')) == [{"t": "HorizontalRule"}]
    blocks, _ = raw_tex.read_raw_tex(_read("See \\cite[22-23]{smith.1899}.\n"), "", 1)
    cite = next(n for n in blocks[0]["c"] if n["t"] == "Cite")
    assert cite["c"][1] == [{"t": "Str", "c": "[@smith.1899 22-23]"}]
    assert cite["c"][0][0]["citationId"] == "smith.1899"


def test_a_latex_table_is_a_table_with_its_label_in_every_edition(tmp_path):
    article = tmp_path / "source" / "tab" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text(
        "---\ntitle: T\n---\nSee \\autoref{tab:x}.\n\n\\begin{table}[h]\n\\centering\n"
        "\\caption{Animals \\emph{counted}.}\n\\label{tab:x}\n\\begin{tabular}{ll}\n"
        "Dog & 2 \\\\\nCat & 1 \\\\\n\\end{tabular}\n\\end{table}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(article), "-o", str(out), "-q"]) == 0
    tree = etree.fromstring(zipfile.ZipFile(out / "tab.epub").read("EPUB/article.xhtml"))
    assert tree.xpath('//x:table[@id="tab:x"]/x:caption[contains(., "counted")]', namespaces=NS)
    assert tree.xpath('//x:a[@href="#tab:x"][contains(., "Table 1")]', namespaces=NS)
    document = zipfile.ZipFile(out / "tab.docx").read("word/document.xml").decode("utf-8")
    assert "<w:tbl>" in document and 'w:name="tab:x"' in document
    text = " ".join(read_pdf((out / "tab.pdf").read_bytes()).text.split())
    assert "See Table 1." in text and "Dog 2" in text and not _TEX.findall(text)
