"""The HTML edition (<slug>.html), its templates and the journal's branding, on real output:
parsed as strict HTML5, read back element by element, links followed to their targets."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, TORTURE, require_corpus, require_module
from editions import write_article
from PIL import Image

from galleys.builder.articles import prepare
from galleys.check.links import epub_broken_links, html_broken_links
from galleys.check.readers.html import read_full_text, read_landing
from galleys.errors import EXIT_DATA, InternalError, SourceError
from galleys.front.frontmatter import FrontMatter
from galleys.model import ResolvedArticle
from galleys.writers import RenderOptions, names
from galleys.writers.epub.xhtml import plain_text
from galleys.writers.html import templates
from galleys.writers.html.edition import HtmlBackend
from galleys.writers.landing import pages

EPOCH = 1710460800
HOSTILE = "<script>alert(1)</script> <b>bold</b> & <img src=x onerror=alert(2)>"
XREF_BODY = """# Methods {#sec:methods}

See @fig:dot, @tbl:data, @eq:one and @sec:methods; as @knuth said [@knuth, p. 3].[^n]

[^n]: A note that points back, see @fig:dot.

![A dot on a line](dot.png){#fig:dot}

: Data in a table {#tbl:data}

| a | b |
|---|---|
| 1 | 2 |

$$E = mc^2$$ {#eq:one}

# References
"""
BIB = "@book{knuth, author={Donald E. Knuth}, title={The TeXbook}, year={1984}, publisher={AW}}\n"


def render(path: Path) -> tuple[bytes, ResolvedArticle, FrontMatter]:
    resolved, front = prepare(path)
    return HtmlBackend().render(resolved, front, RenderOptions(EPOCH)), resolved, front


def parse(data: bytes):
    """Strict HTML5 (html5lib): a parse error fails the test."""
    html5lib = require_module("html5lib")
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True,
                                 namespaceHTMLElements=False)
    return parser.parse(data.decode("utf-8")).getroot()


def text(node) -> str:
    return " ".join("".join(node.itertext()).split())


def by_id(tree, ident: str):
    return next((n for n in tree.iter() if isinstance(n.tag, str) and n.get("id") == ident), None)


@pytest.fixture(scope="module")
def torture() -> tuple[bytes, ResolvedArticle, FrontMatter]:
    return render(TORTURE)


@pytest.fixture(scope="module")
def xrefs(tmp_path_factory) -> tuple[bytes, ResolvedArticle, FrontMatter]:
    folder = tmp_path_factory.mktemp("xrefs")
    path = write_article(folder, "title: Linked\nauthor: Ann Author\ndate: 2024-01-02",
                         XREF_BODY, BIB)
    Image.new("RGB", (40, 16), "steelblue").save(folder / "dot.png")
    return render(path)


def test_html_is_a_registered_format():
    assert "html" in names()
    assert HtmlBackend.media_type == "text/html" and HtmlBackend.suffix == ".html"


def test_structure_is_valid_html5_with_one_h1_and_no_skipped_heading_levels(torture):
    data, _resolved, front = torture
    tree = parse(data)
    assert (tree.get("lang"), tree.get("dir")) == ("en", "ltr")
    levels = [int(h.tag[1]) for h in tree.iter() if re.fullmatch(r"h[1-6]", str(h.tag))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    body = tree.find(".//div[@class='body']")
    assert [text(h) for h in body.iter("h2")] == ["Introduction", "References"]
    assert "Lists" in [text(h) for h in body.iter("h3")]
    table = body.find(".//table")
    assert text(table.find("caption")) == "Table 1: Populations in 2023"
    assert [text(th) for th in table.iter("th")] == ["Country", "Population (m)", "Notes"]
    wrapper = table.getparent()
    assert wrapper.get("role") == "region" and wrapper.get("tabindex") == "0"
    assert wrapper.get("aria-label") == "Table 1: Populations in 2023"
    figure = body.find(".//figure")
    assert text(figure.find("figcaption")).startswith("Figure 1")
    maths = list(tree.iter("{http://www.w3.org/1998/Math/MathML}math")) + list(tree.iter("math"))
    assert len(maths) >= 2 and any(m.get("display") == "block" for m in maths)
    assert tree.find(".//pre/code").get("class") == "language-python"
    assert text(tree.find("head/title")) == (
        "Every Block: A Torture Article for Galleys | Journal of Galley Testing")


def test_every_body_word_is_in_the_edition(torture):
    data, resolved, _front = torture
    page = "".join(str(read_full_text(_without_noterefs(data), _front).body).split())
    paragraphs = _paragraphs(resolved.blocks)
    assert len(paragraphs) > 20  # in lists, cells, quotes, notes and the reference list too
    for words in paragraphs:  # a formula as the text of its MathML, spaces aside
        assert "".join(words.split()) in page, words


def _without_noterefs(data: bytes) -> bytes:
    """The page without the numbers the writer adds to a paragraph's text: note references
    and a numbered equation's "(1)" (a paragraph's own text has neither)."""
    data = re.sub(rb'<a [^>]*role="doc-noteref"[^>]*>\d+</a>', b"", data)
    return re.sub(rb'<span class="equation-number">\(\d+\)</span>', b"", data)


def _paragraphs(node: object) -> list[str]:
    """The text of every paragraph anywhere in a pandoc AST (a note's too), math as text."""
    if isinstance(node, list):
        return [text for item in node for text in _paragraphs(item)]
    if not isinstance(node, dict):
        return []
    if node.get("t") in ("Para", "Plain"):
        found = plain_text(node["c"])
        return [found, *_paragraphs(node["c"])] if found else _paragraphs(node["c"])
    return _paragraphs(node.get("c"))


def test_figures_are_embedded_and_nothing_is_loaded_from_anywhere(torture):
    data, _resolved, _front = torture
    tree = parse(data)
    images = list(tree.iter("img"))
    assert images
    for img in images:
        src = img.get("src")
        assert src.startswith("data:image/png;base64,") and img.get("alt")
        picture = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        assert picture.size[0] > 0
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag == "a":
            continue
        for attribute in ("src", "href"):
            value = node.get(attribute) or ""
            assert "://" not in value or node.get("rel") == "schema.DC", (node.tag, value)
    assert not [s for s in tree.iter("script")]  # no JavaScript at all
    styled = [n for n in tree.iter() if isinstance(n.tag, str) and n.get("style")]
    assert not styled  # no inline style: the CSP allows none, sizes are classes
    sized = next(img for img in images if "gl-size-1" in img.get("class", "").split())
    assert sized.get("alt") == "A gradient figure with a caption."
    assert ".gl-size-1 { width: 50%; }" in "".join(s.text for s in tree.iter("style"))
    csp = next(m.get("content") for m in tree.iter("meta")
               if m.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src" not in csp
    for style in tree.iter("style"):  # each inline stylesheet is allowed by its own hash
        digest = base64.b64encode(hashlib.sha256(style.text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "@media print" in data.decode() and "prefers-color-scheme: dark" in data.decode()


def test_notes_are_linked_both_ways(torture):
    tree = parse(torture[0])
    refs = [a for a in tree.iter("a") if a.get("role") == "doc-noteref"]
    notes = tree.find(".//section[@class='footnotes']")
    assert refs and notes is not None and notes.get("role") == "doc-endnotes"
    for ref in refs:
        note = by_id(tree, ref.get("href")[1:])
        assert note is not None and note.get("role") == "doc-footnote"
        back = next(a for a in note.iter("a") if a.get("role") == "doc-backlink")
        assert back.get("href") == "#" + ref.get("id")
    assert "A footnote with emphasis and a link." in text(notes)


def test_cross_references_and_citations_are_links_to_their_targets(xrefs):
    data, _resolved, _front = xrefs
    tree = parse(data)
    links = {text(a): a.get("href") for a in tree.iter("a") if (a.get("href") or "")[:1] == "#"}
    expected = {"Figure 1": "Figure 1: A dot on a line", "Table 1": "Table 1: Data in a table",
                "Equation 1": "", "Section 1": "Methods", "Knuth": "Knuth, D. E. (1984)"}
    for shown, target_text in expected.items():
        href = next((h for t, h in links.items() if t.startswith(shown)), None)
        assert href, (shown, links)
        target = by_id(tree, href[1:])
        assert target is not None, href
        assert target_text in text(target), (shown, text(target))
    assert html_broken_links(data) == []


def _read(reading) -> dict[str, list[str]]:
    """kind -> the values a slot reader found, spaces collapsed."""
    return {kind: [" ".join(f.value.split()) for f in found]
            for kind, found in reading.front.items()}


def _expected(front: FrontMatter) -> dict[str, list[str]]:
    wanted: dict[str, list[str]] = {}
    for field in front.fields():
        value = field.value if field.kind == "abstract" else " ".join(field.value.split())
        wanted.setdefault(field.kind, []).append(value)
    return wanted


def test_every_front_matter_element_reads_back_from_its_own_element(torture):
    data, _resolved, front = torture
    reading = read_full_text(data, front)
    found, wanted = _read(reading), _expected(front)
    found["abstract"] = [f.value for f in reading.front["abstract"]]
    assert set(wanted) <= set(found)
    assert {kind: found[kind] for kind in wanted} == wanted
    titles = reading.catalogue["title"]
    assert titles["<meta name=DC.title>"] == [front.title_text]
    assert reading.catalogue["authors"]["<meta name=DC.creator>"] == [
        a.catalogue_name for a in front.authors]


def test_the_landing_page_shares_the_title_block(torture):
    data, resolved, front = torture
    page = pages.article_page(resolved, front, [("torture.html", len(data), "0" * 64,
                                                 "text/html", "html")], {}, {})
    landing, edition = _read(read_landing(page, front)), _read(read_full_text(data, front))
    assert landing == edition and len(landing) >= 12
    tree = parse(page)
    read = next(a for a in tree.iter("a") if "read" in (a.get("class") or "").split())
    assert (read.get("href"), text(read), read.get("download")) == (
        "torture.html", "Read online", None)


def test_a_hostile_title_stays_text(tmp_path):
    front = (f"title: {HOSTILE!r}\nsubtitle: '\x07</h1>'\nauthor: '{HOSTILE}'\n"
             "date: 2024-01-02\nkeywords: ['</bdi><script>x</script>']")
    data, _resolved, found = render(write_article(tmp_path / "h", front, "Body [x](#nowhere).\n"))
    tree = parse(data)
    assert text(tree.find(".//h1/span[@class='subtitle']")) == "</h1>"
    assert text(tree.find(".//h1")).startswith(HOSTILE)
    assert not list(tree.iter("script")) and not list(tree.iter("b"))
    assert not any(n.get("onerror") for n in tree.iter() if isinstance(n.tag, str))
    assert text(tree.find(".//li[@class='author']")) == HOSTILE
    assert "\x07" not in data.decode()
    assert _read(read_full_text(data, found))["title"] == [found.title_text]


def test_a_link_to_no_element_is_text_and_readback_finds_dangling_links(tmp_path):
    path = write_article(tmp_path / "a", "title: T\nauthor: A B\ndate: 2020-01-01",
                         "See [there](#nowhere).\n")
    data, resolved, _front = render(path)  # the link policy (resolve) kept only its text
    assert any("'#nowhere'" in w for w in resolved.warnings)
    assert "See there." in str(read_full_text(data, _front).body) and b"#nowhere" not in data
    assert html_broken_links(data) == []
    page = b'<!DOCTYPE html><html><body><p id="a"><a href="#a">ok</a> <a href="#b">bad</a>' \
           b' <a href="../index.html">site</a> <a href="https://x.org/#c">out</a></p></body></html>'
    assert html_broken_links(page) == ["page: link '#b' ('bad') has no target"]


def test_an_epub_link_with_no_target_is_found(tmp_path):
    from galleys.writers.epub.edition import EpubBackend

    resolved, front = prepare(TORTURE)
    book = EpubBackend().render(resolved, front, RenderOptions(EPOCH))
    assert epub_broken_links(book) == []
    spoiled = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(spoiled, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "EPUB/article.xhtml":
                content = content.replace(b'references.xhtml#ref-knuth1984"',
                                          b'references.xhtml#ref-gone"', 1)
                content = content.replace(b'references.xhtml#ref-vangogh2020"',
                                          b'gone.xhtml#ref-vangogh2020"', 1)
            target.writestr(name, content)
    found = epub_broken_links(spoiled.getvalue())
    assert found == [
        "EPUB/article.xhtml: link 'references.xhtml#ref-gone' ('Knuth, 1984') has no target",
        "EPUB/article.xhtml: link 'gone.xhtml#ref-vangogh2020' ('2020') names no document",
    ]


def test_unknown_nodes_raise(torture):
    _data, resolved, front = torture
    bogus = replace(resolved, ast={**resolved.ast, "blocks": [{"t": "Bogus", "c": []}]})
    with pytest.raises(InternalError, match="the HTML edition cannot render a Bogus block"):
        HtmlBackend().render(bogus, front, RenderOptions(EPOCH))


def test_rebuilds_are_byte_identical(tmp_path):
    first = tmp_path / "one" / "torture"
    shutil.copytree(FIXTURES / "torture", first)
    second = tmp_path / "two" / "elsewhere" / "torture"
    shutil.copytree(FIXTURES / "torture", second)
    a, b = render(first / "article.md")[0], render(second / "article.md")[0]
    assert a == b and hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()


def test_a_right_to_left_article_is_rtl(tmp_path):
    path = write_article(tmp_path / "ur", "title: پاکستان اور جاپان\nauthor: سلمیٰ ملک\n"
                         "date: 2020-01-01\nlang: ur", "یہ ایک مضمون ہے۔\n")
    tree = parse(render(path)[0])
    assert (tree.get("lang"), tree.get("dir")) == ("ur", "rtl")


# -- branding and templates -------------------------------------------------------------

def _journal(source: Path, branding: str) -> Path:
    """source/journal.yaml with `branding`, and one article below it."""
    source.mkdir(parents=True)
    (source / "journal.yaml").write_text(f"journal: {{title: The Branded Review}}\n{branding}",
                                         encoding="utf-8")
    return write_article(source / "art", "title: Branded\nauthor: Ann Author\ndate: 2024-01-02",
                         "Text.\n")


def _landing(resolved: ResolvedArticle, front: FrontMatter) -> bytes:
    return pages.article_page(resolved, front, [], {}, {})


def test_branding_logo_colours_footer_and_css_on_every_page(tmp_path):
    source = tmp_path / "source"
    path = _journal(source, "branding:\n  logo: logo.png\n  colours: {accent: '#7a1f3d', "
                    "accent-dark: '#f4a3b8'}\n  footer: Published by the Branded Society\n"
                    "  css: site.css\n")
    Image.new("RGB", (60, 20), "darkred").save(source / "logo.png")
    (source / "site.css").write_text(".title { letter-spacing: 0.01em; }\n", encoding="utf-8")
    data, resolved, front = render(path)
    index = pages.journal_index([pages.IndexEntry.of(resolved, front)],
                                branding=resolved.metadata.branding)
    for page in (data, _landing(resolved, front), index):
        tree = parse(page)
        logo = tree.find(".//img[@class='logo']")
        assert logo is not None and logo.get("src").startswith("data:image/png;base64,")
        assert text(tree.find(".//p[@class='journal-footer']")) == (
            "Published by the Branded Society")
        css = [s.text for s in tree.iter("style")]
        assert ".title { letter-spacing: 0.01em; }\n" in css
        assert any("--link: #7a1f3d" in c for c in css) and any("#f4a3b8" in c for c in css)
        policy = next(m.get("content") for m in tree.iter("meta")
                      if m.get("http-equiv") == "Content-Security-Policy")
        for sheet in css:
            digest = base64.b64encode(hashlib.sha256(sheet.encode()).digest()).decode()
            assert digest in policy


def test_a_colour_short_of_wcag_aa_is_a_warning_and_not_used(tmp_path):
    path = _journal(tmp_path / "source", "branding:\n  colours: {accent: '#ffff00'}\n")
    resolved, front = prepare(path)
    assert resolved.metadata.branding.accent == ""
    assert any("branding.colours.accent" in w and "contrast" in w
               for w in resolved.article.warnings), resolved.article.warnings


@pytest.mark.parametrize(("branding", "files", "message"), [
    ("branding:\n  logo: ../outside.png\n", {}, "outside the folder"),
    ("branding:\n  logo: missing.png\n", {}, "does not exist"),
    ("branding:\n  logo: logo.txt\n", {"logo.txt": b"x"}, "expected a file ending in"),
    ("branding:\n  css: bad.css\n", {"bad.css": b"p{}</style><script>x</script>"}, "</style"),
    ("branding:\n  colours: {accent: red}\n", {}, "is not a colour"),
    ("branding: [logo]\n", {}, "expected a mapping"),
    ("branding:\n  templates: t\n", {"t/base.html": b"{% block x %}"}, "template"),
])
def test_bad_branding_is_one_source_error_naming_the_file(tmp_path, branding, files, message):
    source = tmp_path / "source"
    path = _journal(source, branding)
    for name, content in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
    with pytest.raises(SourceError, match=re.escape(message)) as caught:
        prepare(path)
    assert caught.value.exit_code == EXIT_DATA
    assert str(source) in str(caught.value) and "\n" not in str(caught.value)


def test_a_journal_template_replaces_ours_by_name_and_stays_autoescaped(tmp_path):
    source = tmp_path / "source"
    path = _journal(source, "branding:\n  templates: theme\n  unknown-key: 1\n")
    (source / "theme").mkdir()
    (source / "theme" / "masthead.html").write_text(
        '<nav class="site" aria-label="Journal"><p class="house">{{ front.title_text }} '
        "{{ '<i>x</i>' }}</p></nav>\n", encoding="utf-8")
    (source / "theme" / "notes.txt").write_text("not a template", encoding="utf-8")
    data, resolved, front = render(path)
    for page in (data, _landing(resolved, front)):
        house = parse(page).find(".//p[@class='house']")
        assert text(house) == "Branded <i>x</i>"  # a string is text in a journal's template too
    assert any("unknown key 'branding.unknown-key'" in w for w in resolved.article.warnings)


def test_a_template_that_calls_what_it_should_not_is_a_source_error(tmp_path):
    source = tmp_path / "source"
    path = _journal(source, "branding:\n  templates: theme\n")
    (source / "theme").mkdir()
    (source / "theme" / "masthead.html").write_text(
        "{{ front.__class__.__mro__ }}", encoding="utf-8")
    resolved, front = prepare(path)
    with pytest.raises(SourceError, match="masthead.html|template"):
        HtmlBackend().render(resolved, front, RenderOptions(EPOCH))


def test_templates_ship_with_the_package():
    for name in templates.NAMES:
        assert templates.environment().get_template(name) is not None


# -- real papers -------------------------------------------------------------------------

REAL = ("joss/open-atmos__PySDM", "joss/lenstronomy__lenstronomy", "joss/esa__torchquad",
        "quarto/quarto-journals__biophysical-journal", "quarto/quarto-journals__jss")


@pytest.mark.parametrize("paper", REAL)
def test_real_papers_hold_their_whole_body(paper):
    require_corpus()
    found = sorted([*(CORPUS / paper).glob("**/paper.md"), *(CORPUS / paper).glob("template.qmd")])
    if not found:
        pytest.skip(f"{paper} is not in the corpus")
    data, resolved, front = render(found[0])
    shown = "".join(str(read_full_text(_without_noterefs(data), front).body).split())
    paragraphs = _paragraphs(resolved.blocks)
    missing = [words for words in paragraphs if "".join(words.split()) not in shown]
    assert len(paragraphs) > 5 and not missing, missing[:3]
    assert html_broken_links(data) == []
    assert _read(read_full_text(data, front))["title"] == [" ".join(front.title_text.split())]


def test_a_build_brands_the_journal_index_and_rebuilds_when_the_logo_changes(tmp_path):
    from galleys.builder.coordinator import build_all

    source, dist = tmp_path / "source", tmp_path / "dist"
    _journal(source, "branding:\n  logo: logo.png\n  footer: The Branded Society\n")
    Image.new("RGB", (60, 20), "darkred").save(source / "logo.png")
    assert not build_all(source, dist, ("html",)).failed
    index = parse((dist / "index.html").read_bytes())
    first = index.find(".//img[@class='logo']").get("src")
    assert text(index.find(".//p[@class='journal-footer']")) == "The Branded Society"
    assert (dist / "art" / "art.html").is_file()
    Image.new("RGB", (60, 20), "navy").save(source / "logo.png")  # journal.yaml unchanged
    result = build_all(source, dist, ("html",))
    assert not result.failed and result.built  # the logo is in every article's key
    for page in (dist / "index.html", dist / "art" / "index.html", dist / "art" / "art.html"):
        logo = parse(page.read_bytes()).find(".//img[@class='logo']").get("src")
        assert logo != first and logo.startswith("data:image/png;base64,"), page
