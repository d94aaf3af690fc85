"""Quarto's body constructs as Quarto prints them, in every edition: executable cells as code
(never run), callouts as titled boxes, shortcodes, `[R]{.proglang}` spans; and `galleys build`
finds `article.qmd`, `index.qmd` and a JOSS folder's `paper.md`.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, require_corpus
from editions import Converted, convert_source
from lxml import etree
from pypdf import PdfReader

from galleys.builder.articles import find_articles, parse
from galleys.check.readback import read_docx, read_epub, read_pdf
from galleys.cli.main import main
from galleys.read import quarto_body

SLUG = "quarto-body"
ARTICLE = """---
title: Quarto as Written
author: Ann Author
date: 2024-01-02
abstract: Typeset with {{< latex >}} styles.
---

# Cells

```{python}
#| label: fig-plot
#| echo: false
import pathlib
pathlib.Path("EXECUTED").touch()
print("from python")
```

```{r echo=FALSE}
x <- c(1, 2)
```

```{R}
#| prompt: true
summary(x)
```

````markdown
```{python}
#| shown: as written
```
````

::: {.callout-note}
## My Title
Body *text* of the note.
:::

::: {.callout-warning title="Careful now"}
Warning body.
:::

::: callout
Plain callout body.
:::

Before the break.

{{< pagebreak >}}

After the break, in [R]{.proglang} with {{< latex >}} and {{< bibtex >}}{{< video v.mp4 >}}.
Written as {{</* pagebreak */>}} it prints itself.
"""
VIDEO_LINE = next(n for n, line in enumerate(ARTICLE.split("\n"), 1) if "video" in line)
X = "{http://www.w3.org/1999/xhtml}"
NS = {"x": X[1:-1]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Converted:
    return convert_source(tmp_path_factory.mktemp("quarto"), SLUG, "article.qmd", ARTICLE)


def _file(built: Converted, suffix: str) -> bytes:
    return built.file(suffix)


def _texts(built: dict) -> dict[str, str]:
    return {".pdf": read_pdf(_file(built, ".pdf")).text,
            ".epub": read_epub(_file(built, ".epub")).text,
            ".docx": read_docx(_file(built, ".docx")).text}


@pytest.fixture(scope="module")
def xhtml(built) -> etree._Element:
    archive = zipfile.ZipFile(io.BytesIO(_file(built, ".epub")))
    return etree.fromstring(archive.read("EPUB/article.xhtml"))


@pytest.fixture(scope="module")
def document(built) -> str:
    archive = zipfile.ZipFile(io.BytesIO(_file(built, ".docx")))
    return archive.read("word/document.xml").decode("utf-8")


# -- executable cells ---------------------------------------------------------------------------
def test_cells_are_code_in_their_language_without_option_lines(built, xhtml, document):
    codes = {c.get("class"): c.text for c in xhtml.iter(f"{X}code") if c.get("class")}
    assert codes["language-python"].startswith("import pathlib")
    assert codes["language-r"] in ("x <- c(1, 2)", "summary(x)")
    assert sum(1 for c in xhtml.iter(f"{X}code") if c.get("class") == "language-r") == 2
    for suffix, text in _texts(built).items():
        assert 'print("from python")' in text and "summary(x)" in text, suffix
        assert "#| label" not in text and "#| prompt" not in text, suffix
        assert "#| shown: as written" in text, "a cell shown inside a code block stays as written"
    assert 'w:val="SourceCode"' in document


def test_cells_are_never_run_and_one_warning_says_so(built):
    assert not (built.article.parent / "EXECUTED").exists()
    assert not Path("EXECUTED").exists()
    warned = [w for w in built.resolved.warnings if "executable cell" in w]
    assert len(warned) == 1 and "3 executable cell(s)" in warned[0] and "never run" in warned[0]


# -- callouts ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "title", "body"), [
    ("callout-note", "My Title", "Body text of the note."),
    ("callout-warning", "Careful now", "Warning body."),
])
def test_a_callout_is_a_titled_box_in_the_epub(xhtml, kind, title, body):
    box = xhtml.xpath(f'//x:div[contains(@class, "callout ")][contains(@class, "{kind}")]'
                      f'[x:div[@class="callout-title"]/x:p/x:strong[.="{title}"]]', namespaces=NS)
    assert len(box) == 1, kind
    assert body in " ".join("".join(box[0].itertext()).split())


def test_a_plain_callout_is_a_box_without_a_title(xhtml):
    plain = [d for d in xhtml.xpath('//x:div[contains(@class, "callout ")]', namespaces=NS)
             if "Plain callout body." in "".join(d.itertext())]
    assert len(plain) == 1 and not plain[0].xpath('x:div[@class="callout-title"]', namespaces=NS)


def test_a_callout_is_a_framed_titled_block_in_the_docx(document):
    boxed = re.findall(r'<w:p><w:pPr><w:pStyle w:val="Callout" /></w:pPr>(.*?)</w:p>', document)
    texts = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p)) for p in boxed]
    assert texts[:2] == ["My Title", "Body text of the note."]
    assert "Careful now" in texts and "Plain callout body." in texts
    assert "<w:b />" in boxed[0], "the title is bold"
    between = document[document.index("of the note."):document.index("Careful now")]
    assert "<w:p/>" in between, "two callouts in a row are two frames, not one"


def test_the_docx_callout_style_draws_a_frame(built):
    archive = zipfile.ZipFile(io.BytesIO(_file(built, ".docx")))
    styles = archive.read("word/styles.xml").decode("utf-8")
    style = re.search(r'<w:style [^>]*w:styleId="Callout".*?</w:style>', styles, re.DOTALL)
    assert style and "<w:pBdr>" in style.group() and "w:fill=" in style.group()


def test_a_callout_is_a_shaded_box_with_its_title_in_the_pdf(built):
    reader = PdfReader(io.BytesIO(_file(built, ".pdf")))
    stream = "".join(page.get_contents().get_data().decode("latin-1") for page in reader.pages)
    assert len(re.findall(r"\.95 \.96 \.98 rg", stream)) == 3, "three shaded callout boxes"
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert not {f for f in fonts if "+" not in f}, f"only embedded subsets: {fonts}"
    text = " ".join(read_pdf(_file(built, ".pdf")).text.split())
    assert "My Title Body text of the note." in text and "Careful now Warning body." in text


# -- shortcodes and spans ------------------------------------------------------------------------
def test_pagebreak_is_a_page_break_in_the_pdf_and_docx(built, document, xhtml):
    pages = [" ".join((p.extract_text() or "").split())
             for p in PdfReader(io.BytesIO(_file(built, ".pdf"))).pages]
    before = next(n for n, text in enumerate(pages) if "Before the break." in text)
    assert "After the break" in pages[before + 1] and "After the break" not in pages[before]
    assert re.search(r'<w:br w:type="page"\s*/>', document)
    assert xhtml.xpath('//x:div[@class="pagebreak"]', namespaces=NS)


def test_word_shortcodes_print_their_word_and_spans_keep_their_text(built):
    for suffix, text in _texts(built).items():
        line = " ".join(text.split())
        assert "in R with LaTeX and BibTeX." in line, suffix
        assert "Written as {{< pagebreak >}} it prints itself." in line, suffix
        assert "{{< latex" not in line and "video" not in line, suffix
    assert "Typeset with LaTeX styles." in " ".join(read_epub(_file(built, ".epub")).text.split())


def test_an_unknown_shortcode_is_dropped_and_named_by_line(built):
    warned = [w for w in built.resolved.warnings if "shortcode" in w]
    assert len(warned) == 1
    assert f":{VIDEO_LINE}: warning:" in warned[0] and "{{< video >}}" in warned[0]


@pytest.mark.parametrize(("line", "made"), [
    ("{{< include other.qmd >}}", ""),
    ("a {{< kbd Ctrl-C >}} b", "a Ctrl-C b"),
    ("{{< pagebreak >}}", "\\newpage"),
    ("text {{< pagebreak >}}", "text "),
])
def test_shortcodes_in_a_line(line, made):
    body, warnings = quarto_body.prepare_source(line, "a.qmd", 7)
    assert body == made
    if "include" in line:
        assert "a.qmd:7:" in warnings[0] and "never read" in warnings[0]


# -- build finds Quarto and JOSS articles --------------------------------------------------------
def test_build_finds_article_qmd_index_qmd_and_joss_paper_md(tmp_path):
    source = tmp_path / "source"
    front = "---\ntitle: {}\nauthor: A. Author\ndate: 13 August 2017\n---\nBody of {}.\n"
    for folder, name in (("alpha", "article.qmd"), ("beta", "index.qmd"), ("gamma", "paper.md"),
                         ("delta", "article.md"), ("delta", "paper.md")):
        (source / folder).mkdir(parents=True, exist_ok=True)
        (source / folder / name).write_text(front.format(folder, name), encoding="utf-8")
    (source / "no-article").mkdir()
    found = find_articles(source)
    assert [p.relative_to(source).as_posix() for p in found] == [
        "alpha/article.qmd", "beta/index.qmd", "delta/article.md", "gamma/paper.md"]
    dist = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(dist), "-q"]) == 0
    for slug, name in (("alpha", "article.qmd"), ("beta", "index.qmd"), ("gamma", "paper.md")):
        text = read_epub((dist / slug / f"{slug}.epub").read_bytes()).text
        assert f"Body of {name}." in text, slug


def test_jss_template_cells_callouts_and_shortcodes():
    require_corpus()
    resolved = parse(CORPUS / "quarto/quarto-journals__jss/template.qmd")
    blocks = str(resolved.ast["blocks"])
    assert "'callout'" in blocks and "{{<" not in blocks and "#|" not in blocks
    assert "['', ['r'], []]" in blocks, "the {R} cells are R code blocks"
    assert not any("{{<" in str(run.text) for p in resolved.abstract for run in p)


def test_a_cell_in_a_list_item_is_code_too():
    body, warnings = quarto_body.prepare_source(
        "1. Item\n\n    ```{python}\n    #| echo: false\n    x = 1\n    ```\n", "a.qmd", 1)
    assert "    ```{.python .cell}\n" in body and len(warnings) == 1
    blocks = quarto_body.finish([{"t": "CodeBlock", "c": [["", ["python", "cell"], []],
                                                            "#| echo: false\nx = 1"]}])
    assert blocks == [{"t": "CodeBlock", "c": [["", ["python"], []], "x = 1"]}]
