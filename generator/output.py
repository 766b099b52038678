"""OutputFile, the collision check, and the writer: staged files, atomic renames, a manifest of what it wrote."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import Problem

MANIFEST = ".bulletin-manifest.json"
PENDING = ".bulletin-writing.json"  # exists only while a write is under way (or was cut short)
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"
FILE_MODE = 0o644  # pages are served: readable by everyone (less what the umask takes away)
LONGEST_NAME = 200  # bytes of one name in a path: file systems allow 255, less what staging adds to it


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
    """Two things claiming one address (or one as a file, one as a folder), a path leaving output/, or a name
    too long for a file system."""
    owners: dict[str, str] = {}
    folders: dict[str, str] = {}  # folder → the first path that needs it
    problems: list[Problem] = []
    for item in files:
        parts = [part for part in item.path.split("/") if part not in ("", ".")]
        parents = ["/".join(parts[:end]) for end in range(1, len(parts))]
        as_file = next((p for p in parents if p in owners), None)
        if not parts or item.path.startswith("/") or ".." in parts or "\\" in item.path:
            problems.append(Problem(item.origin, 1, f'would write outside the output folder: "{item.path}"'))
        elif (too_long := long_name(item)) is not None:
            problems.append(too_long)
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


def long_name(item: OutputFile) -> Problem | None:
    """A name in the file's path too long for a file system to hold (checked before anything is staged)."""
    for part in item.path.split("/"):
        if (size := len(part.encode())) > LONGEST_NAME:
            wrong = f'the name "{part[:40]}…" is too long to publish ({size} bytes; at most {LONGEST_NAME})'
            return Problem(item.origin, 1, wrong)
    return None


def atomic_write(target: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: readers and killed builds see old or new, never half.

    No fsync: the rename is what guarantees that a build killed at any moment leaves no truncated
    file. Surviving a power cut is a different promise (it would cost about 1.5 ms a file); after
    one, the next build rewrites any file whose size or time does not match what it wrote.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}{TEMP_SUFFIX}"
    try:
        _create(temporary, data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _create(path: Path, data: bytes) -> None:
    """A new file holding `data`, readable by others as the umask allows (mkstemp would make it private)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


Stamp = tuple[int, int, int, int]  # size, mtime, ctime, inode: equal stamps (when trusted) mean equal bytes


@dataclass(frozen=True, slots=True)
class Written:
    """A file as the last build left it: digest of its bytes and its stamp (size, times, inode)."""

    digest: bytes
    stamp: Stamp


def stamp_from(status: os.stat_result) -> Stamp:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def stamp_of(path: Path | str) -> Stamp | None:
    """(size, mtime, ctime, inode) of a file, or None when it is missing."""
    try:
        return stamp_from(os.stat(path))
    except OSError:
        return None


def still_there(root: Path, path: str, known: Written | None) -> bool:
    """True when output/<path> is exactly the file the last build wrote (checked by its stamp)."""
    return known is not None and stamp_of(os.path.join(root, path)) == known.stamp


def unchanged(root: Path, path: str, data: bytes, digest: bytes, known: Written | None) -> Stamp | None:
    """The stamp of output/<path> when it already holds `data` (known by its stamp, else read), else None."""
    target = root / path
    if known is not None and known.digest == digest and stamp_of(target) == known.stamp:
        return known.stamp
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return stamp_of(target)
    except OSError:
        pass
    return None


class Staging:
    """New bytes wait beside their files (.tmp-<pid>-<name>.part) and take their place only when the build succeeded.

    Any process may stage a file. Until the manifest is replaced, PENDING names everything beyond it the
    write may have created, so that a build killed half-way lets the next one find (and prune) it;
    a file whose folder is still a file of the last build (to be pruned) waits in a side folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made_root = self.moving = False
        self.owner = os.getpid()
        self.tag = f"{TEMP_PREFIX}{os.getpid()}-"
        self.side = root / f"{TEMP_PREFIX}{os.getpid()}{TEMP_SUFFIX}"
        self.staged: list[Path] = []  # what this process staged; workers leave a mark and their files are looked for
        self.worker = 0  # in a worker: its pid once it has left its mark

    def begin(self) -> None:
        """Mark output/ as being staged into (a killed build's temporary files are then found and removed)."""
        self.made_root = not self.root.exists()
        self.moving = False
        self.root.mkdir(parents=True, exist_ok=True)
        _create(self.root / f"{self.tag}staging{TEMP_SUFFIX}", b"")

    def _beside(self, path: str) -> Path:
        target = self.root / path
        return target.parent / f"{self.tag}{target.name}{TEMP_SUFFIX}"

    def stage(self, path: str, data: bytes) -> None:
        """Write the new bytes of output/<path> beside it (any process may call this)."""
        pid = os.getpid()
        if pid != self.owner and os.getppid() != self.owner:
            os._exit(1)  # a worker of a build that was killed: output/ is the next build's now
        staged = self._beside(path)
        if pid == self.owner:
            self.staged.append(staged)
        elif self.worker != pid:  # this worker's first file: mark output/ so that discard() looks everywhere
            self.worker = pid
            _create(self.root / f"{self.tag}worker-{pid}{TEMP_SUFFIX}", b"")
        try:
            staged.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):  # a file of the last build is in the way
            staged = self.side / path
            staged.parent.mkdir(parents=True, exist_ok=True)
        _create(staged, data)

    def commit(self, paths: Iterable[str], current: Iterable[str] | None, known: Iterable[str] = ()) -> int:
        """Prune, then move every staged file into place; returns how many files were pruned.

        `current`: every path of the new site, when it may differ from what the manifest lists
        (None: the same paths as the last build, nothing to prune). `known`: the files the last
        build remembers writing, pruned too when the site no longer has them (the manifest may be lost).
        """
        wanted = None if current is None else set(current)
        removed = 0
        self.moving = True
        if wanted is not None:
            listed = set(_listed(self.root / MANIFEST))
            previous = listed.union(_listed(self.root / PENDING), known)
            # with the manifest, all that may be in output/ until the manifest is replaced
            atomic_write(self.root / PENDING, _list(previous.union(wanted).difference(listed)))
            removed = _prune(self.root, previous - wanted)  # first: a file may have become a folder
        for path in sorted(paths):
            target = self.root / path
            try:
                os.replace(self._beside(path), target)  # staged in the folder it goes to: the usual case
            except (FileNotFoundError, NotADirectoryError):  # staged aside: a pruned file stood where its folder goes
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.side / path, target)
        shutil.rmtree(self.side, ignore_errors=True)
        if wanted is not None:
            manifest = _list(wanted)
            if unchanged(self.root, MANIFEST, manifest, b"", None) is None:
                atomic_write(self.root / MANIFEST, manifest)
        (self.root / PENDING).unlink(missing_ok=True)
        for name in self._marks():
            (self.root / name).unlink(missing_ok=True)
        return removed

    def discard(self) -> None:
        """After a failure or Ctrl-C: remove what was staged; what was already moved in stays in the manifest."""
        marks = self._marks()
        if any(name.startswith(f"{self.tag}worker-") for name in marks):
            _remove_temporary_files(self.root, self.tag)  # workers staged files too: look everywhere
        else:  # only this process staged: remove its files (a walk through a big site takes seconds)
            for path in self.staged:
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # never staged, or staged aside
                    path.unlink()
                _remove_empty_parents(path.parent, self.root)
            for name in marks:
                (self.root / name).unlink(missing_ok=True)
        shutil.rmtree(self.side, ignore_errors=True)
        if self.moving:
            atomic_write(self.root / MANIFEST, _list(_previous(self.root)))
            (self.root / PENDING).unlink(missing_ok=True)
        elif self.made_root:  # nothing moved: output/ is as it was
            with contextlib.suppress(OSError):
                self.root.rmdir()

    def _marks(self) -> list[str]:
        """The names of this build's marks in output/: the staging mark and one per worker that staged."""
        try:
            return [n for n in os.listdir(self.root) if n.startswith(self.tag) and n.endswith(TEMP_SUFFIX)]
        except OSError:
            return []


def interrupted(root: Path) -> bool:
    """True when a build into `root` was cut short (killed) and the next build must repair it."""
    if (root / PENDING).exists():
        return True
    try:
        return any(n.startswith(TEMP_PREFIX) and n.endswith(TEMP_SUFFIX) for n in os.listdir(root))
    except OSError:
        return False


def clear_leftovers(root: Path) -> bool:
    """Remove the temporary files a killed build left behind (and the folders made for them); True if there were."""
    if not interrupted(root):
        return False
    _remove_temporary_files(root, TEMP_PREFIX)
    return True


def _listed(path: Path) -> list[str]:
    try:
        listed = json.loads(path.read_text("utf-8"))
        return [p for p in listed if isinstance(p, str)]
    except (OSError, ValueError, TypeError):
        return []


def _previous(root: Path) -> list[str]:
    """What earlier builds wrote: the manifest, plus all a write cut short may have written."""
    if not interrupted(root):
        return _listed(root / MANIFEST)
    return sorted({*_listed(root / MANIFEST), *_listed(root / PENDING)})


def _remove_temporary_files(root: Path, prefix: str) -> None:
    """Temporary files (and side folders) whose names start with `prefix`, and folders left empty.

    A folder is made before the file staged into it, so a build stopped in between leaves an
    empty folder without a temporary file: every empty folder goes (a build never makes one).
    """
    for folder, dirs, names in os.walk(root, topdown=False):
        for name in dirs:
            if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
                shutil.rmtree(Path(folder, name), ignore_errors=True)
        for name in names:
            if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
                Path(folder, name).unlink(missing_ok=True)
        if Path(folder) != root:
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # only when empty


def _list(paths: Iterable[str]) -> bytes:
    return json.dumps(sorted(paths), ensure_ascii=False, indent=0).encode("utf-8")


def _prune(root: Path, stale: Iterable[str]) -> int:
    """Remove files only earlier builds made, and the folders they leave empty."""
    removed = 0
    for old in sorted(stale):
        path = root / old
        if ".." in PurePosixPath(old).parts:
            continue
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed += 1
        _remove_empty_parents(path.parent, root)  # also the folder a cut-short write made but never filled
    return removed


def write_tree(root: Path, files: list[OutputFile]) -> WriteReport:
    """Write changed files atomically, leave identical ones alone, remove what only the last build made."""
    staging = Staging(root)
    clear_leftovers(root)
    staging.begin()
    changed: list[str] = []
    try:
        for item in files:
            if unchanged(root, item.path, item.data, b"", None) is None:
                staging.stage(item.path, item.data)
                changed.append(item.path)
        removed = staging.commit(changed, [item.path for item in files])
    except BaseException:
        staging.discard()
        raise
    return WriteReport(len(changed), len(files) - len(changed), removed)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
