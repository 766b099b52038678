"""sitemap.xml (with images; an index of parts beyond 50 000 pages or 50 MB), sitemap-news.xml (Google News:
the last 48 hours) and robots.txt."""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from .model import Article, Site
from .output import OutputFile
from .render import page_url

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # the most Google reads from one news sitemap
SITEMAP_LIMIT = 50_000  # the most pages one sitemap may list (sitemaps.org)
SITEMAP_BYTES = 52_428_800 - 200  # the most bytes one sitemap may hold (sitemaps.org), less its head and tail
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


def url_line(site: Site, entry: tuple[str, str, str]) -> bytes:
    """One page's <url> line: its address, its last change as lastmod and the article's pictures."""
    url, modified, images = entry
    lastmod = f"<lastmod>{modified}</lastmod>" if modified else ""
    return f"  <url><loc>{escape(site.config.absolute(url))}</loc>{lastmod}{images}</url>\n".encode()


def url_set(lines: list[bytes]) -> bytes:
    """A sitemap of the pages whose <url> lines are `lines`."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" xmlns:image="{IMAGE_NS}">\n'
    return head.encode() + b"".join(lines) + b"</urlset>\n"


def sitemaps(site: Site) -> list[OutputFile]:
    """sitemap.xml with every page; beyond what one file may hold (SITEMAP_LIMIT pages, SITEMAP_BYTES),
    sitemap.xml is an index of sitemap-1.xml, sitemap-2.xml… that hold as many pages as they may, in order."""
    entries = sitemap_entries(site)
    parts: list[list[tuple[tuple[str, str, str], bytes]]] = [[]]
    size = 0
    for entry in entries:
        line = url_line(site, entry)
        if parts[-1] and (len(parts[-1]) == SITEMAP_LIMIT or size + len(line) > SITEMAP_BYTES):
            parts.append([])
            size = 0
        parts[-1].append((entry, line))
        size += len(line)
    if len(parts) == 1:
        return [OutputFile("sitemap.xml", url_set([line for _entry, line in parts[0]]), "sitemap")]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for number, part in enumerate(parts, 1):
        changes = [entry[1] for entry, _line in part if entry[1]]
        newest = max(changes, key=datetime.fromisoformat, default="")  # offsets may differ (summer time)
        lastmod = f"<lastmod>{newest}</lastmod>" if newest else ""
        address = escape(site.config.absolute(f"/sitemap-{number}.xml"))
        lines.append(f"  <sitemap><loc>{address}</loc>{lastmod}</sitemap>")
    lines.append("</sitemapindex>\n")
    files = [OutputFile("sitemap.xml", "\n".join(lines).encode("utf-8"), "sitemap index")]
    for number, part in enumerate(parts, 1):
        files.append(OutputFile(f"sitemap-{number}.xml", url_set([line for _entry, line in part]), "sitemap"))
    return files


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
