"""TrueType fonts for the PDF edition: discovery via fontconfig, registration, glyph coverage.

The text faces are DejaVu; a character they cannot draw (Arabic, Devanagari, CJK …) is set in
a fallback face found through fontconfig (`fc-list :charset=…`), Noto preferred, TrueType
outlines only (reportlab cannot embed CFF), so every face is embedded as a subset.
"""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFError

from .pdf_shaping import ShapingTTFont

VARIANTS = ("regular", "bold", "italic", "bolditalic")
ROLES = ("serif", "sans", "mono", "math")

# role -> (fontconfig family, styles per variant); "math" is TeX source in the oblique monospace.
_WANTED: dict[str, tuple[str, tuple[str, str, str, str]]] = {
    "serif": ("DejaVu Serif", ("Book", "Bold", "Italic", "Bold Italic")),
    "sans": ("DejaVu Sans", ("Book", "Bold", "Oblique", "Bold Oblique")),
    "mono": ("DejaVu Sans Mono", ("Book", "Bold", "Oblique", "Bold Oblique")),
}
_VERA = ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")


@dataclass(frozen=True)
class Face:
    """One registered TrueType face and the code points it can draw."""

    name: str  # the name registered with reportlab
    path: Path
    coverage: frozenset[int]


@dataclass(frozen=True)
class FontSet:
    """Every face the edition uses: role ("serif", …) -> variant ("bold", …) -> Face."""

    faces: dict[str, dict[str, Face]]
    _fallbacks: dict[tuple[str, bool], list[Face]] = field(default_factory=dict)

    def face(self, role: str, bold: bool = False, italic: bool = False) -> Face:
        return self.faces[role][variant(bold, italic)]

    def coverage_of(self, name: str) -> frozenset[int]:
        """The code points the face registered as `name` draws."""
        for role_faces in self.faces.values():
            for face in role_faces.values():
                if face.name == name:
                    return face.coverage
        for faces in self._fallbacks.values():
            for face in faces:
                if face.name == name:
                    return face.coverage
        return frozenset()

    def family(self, role: str) -> str:
        """The name reportlab knows the role's family by (its regular face)."""
        return self.faces[role]["regular"].name

    def covering(self, char: int, role: str, bold: bool, italic: bool) -> str | None:
        """The name of a face that draws `char`: the role's own, an installed fallback face
        for its script (fontconfig), another role's; None if no installed font has it."""
        key = variant(bold, italic)
        if char in self.faces[role][key].coverage:
            return self.faces[role][key].name
        kind = "sans" if role in ("sans", "mono", "math") else "serif"
        known = self._fallbacks.setdefault((kind, bold), [])
        for face in known:
            if char in face.coverage:
                return face.name
        found = _discover(char, kind, bold)
        if found is not None:
            known.append(found)
            return found.name
        for candidate in ROLES:
            if char in self.faces[candidate][key].coverage:
                return self.faces[candidate][key].name
        return None


def variant(bold: bool, italic: bool) -> str:
    return VARIANTS[(1 if bold else 0) + (2 if italic else 0)]


@functools.cache
def fonts() -> FontSet:
    """The registered font set (once a process): DejaVu via fontconfig, else reportlab's Vera."""
    faces: dict[str, dict[str, Face]] = {}
    vera = Path(reportlab.__file__).parent / "fonts"
    for role, (family, styles) in _WANTED.items():
        paths = [_fc_match(family, style) for style in styles]
        if any(p is None for p in paths):
            paths = [vera / name for name in _VERA]
        faces[role] = {key: _register(path) for key, path in zip(VARIANTS, paths, strict=True)}
    mono = faces["mono"]
    faces["math"] = {"regular": mono["italic"], "bold": mono["bolditalic"],
                     "italic": mono["italic"], "bolditalic": mono["bolditalic"]}
    for role_faces in faces.values():
        registerFontFamily(*(role_faces[key].name for key in ("regular", *VARIANTS)))
    return FontSet(faces)


def _fc_match(family: str, style: str) -> Path | None:
    """The TrueType file fontconfig picks for family:style, if it is really that family."""
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{family}", f"{family}:style={style}"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) < 2:
        return None
    path = Path(lines[0])
    families = [f.strip() for f in lines[1].split(",")]
    if path.suffix.lower() != ".ttf" or family not in families or not path.is_file():
        return None
    return path


@functools.cache
def _register(path: Path) -> Face:
    name = f"galleys-{path.stem}"
    font = ShapingTTFont(name, str(path))
    pdfmetrics.registerFont(font)
    coverage = frozenset(c for c, glyph in font.face.charToGlyph.items() if glyph)
    return Face(name, path, coverage)


# Fallback faces: families to avoid for running text, and style words that mean a variant.
_AVOID = re.compile(r"Nastaliq|Kufi|Rashi|Mono|Math|Display|\bUI\b|Emoji|Symbol|Looped", re.I)
_ODD_STYLE = re.compile(r"Condensed|Semi|Extra|Light|Thin|Black|Medium|Italic|Oblique|Narrow",
                        re.I)


@functools.cache
def _discover(char: int, kind: str, bold: bool) -> Face | None:
    """The best installed TrueType face that draws `char` (serif or sans, bold or not)."""
    try:
        result = subprocess.run(
            ["fc-list", f":charset={char:x}:fontformat=TrueType", "file", "family", "style"],
            capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    ranked = sorted((_rank(line, kind, bold), line) for line in result.stdout.splitlines()
                    if line.strip())
    for rank, line in ranked:
        if rank[0] > 1:
            break
        path = Path(line.split(":", 1)[0])
        if path.suffix.lower() not in (".ttf", ".ttc") or not path.is_file():
            continue
        try:
            face = _register_fallback(path)
        except (TTFError, OSError, ValueError, KeyError):
            continue
        if char in face.coverage:
            return face
    return None


def _rank(line: str, kind: str, bold: bool) -> tuple[int, int, int, int, str]:
    """Sort key for an `fc-list` line: usable first, then style, kind, Noto, name."""
    path, _, rest = line.partition(":")
    family = re.search(r"family=([^:]*)", rest)
    style = re.search(r"style=([^:]*)", rest)
    families = family.group(1) if family else rest.strip()
    styles = style.group(1) if style else ""
    usable = 2 if _AVOID.search(families) or _ODD_STYLE.search(styles) else 0
    is_bold = "Bold" in styles
    style_rank = 0 if is_bold == bold else 1
    if usable == 0 and style_rank and not bold:
        usable = 1  # a bold face for regular text: only when nothing else has the character
    wants = ("Serif", "Naskh") if kind == "serif" else ("Sans",)
    kind_rank = 0 if any(w in families for w in wants) else 1
    noto_rank = 0 if families.startswith("Noto") else 1
    return (usable, style_rank, kind_rank, noto_rank, families + path)


@functools.cache
def _register_fallback(path: Path) -> Face:
    """Register a fallback face as a family of its own, so <b>/<i> never swap it for another."""
    face = _register(path)
    registerFontFamily(face.name, normal=face.name, bold=face.name, italic=face.name,
                       boldItalic=face.name)
    return face
