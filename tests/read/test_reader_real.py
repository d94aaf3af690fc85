"""Front matter as real papers write it: TeX accents, entities, bad ORCID iDs, Quarto keys, the
command line run from the paper's own folder, slugs from folder names, a journal's own CSL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import corpus_papers, require_corpus

from galleys.builder.articles import prepare
from galleys.cli.main import main
from galleys.errors import SourceError
from galleys.read.markdown import default_slug, find_article_file, read_article, slugify

GALLEYS = Path(sys.executable).with_name("galleys")
OWN_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Our Journal Style</title><id>ours</id>
    <updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text value="OURS: "/><text variable="title"/></layout></bibliography>
</style>
"""
PAPER = """---
title: A Study of F\\'ed\\'erale Things
authors:
  - name: Jos&eacute; Mu\\~noz
    orcid: 0000-0002-1825-0097
    affiliation: 1
  - name: Kamil&nbsp;G{\\'o}rski
    affiliation: 2
affiliations:
  - name: Universit\\'e de Li\\`ege &amp; EPFL
    index: 1
  - name: Technische Universit{\\"a}t M\\"unchen
    index: 2
date: 13 August 2017
bibliography: paper.bib
---

# Summary

Body text of the study.
"""


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GALLEYS_RESIDENT": "0", "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [str(GALLEYS), *args], cwd=cwd, capture_output=True, text=True, timeout=240, env=env
    )


def paper_folder(root: Path, *parts: str, text: str = PAPER, name: str = "paper.md") -> Path:
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    (folder / "paper.bib").write_text("@book{k, title={T}, author={A, B}, year={2000}}\n")
    return folder


# -- TeX accents and HTML entities ---------------------------------------------------------


def test_tex_accents_and_entities_are_decoded_once_in_the_reader(tmp_path):
    folder = paper_folder(tmp_path, "repo", "paper")
    meta = read_article(folder / "paper.md").metadata
    first, second = meta.authors
    assert (first.given, first.family) == ("José", "Muñoz")
    assert (second.given, second.family) == ("Kamil", "Górski")
    assert [a.name for a in meta.affiliations] == [
        "Université de Liège & EPFL",
        "Technische Universität München",
    ]
    assert meta.title == "A Study of Fédérale Things"


def test_decoded_front_matter_reaches_how_to_cite_and_the_title(tmp_path):
    folder = paper_folder(tmp_path, "repo", "paper")
    resolved, front = prepare(folder / "paper.md")
    assert front.title_text == "A Study of Fédérale Things"
    assert "Muñoz, J., & Górski, K. (2017)" in front.how_to_cite_text
    assert "\\" not in json.dumps(front.to_json(), ensure_ascii=False)


def test_markup_other_than_accents_is_left_as_written():
    from galleys.read.escapes import decode

    assert decode("50% of $\\alpha$ in \\emph{x}, F\\'ed") == "50% of $\\alpha$ in \\emph{x}, Féd"
    assert decode("a &lt;b&gt; \\# \\&", markdown=True) == "a &lt;b&gt; \\# \\&"
    assert decode("a &lt;b&gt; \\# \\&") == "a <b> # &"
    assert decode("x?a=1&copy=2") == "x?a=1&copy=2"  # no semicolon: not an entity
    assert decode("\\ss{} \\l{}odz {\\o} \\v{S}") == "ß łodz ø Š"
    assert decode("{Ko\\l{}odziej} {H\\\"older's} {abc}") == "Kołodziej Hölder's {abc}"


def test_pysdm_names_and_affiliations_have_no_entities_left():
    corpus = require_corpus()
    meta = read_article(corpus / "joss" / "open-atmos__PySDM" / "paper" / "paper.md").metadata
    names = [(a.given, a.family) for a in meta.authors]
    assert ("Oleksii", "Bulenok") in names and ("Grzegorz", "Łazarski") in names
    text = json.dumps([a.__dict__ for a in meta.authors] + [a.name for a in meta.affiliations])
    assert "&nbsp;" not in text and "&amp;" not in text


# -- ORCID iDs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("orcid", "why"),
    [
        ("0000-0002-1825-0098", "check digit is wrong"),
        ("0000-0000-0000-0000", "placeholder"),
        ("1234-5678-9012", "is not an ORCID iD"),
        ("https://orcid.org/0000-0002-1825-009X", "check digit is wrong"),
    ],
)
def test_a_bad_orcid_is_a_warning_and_left_out(tmp_path, orcid, why):
    path = tmp_path / "a" / "article.md"
    path.parent.mkdir()
    path.write_text(f"---\ntitle: T\nauthor:\n  - name: A B\n    orcid: '{orcid}'\n---\n\nText.\n")
    resolved, front = prepare(path)
    (message,) = [w for w in resolved.warnings if "orcid" in w]
    assert message.startswith(f"{path}:5: warning: author.0.orcid: ") and why in message
    assert resolved.metadata.authors[0].orcid == ""
    assert not any(name.startswith("orcid") for name, _ in front.elements())
    with pytest.raises(SourceError, match="check digit|placeholder|not an ORCID"):
        prepare(path, strict=True)


@pytest.mark.parametrize(
    "written", ["0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097",
                "orcid.org/0000-0002-1825-0097", "0000-0002-5558-888x"]
)
def test_a_good_orcid_is_kept(tmp_path, written):
    path = tmp_path / "a" / "article.md"
    path.parent.mkdir()
    path.write_text(f"---\ntitle: T\nauthor:\n  - name: A B\n    orcid: {written}\n---\n")
    warnings: list[str] = []
    (author,) = read_article(path, warnings.append).metadata.authors
    assert author.orcid == written.rsplit("/", 1)[-1].upper() and not warnings


# -- Quarto keys ---------------------------------------------------------------------------


def test_quarto_only_keys_one_warning_for_what_quarto_would_print(tmp_path):
    path = tmp_path / "q" / "index.qmd"
    path.parent.mkdir()
    path.write_text(
        "---\ntitle: T\nformat:\n  agu-pdf: default\nexecute: {echo: false}\nkeep-tex: true\n"
        "keywords-formatted: [a]\nplain-language-summary: Plain.\nkey-points: [One]\n"
        "classoption: twocolumn\n---\n\nText.\n"
    )
    warnings: list[str] = []
    read_article(path, warnings.append)
    assert warnings == [
        f"{path}:3: warning: format, plain-language-summary, key-points: Quarto's (R Markdown's) "
        "own output, ignored (galleys makes its own PDF, EPUB and DOCX editions)"
    ]


def test_every_corpus_paper_gets_past_the_reader():
    require_corpus()
    for paper in corpus_papers():
        warnings: list[str] = []
        meta = read_article(paper, warnings.append).metadata
        assert meta.title and meta.authors, paper
        assert not [w for w in warnings if "unknown key" in w and "codeRepository" not in w], (
            paper,
            warnings,
        )
        assert meta.slug == slugify(meta.slug) and meta.slug not in {"paper", "template"}


# -- slugs and the article file of a folder ------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "name", "slug"),
    [
        (("lenstronomy", "Paper"), "paper.md", "lenstronomy"),
        (("21cmFAST", "joss-paper"), "paper.md", "21cmfast"),
        (("My Paper",), "article.md", "my-paper"),
        (("Études récentes", "src"), "index.qmd", "etudes-recentes"),
        (("x", "paper"), "my-study.md", "my-study"),
        (("repo", "docs", "paper"), "paper.md", "paper"),  # nothing better above
    ],
)
def test_default_slug(tmp_path, parts, name, slug):
    assert default_slug(tmp_path.joinpath(*parts, name))[0] == slug


def test_find_article_file(tmp_path):
    (tmp_path / "README.md").write_text("# readme")
    (tmp_path / "notes.md").write_text("notes")
    assert find_article_file(tmp_path) == tmp_path / "notes.md"  # a README is no article
    (tmp_path / "draft.qmd").write_text("draft")
    with pytest.raises(SourceError, match=r"several article files \(draft.qmd, notes.md\)"):
        find_article_file(tmp_path)
    (tmp_path / "paper.md").write_text("---\ntitle: T\n---\n")
    assert find_article_file(tmp_path) == tmp_path / "paper.md"  # a known name wins
    (tmp_path / "index.qmd").write_text("---\ntitle: T\n---\n")
    with pytest.raises(SourceError, match=r"several article files \(index.qmd, paper.md\)"):
        find_article_file(tmp_path)


def test_cd_paper_and_convert_paper_md(tmp_path):
    folder = paper_folder(tmp_path, "lenstronomy", "paper")
    result = run(["convert", "paper.md", "--to", "epub"], folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "dist" / "lenstronomy" / "lenstronomy.epub").is_file()


def test_cd_paper_and_convert_article_md(tmp_path):
    folder = paper_folder(tmp_path, "study", "paper", name="article.md")
    result = run(["convert", "article.md", "--to", "epub", "-o", "out"], folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "out" / "study.epub").is_file()


def test_a_folder_name_becomes_a_slug_shown_with_v(tmp_path):
    folder = paper_folder(tmp_path, "My Paper", name="article.md")
    result = run(["convert", ".", "--to", "epub", "-o", "out", "-v"], folder)
    assert result.returncode == 0, result.stderr
    assert "slug 'my-paper' (made from the name 'My Paper')" in result.stdout
    assert (folder / "out" / "my-paper.epub").is_file()


def test_convert_folder_with_several_articles_is_one_line_error(tmp_path):
    folder = paper_folder(tmp_path, "repo")
    (folder / "other.md").write_text(PAPER)
    (folder / "paper.md").unlink()
    (folder / "one.md").write_text(PAPER)
    result = run(["convert", "repo", "--to", "epub"], tmp_path)
    assert result.returncode == 65
    assert result.stderr.strip().splitlines() == [
        "galleys: error: repo: several article files (one.md, other.md): name the one to convert"
    ]


# -- a journal's own CSL style -------------------------------------------------------------


def test_csl_option_uses_the_journal_style(tmp_path):
    folder = paper_folder(tmp_path, "repo", "paper")
    (tmp_path / "ours.csl").write_text(OWN_STYLE)
    result = run(["convert", "paper.md", "--to", "epub", "-o", "out", "--csl", "../../ours.csl"],
                 folder)
    assert result.returncode == 0, result.stderr
    front = json.loads((folder / "out" / "repo.frontmatter.json").read_text())
    assert front["how_to_cite_text"] == "OURS: A Study of Fédérale Things"
    assert front["style_title"] == "Our Journal Style"


def test_csl_key_uses_the_journal_style_in_a_build(tmp_path):
    text = PAPER.replace("bibliography: paper.bib", "bibliography: paper.bib\ncsl: ours.csl")
    folder = paper_folder(tmp_path, "source", "study", text=text, name="article.md")
    (folder / "ours.csl").write_text(OWN_STYLE)
    result = run(["build", "source", "-o", "dist", "--to", "epub", "-j", "1", "-q"], tmp_path)
    assert result.returncode == 0, result.stderr
    front = json.loads((tmp_path / "dist" / "study" / "study.frontmatter.json").read_text())
    assert front["how_to_cite_text"] == "OURS: A Study of Fédérale Things"
    assert front["style"] == "ours.csl"  # by its name: no path of the machine is published
    page = (tmp_path / "dist" / "study" / "index.html").read_text()
    assert 'data-cite-style="ours.csl"' in page and str(tmp_path) not in page
    checked = run(["check", "dist", "--source", "source", "--no-validate"], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not xml at all", "not a CSL style file"),
        ('<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY x "boom">]>\n'
         '<style xmlns="http://purl.org/net/xbiblio/csl">&x;</style>', "DOCTYPE"),
        ('<?xml version="1.0"?>\n<html/>', "its root is <html>"),
    ],
)
def test_a_bad_csl_file_is_one_line_error(tmp_path, capsys, content, message):
    folder = paper_folder(tmp_path, "repo", "paper")
    bad = tmp_path / "bad.csl"
    bad.write_text(content)
    out = tmp_path / "out"
    code = main(["convert", str(folder / "paper.md"), "--csl", str(bad), "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 65 and len(err.splitlines()) == 1
    assert str(bad) in err and message in err
    assert not out.exists()


def test_csl_key_outside_the_folder_or_missing_is_an_error_a_url_a_warning(tmp_path):
    for value, expected in (("../x.csl", "outside the folder"), ("no.csl", "does not exist")):
        text = PAPER.replace("date:", f"csl: {value}\ndate:")
        folder = paper_folder(tmp_path, value.replace(".", "_").replace("/", "_"), text=text)
        with pytest.raises(SourceError, match=expected) as caught:
            read_article(folder / "paper.md")
        assert caught.value.key == "csl" and caught.value.line == 14
    text = PAPER.replace("date:", "csl: https://example.org/x.csl\ndate:")
    folder = paper_folder(tmp_path, "url", text=text)
    warnings: list[str] = []
    assert read_article(folder / "paper.md", warnings.append).metadata.citation_style == "apa"
    assert any("csl: 'https://example.org/x.csl' is not fetched" in w for w in warnings)


def test_style_and_csl_together_is_a_usage_error(tmp_path, capsys):
    folder = paper_folder(tmp_path, "repo")
    (tmp_path / "ours.csl").write_text(OWN_STYLE)
    args = ["convert", str(folder), "--style", "ieee", "--csl", str(tmp_path / "ours.csl")]
    assert main(args) == 2


def test_journal_yaml_names_the_style_file_beside_it(tmp_path):
    folder = paper_folder(tmp_path, "source", "study", name="article.md")
    (tmp_path / "source" / "journal.yaml").write_text("csl: styles/ours.csl\n")
    (tmp_path / "source" / "styles").mkdir()
    (tmp_path / "source" / "styles" / "ours.csl").write_text(OWN_STYLE)
    meta = read_article(folder / "article.md").metadata
    assert meta.citation_style == str((tmp_path / "source" / "styles" / "ours.csl").resolve())
    _, front = prepare(folder / "article.md")
    assert front.how_to_cite_text == "OURS: A Study of Fédérale Things"


def test_joss_placeholder_date_is_read_past_with_one_warning():
    corpus = require_corpus()
    paper = corpus / "joss" / "lxvm__AutoBZ.jl" / "paper" / "paper.md"
    warnings: list[str] = []
    meta = read_article(paper, warnings.append).metadata
    assert meta.date is None
    (warning,) = warnings
    assert warning.startswith(f"{paper}:31: warning: date: 'XXX 2024' is not a date")
