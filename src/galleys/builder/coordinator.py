"""Plans and runs a build: which articles need work, in which worker, then atomic writes to dist/.

The coordinator alone writes dist/. Each article is built by worker.build_article from a
snapshot of its folder (in-process, in local worker processes, or on a Dask cluster), after the
How-to-Cite lines of many articles were rendered together by few citeproc runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleys.builder import budget, keys, lock
from galleys.builder.articles import ARTICLE_FILE, find_articles
from galleys.builder.deliver import (
    INDEX,
    MANIFEST,
    _rewritten,
    deliver,
    read_manifest,
    write_atomic,
    write_journal_index,
    write_manifest,
)
from galleys.builder.lock import exclusive
from galleys.builder.snapshot import ArticleInput, stat_stamp, take_snapshot
from galleys.builder.stamps import FILE as STAMPS
from galleys.builder.stamps import StampCache
from galleys.builder.worker import (
    Apart,
    ArticleJob,
    ArticleResult,
    OutputFile,
    ParsedArticle,
    Warmup,
    build_article,
    parse_article,
    render_article,
    render_editions,
    worker_started,
)
from galleys.errors import GalleysError, InputMissingError
from galleys.front import styles
from galleys.front.citation import CiteCache
from galleys.model import Article, Branding
from galleys.read.branding import fingerprint, journal_branding
from galleys.read.dates import environment_epoch
from galleys.read.markdown import find_article_file, read_article
from galleys.read.overrides import MetadataOverrides

CITE_CACHE = ".galleys-cite.json"  # hidden: not listed in the manifest, not published
LOCK = lock.LOCK  # held while a build writes the folder
BATCH = 64  # articles whose How-to-Cite lines share citeproc runs

__all__ = ["OutputFile", "BuildResult", "build_all", "convert"]














# -- writing -----------------------------------------------------------------------------


















def _word_templates(source_dir: Path) -> str:
    """A digest of the Word files beside journal.yaml (a `reference-doc:` it names is one),
    for the articles' keys: editing the template rebuilds them; "" where there is none."""
    found = sorted(p for p in source_dir.glob("*.do[ct]x") if p.is_file())
    h = hashlib.sha256()
    for path in found:
        h.update(f"{path.name}\0".encode() + path.read_bytes())
    return h.hexdigest() if found else ""


def _journal_branding(source_dir: Path) -> Branding:
    """journal.yaml's branding, for the index and the articles' keys; when it is wrong, none
    (every article reports the error as it reads journal.yaml)."""
    try:
        return journal_branding(source_dir)
    except GalleysError:
        return Branding()




# -- one article ---------------------------------------------------------------------------


def convert(
    path: Path,
    out_dir: Path | None,
    formats: tuple[str, ...],
    *,
    style: str | None = None,
    paper: str = "a4",
    strict: bool = False,
    warn: Callable[[str], None] | None = None,
    wait: float = lock.DEFAULT_WAIT,
    overrides: MetadataOverrides | None = None,
    draft: bool = False,
) -> list[Path]:
    """Build one article into out_dir (default dist/<slug>/); all renders before any write.
    Another build writing that folder is waited for at most `wait` seconds; `overrides`: -M
    values and --metadata-file texts layered over the article's."""
    started = time.monotonic()  # the article's time budget counts from here
    path = Path(path)
    if path.is_dir():
        path = find_article_file(path)  # an article folder names its one article file
    plan = _Plan(style=style, formats=formats, paper=paper, strict=strict, overrides=overrides,
                 draft=draft)
    planned = _Planned(path, take_snapshot(path))
    article = read_article(planned.path, overrides=overrides)
    # as a build does: the backends imported and the article parsed in threads while its
    # How-to-Cite lines are made (pandoc works on the other core meanwhile)
    warmup = Warmup(formats, (article.metadata.lang,))
    early = _EarlyParse(planned, plan.provisional(planned.snapshot))
    try:
        (job,) = plan.jobs([(planned, article)])
        parsing = early.take(planned)  # this very article's parse: never None here
        assert parsing is not None
        warmup.wait()
        parsed = parsing.result()
        with budget.article_limits(str(path), started):
            result = render_article(job, parsed)
    finally:
        warmup.wait()  # never left importing while the process ends
        early.discard()
    for message in result.warnings:
        if warn:
            warn(message)
    if result.error:
        raise _Failed(result.error, result.exit_code)
    folder = out_dir if out_dir is not None else Path("dist") / result.slug
    _file_size_limit_is_an_error()
    with exclusive(folder, wait, warn):
        return deliver(result.outputs, folder)


def _language_of(path: Path) -> tuple[str, ...]:
    """The language of the first article to build, for the warm-up to read its hyphenation
    dictionary while pandoc parses (workers forked later have it too); none for an article
    that cannot be read (its build says why)."""
    try:
        return (read_article(path).metadata.lang,)
    except GalleysError:
        return ()


def _file_size_limit_is_an_error() -> None:
    """A write over the file-size limit (ulimit -f) fails with EFBIG, an OutputError naming
    the file, instead of SIGXFSZ ending the process."""
    with contextlib.suppress(ValueError, AttributeError):  # not the main thread; not POSIX
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class _Failed(GalleysError):
    """A worker's error, already formatted, with the worker's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# -- many articles ---------------------------------------------------------------------------


@dataclass
class BuildResult:
    """What a build of several articles did."""

    built: list[Path] = field(default_factory=list)  # article folders in dist/
    skipped: list[Path] = field(default_factory=list)  # unchanged since the last build
    failed: list[tuple[Path, str]] = field(default_factory=list)  # source, one-line error
    seconds: float = 0.0


Progress = Callable[[int, int, Path, str], None]  # done, total, source, "built"/"skipped"/error
IndexInputs = tuple[str, Branding, tuple[str, ...], tuple[int, int, int]]


@dataclass
class Session:
    """What one process keeps between its builds (a watch's, builder.watch; set in SESSION).

    `helper`: a process of its own that makes a lone article's editions but the PDF
    (worker.render_editions) while this one lays out the PDF; `index`: what dist/index.html
    was last written from (the folder, journal.yaml's branding, the slugs) and the file's
    stat then: with the same inputs and the same code its bytes are the same, so a rebuild
    that changed no article's entry leaves it without reading every article's front matter.
    """

    helper: Executor | None = None
    index: IndexInputs | None = None


SESSION: ContextVar[Session | None] = ContextVar("galleys_build_session", default=None)


@dataclass
class _Planned:
    path: Path
    snapshot: ArticleInput


@dataclass
class _Plan:
    """The settings every article of a build shares, and how they enter the input key."""

    formats: tuple[str, ...]
    style: str | None = None
    paper: str = "a4"
    strict: bool = False
    epoch: int | None = field(default_factory=environment_epoch)
    landing: tuple[str, ...] = styles.RECOMMENDED  # styles the landing page offers
    cite_cache: CiteCache | None = None  # How-to-Cite lines of earlier builds of this dist/
    overrides: MetadataOverrides | None = None  # -M and --metadata-file
    branding: str = ""  # journal.yaml's branding files' fingerprint (logo, CSS, templates)
    word_templates: str = ""  # sha256 of the Word files beside journal.yaml (reference-doc:)
    draft: bool = False  # the PDF for review (convert --draft)

    def key(self, digest: str) -> str:
        """A hash of everything an article's files depend on: its inputs' `digest`, these
        settings and the code (keys.article_key)."""
        style = styles.fingerprint(self.style) if self.style else ""  # --csl: its contents
        settings = [style, ",".join(self.formats), self.paper, str(self.strict),
                    str(self.epoch), *([repr(self.overrides)] if self.overrides else []),
                    *([self.branding] if self.branding else []),
                    *([self.word_templates] if self.word_templates else []),
                    *(["draft"] if self.draft else [])]
        return keys.article_key(digest, settings, self.formats)

    def provisional(self, snapshot: ArticleInput) -> ArticleJob:
        """A job without How-to-Cite lines yet: enough to parse the article (parse_article)."""
        return ArticleJob(snapshot, self.formats, self.style, self.paper, self.strict, self.epoch,
                          overrides=self.overrides, draft=self.draft)

    def jobs(self, planned: list[tuple[_Planned, Article]]) -> list[ArticleJob]:
        """Jobs for up to BATCH articles, their How-to-Cite lines rendered together."""
        from galleys.front.citation import how_to_cite_batch
        from galleys.resolve.passes import parse_titles

        articles = [article for _, article in planned]
        titles = parse_titles(articles)
        entries = [(a.metadata, t, s) for a, (t, s) in zip(articles, titles, strict=True)]
        wanted = tuple(
            dict.fromkeys(
                [*(self.style or a.metadata.citation_style for a in articles), *self.landing]
            )
        )
        if self.style:
            styles.path(self.style)
        citations = how_to_cite_batch(entries, wanted, self.cite_cache)
        return [
            ArticleJob(
                p.snapshot,
                self.formats,
                self.style,
                self.paper,
                self.strict,
                self.epoch,
                cite,
                self.landing,
                self.overrides,
                self.draft,
            )
            for (p, _), cite in zip(planned, citations, strict=True)
        ]


def build_all(
    source_dir: Path, dist: Path, formats: tuple[str, ...], **options: Any
) -> BuildResult:
    """Build every article under source_dir into dist/<slug>/, holding dist/'s lock throughout
    (another build holding it is waited for at most `wait` seconds, options["wait"]). After a
    build that did not finish, the journal index and the manifest are written again whatever
    else is skipped.

    Options as for _build_all: style, paper, strict, jobs, incremental, warn, progress,
    executor.
    """
    _file_size_limit_is_an_error()
    if not Path(source_dir).is_dir():  # before the lock: a mistyped source creates nothing
        raise InputMissingError("no such source folder", path=source_dir)
    wait = options.pop("wait", lock.DEFAULT_WAIT)
    with exclusive(dist, wait, options.get("warn")) as held:
        return _build_all(source_dir, dist, formats, repair=not held.finished_before, **options)


def _build_all(
    source_dir: Path,
    dist: Path,
    formats: tuple[str, ...],
    *,
    style: str | None = None,
    paper: str = "a4",
    strict: bool = False,
    jobs: int = 1,
    incremental: bool = True,
    warn: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    repair: bool = False,
    overrides: MetadataOverrides | None = None,
) -> BuildResult:
    """Build every article under source_dir into dist/<slug>/; a failure does not stop the rest
    (but a file that cannot be written stops the build: OutputError, exit 73). With `repair`,
    the journal index and the manifest are written whether or not anything changed.

    An article whose inputs (folder, journal.yaml, settings, code and tool versions) have the
    key the last build recorded (keys.FILE), and whose files are all still there unchanged,
    is skipped.
    """
    started = time.perf_counter()
    articles = find_articles(source_dir)
    if not articles:
        raise InputMissingError(f"no */{ARTICLE_FILE} in the source folder", path=source_dir)
    cite_cache = CiteCache(dist / CITE_CACHE, keys.code_key(()))
    branding = _journal_branding(source_dir)
    plan = _Plan(style=style, formats=formats, paper=paper, strict=strict, cite_cache=cite_cache,
                 overrides=overrides,
                 branding=fingerprint(branding) if branding != Branding() else "",
                 word_templates=_word_templates(source_dir))
    if style:
        styles.path(style)
    previous = read_manifest(dist)
    last = keys.read(dist)  # what the last build recorded: name -> slug, key, files
    recorded: dict[str, dict[str, Any]] = dict(last)
    sizes = {e["path"]: e["size"] for e in previous.get("files", [])}
    stamps = StampCache(dist / STAMPS)
    result = BuildResult()
    done = 0
    total = len(articles)

    def report(path: Path, outcome: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, path, outcome)

    todo: list[_Planned] = []
    article_keys: dict[Path, str] = {}
    warmup: Warmup | None = None
    early: _EarlyParse | None = None
    for path in articles:
        name = path.relative_to(source_dir).as_posix()
        try:
            digest, snapshot = _inputs_digest(path, name, stamps)
            article_keys[path] = plan.key(digest)
            entry = recorded.get(name)
            if incremental and entry and entry.get("key") == article_keys[path] and _intact(
                dist, entry, sizes
            ):
                result.skipped.append(dist / entry["slug"])
                report(path, "skipped")
                continue
            todo.append(_Planned(path, snapshot or take_snapshot(path)))
        except GalleysError as error:
            result.failed.append((path, str(error)))
            report(path, str(error))
    if todo and executor is None:
        # Something to build here: get ready (imports, fonts, a pandoc server) and, when this
        # process renders it, parse the first article meanwhile. Not sooner: beside these
        # threads the loop above, a stat call after another, waited for the GIL at each.
        warmup = Warmup(formats, _language_of(todo[0].path))
        if _renders_here(jobs, executor, len(todo)):
            early = _EarlyParse(todo[0], plan.provisional(todo[0].snapshot))

    slugs = {entry["slug"]: name for name, entry in recorded.items()}
    index_changed = False  # whether a built article's entry in index.html may differ
    session = SESSION.get()
    helper = session.helper if session is not None and jobs > 1 else None  # -j 1: none
    for path, outcome in _run(plan, todo, jobs, executor, warmup, early, helper):
        name = path.relative_to(source_dir).as_posix()
        if isinstance(outcome, str):
            result.failed.append((path, outcome))
            report(path, outcome)
            continue
        for message in outcome.warnings:
            if warn:
                warn(message)
        owner = slugs.get(outcome.slug)
        if owner is not None and owner != name:
            clash = f"{path}: slug: {outcome.slug!r} is also used by {source_dir / owner}"
            result.failed.append((path, clash))
            report(path, clash)
            continue
        # A file that cannot be written (a full disk, a file-size limit) stops the build: the
        # next article would meet the same disk. What was delivered stays; the next build
        # repairs the index and the manifest (the lock says this one did not finish).
        changed = _rewritten(outcome.outputs, dist / outcome.slug)
        index_changed = (index_changed or _shown_in_index(outcome.slug, changed)
                         or bool(plan.branding and INDEX in changed))  # a new logo, CSS …
        slugs[outcome.slug] = name
        recorded[name] = {
            "slug": outcome.slug,
            "key": article_keys[path],
            "files": sorted(f"{outcome.slug}/{o.name}" for o in outcome.outputs),
        }
        result.built.append(dist / outcome.slug)
        report(path, "built")

    if warmup is not None:
        warmup.wait()  # never left importing while the process ends
    if early is not None:
        early.discard()
    live = {p.relative_to(source_dir).as_posix() for p in articles}
    stamps.keep_only(live)
    if stamps.changed:
        write_atomic(dist / STAMPS, stamps.data())
    recorded = {name: entry for name, entry in recorded.items() if name in live}
    catalogue_changed = {e["slug"] for e in recorded.values()} != {
        e.get("slug") for e in last.values()
    }
    # any article built again (its key changed: the source, or galleys' own output versions
    # after an upgrade, which also change the index's look) rewrites the index too; write_atomic
    # leaves it alone where its bytes are the same
    shown = tuple(sorted({entry["slug"] for entry in recorded.values()}))
    kept = session is not None and session.index == _index_inputs(dist, branding, shown)
    if recorded and (repair or index_changed or catalogue_changed or not (dist / INDEX).exists()
                     or (result.built and not kept)):
        write_journal_index(dist, shown, branding)
        if session is not None:
            session.index = _index_inputs(dist, branding, shown)
    if "crossref" in formats:  # each issue's deposit, from its articles' in dist/
        from galleys.writers.crossref_deposit import write_issue_deposits

        write_issue_deposits(dist, write_atomic)
    if repair or result.built or catalogue_changed or not (dist / MANIFEST).exists():
        dist.mkdir(parents=True, exist_ok=True)
        unchanged = set(result.skipped)
        skipped = {name for e in recorded.values() if dist / e["slug"] in unchanged
                   for name in e.get("files", [])}
        # after an interrupted build every file is hashed again: its manifest may be stale
        previous_files = {} if repair else {
            e["path"]: e for e in previous.get("files", []) if e["path"] in skipped}
        write_manifest(dist, previous_files)
    if recorded != last:
        write_atomic(dist / keys.FILE, keys.data(recorded))
    if cite_cache.changed:
        write_atomic(dist / CITE_CACHE, cite_cache.data())
    result.seconds = time.perf_counter() - started
    return result


def _index_inputs(dist: Path, branding: Branding, slugs: tuple[str, ...]) -> IndexInputs | None:
    """What the journal index is made from, and its file's stat (size, time, inode)."""
    try:
        info = os.stat(dist / INDEX)
    except OSError:
        return None
    return str(dist), branding, slugs, (info.st_size, info.st_mtime_ns, info.st_ino)


def _shown_in_index(slug: str, changed: set[str]) -> bool:
    """Whether the rewritten files change what index.html shows of the article: its front
    matter or CSL JSON (from which IndexEntry.from_dist reads it; a body edit changes neither)."""
    from galleys.writers.citation_files import CSL_SUFFIX, FRONTMATTER_SUFFIX

    return bool(changed & {f"{slug}{FRONTMATTER_SUFFIX}", f"{slug}{CSL_SUFFIX}"})


def _inputs_digest(
    path: Path, name: str, stamps: StampCache
) -> tuple[str, ArticleInput | None]:
    """The digest of the article's inputs, and their snapshot if it had to be read for it."""
    stamp = stat_stamp(path)
    digest = stamps.get(name, stamp)
    if digest is not None:
        return digest, None
    snapshot = take_snapshot(path)
    digest = snapshot.digest()
    stamps.put(name, stamp, digest)
    return digest, snapshot


def _intact(dist: Path, entry: dict[str, Any], sizes: dict[str, int]) -> bool:
    """Every file the manifest lists for this article still exists with its recorded size.

    (`galleys build --check` compares every byte; this is the cheap test for skipping.)
    """
    folder = str(dist)
    for name in entry.get("files", []):
        try:
            info = os.stat(os.path.join(folder, name))
        except OSError:
            return False
        if name not in sizes or not stat.S_ISREG(info.st_mode) or info.st_size != sizes[name]:
            return False
    return True


def _run(
    plan: _Plan,
    todo: list[_Planned],
    jobs: int,
    executor: Executor | None,
    warmup: Warmup | None = None,
    early: _EarlyParse | None = None,
    helper: Executor | None = None,
) -> Iterator[tuple[Path, ArticleResult | str]]:
    """Build `todo` in batches; yield each article's result (or one-line error) as it is done.
    A `helper` process makes the editions but the PDF of an article built alone here.

    With workers, the next batch is planned (titles, How to Cite: pandoc runs here) and queued
    while they build this one, so they never wait for it; at most two batches are in flight.
    """
    batches = (
        planned
        for start in range(0, len(todo), BATCH)
        for planned in _plan_batch(plan, todo[start : start + BATCH])
    )
    if _renders_here(jobs, executor, len(todo)):
        yield from _in_process(batches, warmup, early, helper if len(todo) == 1 else None)
        return
    own = None
    if executor is None:  # no thread of ours may run while the workers are forked
        if warmup is not None:
            warmup.wait()
        from concurrent.futures import ProcessPoolExecutor  # multiprocessing: ~25 ms to import

        temporary = temporary_root()
        own = executor = ProcessPoolExecutor(max_workers=jobs, initializer=worker_started,
                                             initargs=(os.getpid(), temporary))
    try:
        running: dict[Future[ArticleResult], _Planned] = {}
        queued: dict[Future[ArticleResult], _Planned] = {}
        for index, (planned, job) in enumerate(batches):
            if isinstance(job, str):
                yield planned.path, job
            else:
                queued[executor.submit(build_article, job)] = planned
            if (index + 1) % BATCH == 0:
                yield from _finished(running)
                running, queued = queued, {}
        yield from _finished(running)
        yield from _finished(queued)
    finally:
        if own is not None:
            own.shutdown()
            shutil.rmtree(temporary, ignore_errors=True)


TEMPORARY_PREFIX = "galleys-build-"


def temporary_root() -> str:
    """A temporary folder for a build's worker processes (named by this process's PID), after
    removing those of builds whose coordinator was killed: a worker's folder, pandoc's files
    in it, go with the folder."""
    base = tempfile.gettempdir()
    with contextlib.suppress(OSError), os.scandir(base) as listing:
        for entry in listing:
            owner = entry.name.removeprefix(TEMPORARY_PREFIX).split("-")[0]
            if entry.name.startswith(TEMPORARY_PREFIX) and owner.isdigit() and \
                    not _alive(int(owner)):
                shutil.rmtree(entry.path, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-", dir=base)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def _renders_here(jobs: int, executor: Executor | None, count: int) -> bool:
    """Whether this process renders the articles itself (no pool, no worker processes)."""
    return executor is None and (jobs <= 1 or count <= 1)


def _in_process(
    planned_jobs: Iterator[tuple[_Planned, ArticleJob | str]],
    warmup: Warmup | None,
    early: _EarlyParse | None,
    helper: Executor | None = None,
) -> Iterator[tuple[Path, ArticleResult | str]]:
    """Build in this process, one article after the other, each parsed (mostly a wait for
    pandoc) in a helper thread while the one before is laid out here (the warm-up having
    imported the backends meanwhile; the first maybe parsed early). Rendering never leaves
    this thread: reportlab's registries are global. With a `helper` process, the editions but
    the PDF are made there meanwhile, from the same job (worker.render_editions)."""
    def rendered(parsing: tuple[_Planned, ArticleJob, Future[ParsedArticle]]
                 ) -> tuple[Path, ArticleResult | str]:
        planned, job, parsed = parsing
        apart = _apart(helper, job)
        ready = parsed.result()
        try:
            with budget.article_limits(str(planned.path)):
                return planned.path, _outcome(render_article(job, ready, apart))
        except budget.OverBudget as error:  # between the renderer's steps
            ready.discard()
            return planned.path, str(error)

    with ThreadPoolExecutor(max_workers=1) as ahead:
        waiting: tuple[_Planned, ArticleJob, Future[ParsedArticle]] | None = None
        for planned, job in planned_jobs:
            started = early.take(planned) if early is not None else None
            if isinstance(job, str):
                if started is not None:
                    started.result().discard()
                yield planned.path, job
                continue
            parsing = (planned, job, started or ahead.submit(parse_article, job))
            if warmup is not None:
                warmup.wait()
            if waiting is not None:
                yield rendered(waiting)
            waiting = parsing
        if waiting is not None:
            yield rendered(waiting)


def _apart(helper: Executor | None, job: ArticleJob) -> Apart | None:
    """The job's editions but the PDF, given to the helper process (None without one, or
    without a PDF to lay out here meanwhile, or if the helper cannot take it)."""
    formats = tuple(name for name in job.formats if name != "pdf")
    if helper is None or "pdf" not in job.formats or not formats:
        return None
    try:
        return Apart(formats, helper.submit(render_editions, job, formats))
    except Exception:  # noqa: BLE001 - a helper that broke: everything made here
        return None


class _EarlyParse:
    """The first article to build, parsed in a thread while the first batch is planned
    (parsing needs no How-to-Cite line): a one-article rebuild waits for pandoc no longer."""

    def __init__(self, planned: _Planned, job: ArticleJob) -> None:
        self.planned = planned
        self._pool = ThreadPoolExecutor(max_workers=1)
        self.future: Future[ParsedArticle] | None = self._pool.submit(parse_article, job)
        self._pool.shutdown(wait=False)

    def take(self, planned: _Planned) -> Future[ParsedArticle] | None:
        """The parse of `planned`, once, if it is the article parsed early."""
        if planned is not self.planned or self.future is None:
            return None
        future, self.future = self.future, None
        return future

    def discard(self) -> None:
        """Wait for a parse nobody took and remove its folder (before workers fork, too)."""
        if self.future is not None:
            self.future.result().discard()
            self.future = None


def _plan_batch(plan: _Plan, batch: list[_Planned]) -> Iterator[tuple[_Planned, ArticleJob | str]]:
    """Jobs for a batch; an article that cannot be planned fails alone."""
    readable = []
    for planned in batch:
        try:
            readable.append((planned, read_article(planned.path, overrides=plan.overrides)))
        except GalleysError as error:
            yield planned, str(error)
    if not readable:
        return
    try:
        yield from zip([p for p, _ in readable], plan.jobs(readable), strict=True)
    except GalleysError:
        if len(readable) == 1:
            raise
        for one in readable:  # find the article that spoils the batch
            try:
                yield one[0], plan.jobs([one])[0]
            except GalleysError as error:
                yield one[0], str(error)


def _finished(
    futures: dict[Future[ArticleResult], _Planned],
) -> Iterator[tuple[Path, ArticleResult | str]]:
    for future in as_completed(futures):
        yield futures[future].path, _outcome(future.result())


def _outcome(result: ArticleResult) -> ArticleResult | str:
    return result.error if result.error else result


def rebuild_differences(
    source_dir: Path, dist: Path, formats: tuple[str, ...], **options: Any
) -> list[str]:
    """Rebuild into a temporary folder and list every file that differs from `dist`."""
    with tempfile.TemporaryDirectory(prefix="galleys-check-") as temp:
        fresh = Path(temp)
        result = build_all(source_dir, fresh, formats, incremental=False, **options)
        problems = [error for _, error in result.failed]
        expected = {e["path"]: e["sha256"] for e in read_manifest(fresh)["files"]}
        committed = {e["path"]: e["sha256"] for e in read_manifest(dist)["files"]}
        for name, digest in expected.items():
            path = dist / name
            if name not in committed or not path.is_file():
                problems.append(f"{path}: missing (a fresh build makes it)")
                continue
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
            if actual != digest:
                problems.append(
                    f"{path}: differs from a fresh build (sha256 {actual[:12]} vs {digest[:12]})"
                )
        problems += [
            f"{dist / name}: stale (no source makes it)"
            for name in committed
            if name not in expected
        ]
        return problems
