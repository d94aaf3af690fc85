"""The citation front matter, formatted once for every edition, and How to Cite."""
