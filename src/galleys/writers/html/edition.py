"""The HTML edition (<slug>.html): the article's full text as one self-contained reading page.

The body is made by the EPUB edition's AST-to-XHTML writer (writers/epub/xhtml.py), which
already draws our resolved AST — MathML, numbered cross-references, callouts, notes, the
reference list — escapes every string and raises on a node it does not know; here its tree is
turned into HTML5 (no namespaces, headings one level down under the title's h1, notes gathered
at the end). Figures are embedded as data: URIs, so the one file is the whole edition: it reads
the same downloaded, mailed or opened from disk, and the writer keeps returning one file's
bytes as every writer does. The page needs no script and loads nothing from anywhere.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from lxml import etree
from markupsafe import Markup

from galleys.resolve.figures import MEDIA_TYPES, SCREEN_DPI, as_kind, open_figure
from galleys.writers.epub.xhtml import BodyWriter, set_directions
from galleys.writers.html import page

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle
    from galleys.writers import RenderOptions

_WEB_KINDS = frozenset({"png", "jpeg", "gif", "webp", "svg"})  # what every browser draws
_XML_NAMESPACES = ("{http://www.w3.org/XML/1998/namespace}", "{http://www.idpf.org/2007/ops}")


class HtmlBackend:
    """The full text as HTML5 with MathML, our stylesheet inline, figures embedded."""

    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = ".html"
    media_type: ClassVar[str] = "text/html"

    def render(self, resolved: ResolvedArticle, front: FrontMatter, options: RenderOptions
               ) -> bytes:
        body, notes, sizes = full_text(resolved, front)
        return page.article(resolved, front, body, notes, sizes)


def file_name(resolved: ResolvedArticle) -> str:
    """The edition's name in dist/<slug>/."""
    return f"{resolved.metadata.slug}{HtmlBackend.suffix}"


def full_text(resolved: ResolvedArticle, front: FrontMatter) -> tuple[Markup, Markup, str]:
    """The body and its notes as HTML (each "" when there are none), and the CSS of the sizes
    its images are given."""
    name = file_name(resolved)
    blocks = resolved.blocks
    targets = dict.fromkeys(resolved.index.ids_in(range(len(blocks))), name)
    images = _Images(resolved.article.folder, resolved.article.source_path)
    writer = BodyWriter(targets, images.data_uri, edition="HTML")
    holder = etree.Element("{http://www.w3.org/1999/xhtml}div", dir=front.direction)
    writer.document(holder, blocks, name)
    set_directions(holder)
    _as_html(holder)
    notes = [child for child in holder if child.tag == "aside" and "footnote" in (
        child.get("class") or "").split()]
    for aside in notes:
        holder.remove(aside)
    for heading in holder.iter("h1", "h2", "h3", "h4", "h5"):  # below the title's h1
        heading.tag = f"h{int(heading.tag[1]) + 1}"
    for table in list(holder.iter("table")):
        _scrollable(table)
    sizes = _sizes_as_classes([holder, *notes])
    return _serialize(list(holder)), _serialize(notes), sizes


class _Images:
    """Each figure once, as a data: URI of a kind every browser draws (others as PNG)."""

    def __init__(self, folder: Path, article: Path) -> None:
        self._folder, self._article = folder, article
        self._uris: dict[Path, str] = {}

    def data_uri(self, src: str) -> str:
        figure = open_figure(self._folder, src, self._article)
        if figure.path not in self._uris:
            kind, data = as_kind(figure, _WEB_KINDS, SCREEN_DPI)
            encoded = base64.b64encode(data).decode("ascii")
            self._uris[figure.path] = f"data:{MEDIA_TYPES[kind]};base64,{encoded}"
        return self._uris[figure.path]


def _as_html(root: etree._Element) -> None:
    """XHTML and MathML elements as plain HTML5 ones: local names, no epub:type or xml:lang."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        node.tag = etree.QName(node).localname
        for attribute in list(node.attrib):
            if attribute.startswith(_XML_NAMESPACES):
                del node.attrib[attribute]
    etree.cleanup_namespaces(root)


def _sizes_as_classes(roots: list[etree._Element]) -> str:
    """Each `style` attribute (an image's width or height, checked by the body writer) as a
    class of a stylesheet: the page's Content-Security-Policy allows no inline style."""
    classes: dict[str, str] = {}
    for root in roots:
        for node in root.iter():
            style = node.attrib.pop("style", None) if isinstance(node.tag, str) else None
            if style:
                name = classes.setdefault(style, f"gl-size-{len(classes) + 1}")
                node.set("class", " ".join([*(node.get("class") or "").split(), name]))
    return "".join(f".{name} {{ {style}; }}\n" for style, name in classes.items())


def _scrollable(table: etree._Element) -> None:
    """A wide table scrolls inside a region of its own (named by its caption, reachable by the
    keyboard), never the whole page."""
    wrapper = etree.Element("div", {"class": "table-wrap", "role": "region", "tabindex": "0"})
    caption = table.find("caption")
    label = " ".join("".join(caption.itertext()).split()) if caption is not None else ""
    wrapper.set("aria-label", label or "Table")
    table.addprevious(wrapper)
    wrapper.tail, table.tail = table.tail, None
    wrapper.append(table)


def _serialize(nodes: list[etree._Element]) -> Markup:
    """Elements as HTML text: lxml escapes every string it holds."""
    return Markup("\n".join(etree.tostring(n, method="html", encoding="unicode", with_tail=False)
                            for n in nodes))
