"""The recipe: read, parse what is new, model the site, render what changed, check paths, write — top to bottom.

A build starts from the memory of the last one (the cache on disk, or a watcher's memory):
unchanged articles are not parsed again, unchanged units of output are not rendered again, and
unchanged files are not written again. Whatever it skips, the output is byte for byte what a
clean build gives (tests/test_incremental.py holds it to that).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path

import jinja2

from .assets import asset_problems
from .cache import ArticleStore, exclusive, load_pickle, save_pickle, state_path
from .config import SiteConfig, load_config
from .content import shown_path
from .deps import Unit, whole
from .digests import Digests
from .errors import BuildFailed, Problem
from .feeds import feed_units
from .headers import render_headers
from .images import variant_files
from .incremental import produce, write_files
from .inputs import Files, Options, read_files, unchanged_site
from .loader import load_articles
from .model import Article, Site, make_site, published, swap_articles
from .output import MANIFEST, OutputFile, Staging, WriteReport, check_paths, clear_leftovers, interrupted, stamp_of
from .progress import Progress, silent
from .render import load_templates, page_units, redirect_units
from .search import render_search
from .sitemap import NEWS_WINDOW, render_sitemap
from .sources import Source, without_data
from .state import Quick, State

__all__ = ["BuildResult", "Options", "build", "plan", "rebuild", "site_config"]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build made, for the summary line."""

    articles: int
    files: int
    report: WriteReport | None
    seconds: float
    behind: bool = False  # work marked `later` was left for the next build

    def summary(self) -> str:
        if self.report is None:
            return f"{self.articles} articles, {self.files} files checked, no problems ({self.seconds:.2f} s)."
        r = self.report
        return (
            f"{self.articles} articles, {self.files} files: {r.written} written, {r.unchanged} unchanged, "
            f"{r.removed} removed ({self.seconds:.2f} s)."
            + (" The search index and sitemaps follow once the edits pause." if self.behind else "")
        )


def site_units(
    site: Site, env: jinja2.Environment, options: Options, assets: list[Source], static: list[Source]
) -> list[Unit]:
    """Everything the site contains, as units of work. Renderers are listed here, one line each.

    A renderer is a pure function Site → [OutputFile], listed as whole(renderer); it is redone
    when anything it read of the site changed. A renderer with many pages (page_units) lists one
    unit per page, so that an edit redoes only the pages that show what changed.
    """
    return [
        *page_units(env, options.layouts, site),
        *feed_units(site),
        whole(render_sitemap, later=True),
        whole(render_search, later=True, jobs=options.processes, kept=options.postings),
        whole(render_headers),
        Unit(
            "picture copies",
            (str(options.cache_folder), *(s.digest for s in assets)),
            partial(pictures, options, assets),
        ),
        *copies("layouts", options.layouts, static),
        *copies("content", options.content, assets),
        *redirect_units(env, options.layouts, site),  # last: an old address that clashes is the article's problem
    ]


def pictures(options: Options, files: list[Source], site: Site) -> list[OutputFile]:
    """The narrower copies of every picture an article shows, for srcset (made once, then cached)."""
    used = {p.address for p in site.pictures}
    assets = {f"/{s.relative}": s.read() for s in files if f"/{s.relative}" in used}
    return variant_files(
        site.pictures, assets, options.cache_folder, lambda address: shown_path(options.content / address.lstrip("/"))
    )


def copies(folder: str, root: Path, files: list[Source]) -> list[Unit]:
    """Files published as they are (stylesheet, pictures), each its own unit keyed by its bytes and named by its
    place in `folder` (what the folder is for: its path as given depends on where the command runs)."""

    def copy(source: Source, _site: Site) -> list[OutputFile]:
        return [OutputFile(source.relative, source.read(), shown_path(root / source.relative))]

    return [Unit(f"copy {folder}/{s.relative}", (s.digest,), partial(copy, s)) for s in files]


def build(options: Options, write: bool = True, progress: Progress | None = None) -> BuildResult:
    """Check everything, then (when `write`) write what changed; nothing is written if anything is wrong."""
    with one_at_a_time(options, progress or silent()):
        previous = remembered(options)
        result, state = rebuild(options, previous, write, progress)
        if write and state.for_disk() != previous:
            save_pickle(state_file(options), state.for_disk())
    return result


def rebuild(
    options: Options,
    state: State,
    write: bool = True,
    progress: Progress | None = None,
    hints: frozenset[str] | None = None,
    hurry: bool = False,
    assemble: bool = False,
    recheck: bool = False,
) -> tuple[BuildResult, State]:
    """One build from the memory of the last one; returns the memory for the next (a watcher keeps it).

    `hints`: the paths a watcher saw change since the last build; None looks at every file.
    `hurry`: leave the units marked `later` (search index, sitemaps) for the next build when out of date.
    `assemble`: put the site together in memory even when nothing changed (a watcher's first build, so
    that its first edit is swapped into the site as later ones are, instead of waiting for all of it).
    `recheck`: look at every file written before in output/, even when output/ itself kept its times.
    """
    started = time.perf_counter()
    progress = progress or silent()
    files = read_files(options, state, hints)
    scanned = (without_data(files.content), without_data(files.layouts))
    state = replace(
        state, version=files.version, content=files.content_known, layouts=files.layouts_known, scanned=scanned
    )
    quick = write and not files.problems and not interrupted(options.output)
    if state.quick is not None and quick and not assemble and unchanged_site(options, files, state):
        unchanged = WriteReport(0, len(state.written), 0)
        return BuildResult(state.quick.articles, len(state.written), unchanged, time.perf_counter() - started), state
    try:
        site, units, digests, state = model(options, files, state, progress)
    except BaseException:
        progress.close()  # the problems then start at the beginning of a line
        raise
    del files  # the articles' bytes are parsed: let them go before the pages are made (tens of MB)
    staging = Staging(options.output) if write else None
    repaired = write and clear_leftovers(options.output)  # a write cut short: trust nothing it may have left
    manifest_kept = (
        not repaired and state.manifest is not None and stamp_of(options.output / MANIFEST) == state.manifest
    )
    # A watcher trusts what it wrote unless output/ itself changed since (every build stages a file in it).
    verify = recheck or not (state.unit_keys and manifest_kept and stamp_of(options.output) == state.folder)
    try:
        if staging is not None:
            staging.begin()
        outcome = produce(units, digests, state, options.output, staging, options.processes, progress, verify, hurry)
        if staging is not None:
            report, written = write_files(outcome, options.output, staging, state.written, manifest_kept)
        else:
            report, written = None, state.written
    except BaseException:
        if staging is not None:
            staging.discard()
        raise
    finally:
        progress.close()
    kept = state.quick.unsure() if outcome.left and state.quick else state.quick  # units left: look next time
    state = replace(state, unit_keys=outcome.keys, quick=kept, left=outcome.left)
    if staging is not None:
        manifest, folder = stamp_of(options.output / MANIFEST), stamp_of(options.output)
        state = replace(state, records=outcome.records, written=written, manifest=manifest, folder=folder)
    seconds = time.perf_counter() - started
    return BuildResult(len(site.articles), outcome.files, report, seconds, bool(outcome.left)), state


def model(
    options: Options, files: Files, state: State, progress: Progress, store: ArticleStore | None = None
) -> tuple[Site, list[Unit], Digests, State]:
    """Articles (parsed only when new), the checks across files, the Site and its units; raises BuildFailed."""
    store = store or ArticleStore(options.cache_folder)
    try:
        loaded = load_articles(
            options.content,
            files.content,
            files.config,
            files.version,
            state.memory,
            store,
            options.processes,
            progress,
        )
        if state.templates is not None and state.templates[0] == files.base:
            env, template_problems = state.templates[1], state.templates[2]
        else:
            env, template_problems = load_templates(options.layouts)
        problems = files.problems + loaded.problems() + template_problems
        raw = published(loaded.articles, files.now, options.drafts)
        site = (
            swap_articles(state.site[1], state.site[0], raw, files.now)
            if state.site and state.base == files.base
            else None
        )
        if site is None:
            previous = state.site[1] if state.site else None
            site, site_problems = make_site(files.config, raw, files.now, options.processes, previous)
            problems += site_problems
        problems += logo_problems(options, files) + asset_problems(files.assets)
        if problems:
            raise BuildFailed(problems)
        store.keep(set(loaded.keys.values()))
    finally:
        store.close()
    quick = Quick(files.fingerprint, *turning_points(loaded.articles, raw, files.now, options.drafts), len(raw))
    state = replace(
        state, base=files.base, quick=quick, memory=loaded.memory, site=(raw, site), templates=(files.base, env, [])
    )
    digests = Digests.of(site, loaded.article_keys, state.digests)
    units = site_units(site, env, options, files.assets, files.static)
    return site, units, digests, replace(state, digests=digests)


def logo_problems(options: Options, files: Files) -> list[Problem]:
    """The logo news search and feeds show must be a published file (or an address)."""
    logo = files.config.logo
    published_files = {s.relative for s in (*files.static, *files.assets)}
    if "://" in logo or logo.lstrip("/") in published_files:
        return []
    where = shown_path(options.config)
    return [Problem(where, 1, f'logo "{logo}" is not a file in the layouts/static folder')]


def turning_points(
    loaded: list[Article], shown: list[Article], now: datetime, drafts: bool
) -> tuple[datetime | None, datetime | None]:
    """The span of clock times over which the site stays as built: past the last change, before the next.

    The site changes when an article comes due or expires, and when one leaves the news sitemap's window.
    """
    candidates = [a for a in loaded if drafts or not a.draft]
    passed = [a.date for a in shown] + [a.expires for a in candidates if a.expires and a.expires <= now]
    passed += [] if shown else [now]  # an empty site's feeds are dated `now` (see Quick.holds)
    coming = [a.date for a in candidates if a.date > now] + [a.expires for a in shown if a.expires]
    coming += [a.date + NEWS_WINDOW for a in shown if a.date + NEWS_WINDOW >= now]  # still in at exactly 48 h
    return max(passed, default=None), min(coming, default=None)


def plan(options: Options) -> tuple[Site, list[OutputFile]]:
    """Everything the site would contain, without touching output/ or the cache; raises BuildFailed."""
    files = read_files(options, State())
    site, units, _, _ = model(options, files, State(), silent(), ArticleStore(None))
    made = [file for unit in units for file in unit.make(site)]
    if path_problems := check_paths(made):
        raise BuildFailed(path_problems)
    return site, made


def site_config(options: Options) -> SiteConfig:
    """The site settings alone (for commands that need the timezone); raises BuildFailed if wrong."""
    config, problems = load_config(options.config, shown_path(options.config))
    if problems:
        raise BuildFailed(problems)
    return config


def state_file(options: Options) -> Path:
    """Where the memory of the last build into options.output is kept."""
    return state_path(options.cache_folder, options.content, options.layouts, options.config, options.output)


def remembered(options: Options) -> State:
    """The memory the last build into options.output left in the cache (empty if none or unreadable)."""
    found = load_pickle(state_file(options))
    return found if isinstance(found, State) else State()


def one_at_a_time(options: Options, progress: Progress) -> AbstractContextManager[None]:
    """A lock so that two builds of one output folder (say a build beside `bulletin serve`) take turns."""
    return exclusive(
        state_file(options).with_suffix(".lock"),
        lambda: progress.say(f"Waiting for another build of {options.output} to finish…"),
    )
