"""Search benchmark: index size, bytes per query, latency in Chromium, build time and memory; Pagefind beside it.

    python bench/search_bench.py                       # 10 000 and 100 000 articles
    python bench/search_bench.py --sizes 10000 --work /tmp/bench

For each size it writes the corpus (bench/corpus.py), loads it as a Site, times the search step
alone (and measures its peak memory with tracemalloc in a second run), writes the search page and
its index, and drives Debian's chromium through playwright over a local HTTP server. Where the
`pagefind` package is installed (pip install "pagefind[extended]") and the size is at most
--pagefind-max, it builds the whole site, runs Pagefind on the article pages and measures it the
same way. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]
NOW = "2030-01-01T00:00:00+07:00"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
PROBE = ["chuyen doi so", "da nang", "thanh hoa"]


def measure_index(folder: Path) -> dict:
    """In this (child) process: load the corpus, time render_search, trace its peak, write the search files."""
    import tracemalloc

    from generator.config import load_config
    from generator.content import load_content
    from generator.model import make_site, published
    from generator.output import write_tree
    from generator.render import Pages, load_templates, static_files
    from generator.search import render_search

    config, _ = load_config(folder / "site.toml", "site.toml")
    articles, _, _ = load_content(folder / "content", config)
    now = datetime.fromisoformat(NOW)
    site, _ = make_site(config, published(articles, now, False), now)
    started, cpu = time.perf_counter(), time.process_time()
    files = render_search(site)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    del files
    tracemalloc.start()
    files = render_search(site)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    env, _ = load_templates(ROOT / "layouts")
    page = Pages(env, ROOT / "layouts", site).page("search.html", "/tim-kiem/", "search page")
    write_tree(folder / "search-site", [*files, page, *static_files(ROOT / "layouts")])
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak": peak,
        "articles": len(site.articles),
    }


def child_rusage(command: list[str]) -> dict:
    """Wall seconds, CPU seconds and peak resident bytes of a command and everything it starts."""
    script = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss * 1024)"
    )
    out = subprocess.run([sys.executable, "-c", script, *command], check=True, capture_output=True, text=True, env=ENV)
    seconds, cpu, peak = out.stdout.split()
    return {"seconds": float(seconds), "cpu": float(cpu), "peak": int(peak)}


def queries(count: int) -> list[str]:
    """Three-word queries as readers type them (no diacritics), taken in order from the seed sentences."""
    from corpus import sentences

    from generator.text import fold, search_tokens

    found: list[str] = []
    for sentence in sentences():
        tokens = [fold(t) for t in search_tokens(sentence)]
        for at in range(0, len(tokens) - 2, 5):
            window = tokens[at : at + 3]
            if all(w[0].isalpha() for w in window) and " ".join(window) not in found:
                found.append(" ".join(window))
    step = max(1, len(found) // count)
    return ["chuyen doi so", *found[::step]][:count]


OURS = """async q => {
  const search = BanTinSearch.page.search;
  await search.index.ready();
  const t = performance.now();
  const result = await search.run(q, {});
  const records = await search.index.documents(result.docs.slice(0, 10));
  return [performance.now() - t, result.total, records.map(r => r.title)];
}"""
PAGEFIND = """async q => {
  const pagefind = window.benchPagefind || (window.benchPagefind = await import("/pagefind/pagefind.js"));
  await pagefind.init();
  const t = performance.now();
  const result = await pagefind.search(q);
  const records = await Promise.all(result.results.slice(0, 10).map(r => r.data()));
  return [performance.now() - t, result.results.length, records.map(r => r.meta.title)];
}"""


def served_size(url: str, body: bytes) -> int:
    """Bytes on the wire from a host that gzips text: our .bin and Pagefind's files are gzipped already."""
    if body[:2] == b"\x1f\x8b" or url.endswith((".wasm", ".pf_index", ".pf_fragment", ".pf_meta")):
        return len(body)
    return len(gzip.compress(body, 6))


def browse(site: Path, start: str, script: str, prefix: str, words: list[str]) -> dict:
    """Cold and warm latency, first-query bytes and the top titles per query (and for PROBE), in Chromium."""
    from browser import CHROMIUM_ARGS, chromium_path, static_server
    from playwright.sync_api import sync_playwright

    cold: list[float] = []
    warm: list[float] = []
    first_bytes: list[int] = []
    client_bytes = 0
    tops: dict[str, list[str]] = {}
    with static_server(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        for query in words:
            context = browser.new_context()
            page = context.new_page()
            seen: list = []
            page.on("response", lambda response, seen=seen: seen.append(response))
            page.goto(base + start)
            page.wait_for_load_state("load")
            took, _total, _titles = page.evaluate(script, query)
            cold.append(took)
            fetched = [(r.url, served_size(r.url, r.body())) for r in seen if prefix in r.url]
            first_bytes.append(sum(n for u, n in fetched if not u.endswith((".js", ".wasm"))))
            client_bytes = max(client_bytes, sum(n for u, n in fetched if u.endswith((".js", ".wasm"))))
            context.close()
        page = browser.new_page()
        page.goto(base + start)
        for query in words:
            page.evaluate(script, query)
            warm.append(page.evaluate(script, query)[0])
        for query in PROBE:
            tops[query] = page.evaluate(script, query)[2]
        browser.close()
    return {"cold": cold, "warm": warm, "bytes": first_bytes, "client": client_bytes, "tops": tops}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sizes_of(folder: Path, store: tuple[str, ...]) -> tuple[int, int, int]:
    """(index bytes, document store bytes, files) under `folder`; `store` names the document store files."""
    index = documents = files = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size = served_size(path.name, path.read_bytes())
            if any(part in path.as_posix() for part in store):
                documents += size
            elif not path.name.endswith((".js", ".wasm", ".css")):
                index += size
    return index, documents, files


def report(name: str, count: int, built: dict, folder: Path, store: tuple[str, ...], browsed: dict) -> list[str]:
    index, documents, files = sizes_of(folder, store)
    cold, warm, first = browsed["cold"], browsed["warm"], browsed["bytes"]
    lines = [
        f"  {name}",
        f"    index bytes per article, gzipped      {index / count:8.0f} B (document store {documents / count:.0f} B)",
        f"    first 3-word query downloads          {statistics.median(first) / 1000:8.1f} KB median, "
        f"{max(first) / 1000:.1f} KB max over {len(first)} queries (client code {browsed['client'] / 1000:.1f} KB)",
        f"    query, index loaded: p50 / p95        {percentile(warm, 0.5):8.1f} / {percentile(warm, 0.95):.1f} ms",
        f"    query, cold: p50 / p95                {percentile(cold, 0.5):8.1f} / {percentile(cold, 0.95):.1f} ms",
        f"    index build                           {built['seconds']:8.1f} s ({built['cpu']:.1f} s CPU), "
        f"peak {built['peak'] / 1e6:.0f} MB",
        f"    index files                           {files:8d}",
    ]
    for query, titles in browsed["tops"].items():
        lines.append(f"    first result for {query!r:16}     {titles[0] if titles else '(nothing found)'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bantin-search-bench")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--pagefind-max", type=int, default=10_000, help="largest size to run Pagefind on")
    parser.add_argument("--measure-index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_index:
        print(json.dumps(measure_index(args.measure_index)))
        return
    try:
        import pagefind  # noqa: F401

        has_pagefind = True
    except ImportError:
        has_pagefind = False
    words = queries(args.queries)
    print(
        f"Search benchmark, {datetime.now():%Y-%m-%d}: {os.cpu_count()}-core {platform.machine()} machine, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}, "
        f"{len(words)} three-word queries typed without diacritics",
        flush=True,
    )
    client = served_size("search.js", (ROOT / "layouts/static/search.js").read_bytes())
    for count in args.sizes:
        folder = args.work / f"corpus-{count}"
        if not (folder / "site.toml").is_file():
            from corpus import write_corpus

            write_corpus(count, folder)
        command = [sys.executable, str(Path(__file__).resolve()), "--measure-index", str(folder)]
        built = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=ENV).stdout)
        ours = browse(folder / "search-site", "/tim-kiem/", OURS, "/tim-kiem/index/", words) | {"client": client}
        ours_index = folder / "search-site/tim-kiem/index"
        lines = [f"\n{count} articles", *report("Bản tin", count, built, ours_index, ("/d/",), ours)]
        if not has_pagefind:
            lines.append("  Pagefind: not installed (pip install 'pagefind[extended]')")
        elif count > args.pagefind_max:
            lines.append(f"  Pagefind: not run above --pagefind-max {args.pagefind_max}")
        else:
            output = folder / "site"
            build = ["build", "--content", str(folder / "content"), "--config", str(folder / "site.toml")]
            build += ["--layouts", str(ROOT / "layouts"), "--output", str(output), "--now", NOW]
            subprocess.run([sys.executable, "-m", "generator", *build], check=True, env=ENV, stdout=subprocess.DEVNULL)
            index = ["--site", str(output), "--glob", "bai-viet/**/*.html", "--root-selector", "article.article"]
            pagefind_built = child_rusage([sys.executable, "-m", "pagefind", *index, "--output-subdir", "pagefind"])
            theirs = browse(output, "/404.html", PAGEFIND, "/pagefind/", words)
            lines += report("Pagefind", count, pagefind_built, output / "pagefind", ("fragment/",), theirs)
        lines.append(f"  (load average {os.getloadavg()[0]:.1f})")
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
