"""The one registry of edition backends, imported lazily so `galleys --help` stays fast.

A backend turns a resolved article and its front matter into the bytes of one edition; it never
writes to dist/ itself (build.py delivers the bytes).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeGuard

from galleys.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle

PAPER_SIZES = ("a4", "letter")


@dataclass(frozen=True)
class RenderOptions:
    """Settings shared by every backend."""

    source_date_epoch: int  # every timestamp inside an edition comes from this
    paper: str = "a4"
    strict: bool = False  # warnings become errors
    draft: bool = False  # PDF for review: line numbers in the margin and a light DRAFT mark


class Backend(Protocol):
    name: ClassVar[str]
    suffix: ClassVar[str]
    media_type: ClassVar[str]

    def render(
        self, resolved: ResolvedArticle, front: FrontMatter, options: RenderOptions
    ) -> bytes | None: ...

    # None: the article has no such file (the Crossref deposit of an article without a DOI).
    # A backend may also have `warnings`, `notes` ("FILE: note: …", shown with -v) and `files`:
    # (name, media type, bytes) of files its edition names, written beside it.


class ExternalBackend(Backend, Protocol):
    """A backend whose work is mostly pandoc's: prepare() does render's own part and returns
    the rest (the conversion) for a thread to run."""

    external: ClassVar[bool]

    def prepare(
        self, resolved: ResolvedArticle, front: FrontMatter, options: RenderOptions
    ) -> Callable[[], bytes]: ...


def is_external(backend: Backend) -> TypeGuard[ExternalBackend]:
    """Whether `backend` has `external = True` and prepare()."""
    return bool(getattr(backend, "external", False))


# name -> "module:Class". A format is listed here only once its backend exists.
_REGISTRY: dict[str, str] = {
    "pdf": "pdf.edition:PdfBackend",
    "epub": "epub.edition:EpubBackend",
    "docx": "docx.edition:DocxBackend",
    "jats": "jats:JatsWriter",
    "crossref": "crossref_deposit:CrossrefWriter",
    "html": "html.edition:HtmlBackend",
}


def names() -> tuple[str, ...]:
    """The known format names, in build order."""
    return tuple(_REGISTRY)


def get(name: str) -> Backend:
    """The backend for `name`; an unknown name is a usage error that lists the known ones."""
    if name not in _REGISTRY:
        known = ", ".join(names()) or "none yet"
        raise UsageError(f"unknown format {name!r} (known: {known})")
    module_name, _, class_name = _REGISTRY[name].partition(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, class_name)()


def parse_formats(text: str | None) -> tuple[str, ...]:
    """Formats from "pdf,epub" (None or "all": every registered one), each checked."""
    if text is None or text == "all":
        return names()
    wanted = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    for name in wanted:
        if name not in _REGISTRY:
            get(name)  # raises with the list
    return wanted
