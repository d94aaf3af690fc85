"""Post-processes pandoc's DOCX: core and custom properties, footer text, equation tab stops,
deterministic zip."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from html import escape

from galleys.front.frontmatter import FrontMatter
from galleys.model import Metadata
from galleys.writers.docx.body import EQUATION_STYLE
from galleys.writers.docx.reference import FOOTER_PART, FOOTER_REL_ID, footer_xml
from galleys.writers.docx.scripts import script_languages

CORE_PART = "docProps/core.xml"
CUSTOM_PART = "docProps/custom.xml"
DOCUMENT_PART = "word/document.xml"
STYLES_PART = "word/styles.xml"
APP_PART = "docProps/app.xml"
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties'
    ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>galleys</Application><DocSecurity>0</DocSecurity></Properties>"
)
_FIRST = ("[Content_Types].xml", "_rels/.rels")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one user-defined property set
_PAGE = {side: re.compile(rf'<w:{element}\b[^>]*\bw:{side}="(\d+)"')  # the section's
         for element, side in (("pgSz", "w"), ("pgMar", "left"), ("pgMar", "right"),
                               ("pgMar", "gutter"))}
_WORD_PAGE = {"w": 12240, "left": 1440, "right": 1440, "gutter": 0}  # Word's, where none is set


def xml_text(value: str) -> str:
    """`value` escaped for XML text and attributes, without characters XML cannot hold."""
    return escape(_INVALID_XML.sub("", value), quote=False).replace('"', "&quot;")


def core_xml(front: FrontMatter, epoch: int) -> str:
    """docProps/core.xml: title, every author, keywords, journal line, abstract, language, dates."""
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = [
        ("dc:title", front.title_text),
        ("dc:subject", front.journal_line),
        ("dc:creator", "; ".join(a.catalogue_name for a in front.authors)),
        ("cp:keywords", "; ".join(front.keywords)),
        ("dc:description", front.abstract_text),
        ("dc:language", front.lang),
    ]
    body = "".join(f"<{tag}>{xml_text(value)}</{tag}>" for tag, value in fields if value)
    stamp = f'xsi:type="dcterms:W3CDTF">{moment}'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties'
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{body}<dcterms:created {stamp}</dcterms:created>"
        f"<dcterms:modified {stamp}</dcterms:modified></cp:coreProperties>"
    )


def custom_properties(front: FrontMatter, metadata: Metadata) -> list[tuple[str, str]]:
    """(name, value) of the custom properties, empty values left out."""
    journal = metadata.journal
    pairs = [
        ("doi", metadata.doi),
        ("journal", front.journal_title),
        ("volume", journal.volume),
        ("issue", journal.issue),
        ("pages", journal.pages),
        ("url", front.url),
        ("license", front.license),
        ("license-url", front.license_url),
    ]
    return [(name, str(value)) for name, value in pairs if value]


def custom_xml(pairs: list[tuple[str, str]]) -> str:
    """docProps/custom.xml holding `pairs` as text properties."""
    body = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{xml_text(name)}">'
        f"<vt:lpwstr>{xml_text(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(pairs, start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{body}</Properties>"
    )


def finish(
    docx: bytes,
    front: FrontMatter,
    metadata: Metadata,
    epoch: int,
    images: dict[str, str],
    paper: str,
) -> bytes:
    """pandoc's DOCX with our properties, footer and image descriptions, re-packed reproducibly."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[CORE_PART] = core_xml(front, epoch).encode("utf-8")
    parts[CUSTOM_PART] = custom_xml(custom_properties(front, metadata)).encode("utf-8")
    parts[APP_PART] = APP_XML.encode("utf-8")  # pandoc's holds word counts of its sample file
    rels = parts.get("word/_rels/document.xml.rels", b"")
    if FOOTER_PART in parts and FOOTER_REL_ID.encode() in rels:  # a template's footer stays
        parts[FOOTER_PART] = footer_xml(xml_text(front.running_head), paper).encode("utf-8")
    document = parts[DOCUMENT_PART].decode("utf-8")
    for uri, target in images.items():  # pandoc describes a picture by its (huge) source
        document = document.replace(f'descr="{uri}"', f'descr="{xml_text(target)}"')
    document = equation_tabs(document, parts.get(STYLES_PART, b"").decode("utf-8"))
    parts[DOCUMENT_PART] = script_languages(document).encode("utf-8")
    return repack(parts, epoch)


def equation_tabs(document: str, styles: str) -> str:
    """document.xml with a centre tab stop at the middle of the text width and a right one at
    the right margin in each numbered equation's paragraph (body.EQUATION_STYLE: TAB, formula,
    TAB, "(n)"), measured from the page and margins of the body's section."""
    style_id = _style_id(styles, EQUATION_STYLE)
    style = f'<w:pStyle w:val="{style_id}" />'
    if style not in document:
        return document
    section = document[document.rfind("<w:sectPr"):]
    sizes = {side: int(m.group(1)) if (m := pattern.search(section)) else _WORD_PAGE[side]
             for side, pattern in _PAGE.items()}
    width = sizes["w"] - sizes["left"] - sizes["right"] - sizes["gutter"]
    tabs = (f'<w:tabs><w:tab w:val="center" w:pos="{width // 2}" />'
            f'<w:tab w:val="right" w:pos="{width}" /></w:tabs>')
    return document.replace(style, style + tabs)


def _style_id(styles: str, name: str) -> str:
    """The id of the style named `name` in styles.xml (a journal's template may give its own
    id), else the id pandoc makes of the name."""
    for match in re.finditer(r'<w:style\b[^>]*\bw:styleId="([^"]+)"[^>]*>\s*<w:name w:val="'
                             + re.escape(name) + '"', styles):
        return match.group(1)
    return name.replace(" ", "")


def repack(parts: dict[str, bytes], epoch: int) -> bytes:
    """A zip of `parts` with fixed order, times and attributes: same parts, same bytes."""
    moment = dt.datetime.fromtimestamp(max(epoch, 315532800), dt.UTC)
    stamp = (min(moment.year, 2107), moment.month, moment.day, moment.hour, moment.minute,
             moment.second)
    order = [n for n in _FIRST if n in parts] + sorted(n for n in parts if n not in _FIRST)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in order:
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, parts[name], compresslevel=6)
    return out.getvalue()
