"""Loading articles: encodings, line ends, NFD, depth, dates and time zones, Markdown features."""

from __future__ import annotations

import os
import unicodedata

from conftest import article


def test_bom_crlf_and_nfd_text_load_as_clean_nfc(make_site):
    nfd = unicodedata.normalize("NFD", article("Thanh Hóa đón tin vui", body="Người dân phấn khởi."))
    site = make_site(
        {
            "content/notepad.md": ("\ufeff" + article("Bài từ Notepad")).replace("\n", "\r\n").encode("utf-8"),
            "content/mac.md": nfd.encode("utf-8"),
        }
    )
    assert site.run("build").code == 0
    notepad = site.page("bai-viet/bai-tu-notepad/index.html")
    assert "\r" not in notepad and "\ufeff" not in notepad
    mac = site.page("bai-viet/thanh-hoa-don-tin-vui/index.html")
    assert unicodedata.normalize("NFC", mac) == mac
    assert "Người dân phấn khởi." in mac


def test_articles_at_any_depth(make_site):
    site = make_site({"content/2026/11/27/sau.md": article("Bài sâu")})
    assert site.run("build").code == 0
    assert (site.output / "bai-viet/bai-sau/index.html").is_file()


def test_dates_with_and_without_offsets(make_site):
    site = make_site(
        {
            "content/a.md": article("Giờ Việt Nam", date="2026-11-20 08:00"),
            "content/b.md": article("Giờ UTC", date="2026-11-20T01:00:00Z"),
            "content/c.md": article("Kiểu Việt", date="20/11/2026 08:00"),
            "content/d.md": article("Chỉ ngày", date="2026-11-20"),
        }
    )
    assert site.run("build").code == 0
    for slug in ("gio-viet-nam", "gio-utc", "kieu-viet"):
        page = site.page(f"bai-viet/{slug}/index.html")
        assert 'datetime="2026-11-20T08:00:00+07:00"' in page and "Thứ Sáu, 20/11/2026 08:00" in page, slug
    assert 'datetime="2026-11-20T00:00:00+07:00"' in site.page("bai-viet/chi-ngay/index.html")


def test_summary_defaults_to_the_first_paragraph(make_site):
    site = make_site(
        {
            "content/x.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "content/a.md": article("Tin", body="![Ảnh](x.svg)\n\nĐoạn **đầu** tiên.\n\nĐoạn sau."),
        }
    )
    assert site.run("build").code == 0
    assert "Đoạn đầu tiên." in site.page("index.html")


def test_markdown_tables_footnotes_attributes_and_typography(make_site):
    body = (
        'Ông nói: "Chuyển đổi số -- việc của toàn dân..."[^1]\n\n'
        "| Huyện | Tỉ lệ |\n|---|---|\n| Yên Định | 98% |\n\n"
        "Đoạn có lớp\n{: .noi-bat }\n\n[^1]: Theo Sở TT&TT.\n"
    )
    site = make_site({"content/a.md": article("Tin", body=body)})
    assert site.run("build").code == 0
    page = site.page("bai-viet/tin/index.html")
    assert "“Chuyển đổi số – việc của toàn dân…”" in page
    assert "<table>" in page and "<td>Yên Định</td>" in page
    assert 'class="footnote-ref"' in page and "Theo Sở TT&amp;TT." in page
    assert '<p class="noi-bat">Đoạn có lớp</p>' in page


def test_image_with_caption_line_becomes_a_figure(make_site):
    site = make_site(
        {
            "content/anh/lam.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "content/a.md": article(
                "Tin",
                body='![Ông Lâm](anh/lam.svg)\nÔng Lê Xuân Lâm, Trưởng phòng\n\n![Chỉ ảnh](anh/lam.svg "Chú thích từ tiêu đề")',
            ),
        }
    )
    assert site.run("build").code == 0
    page = site.page("bai-viet/tin/index.html")
    assert (
        '<figure><img alt="Ông Lâm" decoding="async" loading="lazy" src="/anh/lam.svg"><figcaption>Ông Lê Xuân Lâm, Trưởng phòng</figcaption></figure>'
        in page
    )
    assert "<figcaption>Chú thích từ tiêu đề</figcaption>" in page


def test_hidden_and_temporary_files_are_not_content(make_site):
    site = make_site(
        {
            "content/a.md": article("Tin"),
            "content/.a.md.swp": b"\x00junk",
            "content/a.md~": "junk",
            "content/.git/config": "x",
        }
    )
    assert site.run("build").code == 0
    assert not (site.output / ".git").exists() and not (site.output / "a.md~").exists()


def test_symlink_out_of_content_is_a_problem(make_site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu")
    site = make_site({"content/a.md": article("Tin")})
    os.symlink(secret, site.root / "content/leak.txt")
    result = site.run("build")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"{site.root}/content/leak.txt:1: this is a link to a file outside the content folder; copy the file in instead"
    )
    assert not site.output.exists()


def test_zero_width_and_emoji_in_titles(make_site):
    site = make_site({"content/a.md": article("Lễ hội\u200b pháo hoa 🎆 Sầm Sơn")})
    assert site.run("build").code == 0
    page = site.page("bai-viet/le-hoi-phao-hoa-sam-son/index.html")
    assert "Lễ hội pháo hoa 🎆 Sầm Sơn" in page
