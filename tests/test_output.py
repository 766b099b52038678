"""The writer and the path check, and the sitemap and robots.txt they carry."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

from conftest import article

from generator.output import MANIFEST, OutputFile, check_paths, write_tree


def test_writer_skips_identical_files_and_prunes_what_it_wrote_before(tmp_path):
    out = tmp_path / "out"
    first = write_tree(out, [OutputFile("a/index.html", b"A", "x"), OutputFile("b/c/index.html", b"C", "y")])
    assert (first.written, first.unchanged, first.removed) == (2, 0, 0)
    (out / "keep-me.txt").write_text("not ours")
    stamp = (out / "a/index.html").stat().st_mtime_ns
    second = write_tree(out, [OutputFile("a/index.html", b"A", "x")])
    assert (second.written, second.unchanged, second.removed) == (0, 1, 1)
    assert (out / "a/index.html").stat().st_mtime_ns == stamp
    assert not (out / "b").exists()
    assert (out / "keep-me.txt").read_text() == "not ours"
    assert json.loads((out / MANIFEST).read_text()) == ["a/index.html"]
    assert not list(out.rglob("*.part"))


def test_path_check_names_both_claimants_and_refuses_escapes():
    problems = check_paths(
        [
            OutputFile("rss.xml", b"", "site feed"),
            OutputFile("rss.xml", b"", "content/rss.xml"),
            OutputFile("../etc/passwd", b"", "evil"),
            OutputFile("/abs", b"", "evil2"),
        ]
    )
    assert [str(p) for p in problems] == [
        "content/rss.xml:1: /rss.xml is also made by site feed; change one of them",
        'evil:1: would write outside the output folder: "../etc/passwd"',
        'evil2:1: would write outside the output folder: "/abs"',
    ]


def test_an_asset_that_collides_with_a_page_is_reported(make_site):
    site = make_site({"content/a.md": article("Tin"), "content/rss.xml": "<rss/>"})
    result = site.run("build")
    assert result.code == 1
    assert (
        result.err.splitlines()[0]
        == f"{site.root}/content/rss.xml:1: /rss.xml is also made by feed of the whole site; change one of them"
    )


def test_sitemap_and_robots_use_absolute_addresses(make_site):
    site = make_site(
        {"content/a.md": article("Tin một", tags="[5G]"), "content/b.md": article("Tin hai", draft="true")}
    )
    assert site.run("build").code == 0
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.fromstring((site.output / "sitemap.xml").read_bytes())
    locations = [loc.text for loc in tree.findall("s:url/s:loc", namespace)]
    assert locations == [
        "https://bantin.example.vn/",
        "https://bantin.example.vn/bai-viet/tin-mot/",
        "https://bantin.example.vn/chuyen-muc/thoi-su/",
        "https://bantin.example.vn/the/5g/",
    ]
    assert tree.find("s:url/s:lastmod", namespace).text == "2026-11-20T08:00:00+07:00"
    assert "Sitemap: https://bantin.example.vn/sitemap.xml" in (site.output / "robots.txt").read_text()


def test_a_site_with_more_pages_than_one_sitemap_may_list_gets_a_sitemap_index(make_site, monkeypatch):
    """A search engine reads at most 50 000 pages from one sitemap: beyond that, sitemap.xml names parts."""
    from generator import sitemap

    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 3)
    files = {f"content/{n}.md": article(f"Tin số {n}", date=f"2026-11-1{n}T08:00:00+07:00") for n in range(5)}
    site = make_site(files)
    assert site.run("build").code == 0
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring((site.output / "sitemap.xml").read_bytes())
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", namespace)]
    assert index.find("s:sitemap/s:lastmod", namespace).text == "2026-11-14T08:00:00+07:00"
    listed = []
    for number, address in enumerate(parts, 1):
        assert address == f"https://bantin.example.vn/sitemap-{number}.xml"
        part = ET.fromstring((site.output / f"sitemap-{number}.xml").read_bytes())
        found = [loc.text for loc in part.findall("s:url/s:loc", namespace)]
        assert 0 < len(found) <= 3
        listed += found
    assert len(parts) == -(-len(listed) // 3) > 1
    articles = [f"https://bantin.example.vn/bai-viet/tin-so-{n}/" for n in (4, 3, 2, 1, 0)]
    assert listed[:6] == ["https://bantin.example.vn/", *articles]
    assert "https://bantin.example.vn/chuyen-muc/thoi-su/" in listed[6:]
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 50_000)
    monkeypatch.setattr(sitemap, "SITEMAP_BYTES", 200)  # nor more bytes than it may hold
    site.write({"content/0.md": article("Tin số 0", date="2026-11-10T09:00:00+07:00")})
    assert site.run("build").code == 0
    parts = sorted(site.output.glob("sitemap-[0-9]*.xml"))
    assert len(parts) > 2
    for part in parts:
        urls = ET.fromstring(part.read_bytes()).findall("s:url", namespace)
        assert len(urls) == 1 or len(part.read_bytes()) <= 200 + 200
    monkeypatch.setattr(sitemap, "SITEMAP_BYTES", 52_428_800)
    site.write({"content/5.md": article("Tin số 5")})
    assert site.run("build").code == 0
    assert ET.fromstring((site.output / "sitemap.xml").read_bytes()).tag.endswith("urlset")
    assert not list(site.output.glob("sitemap-[0-9]*.xml"))  # the parts are gone with the index


def test_built_files_are_readable_by_the_web_server(make_site):
    site = make_site({"content/a.md": article("Tin", body="Bài."), "content/anh/a.svg": "<svg/>"})
    previous = os.umask(0o022)  # the usual umask: the web server's user must be able to read every page
    try:
        assert site.run("build").code == 0
        site.write({"content/a.md": article("Tin", body="Bài đã sửa.")})  # rewritten files too
        assert site.run("build").code == 0
    finally:
        os.umask(previous)
    files = [p for p in site.output.rglob("*") if p.is_file()]
    assert files and "Bài đã sửa." in site.page("bai-viet/tin/index.html")
    private = [p.relative_to(site.output).as_posix() for p in files if p.stat().st_mode & 0o044 != 0o044]
    assert private == []
