"""Hostile input, one row each: a clear one-line error with its exit code, or a safe rendering.

Every row converts the article to every edition; on error nothing may be written. The rows of
small inputs that ask for unbounded work (BOUNDED) each run in a process of their own, within
60 s and 1 GB resident in any process.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from galleys.check.readback import read_docx, read_epub, read_pdf
from galleys.cli.main import main

FRONT = "---\ntitle: Hostile\nauthor: Jane Doe\n---\n\n"
SECONDS = 60  # every row finishes within this, the 10 MB body and 1,000-deep lists included


def png(width: int, height: int, *, truncate: bool = False) -> bytes:
    raw = b"".join(b"\x00" + b"\x80" * (3 * width) for _ in range(min(height, 4)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
    data += chunk(b"IEND", b"")
    return data[: len(data) // 2] if truncate else data


# (id, files in the article folder, expected exit code, text the error or edition must show)
ROWS = [
    # -- injection: rendered as text, or refused ---------------------------------------------
    (
        "reportlab font tag in title",
        {
            "article.md": "---\ntitle: '<font color=\"[[[getattr(pow, chr(95))]]]\">x</font>'"
            "\n---\nx\n"
        },
        0,
        "<font color=",
    ),
    (
        "reportlab img tag in body",
        {"article.md": FRONT + '<img src="/etc/passwd"/> text\n'},
        0,
        "!<img",  # raw HTML in the body is dropped with a warning
    ),
    (
        "onDraw and unichar tags",
        {"article.md": FRONT + '<onDraw name="x"/> <unichar code="0x41"/>\n'},
        0,
        "!<onDraw",
    ),
    (
        "script in title",
        {"article.md": "---\ntitle: '</title><script>alert(1)</script>'\n---\nx\n"},
        0,
        "<script>alert(1)</script>",
    ),
    (
        "javascript url key",
        {"article.md": "---\ntitle: T\nurl: 'javascript:alert(1)'\n---\n"},
        65,
        "not an http(s) URL",
    ),
    (
        "javascript doi",
        {"article.md": "---\ntitle: T\ndoi: 'javascript:alert(1)'\n---\n"},
        65,
        "is not a DOI",
    ),
    (
        "javascript link in body",
        {"article.md": FRONT + "[click](javascript:alert(1))\n"},
        65,
        "javascript",
    ),
    (
        "yaml python tag",
        {"article.md": "---\ntitle: !!python/object/apply:os.system [id]\n---\n"},
        65,
        "unsafe or unknown YAML",
    ),
    (
        "raw openxml block",
        {"article.md": FRONT + "```{=openxml}\n<w:p><w:r><w:t>X</w:t></w:r></w:p>\n```\n"},
        0,
        "!<w:p>",
    ),
    (
        "raw latex",
        {"article.md": FRONT + "\\input{/etc/passwd} \\write18{id}\n"},
        0,
        "!\\input",
    ),
    # -- files and network --------------------------------------------------------------------
    (
        "image ../../etc/passwd",
        {"article.md": FRONT + "![x](../../etc/passwd)\n"},
        0,
        "Image not included: x",  # outside the allowed root: never read, a placeholder
    ),
    ("image /etc/passwd", {"article.md": FRONT + "![x](/etc/passwd)\n"}, 0, "Image not included"),
    (
        "image file url",
        {"article.md": FRONT + "![x](file:///etc/passwd)\n"},
        0,
        "Image not included: x file:///etc/passwd",
    ),
    (
        "percent-encoded traversal",
        {"article.md": FRONT + "![x](..%2F..%2Fetc%2Fpasswd)\n"},
        0,
        "Image not included: x ..%2F..%2Fetc%2Fpasswd",
    ),
    (
        "double-encoded traversal",
        {"article.md": FRONT + "![x](..%252F..%252Fetc%252Fpasswd)\n"},
        65,
        "..%252F",
    ),
    (
        "http image",
        {"article.md": FRONT + "![x](http://127.0.0.1:9/x.png)\n"},
        0,
        "Image not included: x http://127.0.0.1:9/x.png",  # never fetched
    ),
    (
        "https image",
        {"article.md": FRONT + "![x](https://example.org/x.png)\n"},
        0,
        "Image not included: x https://example.org/x.png",
    ),
    ("missing image", {"article.md": FRONT + "![x](figures/none.png)\n"}, 65, "figures/none.png"),
    (
        "truncated png",
        {"article.md": FRONT + "![x](bad.png)\n", "bad.png": png(10, 10, truncate=True)},
        65,
        "bad.png",
    ),
    (
        "decompression bomb",
        {"article.md": FRONT + "![x](bomb.png)\n", "bomb.png": png(100000, 100000)},
        65,
        "bomb.png",
    ),
    ("slug with ../", {"article.md": "---\ntitle: T\nslug: ../evil\n---\n"}, 65, "is not a slug"),
    (
        "slug with RTL override",
        {"article.md": '---\ntitle: T\nslug: "fdp.\u202eexe"\n---\n'},
        65,
        "is not a slug",
    ),
    (
        "slug over 255 bytes",
        {"article.md": f"---\ntitle: T\nslug: {'a' * 300}\n---\n"},
        65,
        "is not a slug",
    ),
    (
        "image name over 255 bytes",
        {"article.md": FRONT + f"![x]({'a' * 300}.png)\n"},
        65,
        "over 255 bytes",
    ),
    (
        "image name with RTL override",
        {"article.md": FRONT + "![x](fig\u202egnp.exe)\n", "fig\u202egnp.exe": png(4, 4)},
        65,
        "text-direction characters",
    ),
    # -- bad data ----------------------------------------------------------------------------------
    ("zero-length file", {"article.md": ""}, 65, "the file is empty"),
    ("front matter only", {"article.md": "---\ntitle: Only Front\n---\n"}, 0, "Only Front"),
    ("unterminated front matter", {"article.md": "---\ntitle: T\n"}, 65, "not closed"),
    ("tabs in yaml", {"article.md": "---\ntitle: T\n\tauthor: x\n---\n"}, 65, "malformed YAML"),
    (
        "yaml alias bomb",
        {
            "article.md": "---\n"
            + "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 7))
            + "title: T\n---\n"
        },
        65,
        "alias bomb",
    ),
    (
        "front matter over 1 MB",
        {"article.md": "---\ntitle: T\nabstract: " + "x" * 1_100_000 + "\n---\n"},
        65,
        "front matter is over 1 MB",
    ),
    (
        "invalid utf-8",
        {"article.md": b"---\ntitle: T\n---\nok \xc3\x28 bad\n"},
        65,
        "byte offset 20",
    ),
    ("nul and control characters", {"article.md": FRONT + "A\x00B\x07C\x1bD\n"}, 0, "ABCD"),
    (
        "10,000-character unbreakable title",
        {"article.md": f"---\ntitle: {'W' * 10000}\n---\nx\n"},
        0,
        "W" * 50,
    ),
    (
        "50,000-character table cell",
        {"article.md": FRONT + "| a | b |\n|---|---|\n| " + "longword " * 5500 + "| x |\n"},
        0,
        "longword",
    ),
    (
        "lists nested 1000 deep",
        {"article.md": FRONT + "".join("  " * i + "- x\n" for i in range(1000))},
        65,
        "nested",
    ),
    ("10 MB body", {"article.md": FRONT + ("word " * 200 + "\n\n") * 10500}, 65, "over 5 MB"),
]


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder / "article.md"


@pytest.mark.parametrize(("case", "files", "code", "shown"), ROWS, ids=[r[0] for r in ROWS])
def test_hostile_row(tmp_path, capsys, case, files, code, shown):
    article = _write(tmp_path / "src" / "art", files)
    out = tmp_path / "out"
    started = time.monotonic()
    assert main(["convert", str(article), "-o", str(out)]) == code, capsys.readouterr().err
    assert time.monotonic() - started < SECONDS, f"over the {SECONDS} s bound"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code:
        errors = [line for line in err.splitlines() if "error:" in line]
        assert len(errors) == 1, err
        assert shown in errors[0]
        assert not out.exists() or not any(out.iterdir()), "nothing is written on error"
        return
    editions = {p.suffix: p.read_bytes() for p in out.iterdir()}
    for suffix, reader in ((".pdf", read_pdf), (".epub", read_epub), (".docx", read_docx)):
        text = " ".join(reader(editions[suffix]).text.split()).replace("\u00ad", "")
        if shown.startswith("!"):  # dropped: never in any edition, in any form
            assert shown[1:] not in text, (suffix, text[:300])
        else:
            assert " ".join(shown.split()) in text, (suffix, text[:300])
    assert not Path("/tmp/pwned").exists()


def test_symlink_out_of_the_allowed_root(tmp_path, capsys):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png(4, 4))
    article = _write(tmp_path / "src" / "art", {"article.md": FRONT + "![x](link.png)\n"})
    (article.parent / "link.png").symlink_to(secret)
    assert main(["convert", str(article), "-o", str(tmp_path / "out")]) == 0  # a placeholder
    assert "'link.png' is outside the article folder's parent" in capsys.readouterr().err
    assert main(["convert", str(article), "-o", str(tmp_path / "strict"), "--strict"]) == 65
    assert "link.png" in capsys.readouterr().err


@pytest.mark.parametrize(
    "body", ['<img src="/etc/passwd"/>', "```{=openxml}\n<w:p/>\n```", "\\input{/etc/passwd}"]
)
def test_raw_markup_is_dropped_with_a_warning_or_refused_with_strict(tmp_path, capsys, body):
    article = _write(
        tmp_path / "src" / "art", {"article.md": FRONT + f"Before.\n\n{body}\n\nAfter.\n"}
    )
    assert main(["convert", str(article), "-o", str(tmp_path / "out"), "--to", "pdf"]) == 0
    assert "dropped 1 passage(s) of raw markup" in capsys.readouterr().err
    strict = ["convert", str(article), "-o", str(tmp_path / "strict"), "--strict"]
    assert main(strict) == 65
    assert "raw markup" in capsys.readouterr().err
    assert not (tmp_path / "strict").exists()


def test_html_comments_vanish_silently(tmp_path, capsys):
    article = _write(
        tmp_path / "src" / "art", {"article.md": FRONT + "Seen <!-- hidden note -->.\n"}
    )
    assert main(["convert", str(article), "-o", str(tmp_path / "out"), "--strict"]) == 0
    text = read_pdf((tmp_path / "out" / "art.pdf").read_bytes()).text
    assert "Seen" in text and "hidden" not in text


# -- small inputs that ask for unbounded work: each one line, in its own process ---------------

BIBLIOGRAPHY = "---\ntitle: T\nauthor: Jane Doe\nbibliography: {name}\n---\n\nSee [@k].\n"
MEMORY_BYTES = 1_000_000_000  # every row: at most this resident in any one process


def _bib_strings(levels: int) -> str:
    """A few hundred bytes of @string concatenation that triple at each level."""
    chain = "".join(f"@string{{a{i} = a{i - 1} # a{i - 1} # a{i - 1}}}\n"
                    for i in range(1, levels))
    return '@string{a0 = "xxxxxxxxxx"}\n' + chain + \
        f"@article{{k, title = a{levels - 1}, author = {{A B}}, year = 2020}}\n"


def _yaml_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    return "---\n" + "\n".join(lines) + "\nreferences:\n- id: k\n  type: book\n  title: *a7\n...\n"


def _nested(depth: int) -> str:
    return "volume: " + "[" * depth + "]" * depth + "\n"


def _csl(title: str, count: int = 1) -> str:
    return json.dumps([{"id": "k" if i == 0 else f"k{i}", "type": "book", "title": title}
                       for i in range(count)])


# (id, files, arguments after the article, exit code, text of the one error line)
BOUNDED = [
    ("bibtex @string chain 476 bytes", {"article.md": BIBLIOGRAPHY.format(name="refs.bib"),
                                        "refs.bib": _bib_strings(24)}, (), 65,
     "@string 'a9' is 196,830 characters long, over the limit of 100,000"),
    ("yaml alias bomb in references.yaml",
     {"article.md": BIBLIOGRAPHY.format(name="references.yaml"),
      "references.yaml": _yaml_bomb()}, (), 65, "alias bomb"),
    ("20 MB title in CSL JSON", {"article.md": BIBLIOGRAPHY.format(name="refs.json"),
                                 "refs.json": _csl("x" * 20_000_000)}, (), 65,
     "refs.json: bibliography is over the limit of 5 MB"),
    ("1 MB title in CSL JSON", {"article.md": BIBLIOGRAPHY.format(name="refs.json"),
                                "refs.json": _csl("x" * 1_000_000)}, (), 65,
     "field 'title' is 1,000,000 characters long, over the limit of 100,000"),
    ("20,001 entries", {"article.md": BIBLIOGRAPHY.format(name="refs.json"),
                        "refs.json": _csl("t", 20_001)}, (), 65,
     "20,001 bibliography entries, over the limit of 10,000"),
    ("CSL JSON nested 100,000 deep", {"article.md": BIBLIOGRAPHY.format(name="refs.json"),
                                      "refs.json": "[" * 100_000 + "]" * 100_000}, (), 65,
     "nested too deep"),
    ("malformed bibliography", {"article.md": BIBLIOGRAPHY.format(name="refs.bib"),
                                "refs.bib": "@article{k, title = {never closed\n"}, (), 65,
     "refs.bib: (line 2, column 1): unexpected end of input"),
    ("100,000 footnotes", {"article.md": FRONT + "".join(f"x^[n{i}] " for i in range(100_000))},
     (), 65, "100,000 footnotes, over the limit of 2,000"),
    ("50,000 keywords", {"article.md": "---\ntitle: T\nkeywords: ["
                         + ", ".join(f"k{i}" for i in range(50_000)) + "]\n---\nx\n"}, (), 65,
     "50,000 keywords, over the limit of 500"),
    ("30000x30000 png, epub", {"article.md": FRONT + "![x](big.png)\n",
                               "big.png": png(30000, 30000)}, ("--to", "epub"), 65,
     "over the limit of 50 megapixels"),
    ("30000x30000 png, docx", {"article.md": FRONT + "![x](big.png)\n",
                               "big.png": png(30000, 30000)}, ("--to", "docx"), 65,
     "over the limit of 50 megapixels"),
    ("lone surrogate in title", {"article.md": '---\ntitle: "a\\ud800b"\n---\nx\n'}, (), 65,
     "title: invalid character U+D800"),
    ("U+FFFE in title", {"article.md": '---\ntitle: "a\\uFFFEb"\n---\nx\n'}, (), 65,
     "title: invalid character U+FFFE"),
    ("journal.yaml 5,000 deep", {"article.md": FRONT, "../journal.yaml": _nested(5000)}, (), 65,
     "nested deeper than 100 levels"),
    ("5,000-character --style", {"article.md": FRONT}, ("--style", "x" * 5000), 2,
     "unknown citation style"),
]


def _run_bounded(article: Path, out: Path, extra: tuple[str, ...]) -> tuple[int, str, float, int]:
    """Exit code, stderr, seconds and the largest resident size (bytes) of `galleys convert`
    in a process of its own, or of a child it waited for (pandoc): wait4's own account."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "galleys", "convert", str(article), "-o", str(out), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    said: list[bytes] = []
    reader = threading.Thread(target=lambda: said.append(process.stderr.read()))
    reader.start()
    killer = threading.Timer(SECONDS + 30, process.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    process.stderr.close()
    return (process.returncode, said[0].decode("utf-8", "replace"), time.monotonic() - started,
            usage.ru_maxrss * 1024)


@pytest.mark.parametrize(("case", "files", "extra", "code", "shown"), BOUNDED,
                         ids=[r[0] for r in BOUNDED])
def test_bounded_row(tmp_path, case, files, extra, code, shown):
    article = _write(tmp_path / "src" / "art", files)
    out = tmp_path / "out"
    returned, err, seconds, resident = _run_bounded(article, out, extra)
    assert returned == code, err
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert resident < MEMORY_BYTES, f"{resident / 1e6:.0f} MB"
    lines = err.splitlines()
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1 and shown in errors[0], err
    assert "Traceback" not in err
    assert not out.exists(), "nothing is written on error"


# -- hostile clients of `galleys serve` ----------------------------------------------------------


def _serving(folder: Path, monkeypatch, idle: float = 1.0):
    from galleys.cli import serve

    monkeypatch.setattr(serve._Handler, "timeout", idle)
    server = serve.make_server(folder, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def test_serve_closes_idle_connections_and_bounds_how_many(tmp_path, monkeypatch):
    import socket

    from galleys.cli import serve

    (tmp_path / "index.html").write_text("<html>hi</html>")
    server, port = _serving(tmp_path, monkeypatch)
    try:
        before = threading.active_count()
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
        time.sleep(0.5)
        assert threading.active_count() - before <= serve.MAX_CONNECTIONS
        time.sleep(1.5)  # past the idle timeout: every idle connection is closed
        assert threading.active_count() - before <= 1
        for sock in idle:  # closed by the server: a read ends at once
            sock.settimeout(5)
            sock.recv(100)
            sock.close()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.0 200")
    finally:
        server.shutdown()
        server.server_close()


def test_serve_says_nothing_when_a_client_goes_away(tmp_path, monkeypatch, capfd):
    import socket

    (tmp_path / "big.pdf").write_bytes(b"%PDF-" + b"x" * 20_000_000)
    server, port = _serving(tmp_path, monkeypatch)
    try:
        for _ in range(5):  # gone mid-download: reset, not a polite close
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /big.pdf HTTP/1.0\r\n\r\n")
            sock.recv(1000)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        time.sleep(1.0)
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err


def test_serve_prints_one_start_line_and_warns_off_loopback(tmp_path):
    (tmp_path / "index.html").write_text("<html>hi</html>")
    for host, warned in (("127.0.0.1", False), ("0.0.0.0", True)):
        process = subprocess.Popen(
            [sys.executable, "-m", "galleys", "serve", str(tmp_path), "--port", "0",
             "--host", host], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stdout is not None
        first = process.stdout.readline()
        time.sleep(0.5)
        process.send_signal(2)  # Ctrl+C
        out, err = process.communicate(timeout=30)
        lines = [first, *out.splitlines()]
        assert sum("Serving" in line for line in lines) == 1, lines
        assert first.startswith(f"Serving {tmp_path} at http://{host}:")
        assert ("reachable from the network" in err) is warned, err


def test_real_bibliographies_are_within_every_cap():
    """The caps refuse bombs, not papers: every bibliography of the corpus and the fixtures
    passes them, and the @string scan measures fields as pandoc's reader would expand them."""
    from conftest import CORPUS, require_corpus

    from galleys.read import limits

    require_corpus()
    found = [p for suffix in ("bib", "json", "yaml", "ris") for p in CORPUS.rglob(f"*.{suffix}")
             if p.name != "SOURCES.tsv" and ("bib" in p.name or "ref" in p.name)]
    found += list((Path(__file__).resolve().parents[1] / "fixtures").rglob("*.bib"))
    assert len(found) >= 5
    for path in found:
        limits.check_bibliography(path)
    scan = limits._BibScan('@string{j = "Journal"}\n@string{jj = j # " of " # j}\n'
                           '@article{k, journal = jj # {, 2}, title = "A {B} c"}\n', Path("x"))
    scan.run()
    assert scan.macros == {"j": 7, "jj": 18} and scan.entries == 1
    assert scan.total == 7 + 18 + 21 + 7  # each field once, macros resolved by length
