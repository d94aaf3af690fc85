"""Hand edits of built editions for the mutation suite: each changes one element in one file.

Each edit finds its element by the file's own structure (a paragraph style, a class, a text
object's size on page 1, a metadata field) and swaps two adjacent letters of its text, so the
file stays valid and its fonts still have every glyph.
"""

from __future__ import annotations

import ctypes
import io
import re
import zipfile
from pathlib import Path

import lxml.html
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "h": "http://www.w3.org/1999/xhtml",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


class NoSuchElement(AssertionError):
    """The edit found nothing to change: the test is wrong, not the check."""


def swap(text: str) -> str:
    """The text with its first two adjacent, different letters swapped ("Every" -> "vEery")."""
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a.isalpha() and b.isalpha() and a != b:
            return text[:i] + b + a + text[i + 2:]
    raise NoSuchElement(f"no two letters to swap in {text!r}")


def _swap_first(nodes: list[tuple[etree._Element, str]]) -> None:
    """Swap letters in the first of `nodes` ((element, "text" or "tail")) that has two."""
    for node, where in nodes:
        text = getattr(node, where) or ""
        if re.search(r"[^\W\d_]{2}", text):
            setattr(node, where, swap(text))
            return
    raise NoSuchElement("no text to change")


def _texts(nodes: list[etree._Element]) -> list[tuple[etree._Element, str]]:
    return [(node, "text") for node in nodes]


def rewrite_zip(path: Path, member: str, edit) -> None:
    """Replace one member of a ZIP by edit(its bytes), every other member as it was."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, edit(data) if info.filename == member else data)
    path.write_bytes(out.getvalue())


def _xml_edit(xpath_edit):
    def edit(data: bytes) -> bytes:
        root = etree.fromstring(data)
        xpath_edit(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return edit


# --- DOCX -----------------------------------------------------------------------------------

DOCX_STYLES = {"title": "Title", "subtitle": "Subtitle", "author": "Author", "orcid": "Author",
               "affiliation": "Affiliation", "author note": "AuthorNote", "email": "AuthorNote",
               "journal line": "JournalLine", "issue title": "IssueTitle",
               "published": "Published", "doi": "DOI", "url": "URL", "licence": "Licence",
               "abstract": "Abstract", "keywords": "Keywords", "how to cite": "HowtoCite"}
DOCX_CORE = {"title": "dc:title", "authors": "dc:creator", "keywords": "cp:keywords",
             "abstract": "dc:description"}


def _docx_text_nodes(paragraph: etree._Element, links: bool) -> list[etree._Element]:
    """The w:t of a paragraph that are its value: not raised markers, not labels; inside a
    hyperlink if `links`, else outside."""
    out = []
    for t in paragraph.iter(f"{{{W}}}t"):
        run = t.getparent()
        props = run.find(f"{{{W}}}rPr")
        if props is not None and (props.find(f"{{{W}}}vertAlign") is not None
                                  or props.find(f"{{{W}}}rStyle[@{{{W}}}val='FrontMatterLabel']")
                                  is not None):
            continue
        if (run.getparent().tag == f"{{{W}}}hyperlink") == links:
            out.append(t)
    return out


def docx_front(path: Path, kind: str, index: int, value: str) -> None:
    def edit(root: etree._Element) -> None:
        style = DOCX_STYLES[kind]
        paragraphs = root.xpath(f"//w:body/w:p[w:pPr/w:pStyle/@w:val='{style}']", namespaces=NS)
        if kind == "orcid":
            links = [t for p in paragraphs for t in _docx_text_nodes(p, True)]
            _swap_first(_texts(links[index:index + 1]))
        elif kind == "email":
            _swap_first(_texts([t for p in paragraphs for t in _docx_text_nodes(p, True)
                                if t.text == value]))
        else:  # the value; a DOI, URL or licence is all link
            paragraph = paragraphs[index]
            links = [] if kind == "author" else _docx_text_nodes(paragraph, True)
            _swap_first(_texts(_docx_text_nodes(paragraph, False) + links))
    rewrite_zip(path, "word/document.xml", _xml_edit(edit))


def docx_catalogue(path: Path, name: str) -> None:
    def edit(root: etree._Element) -> None:
        _swap_first(_texts(root.xpath(f"//{DOCX_CORE[name]}", namespaces=NS)))
    rewrite_zip(path, "docProps/core.xml", _xml_edit(edit))


def docx_delete_paragraph(path: Path, start: str) -> None:
    def edit(root: etree._Element) -> None:
        for p in root.xpath("//w:body/w:p", namespaces=NS):
            if start in "".join(p.itertext()):
                p.getparent().remove(p)
                return
        raise NoSuchElement(start)
    rewrite_zip(path, "word/document.xml", _xml_edit(edit))


# --- EPUB and the landing page: by class -----------------------------------------------------

def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


PAGE_CLASSES = {  # kind -> (EPUB title page XPath, landing page XPath)
    "title": ("//h:h1[@class='title']", "//header/h1"),
    "subtitle": ("//h:p[@class='subtitle']", f"//header/h1/span[{_cls('subtitle')}]"),
    "author": ("//h:ul[@class='authors']//h:span[@class='author']",
               f"//ul[{_cls('authors')}]/li/bdi"),
    "orcid": ("//h:span[@class='orcid']/h:a", f"//ul[{_cls('authors')}]//a[{_cls('orcid')}]"),
    "affiliation": ("//h:span[@class='affiliation']", f"//ul[{_cls('affiliations')}]/li/bdi"),
    "author note": ("//h:p[@class='author-note']", f"//div[{_cls('author-notes')}]/p"),
    "email": ("//h:p[@class='author-note']/h:a", f"//div[{_cls('author-notes')}]/p/a"),
    "journal line": ("//h:p[@class='journal-line']",
                     f"//header/p[{_cls('journal-line')}][not({_cls('issue-title')})]"),
    "issue title": ("//h:p[@class='issue-title']", f"//header/p[{_cls('issue-title')}]"),
    "published": ("//h:p[@class='published']/*[@class='value']", "//dl/dd[time]/time"),
    "doi": ("//h:p[@class='doi']/*[@class='value']", "//dl/dd/a[contains(@href, 'doi.org')]"),
    "url": ("//h:p[@class='url']/*[@class='value']", "//dl/dt[.='URL']/following-sibling::dd[1]/a"),
    "licence": ("//h:p[@class='license']/*[@class='value']",
                "//dl/dt[.='Licence']/following-sibling::dd[1]/a"),
    "abstract": ("//h:section[@class='abstract']/h:p",
                 f"//section[{_cls('abstract')}]/p[not({_cls('keywords')})]"),
    "keywords": ("//h:span[@class='keyword']", f"//p[{_cls('keywords')}]/bdi"),
    "how to cite": ("//h:p[@class='citation']",
                    f"(//section[{_cls('how-to-cite')}]//p[{_cls('citation')}])[1]"),
}
OPF_FIELDS = {"title": "//dc:title[@id='title']", "authors": "//dc:creator",
              "keywords": "//dc:subject", "abstract": "//dc:description",
              "doi": "//dc:identifier"}
LANDING_META = {"title": "DC.title", "full title": "citation_title",
                "authors": "citation_author", "keywords": "DC.subject",
                "abstract": "DC.description", "doi": "citation_doi"}


def _element_text_nodes(elements: list[etree._Element]) -> list[tuple[etree._Element, str]]:
    """The text of the elements and their descendants in reading order, the raised markers
    (sup) aside: (node, "text") or, for what follows a child, (child, "tail")."""
    out: list[tuple[etree._Element, str]] = []

    def walk(node: etree._Element) -> None:
        if node.tag.split("}")[-1] != "sup":
            out.append((node, "text"))
            for child in node:
                if isinstance(child.tag, str):
                    walk(child)
        out.append((node, "tail"))

    for element in elements:
        walk(element)
        out.pop()  # the element's own tail is not its text
    return out


def _epub_member(path: Path, needle: bytes) -> str:
    with zipfile.ZipFile(path) as epub:
        return next(n for n in epub.namelist() if needle in epub.read(n))


def epub_front(path: Path, kind: str, index: int, value: str) -> None:
    def edit(root: etree._Element) -> None:
        found = root.xpath(PAGE_CLASSES[kind][0], namespaces=NS)
        if kind == "email":
            found = [a for a in found if a.text == value]
        elif kind != "abstract":
            found = found[index:index + 1]
        _swap_first(_element_text_nodes(found))
    rewrite_zip(path, _epub_member(path, b'class="titlepage"'), _xml_edit(edit))


def epub_catalogue(path: Path, name: str) -> None:
    def edit(root: etree._Element) -> None:
        found = root.xpath(OPF_FIELDS[name], namespaces=NS)
        if name == "doi":
            found[0].text = found[0].text.replace("10.", "10.9", 1)
        else:
            _swap_first(_texts(found))
    rewrite_zip(path, _epub_member(path, b"<package"), _xml_edit(edit))


def epub_delete_paragraph(path: Path, start: str) -> None:
    """Remove the first body <p> whose text starts with `start`."""
    with zipfile.ZipFile(path) as epub:
        members = [n for n in epub.namelist() if n.endswith(".xhtml")
                   and b'class="titlepage"' not in epub.read(n)]
        member = next(n for n in members if any(
            start in "".join(p.itertext())
            for p in etree.fromstring(epub.read(n)).xpath("//h:p", namespaces=NS)))

    def edit(root: etree._Element) -> None:
        for p in root.xpath("//h:p", namespaces=NS):
            if start in "".join(p.itertext()):
                p.getparent().remove(p)
                return
    rewrite_zip(path, member, _xml_edit(edit))


def _landing_edit(path: Path, edit) -> None:
    document = lxml.html.document_fromstring(path.read_bytes())
    edit(document)
    path.write_bytes(lxml.html.tostring(document, doctype="<!DOCTYPE html>", encoding="utf-8"))


def landing_front(path: Path, kind: str, index: int, value: str) -> None:
    def edit(root: etree._Element) -> None:
        found = root.xpath(PAGE_CLASSES[kind][1])
        if kind == "orcid":
            found[index].set("href", swap(found[index].get("href")))
            return
        if kind == "email":
            found = [a for a in found if a.text == value]
        elif kind != "abstract":
            found = found[index:index + 1]
        _swap_first(_element_text_nodes(found))
    _landing_edit(path, edit)


def landing_catalogue(path: Path, name: str) -> None:
    def edit(root: etree._Element) -> None:
        meta = root.xpath(f"//meta[@name='{LANDING_META[name]}']")[0]
        meta.set("content", swap(meta.get("content")) if name != "doi"
                 else meta.get("content").replace("10.", "10.9", 1))
    _landing_edit(path, edit)


# --- PDF: text objects by size, Info and XMP -------------------------------------------------

PDF_SIZES = {"title": 20.0, "subtitle": 14.0, "author": 11.0, "orcid": 8.5,
             "affiliation": 8.5, "author note": 8.0, "email": 8.0, "journal line": 8.5,
             "issue title": 8.5, "published": 8.5, "doi": 8.5, "url": 8.5, "licence": 8.5,
             "abstract": 9.5, "keywords": 9.5, "how to cite": 9.0, "body": 10.0}


def _pdf_objects(document, pages: range):
    import pypdfium2.raw as raw

    for number in pages:
        page = document[number]
        textpage = page.get_textpage()
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
            size = ctypes.c_float()
            raw.FPDFTextObj_GetFontSize(obj.raw, size)
            length = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = ctypes.create_string_buffer(length)
            raw.FPDFTextObj_GetText(obj.raw, textpage.raw,
                                    ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), length)
            yield page, obj, round(size.value, 2), buffer.raw[:length - 2].decode("utf-16-le")


def _pdf_save(document, path: Path) -> None:
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(out.getvalue())


def pdf_front(path: Path, kind: str, index: int, value: str) -> None:
    """Swap two letters of the first page-1 text object of the element's size whose text is
    part of the element's value (the index-th such object for a repeated kind)."""
    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(path.read_bytes())
    if kind == "orcid" and not any(value in text for *_, text in _pdf_objects(document, range(1))):
        document.close()
        return pdf_link(path, value)  # the iD is a mark linked to it, not a line of text
    for page, obj, size, text in _pdf_objects(document, range(1)):
        piece = text.strip(" ,")
        if size == PDF_SIZES[kind] and re.search(r"[^\W\d_]{2}", piece) and piece in value \
                and not piece.endswith("):"):
            wide = (swap(text) + "\0").encode("utf-16-le")
            assert raw.FPDFText_SetText(obj.raw, ctypes.cast(
                ctypes.c_char_p(wide), ctypes.POINTER(ctypes.c_ushort)))
            assert raw.FPDFPage_GenerateContent(page.raw)
            _pdf_save(document, path)
            return
    raise NoSuchElement(f"no {PDF_SIZES[kind]} pt text object of {value!r}")


def pdf_link(path: Path, uri: str) -> None:
    """Change page 1's link annotation to `uri`."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(path.read_bytes())))
    for annotation in writer.pages[0].get("/Annots") or []:
        action = annotation.get_object().get("/A")
        if action is not None and str(action.get("/URI")) == uri:
            action[NameObject("/URI")] = TextStringObject(swap(uri))
            out = io.BytesIO()
            writer.write(out)
            path.write_bytes(out.getvalue())
            return
    raise NoSuchElement(f"no link to {uri}")


def pdf_delete_paragraph(path: Path, passage: str) -> None:
    """Remove every body-size text object that is a longer piece of `passage`."""
    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(path.read_bytes())
    flat = " ".join(passage.split())
    removed = 0
    for page, obj, size, text in list(_pdf_objects(document, range(len(document)))):
        if size == PDF_SIZES["body"] and len(text.strip()) >= 12 and " ".join(
                text.split()) in flat:
            assert raw.FPDFPage_RemoveObject(page.raw, obj.raw)
            assert raw.FPDFPage_GenerateContent(page.raw)
            removed += 1
    if not removed:
        raise NoSuchElement(passage)
    _pdf_save(document, path)


def pdf_catalogue(path: Path, name: str) -> None:
    """Info's /Title, /Author, /Keywords; the XMP packet's dc:description and prism:doi."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(path.read_bytes())))
    info = {"title": "/Title", "authors": "/Author", "keywords": "/Keywords"}
    if name in info:
        key = NameObject(info[name])
        writer._info.get_object()[key] = TextStringObject(swap(str(writer.metadata[key])))
    else:
        stream = writer._root_object["/Metadata"].get_object()
        packet = stream.get_data().decode("utf-8")
        tag = {"abstract": "rdf:li xml:lang=\"x-default\">", "doi": "<prism:doi>"}[name]
        if name == "abstract":
            start = packet.index("<dc:description>")
            at = packet.index(tag, start) + len(tag)
        else:
            at = packet.index(tag) + len(tag)
        packet = packet[:at] + swap(packet[at:at + 12]) + packet[at + 12:] if name != "doi" \
            else packet[:at] + "10.9" + packet[at + 3:]
        stream.set_data(packet.encode("utf-8"))
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())


def html_delete_paragraph(path: Path, start: str) -> None:
    """Remove the first <p> of the full text's body that holds `start`."""
    def edit(root: etree._Element) -> None:
        for p in root.xpath(f"//*[{_cls('body')}]//p"):
            if start in "".join(p.itertext()):
                p.getparent().remove(p)
                return
        raise NoSuchElement(start)
    _landing_edit(path, edit)


# --- JATS: by element ------------------------------------------------------------------------

JATS_ELEMENTS = {
    "title": "//article-meta/title-group/article-title", "subtitle": "//title-group/subtitle",
    "author": "//contrib-group/contrib/*[self::name or self::collab]",
    "orcid": "//contrib/contrib-id",
    "affiliation": "//article-meta/aff", "author note": "//author-notes/*",
    "email": "//contrib/email", "issue title": "//article-meta/issue-title",
    "doi": "//article-meta/article-id[@pub-id-type='doi']", "licence": "//license-p",
    "abstract": "//article-meta/abstract/p", "keywords": "//kwd-group/kwd",
    "how to cite": "//custom-meta/meta-value",
}
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def jats_front(path: Path, kind: str, index: int, value: str) -> None:
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(load_dtd=False,
                                                               resolve_entities=False))
    if kind == "url":
        uri = root.xpath("//article-meta/self-uri[not(@content-type)]")[0]
        uri.set(XLINK_HREF, swap(uri.get(XLINK_HREF)))
    else:
        found = root.xpath(JATS_ELEMENTS[kind])
        if kind == "email":
            found = [e for e in found if e.text == value]
        elif kind != "abstract":
            found = found[index:index + 1]
        nodes = [(n, w) for n, w in _element_text_nodes(found)
                 if not (isinstance(n.tag, str) and n.tag == "label" and w == "text")]
        _swap_first(nodes)
    path.write_bytes(etree.tostring(root.getroottree(), xml_declaration=True,
                                    encoding="UTF-8"))


def jats_delete_paragraph(path: Path, start: str) -> None:
    """Remove the first <p> of the JATS <body> that holds `start`."""
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(load_dtd=False,
                                                               resolve_entities=False))
    paragraph = next(p for p in root.xpath("//body//p") if start in "".join(p.itertext()))
    paragraph.getparent().remove(paragraph)
    path.write_bytes(etree.tostring(root.getroottree(), xml_declaration=True,
                                    encoding="UTF-8"))


CR = "http://www.crossref.org/schema/5.3.1"
CROSSREF_ELEMENTS = {"title": "//cr:titles/cr:title", "subtitle": "//cr:titles/cr:subtitle",
                     "authors": "//cr:contributors/cr:person_name/cr:surname",
                     "orcid": "//cr:contributors//cr:ORCID", "doi": "//cr:doi_data/cr:doi",
                     "abstract": "//*[local-name()='abstract']/*[local-name()='p']"}


def _crossref_edit(path: Path, name: str) -> None:
    root = etree.fromstring(path.read_bytes())
    found = root.xpath(CROSSREF_ELEMENTS[name], namespaces={"cr": CR})[:1]
    if name == "doi":
        found[0].text = found[0].text.replace("10.", "10.9", 1)
    else:
        _swap_first(_element_text_nodes(found))
    path.write_bytes(etree.tostring(root.getroottree(), xml_declaration=True,
                                    encoding="UTF-8"))


def crossref_front(path: Path, kind: str, index: int, value: str) -> None:
    _crossref_edit(path, kind)


def crossref_catalogue(path: Path, name: str) -> None:
    _crossref_edit(path, name)


FRONT = {"docx": docx_front, "epub": epub_front, "landing": landing_front,
         "html": landing_front, "pdf": pdf_front,  # the full text has the landing's title block
         "jats": jats_front, "crossref": crossref_front}
CATALOGUE = {"docx": docx_catalogue, "epub": epub_catalogue, "landing": landing_catalogue,
             "html": landing_catalogue, "pdf": pdf_catalogue, "crossref": crossref_catalogue}
