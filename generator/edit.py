"""A watcher's text edit: only the units that read the edited articles are looked at, whatever the site's size.

The usual path (build.rebuild) looks at every source, article and unit of output, a few µs each:
nothing for one build, but seconds for every save at 100 000 articles. Most saves change an
article's words and leave its place in the site as it was: same date, category, tags, slug,
aliases, expiry, pictures and draft flag. For those the watcher reads only the saved files, parses them,
swaps them into its site (model.with_edited) and asks an Index of who read what in the last
build which units may show them; those alone are checked, and redone when what they read
changed. Anything else (a new, deleted or moved article, a template, the settings, a picture,
an article coming due, output/ changed by hand) takes the usual path. Both give the same bytes
(tests/test_incremental.py drives random edits through a watcher and compares with clean builds).
"""

from __future__ import annotations

import os
import stat
import time
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .build import BuildResult, site_units
from .cache import ArticleStore
from .content import ContentFiles, is_source_name
from .deps import Facet, Unit
from .digests import Digests
from .errors import BuildFailed
from .incremental import Record, commit_files, produce_some, site_paths
from .inputs import Options
from .loader import Loaded, content_files, load_articles, parse_keys
from .model import Article, Site, holders, newest_first_key, published, shape, with_edited
from .output import MANIFEST, Staging, WriteReport, interrupted, stamp_of, still_there
from .progress import Progress, silent
from .sources import Known, Source, read_source, without_data
from .state import State

WIDE = ("all", "attr")  # facets that may change with any edit (the whole site, or a part the views do not know)


@dataclass(frozen=True, slots=True)
class Index:
    """Who read what in the last build: made after a build by the usual path, kept up to date by each edit."""

    records: dict[str, Record]  # the records it was made from (it serves no other)
    units: dict[str, Unit]  # name → unit
    order: dict[str, int]  # name → place in the site's list of units
    readers: dict[Facet, str | set[str]]  # facet an edit may change → the unit (or units) that read it
    slices: dict[Any, set[Facet]]  # list → the slices read of it
    wide: set[Facet]
    related_in: dict[str, list[str]]  # article → the articles whose related list shows it
    others: ContentFiles  # the content folder's files other than articles
    links: bool  # an article is a link: an edit of the file it points to is not named by the link
    files: int  # how many files the site has

    def note(self, facet: Facet) -> None:
        """Keep a slice or a wide facet where an edit looks for them."""
        if facet[0] == "slice":
            self.slices.setdefault(facet[1], set()).add(facet)
        elif facet[0] in WIDE:
            self.wide.add(facet)


def make_index(options: Options, state: State) -> Index | None:
    """The index of the site a build by the usual path left in `state`; None when an edit cannot use it."""
    if state.site is None or state.templates is None or state.scanned is None or state.digests is None:
        return None
    site, (content, layouts) = state.site[1], state.scanned
    assets = [s for s in content if not s.relative.lower().endswith(".md")]
    static = [s for s in layouts if s.relative.startswith("static/")]
    units = site_units(site, state.templates[1], options, assets, static)
    known = state.unit_keys
    if len(units) != len(state.records) or any(
        u.name not in state.records or u.name not in known or known[u.name][:2] != (state.base, u.inputs) for u in units
    ):
        return None
    readers: dict[Facet, str | set[str]] = {}
    for name, record in state.records.items():
        for facet, _ in record.reads:
            if touchable(facet):
                _add(readers, facet, name)
    index = Index(
        state.records,
        {u.name: u for u in units},
        {u.name: n for n, u in enumerate(units)},
        readers,
        {},
        set(),
        holders(site.related),
        content_files(content),
        any(s.link for s in content),
        sum(len(record.files) for record in state.records.values()),
    )
    for facet in readers:
        index.note(facet)
    # A digest kept for a facet nobody reads would not be forgotten when an edit covers it (see _forget_unread).
    memo = state.digests.memo
    state.digests.memo = {facet: value for facet, value in memo.items() if facet in readers or not touchable(facet)}
    return index


def touchable(facet: Facet) -> bool:
    """Whether an edit that keeps every article in its place may change the facet (not the list of categories,
    say, nor a list's length)."""
    return facet[0] not in ("shape", "len")


def _add(readers: dict[Facet, str | set[str]], facet: Facet, name: str) -> None:
    found = readers.get(facet)
    if found is None:
        readers[facet] = name
    elif isinstance(found, set):
        found.add(name)
    elif found != name:
        readers[facet] = {found, name}


def _drop(readers: dict[Facet, str | set[str]], facet: Facet, name: str) -> bool:
    """Note that the unit `name` no longer reads the facet; True when no unit does."""
    found = readers.get(facet)
    if isinstance(found, set):
        found.discard(name)
        if found:
            return False
    elif found is not None and found != name:
        return False
    readers.pop(facet, None)
    return True


def _names(found: str | set[str] | None) -> Iterable[str]:
    if found is None:
        return ()
    return (found,) if isinstance(found, str) else found


@dataclass(frozen=True, slots=True)
class Edited:
    """The saved files that are articles keeping their places: read, parsed, and the articles before and after."""

    sources: list[Source]  # every file hinted (some may have the bytes they had)
    known: dict[str, Known]
    places: dict[str, int]  # each file's place in the last scan
    old_keys: dict[str, bytes]  # the cache keys of the files changed, as they were
    loaded: Loaded  # the files changed, parsed
    shown: set[str]  # those published


def edit(
    options: Options, state: State, index: Index, hints: frozenset[str], hurry: bool, recheck: bool, progress: Progress
) -> tuple[BuildResult, State, Index] | None:
    """The build after the files `hints` changed, when they are articles that keep their places in the site;
    None when it needs the usual path. Raises BuildFailed with the edited files' problems.

    The watcher's memory (`state`, `index`) is changed in place: copying its tables would cost more than
    the edit itself on a big site. Nothing is changed until the pages are written, but the digests, which
    learn the new site while the pages are made, and which are put back if making them fails.
    """
    started = time.perf_counter()
    now = _now_if_usable(options, state, index, recheck)
    if now is None:
        return None
    edited = _edited(options, state, index, hints, now)
    if edited is None:
        return None
    assert state.site is not None and state.digests is not None and state.quick is not None
    raw, site = state.site
    after = {place: parsed.article for place, parsed in edited.loaded.parsed.items() if parsed.article is not None}
    new_site = with_edited(site, {p: site.article(p) for p in edited.shown}, after, index.related_in, now)
    keys = edited.loaded.article_keys
    stale = _stale(index, new_site, edited.shown)
    undo = state.digests.move_to(new_site, {place: keys[place] for place in edited.shown}, stale)
    names = {name for facet in stale for name in _names(index.readers.get(facet))}
    names |= state.left if not hurry else set()
    units = [index.units[name] for name in sorted(names, key=index.order.__getitem__)]
    staging = Staging(options.output)
    try:
        staging.begin()
        records, entries, left = produce_some(units, state.digests, state, staging, progress, hurry)
        every = None
        if any(state.records[name].files != record.files for name, record in records.items()):
            every = site_paths({**state.records, **records})  # a unit's files have other names (rare)
        removed = commit_files(entries, every, options.output, staging, state.written)
    except BaseException:
        undo()
        staging.discard()
        raise
    finally:
        progress.close()
    _forget_unread(index, units, records, state.digests)
    state.records.update(records)
    if every is not None:
        index = replace(index, files=len(every))
    _remember(state, edited, after)
    for place in edited.shown:
        raw[_at(raw, place, _source)] = after[place]
    written = sum(1 for e in entries if e.staged)
    state = replace(
        state,
        site=(raw, new_site),
        manifest=stamp_of(options.output / MANIFEST),
        folder=stamp_of(options.output),
        quick=state.quick.unsure(),  # its fingerprint is not worked out here
        left=(state.left - names) | left,
    )
    report = WriteReport(written, index.files - written, removed)
    result = BuildResult(len(new_site.articles), index.files, report, time.perf_counter() - started, bool(state.left))
    return result, state, index


def _now_if_usable(options: Options, state: State, index: Index, recheck: bool) -> datetime | None:
    """The build's `now`, when the watcher's memory is the last build's and output/ is as it left it."""
    root = options.output
    if index.records is not state.records or index.links or state.quick is None or state.site is None:
        return None
    config = state.site[1].config
    now = options.now or datetime.now(config.tz)
    now = now if now.tzinfo else now.replace(tzinfo=config.tz)
    if not state.quick.holds(state.quick.fingerprint, now):
        return None  # an article came due or expired: the site changes shape
    if interrupted(root) or stamp_of(root / MANIFEST) != state.manifest or stamp_of(root) != state.folder:
        return None
    if recheck and not all(still_there(root, path, known) for path, known in state.written.items()):
        return None  # a page deleted by hand: the usual path finds whose it was
    return now


def _edited(options: Options, state: State, index: Index, hints: frozenset[str], now: datetime) -> Edited | None:
    """The hinted files read and parsed, when all are articles that keep their places (their shape, draft flag
    and whether they are published); raises BuildFailed with their problems."""
    read = _read(options, state, hints)
    if read is None or state.site is None:
        return None
    sources, known = read
    scanned = state.scanned[0] if state.scanned else []
    at: dict[str, int] = {}  # each file's place in the last scan
    for source in sources:
        found = _at(scanned, source.relative, _relative)
        if found is None:
            return None
        at[source.relative] = found
    changed = [s for s in sources if scanned[at[s.relative]].digest != s.digest]
    config, site = state.site[1].config, state.site[1]
    store = ArticleStore(options.cache_folder)
    try:
        loaded = load_articles(
            options.content, changed, config, state.version, state.memory, store, 1, silent(), index.others
        )
    finally:
        store.close()
    if problems := loaded.problems():
        raise BuildFailed(problems)
    old_keys = parse_keys(state.version, config, [scanned[at[s.relative]] for s in changed])
    shown = set()
    for place, parsed in loaded.parsed.items():
        before = state.memory.get(old_keys[place])
        article = parsed.article
        if before is None or before.article is None or article is None:
            return None
        if shape(article) != shape(before.article) or article.draft != before.article.draft:
            return None  # it moves in the site
        if published([article], now, options.drafts):
            shown.add(place)
        if (place in shown) != (place in site.positions):
            return None  # it comes or goes
    return Edited(sources, known, at, old_keys, loaded, shown)


def _remember(state: State, edited: Edited, after: dict[str, Article]) -> None:
    """Note the edited files in the watcher's memory of the sources and of the parsed articles."""
    state.content.update(edited.known)
    if state.scanned is not None:
        for source in edited.sources:
            state.scanned[0][edited.places[source.relative]] = without_data([source])[0]
    for place in after:
        state.memory.pop(edited.old_keys[place], None)
    state.memory.update(edited.loaded.memory)


def _read(options: Options, state: State, hints: frozenset[str]) -> tuple[list[Source], dict[str, Known]] | None:
    """The hinted files, read now, when every one is an article the last build had (a regular file)."""
    content = os.path.join(os.path.abspath(options.content), "")
    layouts = os.path.join(os.path.abspath(options.layouts), "")
    sources, known = [], {}
    for path in sorted(hints):
        if path.startswith(layouts) or path == os.path.abspath(options.config):
            return None
        relative = path[len(content) :].replace(os.sep, "/")
        if not path.startswith(content) or not all(is_source_name(part) for part in relative.split("/")):
            continue  # not a source (outside, hidden or temporary): the scan would not see it either
        if relative not in state.content and not os.path.lexists(path):
            continue  # came and went (an editor's temporary file)
        if not relative.lower().endswith(".md") or relative not in state.content:
            return None
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None
            source, known[relative] = read_source(path, relative)
        except OSError:
            return None
        sources.append(source)
    return sources, known


def _relative(source: Source) -> str:
    return source.relative


def _source(article: Article) -> str:
    return article.source


def _at(items: list[Any], source: str, key: Any) -> int | None:
    """Where the item of `source` is in `items` (sorted by key), if it is there."""
    at = bisect_left(items, source, key=key)
    return at if at < len(items) and key(items[at]) == source else None


def _stale(index: Index, site: Site, edited: set[str]) -> set[Facet]:
    """Every facet read in the last build that may cover one of the edited articles, and the wide ones."""
    stale = set(index.wide)
    for source in edited:
        stale.add(("article", source))
        stale.update(("related", key) for key in index.related_in.get(source, ()))
        stale.update(("neighbours", n.source) for n in site.neighbours(site.article(source)) if n is not None)
        for name, position, length in lists_holding(site, site.article(source)):
            stale.update((("item", name, position), ("item", name, position - length)))
            stale.update(f for f in index.slices.get(name, ()) if covers(f, position, length))
    return stale


def lists_holding(site: Site, article: Article) -> list[tuple[Any, int, int]]:
    """The lists of the site that hold a published article, named as the views name them, with its place in
    each and each one's length."""
    category = site.category_of(article)
    found = [
        ("articles", site.positions[article.source], len(site.articles)),
        (("categories", category.slug), site.places[article.source], len(category.articles)),
    ]
    for tag in site.tag_sections(article):
        at = bisect_left(tag.articles, newest_first_key(article), key=newest_first_key)
        found.append((("tags", tag.slug), at, len(tag.articles)))
    return found


def covers(facet: Facet, position: int, length: int) -> bool:
    """Whether an ("item", list, i) or ("slice", list, start, stop, step) facet of a list of `length` covers
    `position` (True when it cannot be told)."""
    try:
        if facet[0] == "item":
            return (facet[2] + length if facet[2] < 0 else facet[2]) == position
        return position in range(*slice(*facet[2:5]).indices(length))
    except (TypeError, ValueError):
        return True


def _forget_unread(index: Index, checked: list[Unit], redone: dict[str, Record], digests: Digests) -> None:
    """Bring the index up to date: a unit redone may have read other facets this time. The digest of a facet
    nobody reads any more is forgotten, since no later edit would find it to forget it when it covers one.

    `index.records` still holds the records of before (the edit has not replaced them yet)."""
    for unit in checked:
        after = redone.get(unit.name)
        if after is None:
            continue
        before = index.records[unit.name]
        read_before = {f for f, _ in before.reads if touchable(f)}
        read_now = {f for f, _ in after.reads if touchable(f)}
        for facet in read_before - read_now:
            if _drop(index.readers, facet, unit.name):
                digests.memo.pop(facet, None)
        for facet in read_now - read_before:
            _add(index.readers, facet, unit.name)
            index.note(facet)
