"""Recognizes a manuscript's front matter in pandoc's AST of a DOCX (styles or common layouts).

Two ways in, tried in this order: paragraph styles (Title, Subtitle, Author, Affiliation,
Abstract, Keywords … as Word and our own DOCX edition name them), then the plain layout most
manuscripts use: a bold title paragraph, a line of authors with superscript markers,
numbered affiliation lines, "Abstract" and "Keywords" headings or labels. Nothing is guessed
beyond that: what is not recognized stays in the body or is reported missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from galleys.front.inlines import pandoc_text
from galleys.pandoc_ast import (
    Node,
    attr_of,
    content_of,
    div_of,
    header_of,
    inlines_of,
    is_kind,
    kind_of,
    link_of,
    make,
    string,
    with_content,
)
from galleys.read.names import split_honorific

Inlines = list[Node]

# Paragraph style names (lower case, spaces removed) -> the field they hold.
STYLE_FIELDS = {
    "title": "title",
    "subtitle": "subtitle",
    "author": "author",
    "authors": "author",
    "authorname": "author",
    "authornames": "author",
    "affiliation": "affiliation",
    "affiliations": "affiliation",
    "address": "affiliation",
    "journalline": "journal",
    "published": "date",
    "date": "date",
    "doi": "doi",
    "url": "url",
    "licence": "licence",
    "license": "licence",
    "abstracttitle": "skip",
    "abstractheading": "skip",
    "abstract": "abstract",
    "abstracttext": "abstract",
    "keywords": "keywords",
    "keyword": "keywords",
    "howtocitetitle": "skip",
    "howtocite": "cite",
    "authornote": "authornote",
    "issuetitle": "skip",  # the title is journal-wide: journal.yaml's issue-title
}
_ABSTRACT_LABEL = re.compile(r"^\s*(abstract|summary)\s*(?:[:.\u2014\u2013-]\s*|$)", re.I)
_KEYWORDS_LABEL = re.compile(
    r"^\s*(key\s*-?\s*words|index\s+terms)\s*(?:[:.\u2014\u2013-]\s*|$)", re.I
)
_ANY_LABEL = re.compile(r"^\s*[A-Z][A-Za-z ]{0,30}:\s*")
_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_SENTINEL = re.compile("\x01(\\d+)\x02")
_CONTACT = re.compile(r"^\s*[*\u2020\u2021\d]*\s*(corresponding|e-?mail|contact)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")
_MARKER_TEXT = re.compile(r"^\s*(\d{1,2}|[*\u2020\u2021\u00a7])[.)]?\s+(?=\S)")
_SUPERSCRIPT_DIGITS = str.maketrans(
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789"
)
_UNICODE_MARKERS = re.compile("[\u2070\u00b9\u00b2\u00b3\u2074-\u2079,*\u2020\u2021]+$")
_LEADING_UNICODE_MARKER = re.compile("^\\s*([\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+)\\s*")
_AFFILIATION_WORDS = re.compile(
    r"universit|institut|college|school|department|dept\b|centre|center|faculty|laborator|"
    r"hospital|academy|ministry|council|foundation|society|division|program|unit\b|"
    r"corporation|inc\.|ltd|gmbh|museum|library|agency",
    re.IGNORECASE,
)
_SUFFIXES = {"jr.", "jr", "sr.", "sr", "ii", "iii", "iv"}
_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"}
_MAX_FRONT_LINES = 20
_MAX_FRONT_WORDS = 40


@dataclass
class Person:
    """One author as the manuscript prints them, before it becomes front matter."""

    name: str
    honorific: str = ""
    markers: list[str] = field(default_factory=list)
    orcid: str = ""
    email: str = ""
    corresponding: bool = False
    affiliations: list[str] = field(default_factory=list)  # names, unmarked layouts


@dataclass
class Found:
    """What the recognizer found; values are pandoc inlines or plain text, never invented."""

    title: Inlines | None = None
    subtitle: Inlines | None = None
    people: list[Person] = field(default_factory=list)
    marked: dict[str, str] = field(default_factory=dict)  # marker -> affiliation name
    floating: list[str] = field(default_factory=list)  # unmarked, owner unknown yet
    abstract: list[Inlines] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    journal_line: str = ""
    date_text: str = ""
    doi: str = ""
    url: str = ""
    licence: tuple[str, str] | None = None
    body: list[Node] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def recognize(ast: dict[str, Any]) -> Found:
    """Split pandoc's AST of a DOCX (read with +styles) into front-matter fields and body."""
    found = Found()
    _from_meta(ast.get("meta", {}), found)
    rest: list[Node] = []
    for block in ast.get("blocks", []):
        style = _style_of(block)
        kind = STYLE_FIELDS.get(style) if style else None
        if kind is None:
            rest.append(block)
        else:
            for inlines in _paragraphs(div_of(block).blocks):
                _styled(kind, inlines, found)
    start = _plain_layout(rest, found)
    found.body = rest[start:]
    _assign_floating(found)
    return found


# -- styles -------------------------------------------------------------------------------
def _from_meta(meta: dict[str, Any], found: Found) -> None:
    """pandoc moves Title, Subtitle, Author, Date (and Abstract) paragraphs into the meta."""
    for key in ("title", "subtitle", "date"):
        if key in meta:
            _styled(key, _meta_inlines(meta[key]), found)
    author = meta.get("author")
    if author is not None:
        entries = content_of(author) if is_kind(author, "MetaList") else [author]
        for entry in entries:
            _styled("author", _meta_inlines(entry), found)
    abstract = meta.get("abstract")
    if abstract is not None:
        if is_kind(abstract, "MetaBlocks"):
            for inlines in _paragraphs(content_of(abstract)):
                _styled("abstract", inlines, found)
        else:
            _styled("abstract", _meta_inlines(abstract), found)


def _meta_inlines(value: Node) -> Inlines:
    if is_kind(value, "MetaInlines"):
        return content_of(value)
    if is_kind(value, "MetaString"):
        return [string(content_of(value))]
    if is_kind(value, "MetaBlocks"):
        return [inline for para in _paragraphs(content_of(value)) for inline in para]
    return []


def _style_of(block: Node) -> str:
    if not is_kind(block, "Div"):
        return ""
    for key, value in attr_of(block).pairs:
        if key == "custom-style":
            return re.sub(r"[\s_-]+", "", value).lower()
    return ""


def _styled(kind: str, inlines: Inlines, found: Found) -> None:
    if not plain(inlines).strip():
        return
    if kind in ("title", "subtitle"):
        current = getattr(found, kind)
        if current is None:
            setattr(found, kind, inlines)
        else:  # a title set over two paragraphs
            current.extend([make("Space"), *inlines])
    elif kind == "author":
        found.people += author_line(inlines)
    elif kind == "affiliation":
        marker, name = affiliation_line(inlines)
        if marker:
            found.marked[marker] = name
        else:
            found.floating.append(name)
    elif kind == "journal":
        found.journal_line = found.journal_line or plain(inlines).strip()
    elif kind == "date":
        found.date_text = found.date_text or _unlabelled_text(inlines)
    elif kind in ("doi", "url"):
        target = _link_target(inlines) or _unlabelled_text(inlines)
        setattr(found, kind, getattr(found, kind) or target)
    elif kind == "licence":
        found.licence = found.licence or (_unlabelled_text(inlines), _link_target(inlines))
    elif kind == "abstract":
        found.abstract.append(drop_label(inlines, _ABSTRACT_LABEL))
    elif kind == "keywords":
        found.keywords += split_keywords(_unlabelled_text(inlines))
    elif kind == "cite":
        found.notes.append("left out the How to Cite line: galleys makes it from the metadata")
    elif kind == "authornote":
        _author_note(plain(inlines), found)


def _paragraphs(blocks: list[Node]) -> list[Inlines]:
    out = []
    for block in blocks:
        if is_kind(block, "Para", "Plain"):
            out.append(content_of(block))
        elif is_kind(block, "Div"):
            out += _paragraphs(div_of(block).blocks)
    return out


# -- the plain layout ---------------------------------------------------------------------
def _plain_layout(blocks: list[Node], found: Found) -> int:
    """Recognize the top of a manuscript without styles; return where the body starts."""
    index = _skip_empty(blocks, 0)
    if found.title is None and index < len(blocks) and _all_bold(blocks[index]):
        found.title = _unbold(content_of(blocks[index]))
        index += 1
    if found.title is not None and not found.people:
        index = _front_lines(blocks, index, found)
    while True:
        index = _skip_empty(blocks, index)
        if index >= len(blocks):
            return index
        text = _block_text(blocks[index])
        if not found.keywords and _KEYWORDS_LABEL.match(text):
            index = _keywords(blocks, index, found)
        elif not found.abstract and _ABSTRACT_LABEL.match(text):
            index = _abstract(blocks, index, found)
        else:
            return index


def _front_lines(blocks: list[Node], index: int, found: Found) -> int:
    """Author lines and affiliation lines between the title and the abstract."""
    last_people: list[Person] = []
    last_affiliation: tuple[list[str], int] | None = None  # (list it is in, position)
    lines = 0
    while index < len(blocks) and lines < _MAX_FRONT_LINES:
        block = blocks[index]
        if not is_kind(block, "Para", "Plain"):
            break
        inlines = content_of(block)
        text = plain(inlines).strip()
        if not text:
            index += 1
            continue
        if (
            _ABSTRACT_LABEL.match(text)
            or _KEYWORDS_LABEL.match(text)
            or len(text.split()) > _MAX_FRONT_WORDS
        ):
            break
        marker, name = affiliation_line(inlines)
        if _contact_line(text, marker, found):
            pass
        elif marker:
            found.marked[marker] = name
            last_affiliation = None
        elif (people := author_line(inlines)) and _names_like(people, inlines):
            found.people += people
            last_people = people
            last_affiliation = None
        elif not found.people:
            break  # not a front-matter line at all: the body starts here
        elif last_affiliation and not _AFFILIATION_WORDS.search(text):
            holder, position = last_affiliation  # "Islamabad, Pakistan" continues the line above
            holder[position] += ", " + text
        elif last_people:
            for person in last_people:
                person.affiliations.append(text)
            holder = last_people[0].affiliations
            last_affiliation = (holder, len(holder) - 1)
            if len(last_people) > 1:  # one shared line: every person holds their own copy
                last_affiliation = None
        else:
            found.floating.append(text)
            last_affiliation = (found.floating, len(found.floating) - 1)
        lines += 1
        index += 1
    return index


def _contact_line(text: str, marker: str, found: Found) -> bool:
    """ "*Corresponding author: jane@example.org": the email of the starred author."""
    emails = _EMAIL.findall(text)
    if not emails or not (marker or _CONTACT.match(text)):
        return False
    starred = [p for p in found.people if "*" in p.markers or p.corresponding]
    if len(starred) == 1 or len(found.people) == 1:
        person = starred[0] if starred else found.people[0]
        person.email = person.email or emails[0]
        person.corresponding = True
    else:
        found.notes.append(f"contact line {text!r}: cannot tell which author it belongs to")
    return True


def _author_note(text: str, found: Found) -> None:
    """Our editions' note lines: "* Corresponding author: Ana Gómez, ana@example.org" and
    "E-mail: Name, address; Name, address" give each named author their e-mail."""
    corresponding = _CONTACT.match(text) is not None and "mail" not in text.split(":")[0].lower()
    for part in text.split(":", 1)[-1].split(";"):
        emails = _EMAIL.findall(part)
        people = [p for p in found.people if p.name and p.name in part]
        if emails and len(people) == 1:
            people[0].email = people[0].email or emails[0]
            people[0].corresponding = people[0].corresponding or corresponding


def _names_like(people: list[Person], inlines: Inlines) -> bool:
    """A line of personal names: markers, or every piece 2-6 capitalized words, no digits."""
    if any(p.markers for p in people) or any(is_kind(n, "Superscript") for n in inlines):
        return True
    for person in people:
        words = person.name.split()
        if not 2 <= len(words) <= 6 or re.search(r"\d", person.name):
            return False
        if _AFFILIATION_WORDS.search(person.name):
            return False
        if not all(
            w[0].isupper()
            or w.lower()
            in ("van", "von", "de", "der", "da", "di", "la", "le", "bin", "al", "el", "du", "del")
            for w in words
        ):
            return False
    return True


def _abstract(blocks: list[Node], index: int, found: Found) -> int:
    """ "Abstract" alone (then paragraphs up to a heading or Keywords) or "Abstract: text"."""
    block = blocks[index]
    rest = drop_label(
        content_of(block) if is_kind(block, "Para", "Plain") else [], _ABSTRACT_LABEL
    )
    if plain(rest).strip():
        found.abstract.append(rest)
        return index + 1
    index += 1
    paragraphs: list[Inlines] = []
    end = index
    while end < len(blocks):
        block = blocks[end]
        text = _block_text(block)
        if not is_kind(block, "Para", "Plain") or _KEYWORDS_LABEL.match(text) or _all_bold(block):
            break
        if text.strip():
            paragraphs.append(content_of(block))
        end += 1
    if end >= len(blocks) and len(paragraphs) > 1:  # nothing ends it: take one paragraph
        paragraphs = paragraphs[:1]
        end = _skip_empty(blocks, index) + 1
        found.notes.append("nothing marks the end of the abstract: took its first paragraph")
    found.abstract += paragraphs
    return end


def _keywords(blocks: list[Node], index: int, found: Found) -> int:
    rest = _block_text(blocks[index])
    rest = _KEYWORDS_LABEL.sub("", rest, count=1)
    if rest.strip():
        found.keywords += split_keywords(rest)
        return index + 1
    following = _skip_empty(blocks, index + 1)
    if following < len(blocks) and is_kind(blocks[following], "Para", "Plain"):
        text = _block_text(blocks[following])
        if len(text.split()) <= _MAX_FRONT_WORDS:
            found.keywords += split_keywords(text)
            return following + 1
    return index + 1


def _assign_floating(found: Found) -> None:
    """Unmarked affiliations from styled paragraphs: whose they are, when that is certain."""
    if not found.floating:
        return
    if len(found.people) == 1 or (len(found.floating) == 1 and not found.marked):
        for person in found.people:
            if not person.markers or not any(m in found.marked for m in person.markers):
                person.affiliations += found.floating
        found.floating = []
    elif found.people:
        found.notes.append(
            f"{len(found.floating)} affiliations without markers: cannot tell whose they are "
            "(listed under affiliations:, assign them to authors)"
        )


# -- lines --------------------------------------------------------------------------------
def author_line(inlines: Inlines) -> list[Person]:
    """People in one line: "Dr. Jane Doe¹,², John Roe² and Ann Lee*", with ORCID/email links."""
    text_parts: list[str] = []
    extras: list[tuple[str, str]] = []

    def walk(nodes: Inlines) -> None:
        for node in nodes:
            kind = kind_of(node)
            if kind in ("Superscript", "Link"):
                value = plain(content_of(node)) if kind == "Superscript" else link_of(node).url
                extras.append((kind, value))
                text_parts.append(f"\x01{len(extras) - 1}\x02")
            elif kind == "Str":
                text_parts.append(content_of(node))
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                text_parts.append(" ")
            elif kind in _CONTAINERS or kind == "Span":
                walk(inlines_of(node))
            elif kind != "Note":
                text_parts.append(plain([node]))

    walk(inlines)
    people: list[Person] = []
    for piece in _SEPARATOR.split("".join(text_parts)):
        person = Person(name="")
        for match in _SENTINEL.finditer(piece):
            kind, value = extras[int(match.group(1))]
            if kind == "Superscript":
                person.markers += [m for m in re.split(r"[,\s]+", value) if m]
            elif value.lower().startswith("mailto:"):
                person.email = value[7:]
                person.corresponding = True  # the email printed is the contact author's
            elif found := _ORCID.search(value):
                person.orcid = found.group(1)
        name = " ".join(_SENTINEL.sub(" ", piece).split())
        if emails := _EMAIL.findall(name):
            person.email = person.email or emails[0]
            person.corresponding = True
            name = " ".join(_EMAIL.sub(" ", name).split())
        if orcid := _ORCID.search(name):
            person.orcid = person.orcid or orcid.group(1)
            name = " ".join(name.replace(orcid.group(1), " ").split())
        if unicode_markers := _UNICODE_MARKERS.search(name):
            marks = unicode_markers.group().translate(_SUPERSCRIPT_DIGITS)
            person.markers += [m for m in re.split(r"[,\s]+", marks.replace("*", ",*")) if m]
            name = name[: unicode_markers.start()].strip()
        if "*" in person.markers:
            person.corresponding = True
        name = name.strip()
        if not name:
            if people:
                _merge(people[-1], person)
            continue
        if name.lower() in _SUFFIXES and people:
            people[-1].name += f", {name}"
            continue
        person.honorific, person.name = split_honorific(name)
        people.append(person)
    return people


def _merge(into: Person, extra: Person) -> None:
    into.markers += extra.markers
    into.orcid = into.orcid or extra.orcid
    into.email = into.email or extra.email
    into.corresponding = into.corresponding or extra.corresponding


def affiliation_line(inlines: Inlines) -> tuple[str, str]:
    """(marker, name) of "¹ University of X" / "1. University of X"; marker "" if none."""
    content = [n for n in inlines if not is_kind(n, "Note")]
    while content and is_kind(content[0], "Space", "SoftBreak"):
        content = content[1:]
    if content and is_kind(content[0], "Superscript"):
        marker = plain(content_of(content[0])).strip()
        return marker, plain(content[1:]).strip()
    text = plain(content).strip()
    if match := _LEADING_UNICODE_MARKER.match(text):
        return match.group(1).translate(_SUPERSCRIPT_DIGITS), text[match.end() :].strip()
    if match := _MARKER_TEXT.match(text):
        return match.group(1), text[match.end() :].strip()
    return "", text


def split_keywords(text: str) -> list[str]:
    parts = re.split(r"\s*[;,\u00b7\u2022|]\s*", text.strip().rstrip("."))
    return [p.strip() for p in parts if p.strip()]


# -- inline helpers -----------------------------------------------------------------------
def plain(inlines: Inlines) -> str:
    """The text of pandoc inlines, footnotes left out."""
    return pandoc_text(inlines)


def _block_text(block: Node) -> str:
    if is_kind(block, "Para", "Plain"):
        return plain(content_of(block))
    if is_kind(block, "Header"):
        return plain(header_of(block).inlines)
    return ""


def _skip_empty(blocks: list[Node], index: int) -> int:
    while (
        index < len(blocks)
        and is_kind(blocks[index], "Para", "Plain")
        and not plain(content_of(blocks[index])).strip()
    ):
        index += 1
    return index


def _all_bold(block: Node) -> bool:
    if not is_kind(block, "Para", "Plain"):
        return False
    content = [n for n in content_of(block) if not is_kind(n, "Space", "SoftBreak", "LineBreak")]
    return bool(content) and all(is_kind(n, "Strong") for n in content)


def _unbold(inlines: Inlines) -> Inlines:
    out: Inlines = []
    for node in inlines:
        out += content_of(node) if is_kind(node, "Strong") else [node]
    while out and out[-1].get("t") in ("Space", "SoftBreak", "LineBreak"):
        out.pop()
    return out


def _unlabelled_text(inlines: Inlines) -> str:
    """The text after a leading label ("DOI:", "Keywords:"), label spans included."""
    text = plain(_drop_label_span(inlines)).strip()
    return _ANY_LABEL.sub("", text, count=1).strip() if _ANY_LABEL.match(text) else text


def _drop_label_span(inlines: Inlines) -> Inlines:
    if inlines and is_kind(inlines[0], "Span"):
        styles = dict(attr_of(inlines[0]).pairs)
        if "label" in styles.get("custom-style", "").lower():
            return inlines[1:]
    return inlines


def drop_label(inlines: Inlines, label: re.Pattern[str]) -> Inlines:
    """`inlines` without a leading label such as "Abstract:" (bold or not)."""
    inlines = _drop_label_span(inlines)
    match = label.match(plain(inlines))
    if not match:
        return inlines
    out = _drop_chars(inlines, match.end())
    while out and is_kind(out[0], "Space", "SoftBreak"):
        out = out[1:]
    return out


def _drop_chars(inlines: Inlines, count: int) -> Inlines:
    out: Inlines = []
    for index, node in enumerate(inlines):
        if count <= 0:
            out += inlines[index:]
            break
        length = len(plain([node]))
        if length <= count:
            count -= length
            continue
        if is_kind(node, "Str"):
            out.append(string(content_of(node)[count:]))
        elif kind_of(node) in _CONTAINERS:
            out.append(with_content(node, _drop_chars(content_of(node), count)))
        else:
            out.append(node)
        count = 0
    return out


def _link_target(inlines: Inlines) -> str:
    for node in inlines:
        if is_kind(node, "Link"):
            return link_of(node).url
        if kind_of(node) in _CONTAINERS:
            found = _link_target(content_of(node))
            if found:
                return found
        if is_kind(node, "Span"):
            found = _link_target(inlines_of(node))
            if found:
                return found
    return ""
