"""Pandoc JSON AST to XHTML for the EPUB (and HTML) edition: every string escaped, unknown nodes
raise."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from galleys.errors import InternalError, SourceError
from galleys.front.inlines import Inlines, pandoc_text
from galleys.pandoc_ast import (
    Node,
    Row,
    code_of,
    content_of,
    div_of,
    figure_of,
    header_of,
    image_of,
    inlines_of,
    is_kind,
    link_of,
    math_of,
    node_kind,
    ordered_list_of,
    quoted_of,
    raw,
    span_of,
    table_of,
    text_of,
)
from galleys.resolve import links
from galleys.resolve.mathml import append_math, math_nodes_as_text
from galleys.scripts import direction, has_rtl, lang_direction

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ImageSink = Callable[[str], str]  # source path in the article -> href inside the EPUB

_INLINE_TAGS = {
    "Emph": ("em", ""),
    "Strong": ("strong", ""),
    "Strikeout": ("s", ""),
    "Superscript": ("sup", ""),
    "Subscript": ("sub", ""),
    "Underline": ("span", "underline"),
    "SmallCaps": ("span", "smallcaps"),
}
_MARK_TAGS = {
    "emph": ("em", ""),
    "strong": ("strong", ""),
    "strike": ("s", ""),
    "sup": ("sup", ""),
    "sub": ("sub", ""),
    "underline": ("span", "underline"),
    "smallcaps": ("span", "smallcaps"),
    "code": ("code", ""),
    "math": ("span", "math inline"),
    "isolate": ("bdi", ""),
}
_LIST_TYPES = {"LowerAlpha": "a", "UpperAlpha": "A", "LowerRoman": "i", "UpperRoman": "I"}
_ALIGN = {"AlignLeft": "align-left", "AlignRight": "align-right", "AlignCenter": "align-center"}
# Containers where a pandoc Plain block is phrasing content, not a paragraph of its own.
_TIGHT = {"li", "dd", "dt", "td", "th", "figure", "figcaption", "caption"}
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_SIZE = re.compile(r"^\d+(\.\d+)?(%|px|em|rem|cm|mm|in|pt)?$")


def el(parent: etree._Element | None, tag: str, cls: str = "", **attrs: str) -> etree._Element:
    """A new XHTML element, appended to `parent` when given; lxml escapes every value."""
    values = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items() if v}
    if cls:
        values["class"] = cls
    name = f"{{{XHTML}}}{tag}"
    node = etree.Element(name, values) if parent is None else etree.SubElement(parent, name, values)
    return node


def add_text(parent: etree._Element, text: str) -> None:
    """Append `text` after the last child of `parent` (as text, never markup)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def set_language(node: etree._Element, pairs: list[list[str]]) -> None:
    """lang, xml:lang and dir from a span's or div's {lang=ur dir=rtl} attributes."""
    values = dict(pairs)
    lang = values.get("lang", "").strip()
    if lang:
        if not _LANG.match(lang):
            raise SourceError(f"lang={lang!r} is not a BCP 47 language tag (like ur or zh-Hant)")
        node.set("lang", lang)
        node.set(XML_LANG, lang)
        node.set("dir", lang_direction(lang))
    if values.get("dir") in ("ltr", "rtl", "auto"):
        node.set("dir", values["dir"])


_DIRECTED = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dt", "dd", "figcaption",
             "caption", "span", "a", "em", "strong", "cite", "blockquote"}


def set_directions(root: etree._Element) -> None:
    """Give `dir` to every element whose text runs against the document's direction (its first
    strong letter, UAX 9 rule P2), so mixed text reads right in any reading system."""
    base = root.get("dir", "ltr")
    for node in root.iter(f"{{{XHTML}}}*"):
        name = etree.QName(node).localname
        if name not in _DIRECTED or node.get("dir"):
            continue
        text = "".join(node.itertext())
        if not has_rtl(text) and base == "ltr":
            continue
        found = direction(text)
        inherited = next((a.get("dir") for a in node.iterancestors() if a.get("dir")), base)
        if found and found != inherited:
            node.set("dir", found)


def check_url(url: str, where: str) -> str:
    """`url` if links.allowed it (the resolve stage let no other through); else it raises."""
    if links.allowed(url) and not url.startswith("#"):
        return url
    raise SourceError(f"{where}: link {url!r} is not an absolute http(s) or mailto link")


def add_runs(parent: etree._Element, runs: Inlines) -> None:
    """Rich front-matter runs as nested XHTML elements."""
    for run in runs:
        target = parent
        if run.link:
            target = el(target, "a", href=check_url(run.link, "front matter"))
        if run.lang:
            target = el(target, "span")
            set_language(target, [["lang", run.lang]])
        if "math" in run.marks and "code" not in run.marks and append_math(target, run.text):
            continue
        for mark in sorted(run.marks):
            if mark not in _MARK_TAGS:
                raise SourceError(f"front matter: unknown text mark {mark!r}")
            tag, cls = _MARK_TAGS[mark]
            target = el(target, tag, cls)
        add_text(target, run.text)


def plain_text(inlines: list[Node]) -> str:
    """The text of pandoc inlines without notes (for navigation labels and alt text)."""
    return re.sub(r"\s+", " ", pandoc_text(math_nodes_as_text(inlines))).strip()


class BodyWriter:
    """Renders pandoc blocks into XHTML documents; footnote numbers run across documents."""

    def __init__(self, targets: dict[str, str], image_sink: ImageSink, edition: str = "EPUB"
                 ) -> None:
        self._targets = targets  # element id -> the file it is in
        self._edition = edition  # the edition its messages name
        self._image_sink = image_sink
        self._file = ""
        self._note_number = 0
        self._notes: list[etree._Element] = []
        self._ids: set[str] = set()
        self.has_images = False
        self.images_without_alt = 0

    def document(self, parent: etree._Element, blocks: list[Node], file_name: str) -> None:
        """Append `blocks` to `parent`, then this document's footnotes as EPUB 3 notes."""
        self._file, self._notes, self._ids = file_name, [], set()
        self.blocks(parent, blocks)
        for aside in self._notes:
            parent.append(aside)

    # -- blocks ---------------------------------------------------------------------------

    def blocks(self, parent: etree._Element, blocks: list[Node]) -> None:
        # A lone Plain in a list item or cell is phrasing; several are paragraphs each.
        texts = sum(1 for block in blocks if is_kind(block, "Plain", "Para"))
        tight = etree.QName(parent).localname in _TIGHT and texts == 1
        for block in blocks:
            if is_kind(block, "Plain") and not tight:
                self.inlines(el(parent, "p"), content_of(block))
            else:
                self.block(parent, block)

    def block(self, parent: etree._Element, node: Node) -> None:
        kind = node_kind(node)
        method = getattr(self, f"_block_{kind}", None)
        if method is None:
            raise InternalError(f"the {self._edition} edition cannot render a {kind} block")
        method(parent, node)

    def _block_Plain(self, parent: etree._Element, node: Node) -> None:
        self.inlines(parent, content_of(node))

    def _block_Para(self, parent: etree._Element, node: Node) -> None:
        self.inlines(el(parent, "p"), content_of(node))

    def _block_LineBlock(self, parent: etree._Element, node: Node) -> None:
        p = el(parent, "p", "line-block")
        for i, line in enumerate(content_of(node)):
            if i:
                el(p, "br")
            self.inlines(p, line)

    def _block_CodeBlock(self, parent: etree._Element, node: Node) -> None:
        attr, text = code_of(node)
        pre = el(parent, "pre", id=self._id(attr.ident))
        code = el(pre, "code", " ".join(f"language-{x}" for x in attr.classes[:1]))
        code.text = text

    def _block_RawBlock(self, parent: etree._Element, node: Node) -> None:
        fmt, _text = raw(node) or ("", "")
        raise SourceError(f"raw {fmt} blocks are not allowed (no markup passes into the "
                          f"{self._edition})")

    def _block_BlockQuote(self, parent: etree._Element, node: Node) -> None:
        self.blocks(el(parent, "blockquote"), content_of(node))

    def _block_OrderedList(self, parent: etree._Element, node: Node) -> None:
        start, style, items = ordered_list_of(node)
        ol = el(parent, "ol", start=str(start) if start != 1 else "",
                type=_LIST_TYPES.get(style, ""))
        for item in items:
            self.blocks(el(ol, "li"), item)

    def _block_BulletList(self, parent: etree._Element, node: Node) -> None:
        ul = el(parent, "ul")
        for item in content_of(node):
            self.blocks(el(ul, "li"), item)

    def _block_DefinitionList(self, parent: etree._Element, node: Node) -> None:
        dl = el(parent, "dl")
        for term, definitions in content_of(node):
            self.inlines(el(dl, "dt"), term)
            for definition in definitions:
                self.blocks(el(dl, "dd"), definition)

    def _block_Header(self, parent: etree._Element, node: Node) -> None:
        level, attr, inlines = header_of(node)
        heading = el(parent, f"h{min(max(level, 1), 6)}", " ".join(attr.classes),
                     id=self._id(attr.ident))
        self.inlines(heading, inlines)

    def _block_HorizontalRule(self, parent: etree._Element, node: Node) -> None:
        el(parent, "hr")

    def _block_Null(self, parent: etree._Element, node: Node) -> None:
        return None  # pandoc's "nothing here": there is nothing to render

    def _block_Div(self, parent: etree._Element, node: Node) -> None:
        attr, blocks = div_of(node)
        div = el(parent, "div", " ".join(attr.classes), id=self._id(attr.ident))
        set_language(div, attr.pairs)
        if "csl-bib-body" in attr.classes:
            div.set("role", "doc-bibliography")
        self.blocks(div, blocks)

    def _block_Figure(self, parent: etree._Element, node: Node) -> None:
        attr, caption, blocks = figure_of(node)
        figure = el(parent, "figure", " ".join(attr.classes), id=self._id(attr.ident))
        self.blocks(figure, blocks)
        if caption:
            self.blocks(el(figure, "figcaption"), caption)

    def _block_Table(self, parent: etree._Element, node: Node) -> None:
        source = table_of(node)
        attr = source.attr
        table = el(parent, "table", " ".join(attr.classes), id=self._id(attr.ident))
        if source.caption:
            self.blocks(el(table, "caption"), source.caption)
        aligns = [spec.align for spec in source.specs]
        if source.head:
            self._rows(el(table, "thead"), source.head, aligns, header=True, row_heads=0)
        for body in source.bodies:
            tbody = el(table, "tbody", " ".join(body.attr.classes))
            self._rows(tbody, body.head, aligns, header=True, row_heads=0)
            self._rows(tbody, body.rows, aligns, header=False, row_heads=body.row_head_columns)
        if source.foot:
            self._rows(el(table, "tfoot"), source.foot, aligns, header=False, row_heads=0)

    def _rows(self, parent: etree._Element, rows: list[Row], aligns: list[str], *, header: bool,
              row_heads: int) -> None:
        for row in rows:
            tr = el(parent, "tr")
            column = 0
            for cell_attr, align, rowspan, colspan, blocks in row.cells:
                is_head = header or column < row_heads
                align_name = align if align != "AlignDefault" else (
                    aligns[column] if column < len(aligns) else "AlignDefault")
                cell = el(tr, "th" if is_head else "td",
                          " ".join([*cell_attr.classes, _ALIGN.get(align_name, "")]).strip(),
                          rowspan=str(rowspan) if rowspan > 1 else "",
                          colspan=str(colspan) if colspan > 1 else "",
                          scope=("col" if header else "row") if is_head else "")
                self.blocks(cell, blocks)
                column += colspan

    # -- inlines --------------------------------------------------------------------------

    def inlines(self, parent: etree._Element, inlines: list[Node]) -> None:
        words: list[str] = []  # a run of words and spaces is added as one text
        for node in inlines:
            kind = node_kind(node)
            if kind == "Str":
                words.append(text_of(node))
            elif kind in ("Space", "SoftBreak"):
                words.append(" ")
            else:
                if words:
                    add_text(parent, "".join(words))
                    words = []
                self.inline(parent, node)
        if words:
            add_text(parent, "".join(words))

    def inline(self, parent: etree._Element, node: Node) -> None:
        kind = node_kind(node)
        c: Any = content_of(node)  # its shape depends on the kind
        if kind == "Str":
            add_text(parent, c)
        elif kind in ("Space", "SoftBreak"):
            add_text(parent, " ")
        elif kind == "LineBreak":
            el(parent, "br")
        elif kind in _INLINE_TAGS:
            tag, cls = _INLINE_TAGS[kind]
            self.inlines(el(parent, tag, cls), c)
        elif kind == "Quoted":
            double, inlines = quoted_of(node)
            left, right = ("\u201c", "\u201d") if double else ("\u2018", "\u2019")
            add_text(parent, left)
            self.inlines(parent, inlines)
            add_text(parent, right)
        elif kind == "Cite":
            self.inlines(el(parent, "span", "citation"), inlines_of(node))
        elif kind == "Code":
            code = code_of(node)
            el(parent, "code", id=self._id(code.attr.ident)).text = code.text
        elif kind == "Math":
            display, tex = math_of(node)
            if not append_math(parent, tex, display):  # MathML, else the TeX
                el(parent, "span", "math display" if display else "math inline").text = tex
        elif kind == "RawInline":
            fmt, _text = raw(node) or ("", "")
            raise SourceError(f"raw {fmt} text is not allowed (no markup passes into the "
                              f"{self._edition})")
        elif kind == "Link":
            self._link(parent, node)
        elif kind == "Image":
            self._image(parent, node)
        elif kind == "Note":
            self._note(parent, c)
        elif kind == "Span":
            attr, inlines = span_of(node)
            span = el(parent, "span", " ".join(attr.classes), id=self._id(attr.ident))
            set_language(span, attr.pairs)
            self.inlines(span, inlines)
            number = (attr.value("number") or "") if "equation" in attr.classes else ""
            if number:  # a numbered display equation: its number beside it
                el(span, "span", "equation-number").text = f"({number})"
        else:
            raise InternalError(f"the {self._edition} edition cannot render a {kind} inline")

    def _link(self, parent: etree._Element, node: Node) -> None:
        attr, inlines, url, title = link_of(node)
        if url.startswith("#"):
            target = self._targets.get(url[1:])
            if target is None:
                raise SourceError(f"link to {url!r}: no element has that id")
            href = url if target == self._file else f"{target}{url}"
        else:
            href = check_url(url, "body")
        a = el(parent, "a", " ".join(attr.classes), id=self._id(attr.ident), href=href,
               title=title)
        self.inlines(a, inlines)

    def _image(self, parent: etree._Element, node: Node) -> None:
        attr, alt, src, title = image_of(node)
        style = []
        for key, value in attr.pairs:
            if key in ("width", "height"):
                if not _SIZE.match(value):
                    raise SourceError(f"image {src!r}: {key}={value!r} is not a size")
                style.append(f"{key}: {value if not value[-1].isdigit() else value + 'px'}")
        if len(style) == 1 and style[0].startswith("height"):  # its width follows, never stretched
            style += ["width: auto", "object-fit: contain"]
        alt_text = plain_text(alt)
        self.has_images = True
        if not alt_text:
            self.images_without_alt += 1
        img = el(parent, "img", " ".join(attr.classes), id=self._id(attr.ident),
                 src=self._image_sink(src), title=title, style="; ".join(style))
        img.set("alt", alt_text)

    def _note(self, parent: etree._Element, blocks: list[Node]) -> None:
        self._note_number += 1
        n = str(self._note_number)
        ref = el(parent, "a", "noteref", id=f"gl-fnref-{n}", href=f"#gl-fn-{n}",
                 role="doc-noteref")
        ref.set(EPUB_TYPE, "noteref")
        ref.text = n
        aside = el(None, "aside", "footnote", id=f"gl-fn-{n}", role="doc-footnote")
        aside.set(EPUB_TYPE, "footnote")
        self.blocks(aside, blocks)
        back = el(None, "a", "backlink", href=f"#gl-fnref-{n}", role="doc-backlink")
        back.text = n
        first = aside[0] if len(aside) else None
        if first is not None and etree.QName(first).localname == "p":
            back.tail = (". " + first.text) if first.text else ". "
            first.text = None
            first.insert(0, back)
        else:
            p = el(None, "p")
            p.append(back)
            aside.insert(0, p)
        self._notes.append(aside)

    def _id(self, value: str) -> str:
        """A user id, kept once per document; ours carry a gl- prefix so they never collide."""
        if not value:
            return ""
        if any(ch.isspace() for ch in value) or value in self._ids:
            raise SourceError(f"the id {value!r} is used twice or contains a space")
        self._ids.add(value)
        return value
