"""Rich inline text for front matter: runs of text with marks, made from pandoc inline AST."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import SourceError

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
    """A stretch of text with one set of marks (emph, strong, sup, …) and maybe a link."""

    text: str
    marks: frozenset[str] = frozenset()
    link: str = ""


Inlines = tuple[Run, ...]


def plain(runs: Inlines) -> str:
    """The text of `runs` without marks."""
    return "".join(run.text for run in runs)


def pandoc_text(nodes: list[dict[str, Any]]) -> str:
    """The text of pandoc inlines, notes left out: for labels, alt text and layout guesses."""
    out: list[str] = []
    for node in nodes:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind in MARKS:
            out.append(pandoc_text(content))
        elif kind == "Quoted":
            single = content[0]["t"] == "SingleQuote"
            left, right = ("\u2018", "\u2019") if single else ("\u201c", "\u201d")
            out.append(left + pandoc_text(content[1]) + right)
        elif kind in ("Link", "Image", "Span", "Cite"):
            out.append(pandoc_text(content[1]))
    return "".join(out)


def from_pandoc(inlines: list[dict[str, Any]], where: str = "text") -> Inlines:
    """Runs from pandoc JSON inlines; raises on what front matter cannot hold (a footnote)."""
    runs: list[Run] = []
    _walk(inlines, frozenset(), "", runs, where)
    return _merge(runs)


def _walk(
    inlines: list[dict[str, Any]], marks: frozenset[str], link: str, out: list[Run], where: str
) -> None:
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(Run(content, marks, link))
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(Run(" ", marks, link))
        elif kind in MARKS:
            _walk(content, marks | {MARKS[kind]}, link, out, where)
        elif kind == "Code":
            out.append(Run(content[1], marks | {"code"}, link))
        elif kind == "Math":
            out.append(Run(content[1], marks | {"math"}, link))
        elif kind == "Link":
            _walk(content[1], marks, content[2][0], out, where)
        elif kind == "Span":
            classes = content[0][1]
            if "csl-left-margin" in classes:  # a reference list's "[1]": no use in one line
                continue
            _walk(content[1], marks, link, out, where)
        elif kind == "Quoted":
            left, right = (
                ("\u2018", "\u2019") if content[0]["t"] == "SingleQuote" else ("\u201c", "\u201d")
            )
            out.append(Run(left, marks, link))
            _walk(content[1], marks, link, out, where)
            out.append(Run(right, marks, link))
        elif kind == "Cite" or kind == "Image":
            _walk(content[1], marks, link, out, where)
        elif kind == "RawInline":
            continue  # never produced: raw extensions are off in the reader
        else:
            raise SourceError(f"{where} cannot hold {kind} (footnotes and such belong in the body)")


def _merge(runs: list[Run]) -> Inlines:
    merged: list[Run] = []
    for run in runs:
        if merged and merged[-1].marks == run.marks and merged[-1].link == run.link:
            merged[-1] = Run(merged[-1].text + run.text, run.marks, run.link)
        else:
            merged.append(run)
    # Collapse doubled spaces and trim the ends, as pandoc's plain writer would.
    if merged:
        merged[0] = Run(merged[0].text.lstrip(), merged[0].marks, merged[0].link)
        merged[-1] = Run(merged[-1].text.rstrip(), merged[-1].marks, merged[-1].link)
    return tuple(r for r in merged if r.text)
