"""Opens a DOCX defensively: safe entry names, bounded size (zip bombs), no DTDs or entities."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree

from galleys.errors import InputMissingError, SourceError

MAX_FILE_BYTES = 100_000_000  # the .docx itself
MAX_ENTRIES = 5_000
MAX_TOTAL_BYTES = 300_000_000  # all parts uncompressed together
XML_SUFFIXES = (".xml", ".rels", ".vml")
DOCUMENT_PART = "word/document.xml"

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")


def read_package(
    path: Path,
    *,
    max_entries: int = MAX_ENTRIES,
    max_total: int = MAX_TOTAL_BYTES,
) -> dict[str, bytes]:
    """Every part of the DOCX at `path` by name, each checked; raise SourceError if unsafe."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputMissingError("no such file", path=path) from None
    except OSError as exc:
        raise InputMissingError(f"cannot read: {exc.strerror}", path=path) from None
    if size > MAX_FILE_BYTES:
        raise SourceError(f"file is over {MAX_FILE_BYTES // 1_000_000} MB", path=path)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _read_entries(archive, path, max_entries, max_total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise SourceError(f"not a readable DOCX (zip) file: {exc}", path=path) from None
    except OSError as exc:
        raise InputMissingError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if DOCUMENT_PART not in parts:
        raise SourceError(f"not a Word document: it has no {DOCUMENT_PART}", path=path)
    for name, data in parts.items():
        if name.lower().endswith(XML_SUFFIXES):
            parse_xml(data, name, path)  # refuses DTDs and entities, checks well-formedness
    return parts


def _read_entries(
    archive: zipfile.ZipFile, path: Path, max_entries: int, max_total: int
) -> dict[str, bytes]:
    infos = archive.infolist()
    if len(infos) > max_entries:
        raise SourceError(
            f"the zip has {len(infos)} entries, over the limit of {max_entries}", path=path
        )
    declared = 0
    for info in infos:
        _check_name(info.filename, path)
        if info.flag_bits & 0x1:
            raise SourceError(f"zip entry {info.filename!r} is encrypted", path=path)
        declared += info.file_size
    if declared > max_total:
        raise SourceError(
            f"the zip unpacks to {declared} bytes, over the limit of {max_total} (a zip bomb?)",
            path=path,
        )
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        if info.filename in parts:
            raise SourceError(f"zip entry {info.filename!r} occurs twice", path=path)
        with archive.open(info) as handle:  # zipfile stops at the declared size, checks CRC
            data = handle.read(info.file_size + 1)
        total += len(data)
        if len(data) > info.file_size or total > max_total:
            raise SourceError(
                f"zip entry {info.filename!r} unpacks to more than it declares", path=path
            )
        parts[info.filename] = data
    return parts


def _check_name(name: str, path: Path) -> None:
    """Refuse absolute names, `..` segments, backslashes, drive letters and control characters."""
    segments = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or _DRIVE.match(name)
        or any(segment in ("..", ".") for segment in segments)
        or any(ord(char) < 32 for char in name)
    ):
        raise SourceError(f"unsafe zip entry name {name!r}", path=path)


def parse_xml(data: bytes, name: str, path: Path) -> etree._Element:
    """Parse one XML part without DTDs, entities or network; raise SourceError otherwise."""
    # NUL bytes removed, the check also sees UTF-16 and UTF-32 text, before any parser does.
    if _DECLARATION.search(data.replace(b"\x00", b"")):
        raise SourceError(
            f"{name}: a DTD or entity declaration is not allowed in a DOCX", path=path
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{name}: not well-formed XML: {exc}", path=path) from None
    if root is None:
        raise SourceError(f"{name}: empty XML part", path=path)
    return root


def repack(parts: dict[str, bytes], leave_out: tuple[str, ...] = ()) -> bytes:
    """A new zip holding only the checked `parts` (minus `leave_out`): what pandoc reads."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name not in leave_out:
                archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    return out.getvalue()
