"""TeX math as MathML (latex2mathml), once per formula: the one translation every edition uses.

The EPUB and the landing page carry the MathML itself (with the TeX as `alttext`); the PDF lays
the same MathML out with ziamath (writers/pdf/formulas.py); `galleys check` compares a formula by
the Unicode text of its MathML, which is what the PDF's text layer and the EPUB's `<math>` read back
as. latex2mathml is imported on the first formula (~130 ms): articles without math never pay.
amsmath's `aligned` is handed to it as `align*` (the same columns; it knows no `aligned`), and
a formula it turns into broken XML (an environment it does not know) is a MathError, as any.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, fields, replace
from typing import Any

from galleys.front.inlines import Run

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
# amsmath's `aligned` (align* inside a formula) is align* to latex2mathml, which knows no other
_ALIGNED = re.compile(r"\\(begin|end)\s*\{aligned\}")
_TOKENS = ("mi", "mo", "mn", "mtext", "ms")
_PLAIN_SPACE = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u2005": " ", "\u205f": " "})


class MathError(ValueError):
    """A formula latex2mathml cannot translate, or whose MathML keeps TeX it did not know."""


@dataclass(frozen=True)
class Formula:
    """One formula: its TeX, MathML (a `<math>` element, `alttext` = the TeX, `dir="ltr"`) and
    plain text."""

    tex: str
    display: bool
    mathml: str  # serialized, default namespace, no XML declaration
    text: str  # the Unicode characters of the MathML, in order ("𝐐(𝐱,t)∈ℝm×n")


@functools.lru_cache(maxsize=4096)
def formula(tex: str, display: bool = False) -> Formula:
    """The formula for `tex`; MathError when it cannot be translated faithfully."""
    from latex2mathml.converter import convert  # ~130 ms to import: only for articles with math

    source = tex.strip()
    if not source:
        raise MathError("the formula is empty")
    try:
        converted = convert(_ALIGNED.sub(r"\\\1{align*}", source),
                            display="block" if display else "inline")
        root = ET.fromstring(converted)
    except ET.ParseError:  # an environment it does not know: `&` left bare
        raise MathError("latex2mathml cannot translate it (an unknown environment?)") from None
    except Exception as error:  # latex2mathml raises many types (its own, IndexError, …)
        raise MathError(f"{type(error).__name__}: {error}".rstrip(": ")) from None
    unknown = sorted({word for element in root.iter() if _local(element.tag) in _TOKENS
                      for word in _CONTROL_WORD.findall(element.text or "")})
    if unknown:
        raise MathError(f"unknown command {', '.join(unknown)}")
    _unwrap_rows(root)
    for element in root.iter():  # latex2mathml writes columnspacing="" (EPUBCheck: invalid)
        for name in [name for name, value in element.attrib.items() if not value.strip()]:
            del element.attrib[name]
    root.set("alttext", source)
    root.set("dir", "ltr")  # TeX's order, in a right-to-left paragraph too (MathML 3's dir)
    text = "".join(root.itertext()).translate(_PLAIN_SPACE)
    ET.register_namespace("", MATHML_NS)
    return Formula(source, display, ET.tostring(root, encoding="unicode"), text)


def unicode_text(tex: str, display: bool = False) -> str:
    """The Unicode text of a formula, or its TeX when it cannot be translated."""
    try:
        return formula(tex, display).text
    except MathError:
        return tex


def runs_as_text(value: Any) -> Any:
    """`value` (a FrontMatter or any dataclass, runs or tuples of them) with every math run's
    TeX replaced by its Unicode text: the form the editions' text layers read back as."""
    if isinstance(value, Run):
        if "math" not in value.marks:
            return value
        return replace(value, text=unicode_text(value.text), marks=value.marks - {"math"})
    if isinstance(value, tuple):
        return tuple(runs_as_text(item) for item in value)
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        changes = {f.name: runs_as_text(getattr(value, f.name)) for f in fields(value)
                   if f.init and _holds_runs(getattr(value, f.name))}
        return replace(value, **changes) if changes else value
    return value


def _holds_runs(value: Any) -> bool:
    if isinstance(value, Run):
        return True
    if isinstance(value, tuple):
        return any(_holds_runs(item) for item in value)
    return hasattr(value, "__dataclass_fields__") and not isinstance(value, type)


def _unwrap_rows(element: ET.Element) -> None:
    """Replace each `<mrow>` holding one element (no attributes, no text) by that element, and
    lift the children of `<math>`'s only `<mrow>`: the same formula (MathML: "an mrow with one
    argument is equivalent to its argument"), and ziamath lays every row's children out twice
    (to measure stretchy operators), so each level of needless nesting doubled the time
    (84 formulas: 1.06 s -> 0.43 s). A lone `<mo>` keeps its row (TeX's `{,}`)."""
    for index, child in enumerate(list(element)):
        _unwrap_rows(child)
        while _lone_row(child) and _local(child[0].tag) != "mo":
            inner = child[0]
            inner.tail = child.tail
            element[index] = inner
            child = inner
    if _local(element.tag) == "math" and len(element) == 1 and _lone_row(element[0], any_size=True):
        row = element[0]
        element.remove(row)
        element.extend(row)


def _lone_row(element: ET.Element, any_size: bool = False) -> bool:
    return (_local(element.tag) == "mrow" and not element.attrib
            and not (element.text or "").strip() and (any_size or len(element) == 1)
            and all(not (child.tail or "").strip() for child in element))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def append_math(parent: Any, tex: str, display: bool = False) -> bool:
    """Append the formula's `<math>` to an lxml element (EPUB, HTML); False, with nothing
    appended, when it cannot be translated (the PDF edition warns about it)."""
    from lxml import etree

    try:
        made = formula(tex, display)
    except MathError:
        return False
    element = etree.fromstring(made.mathml)
    element.tail = None
    parent.append(element)
    return True


def math_nodes_as_text(value: Any) -> Any:
    """Pandoc JSON (a node, a list of them) with each Math node's TeX replaced by its Unicode
    text: for labels that cannot hold MathML (an EPUB's navigation, alt text)."""
    if isinstance(value, list):
        return [math_nodes_as_text(item) for item in value]
    if not isinstance(value, dict) or "c" not in value:
        return value
    if value.get("t") == "Math":
        kind, tex = value["c"]
        return {**value, "c": [kind, unicode_text(tex, kind.get("t") == "DisplayMath")]}
    return {**value, "c": math_nodes_as_text(value["c"])}
