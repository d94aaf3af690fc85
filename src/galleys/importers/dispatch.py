"""`galleys import`: turns a foreign file into source/<slug>/article.md (+ journal.yaml, figures/).

Each importer reads one kind of file (by suffix) into an Imported: the metadata and report
(ImportResult), the body as Pandoc Markdown, and any files (figures) that go beside article.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from galleys.builder.deliver import write_atomic
from galleys.errors import OutputError, UsageError
from galleys.importers.ojs_text import ImportResult, escape_markdown, parse_ojs_text
from galleys.read.markdown import JOURNAL_FILE
from galleys.read.text import read_text
from galleys.read.yamltext import load_yaml

Warn = Callable[[str], None]


@dataclass
class Imported:
    """What an importer made: metadata and report, Markdown body, files inside the folder."""

    result: ImportResult
    body: str  # Pandoc Markdown
    files: dict[str, bytes] = field(default_factory=dict)  # "figures/figure-1.png" -> bytes


def _ojs_text(path: Path, warn: Warn, _journal: Path) -> Imported:
    result = parse_ojs_text(read_text(path, warn), path)
    return Imported(result, "\n\n".join(escape_markdown(p) for p in result.body_paragraphs))


def _docx(path: Path, warn: Warn, journal: Path) -> Imported:
    # lxml is loaded only when a DOCX is imported
    from galleys.importers.docx import caption_words, import_docx

    imported = import_docx(path, caption_words(journal, warn))
    return Imported(imported.result, imported.body, imported.figures)


# Each importer: the file, where warnings go, and the journal.yaml the article will belong to.
IMPORTERS: dict[str, Callable[[Path, Warn, Path], Imported]] = {
    ".txt": _ojs_text, ".docx": _docx}


def import_file(
    path: Path,
    out_dir: Path | None,
    source_root: Path,
    *,
    force: bool = False,
    warn: Warn = lambda _: None,
) -> tuple[Path, ImportResult]:
    """Import `path`; write article.md (and figures) into out_dir (default source_root/<slug>/)."""
    importer = IMPORTERS.get(path.suffix.lower())
    if importer is None:
        known = ", ".join(IMPORTERS)
        raise UsageError(f"cannot import {path.suffix or 'this'} files (known: {known})", path=path)
    imported = importer(path, warn, (out_dir.parent if out_dir else source_root) / JOURNAL_FILE)
    result = imported.result
    folder = out_dir if out_dir is not None else source_root / result.slug
    target = folder / "article.md"
    files = _checked_files(folder, imported.files)
    for existing in [target, *files]:
        if existing.exists() and not force:
            raise OutputError("already exists (use --force to replace it)", path=existing)
    try:
        for parent in sorted({p.parent for p in [target, *files]}):
            parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", path=folder) from None
    for file_path, data in files.items():
        write_atomic(file_path, data)
    write_atomic(target, article_markdown(result, imported.body).encode("utf-8"))
    for note in result.notes:
        warn(f"{target}: note: {note}")
    if result.journal_title:
        _update_journal_yaml(folder.parent / JOURNAL_FILE, result.journal_title, warn)
    return target, result


def _checked_files(folder: Path, files: dict[str, bytes]) -> dict[Path, bytes]:
    """Every file an importer made, each checked to land inside `folder`."""
    root = folder.resolve()
    checked: dict[Path, bytes] = {}
    for relative, data in files.items():
        candidate = (folder / relative).resolve()
        if not candidate.is_relative_to(root) or candidate == root:
            raise OutputError(
                f"refused to write {relative!r}: outside the article folder", path=folder
            )
        checked[candidate] = data
    return checked


def article_markdown(result: ImportResult, body: str | None = None) -> str:
    """article.md text: a report of what is missing as comments, front matter, body.

    `body` is Pandoc Markdown; without it, the result's plain paragraphs are escaped.
    """
    comments = [f"# galleys import: not found, fill in if known: {m}" for m in result.missing]
    comments += [f"# galleys import: {_one_line(n)}" for n in result.notes]
    front = yaml.dump(result.front, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    if body is None:
        body = "\n\n".join(escape_markdown(p) for p in result.body_paragraphs)
    return "---\n" + "".join(c + "\n" for c in comments) + front + "---\n\n" + body + "\n"


class _Dumper(yaml.SafeDumper):
    """Safe YAML with text of several lines (an abstract) as a literal block."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _update_journal_yaml(path: Path, title: str, warn: Callable[[str], None]) -> None:
    """Create journal.yaml with the journal's title, or add the title where it has none."""
    data: dict = {}
    if path.exists():
        data = load_yaml(read_text(path, warn), path).data or {}
        journal = data.get("journal")
        existing = journal.get("title") if isinstance(journal, dict) else journal
        if existing:
            if existing != title:
                warn(
                    f"{path}: warning: journal title is {existing!r}, the import says {title!r};"
                    " kept the existing one"
                )
            return
    kept: dict = data["journal"] if isinstance(data.get("journal"), dict) else {}
    data["journal"] = {"title": title, **kept}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    write_atomic(path, text.encode("utf-8"))
