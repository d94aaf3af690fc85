"""The JATS `<front>`: journal-meta and article-meta from the model and its front matter."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from galleys.front.frontmatter import AuthorLine, AuthorNote, Field, FrontMatter, lay_out
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


# article-meta's children in the order the JATS DTD fixes, which is not the reading order of
# FrontMatter.fields(): each field is drawn into its region, the regions in this order.
REGIONS = ("article-id", "title-group", "contrib-group", "aff", "author-notes", "pub-date",
           "permissions", "self-uri", "abstract", "kwd-group", "custom-meta")
Draw = Callable[[etree._Element], None] | None  # None: drawn with another field or region


def build_front(metadata: Metadata, front: FrontMatter, pdf_url: str) -> etree._Element:
    """`<front>` of the article: what every edition's title block shows, each in its element,
    each of front.fields() by the renderer of its kind (front_renderers)."""
    root = etree.Element("front")
    _journal_meta(root, metadata)
    meta = sub(root, "article-meta")
    drawn = lay_out(front, front_renderers(metadata, front), "the JATS front")
    for region in REGIONS:
        for where, draw in drawn:
            if where == region and draw is not None:
                draw(meta)
        if region == "pub-date":  # the DTD wants a date (or its absence) and the numbers
            _dates_and_numbers(meta, metadata)
        if region == "self-uri":
            href(sub(meta, "self-uri", **{"content-type": "pdf"}), pdf_url)
    return root


def front_renderers(metadata: Metadata, front: FrontMatter
                    ) -> dict[str, Callable[[Field], tuple[str, Draw]]]:
    """Front-matter kind -> (region of article-meta, what draws that field into it)."""
    note_ids = _note_ids(front)

    def doi(field: Field) -> tuple[str, Draw]:
        return "article-id", lambda meta: sub(meta, "article-id", metadata.doi,
                                              **{"pub-id-type": "doi"})

    def title(field: Field) -> tuple[str, Draw]:
        return "title-group", lambda meta: append_runs(
            sub(_group(meta, "title-group"), "article-title"), field.runs)

    def subtitle(field: Field) -> tuple[str, Draw]:
        return "title-group", lambda meta: append_runs(
            sub(_group(meta, "title-group"), "subtitle"), field.runs)

    def author(field: Field) -> tuple[str, Draw]:
        index = field.number - 1
        return "contrib-group", lambda meta: _contrib(
            _group(meta, "contrib-group"), metadata.authors[index], front.authors[index],
            metadata, note_ids)

    def affiliation(field: Field) -> tuple[str, Draw]:
        index = field.number - 1
        return "aff", lambda meta: _aff(meta, metadata.affiliations[index],
                                        front.affiliations[index].marker, f"aff-{field.number}")

    def author_note(field: Field) -> tuple[str, Draw]:
        ident = list(note_ids.values())[field.number - 1]
        note = front.author_notes[field.number - 1]
        return "author-notes", lambda meta: _author_note(_group(meta, "author-notes"), note,
                                                         ident, front)

    def licence(field: Field) -> tuple[str, Draw]:
        def draw(meta: etree._Element) -> None:
            license_element = sub(sub(meta, "permissions"), "license")
            if field.link:
                href(license_element, field.link)
                sub(license_element, f"{{{ALI_NS}}}license_ref", field.link)
            sub(license_element, "license-p", field.value)
        return "permissions", draw

    def url(field: Field) -> tuple[str, Draw]:
        return "self-uri", lambda meta: href(sub(meta, "self-uri"), field.link)

    def abstract(field: Field) -> tuple[str, Draw]:
        def draw(meta: etree._Element) -> None:
            element = sub(meta, "abstract")
            for paragraph in front.abstract:
                append_runs(sub(element, "p"), paragraph)
        return "abstract", draw

    def keywords(field: Field) -> tuple[str, Draw]:
        def draw(meta: etree._Element) -> None:
            group = sub(meta, "kwd-group", **{"kwd-group-type": "author"})
            for keyword in front.keywords:
                sub(group, "kwd", keyword)
        return "kwd-group", draw

    def how_to_cite(field: Field) -> tuple[str, Draw]:
        def draw(meta: etree._Element) -> None:
            custom = sub(sub(meta, "custom-meta-group"), "custom-meta")
            sub(custom, "meta-name", field.label)
            append_runs(sub(custom, "meta-value"), field.runs, links=False)
        return "custom-meta", draw

    def with_another(field: Field) -> tuple[str, Draw]:
        # an ORCID (contrib-id) and e-mail in their contrib; the date, journal line and issue
        # title as pub-date, volume, issue, issue-title and pages (_dates_and_numbers)
        return "pub-date", None

    return {
        "title": title,
        "subtitle": subtitle,
        "author": author,
        "orcid": with_another,
        "affiliation": affiliation,
        "author note": author_note,
        "email": with_another,
        "journal line": with_another,
        "issue title": with_another,
        "published": with_another,
        "doi": doi,
        "url": url,
        "licence": licence,
        "abstract": abstract,
        "keywords": keywords,
        "how to cite": how_to_cite,
    }


def _group(meta: etree._Element, tag: str) -> etree._Element:
    """The element `meta` ends with when it is a `tag` (consecutive authors share one
    contrib-group), else a new one."""
    last = meta[-1] if len(meta) else None
    return last if last is not None and last.tag == tag else sub(meta, tag)


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
