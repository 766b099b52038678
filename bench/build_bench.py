"""Build speed and memory of Bản tin, Hugo and Pelican on the same corpus, in one run.

    python bench/build_bench.py                                # 1 000 and 10 000 articles
    python bench/build_bench.py --sizes 1000 10000 100000      # 100 000 takes a long while
    python bench/build_bench.py --hugo /usr/bin/hugo --pelican ~/venv/bin/pelican

For each size it writes the corpus (bench/corpus.py), then measures for each tool found:

- cold build: no output folder, no cache;
- no-change rebuild: the same build again (Hugo and Pelican build everything again);
- watcher edit: with `bulletin watch` (`hugo server --renderToDisk --disableFastRender`,
  `pelican --autoreload`) running, the time from saving one article to its page in the output
  folder holding the new text; once for the newest article (its page, the home page, the first
  listing pages and the feeds change) and once for an old one; then the time from saving a new
  article, newer than all (every listing page of its category and tags moves), to its page
  (deleted again afterwards, the watcher left to settle);
- peak memory: the largest sum of PSS over the whole process tree during one more cold build,
  sampled every 20 ms (PSS counts pages shared by forked workers once). Reading PSS makes the
  kernel walk each process's memory, which takes a good share of a core on a 2-core machine, so
  the timed builds run without the sampler.

Figures are medians of --runs runs (edits: of --edits saves); the tools take turns run by run, so
that a machine whose speed drifts over the minutes weighs on each of them alike. Hugo (Debian's `hugo`) and Pelican
(`pip install pelican`) are used where found on PATH or given; by default they run only up to
10 000 articles (--others-up-to). Nothing here is tuned per tool: the same corpus, the same pages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from corpus import write_corpus  # noqa: E402
from others import (  # noqa: E402
    articles,
    corpus_text,
    hugo_article,
    hugo_site,
    hugo_text,
    pelican_article,
    pelican_site,
    pelican_text,
)

from generator.text import make_slug  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


@dataclass
class Figures:
    """What was measured for one tool at one size (seconds, megabytes)."""

    cold: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    edit_new: list[float] = field(default_factory=list)
    edit_old: list[float] = field(default_factory=list)
    new_article: list[float] = field(default_factory=list)
    files: int = 0
    note: str = ""


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(p) for p in handle.read().split()]
        except OSError:
            continue
    return found


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and all its descendants, in MB."""
    total = 0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def measure(command: list[str], cwd: Path, memory: bool = False) -> tuple[float, float]:
    """Run a command to its end: (wall seconds, peak tree memory in MB, or 0 unless `memory`); fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_mb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    if memory:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors.decode(errors='replace')[-3000:]}")
    return seconds, peak


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError:
        return ""


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its descendants."""
    ticks = 0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(log: Path, pid: int, quiet: float = 2.0) -> None:
    """Until the watcher has neither written to its log nor used CPU for `quiet` seconds: all its work is over.

    Each edit is then timed from an idle watcher, whatever work a tool does after showing the page
    (Bản tin's search index, which follows the pages; Hugo's and Pelican's own bookkeeping).
    """
    size, cpu, since = log.stat().st_size, tree_cpu_seconds(pid), time.monotonic()
    give_up = since + 60  # a tool that polls the disk for changes is never quite idle
    while time.monotonic() - since < quiet and time.monotonic() < give_up:
        time.sleep(0.25)
        now, used = log.stat().st_size, tree_cpu_seconds(pid)
        if now != size or used - cpu > 0.05 * 0.25:  # busy: more than 5 % of a core since the last look
            since = time.monotonic()
        size, cpu = now, used


Save = tuple[Path, Path, str | None]  # the file saved, the page that shows it, and the new file's text (None: edit)


def edit_latency(
    command: list[str], cwd: Path, ready: str, edits: list[Save], log: Path, rest: float = 2.0
) -> list[float]:
    """Start a watcher; for each (source, page, text): append a sentence to source (or write a new file of text
    and that sentence), time until page shows it. A new file is deleted again once timed."""
    latencies = []
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, cwd=cwd, env=ENV, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 3600
            while ready not in _read(log):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{' '.join(command)} did not start:\n{_read(log)[-3000:]}")
                time.sleep(0.05)
            _wait_until_idle(log, process.pid, rest)
            for number, (source, page, new) in enumerate(edits):
                token = f"Sửa lần {number} lúc {time.time_ns()}."
                text = new if new is not None else source.read_text("utf-8")
                source.parent.mkdir(parents=True, exist_ok=True)
                with source.open("w", encoding="utf-8") as handle:
                    handle.write(text.rstrip("\n") + f"\n\n{token}\n")
                saved = time.perf_counter()
                while token not in _read(page):
                    if time.perf_counter() - saved > 600 or process.poll() is not None:
                        raise SystemExit(f"{page} never showed the edit:\n{_read(log)[-3000:]}")
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - saved)
                _wait_until_idle(log, process.pid, rest)  # a save during a rebuild may be missed (Pelican's is)
                if new is not None:
                    source.unlink()
                    _wait_until_idle(log, process.pid, rest)
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return latencies


def page(output: Path, slug: str) -> Path:
    return output / "bai-viet" / slug / "index.html"


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def pick_edits(corpus: Path, count: int, edits: int) -> tuple[list[str], list[str]]:
    """Names and slugs of the newest article and of one from the middle of the archive."""
    listed = articles(corpus)
    newest, old = listed[-1], listed[count // 2]
    return [newest[0], old[0]], [make_slug(a[1]["title"].strip('"')) for a in (newest, old)]


def new_articles(corpus: Path, count: int) -> list[tuple[str, dict[str, str], str]]:
    """(name, front matter values, body) of `count` new articles, newer than all, in the newest one's
    category and tags: a reporter filing the day's news."""
    listed = articles(corpus)
    _, newest, body = max(listed, key=lambda a: a[1]["date"])
    day, clock = newest["date"].split(" ")
    later = f"{day} {min(23, int(clock[:2]) + 1):02}:{clock[3:]}" if clock[:2] != "23" else f"{day} 23:59"
    made = []
    for number in range(1, count + 1):
        values = {**newest, "title": f'"Tin mới thử tải số {number}"', "date": later}
        made.append((f"bai-moi-{number}", values, body))
    return made


def plan(
    corpus: Path, edits: int, output: Path, source: Callable[[str], Path], text: Callable[[dict[str, str], str], str]
) -> list[Save]:
    """A watcher's saves, the same for every tool: the newest and the old article in turn, `edits` times each,
    then `edits` new articles. `source`: an article's file by name; `text`: a new article's file as the tool
    reads it."""
    names, slugs = pick_edits(corpus, len(articles(corpus)), edits)
    edited = [(source(name), page(output, slug)) for name, slug in zip(names, slugs, strict=True)]
    saves: list[Save] = [(*edited[i % 2], None) for i in range(2 * edits)]
    for name, values, body in new_articles(corpus, edits):
        saves.append((source(name), page(output, make_slug(values["title"].strip('"'))), text(values, body)))
    return saves


@dataclass
class Tool:
    """One tool laid out on one corpus: its build command, what a cold build starts without, its watcher."""

    name: str
    command: list[str]
    cwd: Path
    clear: list[Path]
    output: Path
    edits: Callable[[], list[float]]  # each save's time to its page: newest and old in turn, then new articles
    saves: int  # how many times each article is saved, and how many new articles
    figures: Figures = field(default_factory=Figures)

    def cold_and_again(self, sampled: bool = False) -> None:
        """A cold build (the `clear` folders removed first), then the same build again; or, `sampled`, one
        cold build with its memory sampled."""
        for folder in self.clear:
            shutil.rmtree(folder, ignore_errors=True)
        seconds, peak = measure(self.command, self.cwd, memory=sampled)
        if sampled:
            self.figures.peak.append(peak)
            return
        self.figures.cold.append(seconds)
        self.figures.again.append(measure(self.command, self.cwd)[0])


def bantin(corpus: Path, work: Path, edits: int, jobs: int | None) -> Tool:
    output, cache = work / "bantin-output", work / "bantin-cache"
    base = [sys.executable, "-m", "generator"]
    where = ["--content", str(corpus / "content"), "--layouts", str(ROOT / "layouts"), "--config"]
    where += [str(corpus / "site.toml"), "--output", str(output), "--cache", str(cache)]
    extra = ["--jobs", str(jobs)] if jobs else []

    def edit() -> list[float]:
        content = corpus / "content"
        saves = plan(corpus, edits, output, lambda n: next(content.rglob(f"{n}.md"), content / f"{n}.md"), corpus_text)
        return edit_latency([*base, "watch", *where, *extra], corpus, "Watching", saves, work / "bantin-watch.log")

    return Tool("Bản tin", [*base, "build", *where, *extra, "--quiet"], corpus, [output, cache], output, edit, edits)


def hugo(executable: str, corpus: Path, work: Path, edits: int) -> Tool:
    site = work / "hugo-site"
    if not site.is_dir():
        hugo_site(corpus, site)
    output = work / "hugo-output"

    def edit() -> list[float]:
        served = work / "hugo-served"
        shutil.rmtree(served, ignore_errors=True)
        saves = plan(corpus, edits, served, partial(hugo_article, site), hugo_text)
        command = [executable, "server", "--source", str(site), "--destination", str(served), "--renderToDisk"]
        command += ["--disableFastRender", "--disableLiveReload", "--port", "18713", "--bind", "127.0.0.1"]
        return edit_latency(command, site, "Web Server is available", saves, work / "hugo-server.log")

    command = [executable, "--quiet", "--source", str(site), "--destination", str(output)]
    return Tool("Hugo", command, site, [output, site / "resources"], output, edit, edits)


def pelican(executable: str, corpus: Path, work: Path, edits: int) -> Tool:
    site = work / "pelican-site"
    if not site.is_dir():
        pelican_site(corpus, site)
    output = work / "pelican-output"
    command = [executable, "content", "-s", "pelicanconf.py", "-o", str(output), "-q"]

    def edit() -> list[float]:
        saves = plan(corpus, edits, output, partial(pelican_article, site), pelican_text)
        watcher = [executable, "--autoreload", *command[1:-1]]  # without -q: it says when it is done
        # Pelican starts a new file watcher after each rebuild and misses saves until it is set up: give it time.
        return edit_latency(watcher, site, "Done: Processed", saves, work / "pelican.log", rest=15.0)

    tool = Tool("Pelican", command, site, [output, site / "cache"], output, edit, edits)
    tool.figures.note = "no related articles, no sitemap (plugins)"
    return tool


def measure_tools(tools: list[Tool], runs: int) -> dict[str, Figures]:
    """The runs of the cold and no-change builds taken in turn (each tool's first run, then each one's
    second…), so that a machine that slows down or speeds up over the minutes weighs on every tool alike;
    then each tool's sampled build and its watcher."""
    for _ in range(runs):
        for tool in tools:
            tool.cold_and_again()
    for tool in tools:
        tool.cold_and_again(sampled=True)
        tool.figures.files = count_files(tool.output)
        times, edits = tool.edits(), tool.saves
        tool.figures.edit_new, tool.figures.edit_old = times[0 : 2 * edits : 2], times[1 : 2 * edits : 2]
        tool.figures.new_article = times[2 * edits :]
    return {tool.name: tool.figures for tool in tools}


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def show(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def table(results: dict[int, dict[str, Figures]]) -> str:
    heads = ["articles", "tool", "cold build", "peak memory", "no-change rebuild", "edit → page, newest"]
    heads += ["edit → page, old", "new article → page", "files"]
    lines = ["| " + " | ".join(heads) + " |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for size, tools in results.items():
        ours = tools["Bản tin"]
        for name, figures in tools.items():
            cold, again = median(figures.cold), median(figures.again)
            new, old, peak = median(figures.edit_new), median(figures.edit_old), median(figures.peak)
            cells = [f"{size:,}".replace(",", " "), name]
            for value, reference in ((cold, median(ours.cold)), (None, None), (again, median(ours.again))):
                if value is None:
                    cells.append(f"{peak:.0f} MB" if peak is not None else "–")
                    continue
                ratio = f" ({value / reference:.1f}×)" if name != "Bản tin" and reference else ""
                cells.append(show(value) + ratio)
            added = median(figures.new_article)
            for value, reference in (
                (new, median(ours.edit_new)),
                (old, median(ours.edit_old)),
                (added, median(ours.new_article)),
            ):
                ratio = f" ({value / reference:.0f}×)" if name != "Bản tin" and reference and value else ""
                cells.append(show(value) + ratio)
            cells.append(f"{figures.files:,}".replace(",", " ") + (f" ({figures.note})" if figures.note else ""))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="cold and no-change builds per tool and size")
    parser.add_argument("--edits", type=int, default=3, help="saves of each of the two articles in the watcher")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bantin-bench"), help="where corpora and outputs go")
    parser.add_argument("--jobs", type=int, help="passed to bulletin as --jobs (default: one per core)")
    parser.add_argument("--hugo", default=shutil.which("hugo"), help="hugo executable (default: from PATH)")
    parser.add_argument("--pelican", default=shutil.which("pelican"), help="pelican executable (default: from PATH)")
    parser.add_argument("--others-up-to", type=int, default=10000, help="largest size to run Hugo and Pelican on")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results: dict[int, dict[str, Figures]] = {}
    for size in args.sizes:
        work = args.work / f"{size}"
        corpus = work / "corpus"
        if not (corpus / "site.toml").is_file():
            shutil.rmtree(work, ignore_errors=True)
            write_corpus(size, corpus)
        runs = args.runs if size <= 10000 else 1
        tools = [bantin(corpus, work, args.edits, args.jobs)]
        if size <= args.others_up_to and args.hugo:
            tools.append(hugo(args.hugo, corpus, work, args.edits))
        if size <= args.others_up_to and args.pelican:
            tools.append(pelican(args.pelican, corpus, work, max(1, args.edits - 2)))
        print(f"{size} articles: {', '.join(t.name for t in tools)}…", file=sys.stderr, flush=True)
        results[size] = measure_tools(tools, runs)
        print(table({size: results[size]}), file=sys.stderr, flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({s: {t: vars(f) for t, f in r.items()} for s, r in results.items()}, indent=1))


if __name__ == "__main__":
    main()
