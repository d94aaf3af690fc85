"""Widest inter-word space on the justified body lines of PDF editions (issue 24: hyphenation).

    .venv/bin/python bench/spacing.py dist/*/*.pdf      # or folders holding PDFs

A justified line is one that starts at the text block's left edge, ends at its right edge, is set
at the body size and holds four words or more (pdftotext -bbox-layout gives every word's box).
For each PDF: the justified lines counted, the widest gap between two words on any of them, the
95th percentile of each line's widest gap, and the lines whose widest gap is over twice a normal
space (a river). Gaps are in points; a normal space of the body face is about 3.2 pt. Also the
tallest blank band on page 1 between the running header and footer, in % of the page's height
(rendered at 36 dpi: a row without a dark pixel is blank), for issue 24.2's "no band over 10 %".
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

BODY_HEIGHT = (9.5, 10.5)  # points: the box height pdftotext gives a 10 pt body word
EDGE = 1.0  # points: how near a line must come to the block's edges
NORMAL_SPACE = 3.18  # points: DejaVu Serif's space at 10 pt
_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Spacing:
    """The measure of one PDF."""

    name: str
    lines: int
    widest: float
    p95: float
    rivers: int
    band: float = 0.0  # % of page 1's height: its tallest blank band inside the text block


def measure(pdf: Path) -> Spacing:
    """The justified lines of `pdf` and their widest inter-word gaps."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    root = ElementTree.fromstring(xml)
    widest_per_line: list[float] = []
    for page in root.iter(f"{_NS}page"):
        lines = list(page.iter(f"{_NS}line"))
        body = [line for line in lines if _body(line)]
        if not body:
            continue
        left = min(float(line.get("xMin", 0)) for line in body)
        right = max(float(line.get("xMax", 0)) for line in body)
        for line in body:
            words = list(line.iter(f"{_NS}word"))
            if (len(words) < 4 or float(line.get("xMin", 0)) > left + EDGE
                    or float(line.get("xMax", 0)) < right - EDGE):
                continue
            gaps = [float(b.get("xMin", 0)) - float(a.get("xMax", 0))
                    for a, b in zip(words, words[1:], strict=False)]
            widest_per_line.append(max(gaps))
    band = blank_band(pdf)
    if not widest_per_line:
        return Spacing(pdf.name, 0, 0.0, 0.0, 0, band)
    ordered = sorted(widest_per_line)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    rivers = sum(1 for gap in ordered if gap > 2 * NORMAL_SPACE)
    return Spacing(pdf.name, len(ordered), ordered[-1], p95, rivers, band)


def blank_band(pdf: Path, top: float = 0.075, bottom: float = 0.9) -> float:
    """The tallest run of blank pixel rows on page 1 between `top` and `bottom` (shares of the
    page's height: inside the running header and footer), in % of the page's height."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-png", "-gray", "-r", "36", "-f", "1", "-l", "1",
                        "-singlefile", str(pdf), f"{folder}/page"], check=True)
        image = Image.open(f"{folder}/page.png").convert("L")
    width, height = image.size
    pixels = image.load()
    longest = run = 0
    for y in range(int(top * height), int(bottom * height)):
        if all(pixels[x, y] > 200 for x in range(width)):
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return 100 * longest / height


def _body(line: ElementTree.Element) -> bool:
    height = float(line.get("yMax", 0)) - float(line.get("yMin", 0))
    return BODY_HEIGHT[0] <= height <= BODY_HEIGHT[1]


def _pdfs(arguments: list[str]) -> list[Path]:
    out: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        out += sorted(path.rglob("*.pdf")) if path.is_dir() else [path]
    return out


def main(arguments: list[str]) -> int:
    pdfs = _pdfs(arguments)
    if not pdfs:
        print("usage: spacing.py PDF-or-FOLDER ...", file=sys.stderr)
        return 2
    results = [measure(pdf) for pdf in pdfs]
    print(f"{'pdf':48} {'lines':>6} {'widest':>7} {'p95':>6} {'>2sp':>5} {'band%':>6}")
    for r in results:
        print(f"{r.name[:48]:48} {r.lines:6d} {r.widest:7.2f} {r.p95:6.2f} {r.rivers:5d} "
              f"{r.band:6.1f}")
    counted = [r for r in results if r.lines]
    if counted:
        print(f"{'all':48} {sum(r.lines for r in counted):6d} "
              f"{max(r.widest for r in counted):7.2f} "
              f"{statistics.median(r.p95 for r in counted):6.2f} "
              f"{sum(r.rivers for r in counted):5d} {max(r.band for r in results):6.1f}"
              "   (p95: median of the papers'; band: the largest)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
