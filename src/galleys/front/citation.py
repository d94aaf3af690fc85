"""The article's own citation: CSL-JSON from the model, How-to-Cite via citeproc, exports."""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from galleys import pandoc
from galleys.errors import OutputError, ToolError
from galleys.front import styles
from galleys.front.inlines import Inlines, Run, from_pandoc, plain
from galleys.model import Author, Metadata, ResolvedArticle
from galleys.pandoc_ast import attr_of, content_of, is_kind, make, string
from galleys.resolve.mathml import runs_as_text
from galleys.scripts import has_rtl, is_east_asian_name, takes_initials

CITATION_ID = "article"


def csl_name(author: Author) -> dict[str, str]:
    """A CSL name object; the honorific is display-only and never enters it."""
    if author.literal:
        return {"literal": author.literal}
    whole = " ".join(
        p for p in (author.given, author.dropping_particle, author.particle, author.family) if p
    )
    if is_east_asian_name(whole):  # 山田太郎: family name first, no space, no initials
        return {"literal": author.family + author.given}
    if not takes_initials(whole):
        # Arabic, Hebrew, Devanagari … : citeproc would invert it and run the parts together
        # ("शर्माअनीता."); the name is cited whole, as written.
        return {"literal": ", ".join(p for p in (whole, author.suffix) if p)}
    name = {
        "family": author.family,
        "given": author.given,
        "non-dropping-particle": author.particle,
        "dropping-particle": author.dropping_particle,
        "suffix": author.suffix,
    }
    return {k: v for k, v in name.items() if v}


def csl_item(resolved: ResolvedArticle) -> dict[str, Any]:
    """The article as one CSL-JSON item."""
    return item_for(resolved.metadata, resolved.title, resolved.subtitle, resolved.abstract)


def item_for(
    metadata: Metadata,
    title: Inlines,
    subtitle: Inlines,
    abstract: tuple[Inlines, ...] = (),
    item_id: str = CITATION_ID,
) -> dict[str, Any]:
    """A CSL-JSON item from the metadata and the parsed title, subtitle and abstract."""
    journal = metadata.journal
    # A formula in the title is cited as its Unicode text (ℝⁿ as "ℝn"), never its TeX.
    full_title = plain(runs_as_text(title)) + (": " + plain(runs_as_text(subtitle))
                                               if subtitle else "")
    item: dict[str, Any] = {
        "id": item_id,
        "type": "article-journal",
        "title": full_title,
        "author": [csl_name(a) for a in metadata.authors],
        "container-title": journal.title,
        "volume": journal.volume,
        "issue": journal.issue,
        "page": journal.pages,
        "ISSN": journal.issn or journal.eissn,
        "publisher": journal.publisher,
        "DOI": metadata.doi,
        "URL": metadata.url,
        "language": metadata.lang,
        "keyword": ", ".join(metadata.keywords),
        "abstract": "\n\n".join(plain(p) for p in abstract),
    }
    if metadata.date:
        item["issued"] = {"date-parts": [metadata.date.parts]}  # [[2017]]: a year is a year
    return {k: v for k, v in item.items() if v}


def how_to_cite(resolved: ResolvedArticle, style: str) -> Inlines:
    """The article's reference in `style`, rendered by pandoc's citeproc, as rich runs."""
    return how_to_cite_many(resolved, (style,))[style]


def how_to_cite_many(resolved: ResolvedArticle, style_names: tuple[str, ...]) -> dict[str, Inlines]:
    """The reference in each style (one pandoc process per style)."""
    item = csl_item(resolved)
    return {
        name: render_references([item], name, resolved.metadata.lang)[item["id"]]
        for name in style_names
    }


def render_references(
    items: list[dict[str, Any]], style: str, lang: str = "en", csl: Path | None = None
) -> dict[str, Inlines]:
    """Each CSL item's reference in `style` (its file: `csl`, else the package's), by item
    id: one citeproc run for all of them."""
    document = {
        "pandoc-api-version": [1, 23, 1],
        "meta": {
            "references": _meta_value(items),
            "nocite": make("MetaInlines", [_cite_all()]),
            "lang": make("MetaString", lang),
        },
        "blocks": [],
    }
    stdin = json.dumps(document, ensure_ascii=False).encode()
    out = pandoc.run(
        ["-f", "json", "-t", "json", "--citeproc", "--csl", str(csl or styles.path(style))],
        stdin,
    ).json()
    found: dict[str, Inlines] = {}
    by_id = {item["id"]: item for item in items}
    for entry in _entries(out["blocks"]):
        ident = attr_of(entry).ident.removeprefix("ref-")
        runs = from_pandoc(_first_reference(content_of(entry)[1]), "How to Cite")
        found[ident] = _isolate_names(runs, by_id.get(ident, {}))
    missing = [item["id"] for item in items if item["id"] not in found]
    if missing:
        raise ToolError(f"citeproc rendered no reference for {', '.join(missing)}")
    return found


def _isolate_names(runs: Inlines, item: dict[str, Any]) -> Inlines:
    """Right-to-left names (cited whole) marked "isolate": two such names side by side keep
    their order, and a text extractor reads each one back whole."""
    names = sorted(
        {n["literal"] for n in item.get("author", []) if has_rtl(n.get("literal", ""))},
        key=len,
        reverse=True,
    )
    if not names:
        return runs
    pattern = re.compile("|".join(map(re.escape, names)))
    out: list[Run] = []
    for run in runs:
        start = 0
        for found in pattern.finditer(run.text):
            out.append(replace(run, text=run.text[start : found.start()]))
            out.append(replace(run, text=found.group(), marks=run.marks | {"isolate"}))
            start = found.end()
        out.append(replace(run, text=run.text[start:]))
    return tuple(run for run in out if run.text)


def _cite_all() -> dict[str, Any]:
    citation = {
        "citationId": "*",
        "citationPrefix": [],
        "citationSuffix": [],
        "citationMode": make("NormalCitation"),
        "citationNoteNum": 0,
        "citationHash": 0,
    }
    return make("Cite", [[citation], [string("@*")]])


def _entries(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The csl-entry Divs inside pandoc's refs Div."""
    found = []
    for block in blocks:
        if is_kind(block, "Div"):
            if "csl-entry" in attr_of(block).classes:
                found.append(block)
            else:
                found += _entries(content_of(block)[1])
    return found


def _first_reference(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inlines of the one entry in pandoc's refs Div."""
    for block in blocks:
        if is_kind(block, "Div"):
            found = _first_reference(content_of(block)[1])
            if found:
                return found
        elif is_kind(block, "Para", "Plain"):
            return content_of(block)
    return []


def _meta_value(value: Any) -> dict[str, Any]:
    """Python data as pandoc MetaValue, every string a MetaString (read verbatim)."""
    if isinstance(value, dict):
        return make("MetaMap", {k: _meta_value(v) for k, v in value.items()})
    if isinstance(value, list):
        return make("MetaList", [_meta_value(v) for v in value])
    if isinstance(value, bool):
        return make("MetaBool", value)
    return make("MetaString", str(value))


def how_to_cite_batch(
    entries: list[tuple[Metadata, Inlines, Inlines]],
    style_names: tuple[str, ...],
    cache: CiteCache | None = None,
) -> list[dict[str, Inlines]]:
    """How to Cite of many articles in each style, one citeproc run per style and language.

    A bibliography entry depends on the others only through year suffixes ("2014a"),
    disambiguating names, "———" for a repeated author and citation numbers: the run uses a
    copy of the style with the first three switched off (they cannot arise for an article
    cited alone), and a style that prints its numbers inline gets a run per article. So every
    line is exactly what a run of its own would give (tests/test_build.py proves it).
    """
    items = [item_for(m, t, s, item_id=f"a{i}") for i, (m, t, s) in enumerate(entries)]
    results: list[dict[str, Inlines]] = [{} for _ in entries]
    runs: list[tuple[str, list[dict[str, Any]], Path | None]] = []  # (style, items, csl file)
    for name in style_names:
        todo = []
        for index, item in enumerate(items):
            known = cache.get(item, name, entries[index][0].lang) if cache else None
            if known is None:
                todo.append(item)
            else:
                results[index][name] = known
        if _batchable(name):
            by_lang: dict[str, list[dict[str, Any]]] = {}
            for item in todo:
                by_lang.setdefault(item.get("language", ""), []).append(item)
            runs += [(name, group, _independent_style(name)) for group in by_lang.values()]
        else:
            runs += [(name, [item], None) for item in todo]

    def render(run: tuple[str, list[dict[str, Any]], Path | None]) -> dict[str, Inlines]:
        name, group, csl = run
        return render_references(group, name, entries[int(group[0]["id"][1:])][0].lang, csl)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # pandoc runs side by side
        for (name, _group, _csl), found in zip(runs, pool.map(render, runs), strict=True):
            for ident, lines in found.items():
                index = int(ident[1:])
                results[index][name] = lines
                if cache is not None:
                    cache.put(items[index], name, entries[index][0].lang, lines)
    return results


class CiteCache:
    """How-to-Cite lines of earlier builds (dist/.galleys-cite.json), by a hash of all a line
    depends on: the CSL item, style, language and `salt` (galleys' code and tool versions).
    An edit to an article's body leaves its lines as they were: no citeproc run for them.
    The file is written when a line was added (a build that only reads it leaves it), and
    holds the lines of one salt: those of an earlier galleys or pandoc are never read again."""

    LIMIT = 100_000  # entries kept, the most recently used

    def __init__(self, path: Path, salt: str) -> None:
        self.path = path
        self.salt = salt
        self.entries: dict[str, list[dict[str, Any]]] = {}
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict) and loaded.get("salt") == salt:
            entries = loaded.get("entries")
            self.entries = entries if isinstance(entries, dict) else {}
        self.changed = False  # a line was added: the file is worth writing

    def _key(self, item: dict[str, Any], style: str, lang: str) -> str:
        described = json.dumps(
            [self.salt, styles.fingerprint(style), lang, {**item, "id": ""}], sort_keys=True
        )
        return hashlib.sha256(described.encode("utf-8")).hexdigest()

    def get(self, item: dict[str, Any], style: str, lang: str) -> Inlines | None:
        key = self._key(item, style, lang)
        stored = self.entries.pop(key, None)
        if not isinstance(stored, list):
            return None
        self.entries[key] = stored  # most recently used last
        try:
            return tuple(
                Run(r["text"], frozenset(r["marks"]), r["link"], r["lang"]) for r in stored
            )
        except (KeyError, TypeError):
            return None

    def put(self, item: dict[str, Any], style: str, lang: str, lines: Inlines) -> None:
        self.changed = True
        self.entries[self._key(item, style, lang)] = [
            {"text": r.text, "marks": sorted(r.marks), "link": r.link, "lang": r.lang}
            for r in lines
        ]

    def data(self) -> bytes:
        """The cache as it is to be written: at most LIMIT entries, the newest."""
        kept = dict(list(self.entries.items())[-self.LIMIT :])
        return json.dumps({"salt": self.salt, "entries": kept}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")


_DISAMBIGUATION = re.compile(r'\b(disambiguate-add-(?:year-suffix|names|givenname))="true"')
_SUBSTITUTE = re.compile(r'\s+subsequent-author-substitute(?:-rule)?="[^"]*"')


def _independent_style(name: str) -> Path:
    """A temporary copy of the style in which no entry changes for the others beside it."""
    return _independent_copy(name, styles.fingerprint(name))


@functools.cache  # by fingerprint too: a journal's own file may change in a resident process
def _independent_copy(name: str, fingerprint: str) -> Path:
    text = styles.path(name).read_text(encoding="utf-8")
    text = _SUBSTITUTE.sub("", _DISAMBIGUATION.sub(r'\1="false"', text))
    folder = Path(tempfile.mkdtemp(prefix="galleys-csl-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "style.csl"  # a name of its own: a journal's style is named by its path
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:  # a full disk, a file-size limit: exit 73 naming the file
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from None
    return path


def _batchable(style: str) -> bool:
    text = styles.path(style).read_text(encoding="utf-8")
    return "citation-number" not in text or "second-field-align" in text
