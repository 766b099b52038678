"""Long builds: a progress line only on a terminal, the same bytes from one process or several."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import CHILD_ENV, NOW, REPO, article

ARTICLES = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(REPO / "bench/corpus.py"), str(ARTICLES), str(root)], check=True, env=CHILD_ENV)
    return root


def bulletin(root: Path, output: str, *extra: str, stderr=subprocess.PIPE) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "generator", "build", "--layouts", str(REPO / "layouts"), "--now", NOW]
    command += ["--output", output, "--cache", f"{output}-cache", *extra]
    return subprocess.run(command, cwd=root, stdout=subprocess.PIPE, stderr=stderr, env=CHILD_ENV, timeout=300)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def on_a_terminal(root: Path, output: str, *extra: str) -> tuple[str, str]:
    """Run a build with stderr on a pseudo-terminal; what it printed there and on stdout."""
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read while the build runs: a pseudo-terminal holds only a few kilobytes
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = bulletin(root, output, *extra, stderr=follower)
    finally:
        os.close(follower)
    reader.join(timeout=30)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace"), result.stdout.decode()


def test_one_process_and_two_give_the_same_bytes(corpus):
    one = bulletin(corpus, "one", "--jobs", "1")
    two = bulletin(corpus, "two", "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert tree(corpus / "one") == tree(corpus / "two")
    assert len(tree(corpus / "one")) > ARTICLES
    assert one.stderr == two.stderr == b""  # not a terminal: no progress line


def test_progress_is_drawn_on_a_terminal_for_builds_over_a_second_and_erased_before_the_summary(corpus):
    shown, out = on_a_terminal(corpus, "tty", "--jobs", "1")
    assert out.startswith(f"{ARTICLES} articles,") and "written" in out
    seconds = float(out.rsplit("(", 1)[1].split(" s)")[0])
    if seconds > 1.2:
        # The line appears once a second has passed, naming the phase then under way with its count.
        assert re.search(r"(Reading articles|Writing pages): \d+/\d+ +\d+%", shown) and "\r" in shown
        assert shown.endswith("\r\x1b[K")
    elif seconds < 0.9:
        assert shown == ""  # short builds stay silent


def test_quiet_prints_nothing_even_on_a_terminal(corpus):
    shown, out = on_a_terminal(corpus, "quiet", "--jobs", "1", "--quiet")
    assert shown == "" and out == ""
    assert (corpus / "quiet/index.html").is_file()


def test_the_progress_line_is_erased_before_the_problems_are_printed(make_site, monkeypatch):
    """A build that stops on a content mistake leaves no half-drawn line in front of the first `path:line`."""
    from generator import progress as progress_module
    from generator.build import Options, build
    from generator.errors import BuildFailed

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    monkeypatch.setattr(progress_module, "EVERY", 0.0)
    files = {f"content/{n}.md": article(f"Tin {n}") for n in range(30)}
    site = make_site({**files, "content/hong.md": article("Tin hỏng", date="2026-02-30 08:00")})
    terminal = Terminal()
    root = site.root
    with pytest.raises(BuildFailed):
        options = Options(root / "content", root / "layouts", root / "site.toml", site.output, jobs=1)
        build(options, progress=progress_module.Progress(terminal))
    assert "Reading articles: 31/31" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K")
