"""pandoc's `-M KEY=VALUE` and `--metadata-file FILE`: journal.yaml, then the files (a later
one wins), then the article, then -M; errors name the file or the -M that gave the key."""

from __future__ import annotations

import json

import pytest
from conftest import SEED, copy_seed

from galleys.cli.main import main


@pytest.fixture
def source(tmp_path):
    return copy_seed(tmp_path / "source")


def _front(dist, slug=SEED):
    return json.loads((dist / slug / f"{slug}.frontmatter.json").read_text(encoding="utf-8"))


def _text(runs):
    return "".join(run["text"] for run in runs)


def _convert(source, out, *options):
    return main(["convert", str(source / SEED), "-t", "", "-o", str(out / SEED), "-q", *options])


def test_m_wins_over_the_article(source, tmp_path):
    title = "Pakistan Japan Relations and Prospects for Peace and Development in South Asia"
    assert _text(_front_after(source, tmp_path)["title"]) == title
    assert _convert(source, tmp_path / "m", "-M", "title=A *New* Title", "-M",
                    "subtitle=Given: on the command line") == 0
    front = _front(tmp_path / "m")
    assert _text(front["title"]) == "A New Title"  # Markdown, as in the front matter
    assert any("emph" in run["marks"] for run in front["title"])
    assert _text(front["subtitle"]) == "Given: on the command line"


def _front_after(source, tmp_path):
    assert _convert(source, tmp_path / "plain") == 0
    return _front(tmp_path / "plain")


def test_a_metadata_file_is_under_the_article_and_over_journal_yaml(source, tmp_path):
    (tmp_path / "a.yaml").write_text("journal: {volume: 9, issn: 1234-5679}\n"
                                     "title: Not This\nabstract: From the first file.\n")
    (tmp_path / "b.yaml").write_text("abstract: From the second file.\n")
    assert _convert(source, tmp_path / "out", "--metadata-file", str(tmp_path / "a.yaml"),
                    "--metadata-file", str(tmp_path / "b.yaml")) == 0
    front = _front(tmp_path / "out")
    assert _text(front["title"]).startswith("Pakistan Japan")  # the article's own
    # journal.yaml's title stays (keys of journal: layered one by one); volume 2 is the article's
    assert front["journal_line"].startswith("CISS Insight Journal, Vol. 2, No. 2&3 (2014)")
    assert "From the second file." in json.dumps(front["abstract"])


def test_m_over_a_metadata_file(source, tmp_path):
    (tmp_path / "m.yaml").write_text("doi: 10.5555/from.file\n")
    assert _convert(source, tmp_path / "out", "--metadata-file", str(tmp_path / "m.yaml"),
                    "-M", "doi=10.5555/from.m") == 0
    assert _front(tmp_path / "out")["doi_url"] == "https://doi.org/10.5555/from.m"


def test_build_takes_them_and_rebuilds_when_they_change(source, tmp_path, capsys):
    dist = tmp_path / "dist"
    args = ["build", str(source), "-o", str(dist), "-t", ""]
    assert main(args) == 0
    assert main([*args, "-M", "doi=10.5555/built"]) == 0
    assert "1 built, 0 skipped" in capsys.readouterr().out.splitlines()[-1]
    assert _front(dist)["doi_url"] == "https://doi.org/10.5555/built"
    assert main([*args, "-M", "doi=10.5555/built"]) == 0
    assert "0 built, 1 skipped" in capsys.readouterr().out


def test_a_bad_m_value_names_the_m(source, tmp_path, capsys):
    assert _convert(source, tmp_path / "out", "-M", "subtitle=x", "-M", "doi=not a doi") == 65
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "-M:2: doi:" in err


@pytest.mark.parametrize("option, message", [
    (["-M", "titel=x"], "-M titel: unknown front-matter key (did you mean 'title'?)"),
    (["-M", "=x"], "expected KEY=VALUE"),
])
def test_m_usage_errors(source, tmp_path, capsys, option, message):
    assert _convert(source, tmp_path / "out", *option) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_metadata_file_missing_or_malformed(source, tmp_path, capsys):
    assert _convert(source, tmp_path / "o", "--metadata-file", str(tmp_path / "no.yaml")) == 66
    assert str(tmp_path / "no.yaml") in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: a\n  - b: [\n")
    assert _convert(source, tmp_path / "o", "--metadata-file", str(bad)) == 65
    assert f"{bad}:" in capsys.readouterr().err
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    assert _convert(source, tmp_path / "o", "--metadata-file", str(tmp_path / "list.yaml")) == 65
    assert "must be a mapping" in capsys.readouterr().err


def test_a_bare_key_is_true_as_in_pandoc(source, tmp_path):
    from galleys.read.overrides import parse_value

    assert parse_value("draft") == ("draft", True)
    assert parse_value("x=FALSE") == ("x", False)
    assert parse_value("title=a=b") == ("title", "a=b")
    assert _convert(source, tmp_path / "out", "-M", "link-citations") == 0  # pandoc's key
