"""The `galleys` command: help, version, exit codes, build output and manifest."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED, copy_seed

from galleys.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command",
    [[], ["convert"], ["build"], ["import"], ["styles"], ["formats"], ["check"], ["serve"]],
)
def test_help_everywhere(command, capsys):
    assert main([*command, "--help"]) == 0
    assert "usage: galleys" in capsys.readouterr().out


def test_version_and_module_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "galleys", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("galleys ")


def test_usage_errors_exit_2(capsys):
    assert main(["frobnicate"]) == 2
    assert main(["convert"]) == 2
    assert main(["convert", "x.md", "--to", "pdfx"]) == 2
    assert "unknown format 'pdfx'" in capsys.readouterr().err


def test_unknown_style_option_exit_2(tmp_path, capsys):
    article = ROOT / "source" / "malik-2014-pakistan-japan-relations" / "article.md"
    assert main(["convert", str(article), "--style", "apaa", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown citation style 'apaa'" in err and "did you mean apa" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_input_exit_66(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "nope.md")]) == 66
    assert main(["build", str(tmp_path / "nosource")]) == 66
    assert capsys.readouterr().err.count("galleys: error:") == 2


def test_unwritable_output_exit_73(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    article = ROOT / "source" / "malik-2014-pakistan-japan-relations" / "article.md"
    assert main(["convert", str(article), "--to", "", "-o", str(blocker / "out")]) == 73
    assert str(blocker) in capsys.readouterr().err


def test_build_writes_citation_files_and_manifest(tmp_path, capsys):
    dist = tmp_path / "dist"
    source = copy_seed(tmp_path / "source")  # what else source/ holds is no concern here
    assert main(["build", str(source), "-o", str(dist), "--to", ""]) == 0
    slug = SEED
    names = sorted(p.name for p in (dist / slug).iterdir())
    suffixes = (".bib", ".ris", ".csl.json", ".frontmatter.json")
    assert names == sorted([*(f"{slug}{s}" for s in suffixes), "index.html"])
    assert (dist / "index.html").is_file()  # the journal's landing page
    manifest = json.loads((dist / "manifest.json").read_text())
    listed = {e["path"]: e for e in manifest["files"]}
    assert set(listed) == {f"{slug}/{n}" for n in names} | {"index.html"}
    for path, entry in listed.items():
        data = (dist / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    assert "1 built, 0 skipped, 0 failed" in capsys.readouterr().out


def test_build_goes_on_after_a_failing_article(tmp_path, capsys):
    source = tmp_path / "source"
    (source / "good").mkdir(parents=True)
    (source / "good" / "article.md").write_text("---\ntitle: Good\n---\nx\n")
    (source / "bad").mkdir()
    (source / "bad" / "article.md").write_text("---\nauthor: No Title\n---\nx\n")
    assert main(["build", str(source), "-o", str(tmp_path / "dist"), "--to", ""]) == 1
    captured = capsys.readouterr()
    assert "missing title" in captured.err
    assert "1 built, 0 skipped, 1 failed" in captured.out
    assert (tmp_path / "dist" / "good" / "good.bib").exists()
    assert not (tmp_path / "dist" / "bad").exists()


def test_strict_turns_warnings_into_errors(tmp_path, capsys):
    article = tmp_path / "s" / "a" / "article.md"
    article.parent.mkdir(parents=True)
    article.write_text("---\ntitle: T\ntitel: typo\n---\nx\n")
    assert main(["convert", str(article), "--to", "", "-o", str(tmp_path / "o"), "-q"]) == 0
    assert main(["convert", str(article), "--to", "", "-o", str(tmp_path / "p"), "--strict"]) == 65
    assert "unknown key 'titel'" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_styles_lists_the_tested_styles(capsys):
    assert main(["styles"]) == 0
    out = capsys.readouterr().out
    for name in (
        "apa",
        "chicago-author-date",
        "modern-language-association",
        "harvard-cite-them-right",
        "ieee",
        "nlm-citation-sequence",
    ):
        assert name in out
    assert main(["styles", "--all"]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 1000


def test_no_traceback_on_internal_error(monkeypatch, capsys):
    import galleys.builder.coordinator

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(galleys.builder.coordinator, "convert", boom)
    assert main(["convert", "x.md"]) == 70
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaput" in err and "Traceback" not in err


def test_serve_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "nothing"), "--port", "0"]) == 66
    assert "galleys: error:" in capsys.readouterr().err
