"""Real published papers (../shared/corpus) convert as written, and every edition keeps their body.

Each paper is converted from its own folder with a relative path, as its authors would run it.
The body text every edition must hold is pandoc's own plain-text rendering of the same file: a
paragraph of it whose words an edition lacks is a paragraph that edition lost.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest
import yaml
from conftest import CORPUS, corpus_papers
from lxml import etree
from pypdf import PdfReader

from galleys import pandoc

GALLEYS = Path(sys.executable).with_name("galleys")
PAPERS = corpus_papers()
# A paragraph counts as kept when this share of its words is in the edition's text (hyphenation,
# ligatures, math laid out as glyphs and symbols account for the rest).
KEPT_SHARE = 0.85
_WORD = re.compile(r"[^\W\d_]{3,}")  # words of letters only: no numbers, no TeX-made symbols
# TeX control words that mean source leaked into an edition (they are never prose).
_TEX_CONTROL = re.compile(
    r"\\(begin|end|label|ref|autoref|eqref|cite|texttt|textit|textbf|emph|mathbf|mathrm|"
    r"mathbb|mathcal|boldsymbol|frac|sqrt|sum|int|left|right|includegraphics|caption|footnote|"
    r"url|href|mbox|item|alpha|beta|gamma|delta|lambda|sigma|partial|nabla|cdot|times)(?![a-zA-Z])"
)


def _id(path: Path) -> str:
    return path.relative_to(CORPUS).parts[1]


@cache
def _converted(paper: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GALLEYS), "convert", paper.name, "-o", str(out), "-q"],
        cwd=paper.parent,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )


@pytest.fixture(scope="module")
def out_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(params=PAPERS, ids=[_id(p) for p in PAPERS])
def built(request, out_root) -> tuple[Path, Path]:
    """(paper, output folder) of a converted corpus paper; the conversion must exit 0."""
    paper = request.param
    out = out_root / _id(paper)
    result = _converted(paper, out)
    assert result.returncode == 0, f"{_id(paper)}: exit {result.returncode}: {result.stderr}"
    return paper, out


def _edition(out: Path, suffix: str) -> Path:
    found = sorted(out.glob(f"*{suffix}"))
    assert len(found) == 1, f"{out}: expected one *{suffix}, found {found}"
    return found[0]


def _pdf_text(out: Path) -> str:
    reader = PdfReader(_edition(out, ".pdf"))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _epub_text(out: Path) -> str:
    texts = []
    with zipfile.ZipFile(_edition(out, ".epub")) as epub:
        for name in sorted(epub.namelist()):
            if name.endswith(".xhtml"):
                root = etree.fromstring(epub.read(name))
                texts.append(" ".join(root.itertext()))
    return "\n".join(texts)


def _docx_text(out: Path) -> str:
    """The document's paragraphs, then its footnotes' (Word keeps notes in a part of their own)."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    paragraphs = []
    with zipfile.ZipFile(_edition(out, ".docx")) as docx:
        for part in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
            if part in docx.namelist():
                root = etree.fromstring(docx.read(part))
                paragraphs += ["".join(p.itertext()) for p in root.iter(f"{w}p")]
    return "\n".join(paragraphs)


EDITIONS = {"pdf": _pdf_text, "epub": _epub_text, "docx": _docx_text}


def _words(text: str) -> set[str]:
    text = re.sub(r"-\s*\n\s*", "", text)  # a word hyphenated at a line end
    text = text.replace("\ufb01", "fi").replace("\ufb02", "fl")
    return {w.casefold() for w in _WORD.findall(text)}


@cache
def _pandoc_ast(paper: Path) -> dict:
    """The file as pandoc's own Markdown reader reads it (the reference, not galleys' reading)."""
    reply = pandoc.run(["-f", "markdown", "-t", "json", "-o", "-"], paper.read_bytes())
    return json.loads(reply.output)


@cache
def _pandoc_paragraphs(paper: Path) -> tuple[tuple[str, ...], ...]:
    """The body's paragraphs as pandoc renders the file to plain text, as word tuples.

    Formulas are left out: pandoc's plain text keeps what it cannot turn into Unicode as TeX
    words (`begin`, `bmatrix`), which no edition that typesets the formula prints.
    """
    plain = pandoc.run(
        ["-f", "json", "-t", "plain", "--wrap=none", "-o", "-"],
        json.dumps(_without_math(_pandoc_ast(paper))).encode(),
    ).output.decode()
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", plain):
        words = tuple(w.casefold() for w in _WORD.findall(paragraph))
        if len(words) >= 8 and "@" not in paragraph:  # prose, not a citation key list
            paragraphs.append(words)
    return tuple(paragraphs)


def _without_math(node: object) -> object:
    """A pandoc JSON value with every Math node replaced by a space."""
    if isinstance(node, list):
        return [_without_math(item) for item in node]
    if isinstance(node, dict):
        if node.get("t") == "Math":
            return {"t": "Space"}
        return {key: _without_math(value) for key, value in node.items()}
    return node


def _front_matter(paper: Path) -> dict:
    text = paper.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---"))


def _code_control_words(paper: Path) -> set[str]:
    """TeX control words the source shows as code (a LaTeX example is not a leak)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") in ("Code", "CodeBlock"):
                found.update(m.group(0) for m in _TEX_CONTROL.finditer(node["c"][1]))
                return
            walk(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(_pandoc_ast(paper)["blocks"])
    return found


def test_the_corpus_is_there():
    assert len(PAPERS) >= 14, f"expected the 14 corpus papers, found {len(PAPERS)}"


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_edition_keeps_every_paragraph(built, edition):
    paper, out = built
    words = _words(EDITIONS[edition](out))
    lost = []
    for paragraph in _pandoc_paragraphs(paper):
        kept = sum(w in words for w in paragraph) / len(paragraph)
        if kept < KEPT_SHARE:
            lost.append(f"{kept:.0%} of {' '.join(paragraph[:12])!r}")
    assert not lost, f"{edition} lost {len(lost)} paragraph(s), the first: {lost[0]}"
    assert _pandoc_paragraphs(paper), "pandoc found no prose paragraph: the comparison is empty"


def test_no_tex_source_in_the_pdf(built):
    paper, out = built
    allowed = _code_control_words(paper)
    leaked = sorted({m.group(0) for m in _TEX_CONTROL.finditer(_pdf_text(out))} - allowed)
    assert not leaked, f"TeX control words in the PDF's text: {leaked}"


def _author_names(paper: Path) -> list[str]:
    meta = _front_matter(paper)
    entries = meta.get("authors") or meta.get("author") or []
    if isinstance(entries, (str, dict)):
        entries = [entries]
    names = []
    for entry in entries:
        if isinstance(entry, str):
            names.append(entry)
            continue
        name = entry.get("name", "")
        if isinstance(name, dict):
            name = name.get("literal") or name.get("family") or name.get("surname") or ""
        names.append(name or entry.get("surname") or entry.get("family") or "")
    return [n for n in names if n]


def _family_word(name: str) -> str:
    """The last word of a name as a reader sees it: entities and TeX accents decoded."""
    from pylatexenc.latex2text import LatexNodes2Text

    name = re.sub(r"\^\[.*?\]|\(.*?\)", "", html.unescape(name))  # notes, "(e-mail)"
    return LatexNodes2Text().latex_to_text(name).split()[-1].strip(",")


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_author_is_in_every_edition(built, edition):
    paper, out = built
    text = " ".join(EDITIONS[edition](out).split())
    names = _author_names(paper)
    assert names, "the source names no author"
    missing = [n for n in names if _family_word(n) not in text]
    assert not missing, f"{edition} lacks author(s) {missing}"


def test_one_reference_list_heading(built):
    paper, out = built
    if "bibliography" not in _front_matter(paper):
        pytest.skip("the paper cites nothing")
    with zipfile.ZipFile(_edition(out, ".docx")) as docx:
        root = etree.fromstring(docx.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    headings = [
        "".join(p.itertext()).strip()
        for p in root.iter(f"{w}p")
        if any(s.get(f"{w}val", "").startswith("Heading") for s in p.iter(f"{w}pStyle"))
    ]
    assert sum(h.casefold() in ("references", "bibliography") for h in headings) == 1, headings
