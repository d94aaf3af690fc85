"""The DOCX edition read back by paragraph style (Title, Author …) and core properties."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from galleys.check.readers.text import local, parse_xml
from galleys.check.slots import Reading, register
from galleys.front.frontmatter import FrontMatter

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OMML = "http://schemas.openxmlformats.org/officeDocument/2006/math"
OMML_TEXT = f"{{{OMML}}}t"
# paragraph style -> front-matter kind; the label paragraphs ("Abstract Title") are no slot
STYLES = {
    "Title": "title",
    "Subtitle": "subtitle",
    "Author": "author",
    "Affiliation": "affiliation",
    "Author Note": "author note",
    "Journal Line": "journal line",
    "Issue Title": "issue title",
    "Published": "published",
    "DOI": "doi",
    "URL": "url",
    "Licence": "licence",
    "Abstract": "abstract",
    "Keywords": "keywords",
    "How to Cite": "how to cite",
}
LABELS = frozenset({"Abstract Title", "How to Cite Title"})
LABEL_STYLE = "Front Matter Label"  # the character style of "Published:", "DOI:" …
EQUATION_STYLE = "Numbered Equation"  # a numbered display formula: TAB, m:oMath, TAB, "(n)"
CORE = {"title": "title", "creator": "authors", "keywords": "keywords", "description": "abstract"}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class _Paragraph:
    """One w:p: its style name, its text without markers or labels, and its links."""

    def __init__(self, p: etree._Element, style_names: dict[str, str], rels: dict[str, str]):
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        self.style = style_names.get(style.get(_w("val"), ""), "") if style is not None else ""
        self.parts: list[tuple[str, str]] = []  # (text, link target or "")
        for node in p:
            tag = local(node.tag)
            if tag == "r":
                self.parts.append((self._run(node, style_names), ""))
            elif tag == "hyperlink":
                text = "".join(self._run(r, style_names) for r in node.iter(_w("r")))
                target = rels.get(node.get(f"{{{R}}}id", ""), "#" + node.get(_w("anchor"), ""))
                self.parts.append((text, target or "#"))
            else:  # a formula, a bookmark, a field …: its text as it reads
                self.parts.append(("".join(
                    t.text or "" for t in node.iter(_w("t"), OMML_TEXT)), ""))

    @staticmethod
    def _run(run: etree._Element, style_names: dict[str, str]) -> str:
        props = run.find(_w("rPr"))
        if props is not None:
            align = props.find(_w("vertAlign"))
            char_style = props.find(_w("rStyle"))
            if align is not None and align.get(_w("val")) == "superscript":
                return ""  # an affiliation or note marker, not the value
            if char_style is not None and style_names.get(char_style.get(_w("val"), "")) \
                    == LABEL_STYLE:
                return ""
        out = []
        for node in run:
            if node.tag in (_w("t"), OMML_TEXT):
                out.append(node.text or "")
            elif node.tag in (_w("tab"), _w("br")):
                out.append(" ")
        return "".join(out)

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts).strip()

    def links(self, prefix: str) -> list[str]:
        """The texts of the links whose target contains `prefix`."""
        return [text for text, target in self.parts if prefix in target]

    def without_links(self, prefix: str) -> str:
        return "".join(text for text, target in self.parts if prefix not in target).strip()


def _style_names(archive: zipfile.ZipFile) -> dict[str, str]:
    if "word/styles.xml" not in archive.namelist():
        return {}
    root = parse_xml(archive.read("word/styles.xml"))
    names = {}
    for style in root.iter(_w("style")):
        name = style.find(_w("name"))
        names[style.get(_w("styleId"), "")] = (
            name.get(_w("val"), "") if name is not None else style.get(_w("styleId"), ""))
    return names


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    path = part.replace("word/", "word/_rels/") + ".rels"
    if path not in archive.namelist():
        return {}
    root = parse_xml(archive.read(path))
    return {rel.get("Id", ""): rel.get("Target", "") for rel in root}


@register("docx", lambda slug: f"{slug}.docx")
def read_docx(data: bytes, front: FrontMatter) -> Reading:
    """Each front-matter paragraph by its style; the rest of document.xml and the notes are
    the body; dc:title, dc:creator, cp:keywords and dc:description of docProps/core.xml."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = _style_names(archive)
    reading = Reading(body_slot="paragraphs in other styles, and the notes")
    reading.holds({name: (f"docProps/core.xml {tag}",) for tag, name in CORE.items()})
    body: list[str] = []
    abstract: list[str] = []
    for part in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
        if part not in archive.namelist():
            continue
        rels = _relationships(archive, part)
        root = parse_xml(archive.read(part))
        if part == "word/document.xml":
            reading.equations = sum(1 for _ in root.iter(f"{{{OMML}}}oMathPara"))
        for p in root.iter(_w("p")):
            paragraph = _Paragraph(p, names, rels)
            if paragraph.style == EQUATION_STYLE and part == "word/document.xml" and (
                    p.find(f".//{{{OMML}}}oMath") is not None):
                reading.equations = (reading.equations or 0) + 1
            kind = STYLES.get(paragraph.style) if part == "word/document.xml" else None
            slot = f"paragraph style {paragraph.style!r}"
            if kind is None:
                if paragraph.style not in LABELS:
                    body.append(paragraph.text)
                continue
            if kind == "abstract":
                abstract.append(paragraph.text)
                continue
            if kind == "author":  # the name, then the ORCID iD as a link
                reading.add(kind, slot, paragraph.without_links("orcid.org"))
                for orcid in paragraph.links("orcid.org"):
                    reading.add("orcid", f"{slot}, ORCID link", orcid)
                continue
            reading.add(kind, slot, paragraph.text)
            if kind == "author note":
                for email in paragraph.links("mailto:"):
                    reading.add("email", f"{slot}, mailto link", email)
    if abstract:
        reading.add("abstract", "paragraph style 'Abstract'", "\n\n".join(abstract))
    reading.body = "\n".join(body)
    if "docProps/core.xml" in archive.namelist():
        for element in parse_xml(archive.read("docProps/core.xml")):
            name = CORE.get(local(element.tag))
            if name:
                value = "".join(element.itertext()).strip()
                values = value.split("; ") if name in ("authors", "keywords") else [value]
                for item in values:
                    reading.add_catalogue(name, f"docProps/core.xml {local(element.tag)}", item)
    return reading
