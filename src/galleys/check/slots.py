"""What a slot reader gives back, and the registry of slot readers by edition."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter


@dataclass(frozen=True)
class Found:
    """One value read from one named place of an edition ("w:pStyle Title", "h1.title")."""

    slot: str
    value: str


@dataclass
class Reading:
    """An edition read back slot by slot.

    `front` maps a front-matter kind ("author", "abstract" …, as in FrontMatter.fields()) to
    the values found in that kind's slot, in order; `catalogue` maps a catalogue field
    ("title", "authors", "keywords", "abstract", "doi") to each metadata store that holds it
    and the values found there; `body` is the text of the article's body (the front matter
    left out where the edition sets it apart)."""

    front: dict[str, list[Found]] = field(default_factory=dict)
    catalogue: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    body: str | None = ""  # None: the edition has no body (a landing page)
    body_slot: str = ""  # where the body was read ("word/document.xml after the front matter")
    equations: int | None = None  # display formulas, where the edition marks them as such
    absent: frozenset[str] = frozenset()  # front-matter kinds this edition does not carry
    visual_order: bool = False  # values read in visual order (a PDF's right-to-left page)

    def add(self, kind: str, slot: str, value: str) -> None:
        self.front.setdefault(kind, []).append(Found(slot, value))

    def add_catalogue(self, name: str, slot: str, value: str) -> None:
        self.catalogue.setdefault(name, {}).setdefault(slot, []).append(value)

    def holds(self, stores: Mapping[str, tuple[str, ...]]) -> None:
        """Declare the metadata stores the edition's writer fills (catalogue field -> slots):
        a store missing from the file is then read as empty, not as not carried."""
        for name, slots in stores.items():
            for slot in slots:
                self.catalogue.setdefault(name, {}).setdefault(slot, [])


SlotReader = Callable[[bytes, "FrontMatter"], Reading]


@dataclass(frozen=True)
class Edition:
    """A readable edition: its name in the report, where its file is, and its reader."""

    name: str
    filename: Callable[[str], str]  # slug -> file name in the article's folder
    read: SlotReader

    def path(self, folder: Path, slug: str) -> Path:
        return folder / self.filename(slug)


_EDITIONS: dict[str, Edition] = {}


def register(name: str, filename: Callable[[str], str]) -> Callable[[SlotReader], SlotReader]:
    """Register the slot reader of an edition: `@register("pdf", lambda slug: f"{slug}.pdf")`.

    A new edition (JATS, an HTML full text …) plugs in with one decorated function; check
    reads every registered edition whose file the article's folder has."""

    def decorate(reader: SlotReader) -> SlotReader:
        _EDITIONS[name] = Edition(name, filename, reader)
        return reader

    return decorate


def editions() -> tuple[Edition, ...]:
    """Every registered edition, its reader module imported first."""
    from galleys.check import readers  # noqa: F401  (registers the built-in readers)

    return tuple(_EDITIONS.values())
