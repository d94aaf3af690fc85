"""XML text escaping, as xml.sax.saxutils.escape does it, without importing that module (it
pulls in urllib.request, http.client and email: ~25 ms of every build process's start)."""

from __future__ import annotations


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """`text` with &, > and < escaped, then each key of `entities` replaced by its value."""
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        text = text.replace(key, value)
    return text
