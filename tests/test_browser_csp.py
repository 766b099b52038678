"""The Content-Security-Policy in a real browser: every built page satisfies it, served with `_headers` too."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import article

from generator.headers import content_security_policy

# Records every violation the browser reports, before any script of the page could run.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI || "inline"} (${event.disposition})`);
});
"""


def read_headers_file(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A `_headers` file (Netlify / Cloudflare Pages format): path pattern → its headers."""
    rules: dict[str, list[tuple[str, str]]] = {}
    pattern = None
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            pattern = line.strip()
            rules[pattern] = []
        else:
            assert pattern is not None, f"header line before any path: {line!r}"
            name, _, value = line.strip().partition(":")
            assert name and value, f"not a 'Name: value' line: {line!r}"
            rules[pattern].append((name.strip(), value.strip()))
    return rules


@contextmanager
def static_host(root: Path) -> Iterator[int]:
    """Serve `root` on 127.0.0.1 as a static host does: every response carries the `/*` headers of `_headers`
    (read at each request, as if the site were deployed again after each build)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            for name, value in read_headers_file(root / "_headers").get("/*", []):
                self.send_header(name, value)
            super().end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _every_kind_of_content(port: int) -> dict[str, str | bytes]:
    """Articles using everything an article can hold: pictures here and elsewhere, tables, notes, raw HTML."""
    elsewhere = f"http://localhost:{port}/anh/cau.svg"  # another origin, over plain http
    body = (
        "Đoạn mở đầu có **chữ đậm**, [liên kết](https://thanhhoa.gov.vn) và chú thích.[^1]\n\n"
        "![Cầu mới](anh/cau.svg)\nCầu mới nhìn từ bờ bắc\n\n"
        f"![Ảnh từ nơi khác]({elsewhere})\n\n"
        "| Huyện | Tỉ lệ |\n|:--|--:|\n| Yên Định | 98% |\n\n"
        "```\nmã nguồn\n```\n\n"
        '<div style="color:red" onclick="alert(1)">Khối HTML có style</div>\n\n'
        "<script>alert(1)</script>\n\n"
        "[^1]: Theo Sở TT&TT.\n"
    )
    files: dict[str, str | bytes] = {
        "content/anh/cau.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'/>",
        "content/a.md": article(
            "Thanh Hóa thông xe cầu mới", tags="[giao thông, Sông Mã]", image="anh/cau.svg", body=body
        ),
        "content/b.md": article("Ảnh đầu bài từ nơi khác", date="2026-11-21 08:00", image=elsewhere),
    }
    for number in range(3):
        files[f"content/cu-{number}.md"] = article(f"Tin cũ {number}", date=f"2026-10-0{number + 1} 08:00")
    return files


def _load(page, url: str, problems: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_load_state("load")
    problems += [f"{url}: {v}" for v in page.evaluate("window.__violations")]


def test_every_built_page_satisfies_the_policy_from_meta_and_headers(make_site, browser):
    site = make_site({}, config='title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\nper_page = 2\n')
    site.output.mkdir()
    (site.output / "_headers").write_text("/*\n")  # replaced by the build; lets the host start first
    with static_host(site.output) as port:
        site.write(_every_kind_of_content(port))
        result = site.run("build")
        assert result.code == 0, result.err
        pages = sorted(p.relative_to(site.output).as_posix() for p in site.output.rglob("*.html"))
        kinds = {"index.html", "404.html", "bai-viet/", "chuyen-muc/", "/trang/2/", "the/"}
        assert all(any(kind in p for p in pages) for kind in kinds), pages
        context = browser.new_context()
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if "Content Security Policy" in message.text or "Refused to" in message.text
                else None
            ),
        )
        for path in pages:
            _load(page, f"http://127.0.0.1:{port}/{path}", problems)
            assert (
                page.context.request.head(f"http://127.0.0.1:{port}/{path}").headers["content-security-policy"]
                == content_security_policy()
            ), path
            meta = page.evaluate("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')?.content")
            assert meta == content_security_policy(meta=True), path
        article_url = f"http://127.0.0.1:{port}/bai-viet/thanh-hoa-thong-xe-cau-moi/"
        _load(page, article_url, problems)
        for image in page.locator("img").all():
            image.scroll_into_view_if_needed()  # pictures in the text load lazily
        page.wait_for_function("[...document.images].every(i => i.complete)")
        loaded = page.evaluate("[...document.images].map(i => i.naturalWidth > 0)")
        assert len(loaded) == 3 and all(loaded), "a picture of the article did not load"
        assert problems == []

        # The policy is really in force: script or style slipped into a page is refused and reported.
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.__ran = true";
              document.head.append(script);
              document.body.setAttribute("style", "background: red");
            }"""
        )
        page.wait_for_function("window.__violations.length >= 2")
        directives = " ".join(page.evaluate("window.__violations"))
        assert page.evaluate("window.__ran === undefined")
        assert "script-src" in directives and "style-src" in directives
        context.close()


def test_pages_cannot_be_framed_when_served_with_the_headers_file(make_site, browser):
    site = make_site({"content/a.md": article()})
    assert site.run("build").code == 0
    rules = read_headers_file(site.output / "_headers")
    policy = dict(rules["/*"])["Content-Security-Policy"]
    assert policy == content_security_policy() and "frame-ancestors 'none'" in policy
    assert re.sub(r";?\s*frame-ancestors 'none'", "", policy) == content_security_policy(meta=True)
    (site.output / "khung.html").write_text('<!doctype html><title>khung</title><iframe src="/"></iframe>')
    with static_host(site.output) as port:
        page = browser.new_page()
        page.goto(f"http://localhost:{port}/khung.html")
        page.wait_for_load_state("load")
        framed = page.frames[1]
        assert framed.url.startswith("chrome-error://"), framed.url
        page.close()
