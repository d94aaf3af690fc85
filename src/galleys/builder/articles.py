"""The articles of a build: found in source/, read, parsed and dated (one place, for the
coordinator, the workers and `galleys check`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

from galleys.errors import InputMissingError, SourceError
from galleys.front.frontmatter import FrontMatter, build_front_matter
from galleys.front.inlines import Inlines
from galleys.model import PublicationDate, ResolvedArticle
from galleys.read import limits
from galleys.read.dates import environment_epoch
from galleys.read.markdown import ARTICLE_NAMES, read_article
from galleys.read.overrides import MetadataOverrides
from galleys.resolve.passes import resolve

ARTICLE_FILE = "article.md"
DEFAULT_EPOCH = 315532800  # 1980-01-01: the earliest time a zip entry can carry


def prepare(
    path: Path,
    style: str | None = None,
    warn: Callable[[str], None] | None = None,
    *,
    strict: bool = False,
    citations: Mapping[str, Inlines] | None = None,
) -> tuple[ResolvedArticle, FrontMatter]:
    """Read, resolve and format the front matter of one article: what every backend needs.

    With `strict`, the first warning (unknown key, pandoc warning …) is an error instead.
    `citations` are How-to-Cite lines already rendered, by style (else citeproc runs here).
    """
    resolved = parse(path, style, strict=strict)
    if warn:
        for message in resolved.warnings:
            warn(message)
    return resolved, build_front_matter(resolved, (citations or {}).get(resolved.style))


def parse(
    path: Path,
    style: str | None = None,
    *,
    strict: bool = False,
    origin: Path | None = None,
    overrides: MetadataOverrides | None = None,
) -> ResolvedArticle:
    """Read and resolve one article (no How to Cite yet); with `strict`, a warning is an error.
    `origin`: the original article of which `path` is a copy; `overrides`: -M values and
    --metadata-file texts (see read_article)."""
    article = read_article(Path(path), origin=origin, overrides=overrides)
    limits.check_article(article)
    resolved = resolve(article, style)
    if strict and resolved.warnings:
        raise SourceError(f"{resolved.warnings[0]} (--strict makes warnings errors)")
    return resolved


def article_epoch(date: PublicationDate | None) -> int:
    """The publication date's first day at 00:00 UTC, the time every edition carries by
    default (1 January for a year alone)."""
    if date is None:
        return DEFAULT_EPOCH
    day = date.first_day()
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return max(DEFAULT_EPOCH, int(moment.timestamp()))


def source_date_epoch(resolved: ResolvedArticle) -> int:
    """SOURCE_DATE_EPOCH if set, else the article's publication date at 00:00 UTC."""
    found = environment_epoch()
    return found if found is not None else article_epoch(resolved.metadata.date)


def find_articles(source_dir: Path) -> list[Path]:
    """The article of each folder in `source_dir`, sorted: source/<slug>/article.md, else the
    first of ARTICLE_NAMES there (article.qmd, index.qmd, a JOSS paper folder's paper.md …),
    else the one such file a level down (a software repository with its paper/ folder)."""
    if not source_dir.is_dir():
        raise InputMissingError("no such source folder", path=source_dir)
    found = []
    for folder in sorted(p for p in source_dir.iterdir() if not p.name.startswith(".")):
        article = _article_in(folder)
        if article is None and folder.is_dir():
            below = [a for sub in sorted(folder.iterdir()) if not sub.name.startswith(".")
                     for a in [_article_in(sub)] if a is not None]
            article = below[0] if len(below) == 1 else None
        if article is not None:
            found.append(article)
    return found


def _article_in(folder: Path) -> Path | None:
    return next((folder / n for n in ARTICLE_NAMES if (folder / n).is_file()), None)

