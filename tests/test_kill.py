"""Builds killed (SIGKILL) or interrupted (Ctrl-C) at random moments never leave a broken site.

An "old" site of a few hundred articles is built; then a real `bulletin build` of the "new" site
(a third of the articles edited, some removed, some added, a new site title so that every page
changes) runs over it as a separate process and is stopped at a random moment. Afterwards every
file in output/ must be byte for byte a file of the old or of the new site (the writer's hidden
bookkeeping aside), and the next build — of either site — must give exactly that site.

Half the trials stop the build at any moment of its run, half while it is writing. CI runs
KILL_TRIALS kills and INTERRUPT_TRIALS interrupts; more with BULLETIN_KILL_TRIALS=200.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CHILD_ENV, NOW, REPO, article

from generator.cli import main

ARTICLES = 240
KILL_TRIALS = int(os.environ.get("BULLETIN_KILL_TRIALS", "20"))
INTERRUPT_TRIALS = max(6, KILL_TRIALS // 4)
BOOKKEEPING = (".bulletin-writing.json",)  # the writer's own record of a write under way
MANIFEST = ".bulletin-manifest.json"  # what the last write made, for pruning
CATEGORIES = ("Thời sự", "Chuyển đổi số", "Giao thông", "Y tế", "Kinh tế", "Văn hóa")
TAGS = ("Thanh Hóa", "Sầm Sơn", "5G", "nước sạch", "dịch vụ công", "lễ hội", "an toàn giao thông")
PARAGRAPH = "Sáng nay, UBND tỉnh Thanh Hóa tổ chức hội nghị triển khai nhiệm vụ chuyển đổi số năm 2026. " * 5
# Runs the real CLI, saying when its imports are done: a Ctrl-C before that is Python's, not the build's.
INTERRUPTIBLE = (
    "import sys; from generator.cli import main; print('ready', file=sys.stderr, flush=True); "
    "sys.exit(main(sys.argv[1:]))"
)


def write_site(root: Path, version: str) -> Path:
    """The old or the new site: content/ and site.toml under `root`."""
    content = root / "content"
    for number in range(ARTICLES + ARTICLES // 6):
        new = version == "new"
        if (number >= ARTICLES and not new) or (new and number % 6 == 5):
            continue  # added in the new site / removed from it
        edited = new and number % 3 == 0
        text = article(
            f"Tin số {number}" + (" (cập nhật)" if edited else ""),
            date=f"2026-{1 + number % 10:02}-{1 + number % 28:02} {number % 24:02}:{number % 60:02}",
            category=CATEGORIES[number % len(CATEGORIES)],
            body="\n\n".join([PARAGRAPH] * (3 + number % 4)) + ("\n\nĐã sửa." if edited else ""),
            tags="[" + ", ".join({TAGS[number % 7], TAGS[number * 3 % 7]}) + "]",
        )
        path = content / f"{number // 100:02}/bai-{number:04}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    title = "Bản tin mới" if version == "new" else "Bản tin cũ"
    (root / "site.toml").write_text(f'title = "{title}"\nbase_url = "https://bantin.example.vn/"\n', "utf-8")
    return root


def arguments(site: Path, output: Path) -> list[str]:
    return [
        "build",
        *("--content", str(site / "content"), "--layouts", str(REPO / "layouts")),
        *("--config", str(site / "site.toml"), "--output", str(output), "--now", NOW),
    ]


def build(site: Path, output: Path) -> None:
    """A whole build in this process."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        assert main(arguments(site, output)) == 0, err.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def moving_started(output: Path, first: str, inode: int) -> bool:
    """The writer has begun to move new files in: `first`, the first it moves, was replaced."""
    try:
        return (output / first).stat().st_ino != inode
    except OSError:
        return False


class Sites:
    """The old and new sites, their reference builds, and how long a build takes and writes."""

    def __init__(self, root: Path) -> None:
        self.old, self.new = write_site(root / "old", "old"), write_site(root / "new", "new")
        self.old_output, self.new_output = root / "old-output", root / "new-output"
        build(self.old, self.old_output)
        build(self.new, self.new_output)
        self.old_tree, self.new_tree = tree(self.old_output), tree(self.new_output)
        self.output = root / "output"
        changed = [p for p in self.new_tree if self.old_tree.get(p) not in (None, self.new_tree[p])]
        assert len(changed) > ARTICLES / 2, "the new site must change most files for the test to mean anything"
        # The writer stages every new file, then moves them in, in path order: the first one moved
        # in marks the start of the moment a kill can leave old and new files side by side.
        self.first = min(p for p in changed if p != MANIFEST)
        self.seconds, self.writing = self.time_a_build()
        self.seconds_after_imports, _ = self.time_a_build(interruptible=True)

    def reset(self) -> None:
        shutil.rmtree(self.output, ignore_errors=True)
        shutil.copytree(self.old_output, self.output)

    def start(self, interruptible: bool = False, *extra: str) -> subprocess.Popen[bytes]:
        self.reset()
        command = [sys.executable, "-c", INTERRUPTIBLE] if interruptible else [sys.executable, "-m", "generator"]
        process = subprocess.Popen(
            [*command, *arguments(self.new, self.output), *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=CHILD_ENV,
        )
        if interruptible:
            assert process.stderr is not None and process.stderr.readline() == b"ready\n"
        return process

    def wait_for_writing(self, process: subprocess.Popen[bytes]) -> float:
        """Poll until the build begins to move new files in; returns when that was."""
        inode = (self.output / self.first).stat().st_ino
        while not moving_started(self.output, self.first, inode) and process.poll() is None:
            time.sleep(0.001)
        return time.monotonic()

    def time_a_build(self, interruptible: bool = False) -> tuple[float, float]:
        """(whole run — after its imports when interruptible —, writing part) of an undisturbed build, in seconds."""
        started = time.monotonic()
        process = self.start(interruptible)
        started = time.monotonic() if interruptible else started
        writing = self.wait_for_writing(process)
        while (self.output / BOOKKEEPING[0]).exists():
            time.sleep(0.001)
        written = time.monotonic()
        assert process.wait(timeout=120) == 0
        assert tree(self.output) == self.new_tree
        return time.monotonic() - started, max(written - writing, 0.01)

    def stop_at_random(self, process: subprocess.Popen[bytes], rng: random.Random, trial: int, how: int) -> None:
        """Even trials: any moment of the run; odd ones: a moment while it writes."""
        if trial % 2 == 0:
            time.sleep(rng.uniform(0, self.seconds_after_imports if how == signal.SIGINT else self.seconds))
        else:
            self.wait_for_writing(process)
            time.sleep(rng.uniform(0, self.writing))
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(how)

    def check_every_file_is_whole(self) -> tuple[bool, list[str]]:
        """Every file is one of the old or new site's; returns (old and new files both present, bookkeeping)."""
        found = tree(self.output)
        leftovers = [p for p in found if p.split("/")[-1].startswith(".tmp-") or p in BOOKKEEPING]
        listed = set(json.loads(found.pop(MANIFEST)))  # after an interrupt it lists old and new files
        if not leftovers:
            assert listed >= set(found) - {MANIFEST}, "the manifest misses files the next build must be able to prune"
        for path, data in found.items():
            if path not in leftovers:
                assert data in (self.old_tree.get(path), self.new_tree.get(path)), f"{path} is not a whole file"
        old_only = any(found.get(p) == d != self.new_tree.get(p) for p, d in self.old_tree.items())
        new_only = any(found.get(p) == d != self.old_tree.get(p) for p, d in self.new_tree.items())
        return old_only and new_only, leftovers

    def check_next_build_repairs(self, version: str) -> None:
        build(self.old if version == "old" else self.new, self.output)
        reference = self.old_output if version == "old" else self.new_output
        assert tree(self.output) == tree(reference), f"the next build of the {version} site did not repair output/"
        assert folders(self.output) == folders(reference), "empty folders were left behind"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    return Sites(tmp_path_factory.mktemp("kill"))


def test_killed_builds_leave_whole_files_and_the_next_build_repairs_them(sites: Sites):
    rng = random.Random(os.environ.get("BULLETIN_KILL_SEED", "2026"))
    mixed = 0
    for trial in range(KILL_TRIALS):
        process = sites.start()
        sites.stop_at_random(process, rng, trial, signal.SIGKILL)
        process.wait(timeout=60)
        halfway, _leftovers = sites.check_every_file_is_whole()
        mixed += halfway
        sites.check_next_build_repairs("old" if trial % 4 in (1, 2) else "new")
    print(f"{mixed} of {KILL_TRIALS} kills landed while files were being written")
    # The kills did land in the middle of writing, not only before or after it.
    assert mixed >= KILL_TRIALS // 6, f"only {mixed} of {KILL_TRIALS} kills landed while files were being written"


def test_ctrl_c_stops_cleanly_says_so_and_leaves_no_temporary_files(sites: Sites):
    rng = random.Random(os.environ.get("BULLETIN_KILL_SEED", "2026"))
    stopped = 0
    for trial in range(INTERRUPT_TRIALS):
        # every third build in one process: its own files are removed, not looked for through output/
        process = sites.start(True, *(("--jobs", "1") if trial % 3 == 2 else ()))
        sites.stop_at_random(process, rng, trial, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        text = err.decode("utf-8")
        assert "Traceback" not in text, text
        if process.returncode in (0, -signal.SIGINT):  # the build had finished (and Python was exiting)
            assert tree(sites.output) == sites.new_tree
            continue
        stopped += 1
        assert process.returncode == 130 and text.splitlines()[-1] == "Stopped.", text
        _halfway, leftovers = sites.check_every_file_is_whole()
        assert leftovers == [], f"temporary files left behind: {leftovers}"
        sites.check_next_build_repairs("new" if trial % 2 else "old")
    print(f"{stopped} of {INTERRUPT_TRIALS} interrupts stopped a build under way")
    assert stopped >= INTERRUPT_TRIALS // 2, f"only {stopped} of {INTERRUPT_TRIALS} interrupts came during the build"


def test_readme_states_these_figures():
    readme = (REPO / "README.md").read_text("utf-8")
    if "BULLETIN_KILL_TRIALS" not in os.environ:
        assert f"{KILL_TRIALS} killed builds (SIGKILL) of a {ARTICLES}-article site" in readme
        assert f"{INTERRUPT_TRIALS} interrupted builds (Ctrl-C)" in readme
