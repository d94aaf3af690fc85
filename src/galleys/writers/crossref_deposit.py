"""The Crossref deposit (schema 5.3.1): one article's DOI registration, and each issue's.

An article's `<slug>.crossref.xml` holds one `journal_article`; a build also writes
`crossref/<volume>-<issue>.xml` with every deposited article of that issue, the file an editor
uploads, made from the articles' deposits in dist/ (so an article the build skipped is in it).
`doi_batch_id` is a digest of the deposit's content and `timestamp` comes from
SOURCE_DATE_EPOCH: a rebuild is byte-identical, and a new SOURCE_DATE_EPOCH makes a deposit
that updates an earlier one (Crossref takes a record only with a larger timestamp).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from lxml import etree

from galleys.errors import OutputError
from galleys.front.inlines import from_pandoc, plain
from galleys.model import Affiliation, Author, Metadata
from galleys.resolve.mathml import runs_as_text
from galleys.scripts import is_east_asian_name
from galleys.writers import RenderOptions
from galleys.writers.jats.front import surname
from galleys.writers.jats.pages import page_parts
from galleys.writers.jats.references import ENTRY_PREFIX, cited_items, entry_keys
from galleys.writers.jats.xmltext import append_runs, sub

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle

VERSION = "5.3.1"
CROSSREF_NS = f"http://www.crossref.org/schema/{VERSION}"
JATS_NS = "http://www.ncbi.nlm.nih.gov/JATS1"
AI_NS = "http://www.crossref.org/AccessIndicators.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{CROSSREF_NS} https://www.crossref.org/schemas/crossref{VERSION}.xsd"
SUFFIX = ".crossref.xml"
ISSUE_FOLDER = "crossref"  # dist/crossref/<volume>-<issue>.xml
NSMAP = {None: CROSSREF_NS, "jats": JATS_NS, "ai": AI_NS, "xsi": XSI_NS}
_CR = f"{{{CROSSREF_NS}}}"
# Run marks as Crossref's face markup; a formula is its Unicode text, a link its text.
FACE_MARKUP = {"strong": f"{_CR}b", "emph": f"{_CR}i", "underline": f"{_CR}u",
               "smallcaps": f"{_CR}scp", "sup": f"{_CR}sup", "sub": f"{_CR}sub",
               "code": f"{_CR}tt"}
JATS_MARKUP = {"strong": f"{{{JATS_NS}}}bold", "emph": f"{{{JATS_NS}}}italic",
               "sup": f"{{{JATS_NS}}}sup", "sub": f"{{{JATS_NS}}}sub",
               "smallcaps": f"{{{JATS_NS}}}sc", "code": f"{{{JATS_NS}}}monospace"}
_PLACE_KEYS = ("address", "city", "region", "state", "country")


class CrossrefWriter:
    """Renders one article's Crossref deposit; an article without a DOI (or date) gets none
    (render returns None, with a note saying why)."""

    name: ClassVar[str] = "crossref"
    suffix: ClassVar[str] = SUFFIX
    media_type: ClassVar[str] = "application/xml"  # Crossref registered no type of its own

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.notes: list[str] = []  # shown with -v

    def render(self, resolved: ResolvedArticle, front: FrontMatter,
               options: RenderOptions) -> bytes | None:
        metadata = resolved.metadata
        source = resolved.article.source_path
        missing = missing_for_deposit(metadata)
        self.warnings, self.notes = [], []
        if missing == "doi":
            self.notes = [f"{source}: note: no DOI, so no Crossref deposit"]
            return None
        if missing:
            self.warnings = [f"{source}: warning: no Crossref deposit for the DOI "
                             f"{metadata.doi}: {missing}"]
            return None
        journal = etree.Element(f"{_CR}journal")
        _journal_metadata(journal, metadata)
        _journal_issue(journal, metadata)
        journal.append(journal_article(resolved, front))
        return deposit(metadata, [journal], options.source_date_epoch, metadata.slug)


def missing_for_deposit(metadata: Metadata) -> str:
    """What keeps the article from a deposit: "doi", or what the journal must add; ""."""
    if not metadata.doi:
        return "doi"
    if metadata.depositor is None:
        return "journal.yaml has no crossref: {depositor, email, registrant}"
    if not metadata.journal.title:
        return "the journal has no title"
    if metadata.date is None:
        return "the article has no date"
    if not (metadata.url or metadata.site_url):
        return "the article has no url, nor journal.yaml a site-url for its landing page"
    return ""


def deposit(metadata: Metadata, journals: list[etree._Element], epoch: int, name: str) -> bytes:
    """A `doi_batch` of `journals`: its id the name and a digest of the content, its timestamp
    SOURCE_DATE_EPOCH as YYYYMMDDhhmmss (UTC)."""
    assert metadata.depositor is not None
    body_bytes = b"".join(etree.tostring(j, encoding="UTF-8") for j in journals)
    digest = hashlib.sha256(body_bytes).hexdigest()[:16]
    root = etree.Element(f"{_CR}doi_batch", nsmap=NSMAP, version=VERSION)
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    head = sub(root, f"{_CR}head")
    sub(head, f"{_CR}doi_batch_id", f"{_batch_name(name)[:80]}-{digest}")
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    sub(head, f"{_CR}timestamp", moment.strftime("%Y%m%d%H%M%S"))
    depositor = sub(head, f"{_CR}depositor")
    sub(depositor, f"{_CR}depositor_name", metadata.depositor.name)
    sub(depositor, f"{_CR}email_address", metadata.depositor.email)
    sub(head, f"{_CR}registrant", metadata.depositor.registrant)
    body = sub(root, f"{_CR}body")
    for journal in journals:
        body.append(journal)
    etree.indent(root, space=" ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _batch_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "deposit"


def _journal_metadata(journal: etree._Element, metadata: Metadata) -> None:
    info = metadata.journal
    element = sub(journal, f"{_CR}journal_metadata", language=_language(metadata.lang))
    sub(element, f"{_CR}full_title", info.title)
    if info.issn:
        sub(element, f"{_CR}issn", info.issn, media_type="print")
    if info.eissn:
        sub(element, f"{_CR}issn", info.eissn, media_type="electronic")


def _journal_issue(journal: etree._Element, metadata: Metadata) -> None:
    info = metadata.journal
    if not (info.volume or info.issue):
        return
    issue = sub(journal, f"{_CR}journal_issue")
    _date(issue, metadata)
    if info.volume:
        sub(sub(issue, f"{_CR}journal_volume"), f"{_CR}volume", info.volume)
    if info.issue:
        sub(issue, f"{_CR}issue", info.issue)


def _language(lang: str) -> str:
    """The ISO 639-1 code Crossref's `language` takes: "en" of "en-GB"."""
    return lang.split("-")[0].lower()


def _date(parent: etree._Element, metadata: Metadata) -> None:
    date = metadata.date
    assert date is not None
    element = sub(parent, f"{_CR}publication_date", media_type="online")
    if date.month is not None:
        sub(element, f"{_CR}month", f"{date.month:02d}")
    if date.day is not None:
        sub(element, f"{_CR}day", f"{date.day:02d}")
    sub(element, f"{_CR}year", f"{date.year:04d}")


def journal_article(resolved: ResolvedArticle, front: FrontMatter) -> etree._Element:
    """The `journal_article` record: titles, contributors, abstract, date, pages, licence,
    DOI with the landing page, and the references."""
    metadata = resolved.metadata
    text_front = runs_as_text(front)  # Crossref's titles hold no MathML here: formulas as text
    article = etree.Element(f"{_CR}journal_article", publication_type="full_text",
                            language=_language(metadata.lang))
    titles = sub(article, f"{_CR}titles")
    append_runs(sub(titles, f"{_CR}title"), text_front.title, FACE_MARKUP, links=False,
                math=False)
    if front.subtitle:
        append_runs(sub(titles, f"{_CR}subtitle"), text_front.subtitle, FACE_MARKUP,
                    links=False, math=False)
    if metadata.authors:
        contributors = sub(article, f"{_CR}contributors")
        for number, author in enumerate(metadata.authors):
            _contributor(contributors, author, "first" if number == 0 else "additional",
                         metadata)
    if front.abstract:
        abstract = sub(article, f"{{{JATS_NS}}}abstract")
        for paragraph in text_front.abstract:
            append_runs(sub(abstract, f"{{{JATS_NS}}}p"), paragraph, JATS_MARKUP, links=False,
                        math=False)
    _date(article, metadata)
    pages = page_parts(metadata.journal.pages)
    if pages.first:
        element = sub(article, f"{_CR}pages")
        sub(element, f"{_CR}first_page", pages.first)
        if pages.last:
            sub(element, f"{_CR}last_page", pages.last)
        if pages.ranges:
            sub(element, f"{_CR}other_pages", pages.ranges)
    elif pages.elocation:
        item = sub(article, f"{_CR}publisher_item")
        sub(item, f"{_CR}item_number", pages.elocation, item_number_type="article_number")
    if metadata.license and metadata.license.url.lower().startswith(("http://", "https://")):
        program = sub(article, f"{{{AI_NS}}}program", name="AccessIndicators")
        sub(program, f"{{{AI_NS}}}license_ref", metadata.license.url, applies_to="vor")
    doi_data = sub(article, f"{_CR}doi_data")
    sub(doi_data, f"{_CR}doi", metadata.doi)
    sub(doi_data, f"{_CR}resource", landing_url(metadata))
    _citations(article, resolved)
    return article


def landing_url(metadata: Metadata) -> str:
    """The page the DOI resolves to: the article's `url`, else its landing page on the site."""
    return metadata.url or f"{metadata.site_url}{metadata.slug}/"


def _contributor(parent: etree._Element, author: Author, sequence: str,
                 metadata: Metadata) -> None:
    attributes = {"sequence": sequence, "contributor_role": "author"}
    if author.literal:
        sub(parent, f"{_CR}organization", author.literal, **attributes)
        return
    if author.family_first or is_east_asian_name(author.family + author.given):
        attributes["name-style"] = "eastern"
    person = sub(parent, f"{_CR}person_name", **attributes)
    family = surname(author) or author.given  # a single name is a surname to Crossref
    if author.given and family != author.given:
        sub(person, f"{_CR}given_name", author.given)
    sub(person, f"{_CR}surname", family)
    if author.suffix:
        sub(person, f"{_CR}suffix", author.suffix)
    if author.affiliations:
        affiliations = sub(person, f"{_CR}affiliations")
        for ident in author.affiliations:
            _institution(affiliations, metadata.affiliation(ident))
    if author.orcid:
        sub(person, f"{_CR}ORCID", f"https://orcid.org/{author.orcid}")


def _institution(parent: etree._Element, affiliation: Affiliation) -> None:
    parts = dict(affiliation.parts)
    institution = sub(parent, f"{_CR}institution")
    sub(institution, f"{_CR}institution_name", parts.get("name") or affiliation.name)
    if "name" in parts:
        place = ", ".join(parts[k] for k in _PLACE_KEYS if k in parts)
        if place:
            sub(institution, f"{_CR}institution_place", place)
        if "department" in parts:
            sub(institution, f"{_CR}institution_department", parts["department"])


def _citations(article: etree._Element, resolved: ResolvedArticle) -> None:
    """`citation_list`: each reference list entry, with its DOI when the bibliography gives
    one, and as the other editions print it."""
    keys = entry_keys(resolved.blocks)
    if not keys:
        return
    items = {str(item.get("id")): item for item in cited_items(resolved)}
    printed = _printed_entries(resolved.blocks)
    citations = sub(article, f"{_CR}citation_list")
    for number, key in enumerate(keys, start=1):
        citation = sub(citations, f"{_CR}citation", key=f"ref{number}")
        doi = str(items.get(key, {}).get("DOI", "")).strip()
        if re.match(r"^10\.\d{4,9}/\S+$", doi):
            sub(citation, f"{_CR}doi", doi)
        if printed.get(key):
            sub(citation, f"{_CR}unstructured_citation", printed[key])


def _printed_entries(blocks: list[dict]) -> dict[str, str]:
    """Each reference list entry's text, by citation key."""
    found: dict[str, str] = {}
    for block in blocks:
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            for entry in block["c"][1]:
                ident = entry["c"][0][0] if entry["t"] == "Div" else ""
                inlines = [n for b in entry["c"][1] if b["t"] in ("Para", "Plain")
                           for n in b["c"]] if ident else []
                found[ident.removeprefix(ENTRY_PREFIX)] = " ".join(
                    plain(from_pandoc(inlines, "reference")).split())
    return found


# -- the issue's deposit -------------------------------------------------------------------

def issue_deposits(dist: Path) -> dict[str, bytes]:
    """`crossref/<volume>-<issue>.xml` -> its deposit, from the article deposits in `dist`:
    one `journal` per issue, its articles in slug order, the latest timestamp among theirs."""
    groups: dict[tuple[str, str, str], list[etree._Element]] = {}
    for path in sorted(dist.glob(f"*/*{SUFFIX}")):
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        journal = tree.find(f"{_CR}body/{_CR}journal")
        if journal is None:
            continue
        title = journal.findtext(f"{_CR}journal_metadata/{_CR}full_title", "")
        volume = journal.findtext(f"{_CR}journal_issue/{_CR}journal_volume/{_CR}volume", "")
        issue = journal.findtext(f"{_CR}journal_issue/{_CR}issue", "")
        groups.setdefault((title, volume, issue), []).append(tree.getroot())
    out: dict[str, bytes] = {}
    for (_title, volume, issue), roots in groups.items():
        name = "-".join(_batch_name(p) for p in (volume, issue) if p) or "articles"
        out[f"{ISSUE_FOLDER}/{name}.xml"] = _merged(roots, name)
    return out


def write_issue_deposits(dist: Path, write: Callable[[Path, bytes], None]) -> list[Path]:
    """Bring dist/crossref/ up to date: each issue's deposit written with `write` (an atomic
    writer) where its bytes changed, the deposit of an issue no longer built removed; the
    deposits that are there after."""
    wanted = issue_deposits(dist)
    folder = dist / ISSUE_FOLDER
    try:
        for old in sorted(folder.glob("*.xml")) if folder.is_dir() else []:
            if f"{ISSUE_FOLDER}/{old.name}" not in wanted:
                old.unlink()
        if wanted:
            folder.mkdir(parents=True, exist_ok=True)
        elif folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    except OSError as error:
        raise OutputError(f"cannot update the issue deposits: {error.strerror or error}",
                          path=folder) from None
    for name, data in wanted.items():
        target = dist / name
        if not (target.is_file() and target.read_bytes() == data):
            write(target, data)
    return [dist / name for name in wanted]


def _merged(roots: list[etree._Element], name: str) -> bytes:
    first = roots[0]
    head = first.find(f"{_CR}head")
    assert head is not None
    journal = first.find(f"{_CR}body/{_CR}journal")
    assert journal is not None
    merged = etree.Element(f"{_CR}journal")
    for tag in ("journal_metadata", "journal_issue"):
        element = journal.find(f"{_CR}{tag}")
        if element is not None:
            merged.append(_copy(element))
    dates = [d for r in roots if (d := r.find(f"{_CR}body/{_CR}journal/{_CR}journal_issue/"
                                           f"{_CR}publication_date")) is not None]
    issue = merged.find(f"{_CR}journal_issue")
    if issue is not None and dates:  # the issue's date: the earliest of its articles'
        earliest = min(dates, key=_date_key)
        issue.replace(issue.find(f"{_CR}publication_date"), _copy(earliest))
    for root in roots:
        for article in root.iterfind(f"{_CR}body/{_CR}journal/{_CR}journal_article"):
            merged.append(_copy(article))
    timestamp = max(int(r.findtext(f"{_CR}head/{_CR}timestamp", "0")) for r in roots)
    body_bytes = etree.tostring(merged, encoding="UTF-8")
    root = etree.Element(f"{_CR}doi_batch", nsmap=NSMAP, version=VERSION)
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    new_head = _copy(head)
    new_head.find(f"{_CR}doi_batch_id").text = (
        f"{name[:80]}-{hashlib.sha256(body_bytes).hexdigest()[:16]}")
    new_head.find(f"{_CR}timestamp").text = str(timestamp)
    root.append(new_head)
    sub(root, f"{_CR}body").append(merged)
    etree.indent(root, space=" ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _date_key(date: etree._Element) -> tuple[int, int, int]:
    year, month, day = (int(date.findtext(f"{_CR}{k}", "") or 0) for k in ("year", "month", "day"))
    return year, month, day


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))
