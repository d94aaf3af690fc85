"""The PDF edition, checked on its real bytes: text layer, outline, fonts, metadata, structure."""

from __future__ import annotations

import io
import re
import subprocess
import time
from pathlib import Path

import pytest
from conftest import TORTURE, require_program
from pypdf import PdfReader

from galleys.builder.articles import prepare
from galleys.errors import InternalError, SourceError
from galleys.writers import RenderOptions
from galleys.writers.pdf.edition import PdfBackend

EPOCH = 1710460800  # 2024-03-15
PAYLOAD_FONT = (
    "<font color=\"[[[getattr(pow, '__globals__')['os'].system('touch /tmp/pwned')]]]\">x</font>"
)
PAYLOAD_IMG = '<img src="/etc/passwd"/>'


def render(path: Path, paper: str = "a4") -> bytes:
    resolved, front = prepare(path)
    return PdfBackend().render(resolved, front, RenderOptions(EPOCH, paper=paper))


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def write_article(folder: Path, front: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "article.md"
    path.write_text(f"---\n{front.strip()}\n---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def torture_pdf() -> bytes:
    return render(TORTURE)


def test_front_matter_strings_appear_in_order(torture_pdf: bytes) -> None:
    _resolved, front = prepare(TORTURE)
    text = squash(text_of(torture_pdf))
    position = 0
    for element, value in front.elements():
        if element.startswith("orcid"):
            continue  # a mark linked to the iD (test_orcid_ids_are_linked_marks_by_the_names)
        if element.startswith(("author note", "email")):  # at the foot of page 1
            assert squash(value) in text, element
            continue
        found = text.find(squash(value), position)
        assert found >= 0, f"{element} {value!r} missing after position {position}"
        position = found + 1


def test_how_to_cite_is_boxed_on_page_one(torture_pdf: bytes) -> None:
    _resolved, front = prepare(TORTURE)
    first = squash(PdfReader(io.BytesIO(torture_pdf)).pages[0].extract_text())
    assert f"{front.labels.how_to_cite} {front.how_to_cite_text}" in first
    assert "Dr. Salma" not in first and "Lovelace, A." in first  # no honorific in the citation


def test_every_page_has_header_and_page_n_of_m(torture_pdf: bytes) -> None:
    _resolved, front = prepare(TORTURE)
    reader = PdfReader(io.BytesIO(torture_pdf))
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert front.running_head in text
        assert front.short_citation in text
        assert f"page {number} of {total}" in text


def test_outline_matches_headings(torture_pdf: bytes) -> None:
    resolved, _front = prepare(TORTURE)
    reader = PdfReader(io.BytesIO(torture_pdf))
    titles: list[tuple[str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                titles.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    headings = ["".join(n["c"] if n["t"] == "Str" else " " for n in b["c"][2])
                for b in resolved.blocks if b["t"] == "Header"]
    names = [t for t, _page in titles]
    assert names == headings  # notes at the foot of their pages: no end-notes heading
    pages = [page for _t, page in titles]
    assert pages == sorted(pages) and pages[-1] > 0  # destinations point at the right pages


def test_body_blocks_are_all_laid_out(torture_pdf: bytes) -> None:
    text = squash(text_of(torture_pdf))
    for expected in ["Nested bullet", "Ordered inside nested", "Sub b", "Definition of term two",
                     "A nested quote.", "def long_line():", "no matter what",
                     "Populations in 2023", "A long note that should wrap", "241.5",
                     "A gradient figure with a caption.", "mc2",  # typeset (test_math)
                     "A third-level heading", "raw html is off", "A footnote with emphasis",
                     "(Knuth, 1984)", "Gogh & Müller (2020)", "Knuth, D. E. (1984). The TeXbook"]:
        assert expected in text, expected
    assert "\\frac" not in text and "mc^2" not in text  # no TeX source left


def test_code_is_wrapped_not_clipped(torture_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(torture_pdf))
    width = float(reader.pages[0].mediabox.width)
    found = []

    def visit(text: str, _cm, tm, _font, _size) -> None:
        if "no matter what" in text or "return" in text:
            found.append(tm[4])

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert found and all(x < width - 50 for x in found)
    assert "margin of the page" in squash(text_of(torture_pdf))


def test_fonts_are_embedded_truetype(torture_pdf: bytes, tmp_path: Path) -> None:
    pdffonts = require_program("pdffonts")
    target = tmp_path / "t.pdf"
    target.write_bytes(torture_pdf)
    lines = subprocess.run([pdffonts, str(target)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert lines
    for line in lines:
        assert "TrueType" in line and re.search(r"\byes\s+yes\s+yes\b", line), line
    assert "Helvetica" not in "\n".join(lines) and "Times" not in "\n".join(lines)


def test_no_base14_font_objects(torture_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(torture_pdf))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] != "/Type1", font
            descendant = font
            if "/DescendantFonts" in font:
                descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def test_info_and_xmp_metadata(torture_pdf: bytes) -> None:
    resolved, front = prepare(TORTURE)
    reader = PdfReader(io.BytesIO(torture_pdf))
    info = reader.metadata
    assert info.title == front.title_text
    assert info.author == "Ada Lovelace; Vincent van Gogh; Sukarno"  # no honorific
    assert info.subject == front.journal_line
    assert info["/Keywords"] == front.keywords_text
    assert info["/CreationDate"].startswith("D:20240315000000")
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title["x-default"] == front.title_text
    assert xmp.dc_creator == ["Ada Lovelace", "Vincent van Gogh", "Sukarno"]  # no "Dr."
    assert xmp.dc_description["x-default"].startswith("This article exercises every block")
    assert "CC BY 4.0" in xmp.dc_rights["x-default"]
    raw = xmp.stream.get_data().decode("utf-8")
    for tag, value in [("prism:doi", "10.5555/galleys.2024.007"),
                       ("prism:publicationName", "Journal of Galley Testing"),
                       ("prism:volume", "7"), ("prism:number", "2"),
                       ("prism:pageRange", "101-120")]:
        assert f"<{tag}>{value}</{tag}>" in raw


def test_qpdf_check_is_clean(torture_pdf: bytes, tmp_path: Path) -> None:
    qpdf = require_program("qpdf")
    target = tmp_path / "t.pdf"
    target.write_bytes(torture_pdf)
    result = subprocess.run([qpdf, "--check", str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_paper_sizes() -> None:
    a4 = PdfReader(io.BytesIO(render(TORTURE))).pages[0].mediabox
    letter = PdfReader(io.BytesIO(render(TORTURE, "letter"))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_reproducible_bytes(torture_pdf: bytes) -> None:
    assert render(TORTURE) == torture_pdf


@pytest.mark.parametrize("payload", [PAYLOAD_FONT, PAYLOAD_IMG])
def test_injection_payloads_render_as_literal_text(payload: str, tmp_path: Path) -> None:
    pwned = Path("/tmp/pwned")
    pwned.unlink(missing_ok=True)
    quoted = payload.replace("'", "''")
    path = write_article(
        tmp_path / "evil",
        f"title: '{quoted}'\nauthor: '{quoted}'\nkeywords: ['{quoted}']\ndate: 2024-01-02",
        f"A body paragraph: {payload}\n\nAs code: `{payload}`\n\n| h |\n|---|\n| {payload} |\n",
    )
    resolved, front = prepare(path)
    data = PdfBackend().render(resolved, front, RenderOptions(EPOCH))
    assert not pwned.exists()
    text = squash(text_of(data))
    # Markdown turns straight quotes curly; otherwise every tag is printed, not obeyed.
    assert front.title_text in text and front.authors[0].name in text
    assert text.count(payload) >= 2  # the keywords line and the code span, verbatim
    assert text.count(payload.split(" ")[0]) >= 6  # title, author, keywords, body, code, cell
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == front.title_text
    for page in reader.pages:  # no image was drawn: the only XObjects are page-number forms
        for xobject in page["/Resources"].get("/XObject", {}).values():
            assert xobject.get_object()["/Subtype"] == "/Form"


def test_character_no_font_draws_is_an_error(tmp_path: Path) -> None:
    path = write_article(tmp_path / "cjk", "title: Plain title\ndate: 2024-01-02",
                         "# Results\n\nA paragraph with \U00020000 and more.\n")
    with pytest.raises(SourceError) as caught:
        render(path)
    message = str(caught.value)
    assert "U+20000" in message and 'section "Results"' in message
    assert "install fonts-hanazono" in message  # the package that would cover it


def test_image_beyond_the_allowed_root_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes((TORTURE.parent / "figures" / "gradient.png")
                                          .read_bytes())
    path = write_article(tmp_path / "repo" / "a", "title: T\ndate: 2024-01-02",
                         "![Escape](../../secret.png)\n")
    data = render(path)
    assert "Image not included: Escape" in squash(text_of(data))
    xobjects = PdfReader(io.BytesIO(data)).pages[0]["/Resources"].get("/XObject", {})
    assert all(x.get_object()["/Subtype"] != "/Image" for x in xobjects.values())


def test_missing_image_is_an_error(tmp_path: Path) -> None:
    path = write_article(tmp_path / "a", "title: T\ndate: 2024-01-02", "![Gone](nope.png)\n")
    with pytest.raises(SourceError, match="does not exist"):
        render(path)


def test_long_article_lays_out_quickly(tmp_path: Path) -> None:
    words = ["galley", "edition", "citation", "footnote", "journal", "analysis", "evidence",
             "method", "table", "figure", "reader", "history", "policy", "language"]
    sections = []
    count = 0
    for s in range(1, 36):
        paragraphs = []
        for p in range(6):
            text = " ".join(words[(s * 7 + p * 3 + i) % len(words)] for i in range(96))
            count += 96
            paragraphs.append(text.capitalize() + (f"[^n{s}]" if p == 2 else "") + ".")
        table = "| A | B |\n|---|---|\n" + "".join(f"| r{i} | {' '.join(words)} |\n"
                                                   for i in range(30)) if s % 5 == 0 else ""
        sections.append(f"# Section {s}\n\n" + "\n\n".join(paragraphs)
                        + f"\n\n[^n{s}]: Note {s}.\n\n- one\n- two\n  - nested\n\n{table}")
    assert count >= 20000
    path = write_article(tmp_path / "long", "title: A Long Article\ndate: 2024-01-02",
                         "\n\n".join(sections))
    resolved, front = prepare(path)
    started = time.perf_counter()
    data = PdfBackend().render(resolved, front, RenderOptions(EPOCH))
    elapsed = time.perf_counter() - started
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 30
    last = reader.pages[-1].extract_text()
    assert f"page {len(reader.pages)} of {len(reader.pages)}" in last
    assert "Note 35." in squash(text_of(data))
    assert elapsed < 10, f"took {elapsed:.1f} s"


@pytest.mark.parametrize(("node", "error"), [
    ({"t": "Bogus", "c": []}, InternalError),  # a node the writer does not know: a bug
    ({"t": "Para", "c": [{"t": "Str", "c": "x"}, {"t": "Mystery", "c": []}]}, InternalError),
    ({"t": "RawBlock", "c": ["html", "<b>raw</b>"]}, SourceError),  # markup: the source's
])
def test_unknown_nodes_raise_naming_the_type(node: dict, error: type, tmp_path: Path) -> None:
    from galleys.writers.pdf.body import BodyVisitor
    from galleys.writers.pdf.fonts import fonts
    from galleys.writers.pdf.markup import Markup
    from galleys.writers.pdf.styles import make_styles

    visitor = BodyVisitor(Markup(fonts()), make_styles(fonts()), tmp_path, 400, 600)
    with pytest.raises(error, match=node["t"] if node["t"] != "Para" else "Mystery"):
        visitor.render([node])


def test_fallback_fonts_without_fontconfig(tmp_path: Path) -> None:
    """With no fc-match on PATH the bundled Vera faces are embedded instead."""
    import os
    import sys

    pdffonts = require_program("pdffonts")
    target = tmp_path / "vera.pdf"
    script = (
        "import sys; from galleys.builder.articles import prepare; from galleys.writers import "
        "RenderOptions; from galleys.writers.pdf.edition import PdfBackend; "
        "r, f = prepare(sys.argv[1]); "
        "open(sys.argv[2], 'wb').write(PdfBackend().render(r, f, RenderOptions(0)))"
    )
    env = {**os.environ, "PATH": str(tmp_path)}  # pandoc comes from pypandoc-binary
    subprocess.run([sys.executable, "-c", script, str(TORTURE), str(target)], env=env,
                   check=True, timeout=120)
    listing = subprocess.run([pdffonts, str(target)], capture_output=True, text=True,
                             check=True).stdout
    assert "Vera" in listing and "DejaVu" not in listing
    assert all(re.search(r"\byes\s+yes\s+yes\b", line) for line in listing.splitlines()[2:])


def test_the_first_pdf_of_a_process_sets_italic_and_bold_in_their_faces(tmp_path: Path) -> None:
    """Default faces are read on first use; reading one must not undo its family's bold and
    italic mappings (the first article of a process once set its italic text upright)."""
    import sys

    pdffonts = require_program("pdffonts")
    article = write_article(tmp_path / "a", "title: Faces\nauthor: A. Writer",
                            "Roman, *italic*, **bold** and ***both***.")
    target = tmp_path / "first.pdf"
    script = (
        "import sys; from galleys.builder.articles import prepare; from galleys.writers import "
        "RenderOptions; from galleys.writers.pdf.edition import PdfBackend; "
        "r, f = prepare(sys.argv[1]); "
        "open(sys.argv[2], 'wb').write(PdfBackend().render(r, f, RenderOptions(0)))"
    )
    subprocess.run([sys.executable, "-c", script, str(article), str(target)], check=True,
                   timeout=120)
    listing = subprocess.run([pdffonts, str(target)], capture_output=True, text=True,
                             check=True).stdout
    faces = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    assert {"DejaVuSerif", "DejaVuSerif-Italic", "DejaVuSerif-Bold",
            "DejaVuSerif-BoldItalic"} <= faces, faces
    assert target.read_bytes() == PdfBackend().render(*prepare(article), RenderOptions(0))


def _pdftotext(data: bytes, tmp_path: Path, *options: str) -> str:
    require_program("pdftotext")
    pdf = tmp_path / "edition.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_orcid_ids_are_linked_marks_by_the_names(torture_pdf: bytes) -> None:
    _resolved, front = prepare(TORTURE)
    page = PdfReader(io.BytesIO(torture_pdf)).pages[0]
    links = [(a["/Rect"], a["/A"]["/URI"]) for a in (x.get_object() for x in page["/Annots"])
             if a.get("/A", {}).get("/URI", "").startswith("https://orcid.org/")]
    expected = [a.orcid_url for a in front.authors if a.orcid_url]
    assert expected and [uri for _rect, uri in links] == expected
    for rect, _uri in links:  # a small square mark, not a line of text
        width, height = float(rect[2]) - float(rect[0]), float(rect[3]) - float(rect[1])
        assert 6 < width < 12 and abs(width - height) < 0.5
    text = page.extract_text()
    assert f"{front.labels.orcid} (" not in text and "orcid.org" not in text


def test_author_names_are_never_split(tmp_path: Path) -> None:
    authors = "\n".join(f"  - name: Firstname{i} Middle Yantovski-Barth{i}" for i in range(9))
    path = write_article(tmp_path / "names", f"title: Names\ndate: 2024-01-02\nauthor:\n{authors}",
                         "Body.")
    lines = _pdftotext(render(path), tmp_path, "-f", "1", "-l", "1").splitlines()
    for i in range(9):
        assert any(f"Firstname{i} Middle Yantovski-Barth{i}" in line for line in lines), lines


LONG_WORDS = ("Internationalization considerations notwithstanding, extraordinarily "
              "comprehensive documentation accompanies characteristically uncomplicated "
              "implementations of representational transformations. ")


def test_running_text_is_hyphenated_by_language_and_read_back_whole(tmp_path: Path) -> None:
    body = (LONG_WORDS * 12 + "See `extraordinarilyuncomplicatedidentifier` and "
            "<https://example.org/internationalization/considerations>.\n")
    path = write_article(tmp_path / "hy", "title: Hyphens\ndate: 2024-01-02\nlang: en", body)
    data = render(path)
    raw = text_of(data)  # pypdf: the hyphen at the end of a line as drawn
    broken = re.findall(r"(\w+)-\n(\w+)", raw)
    assert len(broken) >= 5, raw
    import pyphen
    dictionary = pyphen.Pyphen(lang="en")
    for head, tail in broken:  # each break at one of the dictionary's points
        assert (head, tail) in set(dictionary.iterate(head + tail)), (head, tail)
    whole = squash(_pdftotext(data, tmp_path))  # poppler (galleys check) joins them back
    assert len(re.findall(r"\bextraordinarily\b", whole)) == 12
    assert len(re.findall(r"\bInternationalization\b", whole)) == 12
    assert "extraordinarilyuncomplicatedidentifier" in whole.replace("- ", "")
    assert "https://example.org/internationalization/considerations" in whole


def test_without_a_dictionary_nothing_is_hyphenated(tmp_path: Path) -> None:
    path = write_article(tmp_path / "xx", "title: None\ndate: 2024-01-02\nlang: tlh",
                         LONG_WORDS * 8)
    assert not re.search(r"\w-\n", text_of(render(path)))


def test_keywords_and_references_are_set_ragged_right(torture_pdf: bytes) -> None:
    from galleys.writers.pdf.fonts import fonts
    from galleys.writers.pdf.styles import make_styles

    styles = make_styles(fonts(None), lambda word: iter(()))
    assert styles["fm-keywords"].alignment == styles["reference"].alignment == 0  # TA_LEFT
    assert styles["body"].hyphenationLang and not styles["reference"].hyphenationLang
    assert not styles["fm-title"].hyphenationLang and not styles["code"].hyphenationLang


def test_a_heading_keeps_with_two_lines_not_the_whole_paragraph(tmp_path: Path) -> None:
    filler = " ".join(["filler"] * 420)  # about 30 lines: most of page 1
    long = " ".join(["following"] * 600)  # about 45 lines: more than what is left
    path = write_article(tmp_path / "keep", "title: Keep\ndate: 2024-01-02",
                         f"{filler}\n\n# The Heading\n\n{long}\n")
    pages = PdfReader(io.BytesIO(render(path))).pages
    first = pages[0].extract_text()
    assert "The Heading" in first and first.count("following") >= 2 * 8
    assert "The Heading" not in pages[1].extract_text()


def test_a_heading_at_the_foot_of_a_page_moves_with_its_lines(tmp_path: Path) -> None:
    filler = " ".join(["filler"] * 820)  # page 1 all but full
    path = write_article(tmp_path / "foot", "title: Foot\ndate: 2024-01-02",
                         f"{filler}\n\n# The Heading\n\n{' '.join(['after'] * 300)}\n")
    pages = PdfReader(io.BytesIO(render(path))).pages
    for page in pages:
        text = page.extract_text()
        if "The Heading" in text:  # never the page's last line: two of its lines follow it
            after = text.split("The Heading", 1)[1]
            assert after.count("after") >= 2 * 8, text


def test_a_long_paragraph_lays_out_in_time_linear_in_its_length(tmp_path: Path) -> None:
    words = ("simulation", "particle", "integration", "numerical", "of", "the", "approach")
    timings = []
    for size in (60_000, 240_000):
        text = " ".join(words[i * 7 % 5 + i % 3] for i in range(size // 9))
        path = write_article(tmp_path / str(size), "title: Long\ndate: 2024-01-02", text)
        resolved, front = prepare(path)
        started = time.process_time()
        data = PdfBackend().render(resolved, front, RenderOptions(EPOCH))
        timings.append(time.process_time() - started)
        read = iter(_pdftotext(data, tmp_path).split())
        assert all(word in read for word in text.split())  # every word, in order
    assert timings[1] < 6 * timings[0] + 1, timings  # four times the text: not sixteen times


def test_draft_numbers_every_body_line_in_the_margin(tmp_path: Path) -> None:
    path = write_article(tmp_path / "draft", "title: Draft\ndate: 2024-01-02",
                         "# One\n\n" + LONG_WORDS * 30 + "\n\n# Two\n\n" + LONG_WORDS * 30)
    resolved, front = prepare(path)
    draft = PdfBackend().render(resolved, front, RenderOptions(EPOCH, draft=True))
    plain = PdfBackend().render(resolved, front, RenderOptions(EPOCH))
    numbers: list[int] = []
    body_lines = 0
    for data, is_draft in ((draft, True), (plain, False)):
        xml = _pdftotext(data, tmp_path, "-bbox")
        margin, words = [], []
        for page in xml.split("<page ")[1:]:  # each page's numbers top to bottom
            found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" '
                               r'yMax="([\d.]+)">([^<]*)</word>', page)
            words += [(x, w) for x, y, bottom, w in found  # body text and headings
                      if 9.9 < float(bottom) - float(y) < 13.1]
            found = [(x, y, w) for x, y, _bottom, w in found]
            margin += [int(w) for _y, x, w in sorted((float(y), x, w) for x, y, w in found)
                       if float(x) < 55 and w.isdigit()]
        turned = [b".707107 .707107 -0.707107 .707107" in page.get_contents().get_data()
                  for page in PdfReader(io.BytesIO(data)).pages]  # the DRAFT mark, at 45 degrees
        assert all(turned) if is_draft else not any(turned)
        if is_draft:
            numbers = margin
        else:
            assert margin == []
            body_lines = sum(1 for x, w in words if abs(float(x) - 62.36) < 0.5)
    assert numbers == list(range(1, len(numbers) + 1))  # on from page to page
    assert len(numbers) >= body_lines > 40  # every line at the left edge of the text has one


def test_notes_are_set_at_the_foot_of_the_page_that_references_them(tmp_path: Path) -> None:
    paragraphs = [f"Paragraph {i} " + " ".join(["filler"] * 120) + f"[^n{i}]" for i in range(1, 9)]
    notes = [f"[^n{i}]: Footnote{i} text of the note." for i in range(1, 9)]
    long_note = "[^long]: " + " ".join(["continued"] * 1800)
    body = "\n\n".join(paragraphs) + " Last[^long].\n\n" + "\n\n".join(notes) + "\n\n" + long_note
    path = write_article(tmp_path / "notes", "title: Notes\ndate: 2024-01-02", body)
    data = render(path)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    for i in range(1, 9):
        (where,) = [n for n, text in enumerate(pages) if f"Footnote{i} text" in text]
        assert re.search(rf"filler ?{i}\b", pages[where]), f"note {i} not by its reference"
    reader = PdfReader(io.BytesIO(data))
    assert [item.title for item in reader.outline if not isinstance(item, list)] == []  # no "Notes"
    holding = [n for n, text in enumerate(pages) if "continued continued" in text]
    assert len(holding) >= 2  # a note too long for its page goes on at the next one's foot
    assert squash(text_of(data)).count("9. continued") == 1
    to_note = to_text = 0
    for page in reader.pages:  # links both ways: reference -> note -> reference
        for annotation in (a.get_object() for a in page.get("/Annots", [])):
            if "/Dest" not in annotation:
                continue
            source_y, target_y = float(annotation["/Rect"][1]), float(annotation["/Dest"][3])
            to_note += target_y < source_y  # the notes are below their references
            to_text += target_y > source_y + 12
    assert to_note >= 8 and to_text >= 8, (to_note, to_text)


def test_header_cells_break_between_words_never_inside(tmp_path: Path) -> None:
    table = ("| n | total_cases_3_months | rate |\n|---|---|---|\n"
             + "".join(f"| {i} | {i * 7} | 0.{i} |\n" for i in range(4)))
    body = "Before the table.\n\n" + table + "\nAfter the table."
    path = write_article(tmp_path / "table", "title: Table\ndate: 2024-01-02", body)
    data = render(path)
    assert "total_cases_3_months" in _pdftotext(data, tmp_path)  # one line: the column fits it
    boxes = dict(re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(Before|'
                            r'total_cases_3_months|After)<', _pdftotext(data, tmp_path, "-bbox")))
    top = {word: float(y) for y, word in boxes.items()}
    assert top["total_cases_3_months"] - top["Before"] > 14 + 6  # a line and the space above


def test_a_figure_too_tall_for_the_page_waits_while_the_text_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "float"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "tall.png").write_bytes(
        (Path(TORTURE).parent / "figures" / "gradient.png").read_bytes())
    filler = " ".join(["filler"] * 450)  # most of page 1
    body = (f"{filler}\n\n![A tall figure.](figures/tall.png){{width=90%}}\n\n"
            + "Text after the figure goes on here. " * 8)
    path = write_article(folder, "title: Float\ndate: 2024-01-02", body)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(render(path))).pages]
    assert "Text after the figure" in pages[0]  # the text fills page 1
    assert "A tall figure." in pages[1] and "A tall figure." not in pages[0]


def _chars(data: bytes) -> list[tuple[int, str, float, float, float, str]]:
    """Every character of the PDF: (page, text, size, x, baseline, font name), from pdfium."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(data)
    out = []
    x, y = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(128)
    for number in range(len(document)):
        textpage = document[number].get_textpage()
        for index in range(textpage.count_chars()):
            if raw.FPDFText_IsGenerated(textpage, index):
                continue
            raw.FPDFText_GetCharOrigin(textpage, index, x, y)
            length = raw.FPDFText_GetFontInfo(textpage, index, name, 128, None)
            out.append((number, chr(raw.FPDFText_GetUnicode(textpage, index)),
                        round(raw.FPDFText_GetFontSize(textpage, index), 2), x.value,
                        round(y.value, 1), name.raw[:max(length - 1, 0)].decode()))
    document.close()
    return out


def test_draft_numbers_code_lines_and_display_formulas(tmp_path: Path) -> None:
    code = "\n".join(f"value_{n} = compute({n})" for n in range(1, 8))
    body = (LONG_WORDS * 3 + f"\n\n```\n{code}\n```\n\n" + LONG_WORDS
            + "\n\n$$E = m c^2$$\n\n" + LONG_WORDS + "\n\n$$\\int_0^1 x\\,dx = \\frac{1}{2}$$\n")
    path = write_article(tmp_path / "draft", "title: Draft\ndate: 2024-01-02", body)
    resolved, front = prepare(path)
    chars = _chars(PdfBackend().render(resolved, front, RenderOptions(EPOCH, draft=True)))
    numbers: dict[tuple[int, float], str] = {}
    for page, char, size, x, baseline, _font in chars:  # the margin's numbers, digit by digit
        if x < 55 and size == 6.5:
            numbers[(page, baseline)] = numbers.get((page, baseline), "") + char
    code_lines = sorted({(page, baseline) for page, char, size, _x, baseline, font in chars
                         if "Mono" in font and size == 8.5 and char == "v"}, reverse=True)
    assert len(code_lines) == 7
    assert all(line in numbers for line in code_lines)  # each code line at its baseline
    formulas = sorted({(page, baseline) for page, char, _size, _x, baseline, font in chars
                       if "Math" in font and char in "E∫"})
    assert len(formulas) == 2
    assert all(line in numbers for line in formulas)  # one number at each formula's baseline
    ordered = [int(numbers[key]) for key in sorted(numbers, key=lambda k: (k[0], -k[1]))]
    assert ordered == list(range(1, len(ordered) + 1))  # top to bottom, on from page to page
    first = int(numbers[code_lines[0]])  # code_lines: top to bottom
    assert [int(numbers[line]) for line in code_lines] == list(range(first, first + 7))


def test_thirty_authors_are_set_compactly_and_check_reads_every_one(tmp_path: Path) -> None:
    from galleys.check.parity import check_path, format_report
    from galleys.cli.main import main

    authors = "\n".join(f"  - name: Author{n} Familyname{n}\n    affiliations: [a{n % 10}]"
                        for n in range(1, 31))
    affiliations = "\n".join(f"  - id: a{n}\n    name: Department {n}, University of Town {n}"
                             for n in range(10))
    source = tmp_path / "source"
    write_article(source / "many", f"title: Thirty hands\nauthor:\n{authors}\naffiliations:\n"
                  f"{affiliations}\ndate: 2024-01-02", "# One\n\n" + LONG_WORDS * 3)
    out = tmp_path / "out"
    assert main(["convert", str(source / "many"), "-o", str(out), "-q"]) == 0
    data = (out / "many.pdf").read_bytes()
    sizes = {size for _page, char, size, *_ in _chars(data) if char == "F"}
    assert 10.0 in sizes and 11.0 not in sizes  # the names at the compact size
    text = _pdftotext(data, tmp_path, "-f", "1", "-l", "1")
    assert "University of Town 1; 2 Department 2" in squash(text)  # affiliations run together
    assert "Familyname30" in text
    (report,) = check_path(out, source, validate=False)
    assert report.ok, format_report(report)
    assert len([row for row in report.rows if row.kind == "affiliation"]) == 10
