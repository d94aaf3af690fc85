"""What an article's snapshot holds, and when its stat stamp changes."""

from __future__ import annotations

import os

from galleys.builder import snapshot
from galleys.builder.snapshot import stat_stamp, take_snapshot


def _folder(tmp_path):
    source = tmp_path / "source"
    article = source / "real-name" / "article.md"
    (article.parent / "figures").mkdir(parents=True)
    article.write_text("---\ntitle: T\n---\nBody.\n")
    (article.parent / "figures" / "a.png").write_bytes(b"png")
    (article.parent / "references.bib").write_text("@book{k, title={T}}\n")
    (article.parent / ".hidden").write_text("not an input")
    (article.parent / ".cache").mkdir()
    (article.parent / ".cache" / "x").write_text("not an input")
    (article.parent / "inside.png").symlink_to(article.parent / "figures" / "a.png")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the folder")
    (article.parent / "outside.txt").symlink_to(secret)
    (article.parent / "broken.png").symlink_to(tmp_path / "nothing-here")
    (source / "journal.yaml").write_text("journal: J\n")
    return article


def test_a_snapshot_holds_the_folder_files_links_inside_and_journal_yaml(tmp_path):
    article = _folder(tmp_path)
    taken = take_snapshot(article)
    assert [name for name, _ in taken.files] == [
        "article.md", "figures/a.png", "inside.png", "references.bib"]
    assert dict(taken.files)["inside.png"] == b"png"
    assert taken.journal_yaml == b"journal: J\n"
    assert taken.folder_name == "real-name"
    linked = tmp_path / "source" / "linked-name"
    linked.symlink_to(article.parent)
    assert take_snapshot(linked / "article.md").folder_name == "real-name"


def test_the_stamp_follows_every_input_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "RACY_SECONDS", 0)
    article = _folder(tmp_path)
    first = stat_stamp(article)
    assert first is not None and stat_stamp(article) == first
    (article.parent / ".hidden").write_text("changed, but hidden")
    (tmp_path / "secret.txt").write_text("changed, but outside")
    assert stat_stamp(article) == first
    for changed in (article.parent / "figures" / "a.png", tmp_path / "source" / "journal.yaml"):
        before = stat_stamp(article)
        changed.write_bytes(changed.read_bytes() + b"!")
        os.utime(changed, ns=(1, 1))  # even with its old times back, size and ctime tell
        assert stat_stamp(article) != before
    (tmp_path / "source" / "journal.yaml").unlink()
    assert stat_stamp(article) not in (None, first)


def test_a_just_changed_folder_has_no_stamp(tmp_path):
    article = _folder(tmp_path)
    assert stat_stamp(article) is None  # written within RACY_SECONDS: read it
