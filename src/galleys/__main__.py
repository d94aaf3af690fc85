"""`python -m galleys`: the same as the `galleys` command."""

from .cli import run

run()
