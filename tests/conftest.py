"""Shared fixtures: paths to test articles, and external-program checks that fail in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TORTURE = FIXTURES / "torture" / "article.md"
# Real published article sources (JOSS papers, Quarto templates), laid beside the repository.
CORPUS = ROOT.parent / "shared" / "corpus"

# .ci/run sets this: a test that needs a program turns its skip into a failure.
REQUIRE_EXTERNAL = os.environ.get("GALLEYS_REQUIRE_EXTERNAL") == "1"


def require_program(*names: str) -> str:
    """The path of the first program found; else skip (or fail under GALLEYS_REQUIRE_EXTERNAL)."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"needs {' or '.join(names)}, which is not installed"
    if REQUIRE_EXTERNAL:
        pytest.fail(message + " (GALLEYS_REQUIRE_EXTERNAL=1: .ci/run should have installed it)")
    pytest.skip(message)


def require_module(name: str):
    """Import a Python module the test needs; skip (or fail in CI) without it."""
    try:
        return __import__(name)
    except ImportError:
        message = f"needs the Python module {name}"
        if REQUIRE_EXTERNAL:
            pytest.fail(message)
        pytest.skip(message)


SEED = "malik-2014-pakistan-japan-relations"  # the article committed in source/ from the start


def copy_seed(source: Path) -> Path:
    """`source` holding the seed article and journal.yaml alone: a test that builds the
    committed source stays the same whatever other articles source/ gains."""
    source.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "source" / "journal.yaml", source / "journal.yaml")
    shutil.copytree(ROOT / "source" / SEED, source / SEED)
    return source


@pytest.fixture
def torture_path() -> Path:
    return TORTURE


def corpus_papers() -> list[Path]:
    """Every article file of the corpus (JOSS paper.md, Quarto template.qmd), sorted."""
    if not CORPUS.is_dir():
        return []
    return sorted([*CORPUS.glob("joss/*/**/paper.md"), *CORPUS.glob("quarto/*/template.qmd")])


def require_corpus() -> Path:
    """The corpus folder; skip (or fail in CI) where it is not beside the repository."""
    if not CORPUS.is_dir():
        message = f"needs the article corpus at {CORPUS}"
        if REQUIRE_EXTERNAL:
            pytest.fail(message)
        pytest.skip(message)
    return CORPUS
