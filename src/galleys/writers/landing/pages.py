"""Landing pages: one HTML page per article (dist/<slug>/index.html) and the journal index.

Pure functions that return bytes; the build delivers them. Their markup comes from the
templates (writers/html/templates/, which a journal may override); the pages are
self-contained (our CSS and one small script inline, pinned by a Content-Security-Policy), work
from file:// and any static host, and print only the strings FrontMatter formatted.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from markupsafe import Markup

from galleys.errors import InputMissingError, SourceError
from galleys.front.frontmatter import FrontMatter, join_names
from galleys.front.inlines import Inlines, Run, plain
from galleys.front.styles import public_name
from galleys.model import Branding, ResolvedArticle
from galleys.writers.citation_files import CSL_SUFFIX, FRONTMATTER_SUFFIX
from galleys.writers.html import page, templates
from galleys.writers.html.markup import safe_url
from galleys.writers.landing.meta import Links, json_ld, meta_tags

PAGE = "index.html"
# (name, size, sha256, media type, format): format is a backend name ("pdf") or an export's
# suffix without its dot ("bib", "csl.json").
FileInfo = tuple[str, int, str, str, str]
FORMAT_LABELS = {"pdf": "PDF", "epub": "EPUB", "docx": "Word (DOCX)", "html": "HTML"}
CITATION_FORMATS = (("bib", "BibTeX"), ("ris", "RIS"), ("csl.json", "CSL-JSON"))
NOT_EDITIONS = {"bib", "ris", "csl.json", "frontmatter.json", "preview.png"}
READ_ONLINE = "html"  # the edition the page offers first, to read in the browser

class _File(Protocol):
    """What describe() reads of build's OutputFile (read-only: it is frozen)."""

    @property
    def name(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def media_type(self) -> str: ...


def article_files(
    resolved: ResolvedArticle,
    front: FrontMatter,
    outputs: Sequence[_File],
    citations: Mapping[str, Inlines],
    style_titles: Mapping[str, str] | None = None,
    *,
    site_url: str = "",
    preview_width: int | None = None,
) -> list[tuple[str, bytes, str]]:
    """(name, bytes, media type) of the files the landing page adds to one article's outputs:
    the PDF's first page as PNG (when there is a PDF) and index.html."""
    from galleys.front import styles
    from galleys.writers.landing import preview as _preview

    slug = resolved.metadata.slug
    extra: list[tuple[str, bytes, str]] = []
    pdf = next((o for o in outputs if o.name == f"{slug}.pdf"), None)
    image = None
    if pdf is not None:
        png = _preview.first_page_png(pdf.data, preview_width or _preview.DEFAULT_WIDTH)
        image = (f"{slug}{_preview.SUFFIX}", png)
        extra.append((image[0], png, "image/png"))
    titles = dict(style_titles or {})
    for name in citations:
        if name not in titles:
            titles[name] = styles.title(name)
    page = article_page(
        resolved,
        front,
        describe(slug, outputs),
        citations,
        titles,
        preview=image,
        site_url=site_url,
    )
    extra.append((PAGE, page, "text/html"))
    return extra


def describe(slug: str, outputs: Iterable[_File]) -> list[FileInfo]:
    """FileInfo of each output file of one article (what article_page lists), in build order."""
    prefix = f"{slug}."
    return [
        (
            o.name,
            len(o.data),
            hashlib.sha256(o.data).hexdigest(),
            o.media_type,
            o.name[len(prefix) :] if o.name.startswith(prefix) else o.name.rsplit(".", 1)[-1],
        )
        for o in outputs
    ]


def article_page(
    resolved: ResolvedArticle,
    front: FrontMatter,
    editions: Sequence[FileInfo],
    citations: Mapping[str, Inlines],
    style_titles: Mapping[str, str],
    *,
    preview: tuple[str, bytes] | None = None,
    site_url: str = "",
    index_href: str = f"../{PAGE}",
) -> bytes:
    """dist/<slug>/index.html: front matter, abstract, preview, downloads, How to Cite.

    `editions` may hold every output file (describe() makes them): editions get a download
    button, .bib/.ris/.csl.json become citation downloads, the rest is not listed.
    `citations` maps style name -> How-to-Cite runs (citation.how_to_cite_many); front.style is
    shown first and chosen by default. `preview` is (file name, PNG bytes) of the first page.
    `site_url`, when known, makes the URLs indexers read absolute.
    """
    slug = resolved.metadata.slug
    files = [f for f in editions if f[4] not in NOT_EDITIONS and f[0] != PAGE]
    cite_files = {f[4]: f for f in editions if f[4] in dict(CITATION_FORMATS)}
    base = f"{site_url.rstrip('/')}/{slug}/" if safe_url(site_url) else ""
    pdf = next((f[0] for f in files if f[4] == "pdf"), "")
    online = next((f for f in files if f[4] == READ_ONLINE), None)
    links = Links(
        page=base or safe_url(front.url),
        pdf=base + pdf if pdf else "",
        image=base + preview[0] if preview else "",
        files=tuple((base + f[0], f[3], f[1]) for f in files),
        html=base + online[0] if online else "",
    )
    branding = resolved.metadata.branding
    values = page.context(
        front.lang,
        front.direction,
        page.page_title(front),
        front.abstract_lead or front.journal_line,
        branding,
        nav=[(front.journal_title or page.WORDS.index, index_href)],
        script=True,
    )
    width, height = png_size(preview[1]) if preview else (0, 0)
    templates.check_fields(front, branding.templates)
    values.update(
        front=front,
        fields=front.fields(),  # for a journal's own templates; ours walk front.fields()
        head=Markup("\n").join([meta_tags(resolved, front, links),
                                 json_ld(resolved, front, links)]),
        read_online=_file(online) if online else None,
        preview={"name": preview[0], "width": width, "height": height} if preview else None,
        downloads=[_file(f) for f in files if f is not online],
        citations=_citations(front, citations, style_titles),
        cite_files=[_file(cite_files[k]) for k, _ in CITATION_FORMATS if k in cite_files],
    )
    return templates.render("landing.html", values, branding.templates)


def _file(info: FileInfo) -> dict[str, str]:
    """What the template shows of one file: its name, label, size, checksum, media type."""
    name, size, sha256, media_type, fmt = info
    label = dict(CITATION_FORMATS).get(fmt) or FORMAT_LABELS.get(fmt, fmt.upper())
    return {"name": name, "label": label, "size": _size(size), "sha256": sha256,
            "media_type": media_type}


def _citations(front: FrontMatter, citations: Mapping[str, Inlines],
               style_titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """How to Cite in each style, the article's own first: name, title and runs."""
    order = [front.style] + [s for s in citations if s != front.style]
    rendered = {**citations, front.style: citations.get(front.style, front.how_to_cite)}
    titles = {**style_titles}
    titles.setdefault(front.style, front.style_title)
    return [{"name": public_name(s), "title": titles.get(s, s), "runs": rendered[s]}
            for s in order]


@dataclass(frozen=True)
class IndexEntry:
    """One article as the journal index lists it, from its metadata and front matter."""

    slug: str
    title: Inlines
    subtitle: Inlines
    authors: str  # front.author_names
    journal_title: str
    running_head: str  # "CISS Insight Journal, Vol. 2, No. 2&3 (2014)": the issue's heading
    issue_title: str
    volume: str
    issue: str
    pages: str
    published: str
    published_iso: str
    lang: str
    direction: str

    @classmethod
    def of(cls, resolved: ResolvedArticle, front: FrontMatter) -> IndexEntry:
        journal = resolved.metadata.journal
        return cls(
            slug=resolved.metadata.slug,
            title=front.title,
            subtitle=front.subtitle,
            authors=front.author_names,
            journal_title=front.journal_title,
            running_head=front.running_head,
            issue_title=front.issue_title,
            volume=journal.volume,
            issue=journal.issue,
            pages=journal.pages,
            published=front.published,
            published_iso=front.published_iso,
            lang=front.lang,
            direction=front.direction,
        )

    @classmethod
    def from_dist(cls, folder: Path) -> IndexEntry:
        """The entry of an article already built into `folder` (dist/<slug>/), from its
        <slug>.frontmatter.json and <slug>.csl.json: for articles an incremental build skipped."""
        slug = folder.name
        front = _read_json(folder / f"{slug}{FRONTMATTER_SUFFIX}")
        items = _read_json(folder / f"{slug}{CSL_SUFFIX}")
        item = items[0] if isinstance(items, list) and items else {}
        try:
            return cls(
                slug=slug,
                title=_runs(front["title"]),
                subtitle=_runs(front["subtitle"]),
                authors=join_names([a["name"] for a in front["authors"]]),
                journal_title=front["journal_title"],
                running_head=front["running_head"],
                issue_title=front["issue_title"],
                volume=str(item.get("volume", "")),
                issue=str(item.get("issue", "")),
                pages=str(item.get("page", "")),
                published=front["published"],
                published_iso=front["published_iso"],
                lang=front["lang"],
                direction=front["direction"],
            )
        except (KeyError, TypeError) as exc:
            raise SourceError(f"front matter JSON lacks {exc}", path=folder) from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputMissingError("missing: build the article again", path=path) from None
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read: {exc}", path=path) from None


def _runs(data: list[dict[str, Any]]) -> Inlines:
    return tuple(
        Run(r["text"], frozenset(r.get("marks", ())), r.get("link", ""), r.get("lang", ""))
        for r in data
    )


def journal_index(
    entries: Iterable[IndexEntry], *, lang: str = "en", branding: Branding | None = None
) -> bytes:
    """dist/index.html: every article, grouped by journal volume and issue, newest first."""
    groups: dict[tuple[str, str, str], list[IndexEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.journal_title, entry.volume, entry.issue), []).append(entry)
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            max(e.published_iso for e in g),
            _natural(g[0].volume),
            _natural(g[0].issue),
        ),
        reverse=True,
    )
    journals = {e.journal_title for g in ordered for e in g}
    heading = (journals.pop() if len(journals) == 1 and "" not in journals
               else page.WORDS.index)
    issues = []
    for group in ordered:
        group.sort(key=lambda e: (_natural(e.pages), e.published_iso, plain(e.title)))
        first = group[0]
        issues.append({
            "label": first.running_head or first.journal_title or page.WORDS.index,
            "title": first.issue_title,
            "entries": group,
        })
    branding = branding or Branding()
    values = page.context(lang, "ltr", heading, heading, branding, nav=[])
    values.update(heading=heading, issues=issues)
    return templates.render("index.html", values, branding.templates)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", data[16:24])


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    """ "10" after "9", "2&3" as (2, 3): a key that orders volumes, issues and pages."""
    return tuple(
        (int(p), "") if p.isdigit() else (-1, p.lower())
        for p in re.findall(r"\d+|\D+", text)
        if p.strip()
    )
