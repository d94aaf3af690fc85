"""Writing systems of text: script and direction per character and run, language -> direction."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# BCP 47 primary language subtags written right to left.
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ku-arab", "pa-arab", "ps", "sd",
     "syr", "ug", "ur", "yi"}
)
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})

# (first, last, script): the ranges galleys knows by name; anything else is found by its
# Unicode character name. "Zinh" marks combining characters, "Zyyy" common ones.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0300, 0x036F, "Zinh"), (0x0370, 0x03FF, "Grek"), (0x0400, 0x052F, "Cyrl"),
    (0x0590, 0x05FF, "Hebr"), (0x0600, 0x06FF, "Arab"), (0x0700, 0x074F, "Syrc"),
    (0x0750, 0x077F, "Arab"), (0x0780, 0x07BF, "Thaa"), (0x08A0, 0x08FF, "Arab"),
    (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"), (0x0B00, 0x0B7F, "Orya"), (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"), (0x0C80, 0x0CFF, "Knda"), (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Laoo"),
    (0x0F00, 0x0FFF, "Tibt"), (0x1000, 0x109F, "Mymr"), (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"), (0x1200, 0x139F, "Ethi"), (0x1780, 0x17FF, "Khmr"),
    (0x1AB0, 0x1AFF, "Zinh"), (0x1CD0, 0x1CFF, "Zinh"), (0x1DC0, 0x1DFF, "Zinh"),
    (0x1E00, 0x1EFF, "Latn"), (0x1F00, 0x1FFF, "Grek"), (0x20D0, 0x20FF, "Zinh"),
    (0x2E80, 0x2FDF, "Hani"), (0x3040, 0x309F, "Hira"), (0x30A0, 0x30FF, "Kana"),
    (0x3130, 0x318F, "Hang"), (0x31F0, 0x31FF, "Kana"), (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"), (0xA8E0, 0xA8FF, "Deva"), (0xAC00, 0xD7AF, "Hang"),
    (0xF900, 0xFAFF, "Hani"), (0xFB1D, 0xFB4F, "Hebr"), (0xFB50, 0xFDFF, "Arab"),
    (0xFE20, 0xFE2F, "Zinh"), (0xFE70, 0xFEFF, "Arab"), (0x20000, 0x3FFFF, "Hani"),
)
_BY_NAME = {"LATIN": "Latn", "GREEK": "Grek", "CYRILLIC": "Cyrl", "ARMENIAN": "Armn",
            "CJK": "Hani", "HIRAGANA": "Hira", "KATAKANA": "Kana", "HANGUL": "Hang"}

# Scripts whose letters change shape, join, reorder or stack: drawn through a text shaper.
COMPLEX_SCRIPTS = frozenset(
    {"Arab", "Hebr", "Syrc", "Thaa", "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu",
     "Knda", "Mlym", "Sinh", "Thai", "Laoo", "Tibt", "Mymr", "Khmr"}
)
CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang"})
INITIAL_SCRIPTS = frozenset({"Latn", "Grek", "Cyrl", "Zinh"})

# script -> (Debian package with a TrueType font for it, fontconfig language to look for).
# Noto CJK ships CFF outlines, which reportlab cannot embed: WenQuanYi Micro Hei is TrueType.
FONT_PACKAGES: dict[str, str] = {
    "Arab": "fonts-noto-core", "Hebr": "fonts-noto-core", "Deva": "fonts-noto-core",
    "Beng": "fonts-noto-core", "Guru": "fonts-noto-core", "Gujr": "fonts-noto-core",
    "Orya": "fonts-noto-core", "Taml": "fonts-noto-core", "Telu": "fonts-noto-core",
    "Knda": "fonts-noto-core", "Mlym": "fonts-noto-core", "Sinh": "fonts-noto-core",
    "Thai": "fonts-noto-core", "Laoo": "fonts-noto-core", "Geor": "fonts-noto-core",
    "Armn": "fonts-noto-core", "Ethi": "fonts-noto-core", "Khmr": "fonts-noto-core",
    "Mymr": "fonts-noto-core", "Syrc": "fonts-noto-core", "Thaa": "fonts-noto-core",
    "Tibt": "fonts-noto-core",
    "Hani": "fonts-wqy-microhei", "Hira": "fonts-wqy-microhei",
    "Kana": "fonts-wqy-microhei", "Hang": "fonts-wqy-microhei",
    "Latn": "fonts-dejavu-core", "Grek": "fonts-dejavu-core", "Cyrl": "fonts-dejavu-core",
    "Zinh": "fonts-dejavu-core", "Zyyy": "fonts-noto-core",
}


# Every character of bidirectional class R or AL lies in these blocks (Hebrew, Arabic, Syriac,
# Thaana, NKo … their presentation forms, and the historic right-to-left scripts).
_RTL_BLOCKS = re.compile(
    "[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff"
    "\U0001e800-\U0001efff]"
)


@dataclass(frozen=True)
class Run:
    """A stretch of text in one script (combining and common characters join their neighbours)."""

    script: str
    text: str


def script_of(char: str) -> str:
    """A four-letter ISO 15924 code for `char`: "Zinh" combining, "Zyyy" common (digits …)."""
    code = ord(char)
    if code < 0x80:
        return "Latn" if char.isalpha() else "Zyyy"
    for first, last, script in _RANGES:
        if first <= code <= last:
            return script
    if unicodedata.category(char).startswith("M"):
        return "Zinh"
    word = unicodedata.name(char, "").split(" ", 1)[0]
    if word in _BY_NAME:
        return _BY_NAME[word]
    return "Latn" if char.isalpha() and code < 0x250 else "Zyyy"


def runs(text: str) -> list[Run]:
    """`text` cut where the script changes; common and combining characters stay with the run."""
    out: list[Run] = []
    pending = ""  # leading common characters, before any script is known
    for char in text:
        script = script_of(char)
        if script in ("Zinh", "Zyyy"):
            if out:
                out[-1] = Run(out[-1].script, out[-1].text + char)
            else:
                pending += char
            continue
        if out and out[-1].script == script:
            out[-1] = Run(script, out[-1].text + char)
        else:
            out.append(Run(script, pending + char))
            pending = ""
    if pending:
        out.append(Run("Zyyy", pending))
    return out


def is_east_asian_name(text: str) -> bool:
    """Whether a name is in Chinese, Japanese or Korean script: written family name first."""
    scripts = {script_of(c) for c in text if c.isalpha()}
    return bool(scripts) and scripts <= CJK_SCRIPTS


def takes_initials(name: str) -> bool:
    """Whether a name is in Latin, Greek or Cyrillic letters: the scripts whose names citation
    styles invert ("Family, G.") and abbreviate to initials."""
    return all(script_of(c) in INITIAL_SCRIPTS for c in name if c.isalpha())


def needs_shaping(text: str) -> bool:
    """True when `text` holds a combining mark or a letter of a script that must be shaped."""
    if text.isascii():
        return False
    return any(ord(c) >= 0x0300 and (script_of(c) in COMPLEX_SCRIPTS
                                     or unicodedata.category(c) == "Mn") for c in text)


def char_direction(char: str) -> str:
    """"rtl", "ltr" or "" (neutral) from the character's bidirectional class."""
    kind = unicodedata.bidirectional(char)
    if kind in ("R", "AL"):
        return "rtl"
    if kind == "L":
        return "ltr"
    return ""


def direction(text: str, default: str = "") -> str:
    """The direction of the first strong character of `text` (Unicode rule P2), else `default`."""
    for char in text:
        found = char_direction(char)
        if found:
            return found
    return default


def has_rtl(text: str) -> bool:
    """True when `text` holds a right-to-left letter."""
    if text.isascii() or not _RTL_BLOCKS.search(text):  # the fast answers for most text
        return False
    return any(char_direction(c) == "rtl" for c in text)


def lang_direction(lang: str) -> str:
    """"rtl" for a BCP 47 tag of a right-to-left language or script (ur, az-Arab), else "ltr"."""
    parts = lang.strip().lower().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return "ltr"
    if any(p in _RTL_SCRIPTS for p in parts[1:] if len(p) == 4):
        return "rtl"
    if any(len(p) == 4 for p in parts[1:]):  # an explicit script that is not RTL: az-Latn
        return "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def font_package(char: str) -> str:
    """The Debian package whose fonts cover `char`'s script (for error messages and docs)."""
    if ord(char) >= 0x20000:  # CJK extensions B and later: beyond WenQuanYi
        return "fonts-hanazono"
    return FONT_PACKAGES.get(script_of(char), "fonts-noto-core")
