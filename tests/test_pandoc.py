"""The pandoc gateway: bundled binary, version floor, sandbox, safe reader, timeouts, warnings."""

from __future__ import annotations

import pytest

from galleys import pandoc
from galleys.errors import ToolError


def test_bundled_pandoc_is_new_enough():
    assert pandoc.version() >= pandoc.MIN_VERSION
    assert "pypandoc" in str(pandoc.binary())


def test_old_pandoc_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "pandoc"
    fake.write_text("#!/bin/sh\necho 'pandoc 3.1.5'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("GALLEYS_PANDOC", str(fake))
    pandoc.binary.cache_clear()
    pandoc.version.cache_clear()
    try:
        with pytest.raises(ToolError, match=r"pandoc 3\.1\.5 is too old"):
            pandoc.version()
    finally:
        pandoc.binary.cache_clear()
        pandoc.version.cache_clear()


def _read(markdown: str) -> list:
    return pandoc.run(["-f", pandoc.MARKDOWN_READER, "-t", "json"], markdown.encode()).json()[
        "blocks"
    ]


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "<div>x</div>",
        "```{=openxml}\n<w:p/>\n```",
        "\\begin{document}\\input{/etc/passwd}",
        "`<w:p/>`{=openxml}",
    ],
)
def test_reader_never_yields_raw_markup(markdown):
    text = repr(_read(markdown))
    assert "RawBlock" not in text and "RawInline" not in text


def test_sandbox_blocks_reading_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    result = pandoc.run(
        ["-f", "markdown", "-t", "html", "--embed-resources"],
        f"![x]({secret})".encode(),
    )
    assert b"TOP SECRET" not in result.output
    assert b"VE9QIFNFQ1JFVA" not in result.output  # nor its base64
    assert result.warnings, "pandoc's warning about the blocked file is passed on"


def test_timeout_is_an_error(monkeypatch):
    with pytest.raises(ToolError, match="did not finish"):
        pandoc.run(["-f", "markdown", "-t", "json"], b"x " * 2_000_000, timeout=0.001)


def test_failure_is_one_line_tool_error():
    with pytest.raises(ToolError, match="pandoc failed: Unknown input format"):
        pandoc.run(["-f", "nonsense", "-t", "json"], b"")
