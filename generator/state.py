"""What one build leaves for the next: stamps of sources, records of units, files written, and a quick check."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .content import Parsed
from .incremental import Record
from .model import Article, Site
from .output import Written
from .sources import Known, Source


@dataclass(frozen=True, slots=True)
class Quick:
    """Enough to see, without reading any article, that the site is exactly the one the last build made."""

    fingerprint: bytes  # generator, settings, templates, --drafts and every content file's digest
    since: datetime | None  # the newest published article's date: an earlier --now changes the site
    until: datetime | None  # the next scheduled article's date: from then on the site changes
    articles: int

    def unsure(self) -> Quick:
        """The same, but never taken for the site as built: the next build looks at what changed."""
        return replace(self, fingerprint=b"")

    def holds(self, fingerprint: bytes, now: datetime) -> bool:
        return (
            fingerprint == self.fingerprint
            and (self.since is None or now >= self.since)
            and (self.until is None or now < self.until)
            and (self.articles > 0 or now == self.since)  # nothing published: the feeds carry the build's time
        )


@dataclass(frozen=True, slots=True)
class State:
    """The memory of the last build; the cache keeps it on disk, a watcher keeps it (and more) in memory."""

    version: bytes = b""
    base: bytes = b""  # generator, settings and templates of the last build
    content: dict[str, Known] = field(default_factory=dict)
    layouts: dict[str, Known] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    written: dict[str, Written] = field(default_factory=dict)
    quick: Quick | None = None
    # Kept in a watcher's memory only:
    memory: dict[bytes, Parsed] = field(default_factory=dict)
    site: tuple[list[Article], Site] | None = None
    templates: tuple[bytes, Any, list[Any]] | None = None
    digests: Any = None  # the last build's Digests
    unit_keys: dict[str, tuple[bytes, tuple[Any, ...], bytes]] = field(default_factory=dict)
    manifest: tuple[int, int, int, int] | None = None  # stamp of output/'s manifest after the last build
    folder: tuple[int, int, int, int] | None = None  # stamp of output/ itself after the last build
    scanned: tuple[list[Source], list[Source]] | None = None  # the last scan of content/ and layouts/
    left: frozenset[str] = frozenset()  # units out of date, left for a quiet moment

    def for_disk(self) -> State:
        """The part worth saving: everything but what only a long-running watcher keeps in memory."""
        return replace(
            self, memory={}, site=None, templates=None, digests=None, unit_keys={}, scanned=None, left=frozenset()
        )
