"""The DOCX edition: shared front matter in named Word styles plus the body, written by pandoc."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from galleys import pandoc
from galleys.errors import SourceError
from galleys.scripts import has_rtl
from galleys.writers import RenderOptions
from galleys.writers.docx.body import BodyPreparer
from galleys.writers.docx.front import front_blocks
from galleys.writers.docx.package import finish
from galleys.writers.docx.reference import journal_reference_docx, reference_docx
from galleys.writers.docx.scripts import mark_directions

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle


class DocxBackend:
    """Renders one article as a Word document that editors and authors can restyle and correct."""

    name: ClassVar[str] = "docx"
    suffix: ClassVar[str] = ".docx"
    media_type: ClassVar[str] = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )

    external: ClassVar[bool] = True  # prepare() returns pandoc's half: a build's thread runs it

    def __init__(self) -> None:
        self.warnings: list[str] = []  # what pandoc printed during the last render

    def render(
        self, resolved: ResolvedArticle, front: FrontMatter, options: RenderOptions
    ) -> bytes:
        return self.prepare(resolved, front, options)()

    def prepare(
        self, resolved: ResolvedArticle, front: FrontMatter, options: RenderOptions
    ) -> Callable[[], bytes]:
        """render's own half (the body checked, pictures embedded, pandoc's JSON written),
        returning the other: pandoc's conversion and the package's finishing, which a build
        runs in a thread while this process lays out the PDF."""
        article = resolved.article
        preparer = BodyPreparer(article.folder, article.source_path)
        body = preparer.prepare(resolved.blocks)
        document = {
            "pandoc-api-version": resolved.ast["pandoc-api-version"],
            "meta": _meta(front),
            "blocks": front_blocks(front) + body,
        }
        source = _json(document)
        if front.direction == "rtl" or has_rtl(source) or '["lang",' in source:
            document = json.loads(source)  # marking changes nodes the other editions share
            document["blocks"] = mark_directions(document["blocks"], front.direction)
            source = _json(document)  # else: nothing to mark

        template = resolved.metadata.reference_doc  # the journal's own, its styles completed
        reference_data = (journal_reference_docx(Path(template))[0] if template
                          else reference_docx(options.paper))

        def convert() -> bytes:
            with tempfile.TemporaryDirectory(prefix="galleys-docx-") as folder:
                reference = Path(folder) / "reference.docx"
                reference.write_bytes(reference_data)
                result = pandoc.convert(source.encode("utf-8"), "json", "docx",
                                        reference_doc=reference)
            self.warnings = [f"{article.source_path}: pandoc (docx): {w}"
                             for w in result.warnings]
            if options.strict and self.warnings:
                raise SourceError(f"pandoc warned while writing DOCX: {result.warnings[0]}",
                                  path=article.source_path)
            return finish(result.output, front, resolved.metadata, options.source_date_epoch,
                          preparer.images, options.paper)

        return convert


def _json(document: dict[str, Any]) -> str:
    """The document as pandoc's JSON; a tree we built holds no cycle, so none is looked for
    (~20 % of the encoding time of a body of ~30,000 nodes)."""
    return json.dumps(document, ensure_ascii=False, check_circular=False)


def _meta(front: FrontMatter) -> dict[str, Any]:
    """Only what pandoc needs for the body (language, direction): never the title or authors,
    which it would typeset as a second, unstyled title block; properties are written after."""
    meta: dict[str, Any] = {"lang": {"t": "MetaString", "c": front.lang}}
    if front.direction == "rtl":
        meta["dir"] = {"t": "MetaString", "c": "rtl"}
    return meta
