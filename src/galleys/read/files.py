"""The one rule for files an article names: inside its allowed root, never fetched, never odd.

The allowed root is the article folder's parent: a JOSS paper in `paper/` names
`../docs/figures/x.pdf` of its own repository, a journal article `source/<slug>/` may name a
file of `source/`. Anything that resolves outside it, symlinks followed, is not read: the
editions show a placeholder instead, as for a remote image. One level, not the enclosing git
work tree: a build copies each article's inputs (to hash them, and for a worker elsewhere)
with their layout, and one level up is what that copy can hold faithfully.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from galleys.errors import SourceError

MAX_NAME_BYTES = 255  # per path part, as most file systems allow
MAX_OUTSIDE_FILES = 200  # figures of the parent folder one article may name
# The extensions pdflatex tries, in its order, for a name without one (\DeclareGraphicsExtensions).
LATEX_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".svg", ".PDF", ".PNG", ".JPG", ".JPEG", ".SVG")
FIGURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff",
                             ".svg", ".pdf"})
# Direction overrides and other invisible or control characters that disguise a name.
_DISGUISE = re.compile("[\x00-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A name going up from the article folder, as written anywhere in the source ("](../docs/x.pdf)",
# "{../figures/x}"); a candidate only: what the editions embed is decided by the parsed body.
_UPWARD = re.compile(r"(?<![\w.])(?:\./)*(\.\./[^\s()\[\]{}<>\"'|,;]+)")


class NotRead(SourceError):
    """An image the editions show as a placeholder: remote, outside the allowed root, or in a
    format no edition shows.

    The resolve stage turns it into a warning; it is an error only where it escapes that check.
    """

    def __init__(self, source: str, reason: str, label: str, url: str = "", *,
                 path: Path | None = None, line: int | None = None) -> None:
        super().__init__(f"image {source!r} {reason}", path=path, line=line)
        self.label = label  # for the placeholder: "a remote image, never fetched"
        self.url = url  # the web address to link the placeholder to ("" when there is none)


def is_remote(source: str) -> bool:
    """Whether `source` is an address (http:, file:, data:, //host …) rather than a file name."""
    return bool(urlsplit(source).scheme) or source.startswith("//")


def allowed_root(folder: Path) -> Path:
    """The folder an article in `folder` may read files from (see the module docstring); never
    the file system's root, so a paper in /paper/ reads only its own folder."""
    base = folder.resolve()
    return base if base.parent == base.parent.parent else base.parent


def is_inside_root(path: str, article: Path) -> bool:
    """Whether the real path `path` is inside the allowed root of `article`'s folder."""
    return Path(path).is_relative_to(allowed_root(article.parent))


def readable_link(path: str, article: Path) -> bool:
    """Whether a link in `article`'s folder leading to the real path `path` is a figure file
    the article may read (a build's copy then holds the file itself)."""
    return (is_inside_root(path, article) and Path(path).suffix.lower() in FIGURE_SUFFIXES
            and os.path.isfile(path))


def outside_files(article: Path) -> list[tuple[str, str]]:
    """The figure files in the parent folder that `article`'s text names (with a LaTeX suffix
    added where a name has none): (their name from the article folder, "../…"; their path),
    sorted."""
    try:
        text = article.read_text("utf-8", errors="replace")
    except OSError:
        return []
    if "../" not in text:
        return []
    base = article.parent.resolve()
    root = allowed_root(base)
    if root == base:
        return []
    found: dict[str, str] = {}
    for written in sorted(set(_UPWARD.findall(text))):
        name = unquote(written).rstrip(".")
        tries = [name] if PurePosixPath(name).suffix.lower() in FIGURE_SUFFIXES else [
            name + suffix for suffix in LATEX_SUFFIXES]
        for candidate in tries:
            try:
                path = (base / candidate).resolve()
                usable = (path.is_relative_to(root) and not path.is_relative_to(base)
                          and path.suffix.lower() in FIGURE_SUFFIXES and path.is_file())
            except (OSError, ValueError):
                continue
            if not usable:
                continue
            relative = path.relative_to(root).as_posix()
            if not any(part.startswith(".") for part in relative.split("/")):
                found["../" + relative] = os.fspath(path)
                break
        if len(found) >= MAX_OUTSIDE_FILES:
            break
    return sorted(found.items())


def resolve_image(folder: Path, source: str, article: Path, line: int | None = None) -> Path:
    """The file `source` names, inside the allowed root of `folder`.

    An address (http, https, file, …) or a path outside the root raises NotRead; a disguised
    name or a missing file raises a SourceError naming `article` and `line`. One level of
    percent-encoding is decoded, as a browser would.
    """

    def error(reason: str) -> SourceError:
        return SourceError(f"image {source!r} {reason}", path=article, line=line)

    if is_remote(source):
        scheme = urlsplit(source).scheme.lower()
        url = source if scheme in ("http", "https") else ""
        raise NotRead(source, "is a remote address (images are never fetched)",
                      "a remote image, never fetched", url, path=article, line=line)
    name = unquote(source)
    if _DISGUISE.search(name):
        raise error("has control or text-direction characters in its name")
    if any(len(part.encode("utf-8")) > MAX_NAME_BYTES for part in PurePosixPath(name).parts):
        raise error(f"has a name part over {MAX_NAME_BYTES} bytes")
    root = allowed_root(folder)
    path = (folder.resolve() / name).resolve()
    if not path.is_relative_to(root):
        raise NotRead(source, "is outside the article folder's parent, the folder galleys may "
                      "read files from", "a file outside the folder galleys reads", path=article,
                      line=line)
    try:
        found = path.is_file()
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}") from None
    if not found:
        raise error("does not exist")
    return path
