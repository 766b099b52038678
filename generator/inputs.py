"""What a build reads: its options, and every source file found and digested."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import default_folder, generator_version
from .config import SiteConfig, load_config
from .content import shown_path
from .errors import Problem
from .output import still_there
from .parallel import available_cores
from .sources import Known, Source, digest, scan
from .state import State

if TYPE_CHECKING:
    from .search_postings import KeptPostings


@dataclass(frozen=True, slots=True)
class Options:
    """Where to read and write, which articles count as published, and how to work."""

    content: Path
    layouts: Path
    config: Path
    output: Path
    drafts: bool = False
    now: datetime | None = None
    jobs: int = 0  # processes for big builds; 0: one per core
    cache: Path | None = None  # default: .bulletin-cache beside site.toml
    postings: KeptPostings | None = field(default=None, compare=False, repr=False)  # a watcher's, for the search index

    @property
    def cache_folder(self) -> Path:
        """--cache, else .bulletin-cache beside site.toml."""
        return self.cache if self.cache is not None else default_folder(self.config)

    @property
    def processes(self) -> int:
        """--jobs, else one per core."""
        return self.jobs or available_cores()


@dataclass(frozen=True, slots=True)
class Files:
    """Every source of a build, found and digested (bytes read only where stamps changed)."""

    version: bytes
    config: SiteConfig
    content: list[Source]
    layouts: list[Source]
    assets: list[Source]
    static: list[Source]
    content_known: dict[str, Known]
    layouts_known: dict[str, Known]
    base: bytes  # generator, settings and templates: any change redoes every unit
    fingerprint: bytes  # all of the above plus --drafts and every source file
    problems: list[Problem]
    now: datetime


def folder_problems(options: Options) -> list[Problem]:
    """Folders that would harm each other: an output folder that is a file or holds the sources (a build
    prunes and tidies it), a cache or output inside a folder that is published or read as sources, or a
    cache that holds the sources."""
    output, cache = options.output.resolve(), options.cache_folder.resolve()
    sources = {"content folder": options.content.resolve(), "layouts folder": options.layouts.resolve()}
    wrong_output, wrong_cache = [], []
    if any(folder.exists() and not folder.is_dir() for folder in (output, *output.parents)):
        wrong_output.append("the output folder is a file, or inside one; give --output a folder")
    for name, held in {**sources, "settings file": options.config.resolve()}.items():
        if held.is_relative_to(output):
            wrong_output.append(f"the output folder holds the {name}; give --output a folder of its own")
    for name, folder in sources.items():
        if output.is_relative_to(folder) and output != folder:
            wrong_output.append(f"the output folder is inside the {name}; give --output a folder outside it")
    for name, folder in {"output folder": output, **sources}.items():
        if cache.is_relative_to(folder):
            wrong_cache.append(f"the cache folder is inside the {name}; give --cache a folder outside it")
    if any(folder.is_relative_to(cache) for folder in sources.values()):
        wrong_cache.append("the cache folder holds the sources; give --cache a folder of its own")
    output_at, cache_at = shown_path(options.output), shown_path(options.cache_folder)
    return [Problem(output_at, 1, m) for m in wrong_output] + [Problem(cache_at, 1, m) for m in wrong_cache]


def read_files(options: Options, state: State, hints: frozenset[str] | None = None) -> Files:
    """The settings, and every file under content/ and layouts/, with their digests.

    `hints`: a watcher's list of the paths that changed since the last build (None: look at everything).
    """
    version = generator_version()
    config, problems = load_config(options.config, shown_path(options.config))
    last_content, last_layouts = state.scanned or (None, None)
    content, content_known, content_problems = scan(options.content, state.content, False, hints, last_content)
    layouts_hinted = hints is None or any(p.startswith(os.path.abspath(options.layouts)) for p in hints)
    layout_problems: list[Problem] = []
    if last_layouts is not None and not layouts_hinted:
        layouts, layouts_known = last_layouts, state.layouts
    else:
        layouts, layouts_known, layout_problems = scan(options.layouts, state.layouts, missing_ok=True)
    templates = [s for s in layouts if not s.relative.startswith("static/")]
    base = digest(version + repr(config).encode() + b"".join(s.relative.encode() + s.digest for s in templates))
    everything = b"".join(s.relative.encode() + b"\0" + s.digest for s in (*content, *layouts))
    now = options.now or datetime.now(config.tz)
    return Files(
        version,
        config,
        content,
        layouts,
        [s for s in content if not s.relative.lower().endswith(".md")],
        [s for s in layouts if s.relative.startswith("static/")],
        content_known,
        layouts_known,
        base,
        digest(base + repr(options.drafts).encode() + everything),
        problems + content_problems + layout_problems,
        now if now.tzinfo else now.replace(tzinfo=config.tz),
    )


def unchanged_site(options: Options, files: Files, state: State) -> bool:
    """True when no source changed, no scheduled article came due, and output/ holds what the last build wrote."""
    if state.quick is None or not state.quick.holds(files.fingerprint, files.now):
        return False
    return all(still_there(options.output, path, known) for path, known in state.written.items())
