"""`bulletin serve` as a real process answering real HTTP requests: live reload, errors, and safety."""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import CHILD_ENV, NOW, article, wait_until


def _main_text(page) -> str:
    """The text of the page's <main> (read from outside the page: its CSP forbids evaluated strings)."""
    try:
        return page.locator("main").inner_text(timeout=1000)
    except Exception:  # the page is reloading
        return ""


class Server:
    """A running `bulletin serve` and its log."""

    def __init__(self, process: subprocess.Popen, log: Path, host: str, port: int) -> None:
        self.process, self.log, self.host, self.port = process, log, host, port

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def get(self, path: str, method: str = "GET", host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """One request; `host` sets the Host header ("" sends none)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            if host is None:
                connection.request(method, path)
            else:
                connection.putrequest(method, path, skip_host=True)
                if host:
                    connection.putheader("Host", host)
                connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


@contextmanager
def serving(root: Path, *extra: str) -> Iterator[Server]:
    log = root.parent / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--port", "0", "--now", NOW, *extra],
            cwd=root,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=CHILD_ENV,
        )
        try:
            assert wait_until(lambda: "Serving" in log.read_text("utf-8")), log.read_text("utf-8")
            line = next(line for line in log.read_text("utf-8").splitlines() if line.startswith("Serving"))
            address = line.split("http://", 1)[1].split("/", 1)[0]
            host, port = address.rsplit(":", 1)
            yield Server(process, log, host, int(port))
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)  # generous: the machine may be busy with other tests
            except subprocess.TimeoutExpired:
                process.kill()
                raise AssertionError("`bulletin serve` did not stop on Ctrl-C:\n" + log.read_text("utf-8")) from None
    assert "Traceback" not in log.read_text("utf-8")
    assert log.read_text("utf-8").rstrip().endswith("Stopped serving.")


class Events:
    """Reads the server-sent build events in a thread."""

    def __init__(self, port: int) -> None:
        self.items: queue.Queue[dict] = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", "/__bulletin/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    self.items.put(json.loads(line[6:]))
        except (OSError, ValueError):
            return

    def next(self, seconds: float = 10.0) -> dict:
        return self.items.get(timeout=seconds)

    def until(self, condition, seconds: float = 10.0) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            item = self.next(max(0.1, deadline - time.monotonic()))
            if condition(item):
                return item

    def close(self) -> None:
        self.connection.close()


def test_reload_after_a_rebuild_and_problems_shown_while_the_last_good_site_is_served(make_site):
    site = make_site({"content/a.md": article("Tin một", body="Bản đầu.")})
    with serving(site.root) as server:
        events = Events(server.port)
        first = events.next()
        assert first["problems"] == [] and first["good"] >= 1
        status, _, page = server.get("/bai-viet/tin-mot/")
        assert status == 200 and "Bản đầu." in page.decode()
        shown = int(page.decode().split('data-build="')[1].split('"')[0])

        site.write({"content/a.md": article("Tin một", body="Bản sửa.")})
        reload = events.until(lambda e: e["good"] > shown)
        assert reload["problems"] == []
        assert "Bản sửa." in server.get("/bai-viet/tin-mot/")[2].decode()

        site.write({"content/a.md": "---\ntitle: Tin một\ndate: hôm nay\ncategory: Thời sự\n---\nHỏng.\n"})
        failed = events.until(lambda e: e["problems"])
        assert any('a.md:3: date "hôm nay" is not a date' in p for p in failed["problems"])
        assert failed["good"] == reload["good"]
        assert 'a.md:3: date "hôm nay" is not a date' in server.text()
        status, _, page = server.get("/bai-viet/tin-mot/")
        assert status == 200 and "Bản sửa." in page.decode()

        site.write({"content/a.md": article("Tin một", body="Đã sửa lỗi.")})
        fixed = events.until(lambda e: not e["problems"])
        assert fixed["good"] > failed["good"]
        assert "Đã sửa lỗi." in server.get("/bai-viet/tin-mot/")[2].decode()
        events.close()


def test_a_first_build_that_fails_is_shown_once_and_the_page_reloads_once_it_is_fixed(make_site):
    """With no site built yet, a page still carries the reload script (and so the problems); a failure is
    printed once, not again by each retry while the editor has not saved the fix."""
    broken = "---\ntitle: Tin một\ndate: hôm nay\ncategory: Thời sự\n---\nHỏng.\n"
    site = make_site({"content/a.md": broken})
    problem = 'a.md:3: date "hôm nay" is not a date'
    with serving(site.root) as server:
        events = Events(server.port)
        assert problem in events.until(lambda e: e["problems"])["problems"][0]
        status, headers, page = server.get("/")
        assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
        assert b'data-build="0"' in page  # the reload script, waiting for the first good build
        site.write({"content/a.md": article("Tin một", body="Đã sửa.")})
        fixed = events.until(lambda e: e["good"] > 0 and not e["problems"])
        assert server.get("/")[0] == 200
        site.write({"content/a.md": article("Tin một", body="Sửa lần hai.")})  # the search index then waits…
        events.until(lambda e: e["good"] > fixed["good"])
        site.write({"content/a.md": broken})  # …and a failure before it is updated is not tried again
        events.until(lambda e: e["problems"])
        time.sleep(3)
        assert server.text().count(problem) == 2  # the first build's, and this one's
        events.close()


def test_built_files_are_byte_identical_to_bulletin_build_and_only_responses_carry_the_reload_script(make_site):
    site = make_site({"content/a.md": article("Tin một"), "content/b.md": article("Tin hai", tags="[lễ hội]")})
    with serving(site.root) as server:
        status, headers, page = server.get("/")
        assert status == 200 and b'<script src="/__bulletin/reload.js"' in page
        assert headers["x-content-type-options"] == "nosniff"
        served_files = site.snapshot()
    assert not any(b"__bulletin" in p.read_bytes() for p in site.output.rglob("*") if p.is_file())
    clean = site.root / "clean"
    assert site.run("build", "--output", str(clean), "--cache", str(site.root / "clean-cache")).code == 0
    built = {p.relative_to(clean).as_posix() for p in clean.rglob("*") if p.is_file()}
    assert set(served_files) == built
    for path in built:
        assert (site.output / path).read_bytes() == (clean / path).read_bytes(), path


def test_listens_on_loopback_only_unless_told_and_warns_when_told(make_site):
    site = make_site({"content/a.md": article("Tin một")})
    with serving(site.root) as server:
        assert server.host == "127.0.0.1"
        assert "Warning" not in server.text()
    with serving(site.root, "--host", "0.0.0.0") as server:
        assert "Warning: listening on 0.0.0.0 lets other computers on the network see this preview" in server.text()
        assert server.get("/")[0] == 200


OUTSIDE = [
    "/../site.toml",
    "/../../etc/passwd",
    "/%2e%2e/site.toml",
    "/%2E%2E%2Fsite.toml",
    "/static/%2e%2e/%2e%2e/site.toml",
    "/bai-viet/..%2f..%2fsite.toml",
    "/..%5csite.toml",
    "/%252e%252e/site.toml",
    "/lien-ket.txt",
    "/thu-muc-lien-ket/a.md",
    "/thu-muc-lien-ket/",
    "/static/",
    "/bai-viet/",
    "/%00",
    "/%ff%fe",
]


def test_nothing_outside_output_is_served_and_no_folder_is_listed(make_site):
    site = make_site({"content/a.md": article("Tin một")})
    with serving(site.root) as server:
        os.symlink(site.root / "site.toml", site.output / "lien-ket.txt")
        os.symlink(site.root / "content", site.output / "thu-muc-lien-ket")
        for path in OUTSIDE:
            status, headers, body = server.get(path)
            assert status == 404, (path, status)
            assert headers["x-content-type-options"] == "nosniff"
            assert b"base_url = " not in body and b"title: Tin" not in body, path  # site.toml, content/a.md
            assert b'href="style.css"' not in body and b"Directory listing" not in body, path
            assert server.get(path, "HEAD")[0] == 404


def test_requests_for_another_host_name_are_refused_while_listening_on_loopback(make_site):
    site = make_site({"content/a.md": article("Tin một")})
    with serving(site.root) as server:
        for name in ("localhost", "127.0.0.1", "[::1]", "localhost:8000", f"127.0.0.1:{server.port}"):
            assert server.get("/", host=name)[0] == 200, name
        for name in ("attacker.example", "bantin.example.vn:8000", "127.0.0.1.attacker.example", ""):
            status, headers, page = server.get("/", host=name)
            assert status == 403 and b"Tin m" not in page, name
            assert headers["x-content-type-options"] == "nosniff"


def test_a_folder_without_its_slash_is_redirected_and_the_sites_404_page_is_used(make_site):
    site = make_site({"content/a.md": article("Tin một")})
    with serving(site.root) as server:
        status, headers, _ = server.get("/bai-viet/tin-mot")
        assert status == 301 and headers["location"] == "/bai-viet/tin-mot/"
        (site.output / "ảnh mới").mkdir()
        (site.output / "ảnh mới/index.html").write_text("<p>ảnh</p>", "utf-8")
        status, headers, _ = server.get("/%E1%BA%A3nh%20m%E1%BB%9Bi")
        assert status == 301 and headers["location"] == "/%E1%BA%A3nh%20m%E1%BB%9Bi/"
        assert server.get(headers["location"])[0] == 200
        status, headers, body = server.get("/khong-co/")
        assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
        assert body.startswith((site.output / "404.html").read_bytes().split(b"</body>")[0])
        status, headers, _ = server.get("/static/style.css")
        assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
        assert headers["x-content-type-options"] == "nosniff"


def test_a_busy_port_is_reported_plainly(make_site):
    site = make_site({"content/a.md": article("Tin một")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--port", str(port), "--now", NOW],
            cwd=site.root,
            capture_output=True,
            text=True,
            env=CHILD_ENV,
            timeout=30,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_the_open_page_reloads_itself_and_shows_problems_in_the_browser(make_site, browser):
    site = make_site({"content/a.md": article("Tin một", body="Bản đầu.")})
    with serving(site.root) as server:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://127.0.0.1:{server.port}/bai-viet/tin-mot/")
        assert "Bản đầu." in page.inner_text("main")
        page.wait_for_timeout(300)  # the event stream is open
        site.write({"content/a.md": article("Tin một", body="Bản sửa.")})
        assert wait_until(lambda: "Bản sửa." in _main_text(page), 10)

        site.write({"content/a.md": "---\ntitle: Tin một\ndate: hôm nay\ncategory: Thời sự\n---\nHỏng.\n"})
        alert = page.locator("[role=alert]")
        alert.wait_for(timeout=10000)
        assert 'a.md:3: date "hôm nay" is not a date' in alert.inner_text()
        assert "Bản sửa." in page.inner_text("main")

        site.write({"content/a.md": article("Tin một", body="Đã sửa lỗi.")})
        assert wait_until(lambda: "Đã sửa lỗi." in _main_text(page), 10)
        assert page.locator("[role=alert]").count() == 0
        assert errors == []
        page.close()
