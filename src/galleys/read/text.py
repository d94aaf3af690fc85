"""Reading a source file as text: UTF-8 with its byte offset on error, BOM, CRLF, control chars."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from galleys.errors import InputMissingError, SourceError

MAX_SOURCE_BYTES = 5_000_000  # ~800,000 words: far beyond any article
# C0 controls but tab and newline, DEL, and C1 controls: they corrupt XML-based editions.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def read_text(path: Path, warn: Callable[[str], None]) -> str:
    """The file's text with a BOM dropped, line ends as \\n and control characters removed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputMissingError("no such file", path=path) from None
    except OSError as exc:
        raise InputMissingError(f"cannot read: {exc.strerror}", path=path) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"file is over {MAX_SOURCE_BYTES // 1_000_000} MB", path=path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not valid UTF-8 at byte offset {exc.start}", path=path, line=line
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        count = len(CONTROL.findall(text))
        warn(
            f"{path}:{line}: warning: removed {count} control character(s) such as "
            f"U+{ord(found.group()):04X}"
        )
        text = CONTROL.sub("", text)
    return text
