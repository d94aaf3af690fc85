"""The typed accessors over pandoc's JSON AST, on nodes pandoc itself wrote."""

from __future__ import annotations

import json

from galleys import pandoc
from galleys.pandoc_ast import (
    Attr,
    ColSpec,
    attr_of,
    cite_of,
    code_of,
    content_of,
    div_of,
    figure_of,
    has_attr,
    header_of,
    image_of,
    inlines_of,
    is_display_math,
    is_kind,
    kind_of,
    link_of,
    make,
    math_of,
    node_kind,
    nodes_in,
    ordered_list_of,
    quoted_of,
    raw,
    set_attr,
    set_caption,
    set_ident,
    span,
    span_of,
    table_of,
    text_of,
    with_content,
)


def _blocks(markdown: str) -> list:
    return json.loads(pandoc.convert(markdown.encode(), "markdown", "json").output)["blocks"]


def test_attr_is_read_where_each_kind_keeps_it():
    blocks = _blocks("# Head {#sec-a .x k=v}\n\n::: {#d .box}\ntext [span]{#s}\n:::\n")
    header, div = blocks
    assert kind_of(header) == "Header" and attr_of(header) == Attr("sec-a", ["x"], [["k", "v"]])
    assert attr_of(header).value("k") == "v" and attr_of(header).value("none") is None
    assert attr_of(div).ident == "d" and attr_of(div).classes == ["box"]
    spans = [n for n in nodes_in(div) if is_kind(n, "Span")]
    assert [attr_of(s).ident for s in spans] == ["s"]
    assert not has_attr(make("Para", [])) and has_attr(spans[0])


def test_nodes_in_walks_depth_first_in_document_order():
    blocks = _blocks("a *b* c\n\nd\n")
    strings = [content_of(n) for n in nodes_in(blocks) if is_kind(n, "Str")]
    assert strings == ["a", "b", "c", "d"]
    assert [text_of(n) for n in nodes_in(blocks) if node_kind(n) == "Str"] == strings
    assert kind_of({"not": "a node"}) is None and kind_of("Str") is None
    assert kind_of({"t": 3}) is None and not is_kind({"citationId": "k"}, "Cite")
    assert is_kind(make("Space"), "Str", "Space") and not is_kind("Space", "Space")


def test_raw_and_with_content():
    (para,) = _blocks("x <b>y</b>\n")
    raws = [raw(n) for n in nodes_in(para) if raw(n)]
    assert raws == [("html", "<b>"), ("html", "</b>")]
    assert with_content(para, content_of(para)) is para
    changed = with_content(para, [])
    assert changed is not para and content_of(changed) == [] and kind_of(changed) == "Para"
    assert make("Space") == {"t": "Space"}


def _first(blocks: list, kind: str):
    return next(n for n in nodes_in(blocks) if is_kind(n, kind))


def test_views_name_the_parts_pandoc_writes():
    blocks = _blocks(
        "## Two {#h}\n\n[a *b*](https://x.org \"T\"){.l} ![alt](f.png){#i} `c`{.py}"
        " 'q' $x$ [@k; -@m]\n\n$$y$$\n\n3. one\n4. two\n\n::: {#d}\nin\n:::\n\n"
        "![Cap](g.png){#fig-g}\n")
    header = header_of(_first(blocks, "Header"))
    assert header.level == 2 and header.attr.ident == "h" and content_of(header.inlines[0]) == "Two"
    link = link_of(_first(blocks, "Link"))
    assert (link.url, link.title, link.attr.classes) == ("https://x.org", "T", ["l"])
    assert [content_of(n) for n in link.inlines if is_kind(n, "Str")] == ["a"]
    image = image_of(_first(blocks, "Image"))
    assert (image.url, image.attr.ident, content_of(image.alt[0])) == ("f.png", "i", "alt")
    code = code_of(_first(blocks, "Code"))
    assert (code.text, code.attr.classes) == ("c", ["py"])
    quoted = quoted_of(_first(blocks, "Quoted"))
    assert not quoted.double and content_of(quoted.inlines[0]) == "q"
    maths = [math_of(n) for n in nodes_in(blocks) if is_kind(n, "Math")]
    assert maths == [(False, "x"), (True, "y")]
    assert [is_display_math(n) for n in nodes_in(blocks) if is_kind(n, "Math")] == [False, True]
    cite = cite_of(_first(blocks, "Cite"))
    assert [c["citationId"] for c in cite.citations] == ["k", "m"]
    assert cite.inlines is inlines_of(_first(blocks, "Cite"))
    ordered = ordered_list_of(_first(blocks, "OrderedList"))
    assert (ordered.start, ordered.style, len(ordered.items)) == (3, "Decimal", 2)
    div = div_of(_first(blocks, "Div"))
    assert div.attr.ident == "d" and kind_of(div.blocks[0]) == "Para"
    figure = figure_of(_first(blocks, "Figure"))
    assert figure.attr.ident == "fig-g" and kind_of(figure.caption[0]) == "Plain"
    assert image_of(_first(figure.blocks, "Image")).url == "g.png"


def test_table_view_reads_specs_rows_and_cells():
    (table_node,) = _blocks("| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 | 4 |\n\n: The caption\n")
    table = table_of(table_node)
    assert table.specs == [ColSpec("AlignLeft", None), ColSpec("AlignRight", None)]
    assert content_of(table.caption[0]) == [make("Str", "The"), make("Space"),
                                            make("Str", "caption")]
    texts = [[content_of(cell.blocks[0])[0]["c"] for cell in row.cells] for row in table.rows()]
    assert texts == [["a", "b"], ["1", "2"], ["3", "4"]]
    assert len(table.head) == 1 and len(table.bodies[0].rows) == 2 and table.foot == []
    assert table.bodies[0].row_head_columns == 0 and table.rows()[1].cells[0].col_span == 1


def test_views_edit_the_node_in_place():
    (para,) = _blocks("[x]{#s .c k=v}\n")
    node = content_of(para)[0]
    span_of(node).inlines.append(make("Space"))
    set_ident(node, "t")
    assert attr_of(node) == Attr("t", ["c"], [["k", "v"]]) and inlines_of(node)[-1] == make("Space")
    held = node["c"][0]
    set_attr(node, Attr("u", [], []))
    assert node["c"][0] is held and attr_of(node) == Attr("u", [], [])
    assert span(["a"], [], "i") == {"t": "Span", "c": [["i", ["a"], []], []]}
    (table_node,) = _blocks("| a |\n|---|\n| 1 |\n")
    set_caption(table_node, [make("Plain", [make("Str", "C")])])
    assert content_of(table_of(table_node).caption[0]) == [make("Str", "C")]
