"""The JATS `<body>` and `<back>`: pandoc's JATS writer on the resolved body, our MathML and
figure files put in, then its output finished (labels, link types) for the DTD."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from galleys import pandoc
from galleys.front.inlines import pandoc_text
from galleys.model import ResolvedArticle
from galleys.pandoc_ast import (
    SPACES,
    Node,
    attr_of,
    content_of,
    image_of,
    is_kind,
    kind_of,
    make,
    math_of,
    span_of,
    with_content,
)
from galleys.resolve.figures import PRINT_DPI, SUFFIXES, as_kind, open_figure
from galleys.resolve.mathml import MathError, formula
from galleys.writers.jats.references import cited_items, meta_value
from galleys.writers.jats.xmltext import XLINK_NS, mathml_element, xml_text

WRITER = "jats_archiving+element_citations"
MIXED_WRITER = "jats_archiving"
FIGURE_KINDS = frozenset({"png", "jpeg", "gif", "tiff"})  # what archives take as they are
# The element an internal link lands on -> the xref's ref-type.
REF_TYPES = {"fig": "fig", "table-wrap": "table", "table": "table", "disp-formula": "disp-formula",
             "sec": "sec", "fn": "fn", "ref": "bibr", "app": "app", "list-item": "list",
             "boxed-text": "boxed-text"}
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                               huge_tree=True)


@dataclass
class Body:
    """The body and back of an article, and the figure files its `graphic`s name."""

    body: etree._Element
    back: etree._Element | None
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (name, media type, data)
    warnings: list[str] = field(default_factory=list)


def build_body(resolved: ResolvedArticle) -> Body:
    """Run pandoc's JATS writer on the prepared body (the resolved body is left as it is)
    and finish its output."""
    article = resolved.article
    prepared = _Preparer(resolved)
    blocks = prepared.blocks(resolved.blocks)
    items = cited_items(resolved)
    meta: dict[str, Any] = {"lang": {"t": "MetaString", "c": resolved.metadata.lang}}
    if items:
        meta["references"] = meta_value(items)
    document = {"pandoc-api-version": resolved.ast["pandoc-api-version"], "meta": meta,
                "blocks": blocks}
    result = pandoc.convert(_json(document), "json", WRITER, standalone=True)
    root = etree.fromstring(result.output, _SAFE_PARSER)
    body = root.find("body")
    if body is None:
        body = etree.Element("body")
    back = root.find("back")
    if back is not None and len(back) == 0:
        back = None
    mixed = _mixed_citations(resolved, blocks) if items or _has_refs(blocks) else {}
    if back is not None:
        _add_mixed(back, mixed)
    _finish(body, back, prepared.alt_texts)
    found = Body(body, back, prepared.files)
    found.warnings = [f"{article.source_path}: pandoc (jats): {w}" for w in result.warnings]
    return found


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, check_circular=False).encode("utf-8")


class _Preparer:
    """The body's Math as our MathML (the one translation every edition uses), labelled
    equations as numbered `disp-formula`, images renamed to the files written beside: a new
    body of new lists and nodes, the resolved one (which the other editions read) untouched
    (only nodes without a list inside, such as Str, are shared)."""

    def __init__(self, resolved: ResolvedArticle) -> None:
        self.resolved = resolved
        self.slug = resolved.metadata.slug
        self.files: list[tuple[str, str, bytes]] = []
        self._names: dict[Path, str] = {}
        self.alt_texts: list[str] = []  # of each image, in order

    def blocks(self, blocks: list[Node]) -> list[Node]:
        return [self._node(block) for block in blocks]

    def _node(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._node(item) for item in node]
        if not isinstance(node, dict) or "c" not in node:
            return node
        kind = kind_of(node)
        if kind == "Math":
            math = math_of(node)
            return _raw(_formula_xml(math.tex, math.display, "", ""))
        if kind == "Span" and "equation" in attr_of(node).classes:
            equation = _equation(node)
            if equation is not None:
                return equation
        if kind == "Image":  # its description is the alt-text, which pandoc leaves unescaped
            attr, alt, url, title = image_of(node)
            attributes = dict(attr.pairs)
            self.alt_texts.append(attributes.get("alt") or attributes.get("fig-alt")
                                  or pandoc_text(alt))
            pairs = [p for p in attr.pairs if p[0] not in ("alt", "fig-alt")]
            return make("Image", [[attr.ident, attr.classes, pairs], [],
                                  [self._figure(url), title]])
        return with_content(node, self._node(content_of(node)))

    def _figure(self, src: str) -> str:
        """The name of the file beside the JATS that holds the figure `src` names."""
        article = self.resolved.article
        figure = open_figure(article.folder, src, article.source_path)
        if figure.path not in self._names:
            kind, data = as_kind(figure, FIGURE_KINDS, PRINT_DPI)
            name = f"{self.slug}-fig{len(self._names) + 1}{SUFFIXES[kind]}"
            self._names[figure.path] = name
            self.files.append((name, f"image/{kind}", data))
        return self._names[figure.path]


def _equation(span: Node) -> Node | None:
    """A numbered equation's Span (its id, `number` attribute and display math) as one
    `disp-formula`; None when it holds more than its math."""
    (ident, _classes, pairs), inlines = span_of(span)
    maths = [n for n in inlines if is_kind(n, "Math")]
    rest = [n for n in inlines if not is_kind(n, "Math", *SPACES)]
    if len(maths) != 1 or rest:
        return None
    number = dict(pairs).get("number", "")
    tex = math_of(maths[0]).tex
    return _raw(_formula_xml(tex, True, ident, f"({number})" if number else ""))


def _raw(xml: str) -> Node:
    return make("RawInline", ["jats", xml])


def _formula_xml(tex: str, display: bool, ident: str, label: str) -> str:
    """`inline-formula` or `disp-formula`: the TeX and its MathML as alternatives (the TeX
    alone when it cannot be translated; the PDF edition warns about it)."""
    element = etree.Element("disp-formula" if display else "inline-formula")
    if ident:
        element.set("id", nc_name(ident))
    if label:
        etree.SubElement(element, "label").text = label
    try:
        made = formula(tex, display)
    except MathError:
        made = None
    holder = etree.SubElement(element, "alternatives") if made else element
    etree.SubElement(holder, "tex-math").text = xml_text(tex)
    if made:
        holder.append(mathml_element(made.mathml))
    return etree.tostring(element, encoding="unicode")


def nc_name(ident: str) -> str:
    """An id as pandoc's JATS writer writes ids (and the links to them): each character an
    XML name cannot hold as `U` and its code point ("eq:x" is "eqU003Ax")."""
    return "".join(c if c.isalpha() or c == "_" or at and (c.isdigit() or c in ".-")
                   else f"U{ord(c):04X}" for at, c in enumerate(ident))


def _has_refs(blocks: list[Node]) -> bool:
    return any(_is_refs(b) for b in blocks)


def _is_refs(block: Node) -> bool:
    return is_kind(block, "Div") and attr_of(block).ident == "refs"


def _mixed_citations(resolved: ResolvedArticle, blocks: list[Node]) -> dict[str, etree._Element]:
    """Each reference as the other editions print it (`mixed-citation`), by ref id: pandoc's
    JATS writer on the reference list alone."""
    refs = [b for b in blocks if _is_refs(b)]
    if not refs:
        return {}
    document = {"pandoc-api-version": resolved.ast["pandoc-api-version"], "meta": {},
                "blocks": refs}
    output = pandoc.convert(_json(document), "json", MIXED_WRITER, standalone=True).output
    root = etree.fromstring(output, _SAFE_PARSER)
    return {ref.get("id", ""): citation for ref in root.iter("ref")
            if (citation := ref.find("mixed-citation")) is not None}


def _add_mixed(back: etree._Element, mixed: dict[str, etree._Element]) -> None:
    """Each structured reference with its printed form beside it (`citation-alternatives`)."""
    for ref in back.iter("ref"):
        printed = mixed.get(ref.get("id", ""))
        structured = ref.find("element-citation")
        if printed is None or structured is None:
            continue
        alternatives = etree.Element("citation-alternatives")
        ref.replace(structured, alternatives)
        alternatives.append(structured)
        alternatives.append(printed)


def _finish(body: etree._Element, back: etree._Element | None, alt_texts: list[str]) -> None:
    """Caption and section labels into `label`, a table's id on its table-wrap, the images'
    alt-text, blocks after a section into it, and each internal link's ref-type from the
    element it lands on."""
    roots = [body, *([back] if back is not None else [])]
    graphics = [g for root in roots for g in root.iter("graphic", "inline-graphic")]
    for graphic, alt in zip(graphics, alt_texts, strict=False):
        for old in graphic.findall("alt-text"):
            graphic.remove(old)
        if alt.strip():
            graphic.insert(0, etree.Element("alt-text"))
            graphic[0].text = xml_text(" ".join(alt.split()))
    _sections_last(body)
    for root in roots:
        for wrap in root.iter("table-wrap"):
            table = wrap.find("table")
            if table is not None and table.get("id") and not wrap.get("id"):
                wrap.set("id", table.attrib.pop("id"))
        for element in [*root.iter("fig"), *root.iter("table-wrap")]:
            caption = element.find("caption")
            if caption is not None:
                _lift_label(caption, "caption-label", before=caption)
        for section in root.iter("sec"):
            title = section.find("title")
            if title is not None:
                _lift_label(title, "section-number", before=title)
    kinds = {e.get("id"): REF_TYPES.get(e.tag, "other") for root in roots for e in root.iter()
             if isinstance(e.tag, str) and e.get("id")}
    for root in roots:
        for xref in root.iter("xref"):
            if not xref.get("ref-type"):
                xref.set("ref-type", kinds.get(xref.get("rid"), "other"))


def _sections_last(element: etree._Element) -> None:
    """A block after a section's first subsection (a callout pandoc left at the end) goes
    into the subsection before it: JATS puts a section's own blocks before its sections."""
    previous = None
    for child in list(element):
        if child.tag == "sec":
            previous = child
            _sections_last(child)
        elif previous is not None and isinstance(child.tag, str) and child.tag not in (
                "sig-block",):
            previous.append(child)


def _lift_label(holder: etree._Element, kind: str, before: etree._Element) -> None:
    """The `named-content` of `kind` in `holder` (a caption or title) moved into a `label`
    before `before` (JATS: a label comes before the caption or title), without its colon."""
    found = next((n for n in holder.iter("named-content") if n.get("content-type") == kind),
                 None)
    if found is None:
        return
    label = etree.Element("label")
    label.text = " ".join("".join(found.itertext()).split()).rstrip(":")
    _remove_keeping_tail(found)
    before.addprevious(label)
    for paragraph in holder.findall("p"):  # a caption that was only its label
        if not len(paragraph) and not (paragraph.text or "").strip():
            holder.remove(paragraph)


def _remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    tail = (element.tail or "").lstrip()
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def graphic_names(body: etree._Element) -> list[str]:
    """The files the body's graphics name."""
    return [g.get(f"{{{XLINK_NS}}}href", "") for g in body.iter("graphic")]
