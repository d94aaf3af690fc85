"""A tiny safe HTML builder for the landing pages: text is always escaped, markup is only ours."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from galleys.front.inlines import Inlines
from galleys.resolve.mathml import MathError, formula
from galleys.scripts import lang_direction

_NAME = re.compile(r"^[a-z][a-z0-9:-]*$")
VOID = frozenset({"meta", "link", "img", "br", "hr", "input"})
SAFE_SCHEMES = ("http", "https", "mailto")
_MARK_TAGS = (  # outermost first, so nesting is stable from run to run
    ("strong", "strong", None),
    ("emph", "em", None),
    ("underline", "u", None),
    ("strike", "s", None),
    ("sup", "sup", None),
    ("sub", "sub", None),
    ("smallcaps", "span", "smallcaps"),
    ("code", "code", None),
    ("math", "span", "math"),
    ("isolate", "bdi", None),
)

Attrs = dict[str, str | bool | None]


class Markup(str):
    """HTML that we made ourselves; a plain str is text and gets escaped."""

    __slots__ = ()


def escape(text: str) -> Markup:
    """Text as HTML, safe in double-quoted attributes too (the only kind we write)."""
    return Markup(html.escape(text, quote=False).replace('"', "&quot;"))


def el(tag: str, attrs: Attrs | None = None, *children: object) -> Markup:
    """An element: attribute values and str children are escaped; None and False are left out."""
    if not _NAME.match(tag):
        raise ValueError(f"bad tag name {tag!r}")
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        if not _NAME.match(name):
            raise ValueError(f"bad attribute name {name!r}")
        if value is None or value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{escape(str(value))}"')
    parts.append(">")
    if tag in VOID:
        if children:
            raise ValueError(f"<{tag}> cannot have children")
        return Markup("".join(parts))
    parts.append(join(children))
    parts.append(f"</{tag}>")
    return Markup("".join(parts))


def join(children: object, separator: str = "") -> Markup:
    """Children as one piece of markup: Markup as is, str escaped, lists flattened."""
    out = []
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is None or child is False:
            continue
        if isinstance(child, Markup):
            out.append(str(child))
        elif isinstance(child, str):
            out.append(str(escape(child)))
        elif isinstance(child, list | tuple):
            out.append(str(join(child)))
        else:
            raise TypeError(f"cannot put {type(child).__name__} into HTML")
    return Markup(separator.join(out))


def safe_url(url: str) -> str:
    """`url` if it is http(s) or mailto, else "" (no javascript:, data:, file: …)."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in SAFE_SCHEMES else ""


def inlines(runs: Inlines) -> Markup:
    """Rich runs as inline HTML: marks become elements, safe links become <a>."""
    out = []
    for run in runs:
        piece: Markup | str = run.text
        if "math" in run.marks and "code" not in run.marks:
            piece = _math(run.text)
        for mark, tag, css_class in reversed(_MARK_TAGS):
            if mark in run.marks:
                piece = el(tag, {"class": css_class}, piece)
        if run.lang:
            piece = el("span", {"lang": run.lang, "dir": lang_direction(run.lang)}, piece)
        href = safe_url(run.link) if run.link else ""
        out.append(el("a", {"href": href}, piece) if href else piece)
    return join(out)


def _math(tex: str) -> Markup | str:
    """A formula as MathML (browsers draw it without JavaScript), else its TeX as text."""
    try:
        return Markup(formula(tex).mathml)  # serialized by ElementTree: every value escaped
    except MathError:
        return tex
