"""Search in headless Chromium: the JavaScript normaliser against the shared vectors, and /tim-kiem/ end to end."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
from browser import static_server
from conftest import NOW, REPO, article

from generator.cli import main
from generator.search_postings import fnv1a

VECTORS = json.loads((REPO / "tests/vectors/normalise.json").read_text("utf-8"))["cases"]

SITE = {
    "a.md": article(
        "Thanh Hóa đẩy mạnh chuyển đổi số cấp xã",
        date="2026-06-01 08:00",
        category="Chuyển đổi số",
        summary="Chuyển đổi số là nhiệm vụ trọng tâm của tỉnh trong năm nay.",
        body="Các xã triển khai dịch vụ công trực tuyến.",
    ),
    "b.md": article(
        "Lễ hội mùa xuân ở Thanh Hoá",
        date="2026-11-02 08:00",
        category="Văn hóa",
        body="Người dân Thanh Hoá nô nức dự lễ hội.",
    ),
    "c.md": article(
        "Đường ven biển Sầm Sơn thông xe",
        date="2026-10-01 08:00",
        category="Giao thông",
        body="Tuyến đường dài 12 km nối các bãi tắm.",
    ),
    "d.md": article(
        "Đà Nẵng đón đoàn công tác tỉnh bạn",
        date="2025-03-01 08:00",
        category="Thời sự",
        body="Đoàn công tác học tập kinh nghiệm xây dựng thành phố thông minh ở Đà Nẵng.",
    ),
    "e.md": article(
        "Tỉnh đã nâng cao chất lượng dịch vụ",
        date="2026-11-10 08:00",
        category="Thời sự",
        body="Năm nay tỉnh đã nâng cao chất lượng phục vụ người dân.",
    ),
    "f.md": article(
        "Thanh niên tình nguyện về Hóa Châu",
        date="2026-11-12 08:00",
        category="Xã hội",
        body="Đoàn thanh niên hỗ trợ bà con Hóa Châu sau bão.",
    ),
    "g.md": article("Sơ kết công tác quý ba", date="2026-11-20 08:00", category="Thời sự", body="Hội nghị sơ kết."),
    "h.md": article(
        "Số hóa hồ sơ đất đai", date="2025-01-05 08:00", category="Chuyển đổi số", body="Hồ sơ được số hóa."
    ),
    "draft.md": article("Bản nháp chuyển đổi số", category="Chuyển đổi số", body="bimatnhap", draft="true"),
    "later.md": article("Tin hẹn giờ chuyển đổi số", date="2026-12-24 08:00", body="bimathengio"),
}
TITLES = {name: text.split("\n")[1].removeprefix("title: ") for name, text in SITE.items()}


def build(root: Path) -> Path:
    """SITE built with the repository's layouts into root/output."""
    for name, text in SITE.items():
        (root / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / name).write_text(text, "utf-8")
    (root / "site.toml").write_text('title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\n', "utf-8")
    argv = ["--content", str(root / "content"), "--layouts", str(REPO / "layouts"), "--config", str(root / "site.toml")]
    assert main(["build", *argv, "--output", str(root / "output"), "--now", NOW]) == 0
    return root / "output"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    """A small bulletin built once and served over HTTP for every test here."""
    with static_server(build(tmp_path_factory.mktemp("search-site"))) as base:
        yield base


@pytest.fixture(scope="module")
def tiny_shards_url(tmp_path_factory):
    """The same bulletin with a shard size so small that most lists get files of their own, and every bigram
    that can be stored against its words' lists stored so, and accented forms kept apart."""
    from generator import search_postings, search_shards

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_shards, "SHARD_TARGET", 8)
        patch.setattr(search_postings, "RELATIVE_MIN", 1)
        patch.setattr(search_postings, "FORMS_APART", 2)
        output = build(tmp_path_factory.mktemp("tiny-shards"))
    assert json.loads((output / "tim-kiem/index/meta.json").read_text("utf-8"))["big"]
    with static_server(output) as base:
        yield base


@pytest.fixture
def page(browser, site_url):
    """A fresh tab that records script errors and Content-Security-Policy violations."""
    tab = browser.new_page(viewport={"width": 1000, "height": 900})
    tab.problems = []
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    tab.on("console", lambda message: tab.problems.append(message.text) if message.type == "error" else None)
    yield tab
    problems = tab.problems
    tab.close()
    assert problems == []


def status(tab) -> str:
    tab.locator("section[data-query]:not([aria-busy])").wait_for()
    return tab.inner_text("[data-search-status]")


def titles(tab) -> list[str]:
    return tab.locator(".search-results .story-title").all_inner_texts()


def search(tab, query: str) -> list[str]:
    """Type a query into the box as a reader would (results come as they type) and wait for them."""
    from playwright.sync_api import expect

    tab.fill("#tu-khoa", query)
    expect(tab.locator("section[data-search]")).to_have_attribute("data-query", query)
    tab.locator("section[data-query]:not([aria-busy])").wait_for()
    return titles(tab)


def test_javascript_normaliser_matches_the_shared_vectors(page, site_url):
    page.goto(site_url + "/tim-kiem/")
    results = page.evaluate(
        """cases => cases.map(c => [BanTinSearch.fold(c.input), BanTinSearch.exact(c.input),
                                   BanTinSearch.words(c.input).map(BanTinSearch.fold)])""",
        VECTORS,
    )
    wrong = [
        (case["input"], got)
        for case, got in zip(VECTORS, results, strict=True)
        if got[0] != case["fold"] or got[1] != case["exact"] or ("words" in case and got[2] != case["words"])
    ]
    assert wrong == []
    terms = ["chuyen", "doi so", "thanh hoa", "duong", "ngườì", "5g", "a" * 40]
    assert page.evaluate("terms => terms.map(BanTinSearch.fnv1a)", terms) == [fnv1a(t) for t in terms]


def test_shareable_address_finds_without_diacritics_and_never_shows_drafts(page, site_url):
    page.goto(site_url + "/tim-kiem/?q=" + quote("chuyen doi so"))
    assert status(page) == "Tìm thấy 1 kết quả."
    assert titles(page) == [TITLES["a.md"]]
    assert page.input_value("#tu-khoa") == "chuyen doi so"
    first = page.locator(".search-results li").first
    assert first.locator(".story-title mark").all_inner_texts() == ["chuyển", "đổi", "số"]
    assert first.locator(".story-summary mark").all_inner_texts() == ["Chuyển", "đổi", "số"]
    assert first.locator(".meta").inner_text() == "Chuyển đổi số · 01/06/2026"
    assert first.locator("a").get_attribute("href") == "/bai-viet/thanh-hoa-day-manh-chuyen-doi-so-cap-xa/"
    for hidden in ("bimatnhap", "bimathengio", "ban nhap", "hen gio"):
        assert search(page, hidden) == []
        assert status(page) == f"Không tìm thấy kết quả cho “{hidden}”."


def test_folded_queries_in_every_spelling(page, site_url):
    page.goto(site_url + "/tim-kiem/")
    both = {TITLES["a.md"], TITLES["b.md"]}
    for typed in ("thanh hoa", "Thanh Hóa", "THANH HOÁ", unicodedata.normalize("NFD", "Thanh Hoá")):
        assert set(search(page, typed)[:2]) == both, typed
    for typed in ("duong", "đuong", "ĐƯỜNG", unicodedata.normalize("NFD", "Đường")):
        assert search(page, typed) == [TITLES["c.md"]], typed
    assert search(page, "da nang")[0] == TITLES["d.md"]  # the place name first, before the newer "đã nâng cao"
    assert search(page, "đã nâng")[0] == TITLES["e.md"]  # typed with marks: the exact words first
    with_so = search(page, "số")  # "số" typed with marks ranks "số" above "sơ" (and "Sơn", as "so" is a prefix)
    assert set(with_so[:2]) == {TITLES["a.md"], TITLES["h.md"]} and TITLES["g.md"] in with_so[2:]
    assert set(search(page, "sơ")[:2]) == {TITLES["g.md"], TITLES["h.md"]}
    assert search(page, "không có từ này") == []
    assert status(page) == "Không tìm thấy kết quả cho “không có từ này”."


def test_phrase_prefix_and_word_order(page, site_url):
    page.goto(site_url + "/tim-kiem/")
    loose = search(page, "thanh hoa")
    assert loose[2] == TITLES["f.md"]  # "Thanh niên … Hóa Châu": the words apart, after the phrase
    assert set(search(page, '"thanh hoa"')) == {TITLES["a.md"], TITLES["b.md"]}
    assert search(page, '"hoa thanh"') == []
    page.fill("#tu-khoa", "")
    page.type("#tu-khoa", "sam so", delay=30)  # typed key by key: the last word is a prefix of "sơn"
    page.locator("section[data-query='sam so']:not([aria-busy])").wait_for()
    assert titles(page) == [TITLES["c.md"]]
    assert page.url.endswith("/tim-kiem/?q=sam+so")  # the address follows the box, so it can be shared
    assert search(page, "sam so ") == []  # a space ends the word: "so" alone is not in that article
    for query in ("duong", "da nang"):  # submitted searches stay in history
        search(page, query)
        page.keyboard.press("Enter")
    page.go_back()
    page.locator("section[data-query='duong']:not([aria-busy])").wait_for()
    assert page.input_value("#tu-khoa") == "duong" and titles(page) == [TITLES["c.md"]]


def test_category_filter_and_keyboard(page, site_url):
    page.goto(site_url + "/tim-kiem/?q=thanh+hoa&chuyen-muc=van-hoa")
    assert status(page) == "Tìm thấy 1 kết quả."
    assert titles(page) == [TITLES["b.md"]]
    assert page.input_value("#chuyen-muc") == "van-hoa"
    page.select_option("#chuyen-muc", "")
    page.locator(".search-results li:nth-child(3)").wait_for()
    assert page.url.endswith("/tim-kiem/?q=thanh+hoa")
    shown = titles(page)
    page.focus("#tu-khoa")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == shown[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == shown[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "tu-khoa"
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == shown[0]


def test_header_box_is_a_plain_form_on_every_page(page, site_url):
    page.goto(site_url + "/")
    page.get_by_label("Tìm kiếm tin bài").fill("đường ven biển")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/tim-kiem/?q=%C4%91%C6%B0%E1%BB%9Dng+ven+bi%E1%BB%83n")
    assert status(page) == "Tìm thấy 1 kết quả."
    assert page.get_by_role("status").inner_text() == "Tìm thấy 1 kết quả."
    assert page.get_by_role("search").count() == 1 and page.get_by_label("Từ khóa").input_value() == "đường ven biển"
    page.set_viewport_size({"width": 360, "height": 800})
    search(page, "thanh hoa")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_results_do_not_depend_on_how_the_index_is_cut(page, site_url, tiny_shards_url):
    queries = ["thanh hoa", '"thanh hoa"', "duong", "da nang", "số", "chuyen doi so", "sam so", "cong tac"]
    answers = []
    for base in (site_url, tiny_shards_url):
        page.goto(base + "/tim-kiem/")
        answers.append([search(page, query) for query in queries])
    assert answers[0] == answers[1]
    assert all(answers[0][:4])
