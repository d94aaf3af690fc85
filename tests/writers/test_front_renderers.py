"""Every title-block writer has a renderer for every kind FrontMatter.fields() yields, so an
element can never be laid out in one edition and forgotten in another."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import pytest

from galleys.builder.articles import prepare
from galleys.errors import InternalError
from galleys.front.frontmatter import KINDS, Field, FrontMatter, missing_renderers
from galleys.writers.docx.front import front_blocks, front_renderers
from galleys.writers.epub.pages import title_page, title_page_renderers
from galleys.writers.html import templates
from galleys.writers.jats import front as jats_front
from galleys.writers.pdf import front as pdf_front

TORTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torture" / "article.md"

# writer -> (its renderers for a front matter, what lays out its title block)
WRITERS = {
    "epub": (title_page_renderers, title_page),
    "docx": (front_renderers, front_blocks),
    # title_block.html's `renderers`: the HTML edition's and the landing page's title block
    "html": (lambda front: templates.field_renderers(), templates.check_fields),
    "jats": (lambda front: jats_front.front_renderers(_metadata(), front),
             lambda front: jats_front.build_front(_metadata(), front, "article.pdf")),
    "pdf": (lambda front: pdf_front.front_renderers(front, *_pdf_setting()),
            lambda front: pdf_front.front_matter(front, *_pdf_setting())),
}


def _pdf_setting() -> tuple:
    """What the PDF's title block is laid out with: markup, styles, text width, ORCID marks."""
    from galleys.writers.pdf.edition import install
    from galleys.writers.pdf.fonts import fonts
    from galleys.writers.pdf.markup import Markup
    from galleys.writers.pdf.orcid import OrcidMarks
    from galleys.writers.pdf.styles import make_styles

    install()
    font_set = fonts(_metadata().fonts)
    return Markup(font_set), make_styles(font_set), 450.0, OrcidMarks()


@functools.cache
def _prepared():
    return prepare(TORTURE)


def _metadata():
    return _prepared()[0].metadata


@pytest.fixture(scope="module")
def front() -> FrontMatter:
    """The torture article's front matter with an issue title: every kind there is."""
    return replace(_prepared()[1], issue_title="Special issue: galleys")


def test_kinds_lists_every_kind_fields_yields_in_its_order(front):
    kinds = list(dict.fromkeys(f.kind for f in front.fields()))
    assert kinds == list(KINDS)


@pytest.mark.parametrize("writer", WRITERS)
def test_each_writer_has_a_renderer_for_every_kind(writer, front):
    renderers, _lay_out = WRITERS[writer]
    assert missing_renderers(renderers(front)) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_a_kind_without_a_renderer_is_an_internal_error(writer, front, monkeypatch):
    fields = front.fields()
    monkeypatch.setattr(FrontMatter, "fields",
                        lambda self: [*fields, Field("new kind", "new kind", "", "value")])
    with pytest.raises(InternalError, match="no renderer for the front-matter 'new kind'"):
        WRITERS[writer][1](front)


def test_a_journals_own_title_block_without_renderers_is_left_to_itself(front):
    """A journal's title_block.html from before `renderers` keeps working: no check."""
    own = (("title_block.html", "{% macro title_block(front) %}<h1>{{ front.title_text }}"
            "</h1>{% endmacro %}{% macro abstract(front) %}{% endmacro %}", "own.html"),)
    assert templates.field_renderers(own) is None
    templates.check_fields(front, own)


def test_the_abstract_lead_is_its_first_paragraph_as_text(front):
    """What page descriptions and og:description show, made once in the front stage."""
    assert front.abstract_lead == "This article exercises every block type a journal article uses."
    assert replace(front, abstract=()).abstract_lead == ""
