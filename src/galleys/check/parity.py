"""`galleys check`: every edition's front matter read from its own slots, its body and its
catalogue fields compared with the source, and every file validated."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from galleys.builder.articles import ARTICLE_FILE, find_articles, prepare
from galleys.check.body import Source, lost_passages, lost_references, source_body
from galleys.check.citation_files import check_citation_files
from galleys.check.compare import same
from galleys.check.links import broken_links
from galleys.check.readers.text import normalize
from galleys.check.report import format_report, to_json
from galleys.check.results import DIFFERS, MISSING, OK, ArticleReport, Cell, Row
from galleys.check.slots import Found, Reading, editions
from galleys.check.validate import epubcheck, epubcheck_jar, java, validate_editions
from galleys.errors import InputMissingError
from galleys.front.frontmatter import Field, FrontMatter
from galleys.model import ResolvedArticle
from galleys.read.markdown import ARTICLE_NAMES, read_article
from galleys.resolve.mathml import runs_as_text

FRONTMATTER_SUFFIX = ".frontmatter.json"
__all__ = ["ArticleReport", "Cell", "Expected", "Row", "check_article", "check_path",
           "epubcheck", "epubcheck_jar", "expected_from", "format_report", "java", "to_json"]
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
    sources = {read_article(p).metadata.slug: p for p in source_articles(source_dir)}
    reports = []
    for folder in folders:
        slug = built_slug(folder)
        if slug not in sources:
            report = ArticleReport(slug, [])
            report.problems.append(f"{folder}: no {source_dir}/*/{ARTICLE_FILE} has slug {slug!r}")
            reports.append(report)
            continue
        reports.append(check_article(folder, sources[slug], validate=validate))
    return reports


def source_articles(source: Path) -> list[Path]:
    """The articles the editions were built from: `source` an article file, a folder holding
    one (as `galleys convert` takes them), or a journal's source folder (as `galleys build`)."""
    if source.is_file():
        return [source]
    if source.is_dir():
        named = [source / name for name in ARTICLE_NAMES if (source / name).is_file()]
        if named:
            return named[:1]
    return find_articles(source)


def built_slug(folder: Path) -> str:
    """The slug of a built article folder: its name, or that of its one front-matter file."""
    if (folder / f"{folder.name}{FRONTMATTER_SUFFIX}").is_file():
        return folder.name
    found = sorted(folder.glob(f"*{FRONTMATTER_SUFFIX}"))
    return found[0].name.removesuffix(FRONTMATTER_SUFFIX) if len(found) == 1 else folder.name


@dataclass(frozen=True)
class Expected:
    """What the editions of one article must show: made once from its source."""

    resolved: ResolvedArticle
    front: FrontMatter
    body: Source


def expected_from(source: Path, folder: Path) -> Expected:
    """The source read, resolved and formatted in the style the editions were built in."""
    built = json.loads((folder / f"{built_slug(folder)}{FRONTMATTER_SUFFIX}")
                       .read_text(encoding="utf-8"))
    style = built.get("style")
    if isinstance(style, str) and style.endswith(".csl"):
        style = None  # a journal's own style file, published by its name: the source's csl:
    with _moment(built.get("published_iso")):
        resolved, front = prepare(source, style=style)
    return Expected(resolved, front, source_body(resolved))


@contextmanager
def _moment(published_iso: object) -> Iterator[None]:
    """Read `date: today` as the day the editions were built for: SOURCE_DATE_EPOCH as the
    build had it (the built front matter's publication day), unless it is set here too."""
    if os.environ.get("SOURCE_DATE_EPOCH") or not isinstance(published_iso, str):
        yield
        return
    try:
        day = dt.date.fromisoformat(published_iso)
    except ValueError:
        yield
        return
    epoch = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def check_article(folder: Path, source: Path, *, validate: bool = True,
                  expected: Expected | None = None) -> ArticleReport:
    """Compare every edition in `folder` with the front matter and body made from `source`
    (or given as `expected`, made once for many folders)."""
    slug = built_slug(folder)
    expected = expected or expected_from(source, folder)
    front = expected.front
    report = ArticleReport(slug, [])
    readings: dict[str, Reading] = {}
    for edition in editions():
        path = edition.path(folder, slug)
        if not path.is_file():
            continue
        try:
            readings[edition.name] = edition.read(path.read_bytes(), front)
        except Exception as error:  # a broken file is a finding, not a crash
            report.problems.append(f"{path}: cannot be read: {type(error).__name__}: {error}")
    report.editions = list(readings)
    text_front = runs_as_text(front)  # formulas as their text reads
    with_math = {f.key for f in front.fields() if f.has_math}  # before runs_as_text
    report.rows += front_rows(text_front, readings, report.problems, with_math)
    report.rows += catalogue_rows(text_front, readings)
    report.rows.append(body_row(expected.body, readings))
    report.problems += _check_frontmatter_json(folder / f"{slug}{FRONTMATTER_SUFFIX}", front)
    report.problems += check_citation_files(folder, slug, front)
    report.problems += broken_links(folder, slug)
    if validate:
        report.problems += validate_editions(folder, slug, report.notes)
    return report


def _cell(expected: str, found: Found | None, *, kind: str, math: bool,
          visual: bool = False) -> Cell:
    if found is None or not normalize(found.value):
        return Cell(MISSING, found.slot if found else "")
    if same(expected, found.value, kind=kind, math=math, visual=visual):
        return Cell(OK, found.slot, found.value)
    return Cell(DIFFERS, found.slot, found.value)


def front_rows(front: FrontMatter, readings: dict[str, Reading], problems: list[str],
               with_math: frozenset[str] | set[str] = frozenset()) -> list[Row]:
    """One row per front-matter field, each cell read from that field's slot; the fields
    keyed in `with_math` hold a formula."""
    fields = front.fields()
    rows = []
    position: dict[str, int] = {}
    for item in fields:
        index = position.get(item.kind, 0)
        position[item.kind] = index + 1
        row = Row(item.key, item.kind, item.value)
        for name, reading in readings.items():
            if item.kind in reading.absent:
                continue  # the edition does not carry it: no cell
            found = reading.front.get(item.kind, [])
            row.cells[name] = _field_cell(item, index, found, item.key in with_math,
                                          reading.visual_order)
        rows.append(row)
    for name, reading in readings.items():
        for kind, found in reading.front.items():
            if kind != "email" and len(found) > position.get(kind, 0):
                extra = found[position.get(kind, 0)]
                problems.append(f"{name}: {kind} slot ({extra.slot}) holds "
                                f"{len(found)} values, the source {position.get(kind, 0)}: "
                                f"{extra.value[:60]!r} is not the source's")
    return rows


def _field_cell(item: Field, index: int, found: list[Found], math: bool, visual: bool
                ) -> Cell:
    if item.kind == "email":  # the notes name addresses in their own order
        match = next((f for f in found if same(item.value, f.value)), None)
        if match:
            return Cell(OK, match.slot, match.value)
        return Cell(MISSING if not found else DIFFERS, found[0].slot if found else "",
                    ", ".join(f.value for f in found))
    return _cell(item.value, found[index] if index < len(found) else None, kind=item.kind,
                 math=math, visual=visual)


def catalogue_rows(front: FrontMatter, readings: dict[str, Reading]) -> list[Row]:
    """The catalogue fields of each edition's metadata stores (PDF Info and XMP, EPUB OPF,
    DOCX core properties, the landing page's <meta> tags): every store holding a field must
    hold the source's value."""
    names = [a.catalogue_name for a in front.authors]
    doi = front.doi_url.removeprefix("https://doi.org/")
    expected = {
        "title": [front.title_text],
        "full title": [front.title_with_subtitle],
        "authors": names,
        "keywords": list(front.keywords),
        "abstract": [front.abstract_text] if front.abstract else [],
        "doi": [doi] if doi else [],
    }
    rows = []
    for name, values in expected.items():
        row = Row(f"catalogue {name}", f"catalogue {name}", "; ".join(values))
        for edition, reading in readings.items():
            stores = reading.catalogue.get(name)
            if stores is None:
                continue
            row.cells[edition] = _catalogue_cell(name, values, stores)
        if row.cells:
            rows.append(row)
    return rows


def _catalogue_cell(name: str, values: list[str], stores: dict[str, list[str]]) -> Cell:
    for slot, held in stores.items():
        found = [value for value in held if normalize(value)]
        if name == "keywords":
            good = {normalize(v) for v in values} == {normalize(f) for f in found}
        else:
            good = len(found) == len(values) and all(
                same(v, f) for v, f in zip(values, found, strict=True))
        if not good:
            return Cell(MISSING if not any(found) else DIFFERS, slot, "; ".join(found))
    return Cell(OK, " + ".join(stores), "")


def body_row(source: Source, readings: dict[str, Reading]) -> Row:
    """The body: the first passage an edition lost, its lost cross-references and formulas."""
    row = Row("body", "body", f"{len(source.passages)} passages")
    for name, reading in readings.items():
        if reading.body is None:
            continue
        findings = []
        lost = lost_passages(source, reading.body)
        if lost:
            more = f" (and {len(lost) - 1} more)" if len(lost) > 1 else ""
            findings.append(f"lost {lost[0].kind} {_excerpt(lost[0].text)!r}{more}")
        references = lost_references(source, reading.body)
        if references:
            findings.append(f"lost cross-reference {references[0]!r}"
                            + (f" (and {len(references) - 1} more)" if len(references) > 1
                               else ""))
        if reading.equations is not None and reading.equations < source.equations:
            findings.append(f"{reading.equations} display equations, the source "
                            f"{source.equations}")
        row.cells[name] = Cell(DIFFERS if findings else OK, reading.body_slot,
                               "; ".join(findings))
    return row


def _excerpt(text: str, limit: int = 70) -> str:
    text = normalize(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "\u2026"


def _check_frontmatter_json(path: Path, front: FrontMatter) -> list[str]:
    built = json.loads(path.read_text(encoding="utf-8")).get("elements", {})
    expected = dict(front.elements())
    return [
        f"{path}: {key!r} is {built.get(key)!r}, the source gives {value!r}"
        for key, value in expected.items()
        if built.get(key) != value
    ]
