"""The article's own citation as files (BibTeX, RIS, CSL-JSON) plus its front matter as JSON."""

from __future__ import annotations

import json
import re
import unicodedata

from galleys.front.citation import csl_item
from galleys.front.frontmatter import FrontMatter
from galleys.model import ResolvedArticle

CSL_SUFFIX = ".csl.json"
FRONTMATTER_SUFFIX = ".frontmatter.json"
# (suffix, media type) of every file this module makes, in output order.
FILES = (
    (".bib", "application/x-bibtex"),
    (".ris", "application/x-research-info-systems"),
    (CSL_SUFFIX, "application/vnd.citationstyles.csl+json"),
    (FRONTMATTER_SUFFIX, "application/json"),
)


def all_files(resolved: ResolvedArticle, front: FrontMatter) -> list[tuple[str, str, bytes]]:
    """(suffix, media type, bytes) for every export of one article."""
    makers = (bibtex, ris, csl_json, lambda r: frontmatter_json(front))
    return [
        (suffix, media, make(resolved).encode("utf-8"))
        for (suffix, media), make in zip(FILES, makers, strict=True)
    ]


def citation_key(resolved: ResolvedArticle) -> str:
    """ "malik2014pakistan": first author's family name, year, first title word, ASCII."""
    metadata = resolved.metadata
    first = metadata.authors[0] if metadata.authors else None
    family = (first.family or first.literal) if first else "anon"
    year = str(metadata.date.year) if metadata.date else ""
    words = re.findall(r"\w+", csl_item(resolved)["title"])
    stop = {"a", "an", "the", "on", "of", "in"}
    word = next((w for w in words if w.lower() not in stop), "")
    key = f"{family}{year}{word}".lower()
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_key) or metadata.slug.replace("-", "")


def csl_json(resolved: ResolvedArticle) -> str:
    item = dict(csl_item(resolved), id=citation_key(resolved))
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


def import_writers() -> None:
    """Import the libraries the exports are written with (~30 ms), ahead of the first article:
    a build's warm-up does it while pandoc parses."""
    import bibtexparser  # noqa: F401
    import pylatexenc.latexencode  # noqa: F401
    import rispy  # noqa: F401


def bibtex(resolved: ResolvedArticle) -> str:
    """A BibTeX @article entry written by bibtexparser, non-ASCII encoded as LaTeX."""
    import bibtexparser
    from bibtexparser.model import Entry, Field

    item = csl_item(resolved)
    metadata = resolved.metadata
    fields = {
        "title": item.get("title", ""),
        "journal": item.get("container-title", ""),
        "year": str(metadata.date.year) if metadata.date else "",
        "month": str(metadata.date.month or "") if metadata.date else "",
        "volume": item.get("volume", ""),
        "number": item.get("issue", ""),
        "pages": item.get("page", "").replace("-", "--"),
        "issn": item.get("ISSN", ""),
        "publisher": item.get("publisher", ""),
        "doi": item.get("DOI", ""),
        "url": item.get("URL", ""),
        "keywords": item.get("keyword", ""),
        "abstract": item.get("abstract", ""),
        "language": item.get("language", ""),
    }
    verbatim = {"doi", "url"}  # read as-is by biblatex and most managers
    encoded = {k: v if k in verbatim else latex(v) for k, v in fields.items() if v}
    authors = " and ".join(_bibtex_name(n) for n in item.get("author", []))
    if authors:
        encoded = {"author": authors, **encoded}
    entry = Entry("article", citation_key(resolved), [Field(k, v) for k, v in encoded.items()])
    return bibtexparser.write_string(bibtexparser.Library([entry]))


def latex(text: str) -> str:
    """`text` as a BibTeX field value: LaTeX specials and non-ASCII encoded."""
    from pylatexenc.latexencode import unicode_to_latex

    return unicode_to_latex(
        text, non_ascii_only=False, unknown_char_policy="keep", unknown_char_warning=False
    )


def _bibtex_name(name: dict[str, str]) -> str:
    """ "van Gogh, Jr., Vincent"; a literal (organisation) name braced so it is not split."""
    if "literal" in name:
        return "{" + latex(name["literal"]) + "}"
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    parts = [family, name.get("suffix", ""), name.get("given", "")]
    return ", ".join(latex(p) for p in parts if p)


def ris(resolved: ResolvedArticle) -> str:
    """An RIS record (JOUR) written by rispy."""
    import rispy

    item = csl_item(resolved)
    metadata = resolved.metadata
    record: dict[str, object] = {"type_of_reference": "JOUR"}
    names = []
    for name in item.get("author", []):
        if "literal" in name:
            names.append(name["literal"])
        else:
            family = " ".join(
                p for p in (name.get("non-dropping-particle"), name.get("family")) if p
            )
            names.append(", ".join(p for p in (family, name.get("given"), name.get("suffix")) if p))
    if names:
        record["authors"] = names
    pages = item.get("page", "")
    start, _, end = pages.partition("-")
    optional = {
        "title": item.get("title"),
        "journal_name": item.get("container-title"),
        "volume": item.get("volume"),
        "number": item.get("issue"),
        "start_page": start,
        "end_page": end,
        "issn": item.get("ISSN"),
        "publisher": item.get("publisher"),
        "doi": item.get("DOI"),
        "urls": [item["URL"]] if item.get("URL") else None,
        "keywords": list(metadata.keywords) or None,
        "abstract": item.get("abstract"),
        "language": item.get("language"),
        "year": str(metadata.date.year) if metadata.date else None,
        "date": metadata.date.slashed() if metadata.date else None,  # 2017, 2017/08 …
    }
    record.update({k: v for k, v in optional.items() if v})
    return rispy.dumps([record], implementation=_ris_writer())


def _ris_writer() -> type:
    import rispy

    class RisWriter(rispy.RisWriter):
        """rispy's writer without its "1." line before each record."""

        def set_header(self, count: int) -> str:
            return ""

    return RisWriter


def frontmatter_json(front: FrontMatter) -> str:
    return json.dumps(front.to_json(), indent=2, ensure_ascii=False) + "\n"
