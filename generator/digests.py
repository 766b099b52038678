"""Digests of what units of output read, computed once per build and carried over from the last one.

After a watcher's text edit the site keeps its shape: the same articles in the same places. A
facet then changes only if it covers an edited article (its slice of a list, its related list),
so its digest is carried over from the last build instead of being computed again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from .deps import Facet
from .model import Article, Section, Site

MISSING = b"\xffmissing"
KNOWN_FIELDS = ("config", "articles", "categories", "tags", "related")


def _hash(*parts: bytes) -> bytes:
    state = hashlib.blake2b(digest_size=16)
    for part in parts:
        state.update(len(part).to_bytes(8, "little"))
        state.update(part)
    return state.digest()


def article_digest(key: bytes, article: Article) -> bytes:
    """The digest of a published article: its file's cache key, and what the site made of it (slug, labels)."""
    return _hash(key, article.slug.encode(), article.category.encode(), "\x1f".join(article.tags).encode())


class Digests:
    """Digests of articles, unit inputs and facets of one site, each computed once.

    `previous` and `changed`: the last build's digests and the articles edited since, when the
    site kept its shape (see model.swap_articles); facets that cover none of them are carried over.
    """

    def __init__(
        self,
        site: Site,
        article_keys: dict[str, bytes],
        previous: Digests | None = None,
        changed: set[str] | None = None,
    ) -> None:
        self.site = site
        self.memo: dict[Facet, bytes] = {}
        self.sections = {
            **{("categories", s.slug): s for s in site.categories},
            **{("tags", s.slug): s for s in site.tags},
        }
        self.changed = changed if previous is not None else None
        self.positions: dict[Any, set[int]] = {}
        if previous is None or changed is None:
            self.articles = {a.source: article_digest(article_keys[a.source], a) for a in site.articles}
            self.related_touched: set[str] = set()
            return
        self.articles = dict(previous.articles)
        edited = [item for item in site.articles if item.source in changed]
        for item in edited:
            self.articles[item.source] = article_digest(article_keys[item.source], item)
        self.related_touched = {key for key, others in site.related.items() if any(a.source in changed for a in others)}
        self.memo = self._carried(previous.memo, edited)

    def _carried(self, memo: dict[Facet, bytes], edited: list[Article]) -> dict[Facet, bytes]:
        """The last build's digests of the facets that cover no edited article (the rest are computed again)."""
        lists = {"articles"} | {("categories", self.site.category_of(a).slug) for a in edited}
        lists |= {("tags", s.slug) for a in edited for s in self.site.tag_sections(a)}
        untouched = {name for name in self.sections if name not in lists}
        related = self.related_touched
        return {
            facet: value
            for facet, value in memo.items()
            if facet[0] in ("shape", "len")
            or (facet[0] == "article" and facet[1] not in self.changed)
            or (facet[0] == "related" and facet[1] not in related)
            or (facet[0] in ("slice", "item") and (facet[1] in untouched or not self._touched(facet)))
        }

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

    def _touched(self, facet: Facet) -> bool:
        """Whether a facet covers an article edited since the last build (the site kept its shape)."""
        kind = facet[0]
        if kind in ("shape", "len"):
            return False
        if kind == "article":
            return facet[1] in self.changed
        if kind == "related":
            return facet[1] in self.related_touched
        if kind not in ("slice", "item"):
            return True
        items = self._sequence(facet[1])
        if items is None:
            return True
        where = self._positions(facet[1], items)
        if not where:
            return False
        try:
            if kind == "item":
                index = facet[2] + len(items) if facet[2] < 0 else facet[2]
                return index in where
            span = range(*slice(*facet[2:5]).indices(len(items)))
        except (TypeError, ValueError):
            return True
        return any(position in span for position in where)

    def _positions(self, name: Any, items: tuple[Article, ...]) -> set[int]:
        found = self.positions.get(name)
        if found is None:
            assert self.changed is not None
            found = self.positions[name] = {i for i, a in enumerate(items) if a.source in self.changed}
        return found

    def _facet(self, facet: Facet) -> bytes:
        kind = facet[0]
        if kind == "shape":
            sections = self.site.categories if facet[1] == "categories" else self.site.tags
            return _hash(*(f"{s.name}\0{s.slug}\0{s.url}".encode() for s in sections))
        if kind == "article":
            return self.articles.get(facet[1], MISSING)
        if kind == "related":
            related = self.site.related.get(facet[1]) if isinstance(facet[1], str) else None
            return MISSING if related is None else self.many(related)
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
