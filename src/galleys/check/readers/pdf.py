"""The PDF edition read back: the title block on page 1 by the size of its lines, the Info
dictionary and the XMP packet, and the text of the pages after the title block as the body."""

from __future__ import annotations

import ctypes
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from galleys.check.compare import letters
from galleys.check.readers.text import INVISIBLE, local, parse_xml
from galleys.check.slots import Reading, register
from galleys.front.frontmatter import FrontMatter
from galleys.scripts import has_rtl

# The front-matter paragraph styles of writers/pdf/styles.py: font size -> leading (points).
# The title block is read by these sizes in this order; tests/check compare them with the
# writer's styles. 8.5 is both the small lines (ORCID, affiliations, notes) and the article
# information (journal line, DOI …), 9.5 both the abstract's label and its paragraphs.
TITLE, SUBTITLE, AUTHORS, SMALL, ABSTRACT, CITE = 20.0, 14.0, 11.0, 8.5, 9.5, 9.0
NOTE = 8.0  # the author notes at the foot of page 1 (above its footnotes)
FOOTNOTE = 9.0  # the footnotes of the body
LEADING = {TITLE: 24.0, SUBTITLE: 18.0, AUTHORS: 15.0, SMALL: 11.5, ABSTRACT: 13.0, CITE: 12.0,
           NOTE: 10.0}
AUTHORS_COMPACT, COMPACT_AUTHORS = 10.0, 20  # 20 authors or more: smaller, affiliations as one
FURNITURE = 7.5  # running header and footer
MARGIN = 60.0  # furniture lies within this distance of the page's top or bottom edge
SOFT_HYPHEN = "\u00ad"  # a word hyphenated at a line end (normalize() drops it)
HYPHENS = ("-", "\u2010", SOFT_HYPHEN)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_XMP_FIELDS = {"title": "title", "creator": "authors", "subject": "keywords",
               "description": "abstract", "doi": "doi"}


@dataclass
class _Line:
    """One printed line: its baseline, its main font size, and its parts (text, is a marker)."""

    page: int
    baseline: float
    top: float
    size: float
    parts: list[tuple[str, bool]] = field(default_factory=list)

    def text(self, markers: bool = True) -> str:
        return "".join(t for t, marker in self.parts if markers or not marker).strip()


@dataclass
class _Paragraph:
    size: float
    lines: list[_Line]

    def text(self, markers: bool = True) -> str:
        """The lines joined: a line ending in a hyphen joins the next without a space."""
        out = ""
        for line in self.lines:
            text = line.text(markers)
            out += text if not out or out.endswith(HYPHENS) else " " + text
        return out

    @property
    def parts(self) -> list[tuple[str, bool]]:
        out: list[tuple[str, bool]] = []
        for number, line in enumerate(self.lines):
            if number:
                out.append((" ", False))
            out += line.parts
        return out


@dataclass
class _Segment:
    """A run of characters of one size and baseline, in content order."""

    baseline: float
    size: float
    math: bool  # set in a math face: a formula's glyphs, whatever their size
    x: float
    chars: list[str] = field(default_factory=list)
    xs: list[float] = field(default_factory=list)  # each character's origin (a space: the last)

    @property
    def last_x(self) -> float:
        """The origin of its last character."""
        return self.xs[-1]

    def cut(self, x: float) -> list[_Segment]:
        """The segment in two where a formula drawn at `x` stands between its characters
        (the text runs on around the formula's box in one run), else itself."""
        at = next((i for i, origin in enumerate(self.xs) if origin > x), len(self.xs))
        if at in (0, len(self.xs)):
            return [self]
        head = _Segment(self.baseline, self.size, self.math, self.x, self.chars[:at],
                        self.xs[:at])
        tail = _Segment(self.baseline, self.size, self.math, self.xs[at], self.chars[at:],
                        self.xs[at:])
        return [head, tail]


def _font_name(raw: Any, textpage: Any, index: int) -> str:
    buffer = ctypes.create_string_buffer(128)
    length = raw.FPDFText_GetFontInfo(textpage, index, buffer, 128, None)
    return buffer.raw[:max(length - 1, 0)].decode("utf-8", "replace")


def _segments(textpage: Any, mapped: dict[str, set[str]]) -> list[_Segment]:
    """`mapped`: per font, every character its ToUnicode map gives; another character from it
    is pdfium's guess for a glyph the map gives no text (a mark or a vowel part whose letters
    go with the cluster's first glyph): pdfium reads an empty entry as none and decodes the
    code in the font's built-in encoding ("è"), where pypdf and pdftotext read nothing."""
    import pypdfium2.raw as raw

    segments: list[_Segment] = []
    x, y = ctypes.c_double(), ctypes.c_double()
    high = 0
    for index in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage, index)
        if 0xD800 <= code < 0xDC00:  # pdfium gives a character beyond U+FFFF in two halves
            high = code
            continue
        if 0xDC00 <= code < 0xE000 and high:
            code, high = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00), 0
        char = chr(code) if code else ""
        if raw.FPDFText_IsGenerated(textpage, index):
            if char == " " and segments:
                segments[-1].chars.append(" ")
                segments[-1].xs.append(segments[-1].last_x)
            continue
        if char == "\x02":  # pdfium's mark for a hyphen that ends a line
            char = SOFT_HYPHEN
        if (char in ("\r", "\n", "") or (ord(char) in INVISIBLE and char != SOFT_HYPHEN)
                or unicodedata.category(char) == "Cc"):
            continue  # line ends pdfium makes up, bidi marks the writer adds around a name
        if mapped and char != SOFT_HYPHEN and char not in mapped.get(
                _font_name(raw, textpage, index), (char,)):
            continue
        size = round(raw.FPDFText_GetFontSize(textpage, index), 2)
        raw.FPDFText_GetCharOrigin(textpage, index, x, y)
        baseline = round(y.value, 1)
        last = segments[-1] if segments else None
        # a gap of several ems inside one run is where something else was drawn (an inline
        # formula): the run is cut there, so the line's pieces can be put in order by x
        if (last is not None and last.baseline == baseline and last.size == size
                and x.value - last.last_x < _GAP_EMS * size):
            last.chars.append(char)
            last.xs.append(x.value)
        else:
            math = "Math" in _font_name(raw, textpage, index)
            segments.append(_Segment(baseline, size, math, x.value, [char], [x.value]))
    return segments


_REACH = 4  # how many lines back a segment may join
_GAP_EMS = 3.0  # a wider gap between two characters' origins cuts a run


def _formulas_joined(groups: list[list[_Segment]]) -> list[list[_Segment]]:
    """A line of formula glyphs only (a subscript drawn apart from its formula) joins the
    nearby line of text it sits on."""
    kept: list[list[_Segment]] = []
    for index, group in enumerate(groups):
        if all(s.math for s in group):
            near = groups[max(0, index - _REACH):index] + groups[index + 1:index + 1 + _REACH]
            host = next((g for g in near if not all(s.math for s in g)
                         and all(_within(s, g) for s in group)), None)
            if host is not None:
                host.extend(group)
                continue
        kept.append(group)
    return kept


def _within(segment: _Segment, group: list[_Segment]) -> bool:
    """Whether a formula's glyphs stand inside the band of the line of `group`, its
    descenders included (where a subscript sits)."""
    base = max(group, key=lambda s: (not s.math, s.size))
    low, high = segment.baseline, segment.baseline + segment.size * 0.7
    return min(high, base.baseline + base.size * 0.7) > max(low, base.baseline - base.size * 0.4)


def _overlaps(segment: _Segment, group: list[_Segment]) -> bool:
    """Whether `segment` sits on the line of `group` (their heights overlap enough)."""
    base = max(group, key=lambda s: (not s.math, s.size))
    low, high = segment.baseline, segment.baseline + segment.size * 0.7
    top = base.baseline + base.size * 0.7
    return min(high, top) - max(low, base.baseline) > 0.2 * min(segment.size, base.size)


_BFCHAR = re.compile(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]*)>")


def _mapped(data: bytes) -> dict[str, set[str]]:
    """Per font name (subset prefix dropped), the characters its ToUnicode maps give, for the
    fonts whose map is all single entries (bfchar) with at least one empty one."""
    from pypdf import PdfReader

    out: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            cmap = font.get("/ToUnicode")
            if cmap is None:
                continue
            text = cmap.get_object().get_data()
            targets = _BFCHAR.findall(text)
            if b"beginbfrange" in text or b"" not in targets:
                continue
            name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
            chars = out.setdefault(name, set())
            for target in targets:
                chars.update(bytes.fromhex(target.decode()).decode("utf-16-be", "replace"))
    return out


def _chars(page: object, number: int, mapped: dict[str, set[str]]) -> list[_Line]:
    """The page's lines, from pdfium's characters: a segment whose height overlaps a line's
    joins it (a raised marker or a formula stays on its line), a line's segments are put in
    order left to right, and its size is that of most of its text outside formulas."""
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    groups: list[list[_Segment]] = []
    for segment in _segments(textpage, mapped):
        # the line it overlaps, among the last few: a formula drawn before its line's text
        # (or a subscript after it) may stand apart from the segment just before it
        reach = _REACH if segment.math else 1  # text keeps its content order (table cells)
        group = next((g for g in reversed(groups[-reach:]) if _overlaps(segment, g)), None)
        if group is not None:
            group.append(segment)
        else:
            groups.append([segment])
    textpage.close()
    groups = _formulas_joined(groups)
    lines = []
    for group in groups:
        votes: dict[float, int] = {}
        for segment in group:
            if not segment.math:
                votes[segment.size] = votes.get(segment.size, 0) + len(segment.chars)
        size = max(votes, key=lambda k: votes[k]) if votes else max(s.size for s in group)
        main = next((s for s in group if s.size == size), group[0])
        rtl = any(has_rtl("".join(s.chars)) for s in group)  # its runs stay in content order
        parts = [("".join(s.chars), s.size < size * 0.9)
                 for s in (group if rtl else _in_order(group))]
        lines.append(_Line(number, main.baseline, main.baseline + size * 0.7, size, parts))
    return lines


def _in_order(group: list[_Segment]) -> list[_Segment]:
    """A left-to-right line's segments by x, each text run cut where a formula stands inside
    it ("Squares x² and roots": the text is one run around the formula's box)."""
    formulas = [s for s in group if s.math]
    pieces = list(formulas)
    for segment in group:
        if segment.math:
            continue
        cut = [segment]
        for formula in formulas:
            cut = [part for piece in cut for part in piece.cut(formula.x)]
        pieces += cut
    return sorted(pieces, key=lambda s: s.x)


def _paragraphs(lines: list[_Line]) -> list[_Paragraph]:
    """Lines of one size set at that size's leading are one paragraph; a wider gap, another
    size or another page starts the next."""
    out: list[_Paragraph] = []
    for line in lines:
        last = out[-1].lines[-1] if out else None
        if (last is not None and out[-1].size == line.size and last.page == line.page
                and last.baseline - line.baseline <= LEADING.get(line.size, line.size * 1.2)
                + 0.6):
            out[-1].lines.append(line)
        else:
            out.append(_Paragraph(line.size, [line]))
    return out


def _split_names(parts: list[tuple[str, bool]], expected: list[str]) -> list[str]:
    """The authors' line cut into names: at each marker and each ", ". A name that itself has
    a comma ("Smith, Jr.") is put back together where the source's name says so."""
    text = "".join("\x00" if marker else t for t, marker in parts)
    pieces = [p.strip() for p in re.split(r"\x00+|, ", text) if p.strip(" ,")]
    pieces = [p.strip(" ,") for p in pieces]
    names: list[str] = []
    index = 0
    for name in expected:
        if index >= len(pieces):
            break
        taken = pieces[index]
        index += 1
        while taken != name and name.startswith(taken + ",") and index < len(pieces):
            taken += ", " + pieces[index]
            index += 1
        names.append(taken)
    names += pieces[index:]
    return names


def _run_together(parts: list[tuple[str, bool]]) -> list[str]:
    """The affiliations of one paragraph ("1 Univ A; 2 Univ B"): cut at each marker."""
    text = "".join("\x00" if marker else t for t, marker in parts)
    pieces = [p.strip().removesuffix(";").strip() for p in re.split(r"\x00+", text)]
    return [p for p in pieces if p]


def _rtl_names(text: str, expected: list[str]) -> list[str]:
    """The names of a right-to-left authors line, whose runs come back in visual order (no
    comma between them to cut at): each source name whose letters the line holds, else the
    line itself."""
    have = Counter(letters(text))
    found = []
    for name in expected:
        want = Counter(letters(name))
        found.append(name if want <= have else text)
        if want <= have:
            have -= want
    return found


def _page_notes(reading: Reading, paragraphs: list[_Paragraph], front: FrontMatter
                ) -> list[_Paragraph]:
    """The author notes at the foot of page 1 read (each a paragraph in their own size, the
    last of page 1 but for the footnotes of the body below them); the other paragraphs
    returned."""
    if not front.author_notes:
        return paragraphs
    first = [p for p in paragraphs if p.lines[0].page == 0]
    end = len(first)
    while end and first[end - 1].size == FOOTNOTE:
        end -= 1
    start = end
    while start and first[start - 1].size == NOTE:
        start -= 1
    notes = [p for p in first[start:end] if len(p.text()) > 3]
    for note in notes:
        plain = note.text(markers=False)
        reading.add("author note", "page 1, 8 pt note at the foot", plain)
        for email in _EMAIL.findall(plain):
            reading.add("email", "page 1, 8 pt note at the foot", email)
    return [p for p in paragraphs if p not in notes]


def _title_block(reading: Reading, paragraphs: list[_Paragraph], front: FrontMatter,
                 notes_at_foot: bool = False) -> int:
    """Read the title block's paragraphs into their kinds; the number of paragraphs it took.
    With `notes_at_foot`, the author notes were read at the foot of page 1 instead."""
    labels = front.labels
    kinds = [f.kind for f in front.fields()]
    # ORCID iDs are lines of their own only in PDFs made before they became marks by the names
    lines = any(p.text().startswith(f"{labels.orcid} (") for p in paragraphs if p.size == SMALL)
    orcids = kinds.count("orcid") if lines else 0
    small_count = orcids + kinds.count("affiliation") + (
        0 if notes_at_foot else kinds.count("author note"))
    affiliations = kinds.count("affiliation")
    compact = kinds.count("author") >= COMPACT_AUTHORS  # affiliations run together in one
    if compact and affiliations:
        small_count -= affiliations - 1
        affiliations = 1
    authors_size = AUTHORS_COMPACT if compact else AUTHORS
    index, small_seen, plain_meta = 0, 0, 0
    stage = 0
    order = [TITLE, SUBTITLE, authors_size, SMALL, ABSTRACT, CITE]
    title: list[str] = []
    abstract: list[str] = []
    cite: list[str] = []
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        if paragraph.size < SMALL and len(paragraph.text()) <= 3:
            index += 1  # a raised marker a right-to-left line left on a line of its own
            continue
        if paragraph.size not in order[stage:]:
            break
        stage = order.index(paragraph.size)
        text = paragraph.text()
        if paragraph.size == TITLE:
            title.append(text)
        elif paragraph.size == SUBTITLE:
            reading.add("subtitle", "page 1, 14 pt line", text)
        elif paragraph.size == authors_size:
            expected = [f.value for f in front.fields() if f.kind == "author"]
            names = (_rtl_names(text, expected) if has_rtl(text)
                     else _split_names(paragraph.parts, expected))
            for name in names:
                reading.add("author", "page 1, 11 pt authors line", name)
        elif paragraph.size == SMALL and small_seen < small_count:
            small_seen += 1
            plain = paragraph.text(markers=False)
            if text.startswith(f"{labels.orcid} ("):
                reading.add("orcid", "page 1, 8.5 pt ORCID line", text.rsplit("): ", 1)[-1])
            elif small_seen - orcids <= affiliations and compact:
                for name in _run_together(paragraph.parts):
                    reading.add("affiliation", "page 1, 8.5 pt affiliations paragraph", name)
            elif small_seen - orcids <= affiliations:
                reading.add("affiliation", "page 1, 8.5 pt affiliation line", plain)
            else:
                reading.add("author note", "page 1, 8.5 pt author note", plain)
                for email in _EMAIL.findall(plain):
                    reading.add("email", "page 1, 8.5 pt author note", email)
        elif paragraph.size == SMALL:
            _meta_line(reading, text, front, plain_meta)
            plain_meta += not any(text.startswith(f"{label}:") for label in (
                labels.published, labels.doi, labels.url, labels.license))
        elif paragraph.size == ABSTRACT:
            if text.startswith(f"{labels.keywords}:"):
                reading.add("keywords", "page 1, 9.5 pt keywords line",
                            text.removeprefix(f"{labels.keywords}:").strip())
            elif not (text == labels.abstract and not abstract):
                abstract.append(text)
        elif paragraph.size == CITE and not (text == labels.how_to_cite and not cite):
            cite.append(text)
        index += 1
    if title:
        reading.add("title", "page 1, 20 pt lines", " ".join(title))
    if abstract:
        reading.add("abstract", "page 1, 9.5 pt paragraphs", "\n\n".join(abstract))
    if cite:
        reading.add("how to cite", "page 1, 9 pt box", " ".join(cite))
    return index


def _meta_line(reading: Reading, text: str, front: FrontMatter, plain_seen: int) -> None:
    """One line of the article information: labelled ("DOI: …") or, unlabelled, the journal
    line then the issue title."""
    labels = front.labels
    for label, kind in ((labels.published, "published"), (labels.doi, "doi"),
                        (labels.url, "url"), (labels.license, "licence")):
        if text.startswith(f"{label}:"):
            reading.add(kind, f"page 1, 8.5 pt '{label}:' line",
                        text.removeprefix(f"{label}:").strip())
            return
    unlabelled = [k for k, v in (("journal line", front.journal_line),
                                 ("issue title", front.issue_title)) if v]
    kind = unlabelled[min(plain_seen, len(unlabelled) - 1)] if unlabelled else "journal line"
    reading.add(kind, "page 1, 8.5 pt unlabelled line", text)


def _orcid_links(reading: Reading, reader: Any) -> None:
    """ORCID iDs drawn as a mark beside the name: page 1's links to orcid.org, in reading order
    (top to bottom, left to right)."""
    if not reader.pages:
        return
    links = []
    for annotation in reader.pages[0].get("/Annots") or []:
        annotation = annotation.get_object()
        uri = str((annotation.get("/A") or {}).get("/URI") or "")
        if annotation.get("/Subtype") == "/Link" and "orcid.org/" in uri:
            x0, y0, _x1, y1 = (float(v) for v in annotation["/Rect"])
            links.append((-round(max(y0, y1)), x0, uri))
    for _y, _x, uri in sorted(links):
        reading.add("orcid", "page 1, link of the ORCID mark", uri)


def _catalogue(reading: Reading, data: bytes) -> None:
    """Info and XMP (and the ORCID marks' links, read with the same parser)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if "orcid" not in reading.front:  # not printed as a line: a mark linked to the iD
        _orcid_links(reading, reader)
    reading.holds({"title": ("Info /Title", "XMP dc:title"),
                   "authors": ("Info /Author", "XMP dc:creator"),
                   "keywords": ("Info /Keywords", "XMP dc:subject"),
                   "abstract": ("XMP dc:description",), "doi": ("XMP prism:doi",)})
    info: dict[str, Any] = dict(reader.metadata or {})
    for key, name in (("/Title", "title"), ("/Author", "authors"), ("/Keywords", "keywords")):
        value = info.get(key)
        if value is not None:
            values = str(value).split("; ") if name != "title" else [str(value)]
            for item in values:
                reading.add_catalogue(name, f"Info {key}", item)
    catalog: Any = reader.trailer["/Root"].get_object()
    metadata = catalog.get("/Metadata")
    if metadata is None:
        return
    root = parse_xml(metadata.get_object().get_data())
    for element in root.iter():
        field_name = _XMP_FIELDS.get(local(element.tag))
        if field_name is None or not isinstance(element.tag, str):
            continue
        prefix = "prism" if field_name == "doi" else "dc"
        items = [li for li in element.iter() if local(li.tag) == "li"] or [element]
        for item in items:
            reading.add_catalogue(field_name, f"XMP {prefix}:{local(element.tag)}",
                                  "".join(item.itertext()).strip())


@register("pdf", lambda slug: f"{slug}.pdf")
def read_pdf(data: bytes, front: FrontMatter) -> Reading:
    """The title block from page 1 on (each paragraph by its size, in the writer's order),
    Info and XMP, and the lines after the title block, running header and footer aside."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    mapped = _mapped(data)
    lines: list[_Line] = []
    try:
        for number in range(len(document)):
            page = document[number]
            height = page.get_height()
            lines += [line for line in _chars(page, number, mapped)
                      if not (line.size <= FURNITURE
                              and (line.baseline > height - MARGIN or line.baseline < MARGIN))]
            page.close()
    finally:
        document.close()
    reading = Reading(body_slot="the lines after the title block",
                      visual_order=front.direction == "rtl")
    paragraphs = _paragraphs(lines)
    body = _page_notes(reading, paragraphs, front)
    taken = _title_block(reading, body, front, notes_at_foot=len(body) < len(paragraphs))
    paragraphs = body
    reading.body = "\n".join(line.text() for p in paragraphs[taken:] for line in p.lines)
    _catalogue(reading, data)
    return reading
