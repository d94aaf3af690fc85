"""Text helpers the slot readers share: invisible characters, block text of XHTML."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

# soft hyphen, zero-width characters, and the bidi marks extractors add around right-to-left runs
INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
             "\u2060\u2066\u2067\u2068\u2069\ufeff")
)
_BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "section", "header", "footer",
    "blockquote", "dt", "dd", "tr", "td", "th", "figcaption", "aside", "br", "nav", "math",
    "table", "pre", "figure", "ol", "ul", "dl",
})
_SKIPPED = frozenset({"script", "style", "head", "template"})


# Characters editions write differently for one source character: TeX's \| is "∥" (U+2225)
# in pandoc's OMML, "‖" (U+2016) in MathML and the PDF.
ALIKE = {0x2225: "\u2016"}


def normalize(text: str) -> str:
    """Text for comparison: NFKC (ligatures, wide forms), invisible characters dropped, the
    ALIKE characters made one, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE).translate(ALIKE)
    return " ".join(text.split())


def local(tag: object) -> str:
    """An element's name without its namespace ("" for comments and processing instructions)."""
    return tag.split("}")[-1] if isinstance(tag, str) else ""


def inline_text(element: etree._Element, skip: frozenset[str] = frozenset(),
                skip_tags: frozenset[str] = frozenset()) -> str:
    """The text of an element, leaving out descendants whose class is in `skip` or whose
    name is in `skip_tags` (their tails stay)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        classes = set((node.get("class") or "").split())
        if local(node.tag) in _SKIPPED | skip_tags or classes & skip:
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return "".join(parts)


def block_text(element: etree._Element) -> str:
    """The text of an XHTML subtree with a newline at every block boundary."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = local(node.tag)
        if tag in _SKIPPED or not tag:
            return
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n")

    walk(element)
    return re.sub(r"\n\s*\n+", "\n", "".join(parts)).strip()


def parse_xml(data: bytes) -> etree._Element:
    """An XML document parsed without entities or network (an edition is untrusted input)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def parse_html(data: bytes) -> etree._Element:
    """An HTML page parsed by lxml's HTML parser: element names without a namespace."""
    import lxml.html

    return lxml.html.document_fromstring(data)
