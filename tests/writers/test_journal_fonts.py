"""`fonts:` in journal.yaml and front matter: the PDF's faces, fallbacks and one-line errors."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REQUIRE_EXTERNAL, TORTURE
from pypdf import PdfReader

from galleys.builder.articles import prepare
from galleys.cli.main import main
from galleys.writers import RenderOptions
from galleys.writers.pdf.edition import PdfBackend

EPOCH = 1710460800  # 2024-03-15
ARABIC = "مرحبا بالعالم"
BODY = f"A plain sentence in the body. Arabic: {ARABIC}. And **bold {ARABIC}** too.\n"


def families(*, outlines: str = "TrueType") -> set[str]:
    """Installed fontconfig family names (each of a face's names), case folded."""
    try:
        listing = subprocess.run(["fc-list", f":fontformat={outlines}", "family"],
                                 capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return set()
    return {name.strip().casefold() for line in listing.splitlines() for name in line.split(",")}


def require_family(*names: str) -> None:
    missing = [n for n in names if n.casefold() not in families()]
    if missing:
        message = f"needs the font families {missing} (fonts-dejavu-core, fonts-noto-core)"
        if REQUIRE_EXTERNAL:
            pytest.fail(message)
        pytest.skip(message)


def make_source(root: Path, journal: str, front: str = "", body: str = BODY) -> Path:
    """source/journal.yaml and source/a/article.md; returns the article folder."""
    source = root / "source"
    (source / "a").mkdir(parents=True)
    (source / "journal.yaml").write_text(journal, encoding="utf-8")
    text = f"---\ntitle: A Test of Fonts\ndate: 2024-01-02\n{front}---\n\n{body}"
    (source / "a" / "article.md").write_text(text, encoding="utf-8")
    return source / "a"


def convert(article: Path, out: Path, *extra: str) -> int:
    return main(["convert", str(article), "-o", str(out), "--to", "pdf", *extra])


def base_fonts(pdf: Path) -> set[str]:
    """Every embedded font's base name, subset prefix dropped: {"DejaVuSans-Bold", …}."""
    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def is_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)


def fonts_of(pdf: Path | bytes, wanted: Callable[[str], bool]) -> set[str]:
    """The fonts of the text layer's runs for which `wanted(text)` is true."""
    found: set[str] = set()

    def visit(text: str, _cm, _tm, font, _size) -> None:
        if font is not None and wanted(text):
            found.add(str(font["/BaseFont"]).split("+")[-1])

    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return found


def test_serif_family_sets_the_body(tmp_path: Path) -> None:
    require_family("DejaVu Sans")
    article = make_source(tmp_path, "journal: Test Journal\nfonts:\n  serif: dejavu sans\n")
    assert convert(article, tmp_path / "out") == 0
    pdf = tmp_path / "out" / "a.pdf"
    names = base_fonts(pdf)
    assert "DejaVuSans" in names and "DejaVuSans-Bold" in names  # body, title
    assert not any("Serif" in name for name in names), names
    assert fonts_of(pdf, lambda t: "plain sentence" in t) == {"DejaVuSans"}


def test_fallback_family_comes_before_fontconfig(tmp_path: Path) -> None:
    require_family("DejaVu Serif", "Noto Sans Arabic", "Noto Naskh Arabic")
    article = make_source(tmp_path, "journal: Test Journal\n")
    assert convert(article, tmp_path / "auto") == 0
    assert fonts_of(tmp_path / "auto" / "a.pdf", is_arabic) == {
        "NotoNaskhArabic-Regular", "NotoNaskhArabic-Bold"}  # fontconfig's choice for serif

    (tmp_path / "source" / "journal.yaml").write_text(
        "journal: Test Journal\nfonts:\n  fallback:\n    - Noto Sans Arabic\n")
    assert convert(article, tmp_path / "out") == 0
    pdf = tmp_path / "out" / "a.pdf"
    assert fonts_of(pdf, is_arabic) == {"NotoSansArabic-Regular", "NotoSansArabic-Bold"}
    assert not any("Naskh" in name for name in base_fonts(pdf))
    assert fonts_of(pdf, lambda t: "plain sentence" in t) == {"DejaVuSerif"}  # role unchanged


def test_article_overrides_the_journal_per_key(tmp_path: Path) -> None:
    require_family("DejaVu Sans", "Noto Sans Arabic")
    journal = ("journal: Test Journal\nfonts:\n  serif: No Such Family\n"
               "  fallback: [Noto Sans Arabic]\n")
    article = make_source(tmp_path, journal, front="fonts:\n  serif: DejaVu Sans\n",
                          body=f"Text with {ARABIC}\u06DD.\n")  # U+06DD: not in DejaVu Sans
    assert convert(article, tmp_path / "out") == 0
    pdf = tmp_path / "out" / "a.pdf"
    assert fonts_of(pdf, lambda t: "Text with" in t) == {"DejaVuSans"}
    assert "NotoSansArabic-Regular" in base_fonts(pdf)  # the journal's fallback still applies


def test_unknown_family_is_one_line_exit_65_nothing_written(tmp_path: Path, capsys) -> None:
    journal = "journal:\n  title: Test Journal\nfonts:\n  serif: Foo Serif Nonexistent\n"
    article = make_source(tmp_path, journal)
    out = tmp_path / "out"
    assert convert(article, out) == 65
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    where = str(tmp_path / "source" / "journal.yaml")
    assert f"{where}:4: fonts.serif: no installed font family 'Foo Serif Nonexistent'" in lines[0]
    assert not out.exists()


def test_unknown_fallback_family_in_front_matter(tmp_path: Path, capsys) -> None:
    front = "fonts:\n  fallback:\n    - Noto Sans Arabic\n    - Nope Sans Nowhere\n"
    article = make_source(tmp_path, "journal: Test Journal\n", front=front)
    assert convert(article, tmp_path / "out") == 65
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{article / 'article.md'}:7: fonts.fallback: no installed font family" in line
    assert not (tmp_path / "out").exists()


def test_cff_family_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    cff_only = sorted(families(outlines="CFF") - families())
    if not cff_only:
        pytest.skip("no font family with only CFF outlines is installed")
    journal = f"journal: Test Journal\nfonts:\n  sans: \"{cff_only[0]}\"\n"
    article = make_source(tmp_path, journal)
    assert convert(article, tmp_path / "out") == 65
    (line,) = capsys.readouterr().err.splitlines()
    assert ":3: fonts.sans:" in line and "CFF outlines" in line and "TrueType" in line
    assert not (tmp_path / "out").exists()


def test_unknown_subkey_warns_with_did_you_mean(tmp_path: Path, capsys) -> None:
    article = make_source(tmp_path, "journal: Test Journal\nfonts:\n  seriff: DejaVu Sans\n")
    assert main(["convert", str(article), "-o", str(tmp_path / "o"), "--to", ""]) == 0
    err = capsys.readouterr().err
    assert ":3: warning: unknown key 'fonts.seriff' (did you mean 'serif'?)" in err
    assert main(["convert", str(article), "-o", str(tmp_path / "p"), "--to", "",
                 "--strict"]) == 65


@pytest.mark.parametrize(("fonts", "message"), [
    ("fonts: DejaVu Sans", ":2: fonts: expected a mapping"),
    ("fonts:\n  mono: [a, b]", ":3: fonts.mono: expected text, got a list"),
    ("fonts:\n  sans: ''", ":3: fonts.sans: expected a font family name"),
])
def test_malformed_fonts_key(fonts: str, message: str, tmp_path: Path, capsys) -> None:
    article = make_source(tmp_path, f"journal: Test Journal\n{fonts}\n")
    assert main(["convert", str(article), "-o", str(tmp_path / "o"), "--to", ""]) == 65
    assert message in capsys.readouterr().err


def test_choice_does_not_leak_between_articles(tmp_path: Path) -> None:
    """One process, three renders: the default article is the same before and after one that
    names its own fonts."""
    require_family("DejaVu Sans", "Noto Sans Arabic")

    def render(path: Path) -> bytes:
        resolved, front = prepare(path)
        return PdfBackend().render(resolved, front, RenderOptions(EPOCH))

    before = render(TORTURE)
    article = make_source(tmp_path, "journal: Test Journal\nfonts:\n  serif: DejaVu Sans\n"
                          "  fallback: [Noto Sans Arabic]\n")
    chosen = render(article / "article.md")
    assert fonts_of(chosen, lambda t: "plain sentence" in t) == {"DejaVuSans"}
    assert render(TORTURE) == before
