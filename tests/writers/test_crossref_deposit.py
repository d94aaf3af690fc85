"""The Crossref deposit: valid against schema 5.3.1 (offline), every element it registers read
back, the issue's deposit, what keeps an article out, hostile text, rebuilds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, TORTURE, require_corpus
from editions import EPOCH, write_article
from lxml import etree

from galleys.builder.articles import prepare
from galleys.check.readback import normalize
from galleys.check.xml_readback import crossref_rows, read_crossref, validate_crossref
from galleys.errors import SourceError
from galleys.read.markdown import read_article
from galleys.writers import RenderOptions
from galleys.writers.crossref_deposit import CrossrefWriter, issue_deposits

CR = "{http://www.crossref.org/schema/5.3.1}"
JOURNAL_YAML = """\
site-url: https://journal.example.org
crossref:
  depositor: Galleys Press
  email: doi@example.org
  registrant: Galleys Society
"""


@pytest.fixture(scope="module")
def schemas() -> Path:
    require_corpus()
    return CORPUS.parent / "schemas"


def journal(tmp_path: Path, yaml: str = JOURNAL_YAML) -> Path:
    """A source folder with journal.yaml and the torture article in it."""
    source = tmp_path / "source"
    shutil.copytree(TORTURE.parent, source / "torture")
    (source / "journal.yaml").write_text(yaml, encoding="utf-8")
    return source


def render(path: Path, epoch: int = EPOCH) -> tuple[bytes | None, CrossrefWriter]:
    resolved, front = prepare(path)
    writer = CrossrefWriter()
    return writer.render(resolved, front, RenderOptions(epoch)), writer


def test_torture_deposit_is_valid_and_reads_back(tmp_path: Path, schemas: Path) -> None:
    path = journal(tmp_path) / "torture" / "article.md"
    data, writer = render(path)
    assert data is not None and writer.warnings == [] and writer.notes == []
    assert validate_crossref(data, schemas) == []
    resolved, front = prepare(path)
    rows = crossref_rows(data, resolved.metadata, front)
    assert {key for key, _, _ in rows} >= {"title", "subtitle", "doi", "landing page",
                                          "published", "author 1", "orcid 1", "author 3"}
    assert [(k, w, g) for k, w, g in rows if normalize(w) != normalize(g)] == []
    root = etree.fromstring(data)
    head = root.find(f"{CR}head")
    assert head.findtext(f"{CR}depositor/{CR}depositor_name") == "Galleys Press"
    assert head.findtext(f"{CR}depositor/{CR}email_address") == "doi@example.org"
    assert head.findtext(f"{CR}registrant") == "Galleys Society"
    assert head.findtext(f"{CR}timestamp") == "20231114221320"  # EPOCH, UTC
    article = root.find(f"{CR}body/{CR}journal/{CR}journal_article")
    person = article.find(f"{CR}contributors/{CR}person_name")
    assert person.get("sequence") == "first"
    assert person.findtext(f"{CR}surname") == "Lovelace"  # no honorific: Dr. is display only
    institutions = person.findall(f"{CR}affiliations/{CR}institution")
    assert [i.findtext(f"{CR}institution_name") for i in institutions] == [
        "Analytical Engine Society", "University of Oxford"]
    assert article.findtext(f"{CR}pages/{CR}first_page") == "101"
    license_ref = article.find("{http://www.crossref.org/AccessIndicators.xsd}program/"
                               "{http://www.crossref.org/AccessIndicators.xsd}license_ref")
    assert license_ref.text == "https://creativecommons.org/licenses/by/4.0/"
    citations = article.findall(f"{CR}citation_list/{CR}citation")
    assert len(citations) == 2
    assert citations[0].findtext(f"{CR}doi") == "10.1234/jah.2020.45"
    assert citations[1].find(f"{CR}doi") is None  # the TeXbook has no DOI
    assert "The TeXbook" in citations[1].findtext(f"{CR}unstructured_citation")


def test_batch_id_and_timestamp_follow_content_and_epoch(tmp_path: Path) -> None:
    path = journal(tmp_path) / "torture" / "article.md"
    first, _ = render(path)
    assert render(path)[0] == first  # byte-identical rebuild
    later, _ = render(path, EPOCH + 86400)
    assert first is not None and later is not None
    batch = etree.fromstring(first).findtext(f"{CR}head/{CR}doi_batch_id")
    assert etree.fromstring(later).findtext(f"{CR}head/{CR}doi_batch_id") == batch
    assert etree.fromstring(later).findtext(f"{CR}head/{CR}timestamp") == "20231115221320"
    text = path.read_text(encoding="utf-8").replace("volume: 7", "volume: 8")
    path.write_text(text, encoding="utf-8")
    changed, _ = render(path)
    assert changed is not None
    assert etree.fromstring(changed).findtext(f"{CR}head/{CR}doi_batch_id") != batch


def test_no_doi_no_deposit_and_a_note(tmp_path: Path) -> None:
    source = journal(tmp_path)
    path = write_article(source / "plain", "title: No DOI\nauthor: A. Person\ndate: 2024-01-02",
                         "Text.")
    data, writer = render(path)
    assert data is None and writer.warnings == []
    assert writer.notes == [f"{path}: note: no DOI, so no Crossref deposit"]


def test_doi_without_depositor_is_a_warning(tmp_path: Path) -> None:
    path = journal(tmp_path, "site-url: https://journal.example.org\n") / "torture" / "article.md"
    data, writer = render(path)
    assert data is None
    assert writer.warnings == [f"{path}: warning: no Crossref deposit for the DOI "
                               "10.5555/galleys.2024.007: journal.yaml has no crossref: "
                               "{depositor, email, registrant}"]


@pytest.mark.parametrize(("yaml", "message"), [
    ("crossref:\n  depositor: X\n  email: not-an-address\n  registrant: Y\n",
     "journal.yaml:3: crossref.email: 'not-an-address' is not an e-mail address"),
    ("crossref:\n  depositor: X\n  registrant: Y\n", "journal.yaml:1: crossref: needs 'email'"),
    ("site-url: journal.example.org\n", "journal.yaml:1: site-url: 'journal.example.org' is not"),
])
def test_bad_journal_settings_are_source_errors(tmp_path: Path, yaml: str, message: str) -> None:
    path = journal(tmp_path, yaml) / "torture" / "article.md"
    with pytest.raises(SourceError) as caught:
        read_article(path)
    assert message in str(caught.value)


def test_site_url_gives_the_landing_page(tmp_path: Path) -> None:
    source = journal(tmp_path)
    path = write_article(source / "no-url", "title: T\nauthor: A. Person\ndate: 2024-01-02\n"
                         "doi: 10.5555/x.1\njournal: {title: J, volume: 1, issue: 2}", "Text.")
    assert read_article(path).metadata.site_url == "https://journal.example.org/"
    data, _ = render(path)
    assert data is not None
    assert read_crossref(data)["landing page"] == "https://journal.example.org/no-url/"


def test_hostile_title_stays_text(tmp_path: Path, schemas: Path) -> None:
    source = journal(tmp_path)
    path = write_article(source / "h", 'title: "<i>x</i> & <script>y</script>\\u0007"\n'
                         "author: A. Person\ndate: 2024\ndoi: 10.5555/h\njournal: {title: J}\n"
                         "url: https://example.org/h", "Text.")
    data, _ = render(path)
    assert data is not None
    assert validate_crossref(data, schemas) == []
    title = etree.fromstring(data).find(f"{CR}body/{CR}journal/{CR}journal_article/"
                                        f"{CR}titles/{CR}title")
    assert len(title) == 0 and title.text == "<i>x</i> & <script>y</script>"


def test_issue_deposit_holds_the_issue_articles(tmp_path: Path, schemas: Path) -> None:
    source = journal(tmp_path)
    second = write_article(
        source / "second", "title: Second\nauthor: B. Person\ndate: 2024-02-01\n"
        "doi: 10.5555/galleys.2024.008\nurl: https://example.org/second\n"
        "journal: {title: Journal of Galley Testing, volume: 7, issue: 2}", "Text.")
    dist = tmp_path / "dist"
    for path, slug in ((source / "torture" / "article.md", "torture"), (second, "second")):
        data, _ = render(path)
        assert data is not None
        (dist / slug).mkdir(parents=True)
        (dist / slug / f"{slug}.crossref.xml").write_bytes(data)
    deposits = issue_deposits(dist)
    assert list(deposits) == ["crossref/7-2.xml"]
    data = deposits["crossref/7-2.xml"]
    assert validate_crossref(data, schemas) == []
    journal_element = etree.fromstring(data).find(f"{CR}body/{CR}journal")
    dois = [d.text for d in journal_element.iterfind(f"{CR}journal_article/{CR}doi_data/{CR}doi")]
    assert dois == ["10.5555/galleys.2024.008", "10.5555/galleys.2024.007"]  # slug order
    issue_date = journal_element.find(f"{CR}journal_issue/{CR}publication_date")
    assert (issue_date.findtext(f"{CR}year"), issue_date.findtext(f"{CR}month")) == ("2024", "02")
    assert issue_deposits(dist) == deposits  # the same bytes again


def test_build_writes_the_issue_deposit(tmp_path: Path, schemas: Path) -> None:
    from galleys.builder.coordinator import build_all

    source = journal(tmp_path)
    shutil.copytree(ROOT / "source" / "malik-2014-pakistan-japan-relations",
                    source / "malik")  # no DOI: no deposit, and not in the issue's
    dist = tmp_path / "dist"
    notes: list[str] = []
    result = build_all(source, dist, ("jats", "crossref"), warn=notes.append)
    assert not result.failed
    assert [n for n in notes if ": note: " in n] == [
        f"{source / 'malik' / 'article.md'}: note: no DOI, so no Crossref deposit"]
    assert not (dist / "malik-2014-pakistan-japan-relations" /
                "malik-2014-pakistan-japan-relations.crossref.xml").exists()
    deposit = dist / "crossref" / "7-2.xml"
    assert validate_crossref(deposit.read_bytes(), schemas) == []
    assert "crossref/7-2.xml" in (dist / "manifest.json").read_text(encoding="utf-8")
    first = deposit.read_bytes()
    again = build_all(source, dist, ("jats", "crossref"))  # nothing changed: all skipped
    assert len(again.skipped) == 2 and deposit.read_bytes() == first
    article = source / "torture" / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("issue: 2", "issue: 3"),
                       encoding="utf-8")
    build_all(source, dist, ("jats", "crossref"))
    assert sorted(p.name for p in (dist / "crossref").iterdir()) == ["7-3.xml"]  # 7-2 gone


def test_names_keep_their_order_and_organisations_stay_whole(tmp_path: Path,
                                                           schemas: Path) -> None:
    source = journal(tmp_path)
    path = write_article(
        source / "names", "title: Names\nauthor:\n  - name: {given: 太郎, family: 山田}\n"
        "  - name: {given: Ludwig, non-dropping-particle: van, family: Beethoven, suffix: Jr.}\n"
        "  - name: {literal: The Galleys Consortium}\ndate: 2024-05\ndoi: 10.5555/names\n"
        "url: https://example.org/names\njournal: {title: J, volume: 1, issue: 1, pages: e17}",
        "Text.")
    resolved, front = prepare(path)
    data = CrossrefWriter().render(resolved, front, RenderOptions(EPOCH))
    assert data is not None and validate_crossref(data, schemas) == []
    rows = crossref_rows(data, resolved.metadata, front)
    assert [(k, w, g) for k, w, g in rows if normalize(w) != normalize(g)] == []
    found = read_crossref(data)
    assert (found["author 1"], found["author 2"], found["author 3"]) == (
        "山田 太郎", "Ludwig van Beethoven, Jr.", "The Galleys Consortium")
    contributors = etree.fromstring(data).find(
        f"{CR}body/{CR}journal/{CR}journal_article/{CR}contributors")
    assert contributors[0].get("name-style") == "eastern"
    assert contributors[2].tag == f"{CR}organization"
    assert found["published"] == "2024-05"  # no day invented
    article = etree.fromstring(data).find(f"{CR}body/{CR}journal/{CR}journal_article")
    assert article.findtext(f"{CR}publisher_item/{CR}item_number") == "e17"
    assert article.find(f"{CR}pages") is None
