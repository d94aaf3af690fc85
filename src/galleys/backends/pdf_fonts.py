"""TrueType fonts for the PDF edition: discovery via fontconfig, registration, glyph coverage."""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont

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

    def face(self, role: str, bold: bool = False, italic: bool = False) -> Face:
        return self.faces[role][variant(bold, italic)]

    def family(self, role: str) -> str:
        """The name reportlab knows the role's family by (its regular face)."""
        return self.faces[role]["regular"].name

    def covering(self, char: int, role: str, bold: bool, italic: bool) -> str | None:
        """The first role, starting with `role`, whose face draws `char`; None if none does."""
        key = variant(bold, italic)
        for candidate in (role, *(r for r in ROLES if r != role)):
            if char in self.faces[candidate][key].coverage:
                return candidate
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
    font = TTFont(name, str(path))
    pdfmetrics.registerFont(font)
    coverage = frozenset(c for c, glyph in font.face.charToGlyph.items() if glyph)
    return Face(name, path, coverage)
