"""The bibliography's CSL items of the works an article cites, for `element-citation`."""

from __future__ import annotations

from typing import Any

from galleys import pandoc
from galleys.front.citation import _meta_value as meta_value  # noqa: F401  (pandoc metadata of CSL data)
from galleys.model import ResolvedArticle
from galleys.pandoc_ast import attr_of, div_of, is_kind

# A bibliography file's suffix -> the pandoc reader that reads it (as citeproc does).
READERS = {".bib": "biblatex", ".bibtex": "bibtex", ".json": "csljson", ".ris": "ris",
           ".yaml": "markdown", ".yml": "markdown"}
ENTRY_PREFIX = "ref-"  # citeproc's id of an entry in the reference list: ref-<key>


def cited_items(resolved: ResolvedArticle) -> list[dict[str, Any]]:
    """The CSL items of the entries in the reference list, in its order ([] without one)."""
    keys = entry_keys(resolved.blocks)
    bibliography = resolved.article.bibliography
    if not keys or bibliography is None:
        return []
    reader = READERS.get(bibliography.suffix.lower())
    if reader is None:
        return []
    data = bibliography.read_bytes()
    if reader == "markdown":  # a YAML bibliography is metadata to pandoc
        data = b"---\n" + data + b"\n...\n"
    items = pandoc.convert(data, reader, "csljson").json()
    by_id = {str(item.get("id")): item for item in items if isinstance(item, dict)}
    return [by_id[key] for key in keys if key in by_id]


def entry_keys(blocks: list[dict[str, Any]]) -> list[str]:
    """The citation keys of the reference list's entries (the `refs` Div), in order."""
    keys: list[str] = []
    for block in blocks:
        if is_kind(block, "Div") and attr_of(block).ident == "refs":
            for entry in div_of(block).blocks:
                ident = attr_of(entry).ident if is_kind(entry, "Div") else ""
                if ident.startswith(ENTRY_PREFIX):
                    keys.append(ident.removeprefix(ENTRY_PREFIX))
    return keys
