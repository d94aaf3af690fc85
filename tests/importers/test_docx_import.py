"""`galleys import manuscript.docx`: manuscripts in several layouts, our own DOCX round trip,
hostile packages. Every manuscript is built here with python-docx."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
import yaml

from galleys import pandoc
from galleys.builder import coordinator as build
from galleys.cli.main import main
from galleys.front.inlines import pandoc_text
from galleys.importers.docx_safety import read_package
from galleys.read.markdown import read_article
from galleys.resolve.passes import resolve

docx = pytest.importorskip("docx")
from docx.enum.style import WD_STYLE_TYPE  # noqa: E402
from docx.shared import Inches  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TORTURE = ROOT / "tests" / "fixtures" / "torture"
SEED = ROOT / "source" / "malik-2014-pakistan-japan-relations"
GRADIENT = TORTURE / "figures" / "gradient.png"
PREFIX = "# galleys import: not found, fill in if known: "


def _runs(paragraph, *parts):
    """Add runs: a str is plain; (text, "sup"|"b"|"i") is formatted."""
    for part in parts:
        text, kind = (part, "") if isinstance(part, str) else part
        run = paragraph.add_run(text)
        run.font.superscript = kind == "sup" or None
        run.bold = kind == "b" or None
        run.italic = kind == "i" or None
    return paragraph


def _body(document):
    document.add_heading("Introduction", level=1)
    _runs(document.add_paragraph(), "Soil holds ", ("more", "i"), " carbon than ", ("air", "b"),
          ".")
    document.add_paragraph("first point", style="List Bullet")
    document.add_paragraph("second point", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, (("Site", "Carbon"), ("North", "4.2")), strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("Methods", level=2)
    document.add_paragraph("We dug holes.")


def _import(tmp_path, document, name="manuscript.docx", *extra):
    path = tmp_path / name
    document.save(path)
    out = tmp_path / "source" / "article"
    code = main(["import", str(path), "-o", str(out), "-q", *extra])
    assert code == 0
    return out / "article.md"


def _front(article: Path) -> tuple[dict, list[str]]:
    text = article.read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    missing = [line[len(PREFIX):] for line in front.splitlines() if line.startswith(PREFIX)]
    return yaml.safe_load(front), missing


# -- layouts ------------------------------------------------------------------------------
def test_styled_manuscript(tmp_path):
    document = docx.Document()
    for name in ("Author", "Affiliation", "Abstract", "Keywords"):
        document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    _runs(document.add_paragraph(style="Title"), "Soil ", ("Carbon", "i"), " in Dry Lands")
    document.add_paragraph("A field study", style="Subtitle")
    _runs(document.add_paragraph(style="Author"), "Prof. Jane Doe", ("1,2", "sup"))
    _runs(document.add_paragraph(style="Author"), "Omar bin Said", ("2", "sup"))
    _runs(document.add_paragraph(style="Affiliation"), ("1", "sup"), "University of Lahore")
    _runs(document.add_paragraph(style="Affiliation"), ("2", "sup"), "Arid Zone Institute, Jodhpur")
    document.add_paragraph("We measured soil carbon at 40 sites.", style="Abstract")
    document.add_paragraph("Keywords: soil; carbon; drylands", style="Keywords")
    _body(document)
    article = _import(tmp_path, document)

    meta = read_article(article).metadata
    assert meta.title == "Soil *Carbon* in Dry Lands"
    assert meta.subtitle == "A field study"
    jane, omar = meta.authors
    assert (jane.honorific, jane.given, jane.family) == ("Prof.", "Jane", "Doe")
    assert (omar.given, omar.particle, omar.family) == ("Omar", "bin", "Said")
    names = {a.id: a.name for a in meta.affiliations}
    assert [names[i] for i in jane.affiliations] == [
        "University of Lahore", "Arid Zone Institute, Jodhpur"]
    assert [names[i] for i in omar.affiliations] == ["Arid Zone Institute, Jodhpur"]
    assert meta.abstract == "We measured soil carbon at 40 sites."
    assert meta.keywords == ("soil", "carbon", "drylands")

    front, missing = _front(article)
    for absent in ("DOI", "URL", "licence", "published date", "journal volume", "journal issue",
                   "pages", "journal title"):
        assert absent in missing
    assert "abstract" not in missing and "keywords" not in missing
    assert "date" not in front and "doi" not in front and "license" not in front  # not invented
    body = read_article(article).body
    assert "# Introduction" in body and "## Methods" in body
    assert "Soil holds *more* carbon than **air**." in body
    assert "- first point" in body and "North" in body and "4.2" in body
    assert "Jane Doe" not in body and "University of Lahore" not in body  # front matter moved


def _plain_manuscript():
    document = docx.Document()
    title = document.add_paragraph()
    _runs(title, ("Water Use of ", "b"), ("Date Palms", "b"))
    _runs(document.add_paragraph(), "Dr. Amina Yusuf", ("1", "sup"), ", Li Wei", ("2,*", "sup"),
          " and Carlos de la Cruz", ("1", "sup"))
    document.add_paragraph("1 Department of Botany, University of Khartoum, Sudan")
    _runs(document.add_paragraph(), ("2", "sup"), "Desert Research Centre, Cairo, Egypt")
    document.add_paragraph("*Corresponding author: li.wei@example.org")
    _runs(document.add_paragraph(), ("Abstract", "b"))
    document.add_paragraph("Date palms drink a lot.")
    document.add_paragraph("We measured how much.")
    _runs(document.add_paragraph(), ("Keywords:", "b"), " irrigation, date palm, Sudan")
    document.add_heading("Background", level=1)
    document.add_paragraph("Palms grow in oases.")
    document.add_picture(str(GRADIENT), width=Inches(2))
    document.add_paragraph("Figure 1. A gradient.")
    document.add_paragraph("measure", style="List Number")
    document.add_paragraph("report", style="List Number")
    return document


def test_plain_layout_manuscript(tmp_path):
    article = _import(tmp_path, _plain_manuscript())
    meta = read_article(article).metadata
    assert meta.title == "Water Use of Date Palms"
    amina, li, carlos = meta.authors
    assert (amina.honorific, amina.given, amina.family) == ("Dr.", "Amina", "Yusuf")
    assert (li.given, li.family, li.email, li.corresponding) == (
        "Li", "Wei", "li.wei@example.org", True)
    assert (carlos.given, carlos.particle, carlos.family) == ("Carlos", "de la", "Cruz")
    names = {a.id: a.name for a in meta.affiliations}
    assert [names[i] for i in amina.affiliations] == [
        "Department of Botany, University of Khartoum, Sudan"]
    assert [names[i] for i in li.affiliations] == ["Desert Research Centre, Cairo, Egypt"]
    assert carlos.affiliations == amina.affiliations
    assert meta.abstract == "Date palms drink a lot.\n\nWe measured how much."
    assert meta.keywords == ("irrigation", "date palm", "Sudan")

    body = read_article(article).body
    assert body.lstrip().startswith("# Background")
    assert "Corresponding author" not in body and "Abstract" not in body
    # a captioned figure, without the manuscript's "Figure 1." (every edition numbers it)
    assert "![A gradient.](figures/figure-1.png)" in body
    assert (article.parent / "figures" / "figure-1.png").read_bytes() == GRADIENT.read_bytes()
    assert "1.  measure" in body and "2.  report" in body


def test_plain_layout_builds_into_every_edition(tmp_path):
    article = _import(tmp_path, _plain_manuscript())
    written = build.convert(article, tmp_path / "dist", ["pdf", "epub", "docx"])
    suffixes = {p.suffix for p in written}
    assert {".pdf", ".epub", ".docx"} <= suffixes
    epub = next(p for p in written if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as archive:
        text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                        if n.endswith(".xhtml"))
    assert "Water Use of Date Palms" in text and "Desert Research Centre" in text
    assert "Palms grow in oases." in text


def test_core_properties_only(tmp_path):
    document = docx.Document()
    core = document.core_properties
    core.title = "Notes on Rivers"
    core.author = "Ann Lee; Bo Chen"
    core.keywords = "rivers, floods"
    core.comments = "Rivers flood."
    document.add_paragraph("Rivers are wet. This opening paragraph is ordinary body text.")
    article = _import(tmp_path, document)
    meta = read_article(article).metadata
    assert meta.title == "Notes on Rivers"
    assert [(a.given, a.family) for a in meta.authors] == [("Ann", "Lee"), ("Bo", "Chen")]
    assert meta.keywords == ("rivers", "floods")
    assert meta.abstract == "Rivers flood."
    text = article.read_text(encoding="utf-8")
    assert "# galleys import: authors taken from the document properties" in text
    assert "# galleys import: title taken from the document properties" in text
    _, missing = _front(article)
    assert "affiliation of author 1" in missing and "affiliation of author 2" in missing
    assert read_article(article).body.strip().startswith("Rivers are wet.")


def test_nothing_found_is_reported_never_invented(tmp_path, capsys):
    document = docx.Document()
    document.core_properties.author = ""
    document.core_properties.comments = ""  # python-docx's template says "generated by …"
    document.add_paragraph("Just some text without any front matter at all, as a draft has.")
    path = tmp_path / "draft.docx"
    document.save(path)
    out = tmp_path / "source" / "draft"
    assert main(["import", str(path), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "not found in draft.docx: title" in err and "not found in draft.docx: authors" in err
    front, missing = _front(out / "article.md")
    assert {"title", "authors", "abstract", "keywords", "DOI"} <= set(missing)
    assert set(front) == {"slug"}  # nothing invented
    # The editor is told in one line what to fill in before it builds:
    assert main(["convert", str(out / "article.md"), "-o", str(tmp_path / "d")]) == 65


def test_existing_figures_are_not_replaced_without_force(tmp_path):
    _import(tmp_path, _plain_manuscript())
    (tmp_path / "source" / "article" / "article.md").unlink()
    path = tmp_path / "manuscript.docx"
    out = tmp_path / "source" / "article"
    assert main(["import", str(path), "-o", str(out), "-q"]) == 73  # figures/figure-1.png
    assert not (out / "article.md").exists()
    assert main(["import", str(path), "-o", str(out), "-q", "--force"]) == 0


# -- round trip of our own DOCX edition ---------------------------------------------------
def _edition(tmp_path: Path, article: Path) -> Path:
    (written,) = [p for p in build.convert(article, tmp_path / "dist", ["docx"])
                  if p.suffix == ".docx"]
    return written


def _people(meta) -> list:
    names = {a.id: a.name for a in meta.affiliations}
    return [dataclasses.replace(a, affiliations=tuple(names[i] for i in a.affiliations))
            for a in meta.authors]


def _body_words(article: Path) -> list[str]:
    resolved = resolve(read_article(article))
    ast = json.dumps(resolved.ast).encode("utf-8")
    text = pandoc.run(["-f", "json", "-t", "plain", "--wrap=none"], ast).output.decode("utf-8")
    return text.split()


def _same_metadata(original, imported, *, skip=()):
    for name in ("title", "subtitle", "date", "doi", "url", "license", "keywords", "lang"):
        assert getattr(imported, name) == getattr(original, name), name
    assert imported.abstract.strip() == original.abstract.strip()
    # Affiliation ids are the source's own names for them: compare what they stand for.
    assert _people(imported) == _people(original)
    assert [a.name for a in imported.affiliations] == [a.name for a in original.affiliations]
    for name in ("title", "volume", "issue", "pages"):
        if name not in skip:
            assert getattr(imported.journal, name) == getattr(original.journal, name), name


def test_round_trip_of_the_torture_edition(tmp_path):
    edition = _edition(tmp_path, TORTURE / "article.md")
    out = tmp_path / "source" / "torture"
    assert main(["import", str(edition), "-o", str(out), "-q"]) == 0
    article = out / "article.md"
    original = read_article(TORTURE / "article.md").metadata
    imported = read_article(article).metadata
    _same_metadata(original, imported)
    ada = imported.authors[0]
    assert (ada.honorific, ada.orcid, ada.email, ada.corresponding) == (
        "Dr.", "0000-0002-1825-0097", "ada@example.org", True)
    assert (out / "figures" / "figure-1.png").read_bytes() == GRADIENT.read_bytes()

    body = read_article(article).body
    assert "[^1]:" in body and "A footnote with *emphasis*" in body  # footnotes kept
    assert "# Introduction" in body and "### A third-level heading" in body
    assert "- Nested bullet" in body and "1.  Ordered inside nested" in body
    assert "Pakistan" in body and "241.5" in body  # the table
    assert "How to Cite" not in body and "Lovelace, A." not in body  # front matter moved
    assert "Table 1" not in body and "Figure 1" not in body  # the edition's caption labels
    assert ": Populations in 2023\n" in body and "![A gradient figure with a caption.]" in body
    # The same body text (citations, as printed in the edition, stay as text), the captions
    # numbered once:
    words = _body_words(article)
    expected = _body_words(TORTURE / "article.md")
    assert _normalized(words) == _normalized(expected)
    assert " ".join(words).count("Table 1: Populations in 2023") == 1


def test_edition_without_custom_properties_uses_its_printed_lines(tmp_path):
    edition = _edition(tmp_path, TORTURE / "article.md")
    stripped = tmp_path / "stripped.docx"
    with zipfile.ZipFile(edition) as source, zipfile.ZipFile(stripped, "w") as target:
        for name in source.namelist():
            if name not in ("docProps/custom.xml", "docProps/core.xml"):
                target.writestr(name, source.read(name))
    out = tmp_path / "source" / "torture"
    assert main(["import", str(stripped), "-o", str(out), "-q"]) == 0
    original = read_article(TORTURE / "article.md").metadata
    imported = read_article(out / "article.md").metadata
    _same_metadata(original, imported)  # journal line, DOI, URL, licence paragraphs


def _normalized(words: list[str]) -> str:
    # pandoc's plain text gives a table's id after its caption ("{#tbl:pop}"), which Word
    # keeps as a bookmark only; its equations come back as TeX spelled with other braces and
    # spaces ($x^{2}$ for $x^2$): compare without those.
    text = " ".join(words).replace("{#tbl:pop}", "")
    return re.sub(r"[\s{}]", "", text)


def test_caption_labels_in_the_journals_words_are_left_out(tmp_path):
    # A German journal's edition prints "Tabelle 1:" and "Abbildung 1:"; imported into that
    # journal's source, the captions come back without them and are numbered once again.
    journal = tmp_path / "quelle"
    shutil.copytree(TORTURE, journal / "folter")
    (journal / "journal.yaml").write_text(
        "labels:\n  figure: Abbildung\n  table: Tabelle\n", encoding="utf-8")
    edition = _edition(tmp_path, journal / "folter" / "article.md")
    with zipfile.ZipFile(edition) as package:
        printed = package.read("word/document.xml").decode("utf-8")
    assert "Tabelle 1:" in printed and "Abbildung 1:" in printed
    out = journal / "wieder"
    assert main(["import", str(edition), "-o", str(out), "-q"]) == 0
    body = read_article(out / "article.md").body
    assert "Tabelle 1" not in body and "Abbildung 1" not in body
    assert ": Populations in 2023\n" in body and "![A gradient figure with a caption.]" in body
    blocks = resolve(read_article(out / "article.md")).ast["blocks"]
    captions = [pandoc_text(b["c"][1][1][0]["c"]) for b in blocks if b["t"] in ("Table", "Figure")]
    assert captions == ["Tabelle 1: Populations in 2023",
                        "Abbildung 1: A gradient figure with a caption."]


def test_round_trip_of_the_seed_edition(tmp_path):
    source = tmp_path / "orig"
    shutil.copytree(SEED.parent, source, ignore=shutil.ignore_patterns("dist"))
    article_in = source / SEED.name / "article.md"
    edition = _edition(tmp_path, article_in)
    out = tmp_path / "source" / SEED.name
    assert main(["import", str(edition), "-o", str(out), "-q"]) == 0
    original = read_article(article_in).metadata
    imported = read_article(out / "article.md").metadata
    _same_metadata(original, imported)
    assert imported.slug == original.slug
    assert dataclasses.replace(imported.journal, issue_title="") == dataclasses.replace(
        original.journal, issue_title="")
    assert _body_words(out / "article.md") == _body_words(article_in)


# -- hostile packages ---------------------------------------------------------------------
def _package(tmp_path: Path, replace: dict[str, bytes], name="hostile.docx") -> Path:
    document = docx.Document()
    document.add_paragraph("Hello")
    good = tmp_path / "good.docx"
    document.save(good)
    path = tmp_path / name
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info.filename, source.read(info.filename))
        for entry, data in replace.items():
            target.writestr(entry, data)
    return path


_XXE = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
_BILLION = (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<cp:coreProperties xmlns:cp='x'>&b;</cp:coreProperties>")


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"word/document.xml": _XXE}, "DTD or entity declaration is not allowed"),
        ({"docProps/core.xml": _BILLION}, "DTD or entity declaration is not allowed"),
        ({"word/document.xml": _XXE.decode().replace('"1.0"?', '"1.0" encoding="UTF-16"?')
          .encode("utf-16")}, "DTD or entity declaration is not allowed"),
        ({"../../evil.txt": b"x"}, "unsafe zip entry name '../../evil.txt'"),
        ({"word/../../evil.xml": b"<a/>"}, "unsafe zip entry name"),
        ({"/etc/evil": b"x"}, "unsafe zip entry name '/etc/evil'"),
        ({"word\\media\\x.png": b"x"}, "unsafe zip entry name"),
        ({"word/styles.xml": b"<unclosed>"}, "not well-formed XML"),
    ],
    ids=["xxe", "entity-expansion", "utf16-dtd", "dotdot", "inner-dotdot", "absolute",
         "backslash", "malformed"],
)
def test_hostile_package_is_refused(tmp_path, capsys, replace, message):
    path = _package(tmp_path, replace)
    out = tmp_path / "source" / "x"
    assert main(["import", str(path), "-o", str(out)]) == 65
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()  # nothing written
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


def _claim_size(data: bytes, name: bytes, size: int) -> bytes:
    """The zip with `name` claiming `size` bytes unpacked, in its local and central headers."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            name_at = start + (30 if offset == 22 else 46)
            if out[name_at : name_at + len(name)] == name:
                out[start + offset : start + offset + 4] = struct.pack("<I", size)
            start += 4
    return bytes(out)


def test_zip_bomb_is_bounded(tmp_path, capsys):
    # 2 GB of zeros declared (as a real bomb would), checked before anything is unpacked.
    path = _package(tmp_path, {"word/media/zeros.bin": b"\0" * 1000})
    path.write_bytes(_claim_size(path.read_bytes(), b"word/media/zeros.bin", 2_000_000_000))
    assert main(["import", str(path), "-o", str(tmp_path / "out")]) == 65
    assert "over the limit of 300000000 (a zip bomb?)" in capsys.readouterr().err
    # An entry that unpacks to more than it declares is cut at the declared size and refused.
    path = _package(tmp_path, {"word/media/zeros.bin": b"\0" * 100_000}, name="liar.docx")
    path.write_bytes(_claim_size(path.read_bytes(), b"word/media/zeros.bin", 10))
    assert main(["import", str(path), "-o", str(tmp_path / "out")]) == 65
    assert "not a readable DOCX" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_too_many_entries_and_lying_sizes(tmp_path):
    path = _package(tmp_path, {f"word/media/{i}.bin": b"" for i in range(30)})
    with pytest.raises(Exception, match="entries, over the limit of 20"):
        read_package(path, max_entries=20)
    with pytest.raises(Exception, match="over the limit of 1000"):
        read_package(path, max_total=1000)
    assert "word/document.xml" in read_package(path)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "https://example.org/x.png",
                                    "../../../../etc/passwd"])
def test_linked_or_escaping_image_is_never_read(tmp_path, capsys, target):
    document = docx.Document()
    document.add_paragraph("Text before.")
    document.add_picture(str(GRADIENT))
    good = tmp_path / "good.docx"
    document.save(good)
    with zipfile.ZipFile(good) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
    mode = "" if target.startswith("..") else ' TargetMode="External"'
    rels = rels.replace('Target="media/image1.png"', f'Target="{target}"{mode}')
    path = _package(tmp_path, {"word/_rels/document.xml.rels": rels.encode()}, "linked.docx")
    out = tmp_path / "source" / "x"
    assert main(["import", str(path), "-o", str(out)]) == 0
    assert not (out / "figures").exists()
    text = (out / "article.md").read_text(encoding="utf-8")
    assert "root:" not in text
    if mode:
        assert f"# galleys import: linked picture {target!r} left out" in text
        assert f"linked picture {target!r} left out" in capsys.readouterr().err


def test_not_a_docx(tmp_path, capsys):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert main(["import", str(path), "-o", str(tmp_path / "out")]) == 65
    assert "not a readable DOCX" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.docx"), "-o", str(tmp_path / "o")]) == 66


def test_round_trip_of_cross_references_prints_each_number_once(tmp_path):
    # The numbers the edition prints (a referred-to section's "1", a labelled equation's
    # "(1)", caption labels) are galleys' own: the import leaves them out, the next build
    # prints each once again. (The references come back as the text they printed: Word's
    # bookmarks, their targets, are not read by pandoc.)
    folder = tmp_path / "source" / "xref"
    shutil.copytree(TORTURE / "figures", folder / "figures")
    (folder / "article.md").write_text(
        "---\ntitle: Cross-references\nauthor: Ann Author\ndate: 2024-01-02\n---\n\n"
        "# Intro {#sec-intro}\n\nSee @tbl-pop, @fig-g, @eq-e and @sec-intro.\n\n"
        "## Detail\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: Pops {#tbl-pop}\n\n"
        "![Grad](figures/gradient.png){#fig-g}\n\n$$x = 1$$ {#eq-e}\n\n# 2024 in numbers\n",
        encoding="utf-8")
    edition = _edition(tmp_path, folder / "article.md")
    out = tmp_path / "source" / "again"
    assert main(["import", str(edition), "-o", str(out), "-q"]) == 0
    body = read_article(out / "article.md").body
    assert "# Intro\n" in body and "## Detail\n" in body and "# 2024 in numbers" in body
    assert "[$$x = 1$$]{#eq-1 .equation}" in body and "qquad" not in body
    assert ": Pops\n" in body and "![Grad]" in body
    resolved = resolve(read_article(out / "article.md"))
    text = " ".join(_body_words(out / "article.md"))
    assert "See Table 1, Figure 1, Equation 1 and Section 1." in text
    assert "Table 1: Pops" in text and text.count("Table 1") == 2 and "1 Intro" not in text
    blocks = resolved.ast["blocks"]
    figure = next(b for b in blocks if b["t"] == "Figure")
    assert pandoc_text(figure["c"][1][1][0]["c"]) == "Figure 1: Grad"
    equation = next(n for b in blocks if b["t"] == "Para" for n in b["c"] if n["t"] == "Span")
    assert equation["c"][0] == ["eq-1", ["equation"], [["number", "1"]]]


def test_heading_numbers_of_the_authors_own_are_kept(tmp_path):
    document = docx.Document()
    document.add_heading("A Title That Is Long Enough", level=0)
    document.add_heading("2 Methods", level=1)  # not what numbering gives the first section
    document.add_paragraph("Text.")
    document.add_heading("3 Results", level=1)
    document.add_paragraph("More.")
    body = read_article(_import(tmp_path, document)).body
    assert "# 2 Methods" in body and "# 3 Results" in body
