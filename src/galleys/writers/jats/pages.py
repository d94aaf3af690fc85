"""An article's `pages` as first and last page, or as an article number (elocation)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE = re.compile(r"^\s*([^\s,]+?)\s*[-\u2010-\u2015]+\s*([^\s,]+)\s*$")
_PAGE = re.compile(r"^(?:\d+|[ivxlcdm]+|[A-Za-z]?\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Pages:
    """`pages: P01-15` is first "P01", last "15"; `e1234` (no page) is an elocation."""

    first: str = ""
    last: str = ""
    ranges: str = ""  # the whole value when it lists several ranges ("1-5, 7-9")
    elocation: str = ""


def page_parts(pages: str) -> Pages:
    """The parts of a `pages` value as written; "" gives empty Pages."""
    text = " ".join(pages.split())
    if not text:
        return Pages()
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    bounds = []
    for piece in pieces:
        match = _RANGE.match(piece)
        bounds.append((match.group(1), match.group(2)) if match else (piece, piece))
    if len(pieces) > 1:
        return Pages(bounds[0][0], bounds[-1][1], text)
    first, last = bounds[0]
    if first == last and (not _PAGE.match(first) or first.lower().startswith("e")):
        return Pages(elocation=first)  # "e1234", "ABC-123x": an article number, not a page
    return Pages(first, last if last != first else "")
