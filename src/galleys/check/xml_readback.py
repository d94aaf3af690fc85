"""Reads the JATS and Crossref editions back, each front-matter element from its own element,
and validates them against the JATS DTD and the Crossref XSD (offline).

For `galleys check`: `jats_rows` and `crossref_rows` give (element, expected, found) for every
front-matter element the format holds ("" found: missing), `validate_jats` and
`validate_crossref` the problems the schemas find ([] : valid).
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path

from lxml import etree

from galleys.front.frontmatter import FrontMatter, display_name
from galleys.front.inlines import plain
from galleys.model import Author, Metadata
from galleys.resolve.mathml import runs_as_text
from galleys.writers.crossref_deposit import CROSSREF_NS, JATS_NS
from galleys.writers.jats.pages import page_parts
from galleys.writers.jats.xmltext import XLINK_NS

Row = tuple[str, str, str]  # (element, expected, found)
SCHEMAS_ENV = "GALLEYS_SCHEMAS"  # the folder holding the two schema folders below
JATS_DTD = Path("jats-archiving-1.2-mathml3") / "JATS-archivearticle1-mathml3.dtd"
CROSSREF_XSD = Path("crossref-0.3.1") / "crossref5.3.1.xsd"
# crossref5.3.1.xsd imports MathML 3 from the W3C's site: the copy beside it is read instead.
_REMOTE_MATHML = "http://www.w3.org/Math/XMLSchema/mathml3/mathml3.xsd"
_LOCAL_MATHML = Path("crossref-0.3.1") / "standard-modules" / "mathml3" / "mathml3.xsd"
_CR = f"{{{CROSSREF_NS}}}"
_HREF = f"{{{XLINK_NS}}}href"


def _parser() -> etree.XMLParser:
    """A parser that reads no DTD, entity or network resource the document names."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=True)


def _text(element: etree._Element | None, skip: tuple[str, ...] = ("label",)) -> str:
    """The text of `element` without its `skip` children (a label's marker), spaces joined."""
    if element is None:
        return ""
    parts: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname not in skip:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


# -- JATS ---------------------------------------------------------------------------------

def read_jats(data: bytes) -> dict[str, str]:
    """Each front-matter element of a JATS article, from its own element."""
    root = etree.fromstring(data, _parser())
    meta = root.find("front/article-meta")
    journal = root.find("front/journal-meta")
    if meta is None or journal is None:
        raise ValueError("no front/article-meta and journal-meta")
    found: dict[str, str] = {
        "title": _text(meta.find("title-group/article-title")),
        "subtitle": _text(meta.find("title-group/subtitle")),
        "journal title": _text(journal.find("journal-title-group/journal-title")),
        "publisher": _text(journal.find("publisher/publisher-name")),
        "volume": _text(meta.find("volume")),
        "issue": _text(meta.find("issue")),
        "issue title": _text(meta.find("issue-title")),
        "doi": _text(meta.find("article-id[@pub-id-type='doi']")),
        "licence": _text(meta.find("permissions/license/license-p")),
        "abstract": "\n\n".join(_text(p) for p in meta.iterfind("abstract/p")),
        "keywords": "; ".join(_text(k) for k in meta.iterfind("kwd-group/kwd")),
        "how to cite": _text(meta.find("custom-meta-group/custom-meta/meta-value")),
    }
    for issn in journal.iterfind("issn"):
        kind = "eissn" if issn.get("publication-format") == "electronic" else "issn"
        found[kind] = _text(issn)
    license_element = meta.find("permissions/license")
    found["licence url"] = license_element.get(_HREF, "") if license_element is not None else ""
    for uri in meta.iterfind("self-uri"):
        found["pdf" if uri.get("content-type") == "pdf" else "url"] = uri.get(_HREF, "")
    fpage, lpage = _text(meta.find("fpage")), _text(meta.find("lpage"))
    found["pages"] = "-".join(p for p in (fpage, lpage) if p) or _text(meta.find("elocation-id"))
    date = meta.find("pub-date")
    if date is not None:
        found["published"] = "-".join(p for p in (_text(date.find("year")),
                                                   _text(date.find("month")),
                                                   _text(date.find("day"))) if p)
    for number, contrib in enumerate(meta.iterfind("contrib-group/contrib"), start=1):
        found[f"author {number}"] = _jats_name(contrib)
        found[f"orcid {number}"] = _text(contrib.find("contrib-id[@contrib-id-type='orcid']"))
        found[f"email {number}"] = _text(contrib.find("email"))
    for number, aff in enumerate(meta.iterfind("aff"), start=1):
        found[f"affiliation {number}"] = _text(aff)
    notes = meta.find("author-notes")
    for number, note in enumerate(notes if notes is not None else [], start=1):
        found[f"author note {number}"] = _text(note)
    return {key: value for key, value in found.items() if value}


def _jats_name(contrib: etree._Element) -> str:
    """The display name of a contrib, made from its name parts by the front stage."""
    collab = contrib.find("collab")
    if collab is not None:
        return _text(collab)
    name = contrib.find("name")
    if name is None:
        return ""
    author = Author(given=_text(name.find("given-names")), family=_text(name.find("surname")),
                    honorific=_text(name.find("prefix")), suffix=_text(name.find("suffix")),
                    family_first=name.get("name-style") == "eastern")
    return display_name(author)


def jats_expected(metadata: Metadata, front: FrontMatter) -> dict[str, str]:
    """What the source says each element of a JATS article holds."""
    front = runs_as_text(front)  # a formula reads back as the Unicode text of its MathML
    journal = metadata.journal
    pages = page_parts(journal.pages)
    expected = {
        "title": front.title_text,
        "subtitle": front.subtitle_text,
        "journal title": journal.title,
        "issn": journal.issn,
        "eissn": journal.eissn,
        "publisher": journal.publisher,
        "volume": journal.volume,
        "issue": journal.issue,
        "issue title": journal.issue_title,
        "pages": "-".join(p for p in (pages.first, pages.last) if p) or pages.elocation,
        "published": front.published_iso,
        "doi": metadata.doi,
        "url": metadata.url,
        "licence": front.license,
        "licence url": front.license_url,
        "abstract": "\n\n".join(plain(p) for p in front.abstract),
        "keywords": front.keywords_text,
        "how to cite": front.how_to_cite_text,
    }
    for number, (author, line) in enumerate(zip(metadata.authors, front.authors, strict=True), 1):
        expected[f"author {number}"] = line.name
        expected[f"orcid {number}"] = line.orcid_url
        expected[f"email {number}"] = author.email
    for number, affiliation in enumerate(front.affiliations, start=1):
        expected[f"affiliation {number}"] = affiliation.name
    for number, note in enumerate(front.author_notes, start=1):
        expected[f"author note {number}"] = note.plain
    return {key: value for key, value in expected.items() if value}


def jats_rows(data: bytes, metadata: Metadata, front: FrontMatter) -> list[Row]:
    """(element, expected, found) for every element the source gives."""
    found = read_jats(data)
    return [(key, value, found.get(key, "")) for key, value in
            jats_expected(metadata, front).items()]


@functools.cache
def _dtd(path: Path) -> etree.DTD:
    return etree.DTD(str(path))


def validate_jats(data: bytes, schemas: Path) -> list[str]:
    """The DTD's complaints about a JATS document ([] when valid)."""
    try:
        document = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    dtd = _dtd(schemas / JATS_DTD)
    if dtd.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in dtd.error_log.filter_from_errors()]


# -- Crossref ---------------------------------------------------------------------------

def read_crossref(data: bytes) -> dict[str, str]:
    """Each element of an article's Crossref deposit (its first journal_article)."""
    root = etree.fromstring(data, _parser())
    article = root.find(f"{_CR}body/{_CR}journal/{_CR}journal_article")
    if article is None:
        raise ValueError("no body/journal/journal_article")
    found = {
        "title": _text(article.find(f"{_CR}titles/{_CR}title")),
        "subtitle": _text(article.find(f"{_CR}titles/{_CR}subtitle")),
        "doi": _text(article.find(f"{_CR}doi_data/{_CR}doi")),
        "landing page": _text(article.find(f"{_CR}doi_data/{_CR}resource")),
        "abstract": "\n\n".join(_text(p) for p in article.iterfind(
            f"{{{JATS_NS}}}abstract/{{{JATS_NS}}}p")),
    }
    date = article.find(f"{_CR}publication_date")
    if date is not None:
        found["published"] = "-".join(p for p in (
            _text(date.find(f"{_CR}year")), _text(date.find(f"{_CR}month")),
            _text(date.find(f"{_CR}day"))) if p)
    contributors = article.find(f"{_CR}contributors")
    for number, person in enumerate(contributors if contributors is not None else [], 1):
        if etree.QName(person).localname == "organization":
            found[f"author {number}"] = _text(person)
            continue
        author = Author(given=_text(person.find(f"{_CR}given_name")),
                        family=_text(person.find(f"{_CR}surname")),
                        suffix=_text(person.find(f"{_CR}suffix")),
                        family_first=person.get("name-style") == "eastern")
        found[f"author {number}"] = display_name(author)
        found[f"orcid {number}"] = _text(person.find(f"{_CR}ORCID"))
    return {key: value for key, value in found.items() if value}


def crossref_expected(metadata: Metadata, front: FrontMatter, landing: str) -> dict[str, str]:
    """What the source says each element of its Crossref deposit holds; `landing` is the
    page its DOI resolves to (crossref_deposit.landing_url)."""
    front = runs_as_text(front)
    expected = {
        "title": front.title_text,
        "subtitle": front.subtitle_text,
        "doi": metadata.doi,
        "landing page": landing,
        "published": front.published_iso,
        "abstract": "\n\n".join(plain(p) for p in front.abstract),
    }
    for number, (author, line) in enumerate(zip(metadata.authors, front.authors, strict=True), 1):
        expected[f"author {number}"] = display_name(replace(author, honorific=""))
        expected[f"orcid {number}"] = line.orcid_url
    return {key: value for key, value in expected.items() if value}


def crossref_rows(data: bytes, metadata: Metadata, front: FrontMatter) -> list[Row]:
    """(element, expected, found) for every element the source gives the deposit."""
    from galleys.writers.crossref_deposit import landing_url

    found = read_crossref(data)
    expected = crossref_expected(metadata, front, landing_url(metadata))
    return [(key, value, found.get(key, "")) for key, value in expected.items()]


class _LocalMathml(etree.Resolver):
    def __init__(self, schemas: Path) -> None:
        super().__init__()
        self.schemas = schemas

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url == _REMOTE_MATHML:
            return self.resolve_filename(str(self.schemas / _LOCAL_MATHML), context)
        return None


@functools.cache
def _xsd(schemas: Path) -> etree.XMLSchema:
    """The Crossref 5.3.1 schema, read offline (~7 s of CPU: once a process)."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalMathml(schemas))
    return etree.XMLSchema(etree.parse(str(schemas / CROSSREF_XSD), parser))


def validate_crossref(data: bytes, schemas: Path) -> list[str]:
    """The XSD's complaints about a Crossref deposit ([] when valid)."""
    try:
        document = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    schema = _xsd(schemas)
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log.filter_from_errors()]


def find_schemas() -> Path | None:
    """The folder holding the JATS DTD and Crossref XSD: $GALLEYS_SCHEMAS, else the shared
    `schemas/` beside the repository (a development checkout); None when neither has them."""
    candidates = [Path(os.environ[SCHEMAS_ENV])] if os.environ.get(SCHEMAS_ENV) else []
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared" / "schemas")
    for folder in candidates:
        if (folder / JATS_DTD).is_file() and (folder / CROSSREF_XSD).is_file():
            return folder
    return None
