"""Checks every body node for the DOCX writer and embeds images from the article folder."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from galleys.errors import InternalError, SourceError
from galleys.pandoc_ast import (
    Node,
    attr_of,
    content_of,
    image_of,
    inlines_of,
    is_display_math,
    is_kind,
    link_of,
    make,
    math_of,
    node_kind,
    raw,
    span_of,
)
from galleys.resolve import links
from galleys.resolve.figures import MEDIA_TYPES, PRINT_DPI, as_kind, open_figure

_IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "bmp", "tiff"})  # Word's own; others as PNG
_LEAF_BLOCKS = {"CodeBlock", "HorizontalRule"}
CALLOUT_STYLE = "Callout"  # docx_reference: a framed, shaded paragraph style
EQUATION_STYLE = "Numbered Equation"  # docx_reference; package.py sets its tab stops
TAB_XML = "<w:r><w:tab/></w:r>"
PAGE_BREAK_XML = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
_GAPS = {"Space", "SoftBreak", "LineBreak"}
_LEAF_INLINES = {"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math"}
_WRAPPING_INLINES = {"Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript",
                     "SmallCaps"}


class BodyPreparer:
    """Walks the body: raises on unknown or raw nodes, turns images into data: URIs.

    The body is shared with the other editions (rendered beside this one), so it is never
    changed: a node that changes is copied, with the lists and nodes that hold it, and the rest
    is shared (a whole-body deep copy took a JSON round trip an article).
    """

    def __init__(self, folder: Path, source: Path) -> None:
        self.folder = folder.resolve()
        self.source = source
        self.images: dict[str, str] = {}  # data: URI -> the target the author wrote
        self._in_cell = 0  # table cells entered: a cell is narrower than the page's tab stops

    def prepare(self, blocks: list[Node]) -> list[Node]:
        return self._blocks(blocks)

    def _blocks(self, blocks: list[Node]) -> list[Node]:
        placed = [self._placed(block) for block in blocks]
        made = (_kept(blocks, [new[0] for new in placed]) if all(len(n) == 1 for n in placed)
                else [block for new in placed for block in new])
        if sum(1 for b in blocks if _is_callout(b)) < 2:
            return made
        out: list[Node] = []  # Word draws touching framed paragraphs as one frame: part them
        for before, block in zip([None, *made], made, strict=False):
            if _is_callout(before) and _is_callout(block):
                out.append(make("RawBlock", ["openxml", "<w:p/>"]))
            out.append(block)
        return out

    def _placed(self, node: Node) -> list[Node]:
        """The block, or a paragraph parted around each of its numbered display equations,
        which become paragraphs of their own (Word numbers an equation by a paragraph's tab
        stops: the formula centred, its number at the right margin)."""
        if not is_kind(node, "Para", "Plain") or self._in_cell or not any(
                _is_numbered(n) for n in content_of(node)):
            return [self._block(node)]
        out: list[Node] = []
        text: list[Node] = []
        for inline in [*content_of(node), None]:
            if inline is not None and not _is_numbered(inline):
                text.append(inline)
                continue
            while text and node_kind(text[-1]) in _GAPS:
                text.pop()
            while text and node_kind(text[0]) in _GAPS:
                text.pop(0)
            if text:
                out.append(make("Para" if is_kind(node, "Para") else "Plain", self._inlines(text)))
            text = []
            if inline is not None:
                out.append(self._equation(inline))
        return out

    def _equation(self, span: Node) -> Node:
        """A numbered equation's paragraph: TAB, the formula, TAB, "(n)"; its Span (pandoc's
        bookmark, which references link to) around all of it."""
        attr, inlines = span_of(span)
        formula = [make("Math", [make("InlineMath"), math_of(n).tex]) if _is_display(n) else n
                   for n in self._inlines(inlines) if node_kind(n) not in _GAPS]
        number = make("Str", f"({attr.value('number')})")
        tab = make("RawInline", ["openxml", TAB_XML])
        paragraph = make("Para", [make("Span", [attr.to_json(), [tab, *formula, tab, number]])])
        return make("Div", [["", [], [["custom-style", EQUATION_STYLE]]], [paragraph]])

    def _block(self, node: Node) -> Node:
        # The content is rebuilt part by part in pandoc's order (shared where unchanged).
        kind = node_kind(node)
        c: Any = content_of(node)  # its shape depends on the kind
        if kind in ("Plain", "Para"):
            new = self._inlines(c)
        elif kind == "LineBlock":
            new = _kept(c, [self._inlines(line) for line in c])
        elif kind == "BlockQuote":
            new = self._blocks(c)
        elif kind == "OrderedList":
            new = _kept(c, [c[0], _kept(c[1], [self._blocks(item) for item in c[1]])])
        elif kind == "BulletList":
            new = _kept(c, [self._blocks(item) for item in c])
        elif kind == "DefinitionList":
            new = _kept(c, [
                _kept(entry, [self._inlines(entry[0]),
                              _kept(entry[1], [self._blocks(d) for d in entry[1]])])
                for entry in c
            ])
        elif kind == "Header":
            new = _kept(c, [c[0], c[1], self._inlines(c[2])])
        elif kind == "Table":
            new = self._table(c)
        elif kind == "Figure":
            new = _kept(c, [c[0], self._caption(c[1]), self._blocks(c[2])])
        elif kind == "Div" and "pagebreak" in attr_of(node).classes:  # raw_tex.PAGE_BREAK
            return make("RawBlock", ["openxml", PAGE_BREAK_XML])
        elif kind == "Div" and _is_callout(node):  # quarto_body: paragraphs in one frame
            ident, classes, pairs = attr_of(node)
            return {**node, "c": [[ident, classes, [*pairs, ["custom-style", CALLOUT_STYLE]]],
                                  self._blocks(c[1])]}
        elif kind == "Div":
            new = _kept(c, [c[0], self._blocks(c[1])])
        elif kind in _LEAF_BLOCKS:
            return node
        elif kind == "RawBlock":
            raise self._error(f"raw {_format(node)} markup cannot go into the DOCX edition")
        else:
            raise InternalError(f"the DOCX edition does not know the block type {kind}",
                                path=self.source)
        return node if new is c else {**node, "c": new}

    def _table(self, c: list[Any]) -> list[Any]:
        attr, caption, colspecs, head, bodies, foot = c
        caption_new = self._caption(caption)
        head_new = _kept(head, [head[0], self._rows(head[1])])
        bodies_new = _kept(bodies, [
            _kept(body, [body[0], body[1], self._rows(body[2]), self._rows(body[3])])
            for body in bodies
        ])
        foot_new = _kept(foot, [foot[0], self._rows(foot[1])])
        return _kept(c, [attr, caption_new, colspecs, head_new, bodies_new, foot_new])

    def _caption(self, caption: list[Any]) -> list[Any]:
        short, blocks = caption
        return _kept(caption, [self._inlines(short) if short else short, self._blocks(blocks)])

    def _rows(self, rows: list[Any]) -> list[Any]:
        self._in_cell += 1
        try:
            return _kept(rows, [
                _kept(row, [row[0], _kept(row[1], [
                    _kept(cell, [*cell[:4], self._blocks(cell[4])]) for cell in row[1]
                ])])
                for row in rows
            ])
        finally:
            self._in_cell -= 1

    def _inlines(self, inlines: list[Node]) -> list[Node]:
        """The list itself unless a node in it changed (most are words and spaces: a leaf is
        passed over without recursing, ~9,000 an article)."""
        changed: list[Node] | None = None
        for at, node in enumerate(inlines):
            if node_kind(node) in _LEAF_INLINES:
                continue
            new = self._inline(node)
            if new is not node:
                if changed is None:
                    changed = list(inlines)
                changed[at] = new
        return inlines if changed is None else changed

    def _inline(self, node: Node) -> Node:
        kind = node_kind(node)
        c: Any = content_of(node)  # its shape depends on the kind, rebuilt part by part
        new: list[Any]
        if kind in _LEAF_INLINES:
            return node
        if kind in _WRAPPING_INLINES:
            new = self._inlines(c)
        elif _is_numbered(node):  # where it is no paragraph of its own (a heading, a cell)
            number = attr_of(node).value("number") or ""
            new = [c[0], [_numbered(n, number) for n in self._inlines(inlines_of(node))]]
        elif kind in ("Quoted", "Cite", "Span"):
            new = _kept(c, [c[0], self._inlines(c[1])])
        elif kind == "Link":
            new = _kept(c, [c[0], self._inlines(c[1]), c[2]])
            self._check_link(link_of(node).url)
        elif kind == "Image":
            image = image_of(node)
            described = self._inlines(image.alt)
            return {**node, "c": [c[0], described, [self._embed(image.url), image.title]]}
        elif kind == "Note":
            new = self._blocks(c)
        elif kind == "RawInline":
            raise self._error(f"raw {_format(node)} markup cannot go into the DOCX edition")
        else:
            raise InternalError(f"the DOCX edition does not know the inline type {kind}",
                                path=self.source)
        return node if new is c else {**node, "c": new}

    def _check_link(self, target: str) -> None:
        if not links.allowed(target):  # the resolve stage let no other through
            raise self._error(f"a link to {target[:60]!r} is not allowed")

    def _embed(self, target: str) -> str:
        figure = open_figure(self.folder, target, self.source)
        kind, data = as_kind(figure, _IMAGE_KINDS, PRINT_DPI)
        uri = f"data:{MEDIA_TYPES[kind]};base64,{base64.b64encode(data).decode('ascii')}"
        self.images.setdefault(uri, target)
        return uri

    def _error(self, message: str) -> SourceError:
        return SourceError(message, path=self.source)


def _numbered(node: Node, number: str) -> Node:
    """A display equation with its number inside the formula, a quad away (pandoc's OMML has
    no equation numbers: texmath drops \\tag): for one in a heading, a link or a table cell."""
    if not _is_display(node):
        return node
    math_type = content_of(node)[0]  # kept as it is: DisplayMath
    return {**node, "c": [math_type, f"{math_of(node).tex} \\qquad ({number})"]}


def _is_numbered(node: Node) -> bool:
    """A labelled display equation's Span (resolve.xrefs gave it its number)."""
    if node_kind(node) != "Span":  # called on every inline of a paragraph
        return False
    attr, inlines = span_of(node)
    return ("equation" in attr.classes and bool(attr.value("number"))
            and any(_is_display(n) for n in inlines))


_is_display = is_display_math


def _is_callout(block: Any) -> bool:
    return is_kind(block, "Div") and "callout" in attr_of(block).classes


def _format(node: Node) -> str:
    """The format of a RawBlock or RawInline ("latex", "html" …)."""
    return (raw(node) or ("", ""))[0]


def _kept(old: list[Any], new: list[Any]) -> list[Any]:
    """`old` itself when every item of `new` is the very item of `old` at its place."""
    return old if all(a is b for a, b in zip(old, new, strict=True)) else new
