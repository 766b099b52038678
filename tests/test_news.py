"""News search and reading: JSON-LD, Open Graph, news sitemap, expiry, old addresses, previous/next, reading time."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from conftest import article, live_markup
from test_images import jpeg

PLUS7 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Head(HTMLParser):
    """JSON-LD blocks, <meta> tags and <link> tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in_ld = True
            self.blocks.append("")
        elif tag == "meta" and ("property" in values or "name" in values):
            self.meta[values.get("property") or values["name"]] = values.get("content", "")
        elif tag == "link":
            self.links.append(values)

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.blocks[-1] += data


def head(page: str) -> _Head:
    parser = _Head()
    parser.feed(page)
    return parser


def structured(page: str) -> dict[str, dict]:
    """Every JSON-LD object of a page by its @type (parsing fails the test if any block is not JSON)."""
    found = [json.loads(block) for block in head(page).blocks]
    assert all(item["@context"] == "https://schema.org" for item in found)
    return {item["@type"]: item for item in found}


def news_site(make_site):
    return make_site(
        {
            "content/anh/cau.jpg": jpeg(1600, 900),
            "content/cau.md": article(
                "Thanh Hóa thông xe cầu mới",
                date="2026-11-26 08:30",
                category="Giao thông",
                tags="[Sông Mã, cầu đường]",
                author="Lê Văn An",
                summary="Cây cầu rút ngắn đường ra Sầm Sơn.",
                image="anh/cau.jpg",
                image_caption="Cầu nhìn từ bờ bắc",
                updated="2026-11-26 15:05",
                body=" ".join(["Người dân phấn khởi khi cầu mới thông xe."] * 120),
            ),
            "content/cu.md": article("Khởi công cầu", date="2026-11-01 08:00", category="Giao thông"),
            "content/xa.md": article("Tin không tác giả", date="2026-11-24 07:00", category="Giao thông"),
        },
        config='title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\ndescription = "Tin tỉnh nhà."\n',
    )


def test_article_json_ld_has_what_news_search_requires(make_site):
    site = news_site(make_site)
    assert site.run("build").code == 0
    data = structured(site.page("bai-viet/thanh-hoa-thong-xe-cau-moi/index.html"))
    news = data["NewsArticle"]
    url = "https://bantin.example.vn/bai-viet/thanh-hoa-thong-xe-cau-moi/"
    assert news["headline"] == "Thanh Hóa thông xe cầu mới" and len(news["headline"]) <= 110
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": url} and news["url"] == url
    assert news["datePublished"] == "2026-11-26T08:30:00+07:00"
    assert news["dateModified"] == "2026-11-26T15:05:00+07:00"
    assert all(PLUS7.match(news[key]) for key in ("datePublished", "dateModified"))
    assert news["author"] == [{"@type": "Person", "name": "Lê Văn An"}]
    image = news["image"][0]
    assert image["url"] == "https://bantin.example.vn/anh/cau.jpg" and (image["width"], image["height"]) == (1600, 900)
    publisher = news["publisher"]
    assert publisher["@type"] == "NewsMediaOrganization" and publisher["name"] == "Bản tin thử"
    assert publisher["logo"]["url"] == "https://bantin.example.vn/static/logo.png"
    assert (site.output / "static/logo.png").is_file()
    assert news["articleSection"] == "Giao thông" and news["keywords"] == ["Sông Mã", "cầu đường"]
    assert news["inLanguage"] == "vi" and news["description"] == "Cây cầu rút ngắn đường ra Sầm Sơn."
    assert news["wordCount"] == 120 * 9
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Trang chủ", "https://bantin.example.vn/"),
        (2, "Giao thông", "https://bantin.example.vn/chuyen-muc/giao-thong/"),
        (3, "Thanh Hóa thông xe cầu mới", url),
    ]
    plain = structured(site.page("bai-viet/tin-khong-tac-gia/index.html"))["NewsArticle"]
    assert plain["author"][0]["name"] == "Bản tin thử" and "image" not in plain


def test_home_has_website_with_search_action_and_listings_have_breadcrumbs(make_site):
    site = news_site(make_site)
    assert site.run("build").code == 0
    home = structured(site.page("index.html"))["WebSite"]
    assert home["url"] == "https://bantin.example.vn/" and home["name"] == "Bản tin thử"
    action = home["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "https://bantin.example.vn/tim-kiem/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    tag = structured(site.page("the/song-ma/index.html"))["BreadcrumbList"]["itemListElement"]
    assert tag[-1]["item"] == "https://bantin.example.vn/the/song-ma/"


def test_open_graph_twitter_and_canonical(make_site):
    site = news_site(make_site)
    assert site.run("build").code == 0
    page = head(site.page("bai-viet/thanh-hoa-thong-xe-cau-moi/index.html"))
    meta = page.meta
    assert meta["og:type"] == "article" and meta["og:title"] == "Thanh Hóa thông xe cầu mới"
    assert meta["og:image"] == "https://bantin.example.vn/anh/cau.jpg"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1600", "900")
    assert meta["og:url"] == "https://bantin.example.vn/bai-viet/thanh-hoa-thong-xe-cau-moi/"
    assert meta["article:published_time"] == "2026-11-26T08:30:00+07:00"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == meta["og:image"] and meta["twitter:description"] == meta["og:description"]
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == ["https://bantin.example.vn/bai-viet/thanh-hoa-thong-xe-cau-moi/"]
    listing = head(site.page("chuyen-muc/giao-thong/index.html"))
    assert [x["href"] for x in listing.links if x.get("rel") == "canonical"] == [
        "https://bantin.example.vn/chuyen-muc/giao-thong/"
    ]


def test_json_ld_cannot_be_broken_out_of(make_site):
    site = make_site({"content/a.md": article('"</script><script>alert(1)</script> & <!--"', tags='["</script>"]')})
    assert site.run("build").code == 0
    page = next((site.output / "bai-viet").iterdir()) / "index.html"
    html = page.read_text("utf-8")
    assert live_markup(html) == []
    assert structured(html)["NewsArticle"]["headline"] == "</script><script>alert(1)</script> & <!--"


def test_news_sitemap_lists_the_last_48_hours_and_robots_names_both_sitemaps(make_site):
    site = news_site(make_site)
    assert site.run("build", now="2026-11-27T12:00:00+07:00").code == 0
    tree = ET.fromstring((site.output / "sitemap-news.xml").read_bytes())
    urls = tree.findall(f"{SITEMAP}url")
    assert [u.findtext(f"{SITEMAP}loc") for u in urls] == [
        "https://bantin.example.vn/bai-viet/thanh-hoa-thong-xe-cau-moi/"
    ]
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Bản tin thử"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "vi"
    assert news.findtext(f"{NEWS}publication_date") == "2026-11-26T08:30:00+07:00"
    assert news.findtext(f"{NEWS}title") == "Thanh Hóa thông xe cầu mới"
    sitemap = site.page("sitemap.xml")
    assert "<image:loc>https://bantin.example.vn/anh/cau.jpg</image:loc>" in sitemap
    ET.fromstring(sitemap.encode())
    # An earlier --now moves the window: the article of 2026-11-24 07:00 is in at exactly 48 hours, then out.
    assert site.run("build", now="2026-11-26T07:00:00+07:00").code == 0
    tree = ET.fromstring((site.output / "sitemap-news.xml").read_bytes())
    assert [u.findtext(f"{SITEMAP}loc") for u in tree.findall(f"{SITEMAP}url")] == [
        "https://bantin.example.vn/bai-viet/tin-khong-tac-gia/"
    ]
    assert site.run("build", now="2026-11-26T07:01:00+07:00").code == 0
    tree = ET.fromstring((site.output / "sitemap-news.xml").read_bytes())
    assert tree.findall(f"{SITEMAP}url") == []
    robots = site.page("robots.txt")
    assert "Sitemap: https://bantin.example.vn/sitemap.xml\n" in robots
    assert "Sitemap: https://bantin.example.vn/sitemap-news.xml\n" in robots


def test_expired_article_disappears_everywhere(make_site):
    site = make_site(
        {
            "content/a.md": article("Lịch tiếp dân tuần này", tags="[tiếp dân]", expires="2026-11-27 00:00"),
            "content/b.md": article("Tin vẫn còn", tags="[tiếp dân]"),
        }
    )
    assert site.run("build", now="2026-11-26T23:59:00+07:00").code == 0
    assert (site.output / "bai-viet/lich-tiep-dan-tuan-nay/index.html").is_file()
    assert "Lịch tiếp dân tuần này" in site.page("the/tiep-dan/index.html")
    assert site.run("build", now="2026-11-27T00:00:00+07:00").code == 0
    assert not (site.output / "bai-viet/lich-tiep-dan-tuan-nay").exists()
    text = "".join(p.read_text("utf-8") for p in site.output.rglob("*") if p.suffix in (".html", ".xml", ".txt"))
    assert "Lịch tiếp dân" not in text and "lich-tiep-dan" not in text
    assert "Tin vẫn còn" in text


def test_old_addresses_become_redirect_pages(make_site):
    site = make_site(
        {
            "content/a.md": article(
                "Cầu mới thông xe",
                aliases="[/tin-tuc/cau-moi.html, /bai-viet/cau-cu/, 'https://bantin.example.vn/tin/c%E1%BA%A7u', /tin-tuc/cau-moi.html]",
            )
        }
    )
    assert site.run("build").code == 0
    for path in ("tin-tuc/cau-moi.html", "bai-viet/cau-cu/index.html", "tin/cầu/index.html"):
        page = site.page(path)
        assert '<link rel="canonical" href="https://bantin.example.vn/bai-viet/cau-moi-thong-xe/">' in page, path
        assert '<meta http-equiv="refresh" content="0; url=/bai-viet/cau-moi-thong-xe/">' in page
        assert '<a href="/bai-viet/cau-moi-thong-xe/">Cầu mới thông xe</a>' in page
        assert live_markup(page) == [] and "style=" not in page
    assert "tin-tuc/cau-moi.html" not in site.page("sitemap.xml")


def test_an_alias_may_not_take_an_existing_address(make_site):
    site = make_site(
        {
            "content/a.md": article("Tin một", aliases="[/bai-viet/tin-hai/]"),
            "content/b.md": article("Tin hai"),
            "content/c.md": article("Tin ba", aliases="[/cu.html]"),
            "content/d.md": article("Tin bốn", aliases="[/cu.html]"),
        }
    )
    result = site.run("build")
    assert result.code == 1
    root = f"{site.root}/content"
    assert result.err.splitlines()[:2] == [
        f'{root}/a.md:5: alias "/bai-viet/tin-hai/" is the address of {root}/b.md',
        f'{root}/d.md:5: alias "/cu.html" is already an old address of {root}/c.md',
    ]


def test_article_page_shows_updates_reading_time_and_its_neighbours(make_site):
    site = make_site(
        {
            "content/1.md": article("Tin thứ nhất", date="2026-11-01 08:00", category="Y tế"),
            "content/2.md": article(
                "Tin thứ hai", date="2026-11-02 08:00", category="Y tế", updated="2026-11-03 09:15", body="chữ " * 700
            ),
            "content/3.md": article("Tin thứ ba", date="2026-11-03 08:00", category="Y tế"),
            "content/x.md": article("Tin chuyên mục khác", date="2026-11-02 09:00", category="Xã hội"),
        }
    )
    assert site.run("build").code == 0
    middle = site.page("bai-viet/tin-thu-hai/index.html")
    assert 'Cập nhật: <time datetime="2026-11-03T09:15:00+07:00">Thứ Ba, 03/11/2026 09:15</time>' in middle
    assert "3 phút đọc" in middle  # 700 words at 230 a minute
    sequel = middle[middle.index('<nav class="sequel"') :]
    sequel = sequel[: sequel.index("</nav>")]
    assert '<a href="/bai-viet/tin-thu-nhat/" rel="prev">Tin thứ nhất</a>' in sequel
    assert '<a href="/bai-viet/tin-thu-ba/" rel="next">Tin thứ ba</a>' in sequel
    assert "Tin chuyên mục khác" not in sequel
    newest = site.page("bai-viet/tin-thu-ba/index.html")
    assert 'rel="next"' not in newest and "Cập nhật" not in newest and "1 phút đọc" in newest


def test_the_logo_must_be_a_published_file_or_an_address(make_site):
    site = make_site(
        {"content/a.md": article()},
        config='base_url = "https://bantin.example.vn/"\nlogo = "/static/khong-co.png"\n',
    )
    result = site.run("build")
    assert result.code == 1
    assert (
        result.err.splitlines()[0]
        == f'{site.root}/site.toml:1: logo "/static/khong-co.png" is not a file in the layouts/static folder'
    )
    site.write({"site.toml": 'base_url = "https://bantin.example.vn/"\nlogo = "https://cdn.example.vn/logo.png"\n'})
    assert site.run("build").code == 0
    news = structured(site.page("bai-viet/tin-thu/index.html"))["NewsArticle"]
    assert news["publisher"]["logo"]["url"] == "https://cdn.example.vn/logo.png"
    site.write({"site.toml": 'logo = "logo.png"\n'})
    assert site.run("build").err.splitlines()[0] == (
        f"{site.root}/site.toml:1: logo must be a file under layouts/static (written /static/logo.png) or an address, "
        'not "logo.png"'
    )


def test_an_alias_over_a_published_file_is_refused_before_anything_is_written(make_site):
    """The old address is the article's problem, whichever file it meets (they are checked last)."""
    site = make_site({"content/a.md": article("Tin", aliases="[/static/style.css, /rss.xml/, /chuyen-muc/thoi-su/]")})
    result = site.run("build")
    assert result.code == 1
    a = f"{site.root}/content/a.md"
    assert result.err.splitlines()[:3] == [
        f"{a}:1: /chuyen-muc/thoi-su/index.html is also made by category Thời sự; change one of them",
        f"{a}:1: /rss.xml is a file made by feed of the whole site, so /rss.xml/index.html cannot be written "
        "inside it; change one of them",
        f"{a}:1: /static/style.css is a file made by {site.root}/layouts/static/style.css, so "
        "/static/style.css/index.html cannot be written inside it; change one of them",
    ]
    assert not site.output.exists()
