"""The seed importer: the real seed file → articles, dates, categories, Markdown and files."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.config import SiteConfig
from generator.content import load_content
from generator.errors import BuildFailed
from generator.frontmatter import FrontMatter, parse
from generator.markup import to_html
from generator.seeds import IMAGE_FILE, Block, SeedArticle, import_seeds, parse_bulletin, render_markdown

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_440b37cb2278a1db.txt"
MAIN_TITLE = "Sở Thông tin và Truyền thông Thanh Hóa nỗ lực với vai trò dẫn dắt chuyển đổi số trên địa bàn tỉnh"
CAPTIONS = (
    "Ông Lê Xuân Lâm, Trưởng phòng Quản lý công nghệ thông tin, Sở Thông tin và Truyền thông Thanh Hóa",
    "Bà Lê Thị Thúy, Trưởng phòng Văn hóa Thông tin huyện Yên Định",
    "Ông Đỗ Hữu Quyết, Giám đốc Sở Thông tin và Truyền thông Thanh Hóa",
)
RELATED = (
    "Xã Bát Mọt công bố các quyết định về công tác tổ chức, cán bộ Mặt trận Tổ quốc",
    "Gần 160 xác lợn chết trên hệ thống kênh Bái Thượng trong nửa đầu tháng 7",
    "Nhiều điều chỉnh tạo thuận lợi hơn trong đào tạo lái xe",
    "Nâng cao vai trò của Công an cấp xã trong công tác đảm bảo an toàn giao thông",
    "Nâng cao tỷ lệ người dân sử dụng nước sạch khu vực nông thôn, miền núi",
    "Hơn 86 triệu tài khoản ngân hàng sẽ bị khai tử từ 1/9",
    "Cần sớm hướng dẫn phân cấp quản lý cơ sở hành nghề y dược tư nhân",
    "Thuê bao 5G toàn cầu sẽ đạt gần 2,9 tỷ người dùng vào cuối năm 2025",
    "Tuổi trẻ phường Đông Sơn xung kích hỗ trợ người dân thực hiện thủ tục hành chính số",
    "Phường Đông Quang thu nhận mẫu ADN cho thân nhân của liệt sĩ chưa xác định được thông tin",
)
CHROME = ("Bình luận", "Thông báo", "Bạn đã gửi thành công.")


@pytest.fixture(scope="module")
def articles() -> list[SeedArticle]:
    return parse_bulletin(SEED.read_text(encoding="utf-8"))


def by_title(articles: list[SeedArticle], start: str) -> SeedArticle:
    return next(a for a in articles if a.title.startswith(start))


def body(markdown: str) -> str:
    return markdown.split("\n---\n", 1)[1]


def test_main_story_title_and_date(articles: list[SeedArticle]) -> None:
    main = articles[0]
    assert main.title == MAIN_TITLE
    assert main.date == datetime(2024, 1, 1, 8, 0, tzinfo=TZ)  # "năm 2024" is the latest; "đến năm 2025" a target
    assert main.category == "Chuyển đổi số"


def test_captions_become_figures_and_are_not_repeated(articles: list[SeedArticle]) -> None:
    markdown = render_markdown(articles[0])
    for caption in CAPTIONS:
        assert f"\n\n![Ảnh minh họa](../anh/anh-minh-hoa.svg)\n{caption}\n\n{caption} cho biết: " in markdown
        assert f"\n\n{caption}\n\n" not in markdown
        assert markdown.count(caption) == 2  # the caption, and the start of the quote
    html = to_html(body(markdown), "2024")
    assert html.count("<figure>") == 3
    assert (
        f'<img alt="Ảnh minh họa" decoding="async" loading="lazy" src="/anh/anh-minh-hoa.svg"><figcaption>{CAPTIONS[2]}'
        in html
    )


def test_every_body_paragraph_is_kept(articles: list[SeedArticle]) -> None:
    source = SEED.read_text(encoding="utf-8").split("\n\n\n")[0].split("\n")[1:]
    expected = [line for line in source if line]
    assert [b.text for b in articles[0].blocks] == expected
    assert [b.text for b in articles[0].blocks if b.figure] == list(CAPTIONS)
    markdown = render_markdown(articles[0])
    assert "Năm 2023, Thanh Hóa xếp thứ 15 trên cả nước" in markdown
    assert "\n\nĐể chuyển đổi số thành công, không chỉ có sự nỗ lực" in markdown
    assert markdown.endswith("phát triển nhanh và bền vững.\n")


def test_related_items_become_short_articles(articles: list[SeedArticle]) -> None:
    assert tuple(a.title for a in articles[1:]) == RELATED
    fivegee = by_title(articles, "Thuê bao 5G")
    lead = "5G đang tiếp tục đà tăng trưởng mạnh mẽ và được dự báo sẽ có khoảng 2,9 tỷ người dùng vào cuối năm 2025."
    assert fivegee.blocks == (Block(lead),)


def test_page_chrome_is_dropped(articles: list[SeedArticle]) -> None:
    everything = "\n".join(render_markdown(a) for a in articles)
    for chrome in CHROME:
        assert chrome not in everything
    assert articles[-1].blocks[-1].text.endswith("trên địa bàn phường.")


def test_dates_from_leads_and_list_order(articles: list[SeedArticle]) -> None:
    assert by_title(articles, "Xã Bát Mọt").date == datetime(2025, 7, 16, 15, 0, tzinfo=TZ)
    assert by_title(articles, "Gần 160 xác lợn").date == datetime(2025, 7, 17, 8, 0, tzinfo=TZ)
    assert by_title(articles, "Phường Đông Quang").date == datetime(2025, 7, 16, 8, 0, tzinfo=TZ)
    undated = articles[3:10]  # between "Sáng 17/7" and "Sáng ngày 16/7": one minute apart, newest first
    assert [a.date.strftime("%d/%m %H:%M") for a in undated] == [f"17/07 07:{59 - i}" for i in range(7)]
    assert "date: 2025-07-16 15:00\n" in render_markdown(by_title(articles, "Xã Bát Mọt"))


def test_undated_items_above_the_first_dated_one_and_year_fallbacks() -> None:
    text = "Tin chính\nĐến năm 2030 xong; năm 2023 bắt đầu.\n\n\nA\nlead a\n\nB\nTối 3/2, lead b\n\nC\nlead c\n"
    main, first, second, third = parse_bulletin(text)
    assert main.date == datetime(2023, 1, 1, 8, 0, tzinfo=TZ)  # "đến năm 2030" is a target, not the time
    assert second.date == datetime(2023, 2, 3, 19, 30, tzinfo=TZ)  # no year in the list: the main story's
    assert first.date == datetime(2023, 2, 3, 19, 31, tzinfo=TZ)
    assert third.date == datetime(2023, 2, 3, 19, 29, tzinfo=TZ)


@pytest.mark.parametrize(
    ("start", "category"),
    [
        ("Xã Bát Mọt", "Thời sự"),
        ("Gần 160 xác lợn", "Nông nghiệp – Môi trường"),
        ("Nâng cao tỷ lệ người dân sử dụng nước sạch", "Nông nghiệp – Môi trường"),
        ("Nhiều điều chỉnh", "Giao thông"),
        ("Nâng cao vai trò của Công an", "Giao thông"),
        ("Hơn 86 triệu", "Kinh tế"),
        ("Cần sớm hướng dẫn", "Y tế"),
        ("Thuê bao 5G", "Công nghệ"),
        ("Tuổi trẻ phường Đông Sơn", "Chuyển đổi số"),
        ("Phường Đông Quang", "Xã hội"),
    ],
)
def test_categories(articles: list[SeedArticle], start: str, category: str) -> None:
    assert by_title(articles, start).category == category


def test_markdown_significant_text_renders_as_written() -> None:
    lines = [
        "1. Không phải danh sách",
        "- không phải gạch đầu dòng",
        "# không phải tiêu đề",
        "*sao* và _gạch_ [x](y)",
        "a < b & c",
        "=== x",
        "> không trích dẫn",
    ]
    article = SeedArticle("Tiêu đề", datetime(2025, 1, 2, 7, 0, tzinfo=TZ), "Thời sự", tuple(Block(t) for t in lines))
    html = to_html(body(render_markdown(article)), "2025")
    expected = [
        "1. Không phải danh sách",
        "- không phải gạch đầu dòng",
        "# không phải tiêu đề",
        "*sao* và _gạch_ [x](y)",
        "a &lt; b &amp; c",
        "=== x",
        "&gt; không trích dẫn",
    ]
    assert html == "\n".join(f"<p>{t}</p>" for t in expected)


def test_import_twice_changes_nothing_and_every_file_parses(tmp_path: Path) -> None:
    seeds, content = tmp_path / "seeds", tmp_path / "content"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    (seeds / "ghi-chu.md").write_text("not a seed", encoding="utf-8")
    first = import_seeds(seeds, content)
    assert (first.seeds, first.articles, first.written, first.unchanged) == (1, 11, 12, 0)
    snapshot = {p: p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}
    second = import_seeds(seeds, content)
    assert (second.written, second.unchanged) == (0, 12)
    assert {p: p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()} == snapshot
    articles = sorted(content.glob("*/*.md"))
    assert len(articles) == 11 and {p.parent.name for p in articles} == {"2024", "2025"}
    for path in articles:
        front = parse(path.read_text(encoding="utf-8"), path.name, TZ)
        assert isinstance(front, FrontMatter), front
        assert set(front.values) <= {"title", "date", "category", "summary", "tags"}
    svg = (content / IMAGE_FILE).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'viewBox="0 0' in svg and "Ảnh minh họa" in svg
    assert "<script" not in svg and "href" not in svg
    loaded, _assets, problems = load_content(content, SiteConfig())
    assert problems == [] and len(loaded) == 11


def test_crlf_bom_and_nfd_copies_give_the_same_articles(articles: list[SeedArticle], tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert parse_bulletin("\ufeff" + text.replace("\n", "\r\n")) == articles
    assert parse_bulletin(unicodedata.normalize("NFD", text)) == articles
    plain, windows = tmp_path / "a", tmp_path / "b"
    for folder, data in (
        (plain, SEED.read_bytes()),
        (windows, b"\xef\xbb\xbf" + SEED.read_bytes().replace(b"\n", b"\r\n")),
    ):
        (folder / "seeds").mkdir(parents=True)
        (folder / "seeds" / "x.txt").write_bytes(data)
        import_seeds(folder / "seeds", folder / "content")
    files = sorted(p.relative_to(plain) for p in plain.glob("content/**/*") if p.is_file())
    assert files == sorted(p.relative_to(windows) for p in windows.glob("content/**/*") if p.is_file())
    assert all((plain / f).read_bytes() == (windows / f).read_bytes() for f in files)


def test_bad_seed_folders_are_problems_not_tracebacks(tmp_path: Path) -> None:
    with pytest.raises(BuildFailed, match=r"no \.txt seed files"):
        import_seeds(tmp_path, tmp_path / "content")
    with pytest.raises(BuildFailed, match="cannot be read"):
        import_seeds(tmp_path / "missing", tmp_path / "content")
    (tmp_path / "cu.txt").write_bytes("Tiêu đề\nDòng hai\n".encode() + "Hà".encode("cp1258"))
    (tmp_path / "rong.txt").write_text("\n\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        import_seeds(tmp_path, tmp_path / "content")
    problems = {(Path(p.path).name, p.line): p.message for p in failure.value.problems}
    assert "not UTF-8" in problems[("cu.txt", 3)]
    assert "empty" in problems[("rong.txt", 1)]
    assert not (tmp_path / "content").exists()
