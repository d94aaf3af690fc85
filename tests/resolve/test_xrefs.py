"""Cross-references: every syntax our users write, numbered once, printed and linked alike in
every edition (the printed text read back, the link's target found in the edition itself)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from editions import EDITIONS, read, render, squeeze, write_article
from PIL import Image

from galleys.builder.articles import parse
from galleys.cli.main import main
from galleys.errors import SourceError
from galleys.front.frontmatter import Labels
from galleys.resolve.xrefs import resolve_crossrefs

FRONT = "title: Cross-references in every edition\nauthor: Ann Author\ndate: 2024-01-02"
BIB = "@book{knuth, author={Donald E. Knuth}, title={The TeXbook}, year={1984}, publisher={AW}}\n"
TABLE = "| x | y |\n|---|---|\n| 1 | 2 |\n"
# (marker, what the author wrote, what every edition prints, the link's text, text at its target)
CASES = [
    ("R01", r"\autoref{fig:a}", "Figure 1", "Figure 1", "Figure 1: Alpha caption"),
    ("R02", r"\ref{fig:a}", "1", "1", "Figure 1: Alpha caption"),
    ("R03", r"\autoref{tab:b}", "Table 1", "Table 1", "Table 1: Beta caption"),
    ("R04", r"\ref{tab:b}", "1", "1", "Table 1: Beta caption"),
    ("R05", r"\eqref{eq:c}", "(1)", "(1)", None),
    ("R06", r"\autoref{eq:d}", "Equation 2", "Equation 2", None),
    ("R07", "@fig-e", "Figure 3", "Figure 3", "Figure 3: Epsilon caption"),
    ("R08", "[-@fig-e]", "3", "3", "Figure 3: Epsilon caption"),
    ("R09", "@tbl-f", "Table 2", "Table 2", "Table 2: Phi caption"),
    ("R10", "@eq-g", "Equation 3", "Equation 3", None),
    ("R11", "@sec-h", "Section 1", "Section 1", "1 Eta section"),
    ("R12", "@fig:i", "Figure 4", "Figure 4", "Figure 4: Iota caption"),
    ("R13", "@tbl:j", "Table 3", "Table 3", "Table 3: Kappa caption"),
    ("R14", "@eq:k", "Equation 4", "Equation 4", None),
    ("R15", "@sec:l", "Section 2", "Section 2", "2 Lambda section"),
    ("R16", "[@knuth]", "(Knuth, 1984)", "Knuth, 1984", "Knuth, D. E. (1984)"),
]
BODY = "\n\n".join([
    "# Eta section {#sec-h}",
    *(f"{case[0]} see {case[1]} end." for case in CASES),
    r"![Alpha caption\label{fig:a}](a.png)",
    "![Unlabelled caption](a.png)",
    f': Beta caption []{{label="tab:b"}}\n\n{TABLE}',
    r"$$c = 1 \label{eq:c}$$",
    '[$$d = 2$$]{label="eq:d"}',
    "![Epsilon caption](a.png){#fig-e}",
    f": Phi caption {{#tbl-f}}\n\n{TABLE}",
    "$$g = 3$$ {#eq-g}",
    "# Lambda section {#sec:l}",
    "![Iota caption](a.png){#fig:i}",
    f": Kappa caption {{#tbl:j}}\n\n{TABLE}",
    "$$k = 4$$ {#eq:k}",
    "# References",
]) + "\n"


def _article(folder: Path, body: str = BODY, front: str = FRONT, bib: str = BIB) -> Path:
    path = write_article(folder, front, body, bib)
    Image.new("RGB", (40, 16), "steelblue").save(folder / "a.png")
    return path


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    data = render(_article(tmp_path_factory.mktemp("crossref")))
    return {name: read(name, data[name]) for name in EDITIONS}


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize(("marker", "source", "printed", "link_text", "target"), CASES,
                         ids=[case[1] for case in CASES])
def test_each_syntax_is_printed_and_linked_in_each_edition(editions, edition, marker, source,
                                                           printed, link_text, target):
    found = editions[edition]
    assert f"{marker} see {printed} end." in found.text
    links = [link for link in found.links() if link.text == link_text]
    assert links, f"no link reads {link_text!r} in the {edition}"
    assert all(link.target is not None for link in links), "a link to nowhere"
    if target:
        assert any(target in link.target for link in links), [link.target for link in links]


@pytest.mark.parametrize("edition", EDITIONS)
def test_captions_are_numbered_unlabelled_ones_too(editions, edition):
    text = editions[edition].text
    for caption in ("Figure 1: Alpha caption", "Figure 2: Unlabelled caption",
                    "Figure 3: Epsilon caption", "Figure 4: Iota caption",
                    "Table 1: Beta caption", "Table 2: Phi caption", "Table 3: Kappa caption"):
        assert caption in text


@pytest.mark.parametrize("edition", EDITIONS)
def test_referenced_sections_show_their_numbers_and_no_key_reaches_citeproc(editions, edition):
    text = editions[edition].text
    assert "1 Eta section" in text and "2 Lambda section" in text
    assert "References" in text and "1 References" not in text and "3 References" not in text
    for key in ("fig-e", "tbl-f", "eq-g", "sec-h", "fig:i", "?)"):
        assert key not in text  # citeproc printed "(fig-e?)" for a Quarto reference


def test_labelled_equations_carry_their_numbers(tmp_path):
    resolved = parse(_article(tmp_path))
    numbers = {}

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value.get("t") == "Span" and "equation" in value["c"][0][1]:
                numbers[value["c"][0][0]] = dict(value["c"][0][2])["number"]
                assert "\\label" not in value["c"][1][0]["c"][1]
            walk(value.get("c"))

    walk(resolved.blocks)
    assert numbers == {"eq:c": "1", "eq:d": "2", "eq-g": "3", "eq:k": "4"}
    assert not [w for w in resolved.warnings if "cross-reference" in w or "fig-e" in w]


def test_the_words_come_from_labels(tmp_path):
    front = FRONT + "\nlang: de\nlabels:\n  figure: Abbildung\n  table: Tabelle\n"
    body = "Siehe @fig-e und \\autoref{t}.\n\n![Ein Bild](a.png){#fig-e}\n\n" \
           f": Zahlen []{{label=\"t\"}}\n\n{TABLE}"
    resolved = parse(_article(tmp_path, body, front, bib=""))
    text = _plain(resolved.blocks)
    assert "Siehe Abbildung 1 und Tabelle 1." in text
    assert "Abbildung 1: Ein Bild" in text and "Tabelle 1: Zahlen" in text


@pytest.mark.parametrize("reference", [r"\ref{nowhere}", r"\autoref{nowhere}", "@fig-nowhere",
                                       "[-@tbl-nowhere]", "@sec:nowhere", r"\eqref{nowhere}"])
def test_an_unknown_label_prints_question_marks_and_warns(tmp_path, reference):
    path = _article(tmp_path, f"See {reference} here.\n", bib=BIB)
    resolved = parse(path)
    assert "See ?? here." in _plain(resolved.blocks)
    label = re.sub(r".*[{@]|[}\]]", "", reference)
    assert [w for w in resolved.warnings if label in w] == [
        f"{path}: warning: a cross-reference to {label!r}, which no figure, table, equation or "
        "section carries, is printed as ??"]  # and citeproc was never asked for it
    with pytest.raises(SourceError, match=label):
        parse(path, strict=True)
    assert main(["convert", str(path), "-o", str(tmp_path / "out"), "--strict", "-q"]) == 65
    data = render(path)
    for edition in EDITIONS:
        assert "See ?? here." in read(edition, data[edition]).text, edition


@pytest.mark.parametrize("math", ["$$x = 1$$ {#eq-x}", "$$x = 1$${#eq-x}", "$$\nx = 1\n$$ {#eq-x}",
                                  "$$x = 1$$\n{#eq-x .numbered}"])
def test_quarto_equation_attributes_in_every_spelling(tmp_path, math):
    resolved = parse(_article(tmp_path, f"See @eq-x.\n\n{math}\n", bib=""))
    assert _plain(resolved.blocks) == "See Equation 1."  # and no "{#eq-x}" left
    span = resolved.blocks[1]["c"][0]
    assert span["t"] == "Span" and span["c"][0][0] == "eq-x" and len(resolved.blocks[1]["c"]) == 1


def test_latex_table_figure_and_align_environments(tmp_path):
    body = ("See \\autoref{tab:x}, \\Cref{fig:z} and \\eqref{eq:y}.\n\n"
            "\\begin{table}\n\\caption{A LaTeX table.}\n\\label{tab:x}\n"
            "\\begin{tabular}{ll}\na & b \\\\\n\\end{tabular}\n\\end{table}\n\n"
            "\\begin{align}\ny &= 1 \\label{eq:y}\n\\end{align}\n\n"
            "\\begin{figure}\n\\includegraphics{a.png}\n\\caption{A LaTeX figure.}\n"
            "\\label{fig:z}\n\\end{figure}\n")
    resolved = parse(_article(tmp_path, body, bib=""))
    text = _plain(resolved.blocks)
    assert text.startswith("See Table 1, Figure 1 and (1).")
    assert "Table 1: A LaTeX table." in text and "Figure 1: A LaTeX figure." in text
    assert not resolved.warnings


def test_a_capitalized_quarto_reference_starts_a_sentence(tmp_path):
    resolved = parse(_article(tmp_path, "@Fig-e shows it.\n\n![A](a.png){#fig-e}\n", bib=""))
    assert _plain(resolved.blocks).startswith("Figure 1 shows it.")


def test_quarto_figure_div_is_a_numbered_figure(tmp_path):
    body = ("See @fig-quine.\n\n::: {#fig-quine}\n\n![](a.png)\n\n"
            "Frequency of days absent.\n:::\n")
    resolved = parse(_article(tmp_path, body, bib=""))
    figure = next(b for b in resolved.blocks if b["t"] == "Figure")
    assert figure["c"][0][0] == "fig-quine"
    assert "Figure 1: Frequency of days absent." in _plain(resolved.blocks)
    assert "See Figure 1." in _plain(resolved.blocks)


def test_quarto_sub_figures_are_lettered(tmp_path):
    body = ("See @fig-pair, @fig-left and [-@fig-right].\n\n::: {#fig-pair layout-ncol=2}\n\n"
            "![Left one](a.png){#fig-left}\n\n![Right one](a.png){#fig-right}\n\n"
            "Both of them.\n:::\n\n![After](a.png){#fig-after}\n")
    resolved = parse(_article(tmp_path, body, bib=""))
    text = _plain(resolved.blocks)
    assert "See Figure 1, Figure 1(a) and 1(b)." in text
    assert "(a) Left one" in text and "(b) Right one" in text
    assert "Figure 1: Both of them." in text and "Figure 2: After" in text


def test_unreferenced_sections_stay_unnumbered(tmp_path):
    resolved = parse(_article(tmp_path, "# Intro\n\nSee @fig-e.\n\n![A](a.png){#fig-e}\n",
                              bib=""))
    assert resolved.blocks[0]["t"] == "Header" and _plain(resolved.blocks[:1]) == "Intro"


def _plain(blocks: list[dict]) -> str:
    words: list[str] = []

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value.get("t") == "Str":
                words.append(value["c"])
            elif value.get("t") in ("Space", "SoftBreak"):
                words.append(" ")
            elif value.get("t") == "Image":
                return
            else:
                walk(value.get("c"))

    walk(blocks)
    return re.sub(r"\s+", " ", "".join(words)).strip()


def test_a_label_in_a_heading_or_a_sections_text_names_the_section(tmp_path):
    body = ("# Methods \\label{sec:methods}\n\nSee \\autoref{sec:methods} and \\ref{sec:later}.\n\n"
            "## Later\n\n\\label{sec:later}\nMore text.\n")
    resolved = parse(_article(tmp_path, body, bib=""))
    assert "See Section 1 and 1.1." in _plain(resolved.blocks)
    links = [n for n in resolved.blocks[1]["c"] if n["t"] == "Link"]
    assert [link["c"][2][0] for link in links] == ["#methods", "#sec:later"]
    assert not resolved.warnings


def test_references_in_captions_notes_cells_and_quotes_are_resolved(tmp_path):
    body = ("![Like \\autoref{t}.](a.png){#fig-a}\n\n"
            ": Numbers, see @fig-a. []{label=\"t\"}\n\n| a |\n|---|\n| @fig-a |\n\n"
            "> Quoted @fig-a.[^n]\n\n[^n]: A note about \\ref{t}.\n\n- item @fig-a\n")
    resolved = parse(_article(tmp_path, body, bib=""))
    text = _plain(resolved.blocks)
    assert "Figure 1: Like Table 1." in text and "Table 1: Numbers, see Figure 1." in text
    assert "Quoted Figure 1.A note about 1." in text and "item Figure 1" in text
    assert text.count("Figure 1") == 5 and "@" not in text


def test_sub_figures_stay_on_the_page_of_their_text_in_the_pdf(tmp_path):
    body = ("See @fig-pair.\n\n::: {#fig-pair layout-ncol=2}\n\n![Left one](a.png){#fig-left}\n\n"
            "![Right one](a.png){#fig-right}\n\nBoth of them.\n:::\n")
    pdf = read("pdf", render(_article(tmp_path, body, bib=""))["pdf"])
    first_page = squeeze(pdf.reader.pages[0].extract_text())
    assert "(a) Left one (b) Right one Figure 1: Both of them." in first_page  # no page break


def test_a_label_given_twice_warns_and_links_to_the_first(tmp_path):
    body = ("See \\ref{x}.\n\n![One\\label{x}](a.png)\n\n![Two\\label{x}](a.png)\n\n"
            ": Three []{label=\"x\"}\n\n" + TABLE)
    path = _article(tmp_path, body, bib="")
    resolved = parse(path)
    assert "See 1." in _plain(resolved.blocks)
    ids = [b["c"][0][0] for b in resolved.blocks if b["t"] in ("Figure", "Table")]
    assert ids == ["x", "", ""]  # one element per id: every edition can still be made
    assert [w for w in resolved.warnings if "'x' is given to two elements" in w]
    render(path)  # no "id used twice" refusal


# -- inara's example paper ----------------------------------------------------------------------
# What inara's own expected output (test/expected-pub/paper.jats and paper.tex) prints for it:
# the "Basic inline markup" grid table is captioned, so LaTeX's longtable \caption and inara's
# JATS numbering both make it Table 1, and the proglangs table Table 2.
INARA = FIXTURES / "inara" / "paper.md"
INARA_PRINTS = [
    ("yields “Table 2”, while \\ref{proglangs} gives “2”.", ("Table 2", "2"),
     "Table 2: Comparison of programming languages used in the publishing tool."),
    # (pandoc 3.6 writes its number's parentheses as OMML delimiters in the DOCX, not text)
    ("with \\autoref{eq:fermat} resulting in “Equation 1”.", ("Equation 1",), "an+bn=cn"),
]
INARA_CAPTIONS = [
    "Table 1: Basic inline markup and examples.",
    "Figure 1: The “Mandrill” standard test image",
    "Figure 2: View of coastal dunes in a nature reserve on Sylt",
    "Table 2: Comparison of programming languages used in the publishing tool.",
]


@pytest.fixture(scope="module")
def inara() -> dict[str, object]:
    data = render(INARA)
    return {name: read(name, data[name]) for name in EDITIONS}


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize(("printed", "link_texts", "target"), INARA_PRINTS,
                         ids=["proglangs", "fermat"])
def test_inaras_example_prints_what_inara_prints(inara, edition, printed, link_texts, target):
    found = inara[edition]
    assert printed in found.text
    # The links to the element, read back to their target; a PDF link's text is read from its
    # rectangle, one for each line it spans ("“Table" and "2"). Targets compared without
    # spaces (the PDF's text spaces the formula "an + bn = cn (1)", the EPUB's MathML not).
    to_target = [link.text.strip("“”") for link in found.links()
                 if link.target and re.sub(r"\s", "", link.target).startswith(
                     re.sub(r"\s", "", target))]
    assert " ".join(to_target).split() == " ".join(link_texts).split(), to_target


@pytest.mark.parametrize("edition", EDITIONS)
def test_inaras_example_numbers_its_captions_and_lists_its_references_once(inara, edition):
    text = inara[edition].text
    at = [text.index(caption) for caption in INARA_CAPTIONS]
    assert at == sorted(at)  # in document order, each once numbered
    assert "Figure 3" not in text and "Table 3" not in text  # the inline image is no figure
    assert "??" not in text and "proglangs}”" not in text
    assert text.count("References") == 1
    assert "Upper, D. (1974)." in text


def test_inaras_example_before_its_markup_table_was_added(tmp_path):
    # The example as the JOSS documentation still quotes it, without the "Inline markup" table:
    # then the proglangs table is the first, "Table 1" and "1".
    folder = tmp_path / "inara"
    shutil.copytree(INARA.parent, folder)
    paper = folder / "paper.md"
    text = paper.read_text(encoding="utf-8")
    start = text.index("+-----")
    end = text.index(": Basic inline markup and examples.\n")
    paper.write_text(text[:start] + text[end + 36:], encoding="utf-8")
    resolved = parse(paper)
    plain = _plain(resolved.blocks)  # without code and quotation marks
    assert "in this document yields Table 1, while gives 1." in plain
    assert "Table 1: Comparison of programming languages" in plain and "Table 2" not in plain
    assert "resulting in Equation 1." in plain
    assert not [w for w in resolved.warnings if "cross-reference" in w]


# -- a table caption's attribute block ---------------------------------------------------------

def _captioned_table(*caption: dict) -> dict:
    """A Table whose caption is `caption`, as pandoc before 3.8.2 reads `: Caption {#tbl:x}`."""
    row = [["", [], []], [[["", [], []], {"t": "AlignDefault"}, 1, 1,
                           [{"t": "Plain", "c": [{"t": "Str", "c": "1"}]}]]]]
    return {"t": "Table", "c": [["", [], []], [None, [{"t": "Plain", "c": list(caption)}]],
                                [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}]],
                                [["", [], []], []], [[["", [], []], 0, [], [row]]],
                                [["", [], []], []]]}


def _words(text: str) -> list[dict]:
    nodes: list[dict] = []
    for word in text.split(" "):
        nodes += [{"t": "Space"}, {"t": "Str", "c": word}]
    return nodes[1:]


@pytest.mark.parametrize(("caption", "ident", "classes", "pairs", "left"), [
    ("Populations in 2023 {#tbl:pop}", "tbl:pop", [], [], "Table 1: Populations in 2023"),
    ("Two{#tbl:two}", "tbl:two", [], [], "Table 1: Two"),
    ('Three {#tbl-three .wide note="a b"}', "tbl-three", ["wide"], [["note", "a b"]],
     "Table 1: Three"),
    ("{#tbl:bare}", "tbl:bare", [], [], "Table 1"),
    ("Not at the end {#tbl:x} here", "", [], [], "Table 1: Not at the end {#tbl:x} here"),
    ("A set {1, 2}", "", [], [], "Table 1: A set {1, 2}"),
])
def test_a_table_captions_attribute_block_is_the_tables(caption, ident, classes, pairs, left):
    table = _captioned_table(*_words(caption))
    blocks = [{"t": "Para", "c": [*_words("See"), {"t": "Space"}, _cite("tbl:pop")]}, table]
    resolve_crossrefs(blocks, Labels(), "article.md")
    assert table["c"][0] == [ident, classes, pairs]
    assert _plain(table["c"][1][1]) == left
    if ident == "tbl:pop":
        assert _plain(blocks[:1]) == "See Table 1"
        assert blocks[0]["c"][-1]["c"][2][0] == "#tbl:pop"


def _cite(key: str) -> dict:
    citation = {"citationId": key, "citationPrefix": [], "citationSuffix": [],
                "citationMode": {"t": "AuthorInText"}, "citationNoteNum": 1, "citationHash": 0}
    return {"t": "Cite", "c": [[citation], [{"t": "Str", "c": f"@{key}"}]]}
