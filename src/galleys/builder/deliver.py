"""Delivery to dist/: atomic writes of whole files, the manifest and the journal index."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from galleys import __version__
from galleys.builder.worker import OutputFile
from galleys.errors import OutputError
from galleys.model import Branding

MANIFEST = "manifest.json"
INDEX = "index.html"  # the journal's landing page


def deliver(outputs: list[OutputFile], folder: Path) -> list[Path]:
    """Write every file atomically into `folder`: old files stay intact until each is replaced.
    A file that already holds these bytes is left as it is (its time too). Returns the paths
    of all the outputs; _rewritten() says which of them changed."""
    _rewritten(outputs, folder)
    return [folder / output.name for output in outputs]


def _rewritten(outputs: list[OutputFile], folder: Path) -> set[str]:
    """Deliver `outputs` into `folder` (see deliver); the names of the files whose bytes
    changed (or that were not there)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", path=folder) from None
    changed = set()
    for output in outputs:
        target = folder / output.name
        if not _holds(target, output.data):
            write_atomic(target, output.data)
            changed.add(output.name)
    return changed


def _holds(target: Path, data: bytes) -> bool:
    """Whether `target` is a file holding exactly `data`."""
    try:
        return os.stat(target).st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


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


def write_manifest(dist: Path, known: Mapping[str, dict[str, Any]] | None = None) -> Path:
    """dist/manifest.json: the galleys version and every file below dist/ (path, size, sha256),
    hidden ones left out; nothing else (the build's input keys are in keys.FILE).

    `known` entries (files of articles this build skipped) are taken as they are when the
    file's size still matches, as the skip itself was decided; every other file is hashed.
    """
    entries = []
    known = known or {}
    for relative, path, size in _files_below(dist):
        if relative == MANIFEST or os.path.basename(relative).startswith("."):
            continue
        entry = known.get(relative)
        if entry is not None and entry.get("size") == size:
            entries.append(entry)
            continue
        data = Path(path).read_bytes()
        entries.append(
            {"path": relative, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
    text = _manifest_text(entries)
    target = dist / MANIFEST
    write_atomic(target, text.encode("utf-8"))
    return target


def _manifest_text(files: list[dict[str, Any]]) -> str:
    """The manifest as JSON with one line a file: diffs stay readable, and json's C encoder
    writes each line (indent= takes its pure-Python one: ~40 ms for 200 articles, seconds for
    a large back catalogue)."""
    rows = ",\n".join(f"    {json.dumps(e, ensure_ascii=False)}" for e in files)
    return "".join([f'{{\n  "galleys": {json.dumps(__version__)},\n  "files": [',
                    f"\n{rows}\n  " if files else "", "]\n}\n"])


def _files_below(folder: Path) -> list[tuple[str, str, int]]:
    """(posix path inside `folder`, its full path, size) of every file below it, in the order
    of sorted paths (part by part: "a/b" before "a-c")."""
    found: list[tuple[str, str, int]] = []

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file():
                    found.append((prefix + entry.name, entry.path, entry.stat().st_size))

    walk(str(folder), "")
    found.sort(key=lambda item: item[0].split("/"))
    return found


def write_journal_index(dist: Path, slugs: Iterable[str], branding: Branding | None = None
                        ) -> Path:
    """dist/index.html: every built article, grouped by volume and issue, newest first."""
    from galleys.writers.landing.pages import IndexEntry, journal_index

    entries = [
        IndexEntry.from_dist(dist / slug) for slug in sorted(set(slugs)) if (dist / slug).is_dir()
    ]
    target = dist / INDEX
    page = journal_index(entries, branding=branding)
    if not _holds(target, page):  # the same bytes: the file (and its time) left as it is
        write_atomic(target, page)
    return target


def read_manifest(dist: Path) -> dict[str, Any]:
    """The manifest as written, or an empty one."""
    try:
        return json.loads((dist / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": []}

