"""When a value read from an edition is the source's: the tolerances, each for a reason."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from galleys.check.readers.text import normalize
from galleys.scripts import has_rtl

_LIST_SEPARATOR = re.compile(r"\s*[;,]\s*")


def letters(text: str) -> str:
    """Letters, marks and digits only: what stays whatever the punctuation and spacing."""
    return "".join(c for c in normalize(text)
                   if c.isalnum() or unicodedata.category(c).startswith("M"))


def _squashed(text: str) -> str:
    """Without spaces and hyphens: a line a PDF joined, split or hyphenated reads alike (the
    text layer cannot tell "self-" + "contained" from "hy-" + "phenation")."""
    return text.replace(" ", "").replace("-", "").replace("\u2010", "")


def same(expected: str, found: str, *, kind: str = "", math: bool = False,
         visual: bool = False) -> bool:
    """`found` shows `expected`: equal once normalized (NFKC, invisible characters dropped,
    spaces collapsed), or equal without spaces and hyphens (a PDF line joined, split or
    hyphenated).
    Keywords are a set: a layout may reorder them. A value with a formula compares its letters
    and digits only (the formula's spacing and symbols are each edition's own rendering), as a
    multiset: a PDF's text layer has no order for a formula's stacked parts (a fraction's
    numerator above its denominator, a subscript below its superscript). One in a
    right-to-left script, or any read in `visual` order (a PDF's right-to-left page, whose
    runs of two directions come back as drawn), compares its letters as a multiset too."""
    want, have = normalize(expected), normalize(found)
    if want == have or _squashed(want) == _squashed(have):
        return True
    if kind == "keywords" and want and have:
        return set(_LIST_SEPARATOR.split(want)) == set(_LIST_SEPARATOR.split(have))
    if math and Counter(letters(want)) == Counter(letters(have)):
        return True
    return (has_rtl(want) or visual) and Counter(letters(want)) == Counter(letters(have))
