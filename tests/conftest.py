"""Inline sites for tests: write a whole site into tmp_path, run the real CLI on it."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parents[1]
CHILD_ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}

# Tests stop builds, watchers and servers with Ctrl-C (SIGINT). A shell that starts the test run in
# the background sets SIGINT to "ignore", and child processes would inherit that: restore it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
NOW = "2026-11-27T12:00:00+07:00"


@dataclass
class Run:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str


@dataclass
class SiteDir:
    """A site folder in tmp_path with the repo's layouts, and a way to run `bulletin` on it."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def output(self) -> Path:
        return self.root / "output"

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8", newline="")

    def run(self, *args: str, now: str | None = NOW) -> Run:
        command, *rest = args
        argv = [
            command,
            "--content",
            str(self.root / "content"),
            "--layouts",
            str(self.root / "layouts"),
            "--config",
            str(self.root / "site.toml"),
            "--output",
            str(self.output),
            *(["--now", now] if now else []),
            *rest,
        ]
        self.capsys.readouterr()
        code = main(argv)
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def page(self, path: str) -> str:
        return (self.output / path).read_text(encoding="utf-8")

    def snapshot(self) -> dict[str, str]:
        """Every output file and a hash of its bytes, to prove nothing changed."""
        return {
            p.relative_to(self.output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.output.rglob("*"))
            if p.is_file()
        }


def article(
    title: str = "Tin thử",
    date: str = "2026-11-20 08:00",
    category: str = "Thời sự",
    body: str = "Nội dung bài.",
    **extra: str,
) -> str:
    """Markdown text of one article; extra keys are written as given (YAML values)."""
    lines = ["---", f"title: {title}", f"date: {date}", f"category: {category}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join([*lines, "---", "", body, ""])


@pytest.fixture
def make_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., SiteDir]:
    """make_site({"content/a.md": "..."}) → a SiteDir with the repo's real layouts copied in."""

    def make(
        files: dict[str, str | bytes], config: str = 'title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\n'
    ) -> SiteDir:
        site = SiteDir(tmp_path / "site", capsys)
        shutil.copytree(REPO / "layouts", site.root / "layouts")
        (site.root / "content").mkdir(parents=True, exist_ok=True)
        site.write({"site.toml": config, **files})
        return site

    return make


def _own_code(tag: str, attrs: dict[str, str | None]) -> bool:
    """The site's own script file or search form, or a JSON-LD data block: nothing an article can inject."""
    if tag == "script":
        return attrs.get("type") == "application/ld+json" or (attrs.get("src") or "").startswith("/static/")
    action = attrs.get("action") or ""
    return tag == "form" and action.startswith("/") and not action.startswith("//")


class _Markup(HTMLParser):
    """Collects every element, attribute and URL that could run code in a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "style", "form", "base") and not _own_code(tag, dict(attrs)):
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            address = "".join((value or "").split()).lower()
            if name.startswith("on") or name == "style":
                self.live.append(f"{tag} {name}=")
            elif name in ("href", "src", "action", "srcset") and address.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.live.append(f"{tag} {name}={value}")


def live_markup(html: str) -> list[str]:
    """Everything in a page that would execute or load script; [] for an inert page."""
    parser = _Markup()
    parser.feed(html)
    return parser.live


pytest_plugins = ["browser"]


def wait_until(condition: Callable[[], object], seconds: float = 15.0) -> bool:
    """Poll `condition` every 50 ms until it holds (True) or `seconds` pass (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def text_of(path: Path) -> str:
    """A file's text, or "" while it does not exist (yet) or cannot be read."""
    try:
        return path.read_text("utf-8")
    except OSError:
        return ""
