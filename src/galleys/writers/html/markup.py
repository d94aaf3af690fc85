"""Front-matter text as HTML for the templates: every string escaped, links only http(s) and
mailto, formulas as MathML."""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup, escape

from galleys.front.inlines import Inlines
from galleys.resolve.mathml import MathError, formula
from galleys.scripts import lang_direction

SAFE_SCHEMES = ("http", "https", "mailto")
_MARK_TAGS = (  # outermost first, so nesting is stable from run to run
    ("strong", "strong", ""),
    ("emph", "em", ""),
    ("underline", "u", ""),
    ("strike", "s", ""),
    ("sup", "sup", ""),
    ("sub", "sub", ""),
    ("smallcaps", "span", "smallcaps"),
    ("code", "code", ""),
    ("math", "span", "math"),
    ("isolate", "bdi", ""),
)


def safe_url(url: str) -> str:
    """`url` if it is http(s) or mailto, else "" (no javascript:, data:, file: …)."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in SAFE_SCHEMES else ""


def _wrap(tag: str, css_class: str, inner: Markup | str) -> Markup:
    if css_class:
        return Markup('<{0} class="{1}">{2}</{0}>').format(Markup(tag), css_class, inner)
    return Markup("<{0}>{1}</{0}>").format(Markup(tag), inner)


def runs(value: Inlines) -> Markup:
    """Rich runs as inline HTML: marks become elements, safe links become <a>."""
    out = []
    for run in value:
        piece: Markup | str = run.text
        if "math" in run.marks and "code" not in run.marks:
            piece = _math(run.text)
        for mark, tag, css_class in reversed(_MARK_TAGS):
            if mark in run.marks:
                piece = _wrap(tag, css_class, piece)
        if run.lang:
            piece = Markup('<span lang="{0}" dir="{1}">{2}</span>').format(
                run.lang, lang_direction(run.lang), piece
            )
        href = safe_url(run.link) if run.link else ""
        out.append(Markup('<a href="{0}">{1}</a>').format(href, piece) if href else escape(piece))
    return Markup("").join(out)


def link(url: str, text: str = "") -> Markup:
    """A link to `url` showing `text` (else the URL); only the text when the URL is not safe."""
    href = safe_url(url)
    if href:
        return Markup('<a href="{0}">{1}</a>').format(href, text or url)
    return escape(text or url)


def _math(tex: str) -> Markup | str:
    """A formula as MathML (browsers draw it without JavaScript), else its TeX as text."""
    try:
        return Markup(formula(tex).mathml)  # serialized by ElementTree: every value escaped
    except MathError:
        return tex
