"""Frozen dataclasses for an article: its metadata as one normalized model, and its body."""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleys.front.inlines import Inlines
from galleys.resolve.ast_index import MAX_DEPTH, BodyIndex, index_body


@dataclass(frozen=True)
class Affiliation:
    """An institution an author belongs to; `id` is what authors refer to it by."""

    id: str
    name: str
    # The parts `name` was joined from, as written: ("department", "Dept. of Letters"),
    # ("name", "University of Oxford"), ("city", …), ("country", …); () for a name written whole.
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Author:
    """A person's name in citation parts; `honorific` is for display only, never citations."""

    given: str = ""
    family: str = ""
    particle: str = ""  # non-dropping particle: "van" in "van Gogh"
    dropping_particle: str = ""
    suffix: str = ""
    literal: str = ""  # a name that cannot be split into given and family (an organisation)
    honorific: str = ""
    family_first: bool = False  # printed "Family Given" (Vietnamese, Hungarian, CJK)
    orcid: str = ""  # the bare identifier: 0000-0002-1825-0097
    email: str = ""
    corresponding: bool = False
    equal_contributor: bool = False
    notes: tuple[str, ...] = ()  # author notes as written (Quarto `note:`, a name's ^[…])
    affiliations: tuple[str, ...] = ()  # Affiliation ids


@dataclass(frozen=True)
class License:
    """The licence the article is published under."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class Journal:
    """Where the article appears: journal-wide fields plus this article's volume, issue, pages."""

    title: str = ""
    volume: str = ""
    issue: str = ""
    issue_title: str = ""
    pages: str = ""
    issn: str = ""
    eissn: str = ""
    publisher: str = ""


@dataclass(frozen=True)
class Depositor:
    """Who registers the journal's DOIs with Crossref (journal.yaml's `crossref:`)."""

    name: str
    email: str
    registrant: str


@dataclass(frozen=True)
class FontFamily:
    """A font family the source names, and where: errors about it point at that line."""

    name: str  # as written: "Noto Sans Arabic"
    path: Path  # journal.yaml or the article
    line: int | None
    key: str  # "fonts.serif", "fonts.fallback" …


@dataclass(frozen=True)
class FontChoice:
    """The PDF edition's own families (`fonts:`); None and () mean the built-in choice."""

    serif: FontFamily | None = None
    sans: FontFamily | None = None
    mono: FontFamily | None = None
    fallback: tuple[FontFamily, ...] = ()  # tried in order for characters a role's face lacks


@dataclass(frozen=True, order=True)
class PublicationDate:
    """A date as precise as its source says: a year, a month of a year, or a day."""

    year: int
    month: int | None = None
    day: int | None = None  # only with a month

    @property
    def parts(self) -> list[int]:
        """CSL date-parts: [2017], [2017, 8] or [2017, 8, 13]."""
        return [p for p in (self.year, self.month, self.day) if p is not None]

    def iso(self) -> str:
        """ISO 8601 at its precision: "2017", "2017-08", "2017-08-13"."""
        return "-".join([f"{self.year:04d}", *(f"{p:02d}" for p in self.parts[1:])])

    def slashed(self) -> str:
        """"2017", "2017/08", "2017/08/13": Google Scholar's and RIS's form."""
        return self.iso().replace("-", "/")

    def first_day(self) -> _dt.date:
        """The earliest day the date can mean (for timestamps, never for display)."""
        return _dt.date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True)
class Branding:
    """How a journal's pages look: journal.yaml's `branding:`, its files read with the source."""

    logo: str = ""  # the logo image as a data: URI
    accent: str = ""  # "#7a1f3d": links and buttons in the light scheme (contrast checked)
    accent_dark: str = ""  # the same in the dark scheme
    footer: str = ""  # a line of text at the foot of every page
    css: str = ""  # the journal's own stylesheet, after ours
    templates: tuple[tuple[str, str, str], ...] = ()  # (template name, text, its file)


@dataclass(frozen=True)
class Metadata:
    """Everything known about an article apart from its body, normalized from any convention."""

    slug: str
    title: str  # Pandoc Markdown inline text
    subtitle: str = ""
    authors: tuple[Author, ...] = ()
    affiliations: tuple[Affiliation, ...] = ()
    journal: Journal = Journal()
    date: PublicationDate | None = None  # published
    date_format: str = ""  # how the displayed date is written: a Quarto date-format value
    doi: str = ""  # bare DOI: 10.1234/abc
    url: str = ""
    license: License | None = None
    abstract: str = ""  # Pandoc Markdown, may hold several paragraphs
    keywords: tuple[str, ...] = ()
    lang: str = "en"
    citation_style: str = "apa"
    fonts: FontChoice = FontChoice()  # PDF only: journal.yaml's, overridden per key by the article
    labels: tuple[tuple[str, str], ...] = ()  # (Labels field, word), the article over journal.yaml
    site_url: str = ""  # where dist/ is published, ending in "/": https://journal.example.org/
    depositor: Depositor | None = None  # journal.yaml's `crossref:`
    branding: Branding = Branding()  # journal.yaml's only: logo, colours, footer, CSS, templates
    reference_doc: str = ""  # `reference-doc:`: the journal's Word template (its path), or ""

    def affiliation(self, affiliation_id: str) -> Affiliation:
        """The affiliation with this id (the reader guarantees it exists)."""
        return next(a for a in self.affiliations if a.id == affiliation_id)


@dataclass(frozen=True)
class Article:
    """A parsed source: metadata, the Markdown body, and where it came from."""

    metadata: Metadata
    body: str  # Pandoc Markdown after the front matter
    source_path: Path
    bibliography: Path | None = None  # references.bib / references.json beside article.md
    body_line: int = 1  # line of source_path where the body starts
    warnings: tuple[str, ...] = ()  # what the reader noticed but could read past

    @property
    def folder(self) -> Path:
        """The article's folder: every file it refers to must be inside it."""
        return self.source_path.parent


@dataclass(frozen=True)
class ResolvedArticle:
    """An article after the shared passes: Markdown parsed once, citations processed once."""

    article: Article
    style: str  # the CSL style name used for in-body citations and How to Cite
    title: Inlines
    subtitle: Inlines
    abstract: tuple[Inlines, ...]  # one entry a paragraph
    ast: dict[str, Any] = field(compare=False, hash=False)  # pandoc JSON of the body
    warnings: tuple[str, ...] = ()

    @property
    def metadata(self) -> Metadata:
        return self.article.metadata

    @functools.cached_property
    def index(self) -> BodyIndex:
        """Depth, words and element ids of the body, from one walk."""
        return index_body(self.blocks, MAX_DEPTH)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return self.ast["blocks"]
