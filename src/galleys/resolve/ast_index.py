"""One pass over the body's pandoc AST: how deep it nests, its words, and its element ids.

Three editions used to walk the tree for these, each in its own generic way (~60 ms for a
4,000-word article); this walk knows pandoc's node shapes and takes ~2 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from galleys.pandoc_ast import ATTR_AT

MAX_DEPTH = 100  # blocks and inlines inside each other; every edition recurses per level


@dataclass(frozen=True)
class BodyIndex:
    """What one walk found, per top-level block: its words and its (kind, id) pairs."""

    depth: int  # nodes inside nodes, counted from a top-level block (1)
    words: tuple[int, ...]  # Str nodes
    ids: tuple[tuple[tuple[str, str], ...], ...]

    def words_in(self, numbers: range | list[int]) -> int:
        return sum(self.words[n] for n in numbers)

    def ids_in(self, numbers: range | list[int], kinds: dict[str, int] | None = None
               ) -> list[str]:
        """The ids inside these top-level blocks (of these node kinds), in document order."""
        return [ident for n in numbers for kind, ident in self.ids[n]
                if kinds is None or kind in kinds]


def index_body(blocks: list[dict[str, Any]], max_depth: int) -> BodyIndex:
    """Walk `blocks` once; below `max_depth` it stops descending (the caller refuses such a
    body), so a hostile nesting cannot exhaust the stack."""
    words = 0
    deepest = 0
    found: list[tuple[str, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        nonlocal words, deepest
        if depth > deepest:
            deepest = depth
            if depth > max_depth:
                return
        for item in items:
            if type(item) is dict:
                kind = item.get("t")  # a Cite's citation records have none: skipped
                if kind == "Str":
                    words += 1
                    continue
                content = item.get("c")
                if type(content) is not list:
                    continue
                at = ATTR_AT.get(kind) if kind is not None else None
                if at is not None and kind is not None and content[at][0]:
                    found.append((kind, content[at][0]))
                walk(content, depth + 1)
            elif type(item) is list:
                walk(item, depth)

    ids = []
    counts = []
    for block in blocks:
        found, words = [], 0
        walk([block], 1)
        ids.append(tuple(found))
        counts.append(words)
    return BodyIndex(deepest, tuple(counts), tuple(ids))
