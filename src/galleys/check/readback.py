"""Built editions read back whole: all the text a reader sees and the metadata a catalogue sees.

(`galleys check` reads each element from its own slot, check/readers/; tests of the writers
use these whole-text readings.)"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from galleys.check.readers.text import block_text, normalize, parse_xml

__all__ = ["READERS", "Readback", "normalize", "read_docx", "read_epub", "read_pdf"]
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
@dataclass
class Readback:
    """An edition as read back: its text (blocks joined by newlines) and metadata fields."""

    text: str
    metadata: dict[str, list[str]] = field(default_factory=dict)


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
            texts.append(block_text(parse_xml(archive.read(base + href))))
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


READERS = {".pdf": read_pdf, ".epub": read_epub, ".docx": read_docx}
