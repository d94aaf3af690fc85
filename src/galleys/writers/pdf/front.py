"""The page-1 front-matter block, laid out from FrontMatter's strings, nothing formatted anew."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Spacer, Table, TableStyle

from galleys.front.frontmatter import KEYWORD_SEPARATOR, FrontMatter
from galleys.front.inlines import Inlines, Run
from galleys.writers.bidi import isolate
from galleys.writers.pdf.markup import LINK_COLOR, Markup, attr, safe_url
from galleys.writers.pdf.orcid import OrcidMarks
from galleys.writers.pdf.shaping import paragraph as make_paragraph
from galleys.writers.pdf.styles import RULE, SHADE, Styles

_BOX = colors.HexColor("#8a8a80")
COMPACT_AUTHORS = 20  # authors from which the list is set smaller, affiliations run together
AFFILIATION_SEPARATOR = "; "


def front_matter(front: FrontMatter, markup: Markup, styles: Styles, width: float,
                 orcid: OrcidMarks) -> list[Flowable]:
    """Title block (each author's ORCID iD a mark linked to it), article information, abstract,
    keywords and the boxed How to Cite."""
    out: list[Flowable] = []
    labels = front.labels

    def para(text: str, style: str, isolated: bool = False) -> None:
        out.append(make_paragraph(text, styles[style], markup.direction, isolated=isolated))

    def runs(runs: Inlines, style: str, where: str) -> str:
        role, bold, _italic = styles.roles[style]
        markup.where = where
        return markup.runs(runs, role, bold, styles[style].fontSize)

    def text(value: str, style: str, where: str, link: str = "") -> str:
        return runs((Run(value, link=link),), style, where)

    para(runs(front.title, "fm-title", "the title"), "fm-title")
    if front.subtitle:
        para(runs(front.subtitle, "fm-subtitle", "the subtitle"), "fm-subtitle")
    if front.authors:
        style = "fm-authors" if len(front.authors) < COMPACT_AUTHORS else "fm-authors-compact"
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
        para(", ".join(names), style, isolated=True)
    out.append(Spacer(1, 3))
    affiliations = []
    for number, affiliation in enumerate(front.affiliations, start=1):
        marker = (f"<super>{markup.text(affiliation.marker)}</super>\u00a0"
                  if affiliation.marker else "")
        affiliations.append(marker + isolate(text(affiliation.name, "fm-small",
                                                  f"affiliation {number}")))
    if len(front.authors) >= COMPACT_AUTHORS and affiliations:  # run together, as journals do
        para(AFFILIATION_SEPARATOR.join(affiliations), "fm-small", isolated=True)
    else:
        for affiliation_markup in affiliations:
            para(affiliation_markup, "fm-small", isolated=True)
    for number, note in enumerate(front.author_notes, start=1):
        marker = f"<super>{markup.text(note.marker, 'sans')}</super>\u00a0" if note.marker else ""
        para(marker + runs(note.text, "fm-small", f"author note {number}"), "fm-small")
    out.append(HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=8,
                          spaceAfter=6))
    info = [
        ("", front.journal_line, ""),
        ("", front.issue_title, ""),
        (labels.published, front.published, ""),
        (labels.doi, front.doi_url, front.doi_url),
        (labels.url, front.url, front.url),
        (labels.license, front.license, front.license_url),
    ]
    for label, value, link in info:
        if not value:
            continue
        head = f"<b>{text(label, 'fm-meta', label)}:</b> " if label else ""
        para(head + text(value, "fm-meta", label or "the journal line", safe_url(link)),
             "fm-meta")
    out.append(HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=6,
                          spaceAfter=2))
    if front.abstract:
        para(text(labels.abstract, "fm-label", "a label"), "fm-label")
        for paragraph in front.abstract:
            para(runs(paragraph, "fm-abstract", "the abstract"), "fm-abstract")
    if front.keywords:
        head = f"<b>{text(labels.keywords, 'fm-keywords', 'a label')}:</b> "
        keywords = KEYWORD_SEPARATOR.join(
            isolate(text(keyword, "fm-keywords", "the keywords")) for keyword in front.keywords
        )
        para(head + keywords, "fm-keywords", isolated=True)
    out.append(Spacer(1, 6))
    out += _cite_box(front, markup, styles, width, runs, text)
    out.append(Spacer(1, 14))
    return out



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
