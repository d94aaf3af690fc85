"""The shared passes: parse the body and the Markdown metadata once, process citations once."""

from __future__ import annotations

import json
from typing import Any

from . import pandoc, styles
from .errors import SourceError
from .inlines import Inlines, from_pandoc
from .model import Article, ResolvedArticle

REFERENCES_TITLE = "References"


def resolve(article: Article, style: str | None = None) -> ResolvedArticle:
    """Parse `article` with pandoc (one process) into the AST every backend renders."""
    metadata = article.metadata
    style = style or metadata.citation_style
    header = {
        "title": metadata.title,
        "subtitle": metadata.subtitle,
        "abstract": metadata.abstract,
        "lang": metadata.lang,
    }
    args = ["-f", pandoc.MARKDOWN_READER, "-t", "json"]
    if article.bibliography is not None:
        header["reference-section-title"] = REFERENCES_TITLE
        args += [
            "--citeproc",
            "--bibliography",
            str(article.bibliography),
            "--csl",
            str(styles.path(style)),
        ]
    # JSON is YAML: every value arrives as a string pandoc parses as Markdown.
    yaml_header = "\n".join(
        f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in header.items() if v
    )
    source = f"---\n{yaml_header}\n---\n\n{article.body}\n"
    result = pandoc.run(args, source.encode("utf-8"))
    ast = result.json()
    meta = ast.get("meta", {})
    warnings = tuple(f"{article.source_path}: pandoc: {w}" for w in result.warnings)
    return ResolvedArticle(
        article=article,
        style=style,
        title=_inlines(meta, "title", article),
        subtitle=_inlines(meta, "subtitle", article),
        abstract=_paragraphs(meta, "abstract", article),
        ast={"pandoc-api-version": ast["pandoc-api-version"], "meta": {}, "blocks": ast["blocks"]},
        warnings=article.warnings + warnings,
    )


def _inlines(meta: dict[str, Any], key: str, article: Article) -> Inlines:
    value = meta.get(key)
    if value is None:
        return ()
    if value["t"] == "MetaInlines":
        return from_pandoc(value["c"], key)
    if value["t"] == "MetaBlocks":  # "title: |" with a trailing newline
        paragraphs = _blocks_to_paragraphs(value["c"], key, article)
        if len(paragraphs) == 1:
            return paragraphs[0]
    if value["t"] == "MetaString":
        return from_pandoc([{"t": "Str", "c": value["c"]}], key)
    raise SourceError("expected one line of text", path=article.source_path, key=key)


def _paragraphs(meta: dict[str, Any], key: str, article: Article) -> tuple[Inlines, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if value["t"] == "MetaInlines":
        return (from_pandoc(value["c"], key),)
    if value["t"] == "MetaBlocks":
        return _blocks_to_paragraphs(value["c"], key, article)
    raise SourceError("expected text", path=article.source_path, key=key)


def _blocks_to_paragraphs(
    blocks: list[dict[str, Any]], key: str, article: Article
) -> tuple[Inlines, ...]:
    paragraphs = []
    for block in blocks:
        if block["t"] not in ("Para", "Plain"):
            raise SourceError(
                f"may hold only paragraphs, found {block['t']}", path=article.source_path, key=key
            )
        paragraphs.append(from_pandoc(block["c"], key))
    return tuple(paragraphs)


def parse_titles(articles: list[Article]) -> list[tuple[Inlines, Inlines]]:
    """(title, subtitle) of many articles, parsed as Markdown by one pandoc process.

    Each string is a YAML value in pandoc metadata, exactly as in resolve(), so the runs are
    the same as the ones resolve() gives.
    """
    if not articles:
        return []
    strings = [s for a in articles for s in (a.metadata.title, a.metadata.subtitle or "-")]
    source = f"---\nstrings: {json.dumps(strings, ensure_ascii=False)}\n---\n"
    meta = pandoc.run(["-f", pandoc.MARKDOWN_READER, "-t", "json"], source.encode()).json()["meta"]
    values = meta["strings"]["c"]
    pairs = []
    for index, article in enumerate(articles):
        parsed_title = _inlines({"title": values[2 * index]}, "title", article)
        parsed_sub = (
            _inlines({"subtitle": values[2 * index + 1]}, "subtitle", article)
            if article.metadata.subtitle
            else ()
        )
        pairs.append((parsed_title, parsed_sub))
    return pairs
