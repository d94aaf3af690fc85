"""Every script in every edition: the multi-script fixture through PDF, EPUB and DOCX."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, require_program
from pypdf import PdfReader

from galleys.builder.articles import prepare
from galleys.errors import SourceError
from galleys.scripts import lang_direction, needs_shaping, runs, script_of
from galleys.writers import RenderOptions
from galleys.writers.docx.edition import DocxBackend
from galleys.writers.epub.edition import EpubBackend
from galleys.writers.pdf.edition import PdfBackend

MULTI = FIXTURES / "multiscript" / "article.md"
EPOCH = 1714521600  # 2024-05-01
_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _plain(nodes: list[dict]) -> str:
    out = []
    for node in nodes:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind == "Span":
            out.append(_plain(content[1]))
    return "".join(out)


def normal(text: str) -> str:
    """Text as compared: NFC, bidi control characters dropped, whitespace squashed."""
    text = _CONTROLS.sub("", unicodedata.normalize("NFC", text))
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def prepared():
    return prepare(MULTI)


@pytest.fixture(scope="module")
def pdf(prepared) -> bytes:
    resolved, front = prepared
    return PdfBackend().render(resolved, front, RenderOptions(EPOCH))


@pytest.fixture(scope="module")
def pdf_text(pdf: bytes, tmp_path_factory) -> str:
    program = require_program("pdftotext")
    path = tmp_path_factory.mktemp("pdf") / "multi.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([program, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                            text=True, check=True, timeout=60)
    return normal(result.stdout)


# -- scripts.py -------------------------------------------------------------------------------

@pytest.mark.parametrize(("char", "script"), [
    ("a", "Latn"), ("ễ", "Latn"), ("Ω", "Grek"), ("ж", "Cyrl"), ("ש", "Hebr"), ("س", "Arab"),
    ("ے", "Arab"), ("ह", "Deva"), ("中", "Hani"), ("あ", "Hira"), ("カ", "Kana"), ("한", "Hang"),
    ("\u0301", "Zinh"), ("1", "Zyyy"), ("،", "Arab"),
])
def test_script_of(char: str, script: str) -> None:
    assert script_of(char) == script


def test_runs_keep_marks_and_punctuation_with_their_letters() -> None:
    assert [(r.script, r.text) for r in runs("café n\u0304 سلام، ok")] == [
        ("Latn", "café n\u0304 "), ("Arab", "سلام، "), ("Latn", "ok")]


@pytest.mark.parametrize(("lang", "direction"), [
    ("ur", "rtl"), ("ar-EG", "rtl"), ("he", "rtl"), ("fa", "rtl"), ("az-Arab", "rtl"),
    ("en", "ltr"), ("ja", "ltr"), ("ur-Latn", "ltr"), ("", "ltr"), ("hi", "ltr"),
])
def test_lang_direction(lang: str, direction: str) -> None:
    assert lang_direction(lang) == direction


def test_only_complex_text_is_shaped() -> None:
    assert not needs_shaping("Pakistan office fish")  # Latin: never through the shaper
    assert not needs_shaping("日本語 Ελληνικά Русский")
    assert needs_shaping("سلام") and needs_shaping("हिन्दी") and needs_shaping("n\u0304")


# -- PDF --------------------------------------------------------------------------------------

def test_pdf_text_layer_gives_back_every_body_paragraph(prepared, pdf_text: str) -> None:
    resolved, _front = prepared
    paragraphs = [_plain(b["c"]) for b in resolved.blocks if b["t"] == "Para"]
    assert len(paragraphs) >= 12
    for paragraph in paragraphs:  # Urdu, Arabic, Hebrew in logical order, joined letters
        assert normal(paragraph) in pdf_text, paragraph


def test_pdf_text_layer_gives_back_title_subtitle_and_abstract(prepared, pdf_text) -> None:
    _resolved, front = prepared
    assert normal(front.title_text) in pdf_text
    assert normal(front.subtitle_text) in pdf_text
    for paragraph in front.abstract:
        assert normal("".join(r.text for r in paragraph)) in pdf_text
    for name in ("山田 太郎", "김 민준", "अनीता शर्मा", "Νίκος Παπαδόπουλος", "Nguyễn Văn An"):
        assert name in pdf_text


def test_ligatures_never_change_the_text(pdf_text: str) -> None:
    assert "Pakistan, office, fish" in pdf_text
    assert not re.search("[\ufb00-\ufb06]", pdf_text)  # no ﬁ, ﬂ, ﬆ … in the text layer


def test_scripts_are_set_in_fonts_that_cover_them(pdf: bytes) -> None:
    fonts = _fonts(pdf)
    names = " ".join(fonts).lower()
    for wanted in ("NotoNaskhArabic", "Devanagari", "Hebrew", "WenQuanYi|wqy"):
        assert any(w.lower() in names for w in wanted.split("|")), (wanted, sorted(fonts))


def test_arabic_letters_are_joined(prepared, pdf: bytes) -> None:
    # Joined Arabic draws each letter in its initial, medial or final form: the embedded
    # Naskh subset holds more glyphs than the text has distinct Arabic-script letters.
    import uharfbuzz as hb

    resolved, _front = prepared
    source = MULTI.read_text(encoding="utf-8")
    letters = {c for c in source if script_of(c) == "Arab" and unicodedata.category(c) == "Lo"}
    glyphs = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "NotoNaskhArabic" in str(font["/BaseFont"]):
                data = font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
                glyphs += hb.Face(hb.Blob(data)).glyph_count
    assert glyphs > len(letters) + 10, (glyphs, len(letters))


def test_every_font_is_an_embedded_subset(pdf: bytes) -> None:
    fonts = _fonts(pdf)
    assert fonts
    for name, embedded in fonts.items():
        assert re.match(r"^[A-Z]{6}\+", name), name
        assert embedded, f"{name} is not embedded"


def test_pdf_is_reproducible_in_one_process(prepared, pdf: bytes) -> None:
    resolved, front = prepared
    assert PdfBackend().render(resolved, front, RenderOptions(EPOCH)) == pdf


def test_missing_font_names_characters_place_and_package(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "article.md").write_text(
        "---\ntitle: T\ndate: 2024-01-02\n---\n\n# Ext\n\nRare \U0002a700 here.\n",
        encoding="utf-8")
    resolved, front = prepare(folder / "article.md")
    with pytest.raises(SourceError) as caught:
        PdfBackend().render(resolved, front, RenderOptions(EPOCH))
    message = str(caught.value)
    assert "U+2A700" in message and 'section "Ext"' in message and "fonts-" in message


def _fonts(pdf: bytes) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])[1:]] = "/FontFile2" in descriptor
    return found


# -- EPUB -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def epub(prepared) -> bytes:
    resolved, front = prepared
    return EpubBackend().render(resolved, front, RenderOptions(EPOCH))


def test_epub_spans_carry_lang_and_dir(epub: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        body = next(book.read(n).decode() for n in book.namelist() if n.endswith("article.xhtml"))
    assert '<span lang="ur" xml:lang="ur" dir="rtl">پاکستان زندہ باد</span>' in body
    assert '<span lang="he" xml:lang="he" dir="rtl">שלום</span>' in body
    assert re.search(r'<p dir="rtl"><span lang="ar" xml:lang="ar" dir="rtl">السلام', body)
    mixed = re.search(r"<p>English with an Urdu phrase.*?</p>", body)
    assert mixed is not None  # the English paragraph keeps the book's direction


def test_epub_passes_epubcheck(epub: bytes, tmp_path: Path) -> None:
    from galleys.check.parity import epubcheck, epubcheck_jar, java

    if not java() or not epubcheck_jar():
        require_program("java")
    path = tmp_path / "multi.epub"
    path.write_bytes(epub)
    assert epubcheck(path) == []


# -- DOCX -------------------------------------------------------------------------------------

def test_docx_marks_rtl_runs_paragraphs_and_languages(prepared) -> None:
    resolved, front = prepared
    data = DocxBackend().render(resolved, front, RenderOptions(EPOCH))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        document = package.read("word/document.xml").decode("utf-8")
    urdu = re.search(r"<w:r><w:rPr>(.*?)</w:rPr><w:t[^>]*>پاکستان زندہ باد</w:t>", document)
    assert urdu is not None
    assert "<w:rtl />" in urdu.group(1) and 'w:bidi="ur"' in urdu.group(1)
    hebrew_paragraph = re.search(r"<w:p><w:pPr>((?:(?!</w:pPr>).)*)</w:pPr>(?:(?!</w:p>).)*"
                                 r"שלום עולם וברוכים הבאים", document)
    assert hebrew_paragraph is not None and "<w:bidi />" in hebrew_paragraph.group(1)


# -- front matter in mixed directions ---------------------------------------------------------

def test_pdf_front_matter_lines_read_back_in_logical_order(prepared, pdf_text: str) -> None:
    """Author line, keyword line and How to Cite mix eight scripts: each reads back in order."""
    _resolved, front = prepared
    assert normal(", ".join(a.name for a in front.authors)) in pdf_text
    assert normal("; ".join(front.keywords)) in pdf_text
    assert normal(front.how_to_cite_text) in pdf_text


def test_names_outside_latin_greek_cyrillic_are_cited_whole(prepared) -> None:
    _resolved, front = prepared
    assert front.how_to_cite_text.startswith(
        "山田太郎, 李小龙, 김민준, محمد علی, דוד כהן, अनीता शर्मा, Παπαδόπουλος, Ν., Иванова, А., "
        "& An, N. V. (2024)."
    )
    isolated = [r.text for r in front.how_to_cite if "isolate" in r.marks]
    assert isolated == ["محمد علی", "דוד כהן"]


def test_a_vietnamese_article_writes_names_family_first(tmp_path: Path) -> None:
    article = tmp_path / "vi" / "article.md"
    article.parent.mkdir()
    article.write_text("---\ntitle: Lịch sử\nauthor: [Nguyễn Văn An, \"Trần, Thị Bích\"]\n"
                       "lang: vi\ndate: 2024-01-01\n---\n\nVăn bản.\n", encoding="utf-8")
    _resolved, front = prepare(article)
    assert [a.name for a in front.authors] == ["Nguyễn Văn An", "Trần Thị Bích"]
    assert front.how_to_cite_text.startswith("Nguyễn, V. A., & Trần, T. B. (2024).")


def test_abstract_paragraphs_stay_apart_and_a_span_keeps_its_language(prepared, epub) -> None:
    _resolved, front = prepared
    assert len(front.abstract) == 5
    assert front.abstract[-1][-1].lang == "ur"
    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        page = book.read("EPUB/titlepage.xhtml").decode()
    assert re.search(r'<span lang="ur" xml:lang="ur" dir="rtl">یہ مضمون', page)


RTL_AUTHOR = """---
title: Trade and Memory in Lahore
author:
  - name: John Smith
    affiliation: University of Lahore
  - name: علی رضا
    affiliation: جامعہ پنجاب
  - name: Sarah Levi
keywords: [history, تاریخ, סחר, trade]
date: 2024-03-01
lang: en
---

Body text.
"""


def test_a_right_to_left_author_in_a_left_to_right_title_block(tmp_path: Path) -> None:
    """Each name and keyword keeps its own direction; the line keeps the article's."""
    from galleys.check.parity import check_path, format_report
    from galleys.cli.main import main

    source = tmp_path / "source"
    (source / "lahore").mkdir(parents=True)
    (source / "lahore" / "article.md").write_text(RTL_AUTHOR, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(source / "lahore"), "-o", str(out), "-q"]) == 0
    (pdf,) = out.glob("*.pdf")
    program = require_program("pdftotext")
    lines = [normal(line) for line in subprocess.run(
        [program, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()]
    assert "John Smith1, علی رضا2, Sarah Levi" in lines  # the marker after the name it marks
    assert "Keywords: history; تاریخ; סחר; trade" in lines  # two RTL keywords not swapped
    assert "Smith, J., علی رضا, & Levi, S. (2024). Trade and Memory in Lahore." in lines
    (epub,) = out.glob("*.epub")
    with zipfile.ZipFile(epub) as book:
        page = book.read("EPUB/titlepage.xhtml").decode()
    assert '<li dir="ltr"><span class="author" dir="rtl">علی رضا</span><sup' in page
    assert '<span class="keyword" dir="rtl">تاریخ</span>; <span class="keyword" dir="rtl">' in page
    landing = (out / "index.html").read_text(encoding="utf-8")
    assert '<li class="author"><bdi class="name">علی رضا</bdi><sup>2</sup></li>' in landing
    (report,) = check_path(out, source)
    assert report.ok, format_report(report)


def test_epub_cover_draws_every_script(prepared, tmp_path: Path) -> None:
    """The cover is set in the PDF edition's faces: CJK, Devanagari, Arabic are glyphs, not
    boxes, and the names read back in their order."""
    from galleys.writers.epub.cover import HEIGHT, WIDTH, cover_pdf, cover_png

    _resolved, front = prepared
    path = tmp_path / "cover.pdf"
    path.write_bytes(cover_pdf(front))
    program = require_program("pdftotext")
    text = normal(subprocess.run([program, "-enc", "UTF-8", str(path), "-"],
                                 capture_output=True, text=True, check=True).stdout)
    assert normal(front.title_text) in text
    assert normal(", ".join(a.name for a in front.authors[:-1])) in text
    fonts = _fonts(path.read_bytes())
    assert any("WenQuanYi" in name or "CJK" in name for name in fonts), fonts
    assert any("Devanagari" in name for name in fonts), fonts
    from PIL import Image

    image = Image.open(io.BytesIO(cover_png(front)))
    assert image.size == (WIDTH, HEIGHT)


def test_check_passes_an_article_titled_in_one_arabic_letter(tmp_path: Path) -> None:
    """Found by Hypothesis: a one-letter right-to-left title made check report the PDF's How
    to Cite as missing (pypdf read the line out of order); pdftotext reads it back whole."""
    from galleys.check.parity import check_path, format_report
    from galleys.cli.main import main

    require_program("pdftotext")
    source = tmp_path / "source"
    (source / "one").mkdir(parents=True)
    (source / "one" / "article.md").write_text(
        '---\ntitle: "ۺ"\nauthor: Jane Doe\ndate: 2020-01-01\n---\n\nText.\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(source / "one"), "-o", str(out), "-q"]) == 0
    (report,) = check_path(out, source, validate=False)
    assert report.ok, format_report(report)


URDU_ARTICLE = """---
title: پاکستان اور جاپان کے تعلقات
author:
  - name: سلمیٰ ملک
    affiliation: قائداعظم یونیورسٹی
  - name: John Smith
    affiliation: University of Tokyo
keywords: [پاکستان, جاپان, trade, امن]
date: 2024-03-01
lang: ur
abstract: |
  یہ مضمون پاکستان اور جاپان کے تعلقات کے بارے میں ہے۔ اس میں 1952 سے 2014 تک کا جائزہ لیا گیا ہے۔
---

# تعارف

پاکستان اور جاپان کے درمیان دوستی بہت پرانی ہے۔ یہ تعلقات 1952 میں شروع ہوئے۔
"""


def test_an_urdu_article_with_an_english_author_passes_check(tmp_path: Path) -> None:
    """A right-to-left article whose author line and How to Cite mix directions: title,
    abstract and body read back exactly; check accepts the mixed lines letter for letter."""
    from galleys.check.parity import check_path, format_report
    from galleys.cli.main import main

    program = require_program("pdftotext")
    source = tmp_path / "source"
    (source / "urdu").mkdir(parents=True)
    (source / "urdu" / "article.md").write_text(URDU_ARTICLE, encoding="utf-8")
    (source / "journal.yaml").write_text("labels: {abstract: خلاصہ, published: اشاعت}\n",
                                         encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(source / "urdu"), "-o", str(out), "-q"]) == 0
    (pdf,) = out.glob("*.pdf")
    raw = subprocess.run([program, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert "\u2068" not in raw and "\u2069" not in raw  # isolate marks are never drawn
    lines = [normal(line) for line in raw.splitlines()]
    assert any(line.startswith("اشاعت") for line in lines)
    (epub,) = out.glob("*.epub")
    with zipfile.ZipFile(epub) as book:
        page = book.read("EPUB/titlepage.xhtml").decode()
    assert "<h2>خلاصہ</h2>" in page
    assert '<p class="citation" dir="rtl">' in page  # the article's direction, as in the PDF
    assert "پاکستان اور جاپان کے تعلقات" in lines
    assert "پاکستان اور جاپان کے درمیان دوستی بہت پرانی ہے۔ یہ تعلقات 1952 میں شروع ہوئے۔" in lines
    assert any("اس میں 1952 سے 2014 تک کا جائزہ لیا گیا ہے۔" in line for line in lines)
    (report,) = check_path(out, source, validate=False)
    assert report.ok, format_report(report)
