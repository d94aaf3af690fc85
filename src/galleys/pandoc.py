"""The one gateway to the pandoc binary: version check, sandbox, safe reader, timeouts, warnings."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from galleys import pandoc_server
from galleys.errors import ToolError

MIN_VERSION = (3, 1, 6)  # older releases have --extract-media path traversal CVEs
BINARY_WRITERS = ("docx", "epub", "odt", "pptx")
SERVER_VERSION = (3, 7)  # pandoc.read's sandbox, which the server needs (it checks too)
DEFAULT_TIMEOUT = 45.0  # seconds, for any single call: within an article's budget (50 s)
# Pandoc Markdown without the extensions that pass markup straight into an edition.
MARKDOWN_READER = "markdown-raw_html-raw_tex-raw_attribute-native_divs-native_spans"

_WARNING = re.compile(r"^\[WARNING\]\s*(.*)$")


@functools.cache
def binary() -> Path:
    """The pandoc bundled with pypandoc-binary (found without importing pypandoc), else PATH."""
    override = os.environ.get("GALLEYS_PANDOC")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("pypandoc")
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / "files" / "pandoc"
            if candidate.is_file():
                return candidate
    found = shutil.which("pandoc")
    if not found:
        raise ToolError("pandoc not found: install pypandoc-binary")
    return Path(found)


@functools.cache
def version() -> tuple[int, ...]:
    """The pandoc version as a tuple; refuses one older than MIN_VERSION."""
    out = _run_raw([str(binary()), "--version"], b"", 30.0).stdout.decode()
    match = re.match(r"pandoc(?:\.exe)? ([\d.]+)", out)
    if not match:
        raise ToolError(f"cannot read the pandoc version from {out[:60]!r}")
    found = tuple(int(p) for p in match.group(1).split("."))
    if found < MIN_VERSION:
        wanted = ".".join(map(str, MIN_VERSION))
        raise ToolError(f"pandoc {match.group(1)} is too old: galleys needs {wanted} or newer")
    return found


def version_string() -> str:
    return ".".join(map(str, version()))


class Result:
    """What a pandoc call produced: output bytes and the warnings it printed."""

    def __init__(self, output: bytes, warnings: list[str]) -> None:
        self.output = output
        self.warnings = warnings

    def json(self) -> Any:
        return json.loads(self.output)


def run(
    args: Sequence[str],
    stdin: bytes = b"",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    env: dict[str, str] | None = None,
) -> Result:
    """Run pandoc sandboxed with `args`; raise ToolError on failure, return output and warnings."""
    version()
    command = pandoc_server.command(binary(), ["--sandbox", *args])
    completed = _run_raw(command, stdin, timeout, env)
    warnings = []
    for line in completed.stderr.decode("utf-8", "replace").splitlines():
        match = _WARNING.match(line)
        if match:
            warnings.append(match.group(1))
        elif line.strip() and warnings:
            warnings[-1] += " " + line.strip()  # pandoc wraps long warnings
    if completed.returncode != 0:
        said = [line for line in completed.stderr.decode("utf-8", "replace").splitlines()
                if not _WARNING.match(line)]
        raise pandoc_server.failure("\n".join(said) or f"exit status {completed.returncode}")
    return Result(completed.stdout, warnings)


def convert(
    data: bytes,
    reader: str,
    writer: str,
    *,
    citeproc: bool = False,
    bibliography: Path | None = None,
    csl: Path | None = None,
    reference_doc: Path | None = None,
    standalone: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Result:
    """`data` read as `reader`, citations processed if asked, written as `writer`.

    The same conversion as `pandoc --sandbox -f reader -t writer [--citeproc …]` (`standalone`:
    `--standalone`, the writer's default template: JATS's back matter is only there), done by this
    process's long-lived pandoc server (see pandoc_server), else by a pandoc process of its own.
    """
    if _served():
        request = {
            "from": reader,
            "to": writer,
            "citeproc": citeproc,
            "bibliography": str(bibliography) if bibliography else None,
            "csl": str(csl) if csl else None,
            "reference_doc": str(reference_doc) if reference_doc else None,
            "standalone": standalone,
        }
        served = pandoc_server.convert(binary(), request, data, timeout)
        if served is not None:
            output, warnings = served
            if writer not in BINARY_WRITERS:
                output += b"\n"  # as the CLI ends a text output
            return Result(output, warnings)
    args = ["-f", reader, "-t", writer, *(["--citeproc"] if citeproc else []),
            *(["--standalone"] if standalone else [])]
    for option, path in (("--bibliography", bibliography), ("--csl", csl),
                         ("--reference-doc", reference_doc)):
        if path:
            args += [option, str(path)]
    env = {"SOURCE_DATE_EPOCH": pandoc_server.FIXED_EPOCH}
    return run([*args, "-o", "-"], data, timeout=timeout, env=env)


def prestart() -> None:
    """Start this process's first pandoc server now (when convert() would use one)."""
    if _served():
        pandoc_server.prestart(binary())


def _served() -> bool:
    """Whether convert() goes to a pandoc server (not turned off, and a new enough pandoc)."""
    return pandoc_server.enabled() and version() >= SERVER_VERSION


def _run_raw(
    command: list[str], stdin: bytes, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        return subprocess.run(
            command, input=stdin, capture_output=True, timeout=timeout, env=full_env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"pandoc did not finish within {timeout:.0f} s") from exc
    except OSError as exc:
        raise ToolError(f"cannot run pandoc at {binary()}: {exc.strerror}") from exc
