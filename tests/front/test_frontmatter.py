"""Front matter, formatted once: display strings and How to Cite in every tested style."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleys.builder.articles import prepare
from galleys.front import styles
from galleys.front.citation import how_to_cite_many
from galleys.front.frontmatter import build_front_matter
from galleys.front.inlines import plain

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "source" / "malik-2014-pakistan-japan-relations" / "article.md"
SEED_APA = (
    "Malik, S. (2014). Pakistan Japan Relations and Prospects for Peace and Development in "
    "South Asia. CISS Insight Journal, 2(2&3), P01–15. "
    "https://journal.ciss.org.pk/index.php/ciss-insight/article/view/171"
)


@pytest.fixture(scope="module")
def seed():
    return prepare(SEED)


def test_seed_apa_byte_for_byte(seed):
    _, front = seed
    assert front.how_to_cite_text == SEED_APA
    assert front.style == "apa"


def test_seed_apa_italicizes_journal_and_volume(seed):
    _, front = seed
    emphasized = [run.text for run in front.how_to_cite if "emph" in run.marks]
    assert emphasized == ["CISS Insight Journal", "2"]


def test_seed_display_strings(seed):
    _, front = seed
    assert front.title_text == (
        "Pakistan Japan Relations and Prospects for Peace and Development in South Asia"
    )
    assert [a.name for a in front.authors] == ["Dr. Salma Malik"]
    assert [a.name for a in front.affiliations] == [
        "Assistant Professor in DSS DEPT, Quaid-I-Azam University, Islamabad"
    ]
    assert front.authors[0].markers == ()  # one affiliation: no markers
    assert front.journal_line == "CISS Insight Journal, Vol. 2, No. 2&3 (2014), pp. P01–15"
    assert front.published == "October 6, 2014"
    assert front.url == "https://journal.ciss.org.pk/index.php/ciss-insight/article/view/171"
    assert front.short_citation == "Malik (2014)"
    assert front.issue_title == "CISS Insight Quarterly News & Views, June - Sep 2014"


EXPECTED_START = {
    "apa": "Malik, S. (2014).",
    "chicago-author-date": "Malik, Salma. 2014.",
    "modern-language-association": "Malik, Salma.",
    "harvard-cite-them-right": "Malik, S. (2014)",
    "ieee": "S. Malik,",
    "nlm-citation-sequence": "Malik S.",
}


def test_every_recommended_style_renders_seed_without_honorific(seed):
    resolved, _ = seed
    lines = how_to_cite_many(resolved, styles.RECOMMENDED)
    assert set(lines) == set(EXPECTED_START)
    for name, runs in lines.items():
        text = plain(runs)
        assert text.startswith(EXPECTED_START[name]), (name, text)
        assert "Dr." not in text
        assert "Pakistan Japan Relations" in text
        assert not text.startswith(("[1]", "1.")), "a reference-list number is no use here"


def test_style_override_reaches_front_matter():
    _, front = prepare(SEED, style="ieee")
    assert front.how_to_cite_text.startswith("S. Malik, “Pakistan Japan Relations")
    assert front.style == "ieee"


def test_torture_markers_orcid_and_elements(torture_path):
    resolved, front = prepare(torture_path)
    assert [a.name for a in front.authors] == ["Dr. Ada Lovelace", "Vincent van Gogh", "Sukarno"]
    assert [a.markers for a in front.authors] == [("1", "2"), ("2",), ()]
    assert front.authors[0].orcid_url == "https://orcid.org/0000-0002-1825-0097"
    assert [(a.marker, a.name) for a in front.affiliations] == [
        ("1", "Analytical Engine Society, London, United Kingdom"),
        ("2", "Department of Letters, University of Oxford, United Kingdom"),
    ]
    assert front.title_text == "Every Block: A Torture Article for Galleys"
    assert [r.text for r in front.title if "emph" in r.marks] == ["Torture"]
    assert front.how_to_cite_text.startswith("Lovelace, A., van Gogh, V., & Sukarno. (2024).")
    assert front.license == "CC BY 4.0"
    assert front.doi_url == "https://doi.org/10.5555/galleys.2024.007"
    assert len(front.abstract) == 2
    keys = [k for k, _ in front.elements()]
    assert keys[:4] == ["title", "subtitle", "author 1", "author 2"]
    assert keys[-1] == "how to cite"
    # Building twice gives equal front matter: nothing depends on time or order.
    assert build_front_matter(resolved) == front


def test_east_asian_names_are_family_first(tmp_path):
    article = tmp_path / "s" / "a" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text(
        "---\ntitle: T\nauthor: [山田 太郎, 김 민준, Anna Ivanova]\ndate: 2024-01-02\n---\nx\n",
        encoding="utf-8",
    )
    resolved, front = prepare(article)
    assert [a.name for a in front.authors] == ["山田 太郎", "김 민준", "Anna Ivanova"]
    assert (resolved.metadata.authors[0].family, resolved.metadata.authors[0].given) == (
        "山田",
        "太郎",
    )
    assert front.how_to_cite_text.startswith("山田太郎")  # never "太郎山田"
