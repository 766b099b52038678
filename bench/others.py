"""The benchmark corpus laid out for Hugo and for Pelican, with templates equivalent to Bản tin's.

Same pages: an article page each (category, tags, 5 related articles where the tool has them),
category and tag listings at 10 per page under …/trang/N/, a home page (lead, latest 10, four per
category), RSS 2.0 with full text for the site and for every category and tag (50 items), a
sitemap and a 404 page. Pelican has no related articles or sitemap without plugins, so it makes
neither; the README says so beside its figures.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.text import make_slug  # noqa: E402 — the same slugs as Bản tin, so the same addresses

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def articles(corpus: Path) -> list[tuple[str, dict[str, str], str]]:
    """(file name, front matter as text values, body) of every corpus article, in order."""
    found = []
    for path in sorted((corpus / "content").rglob("*.md")):
        text = path.read_text("utf-8")
        match = _FRONT.match(text)
        assert match, path
        values = {}
        for line in match.group(1).splitlines():
            key, _, value = line.partition(": ")
            values[key] = value.strip()
        found.append((path.stem, values, text[match.end() :]))
    return found


def corpus_text(values: dict[str, str], body: str) -> str:
    """An article's file as the corpus writes it, from what articles() read of it."""
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in values.items()) + "---\n" + body


def _tags(value: str) -> list[str]:
    return [t.strip() for t in value.strip("[]").split(",") if t.strip()]


def _iso(value: str) -> str:
    return value.replace(" ", "T") + ":00+07:00"


# ---------------------------------------------------------------- Hugo

HUGO_CONFIG = """\
baseURL = "https://bantin.example.vn/"
languageCode = "vi"
title = "Bản tin thử tải"
timeZone = "Asia/Ho_Chi_Minh"
paginate = 10
paginatePath = "trang"
disableKinds = ["taxonomy", "section"]
removePathAccents = true
enableRobotsTXT = false
ignoreErrors = ["error-disable-taxonomy"]

[taxonomies]
category = "categories"
tag = "tags"

[permalinks]
"bai-viet" = "/bai-viet/:slug/"
categories = "/chuyen-muc/:slug/"
tags = "/the/:slug/"

[outputs]
home = ["HTML", "RSS"]
term = ["HTML", "RSS"]
page = ["HTML"]

[outputFormats.RSS]
baseName = "rss"

[services.rss]
limit = 50

[related]
threshold = 0
includeNewer = true
toLower = true
[[related.indices]]
name = "tags"
weight = 2
[[related.indices]]
name = "categories"
weight = 1
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="alternate" type="application/rss+xml" title="{{ .Site.Title }}" href="/rss.xml">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="site-header"><p class="site-title"><a href="/">{{ .Site.Title }}</a></p>
<nav aria-label="Chuyên mục"><ul><li><a href="/">Trang chủ</a></li>
{{ range .Site.Taxonomies.categories.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></li>
{{ end }}</ul></nav></header>
<main id="noi-dung">{{ block "main" . }}{{ end }}</main>
<footer class="site-footer"><p><a href="/">{{ .Site.Title }}</a></p><p><a href="/rss.xml">RSS</a></p></footer>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "title" }}{{ .Title }} – {{ .Site.Title }}{{ end }}
{{ define "main" }}
<article class="article">
<header><h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006 15:04" }}</time></p>
{{ with .Params.author }}<p class="byline">Tác giả: {{ . }}</p>{{ end }}
<p>{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
</header>
<div class="article-body">{{ .Content }}</div>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}" rel="tag">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
{{ with .Site.RegularPages.Related . | first 5 }}
<section class="related"><h2>Tin liên quan</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "02/01/2006" }}</li>{{ end }}
</ul></section>
{{ end }}
{{ end }}
""",
    "_default/list.html": """\
{{ define "title" }}{{ .Title }} – {{ .Site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="story-list">
{{ range .Paginator.Pages }}<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p class="meta">{{ .Date.Format "02/01/2006" }}</p><p>{{ .Summary }}</p></li>
{{ end }}</ul>
{{ with .Paginator }}{{ if gt .TotalPages 1 }}<nav class="pager">
{{ if .HasPrev }}<a href="{{ .Prev.URL }}" rel="prev">Trang trước</a>{{ end }}
<span>Trang {{ .PageNumber }}/{{ .TotalPages }}</span>
{{ if .HasNext }}<a href="{{ .Next.URL }}" rel="next">Trang sau</a>{{ end }}
</nav>{{ end }}{{ end }}
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
{{ $pages := .Site.RegularPages.ByDate.Reverse }}
{{ range first 1 $pages }}<article class="lead-story"><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p class="meta">{{ .Date.Format "02/01/2006 15:04" }}</p><p class="sapo">{{ .Summary }}</p></article>{{ end }}
<section class="latest"><h2>Tin mới nhất</h2><ul>
{{ range first 10 (after 1 $pages) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></section>
{{ range .Site.Taxonomies.categories.Alphabetical }}<section class="category-block">
<h2><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></h2><ul>
{{ range first 4 .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></section>{{ end }}
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>Không tìm thấy trang</h1><p><a href="/">Về trang chủ</a></p>{{ end }}
""",
    "_default/rss.xml": """\
{{- $pages := .Pages -}}
{{- if .IsHome -}}{{- $pages = .Site.RegularPages -}}{{- end -}}
{{- $pages = first 50 $pages.ByDate.Reverse -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<description>{{ .Site.Title }}</description>
<language>vi</language>
{{ range $pages }}<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid isPermaLink="true">{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<description>{{ .Summary | html }}</description>
<content:encoded>{{ printf "<![CDATA[%s]]>" .Content | safeHTML }}</content:encoded>
</item>
{{ end }}</channel>
</rss>
""",
}


def write_templates(folder: Path, templates: dict[str, str], static: Path) -> None:
    """The templates under `folder`, and Bản tin's stylesheet in `static` (the same look for every tool)."""
    for name, text in templates.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    static.mkdir(parents=True, exist_ok=True)
    (static / "style.css").write_bytes((ROOT / "layouts/static/style.css").read_bytes())


def hugo_site(corpus: Path, target: Path) -> Path:
    """A Hugo site of the corpus under `target`; returns the site folder."""
    write_templates(target / "layouts", HUGO_LAYOUTS, target / "static/static")
    (target / "hugo.toml").write_text(HUGO_CONFIG, "utf-8")
    for name, values, body in articles(corpus):
        path = hugo_article(target, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(hugo_text(values, body), "utf-8")
    return target


def hugo_text(values: dict[str, str], body: str) -> str:
    """A corpus article (front matter values, body) as Hugo reads it."""
    title = values["title"].strip('"')
    front = [
        "---",
        f'title: "{title}"',
        f"date: {_iso(values['date'])}",
        f'slug: "{make_slug(title)}"',
        f'categories: ["{values["category"]}"]',
        "tags: [" + ", ".join(f'"{t}"' for t in _tags(values["tags"])) + "]",
        f'author: "{values["author"]}"',
        "---",
        "",
    ]
    return "\n".join(front) + body


def hugo_article(site: Path, name: str) -> Path:
    """The content file of one article in the Hugo site."""
    return site / "content/bai-viet" / f"{name}.md"


# ---------------------------------------------------------------- Pelican

PELICAN_CONFIG = """\
SITENAME = "Bản tin thử tải"
SITEURL = "https://bantin.example.vn"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
PATH = "content"
THEME = "theme"
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {"index": 1000000000, "tag": None, "category": None, "author": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/trang/{number}/", "{base_name}/trang/{number}/index.html"),
)
ARTICLE_URL = "bai-viet/{slug}/"
ARTICLE_SAVE_AS = "bai-viet/{slug}/index.html"
CATEGORY_URL = "chuyen-muc/{slug}/"
CATEGORY_SAVE_AS = "chuyen-muc/{slug}/index.html"
TAG_URL = "the/{slug}/"
TAG_SAVE_AS = "the/{slug}/index.html"
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ARCHIVES_SAVE_AS = ""
PAGE_SAVE_AS = DRAFT_SAVE_AS = DRAFT_PAGE_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index"]
FEED_DOMAIN = SITEURL
FEED_ALL_RSS = "rss.xml"
CATEGORY_FEED_RSS = "chuyen-muc/{slug}/rss.xml"
TAG_FEED_RSS = "the/{slug}/rss.xml"
FEED_ALL_ATOM = FEED_ATOM = FEED_RSS = CATEGORY_FEED_ATOM = TAG_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False
STATIC_PATHS = ["static"]
MARKDOWN = {
    "extension_configs": {f"markdown.extensions.{name}": {} for name in (
        "tables", "attr_list", "footnotes", "smarty", "fenced_code", "sane_lists", "def_list", "abbr"
    )},
    "output_format": "html5",
}
"""

_PELICAN_BASE = """\
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="alternate" type="application/rss+xml" title="{{ SITENAME }}" href="/rss.xml">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="site-header"><p class="site-title"><a href="/">{{ SITENAME }}</a></p>
<nav aria-label="Chuyên mục"><ul><li><a href="/">Trang chủ</a></li>
{% for category, items in categories %}<li><a href="/{{ category.url }}">{{ category.name }}</a></li>
{% endfor %}</ul></nav></header>
<main id="noi-dung">{% block content %}{% endblock %}</main>
<footer class="site-footer"><p><a href="/">{{ SITENAME }}</a></p><p><a href="/rss.xml">RSS</a></p></footer>
</body>
</html>
"""

_PELICAN_LISTING = """\
{% extends "base.html" %}
{% block title %}{{ LISTED }} – {{ SITENAME }}{% endblock %}
{% block content %}
<h1>{{ LISTED }}</h1>
<ul class="story-list">
{% for article in articles_page.object_list %}<li><h2><a href="/{{ article.url }}">{{ article.title }}</a></h2>
<p class="meta">{{ article.date.strftime("%d/%m/%Y") }}</p>{{ article.summary }}</li>
{% endfor %}</ul>
{% if articles_page.has_other_pages() %}<nav class="pager">
{% if articles_page.has_previous() %}<a href="/{{ articles_previous_page.url }}" rel="prev">Trang trước</a>{% endif %}
<span>Trang {{ articles_page.number }}/{{ articles_paginator.num_pages }}</span>
{% if articles_page.has_next() %}<a href="/{{ articles_next_page.url }}" rel="next">Trang sau</a>{% endif %}
</nav>{% endif %}
{% endblock %}
"""

PELICAN_THEME = {
    "base.html": _PELICAN_BASE,
    "article.html": """\
{% extends "base.html" %}
{% block title %}{{ article.title }} – {{ SITENAME }}{% endblock %}
{% block content %}
<article class="article">
<header><h1>{{ article.title }}</h1>
<p class="meta"><time datetime="{{ article.date.isoformat() }}">{{ article.date.strftime("%d/%m/%Y %H:%M") }}</time></p>
<p class="byline">Tác giả: {{ article.author }}</p>
<p><a href="/{{ article.category.url }}">{{ article.category }}</a></p>
</header>
<div class="article-body">{{ article.content }}</div>
<ul class="tags">{% for tag in article.tags %}<li><a href="/{{ tag.url }}" rel="tag">{{ tag }}</a></li>{% endfor %}</ul>
</article>
{% endblock %}
""",
    "index.html": """\
{% extends "base.html" %}
{% block content %}
{% for article in articles[:1] %}<article class="lead-story"><h2><a href="/{{ article.url }}">{{ article.title }}</a></h2>
<p class="sapo">{{ article.summary }}</p></article>{% endfor %}
<section class="latest"><h2>Tin mới nhất</h2><ul>
{% for article in articles[1:11] %}<li><a href="/{{ article.url }}">{{ article.title }}</a></li>{% endfor %}
</ul></section>
{% for category, items in categories %}<section class="category-block"><h2><a href="/{{ category.url }}">{{ category.name }}</a></h2><ul>
{% for article in items[:4] %}<li><a href="/{{ article.url }}">{{ article.title }}</a></li>{% endfor %}
</ul></section>{% endfor %}
{% endblock %}
""",
    "category.html": _PELICAN_LISTING.replace("LISTED", "category.name"),
    "tag.html": _PELICAN_LISTING.replace("LISTED", "tag.name"),
    "page.html": '{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}',
    "404.html": '{% extends "base.html" %}{% block content %}<h1>Không tìm thấy trang</h1>{% endblock %}',
}
for _unused in ("author", "authors", "categories", "tags", "archives", "period_archives"):
    PELICAN_THEME[f"{_unused}.html"] = '{% extends "base.html" %}'


def pelican_site(corpus: Path, target: Path) -> Path:
    """A Pelican site of the corpus under `target`; returns the site folder."""
    write_templates(target / "theme/templates", PELICAN_THEME, target / "content/static")
    (target / "pelicanconf.py").write_text(PELICAN_CONFIG, "utf-8")
    (target / "content/pages").mkdir(parents=True, exist_ok=True)
    (target / "content/pages/404.md").write_text(
        "Title: Không tìm thấy trang\nSlug: 404\nSave_as: 404.html\n\n—\n", "utf-8"
    )
    for name, values, body in articles(corpus):
        path = pelican_article(target, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pelican_text(values, body), "utf-8")
    return target


def pelican_text(values: dict[str, str], body: str) -> str:
    """A corpus article (front matter values, body) as Pelican reads it."""
    title = values["title"].strip('"')
    meta = [
        f"Title: {title}",
        f"Date: {values['date']}",
        f"Slug: {make_slug(title)}",
        f"Category: {values['category']}",
        f"Tags: {', '.join(_tags(values['tags']))}",
        f"Author: {values['author']}",
        "",
    ]
    return "\n".join(meta) + "\n" + body


def pelican_article(site: Path, name: str) -> Path:
    """The content file of one article in the Pelican site."""
    return site / "content" / name[:7] / f"{name}.md"
