"""Math in every edition, checked on the real files: the PDF's text and pixels, the EPUB's
MathML, the DOCX's OMML, the landing page, and `galleys check` on math in title and abstract."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import require_program
from lxml import etree

from galleys.builder.articles import prepare
from galleys.check.parity import check_article
from galleys.cli.main import main
from galleys.front.inlines import Run
from galleys.resolve.mathml import MathError, formula, runs_as_text
from galleys.writers.pdf.formulas import display_pieces, layout

MATHML = "http://www.w3.org/1998/Math/MathML"
OMML = "http://schemas.openxmlformats.org/officeDocument/2006/math"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
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
    """Formulas in the article: $…$ and $$…$$ (front matter and body, over lines too)."""
    return len(re.findall(r"\$\$.+?\$\$|\$[^$]+\$", text, re.S))


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
    assert len(paras) == 1
    numbered = [p for p in root.iter(f"{{{W}}}p") if p.xpath(
        "w:pPr/w:pStyle/@w:val", namespaces={"w": W}) == ["NumberedEquation"]]
    assert len(numbered) == 1  # its own paragraph: TAB, formula, TAB, "(n)" (test_docx.py)
    formula = "".join(t.text or "" for t in numbered[0].iter(f"{{{OMML}}}t"))
    number = "".join(t.text or "" for t in numbered[0].iter(f"{{{W}}}t"))
    assert formula == "E=mc2" and re.fullmatch(r"\(\d\)", number), (formula, number)


def test_landing_page_carries_mathml(built: Path) -> None:
    page = (built / "dist" / "fields" / "index.html").read_text(encoding="utf-8")
    assert page.count(f'<math xmlns="{MATHML}"') >= 3  # title, abstract's two


def _cells(report: Any) -> dict[str, dict[str, Any]]:
    """Each element's cells by edition, from a parity report's rows (a Row, or the tuple
    (element, expected, cells) rows were before check/ was split up)."""
    pairs = [(row.element, row.cells) if hasattr(row, "cells") else (row[0], row[2])
             for row in report.rows]
    return dict(pairs)


def test_check_passes_with_math_in_title_and_abstract(built: Path) -> None:
    report = check_article(built / "dist" / "fields", built / "source" / "fields" / "article.md",
                           validate=False)
    cells = _cells(report)
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


# Formulas whose layout, laid out in pieces (the `<math>` row cut where nothing in it depends
# on the rest), must be ziamath's own layout of the whole formula, glyph for glyph.
PIECEWISE = [
    (r"\mathbf{Q}(\mathbf{x}, t) \in \mathbb{R}^{m\times n}", False),
    (r"x = \frac{a}{b} + \frac{c}{d}", False),  # a fraction's axis and space: its row's
    (r"\frac{a}{b}", True),
    (r"\sum_{i=1}^{n} x_i \to \infty", False),  # ∑ stretches to its row: laid out whole
    (r"\|\mathbf{a}\|_2 \le \sqrt{a^2 + b^2}", False),
    (r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}", True),
    (r"\mathbf{A} = \begin{pmatrix} a & b \\ c & d \end{pmatrix}", True),
    (r"\prod_{i=1}^{n} \left(1 + \frac{x_i}{n}\right) \le e^{x}", True),
    (r"\begin{aligned} u(t) &= \int_0^t K(s)\,ds \\ &\le \|K\|_\infty t \end{aligned}", True),
    (r"\mathcal{N}(\boldsymbol{\mu}, \Sigma) \quad p(a \mid b) \hat{\theta}_i", False),
]


@pytest.mark.parametrize(("tex", "display"), PIECEWISE)
def test_layout_in_pieces_is_ziamaths_layout_of_the_whole_formula(tex: str, display: bool
                                                                   ) -> None:
    from galleys.writers.pdf.formulas import _piece

    for size in (11.0, 8.5):
        placed = layout(tex, display, size)
        whole = _piece(formula(tex, display).mathml, size)  # ziamath's layout of the <math>
        assert placed.width == pytest.approx(max(whole.right, 0), abs=1e-6)
        assert placed.ascent == pytest.approx(max(whole.top, 0), abs=1e-6)
        assert placed.descent == pytest.approx(max(-whole.bottom, 0), abs=1e-6)
        assert [g[:3] for g in placed.glyphs] == [g[:3] for g in whole.glyphs]
        for ours, theirs in zip(placed.glyphs, whole.glyphs, strict=True):
            assert ours[3:] == pytest.approx(theirs[3:], abs=1e-6)
        for ours_bar, their_bar in zip(placed.bars, whole.bars, strict=True):
            assert ours_bar == pytest.approx(their_bar, abs=1e-6)
        assert len(placed.strokes) == len(whole.strokes)


def test_aligned_is_typeset_and_an_unknown_environment_is_a_math_error() -> None:
    made = formula(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True)
    assert "<mtable" in made.mathml and made.text.replace(" ", "") == "a=bc=d"
    assert r"\begin{aligned}" in made.mathml  # the alttext keeps the author's TeX
    with pytest.raises(MathError):  # latex2mathml leaves `&` bare: not a crash (exit 70)
        formula(r"\begin{fooed} a &= b \end{fooed}", True)


def test_epub_cover_typesets_a_math_title(tmp_path: Path) -> None:
    """The cover draws the title's formula as the PDF does: its glyphs in the math face, the
    exponent raised and smaller, no TeX and no flattened "ℝm×n" on one baseline."""
    from pypdf import PdfReader

    from galleys.writers.epub.cover import cover_pdf

    source = tmp_path / "c"
    source.mkdir()
    (source / "article.md").write_text(
        "---\ntitle: 'Fields in $\\mathbb{R}^{m\\times n}$'\nauthor: Ada Lovelace\n---\n\nText.\n",
        encoding="utf-8")
    _resolved, front = prepare(source / "article.md")
    shown: list[tuple[str, str, float, float]] = []

    def visit(text: str, _cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            shown.append((text, str(font.get("/BaseFont", "")) if font else "", tm[5], size))

    page = PdfReader(io.BytesIO(cover_pdf(front))).pages[0]
    page.extract_text(visitor_text=visit)
    math = [(t, y, s) for t, f, y, s in shown if "STIX" in f]
    assert [t for t, _y, _s in math] == ["ℝ", "m", "×", "n"], shown
    base_y, base_size = math[0][1], math[0][2]
    assert all(y > base_y + 3 and size < base_size for _t, y, size in math[1:])
    text = "".join(t for t, *_ in shown)
    assert "\\" not in text and "Fields" in text


RTL_ARTICLE = r"""---
title: 'حقول في $\mathbb{R}^n$'
author: "سلمى مالك"
lang: ar
date: 2024-05-01
abstract: 'ندرس المعادلة $x^2 + y^2 = r^2$ في المستوى.'
---

# مقدمة

لتكن $\mathbf{Q}(\mathbf{x}, t) \in \mathbb{R}^{m\times n}$ دالة على المجال، ونكتب $a < b$ هنا.

$$\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}$$
"""
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                        "\u2066\u2067\u2068\u2069"))


@pytest.fixture(scope="module")
def rtl_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rtl-math")
    source = root / "source" / "haqul"
    source.mkdir(parents=True)
    (source / "article.md").write_text(RTL_ARTICLE, encoding="utf-8")
    assert main(["convert", str(source), "-o", str(root / "dist" / "haqul"), "-q"]) == 0
    return root


def test_rtl_pdf_sets_inline_formulas_left_to_right_in_their_place(rtl_built: Path) -> None:
    """In an Arabic paragraph each formula reads left to right, and is drawn in the gap the
    line leaves for it: its glyphs overlap no Arabic word (the bidi order reverses a formula's
    box and its callbacks; the formula used to be drawn one word off)."""
    program = require_program("pdftotext")
    pdf = rtl_built / "dist" / "haqul" / "haqul.pdf"
    text = subprocess.run([program, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.translate(_BIDI_CONTROLS)
    assert "𝐐(𝐱, t) ∈ ℝm×n" in text and "x2 + y2 = r2" in text and "a < b" in text
    assert not TEX_WORD.search(text)
    boxes = subprocess.run([program, "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    words = [(float(x0), float(y0), float(x1), float(y1), word.translate(_BIDI_CONTROLS))
             for x0, y0, x1, y1, word in re.findall(
                 r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                 r"([^<]*)</word>", boxes)]
    arabic = [w for w in words if re.search("[\u0600-\u06ff]", w[4])]
    formula_words = [w for w in words if re.search("[𝐐𝐱∈ℝ<]|x2|r2", w[4])]
    assert len(formula_words) >= 4, words
    for fx0, fy0, fx1, fy1, found in formula_words:
        for ax0, ay0, ax1, ay1, word in arabic:
            same_line = min(fy1, ay1) - max(fy0, ay0) > 2
            assert not (same_line and min(fx1, ax1) - max(fx0, ax0) > 0.5), (found, word)


def test_rtl_epub_and_docx_keep_each_formula_left_to_right(rtl_built: Path) -> None:
    out = rtl_built / "dist" / "haqul"
    epub = zipfile.ZipFile(out / "haqul.epub")
    maths = []
    for name in epub.namelist():
        if name.endswith(".xhtml"):
            maths += etree.fromstring(epub.read(name)).findall(f".//{{{MATHML}}}math")
    assert len(maths) == _formulas(RTL_ARTICLE)
    assert all(math.get("dir") == "ltr" for math in maths)  # in the RTL paragraph, as TeX
    inline = next(m for m in maths if m.get("alttext", "").startswith(r"\mathbf{Q}"))
    assert "".join(inline.itertext()).replace(" ", "").startswith("𝐐(𝐱,t)∈ℝ")
    docx = zipfile.ZipFile(out / "haqul.docx")
    root = etree.fromstring(docx.read("word/document.xml"))
    omaths = root.findall(f".//{{{OMML}}}oMath")
    assert len(omaths) == _formulas(RTL_ARTICLE)
    texts = ["".join(t.text or "" for t in m.iter(f"{{{OMML}}}t")) for m in omaths]
    assert "Q(x,t)∈Rm×n" in texts, texts  # pandoc's OMML: bold and double-struck as styles
    report = check_article(out, rtl_built / "source" / "haqul" / "article.md", validate=False)
    cells = _cells(report)
    for element in ("title", "abstract"):
        assert all(cell.status == "ok" for cell in cells[element].values()), cells[element]


HEAVY = Path(__file__).resolve().parents[1] / "fixtures" / "math-heavy" / "article.md"
HEAVY_TEX = re.compile(r"\\(mathbf|mathbb|mathcal|boldsymbol|frac|begin|end|aligned|pmatrix|"
                       r"bmatrix|sigma|lambda|varepsilon|nabla|sum|sqrt|operatorname|top|le|ge)\b")


def test_a_math_heavy_article_in_every_edition(tmp_path: Path) -> None:
    """Matrices, aligned equations, bold vectors, blackboard and calligraphic letters, math in
    the title, abstract, a table and its caption: no TeX in the PDF's text, its formulas drawn
    (ink where the text layer puts them), one <math> and one m:oMath per formula, `check` ok."""
    program = require_program("pdftotext")
    out = tmp_path / "out"
    assert main(["convert", str(HEAVY), "-o", str(out), "-q", "--strict"]) == 0  # no fallback
    count = _formulas(HEAVY.read_text(encoding="utf-8"))
    pdf = out / "math-heavy.pdf"
    text = subprocess.run([program, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert not HEAVY_TEX.search(text), HEAVY_TEX.search(text)
    flat = text.replace(" ", "")  # a bold Greek letter reads back as its letter, as in MathML
    assert "𝐗=𝐔Σ𝐕⊤" in flat and "𝒩(μ,Σ)" in flat and "∈ℝm×n" in flat
    epub = zipfile.ZipFile(out / "math-heavy.epub")
    maths = [m for name in epub.namelist() if name.endswith(".xhtml") and "nav" not in name
             for m in etree.fromstring(epub.read(name)).findall(f".//{{{MATHML}}}math")]
    assert len(maths) == count
    docx = zipfile.ZipFile(out / "math-heavy.docx")
    omaths = etree.fromstring(docx.read("word/document.xml")).findall(f".//{{{OMML}}}oMath")
    assert len(omaths) == count
    report = check_article(out, HEAVY, validate=False)
    assert all(cell.status in ("ok", "absent") for cells in _cells(report).values()
               for cell in cells.values()), _cells(report)
    # ink in the box the text layer gives the display formula 𝐗 = 𝐔𝚺𝐕⊤ (rendered at 72 dpi:
    # one pixel a point, as pdftotext's coordinates)
    boxes = subprocess.run([program, "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    x0, y0, x1, y1 = (float(v) for v in re.search(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">𝐔Σ𝐕', boxes
    ).groups())
    subprocess.run([require_program("pdftoppm"), "-r", "72", "-gray", "-f", "1", "-l", "1",
                    str(pdf), str(tmp_path / "page")], check=True)
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.pgm")))
    ink = page.crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
    dark = sum(1 for value in ink.get_flattened_data() if value < 128)
    assert dark > 0.05 * ink.size[0] * ink.size[1], (dark, ink.size)


def test_epub_cover_sets_a_formula_it_cannot_lay_out_as_its_unicode(tmp_path: Path) -> None:
    """A title formula latex2mathml translates but ziamath cannot lay out (`gathered`) is
    drawn as the formula's text, never its TeX control words."""
    from pypdf import PdfReader

    from galleys.writers.epub.cover import cover_pdf

    source = tmp_path / "g"
    source.mkdir()
    (source / "article.md").write_text(
        "---\ntitle: 'Lines $\\begin{gathered} a \\\\ b \\end{gathered}$ here'\n---\n\nText.\n",
        encoding="utf-8")
    _resolved, front = prepare(source / "article.md")
    text = PdfReader(io.BytesIO(cover_pdf(front))).pages[0].extract_text()
    assert "Lines" in text and "here" in text and "\\" not in text and "gathered" not in text
