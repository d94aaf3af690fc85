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
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import (
        LatexCommentNode,
        LatexGroupNode,
        LatexMacroNode,
        LatexWalker,
        LatexWalkerError,
    )

    try:
        nodes, _, _ = LatexWalker(text, tolerant_parsing=True).get_latex_nodes()
    except LatexWalkerError:
        return text
    to_text = LatexNodes2Text()

    def character(node: object) -> bool:
        return isinstance(node, LatexMacroNode) and node.macroname in ACCENTS | LETTERS

    def spelled(node: object) -> str:
        if node.macroname == "LaTeX":
            return "LaTeX"
        if node.macroname == "TeX":
            return "TeX"
        return unicodedata.normalize("NFC", to_text.nodelist_to_text([node]))

    pieces: list[str] = []
    previous = None
    for node in nodes:
        if character(node):
            pieces.append(spelled(node))
        elif isinstance(node, LatexGroupNode) and node.nodelist and all(
            character(child) or (getattr(child, "chars", None) or "").isalpha()
            for child in node.nodelist
        ) and any(character(child) for child in node.nodelist):
            # {\"u}, {\o}, {\'E}cole: the group was written to hold the accent
            pieces += [spelled(c) if character(c) else c.chars for c in node.nodelist]
        elif isinstance(node, LatexGroupNode) and not node.nodelist and character(previous):
            pass  # \ss{}, \l{}: the empty group ends the macro name
        elif isinstance(node, LatexCommentNode):  # "50% of …": no comment in a YAML string
            pieces.append("%" + _decode_tex(node.latex_verbatim()[1:]))
        else:
            pieces.append(node.latex_verbatim())
        previous = node
    return "".join(pieces)
