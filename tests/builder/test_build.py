"""Whole-journal builds: parallel, incremental, batched citeproc, few pandoc processes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED, copy_seed
from pypdf import PdfReader

from galleys import pandoc, writers
from galleys.builder import keys
from galleys.builder.coordinator import build_all
from galleys.cli.main import main
from galleys.front import styles
from galleys.front.citation import how_to_cite_batch, how_to_cite_many
from galleys.read.markdown import read_article
from galleys.resolve.passes import parse_titles, resolve

ROOT = Path(__file__).resolve().parents[2]

ARTICLE = """---
title: "{title}"
author: {author}
date: 2020-0{month}-1{month}
journal: {{title: Journal of Tests, volume: 1, issue: {month}, pages: "{month}-9"}}
---

Paragraph {month} with *emphasis*.
"""


def make_source(root: Path, count: int = 4) -> Path:
    source = root / "source"
    authors = ["Ann Lee", "Ann Lee", "Bo Chen", "Dr. Cy Diaz", "Eve Ng"]  # same author, same year
    for i in range(count):
        folder = source / f"art-{i}"
        folder.mkdir(parents=True)
        text = ARTICLE.format(title=f"Article {i}", author=authors[i % len(authors)], month=i + 1)
        (folder / "article.md").write_text(text, encoding="utf-8")
    (source / "journal.yaml").write_text("citation-style: apa\n", encoding="utf-8")
    return source


def digests(dist: Path) -> dict[str, str]:
    return {
        p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dist.rglob("*"))
        if p.is_file() and not p.name.startswith(".")  # not the lock
    }


@pytest.fixture
def pandoc_calls(monkeypatch) -> list[list[str]]:
    """The arguments of every pandoc run from now on."""
    calls: list[list[str]] = []
    real = pandoc.run

    def counting(args, *rest, **kwargs):
        calls.append(args)
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(pandoc, "run", counting)
    return calls


def test_two_jobs_give_the_same_bytes_as_one(tmp_path):
    source = make_source(tmp_path)
    one = build_all(source, tmp_path / "one", ("pdf", "epub", "docx"), jobs=1)
    two = build_all(source, tmp_path / "two", ("pdf", "epub", "docx"), jobs=2)
    assert len(one.built) == len(two.built) == 4 and not one.failed and not two.failed
    assert digests(tmp_path / "one") == digests(tmp_path / "two")


def test_incremental_rebuilds_only_what_changed(tmp_path):
    source = make_source(tmp_path)
    dist = tmp_path / "dist"
    first = build_all(source, dist, ("pdf",))
    assert len(first.built) == 4
    again = build_all(source, dist, ("pdf",))
    assert (len(again.built), len(again.skipped)) == (0, 4)

    article = source / "art-2" / "article.md"
    article.write_text(article.read_text().replace("Paragraph", "Changed paragraph"))
    touched = build_all(source, dist, ("pdf",))
    assert [p.name for p in touched.built] == ["art-2"] and len(touched.skipped) == 3

    (dist / "art-1" / "art-1.pdf").unlink()  # a deleted output is rebuilt
    assert [p.name for p in build_all(source, dist, ("pdf",)).built] == ["art-1"]

    (source / "journal.yaml").write_text("citation-style: ieee\n")  # shared input: all
    assert len(build_all(source, dist, ("pdf",)).built) == 4
    assert len(build_all(source, dist, ("pdf",), style="apa").built) == 4  # a setting: all
    assert len(build_all(source, dist, ("pdf",), incremental=False).built) == 4


@pytest.mark.parametrize("jobs", [1, 2])  # in-process (parsed a step ahead), worker processes
def test_a_failing_article_does_not_stop_the_rest(tmp_path, jobs):
    source = make_source(tmp_path)
    (source / "art-1" / "article.md").write_text("---\ntitle: [broken\n---\n")
    (source / "art-2" / "article.md").write_text("---\ntitle: Fine\n---\n![x](missing.png)\n")
    result = build_all(source, tmp_path / "dist", ("pdf",), jobs=jobs)
    assert len(result.built) == 2
    failed = dict(result.failed)
    broken, missing = source / "art-1" / "article.md", source / "art-2" / "article.md"
    assert failed.keys() == {broken, missing}
    assert "malformed YAML" in failed[broken] and "missing.png" in failed[missing]
    for path, error in failed.items():
        assert error.startswith(str(path)), "the user's path, not a temporary copy's"


def test_batched_how_to_cite_equals_one_run_per_article(tmp_path):
    """All in one run per style: the same author twice in a year (APA would print "2020a"),
    the same family name with another given name (names would be expanded), the same author
    list twice (MLA would print "———"); each line must still be what it is alone."""
    source = make_source(tmp_path, count=5)
    for i, author in enumerate(["Bo Lee", "[Ann Lee, Bo Chen]", "[Ann Lee, Bo Chen]"], start=5):
        folder = source / f"art-{i}"
        folder.mkdir()
        text = ARTICLE.format(title=f"Article {i}", author=author, month=i % 9 + 1)
        (folder / "article.md").write_text(text, encoding="utf-8")
    articles = [read_article(p) for p in sorted(source.glob("*/article.md"))]
    titles = parse_titles(articles)
    batch = how_to_cite_batch(
        [(a.metadata, t, s) for a, (t, s) in zip(articles, titles, strict=True)],
        styles.RECOMMENDED,
    )
    for article, lines in zip(articles, batch, strict=True):
        single = how_to_cite_many(resolve(article), styles.RECOMMENDED)
        assert lines == single  # no "2020a", no "———", no numbers from other entries


def test_pandoc_processes_per_article(tmp_path, pandoc_calls, monkeypatch):
    """Two conversions per article (parse, DOCX) plus titles, all by pandoc servers; pandoc
    processes of their own: one citeproc run per landing-page style, and reference.docx."""
    from galleys import pandoc_server

    conversions, servers = [], []
    real_convert, real_init = pandoc_server.convert, pandoc_server.Server.__init__
    monkeypatch.setattr(pandoc_server, "convert",
                        lambda *a, **k: conversions.append(a[1]) or real_convert(*a, **k))
    monkeypatch.setattr(pandoc_server.Server, "__init__",
                        lambda self, *a: servers.append(1) or real_init(self, *a))
    monkeypatch.setattr(pandoc_server, "_idle", [])
    source = make_source(tmp_path, count=5)
    calls = pandoc_calls
    result = build_all(source, tmp_path / "dist", ("pdf", "epub", "docx"), jobs=1)
    assert len(result.built) == 5
    citeproc = [c for c in calls if "--citeproc" in c]
    assert len(citeproc) == len(styles.RECOMMENDED)  # one run per style for all five
    assert len(calls) - len(citeproc) <= 1  # reference.docx, once a process
    assert len(conversions) == 2 * 5 + 1  # parse and DOCX of each article, titles of all
    # two pandoc processes for all those conversions at most: one parses the next article
    # while the other writes this one's DOCX
    assert 1 <= len(servers) <= 2


def test_unchanged_folders_are_known_by_their_stat_alone(tmp_path, monkeypatch):
    from galleys.builder import coordinator as build
    from galleys.builder import snapshot

    monkeypatch.setattr(snapshot, "RACY_SECONDS", 0)  # trust the stat of files made just now
    source = make_source(tmp_path)
    dist = tmp_path / "dist"
    assert len(build_all(source, dist, ("pdf",)).built) == 4
    read: list[str] = []
    real = build.take_snapshot
    monkeypatch.setattr(build, "take_snapshot", lambda p: read.append(p.parent.name) or real(p))
    again = build_all(source, dist, ("pdf",))
    assert (len(again.built), len(again.skipped), read) == (0, 4, [])

    article = source / "art-2" / "article.md"  # other bytes, same size and modification time
    before = article.stat()
    article.write_text(article.read_text().replace("Paragraph 3", "Paragraph 9"))
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (article.stat().st_size, article.stat().st_mtime_ns) == (
        before.st_size, before.st_mtime_ns)
    touched = build_all(source, dist, ("pdf",))
    assert [p.name for p in touched.built] == ["art-2"] and read == ["art-2"]
    pages = PdfReader(dist / "art-2" / "art-2.pdf").pages
    assert "Paragraph 9" in "".join(page.extract_text() for page in pages)

    (source / "journal.yaml").write_text("citation-style: ieee\n")  # shared: every stamp
    assert len(build_all(source, dist, ("pdf",)).built) == 4


def test_a_folder_changed_just_now_is_read_whatever_its_stat(tmp_path, monkeypatch):
    """A change within the clock's step could leave the stamp as it was: such files are read."""
    from galleys.builder import coordinator as build

    source = make_source(tmp_path)
    dist = tmp_path / "dist"
    build_all(source, dist, ("pdf",))
    read: list[str] = []
    real = build.take_snapshot
    monkeypatch.setattr(build, "take_snapshot", lambda p: read.append(p.parent.name) or real(p))
    assert len(build_all(source, dist, ("pdf",)).skipped) == 4
    assert sorted(read) == ["art-0", "art-1", "art-2", "art-3"]


def test_build_on_a_dask_local_cluster_is_byte_identical(tmp_path):
    distributed = pytest.importorskip("distributed")
    source = make_source(tmp_path)
    local = build_all(source, tmp_path / "local", ("pdf", "epub", "docx"), jobs=1)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            remote = build_all(
                source, tmp_path / "dask", ("pdf", "epub", "docx"), executor=client.get_executor()
            )
        # The command line reaches the same cluster by its address.
        args = [
            "build",
            str(source),
            "-o",
            str(tmp_path / "cli"),
            "--to",
            "pdf,epub,docx",
            "--dask-scheduler",
            cluster.scheduler_address,
            "-q",
        ]
        assert main(args) == 0
    assert len(local.built) == len(remote.built) == 4
    assert digests(tmp_path / "local") == digests(tmp_path / "dask") == digests(tmp_path / "cli")


def test_the_seed_in_a_copied_tree_builds_like_the_committed_dist(tmp_path):
    """The seed's own files (not the journal's index and manifest, which list whatever else
    source/ holds) are those committed in dist/."""
    build_all(copy_seed(tmp_path / "source"), tmp_path / "dist", writers.names())
    committed = digests(ROOT / "dist" / SEED)
    fresh = digests(tmp_path / "dist" / SEED)
    assert fresh == committed
    assert {f"{SEED}.pdf", f"{SEED}.epub", f"{SEED}.docx"} <= set(fresh)


def test_how_to_cite_lines_of_an_unchanged_article_come_from_the_cache(tmp_path, request):
    """An edit to the body leaves the How-to-Cite lines alone: no citeproc run for them; an
    edit to the title makes new ones."""
    source = make_source(tmp_path, count=2)
    dist = tmp_path / "dist"
    build_all(source, dist, ("pdf",), jobs=1)
    assert (dist / ".galleys-cite.json").is_file()
    calls = request.getfixturevalue("pandoc_calls")  # counting from here
    article = source / "art-0" / "article.md"
    article.write_text(article.read_text() + "\nOne more sentence.\n")
    before = (dist / "art-0" / "art-0.frontmatter.json").read_bytes()
    build_all(source, dist, ("pdf",), jobs=1)
    assert not [c for c in calls if c[:2] == ["-f", "json"] and "--citeproc" in c]
    assert (dist / "art-0" / "art-0.frontmatter.json").read_bytes() == before
    article.write_text(article.read_text().replace("Article 0", "Article Zero"))
    build_all(source, dist, ("pdf",), jobs=1)
    assert [c for c in calls if c[:2] == ["-f", "json"] and "--citeproc" in c]
    front = json.loads((dist / "art-0" / "art-0.frontmatter.json").read_text())
    assert "Article Zero" in front["how_to_cite_text"]


def test_the_cite_cache_keeps_the_lines_of_one_galleys_and_pandoc(tmp_path):
    """Lines of an earlier galleys or pandoc (another salt) are dropped when the cache is read,
    so they do not pile up in dist/ from one upgrade to the next."""
    from galleys.front.citation import CiteCache
    from galleys.front.inlines import Run

    path = tmp_path / ".galleys-cite.json"
    item = {"id": "x", "type": "article-journal", "title": "T"}
    line = (Run("Author. T.", frozenset({"emph"}), "", ""),)
    old = CiteCache(path, "salt-1")
    old.put(item, "apa", "en", line)
    path.write_bytes(old.data())
    assert CiteCache(path, "salt-1").get(item, "apa", "en") == line
    newer = CiteCache(path, "salt-2")
    assert newer.entries == {} and newer.get(item, "apa", "en") is None
    path.write_text('{"not": "this format"}')
    assert CiteCache(path, "salt-1").entries == {}


def test_a_body_edit_rewrites_only_the_files_it_changes(tmp_path):
    source = make_source(tmp_path)
    dist = tmp_path / "dist"
    build_all(source, dist, ("pdf", "epub"))
    times = {p: p.stat().st_mtime_ns for p in dist.rglob("*") if p.is_file()}
    article = source / "art-2" / "article.md"
    article.write_text(article.read_text().replace("Paragraph", "Changed paragraph"))
    assert [p.name for p in build_all(source, dist, ("pdf", "epub")).built] == ["art-2"]
    changed = {p.relative_to(dist).as_posix() for p, t in times.items()
               if p.stat().st_mtime_ns != t}
    assert {"art-2/art-2.pdf", "art-2/art-2.epub", "manifest.json"} <= changed
    assert "index.html" not in changed, "the index shows titles and authors, not bodies"
    assert "art-2/art-2.frontmatter.json" not in changed and "art-2/art-2.bib" not in changed
    assert not any(name.startswith(("art-0/", "art-1/", "art-3/")) for name in changed)

    article.write_text(article.read_text().replace("Article 2", "Retitled"))
    build_all(source, dist, ("pdf", "epub"))
    assert "Retitled" in (dist / "index.html").read_text()

    shutil.rmtree(source / "art-3")  # an article withdrawn: index and manifest follow
    assert not build_all(source, dist, ("pdf", "epub")).built
    assert "Article 3" not in (dist / "index.html").read_text()
    assert "art-3/article.md" not in keys.read(dist)


def test_the_manifest_lists_files_and_the_galleys_version_only(tmp_path, capsys):
    """manifest.json: {"galleys", "files": [path, size, sha256]}; the input keys are in the
    hidden cache file, which build --check leaves out of its comparison."""
    from galleys import __version__

    source = make_source(tmp_path, count=2)
    dist = tmp_path / "dist"
    build_all(source, dist, ("pdf",))
    manifest = json.loads((dist / "manifest.json").read_text())
    assert set(manifest) == {"galleys", "files"} and manifest["galleys"] == __version__
    assert all(set(entry) == {"path", "size", "sha256"} for entry in manifest["files"])
    assert not any(entry["path"].startswith(".") for entry in manifest["files"])
    cached = keys.read(dist)
    assert set(cached) == {"art-0/article.md", "art-1/article.md"}
    assert all(len(entry["key"]) == 64 for entry in cached.values())
    (dist / keys.FILE).write_text("{}")  # a lost cache: everything is built again, same bytes
    before = digests(dist)
    assert len(build_all(source, dist, ("pdf",)).built) == 2
    assert digests(dist) == before
    assert main(["build", str(source), "-o", str(dist), "--to", "pdf", "--check", "-q"]) == 0


def _rebuilt(source: Path, dist: Path, formats: tuple[str, ...]) -> int:
    keys._code_key.cache_clear()
    return len(build_all(source, dist, formats).built)


def test_the_key_follows_output_versions_libraries_and_fonts(tmp_path, monkeypatch):
    """A writer's output version rebuilds the builds that make its format only; a library's
    version (uharfbuzz, pypdfium2 …) or the installed fonts rebuild the PDF builds."""
    source = make_source(tmp_path, count=2)
    dist = tmp_path / "dist"
    build_all(source, dist, ("pdf",))
    assert _rebuilt(source, dist, ("pdf",)) == 0
    monkeypatch.setitem(keys.OUTPUT_VERSIONS, "docx", keys.OUTPUT_VERSIONS["docx"] + 1)
    assert _rebuilt(source, dist, ("pdf",)) == 0, "another writer's version"
    monkeypatch.setitem(keys.OUTPUT_VERSIONS, "pdf", keys.OUTPUT_VERSIONS["pdf"] + 1)
    assert _rebuilt(source, dist, ("pdf",)) == 2
    real = keys.installed_versions()
    for name in ("uharfbuzz", "pypdfium2", "ziamath", "svglib"):
        monkeypatch.setattr(keys, "installed_versions", lambda n=name: {**real, n: "0.0.0"})
        assert _rebuilt(source, dist, ("pdf",)) == 2, name
    monkeypatch.setattr(keys, "installed_versions", lambda: real)
    assert _rebuilt(source, dist, ("pdf",)) == 2
    monkeypatch.setattr(keys, "fonts_digest", lambda: "a font was installed")
    assert _rebuilt(source, dist, ("pdf",)) == 2
    keys._code_key.cache_clear()


def test_a_comment_in_galleys_code_rebuilds_nothing(tmp_path):
    """The code is keyed by version numbers, not by its source: galleys with a comment added
    to a module (a copy of the package first on the path) skips every article and leaves
    dist/manifest.json as it was."""
    import subprocess
    import sys

    import galleys

    source = make_source(tmp_path, count=2)
    dist = tmp_path / "dist"
    copy = tmp_path / "code"
    shutil.copytree(Path(galleys.__file__).parent, copy / "galleys",
                    ignore=shutil.ignore_patterns("__pycache__"))

    def build() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "galleys", "build", str(source), "-o", str(dist), "--to",
             "pdf", "-j", "1"], capture_output=True, text=True, timeout=600,
            env={**os.environ, "PYTHONPATH": str(copy)})
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "2 built" in build()
    manifest = (dist / "manifest.json").read_bytes()
    module = copy / "galleys" / "writers" / "pdf" / "edition.py"
    module.write_text(module.read_text() + "\n# a comment changes no output\n")
    assert "0 built, 2 skipped" in build()
    assert (dist / "manifest.json").read_bytes() == manifest


def _journal_with_a_big_image(tmp_path: Path) -> Path:
    """Two small articles and one whose 49-megapixel noise image needs far more memory."""
    from PIL import Image

    source = tmp_path / "source"
    for name in ("a", "b"):
        (source / name).mkdir(parents=True)
        (source / name / "article.md").write_text(f"---\ntitle: Small {name}\n---\n\nText.\n")
    (source / "big").mkdir()
    Image.effect_noise((7000, 7000), 100).convert("RGB").save(source / "big" / "big.png",
                                                              compress_level=1)
    (source / "big" / "article.md").write_text("---\ntitle: Big\n---\n\n![x](big.png)\n")
    return source


def _over_memory(article: Path, megabytes: int) -> str:
    return (f"galleys: error: {article}: needed more than {megabytes} MB, the memory budget of "
            "one article (GALLEYS_ARTICLE_MEMORY_MB)")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_article_over_its_memory_budget_fails_alone(tmp_path, jobs):
    """The memory budget (GALLEYS_ARTICLE_MEMORY_MB): a worker's data limit with -j 2, the
    data an article may add to the build's own process with -j 1. The article that needs more
    fails with one line, exit 1 for the build, and the others are built beside it."""
    source = _journal_with_a_big_image(tmp_path)
    megabytes = 400 if jobs == "2" else 250  # a worker's whole data; an article's growth
    env = {**os.environ, "GALLEYS_ARTICLE_MEMORY_MB": str(megabytes),
           "GALLEYS_ARTICLE_SECONDS": "0"}  # only the memory budget here
    dist = tmp_path / "dist"
    # A fresh command, as a user runs it: the limit holds each forked worker's whole data
    # segment, and a worker forked from this long test process would inherit its heap.
    done = subprocess.run([sys.executable, "-m", "galleys", "build", str(source), "-o",
                           str(dist), "-j", jobs, "-q"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    err = done.stderr
    errors = [line for line in err.splitlines() if "error:" in line]
    assert errors == [_over_memory(source / "big" / "article.md", megabytes)], err
    assert (dist / "a" / "a.pdf").is_file() and (dist / "b" / "b.pdf").is_file()
    assert not (dist / "big").exists()


def test_convert_of_an_article_over_its_memory_budget_is_one_line(tmp_path):
    """`convert` renders in its own process: the article may add at most the budget to it;
    more is exit 65 with one line, nothing written, and the same article converts without
    the budget."""
    source = _journal_with_a_big_image(tmp_path)
    article = source / "big" / "article.md"
    out = tmp_path / "out"
    env = {**os.environ, "GALLEYS_ARTICLE_SECONDS": "0"}
    command = [sys.executable, "-m", "galleys", "convert", str(article), "-o", str(out), "-q",
               "--to", "pdf"]  # the PDF alone needs more than the budget: the image decoded
    done = subprocess.run(command, env={**env, "GALLEYS_ARTICLE_MEMORY_MB": "250"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 65, done.stderr
    assert done.stderr.strip().splitlines() == [_over_memory(article, 250)]
    assert not out.exists() or not any(out.iterdir())
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / "big.pdf").is_file()


def test_an_article_over_its_time_budget_fails_with_one_line(tmp_path, monkeypatch, capsys):
    source = tmp_path / "source"
    (source / "a").mkdir(parents=True)
    (source / "a" / "article.md").write_text("---\ntitle: Slow\n---\n\nText.\n")
    monkeypatch.setenv("GALLEYS_ARTICLE_SECONDS", "0.01")  # no article builds in 10 ms
    dist = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(dist), "-j", "1", "-q"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "took over 0.01 s, the time budget of one article" in errors[0]
    assert not (dist / "a").exists()
