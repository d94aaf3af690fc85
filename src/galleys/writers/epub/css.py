"""The EPUB edition's own stylesheet (a constant, so it needs no package data)."""

STYLESHEET = """\
@charset "utf-8";
html { font-family: serif; }
body { margin: 0 4%; line-height: 1.45; hyphens: auto; -epub-hyphens: auto; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.2; hyphens: none;
  -epub-hyphens: none; page-break-after: avoid; break-after: avoid; }
h1 { font-size: 1.6em; margin: 1.2em 0 0.6em; }
h2 { font-size: 1.3em; margin: 1.1em 0 0.5em; }
h3 { font-size: 1.1em; margin: 1em 0 0.4em; }
h4, h5, h6 { font-size: 1em; margin: 1em 0 0.3em; }
p { margin: 0 0 0.6em; text-align: left; }
a { color: #1a4f8b; }
blockquote { margin: 0.8em 1.5em; font-size: 0.95em; }
pre { white-space: pre-wrap; word-wrap: break-word; font-size: 0.85em; background: #f4f4f1;
  padding: 0.5em; border-left: 3px solid #c4a052; }
code { font-family: monospace; font-size: 0.9em; }
.smallcaps { font-variant: small-caps; }
.underline { text-decoration: underline; }
.math { font-family: monospace; font-size: 0.9em; }
.math.display { display: block; text-align: center; margin: 0.6em 0; }
.line-block { white-space: pre-wrap; }
figure { margin: 1em 0; text-align: center; page-break-inside: avoid; break-inside: avoid; }
figure img, img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; margin-top: 0.4em; font-style: italic; }
div.figure-placeholder { border: 1px solid #999; padding: 0.5em 0.8em; margin: 0.5em 5%;
  text-align: left; }
div.callout { border: 1px solid #808080; background: #f2f5fa; padding: 0.4em 0.8em;
  margin: 0.8em 0; }
div.pagebreak { page-break-after: always; break-after: page; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; font-size: 0.9em; }
caption { caption-side: top; font-style: italic; margin-bottom: 0.4em; }
th, td { border-top: 1px solid #999; border-bottom: 1px solid #999; padding: 0.25em 0.4em;
  vertical-align: top; text-align: left; }
th { font-weight: bold; }
.align-right { text-align: right; }
.align-center { text-align: center; }
dt { font-weight: bold; margin-top: 0.5em; }
dd { margin: 0 0 0.4em 1.5em; }
hr { border: 0; border-top: 1px solid #999; margin: 1.5em 20%; }
a.noteref { font-size: 0.75em; vertical-align: super; line-height: 0; text-decoration: none; }
aside.footnote { font-size: 0.9em; margin: 0.5em 0; padding-top: 0.3em;
  border-top: 1px solid #ccc; }
aside.footnote a.backlink { text-decoration: none; }
.csl-bib-body .csl-entry { margin: 0 0 0.6em 1.5em; text-indent: -1.5em; }
.citation a { text-decoration: none; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-height: 100%; max-width: 100%; }
.titlepage { text-align: left; }
.titlepage .journal-line { font-family: sans-serif; font-size: 0.85em; color: #333;
  border-bottom: 1px solid #c4a052; padding-bottom: 0.3em; margin-bottom: 1.2em; }
.titlepage h1.title { font-size: 1.8em; margin: 0 0 0.3em; }
.titlepage .subtitle { font-family: sans-serif; font-size: 1.2em; margin-bottom: 1em; }
.titlepage ul.authors, .titlepage ol.affiliations { list-style: none; margin: 0 0 0.8em;
  padding: 0; }
.titlepage .author { font-weight: bold; }
.titlepage .orcid, .titlepage ol.affiliations { font-size: 0.9em; }
.titlepage .issue-title { font-family: sans-serif; font-size: 0.85em; font-style: italic;
  margin: 0 0 1.2em; }
.titlepage .author-notes { font-size: 0.9em; margin: 0 0 0.8em; }
.titlepage .author-note { margin: 0 0 0.2em; }
.titlepage .publication { font-size: 0.9em; margin: 1em 0; }
.titlepage .publication p { margin: 0 0 0.2em; }
.titlepage h2 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
.titlepage .label { font-weight: bold; }
.titlepage .how-to-cite p { margin-left: 1.5em; text-indent: -1.5em; }
nav ol { list-style: none; padding-left: 1em; }
"""
