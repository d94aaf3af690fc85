"""The Jinja2 templates of every page (landing pages, the journal index, the HTML edition):
ours ship as package data, a journal's own (`branding: {templates: …}`) replace them by name.

Autoescaped (a string is text; only Markup our code made, or a filter's result, is markup),
and sandboxed: a journal's template reads the values it is given and calls nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.sandbox import SandboxedEnvironment

from galleys.errors import InternalError, SourceError
from galleys.front.frontmatter import KEYWORD_SEPARATOR, FrontMatter
from galleys.writers.html.markup import link, runs, safe_url

# The templates a journal may replace, each by a file of the same name in its templates folder.
NAMES = ("base.html", "masthead.html", "title_block.html", "landing.html", "index.html",
         "article.html")
Overrides = tuple[tuple[str, str, str], ...]  # (template name, text, the file it came from)


@functools.lru_cache(maxsize=8)
def environment(overrides: Overrides = ()) -> SandboxedEnvironment:
    """The template environment: a journal's `overrides` first, then ours."""
    loaders: list[BaseLoader] = []
    if overrides:
        loaders.append(DictLoader({name: text for name, text, _file in overrides}))
    loaders.append(PackageLoader("galleys.writers.html", "templates"))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(runs=runs, safe_url=safe_url, link=link)
    env.globals["keyword_separator"] = KEYWORD_SEPARATOR
    return env


def compile_ours() -> None:
    """Compile our templates now (a build's warm-up does, while pandoc works): each is compiled
    once a process, at its first use."""
    env = environment()
    for name in NAMES:
        env.get_template(name)


def render(name: str, context: Mapping[str, Any], overrides: Overrides = ()) -> bytes:
    """The page `name` made from `context`, as UTF-8; a journal template's mistake is a
    SourceError naming its file (and line)."""
    files = {template: file for template, _text, file in overrides}
    try:
        text = environment(overrides).get_template(name).render(context)
    except TemplateSyntaxError as exc:
        raise SourceError(
            f"template: {exc.message}", path=files.get(exc.name or "", exc.name), line=exc.lineno
        ) from None
    except TemplateError as exc:
        # which of the journal's templates failed is not known here: name them all
        where = ", ".join(sorted(files.values())) or name
        raise SourceError(f"template {name}: {exc}", path=where) from None
    return text.encode("utf-8")


def field_renderers(overrides: Overrides = ()) -> frozenset[str] | None:
    """The front-matter kinds title_block.html has a renderer for (its `renderers`); None for
    a journal's own title_block.html that lays out the front matter its own way."""
    try:
        module = environment(overrides).get_template("title_block.html").module
    except TemplateError:
        return None  # render() reports the journal template's mistake, naming its file
    renderers = getattr(module, "renderers", None)
    return frozenset(renderers) if isinstance(renderers, dict) else None


def check_fields(front: FrontMatter, overrides: Overrides = ()) -> None:
    """An InternalError when front.fields() yields a kind title_block.html cannot lay out."""
    kinds = field_renderers(overrides)
    if kinds is None:
        return
    for field in front.fields():
        if field.kind not in kinds:
            raise InternalError(f"the HTML title block has no renderer for the front-matter "
                                f"{field.kind!r}")
