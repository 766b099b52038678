"""sitemap.xml and robots.txt, with absolute addresses from base_url."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .model import Site
from .output import OutputFile
from .render import page_url


def render_sitemap(site: Site) -> list[OutputFile]:
    """Every page a search engine should find, with the article's last change as lastmod."""
    config = site.config
    entries: list[tuple[str, str]] = [("/", site.articles[0].date.isoformat() if site.articles else "")]
    entries += [(a.url, (a.updated or a.date).isoformat()) for a in site.articles]
    for section in (*site.categories, *site.tags):
        pages = max(1, -(-len(section.articles) // config.per_page))
        newest = section.articles[0].date.isoformat() if section.articles else ""
        entries += [(page_url(section.url, n), newest if n == 1 else "") for n in range(1, pages + 1)]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, modified in entries:
        lastmod = f"<lastmod>{modified}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{escape(config.absolute(url))}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {config.absolute('/sitemap.xml')}\n"
    return [
        OutputFile("sitemap.xml", "\n".join(lines).encode("utf-8"), "sitemap"),
        OutputFile("robots.txt", robots.encode("utf-8"), "robots.txt"),
    ]
