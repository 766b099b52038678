"""Digests of what units of output read, computed once per build and carried over from the last one.

A watcher keeps the last build's digests. After a save most facets cover the same article objects as
before (an edit replaces one article; a new one moves its lists from its place on, and a few related
lists), so their digests are carried over instead of being computed again for every unit.
"""

from __future__ import annotations

import hashlib
import operator
import pickle
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from itertools import compress, count, islice
from typing import Any

from .deps import Facet
from .model import Article, Section, Site, common_ends

MISSING = b"\xffmissing"
KNOWN_FIELDS = ("config", "articles", "categories", "tags", "related")


def _hash(*parts: bytes) -> bytes:
    state = hashlib.blake2b(digest_size=16)
    for part in parts:
        state.update(len(part).to_bytes(8, "little"))
        state.update(part)
    return state.digest()


def sections_of(site: Site) -> dict[Any, Section]:
    """The site's categories and tags by the names the views give their lists."""
    return {("categories", s.slug): s for s in site.categories} | {("tags", s.slug): s for s in site.tags}


def article_digest(key: bytes, article: Article) -> bytes:
    """The digest of a published article: its file's cache key, and what the site made of it (slug, labels)."""
    return _hash(key, article.slug.encode(), article.category.encode(), "\x1f".join(article.tags).encode())


class Digests:
    """Digests of articles, unit inputs and facets of one site, each computed once (`memo`)."""

    def __init__(
        self, site: Site, keys: dict[str, bytes], articles: dict[str, bytes], memo: dict[Facet, bytes] | None = None
    ) -> None:
        self.keys = keys  # source → the cache key of the article's file
        self.articles = articles  # source → article_digest
        self.memo: dict[Facet, bytes] = memo if memo is not None else {}
        self._on(site)

    def _on(self, site: Site) -> None:
        self.site = site
        self.sections = sections_of(site)

    @classmethod
    def of(cls, site: Site, article_keys: dict[str, bytes], previous: Digests | None) -> Digests:
        """The digests of a build's site. `previous`: the last build's (a watcher's), whose digests of articles
        and facets that did not move are carried over (see Moved)."""
        keys = {a.source: article_keys[a.source] for a in site.articles}
        if previous is None:
            return cls(site, keys, {a.source: article_digest(keys[a.source], a) for a in site.articles})
        before, articles = previous.site, {}
        for article in site.articles:
            source = article.source
            at = before.positions.get(source)
            if at is None or before.articles[at] is not article:
                articles[source] = article_digest(keys[source], article)
            elif previous.keys.get(source) == keys[source]:
                articles[source] = previous.articles[source]
            else:  # a file changed in a way the site does not show (the site kept the article as it was)
                return cls.of(site, article_keys, None)  # rare: everything computed again, from the new keys
        moved = Moved(before, site)
        return cls(site, keys, articles, {f: v for f, v in previous.memo.items() if moved.keeps(f)})

    def move_to(
        self, site: Site, keys: dict[str, bytes], stale: set[Facet], gone: str | None = None
    ) -> Callable[[], None]:
        """Become the digests of `site`, this one's site with some articles edited, one new, or the one from `gone`
        taken out: `keys` the new cache keys of the files edited or new, `stale` every facet whose digest may have
        changed. Changed in place, as a copy of the memo would cost more than the edit on a big site; returns what
        undoes it (what the memo learnt since is forgotten, as it may not be true of the old site; the rest holds
        for both)."""
        old_site = self.site
        changed = [*keys, *([gone] if gone is not None else [])]
        old = {source: (self.keys.get(source), self.articles.get(source)) for source in changed}
        self._on(site)
        self.keys.update(keys)
        self.articles.update({source: article_digest(key, site.article(source)) for source, key in keys.items()})
        if gone is not None:
            del self.keys[gone], self.articles[gone]
        for facet in stale:
            self.memo.pop(facet, None)
        known = len(self.memo)  # the memo only grows from here, in order: what it learns comes after these

        def undo() -> None:
            self._on(old_site)
            for source, (key, value) in old.items():
                for table, was in ((self.keys, key), (self.articles, value)):
                    if was is None:
                        table.pop(source, None)
                    else:
                        table[source] = was
            for facet in list(islice(self.memo, known, None)):
                del self.memo[facet]

        return undo

    def article(self, article: Article) -> bytes:
        return self.articles.get(article.source) or _hash(pickle.dumps(article))

    def many(self, articles: Sequence[Article]) -> bytes:
        return _hash(b"".join(self.article(a) for a in articles))

    def value(self, value: Any) -> bytes:
        """A digest of a unit's inputs: articles, sections and plain values."""
        if isinstance(value, Article):
            return b"A" + self.article(value)
        if isinstance(value, Section):
            return _hash(b"S", value.name.encode(), value.slug.encode(), self.many(value.articles))
        if isinstance(value, (tuple, list)):
            return _hash(b"T", *(self.value(v) for v in value))
        if value is None or isinstance(value, (str, int, float, bool, bytes)):
            return _hash(b"V", repr(value).encode())
        raise TypeError(f"a unit input must be an article, a section or a plain value, not {type(value).__name__}")

    def _sequence(self, name: Any) -> tuple[Article, ...] | None:
        if name == "articles":
            return self.site.articles
        section = self.sections.get(name)
        return section.articles if section is not None else None

    def unchanged(self, reads: tuple[tuple[Facet, bytes], ...]) -> bool:
        """Whether every facet read (with the digest it had then) has the same digest now."""
        memo = self.memo
        for facet, value in reads:
            found = memo.get(facet)
            if (found if found is not None else self.facet(facet)) != value:
                return False
        return True

    def facet(self, facet: Facet) -> bytes:
        found = self.memo.get(facet)
        if found is None:
            found = self.memo[facet] = self._facet(facet)
        return found

    def _facet(self, facet: Facet) -> bytes:
        kind = facet[0]
        if kind == "shape" and facet[1] == "pictures":
            return _hash(pickle.dumps(self.site.pictures))
        if kind == "shape":
            sections = self.site.categories if facet[1] == "categories" else self.site.tags
            return _hash(*(f"{s.name}\0{s.slug}\0{s.url}".encode() for s in sections))
        if kind == "article":
            return self.articles.get(facet[1], MISSING)
        if kind == "related":
            related = self.site.related.get(facet[1]) if isinstance(facet[1], str) else None
            return MISSING if related is None else self.many(related)
        if kind == "neighbours":
            if not isinstance(facet[1], str) or facet[1] not in self.site.positions:
                return MISSING
            pair = self.site.neighbours(self.site.article(facet[1]))
            return _hash(*(b"" if a is None else self.article(a) for a in pair))
        if kind == "all":
            return self._everything()
        if kind == "attr":
            return _hash(pickle.dumps(getattr(self.site, facet[1], None)))
        items = self._sequence(facet[1])
        if items is None:
            return MISSING
        if kind == "len":
            return repr(len(items)).encode()
        try:
            chosen = items[slice(*facet[2:5])] if kind == "slice" else (items[facet[2]],)
        except (IndexError, TypeError, ValueError):
            return MISSING
        return self.many(chosen)

    def _everything(self) -> bytes:
        site = self.site
        parts = [self.many(site.articles), self.facet(("shape", "categories")), self.facet(("shape", "tags"))]
        parts += [self.many(s.articles) for s in (*site.categories, *site.tags)]
        parts += [k.encode() + self.many(v) for k, v in sorted(site.related.items())]
        parts += [pickle.dumps(getattr(site, f.name)) for f in fields(site) if f.name not in KNOWN_FIELDS]
        return _hash(*parts)


class Moved:
    """Which facets of the last site keep their digests in a new one. An article object is never changed, and
    one made from the same file has one digest, so a facet keeps its digest when it covers the same objects as
    before: the same article, the same related list, the same neighbours, a slice of a list where no article came,
    went or was replaced. A new article or a deleted one moves the lists that hold it from its place on, a
    text edit only the places of the edited articles. Comparing objects costs a pass over each list in C."""

    def __init__(self, before: Site, after: Site) -> None:
        self.before, self.after = before, after
        old, new = sections_of(before), sections_of(after)
        self.lists: dict[Any, tuple[Sequence[int], int, int] | None] = {}
        # moved list → (the places that differ, its lengths); None: a list that came or went (its facets read
        # nothing of it before, or nothing now)
        self.beside: set[str] = set()  # articles whose neighbours may differ
        came_or_went = old.keys() ^ new.keys()
        pairs = [("articles", before.articles, after.articles)]
        pairs += [
            (name, old[name].articles if name in old else (), new[name].articles if name in new else ())
            for name in old.keys() | new.keys()
        ]
        for name, was, now in pairs:
            if was is now:
                continue
            places, gone, came = _differ(was, now)
            if places:
                self.lists[name] = None if name in came_or_went else (places, len(was), len(now))
                if name[0] == "categories":
                    self.beside.update(was[p].source for p in _around(gone, len(was)))
                    self.beside.update(now[p].source for p in _around(came, len(now)))

    def keeps(self, facet: Facet) -> bool:
        kind = facet[0]
        if kind in ("slice", "item", "len"):
            if facet[1] not in self.lists:
                return True
            moved = self.lists[facet[1]]
            return moved is not None and _keeps(facet, *moved)
        if kind == "article":
            return self._same(facet[1])
        if kind == "neighbours":
            return facet[1] not in self.beside and self._same(facet[1])
        if kind == "related":
            was, now = self.before.related.get(facet[1]), self.after.related.get(facet[1])
            return was is now or (
                was is not None and now is not None and len(was) == len(now) and all(map(operator.is_, was, now))
            )
        return False  # the shape of the site, a part of it the views do not know, or all of it: computed again

    def _same(self, source: Any) -> bool:
        was, now = self.before.positions.get(source), self.after.positions.get(source)
        if was is None or now is None:
            return was is now
        return self.before.articles[was] is self.after.articles[now]


def _differ(was: Sequence[Article], now: Sequence[Article]) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
    """Where two lists hold other objects: by place (a list grown or shrunk moves every article from where it
    first differs), then in each list the articles that are not at the same distance from its start or its end
    in the other (where neighbours changed). Lists as long: the places that differ, for all three."""
    if len(was) == len(now):
        places = list(compress(count(), map(operator.is_not, was, now)))
        return places, places, places
    start, end = common_ends(was, now)
    return range(start, max(len(was), len(now))), range(start, len(was) - end), range(start, len(now) - end)


def _around(places: Sequence[int], length: int) -> Iterable[int]:
    """The places next to (or at) `places` in a list of `length`: whose neighbours may have changed."""
    if isinstance(places, range):
        return range(max(0, places.start - 1), min(length, places.stop + 1))
    return {p + d for p in places for d in (-1, 0, 1) if 0 <= p + d < length}


def _keeps(facet: Facet, places: Sequence[int], was: int, now: int) -> bool:
    """Whether a slice, item or length of a list read as it is now reads the same articles as it did."""
    if facet[0] == "len":
        return was == now
    try:
        if facet[0] == "item":
            first = facet[2] + now if facet[2] < 0 else facet[2]
            if first != (facet[2] + was if facet[2] < 0 else facet[2]) or not 0 <= first < min(was, now):
                return False
            span = range(first, first + 1)
        else:
            span = range(*slice(*facet[2:5]).indices(now))
            if span != range(*slice(*facet[2:5]).indices(was)) or span.step != 1:
                return False
    except (TypeError, ValueError):
        return False
    at = bisect_left(places, span.start)
    return at == len(places) or places[at] >= span.stop
