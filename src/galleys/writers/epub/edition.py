"""The EPUB 3 edition: ebooklib packages our own XHTML, then we re-pack the zip reproducibly."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ebooklib import epub

from galleys.errors import InternalError, OutputError
from galleys.resolve.figures import MEDIA_TYPES, SCREEN_DPI, SUFFIXES, as_kind, open_figure
from galleys.resolve.mathml import MATHML_NS
from galleys.writers.epub.cover import cover_png
from galleys.writers.epub.css import STYLESHEET
from galleys.writers.epub.pages import COVER as COVER_LABEL
from galleys.writers.epub.pages import (
    STYLESHEET_HREF,
    NavEntry,
    cover_page,
    nav_page,
    serialize,
    skeleton,
    title_page,
)
from galleys.writers.epub.xhtml import EPUB_TYPE, BodyWriter, el, plain_text

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle
    from galleys.writers import RenderOptions

LONG_ARTICLE_WORDS = 3000  # above this, the body is split at level-1 headings
MATHML_PROPERTY = "mathml"  # the manifest property of a document holding MathML
MIN_ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can hold
_IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "webp", "svg"})  # EPUB 3's core media types


class EpubBackend:
    """EPUB 3 with nav and NCX, a cover, the shared title page, the body, notes and references."""

    name: ClassVar[str] = "epub"
    suffix: ClassVar[str] = ".epub"
    media_type: ClassVar[str] = "application/epub+zip"

    def render(self, resolved: ResolvedArticle, front: FrontMatter, options: RenderOptions
               ) -> bytes:
        book = epub.EpubBook()
        writer = _Assembly(resolved, front)
        documents = writer.documents()
        _metadata(book, resolved, front, has_images=writer.body.has_images,
                  all_alt=writer.body.images_without_alt == 0)
        book.add_item(epub.EpubItem(uid="style", file_name=STYLESHEET_HREF, media_type="text/css",
                                    content=STYLESHEET.encode("utf-8")))
        book.set_cover("cover.png", cover_png(front, resolved.metadata.fonts), create_page=False)
        for href, (media_type, data) in writer.images.items():
            book.add_item(epub.EpubItem(uid=f"img{len(book.items)}", file_name=href,
                                        media_type=media_type, content=data))
        spine = []
        for doc in documents:
            mathml = [MATHML_PROPERTY] if MATHML_NS.encode() in doc.data else []
            item = _Document(doc.uid, doc.href, doc.title, doc.data, mathml)
            book.add_item(item)
            spine.append(item)
        if any(MATHML_NS.encode() in doc.data for doc in documents):
            book.add_metadata(None, "meta", "MathML", {"property": "schema:accessibilityFeature"})
        book.add_item(_Document("nav", "nav.xhtml", "nav", writer.nav(documents), ["nav"]))
        book.add_item(epub.EpubNcx())
        book.toc = [_ncx_entry(entry, f"toc{i}") for i, entry in
                    enumerate(writer.toc(documents), start=1)]
        book.spine = spine
        raw = io.BytesIO()
        mtime = dt.datetime.fromtimestamp(options.source_date_epoch, dt.UTC).replace(tzinfo=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                # compresslevel 0: _repack compresses (and orders, and dates) every entry anew
                ok = epub.write_epub(raw, book, {"mtime": mtime, "play_order": {"enabled": True},
                                                 "raise_exceptions": True, "epub3_pages": False,
                                                 "compresslevel": 0})
            except (OSError, ValueError) as exc:
                raise OutputError(f"ebooklib could not write the EPUB: {exc}") from None
        if ok is False:
            raise OutputError("ebooklib could not write the EPUB (write_epub returned False)")
        return _repack(raw.getvalue(), options.source_date_epoch,
                       {f"EPUB/{doc.href}": doc.data for doc in documents})


class _Document(epub.EpubHtml):
    """An XHTML document whose bytes we made and checked; ebooklib stores them unchanged."""

    def __init__(self, uid: str, href: str, title: str, data: bytes,
                 properties: list[str] | None = None) -> None:
        super().__init__(uid=uid, file_name=href, title=title)
        self._data = data
        self.properties = list(properties or [])

    def get_content(self, default: Any = None) -> bytes:
        return self._data


@dataclass
class _Doc:
    uid: str
    href: str
    title: str
    kind: str  # cover, titlepage, body, bibliography
    blocks: list[dict[str, Any]] = field(default_factory=list)
    data: bytes = b""


class _Assembly:
    """Plans the documents of one book and renders them."""

    def __init__(self, resolved: ResolvedArticle, front: FrontMatter) -> None:
        self.resolved = resolved
        self.front = front
        self.folder = resolved.article.folder
        self.images: dict[str, tuple[str, bytes]] = {}  # href -> (media type, bytes)
        self._image_names: dict[Path, str] = {}
        self.body = BodyWriter({}, self._image)
        self._block_numbers = {id(block): n for n, block in enumerate(resolved.blocks)}

    def documents(self) -> list[_Doc]:
        front = self.front
        alt = ". ".join(p for p in (front.title_text, front.author_names, front.running_head) if p)
        docs = [
            _Doc("cover", "cover.xhtml", COVER_LABEL, "cover", data=cover_page(front, "cover.png",
                                                                               alt)),
        ]
        title = _Doc("titlepage", "titlepage.xhtml", front.title_text, "titlepage")
        title.data = title_page(front)
        docs.append(title)
        docs += self._body_documents()
        targets: dict[str, str] = {}
        for doc in docs:
            for element_id in self.resolved.index.ids_in(self._numbers(doc.blocks)):
                targets.setdefault(element_id, doc.href)
        self.body = BodyWriter(targets, self._image)
        for doc in docs:
            if doc.kind in ("body", "bibliography"):
                doc.data = self._render(doc)
        return docs

    def _numbers(self, blocks: list[dict[str, Any]]) -> list[int]:
        """The places of these top-level blocks in the body (see BodyIndex)."""
        return [self._block_numbers[id(block)] for block in blocks]

    def _body_documents(self) -> list[_Doc]:
        """The body's documents: one, or one per level-1 section of a long article; the
        reference list (its heading and entries) in one of its own, so the notes of the text
        come before it, and what follows it (appendices) in the next ones."""
        blocks = list(self.resolved.blocks)
        at = next((i for i, b in enumerate(blocks) if b["t"] == "Div" and b["c"][0][0] == "refs"),
                  None)
        before, references, after = blocks, [], []
        if at is not None:
            start = at - 1 if at and blocks[at - 1]["t"] == "Header" else at
            before, references, after = blocks[:start], blocks[start:at + 1], blocks[at + 1:]
        split = self.resolved.index.words_in(self._numbers(before + after)) > LONG_ARTICLE_WORDS
        parts = [(chunk, "body") for chunk in _chunks(before, split)]
        if references:
            parts.append((references, "bibliography"))
        parts += [(chunk, "body") for chunk in _chunks(after, split)]
        single = sum(kind == "body" for _chunk, kind in parts) == 1
        docs: list[_Doc] = []
        for chunk, kind in parts:
            heading = chunk[0]
            label = plain_text(heading["c"][2]) if heading["t"] == "Header" else ""
            if kind == "bibliography":
                label = label or self.front.labels.references
                docs.append(_Doc("references", "references.xhtml", label, kind, chunk))
                continue
            n = sum(doc.kind == "body" for doc in docs) + 1
            href = "article.xhtml" if single else f"section-{n:02d}.xhtml"
            docs.append(_Doc(f"body{n}", href, label or self.front.title_text, kind, chunk))
        return docs  # none for an article of front matter only: the title page carries it

    def _render(self, doc: _Doc) -> bytes:
        root, body = skeleton(self.front, doc.title, "bodymatter" if doc.kind == "body" else
                              "backmatter")
        parent = body
        if doc.kind == "bibliography":
            parent = el(body, "section", "bibliography")
            parent.set(EPUB_TYPE, "bibliography")
            if doc.blocks[0]["t"] != "Header":
                el(parent, "h1").text = doc.title
        self.body.document(parent, doc.blocks, doc.href)
        return serialize(root, doc.href)

    def toc(self, documents: list[_Doc]) -> list[NavEntry]:
        """Title page, then level-1 headings with their level-2 headings, then references."""
        entries: list[NavEntry] = []
        for doc in documents:
            if doc.kind == "titlepage" or doc.kind == "bibliography":
                entries.append(NavEntry(doc.title, doc.href))
            elif doc.kind == "body":
                first = True
                for block in doc.blocks:
                    if block["t"] != "Header" or block["c"][0] > 2:
                        continue
                    level, attr, inlines = block["c"]
                    href = f"{doc.href}#{attr[0]}" if attr[0] and not (
                        first and block is doc.blocks[0]) else doc.href
                    entry = NavEntry(plain_text(inlines) or doc.title, href)
                    if level == 2 and entries and entries[-1].href.startswith(doc.href):
                        entries[-1].children.append(entry)
                    else:
                        entries.append(entry)
                    first = False
                if first:
                    entries.append(NavEntry(doc.title, doc.href))
        return entries

    def nav(self, documents: list[_Doc]) -> bytes:
        landmarks = [("cover", COVER_LABEL, "cover.xhtml"),
                     ("titlepage", self.front.title_text, "titlepage.xhtml")]
        body = next((d for d in documents if d.kind == "body"), None)
        if body:
            landmarks.append(("bodymatter", body.title, body.href))
        refs = next((d for d in documents if d.kind == "bibliography"), None)
        if refs:
            landmarks.append(("bibliography", refs.title, refs.href))
        return nav_page(self.front, self.toc(documents), landmarks)

    def _image(self, src: str) -> str:
        """Copy a figure into the book (PDF and other kinds as PNG); its href there."""
        figure = open_figure(self.folder, src, self.resolved.article.source_path)
        if figure.path in self._image_names:
            return self._image_names[figure.path]
        kind, data = as_kind(figure, _IMAGE_KINDS, SCREEN_DPI)
        href = f"images/figure-{len(self._image_names) + 1}{SUFFIXES[kind]}"
        self._image_names[figure.path] = href
        self.images[href] = (MEDIA_TYPES[kind], data)
        return href


def _chunks(blocks: list[dict[str, Any]], split: bool) -> list[list[dict[str, Any]]]:
    """`blocks` whole, or parted before each level-1 heading when `split`; no empty part."""
    chunks: list[list[dict[str, Any]]] = [[]]
    for block in blocks:
        if split and block["t"] == "Header" and block["c"][0] == 1 and chunks[-1]:
            chunks.append([])
        chunks[-1].append(block)
    return [chunk for chunk in chunks if chunk]


def _ncx_entry(entry: NavEntry, uid: str) -> Any:
    link = epub.Link(entry.href, entry.label, uid)
    if not entry.children:
        return link
    return (link, [_ncx_entry(child, f"{uid}-{i}")
                   for i, child in enumerate(entry.children, start=1)])


def identifier(resolved: ResolvedArticle) -> str:
    """The book's stable identifier: its DOI, else its URL, else a URN from the slug."""
    metadata = resolved.metadata
    if metadata.doi:
        return f"urn:doi:{metadata.doi}"
    if metadata.url:
        return metadata.url
    return f"urn:galleys:{metadata.slug}"


def _metadata(book: Any, resolved: ResolvedArticle, front: FrontMatter, *, has_images: bool,
              all_alt: bool) -> None:
    metadata = resolved.metadata
    book.set_identifier(identifier(resolved))
    book.title = front.title_text
    book.add_metadata("DC", "title", front.title_text, {"id": "title"})
    book.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if front.subtitle:
        book.add_metadata("DC", "title", front.subtitle_text, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle",
                          {"refines": "#subtitle", "property": "title-type"})
    book.set_language(front.lang)
    book.set_direction(front.direction)
    for i, line in enumerate(front.authors, 1):
        uid = f"creator{i}"
        book.add_metadata("DC", "creator", line.catalogue_name, {"id": uid})
        book.add_metadata(None, "meta", line.sort_name, {"refines": f"#{uid}",
                                                          "property": "file-as"})
        book.add_metadata(None, "meta", "aut", {"refines": f"#{uid}", "property": "role",
                                                "scheme": "marc:relators"})
        book.add_metadata(None, "meta", str(i), {"refines": f"#{uid}",
                                                 "property": "display-seq"})
    if metadata.journal.publisher:
        book.add_metadata("DC", "publisher", metadata.journal.publisher)
    if front.published_iso:
        book.add_metadata("DC", "date", front.published_iso)
    if front.license:
        book.add_metadata("DC", "rights", front.license)
    if front.license_url:
        book.add_metadata(None, "meta", front.license_url, {"property": "dcterms:license"})
    for keyword in front.keywords:
        book.add_metadata("DC", "subject", keyword)
    if front.abstract:
        book.add_metadata("DC", "description", front.abstract_text)
    book.add_metadata(None, "meta", front.how_to_cite_text,
                      {"property": "dcterms:bibliographicCitation"})
    collection = front.issue_title or front.running_head
    if collection:
        book.add_metadata(None, "meta", collection,
                          {"property": "belongs-to-collection", "id": "issue"})
        book.add_metadata(None, "meta", "set", {"refines": "#issue",
                                                "property": "collection-type"})
    _accessibility(book, has_images=has_images, all_alt=all_alt)


def _accessibility(book: Any, *, has_images: bool, all_alt: bool) -> None:
    modes = ["textual", "visual"] if has_images else ["textual"]
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if has_images and all_alt:
        features.append("alternativeText")
    sufficient = ["textual"] if all_alt else ["textual,visual"]
    for mode in modes:
        book.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    for mode in sufficient:
        book.add_metadata(None, "meta", mode, {"property": "schema:accessModeSufficient"})
    for feature in features:
        book.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    book.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    summary = ("Reflowable text with a navigable table of contents and structured headings; "
               "footnotes are linked both ways"
               + ("; every figure has a text alternative." if has_images and all_alt else "."))
    book.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})


def _repack(data: bytes, epoch: int, expected: dict[str, bytes]) -> bytes:
    """The same entries with fixed times, attributes and order; mimetype first and stored."""
    moment = dt.datetime.fromtimestamp(max(epoch, MIN_ZIP_EPOCH), dt.UTC)
    date_time = (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                 moment.second)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        entries = {name: source.read(name) for name in names}
    for name, content in expected.items():
        if entries.get(name) != content:
            raise InternalError(f"ebooklib did not write {name} as made (empty or changed)")
    if entries.get("mimetype") != b"application/epub+zip":
        raise InternalError("ebooklib wrote no mimetype entry")
    first = ["mimetype", "META-INF/container.xml", "EPUB/content.opf"]
    order = [n for n in first if n in entries] + [n for n in names if n not in first]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                target.writestr(info, entries[name])
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()
