"""The `galleys` command's entry point (and `python -m galleys`): cli.main, then a plain exit."""

from __future__ import annotations

import sys
from typing import NoReturn


def run() -> NoReturn:
    """Run the command line and exit with its code, the usual way (atexit handlers and all)."""
    from galleys.cli.main import main

    sys.exit(main(sys.argv[1:]))
