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

Node = dict[str, Any]
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
                _is_html(n) for n in value):
            value = _inlines(value) if value[0]["t"] not in _BLOCK_KINDS else _blocks(value)
        return [read_raw_html(item) for item in value]
    if isinstance(value, dict) and isinstance(value.get("c"), list):
        return {**value, "c": read_raw_html(value["c"])}
    return value


_BLOCK_KINDS = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "Header",
                "OrderedList", "BulletList", "DefinitionList", "HorizontalRule", "Table",
                "Figure", "Div"}


def _is_html(node: Node) -> bool:
    return node.get("t") in ("RawInline", "RawBlock") and node["c"][0] == "html"


def _blocks(blocks: list[Node]) -> list[Node]:
    """Block-level tags of plain wrappers and comments removed, `<hr>` a rule; other raw
    blocks kept."""
    out = []
    for block in blocks:
        if _is_html(block):
            tags = _tags(block["c"][1])
            if tags is not None and all(k == "comment" or t in _PLAIN for k, t, _ in tags):
                continue
            if tags is not None and [t for k, t, _ in tags if k != "comment"] == ["hr"]:
                out.append({"t": "HorizontalRule"})
                continue
        out.append(block)
    return out


def _inlines(inlines: list[Node]) -> list[Node]:
    out: list[Node] = []
    opened: list[tuple[str, dict[str, str], int]] = []  # (tag, attributes, where in out)
    for node in inlines:
        tags = _tags(node["c"][1]) if _is_html(node) else None
        if tags is None:
            out.append(node)
            continue
        for kind, tag, attrs in tags:
            if kind == "comment" or (tag in _PLAIN and kind != "end"):
                continue
            if tag in _BREAKS:
                if out and out[-1].get("t") == "Space":
                    out.pop()  # "a <br />b": the break alone between the lines
                out.append({"t": "LineBreak"})
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
        return [{"t": _WRAPS[tag], "c": inlines}]
    if tag == "q":
        return [{"t": "Quoted", "c": [{"t": "DoubleQuote"}, inlines]}]
    if tag == "a" and attrs.get("href"):
        target = [attrs["href"], attrs.get("title", "")]
        return [{"t": "Link", "c": [["", [], []], inlines, target]}]
    if tag in ("code", "kbd", "tt"):
        return [{"t": "Code", "c": [["", [], []], _text(inlines)]}]
    return inlines


def _text(inlines: list[Node]) -> str:
    parts = []
    for node in inlines:
        if node["t"] == "Str":
            parts.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif isinstance(node.get("c"), list) and node["t"] != "Note":
            parts.append(_text([n for n in node["c"] if isinstance(n, dict) and "t" in n]))
    return "".join(parts)
