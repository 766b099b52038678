"""`bulletin build` and `check` end to end on small inline sites."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys

import feedparser
from conftest import CHILD_ENV, REPO, article, live_markup
from PIL import Image


def readable(data: bytes) -> str:
    """A built file as text; the search index files are gzipped."""
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace")


def test_build_writes_home_articles_listings_feeds_sitemap_and_404(make_site):
    site = make_site(
        {
            "content/a.md": article("Chuyển đổi số ở Thanh Hóa", category="Chuyển đổi số", tags="[5G, Giao thông]"),
            "content/2026/b.md": article("Đường mới ở Sầm Sơn", date="2026-11-21 09:00", category="Giao thông"),
        }
    )
    result = site.run("build")
    assert result.code == 0, result.err
    assert "2 articles" in result.out and "written" in result.out
    for path in [
        "index.html",
        "404.html",
        "rss.xml",
        "sitemap.xml",
        "robots.txt",
        "bai-viet/chuyen-doi-so-o-thanh-hoa/index.html",
        "bai-viet/duong-moi-o-sam-son/index.html",
        "chuyen-muc/chuyen-doi-so/index.html",
        "chuyen-muc/chuyen-doi-so/rss.xml",
        "chuyen-muc/giao-thong/index.html",
        "chuyen-muc/giao-thong/rss.xml",
        "the/5g/index.html",
        "the/giao-thong/index.html",
    ]:
        assert (site.output / path).is_file(), path
    home = site.page("index.html")
    assert '<html lang="vi">' in home
    assert home.index("Đường mới ở Sầm Sơn") < home.index("Chuyển đổi số ở Thanh Hóa")  # newest first
    page = site.page("bai-viet/chuyen-doi-so-o-thanh-hoa/index.html")
    assert "<h1" in page and "Chuyển đổi số ở Thanh Hóa" in page
    assert "Thứ Sáu, 20/11/2026 08:00" in page
    assert 'href="/chuyen-muc/chuyen-doi-so/"' in page
    assert 'type="application/rss+xml"' in page


def test_check_validates_and_writes_nothing(make_site):
    site = make_site({"content/a.md": article()})
    result = site.run("check")
    assert result.code == 0 and "no problems" in result.out
    assert not site.output.exists()


def test_drafts_and_scheduled_articles_appear_nowhere(make_site):
    site = make_site(
        {
            "content/live.md": article("Tin đã đăng"),
            "content/draft.md": article("Bản nháp bí mật", draft="true"),
            "content/later.md": article("Tin hẹn giờ bí mật", date="2026-12-01 08:00"),
        }
    )
    assert site.run("build").code == 0
    everything = "".join(readable(p.read_bytes()) for p in site.output.rglob("*") if p.is_file())
    assert "Tin đã đăng" in everything
    assert "bí mật" not in everything and "ban-nhap" not in everything and "tin-hen-gio" not in everything
    assert site.run("build", "--drafts").code == 0
    assert (site.output / "bai-viet/ban-nhap-bi-mat/index.html").is_file()
    assert site.run("build", now="2026-12-02T00:00:00+07:00").code == 0
    assert (site.output / "bai-viet/tin-hen-gio-bi-mat/index.html").is_file()
    assert not (site.output / "bai-viet/ban-nhap-bi-mat/index.html").exists()  # pruned again


def test_now_without_offset_is_read_in_the_site_timezone(make_site):
    site = make_site({"content/a.md": article("Tin lúc tám giờ", date="2026-11-27 08:00")})
    assert site.run("build", now="2026-11-27T07:59").code == 0
    assert not (site.output / "bai-viet/tin-luc-tam-gio/index.html").exists()
    assert site.run("build", now="2026-11-27T08:00").code == 0
    assert (site.output / "bai-viet/tin-luc-tam-gio/index.html").is_file()


def test_category_typed_many_ways_is_one_category_with_the_official_spelling(make_site):
    nfd = "Chuyển đổi số".encode().decode()
    import unicodedata

    site = make_site(
        {
            "content/a.md": article("Bài một", category="chuyển đổi số"),
            "content/b.md": article("Bài hai", category=unicodedata.normalize("NFD", "CHUYỂN ĐỔI SỐ")),
            "content/c.md": article("Bài ba", category=nfd),
        },
        config='categories = ["Chuyển đổi số"]\n',
    )
    assert site.run("build").code == 0
    listing = site.page("chuyen-muc/chuyen-doi-so/index.html")
    assert all(t in listing for t in ("Bài một", "Bài hai", "Bài ba"))
    assert [p.name for p in (site.output / "chuyen-muc").iterdir()] == ["chuyen-doi-so"]
    assert "Chuyển đổi số" in site.page("bai-viet/bai-mot/index.html")


def test_first_spelling_names_a_category_missing_from_site_toml(make_site):
    site = make_site(
        {
            "content/a.md": article("Bài cũ", date="2026-11-01 08:00", category="Văn hóa"),
            "content/b.md": article("Bài mới", date="2026-11-02 08:00", category="VĂN HÓA"),
        }
    )
    assert site.run("build").code == 0
    assert "Văn hóa" in site.page("chuyen-muc/van-hoa/index.html")
    assert "VĂN HÓA" not in site.page("chuyen-muc/van-hoa/index.html")


def test_same_title_twice_gets_two_stable_addresses(make_site):
    site = make_site(
        {
            "content/x.md": article("Họp báo thường kỳ", date="2026-11-01 08:00", body="Lần một."),
            "content/y.md": article("Họp báo thường kỳ", date="2026-11-08 08:00", body="Lần hai."),
        }
    )
    assert site.run("build").code == 0
    assert "Lần một." in site.page("bai-viet/hop-bao-thuong-ky/index.html")
    assert "Lần hai." in site.page("bai-viet/hop-bao-thuong-ky-2/index.html")
    site.write({"content/a-new.md": article("Họp báo thường kỳ", date="2026-11-15 08:00", body="Lần ba.")})
    assert site.run("build").code == 0
    assert "Lần một." in site.page("bai-viet/hop-bao-thuong-ky/index.html")
    assert "Lần hai." in site.page("bai-viet/hop-bao-thuong-ky-2/index.html")
    assert "Lần ba." in site.page("bai-viet/hop-bao-thuong-ky-3/index.html")


def test_explicit_slug_is_slugified_and_never_a_path(make_site):
    site = make_site({"content/a.md": article("Tin", slug='"../../Đường Bà Triệu/x"')})
    assert site.run("build").code == 0
    assert (site.output / "bai-viet/duong-ba-trieu-x/index.html").is_file()
    assert not (site.root / "Đường Bà Triệu").exists()


def test_two_equal_explicit_slugs_name_both_files(make_site):
    site = make_site(
        {
            "content/a.md": article("Tin một", slug="trung-ten"),
            "content/b.md": article("Tin hai", slug="Trùng tên"),
        }
    )
    result = site.run("build")
    assert result.code == 1
    assert f'{site.root}/content/b.md:5: slug "trung-ten" is already used by {site.root}/content/a.md' in result.err


def test_images_and_other_files_are_copied_to_the_same_place(make_site):
    photo = io.BytesIO()
    Image.new("RGB", (300, 200), "#3a6ea5").save(photo, "JPEG")
    site = make_site(
        {
            "content/2026/anh/cau.jpg": photo.getvalue(),
            "content/2026/tai-lieu.pdf": b"%PDF-1.4 not checked",
            "content/2026/bai.md": article("Cầu mới", image="anh/cau.jpg", body="![Cầu](anh/cau.jpg)\nCây cầu mới"),
        }
    )
    assert site.run("build").code == 0
    assert (site.output / "2026/anh/cau.jpg").read_bytes() == photo.getvalue()
    assert (site.output / "2026/tai-lieu.pdf").read_bytes() == b"%PDF-1.4 not checked"
    page = site.page("bai-viet/cau-moi/index.html")
    assert 'src="/2026/anh/cau.jpg"' in page
    assert "<figcaption>Cây cầu mới</figcaption>" in page


def test_hostile_article_publishes_as_inert_text(make_site):
    site = make_site(
        {
            "content/evil.md": article(
                '"<script>alert(1)</script> Tiêu đề"',
                summary='"<img src=x onerror=alert(2)>"',
                tags='["<b>thẻ</b>", "<script>x</script>"]',
                author='"<a href=javascript:alert(3)>Tác giả</a>"',
                body=(
                    '<script>alert(4)</script>\n\n<p onclick="alert(5)">Đoạn</p>\n\n[bấm](javascript:alert(6)) '
                    '![x](data:text/html;base64,PHNjcmlwdD4=) <a href="JaVaScRiPt:alert(7)">a</a>\n\n'
                    '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>\n'
                ),
            )
        }
    )
    assert site.run("build").code == 0
    for path in site.output.rglob("*.html"):
        assert live_markup(path.read_text("utf-8")) == [], path
    for path in site.output.rglob("*.xml"):
        for entry in feedparser.parse(path.read_bytes()).entries:
            assert live_markup(entry.get("content", [{"value": ""}])[0]["value"]) == [], path
    page = site.page("bai-viet/script-alert-1-script-tieu-de/index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tiêu đề" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_broken_article_exits_1_and_leaves_output_byte_identical(make_site):
    site = make_site({"content/a.md": article("Tin tốt"), "content/b.md": article("Tin hai")})
    assert site.run("build").code == 0
    before = site.snapshot()
    site.write(
        {
            "content/b.md": "---\ntitle: Tin hai\ndate: 2026-11-20 08:00\ncategory: [oops\n---\nx\n",
            "content/c.md": article("Mới"),
        }
    )
    result = site.run("build")
    assert result.code == 1
    assert f"{site.root}/content/b.md:4: the front matter is not valid YAML" in result.err
    assert result.err.strip().endswith("1 problem in 1 file; nothing was written.")
    assert "Traceback" not in result.err
    assert site.snapshot() == before


def test_every_problem_of_every_file_in_one_run(make_site):
    site = make_site(
        {
            "content/a.md": "---\ntitle: A\ndate: 2026-13-40\ncategory: X\ntitel: oops\n---\nx\n",
            "content/b.md": "---\ndate: 2026-11-20\ncategory: 12\n---\nx\n",
        }
    )
    result = site.run("build")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    a, b = f"{site.root}/content/a.md", f"{site.root}/content/b.md"
    assert lines == [
        f'{a}:3: date "2026-13-40" is not a real date (month must be in 1..12)',
        f'{a}:5: unknown key "titel" (did you mean "title"?)',
        f'{b}:1: "title" is missing from the front matter (headline (required))',
        f"{b}:3: category must be text, not a number (put it in quotes)",
        "4 problems in 2 files; nothing was written.",
    ]


def test_same_input_gives_byte_identical_output(make_site, tmp_path):
    site = make_site({"content/a.md": article("Một"), "content/b.md": article("Hai", tags="[x, y]")})
    assert site.run("build").code == 0
    first = site.snapshot()
    import shutil

    shutil.rmtree(site.output)
    assert site.run("build").code == 0
    assert site.snapshot() == first
    again = site.run("build")
    assert ": 0 written," in again.out


def test_removed_article_is_pruned_with_its_empty_folders(make_site):
    site = make_site({"content/a.md": article("Một"), "content/b.md": article("Hai", category="Riêng")})
    assert site.run("build").code == 0
    (site.root / "content/b.md").unlink()
    result = site.run("build")
    assert result.code == 0 and "removed" in result.out
    assert not (site.output / "bai-viet/hai").exists()
    assert not (site.output / "chuyen-muc/rieng").exists()
    assert (site.output / "bai-viet/mot/index.html").is_file()
    assert "bai-viet/hai/index.html" not in json.loads((site.output / ".bulletin-manifest.json").read_text("utf-8"))


def test_a_removed_article_is_pruned_even_when_the_manifest_was_lost(make_site):
    """The memory of the last build knows what it wrote: a lost manifest leaves nothing stale published."""
    site = make_site(
        {
            "content/a.md": article("Một"),
            "content/b.md": article("Hai", category="Riêng", aliases="[/tin-tuc/hai.html]"),
        }
    )
    assert site.run("build").code == 0
    (site.output / ".bulletin-manifest.json").unlink()
    (site.root / "content/b.md").unlink()
    assert site.run("build").code == 0
    built = site.snapshot()
    shutil.rmtree(site.output)
    assert site.run("build", "--cache", str(site.root / "clean-cache")).code == 0
    assert built == site.snapshot()
    assert not (site.output / "tin-tuc").exists() and not (site.output / "bai-viet/hai").exists()


def test_a_file_of_the_last_build_may_become_a_folder_and_back(make_site):
    site = make_site({"content/a.md": article("Một"), "content/tep/tai-lieu": b"tep cu"})
    assert site.run("build").code == 0
    assert (site.output / "tep/tai-lieu").read_bytes() == b"tep cu"
    (site.root / "content/tep/tai-lieu").unlink()
    site.write({"content/tep/tai-lieu/ban-moi.txt": "ban moi"})
    assert site.run("build").code == 0
    assert (site.output / "tep/tai-lieu/ban-moi.txt").read_text() == "ban moi"
    shutil.rmtree(site.root / "content/tep/tai-lieu")
    site.write({"content/tep/tai-lieu": "lai la tep"})
    assert site.run("build").code == 0
    assert (site.output / "tep/tai-lieu").read_text() == "lai la tep"
    assert not [p for p in site.output.rglob("*") if p.name.startswith(".tmp")]


def test_listing_pages_are_paginated(make_site):
    files = {f"content/{i:02}.md": article(f"Tin số {i}", date=f"2026-11-{i + 1:02} 08:00") for i in range(23)}
    site = make_site(files)
    assert site.run("build").code == 0
    first = site.page("chuyen-muc/thoi-su/index.html")
    assert "Tin số 22" in first and "Tin số 12" not in first.replace("Tin số 12<", "")
    assert (site.output / "chuyen-muc/thoi-su/trang/2/index.html").is_file()
    last = site.page("chuyen-muc/thoi-su/trang/3/index.html")
    assert "Tin số 0<" in last or "Tin số 0\n" in last or ">Tin số 0" in last
    assert not (site.output / "chuyen-muc/thoi-su/trang/4").exists()


def test_usage_errors_exit_2(make_site):
    site = make_site({})
    assert (
        subprocess.run(
            [sys.executable, "-m", "generator", "frobnicate"], cwd=site.root, capture_output=True, env=CHILD_ENV
        ).returncode
        == 2
    )
    bad_now = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--now", "tomorrow"], capture_output=True, text=True, env=CHILD_ENV
    )
    assert bad_now.returncode == 2 and "ISO 8601" in bad_now.stderr


def test_console_script_help_for_every_command():
    for command in ("build", "check", "watch", "new", "import-seeds"):
        shown = subprocess.run(
            [sys.executable, "-m", "generator", command, "--help"],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=CHILD_ENV,
        )
        assert shown.returncode == 0 and "--content" in shown.stdout and "--now" in shown.stdout, command


def test_related_articles_prefer_shared_tags_then_category_then_recency(make_site):
    site = make_site(
        {
            "content/a.md": article("Bài gốc", tags="[5G, viễn thông]", category="Công nghệ"),
            "content/b.md": article(
                "Chung hai thẻ", date="2026-11-01 08:00", tags="[5G, Viễn Thông]", category="Kinh tế"
            ),
            "content/c.md": article("Chung một thẻ", date="2026-11-19 08:00", tags="[5G]", category="Kinh tế"),
            "content/d.md": article("Cùng chuyên mục mới", date="2026-11-18 08:00", category="Công nghệ"),
            "content/e.md": article("Cùng chuyên mục cũ", date="2026-11-02 08:00", category="Công nghệ"),
            "content/f.md": article("Không liên quan", date="2026-11-19 09:00", category="Y tế"),
        }
    )
    assert site.run("build").code == 0
    page = site.page("bai-viet/bai-goc/index.html")
    related = page[page.index("Tin liên quan") :]
    order = [related.find(t) for t in ("Chung hai thẻ", "Chung một thẻ", "Cùng chuyên mục mới", "Cùng chuyên mục cũ")]
    assert -1 not in order and order == sorted(order)
    assert "Không liên quan" not in related
