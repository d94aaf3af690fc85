"""Directions and languages for the DOCX edition: RTL paragraphs and runs, Word's script langs.

pandoc writes `dir=rtl` on a Div as right-to-left paragraphs (w:bidi) and on a Span as
right-to-left runs (w:rtl), and a span's `lang` as w:lang w:val. Word reads the language of
Arabic-script and Hebrew text from w:lang w:bidi and of CJK text from w:lang w:eastAsia, so
those are added after pandoc has written the document.
"""

from __future__ import annotations

import re
from typing import Any

from galleys.front.inlines import pandoc_text
from galleys.scripts import direction, has_rtl, lang_direction

Node = dict[str, Any]

_TEXT_BLOCKS = ("Para", "Plain", "Header")
_CJK = ("zh", "ja", "ko")
_LANG = re.compile(r'<w:lang w:val="([A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*)" />')


def mark_directions(blocks: list[Node], base: str) -> list[Node]:
    """`blocks` with paragraphs that run against `base` wrapped in a Div with their `dir`,
    spans with a right-to-left `lang` given dir=rtl, and loose RTL words made RTL runs."""
    out: list[Node] = []
    for block in blocks:
        kind = block["t"]
        content: Any = block.get("c")  # its shape depends on the kind
        if kind in _TEXT_BLOCKS:
            inlines = content[2] if kind == "Header" else content
            _inlines(inlines, base)
            found = direction(_text(inlines))
            if found and found != base:
                _inlines(inlines, found)
                out.append({"t": "Div", "c": [["", [], [["dir", found]]], [block]]})
                continue
        elif kind == "Div":
            attrs = dict(content[0][2])
            inner = attrs.get("dir") or (lang_direction(attrs["lang"]) if "lang" in attrs
                                         else base)
            if "lang" in attrs and "dir" not in attrs and inner != base:
                content[0][2].append(["dir", inner])
            content[1] = mark_directions(content[1], inner)
        elif kind == "BlockQuote":
            block["c"] = mark_directions(content, base)
        elif kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            for i, item in enumerate(items):
                items[i] = mark_directions(item, base)
        out.append(block)
    return out


def _inlines(inlines: list[Node], base: str) -> None:
    for index, node in enumerate(inlines):
        kind = node["t"]
        content: Any = node.get("c")  # its shape depends on the kind
        if kind == "Span":
            attrs = dict(content[0][2])
            if "lang" in attrs and "dir" not in attrs:
                content[0][2].append(["dir", lang_direction(attrs["lang"])])
            _inlines(content[1], attrs.get("dir") or (
                lang_direction(attrs["lang"]) if "lang" in attrs else base))
        elif kind == "Str" and base == "ltr" and has_rtl(content):
            inlines[index] = {"t": "Span", "c": [["", [], [["dir", "rtl"]]], [node]]}
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                      "SmallCaps"):
            _inlines(content, base)
        elif kind in ("Link", "Quoted", "Cite"):
            _inlines(content[1], base)


def _text(inlines: list[Node]) -> str:
    return pandoc_text(inlines)


def script_languages(document: str) -> str:
    """document.xml with w:bidi (RTL languages) or w:eastAsia (CJK) beside each w:lang."""
    def replace(match: re.Match[str]) -> str:
        tag = match.group(1)
        primary = tag.split("-")[0].lower()
        if lang_direction(tag) == "rtl":
            return f'<w:lang w:val="{tag}" w:bidi="{tag}" />'
        if primary in _CJK:
            return f'<w:lang w:val="{tag}" w:eastAsia="{tag}" />'
        return match.group(0)

    return _LANG.sub(replace, document)
