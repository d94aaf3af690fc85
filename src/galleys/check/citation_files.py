"""The citation files beside the editions (BibTeX, RIS, CSL JSON) parse and name the title."""

from __future__ import annotations

import json
from pathlib import Path

from galleys.front.frontmatter import FrontMatter


def check_citation_files(folder: Path, slug: str, front: FrontMatter) -> list[str]:
    """Each citation file parses and names the article's title."""
    import bibtexparser
    import rispy

    problems = []
    title = front.title_text

    def titles_in(path: Path) -> list[str]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".bib":
            library = bibtexparser.parse_string(text)
            if library.failed_blocks or len(library.entries) != 1:
                raise ValueError("not exactly one BibTeX entry")
            return [f.value for f in library.entries[0].fields if f.key == "title"]
        if path.suffix == ".ris":
            return [r.get("title", "") for r in rispy.loads(text)]
        return [item.get("title", "") for item in json.loads(text)]

    for suffix in (".bib", ".ris", ".csl.json"):
        path = folder / f"{slug}{suffix}"
        if not path.exists():
            problems.append(f"{path}: missing")
            continue
        try:
            found = titles_in(path)
        except Exception as error:
            problems.append(f"{path}: does not parse: {error}")
            continue
        if not any(_same_title(t, title) for t in found):
            problems.append(f"{path}: title {found[:1]} is not {title!r}")
    return problems


def _same_title(found: str, title: str) -> bool:
    """The file's title is the source's: as text, decoded from LaTeX, or LaTeX-encoded.

    (Decoding alone is not enough: pylatexenc reads {\\textasciicircum} back as U+02C6.)
    """
    from pylatexenc.latex2text import LatexNodes2Text

    from galleys.writers.citation_files import latex

    return (
        found.startswith(title)
        or found.startswith(latex(title))
        or LatexNodes2Text().latex_to_text(found).startswith(title)
    )


