"""OutputFile, the collision check, and the atomic writer that keeps a manifest of what it wrote."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import Problem

MANIFEST = ".bulletin-manifest.json"


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the built site: its path under output/, its bytes, and what made it."""

    path: str
    data: bytes
    origin: str


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What a write changed, for the one-line summary."""

    written: int
    unchanged: int
    removed: int


def check_paths(files: Iterable[OutputFile]) -> list[Problem]:
    """Two things claiming one address, or a path that would leave output/, are problems."""
    owners: dict[str, str] = {}
    problems: list[Problem] = []
    for item in files:
        parts = PurePosixPath(item.path).parts
        if not parts or item.path.startswith("/") or ".." in parts or "\\" in item.path:
            problems.append(Problem(item.origin, 1, f'would write outside the output folder: "{item.path}"'))
        elif item.path in owners:
            problems.append(
                Problem(item.origin, 1, f"/{item.path} is also made by {owners[item.path]}; change one of them")
            )
        else:
            owners[item.path] = item.origin
    for path, origin in owners.items():  # a file where another file needs a folder: /a.css and /a.css/index.html
        parent = str(PurePosixPath(path).parent)
        while parent != ".":
            if parent in owners:
                problems.append(Problem(origin, 1, f"/{path} needs a folder where {owners[parent]} writes /{parent}"))
                break
            parent = str(PurePosixPath(parent).parent)
    return problems


def atomic_write(target: Path, data: bytes) -> None:
    """Write beside the target, flush to disk, then rename over it: readers see old or new, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _previous(root: Path) -> list[str]:
    try:
        listed = json.loads((root / MANIFEST).read_text("utf-8"))
        return [p for p in listed if isinstance(p, str)]
    except (OSError, ValueError):
        return []


def write_tree(root: Path, files: list[OutputFile]) -> WriteReport:
    """Write changed files atomically, leave identical ones alone, remove what only the last build made."""
    root.mkdir(parents=True, exist_ok=True)
    written = unchanged = removed = 0
    for item in files:
        target = root / item.path
        try:
            if target.is_file() and target.stat().st_size == len(item.data) and target.read_bytes() == item.data:
                unchanged += 1
                continue
        except OSError:
            pass
        atomic_write(target, item.data)
        written += 1
    current = {item.path for item in files}
    for stale in sorted(set(_previous(root)) - current):
        path = root / stale
        if ".." not in PurePosixPath(stale).parts and path.is_file():
            path.unlink()
            removed += 1
            _remove_empty_parents(path.parent, root)
    atomic_write(root / MANIFEST, json.dumps(sorted(current), ensure_ascii=False, indent=0).encode("utf-8"))
    return WriteReport(written, unchanged, removed)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
