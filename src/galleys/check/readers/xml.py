"""The JATS article and the Crossref deposit read back, through check/xml_readback.py's readers
(each element from its own element), as slots of the parity table."""

from __future__ import annotations

import re

from lxml import etree

from galleys.check.readers.text import block_text
from galleys.check.slots import Reading, register
from galleys.check.xml_readback import read_crossref, read_jats
from galleys.front.frontmatter import FrontMatter

_NUMBERED = re.compile(r"(.+) (\d+)$")
JATS_SLOTS = {  # front-matter kind -> the element read_jats reads it from
    "title": "article-title", "subtitle": "subtitle", "author": "contrib name",
    "orcid": "contrib-id", "email": "contrib email", "affiliation": "aff",
    "author note": "author-notes", "issue title": "issue-title", "doi": "article-id",
    "url": "self-uri", "licence": "license-p", "abstract": "abstract p",
    "keywords": "kwd-group kwd", "how to cite": "custom-meta meta-value",
}
CROSSREF_CATALOGUE = {  # read_crossref's key -> (catalogue field, the deposit's element)
    "title": ("title", "<titles/title>"), "author": ("authors", "<contributors>"),
    "doi": ("doi", "<doi_data/doi>"), "abstract": ("abstract", "<jats:abstract>"),
}
CROSSREF_FRONT = {"subtitle": "<titles/subtitle>", "orcid": "<contributors ORCID>"}
JATS_LACKS = frozenset({"journal line", "published"})  # JATS holds their parts, not the line


def _numbered(found: dict[str, str]) -> list[tuple[str, int, str]]:
    """(kind, number, value) of read_jats's keys ("author 2" -> ("author", 2, …)), in order."""
    out = []
    for key, value in found.items():
        match = _NUMBERED.match(key)
        out.append((match.group(1), int(match.group(2)), value) if match else (key, 0, value))
    return sorted(out, key=lambda item: (item[0], item[1]))


@register("jats", lambda slug: f"{slug}.jats.xml")
def read_jats_edition(data: bytes, front: FrontMatter) -> Reading:
    """Each front-matter element from its JATS element; the body and back as the body, its
    <disp-formula> the display formulas."""
    reading = Reading(body_slot="<body> and <back>", absent=JATS_LACKS)
    for kind, _number, value in _numbered(read_jats(data)):
        if kind in JATS_SLOTS:
            if kind == "doi":
                value = f"https://doi.org/{value}"  # the article-id holds the bare DOI
            reading.add(kind, f"<{JATS_SLOTS[kind]}>", value)
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                  load_dtd=False, huge_tree=True))
    parts = [part for part in (root.find("body"), root.find("back")) if part is not None]
    reading.body = "\n".join(block_text(part) for part in parts)
    reading.equations = sum(len(part.findall(".//disp-formula")) for part in parts)
    return reading


@register("crossref", lambda slug: f"{slug}.crossref.xml")
def read_crossref_deposit(data: bytes, front: FrontMatter) -> Reading:
    """A deposit is a catalogue record: title, contributors, DOI and abstract as catalogue
    fields, the subtitle and ORCID iDs as the title block's; no body."""
    found = read_crossref(data)
    reading = Reading(body=None, absent=frozenset(f.kind for f in front.fields())
                      - set(CROSSREF_FRONT))
    reading.holds({name: (slot,) for name, slot in CROSSREF_CATALOGUE.values()})
    for kind, _number, value in _numbered(found):
        if kind in CROSSREF_CATALOGUE:
            reading.add_catalogue(*CROSSREF_CATALOGUE[kind], value)
        elif kind in CROSSREF_FRONT:
            reading.add(kind, CROSSREF_FRONT[kind], value)
    return reading
