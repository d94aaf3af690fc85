"""Metadata from the command line, layered over an article as pandoc layers it: journal.yaml,
then each `--metadata-file` (a later one wins), then the article, then each `-M KEY=VALUE`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from galleys.errors import SourceError, UsageError
from galleys.read.text import read_text
from galleys.read.yamltext import KeyPath, YamlDoc, load_yaml

# Mappings whose keys are layered one by one (as journal.yaml's under an article's), not whole.
MERGED_KEYS = ("journal", "labels", "fonts")


@dataclass(frozen=True)
class MetadataOverrides:
    """`-M` values and `--metadata-file` texts, read once by the command (a worker elsewhere
    gets the text, not the paths)."""

    values: tuple[tuple[str, str | bool], ...] = ()  # -M, in the order given
    files: tuple[tuple[str, str], ...] = ()  # --metadata-file: the name as given, its text

    def __bool__(self) -> bool:
        return bool(self.values or self.files)

    def layered(self, doc: YamlDoc, journal: YamlDoc | None) -> tuple[YamlDoc, YamlDoc | None]:
        """The article's and journal.yaml's documents with these layered in: the files over
        journal.yaml, the values over the article."""
        for name, text in self.files:
            layer = load_yaml(text, Path(name), 1)
            if not isinstance(layer.data, dict):
                raise SourceError("a metadata file must be a mapping of keys", path=name, line=1)
            journal = layer if journal is None else Layers(journal, layer)
        if self.values:
            lines: dict[KeyPath, int] = {}
            data: dict[str, Any] = {}
            for number, (key, value) in enumerate(self.values, start=1):
                data[key] = value
                lines[(key,)] = number
            command = YamlDoc(data=data, path=Path("-M"), lines=lines)  # "-M:2": the 2nd -M
            doc = Layers(doc, command)
        return doc, journal


class Layers(YamlDoc):
    """Two documents as one: `top`'s keys win (a MERGED_KEYS mapping key by key); a key's
    line and errors are those of the document it comes from."""

    def __init__(self, base: YamlDoc, top: YamlDoc) -> None:
        data = dict(base.data)
        owners: dict[KeyPath, YamlDoc] = {(key,): base for key in base.data}
        for key, value in top.data.items():
            below = data.get(key)
            if key in MERGED_KEYS and isinstance(value, dict) and isinstance(below, dict):
                data[key] = {**below, **value}
                owners.update({(key, sub): top for sub in value})
            else:
                data[key] = value
                owners[(key,)] = top
        super().__init__(data=data, path=base.path, lines=base.lines,
                         warnings=[*base.warnings, *top.warnings])
        self._base = base
        self._owners = owners

    def owner(self, key_path: KeyPath) -> YamlDoc:
        """The document `key_path` comes from."""
        for length in (2, 1):
            found = self._owners.get(key_path[:length]) if len(key_path) >= length else None
            if found is not None:
                return found
        return self._base

    def line(self, key_path: KeyPath) -> int | None:
        owner = self.owner(key_path)
        return owner.line(key_path) if owner is not self else super().line(key_path)

    def error(self, key_path: KeyPath, message: str) -> SourceError:
        return self.owner(key_path).error(key_path, message)


def parse_value(option: str) -> tuple[str, str | bool]:
    """`KEY=VALUE` as pandoc reads `-M`: `true`/`false` (any case) and a bare KEY are booleans,
    anything else the text as written."""
    key, sep, value = option.partition("=")
    key = key.strip()
    if not key or any(c.isspace() for c in key):
        raise UsageError(f"-M {option!r}: expected KEY=VALUE (a key without spaces)")
    if not sep:
        return key, True
    if value.strip().lower() in ("true", "false"):
        return key, value.strip().lower() == "true"
    return key, value


def read_files(paths: list[Path], warn: Callable[[str], None]) -> tuple[tuple[str, str], ...]:
    """The text of each --metadata-file (read as an article is: UTF-8, BOM and CRLF fine), or
    an error naming the one that cannot be read."""
    return tuple((str(path), read_text(path, warn)) for path in paths)
