"""Figures as LaTeX-born papers ship them: PDF, SVG and extension-less files in every edition,
remote images and files outside the allowed root as a placeholder, each edition read back."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import require_corpus
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream
from reportlab.lib.utils import ImageReader

from galleys.check.readback import read_docx, read_epub, read_pdf
from galleys.cli.main import main
from galleys.resolve import figures

FRONT = "---\ntitle: Figures\nauthor: Jane Doe\ndate: 2024-05-01\n---\n\n"
RED, BLUE = (230, 20, 20), (20, 20, 230)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def pdf_figure(width: float = 200, height: float = 100) -> bytes:
    """A one-page PDF whose page is one red rectangle, drawn by reportlab."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height), invariant=1)
    page.setFillColorRGB(*(c / 255 for c in RED))
    page.rect(0, 0, width, height, stroke=0, fill=1)
    page.showPage()
    page.save()
    # reportlab lists Helvetica (never embedded) on every page; a figure's file embeds its fonts
    pdf = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    del pdf.pages[0]["/Resources"]["/Font"]
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
       '<rect x="0" y="0" width="200" height="100" fill="rgb(20,20,230)"/></svg>')


LABEL = '<text x="10" y="50" font-family="Helvetica" font-size="12">Axis label</text>'


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def convert(article: Path, out: Path, *extra: str) -> int:
    return main(["convert", str(article), "-o", str(out), *extra])


def editions(out: Path) -> dict[str, bytes]:
    return {p.suffix: p.read_bytes() for p in out.iterdir() if p.suffix in (".pdf", ".epub",
                                                                           ".docx")}


def coloured_pixels(pdf: bytes, colour: tuple[int, int, int]) -> int:
    """Pixels of `colour` (within a tolerance) on the PDF's pages rendered by pdfium."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    count = 0
    for index in range(len(document)):
        image = document[index].render(scale=1).to_pil().convert("RGB")
        count += sum(n for n, pixel in image.getcolors(image.width * image.height)
                     if all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True)))
    document.close()
    return count


class Drawn(NamedTuple):
    """A figure drawn on a page: its XObject kind and its box in points."""

    kind: str  # /Image or /Form
    width: float
    height: float
    page: int
    x: float  # lower left corner, from the page's lower left
    y: float


def drawn_xobjects(pdf: bytes) -> list[Drawn]:
    """Every figure a page draws (an image, or a form of ours, not the page's own decoration),
    placed by the transforms in force where it is drawn (`cm`, saved and restored by q, Q)."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for number, page in enumerate(reader.pages):
        resources = page["/Resources"].get("/XObject", {})
        matrix, saved = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                saved.append(matrix)
            elif operator == b"Q":
                matrix = saved.pop()
            elif operator == b"cm":
                matrix = _times([float(x) for x in operands], matrix)
            elif operator == b"Do":
                xobject = resources[operands[0]].get_object()
                if xobject["/Subtype"] == "/Form" and "galleys-figure" not in operands[0]:
                    continue
                x0, y0, x1, y1 = [float(v) for v in xobject.get("/BBox", [0, 0, 1, 1])]
                found.append(Drawn(str(xobject["/Subtype"]), matrix[0] * (x1 - x0),
                                   matrix[3] * (y1 - y0), number, matrix[0] * x0 + matrix[4],
                                   matrix[3] * y0 + matrix[5]))
    return found


def ink_in(pdf: bytes, drawn: Drawn) -> float:
    """The share of the figure's box that is not white on its page rendered by pdfium."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    page = document[drawn.page]
    height = page.get_height()
    image = page.render(scale=1).to_pil().convert("L")
    document.close()
    box = image.crop((round(drawn.x), round(height - drawn.y - drawn.height),
                      round(drawn.x + drawn.width), round(height - drawn.y)))
    dark = sum(n for n, value in box.getcolors(box.width * box.height) if value < 240)
    return dark / (box.width * box.height)


def _times(m: list[float], n: list[float]) -> list[float]:
    """The PDF matrix product m x n (m applied first)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t,
            e * q + f * s + u]


def epub_images(epub: bytes) -> tuple[list[str], list[str]]:
    """(image files in the zip, img src values of the XHTML documents)."""
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        files = [n for n in archive.namelist() if n.startswith("EPUB/images/")]
        sources = []
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(archive.read(name))
                sources += [img.get("src") for img in root.iter(f"{XHTML}img")
                            if "images/" in img.get("src")]  # not the cover
    return files, sources


def docx_parts(docx: bytes) -> tuple[list[str], str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        return media, archive.read("word/document.xml").decode("utf-8")


# -- PDF and SVG files, with and without their extension --------------------------------------


def test_pdf_and_svg_figures_appear_in_every_edition(tmp_path, capsys):
    folder = write(tmp_path / "src" / "figs", {
        "article.md": FRONT + "Before.\n\n![A PDF figure named without extension](plots/red)"
                              "{width=50%}\n\n![An SVG figure](blue.svg){height=40mm}\n\nAfter.\n",
        "plots/red.pdf": pdf_figure(),
        "blue.svg": SVG,
    })
    assert convert(folder / "article.md", tmp_path / "out") == 0, capsys.readouterr().err
    made = editions(tmp_path / "out")

    # PDF: the PDF page as a form XObject at half the text width, the SVG as vectors: no pixels
    drawn = drawn_xobjects(made[".pdf"])
    assert [d[0] for d in drawn] == ["/Form"], drawn
    assert coloured_pixels(made[".pdf"], RED) > 2000
    assert coloured_pixels(made[".pdf"], BLUE) > 2000
    text_width = float(PdfReader(io.BytesIO(made[".pdf"])).pages[0].mediabox.width) - 2 * 72
    assert drawn[0][1] == pytest.approx(text_width / 2, rel=0.25)
    assert drawn[0][2] == pytest.approx(drawn[0][1] / 2, rel=0.01)  # its aspect kept
    assert ink_in(made[".pdf"], drawn[0]) > 0.95  # the red page fills the figure's box
    # EPUB: the PDF as a PNG, the SVG as it is, both in the zip and referenced by the XHTML
    files, sources = epub_images(made[".epub"])
    assert sorted(Path(f).suffix for f in files) == [".png", ".svg"]
    assert sorted("EPUB/" + s.removeprefix("../") for s in sources) == sorted(files)
    # DOCX: both as pictures, each drawn in document.xml
    media, document = docx_parts(made[".docx"])
    assert len(media) == 2 and all(m.endswith(".png") for m in media), media
    assert document.count("<w:drawing>") == 2
    height_emu = [int(cy) for cy in re.findall(r'<wp:extent cx="\d+" cy="(\d+)"', document)]
    assert any(abs(cy - 40 / 25.4 * 914400) < 20000 for cy in height_emu), height_emu


@pytest.mark.parametrize("holding", ["a JPEG", "an unembedded font"])
def test_a_pdf_figure_not_copied_faithfully_is_rasterized_at_print_resolution(tmp_path,
                                                                              holding):
    from PIL import Image
    from reportlab.pdfgen import canvas

    made = io.BytesIO()
    page = canvas.Canvas(made, pagesize=(144, 72), invariant=1)
    if holding == "a JPEG":
        photo = io.BytesIO()
        Image.new("RGB", (60, 30), RED).save(photo, "JPEG")
        page.drawImage(ImageReader(io.BytesIO(photo.getvalue())), 0, 0, 144, 72)
    else:
        page.setFillColorRGB(*(c / 255 for c in RED))
        page.rect(0, 0, 144, 72, stroke=0, fill=1)
        page.setFillColorRGB(1, 1, 1)
        page.setFont("Helvetica", 10)  # one of the standard 14: never embedded
        page.drawString(10, 30, "label")
    page.save()
    folder = write(tmp_path / "src" / "photo", {
        "article.md": FRONT + "![A figure](photo.pdf)\n", "photo.pdf": made.getvalue(),
    })
    assert convert(folder / "article.md", tmp_path / "out", "--to", "pdf") == 0
    pdf = (tmp_path / "out" / "photo.pdf").read_bytes()
    drawn = drawn_xobjects(pdf)
    assert [d[0] for d in drawn] == ["/Image"], drawn  # never copied as it is
    image = next(x.get_object() for x in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]
                 ["/XObject"].values() if x.get_object()["/Subtype"] == "/Image")
    assert image["/Width"] == 144 / 72 * figures.PRINT_DPI  # 2 inches at print resolution
    assert coloured_pixels(pdf, RED) > 2000


def test_one_figure_is_rasterized_once_for_the_pdf_and_docx(tmp_path, monkeypatch):
    folder = write(tmp_path / "src" / "once", {
        "article.md": FRONT + "![One](fig.pdf)\n\n![The same again](fig.pdf)\n",
        "fig.pdf": pdf_figure(123, 45),  # sizes no other test uses: the cache is per process
    })
    calls = []
    real = figures._render_pdf
    monkeypatch.setattr(figures, "_render_pdf", lambda *a: calls.append(a[2]) or real(*a))
    assert convert(folder / "article.md", tmp_path / "out") == 0
    assert sorted(calls) == [figures.SCREEN_DPI, figures.PRINT_DPI]


def test_a_missing_figure_is_an_error_naming_its_line(tmp_path, capsys):
    folder = write(tmp_path / "src" / "missing", {
        "article.md": FRONT + "Text.\n\n![Gone](plots/none)\n",
    })
    assert convert(folder / "article.md", tmp_path / "out") == 65
    err = capsys.readouterr().err
    assert "article.md:9:" in err and "'plots/none' does not exist" in err and ".pdf" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


# -- remote images: a placeholder, never fetched ------------------------------------------------


def test_a_remote_image_is_a_placeholder_in_every_edition(tmp_path, capsys):
    url = "https://example.org/figure.png"
    folder = write(tmp_path / "src" / "remote", {
        "article.md": FRONT + f"![A remote plot]({url})\n\nText with ![a badge]({url}) inline.\n",
    })
    assert convert(folder / "article.md", tmp_path / "out") == 0
    err = capsys.readouterr().err
    assert err.count("is a remote address (images are never fetched)") == 2, err
    assert "article.md:7:" in err
    made = editions(tmp_path / "out")
    for suffix, reader in ((".pdf", read_pdf), (".epub", read_epub), (".docx", read_docx)):
        text = " ".join(reader(made[suffix]).text.split())
        assert "Image not included: A remote plot" in text, suffix
        assert url in text, suffix
    links = [a["/A"]["/URI"] for a in PdfReader(io.BytesIO(made[".pdf"])).pages[0]["/Annots"]]
    assert url in links
    with zipfile.ZipFile(io.BytesIO(made[".epub"])) as archive:
        body = next(archive.read(n) for n in archive.namelist() if "body" in n or "article" in n
                    and n.endswith(".xhtml"))
    root = etree.fromstring(body)
    box = next(d for d in root.iter(f"{XHTML}div") if "figure-placeholder" in d.get("class", ""))
    assert [a.get("href") for a in box.iter(f"{XHTML}a")] == [url]
    media, document = docx_parts(made[".docx"])
    assert not media and "<w:drawing>" not in document
    assert 'w:val="FigurePlaceholder"' in document
    with zipfile.ZipFile(io.BytesIO(made[".docx"])) as archive:
        assert url in archive.read("word/_rels/document.xml.rels").decode()
    assert convert(folder / "article.md", tmp_path / "strict", "--strict") == 65
    assert "never fetched" in capsys.readouterr().err


def test_a_remote_badge_inside_a_link_is_a_placeholder_without_a_link_of_its_own(tmp_path):
    badge = "https://img.shields.io/badge/docs-latest-blue.svg"
    folder = write(tmp_path / "src" / "badge", {
        "article.md": FRONT + f"Read [![docs]({badge})](https://example.org/docs) first.\n",
    })
    assert convert(folder / "article.md", tmp_path / "out") == 0
    made = editions(tmp_path / "out")
    with zipfile.ZipFile(io.BytesIO(made[".epub"])) as archive:
        links = [a for name in archive.namelist() if name.endswith(".xhtml")
                 for a in etree.fromstring(archive.read(name)).iter(f"{XHTML}a")]
    outer = next(a for a in links if a.get("href") == "https://example.org/docs")
    assert not list(outer.iter(f"{XHTML}a"))[1:]  # no link inside the link
    assert badge in "".join(outer.itertext())
    uris = [a["/A"]["/URI"] for a in PdfReader(io.BytesIO(made[".pdf"])).pages[0]["/Annots"]]
    assert "https://example.org/docs" in uris and badge not in uris
    assert badge in " ".join(read_docx(made[".docx"]).text.split())


# -- the allowed root: the article folder's parent ----------------------------------------------


def test_a_figure_of_the_parent_folder_is_read_as_a_joss_paper_names_it(tmp_path, capsys):
    repo = write(tmp_path / "repo", {
        "paper/paper.md": FRONT + "![From the docs](../docs/pictures/red.pdf){width=90%}\n\n"
                                  "![Named as LaTeX does](../docs/pictures/blue)\n",
        "docs/pictures/red.pdf": pdf_figure(),
        "docs/pictures/blue.svg": SVG,
    })
    assert convert(repo / "paper" / "paper.md", tmp_path / "out") == 0, capsys.readouterr().err
    made = editions(tmp_path / "out")
    assert coloured_pixels(made[".pdf"], RED) > 2000
    assert coloured_pixels(made[".pdf"], BLUE) > 2000
    assert len(epub_images(made[".epub"])[0]) == 2
    assert docx_parts(made[".docx"])[1].count("<w:drawing>") == 2


def test_a_figure_beyond_the_allowed_root_is_never_read(tmp_path, capsys):
    write(tmp_path, {"secret.pdf": pdf_figure()})
    folder = write(tmp_path / "repo" / "paper", {
        "paper.md": FRONT + "![Up two](../../secret.pdf)\n\n![Absolute](/etc/hostname)\n",
    })
    assert convert(folder / "paper.md", tmp_path / "out") == 0
    err = capsys.readouterr().err
    assert err.count("the folder galleys may read files from") == 2, err
    made = editions(tmp_path / "out")
    assert coloured_pixels(made[".pdf"], RED) == 0
    assert not epub_images(made[".epub"])[0] and not docx_parts(made[".docx"])[0]
    for suffix, reader in ((".pdf", read_pdf), (".epub", read_epub), (".docx", read_docx)):
        assert "Image not included: Up two" in " ".join(reader(made[suffix]).text.split())
    assert convert(folder / "paper.md", tmp_path / "strict", "--strict") == 65
    assert not (tmp_path / "strict").exists()


def test_a_link_leading_out_of_the_allowed_root_is_never_followed(tmp_path, capsys):
    secret = write(tmp_path, {"secret.pdf": pdf_figure()}) / "secret.pdf"
    repo = write(tmp_path / "repo", {
        "paper/paper.md": FRONT + "![Linked out](out.pdf)\n\n![Linked in](in.svg)\n",
        "docs/blue.svg": SVG,
    })
    (repo / "paper" / "out.pdf").symlink_to(secret)
    (repo / "paper" / "in.svg").symlink_to(repo / "docs" / "blue.svg")
    assert convert(repo / "paper" / "paper.md", tmp_path / "out") == 0
    err = capsys.readouterr().err
    assert "paper.md:7: warning: image 'out.pdf' is outside the article folder's parent" in err
    made = editions(tmp_path / "out")
    assert coloured_pixels(made[".pdf"], RED) == 0  # never read
    assert coloured_pixels(made[".pdf"], BLUE) > 2000  # the link inside the root is read
    assert len(epub_images(made[".epub"])[0]) == 1
    for suffix, reader in ((".pdf", read_pdf), (".epub", read_epub), (".docx", read_docx)):
        assert "Image not included: Linked out" in " ".join(reader(made[suffix]).text.split())
    assert convert(repo / "paper" / "paper.md", tmp_path / "strict", "--strict") == 65
    assert not (tmp_path / "strict").exists()


def test_the_snapshot_holds_the_parent_folder_figures_the_article_names(tmp_path):
    from galleys.builder.snapshot import take_snapshot

    repo = write(tmp_path / "repo", {
        "paper/paper.md": FRONT + "![a](../docs/a.pdf) ![b](./../docs/b) ![c](../../c.pdf)\n"
                                  "![d](../README.md)\n",
        "docs/a.pdf": pdf_figure(), "docs/b.png": b"\x89PNG\r\n\x1a\n", "docs/unnamed.pdf": b"x",
        "README.md": "not a figure",
    })
    write(tmp_path, {"c.pdf": pdf_figure()})
    names = [name for name, _data in take_snapshot(repo / "paper" / "paper.md").files]
    assert names == ["../docs/a.pdf", "../docs/b.png", "paper.md"]


# -- real papers -----------------------------------------------------------------------------


# (paper, figures, of which PDF files copied as vectors: jss's R plot uses an unembedded font)
@pytest.mark.parametrize(("repo", "paper", "count", "vectors"), [
    ("joss/open-atmos__PySDM", "paper/paper.md", 2, 2),  # one in a raw LaTeX figure, no suffix
    ("joss/21cmfast__21cmFAST", "joss-paper/paper.md", 3, 2),
    ("joss/adtzlr__felupe", "paper/paper.md", 4, 2),
    ("joss/fabian-sp__GGLasso", "paper/paper.md", 2, 2),  # both in ../docs/source/pictures/
    ("quarto/quarto-journals__jss", "template.qmd", 1, 0),
])
def test_corpus_papers_keep_their_pdf_figures(tmp_path, monkeypatch, capsys, repo, paper,
                                              count, vectors):
    source = require_corpus() / repo
    copy = tmp_path / source.name
    shutil.copytree(source, copy)
    article = copy / paper
    monkeypatch.chdir(article.parent)  # from the paper's own folder, with relative paths
    assert main(["convert", article.name, "-o", str(tmp_path / "out")]) == 0, (
        capsys.readouterr().err)
    made = editions(tmp_path / "out")
    drawn = [d for d in drawn_xobjects(made[".pdf"]) if min(d[1], d[2]) > 50]  # not math
    assert len(drawn) == count, drawn
    assert len([d for d in drawn if d[0] == "/Form"]) == vectors, drawn
    assert all(ink_in(made[".pdf"], d) > 0.01 for d in drawn), drawn  # something is drawn
    assert len(epub_images(made[".epub"])[0]) == count
    assert docx_parts(made[".docx"])[1].count("<w:drawing>") >= count


def test_editions_with_figures_and_a_placeholder_pass_the_check(tmp_path, capsys):
    source = tmp_path / "src"
    write(source / "checked", {
        "article.md": FRONT + "![Vector](red.pdf)\n\n![Drawing](blue.svg)\n\n"
                              "![Remote](https://example.org/x.png)\n",
        "red.pdf": pdf_figure(), "blue.svg": SVG.replace("</svg>", LABEL + "</svg>"),
    })
    assert convert(source / "checked" / "article.md", tmp_path / "out") == 0
    pdf = (tmp_path / "out" / "checked.pdf").read_bytes()
    assert "Axis label" in read_pdf(pdf).text  # the SVG's text, in an embedded face
    capsys.readouterr()
    assert main(["check", str(tmp_path / "out"), "--source", str(source)]) == 0, (
        capsys.readouterr().out)


def _use_bomb(levels: int) -> str:
    """An SVG of `levels` groups, each drawing the one before ten times: 10**levels shapes."""
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}"/>' for _ in range(10))
        groups.append(f'<g id="l{level}">{uses}</g>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
            + "".join(groups) + f'</defs><use href="#l{levels}"/></svg>')


@pytest.mark.parametrize(("svg", "shown"), [
    (_use_bomb(9), "drawing bomb"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>',
     "refers to itself"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/passwd"/></svg>',
     "has a href attribute"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
])
def test_a_hostile_svg_is_refused_naming_its_line(tmp_path, capsys, svg, shown):
    folder = write(tmp_path / "src" / "bomb", {"article.md": FRONT + "![x](x.svg)\n",
                                               "x.svg": svg})
    assert convert(folder / "article.md", tmp_path / "out") == 65
    err = capsys.readouterr().err
    assert "article.md:7: image 'x.svg'" in err and shown in err, err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_an_svg_drawing_its_parts_many_times_is_drawn(tmp_path):
    folder = write(tmp_path / "src" / "many", {"article.md": FRONT + "![x](x.svg)\n",
                                               "x.svg": _use_bomb(3)})
    assert convert(folder / "article.md", tmp_path / "out", "--to", "pdf") == 0


def test_a_figure_in_a_format_no_edition_shows_is_a_placeholder(tmp_path, capsys):
    folder = write(tmp_path / "src" / "eps", {
        "article.md": FRONT + "![An EPS plot](plot.eps)\n",
        "plot.eps": "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
    })
    assert convert(folder / "article.md", tmp_path / "out") == 0
    assert "'plot.eps' is not a PNG, JPEG, GIF, WebP, BMP, TIFF, SVG or PDF file" in (
        capsys.readouterr().err)
    made = editions(tmp_path / "out")
    for suffix, reader in ((".pdf", read_pdf), (".epub", read_epub), (".docx", read_docx)):
        text = " ".join(reader(made[suffix]).text.split())
        shown = "Image not included: An EPS plot plot.eps (format EPS, which galleys cannot show)"
        assert shown in text, (suffix, text)


def test_a_build_rebuilds_an_article_when_a_parent_folder_figure_changes(tmp_path):
    source = write(tmp_path / "source", {
        "one/article.md": FRONT + "![Shared](../shared/plot.pdf)\n",
        "shared/plot.pdf": pdf_figure(),
    })
    dist = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(dist), "--to", "pdf", "-q"]) == 0
    first = (dist / "one" / "one.pdf").read_bytes()
    assert coloured_pixels(first, RED) > 2000
    (source / "shared" / "plot.pdf").write_bytes(pdf_figure(100, 100))
    assert main(["build", str(source), "-o", str(dist), "--to", "pdf", "-q"]) == 0
    second = (dist / "one" / "one.pdf").read_bytes()
    assert second != first
    assert [(d.width, d.height) for d in drawn_xobjects(second)] == [pytest.approx((100, 100))]


@pytest.mark.parametrize(("name", "data", "shown"), [
    ("broken.pdf", b"%PDF-1.4 not a PDF after all", "PDF image cannot be read"),
    ("empty.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG image cannot be drawn"),
    ("garbage.png", b"\x89PNG\r\n\x1a\nnot a PNG", "image cannot be read"),
])
def test_a_broken_figure_file_is_an_error_naming_the_article_line(tmp_path, capsys, name,
                                                                  data, shown):
    folder = write(tmp_path / "src" / "broken", {"article.md": FRONT + f"Text.\n\n![x]({name})\n",
                                                 name: data})
    assert convert(folder / "article.md", tmp_path / "out") == 65
    err = capsys.readouterr().err
    assert f"article.md:9: image '{name}': {shown}" in err, err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
