"""The one rule for image references in an article: a file inside its folder, nothing else."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .errors import SourceError

MAX_NAME_BYTES = 255  # per path part, as most file systems allow
# Direction overrides and other invisible or control characters that disguise a name.
_DISGUISE = re.compile("[\x00-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def resolve_image(folder: Path, source: str, article: Path) -> Path:
    """The file `source` names, inside `folder`; else a SourceError naming `article`.

    URLs (http, https, file, …) are refused, never fetched; one level of percent-encoding is
    decoded, as a browser would; the result must resolve (links followed) inside the folder.
    """

    def error(reason: str) -> SourceError:
        return SourceError(f"image {source!r} {reason}", path=article)

    if urlsplit(source).scheme or source.startswith("//"):
        raise error("is not a file in the article folder (images are never fetched)")
    name = unquote(source)
    if _DISGUISE.search(name):
        raise error("has control or text-direction characters in its name")
    if any(len(part.encode("utf-8")) > MAX_NAME_BYTES for part in PurePosixPath(name).parts):
        raise error(f"has a name part over {MAX_NAME_BYTES} bytes")
    base = folder.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        raise error("is outside the article folder")
    try:
        found = path.is_file()
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}") from None
    if not found:
        raise error("does not exist")
    return path
