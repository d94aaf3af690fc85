"""The reportlab overrides (writers/pdf/reportlab_overrides.py): the version they were written for,
and one test of each override; and no swap of re.compile anywhere."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import pytest
from conftest import require_program
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import SimpleDocTemplate

from galleys.errors import ToolError
from galleys.writers.pdf import reportlab_overrides as pdf_reportlab


@pytest.mark.parametrize("version", ["3.6.13", "4.0.3", "6.0.0", "7.1"])
def test_a_reportlab_outside_the_written_for_range_is_a_clear_error(version):
    with pytest.raises(ToolError, match=rf"^reportlab {version} is not a release .*"
                                        r"install reportlab>=4\.0\.4,<6$"):
        pdf_reportlab.check_version(version)


@pytest.mark.parametrize("version", ["4.0.4", "4.4.3", "5.1.0", "5.9.99"])
def test_a_reportlab_inside_the_range_is_accepted(version):
    pdf_reportlab.check_version(version)


def test_the_installed_reportlab_is_one_it_was_written_for():
    pdf_reportlab.check_version()


def _pdf(markup: str, font_name: str, epoch: int = 0) -> bytes:
    """One paragraph drawn by galleys' paragraph() after install(), with fixed times."""
    from galleys.writers.pdf.shaping import paragraph

    pdf_reportlab.install()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, invariant=1)
    style = ParagraphStyle("test", fontName=font_name, fontSize=12, leading=15)
    document.build([paragraph(markup, style)],
                   onFirstPage=lambda canvas, _doc: pdf_reportlab.fix_time(canvas, epoch))
    return buffer.getvalue()


def _face_for(char: str) -> str:
    from galleys.writers.pdf.fonts import fonts

    name = fonts().covering(ord(char), "serif", False, False)
    if name is None:
        pytest.skip(f"no installed font draws {char!r}")
    return name


def test_shape_frag_word_is_installed_and_text_extracts_as_written(tmp_path):
    """paragraph.shapeFragWord: a Devanagari conjunct and an Arabic word, shaped by HarfBuzz,
    extract as the source text (reportlab's own shaper maps glyphs to one cmap code each)."""
    from reportlab.platypus import paragraph as rl_paragraph

    from galleys.writers.pdf.shaping import shape_frag_word

    pdftotext = require_program("pdftotext")
    text = "क्षत्रिय हिन्दी"
    target = tmp_path / "shaped.pdf"
    target.write_bytes(_pdf(text, _face_for("क")))
    assert rl_paragraph.shapeFragWord is shape_frag_word
    out = subprocess.run([pdftotext, str(target), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == text.split()


def test_a_repeated_wrap_at_one_width_gives_what_a_fresh_wrap_gives():
    """BidiParagraph.wrap (a subclass override): the second wrap at a width reuses the lines,
    a wrap at another width breaks them anew, and each equals reportlab's own wrap."""
    from reportlab.platypus import Paragraph

    from galleys.writers.pdf.shaping import BidiParagraph

    style = ParagraphStyle("test", fontName=_face_for("a"), fontSize=10, leading=12)
    text = "A paragraph long enough to break over several lines at a narrow width. " * 4
    ours = BidiParagraph(text, style)
    for width in (120, 120, 300, 120):
        assert ours.wrap(width, 1000) == Paragraph(text, style).wrap(width, 1000)
        assert [line[1] for line in ours.blPara.lines] == [
            line[1] for line in _lines(Paragraph(text, style), width)]


def _lines(paragraph, width):
    paragraph.wrap(width, 1000)
    return paragraph.blPara.lines


def test_find_font_reads_only_the_faces_drawn():
    """pdfmetrics.findFontAndRegister: in a fresh process, a PDF in the serif face reads that
    face when reportlab asks for it, and never the monospace faces it does not draw with."""
    script = (
        "import io\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "from galleys.writers.pdf import fonts as pdf_fonts, reportlab_overrides as pdf_reportlab\n"
        "pdf_reportlab.install()\n"
        "assert pdfmetrics.findFontAndRegister is pdf_fonts.find_font\n"
        "faces = pdf_fonts.fonts().faces\n"
        "serif, mono = faces['serif']['regular'].name, faces['mono']['regular'].name\n"
        "assert not pdf_fonts._LOADED\n"
        "assert pdfmetrics.getFont(serif).fontName == serif\n"
        "assert {n for n, _ in pdf_fonts._LOADED} == {serif}, pdf_fonts._LOADED\n"
        "assert mono not in pdfmetrics.getRegisteredFontNames()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_register_font_keeps_the_family_mapping():
    """A family's regular face read after its family was mapped still maps to its italic and
    bold (reportlab's registerFont alone maps them to the face itself: italic set upright)."""
    script = (
        "from reportlab.lib.fonts import tt2ps\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "from galleys.writers.pdf import fonts as pdf_fonts, reportlab_overrides as pdf_reportlab\n"
        "pdf_reportlab.install()\n"
        "serif = pdf_fonts.fonts().faces['serif']\n"
        "regular, italic = serif['regular'].name, serif['italic'].name\n"
        "bold = serif['bold'].name\n"
        "pdfmetrics.getFont(regular)  # read now, after fonts() mapped the family\n"
        "assert tt2ps(regular, 0, 1) == italic, tt2ps(regular, 0, 1)\n"
        "assert tt2ps(regular, 1, 0) == bold, tt2ps(regular, 1, 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_fix_time_makes_the_dates_and_id_the_epochs(monkeypatch):
    """Two PDFs drawn at different clock times are the same bytes, dated the epoch."""
    from pypdf import PdfReader

    name = _face_for("a")
    epoch = 1_700_000_000  # 2023-11-14 22:13:20 UTC
    first = _pdf("Same text", name, epoch)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 86_400 * 400)
    second = _pdf("Same text", name, epoch)
    assert first == second
    info = PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"].startswith("D:20231114221320")
    assert _pdf("Same text", name, epoch + 1) != first


def test_re_compile_is_never_swapped():
    """Importing galleys and every PDF module leaves re.compile as it is, and reportlab's own
    patterns are real re.Pattern objects."""
    script = (
        "import re\n"
        "compile = re.compile\n"
        "import galleys.writers, galleys.writers.pdf.edition, galleys.writers.pdf.shaping\n"
        "from reportlab.platypus import paragraph\n"
        "from galleys.writers.pdf import reportlab_overrides as pdf_reportlab\n"
        "pdf_reportlab.install()\n"
        "assert re.compile is compile\n"
        "assert type(paragraph.uri_pat) is re.Pattern\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
