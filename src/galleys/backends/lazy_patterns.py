"""A few library modules imported with their patterns compiled when first used.

reportlab.platypus.paragraph compiles at import a pattern for URLs, case-insensitive over all
of Unicode, which takes Python ~50 ms to compile: 7 % of the CPU of a one-article build.
It serves only to hyphenate URLs, which galleys never asks of reportlab. reportlab's CJK word
splitter and PyYAML's pure-Python reader (galleys reads YAML with libyaml) compile ~7 ms more.
An import hook runs each of these modules with re.compile answering its calls with patterns
compiled on first use; a call from anywhere else, in any thread, is re.compile's own.
"""

from __future__ import annotations

import _thread
import functools
import importlib.machinery
import re
import sys
from types import ModuleType
from typing import Any

MODULES = frozenset({"reportlab.platypus.paragraph", "reportlab.lib.textsplit", "yaml.reader"})
_compile = re.compile
_running = 0  # how many of MODULES are being run (one may import another, threads may race)
_lock = _thread.allocate_lock()


class CompiledOnFirstUse:
    """A pattern compiled when first asked for an attribute (match, split …)."""

    def __init__(self, pattern: Any, flags: int) -> None:
        self._source = (pattern, flags)

    @functools.cached_property
    def compiled(self) -> re.Pattern[Any]:
        return _compile(*self._source)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


def _compile_in_module(pattern: Any, flags: int = 0) -> Any:
    """re.compile while one of MODULES runs: lazy for their own calls, itself for others."""
    if sys._getframe(1).f_globals.get("__name__") in MODULES:
        return CompiledOnFirstUse(pattern, flags)
    return _compile(pattern, flags)


class _Loader:
    """A module's own loader, running it with _compile_in_module as re.compile."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        global _running
        with _lock:
            _running += 1
            re.compile = _compile_in_module  # type: ignore[assignment]
        try:
            self._inner.exec_module(module)
        finally:
            with _lock:
                _running -= 1
                if not _running:
                    re.compile = _compile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Finder:
    """Finds each of MODULES as the path finder does, and gives it _Loader."""

    @staticmethod
    def find_spec(name: str, path: Any, target: Any = None) -> Any:
        if name not in MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Put the hook first on sys.meta_path (once); it acts as each of MODULES is imported."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
