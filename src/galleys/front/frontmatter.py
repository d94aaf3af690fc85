"""THE one place where citation front matter is formatted into display strings for every edition.

Backends lay these strings out; they never format a name, date or journal line themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar

from galleys.errors import InternalError
from galleys.front import citation, styles
from galleys.front.inlines import Inlines, Run, plain
from galleys.model import Author, PublicationDate, ResolvedArticle
from galleys.resolve.mathml import runs_as_text
from galleys.scripts import is_east_asian_name, lang_direction

KEYWORD_SEPARATOR = "; "
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_DATE_FORMAT = "MMMM D, YYYY"  # "October 6, 2014"
# Quarto's (dayjs's) date tokens, longest first; [text] is literal.
_DATE_TOKEN = re.compile(r"\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|d")


@dataclass(frozen=True)
class Labels:
    """The words printed before front-matter values."""

    abstract: str = "Abstract"
    keywords: str = "Keywords"
    how_to_cite: str = "How to Cite"
    published: str = "Published"
    doi: str = "DOI"
    url: str = "URL"
    license: str = "Licence"
    orcid: str = "ORCID"
    affiliations: str = "Affiliations"
    figure: str = "Figure"  # before a figure's number: "Figure 1: …", "see Figure 1"
    table: str = "Table"
    equation: str = "Equation"
    section: str = "Section"
    references: str = "References"  # the reference list's heading, when the body has none
    corresponding: str = "Corresponding author"
    equal_contribution: str = "These authors contributed equally"
    email: str = "E-mail"


@dataclass(frozen=True)
class AuthorLine:
    """One author as displayed: name with honorific, affiliation markers, ORCID link."""

    name: str  # "Dr. Salma Malik"
    catalogue_name: str  # "Salma Malik": for document metadata, never with an honorific
    markers: tuple[str, ...]  # ("1", "2"); empty when the article has one affiliation
    orcid_url: str  # "https://orcid.org/0000-…" or ""
    email: str
    corresponding: bool
    note_markers: tuple[str, ...] = ()  # ("*", "†"): the author notes this author points to
    sort_name: str = ""  # "Malik, Salma", "van Gogh, Vincent": for library catalogues

    @property
    def superscript(self) -> str:
        """What follows the name, raised: affiliation numbers, then note markers ("1,2,*")."""
        return ",".join(self.markers + self.note_markers)


@dataclass(frozen=True)
class AuthorNote:
    """One note below the author list, pointed to by its marker after authors' names."""

    marker: str  # "*", "†", "‡" …; "" for the e-mail line, which no name points to
    text: Inlines  # "Corresponding author: Ana Gómez, ana@example.org" (the address a link)

    @property
    def plain(self) -> str:
        return plain(self.text)


@dataclass(frozen=True)
class AffiliationLine:
    """One affiliation as displayed, with the marker its authors carry."""

    marker: str  # "" when the article has one affiliation
    name: str


REPEATED_KINDS = ("author", "orcid", "affiliation", "author note", "email")
# Every kind FrontMatter.fields() yields, in its order: each writer has a renderer for each.
KINDS = ("title", "subtitle", "author", "orcid", "affiliation", "author note", "email",
         "journal line", "issue title", "published", "doi", "url", "licence", "abstract",
         "keywords", "how to cite")


@dataclass(frozen=True)
class Field:
    """One front-matter element as every edition shows it; FrontMatter.fields() lists them."""

    kind: str  # "title", "author", "orcid", "affiliation", "abstract", "how to cite" …
    key: str  # the kind, numbered where an article has several: "author 2"
    label: str  # the word printed before the value ("DOI"), "" where none is
    value: str  # plain text, a formula as its Unicode text
    link: str = ""  # where the value links to ("https://orcid.org/…", "mailto:…")
    runs: Inlines = ()  # the rich form, where there is one
    number: int = 0  # of a repeated kind, 1-based: front.authors[number - 1] is an author's

    @property
    def has_math(self) -> bool:
        return any("math" in run.marks for run in self.runs)


@dataclass(frozen=True)
class FrontMatter:
    """Every display string of an article's citation front matter, formatted once."""

    lang: str
    direction: str  # "ltr" or "rtl"
    title: Inlines
    subtitle: Inlines
    authors: tuple[AuthorLine, ...]
    affiliations: tuple[AffiliationLine, ...]
    author_notes: tuple[AuthorNote, ...]
    journal_title: str
    journal_line: str  # "CISS Insight Journal, Vol. 2, No. 2&3 (2014), pp. P01–15"
    running_head: str  # "CISS Insight Journal, Vol. 2, No. 2&3 (2014)"
    issue_title: str
    published: str  # "October 6, 2014"
    published_iso: str  # "2014-10-06"
    doi_url: str  # "https://doi.org/10.…"
    url: str
    license: str
    license_url: str
    abstract: tuple[Inlines, ...]
    keywords: tuple[str, ...]
    how_to_cite: Inlines
    style: str
    style_title: str
    short_citation: str  # "Malik (2014)", for footers
    labels: Labels = Labels()
    # Derived once here, kept out of the published JSON (see to_json).
    first_page: str = ""  # "101" of "101-120"; "P01" of "P01-15"
    last_page: str = ""
    published_slashed: str = ""  # "2014/10/06", as Google Scholar's tags want it

    @property
    def title_text(self) -> str:
        """The title as text: a formula as its Unicode ("ℝn"), never its TeX."""
        return plain(runs_as_text(self.title))

    @property
    def subtitle_text(self) -> str:
        return plain(runs_as_text(self.subtitle))

    @property
    def how_to_cite_text(self) -> str:
        return plain(self.how_to_cite)

    @property
    def author_names(self) -> str:
        """All display names in one line: "A, B and C"."""
        return join_names([a.name for a in self.authors])

    @property
    def keywords_text(self) -> str:
        return KEYWORD_SEPARATOR.join(self.keywords)

    @property
    def title_with_subtitle(self) -> str:
        """ "Title: Subtitle" as one line of text (catalogues with one title field)."""
        return self.title_text + (f": {self.subtitle_text}" if self.subtitle else "")

    @property
    def abstract_text(self) -> str:
        """The abstract as plain text, paragraphs separated by a blank line; a formula as its
        Unicode, never its TeX (catalogues: dc:description, citation_abstract)."""
        return "\n\n".join(plain(runs_as_text(p)) for p in self.abstract)

    @property
    def abstract_lead(self) -> str:
        """The abstract's first paragraph as plain text, "" without one (page descriptions,
        og:description); a formula as its Unicode, as in abstract_text."""
        return plain(runs_as_text(self.abstract[0])) if self.abstract else ""

    def fields(self) -> list[Field]:
        """Every element of the front matter in reading order, each with its label and link:
        what every edition shows, and what `galleys check` reads back from each."""
        labels = self.labels
        counts: dict[str, int] = {}

        def field(kind: str, value: str, label: str = "", link: str = "",
                  runs: Inlines = (), number: int = 0) -> Field:
            counts[kind] = counts.get(kind, 0) + 1
            number = number or counts[kind]  # an ORCID or e-mail: its author's number
            repeated = kind in REPEATED_KINDS
            key = f"{kind} {number}" if repeated else kind
            return Field(kind, key, label, value, link, runs, number if repeated else 0)

        out = [field("title", self.title_text, runs=self.title)]
        if self.subtitle:
            out.append(field("subtitle", self.subtitle_text, runs=self.subtitle))
        out += [field("author", a.name, link=a.orcid_url) for a in self.authors]
        out += [field("orcid", a.orcid_url, labels.orcid, a.orcid_url, number=n)
                for n, a in enumerate(self.authors, start=1) if a.orcid_url]
        out += [field("affiliation", a.name) for a in self.affiliations]
        out += [field("author note", n.plain, runs=n.text) for n in self.author_notes]
        out += [field("email", a.email, labels.email, f"mailto:{a.email}", number=n)
                for n, a in enumerate(self.authors, start=1) if a.email]
        optional = [
            ("journal line", self.journal_line, "", "", ()),
            ("issue title", self.issue_title, "", "", ()),
            ("published", self.published, labels.published, "", ()),
            ("doi", self.doi_url, labels.doi, self.doi_url, ()),
            ("url", self.url, labels.url, self.url, ()),
            ("licence", self.license, labels.license, self.license_url, ()),
            ("abstract", self.abstract_text, labels.abstract, "",
             tuple(run for paragraph in self.abstract for run in paragraph)),
            ("keywords", self.keywords_text, labels.keywords, "", ()),
        ]
        out += [field(kind, value, label, link, runs)
                for kind, value, label, link, runs in optional if value]
        out.append(field("how to cite", self.how_to_cite_text, labels.how_to_cite,
                         runs=self.how_to_cite))
        return out

    def elements(self) -> list[tuple[str, str]]:
        """(element, plain text) pairs in reading order: what every edition must show."""
        return [(f.key, f.value) for f in self.fields()]

    def to_json(self) -> dict[str, Any]:
        """A machine-readable form: plain strings plus rich runs (the published fields only)."""
        data = asdict(self)
        for derived in ("first_page", "last_page", "published_slashed"):
            del data[derived]
        for author in data["authors"]:
            del author["sort_name"]
        data["title_text"] = self.title_text
        data["how_to_cite_text"] = self.how_to_cite_text
        data["style"] = styles.public_name(self.style)  # never a path of this machine
        data["elements"] = dict(self.elements())
        return _jsonable(data)


Out = TypeVar("Out")


def lay_out(front: FrontMatter, renderers: Mapping[str, Callable[[Field], Out]], where: str
            ) -> list[Out]:
    """Each of front.fields(), in order, through the renderer of its kind: how every edition
    lays out its title block. A kind without a renderer is a bug of that writer."""
    return [_renderer(renderers, f.kind, where)(f) for f in front.fields()]


def _renderer(renderers: Mapping[str, Callable[[Field], Out]], kind: str, where: str
              ) -> Callable[[Field], Out]:
    try:
        return renderers[kind]
    except KeyError:
        raise InternalError(f"{where} has no renderer for the front-matter {kind!r}") from None


def missing_renderers(renderers: Iterable[str]) -> list[str]:
    """The kinds of KINDS that `renderers` lacks (the coverage test reads it)."""
    have = set(renderers)
    return [kind for kind in KINDS if kind not in have]


def build_front_matter(
    resolved: ResolvedArticle, how_to_cite: Inlines | None = None
) -> FrontMatter:
    """Format every front-matter string of `resolved` (How to Cite in its style)."""
    metadata = resolved.metadata
    journal = metadata.journal
    multi = len(metadata.affiliations) > 1
    markers = {a.id: str(i) for i, a in enumerate(metadata.affiliations, start=1)}
    labels = Labels(**dict(metadata.labels))
    notes, note_markers = author_notes(metadata.authors, labels)
    authors = tuple(
        AuthorLine(
            name=display_name(a),
            catalogue_name=display_name(replace(a, honorific="")),
            markers=tuple(markers[i] for i in a.affiliations) if multi else (),
            orcid_url=f"https://orcid.org/{a.orcid}" if a.orcid else "",
            email=a.email,
            corresponding=a.corresponding,
            note_markers=marks,
            sort_name=sort_name(a),
        )
        for a, marks in zip(metadata.authors, note_markers, strict=True)
    )
    affiliations = tuple(
        AffiliationLine(markers[a.id] if multi else "", a.name) for a in metadata.affiliations
    )
    year = str(metadata.date.year) if metadata.date else ""
    issue_part = _join(
        ", ",
        [
            f"Vol. {journal.volume}" if journal.volume else "",
            f"No. {journal.issue}" if journal.issue else "",
        ],
    )
    running_head = _join(", ", [journal.title, issue_part])
    if running_head and year:
        running_head += f" ({year})"
    cite = (
        how_to_cite if how_to_cite is not None else citation.how_to_cite(resolved, resolved.style)
    )
    lang = metadata.lang
    return FrontMatter(
        lang=lang,
        direction=lang_direction(lang),
        title=resolved.title,
        subtitle=resolved.subtitle,
        authors=authors,
        affiliations=affiliations,
        author_notes=notes,
        journal_title=journal.title,
        journal_line=_join(", ", [running_head.strip(), _pages(journal.pages)]),
        running_head=running_head.strip(),
        issue_title=journal.issue_title,
        published=format_date(metadata.date, metadata.date_format) if metadata.date else "",
        published_iso=metadata.date.iso() if metadata.date else "",
        doi_url=f"https://doi.org/{metadata.doi}" if metadata.doi else "",
        url=metadata.url,
        license=metadata.license.name if metadata.license else "",
        license_url=metadata.license.url if metadata.license else "",
        abstract=resolved.abstract,
        keywords=metadata.keywords,
        how_to_cite=cite,
        style=resolved.style,
        style_title=styles.title(resolved.style),
        short_citation=short_citation(metadata.authors, year),
        labels=labels,
        first_page=page_range(journal.pages)[0],
        last_page=page_range(journal.pages)[1],
        published_slashed=metadata.date.slashed() if metadata.date else "",
    )


NOTE_MARKERS = ("*", "\u2020", "\u2021", "\u00a7", "\u00b6", "\u2016")  # * † ‡ § ¶ ‖


def author_notes(
    authors: tuple[Author, ...], labels: Labels
) -> tuple[tuple[AuthorNote, ...], list[tuple[str, ...]]]:
    """The notes below the author list and, for each author, the markers after their name:
    the corresponding authors' (with their e-mail), equal contribution, each note as written
    (one marker for a note several authors share), and last the other authors' e-mails."""
    texts: list[tuple[str, Inlines]] = []  # (key, text) in marker order
    keys: list[list[str]] = [[] for _ in authors]

    def add(key: str, text: Inlines, carriers: list[int]) -> None:
        if carriers and key not in dict(texts):
            texts.append((key, text))
        for index in carriers:
            keys[index].append(key)

    corresponding = [i for i, a in enumerate(authors) if a.corresponding]
    contacts: list[Run] = []
    for number, index in enumerate(corresponding):
        contacts += _contact(authors[index], "; " if number else f"{labels.corresponding}: ")
    add("corresponding", tuple(contacts), corresponding)
    equal = [i for i, a in enumerate(authors) if a.equal_contributor]
    add("equal", (Run(labels.equal_contribution),), equal)
    for index, author in enumerate(authors):
        for note in author.notes:
            add(f"note: {note}", (Run(note),), [index])
    marker_of = {key: _note_marker(n) for n, (key, _) in enumerate(texts)}
    notes = [AuthorNote(marker_of[key], text) for key, text in texts]
    others = [a for a in authors if a.email and not a.corresponding]
    if others:
        runs: list[Run] = []
        for number, author in enumerate(others):
            runs += _contact(author, "; " if number else f"{labels.email}: ")
        notes.append(AuthorNote("", tuple(runs)))
    return tuple(notes), [tuple(marker_of[k] for k in ks) for ks in keys]


def _contact(author: Author, lead: str) -> list[Run]:
    """The runs "lead + Name, address" with the address a mailto link."""
    name = display_name(author)
    if not author.email:
        return [Run(f"{lead}{name}")]
    return [Run(f"{lead}{name}, "), Run(author.email, link=f"mailto:{author.email}")]


def _note_marker(number: int) -> str:
    """*, †, ‡, §, ¶, ‖, then **, ††, … as many notes as there are."""
    return NOTE_MARKERS[number % len(NOTE_MARKERS)] * (number // len(NOTE_MARKERS) + 1)


def display_name(author: Author) -> str:
    """The name as printed in a title block: honorific, given names, particles, family, suffix."""
    if author.literal:
        parts = [author.honorific, author.literal]
    elif author.family_first or is_east_asian_name(author.family + author.given):
        parts = [author.honorific, author.family, author.given]  # 山田 太郎: family first
    else:
        parts = [
            author.honorific,
            author.given,
            author.dropping_particle,
            author.particle,
            author.family,
        ]
    name = " ".join(p for p in parts if p)
    return f"{name}, {author.suffix}" if author.suffix else name


def sort_name(author: Author) -> str:
    """The sort form of a name for library catalogues: "Malik, Salma", "van Gogh, Vincent"."""
    if author.literal:
        return author.literal
    family = " ".join(p for p in (author.particle, author.family) if p)
    given = " ".join(p for p in (author.given, author.dropping_particle) if p)
    name = ", ".join(p for p in (family, given) if p)
    return f"{name}, {author.suffix}" if author.suffix else name


def page_range(pages: str) -> tuple[str, str]:
    """ "101-120" -> ("101", "120"); "P01-15" -> ("P01", "15"); "e123" -> ("e123", "")."""
    parts = [p.strip() for p in re.split(r"\s*[-‐‑‒–—]\s*", pages.strip(), maxsplit=1)]
    first = parts[0] if parts and parts[0] else ""
    last = parts[1] if len(parts) > 1 else ""
    return first, last


def family_name(author: Author) -> str:
    """The name a short citation uses: "Malik", "van Gogh", or the literal name."""
    if author.literal:
        return author.literal
    return " ".join(p for p in (author.particle, author.family) if p) or author.given


def short_citation(authors: tuple[Author, ...], year: str) -> str:
    """ "Malik (2014)", "Malik & Tanaka (2014)", "Malik et al. (2014)"."""
    names = [family_name(a) for a in authors]
    if not names:
        who = ""
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} ({year})" if year and who else who or year


def join_names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def format_date(date: PublicationDate, pattern: str = "") -> str:
    """ "October 6, 2014", or as Quarto's `date-format` pattern says ("D MMMM YYYY").

    A date without its day shows what it has: "October 2014" (or "2014-10" for an ISO
    pattern), "2014"; no day is ever invented.
    """
    pattern = pattern or DEFAULT_DATE_FORMAT
    if date.month is None:
        return str(date.year)
    if date.day is None:
        iso = pattern.startswith("YYYY-MM")
        return date.iso() if iso else f"{MONTHS[date.month - 1]} {date.year}"
    day = date.first_day()
    values = {
        "YYYY": f"{date.year:04d}",
        "YY": f"{date.year % 100:02d}",
        "MMMM": MONTHS[date.month - 1],
        "MMM": MONTHS[date.month - 1][:3],
        "MM": f"{date.month:02d}",
        "M": str(date.month),
        "Do": _ordinal(date.day),
        "DD": f"{date.day:02d}",
        "D": str(date.day),
        "dddd": WEEKDAYS[day.weekday()],
        "ddd": WEEKDAYS[day.weekday()][:3],
        "dd": WEEKDAYS[day.weekday()][:2],
        "d": str(day.isoweekday() % 7),
    }
    return _DATE_TOKEN.sub(lambda m: m.group(1) if m.group(1) is not None else values[m.group()],
                           pattern)


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _pages(pages: str) -> str:
    if not pages:
        return ""
    dashed = re.sub(r"(?<=\w)\s*[-‐‑‒]\s*(?=\w)", "\u2013", pages)
    return f"pp. {dashed}" if "\u2013" in dashed or "," in dashed else f"p. {dashed}"


def _join(separator: str, parts: list[str]) -> str:
    return separator.join(p for p in parts if p)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value
