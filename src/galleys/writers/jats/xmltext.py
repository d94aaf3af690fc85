"""Front-matter runs as XML inline markup (JATS and Crossref), and text XML can hold."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree

from galleys.front.inlines import Inlines, Run
from galleys.resolve.mathml import MATHML_NS, MathError, formula

XLINK_NS = "http://www.w3.org/1999/xlink"
# Characters XML 1.0 cannot hold; the reader has removed them from the source, this is the net.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The marks of a run as JATS elements, outermost first.
JATS_MARKS = {"strong": "bold", "emph": "italic", "underline": "underline", "strike": "strike",
              "smallcaps": "sc", "sup": "sup", "sub": "sub", "code": "monospace"}


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def append_text(parent: etree._Element, text: str) -> None:
    """Append `text` after the last child of `parent` (or as its text)."""
    text = xml_text(text)
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def sub(parent: etree._Element, tag: str, text: str = "", **attributes: str) -> etree._Element:
    """A child element of `parent` holding `text`."""
    child = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text:
        child.text = xml_text(text)
    return child


def sub_each(parent: etree._Element, pairs: tuple[tuple[str, str], ...]) -> None:
    """A child of `parent` for each (tag, text) whose text is not empty, in order."""
    for tag, text in pairs:
        if text:
            sub(parent, tag, text)


def append_runs(parent: etree._Element, runs: Inlines, marks: Mapping[str, str] = JATS_MARKS,
                *, links: bool = True, math: bool = True) -> None:
    """Append `runs` to `parent` as text in mark elements (`marks`: run mark -> element name;
    a mark without one is dropped), a link as `ext-link` (mailto: as `email`) when `links`,
    a formula as `inline-formula` with its MathML when `math`, else as its Unicode text."""
    for run in runs:
        target = parent
        for mark, tag in marks.items():
            if mark in run.marks:
                target = etree.SubElement(target, tag)
        if "math" in run.marks:
            _append_math(target, run, math)
        elif links and run.link.startswith("mailto:"):
            sub(target, "email", run.text)
        elif links and run.link and not run.link.startswith("#"):
            link = sub(target, "ext-link", run.text, **{"ext-link-type": "uri"})
            link.set(f"{{{XLINK_NS}}}href", xml_text(run.link))
        else:
            append_text(target, run.text)


def _append_math(parent: etree._Element, run: Run, as_mathml: bool) -> None:
    try:
        made = formula(run.text)
    except MathError:
        made = None
    if made is None or not as_mathml:
        append_text(parent, made.text if made else run.text)
        return
    inline = etree.SubElement(parent, "inline-formula")
    inline.append(mathml_element(made.mathml))


def mathml_element(mathml: str) -> etree._Element:
    """A serialized `<math>` (default namespace) as an lxml element written `mml:math`, as
    the JATS DTD wants it (a DTD knows prefixes, not namespaces)."""
    return _prefixed(etree.fromstring(mathml), None)


def _prefixed(element: etree._Element, parent: etree._Element | None) -> etree._Element:
    tag = f"{{{MATHML_NS}}}{etree.QName(element).localname}"
    copy = (etree.Element(tag, nsmap={"mml": MATHML_NS}) if parent is None
            else etree.SubElement(parent, tag))
    for name, value in element.attrib.items():
        copy.set(name, value)
    copy.text = element.text
    copy.tail = element.tail if parent is not None else None
    for child in element:
        if isinstance(child.tag, str):
            _prefixed(child, copy)
    return copy
