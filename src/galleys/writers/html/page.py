"""What every page's template is given — interface words, the journal's branding, the styles
and script its Content-Security-Policy pins — and the HTML edition's page itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from galleys.model import Branding
from galleys.writers.html import templates
from galleys.writers.html.markup import safe_url
from galleys.writers.landing import assets
from galleys.writers.landing.meta import Links, meta_tags

if TYPE_CHECKING:
    from galleys.front.frontmatter import FrontMatter
    from galleys.model import ResolvedArticle

LANDING_PAGE = "index.html"  # an article's landing page, dist/<slug>/index.html
@dataclass(frozen=True)
class Words:
    """Interface words that are not front-matter labels (templates read them as words.skip)."""

    download: str = "Download"
    downloads: str = "Download"
    read_online: str = "Read online"
    preview: str = "First page of the PDF edition"
    style: str = "Citation style"
    copy: str = "Copy citation"
    copied: str = "Copied to the clipboard."
    copy_failed: str = "The citation is selected: press Ctrl+C (\u2318C on a Mac) to copy it."
    cite_files: str = "Download the citation"
    index: str = "Articles"
    article_page: str = "Article page and downloads"
    notes: str = "Notes"
    site_nav: str = "Journal"
    skip: str = "Skip to content"
    made_by: str = "Made with galleys."


WORDS = Words()


def context(
    lang: str,
    direction: str,
    title: str,
    description: str,
    branding: Branding,
    *,
    nav: list[tuple[str, str]],
    article: bool = False,
    script: bool = False,
    extra_css: str = "",
) -> dict[str, Any]:
    """The values base.html and its partials read; `nav` is (text, href) of the masthead's
    links, the first one the journal's (with its logo)."""
    styles = [assets.CSS]
    if article:
        styles.append(assets.ARTICLE_CSS)
    if extra_css:
        styles.append(extra_css)
    brand = assets.brand_css(branding.accent, branding.accent_dark)
    styles += [css for css in (brand, branding.css) if css]
    code = assets.SCRIPT if script else ""
    return {
        "lang": lang,
        "dir": direction,
        "title": title,
        "description": shorten(description, 300),
        "words": WORDS,
        "brand": branding,
        "nav": [{"text": text, "href": href} for text, href in nav],
        "page": {
            "styles": [Markup(css) for css in styles],  # ours, and the journal's checked one
            "script": Markup(code) if code else "",
            "csp": assets.content_security_policy(styles, code),
            "kind": "full-text-page" if article else ("landing-page" if nav else "index-page"),
        },
    }


def article(resolved: ResolvedArticle, front: FrontMatter, body: Markup, notes: Markup,
            sizes: str = "") -> bytes:
    """The HTML edition's page: the title block, abstract, How to Cite, the body, its notes;
    `sizes` is the CSS of its images' sizes."""
    branding = resolved.metadata.branding
    values = context(
        front.lang,
        front.direction,
        page_title(front),
        front.abstract_lead or front.journal_line,
        branding,
        nav=[(front.journal_title or WORDS.index, f"../{LANDING_PAGE}"),
             (WORDS.article_page, LANDING_PAGE)],
        article=True,
        extra_css=sizes,
    )
    templates.check_fields(front, branding.templates)
    values.update(
        front=front,
        fields=front.fields(),  # for a journal's own templates; ours walk front.fields()
        head=meta_tags(resolved, front, Links(page=safe_url(front.url), pdf="", image="")),
        body=body,
        notes=notes,
    )
    return templates.render("article.html", values, branding.templates)


def page_title(front: FrontMatter) -> str:
    """The <title> of an article's pages: its title, then the journal's."""
    return front.title_text + (f" | {front.journal_title}" if front.journal_title else "")


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word before `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
