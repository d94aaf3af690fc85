"""Typed access to pandoc's JSON AST: a node's kind, content and attributes by name, not index.

A node is `{"t": kind, "c": content}`; the content's shape depends on the kind (pandoc's
Text.Pandoc.Definition). These accessors name the parts our passes read, so a pass says
`attr_of(node).classes` where it used to say `node["c"][0][1]`, and a type checker sees `Attr`.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    return value["t"] if is_node(value) else None


def is_kind(value: Any, *kinds: str) -> TypeGuard[Node]:
    return is_node(value) and value["t"] in kinds


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
