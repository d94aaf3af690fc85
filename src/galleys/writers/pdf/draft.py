"""Draft mode of the PDF edition (`--draft`): every body line numbered in the margin, for
reviewers to cite, and a light "DRAFT" across each page; off by default.

Paragraphs and code blocks report the baselines of the lines they draw to the canvas (`record`),
a display formula its baseline (`record_baseline`); the numbers go on top to bottom and on from
page to page when the page is finished (`finish_page`). The title block and its notes at the
foot of page 1 are not numbered.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors

NUMBER_SIZE = 6.5
NUMBER_GAP = 12.0  # points between the numbers and the text block
MARK_GREY = colors.Color(0.5, 0.5, 0.5, alpha=0.12)
NUMBER_GREY = colors.HexColor("#888888")
UNNUMBERED = ("fm-", "furniture", "anchor")  # title block, running header and footer


class DraftMarks:
    """The line numbers and DRAFT mark of one edition."""

    def __init__(self, left: float, font: str) -> None:
        self.left = left  # the text block's left edge (points)
        self.font = font
        self.count = 0
        self._baselines: list[float] = []

    def record(self, paragraph: Any) -> None:
        """Note the baselines of the lines `paragraph` (being drawn) puts on the page."""
        style = paragraph.style
        if style.name.startswith(UNNUMBERED):
            return
        lines = getattr(paragraph, "blPara", None)
        count = len(lines.lines) if lines is not None else 0
        for number in range(count):
            self.record_baseline(paragraph.canv,
                                 paragraph.height - style.fontSize - number * style.leading)

    def record_baseline(self, canvas: Any, y: float) -> None:
        """Note one numbered line whose baseline is at `y` in the canvas's current space."""
        self._baselines.append(canvas.absolutePosition(0, y)[1])

    def finish_page(self, canvas: Any, page_width: float, page_height: float) -> None:
        """Draw the page's line numbers and the DRAFT mark; the next page numbers on."""
        canvas.saveState()
        canvas.setFont(self.font, NUMBER_SIZE)
        canvas.setFillColor(NUMBER_GREY)
        for y in sorted(set(round(b, 1) for b in self._baselines), reverse=True):
            self.count += 1
            canvas.drawRightString(self.left - NUMBER_GAP, y, str(self.count))
        self._baselines = []
        canvas.setFillColor(MARK_GREY)
        canvas.setFont(self.font, 110)
        canvas.translate(page_width / 2, page_height / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -38, "DRAFT")
        canvas.restoreState()
