"""The landing page and the HTML full-text edition read back: the title block by class, the
abstract and citation sections, the <meta> tags, and (full text) the body."""

from __future__ import annotations

from lxml import etree

from galleys.check.readers.text import block_text, inline_text, parse_html
from galleys.check.slots import Reading, register
from galleys.front.frontmatter import FrontMatter
from galleys.front.styles import public_name

MARKERS = frozenset({"marker", "markers", "subtitle", "orcid"})  # left out of values
META = {  # <meta name=…> -> catalogue field
    "DC.title": "title",
    "citation_title": "full title",
    "citation_author": "authors",
    "DC.creator": "authors",
    "citation_keywords": "keywords",
    "DC.subject": "keywords",
    "DC.description": "abstract",
    "citation_doi": "doi",
}


def cls(name: str) -> str:
    """An XPath test: the element's class attribute has the class `name` among others."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _text(element: etree._Element) -> str:
    """The element's text without raised markers (<sup>) and the classes in MARKERS."""
    return inline_text(element, MARKERS, skip_tags=frozenset({"sup"})).strip()


def _first_name(item: etree._Element) -> str:
    names = item.xpath("bdi")
    return _text(names[0]) if names else _text(item)


def _title_block(reading: Reading, page: etree._Element, front: FrontMatter) -> None:
    header = f"//header[{cls('title-block')}] | //article/header"
    block = page.xpath(header)
    if not block:
        return
    head = block[0]
    lines = head.xpath(f"p[{cls('journal-line')}][not({cls('issue-title')})]")
    issue = head.xpath(f"p[{cls('issue-title')}]")
    if not issue and front.journal_line and len(lines) > 1:  # the issue title: a 2nd such line
        lines, issue = lines[:1], lines[1:]
    kind = "journal line" if front.journal_line else "issue title"
    for element in lines:
        reading.add(kind, "header p.journal-line", _text(element))
    for element in issue:
        reading.add("issue title", "header p.issue-title", _text(element))
    for element in head.xpath("h1"):
        reading.add("title", "header h1", _text(element))
    for element in head.xpath(f"h1/span[{cls('subtitle')}] | p[{cls('subtitle')}]"):
        reading.add("subtitle", "header .subtitle", inline_text(element).strip())
    for item in head.xpath(f"ul[{cls('authors')}]/li"):
        reading.add("author", "ul.authors li bdi", _first_name(item))
        for orcid in item.xpath(f"a[{cls('orcid')}]"):
            reading.add("orcid", "ul.authors a.orcid href", orcid.get("href", ""))
    for item in head.xpath(f"ul[{cls('affiliations')}]/li"):
        reading.add("affiliation", "ul.affiliations li bdi", _first_name(item))
    for note in head.xpath(f"div[{cls('author-notes')}]/p"):
        reading.add("author note", "div.author-notes p", _text(note))
        for link in note.xpath(".//a[starts-with(@href, 'mailto:')]"):
            reading.add("email", "div.author-notes a mailto", _text(link))
    labels = front.labels
    facts = {labels.published: "published", labels.doi: "doi", labels.url: "url",
             labels.license: "licence"}
    for term in head.xpath(f"dl[{cls('facts')}]/dt"):
        fact = facts.get(_text(term))
        value = term.getnext()
        if fact and value is not None:
            reading.add(fact, f"dl.facts dd after dt {_text(term)!r}", _text(value))


def _sections(reading: Reading, page: etree._Element, front: FrontMatter) -> None:
    abstract = f"//section[{cls('abstract')}]"
    paragraphs = page.xpath(f"{abstract}/p[not({cls('keywords')})]")
    if paragraphs:
        reading.add("abstract", "section.abstract p",
                    "\n\n".join(_text(p) for p in paragraphs))
    keywords = page.xpath(f"//p[{cls('keywords')}]/bdi")
    if keywords:
        reading.add("keywords", "p.keywords bdi", "; ".join(_text(k) for k in keywords))
    style = public_name(front.style)
    items = page.xpath(f"//section[{cls('cite-item')}][@data-cite-style='{style}']"
                       f"/p[{cls('citation')}]") if "'" not in style else []
    slot = f"section.cite-item[data-cite-style={style}] p.citation"
    if not items:
        items = page.xpath(f"//section[{cls('how-to-cite')}]//p[{cls('citation')}]")[:1]
        slot = "section.how-to-cite p.citation"
    for item in items:
        reading.add("how to cite", slot, _text(item))


def _catalogue(reading: Reading, page: etree._Element) -> None:
    reading.holds({name: tuple(f"<meta name={m}>" for m, n in META.items() if n == name)
                   for name in set(META.values())})
    for meta in page.xpath("//head/meta[@name]"):
        name = META.get(meta.get("name", ""))
        if name:
            reading.add_catalogue(name, f"<meta name={meta.get('name')}>",
                                  meta.get("content", ""))


@register("landing", lambda slug: "index.html")
def read_landing(data: bytes, front: FrontMatter) -> Reading:
    """The title block by class, the abstract section, the citation in the article's own
    style, and the Highwire and Dublin Core <meta> tags. A landing page has no body."""
    page = parse_html(data)
    reading = Reading(body=None)
    _title_block(reading, page, front)
    _sections(reading, page, front)
    _catalogue(reading, page)
    return reading


@register("html", lambda slug: f"{slug}.html")
def read_full_text(data: bytes, front: FrontMatter) -> Reading:
    """The HTML full-text edition: its title block, sections and <meta> tags as on the
    landing page, and the article's body (div.body, the notes) with its display formulas."""
    page = parse_html(data)
    reading = Reading(body_slot="div.body and section.footnotes", equations=0)
    _title_block(reading, page, front)
    _sections(reading, page, front)
    _catalogue(reading, page)
    bodies = page.xpath(f"//*[{cls('body')}] | //section[{cls('footnotes')}]")
    reading.body = "\n".join(block_text(b) for b in bodies)
    reading.equations = sum(len(b.xpath(".//math[@display='block']")) for b in bodies)
    return reading
