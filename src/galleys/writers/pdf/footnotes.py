"""Footnotes at the foot of the page on which they are referenced, as LaTeX, inara and Word set
them: numbered on through the article, each linked to its reference and back.

The body frame (`NotesFrame`) learns from every flowable it places which notes it references
(the `<a name="fnrefN"/>` anchors a paragraph carries, or `notes` set on a table or list) and
takes their height from the bottom of the page before placing it; a paragraph that must be
split is split where its own notes still fit below it. The notes are drawn under a short rule
when the page ends (`draw`). Notes taller than NOTES_SHARE of the page continue at the foot of
the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reportlab.platypus import Flowable, Frame, PageBreak

from galleys.writers.pdf.styles import RULE

NOTES_SHARE = 0.5  # of the frame's height: the most one page gives its notes
RULE_SPACE = 8.0  # points above the notes: the gap and the rule
_REF = re.compile(r"fnref(\d+)$")


@dataclass
class Footnotes:
    """Every note of the edition (number -> flowables) and what is placed on this page."""

    notes: dict[int, list[Flowable]] = field(default_factory=dict)
    width: float = 0.0
    placed: set[int] = field(default_factory=set)
    page: list[Flowable] = field(default_factory=list)  # this page's note flowables
    carried: list[Flowable] = field(default_factory=list)  # continued from the last page
    canvas: Any = None  # the document's, once the first flowable is placed
    body_done: bool = False  # only notes are left to set

    def __deepcopy__(self, memo: dict[int, Any]) -> Footnotes:
        return self  # one edition's notes: reportlab copies the frame to measure with it

    def add(self, number: int, flowables: list[Flowable]) -> None:
        self.notes[number] = flowables

    def pending(self, numbers: set[int]) -> list[int]:
        """Notes referenced by a flowable and not yet placed, with any unplaced ones before
        them (their reference was in a part the frame could not see into)."""
        if not numbers:
            return []
        top = max(numbers)
        return sorted(n for n in self.notes if n <= top and n not in self.placed)

    def height(self, flowables: list[Flowable], canvas: Any) -> float:
        total = 0.0
        for flowable in flowables:
            total += flowable.wrapOn(canvas, self.width, 10**6)[1] + flowable.getSpaceAfter()
        return total

    def used(self, canvas: Any) -> float:
        """Points the notes placed on this page take (with the rule), 0 when none."""
        if not self.page:
            return 0.0
        return self.height(self.page, canvas) + RULE_SPACE

    def draw(self, canvas: Any, x: float, bottom: float) -> None:
        """Draw this page's notes upward from `bottom`, under a rule; the page is then empty."""
        if not self.page:
            return
        y = bottom + self.height(self.page, canvas)
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(x, y + RULE_SPACE / 2, x + min(self.width, 120), y + RULE_SPACE / 2)
        canvas.restoreState()
        for flowable in self.page:
            height = flowable.wrapOn(canvas, self.width, 10**6)[1]
            y -= height
            flowable.drawOn(canvas, x, y)
            y -= flowable.getSpaceAfter()
        self.page = []


def referenced(flowable: Any) -> set[int]:
    """The note numbers a flowable (or a part of a split paragraph) references."""
    found = set(getattr(flowable, "notes", ()))
    for frag in getattr(flowable, "frags", None) or ():
        pieces = [piece for piece, _text in frag[1:]] if isinstance(frag, list) else [frag]
        for piece in pieces:
            name = getattr(getattr(piece, "cbDefn", None), "name", "")
            match = _REF.match(name or "")
            if match:
                found.add(int(match.group(1)))
    return found


class NotesHere(Flowable):
    """Takes no space; places the notes it names that are still unplaced (at the body's end:
    a note whose reference was in a part of a split table or list)."""

    def __init__(self, notes: range, footnotes: Footnotes) -> None:
        super().__init__()
        self.notes = notes
        self._footnotes = footnotes

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._footnotes.carried:  # notes go on past the body's last page: one more page
            self._footnotes.body_done = True  # (pages of notes alone are all notes)
            return avail_width, avail_height + 1
        return 0.0, 0.0

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return [PageBreak(), self]

    def draw(self) -> None:
        pass


class NotesFrame(Frame):
    """The body frame: what a flowable's notes take is kept free at the foot of the page."""

    _y1p: float  # reportlab's: the lowest a flowable may go

    def __init__(self, *args: Any, footnotes: Footnotes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.footnotes = footnotes

    def _reset(self) -> None:
        super()._reset()
        notes = getattr(self, "footnotes", None)  # Frame.__init__ resets it before it is set
        if notes is not None and notes.carried:  # the rest of the last page's notes comes first
            carried, notes.carried = notes.carried, []
            canvas = getattr(notes, "canvas", None)
            if canvas is not None:
                share = 1.0 if notes.body_done else NOTES_SHARE
                carried, notes.carried = self._fit(carried, self._aH * share - RULE_SPACE,
                                                   canvas)
            notes.page = carried

    def _room(self, canvas: Any) -> float:
        return self.footnotes.used(canvas)

    def add(self, flowable: Any, canv: Any, trySplit: int = 0) -> int:  # noqa: N803
        numbers = self.footnotes.pending(referenced(flowable))
        bottom = self._y1p
        new = [f for n in numbers for f in self.footnotes.notes[n]]
        start = RULE_SPACE if new and not self.footnotes.page else 0.0
        needed = self.footnotes.height(self.footnotes.page, canv) + (
            RULE_SPACE if self.footnotes.page else 0.0)
        extra = self.footnotes.height(new, canv) + start if new else 0.0
        limit = self._aH * NOTES_SHARE
        carried: list[Flowable] = []
        if new and needed + extra > limit:  # too long for this page: the rest continues
            new, carried = self._fit(new, max(limit - needed - start, 0.0), canv)
            extra = self.footnotes.height(new, canv) + start if new else 0.0
        self._y1p = bottom + needed + extra
        try:
            placed = super()._add(flowable, canv, trySplit)
        finally:
            self._y1p = bottom
        self.footnotes.canvas = canv
        if placed:
            self.footnotes.placed.update(numbers)
            self.footnotes.page += new
            self.footnotes.carried += carried
        return placed

    def split(self, flowable: Any, canv: Any) -> list[Any]:
        """Split where the first part's notes still fit under it."""
        bottom = self._y1p
        reserve = self._room(canv)
        parts: list[Any] = []
        try:
            for _attempt in range(4):
                self._y1p = bottom + reserve
                parts = super().split(flowable, canv)
                if not parts:
                    return parts
                numbers = self.footnotes.pending(referenced(parts[0]))
                new = [f for n in numbers for f in self.footnotes.notes[n]]
                wanted = self._room(canv) + (self.footnotes.height(new, canv) + (
                    0.0 if self.footnotes.page else RULE_SPACE) if new else 0.0)
                wanted = min(wanted, self._aH * NOTES_SHARE)
                if wanted <= reserve + 0.01:
                    return parts
                reserve = wanted
            return parts
        finally:
            self._y1p = bottom

    def _fit(self, flowables: list[Flowable], room: float, canvas: Any
             ) -> tuple[list[Flowable], list[Flowable]]:
        """The notes that fit in `room` points (the last one split), and the rest."""
        out: list[Flowable] = []
        for index, flowable in enumerate(flowables):
            height = flowable.wrapOn(canvas, self.footnotes.width, 10**6)[1]
            if height + flowable.getSpaceAfter() <= room:
                out.append(flowable)
                room -= height + flowable.getSpaceAfter()
                continue
            parts = flowable.splitOn(canvas, self.footnotes.width, room) if room > 0 else []
            if len(parts) == 2:
                return [*out, parts[0]], [parts[1], *flowables[index + 1:]]
            return out, flowables[index:]
        return out, []
