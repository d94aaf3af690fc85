"""The PDF edition: a typeset journal article built with reportlab Platypus, returned as bytes."""

from __future__ import annotations

import io
from functools import partial
from typing import Any, ClassVar

from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

from galleys.errors import SourceError, UsageError
from galleys.front.frontmatter import FrontMatter
from galleys.model import ResolvedArticle
from galleys.writers import RenderOptions
from galleys.writers.pdf.body import BodyVisitor, Heading
from galleys.writers.pdf.draft import DraftMarks
from galleys.writers.pdf.flow import keep_headings
from galleys.writers.pdf.fonts import fonts
from galleys.writers.pdf.footnotes import Footnotes, NotesFrame
from galleys.writers.pdf.front import front_matter, furniture
from galleys.writers.pdf.hyphenation import Hyphenator, protected_words
from galleys.writers.pdf.markup import Markup
from galleys.writers.pdf.meta import attach_xmp, info
from galleys.writers.pdf.orcid import OrcidMarks
from galleys.writers.pdf.reportlab_overrides import fix_time, install
from galleys.writers.pdf.shaping import paragraph
from galleys.writers.pdf.styles import RULE, Styles, make_styles

PAPERS = {"a4": A4, "letter": letter}
_MARGIN_X = 2.2 * cm
_MARGIN_TOP = 2.4 * cm
_MARGIN_BOTTOM = 2.3 * cm
NOTES_LABEL = "Notes"  # FrontMatter.labels has no word for the end-notes heading


class PdfBackend:
    """reportlab Platypus, TrueType fonts embedded, end-notes, outline, Info + XMP metadata."""

    name: ClassVar[str] = "pdf"
    suffix: ClassVar[str] = ".pdf"
    media_type: ClassVar[str] = "application/pdf"

    def render(self, resolved: ResolvedArticle, front: FrontMatter, options: RenderOptions
               ) -> bytes:
        if options.paper not in PAPERS:
            raise UsageError(f"unknown paper size {options.paper!r} (known: a4, letter)")
        page_width, page_height = PAPERS[options.paper]
        width = page_width - 2 * _MARGIN_X
        height = page_height - _MARGIN_TOP - _MARGIN_BOTTOM
        install()  # reportlab's version checked, our shaper, measuring, font lookup
        font_set = fonts(resolved.metadata.fonts)  # per article: journal.yaml or its own
        hyphenator = Hyphenator(front.lang, protected_words(resolved.blocks))
        hyphenator.protect(word for author in front.authors for word in author.name.split())
        styles = make_styles(font_set, hyphenator)
        markup = Markup(font_set, direction=front.direction,
                        source=resolved.article.source_path, strict=options.strict,
                        lang=front.lang)
        self.warnings = markup.math.warnings  # formulas set as their TeX (pdf_math)
        orcid = OrcidMarks()
        footnotes = Footnotes(width=width)
        story = front_matter(front, markup, styles, width, orcid, footnotes, height)
        visitor = BodyVisitor(markup, styles, resolved.article.folder, width, height,
                              notes_label=NOTES_LABEL, footnotes=footnotes,
                              article_path=resolved.article.source_path)
        story += keep_headings(visitor.render(resolved.blocks, resolved.index),
                               lambda flowable: isinstance(flowable, Heading))
        head_left, head_right, foot_left = furniture(front, markup)
        markup.check()  # before layout: every character has a face that draws it

        buffer = io.BytesIO()
        document = _Document(
            buffer, pagesize=(page_width, page_height), leftMargin=_MARGIN_X,
            rightMargin=_MARGIN_X, topMargin=_MARGIN_TOP, bottomMargin=_MARGIN_BOTTOM,
            invariant=1, pageCompression=1, initialFontName=font_set.family("serif"),
            displayDocTitle=1, **info(front),
        )
        document.footnotes = footnotes
        frame = NotesFrame(_MARGIN_X, _MARGIN_BOTTOM, width, height, id="body",
                           leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                           footnotes=footnotes)
        document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        canvasmaker = partial(
            _PagedCanvas, furniture=(head_left, head_right, foot_left), styles=styles,
            margins=(_MARGIN_X, _MARGIN_TOP, _MARGIN_BOTTOM),
            draft=DraftMarks(_MARGIN_X, font_set.family("sans")) if options.draft else None,
            setup=lambda canvas: _setup(canvas, resolved, front, options.source_date_epoch,
                                        markup, orcid),
        )
        try:
            document.build(story, canvasmaker=canvasmaker)
        except LayoutError as exc:
            raise SourceError(f"the PDF edition cannot lay out an element: {exc}",
                              path=resolved.article.source_path) from None
        return buffer.getvalue()


def _setup(canvas: Canvas, resolved: ResolvedArticle, front: FrontMatter, epoch: int,
           markup: Markup, orcid: OrcidMarks) -> None:
    fix_time(canvas, epoch)
    orcid.install(canvas)
    markup.math.install(canvas)  # the callback drawing inline formulas
    attach_xmp(canvas, resolved, front, epoch)
    canvas.showOutline()


class _Document(BaseDocTemplate):
    """Adds an outline entry for every heading as it is laid out; draws each page's notes."""

    _last_level = -1
    footnotes: Footnotes | None = None

    _deferred: list[Any]

    def handle_flowable(self, flowables: list[Any]) -> None:
        """A figure too tall for what is left of the page waits for the next one while the
        text goes on (at most until the body ends)."""
        deferred = self.__dict__.setdefault("_deferred", [])
        frame = getattr(self, "frame", None)  # none before the first page begins
        if frame is None:
            super().handle_flowable(flowables)
            return
        if deferred and frame._atTop:  # a new page: the waiting figures first
            flowables[0:0] = deferred
            deferred.clear()
        first: Any = flowables[0] if flowables else None
        if (getattr(first, "floats", False) and not frame._atTop and len(flowables) > 1
                and not getattr(flowables[1], "floats", False)):
            first.wrapOn(self.canv, frame._getAvailableWidth(), frame._aH)
            height = first._H  # KeepTogether's content (its wrap says "split me")
            if frame._aH >= height > frame._y - frame._y1p:
                deferred.append(flowables.pop(0))
        if deferred and len(flowables) <= 1:  # the body's end: after its last flowable
            flowables += deferred
            deferred.clear()
        super().handle_flowable(flowables)

    def afterPage(self) -> None:  # noqa: N802 - reportlab's name
        if self.footnotes is not None:
            self.footnotes.draw(self.canv, _MARGIN_X, _MARGIN_BOTTOM)

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's name
        if isinstance(flowable, Heading):
            title, level, destination = flowable.outline
            depth = max(0, min(level - 1, self._last_level + 1))
            self._last_level = depth
            self.canv.addOutlineEntry(title or " ", destination, level=depth, closed=False)


class _PagedCanvas(Canvas):
    """Draws the running header and footer; "page N of M" is a form filled in once M is known."""

    def __init__(self, *args: Any, furniture: tuple[str, str, str], styles: Styles,
                 margins: tuple[float, float, float], setup: Any,
                 draft: DraftMarks | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft
        self._furniture = furniture
        self._styles = styles
        self._margins = margins
        self._pages_drawn = 0
        self._cells: dict[tuple[str, str, float], tuple[Any, float]] = {}
        setup(self)

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages_drawn += 1
        if self.draft is not None:
            self.draft.finish_page(self, *self._pagesize)
        self._draw_furniture(self._pages_drawn)
        super().showPage()

    def save(self) -> None:
        total = self._pages_drawn
        page_width, _height = self._pagesize
        margin_x, _top, margin_bottom = self._margins
        style = self._styles["furniture-right"]
        for number in range(1, total + 1):
            self.beginForm(f"galleys-page-{number}")
            self.setFont(style.fontName, style.fontSize)
            self.setFillColor(style.textColor)
            self.drawRightString(page_width - margin_x, margin_bottom - 26 + 2,
                                 f"page {number} of {total}")
            self.endForm()
        super().save()

    def _draw_furniture(self, number: int) -> None:
        page_width, page_height = self._pagesize
        margin_x, margin_top, margin_bottom = self._margins
        width = page_width - 2 * margin_x
        head_left, head_right, foot_left = self._furniture
        left, right = self._styles["furniture"], self._styles["furniture-right"]
        top = page_height - margin_top + 16
        self.saveState()
        self._cell(head_left, left, margin_x, top, width * 0.62)
        self._cell(head_right, right, margin_x + width * 0.62, top, width * 0.38,
                   optional=True)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(margin_x, top - 4, margin_x + width, top - 4)
        self.line(margin_x, margin_bottom - 14, margin_x + width, margin_bottom - 14)
        self._cell(foot_left, left, margin_x, margin_bottom - 26, width * 0.7)
        self.doForm(f"galleys-page-{number}")
        self.restoreState()

    def _cell(self, text: str, style: Any, x: float, y: float, width: float,
              optional: bool = False) -> None:
        """Draw one line of furniture; an optional one that needs two lines is left out.
        The same cell on every page is laid out once."""
        key = (text, style.name, width)
        if key not in self._cells:
            cell = paragraph(text, style)
            self._cells[key] = (cell, cell.wrap(width, 40)[1])
        cell, height = self._cells[key]
        if optional and height > style.leading * 1.5:
            return
        cell.drawOn(self, x, y)
