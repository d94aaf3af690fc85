"""Parsed TrueType faces kept between runs: reportlab parses a face in ~25 ms, a pickle loads in ~8.

Each face is stored once under the user's cache folder ($GALLEYS_CACHE, else
$XDG_CACHE_HOME/galleys, else ~/.cache/galleys; GALLEYS_CACHE=off keeps nothing), keyed by the
font file (path, size, time), reportlab, Python and this code. The folder is the user's own
(mode 0700), as trusted as their fonts. Anything wrong with an entry means parsing the font.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import reportlab

from .pdf_shaping import ShapingTTFont

_CODE = Path(__file__).with_name("pdf_shaping.py")


def cache_folder() -> Path | None:
    """Where faces are kept, or None when caching is off."""
    chosen = os.environ.get("GALLEYS_CACHE")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen) / "fonts"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "galleys" / "fonts"


def load_face(name: str, path: Path) -> ShapingTTFont:
    """The face registered as `name` from `path`: from the cache, else parsed (and kept)."""
    folder = cache_folder()
    entry = folder / f"{_key(name, path)}.pickle" if folder else None
    if entry is not None:
        try:
            font = _unpickle(entry.read_bytes())
            if isinstance(font, ShapingTTFont) and font.fontName == name:
                return font
        except Exception:  # a missing, stale or damaged entry: parse the font instead
            pass
    font = ShapingTTFont(name, str(path))
    if entry is not None:
        _keep(entry, pickle.dumps(font, protocol=pickle.HIGHEST_PROTOCOL))
    return font


def _unpickle(data: bytes) -> object:
    """pickle.loads with the cycle collector paused: a face is ~20,000 new objects, none
    garbage, and collections during the load doubled its time."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if paused:
            gc.enable()


def _key(name: str, path: Path) -> str:
    info = path.stat()
    parts = [name, str(path.resolve()), str(info.st_size), str(info.st_mtime_ns),
             reportlab.Version, sys.version]
    h = hashlib.sha256("\0".join(parts).encode())
    h.update(_CODE.read_bytes())
    return h.hexdigest()


def _keep(entry: Path, data: bytes) -> None:
    """Write the entry atomically; a cache that cannot be written is no cache."""
    temp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, entry)
        temp = None
    except OSError:
        pass
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
