"""The one link policy of every edition, applied once to the AST in the resolve stage.

A link to `#id` of an element the article has, or to an `http`, `https`, `ftp`, `ftps`, `mailto`
or `tel` address is kept; `doi:10.x/y` becomes `https://doi.org/10.x/y`. Every other target,
such as a relative one (`/url`, `page.html`, `www.example.org`), an empty one, another scheme
or an id no element has (a citation of a key the bibliography lacks) means nothing in an
edition: its text is kept without a link, and one warning names them. A script or a local file
as a target (`javascript:`, `vbscript:`, `data:`, `file:`) is hostile, not a slip: an error.
The editions then link exactly what is left (`allowed` is the one test they share), none of
them with a rule of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from galleys.errors import SourceError
from galleys.pandoc_ast import Node, attr_of, has_attr, has_children, is_kind, make, with_content

KEPT_SCHEMES = ("http", "https", "ftp", "ftps", "mailto", "tel")
DOI_RESOLVER = "https://doi.org/"
HOSTILE_SCHEMES = ("javascript", "vbscript", "data", "file")
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # RFC 3986's reserved characters, and % (kept encodings)
_DOI = re.compile(r"^doi:\s*(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def allowed(url: str) -> bool:
    """Whether `url` may be a link in an edition: inside the article, or a kept scheme."""
    if url.startswith("#"):
        return len(url) > 1
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in KEPT_SCHEMES:
        return False
    return bool(parts.netloc if parts.scheme.lower() in ("http", "https", "ftp", "ftps")
                else parts.path)


def policy_target(url: str) -> str | None:
    """The target an edition links for `url` (a doi: made a web address, characters a URL
    cannot hold percent-encoded: a DOI with `<` in it), or None: no link."""
    url = url.strip()
    doi = _DOI.match(url)
    if doi:
        url = DOI_RESOLVER + doi.group(1)
    return quote(url, safe=_URL_SAFE) if allowed(url) else None


def element_ids(value: Any, found: set[str] | None = None) -> set[str]:
    """The ids of the elements in `value` (AST lists and nodes): what `#id` may link to."""
    found = set() if found is None else found
    if isinstance(value, list):
        for item in value:
            element_ids(item, found)
    elif has_children(value):
        if has_attr(value) and attr_of(value).ident:
            found.add(attr_of(value).ident)
        element_ids(value["c"], found)
    return found


def apply_link_policy(value: Any, unlinked: list[str], ids: set[str] | None = None,
                      source: Path | str | None = None) -> Any:
    """`value` (AST lists and nodes) with every Link made to obey the policy (with `ids`, a
    link to `#id` needs an element with that id); the targets left without a link are added
    to `unlinked`; a hostile one raises a SourceError naming `source`. Unchanged parts are the
    very same objects."""
    if isinstance(value, list):
        out: list[Any] = []
        changed = False
        for item in value:
            if is_kind(item, "Link"):
                new = _link(item, unlinked, ids, source)
                out.extend(new)
                changed = changed or len(new) != 1 or new[0] is not item
            else:
                new_item = apply_link_policy(item, unlinked, ids, source)
                out.append(new_item)
                changed = changed or new_item is not item
        return out if changed else value
    if has_children(value):
        return with_content(value, apply_link_policy(value["c"], unlinked, ids, source))
    if isinstance(value, dict) and "t" not in value:  # metadata: its values are AST
        meta = {k: apply_link_policy(v, unlinked, ids, source) for k, v in value.items()}
        return value if all(meta[k] is value[k] for k in value) else meta
    return value


def _link(node: Node, unlinked: list[str], ids: set[str] | None,
          source: Path | str | None) -> list[Node]:
    link_attr, text, (url, title) = node["c"]
    inlines = apply_link_policy(text, unlinked, ids, source)
    target = policy_target(url)
    if target and target.startswith("#") and ids is not None and target[1:] not in ids:
        target = None
    if target is not None:
        if target == url and inlines is text:
            return [node]
        return [make("Link", [link_attr, inlines, [target, title]])]
    scheme = url.strip().split(":", 1)[0].lower() if ":" in url else ""
    if scheme in HOSTILE_SCHEMES:
        raise SourceError(f"a link to a {scheme}: address is not allowed: {url[:60]!r}",
                          path=source)
    unlinked.append(url)
    if link_attr[0] or link_attr[1]:  # an id or classes: kept on a Span around the text
        return [make("Span", [link_attr, inlines])]
    return list(inlines)


def warning(source: object, unlinked: list[str]) -> str:
    """The one warning naming the targets left without a link."""
    shown = ", ".join(repr(u) for u in dict.fromkeys(unlinked))
    return (f"{source}: warning: {len(unlinked)} link(s) kept as text without a link (a "
            f"relative, empty or unsafe target, or an id no element has, means nothing in an "
            f"edition): {shown}")
