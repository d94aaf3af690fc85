"""Reads an HTML edition (or a landing page) back for `galleys check`: its text, its metadata,
each front-matter element from its own element, and every internal link without a target
(in an HTML page, and across an EPUB's documents)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree, html

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "section", "header", "footer",
           "blockquote", "dt", "dd", "tr", "figcaption", "caption", "aside", "br", "nav", "pre",
           "figure", "table", "dl", "ul", "ol", "article", "main"}
_SKIP = {"script", "style", "head", "template"}


@dataclass
class HtmlReadback:
    """An HTML page as read back: text (blocks on lines of their own), <meta> values by name,
    and the front-matter elements by the names FrontMatter.elements() gives them."""

    text: str
    metadata: dict[str, list[str]] = field(default_factory=dict)
    elements: dict[str, str] = field(default_factory=dict)


def read_html(data: bytes) -> HtmlReadback:
    """The page's <main> text, its meta tags (plus "title" and "creator" from Dublin Core, as
    the other editions' readers name them) and its title block's elements."""
    root = parse(data)
    main = root.find(".//main")
    metadata: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = meta.get("name") or meta.get("property")
        if key and meta.get("content") is not None:
            metadata.setdefault(key, []).append(meta.get("content", ""))
    metadata["title"] = metadata.get("DC.title", [])
    metadata["creator"] = metadata.get("DC.creator", [])
    return HtmlReadback(text_of(main if main is not None else root), metadata, elements(root))


def parse(data: bytes) -> html.HtmlElement:
    """An HTML page as an lxml tree (libxml2's HTML parser: no network, no entities)."""
    parser = html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True)
    return html.document_fromstring(data, parser=parser)


def elements(root: html.HtmlElement) -> dict[str, str]:
    """Each front-matter element of the title block, found by its class, as plain text."""
    header = next(iter(root.find_class("title-block")), None)
    if header is None:
        return {}
    found: dict[str, str] = {}
    title = _first(header, "title")
    if title is not None:
        subtitle = _first(title, "subtitle")
        found["subtitle"] = text_of(subtitle) if subtitle is not None else ""
        found["title"] = _text_without(title, subtitle)
    for number, author in enumerate(header.find_class("author"), start=1):
        name = _first(author, "name")
        found[f"author {number}"] = text_of(name if name is not None else author)
        orcid = _first(author, "orcid")
        if orcid is not None:
            found[f"orcid {number}"] = orcid.get("href", "")
    for number, affiliation in enumerate(header.find_class("affiliation"), start=1):
        name = _first(affiliation, "name")
        found[f"affiliation {number}"] = text_of(name if name is not None else affiliation)
    notes = header.find_class("author-note")
    for number, note in enumerate(notes, start=1):
        found[f"author note {number}"] = _text_without(note, note.find("sup"))
    emails = [a.get("href", "")[len("mailto:"):] for note in notes for a in note.iter("a")
              if a.get("href", "").startswith("mailto:")]
    if emails:
        found["emails"] = "; ".join(emails)
    lines = [text_of(p) for p in header.find_class("journal-line")
             if "issue-title" not in p.classes]
    if lines:
        found["journal line"] = lines[0]
    for cls, element in (("issue-title", "issue title"), ("published", "published"),
                         ("doi", "doi"), ("url", "url"), ("licence", "licence")):
        node = _first(header, cls)
        if node is not None:
            found[element] = text_of(node)
    abstract = _first(root, "abstract")
    if abstract is not None:
        paragraphs = [text_of(p) for p in abstract.iter("p") if "keywords" not in p.classes]
        if paragraphs:
            found["abstract"] = "\n\n".join(paragraphs)
        keywords = _first(abstract, "keywords")
        if keywords is not None:
            found["keywords"] = "; ".join(text_of(b) for b in keywords.iter("bdi"))
    cite = next((c for c in root.iter() if "citation" in getattr(c, "classes", ())
                 and c.tag == "p"), None)
    if cite is not None:
        found["how to cite"] = text_of(cite)
    return found


def broken_links(data: bytes) -> list[str]:
    """Every link within the HTML page that points at no element of it."""
    return missing_targets({"": parse(data)})


def epub_broken_links(data: bytes) -> list[str]:
    """Every link between or within an EPUB's XHTML documents that points at no element."""
    documents = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xhtml", ".html")):
                documents[name] = etree.fromstring(archive.read(name), parser)
    return missing_targets(documents)


def missing_targets(documents: Mapping[str, etree._Element]) -> list[str]:
    """Links to `#id` or `file#id` (relative to the linking document) whose file or element
    is not among `documents`, one line each: "file: link '#x' (text …) has no target"."""
    ids = {name: {n.get("id") for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
           for name, root in documents.items()}
    problems = []
    for name, root in documents.items():
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for node in root.iter():
            if not isinstance(node.tag, str) or etree.QName(node).localname != "a":
                continue
            href = node.get("href") or ""
            if not href or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href):
                continue  # a link out (http:, mailto:) is a reader's to follow
            file, _, fragment = href.partition("#")
            target = _join(folder, unquote(file)) if file else name
            if file and target not in documents:
                if not fragment:
                    continue  # a page of the site (../index.html), not of this document
                problems.append(f"{name or 'page'}: link {href!r} ({_short(node)}) names no "
                                "document")
            elif fragment and unquote(fragment) not in ids.get(target, set()):
                problems.append(f"{name or 'page'}: link {href!r} ({_short(node)}) has no "
                                "target")
    return problems


def _join(folder: str, file: str) -> str:
    parts: list[str] = []
    for part in (folder + file).split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _short(node: etree._Element) -> str:
    text = " ".join("".join(node.itertext()).split())
    return repr(text[:40]) if text else "no text"


def _first(root: html.HtmlElement, cls: str) -> html.HtmlElement | None:
    return next(iter(root.find_class(cls)), None)


def _text_without(node: html.HtmlElement, part: html.HtmlElement | None) -> str:
    """The text of `node` leaving out `part` (a subtitle inside the title, a note's marker)."""
    pieces: list[str] = []

    def walk(element: html.HtmlElement) -> None:
        if element is not part:
            pieces.append(element.text or "")
            for child in element:
                walk(child)
        if element is not node:
            pieces.append(element.tail or "")

    walk(node)
    return " ".join("".join(pieces).split())


def text_of(node: etree._Element) -> str:
    """The text a reader sees in `node`: a line per block, spaces collapsed within lines."""
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag and tag not in _SKIP:  # comments and processing instructions: no text
            block = tag in _BLOCKS
            parts.append("\n" if block else "")
            parts.append(element.text or "")
            for child in element:
                walk(child)
                parts.append(child.tail or "")
            parts.append("\n" if block else "")

    walk(node)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
