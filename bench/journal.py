"""Benchmark: a deterministic synthetic journal built by galleys, against pandoc alone.

    .venv/bin/python bench/journal.py [--articles 200] [--repeat 3] [--words 20000]

Prints medians of repeated runs and the ratios the README quotes. Every number is measured in
this run, the baseline included: pandoc's own CLI making DOCX, EPUB and HTML of each article,
one article after the other, its citations processed as galleys processes them (the folder's
references.bib). The builds and the baselines are timed in rounds, each running every one of
them once, so the machine's drift reaches both sides of a ratio alike. The run starts with
galleys' caches empty (parsed fonts in a folder of its own; How-to-Cite lines in the fresh
dist/); the repeated builds then use them, as a journal's own rebuilds do. Likewise the first
build leaves a resident build process (galleys.resident) that later builds hand their work
to, as a user's do; the incremental rebuild is also timed without it (GALLEYS_RESIDENT=0).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GALLEYS = [str(BIN / "galleys")]
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
# fractions, roots, sums, integrals, matrices, cases. {a} {b} {i} vary from use to use.
MATH_INLINE = [
    r"\mathbf{{{a}}}(\mathbf{{x}}, t) \in \mathbb{{R}}^{{m\times n}}", r"{a}_{{{i}}}^2",
    r"\alpha_{{{i}}} + \beta", r"\frac{{{a}}}{{{b}}}", r"O(n \log n)", r"\mathcal{{L}}({a})",
    r"\sqrt{{{a}^2 + {b}^2}}", r"\sum_{{{i}=1}}^{{n}} {a}_{{{i}}}", r"{a} \le {b}",
    r"\|\mathbf{{{a}}}\|_2", r"\hat{{\theta}}_{{{i}}}", r"e^{{-{a}}}", r"{a} \to \infty",
    r"\nabla f({a})", r"p({a} \mid {b})", r"\mathbb{{E}}[{a}]",
]
MATH_DISPLAY = [
    r"\int_0^\infty e^{{-{a}^2}}\,d{a} = \frac{{\sqrt{{\pi}}}}{{2}}",
    r"\mathbf{{{a}}} = \begin{{pmatrix}} {a}_{{11}} & {a}_{{12}} \\ {a}_{{21}} & {a}_{{22}} "
    r"\end{{pmatrix}}",
    r"\mathcal{{L}}(\theta) = \sum_{{{i}=1}}^{{N}} \log p({a}_{{{i}}} \mid \theta)",
    r"f({a}) = \begin{{cases}} 1 & {a} > 0 \\ 0 & \text{{otherwise}} \end{{cases}}",
    r"\frac{{\partial {a}}}{{\partial t}} = D \nabla^2 {a} + \frac{{{b}}}{{1 + {b}^2}}",
    r"\prod_{{{i}=1}}^{{n}} \left(1 + \frac{{{a}_{{{i}}}}}{{n}}\right) \le e^{{{b}}}",
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


PEAK_RSS_KB = [0]  # the largest resident set of a galleys process (or one it waited for)


class ResidentPeak:
    """The peak RSS of the resident build processes this run's builds started (see
    galleys.resident), and of their Python children (a build's workers): not children of the
    bench, so os.wait4 cannot see them. Sampled (VmHWM, the kernel's own peak) while a galleys
    command runs; found by the private runtime folder in their environment."""

    def __init__(self, run_dir: Path) -> None:
        self.marker = f"XDG_RUNTIME_DIR={run_dir}".encode() + b"\0"
        self.pids: set[int] = set()

    def find(self) -> None:
        for entry in Path("/proc").iterdir():
            try:
                if (entry.name.isdigit() and b"galleys.resident" in (entry / "cmdline").read_bytes()
                        and self.marker in (entry / "environ").read_bytes()):
                    self.pids.add(int(entry.name))
            except OSError:
                continue

    def sample(self) -> None:
        for pid in list(self.pids):
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                self.pids.discard(pid)
                continue
            for each in [pid, *map(int, children)]:
                try:
                    if not os.readlink(f"/proc/{each}/exe").rsplit("/", 1)[-1].startswith("python"):
                        continue  # pandoc's own processes are not counted, as in timed()
                    status = Path(f"/proc/{each}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        PEAK_RSS_KB[0] = max(PEAK_RSS_KB[0], int(line.split()[1]))

    def watch(self, process: subprocess.Popen) -> threading.Thread:
        """Sample every 0.1 s until `process` ends (looking for new resident processes each s)."""

        def run() -> None:
            ticks = 0
            while process.returncode is None:
                if ticks % 10 == 0:
                    self.find()
                self.sample()
                ticks += 1
                time.sleep(0.1)
            self.find()
            self.sample()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.find()
        for pid in self.pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)


RESIDENT: list[ResidentPeak] = []  # set by main()


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds `command` took; a galleys command's peak RSS goes to PEAK_RSS_KB, its own and
    its resident process's (pandoc's own runs, the baselines, are not counted)."""
    galleys = command[: len(GALLEYS)] == GALLEYS
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors,
                                   env=env)
        watcher = RESIDENT[0].watch(process) if galleys and RESIDENT else None
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        if watcher is not None:
            watcher.join()
        if process.returncode != 0:
            errors.seek(0)
            text = errors.read().decode("utf-8", "replace")[-2000:]
            sys.exit(f"bench: {' '.join(command)} failed ({process.returncode}):\n{text}")
    if galleys:
        PEAK_RSS_KB[0] = max(PEAK_RSS_KB[0], usage.ru_maxrss)
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
    args = parser.parse_args()
    pandoc = pandoc_binary()
    # galleys as a normal install has it: compiled (an editable install compiles nothing, and
    # with PYTHONDONTWRITEBYTECODE set every process would compile the package again)
    subprocess.run([str(BIN / "python"), "-m", "compileall", "-q", str(ROOT / "src" / "galleys")],
                   check=True)
    work = Path(tempfile.mkdtemp(prefix="galleys-bench-"))
    os.environ["GALLEYS_CACHE"] = str(work / "cache")  # parsed fonts: cold at the start of a run
    # resident build processes of this run's own (none at the start; stopped at the end)
    run_dir = work / "run"
    run_dir.mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(run_dir)
    RESIDENT.append(ResidentPeak(run_dir))
    results: dict[str, float] = {}
    try:
        math_source = make_math_journal(work, args.math_articles)
        math_articles = sorted(math_source.glob("*/article.md"))

        def math_build() -> float:
            return timed([*GALLEYS, "build", str(math_source), "-o", str(work / "dist-math"),
                          "--force", "-q", "--jobs", "1"], work, env)

        def math_docx() -> float:
            """One pandoc md->docx per math article (pandoc makes OMML of the same formulas)."""
            start = time.perf_counter()
            for path in math_articles:
                pandoc_run(pandoc, [path.name, "-o", "/tmp/galleys-bench.docx"], path.parent)
            return time.perf_counter() - start

        env = dict(os.environ)
        if args.math_only:
            times: dict[str, list[float]] = {"math_jobs1": [], "math_pandoc_docx": []}
            for _ in range(args.repeat):  # in rounds, as below
                times["math_jobs1"].append(math_build())
                times["math_pandoc_docx"].append(math_docx())
            _print_math({key: statistics.median(v) for key, v in times.items()},
                        args.math_articles)
            return 0
        source = make_journal(work, args.articles, args.words)
        seed = ROOT / "source" / "malik-2014-pakistan-japan-relations" / "article.md"
        long_article = work / "long" / "long-article" / "article.md"
        results["help"] = median_of(args.repeat * 3, lambda: timed([*GALLEYS, "--help"], work))
        results["seed"] = median_of(
            args.repeat,
            lambda: timed(
                [*GALLEYS, "convert", str(seed), "-o", str(work / "out-seed"), "-q"], work
            ),
        )
        results["long"] = median_of(
            args.repeat,
            lambda: timed(
                [*GALLEYS, "convert", str(long_article), "-o", str(work / "out-long"), "-q"], work
            ),
        )
        results["seed_pandoc_docx"] = median_of(
            args.repeat * 3, lambda: timed([pandoc, str(seed), "-o", str(work / "seed.docx")], work)
        )

        articles = sorted(source.glob("*/article.md"))
        # the article an incremental rebuild follows a change to: of median length (the same
        # on every machine, unlike the first a folder listing gives), and the longest
        by_length = sorted(articles, key=lambda path: (path.stat().st_size, path.name))
        typical, longest = by_length[len(by_length) // 2], by_length[-1]
        changed = f"{_words(typical)} (median length), {_words(longest)} (longest)"

        def full(jobs: int) -> float:
            return timed(
                [*GALLEYS, "build", str(source), "-o", str(work / "dist"), "--force", "-q",
                 "--jobs", str(jobs)],
                work,
                env,
            )

        def incremental(target: Path, resident: bool = True) -> float:
            """A build after one change: by default (handed to the resident process an earlier
            build left, as a user's second build is), or with GALLEYS_RESIDENT=0 (all here)."""
            target.write_text(target.read_text() + "\nOne more sentence.\n")
            return timed(
                [*GALLEYS, "build", str(source), "-o", str(work / "dist"), "-q", "--jobs", "2"],
                work,
                env if resident else {**env, "GALLEYS_RESIDENT": "0"},
            )

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
        rounds: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for key, run in (
                ("full_jobs1", lambda: full(1)),
                ("full_jobs2", lambda: full(2)),
                ("incremental", lambda: incremental(typical)),
                ("incremental_longest", lambda: incremental(longest)),
                ("incremental_no_resident", lambda: incremental(typical, resident=False)),
                ("pandoc_alone", pandoc_alone),
                ("pandoc_docx_all", lambda: docx_calls(True)),
                ("pandoc_docx_uncited_all", lambda: docx_calls(False)),
                ("math_jobs1", math_build),
                ("math_pandoc_docx", math_docx),
            ):
                rounds.setdefault(key, []).append(run())
        results.update({key: statistics.median(times) for key, times in rounds.items()})
        results["peak_rss_mb"] = PEAK_RSS_KB[0] / 1024
    finally:
        RESIDENT[0].stop()
        shutil.rmtree(work, ignore_errors=True)

    n = args.articles
    per_article = results["full_jobs1"] / n
    per_docx = results["pandoc_docx_all"] / n
    per_uncited = results["pandoc_docx_uncited_all"] / n
    ratios = {
        "full build jobs=2 / pandoc alone (target <= 0.75)": results["full_jobs2"]
        / results["pandoc_alone"],
        "per article jobs=1 / one pandoc md->docx (target <= 1.5)": per_article / per_docx,
        "per article jobs=1 / pandoc md->docx, citations not processed": per_article / per_uncited,
        "incremental / full build jobs=2 (target <= 0.03)": results["incremental"]
        / results["full_jobs2"],
        "  the same after a change to the longest article": results["incremental_longest"]
        / results["full_jobs2"],
        "  the same with GALLEYS_RESIDENT=0 (Python starts, imports)": results[
            "incremental_no_resident"] / results["full_jobs2"],
        "jobs=2 speed-up over jobs=1": results["full_jobs1"] / results["full_jobs2"],
        "seed, all editions / pandoc md->docx": results["seed"] / results["seed_pandoc_docx"],
    }
    print(
        f"synthetic journal: {n} articles + one of {args.words} words; medians of "
        f"{args.repeat} runs; {os.cpu_count()} cores; incremental after a change to {changed}"
    )
    for key, value in results.items():
        unit = "MB" if key.endswith("_mb") else "s"
        print(f"  {key:24} {value:9.3f} {unit}")
    print(f"  {'per article jobs=1':24} {per_article * 1000:9.1f} ms")
    print(f"  {'pandoc md->docx/article':24} {per_docx * 1000:9.1f} ms")
    print(f"  {'  citations unprocessed':24} {per_uncited * 1000:9.1f} ms")
    print("ratios:")
    for key, value in ratios.items():
        print(f"  {value:7.3f}  {key}")
    _print_math(results, args.math_articles)
    print(f"  {results['help'] * 1000:7.1f}  ms cold galleys --help (target <= 150)")
    print(f"  {results['peak_rss_mb']:7.1f}  MB peak RSS of any one process (target <= 300)")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "ratios": ratios}, indent=2))
    return 0


def _print_math(results: dict[str, float], count: int) -> None:
    """The math-heavy articles' cost per article against one pandoc md->docx of each."""
    per_math, per_docx = results["math_jobs1"] / count, results["math_pandoc_docx"] / count
    print(f"  math-heavy article jobs=1 {per_math * 1000:7.1f} ms, pandoc md->docx "
          f"{per_docx * 1000:7.1f} ms ({count} articles)")
    print(f"  {per_math / per_docx:7.3f}  math-heavy per article jobs=1 / pandoc md->docx "
          "(target <= 2)")


if __name__ == "__main__":
    sys.exit(main())
