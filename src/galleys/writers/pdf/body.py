"""The article body as Platypus flowables: a pandoc AST visitor that raises on unknown nodes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Indenter,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    Spacer,
    XPreformatted,
)
from reportlab.platypus.flowables import AnchorFlowable

from galleys.errors import InternalError, SourceError
from galleys.front.inlines import from_pandoc, plain
from galleys.resolve.ast_index import MAX_DEPTH, BodyIndex, index_body
from galleys.resolve.figures import PLACEHOLDER_CLASS
from galleys.resolve.mathml import runs_as_text
from galleys.writers.pdf import table as pdf_table
from galleys.writers.pdf.footnotes import Footnotes, NotesHere
from galleys.writers.pdf.formulas import CALLBACK, DisplayMath, display_pieces, tall_lines
from galleys.writers.pdf.images import (
    figure_flowable,
    image_node,
    inline_markup,
    open_figure,
    placeholder_box,
)
from galleys.writers.pdf.markup import InlineContext, Markup, attr, inlines
from galleys.writers.pdf.shaping import BidiParagraph, paragraph
from galleys.writers.pdf.styles import RULE, Styles

_NUMBERING = {"Decimal": "1", "DefaultStyle": "1", "Example": "1", "LowerAlpha": "a",
              "UpperAlpha": "A", "LowerRoman": "i", "UpperRoman": "I"}
_DELIMITERS = {"Period": "%s.", "DefaultDelim": "%s.", "OneParen": "%s)", "TwoParens": "(%s)"}
_BULLETS = ("\u2022", "\u2013", "\u25e6", "\u2023")
_ID_HOLDERS = {"Header": 1, "Div": 0, "Span": 0, "Table": 0, "Figure": 0, "CodeBlock": 0}
_CONTINUATION = ("\u21aa", "\u00bb")
CALLOUT_SHADE = Color(0.95, 0.96, 0.98)
FIGURE_SPACE = 6.0  # points above a figure (its caption's space is below it)


class Heading(BidiParagraph):
    """A heading paragraph that also becomes a PDF outline entry."""

    outline: tuple[str, int, str] = ("", 1, "")  # (title, pandoc level, destination)


@dataclass(frozen=True)
class _Context:
    """Where the visitor is: the paragraph style, its font role, and the indent so far."""

    style: str = "body"
    plain_style: str = "plain"
    indent: float = 0.0
    depth: int = 0  # list nesting


@dataclass
class BodyVisitor:
    """Turns pandoc blocks into flowables; notes become numbered end-notes before References."""

    markup: Markup
    styles: Styles
    folder: Path
    width: float
    height: float
    notes_label: str = "Notes"
    footnotes: Footnotes | None = None  # notes at the foot of their page, else end-notes
    article_path: Path = Path("article.md")  # named in errors about images
    _anchors: dict[str, str] = field(default_factory=dict)
    _emitted: set[str] = field(default_factory=set)
    _pending: list[str] = field(default_factory=list)
    _notes: list[tuple[list[dict[str, Any]], str]] = field(default_factory=list)
    _section: str = ""
    _heading_count: int = 0
    _style_cache: dict[tuple[str, str], ParagraphStyle] = field(default_factory=dict)
    _figure_depth: int = 0  # inside a figure: its sub-figures are kept together by it

    def render(self, blocks: list[dict[str, Any]], index: BodyIndex | None = None
               ) -> list[Flowable]:
        """Every block, end-notes inserted before the reference list (or at the end);
        `index`: the blocks' index, if already made."""
        index = index or index_body(blocks, MAX_DEPTH)
        for ident in index.ids_in(range(len(blocks)), _ID_HOLDERS):
            self._anchors.setdefault(ident, f"d{len(self._anchors)}")
        context = _Context()
        out: list[Flowable] = []
        notes_at: int | None = None
        for at, block in enumerate(blocks):
            following = blocks[at + 1] if at + 1 < len(blocks) else None
            before_refs = block["t"] == "Header" and following is not None and _is_refs(following)
            if notes_at is None and (_is_refs(block) or before_refs):
                notes_at = len(out)
            first_note = len(self._notes) + 1
            made = self.block(block, context)
            if self.footnotes is not None and len(self._notes) >= first_note:
                for flowable in made:  # a table or list: the frame cannot see inside it
                    if not isinstance(flowable, Paragraph):
                        flowable.notes = range(first_note, len(self._notes) + 1)
            out += made
        notes = self._end_notes()
        if notes_at is None or self.footnotes is not None:
            notes_at = len(out)
        out[notes_at:notes_at] = notes
        if self._pending:
            out.append(self._para("", "anchor"))
        return out

    # -- blocks ------------------------------------------------------------------------------

    def blocks(self, blocks: list[dict[str, Any]], context: _Context) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            out += self.block(block, context)
        return out

    def block(self, node: dict[str, Any], context: _Context) -> list[Flowable]:
        kind = node["t"]
        content: Any = node.get("c")  # its shape depends on the kind
        method = getattr(self, f"_block_{kind}", None)
        if method is None:
            raise InternalError(f"the PDF edition cannot lay out the block element {kind}",
                                key=self._where())
        return method(content, context)

    def _block_Para(self, content: list[Any], context: _Context) -> list[Flowable]:  # noqa: N802
        return self._paragraph(content, context, context.style)

    def _block_Plain(self, content: list[Any], context: _Context) -> list[Flowable]:  # noqa: N802
        return self._paragraph(content, context, context.plain_style)

    def _block_Header(self, content: list[Any], context: _Context) -> list[Flowable]:  # noqa: N802
        level, (ident, _classes, _kv), nodes = content
        title = plain(runs_as_text(from_pandoc(nodes, "heading"))) if nodes else ""  # no TeX
        self._section = title
        self.markup.where = f'the heading "{title}"'
        style = f"h{min(level, 4)}"
        name = self._anchors.get(ident) or self._new_anchor()
        self._emitted.add(name)
        text = f'<a name="{attr(name)}"/>' + self._inlines(nodes, style)
        self.markup.where = self._where()
        heading = paragraph(self._take_pending() + text, self.styles[style],
                            self.markup.direction, Heading)
        heading.outline = (title, level, name)
        return [heading]

    def _block_BlockQuote(self, content: list[Any], context: _Context  # noqa: N802
                          ) -> list[Flowable]:
        inner = replace(context, style="quote", plain_style="quote", indent=context.indent + 36)
        return [Indenter(18, 18), *self.blocks(content, inner), Indenter(-18, -18)]

    def _block_BulletList(self, content: list[Any], context: _Context  # noqa: N802
                          ) -> list[Flowable]:
        bullet = self._bullet(context.depth)
        indent = 14
        inner = replace(context, indent=context.indent + indent, depth=context.depth + 1)
        items = [ListItem(self.blocks(item, inner) or [self._para("", "plain")])
                 for item in content]
        return [ListFlowable(items, bulletType="bullet", start=bullet, leftIndent=indent,
                             **self._list_style())]

    def _block_OrderedList(self, content: list[Any], context: _Context  # noqa: N802
                           ) -> list[Flowable]:
        (start, number_style, delimiter), items = content
        kind = _NUMBERING.get(number_style["t"], "1")
        fmt = _DELIMITERS.get(delimiter["t"], "%s.")
        widest = max(stringWidth(fmt % label, self.styles["body"].fontName, self.styles["body"]
                                 .fontSize) for label in _labels(kind, start, len(items)))
        indent = max(16.0, widest + 6)
        inner = replace(context, indent=context.indent + indent, depth=context.depth + 1)
        flow_items = [ListItem(self.blocks(item, inner) or [self._para("", "plain")])
                      for item in items]
        return [ListFlowable(flow_items, bulletType=kind, start=max(start, 1) if kind != "1"
                             else start, bulletFormat=fmt, leftIndent=indent,
                             **self._list_style())]

    def _block_DefinitionList(self, content: list[Any], context: _Context  # noqa: N802
                              ) -> list[Flowable]:
        out: list[Flowable] = []
        inner = replace(context, indent=context.indent + 18)
        for term, definitions in content:
            out += self._paragraph(term, context, "term")
            out.append(Indenter(18, 0))
            for definition in definitions:
                out += self.blocks(definition, inner)
            out.append(Indenter(-18, 0))
        return out

    def _block_CodeBlock(self, content: list[Any], context: _Context  # noqa: N802
                         ) -> list[Flowable]:
        (ident, _classes, _kv), text = content
        self._pend(ident)
        prefix = self._take_pending()
        return [_Code(text, self, prefix)]

    def _block_LineBlock(self, content: list[Any], context: _Context  # noqa: N802
                         ) -> list[Flowable]:
        lines = []
        for line in content:
            lines.append(self._inlines(line, context.style))
        return [self._para("<br/>".join(lines), context.style)]

    def _block_HorizontalRule(self, content: None, context: _Context  # noqa: N802
                              ) -> list[Flowable]:
        return [HRFlowable(width="30%", thickness=0.6, color=RULE, spaceBefore=6, spaceAfter=10,
                           hAlign="CENTER")]

    def _block_Div(self, content: list[Any], context: _Context) -> list[Flowable]:  # noqa: N802
        (ident, classes, _kv), blocks = content
        self._pend(ident)
        if "csl-bib-body" in classes or "csl-entry" in classes:
            context = replace(context, style="reference", plain_style="reference")
        if PLACEHOLDER_CLASS in classes:  # an image that was not read: a framed box
            return [placeholder_box(self.blocks(blocks, context), self.width - context.indent,
                                    self.styles["body"].fontName)]
        if "pagebreak" in classes:  # raw_tex.PAGE_BREAK (\newpage, {{< pagebreak >}})
            return [PageBreak()]
        if "callout" in classes:  # quarto_body: a titled, shaded box
            return [_callout_box(self.blocks(blocks, context), self.width - context.indent,
                                 self.styles["cell"].fontName)]
        return self.blocks(blocks, context)

    def _block_Figure(self, content: list[Any], context: _Context  # noqa: N802
                      ) -> list[Flowable]:
        (ident, _classes, _kv), (_short, caption), blocks = content
        name = self._anchors.get(ident)
        top: list[Flowable] = []  # a link to the figure shows its top, not its caption
        if name and name not in self._emitted:
            self._emitted.add(name)
            top.append(AnchorFlowable(name))
        self.markup.where = f'a figure in {self._where()}'
        self._figure_depth += 1
        body = self.blocks(blocks, context)
        self._figure_depth -= 1
        caption_flow = self.blocks(caption, replace(context, style="caption",
                                                    plain_style="caption"))
        self.markup.where = self._where()
        if self._figure_depth:  # reportlab breaks the page before a KeepTogether inside one
            return top + body + caption_flow
        figure = KeepTogether([Spacer(1, FIGURE_SPACE), *top, *body, *caption_flow])
        figure.floats = True  # edition._Document: too tall for the page's rest, it moves on
        return [figure]

    def _block_Table(self, content: list[Any], context: _Context) -> list[Flowable]:  # noqa: N802
        (ident, _classes, _kv), (_short, caption) = content[0], content[1]
        self._pend(ident)
        self.markup.where = f'a table in {self._where()}'
        caption_flow = self.blocks(caption, replace(context, style="table-caption",
                                                    plain_style="table-caption"))
        table = pdf_table.build(content, self, context, self.width - context.indent)
        self.markup.where = self._where()
        kept = KeepTogether([*caption_flow, table])  # taller than a page, it splits
        kept.floats = True  # as a figure: too tall for the page's rest, it moves on
        return [kept]

    def _block_Null(self, content: None, context: _Context) -> list[Flowable]:  # noqa: N802
        return []

    def _block_RawBlock(self, content: list[Any], context: _Context  # noqa: N802
                        ) -> list[Flowable]:
        raise SourceError(f"raw {content[0]} content (RawBlock) is not allowed in an article body",
                          key=self._where())

    # -- helpers the table builder also uses ----------------------------------------------------

    def cell(self, blocks: list[dict[str, Any]], context: _Context, style: str, alignment: str
             ) -> list[Flowable]:
        """Flowables of one table cell in `style`, aligned as pandoc says."""
        name = self._aligned(style, alignment)
        return self.blocks(blocks, replace(context, style=name, plain_style=name))

    def _aligned(self, style: str, alignment: str) -> str:
        if alignment in ("AlignDefault", ""):
            return style
        key = (style, alignment)
        if key not in self._style_cache:
            self._style_cache[key] = self.styles.aligned(style, alignment)
            name = self._style_cache[key].name
            self.styles.by_name[name] = self._style_cache[key]
            self.styles.roles[name] = self.styles.roles[style]
        return self._style_cache[key].name

    def _paragraph(self, nodes: list[dict[str, Any]], context: _Context, style: str
                   ) -> list[Flowable]:
        if nodes and all(n["t"] in ("Image", "Space", "SoftBreak") for n in nodes):
            return [self._image(n, context) for n in nodes if n["t"] == "Image"]
        pieces = display_pieces(nodes)
        if pieces is not None:  # text before, each display formula on its own, text after
            return [flowable for kind, value in pieces for flowable in (
                self._display_math(value[0], value[1], value[2], style) if kind == "display"
                else self._paragraph(value, context, style))]
        self.markup.where = self._where()
        return [self._para(self._inlines(nodes, style), style)]

    def _display_math(self, tex: str, ident: str, number: str, style: str) -> list[Flowable]:
        """A display formula centred (its number at the right margin), else its TeX."""
        self.markup.where = self._where()
        placed = self.markup.math.layout(tex, True, self.styles[style].fontSize, self.markup.where)
        if placed is None:
            self._pend(ident)
            return [self._para(self.markup.text(tex, "math"), "math")]
        out = [self._para("", "anchor")] if self._pending else []
        anchor = self._anchors.get(ident, "")
        if anchor:
            self._emitted.add(anchor)
        body = self.styles["body"]
        return [*out, _Formula(placed, self.markup.math, number, (body.fontName, body.fontSize),
                               anchor)]

    def _inlines(self, nodes: list[dict[str, Any]], style: str) -> str:
        role, bold, italic = self.styles.roles[style]
        context = InlineContext(note=self._note, anchor=self._anchor, image=self._inline_image)
        return inlines(self.markup, nodes, context, role, bold, italic, self.styles[style].fontSize)

    def _para(self, text: str, style: str) -> Paragraph:
        chosen = self.styles[style]
        if CALLBACK in text:  # an inline formula: a line grows to hold a tall one
            chosen = tall_lines(chosen)
        return paragraph(self._take_pending() + text, chosen, self.markup.direction)

    def _image(self, node: dict[str, Any], context: _Context) -> Flowable:
        figure = open_figure(self.folder, node, self.article_path)
        return figure_flowable(figure, image_node(node)[1], self.width - context.indent,
                               self.height * 0.6, self.markup.fonts)

    def _inline_image(self, node: dict[str, Any]) -> str:
        figure = open_figure(self.folder, node, self.article_path)
        return inline_markup(figure, image_node(node)[1], self.width, 14)

    def _note(self, blocks: list[dict[str, Any]]) -> str:
        self._notes.append((blocks, self._where()))
        number = len(self._notes)
        return (f'<a name="fnref{number}"/><a href="#fn{number}" color="#1a4f8b">'
                f"<super>{number}</super></a>")

    def _end_notes(self) -> list[Flowable]:
        """The notes as end-notes under their heading, or (with `footnotes`) each note's
        flowables given to it and a mark at the end that places any still unplaced."""
        if not self._notes:
            return []
        if self.footnotes is not None:
            context = _Context(style="note", plain_style="note")
            for number, (blocks, where) in enumerate(self._notes, start=1):
                self._section = where
                self.footnotes.add(number, self._note_flowables(number, blocks, context))
            return [NotesHere(range(1, len(self._notes) + 1), self.footnotes)]
        heading = paragraph(
            f'<a name="notes"/>{self.markup.text(self.notes_label, "sans", True)}',
            self.styles["h1"], self.markup.direction, Heading)
        heading.outline = (self.notes_label, 1, "notes")
        out: list[Flowable] = [heading]
        context = _Context(style="note", plain_style="note")
        for number, (blocks, where) in enumerate(self._notes, start=1):
            self._section = where
            out += self._note_flowables(number, blocks, context)
        return out

    def _note_flowables(self, number: int, blocks: list[dict[str, Any]], context: _Context
                        ) -> list[Flowable]:
        """Note `number`, its marker linked back to the reference."""
        marker = (f'<a name="fn{number}"/><a href="#fnref{number}" color="#1a4f8b">'
                  f"{number}.</a>\u00a0")
        out: list[Flowable] = []
        if not blocks or blocks[0]["t"] not in ("Para", "Plain"):
            out.append(paragraph(marker, self.styles["note"], self.markup.direction))
        else:
            self._pending.append(marker)
        return out + self.blocks(blocks, context)

    def _list_style(self) -> dict[str, Any]:
        body = self.styles["body"]
        return {"bulletFontName": body.fontName, "bulletFontSize": body.fontSize,
                "spaceBefore": 2, "spaceAfter": 6}

    def _bullet(self, depth: int) -> str:
        coverage = self.markup.fonts.face("serif").coverage
        usable = [b for b in _BULLETS if ord(b) in coverage] or ["-"]
        return usable[depth % len(usable)]

    def _anchor(self, ident: str) -> str:
        """The destination for `ident` when an element carries it; marks Spans as emitted."""
        return self._anchors.get(ident, "")

    def _new_anchor(self) -> str:
        self._heading_count += 1
        return f"h{self._heading_count}"

    def _pend(self, ident: str) -> None:
        name = self._anchors.get(ident)
        if name and name not in self._emitted:
            self._emitted.add(name)
            self._pending.append(f'<a name="{attr(name)}"/>')

    def _take_pending(self) -> str:
        pending, self._pending = "".join(self._pending), []
        return pending

    def _where(self) -> str:
        return f'the section "{self._section}"' if self._section else "the body's opening"

    def code_markup(self, text: str, width: float) -> str:
        """A code block's text wrapped to `width` points, escaped, as XPreformatted markup."""
        style = self.styles["code"]
        continuation = next((c for c in _CONTINUATION
                             if ord(c) in self.markup.fonts.face("mono").coverage), ">")
        lines: list[str] = []
        for line in text.expandtabs(4).split("\n"):
            lines += _wrap(line, width, style.fontName, style.fontSize, continuation + " ")
        saved, self.markup.where = self.markup.where, f"a code block in {self._where()}"
        out = "\n".join(self.markup.text(line, "mono") for line in lines)
        self.markup.where = saved
        return out


class _Code(Flowable):
    """A code block wrapped at layout time to the width it gets, never clipped."""

    def __init__(self, text: str, visitor: BodyVisitor, prefix: str) -> None:
        super().__init__()
        self._style = visitor.styles["code"]
        self._text, self._visitor, self._prefix = text, visitor, prefix
        self._inner: XPreformatted | None = None
        # Check glyph coverage now, before layout, at the full width.
        visitor.code_markup(text, visitor.width)

    def _make(self, width: float) -> XPreformatted:
        padding = self._style.borderPadding
        pad = padding[1] if isinstance(padding, tuple) else padding
        markup = self._visitor.code_markup(self._text, width - 2 * pad - 2)
        return _NumberedPreformatted(self._prefix + markup, self._style)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._inner = self._make(avail_width)
        return self._inner.wrap(avail_width, avail_height)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return self._make(avail_width).split(avail_width, avail_height)

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        return self._style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        return self._style.spaceAfter

    def draw(self) -> None:
        assert self._inner is not None
        self._inner.drawOn(self.canv, 0, 0)


class _NumberedPreformatted(XPreformatted):
    """A code block's lines (or a part of them, split across pages): in draft mode each line
    numbered in the margin. (reportlab draws a class named "…Preformatted" as preformatted.)"""

    def draw(self) -> None:
        draft = getattr(self.canv, "draft", None)  # draft.DraftMarks numbers the lines
        if draft is not None:
            draft.record(self)
        super().draw()


class _Formula(DisplayMath):
    """A display formula: in draft mode one line number, at its baseline."""

    def draw(self) -> None:
        draft = getattr(self.canv, "draft", None)
        if draft is not None:
            draft.record_baseline(self.canv, self.placed.descent)
        super().draw()


def _callout_box(content: list[Flowable], width: float, font: str) -> Flowable:
    """A callout's framed, shaded box (its title is its first paragraph), split across pages
    like the text it holds."""
    box = pdf_table.framed_box(content, width, font, RULE, shade=CALLOUT_SHADE, splits=True)
    box.spaceBefore = box.spaceAfter = 8
    return box


def _wrap(line: str, width: float, font: str, size: float, marker: str) -> list[str]:
    if stringWidth(line, font, size) <= width:
        return [line]
    out, current, used = [], "", 0.0
    for char in line:
        char_width = stringWidth(char, font, size)
        if used + char_width > width and current:
            out.append(current)
            current, used = marker, stringWidth(marker, font, size)
        current += char
        used += char_width
    out.append(current)
    return out


def _labels(kind: str, start: int, count: int) -> list[str]:
    from reportlab.platypus.flowables import _type2formatter

    last = max(start, 1) + max(count - 1, 0)
    return [_type2formatter[kind](n) for n in range(max(start, 1), last + 1)]


def _is_refs(block: dict[str, Any]) -> bool:
    return block["t"] == "Div" and "csl-bib-body" in block["c"][0][1]
