"""Raw TeX in the body read by pandoc's LaTeX reader and spliced back as AST, never dropped whole.

Pandoc's Markdown reader keeps `\\texttt{x}`, `\\begin{figure}…`, `\\autoref{x}` as raw TeX nodes.
`read_raw_tex` sends every such passage of one article to pandoc's LaTeX reader in one call
(passages parted by a separator paragraph; inside pandoc's sandbox, so `\\input`/`\\include`
never read a file) and puts what it made in their place, before any other pass sees the body:

- `equation`, `align`, `eqnarray`, `gather`, `multline` (starred too) become display math, the
  environment turned into a form every math renderer reads (`align*`, an `array`);
- `table` with `\\caption` and `\\label` becomes a Table with the label as its id;
- `figure` with `\\includegraphics`, `\\caption` and `\\label` becomes a pandoc Figure with the
  label as its id and the file named as written (`figures.check_images`, which runs next, finds
  a name without extension as LaTeX does: .pdf, .png, .jpg …);
- `\\texttt`, `\\emph`, `\\textbf`, `\\href`, `\\url`, `\\footnote`, `\\mbox`, accents, `\\&`,
  `description` lists … become what Markdown would have made; text symbols pandoc does not know
  (`\\textendash`) come from pylatexenc's table; layout-only commands (`\\centering`,
  `\\vspace`) go silently, `\\newpage`/`\\clearpage` become a page break;
- `\\ref{x}`, `\\autoref{x}`, `\\eqref{x}` stay as the reader makes them: a Link to `#x` with
  the attributes `reference-type` and `reference` (the cross-reference pass resolves them);
  `\\label{x}` outside a figure or an equation stays an empty Span with id `x`.

Contract with the cross-reference and math passes: every display equation with a `\\label{x}`
(raw TeX or Markdown `$$…$$` alike) is `Span ["x", ["equation"], []] [Math DisplayMath tex]`, the
`\\label` taken out of `tex`. A page break is `Div ["", ["pagebreak"], []] []`.

Only what the reader cannot parse (it leaves it raw) is dropped: each passage counted and named
by its line in one warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from galleys import pandoc
from galleys.errors import ToolError
from galleys.pandoc_ast import (
    SPACES,
    Node,
    attr_of,
    cite_of,
    code_of,
    content_of,
    div_of,
    has_children,
    image_of,
    is_display_math,
    is_kind,
    is_node,
    kind_of,
    make,
    math_of,
    raw,
    set_ident,
    span,
    span_of,
    string,
    with_content,
)

TEX_FORMATS = ("latex", "tex")
LATEX_READER = "latex+raw_tex"  # unparsed commands stay raw, so they can be counted
TEXT_READER = "latex"  # the second reading: unknown commands go, known wrappers give text
PAGE_BREAK: Node = make("Div", [["", ["pagebreak"], []], []])
_SEPARATOR = "GALLEYSRAWTEXPASSAGE"
MACRO_LOOP = "Loop encountered in expanding macro"  # pandoc's words for \def\x{\x}\x
_TIMED_OUT = "did not finish within"  # pandoc.run's words: not worth a second try
# Commands that only lay out (nothing of the text is lost without them).
_LAYOUT = {
    "centering", "raggedright", "raggedleft", "noindent", "indent", "hfill", "vfill", "par",
    "medskip", "smallskip", "bigskip", "vspace", "hspace", "linebreak", "nolinebreak",
    "FloatBarrier", "phantomsection", "tiny", "scriptsize", "footnotesize", "small",
    "normalsize", "large", "Large", "LARGE", "huge", "Huge", "allowbreak", "relax", "null",
    "protect", "nopagebreak", "vskip", "hskip", "quad", "qquad", "nobreak", "strut",
}
_PAGE_BREAKS = {"newpage", "clearpage", "pagebreak", "cleardoublepage"}
# The logos of TeX's family pandoc's reader does not know (it knows \TeX and \LaTeX).
_LOGOS = {"BibTeX": "BibTeX", "LaTeXe": "LaTeX2ε", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX",
          "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX",
          "ConTeXt": "ConTeXt", "AmS": "AMS", "AmSTeX": "AMS-TeX", "AMSTeX": "AMS-TeX",
          "MiKTeX": "MiKTeX", "METAFONT": "METAFONT", "MF": "METAFONT", "MP": "MetaPost"}
_ONE_COMMAND = re.compile(r"\\([A-Za-z]+)\*?\s*((?:\[[^\]]*\]|\{[^{}]*\})*)\s*")
_MATH_ENV = re.compile(
    r"^\s*\\begin\{(equation|align|flalign|alignat|eqnarray|gather|multline)(\*?)\}"
    r"(?:\{\d+\})?(.*)\\end\{\1\*?\}\s*$",
    re.DOTALL,
)
_LABEL = re.compile(r"\\label\s*\{([^{}]*)\}")
_CITE = re.compile(r"\\(?:[a-zA-Z]*cite[a-zA-Z]*|citet|citep)\*?\s*[\[{]")
_TEX_AS_TEXT = re.compile(r"^\\[A-Za-z]+\{")  # a Str "\begin{equation}" or "\emph{x"
_NO_NUMBER = re.compile(r"\\(?:nonumber|notag)\b")
_WIDTH = re.compile(r"^(\d*\.?\d*)\s*\\(?:textwidth|linewidth|columnwidth|hsize)$")


class _Passages:
    """The raw TeX passages of a body in document order, found by one walk, filled by another."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.inline: list[bool] = []
        self.results: list[list[Node]] | None = None
        self.taken = 0

    def visit(self, text: str, inline: bool) -> list[Node] | None:
        if self.results is None:
            self.texts.append(text)
            self.inline.append(inline)
            return None
        result = self.results[self.taken]
        self.taken += 1
        return result


def read_raw_tex(
    blocks: list[Node], body: str, body_line: int
) -> tuple[list[Node], list[tuple[int | None, str]]]:
    """`blocks` with every raw TeX passage read; and the (line, passage) pairs that could not be.

    `body` is the article's body text (from `body_line` of its file): passages are named by
    the line where they start.
    """
    passages = _Passages()
    _splice_blocks(blocks, passages)
    dropped: list[str] = []
    if passages.texts:
        passages.results = _parse(passages, dropped)
        blocks = _splice_blocks(blocks, passages)
    return blocks, _lines(dropped, body, body_line)


def tex_left_as_text(blocks: list[Node], body: str, body_line: int
                     ) -> list[tuple[int | None, str]]:
    """The TeX commands pandoc's Markdown reader left as text (`\\begin{equation}` never
    closed, `\\emph{` never matched), with their lines: what the author will want to mend."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if is_kind(value, "Str"):
                if _TEX_AS_TEXT.match(content_of(value)):
                    found.append(content_of(value))
            elif has_children(value):
                walk(content_of(value))

    walk(blocks)
    return _lines(found, body, body_line)


def left_as_text_warning(source: object, left: list[tuple[int | None, str]]) -> str:
    """The one warning naming, by line, the malformed TeX shown as written."""
    return (f"{_where(source, left)}: warning: {len(left)} TeX command(s) shown as written "
            f"(an environment never closed or a brace never matched): {_named(left)}")


def cites(body: str) -> bool:
    """Whether raw TeX in `body` may cite (`\\cite{k}`, `\\citet[p.~2]{k}`): citeproc must
    then run after this pass, which makes those citations, not in the parse."""
    return bool(_CITE.search(body))


def unread_warning(source: object, unread: list[tuple[int | None, str]]) -> str:
    """The one warning naming, by line, the raw TeX passages the reader could not read (one
    not in the body text came from the bibliography, through citeproc)."""
    return (f"{_where(source, unread)}: warning: dropped {len(unread)} passage(s) of raw markup "
            f"(TeX that pandoc's LaTeX reader cannot read): "
            f"{_named(unread, ' (from the bibliography)')}")


def _where(source: object, found: list[tuple[int | None, str]]) -> str:
    """`source`, with the line of the first of `found` when it has one."""
    return f"{source}:{found[0][0]}" if found[0][0] else str(source)


def _named(found: list[tuple[int | None, str]], elsewhere: str = "") -> str:
    """Each passage with its line ("line 12 '\\foo{x}'"), `elsewhere` after one without."""
    return "; ".join(f"line {line} {_short(text)}" if line else f"{_short(text)}{elsewhere}"
                     for line, text in found)


def _short(text: str) -> str:
    words = " ".join(text.split())
    return repr(words if len(words) <= 50 else words[:49] + "…")


def _parse(passages: _Passages, dropped: list[str]) -> list[list[Node]]:
    """Each passage read by pandoc's LaTeX reader, then finished.

    Two calls at most: every passage with raw TeX kept (so what the reader cannot parse shows),
    then what it left raw once more without (it reads `\\mbox{…}`, `\\text{…}` so)."""
    parsed = _read_all(passages.texts, LATEX_READER)
    raw = sorted(set(_raw_texts(parsed)))
    again = [_as_blocks(found) for found in _read_all(raw, TEXT_READER)] if raw else []
    left = _Leftovers(dict(zip(raw, again, strict=True)), dropped)
    results = []
    for inline, found in zip(passages.inline, parsed, strict=True):
        finished = label_equations(_finish_blocks(found, left))
        results.append(_as_inlines(finished) if inline else finished)
    return results


def _read_all(texts: list[str], reader: str) -> list[list[Node]]:
    """The blocks of each text, read in one pandoc call (parted by separator paragraphs)."""
    joined = f"\n\n{_SEPARATOR}\n\n".join(texts)
    try:
        parsed = _split(pandoc.convert(joined.encode(), reader, "json").json()["blocks"])
    except ToolError as error:  # one passage the reader refuses: the others are still read
        if _TIMED_OUT in error.message:
            raise
        parsed = []
    if len(parsed) != len(texts):  # a passage swallowed a separator, or failed: one by one
        parsed = [_read_one(text, reader) for text in texts]
    return parsed


def _read_one(text: str, reader: str) -> list[Node]:
    """The blocks of one passage; one the reader refuses is left raw (so counted as unread)."""
    try:
        return pandoc.convert(text.encode(), reader, "json").json()["blocks"]
    except ToolError as error:
        if _TIMED_OUT in error.message:
            raise
        return [make("RawBlock", ["latex", text])]


def _raw_texts(value: Any) -> list[str]:
    """The raw TeX the reader left in `value`."""
    if isinstance(value, list):
        return [text for item in value for text in _raw_texts(item)]
    if isinstance(value, dict):
        found = raw(value)
        if found is not None:
            return [found[1]]
        if not is_kind(value, "Cite"):
            return _raw_texts(content_of(value))
    return []


def _as_blocks(blocks: list[Node]) -> list[Node]:
    """What a second reading made of a command, or [] when it made no text of it."""
    return blocks if _plain_text(blocks) else []


class _Leftovers:
    """What the second reading made of each raw command, and the ones no reading could read."""

    def __init__(self, reread: dict[str, list[Node]], dropped: list[str]) -> None:
        self.reread = reread
        self.dropped = dropped


def _split(blocks: list[Node]) -> list[list[Node]]:
    """Blocks parted at the separator paragraphs."""
    parts: list[list[Node]] = [[]]
    for block in blocks:
        if is_kind(block, "Para") and content_of(block) == [string(_SEPARATOR)]:
            parts.append([])
        else:
            parts[-1].append(block)
    return parts


def _as_inlines(blocks: list[Node]) -> list[Node]:
    """A passage read as paragraphs, as the inlines it stands for in its paragraph."""
    inlines: list[Node] = []
    for block in blocks:
        if is_kind(block, "Para", "Plain"):
            if inlines:
                inlines.append(make("Space"))
            inlines.extend(content_of(block))
    return inlines


# -- the walk: block lists and inline lists, raw TeX found and replaced --------------------
def _is_tex(node: Any, kind: str) -> bool:
    found = raw(node)
    return found is not None and kind_of(node) == kind and found[0].lower() in TEX_FORMATS


def _tex(node: Node) -> str:
    """The text of a RawBlock or RawInline."""
    return (raw(node) or ("", ""))[1]


def _only_tex(inlines: list[Node]) -> bool:
    """Whether a paragraph holds nothing but raw TeX (and the spaces between)."""
    return any(_is_tex(n, "RawInline") for n in inlines) and all(
        _is_tex(n, "RawInline") or is_kind(n, *SPACES) for n in inlines)


def _splice_blocks(blocks: list[Node], passages: _Passages) -> list[Node]:
    out: list[Node] = []
    for block in blocks:
        kind = kind_of(block)
        if _is_tex(block, "RawBlock"):
            found = passages.visit(_tex(block), inline=False)
        elif kind in ("Para", "Plain") and _only_tex(content_of(block)):
            text = "".join(_tex(n) if is_kind(n, "RawInline") else
                           ("\n" if is_kind(n, "SoftBreak") else " ")
                           for n in content_of(block))
            found = passages.visit(text, inline=False)
        else:
            out.append(_splice_node(block, passages))
            continue
        out.extend([block] if found is None else found)
    return out


def _splice_inlines(inlines: list[Node], passages: _Passages) -> list[Node]:
    out: list[Node] = []
    for node in inlines:
        if _is_tex(node, "RawInline"):
            found = passages.visit(_tex(node), inline=True)
            if found is None:
                out.append(node)
            else:
                out.extend(found)
        elif is_kind(node, "Image"):  # its description: words only, a label is the caption's
            attr, described, url, title = image_of(_splice_node(node, passages))
            described = [n for n in described if not _is_empty_span(n)]
            out.append(make("Image", [attr.to_json(), described, [url, title]]))
        else:
            out.append(_splice_node(node, passages))
    return out


def _descend(node: Any, on_blocks: Callable[[list[Any]], Any],
             on_inlines: Callable[[list[Any]], Any]) -> Any:
    """`node` with each list of nodes inside it handed to `on_blocks` or `on_inlines` (by the
    kind of its first node); other lists and nodes walked through."""
    if isinstance(node, list):
        if node and all(is_node(n) for n in node):
            return (on_blocks if kind_of(node[0]) in _BLOCKS else on_inlines)(node)
        return [_descend(item, on_blocks, on_inlines) for item in node]
    if has_children(node):
        return with_content(node, _descend(content_of(node), on_blocks, on_inlines))
    return node


def _is_empty_span(node: Node) -> bool:
    return is_kind(node, "Span") and not span_of(node).inlines


def _splice_node(node: Any, passages: _Passages) -> Any:
    """`node` with the lists inside it walked (a block list or an inline list each)."""
    return _descend(node, lambda blocks: _splice_blocks(blocks, passages),
                    lambda inlines: _splice_inlines(inlines, passages))


_BLOCKS = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
           "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}


# -- what the LaTeX reader made, finished ---------------------------------------------------
def _finish_blocks(blocks: list[Node], left: _Leftovers) -> list[Node]:
    out: list[Node] = []
    for block in blocks:
        kind = kind_of(block)
        if kind == "RawBlock":
            out.extend(_leftover(_tex(block), left, block=True))
        elif kind in ("Para", "Plain") and _only_tex(content_of(block)):
            for node in content_of(block):
                if is_kind(node, "RawInline"):
                    out.extend(_leftover(_tex(node), left, block=True))
        elif kind == "Figure":
            out.append(_figure(block, left))
        elif _labelled_table(block):  # \begin{table}…\label{x}: the reader's Div around it
            table = _finish_node(div_of(block).blocks[0], left)  # a new node: set in place
            set_ident(table, attr_of(block).ident)
            out.append(table)
        else:
            out.append(_finish_node(block, left))
    return [b for b in out if not (is_kind(b, "Para", "Plain") and not content_of(b))]


def _labelled_table(block: Node) -> bool:
    """Whether `block` is a Div with only an id around one Table without one."""
    if not is_kind(block, "Div"):
        return False
    (ident, classes, pairs), inner = div_of(block)
    if not ident or classes or pairs:
        return False
    return len(inner) == 1 and is_kind(inner[0], "Table") and not attr_of(inner[0]).ident


def _finish_inlines(inlines: list[Node], left: _Leftovers
                    ) -> list[Node]:
    out: list[Node] = []
    for node in inlines:
        if is_kind(node, "RawInline"):
            out.extend(_leftover(_tex(node), left, block=False))
        elif is_kind(node, "Cite"):  # \cite{k}: its text is the raw command; as Markdown's instead
            citations = cite_of(node).citations
            keys = "; ".join(" ".join(filter(None, (
                _plain_text(c["citationPrefix"]), "@" + c["citationId"],
                _plain_text(c["citationSuffix"])))) for c in citations)
            out.append(make("Cite", [citations, [string(f"[{keys}]")]]))
        else:
            out.append(_finish_node(node, left))
    return out


def _finish_node(node: Any, left: _Leftovers) -> Any:
    return _descend(node, lambda blocks: _finish_blocks(blocks, left),
                    lambda inlines: _finish_inlines(inlines, left))


def _leftover(text: str, left: _Leftovers, *, block: bool) -> list[Node]:
    """What a command the reader left raw becomes: a page break, a symbol, nothing, or dropped."""
    match = _ONE_COMMAND.fullmatch(text.strip())
    name = match.group(1) if match else ""
    if name in _PAGE_BREAKS:
        return [PAGE_BREAK] if block else []
    if match and name == "label" and match.group(2).startswith("{"):  # as without raw TeX
        label = match.group(2)[1:-1].strip()
        labelled = make("Span", [[label, [], [["label", label]]], []])
        return [make("Para", [labelled])] if block else [labelled]
    if name in _LAYOUT:
        return []
    symbol = _LOGOS.get(name) or (_symbol(text) if match and not match.group(2).strip("{}")
                                  else None)
    if symbol:
        word = string(symbol)
        return [make("Para", [word])] if block else [word]
    again = left.reread.get(text)
    if again:
        return again if block else _as_inlines(again)
    left.dropped.append(text)
    return []


def _symbol(text: str) -> str | None:
    """A text symbol's character (`\\textendash` → –) from pylatexenc's table, else None."""
    from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db

    match = _ONE_COMMAND.fullmatch(text.strip())
    if not match or get_default_latex_context_db().get_macro_spec(match.group(1)) is None:
        return None
    return LatexNodes2Text().latex_to_text(text).strip() or None


def _figure(block: Node, left: _Leftovers) -> Node:
    """A LaTeX figure: layout commands gone, images unwrapped, found and given an alt text."""
    (ident, classes, pairs), caption, body = content_of(block)  # caption: [short, blocks]
    pairs = [p for p in pairs if p[0] != "latex-placement"]
    caption = _finish_node(caption, left)
    body = _finish_blocks(body, left)
    alt = _plain_text(caption[1])
    body = [_finish_images(b, alt) for b in body]
    return make("Figure", [[ident, classes, pairs], caption, body])


def _finish_images(node: Any, alt: str) -> Any:
    if isinstance(node, list):
        out = []
        for item in node:
            if (is_kind(item, "Span") and attr_of(item) == ("", [], [])
                    and any(is_kind(n, "Image") for n in span_of(item).inlines)):
                out.extend(_finish_images(span_of(item).inlines, alt))  # {\includegraphics…}
            else:
                out.append(_finish_images(item, alt))
        return out
    if is_kind(node, "Image"):
        (ident, classes, pairs), described, target, title = image_of(node)
        pairs = [[k, _percent(v)] for k, v in pairs]
        if not described or described == [string("image")]:
            described = [string(alt)] if alt else []
        return make("Image", [[ident, classes, pairs], described, [target, title]])
    if has_children(node):
        return with_content(node, _finish_images(content_of(node), alt))
    return node


def _percent(length: str) -> str:
    """`0.8\\textwidth` as `80%` (pandoc's reader does so only for some forms), else as is."""
    match = _WIDTH.match(length.strip())
    if not match:
        return length
    fraction = float(match.group(1)) if match.group(1).strip(".") else 1.0
    return f"{fraction * 100:g}%"


def _plain_text(blocks: list[Node]) -> str:
    words: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            kind = kind_of(value)
            if kind == "Str":
                words.append(content_of(value))
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                words.append(" ")
            elif kind == "Math":
                words.append(math_of(value).tex)
            elif kind == "Code":
                words.append(code_of(value).text)
            elif kind != "Note" and has_children(value):
                walk(content_of(value))

    walk(blocks)
    return " ".join("".join(words).split())


# -- TeX accents in Markdown prose ----------------------------------------------------------
def decode_accents(line: str) -> str:
    """A line of Markdown prose with its TeX accents as letters (`F\\'ed\\'erale` → Fédérale).

    Pandoc's Markdown reader takes `\\'` for an escaped apostrophe, so these are read here,
    before it: a braced accent (`\\'{e}`, `{\\'e}`) anywhere, an unbraced one only inside a
    word (`Li\\`ege`; `\\"quoted\\"` stays Markdown), never in code spans or math."""
    if "\\" not in line:
        return line
    parts: list[str] = []
    last = 0
    for match in _CODE_OR_MATH.finditer(line):
        parts += [_ACCENT.sub(_accent, line[last:match.start()]), match.group()]
        last = match.end()
    parts.append(_ACCENT.sub(_accent, line[last:]))
    return "".join(parts)


_ACCENT = re.compile(
    r"\{\\[`'\"^~=.](?:[A-Za-z]|\\[ij])\}"
    r"|\\[`'\"^~=.]\{(?:[A-Za-z]|\\[ij])\}"
    r"|(?<=[A-Za-z])\\[`'\"^~][A-Za-z]")
_CODE_OR_MATH = re.compile(r"(`+).+?\1|\$[^$]*\$")


def _accent(match: re.Match[str]) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text().latex_to_text(match.group()) or match.group()


# -- display equations: environments normalized, labels as Span ids -------------------------
def display_math(tex: str) -> tuple[str, str]:
    """(label, TeX) of a display formula: the environment in the form latex2mathml (EPUB, PDF)
    and pandoc's texmath (DOCX) both read (`align*`, an `array`), the first
    `\\label` as its label ("" without one), `\\label`, `\\nonumber` and `\\notag` taken out."""
    labels = _LABEL.findall(tex)
    match = _MATH_ENV.match(tex)
    if match:
        env, inner = match.group(1), match.group(3)
        inner = _NO_NUMBER.sub("", _LABEL.sub("", inner)).strip()
        if env in ("align", "flalign", "alignat"):
            tex = f"\\begin{{align*}}\n{inner}\n\\end{{align*}}"
        elif env == "eqnarray":
            tex = f"\\begin{{array}}{{rcl}}\n{inner}\n\\end{{array}}"
        elif env in ("gather", "multline"):
            tex = f"\\begin{{array}}{{c}}\n{inner}\n\\end{{array}}"
        else:
            tex = inner
    elif labels:
        tex = _NO_NUMBER.sub("", _LABEL.sub("", tex)).strip()
    return (labels[0].strip() if labels else ""), tex


def label_equations(value: Any) -> Any:
    """Every display Math normalized; a labelled one wrapped in its equation Span."""
    if isinstance(value, list):
        return [_label_equation(item) if _is_display(item) else label_equations(item)
                for item in value]
    if has_children(value):
        if is_kind(value, "Span") and "equation" in attr_of(value).classes:
            return value  # already an equation Span
        return with_content(value, label_equations(content_of(value)))
    return value


def _is_display(node: Any) -> bool:
    if not is_display_math(node):
        return False
    tex = math_of(node).tex
    return "\\label" in tex or "\\begin{" in tex


def _label_equation(node: Node) -> Node:
    label, tex = display_math(math_of(node).tex)
    math = make("Math", [make("DisplayMath"), tex])
    if not label:
        return math
    return span(["equation"], [math], label)


def _lines(dropped: list[str], body: str, body_line: int) -> list[tuple[int | None, str]]:
    """Each dropped passage with the file line it starts on, found in order in the body."""
    found: list[tuple[int | None, str]] = []
    cursor = 0
    for text in dropped:
        probe = text.strip()[:40]
        at = body.find(probe, cursor) if probe else -1
        if at < 0:
            at = body.find(probe) if probe else -1
        if at < 0:
            found.append((None, text))
            continue
        cursor = at + len(probe)
        found.append((body_line + body.count("\n", 0, at), text))
    return found
