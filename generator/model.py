"""Article and Site: the frozen values every renderer reads, and the rules across files."""

from __future__ import annotations

import operator
import zlib
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from itertools import chain, compress, count, repeat

from .config import SiteConfig
from .errors import Problem
from .images import Picture
from .parallel import ordered_map
from .text import identity, make_slug

ARTICLE_PREFIX = "/bai-viet/"
CATEGORY_PREFIX = "/chuyen-muc/"
TAG_PREFIX = "/the/"
WORDS_PER_MINUTE = 230  # an unhurried reader of Vietnamese news


@dataclass(frozen=True, slots=True)
class Article:
    """One checked article with its body already rendered to safe HTML."""

    source: str  # the file's place in the content folder ("2026/cau-moi.md"): what tells articles apart
    shown: str  # the file's path as messages show it (from the folder the command runs in)
    title: str
    date: datetime
    category: str
    summary: str
    body: bytes  # the body's safe HTML as pack() keeps it; read it as body_html
    lead: str = ""
    tags: tuple[str, ...] = ()
    author: str = ""
    image: str = ""
    image_caption: str = ""
    updated: datetime | None = None
    slug: str = ""
    explicit_slug: bool = False
    draft: bool = False
    slug_line: int = 1
    image_alt: str = ""
    picture: Picture | None = None
    pictures: tuple[Picture, ...] = ()
    words: int = 0
    expires: datetime | None = None
    aliases: tuple[str, ...] = ()
    aliases_line: int = 1
    category_line: int = 1
    tags_line: int = 1

    @property
    def url(self) -> str:
        return f"{ARTICLE_PREFIX}{self.slug}/"

    @property
    def body_html(self) -> str:
        return unpack(self.body)

    @property
    def reading_minutes(self) -> int:
        """Minutes a reader needs for the body, at least one."""
        return max(1, round(self.words / WORDS_PER_MINUTE))

    @property
    def share_picture(self) -> Picture | None:
        """The picture that stands for the article in feeds and search results: the lead, else the first one."""
        return self.picture or next(iter(self.pictures), None)


def pack(body_html: str) -> bytes:
    """A body as an Article keeps it: compressed UTF-8, a fifth of the memory of the str of Vietnamese HTML.

    Every article stays in memory through a build (and in a watcher), and the pages that show a body
    are few at a time: a big archive fits in a fraction of the memory for a few ms of unpacking.
    """
    return zlib.compress(body_html.encode("utf-8"), 1)


def unpack(body: bytes) -> str:
    """The body's HTML from what pack() made."""
    return zlib.decompress(body).decode("utf-8")


@dataclass(frozen=True, slots=True)
class Section:
    """A category or a tag: its display name, address and articles, newest first."""

    name: str
    slug: str
    url: str
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """Everything a renderer may read: config, published articles newest first, sections."""

    config: SiteConfig
    articles: tuple[Article, ...]
    categories: tuple[Section, ...]
    tags: tuple[Section, ...]
    related: dict[str, tuple[Article, ...]]
    now: datetime
    places: dict[str, int]  # each article's position in its category's list (0: the newest)
    positions: dict[str, int]  # each article's position in `articles`
    pictures: tuple[Picture, ...] = ()  # every picture an article shows, once, in the order of `articles`

    def article(self, source: str) -> Article:
        """The published article from the file at `source` (its place in the content folder)."""
        return self.articles[self.positions[source]]

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """The newer and the older article of its category (None past either end), for its page to link."""
        items, at = self.category_of(article).articles, self.places[article.source]
        return (items[at - 1] if at > 0 else None, items[at + 1] if at + 1 < len(items) else None)

    def category_of(self, article: Article) -> Section:
        for section in self.categories:  # the site's articles carry the section's own spelling
            if section.name == article.category:
                return section
        return next(c for c in self.categories if identity(c.name) == identity(article.category))

    def tag_sections(self, article: Article) -> tuple[Section, ...]:
        names = set(article.tags)
        found = tuple(t for t in self.tags if t.name in names)
        if len(found) == len(names):
            return found
        keys = {identity(t) for t in article.tags}
        return tuple(t for t in self.tags if identity(t.name) in keys)


def published(articles: list[Article], now: datetime, drafts: bool) -> list[Article]:
    """What readers may see: no drafts (unless asked for), nothing dated after `now`, nothing expired."""
    return [a for a in articles if (drafts or not a.draft) and a.date <= now and (a.expires is None or now < a.expires)]


def alias_output(path: str) -> str:
    """Where the redirect for an old address is written: '/a/b.html' → 'a/b.html', '/a/b/' → 'a/b/index.html'."""
    inner = path.strip("/")
    return inner if inner.lower().endswith((".html", ".htm")) else f"{inner}/index.html"


def alias_problems(articles: list[Article]) -> list[Problem]:
    """An old address may not be an article's own address, nor another article's old address."""
    owners = {alias_output(a.url): a for a in articles}
    problems: list[Problem] = []
    for article in sorted(articles, key=lambda a: a.source):
        for alias in article.aliases:
            target = alias_output(alias)
            other = owners.get(target)
            if other is None:
                owners[target] = article
            elif other is article and target == alias_output(article.url):
                problems.append(
                    Problem(article.shown, article.aliases_line, f'alias "{alias}" is the article\'s own address')
                )
            elif other is not article:
                what = "the address of" if alias_output(other.url) == target else "already an old address of"
                problems.append(
                    Problem(article.shown, article.aliases_line, f'alias "{alias}" is {what} {other.shown}')
                )
    return problems


def newest_first(articles: list[Article]) -> list[Article]:
    """Newest first; ties broken by source path so the order never depends on the disk."""
    return sorted(articles, key=newest_first_key)


def assign_slugs(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Give every article a unique slug: explicit slugs must not clash, title slugs get -2, -3…"""
    problems: list[Problem] = []
    taken: dict[str, Article] = {}
    for article in sorted((a for a in articles if a.explicit_slug), key=lambda a: a.source):
        if article.slug in taken:
            other = taken[article.slug]
            problems.append(
                Problem(article.shown, article.slug_line, f'slug "{article.slug}" is already used by {other.shown}')
            )
        else:
            taken[article.slug] = article
    result = [a for a in articles if a.explicit_slug]
    by_age = sorted((a for a in articles if not a.explicit_slug), key=lambda a: (a.date, a.source))
    for article in by_age:
        slug, number = article.slug, 1
        while slug in taken:
            number += 1
            slug = f"{article.slug}-{number}"
        final = article if slug == article.slug else replace(article, slug=slug)
        taken[slug] = final
        result.append(final)
    return result, problems


def spellings(labels: list[tuple[str, str]], official: tuple[str, ...]) -> dict[str, str]:
    """Identity → display name: the official spelling from site.toml, else the first one used."""
    names = {identity(name): name for name in official}
    for _source, label in labels:
        names.setdefault(identity(label), label)
    return names


def sections(
    labelled: list[tuple[Article, str]], names: dict[str, str], prefix: str, kind: str
) -> tuple[list[Section], list[Problem]]:
    """One Section per label (articles keep their order); two labels with one address are a problem."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article, label in labelled:
        groups[identity(label)].append(article)
    result: list[Section] = []
    owners: dict[str, str] = {}
    problems: list[Problem] = []
    for key, items in groups.items():
        slug = make_slug(names[key])
        first = items[0]
        line = first.category_line if kind == "category" else first.tags_line
        if not slug:
            problems.append(Problem(first.shown, line, f'{kind} "{names[key]}" has no letters or digits'))
        elif slug in owners:
            problems.append(
                Problem(
                    first.shown,
                    line,
                    f'{kind} "{names[key]}" and "{owners[slug]}" would share the address {prefix}{slug}/; '
                    "use one spelling",
                )
            )
        else:
            owners[slug] = names[key]
            result.append(Section(names[key], slug, f"{prefix}{slug}/", tuple(items)))
    return result, problems


RELATED_WINDOW = 100
RELATED_SPLIT_FROM = 2000  # articles: fewer are ranked faster than a process starts


def related_map(
    ordered: list[Article], limit: int, jobs: int = 1, previous: Site | None = None
) -> dict[str, tuple[Article, ...]]:
    """'Tin liên quan' for each article: most shared tags, then same category, then the newest.

    Candidates are the articles published around it (RELATED_WINDOW on each side in each of its
    tags and its category), which keeps the work linear in the size of the site. A shared tag
    counts 2 and the category 1, so when enough articles share a tag the category only orders
    them, and the articles that share the category alone need not be counted. A big site's articles
    are ranked in `jobs` processes.

    `previous`: the site as the last build made it (a watcher's), ranked for the same `limit`. An
    article whose labels and every list's window around it are as they were keeps its related list
    (see _unsettled), so a new or deleted article ranks a few hundred articles, not the whole site.
    """
    index, keys = _lists(ordered)
    best = _ranker(index, keys, limit, len(ordered) + 1)
    todo = range(len(ordered)) if previous is None else _unsettled(ordered, index, keys, previous)
    chosen = ordered_map(lambda n: best(todo[n]), len(todo), jobs if len(todo) >= RELATED_SPLIT_FROM else 1, chunk=256)
    related = {} if previous is None else _kept_related(ordered, previous)
    for position, picks in zip(todo, chosen, strict=True):
        related[ordered[position].source] = tuple(map(ordered.__getitem__, picks))
    return related if previous is None else {a.source: related[a.source] for a in ordered}


def _ranker(
    index: Mapping[str, Sequence[int]],
    keys: Mapping[int, tuple[str, list[str]]] | Sequence[tuple[str, list[str]]],
    limit: int,
    scale: int,
) -> Callable[[int], list[int]]:
    """best(position): the positions of the articles related to the one at `position`, best first. `index`: the
    positions of the articles of each list ("c:…", "t:…"); `keys`: the labels of the article at a position;
    `scale`: more than any position (a score and a position are packed in one int, so a plain sort ranks them)."""

    def around(key: str, position: int) -> Sequence[int]:
        members = index[key]
        at = bisect_left(members, position)
        return members[max(0, at - RELATED_WINDOW) : at + RELATED_WINDOW + 1]

    def best(position: int) -> list[int]:
        category, tags = keys[position]
        shared = Counter(chain.from_iterable(around("t:" + tag, position) for tag in tags))
        del shared[position]
        same_category = around("c:" + category, position)
        if len(shared) >= limit:  # ranked among those that share a tag: 2 a tag, and 1 for the category
            others = list(shared)
            scores = map(
                operator.add,
                map(operator.mul, shared.values(), repeat(2)),
                map(set(same_category).__contains__, others),
            )
        else:
            counts = Counter(same_category)
            for other, count in shared.items():
                counts[other] += 2 * count
            del counts[position]
            others, scores = list(counts), iter(counts.values())
        ranked = sorted(map(operator.sub, map(operator.mul, scores, repeat(scale)), others), reverse=True)
        return [-packed % scale for packed in ranked[:limit]]

    return best


def _lists(ordered: list[Article] | tuple[Article, ...]) -> tuple[dict[str, list[int]], list[tuple[str, list[str]]]]:
    """The positions of the articles of each category ("c:…") and tag ("t:…"), and each article's labels."""
    index: dict[str, list[int]] = defaultdict(list)
    keys = [(identity(a.category), [identity(t) for t in a.tags]) for a in ordered]
    for position, (category, tags) in enumerate(keys):
        index["c:" + category].append(position)
        for tag in tags:
            index["t:" + tag].append(position)
    return index, keys


def _unsettled(
    ordered: list[Article], index: dict[str, list[int]], keys: list[tuple[str, list[str]]], previous: Site
) -> list[int]:
    """The positions of the articles whose related list may differ from `previous`'s: those new or relabelled,
    and those whose window in one of their lists reaches where the list changed or an article that moved.
    Elsewhere a list is the same run of articles as before (its common start, or its common end), so a window
    there holds the same articles in the same order, and ranks them the same. (An article that moved may keep
    its place in its own lists but pass an article of another: ties are ranked by place in the site.) Lists are
    compared by object: an article edited meanwhile is a new one, and the window around it is ranked again."""
    old_index, old_keys = _lists(previous.articles)
    was = {a.source: (k, newest_first_key(a)) for a, k in zip(previous.articles, old_keys, strict=True)}
    margin = RELATED_WINDOW + 1
    todo: set[int] = set()
    for position, (article, labels) in enumerate(zip(ordered, keys, strict=True)):
        before = was.get(article.source)
        if before is None or before[0] != labels:
            todo.add(position)
        elif before[1] != newest_first_key(article):
            category, tags = labels
            for members in (index["c:" + category], *(index["t:" + tag] for tag in tags)):
                at = bisect_left(members, position)
                todo.update(members[max(0, at - margin) : at + margin])
    for name, members in index.items():
        before = list(map(previous.articles.__getitem__, old_index.get(name, ())))
        start, end = common_ends(before, list(map(ordered.__getitem__, members)))
        if start < len(members) or len(before) != len(members):
            todo.update(members[max(0, start - margin) : len(members) - end + margin])
    return sorted(todo)


def common_ends(was: Sequence[Article], now: Sequence[Article]) -> tuple[int, int]:
    """How many articles two lists start with that are the same objects, then how many they end with after those."""
    shorter = min(len(was), len(now))
    start = next(compress(count(), map(operator.is_not, was, now)), shorter)
    end = next(compress(count(), map(operator.is_not, reversed(was), reversed(now))), shorter)
    return start, min(end, shorter - start)


def _kept_related(ordered: list[Article], previous: Site) -> dict[str, tuple[Article, ...]]:
    """The last build's related lists, holding this site's articles (an article edited meanwhile is a new object)."""
    by_source = {a.source: a for a in ordered}
    return {
        source: tuple(by_source[a.source] for a in items)
        for source, items in previous.related.items()
        if source in by_source and all(a.source in by_source for a in items)
    }


def labelled(article: Article, cat_names: dict[str, str], tag_names: dict[str, str]) -> Article:
    """The article with its category and tags spelt as the site spells them (itself when it already does)."""
    category = cat_names[identity(article.category)]
    tags = tuple(dict.fromkeys(tag_names[identity(t)] for t in article.tags))
    if category == article.category and tags == article.tags:
        return article
    return replace(article, category=category, tags=tags)


def make_site(
    config: SiteConfig, articles: list[Article], now: datetime, jobs: int = 1, previous: Site | None = None
) -> tuple[Site, list[Problem]]:
    """The published site as of `now`: unique slugs, articles newest first, categories and tags gathered
    (related articles ranked in `jobs` processes; `previous`, the last site, spares ranking what kept its place)."""
    slugged, problems = assign_slugs(articles)
    problems += alias_problems(slugged)
    cat_names = spellings([(a.source, a.category) for a in slugged], config.categories)
    tag_names = spellings([(a.source, t) for a in slugged for t in a.tags], ())
    ordered = newest_first([labelled(a, cat_names, tag_names) for a in slugged])
    if previous is not None:
        ordered = [_same(a, previous) for a in ordered]
    categories, cat_problems = sections([(a, a.category) for a in ordered], cat_names, CATEGORY_PREFIX, "category")
    order = {identity(n): i for i, n in enumerate(config.categories)}
    categories.sort(key=lambda s: (order.get(identity(s.name), len(order)), s.slug))
    tags, tag_problems = sections([(a, t) for a in ordered for t in a.tags], tag_names, TAG_PREFIX, "tag")
    tags.sort(key=lambda s: s.slug)
    kept = previous if previous is not None and previous.config.related == config.related else None
    related = related_map(ordered, config.related, jobs, kept)
    places = {a.source: n for section in categories for n, a in enumerate(section.articles)}
    positions = {a.source: n for n, a in enumerate(ordered)}
    shown = {p.address: p for a in ordered for p in (a.picture, *a.pictures) if p is not None}
    site = Site(
        config, tuple(ordered), tuple(categories), tuple(tags), related, now, places, positions, tuple(shown.values())
    )
    return site, problems + cat_problems + tag_problems


def _same(article: Article, previous: Site) -> Article:
    """The last site's object for an article equal to it: an article whose slug or labels the site respells is a
    new copy at every build, and a watcher tells what changed by identity (the search index reads it again)."""
    at = previous.positions.get(article.source)
    if at is None:
        return article
    before = previous.articles[at]
    return before if before is not article and before == article else article


def shape(article: Article) -> tuple[object, ...]:
    """What decides an article's place in the site: its file, date, labels and the slug it asks for (and the
    pictures it shows, of which the site makes narrower copies)."""
    return (
        article.source,
        article.picture,
        article.pictures,
        article.date,
        article.category,
        article.tags,
        article.slug,
        article.explicit_slug,
        article.aliases,
        article.expires,
    )


SWAPPED_FIELDS = {"config", "articles", "categories", "tags", "related", "now", "places", "positions", "pictures"}


def swap_articles(site: Site, before: list[Article], after: list[Article], now: datetime) -> Site | None:
    """The site with edited articles swapped in, when no edit moved, re-labelled or renamed one; else None.

    A watcher uses this after a text edit so the site is not assembled again from scratch;
    make_site on the new articles gives the same site (tests compare them).
    """
    if {f.name for f in fields(Site)} != SWAPPED_FIELDS:
        return None
    if len(before) != len(after):
        return None
    if any(a is not b and shape(a) != shape(b) for a, b in zip(before, after, strict=True)):
        return None
    changed = {a.source: a for a, b in zip(after, before, strict=True) if a is not b}
    related_in = holders(site.related) if changed else {}
    return with_edited(site, {s: site.article(s) for s in changed if s in site.positions}, changed, related_in, now)


def holders(related: dict[str, tuple[Article, ...]]) -> dict[str, list[str]]:
    """Each article's source → the articles whose related list shows it."""
    found: dict[str, list[str]] = defaultdict(list)
    for source, items in related.items():
        for item in items:
            found[item.source].append(source)
    return found


def with_edited(
    site: Site, old: dict[str, Article], new: dict[str, Article], related_in: dict[str, list[str]], now: datetime
) -> Site:
    """The site with the published articles `old` (by source) replaced by the edited `new`, which keep their
    shape: each takes its place in every list, with the site's spelling of its slug, category and tags.

    `related_in`: holders(site.related), or at least its entries for these articles.
    """
    final = {
        source: replace(new[source], slug=article.slug, category=article.category, tags=article.tags)
        for source, article in old.items()
    }
    if not final:
        return site if site.now == now else replace(site, now=now)

    def placed(items: tuple[Article, ...], sources: list[str]) -> tuple[Article, ...]:
        listed = list(items)
        for source in sources:
            at = bisect_left(items, newest_first_key(old[source]), key=newest_first_key)
            listed[at] = final[source]
        return tuple(listed)

    def section(item: Section, kind: str) -> Section:
        names = [source for source, article in old.items() if item.name in _labels(article, kind)]
        return replace(item, articles=placed(item.articles, names)) if names else item

    articles = list(site.articles)
    for source, article in final.items():
        articles[site.positions[source]] = article
    related = dict(site.related)
    for key in {key for source in final for key in related_in.get(source, ())}:
        related[key] = tuple(final.get(a.source, a) for a in related[key])
    return replace(
        site,
        now=now,
        articles=tuple(articles),
        categories=tuple(section(s, "category") for s in site.categories),
        tags=tuple(section(s, "tag") for s in site.tags),
        related=related,
    )


def with_added(site: Site, raw: Sequence[Article], article: Article, now: datetime) -> Site | None:
    """The site with one more published article (`article` as parsed; `raw`: the site's articles as parsed, sorted
    by source), when it only takes its place in lists that exist: its slug, spellings and address touch no other
    article's, and it has no old addresses. Else None: make_site then. A watcher uses this for a new article;
    make_site on the articles with it gives the same site (tests compare them)."""
    cat_names, tag_names = ({identity(s.name): s.name for s in group} for group in (site.categories, site.tags))
    official = {identity(name) for name in site.config.categories}
    labels = [(article.category, cat_names, official), *((t, tag_names, set()) for t in article.tags)]
    if any(identity(label) not in names for label, names, _ in labels):
        return None  # a new category or tag
    if any(label != names[key] and key not in fixed for label, names, fixed in labels for key in [identity(label)]):
        return None  # another spelling: which one the site shows depends on which article comes first
    own = alias_output(article.url)
    if article.aliases or _slug_shared(article, raw) or any(own in map(alias_output, a.aliases) for a in raw):
        return None
    final = labelled(article, cat_names, tag_names)
    key = newest_first_key(final)

    def placed(items: tuple[Article, ...]) -> tuple[tuple[Article, ...], int]:
        at = bisect_left(items, key, key=newest_first_key)
        return (*items[:at], final, *items[at:]), at

    return _rearranged(site, final, placed, now)


def with_removed(site: Site, raw: Sequence[Article], source: str, now: datetime) -> Site | None:
    """The site without the published article from `source` (`raw`: the site's articles as parsed, sorted by source,
    that one included), when the others keep their slugs, spellings, sections and old addresses; else None."""
    gone = site.article(source)
    parsed = raw[bisect_left(raw, source, key=_source)]
    if gone.aliases or _slug_shared(parsed, raw):
        return None
    official = {identity(name) for name in site.config.categories}
    as_parsed: dict[str, Article] = {}
    for kind, section in (("category", site.category_of(gone)), *(("tag", t) for t in site.tag_sections(gone))):
        if len(section.articles) == 1:
            return None  # the section goes
        key, name = identity(section.name), section.name
        if key in official or name not in _labels(parsed, kind):
            continue  # its spelling is not this article's to give
        as_parsed = as_parsed or {a.source: a for a in raw}
        for other in section.articles:
            if any(label != name and identity(label) == key for label in _labels(as_parsed[other.source], kind)):
                return None  # another spelling, which may be the first used once this article is gone
    key = newest_first_key(gone)

    def placed(items: tuple[Article, ...]) -> tuple[tuple[Article, ...], int]:
        at = bisect_left(items, key, key=newest_first_key)
        return (*items[:at], *items[at + 1 :]), at

    return _rearranged(site, gone, placed, now)


Placing = Callable[[tuple[Article, ...]], tuple[tuple[Article, ...], int]]


def _rearranged(site: Site, article: Article, placed: Placing, now: datetime) -> Site:
    """The site with `article` put in or taken out of every list that holds it (`placed`: a list → the list after,
    and the article's place in it); the articles whose related lists may change are ranked again."""
    articles, _ = placed(site.articles)
    positions = dict(zip(map(_source, articles), count()))
    changed: dict[str, int] = {}  # list → where it changed

    def section(item: Section, kind: str) -> Section:
        if item.name not in _labels(article, kind):
            return item
        items, at = placed(item.articles)
        changed[("c:" if kind == "category" else "t:") + identity(item.name)] = at
        return replace(item, articles=items)

    categories = tuple(section(s, "category") for s in site.categories)
    tags = tuple(section(s, "tag") for s in site.tags)
    places = dict(site.places)
    places.pop(article.source, None)
    home = next(s for s in categories if s.name == article.category)
    start = changed["c:" + identity(home.name)]
    places.update(zip(map(_source, home.articles[start:]), count(start)))
    lists = {"c:" + identity(s.name): s.articles for s in categories}
    lists.update(("t:" + identity(s.name), s.articles) for s in tags)
    index = _Members(lists, positions)
    margin = RELATED_WINDOW + 1
    todo = {positions[article.source]} if article.source in positions else set()
    for name, at in changed.items():
        todo.update(index[name][max(0, at - margin) : at + 1 + margin])
    labels = {p: (identity(articles[p].category), [identity(t) for t in articles[p].tags]) for p in todo}
    best = _ranker(index, labels, site.config.related, len(articles) + 1)
    ranked = {}
    for position in todo:
        picks, before = tuple(map(articles.__getitem__, best(position))), site.related.get(articles[position].source)
        same = before is not None and len(before) == len(picks) and all(map(operator.is_, before, picks))
        ranked[articles[position].source] = before if same else picks  # the same object: nothing to check again
    related = {a.source: ranked[a.source] if a.source in ranked else site.related[a.source] for a in articles}
    pictures = site.pictures
    if article.picture or article.pictures:
        pictures = tuple({p.address: p for a in articles for p in (a.picture, *a.pictures) if p is not None}.values())
    return Site(site.config, articles, categories, tags, related, now, places, positions, pictures)


class _Members(dict):
    """The positions in the site of each list's articles ("c:…", "t:…"), found when first asked for."""

    def __init__(self, lists: dict[str, tuple[Article, ...]], positions: dict[str, int]) -> None:
        super().__init__()
        self.lists, self.positions = lists, positions

    def __missing__(self, name: str) -> list[int]:
        found = self[name] = list(map(self.positions.__getitem__, map(_source, self.lists[name])))
        return found


def _slug_shared(article: Article, raw: Sequence[Article]) -> bool:
    """Whether this article's slug (as parsed) and another's may be numbered against each other: the same slug, or
    this one's with a number after it ("cau-moi-2" against "cau-moi"). Another's "cau-moi-2" never meets this one's
    "cau-moi": that is free, or taken by a "cau-moi" (the same slug), before this one would try "cau-moi-2"."""
    slugs = {a.slug for a in raw if a.source != article.source}
    return article.slug in slugs or _stem(article.slug) in slugs


def _stem(slug: str) -> str | None:
    """The slug without a number at its end ("cau-moi-2" → "cau-moi"), if it has one."""
    stem, dash, number = slug.rpartition("-")
    return stem if dash and number.isdigit() else None


_source = operator.attrgetter("source")  # an article's source (in C, over a whole list)


def _labels(article: Article, kind: str) -> tuple[str, ...]:
    return (article.category,) if kind == "category" else article.tags


def newest_first_key(article: Article) -> tuple[float, str]:
    """The order of every list of the site: newest first, then by source."""
    return (-article.date.timestamp(), article.source)
