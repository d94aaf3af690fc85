"""The typed accessors over pandoc's JSON AST, on nodes pandoc itself wrote."""

from __future__ import annotations

import json

from galleys import pandoc
from galleys.pandoc_ast import (
    Attr,
    attr_of,
    content_of,
    has_attr,
    is_kind,
    kind_of,
    make,
    nodes_in,
    raw,
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
    assert kind_of({"not": "a node"}) is None and kind_of("Str") is None


def test_raw_and_with_content():
    (para,) = _blocks("x <b>y</b>\n")
    raws = [raw(n) for n in nodes_in(para) if raw(n)]
    assert raws == [("html", "<b>"), ("html", "</b>")]
    assert with_content(para, content_of(para)) is para
    changed = with_content(para, [])
    assert changed is not para and content_of(changed) == [] and kind_of(changed) == "Para"
    assert make("Space") == {"t": "Space"}
