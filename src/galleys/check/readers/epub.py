"""The EPUB edition read back: its title page by class, its package document (OPF), its body."""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from galleys.check.readers.text import block_text, inline_text, local, parse_xml
from galleys.check.slots import Reading, register
from galleys.front.frontmatter import FrontMatter

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
MARKERS = frozenset({"marker", "markers", "label"})  # raised markers and "ORCID:" labels
# kind -> the title page's elements holding it, by XPath on class names
TITLE_PAGE = {
    "journal line": "//*[@class='journal-line']",
    "issue title": "//*[@class='issue-title']",
    "title": "//*[local-name()='h1'][@class='title']",
    "subtitle": "//*[@class='subtitle']",
    "author": "//*[@class='authors']/*/*[@class='author']",
    "orcid": "//*[@class='authors']//*[@class='orcid']/*[local-name()='a']",
    "affiliation": "//*[@class='affiliations']/*/*[@class='affiliation']",
    "author note": "//*[@class='author-notes']/*[@class='author-note']",
    "email": "//*[@class='author-notes']//*[local-name()='a'][starts-with(@href, 'mailto:')]",
    "published": "//*[@class='publication']/*[@class='published']/*[@class='value']",
    "doi": "//*[@class='publication']/*[@class='doi']/*[@class='value']",
    "url": "//*[@class='publication']/*[@class='url']/*[@class='value']",
    "licence": "//*[@class='publication']/*[@class='license']/*[@class='value']",
    "how to cite": "//*[@class='how-to-cite']/*[@class='citation']",
}
OPF_FIELDS = {"title": "title", "creator": "authors", "subject": "keywords",
              "description": "abstract", "identifier": "doi"}  # dc: element -> catalogue field
STORES = {
    "title": ("OPF dc:title#title",),
    "authors": ("OPF dc:creator",),
    "keywords": ("OPF dc:subject",),
    "abstract": ("OPF dc:description",),
}
ABSTRACT = "//*[local-name()='section'][@class='abstract']/*[local-name()='p']"
KEYWORDS = "//*[@class='keywords']//*[@class='keyword']"


def _describe(xpath: str) -> str:
    """A slot's name for the report: the class names of its XPath."""
    names = [part.split("'")[1] for part in xpath.split("@class=")[1:]]
    return "titlepage.xhtml ." + " .".join(names) if names else "titlepage.xhtml"


def _package(archive: zipfile.ZipFile) -> tuple[str, etree._Element]:
    container = parse_xml(archive.read("META-INF/container.xml"))
    rootfile = container.find(f".//{{{CONTAINER}}}rootfile")
    path = rootfile.get("full-path") if rootfile is not None else None
    if not path:
        raise ValueError("META-INF/container.xml names no package document")
    return path, parse_xml(archive.read(path))


def _catalogue(reading: Reading, opf: etree._Element) -> None:
    metadata = opf.find(f"{{{OPF}}}metadata")
    for element in metadata if metadata is not None else []:
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{DC}}}"):
            continue
        tag, value = local(element.tag), "".join(element.itertext()).strip()
        if tag == "title" and element.get("id") != "title":
            continue  # the subtitle, a dc:title of its own
        if tag == "identifier":
            if not value.startswith("urn:doi:"):
                continue
            value = value.removeprefix("urn:doi:")
        if tag in OPF_FIELDS:
            reading.add_catalogue(OPF_FIELDS[tag], f"OPF dc:{tag}" + (
                "#title" if tag == "title" else ""), value)


def _title_page(reading: Reading, page: etree._Element) -> None:
    for kind, xpath in TITLE_PAGE.items():
        for element in page.xpath(xpath):
            reading.add(kind, _describe(xpath), inline_text(element, MARKERS).strip())
    paragraphs = [inline_text(p).strip() for p in page.xpath(ABSTRACT)]
    if paragraphs:
        reading.add("abstract", "titlepage.xhtml section.abstract p", "\n\n".join(paragraphs))
    keywords = [inline_text(k).strip() for k in page.xpath(KEYWORDS)]
    if keywords:
        reading.add("keywords", "titlepage.xhtml .keywords .keyword", "; ".join(keywords))


@register("epub", lambda slug: f"{slug}.epub")
def read_epub(data: bytes, front: FrontMatter) -> Reading:
    """The title page's elements by class, the OPF's dc: elements, and the text of every other
    spine document (navigation and cover aside) as the body."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    opf_path, opf = _package(archive)
    base = posixpath.dirname(opf_path)
    manifest = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
    reading = Reading(body_slot="the spine's other documents", equations=0)
    reading.holds(STORES)
    _catalogue(reading, opf)
    body = []
    for itemref in opf.iter(f"{{{OPF}}}itemref"):
        item = manifest.get(itemref.get("idref"))
        if item is None or item.get("media-type") != "application/xhtml+xml":
            continue
        if "nav" in (item.get("properties") or "").split():
            continue
        root = parse_xml(archive.read(posixpath.join(base, item.get("href", ""))))
        page = root.xpath("//*[@id='titlepage']")
        if page:
            _title_page(reading, page[0])
        elif not root.xpath("//*[local-name()='section'][@class='cover']"):
            body.append(block_text(root))
            reading.equations = (reading.equations or 0) + len(
                root.xpath("//*[local-name()='math'][@display='block']"))
    reading.body = "\n".join(body)
    return reading
