"""`galleys convert ARTICLE -o FILE.pdf`: one edition written to the file named, as pandoc does."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from galleys import writers
from galleys.errors import GalleysError, InternalError, OutputError, UsageError


def edition_format(target: Path | None, wanted: tuple[str, ...] | None) -> str | None:
    """The format whose edition the file name `target` asks for (paper.pdf: pdf), checked
    against --to's `wanted`; None where `target` is a folder (no edition's suffix, or an
    existing folder)."""
    if target is None or not target.suffix or target.is_dir():
        return None
    name = target.name.lower()
    found = next((f for f in writers.names() if name.endswith(writers.get(f).suffix)), None)
    if found is not None and wanted is not None and wanted != (found,):
        raise UsageError(f"-o {target} writes the {found} edition alone: not with --to "
                         f"{','.join(wanted) or 'nothing'}")
    return found


def convert_to_file(article: Path, target: Path, fmt: str, convert: Callable[..., list[Path]],
                    **options: Any) -> Path:
    """Build `article`'s `fmt` edition with `convert` (build's, into a folder) and move it to
    `target`; nothing else is left beside it."""
    suffix = writers.get(fmt).suffix
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".galleys-") as temp:
            written = convert(article, Path(temp), (fmt,), **options)
            made = [p for p in written if p.name.endswith(suffix)]
            if len(made) != 1:
                raise InternalError(f"the {fmt} conversion made {len(made)} {suffix} files")
            os.replace(made[0], target)
    except GalleysError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror}", path=target) from None
    return target
