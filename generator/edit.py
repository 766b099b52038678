"""A watcher's save of an article: only the units that may show it are looked at, whatever the site's size.

The usual path (build.rebuild) looks at every source, article and unit of output, a few µs each:
nothing for one build, but seconds for every save at 100 000 articles. Most saves change an
article's words and leave its place in the site as it was (same date, category, tags, slug,
aliases, expiry, pictures and draft flag), or add a new article, or delete one. For those the
watcher reads only the saved file, parses it, puts it into its site (model.with_edited,
with_added, with_removed) and asks an Index of who read what in the last build which units may
show it; those alone are checked, and redone when what they read changed. An article published or
unpublished counts as new or deleted, one that moved (date, labels, slug) as both. Anything else
(several articles that come, go or move at once, a new category or tag, a slug another article's
number depends on, a template, the settings, a picture, an article coming due, output/ changed by
hand) takes the usual path. Both give the same bytes (tests/test_incremental.py drives random edits through a
watcher and compares with clean builds).
"""

from __future__ import annotations

import os
import stat
import time
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .build import BuildResult, site_units, turning_points
from .cache import ArticleStore
from .content import ContentFiles, is_source_name
from .deps import Facet, Unit
from .digests import Digests, Moved
from .errors import BuildFailed
from .incremental import Record, commit_files, produce_some, unit_key
from .inputs import Options
from .loader import Loaded, content_files, load_articles, parse_keys
from .model import (
    Article,
    Site,
    holders,
    newest_first_key,
    published,
    shape,
    with_added,
    with_edited,
    with_removed,
)
from .output import MANIFEST, Staging, WriteReport, interrupted, stamp_of, still_there
from .progress import Progress, silent
from .render import article_unit, listing_pages, listing_unit
from .sources import Known, Source, read_source, without_data
from .state import Quick, State

WIDE = ("all", "attr")  # facets that may change with any edit (the whole site, or a part the views do not know)
LISTS = ("slice", "item", "len")  # facets of a list: which of its articles, or how many, a unit read


class Paths:
    """Every file of the site, and how many files need each folder: check_paths' rules, kept up to date so that a
    unit's new files are checked against the site without a pass over it."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.files = {path for record in records for path, _ in record.files}
        self.folders = Counter(folder for path in self.files for folder in _folders(path))

    def replace(self, old: list[str], new: list[str]) -> bool:
        """Files `new` in the place of files `old`; False, and nothing changed, when a new one would clash with
        another file (the usual path then says which)."""
        for path in old:
            self._drop(path)
        for count, path in enumerate(new):
            if self._clashes(path):
                for added in new[:count]:
                    self._drop(added)
                for path_before in old:
                    self._add(path_before)
                return False
            self._add(path)
        return True

    def _clashes(self, path: str) -> bool:
        parts = path.split("/")
        return (
            any(part in ("", ".", "..") for part in parts)
            or "\\" in path
            or path in self.files
            or path in self.folders
            or any(folder in self.files for folder in _folders(path))
        )

    def _add(self, path: str) -> None:
        self.files.add(path)
        self.folders.update(_folders(path))

    def _drop(self, path: str) -> None:
        self.files.remove(path)
        self.folders.subtract(_folders(path))
        for folder in _folders(path):
            if self.folders[folder] <= 0:
                del self.folders[folder]


def _folders(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


@dataclass(frozen=True, slots=True)
class Index:
    """Who read what in the last build: made after a build by the usual path, kept up to date by each edit."""

    records: dict[str, Record]  # the records it was made from (it serves no other)
    units: dict[str, Unit]  # name → unit
    order: dict[str, float]  # name → place in the site's list of units (a new unit's between its neighbours')
    readers: dict[Facet, str | set[str]]  # facet → the unit (or units) that read it
    lists: dict[Any, set[Facet]]  # list → the slices, items and lengths read of it
    wide: set[Facet]
    related_in: dict[str, list[str]]  # article → the articles whose related list shows it
    others: ContentFiles  # the content folder's files other than articles
    links: bool  # an article is a link: an edit of the file it points to is not named by the link
    paths: Paths  # every file of the site

    def note(self, facet: Facet) -> None:
        """Keep a facet of a list, or a wide one, where an edit looks for them."""
        if facet[0] in LISTS:
            self.lists.setdefault(facet[1], set()).add(facet)
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
        Paths(state.records.values()),
    )
    for facet in readers:
        index.note(facet)
    # A digest kept for a facet nobody reads would not be forgotten when an edit covers it (see _forget_unread).
    state.digests.memo = {facet: value for facet, value in state.digests.memo.items() if facet in readers}
    return index


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
    """The saved files: read, parsed, and what they are to the site (edited in place, or one that comes, goes or
    moves: then `came`, `went` or both)."""

    sources: list[Source]  # every file hinted that is there (some may have the bytes they had)
    known: dict[str, Known]
    old_keys: dict[str, bytes]  # the cache keys of the files changed or deleted, as they were
    loaded: Loaded  # the files changed or new, parsed
    shown: set[str]  # the published articles edited in place
    came: str | None = None  # an article that comes into the site (new, or published now), or moves
    went: str | None = None  # an article that leaves the site (deleted, or no longer published), or moves


@dataclass(frozen=True, slots=True)
class Change:
    """What a save does to the site: the site after it, the facets whose digests it may change, the units that
    come (with their places among the others) and those that go."""

    site: Site
    keys: dict[str, bytes]  # the cache keys of the articles edited or new
    stale: set[Facet]
    came: list[Unit] = field(default_factory=list)
    went: list[str] = field(default_factory=list)
    order: dict[str, float] = field(default_factory=dict)
    ranked: list[str] = field(default_factory=list)  # articles whose related lists are new (when articles move)


def edit(
    options: Options, state: State, index: Index, hints: frozenset[str], hurry: bool, recheck: bool, progress: Progress
) -> tuple[BuildResult, State, Index] | None:
    """The build after the files `hints` changed, when they are articles that keep their places in the site, or one
    article that comes, goes or moves; None when it needs the usual path. Raises BuildFailed with the saved files'
    problems.

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
    change = _change(options, state, index, edited, now)
    if change is None:
        return None
    assert state.site is not None and state.digests is not None and state.quick is not None
    undo = state.digests.move_to(change.site, change.keys, change.stale, None if edited.came else edited.went)
    for unit in change.came:
        state.unit_keys[unit.name] = (state.base, unit.inputs, unit_key(unit, state.base, state.digests))
    names = {name for facet in change.stale for name in _names(index.readers.get(facet))}
    names = (names | (state.left if not hurry else set())).difference(change.went)
    orders = {**{n: index.order[n] for n in names}, **change.order}
    units = sorted([*(index.units[n] for n in names), *change.came], key=lambda u: (orders[u.name], u.name))
    staging = Staging(options.output)
    try:
        staging.begin()
        records, entries, left = produce_some(units, state.digests, state, staging, progress, hurry)
        old_files, new_files = _files_changed(state.records, records, change.went)
        if (old_files or new_files) and not index.paths.replace(old_files, new_files):
            staging.discard()
            undo()
            _forget_keys(state, change)
            return None  # a new file where another is: the usual path says which
        try:
            every = list(index.paths.files) if old_files or new_files else None
            removed = commit_files(entries, every, options.output, staging, state.written)
        except BaseException:
            index.paths.replace(new_files, old_files)
            raise
    except BaseException:
        undo()
        _forget_keys(state, change)
        staging.discard()
        raise
    finally:
        progress.close()
    _update_index(index, units, records, change, state.digests)
    _rehold(index.related_in, state.site[1], change.site, change.ranked)
    state.records.update(records)
    for name in change.went:
        del state.records[name], state.unit_keys[name]
    _remember(state, edited, change.site)
    written = sum(1 for e in entries if e.staged)
    state = replace(
        state,
        site=(state.site[0], change.site),
        manifest=stamp_of(options.output / MANIFEST),
        folder=stamp_of(options.output),
        quick=_quick_after(state.quick, edited, change.site, now),
        left=(state.left - names).difference(change.went) | left,
    )
    files = len(index.paths.files)
    report = WriteReport(written, files - written, removed)
    result = BuildResult(len(change.site.articles), files, report, time.perf_counter() - started, bool(state.left))
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
    and whether they are published), or one alone is an article that comes, goes or moves: new or published now
    (with no expiry), deleted or no longer published, or published with another date, labels or slug. Raises
    BuildFailed with their problems."""
    read = _read(options, state, hints)
    if read is None or state.site is None or state.scanned is None:
        return None
    sources, known, deleted = read
    scanned, config, site = state.scanned[0], state.site[1].config, state.site[1]
    places = {s.relative: _at(scanned, s.relative, _relative) for s in sources}
    changed = [s for s in sources if places[s.relative] is None or scanned[places[s.relative]].digest != s.digest]
    old = [scanned[at] for s in changed if (at := places[s.relative]) is not None]
    if deleted is not None:
        if sources or deleted not in site.positions:
            return None  # one at a time, alone; an article not published changes when the site does
        old.append(scanned[_at(scanned, deleted, _relative)])
    store = ArticleStore(options.cache_folder)
    try:
        loaded = load_articles(
            options.content, changed, config, state.version, state.memory, store, 1, silent(), index.others
        )
    finally:
        store.close()
    if problems := loaded.problems():
        raise BuildFailed(problems)
    old_keys = parse_keys(state.version, config, old)
    if deleted is not None:
        return Edited([], {}, old_keys, loaded, set(), went=deleted)
    shown, moving = set(), []
    for place, parsed in loaded.parsed.items():
        was = state.memory.get(old_keys[place]) if place in old_keys else None
        article = parsed.article
        if article is None:
            return None
        is_shown = bool(published([article], now, options.drafts))
        if (place in site.positions) != is_shown or was is None or was.article is None:
            moving.append(place)  # it comes or goes, or what it was is not known
        elif shape(article) != shape(was.article) or article.draft != was.article.draft:
            moving.append(place)  # it moves in the site
        elif is_shown:
            shown.add(place)
    if not moving:
        return Edited(sources, known, old_keys, loaded, shown)
    place = moving[0]
    article = loaded.parsed[place].article
    came = place if published([article], now, options.drafts) else None
    went = place if place in site.positions else None
    if len(sources) != 1 or (came is None and went is None) or (came and article.expires):
        return None  # one at a time, alone; an article not published (or that will expire) changes the site's times
    return Edited(sources, known, old_keys, loaded, set(), came=came, went=went)


def _change(options: Options, state: State, index: Index, edited: Edited, now: datetime) -> Change | None:
    """What the save does to the site, when the site can be brought to it in place."""
    assert state.site is not None and state.templates is not None
    raw, site = state.site
    keys = edited.loaded.article_keys
    if edited.came is None and edited.went is None:
        after = {place: parsed.article for place, parsed in edited.loaded.parsed.items() if parsed.article is not None}
        new_site = with_edited(site, {p: site.article(p) for p in edited.shown}, after, index.related_in, now)
        return Change(new_site, {p: keys[p] for p in edited.shown}, _stale(index, new_site, edited.shown))
    moved: Site | None = site
    if edited.went is not None:
        at = _at(raw, edited.went, _source)
        moved, raw = with_removed(site, raw, edited.went, now), raw[:at] + raw[at + 1 :]
    if edited.came is not None and moved is not None:
        article = edited.loaded.parsed[edited.came].article
        assert article is not None
        moved = with_added(moved, raw, article, now)
    if moved is None:
        return None
    source = edited.came or edited.went
    assert source is not None
    came, went, order = _units_moved(options, state.templates[1], index, site, moved, source)
    keys = {source: keys[source]} if edited.came else {}
    ranked = _related_changed(site, moved)
    return Change(moved, keys, _stale_moved(index, site, moved, source, ranked), came, went, order, ranked)


def _units_moved(
    options: Options, env: Any, index: Index, before: Site, after: Site, source: str
) -> tuple[list[Unit], list[str], dict[str, float]]:
    """The units that come with an article (its page, and listing pages its lists grew by) with their places
    among the others, and the names of those that go with it."""
    came, went, order = [], [], {}
    was, at = source in before.positions, after.positions.get(source)  # both: it moved, and its page stays
    if at is not None and not was:
        unit = article_unit(env, options.layouts, source)
        lower = index.order[f"article {after.articles[at - 1].source}" if at else "search page"]
        upper = index.order[f"article {after.articles[at + 1].source}"] if at + 1 < len(after.articles) else lower + 1
        came.append(unit)
        order[unit.name] = (lower + upper) / 2
    elif at is None:
        went.append(f"article {source}")
    for kind, old_sections, new_sections in (
        ("category", before.categories, after.categories),
        ("tag", before.tags, after.tags),
    ):
        for old, new in zip(old_sections, new_sections, strict=True):
            pages, grown = listing_pages(before, old), listing_pages(after, new)
            for number in grown[len(pages) :]:
                unit = listing_unit(env, options.layouts, kind, new.slug, number)
                came.append(unit)
                order[unit.name] = index.order[f"{kind} {new.slug} {number - 1}"] + 0.5
            went += [f"{kind} {old.slug} {number}" for number in pages[len(grown) :]]
    return came, went, order


def _stale_moved(index: Index, before: Site, after: Site, source: str, ranked: list[str]) -> set[Facet]:
    """Every facet read in the last build whose digest an article that comes, goes or moves may change, and the
    wide ones: the slices, items and lengths of its lists from its place on, its neighbours, the related lists
    ranked again, and the pictures if it shows any."""
    moved = Moved(before, after)
    stale = {*index.wide, ("article", source), *(("neighbours", s) for s in moved.beside)}
    for name in moved.lists:
        stale.update(f for f in index.lists.get(name, ()) if not moved.keeps(f))
    stale.update(("related", s) for s in ranked)
    if before.pictures is not after.pictures:
        stale.add(("shape", "pictures"))
    return stale


def _related_changed(before: Site, after: Site) -> list[str]:
    """The articles whose related lists are not the same objects in both sites (new, gone or ranked again)."""
    was, now = before.related, after.related
    return [s for s, items in now.items() if was.get(s) is not items] + [s for s in was if s not in now]


def _files_changed(
    records: dict[str, Record], redone: dict[str, Record], went: list[str]
) -> tuple[list[str], list[str]]:
    """The files the site no longer has and those it has now, where units' files differ."""
    old, new = [], []
    for name, record in redone.items():
        before = records.get(name)
        if before is None or before.files != record.files:
            old += [path for path, _ in before.files] if before is not None else []
            new += [path for path, _ in record.files]
    for name in went:
        old += [path for path, _ in records[name].files]
    return old, new


def _forget_keys(state: State, change: Change) -> None:
    """After a failed save: the new units' keys, noted for making them, are forgotten."""
    for unit in change.came:
        state.unit_keys.pop(unit.name, None)


def _quick_after(quick: Quick, edited: Edited, site: Site, now: datetime) -> Quick:
    """The span of clock times over which the site stays as built, after a save (never taken for the site as
    built: its fingerprint is not worked out here). An article that goes leaves it as it was: no wider than it is."""
    if edited.came is None:
        return quick.unsure() if edited.went is None else replace(quick.unsure(), articles=len(site.articles))
    article = site.article(edited.came)
    since, until = turning_points([article], [article], now, True)  # its own, then the narrower of both spans
    since = max(filter(None, (quick.since, since)), default=None)
    until = min(filter(None, (quick.until, until)), default=None)
    return replace(quick.unsure(), since=since, until=until, articles=len(site.articles))


def _remember(state: State, edited: Edited, site: Site) -> None:
    """Note the saved files in the watcher's memory of the sources, of the parsed articles and of the articles
    published (`site`: the site after the save)."""
    assert state.scanned is not None and state.site is not None
    scanned, raw = state.scanned[0], state.site[0]
    state.content.update(edited.known)
    for source in without_data(edited.sources):
        at = _at(scanned, source.relative, _relative)
        if at is None:
            insort(scanned, source, key=_relative)
        else:
            scanned[at] = source
    if edited.went is not None:
        del raw[_at(raw, edited.went, _source)]
        if not edited.sources:  # its file was deleted
            del state.content[edited.went], scanned[_at(scanned, edited.went, _relative)]
    for key in edited.old_keys.values():
        state.memory.pop(key, None)
    state.memory.update(edited.loaded.memory)
    for place in edited.shown:
        raw[_at(raw, place, _source)] = edited.loaded.parsed[place].article
    if edited.came is not None:
        insort(raw, edited.loaded.parsed[edited.came].article, key=_source)


def _read(
    options: Options, state: State, hints: frozenset[str]
) -> tuple[list[Source], dict[str, Known], str | None] | None:
    """The hinted files, read now, when every one is an article file (a regular one), and the one deleted if any."""
    content = os.path.join(os.path.abspath(options.content), "")
    layouts = os.path.join(os.path.abspath(options.layouts), "")
    sources, known, went = [], {}, None
    for path in sorted(hints):
        if path.startswith(layouts) or path == os.path.abspath(options.config):
            return None
        relative = path[len(content) :].replace(os.sep, "/")
        if not path.startswith(content) or not all(is_source_name(part) for part in relative.split("/")):
            continue  # not a source (outside, hidden or temporary): the scan would not see it either
        if not os.path.lexists(path):
            if relative not in state.content:
                continue  # came and went (an editor's temporary file)
            if went is not None or not relative.lower().endswith(".md"):
                return None
            went = relative
            continue
        if not relative.lower().endswith(".md"):
            return None
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None
            source, known[relative] = read_source(path, relative)
        except OSError:
            return None
        sources.append(source)
    return sources, known, went


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
            stale.update(f for f in index.lists.get(name, ()) if f[0] != "len" and covers(f, position, length))
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


def _update_index(
    index: Index, checked: list[Unit], redone: dict[str, Record], change: Change, digests: Digests
) -> None:
    """Bring the index up to date after a save: the units that came and went, what each unit redone read this time,
    The digest of a facet nobody reads any more is forgotten, since
    no later edit would find it to forget it when it covers one.

    `index.records` still holds the records of before (the edit has not replaced them yet)."""
    for unit in checked:
        after = redone.get(unit.name)
        if after is None:
            continue
        before = index.records.get(unit.name)
        read_before = {f for f, _ in before.reads} if before is not None else set()
        read_now = {f for f, _ in after.reads}
        for facet in read_before - read_now:
            if _drop(index.readers, facet, unit.name):
                digests.memo.pop(facet, None)
        for facet in read_now - read_before:
            _add(index.readers, facet, unit.name)
            index.note(facet)
    for name in change.went:
        for facet, _ in index.records[name].reads:
            if _drop(index.readers, facet, name):
                digests.memo.pop(facet, None)
        del index.units[name], index.order[name]
    for unit in change.came:
        index.units[unit.name] = unit
        index.order[unit.name] = change.order[unit.name]


def _rehold(related_in: dict[str, list[str]], before: Site, after: Site, ranked: list[str]) -> None:
    """Note who shows each article in its related list, after the lists of `ranked` changed."""
    for source in ranked:
        for article in before.related.get(source, ()):
            related_in[article.source].remove(source)
        for article in after.related.get(source, ()):
            related_in.setdefault(article.source, []).append(source)
