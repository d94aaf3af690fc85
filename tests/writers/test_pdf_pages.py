"""Visual regression of the PDF edition: a few pages rendered at low resolution and compared with
the committed references in tests/fixtures/pages/ within a pixel tolerance.

A change that moves the layout on purpose makes new references; look at them, then commit them:

    GALLEYS_ACCEPT_PAGES=1 .venv/bin/pytest -q tests/writers/test_pdf_pages.py

Pages are rendered by pdfium at 30 dpi in grey (a few kilobytes each). A page passes when at
most CHANGED_SHARE of its pixels differ by more than LEVEL grey levels from the reference's: the
same layout drawn by another build of a font rasterizer passes, a line moved by one line does not.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from conftest import TORTURE
from PIL import Image, ImageChops

from galleys.builder.articles import prepare
from galleys.writers import RenderOptions
from galleys.writers.pdf.edition import PdfBackend

REFERENCES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
EPOCH = 1710460800  # 2024-03-15
DPI = 30
LEVEL = 48  # grey levels (of 255) a pixel may move before it counts as changed
CHANGED_SHARE = 0.004  # of a page's pixels
MULTISCRIPT = REFERENCES.parent / "multiscript" / "article.md"  # shaping, right to left
PAGES = {"torture": (TORTURE, (1, 2)), "torture-draft": (TORTURE, (2,)),
         "multiscript": (MULTISCRIPT, (1,))}
ACCEPT = os.environ.get("GALLEYS_ACCEPT_PAGES") == "1"


def rendered(source: Path, numbers: tuple[int, ...], draft: bool) -> dict[int, Image.Image]:
    import pypdfium2

    resolved, front = prepare(source)
    data = PdfBackend().render(resolved, front, RenderOptions(EPOCH, draft=draft))
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    out = {}
    for number in numbers:
        bitmap = document[number - 1].render(scale=DPI / 72, grayscale=True)
        out[number] = bitmap.to_pil().convert("L")
    document.close()
    return out


def changed_share(page: Image.Image, reference: Image.Image) -> float:
    """The share of pixels that differ by more than LEVEL (1.0 when the sizes differ)."""
    if page.size != reference.size:
        return 1.0
    difference = ImageChops.difference(page, reference).point(lambda v: 255 if v > LEVEL else 0)
    histogram = difference.histogram()
    return histogram[255] / (page.size[0] * page.size[1])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_look_as_their_references(name: str) -> None:
    source, numbers = PAGES[name]
    pages = rendered(source, numbers, draft=name.endswith("-draft"))
    for number, page in pages.items():
        path = REFERENCES / f"{name}-{number}.png"
        if ACCEPT:
            REFERENCES.mkdir(parents=True, exist_ok=True)
            page.save(path, optimize=True)
            continue
        assert path.is_file(), f"no reference {path}: run with GALLEYS_ACCEPT_PAGES=1"
        share = changed_share(page, Image.open(path).convert("L"))
        assert share <= CHANGED_SHARE, (
            f"{name} page {number}: {share:.2%} of its pixels changed (at most "
            f"{CHANGED_SHARE:.2%}); look at it, then GALLEYS_ACCEPT_PAGES=1 makes it the reference")


def test_the_comparison_sees_a_moved_line() -> None:
    pages = rendered(TORTURE, (2,), draft=False)
    page = pages[2]
    moved = Image.new("L", page.size, 255)
    moved.paste(page.crop((0, 0, page.size[0], page.size[1] - 6)), (0, 6))  # one line down
    assert changed_share(page, page) == 0
    assert changed_share(moved, page) > CHANGED_SHARE
