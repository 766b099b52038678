"""Which units of output to redo: a unit whose inputs and reads are unchanged keeps its files untouched.

Units to redo run in forked processes when there are many; each changed file is staged, and the
build moves the staged files into output/ only once every unit has succeeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .deps import Facet, Unit, run_unit
from .digests import Digests
from .errors import BuildFailed, Problem
from .output import (
    OutputFile,
    Staging,
    Stamp,
    WriteReport,
    Written,
    check_paths,
    long_name,
    stamp_of,
    still_there,
    unchanged,
)
from .parallel import ordered_map
from .progress import Progress
from .sources import digest

if TYPE_CHECKING:
    from .state import State


@dataclass(frozen=True, slots=True)
class Record:
    """What the last build knows about one unit: its inputs, what it read, and the files it made."""

    inputs: bytes
    reads: tuple[tuple[Facet, bytes], ...]
    files: tuple[tuple[str, str], ...]  # (path, origin)


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of this build: where it goes, what made it, its digest, and its staged copy if it changed."""

    path: str
    origin: str
    digest: bytes
    staged: bool = False  # the file changed: its new bytes are staged
    stamp: Stamp | None = None  # the file's stamp in output/ when it did not


@dataclass(frozen=True, slots=True)
class Made:
    """What running one unit gave: its files (staged when changed), the facets it read with their digests
    (in a fixed order), or its problems."""

    entries: tuple[Entry, ...] = ()
    reads: tuple[tuple[Facet, bytes], ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The records for the next build, the files of the units redone, and each unit's inputs and key."""

    records: dict[str, Record]
    made: list[Entry]  # the files of the units redone (staged when their bytes changed)
    same_paths: bool  # the site has exactly the files (and owners) of the last build
    keys: dict[str, tuple[bytes, tuple[Any, ...], bytes]]
    redone: int
    files: int  # how many files the site has
    left: frozenset[str] = frozenset()  # units out of date but left for later (their files are the last build's)


def _fresh(record: Record | None, inputs: bytes, digests: Digests, root: Path | None, written: Mapping) -> bool:
    if record is None or record.inputs != inputs or not digests.unchanged(record.reads):
        return False
    return root is None or all(still_there(root, path, written.get(path)) for path, _ in record.files)


def _make(unit: Unit, digests: Digests, root: Path, written: Mapping[str, Written], staging: Staging | None) -> Made:
    """Run one unit; stage each file whose bytes differ from what output/ holds (no staging: only check).

    The digests of what it read are taken here, in whichever process ran it, while the site is at hand.
    """
    try:
        files, facets = run_unit(unit, digests.site)
    except BuildFailed as failure:
        return Made(problems=failure.problems)
    if too_long := [problem for item in files if (problem := long_name(item)) is not None]:
        return Made(problems=tuple(too_long))
    entries = []
    for item in files:
        value = digest(item.data)
        if staging is None:
            entries.append(Entry(item.path, item.origin, value))
        elif (stamp := unchanged(root, item.path, item.data, value, written.get(item.path))) is not None:
            entries.append(Entry(item.path, item.origin, value, stamp=stamp))
        else:
            staging.stage(item.path, item.data)
            entries.append(Entry(item.path, item.origin, value, staged=True))
    reads = tuple(sorted(((facet, digests.facet(facet)) for facet in facets), key=repr))
    return Made(tuple(entries), reads)


def unit_key(
    unit: Unit, base: bytes, digests: Digests, known: tuple[bytes, tuple[Any, ...], bytes] | None = None
) -> bytes:
    """The digest of base and a unit's inputs; the last build's when they are equal (mostly the same objects)."""
    if known is not None and known[0] == base and known[1] == unit.inputs:
        return known[2]
    return digest(base + unit.name.encode() + b"\0" + digests.value(unit.inputs))


def produce(
    units: list[Unit],
    digests: Digests,
    state: State,
    root: Path,
    staging: Staging | None,
    jobs: int,
    progress: Progress,
    verify: bool = True,
    hurry: bool = False,
) -> Outcome:
    """Redo the units that changed (staging their changed files); raise BuildFailed with every problem.

    `verify`: check by stat that the files of units not redone are still in output/ as written.
    `hurry`: leave out-of-date units marked `later` as the last build made them (a watcher redoes
    them once the editor pauses), so that the pages an edit changed appear at once.
    """
    records, written = state.records, state.written
    keys = [unit_key(unit, state.base, digests, state.unit_keys.get(unit.name)) for unit in units]
    check_disk = root if staging is not None and verify else None
    stale = [
        i for i, unit in enumerate(units) if not _fresh(records.get(unit.name), keys[i], digests, check_disk, written)
    ]
    left = [i for i in stale if hurry and units[i].later and units[i].name in records]
    stale = [i for i in stale if i not in left]
    stale.sort(key=lambda i: not units[i].later)  # the long units first (made here while the workers take the rest)
    made = _run([units[i] for i in stale], digests, root, written, staging, jobs, progress)
    results = dict(zip(stale, made, strict=True))
    new_records: dict[str, Record] = {}
    for i, unit in enumerate(units):
        result = results.get(i)
        new_records[unit.name] = records[unit.name] if result is None else _record(keys[i], result)
    made_entries = [entry for i in sorted(stale) for entry in results[i].entries]
    same_paths = len(records) == len(units) and all(
        unit.name in records and records[unit.name].files == new_records[unit.name].files
        for unit in (units[i] for i in stale)
    )
    files = sum(len(record.files) for record in new_records.values())
    if not same_paths:
        site_paths(new_records)
    unit_keys = {unit.name: (state.base, unit.inputs, keys[i]) for i, unit in enumerate(units)}
    left_names = frozenset(units[i].name for i in left)
    return Outcome(new_records, made_entries, same_paths, unit_keys, len(stale), files, left_names)


def produce_some(
    units: list[Unit], digests: Digests, state: State, staging: Staging, progress: Progress, hurry: bool
) -> tuple[dict[str, Record], list[Entry], frozenset[str]]:
    """Like produce, when only `units` (in the site's order) may be out of date: every other unit, its key and its
    inputs are the last build's (a new unit's key is noted in state.unit_keys before). Returns the records of the
    units redone, their files and the units left."""
    records, written = state.records, state.written
    left = [u for u in units if hurry and u.later]  # read every article: not worth checking now
    keys = state.unit_keys
    stale = [
        unit
        for unit in units
        if not (hurry and unit.later) and not _fresh(records.get(unit.name), keys[unit.name][2], digests, None, written)
    ]
    made = _run(stale, digests, staging.root, written, staging, 1, progress)
    redone = {
        unit.name: _record(state.unit_keys[unit.name][2], result) for unit, result in zip(stale, made, strict=True)
    }
    return redone, [entry for result in made for entry in result.entries], frozenset(u.name for u in left)


def _run(
    units: list[Unit],
    digests: Digests,
    root: Path,
    written: Mapping[str, Written],
    staging: Staging | None,
    jobs: int,
    progress: Progress,
) -> list[Made]:
    """Make the units (the `later` ones first), in `jobs` processes; raise BuildFailed with every problem."""
    progress.start("Writing pages", len(units))
    long = sum(1 for unit in units if unit.later)
    made = ordered_map(
        lambda n: _make(units[n], digests, root, written, staging), len(units), jobs, progress.tick, long
    )
    problems = [p for m in made for p in m.problems]
    if problems:
        raise BuildFailed(problems)
    for result in made:
        digests.memo.update(result.reads)  # those a worker took, for the next build to compare
    return made


def _record(key: bytes, result: Made) -> Record:
    return Record(key, result.reads, tuple((e.path, e.origin) for e in result.entries))


def site_paths(records: Mapping[str, Record]) -> list[str]:
    """Every file of the site; raises BuildFailed when two units make one file (checked when the files changed)."""
    owned = [OutputFile(path, b"", origin) for r in records.values() for path, origin in r.files]
    if path_problems := check_paths(owned):
        raise BuildFailed(path_problems)
    return [item.path for item in owned]


def write_files(
    outcome: Outcome, root: Path, staging: Staging, written: Mapping[str, Written], manifest_kept: bool
) -> tuple[WriteReport, dict[str, Written]]:
    """Move the staged files into place, prune what the site no longer has; what is in output/ now.

    `written`: what the last build left; `manifest_kept`: its manifest is still there as it wrote it.
    """
    every = None
    if not (outcome.same_paths and manifest_kept):
        every = [path for record in outcome.records.values() for path, _ in record.files]
    now = dict(written)
    removed = commit_files(outcome.made, every, root, staging, now)
    changed = sum(1 for e in outcome.made if e.staged)
    return WriteReport(changed, outcome.files - changed, removed), now


def commit_files(
    made: list[Entry], every: list[str] | None, root: Path, staging: Staging, written: dict[str, Written]
) -> int:
    """Move the staged files of `made` into place and prune what the site no longer has (`every`: all its
    files, when they may differ from the last build's); `written` is brought up to date in place. Returns
    how many files were pruned."""
    removed = staging.commit((e.path for e in made if e.staged), every, written)
    if every is not None:
        kept = set(every)
        for path in [path for path in written if path not in kept]:
            del written[path]
    for entry in made:  # what output/ now holds of them (staged ones have moved into place)
        stamp = stamp_of(root / entry.path) if entry.staged else entry.stamp
        if stamp is not None:
            written[entry.path] = Written(entry.digest, stamp)
        else:
            written.pop(entry.path, None)
    return removed
