"""Feeds: valid RSS 2.0 (feedparser, no bozo), newest first, the latest 50, +07:00 times, full HTML."""

from __future__ import annotations

import feedparser
from conftest import article


def _feeds(site):
    return sorted(site.output.rglob("rss.xml"))


def test_every_feed_parses_without_bozo_and_is_linked_from_pages(make_site):
    site = make_site(
        {
            "content/a.md": article(
                "Tin về 5G", category="Công nghệ", body="Đoạn *một*.\n\nĐoạn hai & ba.", author="Lê Văn A"
            ),
            "content/b.md": article("Tin đường sá", date="2026-11-21 09:30", category="Giao thông", summary="Lời dẫn."),
        }
    )
    assert site.run("build").code == 0
    feeds = _feeds(site)
    assert [f.relative_to(site.output).as_posix() for f in feeds] == [
        "chuyen-muc/cong-nghe/rss.xml",
        "chuyen-muc/giao-thong/rss.xml",
        "rss.xml",
    ]
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "rss20"
    whole = feedparser.parse((site.output / "rss.xml").read_bytes())
    assert [e.title for e in whole.entries] == ["Tin đường sá", "Tin về 5G"]
    first = whole.entries[0]
    assert first.link == "https://bantin.example.vn/bai-viet/tin-duong-sa/"
    assert first.published == "Sat, 21 Nov 2026 09:30:00 +0700"
    assert first.summary == "Lời dẫn."
    second = whole.entries[1]
    assert "<em>một</em>" in second.content[0].value and second.author == "Lê Văn A"
    assert whole.feed.link == "https://bantin.example.vn/"
    home = site.page("index.html")
    assert '<link rel="alternate" type="application/rss+xml"' in home and 'href="/rss.xml"' in home
    listing = site.page("chuyen-muc/giao-thong/index.html")
    assert 'href="/chuyen-muc/giao-thong/rss.xml"' in listing


def test_feeds_carry_the_latest_50_newest_first(make_site):
    files = {
        f"content/{i:03}.md": article(f"Tin {i:03}", date=f"2026-{1 + i // 28:02}-{1 + i % 28:02} 07:00")
        for i in range(60)
    }
    site = make_site(files)
    assert site.run("build").code == 0
    for path in _feeds(site):
        entries = feedparser.parse(path.read_bytes()).entries
        assert len(entries) == 50
        assert [e.title for e in entries] == [f"Tin {i:03}" for i in range(59, 9, -1)]


def test_category_feed_holds_only_its_category(make_site):
    site = make_site(
        {"content/a.md": article("Một", category="Y tế"), "content/b.md": article("Hai", category="Xã hội")}
    )
    assert site.run("build").code == 0
    entries = feedparser.parse((site.output / "chuyen-muc/y-te/rss.xml").read_bytes()).entries
    assert [e.title for e in entries] == ["Một"]


def test_rss_and_atom_for_the_site_every_category_and_every_tag(make_site):
    site = make_site(
        {
            "content/a.md": article(
                "Tin về 5G",
                category="Công nghệ",
                tags="[5G, Viễn thông]",
                author="Lê Văn A",
                body="Xem [bài trước](/bai-viet/tin-cu/) và [chú thích](#ghi-chu).\n\n![Sơ đồ](so-do.svg)\nSơ đồ mạng",
            ),
            "content/so-do.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "content/b.md": article("Tin đường sá", date="2026-11-21 09:30", category="Giao thông", tags="[5G]"),
        }
    )
    assert site.run("build").code == 0
    feeds = sorted(p.relative_to(site.output).as_posix() for p in site.output.rglob("*.xml") if "sitemap" not in p.name)
    folders = ["", "chuyen-muc/cong-nghe/", "chuyen-muc/giao-thong/", "the/5g/", "the/vien-thong/"]
    assert feeds == sorted(f"{folder}{name}" for folder in folders for name in ("rss.xml", "atom.xml"))
    for name in feeds:
        parsed = feedparser.parse((site.output / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.version == ("atom10" if name.endswith("atom.xml") else "rss20"), name
        for link in parsed.feed.links:
            assert link.href.startswith("https://bantin.example.vn/"), (name, link)
        assert any(
            link.rel == "self" and link.href == f"https://bantin.example.vn/{name}" for link in parsed.feed.links
        )
        for entry in parsed.entries:
            assert entry.id.startswith("https://bantin.example.vn/bai-viet/"), (name, entry.id)
            assert all(link.href.startswith("https://bantin.example.vn/") for link in entry.links), name
            assert entry.published.endswith(("+0700", "+07:00")), entry.published
    atom = feedparser.parse((site.output / "the/5g/atom.xml").read_bytes())
    assert atom.feed.id == "https://bantin.example.vn/the/5g/"
    assert [e.title for e in atom.entries] == ["Tin đường sá", "Tin về 5G"]
    full = atom.entries[1]
    assert full.author == "Lê Văn A" and full.summary == "Xem bài trước và chú thích."
    html = full.content[0].value
    assert 'href="https://bantin.example.vn/bai-viet/tin-cu/"' in html and 'href="#ghi-chu"' in html
    assert 'src="https://bantin.example.vn/so-do.svg"' in html and "<figcaption>Sơ đồ mạng</figcaption>" in html
    rss = feedparser.parse((site.output / "the/5g/rss.xml").read_bytes())
    assert rss.entries[1].content[0].value == html  # the same full text in content:encoded
    listing = site.page("the/5g/index.html")
    assert 'type="application/rss+xml"' in listing and 'href="/the/5g/rss.xml"' in listing
    assert 'type="application/atom+xml"' in listing and 'href="/the/5g/atom.xml"' in listing
