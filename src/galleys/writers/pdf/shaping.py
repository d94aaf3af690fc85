"""Complex scripts in the PDF: HarfBuzz shaping, glyph -> source-text maps, bidi line order.

reportlab draws shaped glyphs (with HarfBuzz's offsets) when a word arrives as a ShapedStr,
but its own shaper turns on discretionary ligatures and maps each glyph back to one code point
of the font's cmap, so a conjunct, a ligature or an Arabic positional form extracts wrongly.
Here every glyph is given a private code point whose ToUnicode entry is the exact source text
of its cluster (the first glyph of a cluster carries the whole cluster, the rest nothing), so
pdftotext gives back the source in logical order. Right-to-left words are shaped right to left
by HarfBuzz; after line breaking, `BidiParagraph` puts the words of each line in visual order.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import uharfbuzz as hb
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import sameFrag
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import (
    SUBSETN,
    ShapeData,
    ShapedFragWord,
    ShapedStr,
    TTFont,
    makeShapedFragWord,
)
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import (  # the classes of split words
    _HSFrag,
    _InjectedFrag,
    _SplitFragHY,
    _SplitWordH,
    _SplitWordHY,
)

from galleys.scripts import char_direction, direction, has_rtl, needs_shaping
from galleys.writers.bidi import ISOLATE_CONTROLS, levels, piece_class
from galleys.writers.pdf.reportlab_overrides import install  # noqa: F401 (every PDF's first call; here for its drawers)

_PRIVATE_FIRST, _PRIVATE_LAST = 0xF0000, 0x10FFFD  # planes 15-16: never in a font's own cmap
_PRIVATE_TEXTS: dict[int, str] = {}  # private code -> the source text its glyph stands for
_SIMPLE = 0x7FFFFFFF  # reportlab's cluster number for a plain character in a ShapedStr
_LRM, _RLM = "\u200e", "\u200f"
_FEATURES = {"dlig": False, "hlig": False}  # discretionary ligatures never change the text
HEAD = 4_000  # characters: a paragraph longer than this and two pages is broken by parts


class ShapingTTFont(TTFont):
    """A TrueType font whose shaped glyphs get private codes mapped back to their source text."""

    def __init__(self, name: str, filename: str, **kwargs: Any) -> None:
        super().__init__(name, filename, **kwargs)
        self._glyph_codes: dict[tuple[int, str], int] = {}
        self._hb_font: hb.Font | None = None
        space = self.face.charToGlyph.get(32, 0)
        for control in ISOLATE_CONTROLS:  # never drawn (BidiParagraph drops them): no width
            self.face.charToGlyph.setdefault(ord(control), space)
            self.face.charWidths[ord(control)] = 0

    @property
    def hb_font(self) -> hb.Font:
        if self._hb_font is None:
            self._hb_font = hb.Font(hb.Face(hb.Blob(self.face._ttf_data)))
        return self._hb_font

    def code_for(self, gid: int, text: str, width: float | None = None) -> int:
        """The private code drawing glyph `gid` that extracts as `text` (`width`: its own)."""
        key = (gid, text)
        code = self._glyph_codes.get(key)
        if code is None:
            code = _PRIVATE_FIRST + len(_PRIVATE_TEXTS)
            if code > _PRIVATE_LAST:
                raise ValueError("the PDF edition has run out of private glyph codes")
            self._glyph_codes[key] = code
            _PRIVATE_TEXTS[code] = text
            face = self.face
            face.charToGlyph[code] = gid
            advance = face.hmetrics[gid][0] if gid < len(face.hmetrics) else 0
            face.charWidths[code] = face._pdfScale(advance) if width is None else width
        return code

    def mark(self, direction: str) -> str:
        """An invisible, zero-width glyph that extracts as LRM or RLM (see _with_marks)."""
        space = self.face.charToGlyph.get(32, 0)
        return chr(self.code_for(space, _RLM if direction == "rtl" else _LRM, width=0))

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - reportlab's name
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state is not None else []
        super().addObjects(doc)
        if not any(code in _PRIVATE_TEXTS for subset in subsets for code in subset):
            return  # nothing shaped: reportlab's own CMap, byte for byte
        for number, subset in enumerate(subsets):
            base = b"".join((SUBSETN(number), b"+", self.face.name, self.face.subfontNameX))
            name = base.decode("pdfdoc")
            doc.idToObject[f"toUnicodeCMap:{name}"].content = _cmap(name, subset)


def _cmap(font_name: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with private codes mapped to their (maybe empty) text."""
    def target(code: int) -> str:
        text = _PRIVATE_TEXTS.get(code, chr(code))
        return "".join(f"{unit:04X}" for unit in _utf16(text))

    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({font_name})", f"/Ordering ({font_name})", "/Supplement 0", ">> def",
        f"/CMapName /{font_name} def", "/CMapType 2 def", "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(subset)} beginbfchar",
    ]
    lines += [f"<{i:02X}> <{target(v)}>" for i, v in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end",
              "end"]
    return "\n".join(lines)


def _utf16(text: str) -> list[int]:
    data = text.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


# -- shaping words ---------------------------------------------------------------------------

def shape_text(font: ShapingTTFont, text: str, size: float) -> ShapedStr:
    """`text` shaped by HarfBuzz in `font`: private codes in visual order, with positions.

    Digits keep their left-to-right order inside right-to-left words. In a right-to-left
    segment each glyph's text is stored reversed, because text extractors (poppler) reverse
    right-to-left runs character by character, which puts a ligature's letters back in order.
    """
    core = text.strip(ISOLATE_CONTROLS)  # isolate marks are pieces of their own, never shaped
    if core != text:
        if not core:
            return text
        head = text[:text.index(core)]
        return head + shape_text(font, core, size) + text[len(head) + len(core):]
    if has_rtl(text):  # punctuation at the ends finds its place in the line's bidi order
        core = text.strip("".join(c for c in set(text) if _is_neutral(c)))
        if core and core != text:
            head = text[:text.index(core)]
            tail = text[len(head) + len(core):]
            return head + shape_text(font, core, size) + tail
    segments = _segments(text)
    rtl_word = any(rtl for _s, _e, rtl in segments)
    shaped = [_shape_segment(font, text, start, end, rtl) for start, end, rtl in segments]
    if rtl_word:
        shaped.reverse()
    out = shaped[0]
    for more in shaped[1:]:
        out = out + more
    return out


def _is_neutral(char: str) -> bool:
    """A character with no direction of its own that is no digit and no mark."""
    return unicodedata.bidirectional(char) in ("ON", "CS", "ES", "ET", "WS", "B", "S")


def _segments(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, right-to-left) runs: digits apart from letters when the word is RTL."""
    if not has_rtl(text):
        return [(0, len(text), False)]
    out: list[tuple[int, int, bool]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or _is_digit(text[i]) != _is_digit(text[start]):
            out.append((start, i, not _is_digit(text[start])))
            start = i
    return out


def _is_digit(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("EN", "AN")


def _shape_segment(font: ShapingTTFont, text: str, start: int, end: int, rtl: bool
                   ) -> ShapedStr:
    piece_text = text[start:end]
    buffer = hb.Buffer()
    buffer.add_codepoints([ord(c) for c in piece_text])
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.cluster_level = hb.BufferClusterLevel.MONOTONE_GRAPHEMES
    hb.shape(font.hb_font, buffer, _FEATURES)
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = {s: (starts[i + 1] if i + 1 < len(starts) else len(piece_text))
            for i, s in enumerate(starts)}
    members: dict[int, list[int]] = {}
    for index, info in enumerate(infos):
        members.setdefault(info.cluster, []).append(index)
    texts = [""] * len(infos)
    for cluster, indexes in members.items():
        # A cluster's text spread over its glyphs in drawing order: no glyph left without
        # text in the middle (extractors take such a gap for a word break).
        # Marks (no advance, often raised) carry no text: their letters go with the base.
        chars = unicodedata.normalize("NFC", piece_text[cluster:ends[cluster]])
        chars = chars[::-1] if rtl else chars
        carriers = [i for i in indexes if positions[i].x_advance] or indexes
        count, size = len(carriers), len(chars)
        for k, index in enumerate(carriers):
            texts[index] = chars[k * size // count:(k + 1) * size // count]
    chars_out: list[str] = []
    data: list[ShapeData] = []
    scale = font.face._pdfScale
    for info, pos, text_of_glyph in zip(infos, positions, texts, strict=True):
        code = font.code_for(info.codepoint, text_of_glyph)
        chars_out.append(chr(code))
        data.append(ShapeData(start + info.cluster, scale(pos.x_advance), scale(pos.y_advance),
                              scale(pos.x_offset), scale(pos.y_offset),
                              font.face.charWidths[code]))
    return ShapedStr("".join(chars_out), shapeData=data)


def shape_frag_word(word: list[Any], features: Any = None, force: bool = False) -> list[Any]:
    """reportlab's hook: a frag word whose complex-script pieces are shaped, else unchanged."""
    if isinstance(word, ShapedFragWord):
        return word
    pieces = word[1:]
    if not any(not hasattr(f, "cbDefn") and needs_shaping(t) for f, t in pieces):
        return word
    out = makeShapedFragWord(word)([0])
    width = 0.0
    for frag, text in pieces:
        font = pdfmetrics.getFont(frag.fontName) if not hasattr(frag, "cbDefn") else None
        if isinstance(font, ShapingTTFont) and needs_shaping(text):
            shaped = shape_text(font, text, frag.fontSize)
            width += _width(shaped, frag.fontName, frag.fontSize)
            out.append((frag, shaped))
        else:
            if not hasattr(frag, "cbDefn"):
                width += pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize)
            out.append((frag, text))
    out[0] = width
    return out  # in logical order: BidiParagraph puts the pieces of each line in visual order


def _width(shaped: ShapedStr, font_name: str, size: float) -> float:
    """Points: HarfBuzz advances for shaped glyphs, the font's widths for plain characters."""
    total = 0.0
    for char, data in zip(shaped, shaped.__shapeData__, strict=True):
        if data.cluster == _SIMPLE:
            total += pdfmetrics.stringWidth(char, font_name, size)
        else:
            total += data.x_advance * size / 1000
    return total


# -- bidirectional lines ---------------------------------------------------------------------

def source_text(text: str) -> str:
    """Drawn text with each private code replaced by the source text its glyph stands for."""
    if not any(_PRIVATE_FIRST <= ord(c) <= _PRIVATE_LAST for c in text):
        return text
    return "".join(
        _PRIVATE_TEXTS.get(ord(c), "") if _PRIVATE_FIRST <= ord(c) <= _PRIVATE_LAST else c
        for c in text
    )


def text_direction(text: str) -> str:
    """"rtl"/"ltr"/"" for drawn text: private codes count as the source text they stand for."""
    for char in text:
        code = ord(char)
        if _PRIVATE_FIRST <= code <= _PRIVATE_LAST:
            source = _PRIVATE_TEXTS.get(code, "")
            found = next((d for d in map(char_direction, source) if d), "")
        else:
            found = char_direction(char)
        if found:
            return found
    return ""


_TAG = re.compile(r"<[^>]*>")
_NO_CONTROLS = dict.fromkeys(map(ord, ISOLATE_CONTROLS))


def markup_direction(markup: str, default: str = "ltr") -> str:
    """The base direction of a paragraph from its markup: its first strong letter (UAX 9 P2)."""
    return direction(html.unescape(_TAG.sub("", markup)), default) or default


def paragraph_style(style: ParagraphStyle, markup: str, base: str) -> ParagraphStyle:
    """`style`, with shaping on when the markup needs it and right-aligned when base is RTL."""
    plain = html.unescape(_TAG.sub("", markup))
    # isolate marks need the per-fragment line order (reportlab's shaping path) to be dropped
    shaping = needs_shaping(plain) or has_rtl(plain) or any(c in plain for c in ISOLATE_CONTROLS)
    rtl = base == "rtl"
    if not shaping and not rtl:
        return style
    variants = style.__dict__.setdefault("_galleys_variants", {})
    key = (shaping, rtl)
    if key not in variants:
        extra: dict[str, Any] = {"shaping": 1} if shaping else {}
        if rtl and style.alignment in (TA_LEFT, TA_JUSTIFY):
            extra["alignment"] = TA_RIGHT
        suffix = ("-shaped" if shaping else "") + ("-rtl" if rtl else "")
        variants[key] = ParagraphStyle(style.name + suffix, parent=style, **extra)
    return variants[key]


def paragraph(markup: str, style: ParagraphStyle, default: str = "ltr",
              cls: type[BidiParagraph] | None = None, isolated: bool = False) -> BidiParagraph:
    """A paragraph for `markup`: shaped, bidi-ordered and aligned by its own direction.

    `default` is the article's direction: a paragraph without a strong letter takes it, and
    in a right-to-left article every line carries direction marks for text extraction.
    Isolate marks (FSI ... PDI) set a unit apart, ordered by its own direction; `isolated`
    gives the paragraph the article's direction instead of its first strong letter's.
    """
    plain = html.unescape(_TAG.sub("", markup))
    if not has_rtl(plain) and default != "rtl":
        markup = markup.translate(_NO_CONTROLS)  # all left to right: nothing to isolate
    base = default if isolated else markup_direction(markup, default)
    marks = default == "rtl" or has_rtl(plain)
    paragraph = (cls or BidiParagraph)(markup, paragraph_style(style, markup, base), base=base,
                                       marks=marks)
    paragraph.reorder = base == "rtl" or marks  # a left-to-right line is drawn as it is
    return paragraph


class BidiParagraph(Paragraph):
    """A Paragraph whose lines are put in visual order after breaking (words are the unit)."""

    blPara: Any  # reportlab's broken lines, set by wrap()
    _cut: tuple[tuple[float, float], tuple[BidiParagraph, list[Any]] | None]

    def __init__(self, text: str | None, style: Any, base: str = "ltr", marks: bool = False,
                 **kwargs: Any) -> None:
        self.base_direction = base
        self.marks = marks
        self.reorder = True
        super().__init__(text, style, **kwargs)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Break the lines, unless they were broken at this very width (tables and kept-together
        groups wrap each paragraph two or three times: 40 % of the calls); lines depend on the
        width alone, so the size and lines are the same."""
        done = self.__dict__.get("_wrapped")
        if done is not None and done[0] == avail_width and self.__dict__.get("blPara") is done[1]:
            self.width, self.height = done[2]
            return done[2]
        cut = self._head_and_tail(avail_width, avail_height)
        if cut is not None:  # taller than the space: how much taller does not matter
            self.width, self.height = avail_width, avail_height + cut[0].height
            return self.width, self.height
        size = super().wrap(avail_width, avail_height)
        if "blPara" in self.__dict__:
            self._wrapped = (avail_width, self.blPara, size)
        return size

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        cut = self._head_and_tail(avail_width, avail_height)
        if cut is not None:  # a long paragraph: only its head is broken into lines
            head, tail = cut
            parts = head.split(avail_width, avail_height)
            if len(parts) == 2:
                parts[1] = self._like(_as_frags(parts[1].frags + tail))
            elif len(parts) == 1:
                parts.append(self._like(tail))
        else:
            parts = super().split(avail_width, avail_height)
        for part in parts:
            if isinstance(part, BidiParagraph):
                part.base_direction, part.marks = self.base_direction, self.marks
                part.reorder = self.reorder
        return parts

    def _head_and_tail(self, avail_width: float, avail_height: float
                       ) -> tuple[BidiParagraph, list[Any]] | None:
        """For a paragraph of more than HEAD characters, whose first HEAD characters (cut at
        a space) are taller than the space: that head as a paragraph (wrapped) and the
        fragments after it. Breaking only the head keeps the layout of a long paragraph
        linear in its length (reportlab breaks all the lines of what is left on every page)."""
        known = self.__dict__.get("_cut")
        if known is not None and known[0] == (avail_width, avail_height):
            return known[1]
        frags = self.frags
        style = self.style
        # twice the characters a page of the space holds (an average letter is half an em)
        limit = max(HEAD, int(4 * avail_width * avail_height
                              / (style.fontSize * style.fontSize * max(style.leading, 1)
                                 / style.fontSize)))
        self._cut = ((avail_width, avail_height), None)
        if len(frags) > limit or sum(len(getattr(f, "text", "")) for f in frags) <= limit:
            return None
        used = 0
        for number, frag in enumerate(frags):
            text = getattr(frag, "text", "")
            if used + len(text) > limit and not hasattr(frag, "cbDefn"):
                space = text.rfind(" ", 0, max(limit - used, 1))
                if space <= 0:
                    space = text.find(" ")
                if space > 0:
                    head = self._like([*frags[:number], frag.clone(text=text[:space])])
                    tail = [frag.clone(text=text[space:]), *frags[number + 1:]]
                    if head.wrap(avail_width, avail_height)[1] > avail_height:
                        self._cut = ((avail_width, avail_height), (head, tail))
                        return head, tail
                    return None
            used += len(text)
        return None

    def _like(self, frags: list[Any]) -> BidiParagraph:
        """A paragraph of these fragments set as this one."""
        out = self.__class__(None, self.style, frags=frags)
        out.base_direction, out.marks, out.reorder = (self.base_direction, self.marks,
                                                       self.reorder)
        return out

    def draw(self) -> None:
        """Draw the lines in visual order; the logical lines stay for splitting."""
        draft = getattr(self.canv, "draft", None)  # draft.DraftMarks numbers the lines
        if draft is not None:
            draft.record(self)
        if not self.reorder:
            super().draw()
            return
        logical = self.blPara
        self.blPara = _visual(logical, self.base_direction, self.marks)
        try:
            super().draw()
        finally:
            self.blPara = logical


def _as_frags(frags: list[Any]) -> list[Any]:
    """What reportlab's split leaves of a paragraph, as fragments of text again: the rest of a
    one-style paragraph is one fragment holding its words, of a mixed one a list of frag words
    ([width, (fragment, text), ...]); a word hyphenated at a line's end is put back whole."""
    out: list[Any] = []

    def add(piece: Any) -> None:  # runs of one style as one fragment: fewer to break
        if (out and not hasattr(piece, "cbDefn") and not hasattr(out[-1], "cbDefn")
                and sameFrag(out[-1], piece)):
            out[-1] = out[-1].clone(text=out[-1].text + piece.text)
        else:
            out.append(piece)

    for frag in frags:
        if isinstance(frag, _InjectedFrag):
            continue
        if isinstance(frag, list):
            pieces = [(piece, str(text)) for piece, text in frag[1:]]
            if pieces and isinstance(frag, _SplitFragHY) and pieces[-1][1].endswith("-"):
                pieces[-1] = (pieces[-1][0], pieces[-1][1][:-1])  # the hyphen it was given
            if pieces and isinstance(frag, _HSFrag):
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + " ")
            for piece, text in pieces:
                add(piece.clone(text=text))
        elif "words" in frag.__dict__:
            words: list[str] = []
            for word in frag.words:
                if isinstance(word, _SplitWordHY) and word.endswith("-"):
                    words.append(str(word)[:-1])
                elif isinstance(word, _SplitWordH):
                    words.append(str(word))
                else:
                    words.append(str(word) + " ")
            piece = frag.clone(text="".join(words).rstrip(" "))
            del piece.words
            add(piece)
        else:
            add(frag)
    return out


def _visual(para: Any, base: str, marks: bool) -> Any:
    """A copy of broken lines with the words of each line in visual order.

    With `marks`, zero-width LRM/RLM glyphs go at both ends of every line and around every
    run set against the base direction: poppler's extractor reads a page in one direction and
    reverses runs of the other, and these marks keep each run (and the spaces around it) whole.
    """
    if para.kind == 0:
        font = pdfmetrics.getFont(para.fontName)
        lines = []
        for extra, words in para.lines:
            ordered = _order([(w, w) for w in words], base)
            if marks and isinstance(font, ShapingTTFont) and ordered:
                ordered = _marked_words(ordered, base, font)
            lines.append((extra, [w for w, _level in ordered]))
        return para if lines == para.lines else para.clone(lines=lines)
    changed = False
    lines = []
    for line in para.lines:
        words = _order_frags(line.words, base, marks)
        if words is not line.words:
            changed = True
            line = line.clone(words=words)
        lines.append(line)
    return para.clone(lines=lines) if changed else para


def _reorder(items: list[Any], levels: list[int]) -> list[tuple[Any, int]]:
    """Rule L2: reverse every run at level >= k, from the highest level down to 1."""
    pairs = list(zip(items, levels, strict=True))
    top = max(levels, default=0)
    for k in range(top, 0, -1):
        i = 0
        while i < len(pairs):
            if pairs[i][1] >= k:
                j = i
                while j < len(pairs) and pairs[j][1] >= k:
                    j += 1
                pairs[i:j] = pairs[i:j][::-1]
                i = j
            else:
                i += 1
    return pairs


def _order(pairs: list[tuple[str, Any]], base: str) -> list[tuple[Any, int]]:
    """Items (with the text they draw) in visual order, each with its embedding level."""
    classes = [piece_class(source_text(text)) for text, _item in pairs]
    return _reorder([item for _text, item in pairs], levels(classes, base))


def _against(level: int, base: str) -> bool:
    return level % 2 == 1 if base != "rtl" else level % 2 == 0


def _mark_spots(levels: list[int], base: str) -> set[int]:
    """Positions (between items: 0 … n) where a mark goes: the ends and every run boundary."""
    spots = {0, len(levels)}
    for i in range(1, len(levels)):
        if _against(levels[i], base) != _against(levels[i - 1], base):
            spots.add(i)
    return spots


def _marked_words(ordered: list[tuple[str, int]], base: str, font: ShapingTTFont
                  ) -> list[tuple[str, int]]:
    mark = font.mark(base)
    spots = _mark_spots([level for _w, level in ordered], base)
    out = []
    for i, (word, level) in enumerate(ordered):
        if i in spots:
            word = mark + word
        if i + 1 == len(ordered):
            word += mark
        out.append((word, level))
    return out


def _order_frags(frags: list[Any], base: str, marks: bool) -> list[Any]:
    """A line's fragments cut into words and spaces, put in visual order, joined again."""
    pieces: list[tuple[str, Any]] = []
    for frag in frags:
        text = getattr(frag, "text", "")
        if hasattr(frag, "cbDefn") or not text:
            pieces.append(("", frag))
            continue
        start = 0
        for i in range(1, len(text) + 1):
            if (i == len(text) or _kind(text[i]) != _kind(text[start])
                    or text[start] in ISOLATE_CONTROLS):
                pieces.append((text[start:i], frag.clone(text=text[start:i])))
                start = i
    if not marks and base != "rtl" and not any(text_direction(t) == "rtl" for t, _f in pieces):
        return frags
    ordered = _order(pieces, base)
    if marks:
        spots = _mark_spots([level for _f, level in ordered], base)
        marked: list[tuple[Any, int]] = []
        for i, (frag, level) in enumerate(ordered):
            if i in spots:
                marked += _mark_frag(frag, base)
            marked.append((frag, level))
        if ordered:
            marked += _mark_frag(ordered[-1][0], base)
        ordered = marked
    merged: list[Any] = []
    for frag, _level in ordered:
        if getattr(frag, "text", "") and frag.text in ISOLATE_CONTROLS:
            continue  # zero-width and never drawn: the order is all they were for
        last = merged[-1] if merged else None
        if (last is not None and not hasattr(frag, "cbDefn") and not hasattr(last, "cbDefn")
                and _same_style(last, frag)):
            merged[-1] = last.clone(text=last.text + frag.text)
        else:
            merged.append(frag)
    return merged


def _kind(char: str) -> int:
    """0 space, 1 punctuation, 2 anything else, 3 isolate marks: a line is cut where this
    changes (and after every isolate mark)."""
    if char == " ":
        return 0
    if char in ISOLATE_CONTROLS:
        return 3
    return 1 if ord(char) < _PRIVATE_FIRST and _is_neutral(char) else 2


def _mark_frag(frag: Any, base: str) -> list[tuple[Any, int]]:
    if hasattr(frag, "cbDefn") or not hasattr(frag, "fontName"):
        return []
    font = pdfmetrics.getFont(frag.fontName)
    if not isinstance(font, ShapingTTFont):
        return []
    return [(frag.clone(text=font.mark(base)), 0)]


def _same_style(a: Any, b: Any) -> bool:
    keys = ("fontName", "fontSize", "textColor", "rise", "underline", "strike", "link",
            "backColor", "us_lines")
    return all(getattr(a, k, None) == getattr(b, k, None) for k in keys)
