"""Articles from their source files: from memory, else from the cache, else parsed (in processes when many)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .cache import ArticleStore
from .config import SiteConfig
from .content import ContentFiles, Parsed, read_article
from .errors import Problem
from .markup import Converter
from .parallel import ordered_map
from .progress import Progress
from .sources import Source, digest, shown_paths


@dataclass(frozen=True, slots=True)
class Loaded:
    """Every article file of a build, parsed, with the key each was found under."""

    parsed: dict[str, Parsed]  # place in the content folder → result
    keys: dict[str, bytes]  # place in the content folder → the key of its cache entry
    memory: dict[bytes, Parsed]  # key → result, for the next build in this process

    @property
    def articles(self) -> list:
        return [p.article for p in self.parsed.values() if p.article is not None]

    @property
    def article_keys(self) -> dict[str, bytes]:
        """Place → a digest of everything its article came from: its key and the pictures it looked at."""
        return {place: _with_pictures(key, self.parsed[place].looked_at) for place, key in self.keys.items()}

    def problems(self) -> list[Problem]:
        return [problem for item in self.parsed.values() for problem in item.problems]


def _with_pictures(key: bytes, looked_at: tuple[tuple[str, bytes | None], ...]) -> bytes:
    if not looked_at:
        return key  # the key alone says everything the article came from
    return digest(key + b"".join(a.encode() + b"\0" + (d or b"-") for a, d in looked_at))


def content_files(sources: list[Source]) -> ContentFiles:
    """The content folder's files other than articles, by site address, read only when measured."""
    by_address = {f"/{s.relative}": s for s in sources if not s.relative.lower().endswith(".md")}
    return ContentFiles({a: s.digest for a, s in by_address.items()}, lambda address: by_address[address].read())


def parse_keys(version: bytes, config: SiteConfig, sources: list[Source]) -> dict[str, bytes]:
    """Everything read_article reads: the bytes, the file's place in the content folder, the time zone, the
    default author, the code. Not the path messages show, which depends on the folder the command runs in
    (Parsed.shown_as puts it in): a build from another folder finds the same entries."""
    settings = version + f"\0{config.tz.key}\0{config.author}\0".encode()
    return {s.relative: digest(settings + f"{s.relative}\0".encode() + s.digest) for s in sources}


def load_articles(
    root: Path,
    sources: list[Source],
    config: SiteConfig,
    version: bytes,
    memory: Mapping[bytes, Parsed],
    store: ArticleStore,
    jobs: int,
    progress: Progress,
    others: ContentFiles | None = None,
) -> Loaded:
    """Parse what neither memory nor the store knows; store what was parsed.

    `others`: the content folder's other files, when `sources` are not all of them (content_files of all).
    """
    todo = [s for s in sources if s.relative.lower().endswith(".md")]
    shown = shown_paths(root, todo)
    keys = parse_keys(version, config, todo)
    others = others if others is not None else content_files(sources)
    found: dict[bytes, Parsed] = {k: memory[k] for k in keys.values() if k in memory}
    stored = store.get(k for k in keys.values() if k not in found)
    for key, data in stored.items():
        try:
            found[key] = pickle.loads(data)
        except Exception:  # a damaged entry is parsed again
            continue
    found = {k: p for k, p in found.items() if p.still_true(others)}  # a picture it shows was changed: parse again
    missing = [s for s in todo if keys[s.relative] not in found]
    if missing:
        progress.start("Reading articles", len(missing))
        converter = Converter()
        here, parsed_here = os.getpid(), {}

        def work(number: int) -> bytes:
            item = missing[number]
            parsed = read_article(
                item.relative, item.read(), shown[item.relative], config.tz, config.author, converter, others
            )
            if os.getpid() == here:  # parsed in this process: kept as it is, not read back from its bytes
                parsed_here[number] = parsed
            return pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)

        made = ordered_map(work, len(missing), jobs, progress.tick)
        store.put({keys[s.relative]: data for s, data in zip(missing, made, strict=True)})
        for number, (item, data) in enumerate(zip(missing, made, strict=True)):
            found[keys[item.relative]] = parsed_here.get(number) or pickle.loads(data)
    parsed = {s.relative: found[keys[s.relative]].shown_as(shown[s.relative]) for s in todo}
    return Loaded(parsed, keys, {keys[place]: item for place, item in parsed.items()})
