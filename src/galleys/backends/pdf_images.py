"""Figures for the PDF edition: PNG/JPEG files from inside the article folder, scaled to fit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reportlab.lib.utils import ImageReader

from .. import images
from ..errors import SourceError

_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
_UNITS = {"px": 0.75, "pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
_DEFAULT_DPI = 150
MAX_PIXELS = 50_000_000  # a larger image is most likely a decompression bomb


def resolve_image(folder: Path, source: str, article: Path) -> Path:
    """The image file `source` names, which must be a PNG or JPEG inside `folder`."""
    path = images.resolve_image(folder, source, article)
    with path.open("rb") as handle:
        head = handle.read(8)
    if not any(head.startswith(magic) for magic in _MAGIC):
        raise SourceError(f"image {source!r} is not a PNG or JPEG file", path=article)
    return path


def image_size(path: Path, attrs: list[list[str]], max_width: float, max_height: float
               ) -> tuple[float, float]:
    """Width and height in points: the requested width, else natural size, scaled to fit."""
    try:
        pixels_w, pixels_h = ImageReader(str(path)).getSize()
    except Exception as exc:  # noqa: BLE001 - PIL raises many types for a broken file
        raise SourceError(f"image cannot be read: {exc}", path=path) from None
    if pixels_w <= 0 or pixels_h <= 0:
        raise SourceError("image has no pixels", path=path)
    if pixels_w * pixels_h > MAX_PIXELS:
        raise SourceError(f"image has {pixels_w}x{pixels_h} pixels, over the limit of "
                          f"{MAX_PIXELS // 1_000_000} megapixels", path=path)
    wanted = dict(attrs)
    width = _length(wanted.get("width", ""), max_width)
    height = _length(wanted.get("height", ""), max_height)
    if width and not height:
        height = width * pixels_h / pixels_w
    elif height and not width:
        width = height * pixels_w / pixels_h
    elif not width:
        width, height = pixels_w * 72 / _DEFAULT_DPI, pixels_h * 72 / _DEFAULT_DPI
    scale = min(1.0, max_width / width, max_height / height)
    return width * scale, height * scale


def image_node(node: dict[str, Any]) -> tuple[str, list[list[str]]]:
    """(source, attributes) of a pandoc Image node."""
    attr, _alt, target = node["c"]
    return target[0], attr[2]


def _length(text: str, whole: float) -> float:
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(%|px|pt|in|cm|mm)?\s*", text)
    if not match:
        return 0.0
    number, unit = float(match.group(1)), match.group(2) or "px"
    return whole * number / 100 if unit == "%" else number * _UNITS[unit]
