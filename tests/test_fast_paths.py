"""Every shortcut taken for speed gives exactly what the plain way gives.

The reused Markdown converter with its triggered inline and block patterns against a fresh Python-Markdown
converter; slugs made from folded text against python-slugify's own transliteration; the packed
ranking of related articles against the plain sort; the watcher's swap of edited articles into
the site against assembling the site again; the JSON-LD escaping against a translation table; and
the text of sanitised HTML against what nh3 leaves of it.
"""

from __future__ import annotations

import html
import json
import os
import pickle
import random
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from hashlib import blake2b
from zoneinfo import ZoneInfo

import markdown
import nh3
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from slugify import slugify

from generator.config import SiteConfig
from generator.digests import Digests
from generator.images import Picture, Variant
from generator.markup import EXTENSIONS, Converter, Figures, plain_text, sanitise, text_of
from generator.model import (
    RELATED_SPLIT_FROM,
    RELATED_WINDOW,
    Article,
    Site,
    make_site,
    pack,
    related_map,
    swap_articles,
    with_added,
    with_removed,
)
from generator.structured import script_json
from generator.text import identity, make_slug, nfc, printable

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 1, 3, tzinfo=TZ)  # the site's clock: articles span 1–2 January
PIECES = [
    "Cầu", "mới", "qua", "sông", " ", " ", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "[", "]", "(", ")",
    "!", "<", ">", "<b>", "</b>", "&", "&amp;", '"', "'", "--", "---", "...", "\\", "#", "1.", "- ", "> ",
    "[^1]", "[^1]: chú thích", "*[HTML]: Hyper", "HTML", "<<", ">>", "  \n", "http://a.vn", "<http://a.vn>",
    "![ảnh](anh/cau.jpg)", "[liên kết](../a.md)", "{: .lop}", "| a | b |\n|---|---|\n| 1 | 2 |", "```\nmã\n```",
    ": định nghĩa", "Thuật ngữ\n", "2'", "'90s", "\"Trích\"", "'đơn'", "Tiêu đề\n===", "Mục\n--", "* * *", "## Mục ##",
    "_ _ _", "> > lồng", "[a]: http://a.vn \"T\"", "\n    mã thụt", "![a </p> > b](anh/cau.jpg)",
    '[t](http://a.vn "x > <p> y")', "<img alt='</p>' src='/a.jpg'>", "&lt;p&gt;", "<!-- </p> -->",
]  # fmt: skip


PICTURES = {
    f"/{folder}anh/cau.jpg": Picture(
        f"/{folder}anh/cau.jpg", "image/jpeg", 1000, 1600, 900, (Variant(480, 270, f"/{folder}anh/cau-480w.jpg"),)
    )
    for folder in ("", "2026/", "tin/cu/")
}


def reference_html(source: str, base: str, pictures=None) -> tuple[str, tuple]:
    """Python-Markdown as it comes, a fresh converter per document."""
    figures = Figures(base, pictures or {})
    converter = markdown.Markdown(
        extensions=[*EXTENSIONS, figures],
        extension_configs={
            "footnotes": {"BACKLINK_TITLE": "Quay lại chỗ chú thích %d"},
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )
    html = printable(sanitise(converter.convert(source)))
    return html, tuple(figures.processor.used) if figures.processor else ()


documents = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=int(os.environ.get("BULLETIN_MARKDOWN_EXAMPLES", "300")), deadline=None)
@given(st.lists(documents, min_size=1, max_size=4), st.sampled_from(["", "2026", "tin/cu"]))
def test_the_reused_triggered_converter_writes_what_python_markdown_writes(sources, base):
    converter = Converter()  # one converter for several documents: nothing may leak between them
    for number, source in enumerate(sources):
        pictures = PICTURES if number % 2 else {}  # sizes and srcset of known pictures must not leak either
        assert converter.render(source, base, pictures) == reference_html(source, base, pictures)
        assert converter.html(source, base) == reference_html(source, base)[0]


LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàằầáắấảẳẩãẵẫạặậèềéếẻểẽễẹệìíỉĩịòồờóốớỏổởõỗỡọộợùừúứủửũữụựỳýỷỹỵ"
characters = st.sampled_from(
    [*LETTERS, *LETTERS.upper(), *"0123456789 -_&;#.,!?'\"()/\\:", "ﬁ", "½", "ß", "İ", "世", "🙂", "\u200b", "\u0301"]
)


@settings(max_examples=int(os.environ.get("BULLETIN_MARKDOWN_EXAMPLES", "300")), deadline=None)
@given(documents)
def test_text_of_sanitised_html_is_what_nh3_leaves_of_it(source):
    safe = Converter().html(source, "")
    assert text_of(safe) == html.unescape(nh3.clean(safe, tags=set()))
    for paragraph in re.findall(r"<p>(.*?)</p>", safe, re.DOTALL):
        assert plain_text(paragraph) == " ".join(html.unescape(nh3.clean(paragraph, tags=set())).split())


@settings(max_examples=2000, deadline=None)
@given(st.lists(characters, max_size=60).map("".join))
def test_slugs_from_folded_text_are_python_slugifys_own(text):
    assert make_slug(text) == slugify(nfc(text), max_length=80, word_boundary=True)


@settings(max_examples=1000, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["name", "headline", "x"]), st.text(st.sampled_from('<>&/\u2028\u2029"\\ảa🎆')), max_size=3
    )
)
def test_json_ld_is_escaped_as_a_translation_table_escapes_it(data):
    table = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}
    plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(table)
    assert str(script_json(data)) == plain
    assert json.loads(str(script_json(data))) == data
    assert not any(c in str(script_json(data)) for c in "<>&\u2028\u2029")


def plain_related(ordered: list[Article], limit: int) -> dict[str, tuple[Article, ...]]:
    """The ranking written the plain way: a dict of scores, sorted by (-score, position)."""
    index: dict[str, list[int]] = defaultdict(list)
    keys = [(identity(a.category), [identity(t) for t in a.tags]) for a in ordered]
    for position, (category, tags) in enumerate(keys):
        index["c:" + category].append(position)
        for tag in tags:
            index["t:" + tag].append(position)
    related = {}
    for position, (category, tags) in enumerate(keys):
        scores: dict[int, int] = defaultdict(int)
        for key, weight in [("c:" + category, 1), *(("t:" + t, 2) for t in tags)]:
            members = index[key]
            at = bisect_left(members, position)
            for other in members[max(0, at - RELATED_WINDOW) : at + RELATED_WINDOW + 1]:
                scores[other] += weight
        scores.pop(position, None)
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        related[ordered[position].source] = tuple(ordered[other] for other, _ in best)
    return related


def articles(spec: list[tuple[int, int, list[int]]]) -> list[Article]:
    start = datetime(2026, 1, 1, tzinfo=TZ)
    return [
        Article(
            source=f"{n}.md",
            shown=f"content/{n}.md",
            title=f"Tin {n % 7}",
            date=start + timedelta(hours=hours),
            category=["Thời sự", "Kinh tế", "thời sự"][category],
            summary="Tóm tắt.",
            body=pack("<p>Bài.</p>"),
            tags=tuple(["giao thông", "5G", "Sầm Sơn", "lễ hội"][t] for t in tags),
            slug=make_slug(f"Tin {n % 7}"),
        )
        for n, (hours, category, tags) in enumerate(spec)
    ]


sites = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 2), st.lists(st.integers(0, 3), max_size=3, unique=True)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(sites, st.integers(1, 12))
def test_packed_ranking_of_related_articles_is_the_plain_sort(spec, limit):
    site, _ = make_site(SiteConfig(), articles(spec), NOW)
    ordered = list(site.articles)
    assert related_map(ordered, limit) == plain_related(ordered, limit)


def test_a_big_sites_related_articles_ranked_in_two_processes_are_the_plain_sorts():
    rng = random.Random(4)
    spec = [(rng.randrange(20_000), rng.randrange(3), rng.sample(range(4), rng.randrange(4))) for _ in range(2_500)]
    site, _ = make_site(SiteConfig(), articles(spec), NOW, jobs=2)
    assert len(site.articles) >= RELATED_SPLIT_FROM
    assert site.related == plain_related(list(site.articles), SiteConfig().related)


changes = st.lists(
    st.tuples(st.sampled_from(["add", "delete", "move", "relabel", "text"]), st.integers(0, 39), st.integers(0, 40)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(sites, changes, st.integers(1, 6), st.integers(1, 4))
def test_related_articles_ranked_from_the_last_site_equal_ranking_them_all(spec, edits, limit, window):
    """A watcher ranks again only the articles near where a list changed; with a small window, so that most
    articles are far from it, the lists must equal a ranking of every article."""
    config = replace(SiteConfig(), related=limit)
    before = articles(spec)
    after = changed(before, edits)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("generator.model.RELATED_WINDOW", window)
        previous, _ = make_site(config, before, NOW)
        site, _ = make_site(config, after, NOW, previous=previous)
        assert site.related == make_site(config, after, NOW)[0].related


def changed(before: list[Article], edits: list[tuple[str, int, int]]) -> list[Article]:
    """`before` after some edits: new and deleted articles, moved ones, relabelled ones and new words (the others
    are the same objects)."""
    after = list(before)
    for kind, index, value in edits:
        at = index % len(after)
        if kind == "add":
            after.append(replace(articles([(value, value % 3, [value % 4])])[0], source=f"new-{len(after)}.md"))
        elif kind == "delete" and len(after) > 1:
            del after[at]
        elif kind == "move":
            after[at] = replace(after[at], date=after[at].date + timedelta(hours=value - 20))
        elif kind == "text":
            after[at] = replace(after[at], body=pack(f"<p>Bài {value}.</p>"))
        else:
            after[at] = replace(after[at], category=["Thời sự", "Kinh tế"][value % 2], tags=after[at].tags[1:])
    return after


@settings(max_examples=200, deadline=None)
@given(sites, st.lists(st.tuples(st.integers(0, 39), st.text(max_size=5)), max_size=5))
def test_swapping_edited_text_into_the_site_equals_assembling_it_again(spec, edits):
    config = SiteConfig()
    before = articles(spec)
    after = list(before)
    for index, text in edits:
        at = index % len(after)
        after[at] = replace(after[at], body=pack(f"<p>{text}</p>"), summary=text or "Tóm tắt.")
    site, _ = make_site(config, before, NOW)
    swapped = swap_articles(site, before, after, NOW)
    assert swapped == make_site(config, after, NOW)[0]
    moved = list(after)
    moved[0] = replace(moved[0], date=moved[0].date + timedelta(days=1))
    assert swap_articles(site, before, moved, NOW) is None  # a move needs the whole site assembled again


def test_an_article_the_site_respells_is_the_same_object_in_the_next_site():
    """A watcher tells which articles changed by identity (the search index reads those again): an article
    whose slug the site makes unique, or whose tags it respells, must not look changed at every build."""
    before = articles([(n, 2 if n == 7 else 0, [n % 4]) for n in range(8)])  # 0 and 7: "Tin 0"; 7: "thời sự"
    site, _ = make_site(SiteConfig(), before, NOW)
    assert "tin-0-2" in {a.slug for a in site.articles} and "thời sự" not in {a.category for a in site.articles}
    again, _ = make_site(SiteConfig(), before, NOW, previous=site)
    assert all(a is b for a, b in zip(again.articles, site.articles, strict=True))
    assert again == make_site(SiteConfig(), before, NOW)[0]


NEW_SLUGS = ["moi", "moi-2", "tin-3", "tin", "tin-3-2", "bai-moi"]


@settings(max_examples=400, deadline=None)
@given(
    sites,
    st.tuples(st.integers(0, 40), st.integers(0, 2), st.lists(st.integers(0, 3), max_size=3, unique=True)),
    st.integers(0, len(NEW_SLUGS) - 1),
    st.integers(0, 39),
    st.booleans(),
    st.integers(1, 6),
    st.integers(1, 4),
)
def test_an_article_added_or_removed_in_place_gives_the_site_assembling_it_again_gives(
    spec, new, slug, index, official, limit, window
):
    """A watcher puts a new article into its site, or takes a deleted one out, instead of assembling the site again
    when nothing else changes; when it does (None), make_site is used instead."""
    config = replace(SiteConfig(), related=limit, categories=("Thời sự",) if official else ())
    slugs = [f"tin-{n}" if n % 5 else f"tin-{n % 3}" if n % 7 else "moi-2" for n in range(len(spec))]
    before = [replace(a, slug=slug) for a, slug in zip(articles(spec), slugs, strict=True)]
    before[0] = replace(before[0], aliases=("/bai-viet/bai-moi/",))
    article = replace(articles([new])[0], source="moi.md", slug=NEW_SLUGS[slug])
    raw = sorted(before, key=lambda a: a.source)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("generator.model.RELATED_WINDOW", window)
        site, problems = make_site(config, before, NOW)
        assume(not problems)
        added = with_added(site, raw, article, NOW)
        event("added in place" if added is not None else "added: assembled again")
        if added is not None:
            assert added == make_site(config, [*before, article], NOW)[0]
        gone = before[index % len(before)]
        removed = with_removed(site, raw, gone.source, NOW)
        event("removed in place" if removed is not None else "removed: assembled again")
        if removed is not None:
            assert removed == make_site(config, [a for a in before if a is not gone], NOW)[0]


def test_a_new_article_with_its_own_slug_and_known_labels_is_put_in_place():
    before = [replace(a, slug=f"tin-{n}") for n, a in enumerate(articles([(n, n % 2, [n % 4]) for n in range(30)]))]
    site, _ = make_site(SiteConfig(), before, NOW)
    article = replace(articles([(15, 0, [1, 2])])[0], source="moi.md", slug="moi")
    assert with_added(site, before, article, NOW) == make_site(SiteConfig(), [*before, article], NOW)[0]
    raw = sorted(before, key=lambda a: a.source)
    assert with_removed(site, raw, "7.md", NOW) == make_site(SiteConfig(), before[:7] + before[8:], NOW)[0]
    respelt = replace(article, category="thời sự")
    assert with_added(site, before, respelt, NOW) is None  # which spelling the site shows may change
    numbered = replace(article, slug="tin-4-2")
    assert with_added(site, before, numbered, NOW) is None  # "tin-4" may be numbered against it


def every_facet(site: Site) -> list[tuple]:
    """What the units of a site may read of it: windows of every list, items, lengths, each article, its related
    list and its neighbours (and some that are not there)."""
    lists = [("articles", site.articles)]
    lists += [(("categories", c.slug), c.articles) for c in site.categories]
    lists += [(("tags", t.slug), t.articles) for t in site.tags]
    facets: list[tuple] = [("shape", "categories"), ("shape", "tags"), ("all",), ("attr", "now")]
    for name, items in lists:
        facets += [("len", name), ("item", name, 0), ("item", name, -1), ("item", name, len(items))]
        facets += [("slice", name, start, start + 3, None) for start in range(0, len(items) + 3, 3)]
        facets += [("slice", name, None, None, None), ("slice", name, -2, None, None)]
    for source in [a.source for a in site.articles] + ["gone.md"]:
        facets += [("article", source), ("related", source), ("neighbours", source)]
    return facets


@settings(max_examples=300, deadline=None)
@given(sites, changes)
def test_digests_carried_over_from_the_last_site_are_those_computed_again(spec, edits):
    """A watcher keeps the digests of what units read that cover the same articles as before; every one it
    keeps must be the digest computed afresh for the new site (a wrong one would leave a page stale)."""
    before = articles(spec)
    after = changed(before, edits)
    keys = {id(a): blake2b(pickle.dumps(a)).digest() for a in (*before, *after)}  # a file's key: one per version
    last, _ = make_site(SiteConfig(), before, NOW)
    site, _ = make_site(SiteConfig(), after, NOW, previous=last)
    previous = Digests.of(last, {a.source: keys[id(a)] for a in before}, None)
    for facet in every_facet(last) + every_facet(site):
        previous.facet(facet)
    carried = Digests.of(site, {a.source: keys[id(a)] for a in after}, previous)
    fresh = Digests.of(site, {a.source: keys[id(a)] for a in after}, None)
    assert carried.articles == fresh.articles
    assert all(value == fresh.facet(facet) for facet, value in carried.memo.items())
    if all(a is b for a, b in zip(before, after, strict=False)) and len(before) < len(after):
        assert any(f[0] == "slice" for f in carried.memo)  # an article added at the end keeps the lists before it
