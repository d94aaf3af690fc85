"""The per-article build: a pure function of serializable inputs that returns the files' bytes.

It runs the same in-process, in a local worker process, or on a Dask worker on another machine:
it reads nothing but its job and writes nothing but a temporary copy of the article's folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from galleys.builder import budget
from galleys.builder.snapshot import ArticleInput
from galleys.errors import EXIT_INTERNAL, GalleysError
from galleys.front.inlines import Inlines

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle
    from galleys.read.overrides import MetadataOverrides
    from galleys.writers import RenderOptions


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
    overrides: MetadataOverrides | None = None  # -M and --metadata-file
    draft: bool = False  # the PDF for review: line numbers and a DRAFT mark


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
    """Build one article's files in memory, within its time budget (budget.time_limit);
    never raises for a bad article."""
    try:
        with budget.time_limit(job.input.article_path):
            return render_article(job, parse_article(job))
    except budget.OverBudget as error:  # between two steps: no step's handler saw it
        return ArticleResult(job.input.article_path, error=str(error),
                             exit_code=error.exit_code)


class ParsedArticle:
    """An article's folder materialized and its source parsed: the first half of a build,
    which mostly waits for pandoc (so a build may do it for the next article meanwhile, or
    before the How-to-Cite lines are ready: it needs only the job's input, style and strict)."""

    def __init__(self, job: ArticleJob) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="galleys-")
        self.root = Path(self.folder.name)
        self.result = ArticleResult(job.input.article_path)
        self.parsed: ResolvedArticle | None = None

    def discard(self) -> None:
        """Remove the materialized folder of a parse that will not be rendered."""
        self.folder.cleanup()


def parse_article(job: ArticleJob) -> ParsedArticle:
    """Materialize and parse `job`'s article; an error is kept for render_article to return."""
    parsed = ParsedArticle(job)
    _guarded(job, parsed, lambda: _parse(job, parsed))
    return parsed


def render_article(job: ArticleJob, parsed: ParsedArticle,
                   apart: Apart | None = None) -> ArticleResult:
    """Render the editions of a parsed article (front matter with `job`'s How-to-Cite lines);
    removes its materialized folder. `apart`: some of its editions, being made by another
    process (render_editions), taken from there."""
    try:
        resolved = parsed.parsed
        if resolved is not None:
            _guarded(job, parsed, lambda: _render(job, parsed, resolved, apart))
        return parsed.result
    finally:
        parsed.discard()


def _parse(job: ArticleJob, parsed: ParsedArticle) -> None:
    from galleys.builder.articles import parse

    path = job.input.materialize(parsed.root)
    parsed.parsed = parse(path, job.style, strict=job.strict, origin=Path(job.input.article_path),
                          overrides=job.overrides)


def _guarded(job: ArticleJob, parsed: ParsedArticle, step: Callable[[], None]) -> None:
    """Run `step`; a failure becomes the result's one-line error (exceptions do not travel)."""
    result = parsed.result
    try:
        step()
    except GalleysError as error:
        result.error = job.input.rename_paths(str(error), parsed.root)
        result.exit_code = error.exit_code
        parsed.parsed = None
    except MemoryError:  # over the worker's memory budget (budget.limit_memory)
        over = budget.over_memory(job.input.article_path)
        result.error, result.exit_code = str(over), over.exit_code
        parsed.parsed = None
    except Exception as error:  # a bug must not take the other articles down
        result.error = f"{job.input.article_path}: internal error: {type(error).__name__}: {error}"
        result.exit_code = EXIT_INTERNAL
        parsed.parsed = None


def _render(job: ArticleJob, parsed: ParsedArticle, resolved: ResolvedArticle,
            apart: Apart | None = None) -> None:
    from galleys.front.citation import how_to_cite_many
    from galleys.writers import citation_files
    from galleys.writers.landing import pages as landing

    front, options = _front_and_options(job, resolved)
    slug = resolved.metadata.slug
    made = _editions(job.formats, resolved, front, options, apart)
    outputs = [output for name in job.formats for output in made.outputs.get(name, [])]
    warnings = list(resolved.warnings)
    warnings += [warning for name in job.formats for warning in made.warnings.get(name, [])]
    for suffix, media_type, data in citation_files.all_files(resolved, front):
        outputs.append(OutputFile(f"{slug}{suffix}", data, media_type))
    if job.landing:
        citations = dict(job.citations)
        missing = tuple(name for name in job.landing if name not in citations)
        if missing:
            citations.update(how_to_cite_many(resolved, missing))
        shown = {name: citations[name] for name in (front.style, *job.landing)}
        for name, data, media_type in landing.article_files(
                resolved, front, outputs, shown, site_url=resolved.metadata.site_url):
            outputs.append(OutputFile(name, data, media_type))
    result = parsed.result
    result.slug, result.outputs = slug, outputs
    result.warnings = [job.input.rename_paths(w, parsed.root) for w in warnings]


@dataclass
class Editions:
    """Editions of one article by format name: the files each made and the warnings it gave
    (names the user's, for those made apart); `error`, one line, when they could not be made."""

    outputs: dict[str, list[OutputFile]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""


def _front_and_options(job: ArticleJob, resolved: ResolvedArticle
                       ) -> tuple[FrontMatter, RenderOptions]:
    from galleys.front.frontmatter import build_front_matter
    from galleys.writers import RenderOptions

    front = build_front_matter(resolved, job.citations.get(resolved.style))
    options = RenderOptions(
        source_date_epoch=job.epoch if job.epoch is not None else _article_epoch(resolved),
        paper=job.paper,
        strict=job.strict,
        draft=job.draft,
    )
    return front, options


@dataclass(frozen=True)
class Apart:
    """Editions of an article another process is making meanwhile (render_editions)."""

    formats: tuple[str, ...]
    future: Future[Editions]


def _editions(formats: tuple[str, ...], resolved: ResolvedArticle, front: FrontMatter,
              options: RenderOptions, apart: Apart | None = None) -> Editions:
    """Render the editions of `formats`: first those made here, then those `apart` made are
    taken from it, unless it failed: then they are made here too (the same bytes; the same
    error, if that is why)."""
    from galleys import writers
    from galleys.writers import is_external

    made = Editions()
    slug = resolved.metadata.slug
    elsewhere = set(apart.formats) if apart is not None else set()
    local = [(name, writers.get(name)) for name in formats if name not in elsewhere]
    # A backend whose work is mostly its own pandoc process prepares its input here, first,
    # and its conversion runs in a thread, so pandoc uses the other core while this one lays
    # out the PDF (prepared in that thread, it waited for the GIL the layout held); the bytes
    # are the same.
    helpers: set[int] = set()  # the pool's thread, whose pandoc stops if the budget runs out

    def traced(call: Callable[[], bytes | None]) -> Callable[[], bytes | None]:
        def run() -> bytes | None:
            helpers.add(threading.get_ident())
            return call()
        return run

    with ThreadPoolExecutor(max_workers=1) as pool, _stopping_pandoc(helpers):
        converting = {
            name: pool.submit(traced(backend.prepare(resolved, front, options)))
            for name, backend in local
            if is_external(backend)
        }
        for name, backend in local:
            future = converting.get(name)
            data = future.result() if future else backend.render(resolved, front, options)
            made.warnings[name] = [*getattr(backend, "warnings", []),
                                   *getattr(backend, "notes", [])]  # notes: with -v only
            made.outputs[name] = []
            if data is None:  # the article has no such file (a deposit without a DOI)
                continue
            made.outputs[name].append(OutputFile(f"{slug}{backend.suffix}", data,
                                                 backend.media_type))
            # files the edition names, written beside it (the JATS's figures)
            made.outputs[name] += [OutputFile(n, d, m) for n, m, d in getattr(backend, "files", ())]
    if apart is not None:
        done = _made_apart(apart)
        if done is None:  # it failed: its editions made here
            done = _editions(apart.formats, resolved, front, options)
        made.outputs.update(done.outputs)
        made.warnings.update(done.warnings)
    return made


def _made_apart(apart: Apart) -> Editions | None:
    """What the other process made, or None when it failed (its editions are then made here)."""
    try:
        done = apart.future.result()
    except budget.OverBudget:  # this process's own time budget, run out while it waited
        raise
    except Exception:  # noqa: BLE001 - a helper process that died or broke: made here instead
        return None
    return None if done.error or set(done.outputs) != set(apart.formats) else done


def render_editions(job: ArticleJob, formats: tuple[str, ...]) -> Editions:
    """Parse `job`'s article and render the editions of `formats` only: in a watch's helper
    process (builder.watch), while the coordinator renders the article's other files. The
    same functions of the same job as render_article's: the same bytes. Any failure is only
    `error` (the coordinator then makes these editions itself, and reports what it meets)."""
    made = Editions()

    def step(resolved: ResolvedArticle) -> None:
        front, options = _front_and_options(job, resolved)
        done = _editions(formats, resolved, front, options)
        made.outputs = done.outputs
        made.warnings = {name: [job.input.rename_paths(w, parsed.root) for w in found]
                         for name, found in done.warnings.items()}

    parsed = parse_article(job)
    try:
        with budget.time_limit(job.input.article_path):
            resolved = parsed.parsed
            if resolved is not None:
                _guarded(job, parsed, lambda: step(resolved))
    except budget.OverBudget as error:
        made.error = str(error)
    finally:
        parsed.discard()
    made.error = made.error or parsed.result.error
    return made


@contextlib.contextmanager
def _stopping_pandoc(threads: set[int]) -> Iterator[None]:
    """On the way out by an exception (the time budget, Ctrl+C), stop the pandoc conversions
    of `threads`: the pool's exit then waits for nothing."""
    try:
        yield
    except BaseException:
        from galleys import pandoc_server

        pandoc_server.stop_busy(threads)
        raise


class Warmup:
    """A pandoc server started now, and the backends imported (~0.4 s) in a thread while the
    build plans. wait() before rendering here, and before forking workers (a fork beside a
    running import can hang the child); the forked workers then start with the backends
    imported. Whatever fails here fails again where it counts, with its own message."""

    def __init__(self, formats: tuple[str, ...], languages: tuple[str, ...] = ()) -> None:
        from galleys import pandoc

        # Started here, not in the thread: a conversion begun next (the first parse, the
        # titles) finds it idle instead of starting one of its own beside it (~5 ms: a spawn).
        with contextlib.suppress(Exception):
            pandoc.prestart()
        self._thread = threading.Thread(target=self._run, args=(formats, languages),
                                        name="galleys-warmup", daemon=True)
        self._thread.start()

    @staticmethod
    def _run(formats: tuple[str, ...], languages: tuple[str, ...]) -> None:
        with contextlib.suppress(Exception):
            warm_backends(formats, languages)

    def wait(self) -> None:
        self._thread.join()


def warm_backends(formats: tuple[str, ...], languages: tuple[str, ...] = ()) -> None:
    """Import the backends of `formats` (~0.4 s), compile our page templates (~0.15 s) and
    read the PDF's hyphenation dictionaries of `languages` (~0.25 s each), e.g. while pandoc
    parses the first article; an unknown format is left for the build to report."""
    from galleys import writers
    from galleys.writers import citation_files
    from galleys.writers.html import templates
    from galleys.writers.landing import pages as landing  # noqa: F401

    for name in formats:
        with contextlib.suppress(GalleysError):
            writers.get(name)
    citation_files.import_writers()
    if {"pdf", "epub"} & set(formats):  # the PDF and the EPUB cover: pdfium, and the default
        # faces most articles draw with (the others are read if an edition needs them)
        import pypdfium2  # noqa: F401

        from galleys.writers.pdf.fonts import load_common_faces

        load_common_faces()
    if "pdf" in formats:
        from galleys.writers.pdf.hyphenation import dictionary

        for lang in languages:
            dictionary(lang)
    templates.compile_ours()


def worker_started(coordinator: int | None = None, temporary: str | None = None) -> None:
    """Run by each local worker process as it starts (a build's ProcessPoolExecutor).

    The worker ends with its coordinator however that ends (SIGKILL too: the parent-death
    signal, on Linux), and its pandoc servers with it (pandoc_server.command). Such a process
    ends by os._exit, without atexit, so its pandoc servers are stopped by multiprocessing's
    own exit hook instead, and then its temporary folder (below the build's `temporary` one,
    which the coordinator removes, or the next build when the coordinator was killed) is
    removed; none is left behind, not even as a zombie. Its memory is bounded by the
    article budget (budget.limit_memory)."""
    from multiprocessing.util import Finalize

    from galleys import pandoc_server

    if coordinator is not None:
        _die_with(coordinator)
    if temporary is not None:
        folder = tempfile.mkdtemp(prefix="worker-", dir=temporary)
        tempfile.tempdir = folder  # this process's temporary files, pandoc's too (TMPDIR)
        os.environ["TMPDIR"] = folder
        Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                 exitpriority=-10)  # after the pandoc servers are stopped (priority 0)
    budget.limit_memory()
    Finalize(None, pandoc_server.close_all, exitpriority=0)


def helper_started(coordinator: int, temporary: str, formats: tuple[str, ...]) -> None:
    """Run by a watch's helper process as it starts (builder.watch): a worker's start
    (worker_started: it ends with the watch, its files with its folder), Ctrl+C left to the
    watch, which ends it, and the backends of `formats` imported and a pandoc server started
    now, before the first save."""
    worker_started(coordinator, temporary)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from galleys import pandoc

    with contextlib.suppress(Exception):
        pandoc.prestart()
    with contextlib.suppress(Exception):
        warm_backends(formats)


def _die_with(parent: int) -> None:
    """SIGKILL for this process when `parent` ends (Linux's PR_SET_PDEATHSIG); at once when it
    has ended already."""
    if sys.platform.startswith("linux"):
        import ctypes

        set_parent_death_signal = 1  # PR_SET_PDEATHSIG
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(set_parent_death_signal, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the coordinator died before the signal was asked for
        os._exit(1)


def _article_epoch(resolved) -> int:
    from galleys.builder.articles import article_epoch

    return article_epoch(resolved.metadata.date)
