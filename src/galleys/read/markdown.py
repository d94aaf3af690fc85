"""Reads source/<slug>/article.md (Pandoc Markdown + YAML) and journal.yaml into the model.

Pandoc, JOSS and Quarto front-matter conventions are all normalized here into one Metadata.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from galleys.errors import InputMissingError, SourceError
from galleys.front import styles
from galleys.model import (
    Affiliation,
    Article,
    Author,
    Depositor,
    FontChoice,
    FontFamily,
    Journal,
    License,
    Metadata,
    PublicationDate,
)
from galleys.read import dates
from galleys.read.branding import read_branding
from galleys.read.escapes import decode
from galleys.read.names import split_honorific, split_name
from galleys.read.overrides import MetadataOverrides
from galleys.read.text import read_text
from galleys.read.yamltext import KeyPath, YamlDoc, load_yaml

JOURNAL_FILE = "journal.yaml"
FAMILY_FIRST_LANGUAGES = {"vi", "hu"}  # "Nguyễn Văn An", "Kovács János"
BIBLIOGRAPHY_SUFFIXES = (".bib", ".bibtex", ".json", ".yaml", ".ris")

KNOWN_KEYS = {
    "title",
    "subtitle",
    "author",
    "authors",
    "affiliations",
    "journal",
    "date",
    "date-format",
    "csl",
    "doi",
    "url",
    "license",
    "licence",
    "abstract",
    "keywords",
    "tags",
    "lang",
    "citation-style",
    "slug",
    "citation",
    "bibliography",
    "fonts",
    "labels",
    "reference-section-title",
    "site-url",
    "branding",
    "reference-doc",
}
_LIST_TITLE = "reference-section-title"  # pandoc's key: the reference list's heading
# Keys pandoc or Quarto use for other purposes; read by them, harmless to us.
IGNORED_KEYS = {
    "nocite",
    "link-citations",
    "toc",
    "execute",
    "jupyter",
    "editor",
    "header-includes",
    "keep-tex",
    "keywords-formatted",
    "short-title",
    "colorlinks",
    "classoption",
    "number-sections",
    "filters",
    "engine",
    "knitr",
    "crossref",
    "cite-method",
    "pdf-engine",
    "github",
    "repo",
    "editor_options",
    "biblio-style",
    "papersize",
    "linestretch",
    "documentclass",
    "geometry",
    "fontsize",
    "mainfont",
    "categories",
    "description",
    "aas-doi",
    "aas-journal",
}
# Keys that change what Quarto (or R Markdown) would print, which galleys does not print:
# ignored, with one warning naming them (`format:`, `output:` choose their own templates; the
# others are those templates' content).
QUARTO_PRINTED_KEYS = (
    "format",
    "output",
    "plain-language-summary",
    "key-points",
    "acm-metadata",
    "sigstatement",
)
QUARTO_KEYS = set(QUARTO_PRINTED_KEYS)
# Article file names `galleys convert FOLDER` looks for (before any other .md, .qmd file).
ARTICLE_NAMES = (
    "article.md",
    "article.qmd",
    "index.md",
    "index.qmd",
    "paper.md",
    "paper.qmd",
    "manuscript.md",
    "manuscript.qmd",
    "template.qmd",
)
ARTICLE_SUFFIXES = (".md", ".qmd", ".markdown")
# Names that say nothing of which article a file or folder holds: the slug is then taken
# from the folder (above): repo/paper/paper.md is "repo", my-study/article.md is "my-study".
GENERIC_NAMES = {
    "article",
    "paper",
    "papers",
    "index",
    "template",
    "main",
    "manuscript",
    "joss",
    "joss-paper",
    "paper-joss",
    "doc",
    "docs",
    "source",
    "src",
}
# Quarto's date-format words and the patterns they stand for in English (dayjs tokens).
DATE_FORMATS = {
    "full": "dddd, MMMM D, YYYY",
    "long": "MMMM D, YYYY",
    "medium": "MMM D, YYYY",
    "short": "M/D/YY",
    "iso": "YYYY-MM-DD",
}
JOURNAL_KEYS = {"title", "volume", "issue", "issue-title", "pages", "issn", "eissn", "publisher"}
FONT_KEYS = {"serif", "sans", "mono", "fallback"}
DEPOSITOR_KEYS = {"depositor", "email", "registrant"}  # journal.yaml's `crossref:`
LABEL_KEYS = {  # source key -> frontmatter.Labels field
    "abstract": "abstract",
    "keywords": "keywords",
    "how-to-cite": "how_to_cite",
    "published": "published",
    "doi": "doi",
    "url": "url",
    "license": "license",
    "licence": "license",
    "orcid": "orcid",
    "affiliations": "affiliations",
    "corresponding": "corresponding",
    "equal-contribution": "equal_contribution",
    "email": "email",
    "figure": "figure",
    "table": "table",
    "equation": "equation",
    "section": "section",
    "references": "references",
}
AUTHOR_KEYS = {
    "name",
    "given",
    "family",
    "given-names",
    "surname",
    "literal",
    "group",  # an organisation: its name is never split into given and family
    "non-dropping-particle",
    "dropping-particle",
    "suffix",
    "honorific",
    "orcid",
    "email",
    "corresponding",
    "affiliation",
    "affiliations",
    "equal-contrib",
    "role",
    "roles",
    "url",
    "attributes",
    "id",
    "alias",
    "note",
    "fax",
    "phone",
    "degrees",  # Quarto's author schema, read by Quarto's own templates
    "acknowledgements",
    "number",
    "metadata",
}
_CC = {
    "cc-by": "by",
    "cc-by-sa": "by-sa",
    "cc-by-nd": "by-nd",
    "cc-by-nc": "by-nc",
    "cc-by-nc-sa": "by-nc-sa",
    "cc-by-nc-nd": "by-nc-nd",
}
ORCID_PLACEHOLDER = "0000-0000-0000-0000"
_ORCID = re.compile(r"^(\d{4}-){3}\d{3}[\dX]$")
_EMAIL = re.compile(r"^[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+$")
_NAME_NOTE = re.compile(r"\^\[([^\[\]]*)\]")  # Pandoc's inline note, written in a name
_NAME_EMAIL = re.compile(r"\s*[(<]\s*(?:mailto:)?([^\s@()<>]+@[^\s@()<>]+)\s*[)>]\s*$")
_CORRESPONDING_NOTE = re.compile(r"^\s*corresponding author\W*$", re.IGNORECASE)
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


def read_article(
    path: Path,
    warn: Callable[[str], None] | None = None,
    *,
    origin: Path | None = None,
    overrides: MetadataOverrides | None = None,
) -> Article:
    """Parse an article file and its journal.yaml into an Article, or raise SourceError.

    `origin` is where the article really lives when `path` is a copy of it (a build's
    worker reads a copy): its slug, `csl:` file and `date: today` are the original's (the
    file ones the copy's where the original cannot be seen: a worker on another machine).
    `overrides`: -M values and --metadata-file texts layered in (read.overrides).
    """
    path = Path(path)
    if not path.is_file():
        raise InputMissingError("no such article file", path=path)
    warnings: list[str] = []

    def _warn(message: str) -> None:
        warnings.append(message)
        if warn:
            warn(message)

    text = read_text(path, _warn)
    front_text, body, front_line, body_line = _split_front_matter(text, path)
    doc = load_yaml(front_text, path, front_line)
    if not isinstance(doc.data, dict):
        raise SourceError("front matter must be a mapping of keys", path=path, line=front_line)
    journal_doc = _journal_defaults(path.parent.parent / JOURNAL_FILE, _warn)
    if overrides:
        doc, journal_doc = overrides.layered(doc, journal_doc)
    for yaml_doc in (doc, journal_doc):
        for message in yaml_doc.warnings if yaml_doc else ():
            _warn(message)
    original = Path(origin) if origin is not None and Path(origin).is_file() else path
    named = Path(origin) if origin is not None else path  # a copy's folder above is a temp one
    metadata = _Normalizer(doc, journal_doc, _warn).metadata(original, named)
    bibliography = _bibliography(doc, path)
    return Article(
        metadata=metadata,
        body=body,
        source_path=path,
        bibliography=bibliography,
        body_line=body_line,
        warnings=tuple(warnings),
    )


def find_article_file(folder: Path) -> Path:
    """The one article file in `folder` (article.md, paper.md, index.qmd …), or an error."""
    named = [folder / name for name in ARTICLE_NAMES if (folder / name).is_file()]
    found = named or sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in ARTICLE_SUFFIXES
        and p.is_file()
        and not p.name.startswith(".")
        and p.stem.upper() not in {"README", "LICENSE", "CHANGELOG", "CONTRIBUTING"}
    )
    if len(found) == 1:
        return found[0]
    if not found:
        raise InputMissingError(
            f"no article file in this folder (looked for {', '.join(ARTICLE_NAMES)})", path=folder
        )
    names = ", ".join(p.name for p in found)
    raise SourceError(f"several article files ({names}): name the one to convert", path=folder)


def default_slug(article: Path) -> tuple[str, str]:
    """The slug of an article without a `slug:` key, and the name it was made from: the file's
    stem unless it is generic (paper.md), else its folder's name unless generic, else the name
    of the folder above ("My Paper" becomes "my-paper")."""
    article = article.absolute()
    candidates = [article.stem, *(folder.name for folder in article.parents[:2])]
    for name in candidates:
        slug = slugify(name)
        if slug and slug not in GENERIC_NAMES:
            return slug, name
    name = next((n for n in candidates[1:] if slugify(n)), article.stem)
    return slugify(name), name


def slugify(name: str) -> str:
    """ "my-paper" from "My Paper", "etude" from "Étude": lower-case ASCII, spaces to '-'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9._]+", "-", folded).strip("-._")[:100].rstrip("-._")


def _split_front_matter(text: str, path: Path) -> tuple[str, str, int, int]:
    lines = text.split("\n")
    if not text.strip():
        raise SourceError("the file is empty", path=path, line=1)
    if not _FENCE.match(lines[0]):
        raise SourceError("no YAML front matter: the file must start with '---'", path=path, line=1)
    for index in range(1, len(lines)):
        if _END.match(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return front, body, 2, index + 2
    raise SourceError("front matter is not closed by '---' or '...'", path=path, line=1)


def _journal_defaults(path: Path, warn: Callable[[str], None]) -> YamlDoc | None:
    if not path.is_file():
        return None
    doc = load_yaml(read_text(path, warn), path, 1)
    if not isinstance(doc.data, dict):
        raise SourceError("journal.yaml must be a mapping of keys", path=path, line=1)
    return doc


def _bibliography(doc: YamlDoc, path: Path) -> Path | None:
    folder = path.parent
    value = doc.data.get("bibliography")
    if value is None:
        for name in ("references.bib", "references.json", "references.yaml"):
            if (folder / name).is_file():
                return folder / name
        return None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        raise doc.error(("bibliography",), "expected one file name")
    candidate = (folder / value).resolve()
    if not candidate.is_relative_to(folder.resolve()):
        raise doc.error(("bibliography",), f"{value!r} is outside the article folder")
    if candidate.suffix.lower() not in BIBLIOGRAPHY_SUFFIXES:
        raise doc.error(
            ("bibliography",), f"{value!r}: use one of {', '.join(BIBLIOGRAPHY_SUFFIXES)}"
        )
    if not candidate.is_file():
        raise doc.error(("bibliography",), f"bibliography file {value!r} does not exist")
    return candidate


class _Normalizer:
    """Turns the article's YAML (over journal.yaml defaults) into Metadata."""

    def __init__(self, doc: YamlDoc, journal: YamlDoc | None, warn: Callable[[str], None]):
        self.doc = doc
        self.journal = journal
        self.warn = warn

    # -- lookup over the article, then journal.yaml ------------------------------------
    def _get(self, key: str) -> tuple[Any, YamlDoc]:
        if key in self.doc.data:
            return self.doc.data[key], self.doc
        if self.journal is not None and key in self.journal.data:
            return self.journal.data[key], self.journal
        return None, self.doc

    def metadata(self, path: Path, named: Path) -> Metadata:
        """The metadata; `path` is the file a `date: today` or `csl:` is read beside, `named`
        the path the slug is made from."""
        for doc in (self.doc, self.journal):
            if doc is not None:
                self._check_keys(doc, doc.data, (), KNOWN_KEYS | IGNORED_KEYS | QUARTO_KEYS)
                self._quarto_keys(doc)
        title = self._text("title", required=True)
        authors, affiliations = self._authors()
        return Metadata(
            slug=self._slug(named),
            title=title,
            subtitle=self._text("subtitle"),
            authors=authors,
            affiliations=affiliations,
            journal=self._journal(),
            date=self._date(path),
            date_format=self._date_format(),
            doi=self._doi(),
            url=self._url(),
            license=self._license(),
            abstract=self._text("abstract"),
            keywords=self._keywords(),
            lang=self._lang(),
            citation_style=self._style(path),
            fonts=self._fonts(),
            labels=self._labels(),
            site_url=self._site_url(),
            depositor=self._depositor(),
            branding=read_branding(self.journal, self.doc, path.parent.parent, self.warn),
            reference_doc=self._reference_doc(path),
        )

    def _quarto_keys(self, doc: YamlDoc) -> None:
        """One warning naming the Quarto keys present whose output galleys does not make."""
        found = [key for key in QUARTO_PRINTED_KEYS if key in doc.data]
        if found:
            line = doc.line((found[0],))
            self.warn(
                f"{doc.path}:{line}: warning: {', '.join(found)}: Quarto's (R Markdown's) own "
                "output, ignored (galleys makes its own PDF, EPUB and DOCX editions)"
            )

    def _check_keys(self, doc: YamlDoc, data: dict, where: KeyPath, known: set[str]) -> None:
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                line = doc.line((*where, key))
                dotted = ".".join(str(k) for k in (*where, key))
                self.warn(f"{doc.path}:{line}: warning: unknown key {dotted!r}{hint}")

    # -- typed scalars -----------------------------------------------------------------
    def _text(self, key: str, *, required: bool = False) -> str:
        value, doc = self._get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise SourceError(f"missing {key}", path=self.doc.path, line=1, key=key)
            return ""
        return _as_text(value, doc, (key,), markdown=True)

    def _slug(self, path: Path) -> str:
        value = self.doc.data.get("slug")
        if value is None:
            return default_slug(path)[0] or "article"
        slug = _as_text(value, self.doc, ("slug",))
        if not _SLUG.match(slug):
            raise self.doc.error(
                ("slug",), f"{slug!r} is not a slug: use lower-case letters, digits, '-', '.', '_'"
            )
        return slug

    def _date(self, path: Path) -> PublicationDate | None:
        """The publication date as precise as written; one that is not a date (`XXX 2024`)
        is a warning and left out (an error with --strict)."""
        value, doc = self._get("date")
        if value is None:
            return None
        try:
            return dates.publication_date(value, path)
        except dates.UnreadableDate as exc:
            self.warn(f"{doc.path}:{doc.line(('date',))}: warning: date: {exc}; left out")
            return None

    def _date_format(self) -> str:
        """Quarto's `date-format` as a pattern of dayjs tokens ("long" is "MMMM D, YYYY")."""
        value, doc = self._get("date-format")
        if value is None:
            return ""
        text = _as_text(value, doc, ("date-format",)).strip()
        pattern = DATE_FORMATS.get(text.lower(), text)
        if "YY" not in re.sub(r"\[[^\]]*\]", "", pattern):  # "lng": a typo, not a format
            self.warn(
                f"{doc.path}:{doc.line(('date-format',))}: warning: date-format: {text!r} shows "
                f"no year (use {', '.join(DATE_FORMATS)} or a pattern such as D MMMM YYYY); "
                "the default is used"
            )
            return ""
        return pattern

    def _doi(self) -> str:
        value, doc = self._get("doi")
        if value is None:
            value = self._citation_field("doi")
        if value is None:
            return ""
        text = _as_text(value, doc, ("doi",)).strip()
        bare = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.IGNORECASE)
        if not re.match(r"^10\.\d{4,9}/\S+$", bare):
            raise doc.error(("doi",), f"{text!r} is not a DOI (10.NNNN/suffix)")
        return bare

    def _url(self) -> str:
        value, doc = self._get("url")
        if value is None:
            value = self._citation_field("url")
        if value is None:
            return ""
        text = _as_text(value, doc, ("url",)).strip()
        if not re.match(r"^https?://[^\s/]+", text, flags=re.IGNORECASE):
            raise doc.error(("url",), f"{text!r} is not an http(s) URL")
        return text

    def _family_first(self) -> bool:
        """Whether the article's language writes names family name first."""
        return self._lang().split("-")[0].lower() in FAMILY_FIRST_LANGUAGES

    def _lang(self) -> str:
        value, doc = self._get("lang")
        if value is None:
            return "en"
        text = _as_text(value, doc, ("lang",))
        if not _LANG.match(text):
            raise doc.error(("lang",), f"{text!r} is not a language tag such as en or ur-PK")
        return text

    def _style(self, path: Path) -> str:
        """The article's `csl:` file or `citation-style:` name, else journal.yaml's."""
        for doc in (self.doc, self.journal):
            if doc is None:
                continue
            if doc.data.get("csl") is not None:
                # the original's folder (of the article, or above it for journal.yaml), so a
                # build's worker, which reads a copy, names the very file the build did
                return self._csl_file(doc, path.parent if doc is self.doc else path.parent.parent)
            if doc.data.get("citation-style") is not None:
                name = _as_text(doc.data["citation-style"], doc, ("citation-style",))
                try:
                    styles.path(name)
                except Exception as exc:
                    raise doc.error(("citation-style",), str(exc)) from None
                return name
        return styles.DEFAULT

    def _csl_file(self, doc: YamlDoc, folder: Path) -> str:
        """`csl: journal.csl`: a style file inside `folder`, that of the YAML naming it."""
        value = _as_text(doc.data["csl"], doc, ("csl",)).strip()
        if re.match(r"^[a-z][a-z0-9+.-]*://", value, flags=re.IGNORECASE):
            self.warn(
                f"{doc.path}:{doc.line(('csl',))}: warning: csl: {value!r} is not fetched "
                f"(galleys reads no network); using {styles.DEFAULT}"
            )
            return styles.DEFAULT
        return styles.custom(_file_inside(doc, "csl", folder, "style file"))

    def _reference_doc(self, path: Path) -> str:
        """pandoc's `reference-doc:`: the journal's Word template for the DOCX edition, a .docx
        inside the folder of the YAML naming it (the article's own wins over journal.yaml's)."""
        for doc in (self.doc, self.journal):
            if doc is not None and doc.data.get("reference-doc") is not None:
                folder = path.parent if doc is self.doc else path.parent.parent
                found = _file_inside(doc, "reference-doc", folder, "Word template")
                if found.suffix.lower() not in (".docx", ".dotx"):
                    raise doc.error(("reference-doc",), "expected a Word file (.docx)")
                return str(found)
        return ""

    def _keywords(self) -> tuple[str, ...]:
        key = "keywords" if "keywords" in self.doc.data else "tags"
        value, doc = self._get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(k.strip() for k in re.split(r"[,;]", value) if k.strip())
        if not isinstance(value, list):
            raise doc.error((key,), "expected a list of keywords")
        return tuple(_as_text(k, doc, (key, i)) for i, k in enumerate(value))

    def _site_url(self) -> str:
        """`site-url`: the address dist/ is published at, always ending in "/"."""
        value, doc = self._get("site-url")
        if value is None:
            return ""
        text = _as_text(value, doc, ("site-url",)).strip()
        if not re.match(r"^https?://[^\s/]+\S*$", text, flags=re.IGNORECASE):
            raise doc.error(("site-url",), f"{text!r} is not an http(s) URL")
        return text if text.endswith("/") else text + "/"

    def _depositor(self) -> Depositor | None:
        """journal.yaml's `crossref: {depositor, email, registrant}` (an article's `crossref:`
        is Quarto's cross-reference options, ignored)."""
        doc = self.journal
        if doc is None or doc.data.get("crossref") is None:
            return None
        block = doc.data["crossref"]
        if not isinstance(block, dict):
            raise doc.error(("crossref",), "expected a mapping with depositor, email, registrant")
        self._check_keys(doc, block, ("crossref",), DEPOSITOR_KEYS)
        values = {}
        for key in sorted(DEPOSITOR_KEYS):
            if not block.get(key):
                raise doc.error(("crossref",), f"needs {key!r} (depositor, email, registrant)")
            values[key] = _as_text(block[key], doc, ("crossref", key)).strip()
        if not _EMAIL.match(values["email"]):
            raise doc.error(("crossref", "email"), f"{values['email']!r} is not an e-mail address")
        return Depositor(values["depositor"], values["email"], values["registrant"])

    def _license(self) -> License | None:
        key = "license"
        value, doc = self._get(key)
        if value is None:
            key = "licence"
            value, doc = self._get(key)
        if value is None:
            return None
        if isinstance(value, dict):
            name = value.get("name", value.get("text", value.get("type")))
            url = value.get("url", value.get("link", ""))
            if not name:
                raise doc.error((key,), "a licence needs a name (or text)")
            return License(_as_text(name, doc, (key, "name")), _as_text(url, doc, (key, "url")))
        text = _as_text(value, doc, (key,)).strip()
        return _known_license(text)

    # -- journal -----------------------------------------------------------------------
    def _citation_field(self, key: str) -> Any:
        citation = self.doc.data.get("citation")
        if isinstance(citation, dict):
            return citation.get(key)
        return None

    def _journal(self) -> Journal:
        fields: dict[str, str] = {}
        citation = self.doc.data.get("citation")
        if citation is not None and not isinstance(citation, dict):
            raise self.doc.error(("citation",), "expected a mapping (Quarto citation block)")
        if isinstance(citation, dict):
            mapping = {
                "container-title": "title",
                "volume": "volume",
                "issue": "issue",
                "page": "pages",
                "issn": "issn",
                "publisher": "publisher",
            }
            for source_key, field in mapping.items():
                if citation.get(source_key) is not None:
                    fields[field] = _as_text(
                        citation[source_key], self.doc, ("citation", source_key)
                    )
        for doc in (self.journal, self.doc):  # the article's own keys win
            if doc is None or "journal" not in doc.data:
                continue
            block = doc.data["journal"]
            if isinstance(block, str):
                fields["title"] = block
                continue
            if not isinstance(block, dict):
                raise doc.error(("journal",), "expected a mapping with title, volume, issue …")
            self._check_keys(doc, block, ("journal",), JOURNAL_KEYS)
            for key, value in block.items():
                if key in JOURNAL_KEYS and value is not None:
                    fields[key.replace("-", "_")] = _as_text(value, doc, ("journal", key))
        return Journal(**fields)

    def _blocks(self, key: str, known: Any, expected: str) -> Iterator[tuple[YamlDoc, dict]]:
        """The mapping under `key` in journal.yaml, then in the article (whose subkeys win),
        each checked for a mapping and for unknown subkeys."""
        for doc in (self.journal, self.doc):
            if doc is None or doc.data.get(key) is None:
                continue
            block = doc.data[key]
            if not isinstance(block, dict):
                raise doc.error((key,), expected)
            self._check_keys(doc, block, (key,), known)
            yield doc, block

    # -- fonts (PDF) -------------------------------------------------------------------------
    def _fonts(self) -> FontChoice:
        """`fonts:` of journal.yaml, each subkey the article gives overriding it; the families
        are looked up by the PDF edition, which alone needs them."""
        chosen: dict[str, Any] = {}
        expected = "expected a mapping with serif, sans, mono, fallback"
        for doc, block in self._blocks("fonts", FONT_KEYS, expected):
            for role in ("serif", "sans", "mono"):
                if block.get(role) is not None:
                    chosen[role] = _font_family(block[role], doc, ("fonts", role))
            value = block.get("fallback")
            if isinstance(value, list):
                chosen["fallback"] = tuple(
                    _font_family(item, doc, ("fonts", "fallback", i))
                    for i, item in enumerate(value)
                )
            elif value is not None:
                chosen["fallback"] = (_font_family(value, doc, ("fonts", "fallback")),)
        return FontChoice(**chosen)

    # -- labels ----------------------------------------------------------------------------
    def _labels(self) -> tuple[tuple[str, str], ...]:
        """`labels:` of journal.yaml, each the article gives overriding it: the words printed
        before front-matter values ("Abstract" …) in the journal's language."""
        chosen: dict[str, str] = {}
        expected = "expected a mapping such as {abstract: خلاصہ}"
        for doc, block in self._blocks("labels", LABEL_KEYS, expected):
            for key, value in block.items():
                if key in LABEL_KEYS and value is not None:
                    text = _as_text(value, doc, ("labels", key))
                    if not text.strip():
                        raise doc.error(("labels", key), "a label cannot be empty")
                    chosen[LABEL_KEYS[key]] = text.strip()
        for source in (self.journal, self.doc):  # pandoc's own key for the list's heading wins
            if source is not None and source.data.get(_LIST_TITLE) is not None:
                title = _as_text(source.data[_LIST_TITLE], source, (_LIST_TITLE,)).strip()
                if title:
                    chosen["references"] = title
        return tuple(sorted(chosen.items()))

    # -- authors and affiliations --------------------------------------------------------
    def _authors(self) -> tuple[tuple[Author, ...], tuple[Affiliation, ...]]:
        key = "authors" if "authors" in self.doc.data else "author"
        raw = self.doc.data.get(key)
        if raw is None:
            return (), ()
        if isinstance(raw, str | dict):
            raw = [raw]
        if not isinstance(raw, list):
            raise self.doc.error((key,), "expected an author name or a list of authors")
        registry = _AffiliationRegistry(self.doc)
        authors = [self._author(item, (key, i), registry) for i, item in enumerate(raw)]
        return tuple(authors), registry.used()

    def _author(self, item: Any, where: KeyPath, registry: _AffiliationRegistry) -> Author:
        doc = self.doc
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise doc.error(where, "expected an author name or a mapping with a name")
        self._check_keys(doc, item, where, AUTHOR_KEYS)
        parts: dict[str, str] = {}
        honorific = _as_text(item.get("honorific", ""), doc, (*where, "honorific"))
        name = item.get("name")
        attributes: dict = item["attributes"] if isinstance(item.get("attributes"), dict) else {}
        group = _flag(doc, item, {}, where, "group")
        name_notes: tuple[str, ...] = ()
        name_email = ""
        if isinstance(name, dict):
            parts.update(_name_parts(name, doc, (*where, "name")))
        elif name is not None:
            text = _as_text(name, doc, (*where, "name"))
            text, name_notes, name_email = _name_extras(text)
            found, rest = split_honorific(text) if not group else ("", text)
            if found and not honorific:
                honorific = found
            if group:
                parts["literal"] = rest
            else:
                parts.update(split_name(rest, self._family_first()) if rest else {})
        parts.update(_name_parts(item, doc, where))
        if not any(parts.get(k) for k in ("family", "given", "literal")):
            raise doc.error(where, "author has no name")
        orcid = _orcid(item.get("orcid"), doc, (*where, "orcid"), self.warn)
        affiliation_value = item.get("affiliations", item.get("affiliation"))
        aff_key = "affiliations" if "affiliations" in item else "affiliation"
        ids = registry.resolve(affiliation_value, (*where, aff_key))
        corresponding = _flag(doc, item, attributes, where, "corresponding", "corresponding")
        corresponding |= any(_CORRESPONDING_NOTE.match(n) for n in name_notes)
        notes = [n for n in name_notes if not _CORRESPONDING_NOTE.match(n)]
        notes += self._notes(item.get("note"), (*where, "note"))
        email = self._email(item.get("email", name_email or None), (*where, "email"))
        return Author(
            given=parts.get("given", ""),
            family=parts.get("family", ""),
            particle=parts.get("particle", ""),
            dropping_particle=parts.get("dropping_particle", ""),
            suffix=parts.get("suffix", ""),
            literal=parts.get("literal", ""),
            honorific=honorific,
            family_first=self._family_first(),
            orcid=orcid,
            email=email,
            corresponding=corresponding,
            equal_contributor=_flag(
                doc, item, attributes, where, "equal-contrib", "equal-contributor"
            ),
            notes=tuple(notes),
            affiliations=ids,
        )

    def _notes(self, value: Any, where: KeyPath) -> list[str]:
        """An author's `note:` (Quarto): one text or a list of them."""
        if value is None:
            return []
        if isinstance(value, list):
            texts = [_as_text(v, self.doc, (*where, i)) for i, v in enumerate(value)]
        else:
            texts = [_as_text(value, self.doc, where)]
        return [t.strip() for t in texts if t.strip()]

    def _email(self, value: Any, where: KeyPath) -> str:
        """The address, or "" with a warning for what is not one ("corresponding email")."""
        if value is None or value == "":
            return ""
        text = _as_text(value, self.doc, where).strip()
        address = re.sub(r"^mailto:", "", text, flags=re.IGNORECASE)
        if _EMAIL.match(address):
            return address
        dotted = ".".join(str(k) for k in where)
        self.warn(
            f"{self.doc.path}:{self.doc.line(where)}: warning: {dotted}: {text!r} is not an "
            "e-mail address; it is left out"
        )
        return ""


class _AffiliationRegistry:
    """Top-level affiliations (JOSS index, Quarto id) and inline ones, in first-use order."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.declared: dict[str, Affiliation] = {}
        self.order: list[str] = []
        raw = doc.data.get("affiliations")
        self.indexed = raw is not None  # author strings are then references, else names
        if raw is None:
            return
        if not isinstance(raw, list):
            raise doc.error(("affiliations",), "expected a list of affiliations")
        for index, entry in enumerate(raw, start=1):
            where: KeyPath = ("affiliations", index - 1)
            if isinstance(entry, str):
                entry = {"name": entry}
            if not isinstance(entry, dict):
                raise doc.error(where, "expected an affiliation mapping with a name")
            ident = entry.get("index", entry.get("id", index))
            ident = _as_text(ident, doc, (*where, "id"))
            if ident in self.declared:
                raise doc.error(where, f"affiliation id {ident!r} is used twice")
            self.declared[ident] = _affiliation(entry, doc, where, ident)

    def resolve(self, value: Any, where: KeyPath) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        ids: list[str] = []
        for i, item in enumerate(items):
            here = (*where, i) if isinstance(value, list) else where
            if isinstance(item, dict) and "ref" in item:
                ids.append(self._reference(_as_text(item["ref"], self.doc, here), here))
            elif isinstance(item, dict):
                ids.append(self._inline(_affiliation(item, self.doc, here, ""), item.get("id")))
            elif isinstance(item, str | int) and not isinstance(item, bool):
                text = str(item)
                if self.indexed:
                    for ref in (r.strip() for r in text.split(",")):
                        if ref:
                            ids.append(self._reference(ref, here))
                else:
                    ids.append(self._inline(Affiliation("", text.strip()), None))
            else:
                raise self.doc.error(here, "expected an affiliation id, name or mapping")
        return tuple(dict.fromkeys(ids))

    def _reference(self, ref: str, where: KeyPath) -> str:
        if ref not in self.declared:
            known = ", ".join(self.declared) or "none"
            raise self.doc.error(where, f"affiliation {ref!r} points nowhere (declared: {known})")
        self._use(ref)
        return ref

    def _inline(self, affiliation: Affiliation, ident: Any) -> str:
        for existing in self.declared.values():
            if existing.name == affiliation.name:
                self._use(existing.id)
                return existing.id
        new_id = str(ident) if ident is not None else f"aff-{len(self.declared) + 1}"
        self.declared[new_id] = replace(affiliation, id=new_id)
        self._use(new_id)
        return new_id

    def _use(self, ident: str) -> None:
        if ident not in self.order:
            self.order.append(ident)

    def used(self) -> tuple[Affiliation, ...]:
        return tuple(self.declared[i] for i in self.order)


def _affiliation(entry: dict, doc: YamlDoc, where: KeyPath, ident: str) -> Affiliation:
    """An affiliation mapping: its name the parts joined, in this order, and the parts kept."""
    parts = []
    for key in ("department", "name", "address", "city", "region", "state", "country"):
        if entry.get(key):
            parts.append((key, _as_text(entry[key], doc, (*where, key))))
    if not parts:
        raise doc.error(where, "affiliation has no name")
    return Affiliation(ident, ", ".join(text for _, text in parts), tuple(parts))


def _file_inside(doc: YamlDoc, key: str, folder: Path, what: str) -> Path:
    """The file `key` names, inside `folder` (that of the YAML naming it), or an error."""
    value = _as_text(doc.data[key], doc, (key,)).strip()
    folder = folder.resolve()
    candidate = (folder / value).resolve()
    if not candidate.is_relative_to(folder):
        raise doc.error((key,), f"{value!r} is outside the folder of {doc.path.name}")
    if not candidate.is_file():
        raise doc.error((key,), f"{what} {value!r} does not exist")
    return candidate


def _flag(
    doc: YamlDoc, item: dict, attributes: dict, where: KeyPath, key: str, attribute: str = ""
) -> bool:
    """A true/false author key, on the author (JOSS) or in its `attributes:` (Quarto)."""
    if key in item:
        value, here = item[key], (*where, key)
    elif attribute in attributes:
        value, here = attributes[attribute], (*where, "attributes", attribute)
    else:
        return False
    if not isinstance(value, bool):
        raise doc.error(here, "expected true or false")
    return value


def _name_extras(text: str) -> tuple[str, tuple[str, ...], str]:
    """A name without what JOSS papers write into it: inline notes ("Ana Gómez^[corresponding
    author]") and an e-mail in brackets ("Ana Gómez (ana@example.org)"); (name, notes, e-mail)."""
    notes = tuple(n.strip() for n in _NAME_NOTE.findall(text) if n.strip())
    text = _NAME_NOTE.sub("", text)
    match = _NAME_EMAIL.search(text)
    if match is None:
        return text.strip(), notes, ""
    return text[: match.start()].strip(), notes, match.group(1)


def _name_parts(data: dict, doc: YamlDoc, where: KeyPath) -> dict[str, str]:
    keys = {
        "given": "given",
        "given-names": "given",
        "family": "family",
        "surname": "family",
        "literal": "literal",
        "non-dropping-particle": "particle",
        "dropping-particle": "dropping_particle",
        "suffix": "suffix",
    }
    parts = {}
    for key, field in keys.items():
        if data.get(key) is not None:
            parts[field] = _as_text(data[key], doc, (*where, key)).strip()
    return parts


def _orcid(value: Any, doc: YamlDoc, where: KeyPath, warn: Callable[[str], None]) -> str:
    """The bare iD; one that is malformed, fails its check digit or is the template's
    0000-0000-0000-0000 is a warning and left out: never a link to someone else."""
    if value is None or value == "":
        return ""
    text = _as_text(value, doc, where).strip()
    bare = re.sub(r"^(https?://)?(www\.)?orcid\.org/", "", text, flags=re.IGNORECASE).upper()
    if not _ORCID.match(bare):
        why = "is not an ORCID iD (0000-0002-1825-0097)"
    elif bare == ORCID_PLACEHOLDER:
        why = "is a template's placeholder, not an ORCID iD"
    elif not _orcid_checksum_ok(bare):
        why = "is not an ORCID iD: its check digit is wrong"
    else:
        return bare
    dotted = ".".join(str(k) for k in where)
    warn(f"{doc.path}:{doc.line(where)}: warning: {dotted}: {text!r} {why}; left out")
    return ""


def _orcid_checksum_ok(orcid: str) -> bool:
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _known_license(text: str) -> License:
    match = re.match(r"^cc[-\s]?(by(?:[-\s](?:nc|sa|nd))*)[-\s]?(\d\.\d)?$", text.strip(), re.I)
    if match:
        kind = "cc-" + re.sub(r"\s", "-", match.group(1).lower())
        version = match.group(2) or "4.0"
        if kind in _CC:
            name = f"CC {_CC[kind].upper()} {version}"
            url = f"https://creativecommons.org/licenses/{_CC[kind]}/{version}/"
            return License(name, url)
    if text.upper() in {"CC0", "CC0-1.0", "CC0 1.0"}:
        return License("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/")
    if re.match(r"^https?://", text):
        return License(text, text)
    return License(text)


def _font_family(value: Any, doc: YamlDoc, where: KeyPath) -> FontFamily:
    name = _as_text(value, doc, where).strip()
    if not name:
        raise doc.error(where, "expected a font family name")
    return FontFamily(name, doc.path, doc.line(where), ".".join(str(k) for k in where[:2]))


def _as_text(value: Any, doc: YamlDoc, where: KeyPath, *, markdown: bool = False) -> str:
    """Text from a YAML scalar; numbers are fine (volume: 2), lists and mappings are not.

    TeX accents (F\\'ed\\'erale), escapes (\\&) and HTML entities (&nbsp;) become
    characters; in a `markdown` field (title, abstract) pandoc reads escapes and entities.
    """
    if isinstance(value, str):
        return decode(value, markdown=markdown)
    if isinstance(value, bool) or value is None:
        raise doc.error(where, f"expected text, got {value!r}")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    kind = "a list" if isinstance(value, list) else "a mapping"
    raise doc.error(where, f"expected text, got {kind}")
