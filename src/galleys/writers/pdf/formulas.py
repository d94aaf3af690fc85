"""Math in the PDF: ziamath lays each formula out in STIX Two Math, drawn as text in that font.

The MathML comes from galleys.resolve.mathml (the same the EPUB carries). ziamath (pure Python,
ships STIX Two Math) computes the layout: a tree of nodes, each child at an offset from its parent;
`_walk` reads the glyphs (glyph id, character, size, position) and rules (fraction bars, radical
overbars) straight off that tree, instead of asking ziamath for SVG and converting the SVG with
svglib. Measured on `\\mathbf{Q}(\\mathbf{x}, t) \\in \\mathbb{R}^{m\\times n}`: ziamath's SVG
~25 ms + svg2rlg ~19 ms, against the layout alone ~6 ms + walking it ~0.05 ms.

ziamath lays every row's children out twice (once without stretchy operators, to measure how
far those must stretch). The formula's own row is therefore cut into pieces, each laid out by
ziamath as a root of its own and placed side by side as its row would place them (`_pieces`:
only where nothing in the piece depends on the rest of the row, else the formula is laid out
whole); a piece is cached by its MathML and size, so `=`, `x_{i}` or `\\mathbb{R}^{n}` met
again costs nothing, and a layout by (TeX, display, size). The result is ziamath's own layout
glyph for glyph (tests/writers/test_math.py compares them); on the bench's 672 formulas (8
math-heavy articles) it costs 2.5 s of CPU against 3.1-3.6 s laid out whole, each distinct
formula once.

The glyphs are drawn as *text* in the embedded (subset) STIX Two Math face, not as outlines:
the PDF's text layer is then the formula's Unicode ("𝐐(𝐱,t)∈ℝm×n"), searchable and copyable,
and `galleys check` reads a title or abstract with math back as the MathML's text. A glyph
outside the font's character map (a stretched parenthesis, a display-size integral) gets a
private code whose ToUnicode entry is its character (ShapingTTFont.code_for).

The math is sized to the text face's x-height (STIX Two Math 0.473 em, DejaVu Serif 0.519 em:
10 pt text takes 11 pt math), so letters in formulas match the letters around them.

Inline formulas sit in reportlab Paragraphs as a transparent `<img>` of the formula's box
(width, height, and `valign` = minus its depth, so it sits on the baseline) between two
`<onDraw>` callbacks; the one met after the image (the second in a left-to-right line, the
first where a right-to-left line's bidi order reversed the three) draws the glyphs over the box,
reading the pen after the image from the text object, as reportlab's own index and table of
contents callbacks do. No user text enters the markup: the callbacks' label is the formula's
number in this edition.
"""

from __future__ import annotations

import functools
import importlib.util
import xml.etree.ElementTree as ET
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
    parts = _pieces(mathml, display)
    placed = [_piece(part, size) for part in parts] if parts else [_piece(mathml, size)]
    glyphs: list[tuple[int, str, float, float, float]] = []
    bars: list[tuple[float, float, float, float]] = []
    strokes: list[tuple[str, float, float, float, float, float]] = []
    x = right = 0.0
    top, bottom = -9999.0, 9999.0
    for piece in placed:  # side by side on the baseline, as ziamath's row places its children
        glyphs += [(gid, char, gsize, x + gx, gy) for gid, char, gsize, gx, gy in piece.glyphs]
        bars += [(x + bx, by, width, height) for bx, by, width, height in piece.bars]
        strokes += [(kind, x + sx, sy, w, h, lw) for kind, sx, sy, w, h, lw in piece.strokes]
        right = max(right, x + piece.right)
        top, bottom = max(top, piece.top), min(bottom, piece.bottom)
        x += piece.advance
    return Layout(max(right, 0.0), max(top, 0.0), max(-bottom, 0.0), tuple(glyphs), tuple(bars),
                  tuple(strokes))


@dataclass(frozen=True)
class _Piece:
    """One root laid out by ziamath, in points, its pen starting at x = 0 on the baseline."""

    advance: float
    right: float
    top: float
    bottom: float  # y of its lowest ink, negative below the baseline
    glyphs: tuple[tuple[int, str, float, float, float], ...]
    bars: tuple[tuple[float, float, float, float], ...]
    strokes: tuple[tuple[str, float, float, float, float, float], ...]


@functools.lru_cache(maxsize=16384)
def _piece(mathml: str, size: float) -> _Piece:
    """ziamath's layout of one MathML element (a whole `<math>`, or one piece of its row)."""
    import ziamath  # ~300 ms to import (it reads its font): only for articles with math

    try:
        node = ziamath.Math(mathml, size=size, number=None).node
    except Exception as error:  # ziamath raises many types on MathML it does not support
        raise MathError(f"{type(error).__name__}: {error}".rstrip(": ")) from None
    glyphs: list[tuple[int, str, float, float, float]] = []
    bars: list[tuple[float, float, float, float]] = []
    strokes: list[tuple[str, float, float, float, float, float]] = []
    _walk(node, 0.0, 0.0, glyphs, bars, strokes)
    box = node.bbox
    return _Piece(node.xadvance(), box.xmax, box.ymax, box.ymin, tuple(glyphs), tuple(bars),
                  tuple(strokes))


# Elements ziamath lays out as a row of their own: an operator inside one stretches to that
# row, never to the formula's.
_OWN_ROW = frozenset({"mrow", "mtd", "mtr", "mtable"})
# Elements whose layout looks at the row around them (a fraction's axis and the space before
# it, a table's margin beside a fence, a \left fence's space after its left neighbour): laid
# out in a row with their left neighbour, as in the formula's own row.
_IN_CONTEXT = frozenset({"mfrac", "mtable", "mrow", "mfenced"})


def _pieces(mathml: str, display: bool) -> list[str] | None:
    """The `<math>`'s row cut into pieces ziamath lays out as roots of their own, each exactly
    as it would place it in the whole row; None when the row cannot be cut (an operator in it
    stretches to the row's height, or a line break anywhere). ziamath lays each row's children out
    twice (once to measure the row for its stretchy operators), so the formula's own row,
    which has none, costs twice its pieces; and pieces recur from formula to formula
    (`=`, `\\mathbb{R}^{n}`, `x_{i}`), laid out once each."""
    from ziamath import operators

    root = ET.fromstring(mathml)
    for element in root.iter():
        element.tag = _local(element.tag)
        if element.tag == "mspace" and element.get("linebreak") == "newline":
            return None  # rows of lines: ziamath places them by the row around them
    children = list(root)
    for index, child in enumerate(children):
        operator = child.tag == "mo" or (child.tag == "mi" and _text(child) in operators.names)
        if operator and "form" not in child.attrib:  # the form ziamath's row gives it by place
            child.set("form", "none" if len(children) == 1 else "prefix" if index == 0
                      else "postfix" if index == len(children) - 1 else "infix")
        if _stretches_with_row(child, operators):
            return None
    groups: list[list[ET.Element]] = []
    for child in children:
        if child.tag == "mo" and not _text(child):
            continue  # ziamath's row skips an empty operator
        if groups and (child.tag in _IN_CONTEXT or groups[-1][-1].tag == "mfenced"):
            groups[-1].append(child)
        else:
            groups.append([child])
    pieces = []
    for group in groups:
        if len(group) == 1 and group[0].tag not in ("mfrac", "mtable"):  # their axis: a row's
            element = group[0]
        else:
            element = ET.Element("mrow")
            element.extend(group)
        element.attrib.setdefault("displaystyle", "true" if display else "false")
        element.tail = None
        pieces.append(ET.tostring(element, encoding="unicode"))
    return pieces


def _stretches_with_row(element: ET.Element, operators: Any, top: bool = True) -> bool:
    """Whether `element` holds an operator that would stretch to the height of the row it is
    in: one not inside a row of its own, stretchy (by its attribute or ziamath's operator
    dictionary), whose glyph the math font can make taller (MATH table: vertical variants or
    an assembly; an arrow has none)."""
    if element.tag in _OWN_ROW and top:
        return False
    if element.tag == "mo" or (element.tag == "mi" and _text(element) in operators.names):
        if "stretchy" in element.attrib:
            stretchy = element.get("stretchy") != "false"
        else:
            forms = [element.get("form")] if element.get("form") else ["prefix", "infix", "postfix"]
            stretchy = any(operators.get_params(_text(element), form).get("stretchy", "false")
                           != "false" for form in forms)
        return stretchy and ("mathvariant" in element.attrib or _grows(_text(element)))
    return any(_stretches_with_row(child, operators, top=False) for child in element
               if child.tag not in _OWN_ROW)


@functools.cache
def _grows(text: str) -> bool:
    """Whether the math font can draw `text` (one character) taller than its glyph."""
    if len(text) != 1:
        return True
    font = _hb_font(math_font_path())
    glyph = font.get_nominal_glyph(ord(text))
    if not glyph:
        return True
    return (len(font.get_math_glyph_variants(glyph, "TTB")) > 1
            or bool(font.get_math_glyph_assembly(glyph, "TTB")[0]))


def _text(element: ET.Element) -> str:
    return (element.text or "").strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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
def _hb_font(path: Path) -> Any:
    """A harfbuzz font of a TrueType face (its metrics and MATH table)."""
    import uharfbuzz as hb

    return hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))


@functools.cache
def _x_height(path: Path) -> float:
    """The x-height of a TrueType face, in em (its "x" glyph's top), or STIX's if it has none."""
    font = _hb_font(path)
    glyph = font.get_nominal_glyph(ord("x"))
    extents = font.get_glyph_extents(glyph) if glyph else None
    if not extents or extents.y_bearing <= 0:
        return _MATH_X_HEIGHT
    return extents.y_bearing / font.face.upem


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
    _met: set[int] = field(default_factory=set)  # formulas whose first callback was met
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
        """Paragraph markup for an inline formula: its box between two callbacks; the one
        reportlab meets after the box (the second in a left-to-right line, the first in a
        right-to-left line, where the bidi order reverses the three) draws it."""
        self._placed.append(placed)
        height = placed.ascent + placed.descent
        marker = f'<onDraw name="{CALLBACK}" label="{len(self._placed) - 1}"/>'
        return (f'{marker}<img src="{escape(_BOX, quote=True)}" width="{placed.width:.3f}" '
                f'height="{height:.3f}" valign="{-placed.descent:.3f}"/>{marker}')

    def install(self, canvas: Any) -> None:
        """Give a canvas the callback that draws this edition's inline formulas."""
        canvas.setNamedCB(CALLBACK, self._draw_inline)

    def _draw_inline(self, canvas: Any, _kind: str, label: str) -> None:
        number = int(label)
        if number not in self._met:  # the callback before the box: the pen is not there yet
            self._met.add(number)
            return
        self._met.discard(number)
        info = canvas._curr_tx_info  # what reportlab hands its own onDraw callbacks
        placed = self._placed[number]
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
