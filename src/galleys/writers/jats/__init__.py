"""The JATS edition: JATS 1.2 Archiving with MathML 3, front from the model, body by pandoc."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from lxml import etree

from galleys.writers import RenderOptions
from galleys.writers.jats.body import build_body
from galleys.writers.jats.front import ALI_NS, build_front
from galleys.writers.jats.xmltext import XLINK_NS

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle

PUBLIC_ID = ("-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD with MathML3 "
             "v1.2 20190208//EN")
SYSTEM_ID = "JATS-archivearticle1-mathml3.dtd"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SUFFIX = ".jats.xml"


class JatsWriter:
    """Renders one article as a JATS XML document, the archival format indexers take; its
    figures are files beside it (`files` after render)."""

    name: ClassVar[str] = "jats"
    suffix: ClassVar[str] = SUFFIX
    media_type: ClassVar[str] = "application/jats+xml"

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.files: list[tuple[str, str, bytes]] = []  # (name, media type, bytes) beside it

    def render(self, resolved: ResolvedArticle, front: FrontMatter,
               options: RenderOptions) -> bytes:
        metadata = resolved.metadata
        body = build_body(resolved)
        self.warnings, self.files = body.warnings, body.files
        root = etree.Element("article", nsmap={"mml": MATHML_NS, "xlink": XLINK_NS,
                                               "ali": ALI_NS})
        root.set("article-type", "research-article")
        root.set("dtd-version", "1.2")
        root.set("{http://www.w3.org/XML/1998/namespace}lang", metadata.lang)
        root.append(build_front(metadata, front, pdf_url(resolved)))
        root.append(body.body)
        if body.back is not None:
            root.append(body.back)
        etree.cleanup_namespaces(root, top_nsmap={"mml": MATHML_NS, "xlink": XLINK_NS,
                                                  "ali": ALI_NS})
        return serialize(root)


def pdf_url(resolved: ResolvedArticle) -> str:
    """The PDF edition's address: on the journal's site (`site-url`), else beside this file."""
    metadata = resolved.metadata
    name = f"{metadata.slug}.pdf"
    return f"{metadata.site_url}{metadata.slug}/{name}" if metadata.site_url else name


def serialize(root: etree._Element) -> bytes:
    """The document with its XML declaration and the DTD's DOCTYPE."""
    doctype = f'<!DOCTYPE article PUBLIC "{PUBLIC_ID}" "{SYSTEM_ID}">'
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8",
                          doctype=doctype) + b"\n"
