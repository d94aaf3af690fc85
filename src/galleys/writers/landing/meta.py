"""Metadata for indexers in a landing page: Google Scholar citation_*, Dublin Core, Open Graph,
schema.org ScholarlyArticle JSON-LD; every value from the shared model and front matter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from galleys.front.frontmatter import FrontMatter
from galleys.model import ResolvedArticle
from galleys.writers.html.markup import safe_url


@dataclass(frozen=True)
class Links:
    """Where the page's files are: relative names, or absolute when the site URL is known."""

    page: str  # the article's landing page ("" when unknown)
    pdf: str  # the PDF edition ("" when there is none)
    image: str  # the first-page preview ("" when there is none)
    files: tuple[tuple[str, str, int], ...] = ()  # (href, media type, size) of every edition
    html: str = ""  # the HTML edition, the full text ("" when there is none)


def meta_tags(resolved: ResolvedArticle, front: FrontMatter, links: Links) -> Markup:
    """Every <meta>/<link> for indexers, in a stable order."""
    tags = (
        _scholar(resolved, front, links)
        + _dublin_core(resolved, front)
        + _open_graph(resolved, front, links)
    )
    out = [Markup('<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">')]
    for attribute, name, content in tags:
        if content:
            out.append(Markup('<meta {0}="{1}" content="{2}">').format(
                Markup(attribute), name, content))  # attribute: "name" or "property", ours
    return Markup("\n").join(out)


def json_ld(resolved: ResolvedArticle, front: FrontMatter, links: Links) -> Markup:
    """The schema.org ScholarlyArticle as a JSON-LD <script> that no string can break out of."""
    data = scholarly_article(resolved, front, links)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    # In a <script> element only "</script" or "<!--" can end it early: escape every <, > and &.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">\n{text}\n</script>')


def scholarly_article(
    resolved: ResolvedArticle, front: FrontMatter, links: Links
) -> dict[str, Any]:
    """The article as a schema.org ScholarlyArticle (a plain dict, ready for json.dumps)."""
    metadata = resolved.metadata
    journal = metadata.journal
    first, last = front.first_page, front.last_page
    periodical: dict[str, Any] = {"@type": "Periodical", "name": journal.title}
    issns = [i for i in (journal.issn, journal.eissn) if i]
    if issns:
        periodical["issn"] = issns[0] if len(issns) == 1 else issns
    if journal.publisher:
        periodical["publisher"] = {"@type": "Organization", "name": journal.publisher}
    part_of: dict[str, Any] = periodical
    if journal.volume:
        part_of = {
            "@type": "PublicationVolume",
            "volumeNumber": journal.volume,
            "isPartOf": part_of,
        }
    if journal.issue:
        part_of = {"@type": "PublicationIssue", "issueNumber": journal.issue, "isPartOf": part_of}
        if journal.issue_title:
            part_of["name"] = journal.issue_title
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": front.title_text,
        "name": front.title_text,
        "alternativeHeadline": front.subtitle_text,
        "author": [_person(resolved, front, i) for i in range(len(front.authors))],
        "datePublished": front.published_iso,
        "isPartOf": part_of if journal.title else None,
        "pageStart": first,
        "pageEnd": last,
        "pagination": journal.pages,
        "inLanguage": front.lang,
        "abstract": front.abstract_text,
        "keywords": list(front.keywords),
        "license": front.license_url or front.license,
        "url": links.page,
        "image": links.image,
        "sameAs": front.doi_url,
        "identifier": (
            {"@type": "PropertyValue", "propertyID": "DOI", "value": metadata.doi}
            if metadata.doi
            else None
        ),
        "encoding": [
            {
                "@type": "MediaObject",
                "contentUrl": href,
                "encodingFormat": media,
                "contentSize": size,
            }
            for href, media, size in links.files
        ],
    }
    return {k: v for k, v in data.items() if v}


def _person(resolved: ResolvedArticle, front: FrontMatter, index: int) -> dict[str, Any]:
    author = resolved.metadata.authors[index]
    line = front.authors[index]
    person: dict[str, Any] = {
        "@type": "Organization" if author.literal else "Person",  # literal: an organisation
        "name": line.catalogue_name,
    }
    if author.given:
        person["givenName"] = author.given
    if author.family:
        person["familyName"] = " ".join(p for p in (author.particle, author.family) if p)
    if author.honorific:
        person["honorificPrefix"] = author.honorific
    if line.orcid_url:
        person["sameAs"] = line.orcid_url
    institutions = _institutions(resolved, index)
    if institutions:
        person["affiliation"] = [{"@type": "Organization", "name": n} for n in institutions]
    return person


def _institutions(resolved: ResolvedArticle, index: int) -> list[str]:
    metadata = resolved.metadata
    return [metadata.affiliation(i).name for i in metadata.authors[index].affiliations]


def _scholar(
    resolved: ResolvedArticle, front: FrontMatter, links: Links
) -> list[tuple[str, str, str]]:
    """Google Scholar's (Highwire Press) tags: each author is followed by its institutions."""
    metadata = resolved.metadata
    journal = metadata.journal
    first, last = front.first_page, front.last_page
    tags = [("name", "citation_title", front.title_with_subtitle)]
    for index, line in enumerate(front.authors):
        tags.append(("name", "citation_author", line.catalogue_name))
        tags += [
            ("name", "citation_author_institution", name) for name in _institutions(resolved, index)
        ]
        if line.orcid_url:
            tags.append(("name", "citation_author_orcid", line.orcid_url))
    tags += [
        ("name", "citation_publication_date", front.published_slashed),
        ("name", "citation_journal_title", journal.title),
        ("name", "citation_issn", journal.issn),
        ("name", "citation_issn", journal.eissn),
        ("name", "citation_publisher", journal.publisher),
        ("name", "citation_volume", journal.volume),
        ("name", "citation_issue", journal.issue),
        ("name", "citation_firstpage", first),
        ("name", "citation_lastpage", last),
        ("name", "citation_doi", metadata.doi),
        ("name", "citation_language", front.lang),
        ("name", "citation_abstract_html_url", links.page),
        ("name", "citation_pdf_url", links.pdf),
        ("name", "citation_fulltext_html_url", links.html),
    ]
    tags += [("name", "citation_keywords", k) for k in front.keywords]
    return tags


def _dublin_core(resolved: ResolvedArticle, front: FrontMatter) -> list[tuple[str, str, str]]:
    metadata = resolved.metadata
    tags = [("name", "DC.title", front.title_text)]
    if front.subtitle:
        tags.append(("name", "DC.title.alternative", front.subtitle_text))
    tags += [("name", "DC.creator", line.catalogue_name) for line in front.authors]
    tags += [
        ("name", "DC.date", front.published_iso),
        ("name", "DC.type", "Text"),
        ("name", "DC.format", "text/html"),
        ("name", "DC.identifier", front.doi_url or safe_url(metadata.url)),
        ("name", "DC.source", front.journal_line),
        ("name", "DC.publisher", metadata.journal.publisher),
        ("name", "DC.language", front.lang),
        ("name", "DC.rights", front.license_url or front.license),
        ("name", "DC.description", front.abstract_text),
    ]
    tags += [("name", "DC.subject", k) for k in front.keywords]
    return tags


def _open_graph(
    resolved: ResolvedArticle, front: FrontMatter, links: Links
) -> list[tuple[str, str, str]]:
    abstract = front.abstract_lead
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:title", front.title_text),
        ("property", "og:description", _shorten(abstract, 300)),
        ("property", "og:site_name", front.journal_title),
        ("property", "og:url", links.page),
        ("property", "og:image", links.image if _absolute(links.image) else ""),
        ("property", "og:locale", front.lang.replace("-", "_")),
        ("property", "article:published_time", front.published_iso),
    ]
    tags += [("property", "article:author", line.catalogue_name) for line in front.authors]
    tags += [("property", "article:tag", k) for k in front.keywords]
    return tags


def _absolute(url: str) -> bool:
    return url.startswith(("https://", "http://")) and bool(safe_url(url))


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"
