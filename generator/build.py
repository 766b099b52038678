"""The recipe: load, check, model, render, check paths, write — top to bottom."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .config import SiteConfig, load_config
from .content import load_content, shown_path
from .errors import BuildFailed, Problem
from .feeds import render_feeds
from .headers import render_headers
from .images import variant_files
from .model import Site, make_site, published
from .output import OutputFile, WriteReport, check_paths, write_tree
from .render import load_templates, render_pages, static_files
from .search import render_search
from .sitemap import render_sitemap


@dataclass(frozen=True, slots=True)
class Options:
    """Where to read and write, and which articles count as published."""

    content: Path
    layouts: Path
    config: Path
    output: Path
    drafts: bool = False
    now: datetime | None = None
    cache: Path | None = None

    @property
    def cache_folder(self) -> Path:
        """Where resized pictures are kept between builds: --cache, else .bulletin-cache beside site.toml."""
        return self.cache if self.cache is not None else self.config.parent / ".bulletin-cache"


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build made, for the summary line."""

    articles: int
    files: int
    report: WriteReport | None
    seconds: float

    def summary(self) -> str:
        if self.report is None:
            return f"{self.articles} articles, {self.files} files checked, no problems ({self.seconds:.2f} s)."
        r = self.report
        return (
            f"{self.articles} articles, {self.files} files: {r.written} written, {r.unchanged} unchanged, "
            f"{r.removed} removed ({self.seconds:.2f} s)."
        )


def site_config(options: Options) -> SiteConfig:
    """The site settings alone (for commands that need the timezone); raises BuildFailed if wrong."""
    config, problems = load_config(options.config, shown_path(options.config))
    if problems:
        raise BuildFailed(problems)
    return config


def plan(options: Options) -> tuple[Site, list[OutputFile]]:
    """Everything the site would contain, without touching output/; raises BuildFailed with every problem."""
    config, problems = load_config(options.config, shown_path(options.config))
    articles, assets, content_problems = load_content(options.content, config)
    env, template_problems = load_templates(options.layouts)
    problems += content_problems + template_problems
    now = options.now or datetime.now(config.tz)
    now = now if now.tzinfo else now.replace(tzinfo=config.tz)
    site, site_problems = make_site(config, published(articles, now, options.drafts), now)
    problems += site_problems
    if problems:
        raise BuildFailed(problems)
    files = render_pages(env, options.layouts, site) + render_feeds(site) + render_sitemap(site) + render_search(site)
    files += render_headers(site)
    files += static_files(options.layouts)
    files += [OutputFile(a.relative, a.data, shown_path(options.content / a.relative)) for a in assets]
    shown = [p for a in site.articles for p in (a.picture, *a.pictures) if p is not None]
    files += variant_files(shown, {f"/{a.relative}": a.data for a in assets}, options.cache_folder)
    if "://" not in config.logo and config.logo.lstrip("/") not in {f.path for f in files}:
        where = shown_path(options.config)
        raise BuildFailed([Problem(where, 1, f'logo "{config.logo}" is not a file in the layouts/static folder')])
    if path_problems := check_paths(files):
        raise BuildFailed(path_problems)
    return site, files


def build(options: Options, write: bool = True) -> BuildResult:
    """Check everything, then (when `write`) write the site; nothing is written if anything is wrong."""
    started = time.perf_counter()
    site, files = plan(options)
    report = write_tree(options.output, files) if write else None
    return BuildResult(len(site.articles), len(files), report, time.perf_counter() - started)
