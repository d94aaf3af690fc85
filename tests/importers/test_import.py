"""`galleys import` of an OJS article-page text export, against the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from galleys.cli.main import main
from galleys.errors import SourceError
from galleys.importers.ojs_text import parse_ojs_text
from galleys.model import PublicationDate
from galleys.read.markdown import read_article

ROOT = Path(__file__).resolve().parents[2]
SEED_TXT = ROOT / "tests" / "fixtures" / "ojs" / "seed-article-page.txt"
COMMITTED = ROOT / "source" / "malik-2014-pakistan-japan-relations" / "article.md"


@pytest.fixture
def imported(tmp_path):
    code = main(["import", str(SEED_TXT), "--source", str(tmp_path / "source"), "-q"])
    assert code == 0
    return tmp_path / "source" / "malik-2014-pakistan-japan-relations" / "article.md"


def test_seed_import_metadata(imported):
    meta = read_article(imported).metadata
    assert meta.title == (
        "Pakistan Japan Relations and Prospects for Peace and Development in South Asia"
    )
    (author,) = meta.authors
    assert (author.honorific, author.given, author.family) == ("Dr.", "Salma", "Malik")
    assert meta.affiliations[0].name == (
        "Assistant Professor in DSS DEPT, Quaid-I-Azam University, Islamabad"
    )
    assert meta.journal.title == "CISS Insight Journal"  # from the journal.yaml it created
    assert (meta.journal.volume, meta.journal.issue, meta.journal.pages) == ("2", "2&3", "P01-15")
    assert meta.journal.issue_title == "CISS Insight Quarterly News & Views, June - Sep 2014"
    assert meta.date == PublicationDate(2014, 10, 6)
    assert meta.url == "https://journal.ciss.org.pk/index.php/ciss-insight/article/view/171"
    assert meta.doi == "" and meta.abstract == "" and meta.license is None  # never invented


def test_seed_import_keeps_every_body_paragraph(imported):
    body = read_article(imported).body
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    source_paragraphs = SEED_TXT.read_text(encoding="utf-8").split("\n\n\n", 1)[1].split("\n\n")
    assert len(paragraphs) == len([p for p in source_paragraphs if p.strip()]) == 2
    assert paragraphs[0].startswith("In case of South Asia, regionalism")
    assert paragraphs[1].rstrip().endswith("in the last few decades.")


def test_seed_import_reports_what_is_missing(imported):
    text = imported.read_text(encoding="utf-8")
    for missing in ("DOI", "abstract", "keywords", "licence"):
        assert f"# galleys import: not found, fill in if known: {missing}\n" in text
    assert "honorific: Dr." in text and "name: Salma Malik" in text


def test_committed_seed_source_matches_a_fresh_import(imported):
    assert imported.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")


def test_import_updates_existing_journal_yaml(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "journal.yaml").write_text("citation-style: ieee\n", encoding="utf-8")
    assert main(["import", str(SEED_TXT), "--source", str(source), "-q"]) == 0
    data = yaml.safe_load((source / "journal.yaml").read_text(encoding="utf-8"))
    assert data == {"citation-style": "ieee", "journal": {"title": "CISS Insight Journal"}}


def test_import_refuses_to_overwrite(imported, capsys):
    source = imported.parent.parent
    assert main(["import", str(SEED_TXT), "--source", str(source)]) == 73
    assert "already exists" in capsys.readouterr().err
    assert main(["import", str(SEED_TXT), "--source", str(source), "--force", "-q"]) == 0


def test_import_of_text_that_is_not_an_article(tmp_path):
    with pytest.raises(SourceError, match="no title found"):
        parse_ojs_text("\n\n", tmp_path / "x.txt")


def test_import_unknown_file_type_is_usage_error(tmp_path, capsys):
    other = tmp_path / "paper.odt"
    other.write_bytes(b"x")
    assert main(["import", str(other), "--source", str(tmp_path)]) == 2
    assert "cannot import .odt files" in capsys.readouterr().err


def test_import_markdown_specials_survive(tmp_path):
    text = SEED_TXT.read_text(encoding="utf-8") + "\n\nCost *is* $5 <b>not</b> [x] @cite 1. item\n"
    result = parse_ojs_text(text, tmp_path / "x.txt")
    from galleys.importers.dispatch import article_markdown

    article = tmp_path / "s" / "a" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text(article_markdown(result), encoding="utf-8")
    from galleys.builder.articles import prepare

    resolved, _ = prepare(article)
    last = resolved.blocks[-1]
    assert last["t"] == "Para"
    words = "".join(n.get("c", " ") if n["t"] == "Str" else " " for n in last["c"])
    assert words == "Cost *is* $5 <b>not</b> [x] @cite 1. item"
