"""Splitting personal names written as one string into citation parts, honorific apart."""

from __future__ import annotations

import re

from galleys.scripts import is_east_asian_name

HONORIFICS = (
    "Prof. Dr.",
    "Prof.",
    "Professor",
    "Dr.",
    "Dr",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mx.",
    "Sir",
    "Dame",
    "Engr.",
)
_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "del",
    "della",
    "di",
    "da",
    "du",
    "dos",
    "das",
    "la",
    "le",
    "ten",
    "ter",
    "af",
    "zu",
    "bin",
    "binti",
    "al",
    "el",
}
_SUFFIXES = {"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"}


def split_honorific(name: str) -> tuple[str, str]:
    """("Dr.", "Salma Malik") from "Dr. Salma Malik"; ("", name) when there is none."""
    stripped = name.strip()
    for honorific in HONORIFICS:
        if re.match(re.escape(honorific) + r"\s+\S", stripped):
            return honorific, stripped[len(honorific) :].strip()
    return "", stripped


def split_name(name: str, family_first: bool = False) -> dict[str, str]:
    """CSL name parts from "Given Family", "Family, Given" or "Given van Family, Jr.".

    Chinese, Japanese and Korean names are written family name first ("山田 太郎"), and so are
    all names when `family_first` (an article in Vietnamese or Hungarian: "Nguyễn Văn An").
    """
    name = " ".join(name.split())
    if (family_first and "," not in name) or is_east_asian_name(name):
        family, _, given = name.partition(" ")
        return {"family": family, "given": given} if given else {"literal": family}
    suffix = ""
    if "," in name:
        head, _, tail = name.partition(",")
        tail = tail.strip()
        if tail in _SUFFIXES:
            name, suffix = head.strip(), tail
        else:  # "Family, Given"
            family_words = head.split()
            particle_words = []
            while len(family_words) > 1 and family_words[0].lower() in _PARTICLES:
                particle_words.append(family_words.pop(0))
            return _parts(tail, " ".join(family_words), " ".join(particle_words), suffix)
    words = name.split()
    if words and words[-1] in _SUFFIXES and len(words) > 2:
        suffix = words.pop()
    if len(words) == 1:
        return {"literal": words[0]}
    family_start = len(words) - 1
    while family_start > 1 and words[family_start - 1].lower() in _PARTICLES:
        family_start -= 1
    given_words = words[:family_start]
    rest = words[family_start:]
    particle_words = []
    while len(rest) > 1 and rest[0].lower() in _PARTICLES:
        particle_words.append(rest.pop(0))
    return _parts(" ".join(given_words), " ".join(rest), " ".join(particle_words), suffix)


def _parts(given: str, family: str, particle: str, suffix: str) -> dict[str, str]:
    parts = {"given": given, "family": family, "particle": particle, "suffix": suffix}
    return {k: v for k, v in parts.items() if v}
