"""Safe YAML reading that remembers the line of every key and rejects duplicates and bombs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from galleys.errors import SourceError
from galleys.read.text import CONTROL

MAX_YAML_BYTES = 1_000_000
MAX_NODES = 100_000  # counted after alias expansion: stops "billion laughs"
MAX_DEPTH = 100  # mappings and lists inside each other (PyYAML's parser recurses per level)
# Lone surrogates (escaped in YAML: "\ud800") cannot be written as UTF-8, and noncharacters
# (U+FFFE, U+FDD0 …) are not text: XML refuses U+FFFE and U+FFFF, pandoc's YAML reader all.
_BAD_CHARACTER = re.compile("[\ud800-\udfff\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF)) + "]")

_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# libyaml's parser where PyYAML was built with it (its wheels are): ~8x faster, same nodes
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)

KeyPath = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """Plain Python data from YAML plus the 1-based file line of every key path."""

    data: Any
    path: Path
    lines: dict[KeyPath, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def line(self, key_path: KeyPath) -> int | None:
        """The line of `key_path`, else of its nearest ancestor that has one."""
        while key_path:
            if key_path in self.lines:
                return self.lines[key_path]
            key_path = key_path[:-1]
        return self.lines.get((), None)

    def error(self, key_path: KeyPath, message: str) -> SourceError:
        key = ".".join(str(k) for k in key_path) or None
        return SourceError(message, path=self.path, line=self.line(key_path), key=key)


def load_yaml(
    text: str,
    path: Path,
    first_line: int = 1,
    *,
    what: str | None = None,
    max_bytes: int = MAX_YAML_BYTES,
    max_nodes: int = MAX_NODES,
) -> YamlDoc:
    """Parse `text` (which starts at `first_line` of `path`) with the safe loader only; `what`
    it is (front matter, a bibliography …; by default told by the file's suffix) names it in
    the error when it is over `max_bytes`,
    and it may hold at most `max_nodes` values, aliases expanded, MAX_DEPTH levels deep."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        if what is None:  # journal.yaml, or an article's front matter
            what = "the YAML file" if path.suffix.lower() in (".yaml", ".yml") else "front matter"
        raise SourceError(f"{what} is over {max_bytes // 1_000_000} MB", path=path)
    loader, node = _compose(text, path, first_line)
    doc = YamlDoc(data=None, path=path)
    if node is None:
        doc.data = {}
        return doc
    doc.lines[()] = first_line + node.start_mark.line
    builder = _Builder(loader, doc, first_line, max_nodes)
    doc.data = builder.build(node, ())
    return doc


def _compose(text: str, path: Path, first_line: int) -> tuple[Any, yaml.Node | None]:
    """The loader and the document's root node; malformed YAML is reported as the pure-Python
    parser reports it (libyaml, when present, parses well-formed YAML alone: it is faster)."""
    if _FAST_LOADER is not None:
        loader = _FAST_LOADER(text)
        try:
            return loader, loader.get_single_node()
        except yaml.YAMLError:
            pass  # let the parser whose messages and lines we document say what is wrong
        finally:
            loader.dispose()
    loader = yaml.SafeLoader(text)
    try:
        return loader, loader.get_single_node()
    except RecursionError:  # libyaml refused it too: "exceeded maximum nesting depth"
        raise SourceError(f"YAML nested deeper than {MAX_DEPTH} levels", path=path,
                          line=first_line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise SourceError(f"malformed YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"malformed YAML: {exc}", path=path, line=first_line) from None
    finally:
        loader.dispose()


class _Builder:
    def __init__(self, loader: Any, doc: YamlDoc, first_line: int, max_nodes: int) -> None:
        self.loader = loader
        self.doc = doc
        self.first_line = first_line
        self.max_nodes = max_nodes
        self.count = 0

    def _line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def build(self, node: yaml.Node, key_path: KeyPath) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise SourceError(
                f"YAML expands to over {self.max_nodes} values (an alias bomb?)",
                path=self.doc.path,
                line=self._line(node),
            )
        if len(key_path) > MAX_DEPTH:
            raise SourceError(f"YAML nested deeper than {MAX_DEPTH} levels",
                              path=self.doc.path, line=self._line(node))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            raise SourceError(
                f"unsafe or unknown YAML tag {node.tag}",
                path=self.doc.path,
                line=self._line(node),
                key=".".join(str(k) for k in key_path) or None,
            )
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise SourceError(
                        "YAML merge keys (<<) are not supported",
                        path=self.doc.path,
                        line=self._line(key_node),
                    )
                key = str(self._scalar(key_node, key_path))
                child = (*key_path, key)
                if key in result:
                    raise SourceError(
                        "duplicate key",
                        path=self.doc.path,
                        line=self._line(key_node),
                        key=".".join(map(str, child)),
                    )
                self.doc.lines[child] = self._line(key_node)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                child = (*key_path, index)
                self.doc.lines[child] = self._line(item)
                items.append(self.build(item, child))
            return items
        return self._scalar(node, key_path)

    def _scalar(self, node: yaml.Node, key_path: KeyPath) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise SourceError(
                "a mapping key must be a plain value", path=self.doc.path, line=self._line(node)
            )
        try:
            value = self.loader.construct_object(node, deep=True)
            bad = _BAD_CHARACTER.search(value) if isinstance(value, str) else None
            if bad:
                raise SourceError(
                    f"invalid character U+{ord(bad.group()):04X} (a lone surrogate or a "
                    "noncharacter: not text)",
                    path=self.doc.path,
                    line=self._line(node),
                    key=".".join(str(k) for k in key_path) or None,
                )
            if isinstance(value, str) and CONTROL.search(value):
                value = CONTROL.sub("", value)  # escaped in YAML ("\x00"), they corrupt XML
                self.doc.warnings.append(
                    f"{self.doc.path}:{self._line(node)}: warning: removed control characters"
                )
            return value
        except yaml.constructor.ConstructorError as exc:
            problem = (exc.problem or "cannot read this value").split("\n")[0]
            raise SourceError(
                f"unsafe or unknown YAML value: {problem}",
                path=self.doc.path,
                line=self._line(node),
                key=".".join(str(k) for k in key_path) or None,
            ) from None
        except ValueError as exc:
            if node.tag == _TIMESTAMP:  # date: 2024-13-45 is its text: the reader says why
                return node.value
            raise SourceError(
                f"invalid value {node.value!r}: {exc}",
                path=self.doc.path,
                line=self._line(node),
                key=".".join(str(k) for k in key_path) or None,
            ) from None
