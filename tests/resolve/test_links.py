"""One link policy, decided in the resolve stage, obeyed alike by the PDF, the EPUB and the DOCX:
web, mail and tel: links kept, doi: made a doi.org address, relative, empty and dangling ones
kept as text without a link (one warning names them), script and file targets refused.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from editions import Converted, convert_source
from lxml import etree
from pypdf import PdfReader

from galleys.check.readback import read_docx, read_epub, read_pdf
from galleys.cli.main import main
from galleys.resolve import links

SLUG = "links"
ARTICLE = """---
title: Links as Written
author: Ann Author
date: 2024-01-02
abstract: See [the site](site.html) and [a DOI](doi:10.5555/abc).
---

# Intro

Kept: [web](https://example.org/), [mail](mailto:ann@example.org), [phone](tel:+441234567),
[a doi](doi:10.1234/xyz), [back](#intro) and <https://example.net/auto>.

Text only: [rel](/url), [page](page.html), [bare](www.example.org), [empty](),
[nowhere](#no-such-id).
"""
KEPT = {"https://example.org/", "mailto:ann@example.org", "tel:+441234567",
        "https://doi.org/10.1234/xyz", "https://example.net/auto"}
UNLINKED = {"site.html", "/url", "page.html", "www.example.org", "", "#no-such-id"}
WORDS = ("web", "mail", "phone", "a doi", "back", "rel", "page", "bare", "empty", "nowhere")
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Converted:
    return convert_source(tmp_path_factory.mktemp("links"), SLUG, "article.md", ARTICLE)


def _file(built: Converted, suffix: str) -> bytes:
    return built.file(suffix)


def _pdf_targets(data: bytes) -> tuple[set[str], int]:
    """The PDF's link addresses, and how many links go inside it."""
    uris, inside = set(), 0
    for page in PdfReader(io.BytesIO(data)).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and "/URI" in action:
                uris.add(str(action["/URI"]))
            elif "/Dest" in annot or (action is not None and "/D" in action):
                inside += 1
    return uris, inside


def _epub_targets(data: bytes) -> set[str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    found = set()
    for name in archive.namelist():
        if name.endswith(".xhtml") and "nav" not in name:
            for a in etree.fromstring(archive.read(name)).iter(f"{XHTML}a"):
                if a.get("href") is not None:
                    found.add(a.get("href"))
    return found


def _docx_targets(data: bytes) -> tuple[set[str], set[str]]:
    """The DOCX's external link targets and its internal anchors linked to."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    rels = archive.read("word/_rels/document.xml.rels").decode("utf-8")
    external = set(re.findall(r'Target="([^"]*)" TargetMode="External"', rels))
    external |= {m[1] for m in re.findall(r'TargetMode="External"[^>]*Target="([^"]*)"()', rels)}
    document = archive.read("word/document.xml").decode("utf-8")
    return external, set(re.findall(r'<w:hyperlink [^>]*w:anchor="([^"]*)"', document))


def test_the_pdf_links_what_the_policy_keeps(built):
    uris, inside = _pdf_targets(_file(built, ".pdf"))
    assert uris >= KEPT and "https://doi.org/10.5555/abc" in uris
    assert not {u for u in uris if any(bad and bad in u for bad in UNLINKED)}, uris
    assert inside >= 1, "the link to #intro stays inside the PDF"


def test_the_epub_links_what_the_policy_keeps(built):
    hrefs = _epub_targets(_file(built, ".epub"))
    assert hrefs >= KEPT and "https://doi.org/10.5555/abc" in hrefs
    assert not hrefs & UNLINKED and not {h for h in hrefs if "no-such-id" in h}
    assert any(h.endswith("#intro") for h in hrefs)


def test_the_docx_links_what_the_policy_keeps(built):
    external, anchors = _docx_targets(_file(built, ".docx"))
    assert external >= KEPT, external
    assert not external & UNLINKED and not {t for t in external if "html" in t or "www" in t}
    assert "intro" in anchors and "no-such-id" not in anchors


@pytest.mark.parametrize("suffix", [".pdf", ".epub", ".docx"])
def test_every_link_text_stays_in_every_edition(built, suffix):
    reader = {".pdf": read_pdf, ".epub": read_epub, ".docx": read_docx}[suffix]
    text = " ".join(reader(_file(built, suffix)).text.split())
    assert "Text only: rel, page, bare, empty, nowhere." in text, text[-300:]
    for word in WORDS:
        assert word in text, (suffix, word)


def test_one_warning_names_the_targets_left_without_a_link(built):
    warned = [w for w in built.resolved.warnings if "without a link" in w]
    assert len(warned) == 1, built.resolved.warnings
    for target in UNLINKED:
        assert repr(target) in warned[0], target


@pytest.mark.parametrize("target", ["javascript:alert(1)", "file:///etc/passwd",
                                    "data:text/html,x", "VBScript:msgbox"])
def test_a_script_or_file_target_is_a_one_line_error(tmp_path, capsys, target):
    article = tmp_path / "source" / "bad" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text(f"---\ntitle: T\n---\n[click]({target})\n", encoding="utf-8")
    assert main(["convert", str(article), "-o", str(tmp_path / "out")]) == 65
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not allowed" in err[0] and "article.md" in err[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("url", "target"), [
    ("https://example.org/a?b#c", "https://example.org/a?b#c"),
    ("http://example.org", "http://example.org"),
    ("ftp://ftp.example.org/f", "ftp://ftp.example.org/f"),
    ("mailto:ann@example.org", "mailto:ann@example.org"),
    ("tel:+44 1234", "tel:+44%201234"),
    ("https://doi.org/1520-0469(1967)024<0688:CDGBC>2.0.CO;2",
     "https://doi.org/1520-0469(1967)024%3C0688:CDGBC%3E2.0.CO;2"),
    ("https://de.wikipedia.org/wiki/Straße", "https://de.wikipedia.org/wiki/Stra%C3%9Fe"),
    ("https://example.org/a%20b", "https://example.org/a%20b"),
    ("doi:10.1234/x.y", "https://doi.org/10.1234/x.y"),
    ("DOI: 10.1234/x", "https://doi.org/10.1234/x"),
    ("#sec-intro", "#sec-intro"),
    ("#", None), ("", None), ("/url", None), ("page.html", None), ("../up.html", None),
    ("www.example.org", None), ("https://", None), ("mailto:", None), ("news:comp.lang", None),
])
def test_policy_target(url, target):
    assert links.policy_target(url) == target


def test_an_id_must_exist_when_ids_are_given():
    para = [{"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "x"}], ["#gone", ""]]}]
    unlinked: list[str] = []
    assert links.apply_link_policy(para, unlinked, {"here"}) == [{"t": "Str", "c": "x"}]
    assert unlinked == ["#gone"]
    kept = [{"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "x"}], ["#here", ""]]}]
    assert links.apply_link_policy(kept, [], {"here"}) is kept, "unchanged: the same list"
