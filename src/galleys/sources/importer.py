"""`galleys import`: turns a foreign file into source/<slug>/article.md (+ journal.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from ..build import write_atomic
from ..errors import OutputError, UsageError
from .markdown import JOURNAL_FILE
from .ojs_text import ImportResult, escape_markdown, parse_ojs_text
from .text import read_text
from .yamltext import load_yaml

IMPORTERS = {".txt": parse_ojs_text}


def import_file(
    path: Path,
    out_dir: Path | None,
    source_root: Path,
    *,
    force: bool = False,
    warn: Callable[[str], None] = lambda _: None,
) -> tuple[Path, ImportResult]:
    """Import `path`; write article.md into out_dir (default source_root/<slug>/)."""
    parser = IMPORTERS.get(path.suffix.lower())
    if parser is None:
        known = ", ".join(IMPORTERS)
        raise UsageError(f"cannot import {path.suffix or 'this'} files (known: {known})", path=path)
    result = parser(read_text(path, warn), path)
    folder = out_dir if out_dir is not None else source_root / result.slug
    target = folder / "article.md"
    if target.exists() and not force:
        raise OutputError("already exists (use --force to replace it)", path=target)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(target, article_markdown(result).encode("utf-8"))
    if result.journal_title:
        _update_journal_yaml(folder.parent / JOURNAL_FILE, result.journal_title, warn)
    return target, result


def article_markdown(result: ImportResult) -> str:
    """article.md text: a report of what is missing as comments, front matter, body."""
    comments = [f"# galleys import: not found, fill in if known: {m}" for m in result.missing]
    comments += [f"# galleys import: {n}" for n in result.notes]
    front = yaml.safe_dump(result.front, sort_keys=False, allow_unicode=True, width=100)
    body = "\n\n".join(escape_markdown(p) for p in result.body_paragraphs)
    return "---\n" + "".join(c + "\n" for c in comments) + front + "---\n\n" + body + "\n"


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
    journal = data.get("journal") if isinstance(data.get("journal"), dict) else {}
    data["journal"] = {"title": title, **journal}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    write_atomic(path, text.encode("utf-8"))
