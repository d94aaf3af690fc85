"""An article's inputs as plain bytes: what a worker anywhere needs, and what the build hashes."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from galleys.errors import GalleysError, InputMissingError, SourceError
from galleys.read import files

MAX_FOLDER_BYTES = 200_000_000
MAX_FOLDER_FILES = 2_000
JOURNAL_FILE = "journal.yaml"
RACY_SECONDS = 2  # a file changed this recently is read, whatever its stamp


@dataclass(frozen=True)
class ArticleInput:
    """The article folder's files and journal.yaml, with the paths messages should name."""

    article_path: str  # the article file as the user named it: source/<slug>/article.md
    folder_name: str
    article_name: str
    files: tuple[tuple[str, bytes], ...]  # (posix path inside the folder, bytes), sorted
    journal_yaml: bytes | None
    # Links leading out of the allowed root (files.py), never read: a copy links them to
    # nowhere readable, so the article shows a placeholder there, as from its own folder.
    unread: tuple[str, ...] = ()

    def digest(self) -> str:
        """sha256 of everything the article's editions are made from."""
        h = hashlib.sha256()
        for name, data in self.files:
            h.update(f"{name}\0{len(data)}\0".encode())
            h.update(data)
        h.update(b"journal\0" + (self.journal_yaml if self.journal_yaml is not None else b"-"))
        h.update(f"\0{self.folder_name}/{self.article_name}".encode())
        for name in self.unread:
            h.update(f"\0unread\0{name}".encode())
        return h.hexdigest()

    def materialize(self, root: Path) -> Path:
        """Write the files below `root` as SOURCE/<folder>/…; return the article file's path."""
        folder = root / self.folder_name
        for name, data in self.files:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for name in self.unread:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.devnull, folder / name)
        if self.journal_yaml is not None:
            (root / JOURNAL_FILE).write_bytes(self.journal_yaml)
        return folder / self.article_name

    def rename_paths(self, text: str, root: Path) -> str:
        """A message about the materialized copy, naming the user's own files instead."""
        original = Path(self.article_path).parent
        text = text.replace(str(root / JOURNAL_FILE), str(original.parent / JOURNAL_FILE))
        return text.replace(str(root / self.folder_name), str(original))


def take_snapshot(article: Path) -> ArticleInput:
    """Read the article's folder (links leading out of it are left out), the figures of its
    parent folder it names, and its journal.yaml."""
    folder = article.parent
    files: list[tuple[str, bytes]] = []
    total = 0
    unread: list[str] = []
    for name, path, _info in _members(article, unread):
        with open(path, "rb") as handle:
            data = handle.read()
        total += len(data)
        if total > MAX_FOLDER_BYTES:
            raise _too_big(folder)
        files.append((name, data))
    journal = _journal(article)
    return ArticleInput(
        article_path=str(article),
        folder_name=_folder_name(folder),
        article_name=article.name,
        files=tuple(files),
        journal_yaml=journal.read_bytes() if journal.is_file() else None,
        unread=tuple(unread),
    )


def stat_stamp(article: Path) -> str | None:
    """A hash of the names, sizes, times and inodes of every file take_snapshot would read.

    Equal stamps mean unchanged files without reading a byte, as git's index does; None when
    a file changed within RACY_SECONDS, as a later change within the clock's step could leave
    its stamp unchanged (and for a folder that cannot be read: take_snapshot says why).
    """
    try:
        h = hashlib.sha256(f"{article}\0{_folder_name(article.parent)}".encode())
        unread: list[str] = []
        members = _members(article, unread)
        h.update("\0".join(unread).encode())
        try:
            journal = os.stat(_journal(article))
            if stat.S_ISREG(journal.st_mode):
                members.append((f"../{JOURNAL_FILE}", "", journal))
        except FileNotFoundError:
            pass
        newest = 0
        for name, _path, info in members:
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
            h.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0"
                     f"{info.st_ino}\0".encode())
    except (GalleysError, OSError):
        return None
    if newest > time.time_ns() - RACY_SECONDS * 1_000_000_000:
        return None
    return h.hexdigest()


def _folder_name(folder: Path) -> str:
    """The name of the folder the article's files are in: a linked folder's target's name."""
    if folder.name in ("", ".", "..") or os.path.islink(folder):
        return folder.resolve().name or "article"
    return folder.name


def _members(article: Path, unread: list[str] | None = None
             ) -> list[tuple[str, str, os.stat_result]]:
    """The files of the article's folder a snapshot holds: (posix name inside it, path, stat),
    sorted by name.

    Hidden files and folders, linked folders, and linked files that lead out of the folder
    are left out, but for a link to a figure file inside the allowed root (files.py), which
    is held; `unread` gets the names of links leading out of the root.
    """
    if not article.is_file():
        raise InputMissingError("no such article file", path=article)
    folder = os.fspath(article.parent)
    inside = ""  # the folder's real path and a separator, found when a linked file is met
    found: list[tuple[str, str, os.stat_result]] = []

    def walk(directory: str, prefix: str) -> None:
        nonlocal inside
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")
                continue
            if entry.is_symlink():
                inside = inside or os.path.join(os.path.realpath(folder), "")
                real = os.path.realpath(entry.path)
                if not real.startswith(inside) and not files.readable_link(real, article):
                    if unread is not None and not files.is_inside_root(real, article):
                        unread.append(prefix + entry.name)
                    continue
            try:
                info = entry.stat()  # of the file a link leads to
            except OSError:  # a broken link
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if len(found) >= MAX_FOLDER_FILES:
                raise _too_big(article.parent)
            found.append((prefix + entry.name, entry.path, info))

    walk(folder, "")
    for name, path in files.outside_files(article):  # "../docs/x.pdf": see files.py
        if len(found) >= MAX_FOLDER_FILES:
            raise _too_big(article.parent)
        found.append((name, path, os.stat(path)))
    found.sort(key=lambda member: member[0])
    return found


def _journal(article: Path) -> Path:
    """The journal.yaml an article shares with the others of its source folder."""
    return article.parent.parent / JOURNAL_FILE


def _too_big(folder: Path) -> SourceError:
    return SourceError(
        f"the article folder holds over {MAX_FOLDER_BYTES // 1_000_000} MB or "
        f"{MAX_FOLDER_FILES} files",
        path=folder,
    )
