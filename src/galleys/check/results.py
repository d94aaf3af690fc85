"""The result of a check: one cell per (element, edition), rows of cells, one report an article."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

OK, MISSING, DIFFERS = "ok", "missing", "differs"


@dataclass(frozen=True)
class Cell:
    """One element in one edition: "ok", "missing" or "differs"; the slot read and what was
    found there. (An edition that does not carry an element has no cell in its row.)"""

    status: str
    slot: str = ""
    found: str = ""


@dataclass
class Row:
    """One element (a front-matter field, a catalogue field, the body) across the editions."""

    element: str  # "author 3", "catalogue title", "body"
    kind: str  # "author", "catalogue", "body": the table groups rows by it
    expected: str
    cells: dict[str, Cell] = field(default_factory=dict)  # by edition name

    @property
    def ok(self) -> bool:
        return all(c.status == OK for c in self.cells.values())

    def __iter__(self) -> Iterator[Any]:
        """(element, expected, cells), for code that unpacks a row as a triple."""
        return iter((self.element, self.expected, self.cells))


@dataclass
class ArticleReport:
    """Parity table and validation problems of one article's editions."""

    slug: str
    editions: list[str]
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be checked here: no failure

    @property
    def ok(self) -> bool:
        return not self.problems and all(row.ok for row in self.rows)

    def cell(self, element: str, edition: str) -> Cell:
        return next(r.cells[edition] for r in self.rows if r.element == element)

    def failing(self) -> list[tuple[str, str]]:
        """(element, edition) of every cell that is neither ok nor absent."""
        return [(row.element, name) for row in self.rows for name, cell in row.cells.items()
                if cell.status != OK]
