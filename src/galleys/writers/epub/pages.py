"""The EPUB edition's XHTML documents: skeleton, cover page, title page and navigation."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from galleys.errors import InternalError
from galleys.front.frontmatter import KEYWORD_SEPARATOR, FrontMatter
from galleys.scripts import direction, has_rtl
from galleys.writers.epub.xhtml import (
    EPUB_TYPE,
    OPS,
    XHTML,
    XML_LANG,
    add_runs,
    add_text,
    check_url,
    el,
    set_directions,
)

STYLESHEET_HREF = "style.css"
CONTENTS = "Contents"  # FrontMatter.labels has no word for these yet
LANDMARKS = "Landmarks"
COVER = "Cover"


@dataclass
class NavEntry:
    """One line of the table of contents."""

    label: str
    href: str
    children: list[NavEntry] = field(default_factory=list)


def skeleton(front: FrontMatter, title: str, body_type: str = ""
             ) -> tuple[etree._Element, etree._Element]:
    """An XHTML document with lang, xml:lang and dir set, our stylesheet linked; (root, body)."""
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML, "epub": OPS})
    root.set("lang", front.lang)
    root.set(XML_LANG, front.lang)
    root.set("dir", front.direction)
    head = el(root, "head")
    el(head, "meta", charset="utf-8")
    el(head, "title").text = title
    el(head, "link", rel="stylesheet", type="text/css", href=STYLESHEET_HREF)
    body = el(root, "body", dir=front.direction)
    if body_type:
        body.set(EPUB_TYPE, body_type)
    return root, body


def serialize(root: etree._Element, name: str) -> bytes:
    """The document as bytes, parsed back strictly so a malformed one is an error, never empty."""
    set_directions(root)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")
    try:
        parsed = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InternalError(f"EPUB document {name} is not well-formed XHTML: {exc}") from None
    body = parsed.find(f"{{{XHTML}}}body")
    if body is None or (len(body) == 0 and not (body.text or "").strip()):
        raise InternalError(f"EPUB document {name} came out empty")
    if next(parsed.iter(f"{{{XHTML}}}script"), None) is not None:
        raise InternalError(f"EPUB document {name} contains a script")
    return data


def cover_page(front: FrontMatter, image_href: str, alt: str) -> bytes:
    root, body = skeleton(front, front.title_text, "cover")
    section = el(body, "section", "cover")
    section.set(EPUB_TYPE, "cover")
    img = el(section, "img", src=image_href, role="doc-cover")
    img.set("alt", alt)
    return serialize(root, "cover page")


def title_page(front: FrontMatter) -> bytes:
    """The full shared front matter: the same elements and strings as the PDF's first page."""
    labels = front.labels
    root, body = skeleton(front, front.title_text, "frontmatter")
    page = el(body, "section", "titlepage", id="titlepage")
    page.set(EPUB_TYPE, "titlepage")
    if front.journal_line:
        el(page, "p", "journal-line").text = front.journal_line
    if front.issue_title:
        el(page, "p", "issue-title").text = front.issue_title
    add_runs(el(page, "h1", "title"), front.title)
    if front.subtitle:
        add_runs(el(page, "p", "subtitle", role="doc-subtitle"), front.subtitle)
    if front.authors:
        authors = el(page, "ul", "authors")
        for author in front.authors:
            item = el(authors, "li")
            _isolated(item, "author", author.name, front.direction)
            if author.superscript:
                el(item, "sup", "markers").text = author.superscript
            if author.orcid_url:
                add_text(item, " ")
                orcid = el(item, "span", "orcid")
                el(orcid, "span", "label").text = f"{labels.orcid}:"
                add_text(orcid, " ")
                el(orcid, "a", href=check_url(author.orcid_url, "ORCID")).text = author.orcid_url
    if front.affiliations:
        affiliations = el(page, "ol", "affiliations")
        for affiliation in front.affiliations:
            item = el(affiliations, "li")
            if affiliation.marker:
                el(item, "sup", "marker").text = affiliation.marker
                add_text(item, " ")
            _isolated(item, "affiliation", affiliation.name, front.direction)
    if front.author_notes:
        notes = el(page, "div", "author-notes")
        for note in front.author_notes:
            p = el(notes, "p", "author-note")
            if note.marker:
                el(p, "sup", "marker").text = note.marker
                add_text(p, " ")
            add_runs(p, note.text)
    publication = el(page, "div", "publication")
    rows = [
        (labels.published, front.published, "", "published"),
        (labels.doi, front.doi_url, front.doi_url, "doi"),
        (labels.url, front.url, front.url, "url"),
        (labels.license, front.license, front.license_url, "license"),
    ]
    for label, value, link, cls in rows:
        if not value:
            continue
        p = el(publication, "p", cls)
        el(p, "span", "label").text = f"{label}:"
        add_text(p, " ")
        target = el(p, "a", href=check_url(link, label)) if link else el(p, "span")
        target.set("class", "value")
        target.text = value
    if not len(publication):
        page.remove(publication)
    if front.abstract:
        abstract = el(page, "section", "abstract", role="doc-abstract")
        el(abstract, "h2").text = labels.abstract
        for paragraph in front.abstract:
            add_runs(el(abstract, "p"), paragraph)
    if front.keywords:
        p = el(page, "p", "keywords")
        el(p, "span", "label").text = f"{labels.keywords}:"
        add_text(p, " ")
        value = el(p, "span", "value")
        for number, keyword in enumerate(front.keywords):
            if number:
                add_text(value, KEYWORD_SEPARATOR)
            _isolated(value, "keyword", keyword, front.direction)
    cite = el(page, "section", "how-to-cite")
    el(cite, "h2").text = labels.how_to_cite
    citation = el(cite, "p", "citation")
    if front.direction == "rtl" or has_rtl(front.how_to_cite_text):
        citation.set("dir", front.direction)  # the article's, as in the PDF
    add_runs(citation, front.how_to_cite)
    return serialize(root, "title page")


def _isolated(parent: etree._Element, cls: str, text: str, page_direction: str) -> None:
    """A span for a name or keyword that keeps its own direction inside a line of others (an
    element with dir is isolated), while the line itself keeps the page's direction."""
    span = el(parent, "span", cls)
    span.text = text
    found = direction(text)
    if found and found != page_direction:
        span.set("dir", found)
        parent.set("dir", page_direction)


def nav_page(front: FrontMatter, entries: list[NavEntry], landmarks: list[tuple[str, str, str]]
             ) -> bytes:
    """The EPUB 3 navigation document: a table of contents and hidden landmarks."""
    root, body = skeleton(front, CONTENTS)
    toc = el(body, "nav", id="toc", role="doc-toc")
    toc.set(EPUB_TYPE, "toc")
    el(toc, "h1").text = CONTENTS
    _nav_list(toc, entries)
    marks = el(body, "nav", id="landmarks", hidden="hidden", aria_label=LANDMARKS)
    marks.set(EPUB_TYPE, "landmarks")
    el(marks, "h2").text = LANDMARKS
    ol = el(marks, "ol")
    for kind, label, href in landmarks:
        a = el(el(ol, "li"), "a", href=href)
        a.set(EPUB_TYPE, kind)
        a.text = label
    return serialize(root, "navigation")


def _nav_list(parent: etree._Element, entries: list[NavEntry]) -> None:
    ol = el(parent, "ol")
    for entry in entries:
        li = el(ol, "li")
        el(li, "a", href=entry.href).text = entry.label
        if entry.children:
            _nav_list(li, entry.children)
