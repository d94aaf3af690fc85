"""`galleys new DIR`: a journal's own repository, made from the files in new_journal/."""

from __future__ import annotations

import json
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from galleys import __version__
from galleys.errors import OutputError, UsageError

# Names a package's data cannot carry well (a leading dot): stored without it.
_DOTTED = {"gitignore": ".gitignore", "github": ".github"}
# Placeholders, each filled with a YAML string in .yaml/.yml files, as written elsewhere.
_TITLE, _SPEC = "__JOURNAL_TITLE__", "__GALLEYS_SPEC__"
_TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".bib", ""}
_UNSAFE_SPEC = re.compile(r'["`$\\\x00-\x1f]')  # it goes into a README's shell line as is


def default_spec() -> str:
    """What the journal's workflow installs: this very release, with Java for EPUBCheck."""
    return f"galleys[java]=={__version__}"


def create_journal(target: Path, title: str | None = None, spec: str | None = None
                   ) -> list[Path]:
    """Write a journal repository into `target` (made if missing; an existing file is never
    replaced); return the files written."""
    title = _default_title(target) if title is None else title
    spec = default_spec() if spec is None else spec.strip()
    if not title.strip() or any(ord(c) < 32 for c in title):
        raise UsageError("--title: expected the journal's title on one line")
    if not spec or _UNSAFE_SPEC.search(spec):
        raise UsageError(f"--galleys {spec!r}: expected a pip requirement such as "
                         f"{default_spec()!r}")
    if target.exists() and not target.is_dir():
        raise OutputError("exists and is not a folder", path=target)
    planned = [(target / name, _filled(entry, name, title.strip(), spec))
               for name, entry in _template_files(resources.files(__package__) / "new_journal")]
    taken = [path for path, _ in planned if path.exists() or path.is_symlink()]
    if taken:
        more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
        raise OutputError(f"exists{more}: galleys new never replaces a file", path=taken[0])
    for path, data in planned:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as error:
            raise OutputError(f"cannot write: {error.strerror}", path=path) from None
    return [path for path, _ in planned]


def _default_title(target: Path) -> str:
    """ "Journal of examples" from the folder journal-of-examples."""
    words = re.sub(r"[-_]+", " ", target.resolve().name).strip()
    return words[:1].upper() + words[1:] if words else "My journal"


def _template_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    """(path in the new repository, template file), sorted."""
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):  # __pycache__, editor files
            continue
        name = prefix + (entry.name if prefix else _DOTTED.get(entry.name, entry.name))
        if entry.is_dir():
            found += _template_files(entry, f"{name}/")
        else:
            found.append((name, entry))
    return found


def _filled(entry: Traversable, name: str, title: str, spec: str) -> bytes:
    data = entry.read_bytes()
    suffix = Path(name).suffix
    if suffix not in _TEXT_SUFFIXES:
        return data
    text = data.decode("utf-8")
    if suffix in (".yaml", ".yml"):  # as YAML strings: any title, quotes and colons too
        title, spec = json.dumps(title, ensure_ascii=False), json.dumps(spec)
    return text.replace(_TITLE, title).replace(_SPEC, spec).encode("utf-8")
