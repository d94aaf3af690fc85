"""Every piece of reportlab that galleys replaces, each with its reason, for the reportlab releases
it was written for.

reportlab offers no hook for these, so they are set here, and only here: install() (called
first by every PDF galleys draws: the edition, the EPUB cover) checks reportlab's version and
puts the module-level ones in place; register_font() and fix_time() are called where a face is
registered and where a document starts. What reportlab offers by subclassing stays with its
subclass: pdf_shaping.ShapingTTFont (addObjects: the ToUnicode map of shaped glyphs) and
pdf_shaping.BidiParagraph (draw: bidi line order; wrap: a repeated wrap at the same width
reuses its lines, 6-7 % of a PDF's CPU time).

Speed-only overrides were measured (CPU time of the PDF edition of the torture, seed and
multiscript articles, best of 8) and kept only when they save at least 5 %: removed were
pdfdoc.pdfdocEnc (a C path for object encoding, < 5 %), paragraph.stringWidth remembered per
word (2 %) and a translate() path of TTFont.splitString (0-1.4 %), all giving the same bytes.

Each override is checked by tests/writers/test_reportlab_overrides.py.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import reportlab
from reportlab.lib import fonts as _families
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import paragraph as _paragraph

from galleys.errors import ToolError

# The releases whose internals these overrides were written against (and tested with 5.1):
# the ShapedStr/shapeFragWord API of 4.x and 5.x, its fonts' family tables, its TimeStamp.
WRITTEN_FOR = ((4, 0, 4), (6, 0, 0))  # from, up to (not including)
reportlab_find_font = pdfmetrics.findFontAndRegister  # reportlab's own, before install()


def check_version(version: str = reportlab.Version) -> None:
    """Refuse a reportlab outside WRITTEN_FOR, whose internals may have moved: a clear error
    instead of a PDF silently wrong (text that extracts wrongly, dates that vary)."""
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    low, high = WRITTEN_FOR
    if not low <= found < high:
        wanted = f"reportlab>={'.'.join(map(str, low))},<{high[0]}"
        raise ToolError(f"reportlab {version} is not a release galleys' PDF edition was written "
                        f"for: install {wanted}")


def install() -> None:
    """Check reportlab's version and put the module-level overrides in place (idempotent)."""
    from galleys.writers.pdf.fonts import find_font
    from galleys.writers.pdf.shaping import shape_frag_word

    check_version()
    # reportlab.platypus.paragraph.shapeFragWord: the shaper of paragraphs whose style has
    # shaping=1. reportlab's own turns on discretionary ligatures and maps each glyph back to
    # one code point of the font's cmap, so a conjunct, ligature or Arabic positional form
    # extracts wrongly; ours maps every glyph to the source text of its cluster.
    _paragraph.shapeFragWord = shape_frag_word
    # reportlab.pdfbase.pdfmetrics.findFontAndRegister: what getFont asks for a font name it
    # does not hold. Ours reads a default face (registered by name, not yet read) then: an
    # article draws with about five of the twelve, and reportlab parses a face in ~25 ms
    # (speed only: reading all twelve made the first PDF of a process ~25 % slower, e.g. the
    # torture article's 0.26 s CPU by 0.06 s).
    pdfmetrics.findFontAndRegister = find_font


def register_font(font: Any) -> None:
    """pdfmetrics.registerFont, which also maps the face's bold and italic to the face itself
    in reportlab's family tables (reportlab.lib.fonts._tt2ps_map and _ps2tt_map): a face read
    after fonts() made it a family's regular one would lose the family's bold and italic
    (italic text set upright), so the mappings made before are put back."""
    key = font.fontName.lower()
    tt2ps = {k: v for k, v in _families._tt2ps_map.items() if k[0] == key}
    ps2tt = _families._ps2tt_map.get(key)
    pdfmetrics.registerFont(font)
    _families._tt2ps_map.update(tt2ps)
    if ps2tt is not None:
        _families._ps2tt_map[key] = ps2tt


def fix_time(canvas: Any, epoch: int) -> None:
    """Make every date in the document `epoch`, and its file ID depend on nothing else.

    reportlab's document (canvas._doc) takes its dates from its _timeStamp, made from the
    clock (invariant=1 fixes only 2000-01-01), and its /ID from its signature, an md5 fed with
    that time: both are replaced, so the same article gives the same bytes on every run.
    """
    document = canvas._doc
    stamp = TimeStamp(invariant=True)
    stamp.t = epoch
    stamp.lt = time.gmtime(epoch)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    document._timeStamp = stamp
    signature = hashlib.md5(usedforsecurity=False)
    signature.update(b"a reportlab document" + str(epoch).encode())
    document.signature = signature
