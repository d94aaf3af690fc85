"""A PNG cover drawn from the front matter (journal, title, authors) with Pillow, reproducibly."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..frontmatter import FrontMatter

WIDTH, HEIGHT = 1200, 1800
_MARGIN = 110
_INK = (28, 36, 52)
_BAND = (24, 54, 96)
_PAPER = (250, 248, 242)
_ACCENT = (196, 160, 82)
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@cache
def _font_file(bold: bool) -> str:
    """DejaVu where installed (wide script coverage), else the Vera fonts reportlab ships."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    if (_DEJAVU / name).is_file():
        return str(_DEJAVU / name)
    import reportlab

    return str(Path(reportlab.__file__).parent / "fonts" / ("VeraBd.ttf" if bold else "Vera.ttf"))


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_file(bold), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _fit(text: str, sizes: tuple[int, ...], width: int, max_lines: int, bold: bool
         ) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which `text` wraps into `max_lines`; else the smallest, cut short."""
    for size in sizes:
        font = _font(size, bold)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    lines = lines[:max_lines]
    lines[-1] = lines[-1].rstrip(" .,;:") + "\u2026"
    return font, lines


def _block(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont, y: int,
           fill: tuple[int, int, int], leading: float = 1.25) -> int:
    size = int(font.size * leading)
    for line in lines:
        draw.text((_MARGIN, y), line, font=font, fill=fill)
        y += size
    return y


def cover_png(front: FrontMatter) -> bytes:
    """The cover image; the same front matter always gives the same bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * _MARGIN
    draw.rectangle((0, 0, WIDTH, 330), fill=_BAND)
    journal = front.running_head or front.journal_line
    font, lines = _fit(journal, (54, 46, 40), text_width, 3, bold=True)
    _block(draw, lines, font, 100, _PAPER)
    draw.rectangle((_MARGIN, 420, _MARGIN + 160, 432), fill=_ACCENT)
    font, lines = _fit(front.title_text, (92, 80, 68, 58, 50), text_width, 7, bold=True)
    y = _block(draw, lines, font, 500, _INK, 1.2)
    if front.subtitle:
        font, lines = _fit(front.subtitle_text, (52, 44, 38), text_width, 3, bold=False)
        y = _block(draw, lines, font, y + 30, _INK)
    if front.authors:
        font, lines = _fit(front.author_names, (48, 42, 36), text_width, 4, bold=False)
        _block(draw, lines, font, max(y + 90, 1250), _BAND)
    footer = front.doi_url or front.url
    if footer:
        font, lines = _fit(footer, (34, 28), text_width, 1, bold=False)
        _block(draw, lines, font, HEIGHT - 150, _INK)
    # A few flat colours and anti-aliased text: 256 colours look the same and, with zlib's
    # default level, encode ten times faster than true colour at level 9.
    indexed = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    indexed.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
