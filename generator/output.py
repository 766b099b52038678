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
PENDING = ".bulletin-writing.json"  # exists only while a write is under way (or was cut short)
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"


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
    """Two things claiming one address (or one as a file, one as a folder), or a path leaving output/."""
    owners: dict[str, str] = {}
    folders: dict[str, str] = {}  # folder → the first path that needs it
    problems: list[Problem] = []
    for item in files:
        parts = PurePosixPath(item.path).parts
        parents = ["/".join(parts[:end]) for end in range(1, len(parts))]
        as_file = next((p for p in parents if p in owners), None)
        if not parts or item.path.startswith("/") or ".." in parts or "\\" in item.path:
            problems.append(Problem(item.origin, 1, f'would write outside the output folder: "{item.path}"'))
        elif item.path in owners:
            problems.append(
                Problem(item.origin, 1, f"/{item.path} is also made by {owners[item.path]}; change one of them")
            )
        elif item.path in folders:
            problems.append(
                Problem(
                    item.origin,
                    1,
                    f"/{item.path} must be a folder for /{folders[item.path]}, made by "
                    f"{owners[folders[item.path]]}; change one of them",
                )
            )
        elif as_file is not None:
            problems.append(
                Problem(
                    item.origin,
                    1,
                    f"/{as_file} is a file made by {owners[as_file]}, so /{item.path} cannot be "
                    "written inside it; change one of them",
                )
            )
        else:
            owners[item.path] = item.origin
            for parent in parents:
                folders.setdefault(parent, item.path)
    return problems


def atomic_write(target: Path, data: bytes) -> None:
    """Write beside the target, flush to disk, then rename over it: readers see old or new, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _listed(path: Path) -> list[str]:
    try:
        listed = json.loads(path.read_text("utf-8"))
        return [p for p in listed if isinstance(p, str)]
    except (OSError, ValueError, TypeError):
        return []


def _previous(root: Path) -> list[str]:
    """What earlier builds wrote: the manifest, plus all a write cut short may have written."""
    if not (root / PENDING).exists():
        return _listed(root / MANIFEST)
    _remove_temporary_files(root)
    return sorted({*_listed(root / MANIFEST), *_listed(root / PENDING)})


def _remove_temporary_files(root: Path) -> None:
    """A killed write leaves its temporary files (and maybe the folders made for them) behind."""
    for folder, _dirs, names in os.walk(root, topdown=False):
        for name in names:
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                Path(folder, name).unlink(missing_ok=True)
                _remove_empty_parents(Path(folder), root)


def _list(paths: Iterable[str]) -> bytes:
    return json.dumps(sorted(paths), ensure_ascii=False, indent=0).encode("utf-8")


def write_tree(root: Path, files: list[OutputFile]) -> WriteReport:
    """Write changed files atomically, leave identical ones alone, remove what only the last build made."""
    root.mkdir(parents=True, exist_ok=True)
    previous = _previous(root)
    current = {item.path for item in files}
    # Until the manifest is replaced, PENDING names everything this write may create, so that a
    # build killed half-way still lets the next build find (and prune) what it wrote.
    everything = _list({*previous, *current})
    atomic_write(root / PENDING, everything)
    try:
        report = _write_files(root, files, set(previous) - current)
    except BaseException:  # interrupted (Ctrl-C) or failed: keep that record, but as the manifest
        atomic_write(root / MANIFEST, everything)
        (root / PENDING).unlink(missing_ok=True)
        _remove_temporary_files(root)
        raise
    atomic_write(root / MANIFEST, _list(current))
    (root / PENDING).unlink()
    return report


def _write_files(root: Path, files: list[OutputFile], stale: set[str]) -> WriteReport:
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
    for old in sorted(stale):
        path = root / old
        if ".." in PurePosixPath(old).parts:
            continue
        if path.is_file():
            path.unlink()
            removed += 1
        _remove_empty_parents(path.parent, root)  # also the folder a cut-short write made but never filled
    return WriteReport(written, unchanged, removed)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
