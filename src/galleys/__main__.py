"""`python -m galleys`: the same as the `galleys` command."""

from galleys.cli.launch import run

run()
