"""Figures for the PDF edition: pixels as they are, SVG as vectors, PDF pages rasterized."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, Image, Table, TableStyle

from .. import figures
from .pdf_markup import attr
from .pdf_styles import RULE

_UNITS = {"px": 0.75, "pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
_DIRECT = frozenset({"png", "jpeg"})  # what reportlab embeds as it is


def figure_flowable(figure: figures.Figure, attrs: list[list[str]], max_width: float,
                    max_height: float) -> Flowable:
    """A centred flowable of `figure`, sized by its attributes, scaled to fit."""
    width, height = fit(figures.natural_size(figure), attrs, max_width, max_height)
    if figure.kind == "svg":
        flowable: Flowable = _scaled(figures.drawing(figure), width, height)
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


def placeholder_box(content: list[Flowable], width: float) -> Flowable:
    """The framed box that stands where an image could not be read."""
    box = Table([[content]], colWidths=[width * 0.9])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, RULE),
                             ("TOPPADDING", (0, 0), (-1, -1), 8),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                             ("LEFTPADDING", (0, 0), (-1, -1), 10),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 10)]))
    box.hAlign = "CENTER"
    return box


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
    attr, _alt, target = node["c"]
    return target[0], attr[2]


def open_figure(folder: Path, node: dict[str, Any], article: Path) -> figures.Figure:
    """The figure an Image node names (the resolve stage has checked it can be read)."""
    source, _attrs = image_node(node)
    return figures.open_figure(folder, source, article)


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
