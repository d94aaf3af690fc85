"""A PNG of the PDF edition's first page for the landing page, rendered by pdfium, reproducibly."""

from __future__ import annotations

import io
import struct
import zlib
from typing import TYPE_CHECKING

from galleys.errors import GalleysError

if TYPE_CHECKING:
    from PIL import Image

SUFFIX = ".preview.png"  # dist/<slug>/<slug>.preview.png
DEFAULT_WIDTH = 600  # pixels: sharp at the page's 17rem on a 2x screen
COLOURS = 256
_ZLIB_LEVEL = 3  # see first_page_png
_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND"}  # no tIME, tEXt, pHYs …: only the pixels
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def first_page_png(
    pdf_bytes: bytes, width_px: int = DEFAULT_WIDTH, palette: Image.Image | None = None
) -> bytes:
    """The first page as a 256-colour PNG `width_px` wide; same PDF and pdfium, same bytes.

    Its colours are chosen by a fast octree, or are `palette`'s (a "P" image) when the caller
    knows every colour the page can hold: mapping to a given palette is ~8x faster.
    """
    import pypdfium2 as pdfium
    from PIL import Image

    if width_px < 16 or width_px > 4000:
        raise ValueError(f"preview width {width_px} is out of range (16–4000)")
    try:
        document = pdfium.PdfDocument(pdf_bytes)
    except pdfium.PdfiumError as exc:
        raise GalleysError(f"the PDF edition cannot be opened for its preview: {exc}") from None
    try:
        if len(document) == 0:
            raise GalleysError("the PDF edition has no pages to preview")
        page = document[0]
        try:
            scale = width_px / page.get_width()
            bitmap = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True)
            image = bitmap.to_pil()  # RGB already: pdfium wrote the bytes in that order
        finally:
            page.close()
    finally:
        document.close()
    if image.mode != "RGB":
        image = image.convert("RGB")
    if image.width != width_px:  # rounding of the page width at this scale
        image = image.resize((width_px, round(image.height * width_px / image.width)))
    # 256 colours (fast octree, no dithering: deterministic) keep anti-aliased text sharp at a
    # third of the size of true colour. zlib level 3 encodes 2.5x faster than its default 6
    # for 16-19 % more bytes (seed preview 2.9 ms, 45 KB instead of 7.6 ms, 39 KB; cover
    # 4 ms, 43 KB instead of 10 ms, 36 KB), and 13x faster than level 9 with optimize.
    if palette is not None:
        indexed = image.quantize(palette=palette, dither=Image.Dither.NONE)
    else:
        indexed = image.quantize(COLOURS, method=Image.Quantize.FASTOCTREE,
                                 dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    indexed.save(buffer, format="PNG", optimize=False, compress_level=_ZLIB_LEVEL)
    return strip_chunks(buffer.getvalue())


def strip_chunks(png: bytes) -> bytes:
    """The PNG with only its critical chunks: no time, text or other ancillary data."""
    if not png.startswith(_SIGNATURE):
        raise ValueError("not a PNG image")
    out = [_SIGNATURE]
    position = len(_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        end = position + 12 + length
        chunk = png[position:end]
        if zlib.crc32(chunk[4:-4]) != struct.unpack(">I", chunk[-4:])[0]:
            raise ValueError(f"damaged PNG chunk {kind!r}")
        if kind in _KEEP:
            out.append(chunk)
        position = end
        if kind == b"IEND":
            break
    return b"".join(out)
