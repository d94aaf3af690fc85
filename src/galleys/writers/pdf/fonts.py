"""TrueType fonts for the PDF edition: discovery via fontconfig, registration, glyph coverage.

The text faces are DejaVu unless the source names its own (`fonts:` in journal.yaml or the
article); a character they cannot draw (Arabic, Devanagari, CJK …) is set in the source's
fallback families, else in a face found through fontconfig (`fc-list :charset=…`), Noto
preferred, TrueType outlines only (reportlab cannot embed CFF), so every face is embedded as a
subset.
"""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import reportlab
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFError

from galleys.errors import SourceError
from galleys.model import FontChoice, FontFamily
from galleys.writers.pdf.formulas import math_font_path
from galleys.writers.pdf.reportlab_overrides import register_font, reportlab_find_font
from galleys.writers.pdf.shaping import ShapingTTFont

VARIANTS = ("regular", "bold", "italic", "bolditalic")
ROLES = ("serif", "sans", "mono", "math")

# role -> (fontconfig family, styles per variant); "math" is STIX Two Math (pdf_math).
_WANTED: dict[str, tuple[str, tuple[str, str, str, str]]] = {
    "serif": ("DejaVu Serif", ("Book", "Bold", "Italic", "Bold Italic")),
    "sans": ("DejaVu Sans", ("Book", "Bold", "Oblique", "Bold Oblique")),
    "mono": ("DejaVu Sans Mono", ("Book", "Bold", "Oblique", "Bold Oblique")),
}
_VERA = ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")
# variant -> fontconfig pattern properties, for a family the source names.
_PATTERNS = {
    "regular": "weight=regular:slant=roman",
    "bold": "weight=bold:slant=roman",
    "italic": "weight=regular:slant=italic",
    "bolditalic": "weight=bold:slant=italic",
}


@dataclass(frozen=True)
class Face:
    """One TrueType face and the code points it can draw. A default face is read from its file
    and registered with reportlab the first time it is needed: an article draws with five of
    the twelve, and reportlab parses a face in ~25 ms."""

    name: str  # the name registered with reportlab
    path: Path

    @property
    def coverage(self) -> frozenset[int]:
        return _loaded(self.name, self.path)[1]


@dataclass(frozen=True)
class FontSet:
    """Every face the edition uses: role ("serif", …) -> variant ("bold", …) -> Face."""

    faces: dict[str, dict[str, Face]]
    preferred: tuple[tuple[Face, Face], ...] = ()  # the source's fallbacks: (regular, bold)
    _fallbacks: dict[tuple[str, bool], list[Face]] = field(default_factory=dict)

    def face(self, role: str, bold: bool = False, italic: bool = False) -> Face:
        return self.faces[role][variant(bold, italic)]

    def coverage_of(self, name: str) -> frozenset[int]:
        """The code points the face registered as `name` draws."""
        for role_faces in self.faces.values():
            for face in role_faces.values():
                if face.name == name:
                    return face.coverage
        for faces in (*self.preferred, *self._fallbacks.values()):
            for face in faces:
                if face.name == name:
                    return face.coverage
        return frozenset()

    def family(self, role: str) -> str:
        """The name reportlab knows the role's family by (its regular face)."""
        return self.faces[role]["regular"].name

    def covering(self, char: int, role: str, bold: bool, italic: bool) -> str | None:
        """The name of a face that draws `char`: the role's own, the source's fallback
        families in order, an installed fallback face for its script (fontconfig), another
        role's; None if no installed font has it."""
        key = variant(bold, italic)
        if char in self.faces[role][key].coverage:
            return self.faces[role][key].name
        for regular, heavy in self.preferred:
            for face in (heavy, regular) if bold else (regular,):
                if char in face.coverage:
                    return face.name
        kind = "sans" if role in ("sans", "mono", "math") else "serif"
        known = self._fallbacks.setdefault((kind, bold), [])
        for face in known:
            if char in face.coverage:
                return face.name
        found = _discover(char, kind, bold)
        if found is not None:
            known.append(found)
            if all(found.name != f.name for faces in self.faces.values() for f in faces.values()):
                _single_family(found.name)  # again: another article may have mapped it
            return found.name
        for candidate in ROLES:
            if char in self.faces[candidate][key].coverage:
                return self.faces[candidate][key].name
        return None


def variant(bold: bool, italic: bool) -> str:
    return VARIANTS[(1 if bold else 0) + (2 if italic else 0)]


def fonts(choice: FontChoice | None = None) -> FontSet:
    """A new font set for one article: the families `choice` names, else DejaVu via fontconfig,
    else reportlab's Vera. A named family that is not installed as TrueType is a SourceError
    pointing at the line that names it."""
    choice = choice or FontChoice()
    faces = dict(default_faces())
    for role in _WANTED:
        family: FontFamily | None = getattr(choice, role)
        if family is not None:
            faces[role] = {key: _family_face(family, key) for key in VARIANTS}
    math = _lazy(math_font_path())  # STIX Two Math, one face for every variant
    faces["math"] = dict.fromkeys(VARIANTS, math)
    preferred = tuple((_family_face(f, "regular"), _family_face(f, "bold"))
                      for f in choice.fallback)
    # reportlab's family table is global: set this article's mappings before it is laid out.
    role_names = {face.name for role_faces in faces.values() for face in role_faces.values()}
    for name in sorted({face.name for pair in preferred for face in pair} - role_names):
        _single_family(name)
    for role_faces in faces.values():
        registerFontFamily(*(role_faces[key].name for key in ("regular", *VARIANTS)))
    return FontSet(faces, preferred)


def _single_family(name: str) -> None:
    """Map the face as a family of its own, so <b>/<i> never swap it for another."""
    registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)


@functools.cache
def default_faces() -> dict[str, dict[str, Face]]:
    """The built-in text faces (found once a process): DejaVu via fontconfig, else Vera."""
    faces: dict[str, dict[str, Face]] = {}
    vera = Path(reportlab.__file__).parent / "fonts"
    wanted = [(family, style) for family, styles in _WANTED.values() for style in styles]
    matched = {pair: _fc_match(*pair) for pair in wanted}
    for role, (family, styles) in _WANTED.items():
        found = [matched[family, style] for style in styles]
        paths = [p for p in found if p is not None]
        if len(paths) < len(found):
            paths = [vera / name for name in _VERA]
        faces[role] = {key: _lazy(path) for key, path in zip(VARIANTS, paths, strict=True)}
    return faces


def load_common_faces() -> None:
    """Read the default faces nearly every article draws with (text in serif regular, italic
    and bold; headings and running heads in sans), e.g. in a build's warm-up; the others are
    read when first needed."""
    faces = default_faces()
    for role, key in (("serif", "regular"), ("serif", "italic"), ("serif", "bold"),
                      ("sans", "regular"), ("sans", "bold")):
        _ = faces[role][key].coverage


def _family_face(family: FontFamily, key: str) -> Face:
    """The registered face fontconfig picks for the named family in this variant."""

    def error(message: str) -> SourceError:
        return SourceError(message, path=family.path, line=family.line, key=family.key)

    found = _match_family(family.name, key)
    if found is None:
        raise error(f"cannot look up font family {family.name!r}: fontconfig (fc-match) "
                    "is not installed")
    path, families, outlines, index = found
    if family.name.casefold() not in families:
        raise error(f"no installed font family {family.name!r} (fc-list : family lists them)")
    if outlines != "TrueType":
        raise error(f"font family {family.name!r} has {outlines or 'unknown'} outlines "
                    f"({path}); the PDF can embed only TrueType outlines: install a .ttf version")
    if index not in ("", "0"):
        raise error(f"font family {family.name!r} is face {index} of the collection {path}; "
                    "only a collection's first face can be embedded")
    try:
        return _register(path)
    except (TTFError, OSError, ValueError, KeyError) as exc:
        raise error(f"cannot embed font family {family.name!r} ({path}): {exc}") from None


_Match = tuple[Path, frozenset[str], str, str]


@functools.cache
def _match_family(name: str, key: str) -> _Match | None:
    """fontconfig's pick for family `name` in variant `key`, its TrueType files preferred:
    the file, its family names (case folded), outline format and collection index; None
    without fontconfig."""
    pattern = re.sub(r"([\\:,=-])", r"\\\1", name) + ":" + _PATTERNS[key]
    found = _fc_pick(pattern + ":fontformat=TrueType")
    if found is not None and name.casefold() in found[1]:
        return found
    return _fc_pick(pattern)  # what there is, for the error message


def _fc_pick(pattern: str) -> _Match | None:
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{family}\n%{fontformat}\n%{index}", pattern],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) < 4:
        return None
    families = frozenset(f.strip().casefold() for f in lines[1].split(","))
    return Path(lines[0]), families, lines[2].strip(), lines[3].strip()


def _fc_match(family: str, style: str) -> Path | None:
    """The TrueType file of `family` whose first style name is `style`, if installed."""
    path = _installed_faces().get((family, style))
    return path if path is not None and path.is_file() else None


@functools.cache
def _installed_faces() -> dict[tuple[str, str], Path]:
    """(family, first style name) -> .ttf file of every installed TrueType face: one fc-list
    (twelve fc-match processes took ~40 ms). A face named in several families (DejaVu Sans
    Condensed is also "DejaVu Sans") is told apart by its first style ("Condensed Bold")."""
    try:
        result = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{family}\t%{style}\n", ":fontformat=TrueType"],
            capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[tuple[str, str], Path] = {}
    for line in sorted(result.stdout.splitlines()):
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].lower().endswith(".ttf"):
            continue
        style = parts[2].split(",")[0].strip()
        for family in parts[1].split(","):
            found.setdefault((family.strip(), style), Path(parts[0]))
    return found


def _register(path: Path) -> Face:
    """The face of `path`, read and registered now (its errors are the caller's to report)."""
    face = _lazy(path)
    _loaded(face.name, face.path)
    return face


def _lazy(path: Path) -> Face:
    """The face of `path`, read and registered when reportlab (find_font) or a coverage test
    first asks."""
    face = Face(f"galleys-{path.stem}", path)
    _ON_FIRST_USE.setdefault(face.name, path)
    return face


_ON_FIRST_USE: dict[str, Path] = {}  # registered name -> file, read when first asked for
_LOADING = threading.Lock()


def find_font(name: str) -> Any:
    """reportlab's lookup of a font it does not hold (pdfmetrics.findFontAndRegister, set by
    pdf_reportlab.install): a default face is read now, any other name is reportlab's."""
    path = _ON_FIRST_USE.get(name)
    if path is None:
        return reportlab_find_font(name)
    return _loaded(name, path)[0]


def _loaded(name: str, path: Path) -> tuple[Any, frozenset[int]]:
    """The face's font, registered with reportlab, and the code points it draws."""
    found = _LOADED.get((name, path))
    if found is None:
        with _LOADING:  # a face is read once, whichever thread asks first
            found = _LOADED.get((name, path))
            if found is None:
                font = ShapingTTFont(name, str(path))
                register_font(font)
                coverage = frozenset(c for c, glyph in font.face.charToGlyph.items() if glyph)
                found = _LOADED[name, path] = (font, coverage)
    return found


_LOADED: dict[tuple[str, Path], tuple[Any, frozenset[int]]] = {}


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
    _single_family(face.name)
    return face
