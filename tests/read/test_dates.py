"""Dates as authors write them: every form read with its precision, shown alike everywhere."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from galleys import writers
from galleys.builder.articles import article_epoch, prepare
from galleys.cli.main import main
from galleys.front.frontmatter import format_date
from galleys.model import PublicationDate
from galleys.read.dates import UnreadableDate, publication_date
from galleys.read.markdown import read_article
from galleys.writers import RenderOptions, citation_files
from galleys.writers.landing.meta import Links, meta_tags

GALLEYS = Path(sys.executable).with_name("galleys")

# (date as written in the YAML, date-parts, displayed date, BibTeX month or None)
FORMS = [
    ("13 August 2017", [2017, 8, 13], "August 13, 2017", "8"),
    ("18. December 2020", [2020, 12, 18], "December 18, 2020", "12"),
    ("24 Sep 2020", [2020, 9, 24], "September 24, 2020", "9"),
    ("August 13, 2017", [2017, 8, 13], "August 13, 2017", "8"),
    ("Sunday, 13 August 2017", [2017, 8, 13], "August 13, 2017", "8"),
    ("13th of August, 2017", [2017, 8, 13], "August 13, 2017", "8"),
    ("2017-8-13", [2017, 8, 13], "August 13, 2017", "8"),  # YAML reads it as a date
    ("'2017-8-13'", [2017, 8, 13], "August 13, 2017", "8"),  # quoted: a string
    ("2017-08-13", [2017, 8, 13], "August 13, 2017", "8"),
    ("13/08/2017", [2017, 8, 13], "August 13, 2017", "8"),  # 13 cannot be a month
    ("2017-08", [2017, 8], "August 2017", "8"),
    ("August 2017", [2017, 8], "August 2017", "8"),
    ("2017", [2017], "2017", None),
    ("'2017'", [2017], "2017", None),
    ("2017-08-13T10:30:00+02:00", [2017, 8, 13], "August 13, 2017", "8"),
    ("2017-08-13 22:30:00", [2017, 8, 13], "August 13, 2017", "8"),
]


def write(folder: Path, front: str, name: str = "article.md", body: str = "Body text.\n") -> Path:
    article = folder / "src" / "art" / name
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text(f"---\ntitle: On Dates\nauthor: Jane Doe\n{front}\n---\n\n{body}")
    return article


def pdf_text(resolved, front) -> str:
    options = RenderOptions(source_date_epoch=article_epoch(resolved.metadata.date))
    data = writers.get("pdf").render(resolved, front, options)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"galleys-dates-{os.getpid()}.pdf"
    path.write_bytes(data)
    try:
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    finally:
        path.unlink()


@pytest.mark.parametrize(("written", "parts", "shown", "month"), FORMS, ids=[f[0] for f in FORMS])
def test_each_form_everywhere(tmp_path, monkeypatch, written, parts, shown, month):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    resolved, front = prepare(write(tmp_path, f"date: {written}"))
    assert resolved.metadata.date.parts == parts
    assert not resolved.warnings
    csl = json.loads(citation_files.csl_json(resolved))[0]
    assert csl["issued"] == {"date-parts": [parts]}
    bib = citation_files.bibtex(resolved)
    assert f"year = {{{parts[0]}}}" in bib
    assert (f"month = {{{month}}}" in bib) if month else ("month" not in bib)
    ris = citation_files.ris(resolved)
    assert f"PY  - {parts[0]}" in ris
    assert "DA  - " + "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) in ris
    assert front.published == shown
    assert front.published_iso == "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
    assert f"({parts[0]})" in front.how_to_cite_text and "n.d." not in front.how_to_cite_text
    text = pdf_text(resolved, front)
    assert shown in " ".join(text.split())


def test_a_year_alone_is_never_given_a_day(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    resolved, front = prepare(write(tmp_path, "date: 2017"))
    csl = json.loads(citation_files.csl_json(resolved))[0]
    assert csl["issued"]["date-parts"] == [[2017]]
    tags = str(meta_tags(resolved, front, Links(page="", pdf="", image="")))
    assert '<meta name="citation_publication_date" content="2017"' in tags
    assert '<meta name="DC.date" content="2017"' in tags
    assert front.published == "2017"


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("XXX 2024", "'XXX' is not a month"),
        ("TBD", "'TBD' is not a month"),
        ("'08/09/2020'", "ambiguous"),
        ("2024-13-45", "is not a date"),
        ("31 February 2020", "is not a date"),
        ("August 13", "has no year"),
        ("''", "is not a date"),
    ],
)
def test_a_date_that_is_not_one_is_a_one_line_warning(tmp_path, written, why):
    path = write(tmp_path, f"date: {written}")
    warnings: list[str] = []
    article = read_article(path, warnings.append)
    assert article.metadata.date is None
    (message,) = [w for w in warnings if "date:" in w]
    assert message.startswith(f"{path}:4: warning: date: ")
    assert why in message and "13 August 2017" in message and "last-modified" in message
    assert "\n" not in message


def test_placeholder_date_with_strict_is_exit_65_naming_line_and_key(tmp_path, capsys):
    path = write(tmp_path, "date: XXX 2024")
    out = tmp_path / "out"
    assert main(["convert", str(path), "-o", str(out), "--to", "epub", "--strict"]) == 65
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{path}:4" in err and "date:" in err
    assert not out.exists()  # nothing half-written


def test_placeholder_date_without_strict_publishes_without_a_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    resolved, front = prepare(write(tmp_path, "date: XXX 2024"))
    assert front.published == "" and "n.d." in front.how_to_cite_text
    assert "issued" not in json.loads(citation_files.csl_json(resolved))[0]


@pytest.mark.parametrize("word", ["today", "now", "last-modified", "'\\today'", "Today"])
def test_quarto_words_take_source_date_epoch(tmp_path, monkeypatch, word):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    meta = read_article(write(tmp_path, f"date: {word}")).metadata
    assert meta.date == PublicationDate(2023, 11, 14)


def test_last_modified_is_the_last_commit_of_a_tracked_file(tmp_path, monkeypatch):
    git = shutil.which("git")
    if git is None:
        pytest.skip("needs git")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = write(tmp_path, "date: last-modified")
    stamp = "2019-05-04T23:30:00+02:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "paper"]):
        subprocess.run([git, *command], cwd=path.parent, env=env, check=True)
    os.utime(path, (0, 0))  # the file's time is not what counts when git tracks it
    assert read_article(path).metadata.date == PublicationDate(2019, 5, 4)


def test_today_without_git_is_the_file_time_even_in_a_build(tmp_path, monkeypatch):
    """A build's worker reads a copy of the folder: the date is still the original's."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # no repository above
    path = write(tmp_path, "date: today")
    moment = dt.datetime(2021, 3, 9, 12, 0, tzinfo=dt.UTC).timestamp()
    os.utime(path, (moment, moment))
    assert read_article(path).metadata.date == PublicationDate(2021, 3, 9)
    out = tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(
        [str(GALLEYS), "build", "src", "-o", str(out), "--to", "epub", "-j", "1", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
        env={**env, "GALLEYS_RESIDENT": "0", "GIT_CEILING_DIRECTORIES": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    front = json.loads((out / "art" / "art.frontmatter.json").read_text())
    assert front["published"] == "March 9, 2021"


@pytest.mark.parametrize(
    ("date_format", "shown"),
    [
        ("long", "August 6, 2017"),
        ("full", "Sunday, August 6, 2017"),
        ("medium", "Aug 6, 2017"),
        ("short", "8/6/17"),
        ("iso", "2017-08-06"),
        ("D MMMM YYYY", "6 August 2017"),
        ("dddd, MMMM Do, YYYY", "Sunday, August 6th, 2017"),
        ("DD.MM.YYYY", "06.08.2017"),
        ("[Published] YYYY", "Published 2017"),
    ],
)
def test_quarto_date_format(tmp_path, date_format, shown):
    resolved, front = prepare(write(tmp_path, f"date: 2017-08-06\ndate-format: '{date_format}'"))
    assert front.published == shown
    assert not resolved.warnings


def test_date_format_keeps_a_partial_date_partial():
    assert format_date(PublicationDate(2017, 8), "D MMMM YYYY") == "August 2017"
    assert format_date(PublicationDate(2017, 8), "YYYY-MM-DD") == "2017-08"
    assert format_date(PublicationDate(2017), "dddd, MMMM D, YYYY") == "2017"


def test_the_library_reads_and_refuses_directly(tmp_path):
    here = tmp_path / "a.md"
    here.write_text("")
    assert publication_date(2017, here) == PublicationDate(2017)
    assert publication_date(dt.date(2020, 1, 2), here) == PublicationDate(2020, 1, 2)
    for bad in (True, 2017.5, "Foo 2024", "Aug 2017 XYZ"):
        with pytest.raises(UnreadableDate):
            publication_date(bad, here)


def test_a_partial_date_is_partial_in_the_editions_metadata(tmp_path, monkeypatch):
    import io
    import zipfile

    from lxml import etree

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    resolved, front = prepare(write(tmp_path, "date: 2017-08"))
    options = RenderOptions(source_date_epoch=article_epoch(resolved.metadata.date))
    epub = writers.get("epub").render(resolved, front, options)
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        opf = next(n for n in archive.namelist() if n.endswith(".opf"))
        root = etree.fromstring(archive.read(opf))
    dates = root.findall(".//{http://purl.org/dc/elements/1.1/}date")
    assert [d.text for d in dates] == ["2017-08"]
    pdf = writers.get("pdf").render(resolved, front, options)
    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_data()
    assert b"<dc:date><rdf:Seq><rdf:li>2017-08</rdf:li></rdf:Seq></dc:date>" in xmp
    assert b"<prism:publicationDate>2017-08</prism:publicationDate>" in xmp
    assert b"<xmp:CreateDate>2017-08-01T00:00:00Z" in xmp  # a timestamp: the first day
    assert article_epoch(resolved.metadata.date) == int(
        dt.datetime(2017, 8, 1, tzinfo=dt.UTC).timestamp()
    )


def test_a_date_format_without_a_year_is_a_warning_and_the_default(tmp_path):
    resolved, front = prepare(write(tmp_path, "date: 2017-08-06\ndate-format: lng"))
    assert front.published == "August 6, 2017"
    (warning,) = resolved.warnings
    assert "date-format: 'lng' shows no year" in warning and ":5: warning:" in warning
