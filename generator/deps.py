"""Units of output and what each read from the site, so a rebuild redoes only the units whose reads changed.

A renderer hands the build units: a stable name, the values the unit closes over (its inputs),
and a function of the site that makes its files. While a unit runs it sees the site through a
view that notes each part it reads (`site.articles[:10]`, the list of categories, one article's
related list…). The next build compares digests of those same parts; if the inputs and every
part read are unchanged, so are the unit's files, whatever its templates do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from .images import Picture
from .model import Article, Section, Site
from .output import OutputFile

Facet = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Unit:
    """One independently renderable piece of output: a stable name, its inputs, and how to make it."""

    name: str
    inputs: tuple[Any, ...]
    make: Callable[[Site], list[OutputFile]]
    later: bool = False  # reads every article (long) and no page shows it: a watcher may leave it for a quiet moment


def whole(renderer: Callable[..., list[OutputFile]], later: bool = False, **how: Any) -> Unit:
    """A plain Site → [OutputFile] renderer as one unit (redone when anything it read changed).

    `how`: keyword arguments of the renderer that change how it works, never what it makes (such
    as how many processes it may use), so they are not among the unit's inputs.
    """
    return Unit(
        f"{renderer.__module__}.{renderer.__qualname__}", (), partial(renderer, **how) if how else renderer, later
    )


class Reads:
    """The facets of the site one unit read."""

    def __init__(self) -> None:
        self.facets: set[Facet] = set()

    def note(self, facet: Facet) -> None:
        self.facets.add(facet)


class SeqView(Sequence[Article]):
    """A tuple of articles that notes which slice, item or length was read."""

    __slots__ = ("_items", "_name", "_reads")

    def __init__(self, items: tuple[Article, ...], name: Any, reads: Reads) -> None:
        self._items, self._name, self._reads = items, name, reads

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            self._reads.note(("slice", self._name, index.start, index.stop, index.step))
        else:
            self._reads.note(("item", self._name, index))
        return self._items[index]

    def __len__(self) -> int:
        self._reads.note(("len", self._name))
        return len(self._items)

    def __iter__(self) -> Iterator[Article]:
        self._reads.note(("slice", self._name, None, None, None))
        return iter(self._items)

    def __reversed__(self) -> Iterator[Article]:
        return reversed(self[:])

    def __contains__(self, item: object) -> bool:
        return item in self[:]

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, (SeqView, tuple, list)) else other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: Any) -> Any:
        return tuple(self) + tuple(other)


class SectionView:
    """A category or tag seen through a unit: its articles note what was read of them."""

    __slots__ = ("_reads", "_section", "articles", "kind", "name", "slug", "url")

    def __init__(self, section: Section, kind: str, reads: Reads) -> None:
        self._section, self._reads, self.kind = section, reads, kind
        self.name, self.slug, self.url = section.name, section.slug, section.url
        self.articles = SeqView(section.articles, (kind, section.slug), reads)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SectionView) and other._section == self._section

    def __hash__(self) -> int:
        return hash((self.kind, self.slug))


class MapView:
    """site.related seen through a unit: each article's list read is noted."""

    __slots__ = ("_items", "_reads")

    def __init__(self, items: dict[str, tuple[Article, ...]], reads: Reads) -> None:
        self._items, self._reads = items, reads

    def __getitem__(self, key: str) -> tuple[Article, ...]:
        self._reads.note(("related", key))
        return self._items[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._reads.note(("related", key))
        return self._items.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._reads.note(("related", key))
        return key in self._items

    def __getattr__(self, name: str) -> Any:
        self._reads.note(("all",))
        return getattr(self._items, name)

    def __iter__(self) -> Iterator[str]:
        self._reads.note(("all",))
        return iter(self._items)

    def __len__(self) -> int:
        self._reads.note(("all",))
        return len(self._items)


class SiteView:
    """The Site as one unit sees it: every read is noted; parts it does not know count as reading everything."""

    def __init__(self, site: Site, reads: Reads) -> None:
        self._site, self._reads = site, reads
        self.config = site.config
        self.articles = SeqView(site.articles, "articles", reads)
        self.related = MapView(site.related, reads)

    @property
    def categories(self) -> tuple[SectionView, ...]:
        self._reads.note(("shape", "categories"))
        return tuple(SectionView(s, "categories", self._reads) for s in self._site.categories)

    @property
    def tags(self) -> tuple[SectionView, ...]:
        self._reads.note(("shape", "tags"))
        return tuple(SectionView(s, "tags", self._reads) for s in self._site.tags)

    def article(self, source: str) -> Article:
        self._reads.note(("article", source))
        return self._site.article(source)

    @property
    def pictures(self) -> tuple[Picture, ...]:
        self._reads.note(("shape", "pictures"))
        return self._site.pictures

    def category_of(self, article: Article) -> SectionView:
        self._reads.note(("shape", "categories"))
        return SectionView(self._site.category_of(article), "categories", self._reads)

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        self._reads.note(("neighbours", article.source))  # not their places, which shift as articles come and go
        return self._site.neighbours(article)

    def tag_sections(self, article: Article) -> tuple[SectionView, ...]:
        self._reads.note(("shape", "tags"))
        return tuple(SectionView(s, "tags", self._reads) for s in self._site.tag_sections(article))

    def __getattr__(self, name: str) -> Any:
        self._reads.note(("attr", name))  # a part of the Site this module does not know: compared whole
        return getattr(self._site, name)


def run_unit(unit: Unit, site: Site) -> tuple[list[OutputFile], frozenset[Facet]]:
    """Make one unit's files, and say which facets of the site it read."""
    reads = Reads()
    files = unit.make(SiteView(site, reads))  # type: ignore[arg-type]  # a view stands in for the Site
    return files, frozenset(reads.facets)
