"""No false alarms: `galleys check` passes on every real paper of the corpus once it converts.

Each paper is converted from its own folder as its authors would run it, then checked slot by
slot and body against source (the felupe paper's justified keywords line, the acm paper's
display formulas, twenty-author papers …).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_papers

from galleys.check.parity import check_article
from galleys.check.report import format_report

GALLEYS = Path(sys.executable).with_name("galleys")
PAPERS = corpus_papers()


@pytest.mark.parametrize("paper", PAPERS, ids=[p.relative_to(CORPUS).parts[1] for p in PAPERS])
def test_check_passes_on_the_corpus_paper(paper, tmp_path, monkeypatch):
    out = tmp_path / "out"
    done = subprocess.run(
        [str(GALLEYS), "convert", paper.name, "-o", str(out), "-q"], cwd=paper.parent,
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    assert done.returncode == 0, done.stderr
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # `date: today`: the build's day
    report = check_article(out, paper, validate=False)
    assert report.ok, format_report(report)
    assert {"pdf", "epub", "docx", "landing"} <= set(report.editions)
    assert report.cell("body", "pdf").status == "ok"
