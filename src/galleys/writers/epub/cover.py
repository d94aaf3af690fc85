"""The EPUB cover: journal, title and authors laid out with the PDF edition's fonts, shaping
and bidi (so every script is drawn, names keep their order), a title's formulas typeset as the
PDF sets them (writers.pdf.formulas), rasterized by pdfium."""

from __future__ import annotations

import functools
import io
import itertools

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas

from galleys.front.frontmatter import FrontMatter, join_names
from galleys.front.inlines import Inlines
from galleys.model import FontChoice
from galleys.writers.bidi import isolate
from galleys.writers.landing.preview import first_page_png
from galleys.writers.pdf.fonts import fonts
from galleys.writers.pdf.formulas import tall_lines
from galleys.writers.pdf.markup import Markup
from galleys.writers.pdf.shaping import BidiParagraph, install, paragraph

WIDTH, HEIGHT = 900, 1350  # pixels of the PNG: sharp on a reader, 35 ms to make
_PAGE_W, _PAGE_H = 400.0, 600.0  # points of the page drawn, rendered at 2.25 pixels a point
_MARGIN = 36.0
_INK = colors.Color(28 / 255, 36 / 255, 52 / 255)
_BAND = colors.Color(24 / 255, 54 / 255, 96 / 255)
_PAPER = colors.Color(250 / 255, 248 / 255, 242 / 255)
_ACCENT = colors.Color(196 / 255, 160 / 255, 82 / 255)
_ELLIPSIS = "\u2026"


def cover_png(front: FrontMatter, choice: FontChoice | None = None) -> bytes:
    """The cover image; the same front matter and fonts always give the same bytes."""
    return first_page_png(cover_pdf(front, choice), WIDTH, _palette())


@functools.cache
def _palette() -> Image.Image:
    """Every colour the cover can hold: its four, and the steps between each two, which is
    where anti-aliased edges fall (an octree searched for them took 14 ms a cover)."""
    inks = [tuple(round(255 * c) for c in (i.red, i.green, i.blue))
            for i in (_PAPER, _INK, _BAND, _ACCENT)]
    steps = 256 // 6  # six pairs of four colours
    colours = [
        round(a[k] + (b[k] - a[k]) * n / (steps - 1))
        for a, b in itertools.combinations(inks, 2)
        for n in range(steps)
        for k in range(3)
    ]
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours + [0] * (768 - len(colours)))
    return palette


def cover_pdf(front: FrontMatter, choice: FontChoice | None = None) -> bytes:
    """The cover as a one-page PDF (the text a cover shows, in the edition's faces)."""
    install()
    markup = Markup(fonts(choice), where="the EPUB cover", direction=front.direction)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(_PAGE_W, _PAGE_H), invariant=1, pageCompression=0)
    markup.math.install(canvas)  # a title's formulas, drawn as in the PDF
    canvas.setFillColor(_PAPER)
    canvas.rect(0, 0, _PAGE_W, _PAGE_H, stroke=0, fill=1)
    canvas.setFillColor(_BAND)
    canvas.rect(0, _PAGE_H - 110, _PAGE_W, 110, stroke=0, fill=1)
    canvas.setFillColor(_ACCENT)
    canvas.rect(_MARGIN, _PAGE_H - 144, 53, 4, stroke=0, fill=1)

    def block(text: str, top: float, sizes: tuple[float, ...], lines: int, bold: bool,
              color: colors.Color, leading: float = 1.25, isolated: list[str] | None = None,
              runs: Inlines = ()) -> float:
        """Draw `text` (or `runs`, when they hold a formula) from `top` down at the largest
        size that fits `lines`; the bottom."""
        para = _fit(markup, front.direction, text, sizes, lines, bold, color, leading, isolated,
                    runs)
        _, height = para.wrap(_PAGE_W - 2 * _MARGIN, _PAGE_H)
        para.drawOn(canvas, _MARGIN, top - height)
        return top - height

    block(front.running_head or front.journal_line, _PAGE_H - 30, (18, 15.3, 13.3), 3, True,
          _PAPER)
    bottom = block(front.title_text, _PAGE_H - 164, (30.7, 26.7, 22.7, 19.3, 16.7), 7, True,
                   _INK, leading=1.2, runs=front.title)
    if front.subtitle:
        bottom = block(front.subtitle_text, bottom - 10, (17.3, 14.7, 12.7), 3, False, _INK,
                       runs=front.subtitle)
    if front.authors:
        block("", min(bottom - 30, _PAGE_H - 417), (16, 14, 12), 4, False, _BAND,
              isolated=[a.name for a in front.authors])
    footer = front.doi_url or front.url
    if footer:
        block(footer, 62, (11.3, 9.3), 1, False, _INK)
    markup.check()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _fit(markup: Markup, direction: str, text: str, sizes: tuple[float, ...], lines: int,
         bold: bool, color: colors.Color, leading: float, names: list[str] | None,
         runs: Inlines = ()) -> BidiParagraph:
    """The largest size at which the text wraps into `lines`; else the smallest, cut short.
    `names` (authors) are set as a list, each name isolated in the line. `runs` holding a
    formula are set with it typeset; cut short, or with a formula that cannot be laid out,
    they are set as `text` (a formula's Unicode: never its TeX control words)."""
    width = _PAGE_W - 2 * _MARGIN
    formulas = [run.text for run in runs if "math" in run.marks and "code" not in run.marks]
    if formulas and all(markup.math.layout(tex, False, sizes[-1], markup.where) is not None
                        for tex in formulas):
        for size in sizes:
            style = tall_lines(_style(markup, size, bold, color, leading))
            typeset = paragraph(markup.runs(runs, "sans", bold, size), style, direction)
            typeset.wrap(width, _PAGE_H)
            if len(typeset.blPara.lines) <= lines:
                return typeset
    words = (join_names(names) if names else text).split()
    para = None
    for size in sizes:
        para = _paragraph(markup, direction, words, size, bold, color, leading, names)
        para.wrap(width, _PAGE_H)
        if len(para.blPara.lines) <= lines:
            return para
    while len(words) > 1:  # the smallest size still too long: drop words, end with "…"
        words = words[:-1]
        shorter = [*words[:-1], words[-1].rstrip(" .,;:") + _ELLIPSIS]
        para = _paragraph(markup, direction, shorter, sizes[-1], bold, color, leading, None)
        para.wrap(width, _PAGE_H)
        if len(para.blPara.lines) <= lines:
            break
    assert para is not None
    return para


def _paragraph(markup: Markup, direction: str, words: list[str], size: float, bold: bool,
               color: colors.Color, leading: float, names: list[str] | None) -> BidiParagraph:
    style = _style(markup, size, bold, color, leading)
    if names:
        text = join_names([isolate(markup.text(n, "sans", bold)) for n in names])
        return paragraph(text, style, direction, isolated=True)
    return paragraph(markup.text(" ".join(words), "sans", bold), style, direction)


def _style(markup: Markup, size: float, bold: bool, color: colors.Color, leading: float
           ) -> ParagraphStyle:
    face = markup.fonts.face("sans", bold)
    return ParagraphStyle(f"cover-{size}-{bold}", fontName=face.name, fontSize=size,
                          leading=size * leading, textColor=color)
