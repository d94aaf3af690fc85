"""Rich inline text for front matter: runs of text with marks, made from pandoc inline AST."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from galleys.errors import SourceError
from galleys.pandoc_ast import attr_of, content_of, is_kind, kind_of, make, string

MARKS = {
    "Emph": "emph",
    "Strong": "strong",
    "Strikeout": "strike",
    "Superscript": "sup",
    "Subscript": "sub",
    "SmallCaps": "smallcaps",
    "Underline": "underline",
}


@dataclass(frozen=True)
class Run:
    """A stretch of text with one set of marks (emph, strong, sup, …), maybe a link, and the
    language of a `[text]{lang=ur}` span ("" for the article's own).

    The mark "isolate" sets a run apart in its line (a name in a reference): it keeps its own
    direction and does not swap places with a neighbour in the same direction.
    """

    text: str
    marks: frozenset[str] = frozenset()
    link: str = ""
    lang: str = ""


Inlines = tuple[Run, ...]


def plain(runs: Inlines) -> str:
    """The text of `runs` without marks."""
    return "".join(run.text for run in runs)


def pandoc_text(nodes: list[dict[str, Any]]) -> str:
    """The text of pandoc inlines, notes left out: for labels, alt text and layout guesses."""
    out: list[str] = []
    for node in nodes:
        kind, content = kind_of(node), content_of(node)  # the content's shape: by kind
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind in MARKS:
            out.append(pandoc_text(content))
        elif kind == "Quoted":
            single = is_kind(content[0], "SingleQuote")
            left, right = ("\u2018", "\u2019") if single else ("\u201c", "\u201d")
            out.append(left + pandoc_text(content[1]) + right)
        elif kind in ("Link", "Image", "Span", "Cite"):
            out.append(pandoc_text(content[1]))
    return "".join(out)


def text_nodes(text: str) -> list[dict[str, Any]]:
    """Plain text as pandoc inline nodes: a Str a word, Spaces between."""
    nodes: list[dict[str, Any]] = []
    for word in text.split():
        if nodes:
            nodes.append(make("Space"))
        nodes.append(string(word))
    return nodes


def from_pandoc(inlines: list[dict[str, Any]], where: str = "text") -> Inlines:
    """Runs from pandoc JSON inlines; raises on what front matter cannot hold (a footnote)."""
    runs: list[Run] = []
    _walk(inlines, Run("", frozenset(), "", ""), runs, where)
    return _merge(runs)


def _walk(inlines: list[dict[str, Any]], outer: Run, out: list[Run], where: str) -> None:
    """Runs for `inlines`, each with the marks, link and language of `outer` (its text unused)."""
    marks, link = outer.marks, outer.link

    def run(text: str, more: frozenset[str] = frozenset()) -> Run:
        return Run(text, marks | more, link, outer.lang)

    for node in inlines:
        kind, content = kind_of(node), content_of(node)  # the content's shape: by kind
        if kind == "Str":
            out.append(run(content))
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(run(" "))
        elif kind in MARKS:
            _walk(content, run("", frozenset({MARKS[kind]})), out, where)
        elif kind == "Code":
            out.append(run(content[1], frozenset({"code"})))
        elif kind == "Math":
            out.append(run(content[1], frozenset({"math"})))
        elif kind == "Link":
            _walk(content[1], Run("", marks, content[2][0], outer.lang), out, where)
        elif kind == "Span":
            span = attr_of(node)
            if "csl-left-margin" in span.classes:  # a reference list's "[1]": no use in one line
                continue
            lang = (span.value("lang") or "").strip() or outer.lang
            _walk(content[1], Run("", marks, link, lang), out, where)
        elif kind == "Quoted":
            left, right = (
                ("\u2018", "\u2019") if is_kind(content[0], "SingleQuote")
                else ("\u201c", "\u201d")
            )
            out.append(run(left))
            _walk(content[1], outer, out, where)
            out.append(run(right))
        elif kind == "Cite" or kind == "Image":
            _walk(content[1], outer, out, where)
        elif kind == "RawInline":
            continue  # never produced: raw extensions are off in the reader
        else:
            raise SourceError(f"{where} cannot hold {kind} (footnotes and such belong in the body)")


def _merge(runs: list[Run]) -> Inlines:
    merged: list[Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if last and (last.marks, last.link, last.lang) == (run.marks, run.link, run.lang):
            merged[-1] = replace(last, text=last.text + run.text)
        else:
            merged.append(run)
    # Collapse doubled spaces and trim the ends, as pandoc's plain writer would.
    if merged:
        merged[0] = replace(merged[0], text=merged[0].text.lstrip())
        merged[-1] = replace(merged[-1], text=merged[-1].text.rstrip())
    return tuple(r for r in merged if r.text)
