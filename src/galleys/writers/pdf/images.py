"""Figures for the PDF edition: pixels as they are, SVG drawings and PDF pages as vectors."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject
from reportlab.graphics.shapes import String
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFZCompress,
    xObjectName,
)
from reportlab.platypus import Flowable, Image

from galleys.pandoc_ast import image_of
from galleys.resolve import figures
from galleys.writers.pdf.fonts import FontSet
from galleys.writers.pdf.markup import attr
from galleys.writers.pdf.styles import RULE
from galleys.writers.pdf.table import framed_box

_UNITS = {"px": 0.75, "pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
_DIRECT = frozenset({"png", "jpeg"})  # what reportlab embeds as it is


def figure_flowable(figure: figures.Figure, attrs: list[list[str]], max_width: float,
                    max_height: float, fonts: FontSet) -> Flowable:
    """A centred flowable of `figure`, sized by its attributes, scaled to fit; an SVG's text
    in the edition's `fonts`."""
    width, height = fit(figures.natural_size(figure), attrs, max_width, max_height)
    form = pdf_form(figure) if figure.kind == "pdf" else None
    if figure.kind == "svg":
        drawing = _in_fonts(figures.drawing(figure), fonts)
        flowable: Flowable = _scaled(drawing, width, height)
    elif form is not None:
        flowable = PdfPageFigure(form, figure.digest, width, height)
    elif figure.kind in _DIRECT:
        flowable = Image(str(figure.path), width=width, height=height)
    else:
        flowable = Image(io.BytesIO(figures.png(figure, figures.PRINT_DPI)), width=width,
                         height=height)
    flowable.hAlign = "CENTER"
    return flowable


def inline_markup(figure: figures.Figure, attrs: list[list[str]], max_width: float,
                  max_height: float) -> str:
    """A Paragraph `<img>` tag of `figure` in a line of text (a vector figure as pixels)."""
    width, height = fit(figures.natural_size(figure), attrs, max_width, max_height)
    if figure.kind in _DIRECT:
        source = str(figure.path)
    else:
        data = base64.b64encode(figures.png(figure, figures.PRINT_DPI)).decode("ascii")
        source = f"data:image/png;base64,{data}"
    return (f'<img src="{attr(source)}" width="{width:.2f}" height="{height:.2f}" '
            f'valign="middle"/>')


def placeholder_box(content: list[Flowable], width: float, font: str) -> Flowable:
    """The framed box that stands where an image could not be read, centred."""
    box = framed_box(content, width * 0.9, font, RULE, padding=(8, 4))
    box.hAlign = "CENTER"
    return box


class PdfPageFigure(Flowable):
    """A PDF figure's first page drawn as a form XObject: its vectors and fonts, not pixels."""

    def __init__(self, form: tuple[Any, tuple[float, ...]], digest: str, width: float,
                 height: float) -> None:
        super().__init__()
        self._form, (self._x0, self._y0, self._x1, self._y1) = form
        self._name = f"galleys-figure-{digest[:20]}"  # one object however often it is drawn
        self.width, self.height = width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        document = canvas._doc  # noqa: SLF001 - where reportlab keeps a document's objects
        if not document.hasForm(self._name):
            document.Reference(self._form, xObjectName(self._name))
        canvas.saveState()
        canvas.scale(self.width / (self._x1 - self._x0), self.height / (self._y1 - self._y0))
        canvas.translate(-self._x0, -self._y0)
        canvas.doForm(self._name)
        canvas.restoreState()


class _Indirect(PDFDictionary):
    """A dictionary the figure's file keeps as an object of its own: referenced, never inlined
    (so a cycle of references stays a cycle of references)."""

    __RefOnly__ = 1


class _NotVector(Exception):
    """The page holds what is not copied as it is (an image codec, an inherited resource)."""


_LOSSLESS = {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/ASCII85Decode", "/A85",
             "/ASCIIHexDecode", "/AHx", "/RunLengthDecode", "/RL"}
_STREAM_KEYS = {"/Length", "/Filter", "/DecodeParms", "/DL"}  # reportlab writes its own
_MAX_DEPTH = 64


def pdf_form(figure: figures.Figure) -> tuple[Any, tuple[float, ...]] | None:
    """The figure's first page as a reportlab form XObject and its box; None where it is not
    copied faithfully (a rotated page, JPEG or other image codecs, a font it does not embed,
    a broken file): it is then rasterized at print resolution instead."""
    try:
        page = PdfReader(io.BytesIO(figure.data)).pages[0]
        resources, contents = page.get("/Resources"), page.get_contents()
        if int(page.get("/Rotate", 0)) % 360 or resources is None or contents is None:
            return None
        box = tuple(float(v) for v in page.cropbox)
        memo: dict[tuple[int, int], Any] = {}
        entries = {"Type": PDFName("XObject"), "Subtype": PDFName("Form"),
                   "BBox": PDFArray(list(box)), "Resources": _copy(resources, memo, 0)}
        if "/Group" in page:
            entries["Group"] = _copy(page["/Group"], memo, 0)
        form = PDFStream(PDFDictionary(entries), contents.get_data(), [PDFZCompress])
        return form, box
    except (_NotVector, RecursionError):
        return None
    except Exception:  # noqa: BLE001 - pypdf raises many types for a broken file
        return None


def _copy(value: Any, memo: dict[tuple[int, int], Any], depth: int) -> Any:
    """A pypdf object as reportlab objects: containers rebuilt, leaves as pypdf writes them."""
    if depth > _MAX_DEPTH:
        raise _NotVector("nested too deeply")
    if isinstance(value, IndirectObject):
        key = (value.idnum, value.generation)
        if key not in memo:
            target = value.get_object()
            if isinstance(target, StreamObject):
                memo[key] = _stream(target, memo, depth)
            elif isinstance(target, DictionaryObject):
                memo[key] = _Indirect({})
                memo[key].dict.update(_entries(target, memo, depth))
            else:
                memo[key] = _copy(target, memo, depth + 1)
        return memo[key]
    if isinstance(value, StreamObject):
        return _stream(value, memo, depth)
    if isinstance(value, DictionaryObject):
        return PDFDictionary(_entries(value, memo, depth))
    if isinstance(value, ArrayObject):
        return PDFArray([_copy(item, memo, depth + 1) for item in value])
    out = io.BytesIO()
    value.write_to_stream(out)
    return out.getvalue()


def _entries(value: Any, memo: dict[tuple[int, int], Any], depth: int) -> dict[str, Any]:
    if value.get("/Type") == "/Font" and not _embedded(value):
        raise _NotVector("a font the file does not embed")  # the edition embeds every font
    return {key[1:]: _copy(item, memo, depth + 1) for key, item in value.items()}


def _embedded(font: Any) -> bool:
    """Whether a font dictionary carries its glyphs (a Type 3 font is its own glyphs)."""
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _stream(stream: Any, memo: dict[tuple[int, int], Any], depth: int) -> Any:
    filters = stream.get("/Filter", [])
    names = [str(f) for f in (filters if isinstance(filters, ArrayObject) else [filters])]
    if any(name not in _LOSSLESS for name in names):
        raise _NotVector(f"a stream with {names}")
    entries = {key: item for key, item in stream.items() if key not in _STREAM_KEYS}
    dictionary = PDFDictionary({key[1:]: _copy(item, memo, depth + 1)
                                for key, item in entries.items()})
    return PDFStream(dictionary, stream.get_data(), [PDFZCompress])


def fit(natural: tuple[float, float], attrs: list[list[str]], max_width: float,
        max_height: float) -> tuple[float, float]:
    """Width and height in points: the requested size (aspect kept when one side is given),
    else the natural one, scaled down to fit."""
    natural_w, natural_h = natural
    wanted = dict(attrs)
    width = _length(wanted.get("width", ""), max_width)
    height = _length(wanted.get("height", ""), max_height)
    if width and not height:
        height = width * natural_h / natural_w
    elif height and not width:
        width = height * natural_w / natural_h
    elif not width:
        width, height = natural_w, natural_h
    scale = min(1.0, max_width / width, max_height / height)
    return width * scale, height * scale


def image_node(node: dict[str, Any]) -> tuple[str, list[list[str]]]:
    """(source, attributes) of a pandoc Image node."""
    image = image_of(node)
    return image.url, image.attr.pairs


def open_figure(folder: Path, node: dict[str, Any], article: Path) -> figures.Figure:
    """The figure an Image node names (the resolve stage has checked it can be read)."""
    source, _attrs = image_node(node)
    return figures.open_figure(folder, source, article)


def _in_fonts(drawing: Any, fonts: FontSet) -> Any:
    """`drawing` with the edition's embedded faces: svglib names the standard PDF fonts
    (Helvetica, Times, Courier), which a PDF never embeds; each text gets the face of its kind."""
    drawing.initialFontName = fonts.face("sans").name  # what reportlab sets before any text
    nodes = [drawing]
    while nodes:
        node = nodes.pop()
        if isinstance(node, String):
            name = node.fontName.lower()
            role = ("mono" if "courier" in name or "mono" in name else
                    "serif" if "times" in name or ("serif" in name and "sans" not in name) else
                    "sans")
            node.fontName = fonts.face(role, "bold" in name,
                                       "italic" in name or "oblique" in name).name
        nodes += getattr(node, "contents", [])
    return drawing


def _scaled(drawing: Any, width: float, height: float) -> Any:
    drawing.scale(width / drawing.width, height / drawing.height)
    drawing.width, drawing.height = width, height
    return drawing


def _length(text: str, whole: float) -> float:
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(%|px|pt|in|cm|mm)?\s*", text)
    if not match:
        return 0.0
    number, unit = float(match.group(1)), match.group(2) or "px"
    return whole * number / 100 if unit == "%" else number * _UNITS[unit]
