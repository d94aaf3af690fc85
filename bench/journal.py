"""Benchmark: a deterministic synthetic journal built by galleys, against pandoc alone.

    .venv/bin/python bench/journal.py [--articles 200] [--repeat 3] [--words 20000]
    .venv/bin/python bench/journal.py --baseline-rev 61e379f   # before and after, one run
    .venv/bin/python bench/journal.py --baseline-rev 61e379f --to pdf,epub,docx  # like for like

Prints medians of repeated runs and the ratios the README quotes. Every number is measured in
this run, the baseline included: pandoc's own CLI making DOCX, EPUB and HTML of each article,
one article after the other, its citations processed as galleys processes them (the folder's
references.bib). A journal of math-heavy articles (72 inline and 12 display formulas each:
matrices, cases, aligned equations, bold vectors, blackboard and calligraphic letters) is
timed against one pandoc md->docx of each (pandoc makes OMML of the same formulas). The
builds and the baselines are timed in rounds, each running every one of them once, so the
machine's drift reaches both sides of a ratio alike. The run starts with galleys' caches empty
(How-to-Cite lines in the fresh dist/); the repeated builds then use them, as a journal's own
rebuilds do.

With --baseline-rev, the same measures are also taken of that commit, checked out in a git
worktree in the temporary folder and run with this venv's dependencies (PYTHONPATH=its src),
in the same rounds, so "before" and "after" share the machine's state. galleys runs as
`python -m galleys` with PYTHONPATH naming the tree measured, for both.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GALLEYS = [str(BIN / "python"), "-m", "galleys"]  # the tree measured: PYTHONPATH (Tree.env)
_TEXT = (
    "journal article regional cooperation security economic development policy analysis "
    "trade relations diplomacy partnership investment growth history culture nuclear "
    "water border dispute agreement summit ministry peace prospects region"
)
WORDS = _TEXT.split()
SURNAMES = [
    "Malik",
    "Tanaka",
    "Khan",
    "Sato",
    "Ahmed",
    "Suzuki",
    "Iqbal",
    "Watanabe",
    "Shah",
    "Kobayashi",
    "Hussain",
    "Yamamoto",
    "Raza",
    "Nakamura",
    "Butt",
    "Ito",
]
GIVEN = ["Salma", "Hiro", "Ayesha", "Kenji", "Omar", "Yuki", "Sara", "Taro", "Ali", "Mei"]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, total = [], 0
    while total < words:
        n = rng.randint(8, 24)
        out.append(sentence(rng, n))
        total += n
    return " ".join(out)


def article(rng: random.Random, index: int, words: int, figure: Path) -> dict[str, bytes]:
    """The files of one synthetic article: varied length, lists, tables, notes, citations."""
    volume, issue = 1 + (index // 40) % 50, 1 + (index // 10) % 4
    authors = "\n".join(
        f"  - name: {rng.choice(GIVEN)} {rng.choice(SURNAMES)}\n    affiliation: University "
        f"{rng.randint(1, 9)}"
        for _ in range(rng.randint(1, 4))
    )
    front = (
        f'---\ntitle: "{sentence(rng, rng.randint(5, 12))[:-1]}"\nauthor:\n{authors}\n'
        f"date: {2010 + volume}-{1 + issue * 2:02d}-{1 + index % 27:02d}\n"
        f"journal: {{volume: {volume}, issue: {issue}, "
        f'pages: "{index * 10 + 1}-{index * 10 + 9}"}}\n'
        f'doi: 10.5555/bench.{index}\nabstract: "{paragraph(rng, 60)}"\n'
        f"keywords: [{', '.join(rng.sample(WORDS, 4))}]\n---\n\n"
    )
    body, written, section = [], 0, 0
    bib = index % 3 == 0
    while written < words:
        if written % 1500 < 200:
            section += 1
            body.append(f"# Section {section}\n")
        n = rng.randint(60, 180)
        text = paragraph(rng, n)
        if bib and rng.random() < 0.3:
            text += f" [@ref{rng.randint(1, 5)}]"
        if rng.random() < 0.1:
            text += f"[^n{written}]\n\n[^n{written}]: {sentence(rng, 12)}"
        body.append(text + "\n")
        written += n
        roll = rng.random()
        if roll < 0.08:
            body.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(4)) + "\n")
        elif roll < 0.12:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} |" for _ in range(5))
            body.append(f"| Item | Value |\n|---|---:|\n{rows}\n\n: A table\n")
        elif roll < 0.13 and figure:
            body.append("![A figure.](figures/figure.png)\n")
    files = {"article.md": (front + "\n".join(body)).encode()}
    if bib:
        entries = "\n".join(
            f"@article{{ref{i}, author = {{{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}}}, "
            f"title = {{{sentence(rng, 6)[:-1]}}}, journal = {{Review}}, year = {{{2000 + i}}}}}"
            for i in range(1, 6)
        )
        files["references.bib"] = entries.encode()
    if b"figures/figure.png" in files["article.md"]:
        files["figures/figure.png"] = figure.read_bytes()
    return files


# Formulas as papers write them: bold vectors, blackboard and calligraphic letters, scripts,
# fractions, roots, sums, integrals, matrices, cases, aligned equations. {a} {b} {i} vary.
MATH_INLINE = [
    r"\mathbf{{{a}}}(\mathbf{{x}}, t) \in \mathbb{{R}}^{{m\times n}}", r"{a}_{{{i}}}^2",
    r"\alpha_{{{i}}} + \beta", r"\frac{{{a}}}{{{b}}}", r"O(n \log n)", r"\mathcal{{L}}({a})",
    r"\sqrt{{{a}^2 + {b}^2}}", r"\sum_{{{i}=1}}^{{n}} {a}_{{{i}}}", r"{a} \le {b}",
    r"\|\mathbf{{{a}}}\|_2", r"\hat{{\theta}}_{{{i}}}", r"e^{{-{a}}}", r"{a} \to \infty",
    r"\nabla f({a})", r"p({a} \mid {b})", r"\mathbb{{E}}[{a}]",
    r"\boldsymbol{{\mu}} \in \mathbb{{R}}^{{d}}", r"\mathcal{{N}}(\boldsymbol{{\mu}}, \Sigma)",
    r"\mathbf{{W}} \in \mathbb{{R}}^{{m\times n}}",
]
MATH_DISPLAY = [
    r"\int_0^\infty e^{{-{a}^2}}\,d{a} = \frac{{\sqrt{{\pi}}}}{{2}}",
    r"\mathbf{{{a}}} = \begin{{pmatrix}} {a}_{{11}} & {a}_{{12}} \\ {a}_{{21}} & {a}_{{22}} "
    r"\end{{pmatrix}}",
    r"\mathcal{{L}}(\theta) = \sum_{{{i}=1}}^{{N}} \log p({a}_{{{i}}} \mid \theta)",
    r"f({a}) = \begin{{cases}} 1 & {a} > 0 \\ 0 & \text{{otherwise}} \end{{cases}}",
    r"\frac{{\partial {a}}}{{\partial t}} = D \nabla^2 {a} + \frac{{{b}}}{{1 + {b}^2}}",
    r"\prod_{{{i}=1}}^{{n}} \left(1 + \frac{{{a}_{{{i}}}}}{{n}}\right) \le e^{{{b}}}",
    r"\begin{{aligned}} {a}(t) &= \int_0^t \mathbf{{K}}(s)\,ds \\ &\le \|\mathbf{{K}}\|_\infty t "
    r"\end{{aligned}}",
    r"\mathbf{{A}}^\top \mathbf{{A}} = \begin{{bmatrix}} 1 & {a} \\ {a} & 1 \end{{bmatrix}} "
    r"\in \mathbb{{R}}^{{2 \times 2}}",
]


def math_article(rng: random.Random, index: int) -> dict[str, bytes]:
    """A math-heavy article: 72 inline and 12 display formulas in 24 paragraphs."""
    letters = "abcdfghkmnpqrsuvwxyz"

    def fill(template: str) -> str:
        return template.format(a=rng.choice(letters), b=rng.choice(letters),
                               i=rng.choice("ijkl"))

    front = (f'---\ntitle: "{sentence(rng, 7)[:-1]}"\nauthor: {rng.choice(GIVEN)} '
             f"{rng.choice(SURNAMES)}\ndate: 2024-01-{1 + index % 27:02d}\n"
             f'doi: 10.5555/bench.math.{index}\nabstract: "{paragraph(rng, 50)}"\n---\n\n')
    body = []
    for number in range(24):
        if number % 8 == 0:
            body.append(f"# Section {number // 8 + 1}\n")
        words = paragraph(rng, 70).split(" ")
        for k in range(1, 4):  # three inline formulas in a paragraph
            words.insert(k * len(words) // 4, f"${fill(rng.choice(MATH_INLINE))}$")
        body.append(" ".join(words) + "\n")
        if number % 2 == 1:
            body.append(f"$${fill(rng.choice(MATH_DISPLAY))}$$\n")
    return {"article.md": (front + "\n".join(body)).encode()}


def make_math_journal(root: Path, count: int) -> Path:
    """source-math/ with `count` math-heavy articles (seeded)."""
    rng = random.Random(20261203)
    source = root / "source-math"
    for index in range(count):
        write(source / f"m{index:03d}", math_article(rng, index))
    (source / "journal.yaml").write_text("journal:\n  title: Journal of Formulas\n")
    return source


def make_journal(root: Path, count: int, long_words: int) -> Path:
    """source/ with `count` articles (seeded: the same every run) and one long article."""
    rng = random.Random(20261129)
    source = root / "source"
    figure = ROOT / "tests" / "fixtures" / "torture" / "figures" / "gradient.png"
    for index in range(count):
        words = rng.choice([600, 1500, 3000, 5000, 8000])
        write(source / f"a{index:05d}", article(rng, index, words, figure))
    write(root / "long" / "long-article", article(rng, 99999, long_words, figure))
    (source / "journal.yaml").write_text("journal:\n  title: Journal of Benchmarks\n")
    return source


def write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


@dataclass(frozen=True)
class Tree:
    """A galleys source tree measured: this checkout, or --baseline-rev's worktree."""

    name: str  # "" for this checkout, else the revision
    src: Path

    def env(self, base: dict[str, str]) -> dict[str, str]:
        return {**base, "PYTHONPATH": str(self.src)}


def baseline_tree(rev: str, work: Path) -> Tree:
    """`rev` checked out (detached) in a worktree under `work`, its bytecode compiled."""
    folder = work / f"baseline-{rev}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(folder), rev],
                   check=True)
    compile_tree(folder / "src" / "galleys")
    return Tree(rev, folder / "src")


def remove_worktree(tree: Tree) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree.src.parent)],
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def compile_tree(package: Path) -> None:
    """galleys as a normal install has it: compiled (an editable install compiles nothing, and
    with PYTHONDONTWRITEBYTECODE set every process would compile the package again)."""
    subprocess.run([str(BIN / "python"), "-m", "compileall", "-q", str(package)], check=True)


class Failed(Exception):
    """A command of the run failed: the bench stops, unless it was a baseline's build."""


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None,
          peak: list[int] | None = None) -> float:
    """Seconds `command` took; a galleys command's peak RSS (its own and that of the processes
    it waited for, from wait4) goes to `peak` (pandoc's own runs, the baselines, have none)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors,
                                   env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            errors.seek(0)
            text = errors.read().decode("utf-8", "replace")[-2000:]
            raise Failed(f"{' '.join(command)} failed ({process.returncode}):\n{text}")
    if peak is not None:
        peak[0] = max(peak[0], usage.ru_maxrss)
    return elapsed


def median_of(repeat: int, run) -> float:
    return statistics.median(run() for _ in range(repeat))


def pandoc_binary() -> str:
    out = subprocess.run(
        [str(BIN / "python"), "-c", "from galleys import pandoc; print(pandoc.binary())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _words(article: Path) -> str:
    return f"{article.parent.name} ({len(article.read_text().split())} words)"


def citing(article: Path) -> list[str]:
    """pandoc's options to process the article's citations as galleys does: its folder's
    references.bib (galleys finds it by name; pandoc must be told)."""
    if (article.parent / "references.bib").exists():
        return ["--citeproc", "--bibliography", "references.bib"]
    return []


def pandoc_run(binary: str, args: list[str], cwd: Path) -> None:
    subprocess.run([binary, *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--words", type=int, default=20000, help="length of the long article")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--math-articles", type=int, default=8,
                        help="math-heavy articles (72 inline, 12 display formulas each)")
    parser.add_argument("--math-only", action="store_true",
                        help="time only the math-heavy articles against pandoc md->docx")
    parser.add_argument("--to", metavar="FORMATS",
                        help="build only these formats (galleys' --to), on every tree measured: "
                        "pdf,epub,docx compares like with like with a tree that made only those")
    parser.add_argument("--baseline-rev", metavar="REV",
                        help="also measure this commit (a git worktree), in the same rounds")
    args = parser.parse_args()
    pandoc = pandoc_binary()
    compile_tree(ROOT / "src" / "galleys")
    work = Path(tempfile.mkdtemp(prefix="galleys-bench-"))
    trees = [Tree("", ROOT / "src")]
    try:
        if args.baseline_rev:
            trees.append(baseline_tree(args.baseline_rev, work))
        measured = _measure(args, pandoc, work, trees)
    except Failed as failure:
        sys.exit(f"bench: {failure}")
    finally:
        for tree in trees[1:]:
            remove_worktree(tree)
        shutil.rmtree(work, ignore_errors=True)
    report = _report(args, measured, trees)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def _measure(args: argparse.Namespace, pandoc: str, work: Path, trees: list[Tree]
             ) -> dict[str, dict[str, float]]:
    """Medians of every measure: the pandoc baselines (key PANDOC), then one key per tree
    (this checkout's is "")."""
    math_source = make_math_journal(work, args.math_articles)
    math_articles = sorted(math_source.glob("*/article.md"))
    base_env = dict(os.environ)
    peaks = {tree.name: [0] for tree in trees}

    def galleys(tree: Tree, *command: str) -> float:
        """Seconds the command took; a baseline's failure is reported and measured as NaN
        (an older galleys may not build what this one does: `aligned` crashed 61e379f)."""
        if args.to and command[0] in ("build", "convert"):
            command = (*command, "--to", args.to)
        try:
            return timed([*GALLEYS, *command], work, tree.env(base_env), peaks[tree.name])
        except Failed as failure:
            if not tree.name:
                raise
            FAILURES.setdefault(f"{tree.name}: {failure}".splitlines()[0],
                                str(failure).splitlines()[-1])
            return math.nan

    def dist(tree: Tree, what: str) -> str:
        return str(work / f"{what}-{tree.name or 'current'}")

    def math_build(tree: Tree) -> float:
        return galleys(tree, "build", str(math_source), "-o", dist(tree, "dist-math"), "--force",
                       "-q", "--jobs", "1")

    def math_docx() -> float:
        """One pandoc md->docx per math article (pandoc makes OMML of the same formulas)."""
        start = time.perf_counter()
        for path in math_articles:
            pandoc_run(pandoc, [path.name, "-o", "/tmp/galleys-bench.docx"], path.parent)
        return time.perf_counter() - start

    rounds: dict[str, dict[str, list[float]]] = {PANDOC: {}, **{t.name: {} for t in trees}}

    def record(side: str, key: str, seconds: float) -> None:
        rounds[side].setdefault(key, []).append(seconds)

    if args.math_only:
        for number in range(args.repeat):  # in rounds, as below
            for tree in trees if number % 2 == 0 else trees[::-1]:
                record(tree.name, "math_jobs1", math_build(tree))
            record(PANDOC, "math_pandoc_docx", math_docx())
        return _medians(rounds, peaks)

    source = make_journal(work, args.articles, args.words)
    seed = ROOT / "source" / "malik-2014-pakistan-japan-relations" / "article.md"
    long_article = work / "long" / "long-article" / "article.md"
    articles = sorted(source.glob("*/article.md"))
    # the article an incremental rebuild follows a change to: of median length (the same
    # on every machine, unlike the first a folder listing gives), and the longest
    by_length = sorted(articles, key=lambda path: (path.stat().st_size, path.name))
    typical, longest = by_length[len(by_length) // 2], by_length[-1]
    CHANGED.append(f"{_words(typical)} (median length), {_words(longest)} (longest)")

    def full(tree: Tree, jobs: int) -> float:
        return galleys(tree, "build", str(source), "-o", dist(tree, "dist"), "--force", "-q",
                       "--jobs", str(jobs))

    def incremental(tree: Tree, target: Path) -> float:
        """A build after a one-sentence change to `target` (since this tree's last build)."""
        target.write_text(target.read_text() + "\nOne more sentence.\n")
        return galleys(tree, "build", str(source), "-o", dist(tree, "dist"), "-q", "--jobs", "2")

    def pandoc_alone() -> float:
        start = time.perf_counter()
        for path in articles:
            for ext in ("docx", "epub", "html"):
                output = f"/tmp/galleys-bench.{ext}"
                pandoc_run(pandoc, [path.name, "-o", output, "--standalone", *citing(path)],
                           path.parent)
        return time.perf_counter() - start

    def docx_calls(cite: bool) -> float:
        """One pandoc md->docx per article; with `cite`, the article's bibliography
        processed as ours is (else "[@key]" stays and no reference list is made)."""
        start = time.perf_counter()
        for path in articles:
            extra = citing(path) if cite else []
            pandoc_run(pandoc, [path.name, "-o", "/tmp/galleys-bench.docx", *extra],
                       path.parent)
        return time.perf_counter() - start

    # Rounds, each measuring every build and its baseline one after the other: the
    # machine's speed drifts by minutes, and a ratio should compare like with like.
    for number in range(args.repeat):
        for tree in trees if number % 2 == 0 else trees[::-1]:  # each goes first in turn
            for _ in range(3):
                record(tree.name, "help", galleys(tree, "--help"))
            record(tree.name, "seed", galleys(tree, "convert", str(seed), "-o",
                                              dist(tree, "out-seed"), "-q"))
            record(tree.name, "long", galleys(tree, "convert", str(long_article), "-o",
                                              dist(tree, "out-long"), "-q"))
            record(tree.name, "full_jobs1", full(tree, 1))
            record(tree.name, "full_jobs2", full(tree, 2))
            record(tree.name, "incremental", incremental(tree, typical))
            record(tree.name, "incremental_longest", incremental(tree, longest))
            record(tree.name, "math_jobs1", math_build(tree))
        for _ in range(3):
            record(PANDOC, "seed_pandoc_docx", timed([pandoc, str(seed), "-o",
                                                  str(work / "seed.docx")], work))
        record(PANDOC, "pandoc_alone", pandoc_alone())
        record(PANDOC, "pandoc_docx_all", docx_calls(True))
        record(PANDOC, "pandoc_docx_uncited_all", docx_calls(False))
        record(PANDOC, "math_pandoc_docx", math_docx())
    return _medians(rounds, peaks)


PANDOC = "(pandoc)"  # the key of the baselines' measures (a tree's is its revision or "")
CHANGED: list[str] = []  # the articles the incremental rebuilds change (for the report)
FAILURES: dict[str, str] = {}  # a baseline's failed commands: their last line of output


def _medians(rounds: dict[str, dict[str, list[float]]], peaks: dict[str, list[int]]
             ) -> dict[str, dict[str, float]]:
    out = {side: {key: statistics.median(times) for key, times in measures.items()}
           for side, measures in rounds.items()}
    for side, peak in peaks.items():
        out[side]["peak_rss_mb"] = peak[0] / 1024
    return out


def _ratios(args: argparse.Namespace, pandoc: dict[str, float], ours: dict[str, float]
            ) -> dict[str, float]:
    """The ratios the README quotes, for one tree against the pandoc baselines."""
    ratios = {"math-heavy per article jobs=1 / pandoc md->docx (target <= 2)":
              ours["math_jobs1"] / pandoc["math_pandoc_docx"]}
    if args.math_only:
        return ratios
    n = args.articles
    per_article = ours["full_jobs1"] / n
    return {
        "full build jobs=2 / pandoc alone (target <= 0.75)": ours["full_jobs2"]
        / pandoc["pandoc_alone"],
        "per article jobs=1 / one pandoc md->docx (target <= 1.5)": per_article
        / (pandoc["pandoc_docx_all"] / n),
        "per article jobs=1 / pandoc md->docx, citations not processed": per_article
        / (pandoc["pandoc_docx_uncited_all"] / n),
        **ratios,
        "incremental / full build jobs=2 (target <= 0.03)": ours["incremental"]
        / ours["full_jobs2"],
        "  the same after a change to the longest article": ours["incremental_longest"]
        / ours["full_jobs2"],
        "jobs=2 speed-up over jobs=1": ours["full_jobs1"] / ours["full_jobs2"],
        "seed, all editions / pandoc md->docx": ours["seed"] / pandoc["seed_pandoc_docx"],
    }


def _report(args: argparse.Namespace, measured: dict[str, dict[str, float]], trees: list[Tree]
            ) -> dict[str, object]:
    pandoc = measured[PANDOC]
    load = os.getloadavg()
    what = ("math-heavy journal only" if args.math_only else
            f"synthetic journal: {args.articles} articles + one of {args.words} words")
    if args.to:
        what += f"; galleys builds {args.to} only"
    print(f"{what}; {args.math_articles} math-heavy articles; medians of {args.repeat} rounds; "
          f"{os.cpu_count()} cores; load average at the end {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}")
    if CHANGED:
        print(f"incremental rebuilds after a change to {CHANGED[0]}")
    print("pandoc:")
    for key, value in pandoc.items():
        if not key.endswith("_mb"):
            print(f"  {key:24} {value:9.3f} s")
    report: dict[str, object] = {"pandoc": pandoc, "load_average": load}
    all_ratios = {}
    for tree in trees:
        ours = measured[tree.name]
        ratios = all_ratios[tree.name] = _ratios(args, pandoc, ours)
        label = f"baseline {tree.name}" if tree.name else "this checkout"
        print(f"galleys, {label} ({tree.src}):")
        for key, value in ours.items():
            print(f"  {key:24} {value:9.3f} {'MB' if key.endswith('_mb') else 's'}")
        count = args.math_articles
        print(f"  {'math-heavy article':24} {ours['math_jobs1'] / count * 1000:9.1f} ms "
              f"(pandoc md->docx {pandoc['math_pandoc_docx'] / count * 1000:.1f} ms)")
        if not args.math_only:
            print(f"  {'per article jobs=1':24} {ours['full_jobs1'] / args.articles * 1000:9.1f}"
                  f" ms (pandoc md->docx {pandoc['pandoc_docx_all'] / args.articles * 1000:.1f}"
                  f" ms, citations unprocessed "
                  f"{pandoc['pandoc_docx_uncited_all'] / args.articles * 1000:.1f} ms)")
        print("  ratios:")
        for key, value in ratios.items():
            print(f"    {value:7.3f}  {key}")
        if "help" in ours:
            print(f"    {ours['help'] * 1000:7.1f}  ms cold galleys --help (target <= 150)")
        print(f"    {ours['peak_rss_mb']:7.1f}  MB peak RSS of any one process (target <= 300)")
        report[tree.name or "current"] = {"results": ours, "ratios": ratios}
    for command, last in FAILURES.items():
        print(f"FAILED (measured as NaN): {command}: {last}")
    if len(trees) > 1:
        before, after = all_ratios[trees[1].name], all_ratios[""]
        print(f"this checkout against {trees[1].name} (ratio after / ratio before):")
        for key in after:
            print(f"  {after[key] / before[key]:7.3f}  {key.strip()}")
    return report


if __name__ == "__main__":
    sys.exit(main())
