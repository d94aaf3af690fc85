"""The page-1 front-matter block, laid out from FrontMatter's strings, nothing formatted anew."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Spacer, Table, TableStyle

from galleys.front.frontmatter import KEYWORD_SEPARATOR, Field, FrontMatter, lay_out
from galleys.front.inlines import Inlines, Run
from galleys.writers.bidi import isolate
from galleys.writers.pdf.footnotes import RULE_SPACE, Footnotes
from galleys.writers.pdf.markup import LINK_COLOR, Markup, attr, safe_url
from galleys.writers.pdf.orcid import OrcidMarks
from galleys.writers.pdf.shaping import paragraph as make_paragraph
from galleys.writers.pdf.styles import RULE, SHADE, Styles

_BOX = colors.HexColor("#8a8a80")
COMPACT_AUTHORS = 20  # authors from which the list is set smaller, affiliations run together
AFFILIATION_SEPARATOR = "; "
NOTES_ROOM = 0.25  # of page 1's text height: the most its author notes take at the foot


# The title block's parts, each opened as it always is (even when it holds no field): the
# names, the affiliations and notes, the article information, the abstract to How to Cite.
_PART_OF = {"title": 0, "subtitle": 0, "author": 0, "orcid": 0, "affiliation": 1,
            "author note": 1, "email": 1, "journal line": 2, "issue title": 2, "published": 2,
            "doi": 2, "url": 2, "licence": 2, "abstract": 3, "keywords": 3, "how to cite": 3}


def _openings() -> list[list[Flowable]]:
    return [[], [Spacer(1, 3)],
            [HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=8, spaceAfter=6)],
            [HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=6, spaceAfter=2)]]


def front_matter(front: FrontMatter, markup: Markup, styles: Styles, width: float,
                 orcid: OrcidMarks, footnotes: Footnotes | None = None,
                 height: float = 0.0) -> list[Flowable]:
    """Title block (each author's ORCID iD a mark linked to it), article information, abstract,
    keywords and the boxed How to Cite: front.fields() in order, each by the renderer of its
    kind (front_renderers). The author notes (the corresponding author, equal contributions …)
    are title-page notes at the foot of page 1, under the rule of its footnotes and before
    them, as LaTeX's `\\thanks` sets them; notes taller than NOTES_ROOM of the page's `height`
    (or without `footnotes`) stay under the affiliations."""
    renderers = front_renderers(front, markup, styles, width, orcid, footnotes,
                                height * NOTES_ROOM)
    fields = front.fields()
    openings = _openings()
    out: list[Flowable] = []
    part = -1
    for field, flowables in zip(fields, lay_out(front, renderers, "the PDF title block"),
                                strict=True):
        while part < _PART_OF[field.kind]:
            part += 1
            out += openings[part]
        out += flowables
    for rest in openings[part + 1:]:
        out += rest
    return out


Renderer = Callable[[Field], list[Flowable]]


def front_renderers(front: FrontMatter, markup: Markup, styles: Styles, width: float,
                    orcid: OrcidMarks, footnotes: Footnotes | None = None,
                    notes_room: float = 0.0) -> dict[str, Renderer]:
    """One renderer per front-matter kind. The authors are one line (drawn at the first; each
    name with its ORCID mark, so the orcid fields draw nothing), 20 or more authors' affiliations
    one paragraph (at the first), the author notes together (at the first; the e-mails are in
    them)."""
    labels = front.labels
    compact = len(front.authors) >= COMPACT_AUTHORS

    def para(text: str, style: str, isolated: bool = False) -> Flowable:
        return make_paragraph(text, styles[style], markup.direction, isolated=isolated)

    def runs(runs: Inlines, style: str, where: str) -> str:
        role, bold, _italic = styles.roles[style]
        markup.where = where
        return markup.runs(runs, role, bold, styles[style].fontSize)

    def text(value: str, style: str, where: str, link: str = "") -> str:
        return runs((Run(value, link=link),), style, where)

    def nothing(_field: Field) -> list[Flowable]:
        return []

    def title(_field: Field) -> list[Flowable]:
        return [para(runs(front.title, "fm-title", "the title"), "fm-title")]

    def subtitle(_field: Field) -> list[Flowable]:
        return [para(runs(front.subtitle, "fm-subtitle", "the subtitle"), "fm-subtitle")]

    def authors(field: Field) -> list[Flowable]:
        if field.number != 1:
            return []  # drawn with the first
        style = "fm-authors-compact" if compact else "fm-authors"
        size = styles[style].fontSize
        names = []
        for number, author in enumerate(front.authors, start=1):
            # a name is never split across lines (its spaces do not break) when it fits on one
            whole = author.name
            if stringWidth(whole, styles[style].fontName, size) < width * 0.8:
                whole = whole.replace(" ", "\u00a0")
            name = isolate(text(whole, style, f"author {number}"))
            if author.superscript:
                name += f"<super>{markup.text(author.superscript, 'sans')}</super>"
            url = safe_url(author.orcid_url)
            if url:
                name += "\u00a0" + orcid.markup(url, size * 0.85)
            names.append(name)
        return [para(", ".join(names), style, isolated=True)]

    def affiliation_markup(number: int) -> str:
        affiliation = front.affiliations[number - 1]
        marker = (f"<super>{markup.text(affiliation.marker)}</super>\u00a0"
                  if affiliation.marker else "")
        return marker + isolate(text(affiliation.name, "fm-small", f"affiliation {number}"))

    def affiliation(field: Field) -> list[Flowable]:
        if not compact:
            return [para(affiliation_markup(field.number), "fm-small", isolated=True)]
        if field.number != 1:
            return []  # run together, as journals do, in the first's paragraph
        joined = AFFILIATION_SEPARATOR.join(
            affiliation_markup(n) for n in range(1, len(front.affiliations) + 1))
        return [para(joined, "fm-small", isolated=True)]

    def author_notes(field: Field) -> list[Flowable]:
        if field.number != 1:
            return []
        return _author_notes(front, markup, styles, runs, footnotes, width, notes_room)

    def information(field: Field) -> list[Flowable]:
        head = f"<b>{text(field.label, 'fm-meta', field.label)}:</b> " if field.label else ""
        return [para(head + text(field.value, "fm-meta", field.label or "the journal line",
                                 safe_url(field.link)), "fm-meta")]

    def abstract(_field: Field) -> list[Flowable]:
        return [para(text(labels.abstract, "fm-label", "a label"), "fm-label"),
                *(para(runs(paragraph, "fm-abstract", "the abstract"), "fm-abstract")
                  for paragraph in front.abstract)]

    def keywords(_field: Field) -> list[Flowable]:
        head = f"<b>{text(labels.keywords, 'fm-keywords', 'a label')}:</b> "
        joined = KEYWORD_SEPARATOR.join(
            isolate(text(keyword, "fm-keywords", "the keywords")) for keyword in front.keywords)
        return [para(head + joined, "fm-keywords", isolated=True)]

    def how_to_cite(_field: Field) -> list[Flowable]:
        return [Spacer(1, 6), *_cite_box(front, markup, styles, width, runs, text),
                Spacer(1, 14)]

    return {"title": title, "subtitle": subtitle, "author": authors, "orcid": nothing,
            "affiliation": affiliation, "author note": author_notes, "email": nothing,
            "journal line": information, "issue title": information, "published": information,
            "doi": information, "url": information, "licence": information,
            "abstract": abstract, "keywords": keywords, "how to cite": how_to_cite}


def _author_notes(front: FrontMatter, markup: Markup, styles: Styles, runs,
                  footnotes: Footnotes | None, width: float, room: float) -> list[Flowable]:
    """The author notes: given to page 1's footnotes when they fit in `room` points there
    (returning nothing to set in the title block), else as paragraphs under the affiliations."""
    def note_paragraphs(style: str) -> list[Flowable]:
        out = []
        for number, note in enumerate(front.author_notes, start=1):
            marker = (f"<super>{markup.text(note.marker, 'sans')}</super>\u00a0"
                      if note.marker else "")
            out.append(make_paragraph(marker + runs(note.text, style, f"author note {number}"),
                                      styles[style], markup.direction))
        return out

    if not front.author_notes:
        return []
    if footnotes is not None:
        notes = note_paragraphs("fm-note")
        taken = sum(n.wrap(width, 10**6)[1] + n.getSpaceAfter() for n in notes)
        if taken + RULE_SPACE <= room:
            footnotes.page = notes + footnotes.page  # page 1's, before any footnote of the body
            return []
    return note_paragraphs("fm-small")


_BOX_MAX_HEIGHT = 400  # points; a taller How to Cite (a huge title) is set unboxed, so it can split


def _cite_box(front: FrontMatter, markup: Markup, styles: Styles, width: float, runs, text
              ) -> list:
    # Both in the article's direction, whatever script the first cited name is in.
    label = make_paragraph(f"<b>{text(front.labels.how_to_cite, 'fm-cite', 'a label')}</b>",
                           styles["fm-cite"], markup.direction, isolated=True)
    cite = make_paragraph(runs(front.how_to_cite, "fm-cite", "How to Cite"),
                          styles["fm-cite"], markup.direction, isolated=True)
    if cite.wrap(width - 16, 10**6)[1] > _BOX_MAX_HEIGHT:
        return [label, Spacer(1, 2), cite]
    box = Table([[[label, Spacer(1, 2), cite]]], colWidths=[width])
    box.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), styles["fm-cite"].fontName, 9),  # not reportlab's Helvetica
        ("BOX", (0, 0), (-1, -1), 0.75, _BOX),
        ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]))
    return [box]


def furniture(front: FrontMatter, markup: Markup) -> tuple[str, str, str]:
    """Markup for the running header (left, right) and the footer's short citation."""
    markup.where = "the running header"
    head = markup.text(front.running_head, "sans")
    right = front.doi_url or front.url
    link = safe_url(right)
    head_right = markup.text(right, "sans")
    if link:
        head_right = f'<a href="{attr(link)}" color="{LINK_COLOR}">{head_right}</a>'
    markup.where = "the footer"
    return head, head_right, markup.text(front.short_citation, "sans")
