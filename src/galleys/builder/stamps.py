"""Which article folders are unchanged since the last build, known from their files' stat alone.

dist/.galleys-inputs.json maps each article to the stat stamp of its files and the content
digest they had: an unchanged stamp gives the digest without reading the folder (git's index
does the same). Local to the machine (inodes, times), so hidden and never published.
"""

from __future__ import annotations

import json
from pathlib import Path

FILE = ".galleys-inputs.json"


class StampCache:
    """Content digests of article folders by name, valid while their stat stamp is unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        self.entries: dict[str, list[str]] = loaded if isinstance(loaded, dict) else {}
        self.changed = False

    def get(self, name: str, stamp: str | None) -> str | None:
        """The digest recorded for `name` under this very stamp, else None."""
        entry = self.entries.get(name)
        if stamp is None or not isinstance(entry, list) or len(entry) != 2:
            return None
        return entry[1] if entry[0] == stamp else None

    def put(self, name: str, stamp: str | None, digest: str) -> None:
        """Record `digest` under `stamp`; without a stamp, forget what was recorded."""
        entry = [stamp, digest] if stamp else None
        if self.entries.get(name) != entry:
            self.changed = True
            if entry is None:
                self.entries.pop(name, None)
            else:
                self.entries[name] = entry

    def keep_only(self, names: set[str]) -> None:
        """Forget articles that are gone from the source folder."""
        for name in [n for n in self.entries if n not in names]:
            del self.entries[name]
            self.changed = True

    def data(self) -> bytes:
        return json.dumps(self.entries, sort_keys=True).encode("utf-8")
