"""Digests of what units of output read, computed once per build and carried over from the last one.

After a watcher's text edit the site keeps its shape: the same articles in the same places. A
facet then changes only if it covers an edited article (its slice of a list, its related list),
so its digest is carried over from the last build instead of being computed again.
"""

from __future__ import annotations

import hashlib
import pickle
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import fields
from itertools import islice
from typing import Any

from .deps import Facet
from .model import Article, Section, Site, newest_first_key

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

    def __init__(self, site: Site, articles: dict[str, bytes], memo: dict[Facet, bytes] | None = None) -> None:
        self.articles = articles  # source → article_digest
        self.memo: dict[Facet, bytes] = memo if memo is not None else {}
        self._on(site)

    def _on(self, site: Site) -> None:
        self.site = site
        self.sections = sections_of(site)

    @classmethod
    def of(
        cls, site: Site, article_keys: dict[str, bytes], previous: Digests | None, changed: set[str] | None
    ) -> Digests:
        """The digests of a build's site. `previous` and `changed`: the last build's digests and the articles
        edited since, when the site kept its shape (see model.swap_articles): the digests of facets that
        cover none of them are carried over."""
        if previous is None or changed is None:
            return cls(site, {a.source: article_digest(article_keys[a.source], a) for a in site.articles})
        edited = {source: site.article(source) for source in changed if source in site.positions}
        digests = {source: article_digest(article_keys[source], item) for source, item in edited.items()}
        cover = _Cover(site, edited)
        return cls(
            site, {**previous.articles, **digests}, {f: v for f, v in previous.memo.items() if not cover.covers(f)}
        )

    def move_to(self, site: Site, articles: dict[str, bytes], stale: set[Facet]) -> Callable[[], None]:
        """Become the digests of `site`, this one's site with some articles edited in place (keeping their shape):
        `articles` their new digests, `stale` every facet that may cover one of them. Changed in place, as a
        copy of the memo would cost more than the edit on a big site; returns what undoes it (what the memo
        learnt since is forgotten, as it may not be true of the old site; the rest holds for both)."""
        old_site, old_articles = self.site, {source: self.articles.get(source) for source in articles}
        self._on(site)
        self.articles.update(articles)
        for facet in stale:
            self.memo.pop(facet, None)
        known = len(self.memo)  # the memo only grows from here, in order: what it learns comes after these

        def undo() -> None:
            self._on(old_site)
            for source, value in old_articles.items():
                if value is None:
                    self.articles.pop(source, None)
                else:
                    self.articles[source] = value
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


class _Cover:
    """Which facets cover an article edited in place (the site kept its shape): read by the full path, which
    does not know who reads what, so it looks at every facet it kept."""

    def __init__(self, site: Site, edited: dict[str, Article]) -> None:
        self.site, self.edited, self.sections = site, edited, sections_of(site)
        self.related = {key for key, others in site.related.items() if any(a.source in edited for a in others)}
        self.beside = {n.source for article in edited.values() for n in site.neighbours(article) if n is not None}
        self.where: dict[Any, set[int]] = {}
        for article in edited.values():
            for name, position, _ in lists_holding(site, article):
                self.where.setdefault(name, set()).add(position)

    def covers(self, facet: Facet) -> bool:
        kind = facet[0]
        if kind in ("shape", "len"):
            return False
        if kind == "article":
            return facet[1] in self.edited
        if kind == "related":
            return facet[1] in self.related
        if kind == "neighbours":
            return facet[1] in self.beside
        if kind not in ("slice", "item"):
            return True
        if facet[1] != "articles" and facet[1] not in self.sections:
            return True  # a list this site does not have: compared again
        items = self.site.articles if facet[1] == "articles" else self.sections[facet[1]].articles
        return covers(facet, self.where.get(facet[1], set()), len(items))


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


def covers(facet: Facet, positions: set[int] | list[int], length: int) -> bool:
    """Whether an ("item", list, i) or ("slice", list, start, stop, step) facet of a list of `length` covers one of
    `positions` (True when it cannot be told)."""
    if not positions:
        return False
    try:
        if facet[0] == "item":
            index = facet[2] + length if facet[2] < 0 else facet[2]
            return index in positions
        span = range(*slice(*facet[2:5]).indices(length))
    except (TypeError, ValueError):
        return True
    return any(position in span for position in positions)
