"""Source files found under a folder, read only when their stamp says they may have changed (as git's index does)."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .content import bad_link, is_source_name, shown_path
from .errors import Problem
from .output import Stamp, stamp_from

# A stamp recorded less than this long after the file's last change is not trusted next time: file
# systems keep coarse times (a few milliseconds on Linux, 2 s on FAT), so a second save within the
# same tick can leave size and times unchanged. Such files are read again until they settle.
SETTLE_NS = 3_000_000_000


@dataclass(frozen=True, slots=True)
class Known:
    """A file as the last scan saw it: its stamp, the digest of its bytes, and whether the stamp can be trusted."""

    stamp: Stamp
    digest: bytes
    trusted: bool


@dataclass(frozen=True, slots=True)
class Source:
    """One source file: path relative to its root, digest of its bytes, and the bytes if they were read now."""

    relative: str
    location: str  # the file's path as the scan found it
    digest: bytes
    data: bytes | None
    link: bool = False  # a symbolic link (to a file inside the same folder)

    @property
    def path(self) -> Path:
        return Path(self.location)

    def read(self) -> bytes:
        """The bytes (read now if the scan did not need to)."""
        if self.data is not None:
            return self.data
        with open(self.location, "rb") as handle:
            return handle.read()


def digest(data: bytes) -> bytes:
    """The 16-byte BLAKE2b digest that keys every cache entry."""
    return hashlib.blake2b(data, digest_size=16).digest()


def _walk(root: Path, found: list[tuple[str, str, os.stat_result, bool]], problems: list[Problem]) -> None:
    real_root = root.resolve()
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            problems.append(Problem(shown_path(Path(folder)), 1, f"the folder cannot be read: {error.strerror}"))
            continue
        for entry in entries:
            if not is_source_name(entry.name):
                continue
            try:
                if entry.is_symlink() and (wrong := bad_link(Path(entry.path), real_root)):
                    problems.append(Problem(shown_path(Path(entry.path)), 1, wrong))
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_dir():  # a link to a folder
                    wrong = "a link to a folder is not followed; move the folder here, or link each file"
                    problems.append(Problem(shown_path(Path(entry.path)), 1, wrong))
                elif entry.is_file():
                    found.append((f"{prefix}{entry.name}", entry.path, entry.stat(), entry.is_symlink()))
            except OSError:
                continue  # vanished while we looked: the next scan will not see it either


def scan(
    root: Path,
    known: Mapping[str, Known],
    missing_ok: bool = False,
    hints: frozenset[str] | None = None,
    previous: list[Source] | None = None,
) -> tuple[list[Source], dict[str, Known], list[Problem]]:
    """Every source file under `root`, sorted, with the stamps to give the next scan.

    `hints` (a watcher's): the only paths that changed since `previous`, the last scan's result;
    those files are looked at again and the others taken as they were.
    """
    if hints is not None and previous is not None and root.is_dir():
        patched = _patch(root, known, hints, previous)
        if patched is not None:
            return patched
    problems: list[Problem] = []
    if not root.is_dir():
        if missing_ok:
            return [], {}, []
        return [], {}, [Problem(shown_path(root), 1, "the content folder does not exist")]
    found: list[tuple[str, str, os.stat_result, bool]] = []
    _walk(root, found, problems)
    found.sort(key=lambda item: item[0])
    sources: list[Source] = []
    seen: dict[str, Known] = {}
    for relative, location, status, link in found:
        stamp = stamp_from(status)
        before = known.get(relative)
        if before is not None and before.trusted and before.stamp == stamp:
            sources.append(Source(relative, location, before.digest, None, link))
            seen[relative] = before
            continue
        try:
            with open(location, "rb") as handle:
                data = handle.read()
                after = stamp_from(os.fstat(handle.fileno()))
        except OSError as error:
            problems.append(Problem(shown_path(Path(location)), 1, f"the file cannot be read: {error.strerror}"))
            continue
        settled = after == stamp and time.time_ns() - max(stamp[1], stamp[2]) > SETTLE_NS
        sources.append(Source(relative, location, digest(data), data, link))
        seen[relative] = Known(after, sources[-1].digest, settled)
    return sources, seen, problems


def _patch(
    root: Path, known: Mapping[str, Known], hints: frozenset[str], previous: list[Source]
) -> tuple[list[Source], dict[str, Known], list[Problem]] | None:
    """The last scan with the hinted files looked at again; None when only a full scan will do (as when
    an article is a link: an edit of the file it points to names that file, not the link)."""
    if any(source.link for source in previous):
        return None
    base = os.path.join(os.path.abspath(root), "")
    real_root = root.resolve()
    changed: dict[str, Source | None] = {}
    seen = dict(known)
    for path in hints:
        if not path.startswith(base):
            continue
        relative = path[len(base) :].replace(os.sep, "/")
        if not all(is_source_name(part) for part in relative.split("/")):
            continue
        try:
            status = os.lstat(path)
            if stat.S_ISLNK(status.st_mode):
                if not Path(path).resolve().is_relative_to(real_root):
                    return None  # a new link: the full scan words the problem
                status = os.stat(path)
            if stat.S_ISDIR(status.st_mode):
                return None
            found, seen[relative] = read_source(path, relative, os.path.islink(path))
        except FileNotFoundError:
            changed[relative] = None
            seen.pop(relative, None)
            continue
        except OSError:
            return None
        changed[relative] = found
    kept = {s.relative for s in previous}
    if all(relative in kept for relative in changed):  # nothing new: the order stands
        patched = [changed.get(s.relative, s) for s in previous]
        return [s for s in patched if s is not None], seen, []
    merged = {s.relative: s for s in previous}
    for relative, source in changed.items():
        if source is None:
            merged.pop(relative, None)
        else:
            merged[relative] = source
    return [merged[r] for r in sorted(merged)], seen, []


def read_source(path: str, relative: str, link: bool = False) -> tuple[Source, Known]:
    """One file read now, with the stamp to give the next scan; raises OSError."""
    with open(path, "rb") as handle:
        data = handle.read()
        after = stamp_from(os.fstat(handle.fileno()))
    source = Source(relative, path, digest(data), data, link)
    return source, Known(after, source.digest, time.time_ns() - max(after[1], after[2]) > SETTLE_NS)


def without_data(sources: list[Source]) -> list[Source]:
    """The same sources without the bytes read this time (for a watcher to keep)."""
    return [s if s.data is None else Source(s.relative, s.location, s.digest, None, s.link) for s in sources]


def shown_paths(root: Path, sources: list[Source]) -> dict[str, str]:
    """shown_path of each source, worked out once for the folder (a link is resolved on its own)."""
    base = shown_path(root)
    return {
        s.relative: shown_path(s.path) if s.link else (s.relative if base == "." else f"{base}/{s.relative}")
        for s in sources
    }
