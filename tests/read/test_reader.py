"""The Markdown+YAML reader: every front-matter convention, and every bad input's one-line error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from galleys.cli.main import main
from galleys.errors import SourceError
from galleys.model import PublicationDate
from galleys.read.markdown import read_article


def write_article(
    folder: Path,
    front: str,
    body: str = "Body text.\n",
    journal: str | None = None,
    encoding_prefix: bytes = b"",
    newline: str = "\n",
) -> Path:
    article = folder / "src" / "art" / "article.md"
    article.parent.mkdir(parents=True, exist_ok=True)
    text = f"---\n{front.strip()}\n---\n\n{body}".replace("\n", newline)
    article.write_bytes(encoding_prefix + text.encode("utf-8"))
    if journal is not None:
        (folder / "src" / "journal.yaml").write_text(journal, encoding="utf-8")
    return article


def test_pandoc_author_string_splits_honorific(tmp_path):
    meta = read_article(write_article(tmp_path, "title: T\nauthor: Dr. Salma Malik")).metadata
    (author,) = meta.authors
    assert (author.honorific, author.given, author.family) == ("Dr.", "Salma", "Malik")


def test_pandoc_author_list_of_strings(tmp_path):
    meta = read_article(write_article(tmp_path, "title: T\nauthor: [Jane Doe, John Roe]")).metadata
    assert [a.family for a in meta.authors] == ["Doe", "Roe"]


JOSS = """
title: 'Gala: A Python package for galactic dynamics'
tags: [Python, astronomy]
authors:
  - name: Adrian M. Price-Whelan
    orcid: 0000-0002-1825-0097
    equal-contrib: true
    affiliation: "1, 2"
  - given-names: Ludwig
    non-dropping-particle: van
    surname: Beethoven
    affiliation: 3
affiliations:
 - name: Lyman Spitzer, Jr. Fellow, Princeton University, USA
   index: 1
 - name: Institution Name, Country
   index: 2
 - name: Independent Researcher, Country
   index: 3
date: 13 August 2017
bibliography: paper.bib
"""


def test_joss_front_matter(tmp_path):
    front = JOSS.replace("date: 13 August 2017", "date: 2017-08-13").replace(
        "bibliography: paper.bib\n", ""
    )
    meta = read_article(write_article(tmp_path, front)).metadata
    first, second = meta.authors
    assert (first.given, first.family, first.orcid) == (
        "Adrian M.",
        "Price-Whelan",
        "0000-0002-1825-0097",
    )
    assert first.affiliations == ("1", "2")
    assert (second.given, second.particle, second.family) == ("Ludwig", "van", "Beethoven")
    assert second.affiliations == ("3",)
    assert [a.name for a in meta.affiliations] == [
        "Lyman Spitzer, Jr. Fellow, Princeton University, USA",
        "Institution Name, Country",
        "Independent Researcher, Country",
    ]
    assert meta.keywords == ("Python", "astronomy")


QUARTO = """
title: "Quarto Paper"
author:
  - name:
      given: Norah
      family: Jones
    orcid: https://orcid.org/0000-0001-5109-3700
    email: norah@example.edu
    corresponding: true
    affiliations:
      - ref: ucla
  - name: Bill Gates
    affiliations:
      - name: Microsoft
        city: Redmond
        country: USA
affiliations:
  - id: ucla
    name: University of California, Los Angeles
    department: Department of Statistics
citation:
  container-title: Journal of Data Science
  volume: 3
  issue: 1
  page: 10-20
  doi: 10.1234/jds.2024.1
"""


def test_quarto_front_matter(tmp_path):
    meta = read_article(write_article(tmp_path, QUARTO)).metadata
    jones, gates = meta.authors
    assert (jones.given, jones.family, jones.orcid, jones.corresponding) == (
        "Norah",
        "Jones",
        "0000-0001-5109-3700",
        True,
    )
    assert meta.affiliation(jones.affiliations[0]).name == (
        "Department of Statistics, University of California, Los Angeles"
    )
    assert meta.affiliation(gates.affiliations[0]).name == "Microsoft, Redmond, USA"
    assert meta.journal.title == "Journal of Data Science"
    assert (meta.journal.volume, meta.journal.issue, meta.journal.pages) == ("3", "1", "10-20")
    assert meta.doi == "10.1234/jds.2024.1"


def test_own_keys_and_journal_defaults(tmp_path):
    front = """
title: Own
subtitle: Keys
author:
  - name: Salma Malik
    honorific: Dr.
journal: {volume: 2, issue: "2&3", pages: P01-15}
date: 2014-10-06
doi: https://doi.org/10.1234/ABC.5
url: https://example.org/a/1
license: CC BY-NC 4.0
abstract: An *abstract*.
keywords: one, two
lang: ur-PK
citation-style: ieee
slug: my-slug
"""
    journal = "journal:\n  title: CISS Insight Journal\n  issn: 1234-5678\ncitation-style: apa\n"
    meta = read_article(write_article(tmp_path, front, journal=journal)).metadata
    assert meta.journal.title == "CISS Insight Journal"
    assert meta.journal.issn == "1234-5678"
    assert meta.journal.issue == "2&3"
    assert meta.citation_style == "ieee"  # the article's key wins over journal.yaml
    assert meta.date == PublicationDate(2014, 10, 6)
    assert meta.doi == "10.1234/ABC.5"
    assert meta.license.name == "CC BY-NC 4.0"
    assert meta.license.url == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert meta.keywords == ("one", "two")
    assert (meta.lang, meta.slug, meta.subtitle) == ("ur-PK", "my-slug", "Keys")


def test_crlf_and_bom_parse(tmp_path):
    path = write_article(
        tmp_path,
        "title: Windows\nauthor: Jane Doe",
        body="Line one.\n",
        encoding_prefix=b"\xef\xbb\xbf",
        newline="\r\n",
    )
    article = read_article(path)
    assert article.metadata.title == "Windows"
    assert "\r" not in article.body


def test_unknown_key_warns_with_did_you_mean(tmp_path):
    article = read_article(write_article(tmp_path, "title: T\nabstarct: x"))
    assert any(
        "unknown key 'abstarct'" in w and "did you mean 'abstract'" in w for w in article.warnings
    )


BAD = [
    ("malformed yaml", "title: [unclosed", "malformed YAML", 2),
    ("duplicate key", "title: A\ntitle: B", "title: duplicate key", 3),
    ("missing title", "author: Jane Doe", "title: missing title", None),
    (
        "author with no name",
        "title: T\nauthor:\n  - orcid: 0000-0002-1825-0097",
        "author.0: author has no name",
        4,
    ),
    ("authors: 42", "title: T\nauthors: 42", "authors: expected an author name or a list", 3),
    (
        "affiliation points nowhere",
        "title: T\nauthors:\n  - name: A B\n    affiliation: 3\n"
        "affiliations:\n  - name: X\n    index: 1",
        "points nowhere",
        5,
    ),
    ("missing bibliography", "title: T\nbibliography: refs.bib", "does not exist", 3),
    ("unknown style", "title: T\ncitation-style: apa-8th", "unknown citation style", 3),
    ("javascript url", "title: T\nurl: 'javascript:alert(1)'", "not an http(s) URL", 3),
    ("python tag", "title: !!python/object/apply:os.system ['true']", "unsafe or unknown", 2),
    ("title as a list", "title: [a, b]", "title: expected text, got a list", 2),
]


@pytest.mark.parametrize(("case", "front", "message", "line"), BAD, ids=[b[0] for b in BAD])
def test_bad_front_matter_is_one_line_error(tmp_path, capsys, case, front, message, line):
    path = write_article(tmp_path, front)
    with pytest.raises(SourceError) as caught:
        read_article(path)
    text = str(caught.value)
    assert message in text
    assert text.startswith(str(path))
    if line is not None:
        assert f"{path}:{line}:" in text
    # The command says the same in one line on stderr, exit code 65, no traceback.
    code = main(["convert", str(path), "-o", str(tmp_path / "out"), "--to", ""])
    err = capsys.readouterr().err
    assert code == 65
    assert err.count("\n") == 1 and "Traceback" not in err and message in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"---\ntitle: T\n", "not closed"),
        (b"# no front matter\n", "must start with '---'"),
        (b"---\ntitle: \xff\xfe\n---\n", "not valid UTF-8 at byte offset 11"),
    ],
)
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "a" / "article.md"
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        read_article(path)


def test_control_characters_removed_with_warning(tmp_path):
    article = read_article(write_article(tmp_path, 'title: "A\\x00B"', body="x\x07y\n"))
    assert article.body.strip() == "xy"
    assert any("control character" in w for w in article.warnings)


def test_journal_yaml_error_names_that_file(tmp_path):
    path = write_article(tmp_path, "title: T", journal="journal:\n  title: A\n  title: B\n")
    with pytest.raises(SourceError, match=r"journal\.yaml:3: journal\.title: duplicate key"):
        read_article(path)


def test_several_authors_with_inline_affiliation_names(tmp_path):
    front = (
        "title: T\nauthor:\n  - name: A One\n    affiliation: University 8\n"
        "  - name: B Two\n    affiliation: University 9\n  - name: C Three\n"
        "    affiliation: University 8\n"
    )
    meta = read_article(write_article(tmp_path, front)).metadata
    assert [a.name for a in meta.affiliations] == ["University 8", "University 9"]
    assert [a.affiliations for a in meta.authors] == [("aff-1",), ("aff-2",), ("aff-1",)]


def test_quarto_attributes_corresponding_and_degrees(tmp_path):
    front = (
        "title: T\nauthor:\n  - name: Norah Jones\n    degrees: [PhD]\n"
        "    attributes:\n      corresponding: true\n"
    )
    article = read_article(write_article(tmp_path, front))
    assert article.metadata.authors[0].corresponding is True
    assert not article.warnings  # degrees is Quarto's: no unknown-key warning


def test_labels_from_journal_yaml_and_the_article(tmp_path):
    """A journal prints its own words before front-matter values; the article's win."""
    from galleys.builder.articles import prepare

    path = write_article(
        tmp_path,
        "title: T\nauthor: Jane Doe\nlabels:\n  keywords: کلیدی الفاظ\n  abstrakt: x",
        journal="labels:\n  abstract: خلاصہ\n  keywords: Words\n  how-to-cite: حوالہ\n"
        "  licence: اجازت نامہ\n",
    )
    article = read_article(path)
    assert any("'labels.abstrakt'" in w and "'abstract'" in w for w in article.warnings)
    _resolved, front = prepare(path)
    assert (front.labels.abstract, front.labels.keywords) == ("خلاصہ", "کلیدی الفاظ")
    assert (front.labels.how_to_cite, front.labels.license) == ("حوالہ", "اجازت نامہ")
    assert front.labels.published == "Published"  # not given: the default


def test_an_empty_label_is_an_error(tmp_path):
    path = write_article(tmp_path, "title: T\nlabels:\n  abstract: ''")
    with pytest.raises(SourceError, match=r"article\.md:4: labels\.abstract: a label cannot be"):
        read_article(path)


def test_libyaml_and_pure_python_parsers_read_the_same_data_and_lines(monkeypatch):
    from galleys.read import yamltext

    if yamltext._FAST_LOADER is None:
        pytest.skip("PyYAML was built without libyaml")
    text = (
        'title: "Quoted: \\u00e9"\nauthor:\n  - name: A B\n    affiliation: [1, 2]\n'
        "  - Plain Name\ndate: 2024-03-05\nkeywords: [a, 'b c']\nabstract: |\n  Two\n  lines.\n"
        "anchored: &x {k: 1.5, t: true, n: null}\nagain: *x\n"
    )
    fast = yamltext.load_yaml(text, Path("a.md"), first_line=2)
    monkeypatch.setattr(yamltext, "_FAST_LOADER", None)
    slow = yamltext.load_yaml(text, Path("a.md"), first_line=2)
    assert fast.data == slow.data
    assert fast.lines == slow.lines
    assert fast.data["date"] == dt.date(2024, 3, 5) and fast.lines[("again",)] == 13
