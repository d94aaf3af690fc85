"""The library API: `galleys.convert` (one article's editions as bytes) and `galleys.builder`.

    >>> import galleys
    >>> editions = galleys.convert("paper/paper.md", formats=("pdf", "epub"))
    >>> sorted(editions.files)                       # doctest: +SKIP
    ['paper.epub', 'paper.pdf', ...]
    >>> editions.warnings                            # doctest: +SKIP
    []

Both raise `galleys.errors.GalleysError` (its `exit_code` is the command's) for bad input and
never print: warnings are returned (`convert`) or passed to `warn` (`build`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from galleys.builder.coordinator import BuildResult


@dataclass(frozen=True)
class Editions:
    """One article's outputs: file name -> bytes (editions, landing page, citation files)."""

    slug: str
    files: dict[str, bytes]
    warnings: list[str] = field(default_factory=list)

    def get(self, fmt: str) -> bytes:
        """The bytes of one edition by format name ("pdf", "epub", ...)."""
        from galleys import writers

        suffix = writers.get(fmt).suffix
        return self.files[f"{self.slug}{suffix}"]


def _formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    from galleys import writers

    if formats is None or isinstance(formats, str):
        return writers.parse_formats(formats)
    return writers.parse_formats(",".join(formats))


def convert(
    path: str | Path,
    formats: str | Iterable[str] | None = None,
    *,
    style: str | None = None,
    paper: str = "a4",
    strict: bool = False,
) -> Editions:
    """Convert one article (its file or folder) into the given formats (default: every one).

    Nothing is written where the user can see it: the files are made in a private temporary
    folder (the same delivery the command uses, so the bytes are the command's) and returned.
    """
    from galleys.builder import coordinator

    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="galleys-api-") as folder:
        written = coordinator.convert(
            Path(path), Path(folder), _formats(formats), style=style, paper=paper,
            strict=strict, warn=warnings.append,
        )
        files = {p.name: p.read_bytes() for p in written}
    slug = _slug_of(files)
    return Editions(slug=slug, files=files, warnings=warnings)


def _slug_of(files: dict[str, bytes]) -> str:
    """The slug the files are named by: every article has its `<slug>.frontmatter.json`."""
    from galleys.writers.citation_files import FRONTMATTER_SUFFIX

    return next(name.removesuffix(FRONTMATTER_SUFFIX) for name in files
                if name.endswith(FRONTMATTER_SUFFIX))


def build(
    source: str | Path,
    out: str | Path = "dist",
    formats: str | Iterable[str] | None = None,
    *,
    style: str | None = None,
    paper: str = "a4",
    strict: bool = False,
    jobs: int = 1,
    incremental: bool = True,
    warn: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build every article under `source` into `out` (as `galleys build`); the result lists
    what was built, skipped and failed (a failed article does not raise: the rest is built)."""
    from galleys.builder import coordinator

    return coordinator.build_all(
        Path(source), Path(out), _formats(formats), style=style, paper=paper, strict=strict,
        jobs=jobs, incremental=incremental, warn=warn,
    )
