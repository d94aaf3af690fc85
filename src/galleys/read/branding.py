"""journal.yaml's `branding:` (logo, colours, footer, extra CSS, templates), read and checked.

Every file named is read now, inside the folder of journal.yaml, so a page is made from what
the source holds; a colour whose contrast falls short of WCAG AA is a warning and not used.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from galleys.errors import SourceError
from galleys.model import Branding
from galleys.read.text import read_text
from galleys.read.yamltext import YamlDoc, load_yaml

JOURNAL_FILE = "journal.yaml"
KEYS = ("logo", "colours", "footer", "css", "templates")
COLOUR_KEYS = ("accent", "accent-dark")
# The templates a journal may replace (writers/html/templates/), each by a file of its name.
TEMPLATE_NAMES = ("base.html", "masthead.html", "title_block.html", "landing.html",
                  "index.html", "article.html")
MAX_LOGO_BYTES = 512_000
MAX_CSS_BYTES = 256_000
MAX_TEMPLATE_BYTES = 256_000
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}
_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# The page backgrounds (light, dark) and the button text on an accent, from landing/assets.py.
LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#15171a"
LIGHT_BUTTON_TEXT, DARK_BUTTON_TEXT = "#ffffff", "#0d1117"
AA = 4.5  # WCAG 2 contrast for normal text


def read_branding(journal: YamlDoc | None, article: YamlDoc | None, folder: Path,
                  warn: Callable[[str], None]) -> Branding:
    """The branding journal.yaml gives (files inside `folder`, journal.yaml's own); an article's
    `branding:` is a warning, for the pages of a journal look alike."""
    if article is not None and "branding" in article.data:
        warn(f"{article.path}:{article.line(('branding',))}: warning: branding: is journal-wide; "
             "it is read from journal.yaml only")
    if journal is None or journal.data.get("branding") is None:
        return Branding()
    value = journal.data["branding"]
    if not isinstance(value, dict):
        raise journal.error(("branding",), "expected a mapping (logo, colours, footer, css, "
                                           "templates)")
    reader = _Reader(journal, folder.resolve(), warn)
    for key in value:
        if key not in KEYS:
            reader.unknown(("branding", key), KEYS)
    logo = reader.file("logo", tuple(LOGO_TYPES), MAX_LOGO_BYTES)
    css = reader.file("css", (".css",), MAX_CSS_BYTES)
    css_text = reader.text("css", css) if css else ""
    if re.search(r"</style", css_text, re.IGNORECASE):
        raise journal.error(("branding", "css"), "a stylesheet cannot hold '</style'")
    accent, accent_dark = reader.colours()
    return Branding(
        logo=_data_uri(logo) if logo else "",
        accent=accent,
        accent_dark=accent_dark,
        footer=reader.string("footer"),
        css=css_text,
        templates=reader.templates(),
    )


def journal_branding(source_dir: Path, warn: Callable[[str], None] | None = None) -> Branding:
    """The branding of the journal whose articles are below `source_dir` (for its index page)."""
    path = source_dir / JOURNAL_FILE
    if not path.is_file():
        return Branding()
    report = warn or (lambda _message: None)
    doc = load_yaml(read_text(path, report), path)
    if not isinstance(doc.data, dict):
        return Branding()  # the articles' own reading says what is wrong with it
    return read_branding(doc, None, source_dir, report)


def fingerprint(branding: Branding) -> str:
    """A digest of everything the branding puts into pages (files' contents included): what an
    incremental build keys landing pages on besides journal.yaml's own bytes."""
    return hashlib.sha256(repr(branding).encode("utf-8")).hexdigest()


def _data_uri(path: Path) -> str:
    return (f"data:{LOGO_TYPES[path.suffix.lower()]};base64,"
            + base64.b64encode(path.read_bytes()).decode("ascii"))


class _Reader:
    def __init__(self, doc: YamlDoc, folder: Path, warn: Callable[[str], None]) -> None:
        self.doc, self.folder, self.warn = doc, folder, warn
        self.data = doc.data["branding"]

    def unknown(self, where: tuple[str, ...], known: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(where[-1], known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.warn(f"{self.doc.path}:{self.doc.line(where)}: warning: unknown key "
                  f"{'.'.join(where)!r}{hint}")

    def string(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.doc.error(("branding", key), "expected text")
        return " ".join(str(value).split())

    def _inside(self, key: str, value: str) -> Path:
        candidate = (self.folder / value).resolve()
        if not candidate.is_relative_to(self.folder):
            raise self.doc.error(("branding", key),
                                 f"{value!r} is outside the folder of {self.doc.path.name}")
        return candidate

    def file(self, key: str, suffixes: tuple[str, ...], limit: int) -> Path | None:
        value = self.string(key)
        if not value:
            return None
        path = self._inside(key, value)
        if path.suffix.lower() not in suffixes:
            raise self.doc.error(("branding", key), f"{value!r}: expected a file ending in "
                                                    f"{', '.join(suffixes)}")
        if not path.is_file():
            raise self.doc.error(("branding", key), f"file {value!r} does not exist")
        if path.stat().st_size > limit:
            raise self.doc.error(("branding", key), f"{value!r} is over {limit // 1000} kB")
        return path

    def text(self, key: str, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise self.doc.error(("branding", key), f"{path.name} is not UTF-8 text") from None

    def colours(self) -> tuple[str, str]:
        value = self.data.get("colours", self.data.get("colors"))
        if value is None:
            return "", ""
        if not isinstance(value, dict):
            raise self.doc.error(("branding", "colours"), "expected a mapping (accent, "
                                                          "accent-dark)")
        found = []
        for key in value:
            if key not in COLOUR_KEYS:
                self.unknown(("branding", "colours", key), COLOUR_KEYS)
        checks = {"accent": (LIGHT_BACKGROUND, LIGHT_BUTTON_TEXT),
                  "accent-dark": (DARK_BACKGROUND, DARK_BUTTON_TEXT)}
        for key in COLOUR_KEYS:
            colour = value.get(key)
            where = ("branding", "colours", key)
            if colour is None:
                found.append("")
                continue
            if not isinstance(colour, str) or not _HEX.match(colour.strip()):
                raise self.doc.error(where, f"{colour!r} is not a colour like #1a4f8b")
            colour = _long_hex(colour.strip())
            worst = min(contrast(colour, other) for other in checks[key])
            if worst < AA:
                self.warn(f"{self.doc.path}:{self.doc.line(where)}: warning: "
                          f"branding.colours.{key}: {colour} has a contrast of {worst:.1f}:1 "
                          f"(WCAG AA needs {AA}:1); the default colour is used")
                found.append("")
            else:
                found.append(colour)
        return found[0], found[1]

    def templates(self) -> tuple[tuple[str, str, str], ...]:
        value = self.string("templates")
        if not value:
            return ()
        folder = self._inside("templates", value)
        if not folder.is_dir():
            raise self.doc.error(("branding", "templates"), f"folder {value!r} does not exist")
        from jinja2 import Environment, TemplateSyntaxError

        out = []
        for path in sorted(folder.glob("*.html")):
            if path.name not in TEMPLATE_NAMES:
                self.warn(f"{path}: warning: not a template galleys uses (it uses "
                          f"{', '.join(TEMPLATE_NAMES)})")
                continue
            if path.stat().st_size > MAX_TEMPLATE_BYTES:
                raise self.doc.error(("branding", "templates"), f"{path.name} is over "
                                                                f"{MAX_TEMPLATE_BYTES // 1000} kB")
            text = self.text("templates", path)
            try:
                Environment().parse(text)
            except TemplateSyntaxError as exc:
                raise SourceError(f"template: {exc.message}", path=path,
                                  line=exc.lineno) from None
            out.append((path.name, text, str(path)))
        return tuple(out)


def _long_hex(colour: str) -> str:
    if len(colour) == 4:
        return "#" + "".join(c * 2 for c in colour[1:])
    return colour.lower()


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(_long_hex(colour)[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)
