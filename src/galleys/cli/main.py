"""The `galleys` command: argument parsing only; maps errors to exit codes."""

from __future__ import annotations

import argparse
import difflib
import functools
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from galleys import __version__
from galleys.errors import (
    EXIT_FAILURES,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    GalleysError,
    UsageError,
)
from galleys.writers import PAPER_SIZES

if TYPE_CHECKING:
    from galleys.read.overrides import MetadataOverrides

DESCRIPTION = """\
Turn one normalized article source into its formatted editions (PDF, EPUB, DOCX), each with
the same citation front matter, plus the article's citation as BibTeX, RIS and CSL-JSON.

exit codes: 0 ok, 1 build finished with failures, 2 usage, 65 bad source data,
66 input missing, 69 pandoc failed, 70 internal error (a bug), 73 cannot write output,
75 another build holds the output folder, 130 interrupted"""


class _Console:
    """Where messages go: results to stdout, warnings and errors to stderr."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    def info(self, message: str) -> None:
        if self.verbosity >= 1:
            print(message)

    def detail(self, message: str) -> None:
        if self.verbosity >= 2:
            print(message)

    def warn(self, message: str) -> None:
        """A warning; a build's note ("FILE: note: …": a file not made, and why) only with -v."""
        if self.verbosity >= (2 if ": note: " in message else 1):
            self.tell(message)

    def tell(self, message: str) -> None:
        """A warning or an import's note (what it left out of the article): unless -q."""
        if self.verbosity >= 1:
            print(message, file=sys.stderr)

    def error(self, message: str) -> None:
        print(f"galleys: error: {message}", file=sys.stderr)


@functools.cache  # made once (~8 ms)
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="galleys",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"galleys {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    common.add_argument("-v", "--verbose", action="count", default=0, help="print more")
    common.add_argument("--debug", action="store_true", help="show a traceback on errors")
    render = argparse.ArgumentParser(add_help=False)
    render.add_argument(
        "-t",
        "--to",
        metavar="FORMATS",
        help="comma-separated formats (default: all; see `galleys formats`)",
    )
    render.add_argument(
        "--style", metavar="NAME", help="CSL citation style (default: the article's, else apa)"
    )
    render.add_argument(
        "--csl",
        type=Path,
        metavar="FILE.csl",
        help="the journal's own CSL style file (instead of --style)",
    )
    render.add_argument(
        "--paper",
        choices=PAPER_SIZES,
        default="a4",
        help="page size of the PDF edition (default: a4)",
    )
    render.add_argument("--strict", action="store_true", help="treat warnings as errors")
    render.add_argument(
        "-M",
        "--metadata",
        action="append",
        default=[],
        metavar="KEY[=VALUE]",
        help="set a front-matter key over the article's own, as pandoc's -M: true, false or "
        "text (no VALUE: true); repeatable",
    )
    render.add_argument(
        "--metadata-file",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="YAML front matter under the article's own keys and over journal.yaml's, as "
        "pandoc's; repeatable, a later file wins",
    )
    render.add_argument(
        "--wait",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="wait at most this long for another build writing the same output folder "
        "(default: 5), then exit 75",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    convert = commands.add_parser(
        "convert",
        parents=[common, render],
        help="build the editions of one article",
        description="Build the editions of one article file.",
    )
    convert.add_argument(
        "article",
        type=Path,
        metavar="ARTICLE",
        help="an article file (.md, .qmd), or the folder holding one",
    )
    convert.add_argument(
        "--draft",
        action="store_true",
        help="PDF for review: every body line numbered in the margin and a light DRAFT mark",
    )
    convert.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR|FILE",
        help="output folder (default: dist/<slug>/), or the one edition's file (paper.pdf, "
        "paper.epub, paper.docx: that format alone)",
    )

    build = commands.add_parser(
        "build",
        parents=[common, render],
        help="build every article under a source folder",
        description="Build every SOURCE_DIR/<slug>/article.md into "
        "DIR/<slug>/ and write DIR/manifest.json. Only articles whose inputs changed since "
        "the last build are built again; with --watch, again on every save until Ctrl+C.",
    )
    build.add_argument(
        "source",
        type=Path,
        nargs="?",
        default=Path("source"),
        metavar="SOURCE_DIR",
        help="default: source",
    )
    build.add_argument(
        "-o", "--output", type=Path, default=Path("dist"), metavar="DIR", help="default: dist"
    )
    build.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: all cores)",
    )
    build.add_argument("--force", action="store_true", help="rebuild every article, changed or not")
    build.add_argument(
        "--dask-scheduler",
        metavar="tcp://HOST:PORT",
        help="build the articles on a Dask distributed cluster (needs galleys[dask])",
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary folder and fail (exit 1) if any file in DIR differs "
        "from it; DIR is not changed",
    )
    build.add_argument(
        "--watch",
        action="store_true",
        help="stay in the foreground and rebuild what changed on every save, until Ctrl+C",
    )

    importer = commands.add_parser(
        "import",
        parents=[common],
        help="import a foreign file into the normalized source",
        description="Import a foreign file into SOURCE/<slug>/article.md: an OJS article-page "
        "text export (.txt), or a Word manuscript or galleys DOCX edition (.docx, whose pictures "
        "go into figures/). What it cannot find is reported and written as comments at the top "
        "of the front matter; values are never invented. Creates or completes "
        "SOURCE/journal.yaml with the journal title when one is found.",
    )
    importer.add_argument("file", type=Path, metavar="FILE")
    importer.add_argument(
        "-o", "--output", type=Path, metavar="DIR", help="article folder (default: SOURCE/<slug>/)"
    )
    importer.add_argument(
        "--source",
        type=Path,
        default=None,
        metavar="SOURCE",
        help="what the editions were built from: the journal's source folder, or an article "
        "file or its folder (default: source/ if there is one, else the current folder)",
    )
    importer.add_argument("--force", action="store_true", help="replace an existing article.md")

    styles = commands.add_parser(
        "styles",
        parents=[common],
        help="list citation styles",
        description="List the CSL citation styles --style accepts.",
    )
    styles.add_argument(
        "--all",
        action="store_true",
        help="list every style the styles package ships, not only the tested ones",
    )

    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="preview the built site on 127.0.0.1",
        description="Serve DIST_DIR (the landing pages and editions) on this machine only.",
    )
    serve.add_argument(
        "path", type=Path, nargs="?", default=Path("dist"), metavar="DIST_DIR", help="default: dist"
    )
    serve.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    serve.add_argument(
        "--watch",
        action="store_true",
        help="build SOURCE into DIST_DIR, rebuild on every save and reload the open page",
    )
    serve.add_argument(
        "--source",
        type=Path,
        default=Path("source"),
        metavar="SOURCE",
        help="with --watch: the source folder (default: source)",
    )

    check = commands.add_parser(
        "check",
        parents=[common],
        help="check that built editions agree with the source and are valid",
        description="Read every edition back, each front-matter element from its own slot "
        "(the PDF's title block and Info/XMP, the EPUB's title page and OPF, the DOCX's "
        "paragraph styles and core properties, the landing page's classes and meta tags), "
        "compare it and the body with the source, check the citation files, and validate "
        "(EPUBCheck, PDF structure and fonts, DOCX opens). Exit 1 on any difference or problem.",
    )
    check.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=Path("dist"),
        metavar="DIST_DIR|ARTICLE_DIR",
        help="default: dist",
    )
    check.add_argument(
        "--source",
        type=Path,
        default=None,
        metavar="SOURCE",
        help="what the editions were built from: the journal's source folder, or an article "
        "file or its folder (default: source/ if there is one, else the current folder)",
    )
    check.add_argument(
        "--no-validate",
        action="store_true",
        help="compare front matter and body only; skip EPUBCheck, qpdf, python-docx",
    )
    check.add_argument(
        "--json", action="store_true", help="print every cell of every article as JSON"
    )

    new = commands.add_parser(
        "new",
        parents=[common],
        help="start a journal's own repository",
        description="Write a journal repository into DIR: source/journal.yaml, an example "
        "article using every front-matter key, a README for editors, a .gitignore and the "
        "GitHub workflow that installs galleys, builds, checks and publishes. DIR may exist "
        "(a fresh clone); a file already there is never replaced.",
    )
    new.add_argument("directory", type=Path, metavar="DIR")
    new.add_argument("--title", help="the journal's title (default: made from DIR's name)")
    new.add_argument(
        "--galleys",
        metavar="SPEC",
        help="what the workflow pip-installs (default: this release, galleys[java]==VERSION)",
    )

    commands.add_parser(
        "formats",
        parents=[common],
        help="list edition formats",
        description="List the edition formats --to accepts.",
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError("must be between 0 and 86400 seconds")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if exit_.code in (0, None) else EXIT_USAGE
    console = _Console(0 if args.quiet else 1 + args.verbose)
    try:
        os.getcwd()
    except FileNotFoundError:
        console.error("the working folder no longer exists (was it deleted?)")
        return EXIT_NO_INPUT
    try:
        return _COMMANDS[args.command](args, console)
    except GalleysError as error:
        if args.debug:
            traceback.print_exc()
        console.error(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        console.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: say so in one line, full trace with --debug
        if args.debug:
            traceback.print_exc()
        console.error(f"internal error: {type(error).__name__}: {error} (run with --debug)")
        return EXIT_INTERNAL


class _RenderSettings(TypedDict):
    """The keyword arguments build.convert and build.build_all share."""

    style: str | None
    paper: str
    strict: bool
    wait: float
    overrides: MetadataOverrides | None


def _render_options(args: argparse.Namespace) -> _RenderSettings:
    """The options every build shares, from --style or --csl, --paper, --strict, -M and
    --metadata-file."""
    style = args.style
    if args.csl is not None:
        from galleys.front import styles

        if style:
            raise UsageError("give --style NAME or --csl FILE, not both")
        style = styles.custom(args.csl)
    return {"style": style, "paper": args.paper, "strict": args.strict, "wait": args.wait,
            "overrides": _overrides(args)}


def _overrides(args: argparse.Namespace) -> MetadataOverrides | None:
    """-M and --metadata-file, read now (a worker elsewhere gets their text); None if neither."""
    if not args.metadata and not args.metadata_file:
        return None
    from galleys.read.markdown import IGNORED_KEYS, KNOWN_KEYS, QUARTO_KEYS
    from galleys.read.overrides import MetadataOverrides, parse_value, read_files

    values = tuple(parse_value(option) for option in args.metadata)
    known = KNOWN_KEYS | IGNORED_KEYS | QUARTO_KEYS
    for key, _ in values:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"-M {key}: unknown front-matter key{hint}")
    files = read_files(args.metadata_file,
                       lambda message: None if args.quiet else print(message, file=sys.stderr))
    return MetadataOverrides(values, files)


def _convert(args: argparse.Namespace, console: _Console) -> int:
    from galleys import writers
    from galleys.builder import coordinator as build
    from galleys.cli.to_file import convert_to_file, edition_format

    formats = writers.parse_formats(args.to)
    single = edition_format(args.output, None if args.to is None else formats)
    options = _render_options(args)
    if console.verbosity >= 2:
        _show_slug(args.article, console)
    if single is not None:
        made = convert_to_file(args.article, args.output, single, build.convert,
                               warn=console.warn, draft=args.draft, **options)
        console.info(str(made))
        return EXIT_OK
    written = build.convert(args.article, args.output, formats, warn=console.warn,
                            draft=args.draft, **options)
    for path in written:
        console.info(str(path))
    return EXIT_OK


def _show_slug(article: Path, console: _Console) -> None:
    """-v: the slug the article's files are named by, and what it was made from."""
    from galleys.read.markdown import default_slug, find_article_file, read_article

    path = find_article_file(article) if article.is_dir() else article
    slug = read_article(path).metadata.slug
    made, name = default_slug(path)
    origin = f" (made from the name {name!r})" if slug == made and name != slug else ""
    console.detail(f"{path}: slug {slug!r}{origin}")


def _build(args: argparse.Namespace, console: _Console) -> int:
    from galleys import writers
    from galleys.builder import coordinator as build

    formats = writers.parse_formats(args.to)
    if args.check and args.watch:
        raise UsageError("--check compares one fresh build: not with --watch")
    if args.check:
        problems = build.rebuild_differences(
            args.source, args.output, formats, warn=console.detail, **_render_options(args)
        )
        for problem in problems:
            console.error(problem)
        console.info(
            f"{args.output}: "
            + (f"{len(problems)} problem(s)" if problems else "every file matches a fresh build")
        )
        return EXIT_FAILURES if problems else EXIT_OK
    if args.watch:
        if args.dask_scheduler:
            raise UsageError("--watch builds in this process: not with --dask-scheduler")
        from galleys.builder.watch import watch

        return watch(args.source, lambda: _build_once(args, console, formats),
                     ignore=[args.output], formats=formats, helper=args.jobs > 1)
    return _build_once(args, console, formats)


def _build_once(args: argparse.Namespace, console: _Console, formats: tuple[str, ...]) -> int:
    """One incremental build of args.source into args.output, with progress and a summary."""
    from galleys.builder import coordinator as build
    from galleys.builder.progress import ProgressReporter

    reporter = ProgressReporter(quiet=console.verbosity == 0)
    client = _dask_client(args.dask_scheduler) if args.dask_scheduler else None
    executor = client.get_executor() if client is not None else None
    try:
        result = build.build_all(
            args.source,
            args.output,
            formats,
            **_render_options(args),
            jobs=args.jobs,
            incremental=not args.force,
            warn=console.warn,
            progress=reporter,
            executor=executor,
        )
    finally:
        reporter.finish()
        if client is not None:
            client.close()
    console.info(
        f"{len(result.built)} built, {len(result.skipped)} skipped, {len(result.failed)} failed "
        f"in {result.seconds:.1f} s"
    )
    for path, _ in result.failed:
        console.info(f"  failed: {path}")
    return EXIT_FAILURES if result.failed else EXIT_OK


def _dask_client(address: str):
    """A client of the Dask distributed cluster at `address` (extra: galleys[dask])."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask-scheduler needs Dask: pip install 'galleys[dask]'") from None
    try:
        return Client(address, timeout=30)
    except OSError as error:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}") from None


def _import(args: argparse.Namespace, console: _Console) -> int:
    from galleys.importers.dispatch import import_file

    target, result = import_file(
        args.file, args.output, args.source, force=args.force, warn=console.tell
    )  # its notes say what the article lacks: never only with -v, as a build's notes are
    console.info(f"wrote {target}")
    for missing in result.missing:
        console.warn(f"{target}: not found in {args.file.name}: {missing}")
    return EXIT_OK


def _styles(args: argparse.Namespace, console: _Console) -> int:
    from galleys.front import styles

    names = styles.available() if args.all else styles.RECOMMENDED
    for name in names:
        print(f"{name:32} {styles.title(name)}" if not args.all else name)
    return EXIT_OK


def _check(args: argparse.Namespace, console: _Console) -> int:
    from galleys.check import parity as check

    source = args.source
    if source is None:  # a journal's source/, else what `galleys convert` was given here
        source = Path("source") if Path("source").is_dir() else Path(".")
    reports = check.check_path(args.path, source, validate=not args.no_validate)
    if args.json:
        import json

        print(json.dumps(check.to_json(reports), ensure_ascii=False, indent=1))
        return EXIT_FAILURES if any(not r.ok for r in reports) else EXIT_OK
    for report in reports:
        if not report.ok or console.verbosity >= 1:
            print(check.format_report(report))
    failed = [r.slug for r in reports if not r.ok]
    console.info(f"{len(reports) - len(failed)} fit to publish, {len(failed)} not")
    return EXIT_FAILURES if failed else EXIT_OK


def _serve(args: argparse.Namespace, console: _Console) -> int:
    from galleys.cli import serve

    if args.watch:  # a build as `galleys build SOURCE -o DIST_DIR` makes it, on every save
        from galleys import writers

        options = _parser().parse_args(
            ["build", str(args.source), "-o", str(args.path), *(["-q"] if args.quiet else [])])
        formats = writers.parse_formats(None)
        return serve.serve_watching(args.path, args.source,
                                    lambda: _build_once(options, console, formats),
                                    args.port, args.host, formats)
    serve.serve(args.path, args.port, args.host)  # it prints the one start line
    return EXIT_OK


def _formats(args: argparse.Namespace, console: _Console) -> int:
    from galleys import writers

    for name in writers.names():
        backend = writers.get(name)
        print(f"{name:8} {backend.suffix:13} {backend.media_type}")
    return EXIT_OK


def _new(args: argparse.Namespace, console: _Console) -> int:
    from galleys.cli.new import create_journal

    for path in create_journal(args.directory, args.title, args.galleys):
        console.detail(f"wrote {path}")
    console.info(f"{args.directory}: a new journal; next: cd {args.directory} && galleys build "
                 "&& galleys check (see its README.md)")
    return EXIT_OK


_COMMANDS = {
    "new": _new,
    "convert": _convert,
    "build": _build,
    "import": _import,
    "styles": _styles,
    "formats": _formats,
    "check": _check,
    "serve": _serve,
}
