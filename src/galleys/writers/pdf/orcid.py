"""The ORCID iD mark beside an author's name: drawn as vector shapes, linked to the iD.

In a paragraph the mark is a transparent box of its size (so lines break around it as around a
letter) and an `<onDraw>` callback that draws the green disc with "iD" cut from shapes (no text:
the text layer holds the name alone) and puts a link to the iD's URL over it. The URL is an
index into this object, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from reportlab.lib import colors

CALLBACK = "galleys_orcid"
GREEN = colors.HexColor("#a6ce39")  # ORCID's brand green
_BOX = str(Path(__file__).with_name("formula_box.png"))  # one transparent pixel


@dataclass
class OrcidMarks:
    """The marks of one edition: each one's URL, looked up by the callback's label."""

    marks: list[tuple[str, float]] = field(default_factory=list)  # (URL, size in points)

    def markup(self, url: str, size: float) -> str:
        """Paragraph markup for a mark of `size` points linked to `url` (a checked URL)."""
        self.marks.append((url, size))
        return (f'<img src="{escape(_BOX, quote=True)}" width="{size:.2f}" '
                f'height="{size:.2f}" valign="{-0.12 * size:.2f}"/>'
                f'<onDraw name="{CALLBACK}" label="{len(self.marks) - 1}"/>')

    def install(self, canvas: Any) -> None:
        """Give a canvas the callback drawing the marks."""
        canvas.setNamedCB(CALLBACK, self._draw)

    def _draw(self, canvas: Any, _kind: str, label: str) -> None:
        info = canvas._curr_tx_info  # what reportlab hands its onDraw callbacks
        end_x, _y = info["tx"].getStartOfLine()  # the pen after the mark's box
        url, size = self.marks[int(label)]
        x, y = end_x - size, info["cur_y"] - 0.12 * size
        draw_mark(canvas, x, y, size)
        canvas.linkURL(url, (x, y, x + size, y + size), relative=1,
                       thickness=0)


def draw_mark(canvas: Any, x: float, y: float, size: float) -> None:
    """The ORCID iD mark with its lower left corner at (x, y), `size` points across."""
    r = size / 2
    canvas.saveState()
    canvas.setFillColor(GREEN)
    canvas.circle(x + r, y + r, r, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setStrokeColor(colors.white)
    unit = size / 16  # the mark drawn on a 16-unit grid
    # "i": a stem and a dot
    canvas.rect(x + 4.3 * unit, y + 3.6 * unit, 1.5 * unit, 6.2 * unit, stroke=0, fill=1)
    canvas.circle(x + 5.05 * unit, y + 11.6 * unit, 0.95 * unit, stroke=0, fill=1)
    # "D": a stem and a bowl
    canvas.rect(x + 7.1 * unit, y + 3.6 * unit, 1.5 * unit, 8.8 * unit, stroke=0, fill=1)
    path = canvas.beginPath()
    path.moveTo(x + 8.6 * unit, y + 12.4 * unit)
    path.curveTo(x + 14.6 * unit, y + 12.4 * unit, x + 14.6 * unit, y + 3.6 * unit,
                 x + 8.6 * unit, y + 3.6 * unit)
    canvas.setLineWidth(1.4 * unit)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()
