"""Imports an author's DOCX manuscript (or our own DOCX edition) into article.md + figures/.

The package is checked first (docx_safety), then pandoc reads a copy holding only the checked
parts; the front matter is recognized in its AST (docx_layout), completed from the document's
core and custom properties, and what is missing is reported; images go into figures/.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleys import pandoc
from galleys.errors import SourceError
from galleys.front.frontmatter import Labels
from galleys.importers.docx_layout import (
    Found,
    Person,
    drop_label,
    plain,
    recognize,
    split_keywords,
)
from galleys.importers.docx_safety import parse_xml, read_package, repack
from galleys.importers.ojs_text import ImportResult, escape_markdown, make_slug, parse_date
from galleys.pandoc_ast import (
    SPACES,
    content_of,
    div_of,
    figure_of,
    header_of,
    image_of,
    inlines_of,
    is_display_math,
    is_kind,
    kind_of,
    make,
    math_of,
    set_inlines,
    set_url,
    span,
    table_of,
    with_content,
)
from galleys.read.text import read_text
from galleys.read.yamltext import load_yaml

CORE_PART = "docProps/core.xml"
CUSTOM_PART = "docProps/custom.xml"
APP_PART = "docProps/app.xml"
FIGURES = "figures"
_READER = "docx+styles"
_RULE = re.compile(r"\n\s*\n(?:-{3,}|\* \* \*)\s*\n\s*\n")  # pandoc's Markdown HorizontalRule
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DOI = re.compile(r"(10\.\d{4,9}/\S+)")
_JOURNAL_LINE = re.compile(
    r"^(?P<title>.+?)(?:,\s*Vol\.\s*(?P<volume>[^,(]+?))?(?:,\s*No\.\s*(?P<issue>[^,(]+?))?"
    r"(?:\s*\((?P<year>\d{4})\))?(?:,\s*pp?\.\s*(?P<pages>.+))?$"
)
_FIGURE_LABEL = re.compile(r"^\s*(figure|fig\.)\s*\d+\s*[.:\u2014\u2013-]", re.IGNORECASE)
_SECTION_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\s+(?=\S)")  # "2.1 " before a heading
# The number the DOCX edition prints after a labelled equation (reading OMML back, pandoc
# spells \qquad as two \quad).
_EQUATION_NUMBER = re.compile(r"^(.*?)\s*(?:\\qquad|\\quad\s*\\quad)\s*\((\d+)\)\s*$", re.DOTALL)
_PRINTED_NUMBER = re.compile(r"^\((\d+)\)$")  # "(3)" after a formula in its paragraph
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,5}$")
_FIGURE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"}


@dataclass
class DocxImport:
    """The imported article: metadata and report, the body as Markdown, figure files."""

    result: ImportResult
    body: str  # Pandoc Markdown
    figures: dict[str, bytes] = field(default_factory=dict)  # "figures/figure-1.png" -> bytes


def import_docx(path: Path, caption_words: Sequence[str] = ()) -> DocxImport:
    """Read the DOCX at `path` safely and recognize its front matter, body and figures.

    A caption's leading "Figure 1:" / "Table 1:" is left out (galleys numbers them anew): the
    words are `caption_words` (the journal's `labels:`) and galleys' own defaults."""
    parts = read_package(path)
    core = _properties(parts, CORE_PART, path)
    custom = _properties(parts, CUSTOM_PART, path)
    # pandoc sees only the checked parts, and no properties: its meta then holds only what
    # paragraph styles say, so the two sources of each value stay apart.
    package = repack(parts, leave_out=(CORE_PART, CUSTOM_PART, APP_PART))
    with tempfile.TemporaryDirectory(prefix="galleys-import-") as folder:
        media = Path(folder) / "media"
        ast = pandoc.run(
            ["-f", _READER, "-t", "json", "--extract-media", str(media)], package
        ).json()
        found = recognize(ast)
        body_blocks = _clean(_captions(found.body), found.notes)
        _drop_caption_labels(body_blocks, _caption_label(caption_words))
        _drop_section_numbers(body_blocks)
        body_blocks = _numbered_equations(body_blocks)
        figures = _figures(body_blocks, media, found.notes)
    found.notes += _linked_images(parts, path)
    builder = _FrontBuilder(found, core, custom)
    front, journal_title, missing = builder.build(ast["pandoc-api-version"])
    body = _markdown(ast["pandoc-api-version"], body_blocks) if body_blocks else ""
    if not body.strip():
        missing.append("body text")
    result = ImportResult(front, [], journal_title, missing, found.notes)
    return DocxImport(result, body, figures)


def caption_words(journal: Path, warn: Callable[[str], None]) -> tuple[str, ...]:
    """The figure and table words of the journal's `labels:` (journal.yaml), which its
    editions print before their captions; none when it has no such file or labels."""
    if not journal.is_file():
        return ()
    labels = (load_yaml(read_text(journal, warn), journal).data or {}).get("labels")
    if not isinstance(labels, dict):
        return ()
    words = (labels.get("figure"), labels.get("table"))
    return tuple(word.strip() for word in words if isinstance(word, str) and word.strip())


# -- properties ---------------------------------------------------------------------------
def _properties(parts: dict[str, bytes], name: str, path: Path) -> dict[str, str]:
    """Core properties by local tag name, or custom properties by their name; text only."""
    if name not in parts:
        return {}
    root = parse_xml(parts[name], name, path)
    values: dict[str, str] = {}
    for element in root:
        if not isinstance(element.tag, str):
            continue
        if name == CUSTOM_PART:
            key = element.get("name", "")
            text = "".join(element.itertext()).strip()
        else:
            key = element.tag.rsplit("}", 1)[-1]
            text = (element.text or "").strip()
        if key and text:
            values[key] = text
    return values


def _linked_images(parts: dict[str, bytes], path: Path) -> list[str]:
    """Pictures the document only links to (never fetched): pandoc leaves them out silently."""
    notes = []
    for name in sorted(n for n in parts if n.startswith("word/_rels/") and n.endswith(".rels")):
        for element in parse_xml(parts[name], name, path):
            if (
                str(element.get("Type", "")).endswith("/image")
                and element.get("TargetMode") == "External"
            ):
                target = str(element.get("Target", ""))[:80]
                notes.append(f"linked picture {target!r} left out: images are never fetched")
    return notes


# -- body ---------------------------------------------------------------------------------
def _clean(blocks: list[Any], notes: list[str]) -> list[Any]:
    """The body without Word's style wrappers (Divs, Spans, custom-style) and raw markup."""
    dropped = [0]

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            if _is_attr(value):
                return [value[0], value[1], [kv for kv in value[2] if kv[0] != "custom-style"]]
            out: list[Any] = []
            for item in value:
                item = walk(item)
                kind = kind_of(item)
                if kind in ("Div", "Span"):
                    out.extend(content_of(item)[1])  # a Div's blocks, a Span's inlines
                elif kind in ("RawBlock", "RawInline"):
                    dropped[0] += 1
                elif kind == "Para" and not content_of(item):
                    continue
                else:
                    out.append(item)
            return out
        if isinstance(value, dict) and "c" in value:
            return with_content(value, walk(content_of(value)))  # walk makes new lists
        return value

    cleaned = walk(blocks)
    if dropped[0]:
        notes.append(f"left out {dropped[0]} piece(s) of raw markup from the body")
    return cleaned


def _captions(blocks: list[Any]) -> list[Any]:
    """A picture alone in its paragraph, then a caption ("Figure 2. …" or a Caption style):
    one Figure, as pandoc's Markdown writes ![caption](file)."""
    out: list[Any] = []
    for block in blocks:
        previous = out[-1] if out else None
        image = _lone_image(previous) if previous else None
        caption = _caption_inlines(block)
        if image is not None and caption:
            set_inlines(image, caption)
            out[-1] = make("Figure", [["", [], []], [None, [make("Plain", caption)]],
                                      [make("Plain", [image])]])
        else:
            out.append(block)
    return out


def _lone_image(block: dict[str, Any]) -> dict[str, Any] | None:
    if not is_kind(block, "Para", "Plain"):
        return None
    content = [n for n in content_of(block) if not is_kind(n, *SPACES)]
    return content[0] if len(content) == 1 and is_kind(content[0], "Image") else None


def _caption_inlines(block: dict[str, Any]) -> list[Any]:
    if is_kind(block, "Div"):
        attr, inner = div_of(block)
        styles = dict(attr.pairs)
        if "caption" in styles.get("custom-style", "").lower() and len(inner) == 1:
            caption: list[Any] = content_of(inner[0]) if is_kind(inner[0], "Para", "Plain") else []
            return caption
        return []
    if is_kind(block, "Para", "Plain") and _FIGURE_LABEL.match(plain(content_of(block))):
        inlines: list[Any] = content_of(block)
        return inlines
    return []


def _caption_label(words: Sequence[str]) -> re.Pattern[str]:
    """A caption's leading label as galleys prints it ("Figure 1:", "Table 2", "Abbildung
    1(a):") or a manuscript writes it ("Figure 2." "Table 3 –"), for each of `words`."""
    defaults = Labels()
    names = sorted({defaults.figure, defaults.table, *words}, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names if name.strip())
    return re.compile(rf"^\s*(?:{alternatives})\s+\d+(?:\.\d+)*(?:\([a-z]\))?"
                      r"(?:\s*[:.\u2014\u2013]\s*|\s+-\s+|\s*$)", re.IGNORECASE)


def _drop_caption_labels(blocks: list[Any], label: re.Pattern[str]) -> None:
    """Every Table's and Figure's caption (and a figure's image description) in place without
    its leading label: the next build prints its own."""

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
            return
        if not isinstance(value, dict):
            return
        if is_kind(value, "Table", "Figure"):
            caption = table_of(value).caption if is_kind(value, "Table") else (
                figure_of(value).caption)
            for block in caption:
                if is_kind(block, "Plain", "Para"):
                    set_inlines(block, drop_label(content_of(block), label))
            if is_kind(value, "Figure"):
                for block in figure_of(value).blocks:
                    for node in content_of(block) if is_kind(block, "Plain") else []:
                        if is_kind(node, "Image"):
                            set_inlines(node, drop_label(image_of(node).alt, label))
        walk(value.get("c"))

    walk(blocks)


def _drop_section_numbers(blocks: list[Any]) -> None:
    """Headings without the numbers an edition prints before them ("2.1 Methods", when the
    article refers to a section), in place; only when every number a heading starts with is
    the one its level and place give, as numbering makes them (else they are the author's)."""
    sections: list[int] = []
    numbered: list[tuple[dict[str, Any], str]] = []
    for block in blocks:
        if not is_kind(block, "Header"):
            continue
        level, _attr, inlines = header_of(block)
        match = _SECTION_NUMBER.match(plain(inlines))
        if match is None:
            continue  # an unnumbered heading (the reference list's, or {-})
        del sections[level:]
        sections += [0] * (level - len(sections))
        sections[level - 1] += 1
        if match.group(1) != ".".join(map(str, sections)):
            return
        numbered.append((block, match.group(1)))
    for block, _number in numbered:
        set_inlines(block, drop_label(inlines_of(block), _SECTION_NUMBER))


def _numbered_equations(blocks: list[Any]) -> list[Any]:
    """A display equation printed with its number as a labelled equation again,
    `[$$x = 1$$]{#eq-3 .equation}`, numbered on the next build as before: a paragraph of one
    formula and "(3)" (the DOCX edition's TAB, formula, TAB, "(3)", as Word numbers one), or
    "x = 1 \\qquad (3)" inside the formula (as editions before wrote it)."""

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(item) for item in value]
        if not isinstance(value, dict) or "c" not in value:
            return value
        inlines = [n for n in content_of(value) if not is_kind(n, *SPACES)] if (
            is_kind(value, "Para")) else []
        if len(inlines) == 2 and is_kind(inlines[0], "Math") and is_kind(inlines[1], "Str") and (
                number := _PRINTED_NUMBER.match(content_of(inlines[1]))):
            math = make("Math", [make("DisplayMath"), math_of(inlines[0]).tex])
            return make("Para", [span(["equation"], [math], f"eq-{number.group(1)}")])
        if is_display_math(value):
            match = _EQUATION_NUMBER.match(math_of(value).tex)
            if match:
                math = make("Math", [make("DisplayMath"), match.group(1)])
                return span(["equation"], [math], f"eq-{match.group(2)}")
        return with_content(value, walk(content_of(value)))

    result: list[Any] = walk(blocks)
    return result


def _is_attr(value: list[Any]) -> bool:
    return (
        len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], list)
        and isinstance(value[2], list)
        and all(isinstance(kv, list) and len(kv) == 2 for kv in value[2])
    )


def _figures(blocks: list[Any], media: Path, notes: list[str]) -> dict[str, bytes]:
    """Point every image at figures/figure-N.ext; read each file pandoc extracted, checked."""
    root = media.resolve()
    names: dict[Path, str] = {}
    figures: dict[str, bytes] = {}

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            if is_kind(value, "Image"):
                _relink(value)
            visit(value.get("c"))

    def _relink(node: dict[str, Any]) -> None:
        target = image_of(node).url
        source = Path(target).resolve() if target and not re.match(r"^\w+:", target) else None
        if source is None or not source.is_relative_to(root) or not source.is_file():
            notes.append(f"image {target[:80]!r} is not inside the document: left out")
            set_url(node, "")
            return
        if source not in names:
            suffix = source.suffix.lower()
            suffix = suffix if _EXTENSION.match(suffix) else ".bin"
            names[source] = f"{FIGURES}/figure-{len(names) + 1}{suffix}"
            figures[names[source]] = source.read_bytes()
            if suffix not in _FIGURE_TYPES:
                notes.append(
                    f"{names[source]}: {suffix} images cannot go into every edition;"
                    " convert it to PNG"
                )
        set_url(node, names[source])

    visit(blocks)
    return figures


def _markdown(api: list[int], blocks: list[Any]) -> str:
    document = {"pandoc-api-version": api, "meta": {}, "blocks": blocks}
    args = ["-f", "json", "-t", pandoc.MARKDOWN_READER, "--columns", "100"]
    return pandoc.run(args, json.dumps(document).encode("utf-8")).output.decode("utf-8").strip()


def _inline_markdown(api: list[int], fields: list[list[Any]]) -> list[str]:
    """Each list of inlines as one line of Markdown ("" for an empty one), one pandoc call."""
    wanted = [i for i, inlines in enumerate(fields) if plain(_without_notes(inlines)).strip()]
    out = [""] * len(fields)
    if not wanted:
        return out
    blocks: list[Any] = []
    for index in wanted:
        if blocks:
            blocks.append({"t": "HorizontalRule"})
        blocks.append({"t": "Para", "c": _without_notes(fields[index])})
    document = {"pandoc-api-version": api, "meta": {}, "blocks": blocks}
    args = ["-f", "json", "-t", pandoc.MARKDOWN_READER, "--wrap", "none"]
    text = pandoc.run(args, json.dumps(document).encode("utf-8")).output.decode("utf-8")
    parts = [part.strip() for part in _RULE.split("\n" + text.strip() + "\n")]
    if len(parts) != len(wanted):
        raise SourceError("cannot turn the front matter into Markdown (unexpected pandoc output)")
    for index, part in zip(wanted, parts, strict=True):
        out[index] = part
    return out


def _without_notes(inlines: list[Any]) -> list[Any]:
    out = []
    for node in inlines:
        if is_kind(node, "Note", "RawInline"):
            continue
        if is_kind(node, "Span", "Link"):
            attr, inlines, *rest = content_of(node)  # a Link's target after its inlines
            node = with_content(node, [attr, _without_notes(inlines), *rest])
        out.append(node)
    return out


# -- front matter -------------------------------------------------------------------------
class _FrontBuilder:
    """Turns what was found (styles, layout, properties) into front-matter keys and a report."""

    def __init__(self, found: Found, core: dict[str, str], custom: dict[str, str]) -> None:
        self.found = found
        self.core = core
        self.custom = custom
        self.missing: list[str] = []
        self.notes = found.notes

    def build(self, api: list[int]) -> tuple[dict[str, Any], str, list[str]]:
        found = self.found
        front: dict[str, Any] = {}
        rich = [found.title or [], found.subtitle or [], *found.abstract]
        title, subtitle, *abstract = _inline_markdown(api, rich)
        if not title and self.core.get("title"):
            title = _escape(self.core["title"])
            self.notes.append("title taken from the document properties")
        if title:
            front["title"] = title
        else:
            self.missing.append("title")
        if subtitle:
            front["subtitle"] = subtitle
        self._authors(front)
        journal, journal_title = self._journal()
        self._date(front)
        self._identifiers(front)
        if journal:
            front["journal"] = journal
        self._abstract(front, [a for a in abstract if a])
        self._keywords(front)
        language = self.core.get("language", "")
        if _LANG.match(language) and language.lower() != "en":
            front["lang"] = language
        return {"slug": make_slug(front), **front}, journal_title, self.missing

    def _authors(self, front: dict[str, Any]) -> None:
        people = self.found.people
        if not people and self.core.get("creator"):
            names = [n.strip() for n in re.split(r"[;\n]", self.core["creator"]) if n.strip()]
            people = [Person(name=name) for name in names]
            self.notes.append(
                "authors taken from the document properties (dc:creator): "
                "check them, Word fills in whoever made the file"
            )
        if not people:
            self.missing.append("authors")
            return
        marked = self.found.marked
        floating = self.found.floating
        listed = bool(marked) or len(floating) > 1 or _distinct_affiliations(people) > 1
        declared: dict[str, str] = {}  # id -> name
        if listed:
            for marker, name in marked.items():
                declared[marker] = name
        authors = []
        for number, person in enumerate(people, start=1):
            entry: dict[str, Any] = {"name": person.name}
            if person.honorific:
                entry["honorific"] = person.honorific
            if person.orcid:
                entry["orcid"] = person.orcid
            if person.email:
                entry["email"] = person.email
            if person.corresponding:
                entry["corresponding"] = True
            ids = [m for m in person.markers if m in marked]
            for name in person.affiliations:
                if not listed:
                    continue
                ident = next((i for i, n in declared.items() if n == name), None)
                if ident is None:
                    ident = f"aff-{len(declared) + 1}"
                    declared[ident] = name
                ids.append(ident)
            unknown = [m for m in person.markers if m not in marked and m not in "*\u2020\u2021"]
            if unknown:
                self.notes.append(
                    f"author {number}: no affiliation has the marker {', '.join(unknown)}"
                )
            if listed and ids:
                entry["affiliations"] = list(dict.fromkeys(ids))
            elif not listed and person.affiliations:
                entry["affiliation"] = person.affiliations[0]
            else:
                self.missing.append(f"affiliation of author {number}")
            authors.append(entry)
        for name in floating:
            declared.setdefault(f"aff-{len(declared) + 1}", name)
        front["author"] = authors
        if listed:
            front["affiliations"] = [{"id": i, "name": n} for i, n in declared.items()]

    def _journal(self) -> tuple[dict[str, str], str]:
        custom = self.custom
        journal = {k: custom[k] for k in ("volume", "issue", "pages") if custom.get(k)}
        title = custom.get("journal", "")
        line = _JOURNAL_LINE.match(self.found.journal_line) if self.found.journal_line else None
        if line:
            title = title or line.group("title").strip()
            for key in ("volume", "issue", "pages"):
                if key not in journal and line.group(key):
                    journal[key] = line.group(key).strip().replace("\u2013", "-")
        if not title:
            self.missing.append("journal title")
        for key in ("volume", "issue", "pages"):
            if key not in journal:
                self.missing.append(f"journal {key}" if key != "pages" else "pages")
        return journal, title

    def _date(self, front: dict[str, Any]) -> None:
        text = re.sub(r"^\s*(published|date)\s*:?\s*", "", self.found.date_text, flags=re.I)
        date: dt.date | None = parse_date(text) if text else None
        if date:
            front["date"] = date
        elif text:
            self.missing.append(f"published date (cannot read {text!r})")
        else:
            self.missing.append("published date")

    def _identifiers(self, front: dict[str, Any]) -> None:
        doi = self.custom.get("doi") or self.found.doi
        if doi and (match := _DOI.search(doi)):
            front["doi"] = match.group(1).rstrip(".")
        else:
            self.missing.append("DOI")
        url = self.custom.get("url") or self.found.url
        if url and re.match(r"^https?://\S+$", url):
            front["url"] = url
        else:
            self.missing.append("URL")
        name = self.custom.get("license") or (self.found.licence or ("", ""))[0]
        link = self.custom.get("license-url") or (self.found.licence or ("", ""))[1]
        if name and link and re.match(r"^https?://", link):
            front["license"] = {"name": name, "url": link}
        elif name:
            front["license"] = name
        else:
            self.missing.append("licence")

    def _abstract(self, front: dict[str, Any], paragraphs: list[str]) -> None:
        if not paragraphs and self.core.get("description"):
            paragraphs = [
                _escape(p.strip()) for p in self.core["description"].split("\n\n") if p.strip()
            ]
            self.notes.append("abstract taken from the document properties")
        if paragraphs:
            front["abstract"] = "\n\n".join(paragraphs)
        else:
            self.missing.append("abstract")

    def _keywords(self, front: dict[str, Any]) -> None:
        keywords = self.found.keywords
        if not keywords and self.core.get("keywords"):
            keywords = split_keywords(self.core["keywords"])
            self.notes.append("keywords taken from the document properties")
        if keywords:
            front["keywords"] = list(dict.fromkeys(keywords))
        else:
            self.missing.append("keywords")


def _distinct_affiliations(people: list[Person]) -> int:
    return len({name for person in people for name in person.affiliations})


def _escape(text: str) -> str:
    return escape_markdown(" ".join(text.split()))
