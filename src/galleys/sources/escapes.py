"""TeX accents (F\\'ed\\'erale) and HTML entities (&nbsp;) in front-matter strings, as Unicode."""

from __future__ import annotations

import html
import re
import unicodedata

# Macros that stand for one character (accents, letters, escaped specials): only these are
# decoded; every other piece of TeX (math, \emph, comments) is left exactly as written.
ACCENTS = set("'`^\"~=.") | {"u", "v", "H", "c", "k", "d", "b", "r", "t"}
LETTERS = {"oe", "OE", "ae", "AE", "aa", "AA", "o", "O", "ss", "L", "l", "i", "j", "&", "%",
           "$", "#", "_", "textendash", "textemdash", "textquoteleft", "textquoteright",
           "textquotedblleft", "textquotedblright", "LaTeX", "TeX", " "}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode(text: str, *, entities: bool = True) -> str:
    """`text` with its TeX accents and (with `entities`) its HTML entities as characters.

    Markdown fields (title, abstract) are decoded without `entities`: pandoc reads entities
    there itself, and a decoded "&lt;" would read as the start of HTML.
    """
    if "\\" in text:
        text = _decode_tex(text)
    if entities and "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return text


def _decode_tex(text: str) -> str:
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

    try:
        nodes, _, _ = LatexWalker(text, tolerant_parsing=True).get_latex_nodes()
    except LatexWalkerError:
        return text
    return _decoded(nodes)


def _decoded(nodes: list) -> str:
    """The nodes' text with each character macro spelled out, everything else verbatim."""
    from pylatexenc.latexwalker import LatexCharsNode, LatexCommentNode, LatexGroupNode

    pieces: list[str] = []
    previous = None
    for node in nodes:
        if _character(node):
            pieces.append(_spelled(node))
        elif isinstance(node, LatexGroupNode) and not node.nodelist and _character(previous):
            pass  # \ss{}, \l{}: the empty group ends the macro's name
        elif isinstance(node, LatexGroupNode) and _only_letters(node.nodelist):
            pieces.append(_decoded(node.nodelist))  # {\"u}, {M\"uller}: braces that hold
        elif isinstance(node, LatexGroupNode):
            pieces.append("{" + _decoded(node.nodelist) + "}")
        elif isinstance(node, LatexCommentNode):  # "50% of …": no comment in a YAML string
            pieces.append("%" + _decode_tex(node.latex_verbatim()[1:]))
        elif isinstance(node, LatexCharsNode):
            pieces.append(node.chars)
        else:
            pieces.append(node.latex_verbatim())
        previous = node
    return "".join(pieces)


def _character(node: object) -> bool:
    from pylatexenc.latexwalker import LatexMacroNode

    return isinstance(node, LatexMacroNode) and node.macroname in ACCENTS | LETTERS


def _only_letters(nodes: list) -> bool:
    """Whether a group holds a name's letters only (with accents), not markup."""
    from pylatexenc.latexwalker import LatexCharsNode, LatexGroupNode

    return any(_character(n) for n in nodes) and all(
        _character(n)
        or (isinstance(n, LatexCharsNode) and all(c.isalpha() or c in " -'’." for c in n.chars))
        or (isinstance(n, LatexGroupNode) and (not n.nodelist or _only_letters(n.nodelist)))
        for n in nodes
    )


def _spelled(node) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    if node.macroname in ("LaTeX", "TeX"):
        return node.macroname
    return unicodedata.normalize("NFC", LatexNodes2Text().nodelist_to_text([node]))
