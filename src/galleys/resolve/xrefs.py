"""Cross-references: figures, tables, labelled equations and sections numbered once, every
reference to them printed and linked.

One pass over the resolved body, before citeproc sees it, so every edition prints the same
numbers and links to the same ids:

- **Numbering.** Every Figure and Table with a caption or a label is numbered in document order
  (unlabelled ones too, as LaTeX and inara do), "Figure 1: " / "Table 1: " put before its caption
  (the words come from `labels:`). A display equation is numbered when it is labelled: the
  raw-TeX pass's `Span [id, ["equation"], []] [Math]` (see raw_tex), inara's
  `[$$…$$]{label="x"}`, or Quarto's `$$…$$ {#eq-x}`; its Span gets the attribute
  `number` = "3", which the math renderers print at the margin. Headings get hierarchical
  numbers (`{.unnumbered}` and `{-}` ones none, nor the reference list's); the numbers are
  printed before the headings only when the article refers to a section, so "Section 2" can be
  found on the page. Quarto's figure or table written as a Div (`::: {#fig-x}`, its caption the
  last paragraph) is the Figure or Table it means; the figures inside a numbered figure are its
  sub-figures, "(a)", "(b)".
- **Labels.** An element's id is its label; a table's caption may end with it as
  pandoc-crossref and Quarto write it, `: Caption {#tbl:x}` (pandoc reads that as the table's
  attributes from 3.8.2 on; older releases leave it in the caption as text, which is then
  taken out and made the table's id, classes and attributes here). A caption may carry it
  instead as inara writes it,
  an empty Span `[]{label="x"}`, or as the LaTeX reader leaves `\\label{x}` (an empty Span with
  id `x`). That Span is taken out of the caption and its label becomes the element's id. Such a
  Span in a heading or in a section's text labels that section, as in LaTeX.
- **References.** LaTeX's `\\ref`, `\\autoref`, `\\eqref` (a Link the LaTeX reader marks with
  `reference-type`), Quarto's `@fig-x` and pandoc-crossref's `@fig:x` (Cite nodes, taken out
  before citeproc would print "(fig-x?)") become a Link to `#id` whose text is "1" (`\\ref`,
  `[-@fig-x]`), "Figure 1" (`\\autoref`, `@fig-x`) or "(3)" (`\\eqref`). A reference to a label
  that nothing carries prints "??", as LaTeX does, with a warning naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from galleys.pandoc_ast import (
    SPACES,
    Node,
    attr_of,
    cite_of,
    content_of,
    div_of,
    figure_of,
    header_of,
    inlines_of,
    is_display_math,
    is_kind,
    kind_of,
    make,
    node_kind,
    set_attr,
    set_caption,
    set_ident,
    span,
    span_of,
    string,
    table_of,
)

if TYPE_CHECKING:
    from galleys.front.frontmatter import Labels

UNKNOWN = "??"  # what LaTeX prints for an undefined reference
REFERENCE_IDS = ("references", "bibliography", "refs")  # ids the reference list goes under
# Quarto's keys (fig-x; @Fig-x starts a sentence) and pandoc-crossref's (fig:x).
_KEY = re.compile(r"^[fF]ig[-:]\S|^[tT]bl[-:]\S|^[eE]q[-:]\S|^[sS]ec[-:]\S")
_CITED_KEY = re.compile(r"@\{?(?:[fF]ig|[tT]bl|[eE]q|[sS]ec)[-:]")
_ATTRIBUTES = re.compile(r"^\{#(\S+?)(?:\s[^{}]*)?\}$")  # Quarto's "{#eq-x}" after display math
# An attribute block ending a caption ("… {#tbl:x .wide}"), and the parts inside one.
_TRAILING_ATTRIBUTES = re.compile(r"\{(#[^\s{}]+(?:\s+[^\s{}]+)*)\s*\}\s*$")
_ATTRIBUTE = re.compile(r'#(\S+)|\.(\S+)|([\w-]+)=(?:"([^"]*)"|(\S+))')
_UNNUMBERED = ("unnumbered", "-")
_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Code", "RawInline"})


@dataclass(frozen=True)
class Target:
    """A numbered element: its kind (a Labels field), number and the id links go to."""

    kind: str
    number: str
    ident: str


@dataclass
class _Numbering:
    words: Labels
    targets: dict[str, Target] = field(default_factory=dict)  # label -> target
    counts: dict[str, int] = field(default_factory=dict)
    sections: list[int] = field(default_factory=list)
    headers: list[tuple[Node, str]] = field(default_factory=list)  # heading, its number
    section: Target | None = None  # the numbered section the pass is in
    references: list[tuple[list[Node], int]] = field(default_factory=list)  # (inlines, at)
    twice: list[str] = field(default_factory=list)  # labels given to two elements

    def next(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return str(self.counts[kind])

    def add(self, labels: list[str], kind: str, number: str, ident: str) -> None:
        for label in labels:
            if not label:
                continue
            known = self.targets.setdefault(label, Target(kind, number, ident))
            if known.ident != ident or known.number != number:
                self.twice.append(label)

    def free(self, label: str) -> str:
        """`label` as a new element's id, or "" when another element has it already."""
        return "" if label in self.targets else label


def is_crossref_key(key: str) -> bool:
    """Whether a citation key names a cross-reference (`fig-x`, `tbl:y` …), not a work."""
    return bool(_KEY.match(key))


def cites_crossref(body: str) -> bool:
    """Whether a Markdown body may cite a cross-reference key (`@fig-x`, `[-@tbl:y]`): then
    citeproc must run after this pass, not in the parse."""
    return bool(_CITED_KEY.search(body))


def resolve_crossrefs(blocks: list[Node], words: Labels, source: object
                      ) -> tuple[bool, list[str]]:
    """Number and resolve in place; whether anything changed, and the warnings (one per label
    nothing carries)."""
    numbering = _Numbering(words)
    _number_blocks(blocks, numbering)
    warnings: list[str] = []
    unknown: list[str] = []
    refers_to_section = False
    for inlines, at in numbering.references:
        inlines[at], section = _reference(inlines[at], numbering, unknown)
        refers_to_section = refers_to_section or section
    changed = bool(numbering.counts or numbering.references)
    if refers_to_section:
        for header, number in numbering.headers:
            header_of(header).inlines[:0] = [_span("section-number", [_str(number)]),
                                              make("Space")]
    for label in dict.fromkeys(unknown):
        warnings.append(f"{source}: warning: a cross-reference to {label!r}, which no figure, "
                        f"table, equation or section carries, is printed as {UNKNOWN}")
    for label in dict.fromkeys(numbering.twice):
        warnings.append(f"{source}: warning: the label {label!r} is given to two elements; "
                        "references to it go to the first")
    return changed, warnings


# -- numbering ----------------------------------------------------------------------------------

def _number_blocks(blocks: list[Node], numbering: _Numbering) -> None:
    for at, block in enumerate(blocks):
        kind = node_kind(block)
        content: Any = content_of(block)  # its shape depends on the kind
        if kind == "Header":
            following = blocks[at + 1] if at + 1 < len(blocks) else None
            if not (is_kind(following, "Div") and attr_of(following).ident == "refs"):
                _number_header(block, numbering)  # the reference list's heading has none
            _number_inlines(header_of(block).inlines, numbering)
        elif kind == "Figure":
            number = _number_float(block, "figure", numbering)
            _number_figure_body(figure_of(block).blocks, number, numbering)
        elif kind == "Table":
            _number_float(block, "table", numbering)
            _number_table_cells(block, numbering)
        elif kind in ("Para", "Plain"):
            _number_inlines(content, numbering)
        elif kind == "LineBlock":
            for line in content:
                _number_inlines(line, numbering)
        elif kind == "BlockQuote":
            _number_blocks(content, numbering)
        elif kind == "Div":
            float_node = _quarto_float(block)
            if float_node is None:
                _number_blocks(div_of(block).blocks, numbering)
            else:
                blocks[at] = float_node
                _number_blocks([float_node], numbering)
        elif kind == "BulletList":
            for item in content:
                _number_blocks(item, numbering)
        elif kind == "OrderedList":
            for item in content[1]:
                _number_blocks(item, numbering)
        elif kind == "DefinitionList":
            for term, definitions in content:
                _number_inlines(term, numbering)
                for definition in definitions:
                    _number_blocks(definition, numbering)


def _quarto_float(div: Node) -> Node | None:
    """Quarto's figure or table written as a Div (`::: {#fig-x}` … caption paragraph last), or
    a plain Div whose id labels the one float it holds, as the pandoc Figure or Table it means;
    None for any other Div."""
    (ident, classes, pairs), blocks = div_of(div)
    if ident and not classes and not pairs and len(blocks) == 1 and (
            is_kind(blocks[0], "Table", "Figure") and not attr_of(blocks[0]).ident):
        set_ident(blocks[0], ident)  # LaTeX's table environment: a plain Div with its label
        return blocks[0]
    kind = ident.split("-", 1)[0] if "-" in ident else ""
    if kind not in ("fig", "tbl") or not blocks:
        return None
    caption: list[Node] = []
    if len(blocks) > 1 and is_kind(blocks[-1], "Para"):
        caption, blocks = [make("Plain", content_of(blocks[-1]))], blocks[:-1]
    if kind == "fig":
        return make("Figure", [[ident, classes, pairs], [None, caption], blocks])
    if len(blocks) != 1 or not is_kind(blocks[0], "Table"):
        return None
    table = blocks[0]
    set_ident(table, attr_of(table).ident or ident)
    if caption and not _has_text(table_of(table).caption):
        set_caption(table, caption)
    return table



def _number_table_cells(table: Node, numbering: _Numbering) -> None:
    for row in table_of(table).rows():
        for cell in row.cells:
            _number_blocks(cell.blocks, numbering)


def _number_header(block: Node, numbering: _Numbering) -> None:
    level, (ident, classes, _kv), inlines = header_of(block)
    labels = [label for node in inlines if (label := _empty_label(node))]  # "\label" in it
    if any(c in classes for c in _UNNUMBERED) or ident in REFERENCE_IDS:
        return
    sections = numbering.sections
    del sections[level:]
    sections += [0] * (level - len(sections))
    sections[level - 1] += 1
    number = ".".join(str(n) for n in sections)
    numbering.headers.append((block, number))
    numbering.add([ident, *labels], "section", number, ident)
    numbering.section = Target("section", number, ident)


def _number_figure_body(blocks: list[Node], number: str | None, numbering: _Numbering) -> None:
    """A figure's own blocks; the figures inside a numbered one are its sub-figures (Quarto's
    `::: {#fig-x}` of several `![…](…){#fig-a}`): "(a)" before their captions, "Figure 1(a)"
    where they are referred to."""
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    for block in blocks:
        if not is_kind(block, "Figure") or number is None:
            _number_blocks([block], numbering)
            continue
        attr, caption, inner = figure_of(block)
        labels = _take_caption_labels(caption)
        ident = attr.ident or (numbering.free(labels[0]) if labels else "")
        set_ident(block, ident)
        letter = f"({next(letters, '?')})"
        numbering.add([ident, *labels], "figure", number + letter, ident)
        first = caption[0] if caption else None
        if is_kind(first, "Plain", "Para"):
            content_of(first)[:0] = [_span("caption-label", [_str(letter)]), make("Space")]
        else:
            caption.insert(0, make("Plain", [_span("caption-label", [_str(letter)])]))
        _number_blocks(caption, numbering)
        _number_blocks(inner, numbering)


def _number_float(node: Node, kind: str, numbering: _Numbering) -> str | None:
    """Number a Figure or Table (its caption labelled); its number, None when it gets none."""
    caption_blocks = table_of(node).caption if kind == "table" else figure_of(node).caption
    labels = _take_caption_attributes(node, caption_blocks) if kind == "table" else []
    labels += _take_caption_labels(caption_blocks)
    if not attr_of(node).ident and labels:
        set_ident(node, numbering.free(labels[0]))
    ident = attr_of(node).ident
    if not ident and not _has_text(caption_blocks):
        _number_blocks(caption_blocks, numbering)
        return None  # neither caption nor label: LaTeX numbers no such float either
    number = numbering.next(kind)
    numbering.add([ident, *labels], kind, number, ident)
    word = getattr(numbering.words, kind)
    first = caption_blocks[0] if caption_blocks else None
    if is_kind(first, "Plain", "Para") and content_of(first):
        content_of(first)[:0] = [_caption_label(word, number + ":"), make("Space")]
    elif is_kind(first, "Plain", "Para"):
        content_of(first)[:] = [_caption_label(word, number)]
    else:
        caption_blocks.insert(0, make("Plain", [_caption_label(word, number)]))
    _number_blocks(caption_blocks, numbering)  # references in the caption
    return number


def _take_caption_attributes(table: Node, blocks: list[Node]) -> list[str]:
    """pandoc-crossref's `: Caption {#tbl:x}` as pandoc before 3.8.2 leaves it, the attribute
    block as the caption's last words: taken out, its classes and key=value pairs given to the
    table; its id returned, as a label of the table."""
    last = blocks[-1] if blocks else None
    if not is_kind(last, "Plain", "Para"):
        return []
    inlines = content_of(last)
    text = ""  # the caption's trailing words
    starts: list[int] = []  # where each of their nodes begins in `text`
    for node in reversed(inlines[-24:]):
        if is_kind(node, "Str"):
            piece = content_of(node)
        elif is_kind(node, *SPACES):
            piece = " "
        else:
            break
        text = piece + text
        starts = [0] + [start + len(piece) for start in starts]
    match = _TRAILING_ATTRIBUTES.search(text)
    if match is None:
        return []
    first = len(inlines) - len(starts)  # the node the text begins with
    at = max(i for i, start in enumerate(starts) if start <= match.start())
    kept = text[starts[at]:match.start()]
    inlines[first + at:] = [_str(kept)] if kept else []
    while inlines and is_kind(inlines[-1], *SPACES):
        inlines.pop()
    idents: list[str] = []
    attr = attr_of(table)
    for ident, cls, key, quoted, bare in _ATTRIBUTE.findall(match.group(1)):
        if ident:
            idents.append(ident)
        elif cls and cls not in attr.classes:
            attr = attr._replace(classes=[*attr.classes, cls])
        elif key:
            attr = attr._replace(pairs=[*attr.pairs, [key, quoted or bare]])
    set_attr(table, attr)
    return idents


def _caption_label(word: str, number: str) -> Node:
    """"Figure 1:" before a caption, as a Span a writer may style."""
    return _span("caption-label", [_str(word), make("Space"), _str(number)])


def _take_caption_labels(blocks: list[Node]) -> list[str]:
    """Labels from empty Spans in a caption's paragraphs (`[]{label="x"}`, `\\label{x}`), which
    are taken out, with a space left before them."""
    labels: list[str] = []
    for block in blocks:
        if is_kind(block, "Plain", "Para"):
            labels += _take_labels(content_of(block))
    return labels


def _take_labels(inlines: list[Node]) -> list[str]:
    """Labels from the empty Spans in `inlines`, which are taken out (with the spaces around
    them at either end)."""
    labels: list[str] = []
    kept: list[Node] = []
    for node in inlines:
        label = _empty_label(node)
        if label is None:
            kept.append(node)
            continue
        labels.append(label)
        while kept and is_kind(kept[-1], *SPACES):
            kept.pop()
    while kept and is_kind(kept[-1], *SPACES):
        kept.pop()
    while kept and is_kind(kept[0], *SPACES):
        kept.pop(0)
    inlines[:] = kept
    return labels


def _empty_label(node: Node) -> str | None:
    if node_kind(node) != "Span" or span_of(node).inlines:  # asked of most inlines: no call
        return None
    attr = attr_of(node)
    return dict(attr.pairs).get("label") or attr.ident or None


def _number_inlines(inlines: list[Node], numbering: _Numbering) -> None:
    """Labelled display equations in these inlines get their numbers (and Quarto's
    `{#eq-x}` after the math becomes the equation Span's id); references are noted."""
    at = 0
    while at < len(inlines):
        node = inlines[at]
        kind = node_kind(node)
        if kind in _LEAVES:
            at += 1
            continue
        if kind in ("Link", "Cite") and _is_reference(node):
            numbering.references.append((inlines, at))
        elif kind == "Math" and is_display_math(node):
            ident, end = _attributes_after(inlines, at + 1)
            if ident:
                inlines[at:end] = [span(["equation"], [node], ident)]
                continue
        elif kind == "Span" and _is_equation(node):
            _number_equation(node, numbering)
        elif _empty_label(node) and numbering.section:  # "\label{x}" in a section's text
            label = _empty_label(node) or ""
            if label not in numbering.targets:  # else its heading's own, or a second one
                ident = attr_of(node).ident or label
                set_ident(node, ident)
                numbering.add([label], "section", numbering.section.number, ident)
        elif kind == "Note":
            _number_blocks(content_of(node), numbering)
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                      "SmallCaps"):
            _number_inlines(content_of(node), numbering)
        elif kind in ("Span", "Quoted", "Cite", "Link", "Image"):
            _number_inlines(inlines_of(node), numbering)
        at += 1


def _attributes_after(inlines: list[Node], start: int) -> tuple[str, int]:
    """The id in a Quarto attribute block (`{#eq-x}`) that follows display math at `start`,
    and where that block ends; ("", start) when there is none."""
    at = start
    if at < len(inlines) and is_kind(inlines[at], *SPACES):
        at += 1
    text = ""
    for end in range(at, min(len(inlines), at + 12)):
        node = inlines[end]
        text += (content_of(node) if is_kind(node, "Str") else " " if is_kind(node, "Space")
                 else "\0")
        if not text.startswith("{"):
            break
        match = _ATTRIBUTES.match(text)
        if match:
            return match.group(1), end + 1
    return "", start


def _is_equation(node: Node) -> bool:
    (ident, classes, pairs), inlines = span_of(node)
    has_math = any(is_display_math(n) for n in inlines)
    return has_math and ("equation" in classes or "label" in dict(pairs) or bool(ident))


def _number_equation(span: Node, numbering: _Numbering) -> None:
    attr = attr_of(span)
    label = dict(attr.pairs).get("label", "")
    ident = attr.ident or numbering.free(label)
    classes = attr.classes if "equation" in attr.classes else [*attr.classes, "equation"]
    number = numbering.next("equation")
    pairs = [pair for pair in attr.pairs if pair[0] not in ("label", "number")]
    pairs.append(["number", number])
    set_attr(span, attr._replace(ident=ident, classes=classes, pairs=pairs))
    numbering.add([ident, label], "equation", number, ident)


# -- references ---------------------------------------------------------------------------------

def _is_reference(node: Node) -> bool:
    """A LaTeX reference (the Link the LaTeX reader makes of `\\ref`) or a Cite of nothing but
    cross-reference keys."""
    if node_kind(node) == "Link":
        pairs = dict(attr_of(node).pairs)
        return bool(pairs.get("reference-type")) and "reference" in pairs
    citations = cite_of(node).citations
    return bool(citations) and all(is_crossref_key(c["citationId"]) for c in citations)


def _reference(node: Node, numbering: _Numbering, unknown: list[str]) -> tuple[Node, bool]:
    """The printed reference replacing a LaTeX reference Link or a cross-reference Cite, and
    whether it names a section."""
    if is_kind(node, "Link"):
        pairs = dict(attr_of(node).pairs)
        style, label = pairs["reference-type"], pairs["reference"]
        target = numbering.targets.get(label)
        if target is None:
            unknown.append(label)
        form = {"ref+label": "named", "ref+Label": "named",  # \autoref, \cref; \Cref
                "eqref": "parenthesized"}.get(style, "bare")
        return _printed(target, form, numbering.words), _is_section(target)
    inlines: list[Node] = []
    section = False
    for citation in cite_of(node).citations:
        key = citation["citationId"]
        target = numbering.targets.get(key) or numbering.targets.get(key[0].lower() + key[1:])
        if target is None:
            unknown.append(key)
        section = section or _is_section(target)
        form = "bare" if kind_of(citation["citationMode"]) == "SuppressAuthor" else "named"
        if inlines:
            inlines += [_str(","), make("Space")]
        if citation["citationPrefix"]:
            inlines += [*citation["citationPrefix"], make("Space")]
        inlines.append(_printed(target, form, numbering.words))
        inlines += citation["citationSuffix"]
    printed = inlines[0] if len(inlines) == 1 else _span("", inlines)
    return printed, section


def _printed(target: Target | None, form: str, words: Labels) -> Node:
    if target is None:
        return _str(UNKNOWN)
    if form == "named":
        text = [_str(getattr(words, target.kind)), make("Space"), _str(target.number)]
    elif form == "parenthesized":
        text = [_str(f"({target.number})")]
    else:
        text = [_str(target.number)]
    if not target.ident:
        return text[0] if len(text) == 1 else _span("", text)
    return make("Link", [["", ["cross-ref"], []], text, [f"#{target.ident}", ""]])


def _is_section(target: Target | None) -> bool:
    return target is not None and target.kind == "section"


def _has_text(blocks: list[Node]) -> bool:
    return any(content_of(block) for block in blocks)


_str = string


def _span(cls: str, inlines: list[Node]) -> Node:
    return span([cls] if cls else [], inlines)
