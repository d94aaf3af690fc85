"""Quarto's body constructs read as Quarto prints them: cells as code, callouts, shortcodes.

Before pandoc reads the body (`prepare_source`, line numbers unchanged):

- an executable cell's fence (```` ```{python} ````, ```` ```{r label, echo=FALSE} ````,
  ```` ```{R} ````) becomes a code block's fence in its language (lower-case) with the class
  `cell`; nothing is ever executed (one warning says so);
- shortcodes: `{{< pagebreak >}}` on its own line is a page break; the word shortcodes of
  journal extensions (`{{< latex >}}`, `{{< tex >}}`, `{{< bibtex >}}`) print their word;
  `{{< kbd K >}}` prints K; any other (`include`, `embed`, `meta`, `var`, `video` …) is dropped
  and named in one warning (`include` never reads a file); `{{</* x */>}}` prints `{{< x >}}`.

After (`finish`): a cell's leading `#|` option lines are removed; a callout
(`::: {.callout-note}`, `.callout-tip`, … or `::: callout`) becomes
`Div [id, ["callout", "callout-KIND"], []] [Div ["", ["callout-title"], []] [Para [Strong
title]], …]`, its title from `title="…"`, else its first heading, else its kind ("Note"); a
plain `callout` has no title. The editions draw it as a titled box.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from galleys.front.inlines import text_nodes
from galleys.pandoc_ast import Attr, Node, attr_of, content_of, has_children, is_kind, make, string

CALLOUT_KINDS = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important",
                 "caution": "Caution"}
WORD_SHORTCODES = {"latex": "LaTeX", "tex": "TeX", "bibtex": "BibTeX"}
_CELL_FENCE = re.compile(
    r"^(?P<lead>[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*)\{(?P<lang>[A-Za-z][\w+-]*)"
    r"(?P<rest>[^{}]*)\}[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")  # in a list item too: any indent
_SHORTCODE = re.compile(r"\{\{<(?P<escaped>/\*)?\s*(?P<name>[\w-]+)(?P<args>[^>]*?)\s*"
                        r"(?(escaped)\*/)>\}\}")
_OPTION_LINE = re.compile(r"^#\|")


def prepare_source(body: str, source: object, body_line: int,
                   prose: Callable[[str], str] | None = None) -> tuple[str, list[str]]:
    """`body` with Quarto cells and shortcodes rewritten as Markdown (the same lines), each
    line outside code blocks passed through `prose` too; and the warnings (cells shown, not
    run; shortcodes dropped)."""
    lines = body.split("\n")
    cells = 0
    dropped: list[tuple[int, str]] = []
    fence = ""  # the fence of the code block the scan is inside ("" outside)
    for number, line in enumerate(lines):
        if fence:
            closing = line.strip()
            if len(closing) >= len(fence) and set(closing) == {fence[0]}:
                fence = ""
            continue
        cell = _CELL_FENCE.match(line)
        if cell:
            cells += 1
            fence = cell.group("fence")
            lines[number] = f"{cell.group('lead')}{{.{cell.group('lang').lower()} .cell}}"
            continue
        opened = _FENCE.match(line)
        if opened:
            fence = opened.group(1)
            continue
        if "{{<" in line:
            line = _SHORTCODE.sub(partial(_shortcode, line=line, dropped=dropped,
                                          line_number=body_line + number), line)
        lines[number] = prose(line) if prose else line
    warnings = []
    if cells:
        warnings.append(f"{source}: warning: {cells} executable cell(s) shown as code, "
                        f"never run (galleys executes nothing)")
    if dropped:
        named = ", ".join(f"line {line} {text}" for line, text in dropped)
        warnings.append(f"{source}:{dropped[0][0]}: warning: dropped {len(dropped)} Quarto "
                        f"shortcode(s) no edition can honour: {named}")
    return "\n".join(lines), warnings


def text_shortcodes(text: str) -> str:
    """A front-matter string (title, abstract) with its shortcodes read as in the body: the
    word ones print their word, the others go (no edition could show them)."""
    if "{{<" not in text:
        return text
    return _SHORTCODE.sub(lambda m: _shortcode(m, "", [], 0), text)


def _shortcode(match: re.Match[str], line: str, dropped: list[tuple[int, str]],
               line_number: int) -> str:
    name, args = match.group("name"), match.group("args").strip()
    if match.group("escaped"):
        return "{{< " + f"{name} {args}".strip() + " >}}"
    if name == "pagebreak":
        if line.strip() == match.group(0):
            return "\\newpage"
    elif name.lower() in WORD_SHORTCODES:
        return WORD_SHORTCODES[name.lower()]
    elif name == "kbd" and args:
        return args.strip("'\"")
    note = " (never read)" if name in ("include", "embed") else ""
    dropped.append((line_number, f"{{{{< {name} >}}}}{note}"))
    return ""


def finish(blocks: list[Node]) -> list[Node]:
    """Cells without their option lines and callouts as titled boxes, throughout `blocks`."""
    return _walk(blocks)


def _walk(value: Any) -> Any:
    if isinstance(value, list):
        return [_walk(item) for item in value]
    if not has_children(value):
        return value
    if is_kind(value, "CodeBlock") and "cell" in attr_of(value).classes:
        return _cell(value)
    if is_kind(value, "Div") and _callout_kind(attr_of(value).classes) is not None:
        return _callout(value)
    return {**value, "c": _walk(content_of(value))}


def _cell(node: Node) -> Node:
    cell, (_attr, code) = attr_of(node), content_of(node)
    lines = code.split("\n")
    while lines and _OPTION_LINE.match(lines[0]):
        lines.pop(0)
    plain = Attr(cell.ident, [c for c in cell.classes if c != "cell"], cell.pairs)
    return make("CodeBlock", [plain.to_json(), "\n".join(lines)])


def _callout_kind(classes: list[str]) -> str | None:
    for name in classes:
        if name == "callout":
            return ""
        if name.startswith("callout-") and name[8:] in CALLOUT_KINDS:
            return name[8:]
    return None


def _callout(node: Node) -> Node:
    box, (_attr, blocks) = attr_of(node), content_of(node)
    kind = _callout_kind(box.classes) or ""
    title: list[Node] = []
    given = box.value("title")
    blocks = _walk(blocks)
    if given is not None:
        title = text_nodes(given)
    elif blocks and is_kind(blocks[0], "Header"):
        title, blocks = content_of(blocks[0])[2], blocks[1:]
    elif kind:
        title = [string(CALLOUT_KINDS[kind])]
    pairs = [list(p) for p in box.pairs
             if p[0] not in ("title", "collapse", "appearance", "icon")]
    head = ([make("Div", [Attr("", ["callout-title"], []).to_json(),
                          [make("Para", [make("Strong", title)])]])]
            if title else [])
    kept = Attr(box.ident, ["callout", f"callout-{kind or 'note'}"], pairs)
    return make("Div", [kept.to_json(), head + blocks])

