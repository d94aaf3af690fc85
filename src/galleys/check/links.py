"""Internal links without a target — in an HTML page, or between and within an EPUB's
documents — as one finding each for `galleys check`."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from galleys.check.readers.text import local, parse_html, parse_xml

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def broken_links(folder: Path, slug: str) -> list[str]:
    """The findings for an article's built HTML edition and EPUB, each line naming its file."""
    found = []
    for suffix, reader in ((".html", html_broken_links), (".epub", epub_broken_links)):
        path = folder / f"{slug}{suffix}"
        if path.is_file():
            found += [f"{path}: {line}" for line in reader(path.read_bytes())]
    return found


def html_broken_links(data: bytes) -> list[str]:
    """Every link within the HTML page that points at no element of it."""
    return missing_targets({"": parse_html(data)})


def epub_broken_links(data: bytes) -> list[str]:
    """Every link between or within an EPUB's XHTML documents that points at no element."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        documents = {name: parse_xml(archive.read(name)) for name in archive.namelist()
                     if name.endswith((".xhtml", ".html"))}
    return missing_targets(documents)


def missing_targets(documents: Mapping[str, etree._Element]) -> list[str]:
    """Links to `#id` or `file#id` (relative to the linking document) whose document or element
    is not among `documents`, one line each: "doc: link '#x' ('its text') has no target". A
    link out (http:, mailto:) or to a page of the site without a fragment is not looked at."""
    ids = {name: {n.get("id") for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
           for name, root in documents.items()}
    problems = []
    for name, root in documents.items():
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for node in root.iter():
            href = (node.get("href") or "") if local(node.tag) == "a" else ""
            if not href or _SCHEME.match(href):
                continue
            file, _, fragment = href.partition("#")
            target = _join(folder, unquote(file)) if file else name
            where = f"{name or 'page'}: link {href!r} ({_shown(node)})"
            if file and target not in documents:
                if fragment:  # a site page (../index.html) is no document of this edition
                    problems.append(f"{where} names no document")
            elif fragment and unquote(fragment) not in ids[target]:
                problems.append(f"{where} has no target")
    return problems


def _join(folder: str, file: str) -> str:
    """`file` relative to `folder`, as a path inside the archive (`a/../b` is `b`)."""
    parts: list[str] = []
    for part in (folder + file).split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _shown(node: etree._Element) -> str:
    text = " ".join("".join(node.itertext()).split())
    return repr(text[:40]) if text else "no text"
