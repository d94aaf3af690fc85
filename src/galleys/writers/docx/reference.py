"""The DOCX reference document: generated in code (styles, fonts, margins, page-number footer),
or a journal's own Word template with the styles galleys needs added where it lacks them."""

from __future__ import annotations

import functools
import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from lxml import etree

from galleys import pandoc
from galleys.errors import SourceError, UsageError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = f'xmlns:w="{W}" xmlns:r="{R}"'
_FOOTER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_FOOTER_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
FOOTER_PART = "word/footer1.xml"
FOOTER_REL_ID = "rIdGalleysFooter"

SERIF = "Times New Roman"  # LibreOffice draws these with the metric-compatible Liberation fonts
SANS = "Arial"
MONO = "Courier New"

# Page size and margins in twentieths of a point: (width, height, margin).
PAGES = {"a4": (11906, 16838, 1418), "letter": (12240, 15840, 1440)}

# The paragraph styles the front matter uses, by display name: what an editor restyles in Word.
FRONT_STYLES = (
    "Title", "Subtitle", "Author", "Affiliation", "Author Note", "Journal Line", "Issue Title",
    "Published", "DOI", "URL",
    "Licence", "Abstract Title", "Abstract", "Keywords", "How to Cite Title", "How to Cite",
)
LABEL_STYLE = "Front Matter Label"  # character style of "Published:", "DOI:", …

_INDENT = '<w:ind w:left="567" w:right="567"/>'


def _fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _spacing(before: int, after: int) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}"/>'


_BLACK = '<w:color w:val="000000"/>'
_CENTER = '<w:jc w:val="center"/>'
_KEEP = "<w:keepNext/>"

# style id -> (type, display name, based on, pPr content, rPr content); the children of pPr
# and rPr must keep the order of the OOXML schema, which Word (unlike LibreOffice) enforces.
_STYLES: dict[str, tuple[str, str, str, str, str]] = {
    "BodyText": ("paragraph", "Body Text", "Normal", _spacing(0, 120), ""),
    "FirstParagraph": ("paragraph", "First Paragraph", "BodyText", "", ""),
    "Compact": ("paragraph", "Compact", "BodyText", _spacing(36, 36), ""),
    "Title": ("paragraph", "Title", "Normal", _KEEP + _spacing(0, 120) + _CENTER,
              _fonts(SANS) + "<w:b/><w:bCs/>" + _BLACK + _size(36)),
    "Subtitle": ("paragraph", "Subtitle", "Title", _KEEP + _spacing(0, 240) + _CENTER,
                 "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>" + _size(28)),
    "Author": ("paragraph", "Author", "Normal", _KEEP + _spacing(60, 0) + _CENTER, _size(24)),
    "Affiliation": ("paragraph", "Affiliation", "Normal", _KEEP + _spacing(0, 0) + _CENTER,
                    "<w:i/><w:iCs/>" + _size(20)),
    "AuthorNote": ("paragraph", "Author Note", "Normal", _KEEP + _spacing(0, 0) + _CENTER,
                   _size(18)),
    "JournalLine": ("paragraph", "Journal Line", "Normal", _KEEP + _spacing(240, 0) + _CENTER,
                    _size(20)),
    "IssueTitle": ("paragraph", "Issue Title", "Normal", _KEEP + _spacing(0, 0) + _CENTER,
                   "<w:i/><w:iCs/>" + _size(20)),
    "Published": ("paragraph", "Published", "Normal", _KEEP + _spacing(0, 0) + _CENTER, _size(18)),
    "DOI": ("paragraph", "DOI", "Normal", _KEEP + _spacing(0, 0) + _CENTER, _size(18)),
    "URL": ("paragraph", "URL", "Normal", _KEEP + _spacing(0, 0) + _CENTER, _size(18)),
    "Licence": ("paragraph", "Licence", "Normal", _KEEP + _spacing(0, 0) + _CENTER, _size(18)),
    "AbstractTitle": ("paragraph", "Abstract Title", "Normal", _KEEP + _spacing(360, 60) + _INDENT,
                      _fonts(SANS) + "<w:b/><w:bCs/>" + _size(20)),
    "Abstract": ("paragraph", "Abstract", "Normal",
                 _spacing(0, 100) + _INDENT + '<w:jc w:val="both"/>', _size(20)),
    "Keywords": ("paragraph", "Keywords", "Normal", _spacing(60, 0) + _INDENT, _size(20)),
    "HowtoCiteTitle": ("paragraph", "How to Cite Title", "Normal",
                       _KEEP + _spacing(240, 40) + _INDENT, _fonts(SANS) + "<w:b/><w:bCs/>"
                       + _size(18)),
    "HowtoCite": ("paragraph", "How to Cite", "Normal",
                  '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="12" w:color="808080"/>'
                  "</w:pBdr>" + _spacing(0, 480) + _INDENT,
                  _size(18)),
    "FrontMatterLabel": ("character", LABEL_STYLE, "DefaultParagraphFont", "",
                         "<w:b/><w:bCs/>"),
    "Heading1": ("paragraph", "heading 1", "Normal",
                 _KEEP + _spacing(360, 120) + '<w:outlineLvl w:val="0"/>',
                 _fonts(SANS) + "<w:b/><w:bCs/>" + _BLACK + _size(28)),
    "Heading2": ("paragraph", "heading 2", "Normal",
                 _KEEP + _spacing(240, 80) + '<w:outlineLvl w:val="1"/>',
                 _fonts(SANS) + "<w:b/><w:bCs/>" + _BLACK + _size(24)),
    "Heading3": ("paragraph", "heading 3", "Normal",
                 _KEEP + _spacing(200, 60) + '<w:outlineLvl w:val="2"/>',
                 _fonts(SANS) + "<w:b/><w:bCs/><w:i/><w:iCs/>" + _BLACK + _size(22)),
    **{
        f"Heading{n}": ("paragraph", f"heading {n}", "Normal",
                        _KEEP + _spacing(160, 40) + f'<w:outlineLvl w:val="{n - 1}"/>',
                        _fonts(SANS) + "<w:i/><w:iCs/>" + _BLACK + _size(22))
        for n in range(4, 10)
    },
    "BlockText": ("paragraph", "Block Text", "BodyText", _spacing(60, 120) + _INDENT, _size(20)),
    "FootnoteText": ("paragraph", "Footnote Text", "Normal", _spacing(0, 60), _size(18)),
    "Bibliography": ("paragraph", "Bibliography", "Normal",
                     _spacing(0, 120) + '<w:ind w:left="567" w:hanging="567"/>', ""),
    "Caption": ("paragraph", "Caption", "Normal", _spacing(60, 240), "<w:i/><w:iCs/>" + _size(20)),
    "TableCaption": ("paragraph", "Table Caption", "Caption", _KEEP + _spacing(120, 60), ""),
    "ImageCaption": ("paragraph", "Image Caption", "Caption", _CENTER, ""),
    "CaptionedFigure": ("paragraph", "Captioned Figure", "Normal",
                        _KEEP + _spacing(120, 0) + _CENTER, ""),
    "Figure": ("paragraph", "Figure", "Normal", _spacing(120, 120) + _CENTER, ""),
    "FigurePlaceholder": ("paragraph", "Figure Placeholder", "Normal",
                          '<w:pBdr><w:top w:val="single" w:sz="6" w:space="4" w:color="808080"/>'
                          '<w:left w:val="single" w:sz="6" w:space="4" w:color="808080"/>'
                          '<w:bottom w:val="single" w:sz="6" w:space="4" w:color="808080"/>'
                          '<w:right w:val="single" w:sz="6" w:space="4" w:color="808080"/>'
                          "</w:pBdr>" + _spacing(120, 120) + _INDENT, _size(20)),
    "Callout": ("paragraph", "Callout", "BodyText",  # one frame: Word joins equal borders
                '<w:pBdr><w:top w:val="single" w:sz="6" w:space="4" w:color="808080"/>'
                '<w:left w:val="single" w:sz="6" w:space="4" w:color="808080"/>'
                '<w:bottom w:val="single" w:sz="6" w:space="4" w:color="808080"/>'
                '<w:right w:val="single" w:sz="6" w:space="4" w:color="808080"/></w:pBdr>'
                '<w:shd w:val="clear" w:color="auto" w:fill="F2F5FA"/>' + _INDENT, ""),
    "NumberedEquation": ("paragraph", "Numbered Equation", "BodyText",  # tabs: docx.package
                         _spacing(120, 120), ""),
    "SourceCode": ("paragraph", "Source Code", "Normal",
                   '<w:shd w:val="clear" w:color="auto" w:fill="F4F4F4"/>' + _spacing(0, 0),
                   _fonts(MONO) + _size(18)),
    "VerbatimChar": ("character", "Verbatim Char", "DefaultParagraphFont", "",
                     _fonts(MONO) + _size(20)),
    "Footer": ("paragraph", "footer", "Normal", _spacing(0, 0) + _CENTER, _size(18)),
}


# A booktabs-like table: rules above and below the table and under the header row.
_TABLE_STYLE = (
    f'<w:style {_NS} w:type="table" w:default="1" w:styleId="Table"><w:name w:val="Table"/>'
    '<w:basedOn w:val="TableNormal"/><w:qFormat/><w:pPr><w:spacing w:before="40" w:after="40"/>'
    '</w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr><w:tblPr>'
    '<w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>'
    '<w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
    '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/></w:tblBorders>'
    '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
    '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr><w:tcPr><w:tcBorders>'
    '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tcBorders>'
    '<w:vAlign w:val="bottom"/></w:tcPr></w:tblStylePr></w:style>'
)


@functools.cache
def reference_docx(paper: str) -> bytes:
    """The reference document for `paper` (a4 or letter), built once per process."""
    if paper not in PAGES:
        raise UsageError(f"unknown paper size {paper!r} (known: {', '.join(PAGES)})")
    base = pandoc.run(["--print-default-data-file", "reference.docx"]).output
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/styles.xml"] = _styles(parts["word/styles.xml"])
    parts["word/document.xml"] = _document(paper).encode("utf-8")
    parts[FOOTER_PART] = footer_xml("", paper).encode("utf-8")
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    footer_rel = f'<Relationship Type="{_FOOTER_TYPE}" Id="{FOOTER_REL_ID}" Target="footer1.xml"/>'
    parts["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>", footer_rel + "</Relationships>").encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    override = f'<Override PartName="/{FOOTER_PART}" ContentType="{_FOOTER_MEDIA}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                             zipfile.ZIP_DEFLATED)
    return out.getvalue()


def footer_xml(text: str, paper: str) -> str:
    """A footer: `text` (already XML-escaped) on the left and the page number on the right, or
    the page number centred when there is no text."""
    lead = ""
    if text:
        width, _height, margin = PAGES[paper]
        lead = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r><w:r><w:tab/></w:r>'
        tabs = f'<w:tabs><w:tab w:val="right" w:pos="{width - 2 * margin}"/></w:tabs>'
        tabs += '<w:jc w:val="left"/>'
    else:
        tabs = ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr {_NS}><w:p><w:pPr>'
        f'<w:pStyle w:val="Footer"/>{tabs}</w:pPr>{lead}'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:ftr>'
    )


def _document(paper: str) -> str:
    width, height, margin = PAGES[paper]
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {_NS}><w:body>'
        '<w:p/><w:sectPr>'
        f'<w:footerReference w:type="default" r:id="{FOOTER_REL_ID}"/>'
        '<w:footnotePr><w:numRestart w:val="eachSect"/></w:footnotePr>'
        f'<w:pgSz w:w="{width}" w:h="{height}"/>'
        f'<w:pgMar w:top="{margin}" w:right="{margin}" w:bottom="{margin}" w:left="{margin}" '
        'w:header="709" w:footer="709" w:gutter="0"/>'
        "</w:sectPr></w:body></w:document>"
    )


def _styles(data: bytes) -> bytes:
    ET.register_namespace("w", W)
    ET.register_namespace("r", R)
    root = ET.fromstring(data)
    defaults = root.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr")
    if defaults is None:
        raise RuntimeError("pandoc's reference.docx has no default run properties")
    for child in list(defaults):
        if child.tag in (f"{{{W}}}rFonts", f"{{{W}}}sz", f"{{{W}}}szCs"):
            defaults.remove(child)
    for index, element in enumerate(ET.fromstring(f"<x {_NS}>{_fonts(SERIF)}{_size(22)}</x>")):
        defaults.insert(index, element)
    for style in list(root.findall(f"{{{W}}}style")):
        if style.get(f"{{{W}}}styleId") in (*_STYLES, "Table"):
            root.remove(style)
    for style_id in _STYLES:
        root.append(ET.fromstring(_style_xml(style_id)))
    root.append(ET.fromstring(_TABLE_STYLE))
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _style_xml(style_id: str) -> str:
    """One of galleys' styles as a w:style element."""
    kind, name, based, ppr, rpr = _STYLES[style_id]
    custom = ' w:customStyle="1"' if name[0].isupper() and style_id not in _BUILTIN else ""
    return (
        f'<w:style {_NS} w:type="{kind}"{custom} w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="{based}"/><w:qFormat/>'
        + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "")
        + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
        + "</w:style>"
    )


def journal_reference_docx(path: Path) -> tuple[bytes, tuple[str, ...]]:
    """The journal's Word template at `path` as the reference document: its styles, page
    set-up, headers and footers kept; each style galleys uses that it lacks (by id or by name)
    added as galleys makes it, and none of its own replaced. Returns the document and the
    names of the styles added."""
    from galleys.importers.docx_safety import parse_xml, read_package, repack

    parts = read_package(path)  # a DTD, an entity, ../ names, a zip bomb: refused
    if "word/styles.xml" not in parts:
        raise SourceError("not a Word template: it has no word/styles.xml", path=path)
    root = parse_xml(parts["word/styles.xml"], "word/styles.xml", path)
    ids = {style.get(f"{{{W}}}styleId") for style in root.iter(f"{{{W}}}style")}
    names = {(name.get(f"{{{W}}}val") or "").lower()
             for name in root.iter(f"{{{W}}}name")}
    wanted = [(style_id, _STYLES[style_id][1], _style_xml(style_id)) for style_id in _STYLES]
    added = []
    for style_id, name, xml in [*wanted, ("Table", "Table", _TABLE_STYLE)]:
        if style_id not in ids and name.lower() not in names:
            root.append(etree.fromstring(xml))
            added.append(name)
    parts["word/styles.xml"] = etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                                              standalone=True)
    return repack(parts), tuple(added)


# Styles Word knows by these names: they must not be flagged as custom.
_BUILTIN = {"BodyText", "Title", "Subtitle", "BlockText", "FootnoteText", "Bibliography",
            "Caption", "Footer"}
