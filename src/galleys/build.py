"""Plans and runs a build: source -> resolved article -> editions -> atomic writes into dist/."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import backends, exports
from .backends import RenderOptions
from .errors import GalleysError, InputMissingError, OutputError, SourceError, UsageError
from .frontmatter import FrontMatter, build_front_matter
from .model import ResolvedArticle
from .resolve import resolve
from .sources.markdown import read_article

ARTICLE_FILE = "article.md"
MANIFEST = "manifest.json"
DEFAULT_EPOCH = 315532800  # 1980-01-01: the earliest time a zip entry can carry


@dataclass(frozen=True)
class OutputFile:
    """One file of an article's output, in memory until delivered."""

    name: str  # file name inside dist/<slug>/
    data: bytes
    media_type: str


def prepare(
    path: Path,
    style: str | None = None,
    warn: Callable[[str], None] | None = None,
    *,
    strict: bool = False,
) -> tuple[ResolvedArticle, FrontMatter]:
    """Read, resolve and format the front matter of one article: what every backend needs.

    With `strict`, the first warning (unknown key, pandoc warning …) is an error instead.
    """
    article = read_article(Path(path))
    resolved = resolve(article, style)
    if strict and resolved.warnings:
        raise SourceError(f"{resolved.warnings[0]} (--strict makes warnings errors)")
    if warn:
        for message in resolved.warnings:
            warn(message)
    return resolved, build_front_matter(resolved)


def source_date_epoch(resolved: ResolvedArticle) -> int:
    """SOURCE_DATE_EPOCH if set, else the article's publication date at 00:00 UTC."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        try:
            return int(value)
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a whole number") from None
    date = resolved.metadata.date
    if date is None:
        return DEFAULT_EPOCH
    moment = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
    return max(DEFAULT_EPOCH, int(moment.timestamp()))


def render_article(
    resolved: ResolvedArticle,
    front: FrontMatter,
    formats: Iterable[str],
    *,
    paper: str = "a4",
    strict: bool = False,
) -> list[OutputFile]:
    """Every output file of one article, in memory; nothing is written."""
    slug = resolved.metadata.slug
    options = RenderOptions(
        source_date_epoch=source_date_epoch(resolved), paper=paper, strict=strict
    )
    outputs = []
    for name in formats:
        backend = backends.get(name)
        data = backend.render(resolved, front, options)
        outputs.append(OutputFile(f"{slug}{backend.suffix}", data, backend.media_type))
    for suffix, media_type, data in exports.all_files(resolved, front):
        outputs.append(OutputFile(f"{slug}{suffix}", data, media_type))
    return outputs


def find_articles(source_dir: Path) -> list[Path]:
    """Every source/<slug>/article.md below `source_dir`, sorted."""
    if not source_dir.is_dir():
        raise InputMissingError("no such source folder", path=source_dir)
    return sorted(p for p in source_dir.glob(f"*/{ARTICLE_FILE}") if p.is_file())


def deliver(outputs: list[OutputFile], folder: Path) -> list[Path]:
    """Write every file atomically into `folder`: old files stay intact until each is replaced."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", path=folder) from None
    written = []
    for output in outputs:
        target = folder / output.name
        write_atomic(target, output.data)
        written.append(target)
    return written


def write_atomic(target: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename: a reader sees the old file or the new one."""
    descriptor = None
    temp = None
    try:
        descriptor, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        temp = Path(temp_name)
        with os.fdopen(descriptor, "wb") as handle:
            descriptor = None
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=target) from None
    finally:
        if descriptor is not None:
            os.close(descriptor)
        if temp is not None:
            temp.unlink(missing_ok=True)


def write_manifest(dist: Path) -> Path:
    """dist/manifest.json: every file below dist/ with its size and sha256, sorted by path."""
    entries = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        relative = path.relative_to(dist).as_posix()
        if relative == MANIFEST or path.name.startswith("."):
            continue
        data = path.read_bytes()
        entries.append(
            {"path": relative, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
    manifest = dist / MANIFEST
    text = json.dumps({"files": entries}, indent=2, ensure_ascii=False) + "\n"
    write_atomic(manifest, text.encode("utf-8"))
    return manifest


@dataclass
class BuildResult:
    """What a build of several articles did."""

    built: list[Path] = field(default_factory=list)  # article folders in dist/
    failed: list[tuple[Path, GalleysError]] = field(default_factory=list)  # source, error


def convert(
    path: Path,
    out_dir: Path | None,
    formats: tuple[str, ...],
    *,
    style: str | None = None,
    paper: str = "a4",
    strict: bool = False,
    warn: Callable[[str], None] | None = None,
) -> list[Path]:
    """Build one article into out_dir (default dist/<slug>/); all renders before any write."""
    resolved, front = prepare(path, style, warn, strict=strict)
    outputs = render_article(resolved, front, formats, paper=paper, strict=strict)
    folder = out_dir if out_dir is not None else Path("dist") / resolved.metadata.slug
    return deliver(outputs, folder)


def build_all(
    source_dir: Path,
    dist: Path,
    formats: tuple[str, ...],
    *,
    style: str | None = None,
    paper: str = "a4",
    strict: bool = False,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[Path, list[Path] | GalleysError], None] | None = None,
) -> BuildResult:
    """Build every article under source_dir into dist/<slug>/; a failure does not stop the rest."""
    articles = find_articles(source_dir)
    if not articles:
        raise InputMissingError(f"no */{ARTICLE_FILE} in the source folder", path=source_dir)
    result = BuildResult()
    slugs: dict[str, Path] = {}
    for path in articles:
        try:
            resolved, front = prepare(path, style, warn, strict=strict)
            slug = resolved.metadata.slug
            if slug in slugs:
                raise SourceError(
                    f"slug {slug!r} is also used by {slugs[slug]}", path=path, key="slug"
                )
            slugs[slug] = path
            outputs = render_article(resolved, front, formats, paper=paper, strict=strict)
            written = deliver(outputs, dist / slug)
        except GalleysError as error:
            result.failed.append((path, error))
            if progress:
                progress(path, error)
            continue
        result.built.append(dist / slug)
        if progress:
            progress(path, written)
    if result.built:
        write_manifest(dist)
    return result


def rebuild_differences(
    source_dir: Path, dist: Path, formats: tuple[str, ...], **options
) -> list[str]:
    """Rebuild into a temporary folder and list every file that differs from `dist`."""
    with tempfile.TemporaryDirectory(prefix="galleys-check-") as temp:
        fresh = Path(temp)
        result = build_all(source_dir, fresh, formats, **options)
        problems = [f"{path}: {error}" for path, error in result.failed]
        expected = _manifest_entries(fresh)
        committed = _manifest_entries(dist) if (dist / MANIFEST).exists() else {}
        for name, digest in expected.items():
            if name not in committed:
                problems.append(f"{dist / name}: missing (a fresh build makes it)")
                continue
            actual = (
                hashlib.sha256((dist / name).read_bytes()).hexdigest()
                if (dist / name).is_file()
                else "absent"
            )
            if actual != digest:
                problems.append(
                    f"{dist / name}: differs from a fresh build "
                    f"(sha256 {actual[:12]} vs {digest[:12]})"
                )
        problems += [
            f"{dist / name}: stale (no source makes it)"
            for name in committed
            if name not in expected
        ]
        return problems


def _manifest_entries(dist: Path) -> dict[str, str]:
    data = json.loads((dist / MANIFEST).read_text(encoding="utf-8"))
    return {entry["path"]: entry["sha256"] for entry in data["files"]}
