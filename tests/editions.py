"""Test helpers: render an article's editions and read back their text, links and targets."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from lxml import etree
from pypdf import PdfReader

from galleys import writers
from galleys.builder.articles import prepare
from galleys.writers import RenderOptions

EPOCH = 1700000000
EDITIONS = ("pdf", "epub", "docx")
XHTML = {"h": "http://www.w3.org/1999/xhtml"}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def write_article(folder: Path, front: str, body: str, bib: str = "") -> Path:
    """An article folder with article.md (and references.bib when `bib` is given)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.md").write_text(f"---\n{front}\n---\n\n{body}", encoding="utf-8")
    if bib:
        (folder / "references.bib").write_text(bib, encoding="utf-8")
    return folder / "article.md"


@dataclass(frozen=True)
class Converted:
    """An article written into a source folder and converted by the command."""

    article: Path
    out: Path
    resolved: object  # the ResolvedArticle the editions were made from
    slug: str

    def file(self, suffix: str) -> bytes:
        return (self.out / f"{self.slug}{suffix}").read_bytes()


def convert_source(work: Path, slug: str, name: str, text: str) -> Converted:
    """`text` as work/source/<slug>/<name>, converted by `galleys convert` into work/out."""
    from galleys.builder.articles import parse
    from galleys.cli.main import main

    article = work / "source" / slug / name
    article.parent.mkdir(parents=True)
    article.write_text(text, encoding="utf-8")
    out = work / "out"
    assert main(["convert", str(article), "-o", str(out), "-q"]) == 0
    return Converted(article, out, parse(article), slug)


def render(path: Path) -> dict[str, bytes]:
    """Every edition of the article, as bytes."""
    resolved, front = prepare(path)
    return {name: writers.get(name).render(resolved, front, RenderOptions(EPOCH))
            for name in EDITIONS}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Link:
    """An internal link as an edition holds it: its text, and the text at its target."""

    text: str
    target: str | None  # None: the target does not exist


class Pdf:
    """A PDF edition: its text, and each internal link with the text where it lands."""

    def __init__(self, data: bytes) -> None:
        self.reader = PdfReader(io.BytesIO(data))
        self.pdfium = pypdfium2.PdfDocument(data)
        self.text = squeeze(" ".join(p.extract_text() for p in self.reader.pages))

    def links(self) -> list[Link]:
        pages = {page.indirect_reference.idnum: n for n, page in enumerate(self.reader.pages)}
        found = []
        for number, page in enumerate(self.reader.pages):
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                dest = annotation.get("/Dest")
                if annotation.get("/Subtype") != "/Link" or dest is None:
                    continue
                left, bottom, right, top = (float(v) for v in annotation["/Rect"])
                text = self._text(number, left, bottom, right, top)
                target_page = pages.get(dest[0].idnum)
                target = None
                if target_page is not None and dest[1] == "/XYZ":
                    y = float(dest[3])
                    width = self.pdfium[target_page].get_size()[0]
                    target = self._text(target_page, 0, y - 80, width, y + 1)
                found.append(Link(squeeze(text), target))
        return found

    def _text(self, page: int, left: float, bottom: float, right: float, top: float) -> str:
        return self.pdfium[page].get_textpage().get_text_bounded(left, bottom, right, top)


class Epub:
    """An EPUB edition: its XHTML documents, their text, and links resolved across them."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.documents = {name.removeprefix("EPUB/"): etree.fromstring(z.read(name))
                              for name in z.namelist() if name.endswith(".xhtml")}
        self.body = {n: d for n, d in self.documents.items()
                     if n not in ("nav.xhtml", "cover.xhtml", "titlepage.xhtml")}
        self.text = squeeze(" ".join("".join(d.find("h:body", XHTML).itertext())
                                     for d in self.body.values()))

    def links(self) -> list[Link]:
        found = []
        for name, root in self.body.items():
            for a in root.iterfind(".//h:a[@href]", XHTML):
                href = a.get("href")
                if "://" in href or href.startswith("mailto:") or "noteref" in (
                        a.get("class") or "") or "backlink" in (a.get("class") or ""):
                    continue
                file, _, ident = href.partition("#")
                target = self.documents.get(file or name)
                element = None
                if target is not None:
                    element = next(target.iterfind(f".//*[@id='{ident}']"), None)
                found.append(Link(squeeze("".join(a.itertext())),
                                  None if element is None else squeeze("".join(
                                      element.itertext()))))
        return found


class Docx:
    """A DOCX edition: its paragraphs' text, and hyperlinks to bookmarks."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.root = etree.fromstring(z.read("word/document.xml"))
            self.footnotes = z.read("word/footnotes.xml").decode() if (
                "word/footnotes.xml" in z.namelist()) else ""
        self.paragraphs = [squeeze("".join(p.itertext()))
                           for p in self.root.iter(f"{{{W}}}p")]
        self.text = " ".join(self.paragraphs)

    def links(self) -> list[Link]:
        """Hyperlinks to bookmarks; a target's text is what lies between its bookmark's start
        and end (for a figure: its picture's and caption's paragraphs)."""
        texts: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        open_marks: set[str] = set()
        for node in self.root.iter():
            tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
            if tag == "bookmarkStart":
                names[node.get(f"{{{W}}}id")] = node.get(f"{{{W}}}name")
                open_marks.add(node.get(f"{{{W}}}id"))
                texts[node.get(f"{{{W}}}id")] = []
            elif tag == "bookmarkEnd":
                open_marks.discard(node.get(f"{{{W}}}id"))
            elif tag == "t" and node.text:
                for mark in open_marks:
                    texts[mark].append(node.text)
        bookmarks = {names[i]: squeeze("".join(t)) for i, t in texts.items()}
        found = []
        for link in self.root.iter(f"{{{W}}}hyperlink"):
            anchor = link.get(f"{{{W}}}anchor")
            if anchor is not None:
                found.append(Link(squeeze("".join(link.itertext())), bookmarks.get(anchor)))
        return found


def read(edition: str, data: bytes) -> Pdf | Epub | Docx:
    return {"pdf": Pdf, "epub": Epub, "docx": Docx}[edition](data)
