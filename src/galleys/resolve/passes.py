"""The shared passes: parse the body and the Markdown metadata once, process citations once."""

from __future__ import annotations

import json
import re
from typing import Any

from galleys import pandoc
from galleys.errors import SourceError, ToolError
from galleys.front import styles
from galleys.front.frontmatter import Labels
from galleys.front.inlines import Inlines, from_pandoc
from galleys.model import Article, ResolvedArticle
from galleys.pandoc_ast import SPACES, content_of, is_kind, is_node, kind_of, make, raw, string
from galleys.read import quarto_body, raw_html, raw_tex
from galleys.resolve import figures, links, xrefs
from galleys.resolve.ast_index import MAX_DEPTH, index_body
from galleys.resolve.reference_list import place_reference_list, process_citations

# The body reader: raw extensions on (their nodes are read, else dropped), no HTML-made divs/spans.
BODY_READER = "markdown-native_divs-native_spans"
# A line indented 400 columns or quoted 100 times deep: lists or quotes beyond MAX_DEPTH.
_DEEP_SOURCE = re.compile(r"^(?:[ \t]*>){100}|^[ \t]{400}", re.MULTILINE)
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")  # not printable for YAML
_RAW_SIGNS = ("<", "\\", "{=")  # what any raw markup or HTML-made node starts with


def resolve(article: Article, style: str | None = None) -> ResolvedArticle:
    """Parse `article` with pandoc (one process, rarely two) into the AST every backend renders.

    The body is read with pandoc's raw extensions on, so raw HTML, TeX and `{=format}` blocks
    (HTML comments too) become raw nodes, which the body passes then read (raw_tex, raw_html);
    what they cannot read is dropped here with a warning: none reaches an edition. Metadata is
    read with them off: markup in a title shows as text.
    """
    metadata = article.metadata
    style = style or metadata.citation_style
    texts = {key: quarto_body.text_shortcodes(text) for key, text in (
        ("title", metadata.title), ("subtitle", metadata.subtitle),
        ("abstract", metadata.abstract))}
    header = {"lang": metadata.lang}
    separate = any(sign in text for text in texts.values() for sign in _RAW_SIGNS)
    if not separate:  # no character that could start markup: one reader reads both alike
        header.update(texts)
    cited = article.bibliography is not None
    if cited:
        header["link-citations"] = "true"  # each citation a link to its entry
    if _DEEP_SOURCE.search(article.body):  # pandoc itself takes minutes over such nesting
        raise _too_deep(article)
    body, warnings = quarto_body.prepare_source(
        article.body, article.source_path, article.body_line, raw_tex.decode_accents)
    # Citeproc after the passes when they make or take out citations (\cite{k} read from raw
    # TeX; @fig-x, a cross-reference), else in the parse.
    late_citeproc = xrefs.cites_crossref(body) or raw_tex.cites(body)
    try:
        result = pandoc.convert(
            f"{_yaml(header)}\n{body}\n".encode(),
            BODY_READER,
            "json",
            citeproc=cited and not late_citeproc,
            bibliography=article.bibliography,
            csl=styles.path(style) if cited else None,
        )
    except ToolError as error:
        if raw_tex.MACRO_LOOP in error.message:  # \def\x{\x}\x: the source's, not pandoc's
            raise SourceError(f"a TeX macro expands forever ({error.message})",
                              path=article.source_path) from None
        raise
    try:
        ast = result.json()
    except RecursionError:
        raise _too_deep(article) from None
    index = index_body(ast["blocks"], MAX_DEPTH)
    if index.depth > MAX_DEPTH:
        raise _too_deep(article)
    meta = _parse_meta(texts) if separate else ast.get("meta", {})
    warnings = [f"{article.source_path}: pandoc: {w}" for w in result.warnings] + warnings
    blocks = _body_passes(ast["blocks"], result.output, body, article, warnings)
    unlinked: list[str] = []  # the link policy's: the title's and abstract's, then the body's
    meta = links.apply_link_policy(meta, unlinked, source=article.source_path)
    dropped: list[str] = []
    blocks = _without_raw(blocks, dropped) if b'"Raw' in result.output else blocks
    if dropped:
        warnings.append(
            f"{article.source_path}: warning: dropped {len(dropped)} passage(s) of raw markup "
            f"(galleys never passes markup through), the first: {dropped[0]}"
        )
    blocks, image_warnings = figures.check_images(blocks, article)  # after raw TeX is read
    warnings += image_warnings
    labels = Labels(**dict(metadata.labels))
    renumbered, crossref_warnings = xrefs.resolve_crossrefs(blocks, labels, article.source_path)
    warnings += crossref_warnings
    if article.bibliography and late_citeproc:  # @fig-x gone, \cite{k} read: citeproc now
        blocks, cite_warnings = process_citations(ast, blocks, article.bibliography,
                                                  styles.path(style))
        warnings += [f"{article.source_path}: pandoc: {w}" for w in cite_warnings]
    blocks = place_reference_list(blocks, labels.references)
    # Last, so that citeproc's and the cross-references' links obey it too.
    blocks = links.apply_link_policy(blocks, unlinked, links.element_ids(blocks),
                                     article.source_path)
    if unlinked:
        warnings.append(links.warning(article.source_path, unlinked))
    resolved = ResolvedArticle(
        article=article,
        style=style,
        title=_inlines(meta, "title", article),
        subtitle=_inlines(meta, "subtitle", article),
        abstract=_paragraphs(meta, "abstract", article),
        ast={"pandoc-api-version": ast["pandoc-api-version"], "meta": {}, "blocks": blocks},
        warnings=article.warnings + tuple(warnings),
    )
    if blocks is ast["blocks"] and not renumbered:  # the walk above indexed these very blocks
        resolved.__dict__["index"] = index
    return resolved


def _body_passes(blocks: list[dict[str, Any]], output: bytes, body: str, article: Article,
                 warnings: list[str]) -> list[dict[str, Any]]:
    """The passes that give the body its meaning, in order: raw TeX and HTML read (raw_tex,
    raw_html), Quarto's cells and callouts (quarto_body), display equations labelled. Each
    runs only when the body holds what it reads (the unchanged blocks keep their identity,
    and with it the index of the parse). The link policy (links) runs last, in resolve()."""
    if b'"Raw' in output:
        blocks, unread = raw_tex.read_raw_tex(blocks, body, article.body_line)
        if unread:
            warnings.append(raw_tex.unread_warning(article.source_path, unread))
        blocks = raw_html.read_raw_html(blocks)
    if b'"cell"' in output or b'callout' in output:
        blocks = quarto_body.finish(blocks)
    if b"DisplayMath" in output:
        blocks = raw_tex.label_equations(blocks)
    if "\\" in body:
        left = raw_tex.tex_left_as_text(blocks, body, article.body_line)
        if left:
            warnings.append(raw_tex.left_as_text_warning(article.source_path, left))
    return blocks


def _yaml(values: dict[str, str]) -> str:
    """A YAML metadata block; JSON is YAML, and pandoc reads every value as Markdown.

    Pandoc reads a string as paragraphs only when it ends with a newline: the abstract gets
    one, so a blank line in it parts paragraphs (without, pandoc made it one line break).
    """
    lines = [
        f"{k}: {_yaml_string(v + chr(10) if k in _PARAGRAPH_KEYS else v)}"
        for k, v in values.items()
        if v
    ]
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n"


_PARAGRAPH_KEYS = ("abstract",)


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar; characters YAML forbids in a stream are escaped."""
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _parse_meta(texts: dict[str, str]) -> dict[str, Any]:
    """Metadata strings parsed with the raw extensions off: any markup in them is text."""
    result = pandoc.convert(_yaml(texts).encode(), pandoc.MARKDOWN_READER, "json")
    return result.json().get("meta", {})


def _without_raw(value: Any, dropped: list[str]) -> Any:
    """`value` (AST lists and nodes) without RawBlock/RawInline nodes; notes what went."""
    if isinstance(value, list):
        kept: list[Any] = []
        for item in value:
            found = raw(item)
            if found is not None:
                fmt, text = found
                if not (fmt == "html" and text.lstrip().startswith("<!--")):  # comments: silent
                    dropped.append(f"{{={fmt}}} {' '.join(text.split())[:60]!r}")
                continue
            if _is_space(item) and kept and _is_space(kept[-1]):
                continue  # "a <b>b</b> c" loses its tags, not its single spaces
            kept.append(_without_raw(item, dropped))
        return kept
    if is_node(value) and "c" in value:
        return {**value, "c": _without_raw(content_of(value), dropped)}
    return value


def _is_space(node: Any) -> bool:
    return is_kind(node, *SPACES)


def _too_deep(article: Article) -> SourceError:
    return SourceError(
        f"the body is nested too deeply (lists, quotes or emphasis over {MAX_DEPTH} levels)",
        path=article.source_path,
    )


def _inlines(meta: dict[str, Any], key: str, article: Article) -> Inlines:
    value = meta.get(key)
    if value is None:
        return ()
    if is_kind(value, "MetaInlines"):
        return from_pandoc(content_of(value), key)
    if is_kind(value, "MetaBlocks"):  # "title: |" with a trailing newline
        paragraphs = _blocks_to_paragraphs(content_of(value), key, article)
        if len(paragraphs) == 1:
            return paragraphs[0]
    if is_kind(value, "MetaString"):
        return from_pandoc([string(content_of(value))], key)
    raise SourceError("expected one line of text", path=article.source_path, key=key)


def _paragraphs(meta: dict[str, Any], key: str, article: Article) -> tuple[Inlines, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if is_kind(value, "MetaInlines"):
        return (from_pandoc(content_of(value), key),)
    if is_kind(value, "MetaBlocks"):
        return _blocks_to_paragraphs(content_of(value), key, article)
    raise SourceError("expected text", path=article.source_path, key=key)


def _blocks_to_paragraphs(
    blocks: list[dict[str, Any]], key: str, article: Article
) -> tuple[Inlines, ...]:
    """The paragraphs of a front-matter value; a list in it (AGU's abstract) becomes one
    paragraph an item, led by its bullet or number, a quote or a div its own paragraphs."""
    paragraphs = []
    for block in blocks:
        kind, inside = kind_of(block), content_of(block)
        if kind in ("Para", "Plain"):
            paragraphs.append(from_pandoc(inside, key))
        elif kind in ("BulletList", "OrderedList"):
            items = inside if kind == "BulletList" else inside[1]
            start = 1 if kind == "BulletList" else inside[0][0]  # OrderedList: [[start, …], items]
            for number, item in enumerate(items, start):
                marker = "\u2022" if kind == "BulletList" else f"{number}."
                inner = _blocks_to_paragraphs(item, key, article)
                lead = from_pandoc([string(marker), make("Space")], key)
                paragraphs += [lead + inner[0], *inner[1:]] if inner else []
        elif kind in ("BlockQuote", "Div"):
            paragraphs += _blocks_to_paragraphs(inside if kind == "BlockQuote" else inside[1],
                                                key, article)
        else:
            raise SourceError(
                f"may hold only paragraphs and lists, found {kind}", path=article.source_path,
                key=key)
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
    meta = pandoc.convert(source.encode(), pandoc.MARKDOWN_READER, "json").json()["meta"]
    values = content_of(meta["strings"])
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
