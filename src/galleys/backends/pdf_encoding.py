"""reportlab's encoding of PDF objects, with a fast path that gives the same bytes."""

from __future__ import annotations

import re
from typing import Any

from reportlab.pdfbase import pdfdoc

_REPORTLAB_ENCODE = pdfdoc.pdfdocEnc
# ASCII that PDFDocEncoding maps to itself: all of it but 0x18-0x1F (its accents)
_NOT_ITSELF = re.compile("[^\x00-\x17\x20-\x7f]")


def pdfdoc_encode(value: Any) -> Any:
    """pdfdoc.pdfdocEnc, which formats every number, name and reference of a PDF through a
    codec written in Python (~5 % of a PDF's instructions): text that encodes to itself is
    encoded as ASCII by C instead, anything else as before."""
    if type(value) is str and not _NOT_ITSELF.search(value):
        return value.encode("ascii")
    return _REPORTLAB_ENCODE(value)


def install() -> None:
    """Route pdfdoc's own calls (every object it formats) through pdfdoc_encode."""
    pdfdoc.pdfdocEnc = pdfdoc_encode
