"""Imports the plain-text export of an Open Journal Systems article page into article.md.

The layout (see shared/seeds/): issue line, title, authors each followed by an affiliation,
"<journal> <year>", "Published <date>", "How to Cite" and its reference, then body paragraphs.
It never invents a value: whatever it cannot find is reported and left out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleys.errors import SourceError
from galleys.read.names import split_honorific, split_name

_ISSUE = re.compile(
    r"^Vol\.?\s*(?P<volume>[^\s,]+)\s*,?\s*(?:No\.?|Issue)\s*(?P<issue>\S+)\s*"
    r"\((?P<year>\d{4})\)\s*(?::\s*(?P<title>.+))?$",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(r"^Published:?\s+(?P<date>.+)$", re.IGNORECASE)
_JOURNAL = re.compile(r"^(?P<journal>.+?)\s+(?P<year>\d{4})$")
_URL = re.compile(r"https?://\S+")
_DOI = re.compile(r"https?://(?:dx\.)?doi\.org/(10\.\S+)")
_PAGES = re.compile(r"\d+\s*\([^)]*\)\s*,\s*(?P<pages>[^,.\s]+(?:\s*[-–]\s*[^,.\s]+)?)\.")
_AFFILIATION_WORDS = re.compile(
    r"universit|institut|college|school|department|dept|centre|center|faculty|laborator|"
    r"professor|lecturer|researcher|hospital|academy|ministry|council|foundation",
    re.IGNORECASE,
)
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]<>$~^|])")
_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


@dataclass
class ImportResult:
    """What the importer made: the article's front matter, body, and what it could not find."""

    front: dict[str, Any]
    body_paragraphs: list[str]
    journal_title: str
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.front["slug"]


def parse_ojs_text(text: str, path: Path) -> ImportResult:
    """Recognize the parts of an OJS article-page export; raise SourceError if it is not one."""
    lines = [line.strip() for line in text.split("\n")]
    cursor = _Cursor(lines)
    missing: list[str] = []
    front: dict[str, Any] = {}
    journal: dict[str, str] = {}

    first = cursor.next_nonblank()
    issue = _ISSUE.match(first[1]) if first else None
    if issue:
        journal["volume"] = issue.group("volume")
        journal["issue"] = issue.group("issue")
        if issue.group("title"):
            journal["issue-title"] = issue.group("title").strip()
        title_line = cursor.next_nonblank()
    else:
        missing.append("volume and issue (no 'Vol. N No. N (YYYY)' line)")
        title_line = first
    if not title_line:
        raise SourceError("no title found: is this an OJS article page export?", path=path, line=1)
    front["title"] = title_line[1]

    # Lines up to "Published …": authors and affiliations, then "<journal> <year>".
    block: list[tuple[int, str]] = []
    published_at = None
    published_date = ""
    while (item := cursor.next_nonblank()) is not None:
        if found := _PUBLISHED.match(item[1]):
            published_at, published_date = item, found.group("date")
            break
        if item[1].lower() == "how to cite":
            cursor.back()
            break
        block.append(item)
    journal_title = ""
    if (
        block
        and (match := _JOURNAL.match(block[-1][1]))
        and not _looks_like_affiliation(block[-1][1])
    ):
        journal_title = match.group("journal")
        block.pop()
    else:
        missing.append("journal title")
    authors = _authors(block, missing)
    if authors:
        front["author"] = authors
    else:
        missing.append("authors")

    if published_at:
        date = parse_date(published_date)
        if date:
            front["date"] = date
        else:
            missing.append(f"published date (cannot read {published_at[1]!r})")
    else:
        missing.append("published date")

    citation = ""
    item = cursor.next_nonblank()
    if item and item[1].lower() == "how to cite":
        reference = cursor.next_nonblank()
        citation = reference[1] if reference else ""
    elif item:
        cursor.back()
    if citation:
        if doi := _DOI.search(citation):
            front["doi"] = doi.group(1).rstrip(".")
        urls = [u.rstrip(".") for u in _URL.findall(citation) if not _DOI.match(u)]
        if urls:
            front["url"] = urls[-1]
        if pages := _PAGES.search(citation):
            journal["pages"] = pages.group("pages").replace(" ", "")
    else:
        missing.append("How to Cite reference (for URL and pages)")
    if "pages" not in journal:
        missing.append("pages")
    if "doi" not in front:
        missing.append("DOI")
    if "url" not in front:
        missing.append("URL")

    body = _paragraphs(lines[cursor.index :])
    if not body:
        missing.append("body text")
    for absent in ("abstract", "keywords", "licence"):
        missing.append(absent)
    if journal:
        front["journal"] = journal
    front = {"slug": make_slug(front), **front}
    return ImportResult(front, body, journal_title, missing)


def _looks_like_affiliation(line: str) -> bool:
    return bool(_AFFILIATION_WORDS.search(line))


def _authors(block: list[tuple[int, str]], missing: list[str]) -> list[dict[str, Any]]:
    """Names, each followed by its affiliation line(s)."""
    authors: list[dict[str, Any]] = []
    for _, line in block:
        is_affiliation = "," in line or _looks_like_affiliation(line) or len(line.split()) > 6
        if is_affiliation and authors:
            authors[-1].setdefault("affiliation", []).append(line)
            continue
        honorific, name = split_honorific(line)
        entry: dict[str, Any] = {"name": name}
        if honorific:
            entry["honorific"] = honorific
        authors.append(entry)
    for number, author in enumerate(authors, start=1):
        affiliations = author.pop("affiliation", [])
        if not affiliations:
            missing.append(f"affiliation of author {number}")
        elif len(affiliations) == 1:
            author["affiliation"] = affiliations[0]
        else:
            author["affiliation"] = affiliations
    return authors


def parse_date(text: str) -> dt.date | None:
    text = text.strip().rstrip(".")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = re.match(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$", text)  # October 6, 2014
    if match and match.group(1).lower() in _MONTHS:
        return dt.date(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    match = re.match(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$", text)  # 6 October 2014
    if match and match.group(2).lower() in _MONTHS:
        return dt.date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    return None


def make_slug(front: dict[str, Any]) -> str:
    """ "malik-2014-pakistan-japan-relations": first author, year, first title words."""
    parts = []
    authors = front.get("author") or []
    if authors:
        name = split_name(authors[0]["name"])
        parts.append(name.get("family") or name.get("literal", ""))
    if "date" in front:
        parts.append(str(front["date"].year))
    stop = {"a", "an", "the", "and", "of", "in", "on", "for", "to"}
    words = [
        w for w in re.findall(r"[A-Za-z0-9]+", front.get("title", "")) if w.lower() not in stop
    ]
    parts += words[:3]
    slug = "-".join(p.lower() for p in parts if p)
    slug = re.sub(r"[^a-z0-9-]+", "", slug.encode("ascii", "ignore").decode())
    return slug[:80].strip("-") or "article"


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def escape_markdown(text: str) -> str:
    """Plain text as Pandoc Markdown that renders as the same text."""
    text = _MARKDOWN_ACTIVE.sub(r"\\\1", text)
    text = re.sub(r"@(?=\w)", r"\\@", text)
    text = re.sub(r"^([#+\-=>]|\d+[.)])", r"\\\1", text)
    return text


class _Cursor:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0
        self._last = 0

    def next_nonblank(self) -> tuple[int, str] | None:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self._last = self.index
            self.index += 1
            if line:
                return self.index, line
        return None

    def back(self) -> None:
        self.index = self._last
