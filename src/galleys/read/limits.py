"""Caps on what one article may ask of galleys, checked before the step they would make slow.

Each cap is a one-line SourceError (exit 65) naming the file, the line where one is known,
and the limit; the README's Limits section lists them. A cap far beyond any real article
keeps a small hostile input (a 500-byte `@string` chain, an alias bomb, 100,000 footnotes)
from costing minutes and gigabytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from galleys.errors import SourceError

if TYPE_CHECKING:
    from galleys.model import Article

MAX_BIBLIOGRAPHY_BYTES = 5_000_000  # a bibliography file; the largest real ones are ~1 MB
MAX_ENTRIES = 10_000  # entries of one bibliography
MAX_FIELD_CHARS = 100_000  # one field of an entry, @string macros expanded
MAX_EXPANDED_CHARS = 20_000_000  # every field of a BibTeX file together, macros expanded
MAX_FOOTNOTES = 2_000  # law reviews run to a few hundred; 5,000 took ~50 s on a busy machine
MAX_KEYWORDS = 500


def check_article(article: Article) -> None:
    """The caps on what an article read asks of the steps after it: footnotes and keywords
    (counted before pandoc parses the body), and its bibliography."""
    path = article.source_path
    notes = len(_INLINE_NOTE.findall(article.body)) + len(_NOTE_DEFINITION.findall(article.body))
    check_count(notes, MAX_FOOTNOTES, "footnotes", path)
    check_count(len(article.metadata.keywords), MAX_KEYWORDS, "keywords", path, key="keywords")
    if article.bibliography is not None:
        check_bibliography(article.bibliography)


_INLINE_NOTE = re.compile(r"\^\[")  # ^[an inline note]
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.M)  # [^label]: the note


def check_bibliography(path: Path) -> None:
    """Refuse a bibliography pandoc's citeproc would take too long or too much memory for."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"bibliography cannot be read: {exc.strerror}", path=path) from None
    if size > MAX_BIBLIOGRAPHY_BYTES:
        raise SourceError(f"bibliography is over the limit of "
                          f"{MAX_BIBLIOGRAPHY_BYTES // 1_000_000} MB", path=path)
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise SourceError(f"bibliography cannot be read: {exc.strerror}", path=path) from None
    suffix = path.suffix.lower()
    if suffix in (".bib", ".bibtex"):
        _check_bibtex(text, path)
    elif suffix == ".json":
        _check_items(_json_items(text, path), path)
    elif suffix == ".yaml":
        _check_items(_yaml_items(text, path), path)
    elif suffix == ".ris":
        _check_ris(text, path)


def check_count(count: int, limit: int, what: str, path: Path, line: int | None = None,
                key: str | None = None) -> None:
    """An error when `count` `what` exceed `limit`."""
    if count > limit:
        raise SourceError(f"{count:,} {what}, over the limit of {limit:,}", path=path, line=line,
                          key=key)


def count_footnotes(node: Any) -> int:
    """The Note elements anywhere in a pandoc AST (iteratively: the AST may be deep)."""
    count = 0
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.get("t") == "Note":
                count += 1
            content = value.get("c")
            if isinstance(content, list | dict):
                stack.append(content)
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, list | dict))
    return count


def _field_error(path: Path, line: int | None, what: str, length: int) -> SourceError:
    return SourceError(f"{what} is {length:,} characters long, over the limit of "
                       f"{MAX_FIELD_CHARS:,}", path=path, line=line)


# -- BibTeX: a scan that measures every field without building it --------------------------

_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_SPACE = re.compile(r"\s*")


class _BibScan:
    """Entries and field lengths of a BibTeX file, @string macros resolved by their length
    (never expanded), in one pass. What it cannot parse it leaves to pandoc's reader, whose
    message names the problem."""

    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path
        self.macros: dict[str, int] = {}
        self.entries = 0
        self.total = 0

    def line(self, at: int) -> int:
        return self.text.count("\n", 0, at) + 1

    def run(self) -> None:
        text = self.text
        at = text.find("@")
        while at >= 0:
            at = self._entry(at + 1)
            at = text.find("@", at)

    def _skip(self, at: int) -> int:
        match = _SPACE.match(self.text, at)
        return match.end() if match else at

    def _entry(self, at: int) -> int:
        """Scan the entry whose type starts at `at`; the position after it (or after what
        could be read of it)."""
        text = self.text
        kind = _NAME.match(text, at)
        if kind is None:
            return at
        name = kind.group().lower()
        at = self._skip(kind.end())
        if at >= len(text) or text[at] not in "{(":
            return at
        close = "}" if text[at] == "{" else ")"
        if name in ("comment", "preamble"):
            end = self._balanced(at)
            return end if end > at else at + 1
        at = self._skip(at + 1)
        if name != "string":
            self.entries += 1
            check_count(self.entries, MAX_ENTRIES, "bibliography entries", self.path,
                        self.line(at))
            key_end = text.find(",", at)
            if key_end < 0:
                return len(text)
            at = key_end + 1
        while True:
            at = self._skip(at)
            if at >= len(text) or text[at] == close:
                return at + 1
            field = _NAME.match(text, at)
            if field is None:
                return at
            at = self._skip(field.end())
            if at >= len(text) or text[at] != "=":
                return at
            start = at
            length, at = self._value(self._skip(at + 1))
            self.total += length
            label = f"@string {field.group()!r}" if name == "string" else \
                f"field {field.group()!r}"
            if length > MAX_FIELD_CHARS:
                raise _field_error(self.path, self.line(start), label, length)
            if self.total > MAX_EXPANDED_CHARS:
                raise SourceError(f"its fields expand to over {MAX_EXPANDED_CHARS:,} "
                                  "characters (@string macros expanded)", path=self.path,
                                  line=self.line(start))
            if name == "string":
                self.macros[field.group().lower()] = length
            at = self._skip(at)
            if at < len(text) and text[at] == ",":
                at += 1

    def _value(self, at: int) -> tuple[int, int]:
        """(length, end) of a value: parts joined by '#'."""
        text = self.text
        length = 0
        while at < len(text):
            char = text[at]
            if char == "{":
                end = self._balanced(at)
                if end <= at:
                    return length, len(text)
                length += end - at - 2
                at = end
            elif char == '"':
                end = self._quoted(at)
                length += end - at - 2
                at = end
            else:
                part = _NAME.match(text, at)
                if part is None:
                    return length, at
                word = part.group()
                length += len(word) if word.isdigit() else self.macros.get(word.lower(), 3)
                at = part.end()
            at = self._skip(at)
            if at < len(text) and text[at] == "#":
                at = self._skip(at + 1)
            else:
                return length, at
        return length, at

    def _balanced(self, at: int) -> int:
        """The position after the brace group opening at `at` (the end of the text when it
        never closes)."""
        depth = 0
        for match in _BRACES.finditer(self.text, at):
            depth += 1 if match.group() == "{" else -1
            if depth == 0:
                return match.end()
        return len(self.text)

    def _quoted(self, at: int) -> int:
        depth = 0
        for match in _QUOTE_OR_BRACE.finditer(self.text, at + 1):
            char = match.group()
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif depth <= 0:
                return match.end()
        return len(self.text)


_BRACES = re.compile(r"[{}]")
_QUOTE_OR_BRACE = re.compile(r'[{}"]')


def _check_bibtex(text: str, path: Path) -> None:
    _BibScan(text, path).run()


# -- CSL JSON and YAML: parsed, then every string measured ---------------------------------


def _json_items(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except RecursionError:  # json's decoder recurses per level, and says so
        raise SourceError("CSL JSON nested too deep", path=path) from None
    except ValueError as exc:
        raise SourceError(f"malformed CSL JSON: {exc}", path=path) from None


def _yaml_items(text: str, path: Path) -> Any:
    from galleys.read.yamltext import load_yaml

    doc = load_yaml(text, path, what="bibliography", max_bytes=MAX_BIBLIOGRAPHY_BYTES,
                    max_nodes=40 * MAX_ENTRIES)
    data = doc.data
    return data.get("references", []) if isinstance(data, dict) else data


def _check_items(items: Any, path: Path) -> None:
    if not isinstance(items, list):
        return  # not a list of entries: pandoc's reader says what is wrong
    check_count(len(items), MAX_ENTRIES, "bibliography entries", path)
    for index, item in enumerate(items):
        for key, value in _strings(item):
            if len(value) > MAX_FIELD_CHARS:
                entry = item.get("id", index + 1) if isinstance(item, dict) else index + 1
                raise _field_error(path, None, f"entry {entry!r}: field {key!r}", len(value))


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    stack: list[tuple[str, Any]] = [(key, value)]
    while stack:
        name, item = stack.pop()
        if isinstance(item, str):
            yield name, item
        elif isinstance(item, dict):
            stack.extend((str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((name, v) for v in item)


# -- RIS: one tag a line ----------------------------------------------------------------------

_RIS_TYPE = re.compile(r"^TY  -", re.M)


def _check_ris(text: str, path: Path) -> None:
    check_count(len(_RIS_TYPE.findall(text)), MAX_ENTRIES, "bibliography entries", path)
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_FIELD_CHARS:
            raise _field_error(path, number, "a field", len(line))
