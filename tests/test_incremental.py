"""Incremental builds give exactly the clean build's output, after any sequence of edits.

Hypothesis drives random sequences of edits, additions, deletions, renames, category, tag, date
and draft changes, template, stylesheet and settings changes and broken saves. After each step three
builds must agree: the CLI build with its cache (`bulletin build`), a build from a watcher's
in-memory state, and a clean build with no cache into an empty folder. The CI runs a modest
number of sequences; for a long campaign:

    BULLETIN_INCREMENTAL_EXAMPLES=2000 python -m pytest tests/test_incremental.py
"""

from __future__ import annotations

import io
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import NOW, REPO, article
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from generator import build, digests, incremental, loader, model, output, search, watch
from generator.build import Options
from generator.cli import main
from generator.watch import Watcher

EXAMPLES = int(os.environ.get("BULLETIN_INCREMENTAL_EXAMPLES", "12"))
CATEGORIES = ["Thời sự", "Kinh tế", "Chuyển đổi số"]
TAGS = ["giao thông", "Sầm Sơn", "5G", "lễ hội"]
WORDS = ["Cầu", "mới", "qua", "sông", "Mã", "Thanh", "Hóa", "khai", "trương", "dữ", "liệu", "lễ", "hội"]
DATES = ["2026-11-20 08:00", "2026-11-21 09:30", "2025-01-02 07:00", "2026-11-26 23:59", "2026-12-01 08:00"]


def tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pages(files: dict[str, bytes]) -> dict[str, bytes]:
    """Everything but what a watcher in a hurry leaves for later: the search index and the sitemaps (and the manifest)."""
    later = ("tim-kiem/index/", "sitemap.xml", "sitemap-news.xml", "robots.txt", ".bulletin-manifest")
    return {p: data for p, data in files.items() if not p.startswith(later)}


@dataclass
class Site:
    """A small site on disk, edited step by step."""

    root: Path
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # content path → front matter values and body
    count: int = 0

    def save(self, path: str) -> None:
        values = self.files[path]
        body = values.get("body", "Nội dung.")
        extra = {k: v for k, v in values.items() if k not in ("title", "date", "category", "body")}
        text = article(values["title"], values["date"], values["category"], body, **extra)
        target = self.root / "content" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def add(self, title: str, category: str, date: str, tags: list[str]) -> None:
        self.count += 1
        path = f"{['2026', 'tin', 'cu/nam-2025'][self.count % 3]}/bai-{self.count}.md"
        self.files[path] = {"title": title, "date": date, "category": category, "tags": f"[{', '.join(tags)}]"}
        if path.startswith("2026/"):  # shows the picture: its size and narrower copies are part of the page
            self.files[path] |= {"image": "anh/cau.png", "body": "Ảnh.\n\n![Cầu mới](anh/cau.png)\n\nNội dung."}
        self.save(path)

    def pick(self, index: int) -> str | None:
        names = sorted(self.files)
        return names[index % len(names)] if names else None


words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
operations = st.one_of(
    st.tuples(
        st.just("add"),
        words,
        st.sampled_from(CATEGORIES),
        st.sampled_from(DATES),
        st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
    ),
    st.tuples(st.just("body"), st.integers(0, 20), words),
    st.tuples(st.just("title"), st.integers(0, 20), words),
    st.tuples(st.just("category"), st.integers(0, 20), st.sampled_from([*CATEGORIES, "thời sự"])),
    st.tuples(st.just("tags"), st.integers(0, 20), st.lists(st.sampled_from(TAGS), max_size=3, unique=True)),
    st.tuples(st.just("date"), st.integers(0, 20), st.sampled_from(DATES)),
    st.tuples(st.just("draft"), st.integers(0, 20)),
    st.tuples(st.just("slug"), st.integers(0, 20), st.sampled_from(["", "ban-tin", "cau-moi"])),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("rename"), st.integers(0, 20)),
    st.tuples(st.just("break"), st.integers(0, 20)),
    st.tuples(st.just("template"), st.sampled_from(["article.html", "listing.html", "base.html", "home.html"]), words),
    st.tuples(st.just("style"), words),
    st.tuples(st.just("settings"), st.sampled_from([1, 2, 3]), words),
    st.tuples(st.just("image"), st.booleans()),
)


def apply(site: Site, operation: tuple) -> frozenset[str] | None:
    """Make one change; the files it touched, as a watcher is told (None: a folder came or went)."""
    folders = {p for p in (site.root / "content").rglob("*") if p.is_dir()}
    before = {p: p.stat().st_mtime_ns for p in site.root.rglob("*") if p.is_file()}
    change(site, operation)
    after = {p: p.stat().st_mtime_ns for p in site.root.rglob("*") if p.is_file()}
    if {p for p in (site.root / "content").rglob("*") if p.is_dir()} != folders:
        return None
    touched = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return frozenset(str(p) for p in touched)


def change(site: Site, operation: tuple) -> None:
    kind, *rest = operation
    content = site.root / "content"
    if kind == "add":
        site.add(*rest)
        return
    if kind == "template":
        name, text = rest
        path = site.root / "layouts" / name
        path.write_text(
            path.read_text("utf-8").replace("</main>", f"<!-- {text} --></main>", 1) + f"\n{{# {text} #}}\n", "utf-8"
        )
        return
    if kind == "style":
        (site.root / "layouts/static/style.css").write_text(f"/* {rest[0]} */ body {{ margin: 0; }}\n", "utf-8")
        return
    if kind == "settings":
        per_page, title = rest
        (site.root / "site.toml").write_text(
            f'title = "{title}"\nbase_url = "https://bantin.example.vn/"\nper_page = {per_page}\n', "utf-8"
        )
        return
    if kind == "image":
        if rest[0]:
            write_picture(site, 500 + 97 * (site.count % 7))
        else:
            (content / "2026/anh/cau.png").unlink(missing_ok=True)
        site.count += 1
        return
    path = site.pick(rest[0])
    if path is None:
        return
    values = site.files[path]
    if kind == "body":
        values["body"] = rest[1]
    elif kind in ("title", "category", "date"):
        values[kind] = rest[1]
    elif kind == "tags":
        values["tags"] = f"[{', '.join(rest[1])}]"
    elif kind == "draft":
        values["draft"] = "false" if values.get("draft") == "true" else "true"
    elif kind == "slug":
        values.pop("slug", None)
        if rest[1]:
            values["slug"] = rest[1]
    elif kind == "delete":
        del site.files[path]
        (content / path).unlink()
        return
    elif kind == "rename":
        new = f"doi-ten/{Path(path).stem}-{site.count}.md"
        site.count += 1
        (content / new).parent.mkdir(parents=True, exist_ok=True)
        (content / path).rename(content / new)
        site.files[new] = site.files.pop(path)
        return
    elif kind == "break":
        (content / path).write_text("---\ntitle: [hỏng\ndate: 2026-11-20\n---\nHỏng.\n", "utf-8")
        return
    site.save(path)


def write_picture(site: Site, width: int) -> None:
    """The picture articles in 2026/ show: another width gives other sizes and srcset in their pages."""
    picture = site.root / "content/2026/anh/cau.png"
    picture.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (width, width // 2), "#1f6feb").save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())


def cli_build(site: Site, output: Path, cache: Path) -> int:
    return main(
        [
            "build",
            "--content", str(site.root / "content"),
            "--layouts", str(site.root / "layouts"),
            "--config", str(site.root / "site.toml"),
            "--output", str(output),
            "--cache", str(cache),
            "--now", NOW,
            "--quiet",
        ]
    )  # fmt: skip


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=7))
@example(steps=[("image", True), ("body", 2, "Cầu"), ("image", True), ("image", False), ("image", True)])
def test_incremental_output_equals_a_clean_build_after_every_step(tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "site.toml").write_text(
        'title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\nper_page = 2\n', "utf-8"
    )
    site = Site(root)
    write_picture(site, 640)
    site.add("Cầu mới qua sông Mã", "Thời sự", DATES[0], ["giao thông"])
    site.add("Khai trương trung tâm dữ liệu", "Chuyển đổi số", DATES[1], ["5G", "giao thông"])
    site.add("Lễ hội Sầm Sơn", "Thời sự", DATES[2], ["lễ hội", "Sầm Sơn"])
    incremental, watched = root / "out-incremental", root / "out-watched"
    options = Options(
        root / "content", root / "layouts", root / "site.toml", watched, now=_now(), cache=root / "cache-watched"
    )
    watcher = Watcher(options, quiet=True, report=lambda message: None)  # its builds, without its file watching
    outcomes: list[bool] = []
    assert cli_build(site, incremental, root / "cache") == 0
    watcher.build(lambda result, problems: outcomes.append(result is not None), first=True)
    for number, step in enumerate(steps):
        touched = apply(site, step)
        before = tree(incremental)
        code = cli_build(site, incremental, root / "cache")
        clean = root / f"out-clean-{number}"
        assert cli_build(site, clean, root / f"cache-clean-{number}") == code, step
        watcher.build(lambda result, problems: outcomes.append(result is not None), hints=touched, hurry=True)
        assert outcomes[-1] == (code == 0), step
        if code == 0:
            expected = tree(clean)
            assert tree(incremental) == expected, f"incremental build differs after {step}"
            # in a hurry, the watcher writes every page at once and leaves only the search index for later
            assert pages(tree(watched)) == pages(expected), f"watcher build differs after {step}"
            if watcher.behind:
                watcher.catch_up()
                assert not watcher.behind
            assert tree(watched) == expected, f"watcher build differs after {step}"
        else:
            assert tree(incremental) == before, f"a failed build changed output/ after {step}"
            assert not tree(clean)
        shutil.rmtree(clean, ignore_errors=True)
        shutil.rmtree(root / f"cache-clean-{number}", ignore_errors=True)


def _now():
    from datetime import datetime

    return datetime.fromisoformat(NOW)


def test_ctrl_c_after_a_build_wrote_its_pages_but_before_the_watcher_noted_it_leaves_output_whole(make_site):
    """Ctrl-C may come between the moment a build's pages are in output/ and the moment the watcher notes what
    it did (that the search index is behind, its memory of the build). On stopping it then builds the site
    again from the cache, so output/ is a clean build's, and it saves no half-changed memory."""
    site = make_site({"content/a.md": article("Tin một")})
    root = site.root
    options = Options(root / "content", root / "layouts", root / "site.toml", site.output, now=_now())

    def report(message: str) -> None:
        if message.startswith("2 articles"):  # the summary of the build that wrote the new article's page
            raise KeyboardInterrupt

    watcher = Watcher(options, report=report)  # its builds, without its file watching
    watcher.build(lambda result, problems: None, first=True)
    site.write({"content/b.md": article("Tin hai về cầu Hàm Rồng")})
    try:
        watcher.build(lambda result, problems: None, hints=frozenset({str(root / "content/b.md")}), hurry=True)
    except KeyboardInterrupt:
        watcher.finish()
    watcher.stop()
    assert "cầu Hàm Rồng" in site.page("bai-viet/tin-hai-ve-cau-ham-rong/index.html")
    after = tree(site.output)
    assert site.run("build", "--output", str(root / "clean"), "--cache", str(root / "clean-cache")).code == 0
    assert pages(after) == pages(tree(root / "clean")) and after == tree(root / "clean")
    assert site.run("build").out.split(": ")[1].startswith("0 written")  # the saved memory is true


def test_a_watcher_started_on_a_built_site_swaps_the_first_edit_into_it(make_site, monkeypatch):
    """Its first build finds nothing changed, yet puts the site together in memory: the first save is then
    swapped into it as later ones are, instead of waiting for the whole site to be assembled again."""
    files = {f"content/{n}.md": article(f"Tin số {n}", date=f"2026-11-{10 + n} 08:00") for n in range(1, 4)}
    site = make_site(files)
    assert site.run("build").code == 0
    root = site.root
    options = Options(root / "content", root / "layouts", root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)  # its builds, without its file watching
    results, before = [], site.snapshot()
    watcher.build(lambda result, problems: results.append(result), first=True)
    assert (results[-1].report.written, results[-1].report.removed) == (0, 0)
    assert site.snapshot() == before  # nothing changed, so nothing was written
    assembled = []
    whole_site = build.make_site
    monkeypatch.setattr(build, "make_site", lambda *args: assembled.append(args) or whole_site(*args))
    site.write({"content/1.md": article("Tin số 1", date="2026-11-11 08:00", body="Bài đã sửa.")})
    watcher.build(lambda result, problems: results.append(result), hurry=True)
    assert "Bài đã sửa." in site.page("bai-viet/tin-so-1/index.html")
    assert assembled == []


def _watched(root: Path, size: int, monkeypatch, save: str = "edit") -> tuple[int, int, list[str], list[int], Any]:
    """A site of `size` articles built by a watcher, then one old article's text edited (`save`: "edit"), a new
    article saved ("add"), an old one deleted ("delete") or dated after all the others ("move"): how many units
    the site has, how many the save checked, which it redid, the articles whose related lists it ranked (their
    places), and the site it made."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "site.toml").write_text('title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\n', "utf-8")
    (root / "content").mkdir()
    for n in range(size):
        day, hour = divmod(n, 20)
        text = article(f"Tin số {n}", date=f"2026-10-{1 + day:02} {hour + 1:02}:00", tags=f"[chủ đề {n % 5}]")
        (root / "content" / f"{n:03}.md").write_text(text, "utf-8")
    options = Options(root / "content", root / "layouts", root / "site.toml", root / "output", now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)  # its builds, without its file watching
    watcher.build(lambda result, problems: None, first=True)
    checked, made, ranked = [], [], []
    fresh, run_unit, ranker = incremental._fresh, incremental.run_unit, model._ranker
    monkeypatch.setattr(incremental, "_fresh", lambda record, *rest: checked.append(record) or fresh(record, *rest))
    monkeypatch.setattr(incremental, "run_unit", lambda unit, site: made.append(unit.name) or run_unit(unit, site))

    def counted_ranker(*args: Any) -> Any:
        best = ranker(*args)
        return lambda position: ranked.append(position) or best(position)

    monkeypatch.setattr(model, "_ranker", counted_ranker)
    saved, page = root / "content" / f"{size // 2:03}.md", root / f"output/bai-viet/tin-so-{size // 2}/index.html"
    if save == "add":
        saved, page = root / "content" / "new.md", root / "output/bai-viet/tin-moi/index.html"
        saved.write_text(article("Tin mới", date="2026-11-01 08:00", tags="[chủ đề 1]", body="Bài mới."), "utf-8")
    elif save == "delete":
        saved.unlink()
    elif save == "move":  # dated after every other article: it goes to the top of its lists
        day, hour = divmod(size // 2, 20)
        moved = saved.read_text("utf-8").replace(f"2026-10-{1 + day:02} {hour + 1:02}:00", "2026-10-31 08:00")
        saved.write_text(moved.replace("Nội dung bài.", "Nội dung đã sửa."), "utf-8")
    else:
        saved.write_text(saved.read_text("utf-8").replace("Nội dung bài.", "Nội dung đã sửa."), "utf-8")
    watcher.build(lambda result, problems: None, hints=frozenset({str(saved)}), hurry=True)
    if save == "delete":
        assert not page.exists()
    else:
        assert ("Bài mới." if save == "add" else "Nội dung đã sửa.") in page.read_text("utf-8")
    monkeypatch.undo()
    return len(watcher.state.records), len(checked), made, ranked, watcher.state.site[1]


def test_a_watcher_edit_checks_the_pages_that_show_the_article_whatever_the_size_of_the_site(tmp_path, monkeypatch):
    """The watcher keeps the site in memory with a note of what each page read: a text edit checks the pages
    that may show the edited article (its page, its neighbours', its listing page, the pages that list it as
    related…), as many in a site of 400 articles as in one of 40, and redoes those that show it."""
    _, small_checked, small_made, _, _ = _watched(tmp_path / "small", 40, monkeypatch)
    big_units, big_checked, big_made, _, _ = _watched(tmp_path / "big", 400, monkeypatch)
    assert big_units > 8 * small_checked  # so checking every unit could not pass
    assert big_checked <= small_checked + 2, (small_checked, big_checked)
    assert len(big_made) <= len(small_made) + 2 and "article 200.md" in big_made


def test_a_new_article_redoes_the_pages_it_changes_not_every_page_of_its_category(tmp_path, monkeypatch):
    """A new article shifts every other article of its category one place down. An article page links its
    neighbours by what they are, not by their places, so the pages redone are the new one's, its neighbour's
    and those that now list it as related; the watcher puts it into the site it keeps, checks only the pages
    that may show it, and ranks again only the related lists of the articles published around it."""
    units, checked, made, ranked, site = _watched(tmp_path / "big", 400, monkeypatch, "add")
    pages = {name for name in made if name.startswith("article ")}
    listing_it = {
        f"article {source}" for source, items in site.related.items() if "new.md" in {a.source for a in items}
    }
    assert pages == {"article new.md", "article 399.md"} | listing_it  # 399.md: the newest before it
    assert len(pages) < 100  # of 401 articles, all in one category
    assert checked < units // 4, (checked, units)  # its listing pages, feeds, neighbours: not every page
    assert 0 < len(ranked) < 200 and site.positions["new.md"] in ranked, ranked


def test_a_deleted_article_redoes_the_pages_that_showed_it_not_every_page(tmp_path, monkeypatch):
    """A deleted article is taken out of the site the watcher keeps: its page goes, the pages that showed it
    (its neighbours', those that listed it as related, the listing pages from its place on) are redone, and
    only the related lists of the articles published around it are ranked again."""
    units, checked, made, ranked, site = _watched(tmp_path / "big", 400, monkeypatch, "delete")
    pages = {name for name in made if name.startswith("article ")}
    assert "200.md" not in site.positions and {"article 199.md", "article 201.md"} <= pages
    assert len(pages) < 100 and checked < units // 4, (len(pages), checked, units)
    assert 0 < len(ranked) < 250, ranked


def test_an_article_moved_to_the_top_is_taken_out_and_put_back_not_the_site_assembled_again(tmp_path, monkeypatch):
    """An article dated anew leaves its old places and takes new ones in the site the watcher keeps: its page,
    its old and new neighbours' pages and the listing pages between are redone, the site is not assembled."""
    assembled = []
    whole_site = build.make_site
    monkeypatch.setattr(build, "make_site", lambda *args: assembled.append(args) or whole_site(*args))
    units, checked, made, ranked, site = _watched(tmp_path / "big", 400, monkeypatch, "move")
    assert len(assembled) == 1  # by the watcher's first build, not by the save
    assert site.articles[0].source == "200.md" and "article 200.md" in made
    assert {"article 199.md", "article 201.md", "article 399.md"} <= set(made)  # its old and new neighbours
    assert checked < units // 2 and 0 < len(ranked) < 450, (checked, units, len(ranked))


def test_a_watcher_edit_whose_page_fails_leaves_output_and_later_edits_build_what_a_clean_build_gives(make_site):
    """A watcher applies a text edit to its memory of the site in place: when a page then fails to render,
    nothing is written and that memory is put back, so that what it learnt of the failed edit never passes
    for the site later (here: article 3's page would keep its old text after the edit that failed came back)."""
    summaries = {1: "Một.", 2: "HỎNG", 3: "Ba.", 4: "Bốn."}

    def text(n: int, summary: str) -> str:
        return article(f"Tin số {n}", date=f"2026-11-{10 + n} 08:00", summary=summary)

    site = make_site({f"content/{n}.md": text(n, summary) for n, summary in summaries.items()})
    template = site.root / "layouts/article.html"
    failing = '{% if "CHIA0" in article.summary and "HỎNG" in older.summary %}{{ 1 / 0 }}{% endif %}'
    template.write_text(template.read_text("utf-8").replace("{% endblock %}", failing + "\n{% endblock %}"), "utf-8")
    root = site.root
    options = Options(root / "content", root / "layouts", root / "site.toml", site.output, now=_now())
    reported: list[str] = []
    watcher = Watcher(options, quiet=True, report=reported.append)  # its builds, without its file watching

    def save(n: int, summary: str) -> None:
        site.write({f"content/{n}.md": text(n, summary)})
        watcher.build(lambda result, problems: None, hints=frozenset({str(root / f"content/{n}.md")}), hurry=True)
        watcher.catch_up()

    watcher.build(lambda result, problems: None, first=True)
    before = site.snapshot()
    save(3, "CHIA0")  # its page fails: the article older than it says HỎNG
    assert reported[-1].startswith(f"{template}:") and "division by zero" in reported[-1]
    assert site.snapshot() == before
    save(3, "Ba.")  # as it was
    save(2, "Hai.")  # article 3's page shows it (its older neighbour)
    save(3, "CHIA0")  # no longer fails
    assert "CHIA0" in site.page("bai-viet/tin-so-3/index.html")
    clean = root / "clean"
    site_args = ["--content", str(root / "content"), "--layouts", str(root / "layouts")]
    assert main(["build", *site_args, "--config", str(root / "site.toml"), "--output", str(clean), "--now", NOW]) == 0
    assert tree(site.output) == tree(clean)


def test_a_watcher_finds_an_edit_whose_notification_was_lost_once_the_edits_pause(make_site):
    """Edits are built from the notifications alone; now and then, once the edits pause, the watcher also looks
    at every source file, so that a change whose notification was lost is published all the same."""
    site = make_site({f"content/{n}.md": article(f"Tin số {n}", date=f"2026-11-{10 + n} 08:00") for n in (1, 2)})
    root = site.root
    options = Options(root / "content", root / "layouts", root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)  # its builds, without its file watching
    watcher.build(lambda result, problems: None, first=True)
    site.write({"content/1.md": article("Tin số 1", date="2026-11-11 08:00", body="Không ai báo tin này.")})
    site.write({"content/2.md": article("Tin số 2", date="2026-11-12 08:00", body="Sửa có báo.")})
    watcher.build(lambda result, problems: None, hints=frozenset({str(root / "content/2.md")}), hurry=True)
    assert "Sửa có báo." in site.page("bai-viet/tin-so-2/index.html")
    seen = []
    for number in range(watch.FULL_SCAN_EVERY):  # more saves of the other article, each followed by a pause
        body = f"Sửa lần {number}."
        site.write({"content/2.md": article("Tin số 2", date="2026-11-12 08:00", body=body)})
        watcher.build(lambda result, problems: None, hints=frozenset({str(root / "content/2.md")}), hurry=True)
        if watcher.waiting():
            watcher.catch_up()
        seen.append("Không ai báo tin này." in site.page("bai-viet/tin-so-1/index.html"))
    assert seen[-1] and not seen[watch.FULL_SCAN_EVERY // 2 - 2], seen  # found once 25 builds had passed
    assert not watcher.waiting()


def test_a_watcher_edit_saved_through_temporary_files_takes_the_short_path(make_site, monkeypatch):
    """vim probes the folder with a file named 4913, JetBrains editors write name___jb_tmp___ and keep
    name___jb_old___: files that came and went by the time the watcher looks are no reason to assemble the site."""
    site = make_site({f"content/{n}.md": article(f"Tin số {n}", date=f"2026-11-{10 + n} 08:00") for n in (1, 2, 3)})
    root = site.root
    options = Options(root / "content", root / "layouts", root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)  # its builds, without its file watching
    watcher.build(lambda result, problems: None, first=True)
    usual = []
    rebuild = watch.rebuild
    monkeypatch.setattr(watch, "rebuild", lambda *args, **how: usual.append(args) or rebuild(*args, **how))
    site.write({"content/2.md": article("Tin số 2", date="2026-11-12 08:00", body="Lưu qua tệp tạm.")})
    gone = ("4913", "2.md___jb_tmp___", "2.md___jb_old___", "2.md~")
    hints = frozenset(str(root / "content" / name) for name in ("2.md", *gone))
    watcher.build(lambda result, problems: None, hints=hints, hurry=True)
    assert "Lưu qua tệp tạm." in site.page("bai-viet/tin-so-2/index.html")
    assert usual == []  # the site was not assembled, nor every unit checked


def test_a_save_that_stops_an_update_of_the_search_index_stops_it_once(make_site, monkeypatch):
    """A save sends the watcher a signal for each notification (written, closed…): the first stops the update of
    the search index; one that comes while the update cleans up after itself must not cut that short, or
    staged files stay in output/ and the watcher's memory is left as the stopped update made it."""
    site = make_site({f"content/{n}.md": article(f"Tin số {n}", date=f"2026-11-{10 + n} 08:00") for n in (1, 2, 3)})
    root = site.root
    options = Options(root / "content", root / "layouts", root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)  # its builds, without its file watching
    watcher.build(lambda result, problems: None, first=True)
    site.write({"content/2.md": article("Tin số 2", date="2026-11-12 08:00", body="Bản sửa một.")})
    watcher.build(lambda result, problems: None, hints=frozenset({str(root / "content/2.md")}), hurry=True)
    assert watcher.behind
    signals = []

    def signal_now() -> None:  # as the signal handler runs when a notification comes
        signals.append(1)
        watcher._supersede(0, None)

    collect = search.collect  # the search index's first step
    monkeypatch.setattr(search, "collect", lambda *args: signal_now() or collect(*args))
    discard = output.Staging.discard
    monkeypatch.setattr(output.Staging, "discard", lambda staging: signal_now() or discard(staging))
    watcher.catch_up()
    assert len(signals) == 2 and watcher.behind  # stopped once, and the clean-up was not stopped
    assert not output.interrupted(site.output)
    monkeypatch.undo()
    site.write({"content/2.md": article("Tin số 2", date="2026-11-12 08:00", body="Bản sửa hai.")})
    watcher.build(lambda result, problems: None, hints=frozenset({str(root / "content/2.md")}), hurry=True)
    watcher.catch_up()
    clean = root / "clean"
    site_args = ["--content", str(root / "content"), "--layouts", str(root / "layouts")]
    assert main(["build", *site_args, "--config", str(root / "site.toml"), "--output", str(clean), "--now", NOW]) == 0
    assert tree(site.output) == tree(clean)


def test_a_build_from_another_folder_parses_and_renders_only_what_changed(make_site, monkeypatch):
    """The cache and the memory of the last build name files by their place in the content folder, not by
    the path messages show (which depends on the folder the command runs in): from another folder, an edit
    is parsed and rendered as from the first, and messages name files from where the command runs."""
    files = {f"content/{n}.md": article(f"Tin số {n}", date=f"2026-11-{10 + n} 08:00") for n in range(1, 7)}
    files["content/2.md"] = article("Tin số 2", date="2026-11-12 08:00", slug="tin-chon")
    files["content/bad.md"] = article("Tin hỏng", date="2026-13-01 08:00")
    site = make_site(files)
    parsed, made = [], []
    read_article, run_unit = loader.read_article, incremental.run_unit
    monkeypatch.setattr(loader, "read_article", lambda place, *rest: parsed.append(place) or read_article(place, *rest))
    monkeypatch.setattr(incremental, "run_unit", lambda unit, site: made.append(unit.name) or run_unit(unit, site))
    monkeypatch.chdir(site.root)
    failed = site.run("build")
    assert failed.code == 1 and "content/bad.md:3: " in failed.err
    assert len(parsed) == 7
    monkeypatch.chdir(site.root / "content")
    parsed.clear()
    failed = site.run("build")
    assert failed.code == 1 and "\nbad.md:3: " in f"\n{failed.err}" and "content/" not in failed.err
    assert parsed == []  # the bad file's problem came from the cache too, named from here

    site.write({"content/bad.md": article("Tin chọn", date="2026-11-01 08:00", slug="tin-chon")})
    failed = site.run("build")
    assert failed.code == 1 and parsed == ["bad.md"]  # 2.md, parsed from the other folder, is named from here
    assert 'bad.md:5: slug "tin-chon" is already used by 2.md' in failed.err and "content/" not in failed.err
    (site.root / "content" / "bad.md").unlink()
    monkeypatch.chdir(site.root)
    parsed.clear()
    made.clear()
    assert site.run("build").code == 0 and parsed == []
    every = len(made)
    redone = []
    for folder, body in ((site.root, "Bài đã sửa."), (site.root / "content", "Bài sửa lần hai.")):
        site.write({"content/1.md": article("Tin số 1", date="2026-11-11 08:00", body=body)})
        monkeypatch.chdir(folder)
        parsed.clear()
        made.clear()
        assert site.run("build").code == 0
        assert parsed == ["1.md"]
        assert body in site.page("bai-viet/tin-so-1/index.html")
        redone.append(sorted(made))
    assert redone[0] == redone[1]  # the same units as after the same edit built from the first folder
    assert "article 1.md" in redone[1] and len(redone[1]) < every


def test_a_watcher_sees_an_edit_of_the_file_an_article_links_to(make_site):
    """The notification names the file edited, not the link that makes it an article."""
    site = make_site({"content/.kho/bai.md": article("Tin liên kết", body="Bản đầu."), "content/a.md": article("Tin")})
    (site.root / "content/lien-ket.md").symlink_to(".kho/bai.md")
    options = Options(site.root / "content", site.root / "layouts", site.root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)
    watcher.build(lambda result, problems: None, first=True)
    assert "Bản đầu." in site.page("bai-viet/tin-lien-ket/index.html")
    site.write({"content/.kho/bai.md": article("Tin liên kết", body="Bản sửa.")})
    watcher.build(lambda result, problems: None, hints=frozenset({str(site.root / "content/.kho/bai.md")}), hurry=True)
    assert "Bản sửa." in site.page("bai-viet/tin-lien-ket/index.html")


def test_a_new_article_whose_page_is_another_file_of_the_site_is_reported_and_output_kept(make_site):
    """A new article is checked against the files the site already has: here a file copied from content/ where
    its page's folder would be."""
    site = make_site({"content/a.md": article("Tin một"), "content/bai-viet/tin-moi": "Ghi chú."})
    options = Options(site.root / "content", site.root / "layouts", site.root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)
    watcher.build(lambda result, problems: None, first=True)
    before = site.snapshot()
    site.write({"content/b.md": article("Tin mới")})
    found: list = []
    watcher.build(lambda result, problems: found.extend(problems), hints=frozenset({str(site.root / "content/b.md")}))
    assert [str(problem).replace(f"{site.root}/", "") for problem in found] == [
        "content/bai-viet/tin-moi:1: /bai-viet/tin-moi must be a folder for /bai-viet/tin-moi/index.html, made by "
        "content/b.md; change one of them"
    ]
    assert site.snapshot() == before


def test_a_watcher_puts_back_a_page_deleted_by_hand_once_the_edits_pause(make_site):
    site = make_site({"content/a.md": article("Tin một"), "content/b.md": article("Tin hai", category="Kinh tế")})
    options = Options(site.root / "content", site.root / "layouts", site.root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)
    watcher.build(lambda result, problems: None, first=True)
    expected = site.snapshot()
    (site.output / "bai-viet/tin-hai/index.html").unlink()
    (site.output / "chuyen-muc/kinh-te/rss.xml").unlink()
    site.write({"content/a.md": article("Tin một", body="Bài đã sửa.")})
    watcher.build(lambda result, problems: None, hints=frozenset({str(site.root / "content/a.md")}), hurry=True)
    assert watcher.behind
    watcher.catch_up()
    site.write({"content/a.md": article("Tin một")})
    watcher.build(lambda result, problems: None, hints=frozenset({str(site.root / "content/a.md")}), hurry=True)
    watcher.catch_up()
    assert site.snapshot() == expected


def test_an_edit_that_keeps_the_size_is_seen_after_stamps_are_trusted(make_site):
    site = make_site({"content/a.md": article("Tin một", body="Bản A.")})
    assert site.run("build").code == 0
    time.sleep(3.2)  # the file is now old enough for its stamp to be trusted
    assert site.run("build").code == 0
    site.write({"content/a.md": article("Tin một", body="Bản B.")})
    assert site.run("build").code == 0
    assert "Bản B." in site.page("bai-viet/tin-mot/index.html")


def test_no_change_rebuild_writes_nothing_and_repairs_a_deleted_file(make_site):
    site = make_site({"content/a.md": article("Tin một"), "content/b.md": article("Tin hai", category="Kinh tế")})
    assert site.run("build").code == 0
    stamps = {p: (site.output / p).stat().st_mtime_ns for p in site.snapshot()}
    again = site.run("build")
    assert ": 0 written," in again.out and "0 removed" in again.out
    assert {p: (site.output / p).stat().st_mtime_ns for p in site.snapshot()} == stamps
    (site.output / "bai-viet/tin-hai/index.html").unlink()
    repaired = site.run("build")
    assert ": 1 written," in repaired.out
    assert (site.output / "bai-viet/tin-hai/index.html").is_file()


def test_one_edit_rewrites_only_the_pages_that_show_it(make_site):
    files = {
        f"content/{n}.md": article(f"Tin số {n}", date=f"2026-11-{10 + n} 08:00", body=f"Bài {n}.") for n in range(1, 9)
    }
    site = make_site(files, config='title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\nper_page = 2\n')
    assert site.run("build").code == 0
    before = {p: (site.output / p).stat().st_mtime_ns for p in site.snapshot()}
    site.write({"content/1.md": article("Tin số 1", date="2026-11-11 08:00", body="Bài 1, đã sửa.")})
    assert site.run("build").code == 0
    changed = sorted(p for p in site.snapshot() if (site.output / p).stat().st_mtime_ns != before.get(p))
    # the oldest article: its page, the last listing page it sits on, and the pages listing it as related
    assert "bai-viet/tin-so-1/index.html" in changed
    assert "chuyen-muc/thoi-su/trang/4/index.html" in changed
    assert "chuyen-muc/thoi-su/index.html" not in changed and "index.html" not in changed
    assert len(changed) < len(before) // 2


def test_a_site_with_nothing_published_yet_builds_the_same_bytes_a_second_later(make_site):
    site = make_site({"content/a.md": article("Tin nháp", draft="true")})
    assert site.run("build").code == 0
    first = (site.output / "rss.xml").read_bytes()
    time.sleep(1.1)
    assert site.run("build", "--output", str(site.root / "again"), "--cache", str(site.root / "again-cache")).code == 0
    assert (site.root / "again/rss.xml").read_bytes() == first


def test_a_site_with_nothing_published_is_built_again_for_a_new_now(make_site):
    site = make_site({"content/a.md": article("Tin hẹn giờ", date="2030-01-01 08:00")})
    assert site.run("build", now="2026-01-01T00:00:00+07:00").code == 0
    assert site.run("build", now="2026-06-01T00:00:00+07:00").code == 0
    clean = site.root / "clean"
    fresh = ["--output", str(clean), "--cache", str(site.root / "clean-cache")]
    assert site.run("build", *fresh, now="2026-06-01T00:00:00+07:00").code == 0
    assert (site.output / "rss.xml").read_bytes() == (clean / "rss.xml").read_bytes()


def test_a_link_in_layouts_to_a_file_outside_is_reported(make_site):
    site = make_site({"content/a.md": article("Tin một")})
    (site.root / "brand.css").write_text("body { color: navy; }\n", "utf-8")
    (site.root / "layouts/static/brand.css").symlink_to(site.root / "brand.css")
    result = site.run("build")
    assert result.code == 1
    assert "layouts/static/brand.css:1: this is a link to a file outside the layouts folder" in result.err


def test_a_stopped_update_of_the_search_index_leaves_the_next_edit_on_the_short_path(make_site, monkeypatch):
    """Stopping the update puts back the watcher's memory of the site: what it knew before the update stays
    (the digests of the pages' inputs), so the save that stopped it costs what an edit costs."""
    site = make_site({f"content/{n}.md": article(f"Tin số {n}", date=f"2026-10-{1 + n:02} 08:00") for n in range(24)})
    root = site.root
    options = Options(root / "content", root / "layouts", root / "site.toml", site.output, now=_now())
    watcher = Watcher(options, quiet=True, report=lambda message: None)  # its builds, without its file watching
    watcher.build(lambda result, problems: None, first=True)
    computed = []
    facet = digests.Digests._facet
    monkeypatch.setattr(digests.Digests, "_facet", lambda self, f: computed.append(f) or facet(self, f))

    def edit(number: int, text: str) -> int:
        site.write(
            {f"content/{number}.md": article(f"Tin số {number}", date=f"2026-10-{1 + number:02} 08:00", body=text)}
        )
        computed.clear()
        watcher.build(lambda result, problems: None, hints=frozenset({str(root / f"content/{number}.md")}), hurry=True)
        assert text in site.page(f"bai-viet/tin-so-{number}/index.html")
        return len(computed)

    edit(12, "Bản sửa một.")
    watcher.catch_up()
    plain = edit(12, "Bản sửa hai.")
    collect = search.collect  # the search index's first step: the update is stopped there
    monkeypatch.setattr(search, "collect", lambda *args: watcher._supersede(0, None) or collect(*args))
    watcher.catch_up()
    assert watcher.behind and watcher.stopped is not None
    monkeypatch.setattr(search, "collect", collect)
    after_stop = edit(12, "Bản sửa ba.")
    assert after_stop <= plain + 2, (plain, after_stop)
    watcher.catch_up()
    clean = root / "clean"
    site_args = ["--content", str(root / "content"), "--layouts", str(root / "layouts")]
    assert main(["build", *site_args, "--config", str(root / "site.toml"), "--output", str(clean), "--now", NOW]) == 0
    assert tree(site.output) == tree(clean)
