"""The per-article memory budget where an article renders in the command's own process."""

from __future__ import annotations

import resource
import sys

import pytest

from galleys.builder import budget

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the data size is read from Linux's /proc")


def test_an_article_may_add_its_budget_to_what_the_process_holds(monkeypatch):
    """Inside memory_limit the data may grow by the budget: 50 MB fit in a 200 MB budget, and
    the limit is lifted again afterwards, whatever the process held before."""
    monkeypatch.setenv("GALLEYS_ARTICLE_MEMORY_MB", "200")
    before = resource.getrlimit(resource.RLIMIT_DATA)
    with budget.memory_limit("a.md"):
        soft, _hard = resource.getrlimit(resource.RLIMIT_DATA)
        held = budget._data_bytes()
        assert held is not None and soft - held <= 200 * 1024 * 1024
        block = bytearray(50 * 1024 * 1024)
        del block
    assert resource.getrlimit(resource.RLIMIT_DATA) == before


def test_more_than_the_budget_is_the_articles_one_line_error(monkeypatch):
    monkeypatch.setenv("GALLEYS_ARTICLE_MEMORY_MB", "100")
    before = resource.getrlimit(resource.RLIMIT_DATA)
    with pytest.raises(budget.OverBudget) as caught, budget.memory_limit("paper/a.md"):
        bytearray(400 * 1024 * 1024)
    assert str(caught.value) == ("paper/a.md: needed more than 100 MB, the memory budget of one "
                                 "article (GALLEYS_ARTICLE_MEMORY_MB)")
    assert caught.value.exit_code == 65
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    bytearray(400 * 1024 * 1024)  # the limit is lifted: the same allocation succeeds


def test_a_limit_the_user_set_is_never_loosened(monkeypatch):
    """`ulimit -d` below what the budget would allow stays the limit."""
    monkeypatch.setenv("GALLEYS_ARTICLE_MEMORY_MB", "100000")
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    held = budget._data_bytes()
    assert held is not None
    tight = held + 300 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (tight, hard))
    try:
        with budget.memory_limit("a.md"):
            assert resource.getrlimit(resource.RLIMIT_DATA)[0] == tight
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def test_a_budget_of_zero_sets_no_limit(monkeypatch):
    monkeypatch.setenv("GALLEYS_ARTICLE_MEMORY_MB", "0")
    before = resource.getrlimit(resource.RLIMIT_DATA)
    with budget.memory_limit("a.md"):
        assert resource.getrlimit(resource.RLIMIT_DATA) == before
