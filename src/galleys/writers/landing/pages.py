"""Landing pages: one HTML page per article (dist/<slug>/index.html) and the journal index.

Pure functions that return bytes; build.py delivers them. The pages are self-contained (our CSS
and one small script inline, pinned by a Content-Security-Policy), work from file:// and any
static host, and print only the strings FrontMatter formatted.
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

from galleys.errors import InputMissingError, SourceError
from galleys.front.frontmatter import KEYWORD_SEPARATOR, FrontMatter, join_names
from galleys.front.inlines import Inlines, Run, plain
from galleys.front.styles import public_name
from galleys.model import ResolvedArticle
from galleys.writers.citation_files import CSL_SUFFIX, FRONTMATTER_SUFFIX
from galleys.writers.landing import assets as landing_assets
from galleys.writers.landing.html import Markup, el, escape, inlines, join, safe_url
from galleys.writers.landing.meta import Links, json_ld, meta_tags

PAGE = "index.html"
# (name, size, sha256, media type, format): format is a backend name ("pdf") or an export's
# suffix without its dot ("bib", "csl.json").
FileInfo = tuple[str, int, str, str, str]
FORMAT_LABELS = {"pdf": "PDF", "epub": "EPUB", "docx": "Word (DOCX)", "html": "HTML"}
CITATION_FORMATS = (("bib", "BibTeX"), ("ris", "RIS"), ("csl.json", "CSL-JSON"))
NOT_EDITIONS = {"bib", "ris", "csl.json", "frontmatter.json", "preview.png"}
WORDS = {  # interface words that are not front-matter labels
    "download": "Download",
    "downloads": "Download",
    "preview": "First page of the PDF edition",
    "style": "Citation style",
    "copy": "Copy citation",
    "copied": "Copied to the clipboard.",
    "copy_failed": "The citation is selected: press Ctrl+C (\u2318C on a Mac) to copy it.",
    "cite_files": "Download the citation",
    "index": "Articles",
    "skip": "Skip to content",
    "made_by": "Made with galleys.",
}


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
    links = Links(
        page=base or safe_url(front.url),
        pdf=base + pdf if pdf else "",
        image=base + preview[0] if preview else "",
        files=tuple((base + f[0], f[3], f[1]) for f in files),
    )
    head = join(
        [
            meta_tags(resolved, front, links),
            "\n",
            json_ld(resolved, front, links),
        ]
    )
    title = front.title_text + (f" | {front.journal_title}" if front.journal_title else "")
    description = plain(front.abstract[0]) if front.abstract else front.journal_line
    side = el(
        "section",
        {"class": "side", "aria-labelledby": "downloads"},
        el("h2", {"id": "downloads"}, WORDS["downloads"]),
        _preview(preview),
        el("ul", {"class": "downloads"}, [_download(f) for f in files]),
    )
    body = el(
        "article",
        None,
        _article_header(resolved, front),
        el(
            "div",
            {"class": "layout"},
            side,
            _abstract(front),
            _how_to_cite(
                front,
                citations,
                style_titles,
                [cite_files[k] for k, _ in CITATION_FORMATS if k in cite_files],
            ),
        ),
    )
    nav = el(
        "nav",
        {"class": "site", "aria-label": "Journal"},
        el("a", {"href": index_href}, front.journal_title or WORDS["index"]),
    )
    return _document(front.lang, front.direction, title, description, head, nav, body, True)


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


def journal_index(entries: Iterable[IndexEntry], *, lang: str = "en") -> bytes:
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
    heading = journals.pop() if len(journals) == 1 and "" not in journals else WORDS["index"]
    sections = []
    for number, group in enumerate(ordered, start=1):
        group.sort(key=lambda e: (_natural(e.pages), e.published_iso, plain(e.title)))
        first = group[0]
        label = first.running_head or first.journal_title or WORDS["index"]
        sections.append(
            el(
                "section",
                {"class": "issue", "aria-labelledby": f"issue-{number}"},
                el("h2", {"id": f"issue-{number}"}, label),
                el("p", {"class": "issue-title"}, first.issue_title) if first.issue_title else None,
                el("ul", {"class": "entries"}, [_entry(e, lang) for e in group]),
            )
        )
    body = join([el("h1", None, heading), sections])
    return _document(lang, "ltr", heading, heading, Markup(""), None, body, False)


def _document(
    lang: str,
    direction: str,
    title: str,
    description: str,
    head: Markup,
    nav: Markup | None,
    body: Markup,
    script: bool,
) -> bytes:
    csp = landing_assets.content_security_policy(script)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}" dir="{escape(direction)}">',
        "<head>",
        '<meta charset="utf-8">',
        el("meta", {"http-equiv": "Content-Security-Policy", "content": csp}),
        el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        el("title", None, title),
        el("meta", {"name": "description", "content": _shorten(description, 300)}),
        el("meta", {"name": "generator", "content": "galleys"}),
        el("link", {"rel": "icon", "href": "data:,"}),  # no icon: browsers ask for none
        head,
        el("style", None, Markup(landing_assets.CSS)),
        "</head>",
        "<body>",
        el("a", {"class": "skip", "href": "#main"}, WORDS["skip"]),
        nav,
        el("main", {"id": "main"}, body),
        el("footer", {"class": "foot"}, el("p", None, WORDS["made_by"])),
        el("script", None, Markup(landing_assets.SCRIPT)) if script else None,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(str(p) for p in parts if p is not None and p != "").encode("utf-8") + b"\n"


def _article_header(resolved: ResolvedArticle, front: FrontMatter) -> Markup:
    labels = front.labels
    title = [inlines(front.title)]
    if front.subtitle:
        title.append(el("span", {"class": "subtitle"}, inlines(front.subtitle)))
    authors = []
    for line in front.authors:
        parts: list[object] = [el("bdi", None, line.name)]  # a name keeps its own direction
        if line.superscript:
            parts.append(el("sup", None, line.superscript))
        if line.orcid_url:
            parts += [
                " ",
                el(
                    "a",
                    {
                        "class": "orcid",
                        "href": safe_url(line.orcid_url),
                        "aria-label": f"{labels.orcid} {line.name}",
                    },
                    labels.orcid,
                ),
            ]
        authors.append(el("li", None, parts))
    affiliations = [
        el(
            "li",
            None,
            el("sup", None, a.marker) if a.marker else None,
            " " if a.marker else "",
            el("bdi", None, a.name),
        )
        for a in front.affiliations
    ]
    notes = [
        el("p", None, el("sup", None, n.marker) if n.marker else None,
           " " if n.marker else "", inlines(n.text))
        for n in front.author_notes
    ]
    facts = [
        (
            labels.published,
            el("time", {"datetime": front.published_iso}, front.published)
            if front.published
            else "",
        ),
        (labels.doi, _link(front.doi_url)),
        (labels.url, _link(front.url)),
        (labels.license, _link(front.license_url, front.license) if front.license else ""),
    ]
    return el(
        "header",
        None,
        el("p", {"class": "journal-line"}, front.journal_line) if front.journal_line else None,
        el("p", {"class": "journal-line"}, front.issue_title) if front.issue_title else None,
        el("h1", None, title),
        el("ul", {"class": "authors"}, authors) if authors else None,
        el("ul", {"class": "affiliations", "aria-label": labels.affiliations}, affiliations)
        if affiliations
        else None,
        el("div", {"class": "author-notes"}, notes) if notes else None,
        el(
            "dl",
            {"class": "facts"},
            [[el("dt", None, k), el("dd", None, v)] for k, v in facts if v],
        ),
    )


def _keywords(keywords: tuple[str, ...]) -> list[object]:
    """The keywords, each isolated (a right-to-left keyword does not swap its neighbours)."""
    out: list[object] = []
    for number, keyword in enumerate(keywords):
        out += [KEYWORD_SEPARATOR] if number else []
        out.append(el("bdi", None, keyword))
    return out


def _abstract(front: FrontMatter) -> Markup | None:
    labels = front.labels
    if not front.abstract and not front.keywords:
        return None
    return el(
        "section",
        {"class": "abstract", "aria-labelledby": "abstract"},
        el("h2", {"id": "abstract"}, labels.abstract),
        [el("p", None, inlines(p)) for p in front.abstract],
        el(
            "p",
            {"class": "keywords"},
            el("strong", None, f"{labels.keywords}:"),
            " ",
            _keywords(front.keywords),
        )
        if front.keywords
        else None,
    )


def _how_to_cite(
    front: FrontMatter,
    citations: Mapping[str, Inlines],
    style_titles: Mapping[str, str],
    cite_files: list[FileInfo],
) -> Markup:
    order = [front.style] + [s for s in citations if s != front.style]
    rendered = {**citations, front.style: citations.get(front.style, front.how_to_cite)}
    titles = {**style_titles}
    titles.setdefault(front.style, front.style_title)
    options = [
        el("option", {"value": public_name(s), "selected": s == front.style}, titles.get(s, s))
        for s in order
    ]
    picker = el(
        "div",
        {"class": "picker", "id": "cite-picker", "hidden": True},
        el("label", {"for": "cite-style"}, WORDS["style"]),
        el("select", {"id": "cite-style"}, options),
        el(
            "button",
            {
                "type": "button",
                "id": "cite-copy",
                "data-done": WORDS["copied"],
                "data-failed": WORDS["copy_failed"],
            },
            WORDS["copy"],
        ),
    )
    items = [
        el(
            "section",
            {
                "class": "cite-item",
                "data-cite-style": public_name(s),
                "aria-labelledby": f"cite-{n}",
            },
            el("h3", {"id": f"cite-{n}"}, titles.get(s, s)),
            el("p", {"class": "citation"}, inlines(rendered[s])),
        )
        for n, s in enumerate(order, start=1)
    ]
    files = (
        el(
            "div",
            {"class": "cite-files"},
            el("p", {"id": "cite-files"}, el("strong", None, WORDS["cite_files"])),
            el(
                "ul",
                {"aria-labelledby": "cite-files"},
                [
                    el(
                        "li",
                        None,
                        el(
                            "a",
                            {"href": f[0], "type": f[3], "download": True},
                            dict(CITATION_FORMATS)[f[4]],
                        ),
                        f" ({_size(f[1])})",
                    )
                    for f in cite_files
                ],
            ),
        )
        if cite_files
        else None
    )
    return el(
        "section",
        {"class": "how-to-cite", "aria-labelledby": "how-to-cite"},
        el("h2", {"id": "how-to-cite"}, front.labels.how_to_cite),
        el(
            "div",
            {"class": "cite"},
            picker,
            el("p", {"class": "status", "id": "cite-status", "role": "status"}),
            items,
        ),
        files,
    )


def _preview(preview: tuple[str, bytes] | None) -> Markup | None:
    if not preview:
        return None
    name, data = preview
    width, height = png_size(data)
    return el(
        "figure",
        {"class": "preview"},
        el(
            "img",
            {"src": name, "width": str(width), "height": str(height), "alt": WORDS["preview"]},
        ),
    )


def _download(info: FileInfo) -> Markup:
    name, size, sha256, media_type, fmt = info
    label = FORMAT_LABELS.get(fmt, fmt.upper())
    return el(
        "li",
        None,
        el(
            "a",
            {"class": "button", "href": name, "type": media_type, "download": True},
            f"{WORDS['download']} {label}",
        ),
        el(
            "span",
            {"class": "file-info"},
            f"{label}, {_size(size)}",
            el("br"),
            "SHA-256 ",
            el("code", {"class": "hash"}, sha256),
        ),
    )


def _entry(entry: IndexEntry, page_lang: str) -> Markup:
    other = entry.lang != page_lang
    title: list[str] = [inlines(entry.title)]
    if entry.subtitle:
        title += [": ", inlines(entry.subtitle)]
    meta = " \u00b7 ".join(p for p in (entry.authors, entry.published) if p)
    return el(
        "li",
        {"lang": entry.lang if other else None, "dir": entry.direction if other else None},
        el("h3", None, el("a", {"href": f"{entry.slug}/{PAGE}"}, title)),
        el("p", {"class": "entry-meta"}, meta) if meta else None,
    )


def _link(url: str, text: str = "") -> Markup | str:
    href = safe_url(url)
    if href:
        return el("a", {"href": href}, text or url)
    return text or url


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


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
