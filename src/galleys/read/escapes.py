"""TeX accents (F\\'ed\\'erale) and HTML entities (&nbsp;) in front-matter strings, as Unicode."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

# Macros that stand for one character (accents, letters, escaped specials): only these are
# decoded; every other piece of TeX (math, \emph, comments) is left exactly as written.
ACCENTS = set("'`^\"~=.") | {"u", "v", "H", "c", "k", "d", "b", "r", "t"}
LETTERS = {"oe", "OE", "ae", "AE", "aa", "AA", "o", "O", "ss", "L", "l", "i", "j",
           "textendash", "textemdash", "textquoteleft", "textquoteright",
           "textquotedblleft", "textquotedblright", "LaTeX", "TeX"}
# \& \% \$ \# \_ and "\ ": in Markdown these are pandoc's own escapes, left for it to read
SPECIALS = {"&", "%", "$", "#", "_", " "}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode(text: str, *, markdown: bool = False) -> str:
    """`text` with its TeX accents, escaped specials and HTML entities as characters.

    In a `markdown` field (title, abstract) only the accents: pandoc reads its escapes and the
    entities itself, and a decoded "&lt;" or "\\#" would read there as HTML or a heading.
    """
    if "\\" in text:
        text = _decode_tex(text, ACCENTS | LETTERS if markdown else ACCENTS | LETTERS | SPECIALS)
    if not markdown and "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return text


def _decode_tex(text: str, macros: set[str]) -> str:
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

    try:
        nodes, _, _ = LatexWalker(text, tolerant_parsing=True).get_latex_nodes()
    except LatexWalkerError:
        return text
    return _Decoder(macros).decoded(nodes)


class _Decoder:
    """Spells out the character macros (`macros`) among pylatexenc's nodes."""

    def __init__(self, macros: set[str]) -> None:
        self.macros = macros

    def decoded(self, nodes: list) -> str:
        """The nodes' text with each character macro spelled out, everything else verbatim."""
        from pylatexenc.latexwalker import LatexCharsNode, LatexCommentNode, LatexGroupNode

        pieces: list[str] = []
        previous = None
        for node in nodes:
            if self.character(node):
                pieces.append(_spelled(node))
            elif isinstance(node, LatexGroupNode) and not node.nodelist and self.character(
                previous
            ):
                pass  # \ss{}, \l{}: the empty group ends the macro's name
            elif isinstance(node, LatexGroupNode) and self.only_letters(node.nodelist):
                pieces.append(self.decoded(node.nodelist))  # {\"u}, {M\"uller}: braces that hold
            elif isinstance(node, LatexGroupNode):
                pieces.append("{" + self.decoded(node.nodelist) + "}")
            elif isinstance(node, LatexCommentNode):  # "50% of …": no comment in YAML text
                pieces.append("%" + _decode_tex(node.latex_verbatim()[1:], self.macros))
            elif isinstance(node, LatexCharsNode):
                pieces.append(node.chars)
            else:
                pieces.append(node.latex_verbatim())
            previous = node
        return "".join(pieces)

    def character(self, node: object) -> bool:
        from pylatexenc.latexwalker import LatexMacroNode

        return isinstance(node, LatexMacroNode) and node.macroname in self.macros

    def only_letters(self, nodes: list) -> bool:
        """Whether a group holds a name's letters only (with accents), not markup."""
        from pylatexenc.latexwalker import LatexCharsNode, LatexGroupNode

        return any(self.character(n) for n in nodes) and all(
            self.character(n)
            or (isinstance(n, LatexCharsNode) and all(c.isalpha() or c in " -'’." for c in n.chars))
            or (isinstance(n, LatexGroupNode) and (not n.nodelist or self.only_letters(n.nodelist)))
            for n in nodes
        )


def _spelled(node: Any) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    if node.macroname in ("LaTeX", "TeX"):
        return node.macroname
    return unicodedata.normalize("NFC", LatexNodes2Text().nodelist_to_text([node]))
