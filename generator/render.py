"""Jinja2 on layouts/ → the HTML pages: home, articles, category and tag listings, 404."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from .content import shown_path
from .deps import Unit
from .errors import BuildFailed, Problem
from .headers import content_security_policy
from .model import Article, Section, Site, alias_output
from .output import OutputFile
from .structured import breadcrumbs, news_article, script_json, website
from .text import short_date, vietnamese_date

PAGES = ("base.html", "home.html", "article.html", "listing.html", "404.html", "redirect.html", "search.html")
HOME = ("Trang chủ", "/")


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a listing page stands among its pages."""

    number: int
    total: int
    previous: str | None
    next: str | None


def page_url(section_url: str, number: int) -> str:
    """Page 1 is the section's own address; page n is …/trang/n/."""
    return section_url if number == 1 else f"{section_url}trang/{number}/"


def output_path(url: str) -> str:
    """'/bai-viet/x/' → 'bai-viet/x/index.html'."""
    return url.strip("/") + "/index.html" if url.strip("/") else "index.html"


def load_templates(layouts: Path) -> tuple[jinja2.Environment, list[Problem]]:
    """An autoescaping, strict environment; every template that fails to compile is a problem."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(layouts),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        vndate=vietnamese_date, shortdate=short_date, isodate=lambda d: d.isoformat(), jsonld=script_json
    )
    env.globals["content_security_policy"] = content_security_policy(meta=True)
    problems: list[Problem] = []
    names = [n for n in env.list_templates() if n.endswith((".html", ".xml"))] if layouts.is_dir() else []
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            where = shown_path(Path(error.filename)) if error.filename else f"{layouts.name}/{name}"
            problems.append(Problem(where, error.lineno or 1, f"template error: {error.message}"))
        except UnicodeDecodeError:
            problems.append(Problem(shown_path(layouts / name), 1, "the template is not UTF-8 text; save it as UTF-8"))
    for name in PAGES:
        if name not in names:
            problems.append(Problem(shown_path(layouts / name), 1, "this template is missing from the layouts folder"))
    return env, problems


EXPRESSION_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError)
"""What a template's own expressions may raise ({{ 1 / 0 }}, {{ 1 + "a" }}): the template's mistake, not a crash."""


def _template_problem(error: Exception, layouts: Path) -> Problem:
    """A template that failed while rendering, named by the innermost template line in the traceback."""
    folder = layouts.resolve()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".xml")) and Path(frame.filename).resolve().is_relative_to(folder):
            return Problem(shown_path(Path(frame.filename)), frame.lineno or 1, f"template error: {error}")
    return Problem(shown_path(layouts), 1, f"template error: {error}")


class Pages:
    """Renders every page of a site with one environment."""

    def __init__(self, env: jinja2.Environment, layouts: Path, site: Site) -> None:
        self.env, self.layouts, self.site = env, layouts, site

    def page(self, template: str, url: str, origin: str, **context: Any) -> OutputFile:
        context.setdefault("structured", ())
        try:
            html = self.env.get_template(template).render(site=self.site, config=self.site.config, url=url, **context)
        except (jinja2.TemplateError, *EXPRESSION_ERRORS) as error:
            raise BuildFailed([_template_problem(error, self.layouts)]) from error
        return OutputFile(output_path(url) if url.endswith("/") else url.lstrip("/"), html.encode("utf-8"), origin)

    def home(self) -> OutputFile:
        site = self.site
        lead = site.articles[0] if site.articles else None
        latest = site.articles[1 : 1 + site.config.home_latest]
        blocks = [(section, section.articles[:4]) for section in site.categories]
        structured = [website(site)]
        return self.page("home.html", "/", "home page", lead=lead, latest=latest, blocks=blocks, structured=structured)

    def article(self, article: Article) -> OutputFile:
        category = self.site.category_of(article)
        newer, older = self.site.neighbours(article)
        trail = [HOME, (category.name, category.url), (article.title, article.url)]
        return self.page(
            "article.html",
            article.url,
            article.shown,
            article=article,
            category=category,
            tags=self.site.tag_sections(article),
            related=self.site.related[article.source],
            newer=newer,
            older=older,
            structured=[news_article(self.site, article, category), breadcrumbs(self.site.config, trail)],
        )

    def redirects(self, article: Article) -> Iterator[OutputFile]:
        """A small page at each old address of the article, sending readers and search engines on."""
        for alias in article.aliases:
            page = self.page("redirect.html", article.url, article.shown, article=article, alias=alias)
            yield OutputFile(alias_output(alias), page.data, article.shown)

    def listing_page(self, section: Section, kind: str, number: int) -> OutputFile:
        size = self.site.config.per_page
        total = max(1, -(-len(section.articles) // size))
        pager = Pager(
            number,
            total,
            page_url(section.url, number - 1) if number > 1 else None,
            page_url(section.url, number + 1) if number < total else None,
        )
        trail = [HOME, ((f"Thẻ: {section.name}" if kind == "tag" else section.name), section.url)]
        return self.page(
            "listing.html",
            page_url(section.url, number),
            f"{kind} {section.name}",
            section=section,
            kind=kind,
            articles=section.articles[(number - 1) * size : number * size],
            pager=pager,
            structured=[breadcrumbs(self.site.config, trail)],
        )

    def listing(self, section: Section, kind: str) -> Iterator[OutputFile]:
        total = max(1, -(-len(section.articles) // self.site.config.per_page))
        for number in range(1, total + 1):
            yield self.listing_page(section, kind, number)


def page_units(env: jinja2.Environment, layouts: Path, site: Site) -> list[Unit]:
    """Every HTML page as a unit of work: home, 404, one per article, one per listing page."""

    def home(view: Site) -> list[OutputFile]:
        return [Pages(env, layouts, view).home()]

    def not_found(view: Site) -> list[OutputFile]:
        return [Pages(env, layouts, view).page("404.html", "/404.html", "404 page")]

    def search(view: Site) -> list[OutputFile]:
        return [Pages(env, layouts, view).page("search.html", "/tim-kiem/", "search page")]

    units = [Unit("home", (), home), Unit("404", (), not_found), Unit("search page", (), search)]
    units += [article_unit(env, layouts, a.source) for a in site.articles]
    for kind, sections in (("category", site.categories), ("tag", site.tags)):
        for section in sections:
            units += [listing_unit(env, layouts, kind, section.slug, n) for n in listing_pages(site, section)]
    return units


def article_unit(env: jinja2.Environment, layouts: Path, source: str) -> Unit:
    """The page of the article from `source`."""

    def article(view: Site) -> list[OutputFile]:
        return [Pages(env, layouts, view).article(view.article(source))]

    return Unit(f"article {source}", (source,), article)


def listing_pages(site: Site, section: Section) -> range:
    """The numbers of a category's or a tag's listing pages (one page at least)."""
    return range(1, max(1, -(-len(section.articles) // site.config.per_page)) + 1)


def listing_unit(env: jinja2.Environment, layouts: Path, kind: str, slug: str, number: int) -> Unit:
    """Page `number` of the listing of a category or a tag (`kind`)."""

    def listing(view: Site) -> list[OutputFile]:
        sections = view.categories if kind == "category" else view.tags
        section = next(s for s in sections if s.slug == slug)
        return [Pages(env, layouts, view).listing_page(section, kind, number)]

    return Unit(f"{kind} {slug} {number}", (kind, slug, number), listing)


def redirect_units(env: jinja2.Environment, layouts: Path, site: Site) -> list[Unit]:
    """The pages at the old addresses of articles (`aliases`), one unit per article that has any."""

    def redirects(source: str, view: Site) -> list[OutputFile]:
        return list(Pages(env, layouts, view).redirects(view.article(source)))

    return [
        Unit(f"redirects {a.source}", (a.source,), partial(redirects, a.source)) for a in site.articles if a.aliases
    ]


def static_files(layouts: Path) -> list[OutputFile]:
    """layouts/static/** → output/static/**, byte for byte."""
    folder = layouts / "static"
    if not folder.is_dir():
        return []
    return [
        OutputFile(f"static/{p.relative_to(folder).as_posix()}", p.read_bytes(), shown_path(p))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    ]
