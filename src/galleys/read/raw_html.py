"""Simple raw HTML in the body read as what it means, not dropped: `<br>`, `<sup>…</sup>`, `<a>`.

Pandoc's Markdown reader keeps each HTML tag as a raw node, the text between read as Markdown.
Here a tag is read by the standard library's HTML parser and, in the same paragraph, paired
with its closing tag: `<br>` is a line break; `<sup>`, `<sub>`, `<em>`/`<i>`, `<strong>`/`<b>`,
`<u>`/`<ins>`, `<s>`/`<del>`, `<q>`, `<code>`/`<kbd>` and `<a href>` wrap what they enclose as
the Markdown equivalent does; a lone `<hr>` is a rule; the tags of plain wrappers (`<span>`,
`<small>`, `<div>`, `<p>`, `<center>` …, e.g. GGLasso's `<div class="math">` around an
equation) go, their content stays.
HTML comments go silently. Anything else (a `<table>`, an `<img>`, a `<script>`) is left for
the resolve stage to drop with its warning: no markup passes into an edition.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from galleys.pandoc_ast import (
    NO_ATTR,
    Node,
    content_of,
    has_children,
    is_node,
    kind_of,
    make,
    raw,
    with_content,
)

_WRAPS = {"sup": "Superscript", "sub": "Subscript", "em": "Emph", "i": "Emph", "cite": "Emph",
          "dfn": "Emph", "var": "Emph", "strong": "Strong", "b": "Strong", "u": "Underline",
          "ins": "Underline", "s": "Strikeout", "del": "Strikeout", "strike": "Strikeout"}
_PLAIN = {"span", "small", "big", "mark", "font", "abbr", "bdi", "time", "data", "samp",
          "div", "p", "center", "section", "article", "aside", "main", "header", "footer",
          "blockquote", "figure", "details", "summary", "nav"}
_SPECIAL = {"a", "q", "code", "kbd", "tt"}
_BREAKS = {"br", "wbr"}


class _Tags(HTMLParser):
    """The tags (and comments) of one raw passage, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, dict[str, str]]] = []  # (kind, tag, attributes)
        self.text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("start", tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("empty", tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self.found.append(("end", tag, {}))

    def handle_comment(self, data: str) -> None:
        self.found.append(("comment", "", {}))

    def handle_data(self, data: str) -> None:
        self.text = self.text or bool(data.strip())


def _tags(text: str) -> list[tuple[str, str, dict[str, str]]] | None:
    """The tags of `text` when it is only tags and comments, else None (it holds text)."""
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return None if parser.text else parser.found


def read_raw_html(value: Any) -> Any:
    """`value` (AST lists and nodes) with the simple raw HTML read (see the module docstring)."""
    if isinstance(value, list):
        if value and all(isinstance(n, dict) for n in value) and any(
                _html(n) is not None for n in value):
            value = _inlines(value) if kind_of(value[0]) not in _BLOCK_KINDS else _blocks(value)
        return [read_raw_html(item) for item in value]
    if has_children(value):
        return with_content(value, read_raw_html(content_of(value)))
    return value


_BLOCK_KINDS = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "Header",
                "OrderedList", "BulletList", "DefinitionList", "HorizontalRule", "Table",
                "Figure", "Div"}


def _html(node: Node) -> str | None:
    """The HTML of a raw HTML node; None for any other node."""
    found = raw(node)
    return found[1] if found is not None and found[0] == "html" else None


def _blocks(blocks: list[Node]) -> list[Node]:
    """Block-level tags of plain wrappers and comments removed, `<hr>` a rule; other raw
    blocks kept."""
    out = []
    for block in blocks:
        html = _html(block)
        if html is not None:
            tags = _tags(html)
            if tags is not None and all(k == "comment" or t in _PLAIN for k, t, _ in tags):
                continue
            if tags is not None and [t for k, t, _ in tags if k != "comment"] == ["hr"]:
                out.append(make("HorizontalRule"))
                continue
        out.append(block)
    return out


def _inlines(inlines: list[Node]) -> list[Node]:
    out: list[Node] = []
    opened: list[tuple[str, dict[str, str], int]] = []  # (tag, attributes, where in out)
    for node in inlines:
        html = _html(node)
        tags = _tags(html) if html is not None else None
        if tags is None:
            out.append(node)
            continue
        for kind, tag, attrs in tags:
            if kind == "comment" or (tag in _PLAIN and kind != "end"):
                continue
            if tag in _BREAKS:
                if out and kind_of(out[-1]) == "Space":
                    out.pop()  # "a <br />b": the break alone between the lines
                out.append(make("LineBreak"))
            elif kind == "start" and (tag in _WRAPS or tag in _SPECIAL):
                opened.append((tag, attrs, len(out)))
            elif kind == "end" and any(o[0] == tag for o in opened):
                while opened:
                    name, attributes, at = opened.pop()
                    out[at:] = _wrap(name, attributes, out[at:])
                    if name == tag:
                        break
            elif kind == "end" and tag in _PLAIN | set(_WRAPS) | _SPECIAL:
                continue  # a closing tag whose opening was elsewhere
            else:
                out.append(node)  # not simple: left for the resolve stage
                break
    return out


def _wrap(tag: str, attrs: dict[str, str], inlines: list[Node]) -> list[Node]:
    if tag in _WRAPS:
        return [make(_WRAPS[tag], inlines)]
    if tag == "q":
        return [make("Quoted", [make("DoubleQuote"), inlines])]
    if tag == "a" and attrs.get("href"):
        target = [attrs["href"], attrs.get("title", "")]
        return [make("Link", [NO_ATTR.to_json(), inlines, target])]
    if tag in ("code", "kbd", "tt"):
        return [make("Code", [NO_ATTR.to_json(), _text(inlines)])]
    return inlines


def _text(inlines: list[Node]) -> str:
    parts = []
    for node in inlines:
        if kind_of(node) == "Str":
            parts.append(content_of(node))
        elif kind_of(node) in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif has_children(node) and kind_of(node) != "Note":
            parts.append(_text([n for n in content_of(node) if is_node(n)]))
    return "".join(parts)
