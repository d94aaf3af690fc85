"""The per-article build: a pure function of serializable inputs that returns the files' bytes.

It runs the same in-process, in a local worker process, or on a Dask worker on another machine:
it reads nothing but its job and writes nothing but a temporary copy of the article's folder.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EXIT_INTERNAL, GalleysError
from .inlines import Inlines
from .snapshot import ArticleInput


@dataclass(frozen=True)
class OutputFile:
    """One file of an article's output, in memory until delivered."""

    name: str  # file name inside dist/<slug>/
    data: bytes
    media_type: str


@dataclass(frozen=True)
class ArticleJob:
    """Everything one article's build needs."""

    input: ArticleInput
    formats: tuple[str, ...]
    style: str | None = None
    paper: str = "a4"
    strict: bool = False
    epoch: int | None = None  # SOURCE_DATE_EPOCH as the coordinator saw it
    citations: dict[str, Inlines] = field(default_factory=dict)  # How to Cite by style
    landing: tuple[str, ...] = ()  # styles of the landing page; () makes no landing page


@dataclass
class ArticleResult:
    """What a job made; `error` is a one-line message (exceptions do not travel well)."""

    article_path: str
    slug: str = ""
    outputs: list[OutputFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    exit_code: int = 0


def build_article(job: ArticleJob) -> ArticleResult:
    """Build one article's files in memory; never raises for a bad article."""
    result = ArticleResult(job.input.article_path)
    with tempfile.TemporaryDirectory(prefix="galleys-") as temp:
        root = Path(temp)
        try:
            path = job.input.materialize(root)
            result.slug, result.outputs, warnings = _render(path, job)
            result.warnings = [job.input.rename_paths(w, root) for w in warnings]
        except GalleysError as error:
            result.error = job.input.rename_paths(str(error), root)
            result.exit_code = error.exit_code
        except Exception as error:  # a bug must not take the other articles down
            result.error = (
                f"{job.input.article_path}: internal error: {type(error).__name__}: {error}"
            )
            result.exit_code = EXIT_INTERNAL
    return result


def _render(path: Path, job: ArticleJob) -> tuple[str, list[OutputFile], list[str]]:
    from . import backends, exports, landing
    from .backends import RenderOptions
    from .build import prepare
    from .citation import how_to_cite_many

    resolved, front = prepare(path, job.style, strict=job.strict, citations=job.citations)
    options = RenderOptions(
        source_date_epoch=job.epoch if job.epoch is not None else _article_epoch(resolved),
        paper=job.paper,
        strict=job.strict,
    )
    slug = resolved.metadata.slug
    outputs = []
    warnings = list(resolved.warnings)
    chosen = [backends.get(name) for name in job.formats]
    # A backend whose work is mostly its own pandoc process runs in a thread, so that process
    # uses the other core while this one lays out the PDF; the bytes are the same.
    with ThreadPoolExecutor(max_workers=1) as pool:
        apart = {
            id(backend): pool.submit(backend.render, resolved, front, options)
            for backend in chosen
            if getattr(backend, "external", False)
        }
        for backend in chosen:
            future = apart.get(id(backend))
            data = future.result() if future else backend.render(resolved, front, options)
            warnings += getattr(backend, "warnings", [])
            outputs.append(OutputFile(f"{slug}{backend.suffix}", data, backend.media_type))
    for suffix, media_type, data in exports.all_files(resolved, front):
        outputs.append(OutputFile(f"{slug}{suffix}", data, media_type))
    if job.landing:
        citations = dict(job.citations)
        missing = tuple(name for name in job.landing if name not in citations)
        if missing:
            citations.update(how_to_cite_many(resolved, missing))
        shown = {name: citations[name] for name in (front.style, *job.landing)}
        for name, data, media_type in landing.article_files(resolved, front, outputs, shown):
            outputs.append(OutputFile(name, data, media_type))
    return slug, outputs, warnings


def _article_epoch(resolved) -> int:
    from .build import article_epoch

    return article_epoch(resolved.metadata.date)
