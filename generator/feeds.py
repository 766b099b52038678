"""Feeds made with feedgen: RSS 2.0 and Atom for the whole site, each category and each tag, full text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from html import escape

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .config import SiteConfig
from .deps import Unit
from .markup import sanitise
from .model import Article, Site, unpack
from .output import OutputFile

SITE_FEED = "/rss.xml"
SITE_ATOM = "/atom.xml"


def feed_url(section_url: str) -> str:
    """A section's RSS feed sits inside its folder: /chuyen-muc/x/rss.xml."""
    return f"{section_url}rss.xml"


def atom_url(section_url: str) -> str:
    """A section's Atom feed sits beside its RSS feed: /chuyen-muc/x/atom.xml."""
    return f"{section_url}atom.xml"


@dataclass(frozen=True, slots=True)
class Channel:
    """One feed's subject: its title, the page it mirrors, and its articles newest first."""

    title: str
    page_url: str
    articles: Sequence[Article]
    origin: str


class AtomEnclosureEntry(BaseEntryExtension):
    """Writes <link rel="enclosure" length type> in Atom entries (feedgen 1.0 drops those attributes)."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def add(self, href: str, length: int, mime: str) -> None:
        self.links.append({"href": href, "rel": "enclosure", "length": str(length), "type": mime})

    def extend_atom(self, entry: object) -> object:
        for attributes in self.links:
            xml_elem("link", entry, **attributes)
        return entry


@lru_cache(maxsize=1024)  # the same article is in several feeds, RSS and Atom: unpacked and rewritten once
def absolute_html(config: SiteConfig, body: bytes) -> str:
    """An article's body (as pack() keeps it) for feed readers: every site address made absolute, no srcset
    (readers show `src`)."""

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if attribute in ("srcset", "sizes", "loading", "decoding"):
            return None
        if attribute in ("src", "href") and value.startswith("/") and not value.startswith("//"):
            return config.absolute(value)
        return value

    return sanitise(unpack(body), rewrite)


def _lead_figure(config: SiteConfig, article: Article) -> str:
    """The lead image as it opens the article page, for readers that show only content:encoded."""
    if not article.image:
        return ""
    picture = article.picture
    size = f' width="{picture.width}" height="{picture.height}"' if picture and picture.width else ""
    caption = f"<figcaption>{escape(article.image_caption)}</figcaption>" if article.image_caption else ""
    src = escape(config.absolute(picture.url if picture else article.image))
    return f'<figure><img src="{src}" alt="{escape(article.image_alt)}"{size}>{caption}</figure>'


def _generator(site: Site, channel: Channel, self_url: str, atom: bool) -> FeedGenerator:
    config = site.config
    generator = FeedGenerator()
    generator.id(config.absolute(channel.page_url))
    generator.title(channel.title)
    generator.author({"name": config.title})
    generator.link(href=config.absolute(self_url), rel="self")
    generator.link(href=config.absolute(channel.page_url), rel="alternate")  # RSS <link> is the last one set
    generator.description(config.description or config.title)
    generator.language("vi")
    generator.generator("Bản tin")
    generator.logo(config.absolute(config.logo))
    generator.icon(config.absolute("/static/favicon.svg"))
    if atom:
        generator.register_extension("enclosures", BaseExtension, AtomEnclosureEntry, atom=True, rss=False)
    else:
        generator.load_extension("dc")
    chosen = channel.articles[: config.feed_limit]
    newest = max(a.updated or a.date for a in chosen) if chosen else site.now  # `now` only when empty
    generator.updated(newest)
    generator.lastBuildDate(newest)
    for article in chosen:
        _entry(generator, config, article, atom)
    return generator


def _entry(generator: FeedGenerator, config: SiteConfig, article: Article, atom: bool) -> None:
    entry = generator.add_entry(order="append")
    url = config.absolute(article.url)
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(article.title)
    entry.link(href=url)
    entry.summary(article.summary or article.title)  # feedgen drops content:encoded when there is no summary
    full = _lead_figure(config, article) + absolute_html(config, article.body)
    entry.content(full, type="html" if atom else "CDATA")  # Atom has no CDATA type; RSS readers like it
    entry.published(article.date)
    entry.updated(article.updated or article.date)
    entry.category(term=article.category)
    for tag in article.tags:
        entry.category(term=tag)
    if article.author and atom:
        entry.author({"name": article.author})
    elif article.author:
        entry.dc.dc_creator(article.author)  # RSS <author> must be an e-mail address
    picture = article.picture
    if picture is not None:
        if atom:
            entry.enclosures.add(config.absolute(picture.url), picture.size, picture.mime)
        else:
            entry.enclosure(config.absolute(picture.url), str(picture.size), picture.mime)


def channels(site: Site) -> list[tuple[str, Channel]]:
    """Every feed's folder and subject: the site, then each category, then each tag."""
    title = site.config.title
    found = [("/", Channel(title, "/", site.articles, "the whole site"))]
    for section in site.categories:
        name = f"{section.name} – {title}"
        found.append((section.url, Channel(name, section.url, section.articles, f"category {section.name}")))
    for section in site.tags:
        name = f"Thẻ {section.name} – {title}"
        found.append((section.url, Channel(name, section.url, section.articles, f"tag {section.name}")))
    return found


def feed_units(site: Site) -> list[Unit]:
    """One unit per feed folder, so that an edit redoes only the feeds that carry the article."""
    return [Unit(f"feeds {folder}", (folder,), partial(channel_feeds, folder)) for folder, _ in channels(site)]


def channel_feeds(folder: str, site: Site) -> list[OutputFile]:
    """The RSS and Atom feeds of one folder: "/" for the whole site, or a category's or tag's."""
    channel = dict(channels(site))[folder]
    rss, atom = feed_url(folder), atom_url(folder)
    origin = f"feed of {channel.origin}"
    return [
        OutputFile(rss.lstrip("/"), _generator(site, channel, rss, False).rss_str(pretty=True), origin),
        OutputFile(atom.lstrip("/"), _generator(site, channel, atom, True).atom_str(pretty=True), origin),
    ]
