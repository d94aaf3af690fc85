"""Typed access to pandoc's JSON AST: a node's kind, content and attributes by name, not index.

A node is `{"t": kind, "c": content}`; the content's shape depends on the kind (pandoc's
Text.Pandoc.Definition). These accessors name the parts our passes read, so a pass says
`attr_of(node).classes` where it used to say `node["c"][0][1]`, and a type checker sees `Attr`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any, NamedTuple, TypeGuard

Node = dict[str, Any]  # one pandoc element: {"t": kind, "c": content}

# Where a kind keeps its Attr inside its content (the kinds that have one).
ATTR_AT = {
    "Div": 0, "Span": 0, "CodeBlock": 0, "Code": 0, "Link": 0, "Image": 0, "Table": 0,
    "Figure": 0, "Header": 1,
}
RAW_KINDS = ("RawBlock", "RawInline")
SPACES = ("Space", "SoftBreak")


class Attr(NamedTuple):
    """pandoc's Attr: identifier, classes and key-value pairs."""

    ident: str
    classes: list[str]
    pairs: list[list[str]]

    def to_json(self) -> list[Any]:
        return [self.ident, self.classes, self.pairs]

    def value(self, key: str) -> str | None:
        """The value of attribute `key`, if any."""
        return next((v for k, v in self.pairs if k == key), None)


NO_ATTR = Attr("", [], [])


def is_node(value: Any) -> TypeGuard[Node]:
    """A pandoc element (a dict with a kind); citation records and metadata maps are not."""
    return isinstance(value, dict) and isinstance(value.get("t"), str)


def kind_of(value: Any) -> str | None:
    """The node's kind ("Para", "Str" …), None for anything that is not a node."""
    kind = value.get("t") if isinstance(value, dict) else None  # is_node's test, inlined:
    return kind if isinstance(kind, str) else None  # the writers call it on every inline


# The kind of a value known to be a node, and the text of a Str: C-level getters, for the loops
# that visit every inline (a Python function there costs the writers a third more time).
node_kind: Callable[[Node], str] = itemgetter("t")
text_of: Callable[[Node], str] = itemgetter("c")


def is_kind(value: Any, *kinds: str) -> TypeGuard[Node]:
    """Whether the value is a node of one of these kinds."""
    return isinstance(value, dict) and value.get("t") in kinds


def content_of(node: Node) -> Any:
    """The node's content (None for Space, SoftBreak and the other kinds without one)."""
    return node.get("c")


def has_children(value: Any) -> TypeGuard[Node]:
    """A node whose content is a list (of nodes, or of parts that hold nodes)."""
    return isinstance(value, dict) and isinstance(value.get("c"), list)


def with_content(node: Node, new: Any) -> Node:
    """A copy of the node with other content (the node itself when the content is the same)."""
    return node if new is node.get("c") else {**node, "c": new}


def attr_of(node: Node) -> Attr:
    """The Attr of a Div, Span, Header, Code, CodeBlock, Link, Image, Table or Figure."""
    ident, classes, pairs = node["c"][ATTR_AT[node["t"]]]
    return Attr(ident, classes, pairs)


def has_attr(value: Any) -> TypeGuard[Node]:
    return is_node(value) and value["t"] in ATTR_AT


def raw(value: Any) -> tuple[str, str] | None:
    """(format, text) of a RawBlock or RawInline; None for any other value."""
    if not is_kind(value, *RAW_KINDS):
        return None
    fmt, text = value["c"]
    return fmt, text


def make(kind_: str, content_: Any = None) -> Node:
    """A new node; kinds without content (Space, SoftBreak …) get no "c"."""
    return {"t": kind_} if content_ is None else {"t": kind_, "c": content_}


def string(text: str) -> Node:
    return {"t": "Str", "c": text}


def nodes_in(value: Any) -> Iterator[Node]:
    """Every node in `value` (a node, or a list of them), depth first, the outer ones first."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if is_node(item):
                yield item
            child = item.get("c")
            if isinstance(child, list):
                stack.append(child)


def set_attr(node: Node, attr: Attr) -> None:
    """Give the node other attributes, in place (the Attr list it holds keeps its identity)."""
    node["c"][ATTR_AT[node["t"]]][:] = attr.to_json()


def set_ident(node: Node, ident: str) -> None:
    """Give the node another identifier, in place."""
    node["c"][ATTR_AT[node["t"]]][0] = ident


# -- views: the parts of one kind of node, named. Their lists are the node's own, so a pass that
# edits `header_of(node).inlines` in place edits the node.

class Header(NamedTuple):
    level: int
    attr: Attr
    inlines: list[Node]


class Div(NamedTuple):
    attr: Attr
    blocks: list[Node]


class Span(NamedTuple):
    attr: Attr
    inlines: list[Node]


class Link(NamedTuple):
    attr: Attr
    inlines: list[Node]
    url: str
    title: str


class Image(NamedTuple):
    attr: Attr
    alt: list[Node]  # pandoc's description of the image
    url: str
    title: str


class Code(NamedTuple):
    """A Code or CodeBlock."""

    attr: Attr
    text: str


class Math(NamedTuple):
    display: bool
    tex: str


class Quoted(NamedTuple):
    double: bool
    inlines: list[Node]


class Cite(NamedTuple):
    citations: list[dict[str, Any]]  # pandoc's Citation records (citationId, citationMode …)
    inlines: list[Node]


class Figure(NamedTuple):
    attr: Attr
    caption: list[Node]  # blocks
    blocks: list[Node]


class OrderedList(NamedTuple):
    start: int
    style: str  # "Decimal", "LowerAlpha" …
    items: list[list[Node]]


class ColSpec(NamedTuple):
    align: str  # "AlignLeft", "AlignDefault" …
    width: float | None  # a fraction of the text width; None for ColWidthDefault


class Cell(NamedTuple):
    attr: Attr
    align: str
    row_span: int
    col_span: int
    blocks: list[Node]


class Row(NamedTuple):
    attr: Attr
    cells: list[Cell]


class TableBody(NamedTuple):
    attr: Attr
    row_head_columns: int
    head: list[Row]
    rows: list[Row]


class Table(NamedTuple):
    attr: Attr
    caption: list[Node]  # blocks
    specs: list[ColSpec]
    head: list[Row]
    bodies: list[TableBody]
    foot: list[Row]

    def rows(self) -> list[Row]:
        """Every row in document order: the head's, each body's, the foot's."""
        return [*self.head, *(r for body in self.bodies for r in (*body.head, *body.rows)),
                *self.foot]


def header_of(node: Node) -> Header:
    level, attr, inlines = node["c"]
    return Header(level, Attr(*attr), inlines)


def div_of(node: Node) -> Div:
    attr, blocks = node["c"]
    return Div(Attr(*attr), blocks)


def span_of(node: Node) -> Span:
    attr, inlines = node["c"]
    return Span(Attr(*attr), inlines)


def link_of(node: Node) -> Link:
    attr, inlines, (url, title) = node["c"]
    return Link(Attr(*attr), inlines, url, title)


def image_of(node: Node) -> Image:
    attr, alt, (url, title) = node["c"]
    return Image(Attr(*attr), alt, url, title)


def code_of(node: Node) -> Code:
    attr, text = node["c"]
    return Code(Attr(*attr), text)


def math_of(node: Node) -> Math:
    math_type, tex = node["c"]
    return Math(math_type["t"] == "DisplayMath", tex)


def quoted_of(node: Node) -> Quoted:
    quote_type, inlines = node["c"]
    return Quoted(quote_type["t"] == "DoubleQuote", inlines)


def cite_of(node: Node) -> Cite:
    citations, inlines = node["c"]
    return Cite(citations, inlines)


def figure_of(node: Node) -> Figure:
    attr, (_short, caption), blocks = node["c"]
    return Figure(Attr(*attr), caption, blocks)


def ordered_list_of(node: Node) -> OrderedList:
    (start, style, _delim), items = node["c"]
    return OrderedList(start, style["t"], items)


def table_of(node: Node) -> Table:
    attr, (_short, caption), specs, (_head_attr, head), bodies, (_foot_attr, foot) = node["c"]
    return Table(Attr(*attr), caption, [_colspec(s) for s in specs], _rows(head),
                 [TableBody(Attr(*a), heads, _rows(h), _rows(r)) for a, heads, h, r in bodies],
                 _rows(foot))


def _colspec(spec: list[Any]) -> ColSpec:
    align, width = spec
    return ColSpec(align["t"], width["c"] if width["t"] == "ColWidth" else None)


def _rows(rows: list[Any]) -> list[Row]:
    return [Row(Attr(*attr), [Cell(Attr(*a), align["t"], row_span, col_span, blocks)
                              for a, align, row_span, col_span, blocks in cells])
            for attr, cells in rows]


def is_display_math(value: Any) -> bool:
    """Whether the value is a Math node of display math."""
    return is_kind(value, "Math") and value["c"][0]["t"] == "DisplayMath"


def span(classes: list[str], inlines: list[Node], ident: str = "") -> Node:
    return {"t": "Span", "c": [[ident, classes, []], inlines]}


# Where a kind keeps its inlines inside its content, for those that keep them beside other parts.
INLINES_AT = {"Span": 1, "Quoted": 1, "Cite": 1, "Link": 1, "Image": 1, "Header": 2}


def inlines_of(node: Node) -> list[Node]:
    """The inlines of a Span, Quoted, Cite, Link, Image or Header, or the content of a kind that
    is nothing but inlines (Para, Plain, Emph …)."""
    at = INLINES_AT.get(node["t"])
    inlines: list[Node] = node["c"] if at is None else node["c"][at]
    return inlines


def set_caption(node: Node, blocks: list[Node]) -> None:
    """Give a Table or Figure other caption blocks (its short caption kept)."""
    node["c"][1][1] = blocks


def set_inlines(node: Node, inlines: list[Node]) -> None:
    """Give the node other inlines, in place (where `inlines_of` reads them)."""
    at = INLINES_AT.get(node["t"])
    if at is None:
        node["c"] = inlines
    else:
        node["c"][at] = inlines


def set_url(node: Node, url: str) -> None:
    """Point a Link or Image elsewhere, in place (its title kept)."""
    node["c"][2][0] = url
