"""The JATS `<front>`: journal-meta and article-meta from the model and its front matter."""

from __future__ import annotations

from lxml import etree

from galleys.front.frontmatter import AuthorLine, AuthorNote, FrontMatter
from galleys.model import Affiliation, Author, Metadata
from galleys.scripts import is_east_asian_name
from galleys.writers.jats.pages import page_parts
from galleys.writers.jats.xmltext import XLINK_NS, append_runs, append_text, sub, sub_each

ALI_NS = "http://www.niso.org/schemas/ali/1.0/"
# An affiliation's parts (as the reader keeps them) as JATS aff elements.
_AFF_PARTS = {"department": ("institution", {"content-type": "dept"}), "name": ("institution", {}),
              "address": ("addr-line", {}), "city": ("city", {}), "region": ("state", {}),
              "state": ("state", {}), "country": ("country", {})}


def href(element: etree._Element, url: str) -> etree._Element:
    element.set(f"{{{XLINK_NS}}}href", url)
    return element


def build_front(metadata: Metadata, front: FrontMatter, pdf_url: str) -> etree._Element:
    """`<front>` of the article: what every edition's title block shows, each in its element."""
    root = etree.Element("front")
    _journal_meta(root, metadata)
    meta = sub(root, "article-meta")
    if metadata.doi:
        sub(meta, "article-id", metadata.doi, **{"pub-id-type": "doi"})
    titles = sub(meta, "title-group")
    append_runs(sub(titles, "article-title"), front.title)
    if front.subtitle:
        append_runs(sub(titles, "subtitle"), front.subtitle)
    note_ids = _note_ids(front)
    if metadata.authors:
        group = sub(meta, "contrib-group")
        for author, line in zip(metadata.authors, front.authors, strict=True):
            _contrib(group, author, line, metadata, note_ids)
    for number, (affiliation, shown) in enumerate(zip(metadata.affiliations, front.affiliations,
                                                      strict=True), start=1):
        _aff(meta, affiliation, shown.marker, f"aff-{number}")
    if front.author_notes:
        notes = sub(meta, "author-notes")
        for note, ident in zip(front.author_notes, note_ids.values(), strict=True):
            _author_note(notes, note, ident, front)
    _dates_and_numbers(meta, metadata)
    if metadata.license:
        license_element = sub(sub(meta, "permissions"), "license")
        if metadata.license.url:
            href(license_element, metadata.license.url)
            sub(license_element, f"{{{ALI_NS}}}license_ref", metadata.license.url)
        sub(license_element, "license-p", front.license)
    if metadata.url:
        href(sub(meta, "self-uri"), metadata.url)
    href(sub(meta, "self-uri", **{"content-type": "pdf"}), pdf_url)
    if front.abstract:
        abstract = sub(meta, "abstract")
        for paragraph in front.abstract:
            append_runs(sub(abstract, "p"), paragraph)
    if front.keywords:
        keywords = sub(meta, "kwd-group", **{"kwd-group-type": "author"})
        for keyword in front.keywords:
            sub(keywords, "kwd", keyword)
    custom = sub(sub(meta, "custom-meta-group"), "custom-meta")
    sub(custom, "meta-name", front.labels.how_to_cite)
    append_runs(sub(custom, "meta-value"), front.how_to_cite, links=False)
    return root


def _journal_meta(root: etree._Element, metadata: Metadata) -> None:
    journal = metadata.journal
    meta = sub(root, "journal-meta")
    if journal.title:
        sub(sub(meta, "journal-title-group"), "journal-title", journal.title)
    if journal.issn:
        sub(meta, "issn", journal.issn, **{"publication-format": "print"})
    if journal.eissn:
        sub(meta, "issn", journal.eissn, **{"publication-format": "electronic"})
    if journal.publisher:
        sub(sub(meta, "publisher"), "publisher-name", journal.publisher)


def surname(author: Author) -> str:
    """The family name with its particles, as JATS (which has no particle element) holds it."""
    return " ".join(p for p in (author.dropping_particle, author.particle, author.family) if p)


def _contrib(group: etree._Element, author: Author, line: AuthorLine, metadata: Metadata,
             note_ids: dict[str, str]) -> None:
    contrib = sub(group, "contrib", **{"contrib-type": "author"})
    if author.corresponding:
        contrib.set("corresp", "yes")
    if author.equal_contributor:
        contrib.set("equal-contrib", "yes")
    if line.orcid_url:
        sub(contrib, "contrib-id", line.orcid_url, **{"contrib-id-type": "orcid"})
    if author.literal:
        sub(contrib, "collab", author.literal)
    else:
        eastern = author.family_first or is_east_asian_name(author.family + author.given)
        name = sub(contrib, "name", **({"name-style": "eastern"} if eastern else {}))
        sub_each(name, (("surname", surname(author)), ("given-names", author.given),
                        ("prefix", author.honorific), ("suffix", author.suffix)))
    if author.email:
        sub(contrib, "email", author.email)
    numbers = {a.id: n for n, a in enumerate(metadata.affiliations, start=1)}
    for affiliation_id, marker in zip(author.affiliations, line.markers or
                                      [""] * len(author.affiliations), strict=True):
        sub(contrib, "xref", marker, **{"ref-type": "aff", "rid": f"aff-{numbers[affiliation_id]}"})
    for marker in line.note_markers:
        ident = note_ids[marker]
        kind = "corresp" if ident.startswith("cor") else "fn"
        sub(contrib, "xref", marker, **{"ref-type": kind, "rid": ident})


def _aff(meta: etree._Element, affiliation: Affiliation, marker: str, ident: str) -> None:
    """`<aff>` with its parts in their elements, joined as the title block joins them."""
    aff = sub(meta, "aff", id=ident)
    if marker:
        sub(aff, "label", marker)
    parts = affiliation.parts
    if ", ".join(text for _, text in parts) != affiliation.name:
        parts = (("name", affiliation.name),)
    for number, (key, text) in enumerate(parts):
        if number:
            append_text(aff, ", ")
        tag, attributes = _AFF_PARTS.get(key, ("institution", {}))
        sub(aff, tag, text, **attributes)


def _note_ids(front: FrontMatter) -> dict[str, str]:
    """Marker -> id of each author note: `cor-1` for the corresponding authors' (the first
    marker a corresponding author carries), `fn-author-N` for the others."""
    corresponding = {a.note_markers[0] for a in front.authors if a.corresponding and a.note_markers}
    return {note.marker or f"email-{number}": ("cor-1" if note.marker in corresponding
                                                else f"fn-author-{number}")
            for number, note in enumerate(front.author_notes, start=1)}


def _author_note(notes: etree._Element, note: AuthorNote, ident: str, front: FrontMatter) -> None:
    if ident.startswith("cor"):
        element = sub(notes, "corresp", id=ident)
        if note.marker:
            sub(element, "label", note.marker)
        append_runs(element, note.text)
        return
    kind = "equal" if note.plain == front.labels.equal_contribution else "other"
    element = sub(notes, "fn", id=ident, **{"fn-type": kind})
    if note.marker:
        sub(element, "label", note.marker)
    append_runs(sub(element, "p"), note.text)


def _dates_and_numbers(meta: etree._Element, metadata: Metadata) -> None:
    date = metadata.date
    if date is None:
        sub(meta, "pub-date-not-available")
    else:
        pub = sub(meta, "pub-date", **{"publication-format": "electronic", "date-type": "pub",
                                      "iso-8601-date": date.iso()})
        if date.day is not None:
            sub(pub, "day", f"{date.day:02d}")
        if date.month is not None:
            sub(pub, "month", f"{date.month:02d}")
        sub(pub, "year", f"{date.year:04d}")
    journal = metadata.journal
    pages = page_parts(journal.pages)
    sub_each(meta, (("volume", journal.volume), ("issue", journal.issue),
                    ("issue-title", journal.issue_title), ("fpage", pages.first),
                    ("lpage", pages.last), ("page-range", pages.ranges),
                    ("elocation-id", pages.elocation)))
