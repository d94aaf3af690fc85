"""`galleys build --watch` on a journal: the time from a save of one article to its rebuild.

    .venv/bin/python bench/watch.py [--articles 100] [--repeat 7]

galleys runs as `python -m galleys` (this interpreter) with PYTHONPATH naming this tree's src/,
so a worktree measures its own code with the venv's dependencies.

A journal of `--articles` generated articles (bench/journal.py's generator: the same every run)
is built once with `--watch` running; then one article's file is saved (a word appended),
`--repeat` times, each time a different article, and the time from the save to the end of the
watch's rebuild is taken: its summary line ("1 built, 99 skipped …", printed once the journal
index, the manifest and the caches are written). Baseline, in the same run: a plain
`galleys build` of the same journal after a save of each of the same articles (a new process
that plans, skips 99 articles and rebuilds one), so the ratio shows what the watch saves; and
a second watch, with -j 1 (no helper process), of a copy of the journal, saved in turn with the
first, so the two watches meet the same load. Medians.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from journal import make_journal  # noqa: E402  (the bench's own generator)

ROOT = Path(__file__).resolve().parent.parent
GALLEYS = [sys.executable, "-m", "galleys"]  # the tree measured: ENV's PYTHONPATH
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
SUMMARY = re.compile(r"^(\d+) built, (\d+) skipped, (\d+) failed")  # the end of a build
WATCHING = "watching "


class Watch:
    """A `galleys build --watch` process and the lines it prints, read in a thread."""

    def __init__(self, source: Path, dist: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [*GALLEYS, "build", str(source), "-o", str(dist), "--watch", *options],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=source.parent,
            env={**ENV, "PYTHONUNBUFFERED": "1"},  # each line as it is printed
        )
        self.lines: list[tuple[float, str]] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append((time.perf_counter(), line.rstrip("\n")))
                self.changed.notify_all()

    def wait_for(self, wanted, after: int, timeout: float) -> tuple[float, str]:
        """The first line from index `after` on that `wanted(line)` accepts: (time, line)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for stamp, line in self.lines[after:]:
                    if wanted(line):
                        return stamp, line
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise SystemExit(f"watch gave no {wanted.__name__} line: {self.lines[-5:]}")
                self.changed.wait(left)

    def stop(self) -> int:
        self.process.send_signal(2)  # Ctrl+C: the watch ends cleanly with 130
        return self.process.wait(timeout=30)


def rebuild(watch: Watch, article: Path, round_: int) -> float:
    """Seconds from a save of `article` to the end of the watch's rebuild of it alone."""
    seen = len(watch.lines)
    saved = time.perf_counter()
    save(article, round_)
    done, _ = watch.wait_for(summary, seen, timeout=120)
    built = [text for _, text in watch.lines[seen:] if "] built " in text]
    assert len(built) == 1, watch.lines[seen:]
    return done - saved


def save(article: Path, round_: int) -> None:
    with open(article, "a", encoding="utf-8") as handle:
        handle.write(f"\nA word saved in round {round_}.\n")


def summary(line: str) -> bool:
    """The end of a build: its summary line (stdout, after every file is written)."""
    return SUMMARY.match(line) is not None


def watching(line: str) -> bool:
    return line.startswith(WATCHING)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="galleys-bench-watch-") as work:
        root = Path(work)
        source = make_journal(root, args.articles, long_words=600)
        dist = root / "dist"
        articles = sorted(source.glob("*/article.md"))
        started = time.perf_counter()
        watch = Watch(source, dist)
        first, line = watch.wait_for(watching, 0, timeout=3600)
        print(f"first build of {args.articles} articles with --watch: {first - started:.1f} s",
              flush=True)
        # the same journal and dist/ again, watched with -j 1: no helper process (the same
        # build otherwise, a lone article being rendered in the watch's own process either way)
        alone = root / "alone"
        shutil.copytree(source, alone / "source")
        shutil.copytree(dist, alone / "dist")
        single = Watch(alone / "source", alone / "dist", "-j", "1")
        single.wait_for(watching, 0, timeout=3600)
        alone_articles = sorted((alone / "source").glob("*/article.md"))
        rebuilds: list[float] = []
        singles: list[float] = []
        for round_ in range(args.repeat):  # the two watches in turn: the machine's drift alike
            pairs = [(watch, articles, rebuilds), (single, alone_articles, singles)]
            for each, files, into in pairs if round_ % 2 == 0 else pairs[::-1]:
                time.sleep(0.5)  # the watch is idle again
                into.append(rebuild(each, files[round_ % len(files)], round_))
        code = watch.stop()
        assert code == 130, f"the watch ended with {code}, not 130"
        assert single.stop() == 130
        plain: list[float] = []
        for round_ in range(args.repeat):
            save(articles[round_ % len(articles)], round_ + args.repeat)  # the same articles
            begun = time.perf_counter()
            subprocess.run([*GALLEYS, "build", str(source), "-o", str(dist), "-q"],
                           check=True, cwd=root, env=ENV)
            plain.append(time.perf_counter() - begun)
    watch_median, plain_median = statistics.median(rebuilds), statistics.median(plain)
    print(f"tree measured: {ROOT}; load average (1 min) at the start {load_before:.2f}, "
          f"at the end {os.getloadavg()[0]:.2f}")
    print(f"one-article rebuild, --watch:       median {watch_median:.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in rebuilds)})")
    print(f"one-article rebuild, --watch -j 1:  median {statistics.median(singles):.3f} s "
          f"(no helper process; runs: {', '.join(f'{t:.3f}' for t in singles)})")
    print(f"one-article rebuild, galleys build: median {plain_median:.3f} s (baseline)")
    print(f"ratio watch / plain build: {watch_median / plain_median:.3f}; "
          f"target <= 0.5 s: {'met' if watch_median <= 0.5 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
