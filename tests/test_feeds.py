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
