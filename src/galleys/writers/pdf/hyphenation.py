"""Hyphenation for the PDF edition: pyphen's dictionaries by language, never in protected words.

reportlab asks a style's `hyphenationLang` callable for break points of the one word that does
not fit at a line's end; the word arrives stripped of leading and trailing punctuation, and
reportlab only asks for words of Latin or Cyrillic letters (so URLs, DOIs, e-mail addresses and
numbers never reach it). Words set as code, link texts and cited or authors' names are
`protected`: they are never broken. A span in another language gets that language's soft
hyphens (U+00AD) in its words, which reportlab breaks at and otherwise drops.

In the text layer a break is the word's head, "-", then the rest on the next line: poppler's
pdftotext (galleys check's reader) joins it back into the whole word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import pyphen

SOFT_HYPHEN = "\u00ad"
MIN_WORD = 6  # letters: shorter words are never broken (reportlab's default is 5)
_WORD = re.compile(r"[^\W\d_]{" + str(MIN_WORD) + ",}")


@lru_cache(maxsize=32)
def dictionary(lang: str) -> pyphen.Pyphen | None:
    """pyphen's dictionary for a BCP 47 tag ("en", "de-CH", "pt_BR"), None when it has none."""
    tag = lang.replace("-", "_").strip()
    if not tag or pyphen.language_fallback(tag) is None:
        return None
    return pyphen.Pyphen(lang=tag, left=2, right=3)


class Hyphenator:
    """The `hyphenationLang` callable of the body styles: break points of one word, longest
    head first, none for a protected word or a language without a dictionary."""

    def __init__(self, lang: str, protected: Iterable[str] = ()) -> None:
        self.lang = lang
        self.protected = {word.casefold() for word in protected}
        self._dictionary = dictionary(lang)

    def __bool__(self) -> bool:
        return self._dictionary is not None

    def __call__(self, word: str) -> Iterator[tuple[str, str]]:
        if self._dictionary is None or len(word) < MIN_WORD:
            return iter(())
        if word.casefold() in self.protected or not word[1:].islower() and word[1:] != "":
            return iter(())  # a protected word, an acronym or a CamelCase name
        return self._dictionary.iterate(word)

    def protect(self, words: Iterable[str]) -> None:
        """Never break these words (code, names, link texts)."""
        self.protected.update(w.casefold() for w in words)


def soft_hyphens(text: str, lang: str) -> str:
    """`text` with soft hyphens at the break points of `lang` in every long word (a span in
    another language than its paragraph's); unchanged when pyphen has no dictionary for it."""
    found = dictionary(lang)
    if found is None:
        return text
    return _WORD.sub(lambda m: found.inserted(m.group(0), hyphen=SOFT_HYPHEN), text)


_PROTECTING = {"Code", "Cite", "Link"}
_LETTERS = re.compile(r"[^\W\d_]+")


def protected_words(blocks: Any) -> set[str]:
    """The words of a pandoc AST set as code, cited or linked: never hyphenated (a note inside
    them is not; a citation's notes and links are also walked as body text)."""
    out: set[str] = set()
    protecting: list[Any] = []  # the contents of code, citations and links
    body: list[Any] = [blocks]
    while body:  # a stack, not recursion: every node of the article passes here
        node = body.pop()
        if type(node) is list:
            body.extend(node)
        elif type(node) is dict:
            kind = node.get("t")
            if kind == "Str" or kind == "Space":
                continue
            if kind == "Code":
                out.update(_LETTERS.findall(node["c"][1]))
            elif kind in _PROTECTING:
                protecting.append(node.get("c"))
                if kind == "Cite":
                    body.append(node.get("c"))
            elif "c" in node:
                body.append(node["c"])
    while protecting:
        node = protecting.pop()
        if type(node) is list:
            protecting.extend(node)
        elif type(node) is dict:
            kind = node.get("t")
            if kind == "Str":
                out.update(_LETTERS.findall(node["c"]))
            elif kind == "Code":
                out.update(_LETTERS.findall(node["c"][1]))
            elif kind != "Note" and "c" in node:
                protecting.append(node["c"])
    return out
