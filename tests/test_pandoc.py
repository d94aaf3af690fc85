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


# The long-lived pandoc server (pandoc_server) against one pandoc process per conversion.

BIB = "@book{lee2020, author = {Lee, Ann}, title = {A Book}, year = {2020}, publisher = {P}}\n"


def _both(monkeypatch, convert):
    """convert() done by the server, then by a pandoc process of its own."""
    served = convert()
    monkeypatch.setenv("GALLEYS_PANDOC_SERVER", "0")
    alone = convert()
    monkeypatch.delenv("GALLEYS_PANDOC_SERVER")
    return served, alone


def test_server_converts_exactly_as_a_pandoc_process(tmp_path, monkeypatch):
    from galleys.front import styles
    from galleys.writers.docx.reference import reference_docx

    bib = tmp_path / "references.bib"
    bib.write_text(BIB)
    source = b"---\nlang: de\n---\nAs @lee2020 says [@nobody]. ![x](missing.png)\n"

    def parse():
        return pandoc.convert(source, "markdown", "json", citeproc=True, bibliography=bib,
                              csl=styles.path("apa"))

    served, alone = _both(monkeypatch, parse)
    assert served.output == alone.output
    assert b"Lee" in served.output and b"2020" in served.output
    assert served.warnings == alone.warnings
    assert any("nobody" in w for w in served.warnings)
    reference = tmp_path / "reference.docx"
    reference.write_bytes(reference_docx("a4"))

    def docx():
        return pandoc.convert(served.output, "json", "docx", reference_doc=reference)

    served_docx, alone_docx = _both(monkeypatch, docx)
    assert served_docx.output == alone_docx.output
    assert served_docx.output.startswith(b"PK")


def test_server_failure_is_one_line_and_the_server_is_used_again():
    from galleys import pandoc_server

    pandoc.convert(b"x", "markdown", "json")
    servers = list(pandoc_server._idle)
    with pytest.raises(ToolError, match=r"^pandoc failed: Unknown input format nonsense$"):
        pandoc.convert(b"", "nonsense", "json")
    assert pandoc.convert(b"*x*", "markdown", "json").json()["blocks"][0]["t"] == "Para"
    assert pandoc_server._idle == servers, "no server lost, none started"


def test_conversions_side_by_side_get_a_server_each():
    from concurrent.futures import ThreadPoolExecutor

    from galleys import pandoc_server

    pandoc_server._idle.clear()
    sources = [f"text {i} ".encode() * 20_000 for i in range(4)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outs = list(pool.map(lambda d: pandoc.convert(d, "markdown", "plain").output, sources))
    assert [o.split()[:2] for o in outs] == [[b"text", str(i).encode()] for i in range(4)]
    assert 1 <= len(pandoc_server._idle) <= 2


def test_server_timeout_kills_it_and_the_next_call_starts_another():
    from galleys import pandoc_server

    pandoc.convert(b"x", "markdown", "json")
    first = pandoc_server._idle[-1].process
    with pytest.raises(ToolError, match="did not finish"):
        pandoc.convert(b"x " * 2_000_000, "markdown", "json", timeout=0.001)
    assert first.poll() is not None, "the timed-out server is gone"
    assert pandoc.convert(b"y", "markdown", "json").json()["blocks"]
    assert pandoc_server._idle[-1].process.pid != first.pid


def test_an_article_cannot_make_citeproc_read_a_file(tmp_path):
    from galleys.front import styles

    bib = tmp_path / "references.bib"
    bib.write_text(BIB)
    source = f"---\ncitation-abbreviations: {tmp_path / 'nowhere.json'}\n---\n@lee2020\n"
    out = pandoc.convert(source.encode(), "markdown", "json", citeproc=True, bibliography=bib,
                         csl=styles.path("apa"))
    assert b"Lee" in out.output  # had citeproc tried the file, the conversion would fail


def _child_server_pid(queue):
    from galleys import pandoc_server

    pandoc.convert(b"child", "markdown", "json")
    queue.put([server.process.pid for server in pandoc_server._idle])


def test_a_forked_child_starts_its_own_server():
    import multiprocessing

    from galleys import pandoc_server

    pandoc.convert(b"parent", "markdown", "json")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_server_pid, args=(queue,))
    child.start()
    pids = queue.get(timeout=60)
    child.join(60)
    assert child.exitcode == 0
    assert len(pids) == 1 and pids[0] not in [s.process.pid for s in pandoc_server._idle]
    assert pandoc.convert(b"again", "markdown", "json").json()["blocks"]


def test_a_pandoc_that_cannot_sandbox_its_reader_converts_by_processes(monkeypatch):
    from galleys import pandoc_server

    refusing = 'io.write(pandoc.json.encode({ready = false}), "\\n")'
    monkeypatch.setattr(pandoc_server, "SCRIPT", refusing)
    monkeypatch.setattr(pandoc_server, "_idle", [])
    monkeypatch.setattr(pandoc_server, "_unable", False)
    out = pandoc.convert(b"*x*", "markdown", "json")
    assert out.json()["blocks"][0]["t"] == "Para"
    assert pandoc_server._unable and not pandoc_server._idle
