"""Figure files as LaTeX finds them (no extension: .pdf, .png, .jpg …), read once, converted once.

`check_images` runs in the resolve stage: every image of the body is found (a missing file is an
error naming its line) and one that cannot be read (a remote address, a file outside the allowed
root, a format no edition can show) becomes a placeholder, the same in every edition, with one
warning each. The backends then `open_figure` each image and take it in a form they can hold
(`as_kind`): what they cannot hold is a PNG, PDF pages rasterized by pdfium and SVG drawn by
svglib first; conversions are cached by content within a process. (The PDF edition draws SVG
and most PDF figures as vectors: writers/pdf/images.py.)
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lxml import etree

from galleys.errors import SourceError
from galleys.front.inlines import text_nodes
from galleys.pandoc_ast import (
    SPACES,
    Node,
    attr_of,
    content_of,
    image_of,
    is_kind,
    is_node,
    kind_of,
    make,
    span,
    string,
    with_content,
)
from galleys.read import files
from galleys.read.files import FIGURE_SUFFIXES, LATEX_SUFFIXES, NotRead

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from galleys.model import Article


PRINT_DPI = 300  # PDF and DOCX: a rasterized figure prints sharp
SCREEN_DPI = 150  # EPUB: sharp on a reading device, a fraction of the bytes
RASTER_DPI = 150  # the size a pixel image has when its attributes give none
MAX_PIXELS = 50_000_000  # a larger image is most likely a decompression bomb
MAX_SVG_ELEMENTS = 200_000  # elements an SVG draws, <use> expanded: more is a drawing bomb
MEDIA_TYPES = {
    "png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
    "bmp": "image/bmp", "tiff": "image/tiff", "svg": "image/svg+xml", "pdf": "application/pdf",
}
SUFFIXES = {kind: "." + ("jpg" if kind == "jpeg" else kind) for kind in MEDIA_TYPES}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"),
    (b"GIF89a", "gif"), (b"BM", "bmp"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
    (b"%PDF-", "pdf"),
)
PLACEHOLDER_CLASS = "figure-placeholder"
PLACEHOLDER_STYLE = "Figure Placeholder"  # the DOCX paragraph style (a framed box)
CACHE_BYTES = 128_000_000  # conversions kept, the least recently used dropped beyond this
_cache: OrderedDict[tuple[str, str, int], Any] = OrderedDict()
_lock = threading.Lock()  # pdfium is not thread-safe, and the cache is shared


@dataclass(frozen=True)
class Figure:
    """A figure file's bytes and what they are."""

    path: Path
    kind: str  # a key of MEDIA_TYPES
    data: bytes = field(repr=False)
    digest: str  # sha256 of data: the cache key of every conversion


def find(folder: Path, source: str, article: Path, line: int | None = None) -> Path:
    """The file `source` names, as LaTeX finds it: a name without a figure extension is tried
    with each of LATEX_SUFFIXES. Raises NotRead or SourceError as files.resolve_image does."""
    name = unquote(source)
    if files.is_remote(source) or PurePosixPath(name).suffix.lower() in FIGURE_SUFFIXES:
        return files.resolve_image(folder, source, article, line)
    for suffix in LATEX_SUFFIXES:
        try:
            exists = (folder / (name + suffix)).is_file()
        except (OSError, ValueError):  # a name too long or holding a NUL: reported below
            exists = False
        if exists:
            return files.resolve_image(folder, source + suffix, article, line)
    try:
        return files.resolve_image(folder, source, article, line)
    except SourceError as exc:
        if exc.message.endswith("does not exist"):
            tried = ", ".join(s for s in LATEX_SUFFIXES if s.islower())
            raise SourceError(f"{exc.message} (nor with {tried})", path=article,
                              line=line) from None
        raise


def load(path: Path, source: str, article: Path, line: int | None = None) -> Figure:
    """The figure at `path` (found by `find`); a format no edition shows raises NotRead."""
    data = path.read_bytes()
    kind = _sniff(data, path)
    if kind is None:
        shown = path.suffix.lstrip(".").upper() or "unknown"
        raise NotRead(source, "is not a PNG, JPEG, GIF, WebP, BMP, TIFF, SVG or PDF file",
                      f"format {shown}, which galleys cannot show", path=article, line=line)
    if kind == "svg":
        check_svg(data, source, article, line)
    return Figure(path, kind, data, hashlib.sha256(data).hexdigest())


def open_figure(folder: Path, source: str, article: Path, line: int | None = None) -> Figure:
    """`find` and `load` in one: what a backend calls for each image of the checked body."""
    return load(find(folder, source, article, line), source, article, line)


def _sniff(data: bytes, path: Path) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:4096].lstrip()
    if path.suffix.lower() == ".svg" or (head.startswith(b"<") and b"<svg" in head):
        return "svg"
    return None


def check_svg(data: bytes, source: str, article: Path, line: int | None = None) -> None:
    """An SVG is accepted only without scripts, event handlers, foreign objects or outside links
    (svglib would read a linked file, a browser would run a script)."""

    def error(reason: str) -> SourceError:
        return SourceError(f"image {source!r} {reason}", path=article, line=line)

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise error(f"is not well-formed SVG: {exc}") from None
    if etree.QName(root).localname != "svg":
        raise error("is not an SVG file (its root element is not <svg>)")
    by_id: dict[str, Any] = {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if local in ("script", "foreignObject"):
            raise error(f"contains <{local}>")
        for key, value in node.attrib.items():
            name = etree.QName(key).localname
            if name.lower().startswith("on") or (name == "href" and not value.startswith("#")):
                raise error(f"has a {name} attribute")
            if name == "id":
                by_id[value] = node
    if _drawn_elements(root, by_id, {}, ()) > MAX_SVG_ELEMENTS:
        raise error(f"draws over {MAX_SVG_ELEMENTS:,} elements once its <use> references are "
                    "expanded (a drawing bomb), or refers to itself")


def _drawn_elements(node: Any, by_id: dict[str, Any], sizes: dict[Any, int],
                    open_uses: tuple[Any, ...]) -> int:
    """How many elements `node` draws, each <use> expanded to what it refers to; a reference
    cycle counts as over the limit."""
    if node in sizes:
        return sizes[node]
    if node in open_uses or len(open_uses) > 64:
        return MAX_SVG_ELEMENTS + 1
    total = 1
    for child in node:
        if isinstance(child.tag, str):
            total += _drawn_elements(child, by_id, sizes, open_uses)
        if total > MAX_SVG_ELEMENTS:
            break
    if etree.QName(node).localname == "use":
        href = next((v for k, v in node.attrib.items() if etree.QName(k).localname == "href"),
                    "")
        target = by_id.get(href[1:])
        if target is not None:
            total += _drawn_elements(target, by_id, sizes, (*open_uses, node))
    sizes[node] = total
    return total


# -- conversions --------------------------------------------------------------------------------

def natural_size(figure: Figure) -> tuple[float, float]:
    """The figure's own width and height in points: a PDF's page, an SVG's drawing, a pixel
    image at RASTER_DPI. A broken or oversized file is a SourceError naming it."""
    return _cached(figure, "size", 0, lambda: _natural_size(figure))


def drawing(figure: Figure) -> Drawing:
    """An SVG figure as a reportlab Drawing (vector), a fresh copy each call."""
    from svglib.svglib import svg2rlg

    made = svg2rlg(io.BytesIO(figure.data))
    if made is None or made.width <= 0 or made.height <= 0:
        raise SourceError("SVG image cannot be drawn (svglib read nothing from it)",
                          path=figure.path)
    return made


def png(figure: Figure, dpi: int) -> bytes:
    """The figure as PNG bytes: PDF and SVG rasterized at `dpi` (white behind), another pixel
    format converted as it is."""
    return _cached(figure, "png", dpi, lambda: _png(figure, dpi))


def as_kind(figure: Figure, accepted: frozenset[str], dpi: int) -> tuple[str, bytes]:
    """(kind, bytes): the figure itself when an edition holds its kind, else it as PNG."""
    if figure.kind in accepted:
        return figure.kind, figure.data
    return "png", png(figure, dpi)


def _cached(figure: Figure, what: str, dpi: int, make: Any) -> Any:
    """`make()`, once per figure content, kind of result and resolution."""
    key = (figure.digest, what, dpi)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        value = make()
        _cache[key] = value
        while len(_cache) > 1 and sum(_size(v) for v in _cache.values()) > CACHE_BYTES:
            _cache.popitem(last=False)
        return value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, bytes) else 64


def _natural_size(figure: Figure) -> tuple[float, float]:
    if figure.kind == "pdf":
        width, height = _pdf_page_size(figure)
    elif figure.kind == "svg":
        made = drawing(figure)
        width, height = float(made.width), float(made.height)
    else:
        pixels_w, pixels_h = _pixel_size(figure)
        width, height = pixels_w * 72 / RASTER_DPI, pixels_h * 72 / RASTER_DPI
    if width <= 0 or height <= 0:
        raise SourceError("image has no area", path=figure.path)
    return width, height


def _pixel_size(figure: Figure) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(figure.data)) as image:
            pixels_w, pixels_h = image.size
    except Image.DecompressionBombError:  # PIL's own bound, far above ours
        raise SourceError(f"image has over {2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels, over "
                          f"the limit of {MAX_PIXELS // 1_000_000} megapixels",
                          path=figure.path) from None
    except Exception as exc:  # noqa: BLE001 - PIL raises many types for a broken file
        raise SourceError(f"image cannot be read: {exc}", path=figure.path) from None
    if pixels_w <= 0 or pixels_h <= 0:
        raise SourceError("image has no pixels", path=figure.path)
    if pixels_w * pixels_h > MAX_PIXELS:
        raise SourceError(f"image has {pixels_w}x{pixels_h} pixels, over the limit of "
                          f"{MAX_PIXELS // 1_000_000} megapixels", path=figure.path)
    return pixels_w, pixels_h


def _pdf_page_size(figure: Figure) -> tuple[float, float]:
    import pypdfium2 as pdfium

    document = _pdf_document(figure.data, figure.path)
    try:
        page = document[0]
        try:
            return page.get_width(), page.get_height()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise SourceError(f"PDF image cannot be read: {exc}", path=figure.path) from None
    finally:
        document.close()


def _pdf_document(data: bytes, path: Path) -> Any:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise SourceError(f"PDF image cannot be read: {exc}", path=path) from None
    if len(document) == 0:
        document.close()
        raise SourceError("PDF image has no page", path=path)
    return document


def _png(figure: Figure, dpi: int) -> bytes:
    from PIL import Image

    if figure.kind == "png":
        return figure.data
    if figure.kind in ("pdf", "svg"):
        data = figure.data if figure.kind == "pdf" else _svg_as_pdf(figure)
        image = _render_pdf(data, figure, dpi)
    else:
        _pixel_size(figure)  # refuses a bomb before decoding it
        try:
            with Image.open(io.BytesIO(figure.data)) as opened:
                image = opened.convert("RGBA" if "A" in opened.getbands() else "RGB")
        except Exception as exc:  # noqa: BLE001 - PIL raises many types for a broken file
            raise SourceError(f"image cannot be read: {exc}", path=figure.path) from None
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi), compress_level=6)
    return out.getvalue()


def _svg_as_pdf(figure: Figure) -> bytes:
    from reportlab.graphics import renderPDF

    return renderPDF.drawToString(drawing(figure))


def _render_pdf(data: bytes, figure: Figure, dpi: int) -> Any:
    """The first page of PDF `data` as a PIL image at `dpi`, its pixels bounded by MAX_PIXELS."""
    document = _pdf_document(data, figure.path)
    try:
        page = document[0]
        try:
            width, height = page.get_width(), page.get_height()
            scale = dpi / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width * height)) ** 0.5
            bitmap = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True)
            image = bitmap.to_pil()
        finally:
            page.close()
    finally:
        document.close()
    return image.convert("RGB")


# -- the resolve-stage check --------------------------------------------------------------------

def check_images(blocks: list[Node], article: Article) -> tuple[list[Node], list[str]]:
    """`blocks` with every unreadable image as a placeholder, and one warning for each; the
    very list when nothing changed. A missing local file is a SourceError naming its line."""
    warnings: list[str] = []
    checked = _Checker(article, warnings).blocks(blocks)
    return checked, warnings


class _Checker:
    """Walks the body once; copies only what holds a placeholder."""

    def __init__(self, article: Article, warnings: list[str]) -> None:
        self.article = article
        self.warnings = warnings
        self.in_link = 0  # inside a Link a placeholder links nowhere: links never nest

    def blocks(self, blocks: list[Node]) -> list[Node]:
        out = [self.block(b) for b in blocks]
        return blocks if all(a is b for a, b in zip(out, blocks, strict=True)) else out

    def block(self, node: Node) -> Node:
        if is_kind(node, "Para", "Plain"):
            lone = [n for n in content_of(node) if not is_kind(n, *SPACES)]
            if len(lone) == 1 and is_kind(lone[0], "Image"):
                reason = self.unreadable(lone[0])
                if reason:
                    return _placeholder_block(lone[0], *reason)
        return self.value(node)

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            if value and all(is_node(v) for v in value) and (
                    _is_block(value[0])):
                return self.blocks(value)
            out = [self.value(v) for v in value]
            return value if all(a is b for a, b in zip(out, value, strict=True)) else out
        if isinstance(value, dict) and "c" in value:
            kind = kind_of(value)
            if kind == "Image":
                reason = self.unreadable(value)
                if reason is None:
                    return value
                return _placeholder_inline(value, reason[0], "" if self.in_link else reason[1])
            self.in_link += kind == "Link"
            new = self.value(content_of(value))
            self.in_link -= kind == "Link"
            return with_content(value, new)
        return value

    def unreadable(self, image: Node) -> tuple[str, str] | None:
        """(reason, url) when the image is shown as a placeholder; None when it can be read."""
        source = image_of(image).url
        line = source_line(self.article, source)
        try:
            figure = open_figure(self.article.folder, source, self.article.source_path, line)
        except NotRead as exc:
            where = f"{self.article.source_path}:{line}" if line else str(self.article.source_path)
            self.warnings.append(f"{where}: warning: {exc.message}: "
                                 "the editions show a placeholder")
            return exc.label, exc.url
        try:
            natural_size(figure)  # a broken or oversized file: refused here, naming its line
        except SourceError as exc:
            raise SourceError(f"image {source!r}: {exc.message}", path=self.article.source_path,
                              line=line) from None
        return None


_BLOCKS = {"Para", "Plain", "Header", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
           "BulletList", "DefinitionList", "HorizontalRule", "Table", "Figure", "Div", "LineBlock",
           "Null"}


def _is_block(node: Node) -> bool:
    return kind_of(node) in _BLOCKS


def source_line(article: Article, source: str) -> int | None:
    """The line of the article file that first names `source`, as written or percent-decoded
    as pandoc may give it (None when none does)."""
    lines = article.body.split("\n")
    for name in dict.fromkeys((source, unquote(source))):
        for number, text in enumerate(lines):
            if name in text:
                return article.body_line + number
    return None



def _placeholder_inlines(image: Node, reason: str, url: str) -> list[Node]:
    """"Image not included: ALT" and the address (a link for a web address)."""
    _attr, alt, source, _title = image_of(image)
    head: list[Node] = [make("Strong", text_nodes("Image not included"))]
    if alt:
        head += [string(":"), make("Space"), *alt]
    shown = source if len(source) <= 120 else source[:117] + "..."
    if url:
        address: Node = make("Link", [["", [], []], [string(shown)], [url, ""]])
    else:
        address = make("Code", [["", [], []], shown])
    why = text_nodes(f"({reason})")
    return [*head, make("LineBreak"), address, make("Space"), *why]


def _placeholder_block(image: Node, reason: str, url: str) -> Node:
    attr = ["", [PLACEHOLDER_CLASS], [["custom-style", PLACEHOLDER_STYLE]]]
    return make("Div", [attr, [make("Para", _placeholder_inlines(image, reason, url))]])


def _placeholder_inline(image: Node, reason: str, url: str) -> Node:
    inlines = [n if not is_kind(n, "LineBreak") else make("Space")
               for n in _placeholder_inlines(image, reason, url)]
    return span([PLACEHOLDER_CLASS], [string("["), *inlines, string("]")], attr_of(image).ident)
