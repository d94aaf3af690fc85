"""The article's own citation files, parsed back with the libraries that read them."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy

from galleys.builder.articles import prepare
from galleys.writers.citation_files import FILES, all_files, bibtex, citation_key, csl_json, ris


@pytest.fixture(scope="module")
def torture():
    from conftest import TORTURE

    return prepare(TORTURE)


def test_bibtex_parses_back(torture):
    resolved, _ = torture
    library = bibtexparser.parse_string(bibtex(resolved))
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "article"
    assert entry.key == citation_key(resolved) == "lovelace2024every"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["author"] == "Lovelace, Ada and van Gogh, Vincent and {Sukarno}"
    assert "Dr." not in fields["author"]
    assert fields["doi"] == "10.5555/galleys.2024.007"
    assert fields["pages"] == "101--120"
    assert fields["journal"] == "Journal of Galley Testing"
    assert (fields["volume"], fields["number"], fields["year"]) == ("7", "2", "2024")
    assert fields["title"].startswith("Every Block: A Torture Article for Galleys")


def test_bibtex_escapes_latex_specials(tmp_path):
    from galleys.builder.articles import prepare as prep

    article = tmp_path / "s" / "a" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text(
        "---\ntitle: Cats & Dogs 100% {odd}\nauthor: José Núñez\njournal: {issue: 2&3}\n---\nx\n",
        encoding="utf-8",
    )
    text = bibtex(prep(article)[0])
    assert r"Cats \& Dogs 100\%" in text
    assert r"2\&3" in text
    assert "Núñez" not in text  # encoded for LaTeX
    assert bibtexparser.parse_string(text).entries


def test_ris_parses_back(torture):
    resolved, _ = torture
    (record,) = rispy.loads(ris(resolved))
    assert record["type_of_reference"] == "JOUR"
    assert record["authors"] == ["Lovelace, Ada", "van Gogh, Vincent", "Sukarno"]
    assert record["doi"] == "10.5555/galleys.2024.007"
    assert (record["start_page"], record["end_page"]) == ("101", "120")
    assert record["keywords"] == ["typesetting", "EPUB", "PDF", "DOCX"]
    assert record["journal_name"] == "Journal of Galley Testing"


def test_csl_json_parses_back(torture):
    resolved, _ = torture
    (item,) = json.loads(csl_json(resolved))
    assert item["type"] == "article-journal"
    assert item["author"][1] == {
        "family": "Gogh",
        "given": "Vincent",
        "non-dropping-particle": "van",
    }
    assert item["author"][2] == {"literal": "Sukarno"}
    assert item["issued"] == {"date-parts": [[2024, 3, 15]]}
    assert item["DOI"] == "10.5555/galleys.2024.007"


def test_all_files_cover_every_export(torture):
    resolved, front = torture
    files = all_files(resolved, front)
    assert [f[0] for f in files] == [suffix for suffix, _ in FILES]
    frontmatter = json.loads(files[-1][2])
    assert frontmatter["elements"]["how to cite"] == front.how_to_cite_text
    assert frontmatter["authors"][0]["name"] == "Dr. Ada Lovelace"
