"""The built bulletin in a real browser: readable at 360 px and 1280 px, no script errors."""

from __future__ import annotations

import pytest
from browser import static_server
from conftest import REPO, article


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_render_without_errors_or_sideways_scrolling(make_site, browser, width):
    site = make_site(
        {
            "content/a.md": article(
                "Thanh Hóa đẩy mạnh chuyển đổi số cấp xã năm 2026",
                category="Chuyển đổi số",
                body="| Huyện | Tỉ lệ | Ghi chú dài dài dài |\n|---|---|---|\n| Yên Định | 98% | "
                + "rất dài " * 30
                + "|",
            ),
            "content/b.md": article("Tin thời sự", tags="[giao thông]"),
        }
    )
    assert site.run("build").code == 0
    with static_server(site.output) as base:
        page = browser.new_page(viewport={"width": width, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        for path in [
            "/",
            "/bai-viet/thanh-hoa-day-manh-chuyen-doi-so-cap-xa-nam-2026/",
            "/chuyen-muc/chuyen-doi-so/",
            "/the/giao-thong/",
            "/404.html",
        ]:
            response = page.goto(base + path)
            assert response is not None and response.ok, path
            assert page.locator("h1").count() == 1, path
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        page.close()
    assert errors == []


def test_bundled_bulletin_home_lists_the_seed_stories(browser, tmp_path):
    from generator.cli import main

    assert (
        main(
            [
                "build",
                "--content",
                str(REPO / "content"),
                "--layouts",
                str(REPO / "layouts"),
                "--config",
                str(REPO / "site.toml"),
                "--output",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    with static_server(tmp_path / "out") as base:
        page = browser.new_page()
        page.goto(base + "/")
        text = page.inner_text("main")
        assert "Gần 160 xác lợn chết trên hệ thống kênh Bái Thượng" in text
        assert "Sở Thông tin và Truyền thông Thanh Hóa nỗ lực với vai trò dẫn dắt chuyển đổi số" in text
        page.click("text=Xã Bát Mọt công bố các quyết định")
        assert "Chiều ngày 16/7" in page.inner_text("main")
        page.close()
