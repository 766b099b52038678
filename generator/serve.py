"""`bulletin serve`: the watcher plus a local web server for output/ whose pages reload after each rebuild.

For previews only. It listens on 127.0.0.1 unless --host says otherwise, serves nothing outside
output/ (no "..", however encoded, no symbolic links), lists no folders and sends nosniff. The
reload script and its event stream exist only in this server: it adds one <script> tag to the
HTML it sends, so the files in output/ stay byte-identical to `bulletin build`. A failed rebuild
keeps the last good site served and shows its problems over the page.
"""

from __future__ import annotations

import json
import mimetypes
import re
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .build import BuildResult, Options
from .errors import Problem
from .watch import Report, Watcher, say, stop_on_terminate

PREFIX = "/__bulletin/"
SCRIPT = PREFIX + "reload.js"
EVENTS = PREFIX + "events"
PING_SECONDS = 15.0
TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/json", "image/svg+xml")
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

RELOAD_JS = """\
(() => {
  "use strict";
  const shown = Number(document.currentScript.dataset.build);
  let box = null;
  const show = (problems) => {
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      Object.assign(box.style, {
        position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "2147483647", maxHeight: "50vh",
        overflow: "auto", margin: "0", padding: "1em", background: "#fff4f4", color: "#7a0b0b",
        borderTop: "4px solid #c00", font: "14px/1.5 monospace", whiteSpace: "pre-wrap",
      });
      document.body.appendChild(box);
    }
    box.textContent = "Bản dựng mới có lỗi; trang vẫn hiện bản tốt gần nhất.\\n\\n" + problems.join("\\n");
  };
  const events = new EventSource("/__bulletin/events");
  events.addEventListener("build", (event) => {
    const state = JSON.parse(event.data);
    if (state.problems.length) {
      show(state.problems);
    } else if (state.good > shown) {
      location.reload();
    } else if (box) {
      box.remove();
      box = null;
    }
  });
})();
"""


NOT_FOUND = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Không tìm thấy trang</title></head>
<body><p>Không tìm thấy trang này.</p></body></html>
""".encode()


class Builds:
    """The latest build as open pages should hear it: the number of the last good one, and any problems."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.number = 0
        self.good = 0
        self.problems: tuple[str, ...] = ()
        self.closed = False

    def built(self, result: BuildResult | None, problems: tuple[Problem, ...]) -> None:
        """Note a build; pages reload only when it changed output/ (or ended a run of failures)."""
        report = result.report if result is not None else None
        idle = report is not None and report.written == report.removed == 0 and not self.problems
        with self.changed:
            self.number += 1
            if result is not None and not idle:
                self.good = self.number
            self.problems = tuple(str(p) for p in problems)
            self.changed.notify_all()

    def event(self) -> bytes:
        state = json.dumps({"good": self.good, "problems": list(self.problems)}, ensure_ascii=False)
        return f"event: build\ndata: {state}\n\n".encode()

    def wait(self, seen: int) -> int:
        """Block until a build after `seen` (or a ping is due); the newest build number."""
        with self.changed:
            if self.number == seen and not self.closed:
                self.changed.wait(PING_SECONDS)
            return self.number

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()


def local_file(root: Path, raw: str) -> Path | str | None:
    """The file under `root` a request path names; a str is where to redirect; None: nothing to serve."""
    path = urlsplit(raw).path
    try:
        text = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    parts = [p for p in text.split("/") if p]
    if "\x00" in text or "\\" in text or any(p in (".", "..") or ":" in p for p in parts):
        return None
    target = root
    for part in parts:
        target = target / part
        if target.is_symlink():
            return None  # output/ holds no links; one placed there is never followed
    real_root = root.resolve()
    if not target.resolve().is_relative_to(real_root):
        return None
    if target.is_dir():
        if not path.endswith("/"):
            return path + "/"  # still as the request wrote it (percent-encoded)
        target = target / "index.html"
        if target.is_symlink():
            return None
    return target if target.is_file() else None


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD on output/, the reload script and the build events; nothing else."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.answer(body=True)

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def answer(self, body: bool) -> None:
        if self.server.loopback and not is_loopback(host_name(self.headers.get("Host", ""))):
            # a web page elsewhere that points a name of its own at 127.0.0.1 (DNS rebinding) reads nothing
            return self.send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain; charset=utf-8", body)
        path = urlsplit(self.path).path
        if path == EVENTS:
            return self.events() if body else self.send(HTTPStatus.OK, b"", "text/event-stream", body)
        if path == SCRIPT:
            return self.send(HTTPStatus.OK, RELOAD_JS.encode(), "text/javascript; charset=utf-8", body)
        found = local_file(self.server.root, self.path)
        if isinstance(found, str):
            return self.send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain; charset=utf-8", body, location=found)
        status = HTTPStatus.OK
        if found is None:
            status, found = HTTPStatus.NOT_FOUND, self.server.root / "404.html"
            if not found.is_file() or found.is_symlink():  # no site yet (the first build failed): the page still
                return self.not_found(body)  # shows the problems and reloads once a build succeeds
        try:
            data = found.read_bytes()
        except OSError:  # removed by a rebuild between two looks
            return self.not_found(body)
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = self.with_reload(data)
        if kind.startswith(TEXT_TYPES):
            kind += "; charset=utf-8"
        self.send(status, data, kind, body)

    def not_found(self, body: bool) -> None:
        self.send(HTTPStatus.NOT_FOUND, self.with_reload(NOT_FOUND), "text/html; charset=utf-8", body)

    def with_reload(self, page: bytes) -> bytes:
        tag = f'<script src="{SCRIPT}" data-build="{self.server.builds.good}"></script>\n'.encode()
        ends = list(_BODY_END.finditer(page))
        at = ends[-1].start() if ends else len(page)
        return page[:at] + tag + page[at:]

    def send(self, status: HTTPStatus, data: bytes, kind: str, body: bool, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def events(self) -> None:
        """Server-sent events: the current build at once, then every new build, with pings to notice closed tabs."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        builds = self.server.builds
        seen = builds.number
        try:
            self.wfile.write(builds.event())
            self.wfile.flush()
            while not builds.closed:
                number = builds.wait(seen)
                self.wfile.write(builds.event() if number != seen else b": ping\n\n")
                self.wfile.flush()
                seen = number
        except OSError:
            return  # the page was closed

    def log_message(self, format: str, *args: object) -> None:
        pass


class PreviewServer(ThreadingHTTPServer):
    """One thread per request; the event streams end with the process."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path, builds: Builds) -> None:
        self.root, self.builds = root, builds
        self.loopback = is_loopback(address[0])  # then only requests addressed to this computer by name
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that closes a connection half-way (a reload, a closed tab) is no error; anything else is."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def host_name(header: str) -> str:
    """The name in a Host header, without its port: "localhost:8000" → "localhost", "[::1]:80" → "::1"."""
    return (urlsplit(f"//{header}").hostname or "") if header else ""


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1 and localhost reach this computer only."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    options: Options, host: str = "127.0.0.1", port: int = 8000, poll: bool = False, quiet: bool = False,
    report: Report = say,
) -> int:  # fmt: skip
    """Build, serve output/ and rebuild after every change until Ctrl-C; 2 if the address cannot be used."""
    builds = Builds()
    options.output.mkdir(parents=True, exist_ok=True)
    try:
        server = PreviewServer((host, port), options.output, builds)
    except OSError as error:
        print(
            f"bulletin serve: cannot listen on {host}:{port} ({error.strerror}); choose another --port", file=sys.stderr
        )
        return 2
    if not is_loopback(host):
        print(
            f"Warning: listening on {host} lets other computers on the network see this preview "
            "(drafts too, with --drafts); use it only on a network you trust.",
            file=sys.stderr,
            flush=True,
        )
    stop_on_terminate()
    watcher = Watcher(options, poll, quiet, report)
    watcher.build(builds.built, first=True)
    watcher.tidy()
    threading.Thread(target=server.serve_forever, name="preview server", daemon=True).start()
    watcher.start()
    shown_host = f"[{host}]" if ":" in host else host
    try:
        watcher.build(builds.built, says=False)  # changes made while the first build ran
        report(f"Serving {options.output} at http://{shown_host}:{server.server_address[1]}/ ; press Ctrl-C to stop.")
        watcher.loop(builds.built)
    except KeyboardInterrupt:
        watcher.finish()
        report("Stopped serving.")
    finally:
        builds.close()
        server.shutdown()
        server.server_close()
        watcher.stop()
    return 0
