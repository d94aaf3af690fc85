"""The words the PDF never hyphenates: those set as code, cited or linked, read from the AST."""

from __future__ import annotations

import json
import subprocess

from galleys import pandoc
from galleys.writers.pdf.hyphenation import protected_words

SOURCE = """\
Plain prose with extraordinary words and `configuration_parameters` in code.

See [the documentation website](https://example.org) and [@Appelhoff2019, p. 3].

A link whose note is prose: [linked text^[a footnote with interesting words]](https://x.org).

```
codeblock_identifier never reaches the hyphenator
```

*Emphasised [nested link words](https://y.org) inside.*
"""


def _blocks(text: str) -> list:
    out = subprocess.run([pandoc.binary(), "-f", "markdown", "-t", "json"], input=text,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["blocks"]


def test_code_citations_and_link_texts_are_protected_and_nothing_else():
    words = protected_words(_blocks(SOURCE))
    assert {"configuration", "parameters", "the", "documentation", "website", "Appelhoff",
            "p", "linked", "text", "nested", "link", "words"} <= words
    # prose, the note inside a link, and code blocks (never hyphenated anyway) are not
    assert not {"Plain", "prose", "extraordinary", "footnote", "interesting", "codeblock",
                "Emphasised", "inside"} & words


def test_an_article_without_code_citations_or_links_protects_nothing():
    assert protected_words(_blocks("# Heading\n\nJust *emphasised* prose.\n")) == set()
