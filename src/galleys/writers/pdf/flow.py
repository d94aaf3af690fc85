"""Page flow of the PDF edition: a heading keeps with the first lines of what follows it.

reportlab's keepWithNext keeps a heading with the whole next flowable, so a heading before a long
paragraph moved to the next page with all of it and left a blank band (18-21 % of page 1 on the
corpus papers). Here a heading (or a run of headings) starts a new page only when the page cannot
also hold the first two lines of the paragraph after it (or the top of a table, figure or list);
the paragraphs' own widow and orphan control (allowWidows/allowOrphans = 0) keeps a single line
from being left alone at either end of a page.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import CondPageBreak, Flowable, Paragraph

KEEP_LINES = 2  # lines of the following paragraph kept with a heading
_TOP_OF_OTHERS = 48.0  # points of a table, figure or list kept with a heading at most


class KeepWithLines(CondPageBreak):
    """Before a run of headings: a frame break unless the headings and the first
    KEEP_LINES lines of what follows fit in the space left."""

    def __init__(self, headings: list[Flowable], following: Flowable | None) -> None:
        super().__init__(0)
        self._headings = headings
        self._following = following

    def __repr__(self) -> str:
        return f"KeepWithLines({len(self._headings)} headings)"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.height = self.needed(avail_width, avail_height)
        return super().wrap(avail_width, avail_height)

    def needed(self, width: float, height: float) -> float:
        """Points the headings and the first lines of what follows take."""
        total = 0.0
        for number, heading in enumerate(self._headings):
            total += heading.wrapOn(self.canv, width, height)[1] + heading.getSpaceAfter()
            if number:
                total += heading.getSpaceBefore()
        following = self._following
        if following is None:
            return total
        total += following.getSpaceBefore()
        if isinstance(following, Paragraph):
            style = following.style
            lines = following.wrapOn(self.canv, width, height)[1] / max(style.leading, 1)
            return total + min(lines, KEEP_LINES) * style.leading
        return total + min(following.wrapOn(self.canv, width, height)[1], _TOP_OF_OTHERS)


def keep_headings(story: list[Flowable], is_heading: Any) -> list[Flowable]:
    """`story` with a KeepWithLines before every run of headings (`is_heading`: a test)."""
    out: list[Flowable] = []
    index = 0
    while index < len(story):
        if not is_heading(story[index]):
            out.append(story[index])
            index += 1
            continue
        end = index
        while end < len(story) and is_heading(story[end]):
            end += 1
        following = next((f for f in story[end:] if _visible(f)), None)
        out.append(KeepWithLines(story[index:end], following))
        out += story[index:end]
        index = end
    return out


def _visible(flowable: Flowable) -> bool:
    """Not a zero-height helper (an anchor paragraph, an indenter)."""
    return not (isinstance(flowable, Paragraph) and flowable.style.name == "anchor") and \
        type(flowable).__name__ not in ("Indenter", "AnchorFlowable")
