"""The shared front matter as pandoc blocks, each paragraph in a named Word style."""

from __future__ import annotations

from typing import Any

from galleys.front.frontmatter import FrontMatter
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
    """Title block, journal line, dates, identifiers, abstract, keywords and How to Cite."""
    blocks = [_styled("Title", [_para(runs(front.title))])]
    if front.subtitle:
        blocks.append(_styled("Subtitle", [_para(runs(front.subtitle))]))
    for author in front.authors:
        line = text(author.name)
        if author.superscript:
            line.append({"t": "Superscript", "c": text(author.superscript)})
        if author.orcid_url:
            line += [{"t": "Space"}, _link(text(author.orcid_url), author.orcid_url)]
        blocks.append(_styled("Author", [_para(line)]))
    for affiliation in front.affiliations:
        line = text(affiliation.name)
        if affiliation.marker:
            line.insert(0, {"t": "Superscript", "c": text(affiliation.marker)})
        blocks.append(_styled("Affiliation", [_para(line)]))
    for note in front.author_notes:
        line = runs(note.text)
        if note.marker:
            line[:0] = [{"t": "Superscript", "c": text(note.marker)}, {"t": "Space"}]
        blocks.append(_styled("Author Note", [_para(line)]))
    labels = front.labels
    if front.journal_line:
        blocks.append(_styled("Journal Line", [_para(text(front.journal_line))]))
    if front.issue_title:
        blocks.append(_styled("Issue Title", [_para(text(front.issue_title))]))
    if front.published:
        blocks.append(_labelled("Published", labels.published, text(front.published)))
    if front.doi_url:
        blocks.append(_labelled("DOI", labels.doi, [_link(text(front.doi_url), front.doi_url)]))
    if front.url:
        blocks.append(_labelled("URL", labels.url, [_link(text(front.url), front.url)]))
    if front.license:
        licence = text(front.license)
        if front.license_url:
            licence = [_link(licence, front.license_url)]
        blocks.append(_labelled("Licence", labels.license, licence))
    if front.abstract:
        blocks.append(_styled("Abstract Title", [_para(text(labels.abstract))]))
        blocks.append(_styled("Abstract", [_para(runs(p)) for p in front.abstract]))
    if front.keywords:
        blocks.append(_labelled("Keywords", labels.keywords, text(front.keywords_text)))
    blocks.append(_styled("How to Cite Title", [_para(text(labels.how_to_cite))]))
    blocks.append(_styled("How to Cite", [_para(runs(front.how_to_cite))]))
    return blocks


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
