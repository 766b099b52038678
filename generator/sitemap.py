"""sitemap.xml (with images; an index of several beyond 50 000 pages), sitemap-news.xml (Google News: the last
48 hours) and robots.txt."""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

from .model import Article, Site
from .output import OutputFile
from .render import page_url

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # the most Google reads from one news sitemap
SITEMAP_LIMIT = 50_000  # the most pages one sitemap may list (sitemaps.org)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def _images(site: Site, article: Article) -> str:
    """<image:image> entries for the article's lead image and the pictures of its body."""
    addresses = [article.picture.url if article.picture else article.image] if article.image else []
    addresses += [p.url for p in article.pictures]
    unique = dict.fromkeys(site.config.absolute(a) for a in addresses)
    return "".join(f"<image:image><image:loc>{escape(a)}</image:loc></image:image>" for a in unique)


def sitemap_entries(site: Site) -> list[tuple[str, str, str]]:
    """(address, last change, <image:image> entries) of every page a search engine should find."""
    config = site.config
    entries: list[tuple[str, str, str]] = [("/", site.articles[0].date.isoformat() if site.articles else "", "")]
    entries += [(a.url, (a.updated or a.date).isoformat(), _images(site, a)) for a in site.articles]
    for section in (*site.categories, *site.tags):
        pages = max(1, -(-len(section.articles) // config.per_page))
        newest = section.articles[0].date.isoformat() if section.articles else ""
        entries += [(page_url(section.url, n), newest if n == 1 else "", "") for n in range(1, pages + 1)]
    return entries


def url_set(site: Site, entries: list[tuple[str, str, str]]) -> bytes:
    """A sitemap of the pages `entries`, with the last change as lastmod and the articles' pictures."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}" xmlns:image="{IMAGE_NS}">']
    for url, modified, images in entries:
        lastmod = f"<lastmod>{modified}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{escape(site.config.absolute(url))}</loc>{lastmod}{images}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def sitemaps(site: Site) -> list[OutputFile]:
    """sitemap.xml with every page; beyond SITEMAP_LIMIT pages (the most a search engine reads from one file),
    sitemap.xml is an index of sitemap-1.xml, sitemap-2.xml… that hold SITEMAP_LIMIT pages each."""
    entries = sitemap_entries(site)
    if len(entries) <= SITEMAP_LIMIT:
        return [OutputFile("sitemap.xml", url_set(site, entries), "sitemap")]
    parts = [entries[start : start + SITEMAP_LIMIT] for start in range(0, len(entries), SITEMAP_LIMIT)]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for number, part in enumerate(parts, 1):
        newest = max(modified for _url, modified, _images in part)
        lastmod = f"<lastmod>{newest}</lastmod>" if newest else ""
        address = escape(site.config.absolute(f"/sitemap-{number}.xml"))
        lines.append(f"  <sitemap><loc>{address}</loc>{lastmod}</sitemap>")
    lines.append("</sitemapindex>\n")
    files = [OutputFile("sitemap.xml", "\n".join(lines).encode("utf-8"), "sitemap index")]
    return files + [
        OutputFile(f"sitemap-{number}.xml", url_set(site, part), "sitemap") for number, part in enumerate(parts, 1)
    ]


def news_sitemap(site: Site) -> bytes:
    """The Google News sitemap: articles published in the 48 hours before `now`, newest first."""
    config = site.config
    recent = [a for a in site.articles if site.now - NEWS_WINDOW <= a.date <= site.now][:NEWS_LIMIT]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">']
    for article in recent:
        lines += [
            "  <url>",
            f"    <loc>{escape(config.absolute(article.url))}</loc>",
            "    <news:news>",
            "      <news:publication>",
            f"        <news:name>{escape(config.title)}</news:name>",
            "        <news:language>vi</news:language>",
            "      </news:publication>",
            f"      <news:publication_date>{article.date.isoformat()}</news:publication_date>",
            f"      <news:title>{escape(article.title)}</news:title>",
            "    </news:news>",
            "  </url>",
        ]
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def render_sitemap(site: Site) -> list[OutputFile]:
    """sitemap.xml, sitemap-news.xml and the robots.txt that names both."""
    config = site.config
    robots = (
        "User-agent: *\nAllow: /\n\n"
        f"Sitemap: {config.absolute('/sitemap.xml')}\nSitemap: {config.absolute('/sitemap-news.xml')}\n"
    )
    return [
        *sitemaps(site),
        OutputFile("sitemap-news.xml", news_sitemap(site), "news sitemap"),
        OutputFile("robots.txt", robots.encode("utf-8"), "robots.txt"),
    ]
