"""A journal's Word template as the DOCX reference: its styles kept, galleys' missing ones
added, none replaced; a hostile or broken template refused with the file named."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from conftest import SEED, copy_seed
from docx.shared import Pt
from lxml import etree

from galleys.check.parity import check_path, format_report
from galleys.cli.main import main
from galleys.errors import SourceError
from galleys.writers.docx.reference import FRONT_STYLES, W, journal_reference_docx

WNS = {"w": W}


@pytest.fixture
def template(tmp_path):
    """Word's own default template (python-docx's) with the journal's Title restyled and an
    Abstract style of its own."""
    document = docx.Document()
    title = document.styles["Title"]
    title.font.name, title.font.size = "Georgia", Pt(30)
    abstract = document.styles.add_style("Abstract", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    abstract.font.name = "Garamond"
    path = tmp_path / "journal.docx"
    document.save(str(path))
    return path


def _styles(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/styles.xml"))


def _by_name(root, name):
    return [s for s in root.iterfind("w:style", WNS)
            if s.find("w:name", WNS).get(f"{{{W}}}val").lower() == name.lower()]


def test_the_journals_styles_are_kept_and_ours_added(template):
    data, added = journal_reference_docx(template)
    root = _styles(data)
    (title,) = _by_name(root, "Title")
    assert title.find("w:rPr/w:rFonts", WNS).get(f"{{{W}}}ascii") == "Georgia"
    assert title.find("w:rPr/w:sz", WNS).get(f"{{{W}}}val") == "60"
    (abstract,) = _by_name(root, "Abstract")
    assert abstract.find("w:rPr/w:rFonts", WNS).get(f"{{{W}}}ascii") == "Garamond"
    assert "Title" not in added and "Abstract" not in added
    for name in ("Author", "Journal Line", "How to Cite", "Front Matter Label"):
        assert name in added and len(_by_name(root, name)) == 1
    for name in FRONT_STYLES:  # every style the front matter uses is there, once
        assert len(_by_name(root, name)) == 1, name
    assert docx.Document(io.BytesIO(data)).styles["Author"].name == "Author"  # Word opens it


def test_a_template_holding_every_style_gets_none_added(template):
    data, _ = journal_reference_docx(template)
    full = template.with_name("full.docx")
    full.write_bytes(data)
    again, added = journal_reference_docx(full)
    assert added == ()
    assert etree.tostring(_styles(again)) == etree.tostring(_styles(data))


def test_a_template_with_an_entity_is_refused(template, tmp_path):
    with zipfile.ZipFile(template) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["word/styles.xml"] = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
                                + parts["word/styles.xml"].split(b"?>", 1)[1])
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(bad, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(SourceError, match="DTD or entity") as caught:
        journal_reference_docx(bad)
    assert str(bad) in str(caught.value)


def test_not_a_docx_is_refused(tmp_path):
    fake = tmp_path / "template.docx"
    fake.write_text("not a zip")
    with pytest.raises(SourceError, match="not a readable DOCX") as caught:
        journal_reference_docx(fake)
    assert str(fake) in str(caught.value)


def test_journal_yaml_names_the_template_and_the_edition_uses_it(template, tmp_path):
    journal = docx.Document(str(template))
    journal.sections[0].footer.paragraphs[0].text = "The Journal's own footer"
    source = copy_seed(tmp_path / "source")
    journal.save(str(source / "journal.docx"))
    (source / "journal.yaml").write_text((source / "journal.yaml").read_text()
                                         + "reference-doc: journal.docx\n")
    dist = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(dist), "-t", "docx", "-q"]) == 0
    edition = dist / SEED / f"{SEED}.docx"
    root = _styles(edition.read_bytes())
    (title,) = _by_name(root, "Title")
    assert title.find("w:rPr/w:rFonts", WNS).get(f"{{{W}}}ascii") == "Georgia"
    assert len(_by_name(root, "Author")) == 1
    opened = docx.Document(str(edition))
    assert [p.style.name for p in opened.paragraphs[:2]] == ["Title", "Author"]
    footers = " ".join(p.text for s in opened.sections for p in s.footer.paragraphs)
    assert "The Journal's own footer" in footers
    (report,) = check_path(dist / SEED, source, validate=False)
    assert report.ok, format_report(report)


@pytest.mark.parametrize("value, message", [
    ("../outside.docx", "is outside the folder of journal.yaml"),
    ("missing.docx", "Word template 'missing.docx' does not exist"),
    ("journal.yaml", "expected a Word file (.docx)"),
])
def test_a_bad_reference_doc_names_journal_yaml(tmp_path, capsys, value, message):
    source = copy_seed(tmp_path / "source")
    (tmp_path / "outside.docx").write_bytes(b"x")
    text = (source / "journal.yaml").read_text() + f"reference-doc: {value}\n"
    (source / "journal.yaml").write_text(text)
    assert main(["convert", str(source / SEED), "-t", "docx", "-o", str(tmp_path / "o")]) == 65
    err = capsys.readouterr().err
    assert message in err and f"{source / 'journal.yaml'}:" in err and "reference-doc" in err


def test_an_edited_template_rebuilds_the_articles(template, tmp_path, capsys):
    source = copy_seed(tmp_path / "source")
    document = docx.Document(str(template))
    document.save(str(source / "journal.docx"))
    (source / "journal.yaml").write_text((source / "journal.yaml").read_text()
                                         + "reference-doc: journal.docx\n")
    args = ["build", str(source), "-o", str(tmp_path / "dist"), "-t", "docx"]
    assert main(args) == 0
    assert main(args) == 0
    assert "0 built, 1 skipped" in capsys.readouterr().out
    document.styles["Title"].font.name = "Palatino"
    document.save(str(source / "journal.docx"))
    assert main(args) == 0
    assert "1 built, 0 skipped" in capsys.readouterr().out
    edition = tmp_path / "dist" / SEED / f"{SEED}.docx"
    (title,) = _by_name(_styles(edition.read_bytes()), "Title")
    assert title.find("w:rPr/w:rFonts", WNS).get(f"{{{W}}}ascii") == "Palatino"
