"""The body check: every passage of the source's body is in every edition's body text.

The reference is pandoc's plain-text rendering of the resolved body, cut into passages
(paragraphs, headings, table rows, captions, notes, equations). A passage is kept when most of
its words are in the edition's body, counted as a multiset in any order: floats may move,
lines may be hyphenated, formulas are drawn as glyphs. Cross-references are counted by their
printed text ("Figure 3"), display equations by the edition's formula elements where it has
them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from galleys import pandoc
from galleys.check.readers.text import INVISIBLE, normalize
from galleys.model import ResolvedArticle

KEPT_SHARE = 0.85  # of a passage's words; the rest is hyphenation, ligatures, math as glyphs
MIN_WORDS = 3  # a shorter passage ("Yes.") says nothing on its own
_WORD = re.compile(r"[^\W\d_]{3,}")
_NUMBER = re.compile(r"\d+")
_HYPHENATED = re.compile("([^\\W\\d_]+)[-\u2010\u00ad]\n([^\\W\\d_]+)")  # at a line end
_SEPARATOR = "GALLEYSCHECKPASSAGEBREAK"
Node = dict[str, Any]


@dataclass(frozen=True)
class Passage:
    """One passage of the source's body: its kind and its plain text."""

    kind: str  # "paragraph", "heading", "table row", "caption", "note", "code", "equation"
    text: str


@dataclass(frozen=True)
class Source:
    """The body as every edition must hold it."""

    passages: tuple[Passage, ...]
    cross_references: Counter[str]  # printed reference text -> times it occurs
    equations: int  # display equations


def _inlines_of(blocks: list[Node]) -> list[Node]:
    out: list[Node] = []
    for block in blocks:
        content = block.get("c", [])
        if block["t"] in ("Para", "Plain"):
            out += [*content, {"t": "Space"}]
        elif block["t"] == "LineBlock":
            for line in content:
                out += [*line, {"t": "Space"}]
        elif isinstance(content, list):
            out += _inlines_of([c for c in content if isinstance(c, dict) and "t" in c])
            for item in content:
                if isinstance(item, list):
                    out += _inlines_of([c for c in item if isinstance(c, dict) and "t" in c])
    return out


class _Collector:
    """Walks the body once: passages (as pandoc blocks), cross-references, equations."""

    def __init__(self) -> None:
        self.passages: list[tuple[str, list[Node]]] = []  # (kind, blocks for pandoc)
        self.references: list[list[Node]] = []
        self.equations = 0

    def inlines(self, nodes: list[Node]) -> list[Node]:
        """The inlines without their notes (each note becomes passages of its own)."""
        out = []
        for node in nodes:
            kind = node.get("t")
            if kind == "Note":
                self.blocks(node["c"], "note")
                continue
            if kind == "Image":  # its description is alt text, which no edition prints
                continue
            if kind == "Math":  # counted, not read: pandoc's plain text keeps TeX it cannot
                self.equations += node["c"][0]["t"] == "DisplayMath"  # spell in Unicode
                out.append({"t": "Space"})
                continue
            if kind == "Link" and "cross-ref" in node["c"][0][1]:
                self.references.append(node["c"][1])
            if kind in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
                        "Underline"):
                node = {"t": kind, "c": self.inlines(node["c"])}
            elif kind in ("Span", "Link", "Quoted", "Cite"):
                node = {**node, "c": [*node["c"][:-1], self.inlines(node["c"][-1])]} \
                    if kind != "Link" else {**node, "c": [node["c"][0], self.inlines(
                        node["c"][1]), node["c"][2]]}
            out.append(node)
        return out

    def add(self, kind: str, inlines: list[Node]) -> None:
        self.passages.append((kind, [{"t": "Para", "c": self.inlines(inlines)}]))

    def blocks(self, blocks: list[Node], kind: str = "paragraph") -> None:
        for block in blocks:
            name, content = block["t"], block.get("c", [])
            if name in ("Para", "Plain"):
                only_math = [n for n in content if n["t"] not in ("Space", "SoftBreak")]
                is_equation = len(only_math) == 1 and only_math[0]["t"] == "Math" and \
                    only_math[0]["c"][0]["t"] == "DisplayMath"
                self.add("equation" if is_equation else kind, content)
            elif name == "LineBlock":
                self.add(kind, [n for line in content for n in [*line, {"t": "Space"}]])
            elif name == "Header":
                self.add("heading", content[2])
            elif name == "CodeBlock":
                self.passages.append(("code", [block]))
            elif name in ("BlockQuote", "Div"):
                self.blocks(content if name == "BlockQuote" else content[1], kind)
            elif name in ("BulletList", "OrderedList"):
                for item in content if name == "BulletList" else content[1]:
                    self.blocks(item, kind)
            elif name == "DefinitionList":
                for term, definitions in content:
                    self.add("paragraph", term)
                    for definition in definitions:
                        self.blocks(definition, kind)
            elif name == "Figure":
                self.blocks(content[2], kind)
                self.blocks(content[1][1], "caption")
            elif name == "Table":
                self.table(content)

    def table(self, content: list[Any]) -> None:
        _attr, caption, _specs, head, bodies, foot = content
        self.blocks(caption[1], "caption")
        rows = [*head[1]]
        for body in bodies:
            rows += [*body[2], *body[3]]
        rows += foot[1]
        for row in rows:
            cells = [_inlines_of(cell[4]) for cell in row[1]]
            self.add("table row", [n for cell in cells for n in [*cell, {"t": "Space"}]])


def source_body(resolved: ResolvedArticle) -> Source:
    """The passages of the resolved body as pandoc's plain writer renders them (one run)."""
    collector = _Collector()
    collector.blocks(resolved.blocks)
    separator = {"t": "Para", "c": [{"t": "Str", "c": _SEPARATOR}]}
    blocks: list[Node] = []
    for _kind, passage in collector.passages:
        blocks += [*passage, separator]
    for reference in collector.references:
        blocks += [{"t": "Para", "c": reference}, separator]
    document = {**resolved.ast, "blocks": blocks, "meta": {}}
    reply = pandoc.run(["-f", "json", "-t", "plain", "--wrap=none", "-o", "-"],
                       json.dumps(document).encode("utf-8"))
    texts = [t.strip() for t in reply.output.decode("utf-8").split(_SEPARATOR)]
    count = len(collector.passages)
    passages = tuple(Passage(kind, texts[n]) for n, (kind, _) in enumerate(collector.passages))
    references = Counter(normalize(t) for t in texts[count:count + len(collector.references)])
    return Source(passages, references, collector.equations)


def _words(text: str, numbers: bool = False) -> list[str]:
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    words = [w.casefold() for w in _WORD.findall(text)]
    return words + _NUMBER.findall(text) if numbers else words


def _edition_words(text: str) -> Counter[str]:
    """The edition body's words and numbers; a word hyphenated at a line end counts whole too."""
    words = Counter(_words(text, numbers=True))
    words.update(w.casefold() for w in (a + b for a, b in _HYPHENATED.findall(text)))
    return words


def lost_passages(source: Source, body: str) -> list[Passage]:
    """The passages whose words the edition's body lacks, in the source's order."""
    have = _edition_words(body)
    lost = []
    for passage in source.passages:
        words = _words(passage.text, numbers=passage.kind == "table row")
        if len(words) < MIN_WORDS:
            continue
        kept = 0
        for word in words:
            if have[word] > 0:
                have[word] -= 1
                kept += 1
        if kept < KEPT_SHARE * len(words):
            lost.append(passage)
    return lost


def lost_references(source: Source, body: str) -> list[str]:
    """Cross-references ("Figure 3") the edition prints fewer times than the source does."""
    text = normalize(body)
    return [ref for ref, times in source.cross_references.items()
            if ref and text.count(ref) < _count(source, ref)]


def _count(source: Source, reference: str) -> int:
    """How often the source's passages print `reference` (references and captions alike)."""
    return sum(normalize(p.text).count(reference) for p in source.passages)
