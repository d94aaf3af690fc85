"""The `galleys` command's entry point: a build goes to the resident process when one runs
(resident.py), else the command runs here (cli.py), and a build then leaves one running."""

from __future__ import annotations

import os
import sys

from . import resident

TYPE_CHECKING = False  # not typing's: importing typing costs a build's client ~15 ms
if TYPE_CHECKING:
    from typing import NoReturn


def run() -> NoReturn:
    """The `galleys` command (and `python -m galleys`)."""
    argv = sys.argv[1:]
    resident_wanted = resident.wanted(argv)
    code = None
    if resident_wanted:
        try:
            code = resident.hand_over(argv)
        except KeyboardInterrupt:  # before its handlers were set: as a build here would say
            print("galleys: error: interrupted", file=sys.stderr)
            leave(130)
    if code is None:
        from .cli import main

        code = main(argv)
        if resident_wanted:
            resident.start()
    leave(code)


def leave(code: int) -> NoReturn:
    """Exit with `code` at once.

    By then every file is written and closed and every temporary folder removed, so the
    process leaves at once: tearing down an interpreter holding reportlab, Pillow and lxml
    took ~0.1 s, a tenth of an incremental rebuild. Under a profiler or tracer, or with
    GALLEYS_FAST_EXIT=0, it exits the usual way (atexit handlers and all).
    """
    resident.flush_standard_streams()
    if sys.getprofile() is None and sys.gettrace() is None and (
        os.environ.get("GALLEYS_FAST_EXIT", "1") != "0"
    ):
        os._exit(code)
    sys.exit(code)
