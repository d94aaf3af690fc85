"""`python -m galleys`: the same as the `galleys` command."""

from .launch import run

run()
