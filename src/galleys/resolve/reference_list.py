"""The reference list once, where the author put it, under exactly one heading; citeproc run
after the body's passes when a pass must see the citations first.

After citeproc the list is the Div `refs`: where the author wrote `::: {#refs}` (pandoc,
Quarto), else appended at the end. Then:

- a heading whose id is `references` or `bibliography` (JOSS papers end with `# References`)
  gets the list at the end of its section, when the author wrote no `::: {#refs}` elsewhere;
- a list with a heading just before it keeps that heading;
- otherwise the list gets one heading, the article's `reference-section-title:` or the
  localized `labels: {references: …}` word;
- an empty list (nothing cited, no bibliography) is taken out, and with it a reference
  heading whose section is then empty: no edition shows an empty section or chapter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from galleys import pandoc
from galleys.front.inlines import text_nodes
from galleys.pandoc_ast import Node, attr_of, div_of, header_of, is_kind, make
from galleys.resolve.xrefs import REFERENCE_IDS

LIST_ID = "refs"


def place_reference_list(blocks: list[Node], title: str) -> list[Node]:
    """`blocks` with the reference list placed and headed once: a new list when that changed
    anything (nodes shared), else `blocks` itself."""
    at = next((i for i, b in enumerate(blocks) if _is_list(b)), None)
    heading = next((i for i, b in enumerate(blocks) if _is_reference_heading(b)), None)
    if at is None and heading is None:
        return blocks
    blocks = list(blocks)
    if at is None or not div_of(blocks[at]).blocks:
        if at is not None:
            del blocks[at]
        if at and is_kind(blocks[at - 1], "Header"):  # the heading the author gave the list
            heading = at - 1
        else:
            heading = next((i for i, b in enumerate(blocks) if _is_reference_heading(b)), None)
        if heading is not None and _section_end(blocks, heading) == heading + 1:
            del blocks[heading]
        return blocks
    if heading is not None and at == len(blocks) - 1 and at > heading:
        end = _section_end(blocks, heading)
        if end != at + 1:  # the list was appended: it goes under the author's heading
            blocks.insert(end, blocks.pop(at))
        return blocks
    if heading is not None or (at > 0 and is_kind(blocks[at - 1], "Header")):
        return blocks
    ident = "references" if not _has_id(blocks, "references") else "bibliography"
    header = make("Header", [1, [ident, ["unnumbered"], []], text_nodes(title)])
    blocks.insert(at, header)
    return blocks


def process_citations(ast: dict[str, Any], blocks: list[Node], bibliography: Path, csl: Path
                      ) -> tuple[list[Node], list[str]]:
    """Citations of `blocks` processed by citeproc (with `ast`'s metadata: language, linked
    citations), for a body whose passes had to run first; the blocks and pandoc's warnings."""
    document = {"pandoc-api-version": ast["pandoc-api-version"], "meta": ast.get("meta", {}),
                "blocks": blocks}
    result = pandoc.convert(json.dumps(document, ensure_ascii=False).encode(), "json", "json",
                            citeproc=True, bibliography=bibliography, csl=csl)
    return result.json()["blocks"], result.warnings


def _is_list(block: Node) -> bool:
    return is_kind(block, "Div") and attr_of(block).ident == LIST_ID


def _is_reference_heading(block: Node) -> bool:
    return is_kind(block, "Header") and attr_of(block).ident in REFERENCE_IDS


def _section_end(blocks: list[Node], heading: int) -> int:
    """Where the section that the heading at `heading` opens ends (the next heading of its
    level or higher, else the end)."""
    level = header_of(blocks[heading]).level
    for at in range(heading + 1, len(blocks)):
        block = blocks[at]
        if is_kind(block, "Header") and header_of(block).level <= level:
            return at
    return len(blocks)


def _has_id(blocks: list[Node], ident: str) -> bool:
    return any(is_kind(b, "Header", "Div") and attr_of(b).ident == ident for b in blocks)

