"""Landing pages, the journal index, the PDF preview and `galleys serve`, on real built output."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from conftest import copy_seed, require_module

from galleys import writers
from galleys.builder.articles import prepare
from galleys.builder.coordinator import build_all
from galleys.builder.deliver import write_atomic
from galleys.cli.serve import make_server, media_type
from galleys.errors import InputMissingError
from galleys.front import citation, styles
from galleys.front.inlines import Run
from galleys.writers import citation_files
from galleys.writers.html import templates
from galleys.writers.html.markup import link, runs, safe_url
from galleys.writers.landing import pages as landing
from galleys.writers.landing import preview

ROOT = Path(__file__).resolve().parents[2]
TORTURE_DIR = ROOT / "tests" / "fixtures" / "torture"
SEED = "malik-2014-pakistan-japan-relations"
FORMATS = ("pdf", "epub", "docx", "html")
PREVIEW_WIDTH = 300  # small and fast; the build's default is preview.DEFAULT_WIDTH


def configured_styles(front_style: str) -> tuple[str, ...]:
    """The styles a page offers: the recommended ones plus the article's own."""
    return tuple(dict.fromkeys((*styles.RECOMMENDED, front_style)))


@dataclass(frozen=True)
class _Built:
    """An output file read back from dist/, shaped like build's OutputFile."""

    name: str
    data: bytes
    media_type: str


def write_pages(source: Path, dist: Path) -> list[landing.IndexEntry]:
    """What the build does after the editions: preview and page per article, then the index."""
    entries = []
    for path in sorted(source.glob("*/article.md")):
        resolved, front = prepare(path)
        slug = resolved.metadata.slug
        folder = dist / slug
        kinds = [(writers.get(f).suffix, writers.get(f).media_type) for f in FORMATS]
        outputs = [
            _Built(f"{slug}{suffix}", (folder / f"{slug}{suffix}").read_bytes(), media)
            for suffix, media in kinds + list(citation_files.FILES)
        ]
        names = configured_styles(front.style)
        citations = citation.how_to_cite_many(resolved, names)
        files = landing.article_files(
            resolved, front, outputs, citations, preview_width=PREVIEW_WIDTH
        )
        for name, data, _media in files:
            write_atomic(folder / name, data)
        entries.append(landing.IndexEntry.from_dist(folder))
    write_atomic(dist / landing.PAGE, landing.journal_index(entries))
    return entries


def build_site(root: Path) -> Path:
    """The seed and the torture article built into root/dist with their landing pages."""
    source = root / "source"
    copy_seed(source)
    shutil.copytree(TORTURE_DIR, source / "torture")
    dist = root / "dist"
    result = build_all(source, dist, FORMATS)
    assert not result.failed, result.failed
    write_pages(source, dist)
    return dist


_SHARED: dict[str, Path] = {}


def shared_site(tmp_path_factory) -> Path:
    """One built site per test session, shared by this file and test_browser.py (read only)."""
    if "dist" not in _SHARED:
        _SHARED["dist"] = build_site(tmp_path_factory.mktemp("site"))
    return _SHARED["dist"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return shared_site(tmp_path_factory)


def _parse(data: bytes):
    """Parse as HTML5 with html5lib in strict mode: a parse error fails the test."""
    html5lib = require_module("html5lib")
    parser = html5lib.HTMLParser(
        tree=html5lib.getTreeBuilder("lxml"), strict=True, namespaceHTMLElements=False
    )
    return parser.parse(data.decode("utf-8")).getroot()


def _meta(tree, key: str) -> list[str]:
    found = [
        m.get("content")
        for m in tree.iter("meta")
        if m.get("name") == key or m.get("property") == key
    ]
    return found


def _text(node) -> str:
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip()


def test_article_page_is_valid_html5_with_lang_dir_and_heading_order(site):
    for slug in (SEED, "torture"):
        tree = _parse((site / slug / "index.html").read_bytes())
        html = tree
        assert html.get("lang") == "en" and html.get("dir") == "ltr"
        levels = [int(h.tag[1]) for h in html.iter() if re.fullmatch(r"h[1-6]", str(h.tag))]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
        for label in html.iter("label"):
            assert html.find(f".//*[@id='{label.get('for')}']") is not None
        for img in html.iter("img"):
            assert img.get("alt")


def test_article_page_shows_the_front_matter_strings(site):
    resolved, front = prepare(TORTURE_DIR / "article.md")
    tree = _parse((site / "torture" / "index.html").read_bytes())
    text = _text(tree.find(".//main"))
    for element, value in front.elements():
        if element in ("how to cite", "abstract") or element.startswith("orcid"):
            continue
        assert value in text, element
    assert "This article exercises every block type" in text
    h1 = tree.find(".//h1")
    assert h1.find(".//em").text == "Torture"
    orcid = tree.find(".//a[@class='orcid']")
    assert orcid.get("href") == "https://orcid.org/0000-0002-1825-0097"


def test_every_configured_style_is_prerendered_and_the_default_comes_first(site):
    tree = _parse((site / SEED / "index.html").read_bytes())
    items = [s for s in tree.iter("section") if s.get("data-cite-style")]
    names = [s.get("data-cite-style") for s in items]
    assert names[0] == "apa" and set(names) == set(styles.RECOMMENDED)
    texts = {s.get("data-cite-style"): _text(s.find("p")) for s in items}
    assert texts["apa"] == (
        "Malik, S. (2014). Pakistan Japan Relations and Prospects for Peace and Development "
        "in South Asia. CISS Insight Journal, 2(2&3), P01–15. "
        "https://journal.ciss.org.pk/index.php/ciss-insight/article/view/171"
    )
    assert len(set(texts.values())) == len(texts)  # each style says it differently
    assert not any("Dr." in t for t in texts.values())  # the honorific never leaks
    options = [o.get("value") for o in tree.iter("option")]
    assert options == names
    selected = [o.get("value") for o in tree.iter("option") if o.get("selected") is not None]
    assert selected == ["apa"]


def test_downloads_list_each_edition_with_size_and_checksum(site):
    tree = _parse((site / "torture" / "index.html").read_bytes())
    buttons = [a for a in tree.iter("a") if "button" in (a.get("class") or "").split()]
    assert [a.get("href") for a in buttons] == [
        "torture.html", "torture.pdf", "torture.epub", "torture.docx"]  # read online first
    read, buttons = buttons[0], buttons[1:]
    assert _text(read) == "Read online" and read.get("download") is None
    assert "HTML, " in _text(read.getparent())
    assert all(a.get("download") is not None for a in buttons)
    for a in buttons:
        data = (site / "torture" / a.get("href")).read_bytes()
        info = _text(a.getparent())
        assert hashlib.sha256(data).hexdigest() in info
        assert a.get("type") == media_type(a.get("href")).split(";")[0]
    cite = [
        a.get("href")
        for a in tree.iter("a")
        if a.get("href", "").endswith((".bib", ".ris", ".json"))
    ]
    assert cite == ["torture.bib", "torture.ris", "torture.csl.json"]
    img = tree.find(".//img")
    assert img.get("src") == "torture.preview.png"
    assert (site / "torture" / img.get("src")).is_file()


def test_scholar_dublin_core_open_graph_and_json_ld(site):
    tree = _parse((site / "torture" / "index.html").read_bytes())
    assert _meta(tree, "citation_title") == [
        "Every Block: A Torture Article for Galleys: Testing lists, tables, notes & math"
    ]
    names = [
        (m.get("name"), m.get("content"))
        for m in tree.iter("meta")
        if (m.get("name") or "").startswith("citation_author")
    ]
    assert names[:4] == [
        ("citation_author", "Ada Lovelace"),
        ("citation_author_institution", "Analytical Engine Society, London, United Kingdom"),
        (
            "citation_author_institution",
            "Department of Letters, University of Oxford, United Kingdom",
        ),
        ("citation_author_orcid", "https://orcid.org/0000-0002-1825-0097"),
    ]
    assert [v for k, v in names if k == "citation_author"] == [
        "Ada Lovelace",
        "Vincent van Gogh",
        "Sukarno",
    ]
    expected = {
        "citation_publication_date": "2024/03/15",
        "citation_journal_title": "Journal of Galley Testing",
        "citation_volume": "7",
        "citation_issue": "2",
        "citation_firstpage": "101",
        "citation_lastpage": "120",
        "citation_doi": "10.5555/galleys.2024.007",
        "citation_pdf_url": "torture.pdf",
        "citation_fulltext_html_url": "torture.html",
        "citation_abstract_html_url": "https://example.org/articles/torture",
        "DC.identifier": "https://doi.org/10.5555/galleys.2024.007",
        "DC.date": "2024-03-15",
        "og:type": "article",
        "og:title": "Every Block: A Torture Article for Galleys",
    }
    for key, value in expected.items():
        assert _meta(tree, key) == [value], key
    assert _meta(tree, "DC.creator") == ["Ada Lovelace", "Vincent van Gogh", "Sukarno"]
    script = next(s for s in tree.iter("script") if s.get("type") == "application/ld+json")
    data = json.loads(script.text)
    assert data["@type"] == "ScholarlyArticle"
    assert data["author"][0]["affiliation"][1]["name"].startswith("Department of Letters")
    assert data["author"][0]["honorificPrefix"] == "Dr."
    assert data["identifier"]["value"] == "10.5555/galleys.2024.007"
    assert data["isPartOf"]["issueNumber"] == "2"
    assert data["isPartOf"]["isPartOf"]["isPartOf"]["name"] == "Journal of Galley Testing"
    assert [e["contentUrl"] for e in data["encoding"]] == [
        "torture.pdf",
        "torture.epub",
        "torture.docx",
        "torture.html",
    ]


def test_site_url_makes_indexer_urls_absolute(site):
    resolved, front = prepare(TORTURE_DIR / "article.md")
    png = (site / "torture" / "torture.preview.png").read_bytes()
    page = landing.article_page(
        resolved,
        front,
        [("torture.pdf", 10, "0" * 64, "application/pdf", "pdf")],
        {"apa": front.how_to_cite},
        {"apa": front.style_title},
        preview=("torture.preview.png", png),
        site_url="https://journal.example/",
    )
    tree = _parse(page)
    assert _meta(tree, "citation_pdf_url") == ["https://journal.example/torture/torture.pdf"]
    assert _meta(tree, "og:image") == ["https://journal.example/torture/torture.preview.png"]
    assert _meta(tree, "og:url") == ["https://journal.example/torture/"]


def test_no_external_resources_and_a_strict_csp(site):
    for page in (site / "index.html", site / SEED / "index.html", site / "torture" / "index.html"):
        tree = _parse(page.read_bytes())
        for node in tree.iter():
            for attr in ("src", "href"):
                value = node.get(attr) or ""
                if node.tag == "a" or (node.tag == "link" and node.get("rel") == "schema.DC"):
                    continue  # links a reader follows, and a name, are not loaded
                assert not value or "://" not in value, (page, node.tag, value)
        csp = _meta_http(tree)
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp


def _meta_http(tree) -> str:
    return next(
        m.get("content")
        for m in tree.iter("meta")
        if m.get("http-equiv") == "Content-Security-Policy"
    )


def test_journal_index_groups_by_issue_newest_first(site):
    tree = _parse((site / "index.html").read_bytes())
    headings = [_text(h) for h in tree.iter("h2")]
    assert headings == [
        "Journal of Galley Testing, Vol. 7, No. 2 (2024)",
        "CISS Insight Journal, Vol. 2, No. 2&3 (2014)",
    ]
    links = [a.get("href") for a in tree.iter("a") if a.get("href", "").endswith("index.html")]
    assert links == ["torture/index.html", f"{SEED}/index.html"]
    assert "CISS Insight Quarterly News & Views" in _text(tree.find(".//main"))


def test_index_entry_from_dist_equals_the_one_from_the_model(site):
    for folder in (site / SEED, site / "torture"):
        resolved, front = prepare(folder.parent.parent / "source" / folder.name / "article.md")
        assert landing.IndexEntry.from_dist(folder) == landing.IndexEntry.of(resolved, front)
    with pytest.raises(InputMissingError):
        landing.IndexEntry.from_dist(site / "nope")


def test_index_orders_volumes_and_issues_naturally():
    def entry(slug, volume, issue, date, pages="1-2"):
        return landing.IndexEntry(
            slug,
            (Run(slug),),
            (),
            "A",
            "J",
            f"J, Vol. {volume}, No. {issue}",
            "",
            volume,
            issue,
            pages,
            date,
            date,
            "en",
            "ltr",
        )

    page = landing.journal_index(
        [
            entry("a", "9", "1", "2020-01-01"),
            entry("b", "10", "1", "2021-01-01", "30-40"),
            entry("c", "10", "1", "2021-01-01", "5-9"),
            entry("d", "10", "2", "2021-01-01"),
        ]
    )
    tree = _parse(page)
    assert [_text(h) for h in tree.iter("h2")] == [
        "J, Vol. 10, No. 2",
        "J, Vol. 10, No. 1",
        "J, Vol. 9, No. 1",
    ]
    assert [_text(h) for h in tree.iter("h3")] == ["d", "c", "b", "a"]


HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)> & \"q\" 's'"


def test_hostile_strings_are_escaped_everywhere(site):
    resolved, front = prepare(TORTURE_DIR / "article.md")
    metadata = replace(
        resolved.metadata,
        doi="10.1/" + HOSTILE,
        url="javascript:alert(3)",
        keywords=(HOSTILE,),
        journal=replace(resolved.metadata.journal, title=HOSTILE, pages=HOSTILE),
    )
    resolved = replace(resolved, article=replace(resolved.article, metadata=metadata))
    evil = (Run(HOSTILE), Run("link", link="javascript:alert(4)"))
    front = replace(
        front,
        title=evil,
        journal_title=HOSTILE,
        journal_line=HOSTILE,
        url="javascript:alert(3)",
        keywords=(HOSTILE,),
        authors=(replace(front.authors[0], name=HOSTILE, catalogue_name=HOSTILE),),
        how_to_cite=evil,
    )
    page = landing.article_page(
        resolved,
        front,
        [(HOSTILE, 1, HOSTILE, HOSTILE, "pdf")],
        {"apa": evil, HOSTILE: evil},
        {"apa": HOSTILE, HOSTILE: HOSTILE},
    )
    tree = _parse(page)
    scripts = list(tree.iter("script"))
    assert len(scripts) == 2  # JSON-LD and ours: none injected
    json.loads(scripts[0].text)  # the JSON-LD stays intact
    assert not any(n.get("onerror") for n in tree.iter())
    links = [n.get(a) for n in tree.iter() for a in ("href", "src") if n.get(a)]
    assert links and not any("javascript:" in v.lower() for v in links)
    assert HOSTILE in _text(tree.find(".//h1"))
    index = landing.journal_index([replace(landing.IndexEntry.of(resolved, front), slug="x")])
    assert HOSTILE in _text(_parse(index).find(".//main"))


def test_a_right_to_left_article_gets_lang_and_dir(site):
    resolved, front = prepare(TORTURE_DIR / "article.md")
    front = replace(front, lang="ur", direction="rtl")
    tree = _parse(landing.article_page(resolved, front, [], {}, {}))
    assert (tree.get("lang"), tree.get("dir")) == ("ur", "rtl")
    entry = replace(landing.IndexEntry.of(resolved, front), slug="u")
    item = _parse(landing.journal_index([entry])).find(".//li")
    assert (item.get("lang"), item.get("dir")) == ("ur", "rtl")


def test_templates_escape_and_links_are_only_safe_ones():
    env = templates.environment()
    assert env.from_string('<p title="{{ t }}">{{ t }}</p>').render(t='"x"<b>') == (
        '<p title="&#34;x&#34;&lt;b&gt;">&#34;x&#34;&lt;b&gt;</p>')
    assert safe_url(" JavaScript:alert(1)") == ""
    assert safe_url("https://a.example/x?y=1&z=2") == "https://a.example/x?y=1&z=2"
    marked = (Run("x", frozenset({"emph", "strong"}), "data:text/html,hi"),)
    assert runs(marked) == "<strong><em>x</em></strong>"
    assert runs((Run("<i>", link="https://a.example/?a=1&b=2"),)) == (
        '<a href="https://a.example/?a=1&amp;b=2">&lt;i&gt;</a>')
    assert link("javascript:alert(1)", "<b>") == "&lt;b&gt;"


def test_preview_is_a_deterministic_png_of_the_first_page(site):
    pdf = (site / "torture" / "torture.pdf").read_bytes()
    first = preview.first_page_png(pdf, 200)
    assert first == preview.first_page_png(pdf, 200)
    assert landing.png_size(first)[0] == 200
    chunks = re.findall(rb"(?s)(?<=....)(IHDR|PLTE|IDAT|IEND|tIME|tEXt|pHYs|iTXt)", first[8:])
    assert b"tIME" not in chunks and b"tEXt" not in chunks
    from PIL import Image

    image = Image.open(__import__("io").BytesIO(first)).convert("L")
    dark = sum(image.histogram()[:128])
    assert 0.002 < dark / (image.width * image.height) < 0.5  # text drawn, not a blank page


def test_preview_of_a_broken_pdf_is_one_clear_error():
    from galleys.errors import GalleysError

    with pytest.raises(GalleysError, match="cannot be opened"):
        preview.first_page_png(b"%PDF-1.7 broken", 100)


@pytest.fixture(scope="module")
def server(site):
    httpd = make_server(site, 0, quiet=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], b""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("torture/torture.pdf", "application/pdf"),
        ("torture/torture.epub", "application/epub+zip"),
        (
            "torture/torture.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("torture/torture.bib", "application/x-bibtex; charset=utf-8"),
        ("torture/torture.ris", "application/x-research-info-systems; charset=utf-8"),
        ("torture/torture.csl.json", "application/vnd.citationstyles.csl+json"),
        ("torture/torture.preview.png", "image/png"),
        ("torture/", "text/html; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
    ],
)
def test_serve_gives_each_file_its_media_type(site, server, name, expected):
    status, content_type, body = _get(f"{server}/{name}")
    assert (status, content_type) == (200, expected)
    target = site / name / ("index.html" if name.endswith("/") else "")
    assert body == target.read_bytes()


def test_serve_refuses_paths_outside_dist(site, server, tmp_path):
    secret = site.parent / "secret.txt"
    secret.write_text("secret")
    (site / "link-out").symlink_to(secret)
    try:
        for path in (
            "../secret.txt",
            "%2e%2e/secret.txt",
            "torture/..%2f..%2fsecret.txt",
            "link-out",
            "..%5csecret.txt",
        ):
            status, _, body = _get(f"{server}/{path}")
            assert status == 404 and b"secret" not in body, path
    finally:
        (site / "link-out").unlink()


def test_serve_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputMissingError):
        make_server(tmp_path / "nope", 0)
