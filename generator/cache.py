"""The build cache in .bulletin-cache/: parsed articles keyed by their bytes, and what the last build wrote.

Everything here is an optimisation: a missing, stale or damaged cache only makes a build slower,
never different. Articles live in one SQLite file (safe when a watcher and a build run at once);
the last build's state (source stamps, what each unit of output read, what was written) lives in
one pickle per output folder, replaced atomically.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FOLDER = ".bulletin-cache"
LIBRARIES = ("markdown", "nh3", "PyYAML", "Jinja2", "feedgen", "python-slugify", "lxml")
BATCH = 500


def generator_version() -> bytes:
    """Digest of the generator's own code and of the libraries whose output it publishes."""
    state = hashlib.blake2b(digest_size=16)
    state.update(repr(sys.version_info[:2]).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        state.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        try:
            state.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            state.update(f"{name}=none".encode())
    return state.digest()


def default_folder(config: Path) -> Path:
    """.bulletin-cache beside site.toml: the project's root, which .gitignore covers."""
    return config.parent / FOLDER


class ArticleStore:
    """Parsed articles on disk, keyed by a digest of everything parsing reads; None as folder keeps nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(folder / "articles.sqlite", timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("CREATE TABLE IF NOT EXISTS parsed (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
        except (OSError, sqlite3.Error):
            self.db = None

    def get(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """The stored values of those keys that are present."""
        found: dict[bytes, bytes] = {}
        wanted = list(keys)
        if self.db is None:
            return found
        try:
            for start in range(0, len(wanted), BATCH):
                chunk = wanted[start : start + BATCH]
                marks = ",".join("?" * len(chunk))
                found.update(self.db.execute(f"SELECT key, value FROM parsed WHERE key IN ({marks})", chunk))
        except sqlite3.Error:
            return {}
        return found

    def put(self, items: dict[bytes, bytes]) -> None:
        """Store new entries (one transaction)."""
        if self.db is None or not items:
            return
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?)", items.items())
        except sqlite3.Error:
            pass

    def keep(self, used: set[bytes]) -> None:
        """Forget entries the last build did not use once they outnumber the ones it did (old versions of files)."""
        if self.db is None:
            return
        try:
            total = self.db.execute("SELECT COUNT(*) FROM parsed").fetchone()[0]
            if total <= 2 * len(used) + 100:
                return
            with self.db:
                self.db.execute("BEGIN")
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key BLOB PRIMARY KEY)")
                self.db.execute("DELETE FROM used")
                self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in used))
                self.db.execute("DELETE FROM parsed WHERE key NOT IN (SELECT key FROM used)")
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def state_path(folder: Path, *places: Path) -> Path:
    """One state file per (content, layouts, config, output) set of folders; its lock file is beside it."""
    where = "\0".join(str(p.resolve()) for p in places)
    return folder / f"state-{hashlib.blake2b(where.encode(), digest_size=8).hexdigest()}.pickle"


def load_pickle(path: Path) -> Any:
    """The object stored at `path`, or None when it is missing or unreadable."""
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # a damaged or foreign cache file is only a cold start
        return None


def save_pickle(path: Path, value: Any) -> None:
    """Replace `path` atomically; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if not isinstance(error, OSError):
            raise


@contextmanager
def exclusive(path: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold an exclusive lock on `path` (two builds of one output folder take turns); `waiting` is told if busy."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
