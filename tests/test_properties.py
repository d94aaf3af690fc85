"""Property tests: random metadata and bodies raise only our own errors, and what builds agrees;
random front matter and journal.yaml text is built or refused (exit 0 or 65), never a bug."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from galleys.builder.snapshot import take_snapshot
from galleys.builder.worker import ArticleJob, build_article
from galleys.check.parity import check_article
from galleys.cli.main import main
from galleys.errors import EXIT_INTERNAL

FORMATS = ("pdf", "epub", "docx")
# CI runs the same examples every time (a red run must be reproducible); explore new ones with
# `GALLEYS_EXPLORE=1 .venv/bin/pytest tests/test_properties.py`.
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=os.environ.get("GALLEYS_EXPLORE") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any Unicode but surrogates (they cannot be encoded) and the characters that start markup
# pandoc would drop (that is tested elsewhere), so that what is written is what must be shown.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
VALUE = st.recursive(
    st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.dates()),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
AUTHOR = st.one_of(
    TEXT,
    st.fixed_dictionaries(
        {"name": TEXT},
        optional={"honorific": TEXT, "orcid": TEXT, "affiliation": TEXT, "email": TEXT},
    ),
    VALUE,
)
_KNOWN = st.fixed_dictionaries(
    {"title": st.one_of(TEXT, VALUE)},
    optional={
        "subtitle": st.one_of(TEXT, VALUE),
        "author": st.one_of(TEXT, st.lists(AUTHOR, max_size=3), VALUE),
        "abstract": TEXT,
        "keywords": st.one_of(st.lists(TEXT, max_size=3), VALUE),
        "journal": st.one_of(
            st.dictionaries(st.sampled_from(["title", "volume", "issue", "pages"]), TEXT), VALUE
        ),
        "date": st.one_of(st.dates(), VALUE),
        "lang": st.sampled_from(["en", "de", "ur", "ja", "x", ""]),
    },
)
FRONT = st.tuples(_KNOWN, st.dictionaries(TEXT, VALUE, max_size=2)).map(
    lambda parts: {**parts[1], **parts[0]}
)


def _build(front: dict, body: str) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "src" / "art"
        folder.mkdir(parents=True)
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\n" + body + "\n"
        (folder / "article.md").write_text(text, encoding="utf-8", errors="surrogatepass")
        job = ArticleJob(take_snapshot(folder / "article.md"), FORMATS)
        result = build_article(job)
        assert result.exit_code != EXIT_INTERNAL, result.error  # never a bug
        if result.error:
            assert "\n" not in result.error and result.exit_code == 65, result.error
            return
        out = Path(temp) / "dist" / result.slug
        out.mkdir(parents=True)
        for output in result.outputs:
            (out / output.name).write_bytes(output.data)
        report = check_article(out, folder / "article.md", validate=False)
        bad = [(e, c) for e, _, cells in report.rows for c in cells.values() if c.status != "ok"]
        assert not bad and not report.problems, (bad, report.problems)


@SETTINGS
@given(front=FRONT)
@example(front={"title": "^"})  # pylatexenc decodes {\\textasciicircum} as U+02C6, not "^"
def test_random_metadata(front):
    _build(front, "A plain body.")


@SETTINGS
@given(body=st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_random_body(body):
    _build({"title": "Random body", "author": "Jane Doe"}, body)


# YAML as a hostile hand writes it: fragments of keys, anchors, aliases, tags, flow and block
# nesting, escapes (lone surrogates, noncharacters), odd scalars, glued together at random.
_FRAGMENTS = st.sampled_from([
    "title: ", "author: ", "keywords: ", "date: ", "lang: ", "journal: ", "doi: ", "slug: ",
    "abstract: ", "volume: ", "issue: ", "affiliation: ", "x", "Ω", "😀", "\u202e", "\n", "\n  ",
    "\n- ", "- ", ": ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "!!binary ",
    "!!python/name:os.system ", "<<: ", "? ", "|\n  ", ">\n  ", '"', "'", '"\\ud800"',
    '"\\uFFFE"', '"\\x00"', "\t", "#", "%YAML 1.1\n",
    "---", "...", "1e999", "-1", "0x1F", "2024-13-45", "~", "null", "yes", "2024-02-29",
    "0000-0002-1825-0097", "10.5555/x", "\\", "{{", "$x$", "<b>", "@", "`", "\r",
])
RAW_YAML = st.lists(_FRAGMENTS, max_size=30).map("".join)


def _convert_raw(front: str, journal: str | None) -> int:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "src" / "art"
        folder.mkdir(parents=True)
        text = "---\ntitle: Fuzzed\n" + front + "\n---\n\nA plain body.\n"
        (folder / "article.md").write_text(text, encoding="utf-8", errors="surrogatepass")
        if journal is not None:
            (folder.parent / "journal.yaml").write_text(journal, encoding="utf-8",
                                                        errors="surrogatepass")
        return main(["convert", str(folder / "article.md"), "-o", str(Path(temp) / "out"),
                     "-q", "--to", "epub"])


@settings(SETTINGS, max_examples=40)
@given(front=RAW_YAML, journal=st.none() | RAW_YAML)
@example(front='subtitle: "\\ud800"', journal=None)
@example(front="keywords: " + "[" * 200 + "]" * 200, journal=None)
@example(front="", journal="journal:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 3000)))
def test_random_yaml_is_built_or_refused_never_a_bug(front, journal):
    """Any front matter and journal.yaml text: exit 0 or 65 (a one-line error), never 70."""
    assert _convert_raw(front, journal) in (0, 65)
