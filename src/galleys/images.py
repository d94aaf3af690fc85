"""The one rule for files an article names: inside its allowed root, never fetched, never odd.

The allowed root is the enclosing git work tree when the article is inside one (a JOSS paper in
`paper/` names `../docs/figures/x.pdf` of its own repository), else the article folder's parent
(a paper folder beside its figures folder). Anything that resolves outside the root, symlinks
followed, is not read: the editions show a placeholder instead, as for a remote image.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .errors import SourceError

MAX_NAME_BYTES = 255  # per path part, as most file systems allow
# Direction overrides and other invisible or control characters that disguise a name.
_DISGUISE = re.compile("[\x00-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class NotRead(SourceError):
    """An image the editions show as a placeholder: remote, or outside the allowed root.

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


@functools.lru_cache(maxsize=256)
def allowed_root(folder: Path) -> Path:
    """The folder an article in `folder` may read files from (see the module docstring)."""
    base = folder.resolve()
    for candidate in (base, *base.parents):
        if (candidate / ".git").exists():
            return candidate
    return base.parent


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
        raise NotRead(source, f"is outside {root}, the folder galleys may read files from",
                      "a file outside the folder galleys reads", path=article, line=line)
    try:
        found = path.is_file()
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}") from None
    if not found:
        raise error("does not exist")
    return path
