"""The article's own citation: CSL-JSON from the model, How-to-Cite via citeproc, exports."""

from __future__ import annotations

import json
from typing import Any

from . import pandoc, styles
from .inlines import Inlines, from_pandoc, plain
from .model import Author, ResolvedArticle

CITATION_ID = "article"


def csl_name(author: Author) -> dict[str, str]:
    """A CSL name object; the honorific is display-only and never enters it."""
    if author.literal:
        return {"literal": author.literal}
    name = {
        "family": author.family,
        "given": author.given,
        "non-dropping-particle": author.particle,
        "dropping-particle": author.dropping_particle,
        "suffix": author.suffix,
    }
    return {k: v for k, v in name.items() if v}


def csl_item(resolved: ResolvedArticle) -> dict[str, Any]:
    """The article as one CSL-JSON item."""
    metadata = resolved.metadata
    journal = metadata.journal
    title = plain(resolved.title)
    if resolved.subtitle:
        title += ": " + plain(resolved.subtitle)
    item: dict[str, Any] = {
        "id": CITATION_ID,
        "type": "article-journal",
        "title": title,
        "author": [csl_name(a) for a in metadata.authors],
        "container-title": journal.title,
        "volume": journal.volume,
        "issue": journal.issue,
        "page": journal.pages,
        "ISSN": journal.issn or journal.eissn,
        "publisher": journal.publisher,
        "DOI": metadata.doi,
        "URL": metadata.url,
        "language": metadata.lang,
        "keyword": ", ".join(metadata.keywords),
        "abstract": "\n\n".join(plain(p) for p in resolved.abstract),
    }
    if metadata.date:
        d = metadata.date
        item["issued"] = {"date-parts": [[d.year, d.month, d.day]]}
    return {k: v for k, v in item.items() if v}


def how_to_cite(resolved: ResolvedArticle, style: str) -> Inlines:
    """The article's reference in `style`, rendered by pandoc's citeproc, as rich runs."""
    return how_to_cite_many(resolved, (style,))[style]


def how_to_cite_many(resolved: ResolvedArticle, style_names: tuple[str, ...]) -> dict[str, Inlines]:
    """The reference in each style (one pandoc process per style)."""
    metadata = resolved.metadata
    item = json.dumps([csl_item(resolved)], ensure_ascii=False)
    document = {
        "pandoc-api-version": [1, 23, 1],
        "meta": {
            "references": _meta_value(json.loads(item)),
            "nocite": {
                "t": "MetaInlines",
                "c": [
                    {
                        "t": "Cite",
                        "c": [
                            [
                                {
                                    "citationId": CITATION_ID,
                                    "citationPrefix": [],
                                    "citationSuffix": [],
                                    "citationMode": {"t": "NormalCitation"},
                                    "citationNoteNum": 0,
                                    "citationHash": 0,
                                }
                            ],
                            [{"t": "Str", "c": f"@{CITATION_ID}"}],
                        ],
                    }
                ],
            },
            "lang": {"t": "MetaString", "c": metadata.lang},
        },
        "blocks": [],
    }
    stdin = json.dumps(document, ensure_ascii=False).encode()
    results: dict[str, Inlines] = {}
    for name in style_names:
        out = pandoc.run(
            ["-f", "json", "-t", "json", "--citeproc", "--csl", str(styles.path(name))], stdin
        ).json()
        results[name] = from_pandoc(_first_reference(out["blocks"]), "How to Cite")
    return results


def _first_reference(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inlines of the one entry in pandoc's refs Div."""
    for block in blocks:
        if block["t"] == "Div":
            found = _first_reference(block["c"][1])
            if found:
                return found
        elif block["t"] in ("Para", "Plain"):
            return block["c"]
    return []


def _meta_value(value: Any) -> dict[str, Any]:
    """Python data as pandoc MetaValue, every string a MetaString (read verbatim)."""
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {k: _meta_value(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [_meta_value(v) for v in value]}
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    return {"t": "MetaString", "c": str(value)}
