"""Pandoc tables as Platypus tables: wrapped cells, spans, header rows repeated on every page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Table, TableStyle

from galleys.pandoc_ast import NO_ATTR, ColSpec, Row, content_of, is_kind, make, table_of

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from galleys.writers.pdf.body import BodyVisitor, _Context

_MIN_WIDTH = 28.0  # points: the narrowest column still readable
_PADDING = 4.0  # points left and right in every cell
SPACE_BEFORE, SPACE_AFTER = 6.0, 12.0  # points around a table (its caption is above it)
_BLACK = colors.HexColor("#222222")


def framed_box(content: list[Flowable], width: float, font: str, rule: colors.Color, *,
               shade: colors.Color | None = None, padding: tuple[float, float] = (6, 6),
               splits: bool = False) -> Table:
    """A one-cell framed table around flowables (callouts, image placeholders). `font`: the
    table's own, which reportlab sets even around flowables (never its unembedded Helvetica);
    `splits`: it may break across pages like the text it holds."""
    box = Table([[content]], colWidths=[width], splitInRow=1 if splits else 0)
    commands: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), 0.8, rule),
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("TOPPADDING", (0, 0), (-1, -1), padding[0]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding[1]),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("RIGHTPADDING", (0, 0), (-1, -1), 10),
    ]
    if shade is not None:
        commands.append(("BACKGROUND", (0, 0), (-1, -1), shade))
    box.setStyle(TableStyle(commands))
    return box


def build(content: list[Any], visitor: BodyVisitor, context: _Context, width: float) -> Table:
    """A Platypus Table for a pandoc Table node's content, `width` points wide."""
    source = table_of(make("Table", content))
    colspecs = source.specs
    columns = len(colspecs)
    rows: list[tuple[Row, bool]] = [(row, True) for row in source.head]
    for body in source.bodies:
        rows += [(row, True) for row in body.head]
        rows += [(row, False) for row in body.rows]
    rows += [(row, False) for row in source.foot]
    head_count = len(source.head)
    if not rows:
        rows = [(Row(NO_ATTR, []), False)]
    grid: list[list[Any]] = [["" for _ in range(columns)] for _ in rows]
    texts: list[list[str]] = [["" for _ in range(columns)] for _ in rows]
    taken: set[tuple[int, int]] = set()
    commands: list[tuple[Any, ...]] = []
    for r, (row, is_head) in enumerate(rows):
        c = 0
        for cell in row.cells:
            _cell_attr, align, rowspan, colspan, blocks = cell
            while c < columns and (r, c) in taken:
                c += 1
            if c >= columns:
                break
            rowspan = max(1, min(rowspan, len(rows) - r))
            colspan = max(1, min(colspan, columns - c))
            alignment = align if align != "AlignDefault" else colspecs[c].align
            style = "cell-head" if is_head else "cell"
            grid[r][c] = visitor.cell(blocks, context, style, alignment)
            texts[r][c] = _text(blocks)
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            if rowspan > 1 or colspan > 1:
                commands.append(("SPAN", (c, r), (c + colspan - 1, r + rowspan - 1)))
            c += colspan
    fonts = [visitor.styles["cell-head" if is_head else "cell"].fontName for _row, is_head in rows]
    widths = _widths(colspecs, texts, width, _longest_words(texts, fonts, columns))
    table = Table(grid, colWidths=widths, repeatRows=head_count, hAlign="LEFT", splitByRow=1,
                  splitInRow=1)  # a row taller than a page (a 50,000-character cell) splits
    font = [("FONT", (0, 0), (-1, -1), visitor.styles["cell"].fontName, 9)]  # not Helvetica
    table.setStyle(TableStyle(font + _style(len(rows), head_count, bool(source.foot)) + commands))
    table.spaceBefore, table.spaceAfter = SPACE_BEFORE, SPACE_AFTER
    return table


def _longest_words(texts: list[list[str]], fonts: list[str], columns: int) -> list[float]:
    """Points each column needs for its longest word (in its row's face) and the padding:
    a column as narrow breaks words at their hyphenation points, never mid-word."""
    out = [0.0] * columns
    for row, font in zip(texts, fonts, strict=True):
        for c, text in enumerate(row):
            for word in text.split():
                out[c] = max(out[c], stringWidth(word, font, 9) + 2 * _PADDING + 1)
    return out


def _style(count: int, head_count: int, has_foot: bool) -> list[tuple[Any, ...]]:
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEABOVE", (0, 0), (-1, 0), 1.0, _BLACK),
        ("LINEBELOW", (0, -1), (-1, -1), 1.0, _BLACK),
    ]
    if head_count and head_count < count:
        commands.append(("LINEBELOW", (0, head_count - 1), (-1, head_count - 1), 0.5, _BLACK))
    if has_foot:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.5, _BLACK))
    return commands


def _widths(colspecs: list[ColSpec], texts: list[list[str]], width: float,
            needed: list[float] | None = None) -> list[float]:
    """Pandoc's relative widths where given; else shares from the cells' text lengths; each
    column at least as wide as its longest word (`needed`) while the table's width allows."""
    columns = len(colspecs)
    given: list[float] = [spec.width or 0.0 for spec in colspecs]  # 0: ColWidthDefault
    weights = []
    for c in range(columns):
        cells = [row[c] for row in texts]
        longest_word = max((len(w) for t in cells for w in t.split()), default=1)
        weights.append(max(min(max((len(t) for t in cells), default=1), 60), longest_word, 3))
    fixed = sum(g for g in given if g)
    free = max(0.0, 1.0 - fixed) if fixed < 1 else 0.0
    unknown = [c for c in range(columns) if not given[c]]
    total_weight = sum(weights[c] for c in unknown) or 1
    shares = [
        given[c] if given[c] else (free or 1.0) * weights[c] / total_weight
        for c in range(columns)
    ]
    scale = 1 / (sum(shares) or 1)
    widths = [max(_MIN_WIDTH, width * share * scale) for share in shares]
    if needed and sum(max(w, n) for w, n in zip(widths, needed, strict=True)) <= width:
        wider = [max(w, n) for w, n in zip(widths, needed, strict=True)]
        spare = [c for c in range(columns) if wider[c] > needed[c]]  # give back from these
        excess = max(0.0, sum(wider) - width)
        room = sum(wider[c] - needed[c] for c in spare) or 1
        widths = [w - excess * (w - needed[c]) / room if c in spare else w
                  for c, w in enumerate(wider)]
    overflow = sum(widths) - width
    if overflow > 0:  # minimums pushed past the width: take it back from the widest
        widest = widths.index(max(widths))
        widths[widest] = max(_MIN_WIDTH, widths[widest] - overflow)
    return widths


def _text(node: Any) -> str:
    """The words of a cell, for sizing columns."""
    if isinstance(node, list):
        return " ".join(t for t in (_text(n) for n in node) if t)
    if isinstance(node, dict):
        if is_kind(node, "Str"):
            text: str = content_of(node)
            return text
        if is_kind(node, "Note"):
            return ""
        return _text(content_of(node))
    return ""
