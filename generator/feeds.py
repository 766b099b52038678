"""RSS 2.0 feeds made with feedgen: one for the whole site and one per category."""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from .model import Article, Site
from .output import OutputFile

SITE_FEED = "/rss.xml"


def feed_url(section_url: str) -> str:
    """A category's feed sits inside its folder: /chuyen-muc/x/rss.xml."""
    return f"{section_url}rss.xml"


def _feed(site: Site, title: str, page_url: str, url: str, articles: Sequence[Article]) -> bytes:
    config = site.config
    generator = FeedGenerator()
    generator.title(title)
    generator.link(href=config.absolute(url), rel="self")
    generator.link(href=config.absolute(page_url), rel="alternate")  # feedgen's RSS <link> is the last one set
    generator.description(config.description or config.title)
    generator.language("vi")
    generator.generator("Bản tin")
    generator.load_extension("dc")
    chosen = articles[: config.feed_limit]
    if chosen:
        generator.lastBuildDate(max(a.updated or a.date for a in chosen))
    for article in chosen:
        entry = generator.add_entry(order="append")
        entry.id(config.absolute(article.url))
        entry.guid(config.absolute(article.url), permalink=True)
        entry.title(article.title)
        entry.link(href=config.absolute(article.url))
        entry.description(article.summary)
        entry.content(article.body_html, type="CDATA")
        entry.pubDate(article.date)
        entry.category(term=article.category)
        if article.author:
            entry.dc.dc_creator(article.author)
    return generator.rss_str(pretty=True)


def render_feeds(site: Site) -> list[OutputFile]:
    """rss.xml for everything, then one feed per category, newest first."""
    files = [
        OutputFile(SITE_FEED.lstrip("/"), _feed(site, site.config.title, "/", SITE_FEED, site.articles), "site feed")
    ]
    for section in site.categories:
        url = feed_url(section.url)
        title = f"{section.name} – {site.config.title}"
        files.append(
            OutputFile(
                url.lstrip("/"), _feed(site, title, section.url, url, section.articles), f"feed of {section.name}"
            )
        )
    return files
