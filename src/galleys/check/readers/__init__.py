"""The slot readers of every edition, registered on import (see check/slots.py)."""

from galleys.check.readers import docx, epub, html, pdf, xml

__all__ = ["docx", "epub", "html", "pdf", "xml"]
