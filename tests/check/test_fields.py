"""FrontMatter.fields(): the one ordered list of front-matter elements check reads back, and
the values the front stage derives once for every writer (sort names, pages, dates, texts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleys.builder.articles import prepare
from galleys.front.frontmatter import REPEATED_KINDS, page_range

ROOT = Path(__file__).resolve().parents[2]
TORTURE = ROOT / "tests" / "fixtures" / "torture" / "article.md"


@pytest.fixture(scope="module")
def front():
    return prepare(TORTURE)[1]


def test_fields_are_in_reading_order_with_labels_and_links(front):
    fields = front.fields()
    assert [f.kind for f in fields] == [
        "title", "subtitle", "author", "author", "author", "orcid", "affiliation",
        "affiliation", "author note", "email", "journal line", "published", "doi", "url",
        "licence", "abstract", "keywords", "how to cite"]
    by_key = {f.key: f for f in fields}
    assert by_key["orcid 1"].link == by_key["orcid 1"].value == front.authors[0].orcid_url
    assert by_key["author 1"].link == front.authors[0].orcid_url
    assert by_key["email 1"].link == "mailto:ada@example.org"
    assert by_key["doi"].label == "DOI" and by_key["doi"].link == front.doi_url
    assert by_key["licence"].link == front.license_url
    assert by_key["abstract"].value == front.abstract_text
    assert {f.kind for f in fields if f.key != f.kind} <= set(REPEATED_KINDS)


def test_the_published_element_list_is_the_fields(front):
    """frontmatter.json's "elements" (what builds publish) come from fields(), keyed as
    before: an ORCID iD or e-mail by its author's number."""
    assert front.elements() == [(f.key, f.value) for f in front.fields()]
    assert front.to_json()["elements"] == dict(front.elements())
    assert "sort_name" not in front.to_json()["authors"][0]
    assert "first_page" not in front.to_json()


def test_derived_values_are_made_in_the_front_stage(front):
    assert [a.sort_name for a in front.authors] == ["Lovelace, Ada", "van Gogh, Vincent",
                                                    "Sukarno"]
    assert (front.first_page, front.last_page) == ("101", "120")
    assert front.published_slashed == "2024/03/15"
    assert front.title_with_subtitle == ("Every Block: A Torture Article for Galleys: "
                                         "Testing lists, tables, notes & math")
    assert front.abstract_text.split("\n\n")[1].startswith("It has a second abstract")


@pytest.mark.parametrize(("pages", "expected"), [
    ("101-120", ("101", "120")), ("P01-15", ("P01", "15")), ("e123", ("e123", "")),
    ("", ("", "")), ("7 – 9", ("7", "9"))])
def test_page_range(pages, expected):
    assert page_range(pages) == expected
