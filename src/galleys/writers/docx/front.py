"""The shared front matter as pandoc blocks, each paragraph in a named Word style."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from galleys.front.frontmatter import Field, FrontMatter, lay_out
from galleys.front.inlines import Inlines, Run
from galleys.writers.docx.reference import LABEL_STYLE

Node = dict[str, Any]

_MARKS = (  # outermost first; "code" and "math" replace the text node itself
    ("strong", "Strong"),
    ("emph", "Emph"),
    ("underline", "Underline"),
    ("strike", "Strikeout"),
    ("smallcaps", "SmallCaps"),
    ("sup", "Superscript"),
    ("sub", "Subscript"),
)


def front_blocks(front: FrontMatter) -> list[Node]:
    """Title block, journal line, dates, identifiers, abstract, keywords and How to Cite: each
    of front.fields() in order, by the renderer of its kind (front_renderers)."""
    return [block for blocks in lay_out(front, front_renderers(front), "the DOCX front")
            for block in blocks]


def front_renderers(front: FrontMatter) -> dict[str, Callable[[Field], list[Node]]]:
    """Front-matter kind -> the blocks (each in its Word style) that lay out one field."""

    def styled_runs(style: str) -> Callable[[Field], list[Node]]:
        return lambda field: [_styled(style, [_para(runs(field.runs))])]

    def styled_text(style: str) -> Callable[[Field], list[Node]]:
        return lambda field: [_styled(style, [_para(text(field.value))])]

    def labelled(style: str) -> Callable[[Field], list[Node]]:
        def render(field: Field) -> list[Node]:
            value = text(field.value)
            return [_labelled(style, field.label, [_link(value, field.link)] if field.link
                              else value)]
        return render

    def author(field: Field) -> list[Node]:
        line = front.authors[field.number - 1]
        inlines = text(line.name)
        if line.superscript:
            inlines.append({"t": "Superscript", "c": text(line.superscript)})
        if line.orcid_url:  # the author's orcid field: drawn here, with its name
            inlines += [{"t": "Space"}, _link(text(line.orcid_url), line.orcid_url)]
        return [_styled("Author", [_para(inlines)])]

    def affiliation(field: Field) -> list[Node]:
        shown = front.affiliations[field.number - 1]
        inlines = text(shown.name)
        if shown.marker:
            inlines.insert(0, {"t": "Superscript", "c": text(shown.marker)})
        return [_styled("Affiliation", [_para(inlines)])]

    def author_note(field: Field) -> list[Node]:
        note = front.author_notes[field.number - 1]
        inlines = runs(note.text)
        if note.marker:
            inlines[:0] = [{"t": "Superscript", "c": text(note.marker)}, {"t": "Space"}]
        return [_styled("Author Note", [_para(inlines)])]

    def titled(title_style: str, style: str, paragraphs: Callable[[Field], list[Node]]
               ) -> Callable[[Field], list[Node]]:
        return lambda field: [_styled(title_style, [_para(text(field.label))]),
                              _styled(style, paragraphs(field))]

    def with_another(field: Field) -> list[Node]:
        return []  # an ORCID with its author, an e-mail in the author notes

    return {
        "title": styled_runs("Title"),
        "subtitle": styled_runs("Subtitle"),
        "author": author,
        "orcid": with_another,
        "affiliation": affiliation,
        "author note": author_note,
        "email": with_another,
        "journal line": styled_text("Journal Line"),
        "issue title": styled_text("Issue Title"),
        "published": labelled("Published"),
        "doi": labelled("DOI"),
        "url": labelled("URL"),
        "licence": labelled("Licence"),
        "abstract": titled("Abstract Title", "Abstract",
                           lambda field: [_para(runs(p)) for p in front.abstract]),
        "keywords": labelled("Keywords"),
        "how to cite": titled("How to Cite Title", "How to Cite",
                              lambda field: [_para(runs(field.runs))]),
    }


def runs(inlines: Inlines) -> list[Node]:
    """Pandoc inlines for rich front-matter runs: marks become Emph, Strong, …; links Link."""
    out: list[Node] = []
    for run in inlines:
        out += _run(run)
    return out


def text(value: str) -> list[Node]:
    """Pandoc inlines for plain text: words as Str, spaces as Space."""
    out: list[Node] = []
    for index, word in enumerate(value.split(" ")):
        if index:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def _run(run: Run) -> list[Node]:
    if "math" in run.marks:
        nodes: list[Node] = [{"t": "Math", "c": [{"t": "InlineMath"}, run.text]}]
    elif "code" in run.marks:
        nodes = [{"t": "Code", "c": [["", [], []], run.text]}]
    else:
        nodes = text(run.text)
    for mark, kind in reversed(_MARKS):
        if mark in run.marks:
            nodes = [{"t": kind, "c": nodes}]
    if run.lang:  # pandoc's DOCX writer gives the span's runs w:lang
        nodes = [{"t": "Span", "c": [["", [], [["lang", run.lang]]], nodes]}]
    return [_link(nodes, run.link)] if run.link else nodes


def _link(content: list[Node], target: str) -> Node:
    return {"t": "Link", "c": [["", [], []], content, [target, ""]]}


def _para(inlines: list[Node]) -> Node:
    return {"t": "Para", "c": inlines}


def _styled(style: str, blocks: list[Node]) -> Node:
    return {"t": "Div", "c": [["", [], [["custom-style", style]]], blocks]}


def _labelled(style: str, label: str, value: list[Node]) -> Node:
    label_span = {"t": "Span", "c": [["", [], [["custom-style", LABEL_STYLE]]],
                                     text(f"{label}:")]}
    return _styled(style, [_para([label_span, {"t": "Space"}, *value])])
