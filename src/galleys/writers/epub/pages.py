"""The EPUB edition's XHTML documents: skeleton, cover page, title page and navigation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from galleys.errors import InternalError
from galleys.front.frontmatter import KEYWORD_SEPARATOR, Field, FrontMatter, lay_out
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
    """The full shared front matter: the same elements and strings as the PDF's first page,
    each of front.fields() in order by the renderer of its kind (TITLE_PAGE)."""
    root, body = skeleton(front, front.title_text, "frontmatter")
    page = el(body, "section", "titlepage", id="titlepage")
    page.set(EPUB_TYPE, "titlepage")
    drawn = lay_out(front, title_page_renderers(front), "the EPUB title page")
    for region in (MASTHEAD, MAIN):  # the journal line and issue title above the title
        for where, draw in drawn:
            if where == region and draw is not None:
                draw(page)
    return serialize(root, "title page")


MASTHEAD, MAIN = "masthead", "main"
Draw = Callable[[etree._Element], None] | None  # None: drawn with another field


def title_page_renderers(front: FrontMatter) -> dict[str, Callable[[Field], tuple[str, Draw]]]:
    """Front-matter kind -> (region, what draws that field into it)."""
    labels = front.labels

    def plain_line(cls: str) -> Callable[[Field], tuple[str, Draw]]:
        def render(field: Field) -> tuple[str, Draw]:
            def draw(parent: etree._Element) -> None:
                el(parent, "p", cls).text = field.value
            return MASTHEAD, draw
        return render

    def title(field: Field) -> tuple[str, Draw]:
        return MAIN, lambda parent: add_runs(el(parent, "h1", "title"), field.runs)

    def subtitle(field: Field) -> tuple[str, Draw]:
        return MAIN, lambda parent: add_runs(el(parent, "p", "subtitle", role="doc-subtitle"),
                                             field.runs)

    def author(field: Field) -> tuple[str, Draw]:
        line = front.authors[field.number - 1]

        def draw(parent: etree._Element) -> None:
            item = el(_group(parent, "ul", "authors"), "li")
            _isolated(item, "author", line.name, front.direction)
            if line.superscript:
                el(item, "sup", "markers").text = line.superscript
            if line.orcid_url:  # the author's orcid field: drawn here, with its name
                add_text(item, " ")
                orcid = el(item, "span", "orcid")
                el(orcid, "span", "label").text = f"{labels.orcid}:"
                add_text(orcid, " ")
                el(orcid, "a", href=check_url(line.orcid_url, "ORCID")).text = line.orcid_url
        return MAIN, draw

    def affiliation(field: Field) -> tuple[str, Draw]:
        shown = front.affiliations[field.number - 1]

        def draw(parent: etree._Element) -> None:
            item = el(_group(parent, "ol", "affiliations"), "li")
            if shown.marker:
                el(item, "sup", "marker").text = shown.marker
                add_text(item, " ")
            _isolated(item, "affiliation", shown.name, front.direction)
        return MAIN, draw

    def author_note(field: Field) -> tuple[str, Draw]:
        note = front.author_notes[field.number - 1]

        def draw(parent: etree._Element) -> None:
            p = el(_group(parent, "div", "author-notes"), "p", "author-note")
            if note.marker:
                el(p, "sup", "marker").text = note.marker
                add_text(p, " ")
            add_runs(p, note.text)
        return MAIN, draw

    def fact(cls: str) -> Callable[[Field], tuple[str, Draw]]:
        def render(field: Field) -> tuple[str, Draw]:
            def draw(parent: etree._Element) -> None:
                p = el(_group(parent, "div", "publication"), "p", cls)
                el(p, "span", "label").text = f"{field.label}:"
                add_text(p, " ")
                target = (el(p, "a", href=check_url(field.link, field.label)) if field.link
                          else el(p, "span"))
                target.set("class", "value")
                target.text = field.value
            return MAIN, draw
        return render

    def abstract(field: Field) -> tuple[str, Draw]:
        def draw(parent: etree._Element) -> None:
            section = el(parent, "section", "abstract", role="doc-abstract")
            el(section, "h2").text = field.label
            for paragraph in front.abstract:
                add_runs(el(section, "p"), paragraph)
        return MAIN, draw

    def keywords(field: Field) -> tuple[str, Draw]:
        def draw(parent: etree._Element) -> None:
            p = el(parent, "p", "keywords")
            el(p, "span", "label").text = f"{field.label}:"
            add_text(p, " ")
            value = el(p, "span", "value")
            for number, keyword in enumerate(front.keywords):
                if number:
                    add_text(value, KEYWORD_SEPARATOR)
                _isolated(value, "keyword", keyword, front.direction)
        return MAIN, draw

    def how_to_cite(field: Field) -> tuple[str, Draw]:
        def draw(parent: etree._Element) -> None:
            cite = el(parent, "section", "how-to-cite")
            el(cite, "h2").text = field.label
            citation = el(cite, "p", "citation")
            if front.direction == "rtl" or has_rtl(field.value):
                citation.set("dir", front.direction)  # the article's, as in the PDF
            add_runs(citation, field.runs)
        return MAIN, draw

    def with_another(field: Field) -> tuple[str, Draw]:
        return MAIN, None  # an ORCID with its author, an e-mail in the author notes

    return {
        "journal line": plain_line("journal-line"),
        "issue title": plain_line("issue-title"),
        "title": title,
        "subtitle": subtitle,
        "author": author,
        "orcid": with_another,
        "affiliation": affiliation,
        "author note": author_note,
        "email": with_another,
        "published": fact("published"),
        "doi": fact("doi"),
        "url": fact("url"),
        "licence": fact("license"),
        "abstract": abstract,
        "keywords": keywords,
        "how to cite": how_to_cite,
    }


def _group(parent: etree._Element, tag: str, cls: str) -> etree._Element:
    """The list `parent` ends with when it is this one (consecutive authors share one), else
    a new one."""
    last = parent[-1] if len(parent) else None
    if last is not None and last.tag == f"{{{XHTML}}}{tag}" and last.get("class") == cls:
        return last
    return el(parent, tag, cls)


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
