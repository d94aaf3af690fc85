"""Our own CSS (every page; the HTML edition's body and print) and the landing page's one small
script, inlined and pinned by CSP hashes; a journal's accent colours as CSS of their own."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

# System fonts only: nothing is fetched. Colours meet WCAG AA (4.5:1) in both schemes.
CSS = """\
:root {
  color-scheme: light dark;
  --text: #1b1b1b; --muted: #4a4a4a; --bg: #ffffff; --panel: #f3f4f6; --line: #c9ccd1;
  --link: #0a4f99; --button: #0a4f99; --button-text: #ffffff; --focus: #b3541e;
  --serif: Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, "DejaVu Serif", serif;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #ececec; --muted: #c4c4c4; --bg: #15171a; --panel: #22262b; --line: #4a4f57;
    --link: #9cc7ff; --button: #9cc7ff; --button-text: #0d1117; --focus: #ffb27a;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 1.0625rem/1.6 var(--serif); overflow-wrap: break-word;
}
a { color: var(--link); text-underline-offset: 0.15em; }
a:focus-visible, button:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
.skip { position: absolute; inset-inline-start: -999rem; }
.skip:focus { inset-inline-start: 1rem; top: 1rem; background: var(--bg); padding: 0.5rem; }
.site, main, .foot { max-width: 68rem; margin: 0 auto; padding: 0 1rem; }
.site { font-family: var(--sans); font-size: 0.95rem; padding-top: 1rem; }
.site ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 0.3rem 1.5rem; align-items: center; }
.site a { font-weight: 600; }
.logo { display: block; height: 3rem; width: auto; max-width: 100%; margin-bottom: 0.3rem; }
h1, h2, h3 { line-height: 1.25; }
h1 { font-size: clamp(1.6rem, 4.5vw, 2.3rem); margin: 0.4rem 0 0.6rem; }
h2 { font-size: 1.3rem; margin: 1.8rem 0 0.6rem; font-family: var(--sans); }
h3 { font-size: 1.05rem; margin: 1rem 0 0.3rem; font-family: var(--sans); }
.subtitle { display: block; font-size: 0.72em; font-weight: 400; margin-top: 0.3rem; }
.journal-line, .facts, .authors, .affiliations, .downloads, .read-online, .entry-meta, .foot,
.picker, .cite-files { font-family: var(--sans); }
.journal-line { color: var(--muted); margin: 1.2rem 0 0; font-size: 0.95rem; }
.journal-line + .journal-line { margin-top: 0; }
main > h1:first-child { margin-top: 1.5rem; }
.authors { list-style: none; padding: 0; margin: 0.6rem 0; font-size: 1.05rem; }
.authors li { display: inline; }
.authors li:not(:last-child)::after { content: ", "; }
.orcid { font-size: 0.85rem; }
.affiliations { padding-inline-start: 0; list-style: none; color: var(--muted); margin: 0.4rem 0;
  font-size: 0.92rem; }
.author-notes { color: var(--muted); font-family: var(--sans); font-size: 0.88rem;
  margin: 0.4rem 0; }
.author-notes p { margin: 0; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.15rem 0.8rem;
  margin: 1rem 0; font-size: 0.92rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 2.5rem; }
@media (min-width: 52rem) {
  .layout { grid-template-columns: minmax(0, 1fr) 17rem; }
  .side { grid-column: 2; grid-row: 1 / span 3; }
}
.preview { margin: 1rem 0; }
.preview img { display: block; width: 100%; max-width: 17rem; height: auto;
  border: 1px solid var(--line); background: #fff; }
@media (max-width: 52rem) {
  .preview img { max-width: 14rem; }
}
.read-online { margin: 0 0 1rem; }
.downloads { list-style: none; padding: 0; margin: 0; }
.downloads li { margin: 0 0 0.8rem; }
.button { display: inline-block; background: var(--button); color: var(--button-text);
  font-weight: 600; text-decoration: none; padding: 0.45rem 0.9rem; border-radius: 0.3rem; }
.button:hover { text-decoration: underline; }
.file-info { display: block; color: var(--muted); font-size: 0.85rem; margin-top: 0.2rem; }
.hash { font-size: 0.78rem; word-break: break-all; overflow-wrap: anywhere; }
.keywords { font-family: var(--sans); font-size: 0.95rem; }
.cite { background: var(--panel); border: 1px solid var(--line); border-radius: 0.4rem;
  padding: 0.2rem 1rem 0.8rem; }
.cite .citation { margin: 0.3rem 0 0.6rem; }
.js .cite h3 { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
.picker { display: flex; flex-wrap: wrap; gap: 0.5rem 0.8rem; align-items: center;
  margin: 0.8rem 0 0.4rem; }
.picker[hidden] { display: none; }
.picker label { font-weight: 600; }
select, button { font: inherit; font-size: 0.95rem; color: var(--text); background: var(--bg);
  border: 1px solid var(--muted); border-radius: 0.3rem; padding: 0.3rem 0.5rem;
  max-width: 100%; }
button { cursor: pointer; }
.status { font-size: 0.85rem; color: var(--muted); margin: 0; }
.js .status { min-height: 1.3em; }
.cite-files { font-size: 0.95rem; }
.cite-files ul { list-style: none; padding: 0; margin: 0.3rem 0; display: flex; flex-wrap: wrap;
  gap: 0.4rem 1.2rem; }
.smallcaps { font-variant: small-caps; }
.issue { margin-top: 2rem; }
.issue-title { color: var(--muted); font-style: italic; margin: 0; }
.entries { list-style: none; padding: 0; }
.entries li { margin: 0 0 1.2rem; }
.entries h3 { font-family: var(--serif); font-size: 1.15rem; margin: 0; }
.entry-meta { color: var(--muted); font-size: 0.92rem; margin: 0.2rem 0 0; }
.foot { color: var(--muted); font-size: 0.85rem; margin-top: 3rem; padding-bottom: 2rem;
  border-top: 1px solid var(--line); padding-top: 1rem; }
@media print {
  :root { --text: #000000; --muted: #333333; --bg: #ffffff; --panel: #ffffff; --line: #999999;
    --link: #000000; }
  body { font-size: 10.5pt; }
  .skip, .site, .foot, .side, .picker, .status { display: none; }
  main { max-width: none; padding: 0; }
  a { text-decoration: none; }
  .layout { display: block; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; }
}
"""

# The HTML edition's body: sections, figures, tables, formulas, callouts, notes, references.
ARTICLE_CSS = """\
.full-text-page .site, .full-text-page main, .full-text-page .foot { max-width: 48rem; }
.full-text .how-to-cite .citation, .csl-entry { padding-inline-start: 1.5em; text-indent: -1.5em; }
.body h2 { font-size: 1.45rem; margin-top: 2.2rem; }
.body h3 { font-size: 1.2rem; margin-top: 1.6rem; }
.body h4, .body h5, .body h6 { font-size: 1.05rem; margin: 1.2rem 0 0.3rem;
  font-family: var(--sans); }
.body p, .body li, .body dd { hyphens: auto; }
figure { margin: 1.5rem 0; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; background: #fff; }
figcaption, caption { font-family: var(--sans); font-size: 0.92rem; color: var(--muted);
  margin: 0.5rem 0; text-align: start; }
.table-wrap { overflow-x: auto; margin: 1.5rem 0; }
.table-wrap:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
table { border-collapse: collapse; font-size: 0.95rem; }
caption { caption-side: top; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.6rem; vertical-align: top;
  text-align: start; }
thead th { border-bottom: 2px solid var(--text); }
.align-right { text-align: right; }
.align-center { text-align: center; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 0.3rem;
  padding: 0.6rem 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9rem; }
code { font-size: 0.92em; }
blockquote { margin: 1rem 0; padding-inline-start: 1rem;
  border-inline-start: 3px solid var(--line); }
math[display="block"] { margin: 1rem 0; }
.equation { display: flex; align-items: center; gap: 1rem; }
.equation > math { flex: 1 1 auto; }
.equation-number { flex: none; }
.underline { text-decoration: underline; }
.line-block { white-space: pre-wrap; }
.callout, .figure-placeholder { background: var(--panel); border: 1px solid var(--line);
  border-inline-start: 4px solid var(--link); border-radius: 0.3rem; padding: 0.2rem 1rem;
  margin: 1.2rem 0; }
.callout-title { font-family: var(--sans); }
a.noteref { font-size: 0.75em; vertical-align: super; line-height: 0; text-decoration: none;
  padding: 0 0.1em; }
.footnotes { border-top: 1px solid var(--line); margin-top: 2.5rem; font-size: 0.95rem; }
aside.footnote p { margin: 0.4rem 0; }
a.backlink { text-decoration: none; font-weight: 600; }
:target { scroll-margin-top: 1rem; }
aside.footnote:target, .csl-entry:target { background: var(--panel); }
.csl-entry { margin: 0 0 0.6rem; }
@media print {
  .full-text-page main { max-width: none; }
  .table-wrap { overflow: visible; }
  figure, table, pre, .callout { break-inside: avoid; }
  .body a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 0.85em;
    overflow-wrap: anywhere; }
}
"""

# Turns the pre-rendered citations into a style picker and adds a copy button; without it every
# style stays visible, so nothing depends on JavaScript. All words shown come from the HTML.
SCRIPT = """\
(function () {
  "use strict";
  var picker = document.getElementById("cite-style");
  var box = document.getElementById("cite-picker");
  if (!picker || !box) { return; }
  var items = document.querySelectorAll("[data-cite-style]");
  var copy = document.getElementById("cite-copy");
  var status = document.getElementById("cite-status");
  document.documentElement.classList.add("js");
  box.hidden = false;
  function show() {
    for (var i = 0; i < items.length; i++) {
      items[i].hidden = items[i].getAttribute("data-cite-style") !== picker.value;
    }
    status.textContent = "";
  }
  function current() {
    return document.querySelector("[data-cite-style]:not([hidden]) .citation");
  }
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  function report(ok) {
    status.textContent = copy.getAttribute(ok ? "data-done" : "data-failed");
  }
  picker.addEventListener("change", show);
  window.addEventListener("pageshow", show);
  copy.addEventListener("click", function () {
    var node = current();
    if (!node) { return; }
    var text = node.textContent.replace(/\\s+/g, " ").trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { report(true); },
        function () { report(selectText(node)); }
      );
    } else {
      report(selectText(node));
    }
  });
  show();
})();
"""


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline script or style."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(styles: Sequence[str], script: str = "") -> str:
    """No network at all: only these inline styles and script, images beside the page and
    embedded ones (figures, a logo, the empty icon)."""
    parts = [
        "default-src 'none'",
        "style-src " + " ".join(csp_hash(css) for css in styles),
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if script:
        parts.insert(2, f"script-src {csp_hash(script)}")
    return "; ".join(parts)


def brand_css(accent: str, accent_dark: str) -> str:
    """A journal's accent colours (links and buttons; already checked for contrast) over ours,
    in the light and the dark scheme; "" when it names none."""
    out = []
    if accent:
        out.append(f":root {{ --link: {accent}; --button: {accent}; }}\n")
    if accent_dark:
        out.append("@media (prefers-color-scheme: dark) {\n"
                   f"  :root {{ --link: {accent_dark}; --button: {accent_dark}; }}\n}}\n")
    if out:
        out.append("@media print {\n  :root { --link: #000000; }\n}\n")
    return "".join(out)
