"""Reads built editions back: the text a reader sees and the metadata a catalogue sees."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "opf": "http://www.idpf.org/2007/opf",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "custom": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
}
_BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "div",
    "section",
    "header",
    "footer",
    "blockquote",
    "dt",
    "dd",
    "tr",
    "figcaption",
    "aside",
    "br",
    "nav",
}
# soft hyphen, zero-width characters, and the bidi marks extractors add around right-to-left runs
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
             "\u2060\u2066\u2067\u2068\u2069\ufeff")
) | {0x2225: "\u2016"}  # TeX's \| (a norm): "∥" in pandoc's OMML, "‖" in MathML and the PDF


@dataclass
class Readback:
    """An edition as read back: its text (blocks joined by newlines) and metadata fields."""

    text: str
    metadata: dict[str, list[str]] = field(default_factory=dict)


def normalize(text: str) -> str:
    """Text for comparison: NFKC (ligatures, wide forms), invisible characters dropped, spaces
    collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def read_pdf(data: bytes) -> Readback:
    """The PDF's text as poppler's pdftotext reads it (the extractor that puts right-to-left
    runs in logical order), else pypdf's; and its Info dictionary."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = _pdftotext(data)
    if text is None:
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    info: Mapping[str, Any] = reader.metadata or {}
    metadata = {
        key.lstrip("/").lower(): [str(value)] for key, value in info.items() if value is not None
    }
    return Readback(text, metadata)


def _pdftotext(data: bytes) -> str | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def read_epub(data: bytes) -> Readback:
    archive = zipfile.ZipFile(io.BytesIO(data))
    container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
    rootfile = container.find(".//container:rootfile", NS)
    opf_path = rootfile.get("full-path") if rootfile is not None else None
    if not opf_path:
        raise ValueError("META-INF/container.xml names no package document")
    opf = ElementTree.fromstring(archive.read(opf_path))
    base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
    manifest = {item.get("id"): item for item in opf.iterfind(".//opf:manifest/opf:item", NS)}
    texts = []
    for itemref in opf.iterfind(".//opf:spine/opf:itemref", NS):
        item = manifest.get(itemref.get("idref"))
        href = item.get("href") if item is not None else None
        if item is None or href is None or "nav" in (item.get("properties") or "").split():
            continue
        if item.get("media-type") == "application/xhtml+xml":
            texts.append(_markup_text(archive.read(base + href)))
    metadata: dict[str, list[str]] = {}
    block = opf.find("opf:metadata", NS)
    for element in block if block is not None else []:
        if element.tag.startswith(f"{{{NS['dc']}}}"):
            name = element.tag.split("}")[1]
            metadata.setdefault(name, []).append("".join(element.itertext()).strip())
    return Readback("\n".join(texts), metadata)


def read_docx(data: bytes) -> Readback:
    archive = zipfile.ZipFile(io.BytesIO(data))
    document = ElementTree.fromstring(archive.read("word/document.xml"))
    paragraphs = []
    for paragraph in document.iter(_w("p")):
        parts = []
        for node in paragraph.iter():
            if node.tag in (_w("t"), _OMML_TEXT):  # a formula (OMML) reads as its text
                parts.append(node.text or "")
            elif node.tag in (_w("tab"), _w("br")):
                parts.append(" ")
        paragraphs.append("".join(parts))
    metadata: dict[str, list[str]] = {}
    if "docProps/core.xml" in archive.namelist():
        core = ElementTree.fromstring(archive.read("docProps/core.xml"))
        for element in core:
            name = element.tag.split("}")[1]
            metadata.setdefault(name, []).append("".join(element.itertext()).strip())
    if "docProps/custom.xml" in archive.namelist():
        custom = ElementTree.fromstring(archive.read("docProps/custom.xml"))
        for prop in custom:
            metadata.setdefault(prop.get("name", ""), []).append("".join(prop.itertext()).strip())
    return Readback("\n".join(paragraphs), metadata)


_OMML_TEXT = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"


def _w(tag: str) -> str:
    return f"{{{NS['w']}}}{tag}"


def _markup_text(data: bytes) -> str:
    """Text of an XHTML document with a newline at every block boundary."""
    root = ElementTree.fromstring(data)
    parts: list[str] = []

    def walk(element: ElementTree.Element) -> None:
        tag = element.tag.split("}")[-1]
        if tag in ("script", "style", "head"):
            return
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return re.sub(r"\n\s*\n+", "\n", "".join(parts)).strip()


READERS = {".pdf": read_pdf, ".epub": read_epub, ".docx": read_docx}
