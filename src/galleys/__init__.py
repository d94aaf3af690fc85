"""galleys: one normalized article source to every edition a journal publishes, one front matter.

The pipeline, one package a stage (read -> resolve -> front -> write -> build; check reads back):
  read/       article.md + journal.yaml into the model: YAML with lines, names, dates, escapes,
              raw TeX and HTML, Quarto syntax, the files an article may name
  resolve/    the body's passes, once for every edition: parse, links, cross-references,
              figures, MathML, citations and the reference list
  front/      THE one place front matter is formatted (display strings, How to Cite, styles)
  writers/    the one registry of outputs; pdf/, epub/, docx/, landing/, citation files
  builder/    a journal build: plan, snapshots, input keys, workers, delivery, watch mode
  check/      `galleys check`: editions read back and compared with the source
  importers/  `galleys import`: OJS page text and Word manuscripts into article.md
  cli/        the `galleys` command and `galleys serve`
  flat:       errors (exit codes), model (frozen dataclasses), pandoc + pandoc_server (the one
              gateway to pandoc), scripts (writing systems), api (the library API below)

Library use: `galleys.convert(path, formats=...)` returns an article's editions as bytes;
`galleys.build(source, out)` builds a journal (see galleys.api). The build stage's package is
`builder/`, so that `galleys.build` can be the function.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from galleys.api import Editions, build, convert
    from galleys.errors import GalleysError

__all__ = ["Editions", "GalleysError", "__version__", "build", "convert"]


def __getattr__(name: str) -> Any:
    """The API names, imported on first use so `galleys --help` stays fast."""
    if name in ("convert", "build", "Editions", "api"):
        api = importlib.import_module("galleys.api")
        return api if name == "api" else getattr(api, name)
    if name == "GalleysError":
        from galleys.errors import GalleysError

        return GalleysError
    raise AttributeError(f"module 'galleys' has no attribute {name!r}")
