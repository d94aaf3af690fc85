"""Bidi embedding levels for a line cut into pieces (UAX 9, rules W1-W7, N1-N2, I1-I2).

A piece is a word, a number, a space or a run of punctuation; it takes the class of its first
strong letter, else of its digits, else it is a separator or neutral. Explicit embeddings and
overrides are not used: galleys' sources cannot carry them (they are stripped on reading);
isolates are, where galleys sets a unit (an author's name, a keyword) in a line of others.
"""

from __future__ import annotations

import unicodedata

_STRONG = ("L", "R", "AL")
_NUMBER = ("EN", "AN")
_SEPARATOR = ("ES", "CS", "ET")
_INITIATORS = ("LRI", "RLI", "FSI")
ISOLATE_CONTROLS = "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate


def isolate(text: str) -> str:
    """`text` set apart in its line (FSI ... PDI): ordered by its own direction."""
    return f"{FSI}{text}{PDI}"


def piece_class(text: str) -> str:
    """L, R, AL, EN, AN, ES, CS, ET or ON: the bidi class that stands for the whole piece."""
    kinds = [unicodedata.bidirectional(char) for char in text]
    if len(kinds) == 1 and (kinds[0] in _INITIATORS or kinds[0] == "PDI"):
        return kinds[0]
    for kind in kinds:
        if kind in _STRONG:
            return kind
    for kind in kinds:
        if kind in _NUMBER:
            return kind
    found = {kind for kind in kinds if kind not in ("NSM", "BN")}
    if len(found) == 1:
        (kind,) = found
        return kind if kind in _SEPARATOR else "ON"
    return "ON"


def levels(classes: list[str], base: str) -> list[int]:
    """The embedding level of each piece of a line whose paragraph direction is `base`.

    LRI/RLI/FSI ... PDI pieces isolate what is between them (an author's name, a keyword):
    it is ordered by its own direction and moves as one neutral unit in the line.
    """
    return _isolating(classes, 1 if base == "rtl" else 0)


def isolate_direction(classes: list[str], initiator: str = "FSI") -> str:
    """The direction of an isolate: LRI/RLI say it, FSI takes the first strong class (P2)."""
    if initiator in ("LRI", "RLI"):
        return "ltr" if initiator == "LRI" else "rtl"
    depth = 0
    for kind in classes:
        if kind in _INITIATORS:
            depth += 1
        elif kind == "PDI" and depth:
            depth -= 1
        elif depth == 0 and kind in _STRONG:
            return "ltr" if kind == "L" else "rtl"
    return "ltr"


def _isolating(classes: list[str], level: int) -> list[int]:
    """Levels for `classes` set at embedding `level`, each isolate resolved on its own."""
    n = len(classes)
    outer: list[int] = []  # positions that take part in this level's sequence
    inner: list[tuple[int, int]] = []  # (first, end) of each isolate's content
    i = 0
    while i < n:
        outer.append(i)
        if classes[i] not in _INITIATORS:
            i += 1
            continue
        depth, j = 1, i + 1
        while j < n and depth:
            if classes[j] in _INITIATORS:
                depth += 1
            elif classes[j] == "PDI":
                depth -= 1
            j += 1
        end = j - 1 if depth == 0 else j
        inner.append((i + 1, end))
        if depth == 0:
            outer.append(end)
        i = j
    out = [level] * n
    kinds = ["ON" if classes[k] in _INITIATORS or classes[k] == "PDI" else classes[k]
             for k in outer]
    for k, found in zip(outer, _resolve(kinds, level), strict=True):
        out[k] = found
    for first, end in inner:
        content = classes[first:end]
        rtl = isolate_direction(content, classes[first - 1]) == "rtl"
        inner_level = level + 1 if (level + 1) % 2 == int(rtl) else level + 2
        out[first:end] = _isolating(content, inner_level)
    return out


def _resolve(classes: list[str], level: int) -> list[int]:
    """Rules W1-W7, N1-N2 and I1-I2 for one sequence without isolates."""
    edge = "R" if level % 2 else "L"
    types = list(classes)
    n = len(types)
    last = edge
    for i, kind in enumerate(types):  # W2, W3: EN after AL is AN; AL is R
        if kind in ("L", "R", "AL"):
            last = kind
        elif kind == "EN" and last == "AL":
            types[i] = "AN"
    types = ["R" if kind == "AL" else kind for kind in types]
    for i in range(1, n - 1):  # W4: one separator between two numbers of one kind
        before, after = types[i - 1], types[i + 1]
        if types[i] in ("ES", "CS") and before == after == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and before == after == "AN":
            types[i] = "AN"
    for i, kind in enumerate(types):  # W5: terminators next to a European number
        if kind == "ET" and _next_to(types, i, "ET", "EN"):
            types[i] = "EN"
    types = ["ON" if kind in ("ES", "CS", "ET") else kind for kind in types]  # W6
    last = edge
    for i, kind in enumerate(types):  # W7: EN after L is L
        if kind in ("L", "R"):
            last = kind
        elif kind == "EN" and last == "L":
            types[i] = "L"
    strong = ["R" if kind in ("EN", "AN") else kind for kind in types]
    for i, kind in enumerate(types):  # N1, N2: neutrals take their surroundings' direction
        if kind != "ON":
            continue
        before = next((strong[j] for j in range(i - 1, -1, -1) if strong[j] != "ON"), edge)
        after = next((strong[j] for j in range(i + 1, n) if strong[j] != "ON"), edge)
        types[i] = before if before == after else edge
    if level % 2 == 0:  # I1, I2
        return [level + {"L": 0, "R": 1}.get(kind, 2) for kind in types]
    return [level + {"R": 0}.get(kind, 1) for kind in types]


def _next_to(types: list[str], i: int, run: str, target: str) -> bool:
    """Whether the run of `run` types around position i touches a `target` type."""
    j = i
    while j >= 0 and types[j] == run:
        j -= 1
    k = i
    while k < len(types) and types[k] == run:
        k += 1
    return (j >= 0 and types[j] == target) or (k < len(types) and types[k] == target)
