"""Accessibility and weight: axe-core in Chromium, 360 px without sideways scrolling, skip link, landmarks,
visible focus, a light article page, and screenshots for a person to look at.

axe-core comes from npm (`npm ci --prefix tests`, which .ci/run does); where it is missing these tests are
skipped with the reason, and fail instead when BULLETIN_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest
from browser import static_server
from conftest import REPO, article
from test_images import jpeg

from generator.cli import main

AXE = REPO / "tests/node_modules/axe-core/axe.min.js"
SCREENSHOTS = REPO / "screenshots"
NOW = "2026-11-27T12:00:00+07:00"
LONG_SLUG = "thanh-hoa-day-manh-chuyen-doi-so-cap-xa-de-phuc-vu-nguoi-dan-tot-hon"
# Every kind of page a reader meets. A page that this build does not make (the search page, before search
# exists) is skipped with the reason, so adding a page type is adding one line here.
PAGES = {
    "home": "/",
    "article": f"/bai-viet/{LONG_SLUG}/",
    "category": "/chuyen-muc/chuyen-doi-so/",
    "tag": "/the/thanh-hoa/",
    "search": "/tim-kiem/",
    "404": "/404.html",
}
PARAGRAPH = (
    "Theo Sở Thông tin và Truyền thông, đến nay toàn tỉnh đã có 559 xã, phường, thị trấn triển khai mô hình "
    "chính quyền số, với hệ thống một cửa điện tử kết nối từ tỉnh đến cơ sở. Người dân có thể nộp hồ sơ, theo dõi "
    "tiến độ và nhận kết quả thủ tục hành chính ngay trên điện thoại, không phải đi lại nhiều lần như trước."
)


def long_article() -> str:
    """A realistic long news article: about 1,500 words, four photos with captions, a table, a quote, footnotes."""
    parts = []
    for n in range(1, 17):
        parts.append(PARAGRAPH)
        if n % 4 == 0:
            parts.append(f"![Ảnh {n}](anh/hien-truong-{n // 4}.jpg)\nCán bộ xã hướng dẫn người dân, ảnh {n // 4}")
        if n == 6:
            parts.append("## Kết quả bước đầu\n\n> Chuyển đổi số trước hết là chuyển đổi nhận thức.[^1]")
        if n == 9:
            parts.append(
                "| Huyện | Hồ sơ trực tuyến | Tỉ lệ |\n|---|---|---|\n"
                + "\n".join(f"| Huyện số {i} | {1200 + i * 37} | {80 + i % 17}% |" for i in range(12))
            )
    parts.append("[^1]: Phát biểu tại hội nghị tổng kết ngày 15/11.")
    return "\n\n".join(parts)


def site_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "site.toml": 'title = "Bản tin Thông tin và Truyền thông Thanh Hóa"\nbase_url = "https://bantin.example.vn/"\n'
        'description = "Tin tức chuyển đổi số tỉnh Thanh Hóa."\n'
        'categories = ["Chuyển đổi số", "Thời sự", "Giao thông", "Y tế", "Xã hội"]\n',
        "content/2026/anh/lead.jpg": jpeg(1800, 1000),
        "content/2026/bai-dai.md": article(
            "Thanh Hóa đẩy mạnh chuyển đổi số cấp xã để phục vụ người dân tốt hơn",
            date="2026-11-26 08:30",
            category="Chuyển đổi số",
            tags="[Thanh Hóa, chính quyền số, dịch vụ công, một cửa, 5G]",
            author="Lê Văn An",
            summary="Toàn tỉnh đã có 559 xã, phường, thị trấn triển khai mô hình chính quyền số.",
            image="anh/lead.jpg",
            image_caption="Bộ phận một cửa của xã Yên Định",
            updated="2026-11-26 15:00",
            body=long_article(),
        ),
    }
    for n in range(1, 5):
        files[f"content/2026/anh/hien-truong-{n}.jpg"] = jpeg(1400, 900, colour=f"#{n * 40:02x}6ea5")
    categories = ["Chuyển đổi số", "Thời sự", "Giao thông", "Y tế", "Xã hội"]
    for n in range(24):
        files[f"content/2026/tin-{n:02}.md"] = article(
            f"Tin số {n} về {categories[n % 5].lower()} của tỉnh Thanh Hóa trong tháng mười một",
            date=f"2026-11-{1 + n % 25:02} {8 + n % 10:02}:00",
            category=categories[n % 5],
            tags="[Thanh Hóa, chính quyền số]" if n % 3 == 0 else "[Thanh Hóa]",
            summary="Một bản tin ngắn có lời dẫn để thử trang danh sách.",
            **({"image": "anh/lead.jpg"} if n % 4 == 0 else {}),
        )
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The realistic site above, built once for every test of this module."""
    root = tmp_path_factory.mktemp("a11y")
    for name, data in site_files().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    argv = ["--content", str(root / "content"), "--layouts", str(REPO / "layouts"), "--config", str(root / "site.toml")]
    assert main(["build", *argv, "--output", str(root / "output"), "--now", NOW]) == 0
    return root / "output"


def axe_script() -> Path:
    if not AXE.is_file():
        reason = f"axe-core is not installed ({AXE.relative_to(REPO)} is missing; run `npm ci --prefix tests`)"
        if os.environ.get("BULLETIN_REQUIRE_BROWSER"):
            pytest.fail(f"accessibility tests required but {reason}")
        pytest.skip(f"accessibility tests skipped: {reason}")
    return AXE


def page_path(built: Path, name: str) -> str:
    url = PAGES[name]
    file = built / (
        url.strip("/") + "/index.html" if url.endswith("/") and url != "/" else url.lstrip("/") or "index.html"
    )
    if not file.is_file():
        pytest.skip(f"this build has no {name} page ({url})")
    return url


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(built, browser, name):
    path = page_path(built, name)
    script = axe_script()
    with static_server(built) as base:
        for width in (360, 1280):
            # The site's policy forbids inline script, and axe arrives as one: the test's own tool, not the page's.
            page = browser.new_page(viewport={"width": width, "height": 800}, bypass_csp=True)
            page.goto(base + path)
            page.add_script_tag(path=str(script))
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
            )
            page.close()
            assert violations == [], f"{path} at {width}px:\n" + "\n".join(violations)


@pytest.mark.parametrize("name", PAGES)
def test_no_sideways_scrolling_at_360px(built, browser, name):
    path = page_path(built, name)
    with static_server(built) as base:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1"
            " && !e.closest('table, .site-nav ul')).map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        page.close()
    assert overflow <= 0 and wide == [], f"{path} is wider than 360px by {overflow}px: {wide}"


def test_skip_link_landmarks_and_visible_focus(built, browser):
    with static_server(built) as base:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(base + PAGES["article"])
        assert page.get_by_role("banner").count() == 1
        assert page.get_by_role("main").count() == 1
        assert page.get_by_role("contentinfo").count() == 1
        labels = page.eval_on_selector_all("nav", "navs => navs.map(n => n.getAttribute('aria-label'))")
        assert len(labels) >= 3 and None not in labels and len(set(labels)) == len(labels)  # each nav is named
        page.keyboard.press("Tab")
        first = page.evaluate(
            "(() => { const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);"
            " return {cls: e.className, text: e.textContent, top: r.top, bottom: r.bottom,"
            " outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; })()"
        )
        assert first["cls"] == "skip-link" and first["text"] == "Bỏ qua đến nội dung chính"
        assert first["top"] >= 0 and first["bottom"] <= 740, "the skip link must come into view when focused"
        assert first["outline"] != "none" and first["width"] >= 2
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#noi-dung"
        assert page.evaluate("document.activeElement.id") == "noi-dung"
        for _ in range(12):  # every stop of the keyboard shows where it is
            page.keyboard.press("Tab")
            ring = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
            )
            assert ring[1] != "none" and ring[2] >= 2, ring
        page.close()


def test_article_page_is_light_and_needs_no_javascript(built, capsys):
    html = (built / PAGES["article"].strip("/") / "index.html").read_bytes()
    css = (built / "static/style.css").read_bytes()
    words = len(re.sub(r"<[^>]+>", " ", html.decode("utf-8")).split())
    assert words > 1400, "the test article should be a long one"
    weight = len(gzip.compress(html, 9)) + len(gzip.compress(css, 9))
    with capsys.disabled():
        print(f"\narticle page: {len(html)} B HTML + {len(css)} B CSS, {weight} B gzipped (limit 30720 B)")
    assert weight <= 30 * 1024
    scripts = re.findall(r"<script\b[^>]*>", html.decode("utf-8"))
    code = [s for s in scripts if 'type="application/ld+json"' not in s]
    # Only the search box may bring JavaScript, as a file of its own.
    assert all(re.search(r'src="/static/[^"]*(search|tim-kiem)[^"]*\.js"', s) for s in code), code


def test_screenshots_of_home_and_article(built, browser, capsys):
    SCREENSHOTS.mkdir(exist_ok=True)
    saved = []
    with static_server(built) as base:
        for name in ("home", "article"):
            for width in (360, 1280):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(base + PAGES[name])
                page.evaluate(  # walk down the page so that lazy pictures load before the shot
                    "async () => { for (let y = 0; y < document.body.scrollHeight; y += innerHeight) {"
                    " scrollTo(0, y); await new Promise(r => setTimeout(r, 50)); }"
                    " await Promise.all([...document.images].map(i => i.decode().catch(() => null))); scrollTo(0, 0); }"
                )
                target = SCREENSHOTS / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                page.close()
                assert target.stat().st_size > 10_000
                saved.append(target.name)
    with capsys.disabled():
        print(f"\nscreenshots for a person to look at: {SCREENSHOTS}/ ({', '.join(saved)})")
