"""Math in the PDF: ziamath lays each formula out in STIX Two Math, drawn as text in that font.

The MathML comes from galleys.resolve.mathml (the same the EPUB carries). ziamath (pure Python,
ships STIX Two Math) computes the layout: a tree of nodes, each child at an offset from its parent;
`_walk` reads the glyphs (glyph id, character, size, position) and rules (fraction bars, radical
overbars) straight off that tree, instead of asking ziamath for SVG and converting the SVG with
svglib. Measured on `\\mathbf{Q}(\\mathbf{x}, t) \\in \\mathbb{R}^{m\\times n}`: ziamath's SVG
~25 ms + svg2rlg ~19 ms, against the layout alone ~6 ms + walking it ~0.05 ms; a layout is
cached by (TeX, display, size), so a formula met again costs nothing.

The glyphs are drawn as *text* in the embedded (subset) STIX Two Math face, not as outlines:
the PDF's text layer is then the formula's Unicode ("𝐐(𝐱,t)∈ℝm×n"), searchable and copyable,
and `galleys check` reads a title or abstract with math back as the MathML's text. A glyph
outside the font's character map (a stretched parenthesis, a display-size integral) gets a
private code whose ToUnicode entry is its character (ShapingTTFont.code_for).

The math is sized to the text face's x-height (STIX Two Math 0.473 em, DejaVu Serif 0.519 em:
10 pt text takes 11 pt math), so letters in formulas match the letters around them.

Inline formulas sit in reportlab Paragraphs as a transparent `<img>` of the formula's box
(width, height, and `valign` = minus its depth, so it sits on the baseline) followed by an
`<onDraw>` callback that draws the glyphs over that box; the callback reads the pen after the
image from the text object, as reportlab's own index and table of contents callbacks do. No
user text enters the markup: the callback's label is the formula's number in this edition.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from reportlab.lib.colors import black
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from galleys.errors import SourceError
from galleys.resolve.mathml import MathError, formula

CALLBACK = "galleys_math"  # the canvas's named callback that draws inline formulas
_BOX = str(Path(__file__).with_name("formula_box.png"))  # one transparent pixel
_MATH_X_HEIGHT = 0.473  # STIX Two Math, em (its "x" glyph's top)


def math_font_path() -> Path:
    """STIX Two Math as ziamath ships it (installed by pip with ziamath; ziamath not imported)."""
    spec = importlib.util.find_spec("ziamath")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError("the math font needs the ziamath package (pip install ziamath)")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / "STIXTwoMath-Regular.ttf"


@dataclass(frozen=True)
class Layout:
    """A laid-out formula in points, baseline at y = 0, y upwards, left edge at x = 0."""

    width: float
    ascent: float
    descent: float  # below the baseline, positive
    glyphs: tuple[tuple[int, str, float, float, float], ...]  # (glyph id, text, size, x, y)
    bars: tuple[tuple[float, float, float, float], ...]  # filled rectangles (x, y, w, h)
    strokes: tuple[tuple[str, float, float, float, float, float], ...]  # (kind, x, y, w, h, lw)


@functools.lru_cache(maxsize=8192)
def layout(tex: str, display: bool, size: float) -> Layout:
    """The layout of `tex` at `size` points; MathError when it cannot be laid out."""
    mathml = formula(tex, display).mathml
    import ziamath  # ~300 ms to import (it reads its font): only for articles with math

    try:
        math = ziamath.Math(mathml, size=size, number=None)
    except Exception as error:  # ziamath raises many types on MathML it does not support
        raise MathError(f"{type(error).__name__}: {error}".rstrip(": ")) from None
    glyphs: list[tuple[int, str, float, float, float]] = []
    bars: list[tuple[float, float, float, float]] = []
    strokes: list[tuple[str, float, float, float, float, float]] = []
    _walk(math.node, 0.0, 0.0, glyphs, bars, strokes)
    box = math.node.bbox
    return Layout(max(box.xmax, 0.0), max(box.ymax, 0.0), max(-box.ymin, 0.0), tuple(glyphs),
                  tuple(bars), tuple(strokes))


def _walk(node: Any, x: float, y: float, glyphs: list, bars: list, strokes: list) -> None:
    """Collect what `node` draws at (x, y) (ziamath's SVG coordinates: y downwards)."""
    from ziamath import drawable
    from ziamath.nodes import Mnode

    if isinstance(node, Mnode):
        for (dx, dy), child in zip(node.nodexy, node.nodes, strict=False):
            _walk(child, x + dx, y + dy, glyphs, bars, strokes)
        return
    if getattr(node, "phantom", False):
        return
    if isinstance(node, drawable.Glyph):
        glyphs.append((node.glyph.index, node.char or "", node.size, x, -y))
    elif isinstance(node, drawable.HLine):
        bars.append((x, -y - node.lw, node.length, node.lw))
    elif isinstance(node, drawable.VLine):
        bars.append((x - node.lw / 2, -y - node.height, node.lw, node.height))
    elif isinstance(node, drawable.Box):
        strokes.append(("box", x, -y, node.width, node.height, node.lw))
    elif isinstance(node, drawable.Diagonal):
        strokes.append(("line", x, -y + node.height, node.width, -node.height, node.lw))
    elif isinstance(node, drawable.Ellipse):
        strokes.append(("ellipse", x, -y, node.width, node.height, node.lw))
    else:
        raise MathError(f"ziamath drew a {type(node).__name__}, which the PDF cannot")


def draw(canvas: Any, placed: Layout, x: float, y: float, font_name: str) -> None:
    """Draw a layout with its baseline's left end at (x, y), glyphs as text in `font_name`."""
    font = pdfmetrics.getFont(font_name)
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.setStrokeColor(black)
    text = canvas.beginText()
    for gid, char, size, gx, gy in placed.glyphs:
        text.setFont(font_name, size)
        text.setTextOrigin(x + gx, y + gy)
        text.textOut(_code(font, gid, char))
    canvas.drawText(text)
    for bx, by, width, height in placed.bars:
        canvas.rect(x + bx, y + by, width, height, stroke=0, fill=1)
    for kind, sx, sy, width, height, line_width in placed.strokes:
        canvas.setLineWidth(line_width)
        if kind == "box":
            canvas.rect(x + sx, y + sy, width, height, stroke=1, fill=0)
        elif kind == "line":
            canvas.line(x + sx, y + sy, x + sx + width, y + sy + height)
        else:
            canvas.ellipse(x + sx, y + sy, x + sx + width, y + sy + height, stroke=1, fill=0)
    canvas.restoreState()


def _code(font: Any, gid: int, char: str) -> str:
    """The character that draws glyph `gid` and extracts as `char`."""
    if len(char) == 1 and font.face.charToGlyph.get(ord(char)) == gid:
        return char
    return chr(font.code_for(gid, char))


@functools.cache
def _x_height(path: Path) -> float:
    """The x-height of a TrueType face, in em (its "x" glyph's top), or STIX's if it has none."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)))
    font = hb.Font(face)
    glyph = font.get_nominal_glyph(ord("x"))
    extents = font.get_glyph_extents(glyph) if glyph else None
    if not extents or extents.y_bearing <= 0:
        return _MATH_X_HEIGHT
    return extents.y_bearing / face.upem


@dataclass
class MathSetter:
    """An edition's formulas: laid out once each, inline ones placed by number, failures
    warned about (with the line of the source that holds them) and set as their TeX."""

    font_name: str  # the registered math face (the "math" role's)
    text_face: Path  # the body text's face: the math is scaled to its x-height
    source: Path | None = None
    strict: bool = False
    warnings: list[str] = field(default_factory=list)
    _placed: list[Layout] = field(default_factory=list)
    _source_lines: list[str] | None = None

    def scale(self) -> float:
        """Math size over text size: the text face's x-height over the math face's."""
        return _x_height(self.text_face) / _MATH_X_HEIGHT

    def layout(self, tex: str, display: bool, text_size: float, where: str) -> Layout | None:
        """The formula's layout at the math size matching `text_size`; None (and a warning,
        an error with --strict) when it cannot be laid out."""
        try:
            return layout(tex, display, round(text_size * self.scale(), 2))
        except MathError as error:
            self._fail(tex, str(error), where)
            return None

    def inline(self, placed: Layout) -> str:
        """Paragraph markup for an inline formula: its box, then the callback drawing it."""
        self._placed.append(placed)
        height = placed.ascent + placed.descent
        return (f'<img src="{escape(_BOX, quote=True)}" width="{placed.width:.3f}" '
                f'height="{height:.3f}" valign="{-placed.descent:.3f}"/>'
                f'<onDraw name="{CALLBACK}" label="{len(self._placed) - 1}"/>')

    def install(self, canvas: Any) -> None:
        """Give a canvas the callback that draws this edition's inline formulas."""
        canvas.setNamedCB(CALLBACK, self._draw_inline)

    def _draw_inline(self, canvas: Any, _kind: str, label: str) -> None:
        info = canvas._curr_tx_info  # what reportlab hands its own onDraw callbacks
        placed = self._placed[int(label)]
        end_x, _y = info["tx"].getStartOfLine()  # the pen after the formula's box
        draw(canvas, placed, end_x - placed.width, info["cur_y"], self.font_name)

    def _fail(self, tex: str, reason: str, where: str) -> None:
        line = self._line_of(tex)
        shown = " ".join(tex.split())
        message = (f"cannot lay out the formula ${shown}$ in {where} ({reason}); "
                   "it is set as its TeX")
        if self.strict:
            raise SourceError(f"{message} (--strict makes warnings errors)", path=self.source,
                              line=line, key="math")
        place = f"{self.source}:{line}" if line else f"{self.source or 'the article'}"
        self.warnings.append(f"{place}: math: {message}")

    def _line_of(self, tex: str) -> int | None:
        """The source line where the formula starts, if the source is at hand."""
        if self._source_lines is None:
            try:
                text = self.source.read_text(encoding="utf-8") if self.source else ""
            except (OSError, UnicodeDecodeError):
                text = ""
            self._source_lines = text.splitlines()
        first = tex.strip().splitlines()[0].strip() if tex.strip() else ""
        for number, line in enumerate(self._source_lines, start=1):
            if first and first in line:
                return number
        return None


class DisplayMath(Flowable):
    """A display formula, centred with space above and below, its number ("(3)") at the right
    margin in `number_font`; `anchor` (a destination name) makes it a link target."""

    def __init__(self, placed: Layout, setter: MathSetter, number: str = "",
                 number_font: tuple[str, float] = ("Helvetica", 10.0), anchor: str = "",
                 space: float = 6.0) -> None:
        super().__init__()
        self.placed, self.setter = placed, setter
        self.number, self.number_font = number, number_font
        self.anchor = anchor
        self.space = space

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = self.placed.ascent + self.placed.descent
        return self.width, self.height

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        return self.space

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        return self.space

    def draw(self) -> None:
        baseline = self.placed.descent
        label = f"({self.number})" if self.number else ""
        name, size = self.number_font
        label_width = pdfmetrics.stringWidth(label, name, size) if label else 0.0
        left = max((self.width - self.placed.width) / 2, 0.0)
        if label and left + self.placed.width > self.width - label_width - size:
            left = max(self.width - label_width - size - self.placed.width, 0.0)
        if self.anchor:
            self.canv.bookmarkHorizontal(self.anchor, 0, self.height + self.space)
        draw(self.canv, self.placed, left, baseline, self.setter.font_name)
        if label:
            self.canv.setFont(name, size)
            self.canv.drawRightString(self.width, baseline, label)


def display_pieces(nodes: list[dict[str, Any]]) -> list[tuple[str, Any]] | None:
    """A paragraph's inlines cut at its display formulas: ("text", inlines) and ("display",
    (tex, id, number)) pieces in order; None when it holds no display formula. A formula
    numbered by the cross-references is `Span [id, ["equation"], [["number", "3"]]] [Math]`."""
    pieces: list[tuple[str, Any]] = []
    text: list[dict[str, Any]] = []
    found = False
    for node in nodes:
        display = _display_formula(node)
        if display is None:
            text.append(node)
            continue
        found = True
        if _strip(text):
            pieces.append(("text", _strip(text)))
        text = []
        pieces.append(("display", display))
    if not found:
        return None
    if _strip(text):
        pieces.append(("text", _strip(text)))
    return pieces


def _display_formula(node: dict[str, Any]) -> tuple[str, str, str] | None:
    if node["t"] == "Math" and node["c"][0]["t"] == "DisplayMath":
        return node["c"][1], "", ""
    if node["t"] == "Span" and "equation" in node["c"][0][1]:
        inner = [n for n in node["c"][1] if n["t"] not in ("Space", "SoftBreak")]
        if len(inner) == 1 and inner[0]["t"] == "Math" and inner[0]["c"][0]["t"] == "DisplayMath":
            (ident, _classes, pairs), _content = node["c"]
            return inner[0]["c"][1], ident, dict(pairs).get("number", "")
    return None


def _strip(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    start, end = 0, len(nodes)
    while start < end and nodes[start]["t"] in ("Space", "SoftBreak", "LineBreak"):
        start += 1
    while end > start and nodes[end - 1]["t"] in ("Space", "SoftBreak", "LineBreak"):
        end -= 1
    return nodes[start:end]


def tall_lines(style: ParagraphStyle) -> ParagraphStyle:
    """`style` whose lines grow to hold a formula taller than the leading (autoLeading max)."""
    variants = style.__dict__.setdefault("_galleys_math", {})
    if "max" not in variants:
        variants["max"] = ParagraphStyle(f"{style.name}-math", parent=style, autoLeading="max")
    return variants["max"]
