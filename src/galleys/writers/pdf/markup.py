"""Safe reportlab Paragraph markup: user text escaped, fonts chosen per character, gaps recorded."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

from galleys.errors import InternalError, SourceError
from galleys.front.inlines import Inlines
from galleys.pandoc_ast import (
    code_of,
    content_of,
    inlines_of,
    link_of,
    math_of,
    node_kind,
    quoted_of,
    span_of,
    text_of,
)
from galleys.resolve import links
from galleys.scripts import font_package, script_of
from galleys.writers.bidi import isolate
from galleys.writers.pdf.fonts import FontSet
from galleys.writers.pdf.formulas import MathSetter
from galleys.writers.pdf.hyphenation import soft_hyphens

LINK_COLOR = "#1a4f8b"
_QUOTES = {False: ("\u2018", "\u2019"), True: ("\u201c", "\u201d")}  # single, double
_MARK_TAGS = {"strike": "strike", "underline": "u", "sup": "super", "sub": "sub"}


def attr(value: str) -> str:
    """A value escaped for a double-quoted markup attribute."""
    return escape(value, quote=False).replace('"', "&quot;").replace("'", "&apos;")


def safe_url(url: str) -> str:
    """`url` if it may become a link to outside the article (links.allowed), else ""."""
    url = url.strip()
    return url if links.allowed(url) and not url.startswith("#") else ""


@dataclass
class Markup:
    """Builds markup from text and records characters that no font can draw, and where."""

    fonts: FontSet
    where: str = "the article"
    direction: str = "ltr"  # the article's: paragraphs without a strong letter take it
    missing: dict[str, list[str]] = field(default_factory=dict)
    source: Path | None = None  # the article's file, named in warnings about formulas
    strict: bool = False  # a formula that cannot be laid out is an error, not a warning
    lang: str = ""  # the article's language: a span in another one gets its soft hyphens
    math: MathSetter = field(init=False)
    _draws_ascii: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.math = MathSetter(self.fonts.family("math"), self.fonts.face("serif").path,
                               self.source, self.strict)

    def formula(self, tex: str, display: bool, size: float) -> str:
        """Markup for a formula in running text at `size` points: laid out in the math face,
        else (warned about) its TeX in that face."""
        placed = self.math.layout(tex, display, size, self.where)
        if placed is not None:
            return self.math.inline(placed)
        return f'<font name="{self.fonts.family("math")}">{self.text(tex, "math")}</font>'

    def text(self, text: str, role: str = "serif", bold: bool = False, italic: bool = False
             ) -> str:
        """`text` escaped; characters the role's face lacks are set in a face that has them."""
        base = self.fonts.face(role, bold, italic)
        coverage = base.coverage
        if all(ord(c) in coverage or c in "\n\t\r" for c in text):
            return escape(text, quote=False)
        out: list[str] = []
        current = base.name
        current_coverage = coverage
        chunk: list[str] = []
        for char in text:
            code = ord(char)
            if current != base.name and code in current_coverage and _follows(char):
                found: str | None = current  # marks, digits, punctuation stay in the run's face
            elif code in coverage or char in "\n\t\r":
                found = base.name
            else:
                found = self.fonts.covering(code, role, bold, italic)
            if found is None:
                self.missing.setdefault(char, [])
                if self.where not in self.missing[char]:
                    self.missing[char].append(self.where)
                found = base.name
            if found != current:
                out.append(self._chunk("".join(chunk), current, base.name))
                chunk, current = [], found
                current_coverage = self.fonts.coverage_of(found)
            chunk.append(char)
        out.append(self._chunk("".join(chunk), current, base.name))
        return "".join(out)

    def draws_ascii(self, role: str, bold: bool, italic: bool) -> bool:
        """Whether the face for these settings draws every printable ASCII character."""
        face = self.fonts.face(role, bold, italic)
        known = self._draws_ascii.get(face.name)
        if known is None:
            known = self._draws_ascii[face.name] = face.coverage.issuperset(_ASCII)
        return known

    def check(self) -> None:
        """Raise SourceError listing every character no font can draw, where it occurs, and
        the Debian font package that would cover it."""
        if not self.missing:
            return
        parts = [f"U+{ord(c):04X} {c!r} in {', '.join(w[:3])} (install {font_package(c)})"
                 for c, w in self.missing.items()]
        raise SourceError("no installed font can draw these characters: " + "; ".join(parts))

    def runs(self, runs: Inlines, role: str = "serif", bold: bool = False, size: float = 10.0
             ) -> str:
        """Markup for front-matter rich runs set at `size` points."""
        out = []
        for run in runs:
            marks = run.marks
            if "math" in marks and "code" not in marks:
                out.append(self._wrap(self.formula(run.text, False, size),
                                      marks - {"emph", "strong", "smallcaps"}, role, role))
                continue
            run_role = "mono" if "code" in marks else "math" if "math" in marks else role
            run_bold = bold or "strong" in marks
            italic = "emph" in marks
            body = self.text(run.text, run_role, run_bold, italic)
            if "smallcaps" in marks:
                body = self.small_caps(run.text, run_role, run_bold, italic)
            body = self._wrap(body, marks, run_role, role)
            url = safe_url(run.link)
            if url:
                body = f'<a href="{attr(url)}" color="{LINK_COLOR}">{body}</a>'
            out.append(body)
        return "".join(out)

    def small_caps(self, text: str, role: str, bold: bool, italic: bool) -> str:
        """Lower-case letters as smaller capitals (reportlab has no small-caps feature)."""
        out = []
        for lower, group in itertools.groupby(text, key=_is_lower):
            chunk = "".join(group)
            if lower:
                out.append(f'<font size="-2">{self.text(chunk.upper(), role, bold, italic)}</font>')
            else:
                out.append(self.text(chunk, role, bold, italic))
        return "".join(out)

    def _wrap(self, body: str, marks: frozenset[str], run_role: str, role: str) -> str:
        if "emph" in marks:
            body = f"<i>{body}</i>"
        if "strong" in marks:
            body = f"<b>{body}</b>"
        for mark, tag in _MARK_TAGS.items():
            if mark in marks:
                body = f"<{tag}>{body}</{tag}>"
        if "isolate" in marks:
            body = isolate(body)
        if run_role != role:
            body = f'<font name="{self.fonts.family(run_role)}">{body}</font>'
        return body

    def _chunk(self, text: str, current: str, base: str) -> str:
        if not text:
            return ""
        if current == base:
            return escape(text, quote=False)
        return f'<font name="{current}">{escape(text, quote=False)}</font>'


_WORDS = ("Str", "Space", "SoftBreak")
_ASCII = frozenset(range(32, 127))


def _follows(char: str) -> bool:
    """True for a character that belongs to the letters around it: a mark, digit, space,
    punctuation (so an Arabic phrase's comma and full stop are shaped with it)."""
    return script_of(char) in ("Zinh", "Zyyy")


@dataclass
class InlineContext:
    """What inline conversion needs from the body visitor: notes, anchors, images."""

    note: Callable[[list[dict[str, Any]]], str]  # note blocks -> marker markup
    anchor: Callable[[str], str]  # element id -> destination name ("" when unknown)
    image: Callable[[dict[str, Any]], str]  # Image node -> <img/> markup


@dataclass(frozen=True)
class _State:
    role: str = "serif"
    bold: bool = False
    italic: bool = False
    size: float = 10.0  # points: formulas are laid out at the text's size
    lang: str = ""  # a span's own language (hyphenated by its dictionary), else ""


def inlines(markup: Markup, nodes: list[dict[str, Any]], ctx: InlineContext,
            role: str = "serif", bold: bool = False, italic: bool = False, size: float = 10.0
            ) -> str:
    """Markup for pandoc inline nodes at `size` points; raises SourceError on a node type it
    does not know."""
    return _many(markup, nodes, ctx, _State(role, bold, italic, size))


def _many(markup: Markup, nodes: list[dict[str, Any]], ctx: InlineContext, state: _State) -> str:
    """Markup for a node list; runs of words and spaces go through Markup.text at once."""
    out: list[str] = []
    words: list[dict[str, Any]] = []
    for node in nodes:
        if node_kind(node) in _WORDS:
            words.append(node)
            continue
        if words:
            out.append(_words(markup, words, ctx, state))
            words = []
        out.append(_inline(markup, node, ctx, state))
    if words:
        out.append(_words(markup, words, ctx, state))
    return "".join(out)


def _words(markup: Markup, nodes: list[dict[str, Any]], ctx: InlineContext, state: _State
           ) -> str:
    """Plain ASCII text in one escape when the face draws all of ASCII, else node by node
    (so a script's run of faces is cut exactly where it always was)."""
    text = "".join(_plain(node) for node in nodes)
    if state.lang:
        return "".join(_inline(markup, node, ctx, state) for node in nodes)
    if text.isascii() and text.isprintable() and markup.draws_ascii(state.role, state.bold,
                                                                    state.italic):
        return escape(text, quote=False)
    return "".join(_inline(markup, node, ctx, state) for node in nodes)


def _inline(markup: Markup, node: dict[str, Any], ctx: InlineContext, state: _State) -> str:
    kind = node_kind(node)
    content: Any = content_of(node)  # its shape depends on the kind
    if kind == "Str":
        if state.lang:
            content = soft_hyphens(content, state.lang)
        return markup.text(content, state.role, state.bold, state.italic)
    if kind in ("Space", "SoftBreak"):
        return " "
    if kind == "LineBreak":
        return "<br/>"
    if kind == "Emph":
        inner = replace(state, italic=True)
        return f"<i>{_many(markup, content, ctx, inner)}</i>"
    if kind == "Strong":
        inner = replace(state, bold=True)
        return f"<b>{_many(markup, content, ctx, inner)}</b>"
    if kind in ("Strikeout", "Underline", "Superscript", "Subscript"):
        tag = {"Strikeout": "strike", "Underline": "u", "Superscript": "super",
               "Subscript": "sub"}[kind]
        return f"<{tag}>{_many(markup, content, ctx, state)}</{tag}>"
    if kind == "SmallCaps":
        return "".join(
            markup.small_caps(_plain(n), state.role, state.bold, state.italic)
            if node_kind(n) in _WORDS else _inline(markup, n, ctx, state)
            for n in content
        )
    if kind == "Code":
        text = code_of(node).text
        return _face(markup, "mono", markup.text(text, "mono", state.bold, state.italic))
    if kind == "Math":
        display, tex = math_of(node)
        body = markup.formula(tex, display, state.size)
        return f"<br/>{body}<br/>" if display else body
    if kind == "Link":
        return _link(markup, node, ctx, state)
    if kind == "Span":
        span_attr, inlines = span_of(node)
        anchor = ctx.anchor(span_attr.ident)
        target = f'<a name="{attr(anchor)}"/>' if anchor else ""
        lang = dict(span_attr.pairs).get("lang", "")
        if lang and lang != markup.lang:
            state = replace(state, lang=lang)
        return target + _many(markup, inlines, ctx, state)
    if kind == "Quoted":
        double, inlines = quoted_of(node)
        left, right = _QUOTES[double]
        return left + _many(markup, inlines, ctx, state) + right
    if kind == "Cite":
        return _many(markup, inlines_of(node), ctx, state)
    if kind == "Note":
        return ctx.note(content)
    if kind == "Image":
        return ctx.image(node)
    raise InternalError(f"the PDF edition cannot lay out the inline element {kind}",
                        key=markup.where)


def _face(markup: Markup, role: str, body: str) -> str:
    return f'<font name="{markup.fonts.family(role)}">{body}</font>'


def _link(markup: Markup, node: dict[str, Any], ctx: InlineContext, state: _State) -> str:
    link = link_of(node)
    body = _many(markup, link.inlines, ctx, state)
    target = link.url
    if target.startswith("#"):
        anchor = ctx.anchor(target[1:])
        if anchor:
            return f'<a href="#{attr(anchor)}" color="{LINK_COLOR}">{body}</a>'
        return body
    url = safe_url(target)
    if not url:
        return body
    return f'<a href="{attr(url)}" color="{LINK_COLOR}">{body}</a>'


def _is_lower(char: str) -> bool:
    return char.islower() and len(char.upper()) == 1


def _plain(node: dict[str, Any]) -> str:
    return text_of(node) if node_kind(node) == "Str" else " "
