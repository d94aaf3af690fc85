"""PDF document metadata: Info dictionary, XMP packet (Dublin Core + PRISM), fixed timestamps."""

from __future__ import annotations

import time
import uuid
from html import escape
from typing import Any

from reportlab.pdfbase.pdfdoc import XMP

from galleys import __name__ as _package
from galleys.front.frontmatter import FrontMatter
from galleys.model import ResolvedArticle

CREATOR = "galleys"


def info(front: FrontMatter) -> dict[str, Any]:
    """Keyword arguments for reportlab's document template: the Info dictionary."""
    return {
        "title": front.title_text,
        "author": "; ".join(creator_names(front)),
        "subject": front.journal_line,
        "keywords": front.keywords_text,
        "creator": CREATOR,
        "producer": f"{CREATOR} (reportlab)",
        "lang": front.lang,
    }


def creator_names(front: FrontMatter) -> list[str]:
    """Authors' names for dc:creator: the title-block names without the display-only honorific."""
    return [a.catalogue_name for a in front.authors]


def attach_xmp(canvas: Any, resolved: ResolvedArticle, front: FrontMatter, epoch: int) -> None:
    """Put the XMP packet in the catalog's /Metadata stream."""
    packet = xmp_packet(resolved, front, epoch)
    data = packet.encode("utf-8")
    canvas._doc.Catalog.Metadata = XMP(creator=lambda _doc: data)


def xmp_packet(resolved: ResolvedArticle, front: FrontMatter, epoch: int) -> str:
    """The XMP packet: every user string escaped."""
    journal = resolved.metadata.journal
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    identity = front.doi_url or front.url or front.title_text
    document_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{_package}:{identity}")

    def simple(tag: str, value: str) -> str:
        return f"<{tag}>{escape(value, quote=False)}</{tag}>" if value else ""

    def alt(tag: str, value: str) -> str:
        if not value:
            return ""
        text = escape(value, quote=False)
        return f'<{tag}><rdf:Alt><rdf:li xml:lang="x-default">{text}</rdf:li></rdf:Alt></{tag}>'

    def seq(tag: str, values: list[str], kind: str = "Seq") -> str:
        if not values:
            return ""
        items = "".join(f"<rdf:li>{escape(v, quote=False)}</rdf:li>" for v in values)
        return f"<{tag}><rdf:{kind}>{items}</rdf:{kind}></{tag}>"

    rights = front.license + (f" ({front.license_url})" if front.license_url else "")
    abstract = front.abstract_text
    fields = [
        '<rdf:Description rdf:about=""',
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
        ' xmlns:prism="http://prismstandard.org/namespaces/basic/3.0/"',
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
        ' xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"',
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
        simple("dc:format", "application/pdf"),
        alt("dc:title", front.title_text),
        seq("dc:creator", creator_names(front)),
        alt("dc:description", abstract),
        seq("dc:subject", list(front.keywords), "Bag"),
        alt("dc:rights", rights),
        seq("dc:date", [front.published_iso] if front.published_iso else []),
        seq("dc:language", [front.lang] if front.lang else [], "Bag"),
        simple("dc:identifier", front.doi_url or front.url),
        simple("prism:doi", resolved.metadata.doi),
        simple("prism:url", front.doi_url or front.url),
        simple("prism:publicationName", journal.title),
        simple("prism:issn", journal.issn),
        simple("prism:eIssn", journal.eissn),
        simple("prism:volume", journal.volume),
        simple("prism:number", journal.issue),
        simple("prism:pageRange", journal.pages),
        simple("prism:publicationDate", front.published_iso),
        simple("xmp:CreateDate", stamp),
        simple("xmp:ModifyDate", stamp),
        simple("xmp:MetadataDate", stamp),
        simple("xmp:CreatorTool", CREATOR),
        simple("xmpMM:DocumentID", f"uuid:{document_id}"),
        simple("xmpMM:InstanceID", f"uuid:{document_id}"),
        simple("pdf:Producer", f"{CREATOR} (reportlab)"),
        simple("pdf:Keywords", front.keywords_text),
        "</rdf:Description>",
    ]
    body = "\n".join(f for f in fields if f)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f"{body}\n</rdf:RDF>\n</x:xmpmeta>\n"
        + (" " * 100 + "\n") * 20
        + '<?xpacket end="w"?>'
    )
