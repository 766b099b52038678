"""The watcher under real editing: atomic saves, bursts, folder moves, half-written files, polling.

Each test drives a real `bulletin watch` process, then checks that it is still running, printed
no traceback, and left output/ exactly as a clean `bulletin build` of the same files would.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import CHILD_ENV, NOW, REPO, article, text_of, wait_until

BURST = 300  # saves in about a second


@contextmanager
def watching(site, *extra: str) -> Iterator[Path]:
    log = site.root.parent / "watch.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "watch", "--now", NOW, *extra],
            cwd=site.root,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=CHILD_ENV,
        )
        try:
            assert wait_until(lambda: "Watching" in text_of(log)), text_of(log)
            yield log
            assert process.poll() is None, "the watcher stopped"
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=15)
    assert "Traceback" not in text_of(log), text_of(log)
    assert "Stopped watching." in text_of(log)


def settled(site, log: Path) -> None:
    """Wait until the watcher has built everything it saw (its output equals a clean build)."""
    assert wait_until(lambda: same_as_clean_build(site), 20), text_of(log)


def same_as_clean_build(site) -> bool:
    clean, cache = site.root.parent / "clean", site.root.parent / "clean-cache"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    result = site.run("build", "--output", str(clean), "--cache", str(cache))
    expected = {p.relative_to(clean).as_posix(): p.read_bytes() for p in clean.rglob("*") if p.is_file()}
    try:
        actual = {
            p.relative_to(site.output).as_posix(): p.read_bytes()
            for p in site.output.rglob("*")
            if p.is_file()
            and p.name != ".bulletin-writing.json"
            and not p.name.startswith(".tmp-")  # a write under way
        }
    except FileNotFoundError:  # the watcher removed a file or folder while it was being read: not settled yet
        return False
    return result.code == 0 and actual == expected


def atomic_save(path: Path, text: str, prefix: str = ".") -> None:
    """What vim, VS Code and gedit do: write a temporary file beside the target, then rename it over."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def test_atomic_saves_through_temporary_files_are_picked_up(make_site):
    site = make_site({"content/a.md": article("Tin một", body="Bản đầu.")})
    with watching(site) as log:
        atomic_save(site.root / "content/a.md", article("Tin một", body="Lưu kiểu vim."), prefix=".a.md.swp")
        assert wait_until(lambda: "Lưu kiểu vim." in text_of(site.output / "bai-viet/tin-mot/index.html")), text_of(log)
        atomic_save(site.root / "content/b.md", article("Tin hai", body="Tệp mới."), prefix=".goutputstream-")
        atomic_save(site.root / "content/a.md", article("Tin một", body="Lưu lần hai."), prefix="a.md.tmp")
        settled(site, log)


def test_a_burst_of_hundreds_of_saves_in_a_second_ends_in_the_right_site(make_site):
    names = [f"content/tin/{n}.md" for n in range(6)]
    site = make_site({name: article(f"Tin số {n}", body="Bản đầu.") for n, name in enumerate(names)})
    chooser = random.Random(20261127)
    with watching(site) as log:
        started = time.monotonic()
        for number in range(BURST):
            name = chooser.choice(names)
            text = article(f"Tin số {names.index(name)}", body=f"Lần lưu {number}.", tags=f"[thẻ {number % 4}]")
            if number % 2:
                atomic_save(site.root / name, text)
            else:
                (site.root / name).write_text(text, encoding="utf-8")
        assert time.monotonic() - started < 3
        settled(site, log)


def test_folders_renamed_and_deleted_while_watching(make_site):
    site = make_site(
        {
            "content/moi/a.md": article("Tin một"),
            "content/moi/b.md": article("Tin hai"),
            "content/moi/anh/cau.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
            "content/c.md": article("Tin ba"),
        }
    )
    with watching(site) as log:
        (site.root / "content/moi").rename(site.root / "content/cu")
        settled(site, log)
        assert (site.output / "cu/anh/cau.svg").is_file() and not (site.output / "moi").exists()
        for path in sorted((site.root / "content/cu").rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        (site.root / "content/cu").rmdir()
        settled(site, log)
        assert not (site.output / "bai-viet/tin-mot").exists() and (site.output / "bai-viet/tin-ba").is_dir()


def test_a_file_saved_half_written_is_never_published_half(make_site):
    site = make_site({"content/a.md": article("Tin một", body="Bản đầu.")})
    page = site.output / "bai-viet/tin-mot/index.html"
    whole = article("Tin một", body="Nửa đầu của bài mới. " + "Nửa sau của bài mới.")
    half = whole[: whole.index("Nửa sau")]
    seen: list[str] = []
    done = threading.Event()

    def look() -> None:
        while not done.is_set():
            seen.append(text_of(page))
            time.sleep(0.01)

    with watching(site) as log:
        looker = threading.Thread(target=look)
        looker.start()
        with (site.root / "content/a.md").open("w", encoding="utf-8") as handle:
            handle.write(half)
            handle.flush()
            time.sleep(1.0)  # an editor that stops mid-file, far longer than the watcher's quiet period
            handle.write(whole[len(half) :])
        assert wait_until(lambda: "Nửa sau của bài mới." in text_of(page)), text_of(log)
        done.set()
        looker.join()
        settled(site, log)
    assert not [text for text in seen if "Nửa đầu" in text and "Nửa sau" not in text]


def test_polling_for_file_systems_without_notifications(make_site):
    site = make_site({"content/a.md": article("Tin một", body="Bản đầu.")})
    with watching(site, "--poll") as log:
        site.write({"content/a.md": article("Tin một", body="Bản sửa."), "content/b.md": article("Tin hai")})
        assert wait_until(lambda: "Bản sửa." in text_of(site.output / "bai-viet/tin-mot/index.html")), text_of(log)
        (site.root / "content/b.md").unlink()
        settled(site, log)


def test_a_published_file_deleted_behind_the_watchers_back_is_restored_by_the_next_rebuild(make_site):
    site = make_site({"content/a.md": article("Tin một"), "content/b.md": article("Tin hai")})
    with watching(site) as log:
        (site.output / "404.html").unlink()
        (site.output / "bai-viet/tin-hai/index.html").write_text("sửa tay", "utf-8")
        site.write({"content/a.md": article("Tin một", body="Bản sửa.")})
        settled(site, log)


def test_ctrl_c_right_after_an_edit_leaves_the_search_index_up_to_date(make_site):
    site = make_site({"content/a.md": article("Tin một")})
    with watching(site) as log:
        site.write({"content/b.md": article("Tin hai về cầu Hàm Rồng")})
        assert wait_until(lambda: (site.output / "bai-viet/tin-hai-ve-cau-ham-rong/index.html").is_file()), text_of(log)
    # stopped within the second the watcher waits before it updates the search index
    assert "Updating the search index and sitemaps before stopping" in text_of(log)
    assert same_as_clean_build(site), text_of(log)


def test_a_first_build_in_two_processes_leaves_no_trace_of_its_workers(make_site):
    site = make_site({f"content/{n}.md": article(f"Tin số {n}", body=f"Bài {n}.") for n in range(80)})
    with watching(site, "--jobs", "2") as log:
        site.write({"content/3.md": article("Tin số 3", body="Bài 3, đã sửa.")})
        settled(site, log)
    # (watching() also requires no traceback: the workers ended by the pool must not print one)


def test_readme_states_the_burst_size():
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"a burst of {BURST} saves in about a second" in readme
