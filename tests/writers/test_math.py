"""Math in every edition, checked on the real files: the PDF's text and pixels, the EPUB's
MathML, the DOCX's OMML, the landing page, and `galleys check` on math in title and abstract."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import require_program
from lxml import etree

from galleys.check.parity import check_article
from galleys.cli.main import main
from galleys.front.inlines import Run
from galleys.resolve.mathml import MathError, formula, runs_as_text
from galleys.writers.pdf.formulas import display_pieces, layout

MATHML = "http://www.w3.org/1998/Math/MathML"
OMML = "http://schemas.openxmlformats.org/officeDocument/2006/math"
ARTICLE = r"""---
title: 'Fields in $\mathbb{R}^n$'
author: "Ada Lovelace"
date: 2024-05-01
abstract: |
  We study $\mathbf{Q}(\mathbf{x}, t) \in \mathbb{R}^{m\times n}$ and show that $x^2 + y^2 = r^2$.
---

# Introduction to $\mathbb{R}^n$

Let $\mathbf{Q}(\mathbf{x}, t) \in \mathbb{R}^{m\times n}$ be a field with $\alpha_i$ and
$\frac{a}{b}$ inline, and a note.[^1] Code `\alpha` stays code.

$$\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}$$

where the integral is known, and

[$$E = mc^2$$]{#eq:energy .equation number="3"}

| Symbol | Meaning |
|--------|---------|
| $\sigma^2$ | variance |

[^1]: A note with $\beta$.
"""
TEX_WORD = re.compile(r"\\(mathbf|mathbb|frac|alpha|beta|sigma|int|sqrt|infty|in|times)\b")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("math")
    source = root / "source" / "fields"
    source.mkdir(parents=True)
    (source / "article.md").write_text(ARTICLE, encoding="utf-8")
    assert main(["convert", str(source), "-o", str(root / "dist" / "fields"), "-q"]) == 0
    return root


def _formulas(text: str) -> int:
    """Formulas in the article: $…$ and $$…$$ (front matter and body)."""
    return len(re.findall(r"\$\$.+?\$\$|\$[^$]+\$", text))


def test_pdf_text_has_the_formulas_as_unicode_and_no_tex(built: Path) -> None:
    require_program("pdftotext")
    pdf = built / "dist" / "fields" / "fields.pdf"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    outside_code = text.replace("\\alpha stays code", "")
    assert not TEX_WORD.search(outside_code), TEX_WORD.search(outside_code)
    flat = unicodedata.normalize("NFKC", text).replace(" ", "")
    assert "Q(x,t)∈R" in flat  # 𝐐(𝐱, t) ∈ ℝ, copyable
    assert re.search(r"^\(\d\)$", text, re.M)  # the labelled equation's number
    assert "\\alpha" in text  # inline code keeps its text
    from pypdf import PdfReader

    outline = [entry.title for entry in PdfReader(pdf).outline]
    assert "Introduction to ℝn" in outline  # the bookmark has the formula's text, no TeX


def test_pdf_page_shows_a_display_formula(tmp_path: Path) -> None:
    require_program("pdftoppm")
    source = tmp_path / "one"
    source.mkdir()
    (source / "article.md").write_text("---\ntitle: One\n---\n\nText.\n\n"
                                       "$$\\sum_{i=1}^n x_i^2$$\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(source), "--to", "pdf", "-o", str(out), "-q"]) == 0
    placed = layout("\\sum_{i=1}^n x_i^2", True, 11.0)
    assert placed.width > 10 and placed.ascent > 5 and placed.glyphs
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", "1", "-l", "1", str(out / "one.pdf"),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.pgm"))
    from PIL import Image

    page = Image.open(png)
    width, _height = page.size
    # The formula is centred: dark pixels in a column band around the page's middle, below
    # the title block, where no text line of this article reaches.
    band = page.crop((width // 2 - 15, 0, width // 2 + 15, page.size[1] - 60))
    assert min(band.get_flattened_data()) < 100


def test_epub_has_one_math_element_per_formula_and_declares_it(built: Path) -> None:
    epub = zipfile.ZipFile(built / "dist" / "fields" / "fields.epub")
    opf = epub.read("EPUB/content.opf").decode()
    count = 0
    for name in epub.namelist():
        if not name.endswith(".xhtml"):
            continue
        root = etree.fromstring(epub.read(name))
        maths = root.findall(f".//{{{MATHML}}}math")
        count += len(maths)
        href = name.removeprefix("EPUB/")
        item = re.search(rf'<item [^>]*href="{re.escape(href)}"[^>]*>', opf).group(0)
        assert ('properties="mathml"' in item) == bool(maths), item
        for math in maths:
            assert math.get("alttext") and "\\" not in "".join(math.itertext())
    assert count == _formulas(ARTICLE)
    nav = epub.read("EPUB/nav.xhtml").decode()
    assert "Introduction to ℝn" in nav and "\\mathbb" not in nav  # labels: text, no TeX
    assert '>MathML<' in opf and "schema:accessibilityFeature" in opf


def test_docx_has_one_omath_per_formula(built: Path) -> None:
    docx = zipfile.ZipFile(built / "dist" / "fields" / "fields.docx")
    root = etree.fromstring(docx.read("word/document.xml"))
    notes = etree.fromstring(docx.read("word/footnotes.xml"))
    count = sum(len(part.findall(f".//{{{OMML}}}oMath")) for part in (root, notes))
    assert count == _formulas(ARTICLE)
    paras = root.findall(f".//{{{OMML}}}oMathPara")  # display stays display
    texts = ["".join(t.text or "" for t in p.iter(f"{{{OMML}}}t")) for p in paras]
    assert len(paras) == 2 and re.search(r"E=mc2\s*\(\d\)$", texts[1]), texts  # numbered


def test_landing_page_carries_mathml(built: Path) -> None:
    page = (built / "dist" / "fields" / "index.html").read_text(encoding="utf-8")
    assert page.count(f'<math xmlns="{MATHML}"') >= 3  # title, abstract's two


def test_check_passes_with_math_in_title_and_abstract(built: Path) -> None:
    report = check_article(built / "dist" / "fields", built / "source" / "fields" / "article.md",
                           validate=False)
    cells = {element: cells for element, _expected, cells in report.rows}
    for element in ("title", "abstract"):
        assert all(cell.status == "ok" for cell in cells[element].values()), cells[element]


def test_a_formula_that_cannot_be_laid_out_is_a_warning_then_an_error_with_strict(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bad"
    source.mkdir()
    (source / "article.md").write_text("---\ntitle: Bad\n---\n\nFine $x$.\n\nBroken $\\foo{x}$.\n",
                                       encoding="utf-8")
    assert main(["convert", str(source), "--to", "pdf", "-o", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"article\.md:7: math: .*\\foo\{x\}.*unknown command \\foo", err), err
    assert main(["convert", str(source), "--to", "pdf", "-o", str(tmp_path / "s"),
                 "--strict"]) == 65


def test_mathml_translation_and_failures() -> None:
    made = formula(r"\mathbf{Q} \in \mathbb{R}")
    assert made.text.replace(" ", "") == "𝐐∈ℝ"
    assert 'alttext="\\mathbf{Q} \\in \\mathbb{R}"' in made.mathml
    with pytest.raises(MathError):
        formula(r"\foo{x}")
    with pytest.raises(MathError):
        formula("  ")
    aligned = formula(r"\begin{align} a &= b \\ c &= d \end{align}", True).mathml
    assert "<mtable" in aligned and '=""' not in aligned  # EPUBCheck rejects empty values
    run = Run("x^2", frozenset({"math"}))
    assert runs_as_text((run,)) == (Run("x2", frozenset()),)


def test_display_pieces_cut_a_paragraph_at_display_formulas() -> None:
    math = {"t": "Math", "c": [{"t": "DisplayMath"}, "x=1"]}
    span = {"t": "Span", "c": [["eq:x", ["equation"], [["number", "4"]]], [math]]}
    nodes = [{"t": "Str", "c": "a"}, {"t": "Space"}, math, {"t": "Space"}, span,
             {"t": "Str", "c": "b"}]
    pieces = display_pieces(nodes)
    assert pieces == [("text", [{"t": "Str", "c": "a"}]), ("display", ("x=1", "", "")),
                      ("display", ("x=1", "eq:x", "4")), ("text", [{"t": "Str", "c": "b"}])]
    assert display_pieces([{"t": "Str", "c": "a"}]) is None


def test_superscript_sits_above_and_fraction_bar_between() -> None:
    """The layout itself: R^{m×n}'s exponent is raised; a fraction's bar lies between its
    numerator and denominator."""
    placed = layout(r"\mathbb{R}^{m\times n}", False, 11.0)
    base, *script = placed.glyphs
    assert all(g[4] > base[4] + 2 for g in script)  # raised above the baseline
    assert all(g[2] < base[2] for g in script)  # and smaller
    frac = layout(r"\frac{a}{b}", True, 11.0)
    (bar_x, bar_y, bar_w, bar_h), = frac.bars
    numerator, denominator = frac.glyphs
    assert numerator[4] > bar_y + bar_h > bar_y > denominator[4]


@pytest.mark.external
def test_browser_draws_the_landing_page_mathml_without_javascript(built: Path, tmp_path: Path
                                                                  ) -> None:
    from conftest import require_module
    from test_browser import CHROMIUM_ARGS

    executable = require_program("chromium", "chromium-browser")
    require_module("playwright")
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto((built / "dist" / "fields" / "index.html").as_uri())
        formula_box = page.locator("math").first
        box = formula_box.bounding_box()
        assert box and box["width"] > 5 and box["height"] > 5, box
        shot = tmp_path / "formula.png"
        formula_box.screenshot(path=str(shot))
        page.screenshot(path=str(tmp_path / "page.png"))
        browser.close()
    pixels = Image.open(shot).convert("L")
    assert min(pixels.get_flattened_data()) < 128  # the formula's glyphs are drawn
