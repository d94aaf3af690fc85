"""Paragraph styles of the PDF edition, every one set in the embedded TrueType faces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from galleys.writers.pdf.fonts import FontSet

BODY_SIZE = 10.0
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
SHADE = colors.HexColor("#f3f3f0")
ALIGNMENTS = {"AlignLeft": TA_LEFT, "AlignRight": TA_RIGHT, "AlignCenter": TA_CENTER}


@dataclass(frozen=True)
class Styles:
    """Named paragraph styles and the role/boldness each is set in (for glyph checks)."""

    by_name: dict[str, ParagraphStyle]
    roles: dict[str, tuple[str, bool, bool]]  # name -> (font role, bold, italic)

    def __getitem__(self, name: str) -> ParagraphStyle:
        return self.by_name[name]

    def aligned(self, name: str, alignment: str) -> ParagraphStyle:
        """A copy of the style with a pandoc alignment ("AlignRight", …)."""
        base = self.by_name[name]
        if alignment not in ALIGNMENTS:
            return base
        return ParagraphStyle(f"{name}-{alignment}", parent=base, alignment=ALIGNMENTS[alignment])


_HYPHENATED = frozenset({"body", "plain", "quote", "note", "cell", "cell-head", "caption",
                         "table-caption", "fm-abstract"})


def make_styles(fonts: FontSet, hyphenator: Callable[[str], Any] | None = None) -> Styles:
    """Every style of the edition; `hyphenator` breaks long words at the end of the lines of
    running text (body, notes, cells, captions, the abstract), never in titles, names, code,
    keywords or the reference list."""
    by_name: dict[str, ParagraphStyle] = {}
    roles: dict[str, tuple[str, bool, bool]] = {}

    def add(name: str, role: str, size: float, leading: float, bold: bool = False,
            italic: bool = False, **extra: object) -> None:
        extra.setdefault("allowWidows", 0)
        extra.setdefault("allowOrphans", 0)
        extra.setdefault("bulletFontName", fonts.family("serif"))
        extra["hyphenationLang"] = hyphenator if hyphenator and name in _HYPHENATED else ""
        by_name[name] = ParagraphStyle(
            name, fontName=fonts.face(role, bold, italic).name, fontSize=size, leading=leading,
            **extra,
        )
        roles[name] = (role, bold, italic)

    s = BODY_SIZE
    add("body", "serif", s, 14, alignment=TA_JUSTIFY, spaceAfter=6)
    add("plain", "serif", s, 14, alignment=TA_JUSTIFY, spaceAfter=2)
    add("quote", "serif", s - 0.5, 13, alignment=TA_JUSTIFY, spaceAfter=5)
    add("h1", "sans", 13, 16, bold=True, spaceBefore=14, spaceAfter=6, keepWithNext=0)
    add("h2", "sans", 11.5, 14, bold=True, spaceBefore=11, spaceAfter=4, keepWithNext=0)
    add("h3", "serif", 10.5, 14, bold=True, italic=True, spaceBefore=9, spaceAfter=3,
        keepWithNext=0)
    add("h4", "serif", s, 14, italic=True, spaceBefore=8, spaceAfter=2, keepWithNext=0)
    add("term", "serif", s, 14, bold=True, spaceAfter=1, keepWithNext=1)
    add("code", "mono", 8.5, 11, alignment=TA_LEFT, backColor=SHADE, borderPadding=(4, 5),
        leftIndent=5, rightIndent=5,
        spaceBefore=6, spaceAfter=10)
    add("math", "math", s, 15, alignment=TA_CENTER, spaceBefore=4, spaceAfter=8)
    add("caption", "sans", 8.5, 11, alignment=TA_CENTER, spaceBefore=3, spaceAfter=10)
    add("table-caption", "sans", 8.5, 11, alignment=TA_LEFT, spaceBefore=6, spaceAfter=4,
        keepWithNext=1)
    add("cell", "serif", 9, 11.5, alignment=TA_LEFT)
    add("cell-head", "serif", 9, 11.5, bold=True, alignment=TA_LEFT)
    add("reference", "serif", 9.5, 12.5, alignment=TA_LEFT, leftIndent=18, firstLineIndent=-18,
        spaceAfter=4)
    add("note", "serif", 9, 12, alignment=TA_LEFT, leftIndent=14, firstLineIndent=-14,
        spaceAfter=3)
    add("anchor", "serif", 1, 1)
    # Front matter.
    add("fm-title", "serif", 20, 24, bold=True, alignment=TA_LEFT, spaceAfter=6)
    add("fm-subtitle", "serif", 14, 18, alignment=TA_LEFT, spaceAfter=10, textColor=GREY)
    add("fm-authors", "sans", 11, 15, alignment=TA_LEFT, spaceAfter=4)
    add("fm-authors-compact", "sans", 10, 12, alignment=TA_LEFT, spaceAfter=3)  # 20+ authors
    add("fm-small", "serif", 8.5, 11, alignment=TA_LEFT, spaceAfter=1.5)
    add("fm-meta", "sans", 8.5, 11.5, alignment=TA_LEFT, spaceAfter=1)
    add("fm-note", "serif", 8, 10, alignment=TA_LEFT, spaceAfter=2.5)  # at page 1's foot
    add("fm-label", "sans", 9.5, 12, bold=True, alignment=TA_LEFT, spaceBefore=8, spaceAfter=2,
        keepWithNext=1)
    add("fm-abstract", "serif", 9.5, 13, alignment=TA_JUSTIFY, spaceAfter=4)
    add("fm-keywords", "serif", 9.5, 13, alignment=TA_LEFT, spaceAfter=4)
    add("fm-cite", "serif", 9, 12, alignment=TA_LEFT)
    add("furniture", "sans", 7.5, 9, alignment=TA_LEFT, textColor=GREY)
    add("furniture-right", "sans", 7.5, 9, alignment=TA_RIGHT, textColor=GREY)
    return Styles(by_name, roles)
